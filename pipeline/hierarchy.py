"""Roll-up through the hierarchy (issue 17): units with a parent, a % for every level, completeness by parent.

`departments.yaml` may give each unit a `parent` (the name or short name of another unit), a `level` (`сум`,
`хэлтэс`, `агентлаг`, …) and `reports: false` for a grouping unit that reports nothing itself. From them:

- every unit's path (`parent_path`, "Аймаг/Сумд/Баянхонгор сум": the names from the top down to the unit),
  carried by each measure into the consolidated workbook and `measures.csv`;
- every parent's figure: by default (`parent_percent: mean_of_measures` in the methodology) the mean of the
  levels of all due, scored measures beneath it, its own included when it reports too — the same rule as a
  department's and the overall %; with `mean_of_children` the plain mean of its children's figures (each
  child's own figure by the same rule; a parent that reports counts its own % as one more child);
- each child's rank inside its parent (by the published %, the lateness penalty applied to a unit's own
  report as in the department ranking), and completeness by parent: of the reporting units beneath it, how
  many did not report ("17 сумаас 3 нь ирүүлээгүй").

With no `parent` anywhere, nothing here changes any output: `apply` leaves the report as it was.
Units taken from another workspace's export (`pipeline.export`) join the tree under their sending unit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from pipeline.rollup import round_half_up, standing_rank
from pipeline.schema import Loc, suggestion
from pipeline.words import Lang, Text, both, catalogue, say

if TYPE_CHECKING:
    from pipeline.config import Config, Methodology
    from pipeline.model import Report

RULES = ("mean_of_measures", "mean_of_children")
PATH_SEPARATOR = "/"


# --- departments.yaml: every parent exists, no cycles -----------------------------------------------------
def _key(text: str) -> str:
    from pipeline.config import header_key

    return header_key(text)


def _lookup(units: Sequence[tuple[str, str, str]]) -> dict[str, str]:
    """header_key(name or short name) -> the unit's full name."""
    names: dict[str, str] = {}
    for name, short, _ in units:
        for text in (name, short):
            if text and _key(text):
                names.setdefault(_key(text), name)
    return names


def parent_names(units: Sequence[tuple[str, str, str]]) -> list[str]:
    """Each unit's parent as a full name ("" at the top, or when the parent names no unit: refused by
    `parent_problems` before this is used). `units` are (name, short, parent as written)."""
    names = _lookup(units)
    return [names.get(_key(parent), "") if parent else "" for _, _, parent in units]


def parent_problems(units: Sequence[tuple[str, str, str]]) -> list[tuple[Loc, str]]:
    """Mistakes in the `parent` keys, at `departments[i].parent`: a parent that names no unit (with the
    nearest name), and every cycle (a unit above itself), named unit by unit."""
    names = _lookup(units)
    problems: list[tuple[Loc, str]] = []
    known = [name for name, _, _ in units] + [short for _, short, _ in units if short]
    for index, (_, _, parent) in enumerate(units):
        if parent and _key(parent) not in names:
            problems.append(((index, "parent"), f'"{parent}" нэгж departments-д алга / no unit is named "{parent}"; '
                                                f"{suggestion(parent, known)}"))
    parents = dict(zip((name for name, _, _ in units), parent_names(units), strict=True))
    index_of = {name: i for i, (name, _, _) in enumerate(units)}
    reported: set[str] = set()
    for start, _, _ in units:
        chain = [start]
        while parents.get(chain[-1]):
            nxt = parents[chain[-1]]
            if nxt in chain:
                cycle = [*chain[chain.index(nxt):], nxt]
                if not reported & set(cycle):
                    text = " → ".join(cycle)
                    first = min(cycle[:-1], key=lambda n: index_of[n])
                    problems.append(((index_of[first], "parent"), both("messages.hierarchy.parents_make_cycle_text", sep=" / ", text=text)))
                    reported.update(cycle)
                break
            chain.append(nxt)
    return problems


# --- the tree --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Unit:
    name: str  # the unit's key in its tree: the name for units of departments.yaml, unique for imported ones
    short: str = ""
    parent: str = ""  # the parent's key
    level: str = ""
    reports: bool = True
    official: str = ""
    via: str = ""  # the export a unit came from ("" for units of this workspace's departments.yaml)
    label: str = ""  # the name shown, when the key is not it (a unit taken from an export)

    @property
    def shown(self) -> str:
        return self.label or self.name


