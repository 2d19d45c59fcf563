"""dashboard/queries/comparison.py on a small hand-built warehouse: rates against SQL on
the fact tables, the same cutoff a year earlier, the chance flag on constructed counts,
official statistics, similar areas, recruitment signals kept disclosure-controlled, and
measure completion beside the outcome."""

from __future__ import annotations

import math
import shutil
from datetime import date, datetime

import duckdb
import pandas as pd
import pytest

from dashboard import suppression
from dashboard.filters import Selection
from dashboard.queries import comparison as cq
from dashboard.queries import signals as signal_queries
from pipelines import marts, warehouse

# The whole module runs on one xdist worker, so that the comparison warehouse (about 6 s)
# is built once, not once on each worker (--dist loadgroup spreads ungrouped tests over both).
pytestmark = pytest.mark.xdist_group("test_queries_comparison")

# kommun -> (län, population, aged 12–17)
KOMMUNER = {
    "0180": ("01", 1_000_000, 60_000),   # Stockholm
    "0126": ("01", 100_000, 8_000),      # Huddinge
    "0182": ("01", 100_000, 7_000),      # Nacka
    "0114": ("01", 45_000, 3_500),       # Upplands Väsby
    "1280": ("12", 350_000, 20_000),     # Malmö
}
# violent incidents (våldsbrott) January–October: kommun -> (2024, 2025)
VIOLENCE = {"0126": (10, 14), "0182": (100, 200), "0180": (50, 50), "1280": (30, 31)}
SHOOTINGS_HUDDINGE_2025 = 3
# November 2025 lies after the data's stated end (2025-10-31) and must not count.
LATE_NACKA = 40


def _incidents(con, kommun: str, lan: str, year: int, n: int, kind: str, first_id: int, months=range(1, 11)):
    rows = []
    months = list(months)
    for i in range(n):
        m = months[i % len(months)]
        rows.append((f"t:{first_id + i}", datetime(year, m, 1 + i % 27, 12), kind, kommun, lan))
    con.executemany("""INSERT INTO incident (incident_id, occurred_at, incident_type, kommun_code, lan_code,
                                             source, load_id) VALUES (?, ?, ?, ?, ?, 'test', 1)""", rows)
    return first_id + n


