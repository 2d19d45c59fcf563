"""Our own documented formats (docs/formats.md): incidents, recruitment signals and
measures as CSV (';' or ',', UTF-8 with or without BOM, or Windows-1252, decimal comma)
or Parquet, recognised by their column names.

Incident files can hold millions of rows, so they are read and checked by DuckDB itself;
signal and measure files are small and checked row by row in Python.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import io
import json
import mmap
import re
import tempfile
import zipfile
from bisect import bisect_right
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from pipelines import categories as cat
from pipelines import personnummer
from pipelines.loading import FileRejected, ReadContext, ReadResult, Rejection
from pipelines.personnummer import PersonnummerFound, contains_personnummer
from pipelines.readers.followup import stated_status
from pipelines.readers.text import (
    MONTHS,
    choice,
    decode,
    excel_separator,
    legacy_encoding,
    parse_number,
    sniff_delimiter,
)

FORMATS = (
    "incident-csv", "incident-parquet",
    "signal-csv", "signal-parquet",
    "measure-csv", "measure-parquet",
)
COLUMNS = {
    "incident": {
        "required": ["incident_id", "occurred_at", "incident_type", "kommun_code"],
        "optional": ["lpo_code", "grid_cell", "source"],
    },
    "signal": {
        "required": ["month", "area_code", "age_band", "sex", "source", "signal_type", "count"],
        "optional": [],
    },
    "measure": {
        "required": ["organisation", "kommun_code", "year", "prioritised_area", "title", "status"],
        "optional": [
            "measure_id", "lpo_codes", "problem", "cause", "description", "operational_goal", "due",
            "responsible", "is_line_work", "status_t1", "status_t2", "status_t3", "status_vb",
        ],
    },
}
_KIND_NAMES = {"incident": "händelser", "signal": "rekryteringssignaler", "measure": "åtgärder"}
GRID_CELL = re.compile(r"^\d{7}$|^\d{13}$|^1km[NE]\d+[NE]\d+$")
# Tried in order, so a plain timestamp (the common case) is read by the first. Then what
# exports also write: milliseconds or microseconds ('10:00:00.000') and the Swedish clock
# with a full stop ('18.30', as the police's notices write it).
TIMESTAMP_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d",
                     "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%d %H.%M.%S", "%Y-%m-%d %H.%M"]
# Seven to nine decimals (SQL Server's datetime2, nanosecond Parquet timestamps): %n reads
# them as TIMESTAMP_NS, kept apart so the other formats keep plain TIMESTAMP. A valid
# fraction never holds a run of ten digits, which the personnummer screen relies on.
NANOSECOND_FORMATS = ["%Y-%m-%d %H:%M:%S.%n", "%Y-%m-%dT%H:%M:%S.%n"]
# ISO 8601 with a UTC offset ('+01:00', '+0100', '+02'; 'Z' is rewritten as '+00:00'), as
# exports from police and municipal systems write them, optionally with fractions of a
# second. SQL Server's space before the offset ('21:14:00 +01:00') is removed first.
# Stored as Stockholm local time; tried only on cells the plain formats cannot read.
OFFSET_TIMESTAMP_FORMATS = [f"%Y-%m-%d{sep}%H:%M{sec}%z" for sep in (" ", "T") for sec in (":%S", ":%S.%f", "")]
# Seven to nine decimals with an offset, as .NET's round-trip format ('.1234567Z'), SQL
# Server's datetimeoffset and a zoned nanosecond Parquet column write them (kept to the
# microsecond). Apart from the formats above: a nanosecond time ends in 2262, so with
# them a time in 2999 would read as no time instead of one in the future.
OFFSET_NANOSECOND_FORMATS = [f"%Y-%m-%d{sep}%H:%M:%S.%n%z" for sep in (" ", "T")]
# What people's exports write that the formats above cannot read, rewritten to
# 'ÅÅÅÅ-MM-DD …' and read by TIMESTAMP_FORMATS (pattern, replacement; applied in order,
# only to cells no other format reads). Sweden writes dates day first, never month first:
# '23.11.2026' and '23-11-2026' (Excel and systems with Nordic or German settings) are
# read day first; with '/' (British and American settings alike) only a first number
# over 12 proves it, and '01/03/2026' stays rejected (TIMESTAMP_AMBIGUOUS). Months by
# their Swedish names or abbreviations ('23 nov 2026', '23 november 2026') and 'kl.'
# before the clock ('2026-11-23 kl. 14:05') are read too.
def _month_name_rewrite(number: int, name: str) -> tuple[str, str]:
    """'23 nov 2026', '23 november 2026', '23 nov. 2026' -> '2026-11-23'. The abbreviation
    is the name's first three letters; 'sept' is written for september too."""
    spellings = [name, "sept", name[:3]] if name == "september" else [name, name[:3]]
    return rf"(?i)^(\d{{1,2}})\.?\s+(?:{'|'.join(dict.fromkeys(spellings))})\.?\s+(\d{{4}})", rf"\2-{number:02d}-\1"


TIMESTAMP_REWRITES = [
    (r"(?i)[, ]+kl\.?\s*", " "),
    (r"^(\d{1,2})\.(\d{1,2})\.(\d{4})", r"\3-\2-\1"),
    (r"^(\d{1,2})-(\d{1,2})-(\d{4})", r"\3-\2-\1"),
    (r"^(1[3-9]|2\d|3[01])/(\d{1,2})/(\d{4})", r"\3-\2-\1"),
    *(_month_name_rewrite(number, name) for number, name in enumerate(MONTHS, start=1)),
]
TIMESTAMP_AMBIGUOUS = r"^(0?[1-9]|1[0-2])/(0?[1-9]|1[0-2])/\d{4}"
# A date cell Excel saved as its serial number (days since 1899-12-30, the time as the
# fraction: '46349,58333' is 2026-11-23 14:00), as a sheet writes it when the column lost
# its date format. Only 30000-99999 (1982 onwards): a smaller number is no date of ours.
EXCEL_SERIAL = r"^[3-9]\d{4}([.,]\d+)?$"
# DuckDB's %z takes any two digits ('+25:00', '+99:99'); real offsets lie within ±14:00.
# ' UTC' (and ' GMT') as R's format(usetz = TRUE), logs and Java write a UTC time is 'Z'; a
# zone name that changes with the season ('CET', 'CEST') is still no offset.
OFFSET_SUFFIX = r"([Zz]| ?(UTC|GMT)|[+-](0\d|1[0-4])(:?[0-5]\d)?)$"
LOCAL_TIME_ZONE = "Europe/Stockholm"
# A spreadsheet's total row at the bottom ('Summa', 'Totalt:', 'Antal'), found by its first cell.
TOTAL_ROW = r"(?i)^(totalt?|summa|antal)\s*:?$"


def _shifted_reason(delim: str) -> str:
    """Why a row with a value past the header's last column is rejected."""
    shown = "tabb" if delim == "\t" else delim
    return (f"raden har fler fält än rubriken: troligen ett {shown} i en cell utan citattecken, så "
            "värdena efter det står i fel kolumner. Sätt cellen inom citattecken eller ta bort tecknet")


def _kind_of_columns(cols: list[str]) -> str | None:
    # A header may quote its names ('"incident_id";"occurred_at"', as many tools write).
    names = {c.strip().lstrip("\ufeff").strip('"').strip().lower() for c in cols}
    for kind, spec in COLUMNS.items():
        if len(names & set(spec["required"])) >= len(spec["required"]) - 1:
            return kind
    return None


def _workbook_kind(path: Path) -> str | None:
    """The kind of our data whose column names an xlsx workbook's cells hold (a table
    kept in Excel and saved as a workbook), else None. Only the first MiB of the shared
    strings (where Excel writes text cells) and of the first sheet (where some tools write
    them inline) is looked at."""
    text = ""
    try:
        with zipfile.ZipFile(path) as zf:
            for part in {"xl/sharedStrings.xml", "xl/worksheets/sheet1.xml"} & set(zf.namelist()):
                with zf.open(part) as fh:
                    text += fh.read(1 << 20).decode("utf-8", errors="replace").lower()
    except (zipfile.BadZipFile, OSError):
        return None
    return _kind_of_columns(re.findall(r"<t(?:\s[^>]*)?>([^<]*)</t>", text))


