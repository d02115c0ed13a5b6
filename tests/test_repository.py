"""The edge of a period on a real workspace: `Repository.gather` reads everything before, `commit` writes after.

One real run sets the workspace up (intake, archive, store, outputs); the tests then gather, build and commit
by hand and look at what the store and the archive hold."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from pipeline import build
from pipeline.archive import ArchiveError
from pipeline.config import Config
from pipeline.periods import close
from pipeline.read.table import PackedTable
from pipeline.repository import Repository
from pipeline.run import run_consolidation, store_location
from pipeline.score import measure_key
from pipeline.store import open_store
from pipeline.workspace import Workspace
from tests.conftest import MAPPINGS
from tests.helpers import template_rows, write_xlsx
from tests.pure import ZUH, measures


@pytest.fixture()
def consolidated(tmp_path: Path, own_workspace: Path, config: Config) -> tuple[Workspace, Path]:
    """A workspace whose 2026-10 was run once from one department's report (100, 70, 0)."""
    workspace = Workspace.at(own_workspace, MAPPINGS)
    inbox = tmp_path / "input"
    inbox.mkdir()
    write_xlsx(inbox / "ЗУХ.xlsx", template_rows(measures(), department=ZUH), saved=dt.datetime(2026, 11, 2, 9))
    result = run_consolidation(workspace, config, input_dir=inbox, output_dir=tmp_path / "output")
    assert result.summary.overall_pct == 56.7
    return workspace, tmp_path / "output" / "2026-10"


def test_gather_reads_the_period_and_commit_keeps_what_the_report_says(consolidated: tuple[Workspace, Path],
                                                                       config: Config) -> None:
    workspace, period_dir = consolidated
    with open_store(store_location(config, workspace)) as store:
        repository = Repository(store, config, workspace)
        inputs = repository.gather("2026-10", period_dir)
        assert [s.original_name for s in inputs.submissions] == ["ЗУХ.xlsx"]
        assert list(inputs.reads) == [inputs.submissions[0].id]
        tables = inputs.reads[inputs.submissions[0].id].tables
        assert sum(t.rows for t in tables) == 3
        # Issue 19: gathered packed, one list a field, no dict a measure kept.
        assert all(isinstance(t, PackedTable) and t.measures == [] for t in tables)
        assert isinstance(tables[0], PackedTable)
        assert [len(tables[0].columns[name]) for name in ("row", "measure", "target_raw", "actual_pct_fmt")] == [3, 3, 3, 3]
        assert (inputs.review, inputs.other_reviews, inputs.review_name) == (None, [], "negtgel_2026-10.xlsx")
        assert (inputs.history_periods, sorted(inputs.history)) == (["2026-10"], [("2026-10", "", 56.7), ("2026-10", ZUH, 56.7)])
        assert (inputs.closing, inputs.plans, inputs.stored_overrides) == (None, {}, [])

        # The specialist types a level into the review workbook: the next gather reads it, commit keeps it.
        book = openpyxl.load_workbook(period_dir / "negtgel_2026-10.xlsx")
        sheet = book["Нэгтгэл"]
        titles = [c.value for c in sheet[1]]
        for row in sheet.iter_rows(min_row=2):
            if row[titles.index("Хэрэгжүүлэх арга хэмжээ")].value == "Журмыг шинэчилнэ.":
                row[titles.index("Хянагчийн түвшин")].value = "30"
        book.save(period_dir / "negtgel_2026-10.xlsx")
        inputs = repository.gather("2026-10", period_dir)
        assert inputs.review is not None and inputs.review.records is not None
        key = measure_key(ZUH, "1.3", "Журмыг шинэчилнэ.")
        assert [(r["measure_key"], r["override"], r["_cell"]) for r in inputs.review.records if r["override"]] == [(key, "30", "Q4")]
        assert inputs.stored_overrides == []  # nothing written yet

        report = build.period_report(inputs, config)
        assert report.overall.pct == 66.7
        repository.commit(inputs, report)
        assert store.overrides("2026-10") == [(ZUH, key, "1.3", "Журмыг шинэчилнэ.", "30", "")]
        assert sorted(store.results(["2026-10"])) == [("2026-10", "", 66.7), ("2026-10", ZUH, 66.7)]


def test_an_open_period_with_a_missing_archive_copy_is_not_gathered(consolidated: tuple[Workspace, Path], config: Config) -> None:
    workspace, period_dir = consolidated
    (copy,) = (workspace.archive / "2026-10").rglob("*.xlsx")
    copy.unlink()
    with open_store(store_location(config, workspace)) as store, pytest.raises(ArchiveError):
        Repository(store, config, workspace).gather("2026-10", period_dir)


def test_a_closed_period_is_gathered_from_its_snapshot_and_commit_writes_nothing(
        consolidated: tuple[Workspace, Path], config: Config) -> None:
    workspace, period_dir = consolidated
    close(config, workspace, period_dir.parent, None, "2026-10", "Удирдлагад танилцуулсан")
    (copy,) = (workspace.archive / "2026-10").rglob("*.xlsx")
    copy.unlink()  # a closed period never reads its files again
    with open_store(store_location(config, workspace)) as store:
        repository = Repository(store, config, workspace)
        inputs = repository.gather("2026-10", period_dir)
        assert inputs.closing is not None and inputs.closing.reason == "Удирдлагад танилцуулсан"
        assert inputs.reads == {} and inputs.frozen is not None
        report = build.period_report(inputs, config)
        assert report.overall.pct == 56.7 and report.closing is not None
        store.save_results("2026-10", [("", 1.0, 1, 1, 1)])
        repository.commit(inputs, report)
        assert store.results(["2026-10"]) == [("2026-10", "", 1.0)]  # left as it was
