"""The product's memory: an embedded SQLite database (default `negtgel.db` in the workspace), or a
PostgreSQL database several specialists share (`store: postgresql://user@host:port/db`).

It records every file that ever arrived (once per content hash), the parsed form of each file so an
unchanged file is not read again, the specialist's level overrides, pins, closings with their frozen
figures, each period's results for trends, and the mail intake's state. The archive of the files
themselves lives in the workspace (`archive/`); this database records each copy's path relative to the
workspace and its sha256, which every run checks before building a figure from it.

Both kinds of store have one schema (`store_schema.py`, SQLAlchemy Core) brought up to date by numbered
migrations when the store is opened. A run that changes the store holds it alone (`open_store`): a lock file
beside a SQLite store, a session advisory lock on a PostgreSQL one.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import hashlib
import os
import pickle
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import MISSING, fields
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy.exc
from filelock import FileLock, Timeout
from sqlalchemy import Connection, Engine, Table, bindparam, create_engine, delete, event, func, literal, select, text, update
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool
from sqlalchemy.sql import Executable

from pipeline.errors import NegtgelError
from pipeline.model import Submission
from pipeline.store_codec import SNAPSHOT_VERSION, problems_to_json, snapshot_from_json, snapshot_to_json
from pipeline.store_schema import SCHEMA_VERSION, TABLES, migrate
from pipeline.words import both

__all__ = ["SCHEMA_VERSION", "Store", "StoreLocation", "Submission", "now_iso", "open_store", "store_location_of"]

# A SQLite file, or the URL of a PostgreSQL database.
StoreLocation = Path | str
PASSWORD_ENV = "NEGTGEL_STORE_PASSWORD"
_URL_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")


def _key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


LOCK_KEY = _key("negtgel: a run that changes the store")  # pg_try_advisory_lock: one run at a time
MIGRATION_KEY = _key("negtgel: migrating the store")  # pg_advisory_xact_lock: one migration at a time

T = TypeVar("T")

_submissions = TABLES.tables["submissions"]
_seen = TABLES.tables["seen_files"]
_parsed = TABLES.tables["parsed"]
_normalised = TABLES.tables["normalised"]
_overrides = TABLES.tables["overrides"]
_pins = TABLES.tables["pins"]
_events = TABLES.tables["period_events"]
_frozen = TABLES.tables["frozen"]
_snapshots = TABLES.tables["snapshots"]
_results = TABLES.tables["results"]
_meta = TABLES.tables["meta"]


def now_iso() -> str:
    return dt.datetime.now().astimezone().replace(microsecond=0).isoformat()


def store_location_of(value: str | Path) -> StoreLocation:
    """A store as written in settings.yaml or with --store: a postgresql:// URL (kept as text), else a file."""
    written = str(value)
    if "://" in written:
        if written.split("://", 1)[0].lower() not in _URL_SCHEMES:
            raise NegtgelError(
                both("messages.store.store_written_only_sqlite", sep=" / ", written=written)
            )
        return written
    return Path(value)


_SUBMISSION_COLUMNS = [_submissions.c[f.name] for f in fields(Submission)]
_DEFAULTS = {"intake_problems", "readable"}
assert all(f.default is not MISSING for f in fields(Submission) if f.name in _DEFAULTS)

# Statements of the hot paths (every file of a run asks several), built once and run with parameters: building
# and keying a statement costs far more than running it on SQLite.
_statements: dict[tuple[Any, ...], Any] = {}


def _prepared(key: tuple[Any, ...], build: Callable[[], Any]) -> Any:
    found = _statements.get(key)
    if found is None:
        found = _statements[key] = build()
    return found


_BY_RECEIVED = (_submissions.c.received_at, _submissions.c.id)
_SUB_BY_HASH = select(*_SUBMISSION_COLUMNS).where(_submissions.c.sha256 == bindparam("sha"))
_SUB_BY_ID = select(*_SUBMISSION_COLUMNS).where(_submissions.c.id == bindparam("sid"))
_SUBS_ALL = select(*_SUBMISSION_COLUMNS).order_by(*_BY_RECEIVED)
_SUBS_OF = select(*_SUBMISSION_COLUMNS).where(_submissions.c.period == bindparam("period")).order_by(*_BY_RECEIVED)
_SEEN_HASH = select(_seen.c.sha256).where(_seen.c.path == bindparam("path"), _seen.c.size == bindparam("size"),
                                          _seen.c.mtime_ns == bindparam("mtime"))
