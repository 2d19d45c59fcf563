"""Swedish formatting of numbers, shares, months and tables for the screen.

Conventions (one place, so every page agrees):

- Thousands are separated by a no-break space (U+00A0, ``THOUSANDS``) so a number never
  breaks across lines; the decimal sign is a comma: ``1 234,5``. Plotly figures use
  ``layout.separators = ", "`` (see ``charts.SEPARATORS``) which gives the same look.
- Percentages carry a no-break space before the sign: ``12,3 %``.
- In tables (:func:`display_table`, :func:`display_arrow`) a negative number takes the
  minus sign (U+2212, ``MINUS``), as wide as ``+``, and a change column (``signed``) its
  sign either way: ``+12``, ``−3,5 %``. So do Översikt's cards (st.metric's delta, from
  ``components.count_delta``; ``components.delta_look`` sets the arrow and colour, as
  Streamlit reads only a leading hyphen-minus as a fall). Elsewhere (captions, hover
  labels) negative numbers keep the hyphen-minus.
- Number columns of a table are right-aligned on screen and sort as numbers;
  :func:`numeric_headers` names them, :func:`shown_numbers` reads the numbers their texts
  show (``components.dataframe`` gives the grid those numbers, drawn with the texts).
- A value hidden by disclosure control (suppression) is shown as ``..`` (SUPPRESSED);
  any other missing value as ``–`` (MISSING).
- Months: ``mars 2025`` (long) or ``2025-03`` (ISO); dates ISO ``2025-03-31``.

These functions are for display only; exports write numbers as numbers
(see ``dashboard.exports``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import math
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from numbers import Number
from typing import NamedTuple

from dashboard import lazy

pd = lazy.module("pandas")  # dates and numbers in the sidebar need no pandas (cold start)

THOUSANDS = "\u00a0"
DECIMAL = ","
SUPPRESSED = ".."
MISSING = "–"
MINUS = "\u2212"  # a table's negative number: "−3", never "-3"

MONTHS = (
    "januari", "februari", "mars", "april", "maj", "juni",
    "juli", "augusti", "september", "oktober", "november", "december",
)  # fmt: skip
MONTHS_SHORT = ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


def is_missing(value) -> bool:
    """True for None, NaN, NaT and pandas NA."""
    if value is None:
        return True
    if isinstance(value, str | list | tuple | dict | set | int):
        return False
    if isinstance(value, float | dt.date):  # NaN and NaT (a date subclass) differ from themselves
        return value != value
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def number(value, decimals: int = 0) -> str:
    """``1234.5`` -> ``1 234,5`` (no-break space for thousands, comma for decimals)."""
    if is_missing(value):
        return MISSING
    return _number_text(float(value), decimals)


def _number_text(x: float, decimals: int) -> str:
    # number() for a float known not to be missing (display_table's column fast path).
    if math.isinf(x) or x != x:
        return MISSING
    text = f"{x:,.{decimals}f}"
    if text[0] == "-" and text.lstrip("-").strip("0.,") == "":  # -0,0 reads as a sign error
        text = text.lstrip("-")
    return text.replace(",", "\x00").replace(".", DECIMAL).replace("\x00", THOUSANDS)


def rounded(column: pd.Series, decimals: int) -> pd.Series:
    """``column`` rounded as :func:`number` shows it (the text's digits, not numpy's
    round-half-even of a binary float: 7.45 shows as 7,5 and is 7.5 here), missing values
    kept: an export holds the numbers a page shows."""
    return column.map(lambda x: x if is_missing(x) else float(f"{float(x):.{decimals}f}"))


def integer(value) -> str:
    """A count: ``12345`` -> ``12 345``."""
    return number(value, 0)


def count(n: int, singular: str, plural: str) -> str:
    """A count with its noun in the right number: ``1 plan``, ``2 planer``, ``1 234 åtgärder``."""
    return f"{integer(n)} {singular if n == 1 else plural}"


def rate(value, decimals: int = 1) -> str:
    """A rate (per 100 000 inhabitants, per 1 000 aged 12–17): one decimal by default."""
    return number(value, decimals)


def percent(value, decimals: int = 1) -> str:
    """A value already in percent: ``12.34`` -> ``12,3 %``."""
    if is_missing(value):
        return MISSING
    return f"{number(value, decimals)}{THOUSANDS}%"


def share(value, decimals: int = 1) -> str:
    """A fraction as a percentage: ``0.1234`` -> ``12,3 %``."""
    if is_missing(value):
        return MISSING
    return percent(float(value) * 100.0, decimals)


def change(value, decimals: int = 1, *, unit: str = "%") -> str:
    """A signed change: ``12.3`` -> ``+12,3 %``; ``unit=""`` for a plain number."""
    if is_missing(value):
        return MISSING
    text = number(value, decimals)
    if not text.startswith("-") and float(value) != 0 and text.strip("0,") != "":
        text = "+" + text
    return f"{text}{THOUSANDS}{unit}" if unit else text


def _as_date(value) -> dt.date:
    if isinstance(value, dt.datetime):  # pd.Timestamp too
        return value.date()
    if isinstance(value, dt.date):
        return value
    return pd.Timestamp(value).date()


def month(value, style: str = "long") -> str:
    """``2025-03-01`` -> ``mars 2025`` (``long``), ``mar 2025`` (``short``) or ``2025-03`` (``iso``)."""
    if is_missing(value):
        return MISSING
    d = _as_date(value)
    if style == "iso":
        return f"{d.year:04d}-{d.month:02d}"
    if style == "short":
        return f"{MONTHS_SHORT[d.month - 1]} {d.year}"
    if style == "long":
        return f"{MONTHS[d.month - 1]} {d.year}"
    raise ValueError(f"okänd månadsstil {style!r}: använd long, short eller iso")


def date(value, style: str = "iso") -> str:
    """``2025-03-31`` (``iso``) or ``31 mars 2025`` (``long``)."""
    if is_missing(value):
        return MISSING
    d = _as_date(value)
    if style == "iso":
        return d.isoformat()
    if style == "long":
        return f"{d.day} {MONTHS[d.month - 1]} {d.year}"
    raise ValueError(f"okänd datumstil {style!r}: använd iso eller long")


def period(start, end) -> str:
    """A month range: ``jan 2025 – mars 2025`` (one month: ``mars 2025``)."""
    a, b = month(start), month(end)
    return a if a == b else f"{a} – {b}"


def short_period(start, end, *, years: bool = True) -> str:
    """A month range in few characters, for a legend or a choice's label: ``nov 2024–okt 2025``,
    ``jan–okt 2025`` within one year, ``2025`` for a whole calendar year (``jan–dec 2025``
    with ``years=False``), ``mar 2025`` for one month."""
    a, b = _as_date(start), _as_date(end)
    if (a.year, a.month) == (b.year, b.month):
        return month(a, "short")
    if a.year == b.year:
        if years and (a.month, b.month) == (1, 12):
            return str(a.year)
        return f"{MONTHS_SHORT[a.month - 1]}–{month(b, 'short')}"
    return f"{month(a, 'short')}–{month(b, 'short')}"


# --- suppression flags ----------------------------------------------------------------------


def suppressed_mask(df: pd.DataFrame, column: str) -> pd.Series:
    """Rows where ``column`` is hidden by disclosure control.

    The suppression engine marks a hidden value with ``<column>_suppressed`` (or, for a
    frame with one value column, ``suppressed``). A flagged value is treated as hidden even
    if a number is present, so a display can never leak it.
    """
    flag = _suppression_flag(df, column)
    if flag is None:
        return pd.Series(False, index=df.index)
    return df[flag].fillna(False).astype(bool)


def _suppression_flag(df: pd.DataFrame, column: str) -> str | None:
    """The column that flags ``column``'s hidden values, or None when nothing can be hidden."""
    for flag in (f"{column}_suppressed", "suppressed"):
        if flag in df.columns and flag != column:
            return flag
    return None


