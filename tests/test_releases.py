"""Releases: the recruitment signals as a user sees them after each monthly load.

A coordinator's tertial report gives "hittills i år" in April and again in August; a
reader with both subtracts them. When the year still growing was protected as one span,
its total so far grew by each new month and its partners moved, so the same period
before and after a load gave the new month's count, however small. The year still
growing is now protected month by month, a month once published keeps what it showed
and hid, and the whole year, once its December is in, keeps what its months showed
(dashboard/signal_layers.py: publication_spans, earlier_cells; pipelines/published.py).

The releases here are the tests' demo signals of 2024-2025 loaded as they would arrive:
up to October 2025, then November, then December.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date

import duckdb
import pandas as pd
import pytest
from helpers import Attacker

from dashboard import signal_layers, suppression
from pipelines import marts

# The whole module runs on one xdist worker, so that the three releases (about 20 s)
# are built once, not once on each worker (--dist loadgroup spreads ungrouped tests over both).
pytestmark = pytest.mark.xdist_group("test_releases")

POLICE = signal_layers.CHAINS["police"]
YEAR = (date(2025, 1, 1), date(2025, 12, 1))
MONTHS = pd.date_range(*YEAR, freq="MS").strftime("%Y-%m").tolist()


@dataclass
class Release:
    last: date
    spans: list[tuple[date, date]]
    base: dict          # span -> police national layer (as the pipeline published it)
    views: list         # (first month, last month, grain, layer) a page would show


def _read(con: duckdb.DuckDBPyConnection) -> Release:
    def run_sql(sql, params=None):
        return con.execute(sql, params or {}).df()

    first, last = (d.date() if hasattr(d, "date") else d for d in
                   con.execute("SELECT signal_first_month, signal_last_month FROM mart_status").fetchone())
    spans = signal_layers.publication_spans(*YEAR, first, last)
    base = {}
    for lo, hi in spans:
        layer = signal_layers.published_layers(run_sql, "police", lo, hi, "month", (None,))
        assert layer is not None, (lo, hi)  # the pipeline published every span
        base[(lo, hi)] = layer[None]
    # What pages show for 2025 in this release: the year so far as a total, per month and
    # per quarter, the first half year and the last twelve months.
    views = []
    for lo, hi, grain in ((YEAR[0], last, None), (YEAR[0], last, "month"), (YEAR[0], last, "quarter"),
                          (YEAR[0], date(2025, 6, 1), None), (date(2025, 3, 1), last, None)):
        views.append((lo, hi, grain, signal_layers.period_layer(run_sql, "police", lo, hi, grain, None, first, last)))
    return Release(last, spans, base, views)


@pytest.fixture(scope="module")
def releases(demo_db, tmp_path_factory):
    """Three releases of the same signals: data to October, November and December 2025.
    Also keeps a copy of the first for the pages (``releases[0]`` with ``.db``)."""
    folder = tmp_path_factory.mktemp("releases")
    db = folder / "releases.duckdb"
    shutil.copy(demo_db, db)
    con = duckdb.connect(str(db))
    # 2024-2025 only: the earlier years play no part and cost a few seconds per load.
    con.execute("DELETE FROM recruitment_signal WHERE month < DATE '2024-01-01'")
    held = con.execute("SELECT * FROM recruitment_signal WHERE month >= DATE '2025-11-01'").df()
    con.execute("DELETE FROM recruitment_signal WHERE month >= DATE '2025-11-01'")
    out = []
    for month in (None, date(2025, 11, 1), date(2025, 12, 1)):
        if month is not None:
            con.register("_month", held[pd.to_datetime(held["month"]).dt.date == month])
            con.execute("INSERT INTO recruitment_signal SELECT * FROM _month")
            con.unregister("_month")
        marts.refresh(con, {"recruitment_signal": None})
        out.append(_read(con))
        if month is None:
            con.execute("CHECKPOINT")
            shutil.copy(db, folder / "october.duckdb")
    con.close()
    out[0].db = folder / "october.duckdb"
    return out


def _cells(layer: suppression.Protected, grouping) -> dict:
    keys, values, hidden, _ = layer.entries(grouping)
    return {key: (None if h else v) for key, v, h in zip(keys, values, hidden, strict=True)}


def test_the_year_still_growing_is_published_month_by_month_and_whole_once_december_is_in(releases):
    october, november, december = releases
    assert october.last == date(2025, 10, 1) and december.last == date(2025, 12, 1)
    assert october.spans == [(date(2025, m, 1), date(2025, m, 1)) for m in range(1, 11)]
    assert november.spans == [(date(2025, m, 1), date(2025, m, 1)) for m in range(1, 12)]
    assert december.spans == [YEAR]


def test_a_month_once_published_shows_and_hides_the_same_in_every_later_release(releases):
    # What a release hid stays hidden, what it showed stays shown with the same count:
    # October's months in November's release, and every month in the whole year's layer.
    checked = hidden = 0
    for earlier, later in zip(releases, releases[1:], strict=False):
        for (lo, hi), layer in earlier.base.items():
            month = signal_layers.period_of(lo.year, lo.month, "month")
            later_layer = later.base.get((lo, hi)) or later.base[YEAR]
            for k in range(len(POLICE) + 1):
                before = _cells(layer, (*POLICE[:k], "period"))
                after = _cells(later_layer, (*POLICE[:k], "period"))
                for key, value in before.items():
                    assert key[-1] == month
                    assert after.get(key, 0) == value, (later.last, key, value, after.get(key, 0))
                    checked += 1
                    hidden += value is None
    assert checked > 2000 and hidden > 200


def test_the_year_so_far_before_and_after_a_load_never_gives_the_new_month_away(releases):
    # The tertial report's subtraction, for every area: where the year so far is shown in
    # both releases, the new month is shown too (and is their difference).
    checked = 0
    for earlier, later in zip(releases, releases[1:], strict=False):
        before = earlier.views[0][3]
        after = later.views[0][3]
        months = later.views[1][3]
        new = signal_layers.period_of(later.last.year, later.last.month, "month")
        for k in range(len(POLICE) + 1):
            then, now = _cells(before, POLICE[:k]), _cells(after, POLICE[:k])
            per_month = _cells(months, (*POLICE[:k], "period"))
            for key, total in now.items():
                was = then.get(key, 0)
                if total is None or was is None:
                    continue
                shown = per_month.get((*key, new), 0)
                assert shown is not None and total - was == shown, (later.last, key, total, was)
                checked += 1
    assert checked > 50


def test_no_combination_of_the_three_releases_gives_a_hidden_value_away(releases):
    # An attacker with everything the three releases show for 2025 (every published
    # span's cells and the pages' totals for the year so far, its months, quarters, the
    # first half year and March onwards): no value hidden in any release can be worked
    # out (exact linear algebra over every LPO × month of 2025), and no count from 1 to
    # threshold - 1 is shown. Protecting each release's year as one span fails this.
    con = duckdb.connect(str(releases[0].db), read_only=True)
    leaves = con.execute(f"SELECT DISTINCT {', '.join(POLICE)} FROM mart_signal").fetchall()
    con.close()
    attacker = Attacker(leaves, MONTHS)
    for release in releases:
        for (lo, hi), layer in release.base.items():
            attacker.read(layer, lo, hi, "month", base=True)
        for lo, hi, grain, layer in release.views:
            attacker.read(layer, lo, hi, grain, base=False)
    assert len(attacker.hidden) > 300 and attacker.given_away() == []


def test_the_pages_say_why_this_years_months_hide_more(releases, monkeypatch):
    # October's release: an LPO whose months so far hide one is hidden for the year so
    # far; Översikt and Rekryteringssignaler say why, and that the whole of 2024 shows more.
    from helpers import open_page

    from dashboard.queries import geo

    october = releases[0]
    monkeypatch.setenv("LAGESBILD_DB", str(october.db))
    so_far = _cells(october.views[0][3], POLICE)
    hidden = [key[-1] for key, value in so_far.items() if value is None and key[-1] is not None]
    assert len(hidden) > 10
    params = {"period": "Välj månader", "fran": "januari 2025", "till": "oktober 2025",
              "niva": "Lokalpolisområde", "omrade": geo.area_name(hidden[0])}
    at = open_page(october.db, "oversikt", monkeypatch, params)
    said = [c.value for c in at.caption if "2025 är inte helt ännu" in c.value]
    assert said and "oktober 2025" in said[0] and "Hela 2024 visar fler (välj det under Period)" in said[0]
    at = open_page(october.db, "rekrytering", monkeypatch, params)
    assert any("2025 är inte helt ännu" in box.value for box in [*at.info, *at.warning])
    # A whole year already published as one: nothing to say.
    at = open_page(october.db, "oversikt", monkeypatch, {**params, "fran": "januari 2024", "till": "december 2024"})
    assert not any("inte helt ännu" in c.value for c in at.caption)


@pytest.mark.parametrize("dimension", list(signal_layers.DIMENSIONS))
def test_no_hidden_value_of_a_published_month_can_be_worked_out(releases, dimension):
    # A month holds few signals per area, and a value can then follow from several
    # families of the area tree at once (Polisområde Dalarna's 12-14-year-olds in October
    # 2026 on the national benchmark: its two LPOs with them had no other age band). Every
    # month published on its own in October's release is checked as a whole, with the
    # independent check of tests/test_disclosure_joint.py.
    from test_disclosure_joint import _worked_out

    con = duckdb.connect(str(releases[0].db), read_only=True)
    try:
        def run_sql(sql, params=None):
            return con.execute(sql, params or {}).df()

        hidden = 0
        for lo, hi in releases[0].spans:
            layer = signal_layers.published_layers(run_sql, "police", lo, hi, "month", (dimension,))[dimension]
            hidden += layer.suppressed
            found = _worked_out(layer, POLICE)
            assert found.empty, (lo, dimension, found.head().to_dict("records"))
    finally:
        con.close()
    assert hidden > 1000


def test_a_month_where_two_lpos_had_one_age_band_only_does_not_give_the_polisomrade_away(monkeypatch):
    # The national benchmark's October 2026 in Polisområde Dalarna: Ludvika and Södra
    # Dalarna had one signal each, both 12-14 years, and nothing else. The breakdown hid
    # every one of those values, yet the polisområde's 13 minus Borlänge's 6 and Falun's 5
    # gave its 12-14-year-olds (2). Checked as a whole, the month hides a national value
    # of the family too.
    rows = [("LPO-BORLANGE", None, "15-17", "K", "polis"), ("LPO-BORLANGE", None, "15-17", "K", "skola"),
            ("LPO-BORLANGE", None, "15-17", "M", "SiS/HVB"), ("LPO-BORLANGE", None, "15-17", "M", "fritid"),
            ("LPO-BORLANGE", None, "18-20", "M", "skola"), ("LPO-BORLANGE", None, "under 12", "M", "skola"),
            ("LPO-FALUN", "2080", "15-17", "M", "SiS/HVB"), ("LPO-FALUN", "2080", "15-17", "M", "polis"),
            ("LPO-FALUN", "2080", "15-17", "M", "skola"), ("LPO-FALUN", "2080", "18-20", "M", "fritid"),
            ("LPO-FALUN", "2080", "18-20", "M", "skola"), ("LPO-LUDVIKA", None, "12-14", "M", "socialtjänst"),
            ("LPO-SODRA-DALARNA", None, "12-14", "M", "skola")]
    frame = pd.DataFrame([{"month": date(2026, 10, 1), "polisregion_code": "BERGSLAGEN",
                           "polisomrade_code": "PO-DALARNA", "lpo_code": lpo, "lan_code": "20", "kommun_code": kommun,
                           "age_band": age, "sex": sex, "source": source, "signal_type": "rekryteringsförsök",
                           "count": 1} for lpo, kommun, age, sex, source in rows])
    con = duckdb.connect()
    con.register("_rows", frame)
    con.execute("CREATE TABLE mart_signal AS SELECT * FROM _rows")

    def run_sql(sql, params=None):
        return con.execute(sql, params or {}).df()

    month = date(2026, 10, 1)
    layers = signal_layers.police_layers(run_sql, month, month)
    ages = layers["age_band"].table(POLICE[:2] + ("age_band",))
    assert ages.set_index("age_band").loc["12-14", "count_suppressed"]
    from test_disclosure_joint import _worked_out  # an independent check

    for dimension in signal_layers.DIMENSIONS:
        assert _worked_out(layers[dimension], POLICE).empty, dimension
    # Without the check as a whole, the breakdown alone gave it away.
    monkeypatch.setattr(signal_layers, "MAX_CHECKED_HIDDEN", 0)
    unchecked = signal_layers.police_layers(run_sql, month, month)
    found = _worked_out(unchecked["age_band"], POLICE)
    assert "12-14" in set(found["age_band"]) and (found["reason"] == "primär").any()
    con.close()
