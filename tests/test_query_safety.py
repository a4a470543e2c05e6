"""No query can take the service down: timeout that kills the work, slots, limits, CORS, ETag.

These run a real `lodcat serve` with small limits, so the behaviour is that of the deployed service.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import serving

# Four-way cross product of every triple: about 10^11 rows on the sample data, i.e. it never ends.
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
JSON = {"Accept": "application/sparql-results+json"}


class Server:
    def __init__(self, url: str, process: subprocess.Popen[bytes]) -> None:
        self.url, self.process = url, process

    def health(self) -> dict[str, object]:
        answer: dict[str, object] = httpx.get(self.url + "health", timeout=5).json()
        return answer


def start(tmp_path: Path, **environ: str) -> Iterator[Server]:
    with serving(tmp_path / "store", environ=environ) as server:
        yield Server(server.url, server.process)


@pytest.fixture(scope="module")
def strict_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One query slot and no queue, 2 s timeout, at most 3 rows, 4 KiB bodies."""
    yield from start(
        tmp_path_factory.mktemp("strict"),
        LODCAT_QUERY_WORKERS="1",
        LODCAT_QUERY_QUEUE="0",
        LODCAT_QUERY_TIMEOUT="2",
        LODCAT_MAX_RESULT_ROWS="3",
        LODCAT_MAX_BODY_BYTES="4096",
    )


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_timeout_answers_503_and_stops_the_work(strict_server: Server) -> None:
    before = strict_server.health()["query_workers"]
    assert isinstance(before, dict)
    [worker] = before["pids"]
    started = time.monotonic()
    response = httpx.get(strict_server.url + "sparql", params={"query": RUNAWAY}, headers=JSON, timeout=30)
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert response.json()["title"] == "Query timeout"
    assert response.json()["detail"] == "the query did not finish within 2 s and was stopped"
    assert 2 <= elapsed < 6
    # The runaway's process is gone, so no core keeps burning for it.
    deadline = time.monotonic() + 5
    while alive(worker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(worker)
    after = strict_server.health()["query_workers"]
    assert isinstance(after, dict)
    assert after["killed"] == before["killed"] + 1
    [replacement] = after["pids"]
    assert replacement != worker
    # The fresh worker idles: it uses almost no CPU over half a second.
    time.sleep(1.0)  # let it finish starting up
    first = cpu_seconds(replacement)
    time.sleep(0.5)
    assert cpu_seconds(replacement) - first < 0.1
    # And it answers queries.
    ok = httpx.get(
        strict_server.url + "sparql", params={"query": "ASK { ?s ?p ?o }"}, headers=JSON, timeout=10
    )
    assert ok.json()["boolean"] is True


def test_busy_slots_answer_503_with_retry_after_and_health_stays_fast(strict_server: Server) -> None:
    results: list[httpx.Response] = []
    runaway = threading.Thread(
        target=lambda: results.append(
            httpx.get(strict_server.url + "sparql", params={"query": RUNAWAY}, headers=JSON, timeout=30)
        )
    )
    runaway.start()
    try:
        deadline = time.monotonic() + 5
        while strict_server.health()["query_workers"]["busy"] == 0:  # type: ignore[index]
            assert time.monotonic() < deadline
            time.sleep(0.02)
        busy = httpx.get(strict_server.url + "sparql", params={"query": "ASK {}"}, headers=JSON, timeout=5)
        assert busy.status_code == 503
        assert busy.headers["retry-after"] == "1"
        assert busy.json()["title"] == "All query slots are busy"
        # The event loop is free while the query runs: /health and REST answer at once.
        for path in ("health", "api/v1/projects"):
            started = time.monotonic()
            assert httpx.get(strict_server.url + path, timeout=5).status_code == 200
            assert time.monotonic() - started < 0.5
    finally:
        runaway.join()
    assert results[0].status_code == 503


def test_truncated_result_says_so_in_header_and_body(strict_server: Server) -> None:
    response = httpx.get(
        strict_server.url + "sparql",
        params={"query": "SELECT * WHERE { ?s ?p ?o }"},
        headers=JSON,
        timeout=10,
    )
    assert response.status_code == 200
    assert response.headers["lodcat-result-truncated"] == "true"
    assert response.headers["lodcat-result-rows"] == "3"
    body = response.json()
    assert len(body["results"]["bindings"]) == 3
    assert body["lodcat:truncated"] is True


def test_small_result_is_not_flagged(strict_server: Server) -> None:
    response = httpx.get(
        strict_server.url + "sparql",
        params={"query": "SELECT ?s WHERE { ?s a <" + strict_server.url + "ontology#Organisation> } LIMIT 2"},
        headers=JSON,
        timeout=10,
    )
    assert "lodcat-result-truncated" not in response.headers
    assert "lodcat:truncated" not in response.json()


def test_body_over_the_limit_is_refused_with_413(strict_server: Server) -> None:
    query = "ASK {}" + " " * 5000
    response = httpx.post(
        strict_server.url + "sparql", content=query, headers={"Content-Type": "application/sparql-query"}
    )
    assert response.status_code == 413
    assert response.json()["detail"] == (
        "The request body is over the limit of 4096 bytes (LODCAT_MAX_BODY_BYTES)"
    )


def test_cors_allows_get_and_post_from_any_origin(strict_server: Server) -> None:
    origin = {"Origin": "https://portal.example.org"}
    response = httpx.get(strict_server.url + "sparql", params={"query": "ASK {}"}, headers={**origin, **JSON})
    assert response.headers["access-control-allow-origin"] == "*"
    preflight = httpx.options(
        strict_server.url + "sparql",
        headers={
            **origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Content-Type",
        },
    )
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]


