"""Dumps: what /dumps/ serves is everything published, byte for byte what the catalogue describes."""

from __future__ import annotations

import gzip
import hashlib
import json
import random
import re
import shutil
import subprocess
import sys
import warnings
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyoxigraph
import pytest
from fastapi.testclient import TestClient
from rdflib import Dataset, URIRef

from api.app import create_app
from loader.dumps import FORMATS, MANIFEST, dumps_folder, ensure_dumps, read_manifest, write_dumps
from loader.namespaces import Namespaces
from loader.pipeline import run
from loader.settings import Settings
from loader.store import LodStore
from tests.conftest import BASE, DATA, ROOT, LiveServer, Published
from tests.test_catalogue import DCAT, SPDX, dataset, one, read
from tests.test_cli import lodcat

NAMES = [dump_format.name for dump_format in FORMATS]


def download(client: TestClient, name: str) -> bytes:
    response = client.get(f"/dumps/{name}")
    assert response.status_code == 200, response.text
    return response.content


def test_n_quads_dump_loads_into_a_fresh_store_with_the_same_quads(
    client: TestClient, published: Published
) -> None:
    fresh = pyoxigraph.Store()
    fresh.load(gzip.decompress(download(client, "lodcat.nq.gz")), format=pyoxigraph.RdfFormat.N_QUADS)
    assert set(fresh) == set(published.store.quads())
    assert sorted(graph.value for graph in fresh.named_graphs()) == published.store.named_graphs()


def test_every_dump_holds_the_published_statements(client: TestClient, published: Published) -> None:
    quads = set(published.store.quads())
    triples = {quad.triple for quad in quads}
    n_triples = gzip.decompress(download(client, "lodcat.nt.gz"))
    assert {
        quad.triple for quad in pyoxigraph.parse(n_triples, format=pyoxigraph.RdfFormat.N_TRIPLES)
    } == triples
    turtle = download(client, "lodcat.ttl")
    assert {quad.triple for quad in pyoxigraph.parse(turtle, format=pyoxigraph.RdfFormat.TURTLE)} == triples
    assert len(read(turtle, "turtle")) == len(triples)
    json_ld = download(client, "lodcat.jsonld")
    assert set(pyoxigraph.parse(json_ld, format=pyoxigraph.RdfFormat.JSON_LD)) == quads


def test_json_ld_dump_is_json_ld_with_one_named_graph_per_source(
    client: TestClient, published: Published
) -> None:
    document = json.loads(download(client, "lodcat.jsonld"))
    assert {node["@id"] for node in document} == set(published.store.named_graphs())
    assert all(set(node) == {"@id", "@graph"} for node in document)
    with warnings.catch_warnings():  # rdflib's JSON-LD parser, an independent reader of the same file
        for deprecated in (  # rdflib 7 warns about its own Dataset.parse
            "ConjunctiveGraph is deprecated, use Dataset instead.",
            "Dataset.default_context is deprecated, use Dataset.default_graph instead.",
            "Dataset.identifier is deprecated and will be removed in future versions.",
        ):
            warnings.filterwarnings("ignore", re.escape(deprecated), DeprecationWarning)
        parsed = Dataset().parse(data=download(client, "lodcat.jsonld"), format="json-ld")
        by_graph = {str(graph.identifier): len(graph) for graph in parsed.graphs() if len(graph)}
    expected: defaultdict[str, int] = defaultdict(int)
    for quad in published.store.quads():
        expected[str(quad.graph_name).strip("<>")] += 1
    assert by_graph == dict(expected)


def test_manifest_counts_the_quads_and_the_distinct_triples(client: TestClient, published: Published) -> None:
    quads = list(published.store.quads())
    listing = {dump["name"]: dump["statements"] for dump in client.get("/dumps/").json()["dumps"]}
    distinct = len({quad.triple for quad in quads})
    assert listing == {
        "lodcat.nq.gz": len(quads),
        "lodcat.nt.gz": distinct,
        "lodcat.ttl": distinct,
        "lodcat.jsonld": len(quads),
    }


