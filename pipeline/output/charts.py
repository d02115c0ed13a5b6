"""PNG charts and the one-page PDF digest for leadership, drawn with matplotlib (Agg: no screen needed).

- `departments_YYYY-MM.png`: each department's % as a bar in its rating band's colour, band thresholds as lines;
- `status_YYYY-MM.png`: the status mix of each department's measures, stacked to 100 %;
- `trend_YYYY-MM.png`: the overall % (and a few departments') over the stored periods, when there are two or more;
- `digest_YYYY-MM.pdf`: one A4 landscape page for email and print: the overall figure, who reported, the
  department chart and the most lagging measures.

matplotlib is imported inside `draw_charts`, so code that never draws does not pay for it. Figures are
`matplotlib.figure.Figure` objects (no pyplot state), drawn in DejaVu Sans, which has Cyrillic (Ө, Ү too).
With many departments the bar charts show the top and the bottom of the ranking, and say so.

The figures are drawn from `ChartData`, the few small tables they show (not the report's measures), so the
data can be sent to another process cheaply (`writer.Drawer`). Each PNG chart has a key, a hash of exactly
what it shows, kept in the PNG (a text chunk); a chart whose file holds the key of this run's data is not
drawn again: with 1,000 departments a change in one rarely moves the top and bottom 30 of the bar charts.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from pipeline import __version__
from pipeline.config import Methodology
from pipeline.output.names import localized, summary_name
from pipeline.output.safe import Written, write_atomically
from pipeline.output.summary import (
    CHART_SIDE,
    STATUS_COLORS,
    TREND_SERIES,
    chart_rows,
    column,
    lagging_measures,
    mix_departments,
    pct_text,
    period_title,
    ranked_departments,
    ranked_label,
    scored_departments,
    shorten,
    status_name,
    text_color,
    tr,
)
from pipeline.problems import Lang
from pipeline.rollup import STATUS_ORDER
from pipeline.values import is_missing

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from pipeline.rollup import Overall
    from pipeline.model import Closing, Report

DIGEST_SIDE = 15  # the digest's bar chart: the top and bottom 15 when there are more than 30
DPI = 120
_RC: dict[Any, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "pdf.fonttype": 42,  # embed TrueType: the PDF's text stays searchable and copyable
    # matplotlib (3.11) sizes the PDF's font subsets by *ps*.fonttype: at its default (3) every font is embedded
    # twice (ASCII, and the rest: Cyrillic), each subset cut from the whole font by fontTools. With 42, one
    # subset a font: the digest is saved in 0.5 s instead of 0.8 and is 35 KB instead of 45, drawn the same.
    "ps.fonttype": 42,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titleweight": "bold",
    "axes.titlesize": 11,
}
_GREY = "#555555"


# What the figures show, in the order the drawing code reads it: only these columns of the ranked departments.
_DEPARTMENT_COLUMNS = ("department", "label", "rank", "scored_pct", "reported", "days_late", "official", "measures", *STATUS_ORDER)
LAGGING_SHOWN = 40  # the digest's list of lagging measures: no more than this many fit on the page
_LAGGING_COLUMNS = ("department", "measure_no", "measure", "target_text", "actual_text", "level", "status")
PNG_KEY = "negtgel-key"  # the PNG text chunk that holds the key the chart was drawn from
# Part of every figure's key, with the drawing code's own text (`_code_digest`) and matplotlib's version:
# a change of either draws every figure again.
DRAWING_VERSION = "2"


@dataclass
class ChartData:
    """Everything the PNG charts and the PDF digest show, and nothing more: small enough to send to the drawing
    process (a few hundred rows at most), with the report's attribute names the drawing code reads."""

    period: str
    lang: Lang
    generated_at: str
    closing: Closing | None
    overall: Overall
    overall_previous: float | None
    previous_period: str | None
    methodology_name: str
    reported: int
    expected: int
    ranked: pd.DataFrame  # `ranked_departments`, `_DEPARTMENT_COLUMNS` only
    history: pd.DataFrame
    lagging: pd.DataFrame  # the first `LAGGING_SHOWN` of `lagging_measures(worst_first=True)`
    lagging_total: int


