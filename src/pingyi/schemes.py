"""The campaigns of seeds 001-004, each run through signed entries like :class:`Seed000`.

Each class takes the same arguments as :class:`pingyi.scenario.Seed000` (a
ledger holding genesis by ``staff.root``, the staff, a seeded ``rng``, a
``clock``, the private people and evidence stores, an optional ``rate`` and a
``step`` callback), has the campaign code as ``CAMPAIGN`` and returns from
``run()`` a :class:`SchemeOutcome` (``.rulebook``, entry counts by type, draws,
appeals and rulings). Only :class:`Seed001` has ballots for ``rate(component,
voter, unit)`` to decide; the others ignore it. Each scheme fixes one unit's
inputs so that its score can be computed by hand (``tests/test_schemes.py``).
The seeds themselves are digested in ``shared/schemes.md``.

- :class:`Seed001` credential ballots: self-evaluation and a drawn 30% / 70% social panel;
- :class:`Seed002` checklists, supervisors' tiers, a sampled enterprise survey,
  the masses' evaluation, claimed and counted bonuses and deductions;
- :class:`Seed003` tiers entered by the office, a sampled phone survey,
  findings (withdrawn, amended, appealed), forced-distribution ballots (some
  invalid), last year's list, the online evaluation of the candidates, bonuses
  outside the total;
- :class:`Seed004` task reports, checklists, counted deductions, capped learning
  claims, a deadline that forfeits.
"""

from __future__ import annotations

from pingyi.schemes_001 import Seed001
from pingyi.schemes_002 import Seed002
from pingyi.schemes_003 import Seed003
from pingyi.schemes_004 import Seed004
from pingyi.schemes_base import SchemeOutcome, SchemeRun, SchemeStaff

SCHEMES: dict[str, type[SchemeRun]] = {
    "001": Seed001,
    "002": Seed002,
    "003": Seed003,
    "004": Seed004,
}

__all__ = [
    "SCHEMES",
    "SchemeOutcome",
    "SchemeRun",
    "SchemeStaff",
    "Seed001",
    "Seed002",
    "Seed003",
    "Seed004",
]
