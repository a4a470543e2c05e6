"""A changed record file whose graph is published -> its new graph, reading only the records that changed.

Each organisation, place and project of a record file is a record; its digest is SHA-256 of the loader
version, the file's source header and the record's canonical JSON (`record_digests`). The published graph
of the file remembers the digests it was mapped from (loader/record_digests.py). On a reload:

- A record whose digest is among them is unchanged: its triples are the published ones, taken over as
  N-Triples lines without reading the record again (the mapping writes what the store gives back, byte for
  byte, see `loader.mapping.decimal`). Its triples are those whose subject it owns: a project owns
  `id/project/{id}` and the nodes below it, an organisation `id/organisation/{id}` and its address, a place
  `id/place/{id}`, the source header `id/source/{id}` and its stated dates (loader/namespaces.py).
- Changed and new records are read, mapped and validated; so are the unchanged records that refer to a
  changed or removed one (a project naming an organisation that is gone), since their SHACL results may
  differ now. The records these refer to are mapped too, so that sh:class and the like see the nodes
  they point at, but only results on the records being checked count.
- Records that are gone lose their triples.

This gives the graph, the refusals and the SHACL results a whole read of the file gives:
tests/test_record_delta.py compares the two on every kind of change. Every shape of shapes/lodcat.ttl
looks at its focus node, the nodes the same record owns and the type of the nodes it points at (and the
vocabulary); a shape that looked further would need this module to map more context. When the published
graph does not match what this module expects (a subject no record owns), `rebuild` returns None and the
file is read whole.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyoxigraph import NamedNode, RdfFormat, serialize

from loader.compiled_shapes import validate
from loader.errors import RecordError, RecordsRefused, ValidationFailed
from loader.mapping import MappedSource, to_triples
from loader.namespaces import Namespaces
from loader.records import LISTS, parse_records
from loader.settings import Settings

Key = tuple[str, str]  # (list, id): ("projects", "CZ.1.04/...") or ("source", id) for the header
KINDS = {b"project": "projects", b"organisation": "organisations", b"place": "places", b"source": "source"}
LARGEST_SHARE = 0.5  # above this share of records to read, reading the file whole costs about as much


@dataclass(frozen=True)
class Previous:
    """The published graph of a changed record file and the digests of the records it was mapped from."""

    graph: str
    lines: bytes  # the graph's N-Triples, as the store gives them
    digests: frozenset[bytes]


@dataclass
class Rebuilt:
    """The file's new graph: its sorted N-Triples lines, and what was read to get them."""

    mapped: MappedSource  # the records read (source header included)
    lines: list[bytes]
    digests: dict[Key, bytes]
    reused: int  # records taken over from the published graph
    read: int  # records read, mapped and validated


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def record_digests(data: Any, version: bytes) -> dict[Key, bytes] | None:
    """Per record, the digest of what its triples depend on; None if `data` is not a record file with
    string ids unique per list (read it whole: the record model says what is wrong)."""
    if not isinstance(data, dict) or not isinstance(data.get("source"), dict):
        return None
    header = hashlib.sha256(version)
    header.update(canonical({key: value for key, value in data.items() if key not in LISTS}))
    digests: dict[Key, bytes] = {}
    for kind in LISTS:
        items = data.get(kind, [])
        if not isinstance(items, list):
            return None
        for item in items:
            identifier = item.get("id") if isinstance(item, dict) else None
            if not isinstance(identifier, str) or (kind, identifier) in digests:
                return None
            digest = header.copy()
            digest.update(kind.encode() + b"\0" + canonical(item))
            digests[(kind, identifier)] = digest.digest()
    return digests


