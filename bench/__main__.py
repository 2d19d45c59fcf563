"""``python -m bench`` (15 M incidents) and ``python -m bench --quick`` (1 M, for CI).

Prints one JSON line with every figure and writes ``bench/results.md`` (the national
run) or ``bench/work/results-<mode>.md`` (other sizes, git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from pathlib import Path

from bench import coldstart, data, load, peer
from bench.proc import ROOT, run_child
from bench.report import evaluate, write_results

SIZES = {"quick": 1_000_000, "national": 15_000_000}


def _log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def concurrency(db: Path, reps: int) -> dict:
    """One session alone, then two at once (separate processes, started together)."""
    single = run_child("bench.pages", "--db", str(db), "--reps", str(reps), "--session")
    start_at = time.time() + 8  # both children have imported and run once by then
    answers: list = [None, None]

    def one(i: int) -> None:
        answers[i] = run_child("bench.pages", "--db", str(db), "--reps", str(reps), "--session",
                               "--start-at", str(start_at))

    threads = [threading.Thread(target=one, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    base = single.data["server_p50_ms"]
    return {
        "single_p50_ms": base,
        "single_p95_ms": single.data["server_p95_ms"],
        "pair_p50_ms": [a.data["server_p50_ms"] for a in answers],
        "pair_p95_ms": [a.data["server_p95_ms"] for a in answers],
        "worst_ratio": max(a.data["server_p50_ms"] for a in answers) / base,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description="Lägesbild: prestandamätning.")
    parser.add_argument("--quick", action="store_true", help="1 M händelser (CI), annars 15 M")
    parser.add_argument("--size", help="antal händelser (ersätter --quick/national)")
    parser.add_argument("--reps", type=int, help="upprepningar per interaktion")
    parser.add_argument("--out", type=Path,
                        help="resultatfil (standard: bench/results.md; med --quick/--size bench/work/results-<läge>.md, "
                             "så att CI inte skriver över den nationella körningens resultat)")
    parser.add_argument("--skip", default="", help="hoppa över delar: load,layers,pages,peer,concurrency,coldstart")
    args = parser.parse_args(argv)

    if args.size:
        size, label = int(str(args.size).replace("_", "")), f"n{args.size}"
    elif args.quick:
        size, label = SIZES["quick"], "quick"
    else:
        size, label = SIZES["national"], "national"
    reps = args.reps or (1 if args.quick else 5)
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    out = args.out or (ROOT / "bench" / "results.md" if label == "national"
                       else data.WORK / f"results-{label}.md")
    started = time.perf_counter()
    figures: dict = {"mode": label, "size": size, "machine": data.machine(), "load_before": os.getloadavg()}

    _log(f"data för {label} ({size:,} händelser)".replace(",", " "))
    ds = data.prepare(size, label, log=_log)
    figures["data"] = {"reused": ds.reused, "full_rows": ds.full_rows, "month_rows": ds.month_rows,
                       "month": ds.month, "demo_db_bytes": ds.demo_db.stat().st_size}

    if "load" not in skip:
        figures["load"] = load.measure(ds, incremental_reps=2 if args.quick else 3, log=_log)
    if "layers" not in skip:
        _log("signalernas publicerade lager …")
        # Quick: a year of signals and two months of the next (bench/layers.py).
        figures["layers"] = run_child("bench.layers", "--db", str(ds.demo_db), *(["--quick"] if args.quick else [])).data
    if "pages" not in skip:
        _log("sidor genom AppTest …")
        figures["pages"] = run_child("bench.pages", "--db", str(ds.demo_db), "--reps", str(reps)).data
    if "peer" not in skip:
        _log("frågelagret mot pandas-jämförelsen …")
        n = 3 if args.quick else 5
        ours = run_child("bench.peer", "ours", "--db", str(ds.demo_db), "-n", str(n))
        theirs = run_child("bench.peer", "peer", "--db", str(ds.demo_db), "-n", str(n))
        figures["peer"] = {
            "per_interaction": peer.compare(ours.data, theirs.data),
            "ours_peak_rss": ours.peak_rss, "peer_peak_rss": theirs.peak_rss,
            "peer_load_seconds": theirs.data["load_seconds"], "peer_rows": theirs.data.get("rows"),
            "same_results": ours.data["totals"] == theirs.data["totals"],
            "ours_query_p95_ms": 1000 * _p95(ours.data["query_seconds"]),
            "ours_interaction_p95_ms": 1000 * _p95([s for v in ours.data["seconds"].values() for s in v]),
        }
    if "concurrency" not in skip:
        _log("två samtidiga sessioner …")
        figures["concurrency"] = concurrency(ds.demo_db, 1 if args.quick else 3)
    if "coldstart" not in skip:
        _log("kallstart …")
        # Quick: one start (the national run's median of three is for the figure itself).
        figures["coldstart"] = coldstart.measure(ds.demo_db, starts=1 if args.quick else coldstart.STARTS)
    figures["load_after"] = os.getloadavg()
    figures["seconds"] = time.perf_counter() - started
    figures["targets"] = evaluate(figures)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_results(figures, out)
    print(json.dumps(figures, default=str, ensure_ascii=False, separators=(",", ":")))
    _log(f"klart på {figures['seconds']:.0f} s; resultat i {out}")
    return 0


def _p95(values: list[float]) -> float:
    from bench.pages import percentile

    return percentile(values, 95)


if __name__ == "__main__":
    sys.exit(main())
