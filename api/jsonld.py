"""The shape of the REST JSON and the JSON-LD @context that makes that very JSON RDF.

Every key the REST API writes is a term of the context served at /api/v1/context.jsonld, so the JSON-LD
representation is the JSON plus "@context", and expanding it gives triples that are in the store:
`iri` is `@id`, `type` is `@type`, `title` is dcterms:title as a language map, and a date is a value
object whose `precision` is its datatype (`"end": {"value": "2011-06", "precision": "month"}` is
lodcat:endDate "2011-06"^^xsd:gYearMonth, through a property-scoped context). A plain-JSON client gets
the same document with a `Link` header naming the context (JSON-LD 1.1, section 6.1:
https://www.w3.org/TR/json-ld11/#interpreting-json-as-json-ld).

A few keys are conveniences with no triple behind them (the `code` of a country, which is the last
segment of its IRI, and paging numbers); the context maps them to null, so JSON-LD processors drop them
rather than invent a statement. Where one key means different properties on different kinds of node
(`label` is skos:prefLabel on concepts but rdfs:label on indicators and places) a type-scoped context
says so (https://www.w3.org/TR/json-ld11/#type-scoped-contexts).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel
from pyoxigraph import Literal as RdfLiteral
from pyoxigraph import NamedNode, Triple

from loader import namespaces
from loader.namespaces import Namespaces

LanguageMap = dict[str, str]
LanguageSets = dict[str, list[str]]
Precision = Literal["day", "month", "year"]
Item = TypeVar("Item", bound=BaseModel)
Built = TypeVar("Built")

TEXT = "Text by language tag (a JSON-LD language map)."
TEXTS = "Texts by language tag, several per language possible (a JSON-LD language map of arrays)."


class Shape(BaseModel):
    """JSON keys are the camelCase of the field names; absent facts are absent keys, never null."""

    model_config = ConfigDict(
        alias_generator=to_camel, validate_by_name=True, serialize_by_alias=True, frozen=True
    )


def example(document: dict[str, Any]) -> ConfigDict:
    """Model configuration with one example for OpenAPI."""
    return ConfigDict(json_schema_extra={"examples": [document]})


# -- references: what a fact points to, with its name ---------------------------------------------------


class PartialDate(Shape):
    """A date at the precision the source gives; `value` keeps that precision ("2011-06" stays a month)."""

    model_config = example({"value": "2011-06", "precision": "month"})

    value: str = Field(description="YYYY-MM-DD, YYYY-MM or YYYY.", examples=["2009-05-01", "2011-06", "2016"])
    precision: Precision = Field(description="day (xsd:date), month (xsd:gYearMonth) or year (xsd:gYear).")


class Concept(Shape):
    """A value from one of lodcat's SKOS concept schemes (status, role, fund, unit, ...)."""

    model_config = example(
        {
            "iri": "http://127.0.0.1:8000/id/concept/status/finished",
            "notation": "finished",
            "label": {"en": "finished", "cs": "ukončený"},
        }
    )

    iri: str
    notation: str = Field(description="skos:notation: the value record files and filters use.")
    label: LanguageMap = Field(default_factory=dict, description="skos:prefLabel. " + TEXT)


class Programme(Concept):
    """A programme concept, with the programming period it belongs to."""

    programming_period: str | None = Field(None, description="e.g. '2007-2013'.")


class Authority(Shape):
    """An entry of an EU authority table (country, currency, language) or a NUTS region."""

    model_config = example(
        {
            "iri": "http://publications.europa.eu/resource/authority/country/CZE",
            "code": "CZE",
            "label": {"en": "Czechia"},
        }
    )

    iri: str
    code: str = Field(description="The code, i.e. the last segment of the IRI (not itself a triple).")
    label: LanguageMap = Field(default_factory=dict, description="skos:prefLabel, where published. " + TEXT)


class Place(Shape):
    """A town or other place the source names."""

    iri: str
    type: Literal["Place"] = "Place"
    label: LanguageMap = Field(default_factory=dict, description="rdfs:label. " + TEXT)
    country: Authority | None = None
    region: Authority | None = None


