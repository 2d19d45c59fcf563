"""Kolada KPI values per kommun and year, from Kolada's API (v3) JSON (docs/sources/kolada.md).

The data endpoint (``/v3/data/kpi/{kpi}/year/{years}``) answers::

    {"count": 2, "values": [
        {"kpi": "N07403", "municipality": "0180", "period": 2023,
         "values": [{"gender": "T", "count": 1, "status": "", "value": 1234.5}, ...]}],
     "next_url": "..."}            # "next_page" in v2; absent on the last page

``fetch kolada`` saves every page in one file of that shape and adds ``kpi`` (the KPI
metadata: titles) and ``retrieved_at``. Values for municipality ids that are not
kommuner (riket "0000", regions "0001"…"0025", groups "G…") are skipped and counted.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import pandas as pd

from pipelines.loading import FileRejected, ReadContext, ReadResult, Rejection
from pipelines.personnummer import check_json
from pipelines.readers import longer_head
from pipelines.readers.keyed import OneValuePerKey
from pipelines.readers.scb import (
    HEADER_SCAN_ROWS,
    Grid,
    csv_grid,
    gate_grid,
    gate_workbook,
    is_workbook,
    workbook_grids,
)
from pipelines.readers.text import decode, json_lines, parse_number

FORMATS = ("kolada-json", "kolada-table")
SOURCE = "Kolada"
API = "https://api.kolada.se/v3"
GENDERS = ("T", "K", "M")
YEARS_PER_REQUEST = 20  # long year lists make the URL too long for the API
MAX_PAGES = 200


def sniff(path: Path, head: bytes) -> str | None:
    """Kolada JSON: an object whose 'values' hold KPI/municipality/period entries or KPI
    metadata; the entries as a bare list; one entry (or one answer) per line (JSON Lines).
    kolada-table: a table downloaded from kolada.se naming one KPI by its id."""
    text = head.lstrip(b"\xef\xbb\xbf \r\n\t")
    if not text.startswith((b"{", b"[")):
        found = _web_table(path, head)
        return "kolada-table" if found is not None and _kpi_in_title(found[0], found[1]) else None
    if text.startswith(b"[") and all(k in head for k in (b'"kpi"', b'"municipality"', b'"period"')):
        return "kolada-json"  # the entries of 'values' saved as a list ('jq .values')
    if not text.startswith(b"{"):
        return None
    if b'"values"' not in head:
        # fetch kolada writes the KPIs' descriptions before the values: for many KPIs, past the window.
        longer = longer_head(path, head)
        return "kolada-json" if all(k in longer for k in (b'"values"', b'"municipality"', b'"kpi"')) else None
    if b'"municipality"' in head and b'"kpi"' in head:
        return "kolada-json"
    # Values per organisational unit (/oudata, "ou": a school, a unit): claimed so the
    # reader can say what they are instead of 'formatet känns inte igen'.
    if b'"ou"' in head and b'"kpi"' in head:
        return "kolada-json"
    # An answer without values (a KPI with no data for the asked years): claimed so the
    # reader can say it is empty. No other source answers with an object and an empty list.
    if re.search(rb'"values"\s*:\s*\[\s*\]', head) and re.search(rb'"count"\s*:\s*0\b', head):
        return "kolada-json"
    # Kolada's metadata answers (kpi, municipality): claimed so the reader can say what they are.
    if b'"municipality_type"' in head or (b'"type"' in head and b'"title"' in head and b'"id"' in head):
        return "kolada-json"
    return None


# kolada.se's own download (CSV or Excel of a KPI's table or of "Fri sökning"): kommuner by
# year, with kön or the KPI beside them. Read when its title names one KPI by its id
# ('… (N07403)'); without one, which KPI the values are is not known, and it is refused.
WEB_EXPORT_HINT = (" (filen ser ut som en export från kolada.se, men ingen rad ovanför tabellen anger nyckeltalets "
                   "id (t.ex. N07403), så den läses inte in; hämta nyckeltalen med "
                   "t.ex. python -m pipelines fetch kolada N07403 --years 2018-2024, eller spara svaret från "
                   "Koladas API (api.kolada.se/v3/data/kpi/…) som JSON och läs in det)")
_KPI_ID = re.compile(r"\b[A-Z]\d{5}\b")
_YEAR_AFTER = re.compile(r"\s*\(\d{4}\)\s*$")


def _web_table(path: Path, head: bytes, whole: bool = False) -> tuple[Grid, int] | None:
    """The grid and header row of a table saved from kolada.se: a 'Kommun' column beside
    'Kön' or 'Nyckeltal', or under a title naming a KPI id ('… (N07403)'), and no 'Ålder'
    (SCB's tables have one). ``whole``: every row, not only those the sniff is shown."""
    try:
        if is_workbook(path, head):
            grids = workbook_grids(path, None if whole else HEADER_SCAN_ROWS)
        elif head.startswith(b"PK\x03\x04") or b"\x00" in head[:4096]:
            return None
        else:
            grids = [csv_grid(path) if whole else csv_grid(path, head)]
    except FileRejected:
        return None
    for grid in grids:
        rows = grid.rows[:HEADER_SCAN_ROWS]
        for i, row in enumerate(rows):
            # A header may name the division's year after the word: 'Kommun (2025)'.
            header = [_YEAR_AFTER.sub("", c).lower() for c in row]
            if "kommun" not in header:
                continue
            if "ålder" not in header and (
                    "kön" in header or "nyckeltal" in header or any(_KPI_ID.search(c) for r in rows for c in r)):
                return grid, i
            break
    return None


def is_web_export(path: Path, head: bytes) -> bool:
    """A table saved from kolada.se (:func:`_web_table`) that cannot be read: no KPI id in
    its title (the refusal then says what to do instead)."""
    found = _web_table(path, head)
    return found is not None and _kpi_in_title(*found) is None


def _kpi_in_title(grid: Grid, h: int) -> tuple[str, str] | None:
    """(KPI id, title) when the lines above the header name exactly one KPI
    ('Anmälda brott om våld mot person, antal/100 000 inv (N07403)')."""
    lines = [" ".join(c for c in row if c).strip() for row in grid.rows[:h]]
    ids = {m for line in lines for m in _KPI_ID.findall(line)}
    if len(ids) != 1:
        return None
    kpi = ids.pop()
    line = next(line for line in lines if kpi in line)
    title = re.sub(rf"\s*[(\[]?\s*{kpi}\s*[)\]]?\s*", " ", line).strip(" ,;:-–") or None
    return kpi, title


_GENDER_WORDS = {"totalt": "T", "total": "T", "alla": "T", "t": "T", "kvinnor": "K", "kvinna": "K", "k": "K",
                 "män": "M", "man": "M", "m": "M"}
_RIKET_WORDS = ("riket", "hela riket", "sverige", "alla kommuner", "samtliga kommuner")


def _read_web_table(path: Path, ctx: ReadContext) -> ReadResult:
    """A table downloaded from kolada.se naming its KPI in the title: one row per kommun
    (and kön), one column per year; values as kolada.se writes them ('23,5 %', '1 587,4')."""
    file = path.name
    with open(path, "rb") as fh:
        head = fh.read(65536)
    found = _web_table(path, head, whole=True)
    if found is None or _kpi_in_title(*found) is None:
        raise FileRejected(file, "hittar ingen rubrikrad med kolumnen Kommun under en titel med nyckeltalets id"
                           + WEB_EXPORT_HINT)
    grid, h = found
    for g in workbook_grids(path) if grid.sheet is not None else [grid]:
        gate_grid(file, g)  # every sheet, as for SCB and Brå
    if grid.sheet is not None:
        gate_workbook(path)  # an .xls's other streams, after the cells (which name the cell)
    kpi, title = _kpi_in_title(grid, h)
    header = grid.rows[h]
    names = [_YEAR_AFTER.sub("", c).strip().lower() for c in header]
    kommun_col = names.index("kommun")
    gender_col = names.index("kön") if "kön" in names else None
    years = {j: int(m[1]) for j, c in enumerate(header)
             if (m := re.fullmatch(r"\s*((?:19|20)\d{2})\s*\*?\s*", c)) and j not in (kommun_col, gender_col)}
    if not years:
        raise FileRejected(file, "hittar inga årskolumner (t.ex. '2023') i tabellen från kolada.se.",
                           grid.numbers[h], header[kommun_col])
    gz = ctx.gazetteer
    retrieved = datetime.now().replace(microsecond=0)
    keyed = OneValuePerKey("nyckeltal, kommun, år och kön")
    rows: dict[tuple, dict] = {}
    rejected: list[Rejection] = []
    skipped, empty = {"riket": 0, "region": 0}, 0
    kommun_above = ""
    for i in range(h + 1, len(grid.rows)):
        row, n = grid.rows[i], grid.numbers[i]
        if sum(1 for c in row if c) <= 1:
            continue  # a note or a blank line below the table
        def at(j, row=row):
            return row[j].strip() if j is not None and j < len(row) else ""

        # A kommun written once over its kön rows (Totalt, Kvinnor, Män) holds for them.
        name = at(kommun_col) or (kommun_above if gender_col is not None else "")
        kommun_above = name
        if name.lower() in _RIKET_WORDS:
            skipped["riket"] += 1
            continue
        code = gz.kommun_code(name)
        if code is None:
            if gz.lan_code(name) or name.lower().startswith(("region ", "kommungrupp", "liknande kommuner")):
                skipped["region"] += 1
                continue
            rejected.append(Rejection(n, header[kommun_col], "okänd kommun"))
            continue
        gender = "T" if gender_col is None else _GENDER_WORDS.get(at(gender_col).lower())
        if gender is None:
            rejected.append(Rejection(n, header[gender_col], "okänt kön (Totalt, Kvinnor eller Män)"))
            continue
        for j, year in years.items():
            text = at(j)
            if text in ("", "-", "–", "..", "."):
                empty += 1  # no value for that year on kolada.se
                continue
            value = value_of_text(text)
            if value is None:
                rejected.append(Rejection(n, header[j], f"värdet ('{text[:40]}') är inte ett tal"))
                continue
            key = (kpi, code, year, gender)
            keyed.add(key, value, n, header[j])
            rows[key] = dict(kpi_id=kpi, kpi_title=title, kommun_code=code, year=year, gender=gender, value=value,
                             status=None, preliminary=False, source=SOURCE, retrieved_at=retrieved)
    rejected += keyed.rejections()
    frame = pd.DataFrame([rows[key] for key in keyed.values],
                         columns=["kpi_id", "kpi_title", "kommun_code", "year", "gender", "value", "status",
                                  "preliminary", "source", "retrieved_at"])
    lines = [f"Tabell från kolada.se: nyckeltal {kpi}" + (f" ({title})" if title else "") + ", "
             + ", ".join(map(str, sorted(set(years.values())))) + "."]
    if any(skipped.values()):
        lines.append(f"Hoppade över riket ({skipped['riket']}) och län, regioner eller kommungrupper "
                     f"({skipped['region']}); tabellen kolada_value gäller kommuner.")
    if empty:
        lines.append(f"{empty} {'cell' if empty == 1 else 'celler'} saknade värde och lästes inte in.")
    lines += keyed.lines()
    lines.append(f"Hämtat {retrieved:%Y-%m-%d %H:%M} (inläsningstid).")
    return ReadResult("kolada-table", "kolada_value", {"kolada_value": frame}, rejected, lines)


# A share as kolada.se shows it and a spreadsheet keeps it: '23,5 %', with a space, a
# no-break or a narrow no-break space before the sign, or none ('23.5%'). Kolada's value of
# a KPI in percent is the number before the sign (23.5), never the fraction 0.235.
_PERCENT = re.compile(r"^(.*?\d)\s*%$", re.S)


def value_of_text(text: str) -> float | None:
    """A Kolada value written as text: a number as :func:`text.parse_number` reads it
    ('1 587,4', '1\u202f234,5', '\u22124,5'), also with a percent sign after it ('23,5 %').
    None when it is not unambiguously one number ('23,5 % 24', '%', 'ca 20'); the missing
    symbols ('..', '-') are no value either."""
    t = text.strip()
    m = _PERCENT.match(t)
    if m:
        t = m[1]
    if t in ("-", "") or "%" in t:
        return None
    return parse_number(t)


def _is_preliminary(status: str | None) -> bool:
    s = (status or "").strip().lower()
    return s in ("p", "prel", "prel.") or "prelimin" in s


def _retrieved_at(doc: dict) -> datetime:
    raw = doc.get("retrieved_at") or doc.get("retrieved")
    if raw:
        try:
            return datetime.fromisoformat(str(raw).replace("Z", "+00:00")).replace(tzinfo=None, microsecond=0)
        except ValueError:
            pass
    return datetime.now().replace(microsecond=0)


def _titles(doc: dict) -> dict[str, str]:
    meta = doc.get("kpi") or doc.get("kpis") or []
    if isinstance(meta, dict):
        meta = meta.get("values", [])
    return {str(m["id"]): str(m.get("title")) for m in meta if isinstance(m, dict) and m.get("id") and m.get("title")}


def _answer_of(items: list) -> dict:
    """A list of entries, or of answers (pages, each with its 'values'), as one answer of
    Kolada's shape: the entries in order, the KPI titles of every page, and the last page's
    next_url (pages that are not in the file). An entry names its KPI ('kpi': 'N07403'); a
    page does not (or lists the KPIs' metadata there, as fetch kolada writes it)."""
    values, kpis, next_url = [], [], None
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("values"), list) and not isinstance(item.get("kpi"), str):
            values.extend(item["values"])
            if isinstance(item.get("kpi"), list):
                kpis.extend(item["kpi"])
            next_url = item.get("next_url") or item.get("next_page")
        else:
            values.append(item)
    return {"values": values, "kpi": kpis, "next_url": next_url}


