"""Review 8: Rekryteringssignaler for Stockholms län hid January and February 2026 (249 and
267 signals) while March and the period total (707) were shown.

The cause is Gotlands län, the police region's only other län: 3 signals in January
and 3 in February (primary). Region Stockholm's monthly totals are shown on its own page
(252 and 270), so Stockholms län's month is the only other member of "region = Stockholms
län + Gotlands län": shown, it would give Gotland's 3 by subtraction. Hiding the region's
month instead would spread to every region's month (riket's equation) and their län.
So the two large numbers stay hidden, and the page now says why a ".." can be large."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest
from helpers import swedish_number as number
from streamlit.testing.v1 import AppTest
from test_suppression_properties import _determined, _equations, _published_filled

from dashboard import suppression as sup

LEVELS = ("region", "lan", "kommun")
MONTHS = ("2026-01", "2026-02", "2026-03")
# The demo's shape: a region of a large län (two kommuner) and a small one (one kommun),
# and a second region so that riket has more than one part.
COUNTS = {
    ("R1", "A", "A1"): (120, 130, 90),
    ("R1", "A", "A2"): (129, 137, 101),
    ("R1", "B", "B1"): (3, 3, 0),
    ("R2", "C", "C1"): (60, 70, 80),
    ("R2", "D", "D1"): (40, 45, 50),
}


@pytest.fixture(scope="module")
def layer():
    df = pd.DataFrame([(*key, month, n) for key, ns in COUNTS.items() for month, n in zip(MONTHS, ns, strict=True)],
                      columns=[*LEVELS, "period", "count"])
    whole = df.groupby(list(LEVELS), as_index=False)["count"].sum()
    totals = sup.protect_hierarchy(whole, "count", LEVELS, threshold_value=5)
    return df, sup.protect_hierarchy(df, "count", LEVELS, "period", totals=totals, threshold_value=5)


def _cell(published: dict, **key):
    grouping = tuple(d for d in (*LEVELS, "period") if d in key)
    return published[(grouping, tuple(key[d] for d in grouping))]


def test_the_large_lan_months_are_hidden_beside_the_small_lan_and_the_rest_is_shown(layer):
    _, prot = layer
    published = _published_filled(prot)
    # What the review saw: the large län's January and February hidden, March and the
    # whole period shown; the region's months shown on the region's page.
    assert _cell(published, region="R1", lan="A", period="2026-01") is None
    assert _cell(published, region="R1", lan="A", period="2026-02") is None
    assert _cell(published, region="R1", lan="A", period="2026-03") == 191
    assert _cell(published, region="R1", lan="A") == 707
    assert [_cell(published, region="R1", period=m) for m in MONTHS] == [252, 270, 191]
    reasons = prot.cells.set_index(["lan", "period"], drop=False)
    assert reasons.loc[("A", "2026-01"), "reason"].eq("sekundär").any()
    assert reasons.loc[("B", "2026-01"), "reason"].eq("primär").any()


def test_showing_the_large_lan_month_would_reveal_the_small_one(layer):
    df, prot = layer
    published = _published_filled(prot)
    hidden = {cell for cell, v in published.items() if v is None}
    # As protected: no hidden value can be worked out from the shown ones.
    eqs = _equations(df, published)
    assert all(len(coeffs) != 1 for coeffs, _ in eqs)
    assert not _determined(eqs, hidden)
    # Shown, the large län's January (249) gives the small län's (3): region − län.
    january = (("region", "lan", "period"), ("R1", "A", "2026-01"))
    opened = {**published, january: 249}
    small = (("region", "lan", "period"), ("R1", "B", "2026-01"))
    assert small in _determined(_equations(df, opened), hidden - {january})
    assert _cell(published, region="R1", period="2026-01") - 249 == 3


# --- the page says why a ".." can be large --------------------------------------------------

PAGE = str(Path(__file__).resolve().parents[1] / "dashboard" / "pages" / "rekrytering.py")


def _open(demo_db, params):
    mp = pytest.MonkeyPatch()
    mp.setenv("LAGESBILD_DB", str(demo_db))
    at = AppTest.from_file(PAGE, default_timeout=120)
    for k, v in {"period": "Välj månader", "fran": "mars 2025", "till": "augusti 2025", **params}.items():
        at.query_params[k] = v
    at.run()
    mp.undo()
    return at


def _large_note(at) -> str | None:
    return next((c.value for c in at.caption if c.value.startswith("Ett ”..” kan också dölja")), None)


def _counts(at, column: str) -> list[str]:
    """The shown "Antal" of the table that has ``column`` ("Månad": per month, "Andel": the
    whole period)."""
    return [str(v) for df in at.dataframe if column in df.shown.columns for v in df.shown["Antal"]]


# Since the period × category layer (signal_layers.joint_layers), the same pair hides more:
# Region Stockholm's month × sex is shown on its page, so wherever Gotland has 1-4 girls in
# a month, Stockholms län's girls that month are hidden too, and by sex most of the län's
# months would be: the page shows years, where the län's girls (about 270) are hidden
# beside Gotland's few.
STOCKHOLM_BY_SEX = {"niva": "Län", "omrade": "Stockholms län", "uppdelning": "Kön"}


@pytest.mark.usefixtures("fast_apptest")
def test_a_page_hiding_a_large_value_says_why(demo_db):
    at = _open(demo_db, STOCKHOLM_BY_SEX)
    assert not at.exception, [e.value for e in at.exception]
    per_year = _counts(at, "År")
    hidden = [v for v in per_year if v == ".."]
    assert hidden
    # What the hidden values hold together (the län's signals less the shown ones) is more
    # than small counts could be: a large number is hidden.
    with duckdb.connect(str(demo_db), read_only=True) as con:
        grand = con.sql("SELECT sum(count) FROM mart_signal WHERE lan_code = '01' "
                        "AND month BETWEEN DATE '2025-03-01' AND DATE '2025-08-01'").fetchall()[0][0]
    assert grand - sum(number(v) for v in per_year if v != "..") > 4 * len(hidden), (grand, per_year)
    note = _large_note(at)
    assert note is not None
    # It names the region above as the example and gives no count (not even a small one).
    assert "Region Stockholm per år" in note and "Stockholms län" in note
    assert not any(ch.isdigit() for ch in note)


@pytest.mark.usefixtures("fast_apptest")
def test_a_page_that_hides_nothing_has_no_such_note(demo_db):
    at = _open(demo_db, {"niva": "Polisregion", "omrade": "Region Stockholm"})
    assert not at.exception, [e.value for e in at.exception]
    assert ".." not in _counts(at, "Månad") + _counts(at, "Andel")
    assert _large_note(at) is None


@pytest.mark.usefixtures("fast_apptest")
def test_the_exports_carry_the_same_note(demo_db, monkeypatch):
    from dashboard import exports

    seen = []
    original = exports.caption

    def recording(**kwargs):
        seen.append(original(**kwargs))
        return seen[-1]

    monkeypatch.setattr(exports, "caption", recording)
    at = _open(demo_db, STOCKHOLM_BY_SEX)
    assert not at.exception, [e.value for e in at.exception]
    note = _large_note(at)
    # Each export's caption counts what that file hides: the note explains a ".." in the
    # files that have one, and is left out of a file that hides nothing.
    hiding = [caption for caption in seen if "döljs här" in caption]
    assert note and hiding and all(note in caption for caption in hiding), seen
    assert not any(note in caption for caption in seen if caption not in hiding), seen
