"""Reading the specialist's review columns back from a consolidated workbook: the edge of the review.

`read_review` turns the workbook into plain records (one per row that carries a measure key, with the cells
of its review columns) or the problem that kept it from being read; everything after it (`review.py`) works
on those records.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import python_calamine as calamine

from pipeline.config import header_key
from pipeline.model import ReviewRead
from pipeline.problems import Problem
from pipeline.read.table import cell_text
from pipeline.read.workbook import a1, column_letters
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


def read_plan_acceptances(path: Path) -> tuple[list[tuple[str, str, str, str, str]], list[Problem]]:
    """The reasons typed in the yellow `Зөвшөөрөх шалтгаан` column of the workbook's `Төлөвлөгөөний өөрчлөлт`
    sheet beside a change not yet accepted: (department, measure number, reason, sheet, cell) each, for
    `plan.accept_in_workbook` to record; an unreadable workbook is a problem."""
    from pipeline.output.consolidated import PLAN_CHANGE_SHEETS, plan_change_columns
    from pipeline.plan import ACCEPT_TITLES

    try:
        workbook = calamine.CalamineWorkbook.from_path(str(path))
    except (calamine.CalamineError, OSError, ValueError) as exc:
        return [], [Problem("file-unreadable", file=path.name, detail=str(exc)[:120])]
    wanted: list[tuple[str, str, str, str, str]] = []  # department, measure number, reason, sheet, cell
    try:
        for lang in ("mn", "en"):
            name = PLAN_CHANGE_SHEETS[lang == "en"]
            if name not in workbook.sheet_names:
                continue
            grid = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
            titles = {header_key(cell_text(t)): i for i, t in enumerate(grid[0])} if grid else {}
            cols = {c.key: titles.get(header_key(c.title)) for c in plan_change_columns(lang)}
            reason_col = next((titles[header_key(t)] for t in ACCEPT_TITLES if header_key(t) in titles), None)
            if reason_col is None or cols.get("department") is None or cols.get("measure_no") is None:
                continue
            for r, raw in enumerate(grid[1:], start=2):
                def value(i: int | None, raw: list[Any] = raw) -> str:
                    return cell_text(raw[i]).strip() if i is not None and i < len(raw) else ""

                reason, accepted = value(reason_col), value(cols.get("accepted"))
                if reason and not accepted:
                    wanted.append((value(cols["department"]), value(cols["measure_no"]), reason, name, a1(r - 1, reason_col)))
    except (calamine.CalamineError, OSError, ValueError) as exc:
        return [], [Problem("file-unreadable", file=path.name, detail=str(exc)[:120])]
    finally:
        workbook.close()
    return wanted, []