@dataclass
class Tree:
    units: dict[str, Unit] = field(default_factory=dict)  # in the order listed; a parent need not come first
    # parent -> children, built on first use and again when units were added (5,000 units: no scan per unit)
    _kids: tuple[int, dict[str, list[str]]] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def of(cls, units: Iterable[Unit]) -> Tree:
        return cls({u.name: u for u in units})

    @classmethod
    def from_config(cls, config: Config) -> Tree:
        return cls.of(Unit(d.name, d.short, d.parent, d.level, d.reports, d.official) for d in config.departments)

    @property
    def has_parents(self) -> bool:
        return any(u.parent for u in self.units.values())

    def children(self, name: str) -> list[str]:
        if self._kids is None or self._kids[0] != len(self.units):
            kids: dict[str, list[str]] = {}
            for u in self.units.values():
                if u.parent:
                    kids.setdefault(u.parent, []).append(u.name)
            self._kids = (len(self.units), kids)
        return self._kids[1].get(name, [])

    def roots(self) -> list[str]:
        return [u.name for u in self.units.values() if not u.parent or u.parent not in self.units]

    def chain(self, name: str) -> list[str]:
        """The names from the top down to the unit."""
        chain = [name]
        seen = {name}
        while (up := self.units[chain[-1]].parent if chain[-1] in self.units else "") and up not in seen:
            chain.append(up)
            seen.add(up)
        return chain[::-1]

    def path(self, name: str) -> str:
        return PATH_SEPARATOR.join(self.units[n].shown if n in self.units else n for n in self.chain(name))

    def depth(self, name: str) -> int:
        return len(self.chain(name)) - 1

    def subtree(self, name: str) -> list[str]:
        """The unit and every unit beneath it, depth first in the listed order."""
        out = [name]
        for child in self.children(name):
            out.extend(self.subtree(child))
        return out

    def preorder(self) -> list[str]:
        out: list[str] = []
        for root in self.roots():
            out.extend(self.subtree(root))
        return out

    def parents(self) -> list[str]:
        return [name for name in self.preorder() if self.children(name)]


# --- figures ---------------------------------------------------------------------------------------------
def completeness_text(expected: int, missing: int, levels: Sequence[str], lang: Lang = "mn") -> str:
    """"17 сумаас 3 нь ирүүлээгүй" ("3 of 17 soums missing"); "нэгжээс" (units) when the levels differ or are unknown.
    The unit words are in the catalogue (hierarchy.yaml `units`: the Mongolian ablative, the English plural)."""
    kinds = {level.strip().casefold() for level in levels if level.strip()}
    kind = next(iter(kinds)) if len(kinds) == 1 and len(set(levels)) == 1 else ""
    units = Text(f"hierarchy.units.{kind}" if f"hierarchy.units.{kind}" in catalogue() else "hierarchy.units.нэгж")
    key = "hierarchy.completeness_missing" if missing else "hierarchy.completeness_all"
    return say(key, lang, expected=expected, missing=missing, units=units)


@dataclass
class Hierarchy:
    """The tree and a figure for every unit in it (`figures`: one row per unit, in the tree's order)."""

    tree: Tree
    rule: str
    figures: pd.DataFrame

    def rule_text(self, lang: Lang) -> str:
        if self.rule == "mean_of_children":
            return say("hierarchy.rule_mean_of_children", lang)
        return say("hierarchy.rule_mean_of_measures", lang)

    def children_of(self, name: str) -> pd.DataFrame:
        """The unit's children with their figures and rank inside the parent, in rank order."""
        kids = self.figures[self.figures["parent"] == name]
        rank = kids["rank_in_parent"].astype("float64")
        order = kids.assign(_g=[0 if r == r else (1 if rep else 2) for r, rep in zip(rank, kids["reported"], strict=True)],
                            _r=rank.fillna(0.0))
        return order.sort_values(["_g", "_r", "unit"], kind="stable").drop(columns=["_g", "_r"]).reset_index(drop=True)


@dataclass(frozen=True)
class UnitState:
    """What the tree needs of a unit's own report (a department row)."""

    reported: bool
    days_late: int | None = None
    pct_raw: float | None = None


