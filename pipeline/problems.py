"""Problems: small declarative records with a stable code, a location and a message template.

Checks *yield* problems; the run collects them into one `ProblemLog`, so the specialist gets the
complete list at the end instead of the first exception. The catalogue below is the single place
where a code's severity and its Mongolian and English wording live.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

Severity = Literal["error", "warning"]
Lang = Literal["mn", "en"]


@dataclass(frozen=True, slots=True)
class ProblemType:
    severity: Severity
    mn: str
    en: str


# Message templates take `{value}`, `{detail}` and other keys from Problem.params.
# Missing keys render as empty text (see `_SafeDict`), so a template never raises.
CATALOGUE: dict[str, ProblemType] = {
    # --- files -------------------------------------------------------------------------------------
    "file-unreadable": ProblemType(
        "error",
        "Файлыг Excel ажлын ном гэж уншиж чадсангүй ({detail}). Excel-ээр нээж .xlsx хэлбэрээр дахин хадгалаад илгээнэ үү.",
        "The file could not be read as an Excel workbook ({detail}). Open it in Excel, save as .xlsx and resend.",
    ),
    "file-encrypted": ProblemType(
        "error",
        "Файл нууц үгээр хамгаалагдсан тул уншиж чадсангүй. Нууц үггүйгээр хадгалаад дахин илгээнэ үү.",
        "The workbook is password-protected. Save it without a password and resend.",
    ),
    "file-unsafe": ProblemType(
        "error",
        "Файлд аюултай бүтэц илэрсэн тул уншаагүй ({detail}). Загварыг шинээр бөглөж илгээнэ үү.",
        "The file contains an unsafe structure and was refused ({detail}). Fill a fresh template and resend.",
    ),
    "file-too-large": ProblemType(
        "error",
        "Файлын задалсан хэмжээ хэт их байна ({detail}). Илүүдэл хуудас, зургийг устгаад дахин илгээнэ үү.",
        "The file is too large once unpacked ({detail}). Remove extra sheets or images and resend.",
    ),
    "file-legacy-format": ProblemType(
        "warning",
        "Хуучин {detail} хэлбэрийн файл байна. Уншсан боловч дараа нь .xlsx хэлбэрээр хадгалж илгээнэ үү.",
        "An old {detail} file. It was read, but please save as .xlsx next time.",
    ),
    "file-macros-ignored": ProblemType(
        "warning",
        "Файлд макро байна. Зөвхөн утгуудыг уншсан; макро ажиллуулаагүй, хадгалаагүй.",
        "The workbook contains macros. Only the values were read; macros were neither run nor kept.",
    ),
    "file-duplicate": ProblemType(
        "warning",
        "Энэ файл өмнө ирсэн {detail} файлтай яг ижил тул дахин бүртгээгүй.",
        "This file is byte-identical to {detail}, received earlier; it was not recorded again.",
    ),
    "archive-file-missing": ProblemType(
        "error",
        "Архивт хадгалсан файл {value} олдсонгүй ({detail}-нд ирсэн). Ирсэн файлыг устгаж, зөөж болохгүй: энэ "
        "хугацааны дүнг түүнгүйгээр гаргахгүй. Файлыг нөөц хуулбар эсвэл ирсэн захидлаас сэргээнэ үү.",
        "The archived file {value} (received {detail}) is missing. Received files must never be deleted or moved: "
        "the period is not published without it. Restore it from a backup or the original email.",
    ),
    "archive-file-changed": ProblemType(
        "error",
        "Архивт хадгалсан файл {value} ({detail}-нд ирсэн) ирснээсээ хойш өөрчлөгдсөн байна. Ирсэн файлыг засаж "
        "болохгүй: засвар бол шинэ файлаар ирүүлнэ. Анхны файлыг сэргээнэ үү.",
        "The archived file {value} (received {detail}) has changed since it arrived. Received files must never be "
        "edited: a correction comes as a new file. Restore the original.",
    ),
    # --- guarded reading (issue 12) ---
    "file-reader-crashed": ProblemType(
        "error",
        "Энэ файлыг уншиж байхад уншигч програм зогссон ({detail}). Файл гэмтсэн эсвэл хэт их санах ой шаардаж байж "
        "магадгүй; бусад файлыг хэвийн уншлаа. Excel-ээр нээж .xlsx хэлбэрээр дахин хадгалаад илгээнэ үү.",
        "Reading this file stopped the reader ({detail}). The file may be damaged or need too much memory; the other "
        "files were read as usual. Open it in Excel, save as .xlsx and resend.",
    ),
    "file-too-slow": ProblemType(
        "error",
        "Энэ файлыг {detail} секундэд уншиж дуусгаагүй тул орхилоо; бусад файлыг хэвийн уншлаа. Илүүдэл хуудас, мөрийг "
        "устгаж, .xlsx хэлбэрээр хадгалаад дахин илгээнэ үү.",
        "This file could not be read within {detail} seconds and was left out; the other files were read as usual. "
        "Delete extra sheets and rows, save as .xlsx and resend.",
    ),
    "file-not-spreadsheet": ProblemType(
        "error",
        "Энэ файл Excel хүснэгт биш ({detail}) тул тайлан гэж уншаагүй; хадгалж авлаа. Тайлангаа .xlsx хэлбэрээр илгээнэ үү.",
        "This file is not a spreadsheet ({detail}), so it was not read as a report; it was kept. Send the report as .xlsx.",
    ),
    "sheet-unreadable": ProblemType(
        "warning",
        "\"{sheet}\" хуудас гэмтсэн тул уншаагүй ({detail}); бусад хуудсыг уншлаа.",
        "Sheet \"{sheet}\" is damaged and was not read ({detail}); the other sheets were read.",
    ),
    # --- sheets and tables -------------------------------------------------------------------------
    "header-missing": ProblemType(
        "error",
        "Төлөвлөгөөний хүснэгтийн толгой олдсонгүй: {detail}. Стандарт загварын толгойг ашиглана уу.",
        "No plan table header was found: {detail}. Use the standard template header.",
    ),
    "column-missing": ProblemType(
        "warning",
        "\"{detail}\" багана олдсонгүй; арга хэмжээнүүдийг үнэлэхгүйгээр нэгтгэлээ.",
        "Column \"{detail}\" was not found; the measures were consolidated unscored.",
    ),
    "sheet-hidden-skipped": ProblemType(
        "warning",
        "Нуусан \"{sheet}\" хуудсанд төлөвлөгөөний хүснэгт байсан боловч нэгтгээгүй.",
        "Hidden sheet \"{sheet}\" holds a plan table; it was not consolidated.",
    ),
    "several-plan-sheets": ProblemType(
        "warning",
        "Нэг файлд {detail} төлөвлөгөөний хуудас байна; бүгдийг нэгтгэлээ. Давхардсан эсэхийг шалгана уу.",
        "The file holds {detail} plan sheets; all were consolidated. Check they are not copies.",
    ),
    "sheet-too-large": ProblemType(
        "error",
        "\"{sheet}\" хуудас хэт том ({detail}) тул уншаагүй. Хүснэгтээс хол доор эсвэл баруун талд санамсаргүй бичсэн "
        "утга байж магадгүй: илүүдэл мөр, баганыг устгаж хадгалаад дахин илгээнэ үү.",
        "Sheet \"{sheet}\" is too large ({detail}) and was not read. A stray value far below or right of the table "
        "may cause this: delete the extra rows and columns, save and resend.",
    ),
    "table-empty": ProblemType(
        "warning",
        "Хүснэгтэд арга хэмжээ бичигдээгүй байна.",
        "The table holds no measures.",
    ),
    "template-empty": ProblemType(
        "error",
        "Загварт нэг ч арга хэмжээ бичигдээгүй тул тайлан гэж тооцоогүй. Арга хэмжээ, гүйцэтгэлээ бөглөөд дахин илгээнэ үү.",
        "The template holds no measure, so it does not count as a report. Fill in the measures and progress and resend.",
    ),
    "formula-no-value": ProblemType(
        "warning",
        "Нүдэнд томьёо байгаа ч тооцоолсон утга хадгалагдаагүй. Excel-ээр нээж хадгалаад дахин илгээнэ үү.",
        "The cell holds a formula with no saved value. Open the file in Excel, save it and resend.",
    ),
    "rows-truncated": ProblemType(
        "warning",
        "Хуудас хэт олон мөртэй ({detail}); эхний мөрүүдийг л уншлаа.",
        "The sheet has too many rows ({detail}); only the first rows were read.",
    ),
    "text-truncated": ProblemType(
        "warning",
        "Нүдний текст хэт урт ({detail} тэмдэгт) тул богиносгосон.",
        "The cell text is too long ({detail} characters) and was shortened.",
    ),
    # --- who and when ------------------------------------------------------------------------------
    "department-unknown": ProblemType(
        "error",
        "Аль хэлтэс, нэгжийн тайлан болохыг тогтоож чадсангүй{detail}. Загварын \"Хэлтэс, нэгж\" нүдийг бөглөнө үү.",
        "The reporting department could not be identified{detail}. Fill the template's department cell.",
    ),
    "department-not-listed": ProblemType(
        "error",
        "Тайлангийн «Хэлтэс, нэгж» нүдэнд «{value}» гэж бичсэн нь mappings/departments.yaml жагсаалтад алга. Энэ нэгж "
        "тайлан ирүүлэх ёстой бол жагсаалтад нэмнэ үү (эсвэл aliases-д энэ бичлэгийг нэмнэ), дараа нь дахин ажиллуулна уу.",
        "The report's department cell says «{value}», which is not in mappings/departments.yaml. If this unit reports, "
        "add it to the list (or this spelling to its aliases) and run again.",
    ),
    "department-ambiguous": ProblemType(
        "error",
        "Тайлан хэд хэдэн хэлтэст тохирч байна: {detail}. Загварын \"Хэлтэс, нэгж\" нүдэнд нэрийг бүтнээр бичнэ үү.",
        "The file matches several departments: {detail}. Write the full name in the department cell.",
    ),
    "period-missing": ProblemType(
        "warning",
        "Тайлант сар бичигдээгүй тул {detail} гэж үзлээ. Загварын \"Тайлант сар\" нүдийг бөглөнө үү.",
        "The reporting month is not filled in; {detail} was assumed. Fill the template's month cell.",
    ),
    "period-invalid": ProblemType(
        "error",
        "Тайлант хугацааг \"{value}\" гэж бичсэнийг ойлгосонгүй.",
        "The reporting period \"{value}\" was not understood.",
    ),
    "submission-superseded": ProblemType(
        "warning",
        "Энэ хэлтэс дараа нь шинэ тайлан ирүүлсэн тул {detail} ирсэн энэ файлыг нэгтгэлд ашиглаагүй.",
        "A newer report from this department replaces this file, received {detail}.",
    ),
    "report-missing": ProblemType(
        "warning",
        "{value} тайлангаа ирүүлээгүй байна. Хариуцах: {detail}.",
        "{value} has not reported. Responsible: {detail}.",
    ),
    "report-late": ProblemType(
        "warning",
        "{value} тайлангаа {detail} хоног хоцорч ирүүлсэн.",
        "{value} reported {detail} days late.",
    ),
    "arrived-after-closing": ProblemType(
        "warning",
        "Тайлант хугацааг хаасны дараа ирсэн тул хадгалсан боловч дүнд нөлөөлөөгүй.",
        "Arrived after the period was closed: archived, but the closed figures are unchanged.",
    ),
    # --- notation ----------------------------------------------------------------------------------
    "legacy-text-converted": ProblemType(
        "warning",
        "Хуучин фонтоор бичсэн текстийг кирилл рүү хөрвүүллээ: \"{value}\" → \"{detail}\".",
        "Text typed in a legacy font was converted to Cyrillic: \"{value}\" → \"{detail}\".",
    ),
    "timeframe-interpreted": ProblemType(
        "warning",
        "Хугацаа: {detail}. Зөв эсэхийг шалгана уу.",
        "The timeframe was interpreted: {detail}. Please check it.",
    ),
    "timeframe-invalid": ProblemType(
        "error",
        "Хугацааг \"{value}\" гэж бичсэнийг ойлгосонгүй. \"I-IV улирал\" гэх мэтээр бичнэ үү. Арга хэмжээг үнэлээгүй.",
        "The timeframe \"{value}\" was not understood. Write it like \"I-IV улирал\". The measure is unscored.",
    ),
    "target-missing": ProblemType(
        "warning",
        "Хүрэх түвшин бичигдээгүй байна.",
        "The target level is empty.",
    ),
    "target-unparsed": ProblemType(
        "warning",
        "Хүрэх түвшнийг \"{value}\" гэж бичсэнээс тоон утга, биелэх нөхцөл тодорхойлж чадсангүй.",
        "No measurable target could be read from \"{value}\".",
    ),
    "actual-from-narrative": ProblemType(
        "warning",
        "Хүрсэн түвшин тайлбартай холилдсон: {detail}. Тоог дангаар нь бичиж, тайлбарыг \"Гүйцэтгэл\" баганад бичнэ үү.",
        "The achieved value was read from narrative text: {detail}.",
    ),
    "actual-ambiguous": ProblemType(
        "warning",
        "Хүрсэн түвшинд хэд хэдэн тоо байгаа тул аль нь болохыг тодорхойлж чадсангүй: \"{value}\".",
        "The achieved value holds several numbers; none was taken: \"{value}\".",
    ),
    "actual-unread": ProblemType(
        "warning",
        "Хүрсэн түвшинд бичсэнээс утга ч, төлөв ч уншиж чадсангүй ({detail}); арга хэмжээг үнэлээгүй. Тоо эсвэл "
        "\"Бүрэн хэрэгжсэн\" гэх мэт төлөвийн үгээр бичнэ үү.",
        "No value and no status could be read from the achieved value ({detail}); the measure is unscored. Write "
        "a number or a status word such as \"Бүрэн хэрэгжсэн\".",
    ),
    "actual-interpreted": ProblemType(
        "warning",
        "Хүрсэн түвшин: {detail}. Зөв эсэхийг шалгана уу.",
        "The achieved value was interpreted: {detail}. Please check it.",
    ),
    # --- notation (issue 14) ---
    "target-range": ProblemType(
        "warning",
        "Хүрэх түвшинг \"{value}\" гэж хүрээгээр бичсэн тул дээд хязгаараар нь уншлаа. Нэг тоогоор бичнэ үү.",
        "The target \"{value}\" is a range; it was read by its upper end. Write one figure.",
    ),
    "target-direction-from-baseline": ProblemType(
        "warning",
        "Хүрэх түвшин \"{value}\" суурь түвшнээс бага тул \"бууруулах\" (ихгүй байх) гэж уншлаа. Зөв эсэхийг шалгана уу.",
        "The target \"{value}\" is below the baseline, so it was read as \"reduce to\" (at most). Please check it.",
    ),
    "actual-fraction-as-percent": ProblemType(
        "warning",
        "Хүрсэн түвшин \"{value}\"-г хувиар бичих ёстой тул бутархай гэж үзэн 100-аар үржүүллээ. Зөв эсэхийг шалгана уу.",
        "The achieved value \"{value}\" under a percent target was read as a share, times 100. Please check it.",
    ),
    # --- scoring -----------------------------------------------------------------------------------
    "self-assessed": ProblemType(
        "warning",
        "Зөвхөн хэлтсийн өөрийн үнэлгээгээр ({detail}) дүгнэлээ.",
        "Scored only by the department's own assessment ({detail}).",
    ),
    "unscored": ProblemType(
        "warning",
        "Хугацаа нь болсон боловч хүрсэн түвшин, үнэлгээ байхгүй тул үнэлж чадсангүй.",
        "The measure is due but has no achieved value or evaluation, so it is unscored.",
    ),
    "evaluation-invalid": ProblemType(
        "error",
        "Үнэлгээг \"{value}\" гэж бичсэн нь аргачлалын түвшин ({detail}) биш байна.",
        "The evaluation \"{value}\" is not a level of the methodology ({detail}).",
    ),
    "review-level-invalid": ProblemType(
        "error",
        "Хяналтын файлд \"{value}\" гэж бичсэн нь аргачлалын түвшин биш тул тооцоогүй ({detail}); засах хүртэл нүдэндээ үлдэнэ.",
        "The review file's level \"{value}\" is not a level of the methodology and is not applied ({detail}); it stays in its cell until fixed.",
    ),
    "review-row-unmatched": ProblemType(
        "warning",
        "Хяналтын файлын энэ мөрийн арга хэмжээ одоогийн тайланд олдсонгүй; засварыг хадгалж үлдээлээ.",
        "This review row matches no measure in the current reports; the override is kept.",
    ),
    # --- review and timeliness (issue 11) ---
    "review-period-closed": ProblemType(
        "error",
        "{detail} үе хаагдсан тул хянагчийн нүдэнд \"{value}\" гэж бичсэнийг хүлээж аваагүй; мөрдөж буй утгыг буцааж бичлээ. "
        "Өөрчлөх бол эхлээд дахин нээнэ үү (negtgel reopen --period {detail}).",
        "The period {detail} is closed, so \"{value}\" typed in this review cell was refused; the value in force is written back. "
        "To change it, reopen first (negtgel reopen --period {detail}).",
    ),
    "review-other-workbook": ProblemType(
        "warning",
        "Хянагчийн түвшинг {detail} файлаас уншдаг; энэ файлын нүдэнд \"{value}\" гэж бичсэнийг тооцоогүй. {detail} файлд оруулна уу.",
        "Reviews are read from {detail}; \"{value}\" typed in this file's review cell was not used. Type it in {detail}.",
    ),
    "not-due-in-narrative": ProblemType(
        "warning",
        "Гүйцэтгэлийн тайлбарт \"{value}\" гэж дурдсан боловч арга хэмжээг хугацаа болсон гэж үнэлэв. Хугацаа болоогүй бол "
        "хүрсэн түвшин эсвэл үнэлгээний нүдэнд «ХБ» гэж бичнэ үү.",
        "The progress narrative mentions \"{value}\", but the measure is scored as due. If it is not yet due, write ХБ in the "
        "achieved level or evaluation cell.",
    ),
    # --- mail --------------------------------------------------------------------------------------
    "attachment-winmail-unreadable": ProblemType(
        "error",
        "Outlook-ийн \"{value}\" хавсралтыг задалж чадсангүй; дотор нь тайлан байж болзошгүй. Илгээгчээс Outlook-ийн "
        "\"Format Text\" цэснээс HTML хэлбэрийг сонгоод тайлангаа дахин илгээхийг хүснэ үү.",
        "Outlook's \"{value}\" attachment could not be unpacked; it may hold a report. Ask the sender to choose HTML "
        "under Outlook's \"Format Text\" and send the report again.",
    ),
    "attachment-not-spreadsheet": ProblemType(
        "warning",
        "\"{value}\" хавсралт Excel файл биш тул тайлан гэж аваагүй.",
        "Attachment \"{value}\" is not a spreadsheet and was not taken as a report.",
    ),
    "attachment-too-large": ProblemType(
        "error",
        "\"{value}\" хавсралт хэт том ({detail}) тул аваагүй.",
        "Attachment \"{value}\" is too large ({detail}) and was not taken.",
    ),
    "mail-no-attachment": ProblemType(
        "warning",
        "Захидалд Excel хавсралт байхгүй байна.",
        "The message has no spreadsheet attachment.",
    ),
    "sender-unknown": ProblemType(
        "error",
        "Илгээгч {value} бүртгэлтэй хэлтэст хамаарахгүй тул файлыг хорио цээрийн хавтаст хадгаллаа.",
        "Sender {value} belongs to no registered department; the file was quarantined.",
    ),
    "mail-too-large": ProblemType(
        "error",
        "Захидал хэт том ({detail}) тул татаж аваагүй. Хавсралтыг жижигрүүлж, тусад нь илгээнэ үү.",
        "The message is too large ({detail}) and was not downloaded. Send smaller attachments separately.",
    ),
    "mail-unreadable": ProblemType(
        "error",
        "Хадгалсан захидлыг уншиж чадсангүй ({detail}).",
        "The saved message could not be read ({detail}).",
    ),
    "receipt-failed": ProblemType(
        "warning",
        "{value} хаяг руу хариу илгээж чадсангүй ({detail}); дараагийн удаа дахин оролдоно.",
        "The receipt to {value} could not be sent ({detail}); it will be tried again on the next run.",
    ),
    # --- mail intake (issue 13) ---
    "message-id-reused": ProblemType(
        "warning",
        "Энэ захидлын Message-ID ({value}) өмнө ирсэн өөр захидалд байсан. Агуулга нь шинэ тул хүлээн авлаа.",
        "The message's Message-ID ({value}) was used by an earlier message. Its content is new, so it was taken.",
    ),
    "mail-date-skewed": ProblemType(
        "warning",
        "Захидалд бичсэн илгээсэн цаг ({value}) сервер хүлээн авсан цагаас ({detail}) хэт зөрүүтэй байна; илгээгчийн "
        "компьютерийн цаг буруу байж магадгүй. Серверийн цагийг хүлээн авсан цаг гэж тооцлоо.",
        "The message says it was sent at {value}, too far from the time the server received it ({detail}); the "
        "sender's clock may be wrong. The server's time was taken as the received time.",
    ),
    "mail-date-unreadable": ProblemType(
        "warning",
        "Захидлын илгээсэн огноог (\"{value}\") уншиж чадсангүй. Сервер хүлээн авсан цагийг ({detail}) авлаа.",
        "The message's Date (\"{value}\") could not be read. The time the server received it ({detail}) was taken.",
    ),
    "mail-auto-reply": ProblemType(
        "warning",
        "Автомат хариу (ажлаас гадуур байна гэх мэт) тул тайлан гэж аваагүй, хариу илгээгээгүй.",
        "An automatic reply (such as out of office): not a report; no receipt was sent.",
    ),
    "mail-read-receipt": ProblemType(
        "warning",
        "Захидал уншсан тухай мэдэгдэл тул тайлан гэж аваагүй, хариу илгээгээгүй.",
        "A read receipt: not a report; no receipt was sent.",
    ),
    "mail-delivery-report": ProblemType(
        "warning",
        "Шуудангийн серверийн хүргэлтийн мэдэгдэл (хүргэгдээгүй захидал гэх мэт) тул тайлан гэж аваагүй. Өөрийн "
        "илгээсэн захидал хүрээгүй эсэхийг шалгана уу.",
        "A delivery report from a mail server (such as a bounce): not a report. Check whether a message you sent "
        "did not arrive.",
    ),
    "mail-reply-no-report": ProblemType(
        "warning",
        "Хавсралтгүй богино хариу (талархал гэх мэт) тул тайлан гэж аваагүй, хариу илгээгээгүй.",
        "A short reply without attachments (such as a thank-you): not a report; no receipt was sent.",
    ),
    # --- scorecards (issue 18) ---
    "scorecard-value-over-max": ProblemType(
        "error",
        "{value} оноо нь шалгуурын дээд оноо ({detail})-оос их тул тооцоогүй; байгууллагын нийт оноо дутуу. Засаж дахин илгээнэ үү.",
        "{value} points is above the criterion's maximum ({detail}) and was not used; the organisation's total is incomplete. "
        "Correct it and resend.",
    ),
    "scorecard-value-missing": ProblemType(
        "warning",
        "{value}: \"{detail}\" шалгуурт оноо бичигдээгүй. 0 гэж тооцоогүй: нийт оноо дутуу гэж тэмдэглэгдэж, бүрэн "
        "оноотой байгууллагуудын дараа эрэмбэлэгдэнэ.",
        "{value}: no points for \"{detail}\". Not taken as 0: the total is marked incomplete and ranked after the "
        "complete ones.",
    ),
    "scorecard-value-invalid": ProblemType(
        "error",
        "\"{value}\" нь оноо биш ({detail}) тул тооцоогүй; байгууллагын нийт оноо дутуу. 0-ээс дээд оноо хүртэлх тоо бичнэ үү.",
        "\"{value}\" is not points ({detail}) and was not used; the organisation's total is incomplete. Write a number from "
        "0 to the maximum.",
    ),
    "scorecard-unknown-organisation": ProblemType(
        "error",
        "\"{value}\" байгууллага mappings/departments.yaml жагсаалтад алга (эсвэл хэд хэдэнд тохирно) тул энэ мөрийн оноог "
        "тооцоогүй.",
        "The organisation \"{value}\" is not in mappings/departments.yaml (or matches several), so this row's points were "
        "not used.",
    ),
    "scorecard-organisation-twice": ProblemType(
        "error",
        "{value} байгууллага энэ хуудсанд хоёр дахь удаагаа бичигдсэн; эхний мөрийн оноог авлаа.",
        "{value} appears a second time on this sheet; the first row's points were taken.",
    ),
    "scorecard-column-missing": ProblemType(
        "error",
        "\"{detail}\" шалгуурын багана энэ ажлын номд алга (хуучин загвар уу?); энэ шалгуурын оноо дутуу. "
        "negtgel scorecard template-ээр шинэ загвар гаргана уу.",
        "The column of \"{detail}\" is missing from this workbook (an older template?); its points are incomplete. "
        "Write a new one with negtgel scorecard template.",
    ),
    "scorecard-not-a-scorecard": ProblemType(
        "error",
        "Энэ файл «{detail}» үнэлгээний хуудас биш (negtgel scorecard template-ийн бичсэн хуудас олдсонгүй) тул уншаагүй.",
        "This file is not a «{detail}» evaluators' workbook (no sheet written by negtgel scorecard template) and was not read.",
    ),
    "scorecard-other-workbook": ProblemType(
        "error",
        "Энэ ажлын ном «{value}» үнэлгээнийх тул «{detail}»-д тооцоогүй.",
        "This workbook belongs to «{value}», not «{detail}»; it was not used.",
    ),
    "scorecard-evaluator-twice": ProblemType(
        "warning",
        "{value} үнэлгээчний хоёр ажлын ном ирсэн; сүүлд хадгалсан {detail} файлыг авч, энэ файлыг тооцоогүй.",
        "Two workbooks of the evaluator {value}: the one saved last, {detail}, was taken; this one was not used.",
    ),
    "scorecard-not-reported": ProblemType(
        "warning",
        "{value} энэ сарын тайлангаа ирүүлээгүй тул тооцоолох шалгуурт ({detail}) 0 оноо авлаа.",
        "{value} has not reported for the period, so it gets 0 points for the computed criteria ({detail}).",
    ),
    "scorecard-computed-missing": ProblemType(
        "warning",
        "{value}-ийн хугацаа болсон арга хэмжээ алга тул \"{detail}\" шалгуурыг тооцож чадсангүй; нийт оноо дутуу.",
        "{value} has no measure due, so \"{detail}\" cannot be computed; the total is incomplete.",
    ),
    # --- plan year (issue 16) ---
    "plan-removed": ProblemType(
        "warning",
        "Батлагдсан төлөвлөгөөний энэ арга хэмжээ тайланд алга; өөрчлөлтийг зөвшөөрөх хүртэл хэрэгжээгүй гэж тооцно "
        "(`negtgel plan accept`).",
        "This measure of the approved plan is missing from the report; it counts as not done until the change is "
        "accepted (`negtgel plan accept`).",
    ),
    "plan-changed": ProblemType(
        "warning",
        "Батлагдсан төлөвлөгөөнөөс өөрчлөгдсөн ({no}, {what}): төлөвлөгөөнд \"{detail}\", тайланд \"{value}\". "
        "Үнэлгээнд батлагдсан төлөвлөгөөг мөрдөнө; өөрчлөлтийг зөвшөөрвөл `negtgel plan accept`.",
        "Changed from the approved plan ({no}, {what_en}): the plan says \"{detail}\", the report \"{value}\". "
        "Scoring follows the approved plan; to accept the change, `negtgel plan accept`.",
    ),
    "plan-accept-refused": ProblemType(
        "warning",
        "{value} ({no}): хүснэгтэд бичсэн өөрчлөлтийн зөвшөөрлийг бүртгэж чадсангүй: {detail}",
        "{value} ({no}): the acceptance written in the workbook could not be recorded: {detail}",
    ),
    "plan-missing": ProblemType(
        "warning",
        "{value}-ийн {detail} оны батлагдсан төлөвлөгөө алга тул тайланг төлөвлөгөөтэй тулгаагүй. "
        "`negtgel plan import`-оор оруулна уу.",
        "{value} has no approved plan for {detail}, so the report was not compared with one. "
        "Add it with `negtgel plan import`.",
    ),
    # --- hierarchy (issue 17) ---
    "export-tampered": ProblemType(
        "error",
        "Доод шатны нэгтгэлийн файл өөрийн manifest.json-той зөрж байна ({detail}): файлыг өөрчилсөн эсвэл гэмтсэн тул "
        "хүлээж аваагүй. Илгээгч нэгжээс `negtgel export`-аар дахин гаргаж илгээхийг хүснэ үү.",
        "The export contradicts its own manifest.json ({detail}): it was changed or damaged, and was refused. Ask the "
        "sending unit to export it again with `negtgel export` and resend.",
    ),
    "export-period-open": ProblemType(
        "warning",
        "Доод шатны нэгтгэлийн {detail} үе хаагдаагүй байхад гаргасан тул дүн нь эцсийн биш байж болзошгүй.",
        "The export was made while its period {detail} was still open: its figures may not be final.",
    ),
}


class _SafeDict(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return ""


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one place in one file."""

    code: str
    file: str = ""
    sheet: str = ""
    cell: str = ""
    row: int | None = None  # 1-based sheet row, when the problem belongs to a measure row
    value: str = ""
    detail: str = ""
    extra: tuple[tuple[str, str], ...] = field(default=())

    def __post_init__(self) -> None:
        if self.code not in CATALOGUE:
            raise KeyError(f"unknown problem code {self.code!r}")

    @property
    def severity(self) -> Severity:
        return CATALOGUE[self.code].severity

    def message(self, lang: Lang = "mn") -> str:
        kind = CATALOGUE[self.code]
        template = kind.en if lang == "en" else _guillemets(kind.mn)
        params = _SafeDict(self.extra)
        params.update(value=_shorten(self.value), detail=self.detail, sheet=self.sheet, file=self.file)
        text = template.format_map(params)
        # Readings quote cell text in `backticks`; a civil servant reads «guillemets».
        return _QUOTED.sub(r"«\1»", text) if lang != "en" else text


