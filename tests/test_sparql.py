"""/sparql per the SPARQL 1.1 Protocol, against the real published store and a real server."""

from __future__ import annotations

import csv
import io
import json
import time
import warnings
from collections.abc import Callable
from xml.etree import ElementTree

import httpx
import pyoxigraph
import pytest
from fastapi.testclient import TestClient
from pyoxigraph import Literal, NamedNode, RdfFormat, Store, Triple
from rdflib import Graph
from rdflib import Literal as RdflibLiteral
from rdflib import URIRef as RdflibIRI

from api.sparql import (
    BOTH,
    MISSING_QUERY,
    NO_SERVICE,
    READ_ONLY,
    declares_dataset,
    is_update,
    skeleton,
)
from tests.conftest import LiveServer, Published

RESULTS = "{http://www.w3.org/2005/sparql-results#}"
DCTERMS_TITLE = "http://purl.org/dc/terms/title"
CODE = "CZ.04.4.83-3.2.03.1-0448"
RDFLIB_FORMATS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}
OXIGRAPH_FORMATS = {
    "text/turtle": RdfFormat.TURTLE,
    "application/n-triples": RdfFormat.N_TRIPLES,
    "application/ld+json": RdfFormat.JSON_LD,
    "application/rdf+xml": RdfFormat.RDF_XML,
}


def parse_both(body: bytes, media_type: str) -> tuple[Graph, set[Triple]]:
    """Parse an RDF response with rdflib and with pyoxigraph; both must find the same number of triples."""
    with warnings.catch_warnings():
        # rdflib 7's own JSON-LD parser builds a ConjunctiveGraph, which rdflib itself deprecates.
        warnings.filterwarnings(
            "ignore", "ConjunctiveGraph is deprecated, use Dataset instead.", DeprecationWarning
        )
        graph = Graph().parse(data=body, format=RDFLIB_FORMATS[media_type])
    triples = {quad.triple for quad in pyoxigraph.parse(body, format=OXIGRAPH_FORMATS[media_type])}
    assert len(graph) == len(triples) > 0
    return graph, triples


def has_triple(graph: Graph, triples: set[Triple], subject: str, predicate: str, value: Literal) -> None:
    """Assert (subject, predicate, value) is in what both parsers read."""
    assert Triple(NamedNode(subject), NamedNode(predicate), value) in triples
    objects = graph.objects(RdflibIRI(subject), RdflibIRI(predicate))
    rdflib_values = {(str(o), o.language) for o in objects if isinstance(o, RdflibLiteral)}
    assert (value.value, value.language) in rdflib_values


def project_query(published: Published) -> str:
    return (
        f"PREFIX lodcat: <{published.ns.vocab}>\nPREFIX dcterms: <http://purl.org/dc/terms/>\n"
        "SELECT ?project ?title WHERE { ?project a lodcat:Project ; dcterms:title ?title } ORDER BY ?project"
    )


def parser_message(query: str) -> str:
    """What pyoxigraph's own parser says about `query`."""
    with pytest.raises(SyntaxError) as raised:
        Store().query(query)
    return str(raised.value)


# -- result formats ------------------------------------------------------------------------------------


def test_select_as_sparql_json_by_default(client: TestClient, published: Published) -> None:
    response = client.get("/sparql", params={"query": project_query(published)})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/sparql-results+json"
    results = json.loads(response.content)
    assert results["head"]["vars"] == ["project", "title"]
    projects = {binding["project"]["value"] for binding in results["results"]["bindings"]}
    assert len(projects) == 5
    assert str(published.ns.project(CODE).value) in projects


def test_select_as_sparql_xml(client: TestClient, published: Published) -> None:
    response = client.get(
        "/sparql",
        params={"query": project_query(published)},
        headers={"Accept": "application/sparql-results+xml"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/sparql-results+xml"
    root = ElementTree.fromstring(response.content)
    variables = [v.attrib["name"] for v in root.iter(f"{RESULTS}variable")]
    assert variables == ["project", "title"]
    uris = {uri.text for uri in root.iter(f"{RESULTS}uri")}
    assert published.ns.project(CODE).value in uris
    assert len(list(root.iter(f"{RESULTS}result"))) == 5


@pytest.mark.parametrize(("accept", "delimiter"), [("text/csv", ","), ("text/tab-separated-values", "\t")])
def test_select_as_csv_and_tsv(client: TestClient, published: Published, accept: str, delimiter: str) -> None:
    response = client.get("/sparql", params={"query": project_query(published)}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"] == f"{accept}; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.text), delimiter=delimiter))
    if delimiter == ",":
        assert rows[0] == ["project", "title"]
        assert published.ns.project(CODE).value in {row[0] for row in rows[1:]}
    else:  # TSV writes terms in SPARQL syntax and variables with their '?'
        assert rows[0] == ["?project", "?title"]
        assert f"<{published.ns.project(CODE).value}>" in {row[0] for row in rows[1:]}
    assert len([row for row in rows[1:] if row]) == 5