def chart_data(report: Report, lang: Lang = "mn") -> ChartData:
    ranked = ranked_departments(report.departments)
    lag = lagging_measures(report, worst_first=True)
    history = report.history if report.history is not None else pd.DataFrame(columns=["period", "department", "pct"])
    return ChartData(
        period=report.period, lang=lang, generated_at=report.generated_at, closing=report.closing, overall=report.overall,
        overall_previous=report.overall_previous, previous_period=report.previous_period,
        methodology_name=report.methodology_name, reported=report.reported, expected=report.expected,
        ranked=ranked[[c for c in _DEPARTMENT_COLUMNS if c in ranked.columns]].copy(),
        history=history.copy(),
        lagging=lag[[c for c in _LAGGING_COLUMNS if c in lag.columns]].head(LAGGING_SHOWN).copy(),
        lagging_total=len(lag),
    )


def write_charts(report: Report, period_dir: Path, method: Methodology, lang: Lang = "mn") -> list[Written]:
    """Write the PNG charts and the PDF digest of the period into `period_dir`, each atomically."""
    return draw_charts(chart_data(report, lang), period_dir, method)


def _frame_values(frame: pd.DataFrame, columns: tuple[str, ...] | list[str]) -> list[Any]:
    present = [c for c in columns if c in frame.columns]
    return [present, frame[present].astype(object).where(frame[present].notna(), None).to_numpy().tolist()]


@functools.cache
def _code_digest() -> str:
    """The text of the modules the figures are drawn by (this one and the helpers it shares with the summary)."""
    from pipeline.output import summary

    digest = hashlib.sha256()
    for module in (__file__, summary.__file__):
        with contextlib.suppress(OSError, TypeError):
            digest.update(Path(str(module)).read_bytes())
    return digest.hexdigest()


def _key(*parts: Any) -> str:
    import matplotlib

    text = json.dumps([DRAWING_VERSION, __version__, _code_digest(), matplotlib.__version__, *parts], ensure_ascii=False, default=repr)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def figure_keys(data: ChartData, method: Methodology) -> dict[str, str]:
    """Each PNG chart's file name and the key of what it shows. (The digest says when it was made, so it is
    drawn whenever anything changed: it has no key.)"""
    period, lang, ranked = data.period, data.lang, data.ranked
    bands = [(b.above, b.color, b.grade, b.name(lang)) for b in method.bands]
    scored = scored_departments(ranked)
    shown, _ = chart_rows(scored)
    mix = mix_departments(ranked)
    mix_shown, _ = chart_rows(mix)
    bars = ("label", "rank", "scored_pct")
    keys = {
        localized(f"departments_{period}.png", lang): _key("departments", lang, bands, method.rounding, len(scored),
                                                           _frame_values(shown, bars)),
        localized(f"status_{period}.png", lang): _key("status", lang, len(mix), _frame_values(mix_shown, ("label", "rank", *STATUS_ORDER))),
    }
    if len(_overall_history(data.history)) >= 2:
        keys[localized(f"trend_{period}.png", lang)] = _key("trend", lang, bands, method.rounding, _frame_values(data.history, ("period", "department", "pct")),
                                                            _frame_values(ranked, ("department", "label")))
    return keys


def _overall_history(history: pd.DataFrame) -> pd.DataFrame:
    if history is None or history.empty:
        return pd.DataFrame(columns=["period", "pct"])
    return history[history["department"].fillna("") == ""]


def png_key(path: Path) -> str | None:
    """The key a PNG chart was drawn from (its `PNG_KEY` text chunk, before the image data), if it has one."""
    try:
        with path.open("rb") as handle:
            if handle.read(8) != b"\x89PNG\r\n\x1a\n":
                return None
            while True:
                head = handle.read(8)
                if len(head) < 8:
                    return None
                length, kind = int.from_bytes(head[:4], "big"), head[4:]
                if kind in (b"IDAT", b"IEND") or length > 1 << 16:
                    return None
                body = handle.read(length + 4)[:length]
                if kind == b"tEXt":
                    keyword, _, text = body.partition(b"\0")
                    if keyword == PNG_KEY.encode("latin-1"):
                        return text.decode("latin-1")
    except OSError:
        return None


