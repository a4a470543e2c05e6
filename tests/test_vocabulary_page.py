"""The vocabulary page at the ontology IRI: every term of ontology/lodcat.ttl, the SHACL rules on it, the
concept schemes, an example per class; the machine formats stay with api/resources.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

import httpx
import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS

from tests.conftest import ROOT, LiveServer, Published
from tests.test_sparql import parse_both

ONTOLOGY = ROOT / "ontology" / "lodcat.ttl"
SCHEMES = ROOT / "ontology" / "schemes.ttl"
SHAPES = ROOT / "shapes" / "lodcat.ttl"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
CLASS_TYPES = (OWL.Class, RDFS.Class)
PROPERTY_TYPES = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property)


@dataclass
class Section:
    classes: list[str]
    text: str = ""
    code: list[str] = field(default_factory=list)  # the text of each <pre> in it


class Sections(HTMLParser):
    """The <section id=...> elements of a page (not nested): their class, text and <pre> blocks; all ids."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.sections: dict[str, Section] = {}
        self.ids: set[str] = set()
        self._current: Section | None = None
        self._pre: list[str] | None = None
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.add(attributes["id"] or "")
        if tag == "section" and attributes.get("id"):
            self._current = Section((attributes.get("class") or "").split())
            self.sections[attributes["id"] or ""] = self._current
        if tag == "pre":
            self._pre = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "section":
            self._current = None
        if tag == "pre" and self._pre is not None and self._current is not None:
            self._current.code.append("".join(self._pre))
            self._pre = None

    def handle_data(self, data: str) -> None:
        if self._current is not None:
            self._current.text += data
        if self._pre is not None:
            self._pre.append(data)

    def of_class(self, name: str) -> set[str]:
        return {anchor for anchor, section in self.sections.items() if name in section.classes}


def parsed(path: object, base: str) -> Graph:
    return Graph().parse(str(path), format="turtle", publicID=base)


def declared(published: Published, types: tuple[URIRef, ...]) -> set[str]:
    """Local names of the lodcat terms ontology/lodcat.ttl declares with one of `types`."""
    graph = parsed(ONTOLOGY, published.ns.base)
    return {
        str(term)[len(published.ns.vocab) :]
        for kind in types
        for term in graph.subjects(RDF.type, kind)
        if str(term).startswith(published.ns.vocab)
    }


@pytest.fixture(scope="module")
def page(client: TestClient) -> Sections:
    response = client.get("/ontology", headers={"Accept": "text/html"})
    assert response.status_code == 200
    return Sections(response.text)


def test_every_class_declared_in_the_ontology_has_its_section(page: Sections, published: Published) -> None:
    classes = declared(published, CLASS_TYPES)
    assert "Project" in classes
    assert page.of_class("class") == classes


def test_every_property_declared_in_the_ontology_has_its_section(
    page: Sections, published: Published
) -> None:
    properties = declared(published, PROPERTY_TYPES)
    assert "startDate" in properties
    assert page.of_class("property") == properties


def test_every_term_has_an_anchor_named_by_its_local_name(page: Sections, published: Published) -> None:
    graph = parsed(ONTOLOGY, published.ns.base)
    terms = {
        str(s)[len(published.ns.vocab) :] for s in graph.subjects() if str(s).startswith(published.ns.vocab)
    }
    assert terms - page.ids == set()


def test_start_date_shows_every_message_of_the_shapes_constraining_it(
    page: Sections, published: Published
) -> None:
    shapes = parsed(SHAPES, published.ns.base)
    start_date = URIRef(published.ns.vocab + "startDate")
    messages = {str(shapes.value(shape, SH.message)) for shape in shapes.subjects(SH.path, start_date)}
    assert messages == {
        "a project has at most one start date",
        "start date must be xsd:date, xsd:gYearMonth or xsd:gYear (the precision the source gives)",
    }
    text = page.sections["startDate"].text
    for message in messages:
        assert message in text
    assert "at most 1" in text  # the cardinality
    assert "xsd:gYearMonth" in text and "^[0-9]{4}-(0[1-9]|1[0-2])$" in text  # a datatype and its pattern


def test_a_property_section_names_its_domain_and_range(page: Sections) -> None:
    text = page.sections["amount"].text
    assert "domain" in text and "lodcat:Funding" in text
    assert "range" in text and "xsd:decimal" in text
    assert "amount must be an xsd:decimal of at least 0" in text