class OrganisationRef(Shape):
    """An organisation, by name."""

    iri: str
    type: Literal["Organisation"] = "Organisation"
    id: str = Field(description="Identifier in /api/v1/organisations/{id}.")
    name: LanguageMap = Field(default_factory=dict, description="foaf:name. " + TEXT)


class ProjectSummary(Shape):
    """What a list shows about a project."""

    model_config = example(
        {
            "iri": "http://127.0.0.1:8000/id/project/odborna-partnerstvi-stredocesky-kraj",
            "type": "Project",
            "id": "odborna-partnerstvi-stredocesky-kraj",
            "title": {
                "cs": "Podpora odborných partnerství v oblasti poskytování sociálních služeb na "
                "území Středočeského kraje"
            },
            "start": {"value": "2009-06-01", "precision": "day"},
            "end": {"value": "2011-06", "precision": "month"},
            "status": {
                "iri": "http://127.0.0.1:8000/id/concept/status/finished",
                "notation": "finished",
                "label": {"en": "finished", "cs": "ukončený"},
            },
            "programme": {
                "iri": "http://127.0.0.1:8000/id/concept/programme/op-lzz",
                "notation": "op-lzz",
                "label": {"en": "Operational Programme Human Resources and Employment"},
                "programmingPeriod": "2007-2013",
            },
            "funds": [
                {
                    "iri": "http://127.0.0.1:8000/id/concept/fund/esf",
                    "notation": "esf",
                    "label": {"en": "European Social Fund"},
                }
            ],
            "countries": [
                {
                    "iri": "http://publications.europa.eu/resource/authority/country/CZE",
                    "code": "CZE",
                    "label": {"en": "Czechia"},
                }
            ],
            "regions": [
                {
                    "iri": "http://data.europa.eu/nuts/code/CZ020",
                    "code": "CZ020",
                    "label": {"cs": "Středočeský kraj"},
                }
            ],
        }
    )

    iri: str
    type: Literal["Project"] = "Project"
    id: str = Field(description="dcterms:identifier; the {id} of /api/v1/projects/{id}.")
    title: LanguageMap = Field(description="dcterms:title in the source's language. " + TEXT)
    start: PartialDate | None = Field(None, description="lodcat:startDate at the source's precision.")
    end: PartialDate | None = Field(None, description="lodcat:endDate at the source's precision.")
    status: Concept | None = None
    programme: Programme | None = None
    funds: list[Concept] = Field(default_factory=list, description="Funds the project is financed from.")
    countries: list[Authority] = Field(default_factory=list)
    regions: list[Authority] = Field(default_factory=list, description="NUTS regions.")


# -- the parts of a project -----------------------------------------------------------------------------


class Funding(Shape):
    """Money as the source states it; what the source leaves open stays absent and is explained in notes."""

    model_config = example(
        {
            "iri": "http://127.0.0.1:8000/id/project/CZ.04.4.83-3.2.03.1-0448/funding/details",
            "type": "Funding",
            "fundingType": {
                "iri": "http://127.0.0.1:8000/id/concept/funding-type/unspecified",
                "notation": "unspecified",
                "label": {"en": "unspecified amount"},
            },
            "amount": "85440",
            "rate": "0.75",
            "sourceText": "75%   85 440,00",
            "notes": {
                "en": ["The page lists '75%   85 440,00' under 'Details' with no label and no currency."]
            },
        }
    )

    iri: str
    type: Literal["Funding"] = "Funding"
    funding_type: Concept = Field(description="What the amount is: total budget, EU contribution, ...")
    amount: str | None = Field(
        None, description="xsd:decimal, as a string so no digit is lost.", examples=["8464591"]
    )
    currency: Authority | None = Field(None, description="Absent when the source names none.")
    rate: str | None = Field(None, description="Co-financing rate as a fraction (xsd:decimal): 75 % is 0.75.")
    source_text: str = Field(description="The verbatim text the figures come from.")
    notes: LanguageSets = Field(default_factory=dict, description="skos:note. " + TEXTS)


