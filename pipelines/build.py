"""Build steps that are not file loads: reference geography into the warehouse, and
``python -m pipelines geo`` (rebuild geometry, or replace it with a user's boundary file).
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

from pipelines import config, geography, warehouse


def load_reference(con: duckdb.DuckDBPyConnection, ref: geography.Reference | None = None,
                   with_geometry: bool = True) -> None:
    """Replace the reference tables (area, lpo_kommun, area_geometry) from data/reference."""
    ref = ref or geography.load_reference()
    areas = geography.area_frame(ref)
    con.execute("DELETE FROM area")
    con.register("_areas", areas)
    con.execute("INSERT INTO area BY NAME SELECT * FROM _areas")
    con.unregister("_areas")
    con.execute("DELETE FROM lpo_kommun")
    if not ref.lpo_kommun.empty:
        lk = ref.lpo_kommun.copy()
        lk["share"] = lk["share"].astype(float)
        cols = [c for c in ("lpo_code", "kommun_code", "share", "part") if c in lk.columns]
        con.register("_lk", lk[cols])
        con.execute("INSERT INTO lpo_kommun BY NAME SELECT * FROM _lk")
        con.unregister("_lk")
    if with_geometry:
        geom = geography.web_geometry(ref)
        con.execute("DELETE FROM area_geometry")
        con.register("_geom", geom)
        con.execute("INSERT INTO area_geometry BY NAME SELECT * FROM _geom")
        con.unregister("_geom")


def build_reference_db(db: Path, with_geometry: bool = True) -> None:
    """Create ``db`` holding the reference geography and nothing else."""
    with warehouse.write_session(db, fresh=True) as con:
        load_reference(con, with_geometry=with_geometry)


def geo_main(args) -> int:
    db = config.db_path(args.db)
    if args.file is None:
        with warehouse.write_session(db) as con:
            load_reference(con)
        print(f"Geografin byggdes om i {db}.")
        return 0
    if not args.level:
        print("Fel: ange --level för gränsfilen (polisregion, polisomrade, lpo, lan eller kommun).", file=sys.stderr)
        return 2
    with warehouse.write_session(db) as con:
        gz = geography.Gazetteer.from_connection(con)
        frame, report = geography.read_boundary_file(args.file, args.level, gz, code_column=args.code_column)
        con.execute("DELETE FROM area_geometry WHERE level = ?", [args.level])
        con.register("_geom", frame)
        con.execute("INSERT INTO area_geometry BY NAME SELECT * FROM _geom")
        con.unregister("_geom")
    print(report)
    return 0
