"""Fetching reports from an IMAP mailbox (stdlib `imaplib` + `ssl`), safe to run again and again.

The store remembers each mailbox's UIDVALIDITY and the last UID processed: only messages with a higher
UID are read. When the server's UIDVALIDITY changed (the mailbox was rebuilt) or the store is new, the
processed flag (`$Negtgel` by default) and the Message-IDs already recorded decide instead, so nothing is
taken twice and nothing is skipped. Messages are read with BODY.PEEK (their \\Seen state is left alone)
and marked processed only after intake has recorded them: flagged, or moved to a folder.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import imaplib
import re
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.config import Config
from pipeline.mail import MailProcessor, MailSummary, MessageSource, state
from pipeline.mail.message import ParsedMessage, parse_message
from pipeline.mail.settings import ImapSettings, MailError, MailMarkers, MailSettings, check_security, network_error, tls_context
from pipeline.store import Store

Progress = Callable[[int, int], None]
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


# --- modified UTF-7 (RFC 3501 5.1.3) for folder names such as "Тайлан" -------------------------------------
def _b64_utf7(text: str) -> str:
    return base64.b64encode(text.encode("utf-16-be")).decode("ascii").rstrip("=").replace("/", ",")


def encode_folder(name: str) -> str:
    """A folder name in IMAP's modified UTF-7, quoted for the command line."""
    out: list[str] = []
    pending = ""
    for ch in name:
        if 0x20 <= ord(ch) <= 0x7E:
            if pending:
                out.append(f"&{_b64_utf7(pending)}-")
                pending = ""
            out.append("&-" if ch == "&" else ch)
        else:
            pending += ch
    if pending:
        out.append(f"&{_b64_utf7(pending)}-")
    encoded = "".join(out)
    return '"' + encoded.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass(frozen=True)
class Fetched:
    uid: int
    raw: bytes
    internal_date: dt.datetime | None
    size: int
    flags: tuple[str, ...]
    headers_only: bool = False


def _meta(response: list[object]) -> tuple[bytes, bytes | None]:
    """The FETCH response's metadata text and its literal (the message or its header), from imaplib's shapes."""
    text = b""
    literal: bytes | None = None
    for item in response:
        if isinstance(item, tuple):
            text += item[0]
            literal = item[1]
        elif isinstance(item, bytes):
            text += b" " + item
    return text, literal


def _uid_list(data: list[object]) -> list[int]:
    found: list[int] = []
    for item in data:
        if isinstance(item, bytes):
            found.extend(int(x) for x in item.split() if x.isdigit())
    return found


