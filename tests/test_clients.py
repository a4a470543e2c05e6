"""Real SPARQL clients against a live `lodcat serve`: SPARQLWrapper, rdflib's SPARQLStore and Comunica.

Each client runs SELECT, ASK, CONSTRUCT and DESCRIBE as it is configured by default, and in the other
configurations its documentation names (request methods, result formats); the answers are compared with
the records in data/*.json, read here as plain JSON so that the loader is not its own oracle.

What the clients send, for reference when the negotiation or the protocol code changes:

- SPARQLWrapper 2: GET by default, `setMethod(POST)` sends a form, `setRequestMethod(POSTDIRECTLY)` an
  `application/sparql-query` body. Accept follows `setReturnFormat`: XML (the default) is
  `application/sparql-results+xml` for SELECT/ASK and `application/rdf+xml` for CONSTRUCT/DESCRIBE; JSON
  `application/sparql-results+json,application/json,...`; TURTLE `application/turtle,text/turtle`.
- rdflib SPARQLStore: GET by default, `method="POST"` an `application/sparql-query` body, `"POST_FORM"`
  a form; Accept `application/rdf+xml, application/sparql-results+xml` for every query form.
- Comunica 4: GET, or a form POST once the URL reaches 600 characters; Accept
  `application/sparql-results+json;q=1.0,application/sparql-results+xml;q=0.7` for SELECT/ASK and
  `text/turtle` for CONSTRUCT/DESCRIBE.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlencode
from xml.dom.minidom import Document, Element

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from rdflib.query import Result, ResultRow
from SPARQLWrapper import JSON, JSONLD, POST, POSTDIRECTLY, TURTLE, URLENCODED, XML, SPARQLWrapper

from loader.namespaces import Namespaces
from tests.conftest import DATA, ROOT, LiveServer

CODE = "08.4.1-ESFA-V-405-01-0001"  # the Lithuanian project
COMUNICA = ROOT / "tests" / "clients" / "comunica.mjs"
COMUNICA_CLI = ROOT / "node_modules" / ".bin" / "comunica-sparql"
# Comunica sends a query as GET below this URL length and as a form POST from it on (its actor's
# `forceGetIfUrlLengthBelow`, default 600).
COMUNICA_GET_LIMIT = 600

# SPARQLWrapper turns RDF/XML and JSON-LD into an rdflib ConjunctiveGraph, which rdflib 7 deprecates.
CONJUNCTIVE_GRAPH = "ignore:ConjunctiveGraph is deprecated, use Dataset instead.:DeprecationWarning"

Title = tuple[str, str, str]  # (project IRI, text, language tag)


@dataclass(frozen=True)
class Sample:
    """The live server's endpoint, the queries every client runs and the answers data/*.json implies."""

    endpoint: str
    project: str
    title: Literal
    titles: frozenset[Title]
    select: str
    ask_true: str
    ask_false: str
    construct: str
    describe: str
    project_class: str


def data_titles(ns: Namespaces) -> frozenset[Title]:
    """Every project title in data/*.json, with the IRI the server gives its project."""
    titles = set()
    for path in sorted(DATA.glob("*.json")):
        for project in json.loads(path.read_text(encoding="utf-8"))["projects"]:
            for language, text in project["title"].items():
                titles.add((ns.project(project["id"]).value, text, language))
    return frozenset(titles)


@pytest.fixture(scope="module")
def sample(live_server: LiveServer) -> Sample:
    ns = Namespaces(live_server.url)
    titles = data_titles(ns)
    project = ns.project(CODE).value
    [(text, language)] = [(text, language) for iri, text, language in titles if iri == project]
    assert language == "lt"
    prologue = f"PREFIX dcterms: <{DCTERMS}>\nPREFIX lodcat: <{ns.vocab}>\n"
    titled = "WHERE { ?project a lodcat:Project ; dcterms:title ?title }"
    title = Literal(text, lang=language)
    return Sample(
        endpoint=live_server.url + "sparql",
        project=project,
        title=title,
        titles=titles,
        select=f"{prologue}SELECT ?project ?title {titled}",
        ask_true=prologue + f"ASK {{ <{project}> dcterms:title {title.n3()} }}",
        # The same text under another language tag is another literal.
        ask_false=prologue + f"ASK {{ <{project}> dcterms:title {Literal(text, lang='cs').n3()} }}",
        construct=f"{prologue}CONSTRUCT {{ ?project dcterms:title ?title }} {titled}",
        describe=f"DESCRIBE <{project}>",
        project_class=ns.term("Project").value,
    )