class Participation(Shape):
    """An organisation's role in a project."""

    iri: str
    type: Literal["Participation"] = "Participation"
    organisation: OrganisationRef
    role: Concept = Field(description="coordinator, beneficiary, implementer, partner or contractor.")


class Activity(Shape):
    iri: str
    type: Literal["Activity"] = "Activity"
    title: LanguageMap = Field(default_factory=dict)
    description: LanguageMap | None = None


class Indicator(Shape):
    """An outcome stated as a number (a qb:Observation), with the sentence it comes from."""

    model_config = example(
        {
            "iri": "http://127.0.0.1:8000/id/project/CZ.04.4.83-3.2.03.1-0448/indicator/participants",
            "type": "Indicator",
            "value": "20",
            "unit": {
                "iri": "http://127.0.0.1:8000/id/concept/unit/person",
                "notation": "person",
                "label": {"en": "person"},
            },
            "measure": {
                "iri": "http://127.0.0.1:8000/id/concept/measure/participants",
                "notation": "participants",
                "label": {"en": "participants"},
            },
            "label": {"en": "exchange participants, ten from each town"},
            "sourceText": {
                "cs": "Recipročního výměnného pracovního pobytu se zúčastní po deseti osobách z obou "
                "měst ( celkem 20 osob )."
            },
            "planned": True,
        }
    )

    iri: str
    type: Literal["Indicator"] = "Indicator"
    value: str = Field(description="lodcat:value (xsd:decimal), as a string.")
    unit: Concept
    measure: Concept = Field(description="What was counted.")
    label: LanguageMap = Field(default_factory=dict, description="rdfs:label: what was counted, in words.")
    source_text: LanguageMap = Field(default_factory=dict, description="The verbatim source sentence.")
    planned: Literal[True] | None = Field(
        None, description="true when the source states a plan; else absent."
    )
    notes: LanguageSets = Field(default_factory=dict)


class Output(Shape):
    """Something the project produced or planned: a publication, film, brochure, web portal, ..."""

    iri: str
    type: Literal["Output"] = "Output"
    output_type: Concept = Field(description="dcterms:type from the output-type scheme.")
    title: LanguageMap | None = None
    description: LanguageMap | None = None
    quantity: str | None = Field(None, description="How many (xsd:decimal), where the source says.")
    accreditation_numbers: list[str] = Field(default_factory=list)
    accredited_by: OrganisationRef | None = None
    planned: Literal[True] | None = Field(
        None, description="true when the source states a plan; else absent."
    )
    notes: LanguageSets = Field(default_factory=dict)


class Event(Shape):
    iri: str
    type: Literal["Event"] = "Event"
    date: PartialDate
    description: LanguageMap = Field(default_factory=dict)


class StatedDate(Shape):
    """A date the source document itself states, with its verbatim text."""

    iri: str
    type: Literal["StatedDate"] = "StatedDate"
    date: PartialDate
    source_text: LanguageMap = Field(default_factory=dict)
    meaning: str | None = Field(None, description="modified, issued or date (meaning not stated).")


class SourceDocument(Shape):
    """The document a record transcribes."""

    iri: str
    type: Literal["SourceDocument"] = "SourceDocument"
    file: str | None = Field(None, description="lodcat:sourceFile, e.g. '000_4dd8ee0e22d07abc.txt'.")
    language: Authority | None = None
    title: LanguageMap | None = None
    url: str | None = Field(None, description="foaf:page: where the document was published.")
    stated_dates: list[StatedDate] = Field(default_factory=list)
    notes: LanguageSets = Field(default_factory=dict)


