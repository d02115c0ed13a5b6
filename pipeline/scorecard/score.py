"""Points, totals and ranks: the computed criteria from the consolidation, the evaluators' points combined.

- A computed criterion's points follow its rule: `plan_percent` % × max / 100; `on_time` max less `per_day`
  per day late (floor 0); `report_quality` max less `per_error` per error in the accepted report (floor 0);
  `completeness` scored ÷ due measures × max. A department that did not report gets 0 (and is listed); one
  that reported nothing due has no % and no completeness: those points are missing.
- An evaluator criterion's points are the evaluators' values combined (`mean`, `median`, `max`, `min`). A value
  an evaluator did not give (or gave wrongly) is missing: never 0. The criterion then shows what the others gave,
  marked, and the organisation's total is *incomplete*.
- Each criterion's points are rounded (half up, `rounding` places) and the total is their sum, so the figures
  shown add up. Complete totals rank first, highest first; ties are broken by the `tie_break` list in order (a
  criterion: more points first; `earlier_report`: the earlier first report first); what still ties shares a rank
  (1, 2, 2, 4). Incomplete totals are ranked after every complete one, in the same way among themselves.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from pipeline.problems import Problem
from pipeline.rollup import round_half_up
from pipeline.scorecard.facts import Facts
from pipeline.scorecard.spec import EARLIER_REPORT, Criterion, Scorecard


@dataclass
class Given:
    """The evaluators' points of one workbook: (organisation, criterion key) -> points."""

    evaluator: str
    file: str
    values: dict[tuple[str, str], float] = field(default_factory=dict)
    refused: set[tuple[str, str]] = field(default_factory=set)  # cells with a problem of their own (over max, invalid)
    rows: set[str] = field(default_factory=set)  # the organisations the workbook has a row for


@dataclass
class Row:
    """One organisation's line of the result."""

    organisation: str
    short: str
    points: dict[str, float | None]
    partial: set[str]  # evaluator criteria some evaluator's points are missing from
    missing: list[tuple[str, str]]  # (criterion key, evaluator) without points
    total: float  # the points there are
    complete: bool
    received_at: str = ""
    rank: int = 0
    by_evaluator: dict[str, dict[str, float | None]] = field(default_factory=dict)  # key -> evaluator -> points


COMBINE: dict[str, Callable[[list[float]], float]] = {
    "mean": statistics.fmean,
    "median": statistics.median,
    "max": max,
    "min": min,
}


def computed_points(criterion: Criterion, facts: Facts | None) -> float | None:
    """A computed criterion's points (unrounded); None when the figure it rests on does not exist."""
    if facts is None or not facts.reported:
        return 0.0
    top = criterion.max
    if criterion.rule == "plan_percent":
        return None if facts.pct is None else facts.pct * top / 100
    if criterion.rule == "on_time":
        return max(0.0, top - criterion.per_day * (facts.days_late or 0))
    if criterion.rule == "report_quality":
        return max(0.0, top - criterion.per_error * facts.errors)
    if criterion.rule == "completeness":
        return None if facts.due == 0 else facts.scored / facts.due * top
    raise ValueError(criterion.rule)


def computed_problems(card: Scorecard, organisations: Sequence[str], facts: Mapping[str, Facts], lang: str = "mn") -> list[Problem]:
    """Who did not report (0 points for the computed criteria) and whose computed points are missing."""
    problems = []
    for name in organisations:
        found = facts.get(name)
        if found is None or not found.reported:
            problems.append(Problem("scorecard-not-reported", value=name, detail=", ".join(c.name(lang) for c in card.computed)))
            continue
        for criterion in card.computed:
            if computed_points(criterion, found) is None:
                problems.append(Problem("scorecard-computed-missing", value=name, detail=criterion.name(lang)))
    return problems


def score(card: Scorecard, organisations: Sequence[tuple[str, str]], facts: Mapping[str, Facts],
          given: Sequence[Given]) -> list[Row]:
    """Every organisation's points, total and rank, in rank order. `organisations`: (name, short) pairs."""
    rows = []
    places = card.rounding
    for name, short in organisations:
        points: dict[str, float | None] = {}
        partial: set[str] = set()
        missing: list[tuple[str, str]] = []
        by_evaluator: dict[str, dict[str, float | None]] = {}
        for criterion in card.criteria:
            if criterion.computed:
                value = computed_points(criterion, facts.get(name))
            else:
                per = {g.evaluator: g.values.get((name, criterion.key)) for g in given}
                by_evaluator[criterion.key] = per
                values = [v for v in per.values() if v is not None]
                absent = [e for e, v in per.items() if v is None]
                missing += [(criterion.key, e) for e in absent]
                if not given:
                    missing.append((criterion.key, ""))
                if absent and values:
                    partial.add(criterion.key)
                value = COMBINE[criterion.combine](values) if values else None
            points[criterion.key] = round_half_up(value, places)
        shown = [p for p in points.values() if p is not None]
        total = round_half_up(sum(shown), places) or 0.0
        complete = not missing and len(shown) == len(points)
        found = facts.get(name)
        rows.append(Row(name, short, points, partial, missing, total, complete,
                        received_at=found.received_at if found is not None else "", by_evaluator=by_evaluator))
    return rank(rows, card.tie_break)


def _key(row: Row, tie_break: Sequence[str]) -> tuple[object, ...]:
    parts: list[object] = [not row.complete, -row.total]
    for name in tie_break:
        if name == EARLIER_REPORT:
            parts.append((row.received_at == "", row.received_at))  # no report: last
        else:
            value = row.points.get(name)
            parts.append(float("inf") if value is None else -value)
    return tuple(parts)


def rank(rows: list[Row], tie_break: Sequence[str]) -> list[Row]:
    """Rows in rank order with their rank: equal keys (total, then each tie-break) share a rank."""
    ordered = sorted(rows, key=lambda r: _key(r, tie_break))
    previous: tuple[object, ...] | None = None
    for position, row in enumerate(ordered, start=1):
        key = _key(row, tie_break)
        row.rank = ordered[position - 2].rank if key == previous else position
        previous = key
    return ordered


def awarded(rows: Sequence[Row], top: int) -> list[Row]:
    """The award list: complete totals ranked within the top N (a tie at the last place is awarded to all)."""
    return [row for row in rows if row.complete and row.rank <= top]
