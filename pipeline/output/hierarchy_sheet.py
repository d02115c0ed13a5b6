"""The summary's `Шатлал` sheet (issue 17): every level of the hierarchy, then each parent with its children.

At the top, every unit in the tree's order (indented by depth) with its %, rating, rank inside its parent and
completeness ("17 сумаас 3 нь ирүүлээгүй"); under it, one block per parent: its figure, the rule it was made
by, its children's table in rank order and a bar chart of their %. Written only when departments.yaml has a
parent (`report.hierarchy`); every text goes through `write_string`, so no unit name becomes a formula.
"""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING, Any

from pipeline.values import is_missing

if TYPE_CHECKING:
    from xlsxwriter.worksheet import Worksheet

    from pipeline.hierarchy import Hierarchy
    from pipeline.output.summary import _Book

SHEET = "hierarchy.sheet"  # the sheet's name, by its catalogue key
CHART_MAX = 40  # children shown in a parent's chart (top and bottom half when more)


def _write(book: _Book, sheet: Worksheet, row: int, col: int, value: Any, kind: str, style: str | None = None) -> None:
    fmt = book.styles.get(kind, style)
    if is_missing(value) or value == "":
        sheet.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        sheet.write_string(row, col, book.t("hierarchy.yes") if value else book.t("hierarchy.no"), fmt)
    elif isinstance(value, numbers.Real):  # numpy's integers too
        sheet.write_number(row, col, float(value), fmt)
    else:
        sheet.write_string(row, col, str(value), fmt)


def _level_name(book: _Book, level: Any) -> str:
    return "" if is_missing(level) else str(level)


def write_hierarchy_sheet(book: _Book, sheet: Worksheet) -> None:
    hier: Hierarchy = book.report.hierarchy
    t, lang = book.t, book.lang
    frame = hier.figures
    rating = [book.method.rating_name(r, lang) if isinstance(r, str) else "" for r in frame["rating"]]
    completeness = frame["completeness_en" if lang == "en" else "completeness"].tolist()
    sheet.set_row(0, 24)
    sheet.write_string(0, 0, t("hierarchy.hierarchy_every_level"), book.formats.title)
    sheet.write_string(1, 0, hier.rule_text(lang) + " " + t("hierarchy.methodology_parent_percent_rule", rule=hier.rule), book.formats.subtitle)
    sheet.write_string(2, 0, t("hierarchy.rank_inside_parent_unit"),
                       book.formats.subtitle)
    heads = [(t("hierarchy.unit"), 44), (t("hierarchy.level"), 12), (t("hierarchy.parent"), 30),
             (t("hierarchy.implementation"), 12), (t("hierarchy.rating"), 20), (t("hierarchy.rank_parent"), 9),
             (t("hierarchy.measures"), 10), (t("hierarchy.due"), 10), (t("hierarchy.scored"), 10),
             (t("hierarchy.reported"), 10), (t("hierarchy.completeness"), 30), (t("hierarchy.units_missing"), 40),
             (t("hierarchy.path"), 50)]
    header = 4
    for c, (title, width) in enumerate(heads):
        sheet.write_string(header, c, title, book.formats.header)
        sheet.set_column(c, c, width)
    sheet.set_row(header, 32)
    for i, rec in enumerate(frame.itertuples(index=False)):
        r = header + 1 + i
        style = "bold" if rec.is_parent else (None if rec.reported else "missing")
        indent = "    " * int(rec.depth)
        values: list[tuple[Any, str]] = [
            (indent + str(rec.unit), "text"), (_level_name(book, rec.level), "center"), (rec.parent_name, "wrap"),
            (rec.pct, "pct"), (rating[i], "text"), (rec.rank_in_parent, "int"), (rec.measures, "int"), (rec.due, "int"),
            (rec.scored, "int"), (bool(rec.reported), "center"), (completeness[i], "wrap"), (rec.missing_units, "wrap"),
            (rec.path, "wrap")]
        for c, (value, kind) in enumerate(values):
            _write(book, sheet, r, c, value, kind, style)
    last = header + len(frame)
    sheet.autofilter(header, 0, max(last, header), len(heads) - 1)
    sheet.freeze_panes(header + 1, 1)
    row = last + 3
    for parent in hier.tree.parents():
        row = _parent_block(book, sheet, hier, parent, row)


def _parent_block(book: _Book, sheet: Worksheet, hier: Hierarchy, parent: str, top: int) -> int:
    """A parent's figure, completeness, its children in rank order and a chart; returns the next free row."""
    t, lang = book.t, book.lang
    me = hier.figures[hier.figures["key"] == parent].iloc[0]
    pct = "—" if is_missing(me["pct"]) else f"{float(me['pct']):.{book.rounding}f} %"
    done = me["completeness_en" if lang == "en" else "completeness"]
    sheet.write_string(top, 0, f"{me['unit']} — {pct}", book.styles.custom(bold=True, font_size=12, font_color="#1F4E78"))
    sheet.write_string(top + 1, 0, str(done), book.formats.subtitle)
    kids = hier.children_of(parent)
    heads = [t("hierarchy.rank"), t("hierarchy.unit"), t("hierarchy.level"), t("hierarchy.implementation"),
             t("hierarchy.rating"), t("hierarchy.reported"), t("hierarchy.completeness")]
    header = top + 2
    for c, title in enumerate(heads):
        sheet.write_string(header, c, title, book.formats.header)
    for i, rec in enumerate(kids.itertuples(index=False)):
        r = header + 1 + i
        style = None if rec.reported else "missing"
        rating = book.method.rating_name(rec.rating, lang) if isinstance(rec.rating, str) else ""
        values: list[tuple[Any, str]] = [
            (rec.rank_in_parent, "int"), (str(rec.unit), "wrap"), (_level_name(book, rec.level), "center"), (rec.pct, "pct"),
            (rating, "text"), (bool(rec.reported), "center"),
            (rec.completeness_en if lang == "en" else rec.completeness, "wrap")]
        for c, (value, kind) in enumerate(values):
            _write(book, sheet, r, c, value, kind, style)
    last = header + len(kids)
    # The chart reads the table's own cells: the ranked children (those with a %) come first, in rank order.
    n = min(CHART_MAX, int(kids["rank_in_parent"].notna().sum()))
    chart_rows = 0
    if n:
        chart = book.workbook.add_chart({"type": "bar"})
        chart.add_series({
            "name": t("hierarchy.implementation"),
            "categories": [sheet.name, header + 1, 1, header + n, 1],
            "values": [sheet.name, header + 1, 3, header + n, 3],
            "fill": {"color": "#1F4E78"},
            "data_labels": {"value": True, "num_format": book.styles.pct_format, "font": {"size": 8}},
        })
        # The title starts with the program's words: a unit's name first could be taken for a formula.
        chart.set_title({"name": t("hierarchy.units_beneath") + str(me["unit"]), "name_font": {"size": 11}})
        chart.set_y_axis({"reverse": True, "num_font": {"size": 8}})
        chart.set_x_axis({"min": 0, "max": 100, "major_unit": 20})
        chart.set_legend({"none": True})
        height = max(220, 60 + 22 * n)
        chart.set_size({"width": 520, "height": height})
        sheet.insert_chart(top, 8, chart)
        chart_rows = height // 20 + 1
    return max(last + 3, top + chart_rows + 1)
