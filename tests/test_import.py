"""`lodcat import`: declarative mappings turn real lists of operations into records, nothing lost.

Every mapping in mappings/ imports a sample of its real file from ../shared/external/eu-projects; the
values asserted below were read off the files by hand. Bad rows are reported with file:line, column,
value and reason; --strict refuses the whole file; personal data is never published without a reason;
two sources that describe one project code describe one project IRI, each in its own named graph.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pyoxigraph import NamedNode, QuerySolutions

from loader.importer import Imported, MappingError, import_table, read_mapping, write_records, write_report
from loader.namespaces import PROV, Namespaces
from loader.parts import part_count
from loader.pipeline import run
from loader.records import Funding, Project, read_records
from loader.settings import Settings
from loader.store import LodStore
from tests.conftest import BASE, DATA, ROOT, SHARED
from tests.test_cli import lodcat

MAPPINGS = ROOT / "mappings"
EU_PROJECTS = SHARED / "external" / "eu-projects"
OS_DATA = "os-data+eu-structural-funds/data/"
SAMPLE_ROWS = 50
# pySHACL costs about 0.2 s of CPU per imported project with the current shapes (it parses each
# sh:sparql query again for every focus node), so the SHACL check takes the first rows of each sample.
SHACL_ROWS = 10


@dataclass(frozen=True)
class Shipped:
    """A shipped mapping, its real file, and what a full import of it gives."""

    mapping: str
    file: str
    country: str
    encoding: str
    delimiter: str | None
    rows: int
    projects: int
    skipped: int
    left_out: int = 0


SHIPPED = [
    Shipped(
        "at-esf-2014-2020",
        OS_DATA + "AT.austria/ESF 2014-2020/Liste-der-Vorhaben_30.01.2017_ESF_Austria.csv",
        "AUT", "utf-8", ",", 245, 245, 0,
    ),
    Shipped(
        "at-erdf-2014-2020",
        OS_DATA + "AT.austria/ERDF 2014-2020/Vorhabensliste_IWB_EFRE_AT2014-2020_Download.csv",
        "AUT", "utf-8", ",", 49, 49, 0,
    ),
    Shipped(
        "be-brussels-erdf-2007-2013",
        OS_DATA + "BE.belgium/BE1.brussels/ERDF_Brussels_2007-2013_converted.csv",
        "BEL", "utf-8", ",", 34, 34, 0,
    ),
    Shipped(
        "be-wallonia-2014-2020",
        OS_DATA + "BE.belgium/BE3.region.wallonne/all funds 2014-2020/"
        "Region_Wallone_all_funds_2014-2020.json",
        "BEL", "utf-8", None, 660, 660, 0,
    ),
    Shipped(
        "de-bw-erdf-2014-2020",
        OS_DATA + "DE.germany/DE1.baden-wuerttemberg/ERDF 2014-2020/ERDF_BaWü_2014-2020.csv",
        "DEU", "utf-8", ",", 91, 91, 0,
    ),
    Shipped("eu-cordis-ict-2016", "marado+ICT-EU/final.csv", "EU", "utf-8", ";", 2619, 2328, 0, 291),
    Shipped(
        "lt-2014-2020",
        OS_DATA + "LT.lithuania/2014-2020/Paraiškų informacija_20161030.csv",
        "LTU", "utf-8", ",", 2471, 2471, 0,
    ),
    Shipped(
        "pl-cf-2014-2020", OS_DATA + "PL.poland/Poland_CF_2014_2020.csv",
        "POL", "cp1250", ";", 125, 124, 1,
    ),
    Shipped(
        "pl-erdf-2014-2020", OS_DATA + "PL.poland/Poland_ERDF_2014_2020.csv",
        "POL", "cp1250", ";", 749, 748, 1,
    ),
    Shipped(
        "sk-2014-2020",
        OS_DATA + "SK.slovakia/2014-2020/all_funds_Slovakia_2014-2020.json",
        "SVK", "utf-8", None, 177, 177, 0,
    ),
    Shipped(
        "uk-england-esif-2014-2020",
        OS_DATA + "UK.united.kingdom/England 2014-2020/ESIF_2014-2020_List_of_beneficiaries_Oct_2016.csv",
        "GBR", "utf-8", ",", 394, 386, 8,
    ),
    Shipped(
        "uk-ni-esf-2014-2020",
        OS_DATA + "UK.united.kingdom/Northern Ireland 2014-2020/ESF 2014-2020/"
        "ESF_Northern_Ireland_2014-2020.csv",
        "GBR", "utf-8", ",", 64, 64, 0,
    ),
]  # fmt: skip
BY_NAME = {shipped.mapping: shipped for shipped in SHIPPED}


def real_file(shipped: Shipped) -> Path:
    path = EU_PROJECTS / shipped.file
    if not path.exists():
        pytest.skip(f"{path} is not available (../shared/external is not part of the repository)")
    return path


def sample(name: str, rows: int = SAMPLE_ROWS) -> Imported:
    shipped = BY_NAME[name]
    imported = import_table(read_mapping(MAPPINGS / f"{name}.toml"), real_file(shipped), limit=rows)
    assert imported.refusals == []
    return imported


def project(imported: Imported, **wanted: str) -> Project:
    """The one project whose id, or title in any language, is the one given."""
    found = [
        p
        for p in imported.projects
        if ("id" in wanted and p.id == wanted["id"])
        or ("title" in wanted and wanted["title"] in p.title.values())
    ]
    assert len(found) == 1, (wanted, [p.id for p in found])
    return found[0]


def funding(item: Project, identifier: str) -> Funding:
    """The funding `identifier` of the mapping (ids are scoped by the source: 'at-esf-2014-2020.total')."""
    (found,) = [part for part in item.funding if part.id.endswith(f".{identifier}")]
    return found


def organisation_name(imported: Imported, item: Project) -> dict[str, str]:
    (participation,) = item.participants
    name: dict[str, str] = imported.organisations[participation.organisation]["name"]
    return name


def notes(item: Project) -> list[str]:
    return [text for note in item.notes for text in note.values()]


# -- the shipped mappings --------------------------------------------------------------------------------


def test_every_shipped_mapping_is_tested_here() -> None:
    assert sorted(path.stem for path in MAPPINGS.glob("*.toml")) == sorted(BY_NAME)


def test_shipped_mappings_cover_countries_languages_and_encodings() -> None:
    mappings = [read_mapping(MAPPINGS / f"{shipped.mapping}.toml") for shipped in SHIPPED]
    assert len(mappings) >= 8
    assert len({shipped.country for shipped in SHIPPED} - {"EU"}) >= 5
    assert len({mapping.spec.source.language for mapping in mappings}) >= 3
    assert len({shipped.encoding for shipped in SHIPPED}) >= 2


@pytest.mark.parametrize("shipped", SHIPPED, ids=lambda shipped: shipped.mapping)
def test_sample_is_read_with_the_detected_encoding_and_delimiter(shipped: Shipped, tmp_path: Path) -> None:
    imported = sample(shipped.mapping)
    assert imported.table is not None
    assert (imported.table.encoding, imported.table.delimiter) == (shipped.encoding, shipped.delimiter)
    assert imported.rows == min(SAMPLE_ROWS, shipped.rows)
    assert [problem for problem in imported.problems if problem.action != "row left out"] == []
    (path,) = write_records(imported, tmp_path)
    assert path == tmp_path / f"{shipped.mapping}.json"
    records = read_records(path)
    assert len(records.projects) == len(imported.projects) > 0
    assert records.source.id == shipped.mapping


def test_at_esf_first_row() -> None:
    imported = sample("at-esf-2014-2020")
    first = project(imported, id="AT-ESF-2CADAC_00089")
    assert first.codes[0].value == "2CADAC_00089"
    assert first.title == {"de": 'S-1.6 KOEL "Kompetenzorientiertes eigenverantwortliches Lernen"'}
    assert organisation_name(imported, first) == {
        "de": "Bundeshandelsakademie und Bundeshandelsschule Wolfsberg"
    }
    assert (first.start, first.end) == ("2016-09-05", "2017-08-31")
    eligible = funding(first, "eligible-expenditure")
    assert (eligible.amount, eligible.currency, eligible.type) == (
        Decimal(65450),
        "EUR",
        "eligible-expenditure",
    )
    assert funding(first, "union-co-financing-rate").rate == Decimal("0.5")
    assert first.regions == ["AT213"]  # "213 - Unterkärnten (NUTS)"
    assert first.countries == ["AUT"] and first.funds == ["esf"]
    assert "Regionalcode des Vorhabens: 213 - Unterkärnten (NUTS)" in notes(first)
    vienna = project(imported, id="AT-ESF-2CADAC_00111")  # "131 - Wien (NUTS)" is no NUTS code: note only
    assert vienna.regions == []
    assert "Regionalcode des Vorhabens: 131 - Wien (NUTS)" in notes(vienna)


def test_at_erdf_amount_with_decimal_comma_and_rate() -> None:
    imported = sample("at-erdf-2014-2020")
    item = project(imported, title="Ankauf einer Doppelbiegeanlage")
    assert funding(item, "eligible-expenditure").amount == Decimal("403514.06")  # "403514,06"
    assert funding(item, "union-co-financing-rate").rate == Decimal("0.1813")  # "18,13 %"
    assert (item.start, item.end) == ("2016-06-27", "2017-06-30")
    assert organisation_name(imported, item) == {"de": "TR Flachdachbau GmbH"}
    # A joint operation has one row per partner: one project each, told apart by the beneficiary.
    biorest = [p for p in imported.projects if p.title["de"].startswith("BioRest - Herstellung")]
    assert len(biorest) == len({p.id for p in biorest}) == 3


def test_be_brussels_measure_shared_by_five_operations() -> None:
    imported = sample("be-brussels-erdf-2007-2013")
    p11_04 = [p for p in imported.projects if "N° de la mesure: P11-04" in notes(p)]
    assert len(p11_04) == 5
    boost = project(imported, title="Boost your talent")
    assert funding(boost, "total").amount == Decimal("1702095.9")  # "1702095,9"
    assert funding(boost, "feder").amount == Decimal("470773.98")
    assert boost.website == "http://www.boostyourtalent.be/"
    # Line 20 writes " -     " for the totals: not stated, so no amount at all rather than zero.
    creche = project(imported, title='Crèche quartier "Maison rouge" Laeken')
    assert creche.funding == []


def test_be_wallonia_amounts_and_funds() -> None:
    imported = sample("be-wallonia-2014-2020")
    item = project(imported, title="CDC Logistique La Louvière - Equipement AUTOTECH")
    assert funding(item, "montant").amount == Decimal(475000)  # "475 000€"
    assert funding(item, "union").amount == Decimal(237500)
    assert funding(item, "wallonie").currency == "EUR"
    assert item.funds == ["erdf"]  # "FEDER"
    assert organisation_name(imported, item) == {"fr": "Le FOREm"}


def test_de_bw_row_without_beneficiary_is_kept_without_one() -> None:
    imported = sample("de-bw-erdf-2014-2020")
    item = project(imported, title="Neubau eines Produktionsgebäudes mit  Maschineninvestition")
    assert item.participants == []
    assert funding(item, "eligible-expenditure").amount == Decimal("383520.00")  # "383.520,00"
    assert (item.start, item.end) == ("2016-03-23", "2018-03-22")
    assert item.regions == ["DE1"] and item.countries == ["DEU"]


def test_eu_cordis_projects_only() -> None:
    imported = sample("eu-cordis-ict-2016")
    item = project(imported, id="EU-GA-318603")
    assert item.alternative_titles == [{"en": "WatERP"}]
    assert item.title == {"en": 'Water Enhanced Resource Planning "Where water supply meets demand"'}
    assert (item.start, item.end) == ("2012-10-01", "2015-09-30")
    left_out = [problem for problem in imported.problems if problem.action == "row left out"]
    assert len(left_out) == SAMPLE_ROWS - len(imported.projects) == 6
    assert {problem.value for problem in left_out} == {"brief"}


def test_lt_application_number_is_the_id() -> None:
    imported = sample("lt-2014-2020")
    item = project(imported, id="03.2.1-LVPA-K-801-01-0007")
    assert item.codes[0].type == "application-number"
    assert funding(item, "application-value").amount == Decimal("316153.62")
    assert funding(item, "requested").amount == Decimal("180217.71")
    assert item.status is None  # "Nesudaryta sutartis": no lodcat status; the note keeps it
    assert "Paraiškos būsena: Nesudaryta sutartis" in notes(item)


def test_pl_cp1250_text_and_amounts() -> None:
    imported = sample("pl-erdf-2014-2020")
    item = project(imported, title="Budowa drogi ekspresowej S51 Olsztyn - Olsztynek")
    assert organisation_name(imported, item) == {"pl": "GENERALNA DYREKCJA DRÓG KRAJOWYCH I AUTOSTRAD"}
    assert funding(item, "total").amount == Decimal("1568930487.38")
    assert funding(item, "union").amount == Decimal("867306201.54")
    assert funding(item, "union").currency == "PLN"
    assert "Dziedzina: transport" in notes(item)
    none = project(imported, title="Budowa obwodnic Ostrowa Wielkopolskiego i Jarocina w ciągu S11")
    assert not [note for note in notes(none) if note.startswith("Dziedzina")]  # "brak": none


def test_pl_cf_cohesion_fund() -> None:
    imported = sample("pl-cf-2014-2020")
    item = project(imported, title="Budowa drogi ekspresowej S7, odc. Miłomłyn - Olsztynek")
    assert item.funds == ["cohesion-fund"]
    assert funding(item, "total").amount == Decimal("2199770556.62")


def test_sk_company_number_dates_and_euro_sign() -> None:
    imported = sample("sk-2014-2020")
    item = project(imported, id="SK-ITMS-301011B422")
    assert (item.start, item.end) == ("2016-07-01", "2018-12-01")  # "1.7.2016", "1.12.2018"
    assert funding(item, "contracted-grant").amount == Decimal("231100.00")  # "231100.00 €"
    assert funding(item, "paid").amount == Decimal("36976.00")
    (participation,) = item.participants
    office = imported.organisations[participation.organisation]
    assert office["company_number"] == "00151513" and office["country"] == "SVK"


def test_uk_england_german_month_names_and_month_precision() -> None:
    imported = sample("uk-england-esif-2014-2020")
    clinic = project(imported, title="Uclan Innovation Clinic")
    assert (clinic.start, clinic.end) == ("2015-11-01", "2018-12-31")  # "01. Nov 15", "31. Dez 18"
    assert funding(clinic, "union").amount == Decimal(1434364)
    assert funding(clinic, "union-share").rate == Decimal("0.6")
    boost = project(imported, title="BOOST Business Lancashire")
    assert funding(boost, "union-share").rate == Decimal("0.5038")  # "50,38%"
    month_only = [p for p in imported.projects if p.start is not None and len(p.start) == 7]
    assert month_only, "'Aug 15' is read as 2015-08, a month"


def test_uk_ni_pound_amounts_in_continental_format() -> None:
    imported = sample("uk-ni-esf-2014-2020")
    item = project(imported, id="UK-NI-ESF-100176")
    eligible = funding(item, "eligible-expenditure")
    assert (eligible.amount, eligible.currency) == (Decimal("999269.00"), "GBP")  # " £999.269,00 "
    assert eligible.text == "Total Eligible Expenditure Allocated to the Operation: £999.269,00"
    assert item.regions == ["UKN"]


def test_samples_pass_shacl_and_load_each_into_its_own_graph(tmp_path: Path) -> None:
    folder = tmp_path / "records"
    for shipped in SHIPPED:
        write_records(sample(shipped.mapping, SHACL_ROWS), folder)
    settings = Settings(store_path=tmp_path / "store", base_iri=BASE)
    store = LodStore(settings.store_path)
    report = run(sorted(folder.glob("*.json")), settings, store)
    assert report.ok, "\n".join(problem for outcome in report.refused for problem in outcome.problems)
    ns = Namespaces(BASE)
    for shipped in SHIPPED:
        graph = ns.source_graph(shipped.mapping)
        assert graph.value in store.named_graphs()
        derived = store.value(graph, NamedNode(PROV + "wasDerivedFrom"), graph)
        assert derived == ns.source(shipped.mapping).value


@pytest.mark.slow
@pytest.mark.parametrize("shipped", SHIPPED, ids=lambda shipped: shipped.mapping)
def test_full_import_explains_every_row_it_does_not_import(shipped: Shipped, tmp_path: Path) -> None:
    """The whole file: every row is a project or has a problem saying why not, and every project it
    imports passes SHACL (the compiled shapes, loader/compiled_shapes.py) and is published."""
    imported = import_table(read_mapping(MAPPINGS / f"{shipped.mapping}.toml"), real_file(shipped))
    assert imported.refusals == []
    assert (imported.rows, len(imported.projects)) == (shipped.rows, shipped.projects)
    assert (imported.rows_skipped, imported.rows_left_out) == (shipped.skipped, shipped.left_out)
    lines_with_problems = {problem.line for problem in imported.problems if problem.action != "value dropped"}
    assert len(lines_with_problems) == shipped.rows - shipped.projects
    paths = write_records(imported, tmp_path / "records")
    assert sum(len(read_records(path).projects) for path in paths) == shipped.projects
    assert len(paths) == part_count(shipped.projects, 500)
    settings = Settings(store_path=tmp_path / "store", base_iri=BASE)
    report = run(paths, settings, LodStore(settings.store_path))
    assert report.ok, "\n".join(problem for outcome in report.refused for problem in outcome.problems)[:3000]
    assert [outcome.status for outcome in report.outcomes].count("loaded") == len(paths) + 3  # + vocabularies


@pytest.mark.slow
def test_full_import_of_england_reports_each_refused_row() -> None:
    shipped = BY_NAME["uk-england-esif-2014-2020"]
    path = real_file(shipped)
    imported = import_table(read_mapping(MAPPINGS / f"{shipped.mapping}.toml"), path)
    columns = "Recipient of funds + Name of Project + Local Enterprise Partnership area"
    assert [(problem.line, problem.column, problem.action) for problem in imported.problems] == [
        (222, columns, "row skipped"),
        (225, columns, "row skipped"),
        (236, "End date", "row skipped"),
        (285, "Start date", "row skipped"),
        (313, "Percent of project funded by EU", "value dropped"),
        (313, columns, "row skipped"),
        (452, "Percent of project funded by EU", "value dropped"),
        (466, "End date", "row skipped"),
        (490, columns, "row skipped"),
        (502, "End date", "row skipped"),
        (505, "Percent of project funded by EU", "value dropped"),
    ]
    reasons = {
        problem.line: problem.reason for problem in imported.problems if problem.action == "value dropped"
    }
    assert reasons == {
        313: "is 150 %; a co-financing rate is between 0 and 100 %",
        452: "is not a number written as '1234.5' or '1234,5'",
        505: "is not a number written as '1234.5' or '1234,5'",
    }
    assert str(imported.problems[3]) == (
        f"{path}:285: column 'Start date': '31/04/2014': has no day 31 in April 2014 (DD/MM/YYYY) "
        "(row skipped)"
    )
    assert str(imported.problems[2]) == (
        f"{path}:236: column 'End date': '31. Mrz 19': field end: end date 2019-03-31 is before start date "
        "2019-05-01 (row skipped)"
    )


@pytest.mark.slow
def test_full_import_of_polish_cf_reports_the_repeated_project() -> None:
    shipped = BY_NAME["pl-cf-2014-2020"]
    path = real_file(shipped)
    imported = import_table(read_mapping(MAPPINGS / f"{shipped.mapping}.toml"), path)
    (problem,) = imported.problems
    title = (
        "Realizacja przez Ministerstwo Zdrowia zadań podkomitetu do spraw zdrowia na lata 2014-2020 pn. "
        "Komitet Sterujący ds. koordynacji interwencji EFSI 2014-2020 w sektorze zdrowia."
    )
    assert str(problem) == (
        f"{path}:112: column 'Tytuł projektu + Nazwa beneficjenta': '{title} + MINISTERSTWO ZDROWIA': "
        "has the same 'Tytuł projektu' and 'Nazwa beneficjenta' as line 90 (project id "
        "'PL-2014-8c40999cc2736abe'); a row is a project (row skipped)"
    )


# -- several sources, one project ------------------------------------------------------------------------

MINIMAL = """
[source]
id = "{source}"
language = "en"

