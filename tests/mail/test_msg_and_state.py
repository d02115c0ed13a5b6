"""The .msg reader on compound files written by the tests' CFB writer; the store tables; folder names."""

from __future__ import annotations

import datetime as dt
import io
import sqlite3
from pathlib import Path

import olefile
import pytest

from pipeline.mail import state
from pipeline.mail.imap import encode_folder
from pipeline.mail.msg import MsgError, filetime, parse_msg
from pipeline.store import Store
from tests.mail.cfb import CompoundFile, MsgAttachment, MsgMessage, build_msg


def test_the_cfb_writer_makes_files_olefile_reads_strictly() -> None:
    cf = CompoundFile()
    small, large = b"small stream", bytes(range(256)) * 64  # mini stream and regular sectors
    cf.stream("a/b/small", small)
    cf.stream("a/large", large)
    for i in range(40):  # enough directory entries for several sectors and a deep sibling tree
        cf.stream(f"many/s{i:02d}", bytes([i]) * (i * 150 + 1))
    data = cf.to_bytes()
    with olefile.OleFileIO(io.BytesIO(data), raise_defects=olefile.DEFECT_INCORRECT) as ole:
        assert ole.openstream("a/b/small").read() == small
        assert ole.openstream("a/large").read() == large
        assert ole.openstream("many/s39").read() == bytes([39]) * (39 * 150 + 1)
        assert len(ole.listdir()) == 42


def test_msg_fields() -> None:
    data = build_msg(MsgMessage("Тайлан", sender="ZUH@altantal.gov.mn", sender_name="Д.Сарангэрэл",
                                submitted=dt.datetime(2026, 11, 4, 1, 30, tzinfo=dt.UTC), message_id="<a@b>",
                                attachments=(MsgAttachment("Тайлан.xlsx", b"PK\x03\x04data"),
                                             MsgAttachment("logo.png", b"\x89PNG", content_id="logo"))))
    parsed = parse_msg(data)
    assert (parsed.sender, parsed.sender_name, parsed.subject, parsed.message_id) == (
        "zuh@altantal.gov.mn", "Д.Сарангэрэл", "Тайлан", "<a@b>")
    assert parsed.date == dt.datetime(2026, 11, 4, 1, 30, tzinfo=dt.UTC)
    assert [(a.name, a.inline, a.data) for a in parsed.attachments] == [("Тайлан.xlsx", False, b"PK\x03\x04data"),
                                                                        ("logo.png", True, b"\x89PNG")]


def test_not_a_message() -> None:
    with pytest.raises(MsgError):
        parse_msg(b"plain text")
    with pytest.raises(MsgError):
        parse_msg(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    cf = CompoundFile()
    cf.stream("WordDocument", b"x" * 100)
    with pytest.raises(MsgError):
        parse_msg(cf.to_bytes())
    assert filetime(0) is None


def test_folder_names_in_modified_utf7() -> None:
    assert encode_folder("INBOX") == '"INBOX"'
    assert encode_folder("Тайлан") == '"&' + "Тайлан".encode("utf-7")[1:-1].decode().replace("/", ",") + '-"'
    assert encode_folder("A&B") == '"A&-B"'
    assert encode_folder('a"b') == '"a\\"b"'


def test_old_stores_get_the_new_columns(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    with sqlite3.connect(db) as conn:  # the tables as the first schema created them
        conn.executescript("""
CREATE TABLE mail_state(mailbox TEXT PRIMARY KEY, uidvalidity INTEGER NOT NULL, last_uid INTEGER NOT NULL);
CREATE TABLE mail_messages(id INTEGER PRIMARY KEY AUTOINCREMENT, mailbox TEXT, uidvalidity INTEGER, uid INTEGER,
    message_id TEXT, sender TEXT, subject TEXT, date TEXT, outcome TEXT NOT NULL, processed_at TEXT NOT NULL);
CREATE TABLE receipts(id INTEGER PRIMARY KEY AUTOINCREMENT, submission_id INTEGER NOT NULL UNIQUE, to_addr TEXT NOT NULL,
    subject TEXT NOT NULL, status TEXT NOT NULL, sent_at TEXT NOT NULL);
""")
    store = Store(db)
    try:
        state.ensure_schema(store)
        state.save_mailbox_state(store, "box", 7, 3)
        state.save_mailbox_state(store, "box", 7, 5)
        assert state.mailbox_state(store, "box") == (7, 5)
        state.record_message(store, message_id="<x>", outcome="taken", raw_sha256="abc", problems=[])
        assert state.message_known(store, "abc") and state.message_id_used(store, "<x>")
        assert not state.message_known(store, "def") and not state.message_id_used(store, "<y>")
        first, queued = state.record_with_receipt(store, {"message_id": "<z>", "outcome": "taken"}, [1, 2],
                                                  ("a@b.mn", "s", b"receipt 1"))
        assert queued and [q.body for q in state.queued(store)] == [b"receipt 1"]
        # never twice for one submission: 2 was answered, 3 is new
        _, queued = state.record_with_receipt(store, {"message_id": "<w>", "outcome": "taken"}, [2], ("a@b.mn", "s", b"2"))
        assert not queued
        third, queued = state.record_with_receipt(store, {"message_id": "<v>", "outcome": "taken"}, [2, 3], ("a@b.mn", "s", b"3"))
        assert queued
        state.finish_receipt(store, first, "sent")
        assert state.receipt_status(store, 2) == "sent" and state.receipt_status(store, 3) == "pending"
        assert [q.mail_message_id for q in state.queued(store)] == [third]
        assert [m.outcome for m in state.messages(store)] == ["taken"] * 4
    finally:
        store.close()


def test_an_old_stores_unsent_receipts_move_to_the_outbox_once(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    with sqlite3.connect(db) as conn:  # the schema of the version before the outbox: the receipt kept on the message row
        conn.executescript("""
CREATE TABLE mail_messages(id INTEGER PRIMARY KEY AUTOINCREMENT, mailbox TEXT, uidvalidity INTEGER, uid INTEGER,
    message_id TEXT, sender TEXT, subject TEXT, date TEXT, outcome TEXT NOT NULL, processed_at TEXT NOT NULL,
    raw_sha256 TEXT, origin TEXT, source TEXT, department TEXT, files INTEGER, problems TEXT,
    receipt_status TEXT, receipt_to TEXT, receipt_at TEXT, receipt_body BLOB, receipt_error TEXT);
INSERT INTO mail_messages(message_id, outcome, processed_at, receipt_status, receipt_to, receipt_body)
    VALUES('<f@x>', 'taken', '2026-11-04T09:30:00+08:00', 'failed', 'zuh@altantal.gov.mn', x'41');
INSERT INTO mail_messages(message_id, outcome, processed_at, receipt_status, receipt_to, receipt_body)
    VALUES('<s@x>', 'taken', '2026-11-04T09:31:00+08:00', 'sent', 'hbth@altantal.gov.mn', x'42');
""")
    for _ in range(2):  # every run opens the store: queued once, not twice
        store = Store(db)
        try:
            state.ensure_schema(store)
            assert [(q.to_addr, q.body) for q in state.queued(store)] == [("zuh@altantal.gov.mn", b"A")]
            assert store.schema_version == 4
        finally:
            store.close()
