"""Issue 11, item 9: which columns make a measure not due. The timeframe, achieved, self-assessed % and
evaluation cells count wherever a "not yet due" word stands as their status; the progress narrative
(`Гүйцэтгэл`) counts only when the cell is essentially the word itself, and a narrative that mentions it
in passing is flagged (`not-due-in-narrative`) and stays due. Real template files through `negtgel run`."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.config import load_config
from pipeline.normalise import narrative_not_due
from tests.conftest import MAPPINGS
from tests.helpers import template_rows, write_xlsx

ZUH = "Захиргаа, удирдлагын хэлтэс"

# (measure, timeframe, progress narrative, achieved) -> expected (due, status, level, flagged)
CASES = [
    ("Алба 1", "I-IV улирал", "ХБ", None, ("false", "not_due", "", False)),
    ("Алба 2", "I-IV улирал", "Хугацаа болоогүй байна.", "Хэрэгжээгүй", ("false", "not_due", "", False)),
    ("Алба 3", "I-IV улирал", "(ХБ)", None, ("false", "not_due", "", False)),
    ("Алба 4", "I-IV улирал", "Хугацаа болоогүй тул эхлээгүй", "Хэрэгжээгүй", ("true", "not_done", "0", True)),
    ("Алба 5", "I-IV улирал", "Сургалтыг 3 удаа хийсэн, ХБ гэж үзэх зүйлгүй.", "Бүрэн хэрэгжсэн", ("true", "done", "100", True)),
    ("Алба 6", "I-IV улирал", "Сургалт хийсэн", "Бүрэн хэрэгжсэн", ("true", "done", "100", False)),
    ("Алба 7", "Хугацаа болоогүй", "Хугацаа болоогүй тул эхлээгүй", None, ("false", "not_due", "", False)),
    ("Алба 8", "I-IV улирал", "ХБ 2027 онд", "Хэрэгжих шатандаа", ("true", "in_progress", "70", True)),
]


def test_the_narrative_counts_only_when_it_is_the_status_word_itself(tmp_path: Path) -> None:
    inbox, out = tmp_path / "input", tmp_path / "output"
    inbox.mkdir()
    rows = [[f"1.{i}", measure, None, None, "Хэрэгжилт - 100%", timeframe, None, progress, actual, None, None]
            for i, (measure, timeframe, progress, actual, _) in enumerate(CASES, start=1)]
    write_xlsx(inbox / "ЗУХ.xlsx", template_rows(rows, department=ZUH), saved=dt.datetime(2026, 11, 2, 9))
    result = CliRunner().invoke(cli, ["run", str(inbox), "-o", str(out), "--mappings", str(MAPPINGS)])
    assert result.exit_code in (0, 1), result.output
    with (out / "2026-10" / "measures.csv").open(encoding="utf-8-sig", newline="") as handle:
        got = {r["measure"]: r for r in csv.DictReader(handle)}
    for measure, _, _, _, (due, status, level, flagged) in CASES:
        row = got[measure]
        assert (row["due"], row["status"], row["level"]) == (due, status, level), measure
        assert ("not-due-in-narrative" in row["flags"].split(";")) == flagged, measure
    # (0 + 100 + 100 + 70) / 4
    assert "67.5 %" in result.output
    with (out / "2026-10" / "problems.csv").open(encoding="utf-8-sig", newline="") as handle:
        found = [(p["cell"], p["severity"], p["message"]) for p in csv.DictReader(handle) if p["code"] == "not-due-in-narrative"]
    assert [(cell, severity) for cell, severity, _ in found] == [("H11", "warning"), ("H12", "warning"), ("H15", "warning")]
    assert found[0][2].startswith("Гүйцэтгэлийн тайлбарт «Хугацаа болоогүй» гэж дурдсан боловч")


def test_narrative_readings() -> None:
    vocab = load_config(MAPPINGS).vocab
    assert narrative_not_due("Х/Б", vocab) == ("not_due", "")
    assert narrative_not_due("хб.", vocab) == ("not_due", "")
    assert narrative_not_due("- Хугацаа болоогүй", vocab) == ("not_due", "")
    assert narrative_not_due("Бүх ажил хугацаа болоогүй байхад дууссан", vocab) == ("", "хугацаа болоогүй")
    # Words that only contain the letters are not the word: "ХБТХ" is a department's short name.
    assert narrative_not_due("ХБТХ-тэй хамтарсан", vocab) == ("", "")
    assert narrative_not_due("Хугацаа нь болоогүй", vocab) == ("", "")
    assert narrative_not_due("", vocab) == ("", "")


def test_the_quick_test_before_lexing_drops_no_narrative_a_not_due_entry_matches(monkeypatch) -> None:
    """Issue 19: a narrative is lexed only when the vocabulary's "not due" entries could match it (a regex made
    from their words); every entry, written in the ways officials write it, still reads as without that test."""
    import re

    from pipeline import normalise

    vocab = load_config(MAPPINGS).vocab
    entries = [p for p in vocab.status.phrases if p.meaning[1] == "not_due"]
    assert len(entries) >= 5
    texts = ["Сургалт хийсэн", "Хугацаа нь болоогүй", "х б", "Х.Бат хариуцна", "2026.11.03-нд", ""]
    for entry in entries:
        typed = [w.upper() for w in entry.words]
        texts += [entry.text, " ".join(entry.words), " ".join(typed), "(" + "".join(typed) + ")",
                  f"Ажил {entry.text} тул хийгдээгүй", f"{entry.text}. 2027 онд", "".join(entry.words) + "гүй"]
    quick = [narrative_not_due(text, vocab) for text in texts]
    monkeypatch.setattr(normalise, "_not_due_pattern", lambda vocab: re.compile(""))  # every text lexed
    assert quick == [narrative_not_due(text, vocab) for text in texts]
    assert sum(1 for status, mention in quick if status or mention) >= 2 * len(entries)
    assert quick[:2] == [("", ""), ("", "")]
