"""The W3C SPARQL 1.1 test suite in ../shared/external/sparql11-tests: manifests, results, equivalence.

Manifests are read with rdflib (https://w3c.github.io/rdf-tests/sparql/sparql11/ describes their
vocabulary); each entry becomes a `QueryCase` or a `ProtocolCase`. Results, expected or received, are
read with rdflib's parsers (SPARQL XML, JSON, CSV, TSV; Turtle for graphs and `rs:ResultSet`s), which
share no code with the serializers under test, and compared as the suite asks: IRIs equal, literals equal
by value (numbers and booleans in canonical form), blank nodes up to renaming. Row order is checked when
the query's own ORDER BY orders the rows, which is stricter than the suite (it asks that only of
results written with rs:index).
"""

from __future__ import annotations

import io
import math
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import unquote, urlparse

import pyoxigraph
import rdflib
from pyoxigraph import RdfFormat
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS
from rdflib.plugins.sparql.results.rdfresults import RDFResult
from rdflib.query import Result
from rdflib.term import Node

from api.sparql import skeleton
from tests.conftest import SHARED

SUITE = SHARED / "external" / "sparql11-tests" / "w3c+rdf-tests" / "sparql" / "sparql11"

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
RS = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/result-set#")
DAWGT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-dawg#")
XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
INTEGER_TYPES = {
    XSD + name
    for name in (
        "integer",
        "nonPositiveInteger",
        "negativeInteger",
        "long",
        "int",
        "short",
        "byte",
        "nonNegativeInteger",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
        "positiveInteger",
    )
}

# Media type -> rdflib parser name, for SPARQL results and for RDF graphs.
RESULT_PARSERS = {
    "application/sparql-results+xml": "xml",
    "application/sparql-results+json": "json",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_PARSERS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
}
SUFFIX_MEDIA_TYPES = {
    ".srx": "application/sparql-results+xml",
    ".srj": "application/sparql-results+json",
    ".csv": "text/csv",
    ".tsv": "text/tab-separated-values",
    ".ttl": "text/turtle",
    ".nt": "application/n-triples",
    ".rdf": "application/rdf+xml",
}


def path_of(node: Node) -> Path:
    """The local file a `file:` IRI in a manifest names (the suite's folder holds a '+', escaped)."""
    return Path(unquote(urlparse(str(node)).path))


def read_triples(path: Path, base: str) -> list[pyoxigraph.Triple]:
    """The triples of a test's data file (Turtle, RDF/XML or N-Triples), relative IRIs against `base`."""
    formats = {".ttl": RdfFormat.TURTLE, ".rdf": RdfFormat.RDF_XML, ".nt": RdfFormat.N_TRIPLES}
    return [quad.triple for quad in pyoxigraph.parse(path=path, format=formats[path.suffix], base_iri=base)]


def object_of(graph: Graph, subject: Node | None, predicate: URIRef) -> Node:
    """The one object of (subject, predicate); AssertionError naming both if the manifest has none."""
    found = graph.value(subject, predicate)
    assert found is not None, f"{subject} has no {predicate}"
    return found


def items(graph: Graph, subject: Node | None, predicate: URIRef) -> list[Node]:
    """The members of the RDF list that is the object of (subject, predicate), or [] without one."""
    head = graph.value(subject, predicate)
    return list(Collection(graph, head)) if head is not None else []


def read_manifest(folder: str) -> tuple[Graph, list[Node]]:
    """The manifest graph of one suite folder and its `mf:entries`, in order."""
    graph = Graph().parse(SUITE / folder / "manifest.ttl", format="turtle")
    return graph, items(graph, graph.value(predicate=RDF.type, object=MF.Manifest), MF.entries)


def included_suites() -> list[str]:
    """The folders `manifest-all.ttl` includes: every suite of SPARQL 1.1, shipped here or not."""
    graph = Graph().parse(SUITE / "manifest-all.ttl", format="turtle")
    manifest = graph.value(predicate=RDF.type, object=MF.Manifest)
    return [path_of(item).parent.name for item in items(graph, manifest, MF.include)]


# -- query evaluation tests ----------------------------------------------------------------------------


