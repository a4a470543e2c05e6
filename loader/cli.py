"""The `lodcat` command: load, validate, schema, serve. Exit codes: 0 done, 1 input refused, 2 usage/env.

Only this module reads the environment (Settings.from_env).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from loader.errors import LodcatError, StoreError
from loader.pipeline import LoadReport, run
from loader.records import json_schema
from loader.settings import Settings
from loader.store import LodStore

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2


def _print_report(report: LoadReport, verb: str) -> int:
    for outcome in report.outcomes:
        if outcome.status == "refused":
            for problem in outcome.problems:
                print(problem, file=sys.stderr)
        else:
            print(f"{outcome.status:9} {outcome.path} -> <{outcome.graph}> ({outcome.triples} triples)")
    print(f"{verb}: {report.summary()}")
    for outcome in report.refused:
        print(f"refused   {outcome.path}: {len(outcome.problems)} problem(s)")
    return EXIT_OK if report.ok else EXIT_REFUSED


def _paths(arguments: argparse.Namespace, settings: Settings) -> list[Path]:
    return [Path(path) for path in arguments.paths] or [settings.data_path]


def _missing(paths: list[Path]) -> int | None:
    for path in paths:
        if not path.exists():
            print(f"lodcat: {path}: no such file or directory", file=sys.stderr)
            return EXIT_USAGE
    return None


def command_validate(arguments: argparse.Namespace, settings: Settings) -> int:
    paths = _paths(arguments, settings)
    if (code := _missing(paths)) is not None:
        return code
    return _print_report(run(paths, settings, store=None), "validate")


def command_load(arguments: argparse.Namespace, settings: Settings) -> int:
    paths = _paths(arguments, settings)
    if (code := _missing(paths)) is not None:
        return code
    store = LodStore(settings.store_path)
    report = run(paths, settings, store)
    store.flush()
    return _print_report(report, f"load into {settings.store_path}")


def command_schema(arguments: argparse.Namespace, settings: Settings) -> int:
    text = json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
    if arguments.check:
        current = settings.schema_path.read_text(encoding="utf-8") if settings.schema_path.exists() else ""
        if current != text:
            print(f"{settings.schema_path} is out of date; run `lodcat schema`", file=sys.stderr)
            return EXIT_REFUSED
        return EXIT_OK
    settings.schema_path.parent.mkdir(parents=True, exist_ok=True)
    settings.schema_path.write_text(text, encoding="utf-8")
    print(f"wrote {settings.schema_path}")
    return EXIT_OK


def command_serve(arguments: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from api.app import create_app

    store = LodStore(settings.store_path)
    app = create_app(settings, store)
    print(f"serving {settings.store_path} on http://{settings.host}:{settings.port}/", flush=True)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="info")
    return EXIT_OK


def parser() -> argparse.ArgumentParser:
    main_parser = argparse.ArgumentParser(
        prog="lodcat",
        description="Publish project records as linked open data.",
        epilog="Exit codes: 0 done; 1 input refused (every problem on stderr, one per line); "
        "2 usage or environment error.",
    )
    commands = main_parser.add_subparsers(dest="command", required=True)
    validate = commands.add_parser("validate", help="check record files (map + SHACL) without writing")
    validate.add_argument("paths", nargs="*", help="record files or folders (default: data/)")
    validate.set_defaults(handler=command_validate)
    load = commands.add_parser("load", help="validate and publish record files, each as its own named graph")
    load.add_argument("paths", nargs="*", help="record files or folders (default: data/)")
    load.set_defaults(handler=command_load)
    schema = commands.add_parser("schema", help="write the record JSON Schema to schema/record.schema.json")
    schema.add_argument("--check", action="store_true", help="fail if the committed schema is out of date")
    schema.set_defaults(handler=command_schema)
    serve = commands.add_parser("serve", help="serve SPARQL, REST and linked data on HOST:PORT")
    serve.set_defaults(handler=command_serve)
    return main_parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        code: int = arguments.handler(arguments, settings)
        return code
    except StoreError as error:
        print(f"lodcat: {error}", file=sys.stderr)
        return EXIT_USAGE
    except LodcatError as error:
        print(f"lodcat: {error}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