def json_boolean(body: bytes) -> bool:
    value = json.loads(body)["boolean"]
    assert isinstance(value, bool)
    return value


def xml_boolean(body: bytes) -> bool:
    element = ElementTree.fromstring(body).find(f"{RESULTS}boolean")
    assert element is not None
    return element.text == "true"


def csv_boolean(body: bytes) -> bool:
    return next(csv.reader(io.StringIO(body.decode()))) == ["true"]


def tsv_boolean(body: bytes) -> bool:
    return body.decode().strip() == "true"


@pytest.mark.parametrize(
    ("accept", "read"),
    [
        ("application/sparql-results+json", json_boolean),
        ("application/sparql-results+xml", xml_boolean),
        ("text/csv", csv_boolean),
        ("text/tab-separated-values", tsv_boolean),
    ],
)
def test_ask_in_every_results_format(
    client: TestClient, published: Published, accept: str, read: Callable[[bytes], bool]
) -> None:
    query = f"ASK {{ <{published.ns.project(CODE).value}> a <{published.ns.vocab}Project> }}"
    response = client.get("/sparql", params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(accept)
    assert read(response.content) is True


def test_ask_false(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "ASK { <urn:x:nothing> ?p ?o }"})
    assert json.loads(response.content) == {"head": {}, "boolean": False}


@pytest.mark.parametrize("accept", list(RDFLIB_FORMATS))
def test_construct_in_every_rdf_format(client: TestClient, published: Published, accept: str) -> None:
    project = f"<{published.ns.vocab}Project>"
    query = f"CONSTRUCT {{ ?p <{DCTERMS_TITLE}> ?t }} WHERE {{ ?p a {project} ; <{DCTERMS_TITLE}> ?t }}"
    response = client.get("/sparql", params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].partition(";")[0] == accept
    graph, triples = parse_both(response.content, accept)
    assert len(triples) == 5
    title = title_of(client, published.ns.project(CODE).value)
    has_triple(graph, triples, published.ns.project(CODE).value, DCTERMS_TITLE, title)


@pytest.mark.parametrize("accept", list(RDFLIB_FORMATS))
def test_describe_in_every_rdf_format(client: TestClient, published: Published, accept: str) -> None:
    iri = published.ns.project(CODE).value
    response = client.get("/sparql", params={"query": f"DESCRIBE <{iri}>"}, headers={"Accept": accept})
    assert response.status_code == 200
    graph, triples = parse_both(response.content, accept)
    has_triple(graph, triples, iri, DCTERMS_TITLE, title_of(client, iri))


def test_construct_is_turtle_by_default(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s a ?c } LIMIT 3"})
    assert response.headers["content-type"] == "text/turtle; charset=utf-8"
    parse_both(response.content, "text/turtle")


def title_of(client: TestClient, iri: str) -> Literal:
    """The dcterms:title of `iri`, as the endpoint reports it in SPARQL JSON."""
    response = client.get("/sparql", params={"query": f"SELECT ?t WHERE {{ <{iri}> <{DCTERMS_TITLE}> ?t }}"})
    [binding] = json.loads(response.content)["results"]["bindings"]
    return Literal(binding["t"]["value"], language=binding["t"].get("xml:lang"))


# -- the three ways to send a query --------------------------------------------------------------------


def test_get_post_form_and_post_direct_agree(client: TestClient, published: Published) -> None:
    query = project_query(published)
    by_get = client.get("/sparql", params={"query": query})
    by_form = client.post("/sparql", data={"query": query})
    by_body = client.post(
        "/sparql", content=query.encode(), headers={"Content-Type": "application/sparql-query"}
    )
    assert by_get.status_code == by_form.status_code == by_body.status_code == 200
    assert json.loads(by_get.content) == json.loads(by_form.content) == json.loads(by_body.content)


