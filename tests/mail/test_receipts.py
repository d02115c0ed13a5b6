"""Receipt composition: pure, Mongolian first, every problem with its sheet and cell."""

from __future__ import annotations

import datetime as dt
import re
from email import message_from_bytes, policy

from pipeline.mail.receipts import ReceiptFile, ReceiptRequest, compose_receipt, english_part, receipt_subject, receipt_text
from pipeline.problems import Problem

UB = dt.timezone(dt.timedelta(hours=8))


def request(**changes: object) -> ReceiptRequest:
    base = dict(
        to="hezh@altantal.gov.mn", from_addr="hshu@altantal.gov.mn", subject_template="Хариу: {file} ({department}, {period})",
        original_subject="ХЭЗХ тайлан", original_date=dt.datetime(2026, 11, 4, 1, 30, tzinfo=dt.UTC),
        original_message_id="<m3@altantal.gov.mn>",
        files=(ReceiptFile("ХЭЗХ 10 сар.xlsx", "Хууль, эрх зүйн хэлтэс", "2026-10", 12, (
            Problem("timeframe-invalid", file="ХЭЗХ 10 сар.xlsx", sheet="Төлөвлөгөө", cell="F9", value="I-V улирал"),
            Problem("target-missing", file="ХЭЗХ 10 сар.xlsx", sheet="Төлөвлөгөө", cell="E12"),
        )),),
        notes=(Problem("attachment-not-spreadsheet", file="logo.png", value="logo.png"),),
        tz=UB,
    )
    base.update(changes)
    return ReceiptRequest(**base)  # type: ignore[arg-type]


def test_problems_with_sheet_and_cell_in_both_languages() -> None:
    text = receipt_text(request())
    mongolian, english = text.split("English", 1)
    assert "2026-11-04 09:30" in mongolian  # the sender's time, in the configured zone
    assert "[алдаа] хуудас «Төлөвлөгөө», нүд F9" in mongolian and "I-V улирал" in mongolian
    assert "[анхааруулга] хуудас «Төлөвлөгөө», нүд E12" in mongolian
    assert mongolian.index("нүд F9") < mongolian.index("нүд E12")  # errors first
    assert "logo.png" in mongolian and "засаад дахин илгээнэ үү" in mongolian
    assert "[error] sheet «Төлөвлөгөө», cell F9" in english and "Measures: 12" in english


def test_accepted_without_problems() -> None:
    text = receipt_text(request(files=(ReceiptFile("ЗУХ.xlsx", "Захиргаа, удирдлагын хэлтэс", "2026-10", 5),), notes=()))
    assert "ЗУХ.xlsx — ХҮЛЭЭН АВЛАА" in text and "ЗУХ.xlsx — ACCEPTED" in text
    assert "Арга хэмжээний тоо: 5" in text and "засаад" not in text


def test_the_receipt_names_the_period_by_its_label_a_quarter_is_no_month() -> None:
    files = (ReceiptFile("ЗУХ.xlsx", "Захиргаа, удирдлагын хэлтэс", "2026-Q3", 5),
             ReceiptFile("ХБТХ.xlsx", "Хөгжлийн бодлого, төлөвлөлтийн хэлтэс", "2026-10", 4))
    lines = receipt_text(request(files=files, notes=())).splitlines()
    assert [line.strip() for line in lines if line.strip().startswith(("Тайлант", "Period"))] == [
        "Тайлант хугацаа: 2026 оны III улирал", "Тайлант хугацаа: 2026 оны 10 дугаар сар",
        "Period: 2026 Q3", "Period: October 2026"]


def test_no_report_taken() -> None:
    text = receipt_text(request(files=(), notes=(Problem("mail-no-attachment", file="✉ x"),)))
    assert "Excel (.xlsx) загвараа хавсаргаад дахин илгээнэ үү" in text and "No report was taken" in text


