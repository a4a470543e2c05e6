"""Query workers: start them; after a write, move them to a new checkpoint (see docs/decisions/)."""

from __future__ import annotations

from fastapi import FastAPI

from api.executor import QueryExecutor
from loader.settings import Settings
from loader.store import LodStore


def start_query_workers(app: FastAPI) -> None:
    """Checkpoint the store and start the query workers (see docs/decisions/query-execution.md)."""
    settings: Settings = app.state.settings
    store: LodStore = app.state.store
    if store.path is None or settings.query_workers < 1:
        app.state.executor = None
        return
    executor = QueryExecutor(settings.checkpoints_path, settings.query_workers, settings.query_timeout)
    executor.publish_checkpoint(
        store.checkpoint, store.data_version(app.state.namespaces.term("contentHash"))
    )
    executor.start()
    app.state.executor = executor


def refresh_checkpoint(app: FastAPI) -> None:
    """After a write: new checkpoint, so /sparql sees the new data from its next query on."""
    executor: QueryExecutor | None = getattr(app.state, "executor", None)
    if executor is not None:
        store: LodStore = app.state.store
        version = store.data_version(app.state.namespaces.term("contentHash"))
        executor.publish_checkpoint(store.checkpoint, version)
