"""The review and the trend on the pure core: in-memory inputs (real template reads, review records as the
edge reads them, the store's rows as gathered) through `build.period_report`, no run and no store.

The end-to-end runs that prove the wiring (the workbook read back when edited, kept in the store, written
again; closing and reopening through the CLI) stay in tests/test_review.py and tests/test_history.py."""

from __future__ import annotations

from pathlib import Path

from pipeline import build
from pipeline.config import Config
from pipeline.model import StoredOverride
from pipeline.score import measure_key
from pipeline.store_codec import snapshot_from_json
from tests.helpers import template_rows
from tests.pure import SANKHUU, ZUH, closed, inputs, measures, review, submission, template_read

TEXTS = ["Цахим үйлчилгээг нэвтрүүлнэ.", "Сургалт зохион байгуулна.", "Журмыг шинэчилнэ."]
SNAPSHOT_V1 = Path(__file__).parent / "data" / "snapshot_v1.json"


def keys(numbering: tuple[str, str, str] = ("1.1", "1.2", "1.3"), department: str = ZUH) -> list[str]:
    return [measure_key(department, no, text) for no, text in zip(numbering, TEXTS, strict=True)]


def invalid(report: build.Report) -> list[tuple[str, str, str]]:
    return sorted((p.sheet, p.cell, p.value) for p in report.problems if p.code == "review-level-invalid")


def test_an_invalid_level_is_kept_reported_at_its_cell_and_follows_its_measure(tmp_path: Path, config: Config) -> None:
    first = (submission(1, "ЗУХ.xlsx"), template_read(tmp_path, "ЗУХ.xlsx", config))
    k1, k2, k3 = keys()
    typed = review([(k1, "бүрэн", ""), (k2, "100", ""), (k3, "85", "шалгах")])

    edited = build.period_report(inputs([first], review=typed), config)
    assert edited.overall.pct == 66.7  # (0 + 100 + 100) / 3: only the valid 100 applies
    assert invalid(edited) == [("Нэгтгэл", "Q2", "бүрэн"), ("Нэгтгэл", "Q4", "85")]  # Q: the review level column
    assert (edited.overrides.read, edited.overrides.rows[k3].level, edited.overrides.rows[k3].comment) == (3, "85", "шалгах")

    # The next run has them from the store (what the repository kept): the same, and nothing read.
    stored = edited.overrides.as_rows()
    again = build.period_report(inputs([first], stored_overrides=stored), config)
    assert (again.overall.pct, invalid(again), again.overrides.read) == (66.7, invalid(edited), None)

    # A resubmission renumbers the measures 2.1-2.3: each value follows its measure, and its cell.
    renumbered = template_read(tmp_path, "ЗУХ v2.xlsx", config, template_rows(measures(("2.1", "2.2", "2.3")), department=ZUH))
    second = (submission(2, "ЗУХ v2.xlsx", received_at="2026-11-03T09:00:00+08:00"), renumbered)
    moved = build.period_report(inputs([first, second], stored_overrides=stored), config)
    n1, n2, n3 = keys(("2.1", "2.2", "2.3"))
    assert set(moved.overrides.rows) == {n1, n2, n3} and moved.unmatched_overrides == []
    assert invalid(moved) == [("Нэгтгэл", "Q2", "бүрэн"), ("Нэгтгэл", "Q4", "85")]

    # Fixed in the workbook: applied, and no longer reported.
    fixed = review([(n1, "Бүрэн хэрэгжсэн", ""), (n2, "100", ""), (n3, "30", "шалгах")])
    done = build.period_report(inputs([first, second], stored_overrides=moved.overrides.as_rows(), review=fixed), config)
    assert (done.overall.pct, invalid(done)) == (76.7, [])  # (100 + 100 + 30) / 3
    levels = done.measures.set_index("measure_key")
    assert [(levels.loc[k, "level"], levels.loc[k, "basis"]) for k in (n1, n3)] == [(100.0, "evaluator"), (30.0, "evaluator")]


