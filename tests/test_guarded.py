"""No file can stop, hang or starve a run (issue 12): guarded reading, every received file accounted for, and the
refusals that used to be misleading.

The misbehaving readers (tests/hostile_readers.py) run inside the real workers, in place of read_file, so the
worker, its limits and the parent's watch are what is tested. Every file is built by the test.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.config import Config
from pipeline.intake import _safe_component, archive_copy, discover
from pipeline.read.package import MAX_SHEETS, Package, inspect_file
from pipeline.read.parallel import HOOK_ENV, read_guarded, read_many
from pipeline.read.workbook import FileRead, _short_error, read_file
from pipeline.validate import validate_paths
from pipeline.words import Text
from tests import hostile_fixtures as hf
from tests.conftest import MAPPINGS, ROOT
from tests.hostile_readers import misbehaving

PYTHON = sys.executable


def limited(config: Config, *, mb: int = 300, seconds: float = 3.0) -> Config:
    limits = dataclasses.replace(config.settings.limits, max_read_bytes=mb * 1024 * 1024, max_read_seconds=seconds)
    return dataclasses.replace(config, settings=dataclasses.replace(config.settings, limits=limits))


def codes(read: FileRead) -> list[str]:
    return [p.code for p in read.problems]


def summary(read: FileRead) -> tuple[str, list[str], int]:
    return read.name, codes(read), sum(len(t.measures) for t in read.tables)


CRASHING = ["good one", "allocate", "exit", "segfault", "abort", "good two"]
EXPECTED = [
    ("good one", [], 2),
    ("allocate", ["file-reader-crashed"], 0),
    ("exit", ["file-reader-crashed"], 0),
    ("segfault", ["file-reader-crashed"], 0),
    ("abort", ["file-reader-crashed"], 0),
    ("good two", [], 2),
]


def jobs_named(folder: Path, names: list[str]) -> list[tuple[Path, str]]:
    return [(hf.good_template(folder / f"{name}.xlsx"), name) for name in names]


# --- 1. each file in a guarded worker -----------------------------------------------------------------------

# The deadlines are generous where nothing spins: on a machine shared with other work, a starved worker must
# not turn a crash into "too slow".
@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_reader_that_allocates_or_crashes_loses_its_file_only(tmp_path: Path, config, monkeypatch, workers: str) -> None:
    monkeypatch.setenv("NEGTGEL_WORKERS", workers)
    reads = list(read_many(jobs_named(tmp_path, CRASHING), limited(config, seconds=60), reader=misbehaving))
    assert [summary(p.read) for p in reads] == EXPECTED  # every file, in input order
    by_name = {p.read.name: p for p in reads}
    assert "300 MB" in by_name["allocate"].read.problems[0].message("mn")
    crashed = by_name["exit"].read.problems[0]
    assert crashed.detail == Text.of("messages.read.exit_code", code=3)
    assert "(уншигч гэнэт зогссон, код 3)" in crashed.message("mn")
    assert "(the reader stopped suddenly, code 3)" in crashed.message("en")
    assert by_name["exit"].cacheable
    for parsed in reads:
        for problem in parsed.read.problems:
            assert "Error" not in problem.message("en") and "Traceback" not in problem.message("en")


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_reader_that_spins_is_stopped_at_its_deadline(tmp_path: Path, config, monkeypatch, workers: str) -> None:
    monkeypatch.setenv("NEGTGEL_WORKERS", workers)
    started = time.monotonic()
    reads = list(read_many(jobs_named(tmp_path, ["good one", "spin", "good two"]), limited(config, seconds=2), reader=misbehaving))
    elapsed = time.monotonic() - started
    assert [summary(p.read) for p in reads] == [("good one", [], 2), ("spin", ["file-too-slow"], 0), ("good two", [], 2)]
    assert elapsed < 20, elapsed  # stopped at its deadline (2 s), not waited for
    spin = reads[1]
    assert "2 секундэд" in spin.read.problems[0].message("mn")
    assert not spin.cacheable  # a busy machine must not list a file for ever


def test_where_the_system_cannot_limit_memory_the_parent_watches_it(tmp_path: Path, config) -> None:
    jobs = jobs_named(tmp_path, ["allocate", "good"])
    reads = [summary(p.read) for p in read_many(jobs, limited(config, seconds=60), reader=misbehaving, use_rlimit=False)]
    assert reads == [("allocate", ["file-reader-crashed"], 0), ("good", [], 2)]


@pytest.mark.parametrize("start_method", ["fork", "spawn"])
def test_where_only_the_workers_own_watchdog_guards_memory_it_ends_the_reader(
        tmp_path: Path, config, monkeypatch, start_method: str) -> None:
    # As on Windows: no RLIMIT_AS (forced off by the environment), and the parent not watching either, so only the
    # worker's thread can end the reader before its deadline (it would hold 1.5 GB until then).
    monkeypatch.setenv("NEGTGEL_MEMORY_GUARD", "watchdog")
    jobs = jobs_named(tmp_path, ["hoard", "good"])
    started = time.monotonic()
    reads = list(read_many(jobs, limited(config, seconds=40), reader=misbehaving, start_method=start_method))
    assert [summary(p.read) for p in reads] == [("hoard", ["file-reader-crashed"], 0), ("good", [], 2)]
    assert reads[0].read.problems[0].detail == Text.of("messages.read.memory", mb="300")
    assert "(needed more than 300 MB of memory)" in reads[0].read.problems[0].message("en")
    assert time.monotonic() - started < 35  # ended by the watchdog, not at the deadline


def test_a_worker_without_a_system_limit_starts_its_watchdog(tmp_path: Path, config) -> None:
    from pipeline.read import parallel

    pool = parallel._Pool(jobs_named(tmp_path, ["good"]), config, 1, None, "spawn", use_rlimit=False)
    try:
        done: dict[int, parallel.Parsed] = {}
        while 0 not in done:
            pool.step(done, 1)
        (worker,) = pool.workers
        assert (worker.limited, worker.watched) == (False, True)
    finally:
        pool.close()
    pool = parallel._Pool(jobs_named(tmp_path, ["again"]), config, 1, None, "fork", use_rlimit=True)
    try:
        done = {}
        while 0 not in done:
            pool.step(done, 1)
        (worker,) = pool.workers
        assert (worker.limited, worker.watched) == (True, False)  # Linux: the system's limit, no thread needed
    finally:
        pool.close()


def test_the_start_method_comes_from_the_environment(monkeypatch) -> None:
    from pipeline.read.parallel import default_start_method

    monkeypatch.setenv("NEGTGEL_START_METHOD", "spawn")
    assert default_start_method() == "spawn"
    monkeypatch.setenv("NEGTGEL_START_METHOD", "no-such-method")
    assert default_start_method() == "fork"
    monkeypatch.delenv("NEGTGEL_START_METHOD")
    assert default_start_method() == "fork"


def test_guarded_reading_works_with_the_spawn_start_method(tmp_path: Path, config) -> None:
    jobs = jobs_named(tmp_path, ["segfault", "good"])
    reads = [summary(p.read) for p in read_many(jobs, limited(config, seconds=60), reader=misbehaving, start_method="spawn")]
    assert reads == [("segfault", ["file-reader-crashed"], 0), ("good", [], 2)]


def test_a_real_xls_that_makes_the_native_reader_ask_for_gigabytes_is_listed(tmp_path: Path, config) -> None:
    # The class of ExcelDataReader's Test_git_issue_382_oom.xls: 25 KB, and the reader aborts the process.
    jobs = [(hf.xls_huge_dimensions(tmp_path / "oom.xls"), "oom.xls"), (hf.legacy_xls(tmp_path / "good.xls"), "good.xls")]
    reads = [summary(p.read) for p in read_many(jobs, config)]
    assert reads == [("oom.xls", ["file-reader-crashed"], 0), ("good.xls", ["file-legacy-format"], 2)]


def test_an_xls_with_one_far_value_is_refused_before_it_needs_the_memory(tmp_path: Path, config) -> None:
    # POI's 51535.xls: one value at IV65536 on one sheet, 16.7 million cells, more than max_read_mb to open.
    path = tmp_path / "far.xls"
    path.write_bytes(hf.compound_file({"Workbook": hf.biff8_workbook({"Төлөвлөгөө": hf.template_rows(hf.GOOD_MEASURES)}, far_cell=True)}))
    (parsed,) = read_many([(path, "far.xls")], config)
    assert codes(parsed.read) == ["file-too-large"]
    assert parsed.read.problems[0].detail == "16,777,216 нүд / cells > 10,000,000"


def test_a_file_read_again_from_the_archive_is_guarded_too(tmp_path: Path, config) -> None:
    # read_cached (run's path for archived files whose cached read is stale) reads through one kept worker.
    oom, good = hf.xls_huge_dimensions(tmp_path / "oom.xls"), hf.legacy_xls(tmp_path / "good.xls")
    assert codes(read_guarded(oom, config, "oom.xls")) == ["file-reader-crashed"]
    assert summary(read_guarded(good, config, "good.xls")) == ("good.xls", ["file-legacy-format"], 2)
    assert summary(read_guarded(good, config, "again.xls")) == ("again.xls", ["file-legacy-format"], 2)


def test_validate_on_the_oom_xls_lists_it_and_prints_no_native_message(tmp_path: Path) -> None:
    path = hf.xls_huge_dimensions(tmp_path / "oom.xls")
    done = subprocess.run([PYTHON, "-m", "pipeline", "validate", str(path), "--mappings", str(MAPPINGS)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr  # errors found, not an abort (134)
    assert "file-reader-crashed" in done.stdout and "уншигч" in done.stdout
    assert "memory allocation" not in done.stderr and "Traceback" not in done.stderr + done.stdout


def mappings_with(tmp_path: Path, **limits: object) -> Path:
    folder = tmp_path / "mappings"
    shutil.copytree(MAPPINGS, folder)
    settings = folder / "settings.yaml"
    text = settings.read_text(encoding="utf-8")
    for key, value in limits.items():  # a key the file has is changed in place: a key written twice is refused
        text, found = re.subn(rf"(?m)^  {key}:[^\n]*$", f"  {key}: {value}", text)
        if not found:
            text = text.replace("limits:\n", f"limits:\n  {key}: {value}\n", 1)
    settings.write_text(text, encoding="utf-8")
    return folder


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_run_with_crashing_and_spinning_readers_lists_them_and_consolidates_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, own_workspace: Path
) -> None:
    monkeypatch.setenv(HOOK_ENV, "tests.hostile_readers:misbehaving")
    monkeypatch.setenv("NEGTGEL_WORKERS", "2")
    mappings = mappings_with(tmp_path, max_read_seconds=4)
    inbox = tmp_path / "input"
    inbox.mkdir()
    hf.good_template(inbox / "ЗУХ 2026-10.xlsx")
    hf.good_template(inbox / "ХБТХ 2026-10.xlsx", department="Хөгжлийн бодлого, төлөвлөлтийн хэлтэс")
    for name in ("abort", "spin", "exit"):  # each its own bytes, or they would be one file and two duplicates
        hf.good_template(inbox / f"{name} 2026-10.xlsx", department=f"{name} хэлтэс")
    received = {p: sha(p) for p in discover(inbox)}
    out = tmp_path / "output"
    args = ["run", str(inbox), "-o", str(out), "--mappings", str(mappings), "--period", "2026-10"]

    result = CliRunner().invoke(cli, args)

    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    listed = {(p["file"], p["code"]) for p in read_csv(out / "2026-10" / "problems.csv")}
    assert {("abort 2026-10.xlsx", "file-reader-crashed"), ("exit 2026-10.xlsx", "file-reader-crashed"),
            ("spin 2026-10.xlsx", "file-too-slow")} <= listed
    by_file = sorted(m["source_file"] for m in read_csv(out / "2026-10" / "measures.csv"))
    assert by_file == ["ЗУХ 2026-10.xlsx"] * 2 + ["ХБТХ 2026-10.xlsx"] * 2
    archived = {sha(p) for p in (own_workspace / "archive").rglob("*") if p.is_file()}
    assert set(received.values()) <= archived
    # The next run reads the slow file again (it may have been a busy hour), guarded again, and still ends.
    again = CliRunner().invoke(cli, args)
    assert again.exit_code in (0, 1), again.output
    assert again.exception is None or isinstance(again.exception, SystemExit)


# --- 2. the package indexed once, read with a namespace-aware parser ----------------------------------------

def test_prefixed_relationship_parts_are_understood(tmp_path: Path, config) -> None:
    path = hf.many_sheets(tmp_path / "ns.xlsx", 3)
    package = inspect_file(path, config.settings.limits)
    assert isinstance(package, Package)
    assert package.sheet_parts == {
        "Төлөвлөгөө": "xl/worksheets/sheet1.xml", "empty 0": "xl/worksheets/empty0.xml",
        "empty 1": "xl/worksheets/empty1.xml", "empty 2": "xl/worksheets/empty2.xml"}
    read = read_file(path, config)
    assert summary(read) == ("ns.xlsx", [], 2)


def test_a_workbook_of_1024_empty_sheets_is_handled_in_seconds(tmp_path: Path, config) -> None:
    # openpyxl's bigfoot.xlsx: prefixed rels hid every sheet, so the sheet limit never applied (47-65 s).
    path = hf.many_sheets(tmp_path / "bigfoot.xlsx", 1024)
    started = time.perf_counter()
    read = read_file(path, config)
    assert time.perf_counter() - started < 5
    assert codes(read) == ["file-too-large"]
    assert read.problems[0].detail == f"1025 хуудас / sheets > {MAX_SHEETS}"


def test_the_sheet_limit_applies_to_opendocument_files_too(tmp_path: Path, config) -> None:
    ods = hf.ods_spreadsheet(tmp_path / "many.ods")
    data = ods.read_bytes()
    hf.rewrite_ods_content(ods, lambda xml: xml.replace(b"</office:spreadsheet>", b'<table:table table:name="e"/>' * 250
                                                        + b"</office:spreadsheet>"))
    assert ods.read_bytes() != data
    read = read_file(ods, config)
    assert codes(read) == ["file-too-large"] and read.problems[0].detail == f"251 хуудас / sheets > {MAX_SHEETS}"
    flat = hf.flat_ods(tmp_path / "many.fods")
    flat.write_bytes(flat.read_bytes().replace(b"</office:spreadsheet>", b'<table:table table:name="e"/>' * 250
                                               + b"</office:spreadsheet>"))
    assert read_file(flat, config).problems[0].detail == f"251 хуудас / sheets > {MAX_SHEETS}"


def test_many_sheets_under_the_limit_are_read_in_linear_time(tmp_path: Path, config) -> None:
    path = hf.many_sheets(tmp_path / "150.xlsx", 150)
    started = time.perf_counter()
    read = read_file(path, config)
    assert time.perf_counter() - started < 5
    assert summary(read) == ("150.xlsx", [], 2)


# --- 3. every received file accounted for -------------------------------------------------------------------

def formats_inbox(inbox: Path) -> dict[str, str | None]:
    """File name -> the code it must be listed with (None: consolidated without a file problem)."""
    inbox.mkdir()
    hf.good_template(inbox / "ЗУХ 2026-10.xltx")
    hf.xlsm_with_macros(inbox / "ХШҮДАХ 2026-10.xltm")
    hf.flat_ods(inbox / "СТСХ 2026-10.fods")
    hf.xlsb_template(inbox / "ХЭЗХ 2026-10.xlsb")
    (inbox / "тайлан 2026-10.csv").write_text("№,Арга хэмжээ\n1.1,Сургалт\n", encoding="utf-8")
    (inbox / "тайлбар.txt").write_text("Хавсралтыг үзнэ үү.\n", encoding="utf-8")
    hf.renamed_pdf(inbox / "тушаал.pdf")
    return {"ЗУХ 2026-10.xltx": None, "ХШҮДАХ 2026-10.xltm": "file-macros-ignored", "СТСХ 2026-10.fods": None,
            "ХЭЗХ 2026-10.xlsb": None,
            "тайлан 2026-10.csv": "file-not-spreadsheet", "тайлбар.txt": "file-not-spreadsheet", "тушаал.pdf": "file-not-spreadsheet"}


def test_run_accounts_for_every_received_file_and_validate_agrees(tmp_path: Path, config: Config, own_workspace: Path) -> None:
    inbox = tmp_path / "input"
    expected = formats_inbox(inbox)
    hf.not_reports(inbox)
    assert sorted(p.name for p in discover(inbox)) == sorted(expected)
    received = {p: sha(p) for p in discover(inbox)}
    out = tmp_path / "output"

    result = CliRunner().invoke(cli, ["run", str(inbox), "-o", str(out), "--mappings", str(MAPPINGS), "--period", "2026-10"])

    assert result.exit_code == 1, result.output
    problems = read_csv(out / "2026-10" / "problems.csv")
    file_codes = {name: sorted(p["code"] for p in problems if p["file"] == name and p["code"].startswith("file-"))
                  for name in expected}
    assert file_codes == {name: [code] if code else [] for name, code in expected.items()}
    messages = {p["file"]: p["message"] for p in problems if p["code"] == "file-not-spreadsheet"}
    assert "CSV" in messages["тайлан 2026-10.csv"] and "Excel хүснэгт биш" in messages["тайлан 2026-10.csv"]
    assert "PDF" in messages["тушаал.pdf"] and "текст" in messages["тайлбар.txt"]
    consolidated = {m["source_file"] for m in read_csv(out / "2026-10" / "measures.csv")}
    assert consolidated == {"ЗУХ 2026-10.xltx", "ХШҮДАХ 2026-10.xltm", "СТСХ 2026-10.fods", "ХЭЗХ 2026-10.xlsb"}
    archived = {sha(p) for p in (own_workspace / "archive").rglob("*") if p.is_file()}
    assert set(received.values()) <= archived  # the .csv, .txt and .pdf are kept like every received file

    checked = validate_paths([inbox], config)
    assert checked.files == len(expected)
    validated = {Path(p.file).name: p.code for p in checked.problems if p.code.startswith("file-")}
    assert validated == {name: code for name, code in expected.items() if code}


# --- 4. refusals that were misleading, each a class -----------------------------------------------------------

@pytest.mark.parametrize("stream", ["BOOK", "WORKBOOK", "book"])
def test_an_xls_stream_name_in_other_letters_is_read(tmp_path: Path, config, stream: str) -> None:
    read = read_file(hf.legacy_xls_stream(tmp_path / f"{stream}.xls", stream), config)
    assert summary(read) == (f"{stream}.xls", ["file-legacy-format"], 2)


def test_zip_part_names_with_backslashes_and_other_case_are_read(tmp_path: Path, config) -> None:
    read = read_file(hf.backslash_parts(tmp_path / "backslash.xlsx"), config)
    assert summary(read) == ("backslash.xlsx", [], 2)


def test_a_workbook_with_an_excel_4_macro_sheet_reads_its_other_sheets(tmp_path: Path, config) -> None:
    read = read_file(hf.excel4_macro_sheet(tmp_path / "macro4.xlsm"), config)
    assert summary(read) == ("macro4.xlsm", ["file-macros-ignored"], 2)
    assert [t.sheet for t in read.tables] == ["Төлөвлөгөө"]


def test_a_workbook_encrypted_with_excels_default_password_is_read(tmp_path: Path, config) -> None:
    path = hf.encrypted_xlsx(tmp_path / "velvet.xlsx", password="VelvetSweatshop")
    assert path.read_bytes().startswith(b"\xd0\xcf\x11\xe0")
    assert summary(read_file(path, config)) == ("velvet.xlsx", [], 2)
    assert path.read_bytes().startswith(b"\xd0\xcf\x11\xe0")  # decrypted to a temporary copy, the file untouched


def test_an_encrypted_xls_is_reported_as_encrypted_not_too_large(tmp_path: Path, config) -> None:
    read = read_file(hf.encrypted_legacy_xls(tmp_path / "нууц.xls"), config)
    assert codes(read) == ["file-encrypted"]


def test_an_excel_2_worksheet_is_named_as_a_file_from_before_1997(tmp_path: Path, config) -> None:
    read = read_file(hf.excel2_worksheet(tmp_path / "1990.xls"), config)
    assert codes(read) == ["file-unreadable"]
    assert "1997 оноос өмнөх Excel" in read.problems[0].message("mn")
    assert "before 1997" in read.problems[0].message("en")


def test_a_damaged_xls_gets_one_problem_not_two_contradicting(tmp_path: Path, config) -> None:
    read = read_file(hf.damaged_xls(tmp_path / "эвдэрсэн.xls"), config)
    assert codes(read) == ["file-unreadable"]  # not also "read, but save as .xlsx next time"


def test_no_message_names_an_exception_class(tmp_path: Path, config) -> None:
    read = read_file(hf.broken_ole(tmp_path / "ole.xls"), config)
    assert codes(read) == ["file-unreadable"]
    assert read.problems[0].detail == "гэмтсэн Office файл / a damaged Office file"
    assert _short_error(ValueError("OleFileError: incorrect OLE sector index")) == (
        "гэмтсэн эсвэл дутуу татагдсан файл / a damaged or truncated file: incorrect OLE sector index")
    assert _short_error(KeyError()) == "гэмтсэн эсвэл дутуу татагдсан файл / a damaged or truncated file"
    assert _short_error(RuntimeError("Xls error: XlsError::Password")) == (
        "гэмтсэн эсвэл дутуу татагдсан файл / a damaged or truncated file: Xls error")


def test_an_ods_with_a_basic_macro_gets_the_same_warning_as_xlsm_macros(tmp_path: Path, config) -> None:
    read = read_file(hf.ods_with_basic_macro(tmp_path / "basic.ods"), config)
    assert summary(read) == ("basic.ods", ["file-macros-ignored"], 2)


def test_an_ods_entity_bomb_is_still_refused_beside_the_macro_exception(tmp_path: Path, config) -> None:
    read = read_file(hf.ods_entity_bomb(tmp_path / "bomb.ods"), config)
    assert codes(read) == ["file-unsafe"]


def test_a_long_archive_name_keeps_its_extension(tmp_path: Path) -> None:
    name = "Хөгжлийн бодлого, төлөвлөлтийн хэлтсийн 2026 оны 10 дугаар сарын үйл ажиллагааны төлөвлөгөөний биелэлт.xlsx"
    assert len(name) > 80
    assert _safe_component(name, keep_suffix=True) == name[:75] + ".xlsx"
    source = hf.good_template(tmp_path / "a.xlsx")
    first = archive_copy(source, tmp_path / "archive", "2026-10", "ХБТХ", name)
    second = archive_copy(source, tmp_path / "archive", "2026-10", "ХБТХ", name)
    assert first.name == name[:75] + ".xlsx"
    assert second.name == name[:75] + " (2).xlsx"
    assert first.read_bytes() == second.read_bytes() == source.read_bytes()


def test_without_the_test_hook_the_workers_read_with_read_file(config, tmp_path: Path) -> None:
    # The misbehaving names are ordinary files to the product's own reader.
    assert os.environ.get(HOOK_ENV) is None
    jobs = [(hf.good_template(tmp_path / "spin.xlsx"), "spin")]
    assert [summary(p.read) for p in read_many(jobs, limited(config, seconds=60))] == [("spin", [], 2)]


def test_a_temporary_folder_is_made_only_for_a_copy_and_always_removed(tmp_path: Path, config,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 19: making and removing a folder costs more than reading a template; only a file that needs a copy
    (decrypted, repacked) gets one, and it is gone after the read."""
    import tempfile

    made: list[Path] = []
    real = tempfile.mkdtemp

    def counted(*args: object, **kwargs: object) -> str:
        folder = real(*args, **kwargs)  # type: ignore[call-overload]
        made.append(Path(folder))
        return folder

    monkeypatch.setattr(tempfile, "mkdtemp", counted)
    plain = read_file(hf.backslash_parts(tmp_path / "plain.xlsx"), config)
    assert summary(plain) == ("plain.xlsx", [], 2) and made == []
    assert summary(read_file(hf.encrypted_xlsx(tmp_path / "velvet.xlsx", password="VelvetSweatshop"), config)) == ("velvet.xlsx", [], 2)
    assert len(made) == 1 and made[0].name.startswith("negtgel-read-") and not made[0].exists()
    assert summary(read_file(hf.excel4_macro_sheet(tmp_path / "macro4.xlsm"), config))[1] == ["file-macros-ignored"]
    assert len(made) == 2 and not made[1].exists()  # the workbook without the macro sheet, repacked
    assert codes(read_file(hf.encrypted_legacy_xls(tmp_path / "нууц.xls"), config)) == ["file-encrypted"]
    assert len(made) == 3 and not made[2].exists()  # tried with Excel's default password, in vain