def sniff(path: Path, head: bytes) -> str | None:
    if head.startswith(b"PK\x03\x04"):
        # Claimed so that read() can tell the user to save it as CSV; 'xlsx' is no format
        # of FORMATS (--format cannot ask for it).
        kind = _workbook_kind(path)
        return f"{kind}-xlsx" if kind else None
    if head.startswith(b"PAR1"):
        try:
            cols = duckdb.sql(f"DESCRIBE SELECT * FROM read_parquet('{_q(path)}')").df()["column_name"].tolist()
        except duckdb.Error:
            return None
        kind = _kind_of_columns(cols)
        return f"{kind}-parquet" if kind else None
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    first, _, rest = text.partition("\n")
    if excel_separator(first):
        first = rest.split("\n", 1)[0]
    kind = _kind_of_columns(re.split(r"[;,\t]", first))
    return f"{kind}-csv" if kind else None


def _q(path: Path) -> str:
    return str(path).replace("'", "''")


def _check_header(file: str, cols: list[str], kind: str) -> None:
    seen = set()
    for c in cols:
        if c in seen:
            raise FileRejected(file, "kolumnen finns två gånger. Ta bort den ena och läs in filen igen.", 1, c)
        seen.add(c)
    for need in COLUMNS[kind]["required"]:
        if need not in seen:
            raise FileRejected(
                file, f"obligatorisk kolumn saknas. Lägg till den och läs in filen igen. "
                  f"Kolumner som krävs: {', '.join(COLUMNS[kind]['required'])}.", 1, need
            )


def read(path: Path, ctx: ReadContext, fmt: str) -> ReadResult:
    kind, container = fmt.split("-")
    if container == "xlsx":
        raise FileRejected(path.name, f"filen är en Excel-arbetsbok med kolumnerna för {_KIND_NAMES[kind]}. "
                                      "Spara bladet som CSV i Excel (Arkiv › Spara som › CSV UTF-8 eller "
                                      "CSV (semikolonavgränsad)) och läs in CSV-filen.")
    if kind == "incident":
        return _read_incidents(path, ctx, container)
    header, rows, delim = _small_table(path, container, kind)
    # A CSV file's first data row is its line 2; Parquet has no header row.
    first = 1 if container == "parquet" else 2
    _check_header(path.name, header, kind)
    _gate(path.name, header, rows, first)
    rows, rejected = _set_aside(header, rows, first, delim, "signal" if kind == "signal" else "åtgärd")
    if kind == "signal":
        result = _read_signals(path.name, header, rows, ctx, first)
    else:
        result = _read_measures(path.name, header, rows, ctx, first)
    result.source_format = fmt
    result.rejected = sorted(rejected + result.rejected, key=lambda r: r.row_number)
    return result


# --- small files -------------------------------------------------------------------------

def _small_table(path: Path, container: str, kind: str) -> tuple[list[str], list[list[str]], str | None]:
    """The header, the rows as text and the delimiter (None for Parquet) of a small file."""
    if container == "parquet":
        return *_parquet_cells(path), None
    text = decode(path.read_bytes(), path.name)
    # Lines end in '\r\n', '\n' or a lone '\r' (Excel for Mac's 'CSV'; before, such a file
    # was one line and refused as a quote that does not end).
    first, *rest = re.split(r"\r\n?|\n", text.lstrip("\ufeff"), maxsplit=1)
    delimiter = excel_separator(first)
    if delimiter:
        text = rest[0] if rest else ""  # rows are numbered as Excel shows them: without the sep line
    else:
        delimiter = sniff_delimiter(first)
    # strict: an opening quote never closed swallows the rest of the file without it.
    # newline='': the reader ends a row at any of the line ends, and keeps one in a quoted cell.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    all_rows: list[list[str]] = []
    start = 1  # the line where the record being read begins
    try:
        for row in reader:
            all_rows.append(row)
            start = reader.line_num + 1
    except csv.Error as exc:
        if "field limit" in str(exc):
            problem = f"ett fält är längre än {csv.field_size_limit()} tecken. Korta texten och läs in filen igen."
        else:
            problem = "ett citattecken (\") avslutas inte eller står fel. Rätta raden och läs in filen igen."
        raise FileRejected(path.name, problem, start) from None
    header = [h.strip().lower() for h in all_rows[0]]
    # Excel saves the empty columns right of the table that once held something as empty
    # names (';;' at the header's end): no columns. A value under them is found by _set_aside.
    while header and not header[-1]:
        header.pop()
    # A row cut short (a truncated file) lacks its last columns: pad so checks name them.
    # NULL is an empty cell, as database exports write one (it was stored as the text 'NULL'
    # in a measure's description or due date), and so is R's NA.
    rows = [[_NULL.sub("", v) for v in row] + [""] * (len(header) - len(row)) for row in all_rows[1:]]
    return header, rows, delimiter


_NULL = re.compile(r"^\s*(NULL|NA)\s*$")


def _set_aside(header: list[str], rows: list[list[str]], first: int, delim: str | None,
               what: str) -> tuple[list[list[str]], list[Rejection]]:
    """The rows to read, with the rows that are no data left out (as empty rows, so the
    others keep their numbers), and the rejections for those: a row with a value past the
    header's last column (a cell split by an unquoted delimiter, so its values stand in the
    wrong columns; before, the values past the header were dropped unseen), a total row
    ('Summa' or 'Totalt' in its first cell, as a spreadsheet's sum row at the bottom) and
    the header again (files put together; before, each of its cells was named unknown)."""
    kept, rejected = [], []
    for i, row in enumerate(rows, start=first):
        past = next((n for n, v in enumerate(row[len(header):], start=len(header) + 1) if v.strip()), None)
        filled = next(((col, v.strip()) for col, v in zip(header, row, strict=False) if v.strip()), None)
        if past is not None:
            rejected.append(Rejection(i, f"fält {past}", _shifted_reason(delim or ";")))
        elif filled and [v.replace("\ufeff", "").strip().lower() for v in row[:len(header)]] == header:
            rejected.append(Rejection(i, header[0], f"rubrikraden upprepas (filer som satts ihop); raden är ingen {what}"))
        elif filled and re.fullmatch(TOTAL_ROW, filled[1]):
            rejected.append(Rejection(i, filled[0], f"summeringsrad ({filled[1]}), ingen {what}"))
        elif (filled and filled[0] == "count" and parse_number(filled[1]) is not None
              and sum(1 for v in row[:len(header)] if v.strip()) == 1):
            # Excel's AutoSum under the count column, without a label: only the count is filled.
            rejected.append(Rejection(i, "count", f"raden har bara ett antal ({filled[1]}), troligen en "
                                                  f"summeringsrad; ingen {what}"))
        else:
            kept.append(row)
            continue
        kept.append([])
    return kept, rejected


def _parquet_cells(path: Path) -> tuple[list[str], list[list[str]]]:
    """A small Parquet file's header and cells as text, as the CSV's would read: a date or
    a timestamp at midnight as its date ('2025-03-01', as a month column of dates holds
    it; a zoned one in Stockholm time), any other value as DuckDB writes it; an empty cell
    as ''."""
    con = duckdb.connect()
    src = f"read_parquet('{_q(path)}')"
    columns = con.execute(f"DESCRIBE SELECT * FROM {src}").fetchall()
    periods = _pandas_periods(con, path)
    cells = []
    for name, typ, *_ in columns:
        col = _identifier(str(name))
        if periods.get(str(name)) in _PERIODS and typ in ("BIGINT", "INTEGER"):
            # A pandas Period column (df['month'] = df['date'].dt.to_period('M')) is stored
            # as its count from 1970: 660 is 2025-01. Read as that number, every month was
            # rejected as 'ogiltig månad 660'.
            unit, fmt = _PERIODS[periods[str(name)]]
            cells.append(f"strftime(DATE '1970-01-01' + to_{unit}({col}), '{fmt}')")
            continue
        if typ.startswith("TIMESTAMP WITH TIME ZONE"):
            # pandas writes a zoned column ('Europe/Stockholm', or converted to UTC) as an
            # instant: the month it begins is Stockholm's (a month's first midnight in UTC
            # is the evening before). DuckDB cannot take the time of day of an instant,
            # which failed the load as an unexpected error.
            col = f"timezone('{LOCAL_TIME_ZONE}', {col})"
        if typ.startswith("TIMESTAMP"):
            cells.append(f"CASE WHEN {col}::TIME = TIME '00:00' THEN strftime({col}, '%Y-%m-%d') "
                         f"ELSE CAST({col} AS VARCHAR) END")
        else:
            cells.append(f"CAST({col} AS VARCHAR)")
    rows = con.execute(f"SELECT {', '.join(cells)} FROM {src}").fetchall()
    return [_column_name(name) for name, *_ in columns], [["" if v is None else v for v in row] for row in rows]


