"""Issue 17, part 1: a hierarchy inside one workspace, through the command line on real template files.

The tree (departments.yaml of a workspace of its own):

    Алтантал аймаг (аймаг, reports: false)
    ├── Сумд (бүлэг, reports: false)
    │   ├── Баянхонгор сум (сум): 100, 100, 70      -> 270 / 3 = 90.0
    │   ├── Жаргалант сум (сум):  100, 30           -> 130 / 2 = 65.0
    │   └── Өлзийт сум (сум):     did not report
    ├── Захиргаа, удирдлагын хэлтэс (хэлтэс): 100, 70, 70, 0 and one not due -> 240 / 4 = 60.0
    └── Боловсролын газар (газар): 100      -> 100.0

Hand-computed: Сумд = (270 + 130) / 5 = 80.0 (mean of measures) or (90 + 65) / 2 = 77.5 (mean of children);
the aimag = 740 / 10 = 74.0, or (77.5 + 60 + 100) / 3 = 79.17 -> 79.2.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.config import load_config
from pipeline.errors import ConfigError
from tests.conftest import EXAMPLES, MAPPINGS
from tests.helpers import template_rows, write_xlsx

LEVEL_WORDS = {100: "Бүрэн хэрэгжсэн", 70: "Хэрэгжих шатандаа", 30: "Хэрэгжилт хангалтгүй", 0: "Хэрэгжээгүй"}
AIMAG = "Алтантал аймаг"
SOUMS = "Сумд"
BH, JA, OL = "Баянхонгор сум", "Жаргалант сум", "Өлзийт сум"
ZUH, BG = "Захиргаа, удирдлагын хэлтэс", "Боловсролын газар"

AIMAG_UNITS = f"""departments:
  - {{name: "{AIMAG}", short: "Аймаг", level: "аймаг", reports: false}}
  - {{name: "{SOUMS}", parent: "Аймаг", level: "бүлэг", reports: false}}
  - {{name: "{BH}", short: "БХС", parent: "{SOUMS}", level: "сум"}}
  - {{name: "{JA}", short: "ЖС", parent: "{SOUMS}", level: "сум"}}
  - {{name: "{OL}", short: "ӨС", parent: "{SOUMS}", level: "сум", official: "Б.Болд, 9911-0000"}}
  - {{name: "{ZUH}", short: "ЗУХ", parent: "{AIMAG}", level: "хэлтэс"}}
  - {{name: "{BG}", short: "БГ", parent: "{AIMAG}", level: "газар"}}
"""


def workspace_with(root: Path, departments_yaml: str, methodology_edit: tuple[str, str] | None = None) -> Path:
    """A workspace of its own: the repository's mappings copied, its own departments.yaml."""
    mappings = root / "mappings"
    shutil.copytree(MAPPINGS, mappings)
    (mappings / "departments.yaml").write_text(departments_yaml, encoding="utf-8")
    if methodology_edit is not None:
        path = mappings / "methodology.yaml"
        path.write_text(path.read_text(encoding="utf-8") + f"\n{methodology_edit[0]}: {methodology_edit[1]}\n", encoding="utf-8")
    (root / "input").mkdir(exist_ok=True)
    return root


def template(folder: Path, department: str, levels: Sequence[int | None], *, month: int = 10, tag: str = "") -> Path:
    """A real filled template: one measure per level (None: not yet due, timeframe IV улирал... in a IV-quarter
    month it is due, so a not-due measure says ХБ in its achieved column)."""
    rows = []
    for i, level in enumerate(levels, start=1):
        achieved = "ХБ" if level is None else LEVEL_WORDS[level]
        rows.append([f"1.{i}", f"{department}: арга хэмжээ {i}{tag}", None, None, "Хэрэгжилт - 100%", "I-IV улирал", None, None,
                     achieved, None, None])
    folder.mkdir(parents=True, exist_ok=True)
    return write_xlsx(folder / f"{department}{tag} {month} сар.xlsx", template_rows(rows, department=department, month=month),
                      saved=dt.datetime(2026, 11, 3, 10))


def cli_run(*args: str, ok: Sequence[int] = (0,)) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code in ok, result.output
    return result.output


def run_ws(ws: Path, *extra: str, ok: Sequence[int] = (0,)) -> str:
    return cli_run("run", "--workspace", str(ws), "--mappings", str(ws / "mappings"), "--period", "2026-10", *extra, ok=ok)


def sheet_rows(path: Path, sheet: str) -> list[tuple[Any, ...]]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return [tuple(row) for row in book[sheet].iter_rows(values_only=True)]
    finally:
        book.close()


def hierarchy_table(ws: Path, sheet: str = "Шатлал") -> dict[str, dict[str, Any]]:
    """The top table of the summary's hierarchy sheet, by unit name (indentation stripped)."""
    rows = sheet_rows(ws / "output" / "2026-10" / "summary_2026-10.xlsx", sheet)
    start = next(i for i, row in enumerate(rows) if row and row[0] in ("Нэгж", "Unit"))
    header = rows[start]
    table: dict[str, dict[str, Any]] = {}
    for row in rows[start + 1:]:
        if not row or not row[0]:
            break
        table[str(row[0]).strip()] = dict(zip(header, row, strict=False))
    return table


