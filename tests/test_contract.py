"""The product's promises, tested from outside: on real template files, through the command line, knowing
nothing of how the figures are made. Leadership acts on the published % and ranks; each test below is a way
those figures could silently differ from the truth, and must not.

- the same files fed from another folder, in another order, under other names or in several batches give
  byte-identical measures.csv and the same figures and ranks;
- a fresh rebuild from the archive (outputs and manifest deleted) gives exactly what was published;
- identical bytes resubmitted change nothing; a correction changes only its department's figures;
- adding or removing one department changes no other department's %, level or points;
- a run killed during intake, scoring or writing, followed by a normal run, gives the figures of a run never
  interrupted, and no received file is lost;
- the whole workspace moved to another path keeps working, history included.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.cli import cli
from tests.conftest import EXAMPLES, MAPPINGS, ROOT
from tests.helpers import template_rows, write_xlsx

ZUH = "Захиргаа, удирдлагын хэлтэс"
BG = "Боловсролын газар"
EXAMPLE_FILES = sorted(p.name for p in EXAMPLES.glob("*.xlsx"))
CORRECTION = "ЗУХ 10 сар засвар.xlsx"


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped examples (nine departments, seed 003's real plan among them) and a later correction from ЗУХ."""
    folder = tmp_path_factory.mktemp("sources")
    for name in EXAMPLE_FILES:
        shutil.copy2(EXAMPLES / name, folder / name)
    rows = [[f"1.{i}", f"Засварласан арга хэмжээ {i}", None, None, "Хэрэгжилт - 100%", "I-IV улирал", None, None,
             "Бүрэн хэрэгжсэн" if i < 4 else "Хэрэгжих шатандаа", None, None] for i in range(1, 6)]
    write_xlsx(folder / CORRECTION, template_rows(rows, department=ZUH, month=10), saved=dt.datetime(2026, 11, 4, 10))
    return folder


def run(workspace: Path, *inputs: Path) -> str:
    output = ""
    for folder in inputs or (None,):
        args = ["run", *([str(folder)] if folder else []), "--workspace", str(workspace), "--mappings", str(MAPPINGS)]
        result = CliRunner().invoke(cli, args)
        assert result.exception is None or isinstance(result.exception, SystemExit), result.output
        assert result.exit_code in (0, 1), result.output  # 1: the example's deliberate error
        output += result.output
    return output


def feed(folder: Path, sources: Path, names: Sequence[str], rename: bool = False) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        target = f"{Path(name).stem} хуулбар{Path(name).suffix}" if rename else name
        shutil.copy2(sources / name, folder / target)
    return folder


def measures_csv(workspace: Path) -> bytes:
    return (workspace / "output" / "2026-10" / "measures.csv").read_bytes()


def measure_rows(workspace: Path, drop: tuple[str, ...] = ()) -> list[dict[str, str]]:
    with (workspace / "output" / "2026-10" / "measures.csv").open(encoding="utf-8-sig", newline="") as handle:
        return [{k: v for k, v in row.items() if k not in drop} for row in csv.DictReader(handle)]


def departments(workspace: Path) -> dict[str, dict[str, object]]:
    """The summary's department table as leadership reads it: rank, %, rating, grade, points and counts."""
    book = openpyxl.load_workbook(workspace / "output" / "2026-10" / "summary_2026-10.xlsx", read_only=True)
    rows = list(book["Хэлтсүүд"].iter_rows(values_only=True))
    book.close()
    start = next(i for i, row in enumerate(rows) if row and row[0] == "Байр")
    header = rows[start]
    table = {}
    for row in rows[start + 1:]:
        if row and row[1]:
            record = dict(zip(header, row, strict=False))
            table[str(record["Хэлтэс, нэгж"])] = record
    return table


def without(table: dict[str, dict[str, object]], *keys: str) -> dict[str, dict[str, object]]:
    return {name: {k: v for k, v in record.items() if k not in keys} for name, record in table.items()}


