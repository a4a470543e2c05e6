"""Linked data: every IRI lodcat mints dereferences, and so does the ontology.

Things and their descriptions have different IRIs (https://www.w3.org/TR/cooluris/#r303gendocument):

- `GET {base}id/{path}` answers `303 See Other` with `Location: {base}doc/{path}`, whatever the Accept
  header says; negotiation happens at the document, which is the resource that has representations.
  An IRI nothing in the store describes is a 404 right away, not a redirect to one.
- `GET {base}doc/{path}` is the description of `<{base}id/{path}>` in the format Accept asks for
  (Turtle by default; N-Triples, JSON-LD, RDF/XML, or HTML for browsers), with `Vary: Accept` and a
  `Content-Location` naming the suffix form. `{base}doc/{path}.ttl` (`.nt`, `.jsonld`, `.rdf`,
  `.html`) is one format whatever the Accept header says. Identifiers may contain dots
  (`project/CZ.04.4.83-3.2.03.1-0448`), so a path that names a thing is never read as having a suffix,
  and only a known suffix is stripped.
- `GET {base}ontology` (and `.ttl` etc.) is the ontology graph; its hash IRIs (`{base}ontology#Project`)
  dereference to it, and its HTML page has an anchor per term.

A description holds every triple with the thing as subject, from every graph; the triples of the nodes
the thing owns (IRIs below its own, such as `/id/project/X/indicator/Y`, reached through its links);
and the labels of the IRIs it links to. Blank nodes are not followed (lodcat's data mints none).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pyoxigraph import BlankNode, Literal, NamedNode, QuerySolutions, Triple

from api import page_things, pages
from api.deps import NamespacesDep, StoreDep
from api.errors import NotFound, wants_html
from api.negotiation import (
    DOCUMENT,
    HTML,
    VARY,
    Format,
    by_suffix,
    negotiate,
    rdf_prefixes,
    split_suffix,
    write_graph,
)
from loader.namespaces import DCTERMS, FOAF, RDF, RDFS, SCHEMA, SKOS, Namespaces
from loader.store import LodStore

router = APIRouter(tags=["linked data"])

TEMPLATES = Path(__file__).parent / "templates"
TYPE = NamedNode(RDF + "type")
# Where a label comes from, best first.
LABELS = (RDFS + "label", SKOS + "prefLabel", DCTERMS + "title", FOAF + "name", SCHEMA + "name")
LANGUAGES = ("en", "", "cs")  # a label in English, then an untagged one, then Czech, then any other
AcceptHeader = Annotated[
    str | None,
    Header(description="The representation wanted; a suffix in the path beats it.", examples=["text/turtle"]),
]


@cache
def environment() -> Environment:
    """The Jinja2 environment of api/templates, autoescaping HTML (built on first use, not at import)."""
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(), trim_blocks=True)


# -- reading the store ---------------------------------------------------------------------------------


def _iri(value: str) -> NamedNode | None:
    """`value` as an IRI, or None if it is not one (so it can be written into a query as `<value>`)."""
    try:
        return NamedNode(value)
    except ValueError:
        return None


def _subject(triple: Triple) -> str:
    """The subject IRI of `triple`, or "" for a blank node (pages show IRIs' triples only)."""
    return triple.subject.value if isinstance(triple.subject, NamedNode) else ""


def _values(nodes: Iterable[NamedNode]) -> str:
    return " ".join(f"<{node.value}>" for node in nodes)


def _triples(result: object) -> list[Triple]:
    """The rows `?s ?p ?o` of a SELECT as triples (read here, on the thread that ran the query)."""
    assert isinstance(result, QuerySolutions)
    return [Triple(row["s"], row["p"], row["o"]) for row in result]


def exists(store: LodStore, iri: NamedNode) -> bool:
    """Whether any graph has a triple with `iri` as subject."""
    return bool(store.query(f"ASK {{ <{iri.value}> ?p ?o }}"))


def describe(store: LodStore, iri: NamedNode) -> list[Triple]:
    """The description of `iri`: its triples, its own nodes' triples, and labels of what it links to.

    Own nodes are IRIs below `iri` (`iri/...`) reached by following its links, level by level, so the
    store is read through its subject index only. Duplicates across graphs are kept once.
    """
    described: dict[Triple, None] = {}
    seen = {iri.value}
    frontier = [iri]
    while frontier:
        rows = _triples(
            store.query(f"SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ {_values(frontier)} }} ?s ?p ?o }}")
        )
        frontier = []
        for triple in rows:
            described[triple] = None
            target = triple.object
            if (
                isinstance(target, NamedNode)
                and target.value.startswith(iri.value + "/")
                and target.value not in seen
            ):
                seen.add(target.value)
                frontier.append(target)
    linked = {t.object.value: t.object for t in described if isinstance(t.object, NamedNode)}
    for label in labels(store, [node for value, node in linked.items() if value not in seen]):
        described[label] = None
    return ordered(described, iri.value)


def ordered(triples: Iterable[Triple], first: str = "") -> list[Triple]:
    """`first`'s triples, then the others by subject: Turtle groups consecutive triples of a subject."""
    return sorted(
        triples, key=lambda t: (_subject(t) != first, str(t.subject), str(t.predicate), str(t.object))
    )


def labels(store: LodStore, nodes: Sequence[NamedNode]) -> list[Triple]:
    """The label triples (rdfs:label, skos:prefLabel, dcterms:title, foaf:name, schema:name) of `nodes`."""
    if not nodes:
        return []
    predicates = " ".join(f"<{label}>" for label in LABELS)
    query = (
        f"SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ {_values(nodes)} }} VALUES ?p {{ {predicates} }} ?s ?p ?o }}"
    )
    return _triples(store.query(query))


# -- HTML ----------------------------------------------------------------------------------------------


@dataclass
class Value:
    """One value as shown: text, a link for IRIs, the language tag or datatype of a literal."""

    text: str
    href: str | None = None
    language: str | None = None
    datatype: str | None = None


@dataclass
class Property:
    iri: str
    label: str
    compact: str
    values: list[Value]


@dataclass
class Section:
    """One described node: the page's subject, or one of its own nodes / the ontology's terms."""

    iri: str
    label: str
    anchor: str
    href: str
    types: list[Value] = field(default_factory=list)
    properties: list[Property] = field(default_factory=list)


@dataclass
class Alternate:
    name: str
    media_type: str
    href: str


class Labeller:
    """Labels and links for IRIs, from the label triples at hand."""

    def __init__(self, ns: Namespaces, label_triples: Iterable[Triple], prefixes: dict[str, str]) -> None:
        self.ns = ns
        self.prefixes = prefixes
        found: dict[str, dict[str, list[Literal]]] = {}
        for triple in label_triples:
            if isinstance(triple.object, Literal) and triple.predicate.value in LABELS:
                found.setdefault(_subject(triple), {}).setdefault(triple.predicate.value, []).append(
                    triple.object
                )
        self.found = found

    def label(self, iri: str) -> str | None:
        by_predicate = self.found.get(iri, {})
        for predicate in LABELS:
            if by_predicate.get(predicate):
                return min(by_predicate[predicate], key=_language_rank).value
        return None

    def compact(self, iri: str) -> str:
        """`dcterms:title` for a known namespace, else the IRI."""
        for prefix, namespace in self.prefixes.items():
            local = iri[len(namespace) :]
            if iri.startswith(namespace) and local and all(c.isalnum() or c in "_-" for c in local):
                return f"{prefix}:{local}"
        return iri

    def name(self, iri: str) -> str:
        """The label of `iri`; else, for lodcat's own things, their path (`project/X/participation/...`)."""
        local = iri[len(self.ns.base) + 3 :] if iri.startswith(self.ns.base + "id/") else None
        return self.label(iri) or local or self.compact(iri)

    def property_name(self, iri: str) -> str:
        """The label of a property; else its local name in words (`wasDerivedFrom` -> `was derived from`)."""
        local = re.split(r"[#/]", iri)[-1]
        return self.label(iri) or re.sub(r"(?<=[a-z])(?=[A-Z])", " ", local).lower() or iri

    def href(self, iri: str) -> str:
        """Local things link to their description page; every other IRI links to itself."""
        return self.ns.document(iri) or iri

    def value(self, term: object) -> Value:
        if isinstance(term, NamedNode):
            return Value(self.name(term.value), href=self.href(term.value))
        if isinstance(term, Literal):
            datatype = None if term.language or term.datatype.value == _XSD_STRING else term.datatype.value
            return Value(term.value, language=term.language, datatype=datatype and self.compact(datatype))
        if isinstance(term, BlankNode):
            return Value(f"_:{term.value}")
        return Value(str(term))


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _language_rank(literal: Literal) -> tuple[int, str]:
    language = literal.language or ""
    rank = LANGUAGES.index(language) if language in LANGUAGES else len(LANGUAGES)
    return rank, literal.value


def by_subject(triples: Iterable[Triple]) -> dict[str, list[Triple]]:
    """Triples grouped by subject IRI (blank-node subjects left out)."""
    groups: dict[str, list[Triple]] = {}
    for triple in triples:
        if subject := _subject(triple):
            groups.setdefault(subject, []).append(triple)
    return groups


def section(subject: str, triples: Sequence[Triple], names: Labeller, anchor: str) -> Section:
    """The properties of `subject` (whose triples are `triples`), rdf:type apart, ordered by label."""
    by_predicate: dict[str, list[Value]] = {}
    types: list[Value] = []
    for triple in triples:
        if triple.predicate == TYPE:
            types.append(names.value(triple.object))
        else:
            by_predicate.setdefault(triple.predicate.value, []).append(names.value(triple.object))
    properties = [
        Property(
            predicate,
            names.property_name(predicate),
            names.compact(predicate),
            sorted(values, key=lambda value: value.text),
        )
        for predicate, values in by_predicate.items()
    ]
    properties.sort(key=lambda prop: (prop.iri not in LABELS, prop.label.lower()))
    return Section(
        subject,
        names.name(subject),
        anchor,
        names.href(subject),
        sorted(types, key=lambda v: v.text),
        properties,
    )


def render_page(
    title: str, main: Section, parts: list[Section], alternates: list[Alternate], parts_heading: str
) -> str:
    return (
        environment()
        .get_template("resource.html")
        .render(title=title, main=main, parts=parts, alternates=alternates, parts_heading=parts_heading)
    )


def alternates(document: str, offers: Sequence[Format]) -> list[Alternate]:
    return [Alternate(f.name, f.media_type, f"{document}.{f.suffix}") for f in offers if f.suffix]


def _page_labels(store: LodStore, triples: Sequence[Triple]) -> list[Triple]:
    """Labels of the predicates and classes on a page (from the ontology), besides those at hand."""
    known = {_subject(t) for t in triples if t.predicate.value in LABELS}
    wanted = {t.predicate.value for t in triples} | {
        t.object.value for t in triples if t.predicate == TYPE and isinstance(t.object, NamedNode)
    }
    return labels(store, [NamedNode(iri) for iri in sorted(wanted - known)])


def description_page(
    store: LodStore, ns: Namespaces, iri: NamedNode, triples: list[Triple], document: str
) -> str:
    """The HTML page of a thing: its properties, then one section per node it owns."""
    names = Labeller(ns, [*triples, *_page_labels(store, triples)], rdf_prefixes(ns))
    groups = by_subject(triples)
    main = section(iri.value, groups[iri.value], names, "")
    own = sorted(subject for subject in groups if subject.startswith(iri.value + "/"))
    parts = [section(part, groups[part], names, part[len(iri.value) + 1 :].replace("/", "-")) for part in own]
    return render_page(main.label, main, parts, alternates(document, DOCUMENT), "Parts")


def ontology_page(store: LodStore, ns: Namespaces, triples: list[Triple], document: str) -> str:
    """The HTML page of the ontology: its metadata, then one section per term, anchored by its name."""
    names = Labeller(ns, [*triples, *_page_labels(store, triples)], rdf_prefixes(ns))
    groups = by_subject(triples)
    main = section(ns.ontology.value, groups.get(ns.ontology.value, []), names, "")
    terms = [subject for subject in groups if subject.startswith(ns.vocab)]
    parts = [section(term, groups[term], names, term[len(ns.vocab) :]) for term in terms]
    parts.sort(key=lambda part: ([kind.text for kind in part.types], part.anchor.lower()))
    return render_page(main.label, main, parts, alternates(document, DOCUMENT), "Terms")


# -- routes --------------------------------------------------------------------------------------------


def _representation(
    triples: list[Triple],
    format_: Format,
    ns: Namespaces,
    document: str,
    negotiated: bool,
    page: Callable[[], str],
) -> Response:
    headers = {**VARY, "Content-Location": f"{document}.{format_.suffix}"} if negotiated else {}
    if format_ is HTML:
        return HTMLResponse(page(), headers=headers)
    return Response(write_graph(triples, format_, ns), media_type=format_.content_type, headers=headers)


def _not_described(iri: str) -> NotFound:
    return NotFound(f"Nothing in the store describes <{iri}>")


@router.head("/id/{path:path}", include_in_schema=False)  # GET without the body (RFC 9110, 9.3.2)
@router.get(
    "/id/{path:path}",
    summary="Dereference a thing's IRI",
    status_code=303,
    response_class=RedirectResponse,
    responses={
        303: {"description": "See Other: the document describing the thing, at /doc/{path}."},
        404: {
            "description": "Nothing in the store describes this IRI.",
            "content": {"application/problem+json": {}, "text/html": {}},
        },
    },
)
def thing(path: str, request: Request, store: StoreDep, ns: NamespacesDep) -> Response:
    """`303 See Other` to `/doc/{path}`, which describes the thing `/id/{path}`; 404 if nothing does.

    The redirect is the same for every Accept header: pick the format at the document.
    """
    iri = _iri(ns.thing(path))
    if iri is None or not exists(store, iri):
        if wants_html(request):  # people get the 404 page that helps them on
            return pages.not_found(pages.reader(request), ns, _not_described(ns.thing(path)).detail)
        raise _not_described(ns.thing(path))
    document = ns.document(iri.value)
    assert document is not None
    return RedirectResponse(document, status_code=303)


@router.head("/doc/{path:path}", include_in_schema=False)  # GET without the body (RFC 9110, 9.3.2)
@router.get(
    "/doc/{path:path}",
    summary="Describe a thing",
    response_class=Response,
    responses={
        200: {
            "description": "The description of `/id/{path}`, in the format the suffix or Accept names.",
            "content": {f.media_type: {} for f in DOCUMENT},
        },
        404: {
            "description": "Nothing in the store describes the thing.",
            "content": {"application/problem+json": {}, "text/html": {}},
        },
        406: {
            "description": "No offered format matches Accept.",
            "content": {"application/problem+json": {}},
        },
    },
)
def document(
    path: str, request: Request, store: StoreDep, ns: NamespacesDep, accept: AcceptHeader = None
) -> Response:
    """The description of `<{base}id/{path}>`: Turtle, N-Triples, JSON-LD, RDF/XML or HTML.

    `path` may end in `.ttl`, `.nt`, `.jsonld`, `.rdf` or `.html` to name the format; otherwise Accept
    decides (Turtle for `*/*`). 404 if nothing in the store has the thing as subject.
    """
    iri = _iri(ns.thing(path))
    suffix: Format | None = None
    if iri is None or not exists(store, iri):
        stem, suffix = split_suffix(path, DOCUMENT)
        iri = _iri(ns.thing(stem)) if suffix is not None else None
        if iri is None or not exists(store, iri):
            if wants_html(request):  # people get the 404 page that helps them on
                return pages.not_found(pages.reader(request), ns, _not_described(ns.thing(path)).detail)
            raise _not_described(ns.thing(path))
        path = stem
    format_ = negotiate(accept, DOCUMENT, suffix)
    page_url = ns.base + "doc/" + path
    if format_ is HTML:  # projects, organisations, concepts... have richer pages (api/page_things.py)
        page = page_things.document_page(request, store, ns, iri, page_url)
        if page is not None:
            if suffix is None:
                page.headers["Content-Location"] = f"{page_url}.{HTML.suffix}"
            return page
    triples = describe(store, iri)
    return _representation(
        triples,
        format_,
        ns,
        page_url,
        suffix is None,
        lambda: description_page(store, ns, iri, triples, page_url),
    )


def _ontology(store: LodStore, ns: Namespaces, accept: str | None, suffix: Format | None) -> Response:
    graph = ns.graph("ontology")
    triples = ordered(store.graph_triples(graph), ns.ontology.value)
    if not triples:
        raise NotFound(
            f"Nothing in the store describes <{ns.ontology.value}>: the graph <{graph.value}> is empty"
        )
    format_ = negotiate(accept, DOCUMENT, suffix)
    return _representation(
        triples,
        format_,
        ns,
        ns.ontology.value,
        suffix is None,
        lambda: ontology_page(store, ns, triples, ns.ontology.value),
    )


@router.head("/ontology", include_in_schema=False)  # GET without the body (RFC 9110, 9.3.2)
@router.get(
    "/ontology",
    summary="The lodcat ontology",
    response_class=Response,
    responses={
        200: {
            "description": "The ontology graph, in the format Accept names.",
            "content": {f.media_type: {} for f in DOCUMENT},
        },
        404: {"description": "The ontology is not loaded.", "content": {"application/problem+json": {}}},
        406: {
            "description": "No offered format matches Accept.",
            "content": {"application/problem+json": {}},
        },
    },
)
def ontology(store: StoreDep, ns: NamespacesDep, accept: AcceptHeader = None) -> Response:
    """The ontology (graph `{base}graph/ontology`); its terms `{base}ontology#Term` dereference here."""
    return _ontology(store, ns, accept, None)


@router.head("/ontology.{suffix}", include_in_schema=False)  # GET without the body (RFC 9110, 9.3.2)
@router.get(
    "/ontology.{suffix}",
    summary="The lodcat ontology in one format",
    response_class=Response,
    responses={
        200: {
            "description": "The ontology graph in the format the suffix names.",
            "content": {f.media_type: {} for f in DOCUMENT},
        },
        404: {
            "description": "Unknown suffix, or the ontology is not loaded.",
            "content": {"application/problem+json": {}},
        },
    },
)
def ontology_as(suffix: str, store: StoreDep, ns: NamespacesDep) -> Response:
    """The ontology as `ttl`, `nt`, `jsonld`, `rdf` or `html`."""
    format_ = by_suffix(suffix, DOCUMENT)
    if format_ is None:
        raise NotFound(
            f"No format has the suffix .{suffix}; available: " + ", ".join(f".{f.suffix}" for f in DOCUMENT)
        )
    return _ontology(store, ns, None, format_)
