"""Real files and real bad input through the loading path (hunt 19): what a user who
loads an export as the source or a colleague left it sees, for each reader."""

from __future__ import annotations

import pandas as pd
from helpers import digest, refused, rejected_rows, rows

from pipelines.loading import ingest

INCIDENT_HEADER = "incident_id;occurred_at;incident_type;kommun_code"


def test_a_personnummer_in_an_incident_column_the_format_does_not_use_refuses_the_file(empty_db, tmp_path):
    # An export from a case system keeps its own columns beside ours ('kommentar', a
    # case number). They are not stored, but formats.md promises that a personnummer
    # anywhere refuses the file, as the signal and measure files already did; before,
    # the incident reader never looked at them and loaded the file.
    csv = tmp_path / "handelser.csv"
    csv.write_text(f"{INCIDENT_HEADER};kommentar\n"
                   "k-1;2025-03-01 21:14;rån;0180;ingen uppgift\n"
                   "k-2;2025-03-02 02:10;rån;1280;gärningsman 121212-1212\n", encoding="utf-8")
    message = refused(empty_db, csv)
    assert "rad 3, kolumn 'kommentar'" in message and "personnummer" in message
    assert "1212" not in message

    # an empty header cell is named by its field number
    blank = tmp_path / "tomrubrik.csv"
    blank.write_text(f"{INCIDENT_HEADER};;\nk-1;2025-03-01 21:14;rån;0180;121212-1212;\n", encoding="utf-8")
    assert "rad 2, kolumn 'fält 5'" in refused(empty_db, blank)

    # Parquet: a text or a number column alike
    for name, extra in (("text.parquet", {"anteckning": ["121212-1212"]}), ("tal.parquet", {"arende": [1212121212]})):
        path = tmp_path / name
        pd.DataFrame({"incident_id": ["k-1"], "occurred_at": ["2025-03-01 21:14"], "incident_type": ["rån"],
                      "kommun_code": ["0180"], **extra}).to_parquet(path)
        assert f"rad 1, kolumn '{next(iter(extra))}'" in refused(empty_db, path)


def test_an_incident_file_with_columns_of_its_own_still_loads(empty_db, tmp_path):
    # The columns the format does not use are screened, not read: without a personnummer
    # the file loads as before, reordered columns and a line break in a quoted cell too.
    csv = tmp_path / "export.csv"
    csv.write_text("kommun_code;incident_type;occurred_at;kommentar;incident_id\n"
                   "0180;skottlossning;2025-03-01 21:14:05;se ärende 2025-0042;k-1\n"
                   '1280;explosion;2025-03-02 02:10;"två\nrader";k-2\n', encoding="utf-8")
    [report] = ingest(empty_db, [csv])
    assert (report.status, report.rows_accepted, report.rows_rejected) == ("ok", 2, 0), report.summary()
    before = digest(empty_db)
    [again] = ingest(empty_db, [csv])
    assert again.status == "duplicate" and digest(empty_db) == before


def _scb_export(regions: list[tuple[str, str]], years=(2022, 2023)) -> list[str]:
    """PxWeb's 'Kommaavgränsad med rubrik': title, blank line, header, one row per
    region, age and sex (each one's population its age plus 1000)."""
    lines = ['"Folkmängd efter region, ålder, kön och år"', "",
             '"region","ålder","kön",' + ",".join(f'"{y}"' for y in years)]
    for code, name in regions:
        for age in [*range(100), "100+"]:
            for sex in ("män", "kvinnor"):
                lines.append(f'"{code} {name}","{age} år","{sex}",'
                             + ",".join(str(1000 + (100 if age == "100+" else age)) for _ in years))
    return lines


