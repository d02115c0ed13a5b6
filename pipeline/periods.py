"""A period's life: who reported and when, pinning a submission, closing and reopening.

Closing freezes the published figures in the store; later runs of that period reproduce them exactly,
and files arriving afterwards are archived and listed without changing them until the period is reopened.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline import cycles
from pipeline.build import build_report, corrections_of, current_submissions, deadline_for, first_reports, lateness
from pipeline.config import Config
from pipeline.errors import NegtgelError
from pipeline.intake import tz_of
from pipeline.mail import state as mail_state
from pipeline.model import Report
from pipeline.repository import Repository, closing_of
from pipeline.review import merge_overrides
from pipeline.run import choose_period, store_location
from pipeline.store import Store, open_store
from pipeline.words import both
from pipeline.workspace import Workspace


@dataclass
class Completeness:
    period: str
    deadline: dt.date
    closed: bool
    # department, short, official, reported, received_at (first report), days_late, on_time, file (consolidated),
    # submissions, corrections (later readable reports' times)
    table: pd.DataFrame
    quarantined: list[tuple[str, str, str]] = field(default_factory=list)  # (sender, date, subject) of mail kept aside


def completeness(store: Store, config: Config, period: str) -> Completeness:
    """Which expected departments reported for the period, on time or how many days late, and who is missing."""
    subs = store.submissions(period)
    chosen = current_submissions(subs, store.pins(period))
    # Timeliness is set by the first readable report; the file shown is the one consolidated.
    first = first_reports(subs)
    later = corrections_of(subs, first)
    deadline = deadline_for(period, config)
    tz = tz_of(config)
    rows = []
    owing = [d.name for d in config.departments if cycles.expected_in(d, config.settings.cycle, period)]
    names = owing + sorted(d for d in chosen if d not in owing)
    official = {d.name: d.official for d in config.departments}
    short = {d.name: d.short for d in config.departments}
    for name in names:
        sub = first.get(name)
        count = sum(1 for s in subs if s.department == name)
        if sub is None:
            rows.append({"department": name, "short": short.get(name, ""), "official": official.get(name, ""), "reported": False,
                         "received_at": "", "days_late": None, "on_time": None, "file": "", "submissions": count, "corrections": ""})
            continue
        when, late = lateness(sub, deadline, tz)
        rows.append({"department": name, "short": short.get(name, ""), "official": official.get(name, ""), "reported": True,
                     "received_at": when, "days_late": late, "on_time": late == 0,
                     "file": chosen[name].original_name if name in chosen else sub.original_name, "submissions": count,
                     "corrections": "; ".join(lateness(fix, deadline, tz)[0] for fix in later.get(name, []))})
    table = pd.DataFrame(rows, columns=["department", "short", "official", "reported", "received_at", "days_late", "on_time", "file", "submissions",
                                        "corrections"])
    table["days_late"] = table["days_late"].astype("Int64")
    quarantined = [
        (sender or "", (date or "")[:16], subject or "")
        for sender, date, subject in mail_state.quarantined(store)
    ]
    return Completeness(period, deadline, store.frozen(period) is not None, table, quarantined)


def status(config: Config, workspace: Workspace, store_path: Path | str | None, period: str | None) -> Completeness:
    with open_store(store_location(config, workspace, store_path)) as store:
        return completeness(store, config, choose_period(store, period, assign=False, cycle=config.settings.cycle))


def close(config: Config, workspace: Workspace, output_dir: Path | None, store_path: Path | str | None, period: str, reason: str) -> Report:
    """Freeze the period's figures as they stand now (with the specialist's review applied), rebuilt from the
    archive; a period whose archived files are missing or changed cannot be closed (ArchiveError)."""
    if not reason.strip():
        raise NegtgelError(both("messages.periods.close_reason_missing", sep=" / "))
    output_dir = workspace.output if output_dir is None else output_dir
    with open_store(store_location(config, workspace, store_path)) as store:
        if closing_of(store, period) is not None:
            raise NegtgelError(both("messages.periods.already_closed", sep=" / ", period=period))
        if not store.submissions(period):
            raise NegtgelError(both("messages.periods.no_reports", sep=" / ", period=period))
        repository = Repository(store, config, workspace)
        inputs = repository.gather(period, output_dir / period)
        overrides = merge_overrides(inputs.stored_overrides, inputs.review, inputs.review_name, inputs.review_lang)
        report = build_report(inputs, overrides, config, period)
        repository.commit(inputs, report)
        repository.close_period(report, reason.strip())
        return report


def reopen(config: Config, workspace: Workspace, store_path: Path | str | None, period: str, reason: str) -> None:
    if not reason.strip():
        raise NegtgelError(both("messages.periods.reopen_reason_missing", sep=" / "))
    with open_store(store_location(config, workspace, store_path)) as store:
        if closing_of(store, period) is None:
            raise NegtgelError(both("messages.periods.not_closed", sep=" / ", period=period))
        store.reopen_period(period, reason.strip())


def pin(config: Config, workspace: Workspace, store_path: Path | str | None, period: str, submission: str, reason: str) -> str:
    """Consolidate an older submission instead of the newest: by its number or its file name."""
    with open_store(store_location(config, workspace, store_path)) as store:
        subs = store.submissions(period)
        found = [s for s in subs if str(s.id) == submission or s.original_name == submission or s.sha256.startswith(submission)]
        if len(found) != 1:
            listing = "\n".join(f"  {s.id}: {s.original_name} ({s.department or '?'}, {s.received_at[:16]})" for s in subs)
            raise NegtgelError(both("messages.periods.pin_not_found", sep=" / ", submission=submission, period=period) + f":\n{listing}")
        sub = found[0]
        if sub.department is None:
            raise NegtgelError(both("messages.periods.pin_department_unknown", sep=" / "))
        if closing_of(store, period) is not None:
            raise NegtgelError(both("messages.periods.closed_reopen_first", sep=" / ", period=period))
        store.pin(period, sub.department, sub.id, reason)
        return f"{sub.department}: {sub.original_name}"


def unpin(config: Config, workspace: Workspace, store_path: Path | str | None, period: str, department: str) -> bool:
    with open_store(store_location(config, workspace, store_path)) as store:
        match = [d.name for d in config.departments if department in (d.name, d.short)] or [department]
        return store.unpin(period, match[0])
