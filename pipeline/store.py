"""The product's memory: an embedded SQLite database (default `negtgel.db` in the workspace).

It records every file that ever arrived (once per content hash), the parsed form of each file so an
unchanged file is not read again, the specialist's level overrides, pins, closings with their frozen
figures, each period's results for trends, and the mail intake's state. The archive of the files
themselves lives in the workspace (`archive/`); this database records each copy's path relative to the
workspace and its sha256, which every run checks before building a figure from it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import pickle
import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from pipeline.errors import NegtgelError

SCHEMA_VERSION = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS submissions(
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sha256 TEXT NOT NULL UNIQUE,
    original_name TEXT NOT NULL,
    archive_path TEXT NOT NULL,
    department TEXT,
    department_source TEXT NOT NULL,
    period TEXT,
    period_source TEXT NOT NULL,
    received_at TEXT NOT NULL,
    sender TEXT,
    subject TEXT,
    message_id TEXT,
    origin TEXT NOT NULL,
    size INTEGER NOT NULL,
    errors INTEGER NOT NULL,
    warnings INTEGER NOT NULL,
    recorded_at TEXT NOT NULL,
    intake_problems BLOB,
    readable INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS submissions_period ON submissions(period, department);
CREATE TABLE IF NOT EXISTS seen_files(
    path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, sha256 TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS parsed(
    sha256 TEXT NOT NULL, reader_key TEXT NOT NULL, payload BLOB NOT NULL, PRIMARY KEY(sha256, reader_key)
);
CREATE TABLE IF NOT EXISTS overrides(
    period TEXT NOT NULL, department TEXT NOT NULL, measure_key TEXT NOT NULL,
    measure_no TEXT NOT NULL, measure TEXT NOT NULL, level TEXT NOT NULL, comment TEXT NOT NULL,
    updated_at TEXT NOT NULL, PRIMARY KEY(period, department, measure_key)
);
CREATE TABLE IF NOT EXISTS pins(
    period TEXT NOT NULL, department TEXT NOT NULL, submission_id INTEGER NOT NULL,
    reason TEXT NOT NULL, pinned_at TEXT NOT NULL, PRIMARY KEY(period, department)
);
CREATE TABLE IF NOT EXISTS period_events(
    id INTEGER PRIMARY KEY AUTOINCREMENT, period TEXT NOT NULL, action TEXT NOT NULL,
    reason TEXT NOT NULL, at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS frozen(period TEXT PRIMARY KEY, closed_at TEXT NOT NULL, payload BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS results(
    period TEXT NOT NULL, department TEXT NOT NULL, pct REAL, measures INTEGER NOT NULL,
    due INTEGER NOT NULL, scored INTEGER NOT NULL, run_at TEXT NOT NULL, PRIMARY KEY(period, department)
);
CREATE TABLE IF NOT EXISTS mail_state(
    mailbox TEXT PRIMARY KEY, uidvalidity INTEGER NOT NULL, last_uid INTEGER NOT NULL, updated_at TEXT
);
CREATE TABLE IF NOT EXISTS mail_messages(
    id INTEGER PRIMARY KEY AUTOINCREMENT, mailbox TEXT, uidvalidity INTEGER, uid INTEGER,
    message_id TEXT, sender TEXT, subject TEXT, date TEXT, outcome TEXT NOT NULL, processed_at TEXT NOT NULL,
    raw_sha256 TEXT, origin TEXT, source TEXT, department TEXT, files INTEGER, problems TEXT,
    receipt_status TEXT, receipt_to TEXT, receipt_at TEXT, receipt_body BLOB, receipt_error TEXT
);
CREATE TABLE IF NOT EXISTS receipts(
    id INTEGER PRIMARY KEY AUTOINCREMENT, submission_id INTEGER NOT NULL UNIQUE, to_addr TEXT NOT NULL,
    subject TEXT NOT NULL, status TEXT NOT NULL, sent_at TEXT NOT NULL, mail_message_id INTEGER, error TEXT
);
"""


def now_iso() -> str:
    return dt.datetime.now().astimezone().replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class Submission:
    id: int
    sha256: str
    original_name: str
    archive_path: str
    department: str | None
    department_source: str
    period: str | None
    period_source: str
    received_at: str
    sender: str | None
    subject: str | None
    message_id: str | None
    origin: str
    size: int
    errors: int
    warnings: int
    recorded_at: str
    intake_problems: bytes | None = None
    readable: int = 1

    def problems(self) -> list[Any]:
        """Intake's findings about who sent it and for when (department and period problems)."""
        return pickle.loads(self.intake_problems) if self.intake_problems else []