def draw_charts(data: ChartData, period_dir: Path, method: Methodology) -> list[Written]:
    """Write the figures of `data` into `period_dir`, each atomically. A PNG chart drawn from the same key as
    now (the key is kept in the file) is kept as it is, and listed all the same."""
    keys = figure_keys(data, method)
    same = {name for name, key in keys.items() if png_key(period_dir / name) == key}
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    period, lang, ranked = data.period, data.lang, data.ranked
    written: list[Written] = []
    with matplotlib.rc_context(_RC):
        for name in keys:
            path = period_dir / name
            if name in same:
                written.append(Written(path))
                continue
            if name.startswith("departments_"):
                fig = Figure(figsize=(10, 1.9 + 0.26 * max(len(chart_rows(scored_departments(ranked))[0]), 3)))
                _departments_chart(fig, fig.add_subplot(), ranked, method, lang)
            elif name.startswith("status_"):
                fig = Figure(figsize=(10, 1.9 + 0.26 * max(len(chart_rows(mix_departments(ranked))[0]), 3)))
                _status_chart(fig, fig.add_subplot(), ranked, lang)
            else:
                fig = Figure(figsize=(10, 4.8))
                _trend_chart(fig.add_subplot(), data, ranked, method, lang)
            written.append(_save(fig, path, "png", key=keys[name]))
        fig = Figure(figsize=(11.69, 8.27))  # A4 landscape
        _digest(fig, data, ranked, method, lang)
        written.append(_save(fig, period_dir / localized(f"digest_{period}.pdf", lang), "pdf", title=period_title(period, lang)))
    return written


