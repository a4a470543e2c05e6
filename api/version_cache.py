"""What is computed from the whole store once per data version (the VoID counts, the catalogue's facts).

At 10^5 projects counting the VoID statistics or the dataset's languages takes seconds: every request
recounting them would be slow and would load the store for nothing. The data version
(`LodStore.data_version`: a digest of every graph's content hash, which every load and every /admin
write changes) says when they must be counted again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from fastapi import FastAPI

Value = TypeVar("Value")

_creating = threading.Lock()


class VersionCache(Generic[Value]):
    """The value computed for the latest key (a data version); a new key replaces it.

    One computation at a time: a request that arrives while the value for its key is being computed
    waits for it instead of computing it again.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entry: tuple[Hashable, Value] | None = None
        self.computations = 0

    def get(self, key: Hashable, compute: Callable[[], Value]) -> Value:
        entry = self._entry
        if entry is not None and entry[0] == key:
            return entry[1]
        with self._lock:
            entry = self._entry
            if entry is not None and entry[0] == key:
                return entry[1]
            value = compute()
            self.computations += 1
            self._entry = (key, value)
            return value


def app_cache(app: FastAPI, name: str) -> VersionCache[Value]:
    """The cache called `name` of this app (in `app.state`), made on first use."""
    with _creating:
        cache: VersionCache[Value] | None = getattr(app.state, name, None)
        if cache is None:
            cache = VersionCache()
            setattr(app.state, name, cache)
        return cache
