"""SCB population per kommun, year, age and sex, from SCB's statistical database (PxWeb).

Reads what users download from the PxWeb web interface or the API (docs/sources/scb.md):

- CSV (comma, semicolon, tab or, as PxWebApi 2.0's SeparatorSpace writes it, a space;
  quoted or not; UTF-8 or Windows-1252), with or without
  title lines above the header and footnotes below it, in the long layout (a year
  column and a value column) or the wide one (one column per year: "2023",
  "Folkmängd 2023", "2024*");
- Excel (.xlsx, or an old .xls) saved from PxWeb, same layouts;
- JSON-stat 2 (``response.format = json-stat2``), as ``fetch scb`` saves it; JSON-stat 1
  and the plain json of the PxWeb API;
- PX (PC-Axis), PxWeb's "PX-fil", dense or with KEYS (sparse rows);
- PxWebApi 2.0's Parquet (``outputFormat=parquet``), read as its CSV with every variable
  in the rows (:func:`parquet_grid`).

Single ages are summed into :data:`pipelines.categories.POPULATION_AGE_BANDS`; a band is
stored only when every age in it is in the file. Rows for län and riket are skipped and
counted. The module also owns ``fetch scb`` (the PxWebApi 2.0 query for all kommuner, with
PxWeb API v1 as the fallback).

The grid helpers (:func:`file_grids`, :func:`gate_grid`) are shared with the Brå reader.
"""

from __future__ import annotations

import csv
import html.parser
import io
import itertools
import json
import re
import time
import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from pipelines.categories import POPULATION_AGE_BANDS
from pipelines.geography import Gazetteer
from pipelines.loading import FileRejected, ReadContext, ReadResult, Rejection
from pipelines.personnummer import PersonnummerFound, check_json, first_finding
from pipelines.readers import xls
from pipelines.readers.keyed import OneValuePerKey
from pipelines.readers.text import decode, parse_count, part_of_year, statistics_symbol, swedish_list

FORMATS = ("scb-csv", "scb-xlsx", "scb-json", "scb-px", "scb-html", "scb-parquet")
SOURCE = "SCB"
# PxWebApi 2.0, SCB's API since 2025 (docs/sources/scb.md): POST {API_V2}/tables/{TABLE_V2}/data.
API_V2 = "https://statistikdatabasen.scb.se/api/v2"
TABLE_V2 = "TAB638"  # Folkmängd efter region, civilstånd, ålder och kön (BefolkningNy in v1)
# PxWeb API v1, which SCB has announced it will retire: asked only when API 2.0 says the
# table or the address does not exist.
API_V1 = "https://api.scb.se/OV0104/v1/doris/sv/ssd/START/BE/BE0101/BE0101A/BefolkningNy"
CONTENTS_POPULATION = "BE0101N1"  # "Folkmängd" in BefolkningNy and in TAB638
MAX_CELLS_V2 = 150_000  # API 2.0's maxDataCells per request (its /config)
AGES_IN_TABLE = 102  # "0" … "99", "100+" and the total "tot": what Alder "*" selects
HEADER_SCAN_ROWS = 40
REQUEST_PAUSE_S = 0.5  # API 2.0 allows 30 requests per 10 seconds (v1 allowed 10)

# --- grids: CSV and XLSX as rows of text cells, shared with the Brå reader -----------------


@dataclass
class Grid:
    """A table as the user sees it: text cells, with the row numbers the file shows."""

    rows: list[list[str]]
    numbers: list[int | None]
    sheet: str | None = None
    # The header cells over the first columns were empty and are named from what the
    # columns hold (SCB's Excel saved without its title): see scb._name_stub_columns.
    stub_from_values: bool = False

    def where(self, i: int, col: int | None = None, name: str | None = None) -> str:
        """'rad 7, kolumn 'x'' or "blad 'Data', cell C7" for row index i."""
        row = self.numbers[i]
        if row == 0:  # a Parquet file's column names, which are no row of it
            return "kolumnnamnen" + (f", kolumn '{name}'" if name else "")
        if self.sheet is not None:
            cell = f", cell {_col_letter(col)}{row}" if col is not None else f", rad {row}"
            return f"blad '{self.sheet}'{cell}"
        # A row without a number: a PX file's header, or a KEYS file's row left out as zeros.
        return (f"rad {row}" if row is not None else "utanför dataraderna") + (f", kolumn '{name}'" if name else (f", kolumn {col + 1}" if col is not None else ""))

    def split_below(self, h: int) -> tuple[list[int], list[str]]:
        """The data rows below header row ``h`` (indexes), and the notes around them: the
        text above the header and every row below it with at most one filled cell."""
        notes = [" ".join(c for c in r if c) for r in self.rows[:h]]
        body = []
        for i in range(h + 1, len(self.rows)):
            filled = [c for c in self.rows[i] if c]
            if len(filled) > 1:
                body.append(i)
            elif filled:
                notes.append(filled[0])
        return body, notes


