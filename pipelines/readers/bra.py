"""Brå's statistics on reported offences (anmälda brott), as exported from Brå's
statistical database: CSV or Excel, per area, offence category and year, with the count
and the rate per 100 000 inhabitants (docs/sources/bra.md).

Exports are messy in known ways, all handled here: title lines above the header and
footnotes below it; ';' and Windows-1252; decimal comma and thousands space; merged
title rows and merged (blank) area cells in Excel; wide layouts with one column per year
(optionally under an "Antal" / "Per 100 000 invånare" row); the area given in a title
line ("Område: Stockholms län") instead of a column. Symbols follow Swedish official
statistics: "–" is zero, ".." is not available (the value is left empty).

Areas become codes: polisregion (e.g. STOCKHOLM), län ("01"), kommun ("0180") or "SE"
for the whole country, looked up by name or code in the warehouse's own geography.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pandas as pd

from pipelines.geography import Gazetteer
from pipelines.loading import FileRejected, ReadContext, ReadResult, Rejection
from pipelines.readers.keyed import OneValuePerKey
from pipelines.readers.scb import (
    REPEATED_HEADER,
    SPLIT_ROW,
    Grid,
    csv_grid,
    field_past,
    gate_grid,
    gate_page,
    gate_workbook,
    html_grid,
    is_html_table,
    is_workbook,
    is_xml_spreadsheet,
    norm,
    notes_preliminary_years,
    repeats_header,
    workbook_grids,
    workbook_kind,
)
from pipelines.readers.text import (
    comma_grouped,
    english_written,
    parse_count,
    parse_number,
    part_of_year,
    statistics_symbol,
)
from pipelines.readers.xls import OLE_MAGIC

FORMATS = ("bra-csv", "bra-xlsx", "bra-html")
SOURCE = "Brå"
HEADER_SCAN_ROWS = 40

_OFFENCE = ("brottstyp", "brottskategori", "brott", "brottsrubricering", "typ av brott", "brottsområde", "brottskod",
            "brottsgrupp")
_AREA = {"område": None, "region": None, "geografi": None, "plats": None, "region/län": None,
         "län": "lan", "kommun": "kommun", "polisregion": "polisregion", "polisområde": "polisomrade"}
# No count or rate of reported offences per area and year comes near this: a larger value
# is a misread cell ('1E+25'), not a statistic.
MAX_VALUE = 1_000_000_000
# How fine an area column's level is: of two, the finer names each row's area.
_AREA_DETAIL = {"kommun": 2, "polisomrade": 2, "lan": 1, "polisregion": 1}
_YEAR = ("år", "period", "tid", "year", "anmälningsår")
_RIKET = ("hela landet", "riket", "sverige", "hela riket", "totalt", "sweden", "rikstotal")
YEAR_IN = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
PART_OF_YEAR_REASON = "perioden är ett kvartal eller en månad; bra_statistic gäller hela år (exportera per år)"
SPAN_REASON = "perioden gäller flera år (en summa eller ett medelvärde); bra_statistic har ett värde per år"
# A footnote mark after a name or number: '*', '¹', '(1)', '1)', and a digit right after
# the paragraphs Brå's offence names end with ('Misshandel (5 §)2', '… (1, 2, 5, 6 §§)1').
FOOTNOTE_MARK = re.compile(r"\s*(\*+|\(\d{1,2}\)|(?<=\D)\s\d{1,2}\)|[¹²³⁴⁵⁶⁷⁸⁹⁰]+|(?<=§\))\d{1,2})$")


def without_mark(text: str) -> str:
    """A cell without the footnote mark at its end ('Malmö¹', 'Rån (2)', '1 234*')."""
    return FOOTNOTE_MARK.sub("", re.sub(r"\s+", " ", str(text)).strip()).strip()


def _is_per_100k(text: str) -> bool:
    t = norm(text).replace(" ", "")
    return "100000" in t or "per100k" in t or "/100k" in t


def _is_change(text: str) -> bool:
    """A column comparing years (a change, a difference, a percentage), not a value."""
    return bool(re.search(r"förändring|ändring|jämfört|jmf|differens|skillnad|procent|%", norm(text)))


# Brå's database gives other statistics in the same layout as reported offences (Område,
# Brottstyp, År, Antal): cleared offences (personuppklarade), offences dealt with
# (handlagda), suspects (misstänkta personer), prosecutions (lagföringar), convictions.
# Read as reported offences they were stored as such, beside our incident counts.
_OTHER_MEASURE = re.compile(r"uppklar|handlagd|misstänkt|lagför|dömd|domslut|kriminalvård|återfall|utsatthet")


def other_measure(text: str) -> bool:
    """Whether a title or a value column names a statistic that is not reported offences
    ('Personuppklarade brott', 'Antal misstänkta personer'); one naming reported offences
    too ('Anmälda och personuppklarade brott') is not taken for another."""
    t = norm(text)
    return bool(_OTHER_MEASURE.search(t)) and "anmäl" not in t


def _is_count(text: str) -> bool:
    t = norm(text)
    return t.startswith("antal") or t in ("anmälda brott", "count", "anmälda")


def _roles(header: list[str]) -> dict:
    roles: dict = {}
    for j, h in enumerate(header):
        n = norm(h)
        if not n:
            continue
        if "offence" not in roles and (n in _OFFENCE or n.startswith(("brottstyp", "brottskategori"))):
            roles["offence"] = j
        elif n in _OFFENCE and n != "brottskod" and norm(header[roles["offence"]]) == "brottskod":
            # 'Brottskod' left of 'Brottstyp': the offence is its name. Read by its code, the
            # total row (no code) was rejected and the rest stored as '0301' and the like.
            roles["offence"] = j
        elif n in _AREA and "area" not in roles:
            roles["area"], roles["area_level"] = j, _AREA[n]
        elif n in _AREA and "area_coarser" not in roles:
            # A second area column ("Län" and "Kommun"): the finer names each row's area,
            # the coarser a total row whose finer cell is empty.
            if _AREA_DETAIL.get(_AREA[n], 0) > _AREA_DETAIL.get(roles["area_level"], 0):
                roles["area_coarser"], roles["area_coarser_level"] = roles["area"], roles["area_level"]
                roles["area"], roles["area_level"] = j, _AREA[n]
            else:
                roles["area_coarser"], roles["area_coarser_level"] = j, _AREA[n]
        elif n in _YEAR:
            roles.setdefault("year", j)
        elif n in ("enhet", "mått", "matt", "måttenhet"):
            roles.setdefault("unit", j)
        elif n in ("värde", "value", "antal/värde"):
            roles.setdefault("value", j)
        elif n in ("status", "preliminär", "prel", "preliminära uppgifter"):
            roles.setdefault("status", j)
        elif _is_change(n):
            continue  # 'Förändring 2023–2024 (%)' names years but holds no year's value
        elif other_measure(n):
            roles.setdefault("other", []).append(j)  # 'Antal personuppklarade brott': not read
        elif len(set(YEAR_IN.findall(n))) > 1:
            # 'Totalt 2022–2024', 'Medelvärde 2020-2024': several years' sum or mean, which
            # was read as the first year's value and clashed with that year's own column.
            roles.setdefault("spans", []).append(j)
        elif YEAR_IN.search(n):
            roles.setdefault("years", []).append(j)
        elif _is_per_100k(h):
            roles.setdefault("per_100k", j)
        elif _is_count(h):
            roles.setdefault("count", j)
    return roles


_OFFENCE_LINE = re.compile(r"^\s*(?:brottstyp|brottskategori|brottsgrupp|brott)\s*[:=]\s*(\S.*)$", re.I)
_AREA_LINE = re.compile(r"^\s*(?:område|region|län|kommun|polisregion)\s*[:=]", re.I)


def _first_year(row: list[str]) -> int | None:
    """The column of the first year in a header row ('2023', 'Antal 2023'), or None."""
    roles = _roles(row)
    return min(roles["years"]) if roles.get("years") else None


def _join_split_header(grid: Grid, i: int) -> None:
    """Join a header split over rows ``i`` and ``i + 1``: the labels ('Område', 'Brottstyp')
    in the first, the years in the second under empty cells. The second row, the one over
    the values, takes the labels into its empty cells left of the years."""
    if i + 1 >= len(grid.rows):
        return
    labels, below = grid.rows[i], grid.rows[i + 1]
    roles = _roles(labels)
    first = _first_year(below)
    if roles.get("years") or "year" in roles or not {"offence", "area"} & roles.keys() or not first:
        return
    if any(below[:first]) or not any(labels[:first]):
        return
    below[:first] = [labels[j] if j < len(labels) else "" for j in range(first)]


def _labels_below_years(grid: Grid, i: int) -> None:
    """Move the labels ('Område', 'Brottstyp') up to the years' row ``i`` when they stand
    on the units' row below it (';;2023;;2024' over 'Område;Brottstyp;Antal;Per 100 000
    inv;…'), as a table with the years over their units and the labels on the lower row
    is saved. The units' row is then read as the units of each year's columns. Before,
    the years' row was the header with no labels, and each row after it was one field too
    long."""
    if i + 1 >= len(grid.rows):
        return
    row, below = grid.rows[i], grid.rows[i + 1]
    first = _first_year(row)
    if not first or any(row[:first]):
        return
    units = [c for c in below[first:] if c]
    if not units or not all(_is_count(c) or _is_per_100k(c) for c in units):
        return
    if not {"offence", "area"} & _roles(below[:first]).keys():
        return
    row[:first] = below[:first]
    below[:first] = [""] * first


def _looks_like_area(text: str) -> bool:
    """An area as only an area is written: a län, a region, the whole country. Not a code:
    a column of codes beside the offences may be Brå's brottskod, and '0180' is a kommun."""
    n = norm(without_mark(text))
    return n.endswith(" län") or n.startswith(("region ", "polisregion ", "polisområde ")) or (
        n in _RIKET and n != "totalt")


