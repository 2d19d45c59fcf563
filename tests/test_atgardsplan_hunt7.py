"""Action-plan workbooks as municipalities fill them in: the seventh input hunt.

Each test builds, small and in code, what a hunt found the reader got wrong (a
personnummer where the gate did not look, error values and placeholders read as
measures, last year's follow-up read as this year's), loads it into a fresh database
and checks what the coordinator would check: what landed, the report or the refusal,
and that nothing personal was printed.
"""

from __future__ import annotations

import io
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from helpers import refused, rejected_rows, rows
from openpyxl.drawing.image import Image
from PIL import Image as PILImage

from tests.test_atgardsplan import HEADER, OPTIONS, OTRYGGA, UNGA
from tests.test_atgardsplan_hunt3 import _load, _measures, _new, _save, _sheet

PNR = "8501010006"  # a valid personnummer (850101-0006), typed as digits


def _refused_quietly(db, path, capfd) -> str:
    """The refusal of ``path``, checking that the number was printed nowhere: not in the
    message, not on stdout or stderr, not in a warning."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        message = refused(db, path, options=OPTIONS)
    out, err = capfd.readouterr()
    for text in (message, out, err, *(str(w.message) for w in caught)):
        assert PNR not in text and "850101" not in text, text
    return message


# --- 1. a number in a date-formatted cell --------------------------------------------------

def test_personnummer_typed_into_a_date_cell_is_refused_and_never_printed(empty_db, tmp_path, capfd):
    # Before: openpyxl made the cell '#VALUE!' (the number is no date) and printed the
    # number in a warning on stderr; the file loaded.
    wb = _new()
    ws = _sheet(wb, "1. Unga i riskzon", [["Tidig debut", "Svag skolanknytning", "Läxhjälp: två kvällar",
                                           "60 deltagare", "2025", "Fritid", "Pågår", int(PNR)]],
                header=[*HEADER, "Datum"])
    ws["H4"].number_format = "yyyy-mm-dd"
    message = _refused_quietly(empty_db, _save(wb, tmp_path / "plan.xlsx"), capfd)
    assert "blad '1. Unga i riskzon', cell H4 innehåller ett personnummer" in message


def test_a_number_no_date_can_be_in_a_date_cell_is_read_as_the_number_and_reported(empty_db, tmp_path):
    # Before: the När cell was stored as '#VALUE!' and nothing said why.
    wb = _new()
    ws = _sheet(wb, "1. Unga i riskzon", [["Tidig debut", "Svag skolanknytning", "Läxhjälp: två kvällar",
                                           "60 deltagare", 701234567, "Fritid", "Pågår"]])
    ws["E4"].number_format = "yyyy-mm-dd"
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert rows(empty_db, "SELECT due FROM measure") == [("701234567",)]
    assert ("Blad '1. Unga i riskzon': cell E4 har datumformat men ett tal som inget datum kan vara (Excel visar "
            "#####); talet lästes som det står. Skriv ett datum, eller ge cellen formatet Allmänt om talet ska "
            "stå kvar.") in report.lines


# --- 2. a personnummer elsewhere in the package ---------------------------------------------

def _plan(path: Path) -> Path:
    """A plain plan with one measure, nothing personal in it."""
    wb = _new()
    _sheet(wb, "1. Unga i riskzon", [["Tidig debut", "Svag skolanknytning", "Läxhjälp: två kvällar",
                                      "60 deltagare", "2025", "Fritid", "250905: Pågår"]])
    return _save(wb, path)


def _with_parts(path: Path, parts: dict[str, str], edit: dict[str, Callable[[str], str]] | None = None) -> Path:
    """A copy of the workbook ``path`` with ``parts`` added to its package and the parts
    named in ``edit`` changed, as Excel keeps what no cell shows."""
    out = path.with_name("med-delar.xlsx")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename in (edit or {}):
                data = edit[item.filename](data.decode()).encode()
            zout.writestr(item, data)
        for name, text in parts.items():
            zout.writestr(name, text)
    return out


MAIN_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


@pytest.mark.parametrize(("part", "xml", "named"), [
    # A lookup into a social-services list kept in another workbook: Excel keeps the
    # linked cells' values in the package.
    ("xl/externalLinks/externalLink1.xml",
     f'<externalLink {MAIN_NS}><externalBook><sheetDataSet><sheetData sheetId="0"><row r="2">'
     '<cell r="A2" t="str"><v>850101-0006</v></cell><cell r="B2" t="str"><v>Kalle Andersson</v></cell>'
     '</row></sheetData></sheetDataSet></externalBook></externalLink>',
     "sparade värden från en länkad arbetsbok, se Data > Redigera länkar"),
    # A pivot table made from a list of young people whose sheet was then deleted.
    ("xl/pivotCache/pivotCacheDefinition1.xml",
     f'<pivotCacheDefinition {MAIN_NS} recordCount="1"><cacheFields count="2">'
     '<cacheField name="Personnummer"><sharedItems><s v="850101-0006"/></sharedItems></cacheField>'
     '<cacheField name="Namn"><sharedItems><s v="Kalle Andersson"/></sharedItems></cacheField>'
     '</cacheFields></pivotCacheDefinition>',
     "en pivottabells sparade källdata, som finns kvar när källbladet tas bort"),
], ids=["external-link", "pivot-cache"])
def test_a_personnummer_in_a_part_no_cell_shows_is_refused_naming_the_part(empty_db, tmp_path, capfd, part, xml, named):
    # Before: the workbook loaded; only cells, comments, sheet names and a few texts
    # beside the cells were screened.
    path = _with_parts(_plan(tmp_path / "plan.xlsx"), {part: xml})
    message = _refused_quietly(empty_db, path, capfd)
    assert f"med-delar.xlsx: arbetsbokens del {part} ({named}) innehåller ett personnummer" in message


def test_a_personnummer_in_an_images_alt_text_is_refused(empty_db, tmp_path, capfd):
    wb = openpyxl.load_workbook(_plan(tmp_path / "plan.xlsx"))
    picture = io.BytesIO()
    PILImage.new("RGB", (40, 20), "white").save(picture, "PNG")
    wb["1. Unga i riskzon"].add_image(Image(picture), "I5")
    path = _save(wb, tmp_path / "bild.xlsx")
    # A screenshot from a case system, its alt text as Excel suggests it.
    alt = {"xl/drawings/drawing1.xml": lambda t: t.replace('descr="Picture"',
                                                            'descr="Skärmdump: Kalle A 850101-0006"')}
    message = _refused_quietly(empty_db, _with_parts(path, {}, alt), capfd)
    assert ("arbetsbokens del xl/drawings/drawing1.xml (en bild, figur eller textruta, t.ex. en bilds "
            "alternativtext) innehåller ett personnummer") in message


def test_a_personnummer_in_a_formula_is_refused_naming_the_sheet(empty_db, tmp_path, capfd):
    # The formula has no saved result (written by a program): no cell value shows the number.
    wb = _new()
    ws = _sheet(wb, "1. Unga i riskzon", [["Tidig debut", "Svag skolanknytning", "Läxhjälp: två kvällar",
                                           "60 deltagare", "2025", "Fritid", "250905: Pågår"]])
    ws["J4"] = '=IF(A4="850101-0006",1,0)'
    message = _refused_quietly(empty_db, _save(wb, tmp_path / "plan.xlsx"), capfd)
    assert ("blad '1. Unga i riskzon', utanför cellernas värden (t.ex. i en formel eller en listruta) "
            "innehåller ett personnummer") in message


def test_numbers_in_neighbouring_cells_and_parts_are_no_personnummer(empty_db, tmp_path):
    # 850101 and 0006 in two cells, an image's offsets and ids: the plan loads.
    wb = _new()
    _sheet(wb, "1. Unga i riskzon", [["Tidig debut", "Svag skolanknytning", "Läxhjälp: två kvällar",
                                      "60 deltagare", "2025", "Fritid", "250905: Pågår", 850101, "0006"]])
    _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert len(_measures(empty_db)) == 1


# --- 3. formula errors ------------------------------------------------------------------------

def test_formula_errors_are_no_values_and_a_measure_that_is_one_is_a_rejected_row(empty_db, tmp_path):
    # Formulas whose sheet was deleted or whose lookup found nothing: Excel saves the
    # error as the cell's result. Before: '#REF!' was a measure's title, goal and
    # follow-up, '#VALUE!' its due.
    wb = _new()
    _sheet(wb, "1. Unga i riskzon", [
        ["Tidig debut", "Svag skolanknytning", "#REF!", "60 deltagare", "2025", "Fritid", "250905: 41 deltagare.",
         "#N/A"],
        [None, "Få vuxna ute", "Nattvandring: fredagar", "#REF!", "#VALUE!", "Fält", "#REF!", "Pågår"],
    ], header=[*HEADER, "Status"])
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert rows(empty_db, "SELECT title, operational_goal, due, status, source_row FROM measure") == [
        ("Nattvandring", None, None, "påbörjad", 5)]
    assert rows(empty_db, "SELECT text FROM measure_followup") == []
    assert rejected_rows(empty_db) == [(4, "blad '1. Unga i riskzon', kolumn C (Åtgärd)",
                                        "cellen är en formel som ger felet #REF!; rätta formeln eller skriv åtgärden "
                                        "i cellen")]
    assert ("Blad '1. Unga i riskzon': cell C4, H4, D5, E5 och G5 har formler som ger fel (#N/A, #REF!, #VALUE!) och "
            "lästes som tomma. Rätta formlerna (eller skriv in värdena) i Excel och läs in arbetsboken igen."
            ) in report.lines
    assert not any("känns inte igen" in line for line in report.lines)  # '#N/A' is no status word


# --- 4. example sheets under other names ------------------------------------------------------

def test_example_and_how_to_sheets_under_other_names_are_not_the_plan(empty_db, tmp_path):
    # Before: only a name starting with 'Exempel' (or an instruction word) was guidance,
    # so these three examples' measures were stored as the plan's own.
    wb = _new()
    for name in ("Ifyllnadsexempel", "Ex. ifylld flik", "Så här fyller du i"):
        _sheet(wb, name, [["Exempel: Tidig debut", "Exempel: Svag skolanknytning", "Läxhjälp: två kvällar",
                           "60 deltagare", "2025", "Enhetschef", "VB: Åtgärden bedöms vara uppnådd."]])
    _sheet(wb, "1. Unga i riskzon", [["Skolfrånvaro", "Otrygg skolväg", "Skolvärdar: vuxna i korridorerna",
                                      "Två skolvärdar", "2025", "Rektor", "Pågår"]])
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert rows(empty_db, "SELECT title, source_sheet FROM measure") == [("Skolvärdar", "1. Unga i riskzon")]
    assert "Blad 'Ifyllnadsexempel' är ett exempel och lästes inte som åtgärder." in report.lines
    assert "Blad 'Ex. ifylld flik' är ett exempel och lästes inte som åtgärder." in report.lines
    assert "Blad 'Så här fyller du i' är en instruktion; dess tabell lästes inte som åtgärder." in report.lines


# --- 5. placeholders in the Åtgärd column -----------------------------------------------------

def test_placeholders_in_the_atgard_column_are_no_measures(empty_db, tmp_path):
    # Before: each of these rows was a measure titled 'Se ovan', '-', 'x', …
    wb = _new()
    _sheet(wb, "2. Otrygga platser", [
        ["Otrygghet vid torget", "Dålig belysning", "Platssamverkan: med fastighetsägare och polis", "Åtgärdslista",
         "2025", "Trygghetssamordnare", "250905: Åtgärden bedöms vara påbörjad."],
        [None, "Nedskräpning", "Se ovan", "Se ovan", "2025", "Trygghetssamordnare", "Se ovan"],
        [None, "Droghandel", "Se åtgärd ovan."],
        [None, "Få vuxna i rörelse", "-"],
        [None, "Skadegörelse", "Ingen åtgärd planerad"],
        [None, "Otrygga entréer", "x"],
        [None, "Klotter", "N/A"],
        [None, "Mörka gångvägar", "Xtra belysning: fler armaturer"],  # a measure that starts like one
    ], first=OTRYGGA)
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert rows(empty_db, "SELECT title, source_row FROM measure ORDER BY source_row") == [
        ("Platssamverkan", 4), ("Xtra belysning", 11)]
    assert rejected_rows(empty_db) == []
    assert rows(empty_db, "SELECT causes, measures FROM plan_analysis") == [(8, 2)]
    # 'Se ovan' and 'Se åtgärd ovan.' point at the measure above: their causes are its
    # causes (hunt 8), and a cell saying 'Se ovan' adds nothing to its goal or follow-up.
    assert rows(empty_db, "SELECT cause, operational_goal FROM measure WHERE source_row = 4") == [
        ("Dålig belysning\nNedskräpning\nDroghandel", "Åtgärdslista")]
    assert rows(empty_db, "SELECT count(*) FROM measure_followup") == [(1,)]
    assert ("Blad '2. Otrygga platser': rad 7, 8, 9 och 10 har ingen egen åtgärd i kolumn C ('-', 'Ingen åtgärd "
            "planerad', 'x', 'N/A') och lästes inte som åtgärder. Skriv åtgärden, eller slå ihop cellen med "
            "åtgärden ovan om raden hör till den.") in report.lines


# --- 6. an area of measures left of the Åtgärd column --------------------------------------

@pytest.mark.parametrize("word", ["Insatsområde", "Åtgärdsområde"])
def test_an_area_of_measures_column_is_not_the_measure(empty_db, tmp_path, word):
    # Before: 'Insatsområde' starts with 'Insats', the first measure word from the left,
    # so the areas ('Skola', 'Fritid') were the measures and the Åtgärd column not read.
    wb = _new()
    _sheet(wb, "1. Unga i riskzon", [
        ["Skola", "Tidig debut", "Svag skolanknytning", "Läxhjälp: två kvällar", "60 deltagare", "2025", "Fritid",
         "VB: Åtgärden bedöms vara uppnådd."],
        ["Fritid", None, "Få vuxna ute", "Nattvandring: fredagar", "Varje fredag", "2025", "Fält", "VB: Pågår"],
    ], header=[word, *HEADER])
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert _measures(empty_db) == [(UNGA, "Tidig debut", "Läxhjälp", "uppnådd"),
                                   (UNGA, "Tidig debut", "Nattvandring", "påbörjad")]
    assert (f"Blad '1. Unga i riskzon': kolumn A ('{word}') har text men lästes inte; den hör inte till planens "
            "kolumner.") in report.lines


# --- 7. merged section rows, footnotes and the title block ------------------------------------

def _banner(ws, row: int, text: str) -> None:
    ws.cell(row, 1, text)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=7)


def test_own_areas_as_merged_section_rows(empty_db, tmp_path):
    # A small kommun's whole plan in one sheet, its own areas as merged section rows.
    # Before: each section row was a measure ('Prioriterat område 1'), and every measure
    # went to an own area named after the line 'Antagen av kommunstyrelsen 2025-02-10'.
    wb = _new()
    ws = _sheet(wb, "Blad1", [
        [None],
        ["Otrygghet kvällstid", "Dålig belysning", "Belysningsöversyn: ny belysning", "Klart hösten", "2025",
         "Tekniska förvaltningen", "250905: Åtgärden bedöms vara uppnådd."],
        [None],
        ["Hög frånvaro", "Svag skolanknytning", "Närvaroteam: tidig uppföljning", "Minska frånvaron", "2025",
         "Rektor", "250905: Pågår"],
    ], first="Åtgärdsplan brottsförebyggande arbete 2025", header_row=4)
    ws["A2"] = "Antagen av kommunstyrelsen 2025-02-10"
    _banner(ws, 5, "Prioriterat område 1: Trygghet i centrum")
    _banner(ws, 7, "Prioriterat område 2: Skola och utbildning")
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert _measures(empty_db) == [("Trygghet i centrum", "Otrygghet kvällstid", "Belysningsöversyn", "uppnådd"),
                                   ("Skola och utbildning", "Hög frånvaro", "Närvaroteam", "påbörjad")]
    assert ("Blad 'Blad1': områdena togs från mellanrubrikerna rad 5 (Trygghet i centrum), rad 7 (Skola och "
            "utbildning).") in report.lines


def test_footnotes_merged_under_the_table_are_no_measures(empty_db, tmp_path):
    # Before: each footnote was a measure whose problem, cause and title were the note.
    wb = _new()
    ws = _sheet(wb, "1. Unga i riskzon", [
        ["Tidig debut", "Svag skolanknytning", "Läxhjälp: två kvällar", "60 deltagare", "2025", "Fritid",
         "250905: Pågår"],
        [None, "Få vuxna ute", "Nattvandring: fredagar", "Varje fredag", "i linjen*", "Fält", "250905: Pågår"],
    ])
    _banner(ws, 7, "* Linjearbete = åtgärden ingår i ordinarie verksamhet och följs upp i linjen.")
    _banner(ws, 8, "Senast uppdaterad 2025-09-05 av Anna, trygghetssamordnare")
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert _measures(empty_db) == [(UNGA, "Tidig debut", "Läxhjälp", "påbörjad"),
                                   (UNGA, "Tidig debut", "Nattvandring", "påbörjad")]
    assert rows(empty_db, "SELECT problems, causes, measures FROM plan_analysis") == [(1, 2, 2)]
    assert ("Blad '1. Unga i riskzon': rad 7 och 8 har en text sammanfogad över tabellens kolumner (t.ex. en fotnot) "
            "och lästes inte som åtgärd.") in report.lines


def test_a_line_on_when_the_plan_was_adopted_is_no_area(empty_db, tmp_path):
    # Before: the own area was named 'Antagen av kommunstyrelsen 2025-02-10'.
    wb = _new()
    ws = _sheet(wb, "Våld i nära relationer", [
        ["Våld i hemmet", "Låg kunskap", "Utbildning: personal i skolan", "Två utbildningar", "2025", "Rektor",
         "Pågår"]], first="Antagen av kommunstyrelsen 2025-02-10", header_row=4)
    ws["A2"] = "Reviderad 2025-06-01"
    _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert [m[0] for m in _measures(empty_db)] == ["Våld i nära relationer"]


# --- 8. last year's follow-up in this year's plan ---------------------------------------------

def test_last_years_vb_above_this_years_entries_gives_no_status(empty_db, tmp_path):
    # A continuing measure whose cell keeps last year's VB. Before: 'VB 2024' sorted last
    # (a VB is the year's summary) and its 'uppnådd' was this year's status.
    wb = _new()
    _sheet(wb, "1. Unga i riskzon", [
        ["Tidig debut", "Svag skolanknytning", "Läxhjälp: två kvällar", "60 deltagare", "2024 och löpande", "Fritid",
         "VB 2024: 50 deltagare. Åtgärden bedöms vara uppnådd.\n250415: Lokalen är stängd, ingen verksamhet ännu."],
        [None, "Få vuxna ute", "Nattvandring: fredagar", "Varje fredag", "2024 och löpande", "Fält",
         "Verksamhetsberättelse 2024: Åtgärden bedöms vara uppnådd.\n"
         "250905: Pausad. Åtgärden bedöms vara ej påbörjad.\nVB 2025: Åtgärden bedöms vara påbörjad."],
    ])
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert [m[2:] for m in _measures(empty_db)] == [("Läxhjälp", "ej bedömd"), ("Nattvandring", "påbörjad")]
    assert rows(empty_db, "SELECT round, status FROM measure_followup ORDER BY measure_id, followup_date") == [
        ("T1", "ej bedömd"), ("T2", "ej uppnådd"), ("VB", "påbörjad")]
    assert ("Blad '1. Unga i riskzon': uppföljningen för 2024 i rad 4 och 5 gäller inte planens år 2025 och lästes "
            "inte; den ger inte åtgärdens status.") in report.lines


def test_last_years_follow_up_column_beside_this_years_is_not_read(empty_db, tmp_path):
    # Before: both columns were read, and 'Uppföljning 2024' (hidden, even) gave the status.
    wb = _new()
    ws = _sheet(wb, "1. Unga i riskzon", [
        ["Tidig debut", "Svag skolanknytning", "Läxhjälp: två kvällar", "60 deltagare", "2025", "Fritid",
         "Åtgärden bedöms vara uppnådd.", "250415: Lokalen är stängd. Åtgärden bedöms vara påbörjad."],
        [None, "Få vuxna ute", "Nattvandring: fredagar", "Varje fredag", "2025", "Fält",
         "Åtgärden bedöms vara uppnådd.", "Pausad under våren."],
    ], header=[*HEADER[:-1], "Uppföljning 2024", "Uppföljning 2025"])
    ws.column_dimensions["G"].hidden = True
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert [m[2:] for m in _measures(empty_db)] == [("Läxhjälp", "påbörjad"), ("Nattvandring", "ej bedömd")]
    assert rows(empty_db, "SELECT text FROM measure_followup ORDER BY measure_id") == [
        ("Lokalen är stängd. Åtgärden bedöms vara påbörjad.",), ("Pausad under våren.",)]
    # Named once: neither 'dold i Excel men lästes in' nor 'har text men lästes inte'.
    assert [line for line in report.lines if "kolumn G" in line] == [
        "Blad '1. Unga i riskzon': kolumn G ('Uppföljning 2024') gäller 2024, inte planens år 2025, och lästes inte."]


def test_a_follow_up_column_named_for_another_year_alone_is_still_read(empty_db, tmp_path):
    # A template whose header was never updated: no column names the plan's year, so the
    # year in the header says nothing about which column is this plan's.
    wb = _new()
    _sheet(wb, "1. Unga i riskzon", [["Tidig debut", "Svag skolanknytning", "Läxhjälp: två kvällar", "60 deltagare",
                                      "2025", "Fritid", "250905: Åtgärden bedöms vara påbörjad."]],
           header=[*HEADER[:-1], "Uppföljning 2024"])
    _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert [m[3] for m in _measures(empty_db)] == ["påbörjad"]


# --- 9. a drop-down from another sheet in a template formatted far down -----------------------

DROP_DOWN = ('<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
             'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
             '<x14:dataValidations count="1" xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
             '<x14:dataValidation type="list" allowBlank="1"><x14:formula1><xm:f>Listor!$A$1:$A$3</xm:f>'
             '</x14:formula1><xm:sqref>H4:H250000</xm:sqref></x14:dataValidation></x14:dataValidations></ext></extLst>')


def test_a_drop_down_from_another_sheet_does_not_make_the_formatted_rows_count(empty_db, tmp_path, monkeypatch):
    # Excel keeps such a drop-down in the sheet's extension, after the rows, with its list
    # as <xm:f>. Before: that tag was taken for the last value, so every formatted row was
    # read (a template formatted to row 1 048 576 took a minute).
    wb = _new()
    _sheet(wb, "1. Unga i riskzon", [["Tidig debut", "Svag skolanknytning", "Läxhjälp: två kvällar", "60 deltagare",
                                      "2025", "Fritid", "250905: 41 deltagare.", "Pågår"]], header=[*HEADER, "Status"])
    lists = wb.create_sheet("Listor")
    for word in ("Ej påbörjad", "Pågår", "Genomförd"):
        lists.append([word])
    path = _save(wb, tmp_path / "plan.xlsx")
    formatted = "".join(f'<row r="{r}">' + "".join(f'<c r="{c}{r}" s="0"/>' for c in "ABCDEFGH") + "</row>"
                        for r in range(5, 250_001))
    path = _with_parts(path, {}, {"xl/worksheets/sheet2.xml": lambda xml: xml.replace(
        "</sheetData>", formatted + "</sheetData>").replace("</worksheet>", DROP_DOWN + "</worksheet>")})
    # The rows read end at the last row with a value (4), not the last formatted one; the
    # time it saves (6.7 s to 0.6 s here) is not asserted, only what is read.
    from pipelines.readers import atgardsplan as reader

    last_rows = []
    real = reader._sheet_extras
    monkeypatch.setattr(reader, "_sheet_extras", lambda *a, **k: last_rows.append(real(*a, **k)) or last_rows[-1])
    _load(empty_db, path)
    assert last_rows and max(last for last, _ in last_rows) == 4
    assert _measures(empty_db) == [(UNGA, "Tidig debut", "Läxhjälp", "påbörjad")]
