"""Fast loader for benchmark data: records -> N-Quads -> two stores holding the same quads.

`lodcat load` validates every record with pyshacl (about 6 ms a record, ~10 min per 100k on one core),
which is right for publishing and wrong for making benchmark data. This loader keeps lodcat's own
reading and mapping (`read_records`, `to_triples`, the ontology and scheme graphs, the per-graph
provenance with its content hash), skips SHACL, and writes one N-Quads file that is loaded twice:

- into lodcat's store with `pyoxigraph.Store.bulk_load`, and
- into the Oxigraph server's store with `oxigraph load --location DIR --file data.nq`,

so `lodcat serve` and `oxigraph serve-read-only` answer from the same quads. The output folder is
replaced on each run. Times and sizes of every step go to `load.json` in it.

    python -m bench.load --records var/bench/records --out var/bench
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

from pyoxigraph import RdfFormat, Store, serialize

from loader.mapping import MappedSource, to_triples
from loader.namespaces import Namespaces

# The provenance `publish()` writes beside each graph (its content hash feeds lodcat's data version,
# which /sparql reads for every ETag); reused so the store looks as `lodcat load` leaves it.
from loader.pipeline import vocabulary_sources
from loader.preparation import graph_metadata
from loader.records import read_records, record_files
from loader.settings import Settings

BASE_IRI = "http://127.0.0.1:8000/"


def _nquads(mapped: MappedSource, ns: Namespaces) -> bytes:
    """The quads of one graph plus its provenance triples, as N-Quads."""
    triples = [*mapped.triples, *graph_metadata(mapped, mapped.content_hash(), ns)]
    complete = replace(mapped, triples=triples)
    return serialize(complete.quads(), format=RdfFormat.N_QUADS) or b""


def map_file(path: Path, base_iri: str) -> tuple[bytes, int]:
    """Read and map one record file (no SHACL); its N-Quads and its number of projects."""
    ns = Namespaces(base_iri)
    records = read_records(path)
    return _nquads(to_triples(records, path, ns), ns), len(records.projects)


def _mapped(paths: list[Path], base_iri: str, jobs: int) -> Iterator[tuple[bytes, int]]:
    if jobs <= 1:
        for path in paths:
            yield map_file(path, base_iri)
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        yield from pool.map(map_file, paths, [base_iri] * len(paths), chunksize=1)


def write_nquads(records: Path, target: Path, base_iri: str, jobs: int) -> dict[str, int]:
    """Map every record file under `records` and the vocabulary graphs into one N-Quads file."""
    settings = Settings(base_iri=base_iri)
    ns = Namespaces(base_iri)
    paths = record_files([records])
    projects = 0
    with target.open("wb") as output:
        for vocabulary in vocabulary_sources(settings):
            output.write(_nquads(vocabulary, ns))
        for body, count in _mapped(paths, base_iri, jobs):
            output.write(body)
            projects += count
    return {"files": len(paths), "projects": projects}


def _line_count(path: Path) -> int:
    lines = 0
    with path.open("rb") as data:
        while chunk := data.read(1 << 24):
            lines += chunk.count(b"\n")
    return lines


def _peak_rss_mib(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=Path, default=Path("var/bench/records"))
    parser.add_argument("--out", type=Path, default=Path("var/bench"))
    parser.add_argument("--base-iri", default=BASE_IRI, help="must equal LODCAT_BASE_IRI when serving")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="mapping processes")
    parser.add_argument(
        "--oxigraph", default=str(Path(sys.executable).with_name("oxigraph")), help="oxigraph CLI"
    )
    arguments = parser.parse_args(argv)
    out: Path = arguments.out
    nquads, lodcat_store, oxigraph_store = out / "data.nq", out / "lodcat-store", out / "oxigraph-store"
    for stale in (lodcat_store, lodcat_store.with_name("lodcat-store-checkpoints"), oxigraph_store):
        shutil.rmtree(stale, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    report: dict[str, object] = {"base_iri": arguments.base_iri, "jobs": arguments.jobs}

    started = time.perf_counter()
    report.update(write_nquads(arguments.records, nquads, arguments.base_iri, arguments.jobs))
    report["map_s"] = round(time.perf_counter() - started, 1)
    report["nquads_lines"] = _line_count(nquads)
    report["nquads_bytes"] = nquads.stat().st_size
    print(f"mapped {report['projects']} projects to {report['nquads_lines']} quads in {report['map_s']} s")

    started = time.perf_counter()
    store = Store(str(lodcat_store))
    store.bulk_load(path=nquads, format=RdfFormat.N_QUADS)
    store.flush()
    report["lodcat_bulk_load_s"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    store.optimize()
    report["lodcat_optimize_s"] = round(time.perf_counter() - started, 1)
    report["lodcat_quads"] = len(store)
    del store
    print(
        f"bulk_load into {lodcat_store}: {report['lodcat_quads']} quads in {report['lodcat_bulk_load_s']} s"
        f" (+ optimize {report['lodcat_optimize_s']} s)"
    )

    started = time.perf_counter()
    subprocess.run(
        [arguments.oxigraph, "load", "--location", str(oxigraph_store), "--file", str(nquads)],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,  # its advice on --lenient and optimize, once per run
    )
    report["oxigraph_load_s"] = round(time.perf_counter() - started, 1)
    # Both stores get the same treatment: `oxigraph load` suggests `optimize` before a read-heavy workload.
    started = time.perf_counter()
    subprocess.run([arguments.oxigraph, "optimize", "--location", str(oxigraph_store)], check=True)
    report["oxigraph_optimize_s"] = round(time.perf_counter() - started, 1)
    report["oxigraph_quads"] = len(Store.read_only(str(oxigraph_store)))
    print(
        f"oxigraph load into {oxigraph_store}: {report['oxigraph_quads']} quads"
        f" in {report['oxigraph_load_s']} s"
        f" (+ optimize {report['oxigraph_optimize_s']} s)"
    )

    report["peak_rss_mib"] = {
        "loader": round(_peak_rss_mib(resource.RUSAGE_SELF)),
        "children": round(_peak_rss_mib(resource.RUSAGE_CHILDREN)),
    }
    (out / "load.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    if report["lodcat_quads"] != report["oxigraph_quads"]:
        print("the two stores hold different numbers of quads", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
