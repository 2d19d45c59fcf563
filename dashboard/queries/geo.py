"""Areas, their names and polygons, which areas lie inside a selection, and grid cells.

Reads the reference tables (``area``, ``area_geometry``: a few hundred rows) and the
marts ``mart_area_link`` and ``mart_incident_grid``. Grid cells are person-level counts:
they pass through :func:`dashboard.suppression.protect_grid` here, before caching, so no
page can draw a cell below the threshold.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

import streamlit as st

from dashboard import lazy
from dashboard.queries import by_version, db_key, rows, run

pd = lazy.module("pandas")  # the sidebar's names and levels need no pandas (cold start)
suppression = lazy.module("dashboard.suppression")

LEVELS = ("riket", "polisregion", "polisomrade", "lpo", "lan", "kommun")
LEVEL_LABELS = {
    "riket": "Riket",
    "polisregion": "Polisregion",
    "polisomrade": "Polisområde",
    "lpo": "Lokalpolisområde",
    "lan": "Län",
    "kommun": "Kommun",
}
# Plural forms for sentences ("per kommun", "kommuner i …").
LEVEL_PLURAL = {
    "polisregion": "polisregioner",
    "polisomrade": "polisområden",
    "lpo": "lokalpolisområden",
    "lan": "län",
    "kommun": "kommuner",
}
MAP_LEVELS = ("polisregion", "polisomrade", "lpo", "lan", "kommun")
# One level down, for drill-down and "what changed most". Riket splits into police regions.
CHILD_LEVEL = {"riket": "polisregion", "polisregion": "polisomrade", "polisomrade": "lpo", "lan": "kommun"}
RIKET = "SE"
RIKET_NAME = "Hela landet"


_AREAS_SQL = """SELECT area_code, name, level, parent_code, approximate FROM area
                UNION ALL SELECT $se, $se_name, 'riket', NULL, FALSE
                ORDER BY level, name"""


@st.cache_data(max_entries=4, show_spinner=False)
def _areas(key: tuple[str, str]) -> pd.DataFrame:
    return run(_AREAS_SQL, {"se": RIKET, "se_name": RIKET_NAME}, key=key)


def areas() -> pd.DataFrame:
    """Every area: area_code, name, level, parent_code, approximate (plus riket, ``SE``)."""
    return _areas(db_key())


@dataclass(frozen=True)
class AreaIndex:
    """Read-only lookups over ``area`` for one database version (names, parents, levels).

    Pages and the sidebar ask for names and parents many times per rerun; a DataFrame
    from ``st.cache_data`` is copied on every call, so these plain mappings are built once
    per version and shared (never mutated)."""

    levels: tuple[str, ...]
    names: MappingProxyType  # code -> name, every level
    by_level: MappingProxyType  # level -> tuple of codes ordered by name
    parents: MappingProxyType  # code -> parent code or None
    level_of: MappingProxyType  # code -> level


@by_version
@st.cache_resource(max_entries=2, show_spinner=False)
def _index(key: tuple[str, str]) -> AreaIndex:
    found = rows(_AREAS_SQL, {"se": RIKET, "se_name": RIKET_NAME}, key=key)
    by_level: dict[str, list[str]] = {}
    # Ordered by level, name: codes come out in name order within each level.
    for code, _name, level, _parent, _approximate in found:
        by_level.setdefault(level, []).append(code)
    present = set(by_level)
    return AreaIndex(
        levels=tuple(lvl for lvl in LEVELS if lvl in present),
        names=MappingProxyType({r[0]: r[1] for r in found}),
        by_level=MappingProxyType({k: tuple(v) for k, v in by_level.items()}),
        parents=MappingProxyType({r[0]: (None if r[3] is None else str(r[3])) for r in found}),
        level_of=MappingProxyType({r[0]: r[2] for r in found}),
    )


def area_index(key: tuple[str, str] | None = None) -> AreaIndex:
    """The shared :class:`AreaIndex` of a database version (default: the current one)."""
    return _index(key or db_key())


def levels_available() -> list[str]:
    """The levels that have areas in this database, in hierarchy order."""
    return list(area_index().levels)


def names(level: str | None = None) -> dict[str, str]:
    """area_code -> display name (for one level, or all), unique within a level.

    Ordered by name within a level."""
    idx = area_index()
    if level is None:
        return dict(idx.names)
    return {c: idx.names[c] for c in idx.by_level.get(level, ())}


def area_name(code: str) -> str:
    """The display name of an area code (the code itself if unknown)."""
    return area_index().names.get(code, code)


def parent(code: str) -> str | None:
    """The parent area's code (None for riket and police regions' parent is riket)."""
    return area_index().parents.get(code)


def level_of(code: str) -> str | None:
    """The level of an area code, or None if unknown."""
    return area_index().level_of.get(code)


@by_version
@st.cache_resource(max_entries=2, show_spinner=False)
def _links(key: tuple[str, str]) -> MappingProxyType:
    # The whole link table (a few thousand pairs) once per database version: every page
    # asks which areas lie in the selection, and a query per new selection cost ~5 ms.
    found = rows("SELECT level, within_code, area_code FROM mart_area_link ORDER BY level, within_code, area_code",
                 key=key)
    links: dict[tuple[str, str], list[str]] = {}
    for level, within_code, code in found:
        links.setdefault((level, within_code), []).append(code)
    return MappingProxyType({k: tuple(v) for k, v in links.items()})


def within(level: str, within_code: str) -> tuple[str, ...]:
    """Codes of the areas at ``level`` inside (or overlapping) ``within_code``."""
    return _links(db_key()).get((level, within_code), ())


@dataclass(frozen=True)
class Scope:
    """Which areas of one level a map or table shows for a selection, and why."""

    level: str
    codes: tuple[str, ...]
    within_code: str
    description: str  # Swedish, e.g. "kommuner i Stockholms län"


def scope(level: str, sel_level: str, sel_code: str) -> Scope:
    """The areas of ``level`` to show for a selection.

    Finer than the selection: the areas inside it. The selection's own level: its
    siblings (the areas inside its parent), so the selected area is seen among its
    neighbours. Coarser: every area of that level in the country.
    """
    plural = LEVEL_PLURAL.get(level, level)
    if level == sel_level:
        anchor = parent(sel_code) or RIKET
    else:
        anchor = sel_code
    codes = within(level, anchor) if anchor != RIKET else within(level, RIKET)
    if not codes or anchor == RIKET:
        return Scope(level, within(level, RIKET), RIKET, f"alla {plural} i landet")
    return Scope(level, codes, anchor, f"{plural} i {area_name(anchor)}")


@st.cache_data(max_entries=8, show_spinner=False)
def _geometry(key: tuple[str, str], level: str) -> pd.DataFrame:
    return run(
        """SELECT g.area_code, a.name, g.approximate, g.geojson, g.centroid_lat, g.centroid_lon
           FROM area_geometry AS g JOIN area AS a USING (area_code)
           WHERE g.level = $level ORDER BY g.area_code""",
        {"level": level}, key=key,
    )


@st.cache_data(max_entries=256, show_spinner=False)
def _geometry_of(key: tuple[str, str], level: str, codes: tuple[str, ...]) -> pd.DataFrame:
    df = _geometry(key, level)
    return df[df["area_code"].isin(codes)].reset_index(drop=True)


def geometry(level: str, codes: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Polygons of one level (only ``codes``, when given): area_code, name, approximate,
    geojson (WGS 84), centroid."""
    if codes is None:
        return _geometry(db_key(), level)
    return _geometry_of(db_key(), level, tuple(codes))


