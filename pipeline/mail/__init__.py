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
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email import policy
from pathlib import Path

from pipeline.config import Config
from pipeline.errors import NegtgelError
from pipeline.intake import QUARANTINE_DIR, Arrival, DepartmentMatcher, sha256_of, take_in, tz_of
from pipeline.mail import state
from pipeline.mail.message import Attachment, ParsedMessage, parse_message
from pipeline.mail.msg import MsgError, parse_msg
from pipeline.mail.receipts import ReceiptFile, ReceiptRequest, SmtpOutbox, compose_receipt, receipt_subject
from pipeline.mail.settings import MailError, MailSettings
from pipeline.problems import Problem
from pipeline.store import Store, Submission
from pipeline.validate import validate_paths
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
    internal_date: dt.datetime | None = None  # the server's arrival time, used when the Date header is missing
    path: str | None = None


def _label(parsed: ParsedMessage) -> str:
    """How a message is named in the problem list: its subject (or sender)."""
    subject = parsed.subject or "(гарчиггүй / no subject)"
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

    def known(self, message_id: str | None, raw_sha256: str | None) -> bool:
        return state.message_known(self.store, message_id, raw_sha256)

    # --- one message -----------------------------------------------------------------------------------
    def process(self, parsed: ParsedMessage, source: MessageSource) -> str:
        """Take in one message; returns its outcome. A message taken before is skipped ('already')."""
        if self.known(parsed.message_id, parsed.raw_sha256):
            self.summary.already += 1
            return "already"
        self.summary.messages += 1
        label = _label(parsed)
        notes: list[Problem] = []
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
        if not spreadsheets and not too_large:
            notes.append(Problem("mail-no-attachment", file=label, value=parsed.subject))
        received = parsed.date or source.internal_date
        departments = self.matcher.by_sender(parsed.sender)

        if not departments:
            outcome = self._quarantine(parsed, spreadsheets, received, notes)
            self._record(parsed, source, outcome, None, 0, notes)
            self.summary.problems.extend(notes)
            return outcome

        department = departments[0].name
        new, known, file_problems = self._take_in(parsed, spreadsheets, received, source)
        if new:
            outcome = "taken"
        elif known:
            outcome = "duplicate"
        elif too_large:
            outcome = "too-large"
        else:
            outcome = "no-attachment"
        notes.extend(p for p in file_problems if p.code == "file-duplicate")
        mail_id = self._record(parsed, source, outcome, department, len(new), notes)
        self.summary.problems.extend(notes)
        checked = [self._validate(sub, read_measures) for sub, read_measures in new]
        for item in checked:
            self.summary.problems.extend(item.problems)
        if self.reply and outcome != "duplicate":
            self._answer(parsed, mail_id, [sub for sub, _ in new], checked, notes)
        return outcome

    def _take_in(
        self, parsed: ParsedMessage, spreadsheets: Sequence[Attachment], received: dt.datetime | None, source: MessageSource
    ) -> tuple[list[tuple[Submission, int]], list[Submission], list[Problem]]:
        if not spreadsheets:
            return [], [], []
        arrivals = []
        hashes = []
        for attachment in spreadsheets:
            path = self._private_copy(attachment)
            hashes.append(hashlib.sha256(attachment.data).hexdigest())
            arrivals.append(Arrival(path, attachment.name, origin=source.origin, received_at=received, sender=parsed.sender,
                                    subject=parsed.subject, message_id=parsed.message_id))
        try:
            intake = take_in(arrivals, self.store, self.config, Workspace.at(self.input_root, self.config.root))
        finally:  # the archive holds the copy now; the temporary one goes at once
            for arrival in arrivals:
                shutil.rmtree(arrival.path.parent, ignore_errors=True)
        by_hash = {s.sha256: s for s in intake.new}
        new: list[tuple[Submission, int]] = []
        seen: set[str] = set()
        for sha in hashes:
            if sha in by_hash and sha not in seen:
                seen.add(sha)
                read = intake.reads.get(sha)
                measures = sum(len(t.measures) for t in read.tables) if read is not None else 0
                new.append((by_hash[sha], measures))
        self.summary.files_taken += len(new)
        self.summary.duplicates += len(intake.known)
        self.summary.submissions.extend(s for s, _ in new)
        return new, intake.known, intake.problems

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

    def _quarantine(self, parsed: ParsedMessage, spreadsheets: Sequence[Attachment], received: dt.datetime | None,
                    notes: list[Problem]) -> str:
        """An unknown sender's spreadsheets are kept aside, listed, never consolidated and never dropped."""
        day = (received.astimezone(self.tz) if received else dt.datetime.now(self.tz)).date().isoformat()
        folder = self.input_root / QUARANTINE_DIR / day
        who = parsed.sender or "(хаяггүй / no address)"
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

    def _record(self, parsed: ParsedMessage, source: MessageSource, outcome: str, department: str | None, files: int,
                notes: list[Problem]) -> int:
        return state.record_message(
            self.store,
            mailbox=source.mailbox,
            uidvalidity=source.uidvalidity,
            uid=source.uid,
            message_id=parsed.message_id,
            sender=parsed.sender,
            subject=parsed.subject,
            date=when.isoformat() if (when := parsed.date or source.internal_date) else None,
            outcome=outcome,
            raw_sha256=parsed.raw_sha256,
            origin=source.origin,
            source=source.path,
            department=department,
            files=files,
            problems=notes,
        )

    # --- receipts --------------------------------------------------------------------------------------
    def _answer(self, parsed: ParsedMessage, mail_id: int, subs: Sequence[Submission], files: Sequence[ReceiptFile],
                notes: Sequence[Problem]) -> None:
        to = parsed.sender
        if not to or parsed.auto_submitted or to == self.settings.smtp.from_addr.lower() or self.outbox is None:
            return  # never answer a robot or ourselves
        request = ReceiptRequest(
            to=to, from_addr=self.settings.smtp.from_addr, subject_template=self.settings.smtp.subject,
            original_subject=parsed.subject, original_date=parsed.date, original_message_id=parsed.message_id,
            files=tuple(files), notes=tuple(notes), tz=self.tz,
        )
        subject = receipt_subject(request)
        if subs and not state.reserve_receipts(self.store, [s.id for s in subs], mail_id, to, subject):
            return  # answered before
        body = compose_receipt(request).as_bytes(policy=policy.SMTP)  # CRLF line ends, as sent
        state.save_receipt_body(self.store, mail_id, to, body)
        self._send(mail_id, to, body)

    def _send(self, mail_id: int, to: str, body: bytes) -> None:
        assert self.outbox is not None
        try:
            self.outbox.send(body, to)
        except MailError as exc:
            state.finish_receipt(self.store, mail_id, "failed", str(exc))
            self.summary.receipts_failed += 1
            self.summary.receipt_errors.append(str(exc))
            self.summary.problems.append(Problem("receipt-failed", file=to, value=to, detail=str(exc)[:200]))
            return
        state.finish_receipt(self.store, mail_id, "sent")
        self.summary.receipts_sent += 1

    def retry_failed_receipts(self) -> None:
        """Send again the receipts whose sending failed on an earlier run (never those already sent)."""
        if not self.reply or self.outbox is None:
            return
        for mail_id, to, body in state.failed_receipts(self.store):
            self._send(mail_id, to, body)


