"""Number columns of every table carry numbers, so a click on the heading sorts them as
numbers (tests/test_browser_sorting.py clicks one), while the cells still read in Swedish:
"1 234", "−3", "+12,5 %", ".." for a hidden value and "–" for a missing one, both sorting
below every number. And Översikt's cards write a fall with the minus sign (U+2212) the
tables use, keeping the arrow down and the colour a fall has."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest
from helpers import swedish_number
from streamlit.proto.Metric_pb2 import Metric as MetricProto
from streamlit.testing.v1 import AppTest

from dashboard import components
from dashboard import formatting as fmt

pytestmark = pytest.mark.usefixtures("fast_apptest")

PAGES = Path(__file__).resolve().parents[1] / "dashboard" / "pages"
LOW = float("-inf")


def test_the_numbers_a_column_shows_are_read_back_from_its_texts():
    df = pd.DataFrame({"n": [1234.5, -3.0, 12.0, None, 7.0, 0.0],
                       "n_suppressed": [False, False, False, False, True, False],
                       "pct": [12.5, -0.04, 250.0, 1.0, None, 0.0]})
    table = fmt.display_arrow(df, {"n": "Antal", "pct": "Förändring (%)"}, decimals={"n": 1, "pct": 1},
                              percent=["pct"], signed=["pct"])
    assert table.column("Antal").to_pylist() == ["1\u00a0234,5", "\u22123,0", "12,0", "–", "..", "0,0"]
    assert fmt.shown_numbers(table.column("Antal").to_pylist()) == [1234.5, -3.0, 12.0, LOW, LOW, 0.0]
    # -0.04 shows as "0,0 %" and sorts as the 0 it shows.
    assert fmt.shown_numbers(table.column("Förändring (%)").to_pylist()) == [12.5, 0.0, 250.0, 1.0, LOW, 0.0]
    assert fmt.shown_numbers(["12", "ja"]) is None  # a text that is no number: the column stays text


def _table_app():
    import pandas as pd
    import streamlit as st

    from dashboard import components
    from dashboard import formatting as fmt

    df = pd.DataFrame({"name": ["a", "b", "c", "d", "e", "f"],
                       "n": [1234.0, 987.0, None, -3.0, 5.0, 12.0],
                       "n_suppressed": [False, False, False, False, True, False],
                       "k": [3, 1, 2, 7, 0, 999],
                       "share": [0.5, 0.25, 0.125, 1.0, 0.0, None]})
    components.dataframe(fmt.display_arrow(df, {"name": "Namn", "n": "Förändring", "k": "Antal", "share": "Andel"},
                                           signed=["n"], share=["share"]),
                         hide_index=True, column_config={"Förändring": st.column_config.TextColumn(
                             "Förändring", help="Mot året innan.", width=90)})


def test_a_table_carries_numbers_and_shows_the_swedish_texts():
    at = AppTest.from_function(_table_app, default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    [element] = at.dataframe
    values, shown = element.value, element.shown
    for header in ("Förändring", "Antal", "Andel"):
        assert pd.api.types.is_numeric_dtype(values[header]), (header, values[header].dtype)
    assert values["Förändring"].tolist() == [1234.0, 987.0, LOW, -3.0, LOW, 12.0]
    assert shown["Förändring"].tolist() == ["+1\u00a0234", "+987", "–", "\u22123", "..", "+12"]
    assert shown["Andel"].tolist() == ["50,0\u00a0%", "25,0\u00a0%", "12,5\u00a0%", "100,0\u00a0%", "0,0\u00a0%", "–"]
    assert values["Andel"].tolist() == [50.0, 25.0, 12.5, 100.0, 0.0, LOW]
    # Sorted by its values (what a click on the heading does), the column reads in numeric
    # order, the hidden and the missing value together before every number.
    order = values.sort_values("Förändring", kind="stable").index
    assert shown.loc[order, "Förändring"].tolist() == ["–", "..", "\u22123", "+12", "+987", "+1\u00a0234"]
    # Whole numbers 0–999 read as the grid draws them: no texts needed.
    assert values["Antal"].tolist() == [3, 1, 2, 7, 0, 999] and shown["Antal"].tolist() == ["3", "1", "2", "7", "0", "999"]
    # Every number column is a right-aligned number column, keeping the page's label, help and width.
    config = json.loads(element.proto.columns)
    assert config["Förändring"]["type_config"]["type"] == "number"
    assert {k: config["Förändring"][k] for k in ("alignment", "help", "width")} == {
        "alignment": "right", "help": "Mot året innan.", "width": 90}
    assert all(config[h]["alignment"] == "right" for h in ("Antal", "Andel"))
    assert at.dataframe[0].proto.placeholder == fmt.MISSING
    # A rerun draws the same table from what the first run made (components._sortable).
    again = at.run().dataframe[0]
    assert again.shown.equals(shown) and again.value.equals(values)


def test_karta_table_of_kommuner_sorts_by_number_and_keeps_hidden_apart_from_missing(demo_db, monkeypatch):
    monkeypatch.setenv("LAGESBILD_DB", str(demo_db))
    at = AppTest.from_file(str(PAGES / "karta.py"), default_timeout=90)
    at.query_params["karta_niva"] = "Kommun"
    at.query_params["matt"] = "Rekryteringssignaler"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    element = at.dataframe[0]  # the one table (AppTest gives keys to selectable tables alone)
    values, shown = element.value, element.shown
    signals = shown["Rekryteringssignaler"]
    assert (signals == "..").any() and (signals == "–").any()  # both kinds are in this table
    for header in ("Rekryteringssignaler", "Befolkning", "Antal händelser", "Rang"):
        column = values[header]
        assert pd.api.types.is_numeric_dtype(column), header
        for value, text in zip(column.tolist(), shown[header].tolist(), strict=True):
            if text in ("..", "–"):
                assert value == LOW, (header, text, value)
            else:
                assert math.isclose(value, swedish_number(text)), (header, text, value)
    # By population, largest first: the three cities, then every kommun in numeric order.
    by_people = shown.loc[values.sort_values("Befolkning", ascending=False, kind="stable").index]
    assert by_people["Kommun"].tolist()[:3] == ["Stockholm", "Göteborg", "Malmö"]
    people = [swedish_number(t) for t in by_people["Befolkning"]]
    assert people == sorted(people, reverse=True)


def test_the_measure_register_stays_arrow_without_texts_of_its_own(demo_db, monkeypatch):
    """Its one number column (Uppföljningar: 0–999) reads as the grid draws it: no Styler to
    compute on every rerun for its thousands of rows."""
    monkeypatch.setenv("LAGESBILD_DB", str(demo_db))
    at = AppTest.from_file(str(PAGES / "atgarder.py"), default_timeout=90)
    at.query_params["atgarder_flik"] = "Register"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    [register] = [d for d in at.dataframe if d.key == "atgarder_register"]
    assert pd.api.types.is_integer_dtype(register.value["Uppföljningar"])
    assert not register.proto.arrow_data.styler.display_values


def test_a_fall_takes_the_minus_sign_and_keeps_its_arrow_and_colour():
    assert components.count_delta(7, 10) == "\u22123 (\u221230,0\u00a0%)"
    assert components.count_delta(12, 10) == "+2 (+20,0\u00a0%)"
    assert components.points_delta(0.30, 0.325) == "\u22122,5\u00a0p.e."
    fall, rise = components.count_delta(7, 10), components.count_delta(12, 10)
    assert components.delta_look(fall) == {"delta_color": "red", "delta_arrow": "down"}
    assert components.delta_look(fall, "inverse") == {"delta_color": "green", "delta_arrow": "down"}
    assert components.delta_look(rise, "inverse") == {"delta_color": "red", "delta_arrow": "up"}
    assert components.delta_look(fall, "off") == {"delta_color": "off", "delta_arrow": "down"}
    assert components.delta_look(components.count_delta(10, 10)) == {"delta_color": "off", "delta_arrow": "off"}


@pytest.mark.parametrize("params", [{}, {"niva": "Kommun", "omrade": "Botkyrka"}], ids=["riket", "botkyrka"])
def test_oversikt_cards_write_a_fall_with_the_minus_sign(demo_db, monkeypatch, params):
    monkeypatch.setenv("LAGESBILD_DB", str(demo_db))
    at = AppTest.from_file(str(PAGES / "oversikt.py"), default_timeout=90)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    changed = [m for m in at.metric if m.delta and not m.delta.startswith("±")]
    assert changed
    for card in changed:
        assert "-" not in card.delta, (card.label, card.delta)
        falling = card.delta.startswith("\u2212")
        assert falling or card.delta.startswith("+"), card.delta
        down = card.proto.direction == MetricProto.MetricDirection.DOWN
        assert down is falling, (card.label, card.delta, card.proto.direction)
        # Fewer incidents or signals are good news (green), more bad (red); a share of
        # measures achieved the other way round; grey when chance could explain it.
        good = falling if card.label != "Åtgärder uppnådda" else not falling
        assert card.proto.color in ((MetricProto.MetricColor.GREEN if good else MetricProto.MetricColor.RED),
                                    MetricProto.MetricColor.GRAY), (card.label, card.delta)