@pytest.fixture(scope="module")
def stats_db(reference_db_template, tmp_path_factory):
    db = tmp_path_factory.mktemp("comparison") / "comparison.duckdb"
    shutil.copyfile(reference_db_template, db)
    with warehouse.write_session(db) as con:
        for kommun, (_, pop, young) in KOMMUNER.items():
            for year in (2023, 2024, 2025):
                grow = 1 + 0.01 * (year - 2024)
                con.executemany("INSERT INTO population VALUES (?, ?, ?, ?, ?, 'test', 1)", [
                    (kommun, year, "12-14", "M", round(young * grow)),
                    (kommun, year, "25-64", "M", round((pop - young) * grow)),
                ])
        next_id = 0
        for kommun, (before, now) in VIOLENCE.items():
            lan = KOMMUNER[kommun][0]
            next_id = _incidents(con, kommun, lan, 2024, before, "våldsbrott", next_id)
            next_id = _incidents(con, kommun, lan, 2025, now, "våldsbrott", next_id)
        next_id = _incidents(con, "0126", "01", 2025, SHOOTINGS_HUDDINGE_2025, "skottlossning", next_id)
        next_id = _incidents(con, "0182", "01", 2025, LATE_NACKA, "våldsbrott", next_id, months=[11])
        con.execute("INSERT INTO dataset_info VALUES ('data_tom', '2025-10-31')")
        con.executemany("INSERT INTO kolada_value VALUES ('N07403', 'Anmälda brott totalt, antal/100 000 inv', "
                        "?, ?, 'T', ?, NULL, FALSE, 'Kolada', NULL, 1)",
                        [("0126", 2024, 1000.0), ("0126", 2025, 1100.0), ("0180", 2025, 1500.0)])
        con.executemany("INSERT INTO bra_statistic VALUES (?, 'Misshandel', ?, ?, ?, ?, 'Brå', NULL, 1)",
                        [("01", 2024, 100, 50.0, False), ("01", 2025, 150, 70.0, True),
                         ("12", 2024, 40, 30.0, False), ("12", 2025, 42, 31.0, False)])
        # Recruitment signals: Huddinge's LPO covers only Huddinge; LPO Nacka covers three kommuner.
        signals = []
        for month in pd.date_range("2024-01-01", "2025-10-01", freq="MS"):
            signals.append((month.date(), "LPO-HUDDINGE", "15-17", "M", "skola", "rekryteringsförsök", 6))
            signals.append((month.date(), "LPO-HUDDINGE", "12-14", "K", "polis", "rekryteringsförsök",
                            2 if month.month == 3 else 0))
            signals.append((month.date(), "LPO-NACKA", "15-17", "M", "skola", "rekryteringsförsök", 7))
        con.executemany("INSERT INTO recruitment_signal VALUES (?, ?, ?, ?, ?, ?, ?, 1)", signals)
        con.execute("INSERT INTO plan (plan_id, organisation, kommun_code, lpo_codes, year, source_file, metadata_from, "
                    "load_id) VALUES ('p1', 'Huddinge kommun', '0126', NULL, 2025, 'x.xlsx', 'test', 1)")
        for i, status in enumerate(["uppnådd", "delvis uppnådd", "påbörjad", "ej bedömd"]):
            con.execute("""INSERT INTO measure (measure_id, plan_id, prioritised_area, title, is_line_work, status,
                                                load_id) VALUES (?, 'p1', 'Otrygga och brottsutsatta platser', ?,
                                                FALSE, ?, 1)""", [f"m{i}", f"Åtgärd {i}", status])
        marts.refresh(con)
    return db


@pytest.fixture
def use_db(stats_db, monkeypatch):
    monkeypatch.setenv("LAGESBILD_DB", str(stats_db))
    return stats_db


def sql(db, query: str, params=None) -> pd.DataFrame:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(query, params or []).df()
    finally:
        con.close()


SEL = Selection("lan", "01", date(2025, 1, 1), date(2025, 12, 1), area_name="Stockholms län")
STOCKHOLM_KOMMUNER = ("0114", "0126", "0180", "0182")


# --- incidents ----------------------------------------------------------------------------------

def test_rates_match_sql_on_the_fact_tables(use_db):
    cmp = cq.compare(SEL, "kommun", "incidents:våld", STOCKHOLM_KOMMUNER)
    expected = sql(use_db, """
        WITH c AS (SELECT kommun_code, count(*) FILTER (WHERE occurred_at < '2025-01-01') AS before,
                          count(*) FILTER (WHERE occurred_at >= '2025-01-01') AS now
                   FROM incident
                   WHERE incident_type IN ('mord/dråp', 'våldsbrott', 'rån', 'hot')
                     AND ((occurred_at >= '2024-01-01' AND occurred_at < '2024-11-01')
                       OR (occurred_at >= '2025-01-01' AND occurred_at < '2025-11-01'))
                   GROUP BY 1),
             p AS (SELECT kommun_code, sum(population) FILTER (WHERE year = 2025) AS pop,
                          sum(population) FILTER (WHERE year = 2024) AS pop_before
                   FROM population GROUP BY 1)
        SELECT kommun_code AS area_code, now, before, now / pop * 1e5 AS rate, before / pop_before * 1e5 AS rate_before
        FROM c JOIN p USING (kommun_code)""").set_index("area_code")
    table = cmp.table.set_index("area_code")
    for code in ("0126", "0182", "0180"):
        assert table.at[code, "count"] == expected.at[code, "now"]
        assert table.at[code, "count_prev"] == expected.at[code, "before"]
        assert table.at[code, "value"] == pytest.approx(expected.at[code, "rate"])
        assert table.at[code, "value_prev"] == pytest.approx(expected.at[code, "rate_before"])
    # Nacka's November incidents lie after the data's end: same cutoff, same months
    assert table.at["0182", "count"] == 200
    # an area without incidents is a zero, not missing; Malmö is outside the list
    assert table.at["0114", "count"] == 0 and table.at["0114", "value"] == 0
    assert "1280" not in table.index
    assert table.at["0182", "rank"] == 1
    assert cmp.period == "januari 2025 – oktober 2025" and cmp.previous == "januari 2024 – oktober 2024"
    assert any("oktober 2025" in n for n in cmp.notes)  # the period was cut at the data's end


