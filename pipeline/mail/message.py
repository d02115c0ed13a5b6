"""MIME bytes -> `ParsedMessage`: who sent it, when, about what, and every attachment with a safe name.

Pure functions, no I/O. Attachment names come decoded from RFC 2047 (`=?utf-8?b?...?=`) and RFC 2231
(`filename*=utf-8''%D0%A2...`) and from raw 8-bit headers, then are made safe to use as a file name:
no path separators, no `..`, no control or direction-override characters, at most ~120 characters with
the extension kept. A forwarded message (a `message/rfc822` part, or an attached `.eml`) is searched for
attachments too, and so is Outlook's `winmail.dat` (`tnef.py`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import email.errors
import functools
import hashlib
import html
import io
import mimetypes
import re
import unicodedata
import urllib.parse
import zipfile
from dataclasses import dataclass, field
from email import policy
from email.header import decode_header
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from pathlib import PurePath

import olefile

from pipeline.mail.settings import MailMarkers, shipped_markers
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
        """A report to take in: a spreadsheet, or a lower level's export (issue 17, `pipeline.export`)."""
        from pipeline.export import is_export_bytes

        return is_spreadsheet(self.name, self.data) or is_export_bytes(self.data)

    @property
    def is_winmail(self) -> bool:
        """Outlook's winmail.dat that could not be unpacked (one that could is replaced by its files)."""
        return is_winmail(self.original, self.content_type)


@dataclass(frozen=True)
class Origin:
    """The original message of a forward: who wrote it and when (an attached message, or a quoted block)."""

    sender: str | None
    sender_name: str
    date: dt.datetime | None  # naive when the forward wrote no zone (Outlook's "Sent:" line): local time
    how: str  # attached | inline


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
    date_header: str = ""  # the Date header as written (shown when it cannot be read or is far off)
    arrived: dt.datetime | None = None  # the newest Received: hop (or Outlook's delivery time): a saved file's server time
    kind: str = "mail"  # mail | auto-reply | read-receipt | delivery-report (see `classify`)
    is_reply: bool = False  # In-Reply-To / References, or a "Re:" subject
    body: str = ""  # the start of the text body, for forwards and short replies
    origins: tuple[Origin, ...] = ()  # forwarded messages found inside, attached ones first


# --- names ---------------------------------------------------------------------------------------------
def decode_bytes(raw: bytes, charset: str | None = "utf-8") -> str:
    """Bytes in the charset named, never mojibake: a UTF-8 name cut inside its last character (a webmail or
    an old client truncating at a byte count) loses that character only; bytes that are not UTF-8 at all
    are Windows-1251, the usual 8-bit Cyrillic of Mongolian offices."""
    name = (charset or "utf-8").strip().lower() or "utf-8"
    try:
        "".encode(name)
    except LookupError:
        name = "utf-8"
    try:
        return raw.decode(name)
    except UnicodeDecodeError as exc:
        if name.replace("_", "-") in ("utf-8", "utf8"):
            if exc.reason == "unexpected end of data":
                return raw[: exc.start].decode("utf-8", "replace")
            try:
                return raw.decode("cp1251")
            except UnicodeDecodeError:
                pass
        return raw.decode(name, "replace")


def _unescape(text: str) -> str:
    """Raw 8-bit header bytes arrive as surrogate escapes: decode them as UTF-8, else Windows-1251."""
    if not any("\udc80" <= ch <= "\udcff" for ch in text):
        return text
    return decode_bytes(text.encode("utf-8", "surrogateescape"))


def decode_words(text: str) -> str:
    """Decode RFC 2047 encoded words left in a value (some programs put them inside quoted parameters)."""
    text = _unescape(text)
    if "=?" not in text:
        return text
    try:
        chunks = decode_header(text)
    except (email.errors.HeaderParseError, ValueError, TypeError):
        return text
    # Each word decoded on its own: one cut inside its last character must not turn the rest into mojibake.
    out = []
    for chunk, charset in chunks:
        if isinstance(chunk, str):
            out.append(chunk)
        elif charset is None:  # text between encoded words: the email package kept it as raw-unicode-escape
            out.append(chunk.decode("raw-unicode-escape", "replace"))
        else:
            out.append(decode_bytes(chunk, charset))
    return "".join(out)


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


