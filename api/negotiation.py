"""Accept header or file suffix -> format: one media-type table, q-values, wildcards, 406.

Every representation lodcat serves is a `Format` in `FORMATS`: its media type, the suffix that names it
in a URL (`/doc/project/X.ttl`), and pyoxigraph's `RdfFormat` or `QueryResultsFormat` for it. An
endpoint offers a tuple of formats, best first; `negotiate()` picks one for a request. Everything here is
a pure function of its arguments, so it is tested without a server.

Negotiation follows RFC 9110, section 12.5.1 (https://www.rfc-editor.org/rfc/rfc9110#name-accept): the
most specific media range that matches a format gives its weight, `q=0` means "not acceptable", and
among equal weights the endpoint's order decides. A suffix beats the header: `/doc/project/X.ttl` is
Turtle whatever the client accepts, which makes every format linkable.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pyoxigraph import (
    Literal,
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    Triple,
    serialize,
)

from api.errors import NotAcceptable
from loader.namespaces import Namespaces

VARY = {"Vary": "Accept"}


@dataclass(frozen=True)
class Format:
    """One representation: its media type, aliases clients send for it, and how to serialize it."""

    name: str
    media_type: str
    suffix: str | None = None
    rdf: RdfFormat | None = None
    results: QueryResultsFormat | None = None
    aliases: tuple[str, ...] = ()

    @property
    def content_type(self) -> str:
        """The Content-Type header value; text formats say they are UTF-8."""
        textual = self.media_type.startswith("text/") or self.media_type == "application/n-triples"
        return f"{self.media_type}; charset=utf-8" if textual else self.media_type

    def accepts(self, media_type: str) -> bool:
        return media_type == self.media_type or media_type in self.aliases


TURTLE = Format("Turtle", "text/turtle", "ttl", rdf=RdfFormat.TURTLE, aliases=("application/x-turtle",))
N_TRIPLES = Format("N-Triples", "application/n-triples", "nt", rdf=RdfFormat.N_TRIPLES)
JSON_LD = Format(
    "JSON-LD", "application/ld+json", "jsonld", rdf=RdfFormat.JSON_LD, aliases=("application/json",)
)
RDF_XML = Format("RDF/XML", "application/rdf+xml", "rdf", rdf=RdfFormat.RDF_XML, aliases=("application/xml",))
N_QUADS = Format("N-Quads", "application/n-quads", "nq", rdf=RdfFormat.N_QUADS)
TRIG = Format("TriG", "application/trig", "trig", rdf=RdfFormat.TRIG)
SPARQL_JSON = Format(
    "SPARQL JSON",
    "application/sparql-results+json",
    "srj",
    results=QueryResultsFormat.JSON,
    aliases=("application/json",),
)
SPARQL_XML = Format(
    "SPARQL XML",
    "application/sparql-results+xml",
    "srx",
    results=QueryResultsFormat.XML,
    aliases=("application/xml",),
)
CSV = Format("CSV", "text/csv", "csv", results=QueryResultsFormat.CSV)
TSV = Format("TSV", "text/tab-separated-values", "tsv", results=QueryResultsFormat.TSV)
HTML = Format("HTML", "text/html", "html", aliases=("application/xhtml+xml",))

FORMATS: tuple[Format, ...] = (
    TURTLE,
    N_TRIPLES,
    JSON_LD,
    RDF_XML,
    N_QUADS,
    TRIG,
    SPARQL_JSON,
    SPARQL_XML,
    CSV,
    TSV,
    HTML,
)

# What each kind of endpoint offers, best first: the first one is the default for `*/*` or no Accept.
SOLUTIONS: tuple[Format, ...] = (SPARQL_JSON, SPARQL_XML, CSV, TSV)
GRAPH: tuple[Format, ...] = (TURTLE, N_TRIPLES, JSON_LD, RDF_XML)
DOCUMENT: tuple[Format, ...] = (*GRAPH, HTML)


@dataclass(frozen=True)
class MediaRange:
    """One element of an Accept header: `type/subtype` (either may be `*`) and its weight."""

    type: str
    subtype: str
    q: float

    @property
    def specificity(self) -> int:
        """2 for `text/turtle`, 1 for `text/*`, 0 for `*/*`: the most specific matching range wins."""
        return (self.type != "*") + (self.subtype != "*")

    def matches(self, media_type: str) -> bool:
        type_, _, subtype = media_type.partition("/")
        return self.type in ("*", type_) and self.subtype in ("*", subtype)


def _weight(raw: str) -> float | None:
    """The value of a `q` parameter, or None if it is not a qvalue (RFC 9110, section 12.4.2)."""
    try:
        q = float(raw)
    except ValueError:
        return None
    return q if 0.0 <= q <= 1.0 else None


def parse_accept(header: str) -> list[MediaRange]:
    """The media ranges of an Accept header; malformed elements are skipped, parameters other than `q`
    are ignored, and the ranges keep their order (`q` and specificity decide later)."""
    ranges = []
    for element in header.split(","):
        media_type, *parameters = (part.strip() for part in element.split(";"))
        type_, slash, subtype = media_type.lower().partition("/")
        if not slash or not type_ or not subtype or (type_ == "*" and subtype != "*"):
            continue
        q: float | None = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                q = _weight(value.strip())
        if q is not None:
            ranges.append(MediaRange(type_, subtype, q))
    return ranges


def quality(format_: Format, ranges: Sequence[MediaRange]) -> float:
    """The weight the client gives `format_`: that of the most specific range matching it, else 0."""
    best: MediaRange | None = None
    for media_range in ranges:
        if any(media_range.matches(media_type) for media_type in (format_.media_type, *format_.aliases)) and (
            best is None or media_range.specificity > best.specificity
        ):
            best = media_range
    return best.q if best is not None else 0.0


def available(offers: Iterable[Format]) -> str:
    return ", ".join(format_.media_type for format_ in offers)


def negotiate(accept: str | None, offers: Sequence[Format], suffix: Format | None = None) -> Format:
    """Pick the format to answer with: the suffix's if there is one, else the best match for `accept`.

    No Accept header (or an empty one) means the first offer. Raises NotAcceptable (406), listing the
    offered media types, when nothing offered has a weight above zero.
    """
    if suffix is not None:
        return suffix
    if accept is None or not accept.strip():
        return offers[0]
    ranges = parse_accept(accept)
    weighted = [(quality(format_, ranges), -index, format_) for index, format_ in enumerate(offers)]
    q, _, best = max(weighted, key=lambda item: (item[0], item[1]))
    if q <= 0.0:
        raise NotAcceptable(
            f"Nothing here matches Accept: {accept}; available: {available(offers)}",
            headers=dict(VARY),
        )
    return best


def split_suffix(path: str, offers: Iterable[Format]) -> tuple[str, Format | None]:
    """`project/X.ttl` -> (`project/X`, TURTLE). Only a suffix of an offered format is stripped, so
    identifiers with dots (`project/CZ.04.4.83-3.2.03.1-0448`) come back whole with None."""
    stem, dot, suffix = path.rpartition(".")
    if dot and stem and "/" not in suffix:
        for format_ in offers:
            if format_.suffix == suffix:
                return stem, format_
    return path, None


def by_suffix(suffix: str, offers: Iterable[Format]) -> Format | None:
    """The offered format a file suffix (without the dot) names, or None."""
    return next((format_ for format_ in offers if format_.suffix == suffix), None)


def rdf_prefixes(ns: Namespaces) -> dict[str, str]:
    """Prefixes for Turtle, RDF/XML and JSON-LD output (one table: `Namespaces.prefixes`)."""
    return ns.prefixes()


def write_results(result: QuerySolutions | QueryBoolean, format_: Format) -> bytes:
    """SELECT or ASK results in a SPARQL results format (`format_.results`)."""
    if format_.results is None:
        raise ValueError(f"{format_.name} is not a SPARQL results format")
    output = io.BytesIO()
    result.serialize(output, format=format_.results)
    return output.getvalue()


def write_graph(triples: Iterable[Triple], format_: Format, ns: Namespaces) -> bytes:
    """Triples in an RDF format (`format_.rdf`), declaring those of lodcat's prefixes that they use."""
    if format_.rdf is None:
        raise ValueError(f"{format_.name} is not an RDF format")
    triples = list(triples)
    output = io.BytesIO()
    serialize(triples, output, format=format_.rdf, prefixes=used_prefixes(triples, rdf_prefixes(ns)))
    return output.getvalue()


def used_prefixes(triples: Iterable[Triple], prefixes: dict[str, str]) -> dict[str, str]:
    """The entries of `prefixes` whose namespace starts an IRI in `triples` (or a datatype of one)."""
    iris = set()
    for triple in triples:
        for term in (triple.subject, triple.predicate, triple.object):
            if isinstance(term, NamedNode):
                iris.add(term.value)
            elif isinstance(term, Literal) and not term.language:
                iris.add(term.datatype.value)
    return {
        prefix: namespace
        for prefix, namespace in prefixes.items()
        if any(iri.startswith(namespace) for iri in iris)
    }
