"""/sparql: the query operation of the SPARQL 1.1 Protocol (https://www.w3.org/TR/sparql11-protocol/).

Three ways to send a query, as the protocol's section 2.1 lists them: GET with `query=`, POST with an
`application/x-www-form-urlencoded` body holding `query=`, and POST with the query itself as an
`application/sparql-query` body. SELECT and ASK answer in SPARQL JSON (default), XML, CSV or TSV;
CONSTRUCT and DESCRIBE in Turtle (default), N-Triples, JSON-LD or RDF/XML, chosen by Accept.

The default graph is the union of the named graphs, so a query without GRAPH sees every source. A query
that names its dataset with FROM / FROM NAMED, or a request that names it with default-graph-uri /
named-graph-uri (which win over FROM), gets exactly that dataset instead. The endpoint is
read-only: an update, however it is sent, is refused with 400 before anything reaches the store.

`GET /sparql` without a query string returns the SPARQL 1.1 Service Description (api/service_description.py),
or sends a browser to the query page.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pyoxigraph import NamedNode
from starlette.concurrency import run_in_threadpool

from api.deps import SettingsDep, StoreDep
from api.errors import (
    BadQuery,
    BadRequest,
    NotAcceptable,
    QueryFailed,
    QueryTimedOut,
    ServiceBusy,
    UnsupportedMediaType,
    UpdateRefused,
)
from api.executor import AllSlotsBusy, QueryExecutor, QueryJob, QueryOutcome, QueryTimeout
from api.negotiation import GRAPH, SOLUTIONS, VARY
from api.query_runner import run_job
from api.service_description import description_response
from loader.namespaces import DCTERMS, RDFS, SKOS, Namespaces
from loader.settings import Settings
from loader.store import LodStore

router = APIRouter(tags=["sparql"])

PROTOCOL = "https://www.w3.org/TR/sparql11-protocol/#query-operation"
POST_DIRECT = "https://www.w3.org/TR/sparql11-protocol/#query-via-post-direct"
DATASET_SECTION = "https://www.w3.org/TR/sparql11-protocol/#dataset"
FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"

MISSING_QUERY = (
    "No query: send query=... with GET or as an application/x-www-form-urlencoded POST, or POST the query "
    f"as {SPARQL_QUERY} ({PROTOCOL})"
)
BOTH = f"The request has both query and update; send one of them ({PROTOCOL})"
READ_ONLY = "This endpoint is read-only: SPARQL updates are refused and nothing was changed"
MANY_QUERIES = f"The request has {{count}} query parameters; send exactly one ({PROTOCOL})"
NOT_AN_IRI = f"{{parameter}} has value {{value!r}}; expected an absolute IRI: {{reason}} ({DATASET_SECTION})"
NOT_UTF8 = "The request body is not UTF-8: {reason}"
NOT_UTF8_CHARSET = f"POST /sparql takes {{media_type}} in UTF-8 only, not charset={{charset}} ({POST_DIRECT})"
NO_SERVICE = "SERVICE is not supported: this endpoint answers from its own data and calls no other endpoint"

EXAMPLE_SELECT = (
    f"PREFIX dcterms: <{DCTERMS}>\n"
    "PREFIX lodcat: <http://127.0.0.1:8000/ontology#>\n"
    "SELECT ?project ?title WHERE { ?project a lodcat:Project ; dcterms:title ?title } ORDER BY ?title"
)
EXAMPLE_CONSTRUCT = (
    f"PREFIX skos: <{SKOS}>\nPREFIX rdfs: <{RDFS}>\n"
    "CONSTRUCT { ?concept rdfs:label ?label } WHERE { ?concept skos:prefLabel ?label }"
)
EXAMPLE_ASK = "ASK { ?project a <http://127.0.0.1:8000/ontology#Project> }"

# Tokens in which a keyword may hide: IRIs (which may hold '#'), strings, comments, variables, prefixed
# names and blank node labels (`?from`, `ex:service`). Replacing them leaves the query's skeleton, in
# which a keyword is a keyword. Scanning stays linear in the length of the query: a plain word is
# matched whole (possessively) rather than retried as a prefixed name at every letter, and a string
# without its closing quote ends at the end of its line (of the query, for long strings).
_TOKENS = re.compile(
    r"""(?P<iri><[^<>"{}|^`\\\s]*+>)"""
    r"""|'''.*?(?:'''|\Z)|\"\"\".*?(?:\"\"\"|\Z)"""
    r"""|'(?:[^'\\\n]|\\[^\n])*+'?|"(?:[^"\\\n]|\\[^\n])*+"?|\#[^\n]*+"""
    r"""|(?P<variable>[?$]\w*+)"""
    r"""|(?P<name>(?:[^\W\d][\w.-]*+)?:(?:[\w.:%-]|\\.)*+)"""
    r"""|(?P<word>[\w.-]++)""",
    re.DOTALL,
)
_PLACEHOLDERS = {"iri": " <> ", "variable": " ?v ", "name": " p: "}
_PROLOGUE = re.compile(r"\s*(?:(?:PREFIX\s+p:|BASE)\s*<>\s*)*", re.IGNORECASE)
_UPDATE = re.compile(r"(?:INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b", re.IGNORECASE)
_FROM = re.compile(r"\bFROM\b", re.IGNORECASE)
_SERVICE = re.compile(r"\bSERVICE\b", re.IGNORECASE)


def skeleton(query: str) -> str:
    """The query with IRIs, variables and prefixed names replaced by placeholders, strings and comments
    removed: `SELECT ?from WHERE { ?s ex:service "FROM" }` -> `SELECT ?v WHERE { ?v p: }`."""
    return _TOKENS.sub(_placeholder, query)


def _placeholder(match: re.Match[str]) -> str:
    if match.lastgroup == "word":
        return match.group()
    return _PLACEHOLDERS.get(match.lastgroup or "", " ")


def is_update(query: str) -> bool:
    """Whether the text is a SPARQL update (after its PREFIX and BASE declarations)."""
    bare = skeleton(query)
    prologue = _PROLOGUE.match(bare)
    return _UPDATE.match(bare, prologue.end() if prologue else 0) is not None


def declares_dataset(query: str) -> bool:
    """Whether the query names its own dataset with FROM or FROM NAMED.

    pyoxigraph ignores FROM when the default graph is the union of all graphs, so such a query runs
    against the store's own dataset (where FROM picks the graphs) instead.
    """
    return _FROM.search(skeleton(query)) is not None


@dataclass(frozen=True)
class Dataset:
    """The RDF dataset a request names with default-graph-uri and named-graph-uri.

    It replaces the query's FROM and FROM NAMED, and a list the request leaves out is empty: with only
    named-graph-uri, the default graph is empty (https://www.w3.org/TR/sparql11-protocol/#dataset).
    """

    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]


