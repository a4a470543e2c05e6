"""load(): each source its own named graph, replaced atomically, idempotent, refusals lose nothing."""

from __future__ import annotations

import json
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad

from loader.namespaces import DCTERMS, Namespaces
from loader.pipeline import run
from loader.settings import Settings
from loader.store import LodStore
from tests.conftest import DATA
from tests.test_records import seed, write

SEED_001 = DATA / "seed-001-vzdelani-pracovniku.json"
TITLE = NamedNode(DCTERMS + "title")


def snapshot(store: LodStore) -> set[Quad]:
    return set(store.quads())


def test_each_source_is_published_in_its_own_named_graph(store: LodStore, settings: Settings) -> None:
    report = run([DATA], settings, store)
    assert report.ok
    ns = Namespaces(settings.base_iri)
    graphs = store.named_graphs()
    for source in ("seed-000", "seed-001", "seed-002", "seed-003", "seed-004"):
        assert ns.source_graph(source).value in graphs
    for vocabulary in ("ontology", "schemes", "reference"):
        assert ns.graph(vocabulary).value in graphs
    project = ns.project("vzdelani-pracovniku-socialni-sluzby")
    graphs_of_project = {quad.graph_name for quad in store.quads() if quad.subject == project}
    assert graphs_of_project == {ns.source_graph("seed-001")}


def test_reload_is_idempotent(store: LodStore, settings: Settings) -> None:
    run([DATA], settings, store)
    before = snapshot(store)
    version = store.data_version(Namespaces(settings.base_iri).term("contentHash"))
    report = run([DATA], settings, store)
    assert {outcome.status for outcome in report.outcomes} == {"unchanged"}
    assert snapshot(store) == before
    assert store.data_version(Namespaces(settings.base_iri).term("contentHash")) == version


def test_failed_load_keeps_published_data(store: LodStore, settings: Settings, tmp_path: Path) -> None:
    run([DATA], settings, store)
    before = snapshot(store)
    broken = seed()
    broken["projects"][0]["title"] = {"cs": "Nový název"}
    broken["projects"][0]["end"] = "2011-13"
    path = write(tmp_path, broken)
    report = run([path], settings, store)
    assert not report.ok
    assert report.refused[0].problems == [
        f"{path}: record vzdelani-pracovniku-socialni-sluzby: field 'end': '2011-13' has month 13; expected "
        "01 to 12"
    ]
    assert snapshot(store) == before


def test_changed_source_replaces_only_its_graph(store: LodStore, settings: Settings, tmp_path: Path) -> None:
    run([DATA], settings, store)
    ns = Namespaces(settings.base_iri)
    touched = (ns.source_graph("seed-001"), ns.graph("releases"))
    others = {quad for quad in store.quads() if quad.graph_name not in touched}
    changed = seed()
    changed["projects"][0]["title"] = {"cs": "Nový název", "en": "New title"}
    report = run([write(tmp_path, changed)], settings, store)
    assert [outcome.status for outcome in report.outcomes if outcome.graph.endswith("seed-001")] == ["loaded"]
    project = ns.project("vzdelani-pracovniku-socialni-sluzby")
    titles = {quad.object for quad in store.quads() if quad.subject == project and quad.predicate == TITLE}
    assert titles == {Literal("Nový název", language="cs"), Literal("New title", language="en")}
    assert {quad for quad in store.quads() if quad.graph_name not in touched} == others


def test_two_files_with_one_source_id_refuse_the_second(
    store: LodStore, settings: Settings, tmp_path: Path
) -> None:
    copy = write(tmp_path, seed(), "copy.json")
    report = run([SEED_001, copy], settings, store)
    assert [outcome.status for outcome in report.outcomes if outcome.path in (SEED_001, copy)] == [
        "loaded",
        "refused",
    ]
    assert report.refused[0].problems == [
        f"{copy}: record (source): field 'source.id': 'seed-001' is already the id of {SEED_001}"
    ]


def test_iris_follow_the_configured_base(tmp_path: Path) -> None:
    settings = Settings(store_path=tmp_path / "store", base_iri="https://data.example.org/lod/")
    store = LodStore(settings.store_path)
    assert run([DATA], settings, store).ok
    subjects = {quad.subject.value for quad in store.quads() if isinstance(quad.subject, NamedNode)}
    assert "https://data.example.org/lod/id/project/08.4.1-ESFA-V-405-01-0001" in subjects
    assert not any(subject.startswith("http://127.0.0.1:8000/") for subject in subjects)


