"""Issue 13's fault cases against Dovecot, the IMAP server departments' mail really sits on: started by the
test as its own process on 127.0.0.1 (implicit TLS with the test's certificate, trusted through `ca_file`),
receipts to a real aiosmtpd server. Skipped, saying why, where Dovecot is not installed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli.mail import fetch_mail_command
from tests.mail import mails, scenarios
from tests.mail.dovecot import Dovecot, dovecot_binary
from tests.mail.scenarios import Mailbox
from tests.mail.servers import IMAP_PASSWORD, Cert, SmtpServer

pytestmark = pytest.mark.skipif(dovecot_binary() is None, reason="Dovecot is not installed (Debian: apt-get install "
                                                                  "dovecot-imapd; .ci/run installs it where apt works)")


@pytest.fixture
def dovecot(cert: Cert) -> Iterator[Dovecot]:
    server = Dovecot(cert).start()
    yield server
    server.stop()


@pytest.fixture
def box(dovecot: Dovecot, cert: Cert) -> Mailbox:
    return Mailbox(dovecot.append, dovecot.imaps_port, IMAP_PASSWORD, {"security": "tls", "ca_file": str(cert.cert)})


@pytest.mark.parametrize("point", scenarios.KILL_POINTS)
def test_a_kill_between_recording_and_sending_leads_to_exactly_one_receipt(
    tmp_path: Path, mappings: Path, box: Mailbox, smtp: SmtpServer, point: str, dovecot: Dovecot
) -> None:
    scenarios.kill_between_recording_and_sending(tmp_path, mappings, box, smtp, point)
    assert dovecot.flags() == [{"$Negtgel"}]  # processed, not marked read


@pytest.mark.parametrize("scenario", scenarios.SCENARIOS, ids=lambda f: f.__name__)
def test_fault_case(tmp_path: Path, mappings: Path, box: Mailbox, smtp: SmtpServer,
                    scenario: Callable[[Path, Path, Mailbox, SmtpServer], None]) -> None:
    """A reused Message-ID, skewed clocks (INTERNALDATE set by APPEND), forwards, an attached .msg, auto-replies."""
    scenario(tmp_path, mappings, box, smtp)


def test_the_private_ca_is_trusted_only_through_ca_file(tmp_path: Path, mappings: Path, box: Mailbox, smtp: SmtpServer) -> None:
    box.append(mails.report("zuh@altantal.gov.mn", "ЗУХ", scenarios.DATE, "<ca@x>", [("ЗУХ 10 сар.xlsx", mails.template(tmp_path, "ЗУХ"))]))
    scenarios.configure(mappings, Mailbox(box.append, box.port, box.password, {"security": "tls"}), smtp)
    refused = CliRunner().invoke(fetch_mail_command, scenarios.args(tmp_path, mappings), env={"NEGTGEL_IMAP_PASSWORD": IMAP_PASSWORD})
    assert refused.exit_code == 1
    assert "гэрчилгээг баталгаажуулж чадсангүй" in refused.output and "ca_file" in refused.output
    assert "Traceback" not in refused.output and not (tmp_path / "input" / "archive").exists()
    scenarios.configure(mappings, box, smtp)
    taken = scenarios.fetch(tmp_path, mappings, box)
    assert taken.exit_code == 0, taken.output
    assert "файл: 1 авсан" in taken.output
