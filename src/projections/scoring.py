"""Score a campaign: a pure function of (rulebook, facts).

No I/O, no clock, no randomness, no floats: facts are put in log order, disputes
are settled, every component is evaluated by its rule kind with exact
fractions, units not assessed are substituted as declared, scores are rounded
at the declared stages, and units are ranked, listed and banded. The same
inputs give the same :class:`~projections.result.CampaignResult`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from functools import partial
from itertools import pairwise

from projections.decimals import exact_str, is_exact_at, places_text, round_fraction
from projections.disputes import Settled, settle
from projections.facts import (
    DISPUTE_FACTS,
    DeadlineClosed,
    Fact,
    PreviousCampaignList,
    Submission,
    fact_component,
    sort_key,
)
from projections.ranking import KeyOf, SortKey, bands_of, candidate_lists, positions
from projections.result import (
    BandInfo,
    CampaignResult,
    ComponentInfo,
    ComponentScore,
    Forfeit,
    Names,
    RankingTable,
    UnitResult,
)
from projections.rulebook import Component, Rulebook, rulebook_hash
from projections.rules import WeightedSumRule, evaluator
from projections.rules.base import (
    Applied,
    Excluded,
    InvalidBallot,
    Line,
    Lines,
    Outcome,
    Scope,
    excluded,
)


@dataclass(frozen=True)
class Worksheet:
    """Everything scoring worked out, kept for explanations."""

    rulebook: Rulebook
    hash: str
    outcomes: Mapping[str, Mapping[str, Outcome]]  # component -> unit -> final outcome
    scores: Mapping[str, Mapping[str, Decimal]]  # component -> unit -> rounded score
    substituted: Mapping[str, Mapping[str, str]]  # component -> unit -> how it was filled
    weights: Mapping[str, Fraction]  # component -> effective weight in the total
    totals: Mapping[str, Decimal]
    total_lines: Mapping[str, tuple[Line, ...]]
    excluded: tuple[Excluded, ...]
    rulings: tuple[tuple[Fact, tuple[str, ...]], ...]
    result: CampaignResult


def score(rulebook: Rulebook, facts: Iterable[Fact]) -> CampaignResult:
    """The campaign's result under ``rulebook`` from ``facts`` (any order)."""
    return work(rulebook, facts).result


def work(rulebook: Rulebook, facts: Iterable[Fact]) -> Worksheet:
    """Score a campaign and keep every intermediate step."""
    rb = rulebook
    settled = _settle(_ordered(facts))
    units = tuple(u.code for u in rb.units)
    unit_set = frozenset(units)
    category_of = {u.code: u.category for u in rb.units}
    by_component: dict[str, list[Applied]] = {c.key: [] for c in rb.components}
    campaign: list[Applied] = []
    excl: list[Excluded] = list(settled.excluded)
    warnings: list[str] = list(settled.warnings)
    for applied in settled.applied:
        key = fact_component(applied.fact)
        if isinstance(applied.fact, Submission | DeadlineClosed | PreviousCampaignList):
            campaign.append(applied)
        elif key in by_component:
            by_component[key].append(applied)
        else:
            excl.append(excluded(applied, f"unknown component {key!r}", key))
            warnings.append(f"entry {applied.fact.entry}: unknown component {key!r}, ignored")

    outcomes: dict[str, dict[str, Outcome]] = {}
    scores: dict[str, dict[str, Decimal]] = {}
    substituted: dict[str, dict[str, str]] = {}
    invalid: list[InvalidBallot] = []
    comps = {c.key: c for c in rb.components}

    def evaluate(comp: Component) -> None:
        raw: dict[str, Outcome]
        if isinstance(comp.rule, WeightedSumRule):  # its parts came first
            raw = {u: _weighted(comp.rule, u, scores) for u in units}
        else:
            run = evaluator(comp.rule)
            assert run is not None
            cap = Fraction(comp.max) if comp.max is not None else None
            ev = run(by_component[comp.key], Scope(comp.key, cap, units, unit_set))
            raw = dict(ev.outcomes)
            excl.extend(ev.excluded)
            invalid.extend(ev.invalid_ballots)
            warnings.extend(ev.warnings)
        filled, how = _substitute(rb, comp, raw, category_of)
        outcomes[comp.key], scores[comp.key] = _round_all(rb, filled)
        substituted[comp.key] = how

    ordered: dict[str, Component] = {}
    for comp in rb.components:
        _parts_first(comp, comps, ordered)
    for comp in ordered.values():
        evaluate(comp)

    weights = effective_weights(rb)
    totals: dict[str, Decimal] = {}
    total_lines: dict[str, tuple[Line, ...]] = {}
    for unit in units:
        exact = sum(
            (Fraction(w) * Fraction(scores[k][unit]) for k, w in rb.total.of.items()), Fraction(0)
        ) + sum((Fraction(scores[k][unit]) for k in rb.total.adjustments), Fraction(0))
        step = rb.rounding.total
        totals[unit] = round_fraction(exact, step.places, step.mode)
        delta = Fraction(totals[unit]) - exact
        total_lines[unit] = (
            (Line(delta, f"total rounded to {places_text(step.places)} ({step.mode})"),)
            if delta
            else ()
        )

    forfeits = _forfeits(rb, campaign, unit_set)
    previous = _previous_lists(campaign)
    result = _result(rb, scores, substituted, totals, forfeits, previous, weights)
    result = replace(
        result,
        invalid_ballots=tuple(sorted(invalid, key=lambda b: (b.index, b.entry))),
        warnings=tuple(warnings),
    )
    return Worksheet(
        rb,
        result.rulebook_hash,
        outcomes,
        scores,
        substituted,
        weights,
        totals,
        total_lines,
        tuple(excl),
        tuple((r, u) for r, u in settled.rulings),
        result,
    )


