"""Issue 11, items 4, 5 and 8: ranked lists are in rank order and say how rank is set; timeliness is set by
the first readable report of the period (a correction never makes a report late); an empty or unreadable
file is not a report. Real template files through `negtgel run`, outputs read back with openpyxl."""

from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.output.summary import ranked_departments
from tests.conftest import EXAMPLES, MAPPINGS
from tests.helpers import template_rows, write_xlsx

ZUH = "Захиргаа, удирдлагын хэлтэс"
STS = "Санхүү, төрийн сангийн хэлтэс"
HEZ = "Хууль, эрх зүйн хэлтэс"
BG = "Боловсролын газар"
EMG = "Эрүүл мэндийн газар"
HHAAG = "Хүнс, хөдөө аж ахуйн газар"


def report(folder: Path, name: str, department: str, done: int, of: int, saved: dt.datetime) -> Path:
    """A filled October template: `done` of `of` measures fully implemented, the rest not implemented."""
    measures = [
        [f"1.{i}", f"Арга хэмжээ {i}", None, None, "Хэрэгжилт - 100%", "I-IV улирал", None, None,
         "Бүрэн хэрэгжсэн" if i <= done else "Хэрэгжээгүй", None, None]
        for i in range(1, of + 1)
    ]
    return write_xlsx(folder / name, template_rows(measures, department=department), saved=saved)


def empty_template(folder: Path, name: str, department: str, saved: dt.datetime) -> Path:
    return write_xlsx(folder / name, template_rows([], department=department), saved=saved)


def run(inbox: Path, out: Path, *extra: str) -> str:
    result = CliRunner().invoke(cli, ["run", str(inbox), "-o", str(out), "--mappings", str(MAPPINGS), *extra])
    assert result.exit_code in (0, 1), result.output
    return result.output


def sheet_rows(path: Path, sheet: str, header_row: int = 4) -> list[dict[str, Any]]:
    ws = openpyxl.load_workbook(path)[sheet]
    header = [c.value for c in ws[header_row]]
    return [dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=header_row + 1, values_only=True)
            if any(v is not None for v in r)]


def summary(out: Path) -> Path:
    return out / "2026-10" / "summary_2026-10.xlsx"


def problems(out: Path) -> list[dict[str, str]]:
    with (out / "2026-10" / "problems.csv").open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


# --- item 4: rank order ---------------------------------------------------------------------------------------


def test_the_shipped_example_lists_departments_in_rank_order(tmp_path: Path) -> None:
    inbox, out = tmp_path / "input", tmp_path / "output"
    shutil.copytree(EXAMPLES, inbox, ignore=shutil.ignore_patterns("archive"))
    run(inbox, out)
    table = sheet_rows(summary(out), "Хэлтсүүд")
    assert [r["Байр"] for r in table] == [1, 2, 3, 4, 5, 6, 7, 8, 9, None]
    # ЭМГ has the higher % (79.0) but was 2 days late: 79 - 2 = 77 < 78.6, so it stands 7th, below ХХААГ.
    by_rank = {r["Байр"]: (r["Товч нэр"], r["Хэрэгжилт, %"], r["Тайлан ирүүлсэн"]) for r in table}
    assert by_rank[6] == ("ХХААГ", 78.6, "Хугацаандаа")
    assert by_rank[7] == ("ЭМГ", 79, "2 хоног хоцорч ирүүлсэн")
    ws = openpyxl.load_workbook(summary(out))["Хэлтсүүд"]
    assert ws["A3"].value.startswith("Байр: хэрэгжилтийн хувиас хоцорсон хоног тутамд 1 оноо хасч")
    assert "ижил байр" in ws["A3"].value and "анхны уншигдсан тайлан" in ws["A3"].value
    # The dashboard chart's categories, and the goals sheet, follow the same order.
    data = openpyxl.load_workbook(summary(out))["Графикийн өгөгдөл"]
    labels = [data.cell(row=r, column=1).value for r in range(2, 11)]
    assert labels[5:7] == ["6. ХХААГ", "7. ЭМГ"]
    assert [int(label.split(".")[0]) for label in labels] == list(range(1, 10))
    goals = [r["Хэлтэс, нэгж"] for r in sheet_rows(summary(out), "Зорилго")]
    first_seen = list(dict.fromkeys(goals))
    assert first_seen.index(HHAAG) < first_seen.index(EMG)