def test_within_chance_flag_on_constructed_counts(use_db):
    table = cq.compare(SEL, "kommun", "incidents:våld", STOCKHOLM_KOMMUNER).table.set_index("area_code")
    assert bool(table.at["0126", "within_chance"]) is True    # 10 -> 14: chance
    assert bool(table.at["0182", "within_chance"]) is False   # 100 -> 200: not chance
    assert bool(table.at["0180", "within_chance"]) is True    # 50 -> 50
    # Independent check of the first two with the exact two-sided binomial test.
    for code, within in (("0126", True), ("0182", False)):
        now, before = VIOLENCE[code][1], VIOLENCE[code][0]
        pop_now, pop_before = KOMMUNER[code][1] * 1.01, KOMMUNER[code][1]
        p = pop_now / (pop_now + pop_before)
        n = now + before
        pmf = [math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(n + 1)]
        p_value = sum(v for v in pmf if v <= pmf[now] * (1 + 1e-9))
        assert (p_value > 0.05) is within


def test_poisson_interval_contains_the_rate(use_db):
    table = cq.compare(SEL, "kommun", "incidents:våld", STOCKHOLM_KOMMUNER).table.set_index("area_code")
    row = table.loc["0126"]
    assert row["low"] < row["value"] < row["high"]
    # Exact Garwood interval for 14 events: 7,65–23,49 per 100 000 × population 101 000
    assert row["low"] == pytest.approx(7.654 / 101_000 * 1e5, rel=1e-3)
    assert row["high"] == pytest.approx(23.49 / 101_000 * 1e5, rel=1e-3)


def test_type_group_and_sidebar_types(use_db):
    shootings = cq.compare(SEL, "kommun", "incidents:skjutningar", STOCKHOLM_KOMMUNER).table.set_index("area_code")
    assert shootings.at["0126", "count"] == SHOOTINGS_HUDDINGE_2025
    chosen = Selection("lan", "01", SEL.start, SEL.end, ("skottlossning", "våldsbrott"))
    both = cq.compare(chosen, "kommun", "incidents:urval", STOCKHOLM_KOMMUNER).table.set_index("area_code")
    assert both.at["0126", "count"] == VIOLENCE["0126"][1] + SHOOTINGS_HUDDINGE_2025


def test_yearly_windows_use_the_same_months(use_db):
    windows = cq.trend_windows(SEL, cq.indicators("kommun")["incidents:våld"], date(2024, 1, 1))
    assert windows == [(2024, date(2024, 1, 1), date(2024, 10, 1)), (2025, date(2025, 1, 1), date(2025, 10, 1))]
    yearly = cq.yearly(SEL, "kommun", "incidents:våld", ("0126",)).set_index("year")
    assert yearly.at[2024, "count"] == 10 and yearly.at[2025, "count"] == 14
    assert yearly.at[2025, "value"] == pytest.approx(14 / 101_000 * 1e5)