def graph_titles(triples: Iterable[tuple[Any, Any, Any]]) -> frozenset[Title]:
    """The (subject, text, language) of every dcterms:title triple, failing on anything else."""
    titles = set()
    for subject, predicate, title in triples:
        assert predicate == DCTERMS.title
        assert isinstance(title, Literal)
        assert title.language is not None
        titles.add((str(subject), str(title), title.language))
    return frozenset(titles)


def check_description(graph: Graph, sample: Sample) -> None:
    """A DESCRIBE of the project: its title and class, and statements about it and nothing else named."""
    project = URIRef(sample.project)
    assert (project, DCTERMS.title, sample.title) in graph
    assert (project, RDF.type, URIRef(sample.project_class)) in graph
    assert {subject for subject in graph.subjects() if isinstance(subject, URIRef)} == {project}


# SPARQLWrapper ----------------------------------------------------------------------------------------

# (method, request method): GET, a form POST and a POST of the query itself.
SPARQLWRAPPER_METHODS = [
    pytest.param(None, None, id="GET"),
    pytest.param(POST, URLENCODED, id="POST-form"),
    pytest.param(POST, POSTDIRECTLY, id="POST-query"),
]


def sparqlwrapper(
    sample: Sample,
    query: str,
    return_format: str | None = None,
    method: str | None = None,
    request_method: str | None = None,
) -> Any:
    """Run `query` as SPARQLWrapper does with these settings (None: its default) and convert the answer."""
    client = SPARQLWrapper(sample.endpoint)
    client.setQuery(query)
    if return_format is not None:
        client.setReturnFormat(return_format)
    if method is not None:
        client.setMethod(method)
    if request_method is not None:
        client.setRequestMethod(request_method)
    return client.queryAndConvert()


def xml_bindings(document: Document) -> list[dict[str, Element]]:
    """The rows of a SPARQL XML result: variable name -> the <uri>, <literal> or <bnode> element."""
    rows = []
    for result in document.getElementsByTagName("result"):
        row = {}
        for binding in result.getElementsByTagName("binding"):
            [value] = [node for node in binding.childNodes if isinstance(node, Element)]
            row[binding.getAttribute("name")] = value
        rows.append(row)
    return rows


def text_of(element: Element) -> str:
    return "".join(node.data for node in element.childNodes if node.nodeType == node.TEXT_NODE)


@pytest.mark.parametrize(("method", "request_method"), SPARQLWRAPPER_METHODS)
def test_sparqlwrapper_select_json_gives_every_project_title(
    sample: Sample, method: str | None, request_method: str | None
) -> None:
    results = sparqlwrapper(sample, sample.select, JSON, method, request_method)
    assert results["head"]["vars"] == ["project", "title"]
    rows = results["results"]["bindings"]
    assert {
        (row["project"]["value"], row["title"]["value"], row["title"]["xml:lang"]) for row in rows
    } == sample.titles
    assert len(rows) == len(sample.titles) == 5


def test_sparqlwrapper_select_by_default_reads_sparql_xml(sample: Sample) -> None:
    document = sparqlwrapper(sample, sample.select)
    assert isinstance(document, Document)
    rows = xml_bindings(document)
    assert {
        (text_of(row["project"]), text_of(row["title"]), row["title"].getAttribute("xml:lang"))
        for row in rows
    } == sample.titles
    assert all(row["project"].tagName == "uri" and row["title"].tagName == "literal" for row in rows)


@pytest.mark.parametrize(("method", "request_method"), SPARQLWRAPPER_METHODS)
@pytest.mark.parametrize("return_format", [JSON, XML])
def test_sparqlwrapper_ask_true_and_false(
    sample: Sample, return_format: str, method: str | None, request_method: str | None
) -> None:
    answers = []
    for query in (sample.ask_true, sample.ask_false):
        result = sparqlwrapper(sample, query, return_format, method, request_method)
        if return_format == JSON:
            answers.append(result["boolean"])
        else:
            [boolean] = result.getElementsByTagName("boolean")
            answers.append({"true": True, "false": False}[text_of(boolean)])
    assert answers == [True, False]


