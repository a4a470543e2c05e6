"""lodcat's /sparql beside `oxigraph serve-read-only` on the same quads, the same client, the same load.

Issue 3, item 6. Four typical queries written against lodcat's vocabulary (one project by IRI, a
filtered page of 50, counts by programme, budget sums by region) are each sent for a fixed time at
concurrency 1, 4 and 8 to both servers, alternating which server goes first from one cell to the next.
Both servers run at once on loopback; the one not being measured is idle.

The client is this one Python process: asyncio, one keep-alive HTTP/1.1 connection per concurrent
worker, requests pre-encoded, responses read by Content-Length or chunks. Each worker sends its next
request as soon as it has an answer (closed loop). A `503` with `Retry-After` (lodcat's answer when all
its query slots are busy) is honoured as the protocol asks: the worker waits that long and sends the
same query again; the query's latency runs from its first attempt to its answer, and the 503s are
counted. Latency is per successful query; throughput is successful queries per second.

Before any timing both servers must return the same solutions for every query variant checked.

    python -m bench.sparql_bench --data var/bench            # after bench.generate and bench.load
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ACCEPT = "application/sparql-results+json"
CONCURRENCY = (1, 4, 8)
DCTERMS = "http://purl.org/dc/terms/"
NUTS = "http://data.europa.eu/nuts/code/"


# -- the queries ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Workload:
    """One typical query, with the variants the client cycles through (same sequence for both servers)."""

    name: str
    title: str
    variants: tuple[str, ...]
    checked: tuple[str, ...]  # the variants whose answers are compared between the servers
    ordered: bool  # whether the query has ORDER BY (then row order is compared too)


def _prologue(base: str) -> str:
    return f"PREFIX lodcat: <{base}ontology#>\nPREFIX dcterms: <{DCTERMS}>\nPREFIX nuts: <{NUTS}>\n"


def workloads(base: str, projects: int, seed: int = 7) -> list[Workload]:
    """The four queries of issue 3 as a researcher would write them against lodcat's vocabulary."""
    rng = random.Random(seed)
    prologue = _prologue(base)
    codes = [f"SYN-{rng.randrange(projects):07d}" for _ in range(1000)]
    lookups = tuple(
        prologue + f"SELECT ?property ?value WHERE {{ <{base}id/project/{code}> ?property ?value }}"
        for code in codes
    )
    # A region and the fund that pays for most of its projects; ordered by start date, newest first.
    pages = tuple(
        prologue + "SELECT ?project ?title ?start WHERE {\n"
        f"  ?project a lodcat:Project ;\n"
        f"           lodcat:region nuts:{region} ;\n"
        f"           lodcat:fund <{base}id/concept/fund/{fund}> ;\n"
        "           dcterms:title ?title ;\n"
        "           lodcat:startDate ?start .\n"
        "}\nORDER BY DESC(STR(?start)) ?project\nLIMIT 50"
        for region, fund in (
            ("CZ010", "esf"),
            ("CZ020", "esf"),
            ("CZ031", "interreg"),
            ("CZ064", "esf"),
            ("CZ080", "esf"),
            ("LT011", "esf"),
            ("AT130", "interreg"),
            ("AT311", "esf"),
        )
    )
    programmes = (
        prologue + "SELECT ?programme (COUNT(?project) AS ?projects) WHERE {\n"
        "  ?project a lodcat:Project ;\n"
        "           lodcat:programme ?programme .\n"
        "}\nGROUP BY ?programme\nORDER BY DESC(?projects) ?programme",
    )
    budgets = (
        prologue
        + "SELECT ?region ?currency (SUM(?amount) AS ?total) (COUNT(?project) AS ?projects) WHERE {\n"
        "  ?project a lodcat:Project ;\n"
        "           lodcat:region ?region ;\n"
        "           lodcat:funding ?funding .\n"
        f"  ?funding lodcat:fundingType <{base}id/concept/funding-type/total-budget> ;\n"
        "           lodcat:amount ?amount ;\n"
        "           lodcat:currency ?currency .\n"
        "}\nGROUP BY ?region ?currency\nORDER BY ?region ?currency",
    )
    return [
        Workload("lookup", "one project by IRI", lookups, lookups[:25], ordered=False),
        Workload("page", "filtered page of 50", pages, pages, ordered=True),
        Workload("programmes", "counts by programme", programmes, programmes, ordered=True),
        Workload("budgets", "budget sums by region", budgets, budgets, ordered=True),
    ]


