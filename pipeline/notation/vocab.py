"""The notation vocabularies (`mappings/notation.yaml`): loaded once, validated, compiled into lookup tables.

Every word the readers know comes from the file, so a specialist adds a new way of writing "not less
than" or a new status word without touching code. Mistakes are collected with their dotted key and
raised together as one `ConfigError` before any cell is read.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.errors import ConfigError, ConfigIssue
from pipeline.notation.schema import notation_model
from pipeline.schema import read_yaml, validate_model

STATUS_KEYS = ("done", "in_progress", "insufficient", "not_done", "not_due", "not_evaluated")
CASES = ("ordinal", "ablative", "dative", "genitive", "instrumental", "accusative", "comitative")
CONFIDENCES = ("exact", "interpreted")

TOP_KEYS = (
    "number_words", "endings", "timeframe", "target", "units", "status_words", "status_trailing_words", "status_marks",
    "status_partial_words", "ordinal_stems", "abbreviations",
)  # fmt: skip
TIMEFRAME_KEYS = (
    "quarter_words", "month_words", "half_year_words", "year_words", "day_words", "until_words",
    "onward_words", "list_words", "duration_words", "count_words", "filler_words", "first_words", "last_words",
    "before_words", "phrases", "clock_words", "weekday_words", "negation_words",
)  # fmt: skip
_TF_OPTIONAL = ("filler_words", "duration_words", "count_words", "first_words", "last_words", "before_words", "clock_words",
                "weekday_words", "negation_words")  # fmt: skip
TARGET_KEYS = (
    "at_least", "at_least_before", "at_most", "at_most_before", "reduce", "increase", "to", "relative",
    "percent_words", "label_words", "time_words", "year_words", "done_state_words", "done_state_endings",
    "done_words", "reference_words", "rate_words", "from_words", "become", "at_least_after_than", "at_most_after_than",
    "about_words", "verb_endings", "negation_endings", "verb_negation_endings", "plan_words",
)  # fmt: skip
_TG_OPTIONAL = ("done_words", "reference_words", "rate_words", "from_words", "become", "at_least_after_than", "at_most_after_than",
                "about_words", "verb_endings", "negation_endings", "verb_negation_endings", "plan_words")  # fmt: skip

NOTATION_MODEL = notation_model(TOP_KEYS, TIMEFRAME_KEYS, _TF_OPTIONAL, TARGET_KEYS, _TG_OPTIONAL, CASES, STATUS_KEYS)

# Timeframe list -> the meaning its words carry in the timeframe table.
_TF_ROLES = {
    "quarter_words": ("unit", "quarter"),
    "month_words": ("unit", "month"),
    "half_year_words": ("unit", "half"),
    "year_words": ("unit", "year"),
    "day_words": ("unit", "day"),
    "until_words": ("until", ""),
    "onward_words": ("onward", ""),
    "list_words": ("list", ""),
    "duration_words": ("duration", ""),
    "count_words": ("unit", "count"),
    "filler_words": ("filler", ""),
    "first_words": ("first", ""),
    "last_words": ("last", ""),
    "before_words": ("before", ""),
    "clock_words": ("unit", "clock"),
    "weekday_words": ("filler", ""),
    "negation_words": ("negation", ""),
}
# Target list -> meaning in the table of words read after (or around) a number.
_TG_ROLES = {
    "at_least": ("cmp", ">="),
    "at_most": ("cmp", "<="),
    "at_least_after_than": ("cmp_than", ">="),
    "at_most_after_than": ("cmp_than", "<="),
    "reduce": ("reduce", ""),
    "increase": ("increase", ""),
    "to": ("to", ""),
    "relative": ("relative", ""),
    "percent_words": ("percent", "%"),
    "label_words": ("label", ""),
    "time_words": ("time", ""),
    "year_words": ("year", ""),
    "done_state_words": ("done_state", ""),
    "done_words": ("done_word", ""),
    "reference_words": ("reference", ""),
    "rate_words": ("rate", ""),
    "from_words": ("from", ""),
    "become": ("become", ""),
    "about_words": ("about", ""),
    "plan_words": ("plan", ""),
}
_TG_BEFORE_ROLES = {"at_least_before": ("cmp", ">="), "at_most_before": ("cmp", "<=")}

Meaning = tuple[str, str]

# Every dash a hand-typed cell may hold reads as "-"; "~" is used for ranges in some templates.
DASH_CHARS = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\ufe58\ufe63\uff0d"  # read as "-" everywhere
TILDES = "~\u301c"  # a dash in a timeframe ("II улирал~IV улирал"), "about" before a target or achieved number
_DASH_TABLE = str.maketrans({c: "-" for c in DASH_CHARS + TILDES})
# Splits a folded vocabulary entry the way the readers' lexers split a cell.
_ENTRY_TOKEN = re.compile(r"\d+|[^\W\d_]+|[<>]=|\S")


_DASH_FOUND = re.compile(f"[{re.escape(DASH_CHARS + TILDES)}]")


def fold(text: str) -> str:
    """Case- and dash-insensitive form of a text, under which cells and vocabulary are compared."""
    folded = unicodedata.normalize("NFC", text).casefold()
    # translate() walks a text of Cyrillic a character at a time: only a text with a dash to replace needs it.
    return folded.translate(_DASH_TABLE) if _DASH_FOUND.search(folded) else folded


def split_entry(text: str) -> tuple[tuple[str, ...], tuple[bool, ...]]:
    """The token texts of a vocabulary entry, and for each whether it is a prefix ("улирал*")."""
    words: list[str] = []
    stems: list[bool] = []
    for chunk in fold(text).split():
        stem = chunk.endswith("*") and len(chunk) > 1
        if stem:
            chunk = chunk.rstrip("*")
        parts = _ENTRY_TOKEN.findall(chunk)
        for index, part in enumerate(parts):
            words.append(part)
            stems.append(stem and index == len(parts) - 1)
    return tuple(words), tuple(stems)


@dataclass(frozen=True, slots=True)
class Phrase:
    """One vocabulary entry: its token texts, which of them are prefixes, what it means, where it is."""

    words: tuple[str, ...]
    stems: tuple[bool, ...]
    meaning: Meaning
    text: str
    key: str

    def matches(self, texts: Sequence[str], start: int) -> bool:
        if start + len(self.words) > len(texts):
            return False
        for offset, word in enumerate(self.words):
            token = texts[start + offset]
            if self.stems[offset]:
                if not token.startswith(word):
                    return False
            elif token != word:
                return False
        return True


class PhraseTable:
    """Longest-match lookup of (multi-)word entries over a list of token texts."""

    __slots__ = ("_by_first", "_stem_first", "phrases")

    def __init__(self, phrases: Iterable[Phrase]):
        self.phrases = tuple(phrases)
        by_first: dict[str, list[Phrase]] = {}
        stem_first: list[Phrase] = []
        for phrase in self.phrases:
            if phrase.stems[0]:
                stem_first.append(phrase)
            else:
                by_first.setdefault(phrase.words[0], []).append(phrase)
        self._by_first = {k: tuple(sorted(v, key=lambda p: -len(p.words))) for k, v in by_first.items()}
        # Prefix entries indexed by their first character, so a cell's word is tried against few of them.
        stem_index: dict[str, list[Phrase]] = {}
        for phrase in sorted(stem_first, key=lambda p: (-len(p.words), -len(p.words[0]))):
            stem_index.setdefault(phrase.words[0][:1], []).append(phrase)
        self._stem_first = {k: tuple(v) for k, v in stem_index.items()}

    def match(self, texts: Sequence[str], start: int) -> Phrase | None:
        token = texts[start]
        best: Phrase | None = None
        for phrase in self._by_first.get(token, ()):
            if phrase.matches(texts, start):
                best = phrase
                break
        for phrase in self._stem_first.get(token[:1], ()):
            if (best is None or len(phrase.words) > len(best.words)) and phrase.matches(texts, start):
                best = phrase
                break
        return best


@dataclass(frozen=True, slots=True)
class PhraseGroup:
    """A timeframe phrase group: the quarters its phrases stand for and how sure that reading is."""

    name: str
    quarters: tuple[int, ...]
    confidence: str
    qualifier: bool = False  # "Жил бүрийн": gives way to a period written beside it


@dataclass(frozen=True, slots=True, eq=False)  # compared and hashed by identity: usable as a cache key
class NotationVocab:
    """The compiled vocabularies. Readers receive this; they never see YAML."""

    path: str
    number_words: Mapping[str, int]  # folded form -> value
    ordinal_suffixes: tuple[str, ...]  # endings that make "хоёр" + "дугаар" an ordinal, longest first
    endings: Mapping[str, str]  # folded ending -> case
    timeframe: PhraseTable
    phrase_groups: Mapping[str, PhraseGroup]
    target: PhraseTable  # words read after (and around) a number
    target_before: PhraseTable  # comparison words written before a number
    status: PhraseTable  # meaning ("status", key) for words, ("status_mark", key) for marks read only as a whole cell
    done_state_endings: tuple[str, ...]
    verb_endings: tuple[str, ...] = ()  # "хойшлогдов", "зохион байгуулжээ": a verb, by its ending
    negation_endings: tuple[str, ...] = ()  # "-гүй": "not", "without"
    verb_negation_endings: tuple[str, ...] = ()  # "-хгүй": a verb's "will not" ("хэтрүүлэхгүй")
    status_trailing: frozenset[str] = frozenset()  # "байна" after a status word leaves it unchanged
    status_partial: frozenset[str] = frozenset()  # "хагас" before a "done" word makes it partial
    ordinal_stems: Mapping[str, int] = field(default_factory=dict)  # "дол" + "дугаар": stems seen only before an ordinal ending
    abbreviations: tuple[tuple[re.Pattern[str], str], ...] = ()  # "7х" -> "7 хоног", applied to folded text

    def expand(self, folded: str) -> str:
        """A folded text with its abbreviations written out ("7х бүр" -> "7 хоног бүр")."""
        for pattern, full in self.abbreviations:
            folded = pattern.sub(full, folded)
        return folded

    def case_of(self, word: str, *, min_len: int = 1) -> str | None:
        """The case of a word by its longest known ending ("хоёроос" -> ablative)."""
        for size in range(min(len(word) - 1, 6), min_len - 1, -1):
            case = self.endings.get(word[-size:])
            if case is not None:
                return case
        return None


class _Builder:
    """Collects the entries of one lookup table and reports a word given two meanings."""

    def __init__(self, file: str, issues: list[ConfigIssue], table: str):
        self.file = file
        self.issues = issues
        self.table = table
        self.seen: dict[tuple[tuple[str, ...], tuple[bool, ...]], Phrase] = {}

    def add(self, text: str, meaning: Meaning, key: str) -> None:
        words, stems = split_entry(text)
        if not words:
            self.issues.append(ConfigIssue(self.file, key, "үсэг, тоо агуулаагүй / has no letters or digits"))
            return
        signature = (words, stems)
        previous = self.seen.get(signature)
        if previous is None:
            self.seen[signature] = Phrase(words, stems, meaning, text, key)
        elif previous.meaning != meaning:
            self.issues.append(
                ConfigIssue(
                    self.file,
                    key,
                    f'"{text}" нь {previous.key}-д өөр утгатай бичигдсэн байна / '
                    f"already listed with another meaning at {previous.key}",
                )
            )

    def table_(self) -> PhraseTable:
        return PhraseTable(self.seen.values())


class _Reader:
    """Typed access to the parsed YAML that records every mistake with its dotted key."""

    def __init__(self, file: str, issues: list[ConfigIssue]):
        self.file = file
        self.issues = issues

    def fail(self, key: str, message: str) -> None:
        self.issues.append(ConfigIssue(self.file, key or "(файл)", message))

    def mapping(self, node: Any, key: str, *, required: bool = True) -> dict[Any, Any]:
        if node is None:
            if required:
                self.fail(key, "заавал байх хэсэг алга / required section is missing")
            return {}
        if not isinstance(node, dict):
            self.fail(key, f"түлхүүр: утга хэлбэртэй байх ёстой / must be a mapping, got {type(node).__name__}")
            return {}
        return node

    def strings(self, node: Any, key: str, *, required: bool = True) -> list[tuple[str, str]]:
        """(text, dotted key) of each item of a list of words."""
        if node is None:
            if required:
                self.fail(key, "заавал байх жагсаалт алга / required list is missing")
            return []
        if not isinstance(node, list):
            self.fail(key, f"жагсаалт байх ёстой / must be a list, got {type(node).__name__}")
            return []
        out: list[tuple[str, str]] = []
        for index, item in enumerate(node):
            where = f"{key}[{index}]"
            if isinstance(item, bool) or not isinstance(item, (str, int, float)):
                self.fail(where, f"хоосон биш текст байх ёстой / must be text, got {item!r}")
            elif isinstance(item, str) and not item.strip():
                self.fail(where, "хоосон текст / empty text")
            else:
                out.append((str(item), where))
        return out


def _number_value(name: Any) -> int | None:
    if isinstance(name, bool):
        return None
    if isinstance(name, int):
        return name if name >= 0 else None
    if isinstance(name, float) and name.is_integer() and name >= 0:
        return int(name)
    if isinstance(name, str) and name.strip().isdigit():
        return int(name.strip())
    return None


def _endings(r: _Reader, node: Any, key: str, *, required: bool) -> list[str]:
    """A list of word endings, letters only ("сан", "-жээ")."""
    out: list[str] = []
    for text, where in r.strings(node, key, required=required):
        word = fold(text).strip().lstrip("-")
        if not word.isalpha():
            r.fail(where, f'"{text}": үсгээр бичсэн нөхцөл байх ёстой / must be letters only')
        else:
            out.append(word)
    return out


def _number_table(r: _Reader, node: Mapping[Any, Any], section: str, seen: dict[str, int], keys: dict[str, str],
                  *, into: dict[str, int] | None = None) -> None:  # fmt: skip
    """Read a `value: [forms]` table of single words into `into` (default `seen`), each word one value."""
    out = seen if into is None else into
    for name, forms in node.items():
        where = f"{section}.{name}"
        value = _number_value(name)
        if value is None:
            r.fail(where, f"тоон утга байх ёстой / the key must be a whole number, got {name!r}")
            continue
        for text, key in r.strings(forms, where):
            words, _ = split_entry(text)
            if len(words) != 1 or not words[0].isalpha():
                r.fail(key, f'"{text}": нэг үг байх ёстой / must be a single word')
                continue
            word = words[0]
            if word in seen and seen[word] != value:
                r.fail(key, f'"{text}" нь {keys[word]}-д өөр утгатай / already means {seen[word]} at {keys[word]}')
                continue
            seen[word] = value
            out[word] = value
            keys[word] = key


def load_vocab(path: str | Path) -> NotationVocab:
    """Load and validate `notation.yaml`; raise ConfigError listing every mistake."""
    file = str(path)
    issues: list[ConfigIssue] = []
    r = _Reader(file, issues)
    # The shape first, by the schema (unknown keys with the nearest valid one, types, a key written twice);
    # what the words mean is checked below, while the vocabulary is built.
    data: Any = read_yaml(Path(path), issues)
    if data is None and issues:
        raise ConfigError(issues)  # not readable as YAML at all
    validate_model(data, NOTATION_MODEL, Path(path), issues)
    shape = len(issues)
    root = r.mapping(data, "")

    # Number words, then the stems a number takes only before an ordinal ending ("дол" in "долдугаар"),
    # never read alone; a stem may not give a word of `number_words` another value.
    numbers: dict[str, int] = {}
    number_keys: dict[str, str] = {}
    _number_table(r, r.mapping(root.get("number_words"), "number_words"), "number_words", numbers, number_keys)
    ordinal_stems: dict[str, int] = {}
    stem_keys = dict(number_keys)
    _number_table(r, r.mapping(root.get("ordinal_stems"), "ordinal_stems", required=False), "ordinal_stems",
                  {**numbers}, stem_keys, into=ordinal_stems)  # fmt: skip

    # Abbreviations: a written short form -> the words it stands for, matched as a whole word.
    abbreviations: list[tuple[re.Pattern[str], str]] = []
    for short, full in r.mapping(root.get("abbreviations"), "abbreviations", required=False).items():
        where = f"abbreviations.{short}"
        if not isinstance(short, str) or not short.strip() or not isinstance(full, str) or not full.strip():
            r.fail(where, "товчлол, бүтэн хэлбэр хоёулаа текст байх ёстой / the short and the full form must be text")
            continue
        pattern = re.compile(rf"(?<![^\W_]){re.escape(fold(short.strip()))}(?![^\W_])")
        abbreviations.append((pattern, fold(full.strip())))

    # Endings.
    endings: dict[str, str] = {}
    ending_keys: dict[str, str] = {}
    endings_node = r.mapping(root.get("endings"), "endings")
    for case, forms in endings_node.items():
        if case not in CASES:
            continue
        for text, key in r.strings(forms, f"endings.{case}"):
            word = fold(text).strip().lstrip("-").strip()
            if not word.isalpha():
                r.fail(key, f'"{text}": үсгээр бичсэн нөхцөл байх ёстой / must be letters only')
                continue
            if word in endings and endings[word] != case:
                r.fail(key, f'"{text}" нь {ending_keys[word]}-д өөр тийн ялгалтай / already a {endings[word]} ending')
                continue
            endings[word] = case
            ending_keys[word] = key
    ordinal_suffixes = tuple(sorted((e for e, c in endings.items() if c == "ordinal" and len(e) >= 3), key=len, reverse=True))

    # Timeframe.
    tf = _Builder(file, issues, "timeframe")
    groups: dict[str, PhraseGroup] = {}
    tf_node = r.mapping(root.get("timeframe"), "timeframe")
    for list_name, meaning in _TF_ROLES.items():
        where = f"timeframe.{list_name}"
        for text, key in r.strings(tf_node.get(list_name), where, required=list_name not in _TF_OPTIONAL):
            tf.add(text, meaning, key)
    phrases_node = r.mapping(tf_node.get("phrases"), "timeframe.phrases")
    for group_name, spec in phrases_node.items():
        where = f"timeframe.phrases.{group_name}"
        spec = r.mapping(spec, where)
        if not spec:
            continue
        quarters_node = spec.get("quarters")
        quarters: tuple[int, ...] = ()
        if not isinstance(quarters_node, list) or not quarters_node:
            r.fail(f"{where}.quarters", "1-4 хүртэлх улирлын жагсаалт байх ёстой / must be a list of quarters 1-4")
        else:
            good = True
            for index, q in enumerate(quarters_node):
                if isinstance(q, bool) or not isinstance(q, int) or not 1 <= q <= 4:
                    r.fail(f"{where}.quarters[{index}]", f"1-4 хүртэлх тоо байх ёстой / must be a quarter 1-4, got {q!r}")
                    good = False
            if good:
                quarters = tuple(sorted(set(quarters_node)))
        confidence = spec.get("confidence", "exact")
        if confidence not in CONFIDENCES:
            r.fail(f"{where}.confidence", f"exact эсвэл interpreted байх ёстой / must be one of {', '.join(CONFIDENCES)}")
            confidence = "interpreted"
        qualifier = spec.get("qualifier", False)
        if not isinstance(qualifier, bool):
            r.fail(f"{where}.qualifier", "true эсвэл false байх ёстой / must be true or false")
            qualifier = False
        name = str(group_name)
        groups[name] = PhraseGroup(name, quarters, str(confidence), qualifier)
        for text, key in r.strings(spec.get("words"), f"{where}.words"):
            tf.add(text, ("phrase", name), key)

    # Target and achieved values.
    tg = _Builder(file, issues, "target")
    before = _Builder(file, issues, "target_before")
    tg_node = r.mapping(root.get("target"), "target")
    for list_name, meaning in _TG_ROLES.items():
        for text, key in r.strings(tg_node.get(list_name), f"target.{list_name}", required=list_name not in _TG_OPTIONAL):
            tg.add(text, meaning, key)
    for list_name, meaning in _TG_BEFORE_ROLES.items():
        for text, key in r.strings(tg_node.get(list_name), f"target.{list_name}", required=False):
            before.add(text, meaning, key)
    done_endings = _endings(r, tg_node.get("done_state_endings"), "target.done_state_endings", required=True)
    verb_endings = _endings(r, tg_node.get("verb_endings"), "target.verb_endings", required=False)
    negation_endings = _endings(r, tg_node.get("negation_endings"), "target.negation_endings", required=False)
    verb_negations = _endings(r, tg_node.get("verb_negation_endings"), "target.verb_negation_endings", required=False)
    units_node = r.mapping(root.get("units"), "units")
    for unit, forms in units_node.items():
        where = f"units.{unit}"
        if not isinstance(unit, str) or not unit.strip():
            r.fail(where, "нэгжийн нэр текст байх ёстой / the unit name must be text")
            continue
        canonical = unicodedata.normalize("NFC", unit.strip())
        tg.add(canonical, ("unit", canonical), where)
        for text, key in r.strings(forms, where):
            tg.add(text, ("unit", canonical), key)

    # Status words.
    st = _Builder(file, issues, "status_words")
    status_node = r.mapping(root.get("status_words"), "status_words")
    for status, words in status_node.items():
        where = f"status_words.{status}"
        if status not in STATUS_KEYS:
            r.fail(where, f"үл мэдэгдэх төлөв / unknown status; known: {', '.join(STATUS_KEYS)}")
            continue
        for text, key in r.strings(words, where):
            st.add(text, ("status", status), key)
    marks_node = r.mapping(root.get("status_marks"), "status_marks", required=False)
    for status, words in marks_node.items():
        where = f"status_marks.{status}"
        if status not in STATUS_KEYS:
            r.fail(where, f"үл мэдэгдэх төлөв / unknown status; known: {', '.join(STATUS_KEYS)}")
            continue
        for text, key in r.strings(words, where):
            st.add(text, ("status_mark", status), key)
    trailing: set[str] = set()
    for text, key in r.strings(root.get("status_trailing_words"), "status_trailing_words", required=False):
        words, _ = split_entry(text)
        if len(words) != 1 or not words[0].isalpha():
            r.fail(key, f'"{text}": нэг үг байх ёстой / must be a single word')
        else:
            trailing.add(words[0])
    partial: set[str] = set()
    for text, key in r.strings(root.get("status_partial_words"), "status_partial_words", required=False):
        words, _ = split_entry(text)
        if len(words) != 1 or not words[0].isalpha():
            r.fail(key, f'"{text}": нэг үг байх ёстой / must be a single word')
        else:
            partial.add(words[0])

    if issues:
        # The builder, which tolerates a wrong shape, says again some of what the schema said: one issue per key,
        # the schema's first (it names the nearest valid key).
        keys = {issue.key for issue in issues[:shape]}
        raise ConfigError([*issues[:shape], *(issue for issue in issues[shape:] if issue.key not in keys)])
    return NotationVocab(
        path=file,
        number_words=numbers,
        ordinal_suffixes=ordinal_suffixes,
        endings=endings,
        timeframe=tf.table_(),
        phrase_groups=groups,
        target=tg.table_(),
        target_before=before.table_(),
        status=st.table_(),
        done_state_endings=tuple(sorted(set(done_endings), key=len, reverse=True)),
        verb_endings=tuple(sorted(set(verb_endings) | set(done_endings), key=len, reverse=True)),
        negation_endings=tuple(negation_endings),
        verb_negation_endings=tuple(verb_negations),
        status_trailing=frozenset(trailing),
        status_partial=frozenset(partial),
        ordinal_stems=dict(ordinal_stems),  # a plain dict: the vocabulary is sent to spawned reader workers by pickle
        abbreviations=tuple(abbreviations),
    )
