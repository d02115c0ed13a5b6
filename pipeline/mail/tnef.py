"""Outlook's `winmail.dat` (TNEF, `application/ms-tnef`): the files inside it, with their names.

Outlook sends one when a message is written in its "Rich Text" format: to any other mail program the
department's template is then a single `winmail.dat` attachment. The files in it are taken like any other
attachment; a stream that cannot be read is kept and reported (`attachment-winmail-unreadable`), never
silently dropped.

The format ([MS-OXTNEF]) is a signature, then attributes: level (1 byte), id (4), length (4), the value,
a checksum (2). An attachment begins with its rendering data; its short name (in the sender's code page),
its bytes and its MAPI properties (among them the long Unicode name) follow. We read only those, with
every length checked against the bytes there are, like our own `.msg` reader (`msg.py`). Pure functions.
"""

from __future__ import annotations

import contextlib
import struct
from dataclasses import dataclass

SIGNATURE = 0x223E9F78
TNEF_TYPES = ("application/ms-tnef", "application/vnd.ms-tnef")
LVL_ATTACHMENT = 2
ATT_OEM_CODEPAGE = 0x00069007
ATT_ATTACH_REND_DATA = 0x00069002
ATT_ATTACH_TITLE = 0x00018010
ATT_ATTACH_DATA = 0x0006800F
ATT_ATTACHMENT = 0x00069005
PR_ATTACH_DATA = 0x3701
PR_ATTACH_LONG_FILENAME = 0x3707
PT_STRING8, PT_UNICODE, PT_BINARY, PT_OBJECT = 0x001E, 0x001F, 0x0102, 0x000D
MULTI_VALUED = 0x1000
# Fixed-size MAPI types and their size in a TNEF stream (16-bit values take 4 bytes with padding).
FIXED_SIZES = {0x0001: 0, 0x0002: 4, 0x0003: 4, 0x0004: 4, 0x0005: 8, 0x0006: 8, 0x0007: 8, 0x000A: 4, 0x000B: 4,
               0x0014: 8, 0x0040: 8, 0x0048: 16}
MAX_FILES = 100
MAX_DEPTH = 4
IID_IMESSAGE = bytes.fromhex("0703020000000000c000000000000046")


@dataclass(frozen=True)
class PackedFile:
    name: str  # as Outlook wrote it, decoded; made safe by the caller
    data: bytes


@dataclass
class _Attachment:
    short_name: bytes = b""
    long_name: str = ""
    data: bytes | None = None
    mapi_data: bytes | None = None  # the data as a MAPI property (older Outlook, OLE attachments)
    message: bytes | None = None  # an attached Outlook item: a TNEF stream of its own


class TnefError(ValueError):
    """The bytes are not a TNEF stream, or not a whole one."""


def is_winmail(name: str | None, content_type: str) -> bool:
    return content_type.lower() in TNEF_TYPES or (name or "").strip().lower() == "winmail.dat"


def unpack_winmail(data: bytes) -> list[PackedFile] | None:
    """The attached files inside a TNEF stream (none for a message without attachments), or None when the
    bytes are not a TNEF stream or end before any file. A stream cut later gives what it holds: a cut file
    is then reported by the reader as damaged, which tells the sender more than a refusal would."""
    try:
        return _unpack(data, depth=0)
    except (TnefError, struct.error, ValueError):
        return None


