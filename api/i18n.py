"""The reader's language: interface strings in English and Czech, labels from the data, numbers and dates.

- The interface language is `?lang=` (which the page remembers in the `lodcat_lang` cookie), else the
  cookie, else the best of Accept-Language (RFC 9110, 12.5.4), else English.
- A label is shown in the reader's language when the data has it; otherwise in the language of the
  source, marked as such (a `lang` attribute and a visible tag, e.g. "lt").
- Amounts keep their currency and are never added across currencies: "8 464 591,00 CZK" in Czech (a
  no-break space between thousands, a decimal comma), "8,464,591.00 CZK" in English. Dates are shown
  as the source states them, at their precision (2009-05-01, 2011-06, 2016), ranges with an en dash.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

LANGUAGES = ("en", "cs")
DEFAULT = "en"
COOKIE = "lodcat_lang"
NBSP = "\u00a0"
EN_DASH = "\u2013"

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "site": "lodcat",
        "tagline": "Publicly funded projects as linked open data",
        "skip": "Skip to content",
        "home": "Home",
        "search": "Search",
        "search_label": "Search projects",
        "search_hint": (
            "Titles, descriptions, organisations and outputs; diacritics and word endings do not matter."
        ),
        "search_button": "Search",
        "results": "{count} projects",
        "results_one": "1 project",
        "results_none": "No project matches.",
        "results_for": "for “{q}”",
        "no_results_help": "Try fewer words, or remove a filter.",
        "filters": "Filters",
        "active_filters": "Active filters",
        "remove_filter": "Remove filter {label}",
        "clear_filters": "Clear all filters",
        "more_values": "{count} more",
        "sort": "Sort by",
        "sort_default": "best match first",
        "sort_relevance": "relevance",
        "sort_title": "title, A to Z",
        "sort_-title": "title, Z to A",
        "sort_start": "start, oldest first",
        "sort_-start": "start, newest first",
        "sort_end": "end, earliest first",
        "sort_-end": "end, latest first",
        "apply": "Apply",
        "page": "Page {page} of {pages}",
        "previous": "Previous page",
        "next": "Next page",
        "pagination": "Pages",
        "facet_country": "Country",
        "facet_region": "Region",
        "facet_programme": "Programme",
        "facet_fund": "Fund",
        "facet_status": "Status",
        "facet_period": "Programming period",
        "facet_target_group": "Target group",
        "charts": "Funding and results",
        "charts_note": (
            "Total budgets as the sources state them, per currency: amounts in CZK and EUR "
            "are never added together."
        ),
        "chart_fund": "Total budget by fund",
        "chart_programme": "Total budget by programme",
        "chart_year": "Total budget by start year",
        "chart_indicators": "Indicator totals (achieved values)",
        "chart_empty": "No amounts stated.",
        "chart_table": "The numbers as a table",
        "projects_count": "{count} projects",
        "language": "Language",
        "in_language": "in {language}",
        "original_language": "Shown in the original language ({language}); the source has no {reader} text.",
        "project": "Project",
        "organisation": "Organisation",
        "programme": "Programme",
        "fund": "Fund",
        "region": "Region",
        "country": "Country",
        "place": "Place",
        "concept": "Concept",
        "scheme": "Concept scheme",
        "source": "Source document",
        "identifier": "Identifier",
        "codes": "Codes",
        "project_code": "Project code",
        "application_number": "Application number",
        "accreditation_number": "Accreditation number",
        "period": "Period",
        "start": "Start",
        "end": "End",
        "from_date": "from {date}",
        "until_date": "until {date}",
        "status": "Status",
        "funds": "Funds",
        "co_financed_by": "Co-financed by",
        "programming_period": "Programming period",
        "funding": "Funding",
        "funding_type": "Type",
        "amount": "Amount",
        "rate": "Co-financing rate",
        "source_text": "Source text",
        "no_currency": "currency not stated",
        "partners": "Organisations and roles",
        "role": "Role",
        "places": "Places",
        "countries": "Countries",
        "regions": "Regions",
        "target_groups": "Target groups",
        "activities": "Activities",
        "indicators": "Indicators",
        "indicator": "Indicator",
        "value": "Value",
        "unit": "Unit",
        "planned": "planned",
        "outputs": "Outputs",
        "output_type": "Type",
        "quantity": "Quantity",
        "accredited_by": "Accredited by",
        "events": "Events",
        "date": "Date",
        "notes": "Notes",
        "website": "Website",
        "description": "Description",
        "alternative_titles": "Also known as",
        "provenance": "Source and provenance",
        "source_file": "Source file",
        "source_language": "Language of the source",
        "source_url": "Page",
        "stated_dates": "Dates the source states",
        "graph": "Named graph",
        "published": "Published",
        "content_hash": "Content hash",
        "data_formats": "This page as data",
        "part_of": "Part of",
        "has_parts": "Units",
        "address": "Address",
        "company_number": "Company number",
        "data_box": "Data box",
        "alternative_names": "Other names",
        "projects": "Projects",
        "projects_of_organisation": "Projects and roles",
        "outputs_accredited": "Outputs it accredited",
        "organisations": "Organisations",
        "totals": "Total budgets",
        "totals_note": "Per currency; amounts in different currencies are not added.",
        "currency": "Currency",
        "projects_with_amount": "Projects",
        "definition": "Definition",
        "notation": "Notation",
        "labels": "Labels",
        "broader": "Broader",
        "narrower": "Narrower",
        "related": "Related",
        "close_match": "Close match",
        "in_scheme": "Scheme",
        "concepts": "Concepts",
        "all_projects_in": "All {count} projects in the search",
        "external_iri": "Identifier outside lodcat",
        "not_found_title": "Page not found",
        "not_found_text": "There is no page at {path}.",
        "not_found_help": (
            "The address may be mistyped, or the thing it names is not in the catalogue (any more)."
        ),
        "not_found_search": "Search the catalogue instead:",
        "not_found_links": "Or start from the home page, the SPARQL query page or the API documentation.",
        "index_building": "The search index is being built; results will appear in a minute.",
        "query_page": "SPARQL query page",
        "sparql": "SPARQL endpoint",
        "api": "REST API",
        "catalogue": "DCAT catalogue",
        "footer": "Data: {license}. Everything on these pages is also available as RDF.",
        "yes": "yes",
        "none": "none",
        "more_projects": "and {count} more",
    },
    "cs": {
        "site": "lodcat",
        "tagline": "Projekty z veřejných peněz jako propojená otevřená data",
        "skip": "Přeskočit na obsah",
        "home": "Úvod",
        "search": "Hledat",
        "search_label": "Hledat projekty",
        "search_hint": "Názvy, popisy, organizace a výstupy; na diakritice a koncovkách slov nezáleží.",
        "search_button": "Hledat",
        "results": "{count} projektů",
        "results_one": "1 projekt",
        "results_none": "Žádný projekt neodpovídá.",
        "results_for": "pro „{q}“",
        "no_results_help": "Zkuste méně slov nebo odeberte filtr.",
        "filters": "Filtry",
        "active_filters": "Použité filtry",
        "remove_filter": "Odebrat filtr {label}",
        "clear_filters": "Zrušit všechny filtry",
        "more_values": "dalších {count}",
        "sort": "Řadit podle",
        "sort_default": "nejlepší shoda",
        "sort_relevance": "relevance",
        "sort_title": "názvu, A až Z",
        "sort_-title": "názvu, Z až A",
        "sort_start": "začátku, nejstarší první",
        "sort_-start": "začátku, nejnovější první",
        "sort_end": "konce, nejdřívější první",
        "sort_-end": "konce, nejpozdější první",
        "apply": "Použít",
        "page": "Strana {page} z {pages}",
        "previous": "Předchozí strana",
        "next": "Další strana",
        "pagination": "Stránky",
        "facet_country": "Země",
        "facet_region": "Region",
        "facet_programme": "Program",
        "facet_fund": "Fond",
        "facet_status": "Stav",
        "facet_period": "Programové období",
        "facet_target_group": "Cílová skupina",
        "charts": "Financování a výsledky",
        "charts_note": (
            "Celkové rozpočty, jak je uvádějí zdroje, po měnách: částky v CZK a EUR se nikdy nesčítají."
        ),
        "chart_fund": "Celkový rozpočet podle fondu",
        "chart_programme": "Celkový rozpočet podle programu",
        "chart_year": "Celkový rozpočet podle roku zahájení",
        "chart_indicators": "Součty indikátorů (dosažené hodnoty)",
        "chart_empty": "Žádné uvedené částky.",
        "chart_table": "Čísla v tabulce",
        "projects_count": "{count} projektů",
        "language": "Jazyk",
        "in_language": "{language}",
        "original_language": (
            "Zobrazeno v původním jazyce ({language}); zdroj neobsahuje text v jazyce {reader}."
        ),
        "project": "Projekt",
        "organisation": "Organizace",
        "programme": "Program",
        "fund": "Fond",
        "region": "Region",
        "country": "Země",
        "place": "Místo",
        "concept": "Pojem",
        "scheme": "Číselník",
        "source": "Zdrojový dokument",
        "identifier": "Identifikátor",
        "codes": "Kódy",
        "project_code": "Registrační číslo projektu",
        "application_number": "Číslo žádosti",
        "accreditation_number": "Číslo akreditace",
        "period": "Období",
        "start": "Začátek",
        "end": "Konec",
        "from_date": "od {date}",
        "until_date": "do {date}",
        "status": "Stav",
        "funds": "Fondy",
        "co_financed_by": "Spolufinancováno z",
        "programming_period": "Programové období",
        "funding": "Financování",
        "funding_type": "Druh",
        "amount": "Částka",
        "rate": "Míra spolufinancování",
        "source_text": "Text zdroje",
        "no_currency": "měna neuvedena",
        "partners": "Organizace a jejich role",
        "role": "Role",
        "places": "Místa",
        "countries": "Země",
        "regions": "Regiony",
        "target_groups": "Cílové skupiny",
        "activities": "Aktivity",
        "indicators": "Indikátory",
        "indicator": "Indikátor",
        "value": "Hodnota",
        "unit": "Jednotka",
        "planned": "plánováno",
        "outputs": "Výstupy",
        "output_type": "Druh",
        "quantity": "Množství",
        "accredited_by": "Akreditoval",
        "events": "Události",
        "date": "Datum",
        "notes": "Poznámky",
        "website": "Web",
        "description": "Popis",
        "alternative_titles": "Také nazýván",
        "provenance": "Zdroj a původ dat",
        "source_file": "Zdrojový soubor",
        "source_language": "Jazyk zdroje",
        "source_url": "Stránka",
        "stated_dates": "Data uvedená ve zdroji",
        "graph": "Pojmenovaný graf",
        "published": "Zveřejněno",
        "content_hash": "Otisk obsahu",
        "data_formats": "Tato stránka jako data",
        "part_of": "Součást",
        "has_parts": "Součásti",
        "address": "Adresa",
        "company_number": "IČO",
        "data_box": "Datová schránka",
        "alternative_names": "Další názvy",
        "projects": "Projekty",
        "projects_of_organisation": "Projekty a role",
        "outputs_accredited": "Akreditované výstupy",
        "organisations": "Organizace",
        "totals": "Celkové rozpočty",
        "totals_note": "Po měnách; částky v různých měnách se nesčítají.",
        "currency": "Měna",
        "projects_with_amount": "Projekty",
        "definition": "Definice",
        "notation": "Kód",
        "labels": "Názvy",
        "broader": "Nadřazený",
        "narrower": "Podřazené",
        "related": "Související",
        "close_match": "Blízká shoda",
        "in_scheme": "Číselník",
        "concepts": "Pojmy",
        "all_projects_in": "Všech {count} projektů ve vyhledávání",
        "external_iri": "Identifikátor mimo lodcat",
        "not_found_title": "Stránka nenalezena",
        "not_found_text": "Na adrese {path} žádná stránka není.",
        "not_found_help": "Adresa je možná překlepnutá, nebo věc, kterou označuje, v katalogu není (už).",
        "not_found_search": "Zkuste katalog prohledat:",
        "not_found_links": "Nebo začněte na úvodní stránce, na stránce dotazů SPARQL nebo v dokumentaci API.",
        "index_building": "Vyhledávací index se právě vytváří; výsledky se objeví za minutu.",
        "query_page": "Stránka dotazů SPARQL",
        "sparql": "SPARQL endpoint",
        "api": "REST API",
        "catalogue": "Katalog DCAT",
        "footer": "Data: {license}. Vše na těchto stránkách je k dispozici i jako RDF.",
        "yes": "ano",
        "none": "žádné",
        "more_projects": "a dalších {count}",
    },
}
LANGUAGE_NAMES = {
    "en": {
        "cs": "Czech",
        "lt": "Lithuanian",
        "de": "German",
        "en": "English",
        "sk": "Slovak",
        "pl": "Polish",
    },
    "cs": {
        "cs": "čeština",
        "lt": "litevština",
        "de": "němčina",
        "en": "angličtina",
        "sk": "slovenština",
        "pl": "polština",
    },
}
SWITCH_NAMES = {"en": "English", "cs": "Čeština"}


def accepted(header: str | None) -> list[str]:
    """The primary language tags of Accept-Language, best first (q=0 left out)."""
    ranked = []
    for position, part in enumerate((header or "").split(",")):
        tag, _, parameters = part.strip().partition(";")
        quality = 1.0
        found = re.search(r"q\s*=\s*([0-9.]+)", parameters)
        if found:
            try:
                quality = float(found[1])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            ranked.append((-quality, position, tag.split("-")[0].lower()))
    return [tag for _, _, tag in sorted(ranked)]


def choose(asked: str | None, cookie: str | None, accept_language: str | None) -> str:
    """The interface language: `?lang=`, else the cookie, else Accept-Language, else English."""
    for candidate in (asked, cookie):
        if candidate in LANGUAGES:
            return candidate
    return next((tag for tag in accepted(accept_language) if tag in LANGUAGES), DEFAULT)


@dataclass(frozen=True)
class Text:
    """A text to show: its `language` tag ("" for none) and whether it is not in the reader's language
    (then the page marks it)."""

    value: str
    language: str = ""
    foreign: bool = False


class Translator:
    """Interface strings, labels and formats in one reader's language."""

    def __init__(self, language: str) -> None:
        self.language = language if language in LANGUAGES else DEFAULT
        self.messages = MESSAGES[self.language]

    def __call__(self, key: str, **values: object) -> str:
        return self.messages.get(key, MESSAGES[DEFAULT].get(key, key)).format(**values)

    def language_name(self, tag: str) -> str:
        return LANGUAGE_NAMES[self.language].get(tag, tag)

    def pick(self, texts: Mapping[str, str], source: str | None = None) -> Text | None:
        """The text in the reader's language; else untagged; else in `source` (the source document's
        language), English, or the first language alphabetically, marked as foreign."""
        if not texts:
            return None
        for tag in (self.language, ""):
            if tag in texts:
                return Text(texts[tag], tag)
        for candidate in (source, "en", *sorted(texts)):
            if candidate and candidate in texts:
                return Text(texts[candidate], candidate, foreign=True)
        return None

    # -- numbers -------------------------------------------------------------------------------------

    def number(self, value: Decimal | int, places: int | None = None) -> str:
        """A number with grouped thousands: 8 464 591,00 (cs), 8,464,591.00 (en). `places`: decimals
        shown (None: as many as the value has, none for a whole number)."""
        number = Decimal(value)
        if places is None:
            exponent = number.normalize().as_tuple().exponent
            places = max(0, -exponent) if isinstance(exponent, int) else 0
        text = f"{number:,.{places}f}"
        if self.language == "cs":
            return text.replace(",", NBSP).replace(".", ",")
        return text

    def money(self, amount: Decimal | None, currency: str | None) -> str:
        """'8 464 591,00 CZK' (cs), '8,464,591.00 CZK' (en); no currency stated: the number alone."""
        if amount is None:
            return ""
        number = self.number(amount, 2)
        return f"{number}{NBSP}{currency}" if currency else number

    def percent(self, rate: Decimal) -> str:
        """A rate of 0.75 as '75 %' (cs) or '75%' (en)."""
        number = self.number(Decimal(rate) * 100)
        return f"{number}{NBSP}%" if self.language == "cs" else f"{number}%"

    def period(self, start: str | None, end: str | None) -> str:
        """'2009-05-01 \u2013 2011-04-30' (an en dash), each date at the precision the source gives."""
        if start and end:
            return f"{start} {EN_DASH} {end}"
        if start:
            return self("from_date", date=start)
        if end:
            return self("until_date", date=end)
        return ""