@pytest.fixture(scope="module")
def reference(sources: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """All ten files, from one folder, in one run: what every other way of feeding them must equal."""
    workspace = tmp_path_factory.mktemp("reference")
    run(workspace, feed(workspace / "входящие", sources, [*EXAMPLE_FILES, CORRECTION]))
    return workspace


# --- the same files, any way they come ---------------------------------------------------------------------------

@settings(max_examples=3, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(order=st.permutations([*EXAMPLE_FILES, CORRECTION]), cut=st.integers(min_value=0, max_value=10))
def test_the_same_files_in_any_order_folders_and_batches_give_the_same_figures(
    sources: Path, reference: Path, order: list[str], cut: int
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        workspace = Path(tmp) / "ws"
        first = feed(Path(tmp) / "a" / "эхний", sources, order[:cut])
        second = feed(Path(tmp) / "б", sources, order[cut:])
        run(workspace, first, second)
        assert measures_csv(workspace) == measures_csv(reference)
        assert departments(workspace) == departments(reference)


def test_the_same_files_under_other_names_give_the_same_figures_and_ranks(sources: Path, reference: Path, tmp_path: Path) -> None:
    run(tmp_path, feed(tmp_path / "in", sources, [*EXAMPLE_FILES, CORRECTION], rename=True))
    assert measure_rows(tmp_path, drop=("source_file",)) == measure_rows(reference, drop=("source_file",))
    assert departments(tmp_path) == departments(reference)


def test_a_fresh_rebuild_from_the_archive_equals_what_was_published(sources: Path, reference: Path, tmp_path: Path) -> None:
    run(tmp_path, feed(tmp_path / "1", sources, EXAMPLE_FILES[:4]), feed(tmp_path / "2", sources, [*EXAMPLE_FILES[4:], CORRECTION]))
    published = {name: (tmp_path / "output" / "2026-10" / name).read_bytes() for name in ("measures.csv", "problems.csv")}
    table = departments(tmp_path)
    shutil.rmtree(tmp_path / "output")
    run(tmp_path)
    assert {name: (tmp_path / "output" / "2026-10" / name).read_bytes() for name in published} == published
    assert departments(tmp_path) == table == departments(reference)


# --- resubmissions and corrections -------------------------------------------------------------------------------

def test_identical_bytes_resubmitted_change_nothing(sources: Path, tmp_path: Path) -> None:
    run(tmp_path, feed(tmp_path / "in", sources, EXAMPLE_FILES))
    period = tmp_path / "output" / "2026-10"
    before = {p.name: p.read_bytes() for p in period.iterdir() if p.is_file()}
    table = departments(tmp_path)
    # The same bytes under the same names from another folder: nothing at all to do.
    assert "Өөрчлөлт алга" in run(tmp_path, feed(tmp_path / "дахин", sources, EXAMPLE_FILES))
    assert {p.name: p.read_bytes() for p in period.iterdir() if p.is_file()} == before
    # Under other names: the same figures; each copy is listed as a duplicate of the file it repeats.
    run(tmp_path, feed(tmp_path / "нэр", sources, EXAMPLE_FILES, rename=True))
    assert (period / "measures.csv").read_bytes() == before["measures.csv"]
    assert departments(tmp_path) == table
    with (period / "problems.csv").open(encoding="utf-8-sig", newline="") as handle:
        duplicates = {row["file"] for row in csv.DictReader(handle) if row["code"] == "file-duplicate"}
    assert duplicates == {f"{Path(n).stem} хуулбар.xlsx" for n in EXAMPLE_FILES}


def test_a_correction_changes_only_its_departments_figures(sources: Path, reference: Path, tmp_path: Path) -> None:
    run(tmp_path, feed(tmp_path / "in", sources, EXAMPLE_FILES))
    before = departments(tmp_path)
    run(tmp_path, feed(tmp_path / "засвар", sources, [CORRECTION]))
    after = departments(tmp_path)
    assert after == departments(reference)
    assert after[ZUH]["Хэрэгжилт, %"] != before[ZUH]["Хэрэгжилт, %"]
    # Every other department keeps every figure; only the order of ranks may move around ЗУХ.
    assert without({k: v for k, v in after.items() if k != ZUH}, "Байр") == without({k: v for k, v in before.items() if k != ZUH}, "Байр")
    other_measures = [r for r in measure_rows(tmp_path) if r["department"] != ZUH]
    assert other_measures == [r for r in measure_rows(reference) if r["department"] != ZUH]


def test_adding_or_removing_a_department_changes_no_other_departments_figures(sources: Path, tmp_path: Path) -> None:
    everyone, without_bg = tmp_path / "all", tmp_path / "less"
    run(everyone, feed(everyone / "in", sources, EXAMPLE_FILES))
    run(without_bg, feed(without_bg / "in", sources, [n for n in EXAMPLE_FILES if not n.startswith("Боловсрол")]))
    full, less = departments(everyone), departments(without_bg)
    assert full[BG]["Тайлан ирүүлсэн"] != less[BG]["Тайлан ирүүлсэн"]
    figures = ("Хэрэгжилт, %", "Үнэлгээ", "Зэрэг", "Оноо (5)", "Нийт арга хэмжээ", "Хугацаа болсон", "Хэрэгжсэн")
    for name in full:
        if name != BG:
            assert {k: full[name][k] for k in figures} == {k: less[name][k] for k in figures}, name
    assert [r for r in measure_rows(everyone) if r["department"] != BG] == measure_rows(without_bg)


# --- a kill at any point loses nothing -----------------------------------------------------------------------------

def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def cli_run(workspace: Path, inbox: Path, kill_at: str | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "MPLBACKEND": "Agg"}
    env.pop("NEGTGEL_KILL_AT", None)
    if kill_at:
        env["NEGTGEL_KILL_AT"] = kill_at
    command = [sys.executable, "-m", "pipeline", "run", str(inbox), "--workspace", str(workspace), "--mappings", str(MAPPINGS)]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, timeout=300, check=False)


@pytest.mark.parametrize("kill_at", ["archived, not yet recorded", "  read, record and archive", "consolidate", "write outputs"])
def test_a_run_killed_at_any_point_then_run_again_gives_the_uninterrupted_figures(
    sources: Path, reference: Path, tmp_path: Path, kill_at: str
) -> None:
    inbox = feed(tmp_path / "in", sources, EXAMPLE_FILES)
    assert cli_run(tmp_path, inbox).returncode in (0, 1)
    feed(inbox, sources, [CORRECTION])
    killed = cli_run(tmp_path, inbox, kill_at)
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()
    after = cli_run(tmp_path, inbox)
    assert after.returncode in (0, 1), after.stderr.decode()
    assert b"Traceback" not in after.stderr + after.stdout
    assert measures_csv(tmp_path) == measures_csv(reference)
    assert departments(tmp_path) == departments(reference)
    # No received file is lost: every one is archived byte for byte and recorded once.
    archived = {sha(p) for p in (tmp_path / "archive").rglob("*") if p.is_file()}
    recorded = {row[0] for row in sqlite3.connect(tmp_path / "negtgel.db").execute("SELECT sha256 FROM submissions")}
    for path in inbox.iterdir():
        assert sha(path) in archived and sha(path) in recorded, path.name
    assert len(recorded) == len(EXAMPLE_FILES) + 1


# --- the workspace is one folder ---------------------------------------------------------------------------------

def test_the_whole_workspace_moved_keeps_working_with_its_history(sources: Path, tmp_path: Path) -> None:
    home = tmp_path / "a" / "ажлын хавтас"
    rows = [["1.1", "Арга хэмжээ", None, None, "Хэрэгжилт - 100%", "I-IV улирал", None, None, "Хэрэгжих шатандаа", None, None]]
    september = write_xlsx(tmp_path / "ЗУХ 9 сар.xlsx", template_rows(rows, department=ZUH, month=9),
                           saved=dt.datetime(2026, 10, 2, 9))
    run(home, feed(tmp_path / "9", september.parent, [september.name]))
    run(home, feed(tmp_path / "10", sources, EXAMPLE_FILES))
    published, table = measures_csv(home), departments(home)

    moved = tmp_path / "b" / "шинэ газар"
    moved.parent.mkdir(parents=True)
    shutil.move(str(home), str(moved))
    assert "Өөрчлөлт алга" in run(moved)
    shutil.rmtree(moved / "output")  # a full rebuild from the moved archive and store
    run(moved)
    assert measures_csv(moved) == published
    assert departments(moved) == table
    assert table[ZUH]["Өмнөх үе, %"] == 70.0  # September's figure, from the history that moved with it
