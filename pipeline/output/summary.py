"""The leadership workbook `summary_YYYY-MM.xlsx` (minimal form; the dashboard is built out separately)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline.output.safe import Written, new_workbook, write_atomically
from pipeline.output.sheets import Col, Formats, print_setup, write_table
from pipeline.problems import Lang


def write_summary(report: Any, path: Path, lang: Lang, method: Any) -> Written:
    mn = lang != "en"

    def writer(tmp: Path) -> None:
        workbook = new_workbook(tmp)
        formats = Formats(workbook)
        sheet = workbook.add_worksheet("Самбар" if mn else "Dashboard")
        sheet.write_string(0, 0, f"{report.period} — хэрэгжилтийн нэгтгэл" if mn else f"{report.period} — implementation", formats.title)
        pct = report.overall.pct
        sheet.write_string(2, 0, "Нийт хэрэгжилт, %" if mn else "Overall, %")
        if pct is not None:
            sheet.write_number(2, 1, pct, formats.percent)
        sheet.write_string(2, 2, report.overall.rating)
        table = report.departments.sort_values(["rank", "department"], na_position="last")
        cols = [
            Col("rank", "Байр" if mn else "Rank", 6, "int"),
            Col("department", "Хэлтэс, нэгж" if mn else "Department", 40, "wrap"),
            Col("pct", "Хэрэгжилт, %" if mn else "Implementation, %", 12, "percent"),
            Col("rating", "Үнэлгээ" if mn else "Rating", 20),
        ]
        last = write_table(sheet, table, cols, formats, first_row=4, autofilter=False)
        chart = workbook.add_chart({"type": "bar"})
        chart.add_series({"categories": [sheet.name, 5, 1, last - 1, 1], "values": [sheet.name, 5, 2, last - 1, 2]})
        sheet.insert_chart(4, 5, chart)
        print_setup(sheet, title=report.period)
        workbook.close()

    return write_atomically(path, writer)
