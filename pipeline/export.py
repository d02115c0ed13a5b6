"""A published result as input one level up (issue 17, part 2): `negtgel export` and taking an export in.

**The file.** `export_<unit>_YYYY-MM.zip` holds plain CSVs (UTF-8 with BOM, CRLF, text a spreadsheet would run
as a formula prefixed with an apostrophe, as `measures.csv`) and `manifest.json`:

| part | holds |
|---|---|
| `measures.csv` | every published measure: the columns of `measures.csv`, then `parent_path` and `unit_key` (its unit in `units.csv`) |
| `units.csv` | the unit tree: key, name, short, parent_key, level, reports, reported, days_late, received_at, official |
| `departments.csv` | the department figures as published (period, department, %, rating, rank, counts, timeliness) |
| `manifest.json` | format, version, period, the sending unit (the tree's top), closed / closed_at / reason, when exported, the overall figure, the number of rows of each part and each part's sha256 |

A zip of CSVs rather than a workbook: every part is plain text that any tool reads and `diff` compares, and each
part is hashed on its own, so the receiving side can say which part does not match its manifest; nothing in it
runs or is computed when opened.

**Taking it in.** An export arriving in `input/` or by mail is recognised by its manifest (`read_export`, hooked
into intake beside the template reader), checked — every part present and nothing more, each part's sha256, the
row counts and the period of each part against the manifest — and becomes a submission of the sending unit (its
name or alias in the upper departments.yaml; otherwise `department-not-listed`) for the manifest's period. A newer
export from the same unit supersedes the older one as a resubmission does. One that contradicts its manifest is
refused (`export-tampered`, with the reason) and the unit stays not reported by it. An export of an open period is
taken with a warning (`export-period-open`). The measures keep the levels and flags the lower level published
(they are not scored again); their units become a subtree under the sending unit (`imported`, used by
`hierarchy.apply`).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from pipeline import cycles
from pipeline.hierarchy import Tree, Unit, UnitState
from pipeline.output.csvs import MEASURES_CSV_COLUMNS, measure_rows
from pipeline.output.safe import FORMULA_TRIGGERS, Written, csv_safe, write_atomically
from pipeline.problems import Problem
from pipeline.read.workbook import FileRead
from pipeline.score import measure_key
from pipeline.values import is_missing
from pipeline.words import both

if TYPE_CHECKING:
    from pipeline.config import Config
    from pipeline.model import Report
    from pipeline.store import Submission

FORMAT = "negtgel-export"
VERSION = 1
MANIFEST = "manifest.json"
MEASURES = "measures.csv"
UNITS = "units.csv"
DEPARTMENTS = "departments.csv"
PARTS = (MEASURES, UNITS, DEPARTMENTS)
EXPORT_SUFFIX = ".zip"
MEASURE_COLUMNS = [*MEASURES_CSV_COLUMNS, "parent_path", "unit_key"]
UNIT_COLUMNS = ["key", "name", "short", "parent_key", "level", "reports", "reported", "days_late", "received_at", "official"]
DEPARTMENT_COLUMNS = ["period", "department", "short", "reported", "received_at", "days_late", "measures", "due", "scored",
                      "pct_raw", "pct", "rating", "grade", "rank"]
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed: the same parts give the same bytes
MANIFEST_LIMIT = 1_000_000


def _is_period(text: str) -> bool:
    """A period name exactly as the program writes it (2026-10, 2026-Q3, 2026-H2, 2026)."""
    named = cycles.try_parse(text)
    return named is not None and named.name == text


def export_name(unit: str, short: str, period: str) -> str:
    stem = re.sub(r"[^\w-]+", "_", short or unit).strip("_") or "unit"
    return f"export_{stem}_{period}.zip"


# --- writing ---------------------------------------------------------------------------------------------
def _csv_bytes(header: list[str], rows: list[list[str]] | list[tuple[str, ...]]) -> bytes:
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\r\n")
    out.writerow(header)
    out.writerows([[csv_safe(v) for v in row] for row in rows])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _text(value: Any) -> str:
    if value is None or is_missing(value):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


@dataclass
class ExportTree:
    """The tree the export describes: its top is the sending unit."""

    tree: Tree
    root: str


def export_tree(report: Report, config: Config, unit: str | None) -> ExportTree:
    """This workspace's tree with a single top: the one it has, or `unit` above the units at the top."""
    from pipeline.errors import NegtgelError

    hier = report.hierarchy
    tree = Tree(dict(hier.tree.units)) if hier is not None else Tree.from_config(config)
    roots = tree.roots()
    if unit is None:
        if len(roots) == 1:
            return ExportTree(tree, roots[0])
        raise NegtgelError(both("messages.export.name_sending_unit_with", sep=" / "))
    match = next((u.name for u in tree.units.values() if unit in (u.name, u.short)), None)
    if match is not None and roots == [match]:
        return ExportTree(tree, match)
    if match is not None:
        raise NegtgelError(both("messages.export.unit_not_unit_top", sep=" / ", unit=unit))
    units = dict(tree.units)
    for root in roots:
        old = units[root]
        units[root] = Unit(old.name, old.short, unit, old.level, old.reports, old.official, old.via, old.label)
    return ExportTree(Tree({unit: Unit(unit, reports=False), **units}), unit)


