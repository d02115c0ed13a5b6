"""mappings/mail.yaml: loading, validation, environment overrides, and no passwords in files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pipeline.errors import ConfigError
from pipeline.mail.settings import DEFAULT_FLAG, ImapSettings, MailSettings, SmtpSettings, is_local_host, load_mail_settings
from tests.conftest import MAPPINGS


def write(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "mail.yaml").write_text(text, encoding="utf-8")
    return folder


def issues(folder: Path, env: dict[str, str] | None = None) -> dict[str, str]:
    with pytest.raises(ConfigError) as caught:
        load_mail_settings(folder, env or {})
    return {issue.key: issue.message for issue in caught.value.issues}


# What the shipped mail.yaml loaded as before the schema (pydantic) rewrite: the rewrite loads exactly this.
SHIPPED = MailSettings(
    path=MAPPINGS / "mail.yaml",
    imap=ImapSettings(host="", port=993, security="tls", user="", folder="INBOX", since=None, flag="$Negtgel", move_to="",
                      ca_file="", timeout=60.0),
    smtp=SmtpSettings(reply=False, host="", port=465, security="tls", user="", from_addr="",
                      subject="Тайлангийн хариу / Report receipt: {file}", ca_file="", timeout=60.0),
    max_attachment_bytes=20 * 1024 * 1024,
    max_message_bytes=60 * 1024 * 1024,
    present=True,
    max_clock_skew_hours=12.0,
    specialists=(),
)


def test_the_shipped_file_loads_as_before() -> None:
    settings = load_mail_settings(MAPPINGS, {})
    assert settings == SHIPPED
    assert type(settings.imap.timeout) is float and type(settings.smtp.timeout) is float
    assert type(settings.max_clock_skew_hours) is float
    assert type(settings.imap.port) is int and type(settings.max_attachment_bytes) is int


def test_the_shipped_file_loads_with_safe_defaults() -> None:
    settings = load_mail_settings(MAPPINGS, {})
    assert settings.present
    assert (settings.imap.security, settings.imap.port, settings.imap.flag, settings.imap.move_to) == ("tls", 993, DEFAULT_FLAG, "")
    assert (settings.smtp.reply, settings.smtp.security, settings.smtp.port) == (False, "tls", 465)
    assert settings.max_attachment_bytes == 20 * 1024 * 1024
    assert [i.key for i in settings.imap_issues()] == ["imap.host", "imap.user"]  # to be filled in before fetch-mail
    text = (MAPPINGS / "mail.yaml").read_text(encoding="utf-8")
    assert "NEGTGEL_IMAP_PASSWORD" in text and "password:" not in text


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    settings = load_mail_settings(tmp_path, {})
    assert not settings.present and settings.imap.security == "tls"
    assert settings == MailSettings(path=tmp_path / "mail.yaml")


@pytest.mark.parametrize("text", [
    "imap:\n  host: mail.x.mn\n  password: secret\n",
    "smtp:\n  Password: secret\n",
    "password: secret\n",
    "imap:\n  processed:\n    passwd: x\n",
])
def test_a_password_in_the_file_is_refused(tmp_path: Path, text: str) -> None:
    found = issues(write(tmp_path, text))
    [message] = [m for k, m in found.items() if "assw" in k.lower()]
    assert "NEGTGEL_" in message and "нууц үгийг файлд бичихгүй" in message


def test_every_mistake_at_once(tmp_path: Path) -> None:
    found = issues(write(tmp_path, """
