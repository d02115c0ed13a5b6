"""Benchmark: negtgel run end to end on N generated templates, against the peer script with both engines.

    python benchmarks/bench_run.py --templates 60 --templates 1000 [--repeat 3] [--keep] [--no-peer] [--no-openpyxl]

For each N, in one run and alternating (so that a busy machine slows all of them alike), `--repeat` times:
- negtgel, cold (no archive, store or output): every output — both workbooks, the CSVs, the PNG charts, the PDF;
- the same run again with no file changed;
- the same run after one template (in the middle of the ranking) was replaced by a changed one;
- `peer_consolidate.py` with calamine and with openpyxl (`--no-openpyxl` skips the slow one).
Prints the medians, the ratios the goals are set in (`RESULTS.md`), peak RSS of each child process, and writes
them to benchmarks/RESULTS.md with the date and the machine. Not a test: absolute seconds differ between
machines by 1.5x or more, the ratios much less.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from generate import department_of, generate, write_template  # noqa: E402


def timed(command: list[str], cwd: Path) -> tuple[float, float, int, float]:
    """(wall seconds, peak RSS in MB, exit code, CPU seconds) of one child process (its own children included in
    the RSS and the CPU: user + system). CPU seconds vary far less than wall time on a shared machine."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if process.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{stderr[-2000:]}")
    return wall, usage.ru_maxrss / 1024, process.returncode, usage.ru_utime + usage.ru_stime


def mappings_for_bench(work: Path) -> Path:
    """The repository's mappings, with the generated units as the expected departments' list left empty."""
    target = work / "mappings"
    if not target.exists():
        shutil.copytree(ROOT / "mappings", target)
        (target / "departments.yaml").write_text("departments: []\n", encoding="utf-8")
    return target


def negtgel(inbox: Path, workspace: Path, mappings: Path) -> tuple[float, float, int, float]:
    command = [sys.executable, "-m", "pipeline", "run", str(inbox), "-o", str(workspace / "output"), "--workspace", str(workspace),
               "--mappings", str(mappings)]
    return timed(command, ROOT)


def peer(inbox: Path, target: Path, engine: str) -> tuple[float, float, int, float]:
    return timed([sys.executable, str(HERE / "peer_consolidate.py"), str(inbox), str(target), engine], ROOT)


def change_one(inbox: Path, n: int, round_: int) -> None:
    """Replace the template in the middle of the folder by the same unit's corrected report."""
    index = n // 2
    path = inbox / f"unit_{index:04d}.xlsx"
    write_template(path, index, random.Random(1000 + round_), department=department_of(path))


def bench(n: int, work: Path, *, repeat: int, peers: list[str]) -> dict[str, float]:
    source = work / f"templates_{n}"
    measures = generate(source, n)
    mappings = mappings_for_bench(work)
    runs: dict[str, list[float]] = {}
    rss: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}

    def note(name: str, result: tuple[float, float, int, float]) -> None:
        runs.setdefault(name, []).append(result[0])
        rss.setdefault(name, []).append(result[1])
        cpu.setdefault(name, []).append(result[3])

    for round_ in range(repeat):
        inbox = work / f"input_{n}_{round_}"
        shutil.copytree(source, inbox)
        workspace = work / f"workspace_{n}_{round_}"
        note("cold", negtgel(inbox, workspace, mappings))
        note("unchanged", negtgel(inbox, workspace, mappings))
        change_one(inbox, n, round_)
        note("one_changed", negtgel(inbox, workspace, mappings))
        for engine in peers:
            note(engine, peer(source, work / f"peer_{n}_{engine}.xlsx", engine))
        shutil.rmtree(inbox, ignore_errors=True)
        shutil.rmtree(workspace, ignore_errors=True)
    result: dict[str, float] = {"n": n, "measures": measures, "repeat": repeat}
    for name, times in runs.items():
        result[name] = statistics.median(times)
        result[f"{name}_rss"] = max(rss[name])
        result[f"{name}_cpu"] = statistics.median(cpu[name])
    return result