def _col_letter(col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_text(value) -> str:
    """A cell as text: numbers without a spurious '.0', dates as ISO, None as ''."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value).strip()


def is_xlsx(path: Path, head: bytes) -> bool:
    """Whether the file is an Excel workbook (.xlsx), by its content: a web export saved
    as 'export.xls' or given a '.csv' name is one too (it was refused as a workbook
    without the table's headers)."""
    if not head.startswith(b"PK\x03\x04"):
        return False
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return True
    try:
        with zipfile.ZipFile(path) as zf:
            return "xl/workbook.xml" in zf.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


def is_workbook(path: Path, head: bytes) -> bool:
    """Whether the file is an Excel workbook, .xlsx (:func:`is_xlsx`) or an old binary
    .xls (Excel 97–2003, as Brå's statistics pages and older SCB downloads still give
    tables), by its content."""
    return head.startswith(xls.OLE_MAGIC) or is_xml_spreadsheet(head) or is_xlsx(path, head)


_SPREADSHEET_ML = b"urn:schemas-microsoft-com:office:spreadsheet"


def is_xml_spreadsheet(head: bytes) -> bool:
    """Whether the file is Excel 2003's XML Spreadsheet (SpreadsheetML), which web systems'
    "Exportera till Excel" often write and name .xls."""
    start = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    return start.startswith(b"<?xml") and _SPREADSHEET_ML in head[:8192]


def workbook_kind(path: Path) -> str:
    """'xls', 'xml' (XML Spreadsheet 2003) or 'xlsx': what a workbook is, for the load log."""
    with open(path, "rb") as fh:
        head = fh.read(8192)
    return "xls" if head.startswith(xls.OLE_MAGIC) else "xml" if is_xml_spreadsheet(head) else "xlsx"


def _csv_delimiter(text: str) -> str:
    """The delimiter that gives the most rows the same (largest) number of fields.

    Title lines above the header hold commas in prose, so the first line cannot decide.
    """
    lines = [ln for ln in text.splitlines()[:200] if ln.strip()]
    best, best_score = ",", (0, 0)
    for delim in (";", "\t", ","):
        score = _delimiter_score(lines, delim)
        if score > best_score:
            best, best_score = delim, score
    if best_score == (0, 0):
        # PxWebApi 2.0's outputFormatParams=SeparatorSpace: each text in quotes ('"12 år"'),
        # the numbers bare, a space between. Only when no other delimiter makes a table:
        # cells hold spaces in every other file.
        score = _delimiter_score(lines, " ")
        if score[0] >= 2 and score[1] >= 3:
            return " "
    return best


def _delimiter_score(lines: list[str], delim: str) -> tuple[int, int]:
    """How many lines split by ``delim`` into the most common number of fields over one,
    and that number ((0, 0) when no line has two fields)."""
    counts = [len(r) for r in csv.reader(io.StringIO("\n".join(lines)), delimiter=delim)]
    wide = [c for c in counts if c > 1]
    if not wide:
        return 0, 0
    modal = max(set(wide), key=wide.count)
    return wide.count(modal), modal


def csv_grid(path: Path, data: bytes | None = None) -> Grid:
    """A CSV file as a grid, decoded (UTF-8 or Windows-1252) with its delimiter found."""
    text = decode(data if data is not None else path.read_bytes(), path.name).lstrip("\ufeff")
    rows, numbers = [], []
    try:
        # newline='': rows end at CR LF, LF or a lone CR (Excel for Mac's 'CSV'; before, such
        # a file was one line and no table was found in it)
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=_csv_delimiter(text))
        for n, row in enumerate(reader, start=1):
            rows.append([c.strip() for c in row])
            numbers.append(n)
    except csv.Error:  # a field over csv's limit (131 072 characters): no statistics table
        raise FileRejected(path.name, f"ett fält är längre än {csv.field_size_limit()} tecken. Korta texten "
                                      "eller ta bort kolumnen och läs in filen igen.",
                           len(rows) + 1 if rows else None) from None
    return Grid(rows, numbers)


_HTML_START = re.compile(rb"^\s*(?:<!doctype html[^>]*>|<html\b|<table\b|<\?xml|<meta\b|<head\b)", re.I)


def is_html_table(head: bytes) -> bool:
    """Whether the file is a web page holding a table (PxWeb's 'HTML' download)."""
    if is_xml_spreadsheet(head):
        return False  # its <Table> is Excel's, read by xml_spreadsheet_grids
    return bool(_HTML_START.match(head.removeprefix(b"\xef\xbb\xbf"))) and re.search(rb"<table\b", head, re.I) is not None


class _Tables(html.parser.HTMLParser):
    """The rows of a page's tables as text cells, a cell spanning columns (colspan) or rows
    (rowspan) written in its first column and row with empty cells after it, as a merged
    Excel cell reads; the title (caption, heading, else <title>) and the text between tables
    (footnotes) as rows of one cell."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self.page_title = ""
        self._text: list[str] | None = None  # the cell, caption or paragraph being read
        self._kind = ""
        self._row: list[str] | None = None
        self._span = 1
        self._down: dict[int, int] = {}  # column -> rows a rowspan still covers

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr":
            self._row = []
            self._fill_down()
        elif tag in ("td", "th") and self._row is not None:
            self._text, self._kind = [], "cell"
            self._span = _span(attrs.get("colspan"))
            rows = _span(attrs.get("rowspan"))
            if rows > 1:
                for k in range(self._span):
                    self._down[len(self._row) + k] = rows - 1
        elif tag in ("caption", "h1", "h2", "h3", "p", "title") and self._text is None:
            self._text, self._kind = [], tag
        elif tag == "br" and self._text is not None:
            self._text.append(" ")

    def _fill_down(self):
        while self._row is not None and self._down.get(len(self._row), 0) > 0:
            self._down[len(self._row)] -= 1
            self._row.append("")

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        text = " ".join("".join(self._text or []).split())
        if tag in ("td", "th") and self._kind == "cell" and self._row is not None:
            self._row += [text] + [""] * (self._span - 1)
            self._text = None
            self._fill_down()
        elif tag == "tr" and self._row is not None:
            if any(self._row):
                self.rows.append(self._row)
            self._row = None
        elif tag == self._kind and tag in ("caption", "h1", "h2", "h3", "p", "title"):
            if tag == "title":
                self.page_title = text
            elif text:
                self.rows.append([text])
            self._text = None


def _span(value) -> int:
    try:
        return max(1, min(int(str(value).strip()), 1000))
    except (TypeError, ValueError):
        return 1


def gate_page(path: Path) -> None:
    """A web page is screened whole, its text outside the tables too."""
    import html as entities

    from pipelines.personnummer import contains_personnummer

    page = decode(path.read_bytes(), path.name)
    if contains_personnummer(entities.unescape(re.sub(r"<[^>]*>", " ", page))):
        raise PersonnummerFound(path.name, "webbsidan")


def html_grid(path: Path, data: bytes | None = None) -> Grid:
    """A web page's tables as a grid (PxWeb's 'HTML' download, or a table saved from the
    browser): rows numbered in order from the first, the title first."""
    text = decode(data if data is not None else path.read_bytes(), path.name).lstrip("\ufeff")
    tables = _Tables()
    tables.feed(text)
    tables.close()
    rows = tables.rows
    if tables.page_title and not any(len(r) == 1 and r[0] == tables.page_title for r in rows[:3]):
        rows = [[tables.page_title], *rows]
    return Grid(rows, list(range(1, len(rows) + 1)))


# PxWebApi 2.0's outputFormat=parquet (PCAxis.Serializers' ParquetBuilder): a column per
# variable named by its text ('region', 'ålder', 'kön', 'år') holding the values' codes
# ('0180', '12', '1', '2023'), a 'timestamp' column beside the time variable, and the
# content as 'value' with 'value_symbol' (a symbol such as '..' or '-' where the value is
# NaN); with several contents, '<ContentsCode>_<code>' and '<…>_symbol' for each.
_PARQUET_SYMBOL = "_symbol"


def is_pxweb_parquet(path: Path) -> bool:
    """Whether a Parquet file's schema is PxWebApi 2.0's: a value column beside its symbol
    column ('value' and 'value_symbol', or '<ContentsCode>_<code>' and its '_symbol'). Only
    the schema is read: any other Parquet file, however large, is passed over at once."""
    import pyarrow.parquet as pq

    try:
        names = set(pq.read_schema(path).names)
    except Exception:  # a damaged or cut file
        return False
    return any(n.endswith(_PARQUET_SYMBOL) and n[:-len(_PARQUET_SYMBOL)] in names for n in names)


def parquet_grid(path: Path, max_rows: int | None = None) -> Grid:
    """PxWebApi 2.0's Parquet answer as the grid of the CSV with every variable in the rows:
    the column names as its header (row 0, named 'kolumnnamnen'), each row numbered from 1
    as our own Parquet files are; the timestamp left out, a value's symbol standing for a
    missing value as in the CSV, and several contents put in a 'ContentsCode' column, one
    row each, so the contents are chosen as in any other table."""
    import pyarrow.parquet as pq

    try:
        if max_rows is None:
            table = pq.read_table(path)
        else:
            import pyarrow as pa

            with pq.ParquetFile(path) as pf:
                batch = next(pf.iter_batches(batch_size=max_rows), None)
                table = pa.Table.from_batches([batch]) if batch is not None else pf.schema_arrow.empty_table()
    except Exception as exc:  # ArrowInvalid, OSError … for a damaged or cut file
        raise FileRejected(path.name, f"Parquet-filen kunde inte läsas ({type(exc).__name__}); hämta eller "
                                      "exportera den på nytt.") from None
    names = [str(n) for n in table.column_names]
    columns = {n: table.column(n).to_pylist() for n in names}
    symbols = {n[:-len(_PARQUET_SYMBOL)] for n in names if n.endswith(_PARQUET_SYMBOL) and n[:-len(_PARQUET_SYMBOL)] in columns}
    stub = [n for n in names if n not in symbols and n[:-len(_PARQUET_SYMBOL)] not in symbols
            and not (n == "timestamp" and _is_time(table.schema.field(n).type))]
    contents = [n for n in names if n in symbols]
    several = len(contents) > 1
    header = stub + (["ContentsCode", "value"] if several else contents)
    rows: list[list[str]] = [header]
    for k in range(table.num_rows):
        key = [_parquet_text(columns[n][k]) for n in stub]
        for c in contents:
            symbol = columns[f"{c}{_PARQUET_SYMBOL}"][k]
            cell = str(symbol).strip() if symbol not in (None, "") else _parquet_text(columns[c][k])
            code = c.split("_", 1)[1] if "_" in c else c
            rows.append(key + ([code] if several else []) + [cell])
    numbers = [0] + (list(range(1, table.num_rows + 1)) if not several
                     else [k for k in range(1, table.num_rows + 1) for _ in contents])
    return Grid(rows, numbers)


def parquet_text(path: Path) -> list[str]:
    """The texts a Parquet file holds besides its cells (the key-value metadata a writer
    may add), for the personnummer gate."""
    import pyarrow.parquet as pq

    try:
        meta = pq.read_schema(path).metadata or {}
    except Exception:
        return []
    return [v.decode("utf-8", errors="replace") for kv in meta.items() for v in kv]


def _is_time(kind) -> bool:
    import pyarrow as pa

    return pa.types.is_timestamp(kind) or pa.types.is_date(kind)


def _parquet_text(value) -> str:
    if value is None or (isinstance(value, float) and value != value):  # None or NaN
        return ""
    return cell_text(value)


MAX_XLSX_UNPACKED = 200 << 20  # bytes; SCB and Brå exports are a few MB


def workbook_grids(path: Path, max_rows: int | None = None) -> list[Grid]:
    """Every sheet of a workbook, .xlsx or .xls, as a grid (merged cells hold their value
    in the first cell). ``max_rows`` limits each sheet to its first rows (enough to
    recognise a table)."""
    kind = workbook_kind(path)
    if kind == "xls":
        return xls_grids(path, max_rows)
    if kind == "xml":
        return xml_spreadsheet_grids(path, max_rows)
    return xlsx_grids(path, max_rows)


_SS = "{urn:schemas-microsoft-com:office:spreadsheet}"


_XML_READ: dict[tuple, list] = {}  # the last XML Spreadsheets parsed: (sheet name, rows)


def xml_spreadsheet_grids(path: Path, max_rows: int | None = None) -> list[Grid]:
    """Every worksheet of an XML Spreadsheet 2003 as a grid, read as an .xlsx's: a cell's
    value in its row and column (``ss:Index`` skips cells, ``ss:MergeAcross`` and
    ``ss:MergeDown`` leave the merged range empty after its first cell), a number as the
    number, a date as its ISO text. The file is parsed whole once while the readers
    recognise and read it (as xls.sheet_values); each call gets rows of its own."""
    stat = path.stat()
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    if key not in _XML_READ:
        if len(_XML_READ) >= 2:
            _XML_READ.pop(next(iter(_XML_READ)))
        _XML_READ[key] = _xml_sheets(path)
    return [Grid([list(r) for r in rows[:max_rows]], list(range(1, len(rows[:max_rows]) + 1)), name)
            for name, rows in _XML_READ[key]]


def _xml_sheets(path: Path) -> list[tuple[str, list[list[str]]]]:
    from xml.etree import ElementTree

    if path.stat().st_size > MAX_XLSX_UNPACKED:
        raise FileRejected(path.name, f"Excel-filen är för stor för en statistikexport (över {MAX_XLSX_UNPACKED >> 20} MB). "
                                      "Kontrollera att rätt fil valdes, eller exportera som CSV.")
    data = path.read_bytes()
    start = data.find(b"<Workbook")
    prologue = (data[:start] if start >= 0 else data).upper()  # a declaration stands before the root element
    if b"<!DOCTYPE" in prologue or b"<!ENTITY" in prologue:
        # SpreadsheetML declares no document type; entities could expand without end.
        raise FileRejected(path.name, "XML-filen har en dokumenttypdeklaration, som ett XML-kalkylblad från Excel "
                                      "inte har. Öppna den i Excel och spara som Excel-arbetsbok (.xlsx).")
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError:
        raise FileRejected(path.name, "XML-kalkylbladet (Excel 2003) kunde inte läsas: filen är skadad eller "
                                      "ofullständig. Hämta eller exportera den på nytt.") from None
    sheets = []
    for ws in root.iter(f"{_SS}Worksheet"):
        rows: list[list[str]] = []
        down: dict[int, int] = {}  # column (0-based) -> rows a MergeDown above still covers
        table = ws.find(f"{_SS}Table")
        for row in table.iter(f"{_SS}Row") if table is not None else ():
            at = _ss_index(row, len(rows) + 1) - 1
            while len(rows) < at:
                rows.append([])
                down = {c: n - 1 for c, n in down.items() if n > 1}
            cells: list[str] = []
            following = 0  # the column (0-based) a cell without ss:Index stands in
            below = {}
            for cell in row.iter(f"{_SS}Cell"):
                col = _ss_index(cell, following + 1) - 1
                while down.get(col, 0) > 0 and cell.get(f"{_SS}Index") is None:
                    col += 1
                across = _ss_int(cell.get(f"{_SS}MergeAcross"))
                merged_down = _ss_int(cell.get(f"{_SS}MergeDown"))
                value = cell.find(f"{_SS}Data")
                text = _ss_value(value) if value is not None else ""
                cells.extend([""] * (col + 1 - len(cells)))
                cells[col] = text
                if merged_down:
                    for c in range(col, col + across + 1):
                        below[c] = merged_down
                following = col + across + 1
            while cells and cells[-1] == "":
                cells.pop()
            rows.append(cells)
            down = {c: n - 1 for c, n in down.items() if n > 1} | below
        sheets.append((ws.get(f"{_SS}Name") or f"Blad{len(sheets) + 1}", rows))
    return sheets


def _ss_int(text: str | None) -> int:
    try:
        return max(0, min(int(text or 0), 100_000))
    except ValueError:
        return 0


def _ss_index(element, default: int) -> int:
    """An element's ss:Index (1-based), else ``default``; never before ``default``'s row or
    column already passed (a damaged file)."""
    return max(_ss_int(element.get(f"{_SS}Index")) or default, default)


def _ss_value(data) -> str:
    """A Data element's value as text, as :func:`cell_text` writes an .xlsx's."""
    text = "".join(data.itertext()).strip()
    kind = data.get(f"{_SS}Type", "String")
    if kind == "Number":
        try:
            return cell_text(float(text))
        except ValueError:
            return text
    if kind == "DateTime":
        try:  # '2025-03-14T00:00:00.000', as openpyxl gives an .xlsx's date cell
            return cell_text(datetime.fromisoformat(text[:19]))
        except ValueError:
            return text
    return text


def xls_grids(path: Path, max_rows: int | None = None) -> list[Grid]:
    """Every sheet of an old binary workbook (.xls) as a grid, read as an .xlsx's
    (:func:`xlsx_grids`): the same cells give the same rows."""
    if path.stat().st_size > MAX_XLSX_UNPACKED:
        raise FileRejected(path.name, f"Excel-filen är för stor för en statistikexport (över {MAX_XLSX_UNPACKED >> 20} MB). "
                                      "Kontrollera att rätt fil valdes, eller exportera som CSV.")
    try:
        sheets = xls.sheet_values(path, max_rows)
    except (xls.Unreadable, xls.TooManyCells):
        raise FileRejected(path.name, "Excel-filen (.xls, Excel 97–2003) kunde inte läsas: den kan vara skadad, "
                                      "lösenordsskyddad eller sparad i ett format äldre än Excel 97. Öppna den i "
                                      "Excel och spara som Excel-arbetsbok (.xlsx), eller exportera tabellen "
                                      "som CSV, och läs in den nya filen.") from None
    grids = []
    for name, values in sheets:
        rows = []
        for row in values:
            cells = [cell_text(v) for v in row]
            while cells and cells[-1] == "":
                cells.pop()
            rows.append(cells)
        grids.append(Grid(rows, list(range(1, len(rows) + 1)), name))
    return grids


def gate_workbook(path: Path) -> None:
    """Screen what an .xls or an XML Spreadsheet holds besides its cells (comments, headers
    and footers, document properties, embedded objects) for personnummer: its cells are
    screened as grids (:func:`gate_grid`). An .xlsx's other parts are not read by these
    readers."""
    kind = workbook_kind(path)
    if kind == "xml":
        # Comments, the author in the document properties: the whole file, as a web page's.
        gate_page(path)
        return
    if kind != "xls":
        return
    from pipelines.personnummer import in_compound_file

    found = in_compound_file(path.read_bytes())
    if found is not None:
        raise PersonnummerFound(path.name, xls.where_outside_cells(found))


def xlsx_grids(path: Path, max_rows: int | None = None) -> list[Grid]:
    """Every sheet of an .xlsx as a grid (merged cells hold their value in the first cell).

    ``max_rows`` limits each sheet to its first rows (enough to recognise a table).
    """
    import openpyxl

    try:
        with zipfile.ZipFile(path) as zf:
            unpacked = sum(i.file_size for i in zf.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise FileRejected(path.name, f"Excel-filen kunde inte öppnas ({type(exc).__name__}). Spara den på nytt som .xlsx.") from None
    if unpacked > MAX_XLSX_UNPACKED:
        # openpyxl would unpack a zip bomb in full: refuse before opening anything.
        raise FileRejected(path.name, f"Excel-filen är för stor för en statistikexport (över {MAX_XLSX_UNPACKED >> 20} MB "
                                      "uppackad). Kontrollera att rätt fil valdes, eller exportera som CSV.")
    grids = []
    # Opened from a file object: openpyxl refuses a path whose name does not end in .xlsx
    # (a workbook saved as 'export.xls' or 'tabell.csv', see is_xlsx). openpyxl warns of a
    # date cell holding a number no date can be with the number in its message: it may be
    # a personnummer, and nothing may print one (as in readers/atgardsplan.py).
    with open(path, "rb") as fh, warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
        try:
            wb = openpyxl.load_workbook(fh, read_only=True, data_only=True)
        except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
            raise FileRejected(path.name, f"Excel-filen kunde inte öppnas ({type(exc).__name__}). "
                                          "Spara den på nytt som .xlsx.") from None
        try:
            for ws in wb.worksheets:
                rows, numbers = [], []
                for n, row in enumerate(ws.iter_rows(values_only=True, max_row=max_rows), start=1):
                    cells = [cell_text(v) for v in row]
                    while cells and cells[-1] == "":
                        cells.pop()
                    rows.append(cells)
                    numbers.append(n)
                grids.append(Grid(rows, numbers, ws.title))
        finally:
            wb.close()
    return grids


def file_grids(path: Path) -> list[Grid]:
    """The file's tables: one grid for a CSV, one per sheet for a workbook."""
    with open(path, "rb") as fh:
        head = fh.read(8)
    if is_workbook(path, head):
        return workbook_grids(path)
    return [csv_grid(path)]


