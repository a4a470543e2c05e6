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

    def __init__(
        self, checkpoints: Path, workers: int, timeout: float, queue: int = 0, queue_wait: float = 0.0
    ) -> None:
        self.checkpoints = checkpoints
        self.size = workers
        self.timeout = timeout
        self.queue = queue  # requests that may wait for a slot, first come first served
        self.queue_wait = queue_wait  # longest such a wait, in seconds
        self._context = multiprocessing.get_context("spawn")
        self._lock = threading.Lock()
        self._freed = threading.Condition(self._lock)
        self._waiting: list[object] = []
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

    def _free_worker(self) -> _Worker | None:
        for worker in self._workers:
            if not worker.busy and worker.process.is_alive():
                return worker
        return None

    def _acquire(self) -> _Worker:
        """A free worker, marked busy. Waits in a bounded first-come-first-served queue for at most
        `queue_wait` seconds; raises AllSlotsBusy when the queue is full or the wait runs out."""
        with self._lock:
            worker = self._free_worker() if not self._waiting else None
            if worker is None:
                if len(self._waiting) >= self.queue:
                    raise AllSlotsBusy("all query slots are busy")
                ticket = object()
                self._waiting.append(ticket)
                deadline = time.monotonic() + self.queue_wait
                try:
                    while True:
                        if self._waiting[0] is ticket and (worker := self._free_worker()) is not None:
                            break
                        remaining = deadline - time.monotonic()
                        if remaining <= 0:
                            raise AllSlotsBusy("all query slots are busy")
                        self._freed.wait(remaining)
                finally:
                    self._waiting.remove(ticket)
                    self._freed.notify_all()
            worker.busy = True
            return worker

    def _release(self, worker: _Worker) -> None:
        with self._lock:
            worker.busy = False
            self._freed.notify_all()

    def _retire(self, dead: _Worker) -> None:
        """Put a fresh worker in the slot of `dead`, then kill `dead` (it may be mid-query)."""
        with self._lock:
            index = self._workers.index(dead)
            self._workers[index] = self._spawn()
            self._freed.notify_all()
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
                self._release(worker)
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
