"""The consolidated workbook `negtgel_YYYY-MM.xlsx`: every measure one row (with the specialist's review
columns), a sheet per department, the problems and the submissions. With more departments than
`output.department_sheets_max` the main sheet's filter serves instead of department sheets, and
`--per-department` writes a workbook per department under `departments/`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.config import Methodology
from pipeline.model import Report
from pipeline.labels import BASIS_LABELS, COLUMN_LABELS, FLAG_LABELS, ORIGIN_LABELS, STATUS_LABELS, label
from pipeline.output import keyed
from pipeline.output.names import localized
from pipeline.output.safe import Written, new_workbook, write_atomically
from pipeline.output.sheets import Col, Formats, TableSheet, print_setup, sheet_name, write_table
from pipeline.problems import Lang
from pipeline.review import UNMATCHED_SHEETS
from pipeline.words import pair, say

MAIN_SHEETS = pair("consolidated.all_measures")
SUBMISSION_STATES = {
    "consolidated": pair("consolidated.consolidated"),
    "superseded": pair("consolidated.superseded"),
    "unreadable": pair("consolidated.unreadable"),
    "department-unknown": pair("consolidated.department_unknown"),
    "after-closing": pair("consolidated.arrived_after_closing"),
}


# Kept here until the labels table takes it: the target used for the period, after pro-rating.


def measure_columns(lang: Lang, *, with_department: bool = True) -> list[Col]:
    """The specialist's view of a measure. The machine-readable columns (target kind, operator and value,
    quarters, due, sheet) are in measures.csv; the status says "not due" where it matters."""
    def t(key: str) -> str:
        return label(COLUMN_LABELS, key, lang)

    def flags(value: Any) -> str:
        return "; ".join(label(FLAG_LABELS, code, lang) for code in value) if isinstance(value, list) else ""

    cols = [
        Col("department", t("department"), 26, "wrap"),
        Col("goal", t("goal"), 30, "wrap"),
        Col("measure_no", t("measure_no"), 6),
        Col("measure", t("measure"), 60, "wrap"),
        Col("indicator", t("indicator"), 26, "wrap"),
        Col("target_text", t("target_text"), 24, "wrap"),
        # The target compared this period: a count over several quarters is pro-rated while open.
        Col("target_due", label(COLUMN_LABELS, "target_due", lang), 10, "number"),
        Col("timeframe_text", t("timeframe_text"), 14, "wrap"),
        Col("responsible", t("responsible"), 22, "wrap"),
        Col("progress", t("progress"), 45, "wrap"),
        Col("actual_text", t("actual_text"), 22, "wrap"),
        Col("achievement", t("achievement"), 9, "percent"),
        Col("level", t("level"), 8, "number"),
        Col("status", t("status"), 16, render=lambda v: label(STATUS_LABELS, v, lang)),
        Col("basis", t("basis"), 13, render=lambda v: label(BASIS_LABELS, v, lang)),
        Col("flags", t("flags"), 26, "wrap", render=flags),
        Col("review_level", t("review_level"), 13, "review"),
        Col("review_comment", t("review_comment"), 28, "review"),
        Col("note", t("note"), 30, "wrap"),
        Col("source_file", t("source_file"), 24, "wrap"),
        Col("row", t("row"), 6, "int"),
        Col("measure_key", t("measure_key"), 12, "hidden"),
    ]
    if with_department:
        return cols
    # Department sheets are views; the review columns live on the main sheet only.
    return [c for c in cols if c.key not in ("department", "review_level", "review_comment", "measure_key")]


def _print_core_columns(sheet: Any, cols: list[Col], rows: int) -> None:
    """Print the measure up to its status and basis: the review, notes and file columns are for the screen."""
    last = next((i for i, col in enumerate(cols) if col.key == "basis"), len(cols) - 1)
    sheet.print_area(0, 0, max(rows, 1), last)


def _level_dropdown(sheet: Any, cols: list[Col], rows: int, method: Methodology) -> None:
    """The reviewer's level column offers the methodology's levels (other text is warned about, not refused)."""
    c = next((i for i, col in enumerate(cols) if col.key == "review_level"), None)
    if c is None or rows == 0:
        return
    choices = [f"{lv.value:g}" for lv in method.levels] + [method.not_due_short, method.not_evaluated_label]
    sheet.data_validation(1, c, rows, c, {"validate": "list", "source": choices, "error_type": "warning",
                                          "input_title": say("consolidated.review_input_title", "mn"),
                                          "input_message": say("consolidated.review_input_message", "mn")})


def unmatched_columns(lang: Lang) -> list[Col]:
    def t(key: str) -> str:
        return label(COLUMN_LABELS, key, lang)

    return [
        Col("department", t("department"), 26, "wrap"),
        Col("measure_no", t("measure_no"), 6),
        Col("measure", t("measure"), 60, "wrap"),
        Col("review_level", t("review_level"), 13, "review"),
        Col("review_comment", t("review_comment"), 28, "review"),
        Col("measure_key", t("measure_key"), 12, "hidden"),
    ]


def review_cell(position: int, on_unmatched_sheet: bool, lang: Lang = "mn") -> tuple[str, str]:
    """(sheet, cell) of the reviewer's level of the `position`-th measure (0-based) on the main sheet, or of
    the `position`-th row of the unmatched sheet, as `write_consolidated` lays them out."""
    from xlsxwriter.utility import xl_col_to_name

    cols = unmatched_columns(lang) if on_unmatched_sheet else measure_columns(lang)
    column = next(i for i, col in enumerate(cols) if col.key == "review_level")
    sheet = UNMATCHED_SHEETS[lang == "en"] if on_unmatched_sheet else MAIN_SHEETS[lang == "en"]
    return sheet, f"{xl_col_to_name(column)}{position + 2}"


def problem_columns(lang: Lang) -> list[Col]:
    return [
        Col("file", say("consolidated.file", lang), 30, "wrap"),
        Col("sheet", say("consolidated.sheet", lang), 14),
        Col("cell", say("consolidated.cell", lang), 8),
        Col("code", say("consolidated.code", lang), 22),
        Col("severity", say("consolidated.severity", lang), 10,
            render=lambda v: say(f"consolidated.severity_{v}", lang) if v in ("error", "warning") else v),
        Col("message", say("consolidated.message", lang), 90, "wrap"),
    ]


PLAN_CHANGE_SHEETS = pair("consolidated.plan_changes")


def plan_change_columns(lang: Lang) -> list[Col]:
    """The changes against the approved plan (issue 16): which measure, which cell, the old and the new."""
    from pipeline.plan import ACCEPT_TITLES, FIELD_LABELS

    mn = lang != "en"
    return [
        Col("department", say("consolidated.department", lang), 26, "wrap"),
        Col("measure_no", "№" if mn else "No.", 6),
        Col("measure", say("consolidated.measure", lang), 50, "wrap"),
        Col("field", say("consolidated.change", lang), 20, render=lambda v: label(FIELD_LABELS, v, lang)),
        Col("file", say("consolidated.file", lang), 24, "wrap"),
        Col("cell", say("consolidated.cell", lang), 8),
        Col("old", say("consolidated.approved", lang), 30, "wrap"),
        Col("new", say("consolidated.report", lang), 30, "wrap"),
        Col("accepted", say("consolidated.accepted", lang), 30, "wrap"),
        # Issue 16: a reason written here accepts the change on the next run (plan.accept_in_workbook).
        Col("accept_reason", ACCEPT_TITLES[not mn], 30, "review"),
    ]


def submission_columns(lang: Lang) -> list[Col]:
    return [
        Col("file", say("consolidated.file", lang), 34, "wrap"),
        Col("department", say("consolidated.department", lang), 30, "wrap"),
        Col("received_at", say("consolidated.received", lang), 17, "datetime"),
        Col("state", say("consolidated.state", lang), 22, render=lambda v: label(SUBMISSION_STATES, v, lang)),
        Col("errors", say("consolidated.errors", lang), 8, "int"),
        Col("warnings", say("consolidated.warnings", lang), 11, "int"),
        Col("measures", say("consolidated.measures", lang), 10, "int"),
        Col("sender", say("consolidated.sender", lang), 24),
        Col("origin", say("consolidated.origin", lang), 14, render=lambda v: label(ORIGIN_LABELS, v, lang)),
        Col("archive_path", say("consolidated.archived", lang), 40, "wrap"),
    ]


def write_consolidated(
    report: Report,
    path: Path,
    lang: Lang,
    *,
    department_sheets_max: int,
    problems: pd.DataFrame,
    method: Methodology,
    per_department_files: bool = False,
) -> list[Written]:
    """Write the consolidated workbook: a sheet per department up to `department_sheets_max` departments;
    beyond that the main sheet's filter serves, and `per_department_files` writes a workbook per department."""
    overrides = report.overrides.rows
    measures: pd.DataFrame = report.measures.assign(
        review_level=[overrides[k].level if k in overrides else None for k in report.measures["measure_key"]],
        review_comment=[overrides[k].comment if k in overrides else None for k in report.measures["measure_key"]],
    )
    unmatched = pd.DataFrame(
        [{"department": o.department, "measure_no": o.measure_no, "measure": o.measure, "review_level": o.level,
          "review_comment": o.comment, "measure_key": o.measure_key} for o in report.unmatched_overrides],
        columns=["department", "measure_no", "measure", "review_level", "review_comment", "measure_key"],
    )
    present = set(measures["department"])
    departments = [d for d in report.departments["department"] if d in present]
    per_sheet = len(departments) <= department_sheets_max
    title = f"{report.period} — нэгтгэл" if lang != "en" else f"{report.period} — consolidation"

    def writer(tmp: Path) -> None:
        workbook = new_workbook(tmp)
        formats = Formats(workbook)
        taken: set[str] = set()
        main = workbook.add_worksheet(sheet_name(MAIN_SHEETS[lang == "en"], taken), worksheet_class=TableSheet)
        cols = measure_columns(lang)
        if "parent_path" in measures.columns:  # issue 17: the unit's path, last, only with a hierarchy
            cols = [*cols, Col("parent_path", say("consolidated.path_hierarchy", lang), 40, "wrap")]
        write_table(main, measures, cols, formats, freeze_cols=4)
        _level_dropdown(main, cols, len(measures), method)
        print_setup(main, title=title, header_rows=(0, 0), lang=lang)
        _print_core_columns(main, cols, len(measures))
        if len(unmatched):
            sheet = workbook.add_worksheet(sheet_name(UNMATCHED_SHEETS[lang == "en"], taken))
            write_table(sheet, unmatched, unmatched_columns(lang), formats)
            _level_dropdown(sheet, unmatched_columns(lang), len(unmatched), method)
        if per_sheet:
            groups = dict(tuple(measures.groupby("department", sort=False)))
            short = dict(zip(report.departments["department"], report.departments["short"], strict=True))
            for dept in departments:
                sheet = workbook.add_worksheet(sheet_name(short.get(dept) or dept, taken), worksheet_class=TableSheet)
                dept_cols = measure_columns(lang, with_department=False)
                write_table(sheet, groups[dept], dept_cols, formats, freeze_cols=3)
                print_setup(sheet, title=f"{dept} — {report.period}", header_rows=(0, 0), lang=lang)
                _print_core_columns(sheet, dept_cols, len(groups[dept]))
        changes = getattr(report, "plan_changes", None)
        if changes is not None:
            sheet = workbook.add_worksheet(sheet_name(PLAN_CHANGE_SHEETS[lang == "en"], taken))
            write_table(sheet, changes, plan_change_columns(lang), formats)
            print_setup(sheet, title=title, header_rows=(0, 0), lang=lang)
        sheet = workbook.add_worksheet(sheet_name(say("consolidated.problems", lang), taken), worksheet_class=TableSheet)
        write_table(sheet, problems, problem_columns(lang), formats)
        print_setup(sheet, title=title, header_rows=(0, 0), lang=lang)
        sheet = workbook.add_worksheet(sheet_name(say("consolidated.submissions", lang), taken))
        write_table(sheet, report.submissions, submission_columns(lang), formats)
        print_setup(sheet, title=title, header_rows=(0, 0), lang=lang)
        workbook.set_properties({"title": title, "author": "negtgel"})
        workbook.close()

    written = [write_atomically(path, writer)]
    if per_department_files:
        written.extend(_department_workbooks(report, path.parent / "departments", lang))
    return written