def sparqlwrapper_graph(sample: Sample, query: str, return_format: str | None, method: str | None) -> Graph:
    """A CONSTRUCT or DESCRIBE through SPARQLWrapper as an rdflib Graph: SPARQLWrapper parses RDF/XML
    (the default) and JSON-LD itself and hands Turtle back as bytes."""
    result = sparqlwrapper(sample, query, return_format, method)
    if return_format == TURTLE:
        assert isinstance(result, bytes)
        return Graph().parse(data=result, format="turtle")
    assert isinstance(result, Graph)
    return result


GRAPH_FORMATS = [
    pytest.param(None, marks=pytest.mark.filterwarnings(CONJUNCTIVE_GRAPH), id="default-RDF/XML"),
    pytest.param(TURTLE, id="Turtle"),
    pytest.param(JSONLD, marks=pytest.mark.filterwarnings(CONJUNCTIVE_GRAPH), id="JSON-LD"),
]


@pytest.mark.parametrize("method", [None, POST], ids=["GET", "POST-form"])
@pytest.mark.parametrize("return_format", GRAPH_FORMATS)
def test_sparqlwrapper_construct_gives_the_title_triples(
    sample: Sample, return_format: str | None, method: str | None
) -> None:
    graph = sparqlwrapper_graph(sample, sample.construct, return_format, method)
    assert graph_titles(graph) == sample.titles
    assert len(graph) == 5


@pytest.mark.parametrize("method", [None, POST], ids=["GET", "POST-form"])
@pytest.mark.parametrize("return_format", GRAPH_FORMATS)
def test_sparqlwrapper_describe_gives_the_project(
    sample: Sample, return_format: str | None, method: str | None
) -> None:
    check_description(sparqlwrapper_graph(sample, sample.describe, return_format, method), sample)


# rdflib SPARQLStore -----------------------------------------------------------------------------------

SPARQLSTORE_METHODS = ["GET", "POST", "POST_FORM"]  # GET is the default; POST sends the query itself


def sparqlstore_query(sample: Sample, query: str, method: str, return_format: str = "xml") -> Result:
    graph = Graph(store=SPARQLStore(sample.endpoint, method=method, returnFormat=return_format))
    return graph.query(query)


@pytest.mark.parametrize("return_format", ["xml", "json"])  # xml is the default
@pytest.mark.parametrize("method", SPARQLSTORE_METHODS)
def test_sparqlstore_select_gives_every_project_title(
    sample: Sample, method: str, return_format: str
) -> None:
    result = sparqlstore_query(sample, sample.select, method, return_format)
    assert result.type == "SELECT"
    titles = set()
    for row in result:
        assert isinstance(row, ResultRow)
        assert isinstance(row.project, URIRef)
        assert isinstance(row.title, Literal)
        assert row.title.language is not None
        titles.add((str(row.project), str(row.title), row.title.language))
    assert titles == sample.titles
    assert len(result) == 5


@pytest.mark.parametrize("return_format", ["xml", "json"])
@pytest.mark.parametrize("method", SPARQLSTORE_METHODS)
def test_sparqlstore_ask_true_and_false(sample: Sample, method: str, return_format: str) -> None:
    answers = [
        sparqlstore_query(sample, query, method, return_format).askAnswer
        for query in (sample.ask_true, sample.ask_false)
    ]
    assert answers == [True, False]


@pytest.mark.parametrize("method", SPARQLSTORE_METHODS)
def test_sparqlstore_construct_gives_the_title_triples(sample: Sample, method: str) -> None:
    result = sparqlstore_query(sample, sample.construct, method)
    assert result.graph is not None
    assert graph_titles(result.graph) == sample.titles
    assert len(result.graph) == 5


@pytest.mark.parametrize("method", SPARQLSTORE_METHODS)
def test_sparqlstore_describe_gives_the_project(sample: Sample, method: str) -> None:
    result = sparqlstore_query(sample, sample.describe, method)
    assert result.graph is not None
    check_description(result.graph, sample)


@pytest.mark.parametrize("method", SPARQLSTORE_METHODS)
def test_sparqlstore_graph_reads_triples_through_the_endpoint(sample: Sample, method: str) -> None:
    """rdflib's Graph API over the store: each call becomes a SELECT (or ASK) sent to the endpoint."""
    graph = Graph(store=SPARQLStore(sample.endpoint, method=method))
    project = URIRef(sample.project)
    assert graph.value(project, DCTERMS.title) == sample.title
    assert (project, RDF.type, URIRef(sample.project_class)) in graph
    assert (project, DCTERMS.title, Literal(str(sample.title), lang="cs")) not in graph