def dataset_of(default_graphs: Sequence[str], named_graphs: Sequence[str]) -> Dataset | None:
    """The dataset the protocol parameters name, or None without any; BadRequest for a value that is
    not an absolute IRI."""
    if not default_graphs and not named_graphs:
        return None
    for parameter, values in (("default-graph-uri", default_graphs), ("named-graph-uri", named_graphs)):
        for value in values:
            try:
                NamedNode(value)
            except ValueError as error:
                raise BadRequest(NOT_AN_IRI.format(parameter=parameter, value=value, reason=error)) from None
    return Dataset(tuple(default_graphs), tuple(named_graphs))


def job_for(query: str, accept: str | None, settings: Settings, dataset: Dataset | None = None) -> QueryJob:
    """The work to hand a query worker; BadRequest for SERVICE, which is checked before any work."""
    bare = skeleton(query)
    if _SERVICE.search(bare):
        raise BadRequest(NO_SERVICE)
    return QueryJob(
        query=query,
        base_iri=settings.base_iri,
        accept=accept or "",
        suffix=None,
        max_rows=settings.max_result_rows,
        max_bytes=settings.max_result_bytes,
        declares_dataset=_FROM.search(bare) is not None,
        default_graphs=dataset.default_graphs if dataset is not None else None,
        named_graphs=dataset.named_graphs if dataset is not None else None,
    )


def outcome_response(outcome: QueryOutcome, query: str, headers: dict[str, str]) -> Response:
    """The HTTP answer for a worker's outcome: the result, or the error it stands for."""
    if outcome.status == "syntax":
        if is_update(query):
            raise UpdateRefused(READ_ONLY)
        raise BadQuery(outcome.message)
    if outcome.status == "not-acceptable":
        raise NotAcceptable(outcome.message, headers=dict(VARY))
    if outcome.status != "ok":
        raise QueryFailed(outcome.message)
    headers = {**headers, "Lodcat-Result-Rows": str(outcome.rows)}
    if outcome.truncated:
        headers["Lodcat-Result-Truncated"] = "true"
    return Response(outcome.body, media_type=outcome.media_type, headers=headers)


