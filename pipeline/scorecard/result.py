"""The scorecard result workbook, `output/YYYY-MM/scorecard_NAME_YYYY-MM.xlsx` (`.en.xlsx` in English).

Sheets: the result (rank, total, status, the points per criterion, what is missing), a stacked bar chart of
the points, the award list (top N), each evaluator's points beside the combined ones, the problems, and how
the points were counted. Written atomically; every text with `write_string`, so nothing becomes a formula.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pipeline.output.names import localized
from pipeline.output.safe import Written, new_workbook, write_atomically
from pipeline.output.sheets import sheet_name
from pipeline.problems import Lang, Problem, ProblemLog
from pipeline.scorecard.score import Given, Row, awarded
from pipeline.scorecard.spec import EARLIER_REPORT, Scorecard
from pipeline.words import say, table

WORDS: dict[str, tuple[str, str]] = table("scorecard.word")
COMBINE_WORDS = table("scorecard.combine")
RULE_WORDS = table("scorecard.rule")


def result_name(card: Scorecard, period: str, lang: Lang = "mn") -> str:
    return localized(f"scorecard_{card.name}_{period}.xlsx", lang)


def _w(key: str, lang: Lang) -> str:
    mn, en = WORDS[key]
    return en if lang == "en" else mn


def write_result(path: Path, card: Scorecard, period: str, rows: Sequence[Row], given: Sequence[Given], problems: ProblemLog,
                 lang: Lang = "mn") -> Written:
    return write_atomically(path, lambda tmp: _write(tmp, card, period, rows, given, problems, lang))


def _write(tmp: Path, card: Scorecard, period: str, rows: Sequence[Row], given: Sequence[Given], problems: ProblemLog,
           lang: Lang) -> None:
    wb = new_workbook(tmp)
    base = {"font_name": "Arial", "font_size": 10, "valign": "top"}
    f = {
        "header": wb.add_format({**base, "bold": True, "text_wrap": True, "bg_color": "#1F4E78", "font_color": "#FFFFFF",
                                 "border": 1, "align": "center", "valign": "vcenter"}),
        "text": wb.add_format({**base, "text_wrap": True}),
        "number": wb.add_format({**base, "num_format": "0.##"}),
        "partial": wb.add_format({**base, "num_format": "0.##", "bg_color": "#FCE4D6"}),
        "incomplete": wb.add_format({**base, "bold": True, "font_color": "#C00000"}),
        "title": wb.add_format({"bold": True, "font_size": 14, "font_name": "Arial"}),
        "subtitle": wb.add_format({"italic": True, "font_size": 10, "font_name": "Arial", "font_color": "#555555"}),
    }
    taken: set[str] = set()
    names = {key: sheet_name(_w(key, lang), taken) for key in ("result", "chart", "awards", "evaluators", "problems", "method")}
    result = wb.add_worksheet(names["result"])
    chart_sheet = wb.add_worksheet(names["chart"])
    first = _result_sheet(result, card, period, rows, given, f, lang)
    _chart(wb, chart_sheet, names["result"], card, rows, first, lang)
    _awards(wb.add_worksheet(names["awards"]), card, rows, f, lang)
    _evaluators(wb.add_worksheet(names["evaluators"]), card, rows, given, f, lang)
    _problems(wb.add_worksheet(names["problems"]), problems, f, lang)
    _method(wb.add_worksheet(names["method"]), card, f, lang)
    wb.close()


def _label(card: Scorecard, key: str, lang: Lang) -> str:
    return next((c.name(lang) for c in card.criteria if c.key == key), key)


def _missing_text(card: Scorecard, row: Row, lang: Lang) -> str:
    parts = []
    for key, evaluator in row.missing:
        who = evaluator or _w("all_evaluators", lang)
        parts.append(f"{_label(card, key, lang)} ({who})")
    for criterion in card.computed:
        if row.points.get(criterion.key) is None:
            parts.append(criterion.name(lang))
    return "; ".join(parts)


RESULT_FIRST_ROW = 4  # the first organisation's row on the result sheet
FIRST_POINTS_COL = 6


def _result_sheet(ws: Any, card: Scorecard, period: str, rows: Sequence[Row], given: Sequence[Given], f: dict[str, Any],
                  lang: Lang) -> int:
    ws.write_string(0, 0, f"{card.title(lang)} — {period}", f["title"])
    evaluators = ", ".join(g.evaluator for g in given) or "—"
    ws.write_string(1, 0, say("scorecard.evaluators_line", lang, evaluators=evaluators), f["subtitle"])
    titles = [(_w("rank", lang), 7), (_w("organisation", lang), 40), (_w("short", lang), 10),
              (f"{_w('total', lang)} ({card.total:g})", 11), (_w("so_far", lang), 11), (_w("status", lang), 10)]
    titles += [(f"{c.name(lang)} ({c.max:g})", 13) for c in card.criteria]
    titles.append((_w("missing", lang), 45))
    header = RESULT_FIRST_ROW - 1
    for col, (title, width) in enumerate(titles):
        ws.write_string(header, col, title, f["header"])
        ws.set_column(col, col, width)
    ws.set_row(header, 45)
    for i, row in enumerate(rows):
        r = RESULT_FIRST_ROW + i
        ws.write_number(r, 0, row.rank, f["number"])
        ws.write_string(r, 1, row.organisation, f["text"])
        ws.write_string(r, 2, row.short, f["text"])
        if row.complete:
            ws.write_number(r, 3, row.total, f["number"])
        else:
            ws.write_string(r, 3, _w("incomplete", lang), f["incomplete"])
        ws.write_number(r, 4, row.total, f["number"])
        ws.write_string(r, 5, _w("complete" if row.complete else "incomplete", lang), f["text" if row.complete else "incomplete"])
        for j, criterion in enumerate(card.criteria):
            points = row.points[criterion.key]
            if points is None:
                ws.write_string(r, FIRST_POINTS_COL + j, "—", f["incomplete"])
            else:
                ws.write_number(r, FIRST_POINTS_COL + j, points, f["partial" if criterion.key in row.partial else "number"])
        ws.write_string(r, FIRST_POINTS_COL + len(card.criteria), _missing_text(card, row, lang), f["text"])
    ws.freeze_panes(RESULT_FIRST_ROW, 2)
    if rows:
        ws.autofilter(header, 0, RESULT_FIRST_ROW + len(rows) - 1, len(titles) - 1)
    return RESULT_FIRST_ROW


def _chart(wb: Any, ws: Any, sheet: str, card: Scorecard, rows: Sequence[Row], first: int, lang: Lang) -> None:
    ws.write_string(0, 0, f"{card.title(lang)}: {_w('so_far', lang).lower()}")
    if not rows:
        return
    chart = wb.add_chart({"type": "bar", "subtype": "stacked"})
    last = first + len(rows) - 1
    category_col = 2 if all(r.short for r in rows) else 1
    for j, criterion in enumerate(card.criteria):
        col = FIRST_POINTS_COL + j
        chart.add_series({"name": criterion.name(lang), "categories": [sheet, first, category_col, last, category_col],
                          "values": [sheet, first, col, last, col]})
    chart.set_title({"name": card.title(lang)})
    chart.set_y_axis({"reverse": True})
    chart.set_x_axis({"min": 0, "max": card.total})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 900, "height": max(360, 22 * len(rows) + 140)})
    ws.insert_chart(1, 0, chart)


def _awards(ws: Any, card: Scorecard, rows: Sequence[Row], f: dict[str, Any], lang: Lang) -> None:
    heading = say("scorecard.top", lang, top=card.award_top)
    ws.write_string(0, 0, f"{card.title(lang)}: {heading}", f["title"])
    winners = awarded(rows, card.award_top)
    for col, (title, width) in enumerate([(_w("rank", lang), 7), (_w("organisation", lang), 45),
                                          (f"{_w('total', lang)} ({card.total:g})", 12)]):
        ws.write_string(2, col, title, f["header"])
        ws.set_column(col, col, width)
    for i, row in enumerate(winners):
        ws.write_number(3 + i, 0, row.rank, f["number"])
        ws.write_string(3 + i, 1, row.organisation, f["text"])
        ws.write_number(3 + i, 2, row.total, f["number"])
    if not winners:
        ws.write_string(3, 0, _w("no_award", lang), f["text"])


def _evaluators(ws: Any, card: Scorecard, rows: Sequence[Row], given: Sequence[Given], f: dict[str, Any], lang: Lang) -> None:
    titles = [_w("organisation", lang), _w("criterion", lang), *(f"{g.evaluator}\n{g.file}" for g in given), _w("combined", lang)]
    for col, title in enumerate(titles):
        ws.write_string(0, col, title, f["header"])
        ws.set_column(col, col, 40 if col < 2 else 14)
    r = 1
    for row in rows:
        for criterion in card.evaluated:
            ws.write_string(r, 0, row.organisation, f["text"])
            ws.write_string(r, 1, criterion.name(lang), f["text"])
            per = row.by_evaluator.get(criterion.key, {})
            for j, g in enumerate(given):
                value = per.get(g.evaluator)
                if value is None:
                    ws.write_string(r, 2 + j, "—", f["incomplete"])
                else:
                    ws.write_number(r, 2 + j, value, f["number"])
            combined = row.points[criterion.key]
            if combined is None:
                ws.write_string(r, 2 + len(given), "—", f["incomplete"])
            else:
                ws.write_number(r, 2 + len(given), combined, f["partial" if criterion.key in row.partial else "number"])
            r += 1
    ws.freeze_panes(1, 2)


def _problems(ws: Any, problems: ProblemLog, f: dict[str, Any], lang: Lang) -> None:
    frame = problems.to_frame(lang)
    keys = ["file", "sheet", "cell", "code", "severity", "message"]
    widths = [30, 12, 8, 28, 9, 90]
    for col, key in enumerate(keys):
        ws.write_string(0, col, _w(key, lang), f["header"])
        ws.set_column(col, col, widths[col])
    for i, record in enumerate(frame.to_dict("records")):
        for col, key in enumerate(keys):
            ws.write_string(i + 1, col, str(record[key]), f["text"])
    ws.freeze_panes(1, 0)


def _method(ws: Any, card: Scorecard, f: dict[str, Any], lang: Lang) -> None:
    en = lang == "en"
    lines = [card.title(lang), ""]
    for c in card.criteria:
        if c.computed:
            mn, english = RULE_WORDS[c.rule or ""]
            how = (english if en else mn).format(per_day=c.per_day, per_error=c.per_error)
        else:
            word = COMBINE_WORDS[c.combine][en]
            how = say("scorecard.evaluators_combined", lang, word=word)
        lines.append(f"• {c.name(lang)} ({c.max:g}): {how}")
    breaks = [say("scorecard.earlier_report", lang) if k == EARLIER_REPORT else _label(card, k, lang)
              for k in card.tie_break]
    lines += ["", say("scorecard.method_total", lang, total=card.total, rounding=card.rounding),
              say("scorecard.ties", lang, breaks=say("scorecard.ties_then", lang).join(breaks) if breaks
                  else say("scorecard.ties_none", lang)),
              say("scorecard.never_zero", lang),
              say("scorecard.awards", lang, top=card.award_top)]
    ws.set_column(0, 0, 120)
    for r, line in enumerate(lines):
        ws.write_string(r, 0, line, f["title"] if r == 0 else f["text"])


def problem_lines(problems: ProblemLog, lang: Lang, limit: int = 10) -> list[str]:
    """The errors to show on the terminal, each with its place."""
    errors: list[Problem] = [p for p in problems if p.severity == "error"]
    return [f"{p.file} {p.sheet} {p.cell}".strip() + f": {p.message(lang)}" for p in errors[:limit]]
