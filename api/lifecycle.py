"""Query workers: start them; after a write, move them to a new checkpoint (see docs/decisions/).
The search index: open it, and refresh it when the store's data version has moved on."""

from __future__ import annotations

import logging
import threading
import time

from fastapi import FastAPI

from api.executor import QueryExecutor
from loader.search_index import SearchIndex, refresh, search_path
from loader.settings import Settings
from loader.store import LodStore

log = logging.getLogger("lodcat.search")
# How often a request may compare the index with the store's data version (it reads the graphs' hashes).
STALENESS_CHECK_S = 1.0


def start_query_workers(app: FastAPI) -> None:
    """Checkpoint the store and start the query workers (see docs/decisions/query-execution.md); check
    the search index (see `check_search_index`)."""
    check_search_index(app)
    settings: Settings = app.state.settings
    store: LodStore = app.state.store
    if store.path is None or settings.query_workers < 1:
        app.state.executor = None
        return
    executor = QueryExecutor(
        settings.checkpoints_path,
        settings.query_workers,
        settings.query_timeout,
        queue=settings.query_queue,
        queue_wait=settings.query_queue_wait,
    )
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


def check_search_index(app: FastAPI) -> None:
    """At startup, in the background: refresh the store's search index if it is stale, and read it into
    memory (a store without one gets it when a page first needs it; `lodcat load` writes it)."""
    store: LodStore = app.state.store
    if store.path is not None and search_path(store.path).exists():
        index = search_index_of(app, check=False)
        app.state.search_checked = time.monotonic()
        _in_background(app, index)


def search_index_of(app: FastAPI, check: bool = True) -> SearchIndex:
    """The app's search index (`{LODCAT_STORE}-search.sqlite`, in memory for an in-memory store), opened
    on first use. With `check`, at most once a second, a stale index is refreshed: in the background
    (requests meanwhile read the index as it was), or at once when it is in memory or never built."""
    index: SearchIndex | None = getattr(app.state, "search_index", None)
    if index is None:
        store: LodStore = app.state.store
        index = SearchIndex(search_path(store.path) if store.path is not None else None)
        app.state.search_index = index
        app.state.search_checked = float("-inf")
        app.state.search_refreshing = threading.Lock()
    if check:
        _check(app, index)
    return index


def _check(app: FastAPI, index: SearchIndex, force: bool = False) -> None:
    now = time.monotonic()
    if not force and now - app.state.search_checked < STALENESS_CHECK_S:
        return
    app.state.search_checked = now
    store: LodStore = app.state.store
    if index.data_version == store.data_version(app.state.namespaces.term("contentHash")):
        return
    if index.path is None or (index.data_version is None and not force):
        refresh(store, app.state.settings, index)
        return
    _in_background(app, index)


def _in_background(app: FastAPI, index: SearchIndex) -> None:
    """Refresh (a no-op when fresh) and warm the index in a thread, unless one is at it already."""
    busy: threading.Lock = app.state.search_refreshing
    if busy.acquire(blocking=False):
        threading.Thread(target=_refresh_in_background, args=(app, index, busy), daemon=True).start()


def _refresh_in_background(app: FastAPI, index: SearchIndex, busy: threading.Lock) -> None:
    try:
        report = refresh(app.state.store, app.state.settings, index)
        if report.rebuilt or report.graphs:
            log.info("search index refreshed: %s", report)
        index.warm()  # read the new bitmaps and sort orders now rather than in the next requests
    except Exception:  # a thread has nobody to raise to: log it with its traceback
        log.exception("search index refresh failed")
    finally:
        busy.release()
