"""The specialist's whole plan year (issue 16), end to end through the CLI on real template files in a workspace
of its own, with the mail through a real SMTP server (aiosmtpd, as tests/mail) and read back:

plan import for three departments (ЭМГ reports quarterly) → October templates out → October reports (ЗУХ quietly
lowers a target, ХХААГ drops a measure) → reminders → the quarter's template and report for ЭМГ → the removed
measure accepted → October closed → the year-end templates and reports → the annual evaluation of 2026.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
from collections.abc import Iterator
from email.header import decode_header, make_header
from pathlib import Path
from typing import Any

import pytest
import yaml

from pipeline import remind
from pipeline.config import Config, load_config
from pipeline.read.workbook import read_file
from pipeline.template import write_template
from tests.mail.conftest import write_mail_yaml
from tests.mail.servers import SmtpServer
from tests.test_outgoing import attachments, body
from tests.test_plan import EMG, EXAMPLE, HHAAG, ZUH, example_measures, import_all, negtgel, year

__all__ = ["year"]  # the fixture, used by name


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


def rows_of(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def subject_of(received: Any) -> str:
    return str(make_header(decode_header(received.message["Subject"])))


def missing_in(root: Path, period: str) -> set[str]:
    return {r["message"].split(" тайлангаа ирүүлээгүй")[0] for r in rows_of(root / "output" / period / "problems.csv")
            if r["code"] == "report-missing"}


def sent_to(smtp: SmtpServer, since: int) -> list[str]:
    return sorted(address for r in smtp.received[since:] for address in r.rcpt_tos)


def test_the_specialists_year(year: dict[str, Any], smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch, config: Config) -> None:
    root = year["root"]
    # ЭМГ reports quarterly (departments.yaml `cycle:`); its October file of the fixture is not part of this year.
    path = root / "mappings" / "departments.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    next(d for d in data["departments"] if d["name"] == EMG)["cycle"] = "quarterly"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    (root / "input" / EXAMPLE[EMG]).unlink()
    reports = root.parent / "reports"
    shutil.move(root / "input", reports)  # the October reports arrive after the templates went out
    (root / "input").mkdir()
    write_mail_yaml(root / "mappings", smtp_port=smtp.port)
    ws = load_config(root / "mappings")
    email = {d.name: d.emails[0] for d in ws.departments}
    monthly = [d.name for d in ws.departments if d.name != EMG]

    # 1. The approved plans.
    import_all(root, year["plans"])
    listing = negtgel(root, "plan", "list", "--year", "2026")
    assert listing.exit_code == 0 and all(f"✓ {name}" in listing.output for name in (ZUH, HHAAG, EMG))

    # 2. October's templates out: every monthly department, not the quarterly ЭМГ.
    sent = negtgel(root, "send-templates", "--period", "2026-10", "--send")
    assert sent.exit_code == 0, sent.output
    assert sent_to(smtp, 0) == sorted(email[name] for name in monthly)
    zuh_mail = next(r for r in smtp.received if r.rcpt_tos == [email[ZUH]])
    assert subject_of(zuh_mail) == "Тайлангийн загвар 2026-10 — ЗУХ / Report template 2026-10 — ЗУХ"
    text = body(zuh_mail.message)
    assert f"{ZUH}-ийн 2026 оны 10 дугаар сарын төлөвлөгөөний хэрэгжилтийн тайлангийн загварыг хавсаргав." in text
    assert "2026 оны 11 дүгээр сарын 5-ны дотор" in text
    (name, attached), = attachments(zuh_mail.message).items()
    (root / "got.xlsx").write_bytes(attached)
    got = read_file(root / "got.xlsx", config)
    assert name == "ЗУХ_2026-10_тайлан.xlsx" and got.meta["month"] == 10
    assert [m["target"] for t in got.tables for m in t.measures if m["no"] == "1.2"] == ["10-аас доошгүй"]  # the plan's

    # 3. The October reports come in and are consolidated.
    for report in reports.iterdir():
        shutil.copyfile(report, root / "input" / report.name)
    october = negtgel(root, "run", "--period", "2026-10")
    assert october.exit_code in (0, 1), october.output  # 1: ХХААГ's "I-V улирал" is an error in its file
    measures = {(r["department"], r["measure_no"]): r for r in rows_of(root / "output" / "2026-10" / "measures.csv")}
    lowered = measures[(ZUH, "1.2")]
    assert (lowered["target_text"], lowered["level"], lowered["basis"]) == ("10-аас доошгүй", "70", "computed")
    assert "plan-changed" in lowered["flags"]
    gone = measures[(HHAAG, "2.2")]
    assert (gone["level"], gone["basis"], gone["status"]) == ("0", "plan", "not_done")
    missing = missing_in(root, "2026-10")
    assert missing == set(monthly) - {ZUH, HHAAG}  # ЭМГ owes no month

    # 4. Reminders the day after the deadline: the missing monthly departments and ХХААГ's errors; never ЭМГ.
    monkeypatch.setattr(remind, "local_today", lambda config: dt.date(2026, 11, 6))
    before = len(smtp.received)
    reminded = negtgel(root, "remind", "--period", "2026-10", "--send")
    assert reminded.exit_code == 0, reminded.output
    assert f"waiting for {len(missing) + 1} / {len(monthly)}" in reminded.output
    assert sent_to(smtp, before) == sorted(email[name] for name in [*missing, HHAAG])
    late = next(r for r in smtp.received[before:] if r.rcpt_tos == [email[next(iter(sorted(missing)))]])
    assert "2026 оны 10 дугаар сарын төлөвлөгөөний хэрэгжилтийн тайлан ирээгүй байна" in body(late.message)
    assert "The October 2026 plan implementation report" in body(late.message)
    again = negtgel(root, "remind", "--period", "2026-10", "--send")
    assert again.exit_code == 0 and len(smtp.received) == before + len(missing) + 1  # none twice on one day

    # 5. The quarter: ЭМГ's template, a reminder, its report.
    before = len(smtp.received)
    quarter = negtgel(root, "send-templates", "--period", "2026-Q3", "--send")
    assert quarter.exit_code == 0, quarter.output
    (emg_mail,) = smtp.received[before:]
    assert emg_mail.rcpt_tos == [email[EMG]]
    assert subject_of(emg_mail) == "Тайлангийн загвар 2026-Q3 — ЭМГ / Report template 2026-Q3 — ЭМГ"
    assert f"{EMG}-ийн 2026 оны III улирлын төлөвлөгөөний" in body(emg_mail.message)
    assert "2026 оны 10 дугаар сарын 5-ны дотор" in body(emg_mail.message)
    (name, attached), = attachments(emg_mail.message).items()
    (root / "got.xlsx").write_bytes(attached)
    assert name == "ЭМГ_2026-Q3_тайлан.xlsx" and read_file(root / "got.xlsx", config).meta["period"] == "2026 оны III улирал"
    monkeypatch.setattr(remind, "local_today", lambda config: dt.date(2026, 10, 3))  # two days before 5 October
    waiting = negtgel(root, "remind", "--period", "2026-Q3")
    assert waiting.exit_code == 0 and "waiting for 1 / 1" in waiting.output and f"✗ {EMG}: ирүүлээгүй" in waiting.output
    write_template(root / "input" / "ЭМГ_2026-Q3_тайлан.xlsx", department=EMG, year=2026, month=None, config=config,
                   period="2026-Q3", measures=example_measures(config, EMG), saved=dt.datetime(2026, 10, 4, 2, 0, tzinfo=dt.UTC))
    q3 = negtgel(root, "run", "--period", "2026-Q3")
    assert q3.exit_code in (0, 1), q3.output
    q3_measures = rows_of(root / "output" / "2026-Q3" / "measures.csv")
    assert {r["department"] for r in q3_measures} == {EMG} and missing_in(root, "2026-Q3") == set()
    assert not [r for r in rows_of(root / "output" / "2026-Q3" / "problems.csv") if r["code"] in ("plan-changed", "report-late")]

    # 6. The removed measure accepted, October rebuilt and closed.
    accepted = negtgel(root, "plan", "accept", "--department", "ХХААГ", "--measure", "2.2", "--reason",
                       "Газрын даргын шийдвэрээр хасав", "--year", "2026")
    assert accepted.exit_code == 0, accepted.output
    negtgel(root, "run", "--period", "2026-10")
    assert not [r for r in rows_of(root / "output" / "2026-10" / "measures.csv") if r["department"] == HHAAG and r["measure_no"] == "2.2"]
    closed = negtgel(root, "close", "--period", "2026-10", "--reason", "Удирдлагад танилцуулсан")
    assert closed.exit_code == 0, closed.output

    # 7. The year's end: everybody's template for 2026 (every department owes the annual evaluation), three returned.
    templates = negtgel(root, "template", "--all", "--period", "2026")
    assert templates.exit_code == 0, templates.output
    folder = root / "output" / "templates" / "2026"
    assert len(list(folder.glob("*.xlsx"))) == len(ws.departments)
    assert read_file(folder / "ЗУХ_2026_тайлан.xlsx", config).meta["period"] == "2026 он"
    for short in ("ЗУХ", "ХХААГ", "ЭМГ"):  # returned as pre-filled: the progress of October / the third quarter
        shutil.copyfile(folder / f"{short}_2026_тайлан.xlsx", root / "input" / f"{short} жилийн эцсийн тайлан.xlsx")
    annual = negtgel(root, "run", "--period", "2026")
    assert annual.exit_code in (0, 1), annual.output
    out = root / "output" / "2026"
    rows = rows_of(out / "measures.csv")
    assert {r["department"] for r in rows} == {ZUH, HHAAG, EMG}
    assert missing_in(root, "2026") == {d.name for d in ws.departments} - {ZUH, HHAAG, EMG}
    year_end = {(r["department"], r["measure_no"]): r for r in rows}
    assert (year_end[(ZUH, "1.2")]["target_text"], year_end[(ZUH, "1.2")]["level"]) == ("10-аас доошгүй", "70")
    # The overall figure is the mean of the due, scored levels (docs/methodology.md), as the run says it.
    levels = [float(r["level"]) for r in rows if r["due"] == "true" and r["level"] != ""]
    figure = f"{round(sum(levels) / len(levels) + 1e-9, 1):.1f} %"
    assert re.search(r"\d+\.\d %", annual.output) and figure in annual.output
    assert (out / "summary_2026.xlsx").is_file() and (root / "archive" / "2026" / "ЭМГ").is_dir()
