"""Receipts: one email back to each sender after intake and validation, Mongolian first, English below.

"Accepted" with the department, period and number of measures; or every problem with its sheet, cell and
message so the official can fix the file and send it again. Composing is a pure function; `SmtpOutbox`
sends over SMTP (implicit TLS by default, STARTTLS, or plain only to localhost).
"""

from __future__ import annotations

import datetime as dt
import smtplib
import ssl
from dataclasses import dataclass, field
from email import policy
from email.header import Header
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from pipeline import cycles
from pipeline.mail.settings import MailError, SmtpSettings, check_security, network_error, tls_context
from pipeline.problems import Problem
from pipeline.words import both, english_half, say

MAX_LINES_PER_FILE = 60


@dataclass(frozen=True)
class ReceiptFile:
    """One spreadsheet of the message and what was found in it."""

    name: str
    department: str | None
    period: str | None
    measures: int
    problems: tuple[Problem, ...] = ()
    period_assumed: bool = False

    @property
    def errors(self) -> int:
        return sum(p.severity == "error" for p in self.problems)

    @property
    def blank(self) -> bool:
        """A template without a single measure: recorded, but not a report (the run's rule too)."""
        return any(p.code == "template-empty" for p in self.problems)


@dataclass(frozen=True)
class ReceiptRequest:
    """Everything a receipt says, independent of how it is sent."""

    to: str
    from_addr: str
    subject_template: str
    original_subject: str
    original_date: dt.datetime | None
    original_message_id: str | None
    files: tuple[ReceiptFile, ...] = ()
    notes: tuple[Problem, ...] = field(default=())  # about the message itself: other attachments, none at all
    tz: dt.tzinfo = dt.UTC


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


def receipt_subject(request: ReceiptRequest) -> str:
    first = request.files[0] if request.files else None
    names = [f.name for f in request.files]
    label = names[0] + (f" +{len(names) - 1}" if len(names) > 1 else "") if names else (request.original_subject or "—")
    values = _Blank(file=label, department=(first.department or "") if first else "", period=(first.period or "") if first else "")
    subject = request.subject_template.format_map(values).strip()
    return " ".join(subject.split())[:200] or both("receipts.subject", sep=" / ")


class FoldedHeader(str):
    """A header value folded by the legacy `email.header.Header`, which keeps every space inside its
    encoded words. The `email.policy` folder (3.11) puts a space between two encoded words on the fold,
    where a reader drops it ("10 сарын" arrives as "10сарын"); the policy emits this object's own fold."""

    name: str
    folded: str

    def __new__(cls, name: str, value: str) -> FoldedHeader:
        self = super().__new__(cls, value)
        self.name = name
        self.folded = Header(value, "utf-8", header_name=name).encode(linesep="\r\n") if not value.isascii() else value
        return self

    def fold(self, *, policy: object) -> str:
        linesep = getattr(policy, "linesep", "\n")
        return f"{self.name}: {self.folded.replace(chr(13) + chr(10), linesep)}{linesep}"


english_part = english_half  # the name callers know


def _where(problem: Problem, lang: str) -> str:
    parts = []
    if problem.sheet:
        parts.append(say("receipts.sheet", lang, sheet=problem.sheet))
    if problem.cell:
        parts.append(say("receipts.cell", lang, cell=problem.cell))
    return ", ".join(parts)


def _problem_line(problem: Problem, lang: str) -> str:
    severity = say(f"cli.severity.{problem.severity}", lang)
    where = _where(problem, lang)
    text = problem.message("mn" if lang == "mn" else "en")
    return f"   - [{severity}] {where + ': ' if where else ''}{text}"


def _file_block(index: int, item: ReceiptFile, lang: str) -> list[str]:
    if item.blank:
        state = (say("receipts.not_counted_report_template", lang))
    elif item.errors:
        state = say("receipts.received_with_errors_please", lang)
    else:
        state = say("receipts.accepted", lang)
    unknown = say("receipts.not_identified", lang)
    period = cycles.label(item.period, lang) if item.period else unknown  # «2026 оны III улирал», not the name
    if item.period and item.period_assumed:
        period += say("receipts.assumed", lang)
    lines = [
        f"{index}. {item.name} — {state}",
        f"   {say('receipts.department', lang)}: {item.department or unknown}",
        f"   {say('receipts.period', lang)}: {period}",
        f"   {say('receipts.measures', lang)}: {item.measures}",
    ]
    if item.problems:
        errors, warnings = item.errors, len(item.problems) - item.errors
        lines.append(say("receipts.problems", lang, errors=errors, warnings=warnings))
        ordered = sorted(item.problems, key=lambda p: (p.severity != "error", p.sheet, p.row or 0, p.cell, p.code))
        lines.extend(_problem_line(p, lang) for p in ordered[:MAX_LINES_PER_FILE])
        if len(ordered) > MAX_LINES_PER_FILE:
            more = len(ordered) - MAX_LINES_PER_FILE
            lines.append(f"   ... {say('receipts.also', lang)} {more} {say('receipts.more', lang)}")
    return lines