def test_last_complete_month():
    from dashboard.queries.incidents import last_complete_month

    assert last_complete_month(date(2025, 10, 31)) == date(2025, 10, 1)
    assert last_complete_month(date(2025, 10, 17)) == date(2025, 9, 1)
    assert last_complete_month(date(2025, 2, 27), slack_days=2) == date(2025, 2, 1)
    assert last_complete_month(date(2025, 12, 31)) == date(2025, 12, 1)


# --- official statistics -------------------------------------------------------------------------

def test_statistics_are_offered_where_they_exist(use_db):
    assert "kolada:N07403" in cq.indicators("kommun")
    assert "kolada:N07403" not in cq.indicators("lan")
    assert "bra:Misshandel" in cq.indicators("lan")
    assert "bra:Misshandel" not in cq.indicators("lpo")


def test_kolada_values_without_intervals(use_db):
    cmp = cq.compare(SEL, "kommun", "kolada:N07403", STOCKHOLM_KOMMUNER)
    table = cmp.table.set_index("area_code")
    assert table.at["0126", "value"] == 1100.0 and table.at["0126", "value_prev"] == 1000.0
    assert table.at["0126", "change_pct"] == pytest.approx(10.0)
    assert pd.isna(table.at["0126", "low"]) and pd.isna(table.at["0126", "within_chance"])
    assert table.at["0180", "rank"] == 1 and pd.isna(table.at["0114", "value"])
    assert cmp.period == "2025" and any("Kolada" in n for n in cmp.notes)


def test_bra_counts_give_intervals_and_a_chance_test(use_db):
    cmp = cq.compare(SEL, "lan", "bra:Misshandel", ("01", "12"))
    table = cmp.table.set_index("area_code")
    assert table.at["01", "value"] == 70.0
    assert table.at["01", "low"] < 70.0 < table.at["01", "high"]
    assert bool(table.at["01", "within_chance"]) is False    # 100 -> 150 with a 7 % larger population
    assert bool(table.at["12", "within_chance"]) is True     # 40 -> 42
    assert any("preliminär" in n for n in cmp.notes)


# --- similar areas ----------------------------------------------------------------------------------

def test_nearest_ranks_by_standardised_structure():
    df = pd.DataFrame({
        "area_code": ["a", "b", "c", "d"],
        "name": ["A", "B", "C", "D"],
        "population": [100_000, 110_000, 2_000, 95_000],
        "share_12_17": [0.07, 0.071, 0.05, 0.09],
        "density": [1000.0, 900.0, 3.0, 1000.0],
    })
    out = cq.nearest(df, "a", 2)
    assert out["area_code"].tolist() == ["a", "b", "d"]
    assert out["distance"].iat[0] == 0 and out["distance"].is_monotonic_increasing
    assert cq.nearest(df, "zz", 2).empty


def test_similar_uses_population_and_area(use_db):
    out = cq.similar("kommun", "0126", 2, 2025)
    assert out["area_code"].iat[0] == "0126"
    assert len(out) == 3
    structure = cq.structure("kommun", 2025).set_index("area_code")
    assert structure.at["0126", "share_12_17"] == pytest.approx(8_080 / 101_000, rel=1e-3)
    assert structure.at["0126", "density"] > 0


# --- recruitment signals ------------------------------------------------------------------------------

def test_signals_come_protected_from_the_signal_module(use_db):
    cmp = cq.compare(SEL, "lpo", "signals", ("LPO-HUDDINGE", "LPO-NACKA", "LPO-FARSTA"))
    table = cmp.table.set_index("area_code")
    protected = signal_queries.area_values("lpo", date(2025, 1, 1), date(2025, 10, 1)).set_index("area_code")
    for code in ("LPO-HUDDINGE", "LPO-NACKA"):
        assert bool(table.at[code, "count_suppressed"]) == bool(protected.at[code, "count_suppressed"])
        if not table.at[code, "count_suppressed"]:
            assert table.at[code, "count"] == protected.at[code, "count"]
            assert table.at[code, "value"] == pytest.approx(protected.at[code, "rate"])
    assert table.at["LPO-FARSTA", "count"] == 0 and table.at["LPO-FARSTA", "value"] == 0
    assert suppression.small_count_values(cmp.table, ["count", "count_prev"]) == []
    assert cmp.indicator.person_level


