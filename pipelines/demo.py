"""Seeded synthetic demo data for all of Sweden: ``python -m pipelines demo``.

The data are invented but shaped like the real thing (docs/demo.md says how): population
per kommun from rounded real figures in ``data/demo/kommun_population.csv``; incidents
whose rates scale with population, with seasons, national trends and a few local stories;
monthly recruitment signals per LPO; and action plans with measures and follow-up rounds
written from ``data/demo/plan_texts.toml``.

Everything is vectorised (numpy draws, DuckDB inserts in chunks of a year of incidents),
so the national size (15 M incidents) runs in bounded memory. The same seed, size and end
month give the same data: each part draws from its own random stream, so changing the
size leaves population, signals and plans as they were.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import time
import tomllib
import unicodedata
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from pipelines import build, config, geography, marts, published, warehouse
from pipelines.categories import (
    INCIDENT_TYPES,
    MEASURE_STATUSES,
    OWN_AREA,
    POPULATION_AGE_BANDS,
    PRIORITISED_AREAS,
    SIGNAL_AGE_BANDS,
    SIGNAL_SOURCES,
    SIGNAL_TYPES,
)

DEMO_DIR = config.DATA_DIR / "demo"
POPULATION_FILE = DEMO_DIR / "kommun_population.csv"
TEXTS_FILE = DEMO_DIR / "plan_texts.toml"

SIZES = {"quick": 1_000_000, "national": 15_000_000}
SOURCE = "demo"
FIRST_MONTH = date(2016, 1, 1)
SIGNALS_FIRST_MONTH = date(2019, 1, 1)
PLAN_YEARS = (2024, 2025, 2026)
BASE_YEAR = 2023  # the year the population file describes
CHUNK_MONTHS = 12  # incidents are expanded and inserted a year at a time
DUCKDB_MEMORY_LIMIT = "1GB"

Progress = Callable[[str], None]


class DemoError(ValueError):
    """Bad demo options (size); the message says what to write instead."""


# --- options ---------------------------------------------------------------------------


def parse_size(size: str | int) -> int:
    """Number of incidents for ``--size``: quick, national or a positive integer."""
    text = str(size).strip().lower().replace("_", "").replace(" ", "")
    if text in SIZES:
        return SIZES[text]
    if text.isdigit() and int(text) > 0:
        return int(text)
    raise DemoError(f"--size '{size}' känns inte igen: ange quick, national eller ett antal händelser (t.ex. 200000).")


def last_full_month(today: date | None = None) -> date:
    """First day of the last calendar month that has ended before ``today``."""
    today = today or date.today()
    first = today.replace(day=1)
    return (first - timedelta(days=1)).replace(day=1)


def _months(first: date, last: date) -> list[date]:
    out, y, m = [], first.year, first.month
    while (y, m) <= (last.year, last.month):
        out.append(date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _month_end(month: date) -> date:
    nxt = date(month.year + 1, 1, 1) if month.month == 12 else date(month.year, month.month + 1, 1)
    return nxt - timedelta(days=1)


def _rng(seed: int, stream: str) -> np.random.Generator:
    """An independent random stream per purpose, so one part's size never shifts another."""
    return np.random.default_rng([seed, zlib.crc32(stream.encode("utf-8"))])


# --- geography: kommuner, units (LPO parts of kommuner) and their polygons --------------


@dataclass
class Geo:
    """Kommuner with population and character, and the units incidents are drawn over.

    A unit is an (LPO, kommun) part as in ``lpo_kommun`` (the whole kommun where one LPO
    covers it, or none is known), carrying the share of the kommun's population.
    """

    kommun: pd.DataFrame  # kommun_code, name, lan_code, population, growth, urban, vuln
    units: pd.DataFrame  # kommun_code, lpo_code (None if unknown), share, kidx, split, area_code
    lpo_names: dict[str, str] = field(default_factory=dict)

    @property
    def split(self) -> set[str]:
        return set(self.units.loc[self.units["split"], "kommun_code"])


# Areas with a known concentration of gang violence get a higher share of it (a coarse
# nod to the police's list of utsatta områden; the factor itself is invented).
_VULNERABLE_KOMMUNER = {"0181": 2.2, "0127": 2.0, "1280": 1.6, "1480": 1.5, "0180": 1.3,
                        "0380": 1.3, "1880": 1.3, "0484": 1.4, "0581": 1.3, "0126": 1.3}
_VULNERABLE_LPO_WORDS = ("järva", "rinkeby", "skärholmen", "södertälje", "botkyrka", "angered",
                         "nordost", "hisingen", "rosengård", "malmö öster", "malmö söder")


def _read_population(kommun: pd.DataFrame) -> pd.DataFrame:
    pop = pd.read_csv(POPULATION_FILE, dtype={"kommun_code": str}, encoding="utf-8")
    out = kommun.merge(pop[["kommun_code", "population"]], on="kommun_code", how="left")
    # A kommun missing from the demo file (a new one in a user's reference) gets a small town's size.
    out["population"] = out["population"].fillna(10_000).astype(float)
    return out


def load_geo(con: duckdb.DuckDBPyConnection, seed: int) -> Geo:
    """Kommuner and units from the warehouse's reference tables (LPOs when they exist)."""
    rng = _rng(seed, "geo")
    kommun = con.execute(
        "SELECT area_code AS kommun_code, name, parent_code AS lan_code FROM area "
        "WHERE level = 'kommun' ORDER BY area_code").df()
    kommun = _read_population(kommun)
    p = kommun["population"].to_numpy()
    # Big towns grow, small rural kommuner shrink a little (per year).
    growth = 0.002 + 0.0045 * np.log10(p / 20_000) + rng.normal(0, 0.003, len(p))
    kommun["growth"] = np.clip(growth, -0.012, 0.02)
    kommun["urban"] = np.clip(np.log10(p / 15_000) / np.log10(1_000_000 / 15_000), 0, 1)
    vuln = np.exp(rng.normal(0, 0.35, len(p)))
    extra = kommun["kommun_code"].map(_VULNERABLE_KOMMUNER).fillna(1.0).to_numpy()
    kommun["vuln"] = vuln * extra

    lk = con.execute("SELECT lpo_code, kommun_code, share FROM lpo_kommun ORDER BY kommun_code, lpo_code").df()
    names = dict(con.execute("SELECT area_code, name FROM area WHERE level = 'lpo'").fetchall())
    kidx = {c: i for i, c in enumerate(kommun["kommun_code"])}
    lk = lk[lk["kommun_code"].isin(kidx)].copy()
    total = lk.groupby("kommun_code")["share"].transform("sum")
    lk["share"] = lk["share"].astype(float) / total.where(total > 0, 1.0)
    without = kommun.loc[~kommun["kommun_code"].isin(lk["kommun_code"]), ["kommun_code"]].assign(lpo_code=None, share=1.0)
    units = pd.concat([lk[["kommun_code", "lpo_code", "share"]], without], ignore_index=True)
    units = units.sort_values(["kommun_code", "lpo_code"], na_position="first", kind="stable").reset_index(drop=True)
    units["kidx"] = units["kommun_code"].map(kidx).astype(int)
    units["split"] = units.groupby("kommun_code")["kommun_code"].transform("size") > 1
    # Signals and stories name the LPO where there is one, else the kommun.
    units["area_code"] = units["lpo_code"].where(units["lpo_code"].notna(), units["kommun_code"])
    lpo_vuln = np.array([
        2.2 if isinstance(code, str) and any(w in names.get(code, "").lower() for w in _VULNERABLE_LPO_WORDS) else 1.0
        for code in units["lpo_code"]
    ])
    # Inside a split kommun the kommun-wide factor is spread unevenly over its parts.
    units["vuln"] = kommun["vuln"].to_numpy()[units["kidx"]] * np.where(
        units["split"], lpo_vuln * np.exp(rng.normal(0, 0.3, len(units))), np.maximum(lpo_vuln / 1.5, 1.0))
    return Geo(kommun=kommun, units=units.reset_index(drop=True), lpo_names=names)


