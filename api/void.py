"""The VoID description of the dataset at /.well-known/void (https://www.w3.org/TR/void/#well-known).

Counts, class and property partitions, vocabularies, the dumps and linksets to the EU authority tables
and NUTS, every number counted by SPARQL over the union of the named graphs. Counting takes seconds at
10^5 projects, so the description is computed once per data version and kept (api/version_cache.py).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Header, Request
from fastapi.responses import Response
from pyoxigraph import Literal, NamedNode, Triple

from api.dataset_facts import DATASET_TITLE, publication_dates, stated_texts
from api.deps import NamespacesDep, SettingsDep, StoreDep
from api.dump_routes import current_dumps, dump_url
from api.negotiation import GRAPH, negotiate
from api.triples import Graph, graph_format, iri, literal, named, rdf_response, select, text, typed
from api.version_cache import VersionCache, app_cache
from loader.dumps import Manifest, data_version
from loader.namespaces import AUTHORITY, DCTERMS, FOAF, NUTS, RDF, VOID, Namespaces
from loader.store import LodStore

W3C_FORMATS = "http://www.w3.org/ns/formats/"
FORMAT_NAMES = {
    "application/n-quads": "N-Quads",
    "application/n-triples": "N-Triples",
    "text/turtle": "Turtle",
    "application/ld+json": "JSON-LD",
}
# The external datasets the data links to: NUTS, and each EU authority table (by its IRI).
NUTS_DATASET = "http://data.europa.eu/nuts"
LINKED_TITLES = {
    NUTS_DATASET: "NUTS classification",
    AUTHORITY + "country": "Countries and territories",
    AUTHORITY + "currency": "Currencies",
    AUTHORITY + "language": "Languages",
}

# The union of the named graphs is a set: a triple in two graphs is one triple of the dataset.
TRIPLES = "{ SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
COUNTS = {
    "triples": f"SELECT (COUNT(*) AS ?n) WHERE {TRIPLES}",
    "entities": 'SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o FILTER(STRSTARTS(STR(?s), "$space")) }',
    "distinctSubjects": "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }",
    "distinctObjects": "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }",
    "properties": "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?s ?p ?o }",
    "classes": "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?s <${rdf}type> ?c }",
}
CLASSES = "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s <${rdf}type> ?c } GROUP BY ?c ORDER BY ?c"
PROPERTIES = f"SELECT ?p (COUNT(*) AS ?n) WHERE {TRIPLES} GROUP BY ?p ORDER BY ?p"
EXAMPLES = "SELECT ?x WHERE { ?x a <${vocab}Project> } ORDER BY ?x LIMIT 3"
# A vocabulary is the namespace of a property or class: its IRI up to the last '#' or '/'.
VOCABULARIES = """
SELECT DISTINCT ?v WHERE {
  { ?s ?term ?o } UNION { ?s <${rdf}type> ?term }
  BIND(IRI(REPLACE(STR(?term), "[^#/]+$$", "")) AS ?v)
} ORDER BY ?v"""
# Links: triples from lodcat's own IRIs to a NUTS region or to an EU authority table or one of its
# concepts, counted per target dataset and property.
LINKS = f"""
SELECT ?target ?p (COUNT(*) AS ?n) WHERE {{
  {TRIPLES}
  FILTER(isIRI(?s) && STRSTARTS(STR(?s), "$base") && isIRI(?o))
  BIND(IF(STRSTARTS(STR(?o), "$nuts_space"), "$nuts",
          IF(REGEX(STR(?o), "^$authority[^/]+(/.*)?$$"),
             REPLACE(STR(?o), "^($authority[^/]+).*$$", "$$1"), "")) AS ?target)
  FILTER(?target != "")
}} GROUP BY ?target ?p ORDER BY ?target ?p"""

ACCEPT = Annotated[
    str | None,
    Header(description="The representation wanted; a suffix in the path beats it.", examples=["text/turtle"]),
]


def void_iri(ns: Namespaces, fragment: str = "") -> NamedNode:
    return iri(ns.base + ".well-known/void" + (f"#{fragment}" if fragment else ""))


def _count(store: LodStore, query: str, **values: str) -> Literal:
    (row,) = select(store, query, **values)
    return typed(literal(row["n"]).value, "integer")


def void(store: LodStore, ns: Namespaces, manifest: Manifest) -> list[Triple]:
    """The VoID description of the dataset, every number counted by SPARQL over the union of the named
    graphs (a triple held by two graphs counts once). Entities are the IRIs under `{base}id/` (the
    void:uriSpace) that are the subject of a triple. Reads the store; changes nothing.
    """
    graph = Graph()
    dataset, document, space = ns.dataset(), void_iri(ns), ns.base + "id/"
    graph.add(document, RDF + "type", iri(VOID + "DatasetDescription"))
    graph.add(document, DCTERMS + "title", text("VoID description of the lodcat dataset", "en"))
    graph.add(document, FOAF + "primaryTopic", dataset)
    graph.add(dataset, RDF + "type", iri(VOID + "Dataset"))
    graph.texts(dataset, DCTERMS + "title", stated_texts(store, dataset, DCTERMS + "title", DATASET_TITLE))
    graph.add(dataset, VOID + "uriSpace", text(space))
    graph.add(dataset, VOID + "sparqlEndpoint", iri(ns.base + "sparql"))
    graph.add(dataset, VOID + "rootResource", dataset)
    modified = publication_dates(store, ns).modified
    graph.add(dataset, DCTERMS + "modified", *([modified] if modified else []))
    for dump in manifest.dumps:
        graph.add(dataset, VOID + "dataDump", dump_url(ns, dump.name))
        if dump.media_type in FORMAT_NAMES:
            graph.add(dataset, VOID + "feature", iri(W3C_FORMATS + FORMAT_NAMES[dump.media_type]))
    for name, query in COUNTS.items():
        graph.add(dataset, VOID + name, _count(store, query, space=space, rdf=RDF))

    for index, row in enumerate(select(store, CLASSES, rdf=RDF), start=1):
        partition = void_iri(ns, f"class-{index}")
        graph.add(dataset, VOID + "classPartition", partition)
        graph.add(partition, VOID + "class", named(row["c"]))
        graph.add(partition, VOID + "entities", typed(literal(row["n"]).value, "integer"))
    for index, row in enumerate(select(store, PROPERTIES), start=1):
        partition = void_iri(ns, f"property-{index}")
        graph.add(dataset, VOID + "propertyPartition", partition)
        graph.add(partition, VOID + "property", named(row["p"]))
        graph.add(partition, VOID + "triples", typed(literal(row["n"]).value, "integer"))
    examples = select(store, EXAMPLES, vocab=ns.vocab)
    graph.add(dataset, VOID + "exampleResource", *(named(row["x"]) for row in examples))
    vocabularies = select(store, VOCABULARIES, rdf=RDF)
    graph.add(dataset, VOID + "vocabulary", *(named(row["v"]) for row in vocabularies))

    links = select(store, LINKS, base=ns.base, nuts_space=NUTS, nuts=NUTS_DATASET, authority=AUTHORITY)
    for index, row in enumerate(links, start=1):
        target = literal(row["target"]).value
        linkset = void_iri(ns, f"linkset-{index}")
        graph.add(dataset, VOID + "subset", linkset)
        graph.add(linkset, RDF + "type", iri(VOID + "Linkset"))
        graph.add(linkset, VOID + "target", dataset, iri(target))
        graph.add(linkset, VOID + "subjectsTarget", dataset)
        graph.add(linkset, VOID + "objectsTarget", iri(target))
        graph.add(linkset, VOID + "linkPredicate", named(row["p"]))
        graph.add(linkset, VOID + "triples", typed(literal(row["n"]).value, "integer"))
        graph.add(iri(target), RDF + "type", iri(VOID + "Dataset"))
        graph.add(iri(target), VOID + "uriSpace", text(NUTS if target == NUTS_DATASET else target + "/"))
        if target in LINKED_TITLES:
            graph.add(iri(target), DCTERMS + "title", text(LINKED_TITLES[target], "en"))
    return graph.triples()


def void_cache(app: FastAPI) -> VersionCache[list[Triple]]:
    """This app's cache of VoID descriptions, one per data version."""
    return app_cache(app, "void_cache")


