"""Lists of operations -> record files, by a declarative mapping (mappings/*.toml); no code per source.

`read_mapping` (loader/mappingfile.py) reads and checks a mapping. `import_into` streams a CSV or JSON
list through it, each row becoming a project record or row problems (file:line, column, value, reason;
loader/row_mapping.py), and writes the records as record files in stable parts (loader/parts.py);
`import_table` keeps them in memory instead. Publishing them is `loader.pipeline.run`, like any record
file.
docs/importing.md explains mappings.

What the importer refuses as a whole (an `Imported` with `refusals`): a file that cannot be read, a
mapping that names columns the file does not have, a mapped column that looks like personal data
without a `public_reason`, and with `strict`, any row problem at all."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from loader.mappingfile import Mapping, MappingError, read_mapping
from loader.parts import Spool, Spooled, Written, carry_over, source_files, write_parts
from loader.progress import Progress
from loader.records import Project
from loader.row_mapping import MappedRow, RowProblem, RowState, cell
from loader.row_pool import map_rows
from loader.tables import Row, TableError, TableStream, header_name, open_table
from loader.transforms import personal_header, personal_value

DEFAULT_CHUNK = 500

# -- what an import finds --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonalColumn:
    """A column that looks like personal data, why it looks so, and whether it is published."""

    column: str
    evidence: str
    published: bool
    reason: str

    def as_json(self) -> dict[str, Any]:
        return {
            "column": self.column,
            "evidence": self.evidence,
            "published": self.published,
            "reason": self.reason,
        }


@dataclass
class Imported:
    """The records of one imported file, or why the file is refused as a whole (`refusals`)."""

    mapping: Mapping
    table: TableStream | None
    path: Path
    strict: bool = False
    projects: list[Project] = field(default_factory=list)  # import_table only; import_into spools them
    count: int = 0  # projects imported
    organisations: dict[str, dict[str, Any]] = field(default_factory=dict)
    problems: list[RowProblem] = field(default_factory=list)
    personal: list[PersonalColumn] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)
    records: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)  # record files of an earlier import now gone
    carried: list[str] = field(default_factory=list)  # projects kept from an earlier import (no --sync)

    @property
    def refused(self) -> bool:
        return bool(self.refusals)

    @property
    def rows(self) -> int:
        return self.table.read if self.table else 0

    @property
    def rows_skipped(self) -> int:
        return len({problem.line for problem in self.problems if problem.action == "row skipped"})

    @property
    def rows_left_out(self) -> int:
        return sum(problem.action == "row left out" for problem in self.problems)

    def summary(self) -> str:
        if self.refused:
            return f"refused {self.path}: nothing imported ({len(self.refusals)} reason(s) above)"
        assert self.table is not None
        delimiter = f", delimiter {self.table.delimiter!r}" if self.table.delimiter else ""
        return (
            f"imported {self.path} with {self.mapping.path}: {self.rows} rows, {self.count} "
            f"projects, {self.rows_skipped} rows skipped, {self.rows_left_out} left out; "
            f"encoding {self.table.encoding}{delimiter}"
            + (f"; {len(self.carried)} projects kept from the earlier import" if self.carried else "")
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "mapping": str(self.mapping.path),
            "file": str(self.path),
            "source": self.mapping.source_id,
            "status": "refused" if self.refused else "imported",
            "strict": self.strict,
            "encoding": self.table.encoding if self.table else None,
            "delimiter": self.table.delimiter if self.table else None,
            "rows": self.rows,
            "projects": self.count,
            "carried_over": self.carried,
            "removed_records": [str(path) for path in self.removed],
            "rows_skipped": self.rows_skipped,
            "rows_left_out": self.rows_left_out,
            "refusals": self.refusals,
            "problems": [problem.as_json() for problem in self.problems],
            "personal_data": [column.as_json() for column in self.personal],
            "unmapped_columns": self.unmapped,
            "records": [str(path) for path in self.records],
        }


def _scan_personal(columns: list[str], row: Row, found: dict[str, str]) -> None:
    """Add to `found` (column -> why) the columns of `row` that look like personal data."""
    for column, text in row.cells.items():
        if column in found or not text:
            continue
        kind = personal_value(text)
        if kind is not None:
            found[column] = f"line {row.line} holds {kind}"


def _personal_headers(columns: list[str]) -> dict[str, str]:
    return {column: f"its name contains {word!r}" for column in columns if (word := personal_header(column))}


def _personal_columns(mapping: Mapping, path: Path, found: dict[str, str], imported: Imported) -> None:
    spec = mapping.spec
    personal = {header_name(column, 0): reason for column, reason in spec.personal.items()}
    for column, evidence in found.items():
        rules = [rule for rule in mapping.rules if rule.column == column]
        reasons = [rule.spec.public_reason for rule in rules if rule.spec.public_reason]
        if rules and not reasons:
            targets = ", ".join(sorted({f"'{rule.spec.to}'" for rule in rules}))
            imported.refusals.append(
                f"{path}: column {column!r} looks like personal data ({evidence}); {mapping.path} maps "
                f"it to {targets} without public_reason. Leave it out of [columns] and list it under "
                "[personal], or say why it is public with public_reason"
            )
            imported.personal.append(PersonalColumn(column, evidence, False, "refused: no public_reason"))
        elif rules:
            imported.personal.append(PersonalColumn(column, evidence, True, reasons[0]))
        else:
            why = personal.get(column, "not mapped; list it under [personal] to say what it holds")
            imported.personal.append(PersonalColumn(column, evidence, False, why))


def _open(
    mapping: Mapping, path: Path, strict: bool, encoding: str | None, delimiter: str | None, limit: int | None
) -> Imported:
    """An Imported with the table opened (rows not read yet), or with the refusals of its header."""
    imported = Imported(mapping, None, path, strict)
    read = mapping.spec.read
    try:
        imported.table = open_table(
            path,
            format=read.format or ("json" if path.suffix.lower() == ".json" else "csv"),
            encoding=encoding or read.encoding,
            fallback_encoding=read.fallback_encoding,
            delimiter=delimiter or read.delimiter,
            header_row=read.header_row,
            quoting=read.quoting,
            limit=limit,
        )
    except TableError as error:
        imported.refusals.append(str(error))
        return imported
    columns = imported.table.columns
    declared = mapping.declared_columns()
    for column in [column for column in declared if column not in columns]:
        imported.refusals.append(
            f"{path}: has no column {column!r} ({mapping.path}: {declared[column]}); its columns are: "
            + ", ".join(repr(name) for name in columns)
        )
    imported.unmapped = [column for column in columns if column not in declared]
    return imported


def _projects(imported: Imported, progress: Progress | None = None, jobs: int = 1) -> Iterator[MappedRow]:
    """Map the rows (in `jobs` processes for a big file, see loader/row_pool.py); yield each project
    once (its record JSON-ready; its model too when mapped in this process). Afterwards `imported`
    holds the problems and refusals (personal-data columns found in any row, --strict), so a caller
    publishes nothing it yielded until the iterator is exhausted and `imported.refused` is False."""
    mapping, table = imported.mapping, imported.table
    if table is None or imported.refused:
        return
    found = _personal_headers(table.columns)
    seen: dict[str, tuple[int, int]] = {}  # project id -> (line, hash of the row's cells)
    try:
        for row, mapped in map_rows(mapping, imported.path, table, jobs):
            _scan_personal(table.columns, row, found)
            imported.problems.extend(mapped.problems)
            if progress is not None:
                progress.advance()
            if mapped.line is None or mapped.project_id is None:
                continue
            cells = hash(tuple(row.cells.items()))
            if mapped.project_id in seen:
                state = RowState(mapping, imported.path, row, project={"id": mapped.project_id})
                _duplicate(state, seen[mapped.project_id], cells, imported)
                continue
            seen[mapped.project_id] = (row.line, cells)
            imported.count += 1
            for organisation in mapped.organisations:
                _add_organisation(imported.organisations, organisation)
            yield mapped
    except TableError as error:
        imported.refusals.append(str(error))
        return
    _personal_columns(mapping, imported.path, found, imported)
    if imported.refused:  # refused for its columns: its rows say nothing
        imported.problems.clear()
        return
    problems = [problem for problem in imported.problems if problem.action != "row left out"]
    if imported.strict and problems:
        lines = len({problem.line for problem in problems})
        imported.refusals.append(
            f"{imported.path}: {len(problems)} problem(s) in {lines} row(s); --strict refuses the whole file"
        )


def import_table(
    mapping: Mapping,
    path: Path,
    *,
    strict: bool = False,
    encoding: str | None = None,
    delimiter: str | None = None,
    limit: int | None = None,
) -> Imported:
    """Map every row of `path` (the first `limit` rows) to a project record, kept in memory in
    `projects`; writes nothing. For big files use `import_into`, which spools them to disk.

    `encoding` and `delimiter` override the mapping's. Rows that cannot be mapped become `problems` and
    are skipped; with `strict`, any problem refuses the whole file. Raises nothing for bad input: a file
    that cannot be read or does not fit the mapping comes back with `refusals`.
    """
    imported = _open(mapping, path, strict, encoding, delimiter, limit)
    imported.projects = [mapped.model for mapped in _projects(imported) if mapped.model is not None]
    if imported.refused:
        imported.projects, imported.count = [], 0
    return imported


def import_into(
    mapping: Mapping,
    path: Path,
    out: Path,
    *,
    strict: bool = False,
    sync: bool = False,
    chunk: int = DEFAULT_CHUNK,
    encoding: str | None = None,
    delimiter: str | None = None,
    limit: int | None = None,
    progress: Progress | None = None,
    jobs: int = 1,
) -> Imported:
    """Map `path` row by row and write the records into `out` (see loader/parts.py): memory holds one
    part at a time, not the list. Projects of an earlier import that are gone from the file are kept
    unless `sync`. Rows are mapped in `jobs` processes when the file is big. A refused file writes
    nothing and leaves the earlier record files as they were."""
    imported = _open(mapping, path, strict, encoding, delimiter, limit)
    if imported.refused:
        return imported
    with Spool(out) as spool:
        for mapped in _projects(imported, progress, jobs):
            assert mapped.line is not None and mapped.project_id is not None  # only mapped projects
            spool.add_line(mapped.project_id, mapped.named, mapped.line)
        if imported.refused:
            return imported
        previous = source_files(out, mapping.source_id)
        if not sync:
            imported.carried = carry_over(spool, previous, imported.organisations)
        _written(imported, write_parts(spool, out, mapping.source_id, chunk, _part_builder(imported)))
    return imported


def _duplicate(state: RowState, first: tuple[int, int], cells: int, imported: Imported) -> None:
    spec = state.mapping.spec.project
    project_id = state.project["id"]
    columns = [header_name(column, 0) for column in [spec.id_column] if column] or [
        header_name(column, 0) for column in spec.id_columns
    ]
    values = [cell(state.mapping, state.row, column) or "" for column in columns]
    line, first_cells = first
    if cells == first_cells:
        reason = f"repeats line {line} cell for cell"
    elif spec.id_column is not None:
        reason = f"has the project code of line {line} (project id {project_id!r}); a row is a project"
    else:
        reason = (
            f"has the same {' and '.join(repr(column) for column in columns)} as line {line} "
            f"(project id {project_id!r}); a row is a project"
        )
    value = " + ".join(values) if values else None
    imported.problems.append(RowProblem(state.path, state.row.line, " + ".join(columns), value, reason))


def _add_organisation(organisations: dict[str, dict[str, Any]], organisation: dict[str, Any]) -> None:
    """One organisation per id; other spellings of its name are kept as alternative names."""
    known = organisations.setdefault(organisation["id"], organisation)
    if known is organisation:
        return
    name = organisation["name"]
    if name != known["name"] and name not in known.setdefault("alternative_names", []):
        known["alternative_names"].append(name)


# -- records -> files ------------------------------------------------------------------------------------


def _dumped(project: Project) -> dict[str, Any]:
    return project.model_dump(mode="json", exclude_defaults=True, exclude_none=True)


def _written(imported: Imported, written: Written) -> None:
    imported.records, imported.removed = written.paths, written.removed
    imported.count += len(imported.carried)


def write_records(imported: Imported, out: Path, chunk: int = DEFAULT_CHUNK) -> list[Path]:
    """Write the projects `import_table` kept in memory as record files in `out`, in parts of at most
    `chunk` projects (see loader/parts.py); removes the files an earlier import of the same source left
    in `out`; nothing is carried over."""
    if imported.refused:
        raise ValueError("a refused import has no records to write")
    with Spool(out) as spool:
        for project in imported.projects:
            spool.add(_dumped(project))
        written = write_parts(spool, out, imported.mapping.source_id, chunk, _part_builder(imported))
    _written(imported, written)
    return written.paths


def _part_builder(imported: Imported) -> Callable[[str, list[Spooled], int, int], dict[str, Any]]:
    def build(part_id: str, projects: list[Spooled], number: int, parts: int) -> dict[str, Any]:
        return _record_file(imported, part_id, projects, number, parts)

    return build


def _record_file(
    imported: Imported, part_id: str, projects: list[Spooled], number: int, parts: int
) -> dict[str, Any]:
    spec = imported.mapping.spec.source
    notes = [*spec.notes, {"en": f"Imported from {imported.path.name} with {imported.mapping.path.name}."}]
    if parts > 1:
        notes.append({"en": f"Part {number} of {parts} of the source {spec.id}."})
    source: dict[str, Any] = {
        "id": part_id,
        "file": spec.file or imported.path.name,
        "language": spec.language,
        "notes": notes,
    }
    if spec.title:
        source["title"] = spec.title
    if spec.url:
        source["url"] = spec.url
    used = {organisation for project in projects for organisation in project.named}
    organisations = [imported.organisations[identifier] for identifier in sorted(used)]
    return {"source": source, "organisations": organisations, "projects": projects}


def write_report(imported: Imported, path: Path) -> None:
    """The import report as JSON: counts, refusals, every row problem, personal-data columns."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(imported.as_json(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


__all__ = [
    "DEFAULT_CHUNK",
    "Imported",
    "MappingError",
    "import_into",
    "import_table",
    "read_mapping",
    "write_records",
    "write_report",
]
