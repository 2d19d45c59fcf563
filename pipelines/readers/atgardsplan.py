"""The municipal action-plan workbook (åtgärdsplan) as users fill it in (.xlsx, .ods from
LibreOffice or an old .xls: pipelines/readers/ods.py and xls.py read them into the same
sheets).

One sheet per prioritised area with a header row (Problemområde, Orsak, Åtgärd,
Operativa mål, När, Vem, Uppföljning) somewhere near the top, merged cells for problems
and for measures that answer several causes, and an analysis sheet with counts. The
plan's organisation, kommun, LPOs and year come from the user's options, a sidecar file,
"Kommun:", "År:" and "LPO:" cells or the file name and title. What is read, how and why:
docs/sources/atgardsplan.md.

The workbook is read with openpyxl in read-only mode (values, not formulas). Merged
ranges, the last row holding a value and cell comments come from the sheet XML itself,
so a sheet formatted down to row 100 000 costs no more than its filled rows.
"""

from __future__ import annotations

import colorsys
import html
import json
import re
import tomllib
import unicodedata
import urllib.parse
import warnings
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache, cached_property, lru_cache
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

import openpyxl
import pandas as pd
from openpyxl.styles.colors import COLOR_INDEX
from openpyxl.utils import get_column_letter

from pipelines import categories as cat
from pipelines.geography import kommun_organisation
from pipelines.loading import SIDECAR_SUFFIXES, FileRejected, ReadContext, ReadResult, Rejection
from pipelines.personnummer import (
    PackageTooLarge,
    PersonnummerFound,
    contains_personnummer,
    first_finding,
    in_compound_file,
    in_package,
    in_xml,
    mask,
)
from pipelines.readers import followup, ods, xls
from pipelines.readers.canonical import plan_id_for
from pipelines.readers.text import MONTHS, legacy_encoding, swedish_list

FORMATS = ("atgardsplan-xlsx",)
FORMAT = FORMATS[0]

DAMAGED = ("arbetsboken är skadad eller ofullständig (t.ex. en avbruten nedladdning) och kan inte läsas. "
           "Hämta eller spara den på nytt, eller öppna den i Excel och spara en ny kopia som .xlsx.")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
MAX_UNCOMPRESSED = 300 * 1024 * 1024  # a larger workbook is not an action plan (or is a zip bomb)
MAX_CELLS = 500_000  # filled cells in the whole workbook; a real plan has a few hundred
MAX_TEXT = 32_767  # Excel's own limit for a cell; longer text is cut and reported
MAX_TITLE = 120
EMPTY_ROWS_END_TABLE = 200  # this many empty rows in a row end an area's table
HEADER_SEARCH_ROWS = 60
SIDECAR_KEYS = {"organisation", "kommun", "lpo", "year"}

ROLES = ("problem", "cause", "measure", "goal", "due", "responsible", "followup")
ROLE_LABELS = {
    "problem": "Problemområde", "cause": "Orsak", "measure": "Åtgärd", "goal": "Operativa mål",
    "due": "När", "responsible": "Vem", "followup": "Uppföljning",
}
_HEADER_PREFIXES = (
    ("problem", ("problemområde", "problem", "utmaning")),
    ("area", ("prioriterat område", "prioriterade område", "prio-område", "prioområde", "prio område")),
    ("cause", ("orsak",)),
    # "Insats" and "Aktivitet" name the measure in some templates; beside an Åtgärd
    # column to their left they are just another column (the first one wins).
    # "Åtg." is the narrow column's "Åtgärd"; "Vad ska göras?" the question a template asks.
    ("measure", ("åtgärd", "insats", "aktivitet", "åtg", "vad ska göras", "vad gör vi")),
    ("goal", ("operativa mål", "operativt mål", "målsättning", "mål")),
    ("due", ("när", "tidplan", "tidsplan", "tidpunkt", "tidsram", "tidsperiod", "tid", "deadline", "klart senast")),
    ("responsible", ("vem", "ansvar", "huvudansvar", "ansv", "genomförs av", "utförare")),
    # "Uppf. T1", "Uppfölj. T2": a narrow column's header is often abbreviated.
    ("followup", ("uppfölj", "uppf")),
    ("status", ("status", "bedömning")),
)
# Sniffing: the words of a measure and a problem column's header, one of each of which
# an action plan has (with "orsak"). "Utmaning" is too common a word to claim a file by.
_MEASURE_WORDS = ("åtgärd", "insats", "aktivitet")
_PROBLEM_WORDS = ("problemområde", "prioriterat område", "prio-område", "prioområde", "identifierat problem",
                  "identifierade problem", "prioriterat problem", "prioriterade problem")
# A text that starts with "Problem" ("Problem", "Problembeskrivning", "Problem/utmaning"):
# the word inside a sentence is too common to claim a file by, a cell headed so is not.
_PROBLEM_HEADER = re.compile(r">\s*problem")


def _plan_words(text: str) -> bool:
    """Whether a part's text (lower case XML) holds the header words of an action plan."""
    return "orsak" in text and any(w in text for w in _MEASURE_WORDS) \
        and (any(w in text for w in _PROBLEM_WORDS) or bool(_PROBLEM_HEADER.search(text)))
_INSTRUCTION = re.compile(
    r"^(ange |beskriv |koppla |denna kolumn|fyll i|skriv |här )", re.IGNORECASE
)
def _round_patterns() -> tuple[tuple[str, str], ...]:
    """(round, pattern) for a follow-up column's header: "T1", "Tertial 1", or a month,
    which names the tertial its dates fall in (followup.round_for_date: the one rule)."""
    months: dict[str, list[str]] = {"T1": [], "T2": [], "T3": []}
    for number, name in enumerate(MONTHS, start=1):
        months[followup.round_for_date(date(2000, number, 1), None)].append(name)
    # A kommun's interim report (delårsrapport) is made per 31 August: T2, as in a
    # follow-up cell (followup._LINE_OPENING); its annual report is the VB.
    months["T2"].append(r"delår\w*")
    tertials = tuple((rnd, rf"\bt\s*{rnd[1]}\b|\btertial\s*{rnd[1]}\b|\b(?:{'|'.join(names)})\b")
                     for rnd, names in months.items())
    return (*tertials, ("VB", r"\bvb\b|verksamhetsberättelse|helår|årsuppföljning|årsredovisning"))


# The round a follow-up column's header names ("Uppföljning T1", "Tertial 2", "VB",
# "Uppföljning april"): only when it names exactly one ("T1–T3 och VB" names none).
_HEADER_ROUNDS = _round_patterns()
# A header that is nothing but a round ("T1", "Tertial 2", "VB") is a follow-up column too.
_ROUND_ONLY_HEADER = re.compile(
    r"^(?:t\s*[123]|tertial\s*[123]|vb|verksamhetsberättelse|delår\w*|helår\w*|årsredovisning|årsuppföljning)\b")
_LINE_WORK = re.compile(r"\blinjearbete|\bi linjen\b|^linjen?$", re.IGNORECASE)

# Distinctive words of each standard area, as written in titles, sheet names and the
# analysis sheet ("Systemhotade brottslighet" is a common misspelling in the template).
_AREA_KEYS = (
    (cat.PRIORITISED_AREAS[0], ("unga i riskzon",)),
    (cat.PRIORITISED_AREAS[1], ("otrygga", "brottsutsatta platser")),
    (cat.PRIORITISED_AREAS[2], ("systemhot",)),
    (cat.PRIORITISED_AREAS[3], ("särskilt utsatta", "sårbara brottsoffer")),
    (cat.PRIORITISED_AREAS[4], ("kriminella miljöer", "kriminella livsstilar")),
)
_OWN_PLACEHOLDER = "eget prioriterat område"
_ANALYSIS_TITLES = ("analys", "sammanställning")
_INSTRUCTION_TITLES = ("instruktion", "anvisning", "läs först", "läs mig", "information", "vägledning", "så här",
                       "lathund")
# A template's filled example, whatever its name: "Exempel", "Ifyllnadsexempel", "Ex. ifylld flik".
_EXAMPLE_TITLE = re.compile(r"exempel|^ex\b")

# Stockholm's district administrations (stadsdelsförvaltningar) are organisations in
# kommun 0180 whose names are not kommun names; used only to guess from a file name.
STOCKHOLM_DISTRICTS = (
    "Rinkeby-Kista", "Spånga-Tensta", "Hässelby-Vällingby", "Bromma", "Kungsholmen",
    "Norrmalm", "Östermalm", "Södermalm", "Enskede-Årsta-Vantör", "Skarpnäck", "Farsta",
    "Hägersten-Älvsjö", "Skärholmen",
)


# --- recognising the file --------------------------------------------------------------

def sniff(path: Path, head: bytes) -> str | None:
    """An action-plan workbook: an xlsx whose text holds the plan's header words.

    A file with an Excel name that is no readable xlsx (an old .xls, a password-protected
    or damaged workbook, a renamed text file) is claimed too, so the user is told what
    is wrong with it instead of "unknown format".
    """
    excel_name = Path(path).suffix.lower() in (*EXCEL_SUFFIXES, ".ods")
    if not head.startswith(b"PK"):
        if excel_name and _statistics_table(path, head):
            return None  # SCB's, Brå's or Kolada's table as an .xls or a web page named .xls: their readers read it
        return FORMAT if excel_name else None
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            if ods.is_ods(zf):
                return FORMAT if _plan_words(ods.head_text(zf)) or Path(path).suffix.lower() == ".ods" else None
            if "xl/workbook.xml" not in names:
                # A spreadsheet Excel can save as .xlsx (an .xlsb) or a zip folder holding
                # a workbook: claimed so that the user is told what to do.
                return FORMAT if _other_spreadsheet(zf) else None
            if excel_name and sum(i.file_size for i in zf.infolist()) > MAX_UNCOMPRESSED:
                return FORMAT  # refused with a clear message before anything is unpacked
            parts = [n for n in names if n == "xl/sharedStrings.xml" or n.startswith("xl/worksheets/sheet")]
            for name in parts:
                # The header stands near the top: the first MiB of a part is enough, and a
                # huge part (a zip bomb) is never unpacked here.
                with zf.open(name) as fh:
                    text = fh.read(1 << 20).decode("utf-8", errors="replace").lower()
                if _plan_words(text):
                    return FORMAT
    except (zipfile.BadZipFile, OSError, KeyError):
        return FORMAT if excel_name else None
    return None


def _statistics_table(path: Path, head: bytes) -> bool:
    """Whether a file with an Excel name that is no .xlsx holds an SCB, Brå or Kolada
    table: an old binary .xls (Excel 97–2003), an "Excel" download that is HTML or Excel
    2003's XML Spreadsheet, or a page saved under an Excel name."""
    from pipelines.readers import bra, kolada, scb

    if not (head.startswith(OLE_MAGIC) or scb.is_html_table(head) or scb.is_xml_spreadsheet(head)):
        return False
    return any(mod.sniff(path, head) is not None for mod in (scb, bra, kolada))


# --- the workbook as cells ---------------------------------------------------------------

@dataclass
class IconSet:
    """One icon-set rule of conditional formatting: the ranges it covers, the icons'
    colour families from the lowest value to the highest (None for an icon without a
    traffic-light colour) and its thresholds as (type, value, value itself included)."""

    ranges: list[tuple[int, int, int, int]]  # min_row, min_col, max_row, max_col
    families: tuple[str | None, ...]
    thresholds: list[tuple[str, str, bool]]
    span: tuple[float, float] | None = None  # the smallest and largest number in its ranges, once known


@dataclass
class Sheet:
    """One sheet's non-empty cells as text, its merged ranges and comments."""

    index: int
    title: str
    state: str
    cells: dict[tuple[int, int], str] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # min_row, min_col, max_row, max_col
    anchor: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)
    # Text that is no cell: header and footer, text boxes and shapes, a drop-down's input
    # message, as (where, text). Never read as data; checked for personnummer.
    other_texts: list[tuple[str, str]] = field(default_factory=list)
    numbers: set[tuple[int, int]] = field(default_factory=set)  # cells that held a number, not text
    percent: set[tuple[int, int]] = field(default_factory=set)  # cells formatted as a percentage
    # Cells filled with a colour, empty or not -> the colour's family (hue_family).
    coloured: dict[tuple[int, int], str] = field(default_factory=dict)
    hidden_rows: set[int] = field(default_factory=set)  # rows hidden in Excel (still read)
    hidden_cols: set[int] = field(default_factory=set)
    # The totals rows of Excel tables ("Formatera som tabell" with "Summarad").
    table_totals: set[int] = field(default_factory=set)
    # Icon sets of conditional formatting (a traffic light on a status written 1, 2, 3).
    icon_sets: list[IconSet] = field(default_factory=list)
    # Formula cells without a saved result (a workbook written by a program and never
    # saved in Excel): openpyxl reads them as empty.
    uncached: set[tuple[int, int]] = field(default_factory=set)
    # Date-formatted cells holding a number no date can be (Excel shows #####): read as
    # the number (openpyxl would make it '#VALUE!').
    not_dates: set[tuple[int, int]] = field(default_factory=set)
    # Cells whose formula gives an error ('#REF!' when a sheet it refers to was
    # deleted), with the error: no value, read as empty.
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    part: str = ""  # the sheet's part in the package (xl/worksheets/sheet1.xml)
    # A personnummer in the sheet's XML besides its cells' values (a formula, a
    # drop-down's list kept in an extension): the gate refuses the file.
    xml_personnummer: bool = False

    def value(self, row: int, col: int) -> str:
        """The cell's text, inherited from the top-left cell if it lies in a merged range."""
        return self.cells.get(self.anchor.get((row, col), (row, col)), "")

    def own(self, row: int, col: int) -> str:
        return self.cells.get((row, col), "")

    def origin(self, row: int, col: int) -> tuple[int, int]:
        return self.anchor.get((row, col), (row, col))

    @property
    def last_row(self) -> int:
        return max((r for r, _ in self.cells), default=0)

    @cached_property
    def rows(self) -> dict[int, list[tuple[int, str]]]:
        """Row -> its own filled cells as (column, text), left to right."""
        out: dict[int, list[tuple[int, str]]] = {}
        for (r, c), text in sorted(self.cells.items()):
            out.setdefault(r, []).append((c, text))
        return out


def _text(value, percent: bool = False) -> str:
    """A cell value as text: numbers without '.0' (with ``percent``, a number formatted as
    a percentage as Excel shows it: 0.5 is '50 %'), dates as ISO, line breaks as \\n."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "SANT" if value else "FALSKT"
    if percent and isinstance(value, int | float):
        return f"{round(value * 100, 1):g} %".replace(".", ",")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).replace("_x000D_", "").replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\u200b-\u200f\u2060\ufeff]", "", text)
    # Text pasted on a Mac is decomposed ('å' as 'a' and a ring): composed, it reads as
    # the words it shows. C1 controls are Windows-1252 characters a conversion got wrong
    # ('\x96' for '–'): read as that code page writes them, or dropped.
    text = _C1.sub(_from_cp1252, unicodedata.normalize("NFC", text))
    return text.strip()


_C1 = re.compile(r"[\x80-\x9f]")


def _from_cp1252(m: re.Match) -> str:
    try:
        return bytes([ord(m[0])]).decode("cp1252")
    except UnicodeDecodeError:  # 0x81, 0x8d, 0x8f, 0x90 and 0x9d stand for nothing there
        return ""


_VALUE_TAGS = (b"<v>", b"<v ", b"<is>", b"<is ", b"<f>", b"<f ", b":v>", b":v ", b":is>", b":f>", b":f ")
_ROW_TAG = re.compile(rb"<(?:\w+:)?row\b[^>]*?\br=\"(\d+)\"")
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*\bref="([A-Z]+\d+(?::[A-Z]+\d+)?)"')
_REF = re.compile(r"([A-Z]+)(\d+)")
_SHEET_DATA = re.compile(rb"<(?:\w+:)?sheetData\b")
_HIDDEN_ROW = re.compile(rb"<(?:\w+:)?row\b[^>]*?\bhidden=\"(?:1|true)\"[^>]*>")
_COL_TAG = re.compile(rb"<(?:\w+:)?col\b([^>]*)>")
_COL_SPAN = re.compile(rb'\bmin="(\d+)"[^>]*?\bmax="(\d+)"|\bmax="(\d+)"[^>]*?\bmin="(\d+)"')
_HIDDEN = re.compile(rb'\bhidden="(?:1|true)"')


def _col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _external_targets(zf: zipfile.ZipFile, part: str) -> list[str]:
    """The addresses a package part links to outside the package (its hyperlinks)."""
    p = PurePosixPath(part)
    rels = f"{p.parent}/_rels/{p.name}.rels"
    if rels not in zf.namelist():
        return []
    return [rel.get("Target", "") for rel in ElementTree.fromstring(zf.read(rels))
            if rel.get("TargetMode") == "External"]


def _rels(zf: zipfile.ZipFile, part: str) -> dict[str, str]:
    """Relationship id -> target part path for a package part."""
    p = PurePosixPath(part)
    rels = f"{p.parent}/_rels/{p.name}.rels"
    if rels not in zf.namelist():
        return {}
    root = ElementTree.fromstring(zf.read(rels))
    out = {}
    for rel in root:
        target = rel.get("Target", "")
        if target.startswith("/"):
            resolved = target.lstrip("/")
        else:
            parts = []
            for piece in (str(p.parent) + "/" + target).split("/"):
                if piece == "..":
                    parts.pop() if parts else None
                elif piece and piece != ".":
                    parts.append(piece)
            resolved = "/".join(parts)
        out[rel.get("Id")] = resolved
    return out


class _TooManyCells(Exception):
    pass


_HEADER_FOOTER = re.compile(rb"<(?:\w+:)?(?:odd|even|first)(?:Header|Footer)\b[^>]*>([^<]*)<")
_VALIDATION_TEXT = re.compile(rb"<(?:\w+:)?dataValidation\b([^>]*)>(.*?)</(?:\w+:)?dataValidation>", re.DOTALL)
_ATTRIBUTE = re.compile(rb'\b(?:prompt|promptTitle|error|errorTitle)="([^"]*)"')
_HYPERLINK = re.compile(rb"<(?:\w+:)?hyperlink\b([^>]*)>")
_LINK_TEXT = re.compile(rb'\b(?:tooltip|display|location)="([^"]*)"')


def _texts_beside_cells(zf: zipfile.ZipFile, xml: bytes, targets: list[str],
                        links: list[str] = ()) -> list[tuple[str, str]]:
    """(where, text) of what a sheet shows besides its cells: header and footer, a
    drop-down's messages and list, text boxes and shapes in its drawings, and its links
    (a hyperlink's address, ``links``, and its screen tip: an address to a case system can
    carry a personnummer)."""
    def unescaped(raw: bytes) -> str:
        return html.unescape(raw.decode("utf-8", errors="replace"))

    out = [("sidhuvudet eller sidfoten", unescaped(m[1])) for m in _HEADER_FOOTER.finditer(xml)]
    out += [("en länk (hyperlänk)", " ".join(unescaped(a) for a in _LINK_TEXT.findall(m[1])))
            for m in _HYPERLINK.finditer(xml)]
    out += [("en länk (hyperlänk)", urllib.parse.unquote(link)) for link in links]
    for m in _VALIDATION_TEXT.finditer(xml):
        texts = [unescaped(a) for a in _ATTRIBUTE.findall(m[1])] + [unescaped(re.sub(rb"<[^>]+>", b" ", m[2]))]
        out.append(("en listruta (dataverifiering)", " ".join(texts)))
    for target in targets:
        name = PurePosixPath(target).name.lower()
        if name.startswith("drawing") and name.endswith(".xml") and target in zf.namelist():
            root = ElementTree.fromstring(zf.read(target))
            out.append(("en textruta eller figur", " ".join(root.itertext())))
    return [(where, text) for where, text in out if text.strip()]


_CELL_TAG = re.compile(rb"<(?:\w+:)?c\b([^>]*)>")
_CELL_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_CELL_STYLE = re.compile(rb'\bs="(\d+)"')
# A formula cell with no result or an empty one. Excel saves a formula giving "" as an
# empty text result (t="str"): that is a result, the others are none.
_UNCACHED = re.compile(rb"<(?:\w+:)?c\b([^>]*)>\s*<(?:\w+:)?f\b(?:[^>]*/>|[^>]*>[^<]*</(?:\w+:)?f>)\s*"
                       rb"(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*</(?:\w+:)?c>")
_TEXT_RESULT = re.compile(rb'\bt="str"')


# Office's default theme (2013 and later), for a workbook without a theme part: its
# colours in SpreadsheetML's theme order, where index 0 is lt1 and 1 is dk1 (the first
# two pairs swapped against the theme file's own order).
_THEME_ORDER = ("lt1", "dk1", "lt2", "dk2", "accent1", "accent2", "accent3", "accent4", "accent5", "accent6",
                "hlink", "folHlink")
_DEFAULT_THEME = ("FFFFFF", "000000", "E7E6E6", "44546A", "4472C4", "ED7D31", "A5A5A5", "FFC000", "5B9BD5",
                  "70AD47", "0563C1", "954F72")
UNKNOWN_COLOUR = "okänd"  # a fill whose colour is not worked out (a gradient, a system colour)


def _theme_colours(zf: zipfile.ZipFile) -> tuple[str, ...]:
    """The workbook theme's twelve colours as RGB hex, in _THEME_ORDER."""
    if "xl/theme/theme1.xml" not in zf.namelist():
        return _DEFAULT_THEME
    root = ElementTree.fromstring(zf.read("xl/theme/theme1.xml"))
    scheme = next((el for el in root.iter() if el.tag.endswith("}clrScheme")), None)
    if scheme is None:
        return _DEFAULT_THEME
    found = {}
    for slot in scheme:
        colour = next(iter(slot), None)
        if colour is not None:
            found[slot.tag.rsplit("}", 1)[-1]] = colour.get("val") if colour.tag.endswith("srgbClr") \
                else colour.get("lastClr")
    return tuple(found.get(name) or default for name, default in zip(_THEME_ORDER, _DEFAULT_THEME, strict=True))


def _rgb(colour: ElementTree.Element, theme: tuple[str, ...]) -> str | None:
    """A fill's colour element as RGB hex: an explicit ARGB value, a theme colour with
    its tint, or a colour of the legacy indexed palette; None for anything else (a
    damaged value included: a colour is never worth refusing the file)."""
    try:
        return _rgb_of(colour, theme)
    except (ValueError, IndexError):
        return None


def _rgb_of(colour: ElementTree.Element, theme: tuple[str, ...]) -> str | None:
    if colour.get("rgb"):
        rgb = colour.get("rgb")[-6:]
    elif colour.get("theme") is not None and int(colour.get("theme")) < len(theme):
        rgb = theme[int(colour.get("theme"))]
    elif colour.get("indexed") is not None and int(colour.get("indexed")) < len(COLOR_INDEX):
        rgb = COLOR_INDEX[int(colour.get("indexed"))][-6:]
    else:
        return None
    if not re.fullmatch(r"[0-9A-Fa-f]{6}", rgb or ""):
        return None
    tint = float(colour.get("tint") or 0)
    if tint:
        # A tint moves the lightness towards white (positive) or black (negative), as
        # Excel's colour picker does for "Grön, dekorfärg 6, ljusare 40 %".
        h, light, s = colorsys.rgb_to_hls(*(int(rgb[i:i + 2], 16) / 255 for i in (0, 2, 4)))
        light = light * (1 + tint) if tint < 0 else light * (1 - tint) + tint
        rgb = "".join(f"{round(v * 255):02X}" for v in colorsys.hls_to_rgb(h, light, s))
    return rgb.upper()


def hue_family(rgb: str) -> str:
    """The colour family a person would name an RGB colour by: grön, gul, orange, röd,
    blå, lila, grå, svart or vit. Real workbooks use many greens (00B050, 92D050, a
    theme's accent with a tint), and one family is what a legend's colour stands for.
    Excel's gold FFC000 counts as gul: it is the usual yellow of a traffic light."""
    red, green, blue = (int(rgb[i:i + 2], 16) / 255 for i in (0, 2, 4))
    hue, saturation, value = colorsys.rgb_to_hsv(red, green, blue)
    if value < 0.2:
        return "svart"
    if saturation < 0.08:  # the palest tints (E2EFDA, a light green) are still coloured
        return "vit" if value > 0.97 else "grå"
    degrees = hue * 360
    for limit, family in ((15, "röd"), (40, "orange"), (70, "gul"), (170, "grön"), (260, "blå"), (330, "lila")):
        if degrees < limit:
            return family
    return "röd"


def _coloured_styles(zf: zipfile.ZipFile) -> dict[int, str]:
    """The cell styles (indexes into cellXfs) that fill a cell with a colour, each with
    its colour family (hue_family, or UNKNOWN_COLOUR): a status shown only as green,
    yellow or red. White and the default fills are no colour. Fills only: a colour
    given by conditional formatting is not seen (such a cell holds a value anyway)."""
    if "xl/styles.xml" not in zf.namelist():
        return {}
    root = ElementTree.fromstring(zf.read("xl/styles.xml"))
    theme = _theme_colours(zf)

    def children(parent_name: str):
        parent = next((el for el in root if el.tag.rsplit("}", 1)[-1] == parent_name), None)
        return list(parent) if parent is not None else []

    fill_families = {}
    for i, fill in enumerate(children("fills")):
        pattern = next((el for el in fill.iter() if el.tag.endswith("patternFill")), None)
        colour = next((el for el in fill.iter() if el.tag.endswith("fgColor")), None)
        kind = pattern.get("patternType") if pattern is not None else None
        if kind in (None, "none", "gray125"):
            continue
        rgb = _rgb(colour, theme) if colour is not None else None
        family = hue_family(rgb) if rgb else UNKNOWN_COLOUR
        # The theme's first colour (white in every Office theme) is no colour, with any tint.
        if family != "vit" and not (colour is not None and colour.get("theme") == "0"):
            fill_families[i] = family
    return {i: fill_families[int(xf.get("fillId", 0))] for i, xf in enumerate(children("cellXfs"))
            if int(xf.get("fillId", 0)) in fill_families}


# Excel's built-in percentage formats (0% and 0.00%); a workbook's own formats are read
# from styles.xml. A '%' in quotes or after a backslash is a literal sign, no percentage.
_PERCENT_FORMATS = {9, 10}
_LITERAL = re.compile(r'"[^"]*"|\\.')


def _percent_styles(zf: zipfile.ZipFile) -> frozenset[int]:
    """The cell styles (indexes into cellXfs) that show a number as a percentage: typing
    "50 %" in Excel stores 0.5 with such a style."""
    if "xl/styles.xml" not in zf.namelist():
        return frozenset()
    root = ElementTree.fromstring(zf.read("xl/styles.xml"))
    percent = set(_PERCENT_FORMATS)
    for el in root.iter():
        if el.tag.rsplit("}", 1)[-1] == "numFmt" and "%" in _LITERAL.sub("", el.get("formatCode") or ""):
            percent.add(int(el.get("numFmtId", -1)))
    xfs = next((el for el in root if el.tag.rsplit("}", 1)[-1] == "cellXfs"), None)
    return frozenset(i for i, xf in enumerate(xfs if xfs is not None else [])
                     if int(xf.get("numFmtId", 0)) in percent)


def _sheet_extras(zf: zipfile.ZipFile, part: str, budget: int, sheet: Sheet, coloured_styles: dict[int, str],
                  percent_styles: frozenset[int] = frozenset()) -> tuple[int | None, int]:
    """From a sheet's XML: the last row holding a value and the number of filled cells;
    the sheet's merged ranges, comments, texts beside the cells (_texts_beside_cells) and
    the cells filled with a colour are set on ``sheet``. Stops unpacking once more than
    ``budget`` cells are filled."""
    chunks, filled = [], 0
    with zf.open(part) as fh:
        while chunk := fh.read(1 << 22):
            filled += sum(chunk.count(tag) for tag in (b"<v>", b"<v ", b"<is>", b":v>", b":is>"))
            if filled > budget:
                raise _TooManyCells
            chunks.append(chunk)
    xml = b"".join(chunks)
    # Everything but rows and cells stands outside sheetData (the schema's order), so the
    # scans for merged ranges, columns and texts beside the cells skip the rows: a
    # template formatted down to row 1 048 576 has 220 MB of them.
    data = _SHEET_DATA.search(xml)
    data_end = xml.rfind(b"sheetData>")
    rows_to = data_end if data and data_end > data.start() else len(xml)
    # Rows stand in ascending order, so the row around the last value tag in sheetData is
    # the last row holding a value. Not a tag after the rows: a drop-down whose list is on
    # another sheet has its <xm:f> in the sheet's extension, which made the last
    # formatted row the last row (a template formatted to row 1 048 576 took a minute).
    end = max(xml.rfind(tag, 0, rows_to) for tag in _VALUE_TAGS)
    last: int | None = 0
    if end >= 0:
        start = max(xml.rfind(b"<row", 0, end), xml.rfind(b":row", 0, end))
        start = xml.rfind(b"<", 0, start + 1)
        row = _ROW_TAG.match(xml, start) if start >= 0 else None
        # A row without an r attribute (allowed, rare) defeats the scan: read everything.
        last = int(row[1]) if row else None
    outside = xml[:data.start()] + xml[data_end:] if data and data_end > data.start() else xml
    merges = []
    for m in _MERGE.finditer(outside):
        ref = m[1].decode()
        a, _, b = ref.partition(":")
        (c1, r1), (c2, r2) = _REF.fullmatch(a).groups(), _REF.fullmatch(b or a).groups()
        merges.append((int(r1), _col_index(c1), int(r2), _col_index(c2)))
    comments = {}
    targets = list(_rels(zf, part).values())
    for target in targets:
        name = PurePosixPath(target).name.lower()
        # Excel names the part comments1.xml, openpyxl comments/comment1.xml.
        if target in zf.namelist() and (name.startswith("comment") or "threadedcomment" in name):
            root = ElementTree.fromstring(zf.read(target))
            for el in root.iter():
                ref = el.get("ref")
                if ref and el.tag.rsplit("}", 1)[-1] in ("comment", "threadedComment"):
                    comments[ref] = "".join(el.itertext())
    sheet.merges, sheet.comments = merges, comments
    # Rows after the last one holding a value are never read: neither is whether they
    # are hidden, nor (below) their colour, so a template formatted far down costs nothing.
    rows_end = xml.find(b"row>", end) if end >= 0 else 0
    # For the gate, the sheet's XML up to the last row holding a value and after the
    # rows: the formatted empty rows below hold no text, and a template formatted to row
    # 1 048 576 would cost seconds to screen.
    head = len(xml) if rows_end < 0 else max(rows_end, data.start() if data else 0)
    sheet.xml_personnummer = in_xml(xml, 0, head) or in_xml(xml, data_end if data and data_end > data.start()
                                                            else len(xml))
    for m in _HIDDEN_ROW.finditer(xml, 0, rows_end if rows_end >= 0 else len(xml)):
        if row := _ROW_TAG.match(m[0]):
            sheet.hidden_rows.add(int(row[1]))
    for m in _COL_TAG.finditer(outside):
        span = _COL_SPAN.search(m[1])
        if span and _HIDDEN.search(m[1]):
            low, high = (span[1], span[2]) if span[1] else (span[4], span[3])
            sheet.hidden_cols.update(range(int(low), min(int(high), 16384) + 1))
    for target in targets:
        if PurePosixPath(target).name.lower().startswith("table") and target in zf.namelist():
            table = ElementTree.fromstring(zf.read(target))
            totals = int(table.get("totalsRowCount") or 0)
            end_ref = _REF.fullmatch((table.get("ref") or "").partition(":")[2])
            if totals and end_ref:
                last_row = int(end_ref[2])
                sheet.table_totals.update(range(last_row - totals + 1, last_row + 1))
    sheet.other_texts = _texts_beside_cells(zf, outside, targets, _external_targets(zf, part))
    sheet.icon_sets = _icon_sets(xml)
    for m in _UNCACHED.finditer(xml, 0, rows_end if rows_end >= 0 else len(xml)):
        ref = _CELL_REF.search(m[1])
        if ref and not _TEXT_RESULT.search(m[1]):
            sheet.uncached.add((int(ref[2]), _col_index(ref[1].decode())))
    if (coloured_styles or percent_styles) and end >= 0:
        for m in _CELL_TAG.finditer(xml, 0, rows_end if rows_end >= 0 else len(xml)):
            style, ref = _CELL_STYLE.search(m[1]), _CELL_REF.search(m[1])
            if style and ref:
                at = (int(ref[2]), _col_index(ref[1].decode()))
                if int(style[1]) in coloured_styles:
                    sheet.coloured[at] = coloured_styles[int(style[1])]
                if int(style[1]) in percent_styles:
                    sheet.percent.add(at)
    return last, filled


