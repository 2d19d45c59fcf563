"""Configuration: unknown keys and unsafe thresholds are refused, paths resolve."""

from __future__ import annotations

import pytest

from pipelines import config


def test_defaults_when_sections_are_absent():
    s = config.parse_settings({})
    assert s.threshold == 5
    assert s.db_path == config.ROOT / "data" / "lagesbild.duckdb"


@pytest.mark.parametrize(
    "raw, fragment",
    [
        ({"disclosure": {"treshold": 5}}, "treshold"),
        ({"dashboard": {}}, "dashboard"),
        ({"disclosure": {"threshold": 2}}, "under 3"),
        ({"disclosure": {"threshold": "5"}}, "heltal"),
    ],
)
def test_bad_configuration_is_an_error_naming_the_key(raw, fragment):
    with pytest.raises(config.ConfigError, match=fragment):
        config.parse_settings(raw)


def test_db_path_precedence(monkeypatch, tmp_path):
    monkeypatch.setenv(config.DB_ENV, str(tmp_path / "env.duckdb"))
    assert config.db_path() == tmp_path / "env.duckdb"
    assert config.db_path(tmp_path / "arg.duckdb") == tmp_path / "arg.duckdb"
    monkeypatch.delenv(config.DB_ENV)
    assert config.db_path() == config.settings().db_path


def test_shipped_config_file_is_valid():
    assert config.settings().threshold >= config.MIN_THRESHOLD
