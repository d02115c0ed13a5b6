"""End-to-end runs on real files: templates in, workbooks and CSVs out, read back."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from pipeline.cli import cli
from tests.conftest import MAPPINGS
from tests.helpers import template_rows, write_xlsx


def published_aimag_rows() -> list[list[object]]:
    """docs/methodology.md §9: 59 measures at 100, 13 at 70, 5 at 30, 1 at 0 and 2 not due."""
    words = ["Бүрэн хэрэгжсэн"] * 59 + ["Хэрэгжих шатандаа"] * 13 + ["Хэрэгжилт хангалтгүй"] * 5 + ["Хэрэгжээгүй"] + ["ХБ"] * 2
    rows: list[list[object]] = [["Зорилго 1: Аймгийн хөгжлийн бодлогыг хэрэгжүүлэх"]]
    for i, word in enumerate(words, start=1):
        rows.append([f"1.{i}", f"Арга хэмжээ {i}-ийг хэрэгжүүлнэ.", "Хэрэгжилтийн хувиар", None, "Хэрэгжилт - 100%",
                     "I-IV улирал", "Мэргэжилтэн", "Тайлан ирүүлсэн.", word, None, None])
    return rows


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_published_aimag_figure_is_reproduced_through_the_whole_pipeline(tmp_path: Path) -> None:
    inbox = tmp_path / "input"
    inbox.mkdir()
    write_xlsx(inbox / "ХШҮДАХ 10 сар.xlsx", template_rows(published_aimag_rows(),
               department="Хяналт-шинжилгээ, үнэлгээ, дотоод аудитын хэлтэс"), merges=["A8:K8"],
               saved=dt.datetime(2026, 11, 4, 9, 30))
    out = tmp_path / "output"
    result = CliRunner().invoke(cli, ["run", str(inbox), "-o", str(out), "--mappings", str(MAPPINGS)])
    assert result.exit_code == 0, result.output
    assert "89.2 %" in result.output

    summary = openpyxl.load_workbook(out / "2026-10" / "summary_2026-10.xlsx", data_only=True)
    values = [cell for row in summary.worksheets[0].iter_rows(values_only=True) for cell in row]
    assert 89.2 in values

    rows = read_csv(out / "2026-10" / "measures.csv")
    assert len(rows) == 80
    statuses = [r["status"] for r in rows]
    assert statuses.count("done") == 59 and statuses.count("not_due") == 2
    assert {r["basis"] for r in rows if r["status"] != "not_due"} == {"status_word"}
    assert rows[0]["goal"] == "Зорилго 1: Аймгийн хөгжлийн бодлогыг хэрэгжүүлэх"
