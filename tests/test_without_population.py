"""A warehouse with incidents but without SCB's population (not fetched yet): the pages
show the counts and say why nothing per inhabitant can be shown, and how to load it."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.usefixtures("fast_apptest")

PAGES = Path(__file__).resolve().parents[1] / "dashboard" / "pages"


@pytest.fixture
def counts_only(empty_db, tmp_path) -> Path:
    from pipelines.loading import ingest

    lines = ["incident_id;occurred_at;incident_type;kommun_code"]
    # March 2024 and March 2025 (to its last day, so the month is whole): 20 and 40 incidents.
    lines += [f"t{year}-{i};{year}-03-{31 - i % 9} 12:00;skadegörelse;0138"
              for year in (2024, 2025) for i in range(40) if i % 2 or year == 2025]
    csv = tmp_path / "tyreso.csv"
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    [report] = ingest(empty_db, [csv])
    assert report.status == "ok", report.summary()
    return empty_db


def open_page(db: Path, page: str, monkeypatch, **params) -> AppTest:
    monkeypatch.setenv("LAGESBILD_DB", str(db))
    at = AppTest.from_file(str(PAGES / f"{page}.py"), default_timeout=120)
    for k, v in {"period": "Välj månader", "fran": "mars 2025", "till": "mars 2025", **params}.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_comparison_says_the_population_is_missing(counts_only, monkeypatch):
    at = open_page(counts_only, "jamforelse", monkeypatch)
    table = at.dataframe[0].value.set_index("Polisregion")
    assert table.loc["Region Stockholm", "Antal"] == "40"  # the count is there
    assert table.loc["Region Stockholm", "Värde"] == "–"
    assert any("saknar befolkning" in c.value and "fetch scb" in c.value for c in at.caption), \
        [c.value for c in at.caption][:3]


def test_the_note_counts_the_areas_compared(counts_only, monkeypatch):
    at = open_page(counts_only, "jamforelse", monkeypatch, niva="Kommun", omrade="Tyresö")
    assert any("26 av 26 områden saknar befolkning" in c.value for c in at.caption), [c.value for c in at.caption][:3]


def test_map_per_inhabitant_says_the_population_is_missing(counts_only, monkeypatch):
    at = open_page(counts_only, "karta", monkeypatch)
    at.selectbox(key="matt").set_value("per100k").run()
    assert any("Befolkning saknas" in i.value for i in at.info), [i.value for i in at.info]
