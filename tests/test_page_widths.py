"""Tables that scrolled sideways in a 1366 px wide window (content about 904 px wide):
Åtgärder's status table, its "står still" table and register, and Data's glossary. On
screen they have short headers or fixed widths; every export keeps every column under its
full header."""

from __future__ import annotations

import pytest
from helpers import open_page, open_tab

pytestmark = pytest.mark.usefixtures("fast_apptest")

STOCKHOLMS_LAN = {"niva": "Län", "omrade": "Stockholms län"}
STATUSES = ["Uppnådd", "Delvis uppnådd", "Påbörjad", "Ej uppnådd", "Ej bedömd"]


@pytest.fixture
def atgarder(demo_db, monkeypatch):
    """Åtgärder for Stockholms län, and the keyword arguments each download got."""
    from dashboard import exports

    recorded = {}
    monkeypatch.setattr(exports, "download_buttons", lambda key, **kwargs: recorded.setdefault(key, kwargs))
    return open_page(demo_db, "atgarder", monkeypatch, STOCKHOLMS_LAN), recorded


def element(at, column):
    """The one table with a column headed ``column`` (in AppTest only selectable tables carry keys)."""
    [found] = [d for d in at.dataframe if column in d.shown.columns]
    return found


def table(at, column):
    return element(at, column).shown


def test_the_status_table_shows_counts_or_shares_and_exports_both(atgarder):
    at, recorded = atgarder
    counts = table(at, "Ej bedömd")
    assert counts.columns.tolist() == ["Prioriterat område", "Åtgärder", *STATUSES]   # 7 columns, not 12
    assert not counts["Ej bedömd"].str.contains("%").any()
    at.segmented_control(key="atgarder_status_view").set_value("share").run()
    assert not at.exception, [e.value for e in at.exception]
    shares = table(at, "Ej bedömd")
    assert shares.columns.tolist() == ["Prioriterat område", "Åtgärder", *STATUSES]
    assert shares["Ej bedömd"].str.endswith("%").all(), shares["Ej bedömd"].tolist()
    assert shares["Åtgärder"].tolist() == counts["Åtgärder"].tolist()
    columns = recorded["atgarder_status_dl"]["columns"]
    assert columns["n_ej bedömd"] == "Ej bedömd" and columns["share_ej bedömd"] == "Ej bedömd (andel)"
    assert len(columns) == 12


def test_the_stuck_table_has_short_headers_on_screen_and_long_ones_in_the_export(atgarder):
    at, recorded = atgarder
    open_tab(at, "atgarder_flik", "Står still")
    shown = table(at, "Sedan").columns.tolist()
    assert "I rad" in shown and "Senast" in shown, shown
    assert "Uppföljningar i samma status" not in shown
    assert any("I rad:" in c.value and "Senast:" in c.value for c in at.caption)   # says what they mean
    columns = recorded["atgarder_stuck_dl"]["columns"]
    assert columns["rounds_in_status"] == "Uppföljningar i samma status"
    assert columns["last_round"] == "Senaste uppföljning"


def test_long_names_have_fixed_widths_in_the_stuck_table_and_register(atgarder):
    import json

    at, _ = atgarder
    for tab, column in (("Står still", "Sedan"), ("Register", "Uppföljningar")):   # the stuck table, the register
        open_tab(at, "atgarder_flik", tab)
        config = json.loads(element(at, column).proto.columns)
        widths = {header: config[header]["width"] for header in ("Organisation", "Prioriterat område", "Åtgärd")}
        assert all(isinstance(w, int) and w <= 200 for w in widths.values()), (column, widths)


def test_the_glossary_wraps_its_definitions(demo_db, monkeypatch):
    at = open_page(demo_db, "data", monkeypatch, {})
    glossary = element(at, "Definition")
    assert glossary.value.columns.tolist() == ["Indikator", "Definition", "Källa", "Enhet"]
    assert glossary.proto.row_height > 64   # Streamlit wraps a cell's text only in taller rows
