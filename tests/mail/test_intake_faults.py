"""Issue 13's fault cases against pymap (IMAP) and aiosmtpd (SMTP), both real servers on 127.0.0.1; the
same scenarios run against Dovecot in test_dovecot.py."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.mail import scenarios
from tests.mail.scenarios import Mailbox
from tests.mail.servers import IMAP_PASSWORD, ImapServer, SmtpServer


@pytest.fixture
def box(imap: ImapServer) -> Mailbox:
    return Mailbox(imap.append, imap.port, IMAP_PASSWORD)


@pytest.mark.parametrize("point", scenarios.KILL_POINTS)
def test_a_kill_between_recording_and_sending_leads_to_exactly_one_receipt(
    tmp_path: Path, mappings: Path, box: Mailbox, smtp: SmtpServer, point: str
) -> None:
    scenarios.kill_between_recording_and_sending(tmp_path, mappings, box, smtp, point)


@pytest.mark.parametrize("scenario", scenarios.SCENARIOS, ids=lambda f: f.__name__)
def test_fault_case(tmp_path: Path, mappings: Path, box: Mailbox, smtp: SmtpServer,
                    scenario: Callable[[Path, Path, Mailbox, SmtpServer], None]) -> None:
    """A reused Message-ID, skewed clocks, a specialist's forwards, an attached .msg, auto-replies."""
    scenario(tmp_path, mappings, box, smtp)
