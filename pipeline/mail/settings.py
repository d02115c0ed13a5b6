"""`mappings/mail.yaml`: the mailbox, the attachment limits and the receipts, loaded once and validated.

Passwords are never read from a file: only from `NEGTGEL_IMAP_PASSWORD` / `NEGTGEL_SMTP_PASSWORD` or an
interactive prompt (the CLI asks). Host, port and user may be overridden from the environment, so one
mappings folder serves a test mailbox and the real one. The file is checked against the models below
(`pipeline/schema.py`: an unknown key is refused with the nearest valid one); every mistake is a
`ConfigIssue(file, dotted key, message)`, all of them raised at once as a `ConfigError`.
"""

from __future__ import annotations

import datetime as dt
import functools
import ipaddress
import os
import re
import socket
import ssl
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, PositiveFloat, ValidationInfo, field_validator, model_validator

from pipeline.errors import ConfigError, ConfigIssue, NegtgelError
from pipeline.schema import (
    MISSING,
    AnyText,
    Invalid,
    Items,
    Loc,
    Schema,
    Text,
    dotted,
    field_keys,
    found,
    read_yaml,
    validate_model,
)
from pipeline.words import both

MAIL_FILE = "mail.yaml"
Security = Literal["tls", "starttls", "plain"]
IMAP_PORTS = {"tls": 993, "starttls": 143, "plain": 143}
SMTP_PORTS = {"tls": 465, "starttls": 587, "plain": 25}
DEFAULT_FLAG = "$Negtgel"
DEFAULT_SUBJECT = both("messages.mail_settings.report_receipt_file", sep=" / ")
SUBJECT_FIELDS = ("file", "department", "period")
PASSWORD_KEYS = ("password", "pass", "passwd", "pwd", "нууц_үг")
DEFAULT_SKEW_HOURS = 12.0

