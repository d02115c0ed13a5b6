"""Roll-ups: each department's and each goal's implementation %, rating, points and rank; the overall %.

A %-figure is the simple mean of the levels of the due, scored measures (docs/methodology.md §7); shares of each
status are over all measures, not-due included. Published figures are rounded half-up to the
methodology's decimals, and the rating band and rank are taken from the published figure, so what
leadership reads and how it is rated always agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from pipeline.config import Methodology

STATUS_ORDER = ("done", "in_progress", "insufficient", "not_done", "not_due", "unscored")


def standing_rank(pct: pd.Series, days_late: pd.Series, penalty_per_day: float) -> pd.Series:
    """Rank by standing: the published % less the lateness penalty, then the earlier report first;
    departments with no % have no rank. Equal standing and equal lateness share a rank."""
    late = days_late.astype("float64").fillna(0.0)
    score = pct.astype("float64") - penalty_per_day * late
    keys = sorted({(s, d) for s, d in zip(score, late, strict=True) if s == s}, key=lambda k: (-k[0], k[1]))
    first: dict[tuple[float, float], int] = {}
    position = 1
    for key in keys:
        first[key] = position
        position += sum(1 for s, d in zip(score, late, strict=True) if (s, d) == key)
    return pd.Series([first.get((s, d)) if s == s else None for s, d in zip(score, late, strict=True)],
                     index=pct.index, dtype="Int64")


def round_half_up(value: float | None, places: int) -> float | None:
    if value is None or value != value:
        return None
    quantum = Decimal(1).scaleb(-places)
    return float(Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP))


def rollup(scored: pd.DataFrame, method: Methodology, by: list[str]) -> pd.DataFrame:
    """One row per group: counts by status, %, rating, points and rank among the groups."""
    columns = [*by, "measures", "due", "scored", *STATUS_ORDER, "lagging", "self_assessed", "pct_raw", "pct", "rating", "grade",
               "color", "points", "rank", *(f"share_{s}" for s in STATUS_ORDER)]
    if scored.empty:
        return pd.DataFrame(columns=columns)
    frame = scored.assign(
        _scored=scored["due"] & scored["level"].notna(),
        _level=scored["level"].astype("float64"),
        _self=(scored["basis"] == "self_assessed") if "basis" in scored.columns else False,
    )
    grouped = frame.groupby(by, sort=False, dropna=False)
    table = grouped.agg(measures=("measure", "size"), due=("due", "sum"), scored=("_scored", "sum"),
                        self_assessed=("_self", "sum"))
    counts = frame.groupby([*by, "status"], sort=False, dropna=False).size().unstack("status", fill_value=0)
    counts = counts.reindex(columns=list(STATUS_ORDER), fill_value=0)
    table = table.join(counts).fillna({s: 0 for s in STATUS_ORDER})
    means = frame[frame["_scored"]].groupby(by, sort=False, dropna=False)["_level"].mean()
    table["pct_raw"] = means.reindex(table.index)
    table = table.reset_index()
    _publish(table, method)
    table["lagging"] = table["insufficient"] + table["not_done"]
    for status in STATUS_ORDER:
        table[f"share_{status}"] = (table[status] / table["measures"]).astype("float64")
    for name in ("measures", "due", "scored", *STATUS_ORDER, "lagging", "self_assessed"):
        table[name] = table[name].astype("int64")
    return table[columns]


def _publish(table: pd.DataFrame, method: Methodology) -> None:
    """Add the published %, band, points and rank (ties share a rank) to a table with pct_raw."""
    table["pct"] = [round_half_up(v, method.rounding) for v in table["pct_raw"]]
    bands = [method.band_for(p) if p is not None and p == p else None for p in table["pct"]]
    table["rating"] = [b.label if b else "" for b in bands]
    table["grade"] = [b.grade if b else "" for b in bands]
    table["color"] = [b.color if b else "" for b in bands]
    # Points follow the published figure, so one published % never shows two point values.
    table["points"] = [round_half_up(p / method.points_divisor, 2) if p is not None and p == p else None for p in table["pct"]]
    table["rank"] = pd.Series(table["pct"], dtype="float64").rank(method="min", ascending=False).astype("Int64")
    table["pct"] = table["pct"].astype("float64")
    table["points"] = table["points"].astype("float64")


@dataclass(frozen=True)
class Overall:
    pct_raw: float | None
    pct: float | None
    rating: str
    grade: str
    color: str
    points: float | None
    measures: int
    due: int
    scored: int
    counts: dict[str, int]


def overall(scored: pd.DataFrame, method: Methodology) -> Overall:
    """The mean over all due, scored measures of all departments (not a mean of department means)."""
    levels = scored.loc[scored["due"] & scored["level"].notna(), "level"].astype("float64")
    raw = float(levels.mean()) if len(levels) else None
    pct = round_half_up(raw, method.rounding)
    band = method.band_for(pct) if pct is not None else None
    counts = {s: int((scored["status"] == s).sum()) for s in STATUS_ORDER}
    return Overall(
        pct_raw=raw,
        pct=pct,
        rating=band.label if band else "",
        grade=band.grade if band else "",
        color=band.color if band else "",
        points=round_half_up(pct / method.points_divisor, 2) if pct is not None else None,
        measures=len(scored),
        due=int(scored["due"].sum()),
        scored=len(levels),
        counts=counts,
    )

