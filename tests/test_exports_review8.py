"""Exports, browser review 8: rates and shares with a sensible precision, the Data page's
captions say what the table holds (not the sidebar's 'Urval'), and Karta's 1 km squares
can be downloaded as a table and an image."""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest
from helpers import open_page

from dashboard import components, exports

pytestmark = pytest.mark.usefixtures("fast_apptest")

STOCKHOLM = {"niva": "Kommun", "omrade": "Stockholm"}


def csv_rows(data: bytes) -> list[list[str]]:
    text = data.decode("utf-8-sig")
    return [line.split(";") for line in text.strip().split("\r\n")]


def decimals_of(cell: str) -> int:
    return len(cell.split(",")[1]) if re.fullmatch(r"-?\d+,\d+", cell) else 0


# --- 1. precision -------------------------------------------------------------------------


def test_rates_keep_two_decimals_shares_three_and_counts_stay_whole():
    df = pd.DataFrame({"n": [12, 3_456_789], "rate": [1.1217609885592124, 123.456789], "share": [1 / 3, 0.5],
                       "share_done": [2 / 3, 0.125], "low": [0.004999, -3.25]})
    rows = csv_rows(exports.to_csv(df))
    assert rows[1] == ["12", "1,12", "0,333", "0,667", "0"]
    assert rows[2] == ["3456789", "123,46", "0,5", "0,125", "-3,25"]
    frame = exports.export_frame(df)
    assert frame["rate"].tolist() == [1.12, 123.46] and frame["n"].tolist() == [12, 3_456_789]


def test_the_xlsx_holds_the_same_rounded_numbers_as_numbers():
    import openpyxl

    df = pd.DataFrame({"area": ["A", "B"], "rate": [1.1217609885592124, 7.0], "rate_suppressed": [False, True]})
    book = openpyxl.load_workbook(io.BytesIO(exports.to_xlsx(df, title="T", caption="C")))
    sheet = book.active
    assert [sheet.cell(5, 2).value, sheet.cell(6, 2).value] == [1.12, ".."]
    assert isinstance(sheet.cell(5, 2).value, float)


def test_karta_rate_export_has_at_most_two_decimals(demo_db, monkeypatch, recorded):
    open_page(demo_db, "karta", monkeypatch, {**STOCKHOLM, "niva": "Län", "omrade": "Stockholms län",
                                               "matt": "Händelser per 1 000 unga 12–17 år"})
    export = recorded["karta_table_dl"]
    rows = csv_rows(exports.to_csv(export["df"], export["columns"]))
    column = rows[0].index("Händelser per 1 000 unga 12–17 år")
    rates = [r[column] for r in rows[1:] if r[column] not in ("", "..")]
    assert rates, rows
    assert max(decimals_of(r) for r in rates) <= 2, rates
    assert any(decimals_of(r) == 2 for r in rates), rates  # rounded, not cut to whole numbers


# --- 2. the Data page's captions ------------------------------------------------------------


def test_data_page_exports_say_what_they_hold_not_the_sidebars_selection(demo_db, monkeypatch, recorded):
    open_page(demo_db, "data", monkeypatch, {**STOCKHOLM, "period": "Välj månader", "fran": "januari 2025",
                                             "till": "mars 2025"})
    captions = {key: kwargs["caption"] for key, kwargs in recorded.items()}
    assert {"data_loads_dl", "data_definitions_dl"} <= set(captions), captions
    for key, text in captions.items():
        assert "Urval" not in text and "Stockholm" not in text and "januari 2025" not in text, (key, text)
        assert "Källa: " in text, (key, text)
        assert components.DEMO_TEXT in text, (key, text)
    assert captions["data_loads_dl"].startswith("Alla inläsningar i databasen;")
    assert captions["data_definitions_dl"].startswith("Definitionerna av dashboardens indikatorer.")
    # The load log is dated by its loads (tests/test_page_ux20.py), not by the incidents'
    # "data t.o.m.", which said nothing about a log of loads.
    assert "Data t.o.m. " not in captions["data_loads_dl"] and "Inläsningar " in captions["data_loads_dl"]


def test_a_caption_takes_filters_or_contents_not_both():
    text = exports.caption(contents="Alla inläsningar", source="S", data_until="2025-12-31", threshold=5)
    assert text.startswith("Alla inläsningar. Källa: S. Data t.o.m. 2025-12-31.")
    with pytest.raises(ValueError):
        exports.caption(filters="Stockholm", contents="Alla", source="S", data_until=None, threshold=5)


# --- 3. Karta's 1 km squares ----------------------------------------------------------------


def test_karta_grid_view_exports_its_squares_without_a_hidden_count(demo_db, monkeypatch, recorded, raw):
    at = open_page(demo_db, "karta", monkeypatch, {**STOCKHOLM, "vy": "1 km-rutor"})
    export = recorded["karta_grid_table_dl"]
    rows = csv_rows(exports.to_csv(export["df"], export["columns"]))
    assert rows[0] == ["Ruta (SCB 1 km)", "Öst, SWEREF 99 TM (m)", "Nord, SWEREF 99 TM (m)", "Antal händelser"]
    counts = {r[0]: int(r[3]) for r in rows[1:]}
    truth = dict(raw.execute(
        """SELECT grid_cell, count(*) FROM incident WHERE kommun_code = '0180' AND grid_cell IS NOT NULL
           AND occurred_at >= '2025-01-01' AND occurred_at < '2026-01-01' GROUP BY 1""").fetchall())
    assert counts and counts == {c: n for c, n in truth.items() if n >= 5}  # no cell of 1–4 incidents
    assert "1 km-ruta" in export["title"] and "Stockholm" in export["caption"]
    assert "karta_grid_fig_dl" not in recorded  # the image is made only when asked for
    at.session_state["karta_grid_export"] = True
    at.run()
    assert not at.exception
    fig = recorded["karta_grid_fig_dl"]["fig"]
    drawn = {trace["meta"]["area_code"] for trace in fig.to_dict()["data"] if "area_code" in (trace.get("meta") or {})}
    assert drawn == set(counts)
