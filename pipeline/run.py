"""The monthly consolidation, end to end: intake -> read -> normalise -> score -> roll up -> outputs.

Each stage is a plain function from tables to tables; this module runs the sequence intake -> gather
(`repository.py`: every read) -> build (`build.py`: the pure core) -> commit (every store write) -> write
(`output/`), and keeps I/O (the input folder, the store, the output folder) at those edges.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline import cycles, manifest
from pipeline.archive import ArchiveError, check_archive
from pipeline.build import current_submissions, deadline_for, period_report  # noqa: F401 - the first two: callers reach them here
from pipeline.config import Config, Methodology
from pipeline.errors import NegtgelError
from pipeline.intake import Arrival, Intake, discover, rematch_departments, take_in
from pipeline.manifest import RunSummary
from pipeline.memory import give_back, large_blocks_mapped
from pipeline.model import Report
from pipeline.output.names import LANGS, consolidated_name
from pipeline.plan import fingerprint as plan_fingerprint
from pipeline.problems import Lang
from pipeline.repository import Repository, closing_of
from pipeline.store import Store, open_store
from pipeline.timing import stage
from pipeline.words import both
from pipeline.workspace import Workspace

Progress = Callable[[str, int, int], None]  # (stage, done, total): the terminal's progress bar


@dataclass
class RunResult:
    summary: RunSummary
    outputs: list[Path]
    alongside: list[Path]
    intake: Intake
    output_dir: Path
    report: Report | None = None  # None when nothing changed and the outputs were left as they were

    @property
    def has_errors(self) -> bool:
        return self.summary.errors > 0

    @property
    def unchanged(self) -> bool:
        return self.report is None


ERRORS_SHOWN = 10


def summarise(report: Report, lang: Lang = "mn", method: Methodology | None = None) -> RunSummary:
    counts = report.problems.counts()
    errors = [p for p in report.problems if p.severity == "error"]
    table = report.departments
    missing = [str(d) for d, e, r in zip(table["department"], table["expected"], table["reported"], strict=True) if e and not r]
    return RunSummary(
        errors_shown=[f"{p.file} {p.sheet} {p.cell}".strip() + f": {p.message(lang)}" for p in errors[:ERRORS_SHOWN]],
        missing=missing,
        period=report.period,
        files=len(report.submissions),
        reported=report.reported,
        expected=report.expected,
        measures=len(report.measures),
        errors=counts["error"],
        warnings=counts["warning"],
        overall_pct=report.overall.pct,
        rating=method.rating_name(report.overall.rating, lang) if method else report.overall.rating,
        closed=report.closing is not None,
        **_override_counts(report, method),
    )


def _override_counts(report: Report, method: Methodology | None) -> dict[str, Any]:
    """How many reviewer's levels the run read from the workbook, how many are applied to a measure, how many were refused."""
    keys = set(report.measures["measure_key"]) if "measure_key" in report.measures.columns else set()
    valid = report.overrides.parsed(method) if method is not None else report.overrides.rows
    return {
        "overrides_read": report.overrides.read,
        "overrides_in_force": sum(1 for key in valid if key in keys),
        "overrides_refused": sum(1 for p in report.problems if p.code == "review-period-closed"),
    }


def choose_period(store: Store, requested: str | None, today: dt.date | None = None, *, assign: bool = True,
                  cycle: str = "monthly") -> str:
    """The period asked for, else the latest period any report names; files that name none join it
    (when `assign`: a run does, a look at the status does not). With no period at all: the last one of
    settings.yaml's `cycle` that ended before today."""
    if requested:
        chosen = requested
    else:
        known = [s.period for s in store.submissions() if s.period and s.period_source != "assumed"]
        periods = cycles.ordered(known) or cycles.ordered(store.periods())
        if periods:
            chosen = periods[-1]
        elif store.has_pending():
            chosen = cycles.last_ended(cycle, today or dt.date.today()).name
        else:
            raise NegtgelError(both("messages.run.no_reports", sep=" / "))
    if assign:
        store.assign_pending(chosen)
    return chosen


def review_pending(period_dir: Path, period: str) -> bool:
    """Whether a review workbook of either language was saved since its run wrote it (an English run must
    not say "no change" over edits typed into the Mongolian workbook)."""
    return any(manifest.edited_since_written(period_dir, consolidated_name(period, lang), lang) for lang in LANGS)