# pandas' Period dtypes that Parquet stores as a count from 1970: the interval DuckDB adds
# to 1970-01-01, and how the period is written.
_PERIODS = {"period[M]": ("months", "%Y-%m"), "period[D]": ("days", "%Y-%m-%d")}


def _pandas_periods(con, path: Path) -> dict[str, str]:
    """Column name -> pandas' dtype ('period[M]') of the Period columns a Parquet file
    written by pandas holds, from the schema pandas stores beside the data; {} without it."""
    try:
        found = con.execute(f"SELECT value FROM parquet_kv_metadata('{_q(path)}') WHERE key = 'pandas'").fetchall()
        meta = json.loads(bytes(found[0][0]).decode("utf-8")) if found else {}
    except (duckdb.Error, ValueError, UnicodeDecodeError):
        return {}
    columns = meta.get("columns") if isinstance(meta, dict) else None
    return {str(c.get("field_name") or c.get("name")): str(c.get("numpy_type")) for c in columns or []
            if isinstance(c, dict) and str(c.get("numpy_type", "")).startswith("period[")}


def _column_name(name) -> str:
    """A Parquet column's name as a CSV header's is read: trimmed, in lower case, without
    a byte order mark. R, Power BI and polars keep the case a table was given
    ('Month', 'AREA_CODE'), and a data frame read from a CSV with a BOM without
    'utf-8-sig' keeps the mark in its first name; before, such a file was refused as
    lacking a column it has."""
    return str(name).replace("\ufeff", "").strip().lower()


def _gate(file: str, header: list[str], rows: list[list[str]], first: int) -> None:
    for i, row in enumerate(rows, start=first):
        for col, value in zip(header, row, strict=False):
            if contains_personnummer(value):
                raise PersonnummerFound(file, f"rad {i}, kolumn '{col}'")


def _read_signals(file: str, header: list[str], rows: list[list[str]], ctx: ReadContext, first: int) -> ReadResult:
    """The file's signals. A signal (month, area, age band, sex, source, signal type) given
    in more than one row is stored once when the rows agree and not at all when their
    counts differ; the other rows are rejected naming the first (docs/formats.md)."""
    counts: dict[tuple, list[tuple[int, int]]] = {}
    rejected = []
    gz = ctx.gazetteer
    for i, raw in enumerate(rows, start=first):
        if not any(v.strip() for v in raw):
            continue
        r = dict(zip(header, (v.strip() for v in raw), strict=False))
        # Every problem of the row, so that one round of corrections fixes it.
        problems: list[tuple[str, str]] = []
        try:
            month = _parse_month(r.get("month", ""))
        except ValueError:
            month = None
            problems.append(("month", f"ogiltig månad '{r.get('month', '')[:20]}' (skriv ÅÅÅÅ-MM)"))
        if month is not None and month > date.today():
            problems.append(("month", "månaden ligger i framtiden"))
        area = _signal_area(gz, r["area_code"])
        if area is None:
            problems.append(("area_code", "okänt område (ange LPO-kod eller kommunkod)"))
        checks = {
            "age_band": cat.SIGNAL_AGE_BANDS, "sex": cat.SEXES,
            "source": cat.SIGNAL_SOURCES, "signal_type": cat.SIGNAL_TYPES,
        }
        # Each value as the documented spelling ('12–14' from Word is 12-14, 'k' is K).
        values = {c: choice(r.get(c, ""), allowed) for c, allowed in checks.items()}
        problems += [(c, f"okänt värde; tillåtna: {', '.join(checks[c])}" if r.get(c) else "värde saknas")
                     for c, v in values.items() if v is None]
        n = parse_number(r["count"])
        if n is None and re.fullmatch(r"\.\.|[<≤]\s*\d+|x|X|\*", r["count"]):
            # An export that hid its small counts: the dashboard hides them itself, and a
            # hidden count cannot be summed.
            problems.append(("count", "antalet är dolt ('..', '<5'); ange det faktiska antalet – "
                                      "instrumentpanelen döljer små antal själv"))
        elif not r["count"]:
            # an empty cell is no zero: the month may not have been counted
            problems.append(("count", "antal saknas; skriv 0 om inga signaler fanns"))
        elif n is None or n != int(n) or n < 0:
            problems.append(("count", "antal måste vara ett heltal, 0 eller större"))
        if problems:
            rejected.append(_rejection(i, problems))
            continue
        key = (month, area, values["age_band"], values["sex"], values["source"], values["signal_type"])
        counts.setdefault(key, []).append((i, int(n)))
    out = []
    for key, given in counts.items():
        if len({n for _, n in given}) == 1:
            # The same row twice (copied, or files put together): counted once.
            out.append((*key, given[0][1]))
            rejected += [Rejection(i, "count", f"samma signal och antal som rad {given[0][0]} (dubblett); "
                                               "räknas en gång") for i, _ in given[1:]]
        else:
            # Two counts for one month, area and category: summing could count a case twice
            # and either count alone could be the wrong one, so neither is stored.
            listed = ", ".join(f"rad {i}: {n}" for i, n in given)
            rejected += [Rejection(i, "count", f"olika antal för samma månad, område, ålder, kön, källa och "
                                               f"signaltyp ({listed}); ingen av dem lästes in. Skriv summan i "
                                               "en rad om de räknar olika fall, annars bara det rätta antalet")
                         for i, _ in given]
    frame = pd.DataFrame(out, columns=["month", "area_code", "age_band", "sex", "source", "signal_type", "count"])
    return ReadResult("signal-csv", "recruitment_signal", {"recruitment_signal": frame}, rejected)


# A name that says it is a kommun's: 'Västerås kommun', 'Västerås stad', 'Gotlands kommun'.
_KOMMUN_NAMED = re.compile(r"(?i)\s(kommun|stad)$")


def _signal_area(gz, text: str) -> str | None:
    """The area a signal row names: an LPO's code or name, else a kommun's. Signals are
    mostly recorded per LPO, so a bare name that is both (Västerås, Uppsala: about sixty
    LPOs bear the name of their largest kommun) is the LPO; a name that says it is the
    kommun ('Västerås kommun', as the socialtjänst's exports name it) is the kommun.
    Before, 'Västerås kommun' was stored as the LPO, which also covers Surahammar and
    Skinnskatteberg, and Västerås kommun showed no signals of its own."""
    if _KOMMUN_NAMED.search(text.strip()):
        return gz.kommun_code(text) or gz.lpo_code(text)
    return gz.lpo_code(text) or gz.kommun_code(text)


# 'mars 2025', 'mar 2025', 'mar. 2025', 'sept 2025', 'mar-25' (Excel's mmm-åå); a name is
# its full form or its first three letters ('sept' for september too).
_MONTH_BY_NAME = re.compile(
    r"(?i)(?P<name>" + "|".join([*MONTHS, *(m[:3] for m in MONTHS), "sept"]) + r")\.?(?:\s+|\s*-\s*)(?P<year>\d{4}|\d{2})")


def _rejection(row: int, problems: list[tuple[str, str]]) -> Rejection:
    """One rejected row with all its problems: under the first problem's column, the
    others named by theirs ("ogiltigt år; status: okänd status …"); past three, only the
    further columns (a row cut short lacks most of them)."""
    (column, reason), *more = problems
    text = "; ".join([reason, *(f"{c}: {r}" for c, r in more[:2])])
    if len(more) > 2:
        text += f"; även {', '.join(c for c, _ in more[2:])}"
    return Rejection(row, column, text)


