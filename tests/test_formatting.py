"""Swedish display formatting: numbers, shares, months and tables with suppression."""

from __future__ import annotations

import datetime as dt
import pickle

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard import formatting as fmt

NB = "\u00a0"


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (1234.5, 1, f"1{NB}234,5"),
        (1234567, 0, f"1{NB}234{NB}567"),
        (999, 0, "999"),
        (0, 0, "0"),
        (-1234.56, 1, f"-1{NB}234,6"),
        (-0.04, 1, "0,0"),  # no "-0,0"
        (12.25, 2, "12,25"),
    ],
)
def test_number_swedish(value, decimals, expected):
    assert fmt.number(value, decimals) == expected


def test_missing_values_render_as_dash():
    for value in (None, float("nan"), pd.NA, pd.NaT):
        assert fmt.number(value) == fmt.MISSING
        assert fmt.percent(value) == fmt.MISSING
        assert fmt.month(value) == fmt.MISSING


def test_percent_share_rate_change():
    assert fmt.percent(12.34) == f"12,3{NB}%"
    assert fmt.share(0.1234) == f"12,3{NB}%"
    assert fmt.share(1) == f"100,0{NB}%"
    assert fmt.rate(1234.56) == f"1{NB}234,6"
    assert fmt.integer(12345.0) == f"12{NB}345"
    assert fmt.change(12.3) == f"+12,3{NB}%"
    assert fmt.change(-5) == f"-5,0{NB}%"
    assert fmt.change(0) == f"0,0{NB}%"
    assert fmt.change(3, 0, unit="") == "+3"


def test_months_and_dates():
    assert fmt.month(dt.date(2025, 3, 1)) == "mars 2025"
    assert fmt.month(pd.Timestamp("2025-12-01")) == "december 2025"
    assert fmt.month("2025-03-01", "iso") == "2025-03"
    assert fmt.month(dt.date(2025, 5, 1), "short") == "maj 2025"
    assert fmt.date(dt.date(2025, 3, 31)) == "2025-03-31"
    assert fmt.date(dt.date(2025, 3, 31), "long") == "31 mars 2025"
    assert fmt.period(dt.date(2025, 1, 1), dt.date(2025, 3, 1)) == "januari 2025 – mars 2025"
    assert fmt.period(dt.date(2025, 3, 1), dt.date(2025, 3, 1)) == "mars 2025"
    with pytest.raises(ValueError):
        fmt.month(dt.date(2025, 3, 1), "lång")


def test_a_short_period_names_its_months_in_few_characters():
    """For a legend entry (which never wraps) and a quick period's label."""
    assert fmt.short_period(dt.date(2024, 11, 1), dt.date(2025, 10, 1)) == "nov 2024–okt 2025"
    assert fmt.short_period(dt.date(2025, 1, 1), dt.date(2025, 10, 1)) == "jan–okt 2025"
    assert fmt.short_period(dt.date(2024, 1, 1), dt.date(2024, 12, 1)) == "2024"
    assert fmt.short_period(dt.date(2024, 3, 1), dt.date(2024, 12, 1)) == "mar–dec 2024"
    assert fmt.short_period(dt.date(2025, 5, 1), dt.date(2025, 5, 1)) == "maj 2025"


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), st.integers(min_value=0, max_value=3))
def test_number_reads_back(value, decimals):
    text = fmt.number(value, decimals)
    assert "." not in text  # the decimal sign is a comma, thousands a no-break space
    parsed = float(text.replace(NB, "").replace(",", "."))
    assert parsed == pytest.approx(round(value, decimals), abs=10**-decimals)


def test_display_table_headers_order_and_suppression():
    df = pd.DataFrame(
        {
            "area": ["Farsta", "Kista", "Rinkeby"],
            "n": pd.array([1234, None, None], dtype="Int64"),
            "n_suppressed": [False, True, False],
            "rate": [12.345, None, 3.0],
            "rate_suppressed": [False, True, False],
            "month": [dt.date(2025, 3, 1)] * 3,
        }
    )
    out = fmt.display_table(
        df, {"area": "Område", "n": "Antal", "rate": "Per 100 000", "month": "Månad"}, {"rate": 1}, months=["month"]
    )
    assert list(out.columns) == ["Område", "Antal", "Per 100 000", "Månad"]
    assert out["Antal"].tolist() == [f"1{NB}234", "..", "–"]  # suppressed vs merely missing
    assert out["Per 100 000"].tolist() == ["12,3", "..", "3,0"]
    assert out["Månad"].tolist() == ["mars 2025"] * 3
    assert out.map(lambda v: isinstance(v, str)).all().all()


def test_display_table_flag_hides_a_value_even_if_present():
    df = pd.DataFrame({"n": [3, 40], "suppressed": [True, False], "share": [0.5, 0.25]})
    out = fmt.display_table(df, {"n": "Antal", "share": "Andel"}, share=["share"])
    assert out["Antal"].tolist() == ["..", "40"]
    assert out["Andel"].tolist() == ["..", f"25,0{NB}%"]  # one 'suppressed' flag covers the row


def test_display_table_booleans_and_unknown_column():
    df = pd.DataFrame({"ok": [True, False]})
    assert fmt.display_table(df, {"ok": "Ungefärlig"})["Ungefärlig"].tolist() == ["ja", "nej"]
    with pytest.raises(KeyError):
        fmt.display_table(df, {"missing": "Saknas"})


