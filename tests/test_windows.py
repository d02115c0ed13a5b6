"""Windows, where the specialists work, tested here on Linux by forcing its ways: worker processes started with
`spawn` (Windows has no fork), no RLIMIT_AS (the workers' own memory watchdog instead), nothing forked to write
the outputs, and the workspace and the input folder under names with Cyrillic letters and spaces, as
"C:\\Users\\Бат\\Documents\\Төлөвлөгөө 2026" is. The whole consolidation, through the CLI as a specialist runs
it, must give the figures of the default run."""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLES, MAPPINGS, ROOT

WINDOWS_WAYS = {"NEGTGEL_START_METHOD": "spawn", "NEGTGEL_MEMORY_GUARD": "watchdog"}


def consolidate(base: Path, inbox_name: str, workspace_name: str, extra_env: dict[str, str]) -> dict[str, Any]:
    """`python -m pipeline run <input>` in a workspace of its own; what it printed and wrote."""
    inbox, workspace = base / inbox_name, base / workspace_name
    shutil.copytree(EXAMPLES, inbox, ignore=shutil.ignore_patterns("archive", "quarantine"))
    shutil.copytree(MAPPINGS, workspace / "mappings")
    shipped = {p.name: p.read_bytes() for p in inbox.iterdir()}
    record = base / "how the readers started"
    record.mkdir()
    env = {key: value for key, value in os.environ.items() if key not in WINDOWS_WAYS}
    env.update({"MPLBACKEND": "Agg", "NEGTGEL_WORKSPACE": str(workspace), "NEGTGEL_MAPPINGS": str(workspace / "mappings"),
                # the normal reader, noting how its process was started (tests/hostile_readers.py)
                "NEGTGEL_READER_HOOK": "tests.hostile_readers:recording", "NEGTGEL_TEST_RECORD": str(record), **extra_env})
    done = subprocess.run([sys.executable, "-m", "pipeline", "run", str(inbox)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300, check=False)
    period = workspace / "output" / "2026-10"
    assert {p.name: p.read_bytes() for p in inbox.iterdir()} == shipped  # the input folder only feeds the workspace
    return {
        "code": done.returncode, "stdout": done.stdout, "stderr": done.stderr, "period": period,
        "measures": (period / "measures.csv").read_bytes(), "problems": (period / "problems.csv").read_bytes(),
        "archived": sorted(p.name for p in (workspace / "archive" / "2026-10").rglob("*.xlsx")),
        "readers": sorted(p.read_text(encoding="utf-8") for p in record.iterdir()),
        "outputs": sorted(p.name for p in period.iterdir() if p.is_file() and not p.name.startswith(".")),
    }


@pytest.fixture(scope="module")
def default_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return consolidate(tmp_path_factory.mktemp("default"), "input", "workspace", {})


def test_a_run_the_windows_way_under_cyrillic_folder_names_gives_the_default_figures(
        tmp_path: Path, default_run: dict[str, Any]) -> None:
    windows = consolidate(tmp_path, "Ирсэн тайлан (10 сар)", "Хяналт шинжилгээ/Ажлын орчин 2026", WINDOWS_WAYS)
    assert windows["code"] == default_run["code"] == 1, windows["stderr"]  # 1: the example's one deliberate error
    assert "Traceback" not in str(windows["stderr"])
    assert "2026-10: 9 файл, 9/10 хэлтэс, 169 арга хэмжээ, 1 алдаа" in str(windows["stdout"])
    assert "Нийт хэрэгжилт: 81.9 % Сайн" in str(windows["stdout"])
    assert f"Гаралт: {windows['period']}" in str(windows["stdout"])  # the folder named as it is
    # every file read in a worker started as Windows starts them (reading in the run's own process, the fallback
    # where workers cannot start, would note no method)
    assert windows["readers"] == ["spawn"] * 9 and default_run["readers"] == ["fork"] * 9
    for key in ("measures", "problems", "archived"):
        assert windows[key] == default_run[key], key
    rows = list(csv.DictReader(windows["measures"].decode("utf-8-sig").splitlines()))
    assert len(rows) == 169
    # every output, the charts and the digest drawn in the run's own process (nothing forked)
    assert windows["outputs"] == default_run["outputs"] == [
        "departments_2026-10.png", "digest_2026-10.pdf", "measures.csv", "negtgel_2026-10.xlsx", "problems.csv",
        "status_2026-10.png", "summary_2026-10.xlsx"]


# Names only POSIX systems have, and where pipeline/ uses them; each use has a fallback next to it (an ImportError
# or AttributeError handled, a hasattr/getattr check, or a start method Windows has). A new use must get one too.
POSIX_ONLY = ("import resource", "import fcntl", "import pwd", "import grp", "import termios", "os.fork", "os.killpg",
              "os.setsid", "os.getpgid", "os.geteuid", "os.getuid", "SIGKILL", "SIGHUP", "SIGALRM", "pthread_sigmask",
              "os.sysconf", "/proc/", "get_context(\"fork\")")
KNOWN_USES = {
    "pipeline/output/safe.py": {"pthread_sigmask": 3},  # hasattr(signal, "pthread_sigmask")
    "pipeline/output/writer.py": {'get_context("fork")': 2},  # only when _can_fork(): else all in this process
    "pipeline/read/parallel.py": {"import resource": 4, "os.sysconf": 3, "/proc/": 3},  # ImportError, AttributeError, OSError
    "pipeline/timing.py": {"import resource": 1, "SIGKILL": 3},  # peak memory where resource exists; getattr(signal, "SIGKILL", None), else os._exit
}


def test_every_posix_only_call_in_the_product_is_one_with_a_fallback() -> None:
    found: dict[str, dict[str, int]] = {}
    for path in sorted((ROOT / "pipeline").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        # Whole names only: `from importlib import resources` is not `import resource`.
        counts = {name: len(re.findall(re.escape(name) + (r"(?!\w)" if name[-1].isalnum() else ""), text)) for name in POSIX_ONLY}
        uses = {name: n for name, n in counts.items() if n}
        if uses:
            found[path.relative_to(ROOT).as_posix()] = uses
    assert found == KNOWN_USES


def test_without_the_resource_module_the_workers_fall_back(monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.output import safe
    from pipeline.read import parallel

    monkeypatch.setitem(sys.modules, "resource", None)  # "import resource" raises ImportError, as on Windows
    assert parallel._limit_memory(300) is False
    parallel._no_core_dumps()
    assert parallel._peak_mb() == 0.0
    assert parallel._own_resident_bytes() > 0  # /proc here; the process API on Windows
    monkeypatch.delattr(safe.signal, "pthread_sigmask")
    assert safe._hold_interrupts() is None
    safe._release_interrupts(None)