def _name_label_columns(grid: Grid, i: int) -> None:
    """Name the empty header cells over the one or two label columns left of the years of
    row ``i``, as a pivot table exported from Brå's database leaves them, from what the
    columns hold: one with a name of offences in it ('Samtliga brott', 'Stöldbrott') is
    'Brottstyp', one with an area only an area is ('Stockholms län', 'Region Syd', 'Hela
    landet') is 'Område'. Of two columns, one known names the other, an area column only
    when it holds names without digits. Left empty when the columns cannot be told apart."""
    row = grid.rows[i]
    first = _first_year(row)
    if not first or first > 2 or any(row[:first]) or "offence" in _roles(row):
        return
    data = [r for r in grid.rows[i + 1:] if any(r[first:])]
    values = [{c for r in data if (c := without_mark(r[j] if j < len(r) else ""))} for j in range(first)]
    if not all(values):
        return
    names: dict[int, str] = {}
    for j, held in enumerate(values):
        kinds = ({"Brottstyp"} if any("brott" in norm(v) for v in held) else set()) | (
            {"Område"} if any(_looks_like_area(v) for v in held) else set())
        if len(kinds) > 1:
            return
        if kinds:
            names[j] = kinds.pop()
    if first == 2 and len(names) == 1:
        known, name = next(iter(names.items()))
        other = 1 - known
        if name == "Område":
            names[other] = "Brottstyp"
        elif not any(ch.isdigit() for v in values[other] for ch in v):
            names[other] = "Område"
    if len(names) == first and len(set(names.values())) == first:
        for j, name in names.items():
            row[j] = name


