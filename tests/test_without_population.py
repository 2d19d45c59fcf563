"""A warehouse with incidents but without SCB's population (not fetched yet): the pages
show the counts and say why nothing per inhabitant can be shown, and how to load it."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import loaded, open_page

pytestmark = pytest.mark.usefixtures("fast_apptest")


@pytest.fixture
def counts_only(empty_db, tmp_path) -> Path:
    lines = ["incident_id;occurred_at;incident_type;kommun_code"]
    # March 2024 and March 2025 (to its last day, so the month is whole): 20 and 40 incidents.
    lines += [f"t{year}-{i};{year}-03-{31 - i % 9} 12:00;skadegörelse;0138"
              for year in (2024, 2025) for i in range(40) if i % 2 or year == 2025]
    return loaded(empty_db, tmp_path, "tyreso.csv", lines)


def show(db: Path, name: str, monkeypatch, **params):
    return open_page(db, name, monkeypatch, {"period": "Välj månader", "fran": "mars 2025", "till": "mars 2025",
                                             **params})


def test_comparison_says_the_population_is_missing(counts_only, monkeypatch):
    at = show(counts_only, "jamforelse", monkeypatch)
    table = at.dataframe[0].shown.set_index("Polisregion")
    assert table.loc["Region Stockholm", "Antal"] == "40"  # the count is there
    assert table.loc["Region Stockholm", "Värde"] == "–"
    assert any("saknar befolkning" in c.value and "fetch scb" in c.value for c in at.caption), \
        [c.value for c in at.caption][:3]


def test_the_note_counts_the_areas_compared(counts_only, monkeypatch):
    at = show(counts_only, "jamforelse", monkeypatch, niva="Kommun", omrade="Tyresö")
    assert any("26 av 26 områden saknar befolkning" in c.value for c in at.caption), [c.value for c in at.caption][:3]


def test_map_per_inhabitant_says_the_population_is_missing(counts_only, monkeypatch):
    at = show(counts_only, "karta", monkeypatch)
    at.selectbox(key="matt").set_value("per100k").run()
    # The same words as Jämförelse's note (comparison.population_missing), how to load it included.
    assert any("områden saknar befolkning" in i.value and "fetch scb" in i.value for i in at.info), \
        [i.value for i in at.info]
