"""The REST documents' shared pieces: the base model, what a fact points to (concepts, authorities,
places, organisations, project summaries), organisations, programmes and funds, and a page.

Each model is the JSON of one kind of node; api/context.jsonld makes the same JSON RDF (api/jsonld.py).
The models of one project's every fact are in api/project_models.py.
"""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

LanguageMap = dict[str, str]
LanguageSets = dict[str, list[str]]
Precision = Literal["day", "month", "year"]
Item = TypeVar("Item", bound=BaseModel)

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
    id: str = Field(description="dcterms:identifier; the {id} of /api/v1/organisations/{id}.")
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


# -- organisations, programmes, funds -------------------------------------------------------------------
# Each embeds at most EMBEDDED_PROJECTS of its projects, the first by title; `...Total` counts them all and
# `...Url` lists them all, paged (/api/v1/projects with the matching filter). Neither is a triple.

EMBEDDED_PROJECTS = 50
FIRST = f"The first {EMBEDDED_PROJECTS} by title; `{{name}}Url` lists them all."


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
    participations: list[OrganisationParticipation] = Field(
        default_factory=list, description="Its roles in its projects. " + FIRST.format(name="projects")
    )
    projects_total: int = Field(description="How many projects it takes part in.", examples=[1])
    projects_url: str = Field(description="/api/v1/projects?organisation={id}: every one of them, paged.")
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
    projects: list[ProjectSummary] = Field(default_factory=list, description=FIRST.format(name="projects"))
    projects_total: int = Field(description="How many projects it names.", examples=[2])
    projects_url: str = Field(description="/api/v1/projects?programme={notation}: all of them, paged.")


class FundDetail(FundingConcept):
    """A fund with the programmes and projects financed from it and the projects it co-finances."""

    programmes: list[Concept] = Field(default_factory=list)
    funded_projects: list[ProjectSummary] = Field(
        default_factory=list, description=FIRST.format(name="fundedProjects")
    )
    funded_projects_total: int = Field(description="How many projects it finances.", examples=[2])
    funded_projects_url: str = Field(description="/api/v1/projects?fund={notation}: all of them, paged.")
    co_financed_projects: list[ProjectSummary] = Field(
        default_factory=list, description=FIRST.format(name="coFinancedProjects")
    )
    co_financed_projects_total: int = Field(description="How many projects it co-finances.", examples=[1])
    co_financed_projects_url: str = Field(
        description="/api/v1/projects?co_financed_by={notation}: all of them, paged."
    )


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
