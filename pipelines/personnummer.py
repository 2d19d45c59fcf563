"""The personnummer gate: find Swedish personal identity numbers in text.

Recognises personnummer and samordningsnummer (day + 60) written as YYMMDD-NNNN,
YYMMDD+NNNN (over 100), YYMMDDNNNN, YYYYMMDD-NNNN and YYYYMMDDNNNN, with or without a
separator (hyphen, plus or a space; also the dashes, non-breaking hyphen and spaces that
text pasted from Word or the web carries, and spaces around the hyphen), also where a
web page's HTML character references write them ('850101&#45;1236'). A candidate counts only if its date is a real
calendar date and its control digit is right (Luhn), so ordinary numbers (amounts,
dates, phone numbers, organisation numbers) are not flagged.

Functions return *where* a number is, never the number itself: callers must not store,
log or echo it.
"""

from __future__ import annotations

import calendar
import html
import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

# Between date and serial: nothing, a space, or a hyphen or plus with spaces around it.
# Text pasted from Word or the web writes the space as a non-breaking one and the hyphen
# as an en or em dash (AutoCorrect), a non-breaking hyphen or a minus sign.
_SPACES = " \u00a0\u202f"
_DASHES = "-+\u2010-\u2014\u2212"  # a character class body: '-' first, then a range
_SPACE = f"[{_SPACES}]"
_DASH = f"[{_DASHES}]"
SEPARATOR = f"(?:{_SPACE}*{_DASH}{_SPACE}*|{_SPACE})?"
# A loose screen for bulk data (the incident CSV's staging statement, DuckDB's RE2): every
# candidate above matches it, and so does any HTML character reference (the exact check
# reads '850101&#45;1236' as the number it shows), so only the rows it flags need the
# exact check here.
SCREEN = r"\d{6}" + f"[{_DASHES}{_SPACES}]*" + r"\d{4}|&#?\w+;"
_CANDIDATE = re.compile(
    r"(?<![\d])(?:(?P<century>1[89]|20))?(?P<yy>\d{2})(?P<mm>\d{2})(?P<dd>\d{2})"
    + SEPARATOR + r"(?P<serial>\d{3})(?P<check>\d)(?![\d])"
)


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(digits):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def _date_ok(century: str | None, yy: str, mm: str, dd: str) -> bool:
    month, day = int(mm), int(dd)
    if day > 60:  # samordningsnummer
        day -= 60
    if not 1 <= month <= 12 or day < 1:
        return False
    # Without a century, accept the day if it exists in some year (29 Feb in a leap year).
    year = int((century or "20") + yy) if century else 2000 + int(yy)
    if century is None and month == 2 and day == 29:
        return True
    return day <= calendar.monthrange(year, month)[1]


def _readable(text: str) -> str:
    """``text`` as a web page shows it: a text copied from one (the police feed's, now and
    then) can write the hyphen, a space or a digit as an HTML character reference
    ('850101&#45;1236'), which a reader sees, and a page may show, as the number."""
    return html.unescape(text) if "&" in text else text


def _numbers(text: str):
    """The matches in ``text`` (as a web page shows it: :func:`_readable`) that are valid
    personnummer or samordningsnummer."""
    if not text or not isinstance(text, str):
        return
    for m in _CANDIDATE.finditer(_readable(text)):
        if _date_ok(m["century"], m["yy"], m["mm"], m["dd"]) and _luhn_ok(
                m["yy"] + m["mm"] + m["dd"] + m["serial"] + m["check"]):
            yield m


# The screen for XML (the parts of a workbook): six digits and four more with anything
# but a tag's or an attribute's bounds between them, or a character reference, which can
# write a digit or the hyphen ('850101&#45;0006'; '&amp;#45;' for a web page's own).
# Only the text or tag around what it flags needs the exact check.
_XML_SCREEN = re.compile(rb'\d{6}[^\d<>"]*\d{4}|&#|&amp;#')


