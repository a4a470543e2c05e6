"""The JSON of one project with every fact: its funding, participants, target groups, activities,
indicators, outputs, events and source document (GET /api/v1/projects/{id})."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from api.models import (
    TEXTS,
    Authority,
    Concept,
    LanguageMap,
    LanguageSets,
    OrganisationRef,
    PartialDate,
    Place,
    ProjectSummary,
    Shape,
    example,
)

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
            "sourceText": {"cs": "75%   85 440,00"},
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
    source_text: LanguageMap = Field(
        description="The verbatim text the figures come from, in the source's language."
    )
    notes: LanguageSets = Field(default_factory=dict, description="skos:note. " + TEXTS)


class Participation(Shape):
    """An organisation's role in a project."""

    iri: str
    type: Literal["Participation"] = "Participation"
    organisation: OrganisationRef
    role: Concept = Field(description="coordinator, beneficiary, implementer, partner or contractor.")


class TargetGroup(Shape):
    """A group the project addresses: the concept, and the words the source names it with."""

    model_config = example(
        {
            "iri": "http://127.0.0.1:8000/id/project/odborna-partnerstvi-stredocesky-kraj/target-group/"
            "homeless-people",
            "type": "TargetGroupMention",
            "concept": {
                "iri": "http://127.0.0.1:8000/id/concept/target-group/homeless-people",
                "notation": "homeless-people",
                "label": {"en": "homeless people", "cs": "lidé bez domova"},
            },
            "text": {"cs": "lidi bez domova"},
        }
    )

    iri: str
    type: Literal["TargetGroupMention"] = "TargetGroupMention"
    concept: Concept = Field(description="lodcat:targetGroup, from the target-group scheme.")
    text: LanguageMap = Field(default_factory=dict, description="lodcat:sourceText: the source's words.")


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
    quantity: int | None = Field(None, description="How many (xsd:integer), where the source says.")
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
    target_groups: list[TargetGroup] = Field(
        default_factory=list, description="Each group's concept with the words the source names it with."
    )
    activities: list[Activity] = Field(default_factory=list)
    indicators: list[Indicator] = Field(default_factory=list)
    outputs: list[Output] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    website: str | None = Field(None, description="foaf:homepage.")
    notes: LanguageSets = Field(default_factory=dict, description="What the source leaves open, and why.")
    source: SourceDocument | None = None
