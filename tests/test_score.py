"""The scoring rules, each with exact numbers (docs/methodology.md §6–§8 and the scoring issue)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pandas as pd
import pytest

from pipeline.rollup import overall, rollup, round_half_up
from pipeline.score import Override, compute_achievement, parse_override, period_quarter, score_measures


def measure(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "department": "Д", "source_file": "f.xlsx", "sheet": "S", "row": 8, "goal": "", "measure_no": "1.1",
        "measure": "Арга хэмжээ", "measure_key": "", "target_kind": "count", "target_op": ">=", "target_value": None,
        "quarters": "1,2,3,4", "q_first": 1, "q_last": 4, "q_count": 4, "tf_status": None, "tf_confidence": "exact", "actual_value": None,
        "actual_is_pct": False, "actual_status": "", "self_value": None, "self_status": "", "self_text": "",
        "eval_value": None, "eval_status": "", "eval_text": "", "c_evaluation": -1, "c_self_pct": -1, "c_actual": 8,
        "flags": [],
    }
    base.update(fields)
    if not base["measure_key"]:
        base["measure_key"] = f"{base['department']}|{base['measure_no']}|{base['measure']}"
    return base


def frame(*rows: dict[str, Any]) -> pd.DataFrame:
    df = pd.DataFrame(list(rows))
    for column in ("target_value", "actual_value", "self_value", "eval_value"):
        df[column] = df[column].astype("Float64")
    for column in ("q_first", "q_last"):
        df[column] = df[column].astype("Int64")
    return df


def score(rows: list[dict[str, Any]], period: str = "2026-10", overrides=None, config=None):
    from pipeline.config import load_config
    from tests.conftest import MAPPINGS

    method = (config or load_config(MAPPINGS)).methodology
    scored, problems = score_measures(frame(*rows), period, method, overrides)
    return scored, problems, method


def test_period_quarter() -> None:
    assert [period_quarter(f"2026-{m:02d}") for m in range(1, 13)] == [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]


@pytest.mark.parametrize(
    ("kind", "op", "target", "actual", "is_pct", "quarters", "period_q", "expected"),
    [
        ("percent", ">=", 95, 90, True, "1,2,3,4", 4, 90 / 95 * 100),
        ("percent", ">=", 95, 99, True, "1,2,3,4", 4, 100.0),
        ("count", ">=", 3, 2, False, "1,2,3,4", 4, 200 / 3),
        # Four times over I-IV is two for any period in April-June.
        ("count", ">=", 4, 2, False, "1,2,3,4", 2, 100.0),
        ("count", ">=", 4, 1, False, "1,2,3,4", 2, 50.0),
        # Over II-IV, in Q2 one quarter of three has elapsed.
        ("count", ">=", 3, 1, False, "2,3,4", 2, 100.0),
        # Closed window: the whole target.
        ("count", ">=", 4, 2, False, "1,2", 4, 50.0),
        # Percent targets are never pro-rated.
        ("percent", ">=", 100, 50, True, "1,2,3,4", 2, 50.0),
        ("count", "<=", 5, 4, False, "1,2,3,4", 4, 100.0),
        ("count", "<=", 5, 10, False, "1,2,3,4", 4, 50.0),
        ("count", "<=", 0, 2, False, "1,2,3,4", 4, 0.0),
        ("count", "<=", 0, 0, False, "1,2,3,4", 4, 100.0),
        ("binary", "done", None, 1, False, "1,2,3,4", 4, 100.0),
        ("binary", "done", None, 0, False, "1,2,3,4", 4, 0.0),
        ("binary", "done", None, 80, True, "1,2,3,4", 4, 80.0),
        ("count", ">=", 0, 0, False, "1,2,3,4", 4, 100.0),
        # "Three times" reported as 100 % done.
        ("count", ">=", 3, 100, True, "1,2,3,4", 4, 100.0),
        # Extreme values (found by the fuzz): no overflow warning escapes, the result stays in 0-100.
        ("count", "<=", 1e300, 1e-300, False, "1,2,3,4", 4, 100.0),
        ("count", ">=", 1e-300, 1e300, False, "1,2,3,4", 4, 100.0),
    ],
)
@pytest.mark.filterwarnings("error")
def test_compute_achievement(kind, op, target, actual, is_pct, quarters, period_q, expected) -> None:
    qs = [int(q) for q in quarters.split(",")]
    df = frame(measure(target_kind=kind, target_op=op, target_value=target, actual_value=actual, actual_is_pct=is_pct,
                       quarters=quarters, q_first=qs[0], q_last=qs[-1], q_count=len(qs)))
    assert compute_achievement(df, period_q, pro_rate=True).iloc[0] == pytest.approx(expected)


def test_text_target_or_missing_value_cannot_be_computed() -> None:
    df = frame(measure(target_kind="text", target_op="", actual_value=3), measure(target_value=3, actual_value=None))
    assert compute_achievement(df, 4, pro_rate=True).isna().tolist() == [True, True]


def test_thresholds_apply_to_the_unrounded_achievement(config) -> None:
    # 69.995 % rounds to 70.00 for display but stays below the 70 threshold.
    scored, _, _ = score([measure(target_kind="percent", target_value=100, actual_value=69.995, actual_is_pct=True)])
    assert scored.loc[0, "achievement"] == 70.0
    assert scored.loc[0, "level"] == 30
    assert scored.loc[0, "status"] == "insufficient"


def test_basis_priority_evaluator_status_word_computed_self_assessed_unscored(config) -> None:
    rows = [
        measure(measure_no="1", eval_value=30, actual_status="done", target_value=1, actual_value=1),
        measure(measure_no="2", actual_status="in_progress", target_value=1, actual_value=1),
        measure(measure_no="3", target_value=4, actual_value=3),
        measure(measure_no="4", self_value=70, self_text="70"),
        measure(measure_no="5", self_value=85, self_text="85"),
        measure(measure_no="6"),
    ]
    scored, problems, _ = score(rows)
    assert scored["basis"].tolist() == ["evaluator", "status_word", "computed", "self_assessed", "self_assessed", ""]
    assert scored["level"].tolist()[:5] == [30, 70, 70, 70, 70]
    assert scored["achievement"].isna().tolist() == [True, True, False, True, True, True]
    assert scored.loc[2, "achievement"] == 75.0
    assert scored["status"].tolist() == ["insufficient", "in_progress", "in_progress", "in_progress", "in_progress", "unscored"]
    assert [p.code for p in problems] == ["self-assessed", "self-assessed", "unscored"]
    assert scored.loc[5, "flags"] == ["unscored"]


def test_due_from_timeframe_and_not_due_words(config) -> None:
    rows = [
        measure(measure_no="1", quarters="4", q_first=4, q_last=4, q_count=1, actual_status="done"),
        measure(measure_no="2", quarters="3,4", q_first=3, q_last=4, q_count=2, actual_status="done"),
        measure(measure_no="3", actual_status="not_due"),
        measure(measure_no="4", tf_status="not_due", actual_status="done"),
        measure(measure_no="5", quarters="", q_first=None, q_last=None, q_count=0, actual_status="done", tf_confidence="invalid"),
        measure(measure_no="6", quarters="", q_first=None, q_last=None, q_count=0, eval_value=70, tf_confidence="invalid"),
    ]
    scored, _, _ = score(rows, period="2026-07")
    # An unreadable timeframe ("I-V улирал") counts as due but stays unscored, unless an evaluator scored it.
    assert scored["due"].tolist() == [False, True, False, False, True, True]
    assert scored["status"].tolist() == ["not_due", "done", "not_due", "not_due", "unscored", "in_progress"]
    assert scored["level"].isna().tolist() == [True, False, True, True, True, False]


def test_evaluation_that_is_not_a_level_is_an_error(config) -> None:
    scored, problems, _ = score([measure(eval_value=65, eval_text="65", c_evaluation=11, target_value=2, actual_value=2)])
    assert scored.loc[0, "basis"] == "computed"
    (problem,) = [p for p in problems if p.code == "evaluation-invalid"]
    assert (problem.cell, problem.severity) == ("L8", "error")
    assert "100, 70, 30, 0" in problem.message("mn")


def test_review_override_wins_and_can_make_a_measure_not_due(config) -> None:
    rows = [measure(measure_no="1", target_value=4, actual_value=4), measure(measure_no="2", target_value=4, actual_value=4)]
    overrides = {"Д|1|Арга хэмжээ": Override(30, None, "нотолгоогүй"), "Д|2|Арга хэмжээ": Override(None, "not_due")}
    scored, _, _ = score(rows, overrides=overrides)
    assert scored["level"].tolist()[0] == 30
    assert scored["basis"].tolist() == ["evaluator", ""]
    assert scored["status"].tolist() == ["insufficient", "not_due"]


def test_parse_override_accepts_levels_labels_and_words(config) -> None:
    method = config.methodology
    assert parse_override("70", method) == Override(70, None)
    assert parse_override("Бүрэн хэрэгжсэн", method) == Override(100, None)
    assert parse_override("хб", method) == Override(None, "not_due")
    assert parse_override("Үнэлээгүй", method) == Override(None, "not_evaluated")
    assert parse_override("65", method) is None
    assert parse_override("", method) is None


def test_rollup_department_figures_rank_and_shares(config) -> None:
    method = config.methodology
    rows = []
    for dept, statuses in {"А": ["done"] * 3 + ["not_due"], "Б": ["done", "not_done"], "В": ["done", "insufficient", "in_progress"]}.items():
        for i, status in enumerate(statuses):
            rows.append({"department": dept, "goal": "G", "measure": f"m{i}", "status": status,
                         "due": status != "not_due", "level": {"done": 100, "in_progress": 70, "insufficient": 30, "not_done": 0}.get(status)})
    scored = pd.DataFrame(rows).astype({"level": "Float64"})
    table = rollup(scored, method, ["department"]).set_index("department")
    assert table["pct"].to_dict() == {"А": 100.0, "Б": 50.0, "В": 66.7}
    assert table["rank"].tolist() == [1, 3, 2]
    assert table["rating"].tolist() == ["Маш сайн", "Хангалтгүй", "Сайжруулах шаардлагатай"]
    assert table["points"].tolist() == [5.0, 2.5, 3.34]  # from the published 66.7 %, as leadership reads it
    assert table.loc["А", "share_done"] == 0.75
    assert table.loc["А", "measures"] == 4 and table.loc["А", "due"] == 3
    assert overall(scored, method).pct == 600 / 8 == 75.0  # the mean of all 8 scored levels, not of department means


def test_ties_share_a_rank_and_bands_use_the_published_figure(config) -> None:
    method = config.methodology
    scored = pd.DataFrame(
        [{"department": d, "goal": "", "measure": "m", "status": "done", "due": True, "level": lv}
         for d, lv in (("А", 90.0), ("Б", 90.0), ("В", 80.0))]
    ).astype({"level": "Float64"})
    table = rollup(scored, method, ["department"])
    assert table["rank"].tolist() == [1, 1, 3]
    assert table["rating"].tolist() == ["Сайн", "Сайн", "Хангалттай"]  # 90.0 is not above 90


def test_points_of_a_published_figure() -> None:
    assert round_half_up(65.22 / 20, 2) == 3.26
    assert round_half_up(6960 / 78, 1) == 89.2
    assert round_half_up(0.05, 1) == 0.1


def test_finer_methodology_switches_by_file(config) -> None:
    from pipeline.config import load_config
    from tests.conftest import MAPPINGS

    fine = load_config(MAPPINGS, methodology="methodology_fine.yaml")
    scored, _, method = score(
        [measure(target_kind="percent", target_value=100, actual_value=85, actual_is_pct=True)], config=fine
    )
    assert scored.loc[0, "level"] == 80
    assert scored.loc[0, "status"] == "in_progress"
    assert [lv.value for lv in method.levels] == [100, 90, 80, 70, 50, 30, 10, 0]
    assert dataclasses.replace(method.bands[1]).label == "Тодорхой үр дүнд хүрсэн"


def test_lateness_breaks_ties_and_a_penalty_lowers_standing() -> None:
    from pipeline.rollup import standing_rank

    pct = pd.Series([80.0, 80.0, 79.0, float("nan")])
    late = pd.Series([2, 0, 0, None], dtype="Int64")
    assert standing_rank(pct, late, 0.0).tolist() == [2, 1, 3, pd.NA]
    # One point per day late: 80 - 2 = 78 falls below the on-time 79.
    assert standing_rank(pct, late, 1.0).tolist() == [3, 1, 2, pd.NA]
    assert standing_rank(pd.Series([70.0, 70.0]), pd.Series([1, 1]), 0.0).tolist() == [1, 1]