def _parse_month(text: str) -> date:
    """The first day of the month ``text`` names: '2025-03' and '2025-3' as documented, and
    as exports and Excel write it: a date in the month ('2025-03-31', also with a time at
    midnight from a database, '2025-03-01 00:00:00', '2025-03-01T00:00:00Z'), '2025/03',
    '2025.03', '03/2025' and '3.2025', SCB's '2025M03', '202503' and an
    Excel serial date ('45717' is 2025-03-01, written when the column lost its date
    format). A month by its Swedish name or abbreviation too: 'mars 2025', 'Mar 2025' and
    'mar-25', as Swedish Excel shows a month cell (format mmm-åå) and saves it in a CSV.
    Raises ValueError for anything else, a month 13 or a day the month lacks."""
    text = text.strip()
    named = _MONTH_BY_NAME.fullmatch(text)
    if named:
        name, year = named["name"].lower(), named["year"]
        number = next(i for i, full in enumerate(MONTHS, start=1) if full == name or full.startswith(name[:3]))
        return date(int(year) if len(year) == 4 else 2000 + int(year), number, 1)
    if re.fullmatch(EXCEL_SERIAL, text):
        return (date(1899, 12, 30) + timedelta(days=int(float(text.replace(",", "."))))).replace(day=1)
    text = re.sub(r"[ T]00:00(:00(\.0+)?)?(?:Z|[+-]00:?00)?$", "", text)
    # The month before the year ('03/2025', '3.2025'), as Swedish reports and some
    # systems write a month: a four-digit year leaves no doubt which is which.
    month_first = re.fullmatch(r"(\d{1,2})[/.](\d{4})", text)
    if month_first:
        return date(int(month_first[2]), int(month_first[1]), 1)
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?|[/.](\d{1,2})|M(\d{2})|(\d{2}))", text)
    if not m:
        raise ValueError(text)
    year, month = int(m[1]), int(m[2] or m[4] or m[5] or m[6])
    if m[3]:
        date(year, month, int(m[3]))  # the day must exist
    return date(year, month, 1)


def _read_measures(file: str, header: list[str], rows: list[list[str]], ctx: ReadContext,
                   first: int) -> ReadResult:
    gz = ctx.gazetteer
    plans: dict[str, dict] = {}
    measures, followups, rejected = [], [], []
    areas = {a.lower(): a for a in (*cat.PRIORITISED_AREAS, cat.OWN_AREA)}
    for i, raw in enumerate(rows, start=first):
        if not any(v.strip() for v in raw):
            continue
        r = dict(zip(header, (v.strip() for v in raw), strict=False))
        problems: list[tuple[str, str]] = []  # every problem of the row
        kommun = gz.kommun_code(r["kommun_code"])
        if kommun is None:
            problems.append(("kommun_code", "okänd kommunkod"))
        # A plan for two years ('2025–2026', '2025/26') is the first year's, as in the workbook.
        span = re.fullmatch(r"\s*(\d{4})\s*[-–/]\s*(\d{2}|\d{4})\s*", r["year"])
        year = int(span[1]) if span else parse_number(r["year"])
        if year is None or not 2015 <= year <= date.today().year + 1:
            problems.append(("year", "ogiltigt år"))
        status = _measure_status(r["status"]) if r["status"] else "ej bedömd"
        if status is None:
            problems.append(("status", f"okänd status; tillåtna: {', '.join(cat.MEASURE_STATUSES)}"))
        area = areas.get(r["prioritised_area"].lower(), r["prioritised_area"] or None)
        if not area:
            problems.append(("prioritised_area", "prioriterat område saknas"))
        if not r["title"]:
            problems.append(("title", "åtgärdens titel saknas"))
        lpos = [gz.lpo_code(x) for x in re.split(r"[|,]", r.get("lpo_codes", "")) if x.strip()]
        if None in lpos:
            problems.append(("lpo_codes", "okänt lokalpolisområde"))
        if problems:
            rejected.append(_rejection(i, problems))
            continue
        org = r["organisation"] or gz.name(kommun)
        plan_id = plan_id_for(kommun, org, int(year))
        plans.setdefault(plan_id, dict(plan_id=plan_id, organisation=org, kommun_code=kommun,
                                       lpo_codes=lpos, year=int(year), source_file=file,
                                       metadata_from="kolumner i filen"))
        measure_id = r.get("measure_id") or f"{plan_id}:{i}"
        measures.append(dict(
            measure_id=measure_id, plan_id=plan_id, prioritised_area=area, problem=r.get("problem") or None,
            cause=r.get("cause") or None, title=r["title"], description=r.get("description") or None,
            operational_goal=r.get("operational_goal") or None, due=r.get("due") or None,
            responsible=r.get("responsible") or None,
            is_line_work=r.get("is_line_work", "").lower() in ("1", "true", "ja", "sant", "x"),
            status=status, source_sheet=None, source_row=i,
        ))
        for rnd in cat.FOLLOWUP_ROUNDS:
            given = r.get(f"status_{rnd.lower()}", "")
            if given:
                st = _measure_status(given)
                if st is None:
                    rejected.append(Rejection(i, f"status_{rnd.lower()}", "okänd status i uppföljningen"))
                    continue
                followups.append(dict(measure_id=measure_id, followup_date=None, round=rnd, text="", status=st))
    frames = {
        "plan": pd.DataFrame(list(plans.values())),
        "measure": pd.DataFrame(measures),
        "measure_followup": pd.DataFrame(followups, columns=["measure_id", "followup_date", "round", "text", "status"]),
    }
    return ReadResult("measure-csv", "measure", frames, rejected, replace_plans=list(plans))


def _measure_status(text: str) -> str | None:
    """A measure's status in its documented spelling, or as people write it in the
    workbook's Status column too ('Pågår', 'Klar', 'GENOMFÖRD.'; followup.stated_status,
    the one word table); None if the text states no status."""
    plain = text.strip().lower()
    return plain if plain in cat.MEASURE_STATUSES else stated_status(text)


def plan_id_for(kommun_code: str, organisation: str, year: int) -> str:
    """A stable plan id: kommun, a slug of the organisation and the year."""
    slug = re.sub(r"[^a-z0-9åäö]+", "-", organisation.lower()).strip("-")[:60]
    return f"{kommun_code}-{slug}-{year}"


# --- incidents: bulk, checked in DuckDB -------------------------------------------------

