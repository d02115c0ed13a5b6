"""A minimal compound file (MS-CFB version 3) writer, and Outlook .msg files built with it (MS-OXMSG).

olefile can only read, so the tests write their .msg files themselves: 512-byte sectors, streams under
4096 bytes in the mini stream (64-byte mini sectors), one FAT (no DIFAT sectors: files up to ~7 MB),
siblings kept as a balanced binary tree in CFB name order.
"""

from __future__ import annotations

import datetime as dt
import struct
from dataclasses import dataclass, field

SECTOR = 512
MINI = 64
CUTOFF = 4096
FREESECT, ENDOFCHAIN, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


@dataclass
class _Node:
    name: str
    kind: int  # 1 storage, 2 stream, 5 root
    data: bytes = b""
    children: dict[str, _Node] = field(default_factory=dict)
    id: int = 0
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM
    start: int = ENDOFCHAIN


def _order(name: str) -> tuple[int, str]:
    return (len(name), name.upper())


class CompoundFile:
    def __init__(self) -> None:
        self.root = _Node("Root Entry", 5)

    def _storage(self, path: list[str]) -> _Node:
        node = self.root
        for part in path:
            node = node.children.setdefault(part, _Node(part, 1))
            assert node.kind == 1, f"{part} is a stream"
        return node

    def storage(self, *path: str) -> None:
        self._storage(list(path))

    def stream(self, path: str | list[str], data: bytes) -> None:
        parts = path.split("/") if isinstance(path, str) else list(path)
        parent = self._storage(parts[:-1])
        parent.children[parts[-1]] = _Node(parts[-1], 2, data)

    def to_bytes(self) -> bytes:
        nodes: list[_Node] = []

        def number(node: _Node) -> None:
            node.id = len(nodes)
            nodes.append(node)
            for child in sorted(node.children.values(), key=lambda n: _order(n.name)):
                number(child)

        number(self.root)

        def tree(items: list[_Node]) -> int:
            if not items:
                return NOSTREAM
            middle = len(items) // 2
            top = items[middle]
            top.left = tree(items[:middle])
            top.right = tree(items[middle + 1:])
            return top.id

        for node in nodes:
            if node.kind != 2:
                node.child = tree(sorted(node.children.values(), key=lambda n: _order(n.name)))

        # Small streams into the mini stream, large ones into their own sectors.
        mini_stream = bytearray()
        minifat: list[int] = []
        for node in nodes:
            if node.kind == 2 and 0 < len(node.data) < CUTOFF:
                node.start = len(minifat)
                count = -(-len(node.data) // MINI)
                minifat.extend(range(node.start + 1, node.start + count))
                minifat.append(ENDOFCHAIN)
                mini_stream += node.data + b"\0" * (count * MINI - len(node.data))
        sectors: list[bytes] = []
        fat: list[int] = []

        def allocate(data: bytes, marker: int | None = None) -> int:
            if not data:
                return ENDOFCHAIN
            first = len(sectors)
            count = -(-len(data) // SECTOR)
            padded = data + b"\0" * (count * SECTOR - len(data))
            for i in range(count):
                sectors.append(padded[i * SECTOR:(i + 1) * SECTOR])
                fat.append(marker if marker is not None else (first + i + 1 if i < count - 1 else ENDOFCHAIN))
            return first

        for node in nodes:
            if node.kind == 2 and len(node.data) >= CUTOFF:
                node.start = allocate(node.data)
        self.root.start = allocate(bytes(mini_stream))
        self.root.data = bytes(mini_stream)
        minifat_bytes = b"".join(struct.pack("<I", v) for v in minifat)
        minifat_start = allocate(minifat_bytes + struct.pack("<I", FREESECT) * ((-len(minifat)) % (SECTOR // 4)))
        minifat_sectors = -(-len(minifat_bytes) // SECTOR) if minifat_bytes else 0

        entries = b"".join(self._entry(n) for n in nodes)
        entries += self._empty_entry() * ((-len(nodes)) % (SECTOR // 128))
        directory_start = allocate(entries)

        fat_count = 1
        while fat_count * (SECTOR // 4) < len(sectors) + fat_count:
            fat_count += 1
        assert fat_count <= 109, "this small writer has no DIFAT sectors"
        fat_start = len(sectors)
        for _ in range(fat_count):
            sectors.append(b"")
            fat.append(FATSECT)
        fat += [FREESECT] * (fat_count * (SECTOR // 4) - len(fat))
        fat_bytes = b"".join(struct.pack("<I", v) for v in fat)
        for i in range(fat_count):
            sectors[fat_start + i] = fat_bytes[i * SECTOR:(i + 1) * SECTOR]

        difat = [fat_start + i for i in range(fat_count)] + [FREESECT] * (109 - fat_count)
        header = struct.pack(
            "<8s16sHHHHH6sIIIIIIIII",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\0" * 16, 0x003E, 0x0003, 0xFFFE, 9, 6, b"\0" * 6,
            0, fat_count, directory_start, 0, CUTOFF, minifat_start if minifat else ENDOFCHAIN, minifat_sectors,
            ENDOFCHAIN, 0,
        ) + b"".join(struct.pack("<I", v) for v in difat)
        assert len(header) == SECTOR
        return header + b"".join(sectors)

    @staticmethod
    def _entry(node: _Node) -> bytes:
        encoded = node.name.encode("utf-16-le") + b"\0\0"
        assert len(encoded) <= 64, node.name
        size = len(node.data) if node.kind in (2, 5) else 0
        start = node.start if node.kind in (2, 5) and size else (ENDOFCHAIN if node.kind == 5 else 0)
        return struct.pack(
            "<64sHBBIII16sIQQIQ",
            encoded, len(encoded), node.kind, 1, node.left, node.right, node.child, b"\0" * 16, 0, 0, 0, start, size,
        )

    @staticmethod
    def _empty_entry() -> bytes:
        return struct.pack("<64sHBBIII16sIQQIQ", b"", 0, 0, 0, NOSTREAM, NOSTREAM, NOSTREAM, b"\0" * 16, 0, 0, 0, 0, 0)


# --- Outlook .msg ------------------------------------------------------------------------------------------
PT_LONG, PT_BOOLEAN, PT_SYSTIME = 0x0003, 0x000B, 0x0040


def _utf16(text: str) -> bytes:
    return text.encode("utf-16-le") + b"\0\0"


def _filetime(moment: dt.datetime) -> int:
    return int((moment - dt.datetime(1601, 1, 1, tzinfo=dt.UTC)).total_seconds() * 10_000_000)


def _properties(header: bytes, fixed: list[tuple[int, int, bytes]]) -> bytes:
    """The __properties_version1.0 stream: a header, then (type, id, 8-byte value) records."""
    out = bytearray(header)
    for kind, prop, value in fixed:
        out += struct.pack("<HHI", kind, prop, 0x6) + value.ljust(8, b"\0")
    return bytes(out)


@dataclass(frozen=True)
class MsgAttachment:
    name: str
    data: bytes = b""
    long_name: bool = True  # 3707 (long) or only 3704 (8.3)
    mime: str = ""
    content_id: str = ""
    embedded: MsgMessage | None = None  # a forwarded message attached


@dataclass(frozen=True)
class MsgMessage:
    subject: str
    sender: str = ""
    sender_name: str = ""
    submitted: dt.datetime | None = None
    headers: str = ""  # transport message headers (received mail has them)
    message_id: str = ""
    attachments: tuple[MsgAttachment, ...] = ()
    ansi_subject: bool = False  # 001E with codepage 1251 instead of 001F


def _write_message(cf: CompoundFile, prefix: list[str], msg: MsgMessage, top: bool) -> None:
    def put(prop: int, text: str, where: list[str] | None = None) -> None:
        if text:
            cf.stream([*prefix, *(where or []), f"__substg1.0_{prop:04X}001F"], _utf16(text))

    if msg.ansi_subject:
        cf.stream([*prefix, "__substg1.0_0037001E"], msg.subject.encode("cp1251") + b"\0")
    else:
        put(0x0037, msg.subject)
    put(0x0C1F, msg.sender)
    put(0x0C1E, "SMTP" if msg.sender else "")
    put(0x0C1A, msg.sender_name)
    put(0x007D, msg.headers)
    put(0x1035, msg.message_id)
    cf.stream([*prefix, "__substg1.0_1000001F"], _utf16("Тайланг хавсаргав."))
    cf.stream([*prefix, "__substg1.0_001A001F"], _utf16("IPM.Note"))
    fixed = [(PT_LONG, 0x3FFD, struct.pack("<i", 1251)), (PT_LONG, 0x0E07, struct.pack("<i", 1))]
    if msg.submitted is not None:
        fixed.append((PT_SYSTIME, 0x0039, struct.pack("<Q", _filetime(msg.submitted))))
    count = len(msg.attachments)
    header = struct.pack("<8sIIII8s", b"\0" * 8, 1, count, 1, count, b"\0" * 8) if top else struct.pack("<8sIIII", b"\0" * 8, 1, count, 1, count)
    cf.stream([*prefix, "__properties_version1.0"], _properties(header, fixed))
    recip = [*prefix, "__recip_version1.0_#00000000"]
    cf.stream([*recip, "__substg1.0_3001001F"], _utf16("ХШҮ мэргэжилтэн"))
    cf.stream([*recip, "__substg1.0_39FE001F"], _utf16("hshu@altantal.gov.mn"))
    cf.stream([*recip, "__properties_version1.0"], _properties(b"\0" * 8, [(PT_LONG, 0x0C15, struct.pack("<i", 1))]))
    if top:
        cf.storage(*prefix, "__nameid_version1.0")
        for name in ("__substg1.0_00020102", "__substg1.0_00030102", "__substg1.0_00040102"):
            cf.stream([*prefix, "__nameid_version1.0", name], b"\0" * 8)
    for index, attachment in enumerate(msg.attachments):
        storage = [*prefix, f"__attach_version1.0_#{index:08X}"]
        method = 5 if attachment.embedded is not None else 1
        props = [(PT_LONG, 0x3705, struct.pack("<i", method)), (PT_LONG, 0x0E21, struct.pack("<i", index)),
                 (PT_LONG, 0x0E20, struct.pack("<i", len(attachment.data)))]
        if attachment.content_id:
            props.append((PT_BOOLEAN, 0x7FFE, struct.pack("<H", 1)))
        cf.stream([*storage, "__properties_version1.0"], _properties(b"\0" * 8, props))
        cf.stream([*storage, "__substg1.0_3001001F"], _utf16(attachment.name))
        if attachment.long_name:
            cf.stream([*storage, "__substg1.0_3707001F"], _utf16(attachment.name))
        else:
            cf.stream([*storage, "__substg1.0_3704001F"], _utf16(attachment.name))
        if attachment.mime:
            cf.stream([*storage, "__substg1.0_370E001F"], _utf16(attachment.mime))
        if attachment.content_id:
            cf.stream([*storage, "__substg1.0_3712001F"], _utf16(attachment.content_id))
        if attachment.embedded is not None:
            _write_message(cf, [*storage, "__substg1.0_3701000D"], attachment.embedded, False)
        else:
            cf.stream([*storage, "__substg1.0_37010102"], attachment.data)


def build_msg(message: MsgMessage) -> bytes:
    """A complete Outlook .msg file."""
    cf = CompoundFile()
    _write_message(cf, [], message, True)
    return cf.to_bytes()
