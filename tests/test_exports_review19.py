"""Exports, review 19 (a municipal safety coordinator building the lägesbild and the annual
report from the downloads): each export's "Källa" names the sources of what it holds, not
every source loaded."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from helpers import loaded, open_page, open_tab

from dashboard import components, exports
from pipelines.loading import ingest

pytestmark = pytest.mark.usefixtures("fast_apptest")

STOCKHOLM = {"niva": "Kommun", "omrade": "Stockholm"}
STOCKHOLMS_LAN = {"niva": "Län", "omrade": "Stockholms län"}
DEMO = components.DEMO_TEXT
POLISEN = Path(__file__).parent / "data" / "polisen" / "polisen-events-2024-documented.json"


def source_of(caption: str) -> str:
    """What the caption names after "Källa:" (up to its date: "Data t.o.m.", or the load
    log's own "Inläsningar")."""
    found = re.search(r"Källa: (.*?)\. (?:Data t\.o\.m\.|Inläsningar) ", caption)
    assert found, caption
    return found.group(1)


def csv_rows(data: bytes) -> list[list[str]]:
    """The rows of a CSV export as Swedish Excel splits them (UTF-8 with BOM, ';')."""
    assert data.startswith(b"\xef\xbb\xbf")
    return [line.split(";") for line in data.decode("utf-8-sig").strip().split("\r\n")]


def sources(recorded) -> dict[str, str]:
    return {key: source_of(call["caption"]) for key, call in recorded.items()}


# --- 1. the demo: each export names its own kinds of data ------------------------------------


def test_an_incident_chart_names_the_incidents_alone(demo_db, monkeypatch, recorded):
    open_page(demo_db, "oversikt", monkeypatch, STOCKHOLM)
    found = sources(recorded)
    assert found["oversikt_trend_dl"] == f"{DEMO} (händelser)"
    # The table beside it has a rate per 100 000 inhabitants: the population's source too.
    assert found["oversikt_change_dl"] == f"{DEMO} (händelser; befolkning)"


def test_a_signal_table_names_the_signals_reporting_bodies(demo_db, monkeypatch, recorded):
    open_page(demo_db, "rekrytering", monkeypatch, STOCKHOLMS_LAN)
    expected = f"{DEMO} (rekryteringssignaler: polis, socialtjänst, skola, fritid, SiS/HVB; befolkning)"
    assert sources(recorded)["signal-trend"] == expected
    assert sources(recorded)["signal-summary"] == expected


def test_an_action_plan_table_names_the_areas_workbooks(demo_db, monkeypatch, recorded, raw):
    at = open_page(demo_db, "atgarder", monkeypatch, {**STOCKHOLM, "period": "Välj månader",
                                                       "fran": "januari 2025", "till": "december 2025"})
    files = [f for (f,) in raw.execute(
        """SELECT DISTINCT source_file FROM plan WHERE year = 2025 AND list_contains(kommun_codes, '0180')
              OR (year = 2025 AND kommun_code = '0180') ORDER BY source_file""").fetchall()]
    assert len(files) > 3
    text = sources(recorded)["atgarder_status_dl"]
    assert text == f"{DEMO} (åtgärdsplaner: {len(files)} arbetsböcker, bl.a. {files[0]}, {files[1]} och {files[2]})"
    assert "händelser" not in text and "rekryteringssignaler" not in text
    open_tab(at, "atgarder_flik", "Register")
    assert sources(recorded)["atgarder_register_dl"] == text


def test_a_map_of_signals_names_the_signals_its_table_the_incidents_beside_them(demo_db, monkeypatch, recorded):
    at = open_page(demo_db, "karta", monkeypatch, {**STOCKHOLMS_LAN, "matt": "Rekryteringssignaler"})
    at.toggle(key="karta_export").set_value(True).run()
    assert not at.exception
    found = sources(recorded)
    signals = "rekryteringssignaler: polis, socialtjänst, skola, fritid, SiS/HVB"
    assert found["karta_fig_dl"] == f"{DEMO} ({signals})"
    assert found["karta_table_dl"] == f"{DEMO} ({signals}; händelser; befolkning)"


def test_a_comparison_of_measures_names_the_workbooks_beside_the_outcome(demo_db, monkeypatch, recorded):
    at = open_page(demo_db, "jamforelse", monkeypatch, {**STOCKHOLMS_LAN, "jmf_niva": "Kommun"})
    assert sources(recorded)["jmf_bars_dl"] == f"{DEMO} (händelser; befolkning)"
    open_tab(at, "jmf_flik", "Åtgärder och utfall")
    text = sources(recorded)["jmf_paired_dl"]
    assert text.startswith(f"{DEMO} (händelser; befolkning; åtgärdsplaner: ") and "arbetsböcker" in text, text
    assert "rekryteringssignaler" not in text


def test_the_data_pages_tables_name_the_databases_own_log(demo_db, monkeypatch, recorded):
    open_page(demo_db, "data", monkeypatch, {})
    found = sources(recorded)
    assert found["data_loads_dl"] == f"{DEMO} (Lägesbilds inläsningslogg)"
    assert found["data_definitions_dl"] == f"{DEMO} (Lägesbild)"


# --- 2. the user's own data: the sources as loaded ---------------------------------------------

MARCH_2024 = {**STOCKHOLM, "period": "Välj månader", "fran": "mars 2024", "till": "mars 2024"}


@pytest.fixture
def own_data(empty_db, tmp_path) -> Path:
    """The police feed's notices of March 2024, signals from the police and schools, and a
    plan of Stockholm's for 2024: what a user loads, no demo and no population."""
    [report] = ingest(empty_db, [POLISEN])
    assert report.status == "ok", report.summary()
    loaded(empty_db, tmp_path, "signaler-2024.csv", ["month;area_code;age_band;sex;source;signal_type;count"]
           + [f"2024-03;0180;15-17;M;{s};rekryteringsförsök;12" for s in ("skola", "polis")])
    return loaded(empty_db, tmp_path, "atgardsplan-stockholm-2024.csv", [
        "organisation;kommun_code;year;prioritised_area;title;status",
        "Stockholms stad;0180;2024;Unga i riskzon för destruktivt beteende;Fältgrupp kvällstid;påbörjad"])


def test_own_data_are_named_by_the_source_they_were_loaded_from(own_data, monkeypatch, recorded):
    open_page(own_data, "oversikt", monkeypatch, MARCH_2024)
    assert sources(recorded)["oversikt_trend_dl"] == "händelser: Polisen (polisen.se)"
    recorded.clear()
    open_page(own_data, "rekrytering", monkeypatch, MARCH_2024)
    assert sources(recorded)["signal-trend"] == "rekryteringssignaler: polis, skola"
    recorded.clear()
    open_page(own_data, "atgarder", monkeypatch, MARCH_2024)
    assert sources(recorded)["atgarder_status_dl"] == "åtgärdsplaner: atgardsplan-stockholm-2024.csv"


# --- 3. Översikt's small map has the image export the other maps have ------------------------


def test_oversikts_map_downloads_as_an_image_and_a_table_like_kartas(demo_db, monkeypatch, recorded, raw):
    open_page(demo_db, "oversikt", monkeypatch, STOCKHOLMS_LAN)
    export = recorded["oversikt_map_dl"]
    assert export["title"] == "Antal händelser, kommuner i Stockholms län, januari 2025 – december 2025"
    assert export["filename"] == "antal-handelser-kommuner-i-stockholms-lan-2025-01-2025-12"
    assert source_of(export["caption"]) == f"{DEMO} (händelser)"
    assert components.INCIDENTS_UNPROTECTED in export["caption"]
    # The figure is made on click (a function), and is Karta's figure of the same areas.
    fig = export["fig"]()
    drawn = {t["meta"]["area_code"] for t in fig.to_dict()["data"] if "area_code" in (t.get("meta") or {})}
    kommuner = {c for (c,) in raw.execute("SELECT area_code FROM area WHERE level = 'kommun' AND parent_code = '01'")
                .fetchall()}
    assert drawn == kommuner
    rows = csv_rows(exports.to_csv(export["df"], export["columns"]))
    assert rows[0] == ["Kommun", "Antal händelser"]
    truth = dict(raw.execute(
        """SELECT a.name, count(*) FROM incident i JOIN area a ON a.area_code = i.kommun_code
           WHERE a.parent_code = '01' AND i.occurred_at >= '2025-01-01' AND i.occurred_at < '2026-01-01'
           GROUP BY 1""").fetchall())
    assert {r[0]: int(r[1]) for r in rows[1:] if r[1]} == truth
    assert [int(r[1]) for r in rows[1:] if r[1]] == sorted((int(r[1]) for r in rows[1:] if r[1]), reverse=True)


# --- 4. XLSX as Swedish Excel shows it ----------------------------------------------------------


def xlsx_sheet(export: dict):
    """The first sheet of the XLSX a download button makes from ``export`` (its recorded call)."""
    import openpyxl

    data = exports.to_xlsx(export["df"], export.get("columns"), title=export["title"], caption=export["caption"])
    return openpyxl.load_workbook(io.BytesIO(data)).active


def column_cells(sheet, header: str) -> list:
    """The data cells (row 5 on) under ``header`` (row 4)."""
    headers = [c.value for c in sheet[4]]
    j = headers.index(header) + 1
    return [sheet.cell(i, j) for i in range(5, sheet.max_row + 1) if sheet.cell(i, j).value is not None]


def test_xlsx_groups_thousands_the_way_excel_shows_them_and_years_not_at_all(demo_db, monkeypatch, recorded):
    # "# ##0" (a literal space in the format) showed Stockholm's 1 018 657 inhabitants as
    # "1018 657" and plan year 2025 as "2 025". The file format's own code for the thousands
    # separator is ",", which Swedish Excel shows as a space.
    open_page(demo_db, "karta", monkeypatch, STOCKHOLMS_LAN)
    population = column_cells(xlsx_sheet(recorded["karta_table_dl"]), "Befolkning")
    assert max(c.value for c in population) > 1_000_000
    assert {c.number_format for c in population} == {"#,##0"}
    at = open_page(demo_db, "atgarder", monkeypatch, STOCKHOLM)
    open_tab(at, "atgarder_flik", "Står still")
    years = column_cells(xlsx_sheet(recorded["atgarder_stuck_dl"]), "Planår")
    assert years and {c.value for c in years} == {2025} and {c.number_format for c in years} == {"0"}
    counts = column_cells(xlsx_sheet(recorded["atgarder_stuck_dl"]), "Uppföljningar i samma status")
    assert counts and {c.number_format for c in counts} == {"#,##0"}
    for sheet in (xlsx_sheet(recorded["karta_table_dl"]), xlsx_sheet(recorded["atgarder_stuck_dl"])):
        formats = {c.number_format for row in sheet.iter_rows(min_row=5) for c in row}
        assert not any(" " in f for f in formats), formats


def test_xlsx_shows_a_share_as_the_page_does_a_percentage(demo_db, monkeypatch, recorded):
    # The page shows "33,2 %"; the sheet showed "0,332" (and 100 % as "1").
    at = open_page(demo_db, "rekrytering", monkeypatch, {"niva": "Lokalpolisområde", "omrade": "Järva",
                                                         "uppdelning": "Källa"})
    screen = at.dataframe[0].shown  # "Hela perioden"
    shares = column_cells(xlsx_sheet(recorded["signal-summary"]), "Andel")
    assert len(shares) == len(screen) and {c.number_format for c in shares} == {"0.0 %"}
    for cell, shown in zip(shares, screen["Andel"], strict=True):
        # Excel's "0.0 %" of the fraction: the page's percentage with one decimal.
        assert shown == f"{cell.value * 100:.1f}".replace(".", ",") + "\u00a0%", (cell.value, shown)
    assert sum(c.value for c in shares) == pytest.approx(1, abs=0.003)


def test_xlsx_caption_row_is_tall_enough_for_the_whole_caption(demo_db, monkeypatch, recorded):
    # A signal export's caption (filters, source, the rule and the page's notes) runs to a
    # thousand characters over a three-column table; its row was six lines tall, so Excel
    # showed it cut off in the middle of the notes.
    from openpyxl.utils import get_column_letter

    open_page(demo_db, "rekrytering", monkeypatch, STOCKHOLM)
    export = recorded["signal-trend"]
    sheet = xlsx_sheet(export)
    assert sheet.cell(2, 1).value == export["caption"] and len(export["caption"]) > 800
    [merged] = [r for r in sheet.merged_cells.ranges if r.min_row == 2]
    units = sum(sheet.column_dimensions[get_column_letter(j)].width or 8.43
                for j in range(merged.min_col, merged.max_col + 1))
    # Even at 1,25 characters per column unit (denser than Excel's Calibri sets Swedish
    # prose), the row holds every line.
    lines = -(-len(export["caption"]) // int(units * 1.25))
    assert sheet.row_dimensions[2].height >= 15 * lines, (sheet.row_dimensions[2].height, lines, units)
    assert sheet.cell(2, 1).alignment.wrap_text
    # So tall a caption is not frozen above the table (it would fill the window); a short
    # one keeps the headers in view.
    assert sheet.freeze_panes is None
    open_page(demo_db, "oversikt", monkeypatch, STOCKHOLM)
    assert xlsx_sheet(recorded["oversikt_trend_dl"]).freeze_panes == "A5"


# --- 5. pictures pasted across an A4 page ---------------------------------------------------------

A4_TEXT_WIDTH_MM = 160  # an A4 page's width inside 2,5 cm margins, where Word fits a picture
PT_MM = 25.4 / 72


def printed_pt(px: float, picture_px: float) -> float:
    """The size in points of ``px`` of a picture ``picture_px`` wide, printed A4_TEXT_WIDTH_MM wide."""
    return px * A4_TEXT_WIDTH_MM / picture_px / PT_MM


@pytest.fixture(scope="module")
def renderer():
    if exports.browser_path() is None:
        pytest.skip("Chromium saknas: bildexport kan inte testas")
    return exports.renderer()


def test_a_picture_across_an_a4_page_has_legible_text_inside_it(renderer):
    import numpy as np
    from PIL import Image

    from dashboard import charts

    # Bars with long names: their axis puts the plot's left edge far in, where the caption
    # (placed from the plot's edge) began and ran out of the picture.
    names = ["Särskilt utsatta och sårbara brottsoffer", "Unga i riskzon för destruktivt beteende"]
    fig = charts.figure([{"type": "bar", "orientation": "h", "y": names, "x": [3, 5]}],
                        charts.layout(title="Status", alt="", show_legend=False, yaxis={"type": "category"}))
    caption = exports.caption(filters="Stockholm, planår 2025 " + "och fler ord i urvalet " * 12,
                              source="åtgärdsplaner: plan.xlsx", data_until="2025-12-11")
    spec = exports.export_figure(fig, title="Åtgärdernas status per prioriterat område", caption=caption)
    width = spec["layout"]["width"]
    # Pasted into Word across the page: the caption prints at 7 pt at least, axis labels at 8.
    assert printed_pt(exports.CAPTION_SIZE, width) >= 7
    assert printed_pt(spec["layout"]["font"]["size"], width) >= 8
    png = exports.to_png(fig, title="Åtgärdernas status per prioriterat område", caption=caption)
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("L"))
    scale = pixels.shape[1] / width
    lines = spec["layout"]["annotations"][-1]["text"].count("<br>") + 1
    band = pixels[-int((exports.CAPTION_LINE_PX * lines + 16) * scale):]  # the caption under the plot
    ink = np.flatnonzero((band < 128).any(axis=0))
    assert len(ink), "no caption drawn"
    # It starts at the picture's left edge, as the title does, and ends inside the picture.
    assert ink[0] <= (exports.EXPORT_PAD + 8) * scale, ink[0] / scale
    assert ink[-1] < pixels.shape[1] - 4 * scale
    title_ink = np.flatnonzero((pixels[: int(60 * scale)] < 128).any(axis=0))
    assert abs(int(title_ink[0]) - int(ink[0])) <= 6 * scale


def test_a_map_of_signals_states_the_signals_data_tom_not_the_incidents(own_data, monkeypatch, recorded):
    # The police feed's notices end on 3 March 2024, the signals with March 2024: the map of
    # signals said "Data t.o.m. 2024-03-03", a date that is not the signals'.
    at = open_page(own_data, "karta", monkeypatch, {**MARCH_2024, "niva": "Län", "omrade": "Stockholms län",
                                                     "matt": "Rekryteringssignaler"})
    at.toggle(key="karta_export").set_value(True).run()
    for key in ("karta_table_dl", "karta_fig_dl"):
        assert "Data t.o.m. 2024-03-31." in recorded[key]["caption"], recorded[key]["caption"]
    recorded.clear()
    open_page(own_data, "karta", monkeypatch, {**MARCH_2024, "niva": "Län", "omrade": "Stockholms län"})
    assert "Data t.o.m. 2024-03-03." in recorded["karta_table_dl"]["caption"]


def test_every_chart_and_table_export_names_its_period_in_the_title(demo_db, monkeypatch, recorded):
    # Översikt's trend and Rekryteringssignaler's exports were titled without the period
    # ("Händelser per månad – Stockholm"), unlike the other pages': pasted into a report, the
    # picture's title did not say which months it shows.
    period = "januari 2025 – december 2025"
    open_page(demo_db, "oversikt", monkeypatch, STOCKHOLM)
    open_page(demo_db, "rekrytering", monkeypatch, STOCKHOLM)
    assert recorded["oversikt_trend_dl"]["title"] == f"Händelser per månad – Stockholm (kommun), {period}"
    # The signals' exports name the area with its level, as their captions do.
    assert recorded["signal-trend"]["title"] == f"Rekryteringssignaler per månad, Stockholm (kommun), {period}"
    assert recorded["signal-summary"]["title"] == f"Rekryteringssignaler, hela perioden, Stockholm (kommun), {period}"
    # The file names keep their form (the months once).
    assert recorded["signal-trend"]["filename"] == "rekryteringssignaler-per-manad-stockholm-2025-01-2025-12"


def test_xlsx_shows_one_number_of_decimals_down_a_column(demo_db, monkeypatch, recorded):
    # Översikt's changes read "400" under "-5,43": a whole number in a column of decimals
    # lost its decimals.
    open_page(demo_db, "oversikt", monkeypatch, STOCKHOLMS_LAN)
    changes = column_cells(xlsx_sheet(recorded["oversikt_change_dl"]), "Förändring antal (%)")
    assert any(float(c.value).is_integer() for c in changes) and not all(float(c.value).is_integer() for c in changes)
    assert {c.number_format for c in changes} == {"#,##0.00"}
    counts = column_cells(xlsx_sheet(recorded["oversikt_change_dl"]), "Antal")
    assert {c.number_format for c in counts} == {"#,##0"}


# --- 6. disclosure control in every signal export --------------------------------------------

SIGNAL_COUNTS = {"Antal", "Antal året innan", "Rekryteringssignaler"}


def signal_exports(recorded) -> list[dict]:
    return [call for call in recorded.values() if "röjandeskydd)" in call["caption"] and call.get("df") is not None]


@pytest.mark.parametrize(("page", "params", "tab"), [
    ("rekrytering", {"niva": "Lokalpolisområde", "omrade": "Järva", "uppdelning": "Signaltyp"}, None),
    ("rekrytering", {"niva": "Polisområde", "omrade": "Jämtland", "uppdelning": "Kön", "tid": "Kvartal"}, None),
    ("rekrytering", {**STOCKHOLM, "period": "Välj månader", "fran": "mars 2025", "till": "augusti 2025"}, None),
    ("karta", {**STOCKHOLMS_LAN, "matt": "Rekryteringssignaler", "karta_niva": "Lokalpolisområde"}, None),
    ("jamforelse", {"niva": "Region", "omrade": "Region Nord", "jmf_niva": "Lokalpolisområde",
                    "jmf_matt": "Rekryteringssignaler (per 1 000 unga 12–17 år)"}, None),
    ("jamforelse", {"niva": "Lokalpolisområde", "omrade": "Järva",
                    "jmf_matt": "Rekryteringssignaler (per 1 000 unga 12–17 år)"}, "Liknande områden"),
])
def test_no_signal_export_shows_a_count_of_one_to_four(demo_db, monkeypatch, recorded, page, params, tab):
    at = open_page(demo_db, page, monkeypatch, params)
    if tab:
        open_tab(at, "jmf_flik", tab)
    found = signal_exports(recorded)
    assert found, list(recorded)
    hidden_somewhere = False
    for call in found:
        rows = csv_rows(exports.to_csv(call["df"], call.get("columns")))
        sheet = xlsx_sheet(call)
        for j, header in enumerate(rows[0]):
            if header not in SIGNAL_COUNTS:
                continue
            cells = [r[j] for r in rows[1:]]
            shown = [int(c) for c in cells if c not in ("", "..")]
            assert all(n == 0 or n >= 5 for n in shown), (call["title"], header, shown)
            # The workbook holds the same: numbers of 0 or 5 and more, and ".." where the CSV has it.
            column = [c.value for c in column_cells(sheet, header)]
            assert [v for v in column if v != ".."] == shown and column.count("..") == cells.count("..")
            hidden_somewhere |= ".." in cells
    if page == "rekrytering":
        assert hidden_somewhere  # these areas and periods hide values: the rule was put to work


def test_an_xlsx_sheet_is_named_after_its_export_not_data(demo_db, monkeypatch, recorded):
    # Every sheet was "Data": gathered into one workbook for a report's appendix, the
    # downloads were "Data", "Data (2)", "Data (3)".
    import openpyxl

    open_page(demo_db, "oversikt", monkeypatch, STOCKHOLM)
    at = open_page(demo_db, "jamforelse", monkeypatch, {**STOCKHOLM, "jmf_niva": "Kommun"})
    open_tab(at, "jmf_flik", "Liknande områden")
    names = {}
    for key, call in recorded.items():
        if call.get("df") is None:
            continue
        data = exports.to_xlsx(call["df"], call.get("columns"), title=call["title"], caption=call["caption"])
        [names[key]] = openpyxl.load_workbook(io.BytesIO(data)).sheetnames
    assert names["oversikt_trend_dl"] == "Händelser per månad – Stockholm"
    assert names["oversikt_map_dl"] == "Antal händelser, kommuner i"
    # Excel refuses ":" in a sheet's name; the index's title has one.
    assert names["jmf_index_dl"] == "Händelser (alla händelsetyper)"
    assert all(0 < len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in names.values()), names


def test_a_measures_history_names_its_own_plans_workbook(demo_db, monkeypatch, recorded, raw):
    at = open_page(demo_db, "atgarder", monkeypatch, STOCKHOLM)
    open_tab(at, "atgarder_flik", "Register")
    at.session_state["atgarder_register"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert not at.exception
    export = recorded["atgarder_history_dl"]
    picked = recorded["atgarder_register_dl"]["df"].iloc[0]  # the register's first row, as picked
    assert export["title"] == f"Uppföljningar – {picked['title']}"
    [(workbook,)] = raw.execute("SELECT source_file FROM plan WHERE plan_id = ?", [picked["plan_id"]]).fetchall()
    # Its own plan's workbook, not the area's thirteen.
    assert source_of(export["caption"]) == f"{DEMO} (åtgärdsplaner: {workbook})"
