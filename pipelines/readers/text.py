"""Helpers for Swedish text files as users have them: encoding, delimiter, decimals, and
JSON saved as lines or as answers one after another; periods shorter than a year."""

from __future__ import annotations

import csv
import io
import json
import math
import re
from pathlib import Path

from pipelines.loading import FileRejected

# A period shorter than a year: '2024K1', '2024 kv 1', '2024Q1', '2024M01', '2024H1', a week
# '2024V52' or '2024W52', the quarter first ('Kv1 2024', 'Q1 2024', 'K1 2024'), 'januari 2024',
# 'halvår 1', 'vecka 52'.
PART_OF_YEAR = re.compile(r"(?:19|20)\d{2}\s*[-:]?\s*(?:[KQMHVW]\s*\d|kv)|\b(?:kv|[KQ])\s*\.?\s*[1-4]\s*[-/:,]?\s*(?:19|20)\d{2}"
                          r"|kvartal|halvår|vecka|\b(?:jan|feb|mar|apr|maj|jun|jul|aug|sep|okt|nov|dec)[a-zé]*\b", re.I)
# A month written with digits, as ISO and Excel write it: '2024-01', '2024/1', '01/2024', '1.2024'.
NUMERIC_MONTH = re.compile(r"^\s*(?:(?:19|20)\d{2}\s*[-/.]\s*(?:0?[1-9]|1[0-2])|(?:0?[1-9]|1[0-2])\s*[-/.]\s*(?:19|20)\d{2})"
                           r"\s*(?:\*|\(?prel\.?\)?)?\s*$", re.I)
DATE_IN = re.compile(r"(?<!\d)((?:19|20)\d{2})-(\d{2})-(\d{2})(?!\d)")
ONE_DATE = re.compile(r"^\s*(?:19|20)\d{2}-\d{2}-\d{2}(?:[T ]00:00(?::00)?)?\s*$")


def part_of_year(text: str) -> bool:
    """Whether a period is shorter than a year: a quarter, half-year or month by name or code
    (PART_OF_YEAR), a month in digits ('2024-01'), a date (a cell Excel made a date of), or
    two dates of one year that are not its first and last day ('2024-01-01 – 2024-06-30').
    '2024-01-01 – 2024-12-31' is the year."""
    if PART_OF_YEAR.search(text) or NUMERIC_MONTH.match(text):
        return True
    dates = DATE_IN.findall(text)
    if len(dates) == 2 and dates[0][0] == dates[1][0]:
        return (dates[0][1:], dates[1][1:]) != (("01", "01"), ("12", "31"))
    # One date: a day, or a month Excel made a date of ('2024-01' typed in a cell is
    # 2024-01-01, shown as 'jan-24'); a year typed is a number, never a date.
    return len(dates) == 1 and bool(ONE_DATE.match(text))


# Symbols of Swedish official statistics (SCB, Brå) and the PX format in a value's place:
# a dash is zero ("inget finns att redovisa"); '..' (not available), '.' (cannot occur),
# PX's one to six dots, '…' and 'x' (not published) are missing.
_ZERO_SYMBOLS = ("-", "–", "—", "\u2212")
_MISSING_SYMBOL = re.compile(r"\.{1,6}|…|[xX]|")


def statistics_symbol(text: str) -> tuple[bool, float | None] | None:
    """(True, 0.0) for the symbol of zero, (True, None) for a missing value (or an empty
    cell), None when ``text`` is no symbol (a number, or text that is neither): the one
    rule the SCB and Brå readers share."""
    t = str(text).strip()
    if t in _ZERO_SYMBOLS:
        return True, 0.0
    if _MISSING_SYMBOL.fullmatch(t):
        return True, None
    return None


_BINARY_HINTS = (b"\x00", b"PK\x03\x04", b"\x89PNG", b"%PDF", b"\x1f\x8b")


