"""The leadership workbook `summary_YYYY-MM.xlsx`: who is on track and who is not, at a glance.

Sheets: `Самбар` (the overall figure, completeness, status counts and native charts), `Хэлтсүүд` (the
department table), `Хангалтгүй хэрэгжилт` (lagging measures), `Зорилго` (goals), `Ирц` (completeness and timeliness),
`Чиг хандлага` (each department's % over the last 12 periods) and a hidden sheet the dashboard charts read
their data from. Every text cell goes through `write_string` and every series name is a cell reference, so
nothing typed in a template can become a formula or a link. The helpers at the top are shared with the
PNG charts and the PDF digest (`charts.py`).
"""

from __future__ import annotations

import datetime as dt
import math
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from pipeline import cycles
from pipeline.config import Band, Methodology
from pipeline.labels import STATUS_LABELS
from pipeline.output.safe import Written, new_workbook, write_atomically
from pipeline.output.sheets import Col, Formats, TableSheet, print_setup, row_heights, set_row_heights, write_cells
from pipeline.problems import Lang
from pipeline.rollup import STATUS_ORDER
from pipeline.values import is_missing
from pipeline.words import Text, say

if TYPE_CHECKING:
    from pipeline.model import Report

CHART_LIMIT = 60  # with more departments, bar charts show the top and the bottom CHART_SIDE
CHART_SIDE = 30
TREND_SERIES = 10  # department lines in a trend chart besides the overall one
LIST_LIMIT = 10  # missing / late departments named on the dashboard
LAGGING = ("insufficient", "not_done")
DASH = "—"

# Fixed status colours (the bands have their own, from the methodology).
STATUS_COLORS: dict[str, str] = {
    "done": "#2E7D32",
    "in_progress": "#9CCC65",
    "insufficient": "#FFA726",
    "not_done": "#D32F2F",
    "not_due": "#B0BEC5",
    "unscored": "#7E57C2",
}
# "Хангалтгүй" alone is also the name of the lowest rating band: the status label is the methodology's
# "Хэрэгжилт хангалтгүй" (labels.yaml).
_STATUS_MN = {k: v[0] for k, v in STATUS_LABELS.items()}


# --- shared helpers (the PNG charts and the PDF digest use them too) ---------------------------------------------


def tr(lang: Lang) -> Callable[..., str]:
    """`t(key, **params)`: the catalogue's text (pipeline/words/) in the report's language."""
    return lambda key, **params: say(key, lang, **params)


def status_name(status: str, lang: Lang) -> str:
    if lang == "en":
        return STATUS_LABELS.get(status, (status, status))[1]
    return _STATUS_MN.get(status, status)


def period_title(period: str, lang: Lang) -> str:
    """'2026 оны 10 дугаар сарын төлөвлөгөөний хэрэгжилт', '2026 оны III улирлын ...' (pipeline/cycles.py)."""
    named = cycles.try_parse(period)
    if named is None:
        return f"{period} — " + say("summary.plan_implementation", lang)
    if lang == "en":
        return f"Plan implementation, {named.label('en')}"
    return f"{named.genitive()} төлөвлөгөөний хэрэгжилт"


def pct_text(value: Any, rounding: int = 1) -> str:
    return DASH if is_missing(value) else f"{float(value):.{rounding}f}"


def shorten(text: Any, width: int) -> str:
    text = "" if is_missing(text) else " ".join(str(text).split())
    return text if len(text) <= width else textwrap.shorten(text, width, placeholder="…") or text[: width - 1] + "…"


def column(frame: pd.DataFrame, name: str, default: Any = None) -> list[Any]:
    """A column's values, or `default` for every row when the table has no such column."""
    return frame[name].tolist() if name in frame.columns else [default] * len(frame)


def ranked_departments(departments: pd.DataFrame) -> pd.DataFrame:
    """Departments in rank order: ranked ones by their rank (ties, which share a rank, by name), then the
    reported ones without a rank (nothing due or scored) by name, then the missing by name. A table without
    a `rank` column is ranked by its % (ties sharing a rank), so the order never contradicts a rank shown.

    Adds `label` (the short name, else the name, for charts) and `scored_pct` (float, NaN when none).
    """
    frame = departments.copy().reset_index(drop=True)
    names = [str(v) for v in column(frame, "department", "")]
    shorts = column(frame, "short", "")
    frame["label"] = [str(s).strip() if isinstance(s, str) and s.strip() else shorten(n, 28) for s, n in zip(shorts, names, strict=True)]
    frame["scored_pct"] = pd.to_numeric(pd.Series(column(frame, "pct"), dtype="object"), errors="coerce").astype("float64")
    reported = pd.Series([bool(v) if not is_missing(v) else False for v in column(frame, "reported", True)], dtype=bool)
    frame["reported"] = reported
    if "rank" in frame.columns:
        rank = pd.to_numeric(pd.Series(column(frame, "rank"), dtype="object"), errors="coerce").astype("float64")
    else:
        rank = frame["scored_pct"].where(reported).rank(method="min", ascending=False)
    rank = rank.where(reported)
    frame["_group"] = [0 if r and k == k else (1 if r else 2) for r, k in zip(reported, rank, strict=True)]
    frame["_key"] = rank.fillna(0.0).to_numpy()
    frame["_name"] = names
    frame = frame.sort_values(["_group", "_key", "_name"], kind="stable").reset_index(drop=True)
    return frame.drop(columns=["_group", "_key", "_name"])


def rank_rule(method: Methodology, lang: Lang) -> str:
    """How the rank is set, in the words the department sheet and the digest print."""
    return say("summary.rank_rule", lang, penalty=f"{method.late_penalty_per_day:g}")


def ranked_label(label: Any, rank: Any) -> str:
    """A chart's category: "3. ХЭЗХ" for a ranked department, the label alone otherwise."""
    return str(label) if is_missing(rank) else f"{int(rank)}. {label}"