def consolidate_period(
    store: Store,
    config: Config,
    period: str,
    workspace: Workspace,
    period_dir: Path,
    intake: Intake,
    lang: Lang = "mn",
) -> Report:
    """The period's report: gather its inputs (the edge), build it (the pure core: rebuilt from the archive while
    open, reproduced from the frozen figures once closed), keep its results (the edge again).

    The review workbook (`review_workbook`) is read back when edited since written; a closed period's is not:
    every cell that differs from the overrides in force is refused (`review-period-closed`) and the in-force
    values are written back."""
    repository = Repository(store, config, workspace, intake)
    inputs = repository.gather(period, period_dir, lang)
    report = period_report(inputs, config)
    repository.commit(inputs, report)
    return report


def run_consolidation(
    workspace: Workspace,
    config: Config,
    *,
    input_dir: Path | None = None,
    output_dir: Path | None = None,
    period: str | None = None,
    store_path: Path | str | None = None,
    lang: Lang = "mn",
    progress: Progress | None = None,
    arrivals: Sequence[Arrival] | None = None,
    per_department_files: bool = False,
) -> RunResult:
    """Take in every new file from `input_dir` (default: the workspace's input/) into the workspace, consolidate
    the period and write its outputs to `output_dir` (default: the workspace's output/). Raises only NegtgelError."""
    from pipeline.output.writer import drawing, write_outputs

    if input_dir is None:  # the workspace's own input folder: made when missing, never an error
        input_dir = workspace.input
        with contextlib.suppress(OSError):
            input_dir.mkdir(parents=True, exist_ok=True)
    output_dir = workspace.output if output_dir is None else output_dir
    if arrivals is None and input_dir.absolute() == workspace.root:
        raise NegtgelError(both("messages.run.workspace_not_input", sep=" / ", root=workspace.root, input=workspace.input))
    if arrivals is None and not input_dir.is_dir():
        raise NegtgelError(both("messages.run.input_missing", sep=" / ", folder=input_dir))
    large_blocks_mapped()  # issue 19: the frames' arrays in pages of their own, returned when freed
    with gc_paused(), open_store(store_location(config, workspace, store_path)) as store:
        own = (workspace.archive, workspace.quarantine, workspace.output, output_dir, workspace.mappings)
        found = list(arrivals) if arrivals is not None else [Arrival(p, p.name) for p in discover(input_dir, skip=own)]
        with stage("intake (hash, read new files, archive)"):
            intake = take_in(found, store, config, workspace, progress=progress)
            with store.transaction():
                rematch_departments(store, config, workspace)
        chosen_period = choose_period(store, period, cycle=config.settings.cycle)
        period_dir = output_dir / chosen_period
        if closing_of(store, chosen_period) is None:
            missing = check_archive(store.submissions(chosen_period), workspace, store)
            if missing:
                raise ArchiveError(chosen_period, missing, lang)
        print_ = manifest.fingerprint(store, config, chosen_period, intake, {"lang": lang, "split": per_department_files,
                                                                      "plans": plan_fingerprint(workspace, cycles.year_of(chosen_period))})
        summary = None if review_pending(period_dir, chosen_period) else manifest.unchanged(period_dir, print_, lang)
        if summary is not None:
            return RunResult(summary, [], [], intake, period_dir)
        # The drawing process gets matplotlib ready on the other core while this one builds the report.
        with drawing(config.methodology) as drawer:
            with stage("consolidate (normalise, score, roll up)"):
                report = consolidate_period(store, config, chosen_period, workspace, period_dir, intake, lang)
            intake.reads.clear()  # every read is in the report now: not kept (and not forked) while writing (issue 19)
            give_back()  # and their pages returned, so that the writer processes do not start with them
            with stage("write outputs"):
                written = write_outputs(report, period_dir, config, lang=lang, per_department_files=per_department_files,
                                        drawer=drawer)
        summary = summarise(report, lang, config.methodology)
        manifest.record(period_dir, print_, [w.path for w in written], summary, lang)
    return RunResult(
        summary=summary,
        outputs=[w.path for w in written],
        alongside=[w.path for w in written if w.alongside],
        intake=intake,
        output_dir=period_dir,
        report=report,
    )


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """A run builds hundreds of thousands of objects that live to its end and form no cycles: the cyclic
    collector would only walk them again and again (about 7 % of a large run)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def store_location(config: Config, workspace: Workspace, store_path: Path | str | None = None) -> Path | str:
    """`--store`, else settings.yaml `store:` (relative to the workspace), else the workspace's negtgel.db."""
    return workspace.store_path(config.settings.store, store_path)