def sniff(data: bytes) -> str | None:
    """What the bytes are, whatever the name says: .xlsx, .xlsm, .ods, .xls, .msg, or None (anything else).
    Webmail cuts long names (the extension goes first) and Outlook saves items without one."""
    if data.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
                mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
        except (zipfile.BadZipFile, ValueError, OSError, KeyError):
            return None
        if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
            return ".xlsm" if "xl/vbaProject.bin" in names else ".xlsx"
        if "content.xml" in names and mimetype.strip() == b"application/vnd.oasis.opendocument.spreadsheet":
            return ".ods"
        return None
    if data.startswith(OLE_MAGIC):
        try:
            with olefile.OleFileIO(io.BytesIO(data)) as ole:
                tops = {entry[0] for entry in ole.listdir(streams=True, storages=True)}
        except Exception:  # olefile raises OSError, struct and index errors on damaged files
            return None
        if tops & {"Workbook", "Book"}:
            return ".xls"
        if any(t.startswith("__substg1.0_") for t in tops):
            return ".msg"
    return None


def with_suffix(name: str, suffix: str) -> str:
    """The name with the extension its content calls for: a cut or wrong spreadsheet extension is replaced,
    anything else is kept and the right one added ("ЗУХ 10 сар" -> "ЗУХ 10 сар.xlsx")."""
    stem, dot, ext = name.rpartition(".")
    ext = ext.lower()
    if dot and stem and (suffix[1:].startswith(ext) or f".{ext}" in SPREADSHEET_TYPES or ext in ("bin", "dat", "tmp")):
        return sanitise_filename(stem + suffix)
    return sanitise_filename(name + suffix)


def _raw_param(part: Message, header: str, key: str) -> str | None:
    """A parameter read from the raw header: for 8-bit bytes and encoded words the parser gives up on."""
    for name, value in part.raw_items():
        if name.lower() != header:
            continue
        match = re.search(rf'(?:^|;)\s*{key}\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))', str(value), re.IGNORECASE)
        if match:
            return re.sub(r"\s*\r?\n\s*", " ", match.group(1) if match.group(1) is not None else match.group(2))
    return None


def _rfc2231_param(part: Message, header: str, key: str) -> str | None:
    """An RFC 2231 parameter (`filename*=utf-8''%D0%A2...`, or split as `filename*0*=`, `filename*1*=`) decoded
    from the raw header: the email package replaces a cut last character by U+FFFD; this drops it instead."""
    for name, value in part.raw_items():
        if name.lower() != header:
            continue
        text = re.sub(r"\r?\n[ \t]+", " ", str(value))
        pieces = re.findall(rf'(?:^|;)\s*{key}\*(\d+)?(\*)?\s*=\s*(?:"([^"]*)"|([^;\s]+))', text, re.IGNORECASE)
        if not pieces:
            continue
        ordered = sorted(pieces, key=lambda p: int(p[0]) if p[0] else 0)
        charset = "utf-8"
        raw = b""
        for index, (number, star, quoted, bare) in enumerate(ordered):
            chunk = quoted or bare
            if star or not number:  # `name*=` and `name*N*=` are %-encoded, `name*N=` is plain
                if index == 0 and chunk.count("'") >= 2:
                    charset, _, chunk = chunk.split("'", 2)
                raw += urllib.parse.unquote_to_bytes(chunk)
            else:
                raw += chunk.encode("utf-8", "surrogateescape")
        return decode_bytes(raw, charset or "utf-8")
    return None


def _part_filename(part: Message) -> str | None:
    name = _rfc2231_param(part, "content-disposition", "filename") or _rfc2231_param(part, "content-type", "name")
    if name is not None:  # decoded here: the email package garbles a cut one (U+FFFD, or the raw %XX text)
        return decode_words(name).strip() or None
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


def raw_header(msg: Message, name: str) -> str:
    """A header as written (the policy rewrites a Date it can read, and we show the sender's own text)."""
    value = next((v for k, v in msg.raw_items() if k.lower() == name.lower()), None)
    return "" if value is None else re.sub(r"\s+", " ", decode_words(str(value))).strip()


# Mongolia's zone names as mail programs write them; the stdlib knows only the US ones and reads any
# other name as UTC, which makes a report sent at 20:30 in Ulaanbaatar a day late.
ZONE_NAMES = {"ULAT": "+0800", "ULAST": "+0900", "HOVT": "+0700", "HOVST": "+0800", "CHOT": "+0800", "CHOST": "+0900"}
_ZONE_NAME = re.compile(r"(\d{1,2}:\d{2}(?::\d{2})?)\s+\(?(" + "|".join(ZONE_NAMES) + r")\)?(?=\s|$)", re.IGNORECASE)


def parse_date(text: str) -> dt.datetime | None:
    if not text:
        return None
    text = _ZONE_NAME.sub(lambda m: f"{m.group(1)} {ZONE_NAMES[m.group(2).upper()]}", text.strip())
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