def read(path: Path, ctx: ReadContext, fmt: str) -> ReadResult:
    """Kolada values as ``kolada_value`` rows: an answer of the API, its entries as a list,
    or as JSON Lines (a rejected entry's row is its position among all the entries)."""
    if fmt == "kolada-table":
        return _read_web_table(path, ctx)
    file = path.name
    text = decode(path.read_bytes(), file)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        # JSON Lines: one entry, or one page of the answer, per line (jq -c '.values[]',
        # a collector appending each page).
        doc = json_lines(file, text, "en post")
        if doc is None:
            raise FileRejected(file, f"filen är inte giltig JSON (rad {exc.lineno}, tecken {exc.colno}); den kan vara "
                                     "avbruten. Hämta den igen, t.ex. med python -m pipelines fetch kolada.") from None
    if isinstance(doc, list):
        doc = _answer_of(doc)
    if not isinstance(doc, dict) or not isinstance(doc.get("values"), list):
        raise FileRejected(file, "Koladas svar ska vara ett objekt med listan 'values'. Hämta data från "
                           "api.kolada.se/v3/data/kpi/… eller använd python -m pipelines fetch kolada.", column="values")
    check_json(file, doc)
    entries = doc["values"]
    if not entries:
        raise FileRejected(file, "Koladas svar innehåller inga värden (\"values\": []): nyckeltalet har inga "
                           "värden för de år och kommuner som efterfrågades. Kontrollera nyckeltal och år; "
                           "inget lästes in.", column="values")
    first = next((e for e in entries if isinstance(e, dict)), None)
    if first is not None and "period" not in first and "id" in first and "title" in first:
        raise FileRejected(file, "det här är Koladas metadata (nyckeltal eller kommuner), inte värden. "
                           "Hämta värdena från /v3/data/kpi/{nyckeltal}/year/{år}.", row=1, column="period")
    if first is not None and "ou" in first and "municipality" not in first:
        raise FileRejected(file, "det här är Koladas värden per organisatorisk enhet (ou, t.ex. en skola), "
                           "inte per kommun; kolada_value gäller kommuner. Hämta värdena från "
                           "/v3/data/kpi/{nyckeltal}/year/{år}.", row=1, column="ou")
    titles = _titles(doc)
    retrieved = _retrieved_at(doc)
    rejected = []
    # (kpi, kommun, year, gender) -> value, by the statistics' rule for a key given twice;
    # a row is named by its entry's position in "values".
    keyed = OneValuePerKey("nyckeltal, kommun, år och kön", place="post")
    rows: dict[tuple, dict] = {}  # the same key -> its row (of an equal value, the last)
    skipped = {"riket": 0, "region": 0, "grupp": 0}
    skipped_deleted = 0
    gz = ctx.gazetteer
    for n, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise FileRejected(file, "posten är inte ett objekt.", row=n, column="values")
        for key in ("kpi", "municipality", "period", "values"):
            if key not in entry:
                raise FileRejected(file, f"nyckeln '{key}' saknas i post {n} av 'values'; filen har inte Koladas "
                                   "dataformat (kpi, municipality, period, values). Hämta data med "
                                   "python -m pipelines fetch kolada.", row=n, column=key)
        muni = str(entry["municipality"]).strip()
        muni = re.sub(r"^(\d+)\.0$", r"\1", muni)  # a code that went through a spreadsheet: 180.0
        if re.fullmatch(r"\d{3}", muni):
            muni = muni.zfill(4)  # a kommun code whose leading zero was lost (114)
        # The code with its name, as SCB's tables and a copy edited by hand write it
        # ('0180 Stockholm', '0180 - Stockholm'): the code, when the name is that kommun's.
        named = re.fullmatch(r"(\d{4})\s*[-–:]?\s*(\D.*)", muni)
        if named and not re.fullmatch(r"0000|00\d\d", named[1]):
            code = gz.kommun_code(muni)
            if code is None:
                known = gz.name(named[1]) if gz.is_code(named[1], "kommun") else None
                rejected.append(Rejection(n, "municipality", f"koden {named[1]} är {known}, men namnet är {named[2]}"
                                          if known else "okänd kommunkod"))
                continue
            muni = code
        elif named:
            muni = named[1]  # riket or a region with its name: skipped below
        if muni == "0000":
            skipped["riket"] += 1
            continue
        if re.fullmatch(r"00\d\d", muni):
            skipped["region"] += 1
            continue
        if re.fullmatch(r"G\d+", muni, re.I):
            skipped["grupp"] += 1
            continue
        if not re.fullmatch(r"\d{4}", muni) or not gz.is_code(muni, "kommun"):
            rejected.append(Rejection(n, "municipality", "okänd kommunkod"))
            continue
        # A year, as a number or text ('2023', 2023.0 from a spreadsheet); before, the first
        # four characters were read, so '2023H1' was 2023 and 99 the year 99.
        period = re.sub(r"^(\d{4})\.0$", r"\1", str(entry["period"]).strip())
        if not re.fullmatch(r"(?:19|20)\d{2}", period):
            rejected.append(Rejection(n, "period", "perioden är inte ett år (väntat t.ex. 2023)"))
            continue
        year = int(period)
        kpi = str(entry["kpi"]).strip()
        if not re.fullmatch(r"[A-Z]\d{5}", kpi):
            rejected.append(Rejection(n, "kpi", "okänt nyckeltals-id (väntat t.ex. N07403)"))
            continue
        if not isinstance(entry["values"], list):
            raise FileRejected(file, "'values' i posten ska vara en lista med ett värde per kön.", row=n, column="values")
        for v in entry["values"]:
            if not isinstance(v, dict):
                rejected.append(Rejection(n, "values", "värdet ska vara ett objekt med gender och value"))
                continue
            gender = str(v.get("gender", "")).upper()
            if gender not in GENDERS:
                rejected.append(Rejection(n, "gender", "okänt kön (T, K eller M)"))
                continue
            if v.get("isdeleted") is True:
                skipped_deleted += 1
                continue
            value = v.get("value")
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
                # A value as text, as a person or kolada.se writes it ("1 587,4", "23,5 %"),
                # read by the statistics' one rule (text.parse_number); true or false is no number.
                text = None if isinstance(value, bool) else str(value)
                value = None if text is None else value_of_text(text)
                if value is None:
                    said = f" ('{text[:40]}')" if text is not None and text.strip() else ""
                    rejected.append(Rejection(n, "value", f"värdet{said} är inte ett tal"))
                    continue
            status = v.get("status")
            status = str(status).strip() or None if status is not None else None
            key = (kpi, muni, year, gender)
            keyed.add(key, value, n, "value")
            rows[key] = dict(kpi_id=kpi, kpi_title=titles.get(kpi) or entry.get("kpi_title"), kommun_code=muni,
                             year=year, gender=gender, value=value, status=status, preliminary=_is_preliminary(status),
                             source=SOURCE, retrieved_at=retrieved)
    rejected += keyed.rejections()
    frame = pd.DataFrame([rows[key] for key in keyed.values],
                         columns=["kpi_id", "kpi_title", "kommun_code", "year", "gender", "value", "status",
                                  "preliminary", "source", "retrieved_at"])
    missing_values, prelim = int(frame["value"].isna().sum()), int(frame["preliminary"].sum())
    lines = []
    kpis = sorted(frame["kpi_id"].unique())
    if kpis:
        lines.append("Nyckeltal: " + ", ".join(f"{k} ({titles[k]})" if k in titles else k for k in kpis) + ".")
        untitled = [k for k in kpis if k not in titles]
        if untitled:
            lines.append("Titel saknas i filen för " + ", ".join(untitled)
                         + " (hämta med fetch kolada för att få titlarna).")
    if any(skipped.values()):
        lines.append(f"Hoppade över värden för riket ({skipped['riket']}), regioner ({skipped['region']}) och "
                     f"kommungrupper ({skipped['grupp']}); tabellen kolada_value gäller kommuner.")
    if missing_values:
        lines.append(f"{missing_values} värden saknas hos Kolada (null) och lagrades utan värde.")
    if prelim:
        lines.append(f"{prelim} värden är preliminära enligt Kolada.")
    if skipped_deleted:
        lines.append(f"{skipped_deleted} borttagna värden (isdeleted) hoppades över.")
    lines += keyed.lines()
    if doc.get("next_url") or doc.get("next_page"):
        lines.append("Filen är en sida av Koladas svar: det finns fler sidor (next_url) som inte finns i filen. "
                     "Hämta alla sidor med python -m pipelines fetch kolada.")
    lines.append(f"Hämtat {retrieved:%Y-%m-%d %H:%M}" + (" (enligt filen)." if doc.get("retrieved_at") else " (inläsningstid)."))
    return ReadResult(fmt, "kolada_value", {"kolada_value": frame}, rejected, lines)