# --- tables ---------------------------------------------------------------------------------


def _table_number(x: float, decimals: int, signed: bool = False) -> str:
    """A table's number: :func:`_number_text` with the minus sign (U+2212) and, for a
    change (``signed``), "+" before a positive one ("+12", "−3", "0")."""
    text = _number_text(x, decimals)
    if text[0] == "-":
        return MINUS + text[1:]
    if signed and text != MISSING and x > 0 and text.strip("0,") != "":
        return "+" + text
    return text


def _cell(value, decimals: int | None, kind: str, signed: bool = False) -> str:
    if is_missing(value):
        return MISSING
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if kind in ("percent", "share"):
        x = float(value) * (100.0 if kind == "share" else 1.0)
        return f"{_table_number(x, 1 if decimals is None else decimals, signed)}{THOUSANDS}%"
    if isinstance(value, pd.Timestamp | dt.date):
        return date(value)
    if isinstance(value, Number):
        if decimals is None:
            decimals = 0 if float(value).is_integer() else 1
        return _table_number(float(value), decimals, signed)
    return str(value)


def _is_number_column(series: pd.Series) -> bool:
    dtype = series.dtype
    return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)


def _column_texts(series: pd.Series, decimals: int | None, kind: str, signed: bool = False) -> list[str]:
    """Display texts of one column: whole-column paths for text and numbers (a table of
    thousands of rows is formatted on every rerun), ``_cell`` per value otherwise.
    ``signed``: a change, "+12" and "−3"."""
    dtype = series.dtype
    if kind == "plain" and isinstance(dtype, pd.StringDtype):
        # Every present value of a string column is a str (missing: NaN or NA); a list
        # comprehension is a few times cheaper than astype/where/tolist per column.
        return [v if isinstance(v, str) else MISSING for v in series.tolist()]
    if _is_number_column(series):
        values = series.to_numpy(dtype=float, na_value=float("nan")).tolist()
        if kind == "share":
            d = 1 if decimals is None else decimals
            return [MISSING if v != v else f"{_table_number(v * 100.0, d, signed)}{THOUSANDS}%" for v in values]
        if kind == "percent":
            d = 1 if decimals is None else decimals
            return [MISSING if v != v else f"{_table_number(v, d, signed)}{THOUSANDS}%" for v in values]
        if decimals is not None:
            return [MISSING if v != v else _table_number(v, decimals, signed) for v in values]
        return [MISSING if v != v else _table_number(v, 0 if v.is_integer() else 1, signed) for v in values]
    return [_cell(v, decimals, kind, signed) for v in series.tolist()]


