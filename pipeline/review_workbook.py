"""Reading the specialist's review columns back from a consolidated workbook: the edge of the review.

`read_review` turns the workbook into plain records (one per row that carries a measure key, with the cells
of its review columns) or the problem that kept it from being read; everything after it (`review.py`) works
on those records.
"""

from __future__ import annotations

from pathlib import Path

import python_calamine as calamine

from pipeline.config import header_key
from pipeline.model import ReviewRead
from pipeline.problems import Problem
from pipeline.read.table import cell_text
from pipeline.read.workbook import column_letters
from pipeline.review import COMMENT_TITLES, KEY_TITLES, OVERRIDE_TITLES


def _column(titles: dict[str, int], names: tuple[str, ...] | list[str]) -> int | None:
    return next((titles[header_key(name)] for name in names if header_key(name) in titles), None)


def read_review_columns(path: Path) -> list[dict[str, str]]:
    """Rows of the consolidated workbook's sheets that carry a measure key, with the review columns."""
    from pipeline.labels import COLUMN_LABELS

    workbook = calamine.CalamineWorkbook.from_path(str(path))
    try:
        rows: list[dict[str, str]] = []
        for sheet_name in workbook.sheet_names:
            grid = workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False, nrows=1)
            titles = {header_key(cell_text(t)): i for i, t in enumerate(grid[0])} if grid else {}
            key_col = _column(titles, KEY_TITLES)
            override_col = _column(titles, OVERRIDE_TITLES)
            if key_col is None or override_col is None:
                continue
            index = {
                "measure_key": key_col,
                "override": override_col,
                "comment": _column(titles, COMMENT_TITLES),
                "department": _column(titles, COLUMN_LABELS["department"]),
                "measure_no": _column(titles, COLUMN_LABELS["measure_no"]),
                "measure": _column(titles, COLUMN_LABELS["measure"]),
            }
            grid = workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
            for r, raw in enumerate(grid[1:], start=2):
                record = {name: cell_text(raw[i]).strip() if i is not None and i < len(raw) else "" for name, i in index.items()}
                if record["measure_key"]:
                    record["_sheet"] = sheet_name
                    record["_cell"] = f"{column_letters(override_col)}{r}"
                    comment_col = index["comment"]
                    record["_comment_cell"] = f"{column_letters(comment_col)}{r}" if comment_col is not None else record["_cell"]
                    rows.append(record)
        return rows
    finally:
        workbook.close()


def read_review(path: Path, lang: str = "mn") -> ReviewRead:
    """The workbook's review records, or a `file-unreadable` problem in their place."""
    try:
        return ReviewRead(path.name, lang, read_review_columns(path))
    except (calamine.CalamineError, OSError, ValueError) as exc:
        return ReviewRead(path.name, lang, None, Problem("file-unreadable", file=path.name, detail=str(exc)[:120]))
