"""The specialist's review columns in the consolidated workbook: overrides are read back when the workbook
was edited, kept in the store, and survive resubmissions."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from pipeline.cli import cli
from tests.conftest import MAPPINGS
from tests.helpers import template_rows, write_xlsx

ZUH = "Захиргаа, удирдлагын хэлтэс"


def measures(numbering: tuple[str, str, str] = ("1.1", "1.2", "1.3")) -> list[list[object]]:
    texts = ["Цахим үйлчилгээг нэвтрүүлнэ.", "Сургалт зохион байгуулна.", "Журмыг шинэчилнэ."]
    actual = ["Бүрэн хэрэгжсэн", "Хэрэгжих шатандаа", "Хэрэгжээгүй"]
    return [[no, text, None, None, "Хэрэгжилт - 100%", "I-IV улирал", None, None, a, None, None]
            for no, text, a in zip(numbering, texts, actual, strict=True)]


def run(inbox: Path, out: Path) -> str:
    result = CliRunner().invoke(cli, ["run", str(inbox), "-o", str(out), "--mappings", str(MAPPINGS)])
    assert result.exit_code in (0, 1), result.output
    return result.output


def rows(out: Path) -> dict[str, dict[str, str]]:
    with (out / "2026-10" / "measures.csv").open(encoding="utf-8-sig", newline="") as handle:
        return {r["measure"]: r for r in csv.DictReader(handle)}


def set_override(out: Path, measure: str, level: str, comment: str) -> None:
    path = out / "2026-10" / "negtgel_2026-10.xlsx"
    book = openpyxl.load_workbook(path)
    sheet = book["Нэгтгэл"]
    titles = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[titles.index("Хэрэгжүүлэх арга хэмжээ")].value == measure:
            row[titles.index("Хянагчийн түвшин")].value = level
            row[titles.index("Хянагчийн тайлбар")].value = comment
    book.save(path)


def test_override_is_used_kept_and_follows_a_renumbered_resubmission(tmp_path: Path) -> None:
    inbox, out = tmp_path / "input", tmp_path / "output"
    inbox.mkdir()
    write_xlsx(inbox / "ЗУХ.xlsx", template_rows(measures(), department=ZUH), saved=dt.datetime(2026, 11, 2, 9))
    assert "56.7 %" in run(inbox, out)  # (100 + 70 + 0) / 3

    set_override(out, "Сургалт зохион байгуулна.", "Бүрэн хэрэгжсэн", "Нотлох баримт ирүүлсэн")
    set_override(out, "Журмыг шинэчилнэ.", "30", "Төсөл боловсруулсан")
    output = run(inbox, out)
    assert "76.7 %" in output  # (100 + 100 + 30) / 3
    got = rows(out)
    assert (got["Сургалт зохион байгуулна."]["level"], got["Сургалт зохион байгуулна."]["basis"]) == ("100", "evaluator")
    assert (got["Журмыг шинэчилнэ."]["level"], got["Журмыг шинэчилнэ."]["status"]) == ("30", "insufficient")

    # The department resubmits with the measures renumbered: the overrides follow their measures.
    write_xlsx(inbox / "ЗУХ засвар.xlsx", template_rows(measures(("2.1", "2.2", "2.3")), department=ZUH),
               saved=dt.datetime(2026, 11, 3, 9))
    assert "76.7 %" in run(inbox, out)
    assert {r["source_file"] for r in rows(out).values()} == {"ЗУХ засвар.xlsx"}
    review = openpyxl.load_workbook(out / "2026-10" / "negtgel_2026-10.xlsx")["Нэгтгэл"]
    titles = [c.value for c in review[1]]
    column = titles.index("Хянагчийн тайлбар")
    comments = [r[column] for r in review.iter_rows(min_row=2, values_only=True) if r[column]]
    assert sorted(comments) == ["Нотлох баримт ирүүлсэн", "Төсөл боловсруулсан"]
    key_column = openpyxl.utils.get_column_letter(titles.index("Түлхүүр (бүү өөрчил)") + 1)
    assert review.column_dimensions[key_column].hidden

    # Clearing an override in the review file removes it.
    set_override(out, "Журмыг шинэчилнэ.", None, None)  # type: ignore[arg-type]
    assert "66.7 %" in run(inbox, out)


def test_a_level_that_is_not_in_the_methodology_is_reported(tmp_path: Path) -> None:
    inbox, out = tmp_path / "input", tmp_path / "output"
    inbox.mkdir()
    write_xlsx(inbox / "ЗУХ.xlsx", template_rows(measures(), department=ZUH), saved=dt.datetime(2026, 11, 2, 9))
    run(inbox, out)
    set_override(out, "Журмыг шинэчилнэ.", "65", "")
    assert "56.7 %" in run(inbox, out)
    with (out / "2026-10" / "problems.csv").open(encoding="utf-8-sig") as handle:
        found = [r for r in csv.DictReader(handle) if r["code"] == "review-level-invalid"]
    assert [(r["file"], r["sheet"], r["cell"], r["severity"]) for r in found] == [("negtgel_2026-10.xlsx", "Нэгтгэл", "Q4", "error")]  # Q: the review level, after target_due


def test_an_override_whose_measure_is_gone_is_kept_on_its_own_sheet(tmp_path: Path) -> None:
    inbox, out = tmp_path / "input", tmp_path / "output"
    inbox.mkdir()
    write_xlsx(inbox / "ЗУХ.xlsx", template_rows(measures(), department=ZUH), saved=dt.datetime(2026, 11, 2, 9))
    run(inbox, out)
    set_override(out, "Журмыг шинэчилнэ.", "70", "шалгасан")
    run(inbox, out)
    fewer = measures()[:2]
    write_xlsx(inbox / "ЗУХ v2.xlsx", template_rows(fewer, department=ZUH), saved=dt.datetime(2026, 11, 4, 9))
    run(inbox, out)
    book = openpyxl.load_workbook(out / "2026-10" / "negtgel_2026-10.xlsx")
    kept = [r for r in book["Тохироогүй"].iter_rows(min_row=2, values_only=True)]
    assert [(r[2], r[3], r[4]) for r in kept] == [("Журмыг шинэчилнэ.", "70", "шалгасан")]
    with (out / "2026-10" / "problems.csv").open(encoding="utf-8-sig") as handle:
        assert "review-row-unmatched" in handle.read()
