"""The CSV outputs: `measures.csv` (exact columns, for other tools) and `problems.csv`.

UTF-8 with a byte-order mark so Excel opens Cyrillic right; CRLF line ends; text that a spreadsheet would
run as a formula is prefixed with an apostrophe (OWASP CSV injection guidance). The same inputs give
byte-identical files.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.output.safe import FORMULA_TRIGGERS, Written, csv_safe, write_atomically

MEASURES_CSV_COLUMNS = [
    "department", "source_file", "sheet", "row", "goal", "measure_no", "measure", "indicator", "target_text",
    "target_kind", "target_op", "target_value", "target_due", "timeframe_text", "quarters", "due", "actual_text", "actual_value",
    "achievement", "level", "status", "basis", "flags",
]
NUMBER_COLUMNS = {"row", "target_value", "target_due", "actual_value", "level"}


def _number(value: Any) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    number = float(value)
    if number.is_integer():
        return str(int(number))
    return f"{number:.6f}".rstrip("0").rstrip(".")


# Issue 17: the unit's path, the last column, only when departments.yaml has a parent (without one the file
# stays exactly as it was).
HIERARCHY_CSV_COLUMNS = ["parent_path"]


def measures_csv_columns(measures: pd.DataFrame) -> list[str]:
    return MEASURES_CSV_COLUMNS + [c for c in HIERARCHY_CSV_COLUMNS if c in measures.columns]


def measure_rows(measures: pd.DataFrame) -> list[tuple[str, ...]]:
    columns: list[list[str]] = []
    for name in measures_csv_columns(measures):
        values = measures[name].tolist() if name in measures.columns else [""] * len(measures)
        if name in NUMBER_COLUMNS:
            columns.append([_number(v) for v in values])
        elif name == "achievement":
            columns.append(["" if _number(v) == "" else f"{float(v):.2f}" for v in values])
        elif name == "due":
            columns.append(["true" if v else "false" for v in values])
        elif name == "flags":
            columns.append([";".join(v) if isinstance(v, list) else "" for v in values])
        else:
            texts = ["" if v is None or v is pd.NA else v if v.__class__ is str else str(v) for v in values]
            # Only a text starting with a formula trigger needs neutralising; most need nothing.
            columns.append([csv_safe(t) if t and t[0] in FORMULA_TRIGGERS else t for t in texts])
    return list(zip(*columns, strict=True)) if columns else []


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[str]]) -> Written:
    def writer(tmp: Path) -> None:
        with tmp.open("w", encoding="utf-8-sig", newline="") as handle:
            out = csv.writer(handle, lineterminator="\r\n")
            out.writerow(header)
            out.writerows(rows)

    return write_atomically(path, writer)


CSV_CHUNK = 20000  # rows formatted at a time: 250,000 measures are not held as text all at once (issue 19)


def write_measures_csv(measures: pd.DataFrame, path: Path) -> Written:
    header = measures_csv_columns(measures)

    def writer(tmp: Path) -> None:
        with tmp.open("w", encoding="utf-8-sig", newline="") as handle:
            out = csv.writer(handle, lineterminator="\r\n")
            out.writerow(header)
            for first in range(0, len(measures), CSV_CHUNK):
                out.writerows(measure_rows(measures.iloc[first:first + CSV_CHUNK]))

    return write_atomically(path, writer)


def write_problems_csv(problems: pd.DataFrame, path: Path) -> Written:
    columns = ["file", "sheet", "cell", "code", "severity", "message"]
    rows = [[csv_safe(str(v)) for v in record] for record in problems[columns].itertuples(index=False)]
    return write_csv(path, columns, rows)
