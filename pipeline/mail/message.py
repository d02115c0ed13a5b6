"""MIME bytes -> `ParsedMessage`: who sent it, when, about what, and every attachment with a safe name.

Pure functions, no I/O. Attachment names come decoded from RFC 2047 (`=?utf-8?b?...?=`) and RFC 2231
(`filename*=utf-8''%D0%A2...`) and from raw 8-bit headers, then are made safe to use as a file name:
no path separators, no `..`, no control or direction-override characters, at most ~120 characters with
the extension kept. A forwarded message (a `message/rfc822` part, or an attached `.eml`) is searched for
attachments too, and so is Outlook's `winmail.dat` (`tnef.py`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import mimetypes
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from email import policy
from email.header import decode_header, make_header
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from pathlib import PurePath

from pipeline.mail.tnef import is_winmail, unpack_winmail

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
# Extension -> the container its bytes must start with. .ods is read by the reader as well.
SPREADSHEET_TYPES = {".xlsx": ZIP_MAGIC, ".xlsm": ZIP_MAGIC, ".xls": OLE_MAGIC, ".ods": ZIP_MAGIC}
SPREADSHEET_MIME = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.ms-excel.sheet.macroenabled.12": ".xlsm",
    "application/vnd.ms-excel": ".xls",
    "application/vnd.oasis.opendocument.spreadsheet": ".ods",
}
NAME_LIMIT = 120
MAX_DEPTH = 8  # forwarded inside forwarded ...
MAX_PARTS = 500
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


@dataclass(frozen=True)
class Attachment:
    """One attached file as received."""

    name: str  # safe to use as a file name
    original: str  # the name as the sender's program wrote it, decoded (shown in messages, never used as a path)
    content_type: str
    data: bytes = field(repr=False)
    inline: bool = False  # an image shown in the body (logo, signature)
    forwarded: bool = False  # found inside a forwarded message

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def is_spreadsheet(self) -> bool:
        return is_spreadsheet(self.name, self.data)

    @property
    def is_winmail(self) -> bool:
        """Outlook's winmail.dat that could not be unpacked (one that could is replaced by its files)."""
        return is_winmail(self.original, self.content_type)


@dataclass(frozen=True)
class ParsedMessage:
    """What intake needs from one email (from MIME or from an Outlook .msg)."""

    message_id: str | None
    sender: str | None  # the From address, lower case
    sender_name: str
    subject: str
    date: dt.datetime | None  # the Date header, timezone-aware
    attachments: tuple[Attachment, ...]
    raw_sha256: str
    auto_submitted: bool = False  # an automatic message: never answered with a receipt (RFC 3834)
    size: int = 0
    headers_only: bool = False  # the message was too large to download; only its header was read


# --- names ---------------------------------------------------------------------------------------------
def _unescape(text: str) -> str:
    """Raw 8-bit header bytes arrive as surrogate escapes: decode them as UTF-8, else Windows-1251."""
    if not any("\udc80" <= ch <= "\udcff" for ch in text):
        return text
    raw = text.encode("utf-8", "surrogateescape")
    for encoding in ("utf-8", "cp1251"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", "replace")


def decode_words(text: str) -> str:
    """Decode RFC 2047 encoded words left in a value (some programs put them inside quoted parameters)."""
    text = _unescape(text)
    if "=?" not in text:
        return text
    try:
        return str(make_header(decode_header(text)))
    except (UnicodeDecodeError, LookupError, ValueError, TypeError):
        return text


def sanitise_filename(name: str, limit: int = NAME_LIMIT) -> str:
    """A name safe in any folder: the last path component, no control characters, no `..`, bounded length."""
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co"))
    name = re.split(r"[/\\]", name)[-1]
    name = re.sub(r'[<>:"|?*]', "_", name)
    name = re.sub(r"\.{2,}", ".", name)
    name = re.sub(r"\s+", " ", name).strip().lstrip(".~ ").rstrip(". ")
    match = re.search(r"(\.[A-Za-z0-9]{1,10})$", name)
    suffix = match.group(1).lower() if match else ""
    stem = name[: len(name) - len(suffix)] if suffix else name
    stem = stem.rstrip(". ")
    if stem.upper() in _WINDOWS_RESERVED:
        stem = f"_{stem}"
    stem = stem[: max(1, limit - len(suffix))].rstrip(". ") or "attachment"
    return stem + suffix


def is_spreadsheet(name: str, data: bytes) -> bool:
    """A spreadsheet by its name AND its bytes: .xlsx/.xlsm/.ods a zip of a workbook, .xls an OLE file."""
    suffix = name[name.rfind("."):].lower() if "." in name else ""
    magic = SPREADSHEET_TYPES.get(suffix)
    if magic is None or not data.startswith(magic):
        return False
    if magic is ZIP_MAGIC:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, ValueError, OSError):
            return True  # damaged but plausible: the reader will say what is wrong with it
        if suffix == ".ods":
            return "content.xml" in names
        return any(n.startswith("xl/") for n in names)  # a renamed .docx has word/, not xl/
    return True


