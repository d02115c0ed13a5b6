"""The store on SQLite and on a real PostgreSQL server: the same results from every method (issue 15).

The `store` fixture runs each test against both; the PostgreSQL one needs the server that tests/postgres.py
starts (skipped, saying why, where PostgreSQL is not installed). Then: a store of the first schema migrates in
place without losing a row (a file built with that schema's own SQL), a closed period written as a pickle
gives the same report, two runs on one PostgreSQL store at once neither corrupt it nor count twice, and the
example run gives byte-identical measures.csv on both stores.
"""

from __future__ import annotations

import math
import os
import pickle
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.errors import NegtgelError
from pipeline.mail import state
from pipeline.problems import Problem
from pipeline.review import StoredOverride
from pipeline.rollup import Overall
from pipeline.store import Store, StoreLocation, open_store
from pipeline.store_codec import snapshot_from_json, snapshot_to_json
from pipeline.store_schema import SCHEMA_VERSION, TABLES
from tests.conftest import EXAMPLES, MAPPINGS
from tests.ports import free_port
from tests.postgres import PostgresServer, postgres  # noqa: F401  (the session's server, a fixture)

# The first schema, verbatim from store.py before issue 15: what every existing SQLite store was created with.
V1_SCHEMA = """
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


@pytest.fixture(params=["sqlite", "postgresql"])
def location(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> StoreLocation:
    if request.param == "sqlite":
        return tmp_path / "negtgel.db"
    server: PostgresServer = request.getfixturevalue("postgres")
    monkeypatch.setenv("NEGTGEL_STORE_PASSWORD", server.password)
    return server.database()


@pytest.fixture()
def store(location: StoreLocation) -> Iterator[Store]:
    opened = Store(location)
    yield opened
    opened.close()


@pytest.fixture()
def pg_url(postgres: PostgresServer, monkeypatch: pytest.MonkeyPatch) -> str:  # noqa: F811
    monkeypatch.setenv("NEGTGEL_STORE_PASSWORD", postgres.password)
    return postgres.database()


def submission(sha: str, **values: object) -> dict[str, object]:
    return {"sha256": sha, "original_name": f"{sha}.xlsx", "archive_path": f"archive/2026-10/ЗУХ/{sha}.xlsx",
            "department": "Захиргаа, удирдлагын хэлтэс", "department_source": "cell", "period": "2026-10",
            "period_source": "cell", "received_at": "2026-11-03T09:00:00+08:00", "sender": None, "subject": None,
            "message_id": None, "origin": "folder", "size": 3_000_000_000, "errors": 0, "warnings": 1, **values}


PROBLEM = Problem("timeframe-interpreted", file="ЗУХ.xlsx", sheet="Төлөвлөгөө", cell="F11", row=11, value="1-1V улирал",
                  detail="`1-1V улирал` → I-IV", extra=(("x", "y"),))


def example_snapshot() -> dict[str, object]:
    """A snapshot with every kind of column a closed period's frames hold."""
    measures = pd.DataFrame({
        "department": pd.array(["ЗУХ", "СТС", None], dtype=pd.StringDtype(na_value=math.nan)),
        "row": [11, 12, 13],
        "raw": pd.Series(["95-аас доошгүй", None, 0.682], dtype=object),
        "flags": pd.Series([[], ["timeframe-interpreted"], []], dtype=object),
        "on_time": pd.Series([True, None, False], dtype=object),
        "q_first": pd.array([1, None, 4], dtype="Int64"),
        "level": pd.array([100.0, None, 0.1 + 0.2], dtype="Float64"),
        "due": [True, False, True],
        "pct": [81.91616766467065, math.nan, -0.0],
    })
    return {
        "measures": measures,
        "departments": measures[["department", "pct"]].iloc[[2, 0]],
        "overall": Overall(81.91616766467065, 81.9, "Сайн", "B", "#91CF60", 4.1, 169, 168, 167, {"done": 102}),
        "methodology_name": "Үнэлгээ (100/70/30/0)",
        "expected": 10,
        "reported": 9,
        "problems": [PROBLEM],
        "overrides": {"k1": StoredOverride("ЗУХ", "k1", "1.1", "Журмыг шинэчилнэ.", "30", "Төсөл")},
        "last_submission_id": 9,
    }


