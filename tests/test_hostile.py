"""Broken, foreign and hostile files: each ends consolidated or listed with a stable code and a Mongolian
message, never dropped silently, never a traceback, never harm to the machine.

Every fixture is built by the test itself (tests/hostile_fixtures.py). Cases that would end the process if a
guard failed (memory bombs) are read in a child process, so a regression fails one test, not the whole run.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.intake import discover
from pipeline.read.package import MAX_SHEET_CELLS, Package, sheet_marks, xml_defences_active
from pipeline.read.workbook import FileRead, read_file
from tests import hostile_fixtures as hf
from tests.conftest import MAPPINGS, ROOT

PYTHON = sys.executable


def codes(read: FileRead) -> list[str]:
    return [p.code for p in read.problems]


def only_problem(read: FileRead, code: str) -> str:
    """The Mongolian message of the one problem with `code`, checked to be the file's error."""
    assert not read.readable
    found = [p for p in read.problems if p.code == code]
    assert found, codes(read)
    assert found[0].severity == "error"
    return found[0].message("mn")


# --- not a workbook: says what it looks like ------------------------------------------------------------

NOT_WORKBOOKS: list[tuple[str, Callable[[Path], Path], str]] = [
    ("empty", hf.empty_file, "0 байт"),
    ("text", hf.plain_text, "текст"),
    ("pdf", hf.renamed_pdf, "PDF"),
    ("docx", hf.renamed_docx, "Word"),
    ("doc", hf.word97_doc, "Word"),
    ("truncated", hf.truncated_xlsx, "дутуу татагдсан"),
    ("zip", hf.zip_not_workbook, "zip архив"),
    ("zip-version", hf.unsupported_zip_version, "гэмтсэн"),  # found by tests/test_fuzz.py: used to raise
]


@pytest.mark.parametrize(("label", "build", "says"), NOT_WORKBOOKS, ids=[c[0] for c in NOT_WORKBOOKS])
def test_a_file_that_is_not_a_workbook_is_unreadable_and_says_what_it_is(
    tmp_path: Path, config, label: str, build: Callable[[Path], Path], says: str
) -> None:
    read = read_file(build(tmp_path / f"{label} 2026-10.xlsx"), config)
    message = only_problem(read, "file-unreadable")
    assert says in message
    assert ".xlsx" in message  # and what to do about it


def test_a_password_protected_workbook_asks_for_a_copy_without_password(tmp_path: Path, config) -> None:
    path = hf.encrypted_xlsx(tmp_path / "нууц.xlsx")
    assert path.read_bytes().startswith(b"\xd0\xcf\x11\xe0")  # really the OLE container Excel writes
    message = only_problem(read_file(path, config), "file-encrypted")
    assert "нууц үг" in message.casefold() and "дахин илгээнэ" in message


# --- other formats ---------------------------------------------------------------------------------------

def test_a_legacy_xls_is_read_with_a_warning(tmp_path: Path, config) -> None:
    read = read_file(hf.legacy_xls(tmp_path / "хуучин.xls"), config)
    assert read.kind == "xls" and read.readable
    assert [m["measure"] for m in read.tables[0].measures] == [m[1] for m in hf.GOOD_MEASURES]
    assert codes(read) == ["file-legacy-format"]
    assert ".xlsx" in read.problems[0].message("mn")


def test_a_damaged_xls_that_makes_the_native_reader_panic_is_a_problem_and_prints_nothing(
    tmp_path: Path, config, capfd: pytest.CaptureFixture[str]
) -> None:
    read = read_file(hf.damaged_xls(tmp_path / "эвдэрсэн.xls"), config)
    assert "file-unreadable" in codes(read)
    captured = capfd.readouterr()
    assert "panicked" not in captured.err and "backtrace" not in captured.err


def test_an_xlsm_is_read_for_its_values_and_its_macros_are_ignored(tmp_path: Path, config) -> None:
    path = hf.xlsm_with_macros(tmp_path / "макро.xlsm")
    read = read_file(path, config)
    assert read.kind == "xlsm" and read.readable and len(read.tables[0].measures) == 2
    assert codes(read) == ["file-macros-ignored"]
    assert read.problems[0].severity == "warning"


