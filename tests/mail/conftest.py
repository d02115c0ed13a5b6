from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import MAPPINGS
from tests.mail.servers import IMAP_USER, Cert, ImapServer, SmtpServer, make_cert

FROM_ADDR = "hshu-report@altantal.gov.mn"


@pytest.fixture(scope="session")
def cert(tmp_path_factory: pytest.TempPathFactory) -> Cert:
    made = make_cert(tmp_path_factory.mktemp("cert"))
    if made is None:
        pytest.skip("TLS tests need the cryptography package or the openssl command to make a test certificate")
    return made


@pytest.fixture
def imap(tmp_path: Path) -> Iterator[ImapServer]:
    server = ImapServer(tmp_path / "imap-server").start()
    yield server
    server.stop()


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


def write_mail_yaml(mappings: Path, *, imap_port: int = 143, smtp_port: int = 25, **sections: dict[str, Any]) -> Path:
    """mail.yaml for the local test servers; sections override keys (imap=..., smtp=..., attachments=...)."""
    data: dict[str, Any] = {
        "imap": {"host": "127.0.0.1", "port": imap_port, "security": "plain", "user": IMAP_USER, "folder": "INBOX"},
        "attachments": {"max_mb": 0.05},
        "smtp": {"reply": False, "host": "127.0.0.1", "port": smtp_port, "security": "plain", "from": FROM_ADDR},
    }
    for name, values in sections.items():
        data.setdefault(name, {}).update(values)
    path = mappings / "mail.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def mappings(tmp_path: Path) -> Path:
    """A copy of the shipped mappings folder, so each test writes its own mail.yaml."""
    target = tmp_path / "mappings"
    shutil.copytree(MAPPINGS, target)
    return target