DEPARTMENT_KEYS = ".negtgel-departments.json"


def _department_workbooks(report: Report, folder: Path, lang: Lang) -> list[Written]:
    """A workbook per department; one whose department's rows are as when it was last written is kept
    (`keyed`): a changed file among a thousand rewrites one workbook, not a thousand."""
    from pipeline import __version__

    result = []
    short = dict(zip(report.departments["department"], report.departments["short"], strict=True))
    cols = measure_columns(lang, with_department=False)
    shown = [c.key for c in cols if c.key in report.measures.columns]
    # One hash a row of what the workbook shows, for all rows at once (a list of flags hashed as its text).
    hashed = report.measures[shown]
    if "flags" in hashed.columns:
        hashed = hashed.assign(flags=["; ".join(v) if isinstance(v, list) else v for v in hashed["flags"]])
    row_hashes = pd.util.hash_pandas_object(hashed, index=False, categorize=False).to_numpy() if len(hashed) else None
    jobs = []
    groups = report.measures.groupby("department", sort=True)
    positions = groups.indices
    for dept, group in groups:
        name = localized(f"{sheet_name(short.get(dept) or dept, set()).replace(' ', '_')}_{report.period}.xlsx", lang)
        digest = hashlib.sha256(repr((__version__, lang, report.period, dept, short.get(dept), [c.title for c in cols])).encode("utf-8"))
        if row_hashes is not None:
            digest.update(row_hashes[positions[dept]].tobytes())
        jobs.append((dept, group, name, digest.hexdigest()))
    keys = {name: key for _, _, name, key in jobs}
    same = keyed.unchanged(folder / DEPARTMENT_KEYS, keys) if folder.is_dir() else set()
    for dept, group, name, _ in jobs:
        if name in same:
            result.append(Written(folder / name))
            continue

        def writer(tmp: Path, group: pd.DataFrame = group, dept: str = dept) -> None:
            workbook = new_workbook(tmp, constant_memory=True)
            formats = Formats(workbook)
            sheet = workbook.add_worksheet(sheet_name(short.get(dept) or dept, set()))
            write_table(sheet, group, cols, formats, freeze_cols=3)
            print_setup(sheet, title=f"{dept} — {report.period}", header_rows=(0, 0), lang=lang)
            workbook.close()

        result.append(write_atomically(folder / name, writer))
    keyed.remember(folder / DEPARTMENT_KEYS, keys, [w for w in result if w.path.name not in same])
    return result
