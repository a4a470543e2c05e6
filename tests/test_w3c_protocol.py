"""The W3C SPARQL 1.1 Protocol and Service Description tests, against a live `lodcat serve`.

protocol/manifest.ttl describes each test as HTTP exchanges (method, path, headers, body) and what the
responses must be (status class, result format, ASK answer). Each query-operation test replays its
exchanges against a real server whose store holds the test's graphs (data1.nt .. data3.nt, named as
the manifest says). The update-operation tests do not apply to /sparql, which refuses every update on
purpose; for them the test is that the update is refused and nothing changes.

The service-description tests (service-description/manifest.ttl) read the description that a GET on
the endpoint without a query string returns, in each RDF format.
"""

from __future__ import annotations

import gc
import warnings
from collections.abc import Callable, Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from pyoxigraph import NamedNode
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCAT, RDF
from rdflib.term import Node

from api.negotiation import GRAPH, SOLUTIONS
from api.service_description import FORMAT_IRIS, SIMPLE_ENTAILMENT
from loader.store import LodStore
from tests.conftest import LiveServer, Published, serving
from tests.w3c import (
    GRAPH_PARSERS,
    RESULT_PARSERS,
    HttpExchange,
    ProtocolCase,
    Solutions,
    protocol_cases,
    read_manifest,
    read_results,
    read_triples,
)

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
ENTAILMENT = Namespace("http://www.w3.org/ns/entailment/")

CASES = protocol_cases()
QUERY_CASES = [case for case in CASES if case.operation == "query"]
UPDATE_CASES = [case for case in CASES if case.operation == "update"]

# Query-operation tests that fail, and why.
KNOWN_GAPS: dict[str, str] = {}

# What each mf:expectedFormat admits, as the tests' names list them ("expect one of: ...").
EXPECTED_FORMATS = {
    "boolean": {"application/sparql-results+xml", "application/sparql-results+json"},
    "tabular": set(RESULT_PARSERS),
    "RDF": {"application/rdf+xml", "text/turtle", "application/n-triples"},
}


@pytest.fixture(scope="module")
def protocol_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """`lodcat serve` over a store holding every graph the protocol tests name."""
    path = tmp_path_factory.mktemp("w3c-protocol") / "store"
    store = LodStore(path)
    for name, data in sorted({graph for case in CASES for graph in case.graphs}):
        store.replace_graph(NamedNode(name), read_triples(data, name))
    store.flush()
    del store  # RocksDB lets one process open a store: close it before the server opens it
    gc.collect()
    with serving(path, load=False) as server:
        yield server


def send(server: LiveServer, exchange: HttpExchange) -> httpx.Response:
    """The request as the manifest writes it, with its `/sparql/` prefix replaced by our endpoint's path."""
    path = exchange.path.replace("/sparql/", "/sparql", 1)
    return httpx.request(
        exchange.method,
        server.url.rstrip("/") + path,
        headers=list(exchange.headers),
        content=exchange.body,
        timeout=30,
    )


def problem(response: httpx.Response, exchange: HttpExchange, base: str) -> str | None:
    """None if `response` is what the manifest expects, else what is wrong with it."""
    said = f"{response.status_code} {response.headers.get('content-type')}: {response.text[:300]}"
    if response.status_code // 100 not in exchange.statuses:
        return f"expected a {'/'.join(f'{status}xx' for status in exchange.statuses)} status, got {said}"
    if exchange.result_format is None:
        return None
    media_type = response.headers.get("content-type", "").partition(";")[0].strip()
    if media_type not in EXPECTED_FORMATS[exchange.result_format]:
        return f"expected {exchange.result_format} results, got {said}"
    if exchange.result_format == "RDF":
        Graph().parse(data=response.content, format=GRAPH_PARSERS[media_type], publicID=base)
        return None
    result = read_results(response.content, media_type, base)
    if exchange.result_format == "tabular":
        return None if isinstance(result, Solutions) else f"expected solutions, got {said}"
    if not isinstance(result, bool) or (exchange.boolean is not None and result is not exchange.boolean):
        return f"expected the boolean {exchange.boolean}, got {said}"
    return None


