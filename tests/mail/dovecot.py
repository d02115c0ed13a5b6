"""Dovecot (Debian's `dovecot-imapd`) as the tests' own process: a temporary config, 127.0.0.1 only, free
ports for IMAP (STARTTLS) and IMAPS, a passwd-file login, Maildir under a temporary folder and the test's
self-signed certificate. Stopped by its own process group; nothing of the system's Dovecot is touched."""

from __future__ import annotations

import contextlib
import datetime as dt
import imaplib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from tests.mail.servers import IMAP_PASSWORD, IMAP_USER, Cert, append_all, free_port

CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
info_log_path = {base}/dovecot.log
ssl = yes
ssl_cert = <{base}/server.pem
ssl_key = <{base}/server.key
disable_plaintext_auth = yes
auth_mechanisms = plain login
default_internal_user = {internal}
default_internal_group = {internal_group}
default_login_user = {login}
first_valid_uid = {uid}
first_valid_gid = {gid}
mail_location = maildir:{base}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {base}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={base}/home/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
"""


def dovecot_binary() -> str | None:
    return shutil.which("dovecot") or next((p for p in ("/usr/sbin/dovecot",) if os.access(p, os.X_OK)), None)


class Dovecot:
    def __init__(self, cert: Cert):
        binary = dovecot_binary()
        assert binary is not None
        self.binary = binary
        self.cert = cert
        # Not under pytest's 0700 tmp folder: Dovecot's unprivileged processes must reach their sockets.
        self.base = Path(tempfile.mkdtemp(prefix="negtgel-dovecot-"))
        self.base.chmod(0o755)
        self.imap_port = free_port()
        self.imaps_port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def _users(self) -> tuple[str, str, str, int, int]:
        """(internal user, its group, login user, mail uid, gid): Dovecot refuses uid 0 for mail."""
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            internal = "dovecot" if _user_exists("dovecot") else "nobody"
            login = "dovenull" if _user_exists("dovenull") else "nobody"
            group = "dovecot" if internal == "dovecot" else "nogroup"
            return internal, group, login, nobody.pw_uid, nobody.pw_gid
        me = pwd.getpwuid(os.geteuid())
        return me.pw_name, me.pw_name, me.pw_name, me.pw_uid, me.pw_gid

    def start(self) -> Dovecot:
        internal, group, login, uid, gid = self._users()
        shutil.copy(self.cert.cert, self.base / "server.pem")
        shutil.copy(self.cert.key, self.base / "server.key")
        (self.base / "server.key").chmod(0o600)
        (self.base / "users").write_text(f"{IMAP_USER}:{{PLAIN}}{IMAP_PASSWORD}::::::\n", encoding="utf-8")
        for name in ("mail", "home"):
            (self.base / name).mkdir()
            with contextlib.suppress(PermissionError):
                os.chown(self.base / name, uid, gid)
        config = self.base / "dovecot.conf"
        config.write_text(CONFIG.format(base=self.base, internal=internal, internal_group=group, login=login, uid=uid, gid=gid,
                                        imap_port=self.imap_port, imaps_port=self.imaps_port), encoding="utf-8")
        log = (self.base / "stdout.log").open("wb")
        self.process = subprocess.Popen([self.binary, "-F", "-c", str(config)], stdout=log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dovecot stopped at start: {self.log()}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.imaps_port), timeout=1):
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"dovecot did not listen in 15 s: {self.log()}")

    def log(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-3000:] for p in (self.base / "stdout.log", self.base / "dovecot.log")
                         if p.is_file())

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)  # its own group: the master and its children
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
        shutil.rmtree(self.base, ignore_errors=True)

    # --- what the tests do with it -------------------------------------------------------------------
    def client(self) -> imaplib.IMAP4:
        conn = imaplib.IMAP4_SSL("127.0.0.1", self.imaps_port, ssl_context=self.cert.client_context(), timeout=10)
        conn.authenticate("PLAIN", lambda _: f"\0{IMAP_USER}\0{IMAP_PASSWORD}".encode())
        return conn

    def append(self, *messages: bytes, folder: str = "INBOX", internal_date: dt.datetime | None = None) -> None:
        append_all(self.client(), folder, messages, internal_date)

    def flags(self, folder: str = "INBOX") -> list[set[str]]:
        conn = self.client()
        try:
            conn.select(folder)
            _, data = conn.uid("FETCH", "1:*", "(FLAGS)")
            return [{f.decode() for f in imaplib.ParseFlags(item)} for item in data if isinstance(item, bytes) and b"FLAGS" in item]
        finally:
            conn.logout()


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True
