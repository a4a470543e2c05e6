"""The SPARQL 1.1 Service Description of /sparql (https://www.w3.org/TR/sparql11-service-description/).

`GET /sparql` without a query string answers with it, as section 2 of that recommendation asks of a
service "dereferenced using the HTTP GET operation without any query parameter strings": Turtle by
default, or N-Triples, JSON-LD or RDF/XML by Accept. A browser, which prefers HTML, is sent to the
query page instead (303 See Other).

The service is the `dcat:DataService` the DCAT-AP catalogue describes (`{base}catalog#sparql`), so the
two descriptions meet in one IRI. It states what a client needs to know before sending a query: the
endpoint, SPARQL 1.1 Query (no update), the result formats by their W3C format IRIs, simple
entailment, that the default graph is the union of the named graphs (`sd:UnionDefaultGraph`), and
which named graphs there are.
"""

from __future__ import annotations

import hashlib

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from pyoxigraph import BlankNode, Literal, NamedNode, Triple, serialize

from api.catalogue import catalogue_iri
from api.negotiation import DOCUMENT, HTML, VARY, negotiate
from loader.namespaces import DCTERMS, RDF, Namespaces
from loader.settings import Settings
from loader.store import LodStore

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
SIMPLE_ENTAILMENT = "http://www.w3.org/ns/entailment/Simple"
PREFIXES = {"sd": SD, "formats": FORMATS, "dcterms": DCTERMS, "rdf": RDF}

# The W3C format IRIs (https://www.w3.org/ns/formats/) of every format /sparql answers in.
FORMAT_IRIS = {
    "application/sparql-results+json": FORMATS + "SPARQL_Results_JSON",
    "application/sparql-results+xml": FORMATS + "SPARQL_Results_XML",
    "text/csv": FORMATS + "SPARQL_Results_CSV",
    "text/tab-separated-values": FORMATS + "SPARQL_Results_TSV",
    "text/turtle": FORMATS + "Turtle",
    "application/n-triples": FORMATS + "N-Triples",
    "application/ld+json": FORMATS + "JSON-LD",
    "application/rdf+xml": FORMATS + "RDF_XML",
}


def _sd(name: str) -> NamedNode:
    return NamedNode(SD + name)


def describe(settings: Settings, graphs: list[str]) -> list[Triple]:
    """The triples of the service description; `graphs` are the named graph IRIs."""
    ns = Namespaces(settings.base_iri)
    service = catalogue_iri(ns, "sparql")
    dataset, default_graph = BlankNode("dataset"), BlankNode("defaultGraph")
    a = NamedNode(RDF + "type")
    triples = [
        Triple(service, a, _sd("Service")),
        Triple(service, _sd("endpoint"), NamedNode(ns.base + "sparql")),
        Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Query")),
        Triple(service, _sd("defaultEntailmentRegime"), NamedNode(SIMPLE_ENTAILMENT)),
        Triple(service, _sd("feature"), _sd("UnionDefaultGraph")),
        *(Triple(service, _sd("resultFormat"), NamedNode(iri)) for iri in FORMAT_IRIS.values()),
        Triple(
            service,
            NamedNode(DCTERMS + "description"),
            Literal(
                "Read-only SPARQL 1.1 query endpoint. SERVICE and updates are refused. A query runs for at "
                f"most {settings.query_timeout:g} s and returns at most {settings.max_result_rows} rows "
                f"or {settings.max_result_bytes} bytes; a cut result says so in the "
                "Lodcat-Result-Truncated header.",
                language="en",
            ),
        ),
        Triple(service, _sd("defaultDataset"), dataset),
        Triple(dataset, a, _sd("Dataset")),
        Triple(dataset, _sd("defaultGraph"), default_graph),
    ]
    named = [BlankNode(f"namedGraph{index}") for index in range(len(graphs))]
    triples += [Triple(dataset, _sd("namedGraph"), node) for node in named]
    triples += [
        Triple(default_graph, a, _sd("Graph")),
        Triple(
            default_graph,
            NamedNode(DCTERMS + "description"),
            Literal("The union of all the named graphs of the dataset.", language="en"),
        ),
    ]
    for node, graph in zip(named, graphs, strict=True):
        triples += [Triple(node, a, _sd("NamedGraph")), Triple(node, _sd("name"), NamedNode(graph))]
    return triples


def description_response(request: Request, store: LodStore, settings: Settings) -> Response:
    """The service description in the negotiated RDF format, or 303 to the query page for a browser.

    Raises NotAcceptable (406) when Accept names nothing offered. Changes nothing.
    """
    format_ = negotiate(request.headers.get("accept"), DOCUMENT)
    if format_ is HTML:
        return RedirectResponse(settings.base_iri + "query", status_code=303, headers=dict(VARY))
    assert format_.rdf is not None
    version = store.data_version(Namespaces(settings.base_iri).term("contentHash"))
    digest = hashlib.sha256(f"service-description\n{version}\n{format_.media_type}".encode()).hexdigest()
    tag = f'"{digest[:32]}"'
    headers = {**VARY, "ETag": tag, "Cache-Control": settings.cache_control}
    if tag in [value.strip() for value in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=headers)
    body = serialize(describe(settings, store.named_graphs()), format=format_.rdf, prefixes=PREFIXES) or b""
    return Response(body, media_type=format_.content_type, headers=headers)
