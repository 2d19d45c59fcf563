"""Karta: values per area against raw SQL, suppression, the grid view and drill-down."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import swedish_number as number
from streamlit.testing.v1 import AppTest

from dashboard import formatting as fmt

pytestmark = pytest.mark.usefixtures("fast_apptest")

PAGE = str(Path(__file__).resolve().parents[1] / "dashboard" / "pages" / "karta.py")
YEAR_2025 = ("2025-01-01", "2026-01-01")  # the default period: the last 12 months of the demo




@pytest.fixture
def karta(demo_db, monkeypatch):
    monkeypatch.setenv("LAGESBILD_DB", str(demo_db))

    def open_page(params: dict, state: dict | None = None) -> AppTest:
        at = AppTest.from_file(PAGE, default_timeout=90)
        for k, v in params.items():
            at.query_params[k] = v
        for k, v in (state or {}).items():
            at.session_state[k] = v
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at
    return open_page


def captions(at: AppTest) -> str:
    return " ".join(c.value for c in at.caption)


def test_rate_per_100k_per_kommun_matches_raw_sql(karta, raw):
    at = karta({"niva": "Län", "omrade": "Stockholms län", "matt": "Händelser per 100 000 invånare"})
    assert any("kommuner i Stockholms län" in m.value for m in at.markdown)
    table = at.dataframe[0].shown.set_index("Kommun")
    assert len(table) == 26
    expected = raw.execute(
        """WITH n AS (SELECT kommun_code, count(*) AS n FROM incident
                      WHERE occurred_at >= ? AND occurred_at < ? GROUP BY 1),
                pop AS (SELECT kommun_code, sum(population) AS pop FROM population WHERE year = 2025 GROUP BY 1)
           SELECT k.name, coalesce(n.n, 0), coalesce(n.n, 0) / pop.pop * 100000
           FROM area k JOIN pop ON pop.kommun_code = k.area_code LEFT JOIN n ON n.kommun_code = k.area_code
           WHERE k.parent_code = '01'""", list(YEAR_2025)).fetchall()
    for name, n, rate in expected:
        assert number(table.at[name, "Antal händelser"]) == n
        assert number(table.at[name, "Händelser per 100 000 invånare"]) == pytest.approx(rate, abs=0.051)
    ranks = sorted(int(r) for r in table["Rang"])
    assert ranks[0] == 1


def test_recruitment_signals_per_lpo_never_show_small_counts(karta):
    at = karta({"karta_niva": "Lokalpolisområde", "matt": "Rekryteringssignaler"})
    table = at.dataframe[0].shown
    values = table["Rekryteringssignaler"].tolist()
    hidden = values.count("..")
    shown = [number(v) for v in values if v not in ("..", "–")]
    assert not [v for v in shown if 1 <= v <= 4]
    if hidden > 1:
        assert f"{hidden} värden är dolda" in captions(at)
    if hidden == 0:
        assert "inga värden är dolda" in captions(at)


def test_change_metric_uses_the_same_months_a_year_earlier(karta, raw):
    at = karta({"niva": "Polisregion", "omrade": "Region Syd", "karta_niva": "Län",
                "matt": "Förändring mot ett år tidigare (%)"})
    table = at.dataframe[0].shown.set_index("Län")
    now, before = raw.execute(
        """SELECT count(*) FILTER (WHERE year(occurred_at) = 2025), count(*) FILTER (WHERE year(occurred_at) = 2024)
           FROM incident WHERE lan_code = '12'""").fetchone()
    assert number(table.at["Skåne län", "Förändring mot ett år tidigare (%)"]) == pytest.approx(
        (now - before) / before * 100, abs=0.051)


def test_grid_view_draws_only_cells_at_or_above_the_threshold(karta, raw):
    at = karta({"niva": "Kommun", "omrade": "Stockholm", "vy": "1 km-rutor"})
    cells = raw.execute("""SELECT grid_cell, count(*) AS n FROM incident WHERE kommun_code = '0180'
                           AND grid_cell IS NOT NULL AND occurred_at >= ? AND occurred_at < ? GROUP BY 1""",
                        list(YEAR_2025)).fetchall()
    drawn = sum(1 for _, n in cells if n >= 5)
    text = captions(at)
    if drawn:
        assert f"{drawn} rutor med minst" in text
    hidden = sum(1 for _, n in cells if n < 5)
    assert hidden, "the demo's Stockholm has cells under the threshold"
    # Left out, and said so: not "N värden är dolda (visas som ”..”)" for squares never drawn.
    assert f"{hidden} sådana rutor är utelämnade" in text
    assert "värden är dolda" not in text and "värde är dolt" not in text


def test_grid_view_asks_for_a_smaller_area_for_the_whole_country(karta):
    at = karta({"vy": "1 km-rutor"})
    assert any("1 km-rutor" in i.value for i in at.info)


def test_lpo_level_reports_incidents_it_cannot_place(karta, raw):
    at = karta({"niva": "Kommun", "omrade": "Stockholm", "karta_niva": "Lokalpolisområde"})
    unplaced = raw.execute("""SELECT count(*) FROM incident WHERE kommun_code = '0180' AND lpo_code IS NULL
                              AND occurred_at >= ? AND occurred_at < ?""", list(YEAR_2025)).fetchone()[0]
    text = captions(at)
    if unplaced:
        assert f"{unplaced} händelser i kommuner som delas av flera lokalpolisområden saknar LPO" in text
    assert "ungefärlig gräns" in text
    assert "Tjock mörk kontur och ”(ungefärlig gräns)”" in text  # as drawn (not "Streckad")


def test_drill_down_selects_the_clicked_area_and_moves_one_level_down(karta):
    # What the map's click callback (filters.drill_down) leaves in the session.
    at = karta({}, state={"niva": "polisregion", "omrade": "SYD"})
    assert any("polisområden i Region Syd" in m.value for m in at.markdown)
    names = set(at.dataframe[0].shown["Polisområde"])
    assert names and all(n for n in names)


def test_drill_down_callback_sets_the_filter(demo_db, monkeypatch):
    monkeypatch.setenv("LAGESBILD_DB", str(demo_db))

    def script():
        import streamlit as st

        from dashboard import filters

        st.session_state["deck"] = {"selection": {"objects": {"areas": [{"properties": {"area_code": "12"}}]}}}
        filters.drill_down("deck", "lan", {"karta_niva": "auto"})
        filters.sidebar()

    at = AppTest.from_function(script, default_timeout=60)
    at.run()
    assert not at.exception
    sel = at.session_state["_selection"]
    assert (sel.area_level, sel.area_code) == ("lan", "12")
    assert at.session_state["karta_niva"] == "auto"


def test_bad_metric_in_the_link_falls_back_with_a_notice(karta):
    at = karta({"matt": "Glass per capita"})
    assert any("Glass per capita" in t.value for t in at.toast)
    assert at.selectbox(key="matt").value == "antal"


def test_kommuner_signals_cannot_reach_show_missing_not_zero(karta, raw, recorded):
    # Östersund's signals are recorded on an LPO that covers other kommuner too: the map,
    # its table and its export showed "0" at rank 17 where Översikt and Jämförelse say –.
    import csv
    import io

    from dashboard import exports
    from dashboard.queries import comparison

    at = karta({"niva": "Län", "omrade": "Jämtlands län", "matt": "Rekryteringssignaler"})
    unreached = {name for (name,) in raw.execute(
        """WITH single AS (SELECT lpo_code FROM lpo_kommun GROUP BY 1 HAVING count(DISTINCT kommun_code) = 1)
           SELECT name FROM area WHERE level = 'kommun' AND parent_code = '23'
             AND area_code NOT IN (SELECT kommun_code FROM lpo_kommun JOIN single USING (lpo_code))""").fetchall()}
    assert "Östersund" in unreached
    table = at.dataframe[0].shown.set_index("Kommun")
    for name in unreached:
        assert table.at[name, "Rekryteringssignaler"] == "–", name
        assert table.at[name, "Rang"] == "–", name
    assert not (table["Rekryteringssignaler"] == "0").any()
    assert any(comparison.UNPLACED_NOTE in i.value for i in at.info)
    export = recorded["karta_table_dl"]
    assert comparison.UNPLACED_NOTE in export["caption"]
    text = exports.to_csv(export["df"], export["columns"]).decode("utf-8-sig")
    rows = {r["Kommun"]: r for r in csv.DictReader(io.StringIO(text), delimiter=";")}
    assert rows["Östersund"]["Rekryteringssignaler"] in ("", "–") and rows["Östersund"]["Rang"] in ("", "–")
    # A kommun with its own LPO keeps a true 0 (or its hidden ".."): only the unknown go blank.
    national = karta({"karta_niva": "Kommun", "matt": "Rekryteringssignaler"}).dataframe[0].shown
    reached = national[~national["Kommun"].isin(
        [n for (n,) in raw.execute(
            """WITH single AS (SELECT lpo_code FROM lpo_kommun GROUP BY 1 HAVING count(DISTINCT kommun_code) = 1)
               SELECT name FROM area WHERE level = 'kommun'
                 AND area_code NOT IN (SELECT kommun_code FROM lpo_kommun JOIN single USING (lpo_code))""")
         .fetchall()])]
    assert len(reached) and (reached["Rekryteringssignaler"] != "–").all()


def deck_features(at: AppTest) -> dict[str, dict]:
    """The map's areas as sent to the browser, by name: value_text, rank_text, fill."""
    import json

    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    return {f["properties"]["name"]: f["properties"] for f in spec["layers"][0]["data"]["features"]}