def gate_grid(file: str, grid: Grid) -> None:
    """Raise PersonnummerFound if any cell of the grid holds a personnummer."""
    cells = ((grid.where(i, j), value) for i, row in enumerate(grid.rows) for j, value in enumerate(row) if value)
    found = first_finding(cells)
    if found:
        raise PersonnummerFound(file, found.where)


def norm(text: str) -> str:
    """A header folded for matching: lower case, single spaces, no quotes or colons."""
    return re.sub(r"\s+", " ", str(text).replace("\u00a0", " ")).strip().strip('"').strip(":").strip().lower()


REPEATED_HEADER = "rubrikraden upprepas (filer som satts ihop); raden är inga värden"
SPLIT_ROW = ("raden har fler fält än rubriken: troligen ett tal skrivet med tusentalskomma (40,000) eller en cell "
             "med avgränsaren utan citattecken, så värdena står i fel kolumner. Sätt cellen inom citattecken, eller "
             "spara filen med semikolon som avgränsare")


def field_past(grid: Grid, row: list[str], width: int) -> int | None:
    """In a CSV, the first field past the table's ``width`` columns that holds a value, else
    None. '40,000' unquoted in a comma-separated file is two fields: the row's values then
    stand one column off ('40' under 2023 and '000' under 2024), which was read as they
    stood. A sheet's cells right of the table are notes, not a split row."""
    if grid.sheet is not None:
        return None
    return next((j for j in range(width, len(row)) if row[j].strip()), None)


def repeats_header(row: list[str], header: list[str], labels) -> bool:
    """Whether ``row`` is the header row again, as where two exports were put together in
    one file (the second's title lines are notes, its header a row): every filled cell
    reads as the header's cell above it, and either one of them is a ``labels`` column
    (region, ålder, område …) or there are two (a pivot's header has only its years:
    one cell could be a count equal to its year, two in a row are not)."""
    filled = [(j, c) for j, c in enumerate(row) if c and c.strip()]
    return (bool(filled) and all(j < len(header) and norm(c) == norm(header[j]) for j, c in filled)
            and (any(j in labels for j, _ in filled) or len(filled) >= 2))


YEAR_HEADER = re.compile(r"^(?:.*?\s)?((?:19|20)\d{2})\s*(\*|p|prel\.?|\(prel\.?\)|preliminär|\(preliminär\))?$", re.I)


def year_of_header(header: str) -> tuple[int, bool] | None:
    """'2023', 'Folkmängd 2023', '2024*', '2024 prel.' -> (year, preliminary)."""
    m = YEAR_HEADER.match(norm(header))
    if not m:
        return None
    return int(m[1]), bool(m[2])


# A month as PxWeb writes it ('2024M12', 'Folkmängd 2024M12'): the table per month
# (Folkmängden per månad, BE0101A/BefolkManadCKM), which many choose as the most recent.
_MONTH_HEADER = re.compile(r"^(?:.*?\s)?((?:19|20)\d{2})\s*m\s*(\d{2})\s*(?:\*|p|prel\.?)?$", re.I)


def month_of_header(header: str) -> tuple[int, int] | None:
    """'2024M12' or 'Folkmängd 2024M12' -> (2024, 12); None for anything else."""
    m = _MONTH_HEADER.match(norm(header))
    return (int(m[1]), int(m[2])) if m and 1 <= int(m[2]) <= 12 else None


# A period shorter than a year other than PxWeb's month ('2024K4', '2024H1', '2024V52',
# '2024-12'): no population per year, which is the one on 31 December.
_SHORT_PERIOD_WHY = ("population gäller folkmängden den 31 december varje år. Ladda ner Folkmängd efter region, ålder, "
                     "kön och år, eller december (t.ex. 2024M12) i tabellen per månad")
SHORT_PERIOD = f"perioden är kortare än ett år (ett kvartal, ett halvår, en vecka eller en månad); {_SHORT_PERIOD_WHY}"


def short_period(text: str) -> bool:
    """Whether a header or cell names a period shorter than a year with its year ('2024K4',
    'Folkmängd 2024K4', '2024-12'), PxWeb's months ('2024M12') aside: they are read by
    :func:`month_of_header` (December as the year)."""
    return bool(re.search(r"(?:19|20)\d{2}", text)) and month_of_header(text) is None and part_of_year(text)


def december_as_year(file: str, months: dict[str, tuple[int, int]], row: int | None = None,
                     column: str | None = None) -> set[str]:
    """The December periods of a table per month, which are read as their years: the
    population of a year is the one on 31 December, which December's figure is. Other
    months are not read (:meth:`_Cells.frame` names them); a table without any December
    is refused, since no year's population is in it."""
    december = {text for text, (_, month) in months.items() if month == 12}
    if months and not december:
        shown = swedish_list(sorted(months, key=lambda t: months[t]), 3, "månader")
        raise FileRejected(file, f"tabellen är per månad ({shown}) och har ingen december. Folkmängden per år "
                           "är den 31 december: välj december (t.ex. 2024M12) i SCB:s tabell per månad, eller ladda "
                           "ner Folkmängd efter region, ålder, kön och år.", row, column)
    return december


def notes_preliminary_years(notes: list[str], all_years: set[int]) -> set[int]:
    """Years that title lines or footnotes call preliminary.

    A note naming years marks those years; a note saying only that the table is
    preliminary marks them all; a note explaining a marker ("* = preliminär") marks none
    by itself (the marked cells do).
    """
    years: set[int] = set()
    for note in notes:
        low = note.lower()
        if "prelimin" not in low:
            continue
        named = {int(y) for y in re.findall(r"\b((?:19|20)\d{2})\b", note)}
        if named:
            years |= named & all_years if all_years else named
        elif "*" not in note and "markera" not in low:
            years |= all_years
    return years


# --- sniff ------------------------------------------------------------------------------

_REGION = ("region", "kommun", "kommunkod", "regionkod", "kommunnamn")
_AGE = ("ålder", "alder", "age", "åldersgrupp", "ålder (år)")
_SEX = ("kön", "kon", "sex")
_YEAR = ("år", "ar", "tid", "year", "period", "månad", "month", "kvartal", "halvår", "vecka", "quarter", "week")
_CONTENTS = ("tabellinnehåll", "contentscode", "contents", "innehåll", "observations")
_OFFENCE_WORDS = ("brott",)


def _header_name(header: str) -> str:
    """A header folded by :func:`norm`; of a code and its text joined by ' - ', as
    PxWebApi 2.0's CSV writes them with UseCodesAndTexts ('Alder - ålder'), the text."""
    n = norm(header)
    code, sep, text = n.partition(" - ")
    return text.strip() if sep and code and " " not in code and text.strip() else n


def _roles(header: list[str]) -> dict[str, int]:
    roles: dict[str, int] = {}
    for j, h in enumerate(header):
        n = _header_name(h)
        if not n:
            continue
        if n in _REGION or n.startswith("region"):
            # Prefer a code column ("kommunkod") over a name column when both are present.
            if "region" not in roles or "kod" in n:
                roles["region"] = j
        elif n in _AGE:
            roles.setdefault("age", j)
        elif n in _SEX:
            roles.setdefault("sex", j)
        elif n in _YEAR:
            roles.setdefault("year", j)
        elif n in _CONTENTS:
            roles.setdefault("contents", j)
        elif year_of_header(h) is None and any(w in n for w in ("folkmängd", "befolkning", "antal", "värde", "value")):
            roles.setdefault("value", j)
    last = max((j for j, h in enumerate(header) if norm(h)), default=None)
    if ("year" in roles and "value" not in roles and last is not None and last not in roles.values()
            and year_of_header(header[last]) is None):
        # PxWeb's CSV with every variable in the rows names its value column after the
        # table ('TAB638') or its contents; it is always the last one.
        roles["value"] = last
    return roles


_TITLE_VARIABLES = re.compile(r"\befter\s+([^.]+)", re.I)  # up to a sentence's end ("… och kön. År 1968 - 2024")


def _name_stub_columns(grid: Grid, i: int) -> None:
    """Name the blank header cells left of the year columns of row ``i``.

    PxWeb's Excel export leaves the header cells over region, ålder and kön empty; its
    title ("Folkmängd efter region, ålder, kön och år") names them in order. Saved without
    the title (IncludeTitle off), only what the columns hold can name them
    (:func:`_stub_names_from_values`); ``grid.stub_from_values`` then says so.
    """
    row = grid.rows[i]
    first_year = next((j for j, c in enumerate(row) if year_of_header(c)), None)
    if not first_year or any(row[:first_year]):
        return
    for title in (" ".join(r) for r in grid.rows[:i]):
        m = _TITLE_VARIABLES.search(title)
        if m:
            names = [n for n in re.split(r",\s*|\s+och\s+", m[1].strip()) if norm(n) not in _YEAR]
            if len(names) >= first_year:
                row[:first_year] = names[:first_year]
            return
    names = _stub_names_from_values(grid, i, first_year)
    if names:
        row[:first_year] = names
        grid.stub_from_values = True


def _stub_kinds(values: set[str]) -> set[str]:
    """What a column holding ``values`` can be: 'ålder' when each is an age, 'kön' when each
    is a sex, 'civilstånd' when each is one ('ogifta', 'gifta' …, or a total), 'region' when
    each is a code of two or four digits (with or without its name) or a text starting with
    a letter and they are not all civilstånd. Codes fit more than one ('1' is an age and a
    sex)."""
    kinds = set()
    for kind, parse in (("ålder", parse_age), ("kön", parse_sex), ("civilstånd", parse_civil)):
        try:
            for v in values:
                parse(v)
        except ValueError:
            continue
        kinds.add(kind)
    if all(re.fullmatch(r"\d{2}(?:\d{2})?(?:\s.*)?", v) or not v[0].isdigit() for v in values) and (
            "civilstånd" not in kinds or all(parse_civil(v) is None for v in values)):
        kinds.add("region")
    return kinds


def _stub_names_from_values(grid: Grid, i: int, first_year: int) -> list[str] | None:
    """The names of the ``first_year`` columns left of the years of header row ``i``, from
    the values below it ('Stockholm' or '0180': region, '12 år' or '12': ålder, 'män' or
    '1': kön), or None unless each column is one of them and no two are the same.

    A column that can be two of them takes the one no other column can be: the ages run
    from '0', which no region code is, so '1' and '2' beside them are the sexes.
    """
    data = [r for r in grid.rows[i + 1:] if any(r[first_year:])]
    values = [{c for r in data if (c := _at(r, j))} for j in range(first_year)]
    if not all(values):
        return None
    kinds = [_stub_kinds(v) for v in values]
    names: dict[int, str] = {}
    while len(names) < first_year:
        sure = {j: left.pop() for j, k in enumerate(kinds)
                if j not in names and len(left := k - set(names.values())) == 1}
        if not sure or len(set(sure.values())) < len(sure):
            return None
        names.update(sure)
    return [names[j] for j in range(first_year)]


def _contents_above_years(grid: Grid, i: int) -> None:
    """Write the contents named in the row above the year columns of row ``i`` into them
    ('Folkmängd' over 2023 and 2024 makes 'Folkmängd 2023', 'Folkmängd 2024').

    PxWeb's Excel export gives each heading variable a row of its own, the contents above
    the years, each content written once over its years (or merged across them). Read as
    bare years, two contents were the same years twice, and a lone 'Folkökning' with no
    title to say so was read as the population.
    """
    if i == 0:
        return
    row, above = grid.rows[i], grid.rows[i - 1]
    years = {j for j, c in enumerate(row) if year_of_header(c) and not _contents_of_header(c)}
    if not years or not any(above):
        return
    first = min(years)
    if any(above[:first]) or any(year_of_header(c) for c in above):
        return  # a title or another header row, not contents over the years
    current = ""
    for j in range(first, len(row)):
        current = _at(above, j) or current
        if j in years and current:
            row[j] = f"{current} {row[j]}"