def warm_up() -> None:
    """Import matplotlib and load the fonts, as the drawing process does while the report is being built."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib.backends import backend_agg, backend_pdf  # noqa: F401
    from matplotlib.figure import Figure  # noqa: F401

    with matplotlib.rc_context(_RC):
        for weight in ("normal", "bold"):
            font_manager.get_font(font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans", weight=weight)))
    with contextlib.suppress(ImportError):
        from fontTools import subset  # noqa: F401


def _save(fig: Figure, path: Path, fmt: str, title: str = "", key: str = "") -> Written:
    if fmt == "pdf":
        # No creation date: the same figures give the same bytes.
        metadata: dict[str, Any] = {"Title": title, "Creator": "negtgel", "Producer": None, "CreationDate": None}
        return write_atomically(path, lambda tmp: fig.savefig(tmp, format="pdf", metadata=metadata))
    png: dict[str, Any] = {"Software": None, **({PNG_KEY: key} if key else {})}
    return write_atomically(path, lambda tmp: fig.savefig(tmp, format=fmt, dpi=DPI, metadata=png))


def _margins(fig: Figure, *, left: float, right: float, top: float, bottom: float) -> None:
    """Fixed margins in inches (cheaper than tight_layout, which draws the figure once more)."""
    width, height = fig.get_size_inches()
    fig.subplots_adjust(left=min(left / width, 0.5), right=1 - right / width, top=1 - top / height, bottom=min(bottom / height, 0.45))


def _label_inches(labels: list[str], fontsize: float) -> float:
    """Room for y tick labels: up to 0.8 em a character (DejaVu Sans capitals such as "ХШҮДАХ" are wide)."""
    return 0.25 + max((len(label) for label in labels), default=4) * fontsize * 0.8 / 72


def _empty(ax: Axes, text: str) -> None:
    ax.axis("off")
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=11, color=_GREY, transform=ax.transAxes)


def _departments_chart(fig: Figure | None, ax: Axes, ranked: pd.DataFrame, method: Methodology, lang: Lang,
                       *, side: int = CHART_SIDE, fontsize: float = 8.5, title: bool = True, slots: int = 3) -> None:
    """Horizontal bars in rank order, coloured by band, with the band thresholds as dashed lines."""
    from matplotlib.patches import Patch

    t = tr(lang)
    scored = scored_departments(ranked)
    shown, cut = chart_rows(scored, limit=2 * side, side=side)
    if title:
        heading = t("charts.implementation_department")
        if cut:
            heading += t("charts.top_side_bottom_side", side=side, scored_n=len(scored))
        ax.set_title(heading, loc="left")
    if shown.empty:
        _empty(ax, t("charts.no_department_has_score"))
        return
    pcts = [float(p) for p in shown["scored_pct"]]
    bands = [method.band_for(p) for p in pcts]
    y = list(range(len(shown)))
    ax.barh(y, pcts, color=[b.color for b in bands], edgecolor="#595959", linewidth=0.4, height=0.72)
    labels = [ranked_label(shorten(label, 24), rank) for label, rank in zip(shown["label"], column(shown, "rank"), strict=True)]
    ax.set_yticks(y, labels, fontsize=fontsize)
    ax.set_ylim(max(len(shown), slots) - 0.5, -0.5)  # rank 1 on top; a few bars stay bar-shaped
    ax.set_xlim(0, 108)
    ax.tick_params(axis="x", labelsize=fontsize)
    for yi, p in zip(y, pcts, strict=True):
        ax.text(p + 0.8, yi, pct_text(p, method.rounding), va="center", fontsize=fontsize - 1,
                bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.8})
    for band in method.bands:
        if band.above is None:
            continue
        ax.axvline(band.above, color=band.color, linestyle="--", linewidth=1.1, zorder=0)
        ax.text(band.above, 1.0, band.grade or f"{band.above:g}", transform=ax.get_xaxis_transform(), ha="center", va="bottom",
                fontsize=fontsize - 1, color=_GREY)
    if cut:
        ax.axhline(side - 0.5, color=_GREY, linestyle=":", linewidth=1)
    handles = [Patch(facecolor=b.color, edgecolor="#595959", linewidth=0.4,
                     label=(f"{b.grade} " if b.grade else "") + b.name(lang) + (f" (> {b.above:g})" if b.above is not None else ""))
               for b in method.bands]
    if fig is not None:
        fig.legend(handles=handles, loc="lower center", ncol=min(len(handles), 5), frameon=False, fontsize=fontsize - 0.5)
        _margins(fig, left=_label_inches(labels, fontsize), right=0.3, top=0.75 if cut else 0.55, bottom=0.75)


def _bars(ax: Axes, y: list[int], widths: list[float], left: list[float], *, color: str, edgecolor: str, linewidth: float,
          height: float, label: str) -> None:
    """Horizontal bars as one collection: drawn as `barh` draws them, without an artist a bar (a stacked chart of
    60 departments has 360 bars: `barh` spent 0.3 s making them and as long drawing them)."""
    from matplotlib.collections import PolyCollection

    half = height / 2
    boxes = [((x0, yi - half), (x0, yi + half), (x0 + w, yi + half), (x0 + w, yi - half))
             for yi, w, x0 in zip(y, widths, left, strict=True) if w > 0]
    ax.add_collection(PolyCollection(boxes, facecolors=color, edgecolors=edgecolor, linewidths=linewidth, label=label,
                                     closed=True), autolim=False)


def _status_chart(fig: Figure, ax: Axes, ranked: pd.DataFrame, lang: Lang) -> None:
    """Each department's measures by status, as shares stacked to 100 %, with the counts in the segments."""
    t = tr(lang)
    mix_all = mix_departments(ranked)
    shown, cut = chart_rows(mix_all)
    heading = t("charts.status_mix_department")
    if cut:
        heading += t("charts.top_chart_side_bottom", chart_side=CHART_SIDE, mix_all_n=len(mix_all))
    ax.set_title(heading, loc="left")
    if shown.empty:
        _empty(ax, t("charts.no_department_sent_measures"))
        return
    counts = {s: pd.to_numeric(pd.Series(column(shown, s, 0)), errors="coerce").fillna(0).to_numpy(dtype=float) for s in STATUS_ORDER}
    totals = sum(counts.values())
    y = list(range(len(shown)))
    left = [0.0] * len(shown)
    for status in STATUS_ORDER:
        values = counts[status]
        if values.sum() == 0:
            continue
        shares = [v / tot * 100 if tot else 0.0 for v, tot in zip(values, totals, strict=True)]
        color = STATUS_COLORS[status]
        _bars(ax, y, shares, left, color=color, edgecolor="white", linewidth=0.5, height=0.72, label=status_name(status, lang))
        if len(shown) <= 40:
            for yi, (share, value, start) in enumerate(zip(shares, values, left, strict=True)):
                if share >= 7:
                    ax.text(start + share / 2, yi, f"{int(value)}", ha="center", va="center", fontsize=7, color=text_color(color))
        left = [a + b for a, b in zip(left, shares, strict=True)]
    labels = [ranked_label(shorten(label, 24), rank) for label, rank in zip(shown["label"], column(shown, "rank"), strict=True)]
    ax.set_yticks(y, labels, fontsize=8.5)
    ax.set_ylim(len(shown) - 0.5, -0.5)
    ax.set_xlim(0, 100)
    ax.xaxis.set_major_formatter(lambda v, _pos: f"{v:.0f}%")
    if cut:
        ax.axhline(CHART_SIDE - 0.5, color=_GREY, linestyle=":", linewidth=1)
    fig.legend(*ax.get_legend_handles_labels(), loc="lower center", ncol=6, frameon=False, fontsize=8)
    _margins(fig, left=_label_inches(labels, 8.5), right=0.3, top=0.75 if cut else 0.55, bottom=0.75)


