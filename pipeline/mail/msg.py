"""Outlook `.msg` files -> `ParsedMessage`, read from the OLE compound file with `olefile` (BSD).

A .msg is a compound file (MS-CFB) holding MAPI properties (MS-OXMSG): each variable-size property is a
stream `__substg1.0_TTTTYYYY` (T = property id, Y = type: 001F UTF-16, 001E 8-bit, 0102 binary), the
fixed-size ones are 16-byte records in `__properties_version1.0`, and each attachment is a storage
`__attach_version1.0_#XXXXXXXX` with its own streams. A forwarded message attached inside is an embedded
message storage `__substg1.0_3701000D` and is searched for attachments too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import struct
from collections.abc import Callable, Sequence
from email import policy
from email.message import Message
from email.parser import HeaderParser

import olefile

from pipeline.errors import NegtgelError
from pipeline.mail.message import (
    MAX_DEPTH,
    Origin,
    ParsedMessage,
    Walker,
    classify,
    decode_words,
    inline_origin,
    newest_hop,
    parse_date,
    parse_sender,
    patterns,
)
from pipeline.mail.settings import MailMarkers
from pipeline.words import both

PT_LONG, PT_BOOLEAN, PT_SYSTIME = 0x0003, 0x000B, 0x0040
PT_STRING8, PT_UNICODE, PT_BINARY, PT_OBJECT = 0x001E, 0x001F, 0x0102, 0x000D

SUBJECT = 0x0037
CLIENT_SUBMIT_TIME = 0x0039
SENT_REPRESENTING_EMAIL = 0x0065
TRANSPORT_HEADERS = 0x007D
SENDER_NAME = 0x0C1A
SENDER_ADDRTYPE = 0x0C1E
SENDER_EMAIL = 0x0C1F
DELIVERY_TIME = 0x0E06
INTERNET_MESSAGE_ID = 0x1035
DISPLAY_NAME = 0x3001
BODY = 0x1000
ATTACH_DATA = 0x3701
ATTACH_FILENAME = 0x3704
ATTACH_METHOD = 0x3705
ATTACH_LONG_FILENAME = 0x3707
ATTACH_MIME_TAG = 0x370E
ATTACH_CONTENT_ID = 0x3712
MESSAGE_CODEPAGE = 0x3FFD
INTERNET_CODEPAGE = 0x3FDE
SENDER_SMTP = 0x5D01
SENT_REPRESENTING_SMTP = 0x5D02
ATTACHMENT_HIDDEN = 0x7FFE
ATTACH_EMBEDDED_MSG = 5

ATTACH_PREFIX = "__attach_version1.0_#"
PROPERTIES = "__properties_version1.0"
EMBEDDED = "__substg1.0_3701000D"


class MsgError(NegtgelError):
    """The file is not an Outlook message."""


class _Message:
    """One message storage (the top one, or an embedded one) of an open .msg file."""

    def __init__(self, ole: olefile.OleFileIO, path: Sequence[str], header_size: int):
        self.ole = ole
        self.path = list(path)
        self.fixed = _fixed_properties(ole, [*self.path, PROPERTIES], header_size)
        codepage = self.fixed.get(MESSAGE_CODEPAGE) or self.fixed.get(INTERNET_CODEPAGE)
        self.codepage = f"cp{codepage}" if isinstance(codepage, int) and codepage not in (0, 1200) else "cp1251"
        if codepage == 65001:
            self.codepage = "utf-8"

    def stream(self, prop: int, kind: int, where: Sequence[str] = ()) -> bytes | None:
        name = [*self.path, *where, f"__substg1.0_{prop:04X}{kind:04X}"]
        if not self.ole.exists("/".join(name)) or self.ole.get_type("/".join(name)) != olefile.STGTY_STREAM:
            return None
        with self.ole.openstream(name) as handle:
            return bytes(handle.read())

    def text(self, prop: int, where: Sequence[str] = ()) -> str:
        raw = self.stream(prop, PT_UNICODE, where)
        if raw is not None:
            return raw.decode("utf-16-le", "replace").split("\x00", 1)[0].strip()
        raw = self.stream(prop, PT_STRING8, where)
        if raw is not None:
            try:
                return raw.split(b"\x00", 1)[0].decode(self.codepage).strip()
            except (UnicodeDecodeError, LookupError):
                return raw.split(b"\x00", 1)[0].decode("cp1251", "replace").strip()
        return ""

    def attachment_storages(self) -> list[str]:
        found = set()
        depth = len(self.path)
        for entry in self.ole.listdir(streams=True, storages=True):
            if len(entry) > depth and entry[:depth] == self.path and entry[depth].startswith(ATTACH_PREFIX):
                found.add(entry[depth])
        return sorted(found)


def _fixed_properties(ole: olefile.OleFileIO, path: list[str], header_size: int) -> dict[int, object]:
    """The fixed-size properties (MS-OXMSG 2.4.2): 16-byte records after a header of 32, 24 or 8 bytes."""
    if not ole.exists("/".join(path)):
        return {}
    with ole.openstream(path) as handle:
        data = handle.read()
    values: dict[int, object] = {}
    for offset in range(header_size, len(data) - 15, 16):
        kind, prop = struct.unpack_from("<HH", data, offset)
        value = data[offset + 8: offset + 16]
        if kind == PT_LONG:
            values[prop] = struct.unpack_from("<i", value)[0]
        elif kind == PT_BOOLEAN:
            values[prop] = bool(struct.unpack_from("<H", value)[0])
        elif kind == PT_SYSTIME:
            values[prop] = filetime(struct.unpack_from("<Q", value)[0])
    return values


def filetime(ticks: int) -> dt.datetime | None:
    """A Windows FILETIME (100 ns since 1601-01-01 UTC) as an aware datetime."""
    if ticks <= 0:
        return None
    try:
        return dt.datetime(1601, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=ticks // 10)
    except OverflowError:
        return None


def _smtp_like(value: str) -> str | None:
    address, _ = parse_sender(value)
    return address if address and "/" not in address and "=" not in address else None


def _sender(message: _Message, header: str) -> str | None:
    for candidate in (message.text(SENDER_SMTP), message.text(SENDER_EMAIL), header,
                      message.text(SENT_REPRESENTING_SMTP), message.text(SENT_REPRESENTING_EMAIL)):
        sender = _smtp_like(candidate) if candidate else None
        if sender:
            return sender
    return None


def _sent_time(message: _Message, header_date: dt.datetime | None) -> dt.datetime | None:
    if header_date is not None:
        return header_date
    moment = message.fixed.get(CLIENT_SUBMIT_TIME) or message.fixed.get(DELIVERY_TIME)
    return moment if isinstance(moment, dt.datetime) else None


def _attachments(message: _Message, forwarded: bool, depth: int, walker: Walker) -> None:
    for storage in message.attachment_storages():
        where = [storage]
        fixed = _fixed_properties(message.ole, [*message.path, storage, PROPERTIES], 8)
        embedded = [*message.path, storage, EMBEDDED]
        if message.ole.exists("/".join(embedded)) and depth < MAX_DEPTH:
            if fixed.get(ATTACH_METHOD, ATTACH_EMBEDDED_MSG) == ATTACH_EMBEDDED_MSG:
                inner = _Message(message.ole, embedded, 24)
                inner_headers = _headers(inner)
                walker.origins.append(Origin(_sender(inner, inner_headers("From")),
                                             inner.text(SENDER_NAME) or parse_sender(inner_headers("From"))[1],
                                             _sent_time(inner, parse_date(inner_headers("Date"))), "attached"))
                _attachments(inner, True, depth + 1, walker)
            continue
        data = message.stream(ATTACH_DATA, PT_BINARY, where)
        if data is None:
            continue  # an OLE object or a reference: nothing to take
        original = decode_words(message.text(ATTACH_LONG_FILENAME, where) or message.text(ATTACH_FILENAME, where)
                                or message.text(DISPLAY_NAME, where)) or "attachment.bin"
        content_type = message.text(ATTACH_MIME_TAG, where) or "application/octet-stream"
        inline = bool(fixed.get(ATTACHMENT_HIDDEN)) or bool(message.text(ATTACH_CONTENT_ID, where))
        walker.add(original, content_type.lower(), data, inline, forwarded, depth)


def _headers(message: _Message) -> Callable[[str], str]:
    """A reader of the message's transport headers (empty for a draft or an item never sent)."""
    text = message.text(TRANSPORT_HEADERS)
    parsed = HeaderParser(policy=policy.default).parsestr(text) if text else None

    def header(name: str) -> str:
        try:
            value = parsed.get(name) if parsed is not None else None
        except (TypeError, ValueError, LookupError, IndexError):
            value = None
        return decode_words(str(value)).strip() if value is not None else ""

    return header


