"""Issue 11, item 10: `--lang en` writes English outputs under their own names beside the Mongolian ones;
each language has its own manifest; the review workbook read back is the Mongolian one (the English one
only when the period has no Mongolian workbook), and a review typed in the other one is listed, not lost."""

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
BG = "Боловсролын газар"
MN_OUTPUTS = {"negtgel_2026-10.xlsx", "summary_2026-10.xlsx", "measures.csv", "problems.csv", "departments_2026-10.png",
              "status_2026-10.png", "digest_2026-10.pdf", ".negtgel-manifest.json"}
EN_OUTPUTS = {"negtgel_2026-10.en.xlsx", "summary_2026-10.en.xlsx", "problems.en.csv", "departments_2026-10.en.png",
              "status_2026-10.en.png", "digest_2026-10.en.pdf", ".negtgel-manifest.en.json"}


def inputs(tmp_path: Path) -> tuple[Path, Path]:
    inbox, out = tmp_path / "input", tmp_path / "output"
    inbox.mkdir()
    for name, dept, actual in (("ЗУХ.xlsx", ZUH, ["Бүрэн хэрэгжсэн", "Хэрэгжээгүй"]), ("БГ.xlsx", BG, ["Хэрэгжих шатандаа", "Бүрэн хэрэгжсэн"])):
        rows = [[f"1.{i}", f"{dept}: арга хэмжээ {i}", None, None, "Хэрэгжилт - 100%", "I-IV улирал", None, None, a, None, None]
                for i, a in enumerate(actual, start=1)]
        write_xlsx(inbox / name, template_rows(rows, department=dept), saved=dt.datetime(2026, 11, 2, 9))
    return inbox, out


def run(inbox: Path, out: Path, lang: str = "mn") -> str:
    result = CliRunner().invoke(cli, ["run", str(inbox), "-o", str(out), "--mappings", str(MAPPINGS), "--lang", lang])
    assert result.exit_code in (0, 1), result.output
    return result.output


def files(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (out / "2026-10").iterdir() if p.is_file()}


def set_review(path: Path, sheet: str, measure: str, level: str) -> None:
    book = openpyxl.load_workbook(path)
    ws = book[sheet]
    titles = [c.value for c in ws[1]]
    measure_col = titles.index("Хэрэгжүүлэх арга хэмжээ" if sheet == "Нэгтгэл" else "Measure")
    level_col = titles.index("Хянагчийн түвшин" if sheet == "Нэгтгэл" else "Reviewer's level")
    for row in ws.iter_rows(min_row=2):
        if row[measure_col].value == measure:
            row[level_col].value = level
    book.save(path)


def review_of(path: Path, sheet: str, measure: str) -> object:
    ws = openpyxl.load_workbook(path)[sheet]
    titles = [c.value for c in ws[1]]
    measure_col = titles.index("Хэрэгжүүлэх арга хэмжээ" if sheet == "Нэгтгэл" else "Measure")
    level_col = titles.index("Хянагчийн түвшин" if sheet == "Нэгтгэл" else "Reviewer's level")
    return next(r[level_col] for r in ws.iter_rows(min_row=2, values_only=True) if r[measure_col] == measure)


