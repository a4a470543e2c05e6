"""LodcatError and what the loader refuses: every message names file, record, field and reason."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


class LodcatError(Exception):
    """Base class of every error lodcat raises on purpose."""


class SettingsError(LodcatError):
    """An environment variable has a value lodcat cannot use."""


class RecordError(LodcatError):
    """One field of one record in one file is wrong, missing or unknown."""

    def __init__(self, path: Path | str, record: str, field: str, reason: str) -> None:
        super().__init__(f"{path}: record {record}: field {field!r}: {reason}")
        self.path, self.record, self.field, self.reason = Path(path), record, field, reason


class RecordsRefused(LodcatError):
    """Several RecordErrors found in one file, reported together."""

    def __init__(self, errors: Sequence[RecordError]) -> None:
        super().__init__("\n".join(str(error) for error in errors))
        self.errors = list(errors)


@dataclass(frozen=True)
class Violation:
    """One SHACL result, mapped back to the file and record it came from."""

    path: str
    record: str
    field: str
    message: str
    focus: str
    shape: str
    severity: str = "Violation"

    def __str__(self) -> str:
        return f"{self.path}: record {self.record}: field {self.field!r}: {self.message}"


class ValidationFailed(LodcatError):
    """The mapped graph of a source does not conform to shapes/; nothing was written."""

    def __init__(self, violations: Sequence[Violation]) -> None:
        super().__init__("\n".join(str(violation) for violation in violations))
        self.violations = list(violations)


class StoreError(LodcatError):
    """The Oxigraph store cannot be opened or written (for example: locked by another process)."""
