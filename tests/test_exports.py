"""Exports: CSV and XLSX as a user opens them, PNG/SVG through one warm Chromium, buttons."""

from __future__ import annotations

import csv
import datetime as dt
import io
import time

import openpyxl
import pandas as pd
import plotly.io
import pytest
from PIL import Image

from dashboard import charts, exports

CAPTION = exports.caption(
    filters="Stockholm, jan 2025 – mars 2025, skjutningar",
    source="Polisen (demodata)",
    data_until=dt.date(2025, 3, 31),
    suppressed=1,
    threshold=5,
)


def table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "area": ["Farsta", '=HYPERLINK("http://x")', "Kista", "-2+3"],
            "n": pd.array([1234, None, 0, 7], dtype="Int64"),
            "n_suppressed": [False, True, False, False],
            "rate": [12.5, None, 0.0, -3.25],
            "rate_suppressed": [False, True, False, False],
            "month": [dt.date(2025, 3, 1)] * 4,
        }
    )


COLUMNS = {"area": "Område", "n": "Antal", "rate": "Per 100 000 invånare", "month": "Månad"}


def test_caption_holds_filters_source_date_and_rule():
    assert "Urval: Stockholm, jan 2025 – mars 2025, skjutningar." in CAPTION
    assert "Källa: Polisen (demodata)." in CAPTION
    assert "Data t.o.m. 2025-03-31." in CAPTION
    assert "Antal 1–4" in CAPTION and ".." in CAPTION and "1 värde döljs" in CAPTION


def test_caption_of_figures_that_count_no_persons_says_so_instead_of_the_rule():
    said = "Händelser räknas, inte personer: antalen visas utan röjandeskydd."
    caption = exports.caption(filters="Södermalm", source="Polisen", data_until=dt.date(2025, 3, 31),
                              unprotected=said, notes=["Not."])
    assert caption == ("Urval: Södermalm. Källa: Polisen. Data t.o.m. 2025-03-31. "
                       "Händelser räknas, inte personer: antalen visas utan röjandeskydd. Not.")
    assert "röjandeskydd" not in exports.caption(contents="Alla inläsningar", source="S", data_until=None)


def test_caption_carries_the_pages_caveats():
    note = "1 016 händelser i kommuner som delas av flera lokalpolisområden saknar LPO (ej fördelade)."
    caption = exports.caption(filters="Södermalm", source="Polisen", data_until=dt.date(2025, 3, 31),
                              suppressed=0, threshold=5, notes=[note, None])
    assert caption.endswith(note)  # after the rule, so a report's chart says what the page said
    assert "None" not in caption


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+46 8", "'+46 8"),
        ("-x", "'-x"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Farsta", "Farsta"),
        ("a=b", "a=b"),
    ],
)
def test_neutralise(text, expected):
    assert exports.neutralise(text) == expected


def test_csv_bom_semicolon_swedish_headers_and_suppression():
    data = exports.to_csv(table(), COLUMNS)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Område", "Antal", "Per 100 000 invånare", "Månad"]
    assert rows[1] == ["Farsta", "1234", "12,5", "2025-03-01"]  # no thousands separator, decimal comma
    assert rows[2][1:3] == ["..", ".."]  # same suppression as the screen
    assert rows[2][0].startswith("'=")  # a formula in text is neutralised
    assert rows[3] == ["Kista", "0", "0", "2025-03-01"]  # zero is shown, never suppressed
    assert rows[4][0] == "'-2+3" and rows[4][2] == "-3,25"  # negative numbers stay numbers
    assert all("_suppressed" not in h for h in rows[0])