def _find_header(grid: Grid) -> tuple[int, dict] | None:
    """The header row and its roles. An export of one offence may name it only in a line
    above the header ("Brottstyp: Samtliga brott"); its text is then roles["offence_text"].
    A header split over two rows is joined, and empty header cells over the label columns
    are named from what they hold (:func:`_join_split_header`, :func:`_name_label_columns`)."""
    offence_line, area_line = None, False
    for i, row in enumerate(grid.rows[:HEADER_SCAN_ROWS]):
        _join_split_header(grid, i)
        _labels_below_years(grid, i)
        _name_label_columns(grid, i)
        roles = _roles(row)
        has_years = "year" in roles or roles.get("years")
        if "offence" in roles and has_years:
            return i, roles
        # An export of one area and one offence names both above a table of years only.
        if offence_line and ("area" in roles or area_line) and has_years:
            return i, {**roles, "offence_text": offence_line}
        line = " ".join(c for c in row if c)
        m = _OFFENCE_LINE.match(line)
        offence_line = offence_line or (m and _offence(m[1]))
        area_line = area_line or bool(_AREA_LINE.match(line))
    return None


def _unnamed_label_row(grid: Grid) -> int | None:
    """The row of a header of years under a title about offences whose label columns have
    no header and could not be named (:func:`_name_label_columns`): claimed, so that read()
    can say what to do instead of 'formatet känns inte igen'."""
    for i, row in enumerate(grid.rows[:HEADER_SCAN_ROWS]):
        first = _first_year(row)
        if first and not any(row[:first]) and any("brott" in norm(c) for r in grid.rows[:i] for c in r):
            return i
    return None


