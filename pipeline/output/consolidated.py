"""The consolidated workbook `negtgel_YYYY-MM.xlsx`: every measure one row, a sheet per department,
the problems and the submissions. With more departments than `output.department_sheets_max`, each
department gets its own workbook under `departments/` instead of a sheet.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.labels import BASIS_LABELS, COLUMN_LABELS, KIND_LABELS, STATUS_LABELS, label
from pipeline.output.safe import Written, new_workbook, write_atomically
from pipeline.output.sheets import Col, Formats, print_setup, sheet_name, write_table
from pipeline.problems import Lang

SUBMISSION_STATES = {
    "consolidated": ("Нэгтгэсэн", "Consolidated"),
    "superseded": ("Шинэ тайлангаар солигдсон", "Superseded"),
    "unreadable": ("Уншигдаагүй", "Unreadable"),
    "department-unknown": ("Хэлтэс тодорхойгүй", "Department unknown"),
    "after-closing": ("Хаасны дараа ирсэн", "Arrived after closing"),
}


def measure_columns(lang: Lang, *, with_department: bool = True) -> list[Col]:
    def t(key: str) -> str:
        return label(COLUMN_LABELS, key, lang)

    def flags(value: Any) -> str:
        return "; ".join(value) if isinstance(value, list) else ""

    cols = [
        Col("department", t("department"), 26, "wrap"),
        Col("goal", t("goal"), 30, "wrap"),
        Col("measure_no", t("measure_no"), 6),
        Col("measure", t("measure"), 60, "wrap"),
        Col("indicator", t("indicator"), 26, "wrap"),
        Col("target_text", t("target_text"), 24, "wrap"),
        Col("target_kind", t("target_kind"), 11, render=lambda v: label(KIND_LABELS, v, lang)),
        Col("target_op", t("target_op"), 8),
        Col("target_value", t("target_value"), 9, "number"),
        Col("timeframe_text", t("timeframe_text"), 14, "wrap"),
        Col("quarters", t("quarters"), 9),
        Col("due", t("due"), 9, render=lambda v: ("Yes" if v else "No") if lang == "en" else ("Тийм" if v else "Үгүй")),
        Col("responsible", t("responsible"), 22, "wrap"),
        Col("progress", t("progress"), 45, "wrap"),
        Col("actual_text", t("actual_text"), 22, "wrap"),
        Col("actual_value", t("actual_value"), 9, "number"),
        Col("achievement", t("achievement"), 9, "percent"),
        Col("level", t("level"), 8, "number"),
        Col("status", t("status"), 16, render=lambda v: label(STATUS_LABELS, v, lang)),
        Col("basis", t("basis"), 13, render=lambda v: label(BASIS_LABELS, v, lang)),
        Col("flags", t("flags"), 26, "wrap", render=flags),
        Col("note", t("note"), 30, "wrap"),
        Col("source_file", t("source_file"), 24, "wrap"),
        Col("sheet", t("sheet"), 12),
        Col("row", t("row"), 6, "int"),
    ]
    return cols if with_department else [c for c in cols if c.key != "department"]


def problem_columns(lang: Lang) -> list[Col]:
    mn = lang != "en"
    return [
        Col("file", "Файл" if mn else "File", 30, "wrap"),
        Col("sheet", "Хуудас" if mn else "Sheet", 14),
        Col("cell", "Нүд" if mn else "Cell", 8),
        Col("code", "Код" if mn else "Code", 22),
        Col("severity", "Зэрэг" if mn else "Severity", 10,
            render=lambda v: {"error": "Алдаа", "warning": "Анхааруулга"}.get(v, v) if mn else v),
        Col("message", "Тайлбар" if mn else "Message", 90, "wrap"),
    ]


def submission_columns(lang: Lang) -> list[Col]:
    mn = lang != "en"
    return [
        Col("file", "Файл" if mn else "File", 34, "wrap"),
        Col("department", "Хэлтэс, нэгж" if mn else "Department", 30, "wrap"),
        Col("received_at", "Ирсэн огноо" if mn else "Received", 17),
        Col("state", "Төлөв" if mn else "State", 22, render=lambda v: label(SUBMISSION_STATES, v, lang)),
        Col("errors", "Алдаа" if mn else "Errors", 8, "int"),
        Col("warnings", "Анхааруулга" if mn else "Warnings", 11, "int"),
        Col("measures", "Арга хэмжээ" if mn else "Measures", 10, "int"),
        Col("sender", "Илгээгч" if mn else "Sender", 24),
        Col("origin", "Хэрхэн ирсэн" if mn else "Origin", 12),
        Col("archive_path", "Архивт" if mn else "Archived as", 40, "wrap"),
    ]


def write_consolidated(
    report: Any,
    path: Path,
    lang: Lang,
    *,
    department_sheets_max: int,
    problems: pd.DataFrame,
    per_department_files: bool = False,
) -> list[Written]:
    """Write the consolidated workbook: a sheet per department up to `department_sheets_max` departments;
    beyond that the main sheet's filter serves, and `per_department_files` writes a workbook per department."""
    measures: pd.DataFrame = report.measures
    present = set(measures["department"])
    departments = [d for d in report.departments["department"] if d in present]
    per_sheet = len(departments) <= department_sheets_max
    title = f"{report.period} — нэгтгэл" if lang != "en" else f"{report.period} — consolidation"

    def writer(tmp: Path) -> None:
        workbook = new_workbook(tmp)
        formats = Formats(workbook)
        taken: set[str] = set()
        main = workbook.add_worksheet(sheet_name("Нэгтгэл" if lang != "en" else "All measures", taken))
        write_table(main, measures, measure_columns(lang), formats, freeze_cols=4)
        print_setup(main, title=title, header_rows=(0, 0))
        if per_sheet:
            groups = dict(tuple(measures.groupby("department", sort=False)))
            short = dict(zip(report.departments["department"], report.departments["short"], strict=True))
            for dept in departments:
                sheet = workbook.add_worksheet(sheet_name(short.get(dept) or dept, taken))
                write_table(sheet, groups[dept], measure_columns(lang, with_department=False), formats, freeze_cols=3)
                print_setup(sheet, title=f"{dept} — {report.period}", header_rows=(0, 0))
        sheet = workbook.add_worksheet(sheet_name("Асуудлууд" if lang != "en" else "Problems", taken))
        write_table(sheet, problems, problem_columns(lang), formats)
        print_setup(sheet, title=title, header_rows=(0, 0))
        sheet = workbook.add_worksheet(sheet_name("Ирүүлсэн файлууд" if lang != "en" else "Submissions", taken))
        write_table(sheet, report.submissions, submission_columns(lang), formats)
        print_setup(sheet, title=title, header_rows=(0, 0))
        workbook.set_properties({"title": title, "author": "negtgel"})
        workbook.close()

    written = [write_atomically(path, writer)]
    if per_department_files:
        written.extend(_department_workbooks(report, path.parent / "departments", lang))
    return written


def _department_workbooks(report: Any, folder: Path, lang: Lang) -> list[Written]:
    result = []
    short = dict(zip(report.departments["department"], report.departments["short"], strict=True))
    for dept, group in report.measures.groupby("department", sort=True):
        name = sheet_name(short.get(dept) or dept, set()).replace(" ", "_")

        def writer(tmp: Path, group: pd.DataFrame = group, dept: str = dept) -> None:
            workbook = new_workbook(tmp, constant_memory=True)
            formats = Formats(workbook)
            sheet = workbook.add_worksheet(sheet_name(short.get(dept) or dept, set()))
            write_table(sheet, group, measure_columns(lang, with_department=False), formats, freeze_cols=3)
            print_setup(sheet, title=f"{dept} — {report.period}", header_rows=(0, 0))
            workbook.close()

        result.append(write_atomically(folder / f"{name}_{report.period}.xlsx", writer))
    return result