_QUOTED = re.compile(r"`([^`]*)`")


@functools.cache
def _guillemets(template: str) -> str:
    """Mongolian text quotes with «guillemets»; the catalogue is typed with straight quotes."""
    return re.sub(r'"([^"]*)"', r"«\1»", template)


def _shorten(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


PROBLEM_COLUMNS = ["file", "sheet", "cell", "code", "severity", "message"]


class ProblemLog:
    """Collects problems from every stage of a run."""

    def __init__(self, problems: Iterable[Problem] = ()) -> None:
        self._items: list[Problem] = list(problems)

    def add(self, problem: Problem) -> None:
        self._items.append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        self._items.extend(problems)

    def __iter__(self) -> Iterator[Problem]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def has_errors(self, file: str | None = None) -> bool:
        return any(p.severity == "error" and (file is None or p.file == file) for p in self._items)

    def counts(self) -> Mapping[str, int]:
        errors = sum(p.severity == "error" for p in self._items)
        return {"error": errors, "warning": len(self._items) - errors}

    def to_frame(self, lang: Lang = "mn") -> pd.DataFrame:
        """The problems as a table, ordered by file, sheet and position, for the workbook and CSV."""
        records = [
            {
                "file": p.file,
                "sheet": p.sheet,
                "cell": p.cell,
                "code": p.code,
                "severity": p.severity,
                "message": p.message(lang),
                "_row": p.row if p.row is not None else 0,
            }
            for p in self._items
        ]
        frame = pd.DataFrame.from_records(records, columns=[*PROBLEM_COLUMNS, "_row"])
        frame = frame.sort_values(["file", "sheet", "_row", "cell", "code"], kind="stable")
        return frame.drop(columns="_row").drop_duplicates().reset_index(drop=True)