# How Outlook, Gmail and Thunderbird write the original's date in a forward's quoted header block.
_LOOSE_FORMATS = ("%A, %B %d, %Y %I:%M %p", "%a, %b %d, %Y %I:%M %p", "%A, %B %d, %Y %H:%M", "%A, %d %B %Y %H:%M",
                  "%d %B %Y %H:%M", "%a, %d %b %Y %H:%M", "%d %b %Y %H:%M", "%m/%d/%Y %I:%M %p", "%m/%d/%Y %H:%M",
                  "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y.%m.%d %H:%M", "%d.%m.%Y %H:%M", "%Y/%m/%d %H:%M")


def parse_loose_date(text: str) -> dt.datetime | None:
    """A date as a person's mail program shows it; naive when it names no zone (then it is local time)."""
    text = re.sub(r"\s+", " ", text).strip()
    if re.search(r"[+-]\d{4}\b|\b(?:GMT|UTC|" + "|".join(ZONE_NAMES) + r")\b", text, re.IGNORECASE):
        found = parse_date(text)
        if found is not None:
            return found
    cleaned = re.sub(r"\s+at\s+|\s+в\s+", " ", text)
    cleaned = re.sub(r"\s*\(.*\)$", "", cleaned).strip()
    for fmt in _LOOSE_FORMATS:
        try:
            return dt.datetime.strptime(cleaned, fmt)
        except ValueError:
            continue
    return None


def newest_hop(msg: Message) -> dt.datetime | None:
    """The time of the newest `Received:` line (the first one: each server adds its own on top), the
    time the last server, the department's own or ours, took the message in."""
    try:
        values = msg.get_all("Received") or []
    except (TypeError, ValueError, LookupError, IndexError):
        return None
    for value in values:
        text = str(value)
        if ";" in text:
            moment = parse_date(text.rsplit(";", 1)[1])
            if moment is not None:
                return moment
    return None


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
    return (auto not in ("", "no")) or precedence in ("bulk", "junk", "list", "auto_reply") or bool(_header(msg, "X-Autoreply"))