_PARSED = select(_parsed.c.payload).where(_parsed.c.sha256 == bindparam("sha"), _parsed.c.reader_key == bindparam("key"))
_NORMALISED = select(_normalised.c.sha256, _normalised.c.payload).where(_normalised.c.norm_key == bindparam("key"),
                                                                     _normalised.c.sha256.in_(bindparam("shas", expanding=True)))
_SET_COUNTS = update(_submissions).where(_submissions.c.id == bindparam("sid")).values(
    errors=bindparam("e"), warnings=bindparam("w"))
_PINS = select(_pins.c.department, _pins.c.submission_id).where(_pins.c.period == bindparam("period"))


def _reason(exc: sqlalchemy.exc.DBAPIError) -> str:
    """What the database said, without the library's wrapping (class names, SQL, links)."""
    return " ".join(line.strip() for line in str(exc.orig).splitlines() if line.strip()) or "?"


class Store:
    """A connection to the store with the few queries the pipeline needs."""

    def __init__(self, location: StoreLocation):
        location = store_location_of(location) if isinstance(location, str) else location
        self.location = location
        self.path: Path | None = None
        self._decoded: dict[str, tuple[str, Any]] = {}
        self._engine: Engine
        if isinstance(location, Path):
            self.path = location
            self.where = str(location)
            self._engine = self._sqlite_engine(location)
        else:
            self.where = location
            self._engine = self._postgresql_engine(location)
        self.dialect = self._engine.dialect.name
        self._conn = self._connect()
        try:
            with self.transaction() as conn:
                if self.dialect == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_KEY})
                migrate(conn, self.where)
        except sqlalchemy.exc.DatabaseError as exc:
            self.close()
            raise self._unusable(exc) from None
        except BaseException:
            self.close()
            raise

    # --- connecting ----------------------------------------------------------------------------------------
    @staticmethod
    def _sqlite_engine(path: Path) -> Engine:
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine("sqlite://", creator=lambda: sqlite3.connect(str(path), timeout=30, isolation_level=None),
                               poolclass=NullPool)

        @event.listens_for(engine, "connect")
        def _connected(dbapi: sqlite3.Connection, _record: object) -> None:
            dbapi.isolation_level = None  # transactions are begun here, not by the driver (below)
            dbapi.execute("PRAGMA journal_mode=WAL")
            dbapi.execute("PRAGMA synchronous=NORMAL")

        @event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            # A transaction that writes takes the write lock at once (BEGIN IMMEDIATE): waiting for it then is
            # safe, upgrading a reading transaction later is not.
            conn.exec_driver_sql(conn.info.pop("begin", "BEGIN"))

        return engine

    def _postgresql_engine(self, written: str) -> Engine:
        try:
            import psycopg  # noqa: F401
        except ImportError:
            raise NegtgelError(
                both("messages.store.postgresql_store_needs_psycopg", sep=" / ")
            ) from None
        try:
            url = make_url(written)
        except sqlalchemy.exc.ArgumentError:
            raise NegtgelError(
                both("messages.store.store_address_written_not", sep=" / ", written=written)
            ) from None
        if url.password is not None:
            raise NegtgelError(
                both("messages.store.do_not_write_password", sep=" / ", password_env=PASSWORD_ENV)
            )
        self.where = url.set(drivername="postgresql").render_as_string()
        connect_args: dict[str, Any] = {"connect_timeout": 10, "application_name": "negtgel"}
        password = os.environ.get(PASSWORD_ENV)
        if password:
            connect_args["password"] = password  # else libpq's own: PGPASSWORD, ~/.pgpass
        return create_engine(url.set(drivername="postgresql+psycopg"), poolclass=NullPool, connect_args=connect_args)

    def _connect(self) -> Connection:
        try:
            return self._engine.connect()
        except sqlalchemy.exc.DBAPIError as exc:
            self._engine.dispose()
            raise self._unusable(exc) from None

    def _unusable(self, exc: sqlalchemy.exc.DBAPIError) -> NegtgelError:
        reason = _reason(exc)
        if self.dialect == "sqlite":
            if "not a database" in reason or "malformed" in reason:
                return NegtgelError(f"Мэдээллийн сан {self.where} гэмтсэн эсвэл өөр файл байна / the store is not a valid database: {reason}")
            return NegtgelError(f"Мэдээллийн сан {self.where}-г нээж чадсангүй / could not open the store {self.where}: {reason}")
        lowered = reason.lower()
        if "password authentication failed" in lowered:
            return NegtgelError(
                f"Мэдээллийн сангийн сервер {self.where} нууц үгийг хүлээн авсангүй: {PASSWORD_ENV} (эсвэл PGPASSWORD)-г шалгана уу. "
                f"/ The store's server {self.where} refused the password: check {PASSWORD_ENV} (or PGPASSWORD). ({reason})"
            )
        if "no password supplied" in lowered:
            return NegtgelError(
                f"Мэдээллийн сангийн сервер {self.where} нууц үг шаардаж байна: {PASSWORD_ENV} (эсвэл PGPASSWORD)-д өгнө үү. "
                f"/ The store's server {self.where} needs a password: set {PASSWORD_ENV} (or PGPASSWORD). ({reason})"
            )
        if "does not exist" in lowered:
            return NegtgelError(
                f"Мэдээллийн сангийн сервер {self.where} дээр ийм сан эсвэл хэрэглэгч алга / the database or user "
                f"does not exist on the store's server {self.where}. ({reason})"
            )
        if isinstance(exc, sqlalchemy.exc.OperationalError):
            return NegtgelError(
                f"Мэдээллийн сангийн сервер {self.where}-д холбогдож чадсангүй (асаалттай, хаяг, порт зөв эсэхийг шалгана уу). "
                f"/ Could not connect to the store's server {self.where} (is it running, are the host and port right?). ({reason})"
            )
        return NegtgelError(f"Мэдээллийн сан {self.where}-г ашиглаж чадсангүй / the store {self.where} cannot be used: {reason}")

    _conn: Connection | None = None

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(sqlalchemy.exc.DBAPIError):
                self._conn.close()
            self._conn = None
        self._engine.dispose()

    @property
    def store_id(self) -> str:
        value = self._read(lambda c: c.execute(select(_meta.c.value).where(_meta.c.key == "store_id")).scalar())
        return str(value) if value else ""

    @property
    def schema_version(self) -> int:
        value = self._read(lambda c: c.execute(select(_meta.c.value).where(_meta.c.key == "schema_version")).scalar())
        return int(value or 0)

    # --- transactions ----------------------------------------------------------------------------------------
    @property
    def connection(self) -> Connection:
        assert self._conn is not None, "the store is closed"
        return self._conn

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One transaction that writes: all of it or none. Inside another, it is part of that one."""
        conn = self.connection
        if conn.in_transaction():
            yield conn
            return
        conn.info["begin"] = "BEGIN IMMEDIATE"
        with conn.begin():
            yield conn

    def _read(self, work: Callable[[Connection], T]) -> T:
        conn = self.connection
        if conn.in_transaction():
            return work(conn)
        with conn.begin():
            return work(conn)

    def _write(self, work: Callable[[Connection], T]) -> T:
        with self.transaction() as conn:
            return work(conn)

    # The few statements the mail intake's state (mail/state.py) and other modules build on the tables.
    def rows(self, statement: Executable, params: dict[str, Any] | None = None) -> list[Any]:
        return self._read(lambda c: list(c.execute(statement, params).all()))

    def row(self, statement: Executable, params: dict[str, Any] | None = None) -> Any | None:
        return self._read(lambda c: c.execute(statement, params).first())

    def execute(self, statement: Executable, params: Sequence[dict[str, Any]] | dict[str, Any] | None = None) -> int:
        """Run a statement that writes; the number of rows it changed."""
        return self._write(lambda c: c.execute(statement, params).rowcount)

    def insert(self, table: Table, values: dict[str, Any]) -> int:
        """Insert one row; its new id."""
        statement = _prepared(("insert", table.name), table.insert)

        def work(conn: Connection) -> int:
            key = conn.execute(statement, values).inserted_primary_key
            assert key is not None
            return int(key[0])

        return self._write(work)

    def insert_new(self, table: Table, values: dict[str, Any]) -> bool:
        """Insert one row unless it conflicts with a row there (INSERT OR IGNORE); whether it was inserted."""
        # Told by the row it returns: an INSERT's rowcount is not what the drivers agree on.
        statement = _prepared(("insert_new", self.dialect, table.name),
                              lambda: self._dialect_insert(table).on_conflict_do_nothing().returning(literal(1)))
        return self._write(lambda c: c.execute(statement, values).first() is not None)

    def upsert(self, table: Table, values: dict[str, Any], keys: Sequence[str]) -> None:
        """Insert one row, or update the row with the same keys (INSERT OR REPLACE)."""
        def build() -> Any:
            statement = self._dialect_insert(table)
            changed = {name: statement.excluded[name] for name in values if name not in keys}
            return (statement.on_conflict_do_update(index_elements=[table.c[k] for k in keys], set_=changed) if changed
                    else statement.on_conflict_do_nothing())

        statement = _prepared(("upsert", self.dialect, table.name, tuple(values), tuple(keys)), build)
        self._write(lambda c: c.execute(statement, values))

    def _dialect_insert(self, table: Table) -> Any:
        return (pg_dialect.insert if self.dialect == "postgresql" else sqlite_dialect.insert)(table)

    # --- the run's lock on a PostgreSQL store ---------------------------------------------------------------
    def try_lock(self) -> bool:
        return bool(self._read(lambda c: c.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY}).scalar()))

    def unlock(self) -> None:
        self._read(lambda c: c.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY}).scalar())

    # --- submissions ---------------------------------------------------------------------------------
    def _submissions(self, statement: Executable, params: dict[str, Any] | None = None) -> list[Submission]:
        return [Submission(*row) for row in self.rows(statement, params)]

    def by_hash(self, sha256: str) -> Submission | None:
        row = self.row(_SUB_BY_HASH, {"sha": sha256})
        return Submission(*row) if row else None

    def by_id(self, submission_id: int) -> Submission | None:
        row = self.row(_SUB_BY_ID, {"sid": submission_id})
        return Submission(*row) if row else None

    def add_submission(self, **values: Any) -> Submission:
        values.setdefault("recorded_at", now_iso())
        if "intake_problems" in values:
            values["intake_problems"] = problems_to_json(values["intake_problems"])
        new_id = self.insert(_submissions, values)
        # As the row now reads, without reading it back: the columns not given take their defaults.
        return Submission(**{**{f.name: f.default if f.name in _DEFAULTS else None for f in fields(Submission)}, **values,
                             "id": new_id})

    def submissions(self, period: str | None = None) -> list[Submission]:
        return self._submissions(_SUBS_ALL) if period is None else self._submissions(_SUBS_OF, {"period": period})

    def unmatched(self) -> list[Submission]:
        """Submissions no department could be found for (yet: the list may have been completed since)."""
        return self._submissions(select(*_SUBMISSION_COLUMNS).where(_submissions.c.department.is_(None)).order_by(_submissions.c.id))

    def set_department(self, submission_id: int, department: str, source: str, intake_problems: list[Any]) -> None:
        self.execute(update(_submissions).where(_submissions.c.id == submission_id).values(
            department=department, department_source=source, intake_problems=problems_to_json(intake_problems)))

    def set_counts(self, submission_id: int, errors: int, warnings: int) -> None:
        self.execute(_SET_COUNTS, {"sid": submission_id, "e": errors, "w": warnings})

    def assign_pending(self, period: str) -> int:
        """Put the submissions that said nothing of their period into `period` (marked as assumed)."""
        return self.execute(update(_submissions).where(_submissions.c.period.is_(None), _submissions.c.period_source == "pending")
                            .values(period=period, period_source="assumed"))

    def has_pending(self) -> bool:
        return self.row(select(_submissions.c.id).where(_submissions.c.period.is_(None)).limit(1)) is not None

    def periods(self) -> list[str]:
        column = _submissions.c.period
        return [row[0] for row in self.rows(select(column).distinct().where(column.is_not(None)).order_by(column))]

    # --- the cheap "have I seen this file" check ----------------------------------------------------
    def seen_hash(self, path: str, size: int, mtime_ns: int) -> str | None:
        row = self.row(_SEEN_HASH, {"path": path, "size": size, "mtime": mtime_ns})
        return row[0] if row else None

    def remember_file(self, path: str, size: int, mtime_ns: int, sha256: str) -> None:
        self.upsert(_seen, {"path": path, "size": size, "mtime_ns": mtime_ns, "sha256": sha256}, ["path"])

    # --- parse cache -------------------------------------------------------------------------------
    def parsed(self, sha256: str, reader_key: str) -> Any | None:
        row = self.row(_PARSED, {"sha": sha256, "key": reader_key})
        if row is None:
            return None
        try:
            return pickle.loads(row[0])
        except Exception:  # a cache entry from an older program version: read the file again
            return None

    def save_parsed(self, sha256: str, reader_key: str, value: Any) -> None:
        self.save_parsed_payload(sha256, reader_key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))

    def save_parsed_payload(self, sha256: str, reader_key: str, payload: bytes) -> None:
        self.upsert(_parsed, {"sha256": sha256, "reader_key": reader_key, "payload": payload}, ["sha256", "reader_key"])

    # --- the normalised rows of each submission (issue 19: `pipeline/normcache.py`) -----------------------
    def normalised(self, sha256s: Sequence[str], norm_key: str) -> dict[str, bytes]:
        """The stored payloads of the given contents under one key (those stored), by sha256."""
        found: dict[str, bytes] = {}
        shas = list(dict.fromkeys(sha256s))
        for start in range(0, len(shas), 500):  # SQLite limits the parameters of one statement
            for sha, payload in self.rows(_NORMALISED, {"key": norm_key, "shas": shas[start:start + 500]}):
                found[sha] = bytes(payload)
        return found

    def save_normalised(self, entries: Sequence[tuple[str, bytes]], norm_key: str) -> None:
        """Keep the payloads (sha256, bytes) under one key, replacing those stored, in one transaction."""
        if not entries:
            return

        def build() -> Any:
            statement = self._dialect_insert(_normalised)
            return statement.on_conflict_do_update(index_elements=[_normalised.c.sha256, _normalised.c.norm_key],
                                                   set_={"payload": statement.excluded.payload})

        statement = _prepared(("save-normalised", self.dialect), build)
        values = [{"sha256": sha, "norm_key": norm_key, "payload": payload} for sha, payload in entries]
        self._write(lambda c: c.execute(statement, values))

    # --- pins, closing ---------------------------------------------------------------------------
    def pins(self, period: str) -> dict[str, int]:
        rows = self.rows(_PINS, {"period": period})
        return {dept: int(sid) for dept, sid in rows}

    def pin(self, period: str, department: str, submission_id: int, reason: str) -> None:
        self.upsert(_pins, {"period": period, "department": department, "submission_id": submission_id, "reason": reason,
                            "pinned_at": now_iso()}, ["period", "department"])

    def unpin(self, period: str, department: str) -> bool:
        return self.execute(delete(_pins).where(_pins.c.period == period, _pins.c.department == department)) > 0

    def events(self, period: str) -> list[tuple[str, str, str]]:
        rows = self.rows(select(_events.c.action, _events.c.reason, _events.c.at).where(_events.c.period == period).order_by(_events.c.id))
        return [(str(a), str(r), str(at)) for a, r, at in rows]

    def frozen(self, period: str) -> tuple[str, Any] | None:
        """A closed period's time of closing and snapshot (the figures as published), or None when open."""
        row = self.row(select(_snapshots.c.closed_at, _snapshots.c.version, _snapshots.c.data).where(_snapshots.c.period == period))
        if row is not None:
            if row.version != SNAPSHOT_VERSION:
                raise NegtgelError(
                    both("messages.store.snapshot_closed_period_format", sep=" / ", period=period, version=row.version)
                )
            # Decoded once per text: a run asks for it several times (closing, fingerprint, report); each caller
            # gets its own copy, as each got its own unpickled one.
            cached = self._decoded.get(period)
            if cached is None or cached[0] != row.data:
                cached = self._decoded[period] = (row.data, snapshot_from_json(row.data))
            return str(row.closed_at), copy.deepcopy(cached[1])
        legacy = self.row(select(_frozen.c.closed_at, _frozen.c.payload).where(_frozen.c.period == period))
        if legacy is None:
            return None
        try:  # a snapshot of the pickle format that could not be converted when the store was migrated
            return str(legacy.closed_at), pickle.loads(legacy.payload)
        except Exception:
            raise NegtgelError(
                both("messages.store.snapshot_closed_period_old", sep=" / ", period=period)
            ) from None

    def close_period(self, period: str, reason: str, snapshot: Any) -> str:
        at = now_iso()
        data = snapshot_to_json(snapshot)
        with self.transaction() as conn:
            conn.execute(_snapshots.insert().values(period=period, closed_at=at, version=SNAPSHOT_VERSION, data=data))
            conn.execute(_events.insert().values(period=period, action="close", reason=reason, at=at))
        return at

    def reopen_period(self, period: str, reason: str) -> str:
        at = now_iso()
        with self.transaction() as conn:
            conn.execute(delete(_snapshots).where(_snapshots.c.period == period))
            conn.execute(delete(_frozen).where(_frozen.c.period == period))
            conn.execute(_events.insert().values(period=period, action="reopen", reason=reason, at=at))
        return at

    # --- results for trends ------------------------------------------------------------------------
    def save_results(self, period: str, rows: list[tuple[str, float | None, int, int, int]]) -> None:
        at = now_iso()
        with self.transaction() as conn:
            conn.execute(delete(_results).where(_results.c.period == period))
            if rows:
                conn.execute(_results.insert(), [{"period": period, "department": d, "pct": pct, "measures": m, "due": due,
                                                  "scored": sc, "run_at": at} for d, pct, m, due, sc in rows])

    def results(self, periods: list[str]) -> list[tuple[str, str, float | None]]:
        if not periods:
            return []
        rows = self.rows(select(_results.c.period, _results.c.department, _results.c.pct).where(_results.c.period.in_(periods)))
        return [(p, d, pct) for p, d, pct in rows]

    def result_periods(self) -> list[str]:
        return [row[0] for row in self.rows(select(_results.c.period).distinct().order_by(_results.c.period))]

    # --- overrides ---------------------------------------------------------------------------------
    _OVERRIDE_FIELDS = ("department", "measure_key", "measure_no", "measure", "level", "comment")

    def overrides(self, period: str) -> list[tuple[str, str, str, str, str, str]]:
        rows = self.rows(select(*(_overrides.c[n] for n in self._OVERRIDE_FIELDS)).where(_overrides.c.period == period))
        return [tuple(row) for row in rows]

    def replace_overrides(self, period: str, rows: list[tuple[str, str, str, str, str, str]]) -> None:
        at = now_iso()
        with self.transaction() as conn:
            conn.execute(delete(_overrides).where(_overrides.c.period == period))
            if rows:
                conn.execute(_overrides.insert(), [{"period": period, **dict(zip(self._OVERRIDE_FIELDS, row, strict=True)),
                                                    "updated_at": at} for row in rows])

    def count(self, table: Table) -> int:
        return int(self._read(lambda c: c.execute(select(func.count()).select_from(table)).scalar()) or 0)


