"""The words catalogue (pipeline/words/): every key in both languages with the same parameters, one render, and
English outputs and messages that hold no Cyrillic except the text they quote from templates and the mappings."""

from __future__ import annotations

import ast
import csv
import json
import re
import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from pipeline.cli import cli
from pipeline.labels import QUOTING_KEYS
from pipeline.problems import CATALOGUE, Phrase, Problem, Text
from pipeline.store_codec import problems_from_json, problems_to_json
from pipeline.words import LANGS, Lang, WordsError, both, catalogue, fields, say
from tests.conftest import EXAMPLES, MAPPINGS

CYRILLIC = re.compile(r"[\u0400-\u04ff]")
# How a message quotes a cell's or a name's text: «so», "so" or `so`.
QUOTED = re.compile(r"«[^»]*»|\"[^\"]*\"|`[^`]*`")


def plural_only(template: str) -> set[str]:
    """Parameters an English template uses only to agree a noun with a number (`{count:quarter|quarters}`)."""
    names = set(re.findall(r"\{(\w+):[^{}|]*\|[^{}]*\}", template))
    return {n for n in names if not re.search(r"\{" + n + r"(?:![rsa])?\}", template)}


def test_every_word_has_both_languages_with_the_same_parameters() -> None:
    words = catalogue()
    assert len(words) > 350  # the whole catalogue was read (problems, labels, outputs, commands)
    unequal = {}
    for key, word in words.items():
        assert word.mn.strip() or not word.en.strip(), key  # no English-only word
        assert word.en.strip() or not word.mn.strip(), key  # no Mongolian-only word
        mn = fields(word.mn)
        en = fields(word.en) - (plural_only(word.en) - mn)  # a count English alone needs to agree a noun
        if mn != en:
            unequal[key] = (sorted(mn), sorted(en))
    assert unequal == {}


def test_english_words_hold_no_cyrillic_outside_quotes() -> None:
    stray = {key: w.en for key, w in catalogue().items() if CYRILLIC.search(QUOTED.sub("", w.en))}
    assert stray == {}


def test_every_problem_code_is_a_word_with_a_severity() -> None:
    problems = {k.removeprefix("problem."): w for k, w in catalogue().items() if k.startswith("problem.")}
    assert set(problems) == set(CATALOGUE) and len(problems) == 84
    assert {w.severity for w in problems.values()} == {"error", "warning"}
    assert CATALOGUE["file-unreadable"].severity == "error"


def test_say_fills_parameters_agrees_counts_and_never_raises() -> None:
    assert say("cli.validate.summary", "en", files=1, errors=1, warnings=0) == "1 file checked: 1 error, 0 warnings."
    assert say("cli.validate.summary", "en", files=2, errors=0, warnings=1) == "2 files checked: 0 errors, 1 warning."
    assert say("cli.validate.summary", "mn", files=2, errors=0, warnings=1) == "2 файл шалгалаа: 0 алдаа, 1 анхааруулга."
    assert say("cli.validate.summary", "en") == " files checked:  errors,  warnings."  # a missing parameter: empty text
    assert both("cli.severity.error") == "алдаа\nerror"
    with pytest.raises(WordsError):
        say("no.such.key", "en")
    assert say("summary.period_title", "en", year=2026, month=Text("summary.month.m10")) == "Plan implementation, October 2026"
    assert say("summary.period_title", "mn", year=2026, month=Text("summary.month.m10")) == (
        "2026 оны 10 дугаар сарын төлөвлөгөөний хэрэгжилт")


def test_a_problem_detail_is_rendered_in_the_readers_language_and_stored_as_parameters() -> None:
    reading = Phrase("`1-1V улирал` гэснийг I-IV улирал гэж уншлаа", "`1-1V улирал` read as quarters I-IV")
    problem = Problem("timeframe-interpreted", "a.xlsx", "Sheet1", "F11", 11, value="1-1V улирал", detail=reading)
    assert problem.message("en") == "The timeframe was interpreted: `1-1V улирал` read as quarters I-IV. Please check it."
    assert problem.message("mn") == "Хугацаа: «1-1V улирал» гэснийг I-IV улирал гэж уншлаа. Зөв эсэхийг шалгана уу."
    keyed = Problem("timeframe-interpreted", "a.xlsx", detail=Text.of("summary.period_title", year=2026,
                                                                     month=Text("summary.month.m3")))
    stored = problems_to_json([problem, keyed])
    assert json.loads(stored)[1]["detail"] == {"key": "summary.period_title", "params": {
        "year": 2026, "month": {"key": "summary.month.m3", "params": {}}}}
    assert problems_from_json(stored) == [problem, keyed]
    assert problems_from_json(stored)[1].message("en") == (
        "The timeframe was interpreted: Plan implementation, March 2026. Please check it.")


