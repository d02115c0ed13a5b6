"""Reporting cycles (issue 16, part 4): every period name the program knows and the arithmetic on it.

A period is a month `2026-10`, a quarter `2026-Q3`, a half-year `2026-H2` or a year `2026`. settings.yaml
`cycle:` (monthly | quarterly | half-yearly | annual) says which kind a department reports, departments.yaml
`cycle:` overrides it for one department. Everything else asks this module: a period's months, first and last
day, deadline (`deadline.day` of the `deadline.months_after`-th month after its last month), the previous period
of the same kind, who is expected when (`makes`: a department's own kind of period, and every year's annual
evaluation), the order of periods (by their last month, then a month before the quarter, half-year and
year ending with it), and its label. Due rules and pro-rating judge a period by its last month's quarter: the
annual evaluation of 2026 is the state at the end of December.

Period names written in files (`III улирал`, `3-р улирал`, `эхний хагас жил`, `жилийн эцсийн`) are recognised
by `period_in_text`, with the words from headers.yaml `period_words` (config.headers.period_words).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from pipeline.words import Text, both, say

D = TypeVar("D")
Kind = Literal["month", "quarter", "half", "year"]
Cycle = Literal["monthly", "quarterly", "half-yearly", "annual"]
CYCLES: dict[str, Kind] = {"monthly": "month", "quarterly": "quarter", "half-yearly": "half", "annual": "year"}
KINDS: tuple[Kind, ...] = ("month", "quarter", "half", "year")
_CYCLE_OF: dict[Kind, Cycle] = {"month": "monthly", "quarter": "quarterly", "half": "half-yearly", "year": "annual"}
_SPAN = {"month": 1, "quarter": 3, "half": 6, "year": 12}
_COUNT = {"month": 12, "quarter": 4, "half": 2, "year": 1}
ROMAN = ("I", "II", "III", "IV")

_NAME = re.compile(r"(\d{4})(?:-(?:(\d{1,2})|[Qq]([1-4])|[Hh]([12])))?")
FORMATS = "YYYY-MM, YYYY-Q1..Q4, YYYY-H1/H2, YYYY"


class PeriodError(ValueError):
    """A text that is not a period name; the message is bilingual."""


@dataclass(frozen=True)
class Period:
    year: int
    kind: Kind
    number: int  # the month 1-12, quarter 1-4, half 1-2; 1 for a year

    def __post_init__(self) -> None:
        if not 1 <= self.number <= _COUNT[self.kind] or not 2000 <= self.year <= 2100:
            raise PeriodError(both("messages.cycles.no_such_period_number", sep=" / ", year=self.year, kind=self.kind, number=self.number))

    @property
    def name(self) -> str:
        if self.kind == "month":
            return f"{self.year:04d}-{self.number:02d}"
        if self.kind == "year":
            return f"{self.year:04d}"
        return f"{self.year:04d}-{'Q' if self.kind == 'quarter' else 'H'}{self.number}"

    def __str__(self) -> str:
        return self.name

    @property
    def cycle(self) -> Cycle:
        return _CYCLE_OF[self.kind]

    @property
    def first_month(self) -> int:
        return (self.number - 1) * _SPAN[self.kind] + 1

    @property
    def last_month(self) -> int:
        return self.number * _SPAN[self.kind]

    @property
    def months(self) -> tuple[int, ...]:
        return tuple(range(self.first_month, self.last_month + 1))

    @property
    def quarter(self) -> int:
        """The quarter of the period's last month: the one due rules and pro-rating judge it by."""
        return (self.last_month - 1) // 3 + 1

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.first_month, 1)

    @property
    def last_day(self) -> dt.date:
        return _add_months(self.year, self.last_month, 1) - dt.timedelta(days=1)

    def deadline(self, day: int, months_after: int) -> dt.date:
        """`day` of the `months_after`-th month after the period's last month (months_after 0: that month)."""
        month = self.last_month + months_after
        return dt.date(self.year + (month - 1) // 12, (month - 1) % 12 + 1, day)

    def previous(self) -> Period:
        """The period of the same kind before this one."""
        if self.number > 1:
            return Period(self.year, self.kind, self.number - 1)
        return Period(self.year - 1, self.kind, _COUNT[self.kind])

    def next(self) -> Period:
        if self.number < _COUNT[self.kind]:
            return Period(self.year, self.kind, self.number + 1)
        return Period(self.year + 1, self.kind, 1)

    @property
    def sort_key(self) -> tuple[int, int, int]:
        """Chronological by the period's end; a month before the quarter, half-year and year ending with it."""
        return (self.year, self.last_month, KINDS.index(self.kind))

    def contains(self, other: Period) -> bool:
        return other.year == self.year and self.first_month <= other.first_month and other.last_month <= self.last_month

    def label(self, lang: str = "mn") -> str:
        """«2026 оны III улирал» / "2026 Q3" (the words: pipeline/words/period.yaml)."""
        return say(f"period.{self.kind}", lang, **self._params())

    def genitive(self) -> str:
        """The Mongolian label in the genitive, before a noun: «2026 оны III улирлын» (тайлан)."""
        return say(f"period.genitive.{self.kind}", "mn", **self._params())

    def _params(self) -> dict[str, Any]:
        if self.kind == "month":
            return {"year": self.year, "month": Text(f"summary.month.m{self.number}")}
        if self.kind == "quarter":
            return {"year": self.year, "quarter": Text(f"period.quarter_name.q{self.number}")}
        if self.kind == "half":
            return {"year": self.year, "half": Text(f"period.half_name.h{self.number}")}
        return {"year": self.year}


def _add_months(year: int, month: int, months: int) -> dt.date:
    month += months
    return dt.date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def parse(text: str) -> Period:
    """A period from its name (`2026-10`, `2026-3`, `2026-Q3`, `2026-h2`, `2026`); PeriodError otherwise."""
    match = _NAME.fullmatch(text.strip())
    if not match:
        raise PeriodError(both("messages.cycles.not_a_period_name", sep=" / ", text=text, formats=FORMATS))
    year = int(match.group(1))
    month, quarter, half = match.group(2), match.group(3), match.group(4)
    try:
        if month is not None:
            return Period(year, "month", int(month))
        if quarter is not None:
            return Period(year, "quarter", int(quarter))
        if half is not None:
            return Period(year, "half", int(half))
        return Period(year, "year", 1)
    except PeriodError:
        raise PeriodError(both("messages.cycles.no_such_period", sep=" / ", text=text, formats=FORMATS)) from None


def try_parse(text: str | None) -> Period | None:
    if not text:
        return None
    try:
        return parse(text)
    except PeriodError:
        return None


def canonical(text: str) -> str:
    """The period's name as the program writes it (`2026-3` → `2026-03`, `2026-q3` → `2026-Q3`)."""
    return parse(text).name


def year_of(name: str) -> int:
    return parse(name).year


def sort_key(name: str) -> tuple[int, int, int, str]:
    """Chronological order of period names; a name that is no period sorts last, by its text."""
    period = try_parse(name)
    return (*period.sort_key, "") if period is not None else (9999, 99, 9, name)


def ordered(names: Iterable[str]) -> list[str]:
    return sorted(set(names), key=sort_key)


def same_kind(names: Iterable[str], period: str) -> list[str]:
    """The names of the same kind of period as `period`, in order (a trend compares like with like)."""
    kind = parse(period).kind
    return [n for n in ordered(names) if (p := try_parse(n)) is not None and p.kind == kind]


def kind_of_cycle(cycle: str) -> Kind:
    return CYCLES[cycle]


def makes(cycle: str, period: str) -> bool:
    """Whether a department reporting on `cycle` is expected in `period`: its own kind of period (a quarterly one
    in 2026-Q3, not in 2026-08), and the year, whatever its cycle: every year ends in the annual evaluation."""
    found = try_parse(period)
    return found is not None and found.kind in (CYCLES[cycle], "year")


def period_of(kind: Kind, year: int, month: int) -> Period:
    """The period of the kind holding the month."""
    return Period(year, kind, (month - 1) // _SPAN[kind] + 1)


def last_ended(cycle: str, today: dt.date) -> Period:
    """The latest period of the cycle that ended before `today` (the one being reported on)."""
    current = period_of(CYCLES[cycle], today.year, today.month)
    return current.previous()


def label(name: str, lang: str = "mn") -> str:
    period = try_parse(name)
    return period.label(lang) if period is not None else name


# --- period names written in files -------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodWords:
    """headers.yaml `period_words`: how files name a quarter, a half-year and the year."""

    quarter: tuple[str, ...] = ()
    half_year: tuple[str, ...] = ()
    first_half: tuple[str, ...] = ()
    second_half: tuple[str, ...] = ()
    annual: tuple[str, ...] = ()
    not_annual: tuple[str, ...] = ()  # phrases with an annual word that name no period ("жилийн төлөвлөгөө": the plan)
    # A month in a cell or a file name (intake's): "2026 оны 10", "10 дугаар сар", "10-р сар".
    year_word: tuple[str, ...] = ()  # after a year's digits ("он", "оны")
    month_word: tuple[str, ...] = ()  # after a month's number ("сар")
    month_ordinal: tuple[str, ...] = ()  # between a month's number and its word ("-р", "дугаар", "дүгээр")
    quarter_ordinal: tuple[str, ...] = ()  # between a quarter's number and its word ("3-р улирал", "III-ын улирлын")


NO_PERIOD_WORDS = PeriodWords()
_ROMAN_LOOKALIKES = str.maketrans({"І": "I", "Ⅰ": "I", "Ⅱ": "II", "Ⅲ": "III", "Ⅳ": "IV", "Ӏ": "I"})
_CANONICAL_IN_TEXT = re.compile(r"(?<!\d)(20\d{2})[-_ .]?([QqHh])([1-4])(?!\d)")
_YEAR = re.compile(r"(?<!\d)(20\d{2})(?!\d)")


def alternatives(words: Sequence[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True) if w)


def period_in_text(
    text: str, words: PeriodWords, year: int | None, *, annual: bool = True, received: dt.date | None = None
) -> Period | None:
    """A quarter, half-year or year named in a cell or file name (`2026 оны III улирал`, `3-р улирал`,
    `эхний хагас жил`, `жилийн эцсийн тайлан`, `2026-Q3`); None when it names none (months are intake's).
    `year` is used when the text names no year; without either, the year whose such period ended last before
    `received` (a "IV улирал" report received in January is of the year before); without that too, None. `annual=False` leaves the year's words
    out (a caller that looks for a month first, so "жилийн" in a monthly file's name does not make it annual)."""
    if not text:
        return None
    plain = " ".join(text.translate(_ROMAN_LOOKALIKES).replace("_", " ").split())
    found = _CANONICAL_IN_TEXT.search(plain)
    if found:
        kind: Kind = "quarter" if found.group(2) in "Qq" else "half"
        number = int(found.group(3))
        if kind == "half" and number > 2:
            return None
        return Period(int(found.group(1)), kind, number)
    year_match = _YEAR.search(plain)
    if year_match:
        return _named(plain, words, int(year_match.group(1)), annual)
    if year is not None:
        return _named(plain, words, year, annual)
    if received is None:
        return None
    named = _named(plain, words, received.year, annual)
    if named is not None and named.last_day >= received:
        named = Period(named.year - 1, named.kind, named.number)
    return named


@functools.cache
def _quarter_pattern(words: PeriodWords) -> re.Pattern[str]:
    """A quarter's number (Roman or 1-4), its ordinal if any, then a quarter word; built once per set of words."""
    ordinal = rf"(?:\s*-?\s*(?:{alternatives(words.quarter_ordinal)}))?" if words.quarter_ordinal else ""
    return re.compile(rf"(?<![\w])(IV|III|II|I|[1-4]){ordinal}\s*(?:{alternatives(words.quarter)})", re.IGNORECASE)


def _named(plain: str, words: PeriodWords, the_year: int, annual: bool) -> Period | None:
    if not 2000 <= the_year <= 2100:
        return None
    if words.quarter:
        quarter = _quarter_pattern(words).search(plain)
        if quarter:
            number = quarter.group(1).upper()
            return Period(the_year, "quarter", ROMAN.index(number) + 1 if number in ROMAN else int(number))
    lowered = plain.casefold()
    if words.half_year and (half := re.search(f"(?:{alternatives(words.half_year)})", lowered, re.IGNORECASE)):
        before = lowered[: half.start()].rstrip()
        second = words.second_half and re.search(f"(?:{alternatives([w.casefold() for w in words.second_half])})$", before)
        return Period(the_year, "half", 2 if second else 1)
    if words.not_annual:
        lowered = re.sub(f"(?:{alternatives([w.casefold() for w in words.not_annual])})", " ", lowered)
    if annual and words.annual and re.search(f"(?<!\\w)(?:{alternatives([w.casefold() for w in words.annual])})", lowered):
        return Period(the_year, "year", 1)
    return None


# --- who is expected when ----------------------------------------------------------------------------


def cycle_of(department: object, default: str) -> str:
    """A department's cycle: its own (departments.yaml `cycle:`), else settings.yaml `cycle`."""
    return str(getattr(department, "cycle", "") or default)


def expected_in(department: object, default: str, period: str) -> bool:
    """Whether the department owes a report for the period: it reports (not a grouping unit) and its cycle
    makes that kind of period."""
    return bool(getattr(department, "reports", True)) and makes(cycle_of(department, default), period)


def trend(names: Iterable[str], period: str, count: int, *, include: bool = True) -> list[str]:
    """The last `count` periods of the same kind as `period` up to it (`include`) or before it, in order:
    a quarter's trend is the quarters before it, not the months."""
    key = parse(period).sort_key
    kept = [n for n in same_kind(names, period) if (parse(n).sort_key <= key if include else parse(n).sort_key < key)]
    return kept[-count:] if count > 0 else []


def expected(departments: Iterable[D], default: str, period: str) -> list[D]:
    """The departments that owe a report for the period, in their order."""
    return [d for d in departments if expected_in(d, default, period)]
