"""Free loopback ports for the servers the tests start (PostgreSQL, Dovecot, "nothing listens here").

Binding port 0 and closing the socket leaves the port free for anyone to take before the server binds it. Under
pytest-xdist each worker (`PYTEST_XDIST_WORKER` = gw0, gw1, ...) takes ports from a range of its own, below
the system's ephemeral ports, so two workers never race for one; a port is not handed out twice by a process.
"""

from __future__ import annotations

import os
import socket

FIRST_PORT = 20000  # the ranges stay below Linux's ephemeral ports (32768 up)
PER_WORKER = 500
_given: set[int] = set()


def _bindable(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if worker.startswith("gw") and worker[2:].isdecimal():
        start = FIRST_PORT + (int(worker[2:]) % 24) * PER_WORKER
        for port in range(start, start + PER_WORKER):
            if port not in _given and _bindable(port):
                _given.add(port)
                return port
    while True:  # not under xdist, or the worker's range is used up: any port the system gives
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        if port not in _given:
            _given.add(port)
            return port