def chart_rows(frame: pd.DataFrame, limit: int = CHART_LIMIT, side: int = CHART_SIDE) -> tuple[pd.DataFrame, bool]:
    """All rows when at most `limit`, else the first and last `side` (the frame is in rank order)."""
    if len(frame) <= limit:
        return frame, False
    return pd.concat([frame.head(side), frame.tail(side)]), True


def scored_departments(ranked: pd.DataFrame) -> pd.DataFrame:
    return ranked[ranked["reported"] & ranked["scored_pct"].notna()]


def mix_departments(ranked: pd.DataFrame) -> pd.DataFrame:
    """Reporting departments with at least one measure (their status mix is worth a bar)."""
    measures = pd.Series(column(ranked, "measures", 0), index=ranked.index).fillna(0)
    return ranked[ranked["reported"] & (measures > 0)]


def lagging_measures(report: Report, *, worst_first: bool = False) -> pd.DataFrame:
    """Due measures at the insufficient / not-done levels: lowest-% departments first, then plan order
    (or, with `worst_first`, the lowest level first)."""
    measures = report.measures
    if measures.empty or "status" not in measures.columns:
        return measures.iloc[0:0]
    due = measures["due"].astype(bool) if "due" in measures.columns else pd.Series(True, index=measures.index)
    lag = measures[due & measures["status"].isin(LAGGING)].copy()
    ranked = ranked_departments(report.departments)
    position = {name: i for i, name in enumerate(ranked.sort_values("scored_pct", kind="stable")["department"])}
    lag["_dept"] = [position.get(d, len(position)) for d in lag["department"]]
    lag["_level"] = pd.to_numeric(lag["level"], errors="coerce").fillna(0).astype("float64")
    lag["_order"] = range(len(lag))
    keys = ["_level", "_dept", "_order"] if worst_first else ["_dept", "_order"]
    return lag.sort_values(keys, kind="stable").drop(columns=["_dept", "_level", "_order"])


def timeliness(reported: Any, days_late: Any, lang: Lang) -> str:
    t = tr(lang)
    if not reported or is_missing(reported):
        return t("summary.not_reported")
    if is_missing(days_late) or int(days_late) == 0:
        return t("summary.time")
    return t("summary.value_days_late", value=int(days_late))


def overall_history(report: Report) -> pd.DataFrame:
    """The overall figure over the stored periods: period, pct (the department "")."""
    history = report.history
    if history is None or history.empty:
        return pd.DataFrame(columns=["period", "pct"])
    frame = history[history["department"].fillna("") == ""][["period", "pct"]]
    return frame.sort_values("period").reset_index(drop=True)


def band_lines(method: Methodology) -> list[Band]:
    """The bands with a lower threshold: each is drawn as a line."""
    return [b for b in method.bands if b.above is not None]


def text_color(background: str) -> str:
    """Black or white, whichever reads on `background` (#RRGGBB)."""
    try:
        r, g, b = (int(background[i : i + 2], 16) / 255 for i in (1, 3, 5))
    except (ValueError, IndexError):
        return "#000000"
    return "#000000" if 0.2126 * r + 0.7152 * g + 0.0722 * b >= 0.5 else "#FFFFFF"


# --- the workbook ------------------------------------------------------------------------------------------------


_BASE: dict[str, Any] = {"valign": "top", "font_name": "Arial", "font_size": 10}
_ROW_STYLES: dict[str | None, dict[str, Any]] = {
    None: {},
    "missing": {"font_color": "#9C0006", "bold": True, "bg_color": "#FDE9E7"},  # stands out: someone to call
    "late": {"bg_color": "#FFF4D6"},
    "bold": {"bold": True, "bg_color": "#E8EEF6"},
    "shade": {"bg_color": "#F3F6FA"},
}


class _Styles:
    """Cell formats by (kind, row style), created once per workbook on first use."""

    def __init__(self, workbook: Workbook, rounding: int):
        self.workbook = workbook
        decimals = "0." + "0" * rounding if rounding > 0 else "0"
        self.pct_format = decimals
        self.kinds: dict[str, dict[str, Any]] = {
            "text": {},
            "wrap": {"text_wrap": True},
            "center": {"align": "center"},
            "int": {"num_format": "0", "align": "center"},
            "pct": {"num_format": decimals, "align": "center"},
            "points": {"num_format": "0.00", "align": "center"},
            "signed": {"num_format": f"+{decimals};-{decimals};{decimals}", "align": "center"},
            "datetime": {"num_format": "yyyy-mm-dd hh:mm", "align": "center"},
            "date": {"num_format": "yyyy-mm-dd", "align": "center"},
        }
        self._cache: dict[tuple[Any, ...], Format] = {}

    def get(self, kind: str, style: str | None = None) -> Format:
        key = (kind, style)
        if key not in self._cache:
            self._cache[key] = self.workbook.add_format({**_BASE, **self.kinds.get(kind, {}), **_ROW_STYLES.get(style, {})})
        return self._cache[key]

    def custom(self, **props: Any) -> Format:
        key = ("custom", *sorted(props.items()))
        if key not in self._cache:
            self._cache[key] = self.workbook.add_format({**_BASE, **props})
        return self._cache[key]


@dataclass
class _Book:
    report: Report
    method: Methodology
    lang: Lang
    workbook: Workbook
    formats: Formats
    styles: _Styles
    t: Callable[..., str]
    ranked: pd.DataFrame
    band_formats: dict[str, Format] = field(default_factory=dict)

    @property
    def rounding(self) -> int:
        return self.method.rounding

    def band_format(self, band: Band) -> Format:
        if band.color not in self.band_formats:
            self.band_formats[band.color] = self.workbook.add_format({"bg_color": band.color, "font_color": text_color(band.color)})
        return self.band_formats[band.color]


WRAPPED_KINDS = ("wrap",)


_EXCEL_EPOCH = dt.datetime(1899, 12, 30)


def excel_date(value: Any) -> Any:
    """"2026-11-03 10:24" or "2026-11-05" as Excel's date number, so the column sorts and filters as dates;
    anything else as it is."""
    if not isinstance(value, str) or not value:
        return value
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    return (moment.replace(tzinfo=None) - _EXCEL_EPOCH).total_seconds() / 86400