# Excel's icon sets whose icons are a traffic light, each icon's colour family from the
# lowest value to the highest (as Excel draws them without "Omvänd ikonordning"). Other
# sets (stars, grey arrows, ratings, quarters) have no colour a legend could name.
_ICON_FAMILIES = {
    "3TrafficLights1": ("röd", "gul", "grön"), "3TrafficLights2": ("röd", "gul", "grön"),
    "3Signs": ("röd", "gul", "grön"), "3Symbols": ("röd", "gul", "grön"), "3Symbols2": ("röd", "gul", "grön"),
    "3Flags": ("röd", "gul", "grön"), "3Arrows": ("röd", "gul", "grön"), "3Triangles": ("röd", "gul", "grön"),
    "4TrafficLights": ("svart", "röd", "gul", "grön"),
}
_ICON_COUNT = re.compile(r"^([345])")
_CONDITIONAL = re.compile(rb"<(?:\w+:)?conditionalFormatting\b[^>]*\bsqref=\"([^\"]+)\"[^>]*>(.*?)"
                          rb"</(?:\w+:)?conditionalFormatting>", re.DOTALL)


def _icon_sets(xml: bytes) -> list[IconSet]:
    """The icon-set rules of a sheet's conditional formatting (the main part only: Excel
    writes its built-in sets there; a custom mix of icons stands in an extension and is
    not read)."""
    found = []
    # The rules stand after the cells: a plain search finds where (the pattern over a
    # 4 MB sheet of cells would cost about 40 ms).
    first = xml.find(b"conditionalFormatting")
    for m in _CONDITIONAL.finditer(xml, max(xml.rfind(b"<", 0, first), 0)) if first >= 0 else ():
        if b"iconSet" not in m[2]:
            continue
        ranges = []
        for ref in m[1].decode().split():
            a, _, b = ref.partition(":")
            if _REF.fullmatch(a) and _REF.fullmatch(b or a):
                (c1, r1), (c2, r2) = _REF.fullmatch(a).groups(), _REF.fullmatch(b or a).groups()
                ranges.append((int(r1), _col_index(c1), int(r2), _col_index(c2)))
        try:
            root = ElementTree.fromstring(b"<r>" + re.sub(rb"<(/?)\w+:", rb"<\1", m[2]) + b"</r>")
        except ElementTree.ParseError:
            continue  # an icon is never worth refusing the file
        for rule in root.iter("cfRule"):
            icons = rule.find("iconSet")
            if rule.get("type") != "iconSet" or icons is None:
                continue
            name = icons.get("iconSet", "3TrafficLights1")  # Excel leaves out its default
            count = int(_ICON_COUNT.match(name)[1]) if _ICON_COUNT.match(name) else 3
            families = _ICON_FAMILIES.get(name, (None,) * count)
            if icons.get("reverse") in ("1", "true"):
                families = families[::-1]
            thresholds = [(v.get("type", ""), v.get("val", ""), v.get("gte") not in ("0", "false"))
                          for v in icons.iter("cfvo")]
            found.append(IconSet(ranges, families, thresholds))
    return found


def icon_family(sheet: Sheet, row: int, col: int) -> str | None:
    """The colour family of the icon conditional formatting shows in a number cell:
    its traffic-light colour, ICON_WITHOUT_COLOUR for an icon a legend cannot name (or a
    threshold not worked out here: a percentile or a formula), None without an icon."""
    if (row, col) not in sheet.numbers:
        return None
    for icons in sheet.icon_sets:
        if not any(r1 <= row <= r2 and c1 <= col <= c2 for r1, c1, r2, c2 in icons.ranges):
            continue
        if len(icons.thresholds) != len(icons.families) or None in icons.families:
            return ICON_WITHOUT_COLOUR
        value = float(sheet.cells[(row, col)])
        if icons.span is None:
            # A percentage is of the span between the ranges' smallest and largest number.
            numbers = [float(sheet.cells[(r, c)]) for r, c in sheet.numbers
                       if any(r1 <= r <= r2 and c1 <= c <= c2 for r1, c1, r2, c2 in icons.ranges)]
            icons.span = (min(numbers), max(numbers))
        low, high = icons.span
        family = icons.families[0]
        for (kind, raw, included), icon in zip(icons.thresholds[1:], icons.families[1:], strict=True):
            try:
                limit = float(raw)
            except ValueError:
                return ICON_WITHOUT_COLOUR  # a formula or a cell reference
            if kind == "percent":
                limit = low + (high - low) * limit / 100
            elif kind != "num":
                return ICON_WITHOUT_COLOUR  # a percentile: not worked out
            if value > limit or (included and value == limit):
                family = icon
        return family
    return None


ICON_WITHOUT_COLOUR = "ikon"


def _other_spreadsheet(zf: zipfile.ZipFile) -> str | None:
    """What a zip that is no .xlsx holds, when it is a spreadsheet or a zip folder with
    one: a sentence for the user saying how to get an .xlsx, else None."""
    names = zf.namelist()
    if "xl/workbook.bin" in names:
        return ("filen är en binär Excel-arbetsbok (.xlsb). Öppna den i Excel och spara som "
                "Excel-arbetsbok (.xlsx), läs sedan in den nya filen.")
    inside = [n for n in names if PurePosixPath(n).suffix.lower() in (*EXCEL_SUFFIXES, ".xltx", ".ods")
              and not PurePosixPath(n).name.startswith("~$")]
    if inside:
        listed = ", ".join(PurePosixPath(n).name for n in inside[:3]) + (" med flera" if len(inside) > 3 else "")
        return (f"filen är en zip-mapp med {listed}. Packa upp den (högerklicka > Extrahera alla) och "
                "läs in arbetsboken i stället för zip-filen.")
    return None


# What a file with an Excel name is when it is no zip: its first bytes (lower case,
# leading spaces and a byte-order mark removed) -> the message. Web systems' "Exportera
# till Excel" often writes an HTML table or Excel 2003's XML and names it .xls.
_NOT_A_WORKBOOK = (
    ((b"<!doctype html", b"<html", b"<table", b"<meta"),
     "filen är en webbsida (HTML) med ett Excel-namn, som en export från ett webbsystem ofta är. "
     "Öppna den i Excel och spara som Excel-arbetsbok (.xlsx), läs sedan in den nya filen."),
    ((b"<?xml",),
     "filen är en XML-fil med ett Excel-namn (t.ex. XML-kalkylblad 2003). Öppna den i Excel och spara "
     "som Excel-arbetsbok (.xlsx), läs sedan in den nya filen."),
)


_ENCRYPTION_STREAMS = tuple(name.encode("utf-16-le") for name in ("EncryptionInfo", "EncryptedPackage"))
# A password-protected .xls (Excel 97-2003, and 95): the workbook stream opens with its
# BOF record (0x0809, for the workbook globals) and the FILEPASS record (0x002F) comes
# right after it; both stay unencrypted so that Excel can ask for the password.
_XLS_FILEPASS = re.compile(rb"\x09\x08\x10\x00\x00\x06\x05\x00.{12}\x2f\x00"
                           rb"|\x09\x08\x08\x00\x00\x05\x05\x00.{4}\x2f\x00", re.DOTALL)


def _encrypted(path: Path) -> str | None:
    """Which password-protected workbook an OLE compound file is: "xlsx" when its
    directory names the streams EncryptionInfo and EncryptedPackage (in UTF-16), "xls"
    when its workbook opens with a FILEPASS record, else None. Either may stand anywhere
    in the file (a directory often at the end of a large one), so the whole file is
    scanned, a MiB at a time."""
    overlap = max(*(len(name) for name in _ENCRYPTION_STREAMS), 22)
    previous = b""
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            window = previous[-overlap:] + chunk
            if any(name in window for name in _ENCRYPTION_STREAMS):
                return "xlsx"
            if _XLS_FILEPASS.search(window):
                return "xls"
            previous = chunk
    return None



def _looks_like_text(head: bytes) -> bool:
    """Whether the start of a file reads as text (a CSV or text export named .xlsx), not
    random or damaged bytes: no NUL byte, and hardly any control characters besides tab
    and line breaks, in its first 4 KB."""
    sample = head[:4096]
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 ("Unicode-text" from Excel)
        return True
    if not sample or b"\x00" in sample:
        return False
    control = sum(1 for b in sample if b < 0x20 and b not in (0x09, 0x0A, 0x0C, 0x0D))
    return control <= len(sample) // 100

XLS_UNREADABLE = ("filen är en äldre Excel-fil (.xls) som inte kunde läsas (den kan vara skadad, eller sparad i "
                  "ett format äldre än Excel 97). Öppna den i Excel och spara som Excel-arbetsbok (.xlsx), läs "
                  "sedan in den nya filen.")


def _check_container(path: Path) -> None:
    """Refuse what is no readable xlsx, saying what the user can do about it."""
    file = path.name
    if file.startswith("~$"):
        # Excel's lock file beside an open workbook: a few bytes holding the name of
        # whoever has it open (never read or repeated here).
        raise FileRejected(file, f"filen är Excels låsfil, som finns medan arbetsboken {file[2:]} är öppen i "
                                 f"Excel; den är ingen åtgärdsplan. Läs in {file[2:]} i stället.")
    with open(path, "rb") as fh:
        head = fh.read(1 << 20)
    if head.startswith(OLE_MAGIC):
        locked = _encrypted(path)
        if locked == "xlsx":
            raise FileRejected(file, "arbetsboken är lösenordsskyddad. Ta bort lösenordet i Excel "
                                     "(Arkiv > Info > Skydda arbetsbok > Kryptera med lösenord: töm rutan), "
                                     "spara och läs in filen igen.")
        if locked == "xls":
            raise FileRejected(file, "filen är en lösenordsskyddad äldre Excel-fil (.xls). Öppna den i Excel "
                                     "med lösenordet, ta bort det (Arkiv > Info > Skydda arbetsbok > Kryptera "
                                     "med lösenord: töm rutan), spara som Excel-arbetsbok (.xlsx) och läs in "
                                     "den nya filen.")
        if path.stat().st_size > MAX_UNCOMPRESSED:
            raise FileRejected(file, "arbetsboken är för stor för en åtgärdsplan (över 300 MB). "
                                     "Kontrollera att rätt fil valdes.")
        return  # an old .xls: read by xls.read_sheets (refused there if it is none)
    if not head.startswith(b"PK"):
        start = head.removeprefix(b"\xef\xbb\xbf").lstrip()[:64].lower()
        for openings, message in _NOT_A_WORKBOOK:
            if start.startswith(openings):
                raise FileRejected(file, message)
        if not _looks_like_text(head):
            raise FileRejected(file, "filen är inte en Excel-arbetsbok (.xlsx) trots sitt namn, och inte heller "
                                     "en textfil: innehållet känns inte igen (filen kan vara skadad, avbruten "
                                     "under kopieringen eller av ett annat format). Kontrollera att rätt fil "
                                     "valdes, eller öppna den i Excel och spara som Excel-arbetsbok (.xlsx).")
        raise FileRejected(file, "filen är inte en Excel-arbetsbok (.xlsx) trots sitt namn, utan troligen en "
                                 "textfil (t.ex. CSV). Kontrollera att rätt fil valdes, eller öppna den i Excel "
                                 "och spara som Excel-arbetsbok (.xlsx).")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if sum(i.file_size for i in infos) > MAX_UNCOMPRESSED:
                raise FileRejected(file, "arbetsboken är för stor för en åtgärdsplan (över 300 MB uppackad). "
                                     "Kontrollera att rätt fil valdes.")
            if ods.is_ods(zf):
                if ods.encrypted(zf):
                    raise FileRejected(file, "kalkylbladet är lösenordsskyddat. Öppna det i LibreOffice med "
                                             "lösenordet, spara det utan lösenord (Arkiv > Spara som, kryssa "
                                             "ur Spara med lösenord) och läs in filen igen.")
                if "content.xml" not in zf.namelist():
                    raise FileRejected(file, DAMAGED)
                if zf.getinfo("content.xml").file_size > ods.MAX_CONTENT:
                    # read whole into memory (about ten times its size): refused before that
                    raise FileRejected(file, f"kalkylbladet är för stort för en åtgärdsplan (över "
                                             f"{ods.MAX_CONTENT // 2**20} MB uppackat). Kontrollera att rätt fil "
                                             "valdes.")
                return
            if "xl/workbook.xml" not in zf.namelist():
                raise FileRejected(file, _other_spreadsheet(zf)
                                   or "filen är ett zip-arkiv men ingen Excel-arbetsbok. Spara planen som .xlsx.")
            with zf.open("xl/workbook.xml") as fh:
                if b"purl.oclc.org/ooxml/spreadsheetml" in fh.read(4096):
                    # openpyxl knows only the transitional namespaces: it would find no cells.
                    raise FileRejected(file, "arbetsboken är sparad som Strict Open XML-kalkylblad, som inte kan "
                                             "läsas. Öppna den i Excel och spara som Excel-arbetsbok (.xlsx).")
    except (zipfile.BadZipFile, zlib.error, EOFError):
        raise FileRejected(file, DAMAGED) from None


def read_workbook(path: Path) -> list[Sheet]:
    """All sheets of the workbook as text cells, with merged ranges and comments."""
    _check_container(path)
    file = path.name
    if xls.is_xls(path):
        try:
            sheets = xls.read_sheets(path, Sheet, _text, hue_family, MAX_CELLS)
        except xls.TooManyCells:
            limit = f"{MAX_CELLS:,}".replace(",", " ")
            raise FileRejected(file, f"arbetsboken har över {limit} ifyllda celler; en åtgärdsplan har några "
                                     "hundra. Kontrollera att rätt fil valdes.") from None
        except xls.Unreadable:
            raise FileRejected(file, XLS_UNREADABLE) from None
        if not any(_plan_words("\n".join(s.cells.values()).lower()) for s in sheets):
            # Another old workbook: an SCB, Brå or Kolada table is taken by its reader
            # (sniff), so this one has none of their headers either.
            raise FileRejected(file, "filen är en äldre Excel-fil (.xls) utan rubrikerna för en åtgärdsplan "
                                     "(Problemområde, Orsak, Åtgärd) eller för en tabell från SCB, Brå eller "
                                     "Kolada. Kontrollera att rätt fil valdes.")
        return _anchored(sheets)
    if _is_ods(path):
        try:
            sheets, _ = ods.read_sheets(path, Sheet, _text, hue_family, MAX_CELLS)
        except ods.TooManyCells:
            limit = f"{MAX_CELLS:,}".replace(",", " ")
            raise FileRejected(file, f"arbetsboken har över {limit} ifyllda celler; en åtgärdsplan har några "
                                     "hundra. Kontrollera att rätt fil valdes.") from None
        except (zipfile.BadZipFile, zlib.error, EOFError, KeyError, ValueError, ElementTree.ParseError):
            raise FileRejected(file, DAMAGED) from None
        return _anchored(sheets)
    with warnings.catch_warnings():
        # openpyxl warns of a date cell holding a number no date can be, the number in
        # its message: it may be a personnummer (8501010006), which the gate refuses
        # and nothing may print. Such a cell is read from the XML (_not_dates).
        warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
        return _anchored(_read_xlsx(path))


def _read_xlsx(path: Path) -> list[Sheet]:
    """The sheets of an .xlsx as read_workbook gives them, before merged cells are anchored."""
    file = path.name
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged package
        raise FileRejected(file, f"arbetsboken kunde inte läsas ({type(exc).__name__}). Öppna den i Excel, "
                                 "spara en ny kopia som .xlsx och läs in den.") from None
    sheets = []
    total_cells = 0
    try:
        with zipfile.ZipFile(path) as zf:
            coloured_styles, percent_styles = _coloured_styles(zf), _percent_styles(zf)
            for index, ws in enumerate(wb.worksheets, start=1):
                part = getattr(ws, "_worksheet_path", None)
                sheet = Sheet(index, ws.title, getattr(ws, "sheet_state", "visible"), part=part or "")
                try:
                    last, filled = (_sheet_extras(zf, part, MAX_CELLS - total_cells, sheet, coloured_styles,
                                                  percent_styles)
                                    if part in zf.namelist() else (None, 0))
                except _TooManyCells:
                    limit = f"{MAX_CELLS:,}".replace(",", " ")
                    raise FileRejected(file, f"arbetsboken har över {limit} ifyllda celler (blad '{ws.title}'); "
                                             "en åtgärdsplan har några hundra. Kontrollera att rätt fil valdes.") from None
                total_cells += filled
                if last == 0:
                    sheets.append(sheet)
                    continue
                ws.reset_dimensions()  # the stored dimension is often wrong
                for r, row in enumerate(ws.iter_rows(max_row=last, values_only=True), start=1):
                    for c, value in enumerate(row, start=1):
                        if isinstance(value, str) and value in EXCEL_ERRORS:
                            sheet.errors[(r, c)] = value
                            continue
                        if value is not None and value != "":
                            number = isinstance(value, int | float) and not isinstance(value, bool)
                            # A percentage reads as Excel shows it ("50 %", a share done
                            # in a Status column), not as the fraction it stores.
                            shown = number and (r, c) in sheet.percent
                            text = _text(value, percent=shown)
                            if text:
                                sheet.cells[(r, c)] = text
                                if number and not shown:
                                    sheet.numbers.add((r, c))
                if "#VALUE!" in sheet.errors.values():
                    _not_dates(zf, part, sheet)
                sheets.append(sheet)
    except (zipfile.BadZipFile, zlib.error, EOFError, ElementTree.ParseError):
        raise FileRejected(file, DAMAGED) from None
    finally:
        wb.close()
    return sheets


# Excel's error values, as a formula's saved result (openpyxl's seven and the newer ones).
EXCEL_ERRORS = frozenset(("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#SPILL!", "#CALC!",
                          "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!"))


def _not_dates(zf: zipfile.ZipFile, part: str, sheet: Sheet) -> None:
    """Read as numbers the cells read as '#VALUE!' that are date-formatted cells
    holding a number no date can be (a phone number or a personnummer typed as digits,
    shown as ##### in Excel): openpyxl turns them into that error. A formula's own
    '#VALUE!' stays an error."""
    xml = zf.read(part)
    for r, c in [at for at, error in sheet.errors.items() if error == "#VALUE!"]:
        ref = f"{get_column_letter(c)}{r}".encode()
        m = re.search(rb'<(?:\w+:)?c\b[^>]*?\br="' + ref + rb'"[^>]*?(?<!/)>(.*?)</(?:\w+:)?c>', xml, re.DOTALL)
        raw = re.search(rb"<(?:\w+:)?v>([^<]*)</", m[1]) if m else None
        try:
            value = float(raw[1]) if raw else None
        except ValueError:
            continue  # '#VALUE!' itself: the formula's error
        if value is not None:
            del sheet.errors[(r, c)]
            sheet.cells[(r, c)] = _text(int(value) if value.is_integer() else value)
            sheet.numbers.add((r, c))
            sheet.not_dates.add((r, c))


def _is_ods(path: Path) -> bool:
    if xls.is_xls(path):
        return False
    with zipfile.ZipFile(path) as zf:
        return ods.is_ods(zf)


def _anchored(sheets: list[Sheet]) -> list[Sheet]:
    """``sheets`` with each cell inside a merged range pointing at the range's top-left cell."""
    for sheet in sheets:
        for r1, c1, r2, c2 in sheet.merges:
            for r in range(r1, min(r2, max(sheet.last_row, r1)) + 1):
                for c in range(c1, c2 + 1):
                    if (r, c) != (r1, c1):
                        sheet.anchor[(r, c)] = (r1, c1)
    return sheets


def document_properties(path: Path) -> str:
    """The workbook's document properties as text (title, subject, keywords, comments,
    author: Arkiv > Info in Excel); "" when there are none."""
    texts = []
    if xls.is_xls(path):
        return ""  # its property streams are screened as bytes (gate_package)
    if _is_ods(path):
        # meta.xml, and the text outside the sheets (headers and footers, named ranges,
        # validation messages): the only place they are screened.
        return ods.read_sheets(path, Sheet, _text, hue_family, MAX_CELLS)[1]
    with zipfile.ZipFile(path) as zf:
        # The workbook part too: its defined names (Formler > Namnhanteraren) can hold text.
        for part in ("docProps/core.xml", "docProps/app.xml", "docProps/custom.xml", "xl/workbook.xml"):
            if part in zf.namelist():
                # One line per element: two neighbouring numbers must not read as one.
                texts.append("\n".join(ElementTree.fromstring(zf.read(part)).itertext()))
    return "\n".join(texts)


def gate(file: str, sheets: list[Sheet], properties: str = "") -> None:
    """Raise PersonnummerFound for the first cell, comment, sheet name, text beside the
    cells (header, footer, text box, a drop-down's message) or document property holding
    a personnummer (a nine-digit number cell is read with the leading zero Excel dropped)."""
    def places():
        yield "arbetsbokens egenskaper (Arkiv > Info) eller ett namn i Namnhanteraren (Formler)", properties
        for s in sheets:
            for (r, c), text in sorted(s.cells.items()):
                # A number cell drops a leading zero: a personnummer of someone born
                # 2001-2009 typed as a number is left with nine digits.
                if (r, c) in s.numbers and len(text) == 9 and text.isdigit():
                    text = "0" + text
                yield f"blad '{s.title}', cell {get_column_letter(c)}{r}", text
            for ref, text in s.comments.items():
                yield f"blad '{s.title}', kommentar i cell {ref}", text
            for what, text in s.other_texts:
                yield f"blad '{s.title}', {what}", text
            yield f"namnet på blad nr {s.index}", s.title
    found = first_finding(places())
    if found:
        raise PersonnummerFound(file, found.where)
    for s in sheets:
        if s.xml_personnummer:
            raise PersonnummerFound(file, f"blad '{s.title}', utanför cellernas värden (t.ex. i en formel eller en "
                                          "listruta)")


# What a part of an .xlsx (or .ods) package holds, for naming it to the coordinator.
_EMBEDDED = "ett inbäddat objekt, t.ex. ett Word-dokument, en arbetsbok eller en bifogad fil (Infoga > Objekt)"
_PART_KINDS = (
    ("xl/externalLinks/", "sparade värden från en länkad arbetsbok, se Data > Redigera länkar"),
    ("xl/pivotCache/", "en pivottabells sparade källdata, som finns kvar när källbladet tas bort"),
    ("xl/pivotTables/", "en pivottabell"),
    ("xl/drawings/", "en bild, figur eller textruta, t.ex. en bilds alternativtext"),
    ("xl/charts/", "ett diagram"),
    ("xl/sharedStrings.xml", "arbetsbokens texter, också de som ingen cell längre visar"),
    ("xl/embeddings/", _EMBEDDED),
    ("Object ", _EMBEDDED),  # an .ods's embedded objects
    ("xl/media/", "en bild, eller förhandsbilden av ett inbäddat objekt"),
    ("ObjectReplacements/", "förhandsbilden av ett inbäddat objekt"),
    ("xl/printerSettings/", "utskriftsinställningarna"),
    ("xl/activeX/", "en ActiveX-kontroll"),
    ("xl/vbaProject", "arbetsbokens makron (VBA)"),
)


_CONTROL = re.compile(r"[\x00-\x1f]")


def gate_package(path: Path, sheets: list[Sheet], screened: Collection[str] = ()) -> None:
    """Raise PersonnummerFound for the first part of an .xlsx or .ods package holding a
    personnummer, naming the part (and, inside an embedded package or object, the part
    or stream within it): what no cell shows still travels with the file (a linked
    workbook's cached values, an image's alt text, the source data a pivot table keeps
    after its sheet is deleted, an embedded Word document or a file packaged into an
    OLE object). XML parts are screened as XML, every other part as bytes, embedded
    packages part by part (personnummer.in_package). The sheets' own parts were screened
    as they were read (Sheet.xml_personnummer), and ``screened`` names other parts that
    were (an .ods's content.xml, styles.xml and meta.xml)."""
    if xls.is_xls(path):
        # An .xls is one compound file: the raw bytes, then each stream put together from
        # its sectors (the workbook's records, the document properties, embedded objects).
        # Its cells and comments were screened as read (gate).
        found = in_compound_file(path.read_bytes())
        if found is not None:
            raise PersonnummerFound(path.name, xls.where_outside_cells(found))
        return
    read = {s.part for s in sheets} | set(screened)
    with zipfile.ZipFile(path) as zf:
        try:
            found = in_package(zf, read)
        except PackageTooLarge:
            raise FileRejected(path.name, "arbetsboken har inbäddade objekt som packas upp till för mycket (eller "
                                          "ligger för många nivåer i varandra) för att kunna granskas för "
                                          "personnummer. Ta bort de inbäddade objekten (Infoga > Objekt) och läs "
                                          "in filen igen.") from None
    if found:
        name = found[0]
        kind = next((f" ({kind})" for prefix, kind in _PART_KINDS if name.startswith(prefix)), "")
        # An OLE stream's name may start with a control character ("\x01Ole10Native").
        within = _CONTROL.sub("", " > ".join(found[1:]))
        inside = f", i dess del {mask(within)}" if within else ""
        raise PersonnummerFound(path.name, f"arbetsbokens del {mask(name)}{kind}{inside}")


# --- areas and headers -----------------------------------------------------------------

def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def match_area(text: str) -> str | None:
    """The standard area a title names, OWN_AREA for the template's placeholder, else None."""
    folded = _fold(text)
    for area, keys in _AREA_KEYS:
        if any(k in folded for k in keys):
            return area
    if _OWN_PLACEHOLDER in folded:
        return cat.OWN_AREA
    return None


def _clean_title(text: str) -> str:
    # Spaces typed twice, or a non-breaking space pasted from a web page, are one space.
    first = re.sub(r"\s+", " ", text.strip().split("\n", 1)[0])
    first = re.sub(r"^\s*\d+\s*[.)]\s*", "", first)
    first = re.sub(r"^prioriterat område\s*\d*\s*[:.\-–]\s*", "", first, flags=re.IGNORECASE)
    return first.strip(" []:").strip()[:80]


def _header_role(text: str, taken: dict[str, int]) -> str | None:
    """The column a header cell names: it starts with the role's word ("Orsaker",
    "Åtgärd (koppla …)", "När?"); short words must stand alone ("När", not "Närmare")."""
    folded = _fold(text)
    folded = re.sub(r"^[\W\d]*", "", folded)
    folded = re.sub(r"^(?:identifierade?|identifierat|beskrivning av|bakomliggande|prioriterade?(?=\s+problem\b)|"
                    r"prioriterat(?=\s+problem\b))\s+", "", folded)
    # The one who follows up ("Uppföljningsansvarig") is a person, not the follow-up.
    if _FOLLOWUP_PERSON.match(folded):
        return None
    # A numbering column ("Åtgärd nr", "Åtgärdsnummer", "Nr") is not the measure, and the
    # one responsible for a measure ("Åtgärdsansvarig") is who, not what.
    if _NUMBERING.match(folded):
        return None
    # An area the measures are grouped by ("Insatsområde", "Åtgärdsområde": Skola,
    # Fritid) is no measure, though it starts with the measure's word.
    if _MEASURE_AREA.match(folded):
        return None
    if _RESPONSIBLE_FOR.match(folded):
        return "responsible" if "responsible" not in taken else None
    found = next((role for role, prefixes in _HEADER_PREFIXES if role not in taken for p in prefixes
                  if folded.startswith(p) and (len(p) >= 5 or len(folded) == len(p) or not folded[len(p)].isalpha())),
                 None)
    # "Status/uppföljning", "Kommentar/uppföljning": the column holds the follow-up (a
    # status column's words are among what its text may say).
    if found in (None, "status") and "followup" not in taken and _FOLLOWUP_AFTER.search(folded):
        return "followup"
    return found


