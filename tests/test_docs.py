"""README stays true: every variable Settings reads is documented, and the documented paths exist."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_environment_variable_is_in_the_configuration_table() -> None:
    source = (ROOT / "loader" / "settings.py").read_text(encoding="utf-8")
    read = set(re.findall(r'"((?:HOST|PORT|LODCAT_[A-Z_]+))"', source))
    documented = set(re.findall(r"^\| `((?:HOST|PORT|LODCAT_[A-Z_]+))` \|", README, re.MULTILINE))
    assert read, "no variables found in settings.py"
    assert read == documented


def test_the_two_commands_come_first() -> None:
    run_and_test = README.index("## Run and test")
    assert README.index("make run", run_and_test) < README.index("## Endpoints")
    assert README.index("make test", run_and_test) < README.index("## Endpoints")


def test_documented_api_paths_exist(client: TestClient) -> None:
    paths = set(client.get("/openapi.json").json()["paths"])
    documented = set(re.findall(r"^\| `(/api/v1/[a-z./{}-]+)", README, re.MULTILINE))
    assert documented
    for path in documented:
        assert path in paths, path


def test_exit_codes_are_documented() -> None:
    for code in ("| `0` |", "| `1` |", "| `2` |"):
        assert code in README
