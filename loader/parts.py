"""Imported projects -> record files in stable parts, written from a spool on disk.

A big list of operations becomes several record files (`{source}.part-007.json`), each a source with
its own named graph. Which part a project lands in depends on its id alone (a hash into one of
`BUCKETS` buckets; part = bucket mod parts, parts a power of two), so an import after a few rows
changed rewrites only the parts holding them, and the loader skips the rest by their content hash.
Projects within a part are sorted by id, so an unchanged part is byte-for-byte the same file.

The number of parts is the smallest power of two that keeps parts at or under `chunk` projects (at
most `BUCKETS`); it changes only when a source doubles or halves, and then every part is rewritten.

While rows are read, projects go to the spool (one JSON line each, per bucket, in a hidden folder next
to the output) instead of memory; `write_parts` reads one part's buckets at a time. So memory holds one
part, the ids seen and the organisations, never the whole list. A project's line is encoded once (in the
worker process that mapped its row) and written into the record file as it is.

Records that were published before but are gone from the new file are carried over from the previous
record files unless `sync` is set: a list of operations may drop a finished project, and only the
publisher decides that it is retracted (`lodcat import --sync`).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from loader.records import references

BUCKETS = 256


def bucket(project_id: str) -> int:
    """The bucket of a project id: stable across runs, machines and Python versions."""
    return int.from_bytes(hashlib.sha256(project_id.encode("utf-8")).digest()[:4], "big") % BUCKETS


def part_count(projects: int, chunk: int) -> int:
    """How many parts `projects` projects are written as: a power of two, at most BUCKETS."""
    parts = 1
    while parts < BUCKETS and projects > parts * chunk:
        parts *= 2
    return parts


def part_id(source_id: str, number: int, parts: int) -> str:
    """`{source}` for a single part, else `{source}.part-NNN` (numbered from 1)."""
    return source_id if parts == 1 else f"{source_id}.part-{number:03d}"


def source_files(out: Path, source_id: str) -> list[Path]:
    """The record files an import of `source_id` wrote into `out`, in any layout."""
    return sorted([*out.glob(f"{source_id}.json"), *out.glob(f"{source_id}.part-*.json")])


def project_line(project: dict[str, Any]) -> str:
    """A project record as the one line of JSON a record file holds it in."""
    return json.dumps(project, ensure_ascii=False)


def named_organisations(project: dict[str, Any]) -> list[str]:
    """The organisations a project record names: the record file must hold them."""
    return [name for _field, target, name in references("projects", project) if target == "organisations"]


@dataclass(frozen=True)
class Spooled:
    """A project in the spool: its id, the organisations it names, its record as one line of JSON."""

    id: str
    named: list[str]
    line: str


class Spool:
    """Projects as JSON lines, one file per bucket, in a temporary folder inside `out`."""

    def __init__(self, out: Path) -> None:
        self.out, self.created = out, not out.exists()
        out.mkdir(parents=True, exist_ok=True)
        self.folder = Path(tempfile.mkdtemp(dir=out, prefix=".spool-"))
        self._files: dict[int, IO[str]] = {}
        self.ids: set[str] = set()

    def add(self, project: dict[str, Any]) -> None:
        self.add_line(project["id"], named_organisations(project), project_line(project))

    def add_line(self, project_id: str, named: list[str], line: str) -> None:
        """Spool a project given as its line of JSON (`project_line`), with the organisations it names."""
        number = bucket(project_id)
        handle = self._files.get(number)
        if handle is None:
            handle = self._files[number] = (self.folder / f"{number:03d}.jsonl").open("a", encoding="utf-8")
        handle.write(json.dumps([project_id, named]) + "\t" + line + "\n")  # JSON escapes tabs
        self.ids.add(project_id)

    def __len__(self) -> int:
        return len(self.ids)

    def part(self, number: int, parts: int) -> list[Spooled]:
        """The projects of part `number` (from 0) of `parts`, sorted by id."""
        for handle in self._files.values():
            handle.flush()
        projects: list[Spooled] = []
        for index in range(number, BUCKETS, parts):
            path = self.folder / f"{index:03d}.jsonl"
            if path.exists():
                with path.open(encoding="utf-8") as lines:
                    for text in lines:
                        head, _, line = text.rstrip("\n").partition("\t")
                        project_id, named = json.loads(head)
                        projects.append(Spooled(project_id, named, line))
        return sorted(projects, key=lambda project: project.id)

    def close(self) -> None:
        for handle in self._files.values():
            handle.close()
        self._files.clear()
        shutil.rmtree(self.folder, ignore_errors=True)
        if self.created and not any(self.out.iterdir()):
            self.out.rmdir()  # a refused import leaves no trace

    def __enter__(self) -> Spool:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


@dataclass
class Written:
    """What `write_parts` did: files written (changed or not), files removed, projects carried over."""

    paths: list[Path] = field(default_factory=list)
    changed: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    carried: list[str] = field(default_factory=list)


def carry_over(spool: Spool, previous: list[Path], organisations: dict[str, dict[str, Any]]) -> list[str]:
    """Add to the spool the projects of the `previous` record files that the new import does not have,
    with the organisations they name (new spellings win); return their ids."""
    carried = []
    for path in previous:
        try:
            old = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # a file that cannot be read holds nothing to carry
        known = {organisation["id"]: organisation for organisation in old.get("organisations", [])}
        for project in old.get("projects", []):
            if project["id"] in spool.ids:
                continue
            named = named_organisations(project)
            spool.add_line(project["id"], named, project_line(project))
            carried.append(project["id"])
            for identifier in named:
                if identifier in known:
                    organisations.setdefault(identifier, known[identifier])
    return carried


def document_text(document: dict[str, Any]) -> str:
    """A record file as JSON with one organisation or project per line: diffs show the records that
    changed, and the C encoder writes it (indented JSON is encoded in Python, several times slower).
    A spooled project is written as its line."""
    members = []
    for key, value in document.items():
        if isinstance(value, list):
            lines = (item.line if isinstance(item, Spooled) else project_line(item) for item in value)
            items = ",\n".join("  " + line for line in lines)
            members.append(f" {json.dumps(key)}: [\n{items}\n ]" if value else f" {json.dumps(key)}: []")
        else:
            members.append(f" {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}")
    return "{\n" + ",\n".join(members) + "\n}\n"


def write_parts(
    spool: Spool,
    out: Path,
    source_id: str,
    chunk: int,
    record_file: Callable[[str, list[Spooled], int, int], dict[str, Any]],
) -> Written:
    """Write the spooled projects as record files in `out`; remove the files of this source that the
    new layout does not have. `record_file(part_id, projects, number, parts)` builds one file's JSON.
    A file whose bytes would not change is left alone."""
    written = Written()
    parts = part_count(len(spool), chunk)
    for number in range(parts):
        projects = spool.part(number, parts)
        if not projects:
            continue
        identifier = part_id(source_id, number + 1, parts)
        path = out / f"{identifier}.json"
        data = document_text(record_file(identifier, projects, number + 1, parts)).encode("utf-8")
        if not path.exists() or path.read_bytes() != data:
            temporary = path.with_name(f".{path.name}.tmp")
            temporary.write_bytes(data)
            temporary.replace(path)
            written.changed.append(path)
        written.paths.append(path)
    for old in source_files(out, source_id):
        if old not in written.paths:
            old.unlink()
            written.removed.append(old)
    return written


def spooled(projects: Iterator[dict[str, Any]], out: Path) -> Spool:
    """A spool holding `projects` (for callers that have them in memory)."""
    spool = Spool(out)
    for project in projects:
        spool.add(project)
    return spool