def test_post_direct_with_charset_and_accept(client: TestClient, published: Published) -> None:
    response = client.post(
        "/sparql",
        content=project_query(published).encode(),
        headers={"Content-Type": "application/sparql-query; charset=utf-8", "Accept": "text/csv"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"


def test_relative_iris_resolve_against_the_base(client: TestClient, published: Published) -> None:
    response = client.get("/sparql", params={"query": f"ASK {{ <id/project/{CODE}> a <ontology#Project> }}"})
    assert json.loads(response.content)["boolean"] is True


def test_unsupported_post_body_is_415(client: TestClient) -> None:
    response = client.post("/sparql", content=b"ASK {}", headers={"Content-Type": "text/plain"})
    assert response.status_code == 415
    assert response.json()["detail"] == (
        "POST /sparql takes application/x-www-form-urlencoded or application/sparql-query, not text/plain"
    )


# -- the dataset ---------------------------------------------------------------------------------------


def count(client: TestClient, query: str, dataset: list[tuple[str, str]] | None = None) -> int:
    response = client.get("/sparql", params=[("query", query), *(dataset or [])])
    assert response.status_code == 200, response.text
    [binding] = json.loads(response.content)["results"]["bindings"]
    return int(binding["n"]["value"])


def test_default_graph_is_the_union_of_all_sources(client: TestClient, published: Published) -> None:
    project = f"<{published.ns.vocab}Project>"
    assert count(client, f"SELECT (COUNT(?p) AS ?n) WHERE {{ ?p a {project} }}") == 5
    assert count(client, f"SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE {{ GRAPH ?g {{ ?p a {project} }} }}") == 5


def test_a_variable_called_from_keeps_the_union(client: TestClient, published: Published) -> None:
    assert (
        count(client, f"SELECT (COUNT(?from) AS ?n) WHERE {{ ?from a <{published.ns.vocab}Project> }}") == 5
    )


def test_from_names_the_dataset(client: TestClient, published: Published) -> None:
    graph = published.ns.source_graph("seed-000").value
    query = f"SELECT (COUNT(?p) AS ?n) FROM <{graph}> WHERE {{ ?p a <{published.ns.vocab}Project> }}"
    assert count(client, query) == 1


def test_dataset_parameters_name_the_dataset(client: TestClient, published: Published) -> None:
    one, two = (published.ns.source_graph(f"seed-00{index}").value for index in (0, 1))
    project = f"<{published.ns.vocab}Project>"
    query = f"SELECT (COUNT(?p) AS ?n) FROM <{two}> WHERE {{ ?p a {project} }}"
    assert count(client, query, [("default-graph-uri", one)]) == 1  # the protocol's dataset beats FROM
    assert count(client, query, [("default-graph-uri", one), ("default-graph-uri", two)]) == 2
    graphs = f"SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE {{ GRAPH ?g {{ ?p a {project} }} }}"
    assert count(client, graphs, [("named-graph-uri", two)]) == 1
    everything = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?p a {project} }}"
    assert count(client, everything, [("named-graph-uri", two)]) == 0  # and the default graph is empty


def test_service_is_refused(client: TestClient) -> None:
    response = client.get(
        "/sparql", params={"query": "SELECT * { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"}
    )
    assert response.status_code == 400
    assert response.json()["detail"] == NO_SERVICE


# -- errors --------------------------------------------------------------------------------------------


def test_syntax_error_is_400_with_the_parsers_message(client: TestClient) -> None:
    query = "SELECT * WHERE { ?s ?p }"
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "title": "SPARQL syntax error",
        "status": 400,
        "detail": parser_message(query),
    }


def test_missing_query_is_400(client: TestClient) -> None:
    # Without any query string, GET /sparql is the service description (tests/test_w3c_protocol.py).
    response = client.get("/sparql", params={"qurey": "ASK {}"})
    assert response.status_code == 400
    assert response.json()["detail"] == MISSING_QUERY
    assert client.post("/sparql", data={"other": "x"}).json()["detail"] == MISSING_QUERY


def test_query_and_update_together_are_400(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "ASK {}", "update": "CLEAR ALL"})
    assert response.status_code == 400
    assert response.json() == {"type": "about:blank", "title": "Bad request", "status": 400, "detail": BOTH}
    assert client.post("/sparql", data={"query": "ASK {}", "update": "CLEAR ALL"}).json()["detail"] == BOTH


def test_two_queries_are_400(client: TestClient) -> None:
    response = client.get("/sparql", params=[("query", "ASK {}"), ("query", "ASK {}")])
    assert response.status_code == 400
    assert response.json()["detail"] == (
        "The request has 2 query parameters; send exactly one "
        "(https://www.w3.org/TR/sparql11-protocol/#query-operation)"
    )


