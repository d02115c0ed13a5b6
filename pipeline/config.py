"""Configuration a specialist edits, in `mappings/`: loaded once at start and validated.

Every mistake is reported with the file and the key (`ConfigIssue`), all of them at once, before any
template is read. The rest of the program receives plain frozen dataclasses and never sees YAML.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pipeline.errors import ConfigError, ConfigIssue
from pipeline.notation import NotationVocab, load_vocab

DEFAULT_MAPPINGS = Path("mappings")
MAPPINGS_ENV = "NEGTGEL_MAPPINGS"
STATUSES = ("done", "in_progress", "insufficient", "not_done")
FIELDS = (
    "no", "goal", "measure", "indicator", "baseline", "target", "timeframe", "responsible",
    "progress", "actual", "self_pct", "evaluation", "note", "budget",
)
META_KEYS = ("department", "year", "month", "period", "version")


def header_key(text: str) -> str:
    """The form under which header titles and labels are compared: case, spacing and punctuation free."""
    text = unicodedata.normalize("NFC", text).casefold().replace("ё", "е")
    # "%" stays: "Биелэлт %" (a percentage) and "Биелэлт" (a narrative) are different columns.
    return re.sub(r"[^\w%№#]+|_", "", text)


@dataclass(frozen=True)
class HeaderConfig:
    titles: Mapping[str, str]  # header_key(title) -> field
    labels: Mapping[str, str]  # field -> display label (Mongolian)
    required: frozenset[str]
    meta: Mapping[str, str]  # header_key(label) -> meta key
    goal_row_words: tuple[str, ...]
    section_numerals: tuple[str, ...]


@dataclass(frozen=True)
class Level:
    value: float
    label: str
    status: str


@dataclass(frozen=True)
class Band:
    above: float | None
    label: str
    grade: str
    color: str
    label_en: str = ""  # the rating in English outputs (`--lang en`); the Mongolian label when not given

    def name(self, lang: str) -> str:
        return (self.label_en or self.label) if lang == "en" else self.label


@dataclass(frozen=True)
class Methodology:
    name: str
    levels: tuple[Level, ...]  # highest first
    not_due_label: str
    not_due_short: str
    not_evaluated_label: str
    status_levels: Mapping[str, float]
    thresholds: tuple[tuple[float, float], ...]  # (min achievement, level), highest first
    bands: tuple[Band, ...]
    points_divisor: float
    rounding: int
    pro_rate_counts: bool
    late_penalty_per_day: float = 0.0

    def level_status(self, value: float) -> str:
        for level in self.levels:
            if level.value == value:
                return level.status
        raise KeyError(value)

    def level_label(self, value: float) -> str:
        for level in self.levels:
            if level.value == value:
                return level.label
        return ""

    def rating_name(self, rating: str, lang: str) -> str:
        """A rating as stored (the Mongolian band label) in the language of the output."""
        if lang != "en":
            return rating
        return next((b.name(lang) for b in self.bands if b.label == rating), rating)

    def band_for(self, pct: float) -> Band:
        for band in self.bands:
            if band.above is None or pct > band.above:
                return band
        return self.bands[-1]


@dataclass(frozen=True)
class Department:
    name: str
    short: str
    aliases: tuple[str, ...]
    emails: tuple[str, ...]
    official: str


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int
    max_unpacked_bytes: int
    max_compression_ratio: float
    max_rows: int
    max_cell_chars: int
    max_read_mb: int = 1024  # memory one file's reader process may take (beyond what it starts with)
    max_read_seconds: float = 60.0  # time one file's read may take before its reader is stopped


@dataclass(frozen=True)
class Settings:
    store: Path | None
    utc_offset_hours: float
    deadline_day: int
    deadline_months_after: int
    limits: Limits
    department_sheets_max: int
    mail: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Config:
    root: Path
    headers: HeaderConfig
    vocab: NotationVocab
    methodology: Methodology
    departments: tuple[Department, ...]
    settings: Settings
    fingerprint: str  # changes whenever any mappings file changes; part of every cache key


def resolve_mappings(path: str | os.PathLike[str] | None = None) -> Path:
    if path is None:
        path = os.environ.get(MAPPINGS_ENV) or DEFAULT_MAPPINGS
    return Path(path)


class _Checker:
    """Reads one YAML file and records every mistake with its dotted key."""

    def __init__(self, path: Path, issues: list[ConfigIssue]):
        self.path = path
        self.issues = issues
        self.data: Any = None
        try:
            with path.open(encoding="utf-8") as handle:
                self.data = yaml.safe_load(handle)
        except FileNotFoundError:
            self.fail("", "файл олдсонгүй / file not found")
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            self.fail("", f"YAML бичлэгийн алдаа / not valid YAML: {exc}")

    def fail(self, key: str, message: str) -> None:
        self.issues.append(ConfigIssue(str(self.path), key or "(файл)", message))

    def get(self, node: Any, key: str, path: str, kind: type | tuple[type, ...], default: Any = ...) -> Any:
        full = f"{path}.{key}" if path else key
        if not isinstance(node, dict) or key not in node:
            if default is ...:
                self.fail(full, "заавал байх түлхүүр алга / required key is missing")
                return None
            return default
        value = node[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if not isinstance(value, kind) or (isinstance(value, bool) and kind in (int, float)):
            names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
            self.fail(full, f"{names} төрөл байх ёстой / must be {names}, got {value!r}")
            return None if default is ... else default
        return value

    def strings(self, node: Any, key: str, path: str, default: Any = ...) -> tuple[str, ...]:
        items = self.get(node, key, path, list, default)
        if items is None:
            return ()
        result = []
        for index, item in enumerate(items):
            if isinstance(item, str) and item.strip():
                result.append(item.strip())
            else:
                self.fail(f"{path}.{key}[{index}]", f"хоосон биш текст байх ёстой / must be text, got {item!r}")
        return tuple(result)


def _load_headers(path: Path, issues: list[ConfigIssue]) -> HeaderConfig:
    c = _Checker(path, issues)
    titles: dict[str, str] = {}
    labels: dict[str, str] = {}
    required: set[str] = set()
    fields = c.get(c.data, "fields", "", dict) or {}
    for name, spec in fields.items():
        where = f"fields.{name}"
        if isinstance(name, bool):
            c.fail(f"fields.{str(name).lower()}", 'түлхүүрийг хашилтад бичнэ үү / write the key in quotes, e.g. "no":')
            continue
        if name not in FIELDS:
            c.fail(where, f"үл мэдэгдэх талбар / unknown field; known: {', '.join(FIELDS)}")
            continue
        labels[name] = c.get(spec, "label", where, str) or name
        if c.get(spec, "required", where, bool, False):
            required.add(name)
        for index, title in enumerate(c.strings(spec, "titles", where)):
            key = header_key(title)
            if not key:
                c.fail(f"{where}.titles[{index}]", "үсэг, тоо агуулаагүй / has no letters or digits")
            elif titles.get(key, name) != name:
                c.fail(f"{where}.titles[{index}]", f"\"{title}\" гарчиг {titles[key]} талбарт бас байна / also under {titles[key]}")
            else:
                titles[key] = name
    if "measure" not in labels:
        c.fail("fields.measure", "арга хэмжээний багана заавал тодорхойлогдсон байх ёстой / the measure field is required")
    required.add("measure")
    meta: dict[str, str] = {}
    meta_spec = c.get(c.data, "meta", "", dict, {})
    for name, _ in (meta_spec or {}).items():
        if name not in META_KEYS:
            c.fail(f"meta.{name}", f"үл мэдэгдэх түлхүүр / unknown key; known: {', '.join(META_KEYS)}")
            continue
        for label in c.strings(meta_spec, name, "meta"):
            meta[header_key(label)] = name
    return HeaderConfig(
        titles=titles,
        labels=labels,
        required=frozenset(required),
        meta=meta,
        goal_row_words=c.strings(c.data, "goal_row_words", "", ()),
        section_numerals=c.strings(c.data, "section_numerals", "", ()),
    )


def _load_methodology(path: Path, issues: list[ConfigIssue]) -> Methodology:
    c = _Checker(path, issues)
    d = c.data
    levels: list[Level] = []
    for index, spec in enumerate(c.get(d, "levels", "", list) or []):
        where = f"levels[{index}]"
        value = c.get(spec, "value", where, float)
        label = c.get(spec, "label", where, str)
        status = c.get(spec, "status", where, str)
        if status is not None and status not in STATUSES:
            c.fail(f"{where}.status", f"{status!r} биш: {', '.join(STATUSES)} / must be one of these")
        if value is not None and not 0 <= value <= 100:
            c.fail(f"{where}.value", "0-100 хооронд байх ёстой / must be within 0-100")
        if value is not None and label and status in STATUSES:
            levels.append(Level(value, label, status))
    if len({lv.value for lv in levels}) != len(levels):
        c.fail("levels", "түвшин давхардсан / a level value is listed twice")
    levels.sort(key=lambda lv: -lv.value)
    level_values = {lv.value for lv in levels}

    not_due = c.get(d, "not_due", "", dict) or {}
    not_evaluated = c.get(d, "not_evaluated", "", dict) or {}
    status_levels: dict[str, float] = {}
    spec = c.get(d, "status_levels", "", dict) or {}
    for status in STATUSES:
        value = c.get(spec, status, "status_levels", float)
        if value is not None and value not in level_values:
            c.fail(f"status_levels.{status}", f"{value} нь levels-д байхгүй / is not one of the levels")
        elif value is not None:
            status_levels[status] = value
    for extra in set(spec) - set(STATUSES):
        c.fail(f"status_levels.{extra}", f"үл мэдэгдэх төлөв / unknown status; known: {', '.join(STATUSES)}")

    thresholds: list[tuple[float, float]] = []
    for index, spec in enumerate(c.get(d, "thresholds", "", list) or []):
        where = f"thresholds[{index}]"
        minimum = c.get(spec, "min", where, float)
        level = c.get(spec, "level", where, float)
        if level is not None and level not in level_values:
            c.fail(f"{where}.level", f"{level} нь levels-д байхгүй / is not one of the levels")
        elif minimum is not None and level is not None:
            thresholds.append((minimum, level))
    thresholds.sort(key=lambda t: -t[0])
    if thresholds and thresholds[-1][0] > 0:
        c.fail("thresholds", "хамгийн бага босго 0 байх ёстой / the lowest threshold must be min: 0")

    bands: list[Band] = []
    for index, spec in enumerate(c.get(d, "bands", "", list) or []):
        where = f"bands[{index}]"
        above = c.get(spec, "above", where, (int, float, type(None)))
        label = c.get(spec, "label", where, str)
        label_en = c.get(spec, "label_en", where, str, "")
        grade = c.get(spec, "grade", where, str, "")
        color = c.get(spec, "color", where, str, "#999999")
        if color and not re.fullmatch(r"#[0-9A-Fa-f]{6}", color):
            c.fail(f"{where}.color", "#RRGGBB хэлбэрээр бичнэ / must be like #1A9850")
            color = "#999999"
        if label:
            bands.append(Band(None if above is None else float(above), label, grade or "", color, label_en or ""))
    if bands:
        aboves = [b.above for b in bands]
        if aboves[-1] is not None or None in aboves[:-1]:
            c.fail("bands", "сүүлийн зэрэглэл л above: null байна / only the last band has above: null")
        elif aboves[:-1] != sorted(aboves[:-1], reverse=True):  # type: ignore[type-var]
            c.fail("bands", "above-ыг ихээс бага руу эрэмбэлнэ / list bands from the highest down")
    elif c.data is not None:
        c.fail("bands", "дор хаяж нэг зэрэглэл / at least one band is needed")

    divisor = c.get(d, "points_divisor", "", float, 20.0)
    if divisor is not None and divisor <= 0:
        c.fail("points_divisor", "эерэг тоо / must be positive")
        divisor = 20.0
    rounding = c.get(d, "rounding", "", int, 1)
    return Methodology(
        name=c.get(d, "name", "", str, "") or "",
        levels=tuple(levels),
        not_due_label=c.get(not_due, "label", "not_due", str, "Хугацаа болоогүй") or "",
        not_due_short=c.get(not_due, "short", "not_due", str, "ХБ") or "",
        not_evaluated_label=c.get(not_evaluated, "label", "not_evaluated", str, "Үнэлээгүй") or "",
        status_levels=status_levels,
        thresholds=tuple(thresholds),
        bands=tuple(bands),
        points_divisor=divisor or 20.0,
        rounding=rounding if rounding is not None else 1,
        pro_rate_counts=bool(c.get(d, "pro_rate_counts", "", bool, True)),
        late_penalty_per_day=_non_negative(c, d, "late_penalty_per_day", 0.0),
    )


def _non_negative(c: _Checker, node: Any, key: str, default: float) -> float:
    value = c.get(node, key, "", float, default)
    if value is None or value < 0:
        c.fail(key, "0 эсвэл эерэг тоо / must be 0 or positive")
        return default
    return float(value)


def _load_departments(path: Path, issues: list[ConfigIssue]) -> tuple[Department, ...]:
    c = _Checker(path, issues)
    result: list[Department] = []
    seen: dict[str, str] = {}
    for index, spec in enumerate(c.get(c.data, "departments", "", list) or []):
        where = f"departments[{index}]"
        name = c.get(spec, "name", where, str)
        if not name:
            continue
        dept = Department(
            name=name.strip(),
            short=(c.get(spec, "short", where, str, "") or "").strip(),
            aliases=c.strings(spec, "aliases", where, ()),
            emails=tuple(e.lower() for e in c.strings(spec, "emails", where, ())),
            official=(c.get(spec, "official", where, str, "") or "").strip(),
        )
        for alias in (dept.name, dept.short, *dept.aliases):
            key = header_key(alias)
            if key and seen.get(key, dept.name) != dept.name:
                c.fail(where, f"\"{alias}\" нэр {seen[key]}-д бас байна / also names {seen[key]}")
            seen[key] = dept.name
        for email in dept.emails:
            if "@" not in email:
                c.fail(f"{where}.emails", f"\"{email}\" и-мэйл хаяг биш / is not an email address")
        result.append(dept)
    return tuple(result)


def _load_settings(path: Path, issues: list[ConfigIssue]) -> tuple[Settings, str]:
    c = _Checker(path, issues)
    d = c.data if isinstance(c.data, dict) else {}
    deadline = c.get(d, "deadline", "", dict, {}) or {}
    limits = c.get(d, "limits", "", dict, {}) or {}
    output = c.get(d, "output", "", dict, {}) or {}

    def positive(node: Mapping[str, Any], key: str, where: str, default: float, kind: type = int) -> Any:
        value = c.get(node, key, where, float if kind is float else int, default)
        if value is None or value <= 0:
            c.fail(f"{where}.{key}", "эерэг тоо / must be positive")
            return default
        return value

    day = positive(deadline, "day", "deadline", 5)
    if day > 28:
        c.fail("deadline.day", "1-28 хооронд / must be 1-28 so every month has it")
        day = 5
    settings = Settings(
        store=Path(store) if (store := c.get(d, "store", "", (str, type(None)), None)) else None,
        utc_offset_hours=c.get(d, "utc_offset_hours", "", float, 8.0) or 0.0,
        deadline_day=day,
        deadline_months_after=c.get(deadline, "months_after", "deadline", int, 1) or 0,
        limits=Limits(
            max_file_bytes=int(positive(limits, "max_file_mb", "limits", 50, float) * 1024 * 1024),
            max_unpacked_bytes=int(positive(limits, "max_unpacked_mb", "limits", 300, float) * 1024 * 1024),
            max_compression_ratio=positive(limits, "max_compression_ratio", "limits", 200.0, float),
            max_rows=positive(limits, "max_rows", "limits", 100_000),
            max_cell_chars=positive(limits, "max_cell_chars", "limits", 10_000),
            max_read_mb=positive(limits, "max_read_mb", "limits", 1024),
            max_read_seconds=positive(limits, "max_read_seconds", "limits", 60.0, float),
        ),
        department_sheets_max=positive(output, "department_sheets_max", "output", 60),
        mail=c.get(d, "mail", "", dict, {}) or {},
    )
    return settings, c.get(d, "methodology", "", str, "methodology.yaml") or "methodology.yaml"


def _fingerprint(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"<missing>")
    return digest.hexdigest()[:16]


def load_config(mappings: str | os.PathLike[str] | None = None, *, methodology: str | None = None) -> Config:
    """Load and validate every file in the mappings folder; raise ConfigError listing all mistakes."""
    root = resolve_mappings(mappings)
    if not root.is_dir():
        raise ConfigError([ConfigIssue(str(root), "(хавтас)", "тохиргооны хавтас олдсонгүй / mappings folder not found")])
    issues: list[ConfigIssue] = []
    headers = _load_headers(root / "headers.yaml", issues)
    settings, methodology_file = _load_settings(root / "settings.yaml", issues)
    methodology_path = root / (methodology or methodology_file)
    method = _load_methodology(methodology_path, issues)
    departments = _load_departments(root / "departments.yaml", issues)
    vocab: NotationVocab | None = None
    try:
        vocab = load_vocab(root / "notation.yaml")
    except ConfigError as exc:
        issues.extend(exc.issues)
    if issues or vocab is None:
        raise ConfigError(issues)
    files = [root / "headers.yaml", root / "settings.yaml", methodology_path, root / "departments.yaml", root / "notation.yaml"]
    return Config(
        root=root,
        headers=headers,
        vocab=vocab,
        methodology=method,
        departments=departments,
        settings=settings,
        fingerprint=_fingerprint(files),
    )