def _busy(where: str) -> NegtgelError:
    return NegtgelError(
        both("messages.store.another_run_using_store", sep=" / ", where=where)
    )


@contextlib.contextmanager
def open_store(location: StoreLocation, *, wait_seconds: float | None = None) -> Iterator[Store]:
    """Open the store for a run that changes it. A second run on the same store waits, then stops clearly."""
    if wait_seconds is None:
        wait_seconds = float(os.environ.get("NEGTGEL_LOCK_TIMEOUT", "120"))
    location = store_location_of(location) if isinstance(location, str) else location
    with contextlib.ExitStack() as held:
        if isinstance(location, Path):
            location.parent.mkdir(parents=True, exist_ok=True)
            lock = FileLock(str(location) + ".lock")
            try:
                lock.acquire(timeout=wait_seconds)
            except Timeout:
                raise _busy(str(location)) from None
            held.callback(lock.release)
        store = Store(location)
        held.callback(store.close)
        if store.dialect == "postgresql":
            deadline = time.monotonic() + wait_seconds
            while not store.try_lock():
                if time.monotonic() >= deadline:
                    raise _busy(store.where)
                time.sleep(min(0.5, max(0.0, deadline - time.monotonic())))
            # Released when the store's connection closes (a session lock), also when the run is killed.
        try:
            yield store
        except sqlalchemy.exc.OperationalError as exc:  # the server went away, the disk is full, ...
            raise NegtgelError(
                f"Мэдээллийн сан {store.where}-тай ажиллах үед алдаа гарлаа; өөрчлөлт хадгалагдаагүй. "
                f"/ The store {store.where} failed during the run; the change was not saved. ({_reason(exc)})"
            ) from None
