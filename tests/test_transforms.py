"""Cell text -> values: number, amount, rate and date formats, codes, code lists, personal-data patterns."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from loader.transforms import (
    CodeList,
    DateFormat,
    TransformError,
    normalise_code,
    number_format,
    parse_amount,
    parse_date,
    parse_number,
    parse_rate,
    personal_header,
    personal_value,
    stable_hash,
)
from tests.conftest import DATA


def dates(*formats: str) -> list[DateFormat]:
    return [DateFormat.compile(text) for text in formats]


def reason(error: pytest.ExceptionInfo[TransformError]) -> str:
    return str(error.value)


# -- numbers ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fmt", "expected"),
    [
        ("8 464 591,00", "1 234,5", "8464591.00"),
        ("8\u00a0464\u00a0591,00", "1 234,5", "8464591.00"),  # no-break spaces, as spreadsheets write them
        ("8\u202f464\u202f591,00", "1 234,5", "8464591.00"),
        ("5.172.338,50", "1.234,5", "5172338.50"),
        ("403514,06", "1.234,5", "403514.06"),  # no thousands separator at all is fine
        ("1.146.000", "1.234,5", "1146000"),
        ("1568930487.38", "1234.5", "1568930487.38"),
        ("2.9E7", "1234.5", "29000000"),  # Kohesio writes amounts in scientific notation
        ("2.896095424E7", "1234.5", "28960954.24"),
        ("3,000.00", "1,234.5", "3000.00"),
        ("1702095,9", "1234,5", "1702095.9"),
        ("-12,5", "1234,5", "-12.5"),
    ],
)
def test_numbers_in_each_format(text: str, fmt: str, expected: str) -> None:
    assert parse_number(text, number_format(fmt)) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        ("1,23", "1,234.5"),  # a thousands separator must be followed by three digits
        ("3,000.00", "1.234,5"),
        ("12 000", "1234.5"),
        ("1.2.3", "1234.5"),
        ("", "1234.5"),
        ("n/a", "1 234,5"),
    ],
)
def test_text_in_another_format_is_refused(text: str, fmt: str) -> None:
    with pytest.raises(TransformError) as error:
        parse_number(text, number_format(fmt))
    assert reason(error) == f"is not a number written as {fmt!r}"


def test_unknown_number_format_names_the_known_ones() -> None:
    with pytest.raises(TransformError) as error:
        number_format("1'234.5")
    assert reason(error) == (
        "\"1'234.5\" is not a number format; expected one of '1234.5', '1,234.5', '1.234,5', '1 234,5', "
        "'1 234.5', '1234,5'"
    )


# -- amounts and currencies ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fmt", "declared", "expected"),
    [
        ("5.172.338,50 kn", "1.234,5", None, ("5172338.50", "HRK")),  # Croatian kuna
        (" £999.269,00 ", "1.234,5", "GBP", ("999269.00", "GBP")),
        ("475 000€", "1 234,5", "EUR", ("475000", "EUR")),
        ("231100.00 €", "1234.5", None, ("231100.00", "EUR")),
        ("8 464 591,00 Kč", "1 234,5", None, ("8464591.00", "CZK")),
        ("12 000", "1 234,5", "CZK", ("12000", "CZK")),
        ("12 000", "1 234,5", None, ("12000", None)),
    ],
)
def test_amounts_keep_the_currency_they_state(
    text: str, fmt: str, declared: str | None, expected: tuple[str, str | None]
) -> None:
    amount, currency = parse_amount(text, number_format(fmt), declared)
    assert (amount, currency) == (Decimal(expected[0]), expected[1])


def test_a_currency_sign_the_mapping_declares_is_read() -> None:
    assert parse_amount("120 000 kr", number_format("1 234,5"), None, {"kr": "SEK"}) == (
        Decimal(120000),
        "SEK",
    )


@pytest.mark.parametrize(
    ("text", "declared", "message"),
    [
        (
            "120 000 kr",
            None,
            "has 'kr' beside the number, which is not a currency sign lodcat knows; "
            "declare it in currency_signs",
        ),
        ("£ 5 000", "EUR", "is in GBP, but the mapping declares EUR for this column"),
        ("€ 5 000 zł", None, "states two currencies, EUR and PLN"),
    ],
)
def test_unknown_or_conflicting_currencies_are_refused(text: str, declared: str | None, message: str) -> None:
    with pytest.raises(TransformError) as error:
        parse_amount(text, number_format("1 234,5"), declared)
    assert reason(error) == message


@pytest.mark.parametrize(
    ("text", "fmt", "unit", "expected"),
    [
        ("50,00 %", "1234,5", "percent", "0.5"),
        ("18,13 %", "1234,5", "percent", "0.1813"),
        ("40%", "1234.5", "percent", "0.4"),
        ("50", "1234,5", "percent", "0.5"),
        ("0.4", "1234.5", "fraction", "0.4"),
        ("0%", "1234.5", "percent", "0"),
    ],
)
def test_rates_are_fractions(text: str, fmt: str, unit: str, expected: str) -> None:
    assert parse_rate(text, number_format(fmt), unit) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "unit", "message"),
    [
        ("150%", "percent", "is 150 %; a co-financing rate is between 0 and 100 %"),
        ("40 %", "fraction", "has a '%' sign, but the mapping declares the rate as a fraction (0 to 1)"),
        ("1.5", "fraction", "is 1.5; a co-financing rate is between 0 and 100 %"),
    ],
)
def test_impossible_rates_are_refused(text: str, unit: str, message: str) -> None:
    with pytest.raises(TransformError) as error:
        parse_rate(text, number_format("1234.5"), unit)
    assert reason(error) == message


# -- dates -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "formats", "expected"),
    [
        ("1. 5. 2009", ["D. M. YYYY"], "2009-05-01"),
        ("1.5.2009", ["D. M. YYYY"], "2009-05-01"),  # a space in the format matches none too
        ("01.01.2015", ["DD.MM.YYYY"], "2015-01-01"),
        ("2015-01-01", ["YYYY-MM-DD"], "2015-01-01"),
        ("01. Nov 15", ["DD. Mon YY"], "2015-11-01"),
        ("31. Dez 18", ["DD. Mon YY"], "2018-12-31"),  # German abbreviations in England's list
        ("10-Mrz-2016", ["DD-Mon-YYYY"], "2016-03-10"),
        ("Aug 15", ["DD. Mon YY", "Mon YY"], "2015-08"),  # only the month: xsd:gYearMonth
        ("2016", ["YYYY"], "2016"),
        ("25.05.2020 00:00", ["DD.MM.YYYY hh:mm"], "2020-05-25"),
        ("1 janvier 1999", ["D Mon YYYY"], "1999-01-01"),
        ("02/5/16", ["D/M/YY"], "2016-05-02"),
        ("05.02.71", ["DD.MM.YY"], "1971-02-05"),  # 70-99 are 1970-1999
    ],
)
def test_dates_keep_the_precision_of_the_format(text: str, formats: list[str], expected: str) -> None:
    assert parse_date(text, dates(*formats)) == expected


@pytest.mark.parametrize(
    ("text", "formats", "message"),
    [
        ("31/04/2014", ["DD/MM/YYYY"], "has no day 31 in April 2014 (DD/MM/YYYY)"),
        ("31-Nov-18", ["DD-Mon-YY"], "has no day 31 in November 2018 (DD-Mon-YY)"),
        ("29.02.2015", ["DD.MM.YYYY"], "has no day 29 in February 2015 (DD.MM.YYYY)"),
        ("13/13/2015", ["DD/MM/YYYY"], "has month 13; expected 1 to 12 (DD/MM/YYYY)"),
        ("01. Foo 15", ["DD. Mon YY"], "has 'Foo', which is not a month name lodcat knows"),
        ("2015-01-01", ["DD.MM.YYYY", "YYYY"], "is not a date written as 'DD.MM.YYYY' or 'YYYY'"),
    ],
)
def test_impossible_or_unexpected_dates_are_refused(text: str, formats: list[str], message: str) -> None:
    with pytest.raises(TransformError) as error:
        parse_date(text, dates(*formats))
    assert reason(error) == message


@pytest.mark.parametrize(
    ("fmt", "message"),
    [
        ("DD.MM", "'DD.MM' is not a date format: it has no year (YYYY or YY)"),
        ("DD.YYYY", "'DD.YYYY' is not a date format: it has a day but no month"),
        ("YYYY-YYYY", "'YYYY-YYYY' is not a date format: a token appears twice"),
    ],
)
def test_date_formats_are_checked(fmt: str, message: str) -> None:
    with pytest.raises(TransformError) as error:
        DateFormat.compile(fmt)
    assert reason(error) == message


# -- codes, hashes, code lists ---------------------------------------------------------------------------


def test_a_project_code_becomes_the_id_the_sample_record_uses() -> None:
    record = json.loads((DATA / "seed-000-tabor-wels.json").read_text(encoding="utf-8"))
    (project,) = record["projects"]
    assert normalise_code(project["codes"][0]["value"]) == project["id"] == "CZ.04.4.83-3.2.03.1-0448"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (" 08.4.1-ESFA-V-405-01-0001 ", "08.4.1-ESFA-V-405-01-0001"),
        ("672 / 101002298611", "672-101002298611"),
        ("2CADAC_00089", "2CADAC_00089"),
        ("Nr. 12/2015", "Nr.-12-2015"),
    ],
)
def test_codes_are_normalised_the_same_way_everywhere(text: str, expected: str) -> None:
    assert normalise_code(text) == expected


def test_a_code_without_letters_or_digits_is_refused() -> None:
    with pytest.raises(TransformError) as error:
        normalise_code(" / ")
    assert reason(error) == "has no letter or digit to build a project id from"


def test_hash_ids_ignore_case_and_spacing_but_not_content() -> None:
    first = stable_hash(["Budowa drogi S51", "GENERALNA DYREKCJA"])
    assert first == stable_hash(["  budowa  drogi s51", "Generalna Dyrekcja "])
    assert first != stable_hash(["Budowa drogi S51", "GENERALNA DYREKCJA 2"])
    assert first != stable_hash(["Budowa drogi S51 GENERALNA", "DYREKCJA"])  # the column boundary counts
    assert first == "8f646cee8a7d46de"  # stable across runs and machines


def test_code_lists_map_source_values_to_notations() -> None:
    statuses = CodeList(
        {"Įgyvendinimas": "ongoing", "Baigtas įgyvendinti": "finished", "Nesudaryta sutartis": ""}
    )
    assert statuses.lookup("įgyvendinimas") == "ongoing"
    assert statuses.lookup("Baigtas  įgyvendinti ") == "finished"
    assert statuses.lookup("Nesudaryta sutartis") == ""  # stated, but no lodcat concept: left out
    with pytest.raises(TransformError) as error:
        statuses.lookup("Nutrauktas")
    assert reason(error) == (
        "is not in the code list of this column (known: 'Baigtas įgyvendinti', 'Nesudaryta sutartis', "
        "'Įgyvendinimas')"
    )


# -- personal data ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "word"),
    [
        ("tél.", "tel"),
        ("email", "email"),
        ("E-Mail-Adresse", "e mail"),
        ("contact", "contact"),
        ("Kontaktperson / Contacts", "kontaktperson"),
        ("projektledare", "projektledare"),
        ("telnr", "telnr"),
        ("e-post", "e post"),
        ("Ansprechpartner", "ansprechpartner"),
        ("Osoba kontaktowa", "osoba kontaktowa"),
        ("Phone number", "phone"),
    ],
)
def test_personal_data_headers_in_several_languages(header: str, word: str) -> None:
    assert personal_header(header) == word


@pytest.mark.parametrize(
    "header",
    [
        "Kontraktstatus",
        "Telematics",
        "Hotel",
        "Bezeichnung des Vorhabens",
        "bénéficiaire",
        "Postnr",
        "adresse",
    ],
)
def test_ordinary_headers_are_not_personal(header: str) -> None:
    assert personal_header(header) is None


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("michela.spanoghe@mrmb.be", "an e-mail address"),
        ("a.b@example.org; c.d@example.org", "an e-mail address"),
        ("071/20.64.09", "a phone number"),
        ("065/32 87 83", "a phone number"),
        ("09/2682711", "a phone number"),
        ("+39 0575 40281", "a phone number"),
        ("Tel. +420 577 043 411", "a phone number"),
    ],
)
def test_personal_data_values(value: str, kind: str) -> None:
    assert personal_value(value) == kind


@pytest.mark.parametrize(
    "value",
    [
        "00151513",  # a Slovak company number (IČO)
        "01.04.2015",
        "0949/2015",  # a contract number
        "475 000",
        "1568930487.38",
        "08.4.1-ESFA-V-405-01-0001",
        "info: see www.example.org",
        "Contact us at info@example.org for details",  # an address inside a text is no column of them
    ],
)
def test_ordinary_values_are_not_personal(value: str) -> None:
    assert personal_value(value) is None
