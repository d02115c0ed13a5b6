"""YAML files in `mappings/` checked against pydantic models: every mistake a plain `ConfigIssue`.

A file's shape is a pydantic model derived from `Schema` (unknown keys refused, frozen, strict types: a
number is never read from text, a bool never counts as a number). `load_yaml_model(path, Model, issues)`
reads the file safely and validates it; each pydantic error becomes `ConfigIssue(file, dotted key, message)`
with a bilingual message (Mongolian, then English) and, for an unknown key, the nearest valid one:

    mappings/methodology.yaml: late_penalty_per_dya: үл мэдэгдэх түлхүүр / unknown key; did you mean "late_penalty_per_day"?

Checks that need more than a type are validators on the models. A validator raises `Invalid(message)` for
the value it checks, or `Invalid(at=[(("titles", 2), message), ...])` for places inside it; every one of
them is reported at its full dotted key ("fields.goal.titles[2]").

Reading is safe (`yaml.SafeLoader`), and refuses what YAML would silently get wrong: a key listed twice
(the first would be dropped) and an unquoted yes/no/on/off/true/false as a key (it would be read as a bool).
"""

from __future__ import annotations

import datetime as dt
import difflib
import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar, Union

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Strict, ValidationError
from pydantic_core import ErrorDetails

from pipeline.errors import ConfigError, ConfigIssue
from pipeline.words import both

FILE_KEY = "(файл)"  # the key of a mistake that concerns the whole file

Loc = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)


