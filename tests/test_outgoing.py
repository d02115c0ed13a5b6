"""Templates out and reminders (issue 16, parts 2 and 3), through a real SMTP server (aiosmtpd, as tests/mail).

The plan year of tests/test_plan.py: three departments' approved plans, their October reports; then the
November templates pre-filled and mailed, and reminders for October; every message read back, none twice.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from email.header import decode_header, make_header
from email.message import Message
from pathlib import Path
from typing import Any

import pytest

from pipeline import remind
from pipeline.config import load_config
from pipeline.read.workbook import read_file
from tests.helpers import write_xlsx
from tests.mail.conftest import write_mail_yaml
from tests.mail.servers import SmtpServer, free_port
from tests.test_plan import EMG, HHAAG, ZUH, import_all, negtgel, year

__all__ = ["year"]  # the fixture, used by name


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def ready(year: dict[str, Any], smtp: SmtpServer) -> dict[str, Any]:
    """Plans imported, October consolidated, mail.yaml naming the test server."""
    root = year["root"]
    import_all(root, year["plans"])
    negtgel(root, "run", "--period", "2026-10")
    write_mail_yaml(root / "mappings", smtp_port=smtp.port)
    return {**year, "config": load_config(root / "mappings")}


def attachments(message: Message) -> dict[str, bytes]:
    found = {}
    for part in message.walk():
        name = part.get_filename()
        if name:
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            found[name] = payload
    return found


def body(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode("utf-8")
    return ""


def test_template_all_prefills_the_plan_and_the_last_progress(ready: dict[str, Any]) -> None:
    root, config = ready["root"], ready["config"]
    result = negtgel(root, "template", "--all", "--period", "2026-11")
    assert result.exit_code == 0, result.output
    folder = root / "output" / "templates" / "2026-11"
    files = sorted(p.name for p in folder.glob("*.xlsx"))
    assert len(files) == len(config.departments)
    read = read_file(folder / "ЗУХ_2026-11_тайлан.xlsx", config)
    assert read.meta["department"] == ZUH and read.meta["year"] == 2026 and read.meta["month"] == 11
    assert read.meta["version"] == "1"
    measures = {m["no"]: m for t in read.tables for m in t.measures}
    assert measures["1.2"]["target"] == "10-аас доошгүй"  # the approved target, not October's lowered one
    assert measures["1.2"]["actual"] == 7 and measures["1.2"]["progress"]  # October's progress, to update
    hhaag = read_file(folder / "ХХААГ_2026-11_тайлан.xlsx", config)
    assert "2.2" in {m["no"] for t in hhaag.tables for m in t.measures}  # the removed measure is back from the plan
    # The same plan and progress write the same bytes: the hash a sending is recorded by does not move.
    before = (folder / "ЗУХ_2026-11_тайлан.xlsx").read_bytes()
    negtgel(root, "template", "--all", "--period", "2026-11")
    assert (folder / "ЗУХ_2026-11_тайлан.xlsx").read_bytes() == before


def test_send_templates_is_a_dry_run_then_sends_each_once(ready: dict[str, Any], smtp: SmtpServer) -> None:
    root, config = ready["root"], ready["config"]
    dry = negtgel(root, "send-templates", "--period", "2026-11")
    assert dry.exit_code == 0, dry.output
    assert "would send" in dry.output and smtp.received == []
    assert not (root / "outbox" / "templates.jsonl").exists()

    sent = negtgel(root, "send-templates", "--period", "2026-11", "--send")
    assert sent.exit_code == 0, sent.output
    with_address = [d for d in config.departments if d.emails]
    assert len(smtp.received) == sum(len(d.emails) for d in with_address)
    zuh = next(d for d in config.departments if d.name == ZUH)
    (mail,) = [r for r in smtp.received if r.rcpt_tos == list(zuh.emails)]
    message = mail.message
    assert message["To"] == ", ".join(zuh.emails)
    subject = str(make_header(decode_header(message["Subject"])))
    assert subject == "Тайлангийн загвар 2026-11 — ЗУХ / Report template 2026-11 — ЗУХ"
    files = attachments(message)
    path = root / "output" / "templates" / "2026-11" / "ЗУХ_2026-11_тайлан.xlsx"
    assert files == {path.name: path.read_bytes()}
    text = body(message)
    assert text.index("Сайн байна уу") < text.index("English")
    assert "2026 оны 12 дугаар сарын 5-ны дотор" in text

    log = [json.loads(line) for line in (root / "outbox" / "templates.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [e["state"] for e in log if e["department"] == ZUH] == ["pending", "sent"]

    again = negtgel(root, "send-templates", "--period", "2026-11", "--send")
    assert again.exit_code == 0, again.output
    assert len(smtp.received) == sum(len(d.emails) for d in with_address)  # nothing twice
    assert "already sent" in again.output


def test_remind_lists_the_missing_and_the_erroneous_and_sends_once_a_day(
    ready: dict[str, Any], smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, config = ready["root"], ready["config"]
    monkeypatch.setattr(remind, "local_today", lambda config: dt.date(2026, 11, 6))  # deadline 11-05, +1 day
    listing = negtgel(root, "remind", "--period", "2026-10")
    assert listing.exit_code == 0, listing.output
    missing = [d for d in config.departments if d.name not in (ZUH, HHAAG, EMG)]
    for dept in missing:
        assert f"✗ {dept.name}: ирүүлээгүй / not reported — {dept.official}" in listing.output
    assert f"✗ {ZUH}" not in listing.output
    assert f"✗ {HHAAG}: ХХААГ_2026_10.xlsx: 1 алдаа / error" in listing.output  # its I-V улирал
    assert smtp.received == []

    sent = negtgel(root, "remind", "--period", "2026-10", "--send")
    assert sent.exit_code == 0, sent.output
    count = sum(len(d.emails) for d in config.departments if d.name != ZUH and d.name != EMG)
    assert len(smtp.received) == count
    hhaag = next(d for d in config.departments if d.name == HHAAG)
    (mail,) = [r for r in smtp.received if r.rcpt_tos == list(hhaag.emails)]
    text = body(mail.message)
    assert "ХХААГ_2026_10.xlsx" in text and "1 алдаа засагдаагүй" in text and "I-V" in text
    assert "2026 оны 11 дүгээр сарын 5-ны дууссан (1 хоног хэтэрсэн)" in text
    assert text.index("Сайн байна уу") < text.index("English")

    again = negtgel(root, "remind", "--period", "2026-10", "--send")
    assert again.exit_code == 0 and len(smtp.received) == count  # none twice on one day

    monkeypatch.setattr(remind, "local_today", lambda config: dt.date(2026, 11, 7))  # +2: not a reminder day
    quiet = negtgel(root, "remind", "--period", "2026-10", "--send")
    assert quiet.exit_code == 0 and len(smtp.received) == count
    assert "сануулга илгээх өдөр биш" in quiet.output
    forced = negtgel(root, "remind", "--period", "2026-10", "--send", "--force")
    assert forced.exit_code == 0 and len(smtp.received) == 2 * count

    assert remind.is_reminder_day(config, "2026-10", dt.date(2026, 11, 3))
    assert not remind.is_reminder_day(config, "2026-10", dt.date(2026, 11, 4))



def test_a_sending_cut_off_is_not_repeated_and_a_refused_one_is_tried_again(
    ready: dict[str, Any], smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, config = ready["root"], ready["config"]
    monkeypatch.setattr(remind, "local_today", lambda config: dt.date(2026, 11, 6))
    legal = next(d for d in config.departments if d.name == "Хууль, эрх зүйн хэлтэс")
    # A run killed between "pending" and "sent": the message may have gone, so it is not sent again.
    from pipeline.outbox import append_log
    from pipeline.workspace import Workspace

    workspace = Workspace.at(root)
    append_log(workspace, "reminders", {"key": f"{legal.name}|2026-10|2026-11-06|{legal.emails[0]}", "state": "pending",
                                        "department": legal.name})
    result = negtgel(root, "remind", "--period", "2026-10", "--send")
    assert result.exit_code == 0, result.output
    assert not [r for r in smtp.received if r.rcpt_tos == list(legal.emails)]
    assert f"{legal.name} <{legal.emails[0]}>: өмнөх илгээлт тасарсан" in result.output

    # No server there: nothing recorded as sent, exit 1; the next run, with the server there, sends them all.
    write_mail_yaml(root / "mappings", smtp_port=free_port())
    down = negtgel(root, "send-templates", "--period", "2026-11", "--send")
    assert down.exit_code == 1
    log = [json.loads(line) for line in (root / "outbox" / "templates.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {e["state"] for e in log} == {"pending", "failed"}
    before = len(smtp.received)
    write_mail_yaml(root / "mappings", smtp_port=smtp.port)
    up = negtgel(root, "send-templates", "--period", "2026-11", "--send")
    assert up.exit_code == 0, up.output
    assert len(smtp.received) - before == sum(len(d.emails) for d in config.departments)


def test_plan_mistakes_are_messages(year: dict[str, Any], tmp_path: Path) -> None:
    root = year["root"]
    nobody = write_xlsx(tmp_path / "төлөвлөгөө.xlsx", [
        ["№", "Хэрэгжүүлэх арга хэмжээ", "Шалгуур үзүүлэлт", "Хүрэх түвшин", "Хугацаа"],
        ["1.1", "Сургалт зохион байгуулна.", "Тоо", "2-оос доошгүй", "I-IV улирал"],
    ])
    result = negtgel(root, "plan", "import", str(nobody), "--year", "2026")
    assert result.exit_code == 1 and "--department" in result.output and "Traceback" not in result.output
    result = negtgel(root, "plan", "accept", "--department", "ЗУХ", "--measure", "1.1", "--reason", "x", "--year", "2026")
    assert result.exit_code == 1 and "plan import" in result.output


def test_a_deadline_date_takes_the_ordinal_its_month_number_takes() -> None:
    from pipeline.remind import _date_text

    assert [_date_text(dt.date(2026, month, 5)) for month in (1, 2, 4, 9, 10, 11, 12)] == [
        "2026 оны 1 дүгээр сарын 5-ны", "2026 оны 2 дугаар сарын 5-ны", "2026 оны 4 дүгээр сарын 5-ны",
        "2026 оны 9 дүгээр сарын 5-ны", "2026 оны 10 дугаар сарын 5-ны", "2026 оны 11 дүгээр сарын 5-ны",
        "2026 оны 12 дугаар сарын 5-ны"]
    assert _date_text(dt.date(2027, 1, 21)) == "2027 оны 1 дүгээр сарын 21-ний"


def test_a_reminder_and_a_template_mail_say_their_parts_in_both_languages(tmp_path: Path) -> None:
    from pipeline.config import Department
    from pipeline.prefill import Prefilled

    dept = Department("Захиргаа, удирдлагын хэлтэс", "ЗУХ", (), ("zuh@altantal.gov.mn",), "")
    due = remind.Due(dept, True, "ЗУХ.xlsx", 17, [f"алдаа {n}" for n in range(17)])
    late = remind.reminder_message(due, "2026-10", dt.date(2026, 11, 5), dt.date(2026, 11, 6))
    assert late.subject == "Сануулга: 2026-10 тайлангийн алдаа — ЗУХ / Reminder: errors in the 2026-10 report — ЗУХ"
    listed = "".join(f"  - алдаа {n}\n" for n in range(15))
    assert late.body == (
        "Сайн байна уу,\n\nЗахиргаа, удирдлагын хэлтэс-ийн ирүүлсэн \"ЗУХ.xlsx\" тайланд 17 алдаа засагдаагүй байна. "
        "Тайлан ирүүлэх хугацаа 2026 оны 11 дүгээр сарын 5-ны дууссан (1 хоног хэтэрсэн).\n" + listed +
        "  ... бусад 2 / 2 more\nАлдааг засаж, тайланг дахин илгээнэ үү.\n\n" + "-" * 60 + "\nEnglish\n\n"
        "The report \"ЗУХ.xlsx\" of Захиргаа, удирдлагын хэлтэс still has 17 errors (listed above). "
        "The deadline was 2026-11-05 (1 day ago).\nPlease correct them and send the report again.\n")
    missing = remind.reminder_message(remind.Due(dept, False), "2026-Q3", dt.date(2026, 10, 5), dt.date(2026, 10, 5))
    assert missing.subject == "Сануулга: 2026-Q3 тайлан ирээгүй — ЗУХ / Reminder: 2026-Q3 report missing — ЗУХ"
    assert missing.body.splitlines()[2] == ("Захиргаа, удирдлагын хэлтэс-ийн 2026 оны III улирлын төлөвлөгөөний "
                                            "хэрэгжилтийн тайлан ирээгүй байна. Тайлан ирүүлэх хугацаа өнөөдөр "
                                            "(2026 оны 10 дугаар сарын 5-ны) дуусна.")
    assert missing.body.splitlines()[-1] == "Please send it to this address as an attachment."
    assert missing.body.splitlines()[-2] == ("The 2026 Q3 plan implementation report of Захиргаа, удирдлагын хэлтэс "
                                             "has not arrived. The deadline is today, 2026-10-05.")
    attachment = tmp_path / "ЗУХ.xlsx"
    attachment.write_bytes(b"template")
    sent = remind.template_message(dept, "2026-10", Prefilled(dept, attachment, 5, True, "2026-09"), dt.date(2026, 11, 5))
    assert sent.body.splitlines()[2:4] == [
        "Захиргаа, удирдлагын хэлтэс-ийн 2026 оны 10 дугаар сарын төлөвлөгөөний хэрэгжилтийн тайлангийн загварыг "
        "хавсаргав. Загварт батлагдсан төлөвлөгөөний арга хэмжээ, 2026-09-ны гүйцэтгэл бөглөгдсөн тул зөвхөн өөрчлөгдсөн "
        "хэсгийг шинэчилнэ үү.",
        "Бөглөсөн тайланг 2026 оны 11 дүгээр сарын 5-ны дотор энэ хаягаар хариу илгээнэ үү. Загварын толгой, хуудасны "
        "нэрийг өөрчлөхгүй байхыг хүсье."]
    assert sent.body.splitlines()[-2] == ("Attached is the October 2026 report template of Захиргаа, удирдлагын хэлтэс. "
                                          "The template holds the approved plan's measures and the progress of 2026-09: "
                                          "update only what moved.")
