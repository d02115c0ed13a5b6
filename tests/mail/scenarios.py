"""The fault cases of issue 13, written once and run against every IMAP server the tests start (pymap in
test_intake_faults.py, Dovecot in test_dovecot.py), always with a real aiosmtpd server for the receipts.

Each scenario appends real messages (with the server's arrival time, INTERNALDATE, set by APPEND), runs
`negtgel fetch-mail` (in-process, or as a subprocess that a fault hook kills) and checks the archive, the
store and the receipts the SMTP server received, exactly.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from pipeline.cli.mail import fetch_mail_command
from pipeline.mail import FAULT_ENV
from tests.mail import mails
from tests.mail.cfb import MsgAttachment, MsgMessage, build_msg
from tests.mail.conftest import write_mail_yaml
from tests.mail.servers import SmtpServer

UB = dt.timezone(dt.timedelta(hours=8))
DATE = dt.datetime(2026, 11, 4, 9, 30, tzinfo=UB)
SPECIALIST = "mne@altantal.gov.mn"
REPO = Path(__file__).resolve().parents[2]


@dataclass
class Mailbox:
    """An IMAP server the tests started, as the scenarios use it."""

    append: Callable[..., None]  # append(*raw, internal_date=None)
    port: int
    password: str
    imap: dict[str, Any] = field(default_factory=dict)  # mail.yaml imap keys (security, ca_file, user)


def configure(mappings: Path, box: Mailbox, smtp: SmtpServer, **top: Any) -> None:
    write_mail_yaml(mappings, imap={"port": box.port, **box.imap}, smtp={"port": smtp.port, "reply": True},
                    attachments={"max_mb": 1})
    if top:  # keys of mail.yaml's top level (specialists, max_clock_skew_hours)
        import yaml

        path = mappings / "mail.yaml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data.update(top)
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def args(tmp_path: Path, mappings: Path) -> list[str]:
    return ["--input", str(tmp_path / "input"), "--store", str(tmp_path / "negtgel.db"), "--mappings", str(mappings)]


def fetch(tmp_path: Path, mappings: Path, box: Mailbox) -> Result:
    return CliRunner().invoke(fetch_mail_command, args(tmp_path, mappings), env={"NEGTGEL_IMAP_PASSWORD": box.password})


def fetch_killed(tmp_path: Path, mappings: Path, box: Mailbox, point: str) -> subprocess.CompletedProcess[str]:
    """fetch-mail in a process of its own, stopped at `point` as a kill would stop it (no clean-up at all)."""
    env = {**os.environ, "NEGTGEL_IMAP_PASSWORD": box.password, FAULT_ENV: point}
    return subprocess.run([sys.executable, "-m", "pipeline", "fetch-mail", *args(tmp_path, mappings)], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def rows(tmp_path: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(tmp_path / "negtgel.db") as conn:
        return conn.execute(sql).fetchall()


def texts(smtp: SmtpServer) -> list[tuple[str, str]]:
    """(recipient, body) of every receipt the SMTP server accepted, in order."""
    return [(r.rcpt_tos[0], r.message.get_payload(decode=True).decode("utf-8")) for r in smtp.received]


# --- the scenarios ------------------------------------------------------------------------------------------
def kill_between_recording_and_sending(tmp_path: Path, mappings: Path, box: Mailbox, smtp: SmtpServer, point: str) -> None:
    box.append(mails.report("zuh@altantal.gov.mn", "ЗУХ 10 сарын тайлан", DATE, "<kill@altantal.gov.mn>",
                            [("ЗУХ 10 сар.xlsx", mails.template(tmp_path, "ЗУХ"))]))
    configure(mappings, box, smtp)
    killed = fetch_killed(tmp_path, mappings, box, point)
    assert killed.returncode == 86, killed.stderr
    assert smtp.received == []
    after_kill = rows(tmp_path, "SELECT COUNT(*) FROM mail_messages")
    assert after_kill == [(1 if point == "after-record" else 0,)]

    again = fetch(tmp_path, mappings, box)
    assert again.exit_code == 0, again.output
    assert "хариу: 1 илгээсэн" in again.output
    [(to, text)] = texts(smtp)
    assert to == "zuh@altantal.gov.mn"
    assert "ЗУХ 10 сар.xlsx — ХҮЛЭЭН АВЛАА" in text and "Арга хэмжээний тоо: 2" in text
    assert rows(tmp_path, "SELECT status, attempts FROM mail_outbox") == [("sent", 1)]
    assert rows(tmp_path, "SELECT COUNT(*), MIN(received_at) FROM submissions") == [(1, DATE.isoformat())]
    assert rows(tmp_path, "SELECT outcome, files, receipt_status FROM mail_messages") == [("taken", 1, "sent")]

    assert fetch(tmp_path, mappings, box).exit_code == 0
    assert len(smtp.received) == 1  # exactly one, however often it runs


def reused_message_id(tmp_path: Path, mappings: Path, box: Mailbox, smtp: SmtpServer) -> None:
    october = mails.report("zuh@altantal.gov.mn", "Тайлан", DATE, "<scan-0001@scanner>",
                           [("ЗУХ 10 сар.xlsx", mails.template(tmp_path, "ЗУХ"))])
    september = mails.report("zuh@altantal.gov.mn", "Тайлан", DATE + dt.timedelta(hours=1), "<scan-0001@scanner>",
                             [("ЗУХ 9 сар.xlsx", mails.template(tmp_path, "ЗУХ", month=9))])
    box.append(october, september, october)  # the same ID with new content; and the same bytes twice
    configure(mappings, box, smtp)
    result = fetch(tmp_path, mappings, box)
    assert result.exit_code == 0, result.output
    assert "Захидал: 2 шинэ, 1 өмнө авсан; файл: 2 авсан" in result.output
    assert "message-id-reused" in result.output
    assert sorted(r[0] for r in rows(tmp_path, "SELECT original_name FROM submissions")) == ["ЗУХ 10 сар.xlsx", "ЗУХ 9 сар.xlsx"]
    codes = [r[0] for r in rows(tmp_path, "SELECT problems FROM mail_messages ORDER BY id")]
    assert ["message-id-reused" in c for c in codes] == [False, True]
    assert [to for to, _ in texts(smtp)] == ["zuh@altantal.gov.mn", "zuh@altantal.gov.mn"]


def skewed_clocks(tmp_path: Path, mappings: Path, box: Mailbox, smtp: SmtpServer) -> None:
    arrived = dt.datetime(2026, 11, 5, 20, 40, tzinfo=UB)
    files = {short: mails.template(tmp_path, short) for short in ("ЗУХ", "ХБТХ", "ХЭЗХ", "СТСХ", "БГ")}

    def sent(short: str, date_header: str | None, message_id: str) -> bytes:
        raw = mails.report(mails.DEPARTMENTS[short][1], f"{short} тайлан", DATE, message_id, [(f"{short} 10 сар.xlsx", files[short])])
        head, body = raw.split(b"\r\n\r\n", 1)
        lines = [line for line in head.split(b"\r\n") if not line.startswith(b"Date:")]
        if date_header is not None:
            lines.append(b"Date: " + date_header.encode())
        return b"\r\n".join(lines) + b"\r\n\r\n" + body

    box.append(sent("ЗУХ", "Thu, 05 Nov 2016 20:30:00 +0800", "<c1@x>"), internal_date=arrived)  # the PC says 2016
    box.append(sent("ХБТХ", "Fri, 05 Nov 2027 20:30:00 +0800", "<c2@x>"), internal_date=arrived)  # a year ahead
    box.append(sent("ХЭЗХ", "Thu, 05 Nov 2026 20:30:00 ULAT", "<c3@x>"), internal_date=arrived)  # Mongolian zone name
    box.append(sent("СТСХ", None, "<c4@x>"), internal_date=arrived)  # no Date at all
    box.append(sent("БГ", "5 ноябрь 2026 20:30", "<c5@x>"), internal_date=arrived)  # not a date a program can read
    configure(mappings, box, smtp)
    result = fetch(tmp_path, mappings, box)
    assert result.exit_code == 0, result.output
    received = dict(rows(tmp_path, "SELECT original_name, received_at FROM submissions"))
    assert received == {
        "ЗУХ 10 сар.xlsx": arrived.isoformat(), "ХБТХ 10 сар.xlsx": arrived.isoformat(),
        "ХЭЗХ 10 сар.xlsx": "2026-11-05T20:30:00+08:00", "СТСХ 10 сар.xlsx": arrived.isoformat(),
        "БГ 10 сар.xlsx": arrived.isoformat(),
    }
    assert dict(rows(tmp_path, "SELECT message_id, received_from FROM mail_messages")) == {
        "<c1@x>": "server", "<c2@x>": "server", "<c3@x>": "date", "<c4@x>": "server", "<c5@x>": "server"}
    lines = [line for line in result.output.splitlines() if "mail-date-" in line]
    assert len(lines) == 3
    assert "mail-date-skewed" in lines[0] and "2016-11-05 20:30 +0800" in lines[0] and "2026-11-05 20:40 +0800" in lines[0]
    assert "mail-date-skewed" in lines[1] and "2027-11-05 20:30 +0800" in lines[1]
    assert "mail-date-unreadable" in lines[2] and "«5 ноябрь 2026 20:30»" in lines[2]


def specialist_forwards(tmp_path: Path, mappings: Path, box: Mailbox, smtp: SmtpServer) -> None:
    forwarded_at = dt.datetime(2026, 11, 6, 10, 0, tzinfo=UB)
    zuh = mails.template(tmp_path, "ЗУХ")
    hbth = mails.template(tmp_path, "ХБТХ")
    inline = mails.inline_forward(SPECIALIST, forwarded_at, "<fw1@altantal.gov.mn>", "zuh@altantal.gov.mn", "Д.Сарангэрэл",
                                  "Thursday, November 5, 2026 10:00 PM", [("ЗУХ 10 сар.xlsx", zuh)])
    original = mails.report("Б.Болд <hbth@altantal.gov.mn>", "ХБТХ тайлан", dt.datetime(2026, 11, 5, 21, 15, tzinfo=UB),
                            "<orig@altantal.gov.mn>", [("ХБТХ 10 сар.xlsx", hbth)])
    attached = mails.forwarded(SPECIALIST, "Fwd: ХБТХ тайлан", forwarded_at, "<fw2@altantal.gov.mn>", original)
    # The specialist's own reply quoting a department ("RE:", no forward mark): not credited to anyone else.
    reply = mails.report(SPECIALIST, "RE: 10 сарын тайлан", forwarded_at, "<re1@altantal.gov.mn>",
                         [("Засвар.xlsx", mails.template(tmp_path, "ХЭЗХ"))],
                         body="Засварласан хувилбар.\n\nFrom: zuh@altantal.gov.mn\nSent: Thursday, November 5, 2026 10:00 PM\n")
    box.append(inline, attached, reply, internal_date=forwarded_at)
    configure(mappings, box, smtp, specialists=[SPECIALIST])
    result = fetch(tmp_path, mappings, box)
    assert result.exit_code == 0, result.output
    subs = {r[0]: r[1:] for r in rows(tmp_path, "SELECT original_name, sender, received_at, department FROM submissions")}
    assert subs == {
        "ЗУХ 10 сар.xlsx": ("zuh@altantal.gov.mn", "2026-11-05T22:00:00+08:00", "Захиргаа, удирдлагын хэлтэс"),
        "ХБТХ 10 сар.xlsx": ("hbth@altantal.gov.mn", "2026-11-05T21:15:00+08:00", "Хөгжлийн бодлого, төлөвлөлтийн хэлтэс"),
    }
    assert rows(tmp_path, "SELECT sender, forwarded_by, outcome FROM mail_messages ORDER BY id") == [
        ("zuh@altantal.gov.mn", SPECIALIST, "taken"), ("hbth@altantal.gov.mn", SPECIALIST, "taken"),
        (SPECIALIST, None, "quarantined")]
    assert [to for to, _ in texts(smtp)] == ["zuh@altantal.gov.mn", "hbth@altantal.gov.mn"]  # the departments, not the specialist
    assert "2026-11-05 22:00" in texts(smtp)[0][1]


def copied_later_keeps_the_delivery_time(tmp_path: Path, mappings: Path, box: Mailbox, smtp: SmtpServer) -> None:
    """A message moved into the folder two weeks later (a new INTERNALDATE): the Received: line our server
    wrote on delivery agrees with its Date, so the Date stands; a wrong clock is judged by that line."""
    delivered = "Thu, 05 Nov 2026 20:31:02 +0800"
    moved = dt.datetime(2026, 11, 19, 9, 0, tzinfo=UB)
    on_time = mails.report("zuh@altantal.gov.mn", "ЗУХ", dt.datetime(2026, 11, 5, 20, 30, tzinfo=UB), "<mv1@x>",
                           [("ЗУХ 10 сар.xlsx", mails.template(tmp_path, "ЗУХ"))])
    wrong_clock = mails.report("hbth@altantal.gov.mn", "ХБТХ", dt.datetime(2016, 11, 5, 20, 30, tzinfo=UB), "<mv2@x>",
                               [("ХБТХ 10 сар.xlsx", mails.template(tmp_path, "ХБТХ"))])
    hop = f"Received: from mx.altantal.gov.mn by mail.altantal.gov.mn; {delivered}\r\n".encode()
    box.append(hop + on_time, hop + wrong_clock, internal_date=moved)
    configure(mappings, box, smtp)
    result = fetch(tmp_path, mappings, box)
    assert result.exit_code == 0, result.output
    assert dict(rows(tmp_path, "SELECT original_name, received_at FROM submissions")) == {
        "ЗУХ 10 сар.xlsx": "2026-11-05T20:30:00+08:00", "ХБТХ 10 сар.xlsx": "2026-11-05T20:31:02+08:00"}
    [line] = [line for line in result.output.splitlines() if "mail-date-skewed" in line]
    assert "2016-11-05 20:30 +0800" in line and "2026-11-05 20:31 +0800" in line


def attached_outlook_item(tmp_path: Path, mappings: Path, box: Mailbox, smtp: SmtpServer) -> None:
    xlsx = mails.template(tmp_path, "ХЭЗХ")
    item = build_msg(MsgMessage("ХЭЗХ тайлан", sender="hezh@altantal.gov.mn", submitted=DATE.astimezone(dt.UTC),
                                attachments=(MsgAttachment("ХЭЗХ 10 сар", xlsx),)))  # the name lost its extension
    box.append(mails.with_attached_msg("hezh@altantal.gov.mn", "ХЭЗХ тайлан", DATE, "<msg@altantal.gov.mn>", "ХЭЗХ тайлан.msg", item))
    configure(mappings, box, smtp)
    result = fetch(tmp_path, mappings, box)
    assert result.exit_code == 0, result.output
    assert "файл: 1 авсан" in result.output and "attachment-not-spreadsheet" not in result.output
    assert rows(tmp_path, "SELECT original_name, archive_path FROM submissions") == [
        ("ХЭЗХ 10 сар.xlsx", "archive/2026-10/ХЭЗХ/ХЭЗХ 10 сар.xlsx")]
    assert (tmp_path / "input" / "archive" / "2026-10" / "ХЭЗХ" / "ХЭЗХ 10 сар.xlsx").read_bytes() == xlsx
    [(to, _)] = texts(smtp)
    assert to == "hezh@altantal.gov.mn"


def messages_that_are_not_reports(tmp_path: Path, mappings: Path, box: Mailbox, smtp: SmtpServer) -> None:
    at = [DATE + dt.timedelta(minutes=i) for i in range(8)]
    box.append(
        mails.out_of_office("zuh@altantal.gov.mn", at[0], "<n1@x>"),
        mails.out_of_office("hbth@altantal.gov.mn", at[1], "<n2@x>", header=("X-Autoreply", "yes")),
        mails.out_of_office("someone@gmail.com", at[2], "<n3@x>", header=("Precedence", "auto_reply")),
        mails.read_receipt("hezh@altantal.gov.mn", at[3], "<n4@x>", "<receipt-1@altantal.gov.mn>"),
        mails.bounce(at[4], "<n5@x>", "nobody@altantal.gov.mn"),
        mails.thanks("sts@altantal.gov.mn", at[5], "<n6@x>", "<receipt-2@altantal.gov.mn>"),
        mails.plain("bolovsrol@altantal.gov.mn", "Тайлан", at[6], "<n7@x>"),  # a person forgot the file: answered
    )
    configure(mappings, box, smtp)
    result = fetch(tmp_path, mappings, box)
    assert result.exit_code == 0, result.output
    assert dict(rows(tmp_path, "SELECT message_id, outcome FROM mail_messages")) == {
        "<n1@x>": "auto-reply", "<n2@x>": "auto-reply", "<n3@x>": "auto-reply", "<n4@x>": "read-receipt",
        "<n5@x>": "delivery-report", "<n6@x>": "reply", "<n7@x>": "no-attachment"}
    codes = dict(rows(tmp_path, "SELECT message_id, problems FROM mail_messages"))
    assert all("sender-unknown" not in text and "attachment-not-spreadsheet" not in text for text in codes.values())
    assert "mail-delivery-report" in codes["<n5@x>"] and "mail-reply-no-report" in codes["<n6@x>"]
    assert not (tmp_path / "input" / "quarantine").exists()
    [(to, text)] = texts(smtp)
    assert to == "bolovsrol@altantal.gov.mn" and "Excel (.xlsx) загвараа хавсаргаад" in text
    assert "Тайлан биш захидал (автомат хариу, мэдэгдэл, талархал): 6" in result.output


# Every scenario but the kill (which takes the point to stop at), for the test modules to parametrize over.
SCENARIOS = (reused_message_id, skewed_clocks, copied_later_keeps_the_delivery_time, specialist_forwards, attached_outlook_item,
             messages_that_are_not_reports)
KILL_POINTS = ("after-intake", "after-record")
