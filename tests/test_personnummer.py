"""The personnummer gate finds real identity numbers in every common writing, and only them."""

from __future__ import annotations

import pytest

from pipelines import personnummer
from pipelines.personnummer import PersonnummerFound, contains_personnummer, first_finding

# 121212-1212 is Skatteverket's well-known test number; 811228-9874 and the
# samordningsnummer 701063-2391 have valid control digits.
VALID = [
    "121212-1212", "121212+1212", "1212121212", "121212 1212", "19121212-1212", "191212121212",
    "Samtal med 811228-9874 om läget", "samordningsnr 701063-2391", "pnr:20121212-1212.",
    # as text pasted from Word or the web has it: an en dash (Word's AutoCorrect), a
    # non-breaking hyphen or space, a minus sign, spaces around the hyphen
    "121212\u20131212", "19121212 \u2013 1212", "121212\u20111212", "121212\u00a01212",
    "121212\u22121212", "121212 - 1212", "121212- 1212",
]
NOT_PERSONNUMMER = [
    "121212-1213",            # wrong control digit
    "250828: möte med skolan",  # follow-up date
    "556016-0680",            # organisation number (month 60 is not a date)
    "070-123 45 67",          # phone number
    "Ärende 20240101 stängt",  # a date alone
    "Budget 1234567890 kr",   # ten digits that are not a date
    "12121212121212",         # longer run of digits
    "1 121212 - 12121",       # digits on either side of the spaced hyphen
    "121212\n1212",           # numbers on two lines are two numbers
    "",
]


@pytest.mark.parametrize("text", VALID)
def test_finds_valid_numbers(text):
    assert contains_personnummer(text)


@pytest.mark.parametrize("text", VALID)
def test_the_bulk_screen_flags_every_spelling_the_check_finds(text):
    # The incident CSV screens millions of rows in DuckDB with SCREEN and checks only the
    # rows it flags: a spelling the check knows but the screen missed would get through.
    import duckdb

    from pipelines.personnummer import SCREEN

    assert duckdb.connect().execute("SELECT regexp_matches($t, $p)", {"t": text, "p": SCREEN}).fetchone()[0]


@pytest.mark.parametrize("text", VALID)
def test_the_xml_screen_finds_every_spelling_in_a_text_or_an_attribute(text):
    # A workbook's parts (a linked workbook's values, an image's alt text), as XML
    # writes them: escaped, or with the hyphen as a character reference.
    from xml.sax.saxutils import escape, quoteattr

    for xml in (f"<t>{escape(text)}</t>", f"<pic descr={quoteattr(text)}/>",
                f"<t>{escape(text).replace('-', '&#45;')}</t>", f"<t>{escape(text).replace('-', '&amp;#45;')}</t>"):
        assert personnummer.in_xml(xml.encode()), xml


@pytest.mark.parametrize("text", NOT_PERSONNUMMER)
def test_the_xml_screen_ignores_ordinary_numbers(text):
    from xml.sax.saxutils import escape

    assert not personnummer.in_xml(f"<r><t>{escape(text)}</t></r>".encode())


def test_the_xml_screen_reads_each_text_on_its_own():
    # Two neighbouring cells' numbers are no personnummer, nor are a tag's two attributes.
    assert not personnummer.in_xml(b'<row><c><v>121212</v></c><c><v>1212</v></c></row><a x="121212" y="1212"/>')
    assert personnummer.in_xml(b'<row><c><v>1</v></c><c><v>1212121212</v></c></row>')


@pytest.mark.parametrize("text", NOT_PERSONNUMMER)
def test_ignores_ordinary_numbers(text):
    assert not contains_personnummer(text)


def test_finding_names_the_place_never_the_number():
    found = first_finding([("rad 2, kolumn 'text'", "inget här"), ("rad 3, kolumn 'text'", "ring 121212-1212")])
    assert found.where == "rad 3, kolumn 'text'"
    message = str(PersonnummerFound("fil.csv", found.where))
    assert "rad 3" in message and "fil.csv" in message and "1212" not in message


def test_check_json_names_the_field_path_and_passes_numbers_and_clean_text():
    clean = {"values": [{"gender": "T", "value": 8112189876, "note": "ring 08-123 45 67"}]}
    personnummer.check_json("svar.json", clean)  # a count is not text; a phone number is no personnummer
    dirty = {"values": [{"gender": "T"}, {"status": ["ok", "19811218-9876"]}]}
    with pytest.raises(personnummer.PersonnummerFound) as err:
        personnummer.check_json("svar.json", dirty)
    assert "fältet 'values[1].status[1]'" in str(err.value) and "9876" not in str(err.value)


def test_mask_hides_every_number_and_leaves_other_text():
    assert personnummer.mask("plan 19121212-1212 och 811228-9874.xlsx") == "plan ÅÅMMDD-XXXX och ÅÅMMDD-XXXX.xlsx"
    assert personnummer.mask("atgardsplan_Farsta_2025-03-31.xlsx") == "atgardsplan_Farsta_2025-03-31.xlsx"


@pytest.mark.parametrize("name", ["händelser_121212-1212.csv", "plan 19121212-1212.xlsx", "svar 811228-9874.json"])
def test_a_personnummer_in_a_file_name_refuses_the_file_and_is_never_stored_or_logged(
        empty_db, tmp_path, caplog, name):
    # The file name is stored (load_log.source_file, plan.source_file), logged and shown:
    # a name that holds a personnummer is refused before the file is read, and named masked.
    import logging

    from helpers import refused

    path = tmp_path / name
    path.write_text("incident_id;occurred_at;incident_type;kommun_code\na1;2024-03-01 10:00:00;rån;0180\n", "utf-8")
    caplog.set_level(logging.DEBUG)
    message = refused(empty_db, path)
    assert "filnamnet" in message and "ÅÅMMDD-XXXX" in message
    assert not contains_personnummer(message)
    assert not any(contains_personnummer(r.getMessage()) for r in caplog.records)
