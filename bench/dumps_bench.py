"""Time and memory of `write_dumps` on a benchmark store (docs/benchmarks.md, section Dumps).

Opens the store read-only (a store `bench.load` wrote, or a checkpoint of it; nobody may write it
meanwhile), writes the four dumps into `--out` with lodcat's own `loader.dumps.write_dumps`, and reports:

- the wall time, and the CPU time of this process and of its children (the sorts);
- the peak RSS of this process and of the largest child (`getrusage`), and the peak of their sum,
  sampled every 0.2 s from /proc (the sorts run while Python feeds and reads them);
- per file: bytes, statements, SHA-256; with `--compare MANIFEST` (a manifest an earlier writer left
  for the same data), whether statements match, and whether the uncompressed content is the same
  (gzipped files are compared by the SHA-256 of their content, the others by their own).

    python -m bench.dumps_bench --store var/bench/lodcat-store --out var/bench/dumps-new
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import resource
import threading
import time
from pathlib import Path

from loader.dumps import SORT_MEMORY, write_dumps
from loader.namespaces import Namespaces
from loader.store import LodStore

BASE_IRI = "http://127.0.0.1:8000/"


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text(encoding="ascii").splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found += [int(child) for child in (task / "children").read_text(encoding="ascii").split()]
        except OSError:
            continue
    return found


class Sampler(threading.Thread):
    """The peak of (this process + its children)'s RSS, read from /proc every `interval` seconds."""

    def __init__(self, interval: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.interval, self.peak_kib, self._done = interval, 0, threading.Event()

    def run(self) -> None:
        pid = os.getpid()
        while not self._done.wait(self.interval):
            total = _rss_kib(pid) + sum(_rss_kib(child) for child in _children(pid))
            self.peak_kib = max(self.peak_kib, total)

    def stop(self) -> None:
        self._done.set()
        self.join()


def _content_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb") as data:
        while chunk := data.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--store", type=Path, default=Path("var/bench/lodcat-store"))
    parser.add_argument("--out", type=Path, default=Path("var/bench/dumps-new"))
    parser.add_argument("--base-iri", default=BASE_IRI)
    parser.add_argument("--sort-memory", default=SORT_MEMORY, help="GNU sort's -S for each of the 3 sorts")
    parser.add_argument("--compare", type=Path, help="manifest.json of earlier dumps of the same data")
    arguments = parser.parse_args(argv)

    store = LodStore.read_only(arguments.store)
    ns = Namespaces(arguments.base_iri)
    sampler = Sampler()
    sampler.start()
    started, cpu = time.monotonic(), os.times()
    manifest = write_dumps(store, arguments.out, ns, sort_memory=arguments.sort_memory)
    wall, after = time.monotonic() - started, os.times()
    sampler.stop()
    report: dict[str, object] = {
        "store": str(arguments.store),
        "quads": len(store),
        "graphs": len(store.graph_names()),
        "sort_memory": arguments.sort_memory,
        "wall_s": round(wall, 1),
        "cpu_self_s": round(after.user + after.system - cpu.user - cpu.system, 1),
        "cpu_children_s": round(
            after.children_user + after.children_system - cpu.children_user - cpu.children_system, 1
        ),
        "peak_rss_self_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "peak_rss_largest_child_mib": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
        "peak_rss_sampled_total_mib": round(sampler.peak_kib / 1024),
        "dumps": [
            {"name": dump.name, "bytes": dump.bytes, "statements": dump.statements, "sha256": dump.sha256}
            for dump in manifest.dumps
        ],
    }
    if arguments.compare is not None:
        earlier = json.loads(arguments.compare.read_text(encoding="utf-8"))
        folder = arguments.compare.parent
        comparison = {}
        for dump in manifest.dumps:
            (old,) = [each for each in earlier["dumps"] if each["name"] == dump.name]
            same = _content_sha256(arguments.out / dump.name) == _content_sha256(folder / dump.name)
            comparison[dump.name] = {
                "statements_match": old["statements"] == dump.statements,
                "same_content": same,
                "earlier_bytes": old["bytes"],
            }
        report["compared_with"] = {"manifest": str(arguments.compare), "files": comparison}
    print(json.dumps(report, indent=2))
    (arguments.out / "dumps-bench.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
