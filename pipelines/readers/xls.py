"""Old binary Excel workbooks (.xls, Excel 97–2003), read with xlrd: for the statistics
readers (SCB, Brå, Kolada) each sheet's values as rows (:func:`sheet_values`), and for
the action plan into the same sheets as an .xlsx (pipelines.readers.atgardsplan.Sheet):
each sheet's filled
cells as text (numbers, dates and percentages as the cell's format shows them), its
merged ranges, comments, hidden rows and columns, hidden sheets and the cells filled
with a colour. The reading of the plan itself is the workbook reader's.

Why xlrd and not python-calamine (faster, Rust): calamine gives an .xls's values,
merged ranges and hidden sheets, but no fills, hidden rows or columns, comments or
number formats, and the plan reader needs each of them (a status shown only as a
colour, a hidden measure row named in the report, a comment that may hold a
personnummer, "50 %" as a share done). xlrd 2 reads only .xls, and reads all of these
with ``formatting_info=True``.

Not read from an .xls: conditional formatting (an icon set showing a status written
1, 2, 3 as a traffic light), which the .xlsx path reads; the load report says so.
Everything the file holds besides its cells (headers and footers, text boxes, document
properties, embedded objects) is screened for personnummer as bytes, stream by stream
(personnummer.in_blob), by the caller.
"""

from __future__ import annotations

import contextlib
import re
from datetime import datetime
from pathlib import Path

from openpyxl.utils import get_column_letter

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# A cell style's fill pattern 0 is "none"; palette indexes 64 and 65 are the system's
# window colours (the default), which no one picks as a status colour.
_NO_FILL, _SYSTEM_COLOURS = 0, {64, 65, 0x7FFF}
_STATES = {0: "visible", 1: "hidden", 2: "veryHidden"}


class _Quiet:
    """Where xlrd writes its warnings (on stdout by default: "File is truncated", "OLE2
    inconsistency"), which are no message for the user: the file is refused or read."""

    def write(self, text: str) -> None:
        pass


_QUIET = _Quiet()


class TooManyCells(Exception):
    """More filled cells than the caller's budget."""


class Unreadable(Exception):
    """xlrd cannot read the file (damaged, or no Excel 97–2003 workbook)."""


def is_xls(path: Path) -> bool:
    """True for an OLE compound file (an .xls, or another Office document of that age)."""
    with open(path, "rb") as fh:
        return fh.read(8) == OLE_MAGIC


_READ: dict[tuple, list] = {}  # the last files read by sheet_values (their callers never change the rows)


def sheet_values(path: Path, max_rows: int | None = None, budget: int = 10_000_000) -> list[tuple[str, list[list]]]:
    """:func:`_sheet_values`, remembered for the last few files: recognising a file asks
    several readers (the plan's, SCB's, Brå's, Kolada's) for its first rows, and xlrd parses
    a whole sheet to give any of its rows (two seconds for SCB's 59 000 rows). So each file
    is read whole once, and ``max_rows`` cuts what is remembered."""
    stat = Path(path).stat()
    key = (str(Path(path).resolve()), stat.st_mtime_ns, stat.st_size, budget)
    if key not in _READ:
        if len(_READ) >= 2:
            _READ.pop(next(iter(_READ)))
        _READ[key] = _sheet_values(path, budget)
    return [(name, rows if max_rows is None else rows[:max_rows]) for name, rows in _READ[key]]