def parse_msg(data: bytes, *, depth: int = 0, markers: MailMarkers | None = None) -> ParsedMessage:
    """Read an Outlook .msg file's sender, subject, date, message id and attachments."""
    if not data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise MsgError(both("messages.mail_msg.not_outlook_msg_file", sep=" / "))
    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except Exception as exc:  # olefile raises OSError and struct errors on damaged files
        reason = " ".join(str(exc).split())[:200]
        raise MsgError(both("messages.mail_msg.damaged_msg_file_reason", sep=" / ", reason=reason)) from None
    with ole:
        if not any(entry[0].startswith("__substg1.0_") for entry in ole.listdir()):
            raise MsgError(both("messages.mail_msg.office_file_that_not", sep=" / "))
        top = _Message(ole, [], 32)
        header = _headers(top)
        headers_text = top.text(TRANSPORT_HEADERS)
        transport = HeaderParser(policy=policy.default).parsestr(headers_text) if headers_text else None
        name = top.text(SENDER_NAME) or parse_sender(header("From"))[1]
        date_header = header("Date")
        date = _sent_time(top, parse_date(date_header))
        walker = Walker(markers)
        _attachments(top, False, depth, walker)
        delivered = top.fixed.get(DELIVERY_TIME)
        arrived = newest_hop(transport) if transport is not None else None
        if arrived is None and isinstance(delivered, dt.datetime):
            arrived = delivered
        body = top.text(BODY)[:16000]
        subject = " ".join((top.text(SUBJECT) or header("Subject")).split())
        sender = _sender(top, header("From"))
        origins = list(walker.origins)
        if body and (found := inline_origin(body, markers)) is not None:
            origins.append(found)
        kind = classify(transport, subject, sender, markers) if transport is not None else _kind_by_subject(subject, sender, markers)
        message_id = top.text(INTERNET_MESSAGE_ID) or header("Message-ID")
        auto = header("Auto-Submitted").lower()
        return ParsedMessage(
            message_id="".join(message_id.split()) or None,
            sender=sender,
            sender_name=name,
            subject=subject,
            date=date,
            attachments=tuple(walker.found),
            raw_sha256=hashlib.sha256(data).hexdigest(),
            auto_submitted=auto not in ("", "no") or header("Precedence").lower() in ("bulk", "junk", "list", "auto_reply")
            or bool(header("X-Autoreply")),
            size=len(data),
            date_header=date_header,
            arrived=arrived,
            kind=kind,
            is_reply=bool(header("In-Reply-To")) or bool(patterns(markers).reply_subject.search(subject)),
            body=body,
            origins=tuple(origins),
        )


def _kind_by_subject(subject: str, sender: str | None, markers: MailMarkers | None = None) -> str:
    """An item without transport headers (saved from the Outbox, or a draft): only its subject tells."""
    return classify(Message(), subject, sender, markers)