def test_a_triple_in_two_graphs_is_one_n_triples_line_and_two_n_quads_lines(
    store: LodStore, settings: Settings, tmp_path: Path
) -> None:
    ns = Namespaces(settings.base_iri)
    shared = pyoxigraph.Triple(
        ns.project("P-1"), ns.term("title"), pyoxigraph.Literal("Sdílený", language="cs")
    )
    own = pyoxigraph.Triple(ns.project("P-1"), ns.term("status"), pyoxigraph.Literal('a\tb " .\n c'))
    store.add_triples(ns.graph("one"), [shared, own])
    store.add_triples(ns.graph("two"), [shared])
    manifest = write_dumps(store, tmp_path, ns)
    n_quads = gzip.decompress((tmp_path / "lodcat.nq.gz").read_bytes()).decode("utf-8").splitlines()
    n_triples = gzip.decompress((tmp_path / "lodcat.nt.gz").read_bytes()).decode("utf-8").splitlines()
    assert n_triples == sorted(f"{triple} ." for triple in (shared, own))
    assert n_quads == sorted(
        f"{triple} <{graph.value}> ."
        for triple, graph in ((shared, ns.graph("one")), (own, ns.graph("one")), (shared, ns.graph("two")))
    )
    assert [dump.statements for dump in manifest.dumps] == [3, 2, 2, 3]
    turtle = (tmp_path / "lodcat.ttl").read_bytes()
    assert set(pyoxigraph.parse(turtle, format=pyoxigraph.RdfFormat.TURTLE)) == {
        pyoxigraph.Quad(t.subject, t.predicate, t.object) for t in (shared, own)
    }
    json_ld = (tmp_path / "lodcat.jsonld").read_bytes()
    assert len(set(pyoxigraph.parse(json_ld, format=pyoxigraph.RdfFormat.JSON_LD))) == 3


def test_manifest_records_sha256_and_sha1_of_the_bytes_served(client: TestClient) -> None:
    for dump in client.get("/dumps/").json()["dumps"]:
        body = download(client, dump["name"])
        assert (dump["sha256"], dump["sha1"]) == (
            hashlib.sha256(body).hexdigest(),
            hashlib.sha1(body).hexdigest(),
        )


def test_gzip_dumps_name_no_file_and_no_time(client: TestClient) -> None:
    for name in ("lodcat.nq.gz", "lodcat.nt.gz"):
        header = download(client, name)[:10]
        # RFC 1952, section 2.3: ID1 ID2 CM FLG MTIME(4) XFL OS; FLG bit 3 is FNAME, MTIME 0 is "none".
        assert header[:3] == b"\x1f\x8b\x08"
        assert header[3] & 0x08 == 0
        assert header[4:8] == b"\x00\x00\x00\x00"


def refill(quads: list[pyoxigraph.Quad], store: LodStore, order: random.Random) -> None:
    """Put `quads` into `store` graph by graph, graphs and triples in the order `order` shuffles."""
    graphs: defaultdict[pyoxigraph.NamedNode, list[pyoxigraph.Triple]] = defaultdict(list)
    for quad in quads:
        assert isinstance(quad.graph_name, pyoxigraph.NamedNode)
        graphs[quad.graph_name].append(quad.triple)
    names = list(graphs)
    order.shuffle(names)
    for name in names:
        order.shuffle(graphs[name])
        store.add_triples(name, graphs[name])


def test_stores_filled_in_different_orders_give_the_same_bytes(published: Published, tmp_path: Path) -> None:
    quads = list(published.store.quads())
    on_disk, in_memory = LodStore(tmp_path / "store"), LodStore(None)
    refill(quads, on_disk, random.Random(1))
    refill(list(reversed(quads)), in_memory, random.Random(2))
    first = write_dumps(on_disk, tmp_path / "first", published.ns)
    second = write_dumps(in_memory, tmp_path / "second", published.ns)
    for name in NAMES:
        assert (tmp_path / "first" / name).read_bytes() == (tmp_path / "second" / name).read_bytes(), name
    assert first.dumps == second.dumps
    assert first.dumps == write_dumps(published.store, tmp_path / "third", published.ns).dumps


