"""Triples under construction for the documents lodcat writes about its dataset (/catalog, VoID), and
the response that serializes them.

Their nodes are hash IRIs of the document describing them (`{base}catalog#...`), never blank nodes, and
the triples are sorted before they are written, so the same data gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from string import Template

from fastapi.responses import Response
from pyoxigraph import Literal, NamedNode, QuerySolutions, Triple, serialize

from api.errors import NotFound
from api.negotiation import GRAPH, VARY, Format, by_suffix, rdf_prefixes
from loader.namespaces import XSD, Namespaces
from loader.store import LodStore

VCARD = "http://www.w3.org/2006/vcard/ns#"
SPDX = "http://spdx.org/rdf/terms#"
DCATAP = "http://data.europa.eu/r5r/"
TIME = "http://www.w3.org/2006/time#"
# Prefixes of the vocabularies these documents use beyond lodcat's own table (`Namespaces.prefixes`).
PREFIXES = {"vcard": VCARD, "spdx": SPDX, "dcatap": DCATAP, "time": TIME}


def iri(value: str) -> NamedNode:
    return NamedNode(value)


def text(value: str, tag: str | None = None) -> Literal:
    return Literal(value, language=tag)


def typed(value: str | int, datatype: str) -> Literal:
    """A literal of the XML Schema datatype named `datatype` (`"integer"`, `"hexBinary"`)."""
    return Literal(str(value), datatype=NamedNode(XSD + datatype))


def select(store: LodStore, query: str, **values: str) -> QuerySolutions:
    """Run a SELECT whose `$name` placeholders are filled from `values` (SPARQL itself uses `?`)."""
    result = store.query(Template(query).substitute(values))
    assert isinstance(result, QuerySolutions)
    return result


def named(term: object) -> NamedNode:
    assert isinstance(term, NamedNode), term
    return term


def literal(term: object) -> Literal:
    assert isinstance(term, Literal), term
    return term


class Graph:
    """Triples under construction, each kept once."""

    def __init__(self) -> None:
        self._triples: dict[Triple, None] = {}

    def add(self, subject: NamedNode, predicate: str, *objects: NamedNode | Literal) -> None:
        for value in objects:
            self._triples[Triple(subject, iri(predicate), value)] = None

    def texts(self, subject: NamedNode, predicate: str, texts: Mapping[str, str]) -> None:
        self.add(subject, predicate, *(text(value, tag) for tag, value in texts.items()))

    def triples(self) -> list[Triple]:
        """Sorted, so Turtle states each subject once and the same triples give the same bytes."""
        return sorted(self._triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def rdf_response(
    triples: Sequence[Triple],
    format_: Format,
    ns: Namespaces,
    location: str,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """`triples` in `format_`, with Vary: Accept and Content-Location: `location` (plus `headers`)."""
    assert format_.rdf is not None
    body = serialize(triples, format=format_.rdf, prefixes={**rdf_prefixes(ns), **PREFIXES})
    return Response(
        body,
        media_type=format_.content_type,
        headers={**VARY, "Content-Location": location, **(headers or {})},
    )


def graph_format(suffix: str) -> Format:
    """The RDF format a path suffix names (`ttl`, `nt`, `jsonld`, `rdf`). Raises NotFound for another."""
    format_ = by_suffix(suffix, GRAPH)
    if format_ is None:
        offered = ", ".join(f".{offer.suffix}" for offer in GRAPH)
        raise NotFound(f"No representation has the suffix .{suffix}; available: {offered}")
    return format_