def _raw_param(part: Message, header: str, key: str) -> str | None:
    """A parameter read from the raw header: for 8-bit bytes and encoded words the parser gives up on."""
    for name, value in part.raw_items():
        if name.lower() != header:
            continue
        match = re.search(rf'(?:^|;)\s*{key}\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))', str(value), re.IGNORECASE)
        if match:
            return re.sub(r"\s*\r?\n\s*", " ", match.group(1) if match.group(1) is not None else match.group(2))
    return None


def _part_filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except (TypeError, ValueError, LookupError):
        name = None
    if name is None or "\ufffd" in str(name) or "=?" in str(name):
        raw = _raw_param(part, "content-disposition", "filename") or _raw_param(part, "content-type", "name")
        if raw is not None:
            name = raw
    if name is None:
        return None
    return decode_words(str(name)).strip() or None


def _type_of(name: str) -> str:
    suffix = PurePath(name).suffix.lower()
    by_suffix = {v: k for k, v in SPREADSHEET_MIME.items()}
    return by_suffix.get(suffix) or mimetypes.guess_type(name, strict=False)[0] or "application/octet-stream"


def _default_name(content_type: str) -> str:
    suffix = SPREADSHEET_MIME.get(content_type) or mimetypes.guess_extension(content_type, strict=False) or ".bin"
    return f"attachment{suffix}"


# --- header fields -------------------------------------------------------------------------------------
def _header(msg: Message, name: str) -> str:
    try:
        value = msg.get(name)
    except (TypeError, ValueError, LookupError, IndexError):  # a malformed header: read it raw
        value = next((v for k, v in msg.raw_items() if k.lower() == name.lower()), None) if isinstance(msg, EmailMessage) else None
    return "" if value is None else decode_words(str(value)).strip()


def parse_date(text: str) -> dt.datetime | None:
    if not text:
        return None
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def parse_sender(text: str) -> tuple[str | None, str]:
    """(address lower-cased, display name) of the first address in a From header."""
    for name, address in getaddresses([text]):
        if "@" in address:
            return address.strip().lower(), name.strip()
    match = re.search(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", text)
    return (match.group(0).lower(), "") if match else (None, text.strip())


def is_automatic(msg: Message) -> bool:
    auto = _header(msg, "Auto-Submitted").lower()
    precedence = _header(msg, "Precedence").lower()
    return (auto not in ("", "no")) or precedence in ("bulk", "junk", "list")


# --- the message ---------------------------------------------------------------------------------------
def _walk(msg: Message, forwarded: bool, depth: int, found: list[Attachment], budget: list[int]) -> None:
    if depth > MAX_DEPTH:
        return
    for part in (msg.get_payload() if msg.is_multipart() else [msg]):
        if not isinstance(part, Message):
            continue
        budget[0] -= 1
        if budget[0] < 0:
            return
        content_type = part.get_content_type()
        if content_type == "message/rfc822":
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else inner
            if isinstance(inner, Message):
                _walk(inner, True, depth + 1, found, budget)
            continue
        if part.is_multipart():
            _walk(part, forwarded, depth + 1, found, budget)
            continue
        name = _part_filename(part)
        disposition = part.get_content_disposition()
        if name is None and disposition != "attachment" and (content_type.startswith("text/") or content_type.startswith("multipart/")):
            continue  # the body of the message
        try:
            payload = part.get_payload(decode=True) or b""
        except (ValueError, TypeError, LookupError):
            payload = b""
        data = payload if isinstance(payload, bytes) else str(payload).encode("utf-8", "surrogateescape")
        original = name or _default_name(content_type)
        if original.lower().endswith(".eml") and depth < MAX_DEPTH:
            inner_msg = BytesParser(policy=policy.default).parsebytes(data)
            _walk(inner_msg, True, depth + 1, found, budget)
            continue
        if is_winmail(name, content_type):
            packed = unpack_winmail(data)
            if packed is not None:  # the files Outlook wrapped, each taken as if attached itself
                for inner in packed[: max(budget[0], 0)]:
                    budget[0] -= 1
                    found.append(Attachment(sanitise_filename(inner.name), inner.name, _type_of(inner.name), inner.data,
                                            False, forwarded))
                continue
            # Unreadable: kept as it came, and reported as such (`Attachment.is_winmail`).
        inline = disposition == "inline" or (disposition is None and part.get("Content-ID") is not None)
        found.append(Attachment(sanitise_filename(original), original, content_type, data, inline, forwarded))


def parse_message(raw: bytes, *, headers_only: bool = False, size: int | None = None) -> ParsedMessage:
    """Parse one RFC 5322 message. Never raises for a malformed message: what cannot be read is left empty."""
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    sender, sender_name = parse_sender(_header(msg, "From"))
    attachments: list[Attachment] = []
    if not headers_only:
        with contextlib.suppress(RecursionError):  # absurdly deep nesting: what was found so far
            _walk(msg, False, 0, attachments, [MAX_PARTS])
    message_id = _header(msg, "Message-ID") or None
    return ParsedMessage(
        message_id=re.sub(r"\s+", "", message_id) if message_id else None,
        sender=sender,
        sender_name=sender_name,
        subject=re.sub(r"\s+", " ", _header(msg, "Subject")),
        date=parse_date(_header(msg, "Date")),
        attachments=tuple(attachments),
        raw_sha256=hashlib.sha256(raw).hexdigest(),
        auto_submitted=is_automatic(msg),
        size=len(raw) if size is None else size,
        headers_only=headers_only,
    )
