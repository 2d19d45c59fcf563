"""``python -m pipelines status``: what the warehouse holds."""

from __future__ import annotations

from pathlib import Path

from pipelines import warehouse

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
    finally:
        con.close()
    return {"database": str(db), "dataset": info, "tables": counts, "last_loads": loads, "rejected_rows": rejected}


def format_report(report: dict) -> str:
    lines = [f"Databas: {report['database']}"]
    if report["dataset"].get("demo") == "true":
        lines.append("Innehåller DEMODATA (syntetiska).")
    lines.append("Tabeller:")
    lines += [f"  {t:<20} {n:>12,}".replace(",", " ") for t, n in report["tables"].items()]
    lines.append("Senaste inläsningar:")
    lines += [
        f"  #{r['load_id']} {r['loaded_at']} {r['source_file']} ({r['source_format']}): "
        f"{r['rows_accepted']} inlästa, {r['rows_rejected']} avvisade, {r['status']}"
        for r in report["last_loads"]
    ] or ["  (inga)"]
    if report["rejected_rows"]:
        lines.append("Avvisade rader (senaste):")
        lines += [f"  load {r['load_id']}, rad {r['row_number']}, kolumn {r['column']}: {r['reason']}"
                  for r in report["rejected_rows"]]
    return "\n".join(lines)
