"""Public SPARQL queries run in worker processes that can be killed: a timeout really stops the work.

pyoxigraph cannot cancel a running query (oxigraph issue 1926) and RocksDB lets one process open the
store read-write, while `Store.read_only` beside a writer is undefined behaviour. So the serving
process keeps the read-write store and, whenever the data changes, writes a checkpoint
(`Store.backup`, hard links, milliseconds); each worker opens the newest checkpoint read-only, which no
process writes. A query that overruns its time is ended by killing its worker, and a fresh worker takes
its slot. The number of workers is the number of query slots; when all are busy the caller is told so
at once (503 + Retry-After) instead of queueing. See docs/decisions/query-execution.md.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import shutil
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

log = logging.getLogger("lodcat.executor")


@dataclass(frozen=True)
class QueryJob:
    """What a worker needs: the query, how to serialize, the limits, and which checkpoint to read."""

    query: str
    base_iri: str | None
    accept: str
    suffix: str | None
    max_rows: int
    max_bytes: int
    declares_dataset: bool = False
    # The SPARQL 1.1 Protocol's default-graph-uri / named-graph-uri; None when the request names neither.
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None


@dataclass(frozen=True)
class QueryOutcome:
    status: str  # "ok", "syntax", "not-acceptable", "error"
    media_type: str = ""
    body: bytes = b""
    rows: int = 0
    truncated: bool = False
    message: str = ""
    kind: str = ""  # "solutions", "boolean" or "graph"


class QueryTimeout(Exception):
    """The query ran past its time limit; its worker was killed."""


class AllSlotsBusy(Exception):
    """Every query slot is taken."""


def _worker_main(connection: Connection) -> None:  # pragma: no cover - runs in a child
    from api.query_runner import run_job
    from loader.store import LodStore

    # The checkpoint is opened with the first job, which names the newest one: the one this worker was
    # started with may already be replaced (and removed) by then.
    store: LodStore | None = None
    opened = ""
    while True:
        try:
            message = connection.recv()
        except EOFError:
            return
        job, wanted = message
        if store is None or wanted != opened:
            store = LodStore.read_only(Path(wanted))
            opened = wanted
        connection.send(run_job(store, job))


@dataclass
class _Worker:
    process: BaseProcess
    connection: Connection
    busy: bool = False


class QueryExecutor:
    """A fixed set of worker processes over the newest checkpoint of the store."""

    def __init__(self, checkpoints: Path, workers: int, timeout: float) -> None:
        self.checkpoints = checkpoints
        self.size = workers
        self.timeout = timeout
        self._context = multiprocessing.get_context("spawn")
        self._lock = threading.Lock()
        self._workers: list[_Worker] = []
        self._snapshot: Path | None = None
        self.killed = 0

    # -- checkpoints -----------------------------------------------------------------------------------

    def publish_checkpoint(self, make: Any, version: str) -> None:
        """Write a checkpoint of the current data (`make(path)` is LodStore.checkpoint) and switch to it."""
        target = self.checkpoints / version
        if not target.exists():
            self.checkpoints.mkdir(parents=True, exist_ok=True)
            partial = self.checkpoints / f".{version}.partial"
            shutil.rmtree(partial, ignore_errors=True)
            make(partial)
            partial.rename(target)
        with self._lock:
            self._snapshot = target
        self._prune(keep=target)

    def _prune(self, keep: Path, spare: int = 2) -> None:
        """Remove old checkpoints, keeping `keep` and the `spare` newest others: a query that started on
        one of those may still be reading it (RocksDB may open its files lazily)."""
        others = sorted(
            (path for path in self.checkpoints.iterdir() if path != keep and not path.name.startswith(".")),
            key=lambda path: path.stat().st_mtime,
            reverse=True,
        )
        for path in others[spare:]:
            shutil.rmtree(path, ignore_errors=True)

    # -- workers ---------------------------------------------------------------------------------------

    def start(self) -> None:
        assert self._snapshot is not None, "publish_checkpoint() first"
        with self._lock:
            while len(self._workers) < self.size:
                self._workers.append(self._spawn())

    def _spawn(self) -> _Worker:
        parent, child = self._context.Pipe()
        process = self._context.Process(
            target=_worker_main, args=(child,), daemon=True, name="lodcat-query-worker"
        )
        process.start()
        child.close()
        return _Worker(process, parent)

    def stop(self) -> None:
        with self._lock:
            for worker in self._workers:
                worker.process.kill()
            for worker in self._workers:
                worker.process.join(timeout=5)
            self._workers.clear()

    def busy(self) -> int:
        with self._lock:
            return sum(worker.busy for worker in self._workers)

    def pids(self) -> list[int]:
        with self._lock:
            return [worker.process.pid for worker in self._workers if worker.process.pid is not None]

    def _acquire(self) -> _Worker:
        with self._lock:
            for worker in self._workers:
                if not worker.busy and worker.process.is_alive():
                    worker.busy = True
                    return worker
        raise AllSlotsBusy("all query slots are busy")

    def _retire(self, dead: _Worker) -> None:
        """Put a fresh worker in the slot of `dead`, then kill `dead` (it may be mid-query)."""
        with self._lock:
            index = self._workers.index(dead)
            self._workers[index] = self._spawn()
        self._kill(dead)

    def run(self, job: QueryJob, timeout: float | None = None) -> QueryOutcome:
        """Run `job` in a free worker (blocking; call from a thread). Raises AllSlotsBusy or QueryTimeout."""
        worker = self._acquire()
        limit = self.timeout if timeout is None else timeout
        started = time.monotonic()
        try:
            worker.connection.send((job, str(self._snapshot)))
            if worker.connection.poll(limit):
                outcome: QueryOutcome = worker.connection.recv()
                worker.busy = False
                return outcome
        except (EOFError, BrokenPipeError, ConnectionResetError, OSError):
            log.error("query worker %s died; replacing it", worker.process.pid)
            self._retire(worker)
            return QueryOutcome("error", message="the query worker died")
        log.warning(
            "query ran past %.1f s (%.1f s); killing worker %s",
            limit,
            time.monotonic() - started,
            worker.process.pid,
        )
        self.killed += 1
        self._retire(worker)
        raise QueryTimeout(f"the query did not finish within {limit:g} s and was stopped")

    @staticmethod
    def _kill(worker: _Worker) -> None:
        worker.process.kill()
        worker.process.join(timeout=5)
        with contextlib.suppress(OSError):
            worker.connection.close()
