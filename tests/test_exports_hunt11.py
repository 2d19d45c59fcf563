"""Exports, hunt 11: what a coordinator saw when she downloaded each export and opened it
in Word or Excel (see docs/exports.md for what each download promises)."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from dashboard import charts, exports

# --- the Åtgärder flow chart (Sankey) as a picture --------------------------------------------


def flow_frame() -> pd.DataFrame:
    """A follow-up like Stockholm's: most measures not assessed at T1, a few achieved early,
    so the biggest node is the last in its column."""
    rows = []
    moves = {("påbörjad", "påbörjad"): 30, ("påbörjad", "delvis uppnådd"): 25, ("ej bedömd", "ej bedömd"): 60,
             ("ej bedömd", "påbörjad"): 20, ("uppnådd", "uppnådd"): 6, ("delvis uppnådd", "uppnådd"): 12,
             ("ej uppnådd", "ej uppnådd"): 5, ("ej bedömd", "uppnådd"): 3}
    for (a, b), n in moves.items():
        rows.append(("T1", a, "T2", b, n))
        rows.append(("T2", b, "T3", b, n))
    return pd.DataFrame(rows, columns=["from_round", "from_status", "to_round", "to_status", "n"])


def node_boxes(svg: str) -> tuple[float, list[tuple[float, float]]]:
    """The Sankey's top offset and each node's (top, bottom) in the SVG's pixels."""
    top = float(re.search(r'<g class="sankey" transform="translate\([\d.]+,([\d.]+)\)', svg).group(1))
    boxes = re.findall(r'<g class="sankey-node" transform="translate\([-\d.]+,([-\d.]+)\)"[^>]*>'
                       r'<rect class="node-rect" width="[\d.]+" height="([\d.]+)"', svg)
    return top, [(top + float(y), top + float(y) + float(h)) for y, h in boxes]


@pytest.fixture(scope="module")
def renderer():
    if exports.browser_path() is None:
        pytest.skip("Chromium saknas: bildexport kan inte testas")
    return exports.renderer()


def test_flow_chart_nodes_stay_above_the_caption_in_the_picture(renderer):
    fig = charts.status_flow(flow_frame(), rounds=("T1", "T2", "T3"), title="Status")
    caption = exports.caption(filters="Stockholm, planår 2025", source="Åtgärdsplaner", data_until="2025-09-20",
                              threshold=5)
    svg = exports.to_svg(fig, title="Status från uppföljning till uppföljning", caption=caption).decode()
    spec = exports.export_figure(fig, title="Status", caption=caption)
    plot_bottom = spec["layout"]["height"] - spec["layout"]["margin"]["b"]
    top, boxes = node_boxes(svg)
    assert len(boxes) == len(fig.data[0].node.label)
    # Every node inside the plot: the T1 "ej bedömd" node ran down through the caption text.
    assert all(top - 0.5 <= a and b <= plot_bottom + 0.5 for a, b in boxes), (plot_bottom, boxes)


# --- file names -------------------------------------------------------------------------------


def download_names(at) -> list[str]:
    # Each button's tooltip names the file it gives ("Ladda ner <name>").
    return [b.proto.help.removeprefix("Ladda ner ") for b in at.get("download_button")]


def test_a_range_of_years_keeps_its_dash_in_the_file_name():
    # "2025–2026" (en dash) became "20252026": the dash was dropped with the Swedish letters.
    assert exports.safe_filename("Åtgärdernas status – Stockholm, 2025–2026") == "atgardernas-status-stockholm-2025-2026"
    assert exports.safe_filename("a " * 60).endswith("a")  # cut at 80 characters, never on a dash


