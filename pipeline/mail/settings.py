"""`mappings/mail.yaml`: the mailbox, the attachment limits and the receipts, loaded once and validated.

Passwords are never read from a file: only from `NEGTGEL_IMAP_PASSWORD` / `NEGTGEL_SMTP_PASSWORD` or an
interactive prompt (the CLI asks). Host, port and user may be overridden from the environment, so one
mappings folder serves a test mailbox and the real one. Every mistake is a `ConfigIssue(file, key, message)`,
all of them raised at once as a `ConfigError`.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import re
import socket
import ssl
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from pipeline.errors import ConfigError, ConfigIssue, NegtgelError

MAIL_FILE = "mail.yaml"
Security = Literal["tls", "starttls", "plain"]
SECURITIES: tuple[Security, ...] = ("tls", "starttls", "plain")
IMAP_PORTS = {"tls": 993, "starttls": 143, "plain": 143}
SMTP_PORTS = {"tls": 465, "starttls": 587, "plain": 25}
DEFAULT_FLAG = "$Negtgel"
DEFAULT_SUBJECT = "Тайлангийн хариу / Report receipt: {file}"
SUBJECT_FIELDS = ("file", "department", "period")
PASSWORD_KEYS = ("password", "pass", "passwd", "pwd", "нууц_үг")
TOP_KEYS = ("imap", "smtp", "attachments", "specialists", "max_clock_skew_hours")
DEFAULT_SKEW_HOURS = 12.0

# An IMAP flag: a system flag (\Flagged) or a keyword atom ($Negtgel). No spaces, brackets or quotes.
_FLAG = re.compile(r"\\?[A-Za-z0-9$_.\-+&']+")
_ADDRESS = re.compile(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+")

IMAP_KEYS = ("host", "port", "security", "user", "folder", "since", "processed", "ca_file", "timeout_seconds")
SMTP_KEYS = ("reply", "host", "port", "security", "user", "from", "subject", "ca_file", "timeout_seconds")
ATTACHMENT_KEYS = ("max_mb", "max_message_mb")


@dataclass(frozen=True)
class ImapSettings:
    host: str = ""
    port: int = 993
    security: Security = "tls"
    user: str = ""
    folder: str = "INBOX"
    since: dt.date | None = None  # on a first run (or a changed UIDVALIDITY) older messages are left alone
    flag: str = DEFAULT_FLAG  # the keyword set on processed messages
    move_to: str = ""  # when set, processed messages are moved to this folder instead of flagged
    ca_file: str = ""  # an extra certificate authority to trust (a server with its own certificate)
    timeout: float = 60.0


@dataclass(frozen=True)
class SmtpSettings:
    reply: bool = False
    host: str = ""
    port: int = 465
    security: Security = "tls"
    user: str = ""  # empty: send without logging in (a local relay)
    from_addr: str = ""
    subject: str = DEFAULT_SUBJECT
    ca_file: str = ""
    timeout: float = 60.0


@dataclass(frozen=True)
class MailSettings:
    path: Path
    imap: ImapSettings = field(default_factory=ImapSettings)
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    max_attachment_bytes: int = 20 * 1024 * 1024
    max_message_bytes: int = 60 * 1024 * 1024
    present: bool = False  # False when mail.yaml does not exist (defaults are used)
    # The Date header is the sent time unless it is this far from the server's arrival time (a wrong clock).
    max_clock_skew_hours: float = DEFAULT_SKEW_HOURS
    specialists: tuple[str, ...] = ()  # addresses whose forwards are credited to the original sender

    @property
    def max_clock_skew(self) -> dt.timedelta:
        return dt.timedelta(hours=self.max_clock_skew_hours)

    def imap_issues(self) -> list[ConfigIssue]:
        """What stops fetch-mail from connecting: an empty host or user."""
        issues = []
        if not self.imap.host:
            issues.append(ConfigIssue(str(self.path), "imap.host",
                                      "хоосон байна; mail.yaml-д эсвэл NEGTGEL_IMAP_HOST-д бичнэ үү / "
                                      "is empty; set it in mail.yaml or NEGTGEL_IMAP_HOST"))
        if not self.imap.user:
            issues.append(ConfigIssue(str(self.path), "imap.user",
                                      "хоосон байна; mail.yaml-д эсвэл NEGTGEL_IMAP_USER-д бичнэ үү / "
                                      "is empty; set it in mail.yaml or NEGTGEL_IMAP_USER"))
        return issues

    def smtp_issues(self) -> list[ConfigIssue]:
        """What stops receipts from being sent: an empty host or sender address."""
        issues = []
        if not self.smtp.host:
            issues.append(ConfigIssue(str(self.path), "smtp.host",
                                      "хариу илгээхэд SMTP сервер хэрэгтэй / receipts need an SMTP host "
                                      "(mail.yaml or NEGTGEL_SMTP_HOST)"))
        if not _ADDRESS.fullmatch(self.smtp.from_addr):
            issues.append(ConfigIssue(str(self.path), "smtp.from",
                                      "хариу илгээх хаяг (жишээ нь hshu@altantal.gov.mn) бичнэ үү / "
                                      "receipts need a sender address, e.g. hshu@altantal.gov.mn"))
        return issues


def is_local_host(host: str) -> bool:
    """localhost, 127.0.0.0/8 or ::1: the only hosts to which a plain (unencrypted) connection is allowed."""
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def plain_refusal(service: str, host: str) -> str:
    return (f"{service}: шифрлэлтгүй (security: plain) холболтыг зөвхөн localhost-д зөвшөөрнө; {host} хост руу "
            f"tls эсвэл starttls ашиглана уу / an unencrypted connection is allowed only to localhost; "
            f"use tls or starttls for {host}")


class _Reader:
    def __init__(self, path: Path, issues: list[ConfigIssue]):
        self.path = path
        self.issues = issues

    def fail(self, key: str, message: str) -> None:
        self.issues.append(ConfigIssue(str(self.path), key or "(файл)", message))

    def section(self, data: Mapping[str, Any], key: str, known: tuple[str, ...]) -> Mapping[str, Any]:
        node = data.get(key)
        if node is None:
            return {}
        if not isinstance(node, dict):
            self.fail(key, "түлхүүр: утга хэлбэртэй хэсэг байх ёстой / must be a mapping of keys")
            return {}
        for name in node:
            if str(name).casefold() in PASSWORD_KEYS:
                continue  # reported by the password scan
            if name not in known:
                self.fail(f"{key}.{name}", f"үл мэдэгдэх түлхүүр / unknown key; known: {', '.join(known)}")
        return node

    def text(self, node: Mapping[str, Any], key: str, where: str, default: str = "") -> str:
        value = node.get(key, default)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.fail(f"{where}.{key}", f"текст байх ёстой / must be text, got {value!r}")
            return default
        return str(value).strip()

    def number(self, node: Mapping[str, Any], key: str, where: str, default: float, *, integer: bool = False) -> float:
        value = node.get(key)
        if value is None or value == "":
            return default
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0 or (integer and not isinstance(value, int)):
            kind = ("эерэг бүхэл тоо", "a positive whole number") if integer else ("эерэг тоо", "a positive number")
            self.fail(f"{where}.{key}" if where else key, f"{kind[0]} байх ёстой / must be {kind[1]}, got {value!r}")
            return default
        return float(value)

    def flag(self, node: Mapping[str, Any], key: str, where: str, default: bool) -> bool:
        value = node.get(key, default)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.fail(f"{where}.{key}", f"true эсвэл false / must be true or false, got {value!r}")
            return default
        return value

    def security(self, node: Mapping[str, Any], where: str) -> Security:
        value = self.text(node, "security", where, "tls").lower()
        if value not in SECURITIES:
            self.fail(f"{where}.security", f"{value!r} биш: tls, starttls, plain-ийн аль нэг / must be tls, starttls or plain")
            return "tls"
        return value

    def port(self, node: Mapping[str, Any], where: str, env: Mapping[str, str], env_name: str, default: int) -> int:
        raw: Any = env.get(env_name) or node.get("port")
        source = env_name if env.get(env_name) else f"{where}.port"
        if raw is None or raw == "":
            return default
        try:
            value = int(str(raw).strip()) if not isinstance(raw, bool) else -1
        except ValueError:
            value = -1
        if not 1 <= value <= 65535:
            self.fail(source, f"1-65535 хоорондох порт байх ёстой / must be a port 1-65535, got {raw!r}")
            return default
        return value

    def addresses(self, node: Mapping[str, Any], key: str) -> tuple[str, ...]:
        value = node.get(key)
        if value in (None, ""):
            return ()
        if not isinstance(value, list):
            self.fail(key, "и-мэйл хаягийн жагсаалт байх ёстой (- hshu@altantal.gov.mn) / must be a list of email addresses")
            return ()
        found: list[str] = []
        wrong: list[str] = []
        for item in value:
            text = str(item).strip().lower() if isinstance(item, str) else ""
            (found if _ADDRESS.fullmatch(text) else wrong).append(text or repr(item))
        if wrong:
            listed = ", ".join(f"'{w}'" for w in wrong)
            self.fail(key, f"{listed} и-мэйл хаяг биш / {'is' if len(wrong) == 1 else 'are'} not an email address")
        return tuple(found)

    def ca_file(self, node: Mapping[str, Any], where: str) -> str:
        value = self.text(node, "ca_file", where)
        if not value:
            return ""
        path = Path(value)
        if not path.is_absolute():
            path = self.path.parent / path
        if not path.is_file():
            self.fail(f"{where}.ca_file", f"{path} файл олдсонгүй / file not found")
            return ""
        return str(path)


def _scan_passwords(node: Any, where: str, reader: _Reader) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            full = f"{where}.{key}" if where else str(key)
            if str(key).casefold() in PASSWORD_KEYS:
                service = "SMTP" if full.startswith("smtp") else "IMAP"
                reader.fail(full, f"нууц үгийг файлд бичихгүй; устгаад NEGTGEL_{service}_PASSWORD орчны хувьсагчид "
                                  f"тохируулна уу (эсвэл программ асуух болно) / passwords are never read from a file: "
                                  f"remove it and set NEGTGEL_{service}_PASSWORD (or type it when asked)")
            else:
                _scan_passwords(value, full, reader)


def load_mail_settings(mappings: str | os.PathLike[str], env: Mapping[str, str] | None = None) -> MailSettings:
    """Read `mail.yaml` from the mappings folder (defaults when it is absent); raise ConfigError on mistakes."""
    env = os.environ if env is None else env
    path = Path(mappings) / MAIL_FILE
    issues: list[ConfigIssue] = []
    r = _Reader(path, issues)
    data: Any = {}
    present = path.is_file()
    if present:
        try:
            with path.open(encoding="utf-8") as handle:
                data = yaml.safe_load(handle) or {}
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise ConfigError([ConfigIssue(str(path), "(файл)", f"YAML бичлэгийн алдаа / not valid YAML: {exc}")]) from None
        if not isinstance(data, dict):
            raise ConfigError([ConfigIssue(str(path), "(файл)", "түлхүүр: утга хэлбэртэй байх ёстой / must be a mapping of keys")])
    _scan_passwords(data, "", r)
    for key in data:
        if key not in TOP_KEYS and str(key).casefold() not in PASSWORD_KEYS:
            r.fail(str(key), f"үл мэдэгдэх түлхүүр / unknown key; known: {', '.join(TOP_KEYS)}")
    skew = r.number(data, "max_clock_skew_hours", "", DEFAULT_SKEW_HOURS)
    specialists = r.addresses(data, "specialists")

    imap_node = r.section(data, "imap", IMAP_KEYS)
    imap_security = r.security(imap_node, "imap")
    imap_host = (env.get("NEGTGEL_IMAP_HOST") or r.text(imap_node, "host", "imap")).strip()
    processed = imap_node.get("processed") or {}
    if not isinstance(processed, dict):
        r.fail("imap.processed", "flag эсвэл move_to түлхүүртэй байх ёстой / must have flag or move_to")
        processed = {}
    for name in processed:
        if name not in ("flag", "move_to") and str(name).casefold() not in PASSWORD_KEYS:
            r.fail(f"imap.processed.{name}", "үл мэдэгдэх түлхүүр / unknown key; known: flag, move_to")
    flag = r.text(processed, "flag", "imap.processed", DEFAULT_FLAG) or DEFAULT_FLAG
    if not _FLAG.fullmatch(flag):
        r.fail("imap.processed.flag", f"{flag!r}: IMAP туг нь зай, хаалтгүй латин үг байна (жишээ нь $Negtgel) / "
                                      "an IMAP flag is one Latin word without spaces or brackets, e.g. $Negtgel")
        flag = DEFAULT_FLAG
    elif flag.casefold() in ("\\seen", "\\deleted", "\\recent"):
        r.fail("imap.processed.flag", f"{flag} тугийг хэрэглэгч өөрөө өөрчилдөг тул болохгүй / {flag} is changed by "
                                      "people reading the mail; use a keyword such as $Negtgel")
        flag = DEFAULT_FLAG
    since_raw = imap_node.get("since")
    since: dt.date | None = None
    if isinstance(since_raw, dt.date):
        since = since_raw
    elif since_raw not in (None, ""):
        try:
            since = dt.date.fromisoformat(str(since_raw).strip())
        except ValueError:
            r.fail("imap.since", f"YYYY-MM-DD хэлбэрийн огноо байх ёстой / must be a date YYYY-MM-DD, got {since_raw!r}")
    folder = r.text(imap_node, "folder", "imap", "INBOX") or "INBOX"
    move_to = r.text(processed, "move_to", "imap.processed")
    if move_to and move_to == folder:
        r.fail("imap.processed.move_to", "уншиж буй хавтастай ижил байж болохгүй / must differ from imap.folder")
    imap = ImapSettings(
        host=imap_host,
        port=r.port(imap_node, "imap", env, "NEGTGEL_IMAP_PORT", IMAP_PORTS[imap_security]),
        security=imap_security,
        user=(env.get("NEGTGEL_IMAP_USER") or r.text(imap_node, "user", "imap")).strip(),
        folder=folder,
        since=since,
        flag=flag,
        move_to=move_to,
        ca_file=r.ca_file(imap_node, "imap"),
        timeout=r.number(imap_node, "timeout_seconds", "imap", 60.0),
    )
    if imap.security == "plain" and imap.host and not is_local_host(imap.host):
        r.fail("imap.security", plain_refusal("IMAP", imap.host))

    smtp_node = r.section(data, "smtp", SMTP_KEYS)
    smtp_security = r.security(smtp_node, "smtp")
    subject = r.text(smtp_node, "subject", "smtp", DEFAULT_SUBJECT) or DEFAULT_SUBJECT
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(subject) if name is not None}
    except ValueError:
        names = {"?"}
    if names - set(SUBJECT_FIELDS):
        r.fail("smtp.subject", "зөвхөн {file}, {department}, {period} орлуулга ашиглана / only the placeholders "
                               "{file}, {department}, {period} are known")
        subject = DEFAULT_SUBJECT
    from_addr = r.text(smtp_node, "from", "smtp")
    if from_addr and not _ADDRESS.fullmatch(from_addr):
        r.fail("smtp.from", f"{from_addr!r} и-мэйл хаяг биш / is not an email address")
    smtp = SmtpSettings(
        reply=r.flag(smtp_node, "reply", "smtp", False),
        host=(env.get("NEGTGEL_SMTP_HOST") or r.text(smtp_node, "host", "smtp")).strip(),
        port=r.port(smtp_node, "smtp", env, "NEGTGEL_SMTP_PORT", SMTP_PORTS[smtp_security]),
        security=smtp_security,
        user=(env.get("NEGTGEL_SMTP_USER") or r.text(smtp_node, "user", "smtp")).strip(),
        from_addr=from_addr,
        subject=subject,
        ca_file=r.ca_file(smtp_node, "smtp"),
        timeout=r.number(smtp_node, "timeout_seconds", "smtp", 60.0),
    )
    if smtp.security == "plain" and smtp.host and not is_local_host(smtp.host):
        r.fail("smtp.security", plain_refusal("SMTP", smtp.host))

    limits = r.section(data, "attachments", ATTACHMENT_KEYS)
    max_mb = r.number(limits, "max_mb", "attachments", 20.0)
    message_mb = r.number(limits, "max_message_mb", "attachments", max(60.0, max_mb * 3))
    if issues:
        raise ConfigError(issues)
    return MailSettings(
        path=path,
        imap=imap,
        smtp=smtp,
        max_attachment_bytes=int(max_mb * 1024 * 1024),
        max_message_bytes=int(message_mb * 1024 * 1024),
        present=present,
        max_clock_skew_hours=skew,
        specialists=specialists,
    )


# --- connection policy shared by IMAP and SMTP -----------------------------------------------------------
class MailError(NegtgelError):
    """A mail server could not be reached, refused the login, or failed TLS: the text says which."""


def check_security(service: str, host: str, security: Security) -> None:
    if security == "plain" and not is_local_host(host):
        raise MailError(plain_refusal(service, host))


def tls_context(ca_file: str = "") -> ssl.SSLContext:
    """Certificates verified against the system's authorities, plus `ca_file` when set."""
    context = ssl.create_default_context()
    if ca_file:
        try:
            context.load_verify_locations(cafile=ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise MailError(f"ca_file {ca_file} уншигдсангүй / could not be loaded: {exc}") from None
    return context


def network_error(service: str, host: str, port: int, exc: BaseException) -> MailError:
    """A connection failure as a message the specialist can act on (Mongolian, then English)."""
    where = f"{service} {host}:{port}"
    if isinstance(exc, ssl.SSLCertVerificationError):
        reason = exc.verify_message or str(exc)
        return MailError(f"{where}: серверийн гэрчилгээг баталгаажуулж чадсангүй ({reason}). Сервер өөрийн гэрчилгээтэй бол "
                         f"mail.yaml-д ca_file заана уу / the server's certificate could not be verified ({reason}); "
                         f"for a server with its own certificate set ca_file in mail.yaml")
    if isinstance(exc, ssl.SSLError):
        return MailError(f"{where}: TLS шифрлэлт тогтоож чадсангүй ({exc.reason or exc}). security болон port-ыг шалгана уу "
                         f"(tls: 993/465, starttls: 143/587) / the TLS handshake failed; check security and port")
    if isinstance(exc, ConnectionRefusedError):
        return MailError(f"{where}: сервер холболтыг татгалзлаа; хост, порт зөв эсэхийг шалгана уу / "
                         f"connection refused; check the host and port")
    if isinstance(exc, socket.gaierror):
        return MailError(f"{where}: хост олдсонгүй; нэрийг шалгана уу / host not found; check its name")
    if isinstance(exc, TimeoutError):
        return MailError(f"{where}: сервер хариу өгсөнгүй (хугацаа хэтэрсэн) / the server did not answer (timed out)")
    reason = " ".join(str(exc).split()) or exc.__class__.__doc__ or "?"
    return MailError(f"{where}: холбогдож чадсангүй ({reason}) / could not connect ({reason})")
