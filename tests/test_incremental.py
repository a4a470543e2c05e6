"""Imports at scale: rows streamed into stable parts, unchanged parts skipped unread, changed ones
replaced, gone projects kept or (with --sync) retracted, progress shown; a real store throughout."""

from __future__ import annotations

import io
import json
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pyoxigraph import Literal, NamedNode, Triple

from bench.operations import write_list
from loader import pipeline, preparation, row_pool
from loader.importer import Imported, import_into, read_mapping
from loader.namespaces import DCTERMS, Namespaces
from loader.parts import BUCKETS, bucket, part_count
from loader.pipeline import LoadReport, run
from loader.progress import Progress
from loader.settings import Settings
from loader.store import LodStore
from loader.tables import TableError, open_table
from loader.transforms import normalise_code

from .conftest import ROOT
from .test_cli import lodcat

MAPPING = ROOT / "bench" / "mappings" / "synthetic-operations.toml"
ROWS, CHUNK = 12, 4  # four parts of about three projects


def imported(csv: Path, out: Path, *, sync: bool = False) -> Imported:
    result = import_into(read_mapping(MAPPING), csv, out, chunk=CHUNK, sync=sync)
    assert not result.refused, result.refusals
    return result


def projects_in(store: LodStore) -> set[str]:
    rows = store.query("SELECT DISTINCT ?p WHERE { ?p a <http://127.0.0.1:8000/ontology#Project> }")
    return {row["p"].value for row in rows}  # type: ignore[union-attr]


def released(store: LodStore, report: LoadReport, kind: str) -> list[str]:
    """The projects release `report.release` lists as `kind` (added, changed, removed)."""
    release = f"http://127.0.0.1:8000/id/release/{report.release}"
    rows = store.query(f"SELECT ?p WHERE {{ <{release}> <http://127.0.0.1:8000/ontology#{kind}> ?p }}")
    return sorted(row["p"].value for row in rows)  # type: ignore[union-attr]


def statuses(report: LoadReport) -> dict[str, str]:
    return {
        outcome.path.name: outcome.status for outcome in report.outcomes if outcome.path.suffix == ".json"
    }


def load(
    paths: list[Path], settings: Settings, store: LodStore, imports: Imported | None = None
) -> LoadReport:
    """Load as `lodcat import --load` does: the source's parts, retracting the parts it no longer has."""
    retract = pipeline.parts_of(Namespaces(settings.base_iri), "synthetic-operations")
    report = run(paths, settings, store, retract=retract)
    assert report.ok, [outcome.problems for outcome in report.refused]
    return report


@pytest.fixture
def first(tmp_path: Path, settings: Settings, store: LodStore) -> tuple[Path, Imported, LoadReport]:
    csv = tmp_path / "operations.csv"
    write_list(ROWS, csv)
    result = imported(csv, tmp_path / "out")
    return csv, result, load(result.records, settings, store)


def test_parts_depend_on_the_project_id_alone() -> None:
    assert [part_count(n, 500) for n in (1, 500, 501, 1000, 1001, 100_000, 10**7)] == [
        1,
        1,
        2,
        2,
        4,
        256,
        BUCKETS,
    ]
    assert bucket("SYN-OP-1") == bucket("SYN-OP-1") != bucket("SYN-OP-2")


def test_an_import_streams_its_rows_into_parts(
    first: tuple[Path, Imported, LoadReport], store: LodStore
) -> None:
    _csv, result, report = first
    assert (result.rows, result.count, result.projects) == (ROWS, ROWS, [])  # nothing kept in memory
    assert [path.name for path in result.records] == [
        f"synthetic-operations.part-00{n}.json" for n in (1, 2, 3, 4)
    ]
    ids = [project["id"] for path in result.records for project in json.loads(path.read_text())["projects"]]
    assert len(ids) == len(set(ids)) == ROWS
    for path in result.records:  # each project in the part its id hashes to, sorted
        number = int(path.stem[-3:]) - 1
        in_part = [project["id"] for project in json.loads(path.read_text())["projects"]]
        assert in_part == sorted(in_part) and all(bucket(i) % 4 == number for i in in_part)
    assert set(statuses(report).values()) == {"loaded"} and len(projects_in(store)) == ROWS
    assert not list((result.records[0].parent).glob(".spool-*")), "the spool is removed"


