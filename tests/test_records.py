"""Record files: the typed contract, its JSON Schema, and refusals that name file, record, field, reason."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from loader.errors import RecordsRefused
from loader.records import json_schema, read_records
from tests.conftest import DATA, ROOT

SEED_001 = DATA / "seed-001-vzdelani-pracovniku.json"


def write(tmp_path: Path, data: dict[str, Any], name: str = "record.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def seed(path: Path = SEED_001) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return copy.deepcopy(data)


def refusal(path: Path) -> list[str]:
    with pytest.raises(RecordsRefused) as error:
        read_records(path)
    return str(error.value).splitlines()


def test_every_sample_file_reads() -> None:
    files = sorted(DATA.glob("*.json"))
    assert len(files) == 5
    projects = [project.id for path in files for project in read_records(path).projects]
    assert projects == [
        "CZ.04.4.83-3.2.03.1-0448",
        "vzdelani-pracovniku-socialni-sluzby",
        "komunitni-planovani-zlinsky-kraj",
        "08.4.1-ESFA-V-405-01-0001",
        "odborna-partnerstvi-stredocesky-kraj",
    ]


def test_committed_json_schema_is_generated_from_the_model() -> None:
    committed = json.loads((ROOT / "schema" / "record.schema.json").read_text(encoding="utf-8"))
    assert committed == json_schema()


@pytest.mark.parametrize("path", sorted(DATA.glob("*.json")), ids=lambda path: path.name)
def test_sample_files_validate_against_the_json_schema(path: Path) -> None:
    schema = json.loads((ROOT / "schema" / "record.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(json.loads(path.read_text(encoding="utf-8")), schema)


def test_json_schema_refuses_an_unknown_field() -> None:
    schema = json.loads((ROOT / "schema" / "record.schema.json").read_text(encoding="utf-8"))
    data = seed()
    data["projects"][0]["budget"] = "12 000"
    with pytest.raises(jsonschema.ValidationError, match="Additional properties are not allowed"):
        jsonschema.validate(data, schema)


def test_unknown_field_names_file_record_and_field(tmp_path: Path) -> None:
    data = seed()
    data["projects"][0]["budget"] = "12 000"
    path = write(tmp_path, data)
    assert refusal(path) == [
        f"{path}: record vzdelani-pracovniku-socialni-sluzby: field 'budget': unknown field"
    ]


def test_missing_title_names_file_record_and_field(tmp_path: Path) -> None:
    data = seed()
    del data["projects"][0]["title"]
    path = write(tmp_path, data)
    assert refusal(path) == [f"{path}: record vzdelani-pracovniku-socialni-sluzby: field 'title': missing"]


def test_month_thirteen_is_refused(tmp_path: Path) -> None:
    data = seed()
    data["projects"][0]["end"] = "2011-13"
    path = write(tmp_path, data)
    assert refusal(path) == [
        f"{path}: record vzdelani-pracovniku-socialni-sluzby: field 'end': '2011-13' has month 13; expected "
        "01 to 12"
    ]


def test_day_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    data = seed()
    data["projects"][0]["end"] = "2011-02-29"
    path = write(tmp_path, data)
    assert refusal(path) == [
        f"{path}: record vzdelani-pracovniku-socialni-sluzby: field 'end': '2011-02-29' has no day 29 in "
        "that month"
    ]


def test_czech_date_format_is_refused_with_the_expected_form(tmp_path: Path) -> None:
    data = seed()
    data["projects"][0]["start"] = "1. 5. 2009"
    path = write(tmp_path, data)
    assert refusal(path) == [
        f"{path}: record vzdelani-pracovniku-socialni-sluzby: field 'start': '1. 5. 2009' is not a date; "
        "expected YYYY, YYYY-MM or YYYY-MM-DD"
    ]


def test_bad_language_tag_is_refused(tmp_path: Path) -> None:
    data = seed()
    data["projects"][0]["title"] = {"Czech": "Vzdělání"}
    path = write(tmp_path, data)
    assert refusal(path) == [
        f"{path}: record vzdelani-pracovniku-socialni-sluzby: field 'title': 'Czech' is not a language tag; "
        "expected e.g. 'cs', 'lt', 'en'"
    ]


def test_amount_without_currency_needs_a_note(tmp_path: Path) -> None:
    data = seed()
    del data["projects"][0]["funding"][0]["currency"]
    del data["projects"][0]["funding"][0]["notes"]
    path = write(tmp_path, data)
    assert refusal(path) == [
        f"{path}: record vzdelani-pracovniku-socialni-sluzby: field 'funding[0]': "
        "an amount without currency needs a note saying why the currency is unknown"
    ]


def test_rate_above_one_is_refused(tmp_path: Path) -> None:
    data = seed(DATA / "seed-000-tabor-wels.json")
    data["projects"][0]["funding"][0]["rate"] = 75
    path = write(tmp_path, data)
    assert refusal(path) == [
        f"{path}: record CZ.04.4.83-3.2.03.1-0448: field 'funding[0].rate': Input should be less than or "
        "equal to 1"
    ]


def test_unknown_organisation_reference_lists_the_known_ones(tmp_path: Path) -> None:
    data = seed()
    data["projects"][0]["participants"] = [{"organisation": "nobody", "role": "partner"}]
    path = write(tmp_path, data)
    assert refusal(path) == [
        f"{path}: record vzdelani-pracovniku-socialni-sluzby: field 'participants[0].organisation': "
        "'nobody' is not an organisation of this file (known: cz-mpsv)"
    ]


def test_every_problem_is_reported_in_one_run(tmp_path: Path) -> None:
    data = seed()
    data["projects"][0]["start"] = "2009-5-1"
    data["projects"][0]["colour"] = "red"
    data["organisations"][0]["company_number"] = "IČ 123"
    path = write(tmp_path, data)
    problems = refusal(path)
    assert len(problems) == 3
    assert (
        f"{path}: record cz-mpsv: field 'company_number': String should match pattern '^[0-9]{{6,12}}$'"
        in problems
    )
    assert f"{path}: record vzdelani-pracovniku-socialni-sluzby: field 'colour': unknown field" in problems


def test_file_that_is_not_json_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"source": ', encoding="utf-8")
    assert refusal(path) == [
        f"{path}: record (file): field '(file)': not JSON: Expecting value at line 1 column 12"
    ]


def test_identifier_that_cannot_be_an_iri_segment_is_refused(tmp_path: Path) -> None:
    data = seed()
    data["projects"][0]["id"] = "CZ.04.4.83/3.2.03.1/0448"
    path = write(tmp_path, data)
    assert refusal(path) == [
        f"{path}: record CZ.04.4.83/3.2.03.1/0448: field 'id': String should match pattern "
        "'^[A-Za-z0-9][A-Za-z0-9._~-]*$'"
    ]