def _contents_below_years(grid: Grid, i: int) -> None:
    """Take the row below header row ``i`` into it when it names the contents under the
    years ('Folkmängd' under 2023 and 2024): PxWeb's table pivoted with the years over the
    contents (heading Tid, ContentsCode) writes the years' row first and the contents'
    below it, the stub's names (region, ålder, kön) on either row. Read as a data row, it
    was a rejected row 'okänd region'. The row is emptied, and each year's header becomes
    'Folkmängd 2023' as for contents written above the years."""
    if i + 1 >= len(grid.rows):
        return
    row, below = grid.rows[i], grid.rows[i + 1]
    years = [j for j, c in enumerate(row) if year_of_header(c) and not _contents_of_header(c)]
    if not years or not any(_at(below, j) for j in years):
        return
    first = min(years)
    if any(_at(below, j) and norm(_at(below, j)) != norm(row[j]) for j in range(first)):
        return  # a region, an age or a sex: a data row
    if any(_number(_at(below, j))[1] is not None or year_of_header(_at(below, j)) for j in years):
        return
    if any(_at(below, j) and not _contents_of_header(_at(below, j)) and _measure_of(_at(below, j)) is None
           for j in years):
        return  # text that names no contents ('uppgift saknas')
    current, year = "", ""
    for j in range(first, max(len(row), len(below))):
        current = _at(below, j) or current
        if j in years:
            year = row[j]
            if current:
                row[j] = f"{current} {year}"
        elif not _at(row, j) and _at(below, j) and year:
            # A second content under a year written once over both ('2023' over Folkmängd
            # and Folkökning): that year's too.
            row.extend([""] * (j + 1 - len(row)))
            row[j] = f"{_at(below, j)} {year}"
    grid.rows[i + 1] = []


def _stub_over_years(grid: Grid, i: int) -> None:
    """Move the stub's names down to the years' row when they stand on the contents' row
    above it ('region;ålder;kön;Folkmängd' over ';;;2023;2024'): read top-down, that row was
    taken for the header, with no years in it, and the file refused."""
    if i + 1 >= len(grid.rows):
        return
    row, below = grid.rows[i], grid.rows[i + 1]
    years = [j for j, c in enumerate(below) if year_of_header(c) and not _contents_of_header(c)]
    if not years or any(year_of_header(c) for c in row):
        return
    first = min(years)
    if any(below[:first]) or "region" not in _roles(row[:first]):
        return
    if not any(row[first:]) or any(c and _number(c)[1] is not None for c in row[first:]):
        return
    below[:first] = row[:first]
    row[:first] = [""] * first


def _find_header(grid: Grid) -> tuple[int, dict[str, int]] | None:
    for i, row in enumerate(grid.rows[:HEADER_SCAN_ROWS]):
        _stub_over_years(grid, i)
        _name_stub_columns(grid, i)
        _contents_above_years(grid, i)
        if any(any(w in norm(c) for w in _OFFENCE_WORDS) for c in row):
            return None  # a Brå table, not population
        roles = _roles(row)
        years = [c for c in row if year_of_header(c)]
        if "region" in roles and ({"age", "sex", "year", "value"} & roles.keys() or years):
            _contents_below_years(grid, i)
            return i, roles
    return None


def _population_without_region(grid: Grid) -> bool:
    """A population table whose region column is missing: claimed so read() can say so."""
    text = " ".join(" ".join(r) for r in grid.rows[:HEADER_SCAN_ROWS]).lower()
    return "folkmängd" in text and "brott" not in text and any(
        {"age", "sex"} & _roles(r).keys() for r in grid.rows[:HEADER_SCAN_ROWS])


def _population_words(grid: Grid) -> bool:
    text = " ".join(" ".join(r) for r in grid.rows[:HEADER_SCAN_ROWS]).lower()
    # Not 'kön' alone: Kolada's export from kolada.se ('Kommun;Kön;2021;…') has it and no ålder.
    if any(w in text for w in ("folkmängd", "befolkning", "ålder")):
        return True
    # PxWebApi 2.0's CSV without a label parameter holds only codes: the header names the
    # variables 'Region', 'Alder', 'Kon' and no word says population.
    found = _find_header(grid)
    return bool(found) and {"age", "sex"} <= found[1].keys()


def sniff(path: Path, head: bytes) -> str | None:
    """scb-json for a JSON-stat 2 dataset; scb-csv/scb-xlsx for a PxWeb population table."""
    stripped = head.lstrip(b"\xef\xbb\xbf \r\n\t")
    if stripped.startswith(b"{"):
        if b'"dimension"' in head and (b'"class"' in head or b'"version"' in head or b'"dataset"' in head):
            return "scb-json"  # JSON-stat 2, or 1 (the v1 API's json-stat: a "dataset" wrapper)
        if b'"columns"' in head and b'"data"' in head and b'"key"' in head:
            return "scb-json"  # the PxWeb API's plain json answer
        return None
    if re.match(rb"(?:CHARSET|AXIS-VERSION|CODEPAGE|LANGUAGE)\s*=", stripped) and b"STUB=" in head:
        return "scb-px"
    if head.startswith(b"PAR1"):
        if not is_pxweb_parquet(path):
            return None
        try:
            grid = parquet_grid(path, HEADER_SCAN_ROWS)
        except FileRejected:
            return None
        return "scb-parquet" if _find_header(grid) and _population_words(grid) else None
    if head.startswith((b"PK\x03\x04", xls.OLE_MAGIC)) or is_xml_spreadsheet(head):
        if not is_workbook(path, head):
            return None
        try:
            grids = workbook_grids(path, HEADER_SCAN_ROWS)
        except FileRejected:
            return None
        return "scb-xlsx" if any(_find_header(g) and _population_words(g) for g in grids) else None
    if b"\x00" in head[:4096]:
        return None
    if is_html_table(head):
        grid = html_grid(path, head)
        return "scb-html" if _find_header(grid) and _population_words(grid) else None
    try:
        grid = csv_grid(path, head)
    except FileRejected:
        return None
    return "scb-csv" if _find_header(grid) and _population_words(grid) or _population_without_region(grid) else None


# --- contents: which measure a table holds ------------------------------------------------

# The population itself: the word alone (after its code, as PxWeb 2 writes codes and
# texts: "000003O5 Folkmängd"), or with the day it is counted, a year or a unit
# ("Folkmängd 31 december", "Population 2023", "Folkmängd (antal)"); with any other word
# after it, another measure ("Population growth", "Population density", "Befolkningsförändring").
_POPULATION = re.compile(r"(?:[a-z0-9]*\d[a-z0-9]*\s*[-:]?\s*)?(?:folkmängd(?:en)?|befolkning(?:en)?|population|be0101n1)"
                         r"(?:\s*[,(]?\s*(?:den\s+)?31\s+dec\w*\)?|\s*[,(]?\s*(?:19|20)\d{2}\)?"
                         r"|\s*[,(]?\s*(?:antal(?:\s+personer)?|personer|st)\.?\)?|\s+per\s+månad)*[.:]?")
_SAYS_NOTHING = ("", "antal", "antal personer", "värde", "value", "values", "år", "tid", "year")


def _measure_of(*texts: str) -> bool | None:
    """True when a content, title or column (or its code) names the population (Folkmängd,
    BE0101N1), False when it names another measure (Folkökning, Döda, BE0101N2), None when
    it says nothing (empty, 'Antal', the table's id 'TAB638', a code such as PxWeb 2's
    '000003O5')."""
    kinds = set()
    for text in texts:
        t = norm(text)
        if _POPULATION.fullmatch(t):
            return True
        says_nothing = t in _SAYS_NOTHING or re.fullmatch(r"tab\d+", t) or (
            re.fullmatch(r"[a-z0-9]*\d[a-z0-9]*", t) and not t.startswith("be0101"))
        kinds.add(None if says_nothing else False)
    return False if False in kinds else None


# The population on another day than 31 December, which the yearly table counts: SCB's
# Folkmängden den 1 november (FolkmangdNov) and the mean over the year (Medelfolkmängd).
_OTHER_DAY = re.compile(r"(medel)?folkmängd(?:en)?(?:\s+(?:per\s+)?den)?\s*(\d{1,2}\s+[a-zåäö]+)?")


def _not_population_because(text: str) -> str:
    """Why a table of ``text`` (a title's measure or a content) is not read as the
    population: ', inte folkmängd', or, for the population counted on another day, which
    day, so that 'inte folkmängd' does not stand after a title that says Folkmängd."""
    m = _OTHER_DAY.search(norm(text))
    if m and m[1]:
        return ": medelfolkmängden under året, inte folkmängden den 31 december som tabellen population gäller"
    if m and m[2] and not m[2].startswith("31 dec"):
        return f": folkmängden den {m[2]}, inte den 31 december som tabellen population gäller"
    return ", inte folkmängd"


def _contents_of_header(header: str) -> str:
    """The text before the year of a year column: 'Folkmängd' of 'Folkmängd 2023', '' of '2023'."""
    m = re.search(r"(?:^|\s)(?:19|20)\d{2}(?:\b|(?=[mM]\d{2}\b))", header)  # also '… 2024M12'
    return header[:m.start()].strip() if m else ""


def _pick_contents(file: str, contents: dict[str, bool | None], row: int | None, column: str | None) -> list[str]:
    """The contents to read, of their names and what they measure (:func:`_measure_of`):
    those that are Folkmängd; the only one when it says nothing of what it is (a bare
    CSV). A table of other measures only is refused: read as before, its Folkökning or
    Döda became the population.

    Several contents of which none is named (PxWebApi 2.0's codes, '000003O5' and another)
    are refused too: which code is Folkmängd differs between SCB's tables and versions of
    them, so it is not guessed."""
    named = [c for c, kind in contents.items() if kind]
    if named:
        return named
    if len(contents) == 1 and None in contents.values():
        return list(contents)
    listed = " och ".join(f"'{c}'" for c in contents)
    code = next((c for c, kind in contents.items() if kind is None), None)
    if code is not None:
        raise FileRejected(file, f"tabellinnehållet är {listed}. En kod som '{code}' säger inte vad den mäter, så det "
                           "går inte att veta vilket som är folkmängd. Inget lästes in. Ladda ner tabellen igen med texter (i PxWebApi: "
                           "outputFormatParams=UseTexts eller UseCodesAndTexts), eller med bara tabellinnehållet "
                           "Folkmängd valt.", row, column)
    raise FileRejected(file, f"tabellinnehållet är {listed}" + (_not_population_because(next(iter(contents)))
                                                                 if len(contents) == 1 else
                       "; inget av dem är folkmängd") + ". Inget lästes in. Välj tabellinnehållet Folkmängd "
                       "(BE0101N1) i SCB:s tabell och ladda ner den igen.", row, column)


def _check_title(file: str, title: str | None, row: int | None = None) -> None:
    """Refuse a table whose title names another measure: 'Döda efter region, ålder, kön och
    år' has the columns of a population table, and its deaths were stored as the population."""
    m = re.match(r"\s*(.+?)\s+(?:efter|by)\s", title or "", re.I)
    if m and _measure_of(m[1]) is False:
        raise FileRejected(file, f"tabellen är '{title.strip()[:100]}'{_not_population_because(m[1])}. Inget lästes in. Ladda ner "
                           "Folkmängd efter region, ålder, kön och år (BE0101N1) från SCB:s statistikdatabas.", row)


# --- values -----------------------------------------------------------------------------

_TOTAL = ("tot", "totalt", "total", "samtliga", "totalt ålder", "båda könen", "totalt kön", "alla",
          "totalt civilstånd", "samtliga civilstånd")


def _is_total(text: str) -> bool:
    return norm(text) in _TOTAL


def _band_ranges() -> dict[str, range]:
    out = {}
    for band in POPULATION_AGE_BANDS:
        if band.endswith("+"):
            out[band] = range(int(band[:-1]), 101)  # 100 stands for "100+ år"
        else:
            lo, hi = band.split("-")
            out[band] = range(int(lo), int(hi) + 1)
    return out


BANDS = _band_ranges()


def _code_and_text(text: str, parse):
    """A category written as its code and its text, as PxWebApi 2.0's UseCodesAndTexts
    writes it ('1 - män', '12 - 12 år', 'tot - totalt ålder'; also without the dash,
    '1 män'): read when the code and the text
    each name the same category; ValueError otherwise, so '1 kvinnor' is never guessed."""
    code, _, rest = str(text).strip().partition(" ")
    # PxWebApi 2.0's CSV joins them with ' - ' ('12 - 12 år'), its HTML with a space.
    rest = re.sub(r"^[-–]\s+", "", rest.strip())
    if not rest:
        raise ValueError(text)
    by_code, by_text = parse(code), parse(rest)
    if by_code != by_text:
        raise ValueError(text)
    return by_code


