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
import re
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


def _json_texts(node, where: str = ""):
    # (path, text) for every string in a parsed JSON document, e.g. ("values[3].status", "…").
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _json_texts(value, f"{where}.{key}" if where else str(key))
    elif isinstance(node, list):
        for n, value in enumerate(node):
            yield from _json_texts(value, f"{where}[{n}]")
    elif isinstance(node, str):
        yield where, node


def check_json(file: str, doc) -> None:
    """Raise :class:`PersonnummerFound` for the first text in a parsed JSON document that
    holds a personnummer, naming its place as a path (fältet 'values[3].status')."""
    found = first_finding((f"fältet '{where}'", text) for where, text in _json_texts(doc))
    if found:
        raise PersonnummerFound(file, found.where)