def decode(data: bytes, file_name: str) -> str:
    """Bytes to text: UTF-8 (with or without BOM), else Windows-1252; garbage is refused."""
    if not data.strip():
        raise FileRejected(file_name, "filen är tom. Kontrollera att rätt fil valdes och att den sparades färdigt.")
    if any(data[:4096].startswith(h) or h == b"\x00" and h in data[:4096] for h in _BINARY_HINTS):
        raise FileRejected(file_name, "filen är inte en textfil (binärt innehåll). Spara den som CSV (UTF-8) och försök igen.")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode(legacy_encoding(data), errors="replace")
        if text.count("\ufffd") > max(3, len(text) // 200):
            raise FileRejected(file_name, "filens teckenkodning känns inte igen. Spara den som CSV UTF-8.") from None
        return text


# Swedish letters as bytes: in Mac Roman (ä å ö Ä Å Ö é ü) and in Windows-1252 (the same
# letters). Windows-1252 reads the first set as € Å … Š Œ š Ž Ÿ and others no Swedish text
# holds; Mac Roman reads the second as ‰ Â ˆ and the like.
_MAC_ROMAN_LETTERS = re.compile(rb"[\x8a\x8c\x9a\x80\x81\x85\x8e\x9f]")
_MAC_ROMAN_SMALL = re.compile(rb"[\x8a\x8c\x9a]")
_WINDOWS_LETTERS = re.compile(rb"[\xe4\xe5\xf6\xc4\xc5\xd6\xe9\xfc]")


def legacy_encoding(data: bytes) -> str:
    """The encoding of text that is not UTF-8: 'mac_roman' when its Swedish letters are
    Mac Roman's (Excel for Mac saves 'CSV' so: 'Malmö' read as Windows-1252 is 'Malmš'),
    else 'cp1252' (Excel for Windows). Mac Roman needs a small ä, å or ö and more of its
    letters than Windows-1252's, so a Windows file with a '€' and no å, ä or ö stays one."""
    mac = len(_MAC_ROMAN_LETTERS.findall(data))
    return "mac_roman" if _MAC_ROMAN_SMALL.search(data) and mac > len(_WINDOWS_LETTERS.findall(data)) else "cp1252"


# The Swedish month names, January first (follow-up openings "Mars:", police notices
# "02 januari 18.30, …").
MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
          "november", "december")


def excel_separator(first_line: str) -> str | None:
    """The delimiter a first line ``sep=;`` names, else None. Tools write that line so that
    Excel splits the columns; Excel then hides it, so the header is the row after it."""
    m = re.fullmatch(r"sep=(.)\s*", first_line.lstrip("\ufeff"), re.IGNORECASE)
    return m[1] if m else None


