"""What users still saw wrong in the dashboard (ux20), checked as a user reads it on the
tests' demo database: the exports as Excel opens them, the Data page's log exports."""

from __future__ import annotations

import io

import openpyxl
import pytest
from helpers import open_page

from dashboard import exports

pytestmark = pytest.mark.usefixtures("fast_apptest")

STOCKHOLM = {"niva": "Polisregion", "omrade": "Region Stockholm"}
SIGNALS = {"jmf_matt": "Rekryteringssignaler (per 1 000 unga 12–17 år)"}


def sheet_rows(export: dict) -> list[tuple]:
    """The export's XLSX as Excel reads it: header row, then the data rows (cell objects)."""
    book = openpyxl.load_workbook(io.BytesIO(exports.to_xlsx(export["df"], export["columns"],
                                                            title=export["title"], caption=export["caption"])))
    rows = list(book.active.iter_rows(min_row=4))
    return [tuple(c.value for c in rows[0])], rows[1:]


def column(export: dict, header: str) -> list:
    [head], rows = sheet_rows(export)
    return [r[head.index(header)] for r in rows]


# --- 4. a year is a number in Excel ----------------------------------------------------------------


def test_signals_per_year_export_the_year_as_a_number_and_a_cut_years_months_beside_it(demo_db, monkeypatch,
                                                                                       recorded):
    """Rekryteringssignaler per year: the XLSX's "År" was the text "2024 (nov–dec)", which
    Excel neither sorts as a year nor charts. The year is a number without a thousands
    separator, and the months a cut year holds are in a column of their own."""
    at = open_page(demo_db, "rekrytering", monkeypatch,
                   {**STOCKHOLM, "period": "Välj månader", "fran": "november 2024", "till": "oktober 2025",
                    "tid": "År"})
    export = recorded["signal-trend"]
    [head], _ = sheet_rows(export)
    assert head[:2] == ("År", "Månader"), head
    years = column(export, "År")
    assert [c.value for c in years] == [2024, 2025]
    assert {c.number_format for c in years} == {"0"}  # "2024", not "2 024"
    assert [c.value for c in column(export, "Månader")] == ["nov–dec", "jan–okt"]
    # The page's own table still names a cut year by its months.
    [by_period] = [d.shown for d in at.dataframe if "År" in d.shown.columns]
    assert by_period["År"].tolist() == ["2024 (nov–dec)", "2025 (jan–okt)"]


def test_whole_years_need_no_months_column_and_quarters_stay_labels(demo_db, monkeypatch, recorded):
    open_page(demo_db, "rekrytering", monkeypatch,
              {**STOCKHOLM, "period": "Föregående år", "tid": "År"})
    [head], _ = sheet_rows(recorded["signal-trend"])
    assert head[:2] == ("År", "Antal"), head
    assert [c.value for c in column(recorded["signal-trend"], "År")] == [2024]

    open_page(demo_db, "rekrytering", monkeypatch, {**STOCKHOLM, "period": "Föregående år", "tid": "Kvartal"})
    assert [c.value for c in column(recorded["signal-trend"], "Kvartal")] == [
        f"kvartal {q} 2024" for q in range(1, 5)]


def test_comparisons_index_export_has_its_years_as_numbers(demo_db, monkeypatch, recorded):
    """Jämförelse, Liknande områden: the index export's "År" was text ("2020")."""
    open_page(demo_db, "jamforelse", monkeypatch,
              {**STOCKHOLM, "jmf_niva": "Län", **SIGNALS, "jmf_flik": "Liknande områden"})
    years = column(recorded["jmf_index_dl"], "År")
    assert years and all(isinstance(c.value, int) for c in years), [c.value for c in years][:5]
    assert {c.number_format for c in years} == {"0"}
    assert 2020 in {c.value for c in years}


# --- 3. the load log is dated by its loads ------------------------------------------------------


def test_the_load_logs_export_states_when_its_loads_were_made_not_the_incidents_last_day(demo_db, monkeypatch,
                                                                                        recorded, raw):
    """The Data page's export of the load log said "Data t.o.m. 2025-12-31", the incidents'
    last day: a date that says nothing about a log of loads (the demo was loaded in 2026).
    It states the time the log covers, as the table shows the loads' times."""
    open_page(demo_db, "data", monkeypatch, {})
    caption = recorded["data_loads_dl"]["caption"]
    first, last = (t.strftime("%Y-%m-%d %H:%M") for t in raw.execute(
        "SELECT min(loaded_at), max(loaded_at) FROM load_log").fetchone())
    assert "Data t.o.m." not in caption, caption
    span = f"Inläsningar {first} – {last}." if first != last else f"Inläsningar {first}."
    assert span in caption, caption
    [head], rows = sheet_rows(recorded["data_loads_dl"])
    assert len(rows) == raw.execute("SELECT count(*) FROM load_log").fetchone()[0]


def test_a_caption_for_a_log_replaces_the_data_date():
    text = exports.caption(contents="Alla inläsningar", source="S", data_until="2025-12-31",
                           dated="Inläsningar 2026-01-15 09:00 – 2026-01-16 10:30")
    assert text == "Alla inläsningar. Källa: S. Inläsningar 2026-01-15 09:00 – 2026-01-16 10:30."


# --- 1. the tables fit a narrow window, the exports keep their headers -----------------------------


def screen_headings(table) -> dict[str, tuple[str, str | None]]:
    """Each column of a table on the page: its data header -> (the heading shown, its help)."""
    import json

    config = json.loads(table.proto.columns or "{}")
    return {c: (config.get(c, {}).get("label", c), config.get(c, {}).get("help")) for c in table.value.columns}


@pytest.mark.parametrize(("page", "params", "column", "export_key", "shown"), [
    ("oversikt", STOCKHOLM, "Ett år tidigare", "oversikt_change_dl",
     ["Polisområde", "Antal", "Året innan", "Förändr.", "%", "Per 100 000"]),
    ("jamforelse", {"niva": "Kommun", "omrade": "Botkyrka", "jmf_flik": "Liknande områden"}, "Avstånd (0 = samma)", None,
     ["Kommun", "Invånare", "12–17 år", "Per km²", "Avstånd"]),
], ids=["oversikt", "jamforelse"])
def test_narrow_tables_show_short_headings_with_the_full_wording_as_help(demo_db, monkeypatch, recorded, page,
                                                                         params, column, export_key, shown):
    """At 800 px Översikt's "Vad förändrades mest" and Jämförelse's similar areas scrolled
    sideways; their headings are short on screen (tests/test_browser_narrow.py measures
    the fit), each shortened one saying its full wording when pointed at, and the export
    keeps the full headers."""
    at = open_page(demo_db, page, monkeypatch, params)
    [table] = [d for d in at.dataframe if column in d.shown.columns]
    headings = screen_headings(table)
    assert [label for label, _ in headings.values()] == shown
    for full, (label, help_text) in headings.items():
        if label != full:
            assert help_text and help_text.startswith(full.split(" (")[0]), (full, help_text)
    assert list(headings)[1:] == list(table.value.columns)[1:]  # the data keep every column
    if export_key:
        assert list(recorded[export_key]["columns"].values()) == [
            "Polisområde", "Antal", "Ett år tidigare", "Förändring antal", "Förändring antal (%)",
            "Per 100 000 invånare"]