def _sheet_values(path: Path, budget: int) -> list[tuple[str, list[list]]]:
    """Each sheet's name and rows of cell values, as an .xlsx's opened by openpyxl give
    them: text, numbers (whole ones as int), datetimes and booleans, None for an empty
    cell or an error; a merged range holds its value in its first cell. Without the
    cells' formatting, which a statistics table does not need (and xlrd then reads a
    large table several times faster). Raises Unreadable for a file xlrd cannot read and
    TooManyCells past ``budget`` cells."""
    import xlrd

    sheets, cells = [], 0
    with _workbook(path, formatting_info=False) as book:
        for index in range(book.nsheets):
            ws = book.sheet_by_index(index)
            rows = []
            for r in range(ws.nrows):
                row = []
                for cell in ws.row(r):
                    kind, value = cell.ctype, cell.value
                    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
                        value = None
                    elif kind == xlrd.XL_CELL_DATE:
                        try:
                            value = xlrd.xldate_as_datetime(value, book.datemode)
                        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
                            kind = xlrd.XL_CELL_NUMBER  # no date can be it: the number, as in an .xlsx
                    elif kind == xlrd.XL_CELL_BOOLEAN:
                        value = bool(value)
                    if kind == xlrd.XL_CELL_NUMBER and float(value).is_integer():
                        value = int(value)
                    row.append(value)
                cells += len(row)
                if cells > budget:
                    raise TooManyCells
                rows.append(row)
            sheets.append((ws.name, rows))
            book.unload_sheet(index)
    return sheets


@contextlib.contextmanager
def _workbook(path: Path, *, formatting_info: bool):
    """xlrd's workbook of ``path``, opened sheet by sheet and released after. Any error
    xlrd raises while opening or reading (XLRDError, struct.error, AssertionError … for a
    damaged or encrypted file) becomes Unreadable; TooManyCells passes."""
    import xlrd

    try:
        book = xlrd.open_workbook(str(path), formatting_info=formatting_info, on_demand=True, logfile=_QUIET)
    except Exception as exc:
        raise Unreadable(type(exc).__name__) from None
    try:
        yield book
    except TooManyCells:
        raise
    except Exception as exc:
        raise Unreadable(type(exc).__name__) from None
    finally:
        book.release_resources()


def where_outside_cells(found: tuple[str, ...]) -> str:
    """Where in an .xls a personnummer outside the cells is, from the stream path
    personnummer.in_compound_file gives, as a message names it."""
    from pipelines.personnummer import mask

    stream = _CONTROL.sub("", found[0]) if found else ""
    if stream in ("Workbook", "Book"):
        return ("arbetsboken utanför cellernas värden (t.ex. i ett sidhuvud eller en sidfot, en textruta, en "
                "formel eller en rullgardinslista)")
    if stream.endswith("SummaryInformation"):
        return "arbetsbokens egenskaper (Arkiv > Info)"
    if stream:
        within = _CONTROL.sub("", " > ".join(found))
        return f"arbetsbokens del {mask(within)} (t.ex. ett inbäddat objekt)"
    return "arbetsboken utanför cellernas värden"


_CONTROL = re.compile(r"[\x00-\x1f]")  # an OLE stream's name may start with one ("\x01Ole10Native")


def read_sheets(path: Path, sheet_class, text_of, hue_family, budget: int) -> list:
    """The sheets of an .xls as ``sheet_class`` objects (cells made text by
    ``text_of(value, percent=…)``, colours named by ``hue_family``). Raises TooManyCells
    past ``budget`` filled cells and Unreadable for a file xlrd cannot read."""
    sheets, filled = [], 0
    with _workbook(path, formatting_info=True) as book:
        for index in range(book.nsheets):
            ws = book.sheet_by_index(index)
            sheet = sheet_class(index + 1, ws.name, _STATES.get(ws.visibility, "hidden"))
            filled += _fill(sheet, ws, book, text_of, hue_family, budget - filled)
            sheets.append(sheet)
            book.unload_sheet(index)
    return sheets