class Owners:
    """Which record owns a subject, and which record an IRI object points at, in N-Triples lines."""

    def __init__(self, ns: Namespaces) -> None:
        base = re.escape(f"{ns.base}id/".encode())
        self.subject = re.compile(b"<" + base + b"(project|organisation|place|source)/([^/>]+)[/>]")
        self.object = re.compile(b"<" + base + b"(project|organisation|place)/([^/>]+)[^>]*> \\.$")
        self.prefix = f"{ns.base}id/"

    def of_subject(self, line: bytes) -> Key | None:
        found = self.subject.match(line)
        return None if found is None else (KINDS[found.group(1)], found.group(2).decode("utf-8"))

    def of_object(self, line: bytes) -> Key | None:
        found = self.object.search(line)
        return None if found is None else (KINDS[found.group(1)], found.group(2).decode("utf-8"))

    def of_iri(self, iri: str) -> Key | None:
        if not iri.startswith(self.prefix):
            return None
        kind, _, rest = iri[len(self.prefix) :].partition("/")
        name = KINDS.get(kind.encode())
        return None if name is None else (name, rest.split("/", 1)[0])


def _selection(data: Any, keys: set[Key]) -> dict[str, list[int]]:
    return {
        kind: [index for index, item in enumerate(data.get(kind, [])) if (kind, item["id"]) in keys]
        for kind in LISTS
    }


def _mapped(data: Any, path: Path, keys: set[Key], ns: Namespaces) -> MappedSource:
    """The records `keys` of `data` (and the source header), read and mapped; raises RecordsRefused."""
    records = parse_records(data, path, only=_selection(data, keys))
    try:
        return to_triples(records, path, ns)
    except ValueError as error:  # an identifier that cannot be part of an IRI (as preparation.prepare)
        raise RecordsRefused([RecordError(path, "(file)", "id", str(error))]) from None


def rebuild(path: Path, data: Any, previous: Previous, settings: Settings, version: bytes) -> Rebuilt | None:
    """The new graph of the record file `path` (parsed as `data`), reading only what changed since
    `previous`; None where reading the file whole is needed or cheaper. Raises RecordsRefused or
    ValidationFailed as a whole read would, with the same problems."""
    ns = Namespaces(settings.base_iri)
    digests = record_digests(data, version)
    source = data.get("source", {}).get("id") if isinstance(data, dict) else None
    if digests is None or not isinstance(source, str) or not data.get("projects"):
        return None
    try:
        if ns.source_graph(source).value != previous.graph:
            return None
    except ValueError:
        return None
    owners = Owners(ns)
    metadata = f"<{previous.graph}>".encode()
    published: dict[Key, list[bytes]] = {}
    pointers: list[tuple[Key, Key]] = []  # (record, record its triple points at)
    for line in previous.lines.splitlines():
        if line.startswith(metadata):
            continue
        owner = owners.of_subject(line)
        if owner is None:
            return None  # a triple no record owns: read the file whole
        published.setdefault(owner, []).append(line)
        target = owners.of_object(line)
        if target is not None and target != owner:
            pointers.append((owner, target))
    changed = {key for key, digest in digests.items() if digest not in previous.digests}
    if any(key not in published for key in digests.keys() - changed):
        return None  # the graph lacks a record the digests say it has
    removed = published.keys() - digests.keys() - {("source", source)}
    touched = changed | removed
    read = changed | {owner for owner, target in pointers if target in touched and owner in digests}
    if len(read) > LARGEST_SHARE * len(digests):
        return None
    mapped = _mapped(data, path, read, ns)
    pointed = {owners.of_iri(t.object.value) for t in mapped.triples if isinstance(t.object, NamedNode)}
    context = {key for key in pointed if key is not None and key in digests} - read
    checked = mapped
    if context:
        around = _mapped(data, path, context, ns)
        checked = MappedSource(
            path,
            mapped.source_id,
            mapped.graph,
            [*around.triples, *mapped.triples],
            {**around.records, **mapped.records},
            {**around.fields, **mapped.fields},
        )
    violations = [
        violation
        for violation in validate(checked, settings.shapes_path, settings.ontology_path, ns)
        if owners.of_iri(violation.focus) not in context
    ]
    if violations:
        raise ValidationFailed(violations)
    replaced = read | removed | {("source", source)}
    lines = {line for key, kept in published.items() if key not in replaced for line in kept}
    lines.update((serialize(mapped.triples, format=RdfFormat.N_TRIPLES) or b"").splitlines())
    return Rebuilt(mapped, sorted(lines), digests, reused=len(digests) - len(read), read=len(read))
