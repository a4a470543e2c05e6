"""Writes through SPARQL Update and the Graph Store Protocol: bearer token, logging, data version."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from loader.pipeline import run
from loader.settings import Settings
from loader.store import LodStore
from tests.conftest import BASE, DATA

TOKEN = "s3cret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
JSON = {"Accept": "application/sparql-results+json"}
GRAPH = "http://example.org/graph/extra"


@pytest.fixture
def writable(settings: Settings, store: LodStore) -> Iterator[TestClient]:
    assert run([DATA], settings, store).ok
    with TestClient(
        create_app(replace(settings, admin_token=TOKEN), store), base_url=BASE.rstrip("/")
    ) as client:
        yield client


def ask(client: TestClient, query: str) -> bool:
    response = client.get("/sparql", params={"query": query}, headers=JSON)
    assert response.status_code == 200, response.text
    answer: bool = response.json()["boolean"]
    return answer


def test_writes_are_off_without_a_configured_token(settings: Settings, store: LodStore) -> None:
    with TestClient(create_app(settings, store)) as client:
        response = client.post(
            "/admin/update",
            content="CLEAR ALL",
            headers={**AUTH, "Content-Type": "application/sparql-update"},
        )
    assert response.status_code == 403
    assert response.json()["detail"] == "Writes are off: this server has no LODCAT_ADMIN_TOKEN"
    assert store.named_graphs() == []


def test_no_token_is_401_and_wrong_token_is_403(writable: TestClient) -> None:
    headers = {"Content-Type": "application/sparql-update"}
    missing = writable.post("/admin/update", content="CLEAR ALL", headers=headers)
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == 'Bearer realm="lodcat"'
    wrong = writable.post(
        "/admin/update", content="CLEAR ALL", headers={**headers, "Authorization": "Bearer nope"}
    )
    assert wrong.status_code == 403
    assert wrong.json()["detail"] == "The bearer token is not valid for writes"
    assert ask(writable, "ASK { ?p a ?type }")


def test_update_is_visible_to_sparql_and_moves_the_etag(
    writable: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    query = {"query": "ASK { <http://example.org/a> <http://example.org/p> 1 }"}
    triple = "<http://example.org/a> <http://example.org/p> 1"
    before = writable.get("/sparql", params=query, headers=JSON)
    assert before.json()["boolean"] is False
    with caplog.at_level(logging.INFO, logger="lodcat.admin"):
        response = writable.post(
            "/admin/update",
            content=f"INSERT DATA {{ GRAPH <{GRAPH}> {{ {triple} }} }}",
            headers={**AUTH, "Content-Type": "application/sparql-update"},
        )
    assert response.status_code == 204
    after = writable.get("/sparql", params=query, headers=JSON)
    assert after.json()["boolean"] is True
    assert after.headers["etag"] != before.headers["etag"]
    assert any(record.getMessage().startswith("write: update SPARQL Update") for record in caplog.records)
    assert ask(
        writable, f"ASK {{ GRAPH <{BASE}graph/admin> {{ ?write a <http://www.w3.org/ns/prov#Activity> }} }}"
    )


def test_update_as_a_form_and_a_syntax_error(writable: TestClient) -> None:
    ok = writable.post(
        "/admin/update",
        data={"update": f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <x:a> <x:b> <x:c> }} }}"},
        headers=AUTH,
    )
    assert ok.status_code == 204
    bad = writable.post(
        "/admin/update",
        content="INSERT NONSENSE",
        headers={**AUTH, "Content-Type": "application/sparql-update"},
    )
    assert bad.status_code == 400
    assert bad.json()["title"] == "SPARQL syntax error"


def test_graph_store_put_get_post_delete(writable: TestClient) -> None:
    turtle = {"Content-Type": "text/turtle", **AUTH}
    params = {"graph": GRAPH}
    created = writable.put(
        "/admin/graphs", params=params, content="<http://e/a> <http://e/p> 'one' .", headers=turtle
    )
    assert created.status_code == 201
    assert ask(writable, f"ASK {{ GRAPH <{GRAPH}> {{ <http://e/a> <http://e/p> 'one' }} }}")
    added = writable.post(
        "/admin/graphs", params=params, content="<http://e/a> <http://e/p> 'two' .", headers=turtle
    )
    assert added.status_code == 204
    read = writable.get("/admin/graphs", params=params, headers={"Accept": "application/n-triples", **AUTH})
    assert sorted(read.text.splitlines()) == [
        '<http://e/a> <http://e/p> "one" .',
        '<http://e/a> <http://e/p> "two" .',
    ]
    replaced = writable.put(
        "/admin/graphs", params=params, content="<http://e/b> <http://e/p> 'three' .", headers=turtle
    )
    assert replaced.status_code == 204
    assert not ask(writable, f"ASK {{ GRAPH <{GRAPH}> {{ <http://e/a> ?p ?o }} }}")
    deleted = writable.delete("/admin/graphs", params=params, headers=AUTH)
    assert deleted.status_code == 204
    assert not ask(writable, f"ASK {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}")
    assert writable.get("/admin/graphs", params=params, headers=AUTH).status_code == 404


def test_graph_store_refuses_a_body_that_does_not_parse(writable: TestClient) -> None:
    response = writable.put(
        "/admin/graphs",
        params={"graph": GRAPH},
        content="<a> <b>",
        headers={"Content-Type": "text/turtle", **AUTH},
    )
    assert response.status_code == 400
    assert response.json()["detail"].startswith("The text/turtle body does not parse: ")


def test_public_endpoint_still_refuses_updates(writable: TestClient) -> None:
    response = writable.post(
        "/sparql", content="CLEAR ALL", headers={**AUTH, "Content-Type": "application/sparql-update"}
    )
    assert response.status_code == 400
    assert ask(writable, "ASK { ?s ?p ?o }")