def measures(ws: Path) -> list[dict[str, str]]:
    with (ws / "output" / "2026-10" / "measures.csv").open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def fill_aimag_inputs(folder: Path) -> None:
    template(folder, BH, [100, 100, 70])
    template(folder, JA, [100, 30])
    template(folder, ZUH, [100, 70, 70, 0, None])
    template(folder, BG, [100])


@pytest.fixture(scope="module")
def aimag(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ws = workspace_with(tmp_path_factory.mktemp("aimag"), AIMAG_UNITS)
    fill_aimag_inputs(ws / "input")
    run_ws(ws)
    return ws


def test_every_level_has_its_figure_completeness_and_rank_inside_its_parent(aimag: Path) -> None:
    table = hierarchy_table(aimag)
    pct = {name: row["Хэрэгжилт, %"] for name, row in table.items()}
    assert pct == {AIMAG: 74.0, SOUMS: 80.0, BH: 90.0, JA: 65.0, OL: None, ZUH: 60.0, BG: 100.0}
    assert table[SOUMS]["Ирц"] == "3 сумаас 1 нь ирүүлээгүй"
    assert table[AIMAG]["Ирц"] == "5 нэгжээс 1 нь ирүүлээгүй"
    assert table[SOUMS]["Ирүүлээгүй нэгжүүд"] == OL
    rank = {name: row["Дотроо байр"] for name, row in table.items()}
    assert rank == {AIMAG: None, SOUMS: 2, BH: 1, JA: 2, OL: None, ZUH: 3, BG: 1}
    assert table[BH]["Шатлал дахь байршил"] == f"{AIMAG}/{SOUMS}/{BH}"
    rows = sheet_rows(aimag / "output" / "2026-10" / "summary_2026-10.xlsx", "Шатлал")
    assert any(row[0] == f"{SOUMS} — 80.0 %" for row in rows)  # a block per parent
    assert "mean_of_measures" in str(rows[1][0])  # which rule, on the sheet


def test_the_overall_figure_is_the_top_of_the_tree_and_grouping_units_are_not_expected(aimag: Path) -> None:
    rows = sheet_rows(aimag / "output" / "2026-10" / "summary_2026-10.xlsx", "Хэлтсүүд")
    names = {str(row[1]) for row in rows[4:] if row and row[1]}
    assert names == {BH, JA, OL, ZUH, BG}  # Аймаг and Сумд report nothing themselves
    output = run_ws(aimag)  # no change: the same figures
    assert "74.0" in output or "өөрчлөлтгүй" in output.lower() or "no change" in output.lower()


def test_measures_csv_and_the_consolidated_workbook_carry_the_path_last(aimag: Path) -> None:
    rows = measures(aimag)
    header = list(rows[0])
    assert header[-1] == "parent_path"
    assert {r["department"]: r["parent_path"] for r in rows}[JA] == f"{AIMAG}/{SOUMS}/{JA}"
    assert {r["parent_path"] for r in rows if r["department"] == ZUH} == {f"{AIMAG}/{ZUH}"}
    main = sheet_rows(aimag / "output" / "2026-10" / "negtgel_2026-10.xlsx", "Нэгтгэл")
    assert main[0][-1] == "Шатлал дахь байршил"
    assert f"{AIMAG}/{SOUMS}/{BH}" in {row[-1] for row in main[1:]}


def test_the_methodology_can_take_the_mean_of_the_children(tmp_path: Path) -> None:
    ws = workspace_with(tmp_path, AIMAG_UNITS, ("parent_percent", "mean_of_children"))
    fill_aimag_inputs(ws / "input")
    run_ws(ws)
    pct = {name: row["Хэрэгжилт, %"] for name, row in hierarchy_table(ws).items()}
    assert pct[SOUMS] == 77.5
    assert pct[AIMAG] == 79.2
    rows = sheet_rows(ws / "output" / "2026-10" / "summary_2026-10.xlsx", "Шатлал")
    assert "mean_of_children" in str(rows[1][0])


def test_english_outputs_name_the_levels_in_english(aimag: Path) -> None:
    run_ws(aimag, "--lang", "en")
    rows = sheet_rows(aimag / "output" / "2026-10" / "summary_2026-10.en.xlsx", "Hierarchy")
    assert rows[0][0] == "The hierarchy: every level"
    assert any(row and row[10] == "1 of 3 soums missing" for row in rows)


def test_without_parents_every_output_stays_as_it_was(tmp_path: Path) -> None:
    """Levels alone (no parent) change nothing: the same measures.csv and the same summary sheets as the
    repository's own departments.yaml."""
    plain = tmp_path / "plain"
    plain.mkdir()
    shutil.copytree(MAPPINGS, plain / "mappings")
    shutil.copytree(EXAMPLES, plain / "input", ignore=shutil.ignore_patterns("~$*"))
    leveled = tmp_path / "leveled"
    leveled.mkdir()
    shutil.copytree(MAPPINGS, leveled / "mappings")
    shutil.copytree(EXAMPLES, leveled / "input", ignore=shutil.ignore_patterns("~$*"))
    path = leveled / "mappings" / "departments.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace('    official:', '    level: "хэлтэс"\n    official:'), encoding="utf-8")
    assert "level:" in path.read_text(encoding="utf-8")
    for ws in (plain, leveled):
        run_ws(ws, ok=(0, 1))
    a, b = plain / "output" / "2026-10", leveled / "output" / "2026-10"
    assert (a / "measures.csv").read_bytes() == (b / "measures.csv").read_bytes()
    book = openpyxl.load_workbook(b / "summary_2026-10.xlsx", read_only=True)
    assert "Шатлал" not in book.sheetnames
    book.close()
    assert sheet_rows(b / "negtgel_2026-10.xlsx", "Нэгтгэл")[0][-1] != "Шатлал дахь байршил"


# --- departments.yaml is checked ---------------------------------------------------------------------------------
def config_issues(tmp_path: Path, departments_yaml: str) -> list[tuple[str, str, str]]:
    ws = workspace_with(tmp_path, departments_yaml)
    with pytest.raises(ConfigError) as caught:
        load_config(ws / "mappings")
    return [(Path(i.file).name, i.key, i.message) for i in caught.value.issues]


def test_a_parent_that_names_no_unit_is_refused_with_the_nearest_name(tmp_path: Path) -> None:
    issues = config_issues(tmp_path, AIMAG_UNITS.replace(f'parent: "{SOUMS}", level: "сум"}}\n  - {{name: "{JA}"',
                                                         f'parent: "Сумдд", level: "сум"}}\n  - {{name: "{JA}"'))
    assert issues == [("departments.yaml", "departments[2].parent",
                       '"Сумдд" нэгж departments-д алга / no unit is named "Сумдд"; did you mean "Сумд"?')]


def test_a_cycle_is_refused_naming_each_unit(tmp_path: Path) -> None:
    text = AIMAG_UNITS.replace('short: "Аймаг", level: "аймаг"', 'short: "Аймаг", parent: "БХС", level: "аймаг"')
    issues = config_issues(tmp_path, text)
    cycle = f"{AIMAG} → {BH} → {SOUMS} → {AIMAG}"  # each unit, then its parent
    assert issues == [("departments.yaml", "departments[0].parent",
                       f"дээд нэгжүүд давталт үүсгэж байна: {cycle} / the parents make a cycle: {cycle}")]


def test_a_unit_its_own_parent_is_a_cycle(tmp_path: Path) -> None:
    issues = config_issues(tmp_path, AIMAG_UNITS.replace('short: "БГ", parent: "Алтантал аймаг"', 'short: "БГ", parent: "БГ"'))
    assert issues == [("departments.yaml", "departments[6].parent", f"дээд нэгжүүд давталт үүсгэж байна: {BG} → {BG} / the parents make a cycle: {BG} → {BG}")]


def test_a_mistyped_key_in_a_unit_is_refused(tmp_path: Path) -> None:
    issues = config_issues(tmp_path, AIMAG_UNITS.replace('parent: "Аймаг", level: "бүлэг"', 'parnt: "Аймаг", level: "бүлэг"'))
    assert issues[0][:2] == ("departments.yaml", "departments[1].parnt")
    assert 'did you mean "parent"?' in issues[0][2]


def test_a_closed_period_keeps_its_tree_and_a_scorecard_lists_only_the_units_that_report(tmp_path: Path) -> None:
    ws = workspace_with(tmp_path, AIMAG_UNITS)
    fill_aimag_inputs(ws / "input")
    run_ws(ws)
    before = hierarchy_table(ws)
    cli_run("close", "--period", "2026-10", "--reason", "Баталсан", "--workspace", str(ws), "--mappings", str(ws / "mappings"))
    # departments.yaml changed after closing: the closed period still shows the tree it was closed with
    (ws / "mappings" / "departments.yaml").write_text(AIMAG_UNITS.replace(f'parent: "{SOUMS}"', 'parent: "Аймаг"'), encoding="utf-8")
    run_ws(ws)
    assert hierarchy_table(ws) == before
    cli_run("scorecard", "template", "monthly", "--period", "2026-10", "--workspace", str(ws), "--mappings", str(ws / "mappings"))
    book = next((ws / "output" / "2026-10").glob("scorecard_monthly_2026-10*.xlsx"))
    cells = {str(v) for row in sheet_rows(book, openpyxl.load_workbook(book, read_only=True).sheetnames[0]) for v in row if v}
    assert {BH, JA, OL, ZUH, BG} <= cells
    assert AIMAG not in cells and SOUMS not in cells
