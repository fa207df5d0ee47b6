"""The sampling rule "all if at most N, else N drawn" (the draw itself is elsewhere)."""

from __future__ import annotations


def sample_size(population: int, max: int) -> int:
    """How many to draw: the whole population when it is at most ``max``, else ``max``."""
    if isinstance(population, bool) or population < 0:
        raise ValueError("population must be a non-negative integer")
    if isinstance(max, bool) or max < 1:
        raise ValueError("max must be a positive integer")
    return population if population <= max else max