_VEM = re.compile(r"vem(?:\s*\(?ansvarig\)?)?\s*\??")
_FOLLOWUP_AFTER = re.compile(r"(?:[/&+,]|\boch)\s*uppfölj")
_NUMBERING = re.compile(r"(?:(?:åtgärds?|insats|aktivitet|problem)\s*(?:nr|nummer|id|#)|nr|nummer|#|löpnummer)\.?\s*$")
_MEASURE_AREA = re.compile(r"(?:åtgärds|insats|aktivitets)områden?\b")
_RESPONSIBLE_FOR = re.compile(r"(?:åtgärds|insats|aktivitets)ansvarig")
_FOLLOWUP_PERSON = re.compile(r"uppf\w*\s*(?:ansvarig|ansvar\b)")


_HEADER_WORD = re.compile(r"^\s*uppföljning(?:en)?\s+(?:per\s+|den\s+)?", re.IGNORECASE)


def _header_round(text: str) -> str | None:
    """The one follow-up round a column header names, else None; or, for a header
    named by its date ("Uppföljning 2025-04-30", "Uppföljning 30/4") or number
    ("Uppföljning 1"), that opening as a follow-up cell would write it, so that a cell
    under it without a marker of its own gets its date and round (_column_entries)."""
    folded = _fold(text)
    found = [rnd for rnd, pattern in _HEADER_ROUNDS if re.search(pattern, folded)]
    if found:
        return found[0] if len(found) == 1 else None
    flat = followup.normalise(text)
    for opening in (flat, _HEADER_WORD.sub("", flat)):
        # The header is such an opening when the whole of it is read as one (a year is
        # needed only to check a day and month: 2000 has a 29 February).
        entries = followup.parse(f"{opening}: x", 2000) if opening else []
        if len(entries) == 1 and entries[0].text == "x" and (entries[0].followup_date or entries[0].round != "VB"):
            return opening
    return None


def _followup_columns(sheet: Sheet, row: int) -> list[tuple[int, str | None]]:
    """Every follow-up column of a header row with the round its header names: one
    column for all rounds (the template), or one per round ("Uppföljning T1", "T2", "VB")."""
    out = []
    for c in sorted(c for (rr, c) in sheet.cells if rr == row):
        text = sheet.own(row, c)
        if _header_role(text, {}) == "followup" or _ROUND_ONLY_HEADER.match(_fold(text)):
            out.append((c, _header_round(text)))
    return out


def _sub_header_columns(sheet: Sheet, row: int, cols: list[tuple[int, str | None]]) -> list[tuple[int, str]] | None:
    """The round columns under a follow-up header merged over several columns
    ("Uppföljning" over G:I with "T1", "T2", "VB" in the row below), else None.

    Every filled cell under the merged range must name one round, and at least two must,
    so that a first data row under a merged header is never taken for sub-headers."""
    for c, _ in cols:
        span = next((m for m in sheet.merges if m[0] == row and m[1] == c and m[3] > c), None)
        if span is None:
            continue
        below = [(cc, sheet.own(row + 1, cc)) for cc in range(span[1], span[3] + 1) if sheet.own(row + 1, cc)]
        rounds = [(cc, _header_round(text)) for cc, text in below]
        if len(rounds) >= 2 and all(rnd for _, rnd in rounds):
            return rounds
    return None


_SUB_HEADER = re.compile(r"^[^\d:;.!?]{2,40}$")


def _split_header(sheet: Sheet, row: int, roles: dict[str, int]) -> dict[str, int] | None:
    """The roles with a header merged across columns split by the row below, which names
    each column under it ("Uppföljning" over "Status" | "Kommentar": the status and the
    follow-up), else None. A column whose sub-header names no role of its own keeps the
    merged header's role, when it is the only one; every column under the header must
    be named by a short header text, so that a first data row is never taken for one."""
    split = dict(roles)
    for role, c in roles.items():
        span = next((m for m in sheet.merges if m[0] == row and m[1] == c and m[3] > c and m[2] == row), None)
        if span is None:
            continue
        subs = [(cc, sheet.own(row + 1, cc)) for cc in range(c, span[3] + 1)]
        if not all(text and _SUB_HEADER.match(text.strip()) for _, text in subs):
            continue
        others = {k: v for k, v in split.items() if k != role}
        named, unnamed = {}, []
        for cc, text in subs:
            sub_role = _header_role(text, others | named)
            if sub_role and sub_role != role and sub_role not in others:
                named[sub_role] = cc
            else:
                unnamed.append(cc)
        if not named or len(unnamed) != 1:
            continue
        named[role] = unnamed[0]
        split = others | named
    return split if split != roles else None


def _area_column(sheet: Sheet, row: int, roles: dict[str, int]) -> int | None:
    """A column headed as an area of its own kind ("Fokusområde", "Område", "Insatsområde")
    whose filled cells below all name prioritised areas: the plan's area column, as
    "Prioriterat område" is. None when there is none."""
    taken = set(roles.values())
    for c, text in sheet.rows.get(row, []):
        if c in taken or "område" not in _fold(text):
            continue
        below = [t for (r, cc), t in sheet.cells.items() if cc == c and row < r <= row + HEADER_SEARCH_ROWS and t.strip()]
        if below and all(match_area(t) for t in below):
            return c
    return None


def find_header(sheet: Sheet) -> tuple[int, dict[str, int], int | None, list[tuple[int, str | None]], int] | None:
    """Row of the header, role -> column, the area-description column if any, the
    follow-up columns with their rounds, and the number of header rows (2 when a merged
    follow-up header has its rounds in the row below, or a merged header its columns'
    own headers: _split_header; else 1)."""
    for r in range(1, min(sheet.last_row, HEADER_SEARCH_ROWS) + 1):
        roles: dict[str, int] = {}
        for c in sorted(c for (rr, c) in sheet.cells if rr == r):
            role = _header_role(sheet.own(r, c), roles)
            if role:
                roles[role] = c
        # The template's own "Vem" is who is responsible, also right of an added column
        # that starts the same way ("Ansvarig förvaltning"), which the first match took.
        vem = next((c for (rr, c) in sorted(sheet.cells) if rr == r and _VEM.fullmatch(_fold(sheet.own(r, c)))), None)
        if vem is not None:
            roles["responsible"] = vem
        if "cause" in roles and "measure" in roles and ("problem" in roles or "area" in roles):
            description = None
            if "problem" not in roles:
                roles["problem"] = roles.pop("area")
            elif "area" in roles:
                description = roles.pop("area")
            else:
                description = _area_column(sheet, r, roles)
            cols = _followup_columns(sheet, r)
            # A row with a measure of its own under the header is data, whatever else it says.
            sub = None if sheet.own(r + 1, roles["measure"]) else _sub_header_columns(sheet, r, cols)
            if sub:
                under = {c for c, _ in sub}  # the merged header's own column is one of them
                cols = sorted([col for col in cols if col[0] not in under] + sub)
                return r, roles, description, cols, 2
            split = None if sheet.own(r + 1, roles["measure"]) else _split_header(sheet, r, roles)
            if split:
                moved = {roles[k]: c for k, c in split.items() if k in roles and roles[k] != c}
                return r, split, description, [(moved.get(c, c), rnd) for c, rnd in cols], 2
            # Header cells merged down over two or three rows (a tall header): the rows
            # they cover are header, not data that inherits the header's words.
            tall = max((m[2] - r + 1 for m in sheet.merges
                        if m[0] == r and m[1] in roles.values() and m[2] - r < 3), default=1)
            return r, roles, description, cols, tall
    return None


@dataclass
class AreaRows:
    """What one area sheet holds."""

    sheet: Sheet
    area: str
    measures: list[dict]
    problems: int
    causes: int
    causes_without_measure: int
    rejected: list[Rejection]
    # Empty status or follow-up cells of measures filled with a colour, as (cell, colour
    # family), and every status or follow-up cell of a measure row: no legend is read there.
    colour_only: list[tuple[str, str]] = field(default_factory=list)
    status_cells: set[tuple[int, int]] = field(default_factory=set)
    # The table's rows (first, last) and its status and follow-up columns.
    status_columns: tuple[int, int, tuple[int, ...]] = (0, 0, ())
    measure_rows: set[int] = field(default_factory=set)  # every row of every measure


def _area_of_sheet(sheet: Sheet, header_row: int, description_col: int | None) -> tuple[str, str]:
    """(area, how it was named): the full name in the first rows beats the sheet name."""
    # The plan's kommun, year or LPO written above the table ("Kommun: Ludvika", "År:
    # 2025") names no area.
    label_cells = _metadata_labels(sheet, header_row - 1)[1]
    above = [sheet.value(r, c) for (r, c) in sorted(sheet.cells) if r < header_row and (r, c) not in label_cells]
    candidates = [t for t in above if t]
    if description_col:
        candidates.append(sheet.value(header_row + 1, description_col))
    candidates.append(sheet.title)
    # A description under the title ("Beskrivning: öppen narkotikaförsäljning skapar
    # otrygga platser …") names no area, though it may mention a standard one.
    candidates = [t for t in candidates if not _DESCRIPTION.search(t.strip())]
    # Nor does a title line above the table naming the LPO ("LPO Globen och LPO Farsta").
    lpo_lines = {t for t in above if _LPO_NAMED.search(_clean_title(t))}
    for text in candidates:
        area = match_area(text)
        if area and area != cat.OWN_AREA:
            return area, "standard"
    # The organisation's own area: the first title that is not the template's placeholder
    # names it ("[Eget prioriterat område]" replaced in the sheet, or the sheet renamed).
    for text in candidates:
        # A sheet named for a follow-up round ("T1 2025", "Uppföljning april") is no area.
        if match_area(text) is None and not _INSTRUCTION.match(text) and not _TITLE_BLOCK.search(text) \
                and _clean_title(text) and _header_round(_clean_title(text)) is None and text not in lpo_lines:
            return _clean_title(text), "eget namn"
    return cat.OWN_AREA, "mall"


# A text that describes rather than names: it says it is a description, or runs on as
# sentences (a full stop or semicolon inside it, or longer than any area's title).
_DESCRIPTION = re.compile(r"(?is)^(?:beskrivning|bakgrund|syfte|motivering)\b|[^\W\d_]{2}[.;]\s+\S|^.{100,}$")


# What a sheet's title block says besides its area: the organisation, the plan and its
# year ("Farsta stadsdelsförvaltning", "Åtgärdsplan 2025"), never the area's name.
# ("Malmö stad" is left to the area's own check: "Trygg stad" can be an area.)
# Nor is a line saying when and by whom the plan was adopted or changed ("Antagen av
# kommunstyrelsen 2025-02-10", "Reviderad 2025-06-01", "Version 2"), or any dated line.
_TITLE_BLOCK = re.compile(r"(?i)åtgärdsplan|handlingsplan|förvaltning|^\s*(?:19|20)\d{2}\s*$|\d{4}-\d{2}-\d{2}|"
                          r"\b(?:antagen|antogs|beslutad|beslutades|fastställd|fastställdes|reviderad|reviderades|"
                          r"uppdaterad|version)\b")


def _is_instruction_row(sheet: Sheet, row: int, roles: dict[str, int]) -> bool:
    """A template's guidance under the header: at least half its cells an instruction
    ("Ange …"), a short question ("Vad ska göras och hur?") or an example ("Exempel: …")."""
    texts = [sheet.own(row, c) for c in roles.values() if sheet.own(row, c)]
    return bool(texts) and sum(_is_guidance(t) for t in texts) * 2 >= len(texts)


def _is_guidance(text: str) -> bool:
    return bool(_INSTRUCTION.match(text) or _EXAMPLE.match(text)
                or (text.rstrip().endswith("?") and len(text.split()) <= 12))


_EXAMPLE = re.compile(r"^(?:exempel|t\.\s?ex\.?|till exempel)\b", re.IGNORECASE)


def _title(text: str) -> str:
    """The measure's title: the text before the first colon that ends a label."""
    first = text.strip()
    m = re.search(r":(?=\s|$)", first)
    head = first[: m.start()].strip() if m else ""
    if not head or len(head) > MAX_TITLE or "\n" in head:
        head = first.split("\n", 1)[0].strip()
        head = re.split(r"(?<=[.!?])\s", head, maxsplit=1)[0].rstrip(".")
    if len(head) > MAX_TITLE:
        head = head[: MAX_TITLE - 1].rstrip() + "…"
    return head


def _cap(text: str, notes: list[str], what: str) -> str:
    if len(text) > MAX_TEXT:
        notes.append(f"{what}: texten var {len(text)} tecken lång och kortades till {MAX_TEXT}.")
        return text[:MAX_TEXT]
    return text


def _join(values: list[str]) -> str | None:
    seen = []
    for v in values:
        if v and v not in seen:
            seen.append(v)
    return "\n".join(seen) or None


def _repeats_header(sheet: Sheet, row: int, roles: dict[str, int]) -> bool:
    """True for a copy of the header row inside the table (a block pasted with its header):
    the problem, cause and measure columns each hold their own header word. Words in other
    columns do not count: a row "Problem med …", "Orsaken är …" whose follow-up says
    "Åtgärden bedöms …" is data."""
    def names(role: str, *accepted: str) -> bool:
        text = sheet.own(row, roles[role])
        # A header is a few words without a text after a colon; a measure starts with
        # the same words often enough ("Problematisk skolfrånvaro bland unga", "Insatser
        # för ökad skolnärvaro: …") to be lost as a header.
        short = len(text.split()) <= 10 and not re.search(r":\s*\S", text)
        return short and _header_role(text, {}) in accepted

    return names("problem", "problem", "area") and names("cause", "cause") and names("measure", "measure")


def _column_entries(text: str, column_round: str | None, plan_year: int) -> list[followup.Entry]:
    """The entries of one follow-up cell; in a column whose header names its round, a
    cell without markers belongs to that round (not to the year-end summary)."""
    entries = followup.parse(text, plan_year)
    unmarked = len(entries) == 1 and entries[0].followup_date is None and entries[0].text == text.strip()
    if column_round and unmarked:
        entries = followup.parse(f"{column_round}: {text}", plan_year)
    return entries


EXCEL_EPOCH = date(1899, 12, 30)  # Excel's day 0 (its 1900 leap-year bug included)
SERIAL_DATES = range(36526, 54789)  # 2000-01-01 to 2049-12-31 as Excel day numbers


def _date_value(sheet: Sheet, row: int, col: int) -> str:
    """A När or follow-up cell's text; a number that is an Excel day number (a date cell
    whose date format was lost, as copying between workbooks does: 45747 for 2025-03-31)
    as ÅÅÅÅ-MM-DD. A year (2025) or a date typed as digits (250331) is no day number."""
    text = sheet.value(row, col)
    if sheet.origin(row, col) in sheet.numbers and text.isdigit() and int(text) in SERIAL_DATES:
        return (EXCEL_EPOCH + timedelta(days=int(text))).isoformat()
    return text


# What an Åtgärd cell says when the row has no measure of its own: a pointer to the one
# above ("Se ovan", "Se åtgärd ovan.", "Samma som ovan", "Dito", a ditto mark), a dash,
# an x, "N/A", "Ej aktuellt", "Ingen åtgärd (planerad)", "Saknas". The texts are fixed
# words, so the report may quote them.
_NO_MEASURE = re.compile(
    r"^\s*(?:(?:se|samma(?:\s+\w+)?\s+som|som)\s+(?:\w+\s+)?(?:ovan|ovanför|nedan)|dito|d:o|[\"”〃]+|[-–—]+|x|n/?a|"
    r"(?:ej|inte)\s+aktuellt|ingen\s+åtgärd(?:\s+\w+)?|inga\s+åtgärder(?:\s+\w+)?|saknas)\s*[.!]?\s*$",
    re.IGNORECASE)
# The pointers among them: the row continues the measure above ("Se ovan", "Som ovan",
# "Samma åtgärd som ovan", "Dito", a ditto mark) or below ("Se nedan"). Its cause,
# follow-up and other cells belong to that measure, as they would under a merged cell.
_SAME_AS_ABOVE = re.compile(r"^\s*(?:(?:se|samma(?:\s+\w+)?\s+som|som)\s+(?:\w+\s+)?(?:ovan|ovanför)|dito|d:o|[\"”〃]+)"
                            r"\s*[.!]?\s*$", re.IGNORECASE)
_SAME_AS_BELOW = re.compile(r"^\s*(?:se|samma(?:\s+\w+)?\s+som|som)\s+(?:\w+\s+)?nedan\s*[.!]?\s*$", re.IGNORECASE)
# A drop-down's placeholder in the Status column ("Välj status", "- Välj -", "[Välj]").
_PLACEHOLDER = re.compile(r"^\W*välj\b[\w\s]{0,20}\W*$", re.IGNORECASE)
_TOTALS = re.compile(r"^(?:totalt?|summa|antal)\b", re.IGNORECASE)
_NUMBER = re.compile(r"^\d+(?:[,.]\d+)?$")


def _is_totals_row(sheet: Sheet, row: int) -> bool:
    """A row that sums the table: "Totalt", "Summa" or "Antal åtgärder" first, and
    nothing but numbers after it (a problem "Antal inbrott ökar" has text beside it)."""
    cells = sheet.rows.get(row, [])
    return len(cells) > 1 and bool(_TOTALS.match(cells[0][1])) \
        and all(_NUMBER.match(text) for _, text in cells[1:])


def _sub_heading(sheet: Sheet, row: int, roles: dict[str, int]) -> tuple[str, bool] | None:
    """(area, merged across columns) when a row is a sub-heading inside the table (one
    sheet for several areas, each under its name), else None.

    The row holds one text, written on this row (not a problem merged down from above),
    that is an area's name: a standard area's (numbering and a few words more allowed,
    not a problem's sentence that mentions one) or the own area's ("Eget prioriterat
    område: Våld i nära relationer")."""
    cells = sheet.rows.get(row, [])
    texts = {sheet.value(row, c) for c in roles.values()} | {text for _, text in cells}
    texts.discard("")
    if len(texts) != 1 or not cells or any(sheet.origin(row, c)[0] != row for c in roles.values()
                                           if sheet.value(row, c)):
        return None
    [text] = texts
    merged = any(m[0] == row and m[3] > m[1] for m in sheet.merges)
    area = match_area(text)
    if area == cat.OWN_AREA:
        name = _clean_title(re.sub(r"\[?eget prioriterat område\]?\s*[:.\-–]?", "", text, flags=re.IGNORECASE))
        return name or cat.OWN_AREA, merged
    if area and len(_clean_title(text).split()) <= len(area.split()) + 1:
        return area, merged
    # "Prioriterat område 2: Skola och utbildning": the organisation's own area, named.
    if _AREA_LABEL.match(text) and (name := _named_area(_clean_title(text))):
        return name, merged
    return None


_AREA_LABEL = re.compile(r"^\s*(?:\d+\s*[.)]\s*)?prioriterat område\s*\d*\s*[:.\-–]\s*\S", re.IGNORECASE)


def _is_banner(sheet: Sheet, row: int, roles: dict[str, int]) -> bool:
    """True for a row holding one text written on it and merged across the problem,
    cause and Åtgärd columns (a footnote under the table, "Senast uppdaterad …", or a
    heading that names no area): no measure, problem or cause."""
    origins = {sheet.origin(row, roles[role]) for role in ("problem", "cause", "measure")}
    return len(origins) == 1 and origins.pop()[0] == row and bool(sheet.value(row, roles["measure"]))


def sections(sheet: Sheet, first_row: int, roles: dict[str, int], area: str) -> list[tuple[int, str]]:
    """The sub-headings of a table as (row, area), in order; empty for the usual sheet
    of one area. A heading naming the area the rows above it already belong to counts
    only when merged across columns (a banner): written in one cell it may as well be a
    problem on a row of its own, whose causes follow."""
    found = []
    for r in sorted(sheet.rows):
        heading = _sub_heading(sheet, r, roles) if r >= first_row else None
        if heading and (heading[1] or heading[0] != area):
            area = heading[0]
            found.append((r, area))
    return found


def _named_area(text: str) -> str | None:
    """The area a cell of a 'Prioriterat område' column names: a standard area, the own
    area by the name after the template's placeholder, or any other short one-line text
    as the organisation's own area's name; None for a longer text (a description)."""
    area = match_area(text)
    if area == cat.OWN_AREA:
        return _clean_title(re.sub(r"\[?eget prioriterat område\]?\s*[:.\-–]?", "", text, flags=re.IGNORECASE)) \
            or cat.OWN_AREA
    if area:
        return area
    return _clean_title(text) if "\n" not in text.strip() and len(text.split()) <= 8 else None


def column_areas(sheet: Sheet, first_row: int, roles: dict[str, int], col: int) -> list[tuple[int, str]]:
    """(row, area) for each row where a 'Prioriterat område' column names a new area, in
    order; empty unless it names at least two of the standard areas.

    A plan kept in one sheet writes each area once, at the top of its block (merged over
    the block or left blank below it), beside the block's first problem. The same column
    in an area sheet is that area's description merged down the table, or the sheet's
    problems under a 'Prioriterat område' header: neither names two standard areas."""
    found: list[tuple[int, str]] = []
    for r in sorted(sheet.rows):
        text = sheet.own(r, col)  # written on this row: the rows of a merged block inherit it
        beside = any(sheet.value(r, roles[role]) for role in ("problem", "cause", "measure") if roles[role] != col)
        if r < first_row or not text or not beside or _INSTRUCTION.match(text) \
                or _repeats_header(sheet, r, roles) or _is_totals_row(sheet, r):
            continue
        area = _named_area(text)
        if area and (not found or found[-1][1] != area):
            found.append((r, area))
    return found if len({a for _, a in found if a in cat.PRIORITISED_AREAS}) >= 2 else []


_ROUNDS = ("T1", "T2", "T3", "VB")


def _status_rounds(sheet: Sheet, header_row: int, roles: dict[str, int],
                   followup_cols: list[tuple[int, str | None]]) -> list[tuple[int, str]]:
    """(column, round) of a status column per follow-up round, earliest round first
    ("Status T1", "Status T2", "Status VB", or "Status" beside each round's follow-up
    column); empty unless there are two or more and each names a round of its own."""
    if "status" not in roles:
        return []
    beside = dict(followup_cols)
    found = []
    for c, text in sheet.rows.get(header_row, []):
        if _header_role(text, {}) == "status":
            rnd = _header_round(text)
            found.append((c, rnd if rnd in _ROUNDS else beside.get(c - 1)))
    rounds = [rnd for _, rnd in found]
    if len(found) < 2 or None in rounds or len(set(rounds)) < len(rounds) or not set(rounds) <= set(_ROUNDS):
        return []
    return sorted(found, key=lambda col: _ROUNDS.index(col[1]))


# A mark in a column per status ("Ej påbörjad", "Pågår", "Genomförd" with an X).
# A checkbox (Infoga > Kryssruta, or a form control linked to its cell) holds TRUE or
# FALSE, which Swedish Excel shows as SANT and FALSKT. The column says what a mark means,
# so a cross typed as a symbol (✗ ✘ ✖ ☓ ✕, Infoga > Symbol) is an X and a ticked box ☒ a
# mark, while an empty box ☐ is none. A cross emoji (❌, ❎) may as well say "not this":
# it is read as no mark beside a mark in another column of the row, and alone it is named
# (followup.CROSS_SIGNS).
_MARK = re.compile(r"^\s*(?:x|✓|✔|☑|☒|✗|✘|✖|☓|✕|ja|sant|true)\ufe0f?\s*$", re.IGNORECASE)
_NO_MARK = re.compile(r"^\s*(?:falskt|false|☐)\s*$", re.IGNORECASE)
_CROSS_EMOJI = re.compile(r"^\s*[❌❎]\ufe0f?\s*$")


def _mark_columns(sheet: Sheet, header_row: int, roles: dict[str, int],
                  followup_cols: list[tuple[int, str | None]]) -> list[tuple[int, str]]:
    """(column, status) of the columns a template marks with an X, one per status: headed
    by a status word in the header row ("Ej påbörjad", "Pågår", "Genomförd"), or in the
    row under a "Status" header merged over them; empty unless two or more statuses."""
    taken = set(roles.values()) | {c for c, _ in followup_cols}
    found = [(c, followup.stated_status(text)) for c, text in sheet.rows.get(header_row, []) if c not in taken]
    if "status" in roles:
        span = next((m for m in sheet.merges if m[:2] == (header_row, roles["status"]) and m[3] > m[1]), None)
        if span:
            found = [(c, followup.stated_status(sheet.own(header_row + 1, c))) for c in range(span[1], span[3] + 1)]
    found = [(c, status) for c, status in found if status]
    return found if len({status for _, status in found}) >= 2 else []


def _hedged_line(title: str, cell: str, text: str, hedged: followup.Hedged) -> str:
    """The report's line on a status cell read cautiously (followup.hedged_status)."""
    said = f"Blad '{title}', cell {cell}: statusen '{followup.normalise(text)[:40]}'"
    if hedged.status is None:
        return (f"{said} är osäker ({' eller '.join(hedged.readings)}?) och lästes inte; statusen togs från "
                "uppföljningen. Skriv en tydlig status (t.ex. Pågår, Klar, Ej påbörjad).")
    if len(hedged.readings) > 1:
        return (f"{said} kan läsas som {' eller '.join(hedged.readings)}; den lästes som den minst gynnsamma, "
                f"'{hedged.status}'. Skriv en status om en annan menas.")
    return f"{said} lästes försiktigt som '{hedged.status}', den status den nämner. Skriv en status om en annan menas."


def _sign_line(title: str, cell: str, text: str, sign: str) -> str:
    """The report's line on a status cell a cross or a box leaves unread (followup.ambiguous_sign)."""
    said = f"Blad '{title}', cell {cell}: statusen '{followup.normalise(text)[:40]}'"
    advice = ("lästes inte; statusen togs från uppföljningen. Skriv statusen med ord (t.ex. Genomförd, Pågår, "
              "Ej påbörjad).")
    if len(sign) > 1:
        return f"{said} är en lista med kryssrutor där inte exakt ett alternativ är ikryssat; den {advice}"
    if sign == "☐":
        what = "en tom kryssruta säger inte om åtgärden är ej påbörjad eller bara inte följd upp ännu"
    else:
        what = f"tecknet '{sign}' kan betyda både ikryssad (klar) och nej (ej klar)"
    return f"{said} kan inte läsas: {what}. Den {advice}"


def _round_statuses(entries: list[followup.Entry], status_rounds: list[tuple[int, str]], texts: dict[int, str],
                    word_of: Callable[[int, str], str | None], plan_year: int) -> str:
    """The measure's status with a status column per round, giving each round's entries
    the status its column states: the round's last entry when the text assesses nothing
    (its own assessment stands otherwise), or an entry without text of its own when the
    round has only the status. The latest round's word wins over the text of the same
    or an earlier round, as the one status column's does; a later round's text wins."""
    latest = None
    for c, rnd in status_rounds:
        text = texts.get(c) or ""
        word = word_of(c, text) if text else None
        if not word:
            continue
        mine = [e for e in entries if e.round == rnd]
        if not mine:
            entries.append(followup.Entry(None, rnd, "", word))
        elif all(e.status == followup.NOT_ASSESSED for e in mine):
            mine[-1].status = word
        latest = (rnd, word)
    text_round = max((_ROUNDS.index(e.round) for e in entries if e.status != followup.NOT_ASSESSED), default=-1)
    if latest and _ROUNDS.index(latest[0]) >= text_round:
        return latest[1]
    return followup.latest_status(entries, plan_year)


