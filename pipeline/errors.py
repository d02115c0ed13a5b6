"""Domain errors. The CLI turns these into `click.ClickException`; nothing else reaches the user."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ConfigIssue:
    """One mistake in a `mappings/` file: which file, which key, what is wrong."""

    file: str
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.key}: {self.message}"


class NegtgelError(Exception):
    """A failure the user can act on; its text is shown as is."""


class ConfigError(NegtgelError):
    """One or more mistakes in the configuration files."""

    def __init__(self, issues: list[ConfigIssue]):
        self.issues = issues
        lines = "\n".join(f"  - {issue}" for issue in issues)
        super().__init__(f"Тохиргооны файлд алдаа байна / configuration error:\n{lines}")
