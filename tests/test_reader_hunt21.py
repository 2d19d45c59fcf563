"""Real files and real bad input through the loading path (hunt 21): Brå's other
statistics in the reported offences' layout, columns of several years, and what else a
real export holds that was stored wrong or refused without need."""

from __future__ import annotations

import json

from helpers import refused, rejected_rows, rows

from pipelines.loading import ingest


def _bra(db):
    return rows(db, "SELECT area_code, offence_category, year, count, per_100k FROM bra_statistic ORDER BY 1, 2, 3")


def test_a_bra_table_of_cleared_offences_or_suspects_is_not_stored_as_reported_offences(empty_db, tmp_path):
    # Brå's database gives personuppklarade brott, misstänkta personer and lagföringar in
    # the same layout as anmälda brott (Område, Brottstyp, År, Antal). Before, each was
    # stored as reported offences: Malmö's 12 000 cleared offences stood as its count.
    titled = tmp_path / "personuppklarade.csv"
    titled.write_text("Personuppklarade brott\nOmråde;Brottstyp;År;Antal;Per 100 000 invånare\n"
                      "Malmö;Samtliga brott;2022;12 000;3 400\n", encoding="utf-8")
    message = refused(empty_db, titled)
    assert "rad 1" in message and "'Personuppklarade brott', inte anmälda brott" in message, message

    suspects = tmp_path / "misstankta.csv"
    suspects.write_text("Område;Brottstyp;År;Antal misstänkta personer\nMalmö;Samtliga brott;2022;500\n",
                        encoding="utf-8")
    message = refused(empty_db, suspects)
    assert "rad 1, kolumn 'Antal misstänkta personer'" in message and "inte anmälda brott" in message, message

    # Both in one table, the cleared ones first: the reported offences are read, and the
    # report says which column was left.
    both = tmp_path / "anmalda_och_uppklarade.csv"
    both.write_text("Område;Brottstyp;År;Antal personuppklarade brott;Antal anmälda brott\n"
                    "Malmö;Samtliga brott;2022;12 000;40 000\n", encoding="utf-8")
    [report] = ingest(empty_db, [both])
    assert (report.status, report.rows_accepted) == ("ok", 1), report.summary()
    assert _bra(empty_db) == [("1280", "Samtliga brott", 2022, 40000, None)]
    assert "Kolumnen 'Antal personuppklarade brott' lästes inte in" in report.summary()


def test_an_offence_named_after_a_suspicion_is_still_read(empty_db, tmp_path):
    # The guard looks at the title and the value columns, not at the offences or at a
    # 'Brottstyp:' line: an offence's name may hold any word.
    path = tmp_path / "anmalda.csv"
    path.write_text("Anmälda brott\nBrottstyp: Misstänkt dödligt våld\nOmråde;År;Antal\nMalmö;2023;12\n",
                    encoding="utf-8")
    [report] = ingest(empty_db, [path])
    assert (report.status, report.rows_accepted) == ("ok", 1), report.summary()
    assert _bra(empty_db) == [("1280", "Misstänkt dödligt våld", 2023, 12, None)]


def test_a_bra_column_of_several_years_is_not_read_as_its_first_year(empty_db, tmp_path):
    # A table with a total or mean over its years ('Totalt 2022–2024'): before, that
    # column was read as 2022, clashed with the 2022 column, and every area's 2022 was
    # rejected as 'samma område, brott och år … ett annat värde'.
    wide = tmp_path / "anmalda_2022_2024.csv"
    wide.write_text("Anmälda brott\nOmråde;Brottstyp;2022;2023;2024;Totalt 2022–2024\n"
                    "Malmö;Samtliga brott;100;200;300;600\nLund;Samtliga brott;10;20;30;60\n", encoding="utf-8")
    [report] = ingest(empty_db, [wide])
    assert (report.status, report.rows_accepted, report.rows_rejected) == ("ok", 6, 0), report.summary()
    assert [(a, y, c) for a, _, y, c, _ in _bra(empty_db)] == [
        ("1280", 2022, 100), ("1280", 2023, 200), ("1280", 2024, 300),
        ("1281", 2022, 10), ("1281", 2023, 20), ("1281", 2024, 30)]
    assert "Kolumnen 'Totalt 2022–2024' lästes inte in: den gäller flera år" in report.summary()

    # In the long layout, such a period in the year column was stored as its first year.
    long = tmp_path / "anmalda_lang.csv"
    long.write_text("Område;Brottstyp;År;Antal\nStockholm;Samtliga brott;2022;100\n"
                    "Stockholm;Samtliga brott;2020–2022;300\n", encoding="utf-8")
    [report] = ingest(empty_db, [long])
    assert (report.rows_accepted, report.rows_rejected) == (1, 1), report.summary()
    assert [r for r in _bra(empty_db) if r[0] == "0180"] == [("0180", "Samtliga brott", 2022, 100, None)]
    assert rejected_rows(empty_db)[-1][:2] == (3, "År")
    assert "flera år" in rejected_rows(empty_db)[-1][2]


