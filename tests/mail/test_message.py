"""MIME bytes -> ParsedMessage: pure functions, no servers."""

from __future__ import annotations

import base64
import datetime as dt
import io
import urllib.parse
import zipfile
from email.header import Header
from pathlib import Path

import pytest

from pipeline.mail.message import (
    MAX_DEPTH,
    Origin,
    inline_origin,
    is_spreadsheet,
    parse_date,
    parse_message,
    sanitise_filename,
    sniff,
)
from tests.mail import mails

NAME = "Тайлан 10 сар.xlsx"
DATE = dt.datetime(2026, 11, 4, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
XLSX_BYTES = b"PK\x03\x04 damaged but plausible"


def raw_with(disposition: bytes, content_type: bytes = b"application/octet-stream") -> bytes:
    """A message whose attachment header is written byte for byte as some mail program writes it."""
    return (b"From: =?utf-8?b?" + base64.b64encode("Д.Сарангэрэл".encode()) + b"?= <ZUH@Altantal.gov.mn>\r\n"
            b"Subject: =?utf-8?b?" + base64.b64encode("10 сарын тайлан".encode()) + b"?=\r\n"
            b"Date: Wed, 04 Nov 2026 09:30:00 +0800\r\nMessage-ID: <x1@altantal.gov.mn>\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            b"body\r\n--B\r\nContent-Type: " + content_type + b"\r\n" + disposition +
            b"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + base64.b64encode(XLSX_BYTES) + b"\r\n--B--\r\n")


ENCODED_WORD = Header(NAME, "utf-8").encode().encode()


@pytest.mark.parametrize("disposition", [
    b'Content-Disposition: attachment; filename="' + ENCODED_WORD + b'"',  # RFC 2047 in quotes (old Outlook)
    b"Content-Disposition: attachment; filename=" + ENCODED_WORD,  # RFC 2047 unquoted
    b"Content-Disposition: attachment; filename*=utf-8''" + urllib.parse.quote(NAME).encode(),  # RFC 2231
    b"Content-Disposition: attachment;\r\n filename*0*=utf-8''" + urllib.parse.quote(NAME[:8]).encode() +
    b";\r\n filename*1*=" + urllib.parse.quote(NAME[8:]).encode(),  # RFC 2231 continuation
    b"Content-Disposition: attachment; filename*=windows-1251''" + urllib.parse.quote(NAME.encode("cp1251")).encode(),
    b'Content-Disposition: attachment; filename="' + NAME.encode() + b'"',  # raw UTF-8 (RFC 6532)
    b'Content-Disposition: attachment; filename="' + NAME.encode("cp1251") + b'"',  # raw Windows-1251
], ids=["2047", "2047-unquoted", "2231", "2231-continued", "2231-cp1251", "8bit-utf8", "8bit-cp1251"])
def test_cyrillic_attachment_names_in_every_encoding(disposition: bytes) -> None:
    parsed = parse_message(raw_with(disposition))
    [attachment] = parsed.attachments
    assert attachment.name == NAME and attachment.original == NAME
    assert attachment.data == XLSX_BYTES and attachment.is_spreadsheet


def test_name_only_in_content_type_and_no_name_at_all() -> None:
    parsed = parse_message(raw_with(b"Content-Disposition: attachment", b'application/vnd.ms-excel; name="' + ENCODED_WORD + b'"'))
    assert parsed.attachments[0].name == NAME
    unnamed = parse_message(raw_with(b"Content-Disposition: attachment", mails.XLSX.encode()))
    assert unnamed.attachments[0].name == "attachment.xlsx"


def test_headers() -> None:
    parsed = parse_message(raw_with(b'Content-Disposition: attachment; filename="a.xlsx"'))
    assert parsed.sender == "zuh@altantal.gov.mn" and parsed.sender_name == "Д.Сарангэрэл"
    assert parsed.subject == "10 сарын тайлан" and parsed.message_id == "<x1@altantal.gov.mn>"
    assert parsed.date == DATE and not parsed.auto_submitted
    no_date = parse_message(b"From: a@b.mn\r\nDate: not a date\r\n\r\nx")
    assert no_date.date is None and no_date.attachments == () and no_date.message_id is None
    utc = parse_message(b"From: a@b.mn\r\nDate: Wed, 04 Nov 2026 01:30:00 -0000\r\n\r\nx")
    assert utc.date == DATE
    robot = parse_message(b"From: MAILER-DAEMON@b.mn\r\nAuto-Submitted: auto-replied\r\n\r\nx")
    assert robot.auto_submitted
    assert parse_message(b"From: not an address\r\n\r\nx").sender is None


@pytest.mark.parametrize(("given", "safe"), [
    ("../../etc/passwd", "passwd"),
    ("..\\..\\Windows\\system.ini", "system.ini"),
    ("C:\\Users\\Бат\\Desktop\\тайлан.xlsx", "тайлан.xlsx"),
    ("a\x00b\x1fc\u202ecod.xlsx", "abccod.xlsx"),  # control and right-to-left override characters
    ("..", "attachment"),
    ("", "attachment"),
    ("~$тайлан.xlsx", "$тайлан.xlsx"),  # never looks like an Excel lock file
    (".hidden.xlsx", "hidden.xlsx"),
    ("тайлан...xlsx", "тайлан.xlsx"),
    ('a<b>c:d"e|f?g*h.xlsx', "a_b_c_d_e_f_g_h.xlsx"),
    ("CON.xlsx", "_CON.xlsx"),
    ("  тайлан  10 сар .xlsx ", "тайлан 10 сар.xlsx"),
])
def test_sanitised_names(given: str, safe: str) -> None:
    assert sanitise_filename(given) == safe


def test_long_names_are_bounded_keeping_the_extension() -> None:
    name = sanitise_filename("ү" * 300 + ".xlsx")
    assert len(name) == 120 and name.endswith("ү.xlsx")
    assert len(sanitise_filename("a" * 500)) == 120


def test_spreadsheet_by_name_and_content(tmp_path: Path) -> None:
    xlsx = mails.template(tmp_path, "ЗУХ")
    assert is_spreadsheet("x.xlsx", xlsx) and is_spreadsheet("x.XLSM", xlsx)
    assert not is_spreadsheet("x.docx", xlsx)  # by name
    assert not is_spreadsheet("x.xlsx", mails.docx_bytes())  # a renamed Word file
    assert not is_spreadsheet("x.xlsx", b"%PDF-1.7")
    assert is_spreadsheet("x.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    assert not is_spreadsheet("x.xls", b"<html><table>")  # a web page saved as .xls
    ods = io.BytesIO()
    with zipfile.ZipFile(ods, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    assert is_spreadsheet("x.ods", ods.getvalue())


def test_forwarded_inline_and_signature_parts(tmp_path: Path) -> None:
    data = mails.template(tmp_path, "СТСХ")
    inner = mails.report("helper@altantal.gov.mn", "inner", DATE, "<i@x>", [("дотор.xlsx", data)])
    outer = parse_message(mails.forwarded("boajg@altantal.gov.mn", "Fwd", DATE, "<o@x>", inner))
    assert [(a.name, a.forwarded) for a in outer.attachments] == [("дотор.xlsx", True)]
    assert outer.sender == "boajg@altantal.gov.mn"
    signed = parse_message(mails.with_inline_image_and_signature("sts@altantal.gov.mn", "s", DATE, "<s@x>", "СТСХ.xlsx", data))
    kinds = [(a.name, a.inline, a.is_spreadsheet) for a in signed.attachments]
    assert kinds == [("attachment.png", True, False), ("СТСХ.xlsx", False, True), ("smime.p7s", False, False)]


def test_an_attached_eml_file_is_searched_too(tmp_path: Path) -> None:
    inner = mails.report("helper@altantal.gov.mn", "inner", DATE, "<i@x>", [("дотор.xlsx", mails.template(tmp_path, "ЗУХ"))])
    outer = mails.plain("zuh@altantal.gov.mn", "fwd", DATE, "<o@x>", [("Fwd.eml", "application/octet-stream", inner)])
    assert [a.name for a in parse_message(outer).attachments] == ["дотор.xlsx"]


def test_headers_only_and_hostile_nesting() -> None:
    parsed = parse_message(b"From: a@b.mn\r\nSubject: big\r\n\r\n", headers_only=True, size=10**9)
    assert parsed.headers_only and parsed.size == 10**9 and parsed.attachments == ()
    deep = b"From: a@b.mn\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n"
    for i in range(1, 60):
        deep += b"--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n" % (i - 1, i)
    parse_message(deep)  # does not raise


def test_outlook_winmail_dat_is_unpacked_into_its_files(tmp_path: Path) -> None:
    from tests.mail.tnef import Packed, build_tnef

    report = mails.template(tmp_path, "СТСХ")
    older = mails.template(tmp_path, "ЗУХ")
    winmail = build_tnef([
        Packed("СТСХ 10 сарын тайлан.xlsx", "СТСХ10~1.XLS", report),  # long Unicode name, as Outlook writes it
        Packed(None, "Тайлан.xlsx", older),  # only the short name, in code page 1251
        Packed("image001.png", "IMAGE001.PNG", mails.PNG),
    ])
    raw = mails.plain("sts@altantal.gov.mn", "Тайлан", DATE, "<w@x>", [("winmail.dat", "application/ms-tnef", winmail)])
    found = parse_message(raw).attachments
    assert [(a.name, a.is_spreadsheet, a.is_winmail) for a in found] == [
        ("СТСХ 10 сарын тайлан.xlsx", True, False), ("Тайлан.xlsx", True, False), ("image001.png", False, False)]
    assert found[0].data == report and found[1].data == older


def test_a_winmail_dat_that_is_not_tnef_is_kept_and_marked() -> None:
    raw = mails.plain("sts@altantal.gov.mn", "Тайлан", DATE, "<w@x>", [("winmail.dat", "application/octet-stream", b"not tnef")])
    (found,) = parse_message(raw).attachments
    assert (found.name, found.is_spreadsheet, found.is_winmail) == ("winmail.dat", False, True)


@pytest.mark.parametrize("cut", [7, 30, 200, -40])
def test_a_cut_winmail_dat_gives_what_it_holds(tmp_path: Path, cut: int) -> None:
    from pipeline.mail.tnef import unpack_winmail
    from tests.mail.tnef import Packed, build_tnef

    template = mails.template(tmp_path, "БГ")
    whole = build_tnef([Packed("Тайлан.xlsx", "TAILAN.XLS", template)])
    files = unpack_winmail(whole[:cut])
    if 0 < cut < 60:  # cut before any file: it may have held one, so it is unreadable, not empty
        assert files is None
        return
    assert files is not None
    # Before the long name is reached the short one serves; a cut file is a beginning of the file (the
    # reader then reports it as damaged).
    assert all(f.name in ("Тайлан.xlsx", "TAILAN.XLS") and template.startswith(f.data) for f in files)
    assert len(files) == 1
    if cut == -40:
        assert files[0].data == template


def test_winmail_reading_never_raises() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from pipeline.mail.tnef import unpack_winmail
    from tests.mail.tnef import Packed, build_tnef

    base = build_tnef([Packed("Тайлан.xlsx", "TAILAN.XLS", XLSX_BYTES), Packed(None, "б.xlsx", b"PK\x03\x04")])

    @settings(max_examples=400, derandomize=True, database=None, deadline=None)
    @given(st.lists(st.tuples(st.integers(0, len(base) - 1), st.integers(0, 255)), max_size=8), st.integers(6, len(base)))
    def check(edits: list[tuple[int, int]], end: int) -> None:
        data = bytearray(base[:end])
        for at, byte in edits:
            if at < len(data):
                data[at] = byte
        files = unpack_winmail(bytes(data))
        assert files is None or all(isinstance(f.name, str) and f.name and isinstance(f.data, bytes) for f in files)

    check()


# --- issue 13 --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("zone", "hours"), [("ULAT", 8), ("ULAST", 9), ("HOVT", 7), ("CHOT", 8), ("ulat", 8)])
def test_mongolian_zone_names_in_the_date_header(zone: str, hours: int) -> None:
    when = parse_date(f"Wed, 4 Nov 2026 20:30:00 {zone}")
    assert when == dt.datetime(2026, 11, 4, 20, 30, tzinfo=dt.timezone(dt.timedelta(hours=hours)))
    assert when.utcoffset() == dt.timedelta(hours=hours)
    assert parse_date("Wed, 4 Nov 2026 20:30:00 +0800 (ULAT)") == dt.datetime(2026, 11, 4, 12, 30, tzinfo=dt.UTC)


def test_the_newest_received_hop_is_the_servers_time() -> None:
    raw = (b"Received: from mx.altantal.gov.mn by mail.altantal.gov.mn; Thu, 5 Nov 2026 22:01:07 +0800\r\n"
           b"Received: from [10.0.0.7] by mx.altantal.gov.mn; Thu, 5 Nov 2026 22:00:59 +0800\r\n"
           b"From: zuh@altantal.gov.mn\r\nDate: Sat, 5 Nov 2016 22:00:00 +0800\r\nSubject: x\r\n\r\nbody\r\n")
    parsed = parse_message(raw)
    assert parsed.arrived == dt.datetime(2026, 11, 5, 22, 1, 7, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert parsed.date == dt.datetime(2016, 11, 5, 22, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert parsed.date_header == "Sat, 5 Nov 2016 22:00:00 +0800"


CUT = "Тайлан ЗУХ".encode()[:-1]  # a UTF-8 name cut inside its last letter (a two-byte "Х")


@pytest.mark.parametrize("disposition", [
    b"Content-Disposition: attachment; filename*=utf-8''" + urllib.parse.quote(CUT).encode(),
    b'Content-Disposition: attachment; filename="=?utf-8?b?' + base64.b64encode(CUT) + b'?="',
    b'Content-Disposition: attachment; filename="' + CUT + b'"',
], ids=["2231", "2047", "8bit"])
def test_a_cut_utf8_name_loses_its_last_letter_not_the_whole_name(disposition: bytes) -> None:
    [attachment] = parse_message(raw_with(disposition, mails.XLSX.encode())).attachments
    assert attachment.original == "Тайлан ЗУ"
    assert attachment.name == "Тайлан ЗУ"


@pytest.mark.parametrize(("given", "taken"), [("ЗУХ 10 сар", "ЗУХ 10 сар.xlsx"), ("ЗУХ 10 сар.xl", "ЗУХ 10 сар.xlsx"),
                                              ("ЗУХ 10 сар.xls", "ЗУХ 10 сар.xlsx"), ("ЗУХ 10.5 сар", "ЗУХ 10.5 сар.xlsx")])
def test_a_workbook_is_taken_by_its_content_whatever_its_name(tmp_path: Path, given: str, taken: str) -> None:
    xlsx = mails.template(tmp_path, "ЗУХ")
    raw = mails.plain("zuh@altantal.gov.mn", "x", DATE, "<n@x>", [(given, "application/octet-stream", xlsx)])
    [attachment] = parse_message(raw).attachments
    assert (attachment.name, attachment.original, attachment.is_spreadsheet, attachment.data) == (taken, given, True, xlsx)
    assert sniff(xlsx) == ".xlsx" and sniff(mails.docx_bytes()) is None and sniff(b"%PDF") is None


def test_an_attached_outlook_msg_is_opened_and_its_sender_kept(tmp_path: Path) -> None:
    from tests.mail.cfb import MsgAttachment, MsgMessage, build_msg

    xlsx = mails.template(tmp_path, "ХБТХ")
    item = build_msg(MsgMessage("ХБТХ тайлан", sender="hbth@altantal.gov.mn", sender_name="Б.Болд",
                                submitted=dt.datetime(2026, 11, 5, 14, 0, tzinfo=dt.UTC),
                                attachments=(MsgAttachment("ХБТХ 10 сар.xlsx", xlsx),)))
    assert sniff(item) == ".msg"
    for name in ("Тайлан.msg", "Тайлан"):  # by name, and by content when the name lost its extension
        parsed = parse_message(mails.with_attached_msg("hshu@altantal.gov.mn", "FW", DATE, "<m@x>", name, item))
        assert [(a.name, a.forwarded, a.data) for a in parsed.attachments] == [("ХБТХ 10 сар.xlsx", True, xlsx)]
        assert parsed.origins == (Origin("hbth@altantal.gov.mn", "Б.Болд", dt.datetime(2026, 11, 5, 14, 0, tzinfo=dt.UTC),
                                         "attached"),)


def test_forwards_nested_past_the_depth_limit_are_not_followed(tmp_path: Path) -> None:
    raw = mails.report("a@altantal.gov.mn", "x", DATE, "<d0@x>", [("ЗУХ.xlsx", mails.template(tmp_path, "ЗУХ"))])
    for level in range(1, MAX_DEPTH + 3):
        raw = mails.forwarded("a@altantal.gov.mn", f"Fwd {level}", DATE, f"<d{level}@x>", raw)
    assert parse_message(raw).attachments == ()
    shallow = mails.forwarded("a@altantal.gov.mn", "Fwd", DATE, "<s@x>",
                              mails.report("a@altantal.gov.mn", "x", DATE, "<s0@x>", [("ЗУХ.xlsx", mails.template(tmp_path, "ЗУХ"))]))
    assert [a.name for a in parse_message(shallow).attachments] == ["ЗУХ.xlsx"]


def test_messages_no_person_wrote_are_recognised() -> None:
    assert parse_message(mails.out_of_office("zuh@altantal.gov.mn", DATE, "<a1@x>")).kind == "auto-reply"
    for header in (("X-Autoreply", "yes"), ("Precedence", "auto_reply"), ("Precedence", "bulk"),
                   ("X-Auto-Response-Suppress", "All")):
        assert parse_message(mails.out_of_office("zuh@altantal.gov.mn", DATE, "<a2@x>", header=header)).kind == "auto-reply"
    assert parse_message(mails.read_receipt("zuh@altantal.gov.mn", DATE, "<r@x>", "<o@x>")).kind == "read-receipt"
    assert parse_message(mails.bounce(DATE, "<b@x>", "nobody@altantal.gov.mn")).kind == "delivery-report"
    bare_mdn = b"From: hezh@altantal.gov.mn\r\nContent-Type: message/disposition-notification\r\n\r\nDisposition: displayed\r\n"
    assert parse_message(bare_mdn).kind == "read-receipt"
    thanks = parse_message(mails.thanks("zuh@altantal.gov.mn", DATE, "<t@x>", "<receipt@x>"))
    assert (thanks.kind, thanks.is_reply, thanks.attachments) == ("mail", True, ())
    assert parse_message(mails.report("zuh@altantal.gov.mn", "ЗУХ", DATE, "<m@x>", [])).kind == "mail"


@pytest.mark.parametrize(("block", "sender", "date"), [
    ("From: Д.Сарангэрэл <zuh@altantal.gov.mn>\nSent: Thursday, November 5, 2026 10:00 PM\nTo: x\n",  # Outlook
     "zuh@altantal.gov.mn", dt.datetime(2026, 11, 5, 22, 0)),
    ("---------- Forwarded message ---------\nFrom: Д.Сарангэрэл <zuh@altantal.gov.mn>\n"  # Gmail
     "Date: Thu, Nov 5, 2026 at 10:00 PM\n", "zuh@altantal.gov.mn", dt.datetime(2026, 11, 5, 22, 0)),
    ("-------- Forwarded Message --------\nSubject: x\nDate: Thu, 5 Nov 2026 22:00:00 +0800\n"  # Thunderbird
     "From: zuh@altantal.gov.mn\n", "zuh@altantal.gov.mn", dt.datetime(2026, 11, 5, 22, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))),
])
def test_an_inline_forwards_original_sender_and_date(block: str, sender: str, date: dt.datetime) -> None:
    origin = inline_origin(f"Дамжуулав.\n\n{block}\nТайлангаа хавсаргав.")
    assert origin is not None and (origin.sender, origin.date) == (sender, date)
