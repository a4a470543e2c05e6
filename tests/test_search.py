"""The search index: folding and stemming, ranked faceted search on the sample data, totals per
currency, and an index that follows every load of the store (incrementally, or rebuilt)."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from loader.namespaces import Namespaces
from loader.pipeline import run
from loader.search_index import (
    FACETS,
    SearchError,
    SearchIndex,
    refresh,
    search,
    search_path,
    summaries,
    totals,
)
from loader.search_text import fold, indexed_text, match_expression, stem, words
from loader.settings import Settings
from loader.store import LodStore
from tests.conftest import Published
from tests.factories import (
    GLOBOS,
    STREDOCESKY,
    TABOR_WELS,
    VZDELANI,
    ZLIN,
    project,
    record_file,
    sample_files,
    write_record,
)

SEED_000 = "CZ.04.4.83-3.2.03.1-0448"
SEED_001 = "vzdelani-pracovniku-socialni-sluzby"
SEED_002 = "komunitni-planovani-zlinsky-kraj"
SEED_003 = "08.4.1-ESFA-V-405-01-0001"
SEED_004 = "odborna-partnerstvi-stredocesky-kraj"
CZECH = {SEED_000, SEED_001, SEED_002, SEED_004}


@pytest.fixture(scope="module")
def index(published: Published) -> SearchIndex:
    """The index `lodcat load` (pipeline.run) wrote beside the published store."""
    assert published.store.path is not None
    return SearchIndex(search_path(published.store.path))


def found(index: SearchIndex, q: str = "", **filters: list[str]) -> list[str]:
    return [hit.identifier for hit in search(index, q, filters).hits]


# -- text ---------------------------------------------------------------------------------------------


def test_fold_removes_case_and_diacritics() -> None:
    assert (
        fold("Sociálních SLUŽEB, Šeimoje ir bendruomenėje") == "socialnich sluzeb, seimoje ir bendruomeneje"
    )
    assert words("Institucinės globos pertvarka (2017)") == ["institucines", "globos", "pertvarka", "2017"]


@pytest.mark.parametrize(
    ("forms", "root"),
    [
        (["sluzby", "sluzeb", "sluzba", "sluzbach", "sluzbami"], "sluzb"),
        (["socialni", "socialnich", "socialniho", "socialnimi"], "socialn"),
        (["globos", "globa"], "glob"),
        (["domu", "dum"], "dom"),
    ],
)
def test_inflected_forms_share_a_stem(forms: list[str], root: str) -> None:
    assert {form: stem(form) for form in forms} == dict.fromkeys(forms, root)


def test_digits_are_not_stemmed() -> None:
    assert stem("2010") == "2010"
    assert stem("cz051") == "cz051"


def test_index_holds_stems_that_are_not_prefixes() -> None:
    assert indexed_text(["sociálních služeb"]) == "socialnich sluzeb sluzb"


def test_match_expression_quotes_every_word() -> None:
    assert match_expression("socialni sluzby") == '"socialn"* AND "sluzb"*'
    assert match_expression("služeb") == '("sluzeb"* OR "sluzb"*)'
    assert match_expression('a NEAR(x) "OR" op') == '"near"* AND "or" AND "op"'
    assert match_expression("  ,;  ") is None


# -- searching the sample data ----------------------------------------------------------------------------


def test_socialni_sluzby_finds_every_czech_project(index: SearchIndex) -> None:
    assert set(found(index, "socialni sluzby")) == CZECH


def test_globos_finds_the_lithuanian_project(index: SearchIndex) -> None:
    assert found(index, "globos") == [SEED_003]


@pytest.mark.parametrize("q", ["SOCIÁLNÍ SLUŽBY", "sociálních služeb", "Socialni Sluzba", "sluze"])
def test_case_diacritics_and_endings_do_not_matter(index: SearchIndex, q: str) -> None:
    assert set(found(index, q)) == CZECH


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("MPSV", [SEED_001]),  # an organisation's name (the accrediting ministry)
        ("Person Premier", [SEED_003]),  # a participant's name
        ("MEPOSS", [SEED_001]),  # an output's title
        ("Manuál pro metodiky", [SEED_001]),  # an output
        ("08.4.1-ESFA-V-405", [SEED_003]),  # a code
        ("Tábor Wels", [SEED_000]),
        ("nothing-like-this-anywhere", []),
    ],
)
def test_search_reaches_organisations_outputs_and_codes(
    index: SearchIndex, q: str, expected: list[str]
) -> None:
    assert found(index, q) == expected


def test_title_matches_rank_first(index: SearchIndex) -> None:
    # Every Czech project has "sociální" in its description; seed 001 has it and "vzdělání" in its title.
    assert found(index, "vzdělání sociálních")[0] == SEED_001


def test_facet_counts_follow_the_hits(index: SearchIndex) -> None:
    result = search(index, "socialni sluzby")
    counts = {name: {v.value: v.count for v in values} for name, values in result.facets.items()}
    assert counts["country"] == {"CZE": 4, "AUT": 1}
    assert counts["programme"] == {"op-lzz": 2, "op-rlz": 1, "cz-at-2000-2006": 1}
    assert counts["period"] == {"2007-2013": 2, "2004-2006": 1, "2000-2006": 1}
    assert counts["region"]["CZ051"] == 1
    assert set(result.facets) == set(FACETS)
    labels = {v.value: v.labels for v in result.facets["country"]}
    assert labels["CZE"]["cs"] == "Česko"
    assert labels["CZE"]["en"] == "Czechia"


def test_a_facet_narrows_and_keeps_its_other_values_counted(index: SearchIndex) -> None:
    result = search(index, "socialni sluzby", {"programme": ["op-lzz"]})
    assert {hit.identifier for hit in result.hits} == {SEED_001, SEED_004}
    assert result.total == 2
    programmes = {v.value: (v.count, v.selected) for v in result.facets["programme"]}
    # the other programmes count what choosing them too would add; other facets count the 2 hits
    assert programmes == {"op-lzz": (2, True), "op-rlz": (1, False), "cz-at-2000-2006": (1, False)}
    assert {v.value: v.count for v in result.facets["country"]} == {"CZE": 2}


def test_values_of_one_facet_are_alternatives(index: SearchIndex) -> None:
    assert set(found(index, programme=["op-lzz", "op-rlz"])) == {SEED_001, SEED_002, SEED_004}
    assert found(index, programme=["op-lzz"], region=["CZ051"]) == [SEED_001]
    assert found(index, status=["finished"], country=["LTU"]) == [SEED_003]


def test_sort_and_pages(index: SearchIndex) -> None:
    by_start = [hit.identifier for hit in search(index, sort="start", per_page=10).hits]
    # Dates sort as stated: '2006-09' (known to the month) before '2006-09-03', '2016' after '2009-06-01'.
    assert by_start == [SEED_002, SEED_000, SEED_001, SEED_004, SEED_003]
    assert [h.identifier for h in search(index, sort="-start").hits] == by_start[::-1]
    first, second = (search(index, sort="start", page=page, per_page=2) for page in (1, 2))
    assert [h.identifier for h in first.hits + second.hits] == by_start[:4]
    assert (first.total, first.pages) == (5, 3)
    assert search(index, sort="start", page=9, per_page=2).hits == []


def test_without_words_the_order_is_by_title(index: SearchIndex) -> None:
    result = search(index)
    assert result.sort == "title"
    assert result.hits[0].identifier == SEED_004  # "Podpora odborných partnerství..."
    assert result.hits[-1].identifier == SEED_002  # "Vzdělávání v oblasti komunitního plánování..."


def test_hits_carry_their_summary(index: SearchIndex) -> None:
    [hit] = search(index, "globos").hits
    assert hit.summary["start"] == "2016"
    assert hit.summary["end"] == "2017"
    assert hit.summary["titles"]["lt"].startswith("Tvaraus perėjimo")
    assert hit.summary["status"] == ["finished"]
    assert summaries(index, [hit.iri]) == {hit.iri: hit}


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            {"filters": {"colour": ["red"]}},
            "unknown facet 'colour'; expected one of country, region, programme",
        ),
        ({"sort": "size"}, "unknown sort 'size'; expected one of relevance, title, -title, start, -start"),
        ({"page": 0}, "page 0 with 20 per page; expected both to be at least 1"),
    ],
)
def test_bad_searches_say_what_is_wrong(
    index: SearchIndex, arguments: dict[str, object], message: str
) -> None:
    with pytest.raises(SearchError, match=message.replace("(", r"\(")):
        search(index, **arguments)  # type: ignore[arg-type]


def test_totals_by_programme_and_year(index: SearchIndex) -> None:
    result = totals(index)
    assert [(t.key, t.currency, t.amount, t.projects) for t in result.funding["programme"]] == [
        ("op-lzz", "CZK", Decimal("8464591"), 1)
    ]
    assert [(t.key, t.currency, t.amount) for t in result.funding["year"]] == [
        ("2009", "CZK", Decimal("8464591"))
    ]
    people = {t.key: t.amount for t in result.indicators if t.currency == "person"}
    assert people["people-trained"] == Decimal(786)  # 326 + 460, from two projects


# -- totals never add currencies ------------------------------------------------------------------------


def test_totals_keep_currencies_apart(settings: Settings, store: LodStore, tmp_path: Path) -> None:
    euro = record_file(STREDOCESKY)
    project(euro)["funding"] = [
        {
            "id": "total",
            "type": "total-budget",
            "amount": "1000.50",
            "currency": "EUR",
            "text": "1 000,50 EUR",
        }
    ]
    koruna = record_file(VZDELANI)
    project(koruna)["funds"] = ["esf"]
    paths = [write_record(tmp_path, euro, "euro.json"), write_record(tmp_path, koruna, "koruna.json")]
    assert run(paths, settings, store).ok
    result = totals(SearchIndex(search_path(settings.store_path)))
    assert sorted((t.key, t.currency, t.amount) for t in result.funding["fund"]) == [
        ("esf", "CZK", Decimal("8464591")),
        ("esf", "EUR", Decimal("1000.5")),
    ]


# -- consistency with the store --------------------------------------------------------------------------


def test_load_leaves_the_index_at_the_store_version(published: Published, index: SearchIndex) -> None:
    assert index.data_version == published.store.data_version(published.ns.term("contentHash"))
    assert refresh(published.store, published.settings).graphs == []  # nothing to do


def test_a_changed_source_is_reindexed_alone(settings: Settings, store: LodStore, tmp_path: Path) -> None:
    paths = [write_record(tmp_path, record_file(name), name) for name in (VZDELANI, GLOBOS, ZLIN)]
    assert run(paths, settings, store).ok
    index = SearchIndex(search_path(settings.store_path))
    assert found(index, "globos") == [SEED_003]
    changed = record_file(GLOBOS)
    project(changed)["title"] = {"lt": "Visai kitas pavadinimas"}
    project(changed)["description"] = {"lt": "Apie ką kita"}
    write_record(tmp_path, changed, GLOBOS)
    before = store.data_version(Namespaces(settings.base_iri).term("contentHash"))
    assert run(paths, settings, store).ok
    assert index.data_version != before
    assert found(index, "pavadinimas") == [SEED_003]
    assert found(index, "Tvaraus") == []
    assert found(index, "globos") == [SEED_003]  # still in its alternative title
    assert set(found(index)) == {SEED_001, SEED_002, SEED_003}


def test_a_refresh_reports_the_graphs_it_read(settings: Settings, store: LodStore, tmp_path: Path) -> None:
    paths = [write_record(tmp_path, record_file(name), name) for name in (VZDELANI, GLOBOS)]
    assert run(paths, settings, store).ok
    ns = Namespaces(settings.base_iri)
    store.drop_graph(ns.source_graph("seed-003"))
    report = refresh(store, settings)
    assert (report.rebuilt, report.graphs, report.projects) == (False, [ns.source_graph("seed-003").value], 0)
    assert found(SearchIndex(search_path(settings.store_path))) == [SEED_001]


def test_admin_writes_rebuild_the_index(settings: Settings, store: LodStore, tmp_path: Path) -> None:
    assert run([write_record(tmp_path, record_file(VZDELANI), VZDELANI)], settings, store).ok
    ns = Namespaces(settings.base_iri)
    project_iri = ns.project(SEED_001).value
    graph, admin = ns.source_graph("seed-001").value, ns.graph("admin").value
    title = "<http://purl.org/dc/terms/title>"
    store.update(
        f"DELETE {{ GRAPH <{graph}> {{ <{project_iri}> {title} ?t }} }} "
        f'INSERT {{ GRAPH <{graph}> {{ <{project_iri}> {title} "Úplně nový"@cs }} }} '
        f"WHERE {{ GRAPH <{graph}> {{ <{project_iri}> {title} ?t }} }} ;"
        f'INSERT DATA {{ GRAPH <{admin}> {{ <{admin}> <{ns.term("contentHash").value}> "1" }} }}'
    )
    report = refresh(store, settings)
    assert report.rebuilt and report.projects == 1
    assert found(SearchIndex(search_path(settings.store_path)), "uplne novy") == [SEED_001]


def test_a_deleted_index_is_rebuilt(settings: Settings, store: LodStore) -> None:
    assert run(sample_files(), settings, store).ok
    path = search_path(settings.store_path)
    for leftover in path.parent.glob(path.name + "*"):
        leftover.unlink()
    report = refresh(store, settings)
    assert report.rebuilt and report.projects == 5


def test_an_index_of_another_schema_is_replaced(settings: Settings, store: LodStore) -> None:
    path = search_path(settings.store_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as old:
        old.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
        old.execute("INSERT INTO meta VALUES ('schema_version', '0')")
    assert run([Path(sample_files()[0])], settings, store).ok
    assert found(SearchIndex(path)) == [SEED_000]


def test_an_in_memory_index_follows_an_in_memory_store(tmp_path: Path) -> None:
    settings = Settings(store_path=tmp_path / "unused", base_iri="http://127.0.0.1:8000/")
    store = LodStore(None)
    assert run([Path(p) for p in sample_files() if p.name == TABOR_WELS], settings, store).ok
    index = SearchIndex(None)
    assert refresh(store, settings, index).rebuilt
    assert found(index, "Tábor") == [SEED_000]