def _unicode_text(path, text):
    """A table as Excel's 'Unicode-text (*.txt)' saves it: UTF-16 with its byte order
    mark, tab-separated, CR LF after every row, a cell holding the delimiter in quotes."""
    path.write_bytes(text.replace("\n", "\r\n").encode("utf-16"))
    return path


def test_excels_unicode_text_is_read_as_the_table_it_is(empty_db, tmp_path):
    # The one text format in which every Excel keeps å, ä and ö. Before, every such file
    # was refused ('filen är sparad som UTF-16 … Spara den som CSV UTF-8').
    incidents = _unicode_text(tmp_path / "handelser.txt",
                              "incident_id\toccurred_at\tincident_type\tkommun_code\tsource\n"
                              "k1\t2025-03-01 21:14\trån\tMalmö\t\"kommunens logg; natt\"\n"
                              "k2\t2025-03-02 01:10\tskadegörelse\tLinköping\t\n")
    [report] = ingest(empty_db, [incidents])
    assert (report.status, report.rows_accepted) == ("ok", 2), report.summary()
    assert rows(empty_db, "SELECT incident_id, strftime(occurred_at, '%Y-%m-%d %H:%M'), incident_type, kommun_code,"
                          " source FROM incident ORDER BY 1") == [
        ("k1", "2025-03-01 21:14", "rån", "1280", "kommunens logg; natt"),
        ("k2", "2025-03-02 01:10", "skadegörelse", "0580", "egen fil")]
    summary = report.summary()
    assert "UTF-16 (Excels Unicode-text)" in summary
    assert "slutar mitt på en rad" not in summary, summary  # its line break is two bytes

    bra = _unicode_text(tmp_path / "bra.txt", "Anmälda brott\nOmråde\tBrottstyp\t2023\t2024\n"
                                              "Malmö\tSamtliga brott\t40 000\t41 000\n")
    [report] = ingest(empty_db, [bra])
    assert (report.status, report.rows_accepted) == ("ok", 2), report.summary()
    assert _bra(empty_db) == [("1280", "Samtliga brott", 2023, 40000, None), ("1280", "Samtliga brott", 2024, 41000, None)]

    # Named with --format, it is read the same way.
    signals = _unicode_text(tmp_path / "signaler.txt",
                            "month\tarea_code\tage_band\tsex\tsource\tsignal_type\tcount\n"
                            "2025-01\tVästerås kommun\t15–17\tM\tskola\trekryteringsförsök\t7\n")
    [report] = ingest(empty_db, [signals], fmt="signal-csv")
    assert (report.status, report.rows_accepted) == ("ok", 1), report.summary()
    assert rows(empty_db, "SELECT area_code, age_band, count FROM recruitment_signal") == [("1980", "15-17", 7)]


def test_unicode_text_that_is_no_table_of_ours_is_refused_as_such(empty_db, tmp_path):
    other = _unicode_text(tmp_path / "lista.txt", "Namn\tTelefon\nreception\t08-123 45\n")
    message = refused(empty_db, other)
    assert "formatet känns inte igen" in message and "UTF-16" in message, message
    cut = tmp_path / "avbruten.txt"
    cut.write_bytes("incident_id\toccurred_at\tincident_type\tkommun_code\r\nk9\t2025-03-01 21:14\trån\t0180"
                    .encode("utf-16"))
    [report] = ingest(empty_db, [cut])
    assert "slutar mitt på en rad" in report.summary()


