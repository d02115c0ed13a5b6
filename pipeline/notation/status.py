"""Status words ("Хэрэгжсэн", "Хугацаа болоогүй", "ХБ") at the start of a cell."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.notation.numbers import Tok
from pipeline.notation.vocab import NotationVocab

# After a status word these may follow and the cell still states that status ("Хэрэгжсэн. Сургалтыг ...").
_BOUNDARY = frozenset(".,;:!?/()[]")


@dataclass(frozen=True, slots=True)
class StatusMatch:
    status: str
    word: str  # the vocabulary entry that matched
    full: bool  # the cell holds nothing else
    mark: bool = False  # a mark ("✓") rather than a word: the reading is to be checked


def match_status(toks: Sequence[Tok], vocab: NotationVocab) -> StatusMatch | None:
    """The status a cell states: the whole cell is a status word, or starts with one followed by
    punctuation or a number. A status word followed by more words ("Хэрэгжсэн гэж үзэхгүй") is not
    taken, since the words after it may turn it around; words that leave it unchanged
    (`status_trailing_words`: "Хэрэгжээгүй байна") may follow. A mark ("✓") counts only as the whole cell."""
    if not toks:
        return None
    texts = [t.text for t in toks]
    start = 0
    phrase = vocab.status.match(texts, start)
    while phrase is None and start < len(toks) and toks[start].kind in ("other", "dash"):
        start += 1
        phrase = vocab.status.match(texts, start) if start < len(toks) else None
    if phrase is None:
        return None
    end = start + len(phrase.words)
    while end < len(toks) and toks[end].kind == "word" and toks[end].text in vocab.status_trailing:
        end += 1
    rest = toks[end:]
    full = all(t.kind in ("other", "dash") for t in rest)
    mark = phrase.meaning[0] == "status_mark"
    if mark and not all(t.kind == "other" and t.text in _BOUNDARY for t in (*toks[:start], *rest)):
        return None  # "✓" alone (or "(✓)"), never "+5" or "✓ 3 удаа"
    if not full:
        head = rest[0]
        if not ((head.kind == "other" and head.text in _BOUNDARY) or head.kind in ("dash", "num", "pct")):
            return None
    return StatusMatch(phrase.meaning[1], phrase.text, full, mark)
