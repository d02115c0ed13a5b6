"""Configuration a specialist edits, in `mappings/`: loaded once at start and validated.

Every mistake is reported with the file and the key (`ConfigIssue`), all of them at once, before any
template is read. The rest of the program receives plain frozen dataclasses and never sees YAML.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

import yaml
from pydantic import Field, NonNegativeFloat, NonNegativeInt, PositiveFloat, PositiveInt, ValidationInfo, field_validator

from pipeline.cycles import CYCLES, NO_PERIOD_WORDS, PeriodWords
from pipeline.errors import ConfigError, ConfigIssue
from pipeline.notation import NotationVocab, load_vocab
from pipeline.schema import AnyText, Invalid, Items, Loc, Schema, Text, load_yaml_model, raise_problems, read_yaml, validate_model
from pipeline.words import both

DEFAULT_MAPPINGS = Path("mappings")
MAPPINGS_ENV = "NEGTGEL_MAPPINGS"
FieldName = Literal[
    "no", "goal", "measure", "indicator", "baseline", "target", "timeframe", "responsible",
    "progress", "actual", "self_pct", "evaluation", "note", "budget",
]  # fmt: skip
MetaKey = Literal["department", "year", "month", "period", "version"]
CycleName = Literal["monthly", "quarterly", "half-yearly", "annual"]  # pipeline/cycles.py CYCLES
Status = Literal["done", "in_progress", "insufficient", "not_done"]
STATUSES: tuple[str, ...] = get_args(Status)
FIELDS: tuple[str, ...] = get_args(FieldName)
META_KEYS: tuple[str, ...] = get_args(MetaKey)
assert set(get_args(CycleName)) == set(CYCLES), "the cycle names of the schema and of pipeline/cycles.py differ"


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
    instruction_sheet_words: tuple[str, ...] = ()  # a sheet so named is never a plan (issue 14)
    period_words: PeriodWords = NO_PERIOD_WORDS  # how files name a quarter, a half-year, the year (issue 16)
    percent_header_words: tuple[str, ...] = ()  # a header with one of these carries percent numbers
    month_header_words: tuple[str, ...] = ()  # a timeframe header with one of these is written by month
    footer_words: tuple[str, ...] = ()  # a row below the table starting so is the signature footer


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
    parent_percent: str = "mean_of_measures"  # a parent unit's %: "mean_of_measures" or "mean_of_children" (issue 17)
    name_en: str = ""  # the name in English outputs (`--lang en`); the Mongolian name when not given

    def title(self, stored: str, lang: str) -> str:
        """A report's methodology name (`stored`, as the report or its snapshot keeps it) in `lang`: in English
        this methodology's `name_en` when the report was scored by it, else the stored name as it is."""
        return (self.name_en or stored) if lang == "en" and stored == self.name else stored

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
    parent: str = ""  # the full name of the unit above it (issue 17); "" at the top
    level: str = ""  # the kind of unit: "сум", "хэлтэс", "агентлаг", ...
    reports: bool = True  # False: a grouping unit that reports nothing itself
    cycle: str = ""  # its own reporting cycle (departments.yaml `cycle:`); "" = settings.yaml `cycle`


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int
    max_unpacked_bytes: int
    max_compression_ratio: float
    max_rows: int
    max_cell_chars: int
    max_read_bytes: int
    max_read_seconds: float


@dataclass(frozen=True)
class Settings:
    store: Path | str | None  # a SQLite file, or a postgresql:// URL (text: a Path would fold its //)
    utc_offset_hours: float
    deadline_day: int
    deadline_months_after: int
    limits: Limits
    department_sheets_max: int
    # The plan year (issue 16): score by the approved plan's targets or the report's own; reminder days.
    plan_targets: str = "approved"
    reminder_days_before: tuple[int, ...] = (2,)
    reminder_days_after: tuple[int, ...] = (1, 3)
    cycle: str = "monthly"  # monthly | quarterly | half-yearly | annual (pipeline/cycles.py)


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


# --- the files' shapes (pydantic models; see pipeline/schema.py) ------------------------------------------
NO_KEY_TEXT = both("messages.config.has_no_letters_or", sep=" / ")


class FieldFile(Schema):
    label: Text
    required: bool = False
    titles: Items[Text]


