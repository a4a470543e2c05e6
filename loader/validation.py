"""Mapped triples + shapes/ -> list[Violation], with pyshacl.

The concept schemes are given to pyshacl as the ontology graph, so shapes can check that a status,
role or unit is a member of its scheme. Each result is mapped back to the file, record and field.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pyoxigraph import RdfFormat, serialize
from pyshacl import validate as shacl_validate
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

from loader.errors import Violation
from loader.mapping import MappedSource
from loader.namespaces import Namespaces

# Record field names for the properties the shapes constrain: a result on `lodcat:startDate` of a
# project is reported as field 'start' of that record.
FIELDS = {
    "http://purl.org/dc/terms/title": "title",
    "http://purl.org/dc/terms/description": "description",
    "http://purl.org/dc/terms/alternative": "alternative_titles",
    "http://purl.org/dc/terms/type": "type",
    "http://purl.org/dc/terms/language": "language",
    "http://purl.org/dc/terms/identifier": "id",
    "http://xmlns.com/foaf/0.1/name": "name",
    "http://xmlns.com/foaf/0.1/homepage": "website",
    "http://www.w3.org/2000/01/rdf-schema#label": "label",
    "http://www.w3.org/2004/02/skos/core#note": "notes",
}
VOCAB_FIELDS = {
    "startDate": "start", "endDate": "end", "status": "status", "programme": "programme", "fund": "funds",
    "coFinancedBy": "co_financed_by", "amount": "amount", "currency": "currency", "coFinancingRate": "rate",
    "fundingType": "type", "role": "role", "organisation": "organisation", "country": "countries",
    "region": "regions", "place": "places", "targetGroup": "target_groups", "unit": "unit",
    "measure": "measure", "value": "value", "sourceText": "source_text", "companyNumber": "company_number",
    "dataBox": "data_box", "projectCode": "codes", "applicationNumber": "codes",
    "accreditationNumber": "codes", "quantity": "quantity", "date": "date", "sourceFile": "file",
}


@lru_cache(maxsize=8)
def _graph(path: Path, base_iri: str, mtime: float) -> Graph:
    graph = Graph()
    graph.parse(path, format="turtle", publicID=base_iri)
    return graph


def shapes_graph(shapes_path: Path, base_iri: str) -> Graph:
    """The shapes, with relative IRIs resolved against the base IRI (cached per file version)."""
    return _graph(shapes_path, base_iri, shapes_path.stat().st_mtime)


def schemes_graph(ontology_path: Path, base_iri: str) -> Graph:
    """Ontology and concept schemes, given to pyshacl as the ontology graph."""
    graph = Graph()
    for path in sorted(ontology_path.glob("*.ttl")):
        graph += _graph(path, base_iri, path.stat().st_mtime)
    return graph


def to_rdflib(mapped: MappedSource) -> Graph:
    graph = Graph()
    graph.parse(data=serialize(mapped.triples, format=RdfFormat.N_TRIPLES), format="nt")
    return graph


def field_name(path: str | None, ns: Namespaces) -> str:
    if path is None:
        return "(record)"
    if path.startswith(ns.vocab):
        return VOCAB_FIELDS.get(path[len(ns.vocab):], path[len(ns.vocab):])
    return FIELDS.get(path, path)


def validate(mapped: MappedSource, shapes_path: Path, ontology_path: Path, ns: Namespaces) -> list[Violation]:
    """Check the mapped triples of one source against the shapes; return every violation, sorted.

    Changes nothing. An empty list means the source conforms.
    """
    data = to_rdflib(mapped)
    conforms, report, _text = shacl_validate(
        data,
        shacl_graph=shapes_graph(shapes_path, ns.base),
        ont_graph=schemes_graph(ontology_path, ns.base),
        advanced=True,
        allow_warnings=True,
    )
    if conforms:
        return []
    violations = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = str(report.value(result, SH.focusNode))
        path = report.value(result, SH.resultPath)
        severity = report.value(result, SH.resultSeverity)
        messages = sorted(str(message) for message in report.objects(result, SH.resultMessage))
        shape = report.value(result, SH.sourceShape)
        part = mapped.fields.get((focus, ""))
        name = field_name(str(path) if isinstance(path, URIRef) else None, ns)
        violations.append(
            Violation(
                path=str(mapped.path),
                record=mapped.records.get(focus, focus),
                field=f"{part}.{name}" if part else name,
                message=messages[0] if messages else "does not conform",
                focus=focus,
                shape=str(shape),
                severity=str(severity).rsplit("#", 1)[-1],
            )
        )
    return sorted(violations, key=lambda violation: (violation.record, violation.field, violation.message))
