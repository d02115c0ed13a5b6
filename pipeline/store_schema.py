"""The store's schema, one for SQLite and PostgreSQL (SQLAlchemy Core), and its numbered migrations.

`TABLES` is the schema as the code queries it now (version `SCHEMA_VERSION`). A store records the version it
has in `meta.schema_version`; opening it runs the migrations above that version, in order, in one
transaction (so a store is never left half-migrated), under a lock (two programs opening one new store at
once migrate it once). A migration is written once and never changed: it names its own tables and columns,
not `TABLES`, so that version 1 stays what version 1 was.

1. the first schema (what `store.py` created until issue 15); on a store that predates `meta` (version 0)
   only the missing tables are created
2. the mail intake's later columns and indexes, and the receipt outbox (what `mail.state.ensure_schema`
   added on first use; each only where missing, since stores of version 1 may have some or all of them)
3. closed periods as data: `snapshots` (JSON, `store_codec`) instead of pickles in `frozen`, and the
   intake problems of submissions as JSON; every pickle is converted in place (one that cannot be read is
   left as it was, in `frozen`, and read as before)
"""

from __future__ import annotations

import pickle
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
    UniqueConstraint,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.types import TypeEngine

from pipeline.errors import NegtgelError

SCHEMA_VERSION = 4

# Text compares and sorts byte by byte on both (SQLite's default; PostgreSQL's "C" collation), so that periods,
# times and names come out of an ORDER BY in the same order whatever the server's locale.
TEXT: TypeEngine[str] = Text().with_variant(postgresql.TEXT(collation="C"), "postgresql")
# UIDs, file sizes and mtimes in nanoseconds exceed 32 bits: 64-bit on PostgreSQL (SQLite's integers are 64-bit).
BIG = BigInteger


def _mail_messages_v1(md: MetaData) -> Table:
    return Table(
        "mail_messages", md,
        Column("id", Integer, primary_key=True), Column("mailbox", TEXT), Column("uidvalidity", BIG), Column("uid", BIG),
        Column("message_id", TEXT), Column("sender", TEXT), Column("subject", TEXT), Column("date", TEXT),
        Column("outcome", TEXT, nullable=False), Column("processed_at", TEXT, nullable=False), Column("raw_sha256", TEXT),
        Column("origin", TEXT), Column("source", TEXT), Column("department", TEXT), Column("files", Integer),
        Column("problems", TEXT), Column("receipt_status", TEXT), Column("receipt_to", TEXT), Column("receipt_at", TEXT),
        Column("receipt_body", LargeBinary), Column("receipt_error", TEXT),
        sqlite_autoincrement=True,
    )


def _v1(md: MetaData) -> None:
    """The first schema, table by table as store.py's SCHEMA created it (intake_problems: text, see migration 3)."""
    Table("meta", md, Column("key", TEXT, primary_key=True), Column("value", TEXT, nullable=False))
    Table(
        "submissions", md,
        Column("id", Integer, primary_key=True), Column("sha256", TEXT, nullable=False, unique=True),
        Column("original_name", TEXT, nullable=False), Column("archive_path", TEXT, nullable=False),
        Column("department", TEXT), Column("department_source", TEXT, nullable=False), Column("period", TEXT),
        Column("period_source", TEXT, nullable=False), Column("received_at", TEXT, nullable=False), Column("sender", TEXT),
        Column("subject", TEXT), Column("message_id", TEXT), Column("origin", TEXT, nullable=False),
        Column("size", BIG, nullable=False), Column("errors", Integer, nullable=False), Column("warnings", Integer, nullable=False),
        Column("recorded_at", TEXT, nullable=False),
        # v1 declared BLOB and kept pickles; SQLite keeps what it is given whatever the declaration, so a new store
        # declares the JSON text it now holds (migration 3 converts the pickles of old ones).
        Column("intake_problems", TEXT),
        Column("readable", Integer, nullable=False, server_default="1"),
        Index("submissions_period", "period", "department"),
        sqlite_autoincrement=True,
    )
    Table("seen_files", md, Column("path", TEXT, primary_key=True), Column("size", BIG, nullable=False),
          Column("mtime_ns", BIG, nullable=False), Column("sha256", TEXT, nullable=False))
    Table("parsed", md, Column("sha256", TEXT, primary_key=True), Column("reader_key", TEXT, primary_key=True),
          Column("payload", LargeBinary, nullable=False))
    Table("overrides", md, *(Column(name, TEXT, primary_key=name in ("period", "department", "measure_key"), nullable=False)
                             for name in ("period", "department", "measure_key", "measure_no", "measure", "level", "comment",
                                          "updated_at")))
    Table("pins", md, Column("period", TEXT, primary_key=True), Column("department", TEXT, primary_key=True),
          Column("submission_id", Integer, nullable=False), Column("reason", TEXT, nullable=False),
          Column("pinned_at", TEXT, nullable=False))
    Table("period_events", md, Column("id", Integer, primary_key=True), Column("period", TEXT, nullable=False),
          Column("action", TEXT, nullable=False), Column("reason", TEXT, nullable=False), Column("at", TEXT, nullable=False),
          sqlite_autoincrement=True)
    Table("frozen", md, Column("period", TEXT, primary_key=True), Column("closed_at", TEXT, nullable=False),
          Column("payload", LargeBinary, nullable=False))
    Table("results", md, Column("period", TEXT, primary_key=True), Column("department", TEXT, primary_key=True),
          Column("pct", Float), Column("measures", Integer, nullable=False), Column("due", Integer, nullable=False),
          Column("scored", Integer, nullable=False), Column("run_at", TEXT, nullable=False))
    Table("mail_state", md, Column("mailbox", TEXT, primary_key=True), Column("uidvalidity", BIG, nullable=False),
          Column("last_uid", BIG, nullable=False), Column("updated_at", TEXT))
    _mail_messages_v1(md)
    Table("receipts", md, Column("id", Integer, primary_key=True), Column("submission_id", Integer, nullable=False, unique=True),
          Column("to_addr", TEXT, nullable=False), Column("subject", TEXT, nullable=False), Column("status", TEXT, nullable=False),
          Column("sent_at", TEXT, nullable=False), Column("mail_message_id", Integer), Column("error", TEXT),
          sqlite_autoincrement=True)


