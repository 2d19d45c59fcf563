"""The follow-up cell of an action plan (Uppföljning): dated entries, rounds and status.

A cell holds entries such as::

    250415: Start i mars, 22 deltagare.
    250905: 41 deltagare. VB: Läxhjälpen har nått 58 deltagare. Åtgärden bedöms
    vara delvis uppnådd.

Each entry starts with a marker followed by a colon: a date (``250828``, ``20250828``,
``2025-08-28``), a year-end summary (``VB``, ``VB 2025``, ``Verksamhetsberättelse``) or a
tertial (``T2``, ``Uppföljning T2``, ``Tertial 2``). A date that opens a line needs no
colon (``250828 Start i mars``). The rules are documented in
docs/sources/atgardsplan.md; this module is pure text handling, no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from pipelines.readers.text import MONTHS

NOT_ASSESSED = "ej bedömd"

_DATE = r"\d{6}|\d{8}|\d{4}-\d{2}-\d{2}"
_MARKER = re.compile(
    r"(?:(?<=[\s.;,()])|^)"
    r"(?:"
    rf"(?P<date>{_DATE})"
    r"|(?P<vb>VB|Vb|vb|[Vv]erksamhetsberättelsen?)(?:\s*[-–]?\s*(?P<vb_year>(?:20)?\d{2}))?"
    r"|(?:[Uu]ppföljning\s+)?(?P<t>[Tt][123]|[Tt]ertial\s*[123])(?:\s*[-–/]?\s*(?P<t_year>(?:20)?\d{2}))?"
    r"(?:\s*\([^()\n]{1,20}\))?"  # "T2 (aug):", "T3 (nov 2025):"
    r")"
    r"\s*:",
)

# Openings that count only at a line's start, so that the same words inside a sentence
# stay text:
# - a date, in the forms above or "25-08-28", "2025.08.28", followed by a colon, a dash,
#   a full stop ("250828. Start"), text after a space ("250828 Start i mars"), or nothing
#   (a date alone on its line, its text on the next, or alone in the cell: no text);
# - a day and month "31/3:", "28/8 2025:" (the plan's year unless one is written), only
#   with its colon ("1/3 av deltagarna …" is text);
# - a day and month written "31.3:", "31.3.2025:" or "31 mars:", "31 mars 2025:" (the
#   same, only with its colon);
# - a month "Mars:", "April 2025:" (no day: the entry is undated, in the month's round);
# - a week "v. 12:", "V12:", "Vecka 12 2025:" (no day either: undated, in the round of
#   the week's Thursday, which is the day ISO uses to place a week in its year);
# - a quarter "Q3:", "Q3 2025:", "Kv 3:", "Kvartal 3:" or a school term "HT 2025:",
#   "VT:", "Hösttermin:" (no day: undated, in the round the period ends in, as its
#   follow-up is written at its end: Q1 T1, Q2 and Q3 T2, Q4 T3, VT T2, HT T3; before,
#   such an entry was an undated year-end summary, VB);
# - a numbered follow-up "Uppföljning 1:" (the first follow-up is T1, and so on);
# - the kommun's own reports: "Årsredovisning:", "Helår:", "Årsuppföljning:" are the
#   year-end summary (VB); "Delår:", "Delårsrapport:" the interim report a kommun makes
#   per 31 August, so T2.
_LINE_DATES = r"\d{4}\.\d{1,2}\.\d{1,2}|\d{4}-\d{1,2}-\d{1,2}|\d{8}|\d{2}-\d{2}-\d{2}|\d{6}"
# Month names as written, in full or shortened ("Nov:", "Sept 2025:", "aug.:").
_MONTH_WORDS = {name: n for n, name in enumerate(MONTHS, start=1)} | {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "okt": 10,
    "nov": 11, "dec": 12}
_MONTH_NAMES = "(?:" + "|".join(sorted(_MONTH_WORDS, key=len, reverse=True)) + r")\.?"
_LINE_OPENING = re.compile(
    r"^[ \t]*(?:"
    rf"(?P<date>{_LINE_DATES})(?!\d)(?:[ \t]*[:\-–][ \t]*|\.(?=\s|$)[ \t]*|[ \t]+(?=[^\s:])|(?=[ \t]*$))"
    r"|(?:uppföljning[ \t]+)?(?P<day>\d{1,2})[/.](?P<month>\d{1,2})(?:[ \t]*[-–.]?[ \t]*(?P<year>(?:20)?\d{2}))?[ \t]*:"
    rf"|(?:uppföljning[ \t]+)?(?P<nday>\d{{1,2}})[ \t]+(?P<nmonth>{_MONTH_NAMES})(?:[ \t]+(?P<nyear>20\d{{2}}))?[ \t]*:"
    rf"|(?:uppföljning[ \t]+)?(?P<name>{_MONTH_NAMES})(?:[ \t]+(?P<name_year>20\d{{2}}))?[ \t]*:"
    r"|(?P<year_end>årsredovisning(?:en)?|helår(?:suppföljning)?|årsuppföljning(?:en)?)(?:[ \t]+(?P<year_end_year>20\d{2}))?[ \t]*:"
    r"|(?P<interim>delår(?:srapport(?:en)?|sbokslut(?:et)?)?)(?:[ \t]+(?P<interim_year>20\d{2}))?[ \t]*:"
    r"|(?:v\.?|vecka)[ \t]*(?P<week>\d{1,2})(?:[ \t]+(?P<week_year>20\d{2}))?[ \t]*:"
    r"|(?:uppföljning[ \t]+)?(?:q|kv\.?|kvartal)[ \t]*(?P<quarter>[1-4])(?:[ \t]*[-–/]?[ \t]*(?P<quarter_year>(?:20)?\d{2}))?[ \t]*:"
    r"|(?:uppföljning[ \t]+)?(?P<term>vt|ht|vårtermin(?:en)?|hösttermin(?:en)?)"
    r"(?:[ \t]*[-–/]?[ \t]*(?P<term_year>(?:20)?\d{2}))?[ \t]*:"
    r"|uppföljning[ \t]+(?:nr\.?[ \t]*)?(?P<n>[123])[ \t]*:"
    r")",
    re.MULTILINE | re.IGNORECASE,
)

# The one table of status words: each word as people write it (in an assessment
# sentence, after "Status:", alone in an entry, in a Status column) and the status it
# gives before any qualifier ("ej", "inte", "delvis") is applied. Used by the follow-up
# cell here and by the workbook's Status column (atgardsplan.py).
STATUS_WORDS = {
    "uppnådd": "uppnådd", "uppnått": "uppnådd", "uppnådda": "uppnådd", "uppnåd": "uppnådd",
    "genomförd": "uppnådd", "genomfört": "uppnådd", "genomförda": "uppnådd",
    "klar": "uppnådd", "klart": "uppnådd", "avslutad": "uppnådd", "avslutat": "uppnådd",
    "slutförd": "uppnådd", "slutfört": "uppnådd",
    "påbörjad": "påbörjad", "påbörjat": "påbörjad", "påbörjade": "påbörjad",
    "pågår": "påbörjad", "pågående": "påbörjad", "startad": "påbörjad", "startat": "påbörjad",
    "igång": "påbörjad",
}
# The assessment words proper may go on ("bedöms vara uppnådd i sin helhet"); the others
# are everyday words ("klar för uthyrning", "genomförd enligt plan"), so they count only
# where they end the sentence or clause.
_PROPER = "uppnå(?:dd|tt|dda|d)|påbörja(?:d|t|de)"
_EVERYDAY = "|".join(sorted((w for w in STATUS_WORDS if not re.fullmatch(_PROPER, w)), key=len, reverse=True))
# "enligt plan" / "som planerat" after a word says the same as the word alone
# ("Genomförd enligt plan", "Pågår som planerat"): the plan is what the word is measured by.
# "Pågående arbete" is "Pågår" as a drop-down writes it.
_AS_PLANNED = r"\s+(?:enligt\s+plan(?:en)?|som\s+planerat)\b|(?<=pågående)\s+arbete\b"
_STATUS_WORD = (
    r"(?P<q>(?:(?:ej|inte)\s+helt|ej|inte|delvis|helt|fullt|i\s+sin\s+helhet)\s+)?"
    rf"(?P<s>(?:{_PROPER})\b|(?:{_EVERYDAY})(?=\s*(?:[.!?;,)]|$)|{_AS_PLANNED}))"
)
# "Klart!" alone is as often "of course!" as "done", so in a follow-up note it is no
# assessment unless qualified; in a Status column (stated_status) it is the status.
_NOT_ALONE_IN_NOTES = {"klart"}

# "bedöms" + up to four words + "vara"/"som" + the status. The words in between may not
# be verbs that turn the sentence into something else ("bedöms ha förbättrat …",
# "bedöms kunna vara …"), and may not cross a sentence end.
_ASSESSMENT = re.compile(
    r"\bbedöm(?:s|ts|des)\b"
    r"(?P<neg>\s+(?:inte|ej))?"
    r"(?P<mid>(?:\s+(?!(?:vara|som|ha|har|haft|kunna|kan|bli)\b)[\w\-]+){0,4}?)"
    r"\s+(?:vara|som)\s*:?\s+"
    + _STATUS_WORD,
    re.IGNORECASE,
)
_LABELLED = re.compile(r"\b(?:bedömning|status)\s*:\s*" + _STATUS_WORD, re.IGNORECASE)
# An entry that is nothing but the status ("VB: Delvis uppnådd.", "VB: Pågår", "Ej
# startad", "Delvis", "Genomförd enligt plan", "Pågående arbete"), as a drop-down list or
# a hurried hand writes it. A word inside a longer sentence ("Vi har inte startat ännu",
# "Genomförd i mars") is narrative.
_BARE = re.compile(r"^\s*(?:" + _STATUS_WORD + rf"(?:{_AS_PLANNED})?"
                   r"|(?P<delvis>delvis))\s*[.!]?\s*$", re.IGNORECASE)

# A measure the organisation has dropped ("Utgår", "Stryks", "Åtgärden har strukits"):
# none of the five statuses says so, so the measure keeps the status its follow-up gives
# and the reader reports it (atgardsplan.read_area).
_DROPPED = re.compile(
    r"^\s*(?:åtgärden\s+(?:har\s+)?)?(?:utgår|utgått|stryks|struken|strukits|struket|avbruten|avbrutet|avbröts)"
    r"\s*[.!]?\s*$", re.IGNORECASE)


def dropped(text: str) -> bool:
    """True for a follow-up entry or status that is nothing but "the measure is dropped"."""
    return bool(_DROPPED.match(normalise(text)))


_ROUND_ORDER = {"T1": 1, "T2": 2, "T3": 3, "VB": 4}
# Where an entry without a date sorts among dated ones: at the end of its tertial.
_ROUND_END = {"T1": (4, 30), "T2": (9, 30), "T3": (12, 31)}


@dataclass
class Entry:
    """One follow-up entry: when, which round, what it says, what it assessed."""

    followup_date: date | None
    round: str
    text: str
    status: str  # NOT_ASSESSED when the entry holds no assessment sentence
    # The year a round's marker names ("VB 2024:", "T2 2024:", "Delår 2024:"), None when
    # it names none. A date, a month or a week says when the entry was written (January
    # for the last tertial), not which year's round it is, and gives none.
    year: int | None = None
    # The statuses the assessment named when it named several ("uppnådd/påbörjad"), least
    # favourable first; ``status`` is the first of them. Empty otherwise.
    hedged: tuple[str, ...] = ()
    # The cell had no marker at all: a year-end (VB) entry without a date only by default
    # (a plan sheet's text beside round sheets is read as the first round's, _as_rounds).
    unmarked: bool = field(default=False, compare=False)
    # The date as written when it opens the entry but is no date ("250230:", "251340:"):
    # the entry is kept without a date (its assessment counts) and the reader reports it.
    bad_date: str = field(default="", compare=False)


def normalise(text: str) -> str:
    """Collapse line breaks and spaces so a sentence wrapped over lines reads as one."""
    text = re.sub(r"(?<=[a-zåäö])-\s*\n\s*(?=[a-zåäö])", "", text)  # "upp-\nnådd"
    return re.sub(r"\s+", " ", text).strip()


def _status_of(m: re.Match) -> str:
    """The status one matched status word gives, with its qualifier: before the word
    ("ej", "delvis", "inte helt") or, in an assessment sentence, anywhere between
    "bedöms" and "vara" ("bedöms därför inte vara uppnådd", "bedöms till viss del vara
    uppnådd")."""
    if m.groupdict().get("delvis"):
        return "delvis uppnådd"
    qualifier = " ".join((m["q"] or "").lower().split())
    between = f" {' '.join((m.groupdict().get('mid') or '').lower().split())} "
    status = STATUS_WORDS[m["s"].lower()]
    partly = qualifier in ("delvis", "ej helt", "inte helt") or " delvis " in between or " till viss del " in between
    if status == "uppnådd" and partly:
        return "delvis uppnådd"
    if m.groupdict().get("neg") or qualifier in ("ej", "inte") or " inte " in between or " ej " in between:
        return "ej uppnådd"
    return status


def assessment(text: str) -> str | None:
    """The status the text assesses (its last assessment sentence), or None if none."""
    found = _assessed(text)
    return found[0] if found else None


def _assessed(text: str) -> tuple[str, tuple[str, ...]] | None:
    """(the status the text assesses, the statuses it named when it named several): an
    assessment naming alternatives ("bedöms vara uppnådd/påbörjad", "… uppnådd eller
    delvis uppnådd", "… genomförd (delvis)") is read as the least favourable of them."""
    flat = normalise(text)
    found = [(m.start(), m) for m in _ASSESSMENT.finditer(flat)]
    found += [(m.start(), m) for m in _LABELLED.finditer(flat)]
    bare = _BARE.match(flat)
    if bare and not (bare["s"] and bare["s"].lower() in _NOT_ALONE_IN_NOTES and not bare["q"]):
        found.append((bare.start(), bare))
    if not found:
        return None
    _, m = max(found, key=lambda pair: pair[0])
    readings, end = [_status_of(m)], m.end()
    while alternative := _ALTERNATIVE.match(flat, end):
        readings.append(_status_of(alternative))
        end = alternative.end()
    if len(set(readings)) == 1:
        return readings[0], ()
    ordered = tuple(sorted(set(readings), key=CAUTIOUS_ORDER.index))
    return ordered[0], ordered


# An alternative after an assessment's status word: "/påbörjad", " eller delvis uppnådd",
# or a qualifier in brackets, "(delvis)".
_ALTERNATIVE = re.compile(
    r"\s*(?:/|\s(?:eller|alternativt)\s)\s*(?P<q>(?:(?:ej|inte)\s+helt|ej|inte|delvis|helt|fullt)\s+)?"
    r"(?P<s>" + "|".join(sorted(STATUS_WORDS, key=len, reverse=True)) + r")(?!\w)"
    r"|\s*\(\s*(?P<delvis>delvis|(?:ej|inte)\s+helt)\s*\)", re.IGNORECASE)


# What a template's drop-down puts around its status words: a number that keeps the
# options in order ("3. Genomförd", "2 - Pågår", "(1) Ej påbörjad") and signs before or
# after the word ("🟢 Genomförd", "Klar ✅"). Emoji, dingbats and geometric shapes only:
# a word or a year ("2025 Pågår") is no decoration.
_SIGNS = "[\U0001F300-\U0001FAFF\u2190-\u21FF\u2300-\u23FF\u25A0-\u27BF\u2B00-\u2BFF\uFE0F]"
_OPTION_DECORATION = re.compile(
    rf"^(?:{_SIGNS}\s*)*(?:\(?[1-9]\)?(?:\s*[.):]\s*|\s*[-–—]\s+|\s+))?|(?:\s*{_SIGNS})+$")


# A check mark alone in a Status column ("✅", "✔", "☑"): done, as "Klar ✓" is.
_CHECK_MARK = re.compile(r"^\s*[✅✔✓☑]\ufe0f?\s*$")

# A cross or a box in a Status column says nothing a coordinator can rely on. "☒" is a
# ticked box in Word's forms, and a cross ("kryss") is how Swedish forms mark a choice,
# but a cross is also "no" or "not done" ("❌", "✗"), and an empty box ("☐") is a box no
# one ticked: not started, or not yet followed up? Alone, none of them is read; beside a
# word, only "☒" (ticked) decorates it, and the others leave the word unread unless it
# says "ej …" itself ("❌ Ej påbörjad"): "Klar ❌" or "☐ Klar" may well mean not done.
CROSS_SIGNS = "☐☒☓✕✖✗✘❌❎"
_LONE_SIGN = re.compile(rf"^\s*(?:[{CROSS_SIGNS}]\ufe0f?\s*)+$")
_NEGATING_SIGN = re.compile(rf"[{CROSS_SIGNS.replace('☒', '')}]")
# Options written in one cell with a box before each, as a Word form's checkbox list is
# pasted: "☐ Ej påbörjad ☒ Pågår ☐ Klar". The ticked box's word is the status.
_BOX_OPTION = re.compile(r"([☐☒☑])\ufe0f?\s*([^☐☒☑]+)")
CHECKBOX_LIST = re.compile(r"^\s*[☐☒☑]\ufe0f?\s*[^☐☒☑]+[☐☒☑]")


def ambiguous_sign(text: str) -> str | None:
    """The cross or box that leaves a Status column's cell unread (see CROSS_SIGNS), or
    None: a sign alone ("☒", "❌", "☐"), or beside a word that does not say "ej …" itself
    ("Klar ❌", "☐ Klar"). A checkbox list ("☐ Ej påbörjad ☒ Pågår") is read instead
    (:func:`stated_status`) when exactly one of its boxes is ticked."""
    if _LONE_SIGN.match(text):
        return next(ch for ch in text if ch in CROSS_SIGNS)
    if _ticked_option(text) is not None:
        return None
    sign = _NEGATING_SIGN.search(text)
    if sign is None:
        return None
    word = _plain_status(_NEGATING_SIGN.sub(" ", text))
    return None if word in ("ej uppnådd", NOT_ASSESSED) else sign[0]


def _ticked_option(text: str) -> str | None:
    """The status of a checkbox list's one ticked option ("☐ Ej påbörjad ☒ Pågår ☐ Klar":
    påbörjad), '' when the cell is such a list but no single ticked option is a status
    word, None when it is no list (fewer than two boxes, or text before the first)."""
    options = _BOX_OPTION.findall(text)
    if len(options) < 2 or text[:text.index(options[0][0])].strip():
        return None
    ticked = [word for box, word in options if box in "☒☑"]
    return (_plain_status(ticked[0]) or "") if len(ticked) == 1 else ""


def stated_status(text: str) -> str | None:
    """The status a Status column's cell states ("Pågår", "GENOMFÖRD.", "Klart",
    "Delvis uppnådd", "3. Genomförd", "🟢 Genomförd", a check mark alone, "✅", which is
    "uppnådd" as "Klar ✓" is, or an assessment sentence), else None.

    Also as people qualify the word: with a remark in brackets after it ("Pågår
    (försenad)"), as two words for the same status ("Genomförd/avslutad"), or as the share
    done ("100 %", see :func:`percent_status`). A remark or a second word that is a status
    of its own ("Delvis (pågår)", "Pågår/klar") leaves the cell unread: which is meant?"""
    if _CHECK_MARK.match(text):
        return "uppnådd"
    ticked = _ticked_option(text)
    if ticked is not None:
        return ticked or None
    if ambiguous_sign(text):
        return None
    return _plain_status(text)


def _plain_status(text: str) -> str | None:
    """:func:`stated_status` of a cell without crosses or checkbox lists."""
    flat = _OPTION_DECORATION.sub("", normalise(text))
    if _NOT_ASSESSED_WORDS.fullmatch(flat):  # the fifth status, as the plan's own list writes it
        return NOT_ASSESSED
    bare = _BARE.match(flat)
    if bare:
        return _status_of(bare)
    remark = _REMARK.match(flat)
    if remark and not _names_status(remark["remark"]):
        return stated_status(remark["word"])
    parts = [p for p in re.split(r"\s*/\s*", flat) if p]
    if len(parts) > 1:
        statuses = {stated_status(p) for p in parts}
        return statuses.pop() if len(statuses) == 1 and None not in statuses else None
    return percent_status(flat) or assessment(text)


# The four assessed statuses from the least favourable to the most: a cell that can be
# read as several of them is read as the first (never as the more favourable).
CAUTIOUS_ORDER = ("ej uppnådd", "påbörjad", "delvis uppnådd", "uppnådd")
# Any status word in a hedging cell, with its qualifier, or a qualifier alone ("Klar
# (delvis)", "Genomförd (ej helt)"). "Nästan" (almost) qualifies as "delvis" does.
_ANY_STATUS = re.compile(
    r"(?<!\w)(?P<q>(?:(?:ej|inte)\s+helt|ej|inte|delvis|helt|fullt)\s+)?"
    r"(?P<s>" + "|".join(sorted(STATUS_WORDS, key=len, reverse=True)) + r")(?!\w)"
    r"|(?<!\w)(?P<delvis>delvis|(?:ej|inte)\s+helt)(?!\w)", re.IGNORECASE)
_NEARLY = re.compile(r"(?<!\w)nästan(?!\w)", re.IGNORECASE)
MAX_HEDGED_WORDS = 15  # a longer text in a Status column is narrative, not a hedged status


@dataclass(frozen=True)
class Hedged:
    """How a Status column's hedging cell was read (:func:`hedged_status`)."""

    status: str | None  # the least favourable reading; None when the cell is unclear
    readings: tuple[str, ...]  # the statuses the cell can be read as, least favourable first


def hedged_status(text: str) -> Hedged | None:
    """The cautious reading of a Status column's cell that :func:`stated_status` leaves
    unread because it hedges, else None (no status word in it at all).

    - Several statuses ("Pågår/klar", "Klar (delvis)", "Delvis (pågår)", "Genomförd (ej
      helt)"): the least favourable of them (CAUTIOUS_ORDER); "Ej bedömd" among them
      makes the cell unclear.
    - One status in doubt (a question mark, "Ej påbörjad?") or with other words around it
      ("Påbörjad men pausad", "Klar i stort sett"): that status when nothing less
      favourable could be meant by it (a question mark: only "ej uppnådd"; other words:
      anything but "uppnådd", which words around it may well qualify); else unclear.

    An unclear cell gives no status (``status`` None): the cell is in doubt, so it does not
    decide, and the follow-up text's own assessment gives the status as for a cell with no
    status word."""
    if ambiguous_sign(text) or _ticked_option(text) is not None:
        return None  # reported as such (a cross or a box is no hedge)
    flat = _NEARLY.sub("delvis", _OPTION_DECORATION.sub("", normalise(text)))
    if len(flat.split()) > MAX_HEDGED_WORDS:
        return None
    readings = {_status_of(m) for m in _ANY_STATUS.finditer(_NOT_ASSESSED_WORDS.sub(" ", flat))}
    if _NOT_ASSESSED_WORDS.search(flat):
        readings.add(NOT_ASSESSED)
    if not readings:
        return None
    ordered = tuple(sorted(readings, key=lambda r: CAUTIOUS_ORDER.index(r) if r in CAUTIOUS_ORDER else -1))
    if NOT_ASSESSED in readings:
        return Hedged(None, ordered)
    if len(readings) > 1:
        return Hedged(ordered[0], ordered)
    [reading] = ordered
    doubted = "?" in flat
    if (doubted and reading != CAUTIOUS_ORDER[0]) or (not doubted and reading == "uppnådd"):
        return Hedged(None, ordered)
    return Hedged(reading, ordered)


_NOT_ASSESSED_WORDS = re.compile(r"(?:ej|inte)\s+(?:bedömd|bedömt|bedömda)(?:\s+ännu)?\s*[.!]?", re.IGNORECASE)
# A status word with a remark in brackets after it ("Pågår (försenad)", "Klar (maj)").
_REMARK = re.compile(r"^(?P<word>[^()]+?)\s*\((?P<remark>[^()]*)\)\s*[.!]?$")
# A share done ("50 %", "100%", "0 %", "33,3 %").
_PERCENT = re.compile(r"^(?P<n>\d{1,3}(?:[.,]\d+)?)\s*(?:%|procent)$", re.IGNORECASE)


def _names_status(text: str) -> bool:
    """Whether a remark is a status of its own or qualifies the word ("delvis", "ej")."""
    # A check mark after the word ("Klar (✓)") ticks it off; it is no second status.
    return bool(re.search(r"\b(?:ej|inte|delvis)\b", text, re.IGNORECASE)) \
        or (not _CHECK_MARK.match(text) and stated_status(text) is not None)


def percent_status(text: str) -> str | None:
    """The status a share done states: 100 % uppnådd, 1–99 % påbörjad, 0 % ej uppnådd (as
    "Ej påbörjad" is); None for anything else (over 100 %, or no percentage)."""
    m = _PERCENT.match(text.strip())
    if not m:
        return None
    share = float(m["n"].replace(",", "."))
    if share > 100:
        return None
    return "uppnådd" if share == 100 else "påbörjad" if share > 0 else "ej uppnådd"


def round_for_date(day: date, plan_year: int | None) -> str:
    """The tertial a dated entry belongs to.

    T1 = January–April, T2 = May–September, T3 = October–December of the plan year.
    A date before the plan year counts to T1, a date after it (a follow-up written in
    January for the last tertial) to T3.
    """
    if plan_year is not None and day.year < plan_year:
        return "T1"
    if plan_year is not None and day.year > plan_year:
        return "T3"
    if day.month <= 4:
        return "T1"
    if day.month <= 9:
        return "T2"
    return "T3"


def _date_parts(token: str, plan_year: int | None) -> tuple[int, int, int]:
    """(year, month, day) as a date marker writes them, the year of ÅÅMMDD (or ÅÅ-MM-DD)
    in full: the century that puts it nearest the plan year ("990415" in a 2025 plan is
    1999, not 2099, and so sorts before the plan's entries, not after them all), 20ÅÅ
    without a plan year."""
    if m := re.fullmatch(r"(\d{4})[-.](\d{1,2})[-.](\d{1,2})", token):  # "2025-9-5" too
        return int(m[1]), int(m[2]), int(m[3])
    digits = token.replace("-", "").replace(".", "")
    if len(digits) == 6:
        return _full_year(int(digits[:2]), plan_year), int(digits[2:4]), int(digits[4:])
    return int(digits[:4]), int(digits[4:6]), int(digits[6:])


def _full_year(two_digits: int, plan_year: int | None) -> int:
    """A two-digit year in the century nearest the plan year (2000 + it without one)."""
    if plan_year is None:
        return 2000 + two_digits
    century = plan_year - plan_year % 100
    return min((century - 100 + two_digits, century + two_digits, century + 100 + two_digits),
               key=lambda year: abs(year - plan_year))


def _parse_date(token: str, plan_year: int | None = None) -> date | None:
    try:
        return date(*_date_parts(token, plan_year))
    except ValueError:
        return None


def _misdated(token: str, plan_year: int | None) -> int | None:
    """For a marker that is meant as a date but is none ("250230:", "251340:",
    "2025-02-30:"): its month (0 when the month is no month either), else None. A date is
    meant when its year is the plan year or next to it; other digits ("123456:", a case
    number) are text."""
    if plan_year is None or _parse_date(token, plan_year) is not None:
        return None
    year, month, _ = _date_parts(token, plan_year)
    if abs(year - plan_year) > 1:
        return None
    return month if 1 <= month <= 12 else 0


def _misdated_round(month: int, plan_year: int) -> str | None:
    """The round of an entry whose date is no date: its month's when the month is one
    ("250230:" was written in February: T1), else None (the entry before it decides)."""
    return round_for_date(date(plan_year, month, 1), plan_year) if month else None


def _month(written: str) -> int:
    """The number of a month name as the openings match it ("Mars", "nov.", "Sept")."""
    return _MONTH_WORDS[written.lower().rstrip(".")]


def _year(written: str | None) -> int | None:
    """A marker's year as a number: "2024", or "24" for 2024."""
    return None if not written else int(written) + (2000 if len(written) == 2 else 0)


def _markers(text: str, plan_year: int | None) -> list[tuple[int, int, date | None, str, int | None, str]]:
    """(start, end, date, round, the year the marker names, the date as written when it is
    no date) of every entry opening, in written order."""
    found = []
    for m in _MARKER.finditer(text):
        if m["date"]:
            day = _parse_date(m["date"], plan_year)
            if day is not None:  # six digits that are no date are ordinary text…
                found.append((m.start(), m.end(), day, round_for_date(day, plan_year), None, ""))
            elif (month := _misdated(m["date"], plan_year)) is not None:  # …unless meant as one
                found.append((m.start(), m.end(), None, _misdated_round(month, plan_year), None, m["date"]))
        elif m["vb"]:
            found.append((m.start(), m.end(), None, "VB", _year(m["vb_year"]), ""))
        else:
            found.append((m.start(), m.end(), None, f"T{m['t'][-1]}", _year(m["t_year"]), ""))
    for m in _LINE_OPENING.finditer(text):
        if m["date"]:
            day = _parse_date(m["date"], plan_year)
            # Without a colon only a day and month that could be ("250230 Start"; "250000
            # kronor beviljades" is text).
            if day is None and (month := _misdated(m["date"], plan_year)) \
                    and 1 <= _date_parts(m["date"], plan_year)[2] <= 31:
                found.append((m.start(), m.end(), None, _misdated_round(month, plan_year), None, m["date"]))
                continue
        elif m["day"] or m["nday"]:
            year = int(m["year"] or m["nyear"] or 0) or plan_year
            if year and year < 100:  # "28/8-25": the century nearest the plan year
                year = _full_year(year, plan_year)
            month = int(m["month"]) if m["day"] else _month(m["nmonth"])
            try:
                day = date(year, month, int(m["day"] or m["nday"])) if year else None
            except ValueError:
                day = None
        elif m["year_end"] or m["interim"]:
            found.append((m.start(), m.end(), None, "VB" if m["year_end"] else "T2",
                          _year(m["year_end_year"] or m["interim_year"]), ""))
            continue
        elif m["week"]:
            year = int(m["week_year"]) if m["week_year"] else plan_year
            try:
                thursday = date.fromisocalendar(year or 2000, int(m["week"]), 4)
            except ValueError:
                continue  # "v. 60:" is no week: text
            found.append((m.start(), m.end(), None, round_for_date(thursday, plan_year), None, ""))
            continue
        elif m["quarter"] or m["term"]:
            # The month the period ends in: a quarter's third, June for the spring term
            # (VT), December for the autumn term (HT).
            end = 3 * int(m["quarter"]) if m["quarter"] else 6 if m["term"].lower().startswith("v") else 12
            year = _year(m["quarter_year"] or m["term_year"]) or plan_year
            found.append((m.start(), m.end(), None, round_for_date(date(year or 2000, end, 1), plan_year), None, ""))
            continue
        elif m["name"]:
            month = _month(m["name"])
            year = int(m["name_year"]) if m["name_year"] else plan_year
            found.append((m.start(), m.end(), None, round_for_date(date(year or 2000, month, 1), plan_year), None, ""))
            continue
        else:
            found.append((m.start(), m.end(), None, f"T{m['n']}", None, ""))
            continue
        if day is not None:
            found.append((m.start(), m.end(), day, round_for_date(day, plan_year), None, ""))
    # The same opening can match both patterns ("250828: " at a line's start): keep the
    # first, longest one.
    found.sort(key=lambda mk: (mk[0], -mk[1]))
    kept: list[tuple[int, int, date | None, str | None, int | None, str]] = []
    for mk in found:
        if not kept or mk[0] >= kept[-1][1]:
            # A date meant but with no month ("251340:") follows the entry before it.
            if mk[3] is None:
                mk = (*mk[:3], kept[-1][3] if kept else "VB", *mk[4:])
            kept.append(mk)
    return kept


def parse(text: str | None, plan_year: int | None = None) -> list[Entry]:
    """Split a follow-up cell into entries, in the order they are written.

    Text before the first marker belongs to the first entry; a cell without any marker
    is one year-end (VB) entry without a date.
    """
    if not text or not text.strip():
        return []
    markers = _markers(text, plan_year)
    if not markers:
        entry = _entry(None, "VB", text.strip(), None)
        entry.unmarked = True
        return [entry]
    entries = []
    lead = text[: markers[0][0]].strip()
    for i, (_, end, day, rnd, year, bad_date) in enumerate(markers):
        stop = markers[i + 1][0] if i + 1 < len(markers) else len(text)
        body = text[end:stop].strip()
        if i == 0 and lead:
            body = f"{lead}\n{body}".strip()
        entry = _entry(day, rnd, body, year)
        entry.bad_date = bad_date
        entries.append(entry)
    return entries


def _entry(day: date | None, rnd: str, body: str, year: int | None) -> Entry:
    status, hedged = _assessed(body) or (NOT_ASSESSED, ())
    return Entry(day, rnd, body, status, year, hedged)


def latest_status(entries: list[Entry], plan_year: int | None = None) -> str:
    """The measure's status: the latest assessment among the entries, else 'ej bedömd'.

    "Latest" is by date, entries without a date sorting at the end of their tertial and
    the VB summary last; entries written in the same place keep their written order.
    """
    year = plan_year or next((e.followup_date.year for e in entries if e.followup_date), 2000)
    keyed = []
    for pos, e in enumerate(entries):
        if e.round == "VB":
            key = (date.max, pos)
        elif e.followup_date is not None:
            key = (e.followup_date, pos)
        else:
            month, day = _ROUND_END[e.round]
            key = (date(year, month, day), pos)
        keyed.append((key, e))
    assessed = [(k, e) for k, e in keyed if e.status != NOT_ASSESSED]
    if not assessed:
        return NOT_ASSESSED
    return max(assessed, key=lambda pair: pair[0])[1].status
