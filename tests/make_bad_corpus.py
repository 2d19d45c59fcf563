"""The bad-input corpus: files users really send, each wrong in its own way.

``python tests/make_bad_corpus.py`` writes the small files into ``tests/data/bad/`` (they
are committed; see its README.md for what is wrong with each and what the loader says).
The big files (a zip-bomb-sized workbook, a sheet formatted down to row 100 000, a 5 MB
cell, a 2 MB line) are not committed: :func:`write_big` makes them into a temporary
folder when the tests run.

All data here is invented. The personnummer used are the Swedish Tax Agency's
published test numbers, not anyone's.
"""

from __future__ import annotations

import io
import json
import sys
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import openpyxl
import pandas as pd
import xlsxwriter

BAD = Path(__file__).parent / "data" / "bad"

# Test numbers (valid control digit, not anyone's identity).
PERSONNUMMER = "19121212-1212"
SAMORDNINGSNUMMER = "701063-2391"

SIGNAL_HEADER = "month;area_code;age_band;sex;source;signal_type;count"
SIGNAL_OK = [
    "2025-03;LPO-JARVA;15-17;M;socialtjänst;rekryteringsförsök;7",
    "2025-03;0114;12-14;K;skola;kontakt via sociala medier;0",
    "2025-04;LPO-FARSTA;15-17;K;polis;rekryteringsförsök;3",
]
INCIDENT_HEADER = "incident_id;occurred_at;incident_type;kommun_code;lpo_code;grid_cell;source"
INCIDENT_OK = [
    "bad-0001;2024-03-01 21:14:05;skottlossning;0180;LPO-FARSTA;;kommunens logg",
    "bad-0002;2024-03-02 02:10;explosion;1280;;;kommunens logg",
    "bad-0003;2024-03-03;inbrott;0114;;;kommunens logg",
]
MEASURE_HEADER = "organisation;kommun_code;year;prioritised_area;title;status;description"
PLAN_HEADER = ["Problemområde", "Orsak", "Åtgärd", "Operativa mål", "När", "Vem", "Uppföljning"]
UNGA = "Unga i riskzon för destruktivt beteende"
OTRYGGA = "Otrygga och brottsutsatta platser"
# Distinctive texts: the log test looks for them in every log record.
FOLLOWUP_SECRET = "250415: Hemligt-uppföljningsord-Qx7 med 22 deltagare. Åtgärden bedöms vara påbörjad."
SCRIPT_TITLE = "<script>alert(1)</script>"


def _lines(*lines: str, eol: str = "\n") -> bytes:
    return (eol.join(lines) + eol).encode("utf-8")


def _event(i: int, **over) -> dict:
    e = {
        "id": 900000 + i,
        "datetime": f"2024-03-0{1 + i % 8} 21:14:05 +01:00",
        "name": f"0{1 + i % 8} mars 21.14, Skottlossning, Malmö",
        "summary": "Flera skott ska ha avlossats. Ingen skadad.",
        "url": f"/aktuellt/handelser/2024/mars/{i}/",
        "type": "Skottlossning",
        "location": {"name": "Malmö", "gps": "55.604981,13.003822"},
    }
    e.update(over)
    return e


def _json(obj) -> bytes:
    return json.dumps(obj, ensure_ascii=False, indent=1).encode("utf-8")


