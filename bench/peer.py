"""The query layer alone against the pandas peer, on the same interactions.

Both sides answer the overview page's questions for each interaction (a new area, a new
period, a new incident type, a click down one level): the headline counts per incident
type against the year before, the month-by-month trend, and the counts per area one
level down.

- ``ours``: the dashboard's query-layer functions (marts in DuckDB), data caches
  cleared before each interaction, the read-only connection kept; each query is also
  timed on its own (the "≤ 30 ms per query from marts" target with no cache to help).
- ``peer``: what most Streamlit dashboards do: read the whole incident table into
  pandas once (``.df()``), then filter and group in pandas per interaction.

Each side runs in its own process (``python -m bench.peer ours|peer --db DB``) so each
has its own peak RSS; both report the totals they computed, which must agree.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import date
from pathlib import Path

from bench.proc import answer


def _shift(d: date, months: int) -> date:
    total = d.year * 12 + d.month - 1 + months
    return date(total // 12, total % 12 + 1, 1)


CHILD = {"riket": "polisregion", "polisregion": "polisomrade", "polisomrade": "lpo", "lan": "kommun",
         "kommun": "kommun", "lpo": "lpo"}


def interactions(db: Path, n: int) -> list[tuple[str, tuple]]:
    """(interaction, (level, code, start, end, types)) in a fixed order."""
    from pipelines import warehouse

    con = warehouse.open_read_only(db)
    try:
        last = con.execute("SELECT max(month) FROM mart_incident_month WHERE level = 'riket'").fetchone()[0]
        areas = con.execute("SELECT level, area_code FROM area WHERE level IN ('polisregion', 'lan', 'kommun', "
                            "'lpo') ORDER BY level, area_code").fetchall()
        types = [r[0] for r in con.execute("SELECT DISTINCT incident_type FROM mart_incident_month "
                                           "ORDER BY 1").fetchall()]
    finally:
        con.close()
    start12 = _shift(last, -11)
    out = []
    for i in range(n):
        level, code = areas[(37 * i + 5) % len(areas)]
        out.append(("byt område", (level, code, start12, last, ())))
        start = (start12, date(last.year, 1, 1), date(last.year - 1, 1, 1))[i % 3]
        end = last if i % 3 < 2 else date(last.year - 1, 12, 1)
        out.append(("byt period", ("riket", "SE", _shift(start, -12 * (i // 3)), _shift(end, -12 * (i // 3)), ())))
        out.append(("byt händelsetyp", ("riket", "SE", start12, last, (types[i % len(types)],))))
        lan = [c for lvl, c in areas if lvl == "lan"]
        out.append(("klick på kartan (ner en nivå)", ("lan", lan[(3 * i) % len(lan)], start12, last, ())))
    return out


# --- ours: the query layer ------------------------------------------------------------------


def run_ours(db: Path, n: int) -> dict:
    os.environ["LAGESBILD_DB"] = str(db.resolve())
    import streamlit as st

    from dashboard.queries import db_key, geo, incidents

    key = db_key()
    # What a running server has done before any interaction: the shared connection is open
    # and pandas is imported (the first DataFrame a query returns imports it).
    incidents._month_range(key)
    geo._links(key)
    incidents._by_type(key, "riket", geo.RIKET, *incidents.month_range())
    results, per_query, totals = {}, [], []
    for name, (level, code, start, end, types) in interactions(db, n):
        st.cache_data.clear()
        child = CHILD[level]
        timed = []

        def timer(fn, *args, timed=timed):
            t = time.perf_counter()
            out = fn(*args)
            timed.append(time.perf_counter() - t)
            return out

        by_type = timer(incidents._by_type, key, level, code, start, end)
        monthly = timer(incidents._monthly, key, level, code, start, end, types)
        # The link table is read once per database version (geo._links), as the pandas
        # peer's parent maps are made once when it loads: looked up here, not queried.
        codes = timer(geo._links(key).get, (child, code), ())
        by_area = timer(incidents._by_area, key, child, codes, start, end, types)
        results.setdefault(name, []).append(sum(timed))
        per_query += timed
        totals.append((name, level, code, int(by_type["incidents"].sum()), int(monthly["incidents"].sum()),
                       int(by_area["incidents"].sum())))
    return {"seconds": results, "query_seconds": per_query, "totals": totals, "load_seconds": 0.0}


# --- the peer: everything in pandas -----------------------------------------------------------


def run_peer(db: Path, n: int) -> dict:
    import pandas as pd

    from pipelines import warehouse

    t0 = time.perf_counter()
    con = warehouse.open_read_only(db)
    df = con.execute("SELECT * FROM incident").df()
    area = con.execute("SELECT area_code, level, parent_code FROM area").df()
    lpo_kommun = con.execute("SELECT lpo_code, kommun_code FROM lpo_kommun").df()
    con.close()
    # The area columns a pandas dashboard adds once: region from the län, polisområde from
    # the LPO, and a kommun's only LPO (and polisområde) where the source gave none.
    parent = dict(zip(area["area_code"], area["parent_code"], strict=True))
    df["polisregion_code"] = df["lan_code"].map(parent)
    single = lpo_kommun.groupby("kommun_code")["lpo_code"].agg(["count", "first"])
    only_lpo = single.loc[single["count"] == 1, "first"]
    df["lpo_code"] = df["lpo_code"].fillna(df["kommun_code"].map(only_lpo))
    lk = lpo_kommun.assign(po=lpo_kommun["lpo_code"].map(parent)).groupby("kommun_code")["po"].agg(["nunique", "first"])
    only_po = lk.loc[lk["nunique"] == 1, "first"]
    df["polisomrade_code"] = df["lpo_code"].map(parent).fillna(df["kommun_code"].map(only_po))
    df["month"] = df["occurred_at"].dt.to_period("M").dt.to_timestamp()
    load_seconds = time.perf_counter() - t0
    column = {"polisregion": "polisregion_code", "polisomrade": "polisomrade_code", "lpo": "lpo_code",
              "lan": "lan_code", "kommun": "kommun_code"}
    children = area.groupby("parent_code")["area_code"].apply(list).to_dict()

    results, totals = {}, []
    for name, (level, code, start, end, types) in interactions(db, n):
        t0 = time.perf_counter()
        start_ts, end_ts = pd.Timestamp(start), pd.Timestamp(end)
        prev_ts = (pd.Timestamp(_shift(start, -12)), pd.Timestamp(_shift(end, -12)))
        in_area = slice(None) if level == "riket" else (df[column[level]] == code)
        here = df if level == "riket" else df[in_area]
        now = here[(here["month"] >= start_ts) & (here["month"] <= end_ts)]
        before = here[(here["month"] >= prev_ts[0]) & (here["month"] <= prev_ts[1])]
        by_type = pd.DataFrame({"incidents": now.groupby("incident_type").size(),
                                "incidents_prev": before.groupby("incident_type").size()}).fillna(0)
        typed = now if not types else now[now["incident_type"].isin(types)]
        monthly = typed.groupby("month").size()
        child = CHILD[level]
        if level == "riket":
            codes = area.loc[area["level"] == child, "area_code"].tolist()
        else:
            codes = [code] if child == level else children.get(code, [])
        period = df[(df["month"] >= start_ts) & (df["month"] <= end_ts)]
        if types:
            period = period[period["incident_type"].isin(types)]
        by_area = period.groupby(column[child]).size().reindex(codes).fillna(0)
        results.setdefault(name, []).append(time.perf_counter() - t0)
        totals.append((name, level, code, int(by_type["incidents"].sum()), int(monthly.sum()), int(by_area.sum())))
    return {"seconds": results, "totals": totals, "load_seconds": load_seconds, "rows": len(df)}


def compare(ours: dict, peer: dict) -> dict:
    """Per interaction: median seconds of each side and the ratio (peer / ours)."""
    out = {}
    for name, mine in ours["seconds"].items():
        theirs = peer["seconds"].get(name, [])
        if not theirs:
            continue
        a, b = statistics.median(mine), statistics.median(theirs)
        out[name] = {"ours_ms": 1000 * a, "peer_ms": 1000 * b, "ratio": b / a if a else float("inf")}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.peer")
    parser.add_argument("side", choices=["ours", "peer"])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("-n", type=int, default=5, help="interactions of each kind")
    args = parser.parse_args()
    answer(run_ours(args.db, args.n) if args.side == "ours" else run_peer(args.db, args.n))


if __name__ == "__main__":
    main()