def _any(words: tuple[str, ...]) -> str:
    """An alternation of the words, the longest first; one that never matches when there are none."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) or r"(?!)"


@dataclass(frozen=True)
class MarkerPatterns:
    """The patterns mail.yaml `markers` make (`patterns(markers)` builds them once per set of words)."""

    auto_subject: re.Pattern[str]
    read_subject: re.Pattern[str]
    bounce_subject: re.Pattern[str]
    reply_subject: re.Pattern[str]
    forward_subject: re.Pattern[str]
    forward_text: re.Pattern[str]  # a forwarded message's marker line, or a line of 20 underscores
    quote_start: re.Pattern[str]  # where the quoted message below a reply begins
    thanks: re.Pattern[str]
    forwarded_from: re.Pattern[str]  # a forward's quoted header block: "From: ... / Sent: ..." (Outlook), "Date:"
    forwarded_date: re.Pattern[str]


@functools.cache
def patterns(markers: MailMarkers | None = None) -> MarkerPatterns:
    m = markers if markers is not None else shipped_markers()
    flags = re.IGNORECASE | re.MULTILINE
    return MarkerPatterns(
        auto_subject=re.compile(rf"^\s*(?:{_any(m.auto_reply_subject)})", re.IGNORECASE),
        read_subject=re.compile(rf"^\s*(?:{_any(m.read_receipt_subject)})\s*:", re.IGNORECASE),
        bounce_subject=re.compile(rf"^\s*(?:{_any(m.bounce_subject)})", re.IGNORECASE),
        reply_subject=re.compile(rf"^\s*(?:{_any(m.reply_subject)})\s*:", re.IGNORECASE),
        forward_subject=re.compile(rf"^\s*(?:{_any(m.forward_subject)})[^:]{{0,12}}:", re.IGNORECASE),
        forward_text=re.compile(rf"{_any(m.forward_text)}|^_{{20,}}\s*$", flags),
        quote_start=re.compile(rf"^(?:-{{2,}}\s*(?:{_any(m.quoted_separator)})|"
                               rf"(?:{_any(m.quoted_wrote_first)}) .{{0,200}}(?:{_any(m.quoted_wrote_last)}):|"
                               rf"[ \t*]*(?:{_any(m.quoted_from)})[ \t*]*:)", flags),
        thanks=re.compile(_any(m.thanks), re.IGNORECASE),
        forwarded_from=re.compile(rf"^[ \t>*]*(?:{_any(m.forwarded_from)})[ \t*]*:[ \t*]*(.+)$", flags),
        forwarded_date=re.compile(rf"^[ \t>*]*(?:{_any(m.forwarded_date)})[ \t*]*:[ \t*]*(.+)$", flags),
    )


ROBOT_LOCAL_PARTS = ("mailer-daemon", "postmaster", "mail-daemon", "no-reply", "noreply")


def classify(msg: Message, subject: str, sender: str | None, markers: MailMarkers | None = None) -> str:
    """mail, or what kind of message no person wrote: auto-reply (out of office), read-receipt (MDN,
    RFC 8098), delivery-report (DSN, RFC 3464, and bounces)."""
    top = msg.get_content_type()
    report_type = str(msg.get_param("report-type") or "").lower() if top == "multipart/report" else ""
    types: set[str] = set()
    for index, part in enumerate(msg.walk()):
        if index > MAX_PARTS:
            break
        types.add(part.get_content_type())
    if report_type == "disposition-notification" or "message/disposition-notification" in types or patterns(markers).read_subject.search(subject):
        return "read-receipt"
    local = (sender or "").split("@", 1)[0]
    if report_type == "delivery-status" or "message/delivery-status" in types or top == "multipart/report" \
            or local in ROBOT_LOCAL_PARTS[:3] or patterns(markers).bounce_subject.search(subject):
        return "delivery-report"
    if (is_automatic(msg) or _header(msg, "X-Autorespond") or _header(msg, "X-Auto-Response-Suppress")
            or patterns(markers).auto_subject.search(subject)):
        return "auto-reply"
    return "mail"


def _text_of(part: Message) -> str:
    try:
        payload = part.get_payload(decode=True) or b""
    except (ValueError, TypeError, LookupError):
        return ""
    if not isinstance(payload, bytes):
        return ""
    text = decode_bytes(payload[:64 * 1024], part.get_content_charset() or "utf-8")
    if part.get_content_type() == "text/html":
        text = re.sub(r"(?is)<(script|style).*?</\1>", " ", text)
        text = re.sub(r"(?i)<br\s*/?>|</(p|div|tr|li)>", "\n", text)
        text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return text


def body_text(msg: Message) -> str:
    """The message's own text (plain preferred over HTML), not that of forwarded messages inside it."""
    plain = html_text = None
    stack = [msg]
    seen = 0
    while stack and seen < MAX_PARTS:
        part = stack.pop(0)
        seen += 1
        if part.get_content_type() == "message/rfc822":
            continue
        if part.is_multipart():
            stack.extend(p for p in part.get_payload() if isinstance(p, Message))
            continue
        if part.get_content_disposition() == "attachment":
            continue
        if part.get_content_type() == "text/plain" and plain is None:
            plain = _text_of(part)
        elif part.get_content_type() == "text/html" and html_text is None:
            html_text = _text_of(part)
    return (plain if plain is not None else html_text or "")[:16000]




def inline_origin(body: str, markers: MailMarkers | None = None) -> Origin | None:
    """The original sender and date of an inline forward: the first quoted header block with both."""
    for match in patterns(markers).forwarded_from.finditer(body):
        sender, name = parse_sender(match.group(1).strip())
        if not sender:
            continue
        before = body[max(0, match.start() - 400): match.start()].splitlines()[-4:]
        block = [*body[match.end(): match.end() + 600].splitlines()[:6], *reversed(before)]
        date = None
        for line in block:
            found = patterns(markers).forwarded_date.match(line)
            if found:
                date = parse_loose_date(found.group(1))
                break
        return Origin(sender, name, date, "inline")
    return None