def test_an_ods_is_read(tmp_path: Path, config) -> None:
    read = read_file(hf.ods_spreadsheet(tmp_path / "libre.ods"), config)
    assert read.kind == "ods" and read.readable and len(read.tables[0].measures) == 2
    assert codes(read) == []


# --- lock, hidden and system files ----------------------------------------------------------------------

def test_lock_hidden_and_system_files_are_not_taken_for_templates(tmp_path: Path) -> None:
    inbox = tmp_path / "input"
    inbox.mkdir()
    skipped = hf.not_reports(inbox)
    good = hf.good_template(inbox / "ЗУХ 2026-10.xlsx")
    assert discover(inbox) == [good]
    assert all(p.exists() for p in skipped)


# --- sheets ----------------------------------------------------------------------------------------------

def test_a_hidden_plan_sheet_is_skipped_with_a_warning(tmp_path: Path, config) -> None:
    read = read_file(hf.hidden_plan_sheet(tmp_path / "h.xlsx"), config)
    assert [t.sheet for t in read.tables] == ["Төлөвлөгөө"]
    (problem,) = read.problems
    assert (problem.code, problem.sheet) == ("sheet-hidden-skipped", "Хуучин")
    assert "Хуучин" in problem.message("mn")


def test_several_plan_sheets_are_all_consolidated_with_a_warning(tmp_path: Path, config) -> None:
    read = read_file(hf.several_plan_sheets(tmp_path / "s.xlsx"), config)
    assert [t.sheet for t in read.tables] == ["Төлөвлөгөө", "Төлөвлөгөө 2"]
    assert sum(len(t.measures) for t in read.tables) == 3
    assert codes(read) == ["several-plan-sheets"]


def test_a_sheet_of_100000_rows_is_read_in_bounded_time(tmp_path: Path, config) -> None:
    path = hf.many_rows(tmp_path / "том.xlsx", 100_000)
    started = time.perf_counter()
    read = read_file(path, config)
    elapsed = time.perf_counter() - started
    assert sum(len(t.measures) for t in read.tables) == 100_000
    assert "rows-truncated" not in codes(read)
    assert elapsed < 30, elapsed


def test_rows_beyond_the_limit_are_cut_with_a_warning(tmp_path: Path, config) -> None:
    limits = dataclasses.replace(config.settings.limits, max_rows=1_000)
    small = dataclasses.replace(config, settings=dataclasses.replace(config.settings, limits=limits))
    read = read_file(hf.many_rows(tmp_path / "урт.xlsx", 1_500), small)
    assert sum(len(t.measures) for t in read.tables) == 1_000
    problem = next(p for p in read.problems if p.code == "rows-truncated")
    assert problem.sheet == "Төлөвлөгөө" and "1000" in problem.message("mn")


def test_a_very_long_cell_text_is_cut_with_a_warning(tmp_path: Path, config) -> None:
    measures = [["1.1", "Ү" * 25_000, None, None, "100 хувь", "I-IV улирал", None, None, "Бүрэн хэрэгжсэн"]]
    read = read_file(hf.good_template(tmp_path / "урт текст.xlsx", measures=measures), config)
    assert len(read.tables[0].measures[0]["measure"]) <= config.settings.limits.max_cell_chars
    assert "text-truncated" in codes(read)


def test_a_superscript_in_the_number_column_is_read(tmp_path: Path, config) -> None:
    # "²" is a digit to str.isdigit() but not to int(): the whole file used to be "damaged". Found by test_fuzz.py.
    measures = [list(m) for m in hf.GOOD_MEASURES]
    measures[0][0] = "1.1²"
    measures[1][0] = "²"
    read = read_file(hf.good_template(tmp_path / "зэрэг.xlsx", measures=measures), config)
    assert read.readable and len(read.tables[0].measures) == 2


def test_a_formula_without_a_saved_value_names_its_cell(tmp_path: Path, config) -> None:
    read = read_file(hf.formula_without_value(tmp_path / "f.xlsx"), config)
    problem = next(p for p in read.problems if p.code == "formula-no-value")
    assert (problem.sheet, problem.cell, problem.severity) == ("Төлөвлөгөө", "I8", "warning")
    assert "томьёо" in problem.message("mn")


