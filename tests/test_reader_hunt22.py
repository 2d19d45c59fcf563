"""Real files and real bad input through the loading path (hunt 22): the police feed as an
analyst keeps it (wrapped by a script, printed by Python, edited by hand, re-saved or fetched
by Excel), kolada.se's export with the year in its header, and what coordinators and
analysts write that was read right already (kept here so that it stays so)."""

from __future__ import annotations

import json
from datetime import datetime

import openpyxl
import pytest
from helpers import digest, refused, rows
from openpyxl.worksheet.table import Table, TableStyleInfo

from pipelines.loading import ingest
from tests.test_atgardsplan_hunt3 import _load, _measures, _new, _save, _sheet
from tests.test_atgardsplan_hunt5 import THREE, _status_sheet


def _event(i: int, published: str, name: str, kind: str, place: str) -> dict:
    return {"id": i, "datetime": published, "name": name, "summary": "Polisen är på plats.",
            "url": f"/aktuellt/handelser/2026/augusti/{i}", "type": kind, "location": {"name": place, "gps": "55.6,13.0"}}


EVENTS = [_event(483001, "2026-08-22 9:48:12 +02:00", "22 augusti 09.30, Skottlossning, Malmö", "Skottlossning",
                 "Skåne län"),
          _event(483002, "2026-08-22 10:48:12 +02:00", "22 augusti 10.30, Rån, Lund", "Rån", "Lund")]
STORED = [("polisen:483001", datetime(2026, 8, 22, 9, 30), "skottlossning", "1280"),
          ("polisen:483002", datetime(2026, 8, 22, 10, 30), "rån", "1281")]


def _incidents(db) -> list[tuple]:
    return rows(db, "SELECT incident_id, occurred_at, incident_type, kommun_code FROM incident ORDER BY 1")


def _loads_once(db, path, expected=STORED) -> None:
    """The file loads ``expected``; loading it again adds nothing."""
    [report] = ingest(db, [path])
    assert (report.status, report.rows_accepted, report.rows_rejected) == ("ok", len(expected), 0), report.summary()
    assert _incidents(db) == expected
    [again] = ingest(db, [path])
    assert again.status == "duplicate" and again.rows_accepted == 0, again.summary()
    assert _incidents(db) == expected


# --- the police feed --------------------------------------------------------------------------

def test_the_answer_kept_under_a_key_of_a_scripts_own_is_read(empty_db, tmp_path):
    # A script that saves each hourly answer with its own fields beside it
    # ({"hamtad": …, "events": [...]}). Before: "JSON-filen är ett objekt, men polisens
    # händelser är en lista med händelser" and nothing was read.
    path = tmp_path / "polisen_2026-08-22T11.json"
    path.write_text(json.dumps({"hamtad": "2026-08-22T11:00:00+02:00", "kalla": "https://polisen.se/api/events",
                                "events": EVENTS}, indent=2, ensure_ascii=False), encoding="utf-8")
    _loads_once(empty_db, path)


def test_a_personnummer_in_the_wrappers_own_fields_refuses_the_file(empty_db, tmp_path):
    path = tmp_path / "svar.json"
    path.write_text(json.dumps({"anteckning": "gäller 19900101-1239", "data": EVENTS}), encoding="utf-8")
    message = refused(empty_db, path)
    assert "personnummer" in message and "fält 'anteckning'" in message and "1239" not in message, message


def test_two_lists_of_events_in_one_object_are_not_guessed_between(empty_db, tmp_path):
    path = tmp_path / "svar.json"
    path.write_text(json.dumps({"igar": EVENTS[:1], "idag": EVENTS[1:]}), encoding="utf-8")
    assert "JSON-filen är ett objekt" in refused(empty_db, path, fmt="polisen-json")