class _Kinds(NamedTuple):
    """How a table's columns are shown beyond their dtype (see :func:`display_table`)."""
    percent: frozenset = frozenset()
    share: frozenset = frozenset()
    months: frozenset = frozenset()
    signed: frozenset = frozenset()
    dates: frozenset = frozenset()

    @classmethod
    def of(cls, **columns: Iterable[str]) -> _Kinds:
        return cls(**{k: frozenset(v) for k, v in columns.items()})

    def key(self) -> tuple:
        return tuple(tuple(sorted(v)) for v in self)


def display_table(
    df: pd.DataFrame,
    columns: Mapping[str, str],
    decimals: Mapping[str, int] | None = None,
    *,
    percent: Iterable[str] = (),
    share: Iterable[str] = (),
    months: Iterable[str] = (),
    signed: Iterable[str] = (),
) -> pd.DataFrame:
    """A table of display strings with Swedish headers, in the order of ``columns``.

    ``columns`` maps source column -> Swedish header. ``decimals`` fixes the decimals per
    column (default: 0 for whole numbers, 1 otherwise). Columns in ``percent`` are already
    in percent, columns in ``share`` are fractions; columns in ``months`` render as
    ``mars 2025``; columns in ``signed`` are changes, shown with their sign ("+12",
    "−3,5 %"). A negative number takes the minus sign (U+2212). Suppressed values render
    as ``..``, other missing values as ``–``.
    """
    decimals = dict(decimals or {})
    kinds = _Kinds.of(percent=percent, share=share, months=months, signed=signed)
    _check_columns(df, columns)
    key = _table_key(df, columns, decimals, kinds)
    if key is not None:
        hit = _recall(_TABLES, key)
        if hit is not None:
            return hit.copy()
    table = _display_table(df, columns, decimals, kinds)
    if key is not None:
        _keep(_TABLES, key, table.copy())
    return table


# The schema metadata key of display_arrow's tables naming their number columns (JSON).
NUMERIC_KEY = b"lagesbild.numeric"