def in_xml(data: bytes, start: int = 0, end: int | None = None) -> bool:
    """True if a text or an attribute value of the XML ``data`` (from ``start`` to
    ``end``) holds a personnummer, read as the XML says it (its character references
    resolved). Each text and each tag is checked on its own, so the numbers of two
    neighbouring cells never read as one."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16, as a few programs write XML
        data, start, end = data.decode("utf-16").encode(), 0, None
    end = len(data) if end is None else end
    checked = start
    for m in _XML_SCREEN.finditer(data, start, end):
        if m.start() < checked:
            continue  # in the text or tag just checked
        first = max(data.rfind(b"<", start, m.start()), data.rfind(b">", start, m.start())) + 1
        checked = min((i for i in (data.find(b"<", m.end(), end), data.find(b">", m.end(), end)) if i >= 0),
                      default=end)
        if contains_personnummer(html.unescape(data[first:checked].decode("utf-8", errors="replace"))):
            return True
    return False


# --- binary parts and packages inside a package -------------------------------------------
#
# A workbook carries more than XML: embedded objects (Infoga > Objekt: a Word document or
# a workbook, itself a zip package; or an OLE compound file, "oleObject1.bin", holding
# the object's streams, a packaged file or another package), printer settings, images
# and their previews. Text in them is 8-bit (ASCII, Latin-1, Windows-1252 or UTF-8) or
# UTF-16LE (Windows' own strings: an OLE directory, a preview's text records). A text
# compressed inside an image or a PDF is not seen.

# Six digits in a row (every personnummer starts so), as 8-bit or as UTF-16LE text:
# rare in other binary data, so only the bytes around them get the exact check. Found
# in a copy of the bytes where a digit is "0", a NUL "z" and anything else ".": bytes'
# translate and find run at memory speed (a pattern over a 10 MB image took 0.4 s).
_SHAPES = bytes(ord("0") if chr(b).isdigit() and b < 128 else ord("z") if b == 0 else ord(".") for b in range(256))
_DIGITS_8, _DIGITS_16 = b"0" * 6, b"0z" * 6
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_DEPTH = 5  # packages inside packages: a real workbook has one level, two at most
MAX_UNPACKED = 300 * 2**20  # what nested packages may unpack in all (the workbook's own limit)


class PackageTooLarge(ValueError):
    """Nested packages unpack to more than MAX_UNPACKED or nest deeper than MAX_DEPTH: what
    they hold cannot be screened, so the file must be refused."""


def in_binary(data: bytes) -> bool:
    """True if ``data`` holds a personnummer as 8-bit text (read as Windows-1252 and as
    UTF-8, so a dash written either way counts) or as UTF-16LE text (at either byte
    alignment). Only the bytes around six digits in a row are decoded and checked."""
    shapes = data.translate(_SHAPES)
    at = shapes.find(_DIGITS_8)
    while at >= 0:
        window = data[max(at - 6, 0):at + 40]
        if any(contains_personnummer(window.decode(codec, errors="replace")) for codec in ("cp1252", "utf-8")):
            return True
        at = shapes.find(_DIGITS_8, at + 20)
    at = shapes.find(_DIGITS_16)
    while at >= 0:
        first = max(at - 12, at % 2)  # keep the alignment of the digits found
        if contains_personnummer(data[first:at + 80].decode("utf-16-le", errors="replace")):
            return True
        at = shapes.find(_DIGITS_16, at + 40)
    return False


def in_package(zf, skip: Iterable[str] = (), budget: list[int] | None = None,
               depth: int = 0) -> tuple[str, ...] | None:
    """Where in the zip package ``zf`` (an .xlsx, .ods or .docx) a personnummer is, as the
    path of part names from the package down (a part of an embedded package named after
    the part holding it); None if nowhere. Parts named in ``skip`` (screened already) are
    passed over. XML parts are read as XML (:func:`in_xml`), every other part as bytes
    (:func:`in_blob`), and a part's name is checked too. Raises PackageTooLarge."""
    budget = [MAX_UNPACKED] if budget is None else budget
    if depth > MAX_DEPTH:
        raise PackageTooLarge("för djupt inbäddade paket")
    skip = set(skip)
    for info in zf.infolist():
        name = info.filename
        if contains_personnummer(name):
            return (name,)
        if name in skip or name.endswith("/"):
            continue
        budget[0] -= info.file_size
        if budget[0] < 0:
            raise PackageTooLarge("för stora inbäddade paket")
        data = zf.read(name)
        if name.lower().endswith((".xml", ".rels", ".vml")) and not data.startswith((ZIP_MAGIC, OLE_MAGIC)):
            if in_xml(data):
                return (name,)
            continue
        inner = in_blob(data, budget, depth)
        if inner is not None:
            return (name, *inner)
    return None