@dataclass(frozen=True)
class QueryCase:
    """One entry of a query suite: a query, its dataset and the result it must give (or a syntax test)."""

    suite: str
    name: str
    kind: str  # the local name of the entry's type: QueryEvaluationTest, NegativeSyntaxTest11, ...
    title: str
    query: Path
    data: tuple[Path, ...]
    graph_data: tuple[Path, ...]
    result: Path | None
    approved: bool  # dawgt:approval dawgt:Approved: part of the suite the Working Group approved

    @property
    def id(self) -> str:
        return f"{self.suite}/{self.name}"

    @property
    def syntax_only(self) -> bool:
        return "Syntax" in self.kind

    @property
    def expects_syntax_error(self) -> bool:
        return self.kind.startswith("Negative")

    def text(self) -> str:
        return self.query.read_text(encoding="utf-8")


def query_cases(folder: str) -> list[QueryCase]:
    """The entries of one query suite, in manifest order."""
    graph, entries = read_manifest(folder)
    cases = []
    for entry in entries:
        kind = str(object_of(graph, entry, RDF.type)).rpartition("#")[2]
        action = object_of(graph, entry, MF.action)
        result = graph.value(entry, MF.result)
        query = object_of(graph, action, QT.query) if (action, None, None) in graph else action
        cases.append(
            QueryCase(
                suite=folder,
                name=str(entry).rpartition("#")[2],
                kind=kind,
                title=str(graph.value(entry, MF.name)),
                query=path_of(query),
                data=tuple(sorted(path_of(node) for node in graph.objects(action, QT.data))),
                graph_data=tuple(sorted(path_of(node) for node in graph.objects(action, QT.graphData))),
                result=path_of(result) if result is not None else None,
                approved=(entry, DAWGT.approval, DAWGT.Approved) in graph,
            )
        )
    return cases


def orders_solutions(query: str) -> bool:
    """Whether the query's own solution modifiers (after its last '}') have ORDER BY; an ORDER BY
    inside a subquery orders nothing the client sees."""
    bare = skeleton(query)
    return re.search(r"\bORDER\s+BY\b", bare[bare.rfind("}") + 1 :], re.IGNORECASE) is not None


# -- protocol tests ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HttpExchange:
    """One `ht:Request` of a protocol test and what its `ht:resp` expects."""

    method: str
    path: str  # starts with /sparql/, which the runner replaces with the endpoint's path
    headers: tuple[tuple[str, str], ...]
    body: bytes | None
    statuses: tuple[int, ...]  # acceptable status classes: 2 for hts:StatusCode2xx, ...
    result_format: str | None  # "boolean", "tabular" or "RDF"
    boolean: bool | None


@dataclass(frozen=True)
class ProtocolCase:
    name: str
    title: str
    exchanges: tuple[HttpExchange, ...]
    graphs: tuple[tuple[str, Path], ...]  # ut:graphData: (graph IRI, file)

    @property
    def operation(self) -> str:
        """The operation the test exercises, query or update: its name says which (bad_update_get)."""
        return "update" if "update" in self.name else "query"

    @property
    def dataset_parameters(self) -> bool:
        """Whether a request names its dataset with default-graph-uri or named-graph-uri."""
        return any(re.search(r"[?&](default|named)-graph-uri=", e.path) for e in self.exchanges)


def _exchange(graph: Graph, request: Node) -> HttpExchange:
    headers = [
        (str(object_of(graph, header, HT.fieldName)), str(object_of(graph, header, HT.fieldValue)))
        for header in items(graph, request, HT.headers)
    ]
    body = graph.value(request, HT.body)
    encoded = None
    if body is not None:
        encoding = str(graph.value(body, CNT.characterEncoding) or "UTF-8")
        encoded = str(object_of(graph, body, CNT.chars)).encode(encoding)
    response = graph.value(request, HT.resp)
    statuses = sorted(
        int(str(status).rpartition("#")[2][len("StatusCode")])
        for status in graph.objects(response, MF.expectedStatus)
    )
    result_format = graph.value(response, MF.expectedFormat)
    boolean = graph.value(response, MF.expectedBoolean)
    return HttpExchange(
        method=str(object_of(graph, request, HT.methodName)),
        path=str(object_of(graph, request, HT.absolutePath)),
        headers=tuple(headers),
        body=encoded,
        statuses=tuple(statuses),
        result_format=str(result_format) if result_format is not None else None,
        boolean=bool(boolean.toPython()) if isinstance(boolean, Literal) else None,
    )


