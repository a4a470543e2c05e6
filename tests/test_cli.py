"""The `lodcat` command as a real process: output, exit codes 0 / 1 / 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import DATA, ROOT
from tests.test_records import seed, write


def lodcat(*arguments: str, store: Path | None = None, **environ: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **environ}
    if store is not None:
        env["LODCAT_STORE"] = str(store)
    return subprocess.run(
        [sys.executable, "-m", "loader.cli", *arguments],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
    )


def test_validate_sample_data_exits_0() -> None:
    result = lodcat("validate", str(DATA))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "validate: 5 sources: 5 valid"


def test_validate_broken_record_exits_1_with_the_problem_on_stderr(tmp_path: Path) -> None:
    data = seed()
    data["projects"][0]["status"] = None
    data["projects"][0]["stauts"] = "finished"
    path = write(tmp_path, data)
    result = lodcat("validate", str(path))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"{path}: record vzdelani-pracovniku-socialni-sluzby: field 'stauts': unknown field"
    ]
    assert "validate: 1 sources: 1 refused" in result.stdout


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    result = lodcat("validate", str(tmp_path / "nothing.json"))
    assert result.returncode == 2
    assert result.stderr == f"lodcat: {tmp_path / 'nothing.json'}: no such file or directory\n"


def test_unknown_command_is_a_usage_error() -> None:
    assert lodcat("publish").returncode == 2


def test_bad_environment_is_a_usage_error() -> None:
    result = lodcat("validate", str(DATA), PORT="eighty")
    assert result.returncode == 2
    assert result.stderr == "lodcat: PORT has value 'eighty'; expected an integer\n"


def test_load_then_reload_reports_unchanged(tmp_path: Path) -> None:
    store = tmp_path / "store"
    first = lodcat("load", str(DATA), store=store)
    assert first.returncode == 0, first.stderr
    assert "5 loaded" in first.stdout.splitlines()[-1] or "8 loaded" in first.stdout.splitlines()[-1]
    second = lodcat("load", str(DATA), store=store)
    assert second.returncode == 0
    assert second.stdout.splitlines()[-1].endswith("unchanged")
    assert " loaded" not in second.stdout.splitlines()[-1]


def test_load_with_a_refused_source_exits_1_and_loads_the_rest(tmp_path: Path) -> None:
    folder = tmp_path / "records"
    folder.mkdir()
    for path in DATA.glob("*.json"):
        (folder / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    broken = seed()
    broken["source"]["id"] = "broken"
    broken["projects"][0]["id"] = "broken-project"
    broken["projects"][0]["start"] = "May 2009"
    path = write(folder, broken, "zz-broken.json")
    result = lodcat("load", str(folder), store=tmp_path / "store")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"{path}: record broken-project: field 'start': 'May 2009' is not a date; expected YYYY, YYYY-MM or "
        "YYYY-MM-DD"
    ]
    assert "5 loaded" in result.stdout or "8 loaded" in result.stdout
    assert f"refused   {path}: 1 problem(s)" in result.stdout


def test_schema_check_passes_on_the_committed_schema() -> None:
    assert lodcat("schema", "--check").returncode == 0


def test_load_into_a_store_another_process_holds_names_the_reason(tmp_path: Path) -> None:
    from loader.store import LodStore

    store = tmp_path / "store"
    holder = LodStore(store)
    result = lodcat("load", str(DATA), store=store)
    assert result.returncode == 2
    assert result.stderr.startswith(f"lodcat: {store}: cannot open the Oxigraph store: ")
    assert result.stderr.rstrip().endswith(
        "another process (a running `lodcat serve`?) has it open: stop it, or write through /admin"
    )
    assert len(holder) == 0
