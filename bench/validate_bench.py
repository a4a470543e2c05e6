"""SHACL validation of synthetic sources: pySHACL (loader.validation) against the compiled SPARQL checks
(loader.compiled_shapes), in this process, one source at a time as `lodcat load` validates them.

Writes `--pyshacl` and `--compiled` projects with bench.generate (files of `--per-file` projects), maps
them (untimed), validates each source once after one warm-up call per validator on a one-project source
(shapes read and compiled, vocabulary read: timed apart), and prints projects per CPU second, CPU
milliseconds per project and their ratio. The compiled checks also validate the pySHACL sources, and
both must find all sources valid, and the same.

    python -m bench.validate_bench                   # 200 projects by pySHACL, 5000 by the compiled checks
    python -m bench.validate_bench --pyshacl 50 --compiled 1000 --per-file 100 --output var/validate.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

from bench.generate import generate
from loader import compiled_shapes, validation
from loader.errors import Violation
from loader.mapping import MappedSource, to_triples
from loader.namespaces import Namespaces
from loader.records import read_records
from loader.settings import Settings

Validator = Callable[[MappedSource, Path, Path, Namespaces], list[Violation]]


def timed(
    validate: Validator, sources: list[MappedSource], projects: int, settings: Settings
) -> dict[str, Any]:
    """Validate each source once: CPU time (this process, all threads), wall time, what was found."""
    ns = Namespaces(settings.base_iri)
    cpu, wall = time.process_time(), time.perf_counter()
    found = [validate(source, settings.shapes_path, settings.ontology_path, ns) for source in sources]
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return {
        "projects": projects,
        "sources": len(sources),
        "cpu_s": round(cpu, 3),
        "wall_s": round(wall, 3),
        "projects_per_cpu_s": round(projects / cpu, 1),
        "cpu_ms_per_project": round(1000 * cpu / projects, 3),
        "violations": sum(len(violations) for violations in found),
        "found": found,
    }


def sources(projects: int, per_file: int, seed: int, ns: Namespaces) -> list[MappedSource]:
    """`projects` synthetic projects in files of `per_file`, read and mapped as `lodcat load` does."""
    with tempfile.TemporaryDirectory(prefix="lodcat-validate-bench-") as folder:
        files = generate(projects, Path(folder), min(per_file, projects), seed)
        return [to_triples(read_records(path), path, ns) for path in files]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pyshacl", type=int, default=200, help="projects validated by pySHACL (slow)")
    parser.add_argument(
        "--compiled", type=int, default=5000, help="projects validated by the compiled checks"
    )
    parser.add_argument("--per-file", type=int, default=500, help="projects per source file")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--output", type=Path, help="also write the figures here as JSON")
    arguments = parser.parse_args()
    settings = Settings()
    ns = Namespaces(settings.base_iri)
    few = sources(arguments.pyshacl, arguments.per_file, arguments.seed, ns)
    many = sources(arguments.compiled, arguments.per_file, arguments.seed, ns)
    warm_up, one = {}, sources(1, 1, arguments.seed + 1, ns)[0]
    for name, validate in (("pyshacl", validation.validate), ("compiled", compiled_shapes.validate)):
        start = time.process_time()
        validate(one, settings.shapes_path, settings.ontology_path, ns)  # reads shapes and vocabulary
        warm_up[name] = round(time.process_time() - start, 3)
    results = {
        "pyshacl": timed(validation.validate, few, arguments.pyshacl, settings),
        "compiled, same sources": timed(compiled_shapes.validate, few, arguments.pyshacl, settings),
        "compiled": timed(compiled_shapes.validate, many, arguments.compiled, settings),
    }
    same = results["compiled, same sources"]["found"] == results["pyshacl"]["found"]
    ratio = results["pyshacl"]["cpu_ms_per_project"] / results["compiled"]["cpu_ms_per_project"]
    columns = (
        "projects",
        "sources",
        "cpu_s",
        "wall_s",
        "projects_per_cpu_s",
        "cpu_ms_per_project",
        "violations",
    )
    print(f"{'validator':<24}" + "".join(f"{column:>20}" for column in columns))
    for name, result in results.items():
        print(f"{name:<24}" + "".join(f"{result[column]:>20}" for column in columns))
        del result["found"]
    print(f"pySHACL uses {ratio:.0f}x the CPU per project; warm-up CPU s {warm_up}; same results: {same}")
    report = {
        "machine": {
            "cpus": os.cpu_count(),
            "load_average": os.getloadavg(),
            **{package: version(package) for package in ("pyoxigraph", "pyshacl", "rdflib")},
            "python": platform.python_version(),
        },
        "per_file": arguments.per_file,
        "warm_up_cpu_s": warm_up,
        "same_results": same,
        "cpu_ratio": round(ratio, 1),
        **results,
    }
    if arguments.output:
        arguments.output.parent.mkdir(parents=True, exist_ok=True)
        arguments.output.write_text(json.dumps(report, indent=2), encoding="utf-8")
    if not same or any(result["violations"] for result in results.values()):
        raise SystemExit("the validators disagree, or find violations in valid synthetic records")


if __name__ == "__main__":
    main()
