"""Benchmark (issue 17): the national consolidation, through the hierarchy.

    python benchmarks/bench_hierarchy.py --exports 21 --units 40 --ministries 10     # aimags' exports -> the nation
    python benchmarks/bench_hierarchy.py --direct 5000                              # thousands of templates at once

`--exports`: each of N aimag workspaces gets `--units` generated templates (40–60 measures each, `generate.py`)
under a tree (the aimag, a "Сумд" group, its units), runs, closes and exports; the nation takes the N exports and
`--ministries` templates of its own, under "Монгол Улс" → "Аймгууд" / the ministries. Timed: the national
`negtgel run` (and each aimag's run and export, summed).
`--direct`: one national workspace with that many templates, the units spread over 21 aimag groups under the
nation. Prints wall time and peak RSS and appends them to benchmarks/RESULTS.md under its own heading.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import random  # noqa: E402

from bench_run import timed  # noqa: E402
from generate import write_template  # noqa: E402
from python_calamine import CalamineWorkbook  # noqa: E402

MARK, END = "<!-- hierarchy results -->", "<!-- /hierarchy results -->"  # before bench_run's own marker: it keeps what is above it


def units_of(folder: Path, n: int, first: int, seed: int) -> list[tuple[Path, str]]:
    """n generated templates and the unit name each one's department cell gives."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    made = []
    for i in range(first, first + n):
        path = folder / f"unit_{i:05d}.xlsx"
        write_template(path, i, rng)
        made.append(path)
    names = []
    for path in made:
        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python(nrows=3)
        names.append((path, str(rows[1][1])))
    return names


def workspace(root: Path, departments: list[str]) -> Path:
    shutil.copytree(ROOT / "mappings", root / "mappings")
    lines = ["departments:", *departments]
    (root / "mappings" / "departments.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "input").mkdir(exist_ok=True)
    return root


def quoted(text: str) -> str:
    return '"' + text.replace('"', '\\"') + '"'


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "pipeline", *args]


def ws(root: Path) -> list[str]:
    return ["--workspace", str(root), "--mappings", str(root / "mappings")]


def by_exports(work: Path, aimags: int, units: int, ministries: int) -> dict[str, float]:
    lower_run = lower_export = 0.0
    lower_rss = 0.0
    exports = []
    measures_total = 0
    for a in range(aimags):
        name = f"Аймаг {a + 1:02d}"
        root = work / f"aimag_{a + 1:02d}"
        made = units_of(root / "input", units, a * units, 1000 + a)
        departments = [f"  - {{name: {quoted(name)}, short: {quoted(f'А{a + 1:02d}')}, level: аймаг, reports: false}}",
                       f"  - {{name: {quoted(f'Сумд {a + 1:02d}')}, parent: {quoted(name)}, reports: false}}"]
        for i, (_, unit) in enumerate(made):
            parent = f"Сумд {a + 1:02d}" if i % 2 else name
            departments.append(f"  - {{name: {quoted(unit)}, parent: {quoted(parent)}, level: {'сум' if i % 2 else 'хэлтэс'}}}")
        workspace(root, departments)
        wall, rss, _ = timed(cli("run", "--period", "2026-10", *ws(root)), ROOT)
        lower_run += wall
        lower_rss = max(lower_rss, rss)
        timed(cli("close", "--period", "2026-10", "--reason", "bench", *ws(root)), ROOT)
        wall, rss, _ = timed(cli("export", "--period", "2026-10", *ws(root)), ROOT)
        lower_export += wall
        exports.append(next((root / "output" / "2026-10").glob("export_*.zip")))
    nation = work / "nation"
    made = units_of(nation / "input", ministries, 90000, 7)
    departments = ['  - {name: "Монгол Улс", short: "Улс", level: улс, reports: false}',
                   '  - {name: "Аймгууд", parent: "Улс", reports: false}']
    departments += [f"  - {{name: {quoted(f'Аймаг {a + 1:02d}')}, parent: Аймгууд, level: аймаг}}" for a in range(aimags)]
    departments += [f"  - {{name: {quoted(unit)}, parent: Улс, level: яам}}" for _, unit in made]
    workspace(nation, departments)
    for path in exports:
        shutil.copy2(path, nation / "input" / path.name)
    wall, rss, _ = timed(cli("run", "--period", "2026-10", *ws(nation)), ROOT)
    again, _, _ = timed(cli("run", "--period", "2026-10", *ws(nation)), ROOT)
    import csv

    with (nation / "output" / "2026-10" / "measures.csv").open(encoding="utf-8-sig") as handle:
        measures_total = sum(1 for _ in csv.reader(handle)) - 1
    return {"units": aimags * units + ministries, "measures": measures_total, "nation": wall, "nation_rss": rss,
            "again": again, "lower_run": lower_run, "lower_export": lower_export, "lower_rss": lower_rss}


