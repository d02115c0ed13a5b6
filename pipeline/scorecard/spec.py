"""A scorecard as data: `mappings/scorecards/NAME.yaml`, checked by pydantic models built on `pipeline.schema`.

    name: monthly
    label: {mn: "Сарын үнэлгээ", en: "Monthly scorecard"}
    total: 95                      # optional: the criteria's maxima must add to it
    criteria:
      - {key: plan, label: "Төлөвлөгөөний биелэлт", label_en: "Plan", max: 30, source: computed, rule: plan_percent}
      - {key: timeliness, label: "Хугацаа", max: 10, source: computed, rule: on_time, per_day: 2}
      - {key: initiative, label: "Санаачилга", max: 5, source: evaluator, combine: median}
    tie_break: [plan, earlier_report]
    award_top: 3

Every mistake is a `ConfigIssue(file, dotted key, message)`, all of a file's together, with "did you mean"
for an unknown key, rule, combination or tie-break criterion.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

from pydantic import NonNegativeFloat, PositiveFloat, PositiveInt, ValidationInfo, field_validator, model_validator

from pipeline.errors import ConfigError, ConfigIssue
from pipeline.schema import FILE_KEY, AnyText, Invalid, Items, Loc, Schema, Text, load_yaml_model, raise_problems, suggestion
from pipeline.words import both

SCORECARDS_DIR = "scorecards"
Rule = Literal["plan_percent", "on_time", "report_quality", "completeness"]
Source = Literal["computed", "evaluator"]
Combine = Literal["mean", "median", "max", "min"]
RULES: tuple[str, ...] = get_args(Rule)
EARLIER_REPORT = "earlier_report"  # the tie-break "the organisation whose first report came earlier"
# The parameters each rule takes (and requires).
RULE_PARAMETERS: dict[str, tuple[str, ...]] = {
    "plan_percent": (),
    "on_time": ("per_day",),
    "report_quality": ("per_error",),
    "completeness": (),
}
PARAMETERS = ("per_day", "per_error")
_KEY = re.compile(r"[a-z][a-z0-9_]*")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


class LabelFile(Schema):
    mn: Text
    en: AnyText = ""


class CriterionFile(Schema):
    key: Text
    label: Text
    label_en: AnyText = ""
    max: PositiveFloat
    source: Source
    rule: Rule | None = None
    per_day: NonNegativeFloat | None = None
    per_error: NonNegativeFloat | None = None
    combine: Combine | None = None

    @field_validator("key")
    @classmethod
    def _identifier(cls, key: str) -> str:
        if not _KEY.fullmatch(key):
            raise Invalid(both("messages.scorecard_spec.must_lower_case_latin", sep=" / ", key=key))
        if key == EARLIER_REPORT:
            raise Invalid(both("messages.scorecard_spec.earlier_report_name_tie", sep=" / ", earlier_report=EARLIER_REPORT))
        return key

    @model_validator(mode="after")
    def _rule_fits_source(self) -> CriterionFile:
        problems: list[tuple[Loc, str]] = []
        if self.source == "computed":
            if self.rule is None:
                problems.append((("rule",), both("messages.scorecard_spec.computed_criterion_needs_rule", sep=" / ", value=', '.join(RULES))))
            if self.combine is not None:
                problems.append((("combine",), both("messages.scorecard_spec.combine_belongs_evaluator_criteria", sep=" / ")))
        elif self.rule is not None:
            problems.append((("rule",), both("messages.scorecard_spec.evaluator_criterion_has_no", sep=" / ")))
        takes = RULE_PARAMETERS.get(self.rule or "", ())
        for name in PARAMETERS:
            given = getattr(self, name) is not None
            if given and name not in takes:
                owner = next(rule for rule, params in RULE_PARAMETERS.items() if name in params)
                problems.append(((name,), both("messages.scorecard_spec.name_belongs_rule_owner", sep=" / ", name=name, owner=owner)))
            elif not given and name in takes:
                problems.append(((name,), both("messages.scorecard_spec.rule_rule_needs_name", sep=" / ", rule=self.rule, name=name)))
        raise_problems(problems)
        return self


class ScorecardFile(Schema):
    name: Text
    label: LabelFile
    total: PositiveFloat | None = None
    rounding: int = 2
    criteria: Items[CriterionFile]
    tie_break: Items[Text] = ()
    award_top: PositiveInt = 3

    @field_validator("name")
    @classmethod
    def _is_the_file_name(cls, name: str, info: ValidationInfo) -> str:
        path = (info.context or {}).get("file")
        stem = Path(path).stem if path else name
        if not _NAME.fullmatch(name):
            raise Invalid(both("messages.scorecard_spec.must_latin_letters_digits", sep=" / ", name=name))
        if name != stem:
            raise Invalid(f'файлын нэртэй ижил байна: "{stem}" / must be the file\'s name, "{stem}", got "{name}"')
        return name

    @field_validator("rounding")
    @classmethod
    def _places(cls, rounding: int) -> int:
        if not 0 <= rounding <= 4:
            raise Invalid(both("messages.scorecard_spec.must_within_got_rounding", sep=" / ", rounding=rounding))
        return rounding

    @field_validator("criteria")
    @classmethod
    def _keys_differ(cls, criteria: tuple[CriterionFile, ...]) -> tuple[CriterionFile, ...]:
        if not criteria:
            raise Invalid(both("messages.scorecard_spec.least_one_criterion_needed", sep=" / "))
        problems: list[tuple[Loc, str]] = []
        first: dict[str, int] = {}
        for index, criterion in enumerate(criteria):
            if criterion.key in first:
                other = first[criterion.key]
                problems.append(((index, "key"), both("messages.scorecard_spec.key_key_listed_twice", sep=" / ", key=criterion.key, other=other)))
            first.setdefault(criterion.key, index)
        raise_problems(problems)
        return criteria

    @field_validator("tie_break")
    @classmethod
    def _known_tie_breaks(cls, tie_break: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        criteria = info.data.get("criteria")
        if criteria is None:
            return tie_break
        known = [c.key for c in criteria] + [EARLIER_REPORT]
        problems: list[tuple[Loc, str]] = []
        for index, key in enumerate(tie_break):
            if key not in known:
                problems.append(((index,), f'"{key}" шалгуур алга / no criterion "{key}"; {suggestion(key, known)}'))
            elif key in tie_break[:index]:
                problems.append(((index,), both("messages.scorecard_spec.key_listed_twice", sep=" / ", key=key)))
        raise_problems(problems)
        return tie_break

    @model_validator(mode="after")
    def _maxima_add_to_total(self) -> ScorecardFile:
        if self.total is None:
            return self
        points = sum(c.max for c in self.criteria)
        if abs(points - self.total) > 1e-9:
            word = ("их", "above") if points > self.total else ("бага", "below")
            raise Invalid(at=[(("total",), f"шалгууруудын дээд оноо нийлээд {points:g}, total {self.total:g}-оос {word[0]} / the "
                                           f"criteria's maxima add to {points:g}, {word[1]} total {self.total:g}")])
        return self


# --- what the program uses -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Criterion:
    key: str
    label: str
    label_en: str
    max: float
    source: str  # computed | evaluator
    rule: str | None = None
    per_day: float = 0.0
    per_error: float = 0.0
    combine: str = "mean"

    def name(self, lang: str = "mn") -> str:
        return (self.label_en or self.label) if lang == "en" else self.label

    @property
    def computed(self) -> bool:
        return self.source == "computed"


@dataclass(frozen=True)
class Scorecard:
    name: str
    label: str
    label_en: str
    total: float  # the scale: the maxima's sum
    rounding: int
    criteria: tuple[Criterion, ...]
    tie_break: tuple[str, ...]
    award_top: int
    path: Path

    def title(self, lang: str = "mn") -> str:
        return (self.label_en or self.label) if lang == "en" else self.label

    @property
    def computed(self) -> tuple[Criterion, ...]:
        return tuple(c for c in self.criteria if c.computed)

    @property
    def evaluated(self) -> tuple[Criterion, ...]:
        return tuple(c for c in self.criteria if not c.computed)

    @property
    def needs_consolidation(self) -> bool:
        """Whether the period's consolidation is needed: a computed criterion, or the earlier report as a tie-break."""
        return bool(self.computed) or EARLIER_REPORT in self.tie_break