def build_export(report: Report, config: Config, unit: str | None, exported_at: str) -> tuple[str, bytes, dict[str, Any]]:
    """(file name, zip bytes, manifest) of the report's published result."""
    shape = export_tree(report, config, unit)
    tree, root = shape.tree, shape.root
    measures = report.measures
    units = measures["unit"].astype(str) if "unit" in measures.columns else measures["department"].astype(str)
    frame = measures.assign(parent_path=[tree.path(u) if u in tree.units else u for u in units], unit_key=list(units))
    base = measure_rows(frame)  # the measures.csv columns, formatted as there (already neutralised)
    extra = [[_text(p), _text(k)] for p, k in zip(frame["parent_path"], frame["unit_key"], strict=True)]
    base_len = len(MEASURES_CSV_COLUMNS)
    measure_lines = [list(row[:base_len]) + pair for row, pair in zip(base, extra, strict=True)]
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\r\n")
    out.writerow(MEASURE_COLUMNS)
    out.writerows([row[:base_len] + [csv_safe(v) for v in row[base_len:]] for row in measure_lines])
    parts: dict[str, bytes] = {MEASURES: ("\ufeff" + buffer.getvalue()).encode("utf-8")}

    table = report.departments
    own = {str(r.department): r for r in table.itertuples()}
    figures = report.hierarchy.figures if report.hierarchy is not None else None
    reached = dict(zip(figures["key"], figures["reported"], strict=True)) if figures is not None else {}
    unit_rows = []
    for key in tree.preorder():
        u = tree.units[key]
        row = own.get(key)
        reported = bool(row.reported) if row is not None else bool(reached.get(key, False))
        unit_rows.append([key, u.shown, u.short, u.parent, u.level, _text(u.reports), _text(reported),
                          "" if row is None else _text(None if is_missing(row.days_late) else int(row.days_late)),
                          "" if row is None else _text(row.received_at), u.official])
    parts[UNITS] = _csv_bytes(UNIT_COLUMNS, unit_rows)
    dept_rows = []
    for r in table.itertuples():
        dept_rows.append([report.period, str(r.department), _text(r.short), _text(bool(r.reported)), _text(r.received_at),
                          _text(None if is_missing(r.days_late) else int(r.days_late)), _text(int(r.measures)),
                          _text(int(r.due)), _text(int(r.scored)), _text(r.pct_raw), _text(r.pct), _text(r.rating),
                          _text(r.grade), _text(None if is_missing(r.rank) else int(r.rank))])
    parts[DEPARTMENTS] = _csv_bytes(DEPARTMENT_COLUMNS, dept_rows)
    closing = report.closing
    ov = report.overall
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "period": report.period,
        "unit": tree.units[root].shown,
        "unit_short": tree.units[root].short,
        "closed": closing is not None,
        "closed_at": closing.closed_at if closing is not None else None,
        "reason": closing.reason if closing is not None else None,
        "exported_at": exported_at,
        "methodology": report.methodology_name,
        "parent_percent": config.methodology.parent_percent,
        "overall": {"pct": ov.pct, "pct_raw": ov.pct_raw, "measures": ov.measures, "due": ov.due, "scored": ov.scored},
        "rows": {MEASURES: len(measure_lines), UNITS: len(unit_rows), DEPARTMENTS: len(dept_rows)},
        "sha256": {name: hashlib.sha256(data).hexdigest() for name, data in parts.items()},
    }
    blob = io.BytesIO()
    with zipfile.ZipFile(blob, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in [*parts.items(), (MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8"))]:
            info = zipfile.ZipInfo(name, _ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return export_name(tree.units[root].shown, tree.units[root].short, report.period), blob.getvalue(), manifest


def write_export(report: Report, config: Config, folder: Path, unit: str | None, exported_at: str,
                 path: Path | None = None) -> tuple[Written, dict[str, Any]]:
    name, data, manifest = build_export(report, config, unit, exported_at)
    target = path or folder / name
    target.parent.mkdir(parents=True, exist_ok=True)
    return write_atomically(target, lambda tmp: tmp.write_bytes(data)), manifest


# --- taking an export in -----------------------------------------------------------------------------------
@dataclass
class ExportRead(FileRead):
    """An export as intake keeps it: the checked parts, or the reason it was refused (then not readable)."""

    manifest: dict[str, Any] = field(default_factory=dict)
    measures: list[dict[str, str]] = field(default_factory=list)
    units: list[dict[str, str]] = field(default_factory=list)
    accepted: bool = False

    @property
    def readable(self) -> bool:
        return self.accepted


def _manifest_of(archive: zipfile.ZipFile) -> dict[str, Any] | None:
    if MANIFEST not in archive.namelist():
        return None
    try:
        raw = _bounded(archive, MANIFEST, MANIFEST_LIMIT)
        data = json.loads(raw.decode("utf-8")) if raw is not None else None
    except (ValueError, UnicodeDecodeError, zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError):
        return None
    return data if isinstance(data, dict) and data.get("format") == FORMAT else None


def _bounded(archive: zipfile.ZipFile, name: str, limit: int) -> bytes | None:
    """A part's bytes, or None when it unpacks to more than `limit` (its header may lie about its size)."""
    with archive.open(name) as handle:
        data = handle.read(limit + 1)
    return None if len(data) > limit else data


def is_export_bytes(data: bytes) -> bool:
    """Whether bytes (a mail attachment) are an export: a zip whose manifest.json says so."""
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return _manifest_of(archive) is not None
    except (zipfile.BadZipFile, ValueError, OSError, RuntimeError, NotImplementedError):
        return False


def _rows(data: bytes) -> list[dict[str, str]]:
    text = data.decode("utf-8-sig")
    return [{k: _unsafe(v) for k, v in row.items() if k is not None} for row in csv.DictReader(io.StringIO(text, newline=""))]


def _unsafe(value: str | None) -> str:
    """A CSV cell as it was before `csv_safe` neutralised it (the outputs neutralise it again)."""
    if value and len(value) > 1 and value[0] == "'" and value[1] in FORMULA_TRIGGERS:
        return value[1:]
    return value or ""


def read_export(path: Path, name: str, config: Config) -> ExportRead | None:
    """The export at `path`, checked against its manifest; None when the file is not an export at all (a zip
    without a negtgel manifest is left to the template reader, which says what it is)."""
    if Path(name).suffix.lower() != EXPORT_SUFFIX and path.suffix.lower() != EXPORT_SUFFIX:
        return None  # templates are never opened here: only a .zip can be an export
    try:
        if not zipfile.is_zipfile(path):
            return None
        with zipfile.ZipFile(path) as archive:
            manifest = _manifest_of(archive)
            if manifest is None:
                return None
            return _checked(archive, manifest, name, config)
    except (OSError, zipfile.BadZipFile, RuntimeError, NotImplementedError, ValueError) as exc:
        return _refused(name, {}, f"{type(exc).__name__}")


def _refused(name: str, manifest: dict[str, Any], reason: str) -> ExportRead:
    return ExportRead(name=name, kind=FORMAT, meta=_meta(manifest), manifest=manifest,
                      problems=[Problem("export-tampered", file=name, detail=reason)])


def _meta(manifest: dict[str, Any]) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    if isinstance(manifest.get("unit"), str):
        meta["department"] = manifest["unit"]
    if isinstance(manifest.get("period"), str) and _is_period(manifest["period"]):
        meta["period"] = manifest["period"]
    return meta


def _checked(archive: zipfile.ZipFile, manifest: dict[str, Any], name: str, config: Config) -> ExportRead:
    if manifest.get("version") != VERSION:
        return _refused(name, manifest, f"version {manifest.get('version')!r}")
    period = manifest.get("period")
    if not isinstance(period, str) or not _is_period(period):
        return _refused(name, manifest, f"period {period!r}")
    if not isinstance(manifest.get("unit"), str) or not manifest["unit"].strip():
        return _refused(name, manifest, "unit")
    hashes, counts = manifest.get("sha256"), manifest.get("rows")
    if not isinstance(hashes, dict) or not isinstance(counts, dict) or set(hashes) != set(PARTS):
        return _refused(name, manifest, "sha256: " + ", ".join(PARTS))
    present = set(archive.namelist())
    extra = sorted(present - {*PARTS, MANIFEST})
    if extra:
        return _refused(name, manifest, "+ " + ", ".join(extra))
    limit = config.settings.limits.max_unpacked_bytes
    if sum(info.file_size for info in archive.infolist()) > limit:
        return _refused(name, manifest, "size")
    data: dict[str, bytes] = {}
    for part in PARTS:
        if part not in present:
            return _refused(name, manifest, f"{part} −")
        read = _bounded(archive, part, limit)
        if read is None:
            return _refused(name, manifest, f"{part} size")
        data[part] = read
        if hashlib.sha256(data[part]).hexdigest() != hashes[part]:
            return _refused(name, manifest, f"{part} sha256")
    tables = {part: _rows(data[part]) for part in PARTS}
    for part in PARTS:
        if counts.get(part) != len(tables[part]):
            return _refused(name, manifest, f"{part}: {len(tables[part])} ≠ {counts.get(part)}")
    if any(row.get("period") != period for row in tables[DEPARTMENTS]):
        return _refused(name, manifest, f"{DEPARTMENTS}: period ≠ {period}")
    keys = {row.get("key", "") for row in tables[UNITS]}
    tops = [row for row in tables[UNITS] if not row.get("parent_key")]
    if len(tops) != 1 or tops[0].get("name") != manifest["unit"]:
        return _refused(name, manifest, f"{UNITS}: unit ≠ {manifest['unit']}")
    if any(row.get("parent_key") and row["parent_key"] not in keys for row in tables[UNITS]):
        return _refused(name, manifest, f"{UNITS}: parent_key")
    if any(row.get("unit_key", "") not in keys for row in tables[MEASURES]):
        return _refused(name, manifest, f"{MEASURES}: unit_key")
    problems = [] if manifest.get("closed") is True else [Problem("export-period-open", file=name, detail=period)]
    return ExportRead(name=name, kind=FORMAT, meta=_meta(manifest), problems=problems, manifest=manifest,
                      measures=tables[MEASURES], units=tables[UNITS], accepted=True)


# --- an accepted export inside the upper consolidation ------------------------------------------------------
@dataclass
class Imported:
    """The chosen exports' measures (as scored rows), their units under the sending units, and those units' reports."""

    measures: pd.DataFrame
    units: list[Unit] = field(default_factory=list)
    states: dict[str, UnitState] = field(default_factory=dict)


def _number(text: str) -> float | None:
    try:
        return float(text) if text != "" else None
    except ValueError:
        return None


def imported(chosen: dict[str, Submission], reads: dict[int, FileRead]) -> Imported:
    """Every consolidated export, its units keyed under the sending unit ("<sending unit>/<key>")."""
    rows: list[dict[str, Any]] = []
    units: list[Unit] = []
    states: dict[str, UnitState] = {}
    for department, sub in chosen.items():
        read = reads.get(sub.id)
        if not isinstance(read, ExportRead) or not read.accepted:
            continue
        top = next(row["key"] for row in read.units if not row.get("parent_key"))

        def key_of(key: str, department: str = department, top: str = top) -> str:
            return department if key == top else f"{department}/{key}"

        for row in read.units:
            if row["key"] == top:
                continue
            key = key_of(row["key"])
            units.append(Unit(key, row.get("short", ""), key_of(row["parent_key"]), row.get("level", ""),
                              row.get("reports") == "true", row.get("official", ""), via=read.name, label=row.get("name", "")))
            late = row.get("days_late", "")
            states[key] = UnitState(row.get("reported") == "true", int(late) if late.isdigit() else None)
        for m in read.measures:
            unit = key_of(m["unit_key"])
            flags = [f for f in m.get("flags", "").split(";") if f]
            rows.append({
                "department": department, "unit": unit, "source_file": m.get("source_file", ""), "sheet": m.get("sheet", ""),
                "row": int(_number(m.get("row", "")) or 0), "goal": m.get("goal", ""), "measure_no": m.get("measure_no", ""),
                "measure": m.get("measure", ""), "indicator": m.get("indicator", ""), "target_text": m.get("target_text", ""),
                "target_kind": m.get("target_kind", ""), "target_op": m.get("target_op", ""),
                "target_value": _number(m.get("target_value", "")), "timeframe_text": m.get("timeframe_text", ""),
                "quarters": m.get("quarters", ""), "due": m.get("due") == "true", "actual_text": m.get("actual_text", ""),
                "actual_value": _number(m.get("actual_value", "")), "achievement": _number(m.get("achievement", "")),
                "level": _number(m.get("level", "")), "status": m.get("status", ""), "basis": m.get("basis", ""),
                "flags": flags, "measure_key": measure_key(unit, m.get("measure_no", ""), m.get("measure", "")),
                "submission_id": sub.id,
            })
    frame = pd.DataFrame(rows)
    if len(frame):
        frame["level"] = frame["level"].astype("float64")
        frame["achievement"] = frame["achievement"].astype("float64")
        frame["due"] = frame["due"].astype(bool)
    return Imported(frame, units, states)


def with_imported(scored: pd.DataFrame, chosen: dict[str, Submission], reads: dict[int, FileRead]) -> tuple[pd.DataFrame, Imported | None]:
    """The scored measures with the chosen exports' measures added (None and `scored` unchanged without any)."""
    found = imported(chosen, reads)
    if not found.units and found.measures.empty:
        return scored, None
    if found.measures.empty:
        return scored, found
    base = scored.assign(unit=scored["department"]) if len(scored) else scored
    extra = found.measures.reindex(columns=list(dict.fromkeys([*scored.columns, *found.measures.columns])))
    combined = pd.concat([base, extra], ignore_index=True) if len(base) else extra
    combined["due"] = combined["due"].astype(bool)
    return combined, found


def now_iso(tz: dt.tzinfo) -> str:
    return dt.datetime.now(tz).replace(microsecond=0).isoformat()