[project]
id_prefix = "{prefix}"
id_column = "Code"
countries = ["AUT"]

[columns.Code]
to = "code"

[columns.Title]
to = "title"

[columns.Budget]
to = "amount"
number = "1 234,5"
currency = "EUR"
funding = "total"
type = "total-budget"
"""


def write_mapping(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def write_csv(
    folder: Path, name: str, rows: list[list[str]], encoding: str = "utf-8", delimiter: str = ","
) -> Path:
    path = folder / name
    with path.open("w", encoding=encoding, newline="") as stream:
        csv.writer(stream, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return path


def import_and_write(mapping: Path, path: Path, out: Path, **options: Any) -> Imported:
    imported = import_table(read_mapping(mapping), path, **options)
    assert imported.refusals == []
    write_records(imported, out)
    return imported


def select(store: LodStore, query: str) -> set[tuple[str, ...]]:
    result = store.query(query)
    assert isinstance(result, QuerySolutions)
    return {tuple(str(term.value) for term in solution) for solution in result}


def test_two_sources_with_one_project_code_keep_both_budgets_each_in_its_graph(tmp_path: Path) -> None:
    out = tmp_path / "records"
    for source, budget in (("ministry-list", "1 000 000,00"), ("agency-list", "1 200 000,00")):
        mapping = write_mapping(tmp_path, source, MINIMAL.format(source=source, prefix="AT-X-"))
        rows = [["Code", "Title", "Budget"], ["AB/12 ", f"Project of the {source}", budget]]
        import_and_write(mapping, write_csv(tmp_path, f"{source}.csv", rows), out)
    settings = Settings(store_path=tmp_path / "store", base_iri=BASE)
    store = LodStore(settings.store_path)
    assert run(sorted(out.glob("*.json")), settings, store).ok
    ns = Namespaces(BASE)
    project_iri = ns.project("AT-X-AB-12")  # the code "AB/12 " normalised, after the shared prefix
    budgets = select(
        store,
        f"""PREFIX lodcat: <{ns.vocab}>
        SELECT ?g ?amount
        WHERE {{ GRAPH ?g {{ <{project_iri.value}> lodcat:funding ?f . ?f lodcat:amount ?amount }} }}""",
    )
    assert budgets == {
        (ns.source_graph("ministry-list").value, "1000000"),  # xsd:decimal in canonical form
        (ns.source_graph("agency-list").value, "1200000"),
    }
    # In the union of the graphs too, each amount is a funding node of its own, with one amount.
    per_node = select(
        store,
        f"""PREFIX lodcat: <{ns.vocab}>
        SELECT ?f (COUNT(?amount) AS ?n)
        WHERE {{ <{project_iri.value}> lodcat:funding ?f . ?f lodcat:amount ?amount }} GROUP BY ?f""",
    )
    assert per_node == {
        (ns.part("AT-X-AB-12", "funding", "ministry-list.total").value, "1"),
        (ns.part("AT-X-AB-12", "funding", "agency-list.total").value, "1"),
    }
    provenance = select(
        store,
        f"""PREFIX prov: <{PROV}> PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?g ?source WHERE {{ GRAPH ?g {{ ?g prov:wasDerivedFrom ?source .
                                            <{project_iri.value}> dcterms:source ?source }} }}""",
    )
    assert provenance == {
        (ns.source_graph("ministry-list").value, ns.source("ministry-list").value),
        (ns.source_graph("agency-list").value, ns.source("agency-list").value),
    }


def test_lithuanian_list_and_sample_record_describe_one_project(tmp_path: Path) -> None:
    """The real LT list has the application number of data/seed-003; both describe the same project
    IRI, and their different statuses are both kept, each in its source graph."""
    path = real_file(BY_NAME["lt-2014-2020"])
    with path.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream))
    wanted = [rows[0], *(row for row in rows if row[1] == "08.4.1-ESFA-V-405-01-0001")]
    assert len(wanted) == 2
    excerpt = write_csv(tmp_path, "lt-excerpt.csv", wanted)
    out = tmp_path / "records"
    import_and_write(MAPPINGS / "lt-2014-2020.toml", excerpt, out)
    settings = Settings(store_path=tmp_path / "store", base_iri=BASE)
    store = LodStore(settings.store_path)
    seed = DATA / "seed-003-institucines-globos-pertvarka.json"
    assert run([seed, out / "lt-2014-2020.json"], settings, store).ok
    ns = Namespaces(BASE)
    statuses = select(
        store,
        f"""PREFIX lodcat: <{ns.vocab}>
        SELECT ?g ?status
        WHERE {{ GRAPH ?g {{ <{ns.project("08.4.1-ESFA-V-405-01-0001").value}> lodcat:status ?status }} }}""",
    )
    assert statuses == {
        (ns.source_graph("seed-003").value, ns.concept("status", "finished").value),
        (ns.source_graph("lt-2014-2020").value, ns.concept("status", "ongoing").value),
    }


# -- bad rows --------------------------------------------------------------------------------------------

BAD_MAPPING = """
[source]
id = "bad-rows"
language = "de"

