"""Releases: a load that changes data bumps the version and says which projects it added/changed/removed."""

from __future__ import annotations

from pathlib import Path

from pyoxigraph import QuerySolutions

from loader.namespaces import Namespaces
from loader.pipeline import run
from loader.releases import current_version
from loader.settings import Settings
from loader.store import LodStore
from tests.conftest import DATA
from tests.test_records import seed, write

SEED_001 = DATA / "seed-001-vzdelani-pracovniku.json"


def release_changes(store: LodStore, ns: Namespaces, version: int) -> dict[str, list[str]]:
    result = store.query(
        f"SELECT ?kind ?project WHERE {{ <{ns.release(str(version)).value}> ?kind ?project "
        f"FILTER(?kind IN (<{ns.vocab}added>, <{ns.vocab}changed>, <{ns.vocab}removed>)) }}"
    )
    assert isinstance(result, QuerySolutions)
    found: dict[str, list[str]] = {"added": [], "changed": [], "removed": []}
    for row in result:
        kind, project = str(row["kind"]), str(row["project"])
        found[kind.strip("<>").rsplit("#", 1)[1]].append(project.strip("<>").rsplit("/", 1)[1])
    return {kind: sorted(projects) for kind, projects in found.items()}


def test_first_load_adds_every_project(store: LodStore, settings: Settings) -> None:
    report = run([DATA], settings, store)
    ns = Namespaces(settings.base_iri)
    assert report.release == 1
    assert current_version(store, ns) == 1
    assert release_changes(store, ns, 1) == {
        "added": [
            "08.4.1-ESFA-V-405-01-0001",
            "CZ.04.4.83-3.2.03.1-0448",
            "komunitni-planovani-zlinsky-kraj",
            "odborna-partnerstvi-stredocesky-kraj",
            "vzdelani-pracovniku-socialni-sluzby",
        ],
        "changed": [],
        "removed": [],
    }


def test_unchanged_reload_makes_no_release(store: LodStore, settings: Settings) -> None:
    run([DATA], settings, store)
    assert run([DATA], settings, store).release is None
    assert current_version(store, Namespaces(settings.base_iri)) == 1


def test_change_and_removal_are_recorded(store: LodStore, settings: Settings, tmp_path: Path) -> None:
    run([DATA], settings, store)
    ns = Namespaces(settings.base_iri)
    changed = seed()
    changed["projects"][0]["end"] = "2011-05-31"
    changed["projects"].append({"id": "new-project", "title": {"cs": "Nový projekt"}})
    assert run([write(tmp_path, changed)], settings, store).release == 2
    assert release_changes(store, ns, 2) == {
        "added": ["new-project"],
        "changed": ["vzdelani-pracovniku-socialni-sluzby"],
        "removed": [],
    }
    shrunk = seed()
    shrunk["projects"] = [{"id": "new-project", "title": {"cs": "Nový projekt"}}]
    assert run([write(tmp_path, shrunk)], settings, store).release == 3
    assert release_changes(store, ns, 3) == {
        "added": [],
        "changed": [],
        "removed": ["vzdelani-pracovniku-socialni-sluzby"],
    }
    assert current_version(store, ns) == 3
