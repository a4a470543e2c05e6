"""Record file -> Prepared: read, mapped, validated and serialised, in worker processes for big loads.

`prepare` checks one record file (record model, mapping, SHACL with the compiled shapes) and raises;
`prepare_file` wraps it for a worker process and returns plain data (`Prepared`): the graph's N-Triples,
its provenance, its content hash and the digests of its projects, or the problems that refuse it.
`prepare_all` runs it over many files in order, in processes when the files are big enough to pay for them.
"""

from __future__ import annotations

import hashlib
import multiprocessing
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pyoxigraph import Literal, NamedNode, RdfFormat, Triple, serialize

from loader.compiled_shapes import validate
from loader.errors import RecordError, RecordsRefused, ValidationFailed
from loader.mapping import TYPE, MappedSource, to_triples
from loader.namespaces import DCTERMS, PROV, XSD, Namespaces
from loader.records import read_records
from loader.releases import line_digests
from loader.settings import ROOT, Settings

MAPPING_CODE = ("records.py", "mapping.py", "namespaces.py", "preparation.py")
POOL_BYTES = 2 * 1024 * 1024  # record files to prepare before worker processes pay for their start
BULK_BYTES = 64 * 1024 * 1024  # N-Triples of new graphs gathered for one bulk load


def prepare(path: Path, settings: Settings) -> MappedSource:
    """Read, map and validate one record file. Raises RecordsRefused or ValidationFailed; writes nothing."""
    ns = Namespaces(settings.base_iri)
    records = read_records(path)
    try:
        mapped = to_triples(records, path, ns)
    except ValueError as error:  # an identifier that cannot be part of an IRI
        raise RecordsRefused([RecordError(path, "(file)", "id", str(error))]) from None
    violations = validate(mapped, settings.shapes_path, settings.ontology_path, ns)
    if violations:
        raise ValidationFailed(violations)
    return mapped


def graph_metadata(mapped: MappedSource, content_hash: str, ns: Namespaces) -> list[Triple]:
    """Provenance of the named graph itself; its content hash makes reloads of unchanged data no-ops."""
    now = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    derived = []
    if mapped.path.suffix == ".json":  # a record file; vocabulary graphs come from ontology/ itself
        derived = [Triple(mapped.graph, NamedNode(PROV + "wasDerivedFrom"), ns.source(mapped.source_id))]
    return [
        Triple(mapped.graph, TYPE, NamedNode(PROV + "Entity")),
        *derived,
        Triple(mapped.graph, ns.term("contentHash"), Literal(content_hash)),
        Triple(
            mapped.graph, NamedNode(DCTERMS + "modified"), Literal(now, datatype=NamedNode(XSD + "dateTime"))
        ),
    ]


def _problems(error: RecordsRefused | ValidationFailed) -> list[str]:
    return str(error).splitlines()


@dataclass
class Prepared:
    """One record file read, mapped and validated (in a worker process): what the writer needs, as plain
    data. `problems` non-empty means refused."""

    path: Path
    source_hash: str
    source_id: str = ""
    graph: str = ""
    ntriples: bytes = b""  # the graph's triples, N-Triples
    metadata: bytes = b""  # its provenance (content hash, source hash, ...), N-Triples
    content_hash: str = ""
    digests: dict[str, str] = field(default_factory=dict)  # project IRI -> digest (releases)
    triples: int = 0
    projects: int = 0
    problems: list[str] = field(default_factory=list)


def prepare_file(path: Path, source_hash: str, settings: Settings, with_data: bool = True) -> Prepared:
    """Read, map and validate one record file; never raises for bad input (see Prepared.problems)."""
    ns = Namespaces(settings.base_iri)
    try:
        mapped = prepare(path, settings)
    except (RecordsRefused, ValidationFailed) as error:
        return Prepared(path, source_hash, problems=_problems(error))
    prepared = Prepared(
        path,
        source_hash,
        mapped.source_id,
        mapped.graph.value,
        triples=len(mapped.triples),
        projects=sum(1 for record in set(mapped.records.values()) if record != "(source)"),
    )
    if with_data:  # one serialisation gives the content hash, the project digests and the graph
        data = serialize(mapped.triples, format=RdfFormat.N_TRIPLES) or b""
        lines = sorted(data.splitlines())
        prepared.content_hash = hashlib.sha256(b"\n".join(lines)).hexdigest()  # = mapped.content_hash()
        prepared.digests = line_digests(lines, ns)
        metadata = graph_metadata(mapped, prepared.content_hash, ns)
        metadata.append(Triple(mapped.graph, ns.term("sourceHash"), Literal(source_hash)))
        prepared.ntriples = data
        prepared.metadata = serialize(metadata, format=RdfFormat.N_TRIPLES) or b""
    return prepared


def loader_version(settings: Settings) -> bytes:
    """What a record file's graph depends on besides the file: the mapping code, the shapes, the base."""
    digest = hashlib.sha256(settings.base_iri.encode("utf-8"))
    for path in (*(ROOT / "loader" / name for name in MAPPING_CODE), settings.shapes_path):
        digest.update(path.read_bytes())
    return digest.digest()


def source_hash(path: Path, version: bytes) -> str:
    """The hash recorded as lodcat:sourceHash: the file's bytes and the loader version."""
    digest = hashlib.sha256(version)
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def prepare_all(
    work: list[tuple[Path, str]], settings: Settings, with_data: bool, jobs: int
) -> Iterator[Prepared]:
    """prepare_file over `work`, in order; with jobs > 1 and more than POOL_BYTES of files, in that many
    processes, at most 2 x jobs files ahead of the caller, so memory holds a few files whatever their
    number. (Starting the processes costs about a second: small loads stay in this process.)"""
    if jobs <= 1 or len(work) < 2 or sum(path.stat().st_size for path, _ in work) < POOL_BYTES:
        for path, digest in work:
            yield prepare_file(path, digest, settings, with_data)
        return
    context = multiprocessing.get_context("spawn")  # the parent holds RocksDB threads; never fork them
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        pending: deque[Future[Prepared]] = deque()
        queue = iter(work)
        for path, digest in queue:
            pending.append(pool.submit(prepare_file, path, digest, settings, with_data))
            if len(pending) >= 2 * jobs:
                break
        while pending:
            done = pending.popleft().result()
            for path, digest in queue:
                pending.append(pool.submit(prepare_file, path, digest, settings, with_data))
                break
            yield done
