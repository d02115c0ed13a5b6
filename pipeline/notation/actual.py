"""Reading an achieved value (Хүрсэн түвшин), a self-assessed % or an evaluation cell.

A cell is a number (possibly typed as text, in words, or as a percent), a status word
("Хэрэгжсэн", "ХБ"), or a narrative. From a narrative a number is taken only when it is the one
quantity in it (dates, years, ordinals and durations set aside), and the reading is flagged so the
specialist sees it; with several candidate numbers none is taken.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace

from pipeline.notation.clean import clean_text, is_placeholder
from pipeline.notation.numbers import Analysis, NumberContext, analyse
from pipeline.notation.status import final_status, match_status
from pipeline.notation.target import PERCENT_FORMAT_TYPED, fmt_number, original
from pipeline.notation.vocab import NotationVocab
from pipeline.words import Noted, Phrase, Text

FROM_NARRATIVE = "actual-from-narrative"
AMBIGUOUS = "actual-ambiguous"
INTERPRETED = "actual-interpreted"
UNREAD = "actual-unread"  # a cell with text but no value and no status

# Words that may stand beside the number without making the cell a narrative.
_PLAIN_ROLES = frozenset({"unit", "percent", "label", "cmp", "cmp_than"})


@dataclass(frozen=True, slots=True)
class ActualReading(Noted):
    value: float | None  # percentages in 0-100 units
    is_percent: bool
    status: str | None  # done | in_progress | insufficient | not_done | not_due | not_evaluated
    rule: str
    said: Text  # how the cell was read: a catalogue key and its parameters (notation.yaml `actual.*`)
    flags: tuple[str, ...] = ()
    unit: str | None = None  # "удаа", "өрх": a count's unit, when the cell names one


def _empty() -> ActualReading:
    return ActualReading(None, False, None, "empty", Text.of("notation.actual.cell_empty"))


def _unread(rule: str, text: str, why: Text) -> ActualReading:
    """A cell that is not empty but gives no value and no status: flagged, so the measure never looks
    silently unreported."""
    return ActualReading(None, False, None, rule, Text.of("notation.actual.unread", text=text, why=why), (UNREAD,))


Why = Text | tuple[Text, ...]


def _value(text: str, value: float, percent: bool, rule: str, flags: tuple[str, ...] = (), why: Why = ()) -> ActualReading:
    shown = fmt_number(value) + (" %" if percent else "")
    reasons = (why,) if isinstance(why, Text) else why
    said = Text.of("notation.actual.read_as", text=text, shown=shown,
                   why=Text.of("notation.actual.why", why=reasons) if reasons else "")
    return ActualReading(value, percent, None, rule, said, flags)


def _status(text: str, status: str, word: str, rule: str, *, mark: bool = False) -> ActualReading:
    if mark:
        return ActualReading(None, False, status, "status-mark",
                             Text.of("notation.actual.status_mark", text=text, status=_status_text(status), word=word),
                             (INTERPRETED,))
    return ActualReading(None, False, status, rule,
                         Text.of("notation.actual.status_word", text=text, status=_status_text(status), word=word))


def _status_text(status: str) -> Text:
    return Text.of(f"notation.actual.status.{status}")


def _number(text: str, value: float, *, percent_format: bool, percent_header: bool, rule: str = "number",
            flags: tuple[str, ...] = (), why: Why = ()) -> ActualReading:  # fmt: skip
    if value < 0:
        return ActualReading(None, False, None, "negative", Text.of("notation.actual.text_negative_number_not", text=text), (UNREAD,))  # fmt: skip
    if percent_format:
        if value >= PERCENT_FORMAT_TYPED:
            return _value(text, value, True, "percent-format-typed", (*flags, INTERPRETED),
                          (Text.of("notation.actual.formatted_cell_holding_text", text=text, fmt_number=fmt_number(value * 100))))  # fmt: skip
        return _value(text, value * 100, True, "percent-format", flags, why)
    if percent_header:
        if 0 < value <= 1:
            # Under a "%" header 0.85 is far more often a fraction than 0.85 %; say so rather than guess silently.
            return _value(text, value * 100, True, "percent-fraction", (*flags, INTERPRETED),
                          (Text.of("notation.actual.fraction_under_percent_header")))  # fmt: skip
        return _value(text, value, True, "percent-header", flags, why)
    return _value(text, value, False, rule, flags, why)


FRACTION_AS_PERCENT = "actual-fraction-as-percent"
# Up to this, a plain number under a percent target is a share typed in a General cell (0.85 = 85 %,
# 1.2 = 120 %); above it, it is a percent typed without its sign.
FRACTION_LIMIT = 1.5


def fraction_as_percent(reading: ActualReading) -> ActualReading:
    """An achieved value typed as a share (0.85) in a General cell under a percent target: 85 %, flagged.
    Only a number without a unit (no %, no percent format or header, no status, no "удаа") is taken so,
    typed alone or in a remark ("0.85 буюу ..."); "1 удаа" stays a count."""
    value = reading.value
    if reading.rule not in ("number", "narrative") or reading.is_percent or reading.status is not None or value is None:
        return reading
    if reading.unit is not None:
        return reading
    if not 0 < value <= FRACTION_LIMIT:
        return reading
    shown = fmt_number(value * 100)
    return ActualReading(value * 100, True, None, "fraction-as-percent",
                         Text.of("notation.actual.fraction_as_percent", reading=reading.said, shown=shown),
                         (*reading.flags, FRACTION_AS_PERCENT))


def parse_actual(value: object, vocab: NotationVocab, *, percent_format: bool = False, percent_header: bool = False) -> ActualReading:
    """Read an achieved-value cell: a number, a percent, a status word, or a number in a narrative."""
    if value is None:
        return _empty()
    if isinstance(value, bool):
        return _status(str(value).upper(), "done" if value else "not_done", str(value).upper(), "boolean")
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return _unread("date", str(value), Text.of("notation.actual.date_not_achieved_value"))
    if isinstance(value, (int, float)):
        number = float(value)
        if math.isnan(number):
            return _empty()
        if math.isinf(number):
            return _unread("not-finite", str(value), Text.of("notation.actual.not_finite_number"))
        shown = fmt_number(number) if abs(number) < 1e15 else repr(number)
        return _number(shown, number, percent_format=percent_format, percent_header=percent_header)
    s = clean_text(value if isinstance(value, str) else str(value)).text
    if is_placeholder(s):
        return _empty()
    return read_actual_text(s, vocab, percent_header=percent_header)


def _plain(a: Analysis, c: NumberContext, vocab: NotationVocab, start: int = 0) -> bool:
    """Whether the tokens from `start` hold only the one number and words that may stand beside it."""
    num = c.num
    return len(a.contexts) == 1 and all(
        num.first <= k <= num.last
        or t.kind in ("pct", "cmp", "dash", "other")
        or (a.roles[k] is not None and a.roles[k][0] in _PLAIN_ROLES)  # type: ignore[index]
        or (t.kind == "word" and t.text in vocab.endings and k > 0 and a.toks[k - 1].kind in ("pct", "dash"))
        for k, t in enumerate(a.toks[start:], start=start)
    )


# Words that make a figure in a statement something other than the achieved value: a change, a ratio,
# a "to" level, a reference, a starting figure (a comparison counts only when it binds the figure).
_NOT_STATED = frozenset({"reduce", "increase", "relative", "to", "reference", "become", "from", "done_word", "about", "plan"})
# At most this many words around the figure: a statement, not a report.
_STATED_WORDS = 12
# A count stands first, with at most this many words after it ("115 малчин өрх", "226 малчдын худаг").
_COUNT_WORDS = 3


def _instrumental(a: Analysis, c: NumberContext, vocab: NotationVocab) -> bool:
    """"104 хувиар", "23.6%-иар": a percent "by" which, without a word saying it was fulfilled, is a change."""
    for k in range(c.num.last + 1, min(len(a.toks), c.num.last + 4)):
        tok = a.toks[k]
        if tok.kind == "word":
            return vocab.case_of(tok.text, min_len=2) == "instrumental" or vocab.endings.get(tok.text) == "instrumental"
    return False


def _stated(a: Analysis, c: NumberContext, vocab: NotationVocab) -> bool:
    """Whether a short text states one figure of what it names: the only number in it, an explicit percent
    anywhere ("Засаглал - 89,6 %", "95,2 хувьтай биелүүллээ") or a whole count at its start ("115 малчин
    өрх"), with no word that compares, changes or negates it. A status word may only follow the figure
    and say it was done ("131.5 хувиар биелүүлсэн"); any other would decide instead of the figure."""
    num = c.num
    if len(a.contexts) != 1 or c.excluded or c.cmp or c.sign_after >= 0:
        return False
    words = [k for k, t in enumerate(a.toks) if t.kind == "word" and not num.first <= k <= num.last]
    if len(words) > _STATED_WORDS:
        return False
    done_after = False
    for k in words:
        status = vocab.status.match(a.texts, k)
        if status is not None:
            if k < num.first or status.meaning != ("status", "done"):
                return False  # "Хэрэгжих шатандаа буюу 70 хувьтай": the status word decides
            done_after = True
        role = a.roles[k]
        if (role is not None and role[0] in _NOT_STATED) or a.texts[k].endswith(vocab.negation_endings):
            return False  # "5 хувиар өссөн", "3 хүн хамрагдаагүй"
        if role is not None and role[0] == "rate" and not c.percent:
            return False  # "сард 2 удаа": a rate, not the count achieved
    if c.percent:
        return done_after or not _instrumental(a, c, vocab)  # "23.6 хувиар тасарч": fell short by
    whole = num.value is not None and float(num.value).is_integer()
    lead = all(t.kind not in ("word", "num", "date") for t in a.toks[: num.first])
    # Nouns only after a count ("226 малчдын худаг"): with a verb ("2 удаа хойшлогдсон" = postponed
    # twice) the figure may count something other than what was achieved.
    verb = any(a.texts[k].endswith(vocab.verb_endings) for k in words if a.roles[k] is None)
    return whole and lead and not verb and len(words) <= _COUNT_WORDS


def _status_and_count(s: str, status: str, word: str, c: NumberContext) -> ActualReading:
    """"Хийгдсэн, 2 удаа": the status word decides the score, the count is kept beside it; both are
    shown for checking since a "done" with a count under the target contradicts itself."""
    value = c.num.value or 0.0
    shown = f"{fmt_number(value)} {c.unit}"
    return ActualReading(value, False, status, "status-and-count",
                         Text.of("notation.actual.status_and_count", s=s, status=_status_text(status), word=word, shown=shown),
                         (INTERPRETED,))


def read_actual_text(s: str, vocab: NotationVocab, *, percent_header: bool = False) -> ActualReading:
    a = analyse(s, vocab)
    status = match_status(a.toks, vocab)
    if status is not None and not status.full and sum(not c.excluded for c in a.contexts) > 1:
        # "Бүрэн хэрэгжсэн 59 арга хэмжээ нь нийт ... 73.7 хувийг": the status word opens a sentence
        # about several figures; it is not this measure's status.
        listed = ", ".join(c.num.text for c in a.contexts if not c.excluded)
        return ActualReading(None, False, None, "several-numbers", Text.of("notation.actual.s_status_word_several", s=s, listed=listed), (AMBIGUOUS,))  # fmt: skip
    if status is not None:
        if not status.full and not status.mark and len(a.contexts) == 1:
            c = a.contexts[0]
            num = c.num
            if (not c.excluded and c.unit is not None and not c.percent and not num.problem and num.value is not None
                    and num.value >= 0 and num.high is None and num.first >= status.end and _plain(a, c, vocab, status.end)):  # fmt: skip
                return _status_and_count(s, status.status, status.word, c)
        return _status(s, status.status, status.word, "status-word" if status.full else "status-word-first", mark=status.mark)
    candidates = [c for c in a.contexts if not c.excluded]
    if not candidates:
        remark = final_status(a.toks, vocab)
        if any(c.excluded == "fraction" for c in a.contexts) and not (remark is not None and remark.plain):
            return ActualReading(None, False, None, "fraction", Text.of("notation.actual.s_share_written_fraction", s=s), (AMBIGUOUS,))  # fmt: skip
        if remark is not None and remark.plain:  # "5/5 алхам бүрэн хэрэгжсэн.": the words say done
            return ActualReading(None, False, remark.status, "status-word-last",
                                 Text.of("notation.actual.status_remark", s=s, status=_status_text(remark.status),
                                         why=Phrase(remark.why_mn, remark.why_en)))
        if remark is not None:
            return ActualReading(None, False, remark.status, "status-word-last",
                                 Text.of("notation.actual.status_remark_check", s=s, status=_status_text(remark.status),
                                         why=Phrase(remark.why_mn, remark.why_en)),
                                 (INTERPRETED,))
        if not a.contexts:
            return _unread("no-number", s, Text.of("notation.actual.no_number_no_status"))
        return _unread("no-quantity", s, Text.of("notation.actual.no_quantity_only_dates"))  # fmt: skip
    if len(candidates) > 1:
        listed = ", ".join(c.num.text for c in candidates)
        return ActualReading(None, False, None, "several-numbers", Text.of("notation.actual.s_several_numbers_listed", s=s, listed=listed), (AMBIGUOUS,))  # fmt: skip
    c = candidates[0]
    num = c.num
    flags: tuple[str, ...] = ()
    loose: tuple[Text, ...] = ()
    if num.problem in ("about", "letter-o") and num.value is not None and num.high is None:
        # "~80%": about 80 %; "8О%": 80 % with a letter O typed for the zero. Read, and flagged.
        typed = original(s, a, num.first, num.last)
        loose = ((Text.of("notation.actual.read_about"),) if num.problem == "about" else
                 (Text.of("notation.actual.typed_read_fmt_number", typed=typed, fmt_number=fmt_number(num.value)),))
        flags = (INTERPRETED,)
    elif num.problem or num.value is None or num.high is not None:
        reason = {
            "thousands-ambiguous": (Text.of("notation.actual.may_decimal_or_thousands")),
            "negative": (Text.of("notation.actual.negative_number")),
            "compound": (Text.of("notation.actual.number_words_that_do")),
        }.get(num.problem, (Text.of("notation.actual.not_single_well_formed")))
        return ActualReading(None, False, None, "ambiguous-number",
                             Text.of("notation.actual.ambiguous", s=s, text=num.text, why=reason), (AMBIGUOUS,))
    value = num.value
    assert value is not None
    plain = _plain(a, c, vocab)
    percent = c.percent or (percent_header and c.unit is None)
    if plain:
        rule = num.problem or "number"
        if c.percent:
            return _value(s, value, True, num.problem or "percent", flags, loose)
        plain_number = _number(s, value, percent_format=False, percent_header=percent_header and c.unit is None, rule=rule,
                               flags=flags, why=loose)  # fmt: skip
        return replace(plain_number, unit=c.unit)
    if not flags and _stated(a, c, vocab):
        # "Нийгмийн хөгжил - 88,8%", "төсвийн гүйцэтгэл 79.9 хувьтай байна", "115 малчин өрх": the one
        # figure of a short statement about it, read as a person reads it.
        if c.percent:
            return _value(s, value, True, "stated", (), (Text.of("notation.actual.one_figure_text", text=num.text)))
        return _number(s, value, percent_format=False, percent_header=percent, rule="stated",
                       why=(Text.of("notation.actual.one_figure_text", text=num.text)))  # fmt: skip
    why = (Text.of("notation.actual.one_quantity_narrative_text", text=num.text))
    reasons: Why = (why, *loose)
    flags = (FROM_NARRATIVE, *flags)
    if c.percent:
        return _value(s, value, True, "narrative", flags, reasons)
    return replace(_number(s, value, percent_format=False, percent_header=percent, rule="narrative", flags=flags, why=reasons),
                   unit=c.unit)