class ImapClient:
    """One authenticated connection with the folder selected; every failure becomes a MailError."""

    def __init__(self, settings: ImapSettings, password: str):
        self.settings = settings
        self.password = password
        self.conn: imaplib.IMAP4 | None = None
        self.uidvalidity = 0
        self.permanent_flags: list[str] | None = None
        self.capabilities: set[str] = set()

    @property
    def mailbox_key(self) -> str:
        s = self.settings
        return f"{s.user}@{s.host.lower()}:{s.port}/{s.folder}"

    def _where(self) -> str:
        return f"IMAP {self.settings.host}:{self.settings.port}"

    def connect(self) -> ImapClient:
        s = self.settings
        check_security("IMAP", s.host, s.security)
        try:
            if s.security == "tls":
                conn: imaplib.IMAP4 = imaplib.IMAP4_SSL(s.host, s.port, ssl_context=tls_context(s.ca_file), timeout=s.timeout)
            else:
                conn = imaplib.IMAP4(s.host, s.port, timeout=s.timeout)
                if s.security == "starttls":
                    if "STARTTLS" not in conn.capabilities:
                        conn.shutdown()
                        raise MailError(f"{self._where()}: сервер STARTTLS дэмждэггүй; security: tls (993) ашиглана уу / "
                                        f"the server does not offer STARTTLS; use security: tls (port 993)")
                    conn.starttls(ssl_context=tls_context(s.ca_file))
        except MailError:
            raise
        except (OSError, imaplib.IMAP4.error) as exc:
            raise network_error("IMAP", s.host, s.port, exc) from None
        self.conn = conn
        try:
            if self.password.isascii():
                conn.login(s.user, self.password)
            else:  # LOGIN is ASCII only: a Cyrillic password goes through AUTHENTICATE PLAIN in UTF-8
                conn.authenticate("PLAIN", lambda _: f"\0{s.user}\0{self.password}".encode())
        except imaplib.IMAP4.error:
            self.close()
            raise MailError(f"{self._where()}: {s.user} хэрэглэгчээр нэвтэрч чадсангүй; нэр, нууц үгийг (NEGTGEL_IMAP_PASSWORD) "
                            f"шалгана уу / login failed for {s.user}; check the user name and password") from None
        except (OSError, ssl.SSLError) as exc:
            self.close()
            raise network_error("IMAP", s.host, s.port, exc) from None
        self.capabilities = {c.upper() for c in conn.capabilities}
        try:  # after login the server may offer more (MOVE, UIDPLUS): ask again
            status, data = conn.capability()
            if status == "OK" and data and isinstance(data[0], bytes):
                self.capabilities |= {c.upper() for c in data[0].decode("ascii", "replace").split()}
        except (imaplib.IMAP4.error, OSError):
            pass
        return self

    def _ok(self, result: tuple[str, Any], what: str) -> list[object]:
        status, data = result
        if status != "OK":
            detail = b" ".join(d for d in data if isinstance(d, bytes)).decode("utf-8", "replace")
            raise MailError(f"{self._where()}: {what} амжилтгүй ({detail}) / {what} failed: {detail}")
        return data

    def _call(self, what: str, fn: Callable[[], tuple[str, Any]]) -> list[object]:
        try:
            return self._ok(fn(), what)
        except imaplib.IMAP4.abort as exc:
            raise MailError(f"{self._where()}: холболт тасарлаа ({exc}) / the connection was lost") from None
        except imaplib.IMAP4.error as exc:
            raise MailError(f"{self._where()}: {what} амжилтгүй ({exc}) / {what} failed: {exc}") from None
        except (OSError, ssl.SSLError) as exc:
            raise network_error("IMAP", self.settings.host, self.settings.port, exc) from None

    @property
    def _conn(self) -> imaplib.IMAP4:
        assert self.conn is not None
        return self.conn

    def select(self) -> int:
        folder = self.settings.folder
        try:
            status = self._conn.select(encode_folder(folder))[0]
        except imaplib.IMAP4.error:
            status = "NO"
        except (OSError, ssl.SSLError) as exc:
            raise network_error("IMAP", self.settings.host, self.settings.port, exc) from None
        if status != "OK":
            raise MailError(f"{self._where()}: \"{folder}\" хавтас олдсонгүй; imap.folder-ийг шалгана уу / "
                            f"folder \"{folder}\" not found; check imap.folder")
        uidvalidity = self._conn.response("UIDVALIDITY")[1]
        values = _uid_list(uidvalidity)
        if not values:
            raise MailError(f"{self._where()}: сервер UIDVALIDITY өгсөнгүй / the server sent no UIDVALIDITY")
        self.uidvalidity = values[0]
        flags = self._conn.response("PERMANENTFLAGS")[1]
        text = b" ".join(f for f in flags if isinstance(f, bytes)).decode("ascii", "replace")
        self.permanent_flags = re.findall(r"[^\s()]+", text) if text else None
        return self.uidvalidity

    def check_marking(self) -> None:
        """Stop before processing anything if the server would not keep the processed flag."""
        s = self.settings
        if s.move_to:
            names = self._call("LIST", lambda: self._conn.list('""', encode_folder(s.move_to)))
            if not any(isinstance(n, bytes) and n for n in names):
                try:
                    self._call(f"CREATE {s.move_to}", lambda: self._conn.create(encode_folder(s.move_to)))
                except MailError as exc:
                    if "exist" not in str(exc).lower():  # [ALREADYEXISTS] is fine: LIST just did not show it
                        raise
            return
        if self.permanent_flags is None:  # RFC 3501: no PERMANENTFLAGS means every flag is permanent
            return
        allowed = {f.casefold() for f in self.permanent_flags}
        if "\\*" not in allowed and s.flag.casefold() not in allowed:
            raise MailError(f"{self._where()}: сервер {s.flag} тугийг хадгалдаггүй; mail.yaml-д imap.processed.move_to "
                            f"хавтас заана уу / the server does not keep the {s.flag} flag; set imap.processed.move_to "
                            f"in mail.yaml to move processed messages to a folder instead")

    def search(self, *criteria: str) -> list[int]:
        since = self.settings.since
        terms = list(criteria)
        if since is not None:
            terms += ["SINCE", f"{since.day}-{_MONTHS[since.month - 1]}-{since.year}"]
        return sorted(set(_uid_list(self._call("SEARCH", lambda: self._conn.uid("SEARCH", *terms)))))

    def all_uids(self) -> list[int]:
        return sorted(set(_uid_list(self._call("SEARCH", lambda: self._conn.uid("SEARCH", "ALL")))))

    def new_since(self, last_uid: int) -> list[int]:
        # "n:*" also answers the highest UID when no message is above n: keep only the higher ones.
        return [u for u in self.search("UID", f"{last_uid + 1}:*") if u > last_uid]

    def unprocessed(self) -> list[int]:
        if self.settings.move_to:
            return self.search("UNDELETED")  # processed messages are no longer in the folder (or are deleted)
        return self.search("UNKEYWORD", self.settings.flag) if not self.settings.flag.startswith("\\") else \
            self.search("UN" + self.settings.flag[1:].upper())

    def fetch(self, uid: int, max_bytes: int) -> Fetched | None:
        """The message (or only its header when it is larger than max_bytes); None if it vanished."""
        data = self._call("FETCH", lambda: self._conn.uid("FETCH", str(uid), "(UID RFC822.SIZE INTERNALDATE FLAGS)"))
        text, _ = _meta(data)
        if not re.search(rb"UID %d\b" % uid, text):
            return None
        size_match = re.search(rb"RFC822\.SIZE (\d+)", text)
        size = int(size_match.group(1)) if size_match else 0
        internal = imaplib.Internaldate2tuple(text)  # local time, as imaplib gives it
        internal_date = dt.datetime.fromtimestamp(time.mktime(internal), dt.UTC) if internal else None
        flags = tuple(f.decode() for f in imaplib.ParseFlags(text))
        headers_only = size > max_bytes
        part = "BODY.PEEK[HEADER]" if headers_only else "BODY.PEEK[]"
        body = self._call("FETCH", lambda: self._conn.uid("FETCH", str(uid), f"({part})"))
        _, literal = _meta(body)
        if literal is None:
            return None
        return Fetched(uid, literal, internal_date, size or len(literal), flags, headers_only)

    def mark(self, uid: int) -> None:
        s = self.settings
        if not s.move_to:
            self._call("STORE", lambda: self._conn.uid("STORE", str(uid), "+FLAGS.SILENT", f"({s.flag})"))
            return
        target = encode_folder(s.move_to)
        if "MOVE" in self.capabilities:
            self._call("MOVE", lambda: self._conn.uid("MOVE", str(uid), target))
            return
        self._call("COPY", lambda: self._conn.uid("COPY", str(uid), target))
        self._call("STORE", lambda: self._conn.uid("STORE", str(uid), "+FLAGS.SILENT", "(\\Deleted)"))
        if "UIDPLUS" in self.capabilities:  # expunge only this message, never others marked deleted
            self._call("EXPUNGE", lambda: self._conn.uid("EXPUNGE", str(uid)))

    def close(self) -> None:
        if self.conn is None:
            return
        with contextlib.suppress(imaplib.IMAP4.error, OSError, ssl.SSLError):
            self.conn.logout()
        self.conn = None

    def __enter__(self) -> ImapClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _parsed(fetched: Fetched, markers: MailMarkers | None = None) -> ParsedMessage:
    return parse_message(fetched.raw, headers_only=fetched.headers_only, size=fetched.size, markers=markers)