def test_two_scb_exports_put_together_load_and_name_the_second_header(empty_db, tmp_path):
    # Two downloads from SCB's statistical database pasted into one file: the second's
    # title is a note, its header a row. Before, that row was rejected as 'okänd region'.
    csv = tmp_path / "folkmangd.csv"
    lines = _scb_export([("0180", "Stockholm")]) + _scb_export([("1280", "Malmö")])
    csv.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    [report] = ingest(empty_db, [csv])
    assert report.status == "ok", report.summary()
    second_header = lines.index(lines[2], 3) + 1
    assert rejected_rows(empty_db) == [(second_header, "region",
                                       "rubrikraden upprepas (filer som satts ihop); raden är inga värden")]
    assert rows(empty_db, "SELECT kommun_code, count(*), sum(population) FROM population WHERE year = 2023 "
                          "GROUP BY 1 ORDER BY 1") == [("0180", 12, 2 * sum(1000 + a for a in range(101))),
                                                        ("1280", 12, 2 * sum(1000 + a for a in range(101)))]


def test_two_bra_exports_put_together_keep_every_area(empty_db, tmp_path):
    # The same for Brå's table, as a long export and as a pivot whose header has only the
    # years. Before, the pivot's second header was read as the area above with counts
    # 2022 and 2023, and that area's real figures were rejected as given twice.
    long = tmp_path / "bra_lang.csv"
    long.write_text("Region;Brottstyp;År;Antal\nStockholms län;Rån;2023;2 571\n"
                    "Region;Brottstyp;År;Antal\nSkåne län;Rån;2023;1 012\n", encoding="utf-8")
    [report] = ingest(empty_db, [long])
    assert report.status == "ok", report.summary()
    assert rejected_rows(empty_db) == [(3, "Region", "rubrikraden upprepas (filer som satts ihop); raden är inga värden")]

    pivot = tmp_path / "bra_pivot.csv"
    pivot.write_text("Anmälda brott\n;;2022;2023\nStockholms län;Skadegörelse;2 900;2 700\nSkåne län;Skadegörelse;1 100;1 012\n"
                     "\nAnmälda brott\n;;2022;2023\nHallands län;Skadegörelse;300;310\n", encoding="utf-8")
    [report] = ingest(empty_db, [pivot])
    assert report.status == "ok", report.summary()
    assert rows(empty_db, "SELECT area_code, year, count FROM bra_statistic WHERE offence_category = 'Skadegörelse' "
                          "ORDER BY 1, 2") == [("01", 2022, 2900), ("01", 2023, 2700), ("12", 2022, 1100),
                                               ("12", 2023, 1012), ("13", 2022, 300), ("13", 2023, 310)]
    assert rows(empty_db, 'SELECT row_number, "column", reason FROM rejected_row WHERE load_id = 2') == [
        (7, "2022", "rubrikraden upprepas (filer som satts ihop); raden är inga värden")]


def test_our_own_files_put_together_with_cat_name_the_second_header(empty_db, tmp_path):
    # 'cat januari.csv februari.csv > alla.csv' of files saved as CSV UTF-8: the second
    # header stands among the rows with its own byte order mark. The signal and measure
    # readers named each of its cells unknown ("ogiltig månad 'month'; area_code: okänt
    # område; …"), the incident reader its time, when it came with a mark.
    bom = "\ufeff"
    signal_header = "month;area_code;age_band;sex;source;signal_type;count"
    measure_header = "organisation;kommun_code;year;prioritised_area;title;status"
    files = {
        "signaler.csv": [signal_header, "2025-03;LPO-JARVA;15-17;M;socialtjänst;rekryteringsförsök;7"],
        "atgarder.csv": [measure_header, "Tyresö kommun;0138;2025;Unga i riskzon för destruktivt beteende;Fritid;Pågår"],
        "handelser.csv": [INCIDENT_HEADER, "k-1;2025-03-01 21:14;rån;0180"],
    }
    expected = {"signaler.csv": ("month", "signal"), "atgarder.csv": ("organisation", "åtgärd"),
                "handelser.csv": ("incident_id", "händelse")}
    for name, (header, row) in files.items():
        second = row.replace("2025-03;", "2025-04;").replace("Fritid", "Fältare").replace("k-1", "k-2")
        path = tmp_path / name
        path.write_text(f"{bom}{header}\r\n{row}\r\n{bom}{header.upper()}\r\n{second}\r\n", encoding="utf-8")
        [report] = ingest(empty_db, [path])
        assert (report.status, report.rows_accepted, report.rows_rejected) == ("ok", 2, 1), report.summary()
        column, what = expected[name]
        assert rows(empty_db, 'SELECT row_number, "column", reason FROM rejected_row WHERE load_id = ?',
                    [report.load_id]) == [(3, column, f"rubrikraden upprepas (filer som satts ihop); raden är ingen {what}")]


