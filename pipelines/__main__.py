"""Command line: ``python -m pipelines {demo,ingest,remove,status,fetch,marts,geo} …``.

Errors are one clear line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from pipelines import config

EXIT_REJECTED = 2


def _add_db(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", help="databasfil (annars $LAGESBILD_DB eller data/lagesbild.duckdb)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pipelines", description="Lägesbild: datalager och inläsning.")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="bygg databasen med syntetiska demodata för hela Sverige")
    _add_db(demo)
    demo.add_argument("--size", default="quick",
                      help="quick (standard, ca 1 M händelser), national (15 M) eller ett antal händelser")
    demo.add_argument("--seed", type=int, default=42)
    demo.add_argument("--if-missing", action="store_true", help="bygg bara om databasen saknas")

    ingest = sub.add_parser("ingest", help="läs in filer (formatet känns igen på innehållet)")
    _add_db(ingest)
    ingest.add_argument("files", nargs="+", type=Path, help="filer, eller mappar: varje fil i mappen läses in")
    ingest.add_argument("--strict", action="store_true", help="avvisa hela filen om någon rad avvisas")
    ingest.add_argument("--format", dest="fmt", help="ange formatet i stället för att känna igen det")
    ingest.add_argument("--organisation", help="åtgärdsplan: organisationens namn")
    ingest.add_argument("--kommun", help="åtgärdsplan: kommunkod eller kommunnamn (flera, t.ex. \"2085, 2061\", "
                                         "för en plan som flera kommuner delar)")
    ingest.add_argument("--lpo", action="append", default=[], help="åtgärdsplan: lokalpolisområde (kan upprepas)")
    ingest.add_argument("--year", type=int, help="åtgärdsplan: planens år")

    status = sub.add_parser("status", help="tabeller, antal rader, senaste inläsningar, avvisade rader")
    _add_db(status)
    status.add_argument("--json", action="store_true")

    fetch = sub.add_parser("fetch", help="hämta från en öppen källa och läs in svaret")
    _add_db(fetch)
    fetch.add_argument("source", choices=["polisen", "scb", "kolada"])
    fetch.add_argument("args", nargs="*", help="källans egna argument, t.ex. KPI-id för kolada")
    fetch.add_argument("--save", type=Path, help="spara svaret i den här mappen också")
    fetch.add_argument("--location", help="polisen: plats (kommun eller län)")
    fetch.add_argument("--type", dest="event_type", help="polisen: händelsetyp")
    fetch.add_argument("--date", help="polisen: datum ÅÅÅÅ-MM-DD eller ÅÅÅÅ-MM")
    fetch.add_argument("--years", help="scb/kolada: år, t.ex. 2020-2024")

    remove = sub.add_parser("remove", help="ta bort det en inläsning lade till (t.ex. en fel fil); "
                                           "inläsningens nummer står i status och på sidan Data")
    _add_db(remove)
    remove.add_argument("load_ids", nargs="+", type=int, metavar="INLÄSNING", help="inläsningens nummer (load_id)")

    rebuild = sub.add_parser("marts", help="bygg om sammanställningstabellerna (t.ex. efter en ny version)")
    _add_db(rebuild)

    geo = sub.add_parser("geo", help="bygg om geografin, eller ersätt gränser med en egen fil")
    _add_db(geo)
    geo.add_argument("--level", choices=["polisregion", "polisomrade", "lpo", "lan", "kommun"])
    geo.add_argument("--code-column", help="kolumnen i filen som håller områdeskoden")
    geo.add_argument("file", nargs="?", type=Path, help="GeoJSON, GeoPackage eller Shapefile")
    return parser


def cmd_ingest(args) -> int:
    from pipelines.loading import ingest

    options = {k: v for k, v in dict(organisation=args.organisation, kommun=args.kommun,
                                      lpo=args.lpo or None, year=args.year).items() if v}
    db = config.db_path(args.db)
    if not db.exists():
        from pipelines.build import build_reference_db

        build_reference_db(db)
    reports = ingest(db, args.files, strict=args.strict, fmt=args.fmt, options=options)
    for r in reports:
        print(r.summary(), file=sys.stderr if r.status == "rejected" else sys.stdout)
    return EXIT_REJECTED if any(r.status == "rejected" for r in reports) else 0


def cmd_remove(args) -> int:
    from pipelines.loading import remove

    db = config.db_path(args.db)
    if not db.exists():
        print(f"Fel: databasen {db} finns inte.", file=sys.stderr)
        return 1
    report = remove(db, args.load_ids)
    if not report.ok:
        print("\n".join(["Inget togs bort.", *report.lines]), file=sys.stderr)
        return EXIT_REJECTED
    print(report.summary())
    return 0


def cmd_marts(args) -> int:
    """Rebuild every mart from the warehouse's tables, in one transaction, and publish."""
    from pipelines import marts, warehouse

    db = config.db_path(args.db)
    if not db.exists():
        print(f"Fel: databasen {db} finns inte.", file=sys.stderr)
        return 1
    with warehouse.write_session(db) as con:
        con.execute("BEGIN TRANSACTION")
        built = marts.refresh(con)
        con.execute("COMMIT")
    print(f"{db}: {len(built)} sammanställningstabeller byggdes om.")
    return 0


def cmd_status(args) -> int:
    from pipelines.status import status_report

    report = status_report(config.db_path(args.db))
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2, default=str))
    else:
        from pipelines.status import format_report

        print(format_report(report))
    return 0


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        if args.command == "ingest":
            return cmd_ingest(args)
        if args.command == "status":
            return cmd_status(args)
        if args.command == "remove":
            return cmd_remove(args)
        if args.command == "marts":
            return cmd_marts(args)
        if args.command == "demo":
            from pipelines.demo import main as demo_main

            return demo_main(args)
        if args.command == "fetch":
            from pipelines.fetch import main as fetch_main

            return fetch_main(args)
        if args.command == "geo":
            from pipelines.build import geo_main

            return geo_main(args)
    except KeyboardInterrupt:
        print("Avbrutet; databasen är oförändrad.", file=sys.stderr)
        return 130
    except Exception as exc:  # one line, not a traceback
        name = type(exc).__name__
        print(f"Fel: {exc}" if name in ("FileRejected", "WarehouseError", "ConfigError", "FetchError") else f"Fel ({name}): {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