def test_formatted_empty_cells_after_a_formula_do_not_slow_the_scan(tmp_path: Path, config) -> None:
    # The formula scan used to backtrack over every later cell: minutes for this valid 1 MB file.
    path = hf.styled_cells_after_formula(tmp_path / "хүрээтэй.xlsx", 200_000)
    started = time.perf_counter()
    read = read_file(path, config)
    assert time.perf_counter() - started < 10
    assert [p.cell for p in read.problems if p.code == "formula-no-value"] == ["I19"]


@pytest.mark.parametrize("build", [hf.merge_bomb, hf.header_merge_bomb], ids=["tall", "wide"])
def test_thousands_of_overlapping_merged_ranges_are_read_in_bounded_time(tmp_path: Path, config, build) -> None:
    path = build(tmp_path / "merged.xlsx", 20_000)
    started = time.perf_counter()
    read = read_file(path, config)
    assert time.perf_counter() - started < 10
    assert read.readable or read.problems


def test_no_recognisable_header_is_a_problem(tmp_path: Path, config) -> None:
    read = read_file(hf.no_header(tmp_path / "n.xlsx"), config)
    message = only_problem(read, "header-missing")
    assert "Хэрэгжүүлэх арга хэмжээ" in message


def test_missing_columns_are_named(tmp_path: Path, config) -> None:
    read = read_file(hf.columns_missing(tmp_path / "m.xlsx"), config)
    assert read.readable
    missing = sorted(p.message("mn") for p in read.problems if p.code == "column-missing")
    assert len(missing) == 2
    assert "Хүрсэн түвшин" in missing[0] and "Хүрэх түвшин" in missing[1]


# --- XML attacks -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("build", "part"),
    [
        (lambda p: hf.entity_bomb(p), "xl/sharedStrings.xml"),
        (lambda p: hf.entity_bomb(p, part="xl/worksheets/sheet1.xml"), "xl/worksheets/sheet1.xml"),
        # a comment before the DTD pushes it past a look at the first 4 KB only
        (lambda p: hf.entity_bomb(p, padding=10_000), "xl/sharedStrings.xml"),
        (hf.external_entity, "xl/sharedStrings.xml"),
        (hf.ods_entity_bomb, "content.xml"),
    ],
    ids=["shared-strings", "sheet", "padded", "external-entity", "ods"],
)
def test_an_xml_entity_bomb_is_refused_as_unsafe(tmp_path: Path, config, build, part: str) -> None:
    path = build(tmp_path / ("bomb.ods" if part == "content.xml" else "bomb.xlsx"))
    started = time.perf_counter()
    read = read_file(path, config)
    assert time.perf_counter() - started < 2
    message = only_problem(read, "file-unsafe")
    assert part in message