def _read_incidents(path: Path, ctx: ReadContext, container: str) -> ReadResult:
    con = ctx.con
    file = path.name
    shifted = None
    if container == "parquet":
        src = f"read_parquet('{_q(path)}')"
        described = con.execute(f"DESCRIBE SELECT * FROM {src}").fetchall()
        if any(_column_name(name) != str(name).lower() for name, *_ in described):
            # A name with a byte order mark or spaces around it is read as a CSV header's.
            src = (f"(SELECT {', '.join(f'{_identifier(str(n))} AS {_identifier(_column_name(n))}' for n, *_ in described)}"
                   f" FROM {src})")
            described = [(_column_name(name), *rest) for name, *rest in described]
        cols = [str(name).lower() for name, *_ in described]
        # pandas writes a column of whole numbers with a gap in it as floats (180.0): such
        # numbers are read as the integers they are, so 180.0 is the kommun code 0180 and
        # an id 17.0 is '17' as in a CSV export of the same data.
        floats = [name for name, typ, *_ in described if typ in ("FLOAT", "DOUBLE") or typ.startswith("DECIMAL")]
        if floats:
            src = f"(SELECT * REPLACE ({', '.join(_whole_number_as_text(c) for c in floats)}) FROM {src})"
        row_offset = 0
        _check_header(file, cols, "incident")
    else:
        path, delim = _utf8_copy(path, ctx.scratch_dir)
        # DuckDB's parallel reader cannot pad short rows in a file with quoted line breaks
        # (a cell with Alt+Enter in Excel); such a file is read in one thread.
        quoted = _has_quote(path)
        serial = ", parallel=false" if quoted else ""
        # No skip= here: given at all (even 0) it stops DuckDB's sniffer from settling on the
        # header itself, and a row with more fields than the header (a trailing ';') made
        # the file unreadable.
        # NULL (quoted or not) is an empty cell, as SQL Server, Access and other database
        # exports write one, and so is NA, as R's write.csv writes one; read as text, an
        # empty LPO or grid cell rejected the row (and NA was stored as the source's name).
        options = (f"delim='{_q(delim)}', header=true, all_varchar=true, strict_mode=false, "
                   f"null_padding=true, nullstr=['', 'NULL', 'NA']{serial}")
        try:
            cols = [c.lower() for c in
                    con.execute(f"DESCRIBE SELECT * FROM read_csv('{_q(path)}', {options})").df()["column_name"]]
        except duckdb.Error as exc:
            raise _unreadable_csv(file, exc) from None
        # DuckDB drops the fields of a row beyond the columns it reads. A value there means
        # the row has more fields than the header: a delimiter in a cell without quotes,
        # which moved the values after it into the wrong columns. So the header's columns
        # are named, then the fields after them: every column the sniffer added (it adds
        # unnamed ones when the rows it samples are longer) and at least EXTRA_FIELDS, for
        # wider rows below its sample. A trailing ';' leaves those fields empty.
        header = _header_names(path, delim)
        width = len(header)
        extra = [f"{EXTRA_FIELD}_{n}" for n in range(1, max(EXTRA_FIELDS, len(cols) - width) + 1)]
        cols = cols[:width]
        # DuckDB renames a name given twice ('kommun_code_1', also for 'Kommun_Code' beside
        # 'kommun_code'), which left the second column unread: the header's own names are
        # checked for that, DuckDB's for the rest.
        _check_header(file, [h for h in header if h], "incident")
        _check_header(file, cols, "incident")
        names = ", ".join(f"'{_q(c)}'" for c in [*cols, *extra])
        src = f"read_csv('{_q(path)}', {options}, names=[{names}])"
        shifted = Shifted(extra, width + 1, _shifted_reason(delim))
        row_offset = 1
    optional = {c: (c if c in cols else "NULL") for c in COLUMNS["incident"]["optional"]}
    # Columns the format does not use (a comment, a case number) are not stored, but a
    # personnummer in them refuses the file as in any other cell: they are screened too.
    # Named as the header names them; an empty header cell by its field number.
    known = {*COLUMNS["incident"]["required"], *COLUMNS["incident"]["optional"]}
    named = header if container == "csv" else cols
    others = {c: (named[j] or f"fält {j + 1}") for j, c in enumerate(cols) if c not in known}
    # One pass over the file computes every row's stored form and what needs no look-up:
    # the timestamp, the kommun code's form, the grid code's form, the first problem found
    # without a look-up (_form) and the personnummer screen. Only this table is
    # materialised, and only with those columns (a wider staging table spilled to disk
    # under the load's memory limit at national scale). The look-ups (kommun, LPO) are
    # joined by the views below as they are read: with a join in its plan DuckDB writes the
    # table in parallel without keeping the file's order (seen from a few million rows up:
    # rejected rows were recorded under other rows' numbers), and the rowid must follow
    # the file.
    # The screen runs one regex per row over the cells that can hold a number: the id, the
    # free text (source), the LPO code, and any other cell whose form is not valid (a valid
    # timestamp or type, a kommun code under ten characters or a 7/13-digit grid code has
    # no run of ten digits). Only the rows it flags keep their raw cells (_pn), for the
    # exact check in Python.
    try:
        con.execute(staging_sql(src, optional, shifted, list(others)), STAGING_PARAMS)
    except duckdb.Error as exc:
        raise _unreadable_csv(file, exc) from None
    gated = ["incident_id", "occurred_at", "incident_type", "kommun_code", "lpo_code", "grid_cell", "source"]
    if shifted:
        gated += [f"fält {shifted.first_field + i}" for i in range(len(shifted.columns))]
    gated += list(others.values())
    # The file's row number comes from the temp table's rowid (a plain scan keeps the file's
    # order; a row_number() window over millions of rows costs more than the read itself).
    # Rows written inside a transaction number from an offset, hence the first rowid. Cells
    # are joined with '|', which the pattern cannot span: joined with spaces, an id ending
    # in six digits and a timestamp's year looked like a personnummer in every row.
    first_rowid, rows, records = con.execute(
        "SELECT coalesce(min(rowid), 0), count(*) FILTER (WHERE NOT _blank), count(*) FROM _inc_raw").fetchone()
    row_offset += 1 - first_rowid
    # DuckDB skips empty lines, so the rows below one are numbered a row too high. The
    # empty lines are looked for only when a row number is to be shown (most files reject
    # nothing).
    blank_lines = functools.cache(lambda: _empty_lines(path, records, delim) if container == "csv" else [])
    candidates = con.execute(
        f"SELECT rowid + {row_offset} AS _row, _pn FROM _inc_raw WHERE _pn IS NOT NULL ORDER BY _row")
    while batch := candidates.fetchmany(10_000):
        for row, values in batch:
            for col, value in zip(gated, values, strict=True):
                if contains_personnummer(value or ""):
                    raise PersonnummerFound(file, f"rad {_file_row(row, blank_lines())}, kolumn '{col}'")
    # Views, not copies: the rejected rows are found in one read of _inc_raw and the insert
    # reads the accepted rows in another.
    rejected, unknown_kommun, unknown_lpo = _check_incidents(con, row_offset, ctx.gazetteer, names=False)
    # Exports often name the kommun ('Malmö', 'Upplands-Väsby') where a code belongs, and
    # the LPO as the police write it ('LPO Malmö Norr', 'Järva'). Only the few distinct
    # values of rejected rows that are no codes are looked up, by the gazetteer (the one
    # place for name rules), so a file of codes costs nothing more; when some are names,
    # small name -> code tables are joined in and the rows checked again.
    names = {given: code for given in unknown_kommun if (code := ctx.gazetteer.kommun_code(given))}
    # An LPO's name as people in its kommun write it ('Centrum' in Göteborg) needs the kommun.
    lpo_names = {(given, kommun): code for given, kommun in
                 {(given, names.get(kommun, kommun)) for given, kommun in unknown_lpo}
                 if (code := ctx.gazetteer.lpo_code(given, kommun if ctx.gazetteer.is_code(kommun or "", "kommun")
                                                    else None))}
    if names or lpo_names:
        con.execute("CREATE OR REPLACE TEMP TABLE _inc_kommun_name (given VARCHAR, kommun_code VARCHAR)")
        con.executemany("INSERT INTO _inc_kommun_name VALUES (?, ?)", list(names.items()) or [(None, None)])
        con.execute("CREATE OR REPLACE TEMP TABLE _inc_lpo_name (given VARCHAR, kommun_code VARCHAR, lpo_code VARCHAR)")
        con.executemany("INSERT INTO _inc_lpo_name VALUES (?, ?, ?)",
                        [(*key, code) for key, code in lpo_names.items()] or [(None, None, None)])
        rejected, _, _ = _check_incidents(con, row_offset, ctx.gazetteer, names=True)
    if rejected and blank_lines():
        rejected = [dataclasses.replace(r, row_number=_file_row(r.row_number, blank_lines())) for r in rejected]
    con.execute(
        """
        CREATE OR REPLACE TEMP VIEW _inc_ok AS
        SELECT incident_id, ts AS occurred_at, incident_type, kcode AS kommun_code, lan_code,
               coalesce(lpo_code, CASE WHEN n_lpo = 1 THEN only_lpo END) AS lpo_code,
               grid_cell, source, NULL::VARCHAR AS source_type
        FROM _inc_checked WHERE _problem IS NULL AND NOT _blank
        """
    )

    def repeated(ids: list[str]) -> list[Rejection]:
        """The rows of ids the file gives more than once with different content (the
        insert finds them; rare, so their rows are looked up only then)."""
        found = con.execute("SELECT _row, incident_id FROM _inc_checked WHERE _problem IS NULL AND NOT _blank "
                            "AND list_contains(?, incident_id) ORDER BY _row", [ids]).fetchall()
        rows_of: dict[str, list[int]] = {}
        for row, given in found:
            rows_of.setdefault(given, []).append(_file_row(row, blank_lines()) if blank_lines() else row)
        return [Rejection(row, "incident_id",
                          f"samma id på {len(where)} rader med olika tid, typ, plats eller källa (rad "
                          f"{', '.join(map(str, where))}); ingen av dem lästes in. Behåll bara den rätta raden")
                for where in rows_of.values() for row in where]

    # Every row of _inc_raw is either rejected or offered: counting _inc_ok would run the
    # look-ups over every row once more.
    return ReadResult(f"incident-{container}", "incident", {"incident": "_inc_ok"}, rejected,
                      scratch=["_inc_ok", "_inc_checked", "_inc_kommun_name", "_inc_lpo_name", "_inc_raw"],
                      offered=rows - len(rejected), repeated=repeated)