def describe(r: dict[str, float]) -> str:
    n = int(r["n"])
    text = (f"N={n:5d} measures={int(r['measures']):6d}  cold {r['cold']:6.2f} s ({1000 * r['cold'] / n:5.1f} ms/template, "
            f"{r['cold_rss']:5.0f} MB)  unchanged {r['unchanged']:5.2f} s  one changed {r['one_changed']:5.2f} s "
            f"({100 * r['one_changed'] / r['cold']:.0f} % of cold)")
    if "calamine" in r:
        text += f"  calamine script {r['calamine']:6.2f} s: negtgel/calamine {r['cold'] / r['calamine']:.2f}x"
    if "openpyxl" in r:
        text += f"  openpyxl script {r['openpyxl']:6.2f} s: openpyxl/negtgel {r['openpyxl'] / r['cold']:.2f}x"
    text += f"\n         CPU: cold {r['cold_cpu']:6.2f} s  one changed {r['one_changed_cpu']:6.2f} s"
    for peer_name in ("calamine", "openpyxl"):
        if peer_name in r:
            text += f"  {peer_name} script {r[f'{peer_name}_cpu']:6.2f} s"
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--templates", type=int, action="append", help="how many templates (repeatable); default 60 and 1000")
    parser.add_argument("--repeat", type=int, default=1, help="rounds of alternating runs; the medians are reported")
    parser.add_argument("--keep", action="store_true", help="keep the generated folder")
    parser.add_argument("--no-peer", action="store_true", help="skip both peer scripts")
    parser.add_argument("--no-openpyxl", action="store_true", help="skip the openpyxl peer script (the slow one)")
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args()
    sizes = args.templates or [60, 1000]
    peers = [] if args.no_peer else ["calamine"] + ([] if args.no_openpyxl else ["openpyxl"])
    work = Path(tempfile.mkdtemp(prefix="negtgel-bench-"))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    rows = []
    try:
        for n in sizes:
            r = bench(n, work, repeat=max(1, args.repeat), peers=peers)
            rows.append(r)
            print(describe(r), flush=True)
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    write_results(args.results, rows, load)


def machine() -> str:
    model = ""
    with contextlib.suppress(OSError):
        model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                      if line.startswith("model name")), "")
    return f"{model or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def write_results(path: Path, rows: list[dict[str, float]], load: float) -> None:
    lines = [
        f"## Run of {dt.date.today().isoformat()} on {machine()} (load average {load:.1f} at the start)",
        "",
        "| templates | measures | rounds | cold, s | ms / template | peak RSS, MB | unchanged, s | one changed, s | one changed / cold "
        "| calamine script, s | negtgel / calamine | openpyxl script, s | openpyxl / negtgel |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        calamine = f"{r['calamine']:.2f} | {r['cold'] / r['calamine']:.2f}x" if "calamine" in r else "— | —"
        openpyxl = f"{r['openpyxl']:.2f} | {r['openpyxl'] / r['cold']:.2f}x" if "openpyxl" in r else "— | —"
        lines.append(f"| {int(r['n'])} | {int(r['measures'])} | {int(r['repeat'])} | {r['cold']:.2f} | {1000 * r['cold'] / r['n']:.1f} | "
                     f"{r['cold_rss']:.0f} | {r['unchanged']:.2f} | {r['one_changed']:.2f} | {100 * r['one_changed'] / r['cold']:.0f} % | "
                     f"{calamine} | {openpyxl} |")
    lines += [
        "",
        "CPU seconds (user + system, the process and every process it started), the same runs:",
        "",
        "| templates | cold | one changed | one changed / cold | calamine script | negtgel / calamine | openpyxl script | openpyxl / negtgel |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        cells = [f"{int(r['n'])}", f"{r['cold_cpu']:.2f}", f"{r['one_changed_cpu']:.2f}", f"{100 * r['one_changed_cpu'] / r['cold_cpu']:.0f} %"]
        for peer_name in ("calamine", "openpyxl"):
            if peer_name not in r:
                cells += ["—", "—"]
                continue
            peer_cpu = r[f"{peer_name}_cpu"]
            ratio = r["cold_cpu"] / peer_cpu if peer_name == "calamine" else peer_cpu / r["cold_cpu"]
            cells += [f"{peer_cpu:.2f}", f"{ratio:.2f}x"]
        lines.append("| " + " | ".join(cells) + " |")
    previous = path.read_text(encoding="utf-8") if path.exists() else ""
    marker = "<!-- results -->"
    head, _, _ = previous.partition(marker) if marker in previous else (previous or "# Benchmark results\n\n", "", "")
    path.write_text(head.rstrip() + "\n\n" + marker + "\n" + "\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
