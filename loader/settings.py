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
    query_workers: int = 2
    load_jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    query_queue: int = 4
    query_queue_wait: float = 5.0
    max_result_rows: int = 100_000
    max_result_bytes: int = 64 * 1024 * 1024
    max_body_bytes: int = 1024 * 1024
    cache_control: str = "public, max-age=60"
    admin_token: str = ""
    cors_origins: str = "*"
    page_size_max: int = 500
    extra: Mapping[str, str] = field(default_factory=dict)
    # The DCAT-AP catalogue (/catalog) and the dumps (/dumps/); see api/catalogue.py and loader/dumps.py.
    license_iri: str = "https://creativecommons.org/licenses/by/4.0/"
    publisher_name: str = "lodcat"
    publisher_type: str = "http://purl.org/adms/publishertype/NonProfitOrganisation"
    contact_email: str = ""
    dumps_path: Path | None = None  # None: `dumps` beside the store (var/dumps for var/store)

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
            query_workers=_integer(environ, "LODCAT_QUERY_WORKERS", cls.query_workers),
            load_jobs=_integer(environ, "LODCAT_LOAD_JOBS", os.cpu_count() or 1),
            query_queue=_integer(environ, "LODCAT_QUERY_QUEUE", cls.query_queue),
            query_queue_wait=_number(environ, "LODCAT_QUERY_QUEUE_WAIT", cls.query_queue_wait),
            max_result_rows=_integer(environ, "LODCAT_MAX_RESULT_ROWS", cls.max_result_rows),
            max_result_bytes=_integer(environ, "LODCAT_MAX_RESULT_BYTES", cls.max_result_bytes),
            max_body_bytes=_integer(environ, "LODCAT_MAX_BODY_BYTES", cls.max_body_bytes),
            cache_control=environ.get("LODCAT_CACHE_CONTROL", cls.cache_control),
            admin_token=environ.get("LODCAT_ADMIN_TOKEN", cls.admin_token),
            cors_origins=environ.get("LODCAT_CORS_ORIGINS", cls.cors_origins),
            license_iri=environ.get("LODCAT_LICENSE") or cls.license_iri,
            publisher_name=environ.get("LODCAT_PUBLISHER_NAME") or cls.publisher_name,
            publisher_type=environ.get("LODCAT_PUBLISHER_TYPE") or cls.publisher_type,
            contact_email=environ.get("LODCAT_CONTACT_EMAIL") or cls.contact_email,
            dumps_path=Path(environ["LODCAT_DUMPS"]) if environ.get("LODCAT_DUMPS") else None,
        )

    @property
    def checkpoints_path(self) -> Path:
        """Where read-only checkpoints of the store live, one folder per data version."""
        return self.store_path.with_name(self.store_path.name + "-checkpoints")

    @property
    def record_digests_path(self) -> Path:
        """Which records each published graph was mapped from (loader/record_digests.py), beside the store."""
        return self.store_path.with_name(self.store_path.name + "-records.sqlite")

    def with_base(self, base_iri: str) -> Settings:
        """A copy with another base IRI (tests publish the same data under two bases)."""
        return Settings(**{**self.__dict__, "base_iri": _base_iri(base_iri)})
