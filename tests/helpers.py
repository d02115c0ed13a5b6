"""Builders of real workbook files for tests: every fixture is an .xlsx written to disk and read back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_cell_to_rowcol

STANDARD_HEADER = [
    "№", "Хэрэгжүүлэх арга хэмжээ", "Шалгуур үзүүлэлт", "Суурь түвшин", "Хүрэх түвшин", "Хугацаа",
    "Хариуцах эзэн", "Гүйцэтгэл", "Хүрсэн түвшин", "Хэрэгжилтийн хувь", "Тайлбар",
]


def write_xlsx(
    path: Path,
    rows: Sequence[Sequence[Any]],
    *,
    sheet: str = "Төлөвлөгөө",
    merges: Sequence[str] = (),
    percent_cells: Sequence[tuple[int, int]] = (),
    extra_sheets: dict[str, Sequence[Sequence[Any]]] | None = None,
    hidden_sheets: Sequence[str] = (),
    saved: dt.datetime | None = None,
) -> Path:
    """Write rows (lists of cell values; None = empty) to a real .xlsx file."""
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    if saved is not None:
        workbook.set_properties({"created": saved})
    pct = workbook.add_format({"num_format": "0%"})
    sheets = {sheet: rows, **(extra_sheets or {})}
    for name, content in sheets.items():
        ws = workbook.add_worksheet(name)
        for r, row in enumerate(content):
            for c, value in enumerate(row):
                if value is None:
                    continue
                fmt = pct if (name == sheet and (r, c) in percent_cells) else None
                if isinstance(value, dt.date):
                    ws.write_datetime(r, c, value, workbook.add_format({"num_format": "yyyy-mm-dd"}))
                else:
                    ws.write(r, c, value, fmt)
        if name == sheet:
            for ref in merges:
                r1, c1 = xl_cell_to_rowcol(ref.split(":")[0])
                top = content[r1][c1] if r1 < len(content) and c1 < len(content[r1]) else None
                ws.merge_range(ref, "" if top is None else top)
        if name in hidden_sheets:
            ws.hide()
    workbook.close()
    return path


def template_rows(
    measures: Sequence[Sequence[Any]],
    *,
    department: str = "Захиргаа, удирдлагын хэлтэс",
    year: int = 2026,
    month: int | None = 10,
    header: Sequence[str] = STANDARD_HEADER,
) -> list[list[Any]]:
    """Rows of a filled standard template: title, meta cells, the header on row 7, then the measures."""
    rows: list[list[Any]] = [
        [f"{department} — {year} оны үйл ажиллагааны төлөвлөгөөний хэрэгжилтийн тайлан"],
        ["Хэлтэс, нэгж:", department],
        ["Он:", year],
        ["Тайлант сар:", month],
        ["Загварын хувилбар:", "1"],
        [],
        list(header),
    ]
    rows.extend(list(m) for m in measures)
    return rows