def map_legend(at: AppTest) -> str:
    """The map's legend (components.show_deck) as sent to the browser."""
    [legend] = [e.value for e in at.get("html") if "lagesbild-legend" in e.value]
    return legend


def test_change_map_names_a_change_from_zero_and_no_change(karta, raw):
    at = karta({"niva": "Län", "omrade": "Skåne län", "matt": "Förändring mot ett år tidigare (%)"})
    counts = raw.execute(
        """SELECT a.name, count(*) FILTER (WHERE year(i.occurred_at) = 2025),
                  count(*) FILTER (WHERE year(i.occurred_at) = 2024)
           FROM area a LEFT JOIN incident i ON i.kommun_code = a.area_code
           WHERE a.level = 'kommun' AND a.parent_code = '12' GROUP BY 1""").fetchall()
    new = [name for name, now, before in counts if before == 0 and now > 0]
    assert new, "the demo has a kommun with incidents after a year with none (Höör)"
    features = deck_features(at)
    for name, now, before in counts:
        if before == 0:
            assert features[name]["value_text"] == ("ny (från 0)" if now else "0 båda åren"), name
            assert features[name]["rank_text"] == "–"
    # A change from 0 that chance could give (Höör's 0 to 3) is grey like the other such
    # changes, its tooltip still saying "ny (från 0)"; one chance could not give is purple.
    from dashboard import charts, maps

    legend = map_legend(at)
    for name in new:
        now = next(n for m, n, _ in counts if m == name)
        chance = charts.change_within_chance(now, 0)
        assert features[name]["fill"][:3] == maps._rgba(maps.WITHIN_CHANCE[0] if chance
                                                        else maps.NEW_FROM_ZERO[0])[:3], name
        assert features[name]["chance"] == (maps.CHANCE_NOTE if chance else ""), name
    assert ("ny (från 0)" in legend) == any(not charts.change_within_chance(n, 0) for m, n, _ in counts if m in new)
    assert "uppgift saknas" not in legend  # every kommun has its data
    assert "”ny (från 0)”" in captions(at)