def _check_incidents(con, row_offset: int, gazetteer,
                     names: bool) -> tuple[list[Rejection], set[str], set[str]]:
    """(Re)define the view ``_inc_checked`` (each staged row with its look-ups and first
    problem) and read its rejected rows. With ``names`` the kommun and LPO cells are first
    resolved through ``_inc_kommun_name`` and ``_inc_lpo_name`` (names given for codes).
    Returns the rejections, the distinct kommun cells rejected as unknown codes and the
    distinct (LPO cell, kommun cell) of rejected rows whose LPO cell is no LPO code."""
    if names:
        staged = f"""
            SELECT r.* REPLACE (coalesce(n.kommun_code, r.kcode) AS kcode, coalesce(m.lpo_code, r.lpo_code) AS lpo_code),
                   r.rowid + {int(row_offset)} AS _row
            FROM _inc_raw r LEFT JOIN _inc_kommun_name n ON n.given = r.kcode
                            LEFT JOIN _inc_lpo_name m ON m.given = r.lpo_code
                                AND m.kommun_code IS NOT DISTINCT FROM coalesce(n.kommun_code, r.kcode)"""
    else:
        staged = f"SELECT *, rowid + {int(row_offset)} AS _row FROM _inc_raw"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP VIEW _inc_checked AS
        WITH staged AS ({staged}
        ), joined AS (
            SELECT p.*, k.parent_code AS lan_code, lk.n_lpo, lk.only_lpo,
                   x.lpo_code IS NOT NULL AS lpo_ok
            FROM staged p
            LEFT JOIN area k ON k.area_code = p.kcode AND k.level = 'kommun'
            LEFT JOIN (SELECT kommun_code, count(*) AS n_lpo, min(lpo_code) AS only_lpo
                       FROM lpo_kommun GROUP BY kommun_code) lk ON lk.kommun_code = p.kcode
            LEFT JOIN lpo_kommun x ON x.kommun_code = p.kcode AND x.lpo_code = p.lpo_code
        )
        SELECT *,
            CASE
                WHEN _blank THEN NULL
                WHEN _form IS NOT NULL THEN _form
                WHEN lan_code IS NULL AND coalesce(kcode, '') = '' THEN 'kommun_code|kommunkod saknas'
                WHEN lan_code IS NULL THEN '{UNKNOWN_KOMMUN}'
                WHEN lpo_code IS NOT NULL AND NOT lpo_ok THEN '{LPO_ELSEWHERE}'
                WHEN NOT grid_ok THEN 'grid_cell|ogiltig rutkod (SCB:s 1 km-rutor)'
            END AS _problem
        FROM joined
        """
    )
    rejected, unknown_kommun, unknown_lpo = [], set(), set()
    found = con.execute(
        f"SELECT _row, _problem, CASE WHEN _problem = '{UNKNOWN_KOMMUN}' THEN kcode END, lpo_code, kcode "
        "FROM _inc_checked WHERE _problem IS NOT NULL ORDER BY _row")
    while batch := found.fetchmany(10_000):
        for row, problem, kommun, lpo, kcode in batch:
            # An LPO code that exists nowhere is named as such, not as one elsewhere (a look-up
            # for the few rejected rows instead of a join over every row).
            known_lpo = lpo is None or gazetteer.is_code(lpo, "lpo")
            if problem == LPO_ELSEWHERE and not known_lpo:
                problem = UNKNOWN_LPO
            column, reason = problem.split("|", 1)
            rejected.append(Rejection(row, column, reason))
            if kommun is not None:
                unknown_kommun.add(kommun)
            if not known_lpo:
                unknown_lpo.add((lpo, kcode))
    return rejected, unknown_kommun, unknown_lpo


UNKNOWN_KOMMUN = "kommun_code|okänd kommunkod"
LPO_ELSEWHERE = "lpo_code|lokalpolisområdet täcker inte kommunen"
UNKNOWN_LPO = "lpo_code|okänt lokalpolisområde (se data/reference/lpo.csv)"


# The fields past the header's last are read as columns named EXTRA_FIELD_1, _2, …: at
# least EXTRA_FIELDS of them, so a value up to that many fields past the header is seen
# in any row (a row wider than that, below the rows DuckDB's sniffer samples, would keep
# its fields past them unseen: DuckDB drops them).
EXTRA_FIELD = "_field_after_header"
EXTRA_FIELDS = 8


@dataclasses.dataclass(frozen=True)
class Shifted:
    """How staging_sql finds a row with more fields than the header: the columns of the
    fields past the header (in order), the first one's field number, and the reason."""
    columns: list[str]
    first_field: int
    reason: str


def _first_value_past_header(shifted: Shifted) -> str:
    """SQL for the number of the first field past the header that holds a value, else NULL.
    In most rows every such field is NULL (DuckDB reads an empty field so): the coalesce
    settles those without trimming a cell."""
    cases = " ".join(f"WHEN trim({c}) <> '' THEN {shifted.first_field + i}" for i, c in enumerate(shifted.columns))
    return f"CASE WHEN coalesce({', '.join(shifted.columns)}) IS NULL THEN NULL {cases} END"


