"""Settings.from_env: every variable, its default and its parsing."""

from __future__ import annotations

from pathlib import Path

import pytest

from loader.errors import SettingsError
from loader.settings import Settings


def test_defaults_serve_on_localhost_8000() -> None:
    settings = Settings.from_env({})
    assert (settings.host, settings.port, settings.store_path) == ("127.0.0.1", 8000, Path("var/store"))
    assert settings.base_iri == "http://127.0.0.1:8000/"
    assert settings.query_timeout == 30.0


def test_host_port_store_and_base_iri_are_honoured() -> None:
    settings = Settings.from_env(
        {
            "HOST": "0.0.0.0",
            "PORT": "8123",
            "LODCAT_STORE": "/tmp/s",
            "LODCAT_BASE_IRI": "https://data.example.org/lod",
        }
    )
    assert (settings.host, settings.port, settings.store_path) == ("0.0.0.0", 8123, Path("/tmp/s"))
    assert settings.base_iri == "https://data.example.org/lod/"


def test_base_iri_follows_port_when_not_set() -> None:
    assert Settings.from_env({"PORT": "9000"}).base_iri == "http://127.0.0.1:9000/"
    assert Settings.from_env({"HOST": "0.0.0.0", "PORT": "9000"}).base_iri == "http://127.0.0.1:9000/"


def test_port_that_is_not_a_number_names_the_variable() -> None:
    with pytest.raises(SettingsError) as error:
        Settings.from_env({"PORT": "eighty"})
    assert str(error.value) == "PORT has value 'eighty'; expected an integer"


def test_base_iri_must_be_http() -> None:
    with pytest.raises(SettingsError) as error:
        Settings.from_env({"LODCAT_BASE_IRI": "urn:x:"})
    assert str(error.value) == "LODCAT_BASE_IRI has value 'urn:x:'; expected an http(s) IRI"


def test_query_timeout_must_be_a_number() -> None:
    with pytest.raises(SettingsError) as error:
        Settings.from_env({"LODCAT_QUERY_TIMEOUT": "soon"})
    assert str(error.value) == "LODCAT_QUERY_TIMEOUT has value 'soon'; expected a number"


def test_admin_token_and_limits_are_read() -> None:
    settings = Settings.from_env(
        {
            "LODCAT_ADMIN_TOKEN": "t",
            "LODCAT_QUERY_WORKERS": "4",
            "LODCAT_MAX_RESULT_BYTES": "1000",
            "LODCAT_MAX_BODY_BYTES": "2000",
            "LODCAT_CACHE_CONTROL": "no-cache",
        }
    )
    assert (settings.admin_token, settings.query_workers) == ("t", 4)
    assert (settings.max_result_bytes, settings.max_body_bytes, settings.cache_control) == (
        1000,
        2000,
        "no-cache",
    )
    assert settings.checkpoints_path == Path("var/store-checkpoints")