def _parts_first(
    comp: Component, comps: Mapping[str, Component], out: dict[str, Component]
) -> None:
    """Add ``comp`` to ``out`` after the parts of a weighted sum (the rulebook refuses cycles).

    Not a closure inside :func:`work`: a closure that calls itself is a reference
    cycle, and it would keep every fact of the call alive until a full collection.
    """
    if comp.key in out:
        return
    if isinstance(comp.rule, WeightedSumRule):
        for part in comp.rule.of:
            _parts_first(comps[part], comps, out)
    out[comp.key] = comp


def _ordered(facts: Iterable[Fact]) -> list[Fact]:
    """``facts.ordered``: the same order, by :func:`~projections.facts.sort_key`.

    Sorts on the key's cheap head (index, entry, kind) and computes the whole key,
    whose last member is ``repr(fact)`` (costly for a ballot), only within runs of
    facts equal on that head. A stable sort on the head followed by a stable sort
    of each run on the whole key is the same as one stable sort on the whole key.
    """
    given = list(facts)
    if all(a.index < b.index for a, b in pairwise(given)):
        return given  # already in log order, one fact per position (a replay's facts): no ties
    heads = [(f.index, f.entry, f.kind) for f in given]
    order = sorted(range(len(given)), key=heads.__getitem__)
    out = [given[i] for i in order]
    start = 0
    while start < len(order):
        end = start + 1
        while end < len(order) and heads[order[end]] == heads[order[start]]:
            end += 1
        if end - start > 1:
            out[start:end] = sorted(out[start:end], key=sort_key)
        start = end
    return out


def _settle(facts: list[Fact]) -> Settled:
    """``disputes.settle``, without its three passes when no fact is a dispute fact.

    With no withdrawal and no ruling, settling changes nothing: every fact
    applies unadjusted, nothing is excluded, there are no warnings or rulings.
    """
    if any(issubclass(kind, DISPUTE_FACTS) for kind in set(map(type, facts))):  # few kinds
        return settle(facts)
    return Settled(tuple(map(Applied, facts)), (), (), ())


def _weighted(
    rule: WeightedSumRule, unit: str, scores: Mapping[str, Mapping[str, Decimal]]
) -> Outcome:
    lines = [
        Line(
            Fraction(w) * Fraction(scores[part][unit]),
            f"component {part}: {scores[part][unit]} x {exact_str(Fraction(w))}",
            summary=True,
        )
        for part, w in rule.of.items()
    ]
    return Outcome(sum((ln.delta for ln in lines), Fraction(0)), True, tuple(lines))