def protocol_cases() -> list[ProtocolCase]:
    """The entries of protocol/manifest.ttl, in manifest order."""
    graph, entries = read_manifest("protocol")
    cases = []
    for entry in entries:
        graphs = tuple(
            sorted(
                (str(object_of(graph, data, RDFS.label)), path_of(object_of(graph, data, UT.graph)))
                for data in graph.objects(entry, UT.graphData)
            )
        )
        cases.append(
            ProtocolCase(
                name=str(entry).rpartition("#")[2],
                title=str(graph.value(entry, MF.name)),
                exchanges=tuple(
                    _exchange(graph, request)
                    for request in items(graph, object_of(graph, entry, MF.action), HT.requests)
                ),
                graphs=graphs,
            )
        )
    return cases


# -- results -------------------------------------------------------------------------------------------

Term = tuple[str, str, str]  # ("iri", iri, ""), ("bnode", label, ""), ("literal", lexical, datatype or @lang)
Row = tuple[tuple[str, Term], ...]  # (variable, term) pairs of the bound variables, sorted


@dataclass(frozen=True)
class Solutions:
    """A SELECT result, or a graph as the solutions (s, p, o) of its triples."""

    variables: frozenset[str]
    rows: tuple[Row, ...]


Results = Solutions | bool


@contextmanager
def exact_literals() -> Iterator[None]:
    """Keep lexical forms as written: rdflib normally rewrites "01"^^xsd:integer to "1", which would
    hide a wrong lexical form in an answer."""
    saved = rdflib.NORMALIZE_LITERALS
    rdflib.NORMALIZE_LITERALS = False
    try:
        yield
    finally:
        rdflib.NORMALIZE_LITERALS = saved


def canonical(lexical: str, datatype: str) -> str:
    """The canonical form of a numeric or boolean literal's value, so that "2.0"^^xsd:decimal and
    "2"^^xsd:decimal compare equal, as the suite asks ("literal nodes that are compared by value (test
    runners may convert lexical form to canonical form)", https://w3c.github.io/rdf-tests/sparql/sparql11/).
    The datatype is kept: "-3"^^xsd:negativeInteger is not "-3"^^xsd:integer. An ill-typed literal keeps
    its lexical form."""
    text = lexical.strip()
    try:
        if datatype in INTEGER_TYPES and re.fullmatch(r"[+-]?\d+", text):
            return str(int(text))
        if datatype == XSD + "decimal" and re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)", text):
            value = Decimal(text)
            return "0" if value == 0 else str(value.normalize())
        if datatype in (XSD + "double", XSD + "float"):
            number = float(text)
            return "NaN" if math.isnan(number) else repr(number)
    except (ValueError, InvalidOperation):
        return lexical
    if datatype == XSD + "boolean":
        return {"1": "true", "0": "false"}.get(text, text)
    return lexical


def term(node: Node) -> Term:
    """RDF term equality as RDF 1.1 defines it (a simple literal is an xsd:string, language tags compare
    case-insensitively), with numeric and boolean literals compared by value."""
    if isinstance(node, URIRef):
        return ("iri", str(node), "")
    if isinstance(node, BNode):
        return ("bnode", str(node), "")
    if isinstance(node, Literal):
        if node.language:
            return ("literal", str(node), "@" + node.language.lower())
        datatype = str(node.datatype or XSD_STRING)
        return ("literal", canonical(str(node), datatype), datatype)
    raise ValueError(f"not an RDF term: {node!r}")


def _row(bindings: Mapping[str, Node | None]) -> Row:
    return tuple(sorted((name, term(value)) for name, value in bindings.items() if value is not None))


def graph_solutions(graph: Graph) -> Solutions:
    rows = tuple(_row({"s": s, "p": p, "o": o}) for s, p, o in graph)
    return Solutions(frozenset({"s", "p", "o"}), rows)


def _from_result(result: Result) -> Results:
    if result.type == "ASK":
        return bool(result.askAnswer)
    variables = frozenset(str(variable) for variable in result.vars or [])
    rows = tuple(_row({str(name): value for name, value in bindings.items()}) for bindings in result.bindings)
    return Solutions(variables, rows)


