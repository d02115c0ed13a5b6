"""Connection security and failures, against real servers: TLS, STARTTLS, refused, wrong password."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from pipeline.cli.mail import fetch_mail_command
from pipeline.mail.imap import ImapClient
from pipeline.mail.receipts import SmtpOutbox
from pipeline.mail.settings import ImapSettings, MailError, SmtpSettings
from tests.mail import mails
from tests.mail.conftest import write_mail_yaml
from tests.mail.servers import IMAP_PASSWORD, IMAP_USER, SMTP_PASSWORD, SMTP_USER, Cert, ImapServer, SmtpServer, free_port

DATE = dt.datetime(2026, 11, 4, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def fetch(tmp_path: Path, mappings: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(
        fetch_mail_command,
        ["--input", str(tmp_path / "input"), "--store", str(tmp_path / "negtgel.db"), "--mappings", str(mappings), *args],
        env={"NEGTGEL_IMAP_PASSWORD": IMAP_PASSWORD, "NEGTGEL_SMTP_PASSWORD": SMTP_PASSWORD, **(env or {})},
    )


def report(tmp_path: Path, message_id: str = "<t1@altantal.gov.mn>") -> bytes:
    return mails.report("zuh@altantal.gov.mn", "ЗУХ", DATE, message_id, [("ЗУХ 10 сар.xlsx", mails.template(tmp_path, "ЗУХ"))])


def test_implicit_tls_for_imap_and_smtp_with_a_login(tmp_path: Path, mappings: Path, cert: Cert) -> None:
    imap = ImapServer(tmp_path / "imap-tls", mode="tls", cert=cert).start()
    smtp = SmtpServer(cert).start()
    try:
        imap.append(report(tmp_path))
        write_mail_yaml(mappings, imap={"port": imap.port, "security": "tls", "ca_file": str(cert.cert)},
                        smtp={"port": smtp.port, "security": "tls", "ca_file": str(cert.cert), "user": SMTP_USER,
                              "reply": True})
        result = fetch(tmp_path, mappings)
        assert result.exit_code == 0, result.output
        assert "файл: 1 авсан" in result.output and "хариу: 1 илгээсэн" in result.output
        assert [(r.rcpt_tos, r.authenticated) for r in smtp.received] == [(["zuh@altantal.gov.mn"], True)]
        assert all("$Negtgel" in flags for flags, _ in imap.contents().values())
    finally:
        imap.stop()
        smtp.stop()


def test_starttls(tmp_path: Path, mappings: Path, cert: Cert) -> None:
    imap = ImapServer(tmp_path / "imap-starttls", mode="starttls", cert=cert).start()
    try:
        imap.append(report(tmp_path))
        write_mail_yaml(mappings, imap={"port": imap.port, "security": "starttls", "ca_file": str(cert.cert)})
        result = fetch(tmp_path, mappings)
        assert result.exit_code == 0, result.output
        assert "файл: 1 авсан" in result.output
    finally:
        imap.stop()


def test_starttls_refused_when_the_server_does_not_offer_it(tmp_path: Path, mappings: Path, imap: ImapServer) -> None:
    write_mail_yaml(mappings, imap={"port": imap.port, "security": "starttls"})
    result = fetch(tmp_path, mappings)
    assert result.exit_code == 1
    assert "STARTTLS" in result.output and "Traceback" not in result.output


def test_a_certificate_nobody_vouches_for_is_refused(tmp_path: Path, mappings: Path, cert: Cert) -> None:
    imap = ImapServer(tmp_path / "imap-tls", mode="tls", cert=cert).start()
    try:
        write_mail_yaml(mappings, imap={"port": imap.port, "security": "tls"})  # no ca_file
        result = fetch(tmp_path, mappings)
        assert result.exit_code == 1
        assert "гэрчилгээг баталгаажуулж чадсангүй" in result.output and "ca_file" in result.output
        assert "Traceback" not in result.output
    finally:
        imap.stop()


def test_tls_to_a_plain_server_fails_clearly(tmp_path: Path, mappings: Path, imap: ImapServer) -> None:
    write_mail_yaml(mappings, imap={"port": imap.port, "security": "tls"})
    result = fetch(tmp_path, mappings)
    assert result.exit_code == 1
    assert "TLS" in result.output and "Traceback" not in result.output


def test_connection_refused(tmp_path: Path, mappings: Path) -> None:
    write_mail_yaml(mappings, imap={"port": free_port()})
    result = fetch(tmp_path, mappings)
    assert result.exit_code == 1
    assert "холболтыг татгалзлаа" in result.output and "connection refused" in result.output
    assert "Traceback" not in result.output


def test_wrong_password(tmp_path: Path, mappings: Path, imap: ImapServer) -> None:
    write_mail_yaml(mappings, imap={"port": imap.port})
    result = fetch(tmp_path, mappings, env={"NEGTGEL_IMAP_PASSWORD": "wrong-password"})  # ASCII: the LOGIN command
    assert result.exit_code == 1
    assert f"{IMAP_USER} хэрэглэгчээр нэвтэрч чадсангүй" in result.output and "login failed" in result.output


def test_no_password_without_a_terminal_is_a_clear_error(tmp_path: Path, mappings: Path, imap: ImapServer) -> None:
    write_mail_yaml(mappings, imap={"port": imap.port})
    result = CliRunner().invoke(fetch_mail_command, ["--input", str(tmp_path / "in"), "--store", str(tmp_path / "db"),
                                                     "--mappings", str(mappings)], env={"NEGTGEL_IMAP_PASSWORD": ""})
    assert result.exit_code == 1
    assert "NEGTGEL_IMAP_PASSWORD" in result.output


def test_plain_to_a_remote_host_is_refused_before_connecting(tmp_path: Path, mappings: Path) -> None:
    write_mail_yaml(mappings, imap={"host": "mail.altantal.gov.mn", "security": "plain"})
    result = fetch(tmp_path, mappings)
    assert result.exit_code == 1
    assert "imap.security" in result.output and "localhost" in result.output
    # Even when the settings are built without the loader, neither client opens a plain remote connection.
    with pytest.raises(MailError, match="localhost"):
        ImapClient(ImapSettings(host="192.0.2.10", port=143, security="plain", user="x"), "pw").connect()
    with pytest.raises(MailError, match="localhost"):
        SmtpOutbox(SmtpSettings(host="192.0.2.10", port=25, security="plain", from_addr="a@b.mn"), None).send(b"x", "c@d.mn")


def test_smtp_failure_is_reported_and_retried_on_the_next_run(
    tmp_path: Path, mappings: Path, imap: ImapServer
) -> None:
    imap.append(report(tmp_path))
    port = free_port()  # nothing listens yet
    write_mail_yaml(mappings, imap={"port": imap.port}, smtp={"port": port, "reply": True})
    result = fetch(tmp_path, mappings)
    assert result.exit_code == 1  # intake done, receipt not sent: said clearly, never a traceback
    assert "файл: 1 авсан" in result.output and "1 илгээгдээгүй" in result.output and "Traceback" not in result.output
    smtp = SmtpServer()
    smtp.port = port
    from aiosmtpd.controller import Controller

    smtp.controller = Controller(smtp.collector, hostname="127.0.0.1", port=port)
    smtp.start()
    try:
        again = fetch(tmp_path, mappings)
        assert again.exit_code == 0, again.output
        assert "хариу: 1 илгээсэн" in again.output
        assert [r.rcpt_tos for r in smtp.received] == [["zuh@altantal.gov.mn"]]
        assert fetch(tmp_path, mappings).exit_code == 0
        assert len(smtp.received) == 1  # sent once, never again
    finally:
        smtp.stop()