def test_csv_without_columns_keeps_names_but_drops_flags():
    rows = list(csv.reader(io.StringIO(exports.to_csv(table()).decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["area", "n", "rate", "month"]


def test_xlsx_title_caption_headers_numbers_and_no_formulas():
    data = exports.to_xlsx(table(), COLUMNS, title="Skjutningar per område", caption=CAPTION)
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    assert ws["A1"].value == "Skjutningar per område"
    assert ws["A2"].value == CAPTION
    assert [c.value for c in ws[4]] == ["Område", "Antal", "Per 100 000 invånare", "Månad"]
    assert ws["B5"].value == 1234 and ws["B5"].data_type == "n"
    assert ws["C5"].value == 12.5
    assert ws["B6"].value == ".." and ws["C6"].value == ".."
    assert ws["A6"].data_type == "s" and ws["A6"].value.startswith("'=")
    assert ws["B7"].value == 0
    assert ws["C8"].value == -3.25 and ws["A8"].value == "'-2+3"
    assert ws["D5"].value == dt.datetime(2025, 3, 1)
    assert ws.freeze_panes == "A5"
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)


def test_codes_stay_text_with_their_leading_zeros_and_digits():
    # A kommun code and a 1 km grid cell as the Karta page exports them (docs/exports.md):
    # text in the XLSX, the exact characters in the CSV.
    df = pd.DataFrame({"kommun_code": ["0180"], "grid_cell": ["6580000674000"], "incidents": [7]})
    ws = openpyxl.load_workbook(io.BytesIO(exports.to_xlsx(df, title="Rutor", caption=CAPTION))).active
    # (The caption above is merged over empty columns beside this narrow table: the row's
    # cells beyond the table are empty.)
    assert [(c.value, c.data_type) for c in ws[5][:3]] == [("0180", "s"), ("6580000674000", "s"), (7, "n")]
    assert all(c.value is None for c in ws[5][3:])
    rows = list(csv.reader(io.StringIO(exports.to_csv(df).decode("utf-8-sig")), delimiter=";"))
    assert rows[1] == ["0180", "6580000674000", "7"]


def test_safe_filename():
    assert exports.safe_filename("Skjutningar per månad, Östra Götaland") == "skjutningar-per-manad-ostra-gotaland"
    assert exports.safe_filename("Åtgärder", "xlsx") == "atgarder.xlsx"
    assert exports.safe_filename("///") == "export"


def trend_figure():
    months = pd.date_range("2025-01-01", periods=6, freq="MS")
    df = pd.DataFrame({"month": months, "n": [5, 7, None, 9, 12, 10]})
    df["n_suppressed"] = df["n"].isna()
    return charts.trend(df, "month", "n", title="Skjutningar", y_title="Antal")


def test_export_figure_adds_title_caption_and_room():
    fig = trend_figure()
    shown = plotly.io.to_json(fig.to_dict(), validate=False)  # what the page sends, as st.plotly_chart makes it
    spec = exports.export_figure(fig, title="Skjutningar i Stockholm", caption=CAPTION)
    assert spec["layout"]["title"]["text"] == "Skjutningar i Stockholm"
    caption = spec["layout"]["annotations"][-1]
    assert "Data t.o.m. 2025-03-31" in caption["text"].replace("<br>", " ")
    assert spec["layout"]["margin"]["b"] > fig.layout.margin.b
    assert spec["layout"]["margin"]["t"] > fig.layout.margin.t  # room for the title
    assert spec["layout"]["width"] == exports.EXPORT_WIDTH
    # The note the page says under the chart is in the image, above the caption.
    notes = [a["text"] for a in spec["layout"]["annotations"]]
    assert notes[-1].startswith("Luckor i linjen") and "Data t.o.m." in notes[-1].replace("<br>", " ")
    assert not fig.layout.title.text and not fig.layout.annotations  # the screen figure is not changed
    assert plotly.io.to_json(fig.to_dict(), validate=False) == shown  # nor what the next rerun sends


def test_the_chart_toolbar_offers_no_image_of_its_own():
    """The toolbar's camera saved the chart as drawn: without its title and note (the
    page's text) and without the caption. The PNG/SVG buttons make the image."""
    config = exports.plotly_config()
    assert "toImage" in config["modeBarButtonsToRemove"] and "toImageButtonOptions" not in config


def test_download_buttons_do_not_rerun():
    from streamlit.testing.v1 import AppTest

    def app():
        import pandas as pd
        import plotly.graph_objects as go

        from dashboard import exports

        df = pd.DataFrame({"a": [1, 2]})
        exports.download_buttons("k", fig=go.Figure(), df=df, title="T", caption="C", filename="Skjutningar")

    at = AppTest.from_function(app).run()
    assert not at.exception
    buttons = at.get("download_button")
    assert [b.proto.label for b in buttons] == ["PNG", "SVG", "Excel", "CSV"]
    assert all(b.proto.ignore_rerun for b in buttons)
    assert all(b.proto.deferred_file_id for b in buttons)  # made only when clicked


def test_without_chromium_only_tables_are_offered(monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    assert exports.browser_path() is None

    def app():
        import pandas as pd
        import plotly.graph_objects as go

        from dashboard import exports

        exports.download_buttons(
            "k", fig=go.Figure(), df=pd.DataFrame({"a": [1]}), title="T", caption="C", filename="x"
        )

    at = AppTest.from_function(app).run()
    assert [b.proto.label for b in at.get("download_button")] == ["Excel", "CSV"]
    assert "Chromium saknas" in at.caption[0].value


# --- images through Chromium --------------------------------------------------------------------


@pytest.fixture(scope="module")
def renderer():
    if exports.browser_path() is None:
        pytest.skip("Chromium saknas (/usr/bin/chromium eller BROWSER_PATH): bildexport kan inte testas")
    r = exports.renderer()
    yield r


def test_png_and_svg_through_one_warm_browser(renderer):
    fig = trend_figure()
    t0 = time.perf_counter()
    png = exports.to_png(fig, title="Skjutningar i Stockholm", caption=CAPTION)
    first = time.perf_counter() - t0
    browser = renderer._kaleido
    t1 = time.perf_counter()
    svg = exports.to_svg(fig, title="Skjutningar i Stockholm", caption=CAPTION)
    warm = time.perf_counter() - t1
    assert renderer._kaleido is browser  # the same browser served both renders
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(png))
    assert image.size[0] == 2 * exports.EXPORT_WIDTH  # 2x for print
    assert 20_000 < len(png) < 2_000_000
    text = svg.decode("utf-8")
    assert text.lstrip().startswith("<svg")
    assert "Skjutningar i Stockholm" in text and "Data t.o.m. 2025-03-31" in text
    assert warm < max(first, 5.0)


def test_the_chart_toolbar_is_swedish_in_the_words_plotly_uses():
    """The toolbar's strings are looked up by their English text: each one translated is a
    string the plotly.js that Streamlit ships asks for (an upgrade that renames one makes
    it English again, and this test says which)."""
    from pathlib import Path

    import streamlit

    config = exports.plotly_config()
    assert config["locale"] == "sv" and config["locales"]["sv"]["dictionary"] is exports.PLOTLY_SWEDISH
    bundle = "".join(p.read_text(encoding="utf-8") for p in
                     (Path(streamlit.__file__).parent / "static" / "static" / "js").glob("PlotlyChart*.js"))
    assert bundle, "Streamlit's plotly.js bundle not found"
    missing = [english for english in exports.PLOTLY_SWEDISH if f"`{english}`" not in bundle
               and f'"{english}"' not in bundle]
    assert not missing, missing
