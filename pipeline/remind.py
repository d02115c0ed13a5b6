"""Templates out and reminders (issue 16, parts 2 and 3): what each department is sent, and when.

`send-templates`: each expected department gets its pre-filled template (`prefill.write_all`), once per file
hash. `remind`: the departments that have not reported for the period, or whose consolidated report still
has errors, each with the official to call; with `--send` a Mongolian reminder (English second) naming what is
missing and the deadline, at most once a day, and (without `--force`) only on the days settings.yaml
`reminders: {days_before: [2], days_after: [1, 3]}` names around the deadline.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline import cycles
from pipeline.archive import sha256_of
from pipeline.config import Config, Department
from pipeline.outbox import Outgoing
from pipeline.prefill import Prefilled
from pipeline.words import Phrase, Text, both, say
from pipeline.workspace import Workspace

ERRORS_LISTED = 15


def _period_words(period: str) -> Phrase:
    """«2026 оны 10 дугаар сарын», «2026 оны III улирлын», «2026 оны»: the period before a noun; "October 2026"."""
    return Phrase(cycles.parse(period).genitive(), cycles.label(period, "en"))


def _deadline_words(day: dt.date) -> Phrase:
    return Phrase(_date_text(day), day.isoformat())


def _genitive(day: int) -> str:
    return "ний" if day % 10 in (1, 4, 9) else "ны"


def _date_text(day: dt.date) -> str:
    """«2026 оны 11 дүгээр сарын 5-ны»: the month's ordinal as its number takes it (summary.yaml `month`)."""
    return f"{day.year} оны {say(f'summary.month.m{day.month}', 'mn')} сарын {day.day}-{_genitive(day.day)}"


# --- templates ---------------------------------------------------------------------------------------------


def _both_parts(key: str, **params: Any) -> tuple[str, str]:
    return say(key, "mn", **params), say(key, "en", **params)


def _body(mn: list[str], en: list[str]) -> str:
    """A message in Mongolian, then its English part below a rule."""
    return "\n".join([say("remind.greeting", "mn"), "", *mn, "", "-" * 60, "English", "", *en, ""])


def _subject(key: str, period: str, dept: Department) -> str:
    return both(key, sep=" / ", period=period, department=dept.short or dept.name)


def template_message(dept: Department, period: str, written: Prefilled, deadline: dt.date) -> Outgoing:
    digest = sha256_of(written.path)
    progress = Text.of("remind.prefilled_progress", period=written.progress_from) if written.progress_from else ""
    prefilled = Text.of("remind.prefilled", progress=progress) if written.measures else ""
    attached = _both_parts("remind.template_attached", department=dept.name, period=_period_words(period), prefilled=prefilled)
    send_back = _both_parts("remind.send_back", deadline=_deadline_words(deadline))
    body = _body([attached[0], send_back[0]], [attached[1], send_back[1]])
    return Outgoing(
        key=f"{dept.name}|{period}|{digest}",
        department=dept.name,
        to=tuple(dept.emails),
        subject=_subject("remind.template_subject", period, dept),
        body=body,
        attachment=written.path,
        info={"period": period, "file": written.path.name, "sha256": digest},
    )


# --- reminders ---------------------------------------------------------------------------------------------


@dataclass
class Due:
    """A department the period still waits for: not reported, or its consolidated report has errors."""

    department: Department
    reported: bool
    file: str = ""
    errors: int = 0
    error_lines: list[str] = field(default_factory=list)


def reminder_offset(config: Config, period: str, today: dt.date) -> int:
    """Days from the deadline: negative before it, positive after."""
    from pipeline.run import deadline_for

    return (today - deadline_for(period, config)).days


def is_reminder_day(config: Config, period: str, today: dt.date) -> bool:
    offset = reminder_offset(config, period, today)
    return (-offset in config.settings.reminder_days_before) if offset < 0 else (offset in config.settings.reminder_days_after)


def _published_errors(workspace: Workspace, period: str, file: str) -> list[str]:
    """The errors of `file` as the last run listed them (output/PERIOD/problems.csv)."""
    path = workspace.output / period / "problems.csv"
    if not path.is_file():
        return []
    with path.open(encoding="utf-8-sig") as handle:
        return [" ".join(x for x in (row.get("sheet", ""), row.get("cell", "")) if x) + f": {row.get('message', '')}"
                for row in csv.DictReader(handle) if row.get("file") == file and row.get("severity") == "error"]


def waiting(workspace: Workspace, config: Config, period: str) -> list[Due]:
    """The expected departments that have not reported for the period, or whose consolidated report has errors."""
    from pipeline.run import current_submissions, store_location
    from pipeline.store import open_store

    chosen = {}
    store_file = store_location(config, workspace)
    if not isinstance(store_file, Path) or store_file.exists():  # a PostgreSQL store (a URL) is always there
        with open_store(store_file) as store:
            chosen = {d: s for d, s in current_submissions(store.submissions(period), store.pins(period)).items()
                      if s.readable}
    due = []
    for dept in cycles.expected(config.departments, config.settings.cycle, period):  # its cycle makes the period
        sub = chosen.get(dept.name)
        if sub is None:
            due.append(Due(dept, reported=False))
        elif sub.errors > 0:
            due.append(Due(dept, reported=True, file=sub.original_name, errors=sub.errors,
                           error_lines=_published_errors(workspace, period, sub.original_name)))
    return due


def reminder_message(item: Due, period: str, deadline: dt.date, today: dt.date) -> Outgoing:
    dept = item.department
    late = (today - deadline).days
    on = _deadline_words(deadline)
    when = (Text.of("remind.deadline_ahead", deadline=on) if late < 0 else
            Text.of("remind.deadline_passed", deadline=on, late=late) if late > 0 else
            Text.of("remind.deadline_today", deadline=on))
    if not item.reported:
        missing = _both_parts("remind.missing", department=dept.name, period=_period_words(period), when=when)
        send_it = _both_parts("remind.send_it")
        what_mn, what_en = [missing[0], send_it[0]], [missing[1], send_it[1]]
        subject = _subject("remind.missing_subject", period, dept)
    else:
        lines = [f"  - {line}" for line in item.error_lines[:ERRORS_LISTED]]
        more = item.errors - len(lines)
        if more > 0:
            lines.append(f"  ... {both('remind.more', sep=' / ', more=more)}")
        errors = _both_parts("remind.errors", department=dept.name, file=item.file, errors=item.errors, when=when)
        correct = _both_parts("remind.correct")
        what_mn, what_en = [errors[0], *lines, correct[0]], [errors[1], correct[1]]
        subject = _subject("remind.errors_subject", period, dept)
    body = _body(what_mn, what_en)
    return Outgoing(key=f"{dept.name}|{period}|{today.isoformat()}", department=dept.name, to=tuple(dept.emails),
                    subject=subject, body=body,
                    info={"period": period, "day": today.isoformat(), "reason": "errors" if item.reported else "missing"})


def reminders(workspace: Workspace, config: Config, period: str, today: dt.date) -> tuple[list[Due], list[Outgoing]]:
    from pipeline.run import deadline_for

    deadline = deadline_for(period, config)
    due = waiting(workspace, config, period)
    return due, [reminder_message(item, period, deadline, today) for item in due]


def local_today(config: Config) -> dt.date:
    from pipeline.intake import tz_of

    return dt.datetime.now(tz_of(config)).date()