def test_display_table_remembered_by_content_never_serves_a_stale_table():
    df = pd.DataFrame({"n": [1.0, 2.0], "n_suppressed": [False, True], "x": pd.Series([1.5, "a"], dtype=object)})
    columns = {"n": "Antal", "x": "Text"}
    first = fmt.display_table(df, columns)
    assert first["Antal"].tolist() == ["1", ".."] and first["Text"].tolist() == ["1,5", "a"]
    first.iloc[0, 0] = "ändrad"                                   # the caller's copy only
    assert fmt.display_table(df.copy(), columns)["Antal"].tolist() == ["1", ".."]
    flags = df.assign(n_suppressed=[True, False])
    assert fmt.display_table(flags, columns)["Antal"].tolist() == ["..", "2"]
    text = df.assign(x=pd.Series(["1.5", "a"], dtype=object))     # same text, another type
    assert fmt.display_table(text, columns)["Text"].tolist() == ["1.5", "a"]
    assert fmt.display_table(df, columns, decimals={"n": 2})["Antal"].tolist() == ["1,00", ".."]


def _comparison_like() -> pd.DataFrame:
    return pd.DataFrame({"code": ["0180", "1280"], "name": ["Stockholm", "Malmö"],
                         "value": pd.array([1.5, None], dtype="Float64"), "rank": pd.array([1, 2], dtype="Int64"),
                         "within": pd.array([True, None], dtype="boolean"), "date": [dt.date(2024, 1, 1)] * 2})


def test_a_table_read_back_from_the_cache_is_the_table_remembered():
    # A page's rerun gets its frames from Streamlit's cache (unpickled) where the first run
    # had them freshly computed: same values, but objects shared differently. The table
    # must still be remembered, not formatted again on every rerun after the first.
    df = _comparison_like()
    read_back = pickle.loads(pickle.dumps(df))
    columns = {"name": "Kommun", "value": "Värde", "rank": "Rang", "date": "Datum"}
    first = fmt.display_arrow(df, columns, decimals={"value": 1})
    assert fmt.display_arrow(read_back, columns, decimals={"value": 1}) is first
    assert fmt.content_digest(df) == fmt.content_digest(read_back)
    changed = read_back.assign(value=pd.array([1.6, None], dtype="Float64"))
    assert fmt.content_digest(changed) != fmt.content_digest(df)
    assert fmt.display_arrow(changed, columns, decimals={"value": 1}).column("Värde").to_pylist() == ["1,6", "–"]
    assert fmt.content_digest(lambda: 1) is None  # cannot be pickled: never remembered


def test_display_arrow_by_identity_makes_the_frame_only_when_not_remembered():
    df = pd.DataFrame({"year": [2024, 2025], "n": [1200, 3]})
    columns = {"year": "År", "n": "Antal"}
    made = []

    def frame():
        made.append(1)
        return df.assign(year=df["year"].astype(str))

    identity = ("test_display_arrow_lazy", 1)
    first = fmt.display_arrow(frame, columns, identity=identity)
    again = fmt.display_arrow(frame, columns, identity=identity)
    assert len(made) == 1 and again is first
    assert first.equals(fmt.display_arrow(df.assign(year=df["year"].astype(str)), columns))
    assert first.column("År").to_pylist() == ["2024", "2025"]


def test_count_puts_the_noun_in_the_right_number():
    assert fmt.count(1, "plan", "planer") == "1 plan"
    assert fmt.count(0, "plan", "planer") == "0 planer"
    assert fmt.count(1234, "åtgärd", "åtgärder") == "1\u00a0234 åtgärder"


def test_a_table_shows_negative_numbers_with_the_minus_sign_and_changes_with_their_sign():
    df = pd.DataFrame({"n": [-3, 12, 0, 1234], "d": [-3.25, 12.0, 0.0, -0.04], "pct": [-4.56, 2.0, 0.0, None],
                       "pct_suppressed": [False, False, False, False], "s": [-0.1, 0.25, 0.0, 0.5]})
    out = fmt.display_table(df, {"n": "N", "d": "D", "pct": "%", "s": "Andel"}, {"d": 1},
                            signed=["d", "pct", "s"], percent=["pct"], share=["s"])
    assert out["N"].tolist() == ["\u22123", "12", "0", f"1{NB}234"]          # a number: no "+"
    assert out["D"].tolist() == ["\u22123,2", "+12,0", "0,0", "0,0"]        # -0.04 shows as 0,0, no sign
    assert out["%"].tolist() == [f"\u22124,6{NB}%", f"+2,0{NB}%", f"0,0{NB}%", "–"]
    assert out["Andel"].tolist() == [f"\u221210,0{NB}%", f"+25,0{NB}%", f"0,0{NB}%", f"+50,0{NB}%"]
    assert not any("-" in v for v in out.to_numpy().ravel())
    # Outside tables (hover labels, st.metric's delta, which reads a leading "-") the hyphen stays.
    assert fmt.change(-3, 0, unit="") == "-3"


def test_display_arrow_names_its_number_columns_and_keeps_dates_as_dates():
    df = pd.DataFrame({"name": ["a", "b"], "n": [1, None], "n_suppressed": [True, False], "year": ["2024", "2025"],
                       "when": [pd.Timestamp("2025-03-14"), pd.NaT], "share": [0.5, 0.25]})
    table = fmt.display_arrow(df, {"name": "Namn", "n": "Antal", "year": "År", "when": "Bedömd", "share": "Andel"},
                              share=["share"], dates=["when"])
    assert fmt.numeric_headers(table) == ["Antal", "Andel"]
    assert table.column("Antal").to_pylist() == ["..", "–"]   # still text: ".." for a hidden value
    assert str(table.schema.field("Bedömd").type) == "date32[day]"
    assert table.column("Bedömd").to_pylist() == [dt.date(2025, 3, 14), None]
    assert fmt.numeric_headers(pd.DataFrame()) == []
    with pytest.raises(ValueError):  # a value that can be hidden is never passed through as it is
        fmt.display_arrow(df, {"n": "Antal"}, dates=["n"])