def test_an_old_stored_problem_with_a_text_detail_still_renders() -> None:
    old = json.dumps([{"code": "file-too-large", "file": "a.xlsx", "sheet": "", "cell": "", "row": None, "value": "",
                       "detail": "251 хуудас / sheets > 250", "extra": []}], ensure_ascii=False)
    [problem] = problems_from_json(old)
    assert problem.detail == "251 хуудас / sheets > 250"
    assert problem.message("mn") == ("Файлын задалсан хэмжээ хэт их байна (251 хуудас / sheets > 250). Илүүдэл хуудас, "
                                     "зургийг устгаад дахин илгээнэ үү.")
    assert problem.message("en") == "The file is too large once unpacked (sheets > 250). Remove extra sheets or images and resend."


def quoting_heads() -> set[str]:
    return {say(key, "en") for key in QUOTING_KEYS}


def stray_cyrillic_in_sheet(rows: Sequence[Sequence[object]], heads: set[str]) -> list[tuple[int, int, str]]:
    """Cells with Cyrillic outside quotes, except below a head that quotes template text."""
    quoting: set[int] = set()
    found = []
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if not isinstance(value, str) or c in quoting:
                continue
            if value in heads:
                quoting.add(c)
            elif CYRILLIC.search(QUOTED.sub("", value)):
                found.append((r, c, value[:80]))
    return found


@pytest.fixture(scope="module")
def english_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("english")
    shutil.copytree(EXAMPLES, work / "input", ignore=shutil.ignore_patterns("archive", "quarantine"))
    result = CliRunner().invoke(cli, ["run", str(work / "input"), "-o", str(work / "output"), "--mappings", str(MAPPINGS),
                                      "--lang", "en"])
    assert result.exit_code == 1, result.output  # the example holds one error
    assert not CYRILLIC.search(QUOTED.sub("", "\n".join(
        line for line in result.output.splitlines() if not line.startswith(("  ✗", "Not reported:"))))), result.output
    return work / "output" / "2026-10"


def test_english_workbooks_hold_no_cyrillic_outside_quoted_template_text(english_run: Path) -> None:
    books = sorted(english_run.glob("*.en.xlsx"))
    assert [b.name for b in books] == ["negtgel_2026-10.en.xlsx", "summary_2026-10.en.xlsx"]
    heads = quoting_heads()
    stray = {}
    checked = 0
    for book in books:
        workbook = CalamineWorkbook.from_path(str(book))
        for name in workbook.sheet_names:
            rows = workbook.get_sheet_by_name(name).to_python()
            checked += sum(len(row) for row in rows)
            found = stray_cyrillic_in_sheet(rows, heads)
            if found:
                stray[f"{book.name}/{name}"] = found[:5]
    assert checked > 5000
    assert stray == {}


def test_english_workbooks_print_english_page_footers(english_run: Path) -> None:
    """The printed footer ("Page 1 / 7") is not a cell: read from each sheet part of the package."""
    import zipfile

    from defusedxml import ElementTree

    footers = []
    for book in sorted(english_run.glob("*.en.xlsx")):
        with zipfile.ZipFile(book) as package:
            for name in package.namelist():
                if name.startswith("xl/worksheets/sheet") and name.endswith(".xml"):
                    root = ElementTree.fromstring(package.read(name))
                    footers += [e.text or "" for e in root.iter() if e.tag.endswith("}oddFooter")]
    assert len(footers) > 5 and set(footers) == {"&L&8negtgel&R&8Page &P / &N"}


