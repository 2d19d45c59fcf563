"""The police's public events feed (https://polisen.se/api/events): incidents.

The feed is a JSON list of the latest 500 event notices, each with ``id``, ``datetime``,
``name``, ``summary``, ``url``, ``type`` and ``location`` (``name``, ``gps``). This module
reads a saved answer (``python -m pipelines ingest polisen-….json``) and calls the live
API (``python -m pipelines fetch polisen``). docs/sources/polisen.md describes the rules;
the type table there is rendered from :data:`TYPE_TABLE` below.

What is kept per event: ``incident_id`` (``polisen:<id>``), the local time (from ``name``:
``datetime`` is when the notice was published), our category,
kommun (or only the län), an LPO only where one LPO covers the whole kommun, and the
police's own type label. Summaries and URLs are not stored, and ``gps`` is not used: it
is the centre of the kommun or län, not the scene.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd

from pipelines.loading import FileRejected, ReadContext, ReadResult, Rejection
from pipelines.personnummer import PersonnummerFound, contains_personnummer, json_texts
from pipelines.readers import error_text, longer_head
from pipelines.readers.text import (
    MONTHS,
    decode,
    excel_separator,
    json_lines,
    json_values,
    legacy_encoding,
    sniff_delimiter,
    swedish_list,
)

FORMATS = ("polisen-json", "polisen-parquet", "polisen-csv", "polisen-xlsx")
SOURCE = "polisen"
API_URL = "https://polisen.se/api/events"
USER_AGENT = "Lagesbild/1.0 (brottsforebyggande lagesbild; python-requests; polisens oppna API)"
TIMEOUT_S = (10, 60)  # connect, read
STOCKHOLM = ZoneInfo("Europe/Stockholm")
FEED_CAP = 500  # the API answers with at most its latest 500 notices
EXPECTED_KEYS = {"id", "datetime", "name", "summary", "url", "type", "location"}

# --- the type table ----------------------------------------------------------------------
# Why events are dropped, as the load report and the docs say it.
DROP_REASONS = {
    "sammanfattning": "sammanfattningar (upprepar enskilda händelser)",
    "uppdatering": "uppdateringar av tidigare notiser",
    "kontroll": "polisens egna kontroller och insatser (inget inträffat brott)",
    "olycka": "olyckor, larm och räddningsinsatser utan brott",
    "person": "försvunna personer och dödsfall utan brottsmisstanke",
    "gods": "återfunnet gods och fordon (brottet räknas när det anmäls)",
    "djur": "djurärenden",
    "meddelande": "meddelanden om polisens verksamhet",
}

# (police type label, our incident type or None when dropped, drop reason key or note)
TYPE_TABLE: tuple[tuple[str, str | None, str], ...] = (
    ("Skottlossning", "skottlossning", ""),
    ("Skottlossning, misstänkt", "skottlossning", "räknas som skottlossning; source_type visar 'misstänkt'"),
    ("Explosion", "explosion", ""),
    ("Detonation", "explosion", ""),
    ("Mord/dråp", "mord/dråp", ""),
    ("Mord/dråp, försök", "mord/dråp", "försök räknas med; source_type skiljer dem åt"),
    ("Misshandel", "våldsbrott", ""),
    ("Misshandel, grov", "våldsbrott", ""),
    ("Våldtäkt", "våldsbrott", ""),
    ("Våldtäkt, försök", "våldsbrott", ""),
    ("Olaga frihetsberövande", "våldsbrott", ""),
    ("Våld/hot mot tjänsteman", "våldsbrott", ""),
    ("Rån", "rån", ""),
    ("Rån väpnat", "rån", ""),
    ("Rån övrigt", "rån", ""),
    ("Rån, försök", "rån", ""),
    ("Olaga hot", "hot", ""),
    ("Bombhot", "hot", ""),
    ("Vapenlagen", "vapenbrott", ""),
    ("Vapenlag", "vapenbrott", "förekommer som variant av 'Vapenlagen'"),
    ("Knivlagen", "vapenbrott", ""),
    ("Narkotikabrott", "narkotikabrott", ""),
    ("Inbrott", "inbrott", ""),
    ("Inbrott, försök", "inbrott", ""),
    ("Stöld/inbrott", "inbrott", ""),
    ("Stöld", "stöld", ""),
    ("Stöld, försök", "stöld", ""),
    ("Stöld, ringa", "stöld", ""),
    ("Motorfordon, stöld", "stöld", ""),
    ("Häleri", "stöld", "hanterar stöldgods"),
    ("Skadegörelse", "skadegörelse", ""),
    ("Brand", "brand", ""),
    ("Bedrägeri", "bedrägeri", ""),
    ("Övrigt", "övrigt", ""),
    ("Alkohollagen", "övrigt", ""),
    ("Ordningslagen", "övrigt", ""),
    ("Fylleri/LOB", "övrigt", "ordningsstörning, inte brott, men en del av lägesbilden"),
    ("Bråk", "övrigt", "inte alltid våld; räknas inte som våldsbrott"),
    ("Ofredande/förargelse", "övrigt", "räknas inte som hot eller våld"),
    ("Ofog barn/ungdom", "övrigt", ""),
    ("Sedlighetsbrott", "övrigt", ""),
    ("Olaga intrång/hemfridsbrott", "övrigt", ""),
    ("Olaga intrång", "övrigt", "förekommer som variant av 'Olaga intrång/hemfridsbrott'"),
    ("Larm inbrott", "övrigt", "larm, inte alltid ett inbrott"),
    ("Larm överfall", "övrigt", "larm, inte alltid ett överfall"),
    ("Farligt föremål, misstänkt", "övrigt", "misstänkt föremål, ingen explosion"),
    ("Förfalskningsbrott", "övrigt", ""),
    ("Missbruk av urkund", "övrigt", ""),
    ("Ekobrott", "övrigt", ""),
    ("Miljöbrott", "övrigt", ""),
    ("Utlänningslagen", "övrigt", ""),
    ("Lagen om hundar och katter", "övrigt", ""),
    ("Sjölagen", "övrigt", ""),
    ("Spridning smittsamma kemikalier", "övrigt", ""),
    ("Rattfylleri", "övrigt", "trafikbrott"),
    ("Trafikbrott", "övrigt", "trafikbrott"),
    ("Olovlig körning", "övrigt", "trafikbrott"),
    ("Trafikolycka, smitning från", "övrigt", "smitning är ett brott, till skillnad från olyckan"),
    ("Vållande till kroppsskada", "övrigt", ""),
    ("Sammanfattning natt", None, "sammanfattning"),
    ("Sammanfattning kväll", None, "sammanfattning"),
    ("Sammanfattning kväll och natt", None, "sammanfattning"),
    ("Sammanfattning dag", None, "sammanfattning"),
    ("Sammanfattning dygn", None, "sammanfattning"),
    ("Sammanfattning förmiddag", None, "sammanfattning"),
    ("Sammanfattning eftermiddag", None, "sammanfattning"),
    ("Sammanfattning helg", None, "sammanfattning"),
    ("Sammanfattning vecka", None, "sammanfattning"),
    ("Uppdatering", None, "uppdatering"),
    ("Trafikkontroll", None, "kontroll"),
    ("Gränskontroll", None, "kontroll"),
    ("Kontroll person/fordon", None, "kontroll"),
    ("Polisinsats/kommendering", None, "kontroll"),
    ("Trafikolycka", None, "olycka"),
    ("Trafikolycka, personskada", None, "olycka"),
    ("Trafikolycka, singel", None, "olycka"),
    ("Trafikolycka, vilt", None, "olycka"),
    ("Trafikhinder", None, "olycka"),
    ("Arbetsplatsolycka", None, "olycka"),
    ("Sjukdom/olycksfall", None, "olycka"),
    ("Räddningsinsats", None, "olycka"),
    ("Fjällräddning", None, "olycka"),
    ("Naturkatastrof", None, "olycka"),
    ("Varningslarm/haveri", None, "olycka"),
    ("Brand automatlarm", None, "olycka"),
    ("Försvunnen person", None, "person"),
    ("Anträffad död", None, "person"),
    ("Anträffat gods", None, "gods"),
    ("Motorfordon, anträffat stulet", None, "gods"),
    ("Djur skadat/omhändertaget", None, "djur"),
    ("Djur", None, "djur"),
    ("Tillfälligt obemannat", None, "meddelande"),
    ("Information", None, "meddelande"),  # press notices: the media centre's hours, phone numbers
)


def _fold_type(label: str) -> str:
    return re.sub(r"\s+", " ", str(label)).strip().casefold()


_TYPES = {_fold_type(label): (category, note) for label, category, note in TYPE_TABLE}


def classify(label: str) -> tuple[str | None, str | None, bool]:
    """Our category for a police type: ``(category, drop_reason_key, known)``.

    A dropped type has category None and a reason key in :data:`DROP_REASONS`; an unknown
    type is kept as "övrigt" with ``known`` False so the load report can name it.
    """
    folded = _fold_type(label)
    if folded in _TYPES:
        category, note = _TYPES[folded]
        return (category, None, True) if category else (None, note, True)
    if folded.startswith("sammanfattning"):  # new summary periods appear now and then
        return None, "sammanfattning", True
    return "övrigt", None, False


def mapping_table_markdown() -> str:
    """The type table as Markdown, for docs/sources/polisen.md."""
    lines = ["| Polisens händelsetyp | Vår kategori | Kommentar |", "| --- | --- | --- |"]
    for label, category, note in TYPE_TABLE:
        if category:
            lines.append(f"| {label} | {category} | {note} |".replace(" |  |", " | |"))
        else:
            lines.append(f"| {label} | *tas bort* | {DROP_REASONS[note]} |")
    return "\n".join(lines)


# --- parsing -----------------------------------------------------------------------------

_DATETIME = re.compile(
    r"^\s*(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})[ T]+(?P<h>\d{1,2})[:.](?P<mi>\d{1,2})"
    r"(?:[:.](?P<s>\d{1,2})(?:\.\d+)?)?\s*(?:(?P<z>Z)|(?P<sign>[+-])(?P<oh>\d{1,2}):?(?P<om>\d{2})?)?\s*$"
)
# The event's day and time, "01 mars 21.14, " or "1 mars 21:14, ", at the start of ``name``.
_NAME_TIME = re.compile(r"^\s*(?P<d>\d{1,2})\s+(?P<month>[^\W\d_]+)\s+(?P<h>\d{1,2})[.:](?P<mi>\d{2})\s*,\s*")
_MONTHS = {name: number for number, name in enumerate(MONTHS, start=1)}
# How long after an event its notice may be published or updated and still be read as an
# event of the year before (the feed's notices come hours or days after the event).
_LATEST_PUBLICATION = timedelta(days=92)


def parse_datetime(text) -> datetime | None:
    """The feed's ``datetime`` as naive local Swedish time, or None if unreadable.

    Handles non-padded hours ("2026-08-22 9:48:12 +02:00"), a missing offset (taken as
    local time already), "Z" and offsets with or without a colon.
    """
    if not isinstance(text, str):
        return None
    m = _DATETIME.match(text)
    if not m:
        return None
    try:
        naive = datetime(int(m["y"]), int(m["mo"]), int(m["d"]), int(m["h"]), int(m["mi"]), int(m["s"] or 0))
    except ValueError:
        return None
    if m["z"]:
        offset = UTC
    elif m["sign"]:
        minutes = int(m["oh"]) * 60 + int(m["om"] or 0)
        if minutes > 14 * 60:
            return None
        offset = timezone(timedelta(minutes=minutes if m["sign"] == "+" else -minutes))
    else:
        return naive
    try:
        return naive.replace(tzinfo=offset).astimezone(STOCKHOLM).replace(tzinfo=None)
    except OverflowError:  # year 1 or 9999 pushed past datetime's range by the offset
        return None


def time_in_name(name, published: datetime) -> datetime | None:
    """The event's own time from ``name`` ("02 januari 18.30, …"), or None.

    ``name`` has no year: it is the year of ``published`` (the feed's ``datetime``), or the
    year before when that would put the event more than a day after publication (an event
    on 31 December published on 1 January). The year before is taken only for an event at
    most :data:`_LATEST_PUBLICATION` before its notice: a name dated days after its
    publication ("23 november" published 1 November, a typo) is no event of last year.
    A name up to a day after its notice is read as written, so across new year that is
    the year after ("1 januari 00.10" stamped 31 December 23:58).
    """
    parts = name_time(name)
    if parts is None:
        return None
    month, day, hour, minute = parts
    for year in (published.year + 1, published.year, published.year - 1):
        try:
            stated = datetime(year, month, day, hour, minute)
        except ValueError:  # 30 februari, 25.10, or 29 februari in a year without one
            continue
        if stated <= published + timedelta(days=1):
            return stated if year >= published.year or published - stated <= _LATEST_PUBLICATION else None
    return None


def name_time(name) -> tuple[int, int, int, int] | None:
    """(month, day, hour, minute) that ``name`` opens with ("02 januari 18.30, …"), or None."""
    m = _NAME_TIME.match(name) if isinstance(name, str) else None
    month = _MONTHS.get(m["month"].casefold()) if m else None
    return None if month is None else (month, int(m["d"]), int(m["h"]), int(m["mi"]))


def _keep_stored_times(con, frame: pd.DataFrame, yearless: dict[str, tuple]) -> pd.DataFrame:
    """``frame`` with the stored time kept for updates whose ``name`` time could not be
    given a year (``yearless``: incident id -> name_time): a notice updated more than
    :data:`_LATEST_PUBLICATION` after an event of the year before. Its date would
    otherwise move to the update's publication; the stored event with the same day and
    time of day is the event the name means."""
    if not yearless:
        return frame
    stored = dict(con.execute("SELECT incident_id, occurred_at FROM incident WHERE list_contains(?, incident_id)",
                              [list(yearless)]).fetchall())
    keep = {i: at for i, at in stored.items() if (at.month, at.day, at.hour, at.minute) == yearless[i]}
    if keep:
        frame = frame.copy()
        ids = frame["incident_id"].astype(object)
        at = ids.map(keep)
        frame["occurred_at"] = frame["occurred_at"].where(at.isna(), pd.to_datetime(at))
    return frame


def place_in_name(name) -> str | None:
    """The place that stands last in ``name`` ("01 mars 21.14, Rån, Malmö" -> "Malmö")."""
    if not isinstance(name, str):
        return None
    rest, had_prefix = _NAME_TIME.subn("", name, count=1)
    parts = [p.strip(" .\t") for p in rest.split(",")]
    # Without the date prefix the last part is a place only if a type stands before it.
    if (len(parts) < 2 and not had_prefix) or not parts[-1]:
        return None
    return parts[-1]


def _is_lan_name(text: str) -> bool:
    return bool(re.search(r"\blän$", text.strip().casefold()))


def _place(gz, text: str | None) -> tuple[str | None, str | None]:
    """(kommun_code, lan_code) for a place name; a "… län" name never matches a kommun."""
    if not text or not text.strip():
        return None, None
    if _is_lan_name(text):
        return None, gz.lan_code(text)
    kommun = gz.kommun_code(text)
    if kommun:
        return kommun, gz.lan_of_kommun(kommun)
    return None, gz.lan_code(text)


def place_event(gz, name, location_name) -> tuple[str | None, str | None, str]:
    """Where an event happened: ``(kommun_code, lan_code, how)``.

    The kommun comes from the last part of ``name``, else from ``location.name``; a kommun
    that lies outside the län ``location.name`` gives is not trusted. With no kommun the
    event stays at län level, unless the län is a single kommun (Gotland). ``how`` is
    "kommun", "län" or "okänd".
    """
    k_name, l_name = _place(gz, place_in_name(name))
    k_loc, l_loc = _place(gz, location_name if isinstance(location_name, str) else None)
    for kommun, lan in ((k_name, l_name), (k_loc, l_loc)):
        if kommun and (l_loc is None or k_loc is not None or lan == l_loc):
            return kommun, lan, "kommun"
    lan = l_loc or l_name
    if not lan:
        return None, None, "okänd"
    sole = gz.sole_kommun(lan)
    return (sole, lan, "kommun") if sole else (None, lan, "län")


# --- reading -----------------------------------------------------------------------------

# An object that opens with one of the event's own fields, as the API (and jq, which keeps
# the order) writes it; other sources' JSON opens with their own keys ("values", "columns").
_FIRST_KEY = re.compile(rb'\{\s*"(?:%s)"\s*:' % b"|".join(k.encode() for k in sorted(EXPECTED_KEYS)))

# Windows PowerShell 5.1's Invoke-RestMethod passes the list on as one object, which its
# ConvertTo-Json writes as {"value": [...], "Count": n}; without -Depth, each event as
# PowerShell's text ("@{id=…; datetime=…}").
_POWERSHELL_LIST = re.compile(rb'\{\s*"value"\s*:\s*\[\s*(\{|"@\{id=)')

# The answer kept by a script or a tool under a key of its own ({"events": [...]}, with
# perhaps its own fields beside it): a list whose first object opens with an event's field.
_WRAPPED_LIST = re.compile(rb'"[^"\n]{1,40}"\s*:\s*\[\s*\{\s*"(?:%s)"\s*:' % b"|".join(
    k.encode() for k in sorted(EXPECTED_KEYS)))

# The answer as Python prints it (print(requests.get(…).json()) > fil.json): a list of
# dicts in single quotes, which no JSON reader reads.
_PYTHON_PRINT = re.compile(rb"\[?\s*\{\s*'(?:%s)'\s*:" % b"|".join(k.encode() for k in sorted(EXPECTED_KEYS)))


def sniff(path: Path, head: bytes) -> str | None:
    """'polisen-json' for the police's events JSON (or a file saved by our fetch);
    'polisen-parquet' for the events as a table (an archive's Parquet or its CSV)."""
    if head.startswith(b"PK\x03\x04"):
        return "polisen-xlsx" if _xlsx_events(path, 5) is not None else None
    if head.startswith(b"PAR1") or _archive_header(head):
        columns = _table_columns(path, head)
        if columns is None or not _archive_columns(columns):
            return None
        return "polisen-parquet" if head.startswith(b"PAR1") else "polisen-csv"
    text = head.removeprefix(b"\xef\xbb\xbf").strip()
    if Path(path).name.lower().startswith("polisen") and Path(path).suffix.lower() in (".json", ".jsonl"):
        return FORMATS[0]  # our own saved answers: read() explains whatever is wrong
    if re.fullmatch(rb"\[\s*\]", text):
        return FORMATS[0]  # the only list-shaped JSON among our sources
    if re.match(rb"\[\s*\{", text) and (_has_event_keys(text) or _has_event_keys(longer_head(path, head))):
        return FORMATS[0]
    if text.startswith(b"<") and re.search(rb"<pre[^>]*>\s*\[\s*\{", text) and _has_event_keys(text):
        return FORMATS[0]  # the answer as Chrome shows it, saved as a web page
    first_line = text.split(b"\n", 1)[0]
    if first_line.startswith(b"{") and _has_event_keys(first_line):
        return FORMATS[0]  # JSON Lines (one event per line), or one event saved on its own
    if _FIRST_KEY.match(text) and _has_event_keys(text):
        return FORMATS[0]  # indented events one after another (jq '.[]'), or one indented event
    wrapped = _POWERSHELL_LIST.match(text)
    if wrapped and (wrapped[1] == b'"@{id=' or _has_event_keys(text)):
        return FORMATS[0]  # the answer through Windows PowerShell 5.1's ConvertTo-Json
    if text.startswith(b"{") and _WRAPPED_LIST.search(text) and _has_event_keys(text):
        return FORMATS[0]  # the answer under a key of a tool's own ({"events": [...]})
    if _PYTHON_PRINT.match(text):
        return FORMATS[0]  # Python's printout of the answer: read() says how to save it
    return None


# The events as a table, one column per field and location.name flattened, as archives of
# the feed publish them (the git-scraped archive's events.parquet: event_id, datetime,
# name, summary, url, type, location_name, latitude, longitude, html_…), as DuckDB or
# pandas write such a table to CSV, and as pandas' json_normalize flattens the API's answer
# (id, datetime, name, summary, url, type, location.name, location.gps).
_ID_COLUMNS = ("event_id", "id")
_LOCATION_COLUMNS = ("location_name", "location.name", "location")


def _archive_columns(columns: list[str]) -> dict[str, str] | None:
    """The event's fields -> the table's columns, or None when it is no table of events."""
    by_name = {c.strip().lower(): c for c in columns}
    found = {f: by_name[f] for f in ("datetime", "name", "type", "summary", "url") if f in by_name}
    found["id"] = next((by_name[c] for c in _ID_COLUMNS if c in by_name), None)
    found["location"] = next((by_name[c] for c in _LOCATION_COLUMNS if c in by_name), None)
    return found if all(found.get(f) for f in ("id", "datetime", "name", "type", "location")) else None


def _archive_header(head: bytes) -> bool:
    lines = head.removeprefix(b"\xef\xbb\xbf").split(b"\n", 2)
    first = lines[1 if excel_separator(lines[0].decode("latin-1")) and len(lines) > 1 else 0].lower()
    return (b"datetime" in first and (b"location_name" in first or b"location.name" in first)
            and (b"event_id" in first or b"id" in first))


def _table_columns(path: Path, head: bytes) -> list[str] | None:
    if not head.startswith(b"PAR1"):  # the CSV's header line (its names are ASCII), under a sep= line
        lines = head.removeprefix(b"\xef\xbb\xbf").decode("latin-1").splitlines()[:2]
        delimiter = excel_separator(lines[0]) if lines else None
        header = lines[1 if delimiter else 0] if len(lines) > bool(delimiter) else ""
        return next(csv.reader([header], delimiter=delimiter or sniff_delimiter(header)), [])
    try:
        return [str(r[0]) for r in duckdb.sql(f"DESCRIBE SELECT * FROM {_table_source(path, head)}").fetchall()]
    except duckdb.Error:
        return None


def _csv_table(path: Path) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the events saved as CSV: as DuckDB or pandas write it (UTF-8,
    commas), or re-saved by Excel (Windows-1252 or UTF-8 with BOM, semicolons, perhaps
    under a ``sep=;`` line). Read as text in Python, since DuckDB reads UTF-8 only."""
    text = decode(path.read_bytes(), path.name)
    first, _, rest = text.partition("\n")
    delimiter = excel_separator(first.rstrip("\r"))
    if delimiter:
        text, first = rest, rest.split("\n", 1)[0]
    # newline='': a summary quoted over several lines stays one field
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter or sniff_delimiter(first))
    rows: list[list[str]] = []
    for r in reader:
        if rows and len(r) > len(rows[0]) and any(c.strip() for c in r[len(rows[0]):]):
            raise FileRejected(path.name, f"raden har fler fält än rubrikraden ({len(r)} mot {len(rows[0])}): ett "
                                          "skiljetecken i en text utan citattecken flyttar raden. Spara tabellen på "
                                          "nytt från Excel; inget lästes in.", reader.line_num + bool(delimiter))
        rows.append(r)
    if not rows:
        raise FileRejected(path.name, "filen är tom; inget lästes in.")
    width = len(rows[0])
    return rows[0], [r + [""] * (width - len(r)) for r in rows[1:] if any(c.strip() for c in r)]


def _xlsx_events(path: Path, max_rows: int | None = None) -> tuple[list[str], list[list[str]]] | None:
    """Header and rows of the events in a workbook: the feed fetched by Excel's Power Query
    ("Från webben", the list turned into a table and 'location' expanded: location.name,
    location.gps) or the archive's table saved as .xlsx. The first sheet whose first row
    holds the event's fields; None when no sheet does."""
    from pipelines.readers.scb import is_xlsx, xlsx_grids

    if not is_xlsx(path, b"PK\x03\x04"):
        return None
    try:
        grids = xlsx_grids(path, max_rows)
    except Exception:  # noqa: BLE001 - any workbook openpyxl cannot read is no table of events
        return None
    for grid in grids:
        if grid.rows and _archive_columns(grid.rows[0]):
            return grid.rows[0], grid.rows[1:]
    return None


def _xlsx_table(path: Path) -> tuple[list[str], list[list[str]]]:
    """:func:`_xlsx_events` of the whole workbook, refused when a personnummer stands in any
    cell of any sheet (a note beside the table, another sheet)."""
    from pipelines.readers.scb import xlsx_grids

    for grid in xlsx_grids(path):
        for cells, n in zip(grid.rows, grid.numbers, strict=True):
            if any(contains_personnummer(c) for c in cells):
                raise PersonnummerFound(path.name, f"blad '{grid.sheet}', rad {n}")
    found = _xlsx_events(path)
    if found is None:
        raise FileRejected(path.name, "arbetsboken har ingen flik vars första rad har polisens fält (id, datetime, "
                                      "name, type och location.name); inget lästes in.")
    header, rows = found
    return header, [r + [""] * (len(header) - len(r)) for r in rows if any(c.strip() for c in r)]


def _table_source(path: Path, head: bytes | None = None) -> str:
    quoted = str(path).replace("'", "''")
    if head is None:
        with open(path, "rb") as fh:
            head = fh.read(4)
    if head.startswith(b"PAR1"):
        return f"read_parquet('{quoted}')"
    return f"read_csv('{quoted}', all_varchar=true, header=true)"


def _load_table(path: Path) -> list:
    """The events of a table of them (:func:`_archive_columns`) as the API writes them,
    every other text column kept beside them so that the personnummer gate sees it."""
    with open(path, "rb") as fh:
        head = fh.read(4)
    if not head.startswith(b"PAR1"):  # a CSV or a workbook, read as text
        columns, table = _xlsx_table(path) if head.startswith(b"PK\x03\x04") else _csv_table(path)
        fields = _archive_columns(columns)
        if fields is None:
            raise FileRejected(path.name, "tabellen saknar polisens fält (event_id eller id, datetime, name, type och "
                                          "location_name); inget lästes in.")
        return _table_events(path, columns, fields, [tuple(r[:len(columns)]) for r in table])
    source = _table_source(path, head)
    try:
        rel = duckdb.sql(f"SELECT * FROM {source}")
        columns, types = rel.columns, [str(t) for t in rel.types]
        fields = _archive_columns(columns)
        if fields is None:
            raise FileRejected(path.name, "tabellen saknar polisens fält (event_id eller id, datetime, name, type och "
                                          "location_name); inget lästes in.")
        # Times as text in the API's own form (a zoned timestamp column: its UTC offset kept).
        select = ", ".join(
            (f"strftime(timezone('UTC', \"{c}\"), '%Y-%m-%d %H:%M:%S +00:00')" if t.startswith("TIMESTAMP WITH")
             else f"CAST(\"{c}\" AS VARCHAR)") + f" AS \"{c}\"" for c, t in zip(columns, types, strict=True))
        table = duckdb.sql(f"SELECT {select} FROM {source}").fetchall()
    except duckdb.Error as exc:
        raise FileRejected(path.name, "tabellen med polisens händelser kan inte läsas (" + str(exc).split("\n")[0][:120]
                           + "); exportera den på nytt. Inget lästes in.") from None
    return _table_events(path, columns, fields, table)


def _table_events(path: Path, columns: list[str], fields: dict[str, str], table: list) -> list:
    own = set(fields.values())
    events = []
    for values in table:
        row = dict(zip(columns, values, strict=True))
        event = {c: v for c, v in row.items() if c not in own and isinstance(v, str)}
        event |= {f: row[c] for f, c in fields.items() if f != "location"}
        event["location"] = {"name": row[fields["location"]]}
        events.append(event)
    if not events:
        raise FileRejected(path.name, "tabellen innehåller inga händelser; inget lästes in.")
    return events


def _has_event_keys(text: bytes) -> bool:
    return all(re.search(rb'"%s"\s*:' % key, text) for key in (b"datetime", b"location", b"type"))


def _decode(raw: bytes) -> str:
    """The text of a saved answer: UTF-8 as the API sends it, or as Windows tools re-save it.

    Windows PowerShell 5 writes "> fil.json" as UTF-16 with a byte order mark, and its
    Set-Content (or Notepad's "ANSI") as Windows-1252, where å, ä and ö are single bytes
    that are not UTF-8 (Mac Roman from a Mac; text.legacy_encoding tells them apart). A
    single-byte encoding reads any such file, so it is tried last.
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16", errors="replace")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode(legacy_encoding(raw), errors="replace")


def _error_text(data) -> str | None:
    """What an error answer says ({"message": …} or a ProblemDetails "title"), if short and safe to show."""
    return error_text(data, ("message", "Message", "title", "error")) if isinstance(data, dict) else None


def _wrapping_key(data) -> str | None:
    """The key of the one list of events in an object that wraps the answer, as a script or
    a tool keeps it ({"events": [...], "hamtad": "…"}); None when there is not exactly one."""
    if not isinstance(data, dict):
        return None
    keys = [k for k, v in data.items() if isinstance(v, list) and v and all(isinstance(e, dict) for e in v)
            and any({"datetime", "type"} <= set(e) for e in v)]
    return keys[0] if len(keys) == 1 else None


def _load_json(path: Path) -> list:
    raw = path.read_bytes()
    file = path.name
    if not raw.strip():
        raise FileRejected(file, "svaret från polisen var tomt – försök igen senare; inget lästes in.")
    text = _decode(raw)
    # (A page the browser saved with the answer in it is unwrapped before the reader is
    # chosen: readers.json_in_web_page.) A page left is an error page.
    if text.lstrip().startswith("<"):
        raise FileRejected(
            file, "svaret är en webbsida (HTML), inte JSON – troligen ett felmeddelande från "
            "polisen.se. Försök igen senare; inget lästes in.")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        broken = exc
        data = json_lines(file, text, "en händelse")
        if data is None:
            try:
                data = json_values(text)
            except json.JSONDecodeError as later:
                broken = later  # where an appended answer breaks off, not where the first one ends
        if data is None and _PYTHON_PRINT.match(text.strip().encode()):
            raise FileRejected(
                file, "filen är Pythons utskrift av svaret (print, med enkla citattecken), inte JSON. Spara "
                "svaret som det kommer (open(fil, 'w').write(svar.text), eller json.dump(svar.json(), fil)) "
                "och läs in filen igen; inget lästes in.") from None
        if (data is None and re.search(r",\s*$", broken.doc[:broken.pos]) and broken.pos < len(broken.doc)
                and broken.doc[broken.pos] in "]}"):  # (not a file cut off after a comma)
            raise FileRejected(
                file, f"filen är inte giltig JSON (rad {broken.lineno}, tecken {broken.colno}): ett kommatecken står "
                f"före '{broken.doc[broken.pos]}', efter det sista värdet (filen har troligen ändrats för hand). Ta "
                "bort kommatecknet eller hämta svaret igen; inget lästes in.") from None
        if data is None:
            raise FileRejected(
                file, f"filen är inte giltig JSON (rad {broken.lineno}, tecken {broken.colno}) – "
                "svaret kan vara avbrutet. Hämta det igen; inget lästes in.") from None
    if isinstance(data, dict) and {"id", "datetime"} <= set(data):
        data = [data]  # one event saved on its own
    if isinstance(data, dict) and set(data) == {"value", "Count"} and isinstance(data["value"], list):
        data = data["value"]  # the list as Windows PowerShell 5.1's ConvertTo-Json wraps it
        if any(isinstance(e, str) and e.startswith("@{") for e in data):
            raise FileRejected(
                file, "händelserna är sparade som PowerShell-text (@{id=…; …}), inte som JSON: ConvertTo-Json "
                "skrev dem utan -Depth och tappade innehållet. Spara svaret som det kommer (Invoke-WebRequest "
                "https://polisen.se/api/events -OutFile polisen.json), eller använd ConvertTo-Json -Depth 5, "
                "och läs in filen igen; inget lästes in.")
    key = _wrapping_key(data)
    if key is not None:
        for field, value in json_texts({k: v for k, v in data.items() if k != key}):
            if contains_personnummer(value):
                raise PersonnummerFound(file, f"fält '{field}'")
        data = data[key]  # the answer under a key of a tool's own; the tool's other fields are not read
    said = _error_text(data)
    if said:
        raise FileRejected(
            file, f"JSON-filen är ett objekt: ett felmeddelande från polisen.se, inte en lista med händelser "
            f"('{said}'). Kontrollera filtren (--location, --type, --date) och hämta igen; inget lästes in.")
    if isinstance(data, dict):
        raise FileRejected(
            file, "JSON-filen är ett objekt, men polisens händelser är en lista med händelser. "
            "Kontrollera att filen kommer från polisen.se/api/events; inget lästes in.")
    if not isinstance(data, list):
        raise FileRejected(file, "JSON-filen är inte en lista med händelser; inget lästes in.")
    if not data:
        raise FileRejected(
            file, "svaret från polisen innehöll inga händelser ([]) – kontrollera filtren eller "
            "försök igen senare; inget lästes in.")
    objects = [e for e in data if isinstance(e, dict)]
    if not objects:
        raise FileRejected(file, "listan innehåller inga händelseobjekt, bara enstaka värden; inget lästes in. "
                                 "Kontrollera att filen kommer från polisen.se/api/events.")
    if not any(EXPECTED_KEYS & set(e) for e in objects):
        raise FileRejected(
            file, "objekten i listan saknar polisens fält (id, datetime, name, type, location); "
            "filen är inte polisens händelser och lästes inte in. Kontrollera att rätt fil valdes.")
    return data


def _gate(file: str, events: list) -> None:
    """Refuse the file if a personnummer stands in any text of an event (place named, not
    number): the fields read, and every other one (``location.gps``, a field a collector
    or a later version of the API adds), as README promises of every text cell."""
    for i, event in enumerate(events, start=1):
        if isinstance(event, dict):
            fields = [("id", str(event.get("id"))), *json_texts(event)]
        else:
            fields = list(json_texts(event))
        for field, value in fields:
            if contains_personnummer(value):
                raise PersonnummerFound(file, f"händelse {i}" + (f", fält '{field}'" if field else ""))


def _event_id(value) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value >= 0:
        return str(value)
    if isinstance(value, str) and value.strip().isdigit():
        return value.strip()
    return None


def _text(value) -> str | None:
    """A text field as the police meant it: HTML entities ('R&aring;n', '&amp;') read as the
    characters (the feed's texts come from its web pages and now and then keep them)."""
    if not isinstance(value, str):
        return None
    return html.unescape(value) if "&" in value else value


def _type_label(event: dict) -> str | None:
    """The event's ``type`` as it can be stored, or None when it has none."""
    label = _text(event.get("type")) or ""
    # A label cut inside a surrogate pair ("\ud83d" alone) is valid JSON but cannot be stored.
    return label.encode("utf-8", "replace").decode("utf-8").strip() or None


def only_notices(events: list) -> Counter[str] | None:
    """The drop reasons, counted, when every event is a well-formed notice that is no crime.

    Such an answer holds nothing to load ("Sammanfattning natt", a road accident, …): the
    reader refuses it as a file, while an hourly fetch reports it and exits 0. None when
    any event would be loaded or rejected (a broken event is never passed over).
    """
    counts: Counter[str] = Counter()
    for event in events:
        if not isinstance(event, dict) or _event_id(event.get("id")) is None:
            return None
        label = _type_label(event)
        drop = classify(label)[1] if label else None
        if drop is None:
            return None
        counts[drop] += 1
    return counts or None


def _cap_lines(con, events: list) -> list[str]:
    """Report lines for an answer of exactly :data:`FEED_CAP` events, which is the feed cut
    short: how far back it reaches, and a warning when that is after the newest event stored
    before (the notices published in between fell out of the feed before this fetch).

    A stored event that happened at or after the answer's oldest publication was itself
    published then or later, so the earlier answers reached that far and nothing lies
    between. Dropped notices are not stored, so the warning says "may", not "are".
    """
    if len(events) != FEED_CAP:
        return []
    published = [parse_datetime(e.get("datetime")) for e in events if isinstance(e, dict)]
    published = [p for p in published if p is not None]
    if not published:
        return []
    oldest = min(published)
    lines = [f"Svaret har {FEED_CAP} händelser, flödets tak: det når bara tillbaka till {oldest:%Y-%m-%d %H:%M}."]
    [newest_stored] = con.execute("SELECT max(occurred_at) FROM incident WHERE source = ?", [SOURCE]).fetchone()
    if newest_stored is not None and newest_stored < oldest:
        lines.append(
            f"VARNING: den senaste händelsen som redan fanns är från {newest_stored:%Y-%m-%d %H:%M}; händelser "
            f"publicerade mellan den och {oldest:%Y-%m-%d %H:%M} kan saknas, eftersom flödet bara har de "
            f"{FEED_CAP} senaste. Hämta oftare (varje timme, se docs/sources/polisen.md).")
    return lines


def _short(text: str, limit: int = 40) -> str:
    """A place as the report quotes it: free text from the feed, cut if long."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _notices_text(counts: Counter[str]) -> str:
    """'3 sammanfattningar (upprepar …); 2 olyckor, larm …' for the drop reasons counted
    (';' between them: a reason may hold a comma)."""
    return "; ".join(f"{n} {DROP_REASONS[key]}" for key, n in counts.most_common())


def _latest_versions(events: list) -> tuple[set[int], dict[str, list[int]]]:
    """Which of the events to read: for an id that stands more than once (a collector's file
    holding a notice and its update), the version published last (``datetime``; the later
    line when equal). Returns the positions (from 1) to skip and, per repeated id, its
    positions in the file."""
    best: dict[str, tuple[datetime, int]] = {}
    where: dict[str, list[int]] = {}
    for i, event in enumerate(events, start=1):
        event_id = _event_id(event.get("id")) if isinstance(event, dict) else None
        if event_id is None:
            continue
        where.setdefault(event_id, []).append(i)
        key = (parse_datetime(event.get("datetime")) or datetime.min, i)
        if event_id not in best or key >= best[event_id]:
            best[event_id] = key
    repeated = {event_id: places for event_id, places in where.items() if len(places) > 1}
    skip = {i for event_id, places in repeated.items() for i in places if i != best[event_id][1]}
    return skip, repeated


def _repeats_line(repeated: dict[str, list[int]], skip: set[int]) -> str:
    """The report's line for ids that stood more than once in the file (first five named)."""
    named = [f"id {event_id} (rad {swedish_list(places, 10, 'rader')}; rad {next(i for i in places if i not in skip)} "
             "lästes in)" for event_id, places in repeated.items()]
    n = len(repeated)
    return (f"{n} {'händelse' if n == 1 else 'händelser'} stod flera gånger i filen (samma id, en notis och dess "
            f"uppdatering); den senast publicerade versionen lästes in: {swedish_list(named, 5, 'händelser')}.")


def _superseded(con, frame: pd.DataFrame, versions: pd.DataFrame,
                dropped_ids: dict[str, tuple[str, datetime | None]]) -> tuple[list[str], set[str], list[str]]:
    """Stored polisen events this answer holds a newer version of, and the report's lines.

    The police update a notice under its id: a new ``datetime`` and summary, at times a new
    type ('Skottlossning, misstänkt' -> 'Skottlossning', 'Brand' -> 'Mord/dråp') or place.
    The latest version is what they stand by, so a stored event whose row differs from the
    file's is replaced by it, and one whose update has a type that is no crime ('Brand
    automatlarm') is removed, when the file's version was published at the same time as
    the stored one or later (``incident_version``; an event stored before that record was
    kept has no time and is replaced). An older version (a collector's file loaded after
    a fetch) leaves the stored one as it is and is named in the report.
    Returns (incident ids to supersede, ids of older versions, report lines).
    """
    changed: Counter[str] = Counter()
    ids: list[str] = []
    older: set[str] = set()
    if len(frame):
        con.register("_polisen_offered", frame)
        con.register("_polisen_versions", versions)
        try:
            found = con.execute("""
                SELECT s.incident_id, s.source_type, f.source_type,
                       v.published_at IS NOT NULL AND o.published_at < v.published_at AS older
                FROM incident AS s JOIN _polisen_offered AS f USING (incident_id)
                JOIN _polisen_versions AS o USING (incident_id)
                LEFT JOIN incident_version AS v USING (incident_id)
                WHERE s.source = $source AND (
                    -- to the minute: name gives the minute, datetime the seconds only while
                    -- it is the same minute, so the update of a notice moves them
                    date_trunc('minute', s.occurred_at) IS DISTINCT FROM date_trunc('minute', f.occurred_at)
                    OR s.incident_type IS DISTINCT FROM f.incident_type
                    OR s.source_type IS DISTINCT FROM f.source_type
                    OR s.kommun_code IS DISTINCT FROM f.kommun_code OR s.lan_code IS DISTINCT FROM f.lan_code
                    OR s.lpo_code IS DISTINCT FROM f.lpo_code)""", {"source": SOURCE}).fetchall()
        finally:
            con.unregister("_polisen_offered")
            con.unregister("_polisen_versions")
        for incident_id, before, after, is_older in found:
            if is_older:
                older.add(incident_id)
                continue
            ids.append(incident_id)
            changed[f"'{before}' → '{after}'" if before != after else "samma typ, ny tid eller plats"] += 1
    removed: Counter[str] = Counter()
    older_removals = 0
    if dropped_ids:
        for incident_id, stored_at in con.execute(
                "SELECT i.incident_id, v.published_at FROM incident AS i LEFT JOIN incident_version AS v "
                "USING (incident_id) WHERE i.source = ? AND list_contains(?, i.incident_id)",
                [SOURCE, list(dropped_ids)]).fetchall():
            label, published = dropped_ids[incident_id]
            if stored_at is not None and (published is None or published < stored_at):
                older_removals += 1
                continue
            ids.append(incident_id)
            removed[label] += 1
    lines = []
    if changed:
        lines.append(f"{changed.total()} lagrade händelser ersattes av en uppdaterad version (polisen ändrade "
                     f"notisen): {', '.join(f'{c} ({n})' for c, n in changed.most_common())}.")
    if removed:
        lines.append(f"{removed.total()} lagrade händelser togs bort: uppdateringen ger en typ som inte räknas "
                     f"({', '.join(f'{_short(t)!r} ({n})' for t, n in removed.most_common())}).")
    if older or older_removals:
        lines.append(f"{len(older) + older_removals} händelser i filen är en äldre version än den lagrade (publicerad "
                     "före den; en insamlad fil inläst efter en senare hämtning): den lagrade versionen behölls.")
    return ids, older, lines


def stored_ids(con, events: list) -> set[str]:
    """The ids of ``events`` stored already: a file of notices only (no crime among them)
    still updates those ('Brand' -> 'Brand automatlarm' removes the stored fire)."""
    ids = [f"{SOURCE}:{i}" for e in events if isinstance(e, dict) and (i := _event_id(e.get("id"))) is not None]
    if not ids:
        return set()
    return {r[0] for r in con.execute("SELECT incident_id FROM incident WHERE source = ? AND list_contains(?, incident_id)",
                                      [SOURCE, ids]).fetchall()}


def _removed_since(con, earlier: set[str]) -> set[str]:
    """Of the ids whose offered version is older than the recorded one (``earlier``), those
    a later version removed (its type is no crime): not stored. A collector's file loaded
    after the fetch that removed them does not bring them back."""
    if not earlier:
        return set()
    stored = {r[0] for r in con.execute("SELECT incident_id FROM incident WHERE source = ? AND "
                                        "list_contains(?, incident_id)", [SOURCE, sorted(earlier)]).fetchall()}
    return earlier - stored


def _published_earlier(con, versions: pd.DataFrame) -> set[str]:
    """Ids whose version in ``versions`` was published before the stored one."""
    if versions.empty:
        return set()
    con.complete()  # DuckDB 2 refuses register() while an earlier result is open (_cap_lines' fetchone)
    con.register("_polisen_versions", versions)
    try:
        return {r[0] for r in con.execute(
            "SELECT o.incident_id FROM _polisen_versions AS o JOIN incident_version AS v USING (incident_id) "
            "WHERE o.published_at < v.published_at").fetchall()}
    finally:
        con.unregister("_polisen_versions")


def _updates_stored(args, events: list) -> bool:
    """Whether the database the fetch loads into holds any of ``events`` already."""
    from pipelines import config, warehouse

    db = config.db_path(getattr(args, "db", None))
    if not db.exists():
        return False
    try:
        con = warehouse.open_read_only(db)
    except warehouse.WarehouseError:
        return False
    try:
        return bool(stored_ids(con, events))
    except duckdb.Error:
        return False
    finally:
        con.close()


def read(path: Path, ctx: ReadContext, fmt: str) -> ReadResult:
    """Read a saved answer of the police's events API into ``incident`` rows."""
    path = Path(path)
    file = path.name
    events = _load_table(path) if fmt != "polisen-json" else _load_json(path)
    _gate(file, events)
    notices = only_notices(events)
    if notices and not stored_ids(ctx.con, events):
        raise FileRejected(
            file, f"alla {notices.total()} händelser var sammanfattningar eller andra notiser "
            "som inte är brott (se docs/sources/polisen.md); inget lästes in.")
    gz = ctx.gazetteer
    latest = datetime.now(STOCKHOLM).replace(tzinfo=None) + timedelta(days=1)

    skip, repeated = _latest_versions(events)
    rows, rejected = [], []
    dropped: Counter[str] = Counter()
    # incident id -> (the dropped type, its publication), for stored events it updates
    dropped_ids: dict[str, tuple[str, datetime | None]] = {}
    yearless: dict[str, tuple] = {}  # incident id -> the name's time, where it got no year
    published_at: list[datetime] = []  # each row's publication (the feed's datetime)
    unknown: Counter[str] = Counter()
    lan_places: Counter[str] = Counter()  # the places that gave only a län, as name writes them
    split_no_lpo = 0
    placed: dict[tuple, tuple] = {}  # (place in name, location.name) -> place_event's answer
    for i, event in enumerate(events, start=1):
        if i in skip:
            continue
        if not isinstance(event, dict):
            rejected.append(Rejection(i, None, f"händelse {i} är inte ett JSON-objekt"))
            continue
        event_id = _event_id(event.get("id"))
        if event_id is None:
            rejected.append(Rejection(i, "id", "id saknas eller är inte ett heltal"))
            continue
        label = _type_label(event)
        category, drop, known = classify(label) if label else ("övrigt", None, False)
        published = parse_datetime(event.get("datetime"))
        if drop:
            dropped[drop] += 1
            dropped_ids[f"{SOURCE}:{event_id}"] = (label, published)
            continue
        if published is None:
            rejected.append(Rejection(i, "datetime", "tidpunkten saknas eller kan inte läsas (väntat ÅÅÅÅ-MM-DD TT:MM:SS +01:00)"))
            continue
        # datetime is when the notice was published (or last updated); name opens with the
        # event's own time. The same minute in both keeps datetime, which has the seconds.
        name = _text(event.get("name"))
        stated = time_in_name(name, published)
        occurred = stated if stated and stated != published.replace(second=0, microsecond=0) else published
        if stated is None and (parts := name_time(name)):
            yearless[f"{SOURCE}:{event_id}"] = parts
        if occurred > latest:
            rejected.append(Rejection(i, "datetime", "tidpunkten ligger i framtiden"))
            continue
        location = event.get("location") if isinstance(event.get("location"), dict) else {}
        # An archive of the feed has tens of thousands of events in a few hundred places.
        where = (place_in_name(name), _text(location.get("name")))
        if where not in placed:
            placed[where] = place_event(gz, name, where[1])
        kommun, lan, how = placed[where]
        if how == "okänd":
            rejected.append(Rejection(
                i, "location", "platsen känns inte igen som kommun eller län (varken i name eller location.name)"))
            continue
        lpo = gz.single_lpo(kommun) if kommun else None
        if how == "län":
            place = place_in_name(name)
            lan_places[_short(place) if place else "(ingen plats i name)"] += 1
        elif lpo is None and len(gz.lpos_for_kommun(kommun)) > 1:
            split_no_lpo += 1
        if not known:
            unknown[label or "(typ saknas)"] += 1
        rows.append((f"{SOURCE}:{event_id}", occurred, category, kommun, lan, lpo, None, SOURCE, label))
        published_at.append(published)

    frame = pd.DataFrame(rows, columns=["incident_id", "occurred_at", "incident_type", "kommun_code", "lan_code",
                                        "lpo_code", "grid_cell", "source", "source_type"])
    frame["occurred_at"] = pd.to_datetime(frame["occurred_at"])
    for col in ("incident_id", "incident_type", "kommun_code", "lan_code", "lpo_code", "grid_cell", "source",
                "source_type"):
        frame[col] = frame[col].astype("string")

    report = [f"{len(events)} händelser i svaret; {len(frame)} brottshändelser att läsa in."]
    for key, n in dropped.most_common():
        report.append(f"{n} borttagna: {DROP_REASONS[key]}.")
    if unknown:
        names = ", ".join(f"'{t}' ({n})" for t, n in unknown.most_common())
        report.append(f"{sum(unknown.values())} med okänd händelsetyp sparades som 'övrigt': {names}.")
    if lan_places:
        names = ", ".join(f"'{p}' ({n})" for p, n in lan_places.most_common())
        report.append(f"{lan_places.total()} kunde bara placeras i ett län (platsen i name är ingen kommun i "
                      f"länet): {names}.")
    if split_no_lpo:
        report.append(f"{split_no_lpo} i kommuner med flera lokalpolisområden fick inget LPO "
                      "(polisen anger bara kommunen).")
    if repeated:
        report.append(_repeats_line(repeated, skip))
    versions = pd.DataFrame({"incident_id": frame["incident_id"],
                             "published_at": pd.to_datetime(pd.Series(published_at, dtype=object))})
    frame = _keep_stored_times(ctx.con, frame, yearless)
    supersedes, older, lines = _superseded(ctx.con, frame, versions, dropped_ids)
    report.extend(lines)
    earlier = _published_earlier(ctx.con, versions)
    removed = _removed_since(ctx.con, earlier)
    if removed:
        frame = frame[~frame["incident_id"].isin(removed)].reset_index(drop=True)
        report.append(f"{len(removed)} händelser i filen har en senare version med en typ som inte räknas (de togs "
                      "bort vid en tidigare inläsning); de lästes inte in igen.")
    report.extend(_cap_lines(ctx.con, events))
    # The version record only moves forward: an older version than the stored one stays out
    # of it (its row is dropped by the insert as an id already stored), also when it reads
    # the same as the stored row (the police changed only the summary since), which
    # _superseded does not look at.
    versions = versions[~versions["incident_id"].isin(older | earlier)]
    # A removal's publication is recorded too, so that an older version cannot bring the
    # removed event back (_removed_since).
    removals = [(i, dropped_ids[i][1]) for i in supersedes if i in dropped_ids and dropped_ids[i][1] is not None]
    if removals:
        versions = pd.concat([versions, pd.DataFrame(removals, columns=["incident_id", "published_at"]).astype(
            {"incident_id": versions["incident_id"].dtype, "published_at": versions["published_at"].dtype})],
            ignore_index=True)
    result = ReadResult(fmt if fmt in FORMATS else FORMATS[0], "incident", {"incident": frame, "incident_version": versions}, rejected, report,
                        replaces_earlier_version=False, supersedes=supersedes)
    if removed:  # offered, though not read in again: the load says so instead of "no rows"
        result.offered = len(frame) + len(removed)
    return result


# --- the live API ------------------------------------------------------------------------

_DATE_FILTER = re.compile(r"^\d{4}-\d{2}(-\d{2}( \d{2})?)?$")


def fetch(args, dest_dir: Path) -> list[Path]:
    """Call the live events API with the user's filters; save the raw answer; return [path].

    Filters as the API documents them: ``--location`` -> ``locationname`` (several places
    separated by ';'), ``--type`` -> ``type`` (likewise) and ``--date`` -> ``DateTime``
    (ÅÅÅÅ-MM, ÅÅÅÅ-MM-DD or "ÅÅÅÅ-MM-DD TT"). A busy or failing API is asked again
    (pipelines.fetch.send, the one rule of every live source).
    """
    import requests

    from pipelines.fetch import BUSY, FetchError, NothingToLoad, busy_advice, send

    params = {}
    if getattr(args, "location", None):
        params["locationname"] = args.location.strip()
    if getattr(args, "event_type", None):
        params["type"] = args.event_type.strip()
    if getattr(args, "date", None):
        date = args.date.strip()
        if not _DATE_FILTER.match(date):
            raise FetchError(f"polisen: --date '{date}' känns inte igen; skriv ÅÅÅÅ-MM, ÅÅÅÅ-MM-DD eller 'ÅÅÅÅ-MM-DD TT'.")
        params["DateTime"] = date
    headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}

    try:
        response = send("GET", API_URL, params=params, headers=headers, timeout=TIMEOUT_S)
    except requests.Timeout:
        raise FetchError("polisen: polisen.se svarade inte i tid – försök igen senare; inget lästes in.") from None
    except requests.RequestException as exc:
        raise FetchError(
            f"polisen: kunde inte nå polisen.se ({type(exc).__name__}) – kontrollera nätverket och "
            "försök igen; inget lästes in.") from None
    if response.status_code in BUSY:
        raise FetchError(f"polisen: polisen.se svarade med fel (HTTP {response.status_code}) – "
                         f"{busy_advice(response)}; inget lästes in.")
    if 400 <= response.status_code < 500:
        # A filter the API cannot read: its problem report says which, and trying again never helps.
        try:
            said = _error_text(json.loads(response.content.decode("utf-8-sig")))
        except (UnicodeDecodeError, json.JSONDecodeError):
            said = None
        if said:
            raise FetchError(f"polisen: polisen.se svarade med fel (HTTP {response.status_code}): '{said}'. "
                             "Kontrollera filtren (--location, --type, --date); inget lästes in.")
    if response.status_code >= 400:
        raise FetchError(f"polisen: polisen.se svarade med fel (HTTP {response.status_code}) – försök igen senare; "
                         "inget lästes in.")
    body = response.content
    if not body.strip():
        raise FetchError("polisen: svaret från polisen var tomt – försök igen senare; inget lästes in.")
    if body.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        # HTTP 200 with the site's maintenance or error page instead of the API's answer
        raise FetchError("polisen: svaret var en webbsida (HTML), inte JSON – troligen en underhålls- eller "
                         "felsida hos polisen.se. Försök igen senare; inget lästes in.")
    try:
        data = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise FetchError("polisen: svaret från polisen var inte JSON (kanske avbrutet) – försök igen senare; "
                         "inget lästes in.") from None
    if not isinstance(data, list):
        said = _error_text(data)
        raise FetchError("polisen: svaret från polisen var inte en lista med händelser"
                         + (f" utan ett felmeddelande: '{said}'. Kontrollera filtren (--location, --type, --date)"
                            if said else "") + "; inget lästes in.")
    # An hourly run that brings nothing to load is a normal outcome, not a failure: no events
    # for the filters (a small kommun at night), or only notices that are no crime. Nothing
    # is saved or loaded, so the database (and its load log) stays exactly as it was.
    filters = ", ".join(f"{k}={v}" for k, v in params.items()) or "inga filter"
    if not data:
        raise NothingToLoad(f"polisen: inga händelser i svaret ({filters}). Inget lästes in; "
                            "databasen är oförändrad.")
    notices = only_notices(data)
    if notices:
        try:
            _gate("svaret", data)
        except PersonnummerFound:
            notices = None  # saved and loaded like any answer, so the load refuses it and says where
    if notices and _updates_stored(args, data):
        notices = None  # a notice that updates a stored event removes it: loaded
    if notices:
        raise NothingToLoad(
            f"polisen: {notices.total()} händelser i svaret ({filters}) och inget brott bland dem – "
            f"{_notices_text(notices)}. Inget lästes in; databasen är oförändrad.")

    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = dest_dir / f"polisen-events-{stamp}.json"
    n = 1
    while target.exists():  # two fetches in the same second
        n += 1
        target = dest_dir / f"polisen-events-{stamp}-{n}.json"
    target.write_bytes(body)
    return [target]