def _substitute(
    rb: Rulebook, comp: Component, raw: dict[str, Outcome], category_of: Mapping[str, str]
) -> tuple[dict[str, Outcome], dict[str, str]]:
    """Fill the units no fact assessed: zero, full marks, or the average of assessed units."""
    policy = comp.not_assessed
    how: dict[str, str] = {}
    filled = dict(raw)
    step = rb.rounding.component
    assessed_scores = {
        u: round_fraction(o.score, step.places, step.mode) for u, o in raw.items() if o.assessed
    }
    for unit, outcome in raw.items():
        if outcome.assessed:
            continue
        how[unit] = policy.use
        if policy.use == "full" and comp.max is not None:
            value, note = Fraction(comp.max), "not assessed: full marks"
        elif policy.use == "average":
            peers = [
                Fraction(s)
                for u, s in assessed_scores.items()
                if policy.over == "all" or category_of[u] == category_of[unit]
            ]
            value = sum(peers, Fraction(0)) / len(peers) if peers else Fraction(0)
            where = "all units" if policy.over == "all" else "its category"
            note = (
                f"not assessed: average of the {len(peers)} assessed units of {where}"
                if peers
                else f"not assessed, and no unit of {where} was assessed: 0"
            )
        else:
            value, note = Fraction(0), "not assessed: 0"
        filled[unit] = Outcome(value, False, (Line(value, note),))
    return filled, how


def _round_all(
    rb: Rulebook, filled: Mapping[str, Outcome]
) -> tuple[dict[str, Outcome], dict[str, Decimal]]:
    step = rb.rounding.component
    note = f"rounded to {places_text(step.places)} ({step.mode})"
    outcomes: dict[str, Outcome] = {}
    scores: dict[str, Decimal] = {}
    for unit, outcome in filled.items():
        rounded = round_fraction(outcome.score, step.places, step.mode)
        delta = Fraction(rounded) - outcome.score
        lines: Lines | Callable[[], Lines] = outcome.line_source
        if delta:
            lines = partial(_with_line, outcome, Line(delta, note))
        outcomes[unit] = Outcome(Fraction(rounded), outcome.assessed, lines)
        scores[unit] = rounded
    return outcomes, scores


def _with_line(outcome: Outcome, line: Line) -> Lines:
    return (*outcome.lines, line)


def effective_weights(rb: Rulebook) -> dict[str, Fraction]:
    """Each component's weight in the total, through any weighted sums it is part of."""
    sums = {c.key: c.rule.of for c in rb.components if isinstance(c.rule, WeightedSumRule)}
    memo: dict[str, Fraction] = {}
    return {c.key: _weight(c.key, rb, sums, memo) for c in rb.components}


def _weight(
    key: str, rb: Rulebook, sums: Mapping[str, Mapping[str, Decimal]], memo: dict[str, Fraction]
) -> Fraction:
    # a module function, not a closure calling itself (a reference cycle, see _parts_first)
    if key not in memo:
        w = Fraction(rb.total.of.get(key, 0))
        if key in rb.total.adjustments:
            w += 1
        for parent, parts in sums.items():
            if key in parts:
                w += Fraction(parts[key]) * _weight(parent, rb, sums, memo)
        memo[key] = w
    return memo[key]


def _forfeits(rb: Rulebook, campaign: list[Applied], units: frozenset[str]) -> dict[str, Forfeit]:
    closed: dict[str, Fact] = {}
    latest: dict[tuple[str, str], Submission] = {}
    for applied in campaign:
        fact = applied.fact
        if isinstance(fact, DeadlineClosed):
            closed.setdefault(fact.deadline, fact)
        elif isinstance(fact, Submission):
            latest[(fact.unit, fact.deadline)] = fact
    out: dict[str, Forfeit] = {}
    for deadline in rb.deadlines:
        for unit in sorted(units):
            if unit in out:
                continue
            sub = latest.get((unit, deadline.key))
            close = closed.get(deadline.key)
            if sub is not None and not sub.on_time:
                out[unit] = Forfeit(
                    deadline.key, f"submitted late (entry {sub.entry})", sub.entry, sub.index
                )
            elif sub is None and close is not None:
                out[unit] = Forfeit(
                    deadline.key,
                    f"nothing submitted by the deadline, closed by entry {close.entry}",
                    close.entry,
                    close.index,
                )
    return out