def assert_same_snapshot(got: dict[str, object], expected: dict[str, object]) -> None:
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        if isinstance(value, pd.DataFrame):
            assert isinstance(got[key], pd.DataFrame)
            pd.testing.assert_frame_equal(got[key], value, check_exact=True, check_index_type=True, check_column_type=True)
        else:
            assert got[key] == value, key


# --- every method, on both stores -------------------------------------------------------------------------
def test_a_new_store_has_the_latest_schema_and_keeps_its_identity(store: Store, location: StoreLocation) -> None:
    assert store.schema_version == SCHEMA_VERSION == 4
    identity = store.store_id
    assert len(identity) == 32
    store.close()
    again = Store(location)
    try:
        assert again.store_id == identity and again.schema_version == 4
    finally:
        again.close()


def test_submissions(store: Store) -> None:
    first = store.add_submission(**submission("a" * 64, intake_problems=[PROBLEM], received_at="2026-11-04T10:00:00+08:00"))
    second = store.add_submission(**submission("b" * 64, department=None, received_at="2026-11-03T10:00:00+08:00"))
    pending = store.add_submission(**submission("c" * 64, period=None, period_source="pending"))
    assert (first.id, second.id, pending.id) == (1, 2, 3)
    assert first.size == 3_000_000_000 and first.readable == 1 and first.recorded_at
    assert first.problems() == [PROBLEM] and second.problems() == []
    assert store.by_hash("a" * 64) == first and store.by_id(2) == second and store.by_hash("z") is None
    assert [s.id for s in store.submissions("2026-10")] == [2, 1]  # by the time received
    assert [s.id for s in store.submissions()] == [3, 2, 1]
    assert [s.id for s in store.unmatched()] == [2]
    store.set_department(2, "Санхүү, төрийн сангийн хэлтэс", "alias", [PROBLEM, PROBLEM])
    store.set_counts(2, 3, 4)
    changed = store.by_id(2)
    assert changed is not None
    assert (changed.department, changed.department_source, changed.errors, changed.warnings) == (
        "Санхүү, төрийн сангийн хэлтэс", "alias", 3, 4)
    assert changed.problems() == [PROBLEM, PROBLEM]
    assert store.has_pending() and store.periods() == ["2026-10"]
    assert store.assign_pending("2026-09") == 1 and store.assign_pending("2026-09") == 0
    assert not store.has_pending() and store.periods() == ["2026-09", "2026-10"]
    assigned = store.by_id(3)
    assert assigned is not None and (assigned.period, assigned.period_source) == ("2026-09", "assumed")


def test_seen_files_and_the_parse_cache(store: Store) -> None:
    mtime = 1_764_650_000_123_456_789  # nanoseconds: beyond 32 bits
    assert store.seen_hash("/in/a.xlsx", 10, mtime) is None
    store.remember_file("/in/a.xlsx", 10, mtime, "h1")
    store.remember_file("/in/a.xlsx", 11, mtime, "h2")  # the file changed: remembered anew
    assert store.seen_hash("/in/a.xlsx", 10, mtime) is None and store.seen_hash("/in/a.xlsx", 11, mtime) == "h2"
    assert store.parsed("h2", "r1") is None
    store.save_parsed("h2", "r1", {"tables": [1, 2], "name": "ЗУХ"})
    store.save_parsed("h2", "r1", {"tables": [3]})
    assert store.parsed("h2", "r1") == {"tables": [3]} and store.parsed("h2", "r2") is None
    store.save_parsed_payload("h3", "r1", b"not a pickle")
    assert store.parsed("h3", "r1") is None  # an entry of an older program: read the file again