# Comunica ---------------------------------------------------------------------------------------------


def node() -> str:
    """The node executable, with Comunica installed beside the project (`make test` runs `npm ci`)."""
    executable = shutil.which("node")
    if executable is None:
        pytest.fail("node is not on PATH; the Comunica tests need Node.js 20 or later")
    if not (ROOT / "node_modules" / "@comunica" / "query-sparql").is_dir():
        pytest.fail("@comunica/query-sparql is not installed: run `make node_modules/.installed` (npm ci)")
    return executable


def comunica(sample: Sample, query: str) -> dict[str, Any]:
    """The answer of tests/clients/comunica.mjs for `query` against the live endpoint."""
    completed = subprocess.run(
        [node(), str(COMUNICA), sample.endpoint, query],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return cast(dict[str, Any], json.loads(completed.stdout))


def comunica_term(term: dict[str, Any]) -> URIRef | Literal:
    if term["termType"] == "NamedNode":
        return URIRef(term["value"])
    assert term["termType"] == "Literal", term
    if term["language"]:
        return Literal(term["value"], lang=term["language"])
    return Literal(term["value"], datatype=URIRef(term["datatype"]))


def comunica_graph(answer: dict[str, Any]) -> Graph:
    assert answer["type"] == "quads"
    graph = Graph()
    for quad in answer["quads"]:
        graph.add(
            (comunica_term(quad["subject"]), comunica_term(quad["predicate"]), comunica_term(quad["object"]))
        )
    return graph


def comunica_titles(answer: dict[str, Any]) -> frozenset[Title]:
    assert answer["type"] == "bindings"
    titles = set()
    for row in answer["bindings"]:
        project, title = comunica_term(row["project"]), comunica_term(row["title"])
        assert isinstance(project, URIRef)
        assert isinstance(title, Literal)
        assert title.language is not None
        titles.add((str(project), str(title), title.language))
    return frozenset(titles)


def test_comunica_select_gives_every_project_title(sample: Sample) -> None:
    answer = comunica(sample, sample.select)
    assert comunica_titles(answer) == sample.titles
    assert len(answer["bindings"]) == 5


def test_comunica_select_too_long_for_get_is_posted_as_a_form(sample: Sample) -> None:
    """Comunica POSTs a form once the GET URL would reach its limit; the answer is the same."""
    absent = " ".join(f"<{sample.project}-absent-{index:02}>" for index in range(20))
    values = f"WHERE {{ VALUES ?project {{ <{sample.project}> {absent} }} "
    query = sample.select.replace("WHERE { ", values, 1)
    assert len(sample.endpoint + "?" + urlencode({"query": query})) >= COMUNICA_GET_LIMIT
    answer = comunica(sample, query)
    titles = comunica_titles(answer)
    assert titles == {title for title in sample.titles if title[0] == sample.project}


def test_comunica_ask_true_and_false(sample: Sample) -> None:
    answers = [comunica(sample, query) for query in (sample.ask_true, sample.ask_false)]
    assert answers == [{"type": "boolean", "boolean": True}, {"type": "boolean", "boolean": False}]


def test_comunica_construct_gives_the_title_triples(sample: Sample) -> None:
    graph = comunica_graph(comunica(sample, sample.construct))
    assert graph_titles(graph) == sample.titles
    assert len(graph) == 5


def test_comunica_describe_gives_the_project(sample: Sample) -> None:
    check_description(comunica_graph(comunica(sample, sample.describe)), sample)


def test_comunica_cli_identifies_the_endpoint_from_its_service_description(sample: Sample) -> None:
    """`comunica-sparql URL QUERY`, the documented command line: the source has no type, so Comunica
    reads the URL's service description to learn that it is a SPARQL endpoint."""
    node()
    completed = subprocess.run(
        [str(COMUNICA_CLI), sample.endpoint, "-t", "application/sparql-results+json", sample.select],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    rows = json.loads(completed.stdout)["results"]["bindings"]
    assert {
        (row["project"]["value"], row["title"]["value"], row["title"]["xml:lang"]) for row in rows
    } == sample.titles
    assert completed.stderr == ""