def parse_age(text: str) -> int | str | None:
    """'12 år' -> 12, '100+ år' -> 100, a band label matching ours -> the band, 'tot' -> None;
    also a code followed by its text ('12 12 år').

    Raises ValueError for anything else (e.g. a five-year band that does not fit ours).
    """
    try:
        return _parse_age(text)
    except ValueError:
        return _code_and_text(text, _parse_age)


def _parse_age(text: str) -> int | str | None:
    t = " ".join(norm(text).replace("år", "").replace("years", "").split())
    if _is_total(text) or t in ("tot", "totalt", "total"):
        return None
    if re.fullmatch(r"\d{1,3}", t) and int(t) <= 100:
        return int(t)
    m = re.fullmatch(r"(\d{1,3})\s*[-–]\s*(\d{1,3})|(\d{1,3})\s*\+|(\d{1,3}) (?:och|eller) äldre|(\d{1,3})\s*[-–]", t)
    if m:
        label = f"{m[1]}-{m[2]}" if m[1] else f"{m[3] or m[4] or m[5]}+"
        if label == "100+":  # the oldest single age: '100+ år', '100 år och äldre'
            return 100
        if label in BANDS:
            return label
    raise ValueError(text)


def parse_sex(text: str) -> str | None:
    """'män'/'1' -> M, 'kvinnor'/'2' -> K, totals -> None; also a code followed by its
    text ('1 män'); ValueError otherwise."""
    try:
        return _parse_sex(text)
    except ValueError:
        return _code_and_text(text, _parse_sex)


def _parse_sex(text: str) -> str | None:
    t = norm(text)
    if t in ("män", "man", "1", "m", "pojkar", "men", "males"):
        return "M"
    if t in ("kvinnor", "kvinna", "2", "k", "flickor", "women", "females"):
        return "K"
    if _is_total(text) or t in ("1+2", "totalt", "båda", "män och kvinnor", "kvinnor och män", "1 och 2"):
        return None
    raise ValueError(text)


# SCB's civilstånd (BE0101N1 'Folkmängd efter region, civilstånd, ålder och kön'): code
# and text (also in the singular).
_CIVIL = {
    "OG": ("ogifta", "ogift"), "G": ("gifta", "gift"), "SK": ("skilda", "skild"),
    "ÄNKL": ("änkor/änklingar", "änkor och änklingar", "änka/änkling", "änklingar/änkor"),
}


def parse_civil(text: str) -> str | None:
    """A civilstånd as SCB writes it ('ogifta', 'gifta', 'skilda', 'änkor/änklingar', or
    the codes OG, G, SK, ÄNKL) to its code; a total ('totalt') to None; also a code
    followed by its text ('OG - ogifta'). ValueError otherwise."""
    try:
        return _parse_civil(text)
    except ValueError:
        return _code_and_text(text, _parse_civil)


def _parse_civil(text: str) -> str | None:
    t = norm(text)
    if _is_total(text):
        return None
    for code, names in _CIVIL.items():
        if t == code.lower() or t in names:
            return code
    raise ValueError(text)


def parse_region(text: str, gz: Gazetteer) -> tuple[str, str | None]:
    """('kommun', code) | ('lan', code) | ('riket', 'SE') | ('unknown', None).

    Accepts '0180', '0180 Stockholm', 'Stockholm', '01 Stockholms län', '00 Riket'.
    """
    t = str(text).strip()
    m = re.match(r"^(\d{1,4})\b\s*(.*)$", t)
    if m:
        code = m[1]
        if code in ("0", "00", "0000"):
            return "riket", "SE"
        if len(code) in (3, 4):
            k = gz.kommun_code(code)
            return ("kommun", k) if k else ("unknown", None)
        lan = gz.lan_code(code)
        return ("lan", lan) if lan else ("unknown", None)
    if norm(t) in ("riket", "sverige", "hela riket", "hela landet", "sweden"):
        return "riket", "SE"
    if not norm(t).endswith("län"):
        k = gz.kommun_code(t)
        if k:
            return "kommun", k
    lan = gz.lan_code(t)
    if lan:
        return "lan", lan
    return "unknown", None


@dataclass
class _Cells:
    """Accumulates (kommun, year, sex, age) values from any layout, then bands them."""

    missing: int = 0
    skipped_regions: dict[str, int] = field(default_factory=lambda: {"lan": 0, "riket": 0})
    totals_skipped: int = 0
    # A table per month: the months not read (December is read as its year).
    other_months: dict[str, None] = field(default_factory=dict)
    preliminary: set[int] = field(default_factory=set)
    years: set[int] = field(default_factory=set)
    contents_read: list[str] = field(default_factory=list)
    contents_ignored: list[str] = field(default_factory=list)
    # (kommun, year, sex, age, extras) -> value, by the statistics' rule for a key given twice
    keyed: OneValuePerKey = field(default_factory=lambda: OneValuePerKey("kommun, år, kön och ålder"))
    # The columns (or JSON-stat dimensions) beyond region, ålder, kön and år, in the order of
    # a key's extras, and the texts of their codes where the key holds codes.
    extra_names: list[str] = field(default_factory=list)
    extra_labels: list[dict[str, str]] = field(default_factory=list)
    # An extra column whose total is read: name -> (the total, the values left out for it).
    totals_taken: dict[str, tuple[str, list[str]]] = field(default_factory=dict)

    def add(self, kommun: str, year: int, sex: str, age, extras: tuple, value: float | None,
            row: int | None = None, column: str | None = None) -> None:
        self.years.add(year)
        if value is None:
            self.missing += 1
            return
        self.keyed.add((kommun, year, sex, age, extras), value, row, column)

    @property
    def rejected(self) -> list[Rejection]:
        """Every value of a kommun, year, sex and age given twice with different values."""
        return self.keyed.rejections()

    def _extra_lines(self) -> list[str]:
        """What the population was summed over (civilstånd: ogifta, gifta …), or whose total
        was read instead, as ålder and kön are summed into bands and their totals skipped."""
        lines = []
        for p, name in enumerate(self.extra_names):
            held: dict[str, None] = {}
            per_key: dict[tuple, set] = {}
            for kommun, year, sex, age, extras in self.keyed.values:
                held[extras[p]] = None
                per_key.setdefault((kommun, year, sex, age), set()).add(extras[p])
            if any(len(v) > 1 for v in per_key.values()):
                labels = self.extra_labels[p] if p < len(self.extra_labels) else {}
                lines.append(f"Folkmängden summerades över {name.lower()} ("
                             + swedish_list(labels.get(v, v) for v in held) + ") för varje kommun, år, kön och ålder.")
        for name, (total, left) in self.totals_taken.items():
            lines.append(f"Av {name.lower()} lästes totalen '{total}'" + (
                f"; {swedish_list(left)} lästes inte in (de ingår i totalen)." if left else "."))
        return lines

    def frame(self) -> tuple[pd.DataFrame, list[str]]:
        # Sum over extra dimensions (e.g. civilstånd) per single age, then band.
        per_age: dict[tuple, float] = {}
        for (kommun, year, sex, age, _extras), v in self.keyed.values.items():
            k = (kommun, year, sex, age)
            per_age[k] = per_age.get(k, 0.0) + v
        groups: dict[tuple, dict] = {}
        for (kommun, year, sex, age), v in per_age.items():
            groups.setdefault((kommun, year, sex), {})[age] = v
        rows, incomplete = [], {}
        for (kommun, year, sex), ages in sorted(groups.items()):
            for band, span in BANDS.items():
                if band in ages:
                    rows.append((kommun, year, band, sex, int(round(ages[band]))))
                    continue
                present = [a for a in span if a in ages]
                if len(present) == len(span):
                    rows.append((kommun, year, band, sex, int(round(sum(ages[a] for a in span)))))
                elif present:
                    incomplete[band] = incomplete.get(band, 0) + 1
        frame = pd.DataFrame(rows, columns=["kommun_code", "year", "age_band", "sex", "population"])
        frame["source"] = SOURCE
        lines = []
        if self.other_months:
            lines.append("Tabellen är per månad: decembers folkmängd lästes som årets (den 31 december); "
                         + swedish_list(self.other_months, 3, "månader") + " lästes inte in.")
        if self.contents_ignored:
            lines.append("Tabellinnehållet " + ", ".join(self.contents_read) + " lästes in; " + ", ".join(self.contents_ignored)
                         + " lästes inte in (tabellen population gäller folkmängd).")
        if incomplete:
            lines.append("Åldersgrupper som saknade åldrar i filen lästes inte in: "
                         + ", ".join(f"{b} ({n} kommun/år/kön)" for b, n in incomplete.items()) + ".")
        if self.skipped_regions["lan"] or self.skipped_regions["riket"]:
            lines.append(f"Hoppade över uppgifter för län ({self.skipped_regions['lan']}) och riket "
                         f"({self.skipped_regions['riket']}); tabellen population gäller kommuner.")
        if self.totals_skipped:
            lines.append(f"{self.totals_skipped} totalrader (ålder eller kön 'totalt') hoppades över; "
                         "åldersgrupperna summeras från ettåriga åldrar.")
        lines += self._extra_lines()
        if self.missing:
            lines.append(f"{self.missing} värden saknades ('..') och räknades inte med.")
        lines += self.keyed.lines()
        if self.preliminary:
            lines.append("SCB anger preliminära uppgifter för år " + ", ".join(map(str, sorted(self.preliminary)))
                         + ". Tabellen population har ingen kolumn för det; siffrorna lästes in som de är.")
        return frame, lines


# After a value: '*' (preliminary, "1 021*") or a footnote's superscript number ("1 021¹"),
# as a table copied from the web page or its Excel export shows them.
_FOOTNOTE = re.compile(r"\s*(?:\*+|[¹²³⁴⁵⁶⁷⁸⁹⁰]+)$")


def _number(text: str) -> tuple[bool, float | None]:
    """(ok, value): '..', '.', 'x' and empty are missing (ok, None); '-' is zero (SCB's
    symbol for "inget finns att redovisa"), as text.statistics_symbol has it; non-numbers
    are not ok. People are counted whole, so
    '12,000' is twelve thousand (text.parse_count), as an English Excel writes it."""
    t = str(text).strip()
    symbol = statistics_symbol(t)  # '-' zero; '..', '.', PX's dots, 'x' missing
    if symbol is not None:
        return symbol
    v = parse_count(t)
    if v is None or v < 0 or v != int(v):
        return False, None
    return True, v


# --- read: tables (CSV, XLSX) -----------------------------------------------------------