class ProjectDetail(ProjectSummary):
    """Every fact lodcat publishes about one project."""

    alternative_titles: LanguageSets = Field(
        default_factory=dict, description="dcterms:alternative. " + TEXTS
    )
    description: LanguageMap | None = None
    project_codes: list[str] = Field(default_factory=list, examples=[["CZ.04.4.83/3.2.03.1/0448"]])
    application_numbers: list[str] = Field(default_factory=list, examples=[["08.4.1-ESFA-V-405-01-0001"]])
    co_financed_by: list[Concept] = Field(default_factory=list, description="Co-financing sources named.")
    funding: list[Funding] = Field(default_factory=list)
    participants: list[Participation] = Field(
        default_factory=list,
        description="Organisations and their roles; a role the source leaves blank is absent.",
    )
    places: list[Place] = Field(default_factory=list)
    target_groups: list[Concept] = Field(default_factory=list)
    target_group_texts: LanguageSets = Field(default_factory=dict, description="How the source names them.")
    activities: list[Activity] = Field(default_factory=list)
    indicators: list[Indicator] = Field(default_factory=list)
    outputs: list[Output] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    website: str | None = Field(None, description="foaf:homepage.")
    notes: LanguageSets = Field(default_factory=dict, description="What the source leaves open, and why.")
    source: SourceDocument | None = None


# -- organisations, programmes, funds -------------------------------------------------------------------


class OrganisationParticipation(Shape):
    """A project an organisation takes part in, and its role."""

    iri: str
    type: Literal["Participation"] = "Participation"
    project: ProjectSummary
    role: Concept


class OutputRef(Shape):
    """An output, by type and title."""

    iri: str
    type: Literal["Output"] = "Output"
    output_type: Concept
    title: LanguageMap | None = None
    accreditation_numbers: list[str] = Field(default_factory=list)


class Address(Shape):
    """A postal address as the source gives it."""

    iri: str
    type: Literal["PostalAddress"] = "PostalAddress"
    street: str | None = None
    postal_code: str | None = None
    locality: str | None = None
    country: Authority | None = None


class Organisation(OrganisationRef):
    """An organisation, what the sources state about it, and its projects with its roles in them."""

    alternative_names: LanguageSets = Field(default_factory=dict)
    country: Authority | None = None
    region: Authority | None = None
    place: Place | None = None
    address: Address | None = None
    company_number: str | None = Field(None, description="Company registration number (Czech IČ).")
    data_box: str | None = Field(None, description="Czech data-box ID (ISDS).")
    website: str | None = None
    part_of: OrganisationRef | None = Field(None, description="org:subOrganizationOf.")
    parts: list[OrganisationRef] = Field(default_factory=list, description="Organisations part of this one.")
    participations: list[OrganisationParticipation] = Field(default_factory=list)
    accredited: list[OutputRef] = Field(default_factory=list, description="Outputs it accredited.")
    notes: LanguageSets = Field(default_factory=dict)


class FundingConcept(Concept):
    """A programme or fund, with its other names and its definition."""

    type: Literal["Concept"] = "Concept"
    alt_labels: LanguageSets = Field(default_factory=dict, description="skos:altLabel, e.g. 'OP LZZ'.")
    definition: LanguageMap = Field(default_factory=dict, description="skos:definition.")


class ProgrammeDetail(FundingConcept):
    """A programme with its programming period, its funds and its projects."""

    programming_period: str | None = None
    funds: list[Concept] = Field(default_factory=list)
    projects: list[ProjectSummary] = Field(default_factory=list)


class FundDetail(FundingConcept):
    """A fund with the programmes and projects financed from it and the projects it co-finances."""

    programmes: list[Concept] = Field(default_factory=list)
    funded_projects: list[ProjectSummary] = Field(default_factory=list)
    co_financed_projects: list[ProjectSummary] = Field(default_factory=list)


class Page(Shape, Generic[Item]):
    """One page of a collection, with the number of items in all pages."""

    iri: str = Field(description="The URL of this page.")
    type: Literal["Collection"] = "Collection"
    total: int = Field(description="Items on all pages together.", examples=[5])
    page: int | None = Field(None, description="This page's number, from 1.", examples=[1])
    per_page: int | None = Field(None, examples=[20])
    next: str | None = Field(None, description="URL of the next page, if any.")
    prev: str | None = Field(None, description="URL of the previous page, if any.")
    items: list[Item]


# -- the context ---------------------------------------------------------------------------------------

