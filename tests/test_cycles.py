"""Every reporting cycle (issue 16, part 4): period names, their arithmetic, the words files use for them,
and whole runs of a quarter, a half-year and a year on real template files in a workspace of their own."""

from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from click.testing import CliRunner, Result

from pipeline import cycles
from pipeline.cli import cli
from pipeline.config import Config, load_config
from pipeline.cycles import Period, PeriodError, PeriodWords
from pipeline.errors import NegtgelError
from pipeline.intake import resolve_period
from pipeline.read.workbook import read_file
from pipeline.template import write_template
from pipeline.workspace import Workspace
from tests.conftest import MAPPINGS
from tests.helpers import template_rows, write_xlsx
from tests.test_pipeline import published_aimag_rows

MN = dt.timezone(dt.timedelta(hours=8))
ZUH = "Захиргаа, удирдлагын хэлтэс"
HBTH = "Хөгжлийн бодлого, төлөвлөлтийн хэлтэс"
HEZH = "Хууль, эрх зүйн хэлтэс"
HSHU = "Хяналт-шинжилгээ, үнэлгээ, дотоод аудитын хэлтэс"


# --- names and arithmetic ------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "name", "kind", "months", "first", "last", "quarter", "previous"), [
    ("2026-10", "2026-10", "month", (10,), dt.date(2026, 10, 1), dt.date(2026, 10, 31), 4, "2026-09"),
    ("2026-1", "2026-01", "month", (1,), dt.date(2026, 1, 1), dt.date(2026, 1, 31), 1, "2025-12"),
    ("2028-02", "2028-02", "month", (2,), dt.date(2028, 2, 1), dt.date(2028, 2, 29), 1, "2028-01"),
    ("2026-Q3", "2026-Q3", "quarter", (7, 8, 9), dt.date(2026, 7, 1), dt.date(2026, 9, 30), 3, "2026-Q2"),
    ("2026-q1", "2026-Q1", "quarter", (1, 2, 3), dt.date(2026, 1, 1), dt.date(2026, 3, 31), 1, "2025-Q4"),
    ("2026-H1", "2026-H1", "half", (1, 2, 3, 4, 5, 6), dt.date(2026, 1, 1), dt.date(2026, 6, 30), 2, "2025-H2"),
    ("2026-h2", "2026-H2", "half", (7, 8, 9, 10, 11, 12), dt.date(2026, 7, 1), dt.date(2026, 12, 31), 4, "2026-H1"),
    (" 2026 ", "2026", "year", tuple(range(1, 13)), dt.date(2026, 1, 1), dt.date(2026, 12, 31), 4, "2025"),
])
def test_a_period_name_gives_its_kind_months_days_quarter_and_previous(
    text: str, name: str, kind: str, months: tuple[int, ...], first: dt.date, last: dt.date, quarter: int, previous: str
) -> None:
    period = cycles.parse(text)
    assert (period.name, period.kind, period.months) == (name, kind, months)
    assert (period.first_day, period.last_day, period.quarter, period.previous().name) == (first, last, quarter, previous)
    assert period.previous().next() == period


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "2026-Q5", "2026-Q0", "2026-H3", "26-10", "2026/10", "октябрь", ""])
def test_what_is_no_period_is_refused_with_the_formats(text: str) -> None:
    with pytest.raises(PeriodError, match=re.escape("YYYY-MM, YYYY-Q1..Q4, YYYY-H1/H2, YYYY")):
        cycles.parse(text)
    assert cycles.try_parse(text) is None


def test_deadline_follows_the_period_last_month() -> None:
    assert cycles.parse("2026-10").deadline(5, 1) == dt.date(2026, 11, 5)
    assert cycles.parse("2026-Q3").deadline(5, 1) == dt.date(2026, 10, 5)
    assert cycles.parse("2026-Q4").deadline(10, 1) == dt.date(2027, 1, 10)
    assert cycles.parse("2026-H1").deadline(3, 1) == dt.date(2026, 7, 3)
    assert cycles.parse("2026").deadline(22, 0) == dt.date(2026, 12, 22)
    assert cycles.parse("2026").deadline(5, 2) == dt.date(2027, 2, 5)


