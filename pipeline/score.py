"""Score every measure by the methodology in use (mappings/methodology.yaml), column-wise.

Where a measure's level comes from, first that applies:
  evaluator (the Үнэлгээ column or the specialist's review) -> status_word (a status word in the achieved
  columns) -> computed (achieved value against target) -> self_assessed (the department's own %) -> unscored.
A measure is due when the period's quarter (that of its last month) is at or after the first quarter of its timeframe; a "not yet
due" word makes it not due whatever its timeframe. Not-due and unscored measures stay out of every mean.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipeline import cycles
from pipeline.config import STATUSES, Methodology, header_key
from pipeline.problems import Problem
from pipeline.read.workbook import a1


def period_quarter(period: str) -> int:
    """The quarter due rules and pro-rating judge the period by: that of its last month (2026-08: 3,
    2026-H1: 2, the year 2026: 4)."""
    return cycles.parse(period).quarter


def measure_key(department: str, measure_no: str, measure: str) -> str:
    """A measure's identity across resubmissions: department, number and the gist of its text (spacing,
    case and a final full stop do not count; `review.rekey` follows other edits by number)."""
    gist = "".join(measure.casefold().split()).rstrip(".;,")
    digest = hashlib.sha1(gist.encode("utf-8")).hexdigest()[:12]
    return f"{department}|{measure_no}|{digest}"


@dataclass(frozen=True)
class Override:
    """A level the specialist set in the review file: a level value, or not-due / not-evaluated."""

    level: float | None
    status: str | None  # "not_due" | "not_evaluated" | None
    comment: str = ""


def _threshold_level(achievement: pd.Series, method: Methodology) -> pd.Series:
    values = achievement.to_numpy(dtype="float64", na_value=np.nan)
    conditions = [values >= minimum for minimum, _ in method.thresholds]
    choices = [level for _, level in method.thresholds]
    result = np.select(conditions, choices, default=np.nan) if conditions else np.full(len(values), np.nan)
    result[np.isnan(values)] = np.nan
    return pd.Series(result, index=achievement.index, dtype="Float64")


def due_target(m: pd.DataFrame, quarter: int, pro_rate: bool) -> np.ndarray:
    """The target each measure is compared with this period: its share so far for a count target over
    several quarters while the window is open, else the target itself (NaN where there is none)."""
    target = m["target_value"].astype("float64").to_numpy(na_value=np.nan)
    if not pro_rate:
        return target
    kind = m["target_kind"].to_numpy(dtype=object)
    op = m["target_op"].to_numpy(dtype=object)
    elapsed = np.array(
        [sum(int(q) <= quarter for q in qs.split(",")) if qs else 0 for qs in m["quarters"]], dtype="float64"
    )
    total = m["q_count"].to_numpy(dtype="float64")
    last = m["q_last"].astype("float64").to_numpy(na_value=np.nan)
    open_window = (kind == "count") & (op == ">=") & (total > 1) & (last > quarter) & (elapsed > 0)
    return np.where(open_window, target * elapsed / np.where(total > 0, total, 1), target)


def compute_achievement(m: pd.DataFrame, quarter: int, pro_rate: bool) -> pd.Series:
    """Achievement 0-100 of the achieved value against the target, NaN where it cannot be computed."""
    target = m["target_value"].astype("float64").to_numpy(na_value=np.nan)
    actual = m["actual_value"].astype("float64").to_numpy(na_value=np.nan)
    actual_pct = m["actual_is_pct"].to_numpy(dtype=bool)
    kind = m["target_kind"].to_numpy(dtype=object)
    op = m["target_op"].to_numpy(dtype=object)

    # A count target over several quarters is judged, while its window is open, by its share so far.
    expected = due_target(m, quarter, pro_rate)

    # Both branches of each `where` are computed; the one not taken may divide by zero or overflow (1e300 / 1e-300).
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        at_least = np.where(expected > 0, np.minimum(actual / expected, 1.0) * 100.0, 100.0)
        # "Three times" reported as "100 %" means the department says the target is fully met.
        at_least = np.where((kind == "count") & actual_pct, np.clip(actual, 0, 100), at_least)
        at_most = np.where(actual <= target, 100.0, np.where(target > 0, target / actual * 100.0, 0.0))
        done = np.where(actual_pct, np.clip(actual, 0, 100), np.where(actual > 0, 100.0, 0.0))
    result = np.select(
        [op == ">=", op == "<=", op == "done"],
        [at_least, at_most, done],
        default=np.nan,
    )
    result = np.where(np.isnan(actual) | ~np.isin(kind, ["percent", "count", "binary"]), np.nan, result)
    result = np.where(np.isnan(target) & (op != "done"), np.nan, result)
    return pd.Series(np.clip(result, 0, 100), index=m.index, dtype="Float64")


def _level_of_number(values: pd.Series, method: Methodology) -> pd.Series:
    """A number given as a level: itself when it is one of the levels, else through the thresholds."""
    levels = {lv.value for lv in method.levels}
    exact = values.where(values.isin(list(levels)))
    return exact.fillna(_threshold_level(values, method)).astype("Float64")


def score_measures(
    measures: pd.DataFrame,
    period: str,
    method: Methodology,
    overrides: Mapping[str, Override] | None = None,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Add due, achievement, level, status, basis (and measure_key) to the normalised measures."""
    m = measures.copy()
    quarter = period_quarter(period)
    problems: list[Problem] = []
    overrides = overrides or {}
    level_values = [lv.value for lv in method.levels]

    ov = [overrides.get(k) for k in m["measure_key"]]
    ov_level = pd.Series([o.level if o else None for o in ov], index=m.index, dtype="Float64")
    ov_status = pd.Series([o.status if o else "" for o in ov], index=m.index, dtype=object)

    # Evaluator's column: a level of the methodology, or a status word; anything else is an error.
    eval_value = m["eval_value"].astype("Float64")
    eval_ok = eval_value.isin(level_values)
    bad_eval = eval_value.notna() & ~eval_ok
    for i in np.flatnonzero(bad_eval.to_numpy(dtype=bool, na_value=False)):
        row = m.iloc[i]
        cell = a1(int(row["row"]) - 1, int(row["c_evaluation"])) if row["c_evaluation"] >= 0 else ""
        problems.append(Problem("evaluation-invalid", row["source_file"], row["sheet"], cell, int(row["row"]),
                                value=row["eval_text"], detail=", ".join(f"{v:g}" for v in level_values)))
    eval_status = m["eval_status"]
    eval_level = eval_value.where(eval_ok).astype("Float64")
    eval_level = eval_level.fillna(
        pd.Series([method.status_levels.get(s) for s in eval_status], index=m.index, dtype="Float64")
    )

    # The timeframe, achieved, self-assessed and evaluation cells count wherever they say "not due"; the
    # progress narrative only when it is the status word itself (`normalise.narrative_not_due`).
    narrative = m["progress_status"] if "progress_status" in m.columns else pd.Series("", index=m.index)
    not_due_word = (
        (m["tf_status"] == "not_due") | (m["actual_status"] == "not_due") | (m["self_status"] == "not_due") | (eval_status == "not_due")
        | (narrative == "not_due")
    )
    q_first = m["q_first"].astype("Float64")
    due = (q_first.isna() | (q_first <= quarter)).fillna(True).astype(bool) & ~not_due_word
    due = (due & (ov_status != "not_due")) | ov_level.notna()
    m["due"] = due.astype(bool)

    # Candidate levels by source, highest priority first.
    evaluator = ov_level.fillna(eval_level)
    not_evaluated = (ov_status == "not_evaluated") | ((eval_status == "not_evaluated") & ov_level.isna())
    word_status = m["actual_status"].where(m["actual_status"].isin(STATUSES), m["self_status"])
    status_word = pd.Series([method.status_levels.get(s) for s in word_status], index=m.index, dtype="Float64")
    achievement = compute_achievement(m, quarter, method.pro_rate_counts)
    # The target used for the period (after pro-rating), shown beside the annual one in the outputs.
    m["target_due"] = pd.array(due_target(m, quarter, method.pro_rate_counts), dtype="Float64")
    computed = _threshold_level(achievement, method)
    self_level = _level_of_number(m["self_value"].astype("Float64"), method)

    # A timeframe that cannot be read leaves the measure unscored (never a guessed range), unless the
    # evaluator has given it a level.
    unreadable_timeframe = (m["tf_confidence"] == "invalid") & (m["tf_status"] != "not_due")
    level = pd.Series(pd.NA, index=m.index, dtype="Float64")
    basis = pd.Series("", index=m.index, dtype=object)
    for name, candidate in (("evaluator", evaluator), ("status_word", status_word), ("computed", computed),
                            ("self_assessed", self_level)):
        take = level.isna() & candidate.notna() & ~not_evaluated
        if name != "evaluator":
            take &= ~unreadable_timeframe
        level = level.mask(take, candidate)
        basis = basis.mask(take, name)
    scored = m["due"] & level.notna()
    m["level"] = level.where(scored).astype("Float64")
    m["basis"] = basis.where(scored, "")
    m["achievement"] = achievement.where(scored & (basis == "computed")).round(2)
    status_of = {lv.value: lv.status for lv in method.levels}
    level_status = m["level"].astype("float64").map(status_of).fillna("unscored")
    m["status"] = level_status.where(m["due"], "not_due").astype(object)

    problems.extend(_narrative_mentions(m))
    for i in np.flatnonzero((m["basis"] == "self_assessed").to_numpy()):
        row = m.iloc[i]
        m.at[m.index[i], "flags"] = [*row["flags"], "self-assessed"]
        cell = a1(int(row["row"]) - 1, int(row["c_self_pct"])) if row["c_self_pct"] >= 0 else ""
        problems.append(Problem("self-assessed", row["source_file"], row["sheet"], cell, int(row["row"]),
                                detail=f"{row['self_text']}"))
    for i in np.flatnonzero((m["status"] == "unscored").to_numpy()):
        row = m.iloc[i]
        if "timeframe-invalid" in row["flags"]:
            continue  # the timeframe problem already says why
        m.at[m.index[i], "flags"] = [*row["flags"], "unscored"]
        cell = a1(int(row["row"]) - 1, int(row["c_actual"])) if row["c_actual"] >= 0 else ""
        problems.append(Problem("unscored", row["source_file"], row["sheet"], cell, int(row["row"])))
    return m, problems