def in_blob(data: bytes, budget: list[int] | None = None, depth: int = 0) -> tuple[str, ...] | None:
    """Where in the bytes of one part a personnummer is: () for the bytes themselves, the
    path inside for an embedded package (a zip, found also after a header, as OLE's
    packaged file keeps it) or an OLE compound file's stream; None if nowhere."""
    budget = [MAX_UNPACKED] if budget is None else budget
    if in_binary(data):
        return ()
    if data.startswith(OLE_MAGIC):
        for stream, content in _ole_streams(data):
            if contains_personnummer(stream):
                return (stream,)
            inner = in_blob(content, budget, depth + 1)
            if inner is not None:
                return (stream, *inner)
        return None
    start = data.find(ZIP_MAGIC)
    if start >= 0:
        try:
            nested = zipfile.ZipFile(io.BytesIO(data[start:]))
        except (zipfile.BadZipFile, ValueError, EOFError):
            return None  # PK in other bytes: no package (its bytes were screened above)
        with nested:
            try:
                return in_package(nested, (), budget, depth + 1)
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, KeyError):
                return None  # a damaged embedded package: its bytes were screened above
    return None


def in_compound_file(data: bytes) -> tuple[str, ...] | None:
    """Where in an OLE compound file (an old .xls) a personnummer is: the path of the
    stream holding it (and inside it, as :func:`in_blob`), () when only the file's raw
    bytes show it (a text across two sectors of a damaged directory); None if nowhere.
    The streams come first, so that the place can be named."""
    for stream, content in _ole_streams(data):
        if contains_personnummer(stream):
            return (stream,)
        inner = in_blob(content, None, 1)
        if inner is not None:
            return (stream, *inner)
    return () if in_binary(data) else None


_FREE, _END_OF_CHAIN = 0xFFFFFFFF, 0xFFFFFFFE


def _ole_streams(data: bytes) -> list[tuple[str, bytes]]:
    """The streams of an OLE compound file (Microsoft's "Compound File Binary" format) as
    (name, content), read by its allocation tables, so a stream's sectors are put
    together wherever they lie; [] for a damaged file (its raw bytes are screened anyway)."""
    try:
        return list(_read_ole(data))
    except (struct.error, IndexError, ValueError):
        return []


