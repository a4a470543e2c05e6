"""Fixtures: a real on-disk Oxigraph store loaded from data/, a TestClient and a live uvicorn server."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from loader.namespaces import Namespaces
from loader.pipeline import run
from loader.settings import Settings
from loader.store import LodStore

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
SHARED = ROOT.parent / "shared"
BASE = "http://127.0.0.1:8000/"


@dataclass
class Published:
    settings: Settings
    store: LodStore
    ns: Namespaces


@pytest.fixture(scope="session")
def published(tmp_path_factory: pytest.TempPathFactory) -> Published:
    """The five sample sources loaded into a fresh on-disk store (readers only: do not write to it)."""
    settings = Settings(store_path=tmp_path_factory.mktemp("published") / "store", base_iri=BASE)
    store = LodStore(settings.store_path)
    report = run([DATA], settings, store)
    assert report.ok, "\n".join(problem for outcome in report.refused for problem in outcome.problems)
    return Published(settings, store, Namespaces(settings.base_iri))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings of a fresh store for one writing test."""
    return Settings(store_path=tmp_path / "store", base_iri=BASE)


@pytest.fixture
def store(settings: Settings) -> LodStore:
    return LodStore(settings.store_path)


@pytest.fixture(scope="session")
def client(published: Published) -> Iterator[TestClient]:
    with TestClient(create_app(published.settings, published.store), base_url=BASE.rstrip("/")) as client:
        yield client


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until_responds(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            httpx.get(url, timeout=1.0)
            return
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@dataclass
class LiveServer:
    url: str
    process: subprocess.Popen[bytes]


@contextlib.contextmanager
def serving(store: Path, *, load: bool = True, environ: dict[str, str] | None = None) -> Iterator[LiveServer]:
    """`lodcat load` (unless `load` is False) then `lodcat serve` on a free port, as real processes.

    The base IRI is the server's own URL; `environ` adds or overrides variables (limits, tokens).
    """
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    env = {
        **os.environ,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "LODCAT_STORE": str(store),
        "LODCAT_BASE_IRI": url,
        **(environ or {}),
    }
    if load:
        subprocess.run(
            [sys.executable, "-m", "loader.cli", "load", str(DATA)],
            env=env,
            check=True,
            capture_output=True,
            cwd=ROOT,
        )
    process = subprocess.Popen(
        [sys.executable, "-m", "loader.cli", "serve"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_responds(url + "health")
        yield LiveServer(url, process)
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The sample data served by a real `lodcat serve` process on a free port."""
    with serving(tmp_path_factory.mktemp("live") / "store") as server:
        yield server