def _event(event_id: int, **changes) -> dict:
    """One notice as polisen.se/api/events writes it (hour without its zero, gps as a
    'lat,lon' text, the län as location.name since 2026)."""
    event = {"id": event_id, "datetime": "2025-01-05 8:03:12 +01:00", "name": "05 januari 07.40, Misshandel, Malmö",
             "summary": "Polisen larmades till en adress.", "url": "/aktuellt/handelser/2025/januari/5/",
             "type": "Misshandel", "location": {"name": "Skåne län", "gps": "55.604981,13.003822"}}
    event.update(changes)
    return event


def test_a_personnummer_in_any_field_of_a_police_event_refuses_the_file(empty_db, tmp_path):
    # README: every reader scans every text cell. The police reader looked at id, name,
    # summary, type, url and location.name only: a number in location.gps, or in a field
    # a collector adds beside the API's own, loaded with the file.
    import json

    cases = {
        "gps": (_event(2, location={"name": "Skåne län", "gps": "121212-1212"}), "location.gps"),
        "collector": (_event(2, collected={"note": "anmälare 121212-1212"}), "collected.note"),
    }
    for name, (event, field) in cases.items():
        path = tmp_path / f"polisen-{name}.json"
        path.write_text(json.dumps([_event(1), event], ensure_ascii=False), encoding="utf-8")
        message = refused(empty_db, path)
        assert f"händelse 2, fält '{field}'" in message and "personnummer" in message, message
        assert "1212" not in message
    # the feed's own gps texts are no numbers: the answer loads
    path = tmp_path / "polisen-events.json"
    path.write_text(json.dumps([_event(1), _event(2, location={"name": "Skåne län", "gps": "56.161224,15.586900"}),
                                _event(3, location={"name": "Skåne län", "gps": None})]), encoding="utf-8")
    [report] = ingest(empty_db, [path])
    assert (report.status, report.rows_accepted) == ("ok", 3), report.summary()


def test_a_kolada_period_that_is_not_a_year_is_a_rejected_row(empty_db, tmp_path):
    # The year was the period's first four characters: '2023H1' was stored as 2023 (beside
    # the year's own value) and a period 99 as the year 99. A value entry that is no
    # object stopped the load with 'oväntat fel' (AttributeError).
    import json

    def entry(period, values=None):
        return {"kpi": "N07403", "municipality": "0180", "period": period,
                "values": values or [{"gender": "T", "count": 1, "status": "", "value": 12.5}]}

    path = tmp_path / "kolada.json"
    path.write_text(json.dumps({"count": 6, "values": [
        entry(2023), entry("2022"), entry(2021.0), entry("2023H1"), entry(99), entry(2020, [12.5])]}),
        encoding="utf-8")
    [report] = ingest(empty_db, [path])
    assert report.status == "ok", report.summary()
    assert rows(empty_db, "SELECT year, value FROM kolada_value ORDER BY 1") == [(2021, 12.5), (2022, 12.5), (2023, 12.5)]
    assert rejected_rows(empty_db) == [(4, "period", "perioden är inte ett år (väntat t.ex. 2023)"),
                                       (5, "period", "perioden är inte ett år (väntat t.ex. 2023)"),
                                       (6, "values", "värdet ska vara ett objekt med gender och value")]