[project]
id_prefix = "T-"
id_column = "Code"

[columns.Code]
to = "code"

[columns.Titel]
to = "title"

[columns.Beginn]
to = "start"
date = "D. M. YYYY"

[columns.Betrag]
to = "amount"
number = "1 234,5"
currency = "EUR"
funding = "total"
type = "total-budget"

[columns.Status]
to = "status"
codes = { "laufend" = "ongoing", "beendet" = "finished" }

[columns.Quote]
to = "rate"
number = "1234,5"
funding = "eu"
type = "eu-contribution"
on_error = "drop-value"
"""
BAD_ROWS = [
    ["Code", "Titel", "Beginn", "Betrag", "Status", "Quote"],
    ["A-1", "Gut", "1. 5. 2009", "8 464 591,00", "laufend", "75 %"],
    ["A-2", "Falsches Datum", "31. 2. 2009", "100,00", "laufend", "75 %"],
    ["A-3", "Falscher Betrag", "1. 5. 2009", "8.464.591,00", "beendet", "75 %"],
    ["A-4", "", "1. 5. 2009", "1,00", "laufend", ""],
    ["A-5", "Unbekannter Status", "1. 5. 2009", "1,00", "storniert", ""],
    ["A-1", "Doppelt", "1. 5. 2009", "1,00", "laufend", ""],
    ["", "Ohne Code", "1. 5. 2009", "1,00", "laufend", ""],
    ["A-6", "Zu kurz"],
    ["A-7", "Quote kaputt", "2. 5. 2009", "2,00", "beendet", "150 %"],
]


def bad_rows(tmp_path: Path) -> tuple[Path, Path]:
    return write_mapping(tmp_path, "bad", BAD_MAPPING), write_csv(tmp_path, "bad.csv", BAD_ROWS)


def test_bad_rows_are_reported_and_skipped_and_the_rest_is_imported(tmp_path: Path) -> None:
    mapping, path = bad_rows(tmp_path)
    imported = import_table(read_mapping(mapping), path)
    assert [str(problem) for problem in imported.problems] == [
        f"{path}:3: column 'Beginn': '31. 2. 2009': has no day 31 in February 2009 (D. M. YYYY) "
        "(row skipped)",
        f"{path}:4: column 'Betrag': '8.464.591,00': is not an amount written as '1 234,5' (row skipped)",
        f"{path}:5: column 'Titel': (empty): is empty; a project needs a title (row skipped)",
        f"{path}:6: column 'Status': 'storniert': is not in the code list of this column (known: 'beendet', "
        "'laufend') (row skipped)",
        f"{path}:7: column 'Code': 'A-1': has the project code of line 2 (project id 'T-A-1'); a row is a "
        "project (row skipped)",
        f"{path}:8: column 'Code': (empty): is empty; the project id is built from this column (row skipped)",
        f"{path}:9: column '(row)': (empty): has 2 cells, the header has 6 (row skipped)",
        f"{path}:10: column 'Quote': '150 %': is 150 %; a co-financing rate is between 0 and 100 % "
        "(value dropped)",
    ]
    assert [item.id for item in imported.projects] == ["T-A-1", "T-A-7"]
    assert imported.projects[1].funding[0].amount == Decimal("2.00")
    assert [part.id for part in imported.projects[1].funding] == ["bad-rows.total"]  # the rate was dropped
    assert imported.rows_skipped == 7
    assert imported.summary() == (
        f"imported {path} with {mapping}: 9 rows, 2 projects, 7 rows skipped, 0 left out; "
        "encoding utf-8, delimiter ','"
    )


def test_the_report_file_lists_every_problem(tmp_path: Path) -> None:
    mapping, path = bad_rows(tmp_path)
    imported = import_table(read_mapping(mapping), path)
    write_records(imported, tmp_path / "out")
    report = tmp_path / "report.json"
    write_report(imported, report)
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["status"] == "imported"
    assert (data["rows"], data["projects"], data["rows_skipped"]) == (9, 2, 7)
    assert data["problems"][0] == {
        "file": str(path),
        "line": 3,
        "column": "Beginn",
        "value": "31. 2. 2009",
        "reason": "has no day 31 in February 2009 (D. M. YYYY)",
        "action": "row skipped",
    }
    assert len(data["problems"]) == 8
    assert data["records"] == [str(tmp_path / "out" / "bad-rows.json")]


def test_strict_refuses_the_whole_file(tmp_path: Path) -> None:
    mapping, path = bad_rows(tmp_path)
    imported = import_table(read_mapping(mapping), path, strict=True)
    assert imported.refusals == [f"{path}: 8 problem(s) in 8 row(s); --strict refuses the whole file"]
    assert imported.summary() == f"refused {path}: nothing imported (1 reason(s) above)"
    with pytest.raises(ValueError, match="a refused import has no records to write"):
        write_records(imported, tmp_path / "out")


def test_json_rows_are_reported_by_the_line_their_object_starts_on(tmp_path: Path) -> None:
    mapping = write_mapping(
        tmp_path,
        "json",
        MINIMAL.format(source="json-list", prefix="J-").replace(
            'language = "en"', 'language = "en"\n\n[read]\nformat = "json"'
        ),
    )
    path = tmp_path / "list.json"
    path.write_text(
        '[\n  {"Code": "1", "Title": "One", "Budget": "10,00"},\n'
        '  {\n    "Code": "2",\n    "Title": "Two",\n    "Budget": 12.5\n  },\n'
        '  {"Code": "3", "Title": "Three", "Budget": "ten"}\n]\n',
        encoding="utf-8",
    )
    imported = import_table(read_mapping(mapping), path)
    assert [str(problem) for problem in imported.problems] == [
        f"{path}:3: column 'Budget': '12.5': is not an amount written as '1 234,5' (row skipped)",
        f"{path}:8: column 'Budget': 'ten': is not an amount written as '1 234,5' (row skipped)",
    ]


# -- encodings and delimiters ----------------------------------------------------------------------------


def test_a_file_that_is_not_utf8_needs_a_declared_fallback(tmp_path: Path) -> None:
    shipped = BY_NAME["pl-cf-2014-2020"]
    text = (MAPPINGS / f"{shipped.mapping}.toml").read_text(encoding="utf-8")
    mapping = write_mapping(tmp_path, "no-fallback", text.replace('fallback_encoding = "cp1250"\n', ""))
    path = real_file(shipped)
    imported = import_table(read_mapping(mapping), path)
    assert imported.refusals == [
        f"{path}: is not UTF-8 (byte 4 is 0xb3) and the mapping declares no fallback_encoding (e.g. cp1250, "
        "latin-1)"
    ]
    overridden = import_table(read_mapping(mapping), path, encoding="cp1250", limit=3)
    assert overridden.refusals == []
    assert overridden.projects[0].title == {"pl": "Budowa autostrady A1, odc. Pyrzowice - Częstochowa"}


def test_delimiter_is_sniffed_or_overridden(tmp_path: Path) -> None:
    mapping = write_mapping(tmp_path, "semicolons", MINIMAL.format(source="semicolons", prefix="S-"))
    rows = [["Code", "Title", "Budget"], ["1", "Eins, zwei", "1 000,50"], ["2", "Drei", "2,00"]]
    path = write_csv(tmp_path, "semicolons.csv", rows, delimiter=";")
    sniffed = import_table(read_mapping(mapping), path)
    assert sniffed.table is not None and sniffed.table.delimiter == ";"
    assert [item.title["en"] for item in sniffed.projects] == ["Eins, zwei", "Drei"]
    wrong = import_table(read_mapping(mapping), path, delimiter=",")
    assert wrong.refusals[0].startswith(
        f"{path}: has no column 'Code' ({mapping}: columns.'Code'); its columns"
    )


# -- personal data ---------------------------------------------------------------------------------------

CONTACTS = [
    ["Code", "Title", "Budget", "E-mail", "Info"],
    ["1", "Eins", "1,00", "jana.novakova@example.cz", "+420 577 043 411"],
    ["2", "Zwei", "2,00", "petr.svoboda@example.cz", "see the website"],
]


def test_a_mapped_email_column_without_a_reason_is_refused(tmp_path: Path) -> None:
    text = MINIMAL.format(source="contacts", prefix="C-") + '\n[columns."E-mail"]\nto = "note"\n'
    mapping = write_mapping(tmp_path, "contacts", text)
    path = write_csv(tmp_path, "contacts.csv", CONTACTS)
    imported = import_table(read_mapping(mapping), path)
    assert imported.refusals == [
        f"{path}: column 'E-mail' looks like personal data (its name contains 'e mail'); {mapping} maps it "
        "to 'note' without public_reason. Leave it out of [columns] and list it under [personal], or say why "
        "it is public with public_reason"
    ]
    assert imported.projects == []


def test_a_column_of_phone_numbers_under_an_innocent_name_is_refused(tmp_path: Path) -> None:
    text = MINIMAL.format(source="contacts", prefix="C-") + '\n[columns."Info"]\nto = "note"\n'
    text += '\n[personal]\n"E-mail" = "E-mail addresses of contact persons."\n'
    mapping = write_mapping(tmp_path, "contacts", text)
    path = write_csv(tmp_path, "contacts.csv", CONTACTS)
    imported = import_table(read_mapping(mapping), path)
    assert imported.refusals == [
        f"{path}: column 'Info' looks like personal data (line 2 holds a phone number); {mapping} maps it to "
        "'note' without public_reason. Leave it out of [columns] and list it under [personal], or say why it "
        "is public with public_reason"
    ]


def test_a_public_reason_publishes_the_column_and_says_why(tmp_path: Path) -> None:
    text = MINIMAL.format(source="contacts", prefix="C-")
    text += '\n[columns."Info"]\nto = "note"\npublic_reason = "The switchboard numbers of the agencies."\n'
    mapping = write_mapping(tmp_path, "contacts", text)
    path = write_csv(tmp_path, "contacts.csv", CONTACTS)
    imported = import_table(read_mapping(mapping), path)
    assert imported.refusals == []
    assert [column.as_json() for column in imported.personal] == [
        {
            "column": "E-mail",
            "evidence": "its name contains 'e mail'",
            "published": False,
            "reason": "not mapped; list it under [personal] to say what it holds",
        },
        {
            "column": "Info",
            "evidence": "line 2 holds a phone number",
            "published": True,
            "reason": "The switchboard numbers of the agencies.",
        },
    ]


def test_a_column_both_personal_and_mapped_is_a_mapping_error(tmp_path: Path) -> None:
    text = MINIMAL.format(source="contacts", prefix="C-") + '\n[columns."E-mail"]\nto = "note"\n'
    text += '\n[personal]\n"E-mail" = "E-mail addresses of contact persons."\n'
    mapping = write_mapping(tmp_path, "contacts", text)
    with pytest.raises(MappingError) as error:
        read_mapping(mapping)
    assert (
        str(error.value)
        == f"{mapping}: personal.'E-mail': is also in [columns]; personal data is never published"
    )


def test_wallonia_contact_details_are_flagged_and_never_written(tmp_path: Path) -> None:
    shipped = BY_NAME["be-wallonia-2014-2020"]
    path = real_file(shipped)
    imported = sample(shipped.mapping)
    assert {(column.column, column.published) for column in imported.personal} == {
        ("tél.", False),
        ("email", False),
        ("contact", False),
    }
    written = "".join(p.read_text(encoding="utf-8") for p in write_records(imported, tmp_path))
    objects = json.loads(path.read_text(encoding="utf-8"))[:SAMPLE_ROWS]
    personal = {obj[key] for obj in objects for key in ("tél.", "email", "contact") if obj.get(key)}
    assert len(personal) > 50
    assert [value for value in personal if value in written] == []
    assert "@" not in written


# -- the mapping file ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ('language = "en"', 'language = "el"'),
            "source.language: 'el' is not a language lodcat can publish (known: cs, de, en, fr, lt, pl, sk)",
        ),
        (
            ('to = "title"', 'to = "titel"'),
            "columns.Title.to: Input should be 'code', 'title', 'alternative_title', 'description', "
            "'status', 'start', 'end', 'programme', 'fund', 'co_financed_by', 'amount', 'rate', "
            "'beneficiary', 'company_number', 'country', 'region', 'website' or 'note'",
        ),
        (
            ('currency = "EUR"', 'currency = "EUR"\ndate = "DD.MM.YYYY"'),
            "columns.Budget: 'date' does not apply to 'amount' (only to end, start)",
        ),
        (('type = "total-budget"', ""), "columns.Budget: 'amount' needs 'type'"),
        (
            ('id_column = "Code"', 'id_column = "Code"\nid_columns = ["Title"]'),
            "project: give id_column (a project code) or id_columns (hashed), not both or neither",
        ),
        (
            ('countries = ["AUT"]', 'countries = ["AUT"]\nfunds = ["efre"]'),
            "project.funds: 'efre' is not in the fund scheme (known: cohesion-fund, cz-state-budget, erdf, "
            "esf, interreg)",
        ),
        (
            ('type = "total-budget"', 'type = "budget"'),
            "columns.'Budget'.type: 'budget' is not in the funding-type scheme (known: eligible-expenditure, "
            "eu-contribution, public-contribution, total-budget, unspecified)",
        ),
        (
            ('countries = ["AUT"]', 'countries = ["AUT"]\ncolour = "red"'),
            "project.colour: Extra inputs are not permitted",
        ),
    ],
)
def test_mapping_mistakes_are_reported_with_where_and_why(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    mapping = write_mapping(tmp_path, "wrong", MINIMAL.format(source="wrong", prefix="W-").replace(*change))
    with pytest.raises(MappingError) as error:
        read_mapping(mapping)
    assert str(error.value) == f"{mapping}: {message}"


def test_a_mapping_without_title_is_refused(tmp_path: Path) -> None:
    text = MINIMAL.format(source="untitled", prefix="U-").replace('[columns.Title]\nto = "title"\n', "")
    mapping = write_mapping(tmp_path, "untitled", text)
    with pytest.raises(MappingError) as error:
        read_mapping(mapping)
    assert str(error.value) == f"{mapping}: columns: no column goes to 'title'; a project needs a title"


# -- the command -----------------------------------------------------------------------------------------


def test_import_command_writes_records_and_a_report_and_loads(tmp_path: Path) -> None:
    mapping = write_mapping(tmp_path, "cli", MINIMAL.format(source="cli-list", prefix="CLI-"))
    rows = [["Code", "Title", "Budget"], ["1", "One", "10,00"], ["2", "Two", "zwölf"]]
    path = write_csv(tmp_path, "cli.csv", rows)
    out, report, store = tmp_path / "out", tmp_path / "report.json", tmp_path / "store"
    arguments = ("import", "--mapping", str(mapping), str(path), "--out", str(out), "--report", str(report))
    result = lodcat(*arguments, "--load", store=store, LODCAT_BASE_IRI=BASE)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"{path}:3: column 'Budget': 'zwölf': is not an amount written as '1 234,5' (row skipped)"
    ]
    lines = result.stdout.splitlines()
    assert lines[0] == f"wrote     {out / 'cli-list.json'}"
    assert lines[1] == (
        f"imported {path} with {mapping}: 2 rows, 1 projects, 1 rows skipped, 0 left out; encoding utf-8, "
        "delimiter ','"
    )
    assert f"loaded    {out / 'cli-list.json'} -> <{BASE}graph/source/cli-list>" in result.stdout
    assert json.loads(report.read_text(encoding="utf-8"))["rows_skipped"] == 1
    strict = lodcat(*arguments, "--strict", store=store)
    assert strict.returncode == 1
    assert (
        strict.stderr.splitlines()[0] == f"{path}: 1 problem(s) in 1 row(s); --strict refuses the whole file"
    )
    assert json.loads(report.read_text(encoding="utf-8"))["status"] == "refused"


def test_import_command_with_a_broken_mapping_is_a_usage_error(tmp_path: Path) -> None:
    mapping = write_mapping(tmp_path, "broken", "[source]\nid = 'x'\n")
    path = write_csv(tmp_path, "any.csv", [["Code"], ["1"]])
    result = lodcat("import", "--mapping", str(mapping), str(path), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert result.stderr.splitlines()[0] == f"lodcat: {mapping}: source.language: Field required"


def test_import_command_refuses_a_mapped_email_column_and_writes_nothing(tmp_path: Path) -> None:
    text = MINIMAL.format(source="contacts", prefix="C-") + '\n[columns."E-mail"]\nto = "note"\n'
    mapping = write_mapping(tmp_path, "contacts", text)
    path = write_csv(tmp_path, "contacts.csv", CONTACTS)
    out = tmp_path / "out"
    result = lodcat("import", "--mapping", str(mapping), str(path), "--out", str(out))
    assert result.returncode == 1
    assert result.stderr.splitlines()[0].startswith(f"{path}: column 'E-mail' looks like personal data")
    assert "personal  'E-mail' (its name contains 'e mail'): not published: refused: no public_reason" in (
        result.stdout.splitlines()
    )
    assert not out.exists()