def test_a_failing_sort_raises_and_leaves_the_dumps_as_they_were(
    published: Published, tmp_path: Path
) -> None:
    before = write_dumps(published.store, tmp_path, published.ns)
    files = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    with pytest.raises(OSError, match=r"^sort \(triples\) exited with status 2: sort: invalid -S argument"):
        write_dumps(published.store, tmp_path, published.ns, sort_memory="lots")
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir()} == files
    assert read_manifest(tmp_path) == before


@dataclass(frozen=True)
class Peaks:
    """Peak RSS (KiB) of a `write_dumps` process beyond what reading the store costs, and of its sorts."""

    writer: int
    sorts: int
    n_quads_bytes: int


SORT_SHIM = """#!{python} -S
import os, subprocess, sys
process = subprocess.Popen([{sort!r}, *sys.argv[1:]])
_, status, usage = os.wait4(process.pid, 0)
process.returncode = os.waitstatus_to_exitcode(status)
with open({log!r}, "a") as log:
    log.write(f"{{usage.ru_maxrss}}\\n")
sys.exit(process.returncode)
"""


def dump_peaks(store: Path, folder: Path, sort_memory: str) -> Peaks:
    """Run write_dumps in a fresh process (tests/dump_memory.py) with `sort` on PATH being a shim that
    runs the real sort and records its peak RSS (a process spawned from the big Python process would
    inherit its peak in the kernel's accounting; one spawned from the small shim starts from ~10 MiB)."""
    shim = folder.with_name(folder.name + "-shim")
    shim.mkdir()
    log = shim / "peaks"
    sort = shutil.which("sort")
    assert sort is not None
    (shim / "sort").write_text(
        SORT_SHIM.format(python=sys.executable, sort=sort, log=str(log)), encoding="utf-8"
    )
    (shim / "sort").chmod(0o755)
    environ = {"PATH": f"{shim}:{Path(sort).parent}", "LC_ALL": "C"}
    command = [sys.executable, "-m", "tests.dump_memory", "dump", str(store), str(folder), sort_memory]
    done = subprocess.run(command, cwd=ROOT, env=environ, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    sorts = [int(line) for line in log.read_text(encoding="utf-8").split()]
    assert len(sorts) == 3
    with gzip.open(folder / "lodcat.nq.gz") as n_quads:
        size = len(n_quads.read())
    return Peaks(report["after_kib"] - report["before_kib"], max(sorts), size // 1024)


@pytest.fixture(scope="module")
def synthetic_stores(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    """Stores of 300 and 3,000 synthetic projects (tests/dump_memory.py), each built in its own process."""
    stores = {}
    for projects in (300, 3000):
        store = tmp_path_factory.mktemp(f"projects-{projects}") / "store"
        command = [sys.executable, "-m", "tests.dump_memory", "build", str(store), str(projects)]
        subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
        stores[projects] = store
    return stores


def test_dump_memory_does_not_grow_with_the_store(synthetic_stores: dict[int, Path], tmp_path: Path) -> None:
    small = dump_peaks(synthetic_stores[300], tmp_path / "small", "2M")
    large = dump_peaks(synthetic_stores[3000], tmp_path / "large", "2M")
    growth = large.n_quads_bytes - small.n_quads_bytes
    assert growth > 20_000  # KiB: ten times the projects, over 20 MiB more N-Quads
    # The in-memory writer this replaced grew by 7.4 times the data here (21 MiB -> 197 MiB).
    assert large.writer - small.writer < growth / 10, (small, large)
    assert large.sorts - small.sorts < growth / 10, (small, large)
    # The measure sees a sort that keeps everything in memory: with -S 1G it holds the whole input.
    unbounded = dump_peaks(synthetic_stores[3000], tmp_path / "unbounded", "1G")
    assert unbounded.sorts - large.sorts > growth / 2, (large, unbounded)


def test_line_dumps_are_sorted_and_writing_again_gives_the_same_bytes(
    published: Published, tmp_path: Path
) -> None:
    first = write_dumps(published.store, tmp_path / "first", published.ns)
    second = write_dumps(published.store, tmp_path / "second", published.ns)
    assert [dump.sha256 for dump in first.dumps] == [dump.sha256 for dump in second.dumps]
    for name in ("lodcat.nq.gz", "lodcat.nt.gz"):
        lines = gzip.decompress((tmp_path / "first" / name).read_bytes()).splitlines()
        assert lines == sorted(set(lines))


def test_range_request_answers_206_with_those_bytes(client: TestClient) -> None:
    whole = download(client, "lodcat.ttl")
    response = client.get("/dumps/lodcat.ttl", headers={"Range": "bytes=100-199"})
    assert response.status_code == 206
    assert response.content == whole[100:200]
    assert response.headers["content-range"] == f"bytes 100-199/{len(whole)}"
    assert response.headers["content-length"] == "100"
    tail = client.get("/dumps/lodcat.ttl", headers={"Range": "bytes=-10"})
    assert (tail.status_code, tail.content) == (206, whole[-10:])


def test_dump_headers_length_etag_last_modified_and_not_modified(client: TestClient) -> None:
    response = client.get("/dumps/lodcat.nq.gz")
    body = response.content
    assert response.headers["content-type"] == "application/gzip"
    assert "content-encoding" not in response.headers
    assert response.headers["content-length"] == str(len(body))
    assert response.headers["etag"] == f'"{hashlib.sha256(body).hexdigest()}"'
    assert response.headers["accept-ranges"] == "bytes"
    assert response.headers["last-modified"].endswith(" GMT")
    head = client.head("/dumps/lodcat.nq.gz")
    assert (head.status_code, head.headers["content-length"], head.content) == (200, str(len(body)), b"")
    again = client.get("/dumps/lodcat.nq.gz", headers={"If-None-Match": response.headers["etag"]})
    assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", response.headers["etag"])


def test_unknown_dump_is_404_naming_the_dumps(client: TestClient) -> None:
    response = client.get("/dumps/everything.zip")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == (
        "No dump is named 'everything.zip'; available: lodcat.nq.gz, lodcat.nt.gz, lodcat.ttl, lodcat.jsonld"
    )


def test_catalogue_size_and_checksum_are_those_of_the_served_bytes(client: TestClient) -> None:
    catalogue = read(client.get("/catalog.ttl").text, "turtle")
    served = {}
    for distribution in catalogue.objects(dataset(catalogue), DCAT.distribution):
        url = str(one(catalogue, distribution, DCAT.downloadURL))
        body = download(client, url.removeprefix(BASE + "dumps/"))
        checksum = one(catalogue, distribution, SPDX.checksum)
        assert str(one(catalogue, checksum, SPDX.checksumValue)) == hashlib.sha256(body).hexdigest()
        assert int(one(catalogue, distribution, DCAT.byteSize)) == len(body)  # type: ignore[call-overload]
        served[url] = body
    assert sorted(served) == sorted(BASE + "dumps/" + name for name in NAMES)


def test_listing_names_every_dump_with_its_checksum(client: TestClient, published: Published) -> None:
    listing = client.get("/dumps/").json()
    assert listing["data_version"] == published.store.data_version(published.ns.term("contentHash"))
    for dump in listing["dumps"]:
        body = download(client, dump["name"])
        assert (dump["bytes"], dump["sha256"]) == (len(body), hashlib.sha256(body).hexdigest())
        assert dump["url"] == BASE + "dumps/" + dump["name"]
    assert [dump["name"] for dump in listing["dumps"]] == NAMES


def test_dumps_are_written_again_when_the_data_changes_and_only_then(
    store: LodStore, settings: Settings
) -> None:
    sources = sorted(DATA.iterdir())
    assert run(sources[:2], settings, store).ok
    ns, folder = Namespaces(settings.base_iri), dumps_folder(settings)
    assert folder == settings.store_path.parent / "dumps"
    before = ensure_dumps(store, folder, ns)
    assert ensure_dumps(store, folder, ns) == before  # unchanged data: the same files and manifest
    assert run(sources[2:3], settings, store).ok
    after = ensure_dumps(store, folder, ns)
    assert after.data_version != before.data_version
    assert after.data_version == store.data_version(ns.term("contentHash"))
    assert read_manifest(folder) == after
    n_quads = gzip.decompress((folder / "lodcat.nq.gz").read_bytes())
    assert len(n_quads.splitlines()) == len(store) == after.dump("lodcat.nq.gz").statements  # type: ignore[union-attr]


def test_catalogue_describes_the_new_dumps_after_a_load(store: LodStore, settings: Settings) -> None:
    sources = sorted(DATA.iterdir())
    assert run(sources[:1], settings, store).ok
    client = TestClient(create_app(settings, store), base_url=BASE.rstrip("/"))
    old = client.get("/dumps/").json()["dumps"][0]["sha256"]
    assert run(sources[1:2], settings, store).ok
    catalogue = read(client.get("/catalog.ttl").text, "turtle")
    (distribution,) = catalogue.subjects(DCAT.downloadURL, URIRef(BASE + "dumps/lodcat.nq.gz"))
    checksum = str(one(catalogue, one(catalogue, distribution, SPDX.checksum), SPDX.checksumValue))
    assert checksum != old
    assert checksum == hashlib.sha256(download(client, "lodcat.nq.gz")).hexdigest()


def test_a_damaged_manifest_means_writing_the_dumps_again(published: Published, tmp_path: Path) -> None:
    write_dumps(published.store, tmp_path, published.ns)
    (tmp_path / MANIFEST).write_text("{", encoding="utf-8")
    assert read_manifest(tmp_path) is None
    manifest = ensure_dumps(published.store, tmp_path, published.ns)
    assert (
        json.loads((tmp_path / MANIFEST).read_text(encoding="utf-8"))["data_version"] == manifest.data_version
    )


@pytest.fixture(scope="module")
def cli_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("cli") / "store"
    loaded = lodcat("load", str(DATA), store=store)
    assert loaded.returncode == 0, loaded.stderr
    return store


def test_lodcat_dump_writes_the_same_bytes_in_every_process(cli_store: Path, tmp_path: Path) -> None:
    outputs = []
    for folder in (tmp_path / "one", tmp_path / "two"):
        result = lodcat("dump", "--folder", str(folder), store=cli_store)
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines()[-1].endswith(f"4 files in {folder}")
        outputs.append({name: (folder / name).read_bytes() for name in NAMES})
    assert outputs[0] == outputs[1]


def test_lodcat_dump_writes_beside_the_store_by_default(cli_store: Path) -> None:
    result = lodcat("dump", store=cli_store)
    assert result.returncode == 0, result.stderr
    manifest = read_manifest(cli_store.parent / "dumps")
    assert manifest is not None
    assert [dump.name for dump in manifest.dumps] == NAMES


def test_lodcat_dump_into_a_file_is_a_usage_error(cli_store: Path, tmp_path: Path) -> None:
    occupied = tmp_path / "occupied"
    occupied.write_text("", encoding="utf-8")
    result = lodcat("dump", "--folder", str(occupied), store=cli_store)
    assert result.returncode == 2
    assert result.stderr.startswith(f"lodcat: {occupied}: cannot write the dumps: ")


def test_real_server_serves_the_dumps_the_catalogue_describes(live_server: LiveServer) -> None:
    catalogue = read(httpx.get(live_server.url + "catalog", headers={"Accept": "text/turtle"}).text, "turtle")
    (distribution,) = catalogue.subjects(DCAT.downloadURL, URIRef(live_server.url + "dumps/lodcat.nt.gz"))
    checksum = str(one(catalogue, one(catalogue, distribution, SPDX.checksum), SPDX.checksumValue))
    whole = httpx.get(live_server.url + "dumps/lodcat.nt.gz")
    assert hashlib.sha256(whole.content).hexdigest() == checksum
    part = httpx.get(live_server.url + "dumps/lodcat.nt.gz", headers={"Range": "bytes=0-9"})
    assert (part.status_code, part.content) == (206, whole.content[:10])
