"""Child processes for the bounded-memory test of the dumps (tests/test_dumps.py), each in a fresh process
so that its peak RSS is its own.

    python -m tests.dump_memory build STORE PROJECTS   # a store of synthetic projects, 100 per graph
    python -m tests.dump_memory dump STORE FOLDER MEMORY   # write_dumps, sorts with -S MEMORY;
                                                          # prints the peak RSS before and after

The projects are shaped like lodcat's (about 43 triples each: titles, an ~800-character description,
dates, funding, three participations, three indicators), built as pyoxigraph triples, not through the
loader, so the test measures the dumps and nothing else.

Reading a store makes RocksDB keep index and filter blocks of its files in memory, more for a larger
store, whoever reads it (measured: 10, 19 and 41 MiB after reading stores of 300, 3,000 and 10,000 such
projects, and nothing more on a second read). That is the store's memory, not the dumps': `dump` reads the
whole store once first, and reports the peak RSS before and after write_dumps.
"""

from __future__ import annotations

import json
import os
import resource
import sys
from pathlib import Path

from pyoxigraph import Literal, NamedNode, RdfFormat, Triple

from loader.dumps import write_dumps
from loader.namespaces import XSD, Namespaces
from loader.store import LodStore
from tests.conftest import BASE

PER_GRAPH = 100
WORDS = ("project", "region", "training", "energy", "school", "river", "museum", "network", "health")


def project_triples(number: int, ns: Namespaces) -> list[Triple]:
    project = NamedNode(f"{BASE}id/project/SYN-{number:07d}")

    def term(name: str) -> NamedNode:
        return ns.term(name)

    def node(kind: str, index: int) -> NamedNode:
        return NamedNode(f"{project.value}/{kind}/{index}")

    description = " ".join(WORDS[(number * 7 + i) % len(WORDS)] for i in range(110))
    triples = [
        Triple(project, NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), term("Project")),
        Triple(project, term("title"), Literal(f"Projekt {number}", language="cs")),
        Triple(project, term("title"), Literal(f"Project {number}", language="en")),
        Triple(project, term("description"), Literal(description, language="en")),
        Triple(project, term("projectCode"), Literal(f"CZ.{number // 1000:04d}/{number % 1000:03d}")),
        Triple(project, term("startDate"), Literal("2010-05", datatype=NamedNode(XSD + "gYearMonth"))),
        Triple(project, term("endDate"), Literal("2014-12-31", datatype=NamedNode(XSD + "date"))),
        Triple(project, term("status"), NamedNode(f"{BASE}id/status/finished")),
        Triple(project, term("programme"), NamedNode(f"{BASE}id/programme/P{number % 5}")),
        Triple(project, term("fund"), NamedNode(f"{BASE}id/fund/ERDF")),
        Triple(project, term("region"), NamedNode(f"http://data.europa.eu/nuts/code/CZ0{number % 8}0")),
        Triple(
            project,
            term("country"),
            NamedNode("http://publications.europa.eu/resource/authority/country/CZE"),
        ),
    ]
    budget = node("funding", 0)
    triples += [
        Triple(project, term("funding"), budget),
        Triple(budget, term("amount"), Literal(f"{number * 1000}.00", datatype=NamedNode(XSD + "decimal"))),
        Triple(
            budget,
            term("currency"),
            NamedNode("http://publications.europa.eu/resource/authority/currency/CZK"),
        ),
        Triple(budget, term("coFinancingRate"), Literal("0.85", datatype=NamedNode(XSD + "decimal"))),
    ]
    for index in range(3):
        participation, indicator = node("participation", index), node("indicator", index)
        triples += [
            Triple(project, term("participation"), participation),
            Triple(
                participation,
                term("organisation"),
                NamedNode(f"{BASE}id/organisation/O{number % 997 + index}"),
            ),
            Triple(participation, term("role"), NamedNode(f"{BASE}id/role/partner")),
            Triple(participation, term("order"), Literal(str(index), datatype=NamedNode(XSD + "integer"))),
            Triple(project, term("indicator"), indicator),
            Triple(indicator, term("measure"), NamedNode(f"{BASE}id/measure/M{index}")),
            Triple(
                indicator, term("value"), Literal(str(number % 2000), datatype=NamedNode(XSD + "integer"))
            ),
            Triple(indicator, term("unit"), Literal("persons", language="en")),
            Triple(indicator, term("note"), Literal(f"Indicator {index} of project {number}", language="en")),
        ]
    return triples


def build(store_path: Path, projects: int) -> None:
    ns = Namespaces(BASE)
    store = LodStore(store_path)
    for first in range(0, projects, PER_GRAPH):
        triples = [
            triple
            for number in range(first, min(first + PER_GRAPH, projects))
            for triple in project_triples(number, ns)
        ]
        store.add_triples(ns.graph(f"synthetic-{first // PER_GRAPH:05d}"), triples)
    store.flush()


def dump(store_path: Path, folder: Path, sort_memory: str) -> None:
    store = LodStore.read_only(store_path)
    with Path(os.devnull).open("wb") as nowhere:
        for graph in store.graph_names():
            store.dump_to(nowhere, RdfFormat.N_TRIPLES, from_graph=graph)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    manifest = write_dumps(store, folder, Namespaces(BASE), sort_memory=sort_memory)
    report = {
        "before_kib": before,
        "after_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "quads": manifest.dumps[0].statements,
    }
    print(json.dumps(report))


def main(argv: list[str]) -> int:
    command, store_path, *arguments = argv
    if command == "build":
        build(Path(store_path), int(arguments[0]))
    else:
        dump(Path(store_path), Path(arguments[0]), arguments[1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
