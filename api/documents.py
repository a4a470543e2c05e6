"""REST documents from the triples of api/queries/: one function per kind of node, Facts in, model out.

Pure: each reads only the Facts it is given (and, for organisations, programmes and funds, the project
lists api/rest.py has selected), so the same triples always give the same document.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from api.facts import DESCRIPTION, IDENTIFIER, NOTATION, NOTE, PREF_LABEL, RDFS_LABEL, TITLE, Facts
from api.models import (
    Address,
    Authority,
    Concept,
    FundDetail,
    Organisation,
    OrganisationParticipation,
    OrganisationRef,
    OutputRef,
    Place,
    Programme,
    ProgrammeDetail,
    ProjectSummary,
)
from api.project_models import (
    Activity,
    Event,
    Funding,
    Indicator,
    Output,
    Participation,
    ProjectDetail,
    SourceDocument,
    StatedDate,
    TargetGroup,
)
from loader import namespaces

Built = TypeVar("Built")


@dataclass(frozen=True)
class ProjectList:
    """The projects an organisation, programme or fund names: the first ones by title (`iris`), how many
    there are in all, and the URL that lists every one of them."""

    iris: list[str]
    total: int
    url: str

    def summaries(self, found: Mapping[str, ProjectSummary]) -> list[ProjectSummary]:
        return [found[iri] for iri in self.iris if iri in found]


# -- references -----------------------------------------------------------------------------------------


def _last_segment(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def _maybe(build: Callable[[Facts, str], Built], f: Facts, iri: str | None) -> Built | None:
    return None if iri is None else build(f, iri)


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


def place(f: Facts, iri: str) -> Place:
    return Place(
        iri=iri,
        label=f.texts(iri, RDFS_LABEL),
        country=_maybe(authority, f, f.iri(iri, f.v("country"))),
        region=_maybe(authority, f, f.iri(iri, f.v("region"))),
    )


def organisation_ref(f: Facts, iri: str) -> OrganisationRef:
    return OrganisationRef(
        iri=iri,
        id=f.string(iri, IDENTIFIER) or _last_segment(iri),
        name=f.texts(iri, namespaces.FOAF + "name"),
    )


def project_summary(f: Facts, iri: str) -> ProjectSummary:
    """What a list shows about a project, from the triples of api/queries/project-summaries.rq."""
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


# -- one project and its parts ------------------------------------------------------------------------


def funding(f: Facts, iri: str) -> Funding:
    return Funding(
        iri=iri,
        funding_type=concept(f, f.the_iri(iri, f.v("fundingType"))),
        amount=f.string(iri, f.v("amount")),
        currency=_maybe(authority, f, f.iri(iri, f.v("currency"))),
        rate=f.string(iri, f.v("coFinancingRate")),
        source_text=f.texts(iri, f.v("sourceText")),
        notes=f.text_sets(iri, NOTE),
    )


def participation(f: Facts, iri: str) -> Participation:
    return Participation(
        iri=iri,
        organisation=organisation_ref(f, f.the_iri(iri, f.v("organisation"))),
        role=concept(f, f.the_iri(iri, f.v("role"))),
    )


def target_group(f: Facts, iri: str) -> TargetGroup:
    return TargetGroup(
        iri=iri,
        concept=concept(f, f.the_iri(iri, f.v("targetGroup"))),
        text=f.texts(iri, f.v("sourceText")),
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
        quantity=f.integer(iri, f.v("quantity")),
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
        target_groups=[target_group(f, part) for part in f.iris(iri, v("targetGroupMention"))],
        activities=[activity(f, part) for part in f.iris(iri, v("activity"))],
        indicators=[indicator(f, part) for part in f.iris(iri, v("indicator"))],
        outputs=[output(f, part) for part in f.iris(iri, v("output"))],
        events=[event(f, part) for part in f.iris(iri, v("event"))],
        website=f.iri(iri, namespaces.FOAF + "homepage"),
        notes=f.text_sets(iri, NOTE),
        source=_maybe(source_document, f, f.iri(iri, namespaces.DCTERMS + "source")),
    )


# -- organisations, programmes, funds -------------------------------------------------------------------


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


def organisation(
    f: Facts, iri: str, projects: ProjectList, summaries: Mapping[str, ProjectSummary]
) -> Organisation:
    """An organisation from api/queries/organisation.rq and its roles from participations.rq, in the
    listed projects only, in their order (by title)."""
    v = f.v
    sub_organisation_of = namespaces.ORG + "subOrganizationOf"
    position = {project: index for index, project in enumerate(projects.iris)}
    roles = sorted(
        (position[project], part)
        for part in f.subjects(v("organisation"), iri)
        if (project := f.iri(part, v("project"))) in position and project in summaries
    )
    participations = [
        OrganisationParticipation(
            iri=part,
            project=summaries[projects.iris[index]],
            role=concept(f, f.the_iri(part, v("role"))),
        )
        for index, part in roles
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
        projects_total=projects.total,
        projects_url=projects.url,
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


def programme_detail(
    f: Facts, iri: str, projects: ProjectList, summaries: Mapping[str, ProjectSummary]
) -> ProgrammeDetail:
    """A programme from api/queries/concepts.rq, with the first of its projects."""
    return ProgrammeDetail(
        **_concept_fields(f, iri),
        programming_period=f.string(iri, f.v("programmingPeriod")),
        funds=[concept(f, fund) for fund in f.iris(iri, f.v("fund"))],
        projects=projects.summaries(summaries),
        projects_total=projects.total,
        projects_url=projects.url,
    )


def fund_detail(
    f: Facts,
    iri: str,
    funded: ProjectList,
    co_financed: ProjectList,
    summaries: Mapping[str, ProjectSummary],
) -> FundDetail:
    """A fund from api/queries/concepts.rq, with the programmes financed from it and the first of the
    projects it finances and co-finances."""
    return FundDetail(
        **_concept_fields(f, iri),
        programmes=[concept(f, p) for p in f.subjects(f.v("fund"), iri, namespaces.SKOS + "Concept")],
        funded_projects=funded.summaries(summaries),
        funded_projects_total=funded.total,
        funded_projects_url=funded.url,
        co_financed_projects=co_financed.summaries(summaries),
        co_financed_projects_total=co_financed.total,
        co_financed_projects_url=co_financed.url,
    )
