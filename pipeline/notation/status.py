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
    end: int = 0  # index of the first token after the status word (and the words that leave it unchanged)


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
    return StatusMatch(phrase.meaning[1], phrase.text, full, mark, end)


# The levels of the statuses a narrative may end with, lowest first: of two, the lower wins.
_ORDER = ("not_done", "insufficient", "in_progress", "done")
# At most this many words: a short remark ("Төсөвгүйн улмаас хэрэгжээгүй"), not a report.
MAX_WORDS = 10


@dataclass(frozen=True, slots=True)
class StatusPhrase:
    status: str
    word: str  # the vocabulary entry (or entries) read
    why_en: str
    why_mn: str
    # The one status word of the remark, with nothing partial or contrary before it ("Хараахан
    # хэрэгжээгүй", "Системтэй, тогтмол хэрэгжсэн."): read as a person reads it, without a flag.
    plain: bool = False


def final_status(toks: Sequence[Tok], vocab: NotationVocab) -> StatusPhrase | None:
    """The status a short remark states with its LAST words ("Хугацаандаа хийгдсэн", "Төсөвгүйн улмаас
    хэрэгжээгүй"), for a cell `match_status` does not take. The caller flags the reading.

    - a status word must end the cell (`status_trailing_words` and punctuation may follow); words after
      it may turn it around ("Хэрэгжсэн гэж үзэхгүй"), so a status word elsewhere alone is not taken;
    - a `status_partial_words` word before a done word makes it partial: insufficient ("Хагас хийгдсэн");
      so does a done word right before a negative one ("Бүрэн хэрэгжээгүй" = not fully);
    - a negative status word at the end wins over positive ones before it; a positive one at the end
      with a negative one before it, or a "not yet due" / "not evaluated" mixed with another status, is
      not read (None).
    """
    words = [k for k, t in enumerate(toks) if t.kind == "word"]
    if not words or len(words) > MAX_WORDS:
        return None
    texts = [t.text for t in toks]
    last = len(toks)
    # Punctuation, a date in brackets ("хэрэгжсэн (2025-12-11)") and trailing words are passed over.
    while last > 0 and (toks[last - 1].kind in ("other", "dash", "date") or texts[last - 1] in vocab.status_trailing):
        last -= 1
    # Status words left to right, longest first, never overlapping.
    found: list[tuple[int, int, str, str]] = []  # (start, end, status, entry)
    k = 0
    while k < last:
        # Matched within the words before the trailing ones: "хугацаа болоогүй | байна" is read as
        # "хугацаа болоогүй" rather than missed as an entry that runs past the end.
        phrase = vocab.status.match(texts[:last], k) if toks[k].kind == "word" else None
        if phrase is None or phrase.meaning[0] != "status" or k + len(phrase.words) > last:
            k += 1
            continue
        found.append((k, k + len(phrase.words), phrase.meaning[1], phrase.text))
        k += len(phrase.words)
    if not found or found[-1][1] != last:
        return None
    start, _, status, entry = found[-1]
    earlier = found[:-1]
    statuses = {f[2] for f in found}
    if len(statuses) > 1 and statuses & {"not_due", "not_evaluated"}:
        return None
    partial = [texts[j] for j in words if j < start and texts[j] in vocab.status_partial]
    if partial and status == "done":
        return StatusPhrase("insufficient", entry, f"`{partial[0]}` makes `{entry}` partial",
                            f"`{partial[0]}` гэсэн нь хэсэгчилсэн гэсэн утгатай")  # fmt: skip
    if status == "not_done" and earlier and earlier[-1][1] == start and earlier[-1][2] == "done":
        both = " ".join(texts[earlier[-1][0] : last])
        return StatusPhrase("insufficient", both, f"`{both}`: not fully done", f"`{both}`: бүрэн биш хийгдсэн")
    if status in _ORDER and any(f[2] in _ORDER and _ORDER.index(f[2]) < _ORDER.index(status) for f in earlier):
        return None  # "Хэрэгжээгүй ... хийгдсэн": a negative before a positive end; not read
    return StatusPhrase(status, entry, f"the last words `{entry}`", f"сүүлийн үг `{entry}`", plain=not earlier)