def sniff_delimiter(header_line: str) -> str:
    """The delimiter of a Swedish CSV header: ';' (Excel's Swedish default), ',' or tab."""
    counts = {d: header_line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a small CSV file, decoded and with its delimiter found."""
    text = decode(Path(path).read_bytes(), Path(path).name)
    first = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text), delimiter=sniff_delimiter(first))
    rows = list(reader)
    header = [h.strip() for h in rows[0]] if rows else []
    return header, rows[1:]


_GROUPED = {sep: re.compile(rf"^[+-]?\d{{1,3}}(?:\{sep}\d{{3}})+$") for sep in ",."}
# A number only an English Excel writes: comma thousands before a decimal point, or two
# comma groups ("13,662.3", "1,441,900"); a Swedish one never has both, or two commas.
_ENGLISH = re.compile(r"^\s*-?\d{1,3}(?:(?:,\d{3})+\.\d+|(?:,\d{3}){2,})\s*$")


def english_written(text: str) -> bool:
    """Whether ``text`` is a number only an English Excel writes: a column holding one
    reads every comma as a thousands separator (``parse_number(…, english=True)``)."""
    return bool(_ENGLISH.match(text or ""))


# A minus sign or en dash copied from a page or a report ('−4,5'), read as the minus it is.
_MINUS = str.maketrans({"\u2212": "-", "\u2013": "-"})


def parse_number(text: str, english: bool = False) -> float | None:
    """'1 234,5' or '1234.5' to a float; None when empty or not a number. Any space
    (also the no-break, narrow no-break and thin spaces of Swedish number formats) is a
    thousands separator. With both a comma and a full stop the last one is the decimal
    sign ('1.234,5' as a German or Swedish Excel writes it, '13,662.3' as an English one);
    one sign repeated between groups of three digits separates thousands ('1,234,567',
    '1.234.567'). A single comma is the Swedish decimal comma ('1,234' is 1.234), except in
    a column an English Excel wrote (``english``, see :func:`english_written`), where every
    comma separates thousands ('13,662' beside '13,662.3' is 13662). A minus sign (U+2212,
    as our own exports and many web pages write it) or a dash before the digits is a minus."""
    if text is None:
        return None
    t = re.sub(r"\s+", "", str(text)).translate(_MINUS)
    if english:
        t = t.replace(",", "")
    if t in ("", "..", "-", "–"):
        return None
    if "," in t and "." in t:
        decimal = "," if t.rindex(",") > t.rindex(".") else "."
        thousands = "." if decimal == "," else ","
        whole, _, fraction = t.rpartition(decimal)
        if thousands in fraction or not _GROUPED[thousands].match(whole):
            return None  # '1.2,3' or '1,23.4': not a number in any locale
        t = whole.replace(thousands, "") + "." + fraction
    elif any(t.count(sep) > 1 and _GROUPED[sep].match(t) for sep in ",."):
        t = t.replace(",", "").replace(".", "")
    else:
        t = t.replace(",", ".")
    try:
        value = float(t)
    except ValueError:
        return None
    return value if math.isfinite(value) else None  # 'NaN', 'inf' and '1e999' are no counts


# A whole number grouped in thousands by one sign, a comma or a full stop ('12,000',
# '1.234.567'), the first group without a leading zero.
_THOUSANDS = re.compile(r"^[+-]?[1-9]\d{0,2}([,.])\d{3}(?:\1\d{3})*$")


def comma_grouped(text: str) -> bool:
    """Whether ``text`` is a whole number grouped in thousands by commas ('40,000'), as only
    an English Excel writes a count."""
    return bool(_THOUSANDS.match(re.sub(r"\s+", "", text or ""))) and "," in text


def parse_count(text: str, english: bool = False) -> float | None:
    """A count (people, offences) as :func:`parse_number` reads a number, except that a
    comma or full stop before groups of three digits separates thousands: '12,000' as an
    English Excel writes twelve thousand, '12.000' as a German or Danish one. A count is
    whole, so these are never twelve with three decimals; read so, twelve thousand
    people or offences were stored as 12."""
    if text is not None and _THOUSANDS.match(re.sub(r"\s+", "", str(text))):
        return float(re.sub(r"[\s,.]", "", str(text)))
    return parse_number(text, english)


def swedish_list(items, limit: int | None = None, more: str = "") -> str:
    """Items as a Swedish sentence lists them: 'a', 'a och b', 'a, b och c'.

    The load report's one way to list rows, cells and the like ('rad 4, 5 och 9'). Beyond
    ``limit`` it names the first ``limit`` and counts the rest in ``more``, the items'
    plural: '4, 5, 6 och 12 rader till'. One item over the limit is named, not counted.
    """
    items = [str(item) for item in items]
    if limit is not None and len(items) > limit + 1:
        return ", ".join(items[:limit]) + f" och {len(items) - limit} {more} till".replace("  ", " ")
    return ", ".join(items[:-1]) + " och " + items[-1] if len(items) > 1 else "".join(items)


_DASHES = re.compile(r"\s*[-\u2010\u2011\u2012\u2013\u2014\u2212]\s*")


def choice(text: str, allowed) -> str | None:
    """The value of ``allowed`` that ``text`` spells, as people write it: any case, a dash
    as Word or Excel makes it (en or em dash, minus sign, non-breaking hyphen) or with
    spaces around it, repeated spaces. None when it spells none of them."""
    def key(value: str) -> str:
        return " ".join(_DASHES.sub("-", str(value)).split()).casefold()

    wanted = key(text or "")
    return next((value for value in allowed if key(value) == wanted), None)


def json_lines(file: str, text: str, item: str) -> list | None:
    """The values of a JSON Lines text (one JSON value per line), or None if it is not one:
    objects each on its own, and the items of a list on a line (a whole answer on its line,
    answers appended to one file). ``item`` names what a line holds, for the message ('en
    händelse'). A line that is not JSON after a good first line is named: the file was cut
    off while being written.
    """
    values = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip(" \t\ufeff")  # an answer appended with its own byte order mark
        if not line:
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError:
            try:  # answers on this line appended without a newline between them ("…}][{…")
                value = json_values(line) if values else None
            except json.JSONDecodeError:
                value = None
            if value is not None:
                values.extend(value)
                continue
            if not values:
                return None
            raise FileRejected(
                file, f"rad {number} är inte giltig JSON (filen har {item} per rad, JSON Lines) – "
                "raden kan vara avbruten. Rätta eller ta bort raden; inget lästes in.") from None
        if isinstance(value, list):  # a whole answer on its line: answers appended to one file
            values.extend(value)
        elif isinstance(value, dict):
            values.append(value)
        else:
            return None
    return values or None


_BETWEEN_VALUES = re.compile(r"[\s\ufeff]*")


def json_values(text: str) -> list | None:
    """The objects of JSON values written one after another (a list's items each), or None
    if it is not that.

    ``curl … >> svar.json`` appends each answer right after the one before (an API's
    answer need not end with a newline: ``…}][{…``), and ``jq '.[] | select(…)'`` writes
    each object indented. Raises ``json.JSONDecodeError`` where a value after the first
    breaks off (a collector stopped while writing), so the message points there.
    """
    decoder = json.JSONDecoder()
    values, pos = [], _BETWEEN_VALUES.match(text).end()
    while pos < len(text):
        try:
            value, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError:
            if not values:
                return None
            raise
        if isinstance(value, list):
            values.extend(value)
        elif isinstance(value, dict):
            values.append(value)
        else:
            return None  # a number or text after the answer ("200" from curl -w '%{http_code}')
        pos = _BETWEEN_VALUES.match(text, pos).end()
    return values or None