AGES = [f"{a} år" for a in range(100)] + ["100+ år"]
BANDS_OF_ONE = {"0-11": 12, "12-14": 3, "15-17": 3, "18-24": 7, "25-64": 40, "65+": 36}  # ages per band


def _population(db):
    return rows(db, "SELECT kommun_code, year, age_band, sex, population FROM population ORDER BY 1, 2, 3, 4")


def test_scbs_table_per_month_is_read_for_december_as_the_year(empty_db, tmp_path):
    # 'Folkmängden per månad efter region, ålder och kön' (BefolkManadCKM) is SCB's most
    # recent population and many pick it. Its periods are months ('2024M11', '2024M12').
    # Before, the table was refused as having no year columns, and in PxWebApi 2.0's rows
    # every row was rejected as 'ogiltigt år'. The population of a year is the one on
    # 31 December: December's column is that year, the other months are left and named.
    wide = ["Folkmängden per månad efter region, ålder och kön. Månad 2024M11-2024M12", "",
            '"region";"ålder";"kön";"2024M11";"2024M12"']
    wide += [f'"0180 Stockholm";"{a}";"{s}";100;101' for a in AGES for s in ("män", "kvinnor")]
    path = tmp_path / "BefolkManadCKM.csv"
    path.write_text("\n".join(wide) + "\n", encoding="utf-8")
    [report] = ingest(empty_db, [path])
    assert (report.status, report.rows_accepted) == ("ok", 12), report.summary()
    assert _population(empty_db) == [("0180", 2024, band, sex, 101 * n)
                                      for band, n in BANDS_OF_ONE.items() for sex in ("K", "M")]
    assert "decembers folkmängd lästes som årets (den 31 december); 2024M11 lästes inte in" in report.summary()

    # PxWebApi 2.0's CSV with every variable in the rows, and its JSON-stat 2 answer.
    long = ['"Region";"Alder";"Kon";"ContentsCode";"Tid";"TAB5444"']
    long += [f'"1280";"{a.split()[0]}";"{s}";"000005ZB";"{m}";{7 if m.endswith("12") else 1}'
             for a in AGES for s in ("1", "2") for m in ("2023M11", "2023M12")]
    path = tmp_path / "TAB5444.csv"
    path.write_text("\n".join(long) + "\n", encoding="utf-8")
    [report] = ingest(empty_db, [path])
    assert (report.status, report.rows_accepted, report.rows_rejected) == ("ok", 12, 0), report.summary()
    assert [r for r in _population(empty_db) if r[0] == "1280"] == [
        ("1280", 2023, band, sex, 7 * n) for band, n in BANDS_OF_ONE.items() for sex in ("K", "M")]

    codes = [a.split()[0] for a in AGES]
    months = ["2022M11", "2022M12"]
    dims = {
        "Region": {"label": "region", "category": {"index": {"1281": 0}, "label": {"1281": "Lund"}}},
        "Alder": {"label": "ålder", "category": {"index": {c: i for i, c in enumerate(codes)},
                                                 "label": {c: f"{c} år" for c in codes}}},
        "Kon": {"label": "kön", "category": {"index": {"1": 0, "2": 1}, "label": {"1": "män", "2": "kvinnor"}}},
        "ContentsCode": {"label": "tabellinnehåll", "category": {"index": {"000005ZB": 0},
                                                                 "label": {"000005ZB": "Folkmängd"}}},
        "Tid": {"label": "månad", "category": {"index": {m: i for i, m in enumerate(months)},
                                               "label": {m: m for m in months}}},
    }
    doc = {"version": "2.0", "class": "dataset", "label": "Folkmängden per månad efter region, ålder och kön",
           "role": {"time": ["Tid"], "metric": ["ContentsCode"], "geo": ["Region"]},
           "id": list(dims), "size": [1, len(codes), 2, 1, 2], "dimension": dims,
           "value": [3, 5] * (len(codes) * 2)}
    path = tmp_path / "TAB5444.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    [report] = ingest(empty_db, [path])
    assert (report.status, report.rows_accepted) == ("ok", 12), report.summary()
    assert [r for r in _population(empty_db) if r[0] == "1281"] == [
        ("1281", 2022, band, sex, 5 * n) for band, n in BANDS_OF_ONE.items() for sex in ("K", "M")]