class PeriodWordsFile(Schema):
    quarter: Items[Text] = ()
    half_year: Items[Text] = ()
    first_half: Items[Text] = ()
    second_half: Items[Text] = ()
    annual: Items[Text] = ()
    not_annual: Items[Text] = ()
    year_word: Items[Text] = ()
    month_word: Items[Text] = ()
    month_ordinal: Items[Text] = ()
    quarter_ordinal: Items[Text] = ()


class HeadersFile(Schema):
    fields: dict[FieldName, FieldFile]
    meta: dict[MetaKey, Items[Text]] = Field(default_factory=dict)
    goal_row_words: Items[Text] = ()
    section_numerals: Items[Text] = ()
    instruction_sheet_words: Items[Text] = ()
    period_words: PeriodWordsFile = PeriodWordsFile()
    # The vocabulary the reader looks for (issue 15: words live in mappings/). A workspace's file written before a
    # key existed takes the shipped default's words (`_headers`).
    percent_header_words: Items[Text] = ()
    month_header_words: Items[Text] = ()
    footer_words: Items[Text] = ()

    @field_validator("fields")
    @classmethod
    def _titles_name_one_field(cls, fields: dict[str, FieldFile]) -> dict[str, FieldFile]:
        problems = _one_owner({name: spec.titles for name, spec in fields.items()}, "titles", "гарчиг", "талбарт")
        if "measure" not in fields:
            problems.append((("measure",), both("messages.config.measure_field_required", sep=" / ")))
        raise_problems(problems)
        return fields

    @field_validator("meta")
    @classmethod
    def _labels_name_one_key(cls, meta: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        raise_problems(_one_owner(meta, None, "шошго", "түлхүүрт"))
        return meta


def _one_owner(lists: Mapping[str, tuple[str, ...]], sub: str | None, what: str, where: str) -> list[tuple[Loc, str]]:
    """Each text (under header_key) belongs to one name: a title listed under two fields is a mistake."""
    problems: list[tuple[Loc, str]] = []
    owner: dict[str, str] = {}
    for name, texts in lists.items():
        for index, text in enumerate(texts):
            loc: Loc = (name, sub, index) if sub else (name, index)
            key = header_key(text)
            if not key:
                problems.append((loc, NO_KEY_TEXT))
            elif owner.setdefault(key, name) != name:
                problems.append((loc, f'"{text}" {what} {owner[key]} {where} бас байна / also under {owner[key]}'))
    return problems


class LevelFile(Schema):
    value: float
    label: Text
    status: Status

    @field_validator("value")
    @classmethod
    def _percent(cls, value: float) -> float:
        if not 0 <= value <= 100:
            raise Invalid(both("messages.config.must_within_got_value", sep=" / ", value=value))
        return value


class NotDueFile(Schema):
    label: Text = "Хугацаа болоогүй"
    short: Text = "ХБ"


class NotEvaluatedFile(Schema):
    label: Text = "Үнэлээгүй"


class StatusLevelsFile(Schema):
    done: float
    in_progress: float
    insufficient: float
    not_done: float


class ThresholdFile(Schema):
    min: float
    level: float


class BandFile(Schema):
    above: float | None
    label: Text
    label_en: str = ""
    grade: str = ""
    color: str = "#999999"

    @field_validator("color")
    @classmethod
    def _rgb(cls, color: str) -> str:
        if not re.fullmatch(r"#[0-9A-Fa-f]{6}", color):
            raise Invalid(both("messages.config.must_like_got_color", sep=" / ", color=color))
        return color


class MethodologyFile(Schema):
    name: str = ""
    name_en: str = ""
    levels: Items[LevelFile]
    not_due: NotDueFile
    not_evaluated: NotEvaluatedFile
    status_levels: StatusLevelsFile
    thresholds: Items[ThresholdFile]
    bands: Items[BandFile]
    points_divisor: PositiveFloat = 20.0
    rounding: int = 1
    pro_rate_counts: bool = True
    late_penalty_per_day: NonNegativeFloat = 0.0
    parent_percent: Literal["mean_of_measures", "mean_of_children"] = "mean_of_measures"

    @field_validator("levels")
    @classmethod
    def _levels_differ(cls, levels: tuple[LevelFile, ...]) -> tuple[LevelFile, ...]:
        seen: set[float] = set()
        problems: list[tuple[Loc, str]] = []
        for index, level in enumerate(levels):
            if level.value in seen:
                problems.append(((index, "value"), both("messages.config.level_value_g_listed", sep=" / ", value=level.value)))
            seen.add(level.value)
        raise_problems(problems)
        return levels

    @field_validator("status_levels")
    @classmethod
    def _statuses_are_levels(cls, spec: StatusLevelsFile, info: ValidationInfo) -> StatusLevelsFile:
        values = _level_values(info)
        if values is not None:
            raise_problems([((status,), _not_a_level(getattr(spec, status)))
                            for status in STATUSES if getattr(spec, status) not in values])
        return spec

    @field_validator("thresholds")
    @classmethod
    def _thresholds_are_levels(cls, thresholds: tuple[ThresholdFile, ...], info: ValidationInfo) -> tuple[ThresholdFile, ...]:
        values = _level_values(info)
        problems: list[tuple[Loc, str]] = []
        if values is not None:
            problems += [((index, "level"), _not_a_level(t.level)) for index, t in enumerate(thresholds) if t.level not in values]
        if not thresholds or min(t.min for t in thresholds) > 0:
            problems.append(((), both("messages.config.lowest_threshold_must_min", sep=" / ")))
        raise_problems(problems)
        return thresholds

    @field_validator("bands")
    @classmethod
    def _bands_ordered(cls, bands: tuple[BandFile, ...]) -> tuple[BandFile, ...]:
        if not bands:
            raise Invalid(both("messages.config.least_one_band_needed", sep=" / "))
        problems: list[tuple[Loc, str]] = []
        last = len(bands) - 1
        if bands[last].above is not None:
            problems.append(((last, "above"), both("messages.config.last_band_has_above", sep=" / ")))
        previous: float | None = None
        for index, band in enumerate(bands[:last]):
            if band.above is None:
                problems.append(((index, "above"), both("messages.config.only_last_band_has", sep=" / ")))
                continue
            if previous is not None and band.above > previous:
                problems.append(((index, "above"), both("messages.config.list_bands_from_highest", sep=" / ", above=band.above, previous=previous)))
            previous = band.above
        raise_problems(problems)
        return bands


def _level_values(info: ValidationInfo) -> set[float] | None:
    """The level values, when `levels` (validated before) is valid."""
    levels = info.data.get("levels")
    return None if levels is None else {level.value for level in levels}


def _not_a_level(value: float) -> str:
    return f"{value:g} нь levels-д байхгүй / is not one of the levels"


class DepartmentFile(Schema):
    name: Text
    short: AnyText = ""
    aliases: Items[Text] = ()
    emails: Items[Text] = ()
    official: AnyText = ""
    parent: AnyText = ""
    level: AnyText = ""
    reports: bool = True
    cycle: CycleName | None = None

    @field_validator("emails")
    @classmethod
    def _addresses(cls, emails: tuple[str, ...]) -> tuple[str, ...]:
        raise_problems([((index,), f'"{email}" и-мэйл хаяг биш / is not an email address')
                        for index, email in enumerate(emails) if "@" not in email])
        return emails


class DepartmentsFile(Schema):
    departments: Items[DepartmentFile]

    @field_validator("departments")
    @classmethod
    def _names_differ(cls, departments: tuple[DepartmentFile, ...]) -> tuple[DepartmentFile, ...]:
        problems: list[tuple[Loc, str]] = []
        owner: dict[str, tuple[int, str]] = {}
        for index, dept in enumerate(departments):
            names: list[tuple[Loc, str]] = [(("name",), dept.name), (("short",), dept.short)]
            names += [(("aliases", number), alias) for number, alias in enumerate(dept.aliases)]
            for where, alias in names:
                key = header_key(alias)
                if key and owner.setdefault(key, (index, dept.name))[0] != index:
                    other = owner[key][1]
                    problems.append(((index, *where), f'"{alias}" нэр {other}-д бас байна / also names {other}'))
        raise_problems(problems)
        from pipeline.hierarchy import parent_problems  # issue 17: every parent exists, no cycles

        raise_problems(parent_problems([(d.name, d.short, d.parent) for d in departments]))
        return departments


class DeadlineFile(Schema):
    day: int = 5
    months_after: int = 1

    @field_validator("day")
    @classmethod
    def _every_month_has_it(cls, day: int) -> int:
        if not 1 <= day <= 28:
            raise Invalid(both("messages.config.must_so_every_month", sep=" / ", day=day))
        return day


class LimitsFile(Schema):
    max_file_mb: PositiveFloat = 50.0
    max_unpacked_mb: PositiveFloat = 300.0
    max_compression_ratio: PositiveFloat = 200.0
    max_rows: PositiveInt = 100_000
    max_cell_chars: PositiveInt = 10_000
    max_read_mb: PositiveFloat = 1024.0
    max_read_seconds: PositiveFloat = 60.0


class OutputFile(Schema):
    department_sheets_max: PositiveInt = 60


class RemindersFile(Schema):
    days_before: list[NonNegativeInt] = Field(default_factory=lambda: [2])
    days_after: list[NonNegativeInt] = Field(default_factory=lambda: [1, 3])


class SettingsFile(Schema):
    methodology: Text = "methodology.yaml"
    store: str | None = None
    utc_offset_hours: float = 8.0
    deadline: DeadlineFile = DeadlineFile()
    limits: LimitsFile = LimitsFile()
    output: OutputFile = OutputFile()
    plan_targets: Literal["approved", "report"] = "approved"
    reminders: RemindersFile = RemindersFile()
    cycle: CycleName = "monthly"


# --- from the validated files to what the program uses --------------------------------------------------
def _headers(spec: HeadersFile) -> HeaderConfig:
    return HeaderConfig(
        titles={header_key(title): name for name, field in spec.fields.items() for title in field.titles},
        labels={name: field.label for name, field in spec.fields.items()},
        required=frozenset({"measure", *(name for name, field in spec.fields.items() if field.required)}),
        meta={header_key(label): name for name, labels in spec.meta.items() for label in labels},
        goal_row_words=tuple(spec.goal_row_words),
        instruction_sheet_words=tuple(spec.instruction_sheet_words),
        section_numerals=tuple(spec.section_numerals),
        period_words=_period_words(spec.period_words),
        **{key: tuple(getattr(spec, key) if key in spec.model_fields_set else _default_headers_words()[key])
           for key in HEADER_VOCABULARY},
    )


# The period words added after workspaces were first written (the month's words, once in intake.py's code): absent
# from a workspace's file, the shipped default's words apply.
PERIOD_VOCABULARY = ("year_word", "month_word", "month_ordinal", "quarter_ordinal")


def _period_words(spec: PeriodWordsFile) -> PeriodWords:
    shipped = default_period_words()
    return PeriodWords(**{name: tuple(getattr(spec, name)) if name not in PERIOD_VOCABULARY or name in spec.model_fields_set
                          else getattr(shipped, name) for name in PeriodWordsFile.model_fields})


@functools.cache
def default_period_words() -> PeriodWords:
    """The shipped headers.yaml `period_words` (for a caller without a configuration, and an older workspace's file)."""
    from pipeline.workspace import default_mappings

    data = yaml.safe_load((default_mappings() / "headers.yaml").read_text(encoding="utf-8")) or {}
    spec = PeriodWordsFile.model_validate(data.get("period_words") or {})
    return PeriodWords(**{name: tuple(getattr(spec, name)) for name in PeriodWordsFile.model_fields})


# The headers.yaml word lists added after workspaces were first written: absent from a workspace's file, the
# shipped default's words apply (so an older workspace reads as before).
HEADER_VOCABULARY = ("percent_header_words", "month_header_words", "footer_words")


@functools.cache
def _default_headers_words() -> dict[str, tuple[str, ...]]:
    from pipeline.workspace import default_mappings

    data = yaml.safe_load((default_mappings() / "headers.yaml").read_text(encoding="utf-8")) or {}
    return {key: tuple(str(w) for w in data.get(key, ())) for key in HEADER_VOCABULARY}


def _methodology(spec: MethodologyFile) -> Methodology:
    return Methodology(
        name=spec.name,
        name_en=spec.name_en,
        levels=tuple(sorted((Level(lv.value, lv.label, lv.status) for lv in spec.levels), key=lambda lv: -lv.value)),
        not_due_label=spec.not_due.label,
        not_due_short=spec.not_due.short,
        not_evaluated_label=spec.not_evaluated.label,
        status_levels={status: getattr(spec.status_levels, status) for status in STATUSES},
        thresholds=tuple(sorted(((t.min, t.level) for t in spec.thresholds), key=lambda t: -t[0])),
        bands=tuple(Band(b.above, b.label, b.grade, b.color, b.label_en) for b in spec.bands),
        points_divisor=spec.points_divisor,
        rounding=spec.rounding,
        pro_rate_counts=spec.pro_rate_counts,
        late_penalty_per_day=spec.late_penalty_per_day,
        parent_percent=spec.parent_percent,
    )


def _departments(spec: DepartmentsFile) -> tuple[Department, ...]:
    from pipeline.hierarchy import parent_names

    parents = parent_names([(d.name, d.short, d.parent) for d in spec.departments])
    return tuple(
        Department(name=d.name, short=d.short, aliases=tuple(d.aliases),
                   emails=tuple(email.lower() for email in d.emails), official=d.official,
                   parent=parents[i], level=d.level, reports=d.reports, cycle=d.cycle or "")
        for i, d in enumerate(spec.departments)
    )


MB = 1024 * 1024


def _settings(spec: SettingsFile) -> Settings:
    limits = spec.limits
    return Settings(
        store=(spec.store if "://" in spec.store else Path(spec.store)) if spec.store else None,
        utc_offset_hours=spec.utc_offset_hours,
        deadline_day=spec.deadline.day,
        deadline_months_after=spec.deadline.months_after,
        limits=Limits(
            max_file_bytes=int(limits.max_file_mb * MB),
            max_unpacked_bytes=int(limits.max_unpacked_mb * MB),
            max_compression_ratio=limits.max_compression_ratio,
            max_rows=limits.max_rows,
            max_cell_chars=limits.max_cell_chars,
            max_read_bytes=int(limits.max_read_mb * MB),
            max_read_seconds=limits.max_read_seconds,
        ),
        department_sheets_max=spec.output.department_sheets_max,
        plan_targets=spec.plan_targets,
        reminder_days_before=tuple(sorted(set(spec.reminders.days_before))),
        reminder_days_after=tuple(sorted(set(spec.reminders.days_after))),
        cycle=spec.cycle,
    )


def _fingerprint(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"<missing>")
    return digest.hexdigest()[:16]


def _methodology_file(raw: Any, settings: SettingsFile | None) -> str:
    """The methodology file settings.yaml names, even when another of its keys is wrong (so it is checked too)."""
    if settings is not None:
        return settings.methodology
    named = raw.get("methodology") if isinstance(raw, dict) else None
    return named.strip() if isinstance(named, str) and named.strip() else "methodology.yaml"


def load_config(mappings: str | os.PathLike[str] | None = None, *, methodology: str | None = None) -> Config:
    """Load and validate every file in the mappings folder; raise ConfigError listing all mistakes."""
    root = resolve_mappings(mappings)
    if not root.is_dir():
        raise ConfigError([ConfigIssue(str(root), "(хавтас)", both("messages.config.mappings_folder_not_found", sep=" / "))])
    issues: list[ConfigIssue] = []
    headers = load_yaml_model(root / "headers.yaml", HeadersFile, issues)
    settings_path = root / "settings.yaml"
    unread: list[ConfigIssue] = []
    raw_settings = read_yaml(settings_path, unread)
    settings = None if raw_settings is None and unread else validate_model(raw_settings, SettingsFile, settings_path, unread)
    issues += unread
    methodology_path = root / (methodology or _methodology_file(raw_settings, settings))
    method = load_yaml_model(methodology_path, MethodologyFile, issues)
    departments = load_yaml_model(root / "departments.yaml", DepartmentsFile, issues)
    vocab: NotationVocab | None = None
    try:
        vocab = load_vocab(root / "notation.yaml")
    except ConfigError as exc:
        issues.extend(exc.issues)
    if issues or vocab is None or headers is None or settings is None or method is None or departments is None:
        raise ConfigError(issues)
    files = [root / "headers.yaml", settings_path, methodology_path, root / "departments.yaml", root / "notation.yaml"]
    return Config(
        root=root,
        headers=_headers(headers),
        vocab=vocab,
        methodology=_methodology(method),
        departments=_departments(departments),
        settings=_settings(settings),
        fingerprint=_fingerprint(files),
    )
