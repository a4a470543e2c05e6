"""/api/v1: JSON (or JSON-LD) about projects, organisations, programmes and funds.

Handlers are thin: a query from api/queries/ run by api/rest_queries.py with its parameters bound as RDF
terms, the triples turned into the models of api/models.py and api/project_models.py by
api/documents.py. An organisation, programme or fund embeds the first EMBEDDED_PROJECTS of its projects
by title, with their number and the URL of GET /api/v1/projects that lists every one of them.

The same document is JSON (default) or JSON-LD (`Accept: application/ld+json` or `?format=jsonld`): the
JSON-LD is the JSON plus "@context", the URL of /api/v1/context.jsonld; the JSON names that context in
a `Link` header (api/jsonld.py). Nothing here changes the store.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParameter
from fastapi.responses import FileResponse, JSONResponse, Response
from pyoxigraph import Literal as RdfLiteral
from pyoxigraph import NamedNode

from api import documents, jsonld
from api.deps import NamespacesDep, SettingsDep, StoreDep
from api.documents import ProjectList
from api.errors import BadRequest, NotFound
from api.facts import IDENTIFIER as DCTERMS_IDENTIFIER
from api.facts import IN_SCHEME, NOTATION, Facts
from api.jsonld import RepresentationDep, respond
from api.lifecycle import search_index_of
from api.models import EMBEDDED_PROJECTS, FundDetail, Organisation, Page, ProgrammeDetail, ProjectSummary
from api.negotiation import JSON_LD
from api.paging import PagingDep, collection, page_of
from api.project_models import ProjectDetail
from api.rest_queries import ORDERS, construct, select, summaries, text_pattern, triples
from loader import namespaces
from loader.namespaces import Namespaces
from loader.search_index import SearchError
from loader.search_index import search as search_projects
from loader.store import LodStore

router = APIRouter(prefix="/api/v1")

Responses = dict[int | str, dict[str, Any]]
BOTH: Responses = {200: {"content": {"application/json": {}, "application/ld+json": {}}}}
NOT_FOUND: Responses = {404: {"description": "Nothing with that identifier (application/problem+json)."}}
Sort = Literal["title", "-title", "start", "-start", "end", "-end"]


# -- parameters -----------------------------------------------------------------------------------------

NOTATION_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
IDENTIFIER_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._~-]*$"
ProjectId = Annotated[
    str, PathParameter(description="The project's identifier.", examples=["CZ.04.4.83-3.2.03.1-0448"])
]
OrganisationId = Annotated[
    str, PathParameter(description="The organisation's identifier.", examples=["cz-zlinsky-kraj"])
]
ProgrammeNotation = Annotated[
    str, PathParameter(description="The programme's skos:notation.", examples=["op-lzz"])
]
FundNotation = Annotated[str, PathParameter(description="The fund's skos:notation.", examples=["esf"])]


def _minted(mint: Callable[[str], NamedNode], identifier: str, not_found: NotFound) -> NamedNode:
    """The IRI lodcat mints for `identifier`; raises `not_found` if it cannot be one (nothing has it)."""
    try:
        return mint(identifier)
    except ValueError:
        raise not_found from None


# -- projects -------------------------------------------------------------------------------------------


@router.get(
    "/projects",
    response_model=Page[ProjectSummary],
    responses=BOTH,
    tags=["projects"],
    summary="Projects, filtered, sorted and paged",
)
def list_projects(
    request: Request,
    store: StoreDep,
    ns: NamespacesDep,
    format_: RepresentationDep,
    paging_: PagingDep,
    country: Annotated[
        str | None,
        Query(
            pattern=r"^[A-Z]{3}$",
            examples=["CZE"],
            description="Projects in this country: EU authority-table code (ISO 3166-1 alpha-3).",
        ),
    ] = None,
    region: Annotated[
        str | None,
        Query(
            pattern=r"^[A-Z]{2}[0-9A-Z]{1,3}$",
            examples=["CZ051"],
            description="Projects in this NUTS region (exact code: CZ051 is Liberecký kraj).",
        ),
    ] = None,
    programme: Annotated[
        str | None,
        Query(
            pattern=NOTATION_PATTERN,
            examples=["op-lzz"],
            description="Projects under this programme (its notation).",
        ),
    ] = None,
    fund: Annotated[
        str | None,
        Query(
            pattern=NOTATION_PATTERN,
            examples=["esf"],
            description="Projects financed from this fund (its notation).",
        ),
    ] = None,
    status: Annotated[
        str | None,
        Query(
            pattern=NOTATION_PATTERN,
            examples=["finished"],
            description="Projects with this status: finished, ongoing, planned.",
        ),
    ] = None,
    year: Annotated[
        int | None,
        Query(
            ge=1,
            le=9999,
            examples=[2007],
            description="Projects active at some time in this year, at the precision of their dates (a "
            "project ending '2011-06' is active in 2011). With only a start or only an end, that year.",
        ),
    ] = None,
    co_financed_by: Annotated[
        str | None,
        Query(
            pattern=NOTATION_PATTERN,
            examples=["cz-state-budget"],
            description="Projects this fund or budget co-finances (its notation).",
        ),
    ] = None,
    organisation: Annotated[
        str | None,
        Query(
            pattern=IDENTIFIER_PATTERN,
            examples=["cz-zlinsky-kraj"],
            description="Projects this organisation takes part in, in any role (its identifier).",
        ),
    ] = None,
    q: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=200,
            examples=["sociální"],
            description="Text in a title, alternative title or description; ignores case and accents.",
        ),
    ] = None,
    sort: Annotated[
        Sort,
        Query(
            description="Order: title, start or end; '-' first for descending. Missing dates sort last.",
            examples=["-start"],
        ),
    ] = "title",
) -> Response:
    """Projects matching every filter given, one page of them, with the total count over all pages.

    `Link` has the next and previous pages. Raises BadRequest for a page size above the maximum.
    """
    if q is not None and q.strip() and organisation is None and year is None and co_financed_by is None:
        # The same full-text search as the pages (loader/search_index.py): case, diacritics and Czech
        # endings ignored, ranked; organisation, year and co-financer filters stay in SPARQL below.
        given = {"country": country, "region": region, "programme": programme, "fund": fund, "status": status}
        filters = {name: [value] for name, value in given.items() if value}
        try:
            result = search_projects(
                search_index_of(request.app), q, filters, sort, paging_.page, paging_.per_page
            )
        except SearchError as error:
            raise BadRequest(str(error)) from None
        hits = [hit.iri for hit in result.hits]
        found_hits = summaries(store, ns, hits)
        document, links = page_of(
            request, paging_, result.total, [found_hits[i] for i in hits if i in found_hits]
        )
        return respond(request, document, format_, links)
    pattern = text_pattern(q) if q is not None and q.strip() else None
    matching = select(
        store,
        ns,
        "projects",
        order=ORDERS[sort],
        country=namespaces.country(country) if country else None,
        region=namespaces.nuts(region) if region else None,
        programme=ns.concept("programme", programme) if programme else None,
        fund=ns.concept("fund", fund) if fund else None,
        co_financed_by=ns.concept("fund", co_financed_by) if co_financed_by else None,
        status=ns.concept("status", status) if status else None,
        organisation=ns.organisation(organisation) if organisation else None,
        year=RdfLiteral(str(year), datatype=NamedNode(namespaces.XSD + "integer"))
        if year is not None
        else None,
        pattern=RdfLiteral(pattern) if pattern else None,
    )
    window = paging_.window(matching)
    found = summaries(store, ns, window)
    document, links = page_of(request, paging_, len(matching), [found[iri] for iri in window if iri in found])
    return respond(request, document, format_, links)


@router.get(
    "/projects/{id}",
    response_model=ProjectDetail,
    responses={**BOTH, **NOT_FOUND},
    tags=["projects"],
    summary="One project with every fact",
)
def get_project(
    request: Request, store: StoreDep, ns: NamespacesDep, format_: RepresentationDep, id: ProjectId
) -> Response:
    """Every fact about the project: codes, dates at their precision, funding, participants, places,
    target groups, activities, indicators, outputs, events and its source. Raises NotFound (404)."""
    not_found = NotFound(f"No project has the identifier {id!r}; GET /api/v1/projects lists them")
    iri = _minted(ns.project, id, not_found)
    facts = construct(store, ns, "project", project=iri)
    if not facts.describes(iri.value):
        raise not_found
    return respond(request, documents.project_detail(facts, iri.value), format_)


def project_list(
    request: Request, store: LodStore, ns: Namespaces, parameter: str, value: str, term: NamedNode
) -> ProjectList:
    """The projects GET /api/v1/projects?{parameter}={value} finds: the first EMBEDDED_PROJECTS by title,
    how many there are, and that URL."""
    matching = select(store, ns, "projects", order=ORDERS["title"], **{parameter: term})
    url = request.url_for("list_projects").include_query_params(**{parameter: value})
    return ProjectList(iris=matching[:EMBEDDED_PROJECTS], total=len(matching), url=str(url))


# -- organisations --------------------------------------------------------------------------------------


def organisations(
    request: Request, store: LodStore, ns: Namespaces, iris: Sequence[str]
) -> list[Organisation]:
    """Organisations from api/queries/organisation.rq, each with its roles in the first of its projects
    (participations.rq) and their summaries (project-summaries.rq)."""
    if not iris:
        return []
    facts = construct(store, ns, "organisation", organisation=[NamedNode(iri) for iri in iris])
    found = [iri for iri in iris if facts.describes(iri)]
    lists = {
        iri: project_list(
            request, store, ns, "organisation", facts.the_string(iri, DCTERMS_IDENTIFIER), NamedNode(iri)
        )
        for iri in found
    }
    embedded = sorted({project for listed in lists.values() for project in listed.iris})
    if embedded:
        roles = triples(
            store,
            ns,
            "participations",
            organisation=[NamedNode(iri) for iri in found],
            project=[NamedNode(iri) for iri in embedded],
        )
        facts = Facts([*facts.triples, *roles], ns)
    projects = summaries(store, ns, embedded)
    return [documents.organisation(facts, iri, lists[iri], projects) for iri in found]


@router.get(
    "/organisations",
    response_model=Page[Organisation],
    responses=BOTH,
    tags=["organisations"],
    summary="Organisations with their projects and roles",
)
def list_organisations(
    request: Request, store: StoreDep, ns: NamespacesDep, format_: RepresentationDep, paging_: PagingDep
) -> Response:
    """Organisations by name, one page of them, each with the first of its projects and its role in each."""
    every = select(store, ns, "organisations")
    window = organisations(request, store, ns, paging_.window(every))
    document, links = page_of(request, paging_, len(every), window)
    return respond(request, document, format_, links)


@router.get(
    "/organisations/{id}",
    response_model=Organisation,
    responses={**BOTH, **NOT_FOUND},
    tags=["organisations"],
    summary="One organisation with its projects and roles",
)
def get_organisation(
    request: Request, store: StoreDep, ns: NamespacesDep, format_: RepresentationDep, id: OrganisationId
) -> Response:
    """What the sources state about the organisation, and the first of its projects with its roles in
    them. Raises NotFound."""
    not_found = NotFound(f"No organisation has the identifier {id!r}; GET /api/v1/organisations lists them")
    found = organisations(request, store, ns, [_minted(ns.organisation, id, not_found).value])
    if not found:
        raise not_found
    return respond(request, found[0], format_)


# -- programmes and funds -------------------------------------------------------------------------------


def scheme_concepts(
    store: LodStore, ns: Namespaces, scheme: str, notation: str | None = None
) -> tuple[Facts, dict[str, str]]:
    """The concepts of `scheme` (all, or the one with `notation`) from api/queries/concepts.rq: the facts,
    and each concept's notation by IRI, sorted by notation. Raises NotFound for an unknown notation."""
    not_found = NotFound(f"No {scheme} has the notation {notation!r}; GET /api/v1/{scheme}s lists them")
    concept = None if notation is None else _minted(lambda n: ns.concept(scheme, n), notation, not_found)
    scheme_iri = ns.scheme(scheme)
    facts = construct(store, ns, "concepts", scheme=scheme_iri, concept=concept)
    members = {iri: facts.the_string(iri, NOTATION) for iri in facts.subjects(IN_SCHEME, scheme_iri.value)}
    if notation is not None and not members:
        raise not_found
    return facts, dict(sorted(members.items(), key=lambda member: member[1]))