def read_area(sheet: Sheet, header_row: int, roles: dict[str, int], area: str,
              plan_year: int, notes: list[str],
              followup_cols: list[tuple[int, str | None]] = (), header_rows: int = 1,
              rows: tuple[int, int] | None = None) -> AreaRows:
    """The measures of one area sheet, with its own counts of problems, causes, measures.

    ``rows`` (first, last) limits the reading to the rows under one sub-heading."""
    start = header_row + header_rows
    while start <= header_row + header_rows + 2 and _is_instruction_row(sheet, start, roles):
        start += 1
    start, stop = (max(start, rows[0]), rows[1]) if rows else (start, sheet.last_row)
    groups: dict[tuple[int, int], list[int]] = {}  # Åtgärd cell -> its rows
    problem_cells, cause_cells = set(), set()
    cell_rows: dict[tuple[int, int], set[int]] = {}  # a problem or cause cell -> the rows it was read on
    cause_rows_without_measure = 0
    # A problem cell merged across the Orsak column -> the rows it covers there.
    problem_over_cause: dict[tuple[int, int], list[int]] = {}
    rejected: list[Rejection] = []
    last_problem = last_cause = ""
    row_values: dict[int, dict[str, str]] = {}
    empty_run = 0
    skip_until = 0
    # The status columns, earliest round first: one per round, or the one (or none).
    status_rounds = _status_rounds(sheet, header_row, roles, followup_cols)
    status_columns = [c for c, _ in status_rounds] or [c for role, c in roles.items() if role == "status"]
    # A column per status marked with an X: the marked column's word is the row's status,
    # read as the status column's (the first of them stands for it when there is none).
    marks = _mark_columns(sheet, header_row, roles, followup_cols) if not status_rounds else []
    if marks and not status_columns:
        status_columns = [marks[0][0]]
    marked_cols: set[int] = set()  # the mark columns marked on some row: they were read
    status_cols = status_columns + [c for c, _ in followup_cols]
    # A legend typed into the table ("Grön = genomförd" under the last measure) is the
    # legend (colour_legend reads it), not a measure, problem or cause. Its swatches are
    # never the table's own status and follow-up cells: those hold statuses (and
    # looking beside each of them would cost about 0.1 s a 1000 rows).
    table_status = {(r, c) for r in range(start, stop + 1) for c in status_cols}
    swatch_words = {words for *_, words in _colour_items(sheet, table_status)}
    legend_rows: list[int] = []
    placeholders: list[tuple[int, str]] = []  # (row, text) of Åtgärd cells that stand for no measure
    # Rows whose Åtgärd cell points at the measure above or below (_SAME_AS_ABOVE): (row,
    # what it says, the measure's Åtgärd cell). Rows pointing below wait for that measure.
    continued: list[tuple[int, str, tuple[int, int]]] = []
    waiting: list[tuple[int, str]] = []
    last_measure: tuple[int, int] | None = None
    banners: list[int] = []  # rows of one text merged across the table (_is_banner)
    numbers = {c: _number_legend(sheet.value(header_row, c)) for c in status_columns}
    for r in range(start, stop + 1):
        if r <= skip_until:
            continue
        if r in sheet.table_totals and r not in sheet.rows:
            continue  # an Excel table's empty totals row
        if r in sheet.table_totals or _is_totals_row(sheet, r):
            notes.append(f"Blad '{sheet.title}': rad {r} är en summarad ('{sheet.rows[r][0][1][:40]}') "
                         "och lästes inte som åtgärd.")
            continue
        values = {role: _date_value(sheet, r, c) if role == "due" else sheet.value(r, c)
                  for role, c in roles.items() if role not in ("followup", "status")}
        # All follow-up columns of the row, and the status column: a status alone (a
        # drop-down's default filled down the template) does not make a row.
        values.update({f"followup@{c}": _date_value(sheet, r, c) for c, _ in followup_cols})
        # A drop-down's "Välj status" in a status cell: nothing chosen yet.
        # An unticked checkbox in a mark column (FALSKT): no status either.
        mark_cols = {c for c, _ in marks}
        statuses = {f"status@{c}": "" if _PLACEHOLDER.match(sheet.value(r, c))
                    or (c in mark_cols and _NO_MARK.match(sheet.value(r, c))) else sheet.value(r, c)
                    for c in status_columns}
        marked = [(c, status) for c, status in marks if _MARK.match(sheet.value(r, c))]
        crossed = [c for c, _ in marks if _CROSS_EMOJI.match(sheet.value(r, c))]
        marked_cols.update(c for c, _ in marked)
        marked_cols.update(crossed)
        # An unticked box (☐, FALSKT) in a column never ticked was read too: no "not read" line.
        marked_cols.update(c for c, _ in marks if _NO_MARK.match(sheet.value(r, c)))
        if crossed:
            statuses.update({f"status@{c}": "" for c in crossed})
        if crossed and not marked and sheet.value(r, roles["measure"]):
            cells = _cells([f"{get_column_letter(c)}{r}" for c in crossed])
            notes.append(f"Blad '{sheet.title}', cell {cells}: krysset '{sheet.value(r, crossed[0]).strip()}' i "
                         "statuskolumnerna kan betyda både ikryssad och nej, och ingen annan kolumn är markerad; "
                         "statusen togs från uppföljningen. Markera statusen med X.")
        if len(marked) == 1:
            statuses[f"status@{status_columns[0]}"] = marked[0][1]
        elif len(marked) > 1:
            statuses[f"status@{status_columns[0]}"] = ""
            if sheet.value(r, roles["measure"]):
                notes.append(f"Blad '{sheet.title}', rad {r}: flera statuskolumner är markerade "
                             f"({', '.join(get_column_letter(c) for c, _ in marked)}); statusen togs från "
                             "uppföljningen.")
        if not any(values.values()):
            empty_run += 1
            if empty_run >= EMPTY_ROWS_END_TABLE:
                notes.append(f"Blad '{sheet.title}': läsningen slutade vid rad {r} efter "
                             f"{EMPTY_ROWS_END_TABLE} tomma rader.")
                break
            continue
        empty_run = 0
        if _is_legend_row(sheet, r, roles, swatch_words):
            legend_rows.append(r)
            continue
        if _repeats_header(sheet, r, roles):
            skip_until = r
            while skip_until < r + 3 and _is_instruction_row(sheet, skip_until + 1, roles):
                skip_until += 1
            notes.append(f"Blad '{sheet.title}': rubrikraden upprepas på rad {r}; den (och instruktionsraden "
                         "under) lästes inte som åtgärder.")
            continue
        if _is_banner(sheet, r, roles):
            banners.append(r)
            continue
        # A cell merged across columns by hand (an Åtgärd cell over the goal column) is
        # read in its first column only; the row's other cells of it are empty. Only now:
        # a row of one text merged across the table is a banner (above) or a sub-heading.
        values.update({role: "" for role, c in roles.items() if role in values and sheet.origin(r, c)[1] != c})
        values.update({f"followup@{c}": "" for c, _ in followup_cols if sheet.origin(r, c)[1] != c})
        if not marks:  # a mark column's status stands in the first status column
            statuses.update({f"status@{c}": "" for c in status_columns if sheet.origin(r, c)[1] != c})
        # A problem cell merged across the Orsak column: the author wrote no cause of its
        # own (read in the problem's column only, as above); the report says so.
        if "cause" in roles and "problem" in roles:
            cause_origin = sheet.origin(r, roles["cause"])
            if cause_origin[1] == roles["problem"] and sheet.cells.get(cause_origin):
                problem_over_cause.setdefault(cause_origin, []).append(r)
        # Blank problem/cause cells below a filled one continue it, merged or not.
        if values["problem"]:
            origin = sheet.origin(r, roles["problem"])
            if origin not in problem_cells:
                last_cause = ""  # a new problem starts its own causes
            problem_cells.add(origin)
            cell_rows.setdefault(origin, set()).add(r)
            last_problem = values["problem"]
        else:
            values["problem"] = last_problem
        if values["cause"]:
            cause_cells.add(sheet.origin(r, roles["cause"]))
            cell_rows.setdefault(sheet.origin(r, roles["cause"]), set()).add(r)
            last_cause = values["cause"]
        elif values["measure"]:
            values["cause"] = last_cause
        row_values[r] = values | statuses
        said = values["measure"].strip()
        if _SAME_AS_ABOVE.match(said) and last_measure is not None:
            groups[last_measure].append(r)
            continued.append((r, said, last_measure))
        elif _SAME_AS_BELOW.match(said):
            waiting.append((r, said))
        elif _NO_MEASURE.match(said):
            placeholders.append((r, said))
        elif values["measure"]:
            last_measure = sheet.origin(r, roles["measure"])
            groups.setdefault(last_measure, []).extend(w for w, _ in waiting)
            groups[last_measure].append(r)
            continued += [(w, text, last_measure) for w, text in waiting]
            waiting = []
        elif sheet.origin(r, roles["measure"]) in sheet.uncached:
            rejected.append(Rejection(r, f"blad '{sheet.title}', kolumn {get_column_letter(roles['measure'])} (Åtgärd)",
                                      "cellen är en formel utan sparat värde; öppna och spara arbetsboken i Excel"))
        elif error := sheet.errors.get(sheet.origin(r, roles["measure"])):
            rejected.append(Rejection(r, f"blad '{sheet.title}', kolumn {get_column_letter(roles['measure'])} (Åtgärd)",
                                      f"cellen är en formel som ger felet {error}; rätta formeln eller skriv åtgärden "
                                      "i cellen"))
        elif any(v for k, v in values.items() if k in ("goal", "due", "responsible") or k.startswith("followup@")):
            rejected.append(Rejection(r, f"blad '{sheet.title}', kolumn {get_column_letter(roles['measure'])} (Åtgärd)",
                                      "raden har mål, tid, ansvar eller uppföljning men ingen åtgärd; fyll i åtgärden"))
        else:
            cause_rows_without_measure += 1
    placeholders = sorted(placeholders + waiting)  # "Se nedan" with no measure below it
    for r, _, _ in continued:
        # A cell of the row that itself says "Se ovan" ("Se ovan" as its goal or follow-up)
        # adds nothing to the measure it continues.
        row_values[r] = {k: "" if k != "measure" and _SAME_AS_ABOVE.match(v) else v
                         for k, v in row_values[r].items()}
    if continued:
        by_measure: dict[tuple[int, int], list[tuple[int, str]]] = {}
        for r, text, origin in continued:
            by_measure.setdefault(origin, []).append((r, text))
        told = ", ".join(f"rad {_rows([r for r, _ in pointers])} ("
                         + ", ".join(f"'{t}'" for t in dict.fromkeys(t for _, t in pointers))
                         + f") till åtgärden på rad {top}" for (top, _), pointers in sorted(by_measure.items()))
        notes.append(f"Blad '{sheet.title}': kolumn {get_column_letter(roles['measure'])} hänvisar på {told}; "
                     "raderna lästes som en del av den åtgärden, med sina orsaker, uppföljningar och övriga "
                     "uppgifter.")
    for origin, covered in sorted(problem_over_cause.items()):
        read = [r for r in covered if r in row_values and row_values[r]["measure"]]
        if not read:
            continue
        span = next((m for m in sheet.merges if m[:2] == origin), (*origin, *origin))
        cell = f"{get_column_letter(origin[1])}{origin[0]}"
        area = f"{cell}:{get_column_letter(span[3])}{span[2]}"
        notes.append(f"Blad '{sheet.title}': problemcellen {cell} är sammanfogad över kolumn "
                     f"{get_column_letter(roles['cause'])} (Orsak) ({area}), så ingen orsak anges för sig; "
                     f"{'åtgärderna' if len(read) > 1 else 'åtgärden'} på rad {_rows(read)} sparades utan orsak ('{sheet.cells[origin][:40]}' är "
                     "problemet). Dela upp cellen och skriv orsaken i kolumnen Orsak om det finns en.")
    if legend_rows:
        notes.append(f"Blad '{sheet.title}': rad {_rows(legend_rows)} är en färgförklaring och "
                     "lästes inte som åtgärder.")
    if banners:
        notes.append(f"Blad '{sheet.title}': rad {_rows(banners)} har en text sammanfogad över tabellens "
                     "kolumner (t.ex. en fotnot) och lästes inte som åtgärd.")
    if placeholders:
        said = ", ".join(f"'{text}'" for text in dict.fromkeys(text for _, text in placeholders))
        notes.append(f"Blad '{sheet.title}': rad {_rows([r for r, _ in placeholders])} har ingen egen "
                     f"åtgärd i kolumn {get_column_letter(roles['measure'])} ({said}) och lästes inte som åtgärder. "
                     "Skriv åtgärden, eller slå ihop cellen med åtgärden ovan om raden hör till den.")
    measures = []
    # A status shown only as a colour (green, yellow, red) in the status or follow-up
    # column: read by the workbook's own legend if it has one (apply_colour_legend).
    colour_only: list[tuple[str, str]] = []
    icon_cells: list[str] = []  # status numbers shown with icons that have no colour
    other_years: dict[int, list[int]] = {}  # year -> rows of follow-up entries naming it
    percent_cells: list[str] = []  # statuses read from a share done ("50 %")
    status_cells: set[tuple[int, int]] = set()

    def colour_cells(rows: list[int], cols: list[int], with_text: bool = False) -> list[tuple[str, str]]:
        """The empty coloured cells among these (a drop-down's placeholder counts as
        empty; ``with_text``: any coloured cell), each named once (a merged cell by its
        top-left cell, as Excel names it), with its colour family."""
        origins = dict.fromkeys(sheet.origin(r, c) for c in cols for r in rows)
        return [(f"{get_column_letter(c)}{r}", sheet.coloured[(r, c)]) for r, c in origins
                if (r, c) in sheet.coloured
                and (with_text or not sheet.value(r, c) or _PLACEHOLDER.match(sheet.value(r, c)))]

    for (top, _), rows in sorted(groups.items()):
        rows = sorted(rows)  # a row pointing at the measure below ("Se nedan") stands above it
        colour_only += colour_cells(rows, status_cols)
        status_cells |= {(r, c) for r in rows for c in status_cols}
        vals = [row_values[r] for r in rows]
        text = _cap(vals[0]["measure"], notes, f"Blad '{sheet.title}', rad {top}")
        causes = _join([v["cause"] for v in vals])
        problem = _join([v["problem"] for v in vals])
        due = _join([v.get("due", "") for v in vals])
        line_work = any(_LINE_WORK.search(x or "") for x in (problem, causes, due)) \
            or bool(_LINE_WORK.match(text))
        entries = []
        for c, column_round in followup_cols:
            note = _join([v[f"followup@{c}"] for v in vals]) or ""
            entries += _column_entries(_cap(note, notes, f"Blad '{sheet.title}', rad {top}, uppföljning"),
                                       column_round, plan_year)
        # Last year's VB kept above this year's entries ("VB 2024: …"): not this plan's.
        for e in entries:
            if e.year not in (None, plan_year):
                other_years.setdefault(e.year, []).append(top)
        entries = [e for e in entries if e.year in (None, plan_year)]
        for e in entries:
            if e.bad_date:
                notes.append(f"Blad '{sheet.title}', rad {top}: uppföljningens datum '{e.bad_date}' är inget datum; "
                             f"posten sparades utan datum (i {e.round}) och dess bedömning räknas. Rätta datumet "
                             "i arbetsboken.")
        status = followup.latest_status(entries, plan_year)
        # The status cell that counts: the latest round's filled one (or the one column's).
        texts = [(c, _join([v[f"status@{c}"] for v in vals])) for c in status_columns]
        status_col, status_text = next(((c, t) for c, t in reversed(texts) if t),
                                       (status_columns[-1] if status_columns else 0, None))
        for e in entries:
            if e.hedged:
                notes.append(f"Blad '{sheet.title}', rad {top}: uppföljningen bedömer åtgärden som "
                             f"{' eller '.join(e.hedged)}; posten lästes som den minst gynnsamma, '{e.status}'.")

        def status_word(c: int, text: str, top: int = top) -> str | None:
            # A round's Status cell: its word, a number its header explains, or a hedging
            # cell's cautious reading (reported): never a more favourable status than it says.
            word = followup.stated_status(text) or numbers[c].get(text)
            hedged = None if word else followup.hedged_status(text)
            if hedged:
                notes.append(_hedged_line(sheet.title, f"{get_column_letter(c)}{top}", text, hedged))
            return word or (hedged.status if hedged else None)

        if status_rounds:
            status = _round_statuses(entries, status_rounds, dict(texts), status_word, plan_year)
        colours: list[tuple[str, str]] = []  # (cell, colour family) that may give the status
        if (status_text and followup.dropped(status_text)) or any(followup.dropped(e.text) for e in entries):
            notes.append(f"Blad '{sheet.title}', rad {top}: åtgärden anges som struken; den sparades med statusen "
                         f"'{status}'. Ta bort raden om åtgärden inte ska följas upp.")
        elif status_text:
            # The status column is the organisation's own current assessment: it wins.
            stated = followup.stated_status(status_text)
            plain = followup.normalise(status_text).rstrip(".!").lower()
            colour_word = _COLOUR_WORDS.get(plain) or _COLOUR_SIGNS.get(plain.replace("\ufe0f", ""))
            number = numbers[status_col].get(status_text)
            icon = icon_family(sheet, *sheet.origin(top, status_col)) if not (stated or number) else None
            hedged = followup.hedged_status(status_text) if not (stated or number or colour_word or icon) \
                else None
            if hedged:
                stated = hedged.status
                if not status_rounds:  # per round, _round_statuses reported the latest round's cell
                    notes.append(_hedged_line(sheet.title, f"{get_column_letter(status_col)}{top}", status_text,
                                              hedged))
            if stated or number:
                if not status_rounds:  # per round, _round_statuses weighed it against the text
                    status = stated or number
                if stated and followup.percent_status(followup.normalise(status_text)):
                    percent_cells.append(f"{get_column_letter(status_col)}{top}")
            elif colour_word or (icon and icon != ICON_WITHOUT_COLOUR):
                # "Grön" (or "🟢") written in the Status column, or a number shown as a green,
                # yellow or red icon: a colour, read by the legend.
                colours = [(f"{get_column_letter(status_col)}{top}", colour_word or icon)]
                colour_only += colours
            elif icon:
                icon_cells.append(f"{get_column_letter(status_col)}{top}")
            elif sign := followup.ambiguous_sign(status_text) or (
                    "☐☒" if followup.CHECKBOX_LIST.search(status_text) else None):
                notes.append(_sign_line(sheet.title, f"{get_column_letter(status_col)}{top}", status_text, sign))
            elif not hedged:  # an unclear hedge is reported above
                notes.append(f"Blad '{sheet.title}', cell {get_column_letter(status_col)}{top}: statusen "
                             f"'{status_text[:40]}' känns inte igen; statusen togs från uppföljningen.")
        # The colours that may give the status: words win, so only without a status word;
        # the status column's colours first (they win over the follow-up, as its word
        # does), else the last coloured follow-up column's (the latest round) when the
        # follow-up text assesses nothing. A measure over several rows has a cell per
        # row: apply_colour_legend reads them only when they agree.
        if not status_text:
            # A coloured follow-up cell with text that assesses nothing ("41 deltagare" on
            # green) shows its status by the colour as an empty one does.
            by_followup = [colour_cells(rows, [c], with_text=True) for c, _ in followup_cols] \
                if status == followup.NOT_ASSESSED else []
            colours = next((cells for c in reversed(status_columns) if (cells := colour_cells(rows, [c]))), []) \
                or next((cells for cells in reversed(by_followup) if cells), [])
        measures.append(dict(
            problem=problem, cause=causes, title=_title(text) or "(utan titel)", description=text,
            operational_goal=_join([v.get("goal", "") for v in vals]), due=due,
            responsible=_join([v.get("responsible", "") for v in vals]), is_line_work=line_work,
            status=status, source_sheet=sheet.title,
            source_row=top, entries=entries, colours=colours,
        ))
    # A block of rows pasted twice (with its header, skipped above, or without): a measure
    # the same as an earlier one of the table in every column is that measure, read once,
    # and its problem and cause cells are not counted again.
    first_of: dict[tuple, int] = {}
    pasted: list[tuple[int, int]] = []  # (row of the copy, row of the measure it repeats)
    pasted_rows: set[int] = set()
    for m in list(measures):
        same = (m["problem"], m["cause"], m["description"], m["operational_goal"], m["due"], m["responsible"],
                m["status"], tuple((e.followup_date, e.round, e.text, e.status) for e in m["entries"]))
        if same in first_of:
            pasted.append((m["source_row"], first_of[same]))
            pasted_rows.update(next(rows for (top, _), rows in groups.items() if top == m["source_row"]))
            measures.remove(m)
        else:
            first_of[same] = m["source_row"]
    if pasted:
        problem_cells = {c for c in problem_cells if not cell_rows[c] <= pasted_rows}
        cause_cells = {c for c in cause_cells if not cell_rows[c] <= pasted_rows}
        notes.append(f"Blad '{sheet.title}': åtgärderna på rad {_rows([r for r, _ in pasted])} är desamma som på "
                     f"rad {_rows(sorted({r for _, r in pasted}))} i varje kolumn (problem, orsak, åtgärd, mål, "
                     "tid, ansvarig och uppföljning); tabellen har troligen klistrats in två gånger, och varje "
                     "åtgärd lästes en gång. Ta bort kopian.")
    for c, explained in numbers.items():
        if explained and any(sheet.own(r, c) in explained for r in row_values):
            notes.append(f"Blad '{sheet.title}': statusen lästes från talen i kolumn {get_column_letter(c)} "
                         "enligt rubriken (" + ", ".join(f"{n} = {explained[n]}" for n in sorted(explained)) + ").")
    for year, rows in sorted(other_years.items()):
        notes.append(f"Blad '{sheet.title}': uppföljningen för {year} i rad {_rows(sorted(set(rows)))} "
                     f"gäller inte planens år {plan_year} och lästes inte; den ger inte åtgärdens status.")
    if percent_cells:
        notes.append(f"Blad '{sheet.title}': statusen i cell {_cells(percent_cells)} lästes från procenten "
                     "(100 % = uppnådd, 1–99 % = påbörjad, 0 % = ej uppnådd).")
    if icon_cells:
        notes.append(f"Blad '{sheet.title}': cell {_cells(icon_cells)} visar statusen som ett tal med ikoner "
                     "(villkorsstyrd formatering); ikonerna läses inte. Skriv statusen med ord (t.ex. Pågår, Klar, "
                     "Ej påbörjad).")
    return AreaRows(sheet, area, measures, len(problem_cells), len(cause_cells),
                    cause_rows_without_measure, rejected, colour_only, status_cells,
                    (start, stop, tuple(status_cols + sorted(marked_cols))),
                    {r for rows in groups.values() for r in rows})


# A Status column's header that says what its numbers mean ("Status\n1 = Ej påbörjad\n2 =
# Pågår\n3 = Genomförd", "Status (1 = ej påbörjad, 2 = pågår, 3 = klar)").
_NUMBER_ITEM = re.compile(r"(?:^|(?<=[\s,;(.]))(?P<n>[1-9])\s*(?:[:=]|[-–—](?=\s))\s*(?P<phrase>[^,;\n().]+)")


def _number_legend(header: str) -> dict[str, str]:
    """Number -> status, as the Status column's own header explains its numbers; empty
    unless it explains at least two and every one of them with a status word."""
    items = [(m["n"], _legend_status(m["phrase"])) for m in _NUMBER_ITEM.finditer(header)]
    meanings = dict(items)
    if len(items) < 2 or len(meanings) < len(items) or None in meanings.values():
        return {}
    return meanings


# --- the workbook's colour legend -------------------------------------------------------

# Swedish colour words as a legend writes them, to the families of hue_family.
_COLOUR_WORDS = {"grön": "grön", "grönt": "grön", "gröna": "grön", "gul": "gul", "gult": "gul", "gula": "gul",
                 "orange": "orange", "röd": "röd", "rött": "röd", "röda": "röd"}
# A coloured circle chosen from a drop-down instead of a word ("🟢"): a colour, as "Grön" is.
_COLOUR_SIGNS = {"🟢": "grön", "🟡": "gul", "🟠": "orange", "🔴": "röd"}
# A legend written in words: "Grön = genomförd", "Gult: pågår", "Röd – ej påbörjad", one
# a cell, one a line, or several in one cell ("Grön = klar, gul = pågår, röd = ej påbörjad").
_LEGEND_ITEM = re.compile(
    r"(?:^|(?<=[\s,;.(]))(?P<colour>" + "|".join(_COLOUR_WORDS) + r")\b(?:\s+färg)?"
    # The phrase ends at a comma, semicolon, line end, bracket or a full stop that ends a
    # sentence ("Grön = genomförd. Gul = pågår."); a full stop inside a word ("t.ex.") does not.
    r"\s*(?:[:=]|[-–—](?=\s))\s*(?P<phrase>(?:[^,;\n().]|\.(?=\S))+)", re.IGNORECASE)
# "Åtgärden är genomförd", "Arbetet pågår": the status word after its subject.
_LEGEND_SUBJECT = re.compile(r"^(?:åtgärden|arbetet|insatsen|aktiviteten)\s+(?:är\s+|har\s+)?", re.IGNORECASE)
MAX_LEGEND_WORDS = 60  # characters: the words beside a legend's coloured cell are a few


@dataclass
class ColourLegend:
    """What the workbook's legend says each colour family means."""

    meanings: dict[str, str] = field(default_factory=dict)  # colour family -> status
    places: dict[str, str] = field(default_factory=dict)  # colour family -> where the legend says so
    conflicts: dict[str, list[str]] = field(default_factory=dict)  # family -> "status (where)", several
    sheets: set[int] = field(default_factory=set)  # the sheets (index) the meanings were read from


def _legend_status(phrase: str) -> str | None:
    """The status a legend's words give ("Genomförd", "Pågår/påbörjad", "Ej påbörjad
    eller ej startad"): read as a Status column's word is, every alternative alike."""
    phrase = _LEGEND_SUBJECT.sub("", phrase.strip())
    parts = [p for p in re.split(r"\s*/\s*|\s+eller\s+", phrase) if p]
    statuses = {followup.stated_status(p) for p in parts}
    return statuses.pop() if len(statuses) == 1 and None not in statuses else None


def _colour_items(sheet: Sheet, skip: set[tuple[int, int]] = frozenset(),
                  tables: tuple[tuple[int, int, tuple[int, ...]], ...] = ()):
    """What a sheet's coloured cells say as a legend, in the sheet's order: (colour
    family, status, the coloured cell, the cell holding the status words). An empty
    coloured cell with a status word or phrase just left or right of it, or the status
    word in a cell of its own colour, except in a table's status and follow-up columns
    (``tables``: first row, last row, columns). ``skip``: cells that are no legend."""
    merged_to = {(r1, c1): c2 for r1, c1, _, c2 in sheet.merges}  # a merged swatch's last column
    for (r, c), family in sheet.coloured.items():
        if (r, c) in skip or family == UNKNOWN_COLOUR:
            continue
        own = sheet.own(r, c)
        if own and any(first <= r <= last and c in cols for first, last, cols in tables):
            continue
        if own:
            # The status word in a cell of its own colour ("Genomförd" on green).
            status = _legend_status(own) if len(own) <= MAX_LEGEND_WORDS else None
            if status:
                yield family, status, (r, c), (r, c)
            continue
        right = merged_to.get((r, c), c) + 1
        for col in (c - 1, right):
            text = sheet.own(r, col) if (r, col) not in skip else ""
            status = _legend_status(text) if text and len(text) <= MAX_LEGEND_WORDS else None
            if status:
                yield family, status, (r, c), (r, col)
                break


def _word_items(sheet: Sheet, skip: set[tuple[int, int]] = frozenset()):
    """What a sheet's cells say in words as a legend ("Grön: genomförd"), in the sheet's
    order: (colour family, status, the cell)."""
    for (r, c), text in sheet.cells.items():
        folded = text.lower()
        if (r, c) in skip or not any(w in folded for w in _COLOUR_WORDS):
            continue
        for m in _LEGEND_ITEM.finditer(text):
            status = _legend_status(m["phrase"])
            if status:
                yield _COLOUR_WORDS[m["colour"].lower()], status, (r, c)


# A legend's heading: "Förklaring:", "Teckenförklaring", "Färgkoder för status".
_LEGEND_HEADING = re.compile(r"\s*(?:(?:tecken|färg)?förklaring(?:ar)?|färgkod(?:er)?|statusfärger)"
                             r"(?:[ \t][^\n:]{0,30})?:?\s*", re.IGNORECASE)


def _only_legend_words(text: str) -> bool:
    """True for a cell that says nothing but a legend in words ("Grön = genomförd",
    "Förklaring:\nGrönt: klar\nGult: pågår"); "Grönområden: fler vuxna …" or "Röda
    korset: läxhjälp" is no legend (no colour word alone before a status)."""
    folded = text.lower()
    if not any(w in folded for w in _COLOUR_WORDS):
        return False
    rest = _LEGEND_HEADING.sub("", text, count=1) if _LEGEND_HEADING.match(text) else text
    items = list(_LEGEND_ITEM.finditer(rest))
    if not items or not all(_legend_status(m["phrase"]) for m in items):
        return False
    return not re.search(r"\w", _LEGEND_ITEM.sub("", rest))


def _is_legend_row(sheet: Sheet, row: int, roles: dict[str, int], swatch_words: set[tuple[int, int]],
                   heading: bool = True) -> bool:
    """True for a row of a colour legend typed into the table (often under its last
    measure): every cell written on the row is a legend in words, status words beside or
    in a colour (``swatch_words``: the cells _colour_items reads), or, when the next
    filled row is such a row, a heading ("Förklaring:"). A row that continues a merged
    cell from above belongs to that cell's measure and is never a legend."""
    cells = sheet.rows.get(row, [])
    if not cells:
        return False
    if heading and all(_LEGEND_HEADING.fullmatch(text) for _, text in cells):
        below = next((r for r in range(row + 1, row + 3) if r in sheet.rows), None)
        legend = below is not None and _is_legend_row(sheet, below, roles, swatch_words, heading=False)
    else:
        legend = all((row, c) in swatch_words or _only_legend_words(text) for c, text in cells)
    # Checked last: most rows are measures, whose first cell already says no.
    return legend and not any(sheet.origin(row, c)[0] != row for c in roles.values() if sheet.value(row, c))


def colour_legend(sheets: list[Sheet], excluded: dict[int, set[tuple[int, int]]],
                  columns: dict[int, list[tuple[int, int, tuple[int, ...]]]] | None = None) -> ColourLegend:
    """The legend that ties colours to status words, wherever in the workbook it stands
    (an instruction sheet, beside or under the table): an empty coloured cell with a
    status word or phrase just left or right of it, or a colour named in words ("Grön:
    genomförd"). ``excluded`` holds, per sheet index, the measures' own status and
    follow-up cells: a measure's coloured status next to a word is no legend. A status
    word in a cell of its own colour ("Genomförd" on green) counts too, but not in a
    table's status and follow-up ``columns`` (per sheet index: first row, last row,
    columns), where a template's default ("Ej påbörjad" filled down empty rows) stands."""
    found: dict[str, list[tuple[str, str]]] = {}

    def add(family: str, status: str, sheet: Sheet, row: int, col: int) -> None:
        found.setdefault(family, []).append((status, f"blad '{sheet.title}', cell {get_column_letter(col)}{row}",
                                             sheet.index))

    # Cells and coloured cells stand in the sheet's order (row by row), so the first
    # place a legend says something is the one named.
    for sheet in sheets:
        skip = excluded.get(sheet.index, set())
        for family, status, (r, c), _ in _colour_items(sheet, skip, tuple((columns or {}).get(sheet.index, ()))):
            add(family, status, sheet, r, c)
        for family, status, (r, c) in _word_items(sheet, skip):
            add(family, status, sheet, r, c)
    legend = ColourLegend()
    for family, said in found.items():
        if len({status for status, *_ in said}) == 1:
            legend.meanings[family], legend.places[family], _ = said[0]
            legend.sheets.update(index for *_, index in said)
        else:
            legend.conflicts[family] = [f"{status} ({where})" for status, where, _ in said]
    return legend


def _rows(rows: list) -> str:
    """'4, 5 och 9': rows as a report line names them, past ten the first ten and how many more."""
    return swedish_list(rows, MAX_LISTED, "rader")


def _cells(cells: list) -> str:
    """'G8, G9 och G12': cells as a report line names them, past five the first five and how many more."""
    return swedish_list(cells, MAX_CELLS_LISTED, "celler")