def check_protocol(
    queries: Sequence[str],
    updates: Sequence[str],
    default_graphs: Sequence[str],
    named_graphs: Sequence[str],
) -> tuple[str, Dataset | None]:
    """The one query of a request and the dataset it names, or BadRequest / UpdateRefused saying what
    is wrong with the request."""
    if queries and updates:
        raise BadRequest(BOTH)
    if updates:
        raise UpdateRefused(READ_ONLY)
    if not queries:
        raise BadRequest(MISSING_QUERY)
    if len(queries) > 1:
        raise BadRequest(MANY_QUERIES.format(count=len(queries)))
    return queries[0], dataset_of(default_graphs, named_graphs)


async def answer(
    request: Request, store: LodStore, query: str, settings: Settings, dataset: Dataset | None = None
) -> Response:
    """Run `query` in a query worker (or in process for a store without checkpoints) and answer.

    Raises BadQuery, UpdateRefused, NotAcceptable, QueryTimeout (503), ServiceBusy (503 + Retry-After).
    """
    accept = request.headers.get("accept")
    job = job_for(query, accept, settings, dataset)
    version = store.data_version(Namespaces(settings.base_iri).term("contentHash"))
    tag = '"' + hashlib.sha256(f"{version}\n{accept}\n{dataset}\n{query}".encode()).hexdigest()[:32] + '"'
    headers = {**VARY, "ETag": tag, "Cache-Control": settings.cache_control}
    if tag in [value.strip() for value in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=headers)
    executor: QueryExecutor | None = getattr(request.app.state, "executor", None)
    if executor is None:
        outcome = await run_in_threadpool(run_job, store, job)
    else:
        try:
            outcome = await run_in_threadpool(executor.run, job)
        except AllSlotsBusy:
            raise ServiceBusy(
                f"All {executor.size} query slots are busy; retry shortly", headers={"Retry-After": "1"}
            ) from None
        except QueryTimeout as error:
            raise QueryTimedOut(str(error)) from None
    return outcome_response(outcome, query, headers)


QUERY_DESCRIPTION = (
    "A SPARQL 1.1 query (SELECT, ASK, CONSTRUCT or DESCRIBE). The default graph is the union of all "
    "named graphs (one per source, plus the ontology and the concept schemes)."
)
UPDATE_DESCRIPTION = "Not accepted: this endpoint is read-only, so any update is refused with 400."
DATASET_DESCRIPTION = (
    "The RDF dataset, one IRI per parameter: default-graph-uri graphs make the default graph, "
    "named-graph-uri graphs the named ones; together they replace FROM / FROM NAMED."
)

RESPONSES: dict[int | str, dict[str, object]] = {
    200: {
        "description": "SELECT and ASK results as SPARQL JSON (default), SPARQL XML, CSV or TSV; CONSTRUCT "
        "and DESCRIBE results as Turtle (default), N-Triples, JSON-LD or RDF/XML, chosen by Accept.",
        "content": {
            **{format_.media_type: {} for format_ in SOLUTIONS},
            **{format_.media_type: {} for format_ in GRAPH},
        },
    },
    400: {
        "description": "A syntax error (the parser's message is the `detail`), an update, both query and "
        "update, no query, or a dataset parameter that is not an IRI.",
        "content": {"application/problem+json": {}},
    },
    406: {"description": "No offered format matches Accept.", "content": {"application/problem+json": {}}},
    415: {
        "description": "A POST body that is neither a form nor a query.",
        "content": {"application/problem+json": {}},
    },
}


GET_RESPONSES: dict[int | str, dict[str, object]] = {
    **RESPONSES,
    200: {
        **RESPONSES[200],
        "description": f"{RESPONSES[200]['description']} Without a query string: the SPARQL 1.1 Service "
        "Description (Turtle by default, N-Triples, JSON-LD or RDF/XML by Accept).",
    },
    303: {"description": "Without a query string, to a browser (Accept prefers text/html): the query page."},
}