def _outbox(md: MetaData) -> Table:
    return Table(
        "mail_outbox", md,
        Column("id", Integer, primary_key=True), Column("mail_message_id", Integer, nullable=False),
        Column("to_addr", TEXT, nullable=False), Column("subject", TEXT, nullable=False), Column("body", LargeBinary, nullable=False),
        Column("status", TEXT, nullable=False), Column("attempts", Integer, nullable=False, server_default="0"),
        Column("error", TEXT), Column("created_at", TEXT, nullable=False), Column("sent_at", TEXT),
        UniqueConstraint("mail_message_id"),
        sqlite_autoincrement=True,
    )


def _snapshots(md: MetaData) -> Table:
    return Table("snapshots", md, Column("period", TEXT, primary_key=True), Column("closed_at", TEXT, nullable=False),
                 Column("version", Integer, nullable=False), Column("data", TEXT, nullable=False))


def _normalised(md: MetaData) -> Table:
    return Table("normalised", md, Column("sha256", TEXT, primary_key=True), Column("norm_key", TEXT, primary_key=True),
                 Column("payload", LargeBinary, nullable=False))


# --- the migrations -----------------------------------------------------------------------------------------
def _migration_1(conn: Connection) -> None:
    md = MetaData()
    _v1(md)
    md.create_all(conn, checkfirst=True)
    # Which store this is: the unchanged-re-run check must never take one store's outputs for another's.
    meta = md.tables["meta"]
    if conn.execute(select(meta.c.value).where(meta.c.key == "store_id")).first() is None:
        conn.execute(meta.insert().values(key="store_id", value=uuid.uuid4().hex))


# issue 13 and before: columns the mail intake added to stores of the first schema on first use
_MAIL_COLUMNS: dict[str, dict[str, Any]] = {
    "mail_state": {"updated_at": TEXT},
    "mail_messages": {
        "raw_sha256": TEXT, "origin": TEXT, "source": TEXT, "department": TEXT, "files": Integer, "problems": TEXT,
        "receipt_status": TEXT, "receipt_to": TEXT, "receipt_at": TEXT, "receipt_body": LargeBinary, "receipt_error": TEXT,
        "date_header": TEXT, "received_from": TEXT, "kind": TEXT, "forwarded_by": TEXT,
    },
    "receipts": {"mail_message_id": Integer, "error": TEXT},
}