def staging_sql(src: str, optional: dict[str, str], shifted: Shifted | None = None,
                others: list[str] = ()) -> str:
    """The one statement that stages an incident file as ``_inc_raw`` (see _read_incidents).

    With ``shifted``, ``src`` has the columns of the fields past the header and a row with
    a value in one of them is rejected for its reason, under the first such field's
    number ('fält 9'). ``others`` are the file's columns the format does not use: never
    stored, only screened for personnummer (kept in _pn after the fields past the header).

    Its plan must hold no join: DuckDB then writes the table in the file's order, and the
    file's row numbers are read from the rowid (tests/test_loading.py checks the plan).
    Parameters: $formats, $offset_formats, $offset_nanosecond_formats, $nanosecond_formats,
    $offset_suffix, $excel_serial, $ambiguous_date, $zone, $types, $grid and $pn_screen (STAGING_PARAMS).
    """
    # An Excel serial date is stored only as the time it stands for, so its digits never
    # reach the database; written with all its decimals, its fraction forms a valid
    # personnummer in about one cell in 130, which refused whole files. It is not screened.
    screened_time = "CASE WHEN NOT regexp_matches(occurred_at, $excel_serial) THEN occurred_at END"
    # 'Z' and ' UTC' as '+00:00', and without the space SQL Server writes before the offset
    offset_time = r"regexp_replace(regexp_replace(occurred_at, '(?:[Zz]| ?(?:UTC|GMT))$', '+00:00'), ' ([+-]\d)', '\1')"
    # The fields past the header are screened in the rows that have a value there, and
    # kept in _pn after the seven cells (CSV only).
    extra = "".join(f", {c}" for c in shifted.columns) if shifted else ""
    screened_extra = f", CASE WHEN _shifted IS NOT NULL THEN concat_ws('|'{extra}) END" if shifted else ""
    other = "".join(f", _other_{n}" for n in range(len(others)))
    other_cells = "".join(f", CAST({_identifier(c)} AS VARCHAR) AS _other_{n}" for n, c in enumerate(others))
    return rf"""
            CREATE OR REPLACE TEMP TABLE _inc_raw AS
            WITH cells AS (
                SELECT {_trim("incident_id")} AS incident_id,
                       {_trim("occurred_at")} AS occurred_at,
                       lower({_trim("incident_type")}) AS incident_type,
                       {_trim("kommun_code")} AS kommun_code,
                       -- 'lpo-farsta', 'LPO Farsta', 'LPO_FARSTA' spell LPO-FARSTA. A code written
                       -- 'LPO-…' (nearly every row) cannot match the pattern: only upper() is needed
                       -- (the replace on every row was a twentieth of this statement's time).
                       nullif(CASE WHEN starts_with({_trim(optional['lpo_code'])}, 'LPO-')
                                   THEN upper({_trim(optional['lpo_code'])})
                                   ELSE regexp_replace(upper({_trim(optional['lpo_code'])}), '^LPO[ _]+', 'LPO-')
                              END, '')
                           AS lpo_code,
                       nullif({_trim(optional['grid_cell'])}, '') AS grid_cell,
                       nullif({_trim(optional['source'])}, '') AS given_source,
                       {_first_value_past_header(shifted) if shifted else "NULL"} AS _shifted{extra}{other_cells}
                FROM {src}
            ), formed AS (
                SELECT * EXCLUDE (given_source),
                       coalesce(given_source, 'egen fil') AS source,
                       -- a row whose cells were cleared, not deleted (';;;' from Excel)
                       coalesce(incident_id, '') = '' AND coalesce(occurred_at, '') = ''
                           AND coalesce(incident_type, '') = '' AND coalesce(kommun_code, '') = ''
                           AND lpo_code IS NULL AND grid_cell IS NULL AND given_source IS NULL AS _blank,
                       try_strptime(occurred_at, $formats) AS plain_ts,
                       CASE WHEN length(kommun_code) = 3 AND regexp_full_match(kommun_code, '\d{{3}}')
                            THEN '0' || kommun_code
                            ELSE kommun_code END AS kcode,
                       -- list_position, not list_contains: the optimiser turns a list test into a
                       -- join, and a join here lets the parallel write reorder the rows (rowid
                       -- would no longer follow the file). NULL stays NULL, as before.
                       CASE WHEN incident_type IS NOT NULL
                            THEN list_position($types, incident_type) IS NOT NULL END AS type_ok,
                       grid_cell IS NULL OR regexp_matches(grid_cell, $grid) AS grid_ok
                FROM cells
            ), timed AS (
                -- coalesce evaluates its second argument only for the rows whose first is
                -- NULL: plain timestamps (the common case) never reach the offset formats.
                SELECT *, coalesce(plain_ts, CASE WHEN regexp_matches(occurred_at, $offset_suffix)
                              THEN timezone($zone, coalesce(try_strptime({offset_time}, $offset_formats),
                                                            try_strptime({offset_time}, $offset_nanosecond_formats)
                                                                ::TIMESTAMPTZ)) END,
                              try_strptime(occurred_at, $nanosecond_formats)::TIMESTAMP,
                              try_strptime({_rewritten("occurred_at")}, $formats),
                              CASE WHEN regexp_matches(occurred_at, $excel_serial)
                                   THEN TIMESTAMP '1899-12-30' + to_microseconds(
                                       round(replace(occurred_at, ',', '.')::DOUBLE * 86400)::BIGINT * 1000000)
                              END) AS ts
                FROM formed
            )
            SELECT incident_id, ts, incident_type, kcode, lpo_code, grid_cell, source, grid_ok, _blank,
                   CASE
                       WHEN _blank THEN NULL
                       WHEN _shifted IS NOT NULL
                           THEN 'fält ' || _shifted || '|{(shifted.reason if shifted else "").replace("'", "''")}'
                       WHEN incident_id IS NULL OR incident_id = '' THEN 'incident_id|id saknas'
                       WHEN ts IS NULL AND regexp_matches(occurred_at, $ambiguous_date)
                           THEN 'occurred_at|dag och månad kan inte skiljas åt (01/03/2026 kan vara 1 mars eller '
                                || '3 januari); skriv datumet ÅÅÅÅ-MM-DD'
                       -- a header repeated where files were put together (each with its byte order
                       -- mark, as `cat` joins them); a spreadsheet's total row
                       WHEN ts IS NULL AND lower(replace(incident_id, chr(65279), '')) = 'incident_id'
                           THEN 'incident_id|rubrikraden upprepas (filer som satts ihop); raden är ingen händelse'
                       WHEN ts IS NULL AND regexp_matches(incident_id, '{TOTAL_ROW}')
                           THEN 'incident_id|summeringsrad (' || incident_id || '), ingen händelse'
                       WHEN ts IS NULL AND coalesce(occurred_at, '') = '' THEN 'occurred_at|tidpunkt saknas'
                       WHEN ts IS NULL THEN 'occurred_at|ogiltig tidpunkt (skriv ÅÅÅÅ-MM-DD TT:MM:SS)'
                       WHEN ts > now()::TIMESTAMP + INTERVAL 1 DAY THEN 'occurred_at|tidpunkten ligger i framtiden'
                       -- an empty type cell (NULL: type_ok is NULL, so the row was offered and its
                       -- insert broke the load on the column's NOT NULL)
                       WHEN coalesce(incident_type, '') = '' THEN 'incident_type|händelsetyp saknas (se docs/formats.md)'
                       WHEN NOT type_ok THEN 'incident_type|okänd händelsetyp (se docs/formats.md)'
                   END AS _form,
                   CASE WHEN regexp_matches(concat_ws('|', incident_id, source, lpo_code,
                                                      -- not only plain timestamps: any text
                                                      -- read by the offset formats is screened
                                                      CASE WHEN plain_ts IS NULL THEN {screened_time} END,
                                                      CASE WHEN NOT type_ok THEN incident_type END,
                                                      CASE WHEN length(kommun_code) >= 10 THEN kommun_code END,
                                                      CASE WHEN NOT grid_ok OR starts_with(grid_cell, '1km')
                                                           THEN grid_cell END{screened_extra}{other}),
                                            $pn_screen)
                        THEN [incident_id, {screened_time}, incident_type, kommun_code, lpo_code, grid_cell, source{extra}{other}]
                   END AS _pn
            FROM timed"""


STAGING_PARAMS = {"formats": TIMESTAMP_FORMATS, "offset_formats": OFFSET_TIMESTAMP_FORMATS,
                  "offset_nanosecond_formats": OFFSET_NANOSECOND_FORMATS,
                  "nanosecond_formats": NANOSECOND_FORMATS,
                  "offset_suffix": OFFSET_SUFFIX, "excel_serial": EXCEL_SERIAL, "ambiguous_date": TIMESTAMP_AMBIGUOUS,
                  "zone": LOCAL_TIME_ZONE, "types": list(cat.INCIDENT_TYPES), "grid": GRID_CELL.pattern,
                  "pn_screen": personnummer.SCREEN}


