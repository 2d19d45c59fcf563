"""Page fixes left by review 8: the Data page's export captions come from the one caption
helper, Karta draws the grid with maps' public squares, Rekryteringssignaler's controls
and yearly ticks, and Jämförelse's 'Mått' without double parentheses (old links still work)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from helpers import open_page

from dashboard import components, maps

pytestmark = pytest.mark.usefixtures("fast_apptest")

PAGES = Path(__file__).resolve().parents[1] / "dashboard" / "pages"
STOCKHOLM = {"niva": "Kommun", "omrade": "Stockholm"}


# --- 1. the Data page's captions -------------------------------------------------------------


def test_a_contents_caption_names_what_the_export_holds_with_the_usual_source(demo_db, monkeypatch):
    monkeypatch.setenv("LAGESBILD_DB", str(demo_db))
    text = components.export_caption(None, contents="Definitionerna av dashboardens indikatorer")
    assert text.startswith("Definitionerna av dashboardens indikatorer. Källa: ")
    assert "Urval" not in text
    assert components.DEMO_TEXT in text  # named as every other export from the demo names it
    assert "Data t.o.m. " in text


def test_the_data_page_has_no_caption_code_of_its_own():
    tree = ast.parse((PAGES / "data.py").read_text(encoding="utf-8"))
    called = {f"{n.func.value.id}.{n.func.attr}" for n in ast.walk(tree) if isinstance(n, ast.Call)
              and isinstance(n.func, ast.Attribute) and isinstance(n.func.value, ast.Name)}
    assert "exports.caption" not in called and "queries.data_status" not in called  # components.export_caption
    assert "components.export_caption" in called


# --- 2. one place for the grid's squares ----------------------------------------------------


def test_pages_use_no_private_name_of_maps():
    for page in PAGES.glob("*.py"):
        tree = ast.parse(page.read_text(encoding="utf-8"))
        private = [n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)
                   and n.value.id == "maps" and n.attr.startswith("_")]
        assert not private, (page.name, private)


def test_cell_polygons_are_the_grid_layers_squares():
    import pandas as pd

    cells = pd.DataFrame({"grid_cell": ["5720006508000", "5730006508000"], "n": [7, 9]})
    rings = maps.cell_polygons(cells["grid_cell"].tolist())
    deck = maps.grid_layer(cells)
    drawn = [r["polygon"] for r in deck.layers[0].data]
    assert rings == drawn and len(rings) == 2 and len(rings[0]) == 5 and rings[0][0] == rings[0][-1]


# --- 3. Rekryteringssignaler ----------------------------------------------------------------


@pytest.mark.parametrize(("months", "names"), [
    (("januari 2024", "mars 2025"), ["2024", "2025 (jan–mar)"]),  # a year the period cuts names its months
    (("januari 2025", "december 2025"), ["2025"]),
])
def test_a_yearly_signal_chart_has_one_tick_per_year(demo_db, monkeypatch, months, names):
    import json

    at = open_page(demo_db, "rekrytering", monkeypatch,
                   {"period": "Välj månader", "fran": months[0], "till": months[1], "tid": "År"})
    axis = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["xaxis"]
    years = sorted({months[0][-4:], months[1][-4:]})
    assert axis.get("ticktext") == names, axis  # plotly's own ticks named 2025 under each of its months
    assert axis.get("tickvals") == [f"{y}-01-01" for y in years], axis


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.xdist_group("browser")
def test_rekrytering_controls_share_one_row_at_1366_and_1920_px(new_page, server):
    from browser_support import settle

    for width in (1366, 1920):
        page = new_page({"width": width, "height": 768})
        page.goto(server + "/rekrytering", wait_until="commit")
        settle(page, timeout=180)  # slow on a busy host
        groups = page.locator('[data-testid="stButtonGroup"]')
        assert groups.count() == 3
        boxes = [groups.nth(i).bounding_box() for i in range(3)]
        # 'Mått' wrapped below the other two at 1366 px, leaving a blank gap beside them.
        assert len({round(b["y"]) for b in boxes}) == 1, (width, boxes)
        page.close()


# --- 4. Jämförelse's 'Mått' -------------------------------------------------------------------

OLD_LABEL = "Händelser (valda typer) (per 100 000 invånare)"


def test_jamforelse_measures_have_one_parenthesis(demo_db, monkeypatch):
    at = open_page(demo_db, "jamforelse", monkeypatch, STOCKHOLM)
    shown = at.selectbox(key="jmf_matt").options
    # No incident types chosen: the first measure counts them all and says so.
    assert "Händelser (alla händelsetyper, per 100 000 invånare)" in shown, shown
    assert not [o for o in shown if ") (" in o], shown


def test_a_link_with_the_old_measure_label_still_chooses_it(demo_db, monkeypatch):
    at = open_page(demo_db, "jamforelse", monkeypatch, {**STOCKHOLM, "jmf_matt": OLD_LABEL})
    assert at.selectbox(key="jmf_matt").value == "incidents:urval"
    # Links to the other measures are unchanged.
    at = open_page(demo_db, "jamforelse", monkeypatch,
                   {**STOCKHOLM, "jmf_matt": "Händelser: våld (per 100 000 invånare)"})
    assert at.selectbox(key="jmf_matt").value == "incidents:våld"
