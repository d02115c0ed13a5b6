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

from pipeline.problems import Problem
from pipeline.store import Store, now_iso

# Columns added after the first schema: a store created by an earlier version gets them on first use.
_COLUMNS = {
    "mail_state": {"updated_at": "TEXT"},
    "mail_messages": {
        "raw_sha256": "TEXT", "origin": "TEXT", "source": "TEXT", "department": "TEXT", "files": "INTEGER",
        "problems": "TEXT", "receipt_status": "TEXT", "receipt_to": "TEXT", "receipt_at": "TEXT",
        "receipt_body": "BLOB", "receipt_error": "TEXT",
        # issue 13: the Date header as written, where the received time (`date`) came from, the kind of message, who forwarded it
        "date_header": "TEXT", "received_from": "TEXT", "kind": "TEXT", "forwarded_by": "TEXT",
    },
    "receipts": {"mail_message_id": "INTEGER", "error": "TEXT"},
}
_INDEXES = (
    "CREATE INDEX IF NOT EXISTS mail_messages_message_id ON mail_messages(message_id)",
    "CREATE INDEX IF NOT EXISTS mail_messages_raw ON mail_messages(raw_sha256)",
    "CREATE INDEX IF NOT EXISTS mail_messages_uid ON mail_messages(mailbox, uidvalidity, uid)",
)
_OUTBOX = """
CREATE TABLE IF NOT EXISTS mail_outbox(
    id INTEGER PRIMARY KEY AUTOINCREMENT, mail_message_id INTEGER NOT NULL UNIQUE, to_addr TEXT NOT NULL,
    subject TEXT NOT NULL, body BLOB NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT, created_at TEXT NOT NULL, sent_at TEXT
)"""
# A store written before the outbox kept unsent receipts on the message row: they are queued once.
_OUTBOX_FROM_OLD = """
INSERT OR IGNORE INTO mail_outbox(mail_message_id, to_addr, subject, body, status, created_at)
SELECT id, receipt_to, '', receipt_body, 'failed', COALESCE(receipt_at, processed_at) FROM mail_messages
WHERE receipt_status IN ('failed', 'sending') AND receipt_body IS NOT NULL AND receipt_to IS NOT NULL"""


def ensure_schema(store: Store) -> None:
    for table, columns in _COLUMNS.items():
        present = {row[1] for row in store.db.execute(f"PRAGMA table_info({table})")}
        for name, kind in columns.items():
            if name not in present:
                store.db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")
    for statement in _INDEXES:
        store.db.execute(statement)
    store.db.execute(_OUTBOX)
    store.db.execute(_OUTBOX_FROM_OLD)


# --- mailbox position ----------------------------------------------------------------------------------
def mailbox_state(store: Store, mailbox: str) -> tuple[int, int] | None:
    """(UIDVALIDITY, last UID processed), or None for a mailbox never read."""
    row = store.db.execute("SELECT uidvalidity, last_uid FROM mail_state WHERE mailbox = ?", (mailbox,)).fetchone()
    return (int(row[0]), int(row[1])) if row else None


def save_mailbox_state(store: Store, mailbox: str, uidvalidity: int, last_uid: int) -> None:
    store.db.execute(
        "INSERT INTO mail_state(mailbox, uidvalidity, last_uid, updated_at) VALUES(?, ?, ?, ?) "
        "ON CONFLICT(mailbox) DO UPDATE SET uidvalidity = excluded.uidvalidity, last_uid = excluded.last_uid, "
        "updated_at = excluded.updated_at",
        (mailbox, uidvalidity, last_uid, now_iso()),
    )


# --- messages ------------------------------------------------------------------------------------------
def message_known(store: Store, raw_sha256: str | None, mailbox: str | None = None, uidvalidity: int | None = None,
                  uid: int | None = None) -> bool:
    """True when this message was taken before: the same mailbox UID, or the same bytes. Never the
    Message-ID alone: scanners, webmail and copied mails reuse it for new content."""
    if mailbox and uidvalidity is not None and uid is not None and store.db.execute(
        "SELECT 1 FROM mail_messages WHERE mailbox = ? AND uidvalidity = ? AND uid = ? LIMIT 1", (mailbox, uidvalidity, uid)
    ).fetchone():
        return True
    if raw_sha256:
        return store.db.execute("SELECT 1 FROM mail_messages WHERE raw_sha256 = ? LIMIT 1", (raw_sha256,)).fetchone() is not None
    return False


