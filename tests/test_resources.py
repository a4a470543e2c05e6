"""Linked data: /id/... -> 303 -> /doc/..., every format by Accept and by suffix, the ontology, 404s."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import httpx
import pytest
from fastapi.testclient import TestClient
from pyoxigraph import Literal, NamedNode, QuerySolutions

from tests.conftest import LiveServer, Published
from tests.test_sparql import DCTERMS_TITLE, RDFLIB_FORMATS, has_triple, parse_both

CODE = "CZ.04.4.83-3.2.03.1-0448"
LITHUANIAN = "08.4.1-ESFA-V-405-01-0001"
SUFFIXES = {
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdf": "application/rdf+xml",
}
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
OWL_ONTOLOGY = "http://www.w3.org/2002/07/owl#Ontology"


def select(published: Published, query: str) -> list[dict[str, str]]:
    """Rows of a SELECT on the published store, as strings."""
    result = published.store.query(query)
    assert isinstance(result, QuerySolutions)
    names = [variable.value for variable in result.variables]
    return [{name: row[name].value for name in names if row[name] is not None} for row in result]


def title(published: Published, iri: str) -> Literal:
    result = published.store.query(f"SELECT ?t WHERE {{ <{iri}> <{DCTERMS_TITLE}> ?t }}")
    assert isinstance(result, QuerySolutions)
    [row] = list(result)
    value = row["t"]
    assert isinstance(value, Literal)
    return value


def minted_subjects(published: Published) -> list[str]:
    """Every IRI under {base}id/ that the store describes."""
    base = published.ns.base + "id/"
    rows = select(published, f'SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{base}")) }}')
    return sorted(row["s"] for row in rows)


def path_of(url: str) -> str:
    return httpx.URL(url).path


class Page(HTMLParser):
    """The <h1> text, the rel=alternate links and the element ids of an HTML page."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.h1 = ""
        self.alternates: dict[str, str] = {}
        self.ids: set[str] = set()
        self._in_h1 = False
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "h1":
            self._in_h1 = True
        if tag == "link" and attributes.get("rel") == "alternate":
            self.alternates[attributes["type"] or ""] = attributes["href"] or ""
        if attributes.get("id"):
            self.ids.add(attributes["id"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "h1":
            self._in_h1 = False

    def handle_data(self, data: str) -> None:
        if self._in_h1:
            self.h1 += data


# -- /id -> 303 -> /doc --------------------------------------------------------------------------------


def test_thing_iri_redirects_to_its_document(client: TestClient, published: Published) -> None:
    response = client.get(f"/id/project/{CODE}", headers={"Accept": "text/turtle"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"{published.ns.base}doc/project/{CODE}"


def test_head_answers_like_get_without_a_body(client: TestClient, published: Published) -> None:
    redirect = client.head(f"/id/project/{CODE}", follow_redirects=False)
    assert redirect.status_code == 303
    assert redirect.headers["location"] == f"{published.ns.base}doc/project/{CODE}"
    response = client.head(f"/doc/project/{CODE}", headers={"Accept": "application/ld+json"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/ld+json"
    assert response.content == b""
    assert client.head("/ontology.ttl").status_code == 200
    assert client.head("/id/project/no-such-project").status_code == 404


def test_every_minted_iri_dereferences(client: TestClient, published: Published) -> None:
    subjects = minted_subjects(published)
    kinds = {iri[len(published.ns.base) :].split("/")[1] for iri in subjects}
    assert {"project", "organisation", "place", "source", "concept", "scheme"} <= kinds
    for iri in subjects:
        response = client.get(path_of(iri), follow_redirects=False)
        assert response.status_code == 303, iri
        assert response.headers["location"] == published.ns.document(iri)
        document = client.get(path_of(response.headers["location"]))
        assert document.status_code == 200, iri
        _, triples = parse_both(document.content, "text/turtle")
        assert NamedNode(iri) in {triple.subject for triple in triples}, iri


def test_every_iri_the_data_links_to_under_id_is_described(published: Published) -> None:
    base = published.ns.base + "id/"
    rows = select(
        published,
        f'SELECT DISTINCT ?o WHERE {{ ?s ?p ?o FILTER(isIRI(?o) && STRSTARTS(STR(?o), "{base}")) '
        "FILTER NOT EXISTS { ?o ?q ?v } }",
    )
    assert rows == []


# -- formats -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", [CODE, LITHUANIAN])
@pytest.mark.parametrize("media_type", list(RDFLIB_FORMATS))
def test_description_by_accept(client: TestClient, published: Published, code: str, media_type: str) -> None:
    iri = published.ns.project(code).value
    response = client.get(f"/id/project/{code}", headers={"Accept": media_type})
    assert response.status_code == 200
    assert response.headers["content-type"].partition(";")[0] == media_type
    assert "Accept" in response.headers["vary"].split(", ")
    suffix = next(suffix for suffix, known in SUFFIXES.items() if known == media_type)
    assert response.headers["content-location"] == f"{published.ns.base}doc/project/{code}.{suffix}"
    graph, triples = parse_both(response.content, media_type)
    has_triple(graph, triples, iri, DCTERMS_TITLE, title(published, iri))


@pytest.mark.parametrize("code", [CODE, LITHUANIAN])
@pytest.mark.parametrize(("suffix", "media_type"), list(SUFFIXES.items()))
def test_description_by_suffix_beats_accept(
    client: TestClient, published: Published, code: str, suffix: str, media_type: str
) -> None:
    iri = published.ns.project(code).value
    response = client.get(f"/doc/project/{code}.{suffix}", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].partition(";")[0] == media_type
    assert "Accept" not in response.headers.get("vary", "")
    graph, triples = parse_both(response.content, media_type)
    has_triple(graph, triples, iri, DCTERMS_TITLE, title(published, iri))


def test_turtle_is_the_default(client: TestClient) -> None:
    for accept in (None, "*/*"):
        headers = {"Accept": accept} if accept else {}
        response = client.get(f"/doc/project/{CODE}", headers=headers)
        assert response.headers["content-type"] == "text/turtle; charset=utf-8"


def test_description_holds_own_nodes_and_labels_of_linked_iris(
    client: TestClient, published: Published
) -> None:
    project = published.ns.project(CODE).value
    _, triples = parse_both(client.get(f"/doc/project/{CODE}.nt").content, "application/n-triples")
    subjects = {triple.subject.value for triple in triples if isinstance(triple.subject, NamedNode)}
    own = {
        row["s"]
        for row in select(
            published, f'SELECT ?s WHERE {{ <{project}> ?p ?s FILTER(STRSTARTS(STR(?s), "{project}/")) }}'
        )
    }
    assert own and own <= subjects
    indicator = published.ns.part(CODE, "indicator", "participants").value
    assert indicator in subjects
    [fund] = [
        t.object
        for t in triples
        if t.subject == NamedNode(project) and t.predicate == published.ns.term("fund")
    ]
    assert any(t.subject == fund and t.predicate.value.endswith(("label", "prefLabel")) for t in triples)


def test_description_holds_nothing_about_other_projects(client: TestClient, published: Published) -> None:
    _, triples = parse_both(client.get(f"/doc/project/{CODE}.nt").content, "application/n-triples")
    other = published.ns.project(LITHUANIAN).value
    assert not [t for t in triples if str(t.subject).startswith(f"<{other}")]


def test_html_page_for_browsers(client: TestClient, published: Published) -> None:
    iri = published.ns.project(CODE).value
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get(f"/id/project/{CODE}", headers={"Accept": browser})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    page = Page(response.text)
    assert page.h1 == title(published, iri).value
    document = f"{published.ns.base}doc/project/{CODE}"
    assert page.alternates == {
        "text/turtle": f"{document}.ttl",
        "application/n-triples": f"{document}.nt",
        "application/ld+json": f"{document}.jsonld",
        "application/rdf+xml": f"{document}.rdf",
        "text/html": f"{document}.html",
    }
    assert 'lang="cs"' in response.text
    assert "indicator-participants" in page.ids  # each own node has its section
    assert f'href="{published.ns.base}doc/project/{CODE}/indicator/participants"' in response.text


def test_html_by_suffix(client: TestClient, published: Published) -> None:
    response = client.get(f"/doc/project/{LITHUANIAN}.html", headers={"Accept": "text/turtle"})
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert Page(response.text).h1 == title(published, published.ns.project(LITHUANIAN).value).value


def test_html_escapes_data(client: TestClient) -> None:
    response = client.get(f"/doc/project/{CODE}.html")
    # The one script element is the page's schema.org JSON-LD (issue 6): data, never code.
    page = re.sub(r'<script type="application/ld\+json">.*?</script>', "", response.text, count=1, flags=re.S)
    assert "<script" not in page.lower()


# -- errors --------------------------------------------------------------------------------------------


def test_unknown_iri_is_404_problem_json(client: TestClient, published: Published) -> None:
    for path in (
        "/id/project/no-such-project",
        "/doc/project/no-such-project",
        "/doc/project/no-such-project.ttl",
    ):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        thing = path.replace("/doc/", "/id/").lstrip("/")
        assert response.json() == {
            "type": "about:blank",
            "title": "Not found",
            "status": 404,
            "detail": f"Nothing in the store describes <{published.ns.base}{thing}>",
        }


def test_unknown_iri_is_404_html_for_browsers(client: TestClient) -> None:
    response = client.get("/doc/project/no-such-project", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert response.headers["content-type"] == "text/html; charset=utf-8"


def test_unknown_suffix_is_not_stripped(client: TestClient, published: Published) -> None:
    response = client.get(f"/doc/project/{CODE}.csv")
    assert response.status_code == 404
    assert (
        response.json()["detail"]
        == f"Nothing in the store describes <{published.ns.base}id/project/{CODE}.csv>"
    )


def test_what_is_no_iri_is_404(client: TestClient, published: Published) -> None:
    response = client.get("/id/project/a%20b")
    assert response.status_code == 404
    assert response.json()["detail"] == f"Nothing in the store describes <{published.ns.base}id/project/a b>"


def test_unsupported_accept_is_406(client: TestClient) -> None:
    response = client.get(f"/doc/project/{CODE}", headers={"Accept": "application/pdf"})
    assert response.status_code == 406
    assert "Accept" in response.headers["vary"].split(", ")
    assert response.json()["detail"] == (
        "Nothing here matches Accept: application/pdf; available: text/turtle, application/n-triples, "
        "application/ld+json, application/rdf+xml, text/html"
    )


# -- the ontology --------------------------------------------------------------------------------------


def test_ontology_in_turtle(client: TestClient, published: Published) -> None:
    response = client.get("/ontology", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert "Accept" in response.headers["vary"].split(", ")
    _, triples = parse_both(response.content, "text/turtle")
    ontology = published.ns.ontology.value
    assert (NamedNode(ontology), NamedNode(RDF_TYPE), NamedNode(OWL_ONTOLOGY)) in {
        (t.subject, t.predicate, t.object) for t in triples
    }
    project_class = published.ns.term("Project")
    assert any(t.subject == project_class and t.predicate.value == RDFS_LABEL for t in triples)


@pytest.mark.parametrize(("suffix", "media_type"), list(SUFFIXES.items()))
def test_ontology_by_suffix(client: TestClient, published: Published, suffix: str, media_type: str) -> None:
    response = client.get(f"/ontology.{suffix}")
    assert response.status_code == 200
    assert response.headers["content-type"].partition(";")[0] == media_type
    _, triples = parse_both(response.content, media_type)
    assert published.ns.term("Project") in {t.subject for t in triples}


def test_hash_iris_dereference_to_the_ontology_page(client: TestClient, published: Published) -> None:
    term = published.ns.term("Project").value
    document, _, fragment = term.partition("#")
    response = client.get(path_of(document), headers={"Accept": "text/html"})
    assert response.status_code == 200
    page = Page(response.text)
    assert page.h1
    assert fragment in page.ids
    assert page.alternates["text/turtle"] == f"{published.ns.base}ontology.ttl"


def test_unknown_ontology_suffix_is_404(client: TestClient) -> None:
    response = client.get("/ontology.xml")
    assert response.status_code == 404
    assert (
        response.json()["detail"]
        == "No format has the suffix .xml; available: .ttl, .nt, .jsonld, .rdf, .html"
    )


# -- a real server -------------------------------------------------------------------------------------


def test_live_server_dereferences(live_server: LiveServer) -> None:
    iri = f"{live_server.url}id/project/{CODE}"
    redirect = httpx.get(iri, headers={"Accept": "application/ld+json"})
    assert redirect.status_code == 303
    assert redirect.headers["location"] == f"{live_server.url}doc/project/{CODE}"
    response = httpx.get(iri, headers={"Accept": "application/ld+json"}, follow_redirects=True)
    assert response.status_code == 200
    _, triples = parse_both(response.content, "application/ld+json")
    assert NamedNode(iri) in {t.subject for t in triples}
    page = httpx.get(f"{live_server.url}doc/project/{CODE}.html")
    assert Page(page.text).h1.startswith("Reciproční výměnný pobyt")
    assert httpx.get(f"{live_server.url}id/project/nothing").status_code == 404
    ontology = httpx.get(f"{live_server.url}ontology", headers={"Accept": "text/turtle"})
    assert ontology.status_code == 200
    parse_both(ontology.content, "text/turtle")