def apply_colour_legend(areas: list[AreaRows], legend: ColourLegend) -> list[str]:
    """Give each measure whose status is shown only as a colour the status the legend
    gives that colour; the report's lines on it: which cells were read by colour and by
    which legend, and which colours were not read and why."""
    notes, used = [], set()
    for rows in areas:
        read_cells, disagreeing = [], []
        title = rows.sheet.title
        for m in rows.measures:
            colours = m.pop("colours")
            statuses = {legend.meanings.get(family) for _, family in colours}
            if len(statuses) == 1 and None not in statuses:
                m["status"] = statuses.pop()
                read_cells += [f"{cell} ({family})" for cell, family in colours]
                used.update(family for _, family in colours)
            elif len(statuses) > 1:
                # One measure's cells (one per row it spans) in colours the legend reads
                # differently, or one it reads beside one it does not: no guess.
                disagreeing.append(
                    f"Blad '{title}', rad {m['source_row']}: åtgärdens statusceller har färger med olika betydelse "
                    f"i färgförklaringen ({', '.join(f'{cell} {family}' for cell, family in colours)}); statusen "
                    "lästes inte från färgen. Ge cellerna samma färg eller skriv statusen med ord.")
        if read_cells:
            notes.append(f"Blad '{title}': statusen lästes från färgen i cell {_cells(read_cells)} "
                         "enligt färgförklaringen.")
        notes.extend(disagreeing)
        uncovered = [(cell, family) for cell, family in rows.colour_only if family not in legend.meanings]
        if not uncovered:
            continue
        cells = _cells([cell for cell, _ in uncovered])
        if not legend.meanings:
            notes.append(f"Blad '{title}': cell {cells} visar statusen bara med färg; färger läses inte. "
                         "Skriv statusen med ord (t.ex. Pågår, Klar, Ej påbörjad).")
        else:
            families = ", ".join(dict.fromkeys(family for _, family in uncovered))
            notes.append(f"Blad '{title}': cell {cells} visar statusen bara med en färg som färgförklaringen "
                         f"inte tar upp ({families}); statusen lästes inte från färgen. Skriv statusen med ord "
                         "eller lägg till färgen i förklaringen.")
    if used:
        notes.insert(0, "Färgförklaringen i arbetsboken: " + ", ".join(
            f"{family} = {legend.meanings[family]} ({legend.places[family]})" for family in legend.meanings
            if family in used) + ".")
    shown = {family for rows in areas for _, family in rows.colour_only}
    for family, said in legend.conflicts.items():
        if family not in shown:
            continue  # a legend that contradicts itself matters only for a colour in use
        notes.append(f"Färgförklaringen ger färgen {family} olika betydelser: {'; '.join(said)}. "
                     "Den färgen lästes inte.")
    return notes


# --- the analysis sheet -----------------------------------------------------------------

_COUNT_KINDS = (("problems", ("problem",)), ("causes", ("orsak",)), ("measures", ("åtgärd",)))


def _count_kind(text: str) -> str | None:
    folded = _fold(text)
    if not folded or match_area(folded) or len(folded) > 60:
        return None
    for kind, words in _COUNT_KINDS:
        if any(w in folded for w in words):
            return kind
    return None


def _number(text: str) -> int | None:
    try:
        value = float(text.replace(",", ".").replace("\u00a0", "").replace(" ", ""))
    except (ValueError, AttributeError):
        return None
    return int(value) if value.is_integer() and value >= 0 else None


def read_analysis(sheet: Sheet, own_names: tuple[str, ...] = ()) -> dict[str, dict[str, int | None]]:
    """Area -> {problems, causes, measures} as the analysis sheet states them (None where
    its cell holds no number).

    Areas are rows and counts columns (the template), or the other way round. Besides
    the standard areas, a row may name one of the organisation's own areas.
    """
    return {area: {k: _number(sheet.own(*cell)) for k, cell in kinds.items()}
            for area, kinds in analysis_cells(sheet, own_names).items()}


def analysis_cells(sheet: Sheet, own_names: tuple[str, ...] = ()) -> dict[str, dict[str, tuple[int, int]]]:
    """Area -> {problems, causes, measures} -> the (row, column) of the analysis sheet's
    cell that states it (see :func:`read_analysis`)."""
    own = {_fold(n): n for n in own_names}

    def label_area(text: str) -> str | None:
        return match_area(text) or own.get(_fold(_clean_title(text)))

    kinds = {(r, c): k for (r, c), t in sheet.cells.items() if (k := _count_kind(t))}
    by_row: dict[int, dict[str, int]] = {}
    by_col: dict[int, dict[str, int]] = {}
    for (r, c), k in kinds.items():
        by_row.setdefault(r, {}).setdefault(k, c)
        by_col.setdefault(c, {}).setdefault(k, r)
    out: dict[str, dict[str, tuple[int, int]]] = {}
    header = max(by_row.items(), key=lambda kv: len(kv[1]), default=None)
    side = max(by_col.items(), key=lambda kv: len(kv[1]), default=None)
    if header and (not side or len(header[1]) >= len(side[1])):
        hr, cols = header
        for (r, _c), text in sorted(sheet.cells.items()):
            area = label_area(text) if r > hr else None
            if area and area not in out:
                out[area] = {k: (r, col) for k, col in cols.items()}
    elif side:
        hc, rows = side
        for (_r, c), text in sorted(sheet.cells.items()):
            area = label_area(text) if c > hc else None
            if area and area not in out:
                out[area] = {k: (row, c) for k, row in rows.items()}
    return out


def _without_copies(areas: list[AreaRows], notes: list[str]) -> list[AreaRows]:
    """``areas`` without the sheets that repeat another sheet's measures (the same problems
    and titles) and are named as a copy: Excel's copy of a sheet ("1. Unga i riskzon (2)"),
    read twice before. The last such sheet, the rightmost, is read. Sheets with the same
    measures under other names (one per LPO) are all read; a copy of the plan per
    follow-up ("Uppföljning april", "Uppföljning augusti") is read as rounds (_as_rounds)."""

    def copies(a: Sheet, b: Sheet) -> bool:
        return any(_COPY_TITLE.search(s.title) for s in (a, b))

    by_sheet: dict[int, list[AreaRows]] = {}
    for rows in areas:
        by_sheet.setdefault(rows.sheet.index, []).append(rows)
    content = {i: frozenset((m.get("problem"), m["title"]) for rows in parts for m in rows.measures)
               for i, parts in by_sheet.items()}
    dropped: set[int] = set()
    for i in sorted(by_sheet):
        same = [j for j in sorted(by_sheet) if j > i and content[j] and content[j] == content[i]
                and copies(by_sheet[i][0].sheet, by_sheet[j][0].sheet)]
        if content[i] and same:
            dropped.add(i)
            kept = by_sheet[same[-1]][0].sheet.title
            notes.append(f"Blad '{by_sheet[i][0].sheet.title}' har samma åtgärder som blad '{kept}' och lästes inte "
                         f"(bara det sista, '{kept}', lästes). Ta bort kopian, eller läs in den som en egen "
                         "arbetsbok om den är en annan uppföljning.")
    # The same measures on two sheets named otherwise are read twice (a sheet per LPO, a
    # follow-up per round); unless the names say which, the report says so. Beside sheets
    # named for a round, _plan_sheets says which is the plan, or why it cannot tell.
    rounds = any(_header_round(_clean_title(rows.sheet.title)) for rows in areas)
    for i in sorted(by_sheet) if not rounds else ():
        for j in sorted(by_sheet):
            a, b = by_sheet[i][0].sheet, by_sheet[j][0].sheet
            if j > i and i not in dropped and j not in dropped and content[i] and content[i] == content[j] \
                    and not any(_LPO_IN_TITLE.match(s.title) or _header_round(_clean_title(s.title))
                                or _FOLLOWUP_TITLE.search(_fold(s.title)) for s in (a, b)):
                notes.append(f"Blad '{a.title}' och '{b.title}' har samma åtgärder (samma problem och titlar); båda "
                             "lästes, så varje åtgärd räknas två gånger. Är det ena en kopia, ta bort det; är det en "
                             "uppföljning, ge det uppföljningens namn (\"Uppföljning T2\").")
    return [rows for rows in areas if rows.sheet.index not in dropped]


