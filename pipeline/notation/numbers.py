"""Numbers in targets and achieved values: digits, thousands and decimal marks, number words, endings.

`analyse` turns a cleaned cell into tokens, the numbers in it (digits or words, with their grammatical
ending) and, for each number, what stands around it: a unit, a percent word, a comparison word, a
time or year word that makes it a date rather than a quantity. The target and achieved-value readers
decide from that; this module never decides which number is "the" value.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from pipeline.notation.vocab import DASH_CHARS, TILDES, Meaning, NotationVocab

_LEX = re.compile(
    r"""
     (?P<date>(?:19|20)\d\d[./-]\d{1,2}[./-]\d{1,2}(?!\d)|\d{1,2}[./]\d{1,2}[./](?:19|20)\d\d(?!\d)
             |(?:19|20)\d\d[./-](?:0?[1-9]|1[0-2])(?![\d.,]))
    |(?P<num>\d{1,3}(?:\ \d{3})+(?![\d.,]?\d)|\d+(?:[.,]\d+)*)
    |(?P<word>[^\W\d_]+)
    |(?P<cmp>[<>]=|[<>≤≥])
    |(?P<pct>[%٪])
    |(?P<dash>[-~])
    |(?P<other>\S)
    """,
    re.X,
)
# Every dash reads as "-" (as in `fold`) except "~", kept so that "~80%" (about 80 %) is not a minus;
# between two numbers ("80~90%") it is still a dash.
_DASHES = str.maketrans({c: "-" for c in DASH_CHARS} | {c: "~" for c in TILDES})
# A letter O (Cyrillic or Latin) typed for the digit zero, glued to digits: "8О%", "1ОО".
_ZEROS = re.compile("[оo]+")
# Marks after a number that look like a comparison sign but say nothing sure ("95%‹", "95%«").
STRAY_SIGNS = frozenset("‹›«»")
_THOUSANDS_COMMA = re.compile(r"[1-9]\d{0,2}(?:,\d{3})+")
_THOUSANDS_DOT = re.compile(r"[1-9]\d{0,2}(?:\.\d{3})+")
_DECIMAL = re.compile(r"\d+[.,]\d+")
_COMMA_THEN_POINT = re.compile(r"[1-9]\d{0,2}(?:,\d{3})+\.\d+")
_POINT_THEN_COMMA = re.compile(r"[1-9]\d{0,2}(?:\.\d{3})+,\d+")
# Characters after which a number is a document or clause reference ("А/123", "№5"), not a quantity.
_REFERENCE_MARKS = frozenset("/№#")
_HARD_STOPS = frozenset(",;.()[]:")


class Tok:
    """A lexed piece of a folded cell."""

    __slots__ = ("end", "kind", "start", "text")

    def __init__(self, kind: str, text: str, start: int, end: int):
        self.kind = kind
        self.text = text
        self.start = start
        self.end = end

    def __repr__(self) -> str:
        return f"Tok({self.kind}, {self.text!r})"


def lex(folded: str) -> list[Tok]:
    return [Tok(m.lastgroup or "other", m.group(), m.start(), m.end()) for m in _LEX.finditer(folded)]


def parse_digits(raw: str) -> tuple[float | None, str]:
    """The value of a number written in digits, and a problem code when it cannot be read for sure.

    `1,500` and `10,000` are thousands (exactly three digits after the comma, no leading zero);
    `2,5` and `0,75` are decimals; `10 000` is ten thousand; `1.500.000` is thousands; a single
    `1.500` could be 1.5 or 1500 and is reported as "thousands-ambiguous" rather than guessed.
    """
    if " " in raw:
        digits = raw.replace(" ", "")
        return (float(digits), "") if len(digits) <= 15 else (None, "malformed")
    if raw.isdigit():
        return (float(raw), "") if len(raw) <= 15 else (None, "malformed")
    if len(raw) > 24:
        return None, "malformed"
    if _THOUSANDS_COMMA.fullmatch(raw):
        return float(raw.replace(",", "")), ""
    if _THOUSANDS_DOT.fullmatch(raw):
        if raw.count(".") > 1:
            return float(raw.replace(".", "")), ""
        return None, "thousands-ambiguous"
    if _DECIMAL.fullmatch(raw):
        return float(raw.replace(",", ".")), ""
    if _COMMA_THEN_POINT.fullmatch(raw):
        return float(raw.replace(",", "")), ""
    if _POINT_THEN_COMMA.fullmatch(raw):
        return float(raw.replace(".", "").replace(",", ".")), ""
    return None, "malformed"


@dataclass(slots=True)
class Num:
    """A number in a cell: the tokens it spans (ending and multiplier included) and how it is written."""

    first: int
    last: int
    value: float | None
    text: str
    case: str | None = None
    word: bool = False
    compound: bool = False
    high: float | None = None  # the upper end of a range "80-100"
    problem: str = ""  # "thousands-ambiguous" | "malformed" | "negative" | "range-reversed" | "compound" | "about" | "letter-o"
    date: bool = False


def _multiplier(value: int) -> bool:
    return value >= 100 and str(value).rstrip("0") == "1"


def ordinal_stem_value(stem: str, vocab: NotationVocab) -> int | None:
    """The value of what stands before an ordinal ending: a number word ("хоёр"), a stem seen only there
    ("дол" in "долдугаар"), or tens and units written as one word ("арванхоёр" in "арванхоёрдугаар")."""
    value = vocab.number_words.get(stem)
    if value is None:
        value = vocab.ordinal_stems.get(stem)
    if value is not None:
        return value
    for cut in range(2, len(stem) - 1):
        tens = vocab.number_words.get(stem[:cut])
        if tens is None or tens % 10 or not 10 <= tens <= 90:
            continue
        rest = stem[cut:]
        unit = vocab.number_words.get(rest)
        if unit is None:
            unit = vocab.ordinal_stems.get(rest)
        if unit is not None and 1 <= unit <= 9:
            return tens + unit
    return None


def _word_value(text: str, vocab: NotationVocab) -> tuple[int | None, bool]:
    """(value, ordinal) of a number word, also when an ordinal ending is glued on ("хоёрдугаар")."""
    value = vocab.number_words.get(text)
    if value is not None:
        return value, False
    for suffix in vocab.ordinal_suffixes:
        if text.endswith(suffix) and len(text) > len(suffix):
            value = ordinal_stem_value(text[: -len(suffix)], vocab)
            if value is not None:
                return value, True
    return None, False


# A date typed with spaces around its separators ("2026 / 04 / 15", "15 . 04 . 2026"), or with a Cyrillic
# З (or its Latin-1 view Ç) for the digit 3, as legacy-font cells show it ("2026.0З.15"). Folded text.
_D = "[0-9зç]"
_SPACED_DATE = re.compile(
    rf"(?<![\w.])((?:19|20){_D}{_D}) ?([./-]) ?({_D}{{1,2}}) ?\2 ?({_D}{{1,2}})(?![\w.]?\d)"
    rf"|(?<![\w.])({_D}{{1,2}}) ?([./]) ?({_D}{{1,2}}) ?\6 ?((?:19|20){_D}{_D})(?![\w.]?\d)"
)
_THREE = str.maketrans({"з": "3", "ç": "3"})


def tidy_dates(folded: str) -> str:
    """Folded text with spaced or З-for-3 dates written as plain dates; other text is left as it is."""
    if " " not in folded and "з" not in folded and "ç" not in folded:
        return folded

    def fix(m: re.Match[str]) -> str:
        text = m.group(0)
        plain = re.sub(r" ?([./-]) ?", r"\1", text).translate(_THREE)
        return plain if plain != text else text

    return _SPACED_DATE.sub(fix, folded)


def _combine(values: Sequence[int]) -> list[tuple[int, int, int]]:
    """Split a run of number words into numbers: (first, last, value). "мянга таван зуу" -> 1500.

    A unit after a unit ("тав хоёр") starts a new number, so two numbers are never summed into one;
    the caller reports such a run as malformed rather than reading one of its parts.
    """
    out: list[tuple[int, int, int]] = []
    i = 0
    n = len(values)
    while i < n:
        total = group = 0
        last_small: int | None = None
        last_big: int | None = None
        hundred = False
        j = i
        while j < n:
            v = values[j]
            if v == 0:
                if j != i:
                    break
                j += 1
                break
            if _multiplier(v) and v >= 1000:
                if last_big is not None and v >= last_big:
                    break
                total += (group or 1) * v
                group, last_small, hundred, last_big = 0, None, False, v
            elif v == 100 or _multiplier(v):
                if hundred or group >= 10:
                    break
                group = (group or 1) * v
                last_small, hundred = None, True
            else:
                magnitude = 10 if v >= 10 else 1
                if last_small is not None and magnitude >= last_small:
                    break
                group += v
                last_small = magnitude
            j += 1
        out.append((i, j - 1, total + group))
        i = j
    return out


def _ending_after(toks: Sequence[Tok], index: int, vocab: NotationVocab) -> tuple[int, str | None]:
    """(last token index, case) of a grammatical ending written after the number at `index`."""
    n = len(toks)
    j = index + 1
    if j >= n:
        return index, None
    nxt = toks[j]
    if nxt.kind == "word":
        case = vocab.endings.get(nxt.text)
        if case is not None and (nxt.start == toks[index].end or len(nxt.text) >= 3):
            return j, case
    elif nxt.kind == "dash" and j + 1 < n and toks[j + 1].kind == "word":
        case = vocab.endings.get(toks[j + 1].text)
        if case is not None:
            return j + 1, case
    return index, None


def _lettered_zeros(toks: Sequence[Tok], i: int) -> tuple[int, str]:
    """(last token, digits) of a number with letters O typed for zeros glued on ("8О" -> 80)."""
    j = i
    digits = toks[i].text
    lettered = False
    while j + 1 < len(toks) and toks[j + 1].start == toks[j].end:
        nxt = toks[j + 1]
        if nxt.kind == "word" and _ZEROS.fullmatch(nxt.text):
            digits += "0" * len(nxt.text)
            lettered = True
        elif nxt.kind == "num" and lettered:
            digits += nxt.text
        else:
            break
        j += 1
    return (j, digits) if lettered else (i, toks[i].text)


def scan_numbers(toks: Sequence[Tok], vocab: NotationVocab, folded: str) -> list[Num]:
    """Every number in the tokens, in order, with its ending, multiplier and range end."""
    nums: list[Num] = []
    n = len(toks)
    i = 0
    while i < n:
        tok = toks[i]
        if tok.kind == "date":
            nums.append(Num(i, i, None, tok.text, date=True))
            i += 1
            continue
        if tok.kind == "num":
            head, digits = _lettered_zeros(toks, i)
            value, problem = parse_digits(digits)
            num = Num(i, head, value, tok.text, problem=problem)
            if head > i:
                num.problem = num.problem or "letter-o"
            if i > 0 and toks[i - 1].kind == "dash" and toks[i - 1].end == tok.start and (
                i == 1 or toks[i - 2].kind in ("other", "cmp")
            ):
                # "-5" is a minus; "~80%" is "about 80 %".
                num.problem = num.problem or ("about" if toks[i - 1].text == "~" else "negative")
            last, case = _ending_after(toks, head, vocab)
            # "5 мянга", "1,5 сая": digits times a number word.
            if case is None and last + 1 < n and toks[last + 1].kind == "word":
                mult, ordinal = _word_value(toks[last + 1].text, vocab)
                if mult is not None and not ordinal and _multiplier(mult):
                    last += 1
                    if num.value is not None:
                        num.value *= mult
                    last, case = _ending_after(toks, last, vocab)
                    if case is None:
                        case = vocab.case_of(toks[last].text, min_len=2)
            # "80-100 хувь", "2020-2025 он": a range of two digit numbers.
            if case is None and last + 2 < n and toks[last + 1].kind == "dash" and toks[last + 2].kind == "num":
                high, problem_high = parse_digits(toks[last + 2].text)
                num.high = high
                num.problem = num.problem or problem_high
                if high is not None and num.value is not None and high < num.value:
                    num.problem = num.problem or "range-reversed"
                last, case = _ending_after(toks, last + 2, vocab)
            num.last, num.case = last, case
            num.text = folded[tok.start : toks[last].end]
            nums.append(num)
            i = last + 1
            continue
        if tok.kind == "word":
            run: list[tuple[int, int, bool]] = []  # (token index, value, ordinal)
            j = i
            while j < n and toks[j].kind == "word":
                value, ordinal = _word_value(toks[j].text, vocab)
                if value is None:
                    break
                run.append((j, value, ordinal))
                j += 1
                if ordinal:
                    break
            if run:
                parts = _combine([v for _, v, _ in run])
                if len(parts) > 1:
                    # "хорин тавиас" (20, "from 50"), "тав хорь": adjacent number words that do not build
                    # one number. Reading either part alone would silently give another number.
                    start, end = run[0][0], run[-1][0]
                    case = "ordinal" if run[-1][2] else vocab.case_of(toks[end].text, min_len=2)
                    text = folded[toks[start].start : toks[end].end]
                    nums.append(Num(start, end, None, text, case=case, word=True, compound=True, problem="compound"))
                    i = j
                    continue
                for first, last, value in parts:
                    start, end = run[first][0], run[last][0]
                    word = toks[end].text
                    case = "ordinal" if run[last][2] else vocab.case_of(word, min_len=2)
                    text = folded[toks[start].start : toks[end].end]
                    nums.append(Num(start, end, float(value), text, case=case, word=True, compound=end > start))
                i = j
                continue
        i += 1
    return nums


@dataclass(slots=True)
class NumberContext:
    """What stands around one number: the facts the readers decide from."""

    num: Num
    excluded: str = ""  # "date" | "year" | "time" | "ordinal" | "reference" | "fraction" | "weak-word"
    unit: str | None = None
    percent: bool = False
    percent_word: str = ""
    cmp: str | None = None  # ">=" | "<=" | "conflict"
    relative: bool = False
    to: bool = False
    sign_after: int = -1  # token index of a comparison sign or stray mark after the number ("95%<", "95%‹")
    year_like: bool = False
    words: list[tuple[str, Meaning]] = field(default_factory=list)  # matched words, for explain
    than: bool = False  # a "than" (ablative) form: "95-аас", "95 хувиас", "5 удаагаас", "80%-иас"
    dative: bool = False  # a "to" (dative) form: "20-д", "20 хувьд", "20%-д"
    become: bool = False  # "N болгох": make it N
    start: bool = False  # "N байсныг": the figure the indicator starts from
    unknown: list[str] = field(default_factory=list)  # words no list knows that may compare ("хэтрүүлэхгүй")


@dataclass(slots=True)
class Analysis:
    folded: str
    toks: list[Tok]
    texts: list[str]
    roles: list[Meaning | None]  # meaning of the target-table word covering each token
    role_text: list[str]  # the vocabulary entry that matched, for explain
    before: list[Meaning | None]
    nums: list[Num]
    contexts: list[NumberContext]

    def has_role(self, role: str) -> bool:
        return any(r is not None and r[0] == role for r in self.roles)

    def words(self) -> list[int]:
        """Indices of word tokens that are not part of a number."""
        covered = {k for num in self.nums for k in range(num.first, num.last + 1)}
        return [i for i, t in enumerate(self.toks) if t.kind == "word" and i not in covered]


def _window(a: Analysis, num: Num, size: int) -> list[int]:
    """Token indices after a number up to the next number or hard punctuation."""
    starts = {other.first for other in a.nums}
    out: list[int] = []
    k = num.last + 1
    n = len(a.toks)
    counted = 0
    while k < n and counted < size:
        tok = a.toks[k]
        if k in starts or (tok.kind == "other" and tok.text in _HARD_STOPS):
            break
        out.append(k)
        # A word of several tokens ("км/ц", "түүнээс дээш") counts once, so a unit written with a slash
        # does not push the comparison after it out of reach.
        if not (k > num.last + 1 and a.roles[k] is not None and a.roles[k] is a.roles[k - 1] and not role_start(a, k)):
            counted += 1
        k += 1
    return out


def fold_keep_tilde(text: str) -> str:
    """`fold`, keeping "~" apart from the other dashes."""
    return unicodedata.normalize("NFC", text).casefold().translate(_DASHES)


def analyse(text: str, vocab: NotationVocab) -> Analysis:
    """Tokens, numbers and each number's surroundings for a cleaned cell."""
    folded = tidy_dates(vocab.expand(fold_keep_tilde(text)))
    toks = lex(folded)
    texts = [t.text for t in toks]
    nums = scan_numbers(toks, vocab, folded)
    covered = [False] * len(toks)
    for num in nums:
        for k in range(num.first, num.last + 1):
            covered[k] = True
    roles: list[Meaning | None] = [None] * len(toks)
    role_text = [""] * len(toks)
    before: list[Meaning | None] = [None] * len(toks)
    i = 0
    while i < len(toks):
        if covered[i]:
            i += 1
            continue
        phrase = vocab.target.match(texts, i)
        if phrase is None:
            i += 1
            continue
        for k in range(i, i + len(phrase.words)):
            roles[k] = phrase.meaning
            role_text[k] = phrase.text
        i += len(phrase.words)
    i = 0
    while i < len(toks):
        phrase = None if covered[i] else vocab.target_before.match(texts, i)
        if phrase is None:
            i += 1
            continue
        for k in range(i, i + len(phrase.words)):
            before[k] = phrase.meaning
        i += len(phrase.words)
    a = Analysis(folded, toks, texts, roles, role_text, before, nums, [])
    a.contexts = [_context(a, num, vocab) for num in nums]
    return a


