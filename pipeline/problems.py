"""Problems: small declarative records with a stable code, a location and parameters.

Checks *yield* problems; the run collects them into one `ProblemLog`, so the specialist gets the
complete list at the end instead of the first exception. A code's severity and its Mongolian and
English wording live in the words catalogue (`pipeline/words/problems.yaml`); the message is written
when it is shown, in the reader's language.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal, cast

import pandas as pd

from pipeline.words import PROBLEM_PREFIX, Lang, Phrase, Said, Text, catalogue, english_half, render_template

__all__ = ["CATALOGUE", "PROBLEM_COLUMNS", "Lang", "Phrase", "Problem", "ProblemLog", "ProblemType", "Severity", "Text"]

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class ProblemType:
    severity: Severity
    mn: str
    en: str


# The problems' wording lives in the words catalogue (pipeline/words/problems.yaml, key `problem.<code>`):
# templates take `{value}`, `{detail}`, `{sheet}`, `{file}` and the keys of Problem.extra. The codes are public.
CATALOGUE: dict[str, ProblemType] = {
    key.removeprefix(PROBLEM_PREFIX): ProblemType(cast(Severity, w.severity), w.mn, w.en)
    for key, w in catalogue().items()
    if key.startswith(PROBLEM_PREFIX)
}


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one place in one file."""

    code: str
    file: str = ""
    sheet: str = ""
    cell: str = ""
    row: int | None = None  # 1-based sheet row, when the problem belongs to a measure row
    value: str = ""
    # A reading's sentence as a `Text` (a key and parameters, rendered in the reader's language) or a `Phrase`
    # (both languages, from the notation readers), or plain text that needs no translating (a number, a name). Older stored problems hold a "Монгол / English" text:
    # an English message shows its English half.
    detail: str | Said = ""
    extra: tuple[tuple[str, str], ...] = field(default=())

    def __post_init__(self) -> None:
        if self.code not in CATALOGUE:
            raise KeyError(f"unknown problem code {self.code!r}")

    @property
    def severity(self) -> Severity:
        return CATALOGUE[self.code].severity

    def message(self, lang: Lang = "mn") -> str:
        kind = CATALOGUE[self.code]
        template = kind.en if lang == "en" else _guillemets(kind.mn)
        params: dict[str, object] = dict(self.extra)
        if lang == "en":  # a parameter stored in both languages (`what`, `what_en`): the English one
            params.update({k.removesuffix("_en"): v for k, v in self.extra if k.endswith("_en")})
        detail = self.detail
        if isinstance(detail, str) and lang == "en":
            detail = english_half(detail)
        params.update(value=_shorten(self.value), detail=detail, sheet=self.sheet, file=self.file)
        text = render_template(template, lang, params)
        # Readings quote cell text in `backticks`; a civil servant reads «guillemets».
        return _QUOTED.sub(r"«\1»", text) if lang != "en" else text


_QUOTED = re.compile(r"`([^`]*)`")


@functools.cache
def _guillemets(template: str) -> str:
    """Mongolian text quotes with «guillemets»; the catalogue is typed with straight quotes."""
    return re.sub(r'"([^"]*)"', r"«\1»", template)


def _shorten(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


PROBLEM_COLUMNS = ["file", "sheet", "cell", "code", "severity", "message"]


class ProblemLog:
    """Collects problems from every stage of a run."""

    def __init__(self, problems: Iterable[Problem] = ()) -> None:
        self._items: list[Problem] = list(problems)

    def add(self, problem: Problem) -> None:
        self._items.append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        self._items.extend(problems)

    def __iter__(self) -> Iterator[Problem]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def has_errors(self, file: str | None = None) -> bool:
        return any(p.severity == "error" and (file is None or p.file == file) for p in self._items)

    def counts(self) -> Mapping[str, int]:
        errors = sum(p.severity == "error" for p in self._items)
        return {"error": errors, "warning": len(self._items) - errors}

    def to_frame(self, lang: Lang = "mn") -> pd.DataFrame:
        """The problems as a table, ordered by file, sheet and position, for the workbook and CSV."""
        records = [
            {
                "file": p.file,
                "sheet": p.sheet,
                "cell": p.cell,
                "code": p.code,
                "severity": p.severity,
                "message": p.message(lang),
                "_row": p.row if p.row is not None else 0,
            }
            for p in self._items
        ]
        frame = pd.DataFrame.from_records(records, columns=[*PROBLEM_COLUMNS, "_row"])
        frame = frame.sort_values(["file", "sheet", "_row", "cell", "code"], kind="stable")
        return frame.drop(columns="_row").drop_duplicates().reset_index(drop=True)