# --- grid --------------------------------------------------------------------------------

# The mart's test for the selection's level (a fixed whitelist: never user text in SQL). The
# mart holds the incident's own areas; a polisregion is its län, a polisområde its LPOs.
_GRID_FILTER = {
    "polisregion": "lan_code IN (SELECT area_code FROM area WHERE level = 'lan' AND parent_code = $code)",
    "polisomrade": "lpo_code IN (SELECT area_code FROM area WHERE level = 'lpo' AND parent_code = $code)",
    "lpo": "lpo_code = $code",
    "lan": "lan_code = $code",
    "kommun": "kommun_code = $code",
}


@dataclass(frozen=True)
class GridCells:
    """Grid cells safe to draw (``frame``: grid_cell, incidents, e_m, n_m, size_m) and the
    suppression note. Cells below the threshold are left out, never drawn."""

    frame: pd.DataFrame
    note: str
    hidden_cells: int
    total_cells: int


@st.cache_data(max_entries=64, show_spinner=False)
def _grid(key: tuple[str, str], level: str, code: str, start: date, end: date,
          types: tuple[str, ...]) -> GridCells:
    where = ""
    params: dict = {"start": start, "end": end, "types": list(types), "all_types": not types}
    if level != "riket":
        where = f"AND {_GRID_FILTER[level]}"
        params["code"] = code
    raw = run(
        # The mart holds the cell as a number; its 13 digits are the warehouse's grid_cell.
        f"""SELECT lpad(cell::VARCHAR, 13, '0') AS grid_cell, incidents
            FROM (SELECT cell, sum(incidents)::BIGINT AS incidents
                  FROM mart_incident_grid
                  WHERE month BETWEEN $start AND $end
                    AND ($all_types OR list_contains($types, incident_type))
                    {where}
                  GROUP BY cell)""",
        params, key=key,
    )
    # Not merged into 10 km cells: the grid map draws 1 km squares only.
    protected = suppression.protect_grid(raw, count="incidents", cell="grid_cell", merge=False)
    return GridCells(frame=protected.frame, note=protected.note(), hidden_cells=protected.hidden_cells,
                     total_cells=len(raw))


def grid(sel) -> GridCells:
    """Protected 1 km grid cells for a selection (cells below the threshold are not drawn)."""
    return _grid(db_key(), sel.area_level, sel.area_code, sel.start, sel.end, sel.incident_types)