class Store:
    """A connection to the store with the few queries the pipeline needs."""

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(str(path), timeout=30, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(SCHEMA)
            self.db.execute("INSERT OR IGNORE INTO meta VALUES('schema_version', ?)", (str(SCHEMA_VERSION),))
            # Which store this is: the unchanged-re-run check must never take one store's outputs for another's.
            self.db.execute("INSERT OR IGNORE INTO meta VALUES('store_id', ?)", (uuid.uuid4().hex,))
        except sqlite3.DatabaseError as exc:
            raise NegtgelError(f"Мэдээллийн сан {path} гэмтсэн эсвэл өөр файл байна / the store is not a valid database: {exc}") from None

    def close(self) -> None:
        self.db.close()

    @property
    def store_id(self) -> str:
        row = self.db.execute("SELECT value FROM meta WHERE key = 'store_id'").fetchone()
        return str(row[0]) if row else ""

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # --- submissions ---------------------------------------------------------------------------------
    def by_hash(self, sha256: str) -> Submission | None:
        row = self.db.execute("SELECT * FROM submissions WHERE sha256 = ?", (sha256,)).fetchone()
        return Submission(*row) if row else None

    def by_id(self, submission_id: int) -> Submission | None:
        row = self.db.execute("SELECT * FROM submissions WHERE id = ?", (submission_id,)).fetchone()
        return Submission(*row) if row else None

    def add_submission(self, **fields: Any) -> Submission:
        fields.setdefault("recorded_at", now_iso())
        if "intake_problems" in fields:
            fields["intake_problems"] = pickle.dumps(fields["intake_problems"], protocol=pickle.HIGHEST_PROTOCOL)
        names = ", ".join(fields)
        marks = ", ".join("?" for _ in fields)
        cursor = self.db.execute(f"INSERT INTO submissions({names}) VALUES({marks})", tuple(fields.values()))
        found = self.by_id(int(cursor.lastrowid or 0))
        assert found is not None
        return found

    def submissions(self, period: str | None = None) -> list[Submission]:
        if period is None:
            rows = self.db.execute("SELECT * FROM submissions ORDER BY received_at, id").fetchall()
        else:
            rows = self.db.execute("SELECT * FROM submissions WHERE period = ? ORDER BY received_at, id", (period,)).fetchall()
        return [Submission(*row) for row in rows]

    def unmatched(self) -> list[Submission]:
        """Submissions no department could be found for (yet: the list may have been completed since)."""
        rows = self.db.execute("SELECT * FROM submissions WHERE department IS NULL ORDER BY id").fetchall()
        return [Submission(*row) for row in rows]

    def set_department(self, submission_id: int, department: str, source: str, intake_problems: list[Any]) -> None:
        self.db.execute(
            "UPDATE submissions SET department = ?, department_source = ?, intake_problems = ? WHERE id = ?",
            (department, source, pickle.dumps(intake_problems, protocol=pickle.HIGHEST_PROTOCOL), submission_id),
        )

    def set_counts(self, submission_id: int, errors: int, warnings: int) -> None:
        self.db.execute("UPDATE submissions SET errors = ?, warnings = ? WHERE id = ?", (errors, warnings, submission_id))

    def assign_pending(self, period: str) -> int:
        """Put the submissions that said nothing of their period into `period` (marked as assumed)."""
        cursor = self.db.execute(
            "UPDATE submissions SET period = ?, period_source = 'assumed' WHERE period IS NULL AND period_source = 'pending'",
            (period,),
        )
        return cursor.rowcount

    def has_pending(self) -> bool:
        return self.db.execute("SELECT 1 FROM submissions WHERE period IS NULL LIMIT 1").fetchone() is not None

    def periods(self) -> list[str]:
        rows = self.db.execute("SELECT DISTINCT period FROM submissions WHERE period IS NOT NULL ORDER BY period")
        return [row[0] for row in rows]

    # --- the cheap "have I seen this file" check ----------------------------------------------------
    def seen_hash(self, path: str, size: int, mtime_ns: int) -> str | None:
        row = self.db.execute(
            "SELECT sha256 FROM seen_files WHERE path = ? AND size = ? AND mtime_ns = ?", (path, size, mtime_ns)
        ).fetchone()
        return row[0] if row else None

    def remember_file(self, path: str, size: int, mtime_ns: int, sha256: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO seen_files VALUES(?, ?, ?, ?)", (path, size, mtime_ns, sha256))

    # --- parse cache -------------------------------------------------------------------------------
    def parsed(self, sha256: str, reader_key: str) -> Any | None:
        row = self.db.execute("SELECT payload FROM parsed WHERE sha256 = ? AND reader_key = ?", (sha256, reader_key)).fetchone()
        if row is None:
            return None
        try:
            return pickle.loads(row[0])
        except Exception:  # a cache entry from an older program version: read the file again
            return None

    def save_parsed(self, sha256: str, reader_key: str, value: Any) -> None:
        self.save_parsed_payload(sha256, reader_key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))

    def save_parsed_payload(self, sha256: str, reader_key: str, payload: bytes) -> None:
        self.db.execute("INSERT OR REPLACE INTO parsed VALUES(?, ?, ?)", (sha256, reader_key, payload))

    # --- pins, closing ---------------------------------------------------------------------------
    def pins(self, period: str) -> dict[str, int]:
        rows = self.db.execute("SELECT department, submission_id FROM pins WHERE period = ?", (period,))
        return {dept: sid for dept, sid in rows}

    def pin(self, period: str, department: str, submission_id: int, reason: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO pins VALUES(?, ?, ?, ?, ?)", (period, department, submission_id, reason, now_iso()))

    def unpin(self, period: str, department: str) -> bool:
        cursor = self.db.execute("DELETE FROM pins WHERE period = ? AND department = ?", (period, department))
        return cursor.rowcount > 0

    def events(self, period: str) -> list[tuple[str, str, str]]:
        rows = self.db.execute("SELECT action, reason, at FROM period_events WHERE period = ? ORDER BY id", (period,))
        return [tuple(row) for row in rows]

    def frozen(self, period: str) -> tuple[str, Any] | None:
        row = self.db.execute("SELECT closed_at, payload FROM frozen WHERE period = ?", (period,)).fetchone()
        return (row[0], pickle.loads(row[1])) if row else None

    def close_period(self, period: str, reason: str, snapshot: Any) -> str:
        at = now_iso()
        with self.transaction() as db:
            db.execute("INSERT INTO frozen VALUES(?, ?, ?)", (period, at, pickle.dumps(snapshot, protocol=pickle.HIGHEST_PROTOCOL)))
            db.execute("INSERT INTO period_events(period, action, reason, at) VALUES(?, 'close', ?, ?)", (period, reason, at))
        return at

    def reopen_period(self, period: str, reason: str) -> str:
        at = now_iso()
        with self.transaction() as db:
            db.execute("DELETE FROM frozen WHERE period = ?", (period,))
            db.execute("INSERT INTO period_events(period, action, reason, at) VALUES(?, 'reopen', ?, ?)", (period, reason, at))
        return at

    # --- results for trends ------------------------------------------------------------------------
    def save_results(self, period: str, rows: list[tuple[str, float | None, int, int, int]]) -> None:
        at = now_iso()
        with self.transaction() as db:
            db.execute("DELETE FROM results WHERE period = ?", (period,))
            db.executemany(
                "INSERT INTO results VALUES(?, ?, ?, ?, ?, ?, ?)", [(period, d, pct, m, due, sc, at) for d, pct, m, due, sc in rows]
            )

    def results(self, periods: list[str]) -> list[tuple[str, str, float | None]]:
        if not periods:
            return []
        marks = ", ".join("?" for _ in periods)
        rows = self.db.execute(f"SELECT period, department, pct FROM results WHERE period IN ({marks})", periods)
        return [tuple(row) for row in rows]

    def result_periods(self) -> list[str]:
        return [row[0] for row in self.db.execute("SELECT DISTINCT period FROM results ORDER BY period")]

    # --- overrides ---------------------------------------------------------------------------------
    def overrides(self, period: str) -> list[tuple[str, str, str, str, str, str]]:
        rows = self.db.execute(
            "SELECT department, measure_key, measure_no, measure, level, comment FROM overrides WHERE period = ?", (period,)
        )
        return [tuple(row) for row in rows]

    def replace_overrides(self, period: str, rows: list[tuple[str, str, str, str, str, str]]) -> None:
        at = now_iso()
        with self.transaction() as db:
            db.execute("DELETE FROM overrides WHERE period = ?", (period,))
            db.executemany("INSERT INTO overrides VALUES(?, ?, ?, ?, ?, ?, ?, ?)", [(period, *row, at) for row in rows])


@contextlib.contextmanager
def open_store(path: Path, *, wait_seconds: float | None = None) -> Iterator[Store]:
    """Open the store for a run that changes it. A second run on the same store waits, then stops clearly."""
    if wait_seconds is None:
        wait_seconds = float(os.environ.get("NEGTGEL_LOCK_TIMEOUT", "120"))
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(path) + ".lock")
    try:
        lock.acquire(timeout=wait_seconds)
    except Timeout:
        raise NegtgelError(
            f"Өөр нэгтгэл {path} санг ашиглаж байна; дууссаны дараа дахин ажиллуулна уу. "
            f"/ Another run is using the store {path}; try again when it finishes."
        ) from None
    try:
        store = Store(path)
        try:
            yield store
        finally:
            store.close()
    finally:
        lock.release()