def programmes(
    request: Request, store: LodStore, ns: Namespaces, notation: str | None = None
) -> list[ProgrammeDetail]:
    """Programmes by notation (all, or one), each with the first of its projects."""
    facts, members = scheme_concepts(store, ns, "programme", notation)
    lists = {
        iri: project_list(request, store, ns, "programme", code, NamedNode(iri))
        for iri, code in members.items()
    }
    found = summaries(store, ns, (project for listed in lists.values() for project in listed.iris))
    return [documents.programme_detail(facts, iri, lists[iri], found) for iri in members]


def funds(request: Request, store: LodStore, ns: Namespaces, notation: str | None = None) -> list[FundDetail]:
    """Funds by notation (all, or one), each with the first of the projects it finances and co-finances."""
    facts, members = scheme_concepts(store, ns, "fund", notation)
    lists = {
        (iri, parameter): project_list(request, store, ns, parameter, code, NamedNode(iri))
        for iri, code in members.items()
        for parameter in ("fund", "co_financed_by")
    }
    found = summaries(store, ns, (project for listed in lists.values() for project in listed.iris))
    return [
        documents.fund_detail(facts, iri, lists[iri, "fund"], lists[iri, "co_financed_by"], found)
        for iri in members
    ]


@router.get(
    "/programmes",
    response_model=Page[ProgrammeDetail],
    responses=BOTH,
    tags=["programmes and funds"],
    summary="Programmes with their projects",
)
def list_programmes(
    request: Request, store: StoreDep, ns: NamespacesDep, format_: RepresentationDep
) -> Response:
    """Every programme of the programme scheme, by notation, with its period, funds and first projects."""
    return respond(request, collection(request, programmes(request, store, ns)), format_)