def test_change_map_without_a_year_before_says_why(karta):
    at = karta({"period": "Välj månader", "fran": "januari 2016", "till": "december 2016",
                "matt": "Förändring mot ett år tidigare (%)"})
    [info] = [i.value for i in at.info if "Ingen förändring" in i.value]
    assert "januari 2015 – december 2015" in info and "januari 2017" in info
    assert all(f["value_text"] == "–" for f in deck_features(at).values())
    assert "uppgift saknas" in map_legend(at)  # the blank map has a legend


def test_grid_squares_lie_on_the_areas_outline_and_its_neighbours(karta, raw):
    import json

    from dashboard import maps

    at = karta({"niva": "Kommun", "omrade": "Stockholm", "vy": "1 km-rutor"})
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    assert [layer["id"] for layer in spec["layers"]] == [maps.CONTEXT_LAYER, maps.GRID_LAYER]  # outline under
    outline = spec["layers"][0]["data"]["features"]
    area = [f for f in outline if f["properties"]["line"][:3] == maps._rgba(maps.AREA_LINE)[:3]]
    [own] = raw.execute("SELECT geojson FROM area_geometry WHERE area_code = '0180'").fetchall()[0]
    assert [f["geometry"] for f in area] == [json.loads(own)]
    assert len(outline) > 1  # neighbours too (Solna, Nacka …), faintly
    assert "Under rutorna: Stockholm med mörk kontur" in captions(at)
    # The image has the same outline under its squares.
    at.session_state["karta_grid_export"] = True
    at.run()
    fig = at.get("plotly_chart")[0]
    data = json.loads(fig.proto.spec)["data"]
    roles = [t.get("meta", {}).get("outline") for t in data]
    assert "area" in roles and roles.index("area") < roles.index(None)  # drawn before (under) the squares