def _previous_lists(campaign: list[Applied]) -> dict[str, tuple[str, ...]]:
    lists: dict[str, tuple[str, ...]] = {}
    for applied in campaign:
        if isinstance(applied.fact, PreviousCampaignList):
            lists[applied.fact.list] = applied.fact.units
    return lists


def _placement(rb: Rulebook, key: str) -> str:
    if key in rb.total.of:
        return "total"
    if key in rb.total.adjustments:
        return "adjustment"
    if key in rb.total.outside:
        return "outside"
    return "part"


def _result(
    rb: Rulebook,
    scores: Mapping[str, Mapping[str, Decimal]],
    substituted: Mapping[str, Mapping[str, str]],
    totals: Mapping[str, Decimal],
    forfeits: Mapping[str, Forfeit],
    previous: Mapping[str, tuple[str, ...]],
    weights: Mapping[str, Fraction],
) -> CampaignResult:
    units = [u.code for u in rb.units]
    category_of = {u.code: u.category for u in rb.units}
    eligible = [u for u in units if u not in forfeits]
    breakers = tuple(k for k in rb.ranking.tie_break if k != "unit_code")
    by_code = rb.ranking.tie_break[-1:] == ("unit_code",)

    def key_for(by: str) -> KeyOf:
        def key_of(unit: str) -> SortKey:
            head = totals[unit] if by == "total" else scores[by][unit]
            return (head, *(scores[k][unit] for k in breakers))

        return key_of

    total_key = key_for("total")
    if rb.ranking.scope == "all":
        groups = {"all": eligible}
    else:
        groups = {c.key: [u for u in eligible if category_of[u] == c.key] for c in rb.categories}
    places = {}
    for members in groups.values():
        places.update(positions(members, total_key, by_code))
    lists = candidate_lists(rb, eligible, key_for, previous)
    on_lists = {u: tuple(k for k, members in lists if u in members) for u in units}
    bands = bands_of(rb, eligible, category_of, dict(lists), total_key)
    outside_keys = set(rb.total.outside)
    results = []
    for unit in rb.units:
        code = unit.code
        comps = tuple(
            ComponentScore(
                c.key,
                scores[c.key][code],
                code not in substituted[c.key],
                substituted[c.key].get(code),
            )
            for c in rb.components
            if c.key not in outside_keys
        )
        outside = tuple((k, scores[k][code]) for k in rb.total.outside)
        place = places.get(code)
        results.append(
            UnitResult(
                code,
                unit.name.zh,
                unit.name.en,
                unit.category,
                comps,
                totals[code],
                outside,
                place.top if place else None,
                place.tied if place else False,
                bands.get(code, ()),
                on_lists[code],
                forfeits.get(code),
            )
        )
    tables = []
    if rb.ranking.scope == "all":
        scope_names = [Names("all", "全部", "All units")]
    else:
        scope_names = [Names(c.key, c.label.zh, c.label.en) for c in rb.categories]
    for names in scope_names:
        members = [u for u in units if names.key == "all" or category_of[u] == names.key]
        ranked = sorted((u for u in members if u in places), key=lambda u: (places[u].top, u))
        tables.append(RankingTable(names, (*ranked, *(u for u in members if u in forfeits))))
    step = rb.rounding.display_places
    infos = tuple(
        ComponentInfo(
            c.key,
            c.label.zh,
            c.label.en,
            c.max,
            _placement(rb, c.key),
            round_fraction(weights[c.key], step, "half_even")
            if is_exact_at(weights[c.key], step)
            else None,
        )
        for c in rb.components
    )
    band_infos = tuple(
        BandInfo(b.key, b.label.zh, b.label.en, tuple(sorted(b.effects.items()))) for b in rb.bands
    )
    return CampaignResult(
        rb.key,
        rulebook_hash(rb),
        Names(rb.key, rb.title.zh, rb.title.en),
        infos,
        band_infos,
        tuple(results),
        tuple(tables),
        lists,
        (),
        (),
    )
