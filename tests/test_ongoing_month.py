"""A month the incidents do not yet cover to its end (the police feed's current month):
the quick periods end before it, so Översikt never compares part of a month with a whole
month a year earlier unless the user chooses it, and then it says so."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from helpers import as_read, open_page

from pipelines import marts, warehouse

pytestmark = pytest.mark.usefixtures("fast_apptest")



@pytest.fixture(scope="module")
def ongoing_db(demo_db, tmp_path_factory) -> Path:
    """The demo (data t.o.m. 2025-12-31) as a feed fetched on 20 December: no incidents
    after the 19th and no stated 'data t.o.m.'."""
    db = tmp_path_factory.mktemp("ongoing") / "demo.duckdb"
    shutil.copyfile(demo_db, db)
    with warehouse.write_session(db) as con:
        con.execute("DELETE FROM incident WHERE occurred_at >= TIMESTAMP '2025-12-20'")
        con.execute("DELETE FROM dataset_info WHERE key = 'data_tom'")
        marts.refresh(con)
    return db


@pytest.mark.parametrize("period, expected", [
    ("Senaste 12 månaderna", (date(2024, 12, 1), date(2025, 11, 1))),
    ("Hittills i år", (date(2025, 1, 1), date(2025, 11, 1))),
])
def test_quick_periods_end_with_the_last_whole_month(ongoing_db, monkeypatch, period, expected):
    at = open_page(ongoing_db, "oversikt", monkeypatch, {"period": period})
    sel = at.session_state["_selection"]
    assert (sel.start, sel.end) == expected
    assert any("December 2025 är inte hel" in c.value for c in at.sidebar.caption), \
        [c.value for c in at.sidebar.caption]
    assert not at.warning  # nothing to warn about: the period is whole months


def test_the_quick_choices_name_the_months_they_end_with(ongoing_db, monkeypatch):
    """December is not whole: the quick choices end with November, and their names say so."""
    at = open_page(ongoing_db, "oversikt", monkeypatch, {})
    assert [as_read(c) for c in at.radio(key="period").proto.captions[:2]] == ["dec 2024–nov 2025", "jan–nov 2025"]


def test_a_chosen_month_that_is_not_whole_is_named_on_the_overview(ongoing_db, monkeypatch):
    at = open_page(ongoing_db, "oversikt", monkeypatch, {"period": "Välj månader", "fran": "januari 2025",
                                                         "till": "december 2025"})
    sel = at.session_state["_selection"]
    assert sel.end == date(2025, 12, 1)  # still allowed
    assert any("December 2025 är inte hel i data (händelser t.o.m. 2025-12-19)" in w.value for w in at.warning), \
        [w.value for w in at.warning]


def test_whole_months_get_no_note(demo_db, monkeypatch):
    at = open_page(demo_db, "oversikt", monkeypatch, {})
    assert at.session_state["_selection"].end == date(2025, 12, 1)
    assert not any("inte hel" in c.value for c in at.sidebar.caption)
    assert not at.warning


def test_no_warning_without_a_year_earlier_to_compare(empty_db, monkeypatch):
    # A new warehouse fed by the police feed only: one month, not yet whole, nothing a
    # year earlier. There is no comparison to mislead, so no warning.
    from pipelines.loading import ingest

    feed = Path(__file__).resolve().parent / "data" / "polisen" / "polisen-events-20260822T080000Z.json"
    [report] = ingest(empty_db, [feed])
    assert report.status == "ok", report.summary()
    at = open_page(empty_db, "oversikt", monkeypatch, {})
    assert not at.warning, [w.value for w in at.warning]
    assert any("Ingen jämförelse" in i.value for i in at.info)
    # and the headline's caption does not name a comparison the figures do not make
    assert any(c.value.startswith("Ingen förändring visas") for c in at.caption), [c.value for c in at.caption][:3]
    assert not any(c.value.startswith("Förändring mot samma månader") for c in at.caption)