def marked(case: ProtocolCase) -> object:
    reason = KNOWN_GAPS.get(case.name)
    return pytest.param(
        case, id=case.name, marks=[pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    )


@pytest.mark.parametrize("case", [marked(case) for case in QUERY_CASES])
def test_w3c_protocol_query_case(case: ProtocolCase, protocol_server: LiveServer) -> None:
    for index, exchange in enumerate(case.exchanges):
        found = problem(send(protocol_server, exchange), exchange, protocol_server.url)
        assert found is None, f"{case.name} ({case.title}), request {index + 1}: {found}"


def graph_count(server: LiveServer) -> int:
    response = httpx.get(
        server.url + "sparql",
        params={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"},
        headers={"Accept": "text/csv"},
    )
    return int(response.text.split()[1])


@pytest.mark.parametrize("case", [pytest.param(case, id=case.name) for case in UPDATE_CASES])
def test_w3c_protocol_update_case_is_refused(case: ProtocolCase, protocol_server: LiveServer) -> None:
    """Not applicable: /sparql is read-only on purpose (writes have their own path behind a bearer
    token, issue 3 item 4). What /sparql must do with each of these updates is refuse it (400, or 415
    for a body it cannot read) and change nothing."""
    before = graph_count(protocol_server)
    response = send(protocol_server, case.exchanges[0])
    assert response.status_code in (400, 415), response.text
    if response.status_code == 400:
        assert response.json()["title"] == "SPARQL update refused"
    assert graph_count(protocol_server) == before == 3


def test_protocol_cases_are_all_run() -> None:
    assert len(QUERY_CASES) + len(UPDATE_CASES) == len(CASES) == 34
    assert set(KNOWN_GAPS) <= {case.name for case in QUERY_CASES}
    assert all(case.dataset_parameters for case in QUERY_CASES if case.name in KNOWN_GAPS)


# -- service description -------------------------------------------------------------------------------

RDF_MEDIA_TYPES = [format_.media_type for format_ in GRAPH]

# The vocabulary's domains and ranges (https://www.w3.org/TR/sparql11-service-description/#vocab).
SCHEMA: dict[Node, tuple[URIRef, URIRef | None]] = {
    SD.endpoint: (SD.Service, None),
    SD.feature: (SD.Service, SD.Feature),
    SD.defaultEntailmentRegime: (SD.Service, SD.EntailmentRegime),
    SD.entailmentRegime: (SD.NamedGraph, SD.EntailmentRegime),
    SD.defaultSupportedEntailmentProfile: (SD.Service, SD.EntailmentProfile),
    SD.supportedEntailmentProfile: (SD.NamedGraph, SD.EntailmentProfile),
    SD.extensionFunction: (SD.Service, SD.Function),
    SD.extensionAggregate: (SD.Service, SD.Aggregate),
    SD.languageExtension: (SD.Service, SD.Feature),
    SD.supportedLanguage: (SD.Service, SD.Language),
    SD.propertyFeature: (SD.Service, SD.Feature),
    SD.defaultDataset: (SD.Service, SD.Dataset),
    SD.availableGraphs: (SD.Service, SD.GraphCollection),
    SD.resultFormat: (SD.Service, FORMATS.Format),
    SD.inputFormat: (SD.Service, FORMATS.Format),
    SD.defaultGraph: (SD.Dataset, SD.Graph),
    SD.namedGraph: (SD.GraphCollection, SD.NamedGraph),
    SD.name: (SD.NamedGraph, None),
    SD.graph: (SD.NamedGraph, SD.Graph),
}
SUBCLASSES: dict[Node, URIRef] = {SD.Dataset: SD.GraphCollection, SD.Aggregate: SD.Function}
# Instances the recommendation (and https://www.w3.org/ns/formats/, .../entailment/) define.
INSTANCES: dict[Node, URIRef] = {
    **dict.fromkeys((SD.SPARQL10Query, SD.SPARQL11Query, SD.SPARQL11Update), SD.Language),
    **dict.fromkeys(
        (
            SD.DereferencesURIs,
            SD.UnionDefaultGraph,
            SD.RequiresDataset,
            SD.EmptyGraphs,
            SD.BasicFederatedQuery,
        ),
        SD.Feature,
    ),
    **dict.fromkeys(
        (ENTAILMENT[name] for name in ("Simple", "RDF", "RDFS", "D", "OWL-Direct", "OWL-RDF-Based", "RIF")),
        SD.EntailmentRegime,
    ),
    **{URIRef(iri): FORMATS.Format for iri in FORMAT_IRIS.values()},
}


def classes(graph: Graph, node: Node) -> set[Node]:
    found: set[Node] = set(graph.objects(node, RDF.type))
    if node in INSTANCES:
        found.add(INSTANCES[node])
    return found | {SUBCLASSES[kind] for kind in found if kind in SUBCLASSES}


def schema_problems(graph: Graph) -> list[str]:
    """Uses of the sd: vocabulary that its domains and ranges do not allow."""
    problems = []
    for subject, predicate, value in graph:
        if predicate == RDF.type and str(value).startswith(str(SD)):
            known = {kind for pair in SCHEMA.values() for kind in pair} | set(SUBCLASSES.values())
            if value not in known:
                problems.append(f"{value} is not a class of the vocabulary")
        if not isinstance(predicate, URIRef) or not predicate.startswith(str(SD)):
            continue
        if predicate not in SCHEMA:
            problems.append(f"{predicate} is not a property of the vocabulary")
            continue
        domain, range_ = SCHEMA[predicate]
        if domain not in classes(graph, subject):
            problems.append(f"{subject} {predicate}: the subject is not a {domain}")
        if range_ is not None and range_ not in classes(graph, value):
            problems.append(f"{predicate} {value}: the value is not a {range_}")
        if range_ is None and not isinstance(value, URIRef):
            problems.append(f"{predicate} {value}: expected an IRI")
    return problems


def get_description(server: LiveServer, media_type: str) -> Graph:
    response = httpx.get(server.url + "sparql", headers={"Accept": media_type})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].partition(";")[0] == media_type
    return parse_rdf(response.content, media_type, server.url)


def parse_rdf(body: bytes, media_type: str, base: str) -> Graph:
    with warnings.catch_warnings():
        # rdflib 7's own JSON-LD parser builds a ConjunctiveGraph, which rdflib itself deprecates.
        warnings.filterwarnings(
            "ignore", "ConjunctiveGraph is deprecated, use Dataset instead.", DeprecationWarning
        )
        return Graph().parse(data=body, format=GRAPH_PARSERS[media_type], publicID=base)


def returns_rdf(graph: Graph, server: LiveServer) -> None:
    assert len(graph) > 0


def has_endpoint_triple(graph: Graph, server: LiveServer) -> None:
    [service] = graph.subjects(SD.endpoint, URIRef(server.url + "sparql"))
    assert (service, RDF.type, SD.Service) in graph


def conforms_to_schema(graph: Graph, server: LiveServer) -> None:
    assert schema_problems(graph) == []


SD_CHECKS: dict[str, Callable[[Graph, LiveServer], None]] = {
    "returns-rdf": returns_rdf,
    "has-endpoint-triple": has_endpoint_triple,
    "conforms-to-schema": conforms_to_schema,
}
_sd_manifest, _sd_entries = read_manifest("service-description")
SD_CASES = [str(entry).rpartition("#")[2] for entry in _sd_entries]


@pytest.mark.parametrize("media_type", RDF_MEDIA_TYPES)
@pytest.mark.parametrize("name", SD_CASES)
def test_w3c_service_description_case(name: str, media_type: str, protocol_server: LiveServer) -> None:
    assert name in SD_CHECKS, f"no check for the service-description test {name}"
    SD_CHECKS[name](get_description(protocol_server, media_type), protocol_server)


def test_service_description_lists_the_named_graphs(protocol_server: LiveServer) -> None:
    graph = get_description(protocol_server, "text/turtle")
    [dataset] = graph.objects(None, SD.defaultDataset)
    names = {graph.value(named, SD.name) for named in graph.objects(dataset, SD.namedGraph)}
    assert names == {URIRef(name) for case in CASES for name, _ in case.graphs}
    [default] = graph.objects(dataset, SD.defaultGraph)
    assert (default, RDF.type, SD.Graph) in graph


def description(client: TestClient, accept: str = "text/turtle") -> Graph:
    response = client.get("/sparql", headers={"Accept": accept})
    assert response.status_code == 200, response.text
    return parse_rdf(
        response.content, response.headers["content-type"].partition(";")[0], str(client.base_url)
    )


def test_service_description_says_what_a_client_needs(client: TestClient, published: Published) -> None:
    graph = description(client)
    [service] = graph.subjects(RDF.type, SD.Service)
    assert set(graph.objects(service, SD.endpoint)) == {URIRef(published.ns.base + "sparql")}
    assert set(graph.objects(service, SD.supportedLanguage)) == {SD.SPARQL11Query}
    assert set(graph.objects(service, SD.defaultEntailmentRegime)) == {URIRef(SIMPLE_ENTAILMENT)}
    assert set(graph.objects(service, SD.feature)) == {SD.UnionDefaultGraph}
    assert set(graph.objects(service, SD.resultFormat)) == {
        FORMATS.SPARQL_Results_JSON,
        FORMATS.SPARQL_Results_XML,
        FORMATS.SPARQL_Results_CSV,
        FORMATS.SPARQL_Results_TSV,
        FORMATS.Turtle,
        FORMATS["N-Triples"],
        FORMATS["JSON-LD"],
        FORMATS.RDF_XML,
    }
    [dataset] = graph.objects(service, SD.defaultDataset)
    names = {str(graph.value(named, SD.name)) for named in graph.objects(dataset, SD.namedGraph)}
    assert names == set(published.store.named_graphs())
    assert schema_problems(graph) == []


def test_every_format_the_endpoint_offers_has_a_w3c_format_iri() -> None:
    assert {format_.media_type for format_ in (*SOLUTIONS, *GRAPH)} == set(FORMAT_IRIS)


@pytest.mark.parametrize("accept", [None, "*/*", "text/*"])
def test_service_description_is_turtle_by_default(client: TestClient, accept: str | None) -> None:
    response = client.get("/sparql", headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/turtle; charset=utf-8"
    assert "Accept" in response.headers["vary"].split(", ")


def test_service_description_is_the_catalogues_sparql_service(
    client: TestClient, published: Published
) -> None:
    [service] = description(client).subjects(RDF.type, SD.Service)
    catalogue = client.get("/catalog", headers={"Accept": "text/turtle"})
    assert catalogue.status_code == 200
    graph = Graph().parse(data=catalogue.content, format="turtle")
    assert (service, DCAT.endpointURL, URIRef(published.ns.base + "sparql")) in graph


def test_a_browser_is_sent_to_the_query_page(client: TestClient, published: Published) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get("/sparql", headers={"Accept": browser}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == published.ns.base + "query"
    assert "Accept" in response.headers["vary"].split(", ")


def test_service_description_not_acceptable(client: TestClient) -> None:
    response = client.get("/sparql", headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert response.json()["detail"] == (
        "Nothing here matches Accept: image/png; available: text/turtle, application/n-triples, "
        "application/ld+json, application/rdf+xml, text/html"
    )


def test_service_description_revalidates_with_its_etag(client: TestClient) -> None:
    first = client.get("/sparql", headers={"Accept": "application/rdf+xml"})
    tag = first.headers["etag"]
    again = client.get("/sparql", headers={"Accept": "application/rdf+xml", "If-None-Match": tag})
    assert again.status_code == 304
    assert client.get("/sparql", headers={"Accept": "text/turtle"}).headers["etag"] != tag


def test_a_query_string_without_a_query_is_not_the_description(client: TestClient) -> None:
    response = client.get("/sparql", params={"default-graph-uri": "http://example.org/g"})
    assert response.status_code == 400


# -- what the protocol tests check only by status class --------------------------------------------------


def test_a_query_not_in_utf8_is_refused_naming_its_charset(client: TestClient) -> None:
    response = client.post(
        "/sparql",
        content="ASK {}".encode("utf-16"),
        headers={"Content-Type": "application/sparql-query; charset=UTF-16"},
    )
    assert response.status_code == 415
    assert response.json()["detail"] == (
        "POST /sparql takes application/sparql-query in UTF-8 only, not charset=UTF-16 "
        "(https://www.w3.org/TR/sparql11-protocol/#query-via-post-direct)"
    )


def test_a_dataset_parameter_must_be_an_iri(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "ASK {}", "named-graph-uri": "g1"})
    assert response.status_code == 400
    assert response.json()["detail"] == (
        "named-graph-uri has value 'g1'; expected an absolute IRI: No scheme found in an absolute IRI "
        "(https://www.w3.org/TR/sparql11-protocol/#dataset)"
    )