def test_kommuner_signals_cannot_reach_are_missing_not_zero(use_db):
    table = cq.compare(SEL, "kommun", "signals", STOCKHOLM_KOMMUNER).table.set_index("area_code")
    # Nacka's LPO covers three kommuner: its signals cannot be placed in Nacka kommun.
    assert pd.isna(table.at["0182", "count"]) and not table.at["0182", "count_suppressed"]
    assert table.at["0126", "count"] > 0


# --- measures beside the outcome ---------------------------------------------------------------------

def test_completion_beside_outcome(use_db):
    paired, shown = cq.paired(SEL, "kommun", "incidents:våld", STOCKHOLM_KOMMUNER, 2025)
    assert paired["area_code"].tolist() == ["0126"]
    row = paired.iloc[0]
    assert row["measures"] == 4 and row["done"] == 2 and row["share_done"] == pytest.approx(0.5)
    assert row["change_pct"] == pytest.approx((14 / 101_000 - 10 / 100_000) / (10 / 100_000) * 100)
    assert shown["within_chance"].tolist() == ["ja" if row["within_chance"] else "nej"]


def test_completion_beside_the_callers_comparison_is_the_same(use_db):
    # The page passes its comparison so the table is not read from the cache again.
    import streamlit as st

    cmp = cq.compare(SEL, "kommun", "incidents:våld", STOCKHOLM_KOMMUNER)
    st.cache_data.clear()
    given = cq.paired(SEL, "kommun", "incidents:våld", STOCKHOLM_KOMMUNER, 2025, comparison=cmp)
    st.cache_data.clear()
    looked_up = cq.paired(SEL, "kommun", "incidents:våld", STOCKHOLM_KOMMUNER, 2025)
    for a, b in zip(given, looked_up, strict=True):
        pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_a_period_without_a_complete_month_gives_an_empty_table_and_says_why(use_db):
    # The data end 2025-10-31: November–December has no complete month to compare.
    late = Selection("lan", "01", date(2025, 11, 1), date(2025, 12, 1), area_name="Stockholms län")
    for indicator in ("incidents:våld", "signals"):
        if indicator not in cq.indicators("kommun"):
            continue
        cmp = cq.compare(late, "kommun", indicator, STOCKHOLM_KOMMUNER)
        assert cmp.table.empty
        assert {"area_code", "name", "value", "rank"} <= set(cmp.table.columns)
        if indicator == "signals":  # the signals end in October too: their months are named, as on
            # Rekryteringssignaler and Karta
            assert cmp.notes == ("Rekryteringssignaler finns från januari 2024 till och med oktober 2025, före den "
                                 "valda perioden: den har inga signaler att visa (–, inte 0). Välj en tidigare "
                                 "period för att se dem.",)
        else:
            assert "Perioden har ingen hel månad med data." in cmp.notes
        assert cmp.no_change == cmp.notes[0]  # and no change is tested
        assert cmp.no_values == cmp.notes[0]  # the page says it instead of an empty chart and table


def test_the_page_shows_a_period_without_a_complete_month_without_failing(use_db, fast_apptest):
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    page = str(Path(__file__).resolve().parents[1] / "dashboard" / "pages" / "jamforelse.py")
    at = AppTest.from_file(page, default_timeout=120)
    # November 2025 has incidents (Nacka's late ones) but lies after the data's stated end.
    for k, v in {"niva": "Län", "omrade": "Stockholms län", "period": "Välj månader",
                 "fran": "november 2025", "till": "november 2025"}.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    shown = " ".join(e.value for e in [*at.caption, *at.info, *at.warning, *at.markdown])
    assert "Perioden har ingen hel månad med data." in shown
