"""Search at 10^5 projects: the search function in process, and the search page through `lodcat serve`.

Issue 6, item 2: search p50 <= 50 ms and p99 <= 200 ms. The queries are a fixed, seeded mix of what
people type into the search box of a catalogue built from bench.generate's records (whose words come
from a small vocabulary per language, so nearly every word is in half the Czech projects: the worst case
for a full-text index): one to three words, with and without diacritics, inflected or cut short; words
with one or two facet filters; filters alone; codes and identifiers; words found nowhere; other sorts
and later pages.

1. `index` (cold): `loader.search_index.search()` on the index file, in this process, each query once
   with the index's recent-matches cache emptied before it, so every query pays for its text match.
2. `index` (warm): the same queries again as the cache keeps them (a second reader of the same page).
3. `http`: `GET /search?...` (the HTML page: results, facets, charts for searches of up to 5,000
   projects) from `lodcat serve` on the same store, one client on loopback, one request at a time.

After a data change the index is read into bitmaps and presorted id lists once (`SearchIndex.warm`,
which lodcat serve runs after each refresh); that one-off is timed apart (`warm_ms`). With `--refresh`,
the bench also times an incremental refresh after one source graph changes (it edits the graph's
content hash in the store, so the refresh re-reads that graph's projects).

    python -m bench.load --records var/bench/records --out var/bench      # a 100k store, if not yet there
    python -m bench.search_bench --store var/bench/lodcat-store           # builds the index on first run
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import time
import unicodedata
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx

from bench.generate import PROGRAMMES, REGIONS, TARGETS, WORDS
from loader.namespaces import Namespaces
from loader.search_index import SearchIndex, refresh, search, search_path
from loader.settings import Settings
from loader.store import LodStore

BASE_IRI = "http://127.0.0.1:8000/"
# `lodcat serve` writes the dumps before it answers (api/catalogue.py); at 100k projects that takes over
# 10 minutes and 12 GiB (see bench/sparql_bench.py). It is no part of search, so, as sparql_bench does,
# the dumps go where no folder can be made: lodcat logs "cannot write the dumps" and serves.
NO_DUMPS = "/dev/null/lodcat-bench-writes-no-dumps"


@dataclass(frozen=True)
class Query:
    kind: str
    q: str = ""
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()
    sort: str | None = None
    page: int = 1

    def parameters(self) -> list[tuple[str, str]]:
        items = [("q", self.q)] if self.q else []
        items += [(name, value) for name, values in self.filters for value in values]
        items += [("sort", self.sort)] if self.sort else []
        items += [("page", str(self.page))] if self.page > 1 else []
        return items


def _plain(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))


def queries(count: int, seed: int = 6) -> list[Query]:
    """`count` queries in a fixed mix (see the module docstring); the same seed gives the same list."""
    rng = random.Random(seed)
    facets = {
        "country": ["CZE", "LTU", "AUT"],
        "region": [code for codes in REGIONS.values() for code in codes],
        "programme": [programme for programme, _ in PROGRAMMES],
        "fund": ["esf", "interreg"],
        "status": ["finished", "ongoing"],
        "period": ["2007-2013", "2004-2006", "2000-2006"],
        "target_group": TARGETS,
    }

    def word() -> str:
        chosen = rng.choice(WORDS[rng.choice(["cs", "cs", "cs", "lt", "de", "en"])])
        form = rng.random()
        if form < 0.3:
            chosen = _plain(chosen)  # typed without diacritics
        elif form < 0.45:
            chosen = chosen[: max(3, len(chosen) - rng.randint(1, 3))]  # cut short, or another ending
        return chosen.upper() if rng.random() < 0.05 else chosen

    def filters(n: int) -> tuple[tuple[str, tuple[str, ...]], ...]:
        names = rng.sample(sorted(facets), n)
        return tuple((name, (rng.choice(facets[name]),)) for name in sorted(names))

    mix = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.35:
            query = Query("one word", word())
        elif roll < 0.55:
            query = Query("two words", f"{word()} {word()}")
        elif roll < 0.65:
            query = Query("three words", f"{word()} {word()} {word()}")
        elif roll < 0.80:
            query = Query("words and filters", word(), filters(rng.choice([1, 1, 2])))
        elif roll < 0.88:
            query = Query("filters only", "", filters(rng.choice([1, 2, 3])))
        elif roll < 0.94:
            number = rng.randrange(100_000)
            code = rng.choice([f"SYN-{number:07d}", f"CZ.{number // 1000:04d}/{number % 1000:03d}"])
            query = Query("code", code)
        else:
            query = Query("no match", rng.choice(["xylofon", "kvantová chromodynamika", "zzz qqq"]))
        later = rng.random()
        sort = rng.choice(["title", "-start", "start", "-end"]) if rng.random() < 0.2 else None
        page = 1 if later < 0.85 else rng.randint(2, 5) if later < 0.95 else rng.randint(10, 50)
        mix.append(Query(query.kind, query.q, query.filters, sort, page))
    return mix


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


def summary(times: list[float]) -> dict[str, float]:
    return {
        "n": len(times),
        "p50_ms": round(percentile(times, 0.50) * 1000, 1),
        "p90_ms": round(percentile(times, 0.90) * 1000, 1),
        "p99_ms": round(percentile(times, 0.99) * 1000, 1),
        "max_ms": round(max(times) * 1000, 1),
        "mean_ms": round(statistics.fmean(times) * 1000, 1),
    }


def run_index(index: SearchIndex, mix: list[Query], cold: bool) -> tuple[list[float], dict[str, list[float]]]:
    times: list[float] = []
    by_kind: dict[str, list[float]] = {}
    for query in mix:
        if cold:
            index.state().texts.clear()
        started = time.perf_counter()
        search(index, query.q, {name: list(values) for name, values in query.filters}, query.sort, query.page)
        elapsed = time.perf_counter() - started
        times.append(elapsed)
        by_kind.setdefault(query.kind, []).append(elapsed)
    return times, by_kind


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def run_http(store: Path, base_iri: str, mix: list[Query], log: Path) -> dict[str, Any]:
    """Time GET /search for each query through `lodcat serve` (started here, stopped at the end)."""
    port = free_port()
    environ = {
        **os.environ,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "LODCAT_STORE": str(store),
        "LODCAT_BASE_IRI": base_iri,
        "LODCAT_QUERY_WORKERS": "0",
        "LODCAT_DUMPS": NO_DUMPS,
    }
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "loader.cli", "serve"], env=environ, stdout=output, stderr=output
        )
        try:
            url = f"http://127.0.0.1:{port}/"
            with httpx.Client(timeout=120) as client:
                deadline = time.monotonic() + 120
                while True:
                    try:
                        client.get(url + "health")
                        break
                    except httpx.TransportError:
                        if time.monotonic() > deadline:
                            raise
                        time.sleep(0.2)
                started = time.perf_counter()
                first = client.get(url + "search", headers={"Accept": "text/html"})
                first_ms = (time.perf_counter() - started) * 1000
                assert first.status_code == 200, first.text[:300]
                times: list[float] = []
                by_kind: dict[str, list[float]] = {}
                for query in mix:
                    target = url + "search?" + urlencode(query.parameters())
                    started = time.perf_counter()
                    response = client.get(target, headers={"Accept": "text/html"})
                    elapsed = time.perf_counter() - started
                    assert response.status_code == 200, (target, response.status_code)
                    times.append(elapsed)
                    by_kind.setdefault(query.kind, []).append(elapsed)
        finally:
            server.terminate()
            server.wait(timeout=30)
    return {
        "first_request_ms": round(first_ms, 1),
        "all": summary(times),
        "by_kind": {kind: summary(values) for kind, values in by_kind.items()},
    }


def time_refresh(store: LodStore, settings: Settings, index: SearchIndex) -> dict[str, Any]:
    """Change one source graph's content hash, then time the refresh that re-reads its projects."""
    ns = Namespaces(settings.base_iri)
    graph = next(g for g in store.named_graphs() if "/graph/source/" in g)
    hash_term = ns.term("contentHash").value
    store.update(
        f"DELETE {{ GRAPH <{graph}> {{ <{graph}> <{hash_term}> ?h }} }} "
        f'INSERT {{ GRAPH <{graph}> {{ <{graph}> <{hash_term}> "bench-{time.time()}" }} }} '
        f"WHERE {{ GRAPH <{graph}> {{ <{graph}> <{hash_term}> ?h }} }}"
    )
    started = time.perf_counter()
    report = refresh(store, settings, index)
    return {"graph": graph, "projects": report.projects, "seconds": round(time.perf_counter() - started, 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--store", type=Path, default=Path("var/bench/lodcat-store"), help="a lodcat store")
    parser.add_argument("--base-iri", default=BASE_IRI, help="the base IRI the store was mapped with")
    parser.add_argument("--queries", type=int, default=1000, help="how many queries in the mix")
    parser.add_argument("--http-queries", type=int, default=400, help="how many of them through HTTP")
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument("--refresh", action="store_true", help="also time an incremental refresh")
    parser.add_argument(
        "--output", type=Path, help="JSON report (default: search-bench.json beside the store)"
    )
    arguments = parser.parse_args(argv)
    settings = Settings(store_path=arguments.store, base_iri=arguments.base_iri)
    output = arguments.output or arguments.store.with_name("search-bench.json")
    report: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load": os.getloadavg()},
        "store": str(arguments.store),
    }

    store = LodStore(arguments.store)
    index = SearchIndex(search_path(arguments.store))
    started = time.perf_counter()
    built = refresh(store, settings, index)
    report["refresh_before"] = {**asdict(built), "seconds": round(time.perf_counter() - started, 1)}
    print(f"index: {report['refresh_before']}", flush=True)
    if arguments.refresh:
        report["incremental_refresh"] = time_refresh(store, settings, index)
        print(f"incremental refresh: {report['incremental_refresh']}", flush=True)
    report["index_bytes"] = search_path(arguments.store).stat().st_size
    del store  # lodcat serve opens the store next

    mix = queries(arguments.queries)
    fresh = SearchIndex(search_path(arguments.store))
    started = time.perf_counter()
    fresh.warm()  # lodcat serve does this after each refresh, in the background
    report["warm_ms"] = round((time.perf_counter() - started) * 1000, 1)
    for label, cold in (("index_cold", True), ("index_warm", False)):
        times, by_kind = run_index(fresh, mix, cold)
        report[label] = {"all": summary(times), "by_kind": {k: summary(v) for k, v in by_kind.items()}}
        print(f"{label}: {report[label]['all']}", flush=True)
    if not arguments.no_http:
        log = arguments.store.with_name("search-bench-serve.log")
        report["http"] = run_http(arguments.store, arguments.base_iri, mix[: arguments.http_queries], log)
        print(f"http: {report['http']['all']} (first request {report['http']['first_request_ms']} ms)")
    report["machine"]["load_after"] = os.getloadavg()
    output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
