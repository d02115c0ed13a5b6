"""Mail the specialist sends out (issue 16, parts 2 and 3): templates to fill, reminders to report.

Every message is recorded in a JSON-lines log in the workspace, `outbox/<kind>.jsonl`, one line when it is
about to go (`pending`) and one when the server took it (`sent`). A message whose key is already in the log
is never sent again: a template by department, period and file hash; a reminder by department, period
and day. A `pending` line with no `sent` after it (the run was killed in between) is not retried either:
the message may have gone, and sending twice is the one thing promised never to happen; it is listed.
Messages are built with `email.policy.SMTP`, Mongolian first, English second.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

from pipeline.jsonlog import append_line, read_lines
from pipeline.mail.receipts import FoldedHeader, SmtpOutbox
from pipeline.mail.settings import MailError, SmtpSettings
from pipeline.words import both
from pipeline.workspace import Workspace

OUTBOX_DIR = "outbox"
XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def log_path(workspace: Workspace, kind: str) -> Path:
    return workspace.root / OUTBOX_DIR / f"{kind}.jsonl"


def read_log(workspace: Workspace, kind: str) -> list[dict[str, Any]]:
    return read_lines(log_path(workspace, kind))


def append_log(workspace: Workspace, kind: str, entry: Mapping[str, Any]) -> None:
    append_line(log_path(workspace, kind), entry)


def states(workspace: Workspace, kind: str) -> dict[str, str]:
    """Each key's last state in the log: `sent`, or `pending` (may have gone)."""
    found: dict[str, str] = {}
    for entry in read_log(workspace, kind):
        key, state = str(entry.get("key", "")), str(entry.get("state", ""))
        if key and (state == "sent" or found.get(key) != "sent"):
            found[key] = state
    return found


@dataclass(frozen=True)
class Outgoing:
    """One message to go: to whom, why, and its key in the log."""

    key: str
    department: str
    to: tuple[str, ...]
    subject: str
    body: str
    attachment: Path | None = None
    info: Mapping[str, Any] = field(default_factory=dict)  # kept in the log (period, sha256, ...)


def compose(item: Outgoing, from_addr: str, *, now: dt.datetime | None = None) -> EmailMessage:
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = from_addr
    message["To"] = ", ".join(item.to)
    message["Subject"] = FoldedHeader("Subject", item.subject)
    message["Date"] = format_datetime(now or dt.datetime.now(dt.UTC))
    domain = from_addr.rsplit("@", 1)[-1] if "@" in from_addr else None
    message["Message-ID"] = make_msgid("negtgel", domain=domain)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: an answering robot leaves it alone
    message.set_content(item.body, charset="utf-8", cte="base64")
    if item.attachment is not None:
        maintype, subtype = XLSX_TYPE
        message.add_attachment(item.attachment.read_bytes(), maintype=maintype, subtype=subtype,
                               filename=item.attachment.name)
    return message


@dataclass
class Outcome:
    item: Outgoing
    state: str  # would-send | sent | already-sent | uncertain | no-address | failed
    detail: str = ""


def deliver(
    workspace: Workspace,
    kind: str,
    items: Iterable[Outgoing],
    *,
    send: bool,
    smtp: SmtpSettings | None = None,
    password: str | None = None,
    outbox_factory: Callable[[SmtpSettings, str | None], Any] = SmtpOutbox,
) -> list[Outcome]:
    """Send each item not sent before (or, without `send`, say what would go); every sending is logged, address by
    address (`<key>|<address>`), so a failure at the second address never sends the first one a second copy."""
    known = states(workspace, kind)
    outcomes: list[Outcome] = []
    outbox = None

    def now() -> str:
        return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()

    try:
        for item in items:
            if not item.to:
                outcomes.append(Outcome(item, "no-address"))
                continue
            before = [known.get(f"{item.key}|{address}") for address in item.to]
            if all(state == "sent" for state in before):
                outcomes.append(Outcome(item, "already-sent"))
                continue
            if "pending" in before:
                outcomes.append(Outcome(item, "uncertain"))
                continue
            if not send:
                outcomes.append(Outcome(item, "would-send"))
                continue
            assert smtp is not None
            outbox = outbox or outbox_factory(smtp, password)
            message = compose(item, smtp.from_addr)
            failure = ""
            for address, state in zip(item.to, before, strict=True):
                if state == "sent":
                    continue
                key = f"{item.key}|{address}"
                append_log(workspace, kind, {"key": key, "state": "pending", "department": item.department, "to": address,
                                             "subject": item.subject, "at": now(), **item.info})
                try:
                    outbox.send(message, address)
                except MailError as exc:
                    # Not taken by the server: it did not go, so a later run may try again.
                    append_log(workspace, kind, {"key": key, "state": "failed", "department": item.department,
                                                 "to": address, "detail": str(exc), "at": now()})
                    failure = str(exc)
                    continue
                append_log(workspace, kind, {"key": key, "state": "sent", "department": item.department, "to": address,
                                             "message_id": str(message["Message-ID"]), "at": now(), **item.info})
                known[key] = "sent"
            outcomes.append(Outcome(item, "failed", failure) if failure else Outcome(item, "sent"))
    finally:
        if outbox is not None:
            outbox.close()
    return outcomes


OUTCOME_LABELS: Mapping[str, str] = {
    "would-send": both("messages.outbox.would_send", sep=" / "),
    "sent": both("messages.outbox.sent", sep=" / "),
    "already-sent": both("messages.outbox.already_sent_not_again", sep=" / "),
    "uncertain": both("messages.outbox.earlier_sending_was_cut", sep=" / "),
    "no-address": both("messages.outbox.no_address_departments_yaml", sep=" / "),
    "failed": both("messages.outbox.not_sent", sep=" / "),
}


def describe(outcomes: Sequence[Outcome]) -> list[str]:
    lines = []
    for o in outcomes:
        to = ", ".join(o.item.to) or "—"
        what = f" — {o.item.attachment.name}" if o.item.attachment is not None else ""
        detail = f" ({o.detail})" if o.detail else ""
        lines.append(f"  {o.item.department} <{to}>{what}: {OUTCOME_LABELS[o.state]}{detail}")
    return lines