CONTEXT = Path(__file__).with_name("context.jsonld")


@cache
def _published_context() -> dict[str, Any]:
    context: dict[str, Any] = json.loads(CONTEXT.read_text(encoding="utf-8"))
    return context


def context(ns: Namespaces) -> dict[str, Any]:
    """The JSON-LD 1.1 @context of every REST document: api/context.jsonld (written for the default base
    IRI) with the lodcat vocabulary namespace of this base."""
    document = copy.deepcopy(_published_context())
    document["@context"]["lodcat"] = ns.vocab
    return document


# -- building the shape from triples --------------------------------------------------------------------

PRECISIONS: dict[str, Precision] = {
    namespaces.XSD + "date": "day",
    namespaces.XSD + "gYearMonth": "month",
    namespaces.XSD + "gYear": "year",
}
RDF_TYPE = namespaces.RDF + "type"
IDENTIFIER = namespaces.DCTERMS + "identifier"
TITLE = namespaces.DCTERMS + "title"
DESCRIPTION = namespaces.DCTERMS + "description"
NOTE = namespaces.SKOS + "note"
PREF_LABEL = namespaces.SKOS + "prefLabel"
NOTATION = namespaces.SKOS + "notation"
RDFS_LABEL = namespaces.RDFS + "label"
IN_SCHEME = namespaces.SKOS + "inScheme"

Object = NamedNode | RdfLiteral


class Facts:
    """The triples of CONSTRUCT results, looked up by subject and predicate (or object and predicate).

    Values come back sorted, so the same data always gives the same JSON.
    """

    def __init__(self, triples: Iterable[Triple], ns: Namespaces) -> None:
        self.ns = ns
        self._forward: dict[str, dict[str, list[Object]]] = {}
        self._backward: dict[tuple[str, str], list[str]] = {}
        for triple in triples:
            subject, obj = triple.subject, triple.object
            if isinstance(subject, NamedNode) and isinstance(obj, NamedNode | RdfLiteral):
                self._forward.setdefault(subject.value, {}).setdefault(triple.predicate.value, []).append(obj)
                if isinstance(obj, NamedNode):
                    self._backward.setdefault((obj.value, triple.predicate.value), []).append(subject.value)

    def v(self, name: str) -> str:
        """A lodcat vocabulary term."""
        return self.ns.vocab + name

    def describes(self, subject: str) -> bool:
        return subject in self._forward

    def _objects(self, subject: str, predicate: str) -> list[Object]:
        return self._forward.get(subject, {}).get(predicate, [])

    def iris(self, subject: str, predicate: str) -> list[str]:
        return sorted({o.value for o in self._objects(subject, predicate) if isinstance(o, NamedNode)})

    def iri(self, subject: str, predicate: str) -> str | None:
        return next(iter(self.iris(subject, predicate)), None)

    def the_iri(self, subject: str, predicate: str) -> str:
        """The IRI that SHACL requires; raises LookupError (a 500: the store broke its shapes) if absent."""
        return _required(self.iri(subject, predicate), subject, predicate)

    def subjects(self, predicate: str, obj: str, kind: str | None = None) -> list[str]:
        """Subjects with `predicate obj`, optionally only those of rdf:type `kind`."""
        found = set(self._backward.get((obj, predicate), []))
        return sorted(s for s in found if kind is None or kind in self.iris(s, RDF_TYPE))

    def literals(self, subject: str, predicate: str) -> list[RdfLiteral]:
        found = [o for o in self._objects(subject, predicate) if isinstance(o, RdfLiteral)]
        return sorted(found, key=lambda literal: (literal.language or "", literal.value))

    def string(self, subject: str, predicate: str) -> str | None:
        return next((literal.value for literal in self.literals(subject, predicate)), None)

    def the_string(self, subject: str, predicate: str) -> str:
        """The literal that SHACL requires; raises LookupError if absent."""
        return _required(self.string(subject, predicate), subject, predicate)

    def strings(self, subject: str, predicate: str) -> list[str]:
        return [literal.value for literal in self.literals(subject, predicate)]

    def texts(self, subject: str, predicate: str) -> LanguageMap:
        """One text per language (the first, if the data has several)."""
        texts: LanguageMap = {}
        for literal in self.literals(subject, predicate):
            if literal.language:
                texts.setdefault(literal.language, literal.value)
        return texts

    def text_sets(self, subject: str, predicate: str) -> LanguageSets:
        texts: LanguageSets = {}
        for literal in self.literals(subject, predicate):
            if literal.language:
                texts.setdefault(literal.language, []).append(literal.value)
        return texts

    def date(self, subject: str, predicate: str) -> PartialDate | None:
        for literal in self.literals(subject, predicate):
            precision = PRECISIONS.get(literal.datatype.value)
            if precision is not None:
                return PartialDate(value=literal.value, precision=precision)
        return None

    def the_date(self, subject: str, predicate: str) -> PartialDate:
        """The date that SHACL requires; raises LookupError if absent."""
        return _required(self.date(subject, predicate), subject, predicate)

    def flag(self, subject: str, predicate: str) -> Literal[True] | None:
        return True if "true" in self.strings(subject, predicate) else None


