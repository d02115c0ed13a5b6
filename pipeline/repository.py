"""The edge of a period: every read before the report is built, every write after.

`Repository.gather` reads what a period's report rests on — the store's submissions, pins, overrides,
closing and trend results, each submission's read (this intake's, else the parse cache, else the verified
archive copy), the workspace's approved plans and the review workbooks edited since written — into one
`PeriodInputs`; `build.period_report` turns them into a `Report` without touching a file or the store;
`Repository.commit` keeps what the report says (each submission's validation counts, the overrides in force,
the period's figures for trends) and `Repository.close_period` freezes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pipeline import cycles, manifest
from pipeline.archive import ArchiveError, archived_path, check_archive
from pipeline.build import HISTORY_MONTHS, build_report, current_submissions, frozen_report, results_rows, snapshot
from pipeline.config import Config
from pipeline.errors import NegtgelError
from pipeline.intake import Intake, read_cached
from pipeline.model import Closing, PeriodInputs, Report, Submission
from pipeline.normalise import pack_read
from pipeline.normcache import GatheredCache, cache_key
from pipeline.output.names import LANGS, consolidated_name
from pipeline.plan import accept_in_workbook, acceptances, load_plans
from pipeline.problems import Lang, Problem, ProblemLog
from pipeline.read.workbook import FileRead
from pipeline.review import merge_overrides
from pipeline.review_workbook import read_plan_acceptances, read_review
from pipeline.store import Store, open_store
from pipeline.words import both
from pipeline.workspace import Workspace


def closing_of(store: Store, period: str) -> Closing | None:
    if store.frozen(period) is None:
        return None
    closes = [(at, reason) for action, reason, at in store.events(period) if action == "close"]
    at, reason = closes[-1] if closes else ("", "")
    return Closing(closed_at=at, reason=reason)


def consolidated_path(period_dir: Path, period: str, lang: Lang = "mn") -> Path:
    return period_dir / consolidated_name(period, lang)


def review_workbook(period_dir: Path, period: str, lang: Lang = "mn") -> tuple[Path, Lang]:
    """The workbook whose review columns are read back: the Mongolian `negtgel_YYYY-MM.xlsx`, whichever
    language the run writes; the English one only when the period has no Mongolian workbook."""
    for candidate in LANGS:
        path = consolidated_path(period_dir, period, candidate)
        if path.exists():
            return path, candidate
    return consolidated_path(period_dir, period, lang), lang


class Repository:
    """The store, the archive, the workspace's plans and the review workbooks of one run."""

    def __init__(self, store: Store, config: Config, workspace: Workspace, intake: Intake | None = None):
        self.store = store
        self.config = config
        self.workspace = workspace
        self.intake = intake

    def gather(self, period: str, period_dir: Path | None = None, lang: Lang = "mn", *, reviews: bool = True) -> PeriodInputs:
        """Everything the period's report is built from. An open period's archived files are checked first:
        ArchiveError, before anything is read, when one is missing or changed. The review workbooks in
        `period_dir` are read when edited since written (`reviews`; without, only the store's overrides)."""
        store = self.store
        subs = store.submissions(period)
        closing = closing_of(store, period)
        frozen = store.frozen(period) if closing is not None else None
        workbook, source_lang = review_workbook(period_dir, period, lang) if period_dir is not None else (
            Path(consolidated_name(period, lang)), lang)
        known = cycles.trend(store.result_periods(), period, HISTORY_MONTHS)
        inputs = PeriodInputs(
            period=period,
            submissions=subs,
            reads={},
            pins=store.pins(period),
            stored_overrides=store.overrides(period),
            review_name=workbook.name,
            review_lang=source_lang,
            intake_problems=list(self.intake.problems) if self.intake is not None else [],
            history_periods=known,
            history=store.results(known),
            closing=closing,
            frozen=frozen[1] if frozen is not None else None,
        )
        if period_dir is not None and reviews:
            if manifest.edited_since_written(period_dir, workbook.name, source_lang) and workbook.exists():
                inputs.review = read_review(workbook, source_lang)
            for other_lang in LANGS:
                other = consolidated_path(period_dir, period, other_lang)
                if other != workbook and manifest.edited_since_written(period_dir, other.name, other_lang):
                    inputs.other_reviews.append(read_review(other, other_lang))
        if closing is None:
            missing = check_archive(subs, self.workspace, store)
            if missing:
                raise ArchiveError(period, missing, lang)
            for sub in subs:
                inputs.reads[sub.id] = self._load(sub)
            inputs.normalised = self._normalised(subs, inputs.pins)
            year = cycles.year_of(period)
            if inputs.review is not None:  # issue 16: changes accepted on the workbook's change sheet, recorded first
                wanted, unreadable = read_plan_acceptances(workbook)
                inputs.intake_problems.extend(unreadable)
                inputs.intake_problems.extend(accept_in_workbook(wanted, workbook.name, self.workspace, self.config, year))
            inputs.plans = load_plans(self.workspace, year)
            if inputs.plans:
                inputs.acceptances = acceptances(self.workspace, year)
        elif inputs.review is not None:
            # A closed period's plan changes are frozen with it: a reason typed on its change sheet is refused
            # cell by cell, as its review cells are, and the sheet is written back as frozen.
            wanted, _ = read_plan_acceptances(workbook)
            inputs.intake_problems.extend(
                Problem("review-period-closed", file=workbook.name, sheet=sheet, cell=cell, value=reason, detail=period)
                for _department, _no, reason, sheet, cell in wanted)
        return inputs

    def _load(self, sub: Submission) -> FileRead:
        """A submission's read: from this intake, else the parse cache, else the archived copy (already verified);
        packed into column lists as it is loaded (`normalise.pack_read`, issue 19), and the intake's own read
        replaced by the packed one, so that no file's records are held as a dict a measure until the build."""
        if self.intake is not None and sub.sha256 in self.intake.reads:
            packed = pack_read(self.intake.reads[sub.sha256])
            self.intake.reads[sub.sha256] = packed
            return packed
        return pack_read(read_cached(archived_path(sub, self.workspace), sub.sha256, sub.original_name, self.store, self.config))

    def _normalised(self, subs: Sequence[Submission], pins: dict[str, int]) -> GatheredCache:
        """The kept normalised rows of the files the period consolidates (issue 19), under this config's key."""
        key = cache_key(self.config)
        shas = [s.sha256 for s in current_submissions(subs, pins).values()]
        entries: dict[str, bytes] = {}
        for first in range(0, len(shas), 500):  # within any database's limit of parameters a statement
            entries.update(self.store.normalised(shas[first:first + 500], key))
        return GatheredCache(key, entries)

    def record_counts(self, inputs: PeriodInputs, problems: ProblemLog) -> None:
        """Each submission's validation result, now that its measures have been read too."""
        counts: dict[str, tuple[int, int]] = {}
        for p in problems:
            errors, warnings = counts.get(p.file, (0, 0))
            counts[p.file] = (errors + (p.severity == "error"), warnings + (p.severity == "warning"))
        with self.store.transaction():
            for sub in inputs.submissions:
                errors, warnings = counts.get(sub.original_name, (0, 0))
                if (errors, warnings) != (sub.errors, sub.warnings):
                    self.store.set_counts(sub.id, errors, warnings)

    def commit(self, inputs: PeriodInputs, report: Report) -> None:
        """Keep an open period's results: the counts, the overrides in force (followed to their measures),
        the figures for trends. A closed period's report changes nothing."""
        if report.closing is not None:
            return
        self.record_counts(inputs, report.problems)
        cache = inputs.normalised
        if cache is not None:
            for first in range(0, len(cache.made), 200):
                self.store.save_normalised(cache.made[first:first + 200], cache.key)
            cache.made.clear()
        self.store.replace_overrides(inputs.period, report.overrides.as_rows())
        self.store.save_results(inputs.period, results_rows(report))

    def close_period(self, report: Report, reason: str) -> None:
        """Freeze the report's figures as the period's snapshot."""
        frozen = snapshot(report)
        frozen["last_submission_id"] = max((s.id for s in self.store.submissions()), default=0)
        self.store.close_period(report.period, reason, frozen)


def published_report(config: Config, workspace: Workspace, store_path: Path | str | None, period: str) -> Report:
    """The period's published result: the frozen figures of a closed period, else rebuilt from the archive
    with the overrides the store keeps (the review workbook is not read); only the counts are recorded."""
    with open_store(workspace.store_path(config.settings.store, store_path)) as store:
        repository = Repository(store, config, workspace)
        if closing_of(store, period) is not None:
            return frozen_report(repository.gather(period), config)
        if not store.submissions(period):
            raise NegtgelError(both("messages.export.no_reports_period_store", sep=" / ", period=period))
        inputs = repository.gather(period, workspace.output / period, reviews=False)
        report = build_report(inputs, merge_overrides(inputs.stored_overrides, None, inputs.review_name, inputs.review_lang),
                              config, period)
        repository.record_counts(inputs, report.problems)
        return report