def test_pins_events_results_overrides(store: Store) -> None:
    store.pin("2026-10", "ЗУХ", 5, "засвар")
    store.pin("2026-10", "ЗУХ", 6, "дахин")
    store.pin("2026-10", "СТС", 7, "")
    assert store.pins("2026-10") == {"ЗУХ": 6, "СТС": 7} and store.pins("2026-09") == {}
    assert store.unpin("2026-10", "СТС") and not store.unpin("2026-10", "СТС")
    store.save_results("2026-10", [("ЗУХ", 81.91616766467065, 10, 9, 8), ("", None, 10, 9, 8)])
    store.save_results("2026-10", [("ЗУХ", 75.5, 10, 9, 8), ("", 75.5, 10, 9, 8)])  # a re-run replaces
    store.save_results("2026-09", [("ЗУХ", 81.91616766467065, 4, 4, 4)])
    assert sorted(store.results(["2026-09", "2026-10"])) == [
        ("2026-09", "ЗУХ", 81.91616766467065), ("2026-10", "", 75.5), ("2026-10", "ЗУХ", 75.5)]
    assert store.results([]) == [] and store.result_periods() == ["2026-09", "2026-10"]
    rows = [("ЗУХ", "k1", "1.1", "Журмыг шинэчилнэ.", "30", "Төсөл"), ("ЗУХ", "k2", "1.2", "Сургалт", "ХБ", "")]
    store.replace_overrides("2026-10", rows)
    store.replace_overrides("2026-10", rows[1:])
    assert store.overrides("2026-10") == rows[1:]
    store.replace_overrides("2026-10", [])
    assert store.overrides("2026-10") == []


def test_closing_keeps_the_snapshot_as_data_and_reopening_removes_it(store: Store) -> None:
    snapshot = example_snapshot()
    assert store.frozen("2026-10") is None
    at = store.close_period("2026-10", "Удирдлагад танилцуулсан", snapshot)
    found = store.frozen("2026-10")
    assert found is not None and found[0] == at
    assert_same_snapshot(found[1], snapshot)
    found[1]["measures"].loc[0, "row"] = 99  # each caller has its own copy
    found[1]["problems"].clear()
    again = store.frozen("2026-10")
    assert again is not None
    assert_same_snapshot(again[1], snapshot)
    assert store.events("2026-10") == [("close", "Удирдлагад танилцуулсан", at)]
    data = store.row(TABLES.tables["snapshots"].select())
    assert data is not None and data.version == 1 and data.data.startswith('{"version": 1')
    later = store.reopen_period("2026-10", "засвар ирсэн")
    assert store.frozen("2026-10") is None
    assert [e[0] for e in store.events("2026-10")] == ["close", "reopen"] and store.events("2026-10")[1][2] == later


