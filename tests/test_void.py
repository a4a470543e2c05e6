"""VoID at /.well-known/void: every number equals what Python counts in the store's own quads."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from fastapi.testclient import TestClient
from pyoxigraph import NamedNode, Triple
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from api.app import create_app
from api.void import void_cache
from loader.namespaces import AUTHORITY, NUTS
from loader.pipeline import run
from loader.settings import Settings
from loader.store import LodStore
from tests.conftest import BASE, DATA, Published
from tests.test_catalogue import DCAT, dataset, one, read, value

VOID = Namespace("http://rdfs.org/ns/void#")
DATASET = URIRef(BASE + "id/dataset/projects")
TYPE = RDF.type.toPython()


@pytest.fixture(scope="module")
def void(client: TestClient) -> Graph:
    response = client.get("/.well-known/void")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/turtle")
    return read(response.text, "turtle")


@pytest.fixture(scope="module")
def triples(published: Published) -> set[Triple]:
    """The dataset as a set of triples: a triple in two named graphs is one triple."""
    return {quad.triple for quad in published.store.quads()}


def count(graph: Graph, subject: Node, predicate: URIRef) -> int:
    value = one(graph, subject, predicate)
    assert isinstance(value, Literal)
    return int(value)


def test_dataset_counts_equal_the_stores_own(void: Graph, triples: set[Triple]) -> None:
    subjects = {triple.subject for triple in triples}
    expected = {
        "triples": len(triples),
        "distinctSubjects": len(subjects),
        "distinctObjects": len({triple.object for triple in triples}),
        "properties": len({triple.predicate for triple in triples}),
        "classes": len({triple.object for triple in triples if triple.predicate.value == TYPE}),
        "entities": len(
            {s for s in subjects if isinstance(s, NamedNode) and s.value.startswith(BASE + "id/")}
        ),
    }
    assert {name: count(void, DATASET, VOID[name]) for name in expected} == expected
    assert one(void, DATASET, VOID.uriSpace) == Literal(BASE + "id/")


def test_class_partitions_count_the_instances_of_each_class(void: Graph, triples: set[Triple]) -> None:
    instances = Counter(value(triple.object) for triple in triples if triple.predicate.value == TYPE)
    partitions = {
        str(one(void, partition, VOID["class"])): count(void, partition, VOID.entities)
        for partition in void.objects(DATASET, VOID.classPartition)
    }
    assert partitions == dict(instances)


def test_property_partitions_count_the_triples_of_each_property(void: Graph, triples: set[Triple]) -> None:
    used = Counter(triple.predicate.value for triple in triples)
    partitions = {
        str(one(void, partition, VOID.property)): count(void, partition, VOID.triples)
        for partition in void.objects(DATASET, VOID.propertyPartition)
    }
    assert partitions == dict(used)


def test_vocabularies_are_the_namespaces_of_the_properties_and_classes(
    void: Graph, triples: set[Triple]
) -> None:
    terms = {triple.predicate.value for triple in triples}
    terms |= {value(triple.object) for triple in triples if triple.predicate.value == TYPE}
    namespaces = {re.sub(r"[^#/]+$", "", term) for term in terms}
    assert {str(vocabulary) for vocabulary in void.objects(DATASET, VOID.vocabulary)} == namespaces
    assert BASE + "ontology#" in namespaces


def linked_dataset(iri: str) -> str | None:
    """The external dataset an IRI belongs to: NUTS, or the EU authority table it is (or is in)."""
    if iri.startswith(NUTS):
        return "http://data.europa.eu/nuts"
    table = iri.removeprefix(AUTHORITY).split("/")[0] if iri.startswith(AUTHORITY) else ""
    return AUTHORITY + table if table else None


def test_linksets_count_the_links_to_each_external_dataset_per_property(
    void: Graph, triples: set[Triple]
) -> None:
    links = Counter(
        (linked, triple.predicate.value)
        for triple in triples
        if value(triple.subject).startswith(BASE)  # a link goes from lodcat's data to another dataset
        and isinstance(triple.object, NamedNode)
        and (linked := linked_dataset(value(triple.object)))
    )
    linksets = {}
    for linkset in void.objects(DATASET, VOID.subset):
        assert (linkset, RDF.type, VOID.Linkset) in void
        target = one(void, linkset, VOID.objectsTarget)
        assert set(void.objects(linkset, VOID.target)) == {DATASET, target}
        assert one(void, linkset, VOID.subjectsTarget) == DATASET
        assert (target, RDF.type, VOID.Dataset) in void
        linksets[(str(target), str(one(void, linkset, VOID.linkPredicate)))] = count(
            void, linkset, VOID.triples
        )
    assert linksets == dict(links)
    assert {target for target, _ in linksets} >= {
        AUTHORITY + "country",
        AUTHORITY + "currency",
        AUTHORITY + "language",
        "http://data.europa.eu/nuts",
    }


def test_endpoint_dumps_and_examples(void: Graph, client: TestClient, published: Published) -> None:
    assert one(void, DATASET, VOID.sparqlEndpoint) == URIRef(BASE + "sparql")
    catalogue = read(client.get("/catalog.ttl").text, "turtle")
    downloads = {
        one(catalogue, distribution, DCAT.downloadURL)
        for distribution in catalogue.objects(dataset(catalogue), DCAT.distribution)
    }
    assert set(void.objects(DATASET, VOID.dataDump)) == downloads
    examples = set(void.objects(DATASET, VOID.exampleResource))
    assert 1 <= len(examples) <= 3
    project = published.ns.term("Project").value
    for example in examples:
        assert any(
            quad.predicate.value == TYPE and value(quad.object) == project
            for quad in published.store.quads()
            if value(quad.subject) == str(example)
        )


@pytest.mark.parametrize(
    ("media_type", "rdf_format"), [("application/ld+json", "json-ld"), ("application/rdf+xml", "xml")]
)
def test_void_by_content_negotiation(
    client: TestClient, void: Graph, media_type: str, rdf_format: str
) -> None:
    response = client.get("/.well-known/void", headers={"Accept": media_type})
    assert response.headers["content-type"].split(";")[0] == media_type
    assert set(read(response.content, rdf_format)) == set(void)


def test_void_is_counted_once_per_data_version(store: LodStore, settings: Settings) -> None:
    sources = sorted(DATA.iterdir())
    assert run(sources[:1], settings, store).ok
    app = create_app(settings, store)
    client = TestClient(app, base_url=BASE.rstrip("/"))
    first = read(client.get("/.well-known/void").text, "turtle")
    assert client.get("/.well-known/void.jsonld").status_code == 200
    assert client.get("/.well-known/void", headers={"Accept": "application/n-triples"}).status_code == 200
    assert void_cache(app).computations == 1
    assert run(sources[1:], settings, store).ok
    after = read(client.get("/.well-known/void").text, "turtle")
    assert void_cache(app).computations == 2
    assert count(first, DATASET, VOID.triples) < count(after, DATASET, VOID.triples)
    assert count(after, DATASET, VOID.triples) == len({quad.triple for quad in store.quads()})
