"""Mapped triples + shapes/ -> list[Violation], with pyshacl.

The vocabulary (ontology/*.ttl: ontology, concept schemes, reference labels) is added to the data
graph, so shapes can check that a status, role or unit is a member of its scheme (skos:inScheme) and
sh:class sees the subclass axioms. It is not given as pyshacl's `ont_graph`: pyshacl copies only RDFS
and OWL axioms from that graph, not SKOS concepts. Each result is mapped back to the file, the record
and the record field it came from.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from pyoxigraph import RdfFormat, serialize
from pyshacl import validate as shacl_validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, XSD
from rdflib.term import Node

from loader.errors import Violation
from loader.mapping import MappedSource
from loader.namespaces import DCTERMS, FOAF, ORG, PROV, QB, RDFS, SCHEMA, SKOS, Namespaces

# Compact names for the properties and classes below; `lodcat:` is `{base}ontology#`.
PREFIXES = {
    "dcterms": DCTERMS,
    "foaf": FOAF,
    "org": ORG,
    "prov": PROV,
    "qb": QB,
    "rdfs": RDFS,
    "schema": SCHEMA,
    "skos": SKOS,
    "xsd": str(XSD),
}

# Record field of each property, by the class of the node it describes: `lodcat:country` is the field
# 'countries' of a project but 'country' of an organisation. A node that is part of a record (a funding,
# an indicator) is reported as `<part>.<field>`, its part taken from MappedSource.fields with the item's
# index in the record's list: 'indicators[2].value'. Properties not listed here (provenance the mapping
# adds, such as dcterms:isPartOf) are reported by their compact name.
FIELDS: dict[str, dict[str, str]] = {
    "lodcat:Project": {
        "dcterms:identifier": "id",
        "dcterms:title": "title",
        "dcterms:alternative": "alternative_titles",
        "dcterms:description": "description",
        "lodcat:projectCode": "codes",
        "lodcat:applicationNumber": "codes",
        "lodcat:status": "status",
        "lodcat:startDate": "start",
        "lodcat:endDate": "end",
        "lodcat:programme": "programme",
        "lodcat:fund": "funds",
        "lodcat:coFinancedBy": "co_financed_by",
        "lodcat:funding": "funding",
        "lodcat:participation": "participants",
        "lodcat:participant": "participants",
        "lodcat:country": "countries",
        "lodcat:region": "regions",
        "lodcat:place": "places",
        "lodcat:targetGroup": "target_groups",
        "lodcat:targetGroupMention": "target_groups",
        "lodcat:activity": "activities",
        "lodcat:indicator": "indicators",
        "lodcat:output": "outputs",
        "lodcat:event": "events",
        "foaf:homepage": "website",
        "skos:note": "notes",
    },
    "lodcat:Funding": {
        "lodcat:fundingType": "type",
        "lodcat:amount": "amount",
        "lodcat:currency": "currency",
        "lodcat:coFinancingRate": "rate",
        "lodcat:sourceText": "text",
        "skos:note": "notes",
    },
    "lodcat:Participation": {"lodcat:organisation": "organisation", "lodcat:role": "role"},
    "lodcat:TargetGroupMention": {"lodcat:targetGroup": "concept", "lodcat:sourceText": "text"},
    "lodcat:Indicator": {
        "lodcat:indicatorKey": "id",
        "lodcat:value": "value",
        "lodcat:unit": "unit",
        "lodcat:measure": "measure",
        "rdfs:label": "label",
        "lodcat:sourceText": "source_text",
        "lodcat:planned": "planned",
        "skos:note": "notes",
    },
    "lodcat:Output": {
        "dcterms:type": "type",
        "dcterms:title": "title",
        "dcterms:description": "description",
        "lodcat:quantity": "quantity",
        "lodcat:projectCode": "codes",
        "lodcat:applicationNumber": "codes",
        "lodcat:accreditationNumber": "codes",
        "lodcat:accreditedBy": "accredited_by",
        "lodcat:planned": "planned",
        "skos:note": "notes",
    },
    "lodcat:Activity": {"dcterms:title": "title", "dcterms:description": "description"},
    "lodcat:Event": {"lodcat:date": "date", "dcterms:description": "description"},
    "lodcat:Organisation": {
        "dcterms:identifier": "id",
        "foaf:name": "name",
        "skos:altLabel": "alternative_names",
        "lodcat:country": "country",
        "lodcat:region": "region",
        "lodcat:place": "town",
        "schema:address": "address",
        "lodcat:companyNumber": "company_number",
        "lodcat:dataBox": "data_box",
        "foaf:homepage": "website",
        "org:subOrganizationOf": "part_of",
        "skos:note": "notes",
    },
    "schema:PostalAddress": {
        "schema:streetAddress": "street",
        "schema:postalCode": "postal_code",
        "schema:addressLocality": "locality",
        "schema:addressCountry": "country",
    },
    "lodcat:Place": {
        "dcterms:identifier": "id",
        "rdfs:label": "name",
        "lodcat:country": "country",
        "lodcat:region": "region",
    },
    "lodcat:SourceDocument": {
        "lodcat:sourceFile": "file",
        "dcterms:language": "language",
        "dcterms:title": "title",
        "foaf:page": "url",
        "dcterms:modified": "stated_dates",
        "dcterms:issued": "stated_dates",
        "dcterms:date": "stated_dates",
        "lodcat:statedDate": "stated_dates",
        "skos:note": "notes",
    },
    "lodcat:StatedDate": {
        "lodcat:date": "date",
        "lodcat:sourceText": "text",
        "lodcat:dateMeaning": "meaning",
    },
}

# Results of these components build their message from the query's own variables; others get the
# offending value appended.
SPARQL_COMPONENTS = {SH.SPARQLConstraintComponent}


@lru_cache(maxsize=32)
def _parsed(path: Path, base_iri: str, mtime: float) -> Graph:
    """One Turtle file, relative IRIs resolved against `base_iri`; a new `mtime` reads it again."""
    graph = Graph()
    graph.parse(path, format="turtle", publicID=base_iri)
    return graph


def shapes_graph(shapes_path: Path, base_iri: str) -> Graph:
    """The shapes, with relative IRIs resolved against the base IRI (cached per file version)."""
    return _parsed(shapes_path, base_iri, shapes_path.stat().st_mtime)


@lru_cache(maxsize=8)
def _merged(files: tuple[tuple[Path, float], ...], base_iri: str) -> Graph:
    graph = Graph()
    for path, mtime in files:
        graph += _parsed(path, base_iri, mtime)
    return graph


def vocabulary_graph(ontology_path: Path, base_iri: str) -> Graph:
    """Ontology, concept schemes and reference labels: every ontology/*.ttl, merged.

    Cached per set of file versions: a file added or edited since the last call is read again.
    """
    files = tuple((path, path.stat().st_mtime) for path in sorted(ontology_path.glob("*.ttl")))
    return _merged(files, base_iri)


def to_rdflib(mapped: MappedSource) -> Graph:
    graph = Graph()
    graph.parse(data=serialize(mapped.triples, format=RdfFormat.N_TRIPLES), format="nt")
    return graph


def compact(iri: str, ns: Namespaces) -> str:
    """`{base}ontology#startDate` -> 'lodcat:startDate'; `http://purl.org/dc/terms/title` -> 'dcterms:title'.

    IRIs in no known namespace are returned whole."""
    if iri.startswith(ns.vocab):
        return "lodcat:" + iri[len(ns.vocab) :]
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def field_name(node_class: str | None, path: str | None, ns: Namespaces) -> str:
    """The record field a result path names on a node of `node_class` (both as compact names)."""
    if path is None:
        return "(record)"
    name = compact(path, ns)
    return FIELDS.get(node_class or "", {}).get(name, name)


def node_class(data: Graph, focus: Node, ns: Namespaces) -> str | None:
    """The class of `focus` that FIELDS knows (a node may also carry e.g. org:Organization)."""
    return known_class((str(iri) for iri in data.objects(focus, RDF.type)), ns)


def known_class(types: Iterable[str], ns: Namespaces) -> str | None:
    """Of the class IRIs `types`, the first (by compact name) that FIELDS knows."""
    for kind in sorted(compact(iri, ns) for iri in types):
        if kind in FIELDS:
            return kind
    return None


def shown(value: Node, ns: Namespaces) -> str:
    """A value as Turtle would write it, with the xsd: prefix: <iri>, "text"@cs, "1.5"^^xsd:decimal."""
    if isinstance(value, Literal):
        text = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        if value.language:
            return f'"{text}"@{value.language}'
        if value.datatype is None or value.datatype == XSD.string:
            return f'"{text}"'
        return f'"{text}"^^{compact(str(value.datatype), ns)}'
    if isinstance(value, BNode):
        return "a blank node"
    return f"<{value}>"


def result_message(messages: Iterable[str], value: Node | None, ns: Namespaces) -> str:
    """The first of a result's messages in sorted order (or "does not conform"), then "; got <value>" when
    the result has a value. Callers pass no value for SPARQL-based results: their messages name it."""
    ordered = sorted(messages)
    message = ordered[0] if ordered else "does not conform"
    return f"{message}; got {shown(value, ns)}" if value is not None else message


def shape_name(shapes: Graph, shape: Node | None, ns: Namespaces) -> str:
    """A stable name for a result's source shape: its IRI, or for a blank property shape the named shape
    that holds it and its path (blank-node labels change from one parse to the next)."""
    if shape is None:
        return ""
    if not isinstance(shape, BNode):
        return str(shape)
    path = shapes.value(shape, SH.path)
    shown_path = compact(str(path), ns) if isinstance(path, URIRef) else "(path)"
    parents = sorted(str(node) for node in shapes.subjects(SH.property, shape))
    return f"{parents[0]} {shown_path}" if parents else shown_path


def validate(mapped: MappedSource, shapes_path: Path, ontology_path: Path, ns: Namespaces) -> list[Violation]:
    """Check the mapped triples of one source against the shapes; return every violation, sorted.

    Each violation names the file, the record, the record field and the shape's sh:message, followed by
    the offending value where the result has one. Changes nothing; an empty list means the source
    conforms. Results of severity sh:Warning or sh:Info are not violations and are not returned.
    """
    data = to_rdflib(mapped)
    data += vocabulary_graph(ontology_path, ns.base)
    shapes = shapes_graph(shapes_path, ns.base)
    conforms, report, _text = shacl_validate(data, shacl_graph=shapes, allow_warnings=True)
    if conforms:
        return []
    violations: set[Violation] = set()
    # Only the report's own results: the nested results of sh:node (sh:detail) are typed
    # sh:ValidationResult too, but their focus is the value, not a node of a record.
    for report_node in report.subjects(RDF.type, SH.ValidationReport):
        for result in report.objects(report_node, SH.result):
            severity = report.value(result, SH.resultSeverity)
            if severity != SH.Violation:
                continue
            focus_node = report.value(result, SH.focusNode)
            focus = str(focus_node)
            path = report.value(result, SH.resultPath)
            value = report.value(result, SH.value)
            component = report.value(result, SH.sourceConstraintComponent)
            message = result_message(
                (str(message) for message in report.objects(result, SH.resultMessage)),
                value if component not in SPARQL_COMPONENTS else None,
                ns,
            )
            violations.add(
                violation(
                    mapped,
                    focus,
                    node_class(data, focus_node, ns) if focus_node is not None else None,
                    str(path) if isinstance(path, URIRef) else None,
                    message,
                    shape_name(shapes, report.value(result, SH.sourceShape), ns),
                    ns,
                )
            )
    return sorted_violations(violations)


def violation(
    mapped: MappedSource,
    focus: str,
    focus_class: str | None,
    path: str | None,
    message: str,
    shape: str,
    ns: Namespaces,
) -> Violation:
    """A result on `focus` (of class `focus_class`, a compact name) along `path`, named by file, record and
    record field."""
    name = field_name(focus_class, path, ns)
    part = mapped.fields.get((focus, ""))
    return Violation(
        path=str(mapped.path),
        record=mapped.records.get(focus, focus),
        field=f"{part}.{name}" if part else name,
        message=message,
        focus=focus,
        shape=shape,
        severity="Violation",
    )


def sorted_violations(violations: Iterable[Violation]) -> list[Violation]:
    """Each violation once, by record, field and message (then focus and shape, so the order is total)."""
    return sorted(set(violations), key=lambda v: (v.record, v.field, v.message, v.focus, v.shape))