def test_scbs_table_per_month_without_december_is_refused_saying_why(empty_db, tmp_path):
    # This year's months only: no year's population is in it (not the latest month's).
    lines = ["Folkmängden per månad efter region, ålder och kön", "", '"region";"ålder";"kön";"2025M08";"2025M09"']
    lines += [f'"0180 Stockholm";"{a}";"{s}";100;101' for a in AGES for s in ("män", "kvinnor")]
    path = tmp_path / "manad.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    message = refused(empty_db, path)
    assert "rad 3, kolumn '2025M08'" in message and "per månad (2025M08 och 2025M09) och har ingen december" in message, message


def test_counts_grouped_in_thousands_by_an_english_or_german_excel_are_thousands(empty_db, tmp_path):
    # A table opened and saved again in an English Excel writes 40 000 as "40,000"; a
    # German or Danish one as "40.000". Read by the Swedish rule, "40,000" was 40,0: Brå
    # stored Malmö's 40 000 offences as 40, rejected Lund's 13 662 as 'inte ett heltal',
    # and SCB's 12 000 people per age became 12 (a band of 36 instead of 36 000). A count
    # is whole, so three digits after one comma or full stop are thousands.
    bra = tmp_path / "bra_engelsk.csv"
    bra.write_text('Anmälda brott\nOmråde,Brottstyp,År,Antal,Per 100 000 invånare\n'
                   'Malmö,Samtliga brott,2023,"40,000","11,234"\nLund,Samtliga brott,2023,"13,662","10,3"\n'
                   'Eslöv,Samtliga brott,2023,2.100,"6,7"\n', encoding="utf-8")
    [report] = ingest(empty_db, [bra])
    assert (report.status, report.rows_accepted, report.rows_rejected) == ("ok", 3, 0), report.summary()
    # Counts grouped so show an English Excel wrote the table: a rate beside them written
    # '11,234' is 11 234 (Malmö's rate is about that; 11,234 per 100 000 would be absurd),
    # while a rate with a decimal comma ('10,3') stays 10,3.
    assert _bra(empty_db) == [("1280", "Samtliga brott", 2023, 40000, 11234.0),
                              ("1281", "Samtliga brott", 2023, 13662, 10.3),
                              ("1285", "Samtliga brott", 2023, 2100, 6.7)]

    lines = ["Folkmängd efter region, ålder och kön", "", "region,ålder,kön,2024"]
    lines += [f'0180 Stockholm,{a},{s},"1,000"' for a in AGES for s in ("män", "kvinnor")]
    scb = tmp_path / "scb_engelsk.csv"
    scb.write_text("\n".join(lines) + "\n", encoding="utf-8")
    [report] = ingest(empty_db, [scb])
    assert (report.status, report.rows_accepted) == ("ok", 12), report.summary()
    assert _population(empty_db) == [("0180", 2024, band, sex, 1000 * n)
                                      for band, n in BANDS_OF_ONE.items() for sex in ("K", "M")]


def test_a_count_with_decimals_is_still_no_count(empty_db, tmp_path):
    # The rule is for groups of three digits only: '2,5' and '0,500' are no counts.
    bra = tmp_path / "bra_decimal.csv"
    bra.write_text("Område;Brottstyp;År;Antal\nMalmö;Samtliga brott;2023;2,5\nLund;Samtliga brott;2023;0,500\n"
                   "Eslöv;Samtliga brott;2023;2 100\n", encoding="utf-8")
    [report] = ingest(empty_db, [bra])
    assert (report.rows_accepted, report.rows_rejected) == (1, 2), report.summary()
    assert rejected_rows(empty_db) == [(2, "Antal", "antalet är inte ett heltal"), (3, "Antal", "antalet är inte ett heltal")]