@pytest.mark.usefixtures("fast_apptest")
@pytest.mark.parametrize("tab", ["Sida vid sida", "Liknande områden", "Åtgärder och utfall"])
def test_comparison_downloads_name_the_whole_months(demo_db, monkeypatch, tab):
    from helpers import open_page

    # The side-by-side title with the period in words was cut at 80 characters mid-year:
    # "…-i-jamtlands-lan-januari-2025-mars-202.csv"; the index named no period at all.
    at = open_page(demo_db, "jamforelse", monkeypatch, {
        "niva": "Län", "omrade": "Jämtlands län", "period": "Välj månader", "fran": "januari 2025",
        "till": "mars 2025", "jmf_niva": "Lokalpolisområde", "jmf_flik": tab})
    names = download_names(at)
    assert names, tab
    for name in names:
        stem = name.rsplit(".", 1)[0]
        assert stem.endswith("-2025-01-2025-03") and len(stem) <= 80, name


@pytest.mark.usefixtures("fast_apptest")
@pytest.mark.parametrize("tab", ["Status", "Uppföljningar", "Står still", "Analysbladet", "Register"])
def test_measure_downloads_name_the_plan_years(demo_db, monkeypatch, tab):
    from helpers import open_page

    at = open_page(demo_db, "atgarder", monkeypatch, {
        "niva": "Län", "omrade": "Stockholms län", "period": "Välj månader", "fran": "januari 2024",
        "till": "mars 2025", "atgarder_flik": tab})
    names = download_names(at)
    assert names, tab
    assert all(name.rsplit(".", 1)[0].endswith("stockholms-lan-2024-2025") for name in names), names


# --- hidden values: each export's caption counts its own ----------------------------------------


def csv_table(data: bytes) -> list[dict[str, str]]:
    """The CSV as Swedish Excel reads it: UTF-8 with BOM, ';' between fields."""
    import csv
    import io

    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def claimed(caption: str) -> int:
    found = re.search(r"; (\d+) värden? döljs här", caption)
    return int(found.group(1)) if found else 0


def hidden_in(export: dict, headers: list[str]) -> int:
    rows = csv_table(exports.to_csv(export["df"], export["columns"]))
    return sum(row[h] == ".." for row in rows for h in headers)


HARJEDALEN = {"niva": "Lokalpolisområde", "omrade": "Härjedalen", "period": "Välj månader", "fran": "januari 2019",
              "till": "december 2025"}


@pytest.mark.usefixtures("fast_apptest")
@pytest.mark.parametrize("split", ["Totalt", "Kön"])
def test_each_signal_export_says_how_many_counts_it_hides(demo_db, monkeypatch, recorded, split):
    from helpers import open_page

    # Härjedalen per year: the trend hides some years, the whole period hides none (or
    # others); both captions said the page's sum.
    open_page(demo_db, "rekrytering", monkeypatch, {**HARJEDALEN, "tid": "År", "uppdelning": split})
    counts = {key: (claimed(recorded[key]["caption"]), hidden_in(recorded[key], ["Antal"]))
              for key in ("signal-trend", "signal-summary")}
    assert counts["signal-trend"][1] > 0, counts  # the selection hides something
    assert all(said == found for said, found in counts.values()), counts


JAMTLAND_Q1 = {"niva": "Län", "omrade": "Jämtlands län", "period": "Välj månader", "fran": "januari 2025",
               "till": "mars 2025", "jmf_niva": "Lokalpolisområde",
               "jmf_matt": "Rekryteringssignaler (per 1 000 unga 12–17 år)"}


@pytest.mark.usefixtures("fast_apptest")
@pytest.mark.parametrize(("tab", "key", "headers"), [
    ("Sida vid sida", "jmf_bars_dl", ["Antal", "Antal året innan"]),
    ("Liknande områden", "jmf_index_dl", ["Värde"]),  # a value is hidden with its count
    ("Åtgärder och utfall", "jmf_paired_dl", ["Värde", "Värde året innan"]),
])
def test_each_comparison_export_says_how_many_counts_it_hides(demo_db, monkeypatch, recorded, tab, key, headers):
    from helpers import open_page

    # Jämtland's LPOs, Q1 2025: the three views hide different numbers of counts; every
    # caption said the side-by-side table's, and the measures tab's note said none.
    at = open_page(demo_db, "jamforelse", monkeypatch, {**JAMTLAND_Q1, "jmf_flik": tab})
    export = recorded[key]
    found = hidden_in(export, headers)
    assert found > 0 and claimed(export["caption"]) == found, (export["caption"], found)
    note = next(c.value for c in at.caption if c.value.startswith("Röjandeskydd"))
    assert note.startswith(f"Röjandeskydd: {found} värde"), note


