"""Every word the program writes for its user, by key, in Mongolian and English: one catalogue, one render.

The catalogue is the YAML files beside this module (shipped as package data): `problems.yaml` holds the
problems (a public code, its severity, its message; key `problem.<code>`), every other file holds messages and
labels under the file's name (`cli.yaml` → `cli.validate.summary`), nested keys joined by dots. A leaf is a
mapping with `mn` and `en` templates; both name the same parameters (tests/test_words.py checks it).

Text is rendered at the edge with `say(key, lang, **params)`. Parameters are plain values, or `Text` (a key and
its parameters, rendered in the same language: how readings and problems carry a sentence without writing it),
or a list of `Text`, joined by "; ". A parameter missing from the call renders as empty text, so a template never
raises. English counts agree with their number: `{files} {files:file|files}` writes "1 file", "2 files".

Quoting: text that comes from a template cell is quoted in `backticks` inside a message (Mongolian renders them
as «guillemets», English keeps them), so that English output can be checked for Cyrillic outside quoted text.
"""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any, Literal

import yaml

Lang = Literal["mn", "en"]
LANGS: tuple[Lang, ...] = ("mn", "en")
PROBLEM_PREFIX = "problem."


@dataclass(frozen=True, slots=True)
class Word:
    """One catalogue entry: its templates and, for a problem, its severity."""

    mn: str
    en: str
    severity: str = ""

    def template(self, lang: Lang) -> str:
        return self.en if lang == "en" else self.mn


class WordsError(KeyError):
    """A key the catalogue does not hold: a programming mistake, found by the tests."""


def _leaves(prefix: str, node: Any, out: dict[str, Word], source: str) -> None:
    if isinstance(node, dict) and "mn" in node and "en" in node:
        unknown = set(node) - {"mn", "en", "severity"}
        if unknown or not isinstance(node["mn"], str) or not isinstance(node["en"], str):
            raise ValueError(f"{source}: {prefix}: a word is `mn`, `en` (text) and optionally `severity`")
        if prefix in out:
            raise ValueError(f"{source}: {prefix} is defined twice")
        out[prefix] = Word(node["mn"], node["en"], str(node.get("severity", "")))
        return
    if not isinstance(node, dict):
        raise ValueError(f"{source}: {prefix}: expected a mapping of keys or a word with `mn` and `en`")
    for key, child in node.items():
        if not isinstance(key, str):  # `yes:`, `no:` are booleans in YAML: such a key is written in quotes
            raise ValueError(f"{source}: {prefix}: the key {key!r} is not text; write it in quotes")
        _leaves(f"{prefix}.{key}" if prefix else str(key), child, out, source)


@functools.cache
def catalogue() -> Mapping[str, Word]:
    """The whole catalogue, read once from the package's YAML files."""
    out: dict[str, Word] = {}
    folder = resources.files(__name__)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".yaml"):
            continue
        stem = entry.name[: -len(".yaml")]
        data = yaml.load(entry.read_text(encoding="utf-8"), Loader=loader) or {}
        prefix = "problem" if stem == "problems" else stem
        _leaves(prefix, data, out, entry.name)
    return out


def word(key: str) -> Word:
    try:
        return catalogue()[key]
    except KeyError:
        raise WordsError(f"no word {key!r} in the catalogue (pipeline/words/*.yaml)") from None


@dataclass(frozen=True, slots=True)
class Text:
    """A sentence not yet written: a catalogue key and its parameters, rendered in the reader's language."""

    key: str
    params: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of(cls, key: str, **params: Any) -> Text:
        word(key)  # an unknown key fails where the text is made, not where it is shown
        return cls(key, tuple(params.items()))

    def render(self, lang: Lang | str) -> str:
        return say(self.key, lang, **dict(self.params))

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "params": {k: _param_json(v) for k, v in self.params}}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Text:
        params = data.get("params") or {}
        return cls(str(data["key"]), tuple((str(k), _param_of(v)) for k, v in params.items()))


@dataclass(frozen=True, slots=True)
class Phrase:
    """A phrase a reading assembled in both languages (the notation's reasons, which hold the cell's text).
    A step on the way to `Text`: rendered the same way, stored as its two texts."""

    mn: str
    en: str

    def render(self, lang: Lang) -> str:
        return self.en if lang == "en" else self.mn

    def to_json(self) -> dict[str, Any]:
        return {"mn": self.mn, "en": self.en}


Said = Text | Phrase