def test_english_csvs_hold_no_cyrillic_outside_quoted_template_text(english_run: Path) -> None:
    with (english_run / "problems.en.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["file", "sheet", "cell", "code", "severity", "message"]
    assert len(rows) > 10
    stray = [row for row in rows[1:] if CYRILLIC.search(QUOTED.sub("", " ".join(row[2:])))]
    assert stray == []
    assert any("has not reported" in row[5] for row in rows)


def test_validate_in_english_holds_no_cyrillic_outside_the_file_and_sheet_it_names() -> None:
    result = CliRunner().invoke(cli, ["validate", str(EXAMPLES), "--mappings", str(MAPPINGS), "--lang", "en"])
    lines = [line.split("\t") for line in result.output.splitlines() if "\t" in line]
    assert len(lines) == 7
    # file, "sheet cell", code, severity, message: the file and sheet are names from the template
    stray = [line for line in lines if CYRILLIC.search(QUOTED.sub("", " ".join(line[2:])))]
    assert stray == []
    assert any("read as quarters I-IV" in line[4] for line in lines)
    assert "9 files checked: 1 error, 6 warnings." in result.output


@pytest.mark.parametrize("lang", LANGS)
def test_every_severity_has_its_word(lang: Lang) -> None:
    assert {say(f"cli.severity.{s}", lang) for s in ("error", "warning")} == (
        {"error", "warning"} if lang == "en" else {"алдаа", "анхааруулга"})


# --- vocabulary: the words the program reads live in mappings/ -----------------------------------------------------

PIPELINE = Path(__file__).resolve().parent.parent / "pipeline"

# Word lists still in code, each to move to mappings/ (the test fails when one is added, and when one of these is
# moved without being struck from this list). Character tables (look-alike letters) are no word lists.
NOT_YET_MOVED: dict[tuple[str, str], int] = {}


def word_lists(path: Path) -> list[tuple[int, str]]:
    """(line, kind) of every Mongolian (Cyrillic) word list in a module: a list, tuple or set of two or more words
    (texts of one to three words: a sentence is written text, the catalogue's business), a dict keyed by two or more
    words, or a regular expression choosing between words."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))

    def words(node: ast.AST) -> bool:
        return (isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) > 1
                and len(node.value.split()) <= 3 and bool(CYRILLIC.search(node.value)))

    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.List | ast.Tuple | ast.Set):
            if len(node.elts) >= 2 and all(words(e) for e in node.elts):
                found.append((node.lineno, "list"))
        elif isinstance(node, ast.Dict):
            if sum(words(k) for k in node.keys if k is not None) >= 2:
                found.append((node.lineno, "dict"))
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name)
              and node.func.value.id == "re" and node.args):
            pattern = node.args[0]
            text = (pattern.value if isinstance(pattern, ast.Constant) and isinstance(pattern.value, str) else
                    "".join(str(v.value) for v in pattern.values if isinstance(v, ast.Constant)) if isinstance(pattern, ast.JoinedStr)
                    else "")
            if re.search(r"[\u0400-\u04ff]{2,}[^|()]*\|", text) or re.search(r"\|[^|()]*[\u0400-\u04ff]{2,}", text):
                found.append((node.lineno, "regex"))
    return found


def test_no_mongolian_word_lists_in_pipeline_outside_the_catalogue() -> None:
    modules = [p for p in PIPELINE.rglob("*.py") if "words" not in p.relative_to(PIPELINE).parts]
    assert len(modules) > 50
    counts: dict[tuple[str, str], int] = {}
    for path in modules:
        for _, kind in word_lists(path):
            key = (path.relative_to(PIPELINE).as_posix(), kind)
            counts[key] = counts.get(key, 0) + 1
    assert counts == NOT_YET_MOVED


def test_the_scan_finds_a_word_list() -> None:
    sample = PIPELINE.parent / "tests" / "_word_list_sample.py"
    try:
        sample.write_text('GOAL = ("Зорилго", "Зорилт")\nPAT = re.compile(r"(хувь|хувиар)")\nOK = ("%", "Є")\n',
                          encoding="utf-8")
        assert word_lists(sample) == [(1, "list"), (2, "regex")]
    finally:
        sample.unlink()


def test_a_timeframe_reading_carries_its_rule_key_and_parameters(config) -> None:
    from pipeline.notation import parse_timeframe

    reading = parse_timeframe("1-1V улирал", config.vocab)
    assert reading.said.key == "notation.timeframe.read_as"
    assert reading.note == "`1-1V улирал` read as quarters I-IV: look-alike characters read as Roman numerals"
    assert reading.note_mn == "`1-1V улирал` гэснийг I-IV улирал гэж уншлаа: төстэй тэмдэгтийг ром тоо гэж уншлаа"
    problem = Problem("timeframe-interpreted", "a.xlsx", value="1-1V улирал", detail=reading.said)
    stored = json.loads(problems_to_json([problem]))[0]["detail"]
    assert stored["key"] == "notation.timeframe.read_as"
    assert stored["params"]["text"] == "1-1V улирал"
    assert stored["params"]["reasons"]["params"]["reasons"] == [{"key": "notation.timeframe.look_alike_characters_read",
                                                                  "params": {}}]
    assert problems_from_json(problems_to_json([problem]))[0].message("en") == (
        "The timeframe was interpreted: `1-1V улирал` read as quarters I-IV: look-alike characters read as Roman numerals. "
        "Please check it.")
    invalid = parse_timeframe("I-V улирал", config.vocab)
    assert (invalid.said.key, invalid.note) == ("notation.timeframe.not_understood",
                                                "`I-V улирал` not understood: there is no quarter 5")