@pytest.mark.usefixtures("fast_apptest")
def test_comparison_index_export_writes_a_hidden_count_as_dots_not_an_empty_cell(demo_db, monkeypatch, recorded):
    from helpers import open_page

    open_page(demo_db, "jamforelse", monkeypatch, {**HARJEDALEN, "jmf_flik": "Liknande områden",
                                                    "jmf_matt": "Rekryteringssignaler (per 1 000 unga 12–17 år)"})
    rows = csv_table(exports.to_csv(recorded["jmf_index_dl"]["df"], recorded["jmf_index_dl"]["columns"]))
    hidden = [r for r in rows if r["Värde"] == ".."]
    assert hidden, rows  # Härjedalen has years of 1–4 signals
    assert all(r["Antal"] == ".." for r in hidden), hidden  # was '' (read as "no data")
    [index] = [h for h in rows[0] if h.startswith("Index (")]
    assert all(r[index] == ".." for r in hidden), hidden  # the index is hidden with its value
    assert all(r["Antal"] != "" for r in rows if r["Unga 12–17 år"]), rows


# --- population: whole people, as on screen -----------------------------------------------------


@pytest.mark.usefixtures("fast_apptest")
def test_karta_export_writes_apportioned_population_as_whole_people(demo_db, monkeypatch, recorded):
    import io

    import openpyxl
    from helpers import open_page

    # Polisområden sharing a kommun get its population by share: the CSV said
    # "1063672,4" people where the screen shows "1 063 672".
    open_page(demo_db, "karta", monkeypatch, {"niva": "Polisregion", "omrade": "Region Stockholm",
                                              "matt": "Händelser per 100 000 invånare"})
    export = recorded["karta_table_dl"]
    rows = csv_table(exports.to_csv(export["df"], export["columns"]))
    assert any(r["Befolkning"] for r in rows), rows
    assert all(re.fullmatch(r"\d*", r["Befolkning"]) for r in rows), [r["Befolkning"] for r in rows]
    assert any("," in r["Händelser per 100 000 invånare"] for r in rows)  # rates keep their decimals
    sheet = openpyxl.load_workbook(io.BytesIO(exports.to_xlsx(export["df"], export["columns"], title="T",
                                                              caption="C"))).active
    column = [c.value for c in sheet[4]].index("Befolkning") + 1
    people = [sheet.cell(r, column).value for r in range(5, sheet.max_row + 1)]
    assert all(v is None or float(v).is_integer() for v in people), people


@pytest.mark.usefixtures("fast_apptest")
def test_comparison_signal_export_caption_names_no_incident_types_and_the_signals_date(
        demo_db, monkeypatch, recorded):
    from helpers import open_page

    from dashboard import queries

    seen = {}
    real = queries.data_status

    def status():  # signals arrive later than incidents, as they do in real deliveries
        out = real()
        seen["through"] = {**out["through"], "rekryteringssignaler": "2025-10-31"}
        return {**out, "through": seen["through"]}

    monkeypatch.setattr(queries, "data_status", status)
    open_page(demo_db, "jamforelse", monkeypatch, {**JAMTLAND_Q1, "typ": "skottlossning"})
    caption = recorded["jmf_bars_dl"]["caption"]
    assert "skottlossning" not in caption, caption  # "Urval: … · skottlossning" on a signal chart
    assert "Data t.o.m. 2025-10-31." in caption, caption  # the signals' date, not the incidents'