def test_an_override_whose_measure_is_gone_is_kept_unmatched(tmp_path: Path, config: Config) -> None:
    fewer = template_read(tmp_path, "ЗУХ v2.xlsx", config, template_rows(measures()[:2], department=ZUH))
    k3 = keys()[2]
    stored = [(ZUH, k3, "1.3", "Журмыг шинэчилнэ.", "70", "шалгасан")]
    report = build.period_report(inputs([(submission(1, "ЗУХ v2.xlsx"), fewer)], stored_overrides=stored), config)
    assert report.overall.pct == 85.0  # (100 + 70) / 2: the override applies to nothing
    assert report.unmatched_overrides == [StoredOverride(ZUH, k3, "1.3", "Журмыг шинэчилнэ.", "70", "шалгасан")]
    assert [(p.file, p.sheet, p.value) for p in report.problems if p.code == "review-row-unmatched"] == [
        ("negtgel_2026-10.xlsx", "Тохироогүй", "Журмыг шинэчилнэ.")]
    assert list(report.overrides.rows) == [k3]  # kept, never dropped


def test_a_resubmission_that_edits_a_measure_text_keeps_its_override_by_number(tmp_path: Path, config: Config) -> None:
    edited = measures()
    edited[1][1] = "Сургалтыг зохион байгуулна."  # the wording changed, the number did not
    read = template_read(tmp_path, "ЗУХ.xlsx", config, template_rows(edited, department=ZUH))
    k2 = keys()[1]
    stored = [(ZUH, k2, "1.2", "Сургалт зохион байгуулна.", "Бүрэн хэрэгжсэн", "")]
    report = build.period_report(inputs([(submission(1, "ЗУХ.xlsx"), read)], stored_overrides=stored), config)
    new_key = measure_key(ZUH, "1.2", "Сургалтыг зохион байгуулна.")
    assert list(report.overrides.rows) == [new_key] and report.unmatched_overrides == []
    assert report.overall.pct == 66.7  # (100 + 100 + 0) / 3


def test_a_closed_period_refuses_each_edited_review_cell_and_keeps_its_overrides(config: Config) -> None:
    frozen = snapshot_from_json(SNAPSHOT_V1.read_text(encoding="utf-8"))  # ЗУХ 1.2 overruled to "Бүрэн хэрэгжсэн"
    k1, k2, k3 = keys()
    edits = review([(k1, "0", "шинэ"), (k2, "Бүрэн хэрэгжсэн", "өөр тайлбар"), (k3, "", "")])
    subs = [submission(1, "ЗУХ.xlsx"), submission(2, "СТСХ.xlsx", SANKHUU)]
    report = build.period_report(closed(frozen, subs, review=edits), config)
    refused = [(p.code, p.sheet, p.cell, p.value, p.detail) for p in report.problems if p.code == "review-period-closed"]
    assert refused == [("review-period-closed", "Нэгтгэл", "Q2", "0", "2026-10"),  # a new level
                       ("review-period-closed", "Нэгтгэл", "R3", "өөр тайлбар", "2026-10")]  # a changed comment
    assert report.overall.pct == 50.0 and report.overrides.read == 0
    assert {k: (o.level, o.comment) for k, o in report.overrides.rows.items()} == {k2: ("Бүрэн хэрэгжсэн", "Нотлох баримттай")}

    cleared = review([(k2, "", "")])
    gone = build.period_report(closed(frozen, subs, review=cleared), config)
    assert [(p.cell, p.value) for p in gone.problems if p.code == "review-period-closed"] == [("Q2", "—")]


def test_a_period_closed_before_overrides_were_frozen_has_them_from_the_store(config: Config) -> None:
    frozen = snapshot_from_json(SNAPSHOT_V1.read_text(encoding="utf-8"))
    del frozen["overrides"]  # as an earlier version froze it
    k2 = keys()[1]
    stored = [(ZUH, k2, "1.2", "Сургалт зохион байгуулна.", "Бүрэн хэрэгжсэн", "Нотлох баримттай")]
    report = build.period_report(closed(frozen, [submission(1, "ЗУХ.xlsx")], stored_overrides=stored), config)
    assert report.overrides.rows == {k2: StoredOverride(*stored[0])}
    assert report.overall.pct == 50.0  # the figures stay as frozen


