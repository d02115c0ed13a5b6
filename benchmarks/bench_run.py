"""Benchmark: negtgel run end to end on N generated templates, an unchanged re-run, and the peer script.

    python benchmarks/bench_run.py --templates 200 [--templates 1000 ...] [--keep] [--no-peer]

Prints wall time, ms per template, peak RSS of each child process, and the peer / negtgel ratio, and
writes the results to benchmarks/RESULTS.md with the date and the machine. Not a test: goals live here.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402


def timed(command: list[str], cwd: Path) -> tuple[float, float, int]:
    """(wall seconds, peak RSS in MB, exit code) of one child process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if process.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{stderr[-2000:]}")
    return wall, usage.ru_maxrss / 1024, process.returncode


def mappings_for_bench(work: Path) -> Path:
    """The repository's mappings, with the generated units as the expected departments' list left empty."""
    target = work / "mappings"
    shutil.copytree(ROOT / "mappings", target)
    (target / "departments.yaml").write_text("departments: []\n", encoding="utf-8")
    return target


def bench(n: int, work: Path, peer: bool) -> dict[str, float]:
    inbox = work / f"input_{n}"
    measures = generate(inbox, n)
    mappings = mappings_for_bench(work) if not (work / "mappings").exists() else work / "mappings"
    out = work / f"output_{n}"
    command = [sys.executable, "-m", "pipeline", "run", str(inbox), "-o", str(out), "--workspace", str(work), "--mappings", str(mappings)]
    first, first_rss, _ = timed(command, ROOT)
    second, second_rss, _ = timed(command, ROOT)
    result = {"n": n, "measures": measures, "first": first, "first_rss": first_rss, "second": second, "second_rss": second_rss}
    if peer:
        peer_inbox = work / f"peer_{n}"
        shutil.copytree(inbox, peer_inbox, ignore=shutil.ignore_patterns("archive"))
        wall, rss, _ = timed([sys.executable, str(HERE / "peer_consolidate.py"), str(peer_inbox), str(work / f"peer_{n}.xlsx")], ROOT)
        result.update(peer=wall, peer_rss=rss)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--templates", type=int, action="append", help="how many templates (repeatable); default 200")
    parser.add_argument("--keep", action="store_true", help="keep the generated folder")
    parser.add_argument("--no-peer", action="store_true", help="skip the peer script")
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args()
    sizes = args.templates or [200]
    work = Path(tempfile.mkdtemp(prefix="negtgel-bench-"))
    rows = []
    try:
        for n in sizes:
            r = bench(n, work, not args.no_peer)
            rows.append(r)
            ratio = f"{r['peer'] / r['first']:.1f}x" if "peer" in r else "—"
            print(f"N={n:5d} measures={r['measures']:6d}  run {r['first']:6.2f} s ({1000 * r['first'] / n:5.1f} ms/template, "
                  f"{r['first_rss']:5.0f} MB)  re-run {r['second']:5.2f} s ({r['first'] / r['second']:4.1f}x faster)  "
                  + (f"peer {r['peer']:6.2f} s ({r['peer_rss']:4.0f} MB)  peer/negtgel {ratio}" if "peer" in r else ""), flush=True)
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    write_results(args.results, rows)


def write_results(path: Path, rows: list[dict[str, float]]) -> None:
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"
    lines = [
        f"## Run of {dt.date.today().isoformat()} on {machine}",
        "",
        "| templates | measures | run, s | ms / template | peak RSS, MB | unchanged re-run, s | re-run speed-up | peer, s | peer RSS, MB | peer / negtgel |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        peer = (f"{r['peer']:.2f} | {r['peer_rss']:.0f} | {r['peer'] / r['first']:.1f}x" if "peer" in r else "— | — | —")
        lines.append(f"| {r['n']} | {r['measures']} | {r['first']:.2f} | {1000 * r['first'] / r['n']:.1f} | {r['first_rss']:.0f} | "
                     f"{r['second']:.2f} | {r['first'] / r['second']:.1f}x | {peer} |")
    previous = path.read_text(encoding="utf-8") if path.exists() else ""
    marker = "<!-- results -->"
    head, _, _ = previous.partition(marker) if marker in previous else (previous or "# Benchmark results\n\n", "", "")
    path.write_text(head.rstrip() + "\n\n" + marker + "\n" + "\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