def _cell_value(value: Any, lang: Lang) -> Any:
    """What `_cell` writes: None for a blank, a float, or text."""
    if is_missing(value) or (isinstance(value, str) and value == ""):
        return None
    if isinstance(value, bool):
        return say("summary.yes" if value else "summary.no", lang)
    if isinstance(value, int | float) and math.isfinite(value):
        return float(value)
    return str(value)


def _cell(sheet: Worksheet, row: int, col: int, value: Any, fmt: Format, lang: Lang = "mn") -> None:
    if is_missing(value) or (isinstance(value, str) and value == ""):
        sheet.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        sheet.write_string(row, col, say("summary.yes" if value else "summary.no", lang), fmt)
    elif isinstance(value, int | float) and math.isfinite(value):
        sheet.write_number(row, col, float(value), fmt)
    else:
        sheet.write_string(row, col, str(value), fmt)


def _table(
    book: _Book,
    sheet: Worksheet,
    first_row: int,
    cols: Sequence[Col],
    rows: Sequence[Sequence[Any]],
    *,
    row_styles: Sequence[str | None] | None = None,
    freeze_cols: int = 0,
    empty_text: str | None = None,
) -> int:
    """A header and typed rows (`Col.kind` is a `_Styles` kind); filter, frozen header. Returns the last data row."""
    for c, col in enumerate(cols):
        sheet.write_string(first_row, c, col.title, book.formats.header)
        sheet.set_column(c, c, col.width)
    sheet.set_row(first_row, 32)
    shown: list[list[Any]] = [[] for _ in cols]
    styles = list(row_styles) if row_styles else [None] * len(rows)
    for c, col in enumerate(cols):
        column = shown[c]
        for values in rows:
            value = values[c]
            column.append(col.render(value) if col.render is not None else value)
        formats = [book.styles.get(col.kind, style) for style in styles]
        write_cells(sheet, c, first_row + 1, [_cell_value(value, book.lang) for value in column], formats, blanks=True)
    wrapped = [c for c, col in enumerate(cols) if col.kind in WRAPPED_KINDS]
    set_row_heights(sheet, first_row + 1, row_heights([shown[c] for c in wrapped], [cols[c].width for c in wrapped]))
    last = first_row + len(rows)
    if not rows and empty_text:
        sheet.write_string(first_row + 1, 0, empty_text, book.styles.custom(italic=True, font_color="#555555"))
    sheet.autofilter(first_row, 0, max(last, first_row), len(cols) - 1)
    sheet.freeze_panes(first_row + 1, freeze_cols)
    return last