def test_edits_in_the_workbook_that_is_not_read_back_are_listed_not_applied(tmp_path: Path, config: Config) -> None:
    first = (submission(1, "ЗУХ.xlsx"), template_read(tmp_path, "ЗУХ.xlsx", config))
    english = review([(keys()[2], "100", "")], name="negtgel_2026-10.en.xlsx", lang="en", sheet="All measures")
    report = build.period_report(inputs([first], other_reviews=[english]), config)
    assert report.overall.pct == 56.7  # (100 + 70 + 0) / 3: not applied
    assert [(p.code, p.file, p.sheet, p.cell, p.value, p.detail) for p in report.problems if p.code.startswith("review-")] == [
        ("review-other-workbook", "negtgel_2026-10.en.xlsx", "All measures", "Q2", "100", "negtgel_2026-10.xlsx")]


def test_a_broken_resubmission_does_not_push_out_a_good_report(tmp_path: Path, config: Config) -> None:
    good = template_read(tmp_path, "ЗУХ 10 сар.xlsx", config)
    (tmp_path / "broken.xlsx").write_bytes((tmp_path / "ЗУХ 10 сар.xlsx").read_bytes()[:3000])  # a truncated download
    from pipeline.read.workbook import read_file

    broken = read_file(tmp_path / "broken.xlsx", config, name="ЗУХ 10 сар засвар.xlsx")
    assert not broken.readable
    files = [(submission(1, "ЗУХ 10 сар.xlsx"), good),
             (submission(2, "ЗУХ 10 сар засвар.xlsx", received_at="2026-11-03T09:00:00+08:00", readable=0), broken)]
    report = build.period_report(inputs(files), config)
    assert report.overall.pct == 56.7
    assert set(report.measures["source_file"]) == {"ЗУХ 10 сар.xlsx"}
    assert list(report.submissions["state"]) == ["consolidated", "unreadable"]
    assert ("ЗУХ 10 сар засвар.xlsx", "file-unreadable") in {(p.file, p.code) for p in report.problems}


def test_the_trend_is_the_last_twelve_periods_with_this_one_as_built(tmp_path: Path, config: Config) -> None:
    first = (submission(1, "ЗУХ.xlsx"), template_read(tmp_path, "ЗУХ.xlsx", config))
    earlier = [f"{2025 + (m > 12)}-{(m - 1) % 12 + 1:02d}" for m in range(10, 22)]  # 2025-10 … 2026-09
    kept = [(p, ZUH, float(i)) for i, p in enumerate(earlier)] + [("2026-10", ZUH, 1.0)]  # this period's stale figure
    period_inputs = inputs([first], history=kept, history_periods=[*earlier, "2026-10"])
    report = build.period_report(period_inputs, config)
    assert sorted(set(report.history["period"])) == [*earlier[1:], "2026-10"]  # twelve: 2025-10 drops out
    assert list(report.history[report.history["period"] == "2026-10"]["pct"]) == [56.7, 56.7]  # overall, ЗУХ: as built
    assert (report.previous_period, report.departments.set_index("department").loc[ZUH, "previous_pct"]) == ("2026-09", 11.0)
    assert report.overall_previous is None  # September kept no overall figure

    frozen = snapshot_from_json(SNAPSHOT_V1.read_text(encoding="utf-8"))
    closed_report = build.period_report(closed(frozen, [submission(1, "ЗУХ.xlsx")], history=kept,
                                               history_periods=[*earlier, "2026-10"]), config)
    # A closed period's own figures are the ones kept when it closed, never rebuilt.
    assert list(closed_report.history[closed_report.history["period"] == "2026-10"]["pct"]) == [1.0]
