"""Shared fixtures: a reference warehouse built once per session, copied per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipelines.build import build_reference_db

TEST_DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def reference_db_template(tmp_path_factory) -> Path:
    """A warehouse holding only the reference geography (built once)."""
    db = tmp_path_factory.mktemp("reference") / "reference.duckdb"
    build_reference_db(db)
    return db


@pytest.fixture
def empty_db(reference_db_template, tmp_path) -> Path:
    """A fresh copy of the reference warehouse for one test to load into."""
    db = tmp_path / "lagesbild.duckdb"
    shutil.copyfile(reference_db_template, db)
    return db