def test_an_api_error_saved_as_the_answer_says_what_the_service_said(empty_db, tmp_path):
    # 'curl -o svar.json' of a wrong address or a refused request saves the service's error
    # instead of data: SCB's PxWebApi 2 answers with problem details, Kolada v3 with
    # {"detail": …}. Before, the refusal said only 'formatet känns inte igen'.
    answers = {
        "scb.json": ('{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.5","title":"Not Found",'
                     '"status":404,"detail":"Table TAB9999 not found"}', "Table TAB9999 not found"),
        "kolada.json": ('{"detail":[{"loc":["path","kpi_id"],"msg":"string does not match regex",'
                        '"type":"value_error"}]}', "string does not match regex"),
        "handelser.json": ('{"title":"One or more validation errors occurred.","status":400,'
                           '"errors":{"DateTime":["The value \'2025-13\' is not valid."]}}',
                           "One or more validation errors occurred. The value '2025-13' is not valid."),
        "tyst.json": ('{"status":500,"title":"' + "x" * 300 + '"}', None),
    }
    for name, (body, said) in answers.items():
        path = tmp_path / name
        path.write_text(body, encoding="utf-8")
        message = refused(empty_db, path)
        assert f"{name}: formatet känns inte igen (filen är ett felmeddelande från webbtjänsten, inte data" in message
        assert (f": '{said}';" in message) if said else "inte data;" in message


def test_a_fetch_answered_with_an_error_page_says_so_in_one_line(empty_db, tmp_path, monkeypatch):
    # A live API that fails answers with its own error: SCB's load balancer and Kolada's
    # proxy with an HTML page (503), a rate limit with a line of text (429), Kolada v3 with
    # FastAPI's {"detail": …} (404). The message quoted the body's first 200 characters, so
    # a page made it several lines of markup; it now says what the service said, or that it
    # was a web page, on one line, with what to do.
    from types import SimpleNamespace

    import pytest
    from helpers import local_api

    from pipelines.fetch import FetchError
    from pipelines.fetch import main as fetch_main
    from pipelines.readers import kolada, scb

    page = (b"<!DOCTYPE html>\n<html>\n<head><title>503 Service Temporarily Unavailable</title></head>\n"
            b"<body>\n<center><h1>503 Service Temporarily Unavailable</h1></center>\n</body>\n</html>\n")
    answers = {
        "html": (503, page, "(HTTP 503) på {base}/v3/kpi/N07403 (en webbsida, troligen en fel- eller "
                            "underhållssida) – tjänsten är tillfälligt otillgänglig; frågade 4 gånger med paus "
                            "emellan – vänta en stund och försök igen; inget lästes in."),
        "detail": (404, b'{"detail":"Not Found"}',
                   "(HTTP 404) på {base}/v3/kpi/N07403: 'Not Found' – kontrollera urvalet och försök igen; "
                   "inget lästes in."),
        "rate": (429, b"Too Many Requests\n", "(HTTP 429) på {base}/v3/kpi/N07403: 'Too Many Requests' – för många "
                                              "anrop; frågade 4 gånger med paus emellan – vänta en stund och "
                                              "försök igen; inget lästes in."),
    }
    before = digest(empty_db)
    for status, body, expected in answers.values():
        with local_api(lambda request, status=status, body=body: (status, body)) as base:
            monkeypatch.setattr(kolada, "API", f"{base}/v3")
            with pytest.raises(FetchError) as error:
                fetch_main(SimpleNamespace(source="kolada", args=["N07403"], years="2023", save=tmp_path, db=str(empty_db)))
        assert str(error.value) == "Kolada svarade med fel " + expected.format(base=base)
    with local_api(lambda request: (503, page)) as base:
        monkeypatch.setattr(scb, "API_V2", f"{base}/api/v2")
        monkeypatch.setattr(scb, "API_V1", f"{base}/OV0104/v1/doris/sv/ssd/START/BE/BE0101/BE0101A/BefolkningNy")
        with pytest.raises(FetchError) as error:
            fetch_main(SimpleNamespace(source="scb", args=[], years="2023", save=tmp_path, db=str(empty_db)))
    # A page from API 2.0 (down for maintenance) is no missing table: v1 is not asked.
    assert str(error.value) == ("SCB:s API 2.0 svarade med fel (HTTP 503) för år 2023 (en webbsida, troligen en fel- "
                                "eller underhållssida) – tjänsten är tillfälligt otillgänglig; frågade 4 gånger med "
                                "paus emellan – vänta en stund och försök igen; inget lästes in.")
    assert digest(empty_db) == before


