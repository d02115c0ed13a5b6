"""Reading a timeframe (Хугацаа) into the quarters it covers.

Quarters in Roman or Arabic numerals (`I-IV улирал`, `2 дугаар улирал`, `I, III улирал`), months and
dates (`3-р сар`, `05 дугаар сарын 01-ний өдөрт`, `2022.05.01`) read as the quarters that hold them,
half-years, and the phrases of `notation.yaml` (`Жилийн турш`). Hand-typed look-alikes (`1-1V`,
Cyrillic `І`, `l`) are read but marked "interpreted" so a person glances at them; anything that
cannot be a period (`I-V улирал`, `IV-II улирал`, `13-р сар`) is "invalid", never guessed.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from pipeline.notation.clean import clean_text
from pipeline.notation.numbers import lex, ordinal_stem_value, tidy_dates
from pipeline.notation.status import final_status, match_status
from pipeline.notation.vocab import Meaning, NotationVocab, fold
from pipeline.words import Lang, Noted, Text, say

EXACT, INTERPRETED, INVALID = "exact", "interpreted", "invalid"
QUARTER_WORD = "улирал"

_ROMAN_VALUES = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10, "xi": 11, "xii": 12}
_ROMAN_TEXT = {v: k.upper() for k, v in _ROMAN_VALUES.items()}
# Hand-typed look-alikes of Roman digits: Cyrillic І, Latin l, digit 1 for I; Cyrillic У for V, Х for X.
_LOOKALIKE = str.maketrans({"l": "i", "1": "i", "і": "i", "у": "v", "х": "x"})
# Unicode Roman numeral characters (Ⅰ..Ⅻ and ⅰ..ⅻ; casefold maps the first to the second).
_UNICODE_ROMAN = str.maketrans({0x2170 + k: _ROMAN_TEXT[k + 1].lower() for k in range(12)} | {0x2160 + k: _ROMAN_TEXT[k + 1].lower() for k in range(12)})
# "IVулирал": a Latin numeral glued to a Cyrillic word.
_GLUED = re.compile(r"(?<![^\W\d_])([ivxl]+)(?=[а-яёөү]{2})")

_LEX = re.compile(
    r"""
     (?P<clock>(?<![\d.:])(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?(?![\d:]))
    |(?P<date>(?:19|20)\d\d[./-]\d{1,2}[./-]\d{1,2}(?!\d)|\d{1,2}[./]\d{1,2}[./](?:19|20)\d\d(?!\d)
             |(?:19|20)\d\d[./](?:0?[1-9]|1[0-2])(?![\d.,])|(?:19|20)\d\d-(?:0[1-9]|1[0-2])(?![\d.,])
             |(?<![\d.])(?:1[3-9]|2\d|3[01])[./](?:0?[1-9]|1[0-2])(?![\d.]?\d)
             |(?<![\d.])(?:0?[1-9]|1[0-2])[./](?:1[3-9]|2\d|3[01])(?![\d.]?\d))
    |(?P<roman>(?<![^\W_])(?=[ivxlі1ху]*[ivxlі])[ivxlі1ху]+(?![^\W_]))
    |(?P<num>\d+)
    |(?P<word>[^\W\d_]+)
    |(?P<dash>-)
    |(?P<sep>[,;&+/])
    |(?P<other>\S)
    """,
    re.X,
)


@dataclass(frozen=True, slots=True)
class TimeframeReading(Noted):
    quarters: tuple[int, ...]  # ascending, unique, 1..4; empty when invalid
    confidence: str  # "exact" | "interpreted" | "invalid"
    rule: str
    said: Text  # how the cell was read: a catalogue key and its parameters (notation.yaml `timeframe.*`)
    status: str | None = None  # "not_due" for "Хугацаа болоогүй" / "ХБ"
    months: tuple[int, ...] = ()


def format_quarters(quarters: Iterable[int], lang: Lang = "mn") -> str:
    """Canonical text of a set of quarters: "I-IV улирал", "I, III улирал", "I-II, IV улирал"; in English
    "quarters I-IV", "quarter II"."""
    qs = sorted({q for q in quarters if 1 <= q <= 4})
    if not qs:
        return ""
    runs: list[list[int]] = []
    for q in qs:
        if runs and q == runs[-1][-1] + 1:
            runs[-1].append(q)
        else:
            runs.append([q])
    parts = [_ROMAN_TEXT[r[0]] if len(r) == 1 else f"{_ROMAN_TEXT[r[0]]}-{_ROMAN_TEXT[r[-1]]}" for r in runs]
    if lang == "en":
        return say("notation.quarters", "en", count=len(qs), quarters=", ".join(parts))
    return f"{', '.join(parts)} {QUARTER_WORD}"


def canonical_timeframes() -> list[str]:
    """Common canonical timeframes, for a template's dropdown list: whole year first."""
    sets = [(1, 2, 3, 4), (1,), (2,), (3,), (4,), (1, 2), (3, 4), (2, 3, 4), (1, 2, 3), (2, 3), (1, 3), (2, 4)]
    return [format_quarters(s) for s in sets]


def _format_months(months: Sequence[int]) -> str:
    ms = sorted(set(months))
    if not ms:
        return ""
    if ms == list(range(ms[0], ms[-1] + 1)) and len(ms) > 1:
        return f"{ms[0]}-{ms[-1]}"
    return ", ".join(str(m) for m in ms)


_UNIT_MN = {
    "quarter": "улирал", "month": "сар", "half": "хагас жил", "year": "он", "day": "өдөр",
    "whole_year": "бүтэн жил", "first_half": "эхний хагас жил", "second_half": "сүүлийн хагас жил",
    "every_year": "жил бүр", "count": "удаа (давтамж)", "clock": "цаг (өдрийн цаг)",
}  # fmt: skip
_DAY_MONTH = re.compile(r"\d{1,2}[./]\d{1,2}")
# "2026-03-14T09:30": the ISO mark between a date and its clock time.
_ISO_TIME = re.compile(r"(?<=\d)t(?=\d{1,2}:\d\d)")
# A digit run or a lone letter with З (or its Latin-1 view Ç) for 3, before an ending: "З-р сар".
_THREE_BEFORE_ENDING = re.compile(r"(?<![^\W_])([0-9]*[зç][0-9зç]*)(?=(-?)([^\W\d_]*))")
_THREE = str.maketrans({"з": "3", "ç": "3"})


def _typed_threes(folded: str, vocab: NotationVocab) -> str:
    """"З-р сар", "1З-ны", "0З сарын": a legacy font's З for the digit 3, in a numeral with digits or
    before an ordinal or a case ending."""
    if "з" not in folded and "ç" not in folded:
        return folded

    def fix(m: re.Match[str]) -> str:
        run, dash, ending = m.groups()
        digits = any(ch.isdigit() for ch in run)
        if digits and (not ending or dash or vocab.endings.get(ending) is not None):
            return run.translate(_THREE)  # "0З сарын", "1З-ны", "2026.0З"
        # A lone letter counts only with a dash before its ending ("з-р"); glued to letters it is a word.
        if len(run) == 1 and dash and vocab.endings.get(ending) is not None:
            return run.translate(_THREE)
        return run

    return _THREE_BEFORE_ENDING.sub(fix, folded)


def _dotted_clock(toks: list[_Tok], i: int) -> int:
    """Tokens of a time of day written with a dot before a clock word ("10.30 цагаас", "14.00 цаг"), else 0.
    Without the clock word "10.30" stays a date (30 October)."""
    if toks[i].kind == "date" and _DAY_MONTH.fullmatch(toks[i].text):
        size = 1
    elif (toks[i].kind == "num" and i + 2 < len(toks) and toks[i + 1].text == "." and toks[i + 2].kind == "num"
          and len(toks[i + 2].text) == 2):  # fmt: skip
        size = 3
    else:
        return 0
    after = toks[i + size] if i + size < len(toks) else None
    return size if after is not None and after.meaning == ("unit", "clock") else 0


def prepare(s: str, vocab: NotationVocab) -> str:
    """The folded form the timeframe reader reads: abbreviations written out, dates tidied."""
    folded = vocab.expand(fold(s).translate(_UNICODE_ROMAN))
    return _ISO_TIME.sub(" ", tidy_dates(_typed_threes(folded, vocab)))
_ROLE_MN = {
    "until": "хүртэл", "onward": "түүнээс хойш", "list": "жагсаалт", "filler": "нөлөөгүй үг", "duration": "дотор",
    "first": "эхний", "last": "сүүлийн", "before": "өмнө",
}  # fmt: skip


class _Tok:
    __slots__ = ("case", "end", "kind", "lookalike", "meaning", "phrase", "start", "text", "value")

    def __init__(self, kind: str, text: str, start: int, end: int):
        self.kind = kind  # "num" | "roman" | "date" | "word" | "dash" | "sep" | "other" | "ending"
        self.text = text
        self.start = start
        self.end = end
        self.value: int | None = None
        self.lookalike = False
        self.case: str | None = None
        self.meaning: Meaning | None = None
        self.phrase = ""


@dataclass(slots=True)
class _Mention:
    kind: str  # "quarter" | "month" | "half" | "year" | "phrase" | "default" | "day" | "count"
    ranges: list[tuple[int, int]] = field(default_factory=list)
    roman: bool = False
    arabic: bool = False
    lookalike: bool = False
    ablative: bool = False
    until: bool = False
    onward: bool = False
    text: str = ""
    numerals: list[_Tok] = field(default_factory=list)
    quarters: tuple[int, ...] = ()
    months: tuple[int, ...] = ()
    confidence: str = EXACT
    reasons: list[Text] = field(default_factory=list)
    invalid: tuple[str, Text] | None = None  # (rule, why)
    rule: str = ""
    qualifier: bool = False  # "Жил бүрийн": gives way to a period written beside it
    day: int | None = None  # the day of a date or of "05 сарын 15-ны": for "before"
    before: bool = False  # "9-р сараас өмнө": a deadline before this period
    dash_to: _Mention | None = None  # "1-р улирал - 4-р улирал": a range up to that mention
    after_year: bool = False  # written right after a year ("2024 VII - IX")


def _roman(text: str) -> tuple[int | None, bool]:
    canon = text.translate(_LOOKALIKE)
    return _ROMAN_VALUES.get(canon), canon != text


def _tokens(folded: str, vocab: NotationVocab) -> list[_Tok]:
    raw = [_Tok(m.lastgroup or "other", m.group(), m.start(), m.end()) for m in _LEX.finditer(folded)]
    texts = [t.text for t in raw]
    out: list[_Tok] = []
    i = 0
    n = len(raw)
    while i < n:
        tok = raw[i]
        if tok.kind in ("word", "num"):
            phrase = vocab.timeframe.match(texts, i)
            if phrase is not None and not (tok.kind == "num" and len(phrase.words) == 1):
                merged = _Tok("word", " ".join(texts[i : i + len(phrase.words)]), tok.start, raw[i + len(phrase.words) - 1].end)
                merged.meaning = phrase.meaning
                merged.phrase = phrase.text
                merged.case = vocab.case_of(texts[i + len(phrase.words) - 1], min_len=2)
                out.append(merged)
                i += len(phrase.words)
                continue
        if tok.kind == "word":
            value, ordinal = _number_word(tok.text, vocab)
            if value == 10 and not ordinal and i + 1 < n and raw[i + 1].kind == "word":
                # "арван хоёрдугаар сар", "арван нэг дүгээр сар": months 11 and 12 in words.
                unit_value, unit_ordinal = _number_word(raw[i + 1].text, vocab)
                if unit_value is not None and 1 <= unit_value <= 2:
                    tok = _Tok("word", f"{tok.text} {raw[i + 1].text}", tok.start, raw[i + 1].end)
                    value, ordinal = 10 + unit_value, unit_ordinal
                    i += 1
            after = vocab.timeframe.match(texts, i + 1) if i + 1 < n and raw[i + 1].kind == "word" else None
            edge = out[-1].meaning is not None and out[-1].meaning[0] in ("first", "last") if out else False
            if value is not None and ordinal:
                tok.kind, tok.value, tok.case = "num", value, "ordinal"
            elif value is not None and after is not None and (
                after.meaning == ("unit", "day") or (edge and after.meaning in (("unit", "month"), ("unit", "quarter")))
            ):
                # "эхний долоо хоногт": a count of days, as "7 хоног"; "эхний есөн сарын": the first nine months
                tok.kind, tok.value = "num", value
            elif value is not None and i + 1 < n and raw[i + 1].kind == "word" and vocab.endings.get(raw[i + 1].text) == "ordinal":
                tok.kind, tok.value = "num", value  # "хоёр дугаар"
        elif tok.kind == "num":
            tok.value = int(tok.text) if len(tok.text) <= 6 else None
        elif tok.kind == "roman":
            tok.value, tok.lookalike = _roman(tok.text)
        out.append(tok)
        if tok.kind in ("num", "roman", "date", "clock"):
            # A grammatical ending: "1-р", "3-р улиралд", "01-ний", "2 дугаар", "2026.03.01-ээс".
            j = i + 1
            if j < n and raw[j].kind == "word" and raw[j].text in vocab.endings and (
                # apart from its number only an ending of two letters or more: "20 ны", not a lone "д"
                raw[j].start == tok.end or len(raw[j].text) >= 2
            ):
                tok.case = vocab.endings[raw[j].text]
                i = j
            elif j + 1 < n and raw[j].kind == "dash" and raw[j + 1].kind == "word" and raw[j + 1].text in vocab.endings:
                tok.case = vocab.endings[raw[j + 1].text]
                i = j + 1
            elif tok.case is None and j < n and raw[j].kind in ("num", "roman") and raw[j].start == tok.end:
                pass
        i += 1
    return out


def _number_word(text: str, vocab: NotationVocab) -> tuple[int | None, bool]:
    value = vocab.number_words.get(text)
    if value is not None:
        return (value, False) if value <= 12 else (None, False)
    for suffix in vocab.ordinal_suffixes:
        if text.endswith(suffix) and len(text) > len(suffix):
            # "хоёрдугаар", the irregular "долдугаар", the one-word "арванхоёрдугаар"
            value = ordinal_stem_value(text[: -len(suffix)], vocab)
            if value is not None and value <= 12:
                return value, True
    return None, False


def _date_parts(text: str) -> tuple[int | None, Text | None, int]:
    """(month, why the reading is to be checked, day) of a date token; month None when it is no date."""
    parts = [int(p) for p in re.split(r"[./-]", text)]
    reason: Text | None = None
    if len(parts) == 2:
        if parts[0] >= 1900:
            month = parts[1]
            return (month, None, 1) if 1 <= month <= 12 else (None, None, 0)
        # "31.12" or "12.31": a day and a month without a year; the lexer only takes those whose order
        # is certain (one of the two numbers is over 12).
        day, month = parts if parts[0] > 12 else parts[::-1]
        year = 2024  # a leap year, so 29.02 is a date
        reason = (Text.of("notation.timeframe.text_read_day_day", text=text, day=day, month=month))  # fmt: skip
    elif parts[0] >= 1900:
        year, month, day = parts
    else:
        day, month, year = parts
        # 05.01.2022 may be 5 January (day first) or 1 May (month first).
        if day <= 12 and day != month and (day - 1) // 3 != (month - 1) // 3:
            reason = (Text.of("notation.timeframe.text_read_day_first", text=text))
    try:
        dt.date(year, month, day)
    except ValueError:
        return None, None, 0
    return month, reason, day


def _numeral_groups(toks: list[_Tok], start: int) -> tuple[list[tuple[_Tok, _Tok]], int]:
    """Numerals from `start` joined by dashes (ranges) and commas or list words: "I-II, IV"."""
    groups: list[tuple[_Tok, _Tok]] = []
    i = start
    n = len(toks)
    while i < n and toks[i].kind in ("num", "roman"):
        lo = hi = toks[i]
        i += 1
        if i + 1 < n and toks[i].kind == "dash" and toks[i + 1].kind in ("num", "roman"):
            hi = toks[i + 1]
            i += 2
        groups.append((lo, hi))
        if i + 1 < n and toks[i + 1].kind in ("num", "roman"):
            meaning = toks[i].meaning
            if toks[i].kind == "sep" or (meaning is not None and meaning[0] == "list"):
                i += 1
                continue
        break
    return groups, i


def _unit_after(toks: list[_Tok], i: int) -> tuple[str | None, int, str | None]:
    """(unit, index after it, case of the unit word) of the word right after a numeral group."""
    meaning = toks[i].meaning if i < len(toks) else None
    if meaning is not None and meaning[0] == "unit":
        return meaning[1], i + 1, toks[i].case
    return None, i, None


def _mention_from_group(groups: list[tuple[_Tok, _Tok]], unit: str | None, by_month: bool, text: str) -> _Mention:
    numerals = [t for pair in groups for t in pair]
    m = _Mention(unit or "default", text=text, numerals=numerals)
    m.roman = any(t.kind == "roman" for t in numerals)
    m.arabic = any(t.kind == "num" and not (m.roman and set(t.text) == {"1"}) for t in numerals)
    ranges: list[tuple[int, int]] = []
    for lo, hi in groups:
        values: list[int] = []
        for tok in (lo, hi):
            value = tok.value
            if tok.kind == "num" and tok.case != "ordinal" and set(tok.text) == {"1"} and (
                m.roman or (unit in ("quarter", "half") and value is not None and value > 4)
            ):
                # "1-1V", "11 улирал": ones standing for the Roman I.
                value = len(tok.text)
                m.lookalike = m.lookalike or len(tok.text) > 1 or m.roman
            if tok.kind == "roman":
                m.lookalike = m.lookalike or tok.lookalike
            if value is None:
                m.invalid = ("invalid-numeral", Text.of("notation.timeframe.text_not_numeral", text=tok.text))
                return m
            values.append(value)
        ranges.append((values[0], values[1]))
    m.ranges = ranges
    return m


def _resolve(m: _Mention, by_month: bool) -> None:
    """Fill a mention's quarters and months, or mark it invalid."""
    if m.kind == "count":
        # "Жилд 2 удаа": the number counts times, it is no quarter; the period is not stated.
        m.quarters = (1, 2, 3, 4)
        m.confidence = INTERPRETED
        m.rule = "frequency"
        m.reasons.append(Text.of("notation.timeframe.text_counts_times_frequency", text=m.text))  # fmt: skip
        m.invalid = None
        return
    if m.invalid is not None or m.kind in ("phrase", "day"):
        return
    for lo, hi in m.ranges:
        if lo > hi:
            shown = m.text.upper() if m.roman else m.text
            m.invalid = ("reversed-range", Text.of("notation.timeframe.range_shown_runs_backwards", shown=shown))
            return
    top = max(hi for _, hi in m.ranges)
    low = min(lo for lo, _ in m.ranges)
    kind = m.kind
    if kind == "default":
        if low >= 1900 and top <= 2100 and not m.roman:
            kind = "year"  # "2024 VII - IX" in a by-month column: the year, then its months
        elif by_month:
            kind = "month"
            m.rule = "roman-months" if m.roman else "months"
        elif top <= 4 and m.roman and not m.arabic:
            kind = "quarter"
            m.rule = "bare-roman"
        elif top <= 4:
            kind = "quarter"
            m.rule = "bare-number"
            m.confidence = INTERPRETED
            m.reasons.append(Text.of("notation.timeframe.bare_number_read_quarter"))
        elif m.after_year and m.roman and not m.arabic and low >= 5 and top <= 12:
            kind = "month"
            m.rule = "roman-months"
        else:
            # "I-V" is far likelier a slip for I-IV than months; a by-month column says so in its header.
            shown = m.text.upper() if m.roman else m.text
            m.invalid = ("invalid-quarter", Text.of("notation.timeframe.shown_goes_beyond_quarter", shown=shown))  # fmt: skip
            return
    m.kind = kind
    if kind == "quarter":
        if top > 4 or low < 1:
            bad = top if top > 4 else low
            m.invalid = ("invalid-quarter", Text.of("notation.timeframe.there_no_quarter_bad", bad=bad))
            return
        m.quarters = tuple(sorted({q for lo, hi in m.ranges for q in range(lo, hi + 1)}))
        m.rule = m.rule or ("roman-quarters" if m.roman and not m.arabic else "arabic-quarters" if not m.roman else "mixed-quarters")
        if m.roman and m.arabic and not m.lookalike:
            m.confidence = INTERPRETED
            m.reasons.append(Text.of("notation.timeframe.roman_arabic_numerals_mixed"))
    elif kind == "month":
        if top > 12 or low < 1:
            bad = top if top > 12 else low
            m.invalid = ("invalid-month", Text.of("notation.timeframe.there_no_month_bad", bad=bad))
            return
        m.months = tuple(sorted({mo for lo, hi in m.ranges for mo in range(lo, hi + 1)}))
        m.quarters = tuple(sorted({(mo - 1) // 3 + 1 for mo in m.months}))
        m.rule = m.rule or ("roman-months" if m.roman else "months")
    elif kind == "half":
        if top > 2 or low < 1:
            m.invalid = ("invalid-half", Text.of("notation.timeframe.there_no_half_year", top=top))
            return
        m.quarters = tuple(sorted({q for lo, hi in m.ranges for h in range(lo, hi + 1) for q in (2 * h - 1, 2 * h)}))
        m.rule = "half-year"
    elif kind == "year":
        m.rule = "year"
    elif kind == "count":
        m.rule = "frequency"
    if m.lookalike:
        m.confidence = INTERPRETED
        m.rule = "lookalike-months" if kind == "month" else "lookalike-quarters"
        m.reasons.append(Text.of("notation.timeframe.look_alike_characters_read"))


def _first_or_last(m: _Mention, role: str, word: str, groups: list[tuple[_Tok, _Tok]], unit: str | None) -> None:
    """"эхний 6 сард" (months 1-6), "сүүлийн 2 улиралд" (quarters III-IV): a count from the start or the
    end of the year. Leaves `m.rule` empty when the words do not take that form (the caller flags it)."""
    if unit not in ("month", "quarter") or len(groups) != 1 or m.invalid is not None:
        return
    lo, hi = groups[0]
    if lo is not hi or lo.kind != "num" or lo.case == "ordinal" or lo.value is None:
        return
    limit = 12 if unit == "month" else 4
    count = lo.value
    if not 1 <= count <= limit:
        m.invalid = ("invalid-" + unit, Text.of("notation.timeframe.year_has", word=word, count=count, limit=limit,
                                                units=Text(f"notation.timeframe.units_{unit}")))
        return
    m.ranges = [(1, count)] if role == "first" else [(limit - count + 1, limit)]
    m.rule = f"{role}-{unit}s"


def _before(m: _Mention) -> bool:
    """Turn a period written with "before" into its deadline ("9-р сараас өмнө" = by the end of August);
    False when nothing of the year is left before it."""
    if m.kind == "month" and m.months:
        month = min(m.months)
        if m.day is None or m.day <= 1:
            month -= 1  # "before September", "before 1 July": the month before
        if month < 1:
            return False
        m.months = (month,)
        m.quarters = ((month - 1) // 3 + 1,)
    elif m.kind in ("quarter", "half") and m.quarters:
        quarter = min(m.quarters) - 1
        if quarter < 1:
            return False
        m.quarters = (quarter,)
    m.ablative = m.onward = False
    m.rule = "before"
    m.confidence = INTERPRETED
    m.reasons.append(Text.of("notation.timeframe.before_read_deadline_s"))
    return True


def _fail(text: str, rule: str, why: Text, status: str | None = None) -> TimeframeReading:
    return TimeframeReading((), INVALID, rule, Text.of("notation.timeframe.not_understood", text=text, why=why), status)


def _quarters_text(quarters: Iterable[int]) -> Text:
    """The quarters as the catalogue writes them: "I-IV улирал", "quarters I-IV"."""
    qs = sorted({q for q in quarters if 1 <= q <= 4})
    roman = format_quarters(qs).removesuffix(f" {QUARTER_WORD}")
    return Text.of("notation.quarters", count=len(qs), quarters=roman)


def _read(text: str, quarters: Sequence[int], months: Sequence[int], confidence: str, rule: str,
          reasons: Sequence[Text]) -> TimeframeReading:  # fmt: skip
    month_part = _format_months(months)
    said = Text.of("notation.timeframe.read_as", text=text, quarters=_quarters_text(quarters),
                   months=Text.of("notation.timeframe.months_part", months=month_part) if month_part else "",
                   reasons=Text.of("notation.timeframe.because", reasons=tuple(reasons)) if reasons else "")
    return TimeframeReading(tuple(sorted(set(quarters))), confidence, rule, said, None, tuple(sorted(set(months))))


def parse_timeframe(text: object, vocab: NotationVocab, *, by_month: bool = False) -> TimeframeReading:
    """Read a timeframe cell (text, a date, or a number) into quarters, with how sure the reading is."""
    if text is None:
        return _fail("", "empty", Text.of("notation.timeframe.cell_empty"))
    if isinstance(text, bool):
        return _fail(str(text), "invalid-value", Text.of("notation.timeframe.true_false_value"))
    if isinstance(text, (dt.date, dt.datetime)):
        if text != text or not isinstance(text.month, int):  # pandas NaT
            return _fail("", "empty", Text.of("notation.timeframe.cell_empty"))
        q = (text.month - 1) // 3 + 1
        return _read(text.isoformat()[:10], (q,), (text.month,), EXACT, "date-value", ())
    if isinstance(text, (int, float)):
        value = float(text)
        if math.isnan(value):
            return _fail("", "empty", Text.of("notation.timeframe.cell_empty"))
        shown = str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
        if value.is_integer() and by_month and 1 <= value <= 12:
            m = int(value)
            return _read(shown, ((m - 1) // 3 + 1,), (m,), INTERPRETED, "bare-number",
                         [(Text.of("notation.timeframe.bare_number_read_month"))])  # fmt: skip
        if value.is_integer() and 1 <= value <= 4:
            return _read(shown, (int(value),), (), INTERPRETED, "bare-number", [(Text.of("notation.timeframe.bare_number_read_quarter"))])
        return _fail(shown, "invalid-value", Text.of("notation.timeframe.number_that_not_quarter"))
    s = clean_text(text if isinstance(text, str) else str(text)).text
    if not s:
        return _fail("", "empty", Text.of("notation.timeframe.cell_empty"))
    return read_timeframe_text(s, vocab, by_month=by_month)


def read_timeframe_text(s: str, vocab: NotationVocab, *, by_month: bool = False,
                        trace: list[tuple[str, str]] | None = None) -> TimeframeReading:  # fmt: skip
    folded = prepare(s, vocab)
    status = match_status(lex(folded), vocab)
    if status is not None:
        if status.status == "not_due":
            return TimeframeReading((), INVALID, "status-not-due", Text.of("notation.timeframe.s_means_not_yet", s=s), "not_due")
        return _fail(s, "status-word", Text.of("notation.timeframe.status_word_word_not", word=status.word))
    remark = final_status(lex(folded), vocab)
    if remark is not None and remark.status == "not_due":
        # "Шалгалт өгөх хугацаа болоогүй байна": the time for it has not come.
        return TimeframeReading((), INVALID, "status-not-due", Text.of("notation.timeframe.s_means_not_yet", s=s), "not_due")
    folded = _GLUED.sub(r"\1 ", folded)
    toks = _tokens(folded, vocab)
    mentions: list[_Mention] = []
    unknown: list[str] = []
    i = 0
    n = len(toks)
    prev_unit: str | None = None  # unit of the token right before, to read "сарын 01-ний" as a day
    edge: tuple[str, int, str] | None = None  # "эхний" / "сүүлийн" waiting for "N сар": (role, index, text)
    mention_end = -1  # index right after the last mention (its unit word, or the day after a month)
    dash_from: _Mention | None = None  # a mention followed by a dash: the next mention ends its range
    dated = False  # a full date (with its year) has been read

    def add(m: _Mention) -> None:
        nonlocal dash_from
        if dash_from is not None:
            dash_from.dash_to = m
            dash_from = None
        mentions.append(m)

    while i < n:
        tok = toks[i]
        meaning = tok.meaning
        if edge is not None and tok.kind not in ("num", "roman"):
            # "эхний 5 хоногт": not the first months or quarters of the year; but after "each quarter"
            # ("улирал бүрийн эхний сард") it picks a part of every period, which leaves the quarters.
            if not any(m.kind == "phrase" and m.rule == "phrase:whole_year" for m in mentions):
                unknown.append(edge[2])
            edge = None
        if meaning is not None:
            role, detail = meaning
            if trace is not None:
                en_role = f"{role} {detail}".rstrip()
                mn_role = _UNIT_MN.get(detail, detail) if role in ("unit", "phrase") else _ROLE_MN.get(role, role)
                trace.append((f"`{tok.text}` -> {en_role}", f"`{tok.text}` -> {mn_role}"))
            if role == "phrase":
                group = vocab.phrase_groups[detail]
                m = _Mention("phrase", text=tok.text, quarters=group.quarters, confidence=group.confidence, rule=f"phrase:{detail}",
                             qualifier=group.qualifier)  # fmt: skip
                if group.confidence != EXACT:
                    m.reasons.append(Text.of("notation.timeframe.taken_as", text=tok.text,
                                             quarters=_quarters_text(group.quarters)))
                add(m)
            elif role == "unit" and detail == "half":
                add(_Mention("phrase", text=tok.text, quarters=(1, 2), rule="half-year"))
            elif role == "unit" and detail == "count":
                add(_Mention("count", text=tok.text))  # "Жилд нэг удаа": a frequency
            elif role == "until" and mentions:
                mentions[-1].until = True
            elif role == "onward" and mentions:
                mentions[-1].onward = True
            elif role == "before" and mentions:
                mentions[-1].before = True
            elif role in ("first", "last"):
                edge = (role, i, tok.text)
            elif role in ("before", "negation"):
                unknown.append(tok.text)
            elif role == "duration" and mentions and i > 0 and toks[i - 1].meaning == ("unit", "month"):
                m = mentions[-1]
                if m.kind == "month" and all(t.case != "ordinal" for t in m.numerals):
                    # "3 сарын дотор": March, or within three months?
                    m.confidence = INTERPRETED
                    m.reasons.append(Text.of("notation.timeframe.text_after_text_may", text=tok.text, text2=m.text))  # fmt: skip
            prev_unit = detail if role == "unit" else None
            i += 1
            continue
        clock = 1 if tok.kind == "clock" else _dotted_clock(toks, i)
        if clock:
            # "09:30", "10.30 цагаас": a time of day, which is no period; beside a date it adds nothing.
            prev_unit = "clock"
            i += clock
            continue
        if tok.kind == "date":
            month, reason, day = _date_parts(tok.text)
            if month is None:
                return _fail(s, "invalid-date", Text.of("notation.timeframe.text_not_date", text=tok.text))
            m = _Mention("month", ranges=[(month, month)], text=tok.text, ablative=tok.case == "ablative", rule="date", day=day)
            dated = dated or tok.text.count(".") + tok.text.count("-") + tok.text.count("/") == 2
            if reason is not None and not (dated and _DAY_MONTH.fullmatch(tok.text)):
                # "2013.08.24 – 08.25": a day and month after a full date share its year.
                m.confidence = INTERPRETED
                m.reasons.append(reason)
            add(m)
            prev_unit = None
            i += 1
            mention_end = i
            continue
        if tok.kind in ("num", "roman"):
            groups, j = _numeral_groups(toks, i)
            if j + 1 < n and toks[j].kind == "dash" and toks[j + 1].kind == "word" and toks[j + 1].meaning is None:
                # "I-IY": a range whose end is not a numeral; reading only its start would be a guess.
                broken = folded[toks[i].start : toks[j + 1].end].upper()
                return _fail(s, "invalid-numeral", Text.of("notation.timeframe.broken_not_range_numerals", broken=broken))
            unit, k, unit_case = _unit_after(toks, j)
            text = folded[toks[i].start : toks[j - 1].end]
            if (prev_unit == "month" and toks[i].kind == "num" and unit == "month" and len(groups) == 1
                    and groups[0][0] is not groups[0][1] and mentions and mentions[-1].kind == "month"):  # fmt: skip
                # "05 сарын 01 - 06 сарын 30": day 1 of May, then a dash to June 30, not months 1-6.
                first_day = toks[i].value
                if first_day is None or not 1 <= first_day <= 31:
                    return _fail(s, "invalid-date", Text.of("notation.timeframe.there_no_day_text", text=toks[i].text))
                mentions[-1].day = first_day
                prev_unit = "day"
                i += 1
                mention_end = i
                continue
            if unit is None and toks[i].kind == "num" and (prev_unit == "month" or toks[j - 1].case == "genitive"):
                unit = "day"  # "07 сарын 03-ны", "Сар бүрийн 5-ны дотор": a day of the month
            if trace is not None:
                shown = text.upper() if any(t.kind == "roman" for pair in groups for t in pair) else text
                trace.append((f"numerals `{shown}` -> {unit or 'no unit word'}", f"тоо `{shown}` -> {_UNIT_MN.get(unit or '', 'нэгжгүй')}"))
            if unit == "clock":
                pass  # "10 цагт", "14 цаг 30 минут": a time of day, never a quarter or a month
            elif unit == "day":
                days = [t.value for pair in groups for t in pair]
                if any(d is None or not 1 <= d <= 31 for d in days):
                    return _fail(s, "invalid-date", Text.of("notation.timeframe.there_no_day_text", text=text))
                if prev_unit == "month" and mentions and mentions[-1].kind == "month" and mention_end == i:
                    mentions[-1].day = days[0]  # "05 сарын 15-ны": for "before"
                    mention_end = k
                    # "06 сарын 02-ны өдрөөс", "3 сарын 1-нээс": from that day
                    mentions[-1].ablative = mentions[-1].ablative or unit_case == "ablative" or toks[j - 1].case == "ablative"
                if edge is not None:
                    if not mentions:
                        unknown.append(edge[2])
                    edge = None  # "9 сарын эхний 7 хоног": the first week of a month already named
            else:
                if unit == "count":
                    text = folded[toks[i].start : toks[k - 1].end]  # "2 удаа"
                m = _mention_from_group(groups, unit, by_month, text)
                # "2024 VII - IX": Roman numerals beyond IV right after a year are its months.
                m.after_year = (unit is None and bool(mentions) and mention_end == i and mentions[-1].kind in ("year", "default")
                                and any(1900 <= lo <= 2100 for lo, _ in mentions[-1].ranges))  # fmt: skip
                m.ablative = unit_case == "ablative" or toks[j - 1].case == "ablative"
                if edge is not None:
                    _first_or_last(m, edge[0], edge[2], groups, unit)
                    if not m.rule:
                        unknown.append(edge[2])
                    edge = None
                add(m)
                mention_end = k
            prev_unit = unit
            i = k
            continue
        if tok.kind == "dash" and mentions and i == mention_end and i + 1 < n and toks[i + 1].kind in ("num", "roman", "date"):
            dash_from = mentions[-1]  # "1-р улирал - 4-р улирал", "II улирал~IV улирал": a range
        elif tok.kind == "word":
            unknown.append(tok.text)
        prev_unit = None
        i += 1
    if edge is not None:
        unknown.append(edge[2])
    if trace is not None and unknown:
        words_not_known = Text.of("notation.timeframe.words_not_known_value", value=", ".join(unknown))
        trace.append((words_not_known.render("en"), words_not_known.render("mn")))
    negated = any(t.meaning == ("negation", "") for t in toks) or any(w.endswith(vocab.negation_endings) for w in unknown)
    return _combine(s, mentions, unknown, by_month, negated=negated)


def _combine(s: str, mentions: list[_Mention], unknown: list[str], by_month: bool, *, negated: bool = False) -> TimeframeReading:
    for m in mentions:
        _resolve(m, by_month)
        if m.invalid is not None:
            return _fail(s, *m.invalid)
    periods = [m for m in mentions if m.kind != "year"]
    # A frequency ("1 удаа") states no period: it counts only when nothing else does. An "every year"
    # qualifier gives way to the period written beside it ("Жил бүрийн 4-р улирал" = IV).
    stated = [m for m in periods if m.kind != "count"]
    if stated:
        periods = stated
        specific = [m for m in periods if not m.qualifier]
        if specific:
            periods = specific
    if not periods:
        if mentions:
            return _read(s, (1, 2, 3, 4), (), INTERPRETED, "year-only", [(Text.of("notation.timeframe.only_year_given_whole"))])
        return _fail(s, "no-period", Text.of("notation.timeframe.no_quarter_month_date"))
    reasons: list[Text] = []
    confidence = EXACT
    merged: list[_Mention] = []
    i = 0
    while i < len(periods):
        m = periods[i]
        nxt = periods[i + 1] if i + 1 < len(periods) else None
        if m.before:
            if not _before(m):
                return _fail(s, "before-year", Text.of("notation.timeframe.text_with_before_leaves", text=m.text))  # fmt: skip
            merged.append(m)
            i += 1
            continue
        joined = m.dash_to is nxt or m.ablative or m.onward
        if nxt is not None and joined and not nxt.ablative and (
            m.kind == nxt.kind
            or {m.kind, nxt.kind} <= {"quarter", "month"}
            # "III улирлаас эхлэн жилийн эцэс хүртэл": from a period until a phrase's end.
            or (nxt.kind == "phrase" and m.kind in ("quarter", "month", "half") and (m.ablative or m.onward))
        ):
            if min(m.quarters) > max(nxt.quarters) or (m.months and nxt.months and min(m.months) > max(nxt.months)):
                return _fail(s, "reversed-range", Text.of("notation.timeframe.period_ends_before_starts"))
            span = _Mention(m.kind if m.kind == nxt.kind else "quarter", text=f"{m.text} .. {nxt.text}", rule="from-until")
            span.quarters = tuple(range(min(m.quarters), max(nxt.quarters) + 1))
            if m.months and nxt.months:
                span.months = tuple(range(min(m.months), max(nxt.months) + 1))
            span.confidence = INTERPRETED if INTERPRETED in (m.confidence, nxt.confidence) else EXACT
            span.reasons = m.reasons + nxt.reasons
            merged.append(span)
            i += 2
            continue
        if (m.ablative or m.onward) and m.quarters:
            m.quarters = tuple(range(min(m.quarters), 5))
            m.months = ()
            # "7-р сараас", "06 сарын 02-ны өдрөөс", "3-р сараас эхлэн": from then on, to the end of the
            # plan's year; the quarters from then on are what a person reads, so no flag.
        elif m.until and m.kind in ("quarter", "half", "default"):
            m.confidence = INTERPRETED
            m.reasons.append(Text.of("notation.timeframe.until_read_deadline_s"))
        merged.append(m)
        i += 1
    quarters: set[int] = set()
    months: set[int] = set()
    kinds: set[str] = set()
    sets: set[tuple[int, ...]] = set()
    for m in merged:
        quarters.update(m.quarters)
        months.update(m.months)
        kinds.add("quarter" if m.kind in ("default", "quarter") else m.kind)
        sets.add(m.quarters)
        reasons.extend(m.reasons)
        if m.confidence != EXACT:
            confidence = INTERPRETED
    if len(kinds) > 1 and len(sets) > 1:
        confidence = INTERPRETED
        reasons.append(Text.of("notation.timeframe.several_periods_combined"))
    # "Зөвшөөрлийн хуудсыг 11 сарын 15-ны дотор өгнө үү.": one dated deadline in a sentence; the other
    # words say what is due, not when. A negation ("биш", "-гүй") may turn it round and keeps the flag.
    dated = len(merged) == 1 and merged[0].kind == "month" and bool(merged[0].day) and not negated and confidence == EXACT
    if unknown and not dated:
        confidence = INTERPRETED
        words = ", ".join(dict.fromkeys(unknown))
        reasons.append(Text.of("notation.timeframe.words_passed_over_words", words=words))
    rule = merged[0].rule if len(merged) == 1 else "combined"
    if not quarters:
        return _fail(s, "no-period", Text.of("notation.timeframe.no_quarter_month_date"))
    if len(kinds) == 1 and "month" not in kinds:
        months = months if all(m.months for m in merged) else set()
    return _read(s, sorted(quarters), sorted(months), confidence, rule, reasons)
