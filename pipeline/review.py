"""The specialist's review: a workbook next to the consolidation where any measure's level can be overruled.

`negtgel run` writes `review_YYYY-MM.xlsx` listing every measure with its level; the specialist types a
level (or ХБ / Үнэлээгүй) and a comment in the two yellow columns. The next run reads it back, keeps the
overrides in the store, applies them (basis `evaluator`), and writes the file again with them filled in.
An override whose measure cannot be found after a resubmission is kept on its own sheet, never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import python_calamine as calamine

from pipeline.config import Config, Methodology, header_key
from pipeline.output.safe import new_workbook, write_atomically
from pipeline.problems import Problem
from pipeline.read.table import cell_text
from pipeline.score import Override, parse_override
from pipeline.store import Store
from pipeline.values import is_missing

REVIEW_SHEET = "Хяналт"
UNMATCHED_SHEET = "Тохироогүй"
REVIEW_COLUMNS = [
    ("measure_key", "Түлхүүр (бүү өөрчил)"),
    ("department", "Хэлтэс, нэгж"),
    ("measure_no", "№"),
    ("measure", "Хэрэгжүүлэх арга хэмжээ"),
    ("target_text", "Хүрэх түвшин"),
    ("actual_text", "Хүрсэн түвшин"),
    ("level", "Тооцсон түвшин"),
    ("basis", "Үндэслэл"),
    ("override", "Хянагчийн түвшин"),
    ("comment", "Хянагчийн тайлбар"),
]
OVERRIDE_COLUMN = "I"  # where "Хянагчийн түвшин" sits, for problem messages


def review_path(period_dir: Path, period: str) -> Path:
    return period_dir / f"review_{period}.xlsx"


@dataclass
class StoredOverride:
    department: str
    measure_key: str
    measure_no: str
    measure: str
    level: str  # as typed: "70", "ХБ", "Бүрэн хэрэгжсэн"
    comment: str


@dataclass
class Overrides:
    """The period's overrides by measure key, and what was wrong with the review file."""

    rows: dict[str, StoredOverride] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def parsed(self, method: Methodology) -> dict[str, Override]:
        result = {}
        for key, row in self.rows.items():
            found = parse_override(row.level, method)
            if found is not None:
                result[key] = Override(found.level, found.status, row.comment)
        return result


def _read_review_file(path: Path) -> list[dict[str, str]]:
    workbook = calamine.CalamineWorkbook.from_path(str(path))
    try:
        rows: list[dict[str, str]] = []
        for sheet_name in (REVIEW_SHEET, UNMATCHED_SHEET):
            if sheet_name not in workbook.sheet_names:
                continue
            grid = workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
            if not grid:
                continue
            titles = {header_key(cell_text(t)): i for i, t in enumerate(grid[0])}
            index = {name: titles.get(header_key(title)) for name, title in REVIEW_COLUMNS}
            for r, raw in enumerate(grid[1:], start=2):
                record = {name: cell_text(raw[i]).strip() if i is not None and i < len(raw) else "" for name, i in index.items()}
                record["_sheet"] = sheet_name
                record["_row"] = str(r)
                if record["measure_key"]:
                    rows.append(record)
        return rows
    finally:
        workbook.close()


def load_overrides(store: Store, config: Config, period: str, period_dir: Path) -> Overrides:
    """The overrides in force: the review file where it exists (it is the specialist's latest word), else the store."""
    result = Overrides()
    path = review_path(period_dir, period)
    if path.exists():
        try:
            records = _read_review_file(path)
        except (calamine.CalamineError, OSError, ValueError) as exc:
            result.problems.append(Problem("file-unreadable", file=path.name, detail=str(exc)[:120]))
            records = None
        if records is not None:
            for record in records:
                level = record["override"]
                if not level:
                    continue
                if parse_override(level, config.methodology) is None:
                    cell = f"{OVERRIDE_COLUMN}{record['_row']}"
                    result.problems.append(
                        Problem("review-level-invalid", file=path.name, sheet=record["_sheet"], cell=cell, value=level,
                                detail=", ".join(f"{lv.value:g}" for lv in config.methodology.levels))
                    )
                    continue
                result.rows[record["measure_key"]] = StoredOverride(
                    record["department"], record["measure_key"], record["measure_no"], record["measure"], level, record["comment"]
                )
            store.replace_overrides(
                period, [(o.department, o.measure_key, o.measure_no, o.measure, o.level, o.comment) for o in result.rows.values()]
            )
            return result
    for dept, key, no, measure, level, comment in store.overrides(period):
        result.rows[key] = StoredOverride(dept, key, no, measure, level, comment)
    return result


