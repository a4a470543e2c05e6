"""Build records for tests: a valid record file from data/, changed on purpose, written to tmp_path.

Two levels, because the record model refuses much of what the shapes also forbid:
- record files (JSON dicts): `record_file()` copies a sample, the test edits the dict, `write_record()`
  puts it on disk for `read_records` / `prepare`;
- mapped triples: `mapped_source()` maps a file, then `replace()`, `add()`, `remove()` and `rename()`
  change the triples before `validate`, for what no record can express (an untagged title, a negative
  amount, a country IRI that is not an authority IRI).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from loader.mapping import MappedSource, to_triples
from loader.namespaces import XSD, Namespaces
from loader.records import read_records

DATA = Path(__file__).resolve().parents[1] / "data"

TABOR_WELS = "seed-000-tabor-wels.json"  # a funding amount without currency, with a note; a rate
VZDELANI = "seed-001-vzdelani-pracovniku.json"  # day-precision dates, CZK budget, indicators
ZLIN = "seed-002-komunitni-planovani-zlin.json"  # organisation with address, company number, data box
GLOBOS = "seed-003-institucines-globos-pertvarka.json"  # year-precision dates, two implementers
STREDOCESKY = "seed-004-odborna-partnerstvi-stredocesky.json"  # day start, month end, website

Term = NamedNode | BlankNode | Literal
Subject = NamedNode | BlankNode


def sample_files() -> list[Path]:
    """The sample record files in data/, sorted."""
    return sorted(DATA.glob("*.json"))


def record_file(name: str = VZDELANI) -> dict[str, Any]:
    """A fresh, mutable copy of a sample record file, as parsed JSON."""
    data: dict[str, Any] = json.loads((DATA / name).read_text(encoding="utf-8"))
    return data


def project(record: dict[str, Any], index: int = 0) -> dict[str, Any]:
    """The `index`th project of a record file dict (to edit in place)."""
    found: dict[str, Any] = record["projects"][index]
    return found


def organisation(record: dict[str, Any], identifier: str) -> dict[str, Any]:
    """The organisation with id `identifier` of a record file dict (to edit in place)."""
    for candidate in record["organisations"]:
        if candidate["id"] == identifier:
            found: dict[str, Any] = candidate
            return found
    raise KeyError(identifier)


def write_record(directory: Path, record: dict[str, Any], name: str = "record.json") -> Path:
    """Write a record file dict as UTF-8 JSON to `directory/name`; return its path."""
    path = directory / name
    path.write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def mapped_source(path: Path, base_iri: str) -> MappedSource:
    """Read and map a record file, without validating it."""
    return to_triples(read_records(path), path, Namespaces(base_iri))


def literal(value: str, datatype: str | None = None, language: str | None = None) -> Literal:
    """A literal; `datatype` is an xsd local name such as 'decimal' or 'gYearMonth'."""
    if language is not None:
        return Literal(value, language=language)
    if datatype is not None:
        return Literal(value, datatype=NamedNode(XSD + datatype))
    return Literal(value)


def remove(mapped: MappedSource, subject: Subject, predicate: NamedNode) -> None:
    """Remove every (subject, predicate, *) triple; fail if there was none, so a test cannot go stale."""
    before = len(mapped.triples)
    mapped.triples[:] = [
        triple
        for triple in mapped.triples
        if not (triple.subject == subject and triple.predicate == predicate)
    ]
    assert len(mapped.triples) < before, f"no {predicate} of {subject} to remove"


def add(mapped: MappedSource, subject: Subject, predicate: NamedNode, *values: Term) -> None:
    """Add (subject, predicate, value) for each value."""
    mapped.triples.extend(Triple(subject, predicate, value) for value in values)


def replace(mapped: MappedSource, subject: Subject, predicate: NamedNode, *values: Term) -> None:
    """Replace every (subject, predicate, *) triple with (subject, predicate, value) for each value."""
    remove(mapped, subject, predicate)
    add(mapped, subject, predicate, *values)


def rename(mapped: MappedSource, old: NamedNode, new: NamedNode) -> None:
    """Give a node another IRI in every triple, keeping the record (and part) it belongs to."""
    mapped.triples[:] = [
        Triple(
            new if triple.subject == old else triple.subject,
            triple.predicate,
            new if triple.object == old else triple.object,
        )
        for triple in mapped.triples
    ]
    if old.value in mapped.records:
        mapped.records[new.value] = mapped.records.pop(old.value)
    if (old.value, "") in mapped.fields:
        mapped.fields[(new.value, "")] = mapped.fields.pop((old.value, ""))


def _walk(record: dict[str, Any], location: str) -> tuple[Any, str | int]:
    """The container and key that a dotted location such as 'projects.0.funding.0.rate' names."""
    *parents, last = location.split(".")
    container: Any = record
    for part in parents:
        container = container[int(part)] if isinstance(container, list) else container[part]
    return container, int(last) if isinstance(container, list) else last


def set_value(record: dict[str, Any], location: str, value: Any) -> dict[str, Any]:
    """Set the value at a dotted location ('projects.0.end'); return the record for chaining."""
    container, key = _walk(record, location)
    container[key] = value
    return record


def delete_value(record: dict[str, Any], location: str) -> dict[str, Any]:
    """Delete the value at a dotted location ('projects.0.title'); return the record for chaining."""
    container, key = _walk(record, location)
    del container[key]
    return record
