"""/api/v1: JSON (or JSON-LD) about projects, organisations, programmes and funds.

Handlers are thin: a query from api/queries/, its parameters bound as RDF terms, the triples turned
into the models of api/jsonld.py. In a query file, `$name` is replaced by an RDF term that pyoxigraph
serializes (an IRI it has checked, a literal it has escaped), a line ending in `# if name` is kept only
when that parameter is given, and `VALUES ?name { ... }` gets the terms of a list parameter; request
text never reaches a query any other way. Each file is valid SPARQL as it stands (`$name` is a variable).

The same document is JSON (default) or JSON-LD (`Accept: application/ld+json` or `?format=jsonld`): the
JSON-LD is the JSON plus "@context", the URL of /api/v1/context.jsonld; the JSON names that context in
a `Link` header. Neither changes the store.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi import Path as PathParameter
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel
from pyoxigraph import Literal as RdfLiteral
from pyoxigraph import NamedNode, QuerySolutions, QueryTriples, Triple
from starlette.datastructures import URL

from api import jsonld
from api.deps import NamespacesDep, SettingsDep, StoreDep
from api.errors import BadRequest, NotFound
from api.jsonld import Facts, FundDetail, Organisation, Page, ProgrammeDetail, ProjectDetail, ProjectSummary
from api.negotiation import JSON_LD, Format, negotiate
from loader import namespaces
from loader.namespaces import Namespaces
from loader.store import LodStore

router = APIRouter(prefix="/api/v1")

QUERIES = Path(__file__).parent / "queries"
JSON = Format("JSON", "application/json")
REPRESENTATIONS = (JSON, JSON_LD)
Responses = dict[int | str, dict[str, Any]]
CONTEXT_REL = "http://www.w3.org/ns/json-ld#context"
BOTH: Responses = {200: {"content": {"application/json": {}, "application/ld+json": {}}}}
NOT_FOUND: Responses = {404: {"description": "Nothing with that identifier (application/problem+json)."}}
ORDERS = {
    "title": "ORDER BY ?titleKey ?project",
    "-title": "ORDER BY DESC(?titleKey) ?project",
    "start": "ORDER BY (!BOUND(?startKey)) ?startKey ?project",
    "-start": "ORDER BY (!BOUND(?startKey)) DESC(?startKey) ?project",
    "end": "ORDER BY (!BOUND(?endKey)) ?endKey ?project",
    "-end": "ORDER BY (!BOUND(?endKey)) DESC(?endKey) ?project",
}
Sort = Literal["title", "-title", "start", "-start", "end", "-end"]
Term = NamedNode | RdfLiteral
Binding = Term | Sequence[NamedNode] | None
Item = TypeVar("Item", bound=BaseModel)
Row = TypeVar("Row")


# -- queries --------------------------------------------------------------------------------------------


@cache
def query_text(name: str) -> str:
    """The text of api/queries/{name}.rq (read once)."""
    return (QUERIES / f"{name}.rq").read_text(encoding="utf-8")


def bind(template: str, **parameters: Binding) -> str:
    """`template` with its parameters bound (see the module docstring); unknown `$names` stay variables."""
    lines = []
    for line in template.splitlines():
        condition = re.search(r"\s*#\s*if (\w+)\s*$", line)
        if condition:
            if parameters.get(condition[1]) is None:
                continue
            line = line[: condition.start()]
        values = re.fullmatch(r"(\s*)VALUES \?(\w+) \{.*\}(.*)", line)
        if values and isinstance(terms := parameters.get(values[2]), Sequence):
            line = f"{values[1]}VALUES ?{values[2]} {{ {' '.join(map(str, terms))} }}{values[3]}"
        else:
            line = re.sub(r"\$(\w+)\b", lambda match: _term(parameters.get(match[1]), match[0]), line)
        lines.append(line)
    return "\n".join(lines) + "\n"


def _term(bound: Binding, unbound: str) -> str:
    """A single bound term as SPARQL (pyoxigraph's N-Triples form), or `unbound` left as it was."""
    return str(bound) if isinstance(bound, NamedNode | RdfLiteral) else unbound


def construct(store: LodStore, ns: Namespaces, name: str, **parameters: Binding) -> Facts:
    """Run the CONSTRUCT query api/queries/{name}.rq with `parameters`; its triples, indexed."""
    result = store.query(bind(query_text(name), **parameters), base_iri=ns.base)
    assert isinstance(result, QueryTriples), f"{name}.rq is not a CONSTRUCT query"
    return Facts(list[Triple](result), ns)


def select(
    store: LodStore, ns: Namespaces, name: str, order: str | None = None, **parameters: Binding
) -> list[str]:
    """The first column (IRIs) of the SELECT query api/queries/{name}.rq, in the query's order or in
    `order` (an ORDER BY clause from this module, never from a request)."""
    template = query_text(name)
    if order is not None:
        template = re.sub(r"(?m)^ORDER BY .*$", order, template)
    result = store.query(bind(template, **parameters), base_iri=ns.base)
    assert isinstance(result, QuerySolutions), f"{name}.rq is not a SELECT query"
    return [row[0].value for row in result if isinstance(row[0], NamedNode)]


def summaries(store: LodStore, ns: Namespaces, projects: Iterable[str]) -> dict[str, ProjectSummary]:
    """Project summaries by IRI, from api/queries/project-summaries.rq."""
    wanted = sorted(set(projects))
    if not wanted:
        return {}
    facts = construct(store, ns, "project-summaries", project=[NamedNode(iri) for iri in wanted])
    return {iri: jsonld.project_summary(facts, iri) for iri in wanted if facts.describes(iri)}


def _variants() -> dict[str, str]:
    """Each unaccented lowercase Latin letter -> every accented form of it in Latin-1 and Latin Extended-A."""
    variants: dict[str, str] = {}
    for code in range(0xC0, 0x250):
        letter = chr(code).lower()
        base = unicodedata.normalize("NFD", letter)[0]
        if len(letter) == 1 and base.isascii() and base.isalpha() and letter not in variants.get(base, base):
            variants[base] = variants.get(base, base) + letter
    return variants


VARIANTS = _variants()
REGEX_SPECIAL = set("\\|.-^?*+{}()[]$")


def text_pattern(text: str) -> str:
    """A regular expression that finds `text` whatever its case and accents: 'socialni' finds 'sociální'.

    Used with flag "i". Only letters become classes; every other character is matched literally, escaped
    where XPath (SPARQL 1.1, section 17.4.3.14) and Rust regular expressions give it a meaning.
    """
    folded = "".join(c for c in unicodedata.normalize("NFD", text.lower()) if not unicodedata.combining(c))
    parts = []
    for char in " ".join(folded.split()):
        if char in VARIANTS:
            parts.append(f"[{VARIANTS[char]}]")
        elif char == " ":
            parts.append(r"\s+")
        else:
            parts.append("\\" + char if char in REGEX_SPECIAL else char)
    return "".join(parts)


# -- representations and paging --------------------------------------------------------------------------


def representation(
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
    format: Annotated[
        Literal["json", "jsonld"] | None,
        Query(
            description="json or jsonld; beats the Accept header (application/json or application/ld+json).",
            examples=["jsonld"],
        ),
    ] = None,
) -> Format:
    """The representation asked for: `?format=` if given, else the Accept header; JSON by default."""
    if format is not None:
        return JSON_LD if format == "jsonld" else JSON
    return negotiate(accept, REPRESENTATIONS)


RepresentationDep = Annotated[Format, Depends(representation)]


def respond(
    request: Request, document: BaseModel, format_: Format, links: Mapping[str, str] | None = None
) -> Response:
    """`document` as JSON, or as JSON-LD with the published @context: one shape, two media types."""
    context = str(request.url_for("jsonld_context"))
    body: dict[str, Any] = document.model_dump(mode="json", exclude_none=True)
    link = [f'<{url}>; rel="{rel}"' for rel, url in (links or {}).items()]
    if format_ is JSON_LD:
        body = {"@context": context, **body}
    else:
        link.append(f'<{context}>; rel="{CONTEXT_REL}"; type="{JSON_LD.media_type}"')
    headers = {"Vary": "Accept", **({"Link": ", ".join(link)} if link else {})}
    return JSONResponse(body, media_type=format_.media_type, headers=headers)


def _resource_url(request: Request) -> URL:
    """The request's URL without `format`: the JSON and the JSON-LD describe the same resource."""
    return request.url.remove_query_params("format")


@dataclass(frozen=True)
class Paging:
    page: int
    per_page: int

    def window(self, items: Sequence[Row]) -> Sequence[Row]:
        start = (self.page - 1) * self.per_page
        return items[start : start + self.per_page]

    def links(self, request: Request, total: int) -> dict[str, str]:
        links = {}
        if self.page * self.per_page < total:
            links["next"] = str(
                _resource_url(request).include_query_params(page=self.page + 1, per_page=self.per_page)
            )
        if self.page > 1:
            last = max(1, -(-total // self.per_page))
            links["prev"] = str(
                _resource_url(request).include_query_params(
                    page=min(self.page - 1, last), per_page=self.per_page
                )
            )
        return links


def paging(
    settings: SettingsDep,
    page: Annotated[int, Query(ge=1, description="Page number, from 1.", examples=[2])] = 1,
    per_page: Annotated[
        int,
        Query(
            ge=1,
            description="Items per page; at most the server's page_size_max (500 by default).",
            examples=[20],
        ),
    ] = 20,
) -> Paging:
    """Page and page size; raises BadRequest (400) above the server's maximum page size."""
    if per_page > settings.page_size_max:
        raise BadRequest(f"per_page is {per_page}; expected at most {settings.page_size_max}")
    return Paging(page, per_page)


PagingDep = Annotated[Paging, Depends(paging)]


def page_of(
    request: Request, paging_: Paging, total: int, items: list[Item]
) -> tuple[Page[Item], dict[str, str]]:
    """One page of `total` items, and the links to its neighbours."""
    links = paging_.links(request, total)
    return Page[Item](
        iri=str(_resource_url(request)),
        total=total,
        page=paging_.page,
        per_page=paging_.per_page,
        next=links.get("next"),
        prev=links.get("prev"),
        items=items,
    ), links


# -- parameters -----------------------------------------------------------------------------------------

NOTATION = r"^[a-z0-9][a-z0-9-]*$"
IDENTIFIER = r"^[A-Za-z0-9][A-Za-z0-9._~-]*$"
ProjectId = Annotated[
    str, PathParameter(description="The project's identifier.", examples=["CZ.04.4.83-3.2.03.1-0448"])
]


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
            pattern=NOTATION, examples=["op-lzz"], description="Projects under this programme (its notation)."
        ),
    ] = None,
    fund: Annotated[
        str | None,
        Query(
            pattern=NOTATION, examples=["esf"], description="Projects financed from this fund (its notation)."
        ),
    ] = None,
    status: Annotated[
        str | None,
        Query(
            pattern=NOTATION,
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
    organisation: Annotated[
        str | None,
        Query(
            pattern=IDENTIFIER,
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
    return respond(request, jsonld.project_detail(facts, iri.value), format_)


def _minted(mint: Callable[[str], NamedNode], identifier: str, not_found: NotFound) -> NamedNode:
    """The IRI lodcat mints for `identifier`; raises `not_found` if it cannot be one (nothing has it)."""
    try:
        return mint(identifier)
    except ValueError:
        raise not_found from None


# -- organisations --------------------------------------------------------------------------------------


def organisations(store: LodStore, ns: Namespaces, iris: Sequence[str]) -> list[Organisation]:
    """Organisations with their projects, from api/queries/organisation.rq and project-summaries.rq."""
    if not iris:
        return []
    facts = construct(store, ns, "organisation", organisation=[NamedNode(iri) for iri in iris])
    projects = summaries(
        store,
        ns,
        (
            project
            for iri in iris
            for part in facts.subjects(facts.v("organisation"), iri)
            for project in facts.iris(part, facts.v("project"))
        ),
    )
    return [jsonld.organisation(facts, iri, projects) for iri in iris if facts.describes(iri)]


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
    """Organisations by name, one page of them, each with its projects and its role in each."""
    every = select(store, ns, "organisations")
    document, links = page_of(request, paging_, len(every), organisations(store, ns, paging_.window(every)))
    return respond(request, document, format_, links)


@router.get(
    "/organisations/{id}",
    response_model=Organisation,
    responses={**BOTH, **NOT_FOUND},
    tags=["organisations"],
    summary="One organisation with its projects and roles",
)
def get_organisation(
    request: Request,
    store: StoreDep,
    ns: NamespacesDep,
    format_: RepresentationDep,
    id: Annotated[
        str, PathParameter(description="The organisation's identifier.", examples=["cz-zlinsky-kraj"])
    ],
) -> Response:
    """What the sources state about the organisation, and its projects with its roles. Raises NotFound."""
    not_found = NotFound(f"No organisation has the identifier {id!r}; GET /api/v1/organisations lists them")
    found = organisations(store, ns, [_minted(ns.organisation, id, not_found).value])
    if not found:
        raise not_found
    return respond(request, found[0], format_)


# -- programmes and funds -------------------------------------------------------------------------------

SCHEME_LINKS = ("programme", "fund", "coFinancedBy")


def scheme_members(
    store: LodStore, ns: Namespaces, scheme: str, notation: str | None = None
) -> tuple[Facts, list[str], dict[str, ProjectSummary]]:
    """The concepts of `scheme` (all, or the one with `notation`) by notation, from api/queries/concepts.rq,
    and the summaries of the projects naming them. Raises NotFound for an unknown notation."""
    not_found = NotFound(f"No {scheme} has the notation {notation!r}; GET /api/v1/{scheme}s lists them")
    concept = None if notation is None else _minted(lambda n: ns.concept(scheme, n), notation, not_found)
    scheme_iri = ns.scheme(scheme)
    facts = construct(store, ns, "concepts", scheme=scheme_iri, concept=concept)
    members = sorted(
        facts.subjects(jsonld.IN_SCHEME, scheme_iri.value),
        key=lambda iri: facts.string(iri, jsonld.NOTATION) or iri,
    )
    if notation is not None and not members:
        raise not_found
    project = facts.v("Project")
    named = (s for c in members for link in SCHEME_LINKS for s in facts.subjects(facts.v(link), c, project))
    return facts, members, summaries(store, ns, named)


def _collection(request: Request, items: list[Item]) -> Page[Item]:
    return Page[Item](iri=str(_resource_url(request)), total=len(items), items=items)


ProgrammeNotation = Annotated[
    str, PathParameter(description="The programme's skos:notation.", examples=["op-lzz"])
]
FundNotation = Annotated[str, PathParameter(description="The fund's skos:notation.", examples=["esf"])]


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
    """Every programme of the programme scheme, by notation, with its period, funds and projects."""
    facts, members, projects = scheme_members(store, ns, "programme")
    items = [jsonld.programme_detail(facts, iri, projects) for iri in members]
    return respond(request, _collection(request, items), format_)


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
    """The programme, its programming period and funds, and the projects under it. Raises NotFound."""
    facts, members, projects = scheme_members(store, ns, "programme", notation)
    return respond(request, jsonld.programme_detail(facts, members[0], projects), format_)


@router.get(
    "/funds",
    response_model=Page[FundDetail],
    responses=BOTH,
    tags=["programmes and funds"],
    summary="Funds with their programmes and projects",
)
def list_funds(request: Request, store: StoreDep, ns: NamespacesDep, format_: RepresentationDep) -> Response:
    """Every fund, by notation, with the programmes and projects financed from it and those it co-finances."""
    facts, members, projects = scheme_members(store, ns, "fund")
    items = [jsonld.fund_detail(facts, iri, projects) for iri in members]
    return respond(request, _collection(request, items), format_)


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
    """The fund, the programmes and projects financed from it, and the projects it co-finances."""
    facts, members, projects = scheme_members(store, ns, "fund", notation)
    return respond(request, jsonld.fund_detail(facts, members[0], projects), format_)


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
