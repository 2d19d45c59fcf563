"""Översikt's first visits made cheaper without changing what it shows (issue 6).

The map's area table and GeoJSON features are built from whole columns; the old
row-by-row builders are kept here as the reference the new ones must match exactly.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from dashboard import formatting as fmt
from dashboard import maps
from pipelines import geography

# --- the builders as they were (row by row): the reference --------------------------------------


def old_area_values(geo_df, values_df, metric, *, decimals=0, diverging=False):
    geo = geo_df.reset_index(drop=True)
    codes = geo["area_code"].tolist()
    first: dict = {}
    for i, code in enumerate(values_df["area_code"].tolist()):
        first.setdefault(code, i)
    at = np.array([first.get(c, -1) for c in codes], dtype=np.int64)
    found = at >= 0
    present = found.tolist()
    hidden = np.zeros(len(codes), dtype=bool)
    hidden[found] = fmt.suppressed_mask(values_df, metric).fillna(False).astype(bool).to_numpy()[at[found]]
    value = np.full(len(codes), np.nan)
    numbers = pd.to_numeric(values_df[metric], errors="coerce").astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    value[found & ~hidden] = numbers[at[found & ~hidden]]
    hidden = pd.Series(hidden)
    names = geo["name"].tolist() if "name" in geo.columns else None
    if names is None and "name" in values_df.columns:
        column = values_df["name"].tolist()
        names = [column[i] if i >= 0 else None for i in at.tolist()]
    names = [n if isinstance(n, str) and n else c for n, c in zip(names or codes, codes, strict=True)]
    shown = ~np.isnan(value)
    ranks = np.full(len(codes), np.nan)
    if shown.any():
        ranks[shown] = pd.Series(value[shown]).rank(ascending=False, method="min").to_numpy()
    n_shown = int(shown.sum())
    integers = bool(decimals == 0 and not diverging and (value[shown] == np.floor(value[shown])).all())
    breaks = maps.class_breaks(value[shown].tolist(), diverging=diverging, integers=integers)
    colours = maps.class_colours(breaks, diverging=diverging) if breaks else []
    out = pd.DataFrame({
        "area_code": codes, "name": names,
        "approximate": geo["approximate"].astype(bool).tolist() if "approximate" in geo.columns else False,
        "value": value, "suppressed": hidden.to_numpy(), "present": present,
    })
    out["value_text"] = [
        fmt.SUPPRESSED if h else (fmt.MISSING if math.isnan(v) else fmt.number(v, decimals))
        for v, h in zip(value, hidden, strict=True)
    ]
    out["rank"] = ranks
    out["rank_text"] = [fmt.MISSING if math.isnan(r) else f"{int(r)} av {n_shown}" for r in ranks]
    out["colour"] = [
        (maps.UNCHANGED[0] if diverging and v == 0 else colours[maps.class_of(v, breaks)])
        if not math.isnan(v) and colours else (None if not h else "#C8C8C8")
        for v, h in zip(value, hidden, strict=True)
    ]
    out["within_chance"] = False  # these maps do not mark the changes chance could give
    out.attrs["breaks"] = breaks
    out.attrs["integers"] = integers
    out.attrs["unchanged"] = bool(diverging and (value == 0).any())
    out.attrs["chance"] = False
    return out


def old_feature_collection(geo_df, table):
    features, boxes = [], []
    for text, row in zip(geo_df["geojson"].tolist(), table.itertuples(index=False), strict=True):
        geom, box = maps._parse(text)
        boxes.append(box)
        if row.suppressed:
            fill = maps.SUPPRESSED_RGBA
        elif not isinstance(row.colour, str):
            fill = maps.NO_DATA_RGBA
        else:
            fill = maps._rgba(row.colour, 190 if row.approximate else 225)
        features.append({
            "type": "Feature", "id": row.area_code, "geometry": geom,
            "properties": {"area_code": row.area_code, "name": row.name, "value_text": row.value_text,
                           "rank_text": row.rank_text, "approx": maps.APPROX_NOTE if row.approximate else "",
                           "fill": fill},
        })
    return {"type": "FeatureCollection", "features": features}, boxes


# --- value sets a map meets ---------------------------------------------------------------------


def values(geo: pd.DataFrame, kind: str, seed: int) -> tuple[pd.DataFrame, str, dict]:
    """A values frame for ``geo`` of one kind, its metric and area_values' options."""
    rng = np.random.default_rng(seed)
    n = len(geo)
    codes = geo["area_code"].tolist()
    if kind == "counts":  # whole numbers with ties, some areas missing from the frame
        df = pd.DataFrame({"area_code": codes, "incidents": rng.integers(0, 40, n)}).iloc[: max(1, n - 2)]
        return df, "incidents", {}
    if kind == "large counts":  # thousands separators
        return pd.DataFrame({"area_code": codes, "incidents": rng.integers(0, 60_000, n)}), "incidents", {}
    if kind == "rates with NA":
        rates = pd.array(rng.uniform(0, 250, n).round(3), dtype="Float64")
        rates[rng.random(n) < 0.3] = pd.NA
        return pd.DataFrame({"area_code": codes, "per_100k": rates}), "per_100k", {"decimals": 1}
    if kind == "suppressed":  # hidden values keep their number in the frame: never shown
        df = pd.DataFrame({"area_code": codes, "signals": rng.integers(0, 30, n).astype(float)})
        df["signals_suppressed"] = rng.random(n) < 0.4
        df.loc[df.index[:1], "signals"] = np.nan
        return df, "signals", {}
    if kind == "all suppressed":
        df = pd.DataFrame({"area_code": codes, "signals": np.full(n, 3.0), "suppressed": True})
        return df, "signals", {}
    if kind == "changes":  # diverging, zeros drawn as unchanged, negative zero
        change = rng.integers(-15, 16, n).astype(float)
        change[:2] = [0.0, -0.0]
        return pd.DataFrame({"area_code": codes, "change": change}), "change", {"diverging": True}
    if kind == "all zero changes":
        return pd.DataFrame({"area_code": codes, "change": np.zeros(n)}), "change", {"diverging": True}
    if kind == "percent changes":
        pct = pd.array(rng.normal(0, 30, n).round(2), dtype="Float64")
        pct[rng.random(n) < 0.2] = pd.NA
        return pd.DataFrame({"area_code": codes, "change_pct": pct}), "change_pct", {"diverging": True, "decimals": 1}
    if kind == "one value":
        return pd.DataFrame({"area_code": codes[:1], "incidents": [7]}), "incidents", {}
    if kind == "nothing":
        return pd.DataFrame({"area_code": pd.Series([], dtype=str), "incidents": pd.Series([], dtype=float)}), \
            "incidents", {}
    if kind == "names from values":  # a geometry frame without names takes the values' names
        df = pd.DataFrame({"area_code": codes, "name": [f"Område {i}" for i in range(n)],
                           "incidents": rng.integers(0, 9, n)})
        return df, "incidents", {}
    raise AssertionError(kind)