def sniff(path: Path, head: bytes) -> str | None:
    """bra-csv / bra-xlsx / bra-html: a table with an offence column and years."""
    if head.startswith((b"PK\x03\x04", OLE_MAGIC)) or is_xml_spreadsheet(head):
        if not is_workbook(path, head):
            return None
        try:
            grids = workbook_grids(path, HEADER_SCAN_ROWS)
        except FileRejected:
            return None
        return "bra-xlsx" if any(_find_header(g) for g in grids) or any(
            _unnamed_label_row(g) is not None for g in grids) else None
    if head.lstrip(b"\xef\xbb\xbf \r\n\t").startswith((b"{", b"[")) or b"\x00" in head[:4096]:
        return None
    if is_html_table(head):
        # The table saved from the browser as a web page (or an 'Excel' export that is one).
        grid = html_grid(path, head)
        return "bra-html" if _find_header(grid) or _unnamed_label_row(grid) is not None else None
    try:
        grid = csv_grid(path, head)
    except FileRejected:
        return None
    return "bra-csv" if _find_header(grid) or _unnamed_label_row(grid) is not None else None


# --- areas ------------------------------------------------------------------------------


def resolve_area(text: str, gz: Gazetteer, level_hint: str | None = None) -> str | None:
    """An area name or code to its area code, or None.

    'Hela landet'/'Riket' -> SE; 'Region Stockholm'/'Polisregion Stockholm' -> STOCKHOLM;
    'Stockholms län'/'01' -> 01; 'Stockholm'/'0180'/'0180 Stockholm' -> 0180 (a bare name is
    a kommun unless the column says län or polisregion).
    """
    t = without_mark(text)
    n = norm(t)
    if not n:
        return None
    if n in _RIKET:
        return "SE"
    m = re.match(r"^(\d{1,4})\b\s*(.*)$", t)
    if m:
        code = m[1]
        if code in ("0", "00", "0000"):
            return "SE"
        if code_name_conflict(t, gz):
            return None
        if len(code) in (3, 4):
            return gz.kommun_code(code)
        return gz.lan_code(code)
    levels = {"lan": ("lan",), "kommun": ("kommun",), "polisregion": ("polisregion",),
              "polisomrade": ("polisomrade",)}.get(level_hint or "", ())
    if n.startswith("polisregion "):
        return gz.code("polisregion", "Region " + t.split(" ", 1)[1])
    if n.startswith("region ") and (not levels or "polisregion" in levels):
        code = gz.code("polisregion", t)
        if code:
            return code
        t = t.split(" ", 1)[1]  # "Region Gotland", "Region Skåne": the län/kommun name
    if n.endswith(" län") or level_hint == "lan":
        return gz.lan_code(t)
    for level in levels or ("kommun", "lan", "polisregion", "polisomrade"):
        code = gz.code(level, t) if level != "kommun" else gz.kommun_code(t)
        if code:
            return code
    return None


def code_name_conflict(text: str, gz: Gazetteer) -> str | None:
    """Why a code and a name written together ('0180 Malmö') cannot be placed: they name
    two areas (a row moved beside another's code). None when they agree or one is missing."""
    m = re.match(r"^(\d{1,4})\b\s*(.+)$", without_mark(text))
    if not m or norm(m[2]) in _RIKET:
        return None
    kommun = len(m[1]) in (3, 4)
    by_code = gz.kommun_code(m[1]) if kommun else gz.lan_code(m[1])
    by_name = gz.kommun_code(m[2]) if kommun else gz.lan_code(m[2])
    if by_code and by_name and by_code != by_name:
        return f"koden {m[1]} är {gz.name(by_code)}, men namnet är {m[2].strip()}: rätta koden eller namnet"
    return None


# --- values -----------------------------------------------------------------------------


def _value(text: str, english: bool = False, count: bool = False) -> tuple[bool, float | None]:
    """(ok, value) under Swedish official statistics' symbols: '–' zero, '..' missing. A
    ``count`` grouped in thousands by a comma or full stop ('40,000') is read as such
    (text.parse_count)."""
    t = without_mark(text)
    symbol = statistics_symbol(t)
    if symbol is not None:
        return symbol
    v = (parse_count if count else parse_number)(t, english)
    return v is not None, v


# Brå's name for the sum over all offences, and how a total row in the offence column is
# written. A total in the area column is the whole area ('Totalt' is SE, or the län of a
# kommun column); a total offence is, the same way, the whole: Brå's 'Samtliga brott'.
ALL_OFFENCES = "Samtliga brott"
_OFFENCE_TOTAL = re.compile(r"(?:totalt?|samtliga|alla|summa)(?: antal)?(?: anmälda)?(?: (?:brott|brottstyper|"
                            r"brottskategorier))?")


def _offence(text: str) -> str:
    """The offence category of a cell: as written (without its footnote mark), except that
    a total ('Totalt', 'Totalt antal brott', 'Alla brott') is :data:`ALL_OFFENCES`, so it is
    neither an offence named 'Totalt' nor a second 'Samtliga brott' beside the first."""
    t = without_mark(text)
    return ALL_OFFENCES if _OFFENCE_TOTAL.fullmatch(norm(t)) else t