def _trend_chart(ax: Axes, report: ChartData, ranked: pd.DataFrame, method: Methodology, lang: Lang) -> None:
    """The overall % over the stored periods (thick), a few departments (thin), the bands as shading."""
    t = tr(lang)
    history = report.history
    periods = sorted({str(p) for p in history["period"]})
    x = list(range(len(periods)))
    table = history.assign(department=history["department"].fillna("").astype(str), period=history["period"].astype(str))
    values = table.pivot_table(index="department", columns="period", values="pct", aggfunc="last")
    upper = 100.0
    for band in method.bands:
        lower = band.above if band.above is not None else 0.0
        ax.axhspan(lower, upper, color=band.color, alpha=0.12, linewidth=0)
        upper = lower
    present = [d for d in ranked["department"] if d in values.index]
    if len(present) > TREND_SERIES:
        present = present[: TREND_SERIES // 2] + present[-(TREND_SERIES // 2):]
    labels = dict(zip(ranked["department"], ranked["label"], strict=True))

    def line(dept: str) -> list[float]:
        return [float("nan") if is_missing(values.at[dept, p]) else float(values.at[dept, p]) if p in values.columns else float("nan")
                for p in periods]

    for dept in present:
        ax.plot(x, line(dept), marker="o", markersize=3, linewidth=1.1, alpha=0.85, label=shorten(labels.get(dept, dept), 20))
    if "" in values.index:
        overall = line("")
        ax.plot(x, overall, marker="o", markersize=5, linewidth=3, color="#1F4E78", label=t("charts.overall"), zorder=5)
        for xi, v in zip(x, overall, strict=True):
            if v == v:
                ax.annotate(pct_text(v, method.rounding), (xi, v), textcoords="offset points", xytext=(0, 7), ha="center", fontsize=8,
                            color="#1F4E78", fontweight="bold", zorder=6,
                            bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.75})
    ax.set_xticks(x, periods, fontsize=8, rotation=45 if len(periods) > 6 else 0)
    ax.set_ylim(0, 105)
    ax.set_ylabel("%")
    title = t("charts.implementation_period")
    if len([d for d in ranked["department"] if d in values.index]) > TREND_SERIES:
        title += t("charts.overall_top_value_bottom", value=TREND_SERIES // 2)
    ax.set_title(title, loc="left")
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False, fontsize=8)
    ax.figure.subplots_adjust(left=0.07, right=0.80, top=0.88, bottom=0.16)