def _migration_2(conn: Connection) -> None:
    dialect = conn.dialect
    for table, columns in _MAIL_COLUMNS.items():
        present = {c["name"] for c in inspect(conn).get_columns(table)}
        for name, kind in columns.items():
            if name not in present:
                ddl = (kind() if isinstance(kind, type) else kind).compile(dialect=dialect)
                conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {name} {ddl}"))
    md = MetaData()
    messages = Table("mail_messages", md, autoload_with=conn)
    for name, indexed in (("mail_messages_message_id", ("message_id",)), ("mail_messages_raw", ("raw_sha256",)),
                          ("mail_messages_uid", ("mailbox", "uidvalidity", "uid"))):
        Index(name, *(messages.c[c] for c in indexed)).create(conn, checkfirst=True)
    outbox = _outbox(md)
    outbox.create(conn, checkfirst=True)
    # A store written before the outbox kept unsent receipts on the message row: they are queued once.
    queued = {row[0] for row in conn.execute(select(outbox.c.mail_message_id))}
    old = conn.execute(
        select(messages.c.id, messages.c.receipt_to, messages.c.receipt_body, messages.c.receipt_at, messages.c.processed_at)
        .where(messages.c.receipt_status.in_(("failed", "sending")), messages.c.receipt_body.is_not(None),
               messages.c.receipt_to.is_not(None)).order_by(messages.c.id)
    ).all()
    rows = [{"mail_message_id": r.id, "to_addr": r.receipt_to, "subject": "", "body": bytes(r.receipt_body), "status": "failed",
             "created_at": r.receipt_at or r.processed_at} for r in old if r.id not in queued]
    if rows:
        conn.execute(outbox.insert(), rows)


def _migration_3(conn: Connection) -> None:
    from pipeline.store_codec import SNAPSHOT_VERSION, problems_to_json, snapshot_to_json

    md = MetaData()
    snapshots = _snapshots(md)
    snapshots.create(conn, checkfirst=True)
    frozen = Table("frozen", md, autoload_with=conn)
    for period, closed_at, payload in conn.execute(select(frozen.c.period, frozen.c.closed_at, frozen.c.payload)).all():
        try:
            data = snapshot_to_json(pickle.loads(payload))
        except Exception:  # unreadable here (or holding what JSON cannot): kept as it was, read as before
            continue
        conn.execute(snapshots.insert().values(period=period, closed_at=closed_at, version=SNAPSHOT_VERSION, data=data))
        conn.execute(frozen.delete().where(frozen.c.period == period))
    # Declared, not reflected: the column is BLOB on a store of version 1, and its JSON goes in as text.
    submissions = Table("submissions", md, Column("id", Integer, primary_key=True), Column("intake_problems", TEXT))
    pickled = conn.execute(select(submissions.c.id, submissions.c.intake_problems)
                           .where(submissions.c.intake_problems.is_not(None))).all()
    for sid, value in pickled:
        if isinstance(value, str):
            continue
        try:
            converted = problems_to_json(pickle.loads(value))
        except Exception:
            continue
        conn.execute(update(submissions).where(submissions.c.id == sid).values(intake_problems=converted))


def _migration_4(conn: Connection) -> None:
    md = MetaData()
    _normalised(md).create(conn, checkfirst=True)


MIGRATIONS: dict[int, Callable[[Connection], None]] = {1: _migration_1, 2: _migration_2, 3: _migration_3, 4: _migration_4}
assert sorted(MIGRATIONS) == list(range(1, SCHEMA_VERSION + 1))


def stored_version(conn: Connection) -> int:
    """The schema version the store has: 0 for an empty database or one from before `meta`."""
    if not inspect(conn).has_table("meta"):
        return 0
    meta = Table("meta", MetaData(), Column("key", TEXT), Column("value", TEXT))
    value = conn.execute(select(meta.c.value).where(meta.c.key == "schema_version")).scalar()
    return int(value) if value is not None else 0


def migrate(conn: Connection, where: str) -> int:
    """Bring the store to SCHEMA_VERSION; called inside a transaction that the caller commits. Returns the
    version found."""
    found = stored_version(conn)
    if found > SCHEMA_VERSION:
        raise NegtgelError(
            f"Мэдээллийн сан {where} энэ программаас шинэ хувилбараар (схем {found}) бичигдсэн; negtgel-ийг шинэчилнэ үү. "
            f"/ The store {where} was written by a newer negtgel (schema {found}, this one knows {SCHEMA_VERSION}); upgrade negtgel."
        )
    for number in range(found + 1, SCHEMA_VERSION + 1):
        MIGRATIONS[number](conn)
    if found < SCHEMA_VERSION:
        meta = TABLES.tables["meta"]
        done = conn.execute(update(meta).where(meta.c.key == "schema_version").values(value=str(SCHEMA_VERSION)))
        if not done.rowcount:
            conn.execute(meta.insert().values(key="schema_version", value=str(SCHEMA_VERSION)))
    return found


# --- the schema as queried now (version 4) --------------------------------------------------------------------
TABLES = MetaData()
_v1(TABLES)
for _table, _columns in _MAIL_COLUMNS.items():
    for _name, _kind in _columns.items():
        if _name not in TABLES.tables[_table].c:
            TABLES.tables[_table].append_column(Column(_name, _kind))
_outbox(TABLES)
_snapshots(TABLES)
_normalised(TABLES)
