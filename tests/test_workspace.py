"""The workspace (issue 11, items 1-3): one folder holds the mappings, the archive, the store and the outputs;
input folders only feed it; the archive is verified before any figure rests on it; `negtgel init` makes one."""

from __future__ import annotations

import configparser
import csv
import datetime as dt
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from pipeline.cli import cli
from pipeline.workspace import DEFAULT_FILES, DEFAULT_FOLDERS, default_mappings
from tests.conftest import EXAMPLES, MAPPINGS, ROOT
from tests.helpers import template_rows, write_xlsx

ZUH = "Захиргаа, удирдлагын хэлтэс"


def invoke(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result


def examples(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for path in EXAMPLES.glob("*.xlsx"):
        shutil.copy2(path, folder / path.name)
    return folder


def correction(folder: Path, name: str = "ЗУХ 10 сар засвар.xlsx") -> Path:
    rows = [["1.1", "Засварласан арга хэмжээ", None, None, "Хэрэгжилт - 100%", "I-IV улирал", None, None, "Бүрэн хэрэгжсэн",
             None, None]]
    return write_xlsx(folder / name, template_rows(rows, department=ZUH, month=10), saved=dt.datetime(2026, 11, 4, 10))


def measures(out: Path) -> list[dict[str, str]]:
    with (out / "2026-10" / "measures.csv").open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def published(out: Path) -> dict[str, bytes]:
    return {name: (out / "2026-10" / name).read_bytes() for name in ("measures.csv", "problems.csv")}


# --- 1. the archive belongs to the workspace, not to the input folder ----------------------------------------------

def test_the_same_files_from_another_folder_are_known_and_a_correction_is_taken(tmp_path: Path, own_workspace: Path) -> None:
    first, second = examples(tmp_path / "input"), tmp_path / "input2"
    assert invoke("run", str(first)).exit_code == 1  # the example's one deliberate error
    shutil.copytree(first, second)
    correction(second)
    result = invoke("run", str(second))
    out = own_workspace / "output"
    # The nine known files are neither re-read nor missing: the correction replaces ЗУХ's report, nothing else moves.
    assert "архивт олдсонгүй" not in result.output and "missing from the archive" not in result.output
    assert "2026-10: 10 файл, 9/10 хэлтэс" in result.output, result.output
    rows = measures(out)
    assert {r["source_file"] for r in rows if r["department"] == ZUH} == {"ЗУХ 10 сар засвар.xlsx"}
    assert len([r for r in rows if r["department"] != ZUH]) == 169 - 18

    # The same files fed to a fresh workspace in one batch give the same figures, byte for byte.
    fresh = tmp_path / "fresh"
    invoke("run", str(second), "--workspace", str(fresh), "--mappings", str(MAPPINGS))
    assert published(fresh / "output") == published(out)
    # And feeding the first folder again says "no change" over figures that equal that rebuild.
    again = invoke("run", str(first))
    assert "Өөрчлөлт алга" in again.output
    assert published(out) == published(fresh / "output")


@pytest.mark.parametrize("damage", ["delete", "edit"])
def test_a_missing_or_changed_archived_file_stops_the_period_and_keeps_the_outputs(
    tmp_path: Path, own_workspace: Path, damage: str
) -> None:
    inbox = examples(tmp_path / "input")
    invoke("run", str(inbox))
    out = own_workspace / "output"
    before = published(out)
    archived = next((own_workspace / "archive" / "2026-10").rglob("ЭМГ*.xlsx"))
    if damage == "delete":
        archived.unlink()
    else:
        archived.write_bytes(archived.read_bytes() + b"\0")
    correction(inbox)  # something new, so the run would otherwise rebuild and publish
    result = invoke("run", str(inbox))
    assert result.exit_code == 1
    code = "олдсонгүй" if damage == "delete" else "өөрчлөгдсөн"
    assert "2026-10 сарын нэгтгэлийг нийтлээгүй" in result.output and code in result.output
    assert "ЭМГ 10-р сарын биелэлт.xlsx" in result.output and "archive/2026-10/ЭМГ/" in result.output
    assert published(out) == before  # the previous outputs stay exactly as they were
    # `close` refuses the same way: a closed period must rest on every file it names.
    closing = invoke("close", "--period", "2026-10", "--reason", "шалгалт")
    assert closing.exit_code == 1 and "нийтлээгүй" in closing.output


# --- 2. negtgel init, and finding the workspace --------------------------------------------------------------------

def test_init_writes_a_workspace_and_every_command_finds_it_from_inside(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEGTGEL_WORKSPACE")
    monkeypatch.delenv("NEGTGEL_MAPPINGS")
    home = tmp_path / "negtgel-work"
    result = invoke("init", str(home))
    assert result.exit_code == 0 and "negtgel run" in result.output
    assert sorted(p.name for p in (home / "mappings").iterdir()) == sorted([*DEFAULT_FILES, *DEFAULT_FOLDERS, "departments.yaml"])
    assert (home / "input").is_dir() and (home / "output").is_dir()
    assert "Алхмууд" in (home / "README.md").read_text(encoding="utf-8")
    for name in DEFAULT_FILES:
        assert (home / "mappings" / name).read_bytes() == (MAPPINGS / name).read_bytes()
    for shipped in (MAPPINGS / "scorecards").glob("*.yaml"):  # the example scorecards (issue 18)
        assert (home / "mappings" / "scorecards" / shipped.name).read_bytes() == shipped.read_bytes()
    assert {p.name for p in (home / "mappings" / "scorecards").iterdir()} == {"campaign.yaml", "monthly.yaml"}

    # A second init changes nothing and says so.
    (home / "mappings" / "settings.yaml").write_text((MAPPINGS / "settings.yaml").read_text(encoding="utf-8") + "# mine\n",
                                                      encoding="utf-8")
    again = invoke("init", str(home))
    assert again.exit_code == 1 and "аль хэдийн" in again.output
    assert (home / "mappings" / "settings.yaml").read_text(encoding="utf-8").endswith("# mine\n")

    # From a folder below the workspace, as git finds .git.
    correction(home / "input")
    (home / "input" / "доод").mkdir()
    monkeypatch.chdir(home / "input" / "доод")
    result = invoke("run")
    assert result.exit_code == 0, result.output
    assert (home / "output" / "2026-10" / "measures.csv").is_file()
    assert list((home / "archive" / "2026-10").rglob("*.xlsx"))
    assert (home / "negtgel.db").is_file()
    assert "2026-10" in invoke("status").output


@pytest.mark.parametrize("command", [["run"], ["status"], ["validate", "."], ["close", "--period", "2026-10", "--reason", "x"]])
def test_outside_a_workspace_every_command_says_how_to_make_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    monkeypatch.delenv("NEGTGEL_WORKSPACE")
    monkeypatch.delenv("NEGTGEL_MAPPINGS")
    monkeypatch.chdir(tmp_path)
    result = invoke(*command)
    assert result.exit_code == 1
    assert "negtgel init" in result.output and "workspace" in result.output
    assert list(tmp_path.iterdir()) == []  # and writes nothing


def test_a_folder_that_is_not_a_workspace_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEGTGEL_MAPPINGS")
    result = invoke("run", "--workspace", str(tmp_path / "nowhere"))
    assert result.exit_code == 1 and f"negtgel init {tmp_path / 'nowhere'}" in result.output


def test_the_default_mappings_ship_inside_the_package() -> None:
    shipped = default_mappings()
    for name in (*DEFAULT_FILES, "departments.yaml", "scorecards/campaign.yaml", "scorecards/monthly.yaml"):
        assert (shipped / name).is_file(), name
    assert "scorecards/*.yaml" in parser_of_setup()["options.package_data"]["pipeline.defaults"]
    # setup.cfg lists every package (pipeline.defaults is the mappings/ folder): a new subpackage must be added.
    parser = configparser.ConfigParser()
    parser.read(ROOT / "setup.cfg", encoding="utf-8")
    listed = set(parser["options"]["packages"].split())
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "pipeline").rglob("*.py")
             if "__pycache__" not in p.parts}
    assert found | {"pipeline.defaults"} == listed
    assert "pipeline.defaults = mappings" in parser["options"]["package_dir"]


def parser_of_setup() -> configparser.ConfigParser:
    parser = configparser.ConfigParser()
    parser.read(ROOT / "setup.cfg", encoding="utf-8")
    return parser


# --- 3. the main job never writes into the shipped examples ---------------------------------------------------------

def test_the_readme_run_in_the_repository_layout_leaves_input_as_shipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEGTGEL_WORKSPACE")
    monkeypatch.delenv("NEGTGEL_MAPPINGS")
    repo = tmp_path / "clone"
    shutil.copytree(MAPPINGS, repo / "mappings")
    examples(repo / "input")
    shipped = {p.name: p.read_bytes() for p in (repo / "input").iterdir()}
    monkeypatch.chdir(repo)
    assert invoke("run").exit_code == 1  # README's first command; 1 for the example's deliberate error
    assert {p.name: p.read_bytes() for p in (repo / "input").iterdir()} == shipped
    assert (repo / "output" / "2026-10" / "summary_2026-10.xlsx").is_file()
    assert (repo / "archive" / "2026-10").is_dir()


def test_a_unit_added_to_the_list_takes_in_its_reports_already_received(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEGTGEL_MAPPINGS")
    home = tmp_path / "ws"
    invoke("init", str(home))  # the new workspace lists one example department, ЗУХ
    examples(home / "input")
    first = invoke("run", "--workspace", str(home))
    assert "1/1 хэлтэс" in first.output
    assert "«Боловсролын газар» гэж бичсэн нь mappings/departments.yaml жагсаалтад алга" in first.output
    with (home / "mappings" / "departments.yaml").open("a", encoding="utf-8") as handle:
        handle.write('  - name: "Боловсролын газар"\n    short: "БГ"\n')
    second = invoke("run", "--workspace", str(home))
    assert "2/2 хэлтэс" in second.output, second.output
    assert "Боловсролын газар" not in second.output.split("Нийт хэрэгжилт")[1].split("✗")[0]
    rows = measures(home / "output")
    assert {r["department"] for r in rows} == {ZUH, "Боловсролын газар"}


def test_a_blank_template_is_an_error_and_not_a_report(tmp_path: Path, own_workspace: Path) -> None:
    inbox = tmp_path / "input"
    inbox.mkdir()
    correction(inbox)
    write_xlsx(inbox / "БГ хоосон.xlsx", template_rows([], department="Боловсролын газар", month=10),
               saved=dt.datetime(2026, 11, 2, 9))
    result = invoke("run", str(inbox))
    assert result.exit_code == 1
    assert "2026-10: 2 файл, 1/10 хэлтэс" in result.output
    assert "Загварт нэг ч арга хэмжээ бичигдээгүй" in result.output
    assert "Боловсролын газар" in result.output.split("Ирүүлээгүй:")[1]
    with (own_workspace / "output" / "2026-10" / "problems.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["file"] == "БГ хоосон.xlsx"]
    assert [(r["code"], r["severity"], r["cell"]) for r in rows] == [("template-empty", "error", "B7")]


def test_the_workspace_itself_is_not_an_input_folder(own_workspace: Path) -> None:
    result = invoke("run", str(own_workspace))
    assert result.exit_code == 1 and "оролтын хавтас биш" in result.output
    assert not (own_workspace / "archive").exists()