def test_a_bra_table_with_the_offence_code_beside_its_name_is_read_by_the_name(empty_db, tmp_path):
    # Brå's database can show each offence's brottskod beside its name. With the code
    # left of the name, the code was taken for the offence: 'Samtliga brott' (no code) was
    # rejected as 'brottstyp saknas' and murder was stored as the offence '0301'.
    path = tmp_path / "bra_brottskod.csv"
    path.write_text("Område;Brottskod;Brottstyp;År;Antal\nMalmö;;Samtliga brott;2023;40 000\n"
                    "Malmö;0301;Mord och dråp;2023;12\n", encoding="utf-8")
    [report] = ingest(empty_db, [path])
    assert (report.status, report.rows_accepted, report.rows_rejected) == ("ok", 2, 0), report.summary()
    assert _bra(empty_db) == [("1280", "Mord och dråp", 2023, 12, None), ("1280", "Samtliga brott", 2023, 40000, None)]


def test_a_footnote_digit_after_an_offences_paragraphs_is_no_part_of_its_name(empty_db, tmp_path):
    # Brå's tables end offence names with their paragraphs and put the footnote's digit
    # right after them: 'Misshandel (5 §)2'. It was stored in the name, so the same offence
    # in next year's table, footnoted otherwise, became a category of its own.
    path = tmp_path / "bra_fotnot.csv"
    path.write_text("Anmälda brott\nOmråde: Malmö\nBrottstyp;2022;2023\n"
                    "Fullbordat mord och dråp samt misshandel med dödlig utgång (1, 2, 5, 6 §§)1;7;8\n"
                    "Misshandel (5 §)2;100;110\n3-7 kap. Brott mot person;5000;5100\n", encoding="utf-8")
    [report] = ingest(empty_db, [path])
    assert (report.status, report.rows_accepted) == ("ok", 6), report.summary()
    assert sorted({r[1] for r in _bra(empty_db)}) == [
        "3-7 kap. Brott mot person", "Fullbordat mord och dråp samt misshandel med dödlig utgång (1, 2, 5, 6 §§)",
        "Misshandel (5 §)"]


def _archive(rows_):
    """Events as the git-scraped archive of the feed publishes them (events.parquet: the
    API's fields, location.name flattened, coordinates split, the notice's page beside)."""
    import pandas as pd

    return pd.DataFrame([{
        "event_id": event_id, "datetime": published, "name": name, "summary": "Kort text.",
        "url": f"/aktuellt/handelser/2026/juni/30/{event_id}/", "type": kind, "location_name": location,
        "latitude": 58.25, "longitude": 13.05, "html_title": name, "html_preamble": "Ingress.", "html_body": body,
        "html_published_datetime": published, "html_author": "Presstjänst", "html_available": True,
    } for event_id, published, name, kind, location, body in rows_])


ARCHIVE = [
    ("645690", "2026-06-30 10:57:12 +02:00", "30 juni 10.36, Skottlossning, Mariestad", "Skottlossning",
     "Västra Götalands län", "Larm om skott."),
    ("645691", "2026-06-30 11:20:01 +02:00", "30 juni 11.05, Misshandel, Malmö", "Misshandel", "Skåne län", "Text."),
    ("645692", "2026-06-30 07:00:00 +02:00", "30 juni 06.00, Sammanfattning natt, Skåne län", "Sammanfattning natt",
     "Skåne län", "Natten."),
]
STORED_ARCHIVE = [("polisen:645690", "2026-06-30 10:36", "skottlossning", "1493"),
                  ("polisen:645691", "2026-06-30 11:05", "våldsbrott", "1280")]


def _incidents(db):
    return rows(db, "SELECT incident_id, strftime(occurred_at, '%Y-%m-%d %H:%M'), incident_type, kommun_code "
                    "FROM incident ORDER BY 1")


