"""OpenDocument spreadsheets (.ods, as LibreOffice Calc saves them), read into the same
sheets as an .xlsx action plan (pipelines.readers.atgardsplan.Sheet): each sheet's
filled cells as text, its merged ranges, comments, hidden rows and columns and the cells
filled with a colour. The reading of the plan itself is the workbook reader's.

The sheets are the ``table:table`` elements of ``content.xml``. Rows and cells carry a
repeat count (LibreOffice writes the empty rest of a sheet as one row repeated a million
times), so positions are counted, never expanded for empty cells. A merged range is a
cell with ``number-columns-spanned``/``number-rows-spanned``; the cells it covers are
``covered-table-cell``. Nothing of the file goes unscreened for personnummer: every
text of a sheet (its shapes and comments' authors included) is checked with the sheet,
and the rest of content.xml, styles.xml (headers and footers) and meta.xml with the
workbook's properties.
"""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime
from pathlib import Path
from xml.etree import ElementTree

from openpyxl.utils import get_column_letter

MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
# The parts read_sheets screens whole for personnummer (with the sheets); the others (an
# embedded object's "Object 1/content.xml", previews) are left to the package's gate.
SCREENED = ("content.xml", "styles.xml", "meta.xml")
# content.xml is parsed whole (about ten times its size in memory); a real plan's is well
# under a megabyte, so a larger one is no plan and is refused before it is read.
MAX_CONTENT = 64 * 2**20

_NS = {
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "fo": "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0",
}


def _q(name: str) -> str:
    prefix, local = name.split(":")
    return f"{{{_NS[prefix]}}}{local}"


TABLE, ROW, CELL, COVERED, COLUMN = (_q(n) for n in ("table:table", "table:table-row", "table:table-cell",
                                                    "table:covered-table-cell", "table:table-column"))
# Elements that hold rows or columns (header rows, groups) inside a table.
_ROW_CONTAINERS = {_q(n) for n in ("table:table-header-rows", "table:table-rows", "table:table-row-group")}
_COLUMN_CONTAINERS = {_q(n) for n in ("table:table-header-columns", "table:table-columns",
                                      "table:table-column-group")}
P, SPACE, TAB, BREAK, ANNOTATION = (_q(n) for n in ("text:p", "text:s", "text:tab", "text:line-break",
                                                   "office:annotation"))
# An area of empty cells with a colour (a styled block) is not a swatch: colours of empty
# cells are kept only for runs up to this size.
_SWATCH_MAX = 50


class TooManyCells(Exception):
    """More filled cells than the caller's budget."""


def is_ods(zf: zipfile.ZipFile) -> bool:
    """True for an OpenDocument spreadsheet (its ``mimetype`` entry says so)."""
    return "mimetype" in zf.namelist() and zf.read("mimetype")[:100].strip() == MIMETYPE


def encrypted(zf: zipfile.ZipFile) -> bool:
    """True when the file is saved with a password: its manifest gives the parts' encryption."""
    if "META-INF/manifest.xml" not in zf.namelist():
        return False
    with zf.open("META-INF/manifest.xml") as fh:
        return b"encryption-data" in fh.read(1 << 20)


def head_text(zf: zipfile.ZipFile, size: int = 1 << 20) -> str:
    """The first ``size`` bytes of content.xml as lower-case text (for recognising the file)."""
    if "content.xml" not in zf.namelist():
        return ""
    with zf.open("content.xml") as fh:
        return fh.read(size).decode("utf-8", errors="replace").lower()


def _attr(el, name: str, default=None):
    return el.get(_q(name), default)


