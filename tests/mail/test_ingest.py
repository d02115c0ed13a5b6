"""`negtgel ingest` for saved .eml files and Outlook .msg files (built by the tests' own CFB writer)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from click.testing import CliRunner, Result
from sqlalchemy import select

from pipeline.cli.mail import ingest_command
from pipeline.store import Store
from pipeline.store_schema import TABLES
from tests.mail import mails
from tests.mail.cfb import CompoundFile, MsgAttachment, MsgMessage, build_msg
from tests.mail.conftest import write_mail_yaml
from tests.mail.servers import SmtpServer, free_port

UB = dt.timezone(dt.timedelta(hours=8))
DATE = dt.datetime(2026, 11, 3, 16, 45, tzinfo=UB)


def ingest(tmp_path: Path, mappings: Path, *paths: Path | str) -> Result:
    return CliRunner().invoke(
        ingest_command,
        [*map(str, paths), "--input", str(tmp_path / "input"), "--store", str(tmp_path / "negtgel.db"),
         "--mappings", str(mappings)],
    )


def submissions(tmp_path: Path) -> dict[str, object]:
    store = Store(tmp_path / "negtgel.db")
    try:
        return {s.original_name: s for s in store.submissions()}
    finally:
        store.close()


def test_saved_eml_files_and_a_folder_of_them(tmp_path: Path, mappings: Path) -> None:
    saved = tmp_path / "saved"
    saved.mkdir()
    (saved / "zuh.eml").write_bytes(mails.report("zuh@altantal.gov.mn", "ЗУХ тайлан", DATE, "<e1@altantal.gov.mn>",
                                                 [("ЗУХ 10 сар.xlsx", mails.template(tmp_path, "ЗУХ"))]))
    (saved / "stranger.eml").write_bytes(mails.report("x@example.com", "тайлан", DATE, "<e2@example.com>",
                                                      [("тайлан.xlsx", mails.template(tmp_path, "ОБГ"))]))
    (saved / "notes.txt").write_text("not mail")
    write_mail_yaml(mappings)
    result = ingest(tmp_path, mappings, saved)
    assert result.exit_code == 0, result.output
    assert "Захидал: 2 шинэ, 0 өмнө авсан; файл: 1 авсан, 0 давхардсан, 1 хорио цээрийн хавтаст" in result.output
    sub = submissions(tmp_path)["ЗУХ 10 сар.xlsx"]
    assert sub.origin == "ingest" and dt.datetime.fromisoformat(sub.received_at) == DATE  # type: ignore[attr-defined]
    assert (tmp_path / "input" / "quarantine" / "2026-11-03" / "тайлан.xlsx").is_file()
    again = ingest(tmp_path, mappings, saved / "zuh.eml", saved / "stranger.eml")
    assert "Захидал: 0 шинэ, 2 өмнө авсан" in again.output
    assert len(list((tmp_path / "input" / "quarantine").rglob("*.xlsx"))) == 1  # not quarantined twice


def test_outlook_msg_with_inline_image_and_a_forwarded_message_inside(tmp_path: Path, mappings: Path) -> None:
    inner = MsgMessage("ХБТХ тайлан", sender="hbth@altantal.gov.mn",
                       attachments=(MsgAttachment("Тайлан ХБТХ 10 сар.xlsx", mails.template(tmp_path, "ХБТХ")),))
    msg = MsgMessage(
        "Fwd: 10 сарын тайлан", sender="zuh@altantal.gov.mn", sender_name="Д.Сарангэрэл",
        submitted=dt.datetime(2026, 11, 4, 1, 30, tzinfo=dt.UTC), message_id="<outlook-1@altantal.gov.mn>",
        attachments=(MsgAttachment("ЗУХ 10 сарын тайлан.xlsx", mails.template(tmp_path, "ЗУХ"), mime=mails.XLSX),
                     MsgAttachment("image001.png", mails.PNG, mime="image/png", content_id="image001.png@01DA"),
                     MsgAttachment("Дамжуулсан", embedded=inner)),
    )
    path = tmp_path / "Тайлан.msg"
    path.write_bytes(build_msg(msg))
    smtp = SmtpServer().start()
    try:
        write_mail_yaml(mappings, smtp_port=smtp.port)
        result = CliRunner().invoke(ingest_command, [str(path), "--input", str(tmp_path / "input"), "--store",
                                                     str(tmp_path / "negtgel.db"), "--mappings", str(mappings), "--reply"])
        assert result.exit_code == 0, result.output
        assert "файл: 2 авсан" in result.output and "хариу: 1 илгээсэн" in result.output
        assert "image001.png" in result.output  # noted, not taken
        subs = submissions(tmp_path)
        assert set(subs) == {"ЗУХ 10 сарын тайлан.xlsx", "Тайлан ХБТХ 10 сар.xlsx"}
        zuh = subs["ЗУХ 10 сарын тайлан.xlsx"]
        assert zuh.sender == "zuh@altantal.gov.mn" and zuh.message_id == "<outlook-1@altantal.gov.mn>"  # type: ignore[attr-defined]
        assert dt.datetime.fromisoformat(zuh.received_at) == dt.datetime(2026, 11, 4, 9, 30, tzinfo=UB)  # type: ignore[attr-defined]
        assert (tmp_path / "input" / "archive" / "2026-10" / "ХБТХ" / "Тайлан ХБТХ 10 сар.xlsx").is_file()
        [receipt] = smtp.received
        text = receipt.message.get_payload(decode=True).decode()
        assert receipt.rcpt_tos == ["zuh@altantal.gov.mn"]
        assert "ЗУХ 10 сарын тайлан.xlsx" in text and "Тайлан ХБТХ 10 сар.xlsx" in text
    finally:
        smtp.stop()


def test_msg_sender_and_date_from_transport_headers_and_8bit_properties(tmp_path: Path, mappings: Path) -> None:
    headers = ("Received: from mail.altantal.gov.mn\r\nFrom: =?utf-8?b?0JMu0JPQsNC90LHQsNGC?= <HEZH@altantal.gov.mn>\r\n"
               "Date: Tue, 03 Nov 2026 16:45:00 +0800\r\nMessage-ID: <hdr-1@altantal.gov.mn>\r\nSubject: x\r\n\r\n")
    msg = MsgMessage("ХЭЗХ тайлан", headers=headers, ansi_subject=True,
                     attachments=(MsgAttachment("HEZH10.XLS", mails.template(tmp_path, "ХЭЗХ"), long_name=False),))
    path = tmp_path / "hezh.msg"
    path.write_bytes(build_msg(msg))
    write_mail_yaml(mappings)
    result = ingest(tmp_path, mappings, path)
    assert result.exit_code == 0, result.output
    # .XLS by name but an .xlsx workbook by its bytes: taken by its content, under the right extension.
    assert "attachment-not-spreadsheet" not in result.output and "файл: 1 авсан" in result.output
    assert submissions(tmp_path)["HEZH10.xlsx"].archive_path == "archive/2026-10/ХЭЗХ/HEZH10.xlsx"  # type: ignore[attr-defined]
    store = Store(tmp_path / "negtgel.db")
    try:
        m = TABLES.tables["mail_messages"].c
        row = tuple(store.row(select(m.sender, m.subject, m.date, m.message_id)) or ())
    finally:
        store.close()
    assert row == ("hezh@altantal.gov.mn", "ХЭЗХ тайлан", "2026-11-03T16:45:00+08:00", "<hdr-1@altantal.gov.mn>")


def test_broken_and_foreign_files_are_listed_not_fatal(tmp_path: Path, mappings: Path) -> None:
    broken = tmp_path / "broken.msg"
    broken.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    workbook = CompoundFile()
    workbook.stream("Workbook", b"\x09\x08" + b"\0" * 5000)
    xls_named_msg = tmp_path / "renamed.msg"
    xls_named_msg.write_bytes(workbook.to_bytes())
    text = tmp_path / "text.msg"
    text.write_text("hello")
    write_mail_yaml(mappings)
    result = ingest(tmp_path, mappings, broken, xls_named_msg, text)
    assert result.exit_code == 0, result.output
    assert result.output.count("mail-unreadable") == 3
    assert "Traceback" not in result.output


def test_only_mail_files_are_ingested(tmp_path: Path, mappings: Path) -> None:
    sheet = tmp_path / "ЗУХ.xlsx"
    sheet.write_bytes(mails.template(tmp_path, "ЗУХ"))
    write_mail_yaml(mappings)
    result = ingest(tmp_path, mappings, sheet)
    assert result.exit_code == 1
    assert "negtgel run" in result.output and "Traceback" not in result.output


def test_a_saved_message_over_the_size_limit_is_listed(tmp_path: Path, mappings: Path) -> None:
    big = tmp_path / "big.eml"
    big.write_bytes(mails.report("zuh@altantal.gov.mn", "Том", DATE, "<big@x>",
                                 [("ЗУХ.xlsx", mails.template(tmp_path, "ЗУХ", filler=20))]))
    write_mail_yaml(mappings, attachments={"max_message_mb": 0.01})
    result = ingest(tmp_path, mappings, big)
    assert result.exit_code == 0, result.output
    assert "mail-too-large" in result.output and "файл: 0 авсан" in result.output


def test_quarantined_mail_is_listed_by_status(tmp_path: Path, mappings: Path) -> None:
    from pipeline.cli import cli

    saved = tmp_path / "stranger.eml"
    saved.write_bytes(mails.report("x@example.com", "ОБГ-ын тайлан", DATE, "<q1@example.com>",
                                   [("тайлан.xlsx", mails.template(tmp_path, "ОБГ"))]))
    ok = mails.report("zuh@altantal.gov.mn", "ЗУХ тайлан", DATE, "<q2@altantal.gov.mn>",
                      [("ЗУХ 10 сар.xlsx", mails.template(tmp_path, "ЗУХ"))])
    (tmp_path / "zuh.eml").write_bytes(ok)
    write_mail_yaml(mappings)
    assert ingest(tmp_path, mappings, saved, tmp_path / "zuh.eml").exit_code == 0
    result = CliRunner().invoke(cli, ["status", "--store", str(tmp_path / "negtgel.db"), "--mappings", str(mappings)])
    assert result.exit_code == 0, result.output
    assert "Mail from unknown senders (quarantine/): 1" in result.output
    assert "x@example.com" in result.output and "ОБГ-ын тайлан" in result.output


def test_a_report_inside_outlooks_winmail_dat_is_taken(tmp_path: Path, mappings: Path) -> None:
    from tests.mail.tnef import Packed, build_tnef

    template = mails.template(tmp_path, "ЗУХ")
    winmail = build_tnef([Packed("ЗУХ 10 сарын тайлан.xlsx", "ZUH10~1.XLS", template)])
    saved = tmp_path / "rtf.eml"
    saved.write_bytes(mails.plain("zuh@altantal.gov.mn", "Тайлан", DATE, "<rtf@altantal.gov.mn>",
                                  [("winmail.dat", "application/ms-tnef", winmail)]))
    broken = tmp_path / "broken-rtf.eml"
    broken.write_bytes(mails.plain("zuh@altantal.gov.mn", "Тайлан", DATE, "<rtf2@altantal.gov.mn>",
                                   [("winmail.dat", "application/ms-tnef", b"\x78\x9f\x3e\x22 cut")]))
    write_mail_yaml(mappings)
    result = ingest(tmp_path, mappings, saved, broken)
    assert result.exit_code == 0, result.output
    sub = submissions(tmp_path)["ЗУХ 10 сарын тайлан.xlsx"]
    assert (tmp_path / "input" / sub.archive_path).read_bytes() == template  # type: ignore[attr-defined]
    assert "attachment-winmail-unreadable" in result.output and "«winmail.dat»" in result.output
    assert "Traceback" not in result.output


# --- issue 13 --------------------------------------------------------------------------------------------
def test_a_maildir_folder_and_an_mbox_file_are_ingested(tmp_path: Path, mappings: Path) -> None:
    import mailbox

    maildir = mailbox.Maildir(str(tmp_path / "Maildir"), create=True)
    maildir.add(mails.report("zuh@altantal.gov.mn", "ЗУХ", DATE, "<md1@x>", [("ЗУХ 10 сар.xlsx", mails.template(tmp_path, "ЗУХ"))]))
    maildir.add(mails.report("hbth@altantal.gov.mn", "ХБТХ", DATE, "<md2@x>", [("ХБТХ 10 сар.xlsx", mails.template(tmp_path, "ХБТХ"))]))
    box = mailbox.mbox(str(tmp_path / "Inbox"))  # Thunderbird's folder file: no extension
    box.add(mails.report("hezh@altantal.gov.mn", "ХЭЗХ", DATE, "<mb1@x>", [("ХЭЗХ 10 сар.xlsx", mails.template(tmp_path, "ХЭЗХ"))]))
    box.add(mails.report("sts@altantal.gov.mn", "СТСХ", DATE, "<mb2@x>", [("СТСХ 10 сар.xlsx", mails.template(tmp_path, "СТСХ"))]))
    box.flush()
    box.close()
    write_mail_yaml(mappings)
    result = ingest(tmp_path, mappings, tmp_path / "Maildir", tmp_path / "Inbox")
    assert result.exit_code == 0, result.output
    assert "Захидал: 4 шинэ, 0 өмнө авсан; файл: 4 авсан" in result.output
    assert set(submissions(tmp_path)) == {"ЗУХ 10 сар.xlsx", "ХБТХ 10 сар.xlsx", "ХЭЗХ 10 сар.xlsx", "СТСХ 10 сар.xlsx"}
    assert "Захидал: 0 шинэ, 4 өмнө авсан" in ingest(tmp_path, mappings, tmp_path / "Maildir", tmp_path / "Inbox").output


def test_a_saved_eml_is_dated_by_its_newest_received_hop_when_its_clock_is_off(tmp_path: Path, mappings: Path) -> None:
    raw = mails.report("zuh@altantal.gov.mn", "ЗУХ", dt.datetime(2016, 11, 5, 20, 30, tzinfo=UB), "<hop@x>",
                       [("ЗУХ 10 сар.xlsx", mails.template(tmp_path, "ЗУХ"))])
    hops = (b"Received: from mx by mail.altantal.gov.mn; Thu, 05 Nov 2026 20:31:02 +0800\r\n"
            b"Received: from [10.0.0.7] by mx.altantal.gov.mn; Thu, 05 Nov 2026 20:30:58 +0800\r\n")
    (tmp_path / "saved.eml").write_bytes(hops + raw)
    write_mail_yaml(mappings)
    result = ingest(tmp_path, mappings, tmp_path / "saved.eml")
    assert result.exit_code == 0, result.output
    assert submissions(tmp_path)["ЗУХ 10 сар.xlsx"].received_at == "2026-11-05T20:31:02+08:00"  # type: ignore[attr-defined]
    assert "mail-date-skewed" in result.output and "2016-11-05 20:30 +0800" in result.output


def test_a_blank_template_is_answered_as_an_error_and_is_not_a_report(tmp_path: Path, mappings: Path) -> None:
    (tmp_path / "blank.eml").write_bytes(mails.report("zuh@altantal.gov.mn", "ЗУХ", DATE, "<blank@x>",
                                                      [("ЗУХ 10 сар.xlsx", mails.template(tmp_path, "ЗУХ", measures=0))]))
    smtp = SmtpServer().start()
    try:
        write_mail_yaml(mappings, smtp_port=smtp.port)
        result = CliRunner().invoke(ingest_command, [str(tmp_path / "blank.eml"), "--input", str(tmp_path / "input"), "--store",
                                                     str(tmp_path / "negtgel.db"), "--mappings", str(mappings), "--reply"])
        assert result.exit_code == 0, result.output
        assert "template-empty" in result.output
        [receipt] = smtp.received
        text = receipt.message.get_payload(decode=True).decode()
        assert "ЗУХ 10 сар.xlsx — ТАЙЛАН ГЭЖ ТООЦООГҮЙ" in text and "NOT COUNTED AS A REPORT" in text
        assert "ХҮЛЭЭН АВЛАА" not in text and "Арга хэмжээний тоо: 0" in text
        assert submissions(tmp_path)["ЗУХ 10 сар.xlsx"].readable == 0  # type: ignore[attr-defined]
    finally:
        smtp.stop()


def test_a_receipt_refused_by_the_server_is_listed_with_its_whole_reason(tmp_path: Path, mappings: Path) -> None:
    from aiosmtpd.controller import Controller

    reason = "5.7.1 Message rejected by the content policy of altantal.gov.mn: " + "x" * 260

    class Refusing:
        async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # aiosmtpd's hook name
            return f"554 {reason}"

    port = free_port()
    controller = Controller(Refusing(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        (tmp_path / "zuh.eml").write_bytes(mails.report("zuh@altantal.gov.mn", "ЗУХ", DATE, "<refused@x>",
                                                        [("ЗУХ 10 сар.xlsx", mails.template(tmp_path, "ЗУХ"))]))
        write_mail_yaml(mappings, smtp_port=port)
        result = CliRunner().invoke(ingest_command, [str(tmp_path / "zuh.eml"), "--input", str(tmp_path / "input"), "--store",
                                                     str(tmp_path / "negtgel.db"), "--mappings", str(mappings), "--reply",
                                                     "--lang", "en"])
    finally:
        controller.stop()
    assert result.exit_code == 1
    line = next(line for line in result.output.splitlines() if "receipt-failed" in line)
    assert line.endswith(f"could not be sent (sending failed (554 {reason})); it will be tried again on the next run.")
    assert "SMTPDataError" not in result.output and "Traceback" not in result.output
