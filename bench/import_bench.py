"""Import at scale: `lodcat import --load` of a synthetic list of operations beside raw pyoxigraph.

For each size (projects) in one run:

1. `python -m bench.operations` writes the list (not timed);
2. lodcat end to end: `lodcat import --mapping bench/mappings/synthetic-operations.toml LIST --load
   --defer-index` into a fresh store: read, map, validate (SHACL), load; wall time, records/s,
   triples/s and peak RSS of the whole process tree (the loader and its worker processes, summed,
   sampled from /proc every 50 ms) and of the main process alone (wait4);
3. raw: the quads lodcat published, dumped as N-Quads (not timed), bulk-loaded by
   `pyoxigraph.Store.bulk_load` into a fresh store in a fresh process: wall time and peak RSS;
4. reload: 1 % of rows changed and 1 % gone, imported (`lodcat import`) and loaded (`lodcat load`)
   again, each timed (the gone projects kept, carried over), then once more with --sync (retracted);
   with the records the load read, mapped and validated, and those it kept unread (loader/record_delta.py).

    python -m bench.import_bench --sizes 10000 100000 300000 --out var/bench/import

Figures go to `import.json` in --out and, as a Markdown table, to stdout. The search index is
deferred (`--defer-index`; bench/search_bench.py measures its build).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.operations import write_list

ROOT = Path(__file__).resolve().parents[1]
MAPPING = ROOT / "bench" / "mappings" / "synthetic-operations.toml"
RECORDS = re.compile(r"(\d+) records read, (\d+) unchanged kept unread")


@dataclass
class Run:
    wall: float
    tree_rss: int  # bytes: the peak of the summed RSS of the process and its descendants
    main_rss: int  # bytes: the peak RSS of the process itself
    code: int
    tail: str
    records_read: int = 0  # summed over the "N records read, M unchanged kept unread" lines of a load
    records_kept: int = 0


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _rss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _tree_rss(pid: int) -> int:
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        total += _rss(current)
        todo.extend(_children(current))
    return total


def measured(command: list[str], environ: dict[str, str] | None = None) -> Run:
    """Run `command`; its wall time, the peak RSS of its process tree and of itself."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(environ or {})},
    )
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss(process.pid))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    assert process.stdout is not None
    output = process.stdout.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    tail = "\n".join(output.splitlines()[-4:])
    counts = [tuple(map(int, found)) for found in RECORDS.findall(output)]
    read, kept = sum(count[0] for count in counts), sum(count[1] for count in counts)
    return Run(wall, peak[0], usage.ru_maxrss * 1024, process.returncode, tail, read, kept)


def lodcat(store: Path, *arguments: str) -> Run:
    run = measured([sys.executable, "-m", "loader.cli", *arguments], {"LODCAT_STORE": str(store)})
    if run.code != 0:
        raise SystemExit(f"lodcat {arguments[0]} failed ({run.code}):\n{run.tail}")
    return run


def lodcat_import(csv: Path, out: Path, store: Path, *extra: str) -> Run:
    return lodcat(store, "import", "--mapping", str(MAPPING), str(csv), "--out", str(out), *extra)


def reload(csv: Path, out: Path, store: Path, *extra: str) -> dict[str, object]:
    """Import the changed list (writing the parts that changed), then load the parts: each timed."""
    imported = lodcat_import(csv, out, store, *extra)
    loaded = lodcat(store, "load", "--defer-index", "--progress", *extra, str(out))
    return {"import": asdict(imported), "load": asdict(loaded)}


DUMP = """
import sys
from pyoxigraph import RdfFormat, Store
store = Store.read_only(sys.argv[1])
store.dump(sys.argv[2], RdfFormat.N_QUADS)
print(len(store))
"""
BULK = """
import sys
from pyoxigraph import RdfFormat, Store
store = Store(sys.argv[1])
store.bulk_load(path=sys.argv[2], format=RdfFormat.N_QUADS)
store.flush()
print(len(store))
"""


def raw_bulk_load(store: Path, work: Path) -> tuple[Run, int]:
    """Dump what lodcat published (not timed); bulk-load it into a fresh store (timed)."""
    quads = work / "published.nq"
    dumped = subprocess.run(
        [sys.executable, "-c", DUMP, str(store), str(quads)], capture_output=True, text=True, check=True
    )
    fresh = work / "raw-store"
    shutil.rmtree(fresh, ignore_errors=True)
    run = measured([sys.executable, "-c", BULK, str(fresh), str(quads)])
    quads.unlink()
    shutil.rmtree(fresh, ignore_errors=True)
    return run, int(dumped.stdout.strip())


def bench(size: int, work: Path) -> dict[str, object]:
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    csv, out, store = work / "operations.csv", work / "records", work / "store"
    write_list(size, csv)
    full = lodcat_import(csv, out, store, "--load", "--defer-index", "--progress")
    raw, quads = raw_bulk_load(store, work)
    changed, dropped = write_list(size, csv, change=0.01, drop=0.01)
    incremental = reload(csv, out, store)
    synced = reload(csv, out, store, "--sync")
    result: dict[str, object] = {
        "projects": size,
        "quads": quads,
        "lodcat": asdict(full),
        "raw_bulk_load": asdict(raw),
        "ratio_time": full.wall / raw.wall,
        "records_per_s": size / full.wall,
        "triples_per_s": quads / full.wall,
        "incremental": {"changed": changed, "gone": dropped, **incremental},
        "sync": synced,
        "load_average": os.getloadavg(),
    }
    shutil.rmtree(work, ignore_errors=True)
    return result


def table(results: list[dict[str, object]]) -> str:
    gib = 1024**3
    lines = [
        "| projects | quads | lodcat import+load | records/s | triples/s | peak RSS (tree / main) "
        "| raw bulk_load | raw peak RSS | time ratio |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    reloads = [
        "| projects | reload: import | reload: load | records read / kept unread | --sync: import "
        "| --sync: load | records read / kept unread |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        full, raw, incremental, synced = r["lodcat"], r["raw_bulk_load"], r["incremental"], r["sync"]
        assert isinstance(full, dict) and isinstance(raw, dict)
        assert isinstance(incremental, dict) and isinstance(synced, dict)
        lines.append(
            f"| {r['projects']:,} | {r['quads']:,} | {full['wall']:.1f} s | {r['records_per_s']:,.0f} "
            f"| {r['triples_per_s']:,.0f} | {full['tree_rss'] / gib:.2f} / {full['main_rss'] / gib:.2f} GiB "
            f"| {raw['wall']:.1f} s | {raw['tree_rss'] / gib:.2f} GiB | {r['ratio_time']:.2f}x |"
        )
        cells = []
        for step in (incremental, synced):
            imported, loaded = step["import"], step["load"]
            cells.append(
                f"{imported['wall']:.1f} s | {loaded['wall']:.1f} s "
                f"| {loaded['records_read']:,} / {loaded['records_kept']:,}"
            )
        reloads.append(f"| {r['projects']:,} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n\n" + "\n".join(reloads)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 300_000])
    parser.add_argument("--out", type=Path, default=Path("var/bench/import"))
    arguments = parser.parse_args()
    arguments.out.mkdir(parents=True, exist_ok=True)
    results = []
    for size in arguments.sizes:
        print(f"# {size:,} projects", flush=True)
        results.append(bench(size, arguments.out / f"work-{size}"))
        print(json.dumps(results[-1], indent=1), flush=True)
        (arguments.out / "import.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(table(results))


if __name__ == "__main__":
    main()