# A sheet named as a copy: Excel's "Plan (2)", LibreOffice's "Plan_2", Google's "Kopia av Plan".
_COPY_TITLE = re.compile(r"\(\d+\)\s*$|_\d\s*$|^\s*(?:kopia av|copy of)\s|[\s_-]kopia\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class SheetRound:
    """The follow-up round a sheet's name gives ("T1 2025", "Uppföljning mars",
    "Uppföljning 2025-04-30"), for a workbook that keeps the plan in a sheet per round."""

    named: str  # as a follow-up column's header names it (_header_round): a cell's default marker
    round: str  # T1, T2, T3 or VB
    day: date | None  # the date the name gives, if any

    @property
    def order(self) -> tuple:
        return _ROUNDS.index(self.round), self.day or date.max


def _sheet_round(title: str, plan_year: int) -> SheetRound | None:
    """The round a sheet's name gives, else None (_header_round, as for a column's header)."""
    named = _header_round(_clean_title(title))
    if named is None:
        return None
    if named in _ROUNDS:
        return SheetRound(named, named, None)
    entries = followup.parse(f"{named}: x", plan_year)
    return SheetRound(named, entries[0].round, entries[0].followup_date) if len(entries) == 1 else None


def _round_sheets(sheets: list[Sheet], plan_year: int) -> tuple[dict[int, SheetRound], dict[int, list[int]]]:
    """The sheets named for a round that hold a plan's table (a sheet per follow-up round):
    (sheet index -> its round, sheet index -> the years its name gives for those that are
    another year's and not read).

    A round sheet whose name gives years, none of them the plan's ("Uppföljning VB 2024"
    beside "Uppföljning T1" and "Uppföljning T2" of the 2025 plan), is last year's
    follow-up kept in the workbook, not this plan's round, when another round sheet's name
    gives the plan's year or none: it is not read (as a sheet named for another year is,
    _other_years). A date in the next year ("Uppföljning 2026-01-20") is this year's last
    round written after the year's end. When every round sheet names other years (a
    workbook copied from last year's, or another plan year given), they are read as
    before: as rounds of each other, never of a plan sheet (_plan_sheets).

    Whether one round sheet is read as a round is decided later: two or more are rounds
    of each other; one is a round only beside the plan's own sheet (_plan_sheets)."""
    found = {s.index: (s.title, rnd) for s in sheets if (rnd := _sheet_round(s.title, plan_year)) and find_header(s)}
    other = {i: years for i, (title, rnd) in found.items() if (years := _round_years(title, rnd, plan_year))}
    if len(other) == len(found):
        return {i: rnd for i, (_, rnd) in found.items()}, {}
    return {i: rnd for i, (_, rnd) in found.items() if i not in other}, other


def _round_years(title: str, rnd: SheetRound, plan_year: int) -> list[int]:
    """The years a round sheet's name gives when none of them is the plan's (a date in the
    next year aside: the last round's follow-up written in January); else none."""
    years = sorted({int(y) for y in _YEAR.findall(title)})
    if not years or plan_year in years or (rnd.day and rnd.day.year == plan_year + 1):
        return []
    return years


PLAN_STEP = -1  # the plan's own sheets in a series of round sheets (_as_rounds): before every round
_FOLLOWUP_TITLE = re.compile(r"\buppf")  # a sheet named as a follow-up ("Uppföljning", "Uppf. 2025")


def _plan_sheets(areas: list[AreaRows], rounds: dict[int, SheetRound], plan_year: int) -> tuple[set[int], list[str]]:
    """The sheets holding the plan itself beside its sheets per follow-up round ("Åtgärdsplan",
    "Plan 2025", or the area sheets, next to "Uppföljning T1" and "Uppföljning T2"), to be
    read as the plan before every round (_as_rounds), so that a measure on both is one
    measure: (sheet indexes, report lines).

    A plan sheet is an area sheet not named for a round that has at least one measure a
    round sheet has too (the same problem and title, in the same standard area or any own
    area; or in the same area, a title edited or retyped: title_relation, _retyped). A
    sheet that may be the plan but none of whose measures is safely a round sheet's is
    read as before and named (_not_plan). Where it is unclear which sheet is the plan, the sheets are read as before, each
    on its own, and the report says why:
    - two such sheets with the same measures (the same area, problem and title): a hidden
      one beside a visible one is an old version (the visible one is the plan), else
      neither is known to be the plan;
    - a sheet whose name gives only other years than the plan's ("Plan 2024");
    - a sheet named as a follow-up but for no round ("Uppföljning"): which one?
    - a sheet per LPO ("LPO Farsta", "LPO Globen"), whose name says whose its measures are;
    - round sheets whose names all give other years than the plan's."""
    if not rounds:
        return set(), []

    def key(rows: AreaRows, m: dict) -> tuple:
        area = rows.area if rows.area in cat.PRIORITISED_AREAS else None
        return area, "".join(_words(m["problem"])), "".join(_words(m["title"]))

    def linked(a: AreaRows, ma: dict, b: AreaRows, mb: dict) -> bool:
        """Whether two sheets' measures of the same area are one: the same problem and
        title, or a title edited (title_relation), or retyped (_retyped)."""
        if a.area != b.area:
            return False
        if title_relation(ma["title"], mb["title"]) in ("same", "edit"):
            return title_relation(ma["problem"], mb["problem"]) in ("same", "edit")
        return _retyped(ma, mb).same

    def sheets_linked(one: list[AreaRows], other: list[AreaRows]) -> bool:
        return any(linked(a, ma, b, mb) for a in one for ma in a.measures for b in other for mb in b.measures)

    round_parts = [rows for rows in areas if rows.sheet.index in rounds]
    round_keys = {key(rows, m) for rows in round_parts for m in rows.measures}
    by_sheet: dict[int, list[AreaRows]] = {}
    for rows in areas:
        if rows.sheet.index not in rounds:
            by_sheet.setdefault(rows.sheet.index, []).append(rows)
    titles = {rows.sheet.index: rows.sheet.title for rows in areas}
    round_titles = swedish_list([f"'{titles[i]}'" for i in sorted(rounds, key=lambda i: (rounds[i].order, i))])
    # A plan whose titles were each edited or retyped on the round sheets shares no title
    # with them, but is their plan all the same.
    candidates = [i for i, parts in by_sheet.items()
                  if any(key(rows, m) in round_keys for rows in parts for m in rows.measures)
                  or sheets_linked(parts, round_parts)]
    notes = [_not_plan(by_sheet[i], round_parts, round_titles) for i in by_sheet if i not in candidates]
    notes = [line for line in notes if line]
    if not candidates:
        return set(), notes
    sheet = {i: by_sheet[i][0].sheet for i in candidates}
    # Left by _round_sheets only when every round sheet's name gives another year.
    foreign = {i: years for i, rnd in rounds.items() if (years := _round_years(titles[i], rnd, plan_year))}
    if foreign:
        years = " och ".join(map(str, sorted({y for found in foreign.values() for y in found})))
        listed = swedish_list([f"'{sheet[i].title}'" for i in candidates])
        notes.append(f"Uppföljningsbladen {round_titles} gäller {years}, inte planens år {plan_year}; blad {listed} "
                     "lästes därför inte som planen de följer upp, utan som förut, för sig (samma åtgärd kan räknas "
                     "mer än en gång). Kontrollera planens år.")
        return set(), notes
    for i in list(candidates):
        years = sorted({int(y) for y in _YEAR.findall(sheet[i].title)})
        if years and plan_year not in years:
            candidates.remove(i)
            notes.append(f"Blad '{sheet[i].title}' har samma åtgärder som uppföljningsbladen {round_titles}, men "
                         f"gäller {' och '.join(map(str, years))}, inte planens år {plan_year}; det lästes som förut, "
                         "för sig, och inte som planen de följer upp (samma åtgärd kan räknas mer än en gång).")
        elif _FOLLOWUP_TITLE.search(_fold(sheet[i].title)):
            # "Uppföljning" without a round: a follow-up (the latest? all of them?), not the plan.
            candidates.remove(i)
            notes.append(f"Blad '{sheet[i].title}' har samma åtgärder som uppföljningsbladen {round_titles}, men "
                         "namnet säger att det är en uppföljning, inte vilken; det lästes som förut, för sig, och "
                         "inte som planen (samma åtgärd kan räknas mer än en gång). Ge bladet uppföljningens namn "
                         "(\"Uppföljning T3\", \"VB\") eller planens (\"Åtgärdsplan\").")
    # A sheet per LPO ("LPO Farsta", "LPO Globen"): its name is the only place that says
    # whose a measure is (_lpo_sheets), which a round sheet's would replace.
    lpo = [i for i in candidates if _LPO_IN_TITLE.match(sheet[i].title)]
    if len(lpo) >= 2:
        candidates = [i for i in candidates if i not in lpo]
        lpo_titles = swedish_list([f"'{sheet[i].title}'" for i in lpo])
        notes.append(f"Blad {lpo_titles} har åtgärder som står på "
                     f"uppföljningsbladen {round_titles}, men är ett blad per lokalpolisområde; de lästes som förut, "
                     "var för sig, och inte som planen uppföljningsbladen följer upp (samma åtgärd kan räknas mer än "
                     "en gång). Ha ett uppföljningsblad per lokalpolisområde i en egen arbetsbok, eller skriv "
                     "uppföljningen på lokalpolisområdenas blad.")
    own = {i: {(rows.area, *key(rows, m)[1:]) for rows in by_sheet[i] for m in rows.measures} for i in candidates}
    shares = {i: [j for j in candidates if j != i and (own[i] & own[j] or sheets_linked(by_sheet[i], by_sheet[j]))]
              for i in candidates}
    old = {i for i in candidates if sheet[i].state != "visible" and any(sheet[j].state == "visible" for j in shares[i])}
    for i in sorted(old):
        visible = next(j for j in shares[i] if sheet[j].state == "visible")
        notes.append(f"Blad '{sheet[i].title}' är dolt och har samma åtgärder som planen på blad "
                     f"'{sheet[visible].title}'; det lästes som förut, för sig, och dess åtgärder räknas en gång "
                     "till. Ta bort bladet om det är en gammal version av planen.")
    left = [i for i in candidates if i not in old]
    unsure = [i for i in left if any(j in left for j in shares[i])]
    if unsure:
        listed = swedish_list([f"'{sheet[i].title}'" for i in unsure])
        notes.append(f"Blad {listed} har samma åtgärder och står bredvid uppföljningsbladen {round_titles}; det går "
                     "inte att avgöra vilket som är planen, så bladen lästes som förut, var för sig (samma åtgärd "
                     "kan räknas mer än en gång). Ta bort det som inte är planen, eller ge det ett namn som säger "
                     "vilken uppföljning det är.")
    return {i for i in left if i not in unsure}, notes


def _not_plan(parts: list[AreaRows], round_parts: list[AreaRows], round_titles: str) -> str | None:
    """The report's line for an area sheet beside round sheets that may be their plan but
    is not safely so: a measure of it has the area, problem and cause of a round sheet's
    measure whose title was retyped, but something differs or nothing else is the same
    (_retyped). It is read as before, on its own."""
    for rows in parts:
        for m in rows.measures:
            for other in round_parts:
                if other.area != rows.area:
                    continue
                for n in other.measures:
                    how = _retyped(m, n)
                    if how.why:
                        return (f"Blad '{rows.sheet.title}' kan vara planen som uppföljningsbladen {round_titles} "
                                f"följer upp: åtgärden på rad {m['source_row']} ('{_short(m['title'], 40)}') har samma "
                                f"område, problem och orsak som '{_short(n['title'], 40)}' på blad "
                                f"'{other.sheet.title}', rad {n['source_row']}, men titeln är omskriven och {how.why}. "
                                "Bladet lästes som förut, för sig (samma åtgärd kan räknas mer än en gång). Är det "
                                "samma åtgärder, skriv titlarna likadant i planen och på uppföljningsbladen.")
    return None


def _as_rounds(areas: list[AreaRows], rounds: dict[int, SheetRound], plan_year: int,
               notes: list[str], plan: Collection[int] = ()) -> dict[str, str]:
    """Read a sheet per follow-up round as rounds of the same measures: each measure is
    kept once, from the latest round's sheet it stands on, with the follow-up entries of
    every round's sheet (an entry repeated in a later sheet kept once) and each sheet's
    status as that round's. The counts of problems and causes are the latest sheet's.
    Changes ``areas`` in place.

    The plan's own sheets beside them (``plan``: "Åtgärdsplan", or the area sheets;
    _plan_sheets) come before every round: the measures as agreed, matched to the round
    sheets' as the round sheets' are to each other. Their status is the plan's, no
    round's: it is a measure's status only when no round sheet has the measure. When an
    area's latest round sheet lacks some of the plan's measures (a follow-up listing only
    the measures that changed), the area's counts of problems and causes are the plan's.

    A measure on a later sheet is the same measure as one on an earlier sheet when it has
    the same area, problem and title (the n-th of them when a sheet repeats one), or,
    failing that, when a person would call it the same (_same_measures): same area, a
    problem and a title that are the same or an edit of the other, at the same place in
    the table. The report names every measure matched so, and the pairs that might be the
    same but were kept apart.

    An area whose name was changed between rounds ("Hökarängen centrum", "Hökarängens
    centrum", "Hökarängen C") is one area when its measures stand under both names
    (_same_areas); it is stored under one name (_stored_area). Returns each name written
    that was stored under another: {written: stored}."""
    series = [rows for rows in areas if rows.sheet.index in rounds or rows.sheet.index in plan]
    if not series:
        return {}

    def step(rows: AreaRows) -> int:
        """The round a sheet is read as: its sheet index, or PLAN_STEP for all the plan's sheets."""
        return PLAN_STEP if rows.sheet.index in plan else rows.sheet.index

    def order(s: int) -> tuple:
        return (-1, date.min) if s == PLAN_STEP else rounds[s].order

    series.sort(key=lambda rows: (order(step(rows)), rows.sheet.index))
    tracks: list[list[tuple[AreaRows, dict]]] = []  # each measure's (sheet, measure) in round order
    track_of: dict[int, int] = {}  # id(measure) -> its track
    by_key: dict[tuple, int] = {}  # (area, problem, title, n) of a track's latest measure -> track
    keys: dict[int, tuple] = {}
    seen: dict[int, Counter] = {}
    renamed: list[str] = []
    doubts: list[str] = []

    def attach(t: int, rows: AreaRows, m: dict) -> None:
        if tracks[t]:
            by_key.pop(keys[id(tracks[t][-1][1])], None)
        tracks[t].append((rows, m))
        track_of[id(m)] = t
        by_key[keys[id(m)]] = t

    def read_round(rows: AreaRows, index: int) -> None:
        """Attach a round sheet's measures of one area to the measures of earlier sheets."""
        here = {t for t, found in enumerate(tracks) if step(found[-1][0]) == index}
        pending = []
        for m in rows.measures:
            if index != PLAN_STEP:
                _status_as_round(m, rounds[index], plan_year)
            key = (rows.area, m["problem"], m["title"])
            counter = seen.setdefault(index, Counter())
            counter[key] += 1
            keys[id(m)] = (*key, counter[key])
            t = by_key.get(keys[id(m)])
            if t is not None and t not in here:
                attach(t, rows, m)
                here.add(t)
            else:
                pending.append(m)
        earlier = [t for t, found in enumerate(tracks) if t not in here and found[-1][0].area == rows.area]
        matched, lines, unsure = _same_measures(rows, pending, [tracks[t][-1] for t in earlier], track_of, plan)
        for m, old in matched:
            attach(track_of[id(old)], rows, m)
        renamed.extend(lines)
        doubts.extend(unsure)
        taken = {id(m) for m, _ in matched}
        for m in pending:
            if id(m) not in taken:
                tracks.append([])
                attach(len(tracks) - 1, rows, m)

    # Each sheet's areas first (an area renamed since an earlier round is that area), then
    # its measures, area by area.
    group_of: dict[str, str] = {}  # an area's name as a sheet writes it -> its area (the first name it had)
    written_names: dict[str, list[str]] = {}  # area -> the names written for it, in round order
    # area -> {each name written for it: the latest sheet writing it}, the latest written last
    seen_names: dict[str, dict[str, str]] = {}
    area_merges: list[tuple[str, str, str, AreaMatch]] = []  # (sheet, name, area, how)
    area_doubts: list[str] = []
    by_sheet: dict[int, list[AreaRows]] = {}  # each round (the plan's sheets one) -> its areas
    for rows in series:
        by_sheet.setdefault(step(rows), []).append(rows)
    for index, parts in by_sheet.items():
        here_title = parts[0].sheet.title
        written = {id(rows): rows.area for rows in parts}
        present = {group_of[name] for name in written.values() if name in group_of}
        new_names = {name: [m for rows in parts if rows.area == name for m in rows.measures]
                     for name in dict.fromkeys(written.values()) if name not in group_of}
        absent = {area: list(names.items()) for area, names in seen_names.items() if area not in present}
        earlier = {area: [found[-1][1] for found in tracks if found[-1][0].area == area] for area in absent}
        same, unsure = _same_areas(here_title, new_names, absent, earlier)
        area_doubts.extend(unsure)
        for name in new_names:
            group_of[name] = same[name].area if name in same else name
        area_merges += [(here_title, name, match.area, match) for name, match in same.items()]
        for rows in parts:
            rows.area = group_of[written[id(rows)]]
            written_names.setdefault(rows.area, []).append(written[id(rows)])
            names = seen_names.setdefault(rows.area, {})
            names.pop(written[id(rows)], None)
            names[written[id(rows)]] = rows.sheet.title
        for rows in parts:
            read_round(rows, index)

    # Each area's counts of problems and causes: its latest round's, or the plan's when that
    # round lacks some of the plan's measures (a follow-up of only the measures that changed).
    latest: dict[str, int] = {}  # area -> the latest round holding it
    for rows in series:
        latest[rows.area] = step(rows)
    counted = dict(latest)
    for found in tracks:
        area = found[-1][0].area
        if step(found[0][0]) == PLAN_STEP and step(found[-1][0]) != latest[area]:
            counted[area] = PLAN_STEP
    kept: set[int] = set()
    # A plan sheet -> (row, whether the text had no marker) of measures whose follow-up no round sheet has.
    plan_text: dict[int, list[tuple[int, bool]]] = {}
    first = min((i for i in by_sheet if i != PLAN_STEP), key=order, default=None)  # the earliest round sheet
    for found in tracks:
        base_rows, base = found[-1]
        kept.add(id(base))
        if step(found[0][0]) == PLAN_STEP:
            # The plan's follow-up cell copied to a round sheet: a text without markers is
            # the plan's undated VB entry but the round sheet's round; it is that round's.
            written = {(e.followup_date, e.round, " ".join(e.text.split())) for _, m in found[1:] for e in m["entries"]}
            texts = {text for *_, text in written}
            plan_rows, planned = found[0]
            planned["entries"] = [e for e in planned["entries"] if not (
                e.round == "VB" and e.followup_date is None and " ".join(e.text.split()) in texts)]
            own = [e for e in planned["entries"] if (e.followup_date, e.round, " ".join(e.text.split())) not in written]
            if own:
                plan_text.setdefault(plan_rows.sheet.index, []).append(
                    (planned["source_row"], any(e.unmarked for e in own)))
            # Text without markers that no round sheet has is no year-end summary (VB):
            # the plan comes before every round, so it is the earliest round's. As VB it
            # made a round of its own (the Uppföljningar tab's VB column, no sheet's) and,
            # sorting last, its assessment outweighed every round sheet's.
            if first is not None:
                for e in own:
                    if e.unmarked:
                        e.round = rounds[first].round
        merged: dict[tuple, followup.Entry] = {}
        for _, m in found:
            for e in m["entries"]:
                key = (e.followup_date, e.round, e.text)
                if key not in merged or merged[key].status == followup.NOT_ASSESSED:
                    merged[key] = e
        base["entries"] = list(merged.values())
        if base["status"] == followup.NOT_ASSESSED:
            base["status"] = followup.latest_status(base["entries"], plan_year)
    missing: dict[int, list[tuple[int, str]]] = {}
    for rows in series:
        rows.measures = [m for m in rows.measures if id(m) in kept]
        if counted[rows.area] != step(rows):
            rows.problems = rows.causes = rows.causes_without_measure = 0
        if latest[rows.area] != step(rows) or step(rows) == PLAN_STEP:
            for m in rows.measures:
                missing.setdefault(rows.sheet.index, []).append((m["source_row"], m["title"]))
    titles = {rows.sheet.index: rows.sheet.title for rows in series}
    order_of = sorted((i for i in titles if i in rounds), key=lambda i: (rounds[i].order, i))
    listed = [f"'{titles[i]}' ({rounds[i].round})" for i in order_of]
    plan_titles = [f"'{titles[i]}'" for i in sorted(titles) if i in plan]
    if plan_titles:
        one = len(listed) == 1
        notes.append(f"Blad {swedish_list(plan_titles)} är planen, och blad {swedish_list(listed)} "
                     f"{'är en uppföljning' if one else 'är uppföljningar'} av dess åtgärder: varje åtgärd lästes en "
                     "gång, från det senaste bladet den står på, med uppföljningen från varje blad och med varje "
                     "uppföljningsblads status som den uppföljningens; planens egen status gäller bara åtgärder som "
                     "inget uppföljningsblad har.")
    else:
        notes.append(f"Blad {', '.join(listed[:-1])} och {listed[-1]} är samma plan vid olika uppföljningar: varje "
                     "åtgärd lästes en gång, från det senaste bladet den står på, med varje blads uppföljning och "
                     "status som den uppföljningens.")
    notes.extend(renamed)
    notes.extend(doubts[:MAX_LISTED])
    if len(doubts) > MAX_LISTED:
        notes.append(f"… och {len(doubts) - MAX_LISTED} åtgärder till som kan vara samma åtgärd som en på ett "
                     "tidigare uppföljningsblad men lästes som egna.")
    for index, measures in sorted(missing.items()):
        one = len(measures) == 1
        what = f"Blad '{titles[index]}': {'åtgärden' if one else 'åtgärderna'} på rad " \
            + _rows([f"{r} ('{t[:40]}')" for r, t in measures])
        if index in plan:
            notes.append(f"{what} finns inte på något uppföljningsblad och lästes in från planen. Kontrollera om "
                         f"{'den' if one else 'de'} har fått en annan titel på uppföljningsbladen eller inte har "
                         "följts upp.")
        else:
            notes.append(f"{what} finns inte på något senare uppföljningsblad och lästes in från detta blad. "
                         f"Kontrollera om {'den' if one else 'de'} har fått en annan titel eller strukits.")
    for index, found_rows in sorted(plan_text.items()):
        unmarked = sorted(r for r, bare in found_rows if bare)
        marked = sorted(r for r, bare in found_rows if not bare)
        if unmarked and first is not None:
            notes.append(f"Blad '{titles[index]}' (planen): uppföljningen på rad {_rows(unmarked)} står inte på något "
                         "uppföljningsblad och har inget datum eller uppföljning framför; den lästes in som "
                         f"uppföljningen {rounds[first].round} (det första uppföljningsbladet, '{titles[first]}'), eftersom "
                         "planen kommer före varje uppföljning, och inte som årets sammanfattning (VB). Hör texten "
                         "till en annan uppföljning, skriv den framför texten (\"T2:\", \"VB:\"); är den ingen "
                         "uppföljning, flytta den till en annan kolumn.")
        if marked:
            notes.append(f"Blad '{titles[index]}' (planen): uppföljningen på rad {_rows(marked)} står inte på något "
                         "uppföljningsblad; den lästes in med åtgärdens uppföljning, i den uppföljning som dess datum "
                         "eller markering anger.")
    if plan_titles:
        # A measure first written on a round sheet was added after the plan (or renamed
        # beyond an edit, named above as a doubt): named at the sheet it first stands on.
        added: dict[int, list[tuple[int, str]]] = {}
        for found in tracks:
            first_rows, first = found[0]
            if step(first_rows) != PLAN_STEP:
                added.setdefault(first_rows.sheet.index, []).append((first["source_row"], first["title"]))
        for index in sorted(added, key=lambda i: (rounds[i].order, i)):
            measures = sorted(added[index])
            one = len(measures) == 1
            notes.append(f"Blad '{titles[index]}': {'åtgärden' if one else 'åtgärderna'} på rad "
                         + _rows([f"{r} ('{t[:40]}')" for r, t in measures])
                         + f" står inte i planen (blad {swedish_list(plan_titles)}) och lästes in som "
                         + ("en ny åtgärd" if one else "nya åtgärder") + ". Kontrollera om "
                         + ("den" if one else "de") + " står i planen under en annan titel.")
    # An area renamed between rounds is stored under one name, and the report names each
    # name taken as it (after the measures' own lines, which name the sheets' areas).
    stored = {area: _stored_area(names) for area, names in written_names.items()}
    for rows in series:
        rows.area = stored[rows.area]
    for here_title, name, area, match in area_merges:
        shared = f"{len(match.shared)} åtgärd{'er' if len(match.shared) > 1 else ''} står under båda namnen (" \
            + ", ".join(f"'{_short(t, 40)}'" for t in match.shared[:3]) + (", …" if len(match.shared) > 3 else "") \
            + ")" if match.shared else "inga åtgärder står under båda namnen"
        notes.append(f"Blad '{here_title}': området '{_short(name)}' lästes som samma område som "
                     f"'{_short(match.name)}' på blad '{match.sheet}' ({_AREA_HOW[match.how]}; {shared}); områdets "
                     f"åtgärder sparades under '{_short(stored[area])}'. Kontrollera att det är samma område, och "
                     "skriv gärna namnet likadant på alla blad.")
    notes.extend(area_doubts[:MAX_LISTED])
    return {name: stored[area] for name, area in group_of.items() if stored[area] != name}


@dataclass(frozen=True)
class AreaMatch:
    """An earlier round's area that an area of a later round sheet is (_same_areas)."""

    area: str  # the area as the earlier rounds hold it
    name: str  # the name of it the new name is closest to
    sheet: str  # the latest sheet writing that name
    how: str  # area_relation: "same", "edit", "short" or "placeholder"
    shared: tuple[str, ...]  # titles of the measures standing under both names


_AREA_HOW = {"same": "samma namn skrivet på ett annat sätt", "edit": "namnet rättat eller utökat",
             "short": "namnet förkortat eller utskrivet", "placeholder": "det tidigare bladet hade inget eget namn"}
_RELATION_ORDER = (*_AREA_HOW, "near", None)  # the closest first


def _same_areas(here: str, new_names: dict[str, list[dict]], absent: dict[str, list[tuple[str, str]]],
                earlier: dict[str, list[dict]]) -> tuple[dict[str, AreaMatch], list[str]]:
    """Which areas a round sheet names for the first time (``new_names``: name -> its
    measures on this sheet) are areas of earlier sheets renamed (``absent``: area -> each
    name written for it and the latest sheet writing it, the latest last, for the areas
    this sheet does not name; ``earlier``: area -> the latest of its measures). The
    earlier name closest to the new one is compared (and named in the report), the
    latest of equals.

    An area is renamed when the names are the same or one is the other edited, shortened
    or written out (area_relation: "Hökarängen centrum", "Hökarängens centrum",
    "Hökarängen C"; an own area's sheet that had no name of its own) and at least one
    measure stands under both with the same problem and title (names the same but for
    case, spaces and punctuation need none). Two of the five standard areas are never one.
    The match must be the only one for both areas. Otherwise, and where the measures are
    the same but the names more than such a change, the two are kept apart and named.

    Returns ({new name: the earlier area it is}, report lines for the doubts)."""
    if not new_names or not absent:
        return {}, []
    candidates: list[tuple[str, AreaMatch]] = []
    doubts: list[tuple[str, str, str, str]] = []  # (new name, earlier name, its sheet, why)
    for name, measures in new_names.items():
        for area, names in absent.items():
            found = [(area_relation(old, name), -k, old, sheet) for k, (old, sheet) in enumerate(names)]
            how, _, written, sheet = min(found, key=lambda f: (_RELATION_ORDER.index(f[0]), f[1]))
            shared = tuple(dict.fromkeys(
                m["title"] for m in measures
                if any(title_relation(m["title"], old["title"]) == "same"
                       and title_relation(m["problem"], old["problem"]) == "same" for old in earlier[area])))
            if how in _AREA_HOW and (shared or how == "same"):
                candidates.append((name, AreaMatch(area, written, sheet, how, shared)))
            elif how in _AREA_HOW:
                doubts.append((name, written, sheet,
                               "ingen av åtgärderna står under båda namnen med samma problem och titel"))
            elif shared and not {name, area} <= set(cat.PRIORITISED_AREAS):
                doubts.append((name, written, sheet, "namnen skiljer sig mer än en rättelse eller förkortning, fast "
                                                     f"{len(shared)} åtgärd{'er' if len(shared) > 1 else ''} står "
                                                     "under båda"))
    per_new = Counter(name for name, _ in candidates)
    per_old = Counter(match.area for _, match in candidates)
    same: dict[str, AreaMatch] = {}
    for name, match in candidates:
        if per_new[name] > 1 or per_old[match.area] > 1:
            doubts.append((name, match.name, match.sheet, "fler än ett område passar"))
        else:
            same[name] = match
    lines = [f"Blad '{here}': området '{_short(name)}' kan vara samma område som '{_short(old)}' på blad '{sheet}', "
             f"men {why}; de lästes som två områden. Är det samma område, skriv namnet likadant på alla blad."
             for name, old, sheet, why in doubts]
    return same, lines


def area_relation(a: str, b: str) -> str | None:
    """How the names of an area on two round sheets relate, as title_relation does for a
    measure's title: "same" (case, spaces and punctuation aside), "edit" (a typo fixed,
    words added: "Hökarängens centrum", "Hökarängen centrum"), "short" (a word shortened
    or written out: "Hökarängen C", "Hökarängen centrum"; initials: "EÅV",
    "Enskede-Årsta-Vantör"), "placeholder" (one is the template's own area without a
    name), "near" (a word in common, but more changed) or None. Two of the five standard
    areas are never related."""
    if a == b:
        return "same"
    standard = {a, b} & set(cat.PRIORITISED_AREAS)
    if len(standard) == 2:
        return None
    if cat.OWN_AREA in (a, b):
        return "placeholder" if not standard and a != b else None
    how = title_relation(a, b)
    if how in ("same", "edit"):
        return how
    if _shortened(tuple(_words(a)), tuple(_words(b))):
        return "short"
    return how


@lru_cache(maxsize=1 << 12)
def _shortened(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Whether two names are the same words with at least one of them shortened in one
    ("c" for "centrum", "centr" for "centrum", "eåv" for "enskede årsta vantör") and at
    least one word of three letters or more written out in both; small words may come
    and go. A word with digits is never shortened ("Område 1", "Område 12")."""

    @cache
    def walk(i: int, j: int) -> tuple[bool, bool] | None:
        """(a word shortened, a word in common) of the best way to pair a[i:] with b[j:]."""
        if i == len(a) and j == len(b):
            return False, False
        options: list[tuple[bool, bool]] = []

        def go(ni: int, nj: int, short: bool, common: bool) -> None:
            rest = walk(ni, nj)
            if rest is not None:
                options.append((short or rest[0], common or rest[1]))

        if i < len(a) and a[i] in _SMALL_WORDS:
            go(i + 1, j, False, False)
        if j < len(b) and b[j] in _SMALL_WORDS:
            go(i, j + 1, False, False)
        if i < len(a) and j < len(b):
            x, y = a[i], b[j]
            digits = any(ch.isdigit() for ch in x + y)
            if _typo(x, y):
                go(i + 1, j + 1, False, len(x) >= 3 and x not in _SMALL_WORDS)
            elif not digits and (x.startswith(y) or y.startswith(x)):
                go(i + 1, j + 1, True, False)
            # Initials: "eåv" for "enskede årsta vantör".
            if not digits and 2 <= len(x) <= len(b) - j and x == "".join(w[0] for w in b[j: j + len(x)]):
                go(i + 1, j + len(x), True, False)
            if not digits and 2 <= len(y) <= len(a) - i and y == "".join(w[0] for w in a[i: i + len(y)]):
                go(i + len(y), j + 1, True, False)
        return max(options, key=lambda o: (o[0] and o[1], o), default=None)

    best = walk(0, 0)
    return best is not None and best[0] and best[1]


def _stored_area(names: list[str]) -> str:
    """The name an area renamed between rounds is stored under, from the names its
    sheets wrote in round order: a standard area's; else the latest name (as a measure's
    latest title is its title), but written out where the latest shortens another
    ("Hökarängen centrum", not "Hökarängen C"); the template's placeholder only when no
    sheet named the area."""
    standard = [n for n in names if n in cat.PRIORITISED_AREAS]
    if standard:
        return standard[-1]
    own = [n for n in names if n != cat.OWN_AREA]
    if not own:
        return names[-1]
    # A name in capitals ("HÖKARÄNGEN CENTRUM") only when no sheet wrote it otherwise.
    latest = next((n for n in reversed(own) if not n.isupper()), own[-1])
    longer = [n for n in own if n != latest and area_relation(latest, n) == "short" and len(n) > len(latest)]
    return max(longer, key=len) if longer else latest


def _short(text: str | None, size: int = 60) -> str:
    text = (text or "").replace("\n", " ")
    return text if len(text) <= size else text[: size - 1] + "…"


def _place(rows: AreaRows, m: dict, track_of: dict[int, int], anchors: set[int]) -> tuple:
    """Where a measure stands in its sheet's table: the measures found on both sheets
    (``anchors``, by track) nearest above and below it."""
    ordered = sorted(rows.measures, key=lambda x: x["source_row"])
    i = next(k for k, x in enumerate(ordered) if x is m)
    above = next((track_of[id(x)] for x in reversed(ordered[:i]) if track_of.get(id(x)) in anchors), None)
    below = next((track_of[id(x)] for x in ordered[i + 1:] if track_of.get(id(x)) in anchors), None)
    return above, below


_AGREEING = (("responsible", "samma ansvarig"), ("operational_goal", "samma operativa mål"))
_CONFLICTING = (("responsible", "ansvarig (Vem)"), ("operational_goal", "operativt mål"), ("due", "tid (När)"))


@dataclass(frozen=True)
class Retyped:
    """How a plan's measure and a round sheet's measure whose titles are not an edit of
    each other compare (_retyped): ``same`` when they are safely one measure, with the
    ``signs`` that say so beside the area, problem and cause; else ``why`` not, or
    neither when they do not even share a problem and cause."""

    same: bool = False
    signs: tuple[str, ...] = ()
    why: str | None = None


def _retyped(old: dict, new: dict) -> Retyped:
    """Whether a measure on the plan's own sheet (``old``) and one on a round sheet
    (``new``), in the same area, are one measure whose title was written otherwise on the
    round sheet ("Läxhjälp: två kvällar i veckan" in the plan, "Studiestöd efter skolan"
    on "Uppföljning T1"): the same problem and cause (each the same or an edit of the
    other; a cause must be written), and one more sign: the same responsible (Vem), the
    same operational goal, or words in common in the Åtgärd cells (small words aside);
    and nothing that says otherwise: no responsible, goal or När filled in on both that
    differs. Where the place in the table is the same is for the caller to check
    (_same_measures), and that the match is the only one for both.

    A round sheet is a copy of the plan made at a follow-up, whose title cell is often
    shortened or retyped, while the problem, cause and the columns beside it are copied
    as they stand; a measure replaced by a new one under the same cause is the plan's
    measure revised, and counting it once is right either way."""
    if not (old["cause"] and new["cause"]) or title_relation(old["cause"], new["cause"]) not in ("same", "edit") \
            or title_relation(old["problem"], new["problem"]) not in ("same", "edit"):
        return Retyped()
    differ = [label for key, label in _CONFLICTING if old[key] and new[key]
              and title_relation(old[key], new[key]) not in ("same", "edit")]
    if differ:
        return Retyped(why=f"{swedish_list(differ)} skiljer sig")
    signs = [f"{label} ('{_short(new[key], 40)}')" for key, label in _AGREEING if old[key] and new[key]]
    shared = [w for w in dict.fromkeys(_words(new["description"]))
              if w not in _SMALL_WORDS and len(w) >= 4 and w in set(_words(old["description"]))]
    if shared:
        signs.append("ord gemensamma i åtgärdstexten (" + ", ".join(f"'{w}'" for w in shared[:3]) + ")")
    if not signs:
        return Retyped(why="inget annat än problemet och orsaken är detsamma (varken ansvarig, operativt mål eller "
                           "ord i åtgärdstexten)")
    return Retyped(True, tuple(signs))


def _under_cause(rows: AreaRows, m: dict) -> tuple[int, int]:
    """(its place, how many) among the measures of its sheet and area with its problem and cause."""
    def cause(x: dict) -> tuple[str, str]:
        return "".join(_words(x["problem"])), "".join(_words(x["cause"]))

    same = sorted((x for x in rows.measures if cause(x) == cause(m)), key=lambda x: x["source_row"])
    return next(k for k, x in enumerate(same) if x is m), len(same)


def _same_measures(rows: AreaRows, pending: list[dict], earlier: list[tuple[AreaRows, dict]],
                   track_of: dict[int, int], plan: Collection[int] = ()
                   ) -> tuple[list[tuple[dict, dict]], list[str], list[str]]:
    """Which of a round sheet's new measures (``pending``: no measure of an earlier sheet
    has its area, problem and title) are measures of an earlier sheet (``earlier``: the
    latest of each measure not on this sheet, in the same area) edited: a title (and
    problem) that is the same or an edit of the other's (title_relation), at the same
    place in the table (between the same measures found on both sheets). A match must be
    the only one for both; otherwise, and where the title is an edit but the place or
    problem is another, or the title is near but more than an edit, the two are kept
    apart and named as a doubt.

    A measure of the plan's own sheet (``plan``: its sheet indexes; _plan_sheets) is also
    the round sheet's measure whose title was retyped (_retyped: the same problem and
    cause, the same responsible, goal or words in the Åtgärd cell, nothing that differs)
    at the same place in the table, when the match is the only one for both and the
    measures so matched stand in the same order on both sheets.

    Returns ((new measure, earlier measure) matched, report lines for the matches, report
    lines for the doubts)."""
    if not pending or not earlier:
        return [], [], []
    here = rows.sheet.title
    anchors_of: dict[int, tuple[set[int], tuple]] = {}
    candidates, doubts = [], []
    retyped: dict[tuple[int, int], Retyped] = {}  # (id(new), id(old)) -> a plan's measure retyped
    for m in pending:
        for old_rows, old in earlier:
            title = title_relation(old["title"], m["title"])
            from_plan = old_rows.sheet.index in plan
            if title is None and not from_plan:
                continue
            if id(old_rows) not in anchors_of:
                new_tracks = {track_of[id(x)] for x in rows.measures if id(x) in track_of}
                anchors_of[id(old_rows)] = {track_of[id(x)] for x in old_rows.measures} & new_tracks
            anchors = anchors_of[id(old_rows)]
            same_place = _place(old_rows, old, track_of, anchors) == _place(rows, m, track_of, anchors)
            same_problem = title_relation(old["problem"], m["problem"]) in ("same", "edit")
            if title in ("same", "edit"):
                if same_problem and same_place:
                    candidates.append((m, old_rows, old))
                else:
                    doubts.append((m, old_rows, old, "den står under ett annat problem" if not same_problem
                                   else "den står på en annan plats i tabellen"))
                continue
            how = _retyped(old, m) if from_plan else Retyped()
            if how.same and same_place:
                candidates.append((m, old_rows, old))
                retyped[id(m), id(old)] = how
            elif how.same:
                doubts.append((m, old_rows, old, "titeln är omskriven och den står på en annan plats i tabellen"))
            elif how.why and same_place:
                doubts.append((m, old_rows, old, f"titeln är omskriven och {how.why}"))
            elif title == "near" and same_problem and same_place:
                doubts.append((m, old_rows, old, "titlarna skiljer sig mer än en rättelse eller ett tillägg"))
    # Several measures under one cause (a cause merged over their rows), each retyped: the
    # n-th of the plan's is the n-th of the round sheet's when both have as many.
    per_new = Counter(id(m) for m, _, _ in candidates)
    per_old = Counter(id(old) for _, _, old in candidates)
    by_order = [(m, old_rows, old) for m, old_rows, old in candidates
                if (id(m), id(old)) not in retyped or (per_new[id(m)] == 1 and per_old[id(old)] == 1)
                or _under_cause(old_rows, old) == _under_cause(rows, m)]
    for m, old_rows, old in candidates:
        if (m, old_rows, old) not in by_order and id(m) not in {id(d[0]) for d in doubts}:
            doubts.append((m, old_rows, old, "titeln är omskriven och flera åtgärder står under samma orsak, olika "
                                             "många på bladen"))
    candidates = by_order
    per_new = Counter(id(m) for m, _, _ in candidates)
    per_old = Counter(id(old) for _, _, old in candidates)
    unique = [(m, old_rows, old) for m, old_rows, old in candidates if per_new[id(m)] == 1 and per_old[id(old)] == 1]
    # Retyped titles match by their place alone: two such matches in another order on the
    # two sheets (the first in the plan the second on the round sheet) are no safe match.
    by_place = [(m, old_rows, old) for m, old_rows, old in unique if (id(m), id(old)) in retyped]
    crossed = {id(m) for m, old_rows, old in by_place for m2, old_rows2, old2 in by_place
               if old_rows2.sheet.index == old_rows.sheet.index
               and (old["source_row"] - old2["source_row"]) * (m["source_row"] - m2["source_row"]) < 0}
    matched: list[tuple[dict, dict]] = []
    lines = []
    for m, old_rows, old in candidates:
        if per_new[id(m)] > 1 or per_old[id(old)] > 1:
            doubts.append((m, old_rows, old, "fler än en åtgärd passar"))
            continue
        if id(m) in crossed:
            doubts.append((m, old_rows, old, "titeln är omskriven och åtgärderna står i en annan ordning"))
            continue
        matched.append((m, old))
        if (id(m), id(old)) in retyped:
            lines.append(f"Blad '{here}', rad {m['source_row']}: åtgärden '{_short(m['title'])}' lästes som samma "
                         f"åtgärd som '{_short(old['title'])}' i planen (blad '{old_rows.sheet.title}', rad "
                         f"{old['source_row']}): titeln är omskriven, men de har samma område, problem och orsak, "
                         "står på samma plats i tabellen och har "
                         f"{swedish_list(retyped[id(m), id(old)].signs)}."
                         " Kontrollera att det är samma åtgärd; har planens åtgärd ersatts av en ny, låt planens rad "
                         "stå kvar på uppföljningsbladet (t.ex. med \"Utgår\"), så läses de som två.")
            continue
        problem = "samma problem" if old["problem"] == m["problem"] else \
            f"problemet ändrat från '{_short(old['problem'])}' till '{_short(m['problem'])}'"
        title = "samma titel" if old["title"] == m["title"] else "titeln rättad eller utökad"
        lines.append(f"Blad '{here}', rad {m['source_row']}: åtgärden '{_short(m['title'])}' lästes som samma åtgärd "
                     f"som '{_short(old['title'])}' på blad '{old_rows.sheet.title}', rad {old['source_row']} (samma "
                     f"område, {problem}, samma plats i tabellen; {title}). Kontrollera att det är samma åtgärd; har "
                     "den gamla strukits och ersatts av en ny, låt den gamla raden stå kvar, så läses de som två.")
    used = {id(x) for pair in matched for x in pair}
    doubts.sort(key=lambda d: (d[0]["source_row"], d[1].sheet.index, d[2]["source_row"]))
    unsure = [f"Blad '{here}', rad {m['source_row']}: åtgärden '{_short(m['title'])}' kan vara samma åtgärd som "
              f"'{_short(old['title'])}' på blad '{old_rows.sheet.title}', rad {old['source_row']}, men {why}; de "
              "lästes som två åtgärder. Är det samma åtgärd, skriv problemet och titeln likadant på båda bladen."
              for m, old_rows, old, why in doubts if id(m) not in used and id(old) not in used]
    return matched, lines, unsure


# --- a measure renamed between round sheets ----------------------------------------------

# Words a title's edit may add, drop or swap without making it another measure.
_SMALL_WORDS = frozenset(("i", "och", "för", "med", "på", "av", "till", "om", "en", "ett", "den", "det", "de",
                          "som", "vid", "mot", "samt", "från", "inom", "under", "efter", "kring", "ur", "åt"))
_WORD = re.compile(r"[^\W_]+")


def _words(text: str | None) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFC", text or "").casefold())


def _distance(a: str, b: str) -> int:
    """Edits (a letter added, dropped, changed, or two swapped) that make ``a`` ``b``."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], prev2[j - 2] + 1)
        prev2, prev = prev, row
    return prev[-1]


@lru_cache(maxsize=1 << 16)
def _typo(a: str, b: str) -> bool:
    """Whether two words are one word, one of them mistyped ("kvälstid", "kvällstid";
    "skola", "skolan"): a letter or two in a long word, one in a shorter; never in a
    word with digits ("T1", "T2") or under four letters ("i", "på")."""
    if a == b:
        return True
    if min(len(a), len(b)) < 4 or any(ch.isdigit() for ch in a + b):
        return False
    limit = 2 if min(len(a), len(b)) >= 8 else 1
    # Each edit changes the letters used by two at most: a quick no for most pairs.
    return abs(len(a) - len(b)) <= limit and len(set(a) ^ set(b)) <= 2 * limit and _distance(a, b) <= limit


def _aligned(a: list[str], b: list[str]) -> list[tuple[int, int]]:
    """The longest run of word pairs, in order, that are the same word (_typo)."""
    same = [[_typo(x, y) for y in b] for x in a]
    best = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) - 1, -1, -1):
        for j in range(len(b) - 1, -1, -1):
            best[i][j] = best[i + 1][j + 1] + 1 if same[i][j] else max(best[i + 1][j], best[i][j + 1])
    pairs, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        if same[i][j] and best[i][j] == best[i + 1][j + 1] + 1:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif best[i + 1][j] >= best[i][j + 1]:
            i += 1
        else:
            j += 1
    return pairs


def title_relation(a: str | None, b: str | None) -> str | None:
    """How two titles (or problems) of a measure on two round sheets relate:

    - "same": the same words (case, spaces and punctuation aside);
    - "edit": one is the other edited: words mistyped and fixed ("Nattvandirng"),
      words added ("Fältassistenter kvällstid (fredag–lördag)"), small words swapped
      ("i skolan", "på skolan"), as long as the words they share are at least half of
      the longer one's (small words not counted) and neither drops a word of its own
      that the other replaces;
    - "near": they share a word but are more than an edit ("Nattvandring fredagar",
      "Nattvandring lördagar"): perhaps the same measure, perhaps not;
    - None: nothing in common."""
    wa, wb = _words(a), _words(b)
    if wa == wb or "".join(wa) == "".join(wb):
        return "same"
    pairs = _aligned(wa, wb)
    shared = sum(wa[i] not in _SMALL_WORDS for i, _ in pairs)
    if not shared:
        return None
    dropped = [w for i, w in enumerate(wa) if i not in {i for i, _ in pairs} and w not in _SMALL_WORDS]
    added = [w for j, w in enumerate(wb) if j not in {j for _, j in pairs} and w not in _SMALL_WORDS]
    longer = max(sum(w not in _SMALL_WORDS for w in wa), sum(w not in _SMALL_WORDS for w in wb))
    if not (dropped and added) and 2 * shared >= longer:
        return "edit"
    return "near"


def _status_as_round(m: dict, rnd: SheetRound, plan_year: int) -> None:
    """Give a round sheet's measure status (its Status column, a colour) to that round's
    entries, when the entries do not already give it: the round's last entry when its
    text assesses nothing, else an entry of the round without text of its own."""
    status, entries = m["status"], m["entries"]
    if status == followup.NOT_ASSESSED or status == followup.latest_status(entries, plan_year):
        return
    mine = [e for e in entries if e.round == rnd.round]
    if mine and all(e.status == followup.NOT_ASSESSED for e in mine):
        mine[-1].status = status
    else:
        entries.append(followup.Entry(rnd.day, rnd.round, "", status))


def _counts_only(sheet: Sheet, first_row: int, col: int) -> bool:
    """Whether every filled cell of column ``col`` from ``first_row`` down is a number."""
    values = [t for (r, c), t in sheet.cells.items() if c == col and r >= first_row and t.strip()]
    return bool(values) and all(_NUMBER.match(t) for t in values)


def _is_analysis(sheet: Sheet) -> bool:
    title = _fold(sheet.title)
    first = " ".join(_fold(t) for (r, _), t in sorted(sheet.cells.items()) if r <= 3)
    return any(title.startswith(w) for w in _ANALYSIS_TITLES) or "sammanställning" in first


# --- plan metadata ----------------------------------------------------------------------

@dataclass
class Metadata:
    organisation: str
    kommun_code: str  # the first of kommun_codes
    lpo_codes: list[str]
    year: int
    sources: dict[str, str]
    warnings: list[str]
    # Every kommun the plan is for: one, or several for a plan a samverkan shares.
    kommun_codes: list[str] = field(default_factory=list)
    # The LPOs title lines name, as (codes, where): checked against the plan's LPOs
    # whatever decided them (_lpo_title_conflicts).
    title_lpos: list[tuple[list[str], str]] = field(default_factory=list)


def _sidecar(path: Path) -> tuple[dict, str | None]:
    for suffix in SIDECAR_SUFFIXES:
        side = path.with_name(path.name + suffix)
        if not side.is_file():
            continue
        # Notepad saves UTF-8 with a BOM, or ANSI (Windows-1252), as often as plain UTF-8;
        # TextEdit on a Mac may save Mac Roman (text.legacy_encoding tells them apart).
        data = side.read_bytes()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode(legacy_encoding(data), errors="replace")
        try:
            raw = tomllib.loads(text) if suffix == ".toml" else json.loads(text)
        except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
            raise FileRejected(path.name, f"sidofilen {side.name} kunde inte läsas ({str(exc)[:120]}).") from None
        if not isinstance(raw, dict):
            raise FileRejected(path.name, f"sidofilen {side.name} ska innehålla nycklar: {', '.join(sorted(SIDECAR_KEYS))}.")
        unknown = sorted(set(raw) - SIDECAR_KEYS)
        if unknown:
            raise FileRejected(path.name, f"sidofilen {side.name} har okänd nyckel '{unknown[0]}'. "
                                          f"Tillåtna nycklar: {', '.join(sorted(SIDECAR_KEYS))}.")
        return raw, side.name
    return {}, None


def _title_text(sheets: list[Sheet]) -> str:
    """The first texts of the first sheet (its title, e.g. 'Åtgärdsplan 2025')."""
    if not sheets:
        return ""
    texts = [t for _, t in sorted(sheets[0].cells.items())][:1]
    return " ".join(t.split("\n", 1)[0][:200] for t in texts)


# Kommun names that are also everyday words ("ska vara", "i mark"): never guessed.
_COMMON_WORDS = {"vara", "mark", "ale", "kil", "boden", "lund", "eda", "åre", "salem", "nora", "sala", "hjo"}


# Words that make the name after them a police area's, not one more kommun's ("LPO Ludvika").
_POLICE_WORDS = {"lpo", "lokalpolisområde", "lokalpolisomrade", "polisområde", "polisomrade", "polisen"}
# Words that join the kommuner of a plan shared by several ("Ludvika och Smedjebacken").
_CONNECTORS = {"och", "samt"}