def _retrieved_at(notes: list[str]) -> tuple[datetime, bool]:
    for note in notes:
        if re.search(r"uttag|hämtad|hämtat|datum|skapad|utskrift", note, re.I):
            m = re.search(r"(\d{4}-\d{2}-\d{2})(?:[ T](\d{1,2}[:.]\d{2}))?", note)
            if m:
                stamp = m[1] + (" " + m[2].replace(".", ":") if m[2] else " 00:00")
                return datetime.strptime(stamp, "%Y-%m-%d %H:%M"), True
    return datetime.now().replace(microsecond=0), False


def _unit_row(grid: Grid, h: int) -> dict[int, str]:
    """Units written in the row above a wide header ("Antal" over some years, "Per 100 000"
    over others), carried right across merged cells."""
    if h == 0:
        return {}
    above = grid.rows[h - 1]
    if not any(_is_count(c) or _is_per_100k(c) for c in above):
        return {}
    units, current = {}, None
    for j in range(len(grid.rows[h])):
        cell = above[j] if j < len(above) else ""
        if cell:
            current = "per_100k" if _is_per_100k(cell) else ("count" if _is_count(cell) else None)
        if current:
            units[j] = current
    return units


def _unit_row_below(grid: Grid, h: int) -> dict[int, str]:
    """Units written in the row below a wide header (each year merged over an "Antal" and a
    "Per 100 000 invånare" column): column -> unit, or {} when the next row is data."""
    if h + 1 >= len(grid.rows):
        return {}
    filled = [(j, c) for j, c in enumerate(grid.rows[h + 1]) if c]
    if not filled or not all(_is_count(c) or _is_per_100k(c) for _, c in filled):
        return {}
    return {j: "per_100k" if _is_per_100k(c) else "count" for j, c in filled}


def _refuse_other_measure(file: str, grid: Grid, h: int, roles: dict) -> None:
    """Refuse a table of another statistic than reported offences (:func:`other_measure`):
    one whose title names it ('Personuppklarade brott'), or whose only value columns do
    ('Antal misstänkta personer'). A title line naming the offence or the area ('Brottstyp:
    Misstänkt …') is no title."""
    advice = ("bra_statistic gäller anmälda brott. Inget lästes in. Exportera Anmälda brott från Brås "
              "statistikdatabas och läs in den filen.")
    for k, row in enumerate(grid.rows[:h]):
        line = " ".join(c for c in row if c).strip()
        if line and other_measure(line) and not _OFFENCE_LINE.match(line) and not _AREA_LINE.match(line):
            raise FileRejected(file, f"tabellen är '{line[:80]}', inte anmälda brott. {advice}", grid.numbers[k])
    values = roles.get("years") or {"count", "per_100k", "value"} & roles.keys()
    if roles.get("other") and not values:
        column = grid.rows[h][roles["other"][0]]
        raise FileRejected(file, f"kolumnen '{column[:60]}' är inte anmälda brott. {advice}", grid.numbers[h], column)


