"""A real PostgreSQL server for the tests: `initdb` into a temporary folder, `postgres` on a free loopback port.

The server listens on 127.0.0.1 only (and a unix socket in its own folder), with password (scram-sha-256)
authentication over TCP, so the store's tests go through the same login as a specialist's. PostgreSQL refuses
to run as root: when the tests run as root, the server runs as `nobody` (setpriv, else runuser). Where
PostgreSQL is not installed (no `initdb` on PATH or in /usr/lib/postgresql/*/bin) the tests that need it skip,
saying so. One server per test session (per pytest-xdist worker: each its own folder and port); each test gets a database of its own (`PostgresServer.database`).
"""

from __future__ import annotations

import contextlib
import glob
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.ports import free_port

USER = "negtgel"


def postgres_bin() -> Path | None:
    """The folder of PostgreSQL's server programs (initdb, postgres), or None when not installed."""
    found = shutil.which("initdb")
    if found:
        folder = Path(os.path.realpath(found)).parent
        if (folder / "postgres").exists():
            return folder
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    return Path(candidates[-1]).parent if candidates else None


def _as_server_user() -> tuple[list[str], int | None, int | None]:
    """The command prefix that runs a program as a non-root user, and that user's uid/gid (None: as we are)."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return [], None, None
    import pwd  # POSIX only, as root is

    nobody = pwd.getpwnam("nobody")
    if shutil.which("setpriv"):
        return ["setpriv", f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups"], nobody.pw_uid, nobody.pw_gid
    if shutil.which("runuser"):
        return ["runuser", "-u", "nobody", "--"], nobody.pw_uid, nobody.pw_gid
    raise RuntimeError("running as root without setpriv or runuser: cannot start PostgreSQL as another user")


@dataclass
class PostgresServer:
    host: str
    port: int
    user: str
    password: str
    folder: Path
    databases: list[str] = field(default_factory=list)

    def url(self, database: str) -> str:
        """The store's address as a specialist writes it: no password in it."""
        return f"postgresql://{self.user}@{self.host}:{self.port}/{database}"

    def admin(self) -> Any:
        import psycopg

        return psycopg.connect(host=self.host, port=self.port, user=self.user, password=self.password, dbname="postgres",
                               autocommit=True)

    def database(self) -> str:
        """A new, empty database; its URL."""
        name = f"store_{len(self.databases) + 1}_{secrets.token_hex(3)}"
        with contextlib.closing(self.admin()) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.databases.append(name)
        return self.url(name)


@contextlib.contextmanager
def running_postgres() -> Iterator[PostgresServer]:
    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install -e \".[test]\"): the PostgreSQL store tests skip")
    folder_bin = postgres_bin()
    if folder_bin is None:
        pytest.skip("PostgreSQL is not installed (no initdb on PATH or in /usr/lib/postgresql/*/bin): "
                    "the PostgreSQL store tests skip (apt-get install postgresql)")
    prefix, uid, gid = _as_server_user()
    folder = Path(tempfile.mkdtemp(prefix="negtgel-pg-"))
    data, password = folder / "data", secrets.token_urlsafe(16)
    (folder / "pw").write_text(password + "\n")
    data.mkdir()
    if uid is not None:
        for path in (folder, data, folder / "pw"):
            os.chown(path, uid, gid or -1)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
    process: subprocess.Popen[bytes] | None = None
    held = contextlib.ExitStack()
    try:
        subprocess.run([*prefix, str(folder_bin / "initdb"), "-D", str(data), "-U", USER, f"--pwfile={folder / 'pw'}",
                        "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8"],
                       check=True, capture_output=True, env=env, cwd=folder)
        port = free_port()
        log = held.enter_context((folder / "server.log").open("wb"))
        process = subprocess.Popen(
            [*prefix, str(folder_bin / "postgres"), "-D", str(data), "-h", "127.0.0.1", "-p", str(port), "-k", str(folder),
             "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=50"],
            stdout=log, stderr=subprocess.STDOUT, env=env, cwd=folder,
        )
        server = PostgresServer("127.0.0.1", port, USER, password, folder)
        deadline = time.monotonic() + 60
        while True:
            try:
                with contextlib.closing(server.admin()):
                    break
            except Exception:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("PostgreSQL did not start:\n" + (folder / "server.log").read_text(errors="replace")) from None
                time.sleep(0.2)
        yield server
    finally:
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGINT)  # "fast" shutdown: sessions are ended, the server stops
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        held.close()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    with running_postgres() as server:
        yield server
