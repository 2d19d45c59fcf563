"""Översikt: the headline figures, the trend and "what changed most" against raw SQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import swedish_number as number
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.usefixtures("fast_apptest")

PAGE = str(Path(__file__).resolve().parents[1] / "dashboard" / "pages" / "oversikt.py")
STOCKHOLM = {"niva": "Polisregion", "omrade": "Region Stockholm", "period": "Välj månader",
             "fran": "mars 2025", "till": "augusti 2025"}
NOW = ("2025-03-01", "2025-09-01")
BEFORE = ("2024-03-01", "2024-09-01")




@pytest.fixture(scope="module")
def stockholm(demo_db):
    mp = pytest.MonkeyPatch()
    mp.setenv("LAGESBILD_DB", str(demo_db))
    at = AppTest.from_file(PAGE, default_timeout=90)
    for k, v in STOCKHOLM.items():
        at.query_params[k] = v
    at.run()
    yield at
    mp.undo()


def region_count(raw, types, period) -> int:
    return raw.execute(
        """SELECT count(*) FROM incident i JOIN area l ON l.area_code = i.lan_code
           WHERE l.parent_code = 'STOCKHOLM' AND list_contains(?, incident_type)
             AND occurred_at >= ? AND occurred_at < ?""", [list(types), *period]).fetchone()[0]


def test_page_runs_and_states_its_data(stockholm):
    assert not stockholm.exception, [e.value for e in stockholm.exception]
    assert stockholm.title[0].value == "Översikt – lägesbild"
    captions = " ".join(c.value for c in stockholm.caption)
    assert "Demodata – syntetiska siffror" in captions
    assert "Data t.o.m.: händelser 2025-12-31" in captions
    assert "Region Stockholm" in captions and "mars 2025 – augusti 2025" in captions
    # The pointer to Karta names a page of the menu: "fliken" now means a page's own tabs
    # (Jämförelse, Åtgärder), and Karta is none of them.
    assert "Sidan Karta i menyn" in captions and "fliken Karta" not in captions


@pytest.mark.parametrize("label, types", [
    ("Skjutningar", ("skottlossning",)),
    ("Explosioner", ("explosion",)),
    ("Våld", ("mord/dråp", "våldsbrott", "rån", "hot")),
])
def test_headline_counts_and_change_match_the_raw_incidents(stockholm, raw, label, types):
    metric = next(m for m in stockholm.metric if m.label == label)
    now, before = region_count(raw, types, NOW), region_count(raw, types, BEFORE)
    assert number(metric.value) == now
    if now == before:
        assert metric.delta.startswith("±0")
    else:
        assert number(metric.delta.split(" (")[0]) == now - before


def test_recruitment_signals_are_shown_or_suppressed(stockholm, raw):
    metric = next(m for m in stockholm.metric if m.label == "Rekryteringssignaler")
    total = raw.execute(
        """WITH placed AS (
               SELECT s.count, coalesce(po.parent_code, lan.parent_code) AS region
               FROM recruitment_signal s JOIN area a ON a.area_code = s.area_code
               LEFT JOIN area po ON a.level = 'lpo' AND po.area_code = a.parent_code
               LEFT JOIN area lan ON a.level = 'kommun' AND lan.area_code = a.parent_code
               WHERE s.month BETWEEN '2025-03-01' AND '2025-08-01')
           SELECT sum(count) FROM placed WHERE region = 'STOCKHOLM'""").fetchone()[0]
    if metric.value == "..":
        assert 0 < total < 5
    else:
        assert number(metric.value) == total


def test_share_of_measures_achieved_matches_the_plans(stockholm, raw):
    metric = next(m for m in stockholm.metric if m.label == "Åtgärder uppnådda")
    achieved, total = raw.execute(
        """SELECT count(*) FILTER (WHERE m.status = 'uppnådd'), count(*)
           FROM measure m JOIN plan p USING (plan_id)
           JOIN area k ON k.area_code = p.kommun_code JOIN area l ON l.area_code = k.parent_code
           WHERE l.parent_code = 'STOCKHOLM' AND p.year = 2025""").fetchone()
    assert total > 0
    assert number(metric.value) == pytest.approx(round(achieved / total * 100, 1))


def test_what_changed_most_lists_kommuner_with_the_largest_changes(demo_db, raw, monkeypatch):
    monkeypatch.setenv("LAGESBILD_DB", str(demo_db))
    at = AppTest.from_file(PAGE, default_timeout=90)
    for k, v in {"niva": "Län", "omrade": "Skåne län", "period": "Föregående år"}.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception
    table = at.dataframe[0].shown
    expected = {name: (now, before) for name, now, before in raw.execute(
        """SELECT k.name, count(*) FILTER (WHERE year(occurred_at) = 2024), count(*) FILTER (WHERE year(occurred_at) = 2023)
           FROM incident i JOIN area k ON k.area_code = i.kommun_code WHERE i.lan_code = '12' GROUP BY 1""").fetchall()}
    changes = sorted((abs(a - b) for a, b in expected.values()), reverse=True)
    assert len(table) == min(10, len(expected)) or len(table) == 10
    for row in table.itertuples(index=False):
        now, before = expected.get(row.Kommun, (0, 0))
        assert number(row.Antal) == now
        assert number(row._2) == before  # "Ett år tidigare"
    shown = sorted((abs(number(r.Antal) - number(r._2)) for r in table.itertuples(index=False)), reverse=True)
    assert shown == changes[: len(shown)]


COLD_START = """
import sys, time
from streamlit.testing.v1 import AppTest
from dashboard import components
seen = {}
header = components.page_header
def spy(title, sel):
    seen.setdefault("loaded", sorted(m for m in ("pandas", "numpy", "pyarrow", "pydeck") if m in sys.modules))
    return header(title, sel)
components.page_header = spy
at = AppTest.from_file(sys.argv[1], default_timeout=90)
at.run()
assert not at.exception, [e.value for e in at.exception]
print(at.title[0].value, seen["loaded"])
"""


def test_first_title_is_drawn_before_pandas_and_the_map_libraries_load(demo_db):
    """A new server shows this page first: its title must not wait for pandas, numpy,
    pyarrow or pydeck (a second of a cold start), so the database check and the sidebar
    read plain rows. Run in a fresh interpreter, where nothing is imported yet."""
    import os
    import subprocess
    import sys

    root = Path(PAGE).parents[2]
    out = subprocess.run([sys.executable, "-c", COLD_START, str(root / "dashboard" / "app.py")], cwd=root,
                         env={**os.environ, "LAGESBILD_DB": str(demo_db), "PYTHONPATH": str(root)},
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "Översikt – lägesbild []"