def _context(a: Analysis, num: Num, vocab: NotationVocab) -> NumberContext:
    c = NumberContext(num)
    toks = a.toks
    if num.date:
        c.excluded = "date"
        return c
    if num.case == "ordinal":
        c.excluded = "ordinal"
    prev = toks[num.first - 1] if num.first > 0 else None
    nxt = toks[num.last + 1] if num.last + 1 < len(toks) else None
    before_mark = prev is not None and prev.end == toks[num.first].start and prev.text in _REFERENCE_MARKS
    after_mark = nxt is not None and nxt.start == toks[num.last].end and nxt.text in _REFERENCE_MARKS
    if (before_mark and prev is not None and prev.text == "/" and num.first >= 2 and toks[num.first - 2].kind == "num") or (
        after_mark and nxt is not None and nxt.text == "/" and num.last + 2 < len(toks) and toks[num.last + 2].kind == "num"
    ):
        c.excluded = c.excluded or "fraction"  # "3/4": a share, which no single number states
    elif before_mark or after_mark:
        c.excluded = c.excluded or "reference"
    if prev is not None and prev.kind == "other" and prev.text == "." and num.first >= 2 and toks[num.first - 2].kind == "num":
        c.excluded = c.excluded or "reference"  # "1.2.3" clause numbers
    window = _window(a, num, 4)
    if num.case == "ablative":
        c.than = True
    elif num.case == "dative":
        c.dative = True
    for k in window:
        role = a.roles[k]
        tok = toks[k]
        if role is None:
            if tok.kind == "pct":
                c.percent = True
                c.percent_word = c.percent_word or tok.text
            elif (tok.kind == "cmp" or (tok.kind == "other" and tok.text in STRAY_SIGNS)) and c.sign_after < 0:
                c.sign_after = k
            elif tok.kind == "word" and k > 0 and toks[k - 1].kind in ("pct", "dash") and tok.text in vocab.endings:
                # "80%-иас", "20%-д": the ending of the percent sign
                case = vocab.endings[tok.text]
                c.than = c.than or case == "ablative"
                c.dative = c.dative or case == "dative"
            elif tok.kind == "word" and _may_compare(tok.text, c.than, vocab):
                c.unknown.append(tok.text)
            continue
        kind = role[0]
        if role_start(a, k):
            c.words.append((a.role_text[k], role))
        if kind == "year" and k == num.last + 1:
            c.excluded = c.excluded or "year"
        elif kind == "reference" and k == num.last + 1:
            c.excluded = c.excluded or "reference"  # "3.1-д заасны дагуу": a clause of a law
        elif (kind == "time" and c.unit is None and not c.percent and (c.than or c.cmp)
              and vocab.case_of(tok.text, min_len=2) in (None, "ablative")):  # fmt: skip
            # "5-аас доошгүй жил ажиллах", "150 минутаас багагүй": a compared count of years or minutes
            # is the target, its time word the unit. In the genitive it qualifies a period instead
            # ("хоёроос доошгүй өдрийн дотор хариу өгсөн байна": a state to reach within a deadline).
            c.unit = a.role_text[k].rstrip("*")
        elif kind in ("time", "rate") and c.unit is None and not c.percent:
            # "7 хоногийн дотор", "2 жилд 1 удаа": the number counts days or years, not the target.
            c.excluded = c.excluded or "time"
        elif kind == "unit" and c.unit is None and not c.percent:
            c.unit = role[1]
            _case_of_unit(c, tok.text, vocab, percent=False)
        elif kind == "percent":
            c.percent = True
            c.percent_word = c.percent_word or tok.text
            _case_of_unit(c, tok.text, vocab, percent=True)
        elif kind == "become":
            c.become = True
        elif kind == "from":
            c.start = True
        elif kind == "cmp" or (kind == "cmp_than" and c.than):
            # "их", "бага", "олон" compare only after a "than" form ("5-аас бага"); elsewhere they are
            # adjectives: "2 бага сургууль" is two primary schools, not "at most 2".
            c.cmp = merge_cmp(c.cmp, role[1])
        elif kind == "relative":
            c.relative = True
        elif kind == "to":
            c.to = True
    # Comparison and percent words written just before the number: "хамгийн багадаа 3", "хувь: 95".
    for k in range(num.first - 1, max(-1, num.first - 4), -1):
        meaning = a.before[k]
        if meaning is not None:
            c.cmp = merge_cmp(c.cmp, meaning[1])
        elif toks[k].kind in ("word", "num", "date"):
            if toks[k].kind == "word" and a.roles[k] is None and _may_compare(toks[k].text, False, vocab):
                c.unknown.append(toks[k].text)  # "хэтрүүлэхгүй 5": a limiting verb before the number
            break
    if num.case == "genitive" and not num.word and not (c.unit or c.percent or c.cmp):
        c.excluded = c.excluded or "date"  # "5-ны дотор", "25-ны өдөр": a day of the month
    if num.first > 0 and not (c.unit or c.percent or c.cmp):
        role = a.roles[num.first - 1]
        if role is not None and role[0] in ("time", "year", "rate") and vocab.case_of(toks[num.first - 1].text, min_len=2) == "genitive":
            c.excluded = c.excluded or "date"  # "05 сарын 15", "2026 оны 3": a day or month of a date
    if (num.case == "dative" and not num.word and num.high is None and "." in toks[num.first].text
            and not (c.unit or c.percent or c.cmp or c.to or a.has_role("reduce") or a.has_role("increase"))):  # fmt: skip
        c.excluded = c.excluded or "reference"  # "4.2-т": a clause number; "to 4.2" would say raise or reduce
    if num.value is not None and not num.word and num.high is None and num.value.is_integer():
        c.year_like = 1900 <= num.value <= 2100 and len(num.text) == 4
    if num.word and not (num.compound or num.case in ("ablative", "ordinal") or c.unit or c.percent or c.cmp):
        only = all(k in range(num.first, num.last + 1) or t.kind not in ("word", "num") for k, t in enumerate(toks))
        if not only:
            c.excluded = c.excluded or "weak-word"
    return c


