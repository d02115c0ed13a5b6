"""fetch-mail against a real IMAP server (pymap) and a real SMTP server (aiosmtpd): nothing is mocked."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from pipeline.cli.mail import fetch_mail_command
from pipeline.mail.imap import encode_folder
from pipeline.store import Store
from tests.mail import mails
from tests.mail.conftest import FROM_ADDR, write_mail_yaml
from tests.mail.servers import IMAP_PASSWORD, ImapServer, SmtpServer

UB = dt.timezone(dt.timedelta(hours=8))
DATE = dt.datetime(2026, 11, 4, 9, 30, tzinfo=UB)
ENV = {"NEGTGEL_IMAP_PASSWORD": IMAP_PASSWORD}


def fetch(tmp_path: Path, mappings: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(
        fetch_mail_command,
        ["--input", str(tmp_path / "input"), "--store", str(tmp_path / "negtgel.db"), "--mappings", str(mappings), *args],
        env={**ENV, **(env or {})},
    )


def the_mailbox(folder: Path) -> tuple[dict[str, bytes], bytes]:
    """Eleven messages covering what departments really send, and the unknown sender's file."""
    zuh = mails.template(folder, "ЗУХ")
    obg = mails.template(folder, "ОБГ")
    at = [DATE + dt.timedelta(minutes=i) for i in range(12)]
    return {
        "normal": mails.report("Д.Сарангэрэл <zuh@altantal.gov.mn>", "ЗУХ 10 сарын тайлан", at[0], "<m1@altantal.gov.mn>",
                               [("ЗУХ 10 сар.xlsx", zuh)]),
        "rfc2047": mails.report_rfc2047("hbth@altantal.gov.mn", "Тайлан", at[1], "<m2@altantal.gov.mn>",
                                        "Тайлан ХБТХ 10 сар.xlsx", mails.template(folder, "ХБТХ")),
        "rfc2231": mails.report_rfc2231("hezh@altantal.gov.mn", "ХЭЗХ тайлан", at[2], "<m3@altantal.gov.mn>",
                                        "ХЭЗХ тайлан 10 сар.xlsx", mails.template(folder, "ХЭЗХ", timeframe="I-V улирал")),
        "two": mails.report("hshu@altantal.gov.mn", "9, 10 сарын тайлан", at[3], "<m4@altantal.gov.mn>",
                            [("ХШҮДАХ 9 сар.xlsx", mails.template(folder, "ХШҮДАХ", month=9)),
                             ("ХШҮДАХ 10 сар.xlsx", mails.template(folder, "ХШҮДАХ", month=10))]),
        "inline": mails.with_inline_image_and_signature("sts@altantal.gov.mn", "СТСХ тайлан", at[4], "<m5@altantal.gov.mn>",
                                                        "СТСХ 10 сар.xlsx", mails.template(folder, "СТСХ")),
        "none": mails.plain("hhaa@altantal.gov.mn", "Тайлан удахгүй", at[5], "<m6@altantal.gov.mn>"),
        "oversize": mails.report("bolovsrol@altantal.gov.mn", "БГ тайлан", at[6], "<m7@altantal.gov.mn>",
                                 [("БГ 10 сар.xlsx", mails.template(folder, "БГ", filler=120))]),
        "docx": mails.plain("emg@altantal.gov.mn", "ЭМГ тайлан", at[7], "<m8@altantal.gov.mn>",
                            [("ЭМГ тайлан.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                              mails.docx_bytes()),
                             ("ЭМГ тайлан.xlsx", "application/octet-stream", mails.docx_bytes())]),
        "forwarded": mails.forwarded("boajg@altantal.gov.mn", "Fwd: БОАЖГ тайлан", at[8], "<m9@altantal.gov.mn>",
                                     mails.report("helper@altantal.gov.mn", "БОАЖГ тайлан", at[8], "<m9a@altantal.gov.mn>",
                                                  [("БОАЖГ 10 сар.xlsx", mails.template(folder, "БОАЖГ"))])),
        "stranger": mails.report("Someone <someone@gmail.com>", "report", at[9], "<m10@gmail.com>",
                                 [("ОБГ 10 сар.xlsx", obg)]),
        "duplicate": mails.report("obg@altantal.gov.mn", "Дахин илгээв", at[10], "<m11@altantal.gov.mn>",
                                  [("ЗУХ 10 сар хуулбар.xlsx", zuh)]),
    }, obg


def store_rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def test_fetch_takes_reports_quarantines_answers_and_is_safe_to_run_again(
    tmp_path: Path, mappings: Path, imap: ImapServer, smtp: SmtpServer
) -> None:
    box, stranger_file = the_mailbox(tmp_path)
    imap.append(*box.values())
    write_mail_yaml(mappings, imap_port=imap.port, smtp_port=smtp.port)

    result = fetch(tmp_path, mappings, "--reply")
    assert result.exit_code == 0, result.output
    assert "Захидал: 11 шинэ, 0 өмнө авсан; файл: 7 авсан, 1 давхардсан, 1 хорио цээрийн хавтаст" in result.output
    assert "Mail: 11 new messages" in result.output and "receipts: 9 sent." in result.output

    # The archive: every spreadsheet of a known sender under its period and department, Cyrillic names decoded.
    archive = tmp_path / "input" / "archive"
    assert sorted(str(p.relative_to(archive)) for p in archive.rglob("*") if p.is_file()) == [
        "2026-09/ХШҮДАХ/ХШҮДАХ 9 сар.xlsx", "2026-10/БОАЖГ/БОАЖГ 10 сар.xlsx", "2026-10/ЗУХ/ЗУХ 10 сар.xlsx",
        "2026-10/СТСХ/СТСХ 10 сар.xlsx", "2026-10/ХБТХ/Тайлан ХБТХ 10 сар.xlsx", "2026-10/ХШҮДАХ/ХШҮДАХ 10 сар.xlsx",
        "2026-10/ХЭЗХ/ХЭЗХ тайлан 10 сар.xlsx",
    ]
    # The unknown sender's file is kept aside, not consolidated; nothing else lands in input/.
    quarantine = tmp_path / "input" / "quarantine" / "2026-11-04" / "ОБГ 10 сар.xlsx"
    assert quarantine.read_bytes() == stranger_file
    assert {p.name for p in (tmp_path / "input").iterdir()} == {"archive", "quarantine"}

    # The store: submissions with the mail's Date as received time; one row per message with its outcome.
    store = Store(tmp_path / "negtgel.db")
    subs = {s.original_name: s for s in store.submissions()}
    store.close()
    assert set(subs) == {"ЗУХ 10 сар.xlsx", "Тайлан ХБТХ 10 сар.xlsx", "ХЭЗХ тайлан 10 сар.xlsx", "ХШҮДАХ 9 сар.xlsx",
                         "ХШҮДАХ 10 сар.xlsx", "СТСХ 10 сар.xlsx", "БОАЖГ 10 сар.xlsx"}
    zuh = subs["ЗУХ 10 сар.xlsx"]
    assert (zuh.origin, zuh.sender, zuh.subject, zuh.message_id) == ("mail", "zuh@altantal.gov.mn", "ЗУХ 10 сарын тайлан",
                                                                       "<m1@altantal.gov.mn>")
    assert dt.datetime.fromisoformat(zuh.received_at) == DATE
    assert subs["БОАЖГ 10 сар.xlsx"].sender == "boajg@altantal.gov.mn"  # forwarded: the forwarding department
    outcomes = dict(store_rows(tmp_path / "negtgel.db", "SELECT message_id, outcome FROM mail_messages"))
    assert outcomes == {
        "<m1@altantal.gov.mn>": "taken", "<m2@altantal.gov.mn>": "taken", "<m3@altantal.gov.mn>": "taken",
        "<m4@altantal.gov.mn>": "taken", "<m5@altantal.gov.mn>": "taken", "<m6@altantal.gov.mn>": "no-attachment",
        "<m7@altantal.gov.mn>": "too-large", "<m8@altantal.gov.mn>": "no-attachment", "<m9@altantal.gov.mn>": "taken",
        "<m10@gmail.com>": "quarantined", "<m11@altantal.gov.mn>": "duplicate",
    }
    codes = {(r[0], r[1]) for r in store_rows(tmp_path / "negtgel.db", "SELECT message_id, problems FROM mail_messages")}
    problems = {mid: text for mid, text in codes}
    assert "attachment-too-large" in problems["<m7@altantal.gov.mn>"]
    assert problems["<m8@altantal.gov.mn>"].count("attachment-not-spreadsheet") == 2  # the .docx and a .docx named .xlsx
    assert problems["<m5@altantal.gov.mn>"].count("attachment-not-spreadsheet") == 2  # inline logo and smime.p7s
    assert "sender-unknown" in problems["<m10@gmail.com>"]

    # Receipts: one per message with something to say, none for the unknown sender or the duplicate.
    to = [r.rcpt_tos[0] for r in smtp.received]
    assert sorted(to) == sorted(["zuh@altantal.gov.mn", "hbth@altantal.gov.mn", "hezh@altantal.gov.mn", "hshu@altantal.gov.mn",
                                 "sts@altantal.gov.mn", "hhaa@altantal.gov.mn", "bolovsrol@altantal.gov.mn",
                                 "emg@altantal.gov.mn", "boajg@altantal.gov.mn"])
    assert {r.mail_from for r in smtp.received} == {FROM_ADDR}
    texts = {r.rcpt_tos[0]: r.message.get_payload(decode=True).decode("utf-8") for r in smtp.received}
    hezh = texts["hezh@altantal.gov.mn"]
    assert hezh.index("Сайн байна уу") < hezh.index("Hello")  # Mongolian first, English below
    assert "нүд F8" in hezh and "cell F8" in hezh and "I-V улирал" in hezh and "АЛДААТАЙ" in hezh
    zuh_text = texts["zuh@altantal.gov.mn"]
    assert "ХҮЛЭЭН АВЛАА" in zuh_text and "Захиргаа, удирдлагын хэлтэс" in zuh_text and "Тайлант хугацаа: 2026 оны 10 дугаар сар" in zuh_text
    assert "Period: October 2026" in zuh_text
    assert "Арга хэмжээний тоо: 2" in zuh_text and "Measures: 2" in zuh_text
    assert "ХШҮДАХ 9 сар.xlsx" in texts["hshu@altantal.gov.mn"] and "ХШҮДАХ 10 сар.xlsx" in texts["hshu@altantal.gov.mn"]
    assert "Excel (.xlsx) загвараа хавсаргаад" in texts["hhaa@altantal.gov.mn"]
    assert "хэт том" in texts["bolovsrol@altantal.gov.mn"]
    receipt = next(r.message for r in smtp.received if r.rcpt_tos == ["zuh@altantal.gov.mn"])
    assert receipt["In-Reply-To"] == "<m1@altantal.gov.mn>" and receipt["Auto-Submitted"] == "auto-replied"
    assert store_rows(tmp_path / "negtgel.db", "SELECT COUNT(*), COUNT(DISTINCT submission_id) FROM receipts "
                                               "WHERE status = 'sent'") == [(7, 7)]

    # The server: every message flagged processed, none marked read, none deleted.
    on_server = imap.contents()
    assert len(on_server) == 11
    assert all("$Negtgel" in flags and "\\Seen" not in flags for flags, _ in on_server.values())

    # Again: nothing new is fetched, taken or answered.
    again = fetch(tmp_path, mappings, "--reply")
    assert again.exit_code == 0, again.output
    assert "Захидал: 0 шинэ" in again.output and "файл: 0 авсан" in again.output
    assert len(smtp.received) == 9
    assert store_rows(tmp_path / "negtgel.db", "SELECT COUNT(*) FROM submissions") == [(7,)]


def test_a_rebuilt_mailbox_falls_back_to_the_flag_and_message_ids(
    tmp_path: Path, mappings: Path, imap: ImapServer
) -> None:
    folder = tmp_path / "files"
    folder.mkdir()
    first = mails.report("zuh@altantal.gov.mn", "ЗУХ", DATE, "<r1@altantal.gov.mn>", [("ЗУХ 10 сар.xlsx", mails.template(folder, "ЗУХ"))])
    second = mails.report("hbth@altantal.gov.mn", "ХБТХ", DATE, "<r2@altantal.gov.mn>",
                          [("ХБТХ 10 сар.xlsx", mails.template(folder, "ХБТХ"))])
    imap.append(first, second)
    write_mail_yaml(mappings, imap_port=imap.port)
    assert fetch(tmp_path, mappings).exit_code == 0
    before = store_rows(tmp_path / "negtgel.db", "SELECT uidvalidity, last_uid FROM mail_state")
    assert len(before) == 1

    # The server rebuilds its index: new UIDVALIDITY, new UIDs. One message lost its flag on the way.
    (imap.home / "dovecot-uidlist").unlink()
    rebuilt = imap.contents()
    assert len(rebuilt) == 2
    lost = next(uid for uid, (_, msg) in rebuilt.items() if msg["Message-ID"] == "<r1@altantal.gov.mn>")
    imap.set_flag(lost, "$Negtgel", False)
    third = mails.report("hezh@altantal.gov.mn", "ХЭЗХ", DATE, "<r3@altantal.gov.mn>",
                         [("ХЭЗХ 10 сар.xlsx", mails.template(folder, "ХЭЗХ"))])
    imap.append(third)

    result = fetch(tmp_path, mappings)
    assert result.exit_code == 0, result.output
    assert "Захидал: 1 шинэ, 1 өмнө авсан; файл: 1 авсан" in result.output  # r3 taken; r1 known by its Message-ID
    after = store_rows(tmp_path / "negtgel.db", "SELECT uidvalidity, last_uid FROM mail_state")
    assert after[0][0] != before[0][0]
    assert store_rows(tmp_path / "negtgel.db", "SELECT COUNT(*) FROM submissions") == [(3,)]
    assert all("$Negtgel" in flags for flags, _ in imap.contents().values())
    assert "Захидал: 0 шинэ, 0 өмнө авсан" in fetch(tmp_path, mappings).output


def test_processed_messages_can_be_moved_to_a_cyrillic_folder(tmp_path: Path, mappings: Path) -> None:
    server = ImapServer(tmp_path / "imap-move", keywords=()).start()  # no keyword support: moving is the way
    try:
        server.append(mails.report("zuh@altantal.gov.mn", "ЗУХ", DATE, "<v1@altantal.gov.mn>",
                                   [("ЗУХ 10 сар.xlsx", mails.template(tmp_path, "ЗУХ"))]))
        write_mail_yaml(mappings, imap_port=server.port, imap={"processed": {"move_to": "Боловсруулсан"}})
        result = fetch(tmp_path, mappings)
        assert result.exit_code == 0, result.output
        assert "файл: 1 авсан" in result.output
        assert server.contents() == {}
        moved = server.contents(encode_folder("Боловсруулсан"))
        assert [m["Message-ID"] for _, m in moved.values()] == ["<v1@altantal.gov.mn>"]
        assert "Захидал: 0 шинэ" in fetch(tmp_path, mappings).output
    finally:
        server.stop()


def test_a_server_that_drops_the_flag_stops_the_run_before_anything_is_taken(tmp_path: Path, mappings: Path) -> None:
    server = ImapServer(tmp_path / "imap-noflags", keywords=()).start()
    try:
        server.append(mails.report("zuh@altantal.gov.mn", "ЗУХ", DATE, "<k1@altantal.gov.mn>",
                                   [("ЗУХ 10 сар.xlsx", mails.template(tmp_path, "ЗУХ"))]))
        write_mail_yaml(mappings, imap_port=server.port)
        result = fetch(tmp_path, mappings)
        assert result.exit_code == 1
        assert "$Negtgel" in result.output and "move_to" in result.output and "Traceback" not in result.output
        assert not (tmp_path / "input" / "archive").exists()
        assert [flags for flags, _ in server.contents().values()] == [set()]
    finally:
        server.stop()


def test_since_leaves_older_messages_alone_on_a_first_run(tmp_path: Path, mappings: Path, imap: ImapServer) -> None:
    old = mails.report("zuh@altantal.gov.mn", "Хуучин", DATE, "<s1@altantal.gov.mn>",
                       [("ЗУХ 10 сар.xlsx", mails.template(tmp_path, "ЗУХ"))])
    imap.append(old)
    # SINCE compares the server's arrival date (now): two days ahead is later in every time zone.
    later = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    write_mail_yaml(mappings, imap_port=imap.port, imap={"since": later})
    result = fetch(tmp_path, mappings)
    assert result.exit_code == 0, result.output
    assert "Захидал: 0 шинэ" in result.output
    assert [flags for flags, _ in imap.contents().values()] == [set()]


def test_no_reply_sends_nothing_and_a_later_reply_run_does_not_answer_old_mail(
    tmp_path: Path, mappings: Path, imap: ImapServer, smtp: SmtpServer
) -> None:
    imap.append(mails.report("zuh@altantal.gov.mn", "ЗУХ", DATE, "<n1@altantal.gov.mn>",
                             [("ЗУХ 10 сар.xlsx", mails.template(tmp_path, "ЗУХ"))]))
    write_mail_yaml(mappings, imap_port=imap.port, smtp_port=smtp.port, smtp={"reply": True})
    assert fetch(tmp_path, mappings, "--no-reply").exit_code == 0
    assert smtp.received == []
    assert fetch(tmp_path, mappings).exit_code == 0  # reply: true in mail.yaml, but nothing new
    assert smtp.received == []


def test_a_message_over_the_size_limit_is_not_downloaded(tmp_path: Path, mappings: Path, imap: ImapServer,
                                                         smtp: SmtpServer) -> None:
    imap.append(mails.report("zuh@altantal.gov.mn", "Том захидал", DATE, "<big@altantal.gov.mn>",
                             [("ЗУХ 10 сар.xlsx", mails.template(tmp_path, "ЗУХ", filler=20))]))
    write_mail_yaml(mappings, imap_port=imap.port, smtp_port=smtp.port, attachments={"max_mb": 1, "max_message_mb": 0.01})
    result = fetch(tmp_path, mappings, "--reply")
    assert result.exit_code == 0, result.output
    assert "mail-too-large" in result.output and "файл: 0 авсан" in result.output
    assert store_rows(tmp_path / "negtgel.db", "SELECT outcome FROM mail_messages") == [("too-large",)]
    assert all("$Negtgel" in flags for flags, _ in imap.contents().values())
    [receipt] = smtp.received
    assert "Захидал хэт том" in receipt.message.get_payload(decode=True).decode()