def _band_rules(book: _Book, sheet: Worksheet, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
    """Colour numeric % cells by the methodology's rating bands ("—" text stays plain)."""
    if last_row < first_row or last_col < first_col:
        return
    top = xl_rowcol_to_cell(first_row, first_col)
    for band in book.method.bands:
        test = f"ISNUMBER({top})" if band.above is None else f"AND(ISNUMBER({top}),{top}>{band.above:g})"
        sheet.conditional_format(first_row, first_col, last_row, last_col,
                                 {"type": "formula", "criteria": "=" + test, "format": book.band_format(band), "stop_if_true": True})


def _title(book: _Book, sheet: Worksheet, title: str, subtitle: str = "") -> None:
    sheet.set_row(0, 24)
    sheet.write_string(0, 0, title, book.formats.title)
    if subtitle:
        sheet.write_string(1, 0, subtitle, book.formats.subtitle)


def _page_title(period: str, lang: Lang, what: str) -> str:
    """The page header: the sheet's subject first, since a header text starting with a digit would run into
    the font-size code before it ("&8" + "2026" reads as size 82026)."""
    return f"{what} — {period_title(period, lang)}"


def _print(book: _Book, sheet: Worksheet, what: str, header_row: int) -> None:
    print_setup(sheet, title=_page_title(book.report.period, book.lang, what), header_rows=(header_row, header_row), lang=book.lang)


def _pct(value: Any) -> Any:
    return DASH if is_missing(value) else float(value)


def _state_text(book: _Book) -> str:
    t, report = book.t, book.report
    closing = report.closing
    if closing is None:
        when = str(report.generated_at)[:16].replace("T", " ")
        return t("summary.period_open_figures_not", when=when)
    when = str(closing.closed_at)[:16].replace("T", " ")
    text = t("summary.period_closed_when", when=when)
    if closing.reason:
        text += t("summary.reason_reason", reason=closing.reason)
    late = report.late_after_closing
    if late:
        names = ", ".join(late[:5]) + ("…" if len(late) > 5 else "")
        text += t("summary.late_n_files_arrived", late_n=len(late), names=names)
    return text + "."


def _dashboard(book: _Book, sheet: Worksheet, data: Worksheet) -> None:
    t, report, styles = book.t, book.report, book.styles
    ov = report.overall
    _title(book, sheet, period_title(report.period, book.lang), book.method.title(report.methodology_name, book.lang))
    sheet.write_string(2, 0, _state_text(book), styles.custom(bold=report.closing is not None, font_color="#1F4E78"))
    for col, width in enumerate((30, 18, 2, 24, 8, 9, 2, 36, 38)):
        sheet.set_column(col, col, width)

    ranked = book.ranked
    reported = ranked[ranked["reported"]]
    days = [None if is_missing(d) else int(d) for d in column(reported, "days_late")]
    late = reported[[d is not None and d > 0 for d in days]]
    late = late.assign(_days=[int(d) for d in column(late, "days_late")]).sort_values("_days", ascending=False, kind="stable")
    missing = ranked[~ranked["reported"]]
    on_time = len(reported) - len(late)

    # Key figures, label | value.
    label = styles.custom(bold=True)
    big = styles.custom(bold=True, font_size=26, align="center", valign="vcenter", num_format=styles.pct_format,
                        bg_color=ov.color or "#FFFFFF", font_color=text_color(ov.color) if ov.color else "#000000", border=1)
    r = 4
    sheet.set_row(r, 42)
    sheet.write_string(r, 0, t("summary.overall_implementation"), styles.custom(bold=True, valign="vcenter", font_size=12))
    _cell(sheet, r, 1, _pct(ov.pct), big)
    change = None
    if ov.pct is not None and report.overall_previous is not None:
        change = round(ov.pct - report.overall_previous, book.rounding)
    arrow = styles.custom(align="center", num_format=f'"▲ "+{styles.pct_format};"▼ "-{styles.pct_format};{styles.pct_format}', bold=True)
    rows: list[tuple[str, Any, Format]] = [
        (t("summary.rating"), f"{book.method.rating_name(ov.rating, book.lang)} ({ov.grade})" if ov.rating else DASH, styles.get("center")),
        (t("summary.points"), DASH if ov.points is None else ov.points, styles.get("points")),
        (t("summary.previous_period_previous_period", previous_period=report.previous_period) if report.previous_period
         else t("summary.previous_period"), _pct(report.overall_previous) if report.previous_period else t("summary.no_data"),
         styles.get("pct")),
        (t("summary.change"), DASH if change is None else change, arrow),
        (t("summary.departments_reported_expected"), f"{report.reported} / {report.expected}", styles.get("center")),
        (t("summary.reported_time"), on_time, styles.get("int")),
        (t("summary.reported_late_2"), len(late), styles.get("int")),
        (t("summary.not_reported"), len(missing), styles.get("int")),
        (t("summary.measures"), ov.measures, styles.get("int")),
        (t("summary.due"), ov.due, styles.get("int")),
        (t("summary.scored"), ov.scored, styles.get("int")),
    ]
    if report.plan_changes is not None:  # issue 16: changes against the approved plans, not yet accepted
        pending = int((report.plan_changes["accepted"] == "").sum())
        rows.append((t("summary.changes_plan"), pending, styles.get("int")))
    for i, (text, value, fmt) in enumerate(rows, start=r + 1):
        sheet.write_string(i, 0, text, label)
        _cell(sheet, i, 1, value, fmt, book.lang)
    kpi_end = r + len(rows)

    # Measures by status (shares over all measures, not-due included).
    sheet.write_string(r, 3, t("summary.measures_status"), book.formats.header)
    sheet.write_string(r, 4, t("summary.count"), book.formats.header)
    sheet.write_string(r, 5, t("summary.share"), book.formats.header)
    for i, status in enumerate(STATUS_ORDER, start=r + 1):
        count = int(ov.counts.get(status, 0))
        color = STATUS_COLORS[status]
        sheet.write_string(i, 3, status_name(status, book.lang), styles.custom(bg_color=color, font_color=text_color(color)))
        sheet.write_number(i, 4, count, styles.get("int"))
        _cell(sheet, i, 5, count / ov.measures * 100 if ov.measures else DASH, styles.get("pct"))
    total_row = r + 1 + len(STATUS_ORDER)
    sheet.write_string(total_row, 3, t("summary.total"), label)
    sheet.write_number(total_row, 4, ov.measures, styles.custom(bold=True, align="center", num_format="0"))

    # Who is missing (with the official to call) and who was late.
    row = r
    sheet.write_string(row, 7, t("summary.not_reported_2"), book.formats.header)
    sheet.write_string(row, 8, t("summary.responsible_official"), book.formats.header)
    row += 1
    if missing.empty:
        sheet.write_string(row, 7, t("summary.every_department_reported"), styles.custom(italic=True))
        row += 1
    for name, official in list(zip(column(missing, "department", ""), column(missing, "official", ""), strict=True))[:LIST_LIMIT]:
        sheet.write_string(row, 7, str(name), styles.get("wrap", "missing"))
        _cell(sheet, row, 8, "" if is_missing(official) else str(official), styles.get("wrap", "missing"))
        row += 1
    if len(missing) > LIST_LIMIT:
        sheet.write_string(row, 7, t("summary.value_more_see_completeness", value=len(missing) - LIST_LIMIT), styles.custom(italic=True))
        row += 1
    row += 1
    sheet.write_string(row, 7, t("summary.reported_late"), book.formats.header)
    sheet.write_string(row, 8, t("summary.delay"), book.formats.header)
    row += 1
    if late.empty:
        sheet.write_string(row, 7, t("summary.nobody_was_late"), styles.custom(italic=True))
        row += 1
    for name, d in list(zip(column(late, "department", ""), column(late, "_days", 0), strict=True))[:LIST_LIMIT]:
        sheet.write_string(row, 7, str(name), styles.get("wrap", "late"))
        sheet.write_string(row, 8, t("summary.d_days", d=d), styles.get("text", "late"))
        row += 1
    if len(late) > LIST_LIMIT:
        sheet.write_string(row, 7, t("summary.value_more", value=len(late) - LIST_LIMIT), styles.custom(italic=True))
        row += 1

    _dashboard_charts(book, sheet, data, max(kpi_end, total_row, row) + 2)
    sheet.freeze_panes(3, 0)
    print_setup(sheet, title=_page_title(report.period, book.lang, t("summary.dashboard")), header_rows=(0, 0), lang=book.lang)
    sheet.fit_to_pages(1, 1)  # the dashboard is one printed page
    sheet.activate()


def _rows_for(height_px: int) -> int:
    return math.ceil(height_px / 20) + 1


def _dashboard_charts(book: _Book, sheet: Worksheet, data: Worksheet, top: int) -> None:
    """The four dashboard charts, their data written to the hidden sheet `data`."""
    t, wb, report = book.t, book.workbook, book.report
    note = book.styles.custom(italic=True, font_color="#555555")
    gap = 16

    # (1) Each department's % as bars in its band colour, with the band thresholds as lines.
    scored, cut = chart_rows(scored_departments(book.ranked))
    bands = band_lines(book.method)
    n = len(scored)
    data.write_string(0, 0, t("summary.department"))
    data.write_string(0, 1, t("summary.implementation"))
    for j, band in enumerate(bands):
        data.write_string(0, 2 + j, f"> {band.above:g} {band.name(book.lang)}" + (f" ({band.grade})" if band.grade else ""))
    for i, (lab, rank, pct) in enumerate(zip(scored["label"], column(scored, "rank"), scored["scored_pct"], strict=True), start=1):
        data.write_string(i, 0, ranked_label(lab, rank))
        data.write_number(i, 1, float(pct))
        for j, band in enumerate(bands):
            data.write_number(i, 2 + j, float(band.above))  # type: ignore[arg-type]
    width1 = max(640, min(1500, 120 + 24 * n))
    height1 = 420
    if n:
        chart = wb.add_chart({"type": "column"})
        colors = [b.color if b else "#999999" for b in (book.method.band_for(float(p)) for p in scored["scored_pct"])]
        chart.add_series({
            "name": [data.name, 0, 1],
            "categories": [data.name, 1, 0, n, 0],
            "values": [data.name, 1, 1, n, 1],
            "points": [{"fill": {"color": c}, "border": {"color": "#595959"}} for c in colors],
            "gap": 40,
            **({"data_labels": {"value": True, "num_format": book.styles.pct_format, "font": {"size": 8}}} if n <= 40 else {}),
        })
        if bands:
            lines = wb.add_chart({"type": "line"})
            for j, band in enumerate(bands):
                lines.add_series({
                    "name": [data.name, 0, 2 + j],
                    "categories": [data.name, 1, 0, n, 0],
                    "values": [data.name, 1, 2 + j, n, 2 + j],
                    "line": {"color": band.color, "width": 1.75, "dash_type": "dash"},
                    "marker": {"type": "dash", "size": 14, "fill": {"color": band.color}, "border": {"color": band.color}}
                    if n == 1 else {"type": "none"},
                })
            chart.combine(lines)
        title = t("summary.implementation_department")
        if cut:
            title += t("summary.top_chart_side_bottom", chart_side=CHART_SIDE, count_n=len(scored_departments(book.ranked)))
        chart.set_title({"name": title, "name_font": {"size": 12}})
        chart.set_x_axis({"num_font": {"size": 8, "rotation": -45 if n > 8 else 0}})
        chart.set_y_axis({"min": 0, "max": 100, "major_unit": 10, "num_format": "0", "major_gridlines": {"visible": True, "line": {"color": "#E0E0E0"}}})
        chart.set_legend({"position": "bottom", "font": {"size": 8}})
        chart.set_size({"width": width1, "height": height1})
        sheet.insert_chart(top, 0, chart)
    else:
        sheet.write_string(top, 0, t("summary.no_department_has_score"), note)

    # (3) The overall status shares.
    counts = [(s, int(report.overall.counts.get(s, 0))) for s in STATUS_ORDER]
    present = [(s, c) for s, c in counts if c > 0]
    data.write_string(0, 17, t("summary.status"))
    data.write_string(0, 18, t("summary.count"))
    for i, (status, count) in enumerate(present, start=1):
        data.write_string(i, 17, status_name(status, book.lang))
        data.write_number(i, 18, count)
    height3 = 420
    if present:
        total = sum(c for _, c in present)
        pie = wb.add_chart({"type": "doughnut"})
        pie.add_series({
            "name": [data.name, 0, 18],
            "categories": [data.name, 1, 17, len(present), 17],
            "values": [data.name, 1, 18, len(present), 18],
            "points": [{"fill": {"color": STATUS_COLORS[s]}, "border": {"color": "#FFFFFF"}} for s, _ in present],
            # Slices under 4 % get no label: their percentages would print on top of each other.
            "data_labels": {"percentage": True, "font": {"size": 9},
                            "custom": [{"delete": True} if c < 0.04 * total else None for _, c in present]},
        })
        pie.set_hole_size(50)
        pie.set_title({"name": t("summary.measures_status_measures", measures=report.overall.measures),
                       "name_font": {"size": 12}})
        pie.set_legend({"position": "right", "font": {"size": 9}})
        pie.set_size({"width": 460, "height": height3})
        sheet.insert_chart(top, 0, pie, {"x_offset": width1 + gap})
    else:
        sheet.write_string(top, 5, t("summary.no_measures"), note)

    # (2) The status mix per department, stacked to 100 %.
    second = top + _rows_for(max(height1, height3)) if (n or present) else top + 2
    mix, mix_cut = chart_rows(mix_departments(book.ranked))
    m = len(mix)
    data.write_string(0, 8, t("summary.department"))
    for j, status in enumerate(STATUS_ORDER):
        data.write_string(0, 9 + j, status_name(status, book.lang))
    for i, record in enumerate(mix.itertuples(index=False), start=1):
        data.write_string(i, 8, str(record.label))
        for j, status in enumerate(STATUS_ORDER):
            value = getattr(record, status, 0)
            data.write_number(i, 9 + j, 0 if is_missing(value) else int(value))
    height2 = max(300, 110 + 22 * m)
    width2 = max(640, width1)
    if m:
        bar = wb.add_chart({"type": "bar", "subtype": "percent_stacked"})
        totals = {s: int(pd.to_numeric(pd.Series(column(mix, s, 0)), errors="coerce").fillna(0).sum()) for s in STATUS_ORDER}
        for j, status in enumerate(STATUS_ORDER):
            if totals[status] == 0:
                continue
            color = STATUS_COLORS[status]
            # A zero gets no label: it would print at the end of its bar.
            zeros = [{"delete": True} if not value else None for value in (
                0 if is_missing(v) else int(v) for v in column(mix, status, 0))]
            bar.add_series({
                "name": [data.name, 0, 9 + j],
                "categories": [data.name, 1, 8, m, 8],
                "values": [data.name, 1, 9 + j, m, 9 + j],
                "fill": {"color": color},
                "border": {"color": "#FFFFFF"},
                "gap": 40,
                **({"data_labels": {"value": True, "font": {"size": 8, "color": text_color(color)}, "custom": zeros}}
                   if m <= 30 else {}),
            })
        title = t("summary.status_mix_department")
        if mix_cut:
            title += t("summary.top_chart_side_bottom", chart_side=CHART_SIDE, count_n=len(mix_departments(book.ranked)))
        bar.set_title({"name": title, "name_font": {"size": 12}})
        bar.set_y_axis({"reverse": True, "num_font": {"size": 8}})
        bar.set_x_axis({"num_format": "0%", "major_gridlines": {"visible": True, "line": {"color": "#E0E0E0"}}})
        bar.set_legend({"position": "bottom", "font": {"size": 8}})
        bar.set_size({"width": width2, "height": height2})
        sheet.insert_chart(second, 0, bar)
    else:
        sheet.write_string(second, 0, t("summary.no_department_sent_measures"), note)

    # (4) The overall % over the stored periods.
    trend = overall_history(report)
    data.write_string(0, 20, t("summary.period"))
    data.write_string(0, 21, t("summary.overall"))
    for i, (period, pct) in enumerate(zip(trend["period"], trend["pct"], strict=True), start=1):
        data.write_string(i, 20, str(period))
        if not is_missing(pct):
            data.write_number(i, 21, float(pct))
    if len(trend) >= 2:
        line = wb.add_chart({"type": "line"})
        line.add_series({
            "name": [data.name, 0, 21],
            "categories": [data.name, 1, 20, len(trend), 20],
            "values": [data.name, 1, 21, len(trend), 21],
            "line": {"color": "#1F4E78", "width": 2.5},
            "marker": {"type": "circle", "size": 6, "fill": {"color": "#1F4E78"}, "border": {"color": "#1F4E78"}},
            "data_labels": {"value": True, "position": "above", "num_format": book.styles.pct_format, "font": {"size": 8}},
        })
        line.set_title({"name": t("summary.overall_implementation_over_time"), "name_font": {"size": 12}})
        line.set_y_axis({"min": 0, "max": 100, "major_unit": 20, "num_format": "0"})
        line.set_legend({"none": True})
        line.set_size({"width": 460, "height": min(height2, 420) if m else 300})
        sheet.insert_chart(second, 0, line, {"x_offset": width2 + gap})
    else:
        after = second + (_rows_for(height2) if m else 1)
        sheet.write_string(after, 0, t("summary.trend_no_earlier_periods"), note)


def _departments_sheet(book: _Book, sheet: Worksheet) -> None:
    t, lang = book.t, book.lang
    ranked = book.ranked
    missing_n = int((~ranked["reported"]).sum())
    _title(book, sheet, t("summary.departments_implementation_rank"),
           t("summary.rank_order_missing_n", missing_n=missing_n))
    sheet.write_string(2, 0, rank_rule(book.method, lang), book.formats.subtitle)
    cols = [
        Col("rank", t("summary.rank"), 6, "int"),
        Col("department", t("summary.department_2"), 40, "wrap"),
        Col("label", t("summary.short"), 10, "center"),
        Col("pct", t("summary.implementation"), 12, "pct", render=_pct),
        Col("rating", t("summary.rating"), 22, "text"),
        Col("grade", t("summary.grade"), 7, "center"),
        Col("points", t("summary.points_2"), 8, "points"),
        Col("previous_pct", t("summary.previous"), 10, "pct"),
        Col("change", t("summary.change"), 10, "signed"),
        Col("measures", t("summary.measures"), 10, "int"),
        Col("due", t("summary.due"), 10, "int"),
        Col("done", t("summary.done"), 10, "int"),
        Col("in_progress", t("summary.progress"), 11, "int"),
        Col("lagging", t("summary.lagging_2"), 10, "int"),
        Col("not_due", t("summary.not_due"), 10, "int"),
        Col("unscored", t("summary.unscored"), 10, "int"),
        Col("self_assessed", t("summary.self_assessed"), 11, "int"),
        Col("timeliness", t("summary.report"), 20, "text"),
    ]
    timely = [timeliness(r, d, lang) for r, d in zip(ranked["reported"], column(ranked, "days_late"), strict=True)]
    frame = ranked.assign(timeliness=timely)
    for name in ("rating", "grade"):
        frame[name] = ["" if is_missing(v) else v for v in column(frame, name, "")]
    frame["rating"] = [book.method.rating_name(v, book.lang) for v in frame["rating"]]
    reported = list(frame["reported"])
    rows = [[None if is_missing(v) else v for v in values] for values in zip(*(column(frame, c.key) for c in cols), strict=True)] if len(frame) else []
    # A missing department shows no counts, only that it did not report.
    for i, row in enumerate(rows):
        if not reported[i]:
            for c, col in enumerate(cols):
                if col.key in ("measures", "due", "done", "in_progress", "lagging", "not_due", "unscored", "self_assessed", "rank"):
                    row[c] = None
    styles = [None if reported[i] else "missing" for i in range(len(rows))]
    header = 3
    last = _table(book, sheet, header, cols, rows, row_styles=styles, freeze_cols=2,
                  empty_text=t("summary.no_departments"))
    pct_col = next(i for i, c in enumerate(cols) if c.key == "pct")
    _band_rules(book, sheet, header + 1, pct_col, last, pct_col)
    _print(book, sheet, t("summary.departments"), header)


def _lagging_sheet(book: _Book, sheet: Worksheet) -> None:
    t, method = book.t, book.method
    lag = lagging_measures(book.report)
    names = {d: lab for d, lab in zip(book.ranked["department"], book.ranked["label"], strict=True)}
    _title(book, sheet, t("summary.lagging_measures_lag_n", lag_n=len(lag)),
           t("summary.due_measures_insufficient_not"))
    cols = [
        Col("department", t("summary.department_2"), 28, "wrap"),
        Col("short", t("summary.short"), 9, "center"),
        Col("measure_no", "№", 6, "center"),
        Col("measure", t("summary.measure"), 50, "wrap"),
        Col("target_text", t("summary.target"), 22, "wrap"),
        Col("actual_text", t("summary.achieved"), 22, "wrap"),
        Col("achievement", t("summary.achievement"), 10, "pct"),
        Col("level", t("summary.level"), 7, "int"),
        Col("level_label", t("summary.status"), 18, "wrap"),
        Col("progress", t("summary.progress_2"), 45, "wrap"),
        Col("note", t("summary.note"), 32, "wrap"),
        Col("timeframe_text", t("summary.timeframe"), 12, "wrap"),
    ]
    levels = [None if is_missing(v) else float(v) for v in column(lag, "level")]
    frame = lag.assign(
        short=[names.get(d, "") for d in column(lag, "department", "")],
        # The methodology's level names are Mongolian; an English workbook names the status instead.
        level_label=[method.level_label(v) if v is not None and book.lang != "en" else "" for v in levels],
    )
    if len(frame):
        frame["level_label"] = [lab or status_name(s, book.lang) for lab, s in zip(frame["level_label"], column(frame, "status", ""), strict=True)]
    rows = [list(values) for values in zip(*(column(frame, c.key) for c in cols), strict=True)] if len(frame) else []
    # Alternate shading per department so the groups read apart.
    styles: list[str | None] = []
    shade, previous = False, None
    for dept in column(frame, "department", ""):
        if dept != previous:
            shade, previous = not shade, dept
        styles.append("shade" if shade else None)
    header = 3
    last = _table(book, sheet, header, cols, rows, row_styles=styles, freeze_cols=3,
                  empty_text=t("summary.no_lagging_measures"))
    level_col = next(i for i, c in enumerate(cols) if c.key == "level_label")
    if last > header:
        for value, color in ((0, "#F8CBAD"), (30, "#FFE699")):
            fmt = book.workbook.add_format({"bg_color": color})
            top = xl_rowcol_to_cell(header + 1, level_col - 1, col_abs=True)
            sheet.conditional_format(header + 1, level_col - 1, last, level_col,
                                     {"type": "formula", "criteria": f"=AND(ISNUMBER({top}),{top}={value})", "format": fmt})
    _print(book, sheet, t("summary.lagging_measures"), header)


def _goals_sheet(book: _Book, sheet: Worksheet) -> None:
    t = book.t
    goals = book.report.goals
    order = {d: i for i, d in enumerate(book.ranked["department"])}
    frame = goals.copy()
    frame["_dept"] = [order.get(d, len(order)) for d in column(frame, "department", "")]
    frame["_order"] = range(len(frame))
    frame = frame.sort_values(["_dept", "_order"], kind="stable")
    frame["goal"] = [t("summary.no_goal") if is_missing(g) or g == "" else g for g in column(frame, "goal", "")]
    for name in ("rating", "grade"):
        frame[name] = ["" if is_missing(v) else v for v in column(frame, name, "")]
    frame["rating"] = [book.method.rating_name(v, book.lang) for v in frame["rating"]]
    _title(book, sheet, t("summary.implementation_goal"),
           t("summary.per_department_goal_departments"))
    cols = [
        Col("department", t("summary.department_2"), 32, "wrap"),
        Col("goal", t("summary.goal"), 60, "wrap"),
        Col("pct", t("summary.implementation"), 12, "pct", render=_pct),
        Col("rating", t("summary.rating"), 22),
        Col("grade", t("summary.grade"), 7, "center"),
        Col("measures", t("summary.measures"), 10, "int"),
        Col("due", t("summary.due"), 10, "int"),
        Col("done", t("summary.done"), 10, "int"),
        Col("lagging", t("summary.lagging_2"), 10, "int"),
    ]
    rows = [list(values) for values in zip(*(column(frame, c.key) for c in cols), strict=True)] if len(frame) else []
    header = 3
    last = _table(book, sheet, header, cols, rows, freeze_cols=2, empty_text=t("summary.no_goals"))
    _band_rules(book, sheet, header + 1, 2, last, 2)
    _print(book, sheet, t("summary.goals"), header)


def _completeness_sheet(book: _Book, sheet: Worksheet) -> None:
    t, lang = book.t, book.lang
    ranked = book.ranked
    frame = ranked.copy()
    days = [None if is_missing(d) else int(d) for d in column(frame, "days_late")]
    # The missing first (to chase), then the latest, then the rest by arrival.
    frame["_group"] = [2 if not r else (1 if d else 0) for r, d in zip(frame["reported"], days, strict=True)]
    frame["_days"] = [d or 0 for d in days]
    frame["_received"] = column(frame, "received_at", "")
    frame = frame.sort_values(["_group", "_days", "_received"], ascending=[False, False, True], kind="stable")
    frame["timeliness"] = [timeliness(r, d, lang) for r, d in zip(frame["reported"], column(frame, "days_late"), strict=True)]
    frame["listed"] = [t("summary.yes") if e else t("summary.not_list") for e in column(frame, "expected", True)]
    reported_n = int(frame["reported"].sum())
    late_n = sum(1 for r, d in zip(frame["reported"], days, strict=True) if r and d)
    deadline = next((str(d) for d in column(frame, "deadline", "") if d), "")
    _title(book, sheet, t("summary.completeness_timeliness"),
           t("summary.reported_reported_n_expected", reported_n=reported_n, expected=book.report.expected, late_n=late_n, value=len(frame) - reported_n, deadline=deadline))
    cols = [
        Col("department", t("summary.department_2"), 40, "wrap"),
        Col("label", t("summary.short"), 10, "center"),
        Col("reported", t("summary.reported"), 10, "center"),
        Col("received_at", t("summary.first_received"), 17, "datetime", render=excel_date),
        Col("deadline", t("summary.deadline"), 12, "date", render=excel_date),
        Col("timeliness", t("summary.timeliness"), 24, "text"),
        Col("last_correction_at", t("summary.last_correction"), 17, "datetime", render=excel_date),
        Col("corrections", t("summary.corrections_never_count_late"), 30, "wrap"),
        Col("source_file", t("summary.file"), 34, "wrap"),
        Col("official", t("summary.responsible_official"), 40, "wrap"),
        Col("listed", t("summary.expected_list"), 12, "center"),
    ]
    rows = [list(values) for values in zip(*(column(frame, c.key) for c in cols), strict=True)] if len(frame) else []
    styles = ["missing" if g == 2 else ("late" if g == 1 else None) for g in frame["_group"]]
    header = 3
    _table(book, sheet, header, cols, rows, row_styles=styles, freeze_cols=1, empty_text=t("summary.no_departments"))
    _print(book, sheet, t("summary.completeness"), header)


def _trend_sheet(book: _Book, sheet: Worksheet) -> None:
    t, wb, report = book.t, book.workbook, book.report
    history = report.history if report.history is not None else pd.DataFrame(columns=["period", "department", "pct"])
    periods = sorted({str(p) for p in history["period"]})
    _title(book, sheet, t("summary.implementation_over_time"),
           t("summary.last_periods_n_periods", periods_n=len(periods)))
    header = 3
    names = list(book.ranked["department"])
    labels = dict(zip(book.ranked["department"], book.ranked["label"], strict=True))
    in_history = {str(d) for d in history["department"].fillna("")}
    depts = [d for d in names if d in in_history] + sorted(in_history - set(names) - {""})
    table = history.assign(department=history["department"].fillna("").astype(str), period=history["period"].astype(str))
    values = table.pivot_table(index="department", columns="period", values="pct", aggfunc="last") if len(table) else pd.DataFrame()
    cols = [Col("department", t("summary.department_2"), 40, "wrap"), Col("label", t("summary.short"), 10, "center")]
    cols += [Col(p, p, 9, "pct") for p in periods]
    cols.append(Col("change", t("summary.change"), 10, "signed"))

    def series(dept: str) -> list[Any]:
        if dept not in values.index:
            return [None] * len(periods)
        return [None if is_missing(values.at[dept, p]) else float(values.at[dept, p]) for p in periods]

    rows: list[list[Any]] = []
    for dept in ["", *depts]:
        pcts = series(dept)
        change = round(pcts[-1] - pcts[-2], book.rounding) if len(pcts) >= 2 and pcts[-1] is not None and pcts[-2] is not None else None
        name = t("summary.overall_2") if dept == "" else dept
        rows.append([name, t("summary.all") if dept == "" else labels.get(dept, shorten(dept, 28)), *pcts, change])
    if not periods:
        rows = []
    styles = ["bold" if i == 0 else None for i in range(len(rows))]
    last = _table(book, sheet, header, cols, rows, row_styles=styles, freeze_cols=2,
                  empty_text=t("summary.no_stored_periods"))
    if periods:
        _band_rules(book, sheet, header + 1, 2, last, 1 + len(periods))
    if len(periods) >= 2 and rows:
        chart = wb.add_chart({"type": "line"})
        # The overall line, then departments: all when few, else the top and bottom five by the latest figure.
        picked = list(range(1, len(rows)))
        if len(picked) > TREND_SERIES:
            half = TREND_SERIES // 2
            picked = picked[:half] + picked[-half:]
        for i in [0, *picked]:
            r = header + 1 + i
            style: dict[str, Any] = {"color": "#1F4E78", "width": 3} if i == 0 else {"width": 1.5}
            chart.add_series({
                "name": [sheet.name, r, 1],
                "categories": [sheet.name, header, 2, header, 1 + len(periods)],
                "values": [sheet.name, r, 2, r, 1 + len(periods)],
                "line": style,
                "marker": {"type": "circle", "size": 5 if i == 0 else 4},
            })
        title = t("summary.implementation_period")
        if len(rows) - 1 > TREND_SERIES:
            title += t("summary.overall_top_value_bottom", value=TREND_SERIES // 2)
        chart.set_title({"name": title, "name_font": {"size": 12}})
        chart.set_y_axis({"min": 0, "max": 100, "major_unit": 10, "num_format": "0"})
        chart.set_legend({"position": "right", "font": {"size": 8}})
        chart.set_size({"width": 820, "height": 420})
        sheet.insert_chart(last + 2, 0, chart)
    elif periods:
        sheet.write_string(last + 2, 0, t("summary.chart_needs_least_two"),
                           book.styles.custom(italic=True, font_color="#555555"))
    _print(book, sheet, t("summary.trends"), header)


def build_summary(report: Report, path: Path, lang: Lang, method: Methodology) -> None:
    """Write the summary workbook to `path` (no atomic rename: `write_summary` does that)."""
    t = tr(lang)
    workbook = new_workbook(path)
    workbook.set_properties({"title": period_title(report.period, lang), "subject": method.title(report.methodology_name, lang),
                             "author": "negtgel"})
    book = _Book(report, method, lang, workbook, Formats(workbook), _Styles(workbook, method.rounding), t,
                 ranked_departments(report.departments))
    dashboard = workbook.add_worksheet(t("summary.dashboard"))
    departments = workbook.add_worksheet(t("summary.departments"))
    lagging = workbook.add_worksheet(t("summary.lagging"), worksheet_class=TableSheet)
    goals = workbook.add_worksheet(t("summary.goals"), worksheet_class=TableSheet)
    completeness = workbook.add_worksheet(t("summary.completeness"))
    trends = workbook.add_worksheet(t("summary.trends"))
    hierarchy = None
    if report.hierarchy is not None:  # issue 17: only when departments.yaml has a parent
        from pipeline.output.hierarchy_sheet import SHEET

        hierarchy = workbook.add_worksheet(t(SHEET))
    data = workbook.add_worksheet(t("summary.chart_data"))
    _dashboard(book, dashboard, data)
    _departments_sheet(book, departments)
    if hierarchy is not None:
        from pipeline.output.hierarchy_sheet import write_hierarchy_sheet

        write_hierarchy_sheet(book, hierarchy)
    _lagging_sheet(book, lagging)
    _goals_sheet(book, goals)
    _completeness_sheet(book, completeness)
    _trend_sheet(book, trends)
    data.freeze_panes(1, 0)
    print_setup(data, title=_page_title(report.period, lang, t("summary.chart_data")), header_rows=(0, 0), lang=lang)
    data.hide()
    workbook.close()


def write_summary(report: Report, path: Path, lang: Lang, method: Methodology) -> Written:
    return write_atomically(path, lambda tmp: build_summary(report, tmp, lang, method))