def _unit_polygons(geo: Geo) -> list:
    """Full-detail polygon (EPSG:3006) of each unit: the LPO's part of the kommun, else the kommun."""
    kommun_poly = geography.kommun_polygons().set_index("kommun_code").geometry
    pieces = {}
    ref = geography.load_reference()
    if not ref.lpo.empty and not ref.lpo_kommun.empty:
        for r in geography.lpo_pieces(ref).itertuples():
            pieces[(r.lpo_code, r.kommun_code)] = r.geometry
    out = []
    for r in geo.units.itertuples():
        geom = pieces.get((r.lpo_code, r.kommun_code))
        if geom is None or geom.is_empty or geom.area < 1e6:
            geom = kommun_poly.get(r.kommun_code)
        out.append(geom)
    return out


@dataclass
class Cells:
    """1 km grid cells per unit: ``cum`` is unit index + cumulative weight within the unit."""

    cum: np.ndarray  # float64, ascending; block u ends at exactly u + 1
    code: np.ndarray  # int32 index into ``ids`` per entry (-1: the unit has no polygon)
    ids: list[str]


def _format_cells(keys: np.ndarray) -> list[str]:
    """Cell ids for cell keys (easting * 10**7 + northing), formatted as geography does."""
    east, north = keys // 10**7, keys % 10**7
    ids = np.char.add(np.char.zfill(east.astype(str), 6), np.char.zfill(north.astype(str), 7)).tolist()
    # geography.grid_cell_id is the authority on the format; check a few and defer to it.
    probe = range(0, len(ids), max(1, len(ids) // 20))
    if any(geography.grid_cell_id(float(east[i]), float(north[i])) != ids[i] for i in probe):
        ids = [geography.grid_cell_id(float(e), float(n)) for e, n in zip(east, north, strict=True)]
    return ids


def grid_cells(geo: Geo, seed: int, points_per_unit: int = 500) -> Cells:
    """Weighted 1 km cells inside each unit, dense around a main town and a few smaller ones."""
    import shapely

    rng = _rng(seed, "grid")
    polys = _unit_polygons(geo)
    cum_parts, key_parts = [], []
    for u, poly in enumerate(polys):
        if poly is None or poly.is_empty:
            cum_parts.append(np.array([u + 1.0]))
            key_parts.append(np.array([-1], dtype=np.int64))
            continue
        minx, miny, maxx, maxy = poly.bounds
        centre = shapely.get_coordinates(poly.representative_point())[0]
        others = [shapely.get_coordinates(p)[0] for p in _random_points_in(poly, 3, rng)]
        sigma = float(np.clip(0.25 * np.sqrt(poly.area / 1e6), 1.5, 6.0)) * 1000
        n_main, n_other = int(points_per_unit * 0.6), int(points_per_unit * 0.25)
        n_unif = points_per_unit - n_main - n_other
        pts = [rng.normal(centre, sigma, (n_main, 2))]
        if others:
            which = rng.integers(0, len(others), n_other)
            pts.append(np.asarray(others)[which] + rng.normal(0, 1500, (n_other, 2)))
        pts.append(np.column_stack([rng.uniform(minx, maxx, n_unif), rng.uniform(miny, maxy, n_unif)]))
        pts = np.vstack(pts)
        pts = pts[shapely.contains_xy(poly, pts[:, 0], pts[:, 1])]
        if len(pts) == 0:
            pts = centre[None, :]
        cells = np.floor(pts / 1000).astype(np.int64) * 1000
        keys, counts = np.unique(cells[:, 0] * 10**7 + cells[:, 1], return_counts=True)
        weight = counts.astype(float) ** 1.5  # crime concentrates more than people do
        c = np.cumsum(weight) / weight.sum()
        c[-1] = 1.0
        cum_parts.append(u + c)
        key_parts.append(keys)
    keys = np.concatenate(key_parts)
    uniq, code = np.unique(keys[keys >= 0], return_inverse=True)
    codes = np.full(len(keys), -1, dtype=np.int32)
    codes[keys >= 0] = code
    return Cells(cum=np.concatenate(cum_parts), code=codes, ids=_format_cells(uniq))


def _random_points_in(poly, k: int, rng: np.random.Generator) -> list:
    import shapely

    minx, miny, maxx, maxy = poly.bounds
    xs = rng.uniform(minx, maxx, 200)
    ys = rng.uniform(miny, maxy, 200)
    inside = shapely.contains_xy(poly, xs, ys)
    return [shapely.Point(x, y) for x, y in zip(xs[inside][:k], ys[inside][:k], strict=True)]


# --- population ------------------------------------------------------------------------

# Age structure of a small rural kommun and of a big city (shares of the population, in
# POPULATION_AGE_BANDS order); a kommun sits between them by its size. Rounded from the
# shape of SCB's tables, not copied.
_AGE_RURAL = np.array([0.120, 0.036, 0.036, 0.070, 0.468, 0.270])
_AGE_URBAN = np.array([0.140, 0.034, 0.032, 0.095, 0.565, 0.134])
_MALE_SHARE = np.array([0.513, 0.514, 0.515, 0.520, 0.508, 0.470])


def population_frame(geo: Geo, years: list[int], seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Rows for ``population`` and an array [kommun, year, band] of both sexes together."""
    rng = _rng(seed, "population")
    k = geo.kommun
    u = k["urban"].to_numpy()[:, None]
    shares = _AGE_RURAL[None, :] * (1 - u) + _AGE_URBAN[None, :] * u
    shares = shares * np.exp(rng.normal(0, 0.04, shares.shape))
    shares /= shares.sum(axis=1, keepdims=True)
    yrs = np.array(years)
    total = k["population"].to_numpy()[:, None] * (1 + k["growth"].to_numpy()[:, None]) ** (yrs[None, :] - BASE_YEAR)
    by_band = total[:, :, None] * shares[:, None, :]  # kommun x year x band
    male = np.rint(by_band * _MALE_SHARE[None, None, :]).astype(np.int64)
    female = np.rint(by_band * (1 - _MALE_SHARE[None, None, :])).astype(np.int64)
    nk, ny, nb = by_band.shape
    idx = np.indices((nk, ny, nb)).reshape(3, -1)
    frames = []
    for sex, values in (("M", male), ("K", female)):
        frames.append(pd.DataFrame({
            "kommun_code": k["kommun_code"].to_numpy()[idx[0]],
            "year": yrs[idx[1]].astype(np.int32),
            "age_band": np.array(POPULATION_AGE_BANDS)[idx[2]],
            "sex": sex,
            "population": values.reshape(-1),
        }))
    frame = pd.concat(frames, ignore_index=True)
    frame["source"] = SOURCE
    return frame, (male + female).astype(float)


# --- incidents -------------------------------------------------------------------------

_T = {t: i for i, t in enumerate(INCIDENT_TYPES)}
# Rare, serious types at realistic national levels per year (they stay visible on maps even
# at the quick size); the rest share what is left of the requested size.
_RARE_PER_YEAR = {"skottlossning": 350.0, "explosion": 150.0, "mord/dråp": 110.0}
_RARE_MAX_SHARE = 0.03
_COMMON_SHARE = {
    "våldsbrott": 0.085, "rån": 0.007, "hot": 0.060, "vapenbrott": 0.008, "narkotikabrott": 0.065,
    "inbrott": 0.045, "stöld": 0.330, "skadegörelse": 0.120, "brand": 0.012, "bedrägeri": 0.170,
    "övrigt": 0.098,
}
# How much more per capita a big town has than a town of 50 000 (elasticity on population).
_URBAN_ELASTICITY = {
    "skottlossning": 0.6, "explosion": 0.5, "mord/dråp": 0.2, "våldsbrott": 0.12, "rån": 0.4, "hot": 0.05,
    "vapenbrott": 0.3, "narkotikabrott": 0.2, "inbrott": 0.0, "stöld": 0.15, "skadegörelse": 0.05,
    "brand": -0.05, "bedrägeri": 0.0, "övrigt": 0.0,
}
# How strongly an area's vulnerability drives each type.
_VULN_EXPONENT = {"skottlossning": 1.0, "explosion": 1.0, "mord/dråp": 0.6, "vapenbrott": 0.7,
                  "narkotikabrott": 0.4, "rån": 0.5, "våldsbrott": 0.2, "hot": 0.2}
# National trend, relative, by calendar year (interpolated monthly).
_TREND_YEARS = np.arange(2016, 2027)
_TREND = {
    "skottlossning": [0.75, 0.92, 0.88, 0.95, 1.05, 0.98, 1.12, 1.04, 0.85, 0.65, 0.58],
    "explosion": [0.55, 0.85, 1.05, 1.70, 0.90, 0.80, 0.60, 1.00, 0.90, 0.70, 0.60],
    "mord/dråp": [0.95, 1.00, 1.00, 1.00, 1.05, 1.00, 1.10, 1.00, 0.95, 0.90, 0.90],
    "bedrägeri": [0.70, 0.76, 0.82, 0.88, 0.96, 1.02, 1.08, 1.14, 1.20, 1.25, 1.30],
    "inbrott": [1.30, 1.25, 1.18, 1.10, 0.95, 0.92, 0.90, 0.88, 0.85, 0.82, 0.80],
    "stöld": [1.15, 1.12, 1.10, 1.06, 0.95, 0.94, 1.00, 0.98, 0.95, 0.92, 0.90],
    "narkotikabrott": [0.90, 0.95, 1.00, 1.05, 1.10, 1.08, 1.05, 1.05, 1.08, 1.10, 1.10],
    "vapenbrott": [0.85, 0.90, 0.95, 1.00, 1.05, 1.05, 1.10, 1.10, 1.05, 1.00, 0.95],
}
# Month-of-year factors (Jan..Dec).
_SEASON_VIOLENCE = [0.90, 0.85, 0.92, 0.97, 1.05, 1.12, 1.15, 1.10, 1.02, 0.98, 0.94, 1.00]
_SEASON = {
    "våldsbrott": _SEASON_VIOLENCE, "hot": _SEASON_VIOLENCE, "rån": _SEASON_VIOLENCE, "mord/dråp": _SEASON_VIOLENCE,
    "skottlossning": [0.90, 0.85, 0.90, 0.95, 1.00, 1.05, 1.10, 1.10, 1.10, 1.05, 1.00, 1.00],
    "explosion": [1.10, 0.90, 0.90, 0.90, 0.95, 0.95, 0.95, 1.00, 1.05, 1.10, 1.10, 1.20],
    "inbrott": [1.10, 0.95, 0.90, 0.85, 0.85, 0.95, 1.10, 1.05, 0.95, 1.05, 1.15, 1.20],
    "stöld": [0.85, 0.80, 0.90, 0.95, 1.05, 1.15, 1.20, 1.15, 1.05, 1.00, 0.95, 0.95],
    "skadegörelse": [0.95, 0.85, 0.95, 1.00, 1.05, 1.05, 1.05, 1.05, 1.05, 1.10, 1.00, 1.00],
    "brand": [1.00, 0.80, 1.00, 1.40, 1.30, 1.10, 1.00, 0.90, 0.80, 0.80, 0.80, 1.10],
    "narkotikabrott": [0.95, 0.95, 1.00, 1.00, 1.05, 1.10, 1.10, 1.05, 1.00, 0.95, 0.95, 0.90],
}
# Time-of-day and day-of-week profiles: 0 night life, 1 daytime, 2 fireworks-like.
_GROUP = {"skottlossning": 0, "mord/dråp": 0, "våldsbrott": 0, "rån": 0, "hot": 0,
          "explosion": 2, "skadegörelse": 2, "brand": 2}
_HOURS = np.array([
    [6, 5, 4, 3, 2, 1.5, 1.5, 2, 2.5, 3, 3, 3.5, 4, 4, 4, 4.5, 5, 5.5, 6, 6.5, 7, 7.5, 8, 7],
    [1, .7, .5, .4, .4, .6, 1.2, 2.5, 4, 5, 5.5, 6, 6, 6, 6, 6, 6, 5.5, 5, 4, 3, 2.5, 2, 1.5],
    [8, 6, 4, 3, 2, 1, 1, 1, 1.5, 2, 2, 2, 2.5, 2.5, 3, 3, 3.5, 4, 5, 6, 7, 8, 9, 9],
], dtype=float)
_HOURS /= _HOURS.sum(axis=1, keepdims=True)
_WEEKDAY = np.array([  # Monday..Sunday
    [0.85, 0.85, 0.90, 0.95, 1.25, 1.40, 1.00],
    [1.05, 1.05, 1.05, 1.05, 1.05, 0.90, 0.80],
    [0.90, 0.90, 0.90, 0.95, 1.15, 1.30, 1.00],
])
# Share of incidents with a known place (a grid cell); frauds mostly happen online.
_CELL_SHARE = {"bedrägeri": 0.25}
_DEFAULT_CELL_SHARE = 0.93
_LAN_ONLY_SHARE = 0.003  # the source named only the län
_SOURCE_TYPE = {
    "skottlossning": "Skottlossning", "explosion": "Explosion", "mord/dråp": "Mord/dråp",
    "våldsbrott": "Misshandel", "rån": "Rån", "hot": "Olaga hot", "vapenbrott": "Vapenlagen",
    "narkotikabrott": "Narkotikabrott", "inbrott": "Inbrott", "stöld": "Stöld",
    "skadegörelse": "Skadegörelse", "brand": "Brand", "bedrägeri": "Bedrägeri", "övrigt": "Övrigt",
}
_VIOLENT = ("skottlossning", "explosion", "mord/dråp", "våldsbrott", "rån", "hot", "skadegörelse")


def _frac_years(months: list[date]) -> np.ndarray:
    return np.array([m.year + (m.month - 0.5) / 12 for m in months])


def _national_trend(months: list[date]) -> np.ndarray:
    t = _frac_years(months)
    out = np.ones((len(months), len(INCIDENT_TYPES)))
    for name, values in _TREND.items():
        out[:, _T[name]] = np.interp(t, _TREND_YEARS + 0.5, values)
    # The pandemic spring: fewer thefts and bar fights, more fraud.
    covid = np.array([(date(2020, 3, 1) <= m <= date(2021, 6, 1)) for m in months])
    for name, f in (("stöld", 0.85), ("våldsbrott", 0.92), ("rån", 0.9), ("bedrägeri", 1.08)):
        out[covid, _T[name]] *= f
    return out


def _season(months: list[date]) -> np.ndarray:
    out = np.ones((len(months), len(INCIDENT_TYPES)))
    moy = np.array([m.month - 1 for m in months])
    for name, values in _SEASON.items():
        out[:, _T[name]] = np.asarray(values)[moy]
    return out


def _ramp(months: list[date], start: date, months_to_full: int) -> np.ndarray:
    """0 before ``start``, rising linearly to 1 over ``months_to_full`` months."""
    idx = np.array([(m.year - start.year) * 12 + m.month - start.month for m in months], dtype=float)
    return np.clip(idx / months_to_full, 0, 1)


@dataclass
class Story:
    """A local trend the demo plants, so pages have something to find."""

    kind: str
    area_code: str
    units: list[int]
    description: str
    detail: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"kind": self.kind, "area_code": self.area_code, "description": self.description, **self.detail}


def plant_stories(geo: Geo, months: list[date], seed: int) -> list[Story]:
    """Choose the areas of the local trends (deterministic for a seed)."""
    rng = _rng(seed, "stories")
    u = geo.units
    kpop = geo.kommun["population"].to_numpy()[u["kidx"]]
    stories: list[Story] = []

    def area_units(area_code: str) -> list[int]:
        return list(np.flatnonzero(u["area_code"].to_numpy() == area_code))

    # 1. An LPO that works with a demo plan improves after its measures (mid-2023 on).
    improving = next((c for c in ("LPO-FARSTA", "LPO-GLOBEN") if c in set(u["lpo_code"].dropna())), None)
    if improving is None:
        candidates = u.index[(kpop > 80_000) & (kpop < 160_000)].to_numpy()
        improving = u.loc[int(rng.choice(candidates)), "area_code"] if len(candidates) else u.loc[0, "area_code"]
    stories.append(Story("förbättring", improving, area_units(improving),
                         "Våld, skadegörelse och skjutningar minskar med omkring en tredjedel efter "
                         "platssamverkan och tidiga insatser från mitten av 2023.",
                         {"from": "2023-07", "types": list(_VIOLENT)}))
    # 2. Explosion waves in a few big-city areas: a rise and a fall around a peak month.
    taken = set(stories[0].units)
    big = [i for i in u.index[kpop >= 90_000] if i not in taken]
    weights = u.loc[big, "vuln"].to_numpy()
    picks = rng.choice(big, size=min(4, len(big)), replace=False, p=weights / weights.sum()) if big else []
    for i in picks:
        peak = int(rng.integers(24, max(25, len(months) - 30)))
        code = u.loc[int(i), "area_code"]
        if any(s.area_code == code for s in stories):
            continue
        stories.append(Story("explosionsvåg", code, area_units(code),
                             "Sprängningar ökar kraftigt under ett drygt år och går sedan tillbaka.",
                             {"peak": months[peak].strftime("%Y-%m"), "peak_index": peak}))
    # 3. A mid-size town where gang violence grows from 2022.
    taken |= {x for s in stories for x in s.units}
    mid = [i for i in u.index[(kpop >= 30_000) & (kpop <= 80_000) & ~u["split"]] if i not in taken]
    if mid:
        code = u.loc[int(rng.choice(mid)), "area_code"]
        stories.append(Story("ökning", code, area_units(code),
                             "Skjutningar, sprängningar och narkotikabrott ökar från 2022 när en konflikt "
                             "flyttar till orten; rekryteringssignalerna ökar samtidigt.",
                             {"from": "2022-01", "types": ["skottlossning", "explosion", "narkotikabrott",
                                                           "vapenbrott", "våldsbrott"]}))
    return stories


def _local_factors(stories: list[Story], months: list[date], n_units: int) -> np.ndarray:
    """Multipliers [month, unit, type] from the planted stories."""
    f = np.ones((len(months), n_units, len(INCIDENT_TYPES)))
    t = np.arange(len(months))
    for s in stories:
        if s.kind == "förbättring":
            down = 1 - 0.35 * _ramp(months, date(2023, 7, 1), 18)
            for name in _VIOLENT:
                f[:, s.units, _T[name]] *= down[:, None]
            f[:, s.units, _T["narkotikabrott"]] *= (1 + 0.25 * _ramp(months, date(2023, 7, 1), 12))[:, None]
        elif s.kind == "explosionsvåg":
            bump = np.exp(-0.5 * ((t - s.detail["peak_index"]) / 6.0) ** 2)
            f[:, s.units, _T["explosion"]] *= (1 + 4.0 * bump)[:, None]
            f[:, s.units, _T["skottlossning"]] *= (1 + 1.5 * bump)[:, None]
        elif s.kind == "ökning":
            up = _ramp(months, date(2022, 1, 1), 48)
            for name, amp in (("skottlossning", 2.5), ("explosion", 2.5), ("narkotikabrott", 0.6),
                              ("vapenbrott", 1.0), ("våldsbrott", 0.3)):
                f[:, s.units, _T[name]] *= (1 + amp * up)[:, None]
    return f


def incident_weights(geo: Geo, pop_kyb: np.ndarray, years: list[int], months: list[date], n: int,
                     stories: list[Story], seed: int) -> np.ndarray:
    """Expected incidents [month, unit, type], summing to ``n``."""
    rng = _rng(seed, "incident-rates")
    u = geo.units
    kidx = u["kidx"].to_numpy()
    year_of = np.array([years.index(m.year) for m in months])
    pop_total = pop_kyb.sum(axis=2)  # kommun x year
    pop_u = pop_total[kidx][:, year_of].T * u["share"].to_numpy()[None, :]  # month x unit
    size = geo.kommun["population"].to_numpy()[kidx] / 50_000
    beta = np.array([_URBAN_ELASTICITY[t] for t in INCIDENT_TYPES])
    gamma = np.array([_VULN_EXPONENT.get(t, 0.0) for t in INCIDENT_TYPES])
    unit_type = size[:, None] ** beta[None, :] * u["vuln"].to_numpy()[:, None] ** gamma[None, :]
    unit_type *= np.exp(rng.normal(0, 0.15, unit_type.shape))
    trend = _national_trend(months)
    w = pop_u[:, :, None] * unit_type[None, :, :] * (_season(months) * trend)[:, None, :]
    w *= _local_factors(stories, months, len(u))

    years_covered = len(months) / 12
    rare_scale = min(1.0, _RARE_MAX_SHARE * n / years_covered / sum(_RARE_PER_YEAR.values()))
    targets = np.zeros(len(INCIDENT_TYPES))
    for name, per_year in _RARE_PER_YEAR.items():
        targets[_T[name]] = per_year * rare_scale * trend[:, _T[name]].sum() / 12
    common = n - targets.sum()
    mean_trend = trend.mean(axis=0)
    denom = sum(share * mean_trend[_T[name]] for name, share in _COMMON_SHARE.items())
    for name, share in _COMMON_SHARE.items():
        targets[_T[name]] = common * share * mean_trend[_T[name]] / denom
    w *= (targets / w.sum(axis=(0, 1)))[None, None, :]
    return w


def _day_weights(month: date, group: int) -> np.ndarray:
    days = _month_end(month).day
    wd = np.array([(month + timedelta(days=d)).weekday() for d in range(days)])
    w = _WEEKDAY[group][wd].copy()
    if group == 2:  # New Year's Eve and Walpurgis night
        if month.month == 12:
            w[30] *= 6
        if month.month == 1:
            w[0] *= 3
        if month.month == 4:
            w[29] *= 2
    return w / w.sum()


def generate_incidents(con: duckdb.DuckDBPyConnection, geo: Geo, cells: Cells, weights: np.ndarray,
                       months: list[date], n: int, seed: int, load_id: int,
                       progress: Progress | None = None) -> int:
    """Draw ``n`` incidents from ``weights`` and insert them a year at a time; return the count."""
    rng = _rng(seed, "incidents")
    n_months, n_units, n_types = weights.shape
    p = weights.reshape(-1) / weights.sum()
    counts = rng.multinomial(n, p).reshape(weights.shape)
    u = geo.units
    kommun_codes = list(geo.kommun["kommun_code"])
    lan_codes = sorted(set(geo.kommun["lan_code"]))
    lpo_codes = sorted(set(u["lpo_code"].dropna()))
    unit_kommun = u["kidx"].to_numpy()
    unit_lan = np.array([lan_codes.index(x) for x in geo.kommun["lan_code"].to_numpy()[unit_kommun]])
    unit_lpo = np.array([lpo_codes.index(x) if isinstance(x, str) else -1 for x in u["lpo_code"]])
    unit_split = u["split"].to_numpy()
    group_of_type = np.array([_GROUP.get(t, 1) for t in INCIDENT_TYPES])
    cell_share = np.array([_CELL_SHARE.get(t, _DEFAULT_CELL_SHARE) for t in INCIDENT_TYPES])
    month_start = np.array([np.datetime64(m, "s").astype(np.int64) for m in months])
    dictionaries = {
        "incident_type": pa.array(list(INCIDENT_TYPES)),
        "source_type": pa.array([_SOURCE_TYPE[t] for t in INCIDENT_TYPES]),
        "kommun_code": pa.array(kommun_codes),
        "lan_code": pa.array(lan_codes),
        "lpo_code": pa.array(lpo_codes, type=pa.string()),
        "grid_cell": pa.array(cells.ids, type=pa.string()),
    }

    def coded(name: str, values: np.ndarray) -> pa.DictionaryArray:
        # Dictionary-encoded columns: DuckDB reads them without building Python strings.
        values = values.astype(np.int32)
        return pa.DictionaryArray.from_arrays(pa.array(values, mask=values < 0), dictionaries[name])

    next_id, written = 1, 0
    for m0 in range(0, n_months, CHUNK_MONTHS):
        m1 = min(n_months, m0 + CHUNK_MONTHS)
        flat = counts[m0:m1].reshape(-1)
        cell = np.repeat(np.arange(flat.size, dtype=np.int64), flat)
        k = cell.size
        if k == 0:
            continue
        m_idx = (m0 + cell // (n_units * n_types)).astype(np.int32)
        u_idx = ((cell // n_types) % n_units).astype(np.int32)
        t_idx = (cell % n_types).astype(np.int16)
        del cell
        group = group_of_type[t_idx]
        day = np.empty(k, dtype=np.int64)
        bounds = np.searchsorted(m_idx, np.arange(m0, m1 + 1))
        for i, m in enumerate(range(m0, m1)):
            a, b = bounds[i], bounds[i + 1]
            if a == b:
                continue
            g_slice, d_slice = group[a:b], day[a:b]
            for g in range(3):
                mask = g_slice == g
                cnt = int(mask.sum())
                if cnt:
                    w = _day_weights(months[m], g)
                    d_slice[mask] = rng.choice(len(w), size=cnt, p=w)
        hour = np.empty(k, dtype=np.int64)
        for g in range(3):
            mask = group == g
            hour[mask] = rng.choice(24, size=int(mask.sum()), p=_HOURS[g])
        secs = month_start[m_idx] + day * 86_400 + hour * 3_600 + rng.integers(0, 3_600, k)
        del day, hour, group
        has_cell = rng.random(k) < cell_share[t_idx]
        entry = np.searchsorted(cells.cum, u_idx + rng.random(k), side="right")
        entry = np.minimum(entry, len(cells.cum) - 1)
        cell_code = np.where(has_cell, cells.code[entry], -1).astype(np.int32)
        lan_only = rng.random(k) < _LAN_ONLY_SHARE
        cell_code[lan_only] = -1
        kommun_code = np.where(lan_only, -1, unit_kommun[u_idx])
        # Inside a split kommun an incident without a place cannot be given an LPO.
        lpo_code = np.where(lan_only | (unit_split[u_idx] & (cell_code < 0)), -1, unit_lpo[u_idx])
        order = np.argsort(secs, kind="stable")
        t_sorted = t_idx[order]
        frame = pa.table({
            "id": pa.array(np.arange(next_id, next_id + k, dtype=np.int64)),
            "occurred_at": pa.array(secs[order].astype("datetime64[s]").astype("datetime64[us]")),
            "incident_type": coded("incident_type", t_sorted),
            "kommun_code": coded("kommun_code", kommun_code[order]),
            "lan_code": coded("lan_code", unit_lan[u_idx][order]),
            "lpo_code": coded("lpo_code", lpo_code[order]),
            "grid_cell": coded("grid_cell", cell_code[order]),
            "source_type": coded("source_type", t_sorted),
        })
        con.register("_demo_incidents", frame)
        con.execute(
            """INSERT INTO incident
               SELECT 'demo:' || id, occurred_at, incident_type::VARCHAR, kommun_code::VARCHAR,
                      lan_code::VARCHAR, lpo_code::VARCHAR, grid_cell::VARCHAR, $source,
                      source_type::VARCHAR, $load_id
               FROM _demo_incidents""",
            {"source": SOURCE, "load_id": load_id})
        con.unregister("_demo_incidents")
        next_id += k
        written += k
        if progress:
            progress(f"  {months[m1 - 1].year}: {written:,} händelser".replace(",", " "))
    return written


# --- recruitment signals -------------------------------------------------------------

_SIG_AGE = np.array([0.04, 0.30, 0.52, 0.14])
_SIG_SEX = np.array([0.82, 0.14, 0.04])
_SIG_SOURCE = np.array([0.32, 0.28, 0.20, 0.08, 0.12])
# P(signal type | source), rows in SIGNAL_SOURCES order, columns in SIGNAL_TYPES order.
_SIG_TYPE = np.array([
    [0.50, 0.05, 0.20, 0.25],  # polis
    [0.30, 0.05, 0.15, 0.50],  # socialtjänst
    [0.45, 0.00, 0.35, 0.20],  # skola
    [0.55, 0.00, 0.30, 0.15],  # fritid
    [0.20, 0.60, 0.10, 0.10],  # SiS/HVB
])
_SIG_TREND = [0.70, 0.70, 0.70, 0.80, 0.95, 1.10, 1.25, 1.20, 1.10, 1.05, 1.05]  # 2016..2026
_SIG_SEASON = np.array([0.95, 1.00, 1.05, 1.05, 1.05, 0.95, 0.80, 0.90, 1.10, 1.10, 1.05, 0.95])
# Schools report little while they are closed.
_SCHOOL_SEASON = np.array([0.9, 1.0, 1.0, 1.0, 1.0, 0.6, 0.1, 0.5, 1.1, 1.1, 1.1, 0.8])
SIGNALS_PER_1000_YOUTH = 0.9  # per month, a town of 100 000, before area factors


def signal_frame(geo: Geo, pop_kyb: np.ndarray, years: list[int], months: list[date],
                 stories: list[Story], seed: int) -> pd.DataFrame:
    """Rows for ``recruitment_signal``: non-zero monthly counts per area and breakdown."""
    rng = _rng(seed, "signals")
    u = geo.units
    youth_bands = [POPULATION_AGE_BANDS.index(b) for b in ("12-14", "15-17")]
    youth_k = pop_kyb[:, :, youth_bands].sum(axis=2)  # kommun x year
    year_of = np.array([years.index(m.year) for m in months])
    youth_u = youth_k[u["kidx"].to_numpy()][:, year_of].T * u["share"].to_numpy()[None, :]  # month x unit
    size = geo.kommun["population"].to_numpy()[u["kidx"].to_numpy()] / 100_000
    rate_u = SIGNALS_PER_1000_YOUTH * size ** 0.25 * u["vuln"].to_numpy() ** 0.7
    rate_u = rate_u * np.exp(rng.normal(0, 0.2, len(u)))
    t = _frac_years(months)
    trend = np.interp(t, _TREND_YEARS + 0.5, _SIG_TREND)
    season = _SIG_SEASON[[m.month - 1 for m in months]]
    lam_u = youth_u / 1000 * rate_u[None, :] * (trend * season)[:, None]
    for s in stories:
        if s.kind == "förbättring":
            lam_u[:, s.units] *= (1 - 0.4 * _ramp(months, date(2023, 7, 1), 18))[:, None]
        elif s.kind == "ökning":
            lam_u[:, s.units] *= (1 + 1.5 * _ramp(months, date(2022, 1, 1), 36))[:, None]
    areas = sorted(set(u["area_code"]))
    a_idx = np.array([areas.index(c) for c in u["area_code"]])
    lam = np.zeros((len(months), len(areas)))
    np.add.at(lam.T, a_idx, lam_u.T)
    # Month-to-month noise beyond Poisson: signals come in clusters.
    lam *= rng.gamma(6.0, 1 / 6.0, lam.shape)
    combo = (_SIG_AGE[:, None, None, None] * _SIG_SEX[None, :, None, None]
             * (_SIG_SOURCE[:, None] * _SIG_TYPE)[None, None, :, :])  # age x sex x source x type
    school = SIGNAL_SOURCES.index("skola")
    src_season = np.ones((len(months), len(SIGNAL_SOURCES)))
    src_season[:, school] = _SCHOOL_SEASON[[m.month - 1 for m in months]]
    full = (lam[:, :, None, None, None, None] * combo[None, None]
            * src_season[:, None, None, None, :, None])
    counts = rng.poisson(full)
    nz = np.nonzero(counts)
    return pd.DataFrame({
        "month": np.array(months, dtype="datetime64[D]")[nz[0]],
        "area_code": np.array(areas, dtype=object)[nz[1]],
        "age_band": np.array(SIGNAL_AGE_BANDS, dtype=object)[nz[2]],
        "sex": np.array(("M", "K", "X"), dtype=object)[nz[3]],
        "source": np.array(SIGNAL_SOURCES, dtype=object)[nz[4]],
        "signal_type": np.array(SIGNAL_TYPES, dtype=object)[nz[5]],
        "count": counts[nz].astype(np.int32),
    })


# --- action plans ----------------------------------------------------------------------

# Stockholm's stadsdelsförvaltningar; their LPOs are found from lpo_kommun's ``part`` text.
STADSDELAR = ("Rinkeby-Kista", "Spånga-Tensta", "Hässelby-Vällingby", "Bromma", "Kungsholmen", "Norrmalm",
              "Östermalm", "Södermalm", "Enskede-Årsta-Vantör", "Skarpnäck", "Farsta", "Hägersten-Älvsjö",
              "Skärholmen")
# Kommuner with a demo plan, and the organisation's name as it writes itself.
PLAN_KOMMUNER = (
    ("1480", "Göteborgs Stad"), ("1280", "Malmö stad"), ("0380", "Uppsala kommun"),
    ("0580", "Linköpings kommun"), ("1880", "Örebro kommun"), ("1980", "Västerås stad"),
    ("1283", "Helsingborgs stad"), ("0581", "Norrköpings kommun"), ("0680", "Jönköpings kommun"),
    ("2480", "Umeå kommun"), ("1281", "Lunds kommun"), ("1490", "Borås Stad"), ("0126", "Huddinge kommun"),
    ("0484", "Eskilstuna kommun"), ("2180", "Gävle kommun"), ("0181", "Södertälje kommun"),
    ("0127", "Botkyrka kommun"), ("1380", "Halmstads kommun"), ("0780", "Växjö kommun"),
    ("1780", "Karlstads kommun"), ("2281", "Sundsvalls kommun"), ("0123", "Järfälla kommun"),
    ("0136", "Haninge kommun"), ("2580", "Luleå kommun"), ("1488", "Trollhättans stad"),
    ("1290", "Kristianstads kommun"), ("1282", "Landskrona stad"), ("0188", "Norrtälje kommun"),
    ("1496", "Skövde kommun"), ("2380", "Östersunds kommun"), ("2080", "Falu kommun"),
    ("0880", "Kalmar kommun"), ("1080", "Karlskrona kommun"), ("0191", "Sigtuna kommun"),
)
STOCKHOLM = "0180"

# Which status follows which between rounds (rows and columns in MEASURE_STATUSES order:
# uppnådd, delvis uppnådd, påbörjad, ej uppnådd, ej bedömd). Mostly forward, some stuck.
_STATUS_START = np.array([0.03, 0.12, 0.45, 0.05, 0.35])
_STATUS_NEXT = np.array([
    [0.95, 0.04, 0.00, 0.00, 0.01],
    [0.55, 0.35, 0.03, 0.05, 0.02],
    [0.20, 0.40, 0.30, 0.07, 0.03],
    [0.00, 0.15, 0.30, 0.50, 0.05],
    [0.03, 0.12, 0.35, 0.05, 0.45],
])
_LINE_WORK_STATUS = np.array([0.05, 0.05, 0.05, 0.00, 0.85])
_ROUND_DATES = {"T1": ((4, 2), (4, 28)), "T2": ((8, 18), (9, 20)), "T3": ((11, 15), (12, 12))}


def _slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")


def load_texts() -> dict:
    """The authored phrase banks for plans (data/demo/plan_texts.toml)."""
    with TEXTS_FILE.open("rb") as fh:
        return tomllib.load(fh)


def organisations(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Demo plan organisations with kommun and LPO codes (LPOs only where the reference has them)."""
    lk = con.execute("SELECT lpo_code, kommun_code, coalesce(part, '') AS part FROM lpo_kommun "
                     "ORDER BY lpo_code").df()
    kommuner = {r[0] for r in con.execute("SELECT area_code FROM area WHERE level = 'kommun'").fetchall()}
    orgs = []
    sthlm = lk[lk["kommun_code"] == STOCKHOLM]
    for sdf in STADSDELAR:
        words = [w.lower() for w in sdf.split("-")]
        lpos = [r.lpo_code for r in sthlm.itertuples()
                if any(re.search(rf"\b{re.escape(w)}\b", r.part.lower()) for w in words)]
        orgs.append({"organisation": f"{sdf} stadsdelsförvaltning", "kommun_code": STOCKHOLM, "lpo_codes": lpos})
    for code, name in PLAN_KOMMUNER:
        if code in kommuner:
            lpos = list(lk.loc[lk["kommun_code"] == code, "lpo_code"])
            orgs.append({"organisation": name, "kommun_code": code, "lpo_codes": lpos})
    return orgs


def _followup_date(rng: np.random.Generator, year: int, rnd: str) -> date:
    (m0, d0), (m1, d1) = _ROUND_DATES[rnd]
    start, end = date(year, m0, d0), date(year, m1, d1)
    return start + timedelta(days=int(rng.integers(0, (end - start).days + 1)))


def _assessment(status: str, rng: np.random.Generator) -> str:
    if status == "uppnådd" and rng.random() < 0.2:
        return "Åtgärden bedöms ur ett processperspektiv vara uppnådd."
    return f"Åtgärden bedöms vara {status}."


def plan_frames(con: duckdb.DuckDBPyConnection, seed: int, data_tom: date,
                lpo_names: dict[str, str]) -> dict[str, pd.DataFrame]:
    """Rows for plan, measure, measure_followup and plan_analysis."""
    rng = _rng(seed, "plans")
    texts = load_texts()
    areas = {a["name"]: a for a in texts["area"]}
    own = texts["own_area"][0]
    plans, measures, followups, analysis = [], [], [], []
    for org in organisations(con):
        slug = _slug(org["organisation"])
        lpo_name = lpo_names.get(org["lpo_codes"][0], "området") if org["lpo_codes"] else "området"
        for year in PLAN_YEARS:
            if date(year, 1, 1) > data_tom:
                continue
            plan_id = f"demo:{slug}:{year}"
            plans.append({"plan_id": plan_id, "organisation": org["organisation"], "kommun_code": org["kommun_code"],
                          "lpo_codes": list(org["lpo_codes"]), "year": year,
                          "source_file": f"demo-atgardsplan-{slug}-{year}.xlsx", "metadata_from": "demo"})
            # Two or three rounds a year (T1, T2, then T3 or the annual report's VB), on
            # one meeting date per round, and only those that have happened by data_tom.
            last = "T3" if rng.random() < 0.4 else "VB"
            dates = {r: _followup_date(rng, year, r) for r in ("T1", "T2", last) if r != "VB"}
            rounds = {r: d for r, d in dates.items() if d <= data_tom}
            if last == "VB" and date(year + 1, 1, 15) <= data_tom:
                rounds["VB"] = None
            first = len(measures)
            area_list = [(name, areas[name]) for name in PRIORITISED_AREAS]
            if rng.random() < 0.35:
                area_list.append((OWN_AREA, own))
            serial = 0
            for area_name, bank in area_list:
                n_problems = int(rng.integers(1, 3)) if area_name != OWN_AREA else 1
                chosen = rng.choice(len(bank["problem"]), size=min(n_problems, len(bank["problem"])), replace=False)
                counted = {"problems": 0, "causes": 0, "measures": 0}
                row = 4  # header on row 2, instruction row 3
                for pi in chosen:
                    problem = bank["problem"][int(pi)]
                    n_causes = int(rng.integers(1, len(problem["causes"]) + 1))
                    picked = sorted(int(i) for i in rng.choice(len(problem["causes"]), size=n_causes, replace=False))
                    counted["problems"] += 1
                    counted["causes"] += len(picked)
                    # Usually one measure per cause; now and then one measure answers two causes.
                    groups = [picked[:2], *[[c] for c in picked[2:]]] if len(picked) >= 2 and rng.random() < 0.25 \
                        else [[c] for c in picked]
                    for group in groups:
                        cause_group = [problem["causes"][i] for i in group]
                        title, description, goal = problem["measures"][group[0] % len(problem["measures"])]
                        serial += 1
                        measures.append(_measure_row(
                            rng, texts, plan_id, serial, area_name, bank["sheet"], row, problem["text"],
                            "; ".join(cause_group), title, description, goal, year, lpo_name, False))
                        counted["measures"] += 1
                        row += len(cause_group)
                if rng.random() < 0.5:  # ordinary line work written into the plan as a measure
                    topic = bank["line_work"][int(rng.integers(len(bank["line_work"])))]
                    serial += 1
                    measures.append(_measure_row(
                        rng, texts, plan_id, serial, area_name, bank["sheet"], row,
                        f"Linjearbete som är av fortsatt prioritet för att omhänderta {topic}.", None,
                        "Linjearbete", f"Ordinarie arbete med {topic} inom befintlig verksamhet.",
                        texts["line_work_goal"], year, lpo_name, True))
                    counted["problems"] += 1
                    counted["measures"] += 1
                analysis.append({"plan_id": plan_id, "prioritised_area": area_name, **counted,
                                 **{f"sheet_{k}": v for k, v in counted.items()}})
            for m in measures[first:]:
                m["_rounds"] = rounds
    for m in measures:
        rounds = m.pop("_rounds")
        statuses = _status_path(rng, len(rounds), m["is_line_work"])
        first_sentence = int(rng.integers(100))
        for i, ((rnd, when), status) in enumerate(zip(rounds.items(), statuses, strict=True)):
            followups.append(_followup_row(rng, texts, m["measure_id"], rnd, when, status, first_sentence + i))
        # As the workbook importer does: the latest assessment stands; a later round
        # without one does not undo it.
        assessed = [st for st in statuses if st != "ej bedömd"]
        m["status"] = assessed[-1] if assessed else "ej bedömd"
    return {
        "plan": pd.DataFrame(plans),
        "measure": pd.DataFrame(measures),
        "measure_followup": pd.DataFrame(followups),
        "plan_analysis": pd.DataFrame(analysis),
    }


def _measure_row(rng, texts, plan_id, serial, area, sheet, row, problem, cause, title, description, goal,
                 year, lpo_name, line_work) -> dict:
    if line_work:
        due = "i linjen" if rng.random() < 0.7 else "I linjen"
    else:
        due = texts["dues"][int(rng.integers(len(texts["dues"])))].format(year=year)
    who = texts["responsible"][int(rng.integers(len(texts["responsible"])))].format(lpo=lpo_name)
    return {
        "measure_id": f"{plan_id}:{serial}", "plan_id": plan_id, "prioritised_area": area,
        "problem": problem, "cause": cause, "title": title,
        "description": f"{title}: {description}" if not line_work else description,
        "operational_goal": goal, "due": due, "responsible": who, "is_line_work": line_work,
        "status": "ej bedömd", "source_sheet": sheet, "source_row": row,
    }


def _status_path(rng: np.random.Generator, n_rounds: int, line_work: bool) -> list[str]:
    if n_rounds == 0:
        return []
    start = _LINE_WORK_STATUS if line_work else _STATUS_START
    draws = rng.random(n_rounds + 1)
    state = _pick(start, draws[0])
    path = [state]
    for r in range(1, n_rounds):
        if not (line_work and draws[-1] < 0.8):  # line work mostly stays unassessed
            state = _pick(_STATUS_NEXT[state], draws[r])
        path.append(state)
    return [MEASURE_STATUSES[s] for s in path]


def _pick(p: np.ndarray, u: float) -> int:
    return min(int(np.searchsorted(np.cumsum(p), u * p.sum(), side="right")), len(p) - 1)


def _followup_row(rng, texts, measure_id, rnd, when, status, sentence: int) -> dict:
    sentences = texts["followup"][status]
    body = sentences[sentence % len(sentences)]  # successive rounds say something new
    if status != "ej bedömd":
        body = f"{body} {_assessment(status, rng)}"
    if rnd == "VB":
        return {"measure_id": measure_id, "followup_date": None, "round": "VB", "text": f"VB: {body}", "status": status}
    return {"measure_id": measure_id, "followup_date": when, "round": rnd,
            "text": f"{when:%y%m%d}: {body}", "status": status}


# --- the build ---------------------------------------------------------------------------


def _insert_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, load_id: int | None) -> int:
    con.register("_demo_frame", frame)
    extra = ", $load_id AS load_id" if load_id is not None else ""
    con.execute(f"INSERT INTO {table} BY NAME SELECT *{extra} FROM _demo_frame",
                {"load_id": load_id} if load_id is not None else {})
    con.unregister("_demo_frame")
    return len(frame)


def _log_load(con: duckdb.DuckDBPyConnection, load_id: int, name: str, seed: int, n: int, rows: int) -> None:
    digest = hashlib.sha256(f"demo:{name}:{seed}:{n}".encode()).hexdigest()
    con.execute("INSERT INTO load_log VALUES (?, ?, ?, 'demo', ?, ?, 0, 'ok', ?)",
                [load_id, f"demo:{name}", digest, datetime.now().replace(microsecond=0), rows,
                 f"Syntetiska demodata (seed {seed})"])


def _peak_memory_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


@contextmanager
def _step(progress: Progress, label: str) -> Iterator[None]:
    t0 = time.perf_counter()
    progress(f"{label} …")
    yield
    progress(f"{label}: klart på {time.perf_counter() - t0:.1f} s (minnestopp {_peak_memory_mb():.0f} MB)")


def generate(con: duckdb.DuckDBPyConnection, n: int, seed: int = 42, size_label: str | None = None,
             today: date | None = None, progress: Progress | None = None) -> dict:
    """Fill a warehouse that holds the reference geography with demo data (no marts).

    Returns the row counts and the end date. Used by :func:`build_demo`, and by tests to
    regenerate into a scratch connection.
    """
    progress = progress or (lambda _msg: None)
    last_month = last_full_month(today)
    months = _months(FIRST_MONTH, last_month)
    years = list(range(FIRST_MONTH.year, last_month.year + 1))
    data_tom = _month_end(last_month)
    counts: dict[str, int] = {}
    geo = load_geo(con, seed)
    with _step(progress, "Befolkning"):
        pop_rows, pop_kyb = population_frame(geo, years, seed)
        counts["population"] = _insert_frame(con, "population", pop_rows, 1)
        _log_load(con, 1, "population", seed, n, counts["population"])
    stories = plant_stories(geo, months, seed)
    with _step(progress, f"Händelser ({n:,} st)".replace(",", " ")):
        cells = grid_cells(geo, seed)
        weights = incident_weights(geo, pop_kyb, years, months, n, stories, seed)
        counts["incident"] = generate_incidents(con, geo, cells, weights, months, n, seed, 2, progress)
        _log_load(con, 2, "incident", seed, n, counts["incident"])
    with _step(progress, "Rekryteringssignaler"):
        sig_months = _months(SIGNALS_FIRST_MONTH, last_month)
        signals = signal_frame(geo, pop_kyb, years, sig_months, stories, seed)
        counts["recruitment_signal"] = _insert_frame(con, "recruitment_signal", signals, 3)
        _log_load(con, 3, "recruitment_signal", seed, n, counts["recruitment_signal"])
    with _step(progress, "Åtgärdsplaner"):
        frames = plan_frames(con, seed, data_tom, geo.lpo_names)
        counts["plan"] = _insert_frame(con, "plan", frames["plan"], 4)
        counts["measure"] = _insert_frame(con, "measure", frames["measure"], 4)
        counts["measure_followup"] = _insert_frame(con, "measure_followup", frames["measure_followup"], None)
        counts["plan_analysis"] = _insert_frame(con, "plan_analysis", frames["plan_analysis"], None)
        _log_load(con, 4, "atgardsplaner", seed, n, counts["plan"] + counts["measure"])
    info = {
        "demo": "true", "demo_seed": str(seed), "demo_size": str(size_label or n), "demo_incidents": str(n),
        "built_at": datetime.now().replace(microsecond=0).isoformat(), "data_from": FIRST_MONTH.isoformat(),
        "data_tom": data_tom.isoformat(), "signals_from": SIGNALS_FIRST_MONTH.isoformat(),
        "demo_trends": json.dumps([s.as_dict() for s in stories], ensure_ascii=False),
    }
    con.executemany("INSERT OR REPLACE INTO dataset_info VALUES (?, ?)", list(info.items()))
    return {"counts": counts, "data_tom": data_tom}


def build_demo(db: Path, n: int, seed: int = 42, size_label: str | None = None, today: date | None = None,
               progress: Progress | None = None) -> dict:
    """Build a fresh demo warehouse at ``db``; return a summary (row counts, marts, seconds)."""
    progress = progress or (lambda _msg: None)
    started = time.perf_counter()
    with warehouse.write_session(Path(db), fresh=True) as con:
        # Keep the national build inside a small machine's memory: DuckDB spills beyond this.
        con.execute(f"SET memory_limit = '{DUCKDB_MEMORY_LIMIT}'")
        with _step(progress, "Referensgeografi"):
            build.load_reference(con)
        summary = generate(con, n, seed, size_label, today, progress)
        with _step(progress, "Sammanställningar (marts)"):
            summary["marts"] = marts.refresh(con)
        progress("Sparar databasen …")
    summary["seconds"] = time.perf_counter() - started
    return summary


def _outdated_marts(db: Path) -> list[str]:
    """The marts of ``db`` an earlier version built (the signals' published layers as
    ``mart_signal_layer`` when only they are out of date), else []."""
    try:
        con = warehouse.open_read_only(db)
    except warehouse.WarehouseError:
        return []  # not ours to mend here; the dashboard says what is wrong
    try:
        return marts.outdated(con) + marts.missing(con) or ([] if published.current(con) else [published.LAYER])
    except duckdb.Error:
        return []
    finally:
        con.close()


def main(args) -> int:
    """CLI entry: ``python -m pipelines demo [--size] [--seed] [--db] [--if-missing]``."""
    db = config.db_path(args.db)
    if args.if_missing and db.exists():
        if outdated := _outdated_marts(db):  # built by an earlier version: `make run` brings it up to date
            with warehouse.write_session(db) as con:
                con.execute("BEGIN TRANSACTION")
                if outdated == [published.LAYER]:
                    published.refresh(con, signals_changed=False)
                    what = "rekryteringssignalernas skyddade lager från en äldre version skyddades på nytt"
                else:
                    what = f"{len(marts.refresh(con))} sammanställningstabeller från en äldre version byggdes om"
                con.execute("COMMIT")
            print(f"Databasen finns redan: {db}; {what}.")
            return 0
        print(f"Databasen finns redan: {db} (inget byggdes; kör utan --if-missing för att bygga om).")
        return 0
    try:
        n = parse_size(args.size)
    except DemoError as exc:
        print(f"Fel: {exc}", file=sys.stderr)
        return 2

    def progress(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    progress(f"Bygger demodatabas i {db} (seed {args.seed}) …")
    summary = build_demo(db, n, seed=args.seed, size_label=str(args.size), progress=progress)
    c = {k: f"{v:,}".replace(",", " ") for k, v in summary["counts"].items()}
    print(f"Demodatabasen är klar: {db}: {c['incident']} händelser, {c['recruitment_signal']} rader "
          f"rekryteringssignaler, {c['plan']} åtgärdsplaner med {c['measure']} åtgärder; data t.o.m. "
          f"{summary['data_tom']} ({summary['seconds']:.0f} s).")
    return 0