def test_etag_gives_304_until_the_data_changes(strict_server: Server) -> None:
    params = {"query": "SELECT ?g WHERE { GRAPH ?g {} } ORDER BY ?g"}
    first = httpx.get(strict_server.url + "sparql", params=params, headers=JSON)
    assert first.headers["cache-control"] == "public, max-age=60"
    tag = first.headers["etag"]
    again = httpx.get(strict_server.url + "sparql", params=params, headers={**JSON, "If-None-Match": tag})
    assert again.status_code == 304
    other = httpx.get(strict_server.url + "sparql", params=params, headers={"Accept": "text/csv"})
    assert other.headers["etag"] != tag


@pytest.fixture(scope="module")
def queued_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One query slot, room for one waiting request (up to 10 s), 2 s timeout."""
    yield from start(
        tmp_path_factory.mktemp("queued"),
        LODCAT_QUERY_WORKERS="1",
        LODCAT_QUERY_QUEUE="1",
        LODCAT_QUERY_QUEUE_WAIT="10",
        LODCAT_QUERY_TIMEOUT="2",
    )


def test_a_waiting_request_gets_the_slot_and_a_second_one_is_refused(queued_server: Server) -> None:
    answers: dict[str, httpx.Response] = {}

    def send(name: str, query: str) -> None:
        answers[name] = httpx.get(
            queued_server.url + "sparql", params={"query": query}, headers=JSON, timeout=30
        )

    runaway = threading.Thread(target=send, args=("runaway", RUNAWAY))
    runaway.start()
    deadline = time.monotonic() + 5
    while queued_server.health()["query_workers"]["busy"] == 0:  # type: ignore[index]
        assert time.monotonic() < deadline
        time.sleep(0.02)
    waiting = threading.Thread(target=send, args=("waiting", "ASK { ?s ?p ?o }"))
    waiting.start()
    time.sleep(0.3)  # the ASK is now queued behind the runaway
    refused = httpx.get(queued_server.url + "sparql", params={"query": "ASK {}"}, headers=JSON, timeout=5)
    runaway.join()
    waiting.join()
    assert refused.status_code == 503
    assert refused.headers["retry-after"] == "1"
    assert answers["runaway"].status_code == 503
    assert answers["runaway"].json()["title"] == "Query timeout"
    assert answers["waiting"].status_code == 200
    assert answers["waiting"].json()["boolean"] is True
