"""GNU sort as an external merge sort: lines in on a pipe, sorted unique lines out on a pipe.

`sort -u` with `LC_ALL=C` orders lines by their bytes and keeps each once. It holds at most `-S` bytes of
lines in memory, writing sorted runs to temporary files in `-T` and merging them, so memory stays bounded
whatever the input (https://www.gnu.org/software/coreutils/manual/html_node/sort-invocation.html). Its
output starts once its input is closed; the caller closes every input before reading any output.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO

BUFFER = 1 << 20


class LineSort:
    """One `LC_ALL=C sort -u` process reading lines on stdin; its sorted lines come out on stdout once
    stdin is closed."""

    def __init__(self, keys: Sequence[str], memory: str, work: Path, label: str) -> None:
        self.label = label
        self._errors = (work / f"{label}.stderr").open("w+b")
        command = ["sort", "-u", *keys, "-S", memory, "-T", str(work)]
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._errors,
            env={**os.environ, "LC_ALL": "C"},
            bufsize=BUFFER,
        )

    @property
    def input(self) -> IO[bytes]:
        assert self.process.stdin is not None
        return self.process.stdin

    @property
    def output(self) -> IO[bytes]:
        assert self.process.stdout is not None
        return self.process.stdout

    def failure(self) -> OSError | None:
        """What sort said if it exited by itself with an error status (not when stopped by `stop`)."""
        status = self.process.returncode
        if status is None or status <= 0:
            return None
        self._errors.seek(0)
        said = self._errors.read().decode("utf-8", "replace").strip()
        return OSError(f"sort ({self.label}) exited with status {status}: {said}")

    def finish(self) -> None:
        """Wait for the process after reading the rest of its output; raise OSError if it failed."""
        self.output.read()
        self.process.wait()
        if (failure := self.failure()) is not None:
            raise failure

    def stop(self) -> None:
        """End the process if it still runs, and close its pipes."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()

    def close(self) -> None:
        self.stop()
        self._errors.close()


@contextlib.contextmanager
def line_sorts(
    sorts: Sequence[tuple[Sequence[str], str]], memory: str, work: Path
) -> Iterator[list[LineSort]]:
    """One sort per (keys, label) of `sorts`, each with at most `memory` of buffer and its temporary files
    in `work`; all stopped at the end. If anything fails while they run (a broken pipe, a parser reading a
    stream cut short) and a sort failed, the sort's error is raised instead, naming its label."""
    started: list[LineSort] = []
    try:
        for keys, label in sorts:
            started.append(LineSort(keys, memory, work, label))
        yield started
    except (OSError, SyntaxError) as error:
        for sort in started:
            sort.stop()
        failure = next((failure for sort in started if (failure := sort.failure()) is not None), None)
        if failure is None or str(failure) == str(error):
            raise
        raise failure from error
    finally:
        for sort in started:
            sort.close()