def test_a_brå_or_scb_workbook_saved_under_another_name_is_read_as_the_workbook_it_is(empty_db, tmp_path):
    # Web exports name their Excel files 'export.xls' (an .xlsx inside), and users rename
    # them '.csv'. A workbook was recognised by its name only, so such a file was refused
    # as 'arbetsboken har ingen flik med rubrikerna … brottstabell från Brå', which it has.
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Anmälda brott"
    ws["A1"] = "Anmälda brott efter region, brottstyp och år"
    ws.merge_cells("A1:E1")
    ws.append([])
    ws.append(["Region", "Brottstyp", "År", "Antal", "Per 100 000 inv"])
    ws.append(["Stockholms län", "Rån", 2023, 2571, 100.9])
    ws.append(["Skåne län", "Rån", 2023, "1\u00a0012", "72,4"])
    bra = tmp_path / "export.xls"
    wb.save(bra)

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Folkmängd efter region, ålder, kön och år"])
    ws.append(["region", "ålder", "kön", "2023"])
    for age in [*range(100), "100+"]:
        for sex in ("män", "kvinnor"):
            ws.append(["1280 Malmö", f"{age} år", sex, 1000])
    scb = tmp_path / "folkmangd.csv"
    wb.save(scb)

    for path, fmt in ((bra, "bra-xlsx"), (scb, "scb-xlsx")):
        [report] = ingest(empty_db, [path])
        assert (report.status, report.source_format, report.rows_rejected) == ("ok", fmt, 0), report.summary()
    assert rows(empty_db, "SELECT area_code, count, per_100k FROM bra_statistic ORDER BY 1") == [
        ("01", 2571, 100.9), ("12", 1012, 72.4)]
    assert rows(empty_db, "SELECT count(*), sum(population) FROM population") == [(12, 2 * 101 * 1000)]


def test_a_count_written_nan_or_inf_is_a_rejected_row(empty_db, tmp_path):
    # Python and pandas write a missing number as 'nan' and an overflow as 'inf'; the
    # statistics' number rule read them as numbers. A signal count so written is rejected,
    # naming its row and column, and the file's other rows load.
    csv = tmp_path / "signaler.csv"
    csv.write_text("month;area_code;age_band;sex;source;signal_type;count\n"
                   "2025-03;LPO-JARVA;15-17;M;socialtjänst;rekryteringsförsök;7\n"
                   "2025-03;LPO-JARVA;12-14;M;socialtjänst;rekryteringsförsök;nan\n"
                   "2025-03;LPO-JARVA;18-20;M;socialtjänst;rekryteringsförsök;inf\n", encoding="utf-8")
    [report] = ingest(empty_db, [csv])
    assert (report.rows_accepted, report.rows_rejected) == (1, 2), report.summary()
    assert sorted((r[0], r[1]) for r in rejected_rows(empty_db)) == [(3, "count"), (4, "count")]


def test_the_report_counts_one_rejected_row_in_the_singular(empty_db, tmp_path):
    csv = tmp_path / "signaler.csv"
    csv.write_text("month;area_code;age_band;sex;source;signal_type;count\n"
                   "2025-03;LPO-JARVA;15-17;M;socialtjänst;rekryteringsförsök;7\n"
                   "2025-03;LPO-JARVA;12-14;M;socialtjänst;rekryteringsförsök;sju\n", encoding="utf-8")
    [report] = ingest(empty_db, [csv])
    assert "1 rad avvisades;" in report.summary() and "1 rader" not in report.summary()