def direct(work: Path, n: int) -> dict[str, float]:
    root = work / "direct"
    made = units_of(root / "input", n, 0, 20261029)
    departments = ['  - {name: "Монгол Улс", short: "Улс", reports: false}']
    departments += [f"  - {{name: {quoted(f'Аймаг {a + 1:02d}')}, parent: Улс, level: аймаг, reports: false}}" for a in range(21)]
    for i, (_, unit) in enumerate(made):
        departments.append(f"  - {{name: {quoted(unit)}, parent: {quoted(f'Аймаг {i % 21 + 1:02d}')}, level: нэгж}}")
    workspace(root, departments)
    wall, rss, _ = timed(cli("run", "--period", "2026-10", *ws(root)), ROOT)
    again, _, _ = timed(cli("run", "--period", "2026-10", *ws(root)), ROOT)
    import csv

    with (root / "output" / "2026-10" / "measures.csv").open(encoding="utf-8-sig") as handle:
        measures = sum(1 for _ in csv.reader(handle)) - 1
    return {"units": n, "measures": measures, "nation": wall, "nation_rss": rss, "again": again}


def record(path: Path, lines: list[str]) -> None:
    """The section above bench_run's marker (it rewrites only below it); a row of another input is kept."""
    text = path.read_text(encoding="utf-8")
    kept: list[str] = []
    if MARK in text and END in text:
        old = text[text.index(MARK):text.index(END) + len(END)]
        new_inputs = {line.split("|")[1] for line in lines[2:]}
        kept = [line for line in old.splitlines() if line.startswith("| ") and not line.startswith("| input")
                and line.split("|")[1] not in new_inputs]
        text = text.replace(old + "\n", "").replace(old, "")
    section = (f"{MARK}\n## National roll-up through the hierarchy (issue 17), run of {dt.date.today().isoformat()} on "
               f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}\n\n"
               + "\n".join([*lines[:2], *kept, *lines[2:]]) + f"\n{END}\n")
    marker = "<!-- results -->"
    if marker in text:
        head, _, tail = text.partition(marker)
        text = head.rstrip("\n") + "\n\n" + section + "\n" + marker + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--exports", type=int, default=0, help="aimag workspaces that export to the nation")
    parser.add_argument("--units", type=int, default=40, help="templates per aimag")
    parser.add_argument("--ministries", type=int, default=10, help="the nation's own templates")
    parser.add_argument("--direct", type=int, default=0, help="templates straight into one national workspace")
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="negtgel-hier-"))
    lines = ["| input | units | measures | national run, s | peak RSS, MB | unchanged re-run, s | lower levels |",
             "|---|---:|---:|---:|---:|---:|---|"]
    try:
        if args.exports:
            r = by_exports(work, args.exports, args.units, args.ministries)
            lines.append(f"| {args.exports} aimag exports × {args.units} units + {args.ministries} ministries' templates | "
                         f"{r['units']:.0f} | {r['measures']:.0f} | {r['nation']:.2f} | {r['nation_rss']:.0f} | {r['again']:.2f} | "
                         f"each aimag: run {r['lower_run'] / args.exports:.2f} s, export {r['lower_export'] / args.exports:.2f} s, "
                         f"≤ {r['lower_rss']:.0f} MB |")
            print(lines[-1])
        if args.direct:
            r = direct(work, args.direct)
            lines.append(f"| {args.direct} templates in one workspace, under 21 aimag groups | {r['units']:.0f} | "
                         f"{r['measures']:.0f} | {r['nation']:.2f} | {r['nation_rss']:.0f} | {r['again']:.2f} | — |")
            print(lines[-1])
    finally:
        if args.keep:
            print(work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    record(args.results, lines)


if __name__ == "__main__":
    main()