def _required(value: Built | None, subject: str, predicate: str) -> Built:
    if value is None:
        raise LookupError(f"<{subject}> has no <{predicate}>, which its SHACL shape requires")
    return value


def _last_segment(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def concept(f: Facts, iri: str) -> Concept:
    return Concept(
        iri=iri, notation=f.string(iri, NOTATION) or _last_segment(iri), label=f.texts(iri, PREF_LABEL)
    )


def programme(f: Facts, iri: str) -> Programme:
    return Programme(
        iri=iri,
        notation=f.string(iri, NOTATION) or _last_segment(iri),
        label=f.texts(iri, PREF_LABEL),
        programming_period=f.string(iri, f.v("programmingPeriod")),
    )


def authority(f: Facts, iri: str) -> Authority:
    return Authority(iri=iri, code=_last_segment(iri), label=f.texts(iri, PREF_LABEL))


def _maybe(build: Callable[[Facts, str], Built], f: Facts, iri: str | None) -> Built | None:
    return None if iri is None else build(f, iri)


def place(f: Facts, iri: str) -> Place:
    return Place(
        iri=iri,
        label=f.texts(iri, RDFS_LABEL),
        country=_maybe(authority, f, f.iri(iri, f.v("country"))),
        region=_maybe(authority, f, f.iri(iri, f.v("region"))),
    )


def organisation_ref(f: Facts, iri: str) -> OrganisationRef:
    return OrganisationRef(iri=iri, id=_last_segment(iri), name=f.texts(iri, namespaces.FOAF + "name"))


def project_summary(f: Facts, iri: str) -> ProjectSummary:
    return ProjectSummary(**_summary_fields(f, iri))


def _summary_fields(f: Facts, iri: str) -> dict[str, Any]:
    return {
        "iri": iri,
        "id": f.string(iri, IDENTIFIER) or _last_segment(iri),
        "title": f.texts(iri, TITLE),
        "start": f.date(iri, f.v("startDate")),
        "end": f.date(iri, f.v("endDate")),
        "status": _maybe(concept, f, f.iri(iri, f.v("status"))),
        "programme": _maybe(programme, f, f.iri(iri, f.v("programme"))),
        "funds": [concept(f, fund) for fund in f.iris(iri, f.v("fund"))],
        "countries": [authority(f, country) for country in f.iris(iri, f.v("country"))],
        "regions": [authority(f, region) for region in f.iris(iri, f.v("region"))],
    }


def funding(f: Facts, iri: str) -> Funding:
    return Funding(
        iri=iri,
        funding_type=concept(f, f.the_iri(iri, f.v("fundingType"))),
        amount=f.string(iri, f.v("amount")),
        currency=_maybe(authority, f, f.iri(iri, f.v("currency"))),
        rate=f.string(iri, f.v("coFinancingRate")),
        source_text=f.the_string(iri, f.v("sourceText")),
        notes=f.text_sets(iri, NOTE),
    )


def participation(f: Facts, iri: str) -> Participation:
    return Participation(
        iri=iri,
        organisation=organisation_ref(f, f.the_iri(iri, f.v("organisation"))),
        role=concept(f, f.the_iri(iri, f.v("role"))),
    )


def indicator(f: Facts, iri: str) -> Indicator:
    return Indicator(
        iri=iri,
        value=f.the_string(iri, f.v("value")),
        unit=concept(f, f.the_iri(iri, f.v("unit"))),
        measure=concept(f, f.the_iri(iri, f.v("measure"))),
        label=f.texts(iri, RDFS_LABEL),
        source_text=f.texts(iri, f.v("sourceText")),
        planned=f.flag(iri, f.v("planned")),
        notes=f.text_sets(iri, NOTE),
    )


def output(f: Facts, iri: str) -> Output:
    return Output(
        iri=iri,
        output_type=concept(f, f.the_iri(iri, namespaces.DCTERMS + "type")),
        title=f.texts(iri, TITLE) or None,
        description=f.texts(iri, DESCRIPTION) or None,
        quantity=f.string(iri, f.v("quantity")),
        accreditation_numbers=f.strings(iri, f.v("accreditationNumber")),
        accredited_by=_maybe(organisation_ref, f, f.iri(iri, f.v("accreditedBy"))),
        planned=f.flag(iri, f.v("planned")),
        notes=f.text_sets(iri, NOTE),
    )


def activity(f: Facts, iri: str) -> Activity:
    return Activity(iri=iri, title=f.texts(iri, TITLE), description=f.texts(iri, DESCRIPTION) or None)


def event(f: Facts, iri: str) -> Event:
    return Event(iri=iri, date=f.the_date(iri, f.v("date")), description=f.texts(iri, DESCRIPTION))


def stated_date(f: Facts, iri: str) -> StatedDate:
    return StatedDate(
        iri=iri,
        date=f.the_date(iri, f.v("date")),
        source_text=f.texts(iri, f.v("sourceText")),
        meaning=f.string(iri, f.v("dateMeaning")),
    )


def source_document(f: Facts, iri: str) -> SourceDocument:
    return SourceDocument(
        iri=iri,
        file=f.string(iri, f.v("sourceFile")),
        language=_maybe(authority, f, f.iri(iri, namespaces.DCTERMS + "language")),
        title=f.texts(iri, TITLE) or None,
        url=f.iri(iri, namespaces.FOAF + "page"),
        stated_dates=[stated_date(f, d) for d in f.iris(iri, f.v("statedDate"))],
        notes=f.text_sets(iri, NOTE),
    )


def project_detail(f: Facts, iri: str) -> ProjectDetail:
    """Every fact about a project, from the triples of api/queries/project.rq."""
    v = f.v
    return ProjectDetail(
        **_summary_fields(f, iri),
        alternative_titles=f.text_sets(iri, namespaces.DCTERMS + "alternative"),
        description=f.texts(iri, DESCRIPTION) or None,
        project_codes=f.strings(iri, v("projectCode")),
        application_numbers=f.strings(iri, v("applicationNumber")),
        co_financed_by=[concept(f, c) for c in f.iris(iri, v("coFinancedBy"))],
        funding=[funding(f, part) for part in f.iris(iri, v("funding"))],
        participants=[participation(f, part) for part in f.iris(iri, v("participation"))],
        places=[place(f, p) for p in f.iris(iri, v("place"))],
        target_groups=[concept(f, group) for group in f.iris(iri, v("targetGroup"))],
        target_group_texts=f.text_sets(iri, v("targetGroupText")),
        activities=[activity(f, part) for part in f.iris(iri, v("activity"))],
        indicators=[indicator(f, part) for part in f.iris(iri, v("indicator"))],
        outputs=[output(f, part) for part in f.iris(iri, v("output"))],
        events=[event(f, part) for part in f.iris(iri, v("event"))],
        website=f.iri(iri, namespaces.FOAF + "homepage"),
        notes=f.text_sets(iri, NOTE),
        source=_maybe(source_document, f, f.iri(iri, namespaces.DCTERMS + "source")),
    )


def address(f: Facts, iri: str) -> Address:
    schema = namespaces.SCHEMA
    return Address(
        iri=iri,
        street=f.string(iri, schema + "streetAddress"),
        postal_code=f.string(iri, schema + "postalCode"),
        locality=f.string(iri, schema + "addressLocality"),
        country=_maybe(authority, f, f.iri(iri, schema + "addressCountry")),
    )


def output_ref(f: Facts, iri: str) -> OutputRef:
    return OutputRef(
        iri=iri,
        output_type=concept(f, f.the_iri(iri, namespaces.DCTERMS + "type")),
        title=f.texts(iri, TITLE) or None,
        accreditation_numbers=f.strings(iri, f.v("accreditationNumber")),
    )


def organisation(f: Facts, iri: str, projects: Mapping[str, ProjectSummary]) -> Organisation:
    """An organisation from api/queries/organisations.rq; `projects` are the summaries of its projects."""
    v = f.v
    sub_organisation_of = namespaces.ORG + "subOrganizationOf"
    participations = [
        OrganisationParticipation(
            iri=part, project=projects[project], role=concept(f, f.the_iri(part, v("role")))
        )
        for part in f.subjects(v("organisation"), iri)
        if (project := f.iri(part, v("project"))) is not None and project in projects
    ]
    return Organisation(
        **organisation_ref(f, iri).model_dump(by_alias=False),
        alternative_names=f.text_sets(iri, namespaces.SKOS + "altLabel"),
        country=_maybe(authority, f, f.iri(iri, v("country"))),
        region=_maybe(authority, f, f.iri(iri, v("region"))),
        place=_maybe(place, f, f.iri(iri, v("place"))),
        address=_maybe(address, f, f.iri(iri, namespaces.SCHEMA + "address")),
        company_number=f.string(iri, v("companyNumber")),
        data_box=f.string(iri, v("dataBox")),
        website=f.iri(iri, namespaces.FOAF + "homepage"),
        part_of=_maybe(organisation_ref, f, f.iri(iri, sub_organisation_of)),
        parts=[organisation_ref(f, part) for part in f.subjects(sub_organisation_of, iri)],
        participations=participations,
        accredited=[output_ref(f, out) for out in f.subjects(v("accreditedBy"), iri)],
        notes=f.text_sets(iri, NOTE),
    )


def _concept_fields(f: Facts, iri: str) -> dict[str, Any]:
    skos = namespaces.SKOS
    return {
        "iri": iri,
        "notation": f.string(iri, NOTATION) or _last_segment(iri),
        "label": f.texts(iri, PREF_LABEL),
        "alt_labels": f.text_sets(iri, skos + "altLabel"),
        "definition": f.texts(iri, skos + "definition"),
    }


def programme_detail(f: Facts, iri: str, projects: Mapping[str, ProjectSummary]) -> ProgrammeDetail:
    """A programme from api/queries/concepts.rq; `projects` are the summaries of the projects it names."""
    v = f.v
    return ProgrammeDetail(
        **_concept_fields(f, iri),
        programming_period=f.string(iri, v("programmingPeriod")),
        funds=[concept(f, fund) for fund in f.iris(iri, v("fund"))],
        projects=[projects[p] for p in f.subjects(v("programme"), iri, v("Project")) if p in projects],
    )


def fund_detail(f: Facts, iri: str, projects: Mapping[str, ProjectSummary]) -> FundDetail:
    """A fund from api/queries/concepts.rq; `projects` are the summaries of the projects it names."""
    v = f.v
    return FundDetail(
        **_concept_fields(f, iri),
        programmes=[concept(f, p) for p in f.subjects(v("fund"), iri, namespaces.SKOS + "Concept")],
        funded_projects=[projects[p] for p in f.subjects(v("fund"), iri, v("Project")) if p in projects],
        co_financed_projects=[
            projects[p] for p in f.subjects(v("coFinancedBy"), iri, v("Project")) if p in projects
        ],
    )
