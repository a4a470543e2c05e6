"""Record -> RDF triples (pyoxigraph); pure, no I/O; never invents a value.

Every triple comes from a field of a record file. A date keeps its precision (xsd:date, xsd:gYearMonth or
xsd:gYear), an amount keeps its currency or has none, an absent field is an absent triple.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Triple, serialize

from loader.namespaces import (
    DCTERMS,
    FOAF,
    ORG,
    PROV,
    QB,
    RDF,
    RDFS,
    SCHEMA,
    SKOS,
    XSD,
    Namespaces,
    country,
    currency,
    language,
    nuts,
)
from loader.records import (
    Funding,
    Indicator,
    LanguageText,
    Organisation,
    Output,
    Place,
    Project,
    RecordFile,
    TargetGroup,
)

TYPE = NamedNode(RDF + "type")
LABEL = NamedNode(RDFS + "label")
NOTE = NamedNode(SKOS + "note")
TITLE = NamedNode(DCTERMS + "title")
DESCRIPTION = NamedNode(DCTERMS + "description")
IDENTIFIER = NamedNode(DCTERMS + "identifier")
DECIMAL = NamedNode(XSD + "decimal")
INTEGER = NamedNode(XSD + "integer")
BOOLEAN = NamedNode(XSD + "boolean")
DATE_TYPES = {10: NamedNode(XSD + "date"), 7: NamedNode(XSD + "gYearMonth"), 4: NamedNode(XSD + "gYear")}
CODE_PROPERTIES = {
    "project-code": "projectCode",
    "application-number": "applicationNumber",
    "accreditation-number": "accreditationNumber",
}


def partial_date(value: str) -> Literal:
    """'2009-05-01' -> xsd:date, '2011-06' -> xsd:gYearMonth, '2016' -> xsd:gYear."""
    return Literal(value, datatype=DATE_TYPES[len(value)])


def decimal(value: Decimal | int) -> Literal:
    """The canonical form Oxigraph stores ("85440.00" -> "85440", "0.50" -> "0.5"): the triples a record
    maps to are byte for byte the ones the store gives back, so reloads compare them as lines."""
    number = Decimal(value)
    text = format(number.normalize(), "f") if number else "0"
    return Literal(text, datatype=DECIMAL)


def integer(value: int) -> Literal:
    return Literal(str(value), datatype=INTEGER)


@dataclass
class MappedSource:
    """The triples of one record file and, per subject, the record it came from."""

    path: Path
    source_id: str
    graph: NamedNode
    triples: list[Triple] = field(default_factory=list)
    records: dict[str, str] = field(default_factory=dict)
    # Subject -> the record field it was mapped from, with the item's index in the record's list, e.g.
    # 'indicators[2]' (the position pydantic reports too); SHACL results on the node name that item.
    fields: dict[tuple[str, str], str] = field(default_factory=dict)

    def content_hash(self) -> str:
        """SHA-256 of the sorted, distinct N-Triples lines: equal for equal content, whatever the order."""
        text = (serialize(self.triples, format=RdfFormat.N_TRIPLES) or b"").decode("utf-8")
        lines = sorted(set(text.splitlines()))
        return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()

    def quads(self) -> Iterator[Quad]:
        for triple in self.triples:
            yield Quad(triple.subject, triple.predicate, triple.object, self.graph)


class _Mapper:
    def __init__(self, ns: Namespaces, mapped: MappedSource, source_language: str) -> None:
        self.ns = ns
        self.mapped = mapped
        self.language = source_language
        self.v = ns.term

    def add(self, subject: NamedNode, predicate: NamedNode, obj: NamedNode | Literal) -> None:
        self.mapped.triples.append(Triple(subject, predicate, obj))

    def owns(self, subject: NamedNode, record: str, record_field: str | None = None) -> None:
        """Remember which record a subject belongs to, so SHACL results name it."""
        self.mapped.records.setdefault(subject.value, record)
        if record_field is not None:
            self.mapped.fields[(subject.value, "")] = record_field

    def texts(self, subject: NamedNode, predicate: NamedNode, texts: LanguageText | None) -> None:
        for tag, text in (texts or {}).items():
            self.add(subject, predicate, Literal(text, language=tag))

    def notes(self, subject: NamedNode, notes: Iterable[LanguageText]) -> None:
        for note in notes:
            self.texts(subject, NOTE, note)

    def concept(self, scheme: str, notation: str) -> NamedNode:
        return self.ns.concept(scheme, notation)

    # -- the source -------------------------------------------------------------------------------------

    def source(self, records: RecordFile) -> NamedNode:
        source = records.source
        node = self.ns.source(source.id)
        self.owns(node, "(source)")
        self.add(node, TYPE, self.v("SourceDocument"))
        self.add(node, TYPE, NamedNode(FOAF + "Document"))
        self.add(node, TYPE, NamedNode(PROV + "Entity"))
        self.add(node, self.v("sourceFile"), Literal(source.file))
        self.add(node, NamedNode(DCTERMS + "language"), language(source.language))
        if source.title:
            self.add(node, TITLE, Literal(source.title, language=source.language))
        if source.url:
            self.add(node, FOAF_PAGE, NamedNode(source.url))
        for index, stated in enumerate(source.stated_dates):
            self.add(node, NamedNode(DCTERMS + stated.meaning), partial_date(stated.date))
            # Date and meaning: two dates the source states on one day (issued, modified) are two nodes.
            statement = self.ns.stated_date(source.id, stated.date, stated.meaning)
            self.owns(statement, "(source)", f"stated_dates[{index}]")
            self.add(node, self.v("statedDate"), statement)
            self.add(statement, TYPE, self.v("StatedDate"))
            self.add(statement, self.v("date"), partial_date(stated.date))
            self.add(statement, self.v("sourceText"), Literal(stated.text, language=source.language))
            self.add(statement, self.v("dateMeaning"), Literal(stated.meaning))
        self.notes(node, source.notes)
        return node

    # -- organisations and places -----------------------------------------------------------------------

    def place(self, place: Place) -> None:
        node = self.ns.place(place.id)
        self.owns(node, place.id)
        self.add(node, TYPE, self.v("Place"))
        self.add(node, TYPE, NamedNode(SCHEMA + "Place"))
        self.add(node, IDENTIFIER, Literal(place.id))
        self.texts(node, LABEL, place.name)
        if place.country:
            self.add(node, self.v("country"), country(place.country))
        if place.region:
            self.add(node, self.v("region"), nuts(place.region))

    def organisation(self, organisation: Organisation, source: NamedNode) -> None:
        node = self.ns.organisation(organisation.id)
        self.owns(node, organisation.id)
        self.add(node, TYPE, self.v("Organisation"))
        self.add(node, TYPE, NamedNode(ORG + "Organization"))
        self.add(node, IDENTIFIER, Literal(organisation.id))
        self.texts(node, NamedNode(FOAF + "name"), organisation.name)
        for alternative in organisation.alternative_names:
            self.texts(node, NamedNode(SKOS + "altLabel"), alternative)
        if organisation.country:
            self.add(node, self.v("country"), country(organisation.country))
        if organisation.region:
            self.add(node, self.v("region"), nuts(organisation.region))
        if organisation.town:
            self.add(node, self.v("place"), self.ns.place(organisation.town))
        if organisation.address:
            address = self.ns._id("organisation", organisation.id, "address")
            self.owns(address, organisation.id, "address")
            self.add(node, NamedNode(SCHEMA + "address"), address)
            self.add(address, TYPE, NamedNode(SCHEMA + "PostalAddress"))
            parts = organisation.address
            for name, value in (
                ("streetAddress", parts.street),
                ("postalCode", parts.postal_code),
                ("addressLocality", parts.locality),
            ):
                if value:
                    self.add(address, NamedNode(SCHEMA + name), Literal(value))
            if parts.country:
                self.add(address, NamedNode(SCHEMA + "addressCountry"), country(parts.country))
        if organisation.company_number:
            self.add(node, self.v("companyNumber"), Literal(organisation.company_number))
        if organisation.data_box:
            self.add(node, self.v("dataBox"), Literal(organisation.data_box))
        if organisation.website:
            self.add(node, NamedNode(FOAF + "homepage"), NamedNode(organisation.website))
        if organisation.part_of:
            self.add(node, NamedNode(ORG + "subOrganizationOf"), self.ns.organisation(organisation.part_of))
        self.add(node, NamedNode(DCTERMS + "source"), source)
        self.notes(node, organisation.notes)

    # -- projects -----------------------------------------------------------------------------------------

    def project(self, project: Project, source: NamedNode) -> None:
        node = self.ns.project(project.id)
        self.owns(node, project.id)
        self.add(node, TYPE, self.v("Project"))
        self.add(node, IDENTIFIER, Literal(project.id))
        self.texts(node, TITLE, project.title)
        for alternative in project.alternative_titles:
            self.texts(node, NamedNode(DCTERMS + "alternative"), alternative)
        self.texts(node, DESCRIPTION, project.description)
        for code in project.codes:
            self.add(node, self.v(CODE_PROPERTIES[code.type]), Literal(code.value))
        if project.status:
            self.add(node, self.v("status"), self.concept("status", project.status))
        if project.start:
            self.add(node, self.v("startDate"), partial_date(project.start))
        if project.end:
            self.add(node, self.v("endDate"), partial_date(project.end))
        if project.programme:
            self.add(node, self.v("programme"), self.concept("programme", project.programme))
        for fund in project.funds:
            self.add(node, self.v("fund"), self.concept("fund", fund))
        for co_financer in project.co_financed_by:
            self.add(node, self.v("coFinancedBy"), self.concept("fund", co_financer))
        for index, funding in enumerate(project.funding):
            self.funding(project.id, node, funding, f"funding[{index}]")
        for index, participation in enumerate(project.participants):
            part = self.ns.participation(project.id, participation.organisation, participation.role)
            organisation = self.ns.organisation(participation.organisation)
            self.owns(part, project.id, f"participants[{index}]")
            self.add(node, self.v("participation"), part)
            self.add(node, self.v("participant"), organisation)
            self.add(part, TYPE, self.v("Participation"))
            self.add(part, self.v("project"), node)
            self.add(part, self.v("organisation"), organisation)
            self.add(part, self.v("role"), self.concept("role", participation.role))
        for country_code in project.countries:
            self.add(node, self.v("country"), country(country_code))
        for nuts_code in project.regions:
            self.add(node, self.v("region"), nuts(nuts_code))
        for place in project.places:
            self.add(node, self.v("place"), self.ns.place(place))
        for index, group in enumerate(project.target_groups):
            self.target_group(project.id, node, group, f"target_groups[{index}]")
        for index, activity in enumerate(project.activities):
            part = self.ns.part(project.id, "activity", activity.id)
            self.owns(part, project.id, f"activities[{index}]")
            self.add(node, self.v("activity"), part)
            self.add(part, TYPE, self.v("Activity"))
            self.texts(part, TITLE, activity.title)
            self.texts(part, DESCRIPTION, activity.description)
        for index, indicator in enumerate(project.indicators):
            self.indicator(project.id, node, indicator, f"indicators[{index}]")
        for index, output in enumerate(project.outputs):
            self.output(project.id, node, output, f"outputs[{index}]")
        for index, event in enumerate(project.events):
            part = self.ns.part(project.id, "event", event.id)
            self.owns(part, project.id, f"events[{index}]")
            self.add(node, self.v("event"), part)
            self.add(part, TYPE, self.v("Event"))
            self.add(part, self.v("date"), partial_date(event.date))
            self.texts(part, DESCRIPTION, event.description)
        if project.website:
            self.add(node, NamedNode(FOAF + "homepage"), NamedNode(project.website))
        self.add(node, NamedNode(DCTERMS + "source"), source)
        self.add(node, NamedNode(PROV + "wasDerivedFrom"), source)
        self.add(node, NamedNode(DCTERMS + "isPartOf"), self.ns.dataset())
        self.notes(node, project.notes)

    def target_group(self, project: str, node: NamedNode, group: TargetGroup, record_field: str) -> None:
        """The concept on the project itself (what queries filter on), and a mention node that keeps
        which verbatim text the concept classifies."""
        concept = self.concept("target-group", group.concept)
        self.add(node, self.v("targetGroup"), concept)
        part = self.ns.part(project, "target-group", group.concept)
        self.owns(part, project, record_field)
        self.add(node, self.v("targetGroupMention"), part)
        self.add(part, TYPE, self.v("TargetGroupMention"))
        self.add(part, self.v("targetGroup"), concept)
        self.texts(part, self.v("sourceText"), group.text)

    def funding(self, project: str, node: NamedNode, funding: Funding, record_field: str) -> None:
        part = self.ns.part(project, "funding", funding.id)
        self.owns(part, project, record_field)
        self.add(node, self.v("funding"), part)
        self.add(part, TYPE, self.v("Funding"))
        self.add(part, self.v("fundingType"), self.concept("funding-type", funding.type))
        if funding.amount is not None:
            self.add(part, self.v("amount"), decimal(funding.amount))
        if funding.currency:
            self.add(part, self.v("currency"), currency(funding.currency))
        if funding.rate is not None:
            self.add(part, self.v("coFinancingRate"), decimal(funding.rate))
        self.add(part, self.v("sourceText"), Literal(funding.text, language=self.language))
        self.notes(part, funding.notes)

    def indicator(self, project: str, node: NamedNode, indicator: Indicator, record_field: str) -> None:
        part = self.ns.part(project, "indicator", indicator.id)
        self.owns(part, project, record_field)
        self.add(node, self.v("indicator"), part)
        self.add(part, TYPE, self.v("Indicator"))
        self.add(part, TYPE, NamedNode(QB + "Observation"))
        self.add(part, NamedNode(QB + "dataSet"), self.ns.indicator_dataset())
        # Three dimensions: one project may count the same measure twice (two workshop counts), so the
        # indicator's own id keeps observations apart (Data Cube IC-12).
        self.add(part, self.v("project"), node)
        self.add(part, self.v("measure"), self.concept("measure", indicator.measure))
        self.add(part, self.v("indicatorKey"), Literal(indicator.id))
        self.add(part, self.v("value"), decimal(indicator.value))
        self.add(part, self.v("unit"), self.concept("unit", indicator.unit))
        self.texts(part, LABEL, indicator.label)
        self.texts(part, self.v("sourceText"), indicator.source_text)
        if indicator.planned:
            self.add(part, self.v("planned"), Literal("true", datatype=BOOLEAN))
        self.notes(part, indicator.notes)

    def output(self, project: str, node: NamedNode, output: Output, record_field: str) -> None:
        part = self.ns.part(project, "output", output.id)
        self.owns(part, project, record_field)
        self.add(node, self.v("output"), part)
        self.add(part, TYPE, self.v("Output"))
        self.add(part, NamedNode(DCTERMS + "type"), self.concept("output-type", output.type))
        self.texts(part, TITLE, output.title)
        self.texts(part, DESCRIPTION, output.description)
        if output.quantity is not None:
            self.add(part, self.v("quantity"), integer(output.quantity))
        for code in output.codes:
            self.add(part, self.v(CODE_PROPERTIES[code.type]), Literal(code.value))
        if output.accredited_by:
            self.add(part, self.v("accreditedBy"), self.ns.organisation(output.accredited_by))
        if output.planned:
            self.add(part, self.v("planned"), Literal("true", datatype=BOOLEAN))
        self.notes(part, output.notes)


FOAF_PAGE = NamedNode(FOAF + "page")


def to_triples(records: RecordFile, path: Path, ns: Namespaces) -> MappedSource:
    """Map one record file to the triples of its named graph. Pure: reads nothing, writes nothing."""
    mapped = MappedSource(path=path, source_id=records.source.id, graph=ns.source_graph(records.source.id))
    mapper = _Mapper(ns, mapped, records.source.language)
    source = mapper.source(records)
    for place in records.places:
        mapper.place(place)
    for organisation in records.organisations:
        mapper.organisation(organisation, source)
    for project in records.projects:
        mapper.project(project, source)
    return mapped
