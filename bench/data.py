"""The benchmark's data, generated once under ``bench/work/<size>/`` and reused.

- ``demo.duckdb``: the demo warehouse (``python -m pipelines demo``) the pages read;
- ``incidents.csv``: its incidents before the last month, in our documented incident
  CSV format (the full load);
- ``month.csv``: the last month's incidents (the incremental load);
- ``reference.duckdb``: a warehouse with the reference geography only (the load starts
  from a copy of it, as ``python -m pipelines ingest`` does on a new machine).

A stamp file records what the data were made from (size, seed, the demo's end month and
a digest of the code and reference data that shape them); the next run reuses the files
when the stamp matches and rebuilds them otherwise.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from bench.proc import ROOT

WORK = ROOT / "bench" / "work"
SEED = 42
# What the demo data are made of; a change in any of them makes the stored data stale.
INPUTS = ("pipelines/demo.py", "pipelines/marts.py", "pipelines/build.py", "pipelines/geography.py",
          "pipelines/sql", "data/demo", "data/reference")
STAMP_VERSION = 1


@dataclass(frozen=True)
class Dataset:
    size: int
    label: str
    folder: Path
    demo_db: Path
    full_csv: Path
    month_csv: Path
    reference_db: Path
    full_rows: int
    month_rows: int
    month: str  # first day of the incremental month, ISO
    reused: bool


def _digest(paths: tuple[str, ...]) -> str:
    h = hashlib.sha256()
    for rel in paths:
        base = ROOT / rel
        files = sorted(p for p in base.rglob("*") if p.is_file()) if base.is_dir() else [base]
        for f in files:
            if "__pycache__" in f.parts:
                continue
            h.update(str(f.relative_to(ROOT)).encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:16]


def _stamp(size: int) -> dict:
    from pipelines.demo import last_full_month

    return {"version": STAMP_VERSION, "size": size, "seed": SEED, "last_month": last_full_month().isoformat(),
            "inputs": _digest(INPUTS)}


def prepare(size: int, label: str, log=print) -> Dataset:
    """The benchmark data for ``size`` incidents, built or reused."""
    folder = WORK / label
    folder.mkdir(parents=True, exist_ok=True)
    stamp_file = folder / "stamp.json"
    stamp = _stamp(size)
    files = {name: folder / name for name in ("demo.duckdb", "incidents.csv", "month.csv", "reference.duckdb")}
    old = json.loads(stamp_file.read_text()) if stamp_file.exists() else None
    reused = bool(old and old.get("stamp") == stamp and all(p.exists() for p in files.values()))
    if not reused:
        stamp_file.unlink(missing_ok=True)
        log(f"bygger benchmarkdata ({size:,} händelser) i {folder} …".replace(",", " "))
        subprocess.run([sys.executable, "-m", "pipelines", "demo", "--size", str(size), "--seed", str(SEED),
                        "--db", str(files["demo.duckdb"])], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
        counts = export_csv(files["demo.duckdb"], files["incidents.csv"], files["month.csv"])
        from pipelines.build import build_reference_db

        files["reference.duckdb"].unlink(missing_ok=True)
        build_reference_db(files["reference.duckdb"])
        stamp_file.write_text(json.dumps({"stamp": stamp, **counts}, indent=1))
    else:
        # The recruitment signals' published layers follow the protection's code, which
        # is not among INPUTS: brought up to date as a load would (a no-op when they are).
        from pipelines import published, warehouse

        with duckdb.connect(str(files["demo.duckdb"]), read_only=True) as con:
            up_to_date = published.current(con)
        if not up_to_date:
            log("publicerar signalernas skyddade lager på nytt …")
            with warehouse.write_session(files["demo.duckdb"]) as con:
                published.refresh(con, signals_changed=False)
    info = json.loads(stamp_file.read_text())
    return Dataset(size, label, folder, files["demo.duckdb"], files["incidents.csv"], files["month.csv"],
                   files["reference.duckdb"], info["full_rows"], info["month_rows"], info["month"], reused)


def export_csv(demo_db: Path, full_csv: Path, month_csv: Path) -> dict:
    """Write the demo's incidents as our incident CSV: all but the last month, and that month."""
    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        con.execute("SET enable_progress_bar = false")  # the bench's own log says what runs
        last_month = "(SELECT date_trunc('month', max(occurred_at)) FROM incident)"
        counts = {}
        for path, cond, key in ((full_csv, f"occurred_at < {last_month}", "full_rows"),
                                (month_csv, f"occurred_at >= {last_month}", "month_rows")):
            tmp = path.with_suffix(".tmp")
            con.execute(f"""COPY (SELECT incident_id, strftime(occurred_at, '%Y-%m-%d %H:%M:%S') AS occurred_at,
                                         incident_type, kommun_code, lpo_code, grid_cell, source
                                  FROM incident WHERE {cond})
                            TO '{tmp}' (HEADER, DELIMITER ';')""")
            shutil.move(tmp, path)
            counts[key] = con.execute(f"SELECT count(*) FROM incident WHERE {cond}").fetchone()[0]
        counts["month"] = con.execute(f"SELECT {last_month}::DATE").fetchone()[0].isoformat()
        return counts
    finally:
        con.close()


def machine() -> dict:
    """CPU count, memory and versions for the results table."""
    import platform

    import pandas
    import psutil
    import streamlit

    return {
        "nproc": len(__import__("os").sched_getaffinity(0)),
        "ram_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "cpu": _cpu_model(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "streamlit": streamlit.__version__,
        "pandas": pandas.__version__,
        "date": date.today().isoformat(),
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "?"