def _identifier(name: str) -> str:
    """``name`` as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def _rewritten(column: str) -> str:
    """SQL for ``column`` with TIMESTAMP_REWRITES applied in order (their patterns inlined
    as constants, so DuckDB compiles each once)."""
    sql = column
    for pattern, replacement in TIMESTAMP_REWRITES:
        sql = f"regexp_replace({sql}, '{pattern}', '{replacement}')"
    return sql


def _trim(column: str) -> str:
    """SQL for ``trim(column)`` as VARCHAR that copies only the cells it changes.

    trim() strips Unicode space separators and builds a new string for every cell, which
    over millions of cells cost more than parsing the file. A cell that is pure ASCII
    (as many bytes as characters) and neither starts nor ends with a space is returned as
    it is: the only ASCII space separator is the space itself.
    """
    cell = f"CAST({column} AS VARCHAR)"
    return (f"CASE WHEN {cell} LIKE ' %' OR {cell} LIKE '% ' OR strlen({cell}) <> length({cell}) "
            f"THEN trim({cell}) ELSE {cell} END")


def _unreadable_csv(file: str, exc: duckdb.Error) -> FileRejected:
    """The refusal for a CSV file DuckDB could not read, in the user's words where we know
    the cause. Only the error's first line is used: the rest quotes the row's content."""
    first = str(exc).splitlines()[0]
    line = re.search(r"Line: (\d+)", first)
    if "Invalid unicode" in str(exc) and line:
        # UTF-8 in its first MiB (where the encoding is decided), yet not here: a file put
        # together from several exports, one of them saved as Windows-1252 (ANSI).
        return FileRejected(file, "raden är inte UTF-8-kodad, fast filens början är det (troligen är en del av "
                                  "filen sparad som ANSI/Windows-1252). Spara hela filen som CSV UTF-8 och läs "
                                  "in den igen.", int(line[1]))
    if "Maximum line size" in str(exc):
        return FileRejected(file, "en rad är längre än 2 MB: troligen ett citattecken (\") som inte avslutas, "
                                  "eller en fil som inte är CSV. Rätta filen och läs in den igen.")
    return FileRejected(file, f"filen kunde inte läsas som CSV ({first[:160]}). "
                              "Kontrollera att den är hel och sparad som CSV.")


def _whole_number_as_text(name: str) -> str:
    """SQL replacing the numeric column ``name`` by its text, a whole number without its
    decimals ('180', not '180.0'); the bound keeps the cast to BIGINT from overflowing."""
    col = '"' + name.replace('"', '""') + '"'
    return (f"CASE WHEN {col} = trunc({col}) AND abs({col}) < 1e15 THEN CAST(CAST({col} AS BIGINT) AS VARCHAR) "
            f"ELSE CAST({col} AS VARCHAR) END AS {col}")


def _header_names(path: Path, delim: str) -> list[str]:
    """The fields of the header (the first line) of a UTF-8 CSV file, as column names:
    trimmed and in lower case, '' for an empty one."""
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as fh:
        return [name.strip().lower() for name in next(csv.reader([fh.readline()], delimiter=delim))]


# A quote with text on both sides ('24" från', 'sa "stick"'): in a cell without quotes it is
# text, and inside a quoted cell it would be doubled, so it is no quote that opens or
# closes a cell and the count of quotes before an empty line says nothing. Written to
# start with the quote itself, so the search skips to each quote (about 70 times faster).
STRAY_QUOTE = rb'"(?<=[^;,\t\r\n"]")(?=[^;,\t\r\n"])'


def _empty_lines(path: Path, records: int, delim: str) -> list[int]:
    """The rows of the empty lines ('' or a lone '\r') of a CSV file, in order, given the
    ``records`` DuckDB read from it (header not counted).

    Rows are numbered as Excel shows them: the header is row 1, an empty line is a row of
    its own and a record whose quoted cell holds a line break is one row; in a file
    without such a cell that is the line number. Counting the newlines tells whether there
    are any empty lines (a search for the empty lines themselves costs several times
    more); only then are they found, skipping those inside a quoted cell (an odd number of
    quotes before them). Only a file with a line break in a cell as well, or with an empty
    line taken as inside a cell that the count of lines does not confirm or beside a quote
    in the middle of a cell's text (STRAY_QUOTE, which makes the count of quotes wrong), is
    read line by line (_empty_rows_following_quotes).
    """
    with open(path, "rb") as fh:
        newlines, last = 0, b""
        for chunk in iter(lambda: fh.read(1 << 22), b""):
            # numpy counts a byte about three times as fast as bytes.count (0.2 s against
            # 0.6 s for the national file of 1.2 GB)
            newlines += int(np.count_nonzero(np.frombuffer(chunk, dtype=np.uint8) == 10))
            last = chunk[-1:]
    lines_in_file = newlines + (last != b"\n")
    # Every record takes a line at least, and every empty line one more.
    if lines_in_file == records + 1:
        return []
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        lines, line, quotes, counted, skipped = [], 1, 0, 0, False
        for m in re.finditer(rb"\n(?=\r?\n)", mm):
            # in pieces: a slice of an mmap is a copy, and the first empty line may lie at
            # the end of a file of gigabytes
            for at in range(counted, m.start() + 1, 1 << 22):
                piece = mm[at:min(at + (1 << 22), m.start() + 1)]
                line += piece.count(b"\n")
                quotes += piece.count(b'"')
            counted = m.start() + 1  # line is now the one after this newline
            if quotes % 2 == 0:
                lines.append(line)
            else:
                skipped = True
        stray = skipped and re.search(STRAY_QUOTE, mm) is not None
    # Rows are lines down to the first empty line when every empty line is accounted for
    # (or none was found and none taken as inside a cell). An empty line taken as inside a
    # quoted cell is confirmed only by the count: a quote that ends a cell's text
    # ('skärm 24"') made the count of quotes odd without opening a cell.
    if not stray and ((not lines and not skipped) or lines_in_file == records + 1 + len(lines)):
        return lines
    return _empty_rows_following_quotes(path, delim)


def _empty_rows_following_quotes(path: Path, delim: str) -> list[int]:
    """The rows (numbered as in _empty_lines) of the empty lines outside quoted cells; a
    line that starts inside a quoted cell continues its row."""
    rows, row, inside = [], 0, False
    sep = delim.encode()
    with open(path, "rb") as fh:
        for line in fh:
            if not inside:
                row += 1
                if not line.strip(b"\r\n"):
                    rows.append(row)
                    continue
            if inside or b'"' in line:
                inside = _ends_inside_quotes(line, sep, inside)
    return rows


def _ends_inside_quotes(line: bytes, sep: bytes, inside: bool) -> bool:
    """Whether ``line`` ends inside a quoted cell, given whether it starts inside one. As
    DuckDB reads a file: a quote opens a cell only as a field's first character (elsewhere,
    as in 'skärm 24"', it is text); inside the cell '""' is a quote and a lone '"' ends it."""
    at = 0
    while True:
        quote = line.find(b'"', at)
        if quote < 0:
            return inside
        if inside:
            if line[quote + 1:quote + 2] == b'"':
                at = quote + 2
                continue
            inside = False
        elif quote == 0 or line[quote - 1:quote] == sep:
            inside = True
        at = quote + 1


def _file_row(row: int, blank: list[int]) -> int:
    """The row (as _empty_lines numbers them) of the row DuckDB numbered ``row`` counting
    no empty lines: each empty line at or before the row moves it one row down."""
    shift = 0
    while (n := bisect_right(blank, row + shift)) != shift:
        shift = n
    return row + shift


def _has_quote(path: Path) -> bool:
    """True if the file holds a double quote anywhere (without one no field can span lines)."""
    with open(path, "rb") as fh:
        return any(b'"' in chunk for chunk in iter(lambda: fh.read(1 << 22), b""))


def _utf8_copy(path: Path, scratch_dir: Path | None) -> tuple[Path, str]:
    """The file as DuckDB should read it, and its delimiter: the file itself, or a copy (in
    ``scratch_dir``, which the load removes when it ends) in UTF-8 for a Windows-1252
    file, and without the first line for a file that starts with Excel's ``sep=;`` line
    (given DuckDB as a line to skip, it stops its sniffer from settling on the header)."""
    with open(path, "rb") as fh:
        head = fh.read(1 << 16)
    if not head.strip():
        raise FileRejected(path.name, "filen är tom.")
    first = decode(head, path.name).lstrip("\ufeff").split("\n", 1)[0]
    delim = excel_separator(first)
    sep_line = delim is not None
    delim = delim or sniff_delimiter(first)
    # A Windows-1252 (or Mac Roman) file shows itself in its first MiB in practice (å, ä, ö
    # in names).
    with open(path, "rb") as fh:
        sample = fh.read(1 << 20)
    try:
        sample.decode("utf-8")
        encoding = "utf-8"
    except UnicodeDecodeError as exc:
        # (a multi-byte character cut at the sample's end is still UTF-8)
        encoding = "utf-8" if exc.start > (1 << 20) - 4 else legacy_encoding(sample)
    if encoding == "utf-8" and not sep_line:
        return path, delim
    tmp = Path(scratch_dir or tempfile.mkdtemp(prefix="lagesbild-")) / path.name
    with (open(path, encoding=encoding, errors="replace", newline="") as src,
          open(tmp, "w", encoding="utf-8", newline="") as dst):
        if sep_line:
            src.readline()
        for chunk in iter(lambda: src.read(1 << 22), ""):
            dst.write(chunk)
    return tmp, delim