# An IMAP flag: a system flag (\Flagged) or a keyword atom ($Negtgel). No spaces, brackets or quotes.
_FLAG = re.compile(r"\\?[A-Za-z0-9$_.\-+&']+")
_ADDRESS = re.compile(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+")
MB = 1024 * 1024


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
class MailMarkers:
    """mail.yaml `markers`: the words that tell a reply, a forward, a quoted message, thanks, an automatic reply,
    a read receipt and a bounce (`pipeline/mail/message.py` builds its patterns from them once)."""

    reply_subject: tuple[str, ...] = ()
    forward_subject: tuple[str, ...] = ()
    forward_text: tuple[str, ...] = ()
    quoted_separator: tuple[str, ...] = ()
    quoted_wrote_first: tuple[str, ...] = ()
    quoted_wrote_last: tuple[str, ...] = ()
    quoted_from: tuple[str, ...] = ()
    forwarded_from: tuple[str, ...] = ()
    forwarded_date: tuple[str, ...] = ()
    thanks: tuple[str, ...] = ()
    auto_reply_subject: tuple[str, ...] = ()
    read_receipt_subject: tuple[str, ...] = ()
    bounce_subject: tuple[str, ...] = ()


@functools.cache
def shipped_markers() -> MailMarkers:
    """The shipped mail.yaml's markers: for a workspace without mail.yaml, a key its file lacks, and a caller
    without settings."""
    from pipeline.workspace import default_mappings

    issues: list[ConfigIssue] = []
    path = default_mappings() / MAIL_FILE
    data = read_yaml(path, issues, missing_ok=True)
    spec = MarkersFile.model_validate(data.get("markers") or {}) if isinstance(data, dict) else MarkersFile()
    return MailMarkers(**{name: tuple(getattr(spec, name)) for name in MarkersFile.model_fields})


def _markers(spec: MarkersFile) -> MailMarkers:
    shipped = shipped_markers()
    return MailMarkers(**{name: tuple(getattr(spec, name)) if name in spec.model_fields_set else getattr(shipped, name)
                          for name in MarkersFile.model_fields})


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
    markers: MailMarkers = field(default_factory=shipped_markers)  # what tells a reply, a forward, a bounce

    @property
    def max_clock_skew(self) -> dt.timedelta:
        return dt.timedelta(hours=self.max_clock_skew_hours)

    def imap_issues(self) -> list[ConfigIssue]:
        """What stops fetch-mail from connecting: an empty host or user."""
        issues = []
        if not self.imap.host:
            issues.append(ConfigIssue(str(self.path), "imap.host",
                                      both("messages.mail_settings.empty_set_mail_yaml", sep=" / ")))
        if not self.imap.user:
            issues.append(ConfigIssue(str(self.path), "imap.user",
                                      both("messages.mail_settings.empty_set_mail_yaml_2", sep=" / ")))
        return issues

    def smtp_issues(self) -> list[ConfigIssue]:
        """What stops receipts from being sent: an empty host or sender address."""
        issues = []
        if not self.smtp.host:
            issues.append(ConfigIssue(str(self.path), "smtp.host",
                                      both("messages.mail_settings.receipts_need_smtp_host", sep=" / ")))
        if not _ADDRESS.fullmatch(self.smtp.from_addr):
            issues.append(ConfigIssue(str(self.path), "smtp.from",
                                      both("messages.mail_settings.receipts_need_sender_address", sep=" / ")))
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


# --- the file's shape (pydantic models; see pipeline/schema.py) ------------------------------------------
def _port_message(value: Any) -> str:
    mn, en = found(value)
    return f"1-65535 хоорондох порт байх ёстой, {mn} байна / must be a port 1-65535, got {en}"


def _port(value: int | None) -> int | None:
    if value is not None and not 1 <= value <= 65535:
        raise Invalid(_port_message(value))
    return value


def _blank_is_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def _date(value: Any) -> Any:
    """A date as YAML reads it (2026-10-01) or as text ("2026-10-01"); empty text is no date."""
    value = _blank_is_none(value)
    if not isinstance(value, str):
        return value
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        mn, en = found(value)
        raise Invalid(f"YYYY-MM-DD огноо байх ёстой, {mn} байна / must be a date YYYY-MM-DD, got {en}") from None


def _folded(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


def _address(value: str) -> str:
    if not _ADDRESS.fullmatch(value):
        raise Invalid(f'"{value}" и-мэйл хаяг биш / is not an email address')
    return value


# An address a sender is compared with: surrounding spaces dropped, kept in lower case.
Address = Annotated[str, AfterValidator(str.strip), AfterValidator(_address), AfterValidator(str.lower)]
# `port:` left empty: the port of the security (993/143, 465/587/25).
Port = Annotated[int | None, BeforeValidator(_blank_is_none), AfterValidator(_port)]
SecurityText = Annotated[Security, BeforeValidator(_folded)]  # TLS is tls


class _Section(Schema):
    """A part of mail.yaml. A key written with no value (`port:`) has its default, as the file's comments say."""

    @model_validator(mode="before")
    @classmethod
    def _empty_is_default(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        known = field_keys(cls)
        return {key: value for key, value in data.items() if value is not None or key not in known}


def _ca_file(value: str, info: ValidationInfo) -> str:
    """The certificate file, relative to the mappings folder; checked to exist."""
    if not value:
        return ""
    path = Path(value)
    if not path.is_absolute():
        path = (Path(info.context["file"]).parent if info.context else Path()) / path
    if not path.is_file():
        raise Invalid(f"{path} файл олдсонгүй / file not found")
    return str(path)


class ProcessedFile(_Section):
    flag: AnyText = DEFAULT_FLAG
    move_to: AnyText = ""

    @field_validator("flag")
    @classmethod
    def _keyword(cls, flag: str) -> str:
        if not flag:
            return DEFAULT_FLAG
        if not _FLAG.fullmatch(flag):
            raise Invalid(f'"{flag}": IMAP туг нь зай, хаалтгүй латин үг байна (жишээ нь $Negtgel) / '
                          "an IMAP flag is one Latin word without spaces or brackets, e.g. $Negtgel")
        if flag.casefold() in ("\\seen", "\\deleted", "\\recent"):
            raise Invalid(both("messages.mail_settings.flag_changed_people_reading", sep=" / ", flag=flag))
        return flag


class _Server(_Section):
    """What the IMAP and the SMTP sections have alike: the server, the login, the certificate to trust."""

    host: AnyText = ""
    port: Port = None
    security: SecurityText = "tls"
    user: AnyText = ""
    ca_file: AnyText = ""
    timeout_seconds: PositiveFloat = 60.0

    _ca_file_exists = field_validator("ca_file")(_ca_file)


class ImapFile(_Server):
    folder: AnyText = "INBOX"
    since: Annotated[dt.date | None, BeforeValidator(_date)] = None
    processed: ProcessedFile = ProcessedFile()

    @field_validator("folder")
    @classmethod
    def _inbox(cls, folder: str) -> str:
        return folder or "INBOX"

    @model_validator(mode="after")
    def _moved_elsewhere(self) -> ImapFile:
        if self.processed.move_to and self.processed.move_to == self.folder:
            raise Invalid(at=[(("processed", "move_to"), both("messages.mail_settings.must_differ_from_imap", sep=" / "))])
        return self


class SmtpFile(_Server):
    reply: bool = False
    sender: AnyText = Field("", alias="from")
    subject: AnyText = DEFAULT_SUBJECT

    @field_validator("sender")
    @classmethod
    def _sender_address(cls, sender: str) -> str:
        return _address(sender) if sender else ""

    @field_validator("subject")
    @classmethod
    def _placeholders(cls, subject: str) -> str:
        if not subject:
            return DEFAULT_SUBJECT
        try:
            names = {name for _, name, _, _ in string.Formatter().parse(subject) if name is not None}
        except ValueError:
            names = {"?"}
        if names - set(SUBJECT_FIELDS):
            raise Invalid(both("messages.mail_settings.only_placeholders_file_department", sep=" / "))
        return subject


class AttachmentsFile(_Section):
    max_mb: PositiveFloat = 20.0
    max_message_mb: PositiveFloat | None = None  # empty: three times max_mb, at least 60


class MarkersFile(_Section):
    reply_subject: Items[Text] = ()
    forward_subject: Items[Text] = ()
    forward_text: Items[Text] = ()
    quoted_separator: Items[Text] = ()
    quoted_wrote_first: Items[Text] = ()
    quoted_wrote_last: Items[Text] = ()
    quoted_from: Items[Text] = ()
    forwarded_from: Items[Text] = ()
    forwarded_date: Items[Text] = ()
    thanks: Items[Text] = ()
    auto_reply_subject: Items[Text] = ()
    read_receipt_subject: Items[Text] = ()
    bounce_subject: Items[Text] = ()


class MailFile(_Section):
    imap: ImapFile = ImapFile()
    smtp: SmtpFile = SmtpFile.model_validate({})  # (a call would have to name `from`)
    attachments: AttachmentsFile = AttachmentsFile()
    specialists: Items[Address] = ()
    max_clock_skew_hours: PositiveFloat = DEFAULT_SKEW_HOURS
    markers: MarkersFile = MarkersFile()


# --- reading -----------------------------------------------------------------------------------------------
def _is_password(key: Any) -> bool:
    return str(key).casefold() in PASSWORD_KEYS


def _passwords(node: Any, loc: Loc, path: Path, issues: list[ConfigIssue]) -> Any:
    """`node` without its password keys, each of them reported: a password is never read from a file."""
    if not isinstance(node, dict):
        return node
    kept = {}
    for key, value in node.items():
        if _is_password(key):
            service = "SMTP" if loc[:1] == ("smtp",) else "IMAP"
            issues.append(ConfigIssue(str(path), dotted((*loc, key)),
                                      both("messages.mail_settings.passwords_never_read_from", sep=" / ", service=service)))
        else:
            kept[key] = _passwords(value, (*loc, key), path, issues)
    return kept


def _env_port(env: Mapping[str, str], name: str, path: Path, issues: list[ConfigIssue]) -> int | None:
    raw = env.get(name)
    if not raw:
        return None
    try:
        value = int(raw.strip())
    except ValueError:
        value = 0
    if not 1 <= value <= 65535:
        issues.append(ConfigIssue(str(path), name, _port_message(raw)))
        return None
    return value


def _server(spec: _Server, service: str, env: Mapping[str, str], env_port: int | None, ports: Mapping[str, int]) -> dict[str, Any]:
    """The server settings as written in the file, with the environment's host, port and user where it sets them."""
    return {
        "host": (env.get(f"NEGTGEL_{service}_HOST") or spec.host).strip(),
        "port": env_port or spec.port or ports[spec.security],
        "security": spec.security,
        "user": (env.get(f"NEGTGEL_{service}_USER") or spec.user).strip(),
        "ca_file": spec.ca_file,
        "timeout": spec.timeout_seconds,
    }


def load_mail_settings(mappings: str | os.PathLike[str], env: Mapping[str, str] | None = None) -> MailSettings:
    """Read `mail.yaml` from the mappings folder (defaults when it is absent); raise ConfigError on mistakes.

    Host, port and user are then taken from the environment where it sets them (NEGTGEL_IMAP_HOST, ...), and
    the rule that an unencrypted connection goes only to localhost is checked on the host finally used.
    """
    env = os.environ if env is None else env
    path = Path(mappings) / MAIL_FILE
    issues: list[ConfigIssue] = []
    data = read_yaml(path, issues, missing_ok=True)
    present = data is not MISSING
    spec: MailFile | None = None
    if not present:
        spec = MailFile()
    elif data is not None or not issues:
        spec = validate_model(_passwords(data, (), path, issues), MailFile, path, issues)
    imap_port = _env_port(env, "NEGTGEL_IMAP_PORT", path, issues)
    smtp_port = _env_port(env, "NEGTGEL_SMTP_PORT", path, issues)
    if spec is None or issues:
        raise ConfigError(issues)
    i, s = spec.imap, spec.smtp
    imap = ImapSettings(folder=i.folder, since=i.since, flag=i.processed.flag, move_to=i.processed.move_to,
                        **_server(i, "IMAP", env, imap_port, IMAP_PORTS))
    smtp = SmtpSettings(reply=s.reply, from_addr=s.sender, subject=s.subject, **_server(s, "SMTP", env, smtp_port, SMTP_PORTS))
    for service, where in (("IMAP", imap), ("SMTP", smtp)):
        if where.security == "plain" and where.host and not is_local_host(where.host):
            issues.append(ConfigIssue(str(path), f"{service.lower()}.security", plain_refusal(service, where.host)))
    if issues:
        raise ConfigError(issues)
    max_mb = spec.attachments.max_mb
    message_mb = spec.attachments.max_message_mb or max(60.0, max_mb * 3)
    return MailSettings(
        path=path,
        imap=imap,
        smtp=smtp,
        max_attachment_bytes=int(max_mb * MB),
        max_message_bytes=int(message_mb * MB),
        present=present,
        max_clock_skew_hours=spec.max_clock_skew_hours,
        specialists=spec.specialists,
        markers=_markers(spec.markers),
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
