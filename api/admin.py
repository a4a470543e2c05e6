"""Writes, apart from the public endpoint: SPARQL 1.1 Update and the Graph Store HTTP Protocol.

Both need `Authorization: Bearer <LODCAT_ADMIN_TOKEN>`; with no token configured, writes are off.
No token: 401; a wrong token: 403. Every write is logged (logger `lodcat.admin`) and recorded in the
store as a prov:Activity in the graph `{base}graph/admin`, whose content hash changes with each write,
so the data version (ETags, dumps, checkpoints) moves on. The public /sparql refuses updates.

- `POST /admin/update`: SPARQL 1.1 Update protocol (form `update=` or an `application/sparql-update`
  body), https://www.w3.org/TR/sparql11-protocol/#update-operation
- `GET|PUT|POST|DELETE /admin/graphs?graph=IRI`: SPARQL 1.1 Graph Store HTTP Protocol, indirect graph
  identification, https://www.w3.org/TR/sparql11-http-rdf-update/
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import Response
from pyoxigraph import Literal, NamedNode, RdfFormat, Triple, parse
from starlette.concurrency import run_in_threadpool

from api.deps import NamespacesDep, SettingsDep, StoreDep
from api.errors import ApiError, BadQuery, BadRequest, NotFound, UnsupportedMediaType
from api.lifecycle import refresh_checkpoint
from api.negotiation import GRAPH, VARY, negotiate, write_graph
from loader.namespaces import DCTERMS, PROV, RDF, XSD, Namespaces
from loader.settings import Settings
from loader.store import LodStore

log = logging.getLogger("lodcat.admin")
router = APIRouter(prefix="/admin", tags=["admin"])

FORM = "application/x-www-form-urlencoded"
SPARQL_UPDATE = "application/sparql-update"
RDF_BODIES = {
    "text/turtle": RdfFormat.TURTLE,
    "application/n-triples": RdfFormat.N_TRIPLES,
    "application/ld+json": RdfFormat.JSON_LD,
    "application/rdf+xml": RdfFormat.RDF_XML,
}


class Unauthorized(ApiError):
    status = 401
    title = "Authentication required"


class Forbidden(ApiError):
    status = 403
    title = "Forbidden"


def authorise(settings: Settings, authorization: str | None) -> None:
    """Let the request write, or raise 401 (no credentials) / 403 (wrong token, or writes off)."""
    if not settings.admin_token:
        raise Forbidden("Writes are off: this server has no LODCAT_ADMIN_TOKEN")
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized(
            "Send Authorization: Bearer <token> to write",
            headers={"WWW-Authenticate": 'Bearer realm="lodcat"'},
        )
    if not hmac.compare_digest(token.strip().encode(), settings.admin_token.encode()):
        raise Forbidden("The bearer token is not valid for writes")


def _record(operation: str, target: str, detail: bytes, ns: Namespaces) -> str:
    """SPARQL that records one write in `{base}graph/admin` and moves the data version on."""
    now = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    write = ns.write(f"{now.replace(':', '')}-{uuid.uuid4().hex[:8]}")
    graph = ns.graph("admin")
    digest = hashlib.sha256(detail).hexdigest()
    stamp = Literal(now, datatype=NamedNode(XSD + "dateTime"))
    triples = [
        Triple(write, NamedNode(RDF + "type"), NamedNode(PROV + "Activity")),
        Triple(write, NamedNode(PROV + "startedAtTime"), stamp),
        Triple(write, NamedNode(DCTERMS + "description"), Literal(f"{operation} {target}")),
        Triple(write, ns.term("contentHash"), Literal(digest)),
    ]
    body = " ".join(f"{t.subject} {t.predicate} {t.object} ." for t in triples)
    hash_term = ns.term("contentHash")
    return (
        f"DELETE WHERE {{ GRAPH {graph} {{ {graph} {hash_term} ?version }} }} ;\n"
        f"INSERT DATA {{ GRAPH {graph} {{ {body} {graph} {hash_term} {Literal(uuid.uuid4().hex)} }} }}"
    )


def _written(request: Request, operation: str, target: str, size: int) -> None:
    log.info(
        "write: %s %s (%d bytes) from %s",
        operation,
        target,
        size,
        request.client.host if request.client else "?",
    )
    refresh_checkpoint(request.app)


@router.post("/update", summary="SPARQL 1.1 Update (bearer token)", status_code=204)
async def update(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    ns: NamespacesDep,
    authorization: Annotated[str | None, Header(description="`Bearer <LODCAT_ADMIN_TOKEN>`")] = None,
) -> Response:
    """Run a SPARQL 1.1 Update sent as a form (`update=`) or as an `application/sparql-update` body."""
    authorise(settings, authorization)
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    body = await request.body()
    if media_type == FORM:
        updates = [value for name, value in parse_qsl(body.decode("utf-8")) if name == "update"]
        if len(updates) != 1:
            raise BadRequest("Send exactly one update= field")
        text = updates[0]
    elif media_type == SPARQL_UPDATE:
        text = body.decode("utf-8")
    else:
        raise UnsupportedMediaType(f"POST /admin/update takes {FORM} or {SPARQL_UPDATE}")
    sparql = text.rstrip().rstrip(";") + " ;\n" + _record("update", "SPARQL Update", body, ns)
    try:
        await run_in_threadpool(store.update, sparql, base_iri=settings.base_iri)
    except SyntaxError as error:
        raise BadQuery(str(error)) from None
    _written(request, "update", "SPARQL Update", len(body))
    return Response(status_code=204)


def _graph(graph: str | None, default: str | None) -> NamedNode:
    if default is not None:
        raise BadRequest("The default graph is the union of the named graphs; name a graph with ?graph=")
    if not graph:
        raise BadRequest("Name the graph: ?graph=<IRI>")
    try:
        return NamedNode(graph)
    except ValueError:
        raise BadRequest(f"{graph!r} is not an IRI") from None


GraphParam = Annotated[str | None, Query(description="IRI of the named graph")]
DefaultParam = Annotated[str | None, Query(description="Not supported: the default graph is the union")]


def target_graph(
    settings: SettingsDep,
    graph: GraphParam = None,
    default: DefaultParam = None,
    authorization: Annotated[str | None, Header(description="`Bearer <LODCAT_ADMIN_TOKEN>`")] = None,
) -> NamedNode:
    """The graph a Graph Store request names, once the bearer token lets it write."""
    authorise(settings, authorization)
    return _graph(graph, default)


TargetDep = Annotated[NamedNode, Depends(target_graph)]


@router.get("/graphs", summary="Graph Store Protocol: read a graph (bearer token)")
async def read_graph(request: Request, store: StoreDep, ns: NamespacesDep, name: TargetDep) -> Response:
    if not store.contains_graph(name):
        raise NotFound(f"No graph <{name.value}>")
    format_ = negotiate(request.headers.get("accept"), GRAPH)
    triples = list(store.graph_triples(name))
    return Response(write_graph(triples, format_, ns), media_type=format_.content_type, headers=dict(VARY))


async def _body_triples(request: Request) -> tuple[list[Triple], int]:
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type not in RDF_BODIES:
        raise UnsupportedMediaType(f"Send the graph as one of: {', '.join(RDF_BODIES)}")
    body = await request.body()
    try:
        quads = list(parse(body, format=RDF_BODIES[media_type], base_iri=str(request.url)))
    except SyntaxError as error:
        raise BadRequest(f"The {media_type} body does not parse: {error}") from None
    return [quad.triple for quad in quads], len(body)


async def _write(
    request: Request,
    store: LodStore,
    ns: Namespaces,
    operation: str,
    name: NamedNode,
    body: bytes,
    action: Callable[[], None],
) -> None:
    def run() -> None:
        action()
        store.update(_record(operation, f"<{name.value}>", body, ns))

    await run_in_threadpool(run)
    _written(request, operation, f"<{name.value}>", len(body))


@router.put("/graphs", summary="Graph Store Protocol: replace a graph (bearer token)")
async def put_graph(request: Request, store: StoreDep, ns: NamespacesDep, name: TargetDep) -> Response:
    existed = store.contains_graph(name)
    triples, size = await _body_triples(request)
    await _write(
        request, store, ns, "PUT", name, str(size).encode(), lambda: store.replace_graph(name, triples)
    )
    return Response(status_code=204 if existed else 201)


@router.post("/graphs", summary="Graph Store Protocol: add to a graph (bearer token)")
async def post_graph(request: Request, store: StoreDep, ns: NamespacesDep, name: TargetDep) -> Response:
    existed = store.contains_graph(name)
    triples, size = await _body_triples(request)
    await _write(
        request, store, ns, "POST", name, str(size).encode(), lambda: store.add_triples(name, triples)
    )
    return Response(status_code=204 if existed else 201)


@router.delete("/graphs", summary="Graph Store Protocol: delete a graph (bearer token)")
async def delete_graph(request: Request, store: StoreDep, ns: NamespacesDep, name: TargetDep) -> Response:
    if not store.contains_graph(name):
        raise NotFound(f"No graph <{name.value}>")
    await _write(request, store, ns, "DELETE", name, b"", lambda: store.drop_graph(name))
    return Response(status_code=204)