# --- the message ---------------------------------------------------------------------------------------
class Walker:
    """Collects the attachments of a message and of every message inside it (forwarded as message/rfc822,
    as an attached .eml, or as an attached Outlook .msg), at most MAX_DEPTH deep and MAX_PARTS parts."""

    def __init__(self, markers: MailMarkers | None = None) -> None:
        self.markers = markers
        self.found: list[Attachment] = []
        self.origins: list[Origin] = []
        self.budget = MAX_PARTS

    def inner(self, inner: Message, depth: int) -> None:
        if depth > MAX_DEPTH:
            return
        sender, name = parse_sender(_header(inner, "From"))
        self.origins.append(Origin(sender, name, parse_date(_header(inner, "Date")), "attached"))
        self.walk(inner, True, depth)

    def outlook(self, data: bytes, depth: int) -> bool:
        """An attached Outlook item: its attachments are taken like the message's own; False if unreadable."""
        from pipeline.mail.msg import MsgError, parse_msg  # msg.py builds on this module

        if depth > MAX_DEPTH:
            return False
        try:
            item = parse_msg(data, depth=depth, markers=self.markers)
        except MsgError:
            return False
        self.origins.append(Origin(item.sender, item.sender_name, item.date, "attached"))
        self.origins.extend(item.origins)
        for attachment in item.attachments[: max(self.budget, 0)]:
            self.budget -= 1
            self.found.append(dataclasses.replace(attachment, forwarded=True))
        return True

    def walk(self, msg: Message, forwarded: bool, depth: int) -> None:
        if depth > MAX_DEPTH:
            return
        for part in (msg.get_payload() if msg.is_multipart() else [msg]):
            if not isinstance(part, Message):
                continue
            self.budget -= 1
            if self.budget < 0:
                return
            self.part(part, forwarded, depth)

    def part(self, part: Message, forwarded: bool, depth: int) -> None:
        content_type = part.get_content_type()
        if content_type == "message/rfc822":
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else inner
            if isinstance(inner, Message):
                self.inner(inner, depth + 1)
            return
        if part.is_multipart():
            self.walk(part, forwarded, depth + 1)
            return
        name = _part_filename(part)
        disposition = part.get_content_disposition()
        if name is None and disposition != "attachment" and (content_type.startswith("text/") or content_type.startswith("multipart/")):
            return  # the body of the message
        try:
            payload = part.get_payload(decode=True) or b""
        except (ValueError, TypeError, LookupError):
            payload = b""
        data = payload if isinstance(payload, bytes) else str(payload).encode("utf-8", "surrogateescape")
        original = name or _default_name(content_type)
        if original.lower().endswith(".eml") and depth < MAX_DEPTH:
            self.inner(BytesParser(policy=policy.default).parsebytes(data), depth + 1)
            return
        if is_winmail(name, content_type):
            packed = unpack_winmail(data)
            if packed is not None:  # the files Outlook wrapped, each taken as if attached itself
                for inner_file in packed[: max(self.budget, 0)]:
                    self.budget -= 1
                    self.add(inner_file.name, _type_of(inner_file.name), inner_file.data, False, forwarded, depth)
                return
            # Unreadable: kept as it came, and reported as such (`Attachment.is_winmail`).
            self.found.append(Attachment(sanitise_filename(original), original, content_type, data, False, forwarded))
            return
        inline = disposition == "inline" or (disposition is None and part.get("Content-ID") is not None)
        self.add(original, content_type, data, inline, forwarded, depth)

    def add(self, original: str, content_type: str, data: bytes, inline: bool, forwarded: bool, depth: int) -> None:
        name = sanitise_filename(original)
        if not is_spreadsheet(name, data):
            kind = sniff(data)
            if kind == ".msg" and self.outlook(data, depth + 1):
                return
            if kind in SPREADSHEET_TYPES:  # a workbook whatever its name says: taken under the right extension
                name = with_suffix(name, kind)
                inline = False
        self.found.append(Attachment(name, original, content_type, data, inline, forwarded))


def message_hash(raw: bytes) -> str:
    """The sha256 of a message's bytes with line ends made CRLF: the same message fetched over IMAP (CRLF)
    and saved to a file (often LF) is one message."""
    return hashlib.sha256(re.sub(rb"\r?\n", b"\r\n", raw)).hexdigest()


def parse_message(raw: bytes, *, headers_only: bool = False, size: int | None = None,
                  markers: MailMarkers | None = None) -> ParsedMessage:
    """Parse one RFC 5322 message. Never raises for a malformed message: what cannot be read is left empty."""
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    sender, sender_name = parse_sender(_header(msg, "From"))
    walker = Walker(markers)
    body = ""
    if not headers_only:
        with contextlib.suppress(RecursionError):  # absurdly deep nesting: what was found so far
            walker.walk(msg, False, 0)
        body = body_text(msg)
    message_id = _header(msg, "Message-ID") or None
    subject = re.sub(r"\s+", " ", _header(msg, "Subject"))
    date_header = raw_header(msg, "Date")
    origins = list(walker.origins)
    if body and (found := inline_origin(body, markers)) is not None:
        origins.append(found)
    return ParsedMessage(
        message_id=re.sub(r"\s+", "", message_id) if message_id else None,
        sender=sender,
        sender_name=sender_name,
        subject=subject,
        date=parse_date(date_header),
        attachments=tuple(walker.found),
        raw_sha256=message_hash(raw),
        auto_submitted=is_automatic(msg),
        size=len(raw) if size is None else size,
        headers_only=headers_only,
        date_header=date_header,
        arrived=newest_hop(msg),
        kind=classify(msg, subject, sender, markers),
        is_reply=bool(_header(msg, "In-Reply-To") or _header(msg, "References")) or bool(patterns(markers).reply_subject.search(subject)),
        body=body,
        origins=tuple(origins),
    )