def scorecard_path(mappings: Path, name: str) -> Path:
    return mappings / SCORECARDS_DIR / f"{name}.yaml"


def known_scorecards(mappings: Path) -> list[str]:
    folder = mappings / SCORECARDS_DIR
    return sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []


def load_scorecard(mappings: Path, name: str) -> Scorecard:
    """The scorecard `name` of the mappings folder, validated; ConfigError naming the file and every wrong key."""
    path = scorecard_path(mappings, name)
    if not path.is_file():
        known = known_scorecards(mappings)
        hint = suggestion(name, known) if known else f"{mappings / SCORECARDS_DIR} хавтас хоосон / the folder holds none"
        raise ConfigError([ConfigIssue(str(path), FILE_KEY, f'"{name}" үнэлгээний хуудас олдсонгүй / no scorecard "{name}"; {hint}')])
    spec = load_yaml_model(path, ScorecardFile)
    assert spec is not None
    criteria = tuple(
        Criterion(key=c.key, label=c.label, label_en=c.label_en, max=c.max, source=c.source, rule=c.rule,
                  per_day=c.per_day or 0.0, per_error=c.per_error or 0.0, combine=c.combine or "mean")
        for c in spec.criteria
    )
    return Scorecard(name=spec.name, label=spec.label.mn, label_en=spec.label.en, total=sum(c.max for c in criteria),
                     rounding=spec.rounding, criteria=criteria, tie_break=tuple(spec.tie_break), award_top=spec.award_top,
                     path=path)