def test_the_message_threads_and_says_it_is_automatic() -> None:
    message = compose_receipt(request())
    parsed = message_from_bytes(message.as_bytes(policy=policy.SMTP), policy=policy.default)
    assert parsed["Subject"] == "Хариу: ХЭЗХ 10 сар.xlsx (Хууль, эрх зүйн хэлтэс, 2026-10)"
    assert parsed["In-Reply-To"] == "<m3@altantal.gov.mn>" and parsed["Auto-Submitted"] == "auto-replied"
    assert parsed["Message-ID"].endswith("@altantal.gov.mn>")
    assert "нүд F9" in parsed.get_content()
    assert receipt_subject(request(files=(), subject_template="Хариу: {file}")) == "Хариу: ХЭЗХ тайлан"


# --- issue 13 --------------------------------------------------------------------------------------------
LONG_NAME = "Хөгжлийн бодлого, төлөвлөлтийн хэлтсийн 2026 оны 10 сарын тайлан эцсийн хувилбар.xlsx"


def test_a_long_cyrillic_subject_folds_without_losing_a_space() -> None:
    req = request(files=(ReceiptFile(LONG_NAME, None, None, 3),), subject_template="Тайлангийн хариу / Report receipt: {file}")
    raw = compose_receipt(req).as_bytes(policy=policy.SMTP)
    head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    subject_lines = head.split("Subject: ", 1)[1].split("\r\nDate:", 1)[0].split("\r\n")
    assert len(subject_lines) == 5 and all(len(line) <= 78 for line in subject_lines)
    assert all(line.startswith(" =?utf-8?b?") for line in subject_lines[1:])  # folded between encoded words only
    parsed = message_from_bytes(raw, policy=policy.default)
    assert parsed["Subject"] == f"Тайлангийн хариу / Report receipt: {LONG_NAME}"
    assert "10 сарын" in parsed["Subject"]


def test_english_lines_carry_no_mongolian_details() -> None:
    header = Problem("header-missing", file="ЗУХ.xlsx",
                     detail="эхний 30 мөрөнд \"Арга хэмжээ\" баганатай хүснэгт алга / no sheet has a \"Арга хэмжээ\" column")
    failed = Problem("receipt-failed", file="a@b.mn", value="a@b.mn",
                     detail="SMTP: илгээж чадсангүй (554 " + "x" * 300 + ") / sending failed (554 " + "x" * 300 + ")")
    text = receipt_text(request(files=(ReceiptFile("ЗУХ.xlsx", None, None, 0, (header,)),), notes=(failed,)))
    english = text.split("English", 1)[1]
    assert "no sheet has a \"Арга хэмжээ\" column" in english and "эхний 30" not in english
    assert "sending failed (554 " + "x" * 300 + ")" in english and "чадсангүй" not in english  # whole, not cut
    quoted = re.sub(r"«[^»]*»|\"[^\"]*\"|ЗУХ\.xlsx", "", english)
    assert re.findall(r"[\u0400-\u04ff]+", quoted) == []
    assert "эхний 30 мөрөнд" in text.split("English", 1)[0]  # the Mongolian section keeps its own words
    assert english_part("A1:Z900, 1,200 нүд / cells") == "A1:Z900, 1,200 cells"
    assert english_part("«Тайлан.xlsx» / x") == "«Тайлан.xlsx» / x"  # only quoted Cyrillic: kept whole


def test_a_blank_template_is_an_error_not_an_accepted_report() -> None:
    blank = Problem("template-empty", file="ЗУХ.xlsx", sheet="Төлөвлөгөө", cell="B8")
    text = receipt_text(request(files=(ReceiptFile("ЗУХ.xlsx", "Захиргаа, удирдлагын хэлтэс", "2026-10", 0, (blank,)),), notes=()))
    assert "ЗУХ.xlsx — ТАЙЛАН ГЭЖ ТООЦООГҮЙ: загвар хоосон — бөглөөд дахин илгээнэ үү" in text
    assert "ЗУХ.xlsx — NOT COUNTED AS A REPORT: the template is blank — please fill it in and send it again" in text
    assert "ХҮЛЭЭН АВЛАА" not in text and "ACCEPTED" not in text
    assert "[алдаа] хуудас «Төлөвлөгөө», нүд B8: Загварт нэг ч арга хэмжээ бичигдээгүй" in text
