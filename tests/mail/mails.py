"""Real MIME messages built with the stdlib `email` package, carrying real filled templates."""

from __future__ import annotations

import datetime as dt
import io
import random
import zipfile
from collections.abc import Sequence
from email import policy
from email.header import Header
from email.message import EmailMessage
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime
from pathlib import Path

from tests.helpers import template_rows, write_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DEPARTMENTS = {  # short name -> (full name, address) from mappings/departments.yaml
    "ЗУХ": ("Захиргаа, удирдлагын хэлтэс", "zuh@altantal.gov.mn"),
    "ХБТХ": ("Хөгжлийн бодлого, төлөвлөлтийн хэлтэс", "hbth@altantal.gov.mn"),
    "ХЭЗХ": ("Хууль, эрх зүйн хэлтэс", "hezh@altantal.gov.mn"),
    "ХШҮДАХ": ("Хяналт-шинжилгээ, үнэлгээ, дотоод аудитын хэлтэс", "hshu@altantal.gov.mn"),
    "СТСХ": ("Санхүү, төрийн сангийн хэлтэс", "sts@altantal.gov.mn"),
    "ХХААГ": ("Хүнс, хөдөө аж ахуйн газар", "hhaa@altantal.gov.mn"),
    "БГ": ("Боловсролын газар", "bolovsrol@altantal.gov.mn"),
    "ЭМГ": ("Эрүүл мэндийн газар", "emg@altantal.gov.mn"),
    "БОАЖГ": ("Байгаль орчин, аялал жуулчлалын газар", "boajg@altantal.gov.mn"),
    "ОБГ": ("Онцгой байдлын газар", "obg@altantal.gov.mn"),
}
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82")


def template(folder: Path, short: str, *, month: int = 10, timeframe: str = "I-IV улирал", measures: int = 2,
             filler: int = 0) -> bytes:
    """A filled standard template of the department as .xlsx bytes; filler adds that many kB of text."""
    name, _ = DEPARTMENTS[short]
    rows = [[f"1.{i}", f"{short}: арга хэмжээ {i}-ийг хэрэгжүүлнэ.", "Хэрэгжилтийн хувиар", None, "Хэрэгжилт - 100%",
             timeframe if i == 1 else "I-IV улирал", "Мэргэжилтэн", "Хийж гүйцэтгэсэн.", "Бүрэн хэрэгжсэн", None, None]
            for i in range(1, measures + 1)]
    if filler:
        rng = random.Random(filler)
        letters = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяөү0123456789"
        rows.extend([[None] * 10 + ["".join(rng.choice(letters) for _ in range(1000))] for _ in range(filler)])
    path = folder / f"{short}-{month}-{timeframe}-{measures}-{filler}.xlsx"
    write_xlsx(path, template_rows(rows, department=name, month=month))
    return path.read_bytes()


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def _headers(msg: EmailMessage | MIMEMultipart, sender: str, subject: str, date: dt.datetime, message_id: str) -> None:
    msg["From"] = sender
    msg["To"] = "ХШҮ мэргэжилтэн <mne@altantal.gov.mn>"
    msg["Subject"] = subject if isinstance(msg, EmailMessage) else Header(subject, "utf-8")  # type: ignore[assignment]  # compat32 takes a Header
    msg["Date"] = format_datetime(date)
    msg["Message-ID"] = message_id


def report(sender: str, subject: str, date: dt.datetime, message_id: str, files: list[tuple[str, bytes]],
           *, body: str = "Сайн байна уу, тайлангаа хавсаргав.") -> bytes:
    """A message with spreadsheet attachments; names are written the modern way (RFC 2231) by the email package."""
    msg = EmailMessage()
    _headers(msg, sender, subject, date, message_id)
    msg.set_content(body)
    for name, data in files:
        msg.add_attachment(data, maintype="application", subtype=XLSX.split("/")[1], filename=name)
    return msg.as_bytes(policy=policy.SMTP)