def _void_cache(request: Request) -> VersionCache[list[Triple]]:
    return void_cache(request.app)


VoidCacheDep = Annotated[VersionCache[list[Triple]], Depends(_void_cache)]


def current_void(
    store: LodStore, ns: Namespaces, manifest: Manifest, cache: VersionCache[list[Triple]]
) -> list[Triple]:
    """The VoID description of the data now in the store: counted once per data version."""
    version = data_version(store, ns)
    return cache.get(version, lambda: void(store, ns, manifest))


router = APIRouter(tags=["catalogue"])


@router.get("/.well-known/void", summary="VoID description (Turtle, N-Triples, JSON-LD or RDF/XML by Accept)")
def void_description(
    store: StoreDep, settings: SettingsDep, ns: NamespacesDep, cache: VoidCacheDep, accept: ACCEPT = None
) -> Response:
    """Counts, partitions, vocabularies, dumps and linksets of the dataset, computed from the store."""
    format_ = negotiate(accept, GRAPH)
    triples = current_void(store, ns, current_dumps(store, settings), cache)
    return rdf_response(triples, format_, ns, f"/.well-known/void.{format_.suffix}")


@router.get("/.well-known/void.{suffix}", summary="VoID description in the format the suffix names")
def void_as(
    suffix: str, store: StoreDep, settings: SettingsDep, ns: NamespacesDep, cache: VoidCacheDep
) -> Response:
    format_ = graph_format(suffix)
    triples = current_void(store, ns, current_dumps(store, settings), cache)
    return rdf_response(triples, format_, ns, f"/.well-known/void.{format_.suffix}")
