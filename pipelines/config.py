"""Paths and configuration: the one anchor for where things live.

Configuration is read from ``lagesbild.toml`` at the project root. Unknown sections or
keys are an error rather than a silent default, so a misspelt setting is noticed.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "data"
REFERENCE_DIR = DATA_DIR / "reference"
CONFIG_FILE = ROOT / "lagesbild.toml"
DB_ENV = "LAGESBILD_DB"

_ALLOWED = {
    "disclosure": {"threshold"},
    "database": {"path"},
}
MIN_THRESHOLD = 3


class ConfigError(ValueError):
    """The configuration file is wrong; the message says which key and why."""


@dataclass(frozen=True)
class Settings:
    threshold: int = 5
    db_path: Path = DATA_DIR / "lagesbild.duckdb"


def parse_settings(raw: dict, source: str = "lagesbild.toml") -> Settings:
    """Validate a parsed TOML mapping and return settings (unknown keys raise)."""
    for section, values in raw.items():
        if section not in _ALLOWED:
            raise ConfigError(f"{source}: okänd sektion [{section}]")
        if not isinstance(values, dict):
            raise ConfigError(f"{source}: [{section}] måste vara en sektion")
        for key in values:
            if key not in _ALLOWED[section]:
                raise ConfigError(f"{source}: okänd nyckel '{key}' i [{section}]")
    threshold = raw.get("disclosure", {}).get("threshold", 5)
    if not isinstance(threshold, int) or isinstance(threshold, bool):
        raise ConfigError(f"{source}: disclosure.threshold måste vara ett heltal")
    if threshold < MIN_THRESHOLD:
        raise ConfigError(
            f"{source}: disclosure.threshold är {threshold}, får aldrig vara under {MIN_THRESHOLD}"
        )
    db = Path(raw.get("database", {}).get("path", "data/lagesbild.duckdb"))
    if not db.is_absolute():
        db = ROOT / db
    return Settings(threshold=threshold, db_path=db)


@lru_cache(maxsize=1)
def settings() -> Settings:
    """Settings from lagesbild.toml (defaults when the file is absent)."""
    if not CONFIG_FILE.exists():
        return Settings()
    with CONFIG_FILE.open("rb") as fh:
        return parse_settings(tomllib.load(fh), CONFIG_FILE.name)


def db_path(explicit: str | os.PathLike | None = None) -> Path:
    """The database file: ``--db`` if given, else $LAGESBILD_DB, else the configured default."""
    if explicit:
        return Path(explicit).expanduser().resolve()
    env = os.environ.get(DB_ENV)
    if env:
        return _resolved(env, os.getcwd())
    return settings().db_path


@lru_cache(maxsize=16)
def _resolved(text: str, cwd: str) -> Path:
    # The dashboard asks for the path before every query; resolving it walks the file
    # system each time. ``cwd`` is part of the key because a relative path depends on it.
    del cwd
    return Path(text).expanduser().resolve()