def test_an_archive_of_the_police_feed_as_parquet_or_csv_is_read_as_the_feed(empty_db, tmp_path):
    # The feed holds 500 notices; the history beyond them is what archives of it publish,
    # as a table of the API's fields (event_id, datetime, name, type, location_name, …).
    # Before, such a file was refused ('Parquet-filen har inte kolumnerna för något av
    # våra format'), so a history could not be loaded.
    parquet = tmp_path / "events.parquet"
    _archive(ARCHIVE).to_parquet(parquet)
    [report] = ingest(empty_db, [parquet])
    assert (report.status, report.rows_accepted) == ("ok", 2), report.summary()
    assert report.source_format == "polisen-parquet"
    assert _incidents(empty_db) == STORED_ARCHIVE
    assert "1 borttagna: sammanfattningar" in report.summary()

    # The same table as CSV (DuckDB's COPY or pandas' to_csv), one event more: the stored
    # ones are there already.
    more = ARCHIVE + [("645693", "2026-06-29 23:10:00 +02:00", "29 juni 22.40, Rån, Rinkeby", "Rån",
                       "Stockholms län", "Rån av butik.")]
    _archive(more).to_csv(tmp_path / "events.csv", index=False)
    [report] = ingest(empty_db, [tmp_path / "events.csv"])
    assert (report.status, report.source_format, report.rows_accepted) == ("ok", "polisen-csv", 1), report.summary()
    assert _incidents(empty_db)[-1] == ("polisen:645693", "2026-06-29 22:40", "rån", None)

    # pandas writes a datetime column it parsed as zoned timestamps: read as their UTC time
    # (a name without its time then leaves the publication, 10:57 in Stockholm).
    import pandas as pd

    db = tmp_path / "zoned.duckdb"
    db.write_bytes(empty_db.read_bytes())
    zoned = _archive([("700001", "2026-06-30 10:57:12 +02:00", "Misshandel, Malmö", "Misshandel", "Skåne län", "")])
    zoned["datetime"] = pd.to_datetime(zoned["datetime"], utc=True)
    zoned.to_parquet(tmp_path / "zoned.parquet")
    [report] = ingest(db, [tmp_path / "zoned.parquet"])
    assert (report.status, report.rows_accepted) == ("ok", 1), report.summary()
    assert _incidents(db)[-1] == ("polisen:700001", "2026-06-30 10:57", "våldsbrott", "1280")


def test_a_personnummer_anywhere_in_an_archive_of_the_feed_refuses_it(empty_db, tmp_path):
    # The archive keeps each notice's page (html_body): read or not, every text is screened.
    path = tmp_path / "events.parquet"
    frame = _archive(ARCHIVE)
    frame.loc[1, "html_body"] = "Anmälaren 850101-1236 hördes."
    frame.to_parquet(path)
    message = refused(empty_db, path)
    assert "händelse 2, fält 'html_body' innehåller ett personnummer" in message, message
    assert "850101" not in message


def test_a_signal_month_as_a_pandas_period_is_read_as_its_month(empty_db, tmp_path):
    # df['month'] = df['date'].dt.to_period('M') is how pandas makes a month column; to_parquet
    # stores such a column as months from 1970 (2025-01 is 660). Every month was rejected as
    # 'ogiltig månad 660', and no signal could be loaded from such a file.
    import pandas as pd

    frame = pd.DataFrame({"month": pd.PeriodIndex(["2025-01", "2025-02"], freq="M"), "area_code": ["0180", "LPO-JARVA"],
                          "age_band": ["15-17", "12-14"], "sex": ["M", "K"], "source": ["polis", "skola"],
                          "signal_type": ["rekryteringsförsök", "kontakt via sociala medier"], "count": [7, 3]})
    path = tmp_path / "signaler.parquet"
    frame.to_parquet(path)
    [report] = ingest(empty_db, [path])
    assert (report.status, report.rows_accepted, report.rows_rejected) == ("ok", 2, 0), report.summary()
    assert rows(empty_db, "SELECT strftime(month, '%Y-%m-%d'), area_code, count FROM recruitment_signal ORDER BY 1") == [
        ("2025-01-01", "0180", 7), ("2025-02-01", "LPO-JARVA", 3)]