def _section(request: ReceiptRequest, lang: str) -> list[str]:
    when = request.original_date.astimezone(request.tz).strftime("%Y-%m-%d %H:%M") if request.original_date else ""
    subject = f"«{request.original_subject}»" if request.original_subject else (say("receipts.no_subject", lang))
    lines = [say("receipts.hello", lang), ""]
    lines.append(say("receipts.received", lang, subject=subject,
                     when=say("receipts.received_when", lang, when=when) if when else ""))
    lines.append("")
    if request.files:
        lines.append(say("receipts.attached_reports", lang))
        for index, item in enumerate(request.files, start=1):
            lines.extend(_file_block(index, item, lang))
            lines.append("")
    if request.notes:
        lines.append(say("receipts.about_message", lang))
        lines.extend(_problem_line(p, lang) for p in request.notes)
        lines.append("")
    if not request.files:
        lines.append(say("receipts.no_report_was_taken", lang))
        lines.append("")
    elif any(f.errors for f in request.files):
        lines.append(say("receipts.please_correct_cells_listed", lang))
        lines.append("")
    lines.append(say("receipts.this_message_was_sent", lang))
    return lines


def receipt_text(request: ReceiptRequest) -> str:
    return "\n".join([*_section(request, "mn"), "", "-" * 60, "English", "", *_section(request, "en")]) + "\n"


def compose_receipt(request: ReceiptRequest, *, now: dt.datetime | None = None) -> EmailMessage:
    """The receipt as a complete message (threaded under the sender's message, marked automatic)."""
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = request.from_addr
    message["To"] = request.to
    message["Subject"] = FoldedHeader("Subject", receipt_subject(request))
    message["Date"] = format_datetime(now or dt.datetime.now(dt.UTC))
    domain = request.from_addr.rsplit("@", 1)[-1] if "@" in request.from_addr else None
    message["Message-ID"] = make_msgid("negtgel", domain=domain)
    if request.original_message_id:
        message["In-Reply-To"] = request.original_message_id
        message["References"] = request.original_message_id
    message["Auto-Submitted"] = "auto-replied"  # RFC 3834: other robots do not answer it
    message["X-Auto-Response-Suppress"] = "All"
    message.set_content(receipt_text(request), charset="utf-8", cte="base64")
    return message


def smtp_reason(exc: BaseException) -> str:
    """What the server said (code and text, whole), or the connection's failure; never a class name."""
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"{exc.smtp_code} {' '.join(text.split())}"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "the server closed the connection"
    return " ".join(str(exc).split()) or "connection failed"


class SmtpOutbox:
    """Sends receipts over one SMTP connection, opened on the first receipt."""

    def __init__(self, settings: SmtpSettings, password: str | None):
        self.settings = settings
        self.password = password
        self.client: smtplib.SMTP | None = None
        self.failure: MailError | None = None  # after a failed connection the rest are not attempted

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        check_security("SMTP", s.host, s.security)
        client: smtplib.SMTP
        try:
            if s.security == "tls":
                client = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=tls_context(s.ca_file))
            else:
                client = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
                if s.security == "starttls":
                    client.ehlo()
                    if not client.has_extn("starttls"):
                        client.close()
                        raise MailError(f"SMTP {s.host}:{s.port}: сервер STARTTLS дэмждэггүй / the server does not offer STARTTLS")
                    client.starttls(context=tls_context(s.ca_file))
                    client.ehlo()
        except MailError:
            raise
        except (OSError, smtplib.SMTPException) as exc:
            raise network_error("SMTP", s.host, s.port, exc) from None
        if s.user:
            try:
                client.login(s.user, self.password or "")
            except smtplib.SMTPAuthenticationError:
                client.close()
                raise MailError(f"SMTP {s.host}: {s.user} хэрэглэгчээр нэвтэрч чадсангүй; нууц үгийг (NEGTGEL_SMTP_PASSWORD) "
                                f"шалгана уу / login failed for {s.user}; check the password") from None
            except (smtplib.SMTPException, OSError) as exc:
                client.close()
                raise MailError(f"SMTP {s.host}: нэвтрэх боломжгүй ({exc}) / login not possible ({exc})") from None
        return client

    def send(self, message: EmailMessage | bytes, to_addr: str) -> None:
        if self.failure is not None:
            raise self.failure
        if self.client is None:
            try:
                self.client = self._connect()
            except MailError as exc:
                self.failure = exc
                raise
        try:
            if isinstance(message, bytes):
                refused = self.client.sendmail(self.settings.from_addr, [to_addr], message)
            else:
                refused = self.client.send_message(message, self.settings.from_addr, [to_addr])
        except smtplib.SMTPRecipientsRefused:
            raise MailError(both("messages.mail_receipts.server_refused_address_addr", sep=" / ", to_addr=to_addr)) from None
        except (smtplib.SMTPException, OSError, ssl.SSLError) as exc:
            self.close()
            reason = smtp_reason(exc)
            raise MailError(both("messages.mail_receipts.sending_failed_reason", sep=" / ", reason=reason)) from None
        if refused:
            raise MailError(both("messages.mail_receipts.server_refused_address_addr", sep=" / ", to_addr=to_addr))

    def close(self) -> None:
        if self.client is not None:
            try:
                self.client.quit()
            except (smtplib.SMTPException, OSError):
                self.client.close()
            self.client = None