def test_grid_with_every_square_under_the_threshold_says_so(karta, raw):
    # Malmö over the default 12 months: nothing drawn, and the page said "52 värden är
    # dolda (visas som ”..”)" with no ".." anywhere.
    at = karta({"niva": "Kommun", "omrade": "Malmö", "vy": "1 km-rutor"})
    cells = raw.execute("""SELECT count(DISTINCT grid_cell) FROM incident WHERE kommun_code = '1280'
                           AND grid_cell IS NOT NULL AND occurred_at >= ? AND occurred_at < ?""",
                        list(YEAR_2025)).fetchone()[0]
    assert cells and raw.execute("""SELECT max(n) FROM (SELECT count(*) AS n FROM incident WHERE kommun_code = '1280'
                                    AND grid_cell IS NOT NULL AND occurred_at >= ? AND occurred_at < ? GROUP BY grid_cell)""",
                                 list(YEAR_2025)).fetchone()[0] < 5
    [info] = [i.value for i in at.info]
    assert f"alla {cells} rutor med händelser i urvalet har färre än 5 händelser" in info
    text = captions(at)
    assert f"{cells} sådana rutor är utelämnade" in text and "visas som ”..”;" not in text


def test_signal_map_before_the_signals_begin_shows_missing_not_zero(karta, raw):
    # 2018 has no signals at all (they begin in 2019 on the demo): every area is –, not 0
    # with a rank, as Översikt and Jämförelse show the same period.
    first = raw.execute("SELECT min(month) FROM recruitment_signal").fetchone()[0]
    assert first.year == 2019
    at = karta({"period": "Välj månader", "fran": "januari 2018", "till": "december 2018",
                "karta_niva": "Polisregion", "matt": "Rekryteringssignaler"})
    features = deck_features(at)
    assert len(features) == 7 and all(f["value_text"] == "–" for f in features.values())
    # Said above the map, with the months the signals cover (read from the data), and no
    # table or download of nothing but "–"; the map stays, to click on.
    [said] = [i.value for i in at.info if "Rekryteringssignaler finns" in i.value]
    assert f"från {fmt.month(first)}" in said and "efter den valda perioden" in said
    assert not at.dataframe and not at.get("download_button") and not at.main.toggle