imap: {host: mail.x.mn, port: 99999, security: ssl, folder: INBOX, prosessed: {}, processed: {flag: "my flag"}, since: "2026-13-01"}
smtp: {from: not-an-address, subject: "Хариу {who}", reply: "yes"}
attachments: {max_mb: -1}
extra: 1
"""))
    assert set(found) == {"imap.port", "imap.security", "imap.prosessed", "imap.processed.flag", "imap.since", "smtp.from",
                          "smtp.subject", "smtp.reply", "attachments.max_mb", "extra"}


def test_plain_only_to_localhost(tmp_path: Path) -> None:
    folder = write(tmp_path, "imap: {host: mail.altantal.gov.mn, security: plain}\nsmtp: {host: 127.0.0.1, security: plain}\n")
    assert "localhost" in issues(folder)["imap.security"]
    ok = load_mail_settings(write(tmp_path / "b", "imap: {host: localhost, security: plain}\n"), {})
    assert ok.imap.port == 143
    # An environment override cannot sneak a remote host past the rule either.
    assert "imap.security" in issues(tmp_path / "b", {"NEGTGEL_IMAP_HOST": "10.1.2.3"})
    assert all(is_local_host(h) for h in ("localhost", "127.0.0.1", "::1", "[::1]", "127.8.9.1"))
    assert not any(is_local_host(h) for h in ("mail.altantal.gov.mn", "10.0.0.1", "localhost.evil.mn"))


def test_environment_overrides_host_port_user(tmp_path: Path) -> None:
    folder = write(tmp_path, "imap: {host: mail.a.mn, user: a, since: 2026-10-01}\nsmtp: {host: smtp.a.mn, security: starttls}\n")
    env = {"NEGTGEL_IMAP_HOST": "imap.b.mn", "NEGTGEL_IMAP_PORT": "1993", "NEGTGEL_IMAP_USER": "b",
           "NEGTGEL_SMTP_HOST": "smtp.b.mn", "NEGTGEL_SMTP_USER": "s"}
    settings = load_mail_settings(folder, env)
    assert (settings.imap.host, settings.imap.port, settings.imap.user) == ("imap.b.mn", 1993, "b")
    assert settings.imap.since == dt.date(2026, 10, 1)
    assert (settings.smtp.host, settings.smtp.port, settings.smtp.user) == ("smtp.b.mn", 587, "s")
    assert "NEGTGEL_IMAP_PORT" in issues(folder, {"NEGTGEL_IMAP_PORT": "abc"})


def test_receipt_settings_are_checked_when_receipts_are_wanted(tmp_path: Path) -> None:
    settings = load_mail_settings(write(tmp_path, "smtp: {reply: true}\n"), {})
    assert [i.key for i in settings.smtp_issues()] == ["smtp.host", "smtp.from"]


def test_ca_file_must_exist_and_may_be_relative(tmp_path: Path) -> None:
    assert "imap.ca_file" in issues(write(tmp_path, "imap: {ca_file: missing.pem}\n"))
    (tmp_path / "ca.pem").write_text("x")
    assert load_mail_settings(write(tmp_path, "imap: {ca_file: ca.pem}\n"), {}).imap.ca_file == str(tmp_path / "ca.pem")


def test_system_flags_people_change_are_refused(tmp_path: Path) -> None:
    assert "imap.processed.flag" in issues(write(tmp_path, 'imap: {processed: {flag: "\\\\Seen"}}\n'))
    assert load_mail_settings(write(tmp_path, 'imap: {processed: {flag: "\\\\Flagged"}}\n'), {}).imap.flag == "\\Flagged"


def test_clock_skew_and_specialists(tmp_path: Path) -> None:
    shipped = load_mail_settings(MAPPINGS, {})
    assert (shipped.max_clock_skew, shipped.specialists) == (dt.timedelta(hours=12), ())
    settings = load_mail_settings(write(tmp_path / "ok", "max_clock_skew_hours: 2.5\nspecialists: [HSHU@altantal.gov.mn]\n"), {})
    assert (settings.max_clock_skew, settings.specialists) == (dt.timedelta(hours=2.5), ("hshu@altantal.gov.mn",))
    found = issues(write(tmp_path / "bad", "max_clock_skew_hours: 0\nspecialists: [hshu, 5]\n"))
    assert set(found) == {"max_clock_skew_hours", "specialists"}
    assert found["specialists"] == "'hshu', '5' и-мэйл хаяг биш / are not an email address"
    assert issues(write(tmp_path / "one", "specialists: hshu@altantal.gov.mn\n"))["specialists"].startswith("и-мэйл хаягийн жагсаалт")