def test_a_scheme_valued_property_names_its_scheme(page: Sections) -> None:
    text = page.sections["status"].text
    assert "concept scheme: Project status" in text
    assert "status must be a concept of the status scheme" in text


def test_a_class_section_shows_the_rules_of_its_shape(page: Sections) -> None:
    text = page.sections["Organisation"].text
    assert "shape:OrganisationShape" in text
    assert "company number must be 6 to 12 digits, e.g. 70891320" in text
    assert "^[0-9]{6,12}$" in text


def test_every_concept_scheme_is_listed_with_its_concepts(page: Sections, published: Published) -> None:
    schemes = parsed(SCHEMES, published.ns.base)
    listed = 0
    for scheme in schemes.subjects(RDF.type, SKOS.ConceptScheme):
        anchor = "scheme-" + str(scheme).rsplit("/", 1)[1]
        text = page.sections[anchor].text
        for concept in schemes.subjects(SKOS.inScheme, scheme):
            assert str(schemes.value(concept, SKOS.notation)) in text, (anchor, concept)
            listed += 1
    assert listed == len(set(schemes.subjects(SKOS.inScheme)))
    assert "finished" in page.sections["scheme-status"].text


@pytest.mark.parametrize("local", ["Project", "Organisation", "Indicator", "Release"])
def test_a_class_has_an_example_instance_from_the_store_as_turtle(
    page: Sections, published: Published, local: str
) -> None:
    [turtle] = page.sections[local].code
    example = Graph().parse(data=turtle, format="turtle")
    [instance] = set(example.subjects(RDF.type, URIRef(published.ns.vocab + local)))
    assert str(instance).startswith(published.ns.base + "id/")
    for s, p, o in example:
        assert s == instance
        assert published.store.query(f"ASK {{ {s.n3()} {p.n3()} {o.n3()} }}"), (p, o)


def test_hash_iri_lands_on_the_terms_section(client: TestClient, published: Published) -> None:
    document, _, fragment = published.ns.term("startDate").value.partition("#")
    response = client.get(httpx.URL(document).path, headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "Accept" in response.headers["vary"].split(", ")
    assert response.headers["content-location"] == f"{published.ns.base}ontology.html"
    sections = Sections(response.text)
    assert sections.sections[fragment].classes == ["term", "property"]


def test_html_suffix_serves_the_page_whatever_accept_says(client: TestClient) -> None:
    response = client.get("/ontology.html", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "Project" in Sections(response.text).of_class("class")


@pytest.mark.parametrize("accept", ["text/turtle", "*/*", None])
def test_turtle_at_the_ontology_iri_still_parses_to_the_ontology(
    client: TestClient, published: Published, accept: str | None
) -> None:
    response = client.get("/ontology", headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/turtle; charset=utf-8"
    served = set(Graph().parse(data=response.text, format="turtle"))
    ontology = set(parsed(ONTOLOGY, published.ns.base))
    assert ontology <= served
    # Besides the file's triples, only the provenance of the graph itself (its content hash, load time).
    assert {str(s) for s, _, _ in served - ontology} == {published.ns.graph("ontology").value}


def test_other_rdf_formats_stay_with_the_linked_data_router(client: TestClient, published: Published) -> None:
    response = client.get("/ontology", headers={"Accept": "application/ld+json"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/ld+json"
    served, _ = parse_both(response.content, "application/ld+json")
    assert (URIRef(published.ns.vocab + "Project"), RDF.type, OWL.Class) in served


def test_unacceptable_accept_is_406(client: TestClient) -> None:
    response = client.get("/ontology", headers={"Accept": "application/pdf"})
    assert response.status_code == 406
    assert response.json()["detail"] == (
        "Nothing here matches Accept: application/pdf; available: text/turtle, application/n-triples, "
        "application/ld+json, application/rdf+xml, text/html"
    )


def test_head_of_the_page_has_no_body(client: TestClient) -> None:
    response = client.head("/ontology", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.content == b""


def test_live_server_serves_the_page_and_the_turtle(live_server: LiveServer) -> None:
    page = httpx.get(f"{live_server.url}ontology", headers={"Accept": BROWSER})
    assert page.status_code == 200
    assert "startDate" in Sections(page.text).of_class("property")
    turtle = httpx.get(f"{live_server.url}ontology", headers={"Accept": "text/turtle"})
    assert turtle.status_code == 200
    assert (URIRef(f"{live_server.url}ontology#Project"), RDF.type, OWL.Class) in Graph().parse(
        data=turtle.text, format="turtle"
    )
