"""A TNEF (`winmail.dat`) writer after [MS-OXTNEF], for tests: the stream Outlook attaches when a message
is sent in its Rich Text format. Each attachment carries its rendering data, its short name in the
sender's Windows code page, its bytes, and (as Outlook writes it) the long Unicode name among its MAPI
properties."""

from __future__ import annotations

import struct
from dataclasses import dataclass

SIGNATURE = 0x223E9F78
LVL_MESSAGE, LVL_ATTACHMENT = 1, 2
# attribute id = type << 16 | name
ATT_TNEF_VERSION = 0x00089006
ATT_OEM_CODEPAGE = 0x00069007
ATT_MESSAGE_CLASS = 0x00078008
ATT_ATTACH_REND_DATA = 0x00069002
ATT_ATTACH_TITLE = 0x00018010
ATT_ATTACH_DATA = 0x0006800F
ATT_ATTACHMENT = 0x00069005  # the attachment's MAPI properties
PT_UNICODE, PR_ATTACH_LONG_FILENAME = 0x001F, 0x3707


@dataclass(frozen=True)
class Packed:
    long_name: str | None  # None: only the short name, as older Outlook versions write
    short_name: str
    data: bytes


def _attribute(level: int, attribute: int, data: bytes) -> bytes:
    return struct.pack("<BII", level, attribute, len(data)) + data + struct.pack("<H", sum(data) & 0xFFFF)


def _mapi_unicode(prop: int, text: str) -> bytes:
    value = (text + "\x00").encode("utf-16-le")
    padding = b"\x00" * (-len(value) % 4)
    return struct.pack("<IHHII", 1, PT_UNICODE, prop, 1, len(value)) + value + padding


def build_tnef(files: list[Packed], codepage: int = 1251) -> bytes:
    out = struct.pack("<IH", SIGNATURE, 0x1234)
    out += _attribute(LVL_MESSAGE, ATT_TNEF_VERSION, struct.pack("<I", 0x00010000))
    out += _attribute(LVL_MESSAGE, ATT_OEM_CODEPAGE, struct.pack("<II", codepage, 0))
    out += _attribute(LVL_MESSAGE, ATT_MESSAGE_CLASS, b"IPM.Microsoft Mail.Note\x00")
    for packed in files:
        rendering = struct.pack("<HIIHI", 1, 0xFFFFFFFF, 0xFFFFFFFF, 0, 0)  # attachment type file, no position
        out += _attribute(LVL_ATTACHMENT, ATT_ATTACH_REND_DATA, rendering)
        out += _attribute(LVL_ATTACHMENT, ATT_ATTACH_TITLE, packed.short_name.encode(f"cp{codepage}") + b"\x00")
        out += _attribute(LVL_ATTACHMENT, ATT_ATTACH_DATA, packed.data)
        if packed.long_name is not None:
            out += _attribute(LVL_ATTACHMENT, ATT_ATTACHMENT, _mapi_unicode(PR_ATTACH_LONG_FILENAME, packed.long_name))
    return out