def _guess_place(text: str, gz) -> tuple[list[str], str | None]:
    """(kommun codes, organisation) guessed from capitalised words of a file name or title:
    the first kommun it names, and the kommuner named right after it, one after another or
    joined by "och" or "samt" ("Ludvika och Smedjebacken", "Ludvika_Smedjebacken"): a plan
    shared by a samverkan of kommuner. Kommuner named apart ("Borlänge … Polisen i
    Falun") are no such list: only the first counts."""
    words = [w for w in re.split(r"[^0-9A-Za-zÅÄÖåäöÉéÜü\-]+", text.replace("_", " ")) if w]
    folded = _fold(" ".join(words))
    # File names often lose å, ä and ö ("Enskede-Arsta-Vantor"): compare those folded too.
    folded_ascii = _ascii(folded)
    for district in STOCKHOLM_DISTRICTS:
        name = district.lower()
        if any(variant in text for text in (folded, folded_ascii)
               for variant in (name, name.replace("-", " "), _ascii(name), _ascii(name).replace("-", " "))):
            return [gz.kommun_code("0180")], f"{district} stadsdelsförvaltning"
    # File names often lose å, ä and ö ("Tyreso", "Malmo"): match those folded too.
    ascii_names = {_ascii(gz.name(code)).lower(): code for code in gz.codes("kommun")}

    def kommun_at(i: int, more: bool = False) -> tuple[str, int, str] | None:
        """(code, words, text) of a kommun named from word ``i`` (the longest name first);
        ``more``: one more in a list, which a police area's name ("LPO Ludvika") is not."""
        if i >= len(words) or not words[i][0].isupper() \
                or (more and (words[i].lower() in _POLICE_WORDS or words[i - 1].lower() in _POLICE_WORDS)):
            return None
        for size in (3, 2, 1):
            candidate = " ".join(words[i: i + size])
            if i + size > len(words) or (size == 1 and candidate.lower() in _COMMON_WORDS):
                continue
            code = gz.kommun_code(candidate) or ascii_names.get(_ascii(candidate).lower())
            if code:
                return code, size, candidate
        return None

    for i in range(len(words)):
        found = kommun_at(i)
        if found is None:
            continue
        codes, end = [found[0]], i + found[1]
        while (after := kommun_at(end + (end < len(words) and words[end].lower() in _CONNECTORS), more=True)) \
                and after[0] not in codes:
            codes.append(after[0])
            end += (words[end].lower() in _CONNECTORS) + after[1]
        if len(codes) > 1:
            return codes, _joint_organisation(codes, gz)
        # The organisation as the text names it ("Malmö stad", "Göteborgs Stad",
        # "Norrköpings kommun", "Region Gotland"), else as Swedish names it.
        written = re.fullmatch(r"(?:region\s+\S.*|.+\s+(?:kommun|stad))", found[2], re.IGNORECASE)
        return codes, found[2] if written else kommun_organisation(gz.name(found[0]))
    return [], None


def _joint_organisation(codes: list[str], gz) -> str:
    """The organisations of a plan shared by several kommuner: "Ludvika kommun och
    Smedjebackens kommun"."""
    names = [kommun_organisation(gz.name(code)) for code in codes]
    return ", ".join(names[:-1]) + " och " + names[-1]


def _kommun_list(codes: list[str], gz) -> str:
    """'Ludvika (2085) och Smedjebacken (2061)': the plan's kommuner as the report names them."""
    named = [f"{gz.name(code)} ({code})" for code in codes]
    return ", ".join(named[:-1]) + " och " + named[-1] if len(named) > 1 else named[0]


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# "Kommun: Ludvika" in a cell, or "Kommun" in one cell and the name in the next: the plan's
# metadata above its table or on a cover sheet. The same for its year ("År: 2025",
# "Planår" | "2025", "Gäller 2025") and its LPO ("LPO: Borlänge", "Lokalpolisområde" |
# "Borlänge").
_KOMMUN_WORD = r"(?:kommun(?:en|er|erna|namn)?|kommun\(er\))"
_YEAR_WORD = r"(?:(?:plan|verksamhets)?år(?:et|tal)?|planperiod|(?:planen\s+)?gäller(?:\s+för)?(?:\s+år)?)"
_LPO_WORD = r"(?:lpo(?:er|n)?|lokalpolisområd(?:e|et|en|ena)|lokalpolisområde\(n\))"
_KOMMUN_LABEL = re.compile(rf"(?i)^\s*{_KOMMUN_WORD}\s*:\s*(.*?)[\s.]*$")
_KOMMUN_LABEL_ALONE = re.compile(rf"(?i)^\s*{_KOMMUN_WORD}\s*:?\s*$")
# "Gäller 2025" needs no colon, but the year must follow it: "Gäller för alla enheter" is no label.
_YEAR_LABEL = re.compile(rf"(?i)^\s*(?:{_YEAR_WORD}\s*:\s*(.*?)|(?:planen\s+)?gäller\s+(?:för\s+)?(?:år\s+)?"
                         r"(20\d{2}(?!\d).*?))[\s.]*$")
_YEAR_LABEL_ALONE = re.compile(rf"(?i)^\s*{_YEAR_WORD}\s*:?\s*$")
_LPO_LABEL = re.compile(rf"(?i)^\s*{_LPO_WORD}\s*:\s*(.*?)[\s.]*$")
_LPO_LABEL_ALONE = re.compile(rf"(?i)^\s*{_LPO_WORD}\s*:?\s*$")
_LABELS = {"kommun": (_KOMMUN_LABEL, _KOMMUN_LABEL_ALONE), "year": (_YEAR_LABEL, _YEAR_LABEL_ALONE),
           "lpo": (_LPO_LABEL, _LPO_LABEL_ALONE)}
# A line that reads as the plan's title or its organisation ("Åtgärdsplan Ludvika kommun
# 2025", "Malmö stad", "Farsta stadsdelsförvaltning"): a kommun named in it is the plan's.
_PLAN_TITLE = re.compile(r"(?i)åtgärdsplan|handlingsplan|\bkommun(?:s|er)?\b|\bstad\b|\bregion\s+gotland\b|"
                         r"stadsdels(?:förvaltning|nämnd|område)")
# A title-block line saying when the plan was adopted or changed ("Antagen av Ludvika
# kommun 2024-12-10", "Reviderad 2025"): its year is not the plan's.
_DATED_LINE = re.compile(r"(?i)\d{4}-\d{2}-\d{2}|\b(?:antagen|antogs|beslutad|beslutades|fastställd|fastställdes|"
                         r"reviderad|reviderades|uppdaterad|version)\b")
# A template's placeholder in the "Kommun" cell ("[Kommunnamn]", "Ange kommun"), or the
# year's ("ÅÅÅÅ", "20XX"): no name.
_PLACEHOLDER_VALUE = re.compile(r"[\[\]<>_]|\.\.\.|…|\b(?:ange|skriv|fyll|välj|exempel|t\.\s?ex)\b|"
                                r"\b(?:åååå|yyyy|xxxx|20xx)\b", re.IGNORECASE)
# A year of a plan ("2025"), not a law's number ("(2023:196)").
_PLAN_YEAR = re.compile(r"(?<![\d(])(20\d{2})(?![\d:])")


def _plan_years(text: str) -> list[int]:
    """The years a text names, in its order: "Åtgärdsplan 2025–2026" gives [2025, 2026]."""
    return list(dict.fromkeys(int(y) for y in _PLAN_YEAR.findall(text)))


def _covers(text_years: tuple[int, ...], year: int, text: str = "") -> bool:
    """Whether a text naming ``text_years`` allows the plan's ``year``: one of them, or
    inside the period they span ("2024–2026"; "2025/26" spans 2025 and 2026)."""
    short = re.search(r"(?<!\d)20(\d{2})\s*[-–/]\s*(\d{2})(?!\d)", text)
    last = max(text_years + ((2000 + int(short[2]),) if short else ()))
    return year in text_years or min(text_years) <= year <= last


@dataclass(frozen=True)
class WorkbookKommun:
    """A cell of the workbook that names the plan's kommun (or kommuner)."""

    codes: tuple[str, ...]
    where: str  # "blad 'Försättsblad', cell B3"
    organisation: str | None = None  # as a title names it ("Ludvika kommun")


@dataclass(frozen=True)
class WorkbookYear:
    """A cell of the workbook that names the plan's year (or years: "2025–2026")."""

    years: tuple[int, ...]
    where: str
    text: str = ""


@dataclass
class WorkbookCells:
    """What the workbook's own cells say about the plan (_workbook_metadata)."""

    kommuner: list[WorkbookKommun] = field(default_factory=list)  # "Kommun: Ludvika"
    kommun_titles: list[WorkbookKommun] = field(default_factory=list)  # "Åtgärdsplan Ludvika kommun 2025"
    kommun_unknown: list[str] = field(default_factory=list)  # "blad 'X', cell B2 ('Ludvka')"
    years: list[WorkbookYear] = field(default_factory=list)  # "År: 2025"
    # Title lines naming a year, besides the first sheet's first cell (the title proper).
    year_titles: list[WorkbookYear] = field(default_factory=list)
    year_unknown: list[str] = field(default_factory=list)
    first_cell: str | None = None  # where the workbook's title stands: "blad 'Instruktion', cell A1"
    lpos: list[tuple[str, str]] = field(default_factory=list)  # (the LPO as written, where)
    # Title lines naming an LPO ("Åtgärdsplan 2025 – Enskede-Årsta-Vantör och LPO Farsta"): (line, where).
    lpo_titles: list[tuple[str, str]] = field(default_factory=list)


def _metadata_labels(sheet: Sheet, last_row: int) -> tuple[dict[str, list[tuple[int, int, str]]], set[tuple[int, int]]]:
    """The cells down to ``last_row`` that say which kommun, year or LPO the plan is for:
    "Kommun: Ludvika" (a line of the cell), or "Kommun" (or "Kommun:") with the value in
    the next filled cell to its right. Returns (per kind, "kommun", "year", "lpo": (row,
    column, the value as written) of each; every cell they take, labels and values)."""
    values: dict[str, list[tuple[int, int, str]]] = {kind: [] for kind in _LABELS}
    taken: set[tuple[int, int]] = set()
    for r, cells in sheet.rows.items():
        if r > last_row:
            break
        for k, (c, text) in enumerate(cells):
            if (r, c) in taken:
                continue
            for kind, (label, alone) in _LABELS.items():
                written = [next(g for g in m.groups() if g is not None) for line in text.split("\n")
                           if (m := label.match(line)) and any(m.groups())]
                if written:
                    values[kind] += [(r, c, value) for value in written]
                    taken.add((r, c))
                elif alone.match(text):
                    taken.add((r, c))
                    if k + 1 < len(cells):
                        c2, value = cells[k + 1]
                        values[kind].append((r, c2, value.split("\n")[0].strip().rstrip(".")))
                        taken.add((r, c2))
                    break
    return values, taken


def _workbook_metadata(sheets: list[Sheet], gz) -> WorkbookCells:
    """What the workbook's cells say about the plan's kommun, year and LPO, above each
    sheet's table (or in the first rows of a sheet without one, a cover sheet): the cells
    labelled "Kommun", "År" or "LPO"; the title lines that name a kommun ("Åtgärdsplan
    Ludvika kommun 2025"), the first sheet's first cell first, or a year; and the
    labelled cells whose value is no kommun or no year we can read. An example sheet is
    never the plan's; placeholders ("[Ange kommun]", "ÅÅÅÅ") say nothing."""
    found_cells = WorkbookCells()
    for sheet in sheets:
        if not sheet.cells or _EXAMPLE_TITLE.search(_fold(sheet.title)):
            continue
        found = find_header(sheet)
        last_row = found[0] - 1 if found else HEADER_SEARCH_ROWS
        values, taken = _metadata_labels(sheet, last_row)

        def at(c: int, r: int, title: str = sheet.title) -> str:
            return f"blad '{title}', cell {get_column_letter(c)}{r}"

        for r, c, value in values["kommun"]:
            codes = [gz.kommun_code(value)] if gz.kommun_code(value) else gz.kommun_codes(value)
            if codes:
                found_cells.kommuner.append(WorkbookKommun(tuple(codes), at(c, r)))
            elif len(value) <= 60 and not _PLACEHOLDER_VALUE.search(value):
                found_cells.kommun_unknown.append(f"{at(c, r)} ('{value}')")
        for r, c, value in values["year"]:
            if _PLACEHOLDER_VALUE.search(value):
                continue
            if years := _plan_years(value):
                found_cells.years.append(WorkbookYear(tuple(years), at(c, r), value))
            elif len(value) <= 60:
                found_cells.year_unknown.append(f"{at(c, r)} ('{value}')")
        found_cells.lpos += [(value, at(c, r)) for r, c, value in values["lpo"]
                             if value and len(value) <= 100 and not _PLACEHOLDER_VALUE.search(value)]
        first = min(sheet.cells) if sheet.index == sheets[0].index else None
        if first:
            found_cells.first_cell = at(first[1], first[0])
        # An instructions sheet's other text is guidance ("Skriv t.ex. Ludvika kommun").
        guidance = _fold(sheet.title).startswith(_INSTRUCTION_TITLES)
        for r, cells in sheet.rows.items():
            if r > last_row:
                break
            for c, text in cells:
                line = text.split("\n", 1)[0].strip()[:200]
                if (r, c) in taken:
                    continue
                # The first sheet's first cell is the workbook's title, whatever it says.
                title_line = (r, c) == first or not (guidance or not _PLAN_TITLE.search(line)
                                                     or _DESCRIPTION.search(line) or _EXAMPLE.match(line))
                if _lpo_title_line(line, title_line, (r, c) == first, above_table=found is not None and not guidance):
                    found_cells.lpo_titles.append((line, at(c, r)))
                if not title_line:
                    continue
                codes, organisation = _guess_place(line, gz)
                if codes:
                    found_cells.kommun_titles.append(WorkbookKommun(tuple(codes), at(c, r), organisation))
                # The first cell's year is read as the title's (resolve_metadata).
                if (r, c) != first and not _DATED_LINE.search(line) and (years := _plan_years(line)):
                    found_cells.year_titles.append(WorkbookYear(tuple(years), at(c, r), line))
    return found_cells


_FULL_DATE = re.compile(r"(?<!\d)(20\d{2})[-_.]?(?:0[1-9]|1[0-2])[-_.]?(?:0[1-9]|[12]\d|3[01])(?!\d)")


def _kommun_conflicts(kommuner: list[str], source: str, labelled: list[WorkbookKommun],
                      title_cell: WorkbookKommun | None, named: list[str], gz) -> list[str]:
    """Report lines for the places that name another kommun than the plan's: the "Kommun"
    cells and the title (whatever decided the plan's kommun: an option or the sidecar wins
    over them), and the file name when a cell of the workbook decided."""
    plan = set(kommuner)
    stated = f"men planen sparades för {_kommun_list(kommuner, gz)} enligt {source}. Kontrollera vilken som är rätt."
    lines = []
    other = [cell for cell in labelled if not set(cell.codes) <= plan]
    if other:
        lines.append("Varning: arbetsboken anger kommunen " + "; ".join(
            f"{_kommun_list(list(cell.codes), gz)} ({cell.where})" for cell in other[:MAX_LISTED]) + f", {stated}")
    if title_cell and not set(title_cell.codes) <= plan:
        lines.append(f"Varning: titeln i arbetsboken ({title_cell.where}) nämner kommunen "
                     f"{_kommun_list(list(title_cell.codes), gz)}, {stated}")
    if named and not set(named) <= plan and source.startswith("arbetsboken"):
        lines.append(f"Varning: filnamnet nämner kommunen {_kommun_list(named, gz)}, {stated}")
    return lines


def _year_conflicts(year: int, source: str, cells: WorkbookCells, title: str, name_text: str) -> list[str]:
    """Report lines for the places that name another year than the plan's, as
    _kommun_conflicts does for the kommun: the "År" cells and the title (whatever decided:
    an option or the sidecar wins over them), and the file name when a cell decided."""
    stated = f"men planen sparades för {year} enligt {source}. Kontrollera vilket som är rätt."
    lines = []
    other = [cell for cell in cells.years if not _covers(cell.years, year, cell.text)]
    if other:
        lines.append("Varning: arbetsboken anger året " + "; ".join(
            f"{'–'.join(map(str, cell.years))} ({cell.where})" for cell in other[:MAX_LISTED]) + f", {stated}")
    # The title: the first sheet's first cell, else the first title line naming a year.
    # (The file name's year deciding against the first cell has its own line already.)
    title_years = _plan_years(title)
    if title_years and cells.first_cell:
        line = WorkbookYear(tuple(title_years), cells.first_cell, title)
    else:
        line = cells.year_titles[0] if cells.year_titles else None
    if line and not _covers(line.years, year, line.text) and not source.startswith("titeln") \
            and not (source == "filnamnet" and title_years):
        lines.append(f"Varning: titeln i arbetsboken ({line.where}) nämner året "
                     f"{'–'.join(map(str, line.years))}, {stated}")
    named = _plan_years(name_text)
    if named and not _covers(tuple(named), year, name_text) and source.startswith("arbetsboken"):
        lines.append(f"Varning: filnamnet nämner året {'–'.join(map(str, named))}, {stated}")
    return lines


def _lpo_of(name: str, kommuner: list[str], gz) -> str | None:
    """The LPO a name gives, as people in one of the plan's kommuner write it, that
    kommun's own first."""
    found = [gz.lpo_code(name, kommun=k) for k in kommuner]
    return next((c for c, k in zip(found, kommuner, strict=True) if c in gz.lpos_for_kommun(k)),
                next((c for c in found if c), None))


def _lpos_in_cell(value: str, kommuner: list[str], gz) -> tuple[list[str], list[str]]:
    """(LPO codes, parts naming none) of an "LPO" cell's value: one LPO ("Haninge/Nynäshamn"),
    or several, as --lpo takes them ("Farsta, Globen"; also "Farsta och Globen")."""
    if code := _lpo_of(value, kommuner, gz):
        return [code], []
    codes, unknown = [], []
    for part in re.split(r"[,;|]|\s+(?:och|samt)\s+", value):
        if part.strip():
            code = _lpo_of(part.strip(), kommuner, gz)
            codes.append(code) if code and code not in codes else None
            unknown.append(part.strip()) if not code else None
    return codes, unknown


def _lpos_in_title(line: str, kommuner: list[str], gz) -> tuple[list[str], list[str]]:
    """(LPO codes, names of no LPO) a title line names after the word "LPO" or
    "lokalpolisområde" (geography.Gazetteer.lpos_in_text), as people in any of the plan's
    kommuner write them ("LPO Centrum" in Göteborg)."""
    codes: list[str] = []
    unknown: list[str] | None = None
    for kommun in kommuner:
        found, missing = gz.lpos_in_text(line, kommun=kommun)
        codes += [code for code in found if code not in codes]
        unknown = missing if unknown is None else [name for name in unknown if name in missing]
    return codes, unknown or []


def _lpo_title_conflicts(lpo_codes: list[str], source: str, title_lpos: list[tuple[list[str], str]],
                         gz) -> list[str]:
    """Report lines for the title lines that name an LPO the plan was not stored for, when
    something else decided its LPOs (an option, the sidecar, an "LPO" cell, the sheets'
    names), as _kommun_conflicts does for the kommun."""
    other = [(codes, where) for codes, where in title_lpos if not set(codes) <= set(lpo_codes)]
    if not other:
        return []
    return ["Varning: titeln i arbetsboken nämner lokalpolisområdet " + "; ".join(
        f"{_lpo_list(codes, gz)} ({where})" for codes, where in other[:MAX_LISTED])
        + f", men planen sparades för {_lpo_list(lpo_codes, gz)} enligt {source}. Kontrollera vilket som är rätt."]


# A line naming an LPO: the word "LPO" or "lokalpolisområde" and a capitalised name after it.
_LPO_NAMED = re.compile(r"(?<![\w\-])(?i:lpo(?:n|er|erna)?|lokalpolisområd(?:e|et|en|ena))\s+[A-ZÅÄÖ]")
# "Kontaktperson: Anna, kommunpolis LPO Farsta": a label before the LPO makes the line no title.
_LINE_LABEL = re.compile(r"^([^:]{1,60}):\s")


def _lpo_title_line(line: str, title_line: bool, first: bool, above_table: bool) -> bool:
    """Whether the first line of a cell above a table (or on a sheet without one) is a
    title line that may name the plan's LPO: it names one after the word "LPO" or
    "lokalpolisområde", and it is a title line as for the kommun and the year (the first
    sheet's first cell, or a line saying "Åtgärdsplan", "… kommun", "… stadsdelsförvaltning"),
    or, above an area sheet's table, a short line of its own ("LPO Globen och LPO
    Farsta", "Enskede-Årsta-Vantör och LPO Farsta"). Never a description, an example, a
    template's placeholder, a line saying when the plan was adopted or changed (the
    first cell excepted), or a line labelled otherwise ("Kontaktperson: … LPO Farsta"). A
    measure's text, under the header, is never looked at."""
    named = _LPO_NAMED.search(line)
    if not named:
        return False
    if not title_line and not (above_table and len(line.split()) <= 15 and not _DESCRIPTION.search(line)
                               and not _EXAMPLE.match(line)):
        return False
    if _PLACEHOLDER_VALUE.search(line) or (not first and _DATED_LINE.search(line)):
        return False
    label = _LINE_LABEL.match(line[:named.start()])
    return not label or bool(re.search(r"(?i)åtgärdsplan|handlingsplan", label[1]))


def _lpo_list(codes: list[str], gz) -> str:
    """'Borlänge (LPO-BORLANGE)': LPOs as the report names them."""
    named = [f"{gz.name(code) or code} ({code})" for code in codes]
    if not named:
        return "inget lokalpolisområde"
    return ", ".join(named[:-1]) + " och " + named[-1] if len(named) > 1 else named[0]


def resolve_metadata(path: Path, ctx: ReadContext, sheets: list[Sheet]) -> Metadata:
    """Organisation, kommun, LPOs and year: options, else sidecar, else (kommun, year, LPO)
    a "Kommun", "År" or "LPO" cell of the workbook, else file name and title. A cell or
    title naming another kommun, year or LPO than the plan's is a warning
    (_kommun_conflicts, _year_conflicts)."""
    file = path.name
    gz = ctx.gazetteer
    opts = {k: v for k, v in (ctx.options or {}).items() if k in SIDECAR_KEYS and v not in (None, "", [])}
    side, side_name = _sidecar(path)
    sources: dict[str, str] = {}
    warnings: list[str] = []

    def pick(key: str):
        if key in opts:
            sources[key] = "kommandoradens flaggor"
            return opts[key]
        if key in side and side[key] not in (None, "", []):
            sources[key] = f"sidofilen {side_name}"
            return side[key]
        return None

    title = _title_text(sheets)
    name_text = path.stem
    cells = _workbook_metadata(sheets, gz)
    labelled, titled, unknown = cells.kommuner, cells.kommun_titles, cells.kommun_unknown
    named_kommuner, named_org = _guess_place(name_text, gz)
    title_cell = titled[0] if titled else None
    guessed_kommuner, guessed_org, guess_from = named_kommuner, named_org, "filnamnet"
    if not guessed_kommuner and title_cell:
        guessed_kommuner, guessed_org = list(title_cell.codes), title_cell.organisation
        guess_from = f"titeln i arbetsboken ({title_cell.where})"

    raw_kommun = pick("kommun")
    if raw_kommun is not None:
        # One kommun, or several for a plan a samverkan shares ("Ludvika och Smedjebacken",
        # "2085, 2061", or a list in the sidecar file).
        kommuner: list[str] = []
        for given in [raw_kommun] if isinstance(raw_kommun, str | int) else list(raw_kommun):
            codes = [gz.kommun_code(str(given))] if gz.kommun_code(str(given)) else gz.kommun_codes(str(given))
            if not codes:
                raise FileRejected(file, f"kommunen '{str(given)[:60]}' känns inte igen. Ange kommunkod, t.ex. "
                                         "--kommun 0180, eller för en plan som flera kommuner delar kommunerna "
                                         "med komma emellan, t.ex. --kommun \"2085, 2061\".")
            kommuner += [code for code in codes if code not in kommuner]
    elif labelled:
        # "Kommun: Ludvika" above the table or on a cover sheet: the workbook says it.
        kommuner = list(dict.fromkeys(code for cell in labelled for code in cell.codes))
        sources["kommun"] = "arbetsboken (" + "; ".join(cell.where for cell in labelled[:3]) \
            + (f" och {len(labelled) - 3} celler till" if len(labelled) > 3 else "") + ")"
        if len({cell.codes for cell in labelled}) > 1:
            warnings.append("Varning: arbetsboken anger olika kommuner (" + "; ".join(
                f"{_kommun_list(list(cell.codes), gz)} i {cell.where}" for cell in labelled[:MAX_LISTED])
                + "); planen sparades som deras gemensamma. Ange --kommun om den bara gäller en av dem.")
    elif guessed_kommuner:
        kommuner, sources["kommun"] = guessed_kommuner, guess_from
        if len(kommuner) > 1:
            warnings.append(f"Varning: {guess_from} nämner flera kommuner ({_kommun_list(kommuner, gz)}); planen "
                            "sparades som deras gemensamma. Ange --kommun om den bara gäller en av dem.")
    else:
        unread = f" ({unknown[0]} är ingen kommun som känns igen)" if unknown else ""
        raise FileRejected(file, f"kommunen kunde inte avgöras{unread}. Ange den med --kommun (t.ex. --kommun "
                                 "0180) eller i en sidofil " + file + ".toml.")
    kommun = kommuner[0]
    warnings.extend(_kommun_conflicts(kommuner, sources["kommun"], labelled, title_cell, named_kommuner, gz))

    raw_year = pick("year")
    # "År: 2025" above the table or on a cover sheet; cells naming different years decide
    # nothing (a workbook keeping a sheet per year), and the next source is asked.
    cell_years = list(dict.fromkeys(cell.years[0] for cell in cells.years))
    title_years = _plan_years(title)
    # The title lines above the tables, besides the first cell, when they agree.
    line_years = list(dict.fromkeys(line.years[0] for line in cells.year_titles))
    if raw_year is not None:
        try:
            year = int(str(raw_year).strip())
        except ValueError:
            raise FileRejected(file, f"året '{str(raw_year)[:20]}' är inget årtal. Ange t.ex. --year 2025.") from None
    elif len(cell_years) == 1:
        year = cell_years[0]
        sources["year"] = "arbetsboken (" + "; ".join(cell.where for cell in cells.years[:3]) \
            + (f" och {len(cells.years) - 3} celler till" if len(cells.years) > 3 else "") + ")"
        years = sorted({y for cell in cells.years for y in cell.years})
        if len(years) > 1:  # "År: 2025–2026": a plan for two years is stored as its first year's
            warnings.append(f"Varning: {sources['year']} nämner flera år ({', '.join(map(str, years))}); planens år "
                            f"sattes till {year}. Ange --year om planen gäller ett annat år.")
    else:
        year = None
        # A whole date in the file name ("VB-version 2026-01-15") says when it was saved,
        # not which year's plan it is: the title's year goes first.
        saved = _FULL_DATE.search(name_text)
        candidates = [(_plan_years(_FULL_DATE.sub(" ", name_text)), "filnamnet"), (title_years, "titeln i arbetsboken")]
        if len(line_years) == 1:
            line = cells.year_titles[0]
            candidates.append((list(line.years), f"titeln i arbetsboken ({line.where})"))
        for years, where in candidates:
            if years:
                year, sources["year"] = years[0], where
                if len(years) > 1:  # "Åtgärdsplan 2024-2026": which year is this file's?
                    warnings.append(f"Varning: {where} nämner flera år ({', '.join(map(str, sorted(years)))}); "
                                    f"planens år sattes till {year}. Ange --year om planen gäller ett annat år.")
                elif where == "filnamnet" and title_years and title_years[0] != year:
                    warnings.append(f"Varning: filnamnet anger {year} men titeln i arbetsboken {title_years[0]}; "
                                    f"planens år sattes till {year}. Ange --year om planen gäller ett annat år.")
                break
        if year is None and saved and not any(re.search(r"(?<!\d)20\d{2}(?!\d)", s.title) for s in sheets):
            year, sources["year"] = int(saved[1]), "ett datum i filnamnet"
            warnings.append(f"Varning: planens år ({year}) togs från datumet i filnamnet, som kan vara när filen "
                            "sparades. Ange --year om planen gäller ett annat år.")
        # The sheets' names ("Unga i riskzon 2025"), when they name one year only.
        named = sorted({int(y) for s in sheets for y in re.findall(r"(?<!\d)(20\d{2})(?!\d)", s.title)})
        if year is None and len(named) == 1:
            year, sources["year"] = named[0], "bladens namn"
        if year is None:
            why = []
            if len(cell_years) > 1:
                why.append("arbetsboken anger olika år: " + "; ".join(
                    f"{cell.years[0]} i {cell.where}" for cell in cells.years[:MAX_LISTED]))
            elif cells.year_unknown:
                why.append(f"{cells.year_unknown[0]} är inget årtal")
            if len(line_years) > 1:
                why.append("titlarna i arbetsboken anger olika år: " + "; ".join(
                    f"{line.years[0]} i {line.where}" for line in cells.year_titles[:MAX_LISTED]))
            if named:
                why.append(f"bladens namn anger {', '.join(map(str, named[:-1]))} och {named[-1]}")
            several = f" ({'; '.join(why)})" if why else ""
            raise FileRejected(file, f"planens år kunde inte avgöras{several}. Ange det med --year (t.ex. --year "
                                     "2025) eller i en sidofil " + file + ".toml.")
    warnings.extend(_year_conflicts(year, sources["year"], cells, title, _FULL_DATE.sub(" ", name_text)))
    if not 2015 <= year <= date.today().year + 1:
        raise FileRejected(file, f"året {year} är inte rimligt för en åtgärdsplan. Ange rätt år med --year.")

    organisation = pick("organisation")
    if organisation is None:
        if guessed_org and guessed_kommuner == kommuner:
            organisation, sources["organisation"] = guessed_org, guess_from
        elif len(kommuner) > 1:
            organisation, sources["organisation"] = _joint_organisation(kommuner, gz), "kommunernas namn (antaget)"
        else:
            organisation, sources["organisation"] = kommun_organisation(gz.name(kommun)), "kommunens namn (antaget)"
    organisation = re.sub(r"\s+", " ", str(organisation)).strip()[:200]
    if contains_personnummer(organisation):  # it is stored as given, like the cells
        raise PersonnummerFound(file, f"organisationen (från {sources['organisation']})")

    raw_lpo = pick("lpo")
    lpo_codes: list[str] = []
    if raw_lpo is not None:
        names = [raw_lpo] if isinstance(raw_lpo, str) else list(raw_lpo)
        for name in names:
            for part in re.split(r"[,;|]", str(name)):
                if not part.strip():
                    continue
                code = _lpo_of(part.strip(), kommuner, gz)
                if code:
                    lpo_codes.append(code) if code not in lpo_codes else None
                else:
                    warnings.append(f"Varning: lokalpolisområdet '{part.strip()[:60]}' känns inte igen och "
                                    "sparades inte med planen. Kontrollera namnet (t.ex. --lpo Farsta).")
    # "LPO: Borlänge" above the table or on a cover sheet, matched as --lpo is.
    cell_lpos = [(codes, unknown_parts, where) for value, where in cells.lpos
                 for codes, unknown_parts in [_lpos_in_cell(value, kommuner, gz)]]
    # A title line naming the LPO ("Åtgärdsplan 2025 – Enskede-Årsta-Vantör och LPO Farsta"):
    # (every LPO it names, those of the plan's kommuner, names of no LPO, where).
    plan_lpos = {code for k in kommuner for code in gz.lpos_for_kommun(k)}
    title_lines = [(codes, [c for c in codes if c in plan_lpos], unknown_parts, where)
                   for line, where in cells.lpo_titles
                   for codes, unknown_parts in [_lpos_in_title(line, kommuner, gz)]]
    title_lpos = [(codes, where) for codes, _, _, where in title_lines if codes]
    decided = [(codes, where) for codes, _, where in cell_lpos if codes]
    titled = [(mine, where) for _, mine, _, where in title_lines if mine]
    if raw_lpo is not None:
        stated = f"men planen sparades för {_lpo_list(lpo_codes, gz)} enligt {sources['lpo']}. " \
                 "Kontrollera vilket som är rätt."
        other = [(codes, where) for codes, where in decided if not set(codes) <= set(lpo_codes)]
        if other:
            warnings.append("Varning: arbetsboken anger lokalpolisområdet " + "; ".join(
                f"{_lpo_list(codes, gz)} ({where})" for codes, where in other[:MAX_LISTED]) + f", {stated}")
        warnings += _lpo_title_conflicts(lpo_codes, sources["lpo"], title_lpos, gz)
    else:
        for _, unknown_parts, where in cell_lpos:
            warnings += [f"Varning: lokalpolisområdet '{part[:60]}' ({where}) känns inte igen och sparades inte "
                         "med planen. Kontrollera namnet, eller ange det med --lpo." for part in unknown_parts]
        if decided:
            # Several LPOs are usual (Farsta and Globen): each cell adds its own.
            lpo_codes = list(dict.fromkeys(code for codes, _ in decided for code in codes))
            sources["lpo"] = "arbetsboken (" + "; ".join(where for _, where in decided[:3]) \
                + (f" och {len(decided) - 3} celler till" if len(decided) > 3 else "") + ")"
            warnings += _lpo_title_conflicts(lpo_codes, sources["lpo"], title_lpos, gz)
        else:
            # A title line, failing a cell; each line adds its own, as the cells do. What a
            # title names that cannot be the plan's LPO (another kommun's, or no LPO) is named.
            if titled:
                lpo_codes = list(dict.fromkeys(code for codes, _ in titled for code in codes))
                sources["lpo"] = "titeln i arbetsboken (" + "; ".join(where for _, where in titled[:3]) \
                    + (f" och {len(titled) - 3} rader till" if len(titled) > 3 else "") + ")"
            for codes, mine, unknown_parts, where in title_lines:
                if outside := [code for code in codes if code not in mine]:
                    warnings.append(f"Varning: titeln i arbetsboken ({where}) nämner lokalpolisområdet "
                                    f"{_lpo_list(outside, gz)}, som inte ligger i {_kommun_list(kommuner, gz)}; "
                                    "det sparades inte med planen. Ange det med --lpo om planen gäller det.")
                warnings += [f"Varning: titeln i arbetsboken ({where}) nämner lokalpolisområdet '{part[:60]}', "
                             "som inte känns igen; det sparades inte med planen. Kontrollera namnet, eller ange "
                             "det med --lpo." for part in unknown_parts]
        if not decided and not titled:
            # Each kommun's only LPO (a samverkan's kommuner often share one, "LPO Ludvika").
            singles = [gz.single_lpo(k) for k in kommuner]
            if all(singles):
                lpo_codes = list(dict.fromkeys(singles))
                sources["lpo"] = "kommunens enda lokalpolisområde" if len(kommuner) == 1 else \
                    "kommunernas enda lokalpolisområden"
            else:
                sources["lpo"] = "inte angivet"
    return Metadata(organisation, kommun, lpo_codes, year, sources, warnings, kommuner, title_lpos)