def _paragraph(el) -> str:
    """A text:p's text: spans and links flattened, text:s as its spaces, tabs and line breaks kept."""
    parts = [el.text or ""]
    for child in el:
        if child.tag == SPACE:
            parts.append(" " * int(_attr(child, "text:c", "1") or 1))
        elif child.tag == TAB:
            parts.append("\t")
        elif child.tag == BREAK:
            parts.append("\n")
        elif child.tag != ANNOTATION:
            parts.append(_paragraph(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _value(cell):
    """The cell's value as openpyxl would give it (a number, date, bool or text), or None."""
    kind = _attr(cell, "office:value-type")
    if kind in ("float", "percentage", "currency"):
        raw = _attr(cell, "office:value")
        try:
            number = float(raw)
        except (TypeError, ValueError):
            number = None
        if number is not None:
            return int(number) if number.is_integer() and abs(number) < 1e15 else number
    elif kind == "date":
        raw = _attr(cell, "office:date-value") or ""
        try:
            return datetime.fromisoformat(raw) if "T" in raw else date.fromisoformat(raw)
        except ValueError:
            pass
    elif kind == "boolean":
        return (_attr(cell, "office:boolean-value") or "").lower() == "true"
    text = "\n".join(_paragraph(p) for p in cell.findall(P))
    return text or None


def _colours(root, styles_root) -> dict[str, str]:
    """Cell style name -> background colour 'RRGGBB' (named and automatic styles; a style
    without its own colour takes its parent's)."""
    own, parent = {}, {}
    for tree in (styles_root, root):
        if tree is None:
            continue
        for style in tree.iter(_q("style:style")):
            if _attr(style, "style:family") != "table-cell":
                continue
            name = _attr(style, "style:name")
            parent[name] = _attr(style, "style:parent-style-name")
            props = style.find(_q("style:table-cell-properties"))
            colour = _attr(props, "fo:background-color") if props is not None else None
            if colour and re.fullmatch(r"#[0-9a-fA-F]{6}", colour):
                own[name] = colour[1:].upper()
            elif colour == "transparent":
                own[name] = None
    out = {}
    for name in parent:
        seen, at = set(), name
        while at is not None and at not in own and at not in seen:
            seen.add(at)
            at = parent.get(at)
        if at is not None and own.get(at):
            out[name] = own[at]
    return out


def _hidden_tables(root) -> set[str]:
    """Names of the table styles that hide a sheet (table:display="false")."""
    out = set()
    for style in root.iter(_q("style:style")):
        props = style.find(_q("style:table-properties"))
        if _attr(style, "style:family") == "table" and props is not None \
                and _attr(props, "table:display") == "false":
            out.add(_attr(style, "style:name"))
    return out


def _children(el, containers: set[str], tag: str):
    """``tag`` elements of a table in document order, looking inside row/column groups."""
    for child in el:
        if child.tag == tag:
            yield child
        elif child.tag in containers:
            yield from _children(child, containers, tag)


def _texts(el) -> str:
    """Every text in ``el``, one per line (two neighbouring numbers never read as one)."""
    return "\n".join(t for t in (s.strip() for s in el.itertext()) if t)


def read_sheets(path: Path, sheet_class, text_of, hue_family, budget: int) -> tuple[list, str]:
    """The sheets of an .ods (``sheet_class`` objects, cells made text by
    ``text_of(value, percent=…)``, colours named by ``hue_family``) and the text found
    outside them (the workbook's properties, headers and footers, named ranges,
    validation messages) for the personnummer gate. Raises TooManyCells past ``budget`` filled cells, and
    zipfile/ElementTree errors for a damaged file."""
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        root = ElementTree.fromstring(zf.read("content.xml"))
        styles = ElementTree.fromstring(zf.read("styles.xml")) if "styles.xml" in names else None
        meta = ElementTree.fromstring(zf.read("meta.xml")) if "meta.xml" in names else None
    colours = _colours(root, styles)
    hidden_tables = _hidden_tables(root)
    body = root.find(f"{_q('office:body')}/{_q('office:spreadsheet')}")
    tables = body.findall(TABLE) if body is not None else []
    sheets, filled = [], 0
    for index, table in enumerate(tables, start=1):
        state = "hidden" if _attr(table, "table:style-name") in hidden_tables else "visible"
        sheet = sheet_class(index, _attr(table, "table:name") or f"Blad{index}", state)
        filled += _fill(sheet, table, text_of, hue_family, colours, budget - filled)
        sheets.append(sheet)
    for table in tables:  # the text outside the sheets, below
        table.clear()
    outside = [_texts(root)] + [_texts(tree) for tree in (styles, meta) if tree is not None]
    return sheets, "\n".join(t for t in outside if t)


def _fill(sheet, table, text_of, hue_family, colours: dict[str, str], budget: int) -> int:
    """Set ``sheet``'s cells, numbers, merges, comments, colours, hidden rows and columns
    and other texts from ``table``; return the number of filled cells."""
    column_styles: list[tuple[int, str | None]] = []  # (last column, its default cell style)
    col = 0
    for column in _children(table, _COLUMN_CONTAINERS, COLUMN):
        repeat = int(_attr(column, "table:number-columns-repeated", "1") or 1)
        if _attr(column, "table:visibility") in ("collapse", "filter") and repeat <= _SWATCH_MAX:
            sheet.hidden_cols.update(range(col + 1, col + repeat + 1))
        col += repeat
        column_styles.append((col, _attr(column, "table:default-cell-style-name")))
    filled = 0
    r = 0
    for row in _children(table, _ROW_CONTAINERS, ROW):
        rows_repeat = int(_attr(row, "table:number-rows-repeated", "1") or 1)
        c = 0
        for cell in row:
            if cell.tag not in (CELL, COVERED):
                continue
            cols_repeat = int(_attr(cell, "table:number-columns-repeated", "1") or 1)
            value = _value(cell) if cell.tag == CELL else None
            # A percentage reads as it is shown ("50 %"), as in an .xlsx.
            percent = _attr(cell, "office:value-type") == "percentage" and isinstance(value, int | float)
            text = text_of(value, percent=percent) if value is not None else ""
            note = cell.find(ANNOTATION)
            style = _attr(cell, "table:style-name") or next((s for last, s in column_styles if c < last), None)
            colour = colours.get(style) if style else None
            family = hue_family(colour) if colour else None
            if text or note is not None:
                filled += rows_repeat * cols_repeat
                if filled > budget:
                    raise TooManyCells
            if text or note is not None or (family and family != "vit" and rows_repeat * cols_repeat <= _SWATCH_MAX):
                for at in ((r + dr + 1, c + dc + 1) for dr in range(rows_repeat) for dc in range(cols_repeat)):
                    if text:
                        sheet.cells[at] = text
                        if isinstance(value, int | float) and not isinstance(value, bool) and not percent:
                            sheet.numbers.add(at)
                    if note is not None:
                        sheet.comments[_ref(*at)] = "\n".join(_paragraph(p) for p in note.findall(P))
                    if family and family != "vit":
                        sheet.coloured[at] = family
            across = int(_attr(cell, "table:number-columns-spanned", "1") or 1)
            down = int(_attr(cell, "table:number-rows-spanned", "1") or 1)
            if cell.tag == CELL and (across > 1 or down > 1):
                for top in range(r + 1, r + min(rows_repeat, _SWATCH_MAX) + 1):
                    for left in range(c + 1, c + min(cols_repeat, _SWATCH_MAX) + 1):
                        sheet.merges.append((top, left, top + down - 1, left + across - 1))
            c += cols_repeat
        if _attr(row, "table:visibility") in ("collapse", "filter") and rows_repeat <= _SWATCH_MAX:
            sheet.hidden_rows.update(range(r + 1, r + rows_repeat + 1))
        r += rows_repeat
    # Whatever else the sheet holds as text (shapes, text boxes, comments' authors):
    # screened with the sheet, never read as data.
    rest = _texts(table)
    if rest:
        sheet.other_texts.append(("text i bladet (former, textrutor, kommentarer)", rest))
    return filled


def _ref(row: int, col: int) -> str:
    return f"{get_column_letter(col)}{row}"