def test_a_thousands_comma_unquoted_in_a_comma_separated_file_rejects_its_row(empty_db, tmp_path):
    # '40,000' written without quotes in a comma-separated file is two fields, and the row's
    # values stand one column off: Malmö's 2023 was stored as 40 and its 2024 as 0, and
    # SCB's '1,200' people became 1 (the 200 dropped). Such a row is rejected naming the
    # field past the header; the others load.
    bra = tmp_path / "bra_komma.csv"
    bra.write_text("Anmälda brott\nOmråde,Brottstyp,2023,2024\nMalmö,Samtliga brott,40,000,41,000\n"
                   "Lund,Samtliga brott,900,950\n", encoding="utf-8")
    [report] = ingest(empty_db, [bra])
    assert (report.status, report.rows_accepted, report.rows_rejected) == ("ok", 2, 1), report.summary()
    assert _bra(empty_db) == [("1281", "Samtliga brott", 2023, 900, None), ("1281", "Samtliga brott", 2024, 950, None)]
    [(row, column, reason)] = rejected_rows(empty_db)
    assert (row, column) == (3, "fält 5") and reason.startswith("raden har fler fält än rubriken"), reason

    lines = ["Folkmängd efter region, ålder och kön", "", "region,ålder,kön,2024"]
    lines += [f"0180 Stockholm,{a},{s}," + ("1,200" if a == "12 år" else "800") for a in AGES for s in ("män", "kvinnor")]
    scb = tmp_path / "scb_komma.csv"
    scb.write_text("\n".join(lines) + "\n", encoding="utf-8")
    [report] = ingest(empty_db, [scb])
    assert (report.status, report.rows_rejected) == ("ok", 2), report.summary()
    stored = {band for _, _, band, _, _ in _population(empty_db)}
    assert "12-14" not in stored and "15-17" in stored  # the band with the split row is left out, not 1 601
    assert "12-14" in report.summary()


def test_a_bra_table_with_units_under_its_years_is_no_split_row(empty_db, tmp_path):
    # Each year merged over its unit columns: the units' row is as wide as the data, wider
    # than the header's last filled cell.
    path = tmp_path / "bra_enheter.csv"
    path.write_text("Område;Brottstyp;2023;;2024;\n;;Antal;Per 100 000 inv;Antal;Per 100 000 inv\n"
                    "Malmö;Samtliga brott;40 000;11 234,5;41 000;11 300,1\n", encoding="utf-8")
    [report] = ingest(empty_db, [path])
    assert (report.status, report.rows_accepted, report.rows_rejected) == ("ok", 2, 0), report.summary()
    assert _bra(empty_db) == [("1280", "Samtliga brott", 2023, 40000, 11234.5), ("1280", "Samtliga brott", 2024, 41000, 11300.1)]


def test_population_on_another_day_is_refused_naming_the_day_not_as_no_population(empty_db, tmp_path):
    # SCB's 'Folkmängden den 1 november' (the table for elections) and 'Medelfolkmängd' are
    # population, counted otherwise than the yearly table. They are refused, as before, but
    # the refusal said the table titled Folkmängden was 'inte folkmängd'.
    body = [f'"0180 Stockholm";"{a}";"{s}";100' for a in AGES for s in ("män", "kvinnor")]
    for title, said in (("Folkmängden den 1 november efter region, ålder och kön. År 2002 - 2024",
                         "folkmängden den 1 november, inte den 31 december som tabellen population gäller"),
                        ("Medelfolkmängd efter region, ålder och kön. År 2002 - 2024",
                         "medelfolkmängden under året, inte folkmängden den 31 december")):
        path = tmp_path / "folkmangd.csv"
        path.write_text("\n".join([title, "", '"region";"ålder";"kön";"2024"', *body]) + "\n", encoding="utf-8")
        message = refused(empty_db, path)
        assert said in message and "inte folkmängd." not in message, message


def test_the_feeds_answer_flattened_by_pandas_is_read_as_the_feed(empty_db, tmp_path):
    # pd.json_normalize(requests.get('https://polisen.se/api/events').json()).to_csv(…)
    # writes location.name and location.gps as columns of their own.
    import pandas as pd

    answer = [{"id": 645690, "datetime": "2026-06-30 10:57:12 +02:00", "name": "30 juni 10.36, Skottlossning, Mariestad",
               "summary": "Larm.", "url": "/aktuellt/x/", "type": "Skottlossning",
               "location": {"name": "Västra Götalands län", "gps": "58.25,13.05"}}]
    path = tmp_path / "handelser.csv"
    pd.json_normalize(answer).to_csv(path, index=False)
    [report] = ingest(empty_db, [path])
    assert (report.status, report.source_format, report.rows_accepted) == ("ok", "polisen-csv", 1), report.summary()
    assert _incidents(empty_db) == [STORED_ARCHIVE[0]]