# --- read --------------------------------------------------------------------------------

MEASURE_COLUMNS = [
    "measure_id", "plan_id", "prioritised_area", "problem", "cause", "title", "description",
    "operational_goal", "due", "responsible", "is_line_work", "status", "source_sheet", "source_row",
]
FOLLOWUP_COLUMNS = ["measure_id", "followup_date", "round", "text", "status"]
ANALYSIS_COLUMNS = ["plan_id", "prioritised_area", "problems", "causes", "measures",
                    "sheet_problems", "sheet_causes", "sheet_measures"]
_KIND_WORDS = {"problems": "problem", "causes": "orsaker", "measures": "åtgärder"}
_SOURCE_LABELS = {"organisation": "organisation", "kommun": "kommun", "lpo": "LPO", "year": "år"}


def _other_years(names: dict, year: int) -> dict[object, list[int]]:
    """Key -> the years its name gives, for the names that belong to another plan year:
    sheets' names (a workbook that keeps a sheet per year, "Unga i riskzon 2024", "…
    2025", holds several plans) or follow-up columns' headers ("Uppföljning 2024" kept
    beside "Uppföljning 2025" in a plan carried over). Only when some name gives the
    plan's year: if none does, the names say nothing about which are this plan's (a
    template named in an earlier year), and every one is read.

    The other years' sheets are left out, not loaded as plans of their own: the same file
    loaded again with --year would replace this plan (a load replaces the earlier loads of
    its file name), so the report asks for a workbook per year."""
    named = {key: sorted({int(y) for y in _YEAR.findall(name)}) for key, name in names.items()}
    if not any(year in years for years in named.values()):
        return {}
    return {key: years for key, years in named.items() if years and year not in years}


_YEAR = re.compile(r"(?<!\d)(20\d{2})(?!\d)")


def _hidden_and_noted(sheet: Sheet, header_row: int, header_rows: int, roles: dict[str, int],
                      followup_cols: list[tuple[int, str | None]], parts: list[AreaRows],
                      description_col: int | None = None, reported: Collection[int] = ()) -> list[str]:
    """Report lines for what the coordinator cannot see in Excel but was read (hidden
    measure rows and table columns), and for what is in the table but not read: notes on
    its cells (a note is as often a reviewer's question as a follow-up) and columns of
    its own ('Kommentar' between the follow-up columns; not those ``reported`` as not
    read already). Never their text."""
    lines = []
    hidden = sorted(m["source_row"] for p in parts for m in p.measures if m["source_row"] in sheet.hidden_rows)
    if len(hidden) == 1:
        lines.append(f"Blad '{sheet.title}': rad {hidden[0]} är dold i Excel men lästes in som åtgärd. "
                     "Ta bort raden om åtgärden inte ska vara med i planen.")
    elif hidden:
        # A filtered table hides every row the filter leaves out: name the first few.
        lines.append(f"Blad '{sheet.title}': rad {_rows(hidden)} är dolda i Excel (av ett filter eller för hand) men "
                     "lästes in som åtgärder. Ta bort raderna om åtgärderna inte ska vara med i planen.")
    # The status column of each round is read too (AreaRows.status_columns).
    columns = sorted({c for c in roles.values()} | {c for c, _ in followup_cols}
                     | {c for p in parts for c in p.status_columns[2]})
    for c in columns:
        if c in sheet.hidden_cols:
            header = sheet.value(header_row, c).split("\n")[0][:40]
            lines.append(f"Blad '{sheet.title}': kolumn {get_column_letter(c)} ({header}) är dold i Excel "
                         "men lästes in.")
    # A column the header names but the plan has no field for ('Kommentar', 'Kostnad'):
    # not read, but the coordinator who wrote text in it is told so. Numbers alone (a
    # 'Nr' column numbering the measures: 1, 2, 1.1) are no text lost.
    # Also a column without a header of its own: the second column under a header merged
    # over two ('Uppföljning' over 'Status' | 'Kommentar'), or one with no header at all.
    measure_rows = {r for p in parts for r in p.measure_rows}
    filled = {c for r in measure_rows for c, _ in sheet.rows.get(r, [])}
    for c in sorted(filled - set(columns) - {description_col} - set(reported)):
        if any(sheet.own(r, c) and not _NUMBER.match(sheet.own(r, c)) for r in measure_rows):
            text = next((sheet.value(h, c) for h in range(header_row, header_row + header_rows)
                         if sheet.value(h, c)), "")
            named = f"'{text.split(chr(10))[0][:40]}'" if text else "utan rubrik"
            lines.append(f"Blad '{sheet.title}': kolumn {get_column_letter(c)} ({named}) "
                         "har text men lästes inte; den hör inte till planens kolumner.")
    # Formulas without saved results in the table read as empty: say so, or a status
    # formula's measure is silently 'ej bedömd'.
    table_rows = range(header_row + header_rows, sheet.last_row + 1)
    formulas = sorted((r, c) for r, c in sheet.uncached if r in table_rows and c in columns)
    if formulas:
        lines.append(f"Blad '{sheet.title}': cell {_cells([f'{get_column_letter(c)}{r}' for r, c in formulas])} har "
                     "formler utan sparade värden (arbetsboken är inte sparad i Excel) och lästes som tomma. Öppna "
                     "arbetsboken i Excel, spara den och läs in den igen.")
    errors = sorted((r, c) for r, c in sheet.errors if r in table_rows and c in columns)
    if errors:
        kinds = ", ".join(sorted({sheet.errors[at] for at in errors}))
        lines.append(f"Blad '{sheet.title}': cell {_cells([f'{get_column_letter(c)}{r}' for r, c in errors])} har "
                     f"formler som ger fel ({kinds}) och lästes som tomma. Rätta formlerna (eller skriv in värdena) "
                     "i Excel och läs in arbetsboken igen.")
    not_dates = sorted((r, c) for r, c in sheet.not_dates if r in table_rows and c in columns)
    if not_dates:
        lines.append(f"Blad '{sheet.title}': cell {_cells([f'{get_column_letter(c)}{r}' for r, c in not_dates])} "
                     "har datumformat men ett tal som inget datum kan vara (Excel visar #####); talet lästes som det står. "
                     "Skriv ett datum, eller ge cellen formatet Allmänt om talet ska stå kvar.")
    noted = []
    for ref in sheet.comments:
        m = _REF.fullmatch(ref)
        if m and int(m[2]) >= header_row + header_rows and columns[0] <= _col_index(m[1]) <= columns[-1]:
            noted.append((int(m[2]), _col_index(m[1]), ref))
    if noted:
        lines.append(f"Blad '{sheet.title}': cell {_cells([ref for *_, ref in sorted(noted)])} har en "
                     "anteckning (kommentar); anteckningar läses inte som uppföljning. Skriv uppföljningen "
                     "i cellen om den ska med.")
    return lines


MAX_LISTED = 10  # rows named in one report line
MAX_CELLS_LISTED = 5  # cells named in one report line
_LPO_IN_TITLE = re.compile(r"^\s*(?:lpo|lokalpolisområde)\s+(.+?)(?:\s+20\d{2})?\s*$", re.IGNORECASE)


def _lpo_sheets(areas: list[AreaRows], gz, kommun: str) -> list[tuple[str, str]]:
    """(sheet title, LPO code) for area sheets named after an LPO of the kommun ("LPO
    Farsta"; Göteborg's "LPO Centrum" is the reference data's "Göteborg Centrum"), when
    the workbook keeps a sheet for each of at least two LPOs; otherwise none (one such
    sheet says nothing about the others)."""
    found: dict[str, str] = {}
    for rows in areas:
        m = _LPO_IN_TITLE.match(rows.sheet.title)
        if not m or not rows.measures:
            continue
        code = gz.lpo_code(m[1].strip(), kommun=kommun)
        if code and (code in gz.lpos_for_kommun(kommun) or not gz.lpos_for_kommun(kommun)):
            found.setdefault(rows.sheet.title, code)
    return list(found.items()) if len(set(found.values())) >= 2 else []


def read(path: Path, ctx: ReadContext, fmt: str = FORMAT) -> ReadResult:
    """Read an action-plan workbook into plan, measure, measure_followup and plan_analysis."""
    path = Path(path)
    file = path.name
    sheets = read_workbook(path)
    try:
        properties = document_properties(path)
    except (zipfile.BadZipFile, zlib.error, ElementTree.ParseError):
        raise FileRejected(file, DAMAGED) from None
    gate(file, sheets, properties)
    try:
        # An .ods's content.xml, styles.xml and meta.xml were screened whole as they were
        # read (ods.read_sheets); its other parts (embedded objects) here.
        gate_package(path, sheets, ods.SCREENED if _is_ods(path) else ())
    except (zipfile.BadZipFile, zlib.error, EOFError):
        raise FileRejected(file, DAMAGED) from None
    meta = resolve_metadata(path, ctx, sheets)
    plan_id = plan_id_for(meta.kommun_code, meta.organisation, meta.year)
    analysis: dict[str, dict] | None = None
    other_years = _other_years({s.index: s.title for s in sheets}, meta.year)
    round_sheets, other_rounds = _round_sheets([s for s in sheets if s.index not in other_years], meta.year)
    other_years |= other_rounds

    def read_sheets(round_sheets: dict[int, SheetRound]) -> tuple[list[AreaRows], list[str], list[Sheet], Sheet | None]:
        """Every sheet's areas, the report's lines on them, the sheets with content not
        read, and the analysis sheet; a follow-up cell without markers on a sheet of
        ``round_sheets`` is that sheet's round."""
        notes: list[str] = []
        areas: list[AreaRows] = []
        skipped: list[Sheet] = []
        analysis_sheet = None
        for sheet in sheets:
            example = bool(_EXAMPLE_TITLE.search(_fold(sheet.title)))
            if example or _fold(sheet.title).startswith(_INSTRUCTION_TITLES):
                # Guidance, perhaps with an example table: never data.
                if example and sheet.cells:
                    notes.append(f"Blad '{sheet.title}' är ett exempel och lästes inte som åtgärder.")
                elif find_header(sheet):
                    notes.append(f"Blad '{sheet.title}' är en instruktion; dess tabell lästes inte som åtgärder.")
                continue
            if sheet.index in other_years:
                if sheet.cells:
                    years = " och ".join(map(str, other_years[sheet.index]))
                    notes.append(f"Blad '{sheet.title}' gäller {years}, inte planens år {meta.year}, och lästes inte. "
                                 "Spara det årets blad i en egen arbetsbok och läs in den med "
                                 f"--year {other_years[sheet.index][0]}.")
                continue
            found = find_header(sheet)
            # An analysis sheet headed with the plan's own words ("Problem", "Orsaker",
            # "Åtgärder") holds counts under them, not measures.
            if found is None or (_is_analysis(sheet) and _counts_only(sheet, found[0] + found[4], found[1]["measure"])):
                if _is_analysis(sheet):
                    analysis_sheet = sheet
                elif sheet.index != 1 and sheet.cells:
                    skipped.append(sheet)
                continue
            header_row, roles, description_col, followup_cols, header_rows = found
            # Last year's follow-up column kept beside this year's: not this plan's.
            other_columns = _other_years({c: " ".join(sheet.value(h, c) for h in range(header_row, header_row + header_rows))
                                          for c, _ in followup_cols}, meta.year)
            for c, years in other_columns.items():
                notes.append(f"Blad '{sheet.title}': kolumn {get_column_letter(c)} "
                             f"('{sheet.value(header_row, c).split(chr(10))[0][:40]}') gäller "
                             f"{' och '.join(map(str, years))}, inte planens år {meta.year}, och lästes inte.")
            if other_columns:
                followup_cols = [(c, rnd) for c, rnd in followup_cols if c not in other_columns]
                if roles.get("followup") in other_columns:
                    roles = roles | {"followup": followup_cols[0][0]}
            if sheet.index in round_sheets:
                # A sheet per round: a follow-up cell without markers of its own is that round's.
                followup_cols = [(c, rnd or round_sheets[sheet.index].named) for c, rnd in followup_cols]
            area, how = _area_of_sheet(sheet, header_row, description_col)
            missing = [ROLE_LABELS[r] for r in ROLES if r not in roles]
            if missing:
                notes.append(f"Blad '{sheet.title}': kolumnen {', '.join(missing)} saknas; fälten lämnades tomma.")
            headings = sections(sheet, header_row + header_rows, roles, area)
            # One sheet for several areas: each under a sub-heading row naming it (its rows
            # start under the heading), or named in a 'Prioriterat område' column at the top
            # of its block (its rows start with that row). Rows above the first: the sheet's.
            starts = [(r, r + 1, a) for r, a in headings]
            source = "mellanrubrikerna "
            area_col = description_col if description_col else \
                roles["problem"] if _header_role(sheet.own(header_row, roles["problem"]), {}) == "area" else None
            if not headings and area_col:
                by_column = column_areas(sheet, header_row + header_rows, roles, area_col)
                starts = [(r, r, a) for r, a in by_column]
                source = (f"kolumn {get_column_letter(area_col)} "
                          f"('{sheet.own(header_row, area_col).split(chr(10))[0][:40]}'): ")
            if starts:
                ends = [r - 1 for r, _, _ in starts[1:]] + [sheet.last_row]
                parts = [(area, (0, starts[0][0] - 1))] + [(a, (first, end))
                                                           for (_, first, a), end in zip(starts, ends, strict=True)]
                found_parts = [read_area(sheet, header_row, roles, a, meta.year, notes, followup_cols, header_rows, span)
                               for a, span in parts]
                found_parts = [p for p in found_parts if p.measures or p.causes or p.rejected]
                notes.append(f"Blad '{sheet.title}': områdena togs från {source}"
                             + ", ".join(f"rad {r} ({a})" for r, _, a in starts) + ".")
                if sheet.state != "visible" and any(p.measures for p in found_parts):
                    notes.append(f"Blad '{sheet.title}' är dolt i arbetsboken men lästes in.")
                notes.extend(_hidden_and_noted(sheet, header_row, header_rows, roles, followup_cols, found_parts,
                                               description_col, other_columns))
                areas.extend(found_parts)
                continue
            rows = read_area(sheet, header_row, roles, area, meta.year, notes, followup_cols, header_rows)
            if not rows.measures and rows.causes == 0:
                if how != "standard":
                    notes.append(f"Blad '{sheet.title}' (eget prioriterat område) är inte ifyllt och hoppades över.")
                    continue
                notes.append(f"Blad '{sheet.title}' ({area}) har inga åtgärder.")
            elif how == "eget namn":
                notes.append(f"Blad '{sheet.title}' lästes som eget prioriterat område '{area}'.")
            elif how == "mall":
                notes.append(f"Blad '{sheet.title}' är ett ifyllt eget prioriterat område utan eget namn; "
                             f"det sparades som '{cat.OWN_AREA}'.")
            if sheet.state != "visible" and rows.measures:
                notes.append(f"Blad '{sheet.title}' är dolt i arbetsboken men lästes in.")
            notes.extend(_hidden_and_noted(sheet, header_row, header_rows, roles, followup_cols, [rows], description_col,
                                           other_columns))
            areas.append(rows)
        return _without_copies(areas, notes), notes, skipped, analysis_sheet

    areas, notes, skipped, analysis_sheet = read_sheets(round_sheets)
    # A sheet per follow-up round beside the plan's own sheet: the plan, then its rounds.
    plan_sheets, plan_notes = _plan_sheets(areas, round_sheets, meta.year)
    if len(round_sheets) == 1 and not plan_sheets:
        # One sheet named for a round, and no plan it follows up: an area sheet as any other.
        round_sheets = {}
        areas, notes, skipped, analysis_sheet = read_sheets(round_sheets)
    notes.extend(plan_notes)
    if not areas and not any(find_header(s) for s in sheets):
        raise FileRejected(file, "ingen flik har åtgärdsplanens rubrikrad (Problemområde, Orsak, Åtgärd, "
                                 "Operativa mål, När, Vem, Uppföljning). Kontrollera att det är rätt fil.")
    measure_status_cells: dict[int, set[tuple[int, int]]] = {}
    for rows in areas:
        measure_status_cells.setdefault(rows.sheet.index, set()).update(rows.status_cells)
    table_columns: dict[int, list[tuple[int, int, tuple[int, ...]]]] = {}
    for rows in areas:
        table_columns.setdefault(rows.sheet.index, []).append(rows.status_columns)
    # A hidden sheet without a table (the lists behind a template's drop-downs, often
    # with each status word in its traffic-light colour) is no legend: the coordinator
    # never sees it.
    legend_sheets = [s for s in sheets if s.state == "visible" or s.index in measure_status_cells]
    legend = colour_legend(legend_sheets, measure_status_cells, table_columns)
    for sheet in skipped:
        if sheet.index in legend.sheets:
            # A visible sheet of drop-down lists with 'Genomförd' on green is a legend the
            # coordinator sees, as a sheet called 'Förklaring' is.
            notes.append(f"Blad '{sheet.title}' har ingen rubrikrad; bara dess färgförklaring lästes.")
        elif sheet.state != "visible":
            # Usually the lists a template's drop-downs take their words from.
            notes.append(f"Blad '{sheet.title}' är dolt och har ingen rubrikrad (troligen listor till "
                         "rullgardinsmenyer); det lästes inte.")
        else:
            notes.append(f"Blad '{sheet.title}' har ingen rubrikrad och lästes inte.")
    own_names = tuple(a.area for a in areas if a.area not in cat.PRIORITISED_AREAS and a.area != cat.OWN_AREA)
    unsaved = 0  # the analysis sheet's counts that are formulas without a saved value
    if analysis_sheet is not None:
        analysis = read_analysis(analysis_sheet, own_names)
        unsaved = sum(cell in analysis_sheet.uncached for kinds in analysis_cells(analysis_sheet, own_names).values()
                      for cell in kinds.values())
        if analysis and all(v is None for counts in analysis.values() for v in counts.values()):
            notes.append(f"Analysbladet '{analysis_sheet.title}' har formler utan sparade värden; öppna och "
                         "spara arbetsboken i Excel så att antalen kan stämmas av.")

    notes.extend(apply_colour_legend(areas, legend))
    renamed_areas = _as_rounds(areas, round_sheets, meta.year, notes, plan_sheets)
    if analysis and renamed_areas:
        # The analysis sheet may name a renamed area by any of its names.
        stated_areas: dict[str, dict] = {}
        for area, stated in analysis.items():
            stated_areas.setdefault(renamed_areas.get(area, area), stated)
        analysis = stated_areas

    # A sheet per LPO (Göteborg's "LPO Centrum", "LPO Hisingen"): one plan, whose LPOs
    # are the sheets' unless the user named them; each measure's source_sheet says whose.
    lpo_sheets = _lpo_sheets(areas, ctx.gazetteer, meta.kommun_code)
    if lpo_sheets:
        # The sheets say more than a title line does: theirs are the LPOs whose measures these are.
        if meta.sources.get("lpo") in (None, "inte angivet", "kommunens enda lokalpolisområde",
                                       "kommunernas enda lokalpolisområden") \
                or meta.sources["lpo"].startswith("titeln"):
            meta.lpo_codes = list(dict.fromkeys(code for _, code in lpo_sheets))
            meta.sources["lpo"] = "bladens namn"
            meta.warnings += _lpo_title_conflicts(meta.lpo_codes, "bladens namn", meta.title_lpos, ctx.gazetteer)
        notes.insert(0, "Arbetsboken har ett blad per lokalpolisområde: "
                     + ", ".join(f"blad '{title}' ({code})" for title, code in lpo_sheets)
                     + ". Åtgärderna sparades i en plan; bladet (source_sheet) visar vilket lokalpolisområde "
                     "varje åtgärd hör till.")
        outside = [title for title, code in lpo_sheets if code not in meta.lpo_codes]
        if outside:
            notes.insert(1, "Blad " + ", ".join(f"'{t}'" for t in outside) + " gäller lokalpolisområden som "
                         f"inte är planens ({meta.sources['lpo']}: {', '.join(meta.lpo_codes) or 'inga'}); "
                         "åtgärderna lästes in ändå. Rätta --lpo eller sidofilen om planen gäller dem också.")

    # Two sheets for the same area: keep both; their measures are distinct by sheet.
    measures, followups, rejected = [], [], []
    for rows in areas:
        rejected.extend(rows.rejected)
        for m in rows.measures:
            measure_id = f"{plan_id}:{rows.sheet.index}:{m['source_row']}"
            entries = m.pop("entries")
            measures.append(dict(measure_id=measure_id, plan_id=plan_id, prioritised_area=rows.area, **m))
            for e in entries:
                followups.append(dict(measure_id=measure_id, followup_date=e.followup_date, round=e.round,
                                      text=e.text, status=e.status))

    counts: dict[str, list[int]] = {}
    for rows in areas:
        c = counts.setdefault(rows.area, [0, 0, 0])
        c[0] += rows.problems
        c[1] += rows.causes
        c[2] += len(rows.measures)
    analysis_rows, differences = [], []
    compared = 0  # the analysis sheet's counts that could be checked against the reading
    stated_all: dict[str, dict] = {}
    for area, stated in (analysis or {}).items():
        if area == cat.OWN_AREA and len(own_names) == 1:
            area = own_names[0]  # the analysis sheet keeps the template's placeholder
        stated_all[area] = stated
    for area in list(counts) + [a for a in stated_all if a not in counts]:
        ours = counts.get(area, [0, 0, 0])
        stated = stated_all.get(area, {})
        sheet_vals = [stated.get(k) for k in ("problems", "causes", "measures")]
        analysis_rows.append(dict(plan_id=plan_id, prioritised_area=area, problems=ours[0], causes=ours[1],
                                  measures=ours[2], sheet_problems=sheet_vals[0], sheet_causes=sheet_vals[1],
                                  sheet_measures=sheet_vals[2]))
        if analysis is None:
            continue
        for kind, mine, theirs in zip(("problems", "causes", "measures"), ours, sheet_vals, strict=True):
            compared += theirs is not None
            if theirs is not None and theirs != mine:
                differences.append(f"Analysbladet anger {theirs} {_KIND_WORDS[kind]} för {area}, "
                                   f"inläsningen fann {mine}.")

    report = [
        f"Plan: {meta.organisation}, kommun {_kommun_list(meta.kommun_codes, ctx.gazetteer)}, "
        f"LPO {', '.join(meta.lpo_codes) or 'inga'}, år {meta.year}.",
        "Uppgifterna om planen kommer från: " + "; ".join(
            f"{_SOURCE_LABELS[k]} – {meta.sources[k]}" for k in ("organisation", "kommun", "lpo", "year")
            if k in meta.sources) + ".",
        *meta.warnings,
    ]
    if xls.is_xls(path):
        report.append("Arbetsboken är en äldre Excel-fil (.xls). Den lästes som en .xlsx (text, tal, datum, "
                      "sammanfogade celler, dolda rader, kolumner och blad, fyllnadsfärger och anteckningar), men "
                      "villkorsstyrd formatering (t.ex. ikoner som visar en status skriven som 1, 2, 3 i färg) "
                      "kan inte läsas ur en .xls. Spara planen som Excel-arbetsbok (.xlsx) nästa gång.")
    if len(meta.kommun_codes) > 1:
        report.append(f"Planen gäller {len(meta.kommun_codes)} kommuner tillsammans: åtgärderna sparades en gång, i "
                      "en gemensam plan som visas för var och en av kommunerna; summor över ett län eller en "
                      "polisregion räknar dem en gång.")
    statuses = Counter(m["status"] for m in measures)
    counted = ", ".join(f"{s} {statuses[s]}" for s in cat.MEASURE_STATUSES if statuses[s])
    report.append(
        f"{len(measures)} åtgärder i {len({a.area for a in areas if a.measures})} prioriterade områden "
        f"({sum(m['is_line_work'] for m in measures)} linjearbete), {len(followups)} uppföljningsposter."
        + (f" Status: {counted}." if counted else "")
    )
    without = sum(a.causes_without_measure for a in areas)
    if without:
        report.append(f"{without} rader har en orsak men ingen åtgärd; de räknas som orsaker.")
    if analysis is None:
        report.append("Analysbladet saknas; antalen problem, orsaker och åtgärder kunde inte stämmas av.")
    elif unsaved and compared:
        # Some counts are formulas Excel never saved a value for: say how many were checked.
        checked = (f"{compared} av {compared + unsaved} antal på analysbladet '{analysis_sheet.title}' kunde stämmas "
                   f"av{' och stämmer' if not differences else ''}; de övriga {unsaved} är formler utan sparade "
                   "värden. Öppna och spara arbetsboken i Excel så att alla antal kan stämmas av.")
        report.append(checked)
    elif not differences and not unsaved and compared:
        report.append("Antalen stämmer med analysbladet.")
    elif not compared and not unsaved:
        # A template whose counts were never filled in: nothing was checked, so nothing agrees.
        report.append(f"Analysbladet '{analysis_sheet.title}' har inga ifyllda antal; antalen problem, orsaker "
                      "och åtgärder kunde inte stämmas av.")
    report.extend(differences)
    report.extend(notes)

    plan = pd.DataFrame([dict(plan_id=plan_id, organisation=meta.organisation, kommun_code=meta.kommun_code,
                              kommun_codes=meta.kommun_codes, lpo_codes=meta.lpo_codes, year=meta.year, source_file=file,
                              metadata_from="; ".join(f"{_SOURCE_LABELS[k]}: {v}" for k, v in meta.sources.items()))])
    frames = {
        "plan": plan,
        "measure": pd.DataFrame(measures, columns=MEASURE_COLUMNS),
        "measure_followup": pd.DataFrame(followups, columns=FOLLOWUP_COLUMNS),
        "plan_analysis": pd.DataFrame(analysis_rows, columns=ANALYSIS_COLUMNS),
    }
    # The format the load log names: the workbook's own kind, read by the same reader.
    kind = "atgardsplan-xls" if xls.is_xls(path) else "atgardsplan-ods" if _is_ods(path) else FORMAT
    return ReadResult(kind, "measure", frames, rejected, report, replace_plans=[plan_id])