@pytest.fixture
def two_changes(empty_db, tmp_path, monkeypatch, recorded):
    """Karta's change map per kommun over two kommuner whose change both colour the map:
    Botkyrka from 10 to 60 incidents, more than chance gives; Malmö from 50 to 45, which
    chance gives (exact test of the two counts, 5 % level)."""
    from helpers import incident_csv

    from pipelines.loading import ingest

    lines = []
    for kommun, before, now in (("0127", 10, 60), ("1280", 50, 45)):
        for year, n in ((2024, before), (2025, now)):
            lines += [f"t:{kommun}-{year}-{i};{year}-01-{1 + i % 28:02d} 12:00;rån;{kommun};;;test" for i in range(n)]
    [report] = ingest(empty_db, [incident_csv(tmp_path / "h.csv", "\n".join(lines) + "\n")])
    assert report.status == "ok", report.summary()
    monkeypatch.setenv("LAGESBILD_DB", str(empty_db))
    at = AppTest.from_file(PAGE, default_timeout=90)
    for k, v in {"karta_niva": "Kommun", "matt": "Förändring mot ett år tidigare (%)", "period": "Välj månader",
                 "fran": "januari 2025", "till": "januari 2025"}.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_change_table_says_which_changes_chance_could_give(two_changes, recorded):
    at = two_changes
    table = at.dataframe[0].shown.set_index("Kommun")
    assert (table.at["Botkyrka", "Inom slumpen"], table.at["Malmö", "Inom slumpen"]) == ("nej", "ja")
    export = recorded["karta_table_dl"]
    assert export["df"].set_index("name").at["Malmö", "within_chance"] == "ja"
    assert "Inom slumpens variation: ”ja” när förändringen" in export["caption"]


def test_change_map_greys_the_changes_chance_could_give(two_changes):
    # Malmö's -10 % was a blue as deep as a real fall on the map, which alone did not say
    # that chance gives it: it is grey, as Översikt greys such a change, and says why.
    import json

    from dashboard import maps

    at = two_changes
    features = deck_features(at)
    malmo, botkyrka = features["Malmö"], features["Botkyrka"]
    grey = maps._rgba(maps.WITHIN_CHANCE[0])[:3]
    assert malmo["fill"][:3] == grey and malmo["chance"] == " – inom slumpen"
    assert malmo["value_text"] == "-10,0" and malmo["rank_text"] == "2 av 2"  # the value and rank stay
    assert botkyrka["fill"][:3] != grey and botkyrka["chance"] == ""
    assert botkyrka["fill"][:3] in [maps._rgba(c)[:3] for c in maps.DIVERGING_6[3:]]  # a rise's colour
    assert "{chance}" in json.loads(at.get("deck_gl_json_chart")[0].proto.tooltip)["html"]
    assert "i grått" in at.get("deck_gl_json_chart")[0].proto.alt  # said to screen readers too
    legend = map_legend(at)
    assert "inom slumpen" in legend and "oförändrat" not in legend
    assert "-10,0" not in legend  # no class for a grey change
    assert "i grått (”inom slumpen”)" in captions(at)
    # The image for reports shows the same.
    at.session_state["karta_export"] = True
    at.run()
    data = json.loads(at.get("plotly_chart")[0].proto.spec)["data"]
    fills = {t["meta"]["area_code"]: t["fillcolor"] for t in data if "area_code" in t.get("meta", {})}
    assert fills["1280"] == maps.WITHIN_CHANCE[0] and fills["0127"] != maps.WITHIN_CHANCE[0]
    assert "inom slumpen" in {t.get("name") for t in data}
