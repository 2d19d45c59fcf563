"""``python -m pipelines status``: what the warehouse holds."""

from __future__ import annotations

from pathlib import Path

from pipelines import warehouse
from pipelines.categories import LOAD_STATUS_LABELS
from pipelines.fetch import SOURCES, read_fetch_log

# The load_log rows a fetch of each live source writes (fetch saves its answers under these
# names), for warehouses fetched before fetches were recorded beside the database.
FETCHED_LOADS = {
    "polisen": "source_format = 'polisen-json'",
    "kolada": "source_format = 'kolada-json' AND source_file LIKE 'kolada-%'",
    "scb": "source_format = 'scb-json' AND source_file LIKE 'scb-folkmangd-%'",
}

TABLES = ("area", "lpo_kommun", "area_geometry", "population", "incident", "recruitment_signal",
          "plan", "measure", "measure_followup", "kolada_value", "bra_statistic", "load_log", "rejected_row")


def status_report(db: Path) -> dict:
    con = warehouse.open_read_only(db)
    try:
        existing = {r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_catalog = 'warehouse'").fetchall()}
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES if t in existing}
        loads = con.execute(
            "SELECT load_id, source_file, source_format, loaded_at, rows_accepted, rows_rejected, status "
            "FROM load_log ORDER BY load_id DESC LIMIT 10").df().to_dict("records")
        rejected = con.execute(
            'SELECT load_id, row_number, "column", reason FROM rejected_row ORDER BY load_id DESC, row_number LIMIT 20'
        ).df().to_dict("records")
        info = dict(con.execute("SELECT key, value FROM dataset_info").fetchall()) if "dataset_info" in existing else {}
        last_fetched_loads = {
            source: con.execute(
                f"SELECT load_id, loaded_at, rows_accepted FROM load_log WHERE {where} ORDER BY load_id DESC LIMIT 1"
            ).df().to_dict("records")
            for source, where in FETCHED_LOADS.items()
        }
    finally:
        con.close()
    fetch_log = read_fetch_log(db)
    fetches = {source: {"last_fetch": fetch_log.get(source),
                        "last_load": (last_fetched_loads[source] or [None])[0]} for source in SOURCES}
    return {"database": str(db), "dataset": info, "tables": counts, "fetches": fetches, "last_loads": loads,
            "rejected_rows": rejected}


def _fetch_line(source: str, fetch: dict) -> str:
    """'polisen: senast hämtad 2026-11-23 03:07 (inget nytt); senast nytt 2026-11-23 02:07; …'."""
    last, load = fetch["last_fetch"], fetch["last_load"]
    parts = []
    if last:
        outcome = last["outcome"]
        if outcome == "nytt":
            outcome = f"{last['rows_new']} nya rader" + (
                f", {last['rows_replaced']} värden ersatta" if last.get("rows_replaced") else "")
        parts.append(f"senast hämtad {last['fetched_at']} ({outcome})")
        if last["outcome"] != "nytt":
            parts.append(f"senast med nytt {last['last_new_at']}" if last["last_new_at"]
                         else "inget nytt sedan hämtningarna började loggas")
    if load:
        parts.append(f"senast inläst {load['loaded_at']} ({load['rows_accepted']} rader, load {load['load_id']})")
    return f"  {source:<8} " + ("; ".join(parts) if parts else "aldrig hämtad")


def format_report(report: dict) -> str:
    lines = [f"Databas: {report['database']}"]
    if report["dataset"].get("demo") == "true":
        lines.append("Innehåller DEMODATA (syntetiska).")
    lines.append("Tabeller:")
    lines += [f"  {t:<20} {n:>12,}".replace(",", " ") for t, n in report["tables"].items()]
    lines.append("Hämtningar från öppna källor (python -m pipelines fetch):")
    lines += [_fetch_line(source, fetch) for source, fetch in report["fetches"].items()]
    lines.append("Senaste inläsningar:")
    lines += [
        f"  #{r['load_id']} {r['loaded_at']} {r['source_file']} ({r['source_format']}): "
        f"{r['rows_accepted']} inlästa, {r['rows_rejected']} avvisade, "
        f"{LOAD_STATUS_LABELS.get(r['status'], r['status'])}"
        for r in report["last_loads"]
    ] or ["  (inga)"]
    if report["rejected_rows"]:
        lines.append("Avvisade rader (senaste):")
        lines += [f"  load {r['load_id']}, rad {r['row_number']}, kolumn {r['column']}: {r['reason']}"
                  for r in report["rejected_rows"]]
    return "\n".join(lines)