def test_a_transaction_is_all_or_nothing(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction():
        store.add_submission(**submission("a" * 64))
        store.pin("2026-10", "ЗУХ", 1, "")
        raise RuntimeError("stopped half-way")
    assert store.submissions() == [] and store.pins("2026-10") == {}
    with store.transaction(), store.transaction():  # a transaction inside another is part of it
        store.add_submission(**submission("a" * 64))
    assert len(store.submissions()) == 1


def test_the_mail_state(store: Store) -> None:
    state.ensure_schema(store)
    assert state.mailbox_state(store, "u@h:993/INBOX") is None
    state.save_mailbox_state(store, "u@h:993/INBOX", 4_294_967_295, 7)
    state.save_mailbox_state(store, "u@h:993/INBOX", 4_294_967_295, 9)
    assert state.mailbox_state(store, "u@h:993/INBOX") == (4_294_967_295, 9)
    first = state.record_message(store, mailbox="u@h:993/INBOX", uidvalidity=4_294_967_295, uid=9, message_id="<a@x>",
                                 outcome="taken", raw_sha256="r1", problems=[], sender="zuh@altantal.gov.mn")
    assert state.message_known(store, None, "u@h:993/INBOX", 4_294_967_295, 9) and state.message_known(store, "r1")
    assert not state.message_known(store, "r2") and state.message_id_used(store, "<a@x>") and not state.message_id_used(store, None)
    quarantined = state.record_message(store, message_id="<q@x>", outcome="quarantined", sender="x@gmail.com",
                                       date="2026-11-03T09:00:00+08:00", subject="тайлан")
    assert quarantined == first + 1
    assert state.quarantined(store) == [("x@gmail.com", "2026-11-03T09:00:00+08:00", "тайлан")]
    mail_id, queued = state.record_with_receipt(store, {"message_id": "<b@x>", "outcome": "taken"}, [1, 2],
                                                ("zuh@altantal.gov.mn", "Хүлээн авлаа", b"receipt\r\n"))
    assert queued and state.receipt_status(store, 1) == "pending" and state.answered(store, 2) and not state.answered(store, 3)
    assert state.record_with_receipt(store, {"message_id": "<c@x>", "outcome": "taken"}, [2], ("a@b.mn", "s", b"2"))[1] is False
    assert [(q.mail_message_id, q.to_addr, q.subject, q.body) for q in state.queued(store)] == [
        (mail_id, "zuh@altantal.gov.mn", "Хүлээн авлаа", b"receipt\r\n")]
    state.finish_receipt(store, mail_id, "failed", "timeout")
    assert [q.mail_message_id for q in state.queued(store, mail_id)] == [mail_id]
    state.finish_receipt(store, mail_id, "sent")
    assert state.queued(store) == [] and state.receipt_status(store, 1) == "sent"
    records = state.messages(store)
    assert [(m.outcome, m.receipt_status) for m in records] == [("taken", None), ("quarantined", None), ("taken", "sent"),
                                                                 ("taken", None)]
    outbox = store.row(TABLES.tables["mail_outbox"].select())
    assert outbox is not None and (outbox.status, outbox.attempts, outbox.error) == ("sent", 2, None)


# --- the first schema, migrated in place ------------------------------------------------------------------
def v1_store(path: Path, snapshot: dict[str, object]) -> None:
    """A store as the code before issue 15 wrote it: its own SQL, pickles for the snapshot and intake problems."""
    with sqlite3.connect(path) as db:
        db.executescript(V1_SCHEMA)
        db.execute("INSERT INTO meta VALUES('schema_version', '1')")
        db.execute("INSERT INTO meta VALUES('store_id', 'old-store-id')")
        values = submission("a" * 64)
        values["intake_problems"] = pickle.dumps([PROBLEM], protocol=pickle.HIGHEST_PROTOCOL)
        values["recorded_at"] = "2026-11-03T09:00:01+08:00"
        db.execute(f"INSERT INTO submissions({', '.join(values)}) VALUES({', '.join('?' * len(values))})", tuple(values.values()))
        db.execute("INSERT INTO seen_files VALUES('/in/a.xlsx', 10, 1764650000123456789, 'h1')")
        db.execute("INSERT INTO parsed VALUES('h1', 'r1', ?)", (pickle.dumps({"x": 1}),))
        db.execute("INSERT INTO overrides VALUES('2026-10', 'ЗУХ', 'k1', '1.1', 'Журам', '30', 'Төсөл', 't')")
        db.execute("INSERT INTO pins VALUES('2026-10', 'ЗУХ', 1, 'засвар', 't')")
        db.execute("INSERT INTO period_events(period, action, reason, at) VALUES('2026-10', 'close', 'хаав', '2026-11-10T10:00:00+08:00')")
        db.execute("INSERT INTO frozen VALUES('2026-10', '2026-11-10T10:00:00+08:00', ?)", (pickle.dumps(snapshot),))
        db.execute("INSERT INTO frozen VALUES('2026-09', '2026-10-10T10:00:00+08:00', ?)", (b"\x80\x05not a pickle any more",))
        db.execute("INSERT INTO results VALUES('2026-10', 'ЗУХ', 81.91616766467065, 10, 9, 8, 't')")
        db.execute("INSERT INTO mail_state VALUES('u@h:993/INBOX', 7, 5, 't')")
        db.execute("INSERT INTO mail_messages(message_id, outcome, processed_at, receipt_status, receipt_to, receipt_body) "
                   "VALUES('<f@x>', 'taken', 't', 'failed', 'zuh@altantal.gov.mn', x'41')")
        db.execute("INSERT INTO receipts(submission_id, to_addr, subject, status, sent_at) VALUES(1, 'zuh@altantal.gov.mn', 's', 'failed', 't')")


def test_a_store_of_the_first_schema_migrates_in_place_without_losing_a_row(tmp_path: Path) -> None:
    path = tmp_path / "negtgel.db"
    snapshot = example_snapshot()
    v1_store(path, snapshot)
    for _ in range(2):  # the second opening finds nothing to do
        store = Store(path)
        try:
            assert store.schema_version == 4 and store.store_id == "old-store-id"
            (sub,) = store.submissions()
            assert sub == Store.by_id(store, 1)
            assert (sub.sha256, sub.size, sub.received_at, sub.recorded_at) == ("a" * 64, 3_000_000_000, "2026-11-03T09:00:00+08:00",
                                                                               "2026-11-03T09:00:01+08:00")
            assert isinstance(sub.intake_problems, str) and sub.problems() == [PROBLEM]  # converted to JSON
            assert store.seen_hash("/in/a.xlsx", 10, 1764650000123456789) == "h1" and store.parsed("h1", "r1") == {"x": 1}
            assert store.overrides("2026-10") == [("ЗУХ", "k1", "1.1", "Журам", "30", "Төсөл")]
            assert store.pins("2026-10") == {"ЗУХ": 1} and store.results(["2026-10"]) == [("2026-10", "ЗУХ", 81.91616766467065)]
            assert store.events("2026-10") == [("close", "хаав", "2026-11-10T10:00:00+08:00")]
            found = store.frozen("2026-10")
            assert found is not None and found[0] == "2026-11-10T10:00:00+08:00"
            assert_same_snapshot(found[1], snapshot)
            assert store.count(TABLES.tables["snapshots"]) == 1
            # The pickle that no longer reads is kept as it was, and says so in words when asked for.
            assert store.count(TABLES.tables["frozen"]) == 1
            with pytest.raises(NegtgelError, match=r"^2026-09-ийн хаалтын хуулбар хуучин хэлбэрээр .* / The snapshot of closed 2026-09"):
                store.frozen("2026-09")
            assert state.mailbox_state(store, "u@h:993/INBOX") == (7, 5)
            assert [(q.to_addr, q.body) for q in state.queued(store)] == [("zuh@altantal.gov.mn", b"A")]
            assert state.receipt_status(store, 1) == "failed"
        finally:
            store.close()
    with sqlite3.connect(path) as db:
        columns = {row[1] for row in db.execute("PRAGMA table_info(mail_messages)")}
    assert {"date_header", "received_from", "kind", "forwarded_by"} <= columns


def test_a_snapshot_reads_back_exactly() -> None:
    snapshot = example_snapshot()
    text = snapshot_to_json(snapshot)
    assert_same_snapshot(snapshot_from_json(text), snapshot)
    assert snapshot_to_json(snapshot_from_json(text)) == text
    with pytest.raises(TypeError, match="cannot hold the column 'when' of dtype datetime64"):
        snapshot_to_json({"measures": pd.DataFrame({"when": pd.to_datetime(["2026-10-01"])})})


def test_a_store_newer_than_the_program_is_refused_in_words(tmp_path: Path) -> None:
    path = tmp_path / "negtgel.db"
    Store(path).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(NegtgelError, match=r"^Мэдээллийн сан .* шинэ хувилбараар \(схем 99\).* / The store .* newer negtgel"):
        Store(path)


# --- the example run: the same figures from either store, and from a pickled snapshot --------------------------
def cli_run(workspace: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [*args, "--workspace", str(workspace), "--mappings", str(MAPPINGS)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def example_workspace(root: Path) -> Path:
    (root / "mappings").mkdir(parents=True)
    shutil.copy2(MAPPINGS / "settings.yaml", root / "mappings" / "settings.yaml")
    shutil.copytree(EXAMPLES, root / "input")
    return root


def test_a_period_closed_as_a_pickle_gives_the_same_report(tmp_path: Path) -> None:
    workspace = example_workspace(tmp_path / "ws")
    assert cli_run(workspace, "run")[0] == 1  # the example's deliberate error
    assert cli_run(workspace, "close", "--period", "2026-10", "--reason", "хянасан")[0] == 0
    period = workspace / "output" / "2026-10"
    shutil.rmtree(period)
    assert cli_run(workspace, "run")[0] == 1
    published = {name: (period / name).read_bytes() for name in ("measures.csv", "problems.csv")}
    # The same store as the code before issue 15 kept it: schema 1, the snapshot and intake problems pickled.
    store = Store(workspace / "negtgel.db")
    found = store.frozen("2026-10")
    subs = store.submissions()
    store.close()
    assert found is not None
    with sqlite3.connect(workspace / "negtgel.db") as db:
        db.execute("DELETE FROM snapshots")
        db.execute("DROP TABLE snapshots")
        db.execute("INSERT INTO frozen VALUES('2026-10', ?, ?)", (found[0], pickle.dumps(found[1], protocol=pickle.HIGHEST_PROTOCOL)))
        for sub in subs:
            db.execute("UPDATE submissions SET intake_problems = ? WHERE id = ?", (pickle.dumps(sub.problems()), sub.id))
        db.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    shutil.rmtree(period)
    code, output = cli_run(workspace, "run")
    assert code == 1 and "хаагдсан" in output
    assert {name: (period / name).read_bytes() for name in published} == published
    store = Store(workspace / "negtgel.db")
    try:
        again = store.frozen("2026-10")
        assert again is not None and store.schema_version == 4 and store.count(TABLES.tables["frozen"]) == 0
        assert_same_snapshot(again[1], found[1])
        assert [s.problems() for s in store.submissions()] == [s.problems() for s in subs]
    finally:
        store.close()


def negtgel(workspace: Path, *args: str, timeout: str = "120", mappings: Path = MAPPINGS) -> subprocess.Popen[str]:
    env = {**os.environ, "NEGTGEL_LOCK_TIMEOUT": timeout, "NEGTGEL_WORKSPACE": str(workspace), "NEGTGEL_MAPPINGS": str(mappings)}
    return subprocess.Popen([sys.executable, "-m", "pipeline", *args, "--mappings", str(mappings)], env=env, cwd=workspace,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_two_runs_at_once_on_one_postgresql_store_count_once_and_match_sqlite(tmp_path: Path, pg_url: str) -> None:
    reference = example_workspace(tmp_path / "sqlite")
    assert cli_run(reference, "run")[0] == 1
    shared = example_workspace(tmp_path / "shared")
    runs = [negtgel(shared, "run", "--store", pg_url) for _ in range(2)]
    outputs = [run.communicate(timeout=300)[0] for run in runs]
    assert [run.returncode for run in runs] == [1, 1], outputs  # the example's deliberate error, both times
    assert all("Traceback" not in out and "Another run" not in out for out in outputs), outputs
    name = "measures.csv"
    assert (shared / "output" / "2026-10" / name).read_bytes() == (reference / "output" / "2026-10" / name).read_bytes()
    assert not (shared / "negtgel.db").exists()
    pg, lite = Store(pg_url), Store(reference / "negtgel.db")
    try:
        assert len(pg.submissions()) == len(lite.submissions()) == len(list(EXAMPLES.glob("*.xlsx"))) == 9
        assert sorted(s.sha256 for s in pg.submissions()) == sorted(s.sha256 for s in lite.submissions())
        assert sorted(pg.results(["2026-10"])) == sorted(lite.results(["2026-10"]))
        assert pg.count(TABLES.tables["results"]) == lite.count(TABLES.tables["results"]) == 10  # 9 departments + overall
    finally:
        pg.close()
        lite.close()


def test_a_second_run_waits_for_the_first_then_stops_clearly(tmp_path: Path, pg_url: str) -> None:
    workspace = example_workspace(tmp_path / "ws")
    with open_store(pg_url) as held:
        started = time.monotonic()
        refused = negtgel(workspace, "run", "--store", pg_url, timeout="1")
        out = refused.communicate(timeout=120)[0]
        assert refused.returncode == 1 and time.monotonic() - started >= 1
        assert f"Өөр нэгтгэл {pg_url} санг ашиглаж байна" in out and f"/ Another run is using the store {pg_url};" in out
        assert "Traceback" not in out and "Error" not in out.replace("Error:", "")
        # This one names the store in settings.yaml, as a specialist does.
        mappings = workspace / "mappings-shared"
        shutil.copytree(MAPPINGS, mappings)
        settings = mappings / "settings.yaml"
        settings.write_text(settings.read_text(encoding="utf-8").replace("\nstore:\n", f"\nstore: {pg_url}\n"), encoding="utf-8")
        assert f"store: {pg_url}" in settings.read_text(encoding="utf-8")
        waiting = negtgel(workspace, "run", mappings=mappings)
        threading.Event().wait(3)
        assert waiting.poll() is None  # still waiting for the lock
        assert held.submissions() == []
    out = waiting.communicate(timeout=300)[0]
    assert waiting.returncode == 1 and "Another run" not in out, out
    assert not (workspace / "negtgel.db").exists()
    store = Store(pg_url)
    try:
        assert len(store.submissions()) == 9
    finally:
        store.close()


@pytest.mark.parametrize("case", ["unreachable", "wrong password", "no password", "password in the address", "no database"])
def test_a_postgresql_store_that_cannot_be_used_is_explained_in_words(
    case: str, tmp_path: Path, postgres: PostgresServer, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    url, expected = {
        "unreachable": (f"postgresql://negtgel@127.0.0.1:{free_port()}/negtgel", "холбогдож чадсангүй"),
        "wrong password": (postgres.url("postgres"), "нууц үгийг хүлээн авсангүй"),
        "no password": (postgres.url("postgres"), "нууц үг шаардаж байна"),
        "password in the address": (f"postgresql://negtgel:secret@127.0.0.1:{postgres.port}/postgres", "Нууц үгийг хаягт бичихгүй"),
        "no database": (postgres.url("no_such_db"), "ийм сан эсвэл хэрэглэгч алга"),
    }[case]
    monkeypatch.delenv("PGPASSWORD", raising=False)
    if case == "no password":
        monkeypatch.delenv("NEGTGEL_STORE_PASSWORD", raising=False)
    else:
        monkeypatch.setenv("NEGTGEL_STORE_PASSWORD", "wrong" if case == "wrong password" else postgres.password)
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.pgpass
    code, output = cli_run(example_workspace(tmp_path / "ws"), "status", "--store", url)
    assert code != 0
    first = output.strip().splitlines()[-1]
    assert expected in first and " / " in first and first.index(expected) < first.index(" / ")
    assert "Traceback" not in output and "OperationalError" not in output and "sqlalchemy" not in output.lower()


def test_a_store_address_of_another_kind_is_explained_in_words(tmp_path: Path) -> None:
    code, output = cli_run(example_workspace(tmp_path / "ws"), "status", "--store", "mysql://negtgel@db/negtgel")
    assert code != 0 and "Мэдээллийн сан mysql://negtgel@db/negtgel: зөвхөн SQLite файл эсвэл postgresql://" in output
    assert "/ The store mysql://negtgel@db/negtgel: only a SQLite file or postgresql://user@host:port/database" in output


def test_a_file_that_is_not_a_database_is_explained_in_words(tmp_path: Path) -> None:
    workspace = example_workspace(tmp_path / "ws")
    (workspace / "negtgel.db").write_bytes(b"PK\x03\x04 this is a zip, not a store" * 100)
    code, output = cli_run(workspace, "status")
    assert code != 0 and "гэмтсэн эсвэл өөр файл байна / the store is not a valid database: file is not a database" in output
    assert "Traceback" not in output and "DatabaseError" not in output


def test_the_normalised_rows_cache(store: Store) -> None:
    assert store.normalised(["h1"], "k1") == {}
    store.save_normalised([("h1", b"one"), ("h2", b"two")], "k1")
    store.save_normalised([("h1", b"uno")], "k1")  # replaced
    store.save_normalised([("h1", b"other key")], "k2")
    assert store.normalised(["h1", "h2", "h3", "h1"], "k1") == {"h1": b"uno", "h2": b"two"}
    assert store.normalised(["h1", "h2"], "k2") == {"h1": b"other key"}
    # More contents than one statement takes parameters for (SQLite: 999 before 3.32).
    many = [(f"s{i:04d}", str(i).encode()) for i in range(1_200)]
    store.save_normalised(many, "k3")
    found = store.normalised([sha for sha, _ in many], "k3")
    assert len(found) == 1_200 and found["s0000"] == b"0" and found["s1199"] == b"1199"
    store.save_normalised([], "k3")
    assert store.normalised(["s0500"], "k3") == {"s0500": b"500"}