def test_iris_do_not_depend_on_file_order(tmp_path: Path) -> None:
    forwards = Settings(store_path=tmp_path / "a")
    backwards = Settings(store_path=tmp_path / "b")
    files = sorted(DATA.glob("*.json"))
    first, second = LodStore(forwards.store_path), LodStore(backwards.store_path)
    run(files, forwards, first)
    run(list(reversed(files)), backwards, second)

    def content(store: LodStore) -> set[tuple[str, str, str, str]]:
        # Load times differ between the two runs; everything else must be equal.
        return {
            (str(q.subject), str(q.predicate), str(q.object), str(q.graph_name))
            for q in store.quads()
            if q.predicate.value not in (DCTERMS + "modified", DCTERMS + "issued")
        }

    assert content(first) == content(second)


def test_validate_writes_nothing(settings: Settings) -> None:
    report = run([DATA], settings, None)
    assert [outcome.status for outcome in report.outcomes] == ["valid"] * 5
    assert not settings.store_path.exists()


def test_dates_keep_their_precision(store: LodStore, settings: Settings) -> None:
    run([DATA], settings, store)
    ns = Namespaces(settings.base_iri)
    rows = store.query(
        "SELECT ?project ?start ?end WHERE { ?project lodcat:startDate ?start . "
        "OPTIONAL { ?project lodcat:endDate ?end } }",
        prefixes={"lodcat": ns.vocab},
    )
    found = {
        row["project"].value.rsplit("/", 1)[1]: (row["start"].datatype.value.rsplit("#")[1], row["end"].value)
        for row in rows  # type: ignore[union-attr]
    }
    assert found["komunitni-planovani-zlinsky-kraj"] == ("gYearMonth", "2007-12-31")
    assert found["08.4.1-ESFA-V-405-01-0001"] == ("gYear", "2017")
    assert found["odborna-partnerstvi-stredocesky-kraj"] == ("date", "2011-06")


def test_record_data_files_are_utf8_json() -> None:
    for path in DATA.glob("*.json"):
        assert json.loads(path.read_text(encoding="utf-8"))["source"]["file"].endswith(".txt")


def test_each_target_group_keeps_its_own_words(store: LodStore, settings: Settings) -> None:
    """With several target groups, each text stays with the concept it names (lodcat:TargetGroupMention),
    and the project keeps the concepts directly for queries."""
    run([DATA], settings, store)
    ns = Namespaces(settings.base_iri)
    project = ns.project("odborna-partnerstvi-stredocesky-kraj")
    rows = store.query(
        f"SELECT ?concept ?text WHERE {{ {project} lodcat:targetGroupMention ?mention ; "
        "lodcat:targetGroup ?concept . ?mention a lodcat:TargetGroupMention ; lodcat:targetGroup ?concept ; "
        "lodcat:sourceText ?text }",
        prefixes={"lodcat": ns.vocab},
    )
    found = {
        row["concept"].value.rsplit("/", 1)[1]: (row["text"].value, row["text"].language)
        for row in rows  # type: ignore[union-attr]
    }
    assert len(found) == 4
    assert found["homeless-people"] == ("lidi bez domova", "cs")
    assert found["families-at-risk"] == ("ohrožení rodiče s dětmi", "cs")


def test_two_dates_a_source_states_on_one_day_are_two_statements(
    store: LodStore, settings: Settings, tmp_path: Path
) -> None:
    """The stated date's IRI is minted from its date and meaning, both from the record."""
    record = seed()
    record["source"]["stated_dates"] = [
        {"date": "2012-10-20", "text": "vydáno: 20.10.2012", "meaning": "issued"},
        {"date": "2012-10-20", "text": "aktualizováno: 20.10.2012", "meaning": "modified"},
    ]
    report = run([write(tmp_path, record)], settings, store)
    assert report.ok, report.summary()
    ns = Namespaces(settings.base_iri)
    rows = store.query(
        "SELECT ?stated ?text WHERE { ?source lodcat:statedDate ?stated . ?stated lodcat:sourceText ?text }",
        prefixes={"lodcat": ns.vocab},
    )
    found = {row["stated"].value: row["text"].value for row in rows}  # type: ignore[union-attr]
    prefix = f"{ns.base}id/source/{record['source']['id']}/stated-date/"
    assert found == {
        prefix + "2012-10-20-issued": "vydáno: 20.10.2012",
        prefix + "2012-10-20-modified": "aktualizováno: 20.10.2012",
    }