def test_not_acceptable_lists_formats_for_the_query_form(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "Accept" in response.headers["vary"].split(", ")
    assert response.json()["detail"] == (
        "Nothing here matches Accept: image/png; available: application/sparql-results+json, "
        "application/sparql-results+xml, text/csv, text/tab-separated-values"
    )
    response = client.get(
        "/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, headers={"Accept": "text/csv"}
    )
    assert response.status_code == 406
    assert response.json()["detail"] == (
        "Nothing here matches Accept: text/csv; available: text/turtle, application/n-triples, "
        "application/ld+json, application/rdf+xml"
    )


def test_responses_vary_on_accept(client: TestClient) -> None:
    assert "Accept" in client.get("/sparql", params={"query": "ASK {}"}).headers["vary"].split(", ")


# -- updates are refused and change nothing ------------------------------------------------------------

INSERT = "PREFIX ex: <http://example.org/>\nINSERT DATA { GRAPH ex:g { ex:s ex:p ex:o } }"
CLEAR = "# wipe\nCLEAR ALL"


def test_updates_are_refused_and_the_store_is_unchanged(client: TestClient, published: Published) -> None:
    before = set(published.store.quads())
    responses = [
        client.get("/sparql", params={"update": INSERT}),
        client.get("/sparql", params={"query": INSERT}),
        client.get("/sparql", params={"query": CLEAR}),
        client.post("/sparql", data={"update": CLEAR}),
        client.post("/sparql", data={"query": INSERT}),
        client.post(
            "/sparql", content=INSERT.encode(), headers={"Content-Type": "application/sparql-update"}
        ),
        client.post("/sparql", content=CLEAR.encode(), headers={"Content-Type": "application/sparql-query"}),
    ]
    for response in responses:
        assert response.status_code == 400
        assert response.json() == {
            "type": "about:blank",
            "title": "SPARQL update refused",
            "status": 400,
            "detail": READ_ONLY,
        }
    assert set(published.store.quads()) == before
    assert count(client, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { <http://example.org/s> ?p ?o } }") == 0


@pytest.mark.parametrize(
    ("text", "update"),
    [
        ("INSERT DATA { <a> <b> <c> }", True),
        ("PREFIX : <http://x/#INSERT>\nBASE <http://b/> DELETE WHERE { ?s ?p ?o }", True),
        ("prefix dc: <http://x/> with <g> delete { ?s ?p ?o } where {}", True),
        ("  LOAD <http://example.org/data.ttl>", True),
        ("SELECT ?insert WHERE { ?insert ?p 'DROP' } # CLEAR", False),
        ("ASK { ?s <http://x/#DROP> ?o }", False),
    ],
)
def test_is_update(text: str, update: bool) -> None:
    assert is_update(text) is update


@pytest.mark.parametrize(
    ("text", "declares"),
    [
        ("SELECT * FROM <http://x/g> WHERE {}", True),
        ("select * from named <http://x/g> where {}", True),
        ("SELECT ?from WHERE { ?from ex:from 'FROM' } # FROM", False),
        ("SELECT * WHERE { <http://x/from#FROM> ?p ?o }", False),
    ],
)
def test_declares_dataset(text: str, declares: bool) -> None:
    assert declares_dataset(text) is declares


@pytest.mark.parametrize("piece", ["a", "a.", "'\\", '"\\', "'''a", '"""\\', "<a", "ex:a ", "?"])
def test_keyword_scan_stays_linear_on_long_queries(piece: str) -> None:
    started = time.monotonic()
    skeleton(piece * 100_000)
    assert time.monotonic() - started < 2.0  # a quadratic scan of these takes minutes


# -- documentation -------------------------------------------------------------------------------------


def test_openapi_describes_the_sparql_operations(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    get = paths["/sparql"]["get"]
    parameters = {parameter["name"]: parameter for parameter in get["parameters"]}
    assert set(parameters) == {"query", "update", "default-graph-uri", "named-graph-uri"}
    assert all(parameter.get("description") for parameter in parameters.values())
    assert set(parameters["query"]["examples"]) == {"select", "ask", "construct"}
    assert "application/sparql-results+json" in get["responses"]["200"]["content"]
    body = paths["/sparql"]["post"]["requestBody"]["content"]
    assert set(body) == {"application/x-www-form-urlencoded", "application/sparql-query"}


# -- a real server -------------------------------------------------------------------------------------


def test_live_server_answers_get_and_post(live_server: LiveServer) -> None:
    endpoint = live_server.url + "sparql"
    vocab = live_server.url + "ontology#"
    query = f"SELECT (COUNT(?p) AS ?n) WHERE {{ ?p a <{vocab}Project> }}"
    by_get = httpx.get(endpoint, params={"query": query}, headers={"Accept": "text/csv"})
    assert by_get.status_code == 200
    assert list(csv.reader(io.StringIO(by_get.text))) == [["n"], ["5"]]
    by_body = httpx.post(
        endpoint,
        content=f"CONSTRUCT WHERE {{ ?p a <{vocab}Project> }}",
        headers={"Content-Type": "application/sparql-query", "Accept": "application/rdf+xml"},
    )
    assert by_body.status_code == 200
    _, triples = parse_both(by_body.content, "application/rdf+xml")
    assert len(triples) == 5
    refused = httpx.post(endpoint, data={"update": "CLEAR ALL"})
    assert refused.status_code == 400
    assert refused.json()["detail"] == READ_ONLY
    assert httpx.get(endpoint, params={"query": query}).json()["results"]["bindings"][0]["n"]["value"] == "5"
