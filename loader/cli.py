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
from loader.namespaces import Namespaces
from loader.pipeline import LoadReport, Retract, every_source, parts_of, run
from loader.records import json_schema
from loader.settings import Settings
from loader.store import LodStore

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2


def _print_report(report: LoadReport, verb: str) -> int:
    for note in report.notes:
        print(f"note: {note}", file=sys.stderr)
    for outcome in report.outcomes:
        if outcome.status == "refused":
            for problem in outcome.problems:
                print(problem, file=sys.stderr)
        else:
            size = f"{outcome.triples} triples" if outcome.triples else "already published, not read"
            if outcome.reused:
                size += f"; {outcome.read} records read, {outcome.reused} unchanged kept unread"
            print(f"{outcome.status:9} {outcome.path} -> <{outcome.graph}> ({size})")
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


def _progress(arguments: argparse.Namespace) -> bool:
    return bool(arguments.progress) or sys.stderr.isatty()


def command_validate(arguments: argparse.Namespace, settings: Settings) -> int:
    paths = _paths(arguments, settings)
    if (code := _missing(paths)) is not None:
        return code
    return _print_report(run(paths, settings, store=None, progress=_progress(arguments)), "validate")


def _load(
    paths: list[Path], arguments: argparse.Namespace, settings: Settings, retract: Retract | None
) -> int:
    store = LodStore(settings.store_path)
    report = run(
        paths,
        settings,
        store,
        retract=retract,
        progress=_progress(arguments),
        refresh_index=not arguments.defer_index,
    )
    store.flush()
    return _print_report(report, f"load into {settings.store_path}")


def command_load(arguments: argparse.Namespace, settings: Settings) -> int:
    paths = _paths(arguments, settings)
    if (code := _missing(paths)) is not None:
        return code
    retract = every_source(Namespaces(settings.base_iri)) if arguments.sync else None
    return _load(paths, arguments, settings, retract)


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
    from loader.graph_writer import repair

    store = LodStore(settings.store_path)
    for graph in repair(store, Namespaces(settings.base_iri)):
        print(f"dropped <{graph}>: an interrupted load left it unfinished", file=sys.stderr)
    app = create_app(settings, store)
    print(f"serving {settings.store_path} on http://{settings.host}:{settings.port}/", flush=True)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="info")
    return EXIT_OK


def command_dump(arguments: argparse.Namespace, settings: Settings) -> int:
    from loader.dumps import dumps_folder, write_dumps
    from loader.namespaces import Namespaces

    folder = Path(arguments.folder) if arguments.folder else dumps_folder(settings)
    store = LodStore(settings.store_path)
    try:
        manifest = write_dumps(store, folder, Namespaces(settings.base_iri))
    except OSError as error:
        print(f"lodcat: {folder}: cannot write the dumps: {error}", file=sys.stderr)
        return EXIT_USAGE
    for dump in manifest.dumps:
        print(f"{folder / dump.name}  {dump.bytes} bytes  {dump.statements} statements  sha256 {dump.sha256}")
    print(f"dump: data version {manifest.data_version}, {len(manifest.dumps)} files in {folder}")
    return EXIT_OK


def command_import(arguments: argparse.Namespace, settings: Settings) -> int:
    from loader.importer import import_into, read_mapping, write_report
    from loader.progress import Progress

    mapping_path, path = Path(arguments.mapping), Path(arguments.file)
    if (code := _missing([mapping_path, path])) is not None:
        return code
    if arguments.chunk < 1:
        print(f"lodcat: --chunk {arguments.chunk}: expected at least 1 project per file", file=sys.stderr)
        return EXIT_USAGE
    out = Path(arguments.out) if arguments.out else settings.store_path.parent / "imports"
    meter = Progress("import", "rows", enabled=_progress(arguments))
    imported = import_into(
        read_mapping(mapping_path),
        path,
        out,
        strict=arguments.strict,
        sync=arguments.sync,
        chunk=arguments.chunk,
        encoding=arguments.encoding,
        delimiter=arguments.delimiter,
        limit=arguments.limit,
        progress=meter,
        jobs=settings.load_jobs,
    )
    if meter.done:
        meter.finish()
    for problem in [*imported.refusals, *map(str, imported.problems)]:
        print(problem, file=sys.stderr)
    for written in imported.records:
        print(f"wrote     {written}")
    for removed in imported.removed:
        print(f"removed   {removed}")
    if arguments.report:
        write_report(imported, Path(arguments.report))
    for column in imported.personal:
        decision = "published" if column.published else "not published"
        print(f"personal  {column.column!r} ({column.evidence}): {decision}: {column.reason}")
    if imported.unmapped:
        names = ", ".join(repr(name) for name in imported.unmapped)
        print(f"unmapped  {names} (not published; say why under [ignored])")
    print(imported.summary())
    if imported.refused:
        return EXIT_REFUSED
    if not arguments.load:
        return EXIT_OK
    # The parts the import removed (a new layout, or --sync) leave with their graphs: every graph of this
    # source that no record file of it publishes now is retracted.
    return _load(
        imported.records,
        arguments,
        settings,
        parts_of(Namespaces(settings.base_iri), imported.mapping.source_id),
    )


def _load_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--progress", action="store_true", help="show progress even when not on a terminal")
    command.add_argument(
        "--defer-index",
        action="store_true",
        help="leave the search index stale; `lodcat serve` rebuilds it at start",
    )


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
    validate.add_argument("--progress", action="store_true", help="show progress even when not on a terminal")
    validate.set_defaults(handler=command_validate)
    load = commands.add_parser("load", help="validate and publish record files, each as its own named graph")
    load.add_argument("paths", nargs="*", help="record files or folders (default: data/)")
    _load_options(load)
    load.add_argument(
        "--sync", action="store_true", help="retract the published sources whose record file is not given"
    )
    load.set_defaults(handler=command_load)
    schema = commands.add_parser("schema", help="write the record JSON Schema to schema/record.schema.json")
    schema.add_argument("--check", action="store_true", help="fail if the committed schema is out of date")
    schema.set_defaults(handler=command_schema)
    serve = commands.add_parser("serve", help="serve SPARQL, REST and linked data on HOST:PORT")
    serve.set_defaults(handler=command_serve)
    dump = commands.add_parser("dump", help="write N-Quads, N-Triples, Turtle and JSON-LD dumps")
    dump.add_argument("--folder", help="where (default: LODCAT_DUMPS, else dumps/ beside the store)")
    dump.set_defaults(handler=command_dump)
    imports = commands.add_parser("import", help="turn a CSV/JSON list into record files with a mapping")
    imports.add_argument("file", help="the list of operations (CSV or a JSON array of objects)")
    imports.add_argument("--mapping", required=True, help="the mapping file (mappings/*.toml)")
    imports.add_argument("--out", help="folder for the record files (default: imports/ beside the store)")
    imports.add_argument("--load", action="store_true", help="then validate and publish them")
    imports.add_argument("--strict", action="store_true", help="refuse the whole file if any row fails")
    imports.add_argument("--report", help="write the import report as JSON to this path")
    imports.add_argument("--encoding", help="override the mapping's encoding (e.g. cp1250)")
    imports.add_argument("--delimiter", help="override the mapping's delimiter (e.g. ';')")
    imports.add_argument("--limit", type=int, help="import only the first N rows")
    imports.add_argument("--chunk", type=int, default=500, help="projects per record file (default 500)")
    imports.add_argument(
        "--sync", action="store_true", help="retract projects an earlier import had that the file has no more"
    )
    _load_options(imports)
    imports.set_defaults(handler=command_import)
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