def test_ranked_departments_orders_by_rank_then_unranked_then_missing_by_name() -> None:
    frame = pd.DataFrame({
        "department": ["Д", "Г", "В", "Б", "А", "Е"],
        "short": ["", "", "", "", "", ""],
        "pct": [90.0, 95.0, None, 80.0, 90.0, None],
        "rank": pd.array([2, 3, None, 4, 2, None], dtype="Int64"),  # Г has the highest % but was late
        "reported": [True, True, True, True, True, False],
    })
    ranked = ranked_departments(frame)
    assert list(ranked["department"]) == ["А", "Д", "Г", "Б", "В", "Е"]
    # Without a rank column the % sets the order, ties by name.
    plain = ranked_departments(frame.drop(columns=["rank"]))
    assert list(plain["department"]) == ["Г", "А", "Д", "Б", "В", "Е"]


def test_ties_share_a_rank_and_equal_standing_puts_the_earlier_report_first(tmp_path: Path) -> None:
    inbox, out = tmp_path / "input", tmp_path / "output"
    inbox.mkdir()
    report(inbox, "ЗУХ.xlsx", ZUH, 3, 4, dt.datetime(2026, 11, 2, 9))  # 75.0, on time
    report(inbox, "БГ.xlsx", BG, 3, 4, dt.datetime(2026, 11, 3, 9))  # 75.0, on time: shares the rank
    report(inbox, "СТСХ.xlsx", STS, 4, 5, dt.datetime(2026, 11, 10, 9))  # 80.0, 5 days late: standing 75.0
    report(inbox, "ХЭЗХ.xlsx", HEZ, 2, 4, dt.datetime(2026, 11, 4, 9))  # 50.0
    run(inbox, out)
    table = sheet_rows(summary(out), "Хэлтсүүд")
    got = [(r["Байр"], r["Хэлтэс, нэгж"], r["Хэрэгжилт, %"]) for r in table if r["Байр"] is not None]
    assert got == [(1, BG, 75), (1, ZUH, 75), (3, STS, 80), (4, HEZ, 50)]


# --- item 5: timeliness by the first report -------------------------------------------------------------------


def test_a_late_correction_keeps_an_on_time_report_on_time_and_its_rank(tmp_path: Path) -> None:
    inbox, out = tmp_path / "input", tmp_path / "output"
    inbox.mkdir()
    report(inbox, "ЗУХ.xlsx", ZUH, 4, 4, dt.datetime(2026, 11, 2, 9))  # 100
    report(inbox, "БГ.xlsx", BG, 3, 4, dt.datetime(2026, 11, 3, 9))  # 75
    report(inbox, "СТСХ.xlsx", STS, 2, 4, dt.datetime(2026, 11, 4, 9))  # 50, on time
    run(inbox, out)
    assert [r["Байр"] for r in sheet_rows(summary(out), "Хэлтсүүд") if r["Хэлтэс, нэгж"] == STS] == [3]
    # The correction comes 28 days after the deadline, and then another one.
    report(inbox, "СТСХ засвар.xlsx", STS, 3, 4, dt.datetime(2026, 12, 3, 10, 30))  # 75
    report(inbox, "СТСХ засвар 2.xlsx", STS, 3, 4, dt.datetime(2026, 12, 4, 11, 0))  # the same figures again
    run(inbox, out)
    table = {r["Хэлтэс, нэгж"]: r for r in sheet_rows(summary(out), "Хэлтсүүд")}
    assert (table[STS]["Хэрэгжилт, %"], table[STS]["Тайлан ирүүлсэн"]) == (75, "Хугацаандаа")
    assert table[STS]["Байр"] == table[BG]["Байр"] == 2  # 75 on time each: they share rank 2
    completeness = {r["Хэлтэс, нэгж"]: r for r in sheet_rows(summary(out), "Ирц")}
    row = completeness[STS]
    assert row["Анх ирүүлсэн"] == dt.datetime(2026, 11, 4, 17)  # saved 09:00 UTC, shown in Mongolian time
    assert row["Сүүлийн засвар"] == dt.datetime(2026, 12, 4, 19)
    assert row["Засвар ирүүлсэн (хоцролтод тооцохгүй)"] == "2026-12-03 18:30; 2026-12-04 19:00"
    assert row["Хугацаа"] == "Хугацаандаа" and row["Файл"] == "СТСХ засвар 2.xlsx"
    assert completeness[ZUH]["Сүүлийн засвар"] is None
    assert not [p for p in problems(out) if p["code"] == "report-late"]
    status = CliRunner().invoke(cli, ["status", "--mappings", str(MAPPINGS)])
    assert f"✓ {STS}: 2026-11-04 17:00" in status.output, status.output