def test_an_unchanged_import_is_skipped_unread(
    first: tuple[Path, Imported, LoadReport],
    settings: Settings,
    store: LodStore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    csv, _result, _report = first
    again = imported(csv, csv.parent / "out")
    assert again.records and not again.removed
    monkeypatch.setattr(preparation, "prepare", lambda *_: pytest.fail("an unchanged file was read"))
    report = load(again.records, settings, store)
    assert set(statuses(report).values()) == {"unchanged"} and report.release is None


def test_a_changed_row_replaces_only_its_part(
    first: tuple[Path, Imported, LoadReport], tmp_path: Path, settings: Settings, store: LodStore
) -> None:
    csv, result, _report = first
    before = {path.name: path.read_bytes() for path in result.records}
    lines = csv.read_text(encoding="utf-8-sig").splitlines()
    cells = lines[5].split(";")
    cells[1] = "Nový název projektu"
    lines[5] = ";".join(cells)
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    changed = imported(csv, tmp_path / "out")
    rewritten = [path.name for path in changed.records if path.read_bytes() != before[path.name]]
    assert len(rewritten) == 1
    report = load(changed.records, settings, store)
    assert statuses(report) == {name: "loaded" if name in rewritten else "unchanged" for name in before}
    project = "http://127.0.0.1:8000/id/project/SYN-OP-" + normalise_code(cells[0])
    assert released(store, report, "changed") == [project]
    assert released(store, report, "added") == released(store, report, "removed") == []
    title = store.query(f"SELECT ?t WHERE {{ <{project}> <http://purl.org/dc/terms/title> ?t }}")
    assert [row["t"].value for row in title] == ["Nový název projektu"]  # type: ignore[union-attr]


def test_gone_projects_are_kept_unless_sync(
    first: tuple[Path, Imported, LoadReport], tmp_path: Path, settings: Settings, store: LodStore
) -> None:
    csv, _result, _report = first
    lines = csv.read_text(encoding="utf-8-sig").splitlines()
    gone = lines[3].split(";")[0]
    csv.write_text("\n".join(lines[:3] + lines[4:]) + "\n", encoding="utf-8-sig")
    kept = imported(csv, tmp_path / "out")
    assert len(kept.carried) == 1 and kept.count == ROWS
    load(kept.records, settings, store)
    assert len(projects_in(store)) == ROWS
    synced = imported(csv, tmp_path / "out", sync=True)
    assert synced.carried == [] and synced.count == ROWS - 1
    report = load(synced.records, settings, store)
    assert len(projects_in(store)) == ROWS - 1
    assert list(statuses(report).values()).count("loaded") == 1
    assert released(store, report, "removed") == [
        "http://127.0.0.1:8000/id/project/SYN-OP-" + normalise_code(gone)
    ]


def test_a_new_layout_retracts_the_old_parts(
    first: tuple[Path, Imported, LoadReport], tmp_path: Path, settings: Settings, store: LodStore
) -> None:
    csv, _result, _report = first
    write_list(2 * ROWS, csv)  # the same first rows and as many more: eight parts
    grown = imported(csv, tmp_path / "out")
    assert len(grown.records) == 8 and not grown.removed  # parts 1-4 are rewritten in place
    load(grown.records, settings, store)
    write_list(ROWS // 2, csv)
    shrunk = imported(csv, tmp_path / "out", sync=True)
    assert len(shrunk.records) == 2 and len(shrunk.removed) == 6
    report = load(shrunk.records, settings, store)
    assert [outcome.status for outcome in report.outcomes].count("retracted") == 6
    assert len(projects_in(store)) == ROWS // 2
    graphs = [g for g in store.named_graphs() if "synthetic-operations" in g]
    assert len(graphs) == 2


def test_load_sync_retracts_sources_whose_file_is_gone(
    tmp_path: Path, settings: Settings, store: LodStore
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for name in ("seed-000-tabor-wels.json", "seed-001-vzdelani-pracovniku.json"):
        (data / name).write_bytes((ROOT / "data" / name).read_bytes())
    prefix = Namespaces(settings.base_iri).graph("source/").value
    every = pipeline.every_source(Namespaces(settings.base_iri))
    assert run([data], settings, store, retract=every).ok
    (data / "seed-001-vzdelani-pracovniku.json").unlink()
    (data / "broken.json").write_text("{}", encoding="utf-8")
    refused = run([data], settings, store, retract=every)
    assert refused.notes == ["retracted nothing: the published graph of a refused file must stay"]
    assert len([g for g in store.named_graphs() if g.startswith(prefix)]) == 2
    (data / "broken.json").unlink()
    report = run([data], settings, store, retract=every)
    assert [(o.path.name, o.status) for o in report.outcomes if o.status == "retracted"] == [
        ("seed-001", "retracted")
    ]
    assert [g for g in store.named_graphs() if g.startswith(prefix)] == [prefix + "seed-000"]


def test_files_are_prepared_in_worker_processes(
    first: tuple[Path, Imported, LoadReport], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _csv, result, _report = first
    monkeypatch.setattr(preparation, "POOL_BYTES", 0)
    settings = Settings(store_path=tmp_path / "pooled", base_iri="http://127.0.0.1:8000/", load_jobs=2)
    store = LodStore(settings.store_path)
    report = run(result.records, settings, store)
    assert set(statuses(report).values()) == {"loaded"} and len(projects_in(store)) == ROWS


def test_import_command_shows_progress_and_retracts(tmp_path: Path) -> None:
    csv = tmp_path / "operations.csv"
    write_list(ROWS, csv)
    store, out = tmp_path / "store", tmp_path / "out"
    options = ("--out", str(out), "--chunk", str(CHUNK), "--load", "--progress", "--defer-index")
    first = lodcat("import", "--mapping", str(MAPPING), str(csv), *options, store=store)
    assert first.returncode == 0, first.stderr
    assert f"import: {ROWS} rows in " in first.stderr and "load: 4 files in " in first.stderr
    write_list(ROWS // 4, csv)
    second = lodcat("import", "--mapping", str(MAPPING), str(csv), *options, "--sync", store=store)
    assert second.returncode == 0, second.stderr
    # three projects fit one file, `synthetic-operations.json`: the four parts and their graphs go
    assert second.stdout.count("removed   ") == 4 and second.stdout.count("retracted ") == 4
    assert "8 sources: 1 loaded, 3 unchanged, 4 retracted" in second.stdout


def test_progress_line_has_rate_and_time_left() -> None:
    now = [0.0]
    stream = io.StringIO()
    meter = Progress("load", "files", 200, stream=stream, clock=lambda: now[0], log_interval=5)
    for _ in range(50):
        now[0] += 0.2
        meter.advance()
    assert stream.getvalue().splitlines()[0] == "load: 25/200 files (12%) · 5.0 files/s · 0:35 left"
    assert meter.finish() == "load: 50 files in 0:10 (5.0 files/s)"


def test_an_encoding_error_anywhere_refuses_the_file_before_any_row(tmp_path: Path) -> None:
    path = tmp_path / "late.csv"
    path.write_bytes(b"a;b\n" + b"x;y\n" * 300_000 + b"\x9a;z\n")
    with pytest.raises(TableError) as error:
        open_table(path, format="csv", encoding="utf-8")
    assert str(error.value) == f"{path}: is not utf-8: byte {4 + 4 * 300_000} (0x9a) cannot be read"


def test_a_graph_an_interrupted_load_left_unfinished_is_dropped(settings: Settings, store: LodStore) -> None:
    """New graphs are bulk-loaded first and get their content hash after: one without it is unfinished."""
    ns = Namespaces(settings.base_iri)
    unfinished = ns.source_graph("half-loaded")
    store.add_triples(unfinished, [Triple(ns.project("p"), NamedNode(DCTERMS + "title"), Literal("x"))])
    report = run([ROOT / "data"], settings, store)
    assert report.notes == [f"dropped <{unfinished.value}>: an interrupted load left it unfinished"]
    assert not store.contains_graph(unfinished)
    assert len([outcome for outcome in report.outcomes if outcome.status == "loaded"]) == 8  # 3 vocabularies


def test_rows_mapped_in_worker_processes_give_the_same_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    csv = tmp_path / "operations.csv"
    write_list(3 * row_pool.BATCH + 7, csv)  # several batches and a short last one
    lines = csv.read_text(encoding="utf-8-sig").splitlines()
    cells = lines[700].split(";")
    cells[5] = "31. 2. 2020"  # a row problem in the second batch, reported with its line
    lines[700] = ";".join(cells)
    lines.append(lines[10])  # a repeated row: found across batches
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    alone = import_into(read_mapping(MAPPING), csv, tmp_path / "alone", chunk=500)
    monkeypatch.setattr(row_pool, "POOL_BYTES", 0)
    pooled = import_into(read_mapping(MAPPING), csv, tmp_path / "pooled", chunk=500, jobs=2)
    assert [str(problem) for problem in pooled.problems] == [str(problem) for problem in alone.problems]
    assert [problem.line for problem in pooled.problems] == [701, len(lines)]
    expected = (len(lines) - 1, 3 * row_pool.BATCH + 6)  # rows; projects: all but the bad and the repeated
    assert (pooled.rows, pooled.count) == (alone.rows, alone.count) == expected
    assert [path.read_bytes() for path in pooled.records] == [path.read_bytes() for path in alone.records]


def test_a_load_keeps_no_prepared_file_after_writing_it(
    first: tuple[Path, Imported, LoadReport], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Memory holds the files being prepared and one bulk load, never every file of the load."""
    _csv, result, _report = first
    alive: list[weakref.ref[preparation.Prepared]] = []
    most = [0]
    prepare_all = preparation.prepare_all

    def counted(*arguments: Any, **keywords: Any) -> Iterator[preparation.Prepared]:
        for prepared in prepare_all(*arguments, **keywords):
            most[0] = max(most[0], sum(1 for ref in alive if ref() is not None))
            alive.append(weakref.ref(prepared))
            yield prepared
        most[0] = max(most[0], sum(1 for ref in alive if ref() is not None))

    monkeypatch.setattr(pipeline, "prepare_all", counted)
    settings = Settings(store_path=tmp_path / "counted", base_iri="http://127.0.0.1:8000/")
    report = run(result.records, settings, LodStore(settings.store_path))
    assert set(statuses(report).values()) == {"loaded"} and len(alive) == 4
    assert most[0] <= 1