def display_arrow(
    df: pd.DataFrame | Callable[[], pd.DataFrame],
    columns: Mapping[str, str],
    decimals: Mapping[str, int] | None = None,
    *,
    percent: Iterable[str] = (),
    share: Iterable[str] = (),
    months: Iterable[str] = (),
    signed: Iterable[str] = (),
    dates: Iterable[str] = (),
    identity: tuple | None = None,
):
    """:func:`display_table`'s table as an Arrow table, for ``st.dataframe``: Streamlit
    converts a pandas frame to Arrow on every rerun (a few milliseconds per table), so the
    converted table is remembered with the display table. Same texts, same headers.

    Columns in ``dates`` stay dates (Arrow date32, missing as null), so the browser's grid
    sorts them by time and shows them ISO (``2025-03-14``); ``st.dataframe``'s
    ``placeholder`` says what a missing one shows (``components.dataframe``: "–").
    The headers of number columns (numbers, percent, share, signed) are named in the
    schema's metadata (:func:`numeric_headers`), for the page to right-align them.

    The table is remembered by the frame's content (pickled and hashed), or, when the
    caller gives ``identity``, by that instead: a hashable value that determines the
    frame completely (the database version and every filter it was made from). For a
    large frame (the measure register) pickling the content cost ~7 ms per rerun. With
    ``identity``, ``df`` may also be a function returning the frame, called only when the
    table is not remembered (a page's ``assign`` of a display column costs ~1 ms a rerun)."""
    import json

    import pyarrow as pa

    decimals = dict(decimals or {})
    kinds = _Kinds.of(percent=percent, share=share, months=months, signed=signed, dates=dates)
    if identity is not None:
        key = ("identity", tuple(columns.items()), tuple(sorted(decimals.items())), kinds.key(), identity)
    else:
        key = _table_key(df, columns, decimals, kinds)
    if key is not None:
        hit = _recall(_ARROW, key)
        if hit is not None:
            return hit
    if callable(df):
        df = df()
    _check_columns(df, columns)
    # Built from the texts directly: every cell is a str (pandas' object columns made
    # Arrow infer each column's type, twice the time, plus the frame itself).
    texts = _display_columns(df, {c: h for c, h in columns.items() if c not in kinds.dates}, decimals, kinds)
    arrays = {}
    for col, header in columns.items():
        if col in kinds.dates:
            if _suppression_flag(df, col) is not None:
                raise ValueError(f"kolumnen {col!r} kan döljas och kan inte visas som datum")
            arrays[header] = pa.array([None if is_missing(v) else _as_date(v) for v in df[col].tolist()],
                                      type=pa.date32())
        else:
            arrays[header] = pa.array(texts[header], type=pa.string())
    numeric = [header for col, header in columns.items() if _numeric(df, col, kinds)]
    table = pa.table(arrays, metadata={NUMERIC_KEY: json.dumps(numeric).encode()})
    if key is not None:
        _keep(_ARROW, key, table)  # Arrow tables are immutable: shared as they are
    return table


def _numeric(df: pd.DataFrame, col: str, kinds: _Kinds) -> bool:
    """Whether a table shows ``col`` as a number (right-aligned on screen)."""
    if col in kinds.months or col in kinds.dates:
        return False
    return (col in kinds.percent or col in kinds.share or col in kinds.signed) or _is_number_column(df[col])


def numeric_headers(table) -> list[str]:
    """The headers of a :func:`display_arrow` table's number columns (none for another table)."""
    import json

    metadata = getattr(getattr(table, "schema", None), "metadata", None) or {}
    return json.loads(metadata[NUMERIC_KEY]) if NUMERIC_KEY in metadata else []


def _recall(cache: OrderedDict, key):
    """The table remembered under ``key`` (now the most recent), or None."""
    with _TABLES_LOCK:
        hit = cache.get(key)
        if hit is not None:
            cache.move_to_end(key)
        return hit


def _keep(cache: OrderedDict, key, table) -> None:
    """Remember ``table`` under ``key``, forgetting the least recent beyond _TABLES_MAX."""
    with _TABLES_LOCK:
        cache[key] = table
        while len(cache) > _TABLES_MAX:
            cache.popitem(last=False)


# Display tables by content: a page rerun formats the same tables again (another widget
# changed, or the query cache answered), thousands of cells in Python each time.
_TABLES: OrderedDict[tuple, pd.DataFrame] = OrderedDict()
_TABLES_MAX = 128
_TABLES_LOCK = threading.Lock()
_ARROW: OrderedDict[tuple, object] = OrderedDict()