def rekey(overrides: Overrides, measures: pd.DataFrame) -> list[StoredOverride]:
    """Follow overrides to their measure after a resubmission changed its number or wording.

    Same department and same text with another number, else same department and number with edited
    text (when only one measure has that number). Returns the overrides that match nothing.
    """
    current = set(measures["measure_key"])
    by_text: dict[tuple[str, str], list[str]] = {}
    by_no: dict[tuple[str, str], list[str]] = {}
    for key, dept, no in zip(measures["measure_key"], measures["department"], measures["measure_no"], strict=True):
        by_text.setdefault((dept, key.rsplit("|", 1)[-1]), []).append(key)
        by_no.setdefault((dept, no), []).append(key)
    unmatched: list[StoredOverride] = []
    for key, row in list(overrides.rows.items()):
        if key in current:
            continue
        text_hash = key.rsplit("|", 1)[-1]
        candidates = by_text.get((row.department, text_hash)) or by_no.get((row.department, row.measure_no)) or []
        if len(candidates) == 1 and candidates[0] not in overrides.rows:
            del overrides.rows[key]
            overrides.rows[candidates[0]] = StoredOverride(
                row.department, candidates[0], row.measure_no, row.measure, row.level, row.comment
            )
        else:
            unmatched.append(row)
    return unmatched


def write_review(
    measures: pd.DataFrame, overrides: Overrides, unmatched: list[StoredOverride], method: Methodology, path: Path
) -> None:
    """Write the review workbook: every measure, with the specialist's columns to fill."""

    def writer(tmp: Path) -> None:
        workbook = new_workbook(tmp)
        header = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#DDEBF7", "border": 1})
        editable = workbook.add_format({"bg_color": "#FFF2CC", "border": 1, "text_wrap": True, "valign": "top", "locked": False})
        wrap = workbook.add_format({"text_wrap": True, "valign": "top", "border": 1})
        for sheet_name, rows in ((REVIEW_SHEET, _review_rows(measures, overrides)), (UNMATCHED_SHEET, _unmatched_rows(unmatched))):
            sheet = workbook.add_worksheet(sheet_name)
            for c, (_, title) in enumerate(REVIEW_COLUMNS):
                sheet.write_string(0, c, title, header)
            for r, row in enumerate(rows, start=1):
                for c, (name, _) in enumerate(REVIEW_COLUMNS):
                    value = row.get(name, "")
                    fmt = editable if name in ("override", "comment") else wrap
                    if isinstance(value, float):
                        sheet.write_number(r, c, value, fmt)
                    else:
                        sheet.write_string(r, c, str(value), fmt)
            widths = [14, 26, 6, 60, 24, 24, 10, 14, 16, 40]
            for c, width in enumerate(widths):
                sheet.set_column(c, c, width)
            sheet.set_column(0, 0, 14, None, {"hidden": True})
            sheet.freeze_panes(1, 4)
            if rows:
                sheet.autofilter(0, 0, len(rows), len(REVIEW_COLUMNS) - 1)
                choices = [f"{lv.value:g}" for lv in method.levels] + [method.not_due_short, method.not_evaluated_label]
                sheet.data_validation(1, 8, len(rows), 8, {"validate": "list", "source": choices, "error_type": "warning"})
        workbook.close()

    write_atomically(path, writer)


def _review_rows(m: pd.DataFrame, overrides: Overrides) -> list[dict[str, object]]:
    rows = []
    for key, dept, no, measure, target, actual, level, basis in zip(
        m["measure_key"], m["department"], m["measure_no"], m["measure"], m["target_text"], m["actual_text"], m["level"],
        m["basis"], strict=True,
    ):
        stored = overrides.rows.get(key)
        rows.append(
            {
                "measure_key": key,
                "department": dept,
                "measure_no": no,
                "measure": measure,
                "target_text": target,
                "actual_text": actual,
                "level": "" if is_missing(level) else float(level),
                "basis": basis,
                "override": stored.level if stored else "",
                "comment": stored.comment if stored else "",
            }
        )
    return rows


def _unmatched_rows(unmatched: list[StoredOverride]) -> list[dict[str, object]]:
    return [
        {"measure_key": o.measure_key, "department": o.department, "measure_no": o.measure_no, "measure": o.measure,
         "override": o.level, "comment": o.comment}
        for o in unmatched
    ]


def save_overrides(store: Store, overrides: Overrides, period: str) -> None:
    store.replace_overrides(
        period, [(o.department, o.measure_key, o.measure_no, o.measure, o.level, o.comment) for o in overrides.rows.values()]
    )
