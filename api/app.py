"""create_app(settings, store) -> FastAPI: routers, middleware, error handler. Nothing runs at import."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import (
    admin,
    catalogue,
    changes,
    dump_routes,
    pages,
    query_page,
    resources,
    rest,
    sparql,
    vocabulary_page,
    void,
)
from api.deps import StoreDep
from api.errors import ApiError, handle_api_error, handle_validation_error
from api.executor import QueryExecutor
from api.lifecycle import start_query_workers
from loader.namespaces import Namespaces
from loader.settings import Settings
from loader.store import LodStore

log = logging.getLogger("lodcat")


class BodyLimit:
    """Refuse request bodies over `limit` bytes with 413, whether or not Content-Length says so."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(scope, receive, send)
            return
        seen = 0

        async def counting() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise _TooLarge
            return message

        try:
            await self.app(scope, counting, send)
        except _TooLarge:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = JSONResponse(
            {
                "type": "about:blank",
                "title": "Request body too large",
                "status": 413,
                "detail": f"The request body is over the limit of {self.limit} bytes (LODCAT_MAX_BODY_BYTES)",
            },
            status_code=413,
            media_type="application/problem+json",
        )
        await response(scope, receive, send)


class _TooLarge(Exception):
    pass


def create_app(settings: Settings, store: LodStore | None = None) -> FastAPI:
    """Build the app around an open store (tests pass the one they loaded; `lodcat serve` opens one)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        start_query_workers(app)
        try:
            yield
        finally:
            executor: QueryExecutor | None = getattr(app.state, "executor", None)
            if executor is not None:
                executor.stop()

    app = FastAPI(
        title="lodcat",
        version="0.1.0",
        description="Linked open data about publicly funded projects: SPARQL 1.1 endpoint, REST API and "
        "dereferenceable IRIs over an Oxigraph store.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.store = store if store is not None else LodStore(settings.store_path)
    app.state.namespaces = Namespaces(settings.base_iri)
    app.state.executor = None
    app.add_exception_handler(ApiError, handle_api_error)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=[origin.strip() for origin in settings.cors_origins.split(",") if origin.strip()],
        allow_methods=["GET", "POST", "HEAD", "OPTIONS"],
        allow_headers=["Accept", "Accept-Profile", "Content-Type", "If-None-Match", "Authorization"],
        expose_headers=[
            "ETag",
            "Lodcat-Result-Rows",
            "Lodcat-Result-Truncated",
            "Retry-After",
            "Link",
            "Content-Profile",
        ],
    )
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)

    @app.get("/health", tags=["service"], summary="Liveness, store and query-worker status")
    def health(store: StoreDep) -> dict[str, object]:
        """`ok` with the number of quads and named graphs, and the query workers' slots and process ids."""
        executor: QueryExecutor | None = app.state.executor
        workers = (
            {
                "slots": executor.size,
                "busy": executor.busy(),
                "killed": executor.killed,
                "pids": executor.pids(),
            }
            if executor is not None
            else None
        )
        return {
            "status": "ok",
            "quads": len(store),
            "graphs": len(store.named_graphs()),
            "query_workers": workers,
        }

    app.include_router(sparql.router)
    app.include_router(admin.router)
    app.include_router(rest.router)
    app.include_router(catalogue.router)
    app.include_router(void.router)
    app.include_router(dump_routes.router)
    app.include_router(query_page.router)
    app.include_router(vocabulary_page.router)
    app.include_router(changes.router)
    app.include_router(pages.router)
    app.include_router(resources.router)
    return app