def read_results(body: bytes, media_type: str, base: str) -> Results:
    """A SPARQL result or an RDF graph in `media_type`; relative IRIs (in Turtle results) against `base`.

    A graph holding an `rs:ResultSet` is a result set written in RDF, as some expected results are.
    """
    with exact_literals():
        if media_type in RESULT_PARSERS:
            return _from_result(Result.parse(io.BytesIO(body), format=RESULT_PARSERS[media_type]))
        graph = Graph().parse(data=body, format=GRAPH_PARSERS[media_type], publicID=base)
        if (None, RDF.type, RS.ResultSet) in graph:
            return _from_result(RDFResult(graph))
        return graph_solutions(graph)


def expected_results(case: QueryCase, base: str) -> Results:
    assert case.result is not None
    media_type = SUFFIX_MEDIA_TYPES[case.result.suffix]
    return read_results(case.result.read_bytes(), media_type, base + case.result.name)


def _unify(
    expected: Row, actual: Row, mapping: dict[str, str], reverse: dict[str, str]
) -> tuple[dict[str, str], dict[str, str]] | None:
    """The blank node mapping extended so that `expected` is `actual`, or None if it cannot be."""
    if len(expected) != len(actual):
        return None
    mapping, reverse = dict(mapping), dict(reverse)
    for (name, want), (other, got) in zip(expected, actual, strict=True):
        if name != other:
            return None
        if want[0] == "bnode" and got[0] == "bnode":
            if (
                mapping.setdefault(want[1], got[1]) != got[1]
                or reverse.setdefault(got[1], want[1]) != want[1]
            ):
                return None
        elif want != got:
            return None
    return mapping, reverse


def _has_bnode(row: Row) -> bool:
    return any(value[0] == "bnode" for _, value in row)


def _match(
    expected: Sequence[Row], actual: Sequence[Row], mapping: dict[str, str], reverse: dict[str, str]
) -> bool:
    """Backtracking search for a row bijection under one blank node bijection (the sets are small)."""
    if not expected:
        return True
    first, rest = expected[0], expected[1:]
    for index, candidate in enumerate(actual):
        unified = _unify(first, candidate, mapping, reverse)
        if unified is not None and _match(rest, [*actual[:index], *actual[index + 1 :]], *unified):
            return True
    return False


def difference(expected: Results, actual: Results, ordered: bool = False) -> str | None:
    """None if `actual` is equivalent to `expected` (blank nodes up to renaming, row order only when
    `ordered`), else what differs."""
    if isinstance(expected, bool) or isinstance(actual, bool):
        return None if expected == actual else f"expected {expected!r}, got {actual!r}"
    if expected.variables != actual.variables:
        return f"variables: expected {sorted(expected.variables)}, got {sorted(actual.variables)}"
    if len(expected.rows) != len(actual.rows):
        return f"expected {len(expected.rows)} rows, got {len(actual.rows)}: {_show(actual.rows)}"
    if ordered:
        mapping: tuple[dict[str, str], dict[str, str]] | None = ({}, {})
        for index, (want, got) in enumerate(zip(expected.rows, actual.rows, strict=True)):
            mapping = _unify(want, got, *mapping) if mapping is not None else None
            if mapping is None:
                return f"row {index}: expected {want}, got {got}"
        return None
    ground_expected = Counter(row for row in expected.rows if not _has_bnode(row))
    ground_actual = Counter(row for row in actual.rows if not _has_bnode(row))
    if ground_expected != ground_actual:
        missing = list((ground_expected - ground_actual).elements())
        extra = list((ground_actual - ground_expected).elements())
        return f"missing rows {_show(missing)}; unexpected rows {_show(extra)}"
    with_bnodes = [row for row in expected.rows if _has_bnode(row)]
    candidates = [row for row in actual.rows if _has_bnode(row)]
    if not _match(with_bnodes, candidates, {}, {}):
        return f"no blank node mapping makes {_show(candidates)} into {_show(with_bnodes)}"
    return None


def _show(rows: Sequence[Row]) -> str:
    shown = [dict(row) for row in rows[:5]]
    return f"{shown}{' ...' if len(rows) > 5 else ''}"