def test_periods_are_ordered_by_their_end_and_trends_keep_to_one_kind() -> None:
    names = ["2026", "2026-Q4", "2026-12", "2026-H2", "2026-Q3", "2026-09", "2025", "2026-H1", "2026-Q2", "2026-10"]
    assert cycles.ordered(names) == ["2025", "2026-Q2", "2026-H1", "2026-09", "2026-Q3", "2026-10", "2026-12", "2026-Q4",
                                     "2026-H2", "2026"]
    assert cycles.trend(names, "2026-Q4", 12) == ["2026-Q2", "2026-Q3", "2026-Q4"]
    assert cycles.trend(names, "2026-Q4", 12, include=False) == ["2026-Q2", "2026-Q3"]
    assert cycles.trend(names, "2026-10", 2) == ["2026-09", "2026-10"]
    assert cycles.trend(names, "2026", 12) == ["2025", "2026"]
    assert cycles.trend(names, "2026-H2", 0) == []


def test_labels_in_both_languages() -> None:
    assert [cycles.label(n) for n in ("2026-10", "2026-09", "2026-Q3", "2026-H1", "2026-H2", "2026")] == [
        "2026 оны 10 дугаар сар", "2026 оны 9 дүгээр сар", "2026 оны III улирал", "2026 оны эхний хагас жил",
        "2026 оны хоёрдугаар хагас жил", "2026 он"]
    assert [cycles.label(n, "en") for n in ("2026-10", "2026-Q3", "2026-H2", "2026")] == ["October 2026", "2026 Q3", "2026 H2",
                                                                                         "2026"]
    assert [cycles.parse(n).genitive() for n in ("2026-10", "2026-Q4", "2026-H1", "2026")] == [
        "2026 оны 10 дугаар сарын", "2026 оны IV улирлын", "2026 оны эхний хагас жилийн", "2026 оны"]


def test_a_cycle_makes_its_kind_of_period_and_the_last_one_ended() -> None:
    assert cycles.makes("quarterly", "2026-Q3") and not cycles.makes("quarterly", "2026-08")
    assert cycles.makes("monthly", "2026-08") and not cycles.makes("monthly", "2026-Q3")
    assert all(cycles.makes(cycle, "2026") for cycle in cycles.CYCLES)  # every year ends in the annual evaluation
    assert not cycles.makes("annual", "2026-H2") and not cycles.makes("half-yearly", "2026-Q2")
    assert cycles.makes("half-yearly", "2026-H2") and cycles.makes("annual", "2026")
    assert cycles.last_ended("monthly", dt.date(2026, 11, 4)) == Period(2026, "month", 10)
    assert cycles.last_ended("quarterly", dt.date(2026, 10, 4)) == Period(2026, "quarter", 3)
    assert cycles.last_ended("half-yearly", dt.date(2026, 7, 2)) == Period(2026, "half", 1)
    assert cycles.last_ended("annual", dt.date(2027, 1, 4)) == Period(2026, "year", 1)


def words(config: Config) -> PeriodWords:
    return config.headers.period_words


@pytest.mark.parametrize(("text", "expected"), [
    ("2026 оны III улирал", "2026-Q3"),
    ("3-р улирал", "2026-Q3"),
    ("2 дугаар улирлын тайлан", "2026-Q2"),
    ("ІІІ улирал", "2026-Q3"),  # Cyrillic І typed for the Roman numeral
    ("Ⅳ улирал 2025", "2025-Q4"),
    ("ЗУХ_2026-Q3_тайлан", "2026-Q3"),
    ("ХБТХ 2026 H2", "2026-H2"),
    ("Хагас жилийн тайлан", "2026-H1"),
    ("эхний хагас жил", "2026-H1"),
    ("Хоёрдугаар хагас жилийн биелэлт", "2026-H2"),
    ("2025 оны жилийн эцсийн тайлан", "2025"),
    ("Жилийн тайлан", "2026"),
    ("Жилийн төлөвлөгөөний биелэлт", None),  # the annual plan, not the year's report
    ("Жилийн ажлын төлөвлөгөөний жилийн эцсийн тайлан", "2026"),
    ("10 сарын тайлан", None),
    ("Тайлан", None),
])
def test_period_words_of_the_mappings_name_quarters_halves_and_the_year(config: Config, text: str, expected: str | None) -> None:
    found = cycles.period_in_text(text, words(config), 2026)
    assert (found.name if found else None) == expected


