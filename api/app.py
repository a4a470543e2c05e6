"""create_app(settings, store) -> FastAPI: routers, error handler. Nothing runs at import."""

from __future__ import annotations

from fastapi import FastAPI

from api import catalogue, resources, rest, sparql
from api.deps import StoreDep
from api.errors import ApiError, handle_api_error
from loader.namespaces import Namespaces
from loader.settings import Settings
from loader.store import LodStore


def create_app(settings: Settings, store: LodStore | None = None) -> FastAPI:
    """Build the app around an open store (tests pass the one they loaded; `lodcat serve` opens one)."""
    app = FastAPI(
        title="lodcat",
        version="0.1.0",
        description="Linked open data about publicly funded projects: SPARQL 1.1 endpoint, REST API and "
        "dereferenceable IRIs over an Oxigraph store.",
    )
    app.state.settings = settings
    app.state.store = store if store is not None else LodStore(settings.store_path)
    app.state.namespaces = Namespaces(settings.base_iri)
    app.add_exception_handler(ApiError, handle_api_error)

    @app.get("/health", tags=["service"], summary="Liveness and store status")
    def health(store: StoreDep) -> dict[str, object]:
        """`ok` with the number of quads and named graphs in the store."""
        return {"status": "ok", "quads": len(store), "graphs": len(store.named_graphs())}

    app.include_router(sparql.router)
    app.include_router(rest.router)
    app.include_router(catalogue.router)
    app.include_router(resources.router)
    return app