def _check_columns(df: pd.DataFrame, columns: Mapping[str, str]) -> None:
    for col in columns:
        if col not in df.columns:
            raise KeyError(f"kolumnen {col!r} saknas i tabellen")


def content_digest(value) -> bytes | None:
    """A digest of ``value``'s content, data frames and all; None when something in it
    cannot be pickled (a lambda, a connection).

    Pickling keeps each value's type (1.5 and "1.5" differ, NA and None differ), and is a
    few times cheaper than hashing the cells row by row. It is pickled without the memo
    (``fast``), which otherwise writes an object met twice as a reference to the first:
    two columns of a freshly computed frame may share one dtype object where the same
    frame read back from Streamlit's cache has two equal ones, so the same content gave
    other bytes on the next rerun, and the tables and figures remembered by content were
    built again on every rerun. Now equal values give equal bytes, shared or not; equal
    values in other forms (a column stored in other chunks) only miss a cache.
    """
    buf = io.BytesIO()
    pickler = pickle.Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.fast = True  # no memo (fails on a value that contains itself: None then)
    try:
        pickler.dump(value)
    except Exception:
        return None
    return hashlib.blake2b(buf.getbuffer(), digest_size=20).digest()


def _table_key(df, columns, decimals, kinds: _Kinds) -> tuple | None:
    """The frame's content (:func:`content_digest`) with the formatting asked for; None
    when the frame cannot be pickled (it is then formatted every time)."""
    content = content_digest(df)
    if content is None:
        return None
    return (tuple(columns.items()), tuple(sorted(decimals.items())), kinds.key(), len(df), content)


def _display_table(df, columns, decimals, kinds: _Kinds) -> pd.DataFrame:
    return pd.DataFrame(_display_columns(df, columns, decimals, kinds), index=range(len(df)), dtype=object)


def _display_columns(df, columns, decimals, kinds: _Kinds) -> dict[str, list[str]]:
    """Each shown column's texts under its Swedish header, in the order of ``columns``."""
    out = {}
    for col, header in columns.items():
        kind = "percent" if col in kinds.percent else "share" if col in kinds.share else "plain"
        if col in kinds.months:
            texts = [month(v) for v in df[col].tolist()]
        else:
            texts = _column_texts(df[col], decimals.get(col), kind, col in kinds.signed)
        if _suppression_flag(df, col) is None:  # nothing can be hidden: no all-False mask per column
            out[header] = texts
            continue
        hidden = suppressed_mask(df, col).tolist()
        out[header] = [SUPPRESSED if h else t for t, h in zip(texts, hidden, strict=True)]
    return out


# --- sorting number columns -----------------------------------------------------------------

# What a hidden ("..") or missing ("–") value of a number column sorts as on screen: below
# every number, so the grid's header click puts them together at one end (first rising,
# last falling). Streamlit's grid sorts an empty (null) number cell as 0, between the
# negative and the positive numbers, and shows every null cell as the same placeholder.
# A screen reader reads it as the grid holds it, "-Infinity" (docs/exports.md).
SORTS_FIRST = float("-inf")


def shown_number(text: str) -> float | None:
    """The number a table's text shows (:func:`display_arrow`): ``"1 234,5"`` -> 1234.5,
    ``"−3"`` -> -3.0, ``"+12,5 %"`` -> 12.5 (a share in percent, as shown), ``".."`` and
    ``"–"`` -> :data:`SORTS_FIRST`; None for a text that is no number ("ja")."""
    if text in (SUPPRESSED, MISSING):
        return SORTS_FIRST
    plain = text.removesuffix("%").replace(THOUSANDS, "").replace(MINUS, "-").removeprefix("+")
    if not plain or not (plain[0].isdigit() or (plain[0] == "-" and plain[1:2].isdigit())):
        return None
    try:
        return float(plain.replace(DECIMAL, "."))
    except ValueError:
        return None


def shown_numbers(texts: list[str]) -> list[float] | None:
    """:func:`shown_number` of every text of a column, or None when one is no number (the
    column then stays text)."""
    values = [shown_number(t) for t in texts]
    return None if any(v is None for v in values) else values
