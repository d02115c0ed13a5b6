"""Mail intake: reports that arrive by email (IMAP, or saved .eml / Outlook .msg files).

For each message: record who sent it, when and about what; match the sender to a department by the
addresses in `departments.yaml`; hand the spreadsheet attachments to `intake.take_in` (which archives
and records them) after writing them to a private temporary folder; note every other attachment; put
the spreadsheets of unknown senders in `input/quarantine/YYYY-MM-DD/` instead; validate what was taken
and, when asked, answer the sender with a receipt. `fetch_mail` (in `imap.py`) and `ingest_paths`
(below) feed messages to one `MailProcessor`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import mailbox
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email import policy
from pathlib import Path
from typing import Any

from pipeline.config import Config
from pipeline.errors import NegtgelError
from pipeline.intake import QUARANTINE_DIR, Arrival, DepartmentMatcher, reader_key, sha256_of, take_in, tz_of
from pipeline.mail import state
from pipeline.mail.message import ROBOT_LOCAL_PARTS, Attachment, ParsedMessage, parse_message, patterns
from pipeline.mail.msg import MsgError, parse_msg
from pipeline.mail.receipts import ReceiptFile, ReceiptRequest, SmtpOutbox, compose_receipt, receipt_subject
from pipeline.mail.settings import MailError, MailMarkers, MailSettings
from pipeline.problems import Problem
from pipeline.read.workbook import FileRead
from pipeline.store import Store, Submission
from pipeline.validate import validate_paths
from pipeline.words import both
from pipeline.workspace import Workspace

__all__ = [
    "MailError", "MailProcessor", "MailSummary", "MessageSource", "ingest_paths", "parse_message", "parse_msg",
]

MAIL_SUFFIXES = (".eml", ".msg")
Progress = Callable[[int, int], None]  # (done, total)


@dataclass
class MailSummary:
    """What one fetch or ingest did."""

    messages: int = 0  # messages read (new ones)
    already: int = 0  # messages skipped because they were taken before
    files_taken: int = 0  # new submissions
    duplicates: int = 0  # spreadsheets identical to one received before
    quarantined: int = 0  # spreadsheets from unknown senders, saved in quarantine
    not_reports: int = 0  # auto-replies, read receipts, delivery reports, "thank you" replies: recorded only
    receipts_sent: int = 0
    receipts_failed: int = 0
    problems: list[Problem] = field(default_factory=list)
    submissions: list[Submission] = field(default_factory=list)
    quarantine_paths: list[Path] = field(default_factory=list)
    receipt_errors: list[str] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(p.severity == "error" for p in self.problems)


@dataclass(frozen=True)
class MessageSource:
    """Where a message came from."""

    origin: str  # mail (IMAP) | ingest (a saved file)
    mailbox: str | None = None
    uidvalidity: int | None = None
    uid: int | None = None
    # The server's arrival time (IMAP INTERNALDATE; for a saved file its newest Received: hop): the received
    # time when the Date header is missing, unreadable or too far from it.
    internal_date: dt.datetime | None = None
    path: str | None = None
    fallback_date: dt.datetime | None = None  # a saved file's modification time: the last resort


# What a message that is not a report is recorded as, and listed with: no receipt, no quarantine.
NOT_REPORT_CODES = {"auto-reply": "mail-auto-reply", "read-receipt": "mail-read-receipt",
                    "delivery-report": "mail-delivery-report", "reply": "mail-reply-no-report"}
SHORT_REPLY = 300  # characters of the message's own text: longer is a letter that deserves an answer
# A test hook: the point at which to stop the process as a kill would (`os._exit`, no clean-up), so the
# tests can prove that a run stopped anywhere loses no receipt. Unset in normal use.
FAULT_ENV = "NEGTGEL_MAIL_FAULT_AT"


def _fault(point: str) -> None:
    if os.environ.get(FAULT_ENV) == point:
        os._exit(86)


def own_text(body: str, markers: MailMarkers | None = None) -> str:
    """The text the sender wrote: without the quoted message below it (mail.yaml `markers`: where it begins)."""
    match = patterns(markers).quote_start.search(body)
    text = body[: match.start()] if match else body
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith(">")).strip()


def _label(parsed: ParsedMessage) -> str:
    """How a message is named in the problem list: its subject (or sender)."""
    subject = parsed.subject or f"({both('messages.mail.no_subject', sep=' / ')})"
    return f"✉ {subject}"[:150]


def unique_path(folder: Path, name: str, data: bytes) -> Path:
    """Write data under folder/name, or 'name (2)', 'name (3)'... never over an existing file."""
    folder.mkdir(parents=True, exist_ok=True)
    base = Path(name)
    for n in range(1, 10_000):
        candidate = folder / (base.name if n == 1 else f"{base.stem} ({n}){base.suffix}")
        try:
            with candidate.open("xb") as handle:
                handle.write(data)
            return candidate
        except FileExistsError:
            continue
    raise OSError(f"no free name for {name} in {folder}")


class MailProcessor:
    """Takes in parsed messages one by one; owns the temporary folder and the SMTP connection of a run."""

    def __init__(
        self,
        store: Store,
        config: Config,
        settings: MailSettings,
        input_root: Path,
        *,
        reply: bool = False,
        smtp_password: str | None = None,
        outbox: SmtpOutbox | None = None,
    ):
        self.store = store
        self.config = config
        self.settings = settings
        self.input_root = input_root
        self.reply = reply
        self.matcher = DepartmentMatcher(config.departments)
        self.tz = tz_of(config)
        self.summary = MailSummary()
        self.outbox = outbox or (SmtpOutbox(settings.smtp, smtp_password) if reply else None)
        self._tmp: Path | None = None
        self._counter = 0
        state.ensure_schema(store)

    # --- the run ---------------------------------------------------------------------------------------
    def __enter__(self) -> MailProcessor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.outbox is not None:
            self.outbox.close()
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    def _private_copy(self, attachment: Attachment) -> Path:
        """The attachment in a private (0700) temporary folder of its own: intake copies it into the archive."""
        if self._tmp is None:
            self._tmp = Path(tempfile.mkdtemp(prefix="negtgel-mail-"))
        self._counter += 1
        return unique_path(self._tmp / str(self._counter), attachment.name, attachment.data)

    def known(self, parsed: ParsedMessage, source: MessageSource) -> bool:
        return state.message_known(self.store, parsed.raw_sha256, source.mailbox, source.uidvalidity, source.uid)

    # --- one message -----------------------------------------------------------------------------------
    def process(self, parsed: ParsedMessage, source: MessageSource) -> str:
        """Take in one message; returns its outcome. A message taken before is skipped ('already')."""
        if self.known(parsed, source):
            self.summary.already += 1
            return "already"
        self.summary.messages += 1
        label = _label(parsed)
        notes: list[Problem] = []
        if state.message_id_used(self.store, parsed.message_id):
            notes.append(Problem("message-id-reused", file=label, value=parsed.message_id or ""))
        spreadsheets, too_large = self._sort(parsed, label, notes)
        sender, forwarded_by, claimed = self._author(parsed)
        received, received_from = self._received(parsed, source, claimed, forwarded_by is not None, label, notes)
        record = {"mailbox": source.mailbox, "uidvalidity": source.uidvalidity, "uid": source.uid,
                  "message_id": parsed.message_id, "sender": sender, "subject": parsed.subject,
                  "date": received.isoformat() if received else None, "date_header": parsed.date_header or None,
                  "received_from": received_from, "raw_sha256": parsed.raw_sha256, "origin": source.origin,
                  "source": source.path, "kind": parsed.kind, "forwarded_by": forwarded_by}

        kind = None if spreadsheets or too_large else self._not_a_report(parsed)
        if kind is not None:  # an auto-reply, a read receipt, a bounce, a "thank you": recorded, never answered
            notes = [n for n in notes if n.code == "message-id-reused"]
            notes.append(Problem(NOT_REPORT_CODES[kind], file=label, value=sender or parsed.sender_name))
            state.record_with_receipt(self.store, {**record, "kind": kind, "outcome": kind, "files": 0, "problems": notes}, [], None)
            self.summary.not_reports += 1
            self.summary.problems.extend(notes)
            return kind
        if not spreadsheets and not too_large:
            notes.append(Problem("mail-no-attachment", file=label, value=parsed.subject))
        departments = self.matcher.by_sender(sender)

        if not departments:
            outcome = self._quarantine(parsed, sender, spreadsheets, received, notes)
            state.record_with_receipt(self.store, {**record, "outcome": outcome, "files": 0, "problems": notes}, [], None)
            self.summary.problems.extend(notes)
            return outcome

        department = departments[0].name
        new, known, file_problems = self._take_in(parsed, sender, spreadsheets, received, source)
        _fault("after-intake")
        if new:
            outcome = "taken"
        elif known:
            outcome = "duplicate"
        elif too_large:
            outcome = "too-large"
        else:
            outcome = "no-attachment"
        notes.extend(file_problems)
        checked = [self._validate(sub, read_measures) for sub, read_measures in new]
        receipt = None
        if self.reply and outcome != "duplicate":
            receipt = self._compose(parsed, sender, received, checked, notes)
        mail_id, queued = state.record_with_receipt(
            self.store, {**record, "outcome": outcome, "department": department, "files": len(new), "problems": notes},
            [sub.id for sub, _ in new], receipt)
        _fault("after-record")
        self.summary.problems.extend(notes)
        for item in checked:
            self.summary.problems.extend(item.problems)
        if queued:
            self.send_queued(mail_id)
        return outcome

    def _sort(self, parsed: ParsedMessage, label: str, notes: list[Problem]) -> tuple[list[Attachment], bool]:
        """The spreadsheets to take; every other attachment noted. True when something was too large."""
        spreadsheets: list[Attachment] = []
        too_large = False
        limit = self.settings.max_attachment_bytes
        if parsed.headers_only:
            too_large = True
            notes.append(Problem("mail-too-large", file=label, value=parsed.subject, detail=_mb(parsed.size, self.settings.max_message_bytes)))
        for attachment in parsed.attachments:
            if not attachment.is_spreadsheet:
                code = "attachment-winmail-unreadable" if attachment.is_winmail else "attachment-not-spreadsheet"
                notes.append(Problem(code, file=attachment.name, value=attachment.original))
            elif attachment.size > limit:
                too_large = True
                notes.append(Problem("attachment-too-large", file=attachment.name, value=attachment.original,
                                     detail=_mb(attachment.size, limit)))
            else:
                spreadsheets.append(attachment)
        return spreadsheets, too_large

    def _author(self, parsed: ParsedMessage) -> tuple[str | None, str | None, dt.datetime | None]:
        """(the sender credited, the specialist who forwarded it or None, the time it claims to be sent).
        A specialist's forward is the department's report: its original sender and date count."""
        if parsed.sender and parsed.sender in self.settings.specialists:
            # An attached message is a forward; a quoted "From:" block only in a forward (not in a reply).
            marks = patterns(self.settings.markers)
            inline_ok = bool(marks.forward_subject.search(parsed.subject) or marks.forward_text.search(parsed.body))
            origin = next((o for o in parsed.origins if o.sender and o.sender not in self.settings.specialists
                           and (o.how == "attached" or inline_ok)), None)
            if origin is not None:
                date = origin.date
                if date is not None and date.tzinfo is None:  # Outlook's "Sent:" line is in local time
                    date = date.replace(tzinfo=self.tz)
                return origin.sender, parsed.sender, date
        return parsed.sender, None, parsed.date

    def _received(self, parsed: ParsedMessage, source: MessageSource, claimed: dt.datetime | None, forwarded: bool,
                  label: str, notes: list[Problem]) -> tuple[dt.datetime | None, str]:
        """(the received time, where it came from: date | server | file). The Date header (or a forward's
        original date) unless it is missing, unreadable, or further than max_clock_skew from the server's
        arrival time; a forward's original can only be earlier than the forward.

        The server's time is INTERNALDATE, or for a saved file its newest Received: hop. Over IMAP the newest
        hop counts as well, when it is not later than INTERNALDATE: a message copied or moved into the folder
        later gets a new INTERNALDATE, while the hop our server wrote on delivery keeps the real time."""
        skew = self.settings.max_clock_skew
        reference = source.internal_date
        hop = parsed.arrived if source.origin == "mail" else None
        if hop is not None and reference is not None and hop > reference + skew:
            hop = None  # later than the server's own arrival time: not a line our server wrote
        server = hop or reference
        if claimed is None and forwarded:
            claimed, forwarded = parsed.date, False
        if claimed is None:
            when, where = (server, "server") if server is not None else (source.fallback_date, "file")
            if parsed.date_header and not parsed.headers_only:
                notes.append(Problem("mail-date-unreadable", file=label, value=parsed.date_header,
                                     detail=self._show(when) if when else "—"))
            return when, where
        if reference is None:
            return claimed, "date"

        def near(moment: dt.datetime) -> bool:
            off = claimed - moment
            return off <= skew and (forwarded or -off <= skew)

        if near(reference) or (hop is not None and near(hop)):
            return claimed, "date"
        assert server is not None
        notes.append(Problem("mail-date-skewed", file=label, value=self._show(claimed), detail=self._show(server)))
        return server, "server"

    def _show(self, moment: dt.datetime) -> str:
        return moment.astimezone(self.tz).strftime("%Y-%m-%d %H:%M %z")

    def _not_a_report(self, parsed: ParsedMessage) -> str | None:
        if parsed.kind in NOT_REPORT_CODES:
            return parsed.kind
        if any(not a.inline for a in parsed.attachments):
            return None
        text = own_text(parsed.body, self.settings.markers)
        # A forgotten attachment must still get "no report taken": only a short reply that thanks is let go.
        if len(text) <= SHORT_REPLY and parsed.is_reply and patterns(self.settings.markers).thanks.search(text):
            return "reply"
        return None

    def _take_in(
        self, parsed: ParsedMessage, sender: str | None, spreadsheets: Sequence[Attachment], received: dt.datetime | None,
        source: MessageSource,
    ) -> tuple[list[tuple[Submission, int]], list[Submission], list[Problem]]:
        """(new submissions with their measure count, files known before, intake's file-duplicate notes)."""
        if not spreadsheets:
            return [], [], []
        arrivals = []
        hashes = []
        for attachment in spreadsheets:
            path = self._private_copy(attachment)
            hashes.append(hashlib.sha256(attachment.data).hexdigest())
            arrivals.append(Arrival(path, attachment.name, origin=source.origin, received_at=received, sender=sender,
                                    subject=parsed.subject, message_id=parsed.message_id))
        try:
            intake = take_in(arrivals, self.store, self.config, Workspace.at(self.input_root, self.config.root))
        finally:  # the archive holds the copy now; the temporary one goes at once
            for arrival in arrivals:
                shutil.rmtree(arrival.path.parent, ignore_errors=True)
        # A file this very message brought in a run stopped before the message was recorded: it is this
        # message's, not a duplicate, and still to be answered.
        resumed = [s for s in intake.known if self._interrupted(s, parsed, sender, source)]
        by_hash = {s.sha256: s for s in (*intake.new, *resumed)}
        key = reader_key(self.config)
        new: list[tuple[Submission, int]] = []
        seen: set[str] = set()
        for sha in hashes:
            if sha in by_hash and sha not in seen:
                seen.add(sha)
                read = intake.reads.get(sha)
                if read is None:
                    cached = self.store.parsed(sha, key)
                    read = cached if isinstance(cached, FileRead) else None
                measures = sum(t.rows for t in read.tables) if read is not None else 0
                new.append((by_hash[sha], measures))
        known = [s for s in intake.known if s not in resumed]
        again = {s.original_name for s in resumed}
        problems = [p for p in intake.problems if p.code == "file-duplicate" and p.detail not in again]
        self.summary.files_taken += len(new)
        self.summary.duplicates += len(known)
        self.summary.submissions.extend(s for s, _ in new)
        return new, known, problems

    def _interrupted(self, sub: Submission, parsed: ParsedMessage, sender: str | None, source: MessageSource) -> bool:
        return (sub.origin == source.origin and sub.sender == sender and sub.subject == parsed.subject
                and sub.message_id == parsed.message_id and not state.answered(self.store, sub.id)
                and not state.message_id_used(self.store, parsed.message_id))

    def _validate(self, sub: Submission, measures: int) -> ReceiptFile:
        """The archived file checked like `negtgel validate` does, plus intake's department/period findings."""
        path = self.input_root / sub.archive_path
        found = validate_paths([path], self.config).problems
        problems = [dataclasses.replace(p, file=sub.original_name) for p in (*sub.problems(), *found)]
        return ReceiptFile(
            name=sub.original_name,
            department=sub.department,
            period=sub.period,
            measures=measures,
            problems=tuple(problems),
            period_assumed=sub.period_source == "assumed",
        )

    def _quarantine(self, parsed: ParsedMessage, sender: str | None, spreadsheets: Sequence[Attachment],
                    received: dt.datetime | None, notes: list[Problem]) -> str:
        """An unknown sender's spreadsheets are kept aside, listed, never consolidated and never dropped."""
        day = (received.astimezone(self.tz) if received else dt.datetime.now(self.tz)).date().isoformat()
        folder = self.input_root / QUARANTINE_DIR / day
        who = sender or f"({both('messages.mail.no_address', sep=' / ')})"
        if not spreadsheets:
            notes.append(Problem("sender-unknown", file=_label(parsed), value=who))
            return "unknown-sender"
        for attachment in spreadsheets:
            path = unique_path(folder, attachment.name, attachment.data)
            self.summary.quarantine_paths.append(path)
            self.summary.quarantined += 1
            notes.append(Problem("sender-unknown", file=attachment.name, value=who,
                                 detail=str(path.relative_to(self.input_root))))
        return "quarantined"

    # --- receipts --------------------------------------------------------------------------------------
    def _compose(self, parsed: ParsedMessage, to: str | None, received: dt.datetime | None, files: Sequence[ReceiptFile],
                 notes: Sequence[Problem]) -> tuple[str, str, bytes] | None:
        """(recipient, subject, the receipt as sent), or None for a message that is never answered."""
        if not to or parsed.auto_submitted or to == self.settings.smtp.from_addr.lower() or self.outbox is None \
                or to.split("@", 1)[0] in ROBOT_LOCAL_PARTS:
            return None  # never answer a robot or ourselves
        request = ReceiptRequest(
            to=to, from_addr=self.settings.smtp.from_addr, subject_template=self.settings.smtp.subject,
            original_subject=parsed.subject, original_date=received, original_message_id=parsed.message_id,
            files=tuple(files), notes=tuple(notes), tz=self.tz,
        )
        body = compose_receipt(request).as_bytes(policy=policy.SMTP)  # CRLF line ends, as sent
        return to, receipt_subject(request), body

    def send_queued(self, mail_message_id: int | None = None) -> None:
        """Send the receipts waiting in the outbox (one message's, or all: those a stopped or failed run left);
        each is marked sent only once the SMTP server accepted it."""
        if not self.reply or self.outbox is None:
            return
        for item in state.queued(self.store, mail_message_id):
            try:
                self.outbox.send(item.body, item.to_addr)
            except MailError as exc:
                state.finish_receipt(self.store, item.mail_message_id, "failed", str(exc))
                self.summary.receipts_failed += 1
                self.summary.receipt_errors.append(str(exc))
                self.summary.problems.append(Problem("receipt-failed", file=item.to_addr, value=item.to_addr,
                                                     detail=str(exc)))
                continue
            state.finish_receipt(self.store, item.mail_message_id, "sent")
            self.summary.receipts_sent += 1


def _size(n: int) -> str:
    return f"{n / 1048576:.1f} MB" if n >= 1048576 else f"{max(1, round(n / 1024))} KB"


def _mb(size: int, limit: int) -> str:
    return f"{_size(size)} > {_size(limit)}"


# --- saved messages ------------------------------------------------------------------------------------
MBOX_SUFFIXES = (".mbox", ".mbx")


@dataclass(frozen=True)
class SavedMessage:
    """One saved message: a file (.eml, .msg), or one message of an mbox file or a Maildir folder."""

    path: Path  # the file, or the mbox file / Maildir folder it is in
    key: str | None = None  # its key in the mbox / Maildir
    box: str = ""  # "", mbox or maildir

    @property
    def label(self) -> str:
        return f"{self.path.name} #{self.key}" if self.box == "mbox" else \
            f"{self.path.name}/{self.key}" if self.box == "maildir" else self.path.name


def is_maildir(path: Path) -> bool:
    return path.is_dir() and (path / "cur").is_dir() and (path / "new").is_dir()


def is_mbox(path: Path) -> bool:
    """An mbox file by its name, or by its first line ("From " and the envelope sender, RFC 4155)."""
    if path.suffix.lower() in MBOX_SUFFIXES:
        return True
    try:
        with path.open("rb") as handle:
            return handle.read(5) == b"From "
    except OSError:
        return False


def _box_items(path: Path, box: str) -> list[SavedMessage]:
    opened: mailbox.Mailbox = mailbox.Maildir(str(path), factory=None, create=False) if box == "maildir" else \
        mailbox.mbox(str(path), create=False)
    try:
        return [SavedMessage(path, str(key), box) for key in sorted(opened.keys(), key=_natural)]
    finally:
        opened.close()


def _natural(key: object) -> tuple[int, str]:
    text = str(key)
    return (int(text), "") if text.isdigit() else (0, text)


def expand_mail_paths(paths: Sequence[Path]) -> list[SavedMessage]:
    """The messages in the files (.eml, .msg, mbox) and folders (any of those, and Maildirs) named;
    anything else is refused up front."""
    found: list[SavedMessage] = []
    for path in paths:
        if is_maildir(path):
            found.extend(_box_items(path, "maildir"))
        elif path.is_dir():
            for root, dirs, files in os.walk(path):
                here = Path(root)
                boxes = sorted(d for d in dirs if is_maildir(here / d))
                dirs[:] = sorted(d for d in dirs if d not in boxes and d not in ("cur", "new", "tmp"))
                for name in sorted(files):
                    item = here / name
                    if item.suffix.lower() in MAIL_SUFFIXES:
                        found.append(SavedMessage(item))
                    elif item.suffix.lower() in MBOX_SUFFIXES:
                        found.extend(_box_items(item, "mbox"))
                for name in boxes:
                    found.extend(_box_items(here / name, "maildir"))
        elif path.suffix.lower() in MAIL_SUFFIXES:
            found.append(SavedMessage(path))
        elif not path.exists():
            raise NegtgelError(f"{path} олдсонгүй / not found")
        elif path.is_file() and is_mbox(path):
            found.extend(_box_items(path, "mbox"))
        else:
            raise NegtgelError(f"{path}: зөвхөн .eml, .msg, mbox файл, Maildir хавтас авна; Excel файлыг input хавтаст хийж "
                               f"`negtgel run` ажиллуулна уу / only .eml, .msg and mbox files and Maildir folders; put Excel "
                               f"files in the input folder and use `negtgel run`")
    return found


def read_saved_message(path: Path, max_bytes: int, markers: MailMarkers | None = None) -> ParsedMessage:
    size = path.stat().st_size
    if path.suffix.lower() == ".msg":
        if size > max_bytes:  # only the size is known: listed as a message too large to take
            return ParsedMessage(None, None, "", path.stem, None, (), sha256_of(path), size=size, headers_only=True)
        return parse_msg(path.read_bytes(), markers=markers)
    if size > max_bytes:
        with path.open("rb") as handle:
            head = handle.read(256 * 1024)
        header = head.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
        return dataclasses.replace(parse_message(header + b"\r\n\r\n", headers_only=True, size=size, markers=markers),
                                   raw_sha256=sha256_of(path))
    return parse_message(path.read_bytes(), markers=markers)


def _read_boxed(item: SavedMessage, max_bytes: int, markers: MailMarkers | None = None) -> tuple[ParsedMessage, dt.datetime | None]:
    """A message of an mbox / Maildir, and the time the mailbox says it arrived (Maildir's delivery time,
    mbox's "From " line)."""
    assert item.key is not None
    if item.box == "maildir":
        maildir = mailbox.Maildir(str(item.path), factory=None, create=False)
        raw = maildir.get_bytes(item.key)
        arrived: dt.datetime | None = dt.datetime.fromtimestamp(maildir.get_message(item.key).get_date(), dt.UTC)
    else:
        mbox = mailbox.mbox(str(item.path), create=False)
        key: Any = int(item.key)  # an mbox's keys are numbers (typeshed says str)
        try:
            raw = mbox.get_bytes(key)
            envelope = mbox.get_message(key).get_from()
        finally:
            mbox.close()
        arrived = _envelope_time(envelope)
    if len(raw) > max_bytes:
        header = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
        return parse_message(header + b"\r\n\r\n", headers_only=True, size=len(raw), markers=markers), arrived
    return parse_message(raw, markers=markers), arrived


def _envelope_time(envelope: str) -> dt.datetime | None:
    """The asctime at the end of an mbox "From sender Tue Nov  5 22:00:00 2026" line (UTC by custom)."""
    match = re.search(r"(\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4})\s*$", envelope)
    if not match:
        return None
    try:
        return dt.datetime.strptime(re.sub(r"\s+", " ", match.group(1)), "%a %b %d %H:%M:%S %Y").replace(tzinfo=dt.UTC)
    except ValueError:
        return None


def ingest_paths(
    paths: Sequence[Path],
    store: Store,
    config: Config,
    settings: MailSettings,
    input_root: Path,
    *,
    reply: bool = False,
    smtp_password: str | None = None,
    progress: Progress | None = None,
) -> MailSummary:
    """Take in saved messages (.eml, .msg, mbox, Maildir) exactly as if they had been fetched."""
    items = expand_mail_paths(paths)
    with MailProcessor(store, config, settings, input_root, reply=reply, smtp_password=smtp_password) as processor:
        processor.send_queued()
        for index, item in enumerate(items):
            fallback: dt.datetime | None = None
            try:
                if item.box:
                    parsed, fallback = _read_boxed(item, settings.max_message_bytes, settings.markers)
                else:
                    parsed = read_saved_message(item.path, settings.max_message_bytes, settings.markers)
                    fallback = dt.datetime.fromtimestamp(item.path.stat().st_mtime, dt.UTC)
            except MsgError as exc:
                processor.summary.problems.append(Problem("mail-unreadable", file=item.label, detail=str(exc)))
            except (OSError, KeyError, mailbox.Error) as exc:
                detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
                processor.summary.problems.append(Problem("mail-unreadable", file=item.label, detail=detail))
            else:
                # The newest Received: hop is the server's time; without one, the mailbox's or the file's.
                processor.process(parsed, MessageSource("ingest", internal_date=parsed.arrived, fallback_date=fallback,
                                                        path=str(item.path) if not item.box else f"{item.path}:{item.key}"))
            if progress:
                progress(index + 1, len(items))
        return processor.summary
