"""A changed record file whose graph is published -> the triples of the records that changed, nothing else.

The source header and each organisation, place and project of a record file is a record, and every
triple of a record graph belongs to the record that owns its subject (loader/owners.py). Per record, two
digests are kept beside the store (loader/record_digests.py): of its JSON, with the loader version and
the header (`record_digests`), and of its triples (`owners.owned_digests`). The graph's content hash is
the digest of its records' triple digests (`content_hash`), so it follows from the records, whichever
way they were read.

On a reload (`rebuild`):

- a record whose JSON digest is unchanged keeps its published triples: neither they nor the record are
  read (the mapping writes what the store gives back, byte for byte: `loader.mapping.decimal`);
- changed and new records are read, mapped and validated, and so are unchanged ones that name a changed
  or removed one (`records.references`: a project whose beneficiary was renamed or left out), since their
  SHACL results may differ now. The records these name are mapped too, so that sh:class and the like see
  the nodes they point at, but only results on the records being read count;
- records that are gone lose their triples.

The caller replaces the triples of the records read and removed (and the header) with the new ones, in
one update. That gives the graph, refusals and SHACL results that reading the whole file gives:
tests/test_record_delta.py compares the two on every kind of change. It holds because every shape of
shapes/lodcat.ttl looks at its focus node, the nodes the same record owns and the type of the nodes it
points at (and the vocabulary); a shape that looked further would need more context mapped here. A change
to the header, a new loader version, or a change to most records reads the file whole.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from pyoxigraph import RdfFormat, serialize

from loader.compiled_shapes import validate
from loader.errors import RecordError, RecordsRefused, ValidationFailed
from loader.mapping import MappedSource, to_triples
from loader.namespaces import Namespaces
from loader.owners import Key, Owners, owned_digests
from loader.records import LISTS, parse_records, references

LARGEST_SHARE = 0.5  # above this share of records to read, reading the file whole costs about as much


class Record(NamedTuple):
    """What is kept of one published record."""

    input: bytes  # digest of its JSON, the header and the loader version (record_digests)
    output: str  # digest of its triples (owned_digests)
    triples: int


NONE = Record(b"", "", 0)


@dataclass(frozen=True)
class Previous:
    """The published graph of a changed record file and what it was mapped from, record by record."""

    graph: str
    records: dict[Key, Record]


@dataclass
class Rebuilt:
    """The records of a reload: the triples of those read (and the header), to replace those of
    `replaced`; and every record of the new graph."""

    mapped: MappedSource  # the records read, and the header
    lines: list[bytes]  # their N-Triples, sorted and distinct
    replaced: list[Key]  # records whose published triples these replace (read, removed, the header)
    records: dict[Key, Record]
    read: int  # records read, mapped and validated
    reused: int  # records kept unread


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def record_digests(data: Any, version: bytes) -> dict[Key, bytes] | None:
    """Per record, the digest of what its triples depend on (the header's under ("source", id)); None
    if `data` is not a record file with string ids unique per list (read it whole: the record model
    says what is wrong)."""
    if not isinstance(data, dict) or not isinstance(data.get("source"), dict):
        return None
    source = data["source"].get("id")
    if not isinstance(source, str):
        return None
    header = hashlib.sha256(version)
    header.update(canonical({key: value for key, value in data.items() if key not in LISTS}))
    digests: dict[Key, bytes] = {("source", source): header.digest()}
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


def content_hash(digests: Iterable[str]) -> str:
    """The content hash of a record graph, from its records' triple digests: equal for equal triples."""
    return hashlib.sha256("\n".join(sorted(digests)).encode()).hexdigest()


def _mapped(data: Any, path: Path, keys: set[Key], ns: Namespaces) -> MappedSource:
    """The records `keys` of `data` (and the header), read and mapped; raises RecordsRefused."""
    only = {
        kind: [index for index, item in enumerate(data.get(kind, [])) if (kind, item["id"]) in keys]
        for kind in LISTS
    }
    records = parse_records(data, path, only=only)
    try:
        return to_triples(records, path, ns)
    except ValueError as error:  # an identifier that cannot be part of an IRI (as preparation.prepare)
        raise RecordsRefused([RecordError(path, "(file)", "id", str(error))]) from None


def _named(items: dict[Key, Any], keys: Iterable[Key]) -> dict[Key, set[Key]]:
    """The records each of `keys` names (records.references)."""
    return {key: {(target, name) for _f, target, name in references(key[0], items[key])} for key in keys}


def rebuild(
    path: Path, data: Any, previous: Previous, ns: Namespaces, version: bytes, shapes: Path, ontology: Path
) -> Rebuilt | None:
    """The records of the record file `path` (parsed as `data`) that changed since `previous`, read,
    mapped and validated; None where reading the file whole is needed or cheaper. Raises RecordsRefused
    or ValidationFailed as a whole read would, with the same problems."""
    digests = record_digests(data, version)
    if digests is None or not data.get("projects"):
        return None
    header = next(key for key in digests if key[0] == "source")
    old = previous.records
    graph = ns.graph(f"source/{header[1]}").value  # (an id no IRI may hold is refused by a whole read)
    if graph != previous.graph or old.get(header, NONE).input != digests[header]:
        return None  # another graph, or a new header: every record depends on it
    changed = {key for key in digests if key not in old or old[key].input != digests[key]}
    removed = old.keys() - digests.keys()
    items = {(kind, item["id"]): item for kind in LISTS for item in data.get(kind, [])}
    touched = changed | removed
    named = _named(items, items.keys() - changed)  # unchanged records are valid: their JSON is sound
    read = changed | {key for key, targets in named.items() if targets & touched}
    if len(read) > LARGEST_SHARE * len(items):
        return None
    mapped = _mapped(data, path, read, ns)  # raises for what the record model refuses in `read`
    context = set().union(*_named(items, read).values()) - read if read else set()
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
    owners = Owners(ns)
    results = validate(checked, shapes, ontology, ns)
    violations = [result for result in results if owners.of(f"<{result.focus}>".encode()) not in context]
    if violations:
        raise ValidationFailed(violations)
    lines = sorted(set((serialize(mapped.triples, format=RdfFormat.N_TRIPLES) or b"").splitlines()))
    owned = owned_digests(lines, owners)
    records = {
        key: Record(digest, *owned[key]) if key in read or key == header else old[key]
        for key, digest in digests.items()
    }
    replaced = sorted(read | removed | {header})
    return Rebuilt(mapped, lines, replaced, records, read=len(read), reused=len(items) - len(read))