def _xlsx_bytes(build: Callable[[openpyxl.Workbook], None]) -> bytes:
    wb = openpyxl.Workbook()
    build(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _plan_sheet(ws, rows: list[list], title: str = UNGA) -> None:
    ws["A1"] = title
    for c, h in enumerate(PLAN_HEADER, start=1):
        ws.cell(3, c, h)
    for r, row in enumerate(rows, start=4):
        for c, value in enumerate(row, start=1):
            if value is not None:
                ws.cell(r, c, value)


def _plan(rows: list[list]) -> Callable[[openpyxl.Workbook], None]:
    def build(wb):
        ws = wb.active
        ws.title = "Unga i riskzon"
        _plan_sheet(ws, rows)
    return build


PLAN_ROWS = [
    ["Unga rekryteras", "Brist på fritid", "Läxhjälp: tre kvällar i veckan", "40 deltagare", "2025",
     "Fritidsenheten", "250415: Start i mars. Åtgärden bedöms vara påbörjad."],
    [None, "Otrygga vuxna", "Fältassistenter: kvällstid", "2 tjänster", "Linjearbete", "Socialtjänsten", None],
]


def _plan_no_header(wb) -> None:
    ws = wb.active
    ws.title = "Blad1"
    ws["A1"] = "Inköpslista"
    ws["A2"], ws["B2"] = "Kaffe", 3
    wb.create_sheet("Blad2")["A1"] = "Anteckningar"


def _plan_formulas() -> bytes:
    """Formula cells with the cached values Excel saves: values are read, never formulas."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("Unga i riskzon")
    ws.write("A1", UNGA)
    ws.write_row(2, 0, PLAN_HEADER)
    ws.write_row(3, 0, ["Unga rekryteras", "Brist på fritid", "Läxhjälp: tre kvällar i veckan"])
    ws.write_formula("D4", "=1+1", None, 2)
    ws.write_row(4, 0, ["", "Otrygga vuxna"])
    ws.write_formula("C5", '=HYPERLINK("https://example.invalid/x","Fältassistenter: kvällstid")', None,
                     "Fältassistenter: kvällstid")
    ws.write_formula("G5", '=CONCATENATE("250415: ","Start. Åtgärden bedöms vara påbörjad.")', None,
                     "250415: Start. Åtgärden bedöms vara påbörjad.")
    wb.close()
    return buf.getvalue()


def _ole(*markers: str) -> bytes:
    """An OLE2 compound file header (what .xls and encrypted .xlsx files are) with marker names.

    Hand-made: only the signature and the stream names the loader looks for, padded to
    a few sectors; enough to be recognised, not a workbook Excel could open.
    """
    head = bytearray(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + b"\x3e\x00\x03\x00\xfe\xff\x09\x00")
    head += b"\x00" * (512 - len(head))
    body = bytearray()
    for m in markers:
        body += m.encode("utf-16-le") + b"\x00" * (128 - 2 * len(m))
    body += b"\x00" * (2048 - len(body))
    return bytes(head + body)


def _parquet(frame: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False)
    return buf.getvalue()


def _bra_xlsx_no_rows(wb) -> None:
    ws = wb.active
    ws.title = "Anmälda brott"
    ws["A1"] = "Anmälda brott efter kommun, brottstyp och år"
    for c, h in enumerate(["Kommun", "Brottstyp", "2022", "2023"], start=1):
        ws.cell(3, c, h)


def small_files() -> dict[str, bytes]:
    """Name -> content of every committed corpus file."""
    sig = [SIGNAL_HEADER, *SIGNAL_OK]
    inc = [INCIDENT_HEADER, *INCIDENT_OK]
    cut_csv = "\n".join(sig).encode("utf-8")
    polisen_ok = json.dumps([_event(i) for i in range(3)], ensure_ascii=False).encode("utf-8")
    kolada_ok = {"count": 1, "values": [{"kpi": "N07403", "municipality": "0180", "period": 2023,
                                          "values": [{"count": 1, "gender": "T", "status": "", "value": 1104.2}]}]}
    plan_ok = _xlsx_bytes(_plan(PLAN_ROWS))
    files: dict[str, bytes] = {
        # --- encodings, delimiters, emptiness, garbage
        "signal_utf16.csv": "\n".join(sig).encode("utf-16"),
        "signal_mojibake.csv": "\n".join(
            [SIGNAL_HEADER, SIGNAL_OK[2]] + [s.encode("utf-8").decode("latin-1") for s in SIGNAL_OK[:2]]
        ).encode("utf-8"),
        "signal_cp1252.csv": "\r\n".join(sig).encode("cp1252"),
        "signal_pipe.csv": _lines(*(s.replace(";", "|") for s in sig)),
        "signal_empty.csv": b"",
        "signal_whitespace.csv": b"  \r\n\t\n   \n",
        "signal_bom_only.csv": b"\xef\xbb\xbf",
        "garbage.csv": bytes((i * 7919 + 13) % 256 for i in range(4096)),
        "signal_nul_bytes.csv": _lines(SIGNAL_HEADER, SIGNAL_OK[0]) + b"2025-03;LPO-JARVA;15\x00\x00-17;M;polis;x;1\n",
        "signal_header_only.csv": _lines(SIGNAL_HEADER),
        "signal_duplicate_column.csv": _lines(SIGNAL_HEADER + ";count", *(s + ";1" for s in SIGNAL_OK)),
        "signal_truncated.csv": cut_csv[: cut_csv.rindex(b";LPO-FARSTA")],
        "signal_mismatched_quote.csv": _lines(
            SIGNAL_HEADER, SIGNAL_OK[0], '2025-03;"LPO-JARVA;15-17;K;skola;rekryteringsförsök;2', *SIGNAL_OK[1:]),
        "signal_crlf_lf_mixed.csv": (SIGNAL_HEADER + "\r\n" + SIGNAL_OK[0] + "\n" + SIGNAL_OK[1] + "\r\n"
                                     + SIGNAL_OK[2] + "\n").encode("utf-8"),
        "signal_bom_semicolon.csv": b"\xef\xbb\xbf" + _lines(*sig, eol="\r\n"),
        # --- row-level problems
        "signal_future_month.csv": _lines(*sig, "2099-01;LPO-JARVA;15-17;M;polis;rekryteringsförsök;4"),
        "signal_negative_count.csv": _lines(*sig, "2025-03;LPO-JARVA;12-14;M;polis;rekryteringsförsök;-3",
                                            "2025-03;LPO-JARVA;18-20;M;polis;rekryteringsförsök;2,5"),
        "signal_unknown_area.csv": _lines(*sig, "2025-03;LPO-NOWHERE;15-17;M;polis;rekryteringsförsök;4",
                                          "2025-03;9999;15-17;M;polis;rekryteringsförsök;4"),
        "signal_kommun_typo.csv": _lines(*sig, "2025-03;Stokholm;15-17;M;polis;rekryteringsförsök;4"),
        "signal_bad_month.csv": _lines(*sig, "2025-13;LPO-JARVA;15-17;M;polis;rekryteringsförsök;4",
                                       "Q1 2025;LPO-JARVA;15-17;M;polis;rekryteringsförsök;4"),
        # --- personnummer
        "signal_personnummer.csv": _lines(*sig, f"2025-03;LPO-JARVA;15-17;M;polis;rekryteringsförsök {PERSONNUMMER};1"),
        "signal_samordningsnummer.csv": _lines(*sig, f"2025-03;LPO-JARVA;15-17;M;{SAMORDNINGSNUMMER};rekryteringsförsök;1"),
        "incident_personnummer_in_source.csv": _lines(
            *inc, f"bad-0004;2024-03-04 10:00;rån;0180;;;anmälan av {PERSONNUMMER.replace('-', '')}"),
        # --- incidents (bulk path)
        "incident_impossible_dates.csv": _lines(*inc, "bad-0005;2025-02-30 12:00;rån;0180;;;x",
                                               "bad-0006;2099-06-01 12:00;rån;0180;;;x"),
        "incident_unknown_codes.csv": _lines(*inc, "bad-0007;2024-03-05 12:00;rån;9999;;;x",
                                             "bad-0008;2024-03-05 12:00;rån;0180;LPO-NOWHERE;;x",
                                             "bad-0009;2024-03-05 12:00;tjuvgods;0180;;;x"),
        "incident_truncated.csv": "\n".join(inc).encode("utf-8")[:-len(";;kommunens logg") - 9],
        "incident_pipe.csv": _lines(*(s.replace(";", "|") for s in inc)),
        "incident_wrong_types.parquet": _parquet(pd.DataFrame({
            "incident_id": [1, 2, 3], "occurred_at": [20240301, 20240302, 20240303],
            "incident_type": [1.5, 2.5, 3.5], "kommun_code": [180.0, 1280.0, 114.0]})),
        "incident_truncated.parquet": _parquet(pd.DataFrame({
            "incident_id": ["a", "b"], "occurred_at": ["2024-03-01", "2024-03-02"],
            "incident_type": ["rån", "rån"], "kommun_code": ["0180", "0180"]}))[:300],
        "signal_wrong_types.parquet": _parquet(pd.DataFrame({
            "month": pd.to_datetime(["2025-03-01", "2025-04-01"]), "area_code": [114, 180],
            "age_band": ["15-17", "15-17"], "sex": ["M", "K"], "source": ["polis", "skola"],
            "signal_type": ["rekryteringsförsök", "rekryteringsförsök"], "count": ["sju", "tre"]})),
        # --- measures (our CSV)
        "measure_script_title.csv": _lines(
            MEASURE_HEADER,
            f"Tyresö kommun;0138;2025;{UNGA};{SCRIPT_TITLE};påbörjad;<img src=x onerror=alert(2)>",
            f"Tyresö kommun;0138;2025;{OTRYGGA};=HYPERLINK(\"http://x.invalid\",\"klicka\");ej bedömd;=1+1"),
        "measure_missing_column.csv": _lines(
            "organisation;kommun_code;year;prioritised_area;status",
            f"Tyresö kommun;0138;2025;{UNGA};påbörjad"),
        # --- police events feed
        "polisen_html_error.json": b"<!DOCTYPE html>\n<html><head><title>503 Service Unavailable</title></head>"
                                   b"<body><h1>Tj\xc3\xa4nsten \xc3\xa4r inte tillg\xc3\xa4nglig</h1></body></html>\n",
        "polisen_truncated.json": polisen_ok[: polisen_ok.rindex(b'"summary"')],
        # A wrapper holding one list of events is read (tests/test_reader_hunt22.py); two
        # lists leave no way to know which is the answer.
        "polisen_object.json": _json({"events": [_event(1)], "arkiv": [_event(2)]}),
        "polisen_strings.json": _json(["Skottlossning Malmö", "Rån Göteborg"]),
        "polisen_missing_keys.json": _json([{"rubrik": "Skottlossning", "plats": "Malmö"}]),
        "polisen_empty.json": b"",
        "polisen_personnummer.json": _json([_event(1), _event(2, summary=f"Mannen, {PERSONNUMMER}, greps.")]),
        "polisen_row_problems.json": _json([
            _event(1), _event(2, datetime="2099-01-01 10:00:00 +01:00"), _event(3, datetime="igår kväll"),
            _event(4, id="abc"), "en sträng i listan"]),
        # --- Kolada, SCB, Brå
        "kolada_wrong_shape.json": _json({"count": 1, "values": {"kpi": "N07403", "municipality": "0180"}}),
        "kolada_missing_keys.json": _json({"values": [{"kpi": "N07403", "municipality": "0180", "year": 2023}]}),
        "kolada_truncated.json": _json(kolada_ok)[:120],
        "scb_no_region.csv": _lines("ålder;kön;år;Folkmängd", "15 år;män;2023;2060", "16 år;män;2023;2061"),
        "bra_no_data_rows.csv": _lines("Anmälda brott efter kommun, brottstyp och år",
                                       "Kommun;Brottstyp;2022;2023"),
        "bra_no_data_rows.xlsx": _xlsx_bytes(_bra_xlsx_no_rows),
        # --- action-plan workbooks
        "plan_no_plan_sheet.xlsx": _xlsx_bytes(_plan_no_header),
        "plan_personnummer_followup.xlsx": _xlsx_bytes(_plan([
            PLAN_ROWS[0], [*PLAN_ROWS[1][:6], f"250901: Samtal med eleven {PERSONNUMMER[2:]} och vårdnadshavare."]])),
        "plan_truncated.xlsx": plan_ok[: len(plan_ok) // 2],
        "plan_xls_renamed.xlsx": _ole("Workbook", "SummaryInformation"),
        "plan_encrypted.xlsx": _ole("EncryptionInfo", "EncryptedPackage"),
        "plan_csv_renamed.xlsx": _lines(SIGNAL_HEADER, *SIGNAL_OK),
        "plan_formulas_Nacka_2025.xlsx": _plan_formulas(),
        "plan_Stokholm_2025.xlsx": plan_ok,
        "plan_bad_followup_date_Nacka_2025.xlsx": _xlsx_bytes(_plan([
            [*PLAN_ROWS[0][:6], "250230: Start. 991301: Inget. Åtgärden bedöms vara påbörjad."], PLAN_ROWS[1]])),
    }
    return files


# --- big files, generated at test time --------------------------------------------------

def _zip_with_sheet(template: bytes, part: str, chunks: Iterator[bytes], dest: Path) -> None:
    """Copy an xlsx, streaming new XML into one sheet part (deflated: a few MB on disk)."""
    with zipfile.ZipFile(io.BytesIO(template)) as src, zipfile.ZipFile(
        dest, "w", zipfile.ZIP_DEFLATED, compresslevel=1
    ) as out:
        for info in src.infolist():
            if info.filename != part:
                out.writestr(info.filename, src.read(info.filename))
                continue
            with out.open(part, "w", force_zip64=True) as fh:
                for chunk in chunks:
                    fh.write(chunk)


_SHEET_HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
_SHEET_TAIL = b"</sheetData></worksheet>"


_CELLS = b'<row><c t="inlineStr"><is><t>x</t></is></c><c><v>1</v></c></row>' * 20_000  # about 1 MB


def _filled_rows(total_bytes: int) -> Iterator[bytes]:
    """Rows of filled cells (without row numbers, which OOXML allows) up to ``total_bytes``."""
    for _ in range(total_bytes // len(_CELLS) + 1):
        yield _CELLS


def _empty_rows(first: int, last: int) -> Iterator[bytes]:
    """Formatted but empty rows, as Excel writes a sheet styled down to row ``last``."""
    for start in range(first, last + 1, 10_000):
        yield b"".join(
            b'<row r="%d" spans="1:7" s="0" customFormat="1"><c r="A%d" s="0"/><c r="G%d" s="0"/></row>' % (r, r, r)
            for r in range(start, min(start + 10_000, last + 1))
        )


def write_big(dest: Path) -> dict[str, Path]:
    """Write the big corpus files into ``dest``; return name -> path."""
    dest.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {}
    plan = _xlsx_bytes(_plan(PLAN_ROWS))

    # 350 MB of sheet XML (11 million cells) in a file of a few MB.
    p = dest / "plan_zip_bomb.xlsx"
    _zip_with_sheet(plan, "xl/worksheets/sheet1.xml", _bomb(350 * 1024 * 1024), p)
    out[p.name] = p

    # The plan's own rows, then 5 million filled cells (150 MB of XML): under the 300 MB the reader
    # allows in total, but no action plan has that many.
    p = dest / "plan_many_cells_Nacka_2025.xlsx"
    _zip_with_sheet(plan, "xl/worksheets/sheet1.xml", _shifted_bomb(plan, 150 * 1024 * 1024), p)
    out[p.name] = p

    # Styled down to row 100 000, filled only at the top: must load in seconds.
    p = dest / "plan_100k_empty_rows_Nacka_2025.xlsx"
    _zip_with_sheet(plan, "xl/worksheets/sheet1.xml", _plan_with_empty_rows(plan, 100_000), p)
    out[p.name] = p

    # A 5 MB measure description in one CSV cell, and a 2 MB line in a signal file.
    p = dest / "measure_5mb_cell.csv"
    p.write_bytes(_lines(MEASURE_HEADER, f"Tyresö kommun;0138;2025;{UNGA};Läxhjälp;påbörjad;" + "x" * (5 << 20)))
    out[p.name] = p
    p = dest / "signal_long_line.csv"
    p.write_bytes(_lines(*[SIGNAL_HEADER, *SIGNAL_OK], "2025-03;LPO-JARVA;15-17;M;polis;" + "ö" * (1 << 20) + ";4"))
    out[p.name] = p

    # A Brå export whose comment column holds 300 000 characters in one cell (row 803).
    p = dest / "bra_huge_cell.csv"
    p.write_bytes(_lines("Region;Brottstyp;År;Antal;Per 100 000 inv;Kommentar",
                         *["Stockholm;Samtliga brott;2023;171 204;17 385,6;"] * 801,
                         "Malmö;Samtliga brott;2023;1;1;" + "a" * 300_000))
    out[p.name] = p
    return out


def _sheet_parts(plan: bytes) -> tuple[bytes, bytes]:
    with zipfile.ZipFile(io.BytesIO(plan)) as zf:
        xml = zf.read("xl/worksheets/sheet1.xml")
    head, sep, tail = xml.partition(b"</sheetData>")
    return head, sep + tail


def _shifted_bomb(plan: bytes, total_bytes: int) -> Iterator[bytes]:
    """The plan's own rows, then ``total_bytes`` of filled rows."""
    head, tail = _sheet_parts(plan)
    yield head
    yield from _filled_rows(total_bytes)
    yield tail


def _bomb(total_bytes: int) -> Iterator[bytes]:
    yield _SHEET_HEAD
    yield from _filled_rows(total_bytes)
    yield _SHEET_TAIL


def _plan_with_empty_rows(plan: bytes, last: int) -> Iterator[bytes]:
    head, tail = _sheet_parts(plan)
    yield head
    yield from _empty_rows(100, last)
    yield tail


def main() -> int:
    BAD.mkdir(parents=True, exist_ok=True)
    for name, content in small_files().items():
        (BAD / name).write_bytes(content)
    print(f"{len(small_files())} filer skrivna i {BAD}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
