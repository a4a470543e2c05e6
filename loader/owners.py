"""Which record owns a triple of a record graph: the one that owns its subject.

A project owns `id/project/{id}` and the nodes below it (funding, participations, indicators, ...), an
organisation `id/organisation/{id}` and its address, a place `id/place/{id}`, the source header
`id/source/{id}` and its stated dates (loader/namespaces.py). Per record, the digest of its triples is
what a reload compares (loader/record_delta.py) and, for a project, what the changes feed compares
(loader/releases.py).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from typing import Any

from loader.namespaces import Namespaces

Key = tuple[str, str]  # (list, id): ("projects", "CZ.1.04/..."), or ("source", id) for the header
SEGMENTS = {"projects": "project", "organisations": "organisation", "places": "place", "source": "source"}
KINDS = {segment.encode(): kind for kind, segment in SEGMENTS.items()}


class Owners:
    """Which record owns the subject of an N-Triples line, and the IRI a record is published under."""

    def __init__(self, ns: Namespaces) -> None:
        self.ns = ns
        base = re.escape(f"{ns.base}id/".encode())
        self.subject = re.compile(b"<" + base + b"(project|organisation|place|source)/([^/>]+)[/>]")

    def of(self, line: bytes) -> Key:
        found = self.subject.match(line)
        if found is None:
            return ("", "")  # no record owns it (not in graphs the loader maps)
        return (KINDS[found.group(1)], found.group(2).decode("utf-8"))

    def iri(self, key: Key) -> str:
        return f"{self.ns.base}id/{SEGMENTS[key[0]]}/{key[1]}"


def owned_digests(lines: Iterable[bytes], owners: Owners) -> dict[Key, tuple[str, int]]:
    """Per record, the digest of its triples (`lines`: sorted, distinct N-Triples) and their number."""
    digests: dict[Key, Any] = {}
    counts: dict[Key, int] = {}
    for line in lines:
        key = owners.of(line)
        digest = digests.get(key)
        if digest is None:
            digest = digests[key] = hashlib.sha256()
            counts[key] = 0
        digest.update(line)
        counts[key] += 1
    return {key: (digest.hexdigest(), counts[key]) for key, digest in digests.items()}


def project_digests(owned: dict[Key, tuple[str, int]], owners: Owners) -> dict[str, str]:
    """Project IRI -> the digest of its triples, from `owned_digests`."""
    return {owners.iri(key): digest for key, (digest, _count) in owned.items() if key[0] == "projects"}