def _wrap(text: str, width: int, lines: int) -> list[str]:
    wrapped = textwrap.wrap(text, width) or [""]
    if len(wrapped) > lines:
        wrapped = [*wrapped[: lines - 1], shorten(" ".join(wrapped[lines - 1:]), width)]
    return wrapped


def _digest(fig: Figure, report: ChartData, ranked: pd.DataFrame, method: Methodology, lang: Lang) -> None:
    """One A4 landscape page: the headline figures, the department chart, the most lagging measures."""
    t = tr(lang)
    ov = report.overall
    text: Callable[..., Any] = fig.text
    text(0.035, 0.955, period_title(report.period, lang), fontsize=17, fontweight="bold", va="top")
    if report.closing is not None:
        state = t("charts.closed_value", value=str(report.closing.closed_at)[:10])
    else:
        state = t("charts.open_value", value=str(report.generated_at)[:16].replace('T', ' '))
    text(0.035, 0.905, f"{method.title(report.methodology_name, lang)}  ·  {state}", fontsize=8.5, color=_GREY, va="top")

    # The headline: the overall % in its band colour, rating, points, change.
    color = ov.color or "#DDDDDD"
    big = "—" if ov.pct is None else f"{pct_text(ov.pct, method.rounding)}%"
    text(0.045, 0.835, big, fontsize=30, fontweight="bold", color=text_color(color), va="center",
         bbox={"boxstyle": "round,pad=0.35", "facecolor": color, "edgecolor": "none"})
    text(0.215, 0.862, f"{method.rating_name(ov.rating, lang)} ({ov.grade})" if ov.rating else t("charts.not_rated"), fontsize=14, fontweight="bold", va="center")
    points = "—" if ov.points is None else f"{ov.points:.2f}"
    line = t("charts.points_points", points=points)
    if ov.pct is not None and report.overall_previous is not None:
        change = round(ov.pct - report.overall_previous, method.rounding)
        arrow = "▲" if change > 0 else ("▼" if change < 0 else "•")
        before = f"{report.previous_period}: {pct_text(report.overall_previous, method.rounding)}%"
        text(0.215, 0.808, f"{arrow} {change:+.{method.rounding}f}  " + t("charts.previous_before", before=before), fontsize=10,
             va="center", color="#1A7F37" if change > 0 else ("#B42318" if change < 0 else "#000000"))
    text(0.215, 0.838, line, fontsize=10, va="center")

    # Completeness: who reported, who is late, who is missing (with the official to call).
    reported = ranked[ranked["reported"]]
    late = [(lab, int(d)) for lab, d in zip(reported["label"], column(reported, "days_late"), strict=True) if not is_missing(d) and int(d) > 0]
    missing = ranked[~ranked["reported"]]
    text(0.50, 0.872, t("charts.reported_reported_expected_late", reported=report.reported, expected=report.expected, late_n=len(late), missing_n=len(missing)),
         fontsize=11, fontweight="bold", va="center")
    names = [f"{n}" + (f" ({o})" if isinstance(o, str) and o else "") for n, o in
             zip(column(missing, "department", ""), column(missing, "official", ""), strict=True)]
    missing_line = t("charts.missing") + ("; ".join(names[:4]) + (t("charts.value_more", value=len(names) - 4) if len(names) > 4 else "")
                                                      if names else t("charts.none"))
    late_line = t("charts.late") + (", ".join(f"{lab} ({d} {t('charts.d')})" for lab, d in late[:8])
                                             + (" …" if len(late) > 8 else "") if late else t("charts.none"))
    y = 0.842
    lines = [(piece, "#8B1A1A" if names else "#000000") for piece in _wrap(missing_line, 76, 2)]
    lines += [(piece, "#000000") for piece in _wrap(late_line, 76, 1)]
    for piece, color in lines:
        text(0.50, y, piece, fontsize=8.5, va="center", color=color)
        y -= 0.024

    # The overall status mix as one bar across the page.
    ax = fig.add_axes((0.035, 0.71, 0.93, 0.03))
    ax.axis("off")
    total = sum(ov.counts.values())
    start = 0.0
    for status in STATUS_ORDER:
        count = ov.counts.get(status, 0)
        if not total or not count:
            continue
        share = count / total
        ax.barh(0, share, left=start, color=STATUS_COLORS[status], edgecolor="white", height=1)
        room = share * 0.93 * 11.69 * 72 / 4.4  # characters of 7.5 pt text that fit in the segment
        label = f"{status_name(status, lang)} {count}" if room >= len(status_name(status, lang)) + 5 else (str(count) if room >= 4 else "")
        ax.text(start + share / 2, 0, label, ha="center", va="center", fontsize=7.5, color=text_color(STATUS_COLORS[status]))
        start += share
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.5, 0.5)
    text(0.035, 0.748, t("charts.measures_measures_due_due", measures=ov.measures, due=ov.due, scored=ov.scored), fontsize=8.5, color=_GREY)

    # The department chart (top and bottom of the ranking when many).
    ax = fig.add_axes((0.13, 0.05, 0.33, 0.57))  # room above for the rank rule
    scored_n = len(scored_departments(ranked))
    fontsize = 8 if min(scored_n, 2 * DIGEST_SIDE) <= 20 else 6.5
    _departments_chart(None, ax, ranked, method, lang, side=DIGEST_SIDE, fontsize=fontsize, title=False, slots=12)
    heading = t("charts.implementation_department")
    if scored_n > 2 * DIGEST_SIDE:
        heading += t("charts.top_bottom_digest_side", digest_side=DIGEST_SIDE, scored_n=scored_n)
    text(0.035, 0.665, heading, fontsize=10.5, fontweight="bold")
    penalty = f"{method.late_penalty_per_day:g}"
    text(0.035, 0.648, t("charts.rank_order_penalty_point", penalty=penalty), fontsize=7, color=_GREY)

    # The most lagging measures: the lowest level first, then the lowest-scoring departments.
    lag, lag_total = report.lagging, report.lagging_total
    text(0.52, 0.665, t("charts.most_lagging_measures_lag", lag_total=lag_total),
         fontsize=10.5, fontweight="bold")
    labels = dict(zip(ranked["department"], ranked["label"], strict=True))
    y = 0.635
    if lag.empty:
        text(0.52, y, t("charts.no_lagging_measures"), fontsize=9, color=_GREY)
    shown = 0
    # Only the first few fit on the page: convert just those rows to records.
    for record in lag.head(LAGGING_SHOWN).to_dict("records"):
        measure = _wrap(shorten(record.get("measure"), 200), 80, 2)
        detail = shorten(t("charts.target") + shorten(record.get("target_text"), 45) + "  ·  " + t("charts.achieved")
                         + shorten(record.get("actual_text"), 45), 100)
        needed = 0.022 * (1 + len(measure)) + 0.03
        if y - needed < 0.03:
            break
        level = record.get("level")
        word = (method.level_label(float(level)) if lang != "en" and not is_missing(level) else "") or status_name(str(record.get("status")), lang)
        level_text = word if is_missing(level) else f"{float(level):g} · {word}"
        dept = labels.get(record.get("department"), shorten(record.get("department"), 24))
        number = "" if is_missing(record.get("measure_no")) else str(record.get("measure_no"))
        text(0.52, y, f"{dept}  {number}", fontsize=8.5, fontweight="bold", va="top")
        text(0.965, y, level_text, fontsize=8, fontweight="bold", va="top", ha="right", color=STATUS_COLORS.get(str(record.get("status")), "#000000"))
        y -= 0.022
        for piece in measure:
            text(0.52, y, piece, fontsize=8, va="top")
            y -= 0.021
        text(0.52, y, detail, fontsize=7, va="top", color=_GREY)
        y -= 0.03
        shown += 1
    if shown < lag_total:
        text(0.52, 0.03, t("charts.value_more_value_sheet", value=lag_total - shown, value2=summary_name(report.period, lang)), fontsize=7.5, color=_GREY)
    text(0.035, 0.012, f"negtgel  ·  {str(report.generated_at)[:16].replace('T', ' ')}  ·  " + t("charts.details")
         + summary_name(report.period, lang), fontsize=7, color=_GREY)
