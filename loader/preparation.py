"""Record file -> Prepared: read, mapped, validated and serialised, in worker processes for big loads.

`prepare` checks one record file (record model, mapping, SHACL with the compiled shapes) and raises;
`prepare_file` wraps it for a worker process and returns plain data (`Prepared`): the graph's N-Triples,
its provenance, its content hash and the digests of its projects and records, or the problems that refuse
it. Given the published graph of the file (`Previous`), it reads only the records that changed
(loader/record_delta.py). `prepare_all` runs it over many files in order, in processes when the files
are big enough to pay for them.
"""

from __future__ import annotations

import hashlib
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pyoxigraph import Literal, NamedNode, RdfFormat, Triple, serialize

from loader.compiled_shapes import validate
from loader.errors import RecordError, RecordsRefused, ValidationFailed
from loader.mapping import TYPE, MappedSource, to_triples
from loader.namespaces import DCTERMS, PROV, XSD, Namespaces
from loader.owners import Key, Owners, owned_digests, project_digests
from loader.record_delta import Previous, Rebuilt, Record, content_hash, rebuild, record_digests
from loader.records import parse_records, read_json
from loader.settings import ROOT, Settings

MAPPING_CODE = ("records.py", "mapping.py", "namespaces.py", "preparation.py", "record_delta.py", "owners.py")
POOL_BYTES = 2 * 1024 * 1024  # record files to prepare before worker processes pay for their start


def prepare(path: Path, settings: Settings, data: object = None) -> MappedSource:
    """Read, map and validate one record file (parsed as `data` if given). Raises RecordsRefused or
    ValidationFailed; writes nothing."""
    ns = Namespaces(settings.base_iri)
    records = parse_records(read_json(path) if data is None else data, path)
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
    ntriples: bytes = b""  # the graph's triples (or, with `replaced`, those of the records read), N-Triples
    metadata: bytes = b""  # its provenance (content hash, source hash, ...), N-Triples
    content_hash: str = ""
    digests: dict[str, str] = field(default_factory=dict)  # project IRI -> digest (releases)
    records: dict[Key, Record] = field(default_factory=dict)  # what each record was mapped from
    replaced: list[str] | None = None  # the records (IRIs) whose triples `ntriples` replace; None: all
    triples: int = 0
    read: int = 0  # records read, mapped and validated
    reused: int = 0  # records whose published triples were kept unread (record_delta)
    problems: list[str] = field(default_factory=list)


def _finish(prepared: Prepared, mapped: MappedSource, lines: list[bytes], ns: Namespaces) -> Prepared:
    """Fill in the N-Triples (`lines`, sorted and distinct) and the graph's provenance."""
    prepared.ntriples = b"".join(line + b"\n" for line in lines)
    metadata = graph_metadata(mapped, prepared.content_hash, ns)
    metadata.append(Triple(mapped.graph, ns.term("sourceHash"), Literal(prepared.source_hash)))
    prepared.metadata = serialize(metadata, format=RdfFormat.N_TRIPLES) or b""
    return prepared


def prepare_file(
    path: Path,
    source_hash: str,
    settings: Settings,
    with_data: bool = True,
    previous: Previous | None = None,
    version: bytes = b"",
) -> Prepared:
    """Read, map and validate one record file; never raises for bad input (see Prepared.problems).
    With `previous` (what its published graph was mapped from), only the records that changed are read
    where that is enough (loader/record_delta.py)."""
    ns = Namespaces(settings.base_iri)
    version = version or loader_version(settings)
    try:
        data = read_json(path)
        rebuilt = None
        if previous is not None:
            shapes, ontology = settings.shapes_path, settings.ontology_path
            rebuilt = rebuild(path, data, previous, ns, version, shapes, ontology)
        mapped = rebuilt.mapped if rebuilt is not None else prepare(path, settings, data)
    except (RecordsRefused, ValidationFailed) as error:
        return Prepared(path, source_hash, problems=_problems(error))
    if rebuilt is not None:
        return _rebuilt(path, source_hash, rebuilt, ns)
    prepared = Prepared(path, source_hash, mapped.source_id, mapped.graph.value)
    if not with_data:
        prepared.triples = len(mapped.triples)
        return prepared
    owners = Owners(ns)
    lines = sorted(set((serialize(mapped.triples, format=RdfFormat.N_TRIPLES) or b"").splitlines()))
    owned = owned_digests(lines, owners)
    digests = record_digests(data, version) or {}
    if ("", "") not in owned:  # every triple belongs to a record: a reload may read record by record
        prepared.records = {key: Record(digest, *owned[key]) for key, digest in digests.items()}
    prepared.content_hash = content_hash(output for output, _count in owned.values())
    prepared.digests = project_digests(owned, owners)
    prepared.triples, prepared.read = len(lines), len(digests) - 1  # the header is not a record to count
    return _finish(prepared, mapped, lines, ns)


def _rebuilt(path: Path, source_hash: str, rebuilt: Rebuilt, ns: Namespaces) -> Prepared:
    owners = Owners(ns)
    records = rebuilt.records
    prepared = Prepared(
        path,
        source_hash,
        rebuilt.mapped.source_id,
        rebuilt.mapped.graph.value,
        content_hash=content_hash(record.output for record in records.values()),
        digests={
            owners.iri(key): records[key].output
            for key in rebuilt.replaced
            if key[0] == "projects" and key in records
        },
        records=records,
        replaced=[owners.iri(key) for key in rebuilt.replaced],
        triples=sum(record.triples for record in records.values()),
        read=rebuilt.read,
        reused=rebuilt.reused,
    )
    return _finish(prepared, rebuilt.mapped, rebuilt.lines, ns)


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


@dataclass(frozen=True)
class Task:
    """A record file to prepare and the hash it will be published with. (What its published graph was
    mapped from, if anything, is looked up when the task starts: `prepare_all`'s `previous`.)"""

    path: Path
    source_hash: str


Lookup = Callable[[Task], Previous | None]


def prepare_all(
    work: list[Task], settings: Settings, with_data: bool, jobs: int, previous: Lookup | None = None
) -> Iterator[Prepared]:
    """prepare_file over `work`, in order; with jobs > 1 and more than POOL_BYTES of files, in that many
    processes, at most 2 x jobs files ahead of the caller, so memory holds a few files whatever their
    number. (Starting the processes costs about a second: small loads stay in this process.)
    `previous(task)` is called just before the task starts, in this process."""
    version = loader_version(settings)

    def arguments(task: Task) -> tuple[Path, str, Settings, bool, Previous | None, bytes]:
        before = previous(task) if previous is not None else None
        return task.path, task.source_hash, settings, with_data, before, version

    if jobs <= 1 or len(work) < 2 or sum(task.path.stat().st_size for task in work) < POOL_BYTES:
        for task in work:
            yield prepare_file(*arguments(task))
        return
    context = multiprocessing.get_context("spawn")  # the parent holds RocksDB threads; never fork them
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        pending: deque[Future[Prepared]] = deque()
        queue = iter(work)
        for task in queue:
            pending.append(pool.submit(prepare_file, *arguments(task)))
            if len(pending) >= 2 * jobs:
                break
        while pending:
            done = pending.popleft().result()
            for task in queue:
                pending.append(pool.submit(prepare_file, *arguments(task)))
                break
            yield done
