"""`negtgel run` and `negtgel validate` on the example data shipped in input/, checked row by row."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from tests.conftest import EXAMPLES, MAPPINGS

MEASURES_HEADER = [
    "department", "source_file", "sheet", "row", "goal", "measure_no", "measure", "indicator", "target_text",
    "target_kind", "target_op", "target_value", "target_due", "timeframe_text", "quarters", "due", "actual_text",
    "actual_value", "achievement", "level", "status", "basis", "flags",
]
FIELDS = ("source_file", "sheet", "row", "target_kind", "target_op", "target_value", "timeframe_text", "quarters", "due",
          "actual_text", "actual_value", "achievement", "level", "status", "basis", "flags")


@pytest.fixture(scope="module")
def example_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    work = tmp_path_factory.mktemp("example")
    inbox = work / "input"
    shutil.copytree(EXAMPLES, inbox, ignore=shutil.ignore_patterns("archive", "quarantine"))
    result = CliRunner().invoke(cli, ["run", str(inbox), "-o", str(work / "output"), "--mappings", str(MAPPINGS)])
    with (work / "output" / "2026-10" / "measures.csv").open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = [dict(zip(header, row, strict=True)) for row in reader]
    return {"result": result, "header": header, "rows": rows, "inbox": inbox}


def measure(run: dict[str, object], department: str, number: str) -> dict[str, str]:
    rows = [r for r in run["rows"] if r["department"] == department and r["measure_no"] == number]  # type: ignore[attr-defined]
    assert len(rows) == 1, (department, number)
    return rows[0]


def test_the_run_prints_its_summary_and_exits_1_for_the_one_error(example_run: dict[str, object]) -> None:
    result = example_run["result"]
    assert result.exit_code == 1, result.output  # type: ignore[attr-defined]
    assert "2026-10: 9 файл, 9/10 хэлтэс, 169 арга хэмжээ, 1 алдаа" in result.output  # type: ignore[attr-defined]
    assert "Нийт хэрэгжилт: 81.9 % Сайн" in result.output  # type: ignore[attr-defined]


def test_measures_csv_has_exactly_the_published_columns(example_run: dict[str, object]) -> None:
    assert example_run["header"] == MEASURES_HEADER
    assert len(example_run["rows"]) == 169  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("department", "number", "expected"),
    [
        # `1-1V` read as I-IV, flagged; three of "not less than three" done.
        ("Захиргаа, удирдлагын хэлтэс", "1.3",
         ("ЗУХ 10 сарын тайлан.xlsx", "Төлөвлөгөө", "11", "count", ">=", "3", "1-1V улирал", "1,2,3,4", "true",
          "3", "3", "100.00", "100", "done", "computed", "timeframe-interpreted")),
        # Seed 003's "I-V улирал": an error, counted as due, never scored.
        ("Хүнс, хөдөө аж ахуйн газар", "2.6",
         ("ХХААГ_2026-10_тайлан.xlsx", "Sheet1", "27", "percent", ">=", "95", "I-V улирал", "", "true",
          "100%", "100", "", "", "unscored", "", "timeframe-invalid")),
        # Seed 003's measure 2.2, broken over two rows, read as one measure from its first row.
        ("Хүнс, хөдөө аж ахуйн газар", "2.2",
         ("ХХААГ_2026-10_тайлан.xlsx", "Sheet1", "21", "percent", ">=", "90", "I-II улирал", "1,2", "true",
          "100%", "100", "100.00", "100", "done", "computed", "")),
        # 0.682 with a percent format is 68.2 %, and is shown as the official saw it in Excel.
        ("Хөгжлийн бодлого, төлөвлөлтийн хэлтэс", "1.4",
         ("Хөгжлийн бодлого 10-р сар.xlsx", "Төлөвлөгөө", "12", "percent", ">=", "70", "III-IV улирал", "3,4", "true",
          "68.2%", "68.2", "97.43", "70", "in_progress", "computed", "")),
        # One number in a narrative is taken, and flagged.
        ("Эрүүл мэндийн газар", "1.2",
         ("ЭМГ 10-р сарын биелэлт.xlsx", "Төлөвлөгөө", "10", "count", ">=", "5000", "II-III улирал", "2,3", "true",
          "Нийт 4380 хүүхдийг вакцинжуулсан", "4380", "87.60", "70", "in_progress", "computed", "actual-from-narrative")),
        # Not yet due: left out of every mean.
        ("Боловсролын газар", "5.3",
         ("Боловсролын газар_2026_10.xlsx", "Төлөвлөгөө", "33", "binary", "done", "", "Жилийн эцэст", "4", "false",
          "Хугацаа болоогүй", "", "", "", "not_due", "", "")),
        # A cell typed in a legacy 8-bit font is converted and flagged on its measure.
        ("Хууль, эрх зүйн хэлтэс", "2.4",
         ("ХЭЗХ тайлан 2026-10.xlsx", "Төлөвлөгөө", "18", "count", ">=", "8", "I-IV улирал", "1,2,3,4", "true",
          "8", "8", "100.00", "100", "done", "computed", "legacy-text-converted")),
    ],
)
def test_measures_csv_row_by_row(example_run: dict[str, object], department: str, number: str, expected: tuple[str, ...]) -> None:
    row = measure(example_run, department, number)
    assert tuple(row[f] for f in FIELDS) == expected


def test_the_continuation_row_is_joined_into_the_measure_text(example_run: dict[str, object]) -> None:
    row = measure(example_run, "Хүнс, хөдөө аж ахуйн газар", "2.2")
    assert row["measure"].endswith("гомдлыг 2022 оны 05 дугаар сарын 01-ний өдөрт багтаан шийдвэрлэн хариу өгнө.")


def test_validate_lists_each_problem_with_its_place_and_exits_1() -> None:
    result = CliRunner().invoke(cli, ["validate", str(EXAMPLES), "--mappings", str(MAPPINGS), "--lang", "en"])
    assert result.exit_code == 1
    lines = [line.split("\t") for line in result.output.splitlines() if "\t" in line]
    invalid = [line for line in lines if line[2] == "timeframe-invalid"]
    assert len(invalid) == 1
    assert invalid[0][0].endswith("ХХААГ_2026-10_тайлан.xlsx")
    assert invalid[0][1] == "Sheet1 E27"
    assert invalid[0][3] == "error"
    assert 'The timeframe "I-V улирал" was not understood' in invalid[0][4]
    assert "9 files checked: 1 error, 6 warnings." in result.output


def test_validate_is_clean_on_a_good_template(tmp_path: Path) -> None:
    from tests.helpers import template_rows, write_xlsx

    path = write_xlsx(tmp_path / "good.xlsx", template_rows(
        [["1.1", "Ажил", None, None, "Гурваас доошгүй", "I-IV улирал", None, None, 3, None, None]]))
    result = CliRunner().invoke(cli, ["validate", str(path), "--mappings", str(MAPPINGS)])
    assert result.exit_code == 0, result.output
    assert "1 файл шалгалаа: 0 алдаа, 0 анхааруулга." in result.output


def test_the_missing_and_the_late_are_on_the_specialists_list(example_run: dict[str, object]) -> None:
    problems = Path(str(example_run["inbox"])).parent / "output" / "2026-10" / "problems.csv"
    with problems.open(encoding="utf-8-sig", newline="") as handle:
        rows = {(r["code"], r["file"]): r["message"] for r in csv.DictReader(handle)}
    assert "Л.Ганзориг" in rows[("report-missing", "")]
    assert "5 хоног хоцорч ирүүлсэн" in rows[("report-late", "БОАЖГ_тайлан_10сар.xlsx")]
    assert "«" not in rows[("report-late", "БОАЖГ_тайлан_10сар.xlsx")]  # no stray quoting


def test_every_measure_flag_has_a_name_in_both_languages() -> None:
    from pipeline.labels import FLAG_LABELS
    from pipeline.problems import CATALOGUE

    assert set(FLAG_LABELS) <= set(CATALOGUE)
    row_codes = {"timeframe-interpreted", "timeframe-invalid", "target-missing", "target-unparsed", "actual-from-narrative",
                 "actual-ambiguous", "actual-interpreted", "actual-unread", "self-assessed", "unscored", "legacy-text-converted", "formula-no-value"}
    assert row_codes <= set(FLAG_LABELS)


def test_measures_csv_written_in_chunks_is_the_same_file(example_run: dict[str, object], tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 19: measures.csv is formatted a chunk of rows at a time; the bytes do not depend on the chunk."""
    from pipeline.output import csvs

    monkeypatch.setattr(csvs, "CSV_CHUNK", 7)  # 169 measures: 25 chunks, the last one short
    inbox = example_run["inbox"]
    result = CliRunner().invoke(cli, ["run", str(inbox), "-o", str(tmp_path / "output"), "--workspace", str(tmp_path / "ws"),
                                      "--mappings", str(MAPPINGS)])
    assert result.exit_code == 1, result.output
    published = inbox.parent / "output" / "2026-10" / "measures.csv"  # type: ignore[attr-defined]
    chunked = (tmp_path / "output" / "2026-10" / "measures.csv").read_bytes()
    assert chunked == published.read_bytes()
    assert chunked.count(b"\r\n") == 170