def _read_grid(file: str, grid: Grid, ctx: ReadContext, title: str | None = None) -> tuple[_Cells, list[Rejection]]:
    """The grid's population cells and rejected rows. ``title`` is the table's title; by
    default the first line above the header (a CSV's or a sheet's title line)."""
    found = _find_header(grid)
    if found is None:
        where = f"blad '{grid.sheet}': " if grid.sheet else ""
        raise FileRejected(file, where + "hittar ingen rubrikrad med kolumnerna region, ålder och kön. "
                           "Ladda ner tabellen från SCB:s statistikdatabas med region, ålder och kön valda.")
    h, roles = found
    header = grid.rows[h]
    hrow = grid.numbers[h]
    year_cols = {j: year_of_header(c) for j, c in enumerate(header) if year_of_header(c) and j not in roles.values()}
    month_cols = {j: month_of_header(c) for j, c in enumerate(header) if month_of_header(c) and j not in roles.values()}
    december = december_as_year(file, {header[j]: m for j, m in month_cols.items()}, hrow,
                                header[min(month_cols)] if month_cols else None)
    year_cols |= {j: (m[0], False) for j, m in month_cols.items() if header[j] in december}
    other_month_cols = {j for j in month_cols if j not in year_cols}
    stub_cols = {j for role, j in roles.items() if role != "value"}  # 'Folkmängd 2024K1' is taken for a value column
    short = [c for j, c in enumerate(header) if j not in stub_cols and j not in year_cols and short_period(c)]
    if short:
        # Read before, a quarter's column was an extra column of the key (summed over as
        # civilstånd is), or with no year column the file was refused for lacking years.
        raise FileRejected(file, f"tabellens perioder ({swedish_list(short, 3, 'perioder')}) är kortare än ett år; "
                           f"{_SHORT_PERIOD_WHY}.", hrow, short[0])
    for need, label in (("age", "ålder"), ("sex", "kön")):
        if need not in roles:
            raise FileRejected(file, f"kolumnen '{label}' saknas. Välj {label} i SCB:s tabell "
                               "(ettåriga åldrar, män och kvinnor) och ladda ner igen.", hrow, label)
    long_layout = "year" in roles and "value" in roles
    if not long_layout and not year_cols:
        missing = "år" if "year" not in roles else (header[roles["year"]] + ": värdekolumn (folkmängd)")
        raise FileRejected(file, "hittar varken årskolumner (t.ex. '2023') eller en kolumn för år och en för "
                           "folkmängd.", hrow, missing)
    body, notes = grid.split_below(h)
    cells = _Cells()
    # Folkmängd ticked with another content in PxWeb: year columns per content ('Folkmängd
    # 2023', 'Folkökning 2023'), or a column of contents ('tabellinnehåll', 'ContentsCode').
    # Only Folkmängd is read; the others were read as the population or summed with it.
    by_contents: dict[str, list[int]] = {}
    for j in year_cols:
        by_contents.setdefault(_contents_of_header(header[j]), []).append(j)
    picked = _pick_contents(file, {c: _measure_of(c) for c in by_contents}, hrow, header[min(year_cols)]) if year_cols else []
    ignored = [c for c in by_contents if c not in picked]
    ignored_cols = {j for c in ignored for j in by_contents[c]}
    year_cols = {j: y for j, y in year_cols.items() if j not in ignored_cols}
    contents_col, contents_picked = roles.get("contents"), None
    if contents_col is not None:
        found_contents = list(dict.fromkeys(v for i in body if (v := _at(grid.rows[i], contents_col))))
        if found_contents:
            contents_picked = _pick_contents(file, {c: _measure_of(c) for c in found_contents}, grid.numbers[body[0]],
                                             header[contents_col])
            picked = [*picked, *contents_picked]
            ignored += [c for c in found_contents if c not in contents_picked]
    if ignored:
        cells.contents_read, cells.contents_ignored = [c for c in picked if c], ignored
    if long_layout and contents_picked is None:
        # A value column named after its content, as PxWeb 2 names it: 'Folkökning' is not read as people.
        picked = _pick_contents(file, {header[roles["value"]]: _measure_of(header[roles["value"]])}, hrow,
                                header[roles["value"]])
    if grid.stub_from_values and not any(picked) and not any(any(r) for r in grid.rows[:h]):
        # No title, no contents and no header over the columns: nothing says what the
        # numbers are (Folkmängd, Folkökning, Döda …), so they are not taken for people.
        where = f"blad '{grid.sheet}': " if grid.sheet else ""
        raise FileRejected(file, where + "tabellen har varken titel, kolumnrubriker eller tabellinnehåll, så det går "
                           "inte att veta att talen är folkmängd. Inget lästes in. Ladda ner tabellen från SCB:s "
                           "statistikdatabas igen med titeln (i PxWebApi: outputFormatParams=IncludeTitle) och "
                           "tabellinnehållet Folkmängd, eller som CSV.", hrow, header[min(year_cols)])
    if not any(_measure_of(c) for c in picked):
        title_row = None
        if title is None:
            title, title_row = next(((" ".join(c for c in r if c), grid.numbers[k]) for k, r in enumerate(grid.rows[:h])
                                     if any(r)), (None, None))
        _check_title(file, title, title_row)
    used = set(roles.values()) | set(year_cols) | ignored_cols | other_month_cols
    cells.other_months.update({header[j]: None for j in sorted(other_month_cols)})
    extras = [j for j, c in enumerate(header) if j not in used and c.strip()]
    rejected: list[Rejection] = []
    gz = ctx.gazetteer
    # An extra column holding a total (e.g. civilstånd 'totalt') is used alone, not summed.
    total_extras = {j for j in extras if any(_is_total(_at(grid.rows[i], j)) for i in body)}
    cells.extra_names = [header[j] for j in extras]
    totals: dict[int, str] = {}  # extra column -> its total as written
    left_out: dict[int, dict[str, None]] = {j: {} for j in total_extras}  # values left out for the total
    # PxWeb's Excel export (like its table on screen) writes a region, age, sex or year only
    # on the first row of its group and leaves the cells below blank: carry them down.
    stubs = ({roles[r] for r in ("region", "age", "sex")} | set(extras) | ({roles["year"]} if long_layout else set())
             | ({contents_col} if contents_col is not None else set()))
    previous: list[str] = []

    value_cols = [roles["value"]] if long_layout else list(year_cols)
    width = max((j for j, c in enumerate(header) if c.strip()), default=-1) + 1
    for i in body:
        if not any(_at(grid.rows[i], j) for j in value_cols):
            # No value at all: PxWeb's Excel writes the table's information below it as
            # label | value ('Källa:' | 'SCB'); carried down, 'Källa:' became a region.
            notes.append(" ".join(c for c in grid.rows[i] if c))
            continue
        rnum = grid.numbers[i]
        if repeats_header(grid.rows[i], header, {roles[r] for r in ("region", "age", "sex")}):
            rejected.append(Rejection(rnum, header[roles["region"]], REPEATED_HEADER))
            continue
        past = field_past(grid, grid.rows[i], width)
        if past is not None:
            rejected.append(Rejection(rnum, f"fält {past + 1}", SPLIT_ROW))
            continue
        row = [_at(grid.rows[i], j) or (_at(previous, j) if j in stubs else "") for j in range(len(header))]
        previous = row
        if any(j in total_extras and not _is_total(_at(row, j)) for j in extras):
            for j in total_extras:
                if not _is_total(_at(row, j)):
                    left_out[j][_at(row, j)] = None
            continue
        for j in total_extras:
            totals.setdefault(j, _at(row, j))
        if contents_picked is not None and _at(row, contents_col) not in contents_picked:
            continue
        kind, kommun = parse_region(_at(row, roles["region"]), gz)
        if kind in ("lan", "riket"):
            cells.skipped_regions[kind] += 1
            continue
        if kind == "unknown":
            rejected.append(Rejection(rnum, header[roles["region"]], "okänd region (ange kommunkod, t.ex. 0180)"))
            continue
        try:
            age = parse_age(_at(row, roles["age"]))
        except ValueError:
            rejected.append(Rejection(rnum, header[roles["age"]],
                                      "åldern passar inte åldersgrupperna; välj ettåriga åldrar i SCB:s tabell"))
            continue
        try:
            sex = parse_sex(_at(row, roles["sex"]))
        except ValueError:
            rejected.append(Rejection(rnum, header[roles["sex"]], "okänt kön (män/kvinnor eller 1/2)"))
            continue
        if age is None or sex is None:
            cells.totals_skipped += 1
            continue
        ex = tuple(_at(row, j) for j in extras)
        if long_layout:
            period = _at(row, roles["year"])
            y = year_of_header(period)
            month = month_of_header(period) if y is None else None
            if month is not None and month[1] != 12:
                cells.other_months[period] = None
                continue
            if month is not None:
                y = (month[0], False)
            if y is None:
                rejected.append(Rejection(rnum, header[roles["year"]],
                                          SHORT_PERIOD if short_period(period) else "ogiltigt år"))
                continue
            raw = _at(row, roles["value"])
            ok, v = _number(_FOOTNOTE.sub("", raw))
            if not ok:
                rejected.append(Rejection(rnum, header[roles["value"]], "folkmängden är inte ett heltal"))
                continue
            if y[1] or raw.endswith("*"):
                cells.preliminary.add(y[0])
            cells.add(kommun, y[0], sex, age, ex, v, rnum, header[roles["value"]])
            continue
        for j, (year, prel) in year_cols.items():
            raw = _at(row, j)
            ok, v = _number(_FOOTNOTE.sub("", raw))
            if not ok:
                rejected.append(Rejection(rnum, header[j], "folkmängden är inte ett heltal"))
                continue
            if prel or raw.endswith("*"):
                cells.preliminary.add(year)
            cells.add(kommun, year, sex, age, ex, v, rnum, header[j])
    if long_layout and cells.other_months and not cells.years:
        december_as_year(file, {t: month_of_header(t) for t in cells.other_months}, hrow, header[roles["year"]])
    cells.preliminary |= notes_preliminary_years(notes, cells.years)
    cells.totals_taken = {header[j]: (totals[j], list(left_out[j])) for j in sorted(total_extras) if j in totals}
    return cells, rejected + cells.rejected


def _at(row: list[str], j: int) -> str:
    return row[j] if j < len(row) else ""


def _read_table(path: Path, ctx: ReadContext, fmt: str) -> ReadResult:
    if fmt == "scb-html":
        gate_page(path)
    if fmt == "scb-parquet":
        found = first_finding(("Parquet-filens metadata", t) for t in parquet_text(path))
        if found:
            raise PersonnummerFound(path.name, found.where)
        grids = [parquet_grid(path)]
    elif fmt == "scb-xlsx":
        grids = workbook_grids(path)
    else:
        grids = [html_grid(path) if fmt == "scb-html" else csv_grid(path)]
    for g in grids:
        gate_grid(path.name, g)
    if fmt == "scb-xlsx":
        gate_workbook(path)  # after the cells, which name the cell
    usable = [g for g in grids if _find_header(g)]
    grid = usable[0] if usable else grids[0]
    cells, rejected = _read_grid(path.name, grid, ctx)
    frame, lines = cells.frame()
    if grid.sheet is not None:
        lines.insert(0, f"Läste bladet '{grid.sheet}'.")
    # The load log names an old .xls or an XML Spreadsheet as such (atgardsplan-xls does the same).
    kind = f"scb-{workbook_kind(path)}" if fmt == "scb-xlsx" else fmt
    return ReadResult(kind, "population", {"population": frame}, rejected, lines)


# --- read: JSON-stat 2 ------------------------------------------------------------------


def _dimension_codes(file: str, dim_id: str, dim: dict) -> tuple[list[str], dict[str, str]]:
    try:
        cat = dim["category"]
        index = cat.get("index")
        labels = cat.get("label") or {}
        if index is None:
            codes = list(labels)
        elif isinstance(index, list):
            codes = list(index)
        else:
            codes = [c for c, _ in sorted(index.items(), key=lambda kv: kv[1])]
    except (KeyError, TypeError, AttributeError):
        raise FileRejected(file, f"dimensionen '{dim_id}' saknar kategorier (category.index). "
                           "Filen är inte JSON-stat 2 från SCB.") from None
    return codes, {c: str(labels.get(c, c)) for c in codes}


def _role_of(dim_id: str, label: str, doc_roles: dict) -> str | None:
    i, lab = dim_id.lower(), norm(label)
    if dim_id in (doc_roles.get("time") or []) or i in ("tid", "time", "year") or lab in ("år", "tid"):
        return "year"
    if dim_id in (doc_roles.get("metric") or []) or i == "contentscode" or lab == "tabellinnehåll":
        return "metric"
    if i == "region" or lab.startswith("region"):
        return "region"
    if i in ("alder", "ålder", "age") or lab in _AGE:
        return "age"
    if i in ("kon", "kön", "sex") or lab in _SEX:
        return "sex"
    return None


_ZERO_SYMBOLS = ("-", "–")  # SCB's symbol for zero (as '-' in a CSV cell, see _number)


def _status_at(status, k: int) -> str | None:
    if status is None:
        return None
    if isinstance(status, str):
        return status
    if isinstance(status, list):
        return status[k] if k < len(status) else None
    if isinstance(status, dict):
        return status.get(str(k))
    return None