def figures(tree: Tree, measures: pd.DataFrame, states: Mapping[str, UnitState], method: Methodology) -> pd.DataFrame:
    """One row per unit: own and subtree counts, the figure by the methodology's `parent_percent`, the
    reporting units beneath it, and rank inside the parent."""
    by = "unit" if "unit" in measures.columns else "department"  # a measure's unit: its department, or one from an export
    due = measures["due"].astype(bool) & measures["level"].notna() if len(measures) else pd.Series(dtype=bool)
    levels = measures.loc[due, [by, "level"]] if len(measures) else pd.DataFrame(columns=[by, "level"])
    grouped = levels.groupby(by)["level"].agg(["sum", "count"]) if len(levels) else pd.DataFrame(columns=["sum", "count"])
    # Plain dicts: looked up once per unit and per unit above it (pandas' .at would cost more than the sums).
    sums: dict[str, tuple[float, int]] = {str(k): (float(v), int(c)) for k, v, c in
                                          zip(grouped.index, grouped["sum"], grouped["count"], strict=True)}
    counts = {str(k): int(v) for k, v in (measures.groupby(by).size() if len(measures) else pd.Series(dtype="int64")).items()}
    due_counts = {str(k): int(v) for k, v in
                  (measures.groupby(by)["due"].sum() if len(measures) else pd.Series(dtype="int64")).items()}
    rule = method.parent_percent
    cache: dict[str, float | None] = {}

    def own_raw(name: str) -> float | None:
        if sums.get(name, (0.0, 0))[1]:
            return sums[name][0] / sums[name][1]
        state = states.get(name)
        return state.pct_raw if state is not None else None

    def raw(name: str) -> float | None:
        if name in cache:
            return cache[name]
        subtree = tree.subtree(name)
        value: float | None
        if len(subtree) == 1:
            value = own_raw(name)
        elif rule == "mean_of_children":
            parts = [raw(child) for child in tree.children(name)]
            if tree.units[name].reports:
                parts.append(own_raw(name))
            known = [p for p in parts if p is not None]
            value = sum(known) / len(known) if known else None
        else:
            total = sum(sums[u][0] for u in subtree if u in sums)
            n = sum(sums[u][1] for u in subtree if u in sums)
            value = total / n if n else None
        cache[name] = value
        return value

    rows: list[dict[str, Any]] = []
    for name in tree.preorder():
        unit = tree.units[name]
        subtree = tree.subtree(name)
        beneath = [u for u in subtree[1:] if tree.units[u].reports]
        missing = [u for u in beneath if not states.get(u, UnitState(False)).reported]
        state = states.get(name, UnitState(False))
        reported = state.reported if unit.reports else len(missing) < len(beneath)
        pct = round_half_up(raw(name), method.rounding)
        band = method.band_for(pct) if pct is not None else None
        kid_levels = [tree.units[u].level for u in beneath]
        rows.append({
            "key": name, "unit": unit.shown, "short": unit.short, "level": unit.level, "parent": unit.parent,
            "parent_name": tree.units[unit.parent].shown if unit.parent in tree.units else unit.parent, "path": tree.path(name),
            "depth": tree.depth(name), "is_parent": len(subtree) > 1, "reports": unit.reports, "reported": bool(reported),
            "days_late": state.days_late if unit.reports else None,
            "measures": sum(counts.get(u, 0) for u in subtree),
            "due": sum(due_counts.get(u, 0) for u in subtree),
            "scored": sum(sums[u][1] for u in subtree if u in sums),
            "pct_raw": raw(name), "pct": pct, "rating": band.label if band else "", "grade": band.grade if band else "",
            "units_expected": len(beneath), "units_reported": len(beneath) - len(missing), "units_missing": len(missing),
            "missing_units": "; ".join(tree.units[u].shown for u in missing),
            "completeness": completeness_text(len(beneath), len(missing), kid_levels) if beneath else "",
            "completeness_en": completeness_text(len(beneath), len(missing), kid_levels, "en") if beneath else "",
            "via": unit.via,
        })
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    frame["pct"] = frame["pct"].astype("float64")
    frame["rank_in_parent"] = pd.array([None] * len(frame), dtype="Int64")
    for parent, group in frame.groupby("parent", sort=False):
        if parent == "" and len(group) == 1:
            continue  # the one top unit has no one to be ranked against
        pct = group["pct"].where(group["reported"])
        late = pd.Series(group["days_late"].tolist(), index=group.index, dtype="Float64")
        ranks = standing_rank(pct, late, method.late_penalty_per_day)
        frame.loc[group.index, "rank_in_parent"] = ranks
    return frame


def states_of(departments: pd.DataFrame) -> dict[str, UnitState]:
    """Each unit's own report, from the period's department table."""
    states: dict[str, UnitState] = {}
    raws = departments["pct_raw"].tolist() if "pct_raw" in departments.columns else [None] * len(departments)
    for name, reported, late, raw in zip(departments["department"], departments["reported"], departments["days_late"], raws,
                                         strict=True):
        states[str(name)] = UnitState(bool(reported), None if late is None or late is pd.NA or late != late else int(late),
                                      None if raw is None or raw != raw else float(raw))
    return states


def apply(report: Report, config: Config, extra: Iterable[Unit] = (), extra_states: Mapping[str, UnitState] | None = None) -> None:
    """Give the report its hierarchy when departments.yaml has a parent (or an export brought units):
    `parent_path` on every measure (last column), `unit` (the key of its unit in the tree) and
    `report.hierarchy`. Without one, nothing changes."""
    tree = Tree.from_config(config)
    for unit in extra:
        tree.units.setdefault(unit.name, unit)
    if not tree.has_parents:
        return
    measures = report.measures
    units = measures["unit"] if "unit" in measures.columns else measures["department"]
    units = units.fillna(measures["department"]).astype(str) if len(measures) else units
    for name in units.unique() if len(measures) else ():
        tree.units.setdefault(str(name), Unit(str(name)))
    paths = {name: tree.path(name) for name in tree.units}
    measures = measures.assign(unit=units)
    report.measures = measures.assign(parent_path=[paths.get(u, u) for u in units])
    states = {**states_of(report.departments), **(extra_states or {})}
    report.hierarchy = Hierarchy(tree, config.methodology.parent_percent,
                                 figures(tree, report.measures, states, config.methodology))