@router.get(
    "/programmes/{notation}",
    response_model=ProgrammeDetail,
    responses={**BOTH, **NOT_FOUND},
    tags=["programmes and funds"],
    summary="One programme with its projects",
)
def get_programme(
    request: Request,
    store: StoreDep,
    ns: NamespacesDep,
    format_: RepresentationDep,
    notation: ProgrammeNotation,
) -> Response:
    """The programme, its programming period and funds, and the first projects under it. Raises NotFound."""
    return respond(request, programmes(request, store, ns, notation)[0], format_)


@router.get(
    "/funds",
    response_model=Page[FundDetail],
    responses=BOTH,
    tags=["programmes and funds"],
    summary="Funds with their programmes and projects",
)
def list_funds(request: Request, store: StoreDep, ns: NamespacesDep, format_: RepresentationDep) -> Response:
    """Every fund, by notation, with the programmes and first projects it finances and co-finances."""
    return respond(request, collection(request, funds(request, store, ns)), format_)


@router.get(
    "/funds/{notation}",
    response_model=FundDetail,
    responses={**BOTH, **NOT_FOUND},
    tags=["programmes and funds"],
    summary="One fund with its programmes and projects",
)
def get_fund(
    request: Request, store: StoreDep, ns: NamespacesDep, format_: RepresentationDep, notation: FundNotation
) -> Response:
    """The fund, the programmes financed from it, and the first projects it finances and co-finances."""
    return respond(request, funds(request, store, ns, notation)[0], format_)


# -- the contracts: record schema and JSON-LD context --------------------------------------------------


@router.get(
    "/schema/record.json",
    tags=["schema"],
    summary="JSON Schema of a record file",
    response_class=FileResponse,
    responses={200: {"content": {"application/schema+json": {}}}},
)
def record_schema(settings: SettingsDep) -> FileResponse:
    """The JSON Schema that data/*.json record files follow (schema/record.schema.json)."""
    if not settings.schema_path.is_file():
        raise NotFound(f"{settings.schema_path}: the record schema is missing; `lodcat schema` writes it")
    return FileResponse(settings.schema_path, media_type="application/schema+json")


@router.get(
    "/context.jsonld",
    name="jsonld_context",
    tags=["schema"],
    summary="The JSON-LD @context of the REST API",
    responses={200: {"content": {"application/ld+json": {}}}},
)
def json_ld_context(ns: NamespacesDep) -> JSONResponse:
    """The @context every /api/v1 document uses: with it, the JSON is JSON-LD, i.e. RDF."""
    return JSONResponse(jsonld.context(ns), media_type=JSON_LD.media_type)