def _read_jsonstat(path: Path, ctx: ReadContext) -> ReadResult:
    file = path.name
    try:
        doc = json.loads(decode(path.read_bytes(), file))
    except json.JSONDecodeError as exc:
        raise FileRejected(file, f"filen är inte giltig JSON (rad {exc.lineno}, tecken {exc.colno}).") from None
    if isinstance(doc, dict) and isinstance(doc.get("columns"), list) and isinstance(doc.get("data"), list):
        return _read_pxweb_json(path, doc, ctx)
    if isinstance(doc, dict) and "dataset" in doc and isinstance(doc["dataset"], dict) and "dimension" not in doc:
        doc = _jsonstat1_dataset(doc["dataset"])
    if not isinstance(doc, dict) or not isinstance(doc.get("dimension"), dict) or "value" not in doc:
        raise FileRejected(file, "filen är inte ett JSON-stat 2-dataset (nycklarna 'dimension' och 'value' "
                           "saknas). Välj svarsformatet json-stat2 hos SCB.")
    ids = doc.get("id") or list(doc["dimension"])
    sizes = doc.get("size")
    check_json(file, doc)
    dims, roles = [], {}
    doc_roles = doc.get("role") or {}
    for d in ids:
        dim = doc["dimension"].get(d)
        if not isinstance(dim, dict):
            raise FileRejected(file, f"dimensionen '{d}' i 'id' saknas under 'dimension'.", column=d)
        codes, labels = _dimension_codes(file, d, dim)
        role = _role_of(d, dim.get("label", ""), doc_roles)
        if role and role not in roles:
            roles[role] = len(dims)
        dims.append((d, codes, labels, role))
    if sizes is None:
        sizes = [len(c) for _, c, _, _ in dims]
    if [len(c) for _, c, _, _ in dims] != list(sizes):
        raise FileRejected(file, "'size' stämmer inte med antalet kategorier per dimension; filen är skadad.")
    for need, label in (("region", "Region"), ("age", "Alder (ålder)"), ("sex", "Kon (kön)"), ("year", "Tid (år)")):
        if need not in roles:
            raise FileRejected(file, f"dimensionen {label} saknas. Hämta tabellen med region, ålder, kön och år "
                               "(t.ex. python -m pipelines fetch scb).", column=label.split()[0])
    # Which metric: Folkmängd, of one content or several; a table of others is refused.
    metric_pick, metric_ignored = None, []
    if "metric" in roles and dims[roles["metric"]][1]:
        _, mcodes, mlabels, _ = dims[roles["metric"]]
        names = {c: f"{mlabels[c]} ({c})" if mlabels[c] != c else c for c in mcodes}
        picked = _pick_contents(file, {names[c]: _measure_of(mlabels[c], c) for c in mcodes}, None,
                                dims[roles["metric"]][0])[0]
        metric_pick = next(c for c in mcodes if names[c] == picked)
        metric_ignored = [names[c] for c in mcodes if c != metric_pick]
    else:
        _check_title(file, str(doc.get("label") or ""))
    # Other dimensions (e.g. Civilstand): use a total category if there is one, else sum.
    extra_pick = {}
    for n, (_d, codes, labels, role) in enumerate(dims):
        if role is None and len(codes) > 1:
            total = next((c for c in codes if _is_total(c) or _is_total(labels[c])), None)
            if total:
                extra_pick[n] = total

    values, status = doc["value"], doc.get("status")
    notes = _json_notes(doc)
    cells, rejected = _Cells(), []
    if metric_ignored:
        cells.contents_read, cells.contents_ignored = [names[metric_pick]], metric_ignored
    gz = ctx.gazetteer
    # Parse each category once; the cube is walked as indices (a year is ~60 000 cells).
    r_dim, a_dim, s_dim, y_dim = (roles[x] for x in ("region", "age", "sex", "year"))
    regions = [parse_region(c, gz) for c in dims[r_dim][1]]
    for code, (kind, _) in zip(dims[r_dim][1], regions, strict=True):
        if kind == "unknown":
            rejected.append(Rejection(None, dims[r_dim][0], f"okänd regionkod '{code[:12]}'"))
    ages, sexes = [], []
    for codes, parser, out, name in ((dims[a_dim][1], parse_age, ages, "Alder"), (dims[s_dim][1], parse_sex, sexes, "Kon")):
        for code in codes:
            try:
                out.append(parser(code))
            except ValueError:
                out.append(ValueError)
                rejected.append(Rejection(None, name, f"okänd kategori '{code[:20]}'"))
    years = []
    months = {code: m for code in dims[y_dim][1] if (m := month_of_header(code))}
    december = december_as_year(file, months, column=dims[y_dim][0])
    for code in dims[y_dim][1]:
        if code in months:
            years.append((months[code][0], False) if code in december else None)
            if code not in december:
                cells.other_months[dims[y_dim][2].get(code, code)] = None
            continue
        y = year_of_header(code) or year_of_header(dims[y_dim][2][code])
        if y is None:
            raise FileRejected(file, f"tidsperioden '{code[:20]}' är inte ett år.", column=dims[y_dim][0])
        years.append((y[0], y[1] or code.endswith("*")))
    keep = [
        [i for i, c in enumerate(codes)
         if (n != roles.get("metric") or not metric_pick or c == metric_pick) and (n not in extra_pick or c == extra_pick[n])]
        for n, (_, codes, _, _) in enumerate(dims)
    ]
    strides = [1] * len(dims)
    for n in range(len(dims) - 2, -1, -1):
        strides[n] = strides[n + 1] * len(dims[n + 1][1])
    free = [n for n in range(len(dims)) if dims[n][3] is None and n not in extra_pick]

    def dim_name(n: int) -> str:
        return str(doc["dimension"][dims[n][0]].get("label") or dims[n][0])

    cells.extra_names, cells.extra_labels = [dim_name(n) for n in free], [dims[n][2] for n in free]
    cells.totals_taken = {dim_name(n): (dims[n][2][total], [dims[n][2][c] for c in dims[n][1] if c != total])
                          for n, total in extra_pick.items()}
    is_dict = isinstance(values, dict)
    for combo in itertools.product(*keep):
        kind, kommun = regions[combo[r_dim]]
        if kind != "kommun":
            if kind != "unknown":
                cells.skipped_regions[kind] += 1
            continue
        age, sex = ages[combo[a_dim]], sexes[combo[s_dim]]
        if age is ValueError or sex is ValueError:
            continue
        if age is None or sex is None:
            cells.totals_skipped += 1
            continue
        if years[combo[y_dim]] is None:
            continue  # a month other than December
        k = sum(i * st for i, st in zip(combo, strides, strict=True))
        year, prel = years[combo[y_dim]]
        v = values.get(str(k)) if is_dict else (values[k] if k < len(values) else None)
        if v is None and status is not None and (_status_at(status, k) or "").strip() in _ZERO_SYMBOLS:
            # PxWebApi 2.0 writes a cell holding a symbol as null, the symbol in 'status':
            # '-' is SCB's zero (a small kommun's men aged 100+), '..' is missing.
            v = 0
        if prel or (status is not None and (_status_at(status, k) or "").strip().lower() in ("p", "prel", "preliminär")):
            cells.preliminary.add(year)
        if v is not None and (not isinstance(v, (int, float)) or isinstance(v, bool) or v < 0):
            rejected.append(Rejection(None, "value", f"värde nummer {k + 1} är inte ett tal"))
            continue
        extras = tuple(dims[n][1][combo[n]] for n in free)
        cells.add(kommun, year, sex, age, extras, v)
    cells.preliminary |= notes_preliminary_years(notes, cells.years)
    frame, lines = cells.frame()
    label = doc.get("label")
    if label:
        lines.insert(0, f"Tabell: {str(label)[:120]}.")
    return ReadResult("scb-json", "population", {"population": frame}, rejected + cells.rejected, lines)


def _jsonstat1_dataset(ds: dict) -> dict:
    """A JSON-stat 1 dataset in JSON-stat 2's shape: version 1 keeps 'id', 'size' and
    'role' inside 'dimension', beside the dimensions themselves."""
    dims = ds.get("dimension")
    if not isinstance(dims, dict):
        return ds
    out = {k: v for k, v in ds.items() if k != "dimension"}
    for key in ("id", "size", "role"):
        if key in dims and key not in out:
            out[key] = dims[key]
    out["dimension"] = {k: v for k, v in dims.items() if k not in ("id", "size", "role")}
    return out


def _read_pxweb_json(path: Path, doc: dict, ctx: ReadContext) -> ReadResult:
    """The PxWeb API's plain json answer ({"columns": [...], "data": [{"key", "values"}]})
    read as the table it is: one header of column texts, one row per data entry."""
    file = path.name
    check_json(file, doc)
    try:
        header = [str(c.get("text") or c["code"]) for c in doc["columns"]]
        body = [[cell_text(v) for v in [*d["key"], *d["values"]]] for d in doc["data"]]
        # The contents (type 'c') follow the keys, one value each: read the one that is Folkmängd.
        contents = {n: c for n, c in enumerate(doc["columns"]) if c.get("type") == "c"}
    except (KeyError, TypeError, AttributeError):
        raise FileRejected(file, "PxWeb-svaret saknar 'columns' med text eller 'data' med 'key' och 'values'. "
                           "Hämta tabellen igen, helst som json-stat2.") from None
    ignored = []
    if contents:
        codes = {n: str(c.get("code") or header[n]) for n, c in contents.items()}
        names = {n: header[n] if codes[n] == header[n] else f"{header[n]} ({codes[n]})" for n in contents}
        picked = _pick_contents(file, {names[n]: _measure_of(header[n], codes[n]) for n in contents}, None,
                                codes[min(contents)])[0]
        keep = [n for n in range(len(header)) if n not in contents or names[n] == picked]
        ignored = [names[n] for n in contents if names[n] != picked]
        header, body = [header[n] for n in keep], [[_at(r, n) for n in keep] for r in body]
    # Rows are numbered by their entry in 'data' (as Kolada's are in 'values'); the header
    # built from 'columns' has no row of its own.
    grid = Grid([header, *body], [None, *range(1, len(body) + 1)])
    label = next((m.get("label") for m in doc.get("metadata") or [] if isinstance(m, dict) and m.get("label")), None)
    cells, rejected = _read_grid(file, grid, ctx, str(label or ""))
    if ignored:
        cells.contents_read, cells.contents_ignored = [picked], ignored
    frame, lines = cells.frame()
    if label:
        lines.insert(0, f"Tabell: {str(label)[:120]}.")
    return ReadResult("scb-json", "population", {"population": frame}, rejected, lines)


def _json_notes(doc: dict) -> list[str]:
    notes = [str(n) for n in (doc.get("note") or [])]
    for dim in doc["dimension"].values():
        notes += [str(n) for n in (dim.get("note") or [])] if isinstance(dim, dict) else []
        cat = dim.get("category", {}) if isinstance(dim, dict) else {}
        for v in (cat.get("note") or {}).values() if isinstance(cat.get("note"), dict) else []:
            notes += [str(x) for x in (v if isinstance(v, list) else [v])]
    return notes


# --- read: PX (PC-Axis) ---------------------------------------------------------------

_PX_KEYWORD = re.compile(r'([A-Z][A-Z0-9-]*)(\[[^\]]*\])?(?:\("([^"]*)"\))?\s*=\s*(.*)', re.S)


def px_grid(path: Path) -> tuple[Grid, str | None, list[Rejection]]:
    """A PX file (PxWeb's "PX-fil") as the wide table it describes, its title, and the
    data rows that could not be placed (a KEYS file's row whose key is unknown).

    The header is the STUB variables and one column per combination of the HEADING
    variables' values (joined by a space: "Folkmängd 2023"). Without KEYS, DATA runs
    through the cells row by row, the last variable fastest; with KEYS see
    :func:`_px_keyed_rows`.
    """
    file = path.name
    text = decode(path.read_bytes(), file).lstrip("\ufeff")
    meta_text, sep, data_text = text.partition("DATA=")
    if not sep:
        raise FileRejected(file, "PX-filen saknar DATA=. Ladda ner tabellen från SCB igen.")
    meta: dict[tuple[str, str | None], list[str]] = {}
    # Keywords end with ';' outside quotes; a language variant (VALUES[en]) is skipped.
    for entry in re.findall(r'(?:[^";]|"[^"]*")+', meta_text):
        m = _PX_KEYWORD.match(entry.strip())
        if m and not m[2]:
            meta[(m[1], m[3])] = re.findall(r'"([^"]*)"', m[4]) or [m[4].strip()]
    stub, heading = meta.get(("STUB", None), []), meta.get(("HEADING", None), [])
    values = {v: meta.get(("VALUES", v)) for v in stub + heading}
    missing = [v for v, vals in values.items() if not vals]
    if not stub or missing:
        raise FileRejected(file, "PX-filen saknar STUB eller VALUES för " + (", ".join(missing) or "STUB")
                           + ". Ladda ner tabellen från SCB igen.")
    # Each cell with the file line it starts on (a KEYS file's rows are named by line).
    first_line = meta_text.count("\n") + 1
    cells, lines, line, at = [], [], first_line, 0
    for m in re.finditer(r'"[^"]*"|[^\s";,]+', data_text.rsplit(";", 1)[0]):
        line += data_text.count("\n", at, m.start())
        at = m.start()
        cells.append(m[0])
        lines.append(line)
    found = first_finding((f"rad {n}", c) for c, n in zip(cells, lines, strict=True))
    if found:
        raise PersonnummerFound(file, found.where)
    symbols = _px_symbols(meta)
    columns = [" ".join(c) for c in itertools.product(*(values[v] for v in heading))] or [""]
    title = (meta.get(("TITLE", None)) or [None])[0]
    # Title and notes go above the header, as in a CSV export, so "preliminär" in them counts.
    notes = [[" ".join(meta.get((k, None), []))] for k in ("TITLE", "NOTE", "NOTEX") if meta.get((k, None))]
    keys = {v: meta[("KEYS", v)][0].strip().upper() for v in stub if ("KEYS", v) in meta}
    if keys:
        body, numbers, rejected = _px_keyed_rows(file, meta, stub, values, keys, columns, cells, lines)
        rows = [*notes, [*stub, *columns], *([*key, *(_px_cell(c, symbols) for c in data)] for key, data in body)]
        # Rows are named by their line in the file; a row the file left out (all zeros) has none.
        return Grid(rows, [None] * (len(notes) + 1) + numbers), title, rejected
    stub_rows = list(itertools.product(*(values[v] for v in stub)))
    if len(cells) != len(stub_rows) * len(columns):
        raise FileRejected(file, f"PX-filen har {len(cells)} värden i DATA men tabellen har "
                           f"{len(stub_rows) * len(columns)} celler; filen är avbruten eller skadad.")
    rows = [*notes, [*stub, *columns]]
    for n, key in enumerate(stub_rows):
        rows.append([*key, *(_px_cell(c, symbols) for c in cells[n * len(columns):(n + 1) * len(columns)])])
    # Row numbers are the table's rows (its first row 1), as the file has no rows of its own.
    return Grid(rows, list(range(1, len(rows) + 1))), title, []


