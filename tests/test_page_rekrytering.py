"""Rekryteringssignaler: what the page shows against SQL on the demo warehouse, and that
no shown count lies between 1 and threshold-1."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import swedish_number as number
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.usefixtures("fast_apptest")

PAGE = str(Path(__file__).resolve().parents[1] / "dashboard" / "pages" / "rekrytering.py")
BASE = {"period": "Välj månader", "fran": "mars 2025", "till": "augusti 2025"}
SEX = {"Pojkar": "M", "Flickor": "K", "Okänt kön": "X"}




def _open(demo_db, params):
    mp = pytest.MonkeyPatch()
    mp.setenv("LAGESBILD_DB", str(demo_db))
    at = AppTest.from_file(PAGE, default_timeout=120)
    for k, v in {**BASE, **params}.items():
        at.query_params[k] = v
    at.run()
    mp.undo()
    return at


@pytest.fixture(scope="module")
def region_by_sex(demo_db):
    return _open(demo_db, {"niva": "Polisregion", "omrade": "Region Stockholm", "uppdelning": "Kön"})


@pytest.fixture(scope="module")
def lpo_by_type(demo_db):
    return _open(demo_db, {"niva": "Lokalpolisområde", "omrade": "Järva", "uppdelning": "Signaltyp"})


def _shown_counts(at) -> list[str]:
    values = []
    for df in at.dataframe:
        values += [str(v) for v in df.shown["Antal"]]
    return values


def _note_count(at) -> int:
    line = next(c.value for c in at.caption if c.value.startswith("Röjandeskydd"))
    if "inga värden är dolda" in line:
        return 0
    return int(line.split(":", 1)[1].split()[0])


@pytest.mark.parametrize("which", ["region_by_sex", "lpo_by_type"])
def test_no_small_count_is_shown_and_the_note_counts_the_hidden(which, request):
    at = request.getfixturevalue(which)
    assert not at.exception, [e.value for e in at.exception]
    shown = _shown_counts(at)
    assert shown
    numbers = [number(v) for v in shown if v != ".."]
    assert not [v for v in numbers if 1 <= v <= 4]
    # The note counts the hidden counts in the two tables (summary + per period).
    assert _note_count(at) == shown.count("..")


def test_region_by_sex_matches_sql(region_by_sex, raw):
    summary = region_by_sex.dataframe[0].shown
    truth = dict(raw.execute("""
        SELECT sex, sum(count) FROM mart_signal
        WHERE polisregion_code = 'STOCKHOLM' AND month BETWEEN '2025-03-01' AND '2025-08-01'
        GROUP BY sex""").fetchall())
    checked = 0
    for label, count in zip(summary["Kön"], summary["Antal"], strict=True):
        if count != "..":
            assert number(count) == truth.get(SEX[label], 0)
            checked += 1
    assert checked >= 2
    per_period = region_by_sex.dataframe[1].shown
    months = dict(raw.execute("""
        SELECT strftime(month, '%Y-%m'), sum(count) FROM mart_signal
        WHERE polisregion_code = 'STOCKHOLM' AND month BETWEEN '2025-03-01' AND '2025-08-01' AND sex = 'M'
        GROUP BY 1""").fetchall())
    boys = per_period[per_period["Kön"] == "Pojkar"]
    assert len(boys) == 6
    names = ["mars", "april", "maj", "juni", "juli", "augusti"]
    for name, count in zip(boys["Månad"], boys["Antal"], strict=True):
        key = f"2025-{names.index(name.split()[0]) + 3:02d}"
        if count != "..":
            assert number(count) == months.get(key, 0)


def test_rate_is_per_1000_young_people(region_by_sex, raw):
    summary = region_by_sex.dataframe[0].shown
    boys = summary[summary["Kön"] == "Pojkar"].iloc[0]
    youth = raw.execute("""SELECT population_12_17 FROM mart_population
                           WHERE level = 'polisregion' AND area_code = 'STOCKHOLM' AND year = 2025""").fetchone()[0]
    # One decimal over the whole period, as Jämförelse shows the same rate.
    assert number(boys["Per 1 000 unga 12–17 år"]) == pytest.approx(number(boys["Antal"]) / youth * 1000, abs=0.051)


def test_sparse_area_is_coarsened_with_a_notice(demo_db, lpo_by_type, monkeypatch):
    monkeypatch.setenv("LAGESBILD_DB", str(demo_db))  # for the rerun after the click too
    at = _open(demo_db, {"niva": "Lokalpolisområde", "omrade": "Järva", "uppdelning": "Källa"})
    infos = " ".join(i.value for i in at.info)
    per_period = at.dataframe[1].shown
    # Järva's signals by source per month are mostly below the threshold in the demo data:
    # the page moves up a grain and says so.
    assert "visas därför per" in infos
    assert per_period.columns[0] in ("Kvartal", "År")
    # March-August is summed from 2025's months, most of them hidden: the page says why
    # and offers the whole year, where the sources are shown.
    assert (per_period["Antal"] == "..").mean() > 0.5
    assert "delar ett kalenderår" in " ".join(w.value for w in at.warning)
    button = next(b for b in at.button if b.label == "Visa hela 2025")
    button.click()
    at.run()
    assert (at.query_params["fran"], at.query_params["till"]) == ("januari 2025", "december 2025")
    whole = at.dataframe[1].shown
    assert whole.columns[0] == "År" and (whole["Antal"] == "..").mean() <= 0.5
    assert "delar ett kalenderår" not in " ".join(i.value for i in (*at.info, *at.warning))
    # Each breakdown gets the finest grain it can show: by signal type (most signals
    # are of a few types) fewer than half the months' values hide, so it stays per month.
    by_type = lpo_by_type.dataframe[1].shown
    assert by_type.columns[0] == "Månad" and "visas därför per" not in " ".join(i.value for i in lpo_by_type.info)
    assert 0 < (by_type["Antal"] == "..").mean() <= 0.5


@pytest.mark.parametrize(("params", "expected"), [
    # The last twelve months by year: before, "2024" (two months) stood beside "2025"
    # (ten), which read as a fivefold rise.
    ({"fran": "november 2024", "till": "oktober 2025", "tid": "År"},
     [("2024 (nov–dec)", "2024-11-01", "2024-12-01"), ("2025 (jan–okt)", "2025-01-01", "2025-10-01")]),
    ({"tid": "Kvartal"},  # mars–augusti 2025
     [("kvartal 1 2025 (mar)", "2025-03-01", "2025-03-01"), ("kvartal 2 2025", "2025-04-01", "2025-06-01"),
      ("kvartal 3 2025 (jul–aug)", "2025-07-01", "2025-08-01")]),
])
def test_a_quarter_or_year_the_period_cuts_names_its_months(demo_db, raw, params, expected):
    at = _open(demo_db, {"niva": "Polisregion", "omrade": "Region Stockholm", **params})
    assert not at.exception, [e.value for e in at.exception]
    per_period = at.dataframe[1].shown
    assert per_period.iloc[:, 0].tolist() == [label for label, *_ in expected]
    for (label, first, last), shown in zip(expected, per_period["Antal"], strict=True):
        count = raw.execute("SELECT sum(count) FROM mart_signal WHERE polisregion_code = 'STOCKHOLM' "
                            "AND month BETWEEN $first AND $last", {"first": first, "last": last}).fetchone()[0]
        assert number(shown) == count, label
    # The chart's ticks and text name them so too, and a notice says why they are lower.
    alt = next(c.value for c in at.caption if c.value.startswith("Linjediagram"))
    assert f"{expected[0][0]} – {expected[-1][0]}" in alt
    cut = [i.value for i in at.info if "färre månader" in i.value]
    assert len(cut) == 1 and expected[0][0] in cut[0] and expected[-1][0] in cut[0], cut
    assert expected[1][0] not in cut[0] or len(expected) == 2


def test_whole_years_get_no_notice_about_cut_years(demo_db):
    at = _open(demo_db, {"niva": "Polisregion", "omrade": "Region Stockholm", "fran": "januari 2024",
                         "till": "december 2025", "tid": "År"})
    assert at.dataframe[1].shown.iloc[:, 0].tolist() == ["2024", "2025"]
    assert not [i.value for i in at.info if "färre månader" in i.value]


def test_a_long_period_is_shown_in_a_coarser_grain_and_says_why(demo_db, monkeypatch):
    # A period of more than MAX_PERIODS months is shown per quarter (a chart and table of
    # 18 months by four categories do not read), and the page says so.
    from datetime import date

    from dashboard.filters import Selection
    from dashboard.queries import signals

    monkeypatch.setenv("LAGESBILD_DB", str(demo_db))
    page = signals.signal_page(Selection("riket", "SE", date(2024, 1, 1), date(2025, 6, 1)), "sex", "month")
    assert page.grain == "quarter"
    assert any("fler än 13 månader" in n and "per kvartal" in n for n in page.notices)
    assert set(page.trend["period"]) == set(signals.periods(date(2024, 1, 1), date(2025, 6, 1), "quarter"))
    # Thirteen months are still shown per month (unless most values would be hidden).
    page = signals.signal_page(Selection("riket", "SE", date(2024, 12, 1), date(2025, 12, 1)), "sex", "month")
    assert page.grain == "month" and not any("fler än" in n for n in page.notices)


def test_the_lines_come_in_the_tables_order_of_the_categories(demo_db):
    # The legend was alphabetical, "under 12 år" last, beside a table that lists it first.
    import json

    at = _open(demo_db, {"niva": "Polisregion", "omrade": "Region Stockholm", "uppdelning": "Åldersgrupp"})
    assert not at.exception, [e.value for e in at.exception]
    names = [t["name"] for t in json.loads(at.get("plotly_chart")[0].proto.spec)["data"] if t.get("name")]
    table = at.dataframe[0].shown["Åldersgrupp"].tolist()
    assert names and names == [c for c in table if c in names]
    assert names[0] == "under 12 år"


@pytest.mark.parametrize("measure", ["Antal signaler", "Per 1 000 unga 12–17 år"])
def test_the_chart_image_names_the_area_with_its_level_and_only_the_sources_it_uses(demo_db, monkeypatch, recorded,
                                                                                  measure):
    # The PNG said "Rekryteringssignaler per månad, Stockholm": a kommun or the LPO? And a
    # chart of counts named SCB's population among its sources, which only the rates use.
    import re

    import streamlit as st
    from helpers import chart_titles

    from dashboard import exports

    images: dict[str, tuple[str, str]] = {}

    def to_image(fig, fmt_, *, title, caption, **kwargs):
        images[fmt_] = (title, caption)
        return b""

    pressed = st.download_button

    def download_button(label, *, data=None, **kwargs):
        if label == "PNG" and kwargs.get("key", "").startswith("signal-trend"):
            data()  # what a click on "PNG" makes
        return pressed(label, data=data, **kwargs)

    monkeypatch.setattr(exports, "to_image", to_image)
    monkeypatch.setattr(exports, "browser_path", lambda: "/usr/bin/chromium")
    monkeypatch.setattr(st, "download_button", download_button)
    at = _open(demo_db, {"niva": "Kommun", "omrade": "Stockholm", "matt_signal": measure})
    assert not at.exception, [e.value for e in at.exception]
    title, caption = images["png"]
    assert title == "Rekryteringssignaler per månad, Stockholm (kommun), mars 2025 – augusti 2025"
    assert "Rekryteringssignaler per månad, Stockholm (kommun)" in chart_titles(at)  # on screen too
    assert recorded["signal-summary"]["title"].startswith("Rekryteringssignaler, hela perioden, Stockholm (kommun), ")
    source = re.search(r"Källa: (.*?)\. Data t\.o\.m\.", caption).group(1)
    assert "rekryteringssignaler" in source
    assert ("befolkning" in source) == (measure != "Antal signaler")
    # The table beside it has the rates: its files name the population either way.
    assert "befolkning" in re.search(r"Källa: (.*?)\. Data t\.o\.m\.", recorded["signal-trend"]["caption"]).group(1)
