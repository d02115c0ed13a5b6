"""Guarded reading over every file of a folder, to see how the readers hold up on other projects' test files.

    python tools/torture.py FOLDER [FOLDER ...] [--mappings mappings] [--json results.json] [--details 20]

Prints: files per result code, the slowest files, the peak memory of the reading workers, every file that
crashed or stopped its reader, and any message that names an exception class. The files are not copied or
changed; nothing is written except the optional JSON of per-file results.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.config import load_config
from pipeline.read.package import is_skipped_name
from pipeline.read.parallel import read_many
from pipeline.read.workbook import FileRead

# Words that betray an exception class or a traceback inside a message meant for an official.
LEAK = re.compile(r"\b\w*(?:Error|Exception)\b|Traceback|panicked")
GUARD_CODES = ("file-reader-crashed", "file-too-slow")


def files_of(folders: list[Path]) -> tuple[list[Path], int]:
    found: list[Path] = []
    skipped = 0
    for root, _, names in (step for folder in folders for step in os.walk(folder)):
        for name in names:
            path = Path(root) / name
            if not path.is_file():
                continue
            if is_skipped_name(name):
                skipped += 1
                continue
            found.append(path)
    return sorted(found), skipped


def result_code(read: FileRead) -> str:
    if read.readable:
        return "read"
    errors = [p.code for p in read.problems if p.severity == "error"]
    return errors[0] if errors else "no-table"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folders", type=Path, nargs="+")
    parser.add_argument("--mappings", default=str(Path(__file__).resolve().parents[1] / "mappings"))
    parser.add_argument("--json", type=Path, help="write per-file results here")
    parser.add_argument("--details", type=int, default=0, help="show this many most frequent details per refusal code")
    parser.add_argument("--slowest", type=int, default=10)
    args = parser.parse_args(argv)

    config = load_config(args.mappings)
    files, skipped = files_of(args.folders)
    started = time.perf_counter()
    results: list[dict[str, Any]] = []
    stopped = None
    try:
        for path, parsed in zip(files, read_many([(p, str(p)) for p in files], config), strict=False):
            read = parsed.read
            problems = [{"code": p.code, "severity": p.severity, "detail": p.detail, "mn": p.message("mn"), "en": p.message("en")}
                        for p in read.problems]
            seconds = config.settings.limits.max_read_seconds if any(p.code == "file-too-slow" for p in read.problems) else parsed.seconds
            results.append({"file": str(path), "result": result_code(read), "seconds": seconds, "peak_mb": parsed.peak_mb,
                            "measures": sum(len(t.measures) for t in read.tables), "problems": problems})
    except BaseException as exc:  # the point of the tool: count a stopped run instead of dying with it
        stopped = f"{type(exc).__name__}: {exc}"
    elapsed = time.perf_counter() - started

    by_code = collections.Counter(r["result"] for r in results)
    print(f"{len(files)} files under {', '.join(map(str, args.folders))} ({skipped} lock/hidden files skipped), {elapsed:.1f} s")
    print(f"runs stopped: {1 if stopped else 0}{'  ' + stopped if stopped else ''}")
    print(f"files unaccounted for: {len(files) - len(results)}")
    print()
    print(f"{'result':28} {'files':>7}")
    for code, count in by_code.most_common():
        print(f"{code:28} {count:7}")
    if args.details:
        for code in sorted(by_code):
            if code == "read":
                continue
            details = collections.Counter(next((p["detail"][:90] for p in r["problems"] if p["code"] == code), "")
                                          for r in results if r["result"] == code)
            print(f"\n  {code}:")
            for detail, count in details.most_common(args.details):
                print(f"    {count:5}  {detail}")
    print()
    print(f"slowest {args.slowest}:")
    for r in sorted(results, key=lambda r: -r["seconds"])[: args.slowest]:
        print(f"  {r['seconds']:7.2f} s  {r['result']:22} {r['file']}")
    peak = max((r["peak_mb"] for r in results), default=0.0)
    limits = config.settings.limits
    print(f"\npeak resident memory of a reading worker: {peak:.0f} MB (limit {limits.max_read_mb} MB)")
    over = [r for r in results if r["seconds"] > 5]
    print(f"files over 5 s: {len(over)}")
    guarded = [r for r in results if any(p["code"] in GUARD_CODES for p in r["problems"])]
    print(f"crashed or stopped readers (listed, run went on): {len(guarded)}")
    for r in guarded:
        problem = next(p for p in r["problems"] if p["code"] in GUARD_CODES)
        print(f"  {problem['code']:20} {r['file']}  ({problem['detail']})")
    leaks = [(r["file"], p["en"]) for r in results for p in r["problems"] if LEAK.search(p["mn"]) or LEAK.search(p["en"])]
    print(f"messages naming an exception class: {len(leaks)}")
    for file, message in leaks[:20]:
        print(f"  {file}: {message[:160]}")
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return 1 if stopped or len(results) != len(files) else 0


if __name__ == "__main__":
    raise SystemExit(main())