def _px_symbols(meta: dict) -> dict[str, str]:
    """Texts the file declares with DATASYMBOL1-6 (missing) or DATASYMBOLNIL (nothing to
    report, i.e. 0), to be read as '..' or '-'. The spec stores missing cells as one to six
    dots and nil as '-' (which :func:`_number` reads); the symbols say how they are shown,
    but some writers put them in DATA."""
    out = {}
    for keyword, mark in [*((f"DATASYMBOL{n}", "..") for n in range(1, 7)), ("DATASYMBOLNIL", "-")]:
        for symbol in meta.get((keyword, None), []):
            if symbol.strip() and not re.fullmatch(r"\.{1,6}|-", symbol.strip()):
                out[symbol.strip()] = mark
    return out


def _px_cell(cell: str, symbols: dict[str, str]) -> str:
    text = cell.strip('"')
    return symbols.get(text, text)


def _px_keyed_rows(file: str, meta: dict, stub: list[str], values: dict, keys: dict[str, str],
                   columns: list[str], cells: list[str], lines: list[int]):
    """A KEYS file's DATA as table rows: ``([(stub values, cells)], line numbers, rejected)``.

    With ``KEYS("var")=VALUES`` or ``=CODES`` each data row starts with the row's value (or
    code) of each keyed variable, quoted, then its cells: one per combination of the stub
    variables without keys and the heading. The keyed variables are the first ones of STUB
    (the spec keys them all). Rows whose cells would all be 0 are left out of the file
    (sparse), so every combination of keys the file does not hold is a row of zeros.
    """
    keyed = stub[:len(keys)]
    if set(keyed) != set(keys):
        raise FileRejected(file, "PX-filens KEYS måste gälla de första variablerna i STUB ("
                           + ", ".join(stub[:len(keys)]) + "), inte " + ", ".join(keys)
                           + ". Spara tabellen på nytt från PxWeb eller PX-Edit.", column=next(iter(keys)))
    lookup = {}
    for v in keyed:
        if keys[v] not in ("VALUES", "CODES"):
            raise FileRejected(file, f'KEYS("{v}") ska vara VALUES eller CODES.', column=v)
        written = meta.get(("CODES", v)) if keys[v] == "CODES" else values[v]
        if not written or len(written) != len(values[v]):
            raise FileRejected(file, f'PX-filen har KEYS("{v}")=CODES men CODES("{v}") saknas eller har '
                               "inte lika många koder som VALUES. Ladda ner tabellen igen.", column=v)
        lookup[v] = dict(zip(written, values[v], strict=True))
    inner = list(itertools.product(*(values[v] for v in stub[len(keys):])))
    width = len(keys) + len(inner) * len(columns)
    if len(cells) % width:
        row = len(cells) // width
        raise FileRejected(file, f"PX-filens DATA-rad {row + 1} (rad {lines[row * width]} i filen) har inte "
                           f"{len(keys)} nycklar och {width - len(keys)} värden; filen är avbruten eller skadad.",
                           lines[row * width])
    body, numbers, rejected, seen = [], [], [], set()
    for start in range(0, len(cells), width):
        raw = [c.strip('"') for c in cells[start:start + len(keys)]]
        key = tuple(lookup[v].get(k) for v, k in zip(keyed, raw, strict=True))
        unknown = next((v for v, k in zip(keyed, key, strict=True) if k is None), None)
        if unknown:
            where = "CODES" if keys[unknown] == "CODES" else "VALUES"
            rejected.append(Rejection(lines[start], unknown, f"nyckeln finns inte i {where}(\"{unknown}\")"))
            continue
        seen.add(key)
        data = cells[start + len(keys):start + width]
        for n, rest in enumerate(inner):
            body.append(([*key, *rest], data[n * len(columns):(n + 1) * len(columns)]))
            numbers.append(lines[start])
    zeros = ["0"] * len(columns)
    for key in itertools.product(*(values[v] for v in keyed)):
        if key not in seen:
            for rest in inner:
                body.append(([*key, *rest], zeros))
                numbers.append(None)
    return body, numbers, rejected


def _read_px(path: Path, ctx: ReadContext) -> ReadResult:
    grid, title, key_rejected = px_grid(path)
    gate_grid(path.name, grid)
    cells, rejected = _read_grid(path.name, grid, ctx, title or "")
    frame, lines = cells.frame()
    if title:
        lines.insert(0, f"Tabell: {title[:120]}.")
    return ReadResult("scb-px", "population", {"population": frame}, key_rejected + rejected, lines)


def read(path: Path, ctx: ReadContext, fmt: str) -> ReadResult:
    """SCB population as ``population`` rows (see the module docstring)."""
    if fmt == "scb-px":
        return _read_px(path, ctx)
    if fmt == "scb-json":
        return _read_jsonstat(path, ctx)
    return _read_table(path, ctx, fmt)


# --- fetch ------------------------------------------------------------------------------


def parse_years(text: str | None, default_last: int = 5) -> list[int]:
    """'2020-2024' or '2020,2022' or '2023' -> years; default: the last completed years."""
    from pipelines.fetch import FetchError

    if not text:
        this = date.today().year
        return list(range(this - default_last, this))
    years: set[int] = set()
    for part in str(text).split(","):
        m = re.fullmatch(r"\s*(\d{4})\s*(?:[-–]\s*(\d{4})\s*)?", part)
        if not m:
            raise FetchError(f"--years: '{part.strip()}' är inte ett år eller ett intervall (skriv t.ex. 2020-2024).")
        lo, hi = int(m[1]), int(m[2] or m[1])
        if hi < lo or hi - lo > 60:
            raise FetchError(f"--years: intervallet '{part.strip()}' är ogiltigt.")
        years.update(range(lo, hi + 1))
    return sorted(years)


def population_query(kommuner: list[str], years: list[int]) -> dict:
    """The PxWeb v1 query: all kommuner, every single age, men and women, Folkmängd.

    Civilstånd is left out of the query, so SCB sums over it (the variable is eliminable).
    """
    return {
        "query": [
            {"code": "Region", "selection": {"filter": "vs:RegionKommun07", "values": kommuner}},
            {"code": "Alder", "selection": {"filter": "all", "values": ["*"]}},
            {"code": "Kon", "selection": {"filter": "item", "values": ["1", "2"]}},
            {"code": "ContentsCode", "selection": {"filter": "item", "values": [CONTENTS_POPULATION]}},
            {"code": "Tid", "selection": {"filter": "item", "values": [str(y) for y in years]}},
        ],
        "response": {"format": "json-stat2"},
    }


def population_query_v2(kommuner: list[str], years: list[int]) -> dict:
    """The same query for PxWebApi 2.0 (the body of POST /tables/TAB638/data): value codes
    per variable, "*" for every age; Civilstand is left out, so SCB sums over it."""
    return {
        "selection": [
            {"variableCode": "Region", "valueCodes": kommuner},
            {"variableCode": "Alder", "valueCodes": ["*"]},
            {"variableCode": "Kon", "valueCodes": ["1", "2"]},
            {"variableCode": "ContentsCode", "valueCodes": [CONTENTS_POPULATION]},
            {"variableCode": "Tid", "valueCodes": [str(y) for y in years]},
        ],
    }


def data_url_v2() -> str:
    """API 2.0's data address for the population table, answering JSON-stat 2 in Swedish."""
    return f"{API_V2}/tables/{TABLE_V2}/data?lang=sv&outputFormat=json-stat2"


def _not_found(exc) -> bool:
    """Whether an API 2.0 error says the table or the address does not exist (so v1 may
    still have it), rather than refusing the query or failing for a while."""
    return exc.status in (404, 410) or (exc.said or "").lower().startswith("non-existent table")


def _too_many_cells(exc) -> bool:
    return exc.status in (400, 403) and "too many cells" in (exc.said or "").lower()


def _parts(kommuner: list[str], per_request: int) -> list[list[str]]:
    return [kommuner[i:i + per_request] for i in range(0, len(kommuner), per_request)]


def fetch(args, dest_dir: Path) -> list[Path]:
    """``fetch scb --years 2020-2024``: one request per year to PxWebApi 2.0, the kommuner
    split over several requests if a year would pass the API's cell limit.

    290 kommuner x 102 ages x 2 sexes is about 59 000 cells a year, under API 2.0's 150 000;
    should SCB lower the limit ("Too many cells selected"), the year is asked again in smaller
    parts. When API 2.0 says the table or its address does not exist, the rest is fetched
    from the older v1 API (BefolkningNy), saying so on stderr.
    """
    import sys

    from pipelines.fetch import FetchError, request_json
    from pipelines.geography import load_reference

    if getattr(args, "args", None):
        raise FetchError("fetch scb tar inga egna argument; ange bara --years, t.ex. --years 2020-2024.")
    years = parse_years(getattr(args, "years", None))
    kommuner = sorted(load_reference().kommun["kommun_code"])
    per_request = max(1, MAX_CELLS_V2 // (AGES_IN_TABLE * 2))
    use_v1, v2_failure = False, ""
    files, asked = [], 0

    def ask(method: str, url: str, source: str, what: str, body: dict):
        nonlocal asked
        if asked:
            # v1 allows 10 requests per 10 seconds, API 2.0 30: a run of many years that
            # falls back to v1 must not be turned away half-way.
            time.sleep(REQUEST_PAUSE_S * (2 if use_v1 else 1))
        asked += 1
        return request_json(method, url, source, what, timeout=120, json=body)

    for year in years:
        answers: list[tuple[object, bytes]] = []
        while not use_v1:
            parts = _parts(kommuner, per_request)
            try:
                answers = [ask("POST", data_url_v2(), "SCB:s API 2.0",
                               f"för år {year}" + (f" (del {n} av {len(parts)})" if len(parts) > 1 else ""),
                               population_query_v2(part, [year]))
                           for n, part in enumerate(parts, start=1)]
                break
            except FetchError as exc:
                if _too_many_cells(exc) and per_request > 1:
                    per_request = max(1, per_request // 2)
                    continue
                if not _not_found(exc):
                    raise
                use_v1 = True
                said = f": '{exc.said}'" if exc.said else ""
                v2_failure = f"POST {data_url_v2()} svarade HTTP {exc.status}{said}"
                print(f"SCB:s API 2.0 har inte tabellen {TABLE_V2} ({v2_failure}); hämtar i stället från "
                      f"det äldre API:t v1 ({API_V1}).", file=sys.stderr)
        if use_v1:
            try:
                answers = [ask("POST", API_V1, "SCB:s API v1", f"för år {year}", population_query(kommuner, [year]))]
            except FetchError as exc:
                raise FetchError(f"SCB:s befolkning kunde inte hämtas. Provade API 2.0 ({v2_failure}) och sedan "
                                 f"API v1 ({API_V1}): {exc}", exc.status, exc.said) from None
        for n, (doc, raw) in enumerate(answers, start=1):
            if not isinstance(doc, dict) or "dimension" not in doc:
                raise FetchError(f"SCB:s svar för år {year} är inte JSON-stat 2.")
            name = f"scb-folkmangd-{year}.json" if len(answers) == 1 else f"scb-folkmangd-{year}-del{n}.json"
            out = Path(dest_dir) / name
            out.write_bytes(raw)
            files.append(out)
    return files