def _may_compare(word: str, than: bool, vocab: NotationVocab) -> bool:
    """A verb's "will not" ("хэтрүүлэхгүй", "хүргэхгүй", "давуулахгүй"): very likely a limit on the number
    when no list knows it. After a "than" form every unknown negation is taken so ("5-аас доогуургүй"); a
    noun with "-гүй" elsewhere is "without" ("алдаагүй" = error-free) and is not."""
    return word.endswith(vocab.verb_negation_endings) or (than and word.endswith(vocab.negation_endings))


def _case_of_unit(c: NumberContext, word: str, vocab: NotationVocab, *, percent: bool) -> None:
    """The case a unit or percent word carries: "хувиас", "удаагаас" are "than" forms, "хувьд" is "to".
    A one-letter ending counts only when what stands before it is itself the word ("хувь" + "д"): the
    "т" of "процент" and the "д" of "иргэд" (a plural) are no endings."""
    case = vocab.case_of(word, min_len=2)
    if case is None and len(word) > 2:
        stem = vocab.target.match([word[:-1]], 0)
        if stem is not None and stem.meaning[0] == ("percent" if percent else "unit"):
            case = vocab.endings.get(word[-1])
    if case == "ablative":
        c.than = True
    elif case == "dative":
        c.dative = True


def role_start(a: Analysis, k: int) -> bool:
    return k == 0 or a.roles[k - 1] is not a.roles[k] or a.role_text[k - 1] != a.role_text[k]


def merge_cmp(current: str | None, new: str) -> str:
    if current is None or current == new:
        return new
    return "conflict"