def test_a_period_named_without_a_year_is_the_one_that_ended_before_the_file_came(config: Config) -> None:
    def named(text: str, day: dt.date) -> str | None:
        found = cycles.period_in_text(text, words(config), None, received=day)
        return found.name if found else None

    assert named("IV улирал", dt.date(2027, 1, 6)) == "2026-Q4"
    assert named("III улирал", dt.date(2026, 10, 3)) == "2026-Q3"
    assert named("жилийн эцсийн тайлан", dt.date(2027, 1, 4)) == "2026"
    assert named("жилийн эцсийн тайлан", dt.date(2026, 12, 20)) == "2025"  # before the year's end: the one before
    assert named("хагас жил", dt.date(2026, 7, 2)) == "2026-H1"


def test_the_words_come_from_the_mappings(tmp_path: Path) -> None:
    root = tmp_path / "mappings"
    shutil.copytree(MAPPINGS, root)
    path = root / "headers.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["period_words"]["quarter"] = ["квартал"]
    data["period_words"]["quarter_ordinal"] = ["-й"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    edited = load_config(root).headers.period_words
    assert cycles.period_in_text("III квартал", edited, 2026) == Period(2026, "quarter", 3)
    assert cycles.period_in_text("3-й квартал", edited, 2026) == Period(2026, "quarter", 3)
    assert cycles.period_in_text("3-р квартал", edited, 2026) is None
    assert cycles.period_in_text("III улирал", edited, 2026) is None
    shipped = load_config(MAPPINGS).headers.period_words
    assert cycles.period_in_text("3-р улирал", shipped, 2026) == Period(2026, "quarter", 3)
    assert cycles.period_in_text("2 дугаар улирлын", shipped, 2026) == Period(2026, "quarter", 2)


def test_intake_reads_a_month_with_the_mappings_words_and_an_older_file_takes_the_shipped_ones(
    config: Config, tmp_path: Path
) -> None:
    rows = template_rows(published_aimag_rows()[:3], month=None)
    book = write_xlsx(tmp_path / "book.xlsx", rows)
    root = tmp_path / "mappings"
    shutil.copytree(MAPPINGS, root)
    path = root / "headers.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["period_words"].update(year_word=["год"], month_word=["месяц"], month_ordinal=["-й"])
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    edited = load_config(root)
    assert resolved(edited, book, "ЗУХ 7-й месяц.xlsx") == ("2026-07", "filename")
    assert resolved(edited, book, "ЗУХ 2025 год 3.xlsx") == ("2025-03", "filename")
    assert resolved(edited, book, "ЗУХ 7 дугаар сар.xlsx") == (None, "pending")
    assert resolved(config, book, "ЗУХ 7 дугаар сар.xlsx") == ("2026-07", "filename")
    assert resolved(config, book, "ЗУХ 2025 оны 3.xlsx") == ("2025-03", "filename")
    # A workspace's headers.yaml written before these keys: the shipped words.
    for key in ("year_word", "month_word", "month_ordinal"):
        del data["period_words"][key]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    older = load_config(root)
    assert older.headers.period_words.month_word == ("сар",)
    assert resolved(older, book, "ЗУХ 11 дүгээр сар.xlsx") == ("2026-11", "filename")


# --- intake: which period a real file is for ----------------------------------------------------------


def resolved(config: Config, path: Path, name: str | None = None, received: dt.datetime | None = None) -> tuple[str | None, str]:
    read = read_file(path, config)
    period, source, _ = resolve_period(read, name or path.name, received or dt.datetime(2026, 10, 6, tzinfo=MN),
                                       config.headers.period_words)
    return period, source


def test_intake_reads_the_period_from_the_cells_and_the_file_name(config: Config, tmp_path: Path) -> None:
    measures = published_aimag_rows()[:3]
    # The template's period row, as `negtgel template --period 2026-Q3` writes it.
    written = write_template(tmp_path / "a.xlsx", department=ZUH, year=2026, month=None, config=config, period="2026-Q3")
    assert read_file(written, config).meta["period"] == "2026 оны III улирал"
    assert resolved(config, written) == ("2026-Q3", "cell")
    for period, label in (("2026-H2", "2026 оны хоёрдугаар хагас жил"), ("2026", "2026 он")):
        written = write_template(tmp_path / f"{period}.xlsx", department=ZUH, year=2026, month=None, config=config, period=period)
        assert read_file(written, config).meta["period"] == label
        assert resolved(config, written, received=dt.datetime(2027, 1, 3, tzinfo=MN)) == (period, "cell")
    month = write_template(tmp_path / "m.xlsx", department=ZUH, year=2026, month=10, config=config, period="2026-10")
    assert read_file(month, config).meta["month"] == 10 and resolved(config, month) == ("2026-10", "cell")
    # "III улирал" typed into the month cell.
    typed = write_xlsx(tmp_path / "b.xlsx", template_rows(measures, month="III улирал"))  # type: ignore[arg-type]
    assert resolved(config, typed) == ("2026-Q3", "cell")
    # Nothing in the cells: the file name.
    rows = template_rows(measures, month=None)
    assert resolved(config, write_xlsx(tmp_path / "ХБТХ 3-р улирлын тайлан.xlsx", rows)) == ("2026-Q3", "filename")
    assert resolved(config, write_xlsx(tmp_path / "ЗУХ хагас жилийн тайлан.xlsx", rows)) == ("2026-H1", "filename")
    assert resolved(config, write_xlsx(tmp_path / "ЗУХ жилийн эцсийн тайлан.xlsx", rows),
                    received=dt.datetime(2027, 1, 4, tzinfo=MN)) == ("2026", "filename")
    # A month still wins over "жилийн" in a monthly file's name.
    assert resolved(config, write_xlsx(tmp_path / "ЗУХ жилийн төлөвлөгөөний 10 сарын биелэлт.xlsx", rows)) == ("2026-10", "filename")
    assert resolved(config, write_xlsx(tmp_path / "ЗУХ 2026-Q4.xlsx", rows)) == ("2026-Q4", "filename")


# --- whole runs ----------------------------------------------------------------------------------------


def workspace(tmp_path: Path, cycle: str, own: dict[str, str] | None = None) -> Path:
    """A workspace with the shipped mappings, settings.yaml `cycle` set and some departments on their own cycle."""
    root = tmp_path / "ws"
    shutil.copytree(MAPPINGS, root / "mappings")
    settings = root / "mappings" / "settings.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("cycle: monthly", f"cycle: {cycle}"), encoding="utf-8")
    if own:
        path = root / "mappings" / "departments.yaml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for dept in data["departments"]:
            if dept["name"] in own:
                dept["cycle"] = own[dept["name"]]
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    (root / "input").mkdir()
    return root


def negtgel(root: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, [*args, "--workspace", str(root), "--mappings", str(root / "mappings")])


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def missing_of(problems: list[dict[str, str]]) -> set[str]:
    """The departments the problems list as not reported ("{name} тайлангаа ирүүлээгүй байна. ...")."""
    return {r["message"].split(" тайлангаа ирүүлээгүй")[0] for r in problems if r["code"] == "report-missing"}


def cells(path: Path) -> list[Any]:
    book = openpyxl.load_workbook(path, data_only=True)
    return [cell for row in book.worksheets[0].iter_rows(values_only=True) for cell in row if cell is not None]


def measure(no: str, target: str, timeframe: str, actual: Any, pct: Any = None) -> list[Any]:
    return [no, f"Арга хэмжээ {no}-ийг хэрэгжүүлнэ.", "Тоо", None, target, timeframe, "Мэргэжилтэн", "Хийсэн.", actual, pct, None]


QUARTER_MEASURES = [
    ["Зорилго 1: Үйлчилгээг сайжруулах"],
    measure("1.1", "4-өөс доошгүй", "I-IV улирал", 3),  # a count over the year: 3 of 4 quarters due by Q3
    measure("1.2", "Журам батлагдсан байна.", "III улирал", "Хэрэгжсэн"),
    measure("1.3", "Тайлан гаргасан байна.", "IV улирал", None),  # not due before the fourth quarter
]


def test_a_quarterly_year_runs_closes_and_trends_by_quarters(tmp_path: Path) -> None:
    root = workspace(tmp_path, "quarterly", {HEZH: "monthly"})
    inbox = root / "input"
    # Q2 first (ЗУХ only), from a file whose name says the quarter.
    q2 = [QUARTER_MEASURES[0], measure("1.1", "4-өөс доошгүй", "I-IV улирал", 1), *QUARTER_MEASURES[2:]]
    write_xlsx(inbox / "ЗУХ II улирлын тайлан.xlsx", template_rows(q2, department=ZUH, month=None),
               saved=dt.datetime(2026, 7, 3, 10, 0))
    first = negtgel(root, "run")
    assert first.exit_code == 0, first.output
    assert (root / "output" / "2026-Q2" / "summary_2026-Q2.xlsx").is_file()

    # Q3: ЗУХ on time from its period row, ХБТХ three days late from the file name; ХЭЗХ (monthly) its September.
    config = load_config(root / "mappings")
    write_template(inbox / "zuh.xlsx", department=ZUH, year=2026, month=None, config=config, period="2026-Q3",
                   measures=[{"goal": "Зорилго 1: Үйлчилгээг сайжруулах", "no": r[0], "measure": r[1], "indicator": r[2],
                              "target": r[4], "timeframe": r[5], "responsible": r[6], "progress": r[7], "actual": r[8]}
                             for r in QUARTER_MEASURES[1:]], saved=dt.datetime(2026, 10, 4, 1, 0, tzinfo=dt.UTC))
    write_xlsx(inbox / "ХБТХ 3-р улирлын тайлан.xlsx", template_rows(QUARTER_MEASURES, department=HBTH, month=None),
               saved=dt.datetime(2026, 10, 8, 2, 0))
    write_xlsx(inbox / "ХЭЗХ 9 сар.xlsx", template_rows(QUARTER_MEASURES, department=HEZH, month=9),
               saved=dt.datetime(2026, 10, 2, 2, 0))
    run = negtgel(root, "run", "--period", "2026-Q3")
    assert run.exit_code == 0, run.output
    out = root / "output" / "2026-Q3"
    assert {p.name for p in out.glob("*.xlsx")} >= {"negtgel_2026-Q3.xlsx", "summary_2026-Q3.xlsx"}
    assert "2026 оны III улирлын төлөвлөгөөний хэрэгжилт" in cells(out / "summary_2026-Q3.xlsx")
    assert sorted(p.name for p in (root / "archive" / "2026-Q3").iterdir()) == ["ЗУХ", "ХБТХ"]
    assert sorted(p.name for p in (root / "archive" / "2026-09").iterdir()) == ["ХЭЗХ"]

    rows = {(r["department"], r["measure_no"]): r for r in csv_rows(out / "measures.csv")}
    assert rows[(ZUH, "1.1")]["target_due"] == "3" and rows[(ZUH, "1.1")]["level"] == "100"  # 3 of 4 by Q3's end
    assert rows[(ZUH, "1.2")]["status"] == "done"
    assert rows[(ZUH, "1.3")]["status"] == "not_due"

    problems = csv_rows(out / "problems.csv")
    missing = missing_of(problems)
    assert HEZH not in missing and ZUH not in missing and HBTH not in missing and HSHU in missing  # monthly ХЭЗХ owes no quarter
    late = [(r["file"], r["message"]) for r in problems if r["code"] == "report-late"]
    assert late == [("ХБТХ 3-р улирлын тайлан.xlsx", f"{HBTH} тайлангаа 3 хоног хоцорч ирүүлсэн.")]

    status = negtgel(root, "status", "--period", "2026-Q3")
    assert status.exit_code == 0, status.output
    assert "2026-10-05" in status.output and HEZH not in status.output

    # The quarter's trend is the quarters before it, never September (ХЭЗХ's month).
    from pipeline.run import run_consolidation
    from pipeline.workspace import Workspace

    rebuilt = run_consolidation(Workspace.at(root), config, period="2026-Q3", output_dir=tmp_path / "elsewhere")
    assert rebuilt.report is not None
    assert rebuilt.report.previous_period == "2026-Q2"
    assert sorted(set(rebuilt.report.history["period"])) == ["2026-Q2", "2026-Q3"]
    table = rebuilt.report.departments.set_index("department")
    assert table.loc[ZUH, "previous_pct"] == 30.0 and table.loc[ZUH, "change"] == 70.0  # Q2: 1 of 2 due so far, level 30

    # September is the monthly department's period: only it is expected there.
    month = negtgel(root, "run", "--period", "2026-09")
    assert month.exit_code == 0, month.output
    september = csv_rows(root / "output" / "2026-09" / "problems.csv")
    assert missing_of(september) == set()

    closed = negtgel(root, "close", "--period", "2026-Q3", "--reason", "Удирдлагад танилцуулсан")
    assert closed.exit_code == 0, closed.output
    again = negtgel(root, "close", "--period", "2026-Q3", "--reason", "дахин")
    assert again.exit_code == 1 and "2026-Q3 аль хэдийн хаагдсан" in again.output
    reopened = negtgel(root, "reopen", "--period", "2026-Q3", "--reason", "засвар")
    assert reopened.exit_code == 0, reopened.output


def test_a_report_for_another_cycle_is_consolidated_there_not_lost(tmp_path: Path) -> None:
    root = workspace(tmp_path, "monthly", {ZUH: "quarterly"})
    write_xlsx(root / "input" / "ЗУХ 8 сар.xlsx", template_rows(QUARTER_MEASURES, department=ZUH, month=8),
               saved=dt.datetime(2026, 9, 3, 2, 0))
    run = negtgel(root, "run")
    assert run.exit_code == 0, run.output
    rows = csv_rows(root / "output" / "2026-08" / "measures.csv")
    assert {r["department"] for r in rows} == {ZUH} and len(rows) == 3
    problems = csv_rows(root / "output" / "2026-08" / "problems.csv")
    missing = missing_of(problems)
    assert ZUH not in missing and HBTH in missing


def test_a_half_year_prorates_by_its_last_quarter(tmp_path: Path) -> None:
    root = workspace(tmp_path, "half-yearly")
    write_xlsx(root / "input" / "ЗУХ эхний хагас жилийн тайлан.xlsx", template_rows(QUARTER_MEASURES, department=ZUH, month=None),
               saved=dt.datetime(2026, 7, 2, 2, 0))
    run = negtgel(root, "run")
    assert run.exit_code == 0, run.output
    rows = {r["measure_no"]: r for r in csv_rows(root / "output" / "2026-H1" / "measures.csv")}
    assert rows["1.1"]["target_due"] == "2" and rows["1.1"]["level"] == "100"  # 2 of 4 quarters by June
    assert rows["1.2"]["status"] == "not_due" and rows["1.3"]["status"] == "not_due"
    assert "2026 оны эхний хагас жилийн төлөвлөгөөний хэрэгжилт" in cells(root / "output" / "2026-H1" / "summary_2026-H1.xlsx")


def test_the_published_figure_through_an_annual_period(tmp_path: Path) -> None:
    """docs/methodology.md §9's 89.2 %, from the year-end file of an annual workspace: period 2026."""
    root = workspace(tmp_path, "annual")
    write_xlsx(root / "input" / "ХШҮДАХ 2026 оны жилийн эцсийн тайлан.xlsx",
               template_rows(published_aimag_rows(), department=HSHU, month=None), merges=["A8:K8"],
               saved=dt.datetime(2027, 1, 4, 9, 30))
    run = negtgel(root, "run")
    assert run.exit_code == 0, run.output
    assert "89.2 %" in run.output
    out = root / "output" / "2026"
    assert 89.2 in cells(out / "summary_2026.xlsx")
    assert "2026 оны төлөвлөгөөний хэрэгжилт" in cells(out / "summary_2026.xlsx")
    rows = csv_rows(out / "measures.csv")
    statuses = [r["status"] for r in rows]
    assert len(rows) == 80 and statuses.count("done") == 59 and statuses.count("not_due") == 2
    late = [r for r in csv_rows(out / "problems.csv") if r["code"] == "report-late"]
    assert late == []  # by 5 January 2027
    assert (root / "archive" / "2026" / "ХШҮДАХ").is_dir()


def test_a_wrong_period_name_is_told_on_one_line_in_both_languages(tmp_path: Path) -> None:
    from pipeline import periods

    formats = "YYYY-MM, YYYY-Q1..Q4, YYYY-H1/H2, YYYY"
    with pytest.raises(cycles.PeriodError) as month:
        cycles.parse("2026-13")
    assert str(month.value) == (f'"2026-13": тийм хугацаа байхгүй (сар 1-12); {formats} хэлбэрээр бичнэ үү / '
                                f'"2026-13": no such period (months are 1-12): use {formats}')
    with pytest.raises(cycles.PeriodError) as name:
        cycles.parse("10 сар")
    assert str(name.value) == (f'"10 сар": хугацааны нэр биш; {formats} хэлбэрээр бичнэ үү, жишээ нь 2026-10, 2026-Q3 / '
                               f'"10 сар": not a period name: use {formats}, e.g. 2026-10, 2026-Q3')
    with pytest.raises(cycles.PeriodError) as quarter:
        cycles.Period(2026, "quarter", 5)
    assert str(quarter.value) == "2026 quarter 5: тийм хугацаа байхгүй / 2026 quarter 5: no such period"
    with pytest.raises(NegtgelError) as reason:
        periods.reopen(load_config(MAPPINGS), Workspace(tmp_path, tmp_path / "mappings"), None, "2026-10", "  ")
    assert str(reason.value) == "Дахин нээх шалтгааныг бичнэ үү / give a reason for reopening."