def problems(out: Path, name: str) -> list[dict[str, str]]:
    with (out / "2026-10" / name).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_english_outputs_have_their_own_names_and_leave_the_mongolian_ones_as_they_were(tmp_path: Path) -> None:
    inbox, out = inputs(tmp_path)
    assert "Гаралт:" in run(inbox, out)
    mongolian = files(out)
    assert set(mongolian) == MN_OUTPUTS
    assert "Written to" in run(inbox, out, "en")
    both = files(out)
    assert set(both) == MN_OUTPUTS | EN_OUTPUTS
    assert {name: both[name] for name in MN_OUTPUTS} == mongolian  # not one byte of leadership's files changed
    assert openpyxl.load_workbook(out / "2026-10" / "summary_2026-10.en.xlsx").sheetnames[0] == "Dashboard"
    assert openpyxl.load_workbook(out / "2026-10" / "summary_2026-10.xlsx").sheetnames[0] == "Самбар"
    assert "has not reported. Responsible:" in problems(out, "problems.en.csv")[0]["message"]
    assert "тайлангаа ирүүлээгүй байна" in problems(out, "problems.csv")[0]["message"]
    # Each language finds its own outputs as written, whichever ran last.
    assert "Өөрчлөлт алга; гаралт хэвээр" in run(inbox, out)
    assert "Nothing changed; outputs left as they were" in run(inbox, out, "en")
    assert "Өөрчлөлт алга; гаралт хэвээр" in run(inbox, out)
    assert files(out) == both


def test_measures_csv_is_the_same_bytes_in_either_language(tmp_path: Path) -> None:
    inbox, out = inputs(tmp_path)
    run(inbox, out, "en")
    english = (out / "2026-10" / "measures.csv").read_bytes()
    (out / "2026-10" / "measures.csv").unlink()
    run(inbox, out)
    assert (out / "2026-10" / "measures.csv").read_bytes() == english
    assert not (out / "2026-10" / "measures.en.csv").exists()


def test_the_mongolian_workbook_is_the_review_workbook_for_either_language(tmp_path: Path) -> None:
    inbox, out = inputs(tmp_path)
    run(inbox, out)
    run(inbox, out, "en")
    measure = f"{ZUH}: арга хэмжээ 2"
    set_review(out / "2026-10" / "negtgel_2026-10.xlsx", "Нэгтгэл", measure, "70")
    # An English run does not say "no change" over it: it reads the Mongolian workbook and shows the level.
    output = run(inbox, out, "en")
    assert "Overall implementation: 85.0 %" in output  # (100 + 70 + 70 + 100) / 4
    assert "Review: 1 override read from the review workbook, 1 in force." in output
    assert review_of(out / "2026-10" / "negtgel_2026-10.en.xlsx", "All measures", measure) == "70"
    assert "85.0 %" in run(inbox, out)
    assert review_of(out / "2026-10" / "negtgel_2026-10.xlsx", "Нэгтгэл", measure) == "70"

    # A level typed into the English workbook is listed with its cell, and not used.
    set_review(out / "2026-10" / "negtgel_2026-10.en.xlsx", "All measures", f"{BG}: арга хэмжээ 1", "0")
    output = run(inbox, out)
    assert "85.0 %" in output
    found = [(p["file"], p["sheet"], p["cell"], p["severity"]) for p in problems(out, "problems.csv") if p["code"] == "review-other-workbook"]
    assert found == [("negtgel_2026-10.en.xlsx", "All measures", "Q2", "warning")]
    assert "negtgel_2026-10.xlsx файлд оруулна уу" in next(p["message"] for p in problems(out, "problems.csv")
                                                          if p["code"] == "review-other-workbook")


def test_a_period_with_only_english_outputs_reads_the_english_workbook(tmp_path: Path) -> None:
    inbox, out = inputs(tmp_path)
    run(inbox, out, "en")
    set_review(out / "2026-10" / "negtgel_2026-10.en.xlsx", "All measures", f"{ZUH}: арга хэмжээ 2", "Бүрэн хэрэгжсэн")
    output = run(inbox, out, "en")
    assert "Overall implementation: 92.5 %" in output  # (100 + 100 + 70 + 100) / 4
    assert review_of(out / "2026-10" / "negtgel_2026-10.en.xlsx", "All measures", f"{ZUH}: арга хэмжээ 2") == "Бүрэн хэрэгжсэн"


def test_run_help_says_lang_changes_the_outputs() -> None:
    text = CliRunner().invoke(cli, ["run", "--help"]).output
    assert "англи хэлээрх гаралтыг .en нэрээр" in text
    assert "English outputs under their own .en names" in " ".join(text.split())