class Noted:
    """A notation reading's two notes, rendered from its `said` (a catalogue key and its parameters): the
    readers' dataclasses (timeframe, target, achieved value) share them."""

    __slots__ = ()
    said: Text

    @property
    def note(self) -> str:
        return self.said.render("en")

    @property
    def note_mn(self) -> str:
        return self.said.render("mn")


def said_of(data: Mapping[str, Any]) -> Said:
    return Phrase(str(data["mn"]), str(data["en"])) if "key" not in data else Text.from_json(data)


def _param_json(value: Any) -> Any:
    if isinstance(value, Text | Phrase):
        return value.to_json()
    if isinstance(value, list | tuple):
        return [_param_json(v) for v in value]
    return value


def _param_of(value: Any) -> Any:
    if isinstance(value, dict) and ("key" in value or "mn" in value):
        return said_of(value)
    if isinstance(value, list):
        return tuple(_param_of(v) for v in value)
    return value


class _Formatter(string.Formatter):
    """`str.format` with missing parameters as empty text and `{n:one|other}` for English counts."""

    def get_value(self, key: int | str, args: Any, kwargs: Mapping[str, Any]) -> Any:
        if isinstance(key, int):
            return args[key] if key < len(args) else ""
        return kwargs.get(key, "")

    def format_field(self, value: Any, format_spec: str) -> str:
        if "|" in format_spec:
            one, _, other = format_spec.partition("|")
            try:
                return one if float(value) == 1 else other
            except (TypeError, ValueError):
                return other
        return super().format_field(value, format_spec)


_FORMATTER = _Formatter()


def _rendered(value: Any, lang: Lang) -> Any:
    if isinstance(value, Text | Phrase):
        return value.render(lang)
    if isinstance(value, list | tuple) and value and all(isinstance(v, Text | Phrase) for v in value):
        return "; ".join(v.render(lang) for v in value)
    return value


def render_template(template: str, lang: Lang, params: Mapping[str, Any]) -> str:
    return _FORMATTER.vformat(template, (), {k: _rendered(v, lang) for k, v in params.items()})


def say(key: str, lang: Lang | str, /, **params: Any) -> str:
    """The catalogue's text for `key` in `lang` (anything but "en" is Mongolian), its parameters filled in."""
    language = lang_of(lang)
    return render_template(word(key).template(language), language, params)


def both(key: str, /, sep: str = "\n", **params: Any) -> str:
    """Mongolian, then English on the next line: for what is printed where no `--lang` was chosen. An error message
    that must stay one line (a click parameter error, a line of a log) joins them with `sep=" / "`."""
    return say(key, "mn", **params) + sep + say(key, "en", **params)


def lang_of(value: str | None) -> Lang:
    return "en" if value == "en" else "mn"


def fields(template: str) -> set[str]:
    """The parameter names a template uses (the test compares them between the two languages)."""
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(template) if name}


def keys(prefix: str) -> Iterable[str]:
    return [k for k in catalogue() if k.startswith(prefix)]


_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_QUOTED_TEXT = re.compile(r"«[^»]*»|\"[^\"]*\"|`[^`]*`")


def english_half(text: str) -> str:
    """The English half of a "Монгол / English" text (how details were written before they became `Text`, and
    still are in problems stored then); a text with no such halves is kept as it is (a file name, a cell's text)."""
    if not _CYRILLIC.search(_QUOTED_TEXT.sub("", text)) or " / " not in text:
        return text
    halves = text.split(" / ")
    if len(halves) == 2 and len(halves[1].split()) <= 2:  # one word in both languages: "1,200 нүд / cells"
        head = re.sub(r"[\u0400-\u04ff]+(?:\s+[\u0400-\u04ff]+)*\s*$", "", halves[0]).rstrip()
        return f"{head} {halves[1]}".strip()
    for index in range(1, len(halves)):
        tail = " / ".join(halves[index:])
        if not _CYRILLIC.search(_QUOTED_TEXT.sub("", tail)):
            return tail
    return halves[-1]


def pair(key: str, /, **params: Any) -> tuple[str, str]:
    """(Mongolian, English) of a key: for tables indexed by `[lang == "en"]`."""
    return say(key, "mn", **params), say(key, "en", **params)


def table(prefix: str) -> dict[str, tuple[str, str]]:
    """A section of the catalogue as (Mongolian, English) templates by key (unrendered, in the file's order): for
    tables that older code indexes by language."""
    start = prefix.rstrip(".") + "."
    return {key.removeprefix(start): (w.mn, w.en) for key, w in catalogue().items() if key.startswith(start)}