def _fill(sheet, ws, book, text_of, hue_family, budget: int) -> int:
    """Set ``sheet``'s cells, numbers, merges, comments, colours, hidden rows and columns
    from xlrd's sheet ``ws``; return the number of filled cells."""
    import xlrd

    filled = 0
    families: dict[int, str | None] = {}  # a cell style -> its fill's colour family
    percent_styles: dict[int, bool] = {}
    for r in range(ws.nrows):
        for c, cell in enumerate(ws.row(r)):
            at = (r + 1, c + 1)
            xf = cell.xf_index
            if xf is not None and xf not in families:
                families[xf], percent_styles[xf] = _style(book, xf, hue_family)
            family = families.get(xf)
            if family and family != "vit":
                sheet.coloured[at] = family
            kind, value = cell.ctype, cell.value
            if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                continue
            if kind == xlrd.XL_CELL_ERROR:
                sheet.errors[at] = xlrd.error_text_by_code.get(value, "#VALUE!")
                continue
            percent = False
            if kind == xlrd.XL_CELL_DATE:
                try:
                    value = xlrd.xldate_as_datetime(value, book.datemode)
                except (ValueError, OverflowError, xlrd.xldate.XLDateError):
                    # A number no date can be in a date-formatted cell (Excel shows #####):
                    # read as the number, as the .xlsx path does.
                    sheet.not_dates.add(at)
                    kind = xlrd.XL_CELL_NUMBER
            elif kind == xlrd.XL_CELL_BOOLEAN:
                value = bool(value)
            elif kind == xlrd.XL_CELL_NUMBER:
                percent = percent_styles.get(xf, False)
            if kind == xlrd.XL_CELL_NUMBER and float(value).is_integer():
                value = int(value)
            text = text_of(value, percent=percent)
            if not text:
                continue
            filled += 1
            if filled > budget:
                raise TooManyCells
            sheet.cells[at] = text
            if kind == xlrd.XL_CELL_NUMBER and not percent:
                sheet.numbers.add(at)
            if isinstance(value, datetime) and value.year < 1901:
                sheet.cells[at] = value.time().isoformat()  # a time of day alone (a serial under 1)
    # A template formatted down to row 65 536 has a coloured cell on every row: colours
    # count only up to the last row holding a value, as in an .xlsx.
    last = max((r for r, _ in sheet.cells), default=0)
    sheet.coloured = {at: family for at, family in sheet.coloured.items() if at[0] <= last}
    for rlo, rhi, clo, chi in ws.merged_cells:  # half-open, from 0
        sheet.merges.append((rlo + 1, clo + 1, rhi, chi))
    sheet.hidden_rows.update(r + 1 for r, info in ws.rowinfo_map.items() if info.hidden)
    sheet.hidden_cols.update(c + 1 for c, info in ws.colinfo_map.items() if info.hidden)
    for (r, c), note in ws.cell_note_map.items():
        sheet.comments[_ref(r + 1, c + 1)] = note.text or ""
        if note.author:
            sheet.other_texts.append(("en kommentars författare", note.author))
    return filled


def _style(book, xf_index: int, hue_family) -> tuple[str | None, bool]:
    """A cell style's fill colour family (None without a fill) and whether it formats a
    number as a percentage."""
    try:
        xf = book.xf_list[xf_index]
    except IndexError:
        return None, False
    fmt = book.format_map.get(xf.format_key)
    shown = fmt.format_str if fmt is not None else ""
    percent = "%" in _unquoted(shown)
    background = xf.background
    if background.fill_pattern == _NO_FILL or background.pattern_colour_index in _SYSTEM_COLOURS:
        return None, percent
    rgb = book.colour_map.get(background.pattern_colour_index)
    if not rgb:
        return None, percent
    return hue_family("{:02X}{:02X}{:02X}".format(*rgb)), percent


def _unquoted(number_format: str) -> str:
    """A number format without its quoted text ('"%"' shows a per cent sign, no percentage)."""
    out, quoted = [], False
    for ch in number_format:
        if ch == '"':
            quoted = not quoted
        elif not quoted:
            out.append(ch)
    return "".join(out)


def _ref(row: int, col: int) -> str:
    return f"{get_column_letter(col)}{row}"