# -- the servers ---------------------------------------------------------------------------------------


@dataclass
class Server:
    name: str
    command: list[str]
    env: dict[str, str]
    port: int
    path: str  # where queries go: /sparql or /query
    log: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(self.command, env=self.env, stdout=log, stderr=subprocess.STDOUT)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # uvicorn runs its lifespan shutdown (stops workers)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def request(self, query: str) -> bytes:
        target = f"{self.path}?{urllib.parse.urlencode({'query': query})}"
        return (
            f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\nAccept: {ACCEPT}\r\n"
            "User-Agent: lodcat-bench\r\n\r\n"
        ).encode("ascii")

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server and every process under it (lodcat's query workers)."""
        assert self.process is not None
        return sum(_process_cpu(pid) for pid in _tree(self.process.pid))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _tree(root: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            parents.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(parents.get(pid, []))
    return found


TICKS = os.sysconf("SC_CLK_TCK")


def _process_cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


# `oxigraph serve --timeout-s N` starts one thread per query that sleeps N seconds before it cancels the
# query, finished or not (oxigraph 0.5.13, cli/src/main.rs), so at R queries/s it holds R x N threads.
# With N = 60 it failed here after about 12,000 point lookups ("Resource temporarily unavailable (os
# error 11)" on every query, then a panic: "failed to allocate an alternative stack"). So by default the
# Oxigraph server runs without a timeout, i.e. without the protection lodcat provides.
# `lodcat serve` writes the dumps (api/catalogue.py, loader/dumps.py) before it answers anything; at 100k
# projects that holds every quad in Python and took over 10 minutes and 12 GiB here. It is no part of
# the query path, so by default the benchmark points LODCAT_DUMPS where no folder can be made: lodcat logs
# "cannot write the dumps" and serves (the catalogue routes then answer 500; /sparql is unaffected).
NO_DUMPS = "/dev/null/lodcat-bench-writes-no-dumps"


def servers(
    data: Path,
    bin_dir: Path,
    workers: int,
    timeout: int,
    oxigraph_timeout: int | None,
    lodcat_env: dict[str, str],
) -> list[Server]:
    lodcat_port, oxigraph_port = _free_port(), _free_port()
    base_env = {key: value for key, value in os.environ.items() if not key.startswith("LODCAT_")}
    lodcat = Server(
        "lodcat",
        [str(bin_dir / "lodcat"), "serve"],
        {
            **base_env,
            "HOST": "127.0.0.1",
            "PORT": str(lodcat_port),
            "LODCAT_STORE": str(data / "lodcat-store"),
            "LODCAT_BASE_IRI": json.loads((data / "load.json").read_text())["base_iri"],
            "LODCAT_QUERY_WORKERS": str(workers),
            "LODCAT_QUERY_TIMEOUT": str(timeout),
            "LODCAT_DUMPS": NO_DUMPS,
            **lodcat_env,
        },
        lodcat_port,
        "/sparql",
        data / "logs" / "lodcat.log",
    )
    oxigraph = Server(
        "oxigraph",
        [
            str(bin_dir / "oxigraph"),
            "serve-read-only",
            "--location",
            str(data / "oxigraph-store"),
            "--bind",
            f"127.0.0.1:{oxigraph_port}",
            "--union-default-graph",
            *(["--timeout-s", str(oxigraph_timeout)] if oxigraph_timeout else []),
        ],
        base_env,
        oxigraph_port,
        "/query",
        data / "logs" / "oxigraph.log",
    )
    return [lodcat, oxigraph]


# -- the client ----------------------------------------------------------------------------------------


class HttpError(Exception):
    pass


class Connection:
    """One keep-alive HTTP/1.1 connection to 127.0.0.1; enough of HTTP for these two servers."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.reconnects = 0

    async def _open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None

    async def send(self, request: bytes) -> tuple[int, dict[str, str], bytes]:
        reused = self.writer is not None
        if self.writer is None:
            await self._open()
        assert self.reader is not None and self.writer is not None
        self.writer.write(request)
        try:
            head = await self.reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionResetError) as error:
            # A kept-alive connection the server closed while idle (oxigraph does after a few seconds):
            # open a new one and send the request again, as HTTP clients do for idempotent requests.
            if not reused or (isinstance(error, asyncio.IncompleteReadError) and error.partial):
                raise
            self.reconnects += 1
            await self.close()
            await self._open()
            assert self.reader is not None and self.writer is not None
            self.writer.write(request)
            head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            if line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int((await self.reader.readline()).split(b";")[0], 16)
                if size == 0:
                    while (await self.reader.readline()) not in (b"\r\n", b""):
                        pass
                    break
                parts.append(await self.reader.readexactly(size))
                await self.reader.readexactly(2)
            body = b"".join(parts)
        else:
            raise HttpError(f"response without length: {headers}")
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return status, headers, body


@dataclass
class Cell:
    """What one server did with one query at one concurrency."""

    server: str
    query: str
    concurrency: int
    seconds: float
    ok: int
    latencies_ms: list[float] = field(repr=False)
    busy_503: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    client_cpu_s: float = 0.0
    server_cpu_s: float = 0.0
    load_average: float = 0.0  # 1-minute load average as the cell started: the machine is shared

    @property
    def throughput(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def percentile(self, fraction: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        rank = max(1, int(-(-fraction * len(ordered) // 1)))  # nearest rank
        return ordered[rank - 1]

    def summary(self) -> dict[str, Any]:
        return {
            "server": self.server,
            "query": self.query,
            "concurrency": self.concurrency,
            "seconds": round(self.seconds, 2),
            "ok": self.ok,
            "throughput_qps": round(self.throughput, 2),
            "p50_ms": round(self.percentile(0.50), 2),
            "p99_ms": round(self.percentile(0.99), 2),
            "max_ms": round(max(self.latencies_ms, default=float("nan")), 2),
            "busy_503": self.busy_503,
            "errors": self.errors,
            "client_cpu_s": round(self.client_cpu_s, 2),
            "server_cpu_ms_per_query": round(1000 * self.server_cpu_s / self.ok, 3) if self.ok else None,
            "load_average": round(self.load_average, 2),
        }


async def run_cell(server: Server, workload: Workload, concurrency: int, duration: float) -> Cell:
    """Send `workload` to `server` from `concurrency` workers for `duration` seconds (closed loop)."""
    requests = [server.request(query) for query in workload.variants]
    latencies: list[float] = []
    busy = 0
    errors: Counter[str] = Counter()
    counter = 0
    loop = asyncio.get_running_loop()
    deadline = loop.time() + duration

    async def worker() -> None:
        nonlocal counter, busy
        connection = Connection(server.port)
        try:
            while loop.time() < deadline:
                request = requests[counter % len(requests)]
                counter += 1
                started = time.perf_counter()
                while True:
                    try:
                        status, headers, _ = await connection.send(request)
                    except (OSError, asyncio.IncompleteReadError, HttpError) as error:
                        errors[type(error).__name__] += 1
                        await connection.close()
                        if server.process is not None and server.process.poll() is not None:
                            raise SystemExit(
                                f"{server.name} exited during the run; see {server.log}"
                            ) from None
                        await asyncio.sleep(0.01)
                        break
                    if status == 503 and "retry-after" in headers:
                        busy += 1
                        await asyncio.sleep(float(headers["retry-after"]))
                        continue
                    if status == 200:
                        latencies.append((time.perf_counter() - started) * 1000)
                    else:
                        errors[str(status)] += 1
                    break
        finally:
            await connection.close()

    load_average = os.getloadavg()[0]
    cpu_before, client_before = server.cpu_seconds(), _client_cpu()
    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    return Cell(
        server.name,
        workload.name,
        concurrency,
        elapsed,
        len(latencies),
        latencies,
        busy,
        dict(errors),
        _client_cpu() - client_before,
        server.cpu_seconds() - cpu_before,
        load_average,
    )


def _client_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# -- same answers first --------------------------------------------------------------------------------


def _rows(body: bytes, ordered: bool) -> list[str]:
    bindings = json.loads(body)["results"]["bindings"]
    rows = [json.dumps(binding, sort_keys=True, ensure_ascii=False) for binding in bindings]
    return rows if ordered else sorted(rows)


async def check_answers(pair: Sequence[Server], load: Sequence[Workload]) -> dict[str, list[int]]:
    """Both servers must give the same solutions (same rows, same order where ordered); row counts."""
    counts: dict[str, list[int]] = {}
    connections = [Connection(server.port) for server in pair]
    try:
        for workload in load:
            counts[workload.name] = []
            for query in workload.checked:
                answers = []
                for server, connection in zip(pair, connections, strict=True):
                    status, _, body = await connection.send(server.request(query))
                    if status != 200:
                        raise SystemExit(
                            f"{server.name} answered {status} to {workload.name}: {body[:500]!r}"
                        )
                    answers.append(_rows(body, workload.ordered))
                if answers[0] != answers[1]:
                    raise SystemExit(
                        f"{workload.name}: {pair[0].name} gave {len(answers[0])} rows, "
                        f"{pair[1].name} {len(answers[1])} rows, or different ones, for\n{query}"
                    )
                if not answers[0]:
                    raise SystemExit(f"{workload.name}: no rows from either server for\n{query}")
                counts[workload.name].append(len(answers[0]))
    finally:
        for connection in connections:
            await connection.close()
    return counts


async def wait_until_ready(server: Server, query: str, limit: float = 300) -> float:
    """Seconds until `server` answers `query` with 200 (lodcat checkpoints and spawns its workers)."""
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        assert server.process is not None
        if server.process.poll() is not None:
            raise SystemExit(f"{server.name} exited with {server.process.returncode}; see {server.log}")
        connection = Connection(server.port)
        try:
            status, _, _ = await connection.send(server.request(query))
            if status == 200:
                return time.perf_counter() - started
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            await connection.close()
        await asyncio.sleep(0.2)
    raise SystemExit(f"{server.name} did not answer within {limit} s; see {server.log}")


# -- the run -------------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    memory = next(
        line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "unknown",
    )
    oxigraph_version = subprocess.run(
        [str(Path(sys.executable).with_name("oxigraph")), "--version"], capture_output=True, text=True
    ).stdout.strip()
    import pyoxigraph

    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "memory_gib": round(int(memory.split()[1]) / 1024 / 1024, 1),
        "python": sys.version.split()[0],
        "pyoxigraph": pyoxigraph.__version__,
        "oxigraph": oxigraph_version,
    }


def durations(spec: str) -> Callable[[str], float]:
    """'lookup=8,page=8,programmes=15,budgets=20' or one number for all."""
    if "=" not in spec:
        return lambda _name: float(spec)
    table = {name: float(value) for name, value in (part.split("=") for part in spec.split(","))}
    return lambda name: table[name]


async def benchmark(arguments: argparse.Namespace) -> dict[str, Any]:
    data: Path = arguments.data
    output: Path = arguments.output or data / "sparql-bench.json"
    load_report = json.loads((data / "load.json").read_text())
    lodcat_env = dict(item.split("=", 1) for item in arguments.lodcat_env)
    pair = servers(
        data,
        Path(sys.executable).parent,
        arguments.workers,
        arguments.timeout,
        arguments.oxigraph_timeout,
        lodcat_env,
    )
    load = [
        workload
        for workload in workloads(load_report["base_iri"], load_report["projects"])
        if workload.name in arguments.queries.split(",")
    ]
    duration = durations(arguments.duration)
    concurrencies = [int(level) for level in arguments.concurrency.split(",")]
    result: dict[str, Any] = {
        "machine": machine(),
        "load": load_report,
        "settings": {
            "lodcat_query_workers": arguments.workers,
            "timeout_s": arguments.timeout,
            "oxigraph_timeout_s": arguments.oxigraph_timeout,
            "lodcat_env": lodcat_env,
            "duration_s": {workload.name: duration(workload.name) for workload in load},
            "concurrency": concurrencies,
        },
        "queries": {
            workload.name: {
                "title": workload.title,
                "example": workload.variants[0],
                "variants": len(workload.variants),
            }
            for workload in load
        },
        "cells": [],
    }
    for server in pair:
        server.start()
    try:
        for server in pair:
            ready = await wait_until_ready(server, load[0].variants[0])
            result.setdefault("ready_s", {})[server.name] = round(ready, 1)
            print(f"{server.name} answers on 127.0.0.1:{server.port} after {ready:.1f} s", flush=True)
        counts = await check_answers(pair, load)
        result["rows_checked"] = counts
        for name, rows in counts.items():
            print(f"same answers: {name}: {len(rows)} variant(s), rows {sorted(set(rows))}", flush=True)
        order = list(pair)
        for workload in load:
            for server in pair:  # warm both (caches, lodcat's worker imports) outside the timed cells
                await run_cell(server, workload, 2, min(2.0, duration(workload.name)))
            for concurrency in concurrencies:
                for server in order:
                    cell = await run_cell(server, workload, concurrency, duration(workload.name))
                    summary = cell.summary()
                    result["cells"].append(summary)
                    print(
                        f"{workload.name:10} c={concurrency} {server.name:8}"
                        f" {summary['throughput_qps']:9.1f} q/s"
                        f"  p50 {summary['p50_ms']:9.2f} ms  p99 {summary['p99_ms']:9.2f} ms"
                        f"  n={summary['ok']} 503s={summary['busy_503']} errors={summary['errors']}"
                        f"  server {summary['server_cpu_ms_per_query']} CPU-ms/q"
                        f"  client CPU {summary['client_cpu_s']:.1f} s",
                        flush=True,
                    )
                order.reverse()
        if arguments.profile:
            result["profile"] = await profile(pair[0], load, arguments.profile, output.with_suffix(""))
    finally:
        for server in pair:
            server.stop()
    if arguments.breakdown:
        repeat = {"lookup": 400, "page": 30, "programmes": 3, "budgets": 2}
        result["breakdown_ms"] = breakdown(data, load, load_report["base_iri"], repeat)
    return result


# Where a py-spy sample of lodcat is, by the first matching frame (worker samples name their process).
PROFILE_RATE = 250  # samples per second per thread
PROFILE_CATEGORIES = (
    ("worker: waiting for a job", ("_worker_main (api/executor.py:74)",)),
    ("worker: evaluating (pyoxigraph)", ("LodStore.query",)),
    ("worker: writing SPARQL JSON in Python", ("results.py",)),
    ("worker: negotiation, pickling, pipe", ("_worker_main",)),
    ("main: LodStore.data_version (ETag)", ("LodStore.data_version",)),
    (
        "main: idle (event loop, thread pool, waiting on the pipe)",
        (
            "EpollSelector.select",
            "Condition.wait",
            "_PollLikeSelector.select",
            "Connection._recv",
        ),
    ),
    (
        "main: handing the job to a thread and the pipe",
        (
            "run_in_threadpool",
            "run_sync_in_worker_thread",
            "Connection._send",
            "ForkingPickler",
            "QueryExecutor",
            "WorkerThread",
            "_write_to_self",
            "_read_from_self",
        ),
    ),
    ("main: uvicorn, h11, Starlette, FastAPI, /sparql handler", ("",)),
)


def summarize_profile(raw: Path, requests: int, rate: int) -> dict[str, float]:
    """CPU milliseconds per request in each category of PROFILE_CATEGORIES (idle ones included)."""
    samples: dict[str, int] = dict.fromkeys((name for name, _ in PROFILE_CATEGORIES), 0)
    for line in raw.read_text(encoding="utf-8").splitlines():
        stack, _, count = line.rpartition(" ")
        in_worker = "spawn_main" in stack
        for name, markers in PROFILE_CATEGORIES:
            if name.startswith("worker") != in_worker:
                continue
            if any(marker in stack for marker in markers):
                samples[name] += int(count)
                break
    return {name: round(1000 * count / rate / requests, 3) for name, count in samples.items()}


async def profile(lodcat: Server, load: Sequence[Workload], spec: str, stem: Path) -> dict[str, Any]:
    """py-spy over lodcat and its query workers while one query runs at one concurrency (not timed)."""
    name, concurrency, seconds = spec.split(":")
    workload = next(workload for workload in load if workload.name == name)
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    output = stem.with_name(f"{stem.name}-profile-{name}-c{concurrency}.txt")
    assert lodcat.process is not None
    spy = subprocess.Popen(
        [
            py_spy,
            "record",
            "--pid",
            str(lodcat.process.pid),
            "--subprocesses",
            "--rate",
            str(PROFILE_RATE),
            "--duration",
            seconds,
            "--format",
            "raw",
            "--output",
            str(output),
            "--nonblocking",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    await asyncio.sleep(1.0)
    cell = await run_cell(lodcat, workload, int(concurrency), float(seconds) - 1.5)
    await asyncio.to_thread(spy.wait)
    print(f"py-spy profile of lodcat ({name}, c={concurrency}) in {output}", flush=True)
    per_request = summarize_profile(output, cell.ok, PROFILE_RATE)
    for category, milliseconds in per_request.items():
        print(f"  {milliseconds:8.3f} ms/request  {category}", flush=True)
    return {
        "query": name,
        "concurrency": int(concurrency),
        "file": str(output),
        "cell": cell.summary(),
        "ms_per_request": per_request,
    }


def breakdown(data: Path, load: Sequence[Workload], base_iri: str, repeat: dict[str, int]) -> dict[str, Any]:
    """Where lodcat's time goes, step by step, with the servers stopped (median ms per query).

    engine: pyoxigraph evaluates the query in process and the solutions are iterated;
    native_json: the same plus pyoxigraph's own (Rust) SPARQL JSON serializer, which `oxigraph serve` uses;
    run_job: the same query through lodcat's `run_job` (evaluation + lodcat's Python JSON serializer);
    executor: `QueryExecutor.run` (the job pickled through a pipe to a worker process and the bytes back).
    The HTTP p50 at concurrency 1 from the timed cells adds uvicorn, FastAPI and the event-loop thread hop.
    """
    from pyoxigraph import QueryResultsFormat, QuerySolutions

    from api.executor import QueryExecutor
    from api.query_runner import run_job
    from api.sparql import job_for
    from loader.settings import Settings
    from loader.store import LodStore

    checkpoints = data / "lodcat-store-checkpoints"
    version = next(path.name for path in checkpoints.iterdir() if not path.name.startswith("."))
    store = LodStore.read_only(checkpoints / version)
    settings = Settings(base_iri=base_iri)
    executor = QueryExecutor(checkpoints, workers=1, timeout=120)
    executor.publish_checkpoint(None, version)  # the checkpoint lodcat serve wrote; nothing is made
    executor.start()

    def solutions(query: str) -> QuerySolutions:
        result = store.query(query)
        assert isinstance(result, QuerySolutions), "the four queries are SELECT queries"
        return result

    def engine(query: str) -> object:
        return sum(1 for _ in solutions(query))

    def native_json(query: str) -> object:
        return solutions(query).serialize(format=QueryResultsFormat.JSON)

    def lodcat_job(query: str) -> object:
        return run_job(store, job_for(query, ACCEPT, settings))

    def lodcat_executor(query: str) -> object:
        return executor.run(job_for(query, ACCEPT, settings))

    steps = {"engine": engine, "native_json": native_json, "run_job": lodcat_job, "executor": lodcat_executor}
    table: dict[str, Any] = {}
    try:
        for workload in load:
            times: dict[str, list[float]] = {step: [] for step in steps}
            for index in range(repeat[workload.name]):
                query = workload.variants[index % len(workload.variants)]
                engine(query)  # each step then finds the same data in the caches
                for step, function in steps.items():  # interleaved, so drift hits every step alike
                    started = time.perf_counter()
                    function(query)
                    times[step].append((time.perf_counter() - started) * 1000)
            table[workload.name] = {
                step: round(statistics.median(values), 3) for step, values in times.items()
            }
            print(f"breakdown {workload.name}: {table[workload.name]}", flush=True)
    finally:
        executor.stop()
    return table


def ratios(cells: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """lodcat / oxigraph per query and concurrency: throughput ratio and p99 ratio against the targets."""
    by_key = {(cell["query"], cell["concurrency"], cell["server"]): cell for cell in cells}
    rows = []
    for (query, concurrency, server), lodcat in by_key.items():
        if server != "lodcat" or (query, concurrency, "oxigraph") not in by_key:
            continue
        oxigraph = by_key[(query, concurrency, "oxigraph")]
        throughput = (
            lodcat["throughput_qps"] / oxigraph["throughput_qps"] if oxigraph["throughput_qps"] else None
        )
        p99 = lodcat["p99_ms"] / oxigraph["p99_ms"] if oxigraph["p99_ms"] else None
        rows.append(
            {
                "query": query,
                "concurrency": concurrency,
                "throughput_ratio": round(throughput, 2) if throughput is not None else None,
                "p99_ratio": round(p99, 2) if p99 is not None else None,
                "throughput_target_met": throughput is not None and throughput >= 0.8,
                "p99_target_met": p99 is not None and p99 <= 1.5,
            }
        )
    return rows


def markdown(result: dict[str, Any]) -> str:
    """The results table for docs/benchmarks.md."""
    by_key = {(cell["query"], cell["concurrency"], cell["server"]): cell for cell in result["cells"]}
    lines = [
        "| query | c | lodcat q/s | oxigraph q/s | ratio | lodcat p50 ms | oxigraph p50 ms | lodcat p99 ms "
        "| oxigraph p99 ms | p99 ratio | lodcat 503s | CPU-ms/q lodcat / oxigraph |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in result["ratios"]:
        lodcat = by_key[(row["query"], row["concurrency"], "lodcat")]
        oxigraph = by_key[(row["query"], row["concurrency"], "oxigraph")]
        mark_throughput = "" if row["throughput_target_met"] else " ✗"
        mark_p99 = "" if row["p99_target_met"] else " ✗"
        lines.append(
            f"| {result['queries'][row['query']]['title']} | {row['concurrency']} "
            f"| {lodcat['throughput_qps']:,.1f} | {oxigraph['throughput_qps']:,.1f} "
            f"| {row['throughput_ratio']}{mark_throughput} "
            f"| {lodcat['p50_ms']:,.2f} | {oxigraph['p50_ms']:,.2f} "
            f"| {lodcat['p99_ms']:,.2f} | {oxigraph['p99_ms']:,.2f} | {row['p99_ratio']}{mark_p99} "
            f"| {lodcat['busy_503']} "
            f"| {lodcat['server_cpu_ms_per_query']} / {oxigraph['server_cpu_ms_per_query']} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data", type=Path, default=Path("var/bench"), help="the output folder of bench.load"
    )
    parser.add_argument("--queries", default="lookup,page,programmes,budgets")
    parser.add_argument("--concurrency", default=",".join(map(str, CONCURRENCY)))
    parser.add_argument(
        "--duration", default="lookup=8,page=8,programmes=10,budgets=12", help="seconds per cell, per query"
    )
    parser.add_argument("--workers", type=int, default=2, help="LODCAT_QUERY_WORKERS")
    parser.add_argument("--timeout", type=int, default=60, help="LODCAT_QUERY_TIMEOUT")
    parser.add_argument(
        "--oxigraph-timeout",
        type=int,
        help="oxigraph's --timeout-s (off by default: it holds a thread per query for that long)",
    )
    parser.add_argument(
        "--lodcat-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra environment for lodcat serve (experiments; LODCAT_DUMPS=DIR writes dumps)",
    )
    parser.add_argument(
        "--profile",
        metavar="QUERY:CONCURRENCY:SECONDS",
        help="afterwards, py-spy lodcat's processes while QUERY runs (e.g. lookup:4:12)",
    )
    parser.add_argument(
        "--no-breakdown",
        dest="breakdown",
        action="store_false",
        help="skip timing lodcat's steps in process after the HTTP cells",
    )
    parser.add_argument("--output", type=Path, help="results JSON (default: DATA/sparql-bench.json)")
    arguments = parser.parse_args(argv)
    started = time.perf_counter()
    result = asyncio.run(benchmark(arguments))
    result["ratios"] = ratios(result["cells"])
    result["wall_s"] = round(time.perf_counter() - started, 1)
    output = arguments.output or arguments.data / "sparql-bench.json"
    output.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    table = markdown(result)
    output.with_suffix(".md").write_text(table, encoding="utf-8")
    print(table)
    print(f"results in {output} and {output.with_suffix('.md')} ({result['wall_s']} s)")
    met = all(row["throughput_target_met"] and row["p99_target_met"] for row in result["ratios"])
    print("targets (>= 0.8x throughput, p99 <= 1.5x): " + ("met" if met else "NOT met in every cell"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
