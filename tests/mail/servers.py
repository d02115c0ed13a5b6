"""Real servers for the mail tests, on 127.0.0.1 and free ports, each in a thread of its own.

- IMAP: pymap with its maildir backend (users in `pymap-etc-passwd`/`pymap-etc-shadow`; the keyword
  `$Negtgel` declared in `dovecot-keywords`, as Dovecot does), served by pymap's `IMAPServer` on an
  asyncio server: plain, STARTTLS (pymap's own) or implicit TLS (the asyncio server's `ssl=`).
- SMTP: aiosmtpd's `Controller` with a handler that keeps every message, optionally over implicit TLS
  with a login.
- A self-signed certificate for 127.0.0.1/localhost, made with `cryptography` (or the `openssl` CLI).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import imaplib
import mailbox
import shutil
import ssl
import subprocess
import threading
from argparse import Namespace
from collections.abc import Iterable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from email import message_from_bytes
from email.message import Message
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from tests.ports import free_port as free_port  # for the mail tests: a range of ports per xdist worker

IMAP_USER = "mne"
IMAP_PASSWORD = "нууц-үг-2026"  # not ASCII: the client must log in with AUTHENTICATE PLAIN
SMTP_USER = "negtgel"
SMTP_PASSWORD = "smtp-secret"


# --- certificate -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Cert:
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(str(self.cert), str(self.key))
        return context

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert))


def make_cert(folder: Path) -> Cert | None:
    """A self-signed certificate for localhost and 127.0.0.1; None when neither tool is available."""
    folder.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = folder / "server.pem", folder / "server.key"
    try:
        import ipaddress

        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID
    except ImportError:
        openssl = shutil.which("openssl")
        if openssl is None:
            return None
        subprocess.run([openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                        "-keyout", str(key_path), "-out", str(cert_path), "-days", "2", "-subj", "/CN=localhost",
                        "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"], check=True, capture_output=True)
        return Cert(cert_path, key_path)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                       critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=True, key_cert_sign=True, crl_sign=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return Cert(cert_path, key_path)


# --- IMAP --------------------------------------------------------------------------------------------------
class ImapServer:
    """pymap (maildir backend) on 127.0.0.1:<free port>.

    mode: "plain" (login allowed from localhost), "starttls" (pymap offers STARTTLS with cert), "tls"
    (the socket speaks TLS from the first byte). keywords: the keywords the mailbox keeps (none: the
    server drops $Negtgel like a server without keyword support).
    """

    def __init__(self, base: Path, *, mode: str = "plain", cert: Cert | None = None, keywords: Iterable[str] = ("$Negtgel",)):
        self.base = base
        self.mode = mode
        self.cert = cert
        self.keywords = tuple(keywords)
        self.port = 0
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread: threading.Thread | None = None

    @property
    def home(self) -> Path:
        return self.base / IMAP_USER

    def start(self) -> ImapServer:
        self._prepare()
        self._thread = threading.Thread(target=self._run, name="pymap", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("pymap did not start")
        if self._error is not None:
            raise self._error
        return self

    def _prepare(self) -> None:
        from pysasl.hashing import BuiltinHash
        from pysasl.prep import saslprep

        self.base.mkdir(parents=True, exist_ok=True)
        hashed = BuiltinHash(rounds=1000).hash(saslprep(IMAP_PASSWORD))  # few rounds: a fast test login
        (self.base / "pymap-etc-passwd").write_text(f"{IMAP_USER}::1000:1000::{IMAP_USER}:\n", encoding="utf-8")
        (self.base / "pymap-etc-shadow").write_text(f"{IMAP_USER}:{hashed}:::::::\n", encoding="utf-8")
        mailbox.Maildir(str(self.home), create=True)
        self.declare_keywords(self.home)

    def declare_keywords(self, folder: Path) -> None:
        if self.keywords:
            lines = "".join(f"{i} {kw}\n" for i, kw in enumerate(self.keywords))
            (folder / "dovecot-keywords").write_text(lines, encoding="ascii")

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        try:
            loop.run_until_complete(self._serve())
        except BaseException as exc:  # reported to start()
            self._error = exc
            self._ready.set()
        finally:
            # Connections still being served are cancelled and awaited, so nothing is left pending.
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    async def _serve(self) -> None:
        from proxyprotocol.reader import ProxyProtocolReader
        from pymap.backend.maildir import Config, Login, MaildirBackend
        from pymap.imap import IMAPServer
        from pysasl.hashing import BuiltinHash

        cert = self.cert
        args = Namespace(host="127.0.0.1", port=0, debug=False, tls=self.mode == "starttls",
                         cert=str(cert.cert) if cert and self.mode == "starttls" else None,
                         key=str(cert.key) if cert and self.mode == "starttls" else None,
                         passlib_cfg=None, proxy_protocol=None, base_dir=str(self.base), layout="++", colon=None,
                         concurrency=None, inherited_sockets=None)
        config = Config.from_args(args, hash_context=BuiltinHash(rounds=1000), invalid_user_sleep=0.0, reject_dnsbl=False)
        config.apply_context()
        backend = MaildirBackend(Login(config), config)
        self._stop = asyncio.Event()
        async with AsyncExitStack() as stack:
            await backend.start(stack)
            callback = ProxyProtocolReader(config.proxy_protocol).get_callback(IMAPServer(backend.login, config))
            ssl_context = cert.server_context() if cert and self.mode == "tls" else None
            server = await asyncio.start_server(callback, host="127.0.0.1", port=0, ssl=ssl_context)
            self.port = int(server.sockets[0].getsockname()[1])
            self._ready.set()
            async with server:
                await self._stop.wait()
                server.close()

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None and not self._loop.is_closed():
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(10)

    # --- what the tests do with it, over IMAP too ----------------------------------------------------
    def client(self) -> imaplib.IMAP4:
        if self.mode == "tls":
            assert self.cert is not None
            conn: imaplib.IMAP4 = imaplib.IMAP4_SSL("127.0.0.1", self.port, ssl_context=self.cert.client_context(), timeout=10)
        else:
            conn = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        conn.authenticate("PLAIN", lambda _: f"\0{IMAP_USER}\0{IMAP_PASSWORD}".encode())
        return conn

    def append(self, *messages: bytes, folder: str = '"INBOX"', internal_date: dt.datetime | None = None) -> None:
        """APPEND each message with the server's arrival time (INTERNALDATE) set as a server receiving it
        would: at its Date (or internal_date), so the received time is the one the test wrote."""
        append_all(self.client(), folder, messages, internal_date)

    def contents(self, folder: str = '"INBOX"') -> dict[int, tuple[set[str], Message]]:
        """UID -> (flags, message) of every message in the folder."""
        conn = self.client()
        try:
            status, _ = conn.select(folder)
            assert status == "OK"
            found: dict[int, tuple[set[str], Message]] = {}
            status, data = conn.uid("FETCH", "1:*", "(UID FLAGS BODY.PEEK[])")
            for item in data:
                if not isinstance(item, tuple):
                    continue
                head = item[0].decode()
                uid = int(head.split("UID ")[1].split()[0])
                flags = set(head.split("FLAGS (")[1].split(")")[0].split())
                found[uid] = (flags, message_from_bytes(item[1]))
            return found
        finally:
            conn.logout()

    def set_flag(self, uid: int, flag: str, on: bool, folder: str = '"INBOX"') -> None:
        conn = self.client()
        try:
            conn.select(folder)
            status, data = conn.uid("STORE", str(uid), "+FLAGS" if on else "-FLAGS", f"({flag})")
            assert status == "OK", data
        finally:
            conn.logout()


def arrival_of(raw: bytes, internal_date: dt.datetime | None = None) -> str | None:
    """The INTERNALDATE to APPEND with: the one given, else the message's Date header, else the server's now."""
    when = internal_date
    if when is None:
        header = message_from_bytes(raw)["Date"]
        with contextlib.suppress(TypeError, ValueError):
            when = parsedate_to_datetime(str(header)) if header else None
    return imaplib.Time2Internaldate(when) if when is not None and when.tzinfo else None


def append_all(conn: imaplib.IMAP4, folder: str, messages: Iterable[bytes], internal_date: dt.datetime | None) -> None:
    """APPEND each message over a logged-in connection, with its INTERNALDATE (`arrival_of`); then log out."""
    try:
        for raw in messages:
            status, data = conn.append(folder, None, arrival_of(raw, internal_date), raw)
            assert status == "OK", data
    finally:
        conn.logout()


# --- SMTP --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: list[str]
    # an email.message.Message; Any because typeshed types get_payload(decode=True) as Message | bytes
    message: Any
    authenticated: bool


class _Collector:
    def __init__(self) -> None:
        self.received: list[Received] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd's hook name
        content = envelope.original_content or envelope.content
        raw = content if isinstance(content, bytes) else content.encode()
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message_from_bytes(raw),
                                      bool(session.authenticated)))
        return "250 OK"


class SmtpServer:
    """aiosmtpd on 127.0.0.1:<free port>, keeping every message; implicit TLS and a login when cert is given."""

    def __init__(self, cert: Cert | None = None):
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult

        self.collector = _Collector()
        self.port = free_port()
        self.cert = cert

        def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
            ok = getattr(auth_data, "login", b"") == SMTP_USER.encode() and auth_data.password == SMTP_PASSWORD.encode()
            return AuthResult(success=ok)

        kwargs: dict[str, Any] = {}
        if cert is not None:
            # aiosmtpd does not count implicit TLS as TLS for AUTH; the login is checked per message instead.
            kwargs = {"ssl_context": cert.server_context(), "authenticator": authenticate, "auth_require_tls": False}
        self.controller = Controller(self.collector, hostname="127.0.0.1", port=self.port, **kwargs)

    @property
    def received(self) -> list[Received]:
        return self.collector.received

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()
