"""Scorecards (issue 18): rank organisations on several criteria, some computed from the consolidation, some typed by
evaluators.

    mappings/scorecards/NAME.yaml            the scorecard (spec.py)
    negtgel scorecard template NAME          the evaluators' workbook (sheet.py), computed criteria filled from the
                                             period's consolidation (facts.py) and locked
    <workspace>/scorecards/NAME/YYYY-MM/     where the returned workbooks are put (the run's default)
    negtgel scorecard run NAME               points combined and ranked (score.py), written to
                                             output/YYYY-MM/scorecard_NAME_YYYY-MM.xlsx (result.py)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.config import Config
from pipeline.errors import NegtgelError
from pipeline.output.safe import Written
from pipeline.problems import Lang, Problem, ProblemLog
from pipeline.read.package import SPREADSHEET_SUFFIXES, is_skipped_name
from pipeline.scorecard.facts import Facts, period_facts
from pipeline.scorecard.result import result_name, write_result
from pipeline.scorecard.score import Given, Row, computed_problems, score
from pipeline.scorecard.sheet import read_returned, template_name, write_template
from pipeline.scorecard.spec import SCORECARDS_DIR, Scorecard, load_scorecard
from pipeline.workspace import Workspace

__all__ = ["ScorecardRun", "load_scorecard", "make_templates", "returned_folder", "run_scorecard"]


def returned_folder(workspace: Workspace, card: Scorecard, period: str) -> Path:
    """Where the evaluators' returned workbooks are put: <workspace>/scorecards/NAME/YYYY-MM/."""
    return workspace.root / SCORECARDS_DIR / card.name / period


def _facts(config: Config, workspace: Workspace, card: Scorecard, period: str, store_path: Path | None,
           lang: Lang) -> dict[str, Facts]:
    return period_facts(config, workspace, period, store_path, lang) if card.needs_consolidation else {}


def make_templates(config: Config, workspace: Workspace, card: Scorecard, period: str, evaluators: Sequence[str] = (),
                   output_dir: Path | None = None, store_path: Path | None = None, lang: Lang = "mn") -> list[Written]:
    """Write the evaluators' workbook, one per evaluator named (or one for anybody), into output/YYYY-MM/."""
    if not config.departments:
        raise NegtgelError("No organisations: list them in mappings/departments.yaml." if lang == "en" else
                           "Байгууллага алга: mappings/departments.yaml-д жагсаана уу.")
    facts = _facts(config, workspace, card, period, store_path, lang)
    folder = (workspace.output if output_dir is None else output_dir) / period
    returned_folder(workspace, card, period).mkdir(parents=True, exist_ok=True)
    reporting = tuple(d for d in config.departments if d.reports)  # a grouping unit (issue 17) is no organisation
    return [write_template(folder / template_name(card, period, name), card, period, reporting, facts, name)
            for name in (list(evaluators) or [""])]


@dataclass
class ScorecardRun:
    card: Scorecard
    period: str
    rows: list[Row]
    given: list[Given]
    problems: ProblemLog
    written: Written
    files: list[Path] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return self.problems.has_errors()


def discover_returned(paths: Sequence[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.iterdir()
                            if p.is_file() and p.suffix.lower() in SPREADSHEET_SUFFIXES and not is_skipped_name(p.name))
        elif path.is_file():
            found.append(path)
    return found


def _one_per_evaluator(returned: list[tuple[Path, Given]], log: ProblemLog) -> list[Given]:
    """An evaluator's newest workbook (by the time it was saved); the older ones are listed, not used."""
    newest: dict[str, tuple[float, Path, Given]] = {}
    for path, given in returned:
        try:
            saved = path.stat().st_mtime
        except OSError:
            saved = 0.0
        key = given.evaluator.casefold()
        if key in newest:
            other = newest[key]
            older, kept = ((path, other[1]) if (saved, path.name) < (other[0], other[1].name) else (other[1], path))
            log.add(Problem("scorecard-evaluator-twice", file=older.name, value=given.evaluator, detail=kept.name))
            if older == path:
                continue
        newest[key] = (saved, path, given)
    return [given for _, _, given in sorted(newest.values(), key=lambda item: item[1].name)]


def run_scorecard(config: Config, workspace: Workspace, card: Scorecard, period: str, files: Sequence[Path] = (),
                  output_dir: Path | None = None, store_path: Path | None = None, lang: Lang = "mn") -> ScorecardRun:
    """Read the returned workbooks (default: the scorecard's folder of the period), combine and rank, write the result."""
    folder = returned_folder(workspace, card, period)
    paths = discover_returned(list(files) or [folder])
    if card.evaluated and not paths:
        raise NegtgelError(
            f"No evaluators' workbook found in {folder}. Write them with `negtgel scorecard template {card.name} --period "
            f"{period}`, and put the returned ones there (or name them on the command line)." if lang == "en" else
            f"{folder} хавтаст үнэлгээчний ажлын ном алга. `negtgel scorecard template {card.name} --period {period}` гэж "
            f"бэлтгээд, бөглөж ирүүлснийг энэ хавтаст хуулна уу (эсвэл файлуудыг тушаалд заана уу)."
        )
    facts = _facts(config, workspace, card, period, store_path, lang)
    log = ProblemLog()
    returned: list[tuple[Path, Given]] = []
    for path in paths:
        read = read_returned(path, card, period, config, lang)
        log.extend(read.problems)
        if read.given is not None:
            returned.append((path, read.given))
    given = _one_per_evaluator(returned, log)
    used = {g.file for g in given}
    # Only the problems of the workbooks used; a superseded workbook's own faults no longer matter.
    dropped = {path.name for path, g in returned if g.file not in used}
    log = ProblemLog(p for p in log if p.file not in dropped or p.code == "scorecard-evaluator-twice")
    organisations = [(d.name, d.short) for d in config.departments if d.reports]  # not a grouping unit (issue 17)
    if card.computed:
        log.extend(computed_problems(card, [name for name, _ in organisations], facts, lang))
    rows = score(card, organisations, facts, given)
    out = (workspace.output if output_dir is None else output_dir) / period
    written = write_result(out / result_name(card, period, lang), card, period, rows, given, log, lang)
    return ScorecardRun(card, period, rows, given, log, written, paths)