def message_id_used(store: Store, message_id: str | None) -> bool:
    return bool(message_id) and store.db.execute(
        "SELECT 1 FROM mail_messages WHERE message_id = ? LIMIT 1", (message_id,)).fetchone() is not None


def problems_json(problems: Iterable[Problem]) -> str:
    return json.dumps(
        [{"code": p.code, "file": p.file, "sheet": p.sheet, "cell": p.cell, "value": p.value, "detail": p.detail} for p in problems],
        ensure_ascii=False,
    )


def problems_from_json(text: str | None) -> list[Problem]:
    found = []
    for item in json.loads(text or "[]"):
        try:
            found.append(Problem(**item))
        except (KeyError, TypeError):  # a code no longer in the catalogue
            continue
    return found


def record_message(store: Store, **fields: Any) -> int:
    fields.setdefault("processed_at", now_iso())
    if isinstance(fields.get("problems"), list):
        fields["problems"] = problems_json(fields["problems"])
    names = ", ".join(fields)
    marks = ", ".join("?" for _ in fields)
    cursor = store.db.execute(f"INSERT INTO mail_messages({names}) VALUES({marks})", tuple(fields.values()))
    return int(cursor.lastrowid or 0)


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
    rows = store.db.execute(
        "SELECT id, origin, sender, subject, date, outcome, files, problems, receipt_status FROM mail_messages ORDER BY id"
    ).fetchall()
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
    with store.transaction() as db:
        if receipt is not None:
            message = {**message, "receipt_status": "pending", "receipt_to": receipt[0], "receipt_at": now_iso()}
        mail_id = record_message(store, **message)
        if receipt is None:
            return mail_id, False
        to_addr, subject, body = receipt
        claimed = []
        for sid in submission_ids:
            cursor = db.execute(
                "INSERT OR IGNORE INTO receipts(submission_id, to_addr, subject, status, sent_at, mail_message_id) "
                "VALUES(?, ?, ?, 'pending', ?, ?)", (sid, to_addr, subject, now_iso(), mail_id))
            if cursor.rowcount:
                claimed.append(sid)
        if submission_ids and not claimed:
            db.execute("UPDATE mail_messages SET receipt_status = NULL, receipt_to = NULL WHERE id = ?", (mail_id,))
            return mail_id, False
        db.execute("INSERT INTO mail_outbox(mail_message_id, to_addr, subject, body, status, created_at) "
                   "VALUES(?, ?, ?, ?, 'pending', ?)", (mail_id, to_addr, subject, body, now_iso()))
    return mail_id, True


def queued(store: Store, mail_message_id: int | None = None) -> list[Queued]:
    """Receipts not yet accepted by the SMTP server (pending, or failed on an earlier try), oldest first."""
    sql = "SELECT mail_message_id, to_addr, subject, body FROM mail_outbox WHERE status IN ('pending', 'failed')"
    args: tuple[int, ...] = ()
    if mail_message_id is not None:
        sql += " AND mail_message_id = ?"
        args = (mail_message_id,)
    return [Queued(int(r[0]), str(r[1]), str(r[2]), bytes(r[3])) for r in store.db.execute(sql + " ORDER BY id", args)]


def finish_receipt(store: Store, mail_message_id: int, status: str, error: str | None = None) -> None:
    """Record the result of sending a message's receipt: 'sent' or 'failed' (retried on a later run)."""
    at = now_iso()
    with store.transaction() as db:
        db.execute("UPDATE mail_outbox SET status = ?, error = ?, attempts = attempts + 1, sent_at = ? "
                   "WHERE mail_message_id = ?", (status, error, at if status == "sent" else None, mail_message_id))
        db.execute("UPDATE mail_messages SET receipt_status = ?, receipt_error = ?, receipt_at = ? WHERE id = ?",
                   (status, error, at, mail_message_id))
        db.execute("UPDATE receipts SET status = ?, error = ?, sent_at = ? WHERE mail_message_id = ?",
                   (status, error, at, mail_message_id))


def answered(store: Store, submission_id: int) -> bool:
    return store.db.execute("SELECT 1 FROM receipts WHERE submission_id = ?", (submission_id,)).fetchone() is not None


def receipt_status(store: Store, submission_id: int) -> str | None:
    row = store.db.execute("SELECT status FROM receipts WHERE submission_id = ?", (submission_id,)).fetchone()
    return row[0] if row else None
