"""Settings: every environment variable lodcat reads, its default and its parsing.

Only `loader/cli.py` calls `Settings.from_env`; everything else receives a `Settings`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

from loader.errors import SettingsError

ROOT = Path(__file__).resolve().parents[1]


def _integer(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"{name} has value {raw!r}; expected an integer") from None


def _number(environ: Mapping[str, str], name: str, default: float) -> float:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise SettingsError(f"{name} has value {raw!r}; expected a number") from None


def _base_iri(raw: str) -> str:
    if not raw.startswith(("http://", "https://")):
        raise SettingsError(f"LODCAT_BASE_IRI has value {raw!r}; expected an http(s) IRI")
    return raw if raw.endswith("/") else raw + "/"


@dataclass(frozen=True)
class Settings:
    """Configuration of one lodcat process. Field docs double as the README's configuration table."""

    host: str = "127.0.0.1"
    port: int = 8000
    store_path: Path = Path("var/store")
    base_iri: str = "http://127.0.0.1:8000/"
    data_path: Path = ROOT / "data"
    ontology_path: Path = ROOT / "ontology"
    shapes_path: Path = ROOT / "shapes" / "lodcat.ttl"
    schema_path: Path = ROOT / "schema" / "record.schema.json"
    queries_path: Path = ROOT / "docs" / "queries"
    query_timeout: float = 30.0
    max_result_rows: int = 100_000
    page_size_max: int = 500
    extra: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Self:
        """Read HOST, PORT and LODCAT_* from `environ`; raise SettingsError naming a bad variable.

        Without LODCAT_BASE_IRI the base is the address served, so minted IRIs dereference there.
        """
        host = environ.get("HOST") or cls.host
        port = _integer(environ, "PORT", cls.port)
        served = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
        served = f"[{served}]" if ":" in served else served
        return cls(
            host=host,
            port=port,
            store_path=Path(environ.get("LODCAT_STORE") or cls.store_path),
            base_iri=_base_iri(environ.get("LODCAT_BASE_IRI") or f"http://{served}:{port}/"),
            query_timeout=_number(environ, "LODCAT_QUERY_TIMEOUT", cls.query_timeout),
            max_result_rows=_integer(environ, "LODCAT_MAX_RESULT_ROWS", cls.max_result_rows),
        )

    def with_base(self, base_iri: str) -> Settings:
        """A copy with another base IRI (tests publish the same data under two bases)."""
        return Settings(**{**self.__dict__, "base_iri": _base_iri(base_iri)})
