"""Generate realistic synthetic record files (`python -m bench.generate --projects 100000`).

Projects look like the sample data (titles in cs, lt, de or en, an ~800-character description, dates at
day, month or year precision, programme, fund, budget in CZK or EUR with a rate, NUTS regions, 2-5
participations of shared organisations, 3 indicators). The same seed gives the same files.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any

WORDS = {
    "cs": [
        "sociální",
        "služby",
        "vzdělávání",
        "pracovníků",
        "rozvoj",
        "komunitní",
        "plánování",
        "podpora",
        "partnerství",
        "kraj",
        "obce",
        "integrace",
        "transformace",
        "kvalita",
        "poskytovatelé",
        "zadavatelé",
        "rodiny",
        "mládež",
        "senioři",
        "bydlení",
        "zaměstnanost",
    ],
    "lt": [
        "socialinės",
        "paslaugos",
        "globos",
        "pertvarka",
        "bendruomenė",
        "mokymai",
        "darbuotojai",
        "vaikai",
        "šeimos",
        "savivaldybės",
        "kompetencija",
        "bendradarbiavimas",
        "projektas",
        "institucinės",
        "regionas",
        "užimtumas",
    ],
    "de": [
        "soziale",
        "Dienste",
        "Weiterbildung",
        "Fachkräfte",
        "Gemeinden",
        "Region",
        "Partnerschaft",
        "Integration",
        "Qualität",
        "Familien",
        "Jugend",
        "Wohnen",
        "Beschäftigung",
        "Entwicklung",
        "Förderung",
    ],
    "en": [
        "social",
        "services",
        "training",
        "workers",
        "community",
        "planning",
        "partnership",
        "region",
        "municipalities",
        "integration",
        "quality",
        "families",
        "youth",
        "housing",
        "employment",
        "development",
        "support",
    ],
}
COUNTRIES = {"cs": "CZE", "lt": "LTU", "de": "AUT", "en": "CZE"}
REGIONS = {
    "CZE": [
        "CZ010",
        "CZ020",
        "CZ031",
        "CZ032",
        "CZ041",
        "CZ042",
        "CZ051",
        "CZ052",
        "CZ053",
        "CZ063",
        "CZ064",
        "CZ071",
        "CZ072",
        "CZ080",
    ],
    "LTU": ["LT011", "LT021", "LT022", "LT023", "LT024", "LT025", "LT026", "LT027", "LT028", "LT029"],
    "AUT": ["AT111", "AT121", "AT130", "AT211", "AT221", "AT311", "AT312", "AT323", "AT332", "AT341"],
}
PROGRAMMES = [("op-lzz", "esf"), ("op-rlz", "esf"), ("cz-at-2000-2006", "interreg")]
ROLES = ["coordinator", "beneficiary", "implementer", "partner", "contractor"]
INDICATORS = [
    ("people-trained", "person"),
    ("participants", "person"),
    ("seminars-held", "seminar"),
    ("workshops-held", "workshop"),
    ("consultation-hours", "hour"),
]
TARGETS = [
    "social-services-staff",
    "public-administration-staff",
    "homeless-people",
    "families-at-risk",
    "youth-leaving-institutional-care",
    "ngo-staff",
]


def _sentence(rng: random.Random, language: str, words: int) -> str:
    return " ".join(rng.choice(WORDS[language]) for _ in range(words)).capitalize()


def _date(rng: random.Random, year: int) -> str:
    precision = rng.random()
    if precision < 0.6:
        return f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    if precision < 0.9:
        return f"{year}-{rng.randint(1, 12):02d}"
    return str(year)


def project(rng: random.Random, number: int, organisations: list[str]) -> dict[str, Any]:
    language = rng.choice(["cs", "cs", "cs", "lt", "de", "en"])
    country = COUNTRIES[language]
    start_year = rng.randint(2000, 2022)
    programme, fund = rng.choice(PROGRAMMES)
    currency = "CZK" if country == "CZE" and rng.random() < 0.8 else "EUR"
    amount = rng.randint(50_000, 50_000_000)
    participants = rng.sample(organisations, rng.randint(2, 5))
    record: dict[str, Any] = {
        "id": f"SYN-{number:07d}",
        "title": {language: _sentence(rng, language, rng.randint(4, 10))},
        "description": {language: ". ".join(_sentence(rng, language, 12) for _ in range(8)) + "."},
        "codes": [{"value": f"CZ.{number // 1000:04d}/{number % 1000:03d}", "type": "project-code"}],
        "status": rng.choice(["finished", "finished", "ongoing"]),
        "start": _date(rng, start_year),
        "end": _date(rng, start_year + rng.randint(1, 4)),
        "programme": programme,
        "funds": [fund],
        "funding": [
            {
                "id": "total",
                "type": "total-budget",
                "amount": f"{amount}.00",
                "currency": currency,
                "rate": f"0.{rng.randint(50, 95)}",
                "text": f"{amount:,} {currency}".replace(",", " "),
            }
        ],
        "participants": [
            {"organisation": organisation, "role": "coordinator" if index == 0 else rng.choice(ROLES[1:])}
            for index, organisation in enumerate(participants)
        ],
        "countries": [country],
        "regions": [rng.choice(REGIONS[country])],
        "target_groups": [{"concept": rng.choice(TARGETS), "text": {language: _sentence(rng, language, 3)}}],
        "indicators": [],
    }
    for index, (measure, unit) in enumerate(rng.sample(INDICATORS, 3)):
        value = rng.randint(1, 2000)
        record["indicators"].append(
            {
                "id": f"i{index}",
                "value": value,
                "unit": unit,
                "measure": measure,
                "label": {language: _sentence(rng, language, 3)},
                "source_text": {language: f"{_sentence(rng, language, 5)} {value}."},
            }
        )
    return record


def organisation(rng: random.Random, number: int) -> dict[str, Any]:
    language = rng.choice(["cs", "lt", "de"])
    country = COUNTRIES[language]
    return {
        "id": f"org-{number:06d}",
        "name": {language: _sentence(rng, language, 3)},
        "country": country,
        "region": rng.choice(REGIONS[country]),
        "company_number": f"{rng.randint(10_000_000, 99_999_999)}",
    }


def generate(projects: int, out: Path, per_file: int = 1000, seed: int = 1) -> list[Path]:
    """Write `projects` synthetic projects in files of `per_file`; return the files written."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    organisation_count = max(10, projects // 10)
    organisations = [organisation(rng, number) for number in range(organisation_count)]
    ids = [entry["id"] for entry in organisations]
    written = []
    for first in range(0, projects, per_file):
        chunk = [project(rng, number, ids) for number in range(first, min(first + per_file, projects))]
        used = {participation["organisation"] for entry in chunk for participation in entry["participants"]}
        document = {
            "source": {
                "id": f"synthetic-{first // per_file:05d}",
                "file": f"synthetic-{first // per_file:05d}.csv",
                "language": "cs",
            },
            "organisations": [entry for entry in organisations if entry["id"] in used],
            "projects": chunk,
        }
        path = out / f"synthetic-{first // per_file:05d}.json"
        path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--per-file", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("var/bench/records"))
    arguments = parser.parse_args()
    files = generate(arguments.projects, arguments.out, arguments.per_file, arguments.seed)
    print(f"wrote {arguments.projects} projects in {len(files)} files to {arguments.out}")


if __name__ == "__main__":
    main()
