"""Months before a source's data begin are missing, not zero: the demo's incidents begin
in January 2016 and its recruitment signals in January 2019. A period before them shows
"–" and says which months the source covers, and no change is worked out against a year
before them (Översikt, Rekryteringssignaler, Jämförelse all follow the query layer's rule)."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest
from helpers import open_page, open_tab
from helpers import swedish_number as number

from dashboard import formatting as fmt
from dashboard import periods

pytestmark = pytest.mark.usefixtures("fast_apptest")

SIGNALS = "Rekryteringssignaler (per 1 000 unga 12–17 år)"


def months(first: str, last: str) -> dict:
    return {"period": "Välj månader", "fran": first, "till": last}


def signals_between(db, start: str, end: str) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT sum(count) FROM recruitment_signal WHERE month BETWEEN ? AND ?",
                           [start, end]).fetchone()[0]


def first_signals(db) -> str:
    """'januari 2019': the month the signals begin, read from the data."""
    with duckdb.connect(str(db), read_only=True) as con:
        return fmt.month(con.execute("SELECT min(month) FROM recruitment_signal").fetchone()[0])


def test_the_months_of_a_period_that_a_source_covers():
    jan19, dec25 = date(2019, 1, 1), date(2025, 12, 1)
    assert periods.months_within(date(2018, 1, 1), date(2018, 12, 1), jan19, dec25) is None
    assert periods.months_within(date(2018, 7, 1), date(2019, 6, 1), jan19, dec25) == (jan19, date(2019, 6, 1))
    assert periods.months_within(date(2025, 6, 1), date(2026, 2, 1), jan19, dec25) == (date(2025, 6, 1), dec25)
    assert periods.months_within(date(2020, 1, 1), date(2020, 3, 1), None, None) is None
    assert periods.reaches_back(date(2020, 1, 1), jan19)
    assert not periods.reaches_back(date(2019, 12, 1), jan19)  # a year before starts in December 2018
    assert not periods.reaches_back(date(2020, 1, 1), None)


def test_overview_shows_no_signals_for_a_year_before_them(demo_db, monkeypatch):
    at = open_page(demo_db, "oversikt", monkeypatch, months("januari 2018", "december 2018"))
    card = next(m for m in at.metric if m.label == "Rekryteringssignaler")
    assert card.value == "–" and not card.delta
    said = " ".join(c.value for c in at.caption)
    assert f"från {first_signals(demo_db)}" in said and "efter den valda perioden" in said and "inte 0" in said


def test_overview_counts_the_months_with_signals_and_compares_with_nothing_before_them(demo_db, monkeypatch):
    at = open_page(demo_db, "oversikt", monkeypatch, months("juli 2018", "juni 2019"))
    card = next(m for m in at.metric if m.label == "Rekryteringssignaler")
    assert number(card.value) == signals_between(demo_db, "2019-01-01", "2019-06-01")
    assert not card.delta  # January–June 2018 has no signals to compare with
    said = " ".join(c.value for c in at.caption)
    assert "januari 2019 – juni 2019" in said and "Ingen förändring visas för rekryteringssignalerna" in said


def test_recruitment_page_draws_no_zeros_before_the_first_signal(demo_db, monkeypatch):
    before = open_page(demo_db, "rekrytering", monkeypatch, months("januari 2016", "mars 2016"))
    assert not before.dataframe and not before.get("plotly_chart") and not before.get("download_button")
    assert any("efter den valda perioden" in i.value and f"från {first_signals(demo_db)}" in i.value
               for i in before.info)

    partly = open_page(demo_db, "rekrytering", monkeypatch, months("juli 2018", "juni 2019"))
    per_period = next(df.shown for df in partly.dataframe if "Månad" in df.shown.columns)
    assert per_period["Månad"].tolist() == ["januari 2019", "februari 2019", "mars 2019", "april 2019",
                                            "maj 2019", "juni 2019"]


def test_comparison_tests_no_change_against_a_year_without_signals(demo_db, monkeypatch):
    at = open_page(demo_db, "jamforelse", monkeypatch, {**months("januari 2019", "december 2019"),
                                                        "jmf_matt": SIGNALS})
    table = next(d.shown for d in at.dataframe if "Antal året innan" in d.shown.columns)
    assert len(table) == 7 and set(table["Antal året innan"]) == {"–"}
    assert set(table["Inom slumpen"]) == {"–"}
    assert not [m for m in at.metric if m.label.startswith("Ökat")]  # no "7 ökat mer än slumpen förklarar"
    assert any("Ingen förändring prövas" in i.value and "januari 2019" in i.value for i in at.info)


@pytest.mark.parametrize("params", [{}, {"niva": "Kommun", "omrade": "Haninge"}])
def test_comparison_shows_nothing_for_a_year_before_the_signals(demo_db, monkeypatch, params):
    # Before: an empty chart ("Inga uppgifter för urvalet"), a table with no rows and
    # PNG/SVG/Excel/CSV downloads of them; the reason stood under them. Now the page says
    # when the signals begin (read from the data) and offers nothing empty to download,
    # in each of its three tabs, as Rekryteringssignaler and Karta do.
    at = open_page(demo_db, "jamforelse", monkeypatch, {**params, **months("januari 2018", "december 2018"),
                                                        "jmf_matt": SIGNALS})
    begins = first_signals(demo_db)
    for tab in ("Sida vid sida", "Liknande områden", "Åtgärder och utfall"):
        open_tab(at, "jmf_flik", tab)
        [said] = [i.value for i in at.info if "Rekryteringssignaler finns" in i.value]
        assert f"från {begins}" in said and "efter den valda perioden" in said and "inte 0" in said, tab
        assert not at.get("plotly_chart") and not at.get("download_button"), tab
        assert not [d for d in at.dataframe if "Antal" in d.shown.columns or "Värde" in d.shown.columns], tab


def test_comparison_tests_no_change_against_a_year_before_the_incidents(demo_db, monkeypatch):
    at = open_page(demo_db, "jamforelse", monkeypatch, months("januari 2016", "december 2016"))
    table = next(d.shown for d in at.dataframe if "Antal året innan" in d.shown.columns)
    assert set(table["Antal året innan"]) == {"–"}
    assert not [m for m in at.metric if m.label.startswith("Ökat")]
    assert any("januari 2016" in i.value and "januari 2015 – december 2015" in i.value for i in at.info)