# --- fetch ------------------------------------------------------------------------------


def _get_all(session, url: str) -> tuple[list, int]:
    """Every page of a Kolada answer, following next_url / next_page."""

    from pipelines.fetch import FetchError, request_json

    values, pages = [], 0
    while url:
        pages += 1
        if pages > MAX_PAGES:
            raise FetchError(f"Kolada gav fler än {MAX_PAGES} sidor; begränsa antalet nyckeltal eller år.")
        doc, _ = request_json("GET", url, "Kolada", f"på {url}", headers=session.headers)
        if not isinstance(doc, dict) or not isinstance(doc.get("values"), list):
            raise FetchError(f"Koladas svar på {url} saknar listan 'values'.")
        values.extend(doc["values"])
        url = doc.get("next_url") or doc.get("next_page")
    return values, pages


def fetch(args, dest_dir: Path) -> list[Path]:
    """``fetch kolada N07403 N07402 --years 2018-2024``: values and KPI titles, one file."""
    import requests

    from pipelines.fetch import FetchError
    from pipelines.readers.scb import parse_years

    kpis = [k.strip().upper() for a in (getattr(args, "args", None) or []) for k in a.split(",") if k.strip()]
    if not kpis:
        raise FetchError("ange minst ett nyckeltal, t.ex. python -m pipelines fetch kolada N07403 --years 2018-2024.")
    bad = [k for k in kpis if not re.fullmatch(r"[A-Z]\d{5}", k)]
    if bad:
        raise FetchError(f"'{bad[0]}' är inte ett nyckeltals-id i Kolada (t.ex. N07403).")
    years = parse_years(getattr(args, "years", None))
    retrieved = datetime.now().replace(microsecond=0)
    with requests.Session() as session:
        session.headers["Accept"] = "application/json"
        meta, _ = _get_all(session, f"{API}/kpi/{','.join(kpis)}")
        values = []
        for i in range(0, len(years), YEARS_PER_REQUEST):
            chunk = ",".join(str(y) for y in years[i:i + YEARS_PER_REQUEST])
            part, _ = _get_all(session, f"{API}/data/kpi/{','.join(kpis)}/year/{chunk}")
            values.extend(part)
    known = {str(m.get("id")) for m in meta if isinstance(m, dict)}
    unknown = [k for k in kpis if k not in known]
    if unknown:
        raise FetchError(f"Kolada känner inte till nyckeltalet {', '.join(unknown)}.")
    doc = {
        "source": f"{API}/data/kpi/{','.join(kpis)}/year/{years[0]}-{years[-1]}",
        "retrieved_at": retrieved.isoformat(),
        "kpi": [{"id": m.get("id"), "title": m.get("title"), "description": m.get("description")} for m in meta],
        "count": len(values),
        "values": values,
    }
    out = Path(dest_dir) / f"kolada-{'-'.join(kpis)}-{years[0]}-{years[-1]}.json"
    out.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    return [out]