def _unpack(data: bytes, depth: int) -> list[PackedFile]:
    if len(data) < 6 or struct.unpack_from("<I", data)[0] != SIGNATURE:
        raise TnefError("no TNEF signature")
    codepage = "cp1252"
    attachments: list[_Attachment] = []
    offset = 6
    cut = False
    while offset < len(data):
        if offset + 9 > len(data):
            cut = True
            break
        level, attribute, length = struct.unpack_from("<BII", data, offset)
        start = offset + 9
        value = data[start:start + length]
        cut = start + length + 2 > len(data)
        offset = start + length + 2  # the checksum is not needed: a wrong byte shows in the file's own checks
        if attribute == ATT_OEM_CODEPAGE and len(value) >= 4:
            codepage = _codec(struct.unpack_from("<I", value)[0])
        elif attribute == ATT_ATTACH_REND_DATA:
            if len(attachments) >= MAX_FILES:
                break
            attachments.append(_Attachment())
        elif level == LVL_ATTACHMENT and attachments:
            current = attachments[-1]
            if attribute == ATT_ATTACH_TITLE:
                current.short_name = value.split(b"\x00", 1)[0]
            elif attribute == ATT_ATTACH_DATA:
                current.data = value
            elif attribute == ATT_ATTACHMENT:
                _read_properties(value, current, codepage)
    files = []
    for index, attachment in enumerate(attachments, 1):
        if attachment.message is not None and depth < MAX_DEPTH:
            # An Outlook item attached to the message (a forwarded mail): its own attachments count.
            with contextlib.suppress(TnefError, struct.error, ValueError):
                files.extend(_unpack(attachment.message, depth + 1))
            continue
        payload = attachment.data if attachment.data is not None else attachment.mapi_data
        if payload is not None:
            files.append(PackedFile(_name(attachment, codepage, index), payload))
    if cut and not files:
        raise TnefError("the stream ends before any file")  # it may have held one: say so, never "no attachment"
    return files[:MAX_FILES]


def _codec(codepage: int) -> str:
    name = f"cp{codepage}"
    try:
        "".encode(name)
    except LookupError:
        return "cp1252"
    return name


def _read_properties(block: bytes, attachment: _Attachment, codepage: str) -> None:
    """The long name and the data among an attachment's MAPI properties; a property the reader does not
    know ends the reading (what was read is kept)."""
    try:
        count = struct.unpack_from("<I", block)[0]
        offset = 4
        for _ in range(min(count, 10_000)):
            kind, prop = struct.unpack_from("<HH", block, offset)
            offset += 4
            if prop >= 0x8000:  # a named property: its GUID and its name or number first
                offset += 16
                named_kind = struct.unpack_from("<I", block, offset)[0]
                offset += 4
                if named_kind == 0:
                    offset += 4
                else:
                    size = struct.unpack_from("<I", block, offset)[0]
                    offset += 4 + size + (-size % 4)
            multi = bool(kind & MULTI_VALUED)
            kind &= ~MULTI_VALUED
            if kind in FIXED_SIZES:
                values = struct.unpack_from("<I", block, offset)[0] if multi else 1
                offset += (4 if multi else 0) + values * FIXED_SIZES[kind]
                continue
            if kind not in (PT_STRING8, PT_UNICODE, PT_BINARY, PT_OBJECT):
                return
            # Variable-size values, single or multi: a count, then each value's size, bytes and padding.
            values = struct.unpack_from("<I", block, offset)[0]
            offset += 4
            for _ in range(min(values, 10_000)):
                size = struct.unpack_from("<I", block, offset)[0]
                offset += 4
                if offset + size > len(block):
                    return
                _keep(attachment, prop, kind, block[offset:offset + size], codepage)
                offset += size + (-size % 4)
    except struct.error:
        return


def _keep(attachment: _Attachment, prop: int, kind: int, raw: bytes, codepage: str) -> None:
    if prop == PR_ATTACH_LONG_FILENAME and kind == PT_UNICODE:
        attachment.long_name = raw.decode("utf-16-le", "replace").split("\x00", 1)[0]
    elif prop == PR_ATTACH_LONG_FILENAME and kind == PT_STRING8:
        attachment.long_name = raw.split(b"\x00", 1)[0].decode(codepage, "replace")
    elif prop == PR_ATTACH_DATA and kind == PT_BINARY:
        attachment.mapi_data = raw
    elif prop == PR_ATTACH_DATA and kind == PT_OBJECT and len(raw) > 16:
        # An object's value starts with its interface id: a message (a TNEF stream follows) or a storage
        # (an OLE document, such as an .xls embedded rather than attached).
        if raw[:16] == IID_IMESSAGE:
            attachment.message = raw[16:]
        else:
            attachment.mapi_data = raw[16:]


def _name(attachment: _Attachment, codepage: str, index: int) -> str:
    """The long name when Outlook gave one, else the short one in the sender's code page."""
    if attachment.long_name.strip():
        return attachment.long_name.strip()
    raw = attachment.short_name
    for codec in ("utf-8", codepage):
        try:
            text = raw.decode(codec).strip()
        except UnicodeDecodeError:
            continue
        if text:
            return text
    return f"winmail-{index}.bin"
