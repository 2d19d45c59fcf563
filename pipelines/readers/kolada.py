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
from pipelines.readers.scb import HEADER_SCAN_ROWS, csv_grid, is_xlsx, xlsx_grids
from pipelines.readers.text import decode, json_lines, parse_number

FORMATS = ("kolada-json",)
SOURCE = "Kolada"
API = "https://api.kolada.se/v3"
GENDERS = ("T", "K", "M")
YEARS_PER_REQUEST = 20  # long year lists make the URL too long for the API
MAX_PAGES = 200


def sniff(path: Path, head: bytes) -> str | None:
    """Kolada JSON: an object whose 'values' hold KPI/municipality/period entries or KPI
    metadata; the entries as a bare list; one entry (or one answer) per line (JSON Lines)."""
    text = head.lstrip(b"\xef\xbb\xbf \r\n\t")
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
# year, with kön or the KPI beside them. Not read: its layout follows the user's choices on
# the page, and the API gives the same values with kommun codes and KPI ids.
WEB_EXPORT_HINT = (" (filen ser ut som en export från kolada.se, som inte läses in; hämta nyckeltalen med "
                   "t.ex. python -m pipelines fetch kolada N07403 --years 2018-2024, eller spara svaret från "
                   "Koladas API (api.kolada.se/v3/data/kpi/…) som JSON och läs in det)")
_KPI_ID = re.compile(r"\b[A-Z]\d{5}\b")
_YEAR_AFTER = re.compile(r"\s*\(\d{4}\)\s*$")


def is_web_export(path: Path, head: bytes) -> bool:
    """A table saved from kolada.se: a 'Kommun' column beside 'Kön' or 'Nyckeltal', or under
    a title naming a KPI id ('… (N07403)'), and no 'Ålder' (SCB's tables have one)."""
    try:
        grids = xlsx_grids(path, HEADER_SCAN_ROWS) if is_xlsx(path, head) else [csv_grid(path, head)]
    except FileRejected:
        return False
    for grid in grids:
        rows = grid.rows[:HEADER_SCAN_ROWS]
        # A header may name the division's year after the word: 'Kommun (2025)'.
        header = next((r for r in ([_YEAR_AFTER.sub("", c).lower() for c in row] for row in rows)
                       if "kommun" in r), None)
        if header and "ålder" not in header and (
                "kön" in header or "nyckeltal" in header or any(_KPI_ID.search(c) for r in rows for c in r)):
            return True
    return False


# A share as kolada.se shows it and a spreadsheet keeps it: '23,5 %', with a space, a
# no-break or a narrow no-break space before the sign, or none ('23.5%'). Kolada's value of
# a KPI in percent is the number before the sign (23.5), never the fraction 0.235.
_PERCENT = re.compile(r"^(.*?\d)\s*%$", re.S)
_MINUS = str.maketrans({"\u2212": "-", "\u2013": "-"})  # a minus sign or dash copied from a page


def value_of_text(text: str) -> float | None:
    """A Kolada value written as text: a number as :func:`text.parse_number` reads it
    ('1 587,4', '1\u202f234,5'), also with a percent sign after it ('23,5 %') or a typographic
    minus ('\u22124,5'). None when it is not unambiguously one number ('23,5 % 24', '%',
    'ca 20'); the missing symbols ('..', '-') are no value either."""
    t = text.strip().translate(_MINUS)
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