def report_rfc2047(sender: str, subject: str, date: dt.datetime, message_id: str, name: str, data: bytes) -> bytes:
    """A Cyrillic file name as an RFC 2047 encoded word inside the quoted parameter (older Outlook, webmail)."""
    msg = MIMEMultipart()
    _headers(msg, sender, subject, date, message_id)
    msg.attach(MIMEText("Тайлан хавсаргав.", "plain", "utf-8"))
    part = MIMEApplication(data, _subtype="octet-stream")
    encoded = Header(name, "utf-8").encode()
    part.add_header("Content-Disposition", "attachment", filename=encoded)
    part.set_param("name", encoded)
    msg.attach(part)
    raw = msg.as_bytes()
    assert b'filename="=?utf-8?b?' in raw
    return raw


def report_rfc2231(sender: str, subject: str, date: dt.datetime, message_id: str, name: str, data: bytes,
                   charset: str = "utf-8") -> bytes:
    """A Cyrillic file name as an RFC 2231 parameter (filename*=utf-8''...), built with the compat API."""
    msg = MIMEMultipart()
    _headers(msg, sender, subject, date, message_id)
    msg.attach(MIMEText("Тайлан хавсаргав.", "plain", "utf-8"))
    part = MIMEApplication(data, _subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    part.add_header("Content-Disposition", "attachment", filename=(charset, "", name))
    msg.attach(part)
    raw = msg.as_bytes()
    assert f"filename*={charset}''".encode() in raw
    return raw


def with_inline_image_and_signature(sender: str, subject: str, date: dt.datetime, message_id: str, name: str,
                                    data: bytes) -> bytes:
    """An HTML body with an inline logo (Content-ID), the report, and an S/MIME signature part."""
    msg = EmailMessage()
    _headers(msg, sender, subject, date, message_id)
    msg.set_content("Тайлан хавсаргав.")
    msg.add_alternative('<p>Тайлан хавсаргав.</p><img src="cid:logo@altantal">', subtype="html")
    html = list(msg.iter_parts())[1]
    html.add_related(PNG, maintype="image", subtype="png", cid="<logo@altantal>")
    msg.add_attachment(data, maintype="application", subtype=XLSX.split("/")[1], filename=name)
    msg.add_attachment(b"0\x82\x01\x00fake-signature", maintype="application", subtype="pkcs7-signature",
                       filename="smime.p7s")
    return msg.as_bytes(policy=policy.SMTP)


def forwarded(sender: str, subject: str, date: dt.datetime, message_id: str, inner: bytes) -> bytes:
    """A message forwarded as an attachment (message/rfc822) with the report inside."""
    msg = EmailMessage()
    _headers(msg, sender, subject, date, message_id)
    msg.set_content("Дамжуулав.")
    from email import message_from_bytes

    inner_msg = message_from_bytes(inner, policy=policy.default)
    msg.add_attachment(inner_msg)
    raw = msg.as_bytes(policy=policy.SMTP)
    assert b"message/rfc822" in raw
    return raw


def plain(sender: str, subject: str, date: dt.datetime, message_id: str, attachments: Sequence[tuple[str, str, bytes]] = ()
          ) -> bytes:
    """A message with only non-spreadsheet attachments (name, mime type, bytes), or none."""
    msg = EmailMessage()
    _headers(msg, sender, subject, date, message_id)
    msg.set_content("Сайн байна уу.")
    for name, mime, data in attachments:
        maintype, subtype = mime.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg.as_bytes(policy=policy.SMTP)


# --- messages that are not reports, and forwards (issue 13) ------------------------------------------------
def out_of_office(sender: str, date: dt.datetime, message_id: str, *, header: tuple[str, str] | None = None) -> bytes:
    """An out-of-office reply as Exchange writes it (Auto-Submitted, X-Auto-Response-Suppress), with its logo."""
    msg = EmailMessage()
    _headers(msg, sender, "Автомат хариу: Тайлангийн хариу", date, message_id)
    for name, value in ([header] if header else [("Auto-Submitted", "auto-replied"), ("X-Auto-Response-Suppress", "All")]):
        msg[name] = value
    msg.set_content("Би 11 сарын 10 хүртэл ээлжийн амралттай байна.")
    msg.add_attachment(PNG, maintype="image", subtype="png", filename="image001.png", disposition="inline")
    return msg.as_bytes(policy=policy.SMTP)


def _report(headers: str, report_type: str, text: str, part_type: str, fields: str) -> bytes:
    """A multipart/report written byte for byte (the email package has no builder for one)."""
    return (f"{headers}MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type={report_type}; boundary=R\r\n\r\n"
            f"--R\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n"
            f"--R\r\nContent-Type: {part_type}\r\n\r\n{fields}\r\n--R--\r\n").encode()


def read_receipt(sender: str, date: dt.datetime, message_id: str, original_id: str) -> bytes:
    """An MDN (RFC 8098): multipart/report; report-type=disposition-notification, as Outlook sends "Read:"."""
    headers = (f"From: {sender}\r\nTo: hshu-report@altantal.gov.mn\r\nSubject: =?utf-8?b?0KPQvdGI0YHQsNC9?=: receipt\r\n"
               f"Date: {format_datetime(date)}\r\nMessage-ID: {message_id}\r\n")
    return _report(headers, "disposition-notification", "Your message was read.", "message/disposition-notification",
                   f"Final-Recipient: rfc822;{sender}\r\nOriginal-Message-ID: {original_id}\r\n"
                   "Disposition: manual-action/MDN-sent-manually; displayed")


def bounce(date: dt.datetime, message_id: str, to: str) -> bytes:
    """A delivery status notification (RFC 3464) from MAILER-DAEMON."""
    headers = ("From: Mail Delivery System <MAILER-DAEMON@altantal.gov.mn>\r\nTo: hshu-report@altantal.gov.mn\r\n"
               f"Subject: Undelivered Mail Returned to Sender\r\nDate: {format_datetime(date)}\r\nMessage-ID: {message_id}\r\n"
               "Auto-Submitted: auto-replied\r\n")
    return _report(headers, "delivery-status", f"Your message could not be delivered to {to}.", "message/delivery-status",
                   f"Reporting-MTA: dns; mail.altantal.gov.mn\r\n\r\nFinal-Recipient: rfc822; {to}\r\nAction: failed\r\n"
                   "Status: 5.1.1")


def thanks(sender: str, date: dt.datetime, message_id: str, in_reply_to: str) -> bytes:
    """A short "thank you" reply to a receipt, quoting it, with no attachment."""
    msg = EmailMessage()
    _headers(msg, sender, "RE: Тайлангийн хариу / Report receipt: ЗУХ 10 сар.xlsx", date, message_id)
    msg["In-Reply-To"] = in_reply_to
    msg.set_content("Баярлалаа.\n\nFrom: hshu-report@altantal.gov.mn\nSent: Wednesday, November 4, 2026 9:40 AM\n"
                    "Subject: Тайлангийн хариу\n\n> Сайн байна уу,\n> Таны илгээсэн захидлыг хүлээн авлаа.\n")
    return msg.as_bytes(policy=policy.SMTP)


def inline_forward(specialist: str, date: dt.datetime, message_id: str, original: str, original_name: str, sent: str,
                   files: list[tuple[str, bytes]]) -> bytes:
    """A forward as Outlook writes it: the original's header block quoted in the body, its files re-attached."""
    msg = EmailMessage()
    _headers(msg, specialist, "FW: 10 сарын тайлан", date, message_id)
    msg.set_content(f"Дамжуулав.\n\n________________________________\nFrom: {original_name} <{original}>\nSent: {sent}\n"
                    f"To: ХШҮ мэргэжилтэн <mne@altantal.gov.mn>\nSubject: 10 сарын тайлан\n\nТайлангаа хавсаргав.\n")
    for name, data in files:
        msg.add_attachment(data, maintype="application", subtype=XLSX.split("/")[1], filename=name)
    return msg.as_bytes(policy=policy.SMTP)


def with_attached_msg(sender: str, subject: str, date: dt.datetime, message_id: str, name: str, data: bytes) -> bytes:
    """An Outlook item (.msg) attached to a mail, as Outlook's "Forward as attachment" to webmail does."""
    msg = EmailMessage()
    _headers(msg, sender, subject, date, message_id)
    msg.set_content("Хавсаргав.")
    msg.add_attachment(data, maintype="application", subtype="vnd.ms-outlook", filename=name)
    return msg.as_bytes(policy=policy.SMTP)
