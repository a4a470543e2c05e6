"""/sparql: the query operation of the SPARQL 1.1 Protocol (https://www.w3.org/TR/sparql11-protocol/).

Three ways to send a query, as the protocol's section 2.1 lists them: GET with `query=`, POST with an
`application/x-www-form-urlencoded` body holding `query=`, and POST with the query itself as an
`application/sparql-query` body. SELECT and ASK answer in SPARQL JSON (default), XML, CSV or TSV;
CONSTRUCT and DESCRIBE in Turtle (default), N-Triples, JSON-LD or RDF/XML, chosen by Accept.

The default graph is the union of the named graphs, so a query without GRAPH sees every source. A query
that names its dataset with FROM / FROM NAMED gets exactly that dataset instead. The endpoint is
read-only: an update, however it is sent, is refused with 400 before anything reaches the store.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Mapping, Sequence
from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pyoxigraph import QueryBoolean, QuerySolutions
from starlette.concurrency import run_in_threadpool

from api.deps import SettingsDep, StoreDep
from api.errors import BadQuery, BadRequest, UnsupportedMediaType, UpdateRefused
from api.negotiation import GRAPH, SOLUTIONS, VARY, Format, negotiate, write_graph, write_results
from loader.namespaces import DCTERMS, RDFS, SKOS, Namespaces
from loader.store import LodStore

router = APIRouter(tags=["sparql"])

PROTOCOL = "https://www.w3.org/TR/sparql11-protocol/#query-operation"
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
DATASET_PARAMETERS = (
    "default-graph-uri and named-graph-uri are not supported: the default graph is the union of all "
    "named graphs; name a dataset with FROM or FROM NAMED in the query, or use GRAPH"
)
NOT_UTF8 = "The request body is not UTF-8: {reason}"
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


def execute(store: LodStore, query: str, accept: str | None, base_iri: str) -> tuple[bytes, Format]:
    """Run `query` and serialize its result in the format `accept` asks for. Changes nothing.

    Blocking (pyoxigraph evaluates while serializing, with the GIL released), so it runs in a worker
    thread. Raises UpdateRefused for an update, BadQuery with pyoxigraph's message for a syntax error,
    BadRequest for SERVICE, NotAcceptable when no format offered for the query form matches `accept`.
    """
    try:
        return _execute(store, query, accept, base_iri)
    except BaseException as error:
        # pyoxigraph's results must be dropped on the thread that made them, and the traceback keeps
        # them alive in its frames: clear those here, before the error crosses to the event loop.
        traceback.clear_frames(error.__traceback__)
        raise


def _execute(store: LodStore, query: str, accept: str | None, base_iri: str) -> tuple[bytes, Format]:
    bare = skeleton(query)
    if _SERVICE.search(bare):
        raise BadRequest(NO_SERVICE)
    try:
        result = store.query(query, base_iri=base_iri, union_default_graph=not _FROM.search(bare))
    except SyntaxError as error:
        if is_update(query):
            raise UpdateRefused(READ_ONLY) from None
        raise BadQuery(str(error)) from None
    if isinstance(result, QuerySolutions | QueryBoolean):
        format_ = negotiate(accept, SOLUTIONS)
        return write_results(result, format_), format_
    format_ = negotiate(accept, GRAPH)
    return write_graph(result, format_, Namespaces(base_iri)), format_


def check_protocol(
    queries: Sequence[str],
    updates: Sequence[str],
    default_graphs: Sequence[str],
    named_graphs: Sequence[str],
) -> str:
    """The one query of a request, or BadRequest / UpdateRefused saying what is wrong with it."""
    if queries and updates:
        raise BadRequest(BOTH)
    if updates:
        raise UpdateRefused(READ_ONLY)
    if not queries:
        raise BadRequest(MISSING_QUERY)
    if len(queries) > 1:
        raise BadRequest(MANY_QUERIES.format(count=len(queries)))
    if default_graphs or named_graphs:
        raise BadRequest(DATASET_PARAMETERS)
    return queries[0]


async def answer(request: Request, store: LodStore, query: str, base_iri: str) -> Response:
    body, format_ = await run_in_threadpool(execute, store, query, request.headers.get("accept"), base_iri)
    return Response(body, media_type=format_.content_type, headers=dict(VARY))


QUERY_DESCRIPTION = (
    "A SPARQL 1.1 query (SELECT, ASK, CONSTRUCT or DESCRIBE). The default graph is the union of all "
    "named graphs (one per source, plus the ontology and the concept schemes)."
)
UPDATE_DESCRIPTION = "Not accepted: this endpoint is read-only, so any update is refused with 400."
DATASET_DESCRIPTION = "Not supported (400): use FROM / FROM NAMED in the query instead."

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
        "update, no query, or dataset parameters.",
        "content": {"application/problem+json": {}},
    },
    406: {"description": "No offered format matches Accept.", "content": {"application/problem+json": {}}},
    415: {
        "description": "A POST body that is neither a form nor a query.",
        "content": {"application/problem+json": {}},
    },
}


@router.get(
    "/sparql",
    summary="SPARQL query (GET)",
    response_class=Response,
    responses=RESPONSES,
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
    """
    url = _url_parameters(request)
    sparql = check_protocol(
        url.get("query", []),
        url.get("update", []),
        url.get("default-graph-uri", []),
        url.get("named-graph-uri", []),
    )
    return await answer(request, store, sparql, settings.base_iri)


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
        sparql = check_protocol(
            fields.get("query", []),
            fields.get("update", []),
            fields.get("default-graph-uri", []) + url.get("default-graph-uri", []),
            fields.get("named-graph-uri", []) + url.get("named-graph-uri", []),
        )
    elif media_type == SPARQL_QUERY:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as error:
            raise BadRequest(NOT_UTF8.format(reason=error)) from None
        sparql = check_protocol(
            [text], url.get("update", []), url.get("default-graph-uri", []), url.get("named-graph-uri", [])
        )
    elif media_type == SPARQL_UPDATE:
        raise UpdateRefused(READ_ONLY)
    else:
        raise UnsupportedMediaType(
            f"POST /sparql takes {FORM} or {SPARQL_QUERY}, not {media_type or 'a body without Content-Type'}"
        )
    return await answer(request, store, sparql, settings.base_iri)