def test_the_answer_printed_by_python_is_refused_saying_how_to_save_it(empty_db, tmp_path):
    # print(requests.get("https://polisen.se/api/events").json()) > polisen.json: single
    # quotes, True/None. Before: "formatet känns inte igen", which says nothing of why.
    path = tmp_path / "polisen.json"
    path.write_text(repr(EVENTS), encoding="utf-8")
    message = refused(empty_db, path)
    assert message.startswith("polisen.json: filen är Pythons utskrift av svaret"), message
    assert "json.dump" in message and "inget lästes in" in message


def test_a_comma_left_after_the_last_event_names_the_comma_not_a_cut_off_answer(empty_db, tmp_path):
    # The analyst deleted the last events by hand in an editor and left the comma. Before:
    # "svaret kan vara avbrutet. Hämta det igen": fetching again does not bring back an
    # hour that is gone from the feed.
    text = json.dumps(EVENTS, indent=2, ensure_ascii=False)
    path = tmp_path / "polisen-events-20260822T090000Z.json"
    path.write_text(text[:-2] + ",\n]", encoding="utf-8")
    message = refused(empty_db, path)
    assert "(rad 26, tecken 1): ett kommatecken står före ']'" in message, message
    assert "Ta bort kommatecknet" in message and "avbrutet" not in message

    # A file really cut off still says so.
    path.write_text(text[: len(text) // 2], encoding="utf-8")
    assert "svaret kan vara avbrutet" in refused(empty_db, path)


def test_an_answer_pretty_printed_with_bom_tabs_and_windows_line_ends_is_read(empty_db, tmp_path):
    # Handled before: Notepad++ "Format JSON" and "Spara med BOM".
    path = tmp_path / "events.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(EVENTS, indent="\t", ensure_ascii=False)
                     .replace("\n", "\r\n").encode("utf-8"))
    _loads_once(empty_db, path)


def _table_lines() -> list[str]:
    return ["id;datetime;name;summary;url;type;location.name;location.gps"] + [
        f"{e['id']};{e['datetime']};{e['name']};Rån på gården, två skadade;{e['url']};{e['type']};"
        f"{e['location']['name']};\"55,6,13,0\"" for e in EVENTS]


@pytest.mark.parametrize(("first", "encoding"), [
    ("", "cp1252"),  # Excel's "CSV (semikolonavgränsad)": Windows-1252, semicolons
    ("sep=;\n", "utf-8"),  # a tool's "sep=" line for Excel above the header
    ("sep=;\n", "cp1252"),
])
def test_the_feeds_table_re_saved_by_excel_as_csv_is_read(empty_db, tmp_path, first, encoding):
    # The flattened feed (an archive's CSV, or json_normalize's) opened in a Swedish Excel,
    # filtered to a län and saved again. Before: "formatet känns inte igen" (the sep line
    # hid the header; DuckDB's CSV reader read UTF-8 only).
    path = tmp_path / "handelser_skane.csv"
    path.write_bytes((first + "\n".join(_table_lines()) + "\n").encode(encoding))
    _loads_once(empty_db, path)


def _power_query(path, extra=None):
    """The feed as Excel's Power Query loads it ("Data > Från webben", the list to a table,
    'location' expanded with its prefix) and saves it: ids as numbers, one time typed as a
    date and time."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "events"
    ws.append(["id", "datetime", "name", "summary", "url", "type", "location.name", "location.gps"])
    for e in EVENTS:
        ws.append([float(e["id"]), e["datetime"], e["name"], e["summary"], e["url"], e["type"], e["location"]["name"],
                   e["location"]["gps"]])
    ws.append([483003.0, datetime(2026, 8, 22, 11, 5, 1), "22 augusti 11.00, Misshandel, Malmö", None, "/a",
               "Misshandel", "Skåne län", None])
    ws.add_table(Table(displayName="events", ref="A1:H4", tableStyleInfo=TableStyleInfo(name="TableStyleMedium7")))
    if extra:
        extra(wb)
    wb.save(path)
    return path


def test_the_feed_fetched_by_excels_power_query_is_read(empty_db, tmp_path):
    # Before: "formatet känns inte igen (arbetsboken har ingen flik med rubrikerna för en
    # åtgärdsplan, …)": a workbook of the police's events was no format of ours.
    path = _power_query(tmp_path / "Fråga1.xlsx")
    _loads_once(empty_db, path, STORED + [("polisen:483003", datetime(2026, 8, 22, 11, 0), "våldsbrott", "1280")])


def test_a_personnummer_on_another_sheet_of_the_power_query_workbook_refuses_it(empty_db, tmp_path):
    def notes(wb):
        wb.create_sheet("Anteckningar")["B7"] = "Kontakt om händelsen: 19900101-1239"
    path = _power_query(tmp_path / "Fråga1.xlsx", notes)
    before = digest(empty_db)
    message = refused(empty_db, path)
    assert "personnummer" in message and "blad 'Anteckningar', rad 7" in message and "1239" not in message, message
    assert digest(empty_db) == before


# --- kolada.se's own export ------------------------------------------------------------------

def test_a_kolada_export_whose_kommun_header_names_the_year_gets_the_advice(empty_db, tmp_path):
    # kolada.se heads the kommun column with the year of the division ("Kommun (2025)").
    # Before: only "formatet känns inte igen", without the advice the docs promise.
    csv_path = tmp_path / "kolada_export.csv"
    csv_path.write_text("Kommun (2025);Kön;2022;2023\nMalmö;Totalt;1 587,4;1 600\n", encoding="utf-8-sig")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["N07403 Anmälda brott om våld mot person, antal/100 000 inv"])
    ws.append(["Kommun (2025)", "2022", "2023"])
    ws.append(["Malmö", 1587.4, 1600])
    xlsx_path = _save(wb, tmp_path / "kolada_export.xlsx")
    message = refused(empty_db, csv_path)
    assert "filen ser ut som en export från kolada.se" in message and "fetch kolada" in message, message
    # The workbook's title names its KPI: read since session 24 (tests/test_kolada.py).
    [report] = ingest(empty_db, [xlsx_path])
    assert report.status == "ok", report.summary()
    assert rows(empty_db, "SELECT kpi_id, kommun_code, year, value FROM kolada_value ORDER BY year") == [
        ("N07403", "1280", 2022, 1587.4), ("N07403", "1280", 2023, 1600.0)]


# --- read right before: kept so ----------------------------------------------------------------

@pytest.mark.parametrize("count", ["12\u00a0000", "12\u202f000", "12 000"])
def test_bra_counts_grouped_by_no_break_or_narrow_spaces_under_a_sep_line(empty_db, tmp_path, count):
    path = tmp_path / "anmalda.csv"
    path.write_bytes(("sep=;\nOmråde;Brottstyp;År;Antal;Per 100 000 invånare\n"
                      f"Malmö;Samtliga brott;2023;{count};3\u00a0400,5\n").encode("utf-8" if "\u202f" in count
                                                                                 else "cp1252"))
    [report] = ingest(empty_db, [path])
    assert (report.status, report.rows_accepted) == ("ok", 1), report.summary()
    assert rows(empty_db, "SELECT area_code, year, count, per_100k FROM bra_statistic") == [
        ("1280", 2023, 12000, 3400.5)]


@pytest.mark.parametrize("statuses", [
    ["🟢 Klar", "🟡 Pågår", "🔴 Ej påbörjad"],
    ["✅ Genomförd", "⏳ Pågår", "⛔ Ej påbörjad"],
    # drop-down options copied from a list with a trailing (no-break) space or tab
    ["Genomförd\u00a0", " Pågår ", "Ej påbörjad\t"],
])
def test_status_cells_with_emoji_or_trailing_spaces(empty_db, tmp_path, statuses):
    wb = _new()
    _status_sheet(wb, statuses)
    _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert [m[3] for m in _measures(empty_db)] == ["uppnådd", "påbörjad", "ej uppnådd"]


def test_when_written_as_weeks_quarters_terms_or_dates_is_kept_as_written(empty_db, tmp_path):
    dues = ["v.12", "vecka 12", "Q3 2025", "hösten 2025", "Löpande", "HT25", datetime(2025, 6, 30)]
    wb = _new()
    _sheet(wb, "1. Unga i riskzon", [["Otrygghet", f"Orsak {i}", f"Åtgärd {i}: text.", "Mål", due, "Chef", None]
                                      for i, due in enumerate(dues)])
    _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert rows(empty_db, "SELECT due FROM measure ORDER BY source_row") == [
        ("v.12",), ("vecka 12",), ("Q3 2025",), ("hösten 2025",), ("Löpande",), ("HT25",), ("2025-06-30",)]


@pytest.mark.parametrize("header", [
    ["PROBLEMOMRÅDE", "ORSAK", "ÅTGÄRD", "OPERATIVA MÅL", "NÄR", "VEM", "UPPFÖLJNING"],
    ["Problemområde:", "Orsak:", "Åtgärd:", "Operativa mål:", "När:", "Vem:", "Uppföljning:"],
    ["Problemområde\n(vad?)", "Orsak\n(varför?)", "Åtgärd\n(vad ska göras?)", "Operativa mål", "När\n(datum)",
     "Vem\n(ansvarig)", "Uppföljning\n(fylls i vid uppföljning)"],
])
def test_headers_in_capitals_with_a_colon_or_a_second_line_in_an_excel_table(empty_db, tmp_path, header):
    wb = _new()
    ws = _sheet(wb, "1. Unga i riskzon", THREE, header=header)
    ws.add_table(Table(displayName="Plan", ref="A3:G6", tableStyleInfo=TableStyleInfo(name="TableStyleMedium2")))
    _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert [(title, due, who) for title, due, who in rows(
        empty_db, "SELECT title, due, responsible FROM measure ORDER BY source_row")] == [
        ("Läxhjälp", "2025", "Chef"), ("Nattvandring", "2025", "Chef"), ("Belysning", "2025", "Chef")]


def test_a_summary_over_two_lines_is_one_field_and_a_shifted_row_is_named(empty_db, tmp_path):
    # Excel quotes a summary holding a semicolon or a line break; a hand-made file may not.
    header = "id;datetime;name;summary;url;type;location.name\n"
    quoted = ('483001;2026-08-22 9:48:12 +02:00;22 augusti 09.30, Skottlossning, Malmö;"Flera skott;\nen skadad";'
              "/a;Skottlossning;Skåne län\n")
    path = tmp_path / "handelser.csv"
    path.write_bytes((header + quoted).encode("cp1252"))
    [report] = ingest(empty_db, [path])
    assert (report.status, report.rows_accepted) == ("ok", 1), report.summary()
    assert _incidents(empty_db) == STORED[:1]

    shifted = tmp_path / "handelser_2.csv"
    shifted.write_bytes((header + quoted + "483002;2026-08-22 10:48:12 +02:00;22 augusti 10.30, Rån, Lund;"
                         "Rån; en skadad;/b;Rån;Lund\n").encode("cp1252"))
    message = refused(empty_db, shifted)
    assert message.startswith("handelser_2.csv: rad 4: raden har fler fält än rubrikraden (8 mot 7)"), message


def test_a_plan_saved_by_libreoffice_as_ods_reads_emoji_and_no_break_spaces_as_the_xlsx(empty_db, tmp_path):
    from tests.test_atgardsplan_ods import to_ods

    wb = _new()
    _status_sheet(wb, ["🟢 Klar", "Pågår\u00a0", "🔴 Ej påbörjad"])
    ods = to_ods(_save(wb, tmp_path / "plan.xlsx"), tmp_path / "Farsta åtgärdsplan 2025.ods")
    _load(empty_db, ods)
    assert [m[3] for m in _measures(empty_db)] == ["uppnådd", "påbörjad", "ej uppnådd"]
