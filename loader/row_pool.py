"""The rows of a list of operations mapped in worker processes, in order, a batch at a time.

Reading the file, the personal-data scan and duplicate detection stay in the calling process (they
need every row in order); mapping a row (transforms, the record model) is most of an import's time and
needs nothing but the row and the mapping, which each worker receives once when it starts.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import replace
from itertools import islice
from pathlib import Path

from loader.mappingfile import Mapping
from loader.row_mapping import MappedRow, mapped_row
from loader.tables import Row

BATCH = 500  # rows sent to a worker at a time
POOL_BYTES = 2 * 1024 * 1024  # smaller files are mapped in the calling process: workers take ~1 s to start

_worker: tuple[Mapping, Path] | None = None  # the mapping and file of this worker process


def _start(mapping: Mapping, path: Path) -> None:
    global _worker
    _worker = (mapping, path)


def _map(rows: tuple[Row, ...]) -> list[MappedRow]:
    assert _worker is not None, "a worker maps rows only after _start"
    mapping, path = _worker
    return [replace(mapped_row(mapping, path, row), model=None) for row in rows]  # the record is enough


def _batches(rows: Iterable[Row]) -> Iterator[tuple[Row, ...]]:
    iterator = iter(rows)
    while batch := tuple(islice(iterator, BATCH)):
        yield batch


def map_rows(mapping: Mapping, path: Path, rows: Iterable[Row], jobs: int) -> Iterator[tuple[Row, MappedRow]]:
    """Each row with what mapping it gave, in the rows' order; with jobs > 1 and a file of more than
    POOL_BYTES, in `jobs` processes with at most 2 x jobs batches in flight (memory holds those)."""
    if jobs <= 1 or path.stat().st_size < POOL_BYTES:
        for row in rows:
            yield row, mapped_row(mapping, path, row)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(jobs, context, initializer=_start, initargs=(mapping, path)) as pool:
        pending: deque[tuple[tuple[Row, ...], Future[list[MappedRow]]]] = deque()
        for batch in _batches(rows):
            pending.append((batch, pool.submit(_map, batch)))
            if len(pending) >= 2 * jobs:
                done, future = pending.popleft()
                yield from zip(done, future.result(), strict=True)
        while pending:
            done, future = pending.popleft()
            yield from zip(done, future.result(), strict=True)