def _narrative_mentions(m: pd.DataFrame) -> list[Problem]:
    """A due measure whose progress narrative mentions "not yet due" in passing is flagged, never made not due."""
    if "progress_mention" not in m.columns:
        return []
    problems = []
    for i in np.flatnonzero(((m["progress_mention"] != "") & m["due"]).to_numpy(dtype=bool)):
        row = m.iloc[i]
        m.at[m.index[i], "flags"] = [*row["flags"], "not-due-in-narrative"]
        cell = a1(int(row["row"]) - 1, int(row["c_progress"])) if row["c_progress"] >= 0 else ""
        problems.append(Problem("not-due-in-narrative", row["source_file"], row["sheet"], cell, int(row["row"]),
                                value=row["progress_mention"]))
    return problems


def parse_override(text: str, method: Methodology) -> Override | None:
    """A level typed in the review file: "70", "70%", a level label, "ХБ" or "Үнэлээгүй"."""
    raw = text.strip()
    if not raw:
        return None
    key = header_key(raw)
    for lv in method.levels:
        if key == header_key(lv.label):
            return Override(lv.value, None)
    if key in (header_key(method.not_due_label), header_key(method.not_due_short)):
        return Override(None, "not_due")
    if key == header_key(method.not_evaluated_label):
        return Override(None, "not_evaluated")
    match = re.fullmatch(r"(\d{1,3}(?:[.,]\d+)?)\s*%?", raw)
    if match:
        value = float(match.group(1).replace(",", "."))
        if value in {lv.value for lv in method.levels}:
            return Override(value, None)
    return None
