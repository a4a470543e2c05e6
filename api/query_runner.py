"""One SPARQL query, run and serialized within limits: the work a query worker process does.

Kept free of FastAPI so it runs the same in a worker (`api/executor.py`) and in process (stores without
checkpoints, i.e. in memory).
"""

from __future__ import annotations

import traceback
from collections.abc import Iterable, Iterator

from pyoxigraph import QueryBoolean, QuerySolutions, Triple

from api import results
from api.errors import NotAcceptable
from api.executor import QueryJob, QueryOutcome
from api.negotiation import (
    FORMATS,
    GRAPH,
    SOLUTIONS,
    Format,
    by_suffix,
    negotiate,
    rdf_prefixes,
    used_prefixes,
)
from loader.namespaces import Namespaces
from loader.store import LodStore, QueryResult


def _suffix_format(suffix: str | None) -> Format | None:
    return by_suffix(suffix, FORMATS) if suffix is not None else None


def run_job(store: LodStore, job: QueryJob) -> QueryOutcome:
    """Evaluate `job.query` against `store` and serialize it as negotiated; never raises for bad input."""
    try:
        return _run(store, job)
    finally:
        # pyoxigraph results must be dropped on the thread that made them (see api/sparql.py).
        traceback.clear_frames(None)


def _run(store: LodStore, job: QueryJob) -> QueryOutcome:
    limits = results.Limits(rows=job.max_rows, bytes=job.max_bytes)
    try:
        result: QueryResult = store.query(
            job.query,
            base_iri=job.base_iri,
            union_default_graph=not job.declares_dataset,
            default_graphs=job.default_graphs,
            named_graphs=job.named_graphs,
        )
    except SyntaxError as error:
        return QueryOutcome("syntax", message=str(error))
    except OSError as error:
        return QueryOutcome("error", message=str(error))
    try:
        if isinstance(result, QueryBoolean):
            format_ = negotiate(job.accept, SOLUTIONS, _suffix_format(job.suffix))
            assert format_.results is not None
            body = result.serialize(format=format_.results) or b""
            return QueryOutcome("ok", format_.content_type, body, 1, False, kind="boolean")
        if isinstance(result, QuerySolutions):
            format_ = negotiate(job.accept, SOLUTIONS, _suffix_format(job.suffix))
            variables = [variable.value for variable in result.variables]
            written = results.solutions(variables, result, format_.media_type, limits)
            return QueryOutcome(
                "ok", format_.content_type, written.body, written.rows, written.truncated, kind="solutions"
            )
        format_ = negotiate(job.accept, GRAPH, _suffix_format(job.suffix))
        assert format_.rdf is not None
        graph = list(_take(result, job.max_rows + 1))
        prefixes = used_prefixes(graph, rdf_prefixes(Namespaces(job.base_iri or "http://localhost/")))
        written = results.triples(graph, format_.rdf, limits, prefixes)
        return QueryOutcome(
            "ok", format_.content_type, written.body, written.rows, written.truncated, kind="graph"
        )
    except NotAcceptable as error:
        return QueryOutcome("not-acceptable", message=error.detail)
    except OSError as error:
        return QueryOutcome("error", message=str(error))


def _take(triples: Iterable[Triple], count: int) -> Iterator[Triple]:
    for index, triple in enumerate(triples):
        if index >= count:
            return
        yield triple
