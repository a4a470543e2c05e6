"""Dumps: what /dumps/ serves is everything published, byte for byte what the catalogue describes."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import httpx
import pyoxigraph
import pytest
from fastapi.testclient import TestClient
from rdflib import URIRef

from api.app import create_app
from loader.dumps import FORMATS, MANIFEST, dumps_folder, ensure_dumps, read_manifest, write_dumps
from loader.namespaces import Namespaces
from loader.pipeline import run
from loader.settings import Settings
from loader.store import LodStore
from tests.conftest import BASE, DATA, LiveServer, Published
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