def test_an_empty_or_unreadable_first_file_does_not_set_timeliness(tmp_path: Path) -> None:
    inbox, out = tmp_path / "input", tmp_path / "output"
    inbox.mkdir()
    empty_template(inbox, "СТСХ хоосон.xlsx", STS, dt.datetime(2026, 11, 2, 9))  # on time, but no measure
    (inbox / "ЗУХ эвдэрсэн.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    report(inbox, "БГ.xlsx", BG, 4, 4, dt.datetime(2026, 11, 3, 9))
    run(inbox, out)
    table = {r["Хэлтэс, нэгж"]: r for r in sheet_rows(summary(out), "Хэлтсүүд")}
    # item 8: the empty template is not a report: not reported, no rank, not counted on the dashboard.
    assert (table[STS]["Байр"], table[STS]["Тайлан ирүүлсэн"]) == (None, "Ирүүлээгүй")
    completeness = {r["Хэлтэс, нэгж"]: r for r in sheet_rows(summary(out), "Ирц")}
    assert (completeness[STS]["Ирүүлсэн эсэх"], completeness[STS]["Хугацаа"]) == ("Үгүй", "Ирүүлээгүй")
    dashboard = openpyxl.load_workbook(summary(out))["Самбар"]
    pairs = {r[0]: r[1] for r in dashboard.iter_rows(min_row=5, max_row=16, max_col=2, values_only=True)}
    assert pairs["Ирүүлсэн хэлтэс / хүлээгдэж буй"] == "1 / 10"
    assert {p["code"] for p in problems(out) if p["file"] == "СТСХ хоосон.xlsx"} >= {"template-empty"}
    missing = {p["message"].split(" тайлангаа")[0] for p in problems(out) if p["code"] == "report-missing"}
    assert STS in missing

    # The real report comes 3 days late: it is the first report, so the department is 3 days late.
    report(inbox, "СТСХ.xlsx", STS, 4, 4, dt.datetime(2026, 11, 8, 9))
    run(inbox, out)
    table = {r["Хэлтэс, нэгж"]: r for r in sheet_rows(summary(out), "Хэлтсүүд")}
    assert (table[STS]["Байр"], table[STS]["Тайлан ирүүлсэн"]) == (2, "3 хоног хоцорч ирүүлсэн")
    completeness = {r["Хэлтэс, нэгж"]: r for r in sheet_rows(summary(out), "Ирц")}
    assert completeness[STS]["Анх ирүүлсэн"] == dt.datetime(2026, 11, 8, 17)
    assert completeness[STS]["Сүүлийн засвар"] is None
    late = [p for p in problems(out) if p["code"] == "report-late"]
    assert [(p["file"], p["message"]) for p in late] == [("СТСХ.xlsx", f"{STS} тайлангаа 3 хоног хоцорч ирүүлсэн.")]


def corrected_copy(source: Path, target: Path, cell: str, value: str, saved: str) -> None:
    """The department's fix of `source`: `cell` set to `value`, saved (document properties) at `saved` (UTC)."""
    book = openpyxl.load_workbook(source)
    book.active[cell] = value
    book.save(target)
    with zipfile.ZipFile(target) as package:
        parts = {name: package.read(name) for name in package.namelist()}
    parts["docProps/core.xml"] = re.sub(rb"(<dcterms:(?:modified|created)\b[^>]*>)[^<]+", rb"\g<1>" + saved.encode(),
                                        parts["docProps/core.xml"])
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)


def test_the_fix_the_product_asked_for_keeps_the_shipped_example_on_time_and_in_rank_order(tmp_path: Path) -> None:
    inbox, out = tmp_path / "input", tmp_path / "output"
    shutil.copytree(EXAMPLES, inbox, ignore=shutil.ignore_patterns("archive"))
    run(inbox, out)
    # ХХААГ fixes "I-V улирал" 28 days after the deadline, as the problem list asked.
    corrected_copy(EXAMPLES / "ХХААГ_2026-10_тайлан.xlsx", inbox / "ХХААГ_2026-10_тайлан (засвар).xlsx", "E27", "I-IV улирал",
                   "2026-12-03T02:00:00Z")
    output = run(inbox, out)
    assert "0 алдаа" in output
    table = sheet_rows(summary(out), "Хэлтсүүд")
    assert [r["Байр"] for r in table] == [1, 2, 3, 4, 5, 6, 7, 8, 9, None]
    row = next(r for r in table if r["Товч нэр"] == "ХХААГ")
    assert (row["Байр"], row["Хэрэгжилт, %"], row["Тайлан ирүүлсэн"]) == (6, 79.3, "Хугацаандаа")
    completeness = {r["Товч нэр"]: r for r in sheet_rows(summary(out), "Ирц")}
    assert completeness["ХХААГ"]["Сүүлийн засвар"] == dt.datetime(2026, 12, 3, 10)
    assert completeness["ХХААГ"]["Хугацаа"] == "Хугацаандаа"
    status = CliRunner().invoke(cli, ["status", "--mappings", str(MAPPINGS)]).output
    assert "засвар (хоцролтод тооцохгүй) / corrections, never late: 2026-12-03 10:00" in status