def fetch_mail(
    settings: MailSettings,
    password: str,
    store: Store,
    config: Config,
    input_root: Path,
    *,
    reply: bool = False,
    smtp_password: str | None = None,
    progress: Progress | None = None,
) -> MailSummary:
    """Read the new messages of the configured folder, take their reports in, mark them processed."""
    state.ensure_schema(store)
    with ImapClient(settings.imap, password).connect() as client:
        uidvalidity = client.select()
        client.check_marking()
        key = client.mailbox_key
        remembered = state.mailbox_state(store, key)
        with MailProcessor(store, config, settings, input_root, reply=reply, smtp_password=smtp_password) as processor:
            processor.send_queued()
            if remembered is not None and remembered[0] == uidvalidity:
                last = remembered[1]
                uids = client.new_since(last)
                fallback = False
            else:  # new store or a rebuilt mailbox: the flag and the bytes of the messages recorded decide
                ceiling = max(client.all_uids(), default=0)
                uids = client.unprocessed()
                last = 0
                fallback = True
            for index, uid in enumerate(uids):
                fetched = client.fetch(uid, settings.max_message_bytes)
                if fetched is not None:
                    source = MessageSource("mail", mailbox=key, uidvalidity=uidvalidity, uid=uid,
                                           internal_date=fetched.internal_date)
                    processor.process(_parsed(fetched, settings.markers), source)
                    client.mark(uid)
                if not fallback:
                    last = max(last, uid)
                    state.save_mailbox_state(store, key, uidvalidity, last)
                if progress:
                    progress(index + 1, len(uids))
            if fallback:
                state.save_mailbox_state(store, key, uidvalidity, max([ceiling, *uids], default=0))
            return processor.summary
