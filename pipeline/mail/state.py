"""The mail intake's memory in the store: mailbox positions, processed messages, receipts sent.

- `mail_state`: per mailbox (user@host:port/folder) its UIDVALIDITY and the last UID processed.
- `mail_messages`: one row per message taken (from IMAP or a saved .eml/.msg), with its outcome, the
  message-level problems (JSON) and the receipt sent for it, if any.
- `receipts`: one row per submission that was answered (UNIQUE submission_id: never two receipts).
- `mail_outbox`: one row per receipt to send (UNIQUE mail_message_id), written in the same transaction as
  the message's row, so a run stopped at any point leaves either nothing (the message is taken again) or
  a queued receipt (sent by the next run); marked sent only after the SMTP server accepted it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update

from pipeline.problems import Problem
from pipeline.store import Store, now_iso
from pipeline.store_codec import detail_json, detail_of
from pipeline.store_schema import TABLES

_state = TABLES.tables["mail_state"]
_messages = TABLES.tables["mail_messages"]
_receipts = TABLES.tables["receipts"]
_outbox = TABLES.tables["mail_outbox"]


def ensure_schema(store: Store) -> None:
    """The mail tables are part of the store's schema: opening the store migrated them (store_schema.py,
    migration 2: the columns added after the first schema, and the outbox). Kept for the callers."""


# --- mailbox position ----------------------------------------------------------------------------------
def mailbox_state(store: Store, mailbox: str) -> tuple[int, int] | None:
    """(UIDVALIDITY, last UID processed), or None for a mailbox never read."""
    row = store.row(select(_state.c.uidvalidity, _state.c.last_uid).where(_state.c.mailbox == mailbox))
    return (int(row[0]), int(row[1])) if row else None


def save_mailbox_state(store: Store, mailbox: str, uidvalidity: int, last_uid: int) -> None:
    store.upsert(_state, {"mailbox": mailbox, "uidvalidity": uidvalidity, "last_uid": last_uid, "updated_at": now_iso()},
                 ["mailbox"])


# --- messages ------------------------------------------------------------------------------------------
def message_known(store: Store, raw_sha256: str | None, mailbox: str | None = None, uidvalidity: int | None = None,
                  uid: int | None = None) -> bool:
    """True when this message was taken before: the same mailbox UID, or the same bytes. Never the
    Message-ID alone: scanners, webmail and copied mails reuse it for new content."""
    if mailbox and uidvalidity is not None and uid is not None and store.row(select(_messages.c.id).where(
        _messages.c.mailbox == mailbox, _messages.c.uidvalidity == uidvalidity, _messages.c.uid == uid).limit(1)
    ):
        return True
    if raw_sha256:
        return store.row(select(_messages.c.id).where(_messages.c.raw_sha256 == raw_sha256).limit(1)) is not None
    return False


def message_id_used(store: Store, message_id: str | None) -> bool:
    return bool(message_id) and store.row(select(_messages.c.id).where(_messages.c.message_id == message_id).limit(1)) is not None


def problems_json(problems: Iterable[Problem]) -> str:
    return json.dumps(
        [{"code": p.code, "file": p.file, "sheet": p.sheet, "cell": p.cell, "value": p.value, "detail": detail_json(p.detail)} for p in problems],
        ensure_ascii=False,
    )


def problems_from_json(text: str | None) -> list[Problem]:
    found = []
    for item in json.loads(text or "[]"):
        try:
            found.append(Problem(**{**item, "detail": detail_of(item.get("detail"))}))
        except (KeyError, TypeError):  # a code no longer in the catalogue
            continue
    return found


def record_message(store: Store, **fields: Any) -> int:
    fields.setdefault("processed_at", now_iso())
    if isinstance(fields.get("problems"), list):
        fields["problems"] = problems_json(fields["problems"])
    return store.insert(_messages, fields)


@dataclass(frozen=True)
class MailRecord:
    id: int
    origin: str | None
    sender: str | None
    subject: str | None
    date: str | None
    outcome: str
    files: int | None
    problems: list[Problem]
    receipt_status: str | None


def messages(store: Store) -> list[MailRecord]:
    """Every message taken, oldest first (for listings and for the run's problem sheet)."""
    m = _messages.c
    rows = store.rows(select(m.id, m.origin, m.sender, m.subject, m.date, m.outcome, m.files, m.problems, m.receipt_status)
                      .order_by(m.id))
    return [MailRecord(r[0], r[1], r[2], r[3], r[4], r[5], r[6], problems_from_json(r[7]), r[8]) for r in rows]


# --- receipts ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Queued:
    """A receipt to send: the message it answers, to whom, and the composed message (CRLF bytes)."""

    mail_message_id: int
    to_addr: str
    subject: str
    body: bytes


def record_with_receipt(store: Store, message: dict[str, Any], submission_ids: Sequence[int],
                        receipt: tuple[str, str, bytes] | None) -> tuple[int, bool]:
    """Record a message and, when it is to be answered, reserve its receipt in the outbox: one transaction,
    so a stop before it leaves nothing (the message is taken again) and one after it a queued receipt.
    Returns (the message's row id, whether a receipt was queued). A submission answered before is not
    answered again (the receipts table's UNIQUE submission_id)."""
    with store.transaction():
        if receipt is not None:
            message = {**message, "receipt_status": "pending", "receipt_to": receipt[0], "receipt_at": now_iso()}
        mail_id = record_message(store, **message)
        if receipt is None:
            return mail_id, False
        to_addr, subject, body = receipt
        claimed = []
        for sid in submission_ids:
            if store.insert_new(_receipts, {"submission_id": sid, "to_addr": to_addr, "subject": subject, "status": "pending",
                                            "sent_at": now_iso(), "mail_message_id": mail_id}):
                claimed.append(sid)
        if submission_ids and not claimed:
            store.execute(update(_messages).where(_messages.c.id == mail_id).values(receipt_status=None, receipt_to=None))
            return mail_id, False
        store.insert(_outbox, {"mail_message_id": mail_id, "to_addr": to_addr, "subject": subject, "body": body,
                               "status": "pending", "created_at": now_iso()})
    return mail_id, True


def queued(store: Store, mail_message_id: int | None = None) -> list[Queued]:
    """Receipts not yet accepted by the SMTP server (pending, or failed on an earlier try), oldest first."""
    o = _outbox.c
    statement = select(o.mail_message_id, o.to_addr, o.subject, o.body).where(o.status.in_(("pending", "failed")))
    if mail_message_id is not None:
        statement = statement.where(o.mail_message_id == mail_message_id)
    return [Queued(int(r[0]), str(r[1]), str(r[2]), bytes(r[3])) for r in store.rows(statement.order_by(o.id))]


def finish_receipt(store: Store, mail_message_id: int, status: str, error: str | None = None) -> None:
    """Record the result of sending a message's receipt: 'sent' or 'failed' (retried on a later run)."""
    at = now_iso()
    with store.transaction():
        store.execute(update(_outbox).where(_outbox.c.mail_message_id == mail_message_id).values(
            status=status, error=error, attempts=_outbox.c.attempts + 1, sent_at=at if status == "sent" else None))
        store.execute(update(_messages).where(_messages.c.id == mail_message_id).values(
            receipt_status=status, receipt_error=error, receipt_at=at))
        store.execute(update(_receipts).where(_receipts.c.mail_message_id == mail_message_id).values(
            status=status, error=error, sent_at=at))


def answered(store: Store, submission_id: int) -> bool:
    return store.row(select(_receipts.c.id).where(_receipts.c.submission_id == submission_id)) is not None


def receipt_status(store: Store, submission_id: int) -> str | None:
    row = store.row(select(_receipts.c.status).where(_receipts.c.submission_id == submission_id))
    return row[0] if row else None


def quarantined(store: Store) -> list[tuple[str | None, str | None, str | None]]:
    """(sender, date, subject) of every message whose attachments were kept aside (unknown sender), oldest first."""
    m = _messages.c
    return [(r[0], r[1], r[2]) for r in store.rows(select(m.sender, m.date, m.subject).where(m.outcome == "quarantined").order_by(m.id))]
