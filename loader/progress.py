"""A progress line for long imports and loads: done/total, rate and time left, on stderr.

Drawn in place (carriage return) at most every `interval` seconds when the stream is a terminal; on
anything else (a log, CI) one plain line every `log_interval` seconds, so logs stay readable. Without
a total (a CSV being read) it shows the count and the rate only.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO


def duration(seconds: float) -> str:
    """3725 -> '1:02:05'; 65 -> '1:05'."""
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def _rate(rate: float) -> str:
    return f"{rate:,.0f}" if rate >= 10 else f"{rate:.1f}"


class Progress:
    def __init__(
        self,
        label: str,
        unit: str,
        total: int | None = None,
        *,
        stream: TextIO | None = None,
        enabled: bool = True,
        interval: float = 0.25,
        log_interval: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label, self.unit, self.total = label, unit, total
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled
        self.terminal = self.stream.isatty()
        self.interval = interval if self.terminal else log_interval
        self._clock = clock
        self.started = self._clock()
        self.done = 0
        self._shown = self.started
        self._width = 0

    def advance(self, count: int = 1) -> None:
        self.done += count
        now = self._clock()
        if self.enabled and now - self._shown >= self.interval:
            self._shown = now
            self._draw(self.line(now))

    def line(self, now: float | None = None) -> str:
        """'load: 37/256 parts (14%) · 2,310 parts/s · 0:42 left'."""
        elapsed = max((now if now is not None else self._clock()) - self.started, 1e-9)
        rate = self.done / elapsed
        if self.total:
            share = f" ({100 * self.done // self.total}%)"
            left = f" · {duration((self.total - self.done) / rate)} left" if rate > 0 else ""
            done = f"{self.done:,}/{self.total:,}"
        else:
            share, left, done = "", f" · {duration(elapsed)}", f"{self.done:,}"
        return f"{self.label}: {done} {self.unit}{share} · {_rate(rate)} {self.unit}/s{left}"

    def _draw(self, text: str) -> None:
        if self.terminal:
            self.stream.write("\r" + text.ljust(self._width))
            self._width = len(text)
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def finish(self) -> str:
        """Draw the final line (also when nothing was drawn yet) and return it."""
        elapsed = self._clock() - self.started
        rate = self.done / elapsed if elapsed > 0 else 0.0
        text = f"{self.label}: {self.done:,} {self.unit} in {duration(elapsed)} ({_rate(rate)} {self.unit}/s)"
        if self.enabled:
            self._draw(text)
            if self.terminal:
                self.stream.write("\n")
                self.stream.flush()
        return text
