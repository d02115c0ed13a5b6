"""The specialist's review columns in the consolidated workbook: overrides are read back when the workbook
was edited, kept in the store, and survive resubmissions: the end-to-end runs that prove the wiring. The rules
themselves (invalid levels, unmatched and renumbered overrides, a closed period's refusals) run on in-memory
inputs in tests/test_review_core.py."""

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


# --- issue 11, item 6: reviews after closing, invalid values, the run line ------------------------------------


def invoke(*args: str) -> str:
    result = CliRunner().invoke(cli, [*args, "--mappings", str(MAPPINGS)])
    assert result.exit_code in (0, 1), result.output
    return result.output


def review_cells(path: Path, sheet: str = "Нэгтгэл") -> dict[str, tuple[object, object]]:
    """measure -> (reviewer's level, reviewer's comment) as the workbook shows them."""
    ws = openpyxl.load_workbook(path)[sheet]
    titles = [c.value for c in ws[1]]
    measure = titles.index("Хэрэгжүүлэх арга хэмжээ" if sheet != "All measures" else "Measure")
    level = titles.index("Хянагчийн түвшин" if sheet != "All measures" else "Reviewer's level")
    comment = titles.index("Хянагчийн тайлбар" if sheet != "All measures" else "Reviewer's comment")
    return {r[measure]: (r[level], r[comment]) for r in ws.iter_rows(min_row=2, values_only=True)}


def problem_rows(out: Path, name: str = "problems.csv") -> list[dict[str, str]]:
    with (out / "2026-10" / name).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def started(tmp_path: Path) -> tuple[Path, Path, str]:
    """One department's three measures (100, 70, 0), consolidated once: the input, output and run line."""
    inbox, out = tmp_path / "input", tmp_path / "output"
    inbox.mkdir()
    write_xlsx(inbox / "ЗУХ.xlsx", template_rows(measures(), department=ZUH), saved=dt.datetime(2026, 11, 2, 9))
    return inbox, out, run(inbox, out)


def resubmit(inbox: Path, name: str, saved: dt.datetime) -> None:
    """The same measures renumbered 2.1-2.3."""
    write_xlsx(inbox / name, template_rows(measures(("2.1", "2.2", "2.3")), department=ZUH), saved=saved)


def workbook(out: Path) -> Path:
    return out / "2026-10" / "negtgel_2026-10.xlsx"


def test_a_closed_period_shows_its_overrides_and_refuses_edits_naming_the_cell(tmp_path: Path) -> None:
    inbox, out, _ = started(tmp_path)
    set_override(out, "Сургалт зохион байгуулна.", "Бүрэн хэрэгжсэн", "Нотлох баримт ирүүлсэн")
    set_override(out, "Журмыг шинэчилнэ.", "30", "Төсөл боловсруулсан")
    assert "76.7 %" in run(inbox, out)
    invoke("close", "--period", "2026-10", "--reason", "Удирдлагад танилцуулсан", "-o", str(out))

    # The runs after closing keep showing the overrides in force (they used to come out empty).
    for _ in range(2):
        output = run(inbox, out)
        assert "76.7 %" in output
        shown = review_cells(workbook(out))
        assert shown["Сургалт зохион байгуулна."] == ("Бүрэн хэрэгжсэн", "Нотлох баримт ирүүлсэн")
        assert shown["Журмыг шинэчилнэ."] == ("30", "Төсөл боловсруулсан")
        assert shown["Цахим үйлчилгээг нэвтрүүлнэ."] == (None, None)
    # A file that arrives after closing changes nothing there either.
    resubmit(inbox, "ЗУХ хоцорсон.xlsx", dt.datetime(2026, 11, 20, 9))
    assert "76.7 %" in run(inbox, out)
    assert review_cells(workbook(out))["Журмыг шинэчилнэ."] == ("30", "Төсөл боловсруулсан")

    # Edits after closing: a new override, a changed one and a cleared one are each refused at their cell.
    set_override(out, "Цахим үйлчилгээг нэвтрүүлнэ.", "0", "шинэ")
    set_override(out, "Журмыг шинэчилнэ.", "70", "Төсөл боловсруулсан")
    set_override(out, "Сургалт зохион байгуулна.", None, None)  # type: ignore[arg-type]
    output = run(inbox, out)
    assert "76.7 %" in output
    assert "3 засварыг хүлээж аваагүй (үе хаагдсан: эхлээд дахин нээнэ үү)" in output
    refused = [(p["sheet"], p["cell"], p["severity"]) for p in problem_rows(out) if p["code"] == "review-period-closed"]
    assert sorted(refused) == [("Нэгтгэл", "Q2", "error"), ("Нэгтгэл", "Q3", "error"), ("Нэгтгэл", "Q4", "error")]
    message = next(p["message"] for p in problem_rows(out) if p["cell"] == "Q4" and p["code"] == "review-period-closed")
    assert "«70»" in message and "эхлээд дахин нээнэ үү (negtgel reopen --period 2026-10)" in message
    shown = review_cells(workbook(out))  # the values in force are written back
    assert shown["Цахим үйлчилгээг нэвтрүүлнэ."] == (None, None)
    assert shown["Журмыг шинэчилнэ."] == ("30", "Төсөл боловсруулсан")
    assert shown["Сургалт зохион байгуулна."] == ("Бүрэн хэрэгжсэн", "Нотлох баримт ирүүлсэн")

    # Reopened, the same edit counts (the resubmission that came after closing is now the one consolidated).
    invoke("reopen", "--period", "2026-10", "--reason", "Засвар")
    run(inbox, out)
    set_override(out, "Журмыг шинэчилнэ.", "70", "Дахин шалгасан")
    output = run(inbox, out)
    assert "90.0 %" in output  # (100 + 100 + 70) / 3
    assert "Хянагчийн түвшин: ажлын номоос 2 уншлаа, мөрдөж буй 2." in output


def test_the_run_line_says_how_many_overrides_it_read_in_either_language(tmp_path: Path) -> None:
    inbox, out, output = started(tmp_path)
    assert "Хянагчийн" not in output  # nothing reviewed yet: nothing to say
    set_override(out, "Журмыг шинэчилнэ.", "30", "")
    set_override(out, "Сургалт зохион байгуулна.", "85", "")
    assert "Хянагчийн түвшин: ажлын номоос 2 уншлаа, мөрдөж буй 1." in run(inbox, out)
    assert "Хянагчийн түвшин: ажлын ном засагдаагүй, мөрдөж буй 1." in run(inbox, out)
    english = CliRunner().invoke(cli, ["run", str(inbox), "-o", str(out), "--mappings", str(MAPPINGS), "--lang", "en"]).output
    assert "Review: 0 overrides read from the review workbook" not in english
    assert "Review: workbook not edited, 1 in force." in english


def test_a_review_workbook_that_cannot_be_read_is_listed_and_the_store_stays_in_force(tmp_path: Path) -> None:
    from pipeline.review import merge_overrides
    from pipeline.review_workbook import read_review

    broken = tmp_path / "negtgel_2026-10.xlsx"
    broken.write_bytes(b"PK\x03\x04 saved half-way")
    found = read_review(broken)
    assert found.records is None and found.problem is not None
    assert (found.problem.code, found.problem.file) == ("file-unreadable", "negtgel_2026-10.xlsx")
    kept = (ZUH, f"{ZUH}|1.3|abc", "1.3", "Журмыг шинэчилнэ.", "30", "")
    merged = merge_overrides([kept], found, found.name)
    assert merged.problems == [found.problem] and list(merged.rows) == [kept[1]] and merged.read is None
