"""Regional jämförelse: the side-by-side table against SQL on the fact tables, the chance
flag against an independent exact test, recruitment signals suppressed, similar areas
and measures beside the outcome."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from helpers import swedish_number as number
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.usefixtures("fast_apptest")

PAGE = str(Path(__file__).resolve().parents[1] / "dashboard" / "pages" / "jamforelse.py")
# The demo's data end 2025-12-31; January–October compared with January–October a year earlier.
STOCKHOLMS_LAN = {"niva": "Län", "omrade": "Stockholms län", "period": "Välj månader",
                  "fran": "januari 2025", "till": "oktober 2025"}
VIOLENCE = ["mord/dråp", "våldsbrott", "rån", "hot"]


def opened(params: dict) -> AppTest:
    """The page as a link with ``params`` opens it (LAGESBILD_DB set by the caller)."""
    at = AppTest.from_file(PAGE, default_timeout=120)
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()




@pytest.fixture(scope="module")
def kommuner(demo_db):
    """Kommuner in Stockholms län on violence per 100 000."""
    mp = pytest.MonkeyPatch()
    mp.setenv("LAGESBILD_DB", str(demo_db))
    at = opened(STOCKHOLMS_LAN)
    at.selectbox(key="jmf_niva").set_value("kommun").run()
    at.selectbox(key="jmf_matt").set_value("incidents:våld").run()
    yield at
    mp.undo()


def in_tab(at, label):
    """The page with its tab ``label`` chosen (only the chosen tab is computed and shown)."""
    at.session_state["jmf_flik"] = label
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def table_with(at, column):
    found = [d.shown for d in at.dataframe if column in d.shown.columns]
    assert found, f"ingen tabell med kolumnen {column}"
    return found[0]


def counts(raw, start, end) -> dict[str, int]:
    return dict(raw.execute(
        """SELECT i.kommun_code, count(*) FROM incident i JOIN area k ON k.area_code = i.kommun_code
           WHERE k.parent_code = '01' AND list_contains(?, i.incident_type)
             AND i.occurred_at >= ? AND i.occurred_at < ? GROUP BY 1""", [VIOLENCE, start, end]).fetchall())


def test_page_runs_and_states_its_method(kommuner):
    assert not kommuner.exception, [e.value for e in kommuner.exception]
    assert kommuner.title[0].value == "Regional jämförelse"
    captions = " ".join(c.value for c in in_tab(kommuner, "Sida vid sida").caption)
    assert "binomialtest" in captions and "95 %" in captions      # the uncertainty method, in a sentence
    assert "januari 2025 – oktober 2025" in captions and "januari 2024 – oktober 2024" in captions
    captions = " ".join(c.value for c in in_tab(kommuner, "Liknande områden").caption)
    assert "befolkningsstorlek" in captions and "täthet" in captions  # how similar areas are chosen


def test_side_by_side_matches_sql(kommuner, raw):
    table = table_with(in_tab(kommuner, "Sida vid sida"), "Inom slumpen").set_index("Kommun")
    now = counts(raw, "2025-01-01", "2025-11-01")
    before = counts(raw, "2024-01-01", "2024-11-01")
    pop = dict(raw.execute("""SELECT p.kommun_code, sum(population) FROM population p
                              JOIN area k ON k.area_code = p.kommun_code
                              WHERE k.parent_code = '01' AND year = 2025 GROUP BY 1""").fetchall())
    names = dict(raw.execute("SELECT area_code, name FROM area WHERE level = 'kommun' AND parent_code = '01'")
                 .fetchall())
    assert len(table) == len(names)
    for code, name in names.items():
        assert number(table.at[name, "Antal"]) == now.get(code, 0)
        assert number(table.at[name, "Antal året innan"]) == before.get(code, 0)
        assert number(table.at[name, "Värde"]) == pytest.approx(now.get(code, 0) / pop[code] * 1e5, abs=0.051)
    # rank 1 is the highest rate
    rates = {name: number(v) for name, v in table["Värde"].items()}
    assert table["Rang"].astype(int).idxmin() == max(rates, key=rates.get)


def test_within_chance_flag_agrees_with_an_exact_test(kommuner, raw):
    table = table_with(in_tab(kommuner, "Sida vid sida"), "Inom slumpen").set_index("Kommun")
    now = counts(raw, "2025-01-01", "2025-11-01")
    before = counts(raw, "2024-01-01", "2024-11-01")
    pops = dict(raw.execute("""SELECT kommun_code || ':' || year, sum(population) FROM population
                               WHERE year IN (2024, 2025) GROUP BY 1""").fetchall())
    names = dict(raw.execute("SELECT area_code, name FROM area WHERE level = 'kommun' AND parent_code = '01'")
                 .fetchall())
    checked = 0
    for code, name in names.items():
        c, b = now.get(code, 0), before.get(code, 0)
        n = c + b
        if n == 0 or n > 1000:
            continue
        p = pops[f"{code}:2025"] / (pops[f"{code}:2025"] + pops[f"{code}:2024"])
        pmf = [math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(n + 1)]
        p_value = sum(v for v in pmf if v <= pmf[c] * (1 + 1e-9))
        assert table.at[name, "Inom slumpen"] == ("ja" if p_value > 0.05 else "nej"), name
        checked += 1
    assert checked >= 5


def test_recruitment_signals_are_suppressed(demo_db, monkeypatch):
    monkeypatch.setenv("LAGESBILD_DB", str(demo_db))
    at = opened(STOCKHOLMS_LAN)
    at.selectbox(key="jmf_niva").set_value("lpo").run()
    at.selectbox(key="jmf_matt").set_value("signals").run()
    assert not at.exception, [e.value for e in at.exception]
    table = table_with(at, "Inom slumpen")
    for column in ("Antal", "Antal året innan"):
        for value in table[column]:
            if value not in ("..", "–"):
                assert number(value) == 0 or number(value) >= 5, value
    assert any("Röjandeskydd" in c.value for c in at.caption)


def test_similar_areas_and_measures_beside_outcome(kommuner, raw):
    similar = table_with(in_tab(kommuner, "Liknande områden"), "Avstånd (0 = samma)")
    assert len(similar) == 6                                 # the area and five similar ones
    assert number(similar["Avstånd (0 = samma)"].iat[0]) == 0
    paired = table_with(in_tab(kommuner, "Åtgärder och utfall"), "Uppnådda/delvis")
    expected = dict(raw.execute(
        """SELECT k.name, count(*) FROM measure m JOIN plan p USING (plan_id)
           JOIN area k ON k.area_code = p.kommun_code
           WHERE k.parent_code = '01' AND p.year = 2025 GROUP BY 1""").fetchall())
    shown = dict(zip(paired["Kommun"], (number(v) for v in paired["Åtgärder"]), strict=True))
    assert shown == expected


def test_only_the_chosen_tab_is_computed_and_a_link_opens_a_tab(demo_db, monkeypatch):
    """The three views are tabs; a new measure computes the chosen one only, and the
    tab is part of a shared link."""
    from dashboard.queries import comparison

    calls = []
    for name in ("similar", "yearly", "paired"):
        original = getattr(comparison, name)
        monkeypatch.setattr(comparison, name, lambda *a, _f=original, _n=name, **k: calls.append(_n) or _f(*a, **k))
    monkeypatch.setenv("LAGESBILD_DB", str(demo_db))
    at = opened(STOCKHOLMS_LAN)
    assert [t.label for t in at.tabs] == ["Sida vid sida", "Liknande områden", "Åtgärder och utfall"]
    assert table_with(at, "Inom slumpen") is not None
    assert not [d for d in at.dataframe if "Avstånd (0 = samma)" in d.shown.columns]
    at.selectbox(key="jmf_matt").set_value("incidents:våld").run()
    assert calls == []                     # neither similar areas nor measures were computed
    in_tab(at, "Åtgärder och utfall")
    assert calls == ["paired"]
    assert table_with(at, "Uppnådda/delvis") is not None
    assert not [d for d in at.dataframe if "Inom slumpen" in d.shown.columns and "Rang" in d.shown.columns]

    linked = opened({**STOCKHOLMS_LAN, "jmf_flik": "Liknande områden"})
    assert not linked.exception, [e.value for e in linked.exception]
    assert table_with(linked, "Avstånd (0 = samma)") is not None

    unknown = opened({**STOCKHOLMS_LAN, "jmf_flik": "Ingen sådan flik"})
    assert not unknown.exception, [e.value for e in unknown.exception]
    assert table_with(unknown, "Inom slumpen") is not None   # the first tab


def test_choices_in_a_tab_are_kept_while_another_tab_is_shown(demo_db, monkeypatch):
    monkeypatch.setenv("LAGESBILD_DB", str(demo_db))
    at = opened(STOCKHOLMS_LAN)
    in_tab(at, "Liknande områden")
    at.number_input(key="jmf_k").set_value(3).run()
    base = at.selectbox(key="jmf_basar")
    chosen_base = base.options[0]
    base.set_value(int(chosen_base)).run()
    assert len(table_with(at, "Avstånd (0 = samma)")) == 4        # the area and three similar ones
    in_tab(at, "Sida vid sida")
    in_tab(at, "Liknande områden")
    assert at.number_input(key="jmf_k").value == 3
    assert str(at.selectbox(key="jmf_basar").value) == str(chosen_base)
    assert len(table_with(at, "Avstånd (0 = samma)")) == 4


def test_the_side_by_side_table_is_narrower_on_screen_and_whole_in_the_export(demo_db, monkeypatch):
    """The table took 915 px in a 1280 px window (818 px for the page): it scrolled sideways.
    On screen the interval is one column and the long headers are short, each said in full
    in its help; the export keeps every column under its full header."""
    import json

    from dashboard import exports
    from dashboard import formatting as fmt

    recorded = {}
    monkeypatch.setattr(exports, "download_buttons", lambda key, **kwargs: recorded.setdefault(key, kwargs))
    monkeypatch.setenv("LAGESBILD_DB", str(demo_db))
    at = opened({"niva": "Polisregion", "omrade": "Region Väst"})
    element = next(d for d in at.dataframe if "Rang" in d.shown.columns)
    shown = element.shown
    assert shown.columns.tolist() == ["Rang", "Polisregion", "Antal", "Värde", "95 % intervall", "Antal året innan",
                                      "Värde året innan", "Förändr. (%)", "Inom slumpen"]
    config = json.loads(element.proto.columns)
    assert "Inom slumpens variation" in config["Inom slumpen"]["help"]
    assert "95 % konfidensintervall" in config["95 % intervall"]["help"]
    assert "inte antalets" in config["Förändr. (%)"]["help"]
    export = recorded["jmf_bars_dl"]
    assert [export["columns"][k] for k in ("low", "high", "change_pct", "within_chance")] == [
        "95 % intervall, från", "95 % intervall, till", "Förändring per 100 000 inv. (%)", "Inom slumpens variation"]
    bounds = export["df"].set_index("name")
    for name, interval in zip(shown["Polisregion"], shown["95 % intervall"], strict=True):
        low, high = bounds.at[name, "low"], bounds.at[name, "high"]
        assert interval == f"{fmt.number(low, 1)}–{fmt.number(high, 1)}", name