def _size(n: int) -> str:
    return f"{n / 1048576:.1f} MB" if n >= 1048576 else f"{max(1, round(n / 1024))} KB"


def _mb(size: int, limit: int) -> str:
    return f"{_size(size)} > {_size(limit)}"


# --- saved messages ------------------------------------------------------------------------------------
def expand_mail_paths(paths: Sequence[Path]) -> list[Path]:
    """The .eml and .msg files named, or inside the folders named; anything else is refused up front."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in MAIL_SUFFIXES))
        elif path.suffix.lower() in MAIL_SUFFIXES:
            found.append(path)
        elif not path.exists():
            raise NegtgelError(f"{path} олдсонгүй / not found")
        else:
            raise NegtgelError(f"{path}: зөвхөн .eml, .msg файл авна; Excel файлыг input хавтаст хийж `negtgel run` ажиллуулна уу "
                               f"/ only .eml and .msg files; put Excel files in the input folder and use `negtgel run`")
    return found


def read_saved_message(path: Path, max_bytes: int) -> ParsedMessage:
    size = path.stat().st_size
    if path.suffix.lower() == ".msg":
        if size > max_bytes:  # only the size is known: listed as a message too large to take
            return ParsedMessage(None, None, "", path.stem, None, (), sha256_of(path), size=size, headers_only=True)
        return parse_msg(path.read_bytes())
    if size > max_bytes:
        with path.open("rb") as handle:
            head = handle.read(256 * 1024)
        header = head.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
        return dataclasses.replace(parse_message(header + b"\r\n\r\n", headers_only=True, size=size),
                                   raw_sha256=sha256_of(path))
    return parse_message(path.read_bytes())


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
    """Take in saved .eml and .msg files exactly as if they had been fetched."""
    files = expand_mail_paths(paths)
    with MailProcessor(store, config, settings, input_root, reply=reply, smtp_password=smtp_password) as processor:
        processor.retry_failed_receipts()
        for index, path in enumerate(files):
            try:
                parsed = read_saved_message(path, settings.max_message_bytes)
            except MsgError as exc:
                processor.summary.problems.append(Problem("mail-unreadable", file=path.name, detail=str(exc)))
            except OSError as exc:
                processor.summary.problems.append(Problem("mail-unreadable", file=path.name, detail=exc.strerror or str(exc)))
            else:
                internal = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
                processor.process(parsed, MessageSource("ingest", internal_date=internal, path=str(path)))
            if progress:
                progress(index + 1, len(files))
        return processor.summary