KINDS = ["counts", "large counts", "rates with NA", "suppressed", "all suppressed", "changes",
         "all zero changes", "percent changes", "one value", "nothing", "names from values"]


@pytest.mark.parametrize("name", geography.LEVELS)
@pytest.mark.parametrize("kind", KINDS)
def test_area_table_and_features_are_the_same_as_row_by_row(geometry, name, kind):
    geo = geometry[geometry["level"] == name].reset_index(drop=True)
    if kind == "names from values":
        geo = geo.drop(columns="name")
    for seed in (1, 2, 3):
        df, metric, options = values(geo, kind, seed)
        new = maps.area_values(geo, df, metric, **options)
        old = old_area_values(geo, df, metric, **options)
        pd.testing.assert_frame_equal(new, old, check_exact=True)
        assert new.attrs == old.attrs
        # Texts and colours as a reader sees them, value by value (None where no colour).
        for column in ("value_text", "rank_text", "colour", "name"):
            assert new[column].tolist() == old[column].tolist(), column
        assert maps._feature_collection(geo, new) == old_feature_collection(geo, old)


def test_the_comparison_sees_a_difference():
    """The reference comparison can fail: a text that differs by one character is caught."""
    geo = pd.DataFrame({"area_code": ["a", "b"], "name": ["A", "B"], "approximate": [False, True],
                        "geojson": ['{"type":"Point","coordinates":[15.0,60.0]}'] * 2})
    df = pd.DataFrame({"area_code": ["a", "b"], "n": [1234.0, 5.0]})
    new = maps.area_values(geo, df, "n")
    assert new["value_text"].tolist() == ["1\u00a0234", "5"]
    assert new["rank_text"].tolist() == ["1 av 2", "2 av 2"]
    changed = new.copy()
    changed.loc[0, "value_text"] = "1 234"
    with pytest.raises(AssertionError):
        pd.testing.assert_frame_equal(changed, old_area_values(geo, df, "n"), check_exact=True)
    features = maps._feature_collection(geo, new)[0]["features"]
    assert [f["properties"]["approx"] for f in features] == ["", maps.APPROX_NOTE]
    assert features[1]["properties"]["fill"][3] == 190 and features[0]["properties"]["fill"][3] == 225


# --- one area's months and types, read without summing again -------------------------------------


def test_an_areas_months_and_types_are_the_marts_sums_for_every_area(demo_db, raw, monkeypatch):
    """The headline and the trend are summed from _month_type's rows: for every area of
    every level and two periods, the same (month, type, count) rows as summing the mart."""
    from datetime import date

    monkeypatch.setenv("LAGESBILD_DB", str(demo_db))
    from dashboard.queries import db_key, incidents

    key = db_key()
    areas = raw.execute("SELECT DISTINCT level, area_code FROM mart_incident_month ORDER BY ALL").fetchall()
    assert {level for level, _ in areas} >= {"riket", "lan", "kommun", "lpo"}
    first, last = incidents.month_range()
    periods = [(first, last), (incidents.shift_months(last, -2), last)]
    found = 0
    for level, code in areas:
        for start, end in periods:
            prev_start, prev_end = incidents.previous_period(start, end)
            expected = raw.execute(
                """SELECT month, incident_type, sum(incidents)::BIGINT FROM mart_incident_month
                   WHERE level = ? AND area_code = ? AND (month BETWEEN ? AND ? OR month BETWEEN ? AND ?)
                   GROUP BY ALL""", [level, code, start, end, prev_start, prev_end]).fetchall()
            got = incidents._month_type(key, level, code, start, end)
            assert sorted(got) == sorted((m if isinstance(m, date) else m.date(), t, n) for m, t, n in expected)
            found += len(got)
    assert found > 1000  # the comparison saw rows, not only empty areas
