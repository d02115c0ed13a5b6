"""Submissions, history and completeness over three periods, from real template files (issue 5)."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import sqlite3
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from filelock import FileLock

from pipeline.cli import cli
from tests.conftest import MAPPINGS
from tests.helpers import template_rows, write_xlsx

ZUH = "Захиргаа, удирдлагын хэлтэс"
STS = "Санхүү, төрийн сангийн хэлтэс"


def report_file(folder: Path, name: str, department: str, month: int, done: int, of: int, saved: dt.datetime) -> Path:
    """A filled template whose measures are `done` of `of` fully implemented, the rest not implemented."""
    measures = [
        [f"1.{i}", f"Арга хэмжээ {i}", None, None, "Хэрэгжилт - 100%", "I-IV улирал", None, None,
         "Бүрэн хэрэгжсэн" if i <= done else "Хэрэгжээгүй", None, None]
        for i in range(1, of + 1)
    ]
    return write_xlsx(folder / name, template_rows(measures, department=department, month=month), saved=saved)


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [*args, "--mappings", str(MAPPINGS)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def measures_csv(out: Path, period: str) -> list[dict[str, str]]:
    with (out / period / "measures.csv").open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture()
def world(tmp_path: Path, own_workspace: Path) -> dict[str, Path]:
    inbox, out = tmp_path / "input", tmp_path / "output"
    inbox.mkdir()
    return {"input": inbox, "output": out, "tmp": tmp_path, "workspace": own_workspace}


def run(world: dict[str, Path], period: str | None = None) -> tuple[int, str]:
    args = ["run", str(world["input"]), "-o", str(world["output"])]
    return invoke(*args, *(["--period", period] if period else []))


def test_three_periods_with_resubmission_duplicate_late_and_missing(world: dict[str, Path]) -> None:
    inbox, out = world["input"], world["output"]
    # August: both on time.
    report_file(inbox, "ЗУХ 8 сар.xlsx", ZUH, 8, 4, 4, dt.datetime(2026, 9, 3, 9))
    report_file(inbox, "СТСХ 8 сар.xlsx", STS, 8, 2, 4, dt.datetime(2026, 9, 4, 9))
    assert run(world)[0] == 0
    # September: Финанс is four days late.
    report_file(inbox, "ЗУХ 9 сар.xlsx", ZUH, 9, 3, 4, dt.datetime(2026, 10, 2, 9))
    report_file(inbox, "СТСХ 9 сар.xlsx", STS, 9, 3, 4, dt.datetime(2026, 10, 9, 9))
    assert run(world)[0] == 0
    # October: ЗУХ resubmits; a duplicate of the first copy arrives under another name.
    first = report_file(inbox, "ЗУХ 10 сар.xlsx", ZUH, 10, 2, 4, dt.datetime(2026, 11, 2, 9))
    shutil.copy(first, inbox / "ЗУХ 10 сар (хуулбар).xlsx")
    report_file(inbox, "ЗУХ 10 сар засвар.xlsx", ZUH, 10, 4, 4, dt.datetime(2026, 11, 4, 16))
    report_file(inbox, "СТСХ 10 сар.xlsx", STS, 10, 1, 4, dt.datetime(2026, 11, 5, 23))
    code, output = run(world)
    assert code == 0, output
    assert "2026-10" in output

    rows = measures_csv(out, "2026-10")
    assert {r["source_file"] for r in rows} == {"ЗУХ 10 сар засвар.xlsx", "СТСХ 10 сар.xlsx"}

    # The store: each distinct file once; the duplicate is one submission.
    db = sqlite3.connect(world["workspace"] / "negtgel.db")
    # Of two identical files the first found is the submission; the other is reported as its duplicate.
    names = {r[0] for r in db.execute("SELECT original_name FROM submissions WHERE period = '2026-10'")}
    copy = (names & {"ЗУХ 10 сар.xlsx", "ЗУХ 10 сар (хуулбар).xlsx"}).pop()
    assert names == {copy, "ЗУХ 10 сар засвар.xlsx", "СТСХ 10 сар.xlsx"}
    assert db.execute("SELECT COUNT(*) FROM submissions").fetchone()[0] == 7
    archived = sorted(p.name for p in (world["workspace"] / "archive" / "2026-10").rglob("*.xlsx"))
    assert archived == sorted([copy, "ЗУХ 10 сар засвар.xlsx", "СТСХ 10 сар.xlsx"])

    # The consolidated workbook lists the superseded file and the duplicate.
    book = openpyxl.load_workbook(out / "2026-10" / "negtgel_2026-10.xlsx", read_only=True)
    states = {row[0]: row[3] for row in book["Ирүүлсэн файлууд"].iter_rows(min_row=2, values_only=True)}
    assert states[copy] == "Шинэ тайлангаар солигдсон"
    assert states["ЗУХ 10 сар засвар.xlsx"] == "Нэгтгэсэн"
    problems = [row[3] for row in book["Асуудлууд"].iter_rows(min_row=2, values_only=True)]
    assert "file-duplicate" in problems and "submission-superseded" in problems

    # Status: on time, late by days, missing with the official to call.
    code, output = invoke("status", "--period", "2026-09")
    assert code == 0
    assert "СТСХ 9 сар.xlsx" in output and "4 хоног хоцорч ирүүлсэн" in output
    assert "✗ Онцгой байдлын газар — Л.Ганзориг, хурандаа, 9911-2210" in output
    assert "Ирүүлсэн: 2 / 10\nReported: 2 / 10" in output

    # Trends: three periods in the summary's history, and the change against September.
    summary = openpyxl.load_workbook(out / "2026-10" / "summary_2026-10.xlsx")
    assert summary is not None
    db_results = db.execute("SELECT period, department, pct FROM results WHERE department = ? ORDER BY period", (ZUH,)).fetchall()
    assert db_results == [("2026-08", ZUH, 100.0), ("2026-09", ZUH, 75.0), ("2026-10", ZUH, 100.0)]

    # Re-running a past period rebuilds the same figures from the archive.
    before = (out / "2026-09" / "measures.csv").read_bytes()
    assert run(world, "2026-09")[0] == 0
    assert (out / "2026-09" / "measures.csv").read_bytes() == before


def test_pin_close_late_arrival_and_reopen(world: dict[str, Path]) -> None:
    inbox, out = world["input"], world["output"]
    report_file(inbox, "ЗУХ 10 сар.xlsx", ZUH, 10, 2, 4, dt.datetime(2026, 11, 2, 9))
    report_file(inbox, "ЗУХ 10 сар засвар.xlsx", ZUH, 10, 4, 4, dt.datetime(2026, 11, 3, 9))
    assert run(world)[0] == 0
    assert "100.0 %" in run(world)[1]

    code, output = invoke("pin", "--period", "2026-10", "--submission", "ЗУХ 10 сар.xlsx", "--reason", "засвар буруу")
    assert code == 0, output
    assert "50.0 %" in run(world)[1]
    assert invoke("unpin", "--period", "2026-10", "--department", "ЗУХ")[0] == 0

    code, output = invoke("close", "--period", "2026-10", "--reason", "Удирдлагад танилцуулсан", "-o", str(out))
    assert code == 0, output
    run(world)
    frozen = (out / "2026-10" / "measures.csv").read_bytes()

    # A corrected file after closing is archived and listed, the figures stay.
    report_file(inbox, "ЗУХ 10 сар хоцорсон.xlsx", ZUH, 10, 0, 4, dt.datetime(2026, 11, 20, 9))
    code, output = run(world)
    assert "100.0 %" in output
    assert (out / "2026-10" / "measures.csv").read_bytes() == frozen
    assert any(p.name == "ЗУХ 10 сар хоцорсон.xlsx" for p in (world["workspace"] / "archive").rglob("*.xlsx"))
    with (out / "2026-10" / "problems.csv").open(encoding="utf-8-sig") as handle:
        assert "arrived-after-closing" in handle.read()
    assert "хаагдсан" in invoke("status")[1]

    assert invoke("reopen", "--period", "2026-10", "--reason", "Засвар")[0] == 0
    assert "0.0 %" in run(world)[1]


def test_identical_inputs_give_byte_identical_measures_csv(world: dict[str, Path]) -> None:
    report_file(world["input"], "ЗУХ.xlsx", ZUH, 10, 3, 5, dt.datetime(2026, 11, 2, 9))
    run(world)
    first = (world["output"] / "2026-10" / "measures.csv").read_bytes()
    run(world)
    assert (world["output"] / "2026-10" / "measures.csv").read_bytes() == first


def test_a_second_run_on_a_busy_store_stops_with_a_clear_message(world: dict[str, Path], monkeypatch) -> None:
    report_file(world["input"], "ЗУХ.xlsx", ZUH, 10, 3, 5, dt.datetime(2026, 11, 2, 9))
    monkeypatch.setenv("NEGTGEL_LOCK_TIMEOUT", "0.2")
    with FileLock(str(world["workspace"] / "negtgel.db") + ".lock"):
        code, output = run(world)
    assert code == 1
    assert "Өөр нэгтгэл" in output and "Another run is using the store" in output
    assert not (world["output"] / "2026-10").exists()


def test_a_file_that_names_no_period_joins_the_period_being_consolidated(world: dict[str, Path]) -> None:
    inbox, out = world["input"], world["output"]
    report_file(inbox, "ЗУХ 10 сар.xlsx", ZUH, 10, 3, 4, dt.datetime(2026, 11, 2, 9))
    (inbox / "тайлан.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    nameless = report_file(inbox, "тайлан2.xlsx", STS, 10, 4, 4, dt.datetime(2026, 12, 20, 9))
    # No month cell and no period in the name: a template whose month cell was left empty.
    write_xlsx(nameless, template_rows([["1.1", "Ажил", None, None, "Хэрэгжилт - 100%", "I-IV улирал", None, None,
                                         "Бүрэн хэрэгжсэн", None, None]], department=STS, month=None),
               saved=dt.datetime(2026, 12, 20, 9))
    code, _ = run(world)
    assert code == 1
    with (out / "2026-10" / "problems.csv").open(encoding="utf-8-sig") as handle:
        found = {(r["file"], r["code"]) for r in csv.DictReader(handle)}
    assert {("тайлан.xlsx", "file-unreadable"), ("тайлан.xlsx", "period-missing"), ("тайлан2.xlsx", "period-missing")} <= found
    assert {r["source_file"] for r in measures_csv(out, "2026-10")} == {"ЗУХ 10 сар.xlsx", "тайлан2.xlsx"}
