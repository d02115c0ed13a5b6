"""mappings/mail.yaml: loading, validation, environment overrides, and no passwords in files."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
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
    assert set(found) == {"max_clock_skew_hours", "specialists[0]", "specialists[1]"}  # each address at its place
    assert found["specialists[0]"] == '"hshu" и-мэйл хаяг биш / is not an email address'
    assert issues(write(tmp_path / "one", "specialists: hshu@altantal.gov.mn\n"))["specialists"].startswith("жагсаалт")


def test_the_markers_come_from_mail_yaml_and_an_older_file_takes_the_shipped_ones(tmp_path: Path) -> None:
    from pipeline.mail.message import parse_message
    from tests.mail import mails

    date = dt.datetime(2026, 11, 4, 9, 30, tzinfo=dt.UTC)
    shipped = load_mail_settings(MAPPINGS, {}).markers
    assert shipped.reply_subject == ("re", "ha", "aw", "sv", "хариу", "отв", "ответ")
    older = load_mail_settings(write(tmp_path / "older", "specialists: []\n"), {}).markers
    assert older == shipped
    own = load_mail_settings(write(tmp_path / "own", "markers:\n  read_receipt_subject: [мэдэгдэл]\n"
                                                     "  reply_subject: [хариулт]\n"), {}).markers
    assert (own.read_receipt_subject, own.reply_subject, own.bounce_subject) == (
        ("мэдэгдэл",), ("хариулт",), shipped.bounce_subject)
    notice = mails.plain("zuh@altantal.gov.mn", "Мэдэгдэл: тайлан", date, "<n@x>")
    assert parse_message(notice).kind == "mail"
    assert parse_message(notice, markers=own).kind == "read-receipt"
    read = mails.plain("zuh@altantal.gov.mn", "Read: тайлан", date, "<r@x>")
    assert (parse_message(read).kind, parse_message(read, markers=own).kind) == ("read-receipt", "mail")
    answer = mails.plain("zuh@altantal.gov.mn", "Хариулт: тайлан", date, "<a@x>")
    assert (parse_message(answer).is_reply, parse_message(answer, markers=own).is_reply) == (False, True)
    assert issues(write(tmp_path / "bad", "markers:\n  thanks: [\"\"]\n")) == {
        "markers.thanks[0]": "хоосон байж болохгүй / must not be empty"}


# --- every mistake told, with the file, the dotted key and what to write --------------------------------
UNKNOWN = "үл мэдэгдэх түлхүүр / unknown key; "
PASSWORD = ("нууц үгийг файлд бичихгүй; устгаад NEGTGEL_{0}_PASSWORD орчны хувьсагчид тохируулна уу (эсвэл программ "
            "асуух болно) / passwords are never read from a file: remove it and set NEGTGEL_{0}_PASSWORD (or type it when asked)")
PLAIN = ("{0}: шифрлэлтгүй (security: plain) холболтыг зөвхөн localhost-д зөвшөөрнө; {1} хост руу tls эсвэл starttls "
         "ашиглана уу / an unencrypted connection is allowed only to localhost; use tls or starttls for {1}")
SAME_FOLDER = "уншиж буй хавтастай ижил байж болохгүй / must differ from imap.folder"

CASES: dict[str, tuple[str, dict[str, str], list[tuple[str, str]]]] = {
    # unknown keys, at the top and nested, with the nearest valid one
    "top": ("attachment: {max_mb: 5}\n", {}, [("attachment", UNKNOWN + 'did you mean "attachments"?')]),
    "top, nothing near": ("colour: red\n", {},
                          [("colour", UNKNOWN + "known: imap, smtp, attachments, specialists, max_clock_skew_hours, markers")]),
    "imap": ("imap: {hots: mail.x.mn}\n", {}, [("imap.hots", UNKNOWN + 'did you mean "host"?')]),
    "imap, no value": ("imap:\n  hots:\n", {}, [("imap.hots", UNKNOWN + 'did you mean "host"?')]),
    "smtp from": ("smtp: {frm: a@b.mn}\n", {}, [("smtp.frm", UNKNOWN + 'did you mean "from"?')]),
    "smtp, the program's name": ("smtp: {sender: a@b.mn}\n", {}, [("smtp.sender", UNKNOWN + 'did you mean "user"?')]),
    "processed": ("imap: {processed: {flg: $x}}\n", {}, [("imap.processed.flg", UNKNOWN + 'did you mean "flag"?')]),
    "attachments": ("attachments: {max_mbs: 5}\n", {}, [("attachments.max_mbs", UNKNOWN + 'did you mean "max_mb"?')]),
    # wrong types: what was expected, and what was written, in plain words
    "a whole number": ("imap: {port: '993'}\n", {},
                       [("imap.port", 'бүхэл тоо байх ёстой, "993" (текст) байна / must be a whole number, got the text "993"')]),
    "true or false": ("smtp: {reply: 'yes'}\n", {},
                      [("smtp.reply", 'true эсвэл false байх ёстой, "yes" (текст) байна / must be true or false, got the text "yes"')]),
    "text": ("imap: {user: 12345}\n", {},
             [("imap.user", "текст байх ёстой, 12345 (тоо) байна / must be text, got the number 12345")]),
    "a number": ("imap: {timeout_seconds: soon}\n", {},
                 [("imap.timeout_seconds", 'тоо байх ёстой, "soon" (текст) байна / must be a number, got the text "soon"')]),
    "a mapping": ("smtp: 5\n", {}, [("smtp", "түлхүүр: утга хэлбэртэй хэсэг байх ёстой, 5 (тоо) байна / "
                                             "must be a mapping of keys (key: value), got the number 5")]),
    "a list": ("specialists: hshu@altantal.gov.mn\n", {},
               [("specialists", 'жагсаалт ([...] эсвэл мөр бүрд - ) байх ёстой, "hshu@altantal.gov.mn" (текст) байна / '
                                "must be a list ([...] or one '- ' line per item), got the text \"hshu@altantal.gov.mn\"")]),
    "a whole file of the wrong shape": ("- a\n", {}, [("(файл)", "түлхүүр: утга хэлбэртэй хэсэг байх ёстой, жагсаалт байна / "
                                                               "must be a mapping of keys (key: value), got a list")]),
    "one of": ("imap: {security: ssl}\n", {},
               [("imap.security", '"ssl" (текст) биш: tls, starttls, plain-ийн аль нэг / '
                                  'must be one of tls, starttls, plain, got the text "ssl"')]),
    "a date": ("imap: {since: '2026-13-01'}\n", {},
               [("imap.since", 'YYYY-MM-DD огноо байх ёстой, "2026-13-01" (текст) байна / '
                               'must be a date YYYY-MM-DD, got the text "2026-13-01"')]),
    # the checks beyond a type
    "ports": ("imap: {port: 99999}\nsmtp: {port: 0}\n", {},
              [("imap.port", "1-65535 хоорондох порт байх ёстой, 99999 (тоо) байна / must be a port 1-65535, got the number 99999"),
               ("smtp.port", "1-65535 хоорондох порт байх ёстой, 0 (тоо) байна / must be a port 1-65535, got the number 0")]),
    "a port from the environment": ("", {"NEGTGEL_IMAP_PORT": "abc"}, [
        ("NEGTGEL_IMAP_PORT", '1-65535 хоорондох порт байх ёстой, "abc" (текст) байна / must be a port 1-65535, got the text "abc"')]),
    "positive numbers": ("imap: {timeout_seconds: 0}\nattachments: {max_mb: -1, max_message_mb: 0}\nmax_clock_skew_hours: 0\n", {},
                         [("imap.timeout_seconds", "эерэг тоо байх ёстой, 0 (тоо) байна / must be positive, got the number 0"),
                          ("attachments.max_mb", "эерэг тоо байх ёстой, -1 (тоо) байна / must be positive, got the number -1"),
                          ("attachments.max_message_mb", "эерэг тоо байх ёстой, 0 (тоо) байна / must be positive, got the number 0"),
                          ("max_clock_skew_hours", "эерэг тоо байх ёстой, 0 (тоо) байна / must be positive, got the number 0")]),
    "a flag of one word": ('imap: {processed: {flag: "my flag"}}\n', {},
                           [("imap.processed.flag", '"my flag": IMAP туг нь зай, хаалтгүй латин үг байна (жишээ нь $Negtgel) / '
                                                    "an IMAP flag is one Latin word without spaces or brackets, e.g. $Negtgel")]),
    "a flag people change": ('imap: {processed: {flag: "\\\\Seen"}}\n', {},
                             [("imap.processed.flag", "\\Seen тугийг хэрэглэгч өөрөө өөрчилдөг тул болохгүй / \\Seen is changed by "
                                                      "people reading the mail; use a keyword such as $Negtgel")]),
    "moved to the folder read": ("imap: {folder: Тайлан, processed: {move_to: Тайлан}}\n", {},
                                 [("imap.processed.move_to", SAME_FOLDER)]),
    "moved to INBOX, the folder read": ("imap: {processed: {move_to: INBOX}}\n", {}, [("imap.processed.move_to", SAME_FOLDER)]),
    "the subject's placeholders": ('smtp: {subject: "Хариу {who}"}\n', {},
                                   [("smtp.subject", "зөвхөн {file}, {department}, {period} орлуулга ашиглана / "
                                                     "only the placeholders {file}, {department}, {period} are known")]),
    "the sender's address": ("smtp: {from: not-an-address}\n", {},
                             [("smtp.from", '"not-an-address" и-мэйл хаяг биш / is not an email address')]),
    "the specialists' addresses": ("specialists: [hshu, 5, ' ok@altantal.gov.mn ']\n", {},
                                   [("specialists[0]", '"hshu" и-мэйл хаяг биш / is not an email address'),
                                    ("specialists[1]", "текст байх ёстой, 5 (тоо) байна / must be text, got the number 5")]),
    "ca_file, relative and absolute": ("imap: {ca_file: missing.pem}\nsmtp: {ca_file: /nowhere/ca.pem}\n", {},
                                       [("imap.ca_file", "{folder}/missing.pem файл олдсонгүй / file not found"),
                                        ("smtp.ca_file", "/nowhere/ca.pem файл олдсонгүй / file not found")]),
    "plain to a remote host": ("imap: {host: mail.altantal.gov.mn, security: plain}\n", {},
                               [("imap.security", PLAIN.format("IMAP", "mail.altantal.gov.mn"))]),
    "plain to a remote host from the environment": ("smtp: {host: localhost, security: plain}\n", {"NEGTGEL_SMTP_HOST": "10.1.2.3"},
                                                    [("smtp.security", PLAIN.format("SMTP", "10.1.2.3"))]),
    # passwords: refused with their own message (not as unknown keys), and the rest is still checked
    "passwords": ("password: s\nimap: {host: x, Password: s, processed: {passwd: s}}\nsmtp: {pwd: s, hots: y}\n", {},
                  [("password", PASSWORD.format("IMAP")), ("imap.Password", PASSWORD.format("IMAP")),
                   ("imap.processed.passwd", PASSWORD.format("IMAP")), ("smtp.pwd", PASSWORD.format("SMTP")),
                   ("smtp.hots", UNKNOWN + 'did you mean "host"?')]),
    # what YAML would silently get wrong
    "a key listed twice": ("imap:\n  host: a\n  host: b\n", {},
                           [("imap.host", "түлхүүр давхардсан (3-р мөр) / the key is listed twice (line 3)")]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_a_mistake_is_named_with_its_key_and_remedy(tmp_path: Path, name: str) -> None:
    text, env, expected = CASES[name]
    with pytest.raises(ConfigError) as caught:
        load_mail_settings(write(tmp_path, text), env)
    assert all(issue.file == str(tmp_path / "mail.yaml") for issue in caught.value.issues)
    assert [(issue.key, issue.message) for issue in caught.value.issues] == [
        (key, message.replace("{folder}", str(tmp_path))) for key, message in expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a key written with no value has its default, as the file's comments say ("port:" above all)
        ("imap:\n  port:\n  host:\n  timeout_seconds:\nsmtp:\nattachments:\n  max_mb:\nspecialists:\n", SHIPPED),
        ("imap: {port: '', since: ''}\n", SHIPPED),
        # text is trimmed; TLS is tls; an empty folder, flag or subject is the default one
        ("imap: {host: ' mail.x.mn ', security: STARTTLS, folder: '', processed: {flag: ''}}\nsmtp: {subject: ' '}\n",
         replace(SHIPPED, imap=replace(SHIPPED.imap, host="mail.x.mn", security="starttls", port=143))),
        # a date as YAML reads it or as text
        ("imap: {since: 2026-10-01}\n", replace(SHIPPED, imap=replace(SHIPPED.imap, since=dt.date(2026, 10, 1)))),
        ("imap: {since: '2026-10-01'}\n", replace(SHIPPED, imap=replace(SHIPPED.imap, since=dt.date(2026, 10, 1)))),
        ("smtp: {from: ' Hshu@altantal.gov.mn ', security: starttls, timeout_seconds: 5}\n",
         replace(SHIPPED, smtp=replace(SHIPPED.smtp, from_addr="Hshu@altantal.gov.mn", security="starttls", port=587, timeout=5.0))),
        ("attachments: {max_mb: 30}\n", replace(SHIPPED, max_attachment_bytes=30 * 1024 * 1024, max_message_bytes=90 * 1024 * 1024)),
        ("attachments: {max_mb: 10, max_message_mb: 15.5}\n",
         replace(SHIPPED, max_attachment_bytes=10 * 1024 * 1024, max_message_bytes=int(15.5 * 1024 * 1024))),
    ],
)
def test_good_values_are_read_as_the_old_loader_read_them(tmp_path: Path, text: str, expected: MailSettings) -> None:
    assert load_mail_settings(write(tmp_path, text), {}) == replace(expected, path=tmp_path / "mail.yaml")