def _read_ole(data: bytes):
    sector_size = 1 << struct.unpack_from("<H", data, 0x1E)[0]
    mini_size = 1 << struct.unpack_from("<H", data, 0x20)[0]
    n_fat, first_dir = struct.unpack_from("<II", data, 0x2C)
    cutoff, first_mini_fat, _, first_difat, n_difat = struct.unpack_from("<IIIII", data, 0x38)
    if not 128 <= sector_size <= 4096 or n_fat > len(data) // 4:
        raise ValueError("not a compound file")

    def sector(n: int) -> bytes:
        return data[(n + 1) * sector_size:(n + 2) * sector_size]

    fat_sectors = [n for n in struct.unpack_from("<109I", data, 0x4C) if n < _END_OF_CHAIN]
    difat, seen = first_difat, set()
    while difat < _END_OF_CHAIN and difat not in seen and n_difat:
        seen.add(difat)
        entries = struct.unpack(f"<{sector_size // 4}I", sector(difat))
        fat_sectors += [n for n in entries[:-1] if n < _END_OF_CHAIN]
        difat = entries[-1]
    fat = []
    for n in fat_sectors[:n_fat]:
        block = sector(n)
        fat += struct.unpack(f"<{len(block) // 4}I", block)

    def chain(start: int, table: list[int]) -> list[int]:
        out, seen = [], set()
        while start < len(table) and start not in seen:
            seen.add(start)
            out.append(start)
            start = table[start]
        return out

    def read(start: int) -> bytes:
        return b"".join(sector(n) for n in chain(start, fat))

    directory = read(first_dir)
    entries = [directory[i:i + 128] for i in range(0, len(directory) - 127, 128)]
    if not entries:
        return
    root_start, root_size = struct.unpack_from("<II", entries[0], 0x74)
    mini_stream = read(root_start)[:root_size] if root_start < _END_OF_CHAIN else b""
    mini_fat_bytes = read(first_mini_fat) if first_mini_fat < _END_OF_CHAIN else b""
    mini_fat = list(struct.unpack(f"<{len(mini_fat_bytes) // 4}I", mini_fat_bytes[:len(mini_fat_bytes) // 4 * 4]))
    for entry in entries[1:]:
        name_length, kind = struct.unpack_from("<HB", entry, 0x40)
        if kind != 2:  # a stream (storages only hold streams, which are listed here too)
            continue
        start, size = struct.unpack_from("<II", entry, 0x74)
        name = entry[:max(name_length - 2, 0)].decode("utf-16-le", errors="replace")
        if size < cutoff:
            content = b"".join(mini_stream[n * mini_size:(n + 1) * mini_size] for n in chain(start, mini_fat))
        else:
            content = read(start)
        yield name, content[:size]


def contains_personnummer(text: str) -> bool:
    """True if ``text`` holds something that is a valid personnummer or samordningsnummer."""
    return next(_numbers(text), None) is not None


def mask(text: str) -> str:
    """``text`` with every personnummer written as ÅÅMMDD-XXXX: for naming something whose
    name holds one (a file name) without repeating the number."""
    text = _readable(text)  # the places found are in the text as shown
    shown, end = [], 0
    for m in _numbers(text):
        shown += [text[end:m.start()], "ÅÅMMDD-XXXX"]
        end = m.end()
    return "".join(shown) + text[end:]


@dataclass(frozen=True)
class Finding:
    """Where a personnummer was found (never what it was)."""

    where: str  # e.g. "rad 12, kolumn 'text'" or "blad 'Unga', cell F14"


class PersonnummerFound(ValueError):
    """Raised by readers; the message names the place, not the number."""

    def __init__(self, file: str, where: str):
        self.file = file
        self.where = where
        super().__init__(
            f"{file}: {where} innehåller ett personnummer eller samordningsnummer. "
            "Filen lästes inte in. Ta bort numret ur filen och läs in den igen."
        )


def first_finding(cells: Iterable[tuple[str, object]]) -> Finding | None:
    """Scan ``(where, value)`` pairs; return the first place holding a personnummer."""
    for where, value in cells:
        if isinstance(value, str) and contains_personnummer(value):
            return Finding(where)
        if isinstance(value, int) and not isinstance(value, bool) and contains_personnummer(str(value)):
            return Finding(where)
    return None


def json_texts(node, where: str = ""):
    """(path, text) for every string in a parsed JSON document, e.g. ("values[3].status", "…")."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from json_texts(value, f"{where}.{key}" if where else str(key))
    elif isinstance(node, list):
        for n, value in enumerate(node):
            yield from json_texts(value, f"{where}[{n}]")
    elif isinstance(node, str):
        yield where, node


def check_json(file: str, doc) -> None:
    """Raise :class:`PersonnummerFound` for the first text in a parsed JSON document that
    holds a personnummer, naming its place as a path (fältet 'values[3].status')."""
    found = first_finding((f"fältet '{where}'", text) for where, text in json_texts(doc))
    if found:
        raise PersonnummerFound(file, found.where)
