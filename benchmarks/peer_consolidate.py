"""The straightforward script a colleague would write: read each file with pandas, concatenate, write.

Kept as the yardstick negtgel is measured against (benchmarks/bench_run.py runs it on the same files, once with
each engine: openpyxl, pandas' default, and calamine, what a colleague who knows pandas would pick).
Usage: python benchmarks/peer_consolidate.py INPUT_DIR OUTPUT.xlsx [openpyxl|calamine]
"""

import sys
from pathlib import Path

import pandas as pd

engine = sys.argv[3] if len(sys.argv) > 3 else "openpyxl"
frames = []
for path in sorted(Path(sys.argv[1]).glob("*.xlsx")):
    table = pd.read_excel(path, engine=engine, header=6)
    table = table[table["Хэрэгжүүлэх арга хэмжээ"].notna()]
    table.insert(0, "Файл", path.name)
    frames.append(table)
data = pd.concat(frames, ignore_index=True)
levels = {"Бүрэн хэрэгжсэн": 100, "Хэрэгжих шатандаа": 70, "Хэрэгжилт хангалтгүй": 30, "Хэрэгжээгүй": 0}
data["Түвшин"] = data["Хүрсэн түвшин"].map(levels)
summary = data.groupby("Файл")["Түвшин"].mean().round(1).reset_index()

with pd.ExcelWriter(sys.argv[2], engine="xlsxwriter") as writer:
    data.to_excel(writer, sheet_name="Нэгтгэл", index=False)
    summary.to_excel(writer, sheet_name="Дүн", index=False)
    sheet = writer.sheets["Дүн"]
    chart = writer.book.add_chart({"type": "bar"})
    rows = len(summary)
    chart.add_series({"categories": ["Дүн", 1, 0, rows, 0], "values": ["Дүн", 1, 1, rows, 1]})
    sheet.insert_chart("D2", chart)
print(f"{len(data)} rows from {len(frames)} files")