class Schema(BaseModel):
    """Base of every mappings model: unknown keys are mistakes, values are read as written, never changed."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Invalid(ValueError):
    """Raised by a validator: a message for the value checked, and/or messages for places inside it."""

    def __init__(self, message: str = "", *, at: Iterable[tuple[Loc, str]] = ()):
        self.problems: list[tuple[Loc, str]] = ([((), message)] if message else []) + list(at)
        super().__init__("; ".join(text for _, text in self.problems))


def raise_problems(problems: Sequence[tuple[Loc, str]]) -> None:
    """Raise `Invalid` with the problems a validator collected, if there are any."""
    if problems:
        raise Invalid(at=problems)


def _stripped_text(value: str) -> str:
    value = value.strip()
    if not value:
        raise Invalid(both("messages.schema.must_not_empty", sep=" / "))
    return value


# Text that must say something; surrounding spaces are dropped.
Text = Annotated[str, AfterValidator(_stripped_text)]
# Text that may be empty; surrounding spaces are dropped.
AnyText = Annotated[str, AfterValidator(str.strip)]
T = TypeVar("T")
# A YAML list, kept as a tuple (the models are frozen); its items are as strict as any value.
Items = Annotated[tuple[T, ...], Strict(False)]


# --- reading ---------------------------------------------------------------------------------------------
class _Node(dict[Any, Any]):
    """A YAML mapping as read, with what YAML would have got wrong in it."""

    def __init__(self) -> None:
        super().__init__()
        self.bool_keys: list[tuple[str, int]] = []  # (the key as written, line)
        self.twice: list[tuple[Any, int]] = []  # (key, line of the repeat)


class _Loader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> Iterable[_Node]:
    data = _Node()
    yield data
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if isinstance(key, bool) and isinstance(key_node, yaml.ScalarNode) and not key_node.style:
            key = key_node.value  # `no:` is the word the writer meant; it is still reported below
            data.bool_keys.append((key, line))
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(None, None, "a key cannot be a list or a mapping", key_node.start_mark) from None
        if key in data:
            data.twice.append((key, line))
        data[key] = loader.construct_object(value_node, deep=True)


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)


def _plain(data: Any, loc: Loc, report: list[tuple[Loc, str]]) -> Any:
    """The data as plain dicts and lists, reporting repeated and boolean keys at their place."""
    if isinstance(data, _Node):
        for key, line in data.bool_keys:
            report.append(((*loc, key), f'түлхүүрийг хашилтад бичнэ үү ({line}-р мөр) / write the key in quotes '
                                        f'(line {line}), e.g. "{key}": — a bare {key} means true or false in YAML'))
        for key, line in data.twice:
            report.append(((*loc, key), both("messages.schema.key_listed_twice_line", sep=" / ", line=line)))
        return {key: _plain(value, (*loc, key), report) for key, value in data.items()}
    if isinstance(data, list):
        return [_plain(item, (*loc, index), report) for index, item in enumerate(data)]
    return data


class _Missing:
    pass


MISSING: Any = _Missing()  # what `read_yaml` returns for a file that is not there, with missing_ok


def read_yaml(path: Path, issues: list[ConfigIssue], *, missing_ok: bool = False) -> Any:
    """The file's data (None for an empty file); None after recording why it could not be read.

    With `missing_ok`, a file that does not exist is no mistake: `MISSING` is returned.
    """
    try:
        with path.open(encoding="utf-8") as handle:
            raw = yaml.load(handle, Loader=_Loader)  # _Loader is a SafeLoader: plain data only
    except FileNotFoundError:
        if missing_ok:
            return MISSING
        issues.append(ConfigIssue(str(path), FILE_KEY, both("messages.schema.file_not_found", sep=" / ")))
        return None
    except UnicodeDecodeError:
        issues.append(ConfigIssue(str(path), FILE_KEY, both("messages.schema.must_saved_utf_text", sep=" / ")))
        return None
    except OSError as exc:
        issues.append(ConfigIssue(str(path), FILE_KEY, f"файлыг уншиж чадсангүй / could not be read: {exc.strerror or exc}"))
        return None
    except yaml.YAMLError as exc:
        issues.append(ConfigIssue(str(path), FILE_KEY, _yaml_message(exc)))
        return None
    except (ValueError, OverflowError) as exc:
        # PyYAML builds dates and numbers itself: an impossible date written unquoted (2026-13-01) fails there.
        text = str(exc).splitlines()[0] if str(exc) else ""
        issues.append(ConfigIssue(str(path), FILE_KEY, f"огноо эсвэл тоо буруу бичигдсэн / an impossible date or number "
                                                        f"({text}); write it in quotes or correct it"))
        return None
    report: list[tuple[Loc, str]] = []
    data = _plain(raw, (), report)
    issues.extend(ConfigIssue(str(path), dotted(loc), message) for loc, message in report)
    return data


def _yaml_message(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    if mark is None:
        return f"YAML бичлэгийн алдаа / not valid YAML: {problem}"
    line, column = mark.line + 1, mark.column + 1
    return (f"YAML бичлэгийн алдаа {line}-р мөрөнд / not valid YAML at line {line}, column {column}: {problem}"
            " (check the indentation, a missing ':' or an unclosed quote or bracket)")


# --- validating ------------------------------------------------------------------------------------------
def validate_model(data: Any, model: type[M], path: Path, issues: list[ConfigIssue],
                   context: Mapping[str, Any] | None = None) -> M | None:
    """`data` (as read from `path`; None is an empty file) as a `model`, or None after recording every mistake.

    The validators see `context` (with "file": the path) through `info.context`.
    """
    try:
        return model.model_validate({} if data is None else data, context={"file": path, **(context or {})})
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            issues.extend(ConfigIssue(str(path), dotted(loc, model), message) for loc, message in _explain(error, model))
        return None


def load_yaml_model(path: Path, model: type[M], issues: list[ConfigIssue] | None = None, *,
                    missing_ok: bool = False, context: Mapping[str, Any] | None = None) -> M | None:
    """Read `path` and validate it as `model`.

    With `issues`, every mistake is appended to it and None returned, so that several files are reported
    together; without, a `ConfigError` with this file's mistakes is raised. With `missing_ok`, a file that is
    not there is read as empty (the model's defaults). YAML mistakes found on reading (a repeated key, `no:`)
    are reported, and the data is still validated so that its other mistakes are reported with them.
    """
    collected: list[ConfigIssue] = []
    data = read_yaml(path, collected, missing_ok=missing_ok)
    result: M | None = None
    if data is MISSING:
        result = validate_model(None, model, path, collected, context)
    elif data is not None or not collected:
        result = validate_model(data, model, path, collected, context)
    if issues is None:
        if collected:
            raise ConfigError(collected)
        return result
    issues.extend(collected)
    return None if collected else result


# --- messages --------------------------------------------------------------------------------------------
def dotted(loc: Loc, model: Any = None) -> str:
    """("bands", 2, "label_en") -> "bands[2].label_en"; the whole file when empty.

    With the model, a dict's number key is told from a list index: "number_words.1[2]".
    """
    text = ""
    annotation = model
    for index, part in enumerate(loc):
        if part == "[key]":
            continue
        is_key = loc[index + 1:index + 2] == ("[key]",)
        in_dict = typing.get_origin(_unwrap(annotation)) in (dict, Mapping)
        if isinstance(part, int) and not isinstance(part, bool) and not in_dict:
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
        annotation = None if annotation is None or is_key else _step(annotation, part)
    return text or FILE_KEY


_EXPECTED = {
    "string_type": ("текст", "text"),
    "int_type": ("бүхэл тоо", "a whole number"),
    "float_type": ("тоо", "a number"),
    "bool_type": ("true эсвэл false", "true or false"),
    "list_type": ("жагсаалт ([...] эсвэл мөр бүрд - )", "a list ([...] or one '- ' line per item)"),
    "tuple_type": ("жагсаалт ([...] эсвэл мөр бүрд - )", "a list ([...] or one '- ' line per item)"),
    "set_type": ("жагсаалт", "a list"),
    "dict_type": ("түлхүүр: утга хэлбэртэй хэсэг", "a mapping of keys (key: value)"),
    "model_type": ("түлхүүр: утга хэлбэртэй хэсэг", "a mapping of keys (key: value)"),
    "model_attributes_type": ("түлхүүр: утга хэлбэртэй хэсэг", "a mapping of keys (key: value)"),
    "date_type": ("YYYY-MM-DD огноо", "a date YYYY-MM-DD"),
    "none_required": ("хоосон", "empty"),
}


def found(value: Any) -> tuple[str, str]:
    """What was written, in plain words (Mongolian, English)."""
    if value is None:
        return "хоосон", "nothing (the value is empty)"
    if isinstance(value, bool):
        word = str(value).lower()
        return word, word
    if isinstance(value, int | float):
        return f"{value} (тоо)", f"the number {value}"
    if isinstance(value, str):
        return f'"{value}" (текст)', f'the text "{value}"'
    if isinstance(value, list | tuple):
        return "жагсаалт", "a list"
    if isinstance(value, dict):
        return "түлхүүр: утга хэсэг", "a mapping of keys"
    if isinstance(value, dt.date):
        return f"{value} (огноо)", f"the date {value}"
    return repr(value), repr(value)


def nearest(word: Any, known: Sequence[str]) -> str | None:
    """The known word nearest to `word` (case aside), if one is near enough to be what was meant."""
    folded = {name.casefold(): name for name in known}
    close = difflib.get_close_matches(str(word).casefold(), list(folded), n=1, cutoff=0.6)
    return folded[close[0]] if close else None


def suggestion(word: Any, known: Sequence[str]) -> str:
    """'did you mean "x"?' for the nearest known word, or the list of known words."""
    near = nearest(word, known)
    if near is not None:
        return f'did you mean "{near}"?'
    return f"known: {', '.join(known)}" if known else "no keys are expected here"


def _explain(error: ErrorDetails, model: type[BaseModel]) -> list[tuple[Loc, str]]:
    loc: Loc = tuple(error["loc"])
    kind = error["type"]
    value = error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "value_error" and isinstance(ctx.get("error"), Invalid):
        return [((*loc, *where), text) for where, text in ctx["error"].problems]
    if kind == "extra_forbidden":
        known = field_keys(_type_at(model, loc[:-1]))
        return [(loc, f"үл мэдэгдэх түлхүүр / unknown key; {suggestion(loc[-1], known)}")]
    if kind == "literal_error":
        choices = [str(choice) for choice in _literal_choices(_type_at(model, loc))]
        if loc and loc[-1] == "[key]":
            return [(loc, f"үл мэдэгдэх түлхүүр / unknown key; {suggestion(value, choices)}")]
        mn, en = found(value)
        listed = ", ".join(choices)
        near = nearest(value, choices)
        hint = f'; did you mean "{near}"?' if near is not None else ""
        return [(loc, f"{mn} биш: {listed}-ийн аль нэг / must be one of {listed}, got {en}{hint}")]
    if kind == "missing":
        return [(loc, both("messages.schema.required_key_missing", sep=" / "))]
    if kind == "invalid_key":
        return [(loc, f"түлхүүр текст байх ёстой / a key must be text, got {found(value)[1]}")]
    if kind in _EXPECTED:
        mn_expected, en_expected = _EXPECTED[kind]
        mn, en = found(value)
        if loc and loc[-1] == "[key]":
            return [(loc, f"түлхүүр {mn_expected} байх ёстой, {mn} байна / the key must be {en_expected}, got {en}")]
        return [(loc, f"{mn_expected} байх ёстой, {mn} байна / must be {en_expected}, got {en}")]
    limit = next((ctx[name] for name in ("gt", "ge", "lt", "le") if name in ctx), None)
    words = {
        "greater_than": (f"{limit}-аас их тоо", f"more than {limit}"),
        "greater_than_equal": (f"{limit} эсвэл түүнээс их тоо", f"{limit} or more"),
        "less_than": (f"{limit}-аас бага тоо", f"less than {limit}"),
        "less_than_equal": (f"{limit} эсвэл түүнээс бага тоо", f"{limit} or less"),
    }
    if limit == 0 and kind == "greater_than":
        words[kind] = ("эерэг тоо", "positive")
    if limit == 0 and kind == "greater_than_equal":
        words[kind] = ("0 эсвэл эерэг тоо", "0 or positive")
    if kind in words:
        mn, en = found(value)
        return [(loc, f"{words[kind][0]} байх ёстой, {mn} байна / must be {words[kind][1]}, got {en}")]
    if kind in ("string_too_short", "too_short"):
        return [(loc, both("messages.schema.must_not_empty", sep=" / "))]
    message = str(ctx["error"]) if kind == "value_error" and "error" in ctx else error["msg"]
    return [(loc, f"утга буруу / not a valid value: {message}")]


# --- what a model expects at a place ---------------------------------------------------------------------
def field_keys(annotation: Any) -> list[str]:
    """The keys a model accepts, as written in the file (the alias where a field has one)."""
    if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
        return []
    return [info.alias or name for name, info in annotation.model_fields.items()]


def _unwrap(annotation: Any) -> Any:
    while True:
        origin = typing.get_origin(annotation)
        if origin is Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            options = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
            if len(options) != 1:
                return annotation
            annotation = options[0]
        else:
            return annotation


def _step(annotation: Any, part: str | int) -> Any:
    """The annotation of the value at `part` ("[key]": a dict's key) inside a value of `annotation`."""
    annotation = _unwrap(annotation)
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return next((info.annotation for name, info in annotation.model_fields.items() if part in (name, info.alias)), None)
    if origin in (list, tuple, Sequence) and args and isinstance(part, int):
        return args[0]
    if origin in (dict, Mapping) and len(args) == 2:
        return args[0] if part == "[key]" else args[1]
    return None


def _type_at(annotation: Any, loc: Loc) -> Any:
    """The annotation of the value at `loc` below a value of `annotation`; None when it cannot be told."""
    # A dict key's error is at (..., key, "[key]"): the place is the dict's key type.
    parts = [part for index, part in enumerate(loc) if loc[index + 1:index + 2] != ("[key]",)]
    for part in parts:
        annotation = _step(annotation, part)
        if annotation is None:
            return None
    return _unwrap(annotation)


def _literal_choices(annotation: Any) -> tuple[Any, ...]:
    return typing.get_args(annotation) if typing.get_origin(annotation) is Literal else ()
