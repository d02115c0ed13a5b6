"""The mail intake's memory in the store: mailbox positions, processed messages, receipts sent.

- `mail_state`: per mailbox (user@host:port/folder) its UIDVALIDITY and the last UID processed.
- `mail_messages`: one row per message taken (from IMAP or a saved .eml/.msg), with its outcome, the
  message-level problems (JSON) and the receipt sent for it, if any.
- `receipts`: one row per submission that was answered (UNIQUE submission_id: never two receipts).
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
    },
    "receipts": {"mail_message_id": "INTEGER", "error": "TEXT"},
}
_INDEXES = (
    "CREATE INDEX IF NOT EXISTS mail_messages_message_id ON mail_messages(message_id)",
    "CREATE INDEX IF NOT EXISTS mail_messages_raw ON mail_messages(raw_sha256)",
)


def ensure_schema(store: Store) -> None:
    for table, columns in _COLUMNS.items():
        present = {row[1] for row in store.db.execute(f"PRAGMA table_info({table})")}
        for name, kind in columns.items():
            if name not in present:
                store.db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")
    for statement in _INDEXES:
        store.db.execute(statement)


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
def message_known(store: Store, message_id: str | None, raw_sha256: str | None) -> bool:
    """True when this message (same Message-ID, or the same bytes) was taken before."""
    if message_id and store.db.execute("SELECT 1 FROM mail_messages WHERE message_id = ? LIMIT 1", (message_id,)).fetchone():
        return True
    if raw_sha256:
        return store.db.execute("SELECT 1 FROM mail_messages WHERE raw_sha256 = ? LIMIT 1", (raw_sha256,)).fetchone() is not None
    return False


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
def reserve_receipts(store: Store, submission_ids: Sequence[int], mail_message_id: int, to_addr: str, subject: str) -> list[int]:
    """Claim the receipt of each submission before sending; returns those not answered before."""
    claimed = []
    with store.transaction() as db:
        for sid in submission_ids:
            cursor = db.execute(
                "INSERT OR IGNORE INTO receipts(submission_id, to_addr, subject, status, sent_at, mail_message_id) "
                "VALUES(?, ?, ?, 'sending', ?, ?)",
                (sid, to_addr, subject, now_iso(), mail_message_id),
            )
            if cursor.rowcount:
                claimed.append(sid)
    return claimed


def save_receipt_body(store: Store, mail_message_id: int, to_addr: str, body: bytes) -> None:
    store.db.execute(
        "UPDATE mail_messages SET receipt_status = 'sending', receipt_to = ?, receipt_body = ?, receipt_at = ? WHERE id = ?",
        (to_addr, body, now_iso(), mail_message_id),
    )


def finish_receipt(store: Store, mail_message_id: int, status: str, error: str | None = None) -> None:
    """Record the result of sending a message's receipt: 'sent' or 'failed' (retried on a later run)."""
    at = now_iso()
    with store.transaction() as db:
        db.execute("UPDATE mail_messages SET receipt_status = ?, receipt_error = ?, receipt_at = ? WHERE id = ?",
                   (status, error, at, mail_message_id))
        db.execute("UPDATE receipts SET status = ?, error = ?, sent_at = ? WHERE mail_message_id = ?",
                   (status, error, at, mail_message_id))


def failed_receipts(store: Store) -> list[tuple[int, str, bytes]]:
    """(mail message id, recipient, the composed receipt) of receipts whose sending failed."""
    rows = store.db.execute(
        "SELECT id, receipt_to, receipt_body FROM mail_messages WHERE receipt_status = 'failed' AND receipt_body IS NOT NULL ORDER BY id"
    ).fetchall()
    return [(int(r[0]), str(r[1]), bytes(r[2])) for r in rows]


def receipt_status(store: Store, submission_id: int) -> str | None:
    row = store.db.execute("SELECT status FROM receipts WHERE submission_id = ?", (submission_id,)).fetchone()
    return row[0] if row else None