def _read_grid(file: str, grid: Grid, ctx: ReadContext) -> ReadResult:
    found = _find_header(grid)
    unnamed = _unnamed_label_row(grid) if found is None else None
    if unnamed is not None:
        where = f"blad '{grid.sheet}': " if grid.sheet else ""
        raise FileRejected(file, where + "kolumnerna till vänster om åren saknar rubrik, och vilken som är område och "
                           "vilken som är brottstyp går inte att se på innehållet. Inget lästes in. Skriv Område "
                           "och Brottstyp i de tomma rubrikcellerna och läs in filen igen.", grid.numbers[unnamed])
    if found is None:
        raise FileRejected(file, "hittar ingen rubrikrad med brottstyp och år. Exportera tabellen från Brås "
                           "statistikdatabas med brottstyp, område och år.")
    h, roles = found
    header = grid.rows[h]
    hrow = grid.numbers[h]
    body, notes = grid.split_below(h)
    heading = notes[:h]  # the text above the header: title and "Område: …" lines
    title = " ".join(heading)
    _refuse_other_measure(file, grid, h, roles)
    default_area = None
    if "area" not in roles:
        m = next((re.match(r"^\s*(?:område|region|län|kommun|polisregion)\s*[:=]\s*(.+)$", n, re.I) for n in heading
                  if re.match(r"^\s*(?:område|region|län|kommun|polisregion)\s*[:=]", n, re.I)), None)
        if m is None:
            raise FileRejected(file, "kolumnen för område (region, län eller kommun) saknas och ingen "
                               "rubrikrad anger området. Ta med området i exporten.", hrow, "område")
        default_area = resolve_area(m[1], ctx.gazetteer)
        if default_area is None:
            raise FileRejected(file, f"området '{m[1][:40]}' i rubriken känns inte igen.", grid.numbers[0], "område")
    years = roles.get("years", [])
    long_layout = "year" in roles
    if long_layout and not ({"count", "per_100k"} & roles.keys() or "value" in roles):
        raise FileRejected(file, "hittar ingen kolumn för antal eller antal per 100 000 invånare.", hrow, "antal")
    if long_layout and "value" in roles and "unit" not in roles and not ({"count", "per_100k"} & roles.keys()):
        raise FileRejected(file, "kolumnen 'enhet' saknas, så det går inte att avgöra om värdet är antal eller "
                           "per 100 000 invånare.", hrow, "enhet")
    # Units of wide year columns: the header itself, the row above, else the title.
    above = _unit_row(grid, h)
    title_unit = "per_100k" if _is_per_100k(title) and "antal" not in title.lower().replace("antal per", "") else "count"
    year_cols = {}
    for j in years:
        hdr = header[j]
        if part_of_year(hdr):
            # Quarters or months would each land on their year, the last one winning.
            raise FileRejected(file, f"{PART_OF_YEAR_REASON}.", hrow, hdr)
        y = int(YEAR_IN.search(hdr)[1])
        unit = "per_100k" if _is_per_100k(hdr) else ("count" if _is_count(hdr) or "antal" in norm(hdr) else None)
        year_cols[j] = (y, bool(re.search(r"\*|prel", hdr, re.I)), unit or above.get(j) or ("unit" if "unit" in roles else title_unit))
    below = _unit_row_below(grid, h) if years else {}
    if below:
        # Each year is merged over its unit columns: a unit column takes the year to its left.
        year_cols = {j: (year_cols[y_col][0], year_cols[y_col][1], unit) for j, unit in below.items()
                     if (y_col := max((c for c in years if c <= j), default=None)) is not None}
        body = [i for i in body if i != h + 1]
    # A unit column under a year merged over it has no header cell of its own: it is named
    # by its year and unit ('2024 Per 100 000 inv').
    unit_names = {j: f"{year_cols[j][0]} {grid.rows[h + 1][j]}" for j in below if j in year_cols}

    gz = ctx.gazetteer
    # (area, offence, year, unit) -> value, by the statistics' rule for a key given twice
    keyed = OneValuePerKey("område, brott och år")
    written_keys: dict[tuple, None] = {}  # (area, offence, year) of every value cell, in file order
    rejected: list[Rejection] = []
    missing = 0
    marked: set[tuple] = set()
    last_area, last_offence = ("", roles.get("area_level"), roles.get("area")), ""
    last_coarser, seen = "", set()  # the coarser area column's last text; (area, offence) read
    totals_written: set[str] = set()  # offence cells that are the total ('Totalt'), read as ALL_OFFENCES
    # A column an English Excel wrote (text.english_written): "13,662" beside "13,662.3"
    # is 13662, not the Swedish 13.662.
    english = {j for j in range(len(header))
               if any(english_written(without_mark(grid.rows[i][j]) if j < len(grid.rows[i]) else "") for i in body)}
    # A count grouped by commas ('40,000': a count is whole, text.parse_count) shows that an
    # English Excel wrote the table, so a rate beside it written so ('11,234') is 11 234
    # too; one written '10,3' stays 10,3.
    count_cols = ([roles["count"]] if long_layout and "count" in roles else
                  [j for j, (_, _, unit) in year_cols.items() if unit == "count"])
    english_file = any(comma_grouped(without_mark(grid.rows[i][j]) if j < len(grid.rows[i]) else "")
                       for i in body for j in count_cols)
    labels = {roles[k] for k in ("area", "offence", "year", "area_coarser", "unit") if isinstance(roles.get(k), int)}
    # The table's columns: the header's, and the units' below it (each year merged over them).
    width = max([j for j, c in enumerate(header) if c.strip()] + list(below), default=-1) + 1
    for i in body:
        row = grid.rows[i]
        rnum = grid.numbers[i]
        if repeats_header(row, header, labels):
            # Not carried down as an area or offence to the rows below.
            first = next(j for j, c in enumerate(row) if c.strip())
            rejected.append(Rejection(rnum, header[first], REPEATED_HEADER))
            continue
        past = field_past(grid, row, width)
        if past is not None:
            rejected.append(Rejection(rnum, f"fält {past + 1}", SPLIT_ROW))
            continue

        def at(j, row=row):
            return row[j] if j is not None and j < len(row) else ""

        # Exports leave grouped (merged) area and offence cells blank below the first row.
        # With a coarser area column beside ("Län" left of "Kommun"), a row whose finer cell
        # is empty and coarser one is not is the coarser area's total.
        # A finer cell that is empty below a filled one carries it down while its offences
        # are new (a kommun written once over its offences); empty for an offence that
        # area already had, or saying "Totalt", it is the coarser area's total.
        written = without_mark(at(roles.get("offence")))
        offence = roles.get("offence_text") or _offence(written) or last_offence
        if written and offence == ALL_OFFENCES and norm(written) != norm(ALL_OFFENCES):
            totals_written.add(written)
        area_text, level = at(roles.get("area")), roles.get("area_level")
        area_col = roles.get("area")
        coarser = at(roles["area_coarser"]) if "area_coarser" in roles else ""
        carried = not area_text and last_area[0] and (last_area[0], offence) not in seen
        if "area_coarser" in roles and (norm(area_text) in _RIKET or (not area_text and not carried)) \
                and (coarser or last_coarser):
            area_text, level, area_col = coarser or last_coarser, roles["area_coarser_level"], roles["area_coarser"]
        elif not area_text:
            area_text, level, area_col = last_area
        seen.add((area_text, offence))
        last_coarser = coarser or last_coarser
        last_area, last_offence = (area_text, level, area_col), offence
        if not offence:
            rejected.append(Rejection(rnum, header[roles["offence"]], "brottstyp saknas"))
            continue
        if default_area:
            area = default_area
        else:
            area = resolve_area(area_text, gz, level)
            if area is None:
                rejected.append(Rejection(rnum, header[area_col], code_name_conflict(area_text, gz) or
                                          "okänt område (skriv t.ex. 'Stockholms län', 'Region Syd', 'Malmö' eller 'Hela landet')"))
                continue
        row_prel = "status" in roles and bool(re.search(r"prel|^p$|^ja$|^x$", at(roles["status"]).strip(), re.I))
        cells = []  # (year, preliminary, unit, text, column)
        if long_layout:
            ytext = at(roles["year"])
            ym = YEAR_IN.search(ytext)
            if not ym:
                rejected.append(Rejection(rnum, header[roles["year"]], "ogiltigt år"))
                continue
            if part_of_year(ytext):
                rejected.append(Rejection(rnum, header[roles["year"]], PART_OF_YEAR_REASON))
                continue
            if len(set(YEAR_IN.findall(ytext))) > 1:
                rejected.append(Rejection(rnum, header[roles["year"]], SPAN_REASON))
                continue
            yp = bool(re.search(r"\*|prel", ytext, re.I))
            for unit in ("count", "per_100k"):
                if unit in roles:
                    cells.append((int(ym[1]), yp, unit, at(roles[unit]), roles[unit]))
            if "value" in roles:
                u = at(roles.get("unit"))
                unit = "per_100k" if _is_per_100k(u) else ("count" if _is_count(u) else None)
                if unit is None:
                    rejected.append(Rejection(rnum, header[roles.get("unit", roles["value"])],
                                              "okänd enhet (väntat 'Antal' eller 'Per 100 000 invånare')"))
                    continue
                cells.append((int(ym[1]), yp, unit, at(roles["value"]), roles["value"]))
        else:
            for j, (y, yp, unit) in year_cols.items():
                if unit == "unit":
                    u = at(roles["unit"])
                    unit = "per_100k" if _is_per_100k(u) else ("count" if _is_count(u) else None)
                    if unit is None:
                        rejected.append(Rejection(rnum, header[roles["unit"]], "okänd enhet"))
                        break
                cells.append((y, yp, unit, at(j), j))
        # A year whose count or rate is rejected is rejected whole: its other value of the
        # row is not stored beside the rejection.
        values, bad_years = [], set()
        for year, yp, unit, text, col in cells:
            name = header[col] if col < len(header) and header[col] else unit_names.get(col, str(year))
            ok, v = _value(text, col in english or english_file and comma_grouped(without_mark(text)), unit == "count")
            problem = ("värdet är inte ett tal" if not ok
                       else "antalet är inte ett heltal" if unit == "count" and v is not None and v != int(v)
                       else "värdet är negativt" if v is not None and v < 0
                       else f"värdet är orimligt stort (över {MAX_VALUE:,})".replace(",", " ")
                       if v is not None and v >= MAX_VALUE else None)
            if problem:
                rejected.append(Rejection(rnum, name, problem))
                bad_years.add(year)
            values.append((year, yp, unit, text, name, v))
        for year, yp, unit, text, name, v in values:
            if year in bad_years:
                continue
            key = (area, offence, year)
            written_keys[key] = None
            if v is None:
                missing += 1
                continue
            # The same area, offence and year twice (a row pasted again, or a sub-heading such
            # as 'Mot kvinna' under two offences): see pipelines.readers.keyed.
            if keyed.add((*key, unit), int(v) if unit == "count" else v, rnum, name) and (
                    yp or row_prel or str(text).strip().endswith("*")):
                marked.add(key)
    # An area, offence and year whose count (or rate) was given twice with different values
    # is not read at all: its other value came from the same rows, now rejected.
    conflicting = {k[:3] for k in keyed.conflicting}
    records: dict[tuple, dict] = {}
    for (a, o, y, unit), v in keyed.values.items():
        if (a, o, y) not in conflicting:
            records.setdefault((a, o, y), {"count": None, "per_100k": None})[unit] = v
    rejected += keyed.rejections()
    all_years = {k[2] for k in written_keys}
    prelim_years = notes_preliminary_years(notes, all_years)
    retrieved, stated = _retrieved_at(notes)
    rows = [
        dict(area_code=a, offence_category=o, year=y, count=r["count"], per_100k=r["per_100k"],
             preliminary=(a, o, y) in marked or y in prelim_years, source=SOURCE, retrieved_at=retrieved)
        for (a, o, y) in written_keys if (r := records.get((a, o, y)))
    ]
    empty = sum(k not in records and k not in conflicting for k in written_keys)
    frame = pd.DataFrame(rows, columns=["area_code", "offence_category", "year", "count", "per_100k",
                                        "preliminary", "source", "retrieved_at"])
    frame["count"] = frame["count"].astype("Int64")
    lines = []
    if grid.sheet is not None:
        lines.append(f"Läste bladet '{grid.sheet}'.")
    if default_area:
        lines.append(f"Området {default_area} togs från rubriken.")
    if roles.get("spans"):
        lines.append("Kolumnen " + " och ".join(f"'{header[j]}'" for j in roles["spans"])
                     + " lästes inte in: den gäller flera år, och bra_statistic har ett värde per år.")
    if roles.get("other"):
        lines.append("Kolumnen " + " och ".join(f"'{header[j]}'" for j in roles["other"])
                     + " lästes inte in: bra_statistic gäller anmälda brott.")
    if totals_written:
        lines.append("Brottstypen " + " och ".join(f"'{t}'" for t in sorted(totals_written))
                     + f" (summan av alla brott) lästes in som '{ALL_OFFENCES}', Brås namn för den.")
    lines += keyed.lines()
    if missing:
        lines.append(f"{missing} värden saknades ('..') och lämnades tomma"
                     + (f"; {empty} rader utan något värde lästes inte in." if empty else "."))
    n_prel = int(frame["preliminary"].sum()) if len(frame) else 0
    if n_prel:
        lines.append(f"{n_prel} rader är preliminära enligt Brå (år "
                     + ", ".join(map(str, sorted(frame.loc[frame["preliminary"], "year"].unique()))) + ").")
    lines.append(f"Uttaget {retrieved:%Y-%m-%d}" + (" (enligt filen)." if stated else " (inläsningstid)."))
    return ReadResult(f"bra-{'xlsx' if grid.sheet is not None else 'csv'}", "bra_statistic",
                      {"bra_statistic": frame}, rejected, lines)


def read(path: Path, ctx: ReadContext, fmt: str) -> ReadResult:
    """Brå statistics as ``bra_statistic`` rows."""
    if fmt == "bra-html":
        gate_page(path)
    grids = workbook_grids(path) if fmt == "bra-xlsx" else [html_grid(path) if fmt == "bra-html" else csv_grid(path)]
    for g in grids:
        gate_grid(path.name, g)
    if fmt == "bra-xlsx":
        gate_workbook(path)  # after the cells, which name the cell
    usable = [g for g in grids if _find_header(g)]
    result = _read_grid(path.name, usable[0] if usable else grids[0], ctx)
    # _read_grid names csv or xlsx by the grid; a page is neither, and the load log names an
    # old .xls or an XML Spreadsheet as such (atgardsplan-xls does the same)
    result.source_format = f"bra-{workbook_kind(path)}" if fmt == "bra-xlsx" else fmt
    return result