@router.get(
    "/sparql",
    summary="SPARQL query (GET), or the service description",
    response_class=Response,
    responses=GET_RESPONSES,
)
async def sparql_get(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    query: Annotated[
        str | None,
        Query(
            description=QUERY_DESCRIPTION,
            openapi_examples={
                "select": {"summary": "Projects and their titles", "value": EXAMPLE_SELECT},
                "ask": {"summary": "Is there any project?", "value": EXAMPLE_ASK},
                "construct": {"summary": "Concept labels as a graph", "value": EXAMPLE_CONSTRUCT},
            },
        ),
    ] = None,
    update: Annotated[str | None, Query(description=UPDATE_DESCRIPTION)] = None,
    default_graph_uri: Annotated[
        list[str] | None, Query(alias="default-graph-uri", description=DATASET_DESCRIPTION)
    ] = None,
    named_graph_uri: Annotated[
        list[str] | None, Query(alias="named-graph-uri", description=DATASET_DESCRIPTION)
    ] = None,
) -> Response:
    """Run a SPARQL query sent as the `query` parameter (SPARQL 1.1 Protocol, query via GET).

    The result format follows the Accept header (see the responses); the response carries `Vary: Accept`.
    Without any query string, the answer is the SPARQL 1.1 Service Description of this endpoint.
    """
    if not request.url.query:
        return description_response(request, store, settings)
    url = _url_parameters(request)
    sparql, dataset = check_protocol(
        url.get("query", []),
        url.get("update", []),
        url.get("default-graph-uri", []),
        url.get("named-graph-uri", []),
    )
    return await answer(request, store, sparql, settings, dataset)


def _form(body: bytes) -> dict[str, list[str]]:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadRequest(NOT_UTF8.format(reason=error)) from None
    fields: dict[str, list[str]] = {}
    for name, value in parse_qsl(text, keep_blank_values=True):
        fields.setdefault(name, []).append(value)
    return fields


def _url_parameters(request: Request) -> Mapping[str, list[str]]:
    return {name: request.query_params.getlist(name) for name in request.query_params}


def _charset(content_type: str) -> str | None:
    """The charset parameter of a Content-Type header value, if it has one."""
    for parameter in content_type.split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"')
    return None


@router.post(
    "/sparql",
    summary="SPARQL query (POST form or POST direct)",
    response_class=Response,
    responses=RESPONSES,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                FORM: {
                    "schema": {
                        "type": "object",
                        "required": ["query"],
                        "properties": {
                            "query": {"type": "string", "description": QUERY_DESCRIPTION},
                            "default-graph-uri": {"type": "string", "description": DATASET_DESCRIPTION},
                            "named-graph-uri": {"type": "string", "description": DATASET_DESCRIPTION},
                        },
                    },
                    "example": {"query": EXAMPLE_SELECT},
                },
                SPARQL_QUERY: {
                    "schema": {"type": "string", "description": QUERY_DESCRIPTION},
                    "example": EXAMPLE_CONSTRUCT,
                },
            },
        }
    },
)
async def sparql_post(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    """Run a SPARQL query sent in the body (SPARQL 1.1 Protocol, query via POST).

    Either a form (`application/x-www-form-urlencoded`, field `query`) or the query itself
    (`application/sparql-query`). An `application/sparql-update` body or an `update` field is refused.
    """
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    body = await request.body()
    url = _url_parameters(request)
    if media_type == FORM:
        fields = _form(body)
        sparql, dataset = check_protocol(
            fields.get("query", []),
            fields.get("update", []),
            fields.get("default-graph-uri", []) + url.get("default-graph-uri", []),
            fields.get("named-graph-uri", []) + url.get("named-graph-uri", []),
        )
    elif media_type == SPARQL_QUERY:
        charset = _charset(request.headers.get("content-type", ""))
        if charset is not None and charset.lower() not in ("utf-8", "utf8"):
            raise UnsupportedMediaType(NOT_UTF8_CHARSET.format(media_type=SPARQL_QUERY, charset=charset))
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as error:
            raise BadRequest(NOT_UTF8.format(reason=error)) from None
        sparql, dataset = check_protocol(
            [text], url.get("update", []), url.get("default-graph-uri", []), url.get("named-graph-uri", [])
        )
    elif media_type == SPARQL_UPDATE:
        raise UpdateRefused(READ_ONLY)
    else:
        raise UnsupportedMediaType(
            f"POST /sparql takes {FORM} or {SPARQL_QUERY}, not {media_type or 'a body without Content-Type'}"
        )
    return await answer(request, store, sparql, settings, dataset)