def test_xml_defences_agree_with_openpyxl() -> None:
    assert xml_defences_active() is True
    assert openpyxl.DEFUSEDXML is True
    probe = "import openpyxl; from pipeline.read.package import xml_defences_active as a; print(openpyxl.DEFUSEDXML, a())"
    env = {**os.environ, "OPENPYXL_DEFUSEDXML": "False"}
    out = subprocess.run([PYTHON, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_the_cli_refuses_to_run_without_xml_defences(tmp_path: Path) -> None:
    env = {**os.environ, "OPENPYXL_DEFUSEDXML": "False"}
    done = subprocess.run([PYTHON, "-m", "pipeline", "run", str(tmp_path), "-o", str(tmp_path / "out"), "--mappings", str(MAPPINGS)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "defusedxml" in done.stderr and "XML" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert not (tmp_path / "out").exists()


# --- size bombs: read in a child process, so a failed guard cannot take the test run with it ---------------

def read_in_child(path: Path) -> dict[str, Any]:
    """read_file in a fresh interpreter: its problems, time and peak memory (MB)."""
    script = (
        "import json, resource, sys, time\n"
        "from pathlib import Path\n"
        "from pipeline.config import load_config\n"
        "from pipeline.read.workbook import read_file\n"
        f"config = load_config({str(MAPPINGS)!r})\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "started = time.perf_counter()\n"
        f"read = read_file(Path({str(path)!r}), config)\n"
        "print(json.dumps({'codes': [p.code for p in read.problems], 'messages': [p.message('mn') for p in read.problems],\n"
        "  'seconds': time.perf_counter() - started,\n"
        "  'mb': (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024}))\n"
    )
    done = subprocess.run([PYTHON, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"the reader process died ({done.returncode}): {done.stderr[-2000:]}"
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.parametrize(
    ("build", "code", "says"),
    [
        (lambda p: hf.zip_bomb(p, 400 * hf.MB), "file-too-large", "400 MB"),  # over the total unpacked size
        (lambda p: hf.zip_bomb(p, 100 * hf.MB), "file-too-large", "шахалт"),  # under it, but 1000:1
        (lambda p: hf.lying_zip_bomb(p, 200 * hf.MB), "file-too-large", "толгойд бичсэнээс"),  # headers lie
        (hf.sparse_far_cell, "sheet-too-large", "XFD1048576"),  # one value at the last cell: 512 GB as a grid
        (hf.xls_far_cells, "file-too-large", "нүд"),  # the same in an .xls, whose sheets are read at once
    ],
    ids=["zip-total", "zip-ratio", "zip-lying-header", "far-cell-xlsx", "far-cell-xls"],
)
def test_a_size_bomb_is_refused_quickly_without_using_the_memory(tmp_path: Path, build, code: str, says: str) -> None:
    path = build(tmp_path / "bomb.xls" if build is hf.xls_far_cells else tmp_path / "bomb.xlsx")
    assert path.stat().st_size < 1024 * 1024
    result = read_in_child(path)
    assert code in result["codes"], result
    assert any(says in str(m) for m in result["messages"]), result
    assert float(result["seconds"]) < 10, result
    assert float(result["mb"]) < 200, result


def test_an_unplaceable_sheet_part_is_still_bounded(tmp_path: Path) -> None:
    path = hf.sparse_far_cell(tmp_path / "far.xlsx")
    marks = sheet_marks(path, Package(kind="xlsx"), "Төлөвлөгөө")
    assert marks.cells > MAX_SHEET_CELLS


# --- the whole run over a folder of good and bad files ---------------------------------------------------

# file name -> (builder, the code it must be listed with). Names carry the period, as officials write them.
BAD: dict[str, tuple[Callable[[Path], Path], str]] = {
    "хоосон 2026-10.xlsx": (hf.empty_file, "file-unreadable"),
    "текст 2026-10.xlsx": (hf.plain_text, "file-unreadable"),
    "тайлан 2026-10.xlsx": (hf.renamed_pdf, "file-unreadable"),
    "word 2026-10.xlsx": (hf.renamed_docx, "file-unreadable"),
    "тасархай 2026-10.xlsx": (hf.truncated_xlsx, "file-unreadable"),
    "хувилбар 2026-10.xlsx": (hf.unsupported_zip_version, "file-unreadable"),
    "нууц 2026-10.xlsx": (hf.encrypted_xlsx, "file-encrypted"),
    "эвдэрсэн 2026-10.xls": (hf.damaged_xls, "file-unreadable"),
    "лол 2026-10.xlsx": (lambda p: hf.entity_bomb(p, padding=6000), "file-unsafe"),
    "xxe 2026-10.xlsx": (hf.external_entity, "file-unsafe"),
    "бөмбөг 2026-10.xlsx": (lambda p: hf.zip_bomb(p, 400 * hf.MB), "file-too-large"),
    "худал 2026-10.xlsx": (lambda p: hf.lying_zip_bomb(p, 100 * hf.MB), "file-too-large"),
    "ОБГ 2026-10.xlsx": (hf.sparse_far_cell, "sheet-too-large"),
    "толгойгүй 2026-10.xlsx": (hf.no_header, "header-missing"),
}
# Files that are read, each for its own department, with the warning they must carry.
FLAWED: dict[str, tuple[Callable[[Path], Path], str | None]] = {
    "хэзх.xls": (hf.legacy_xls, "file-legacy-format"),
    "хшүдах.xlsm": (hf.xlsm_with_macros, "file-macros-ignored"),
    "стсх.ods": (hf.ods_spreadsheet, None),  # read as any workbook, nothing to warn about
    "ххааг.xlsx": (hf.hidden_plan_sheet, "sheet-hidden-skipped"),
    "бг.xlsx": (hf.several_plan_sheets, "several-plan-sheets"),
    "эмг.xlsx": (hf.formula_without_value, "formula-no-value"),
    "боажг.xlsx": (hf.columns_missing, "column-missing"),
}


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_a_run_over_good_and_bad_files_consolidates_the_good_and_lists_every_bad_one(tmp_path: Path, own_workspace: Path) -> None:
    inbox = tmp_path / "input"
    inbox.mkdir()
    hf.good_template(inbox / "ЗУХ 2026-10.xlsx")
    hf.good_template(inbox / "ХБТХ 2026-10.xlsx", department="Хөгжлийн бодлого, төлөвлөлтийн хэлтэс")
    for name, (build, _) in {**BAD, **FLAWED}.items():
        build(inbox / name)
    skipped = hf.not_reports(inbox)
    received = {p: sha(p) for p in discover(inbox)}
    assert len(received) == 2 + len(BAD) + len(FLAWED)
    out = tmp_path / "output"

    result = CliRunner().invoke(cli, ["run", str(inbox), "-o", str(out), "--mappings", str(MAPPINGS), "--period", "2026-10"])

    assert result.exit_code == 1, result.output  # errors in files are reported, not raised
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    period = out / "2026-10"
    problems = read_csv(period / "problems.csv")
    listed = {(p["file"], p["code"]) for p in problems}
    for name, (_, code) in BAD.items():
        assert (name, code) in listed, (name, code, sorted(c for f, c in listed if f == name))
    for name, (_, warning) in FLAWED.items():
        if warning is None:
            assert not any(f == name and code.startswith("file-") for f, code in listed)
        else:
            assert (name, warning) in listed, (name, warning, sorted(c for f, c in listed if f == name))
    for p in problems:
        assert p["message"] and p["severity"] in ("error", "warning")
    # Lock, hidden and system files are neither read nor listed.
    assert not {p["file"] for p in problems} & {s.name for s in skipped}

    # The good files and the readable flawed ones are consolidated.
    measures = read_csv(period / "measures.csv")
    by_file: dict[str, int] = {}
    for m in measures:
        by_file[m["source_file"]] = by_file.get(m["source_file"], 0) + 1
    assert by_file.get("ЗУХ 2026-10.xlsx") == 2 and by_file.get("ХБТХ 2026-10.xlsx") == 2
    for name in ("хэзх.xls", "хшүдах.xlsm", "стсх.ods", "ххааг.xlsx", "эмг.xlsx", "боажг.xlsx"):
        assert by_file.get(name), (name, by_file)
    assert by_file.get("бг.xlsx") == 3
    assert not set(by_file) & set(BAD)
    # No output carries the macros.
    for output in period.glob("*.xlsx"):
        assert b"vbaProject" not in output.read_bytes()

    # Nothing received is lost or changed: still in the input folder, and archived byte for byte.
    archived = {sha(p) for p in (own_workspace / "archive").rglob("*") if p.is_file()}
    for path, digest in received.items():
        assert path.exists() and sha(path) == digest, path
        assert digest in archived, path
    assert all(p.exists() for p in skipped)

    # A second run finds nothing new and still does not fail with a traceback.
    again = CliRunner().invoke(cli, ["run", str(inbox), "-o", str(out), "--mappings", str(MAPPINGS), "--period", "2026-10"])
    assert again.exit_code in (0, 1), again.output
    assert again.exception is None or isinstance(again.exception, SystemExit)


def test_a_column_holding_only_dates_does_not_stop_the_run(tmp_path: Path) -> None:
    # pandas turns a column of dates and empty cells into datetime64, its empty cells into NaT, and NaT
    # (a datetime whose .time() raises) used to end the whole run in normalise. Found by tests/test_fuzz.py.
    import datetime as dt

    inbox = tmp_path / "input"
    inbox.mkdir()
    measures = [list(m) for m in hf.GOOD_MEASURES]
    measures[0][9] = dt.datetime(2026, 10, 31, 9, 30)  # "Хэрэгжилтийн хувь" holds a date and time; the other row's is empty
    hf.good_template(inbox / "ЗУХ 2026-10.xlsx", measures=measures)
    out = tmp_path / "output"
    result = CliRunner().invoke(cli, ["run", str(inbox), "-o", str(out), "--mappings", str(MAPPINGS)])
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert len(read_csv(out / "2026-10" / "measures.csv")) == 2
