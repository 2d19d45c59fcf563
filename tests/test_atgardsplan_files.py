"""Action-plan workbooks as files coordinators really send: the sixth input hunt.

Not what is inside a workbook but the file itself: protected, saved in another format
(.xlsm, .xltx, .xlsb, Strict Open XML; .ods is read: test_atgardsplan_ods.py), a web page or text file with an Excel name,
Excel's lock file, a truncated download, a zip folder, a name with spaces and å/ä/ö.
Each file is loaded into a fresh database: a refused one must leave it byte for byte as
it was (helpers.refused) with one Swedish line naming the file and what to do.
"""

from __future__ import annotations

import shutil
import unicodedata
import zipfile
from pathlib import Path

import openpyxl
import pytest
from helpers import refused, rows
from openpyxl.workbook.protection import WorkbookProtection

from pipelines.loading import ingest
from tests.test_atgardsplan import OPTIONS, simple_workbook


def _loads(db: Path, path: Path) -> list[tuple]:
    [report] = ingest(db, [path], options=OPTIONS)
    assert report.status == "ok", report.lines
    return rows(db, "SELECT title FROM measure")


def test_sheet_and_workbook_protection_without_an_opening_password_loads(empty_db, tmp_path):
    wb = openpyxl.load_workbook(simple_workbook(tmp_path / "plan.xlsx"))
    for ws in wb.worksheets:
        ws.protection.sheet = True
        ws.protection.password = "låst"
    wb.security = WorkbookProtection(workbookPassword="låst", lockStructure=True)
    wb.save(tmp_path / "skyddad.xlsx")
    assert len(_loads(empty_db, tmp_path / "skyddad.xlsx")) == 1


@pytest.mark.parametrize("name", ["plan.xlsm", "plan.xltx", "PLAN.XLSX", "Åtgärdsplan Hässelby-Vällingby 2025.xlsx",
                                  # macOS writes å/ä/ö in file names decomposed
                                  unicodedata.normalize("NFD", "Åtgärdsplan Nässjö 2025 (slutversion).xlsx")])
def test_other_excel_names_and_names_with_spaces_and_swedish_letters_load(empty_db, tmp_path, name):
    path = tmp_path / name
    shutil.copyfile(simple_workbook(tmp_path / "plan_source.xlsx"), path)
    assert len(_loads(empty_db, path)) == 1


def test_a_password_protected_workbook_says_how_to_remove_the_password(empty_db, tmp_path):
    # An encrypted workbook is an OLE compound file whose streams are EncryptionInfo and
    # EncryptedPackage (a hand-made header here: enough to be recognised).
    path = tmp_path / "plan 2025.xlsx"
    head = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    path.write_bytes(head + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 100
                     + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 1400)
    message = refused(empty_db, path, options=OPTIONS)
    assert message.startswith("plan 2025.xlsx: arbetsboken är lösenordsskyddad. Ta bort lösenordet i Excel"), message
    assert "Kryptera med lösenord" in message


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("plan.xlsx", b"<!DOCTYPE html><html><body><table><tr><td>Problemomr\xc3\xa5de</td></tr></table></body></html>",
     "filen är en webbsida (HTML) med ett Excel-namn"),
    ("plan.xls", b"\xef\xbb\xbf  <table><tr><td>Orsak</td></tr></table>", "filen är en webbsida (HTML)"),
    ("plan.xls", b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"/>',
     "filen är en XML-fil med ett Excel-namn (t.ex. XML-kalkylblad 2003)"),
    ("plan.xlsx", "Problemområde;Orsak;Åtgärd\nUnga;Fritid;Läxhjälp\n".encode(),
     "filen är inte en Excel-arbetsbok (.xlsx) trots sitt namn, utan troligen en textfil (t.ex. CSV)"),
    # Random bytes (a damaged copy, another program's file) were called "troligen en textfil".
    ("plan.xlsx", bytes(range(256)) * 8 + b"\x89PNG\r\n\x1a\n\x00\x00",
     "filen är inte en Excel-arbetsbok (.xlsx) trots sitt namn, och inte heller en textfil: innehållet känns "
     "inte igen"),
])
def test_a_web_page_xml_or_text_file_with_an_excel_name_is_named_for_what_it_is(empty_db, tmp_path, name, content,
                                                                               expected):
    # Before: 'inte en Excel-arbetsbok trots sitt namn' for all of them, without saying
    # what the file is; a web system's "Exportera till Excel" is the usual source.
    path = tmp_path / name
    path.write_bytes(content)
    message = refused(empty_db, path, options=OPTIONS)
    assert message.startswith(f"{name}: {expected}"), message
    assert "spara som Excel-arbetsbok (.xlsx)" in message


def test_excels_lock_file_says_which_workbook_to_load(empty_db, tmp_path):
    # '~$plan.xlsx' lies beside plan.xlsx while it is open in Excel and a shell's *.xlsx
    # picks it up; it holds the name of the person who has it open, never repeated.
    path = tmp_path / "~$plan.xlsx"
    path.write_bytes(b"\x0dAnna Svensson" + b" " * 40 + "Anna Svensson".encode("utf-16-le") + b"\x00" * 50)
    message = refused(empty_db, path, options=OPTIONS)
    assert message == ("~$plan.xlsx: filen är Excels låsfil, som finns medan arbetsboken plan.xlsx är öppen i Excel; "
                       "den är ingen åtgärdsplan. Läs in plan.xlsx i stället.")


def test_a_truncated_download_is_named_as_such(empty_db, tmp_path):
    good = simple_workbook(tmp_path / "good.xlsx").read_bytes()
    path = tmp_path / "plan.xlsx"
    path.write_bytes(good[: len(good) * 9 // 10])
    message = refused(empty_db, path, options=OPTIONS)
    assert message.startswith("plan.xlsx: arbetsboken är skadad eller ofullständig (t.ex. en avbruten nedladdning)")


def test_a_zip_folder_with_the_workbook_says_to_unpack_it(empty_db, tmp_path):
    # Before: 'formatet känns inte igen (arbetsboken har ingen flik med rubrikerna …)'.
    path = tmp_path / "planer.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.write(simple_workbook(tmp_path / "good.xlsx"), "Planer/Åtgärdsplan 2025.xlsx")
    message = refused(empty_db, path, options=OPTIONS)
    assert message.startswith("planer.zip: filen är en zip-mapp med Åtgärdsplan 2025.xlsx. Packa upp den"), message


@pytest.mark.parametrize(("name", "parts", "expected"), [
    ("plan.xlsb", {"[Content_Types].xml": "<Types/>", "xl/workbook.bin": "\x00"},
     "filen är en binär Excel-arbetsbok (.xlsb)"),
])
def test_other_spreadsheet_formats_say_how_to_save_as_xlsx(empty_db, tmp_path, name, parts, expected):
    # Before: 'formatet känns inte igen'; neither can be read without another library.
    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as zf:
        for part, text in parts.items():
            zf.writestr(part, text)
    message = refused(empty_db, path, options=OPTIONS)
    assert message.startswith(f"{name}: {expected}"), message
    assert ".xlsx" in message.split(expected)[1]


def test_a_strict_open_xml_workbook_says_how_to_save_it(empty_db, tmp_path):
    # Excel's 'Strict Open XML-kalkylblad' uses other namespaces; openpyxl read no cell
    # and the user was told the workbook had no header row.
    good = simple_workbook(tmp_path / "good.xlsx")
    path = tmp_path / "plan.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w") as dst:
        for name in src.namelist():
            dst.writestr(name, src.read(name)
                         .replace(b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                                  b"http://purl.oclc.org/ooxml/spreadsheetml/main")
                         .replace(b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
                                  b"http://purl.oclc.org/ooxml/officeDocument/relationships"))
    message = refused(empty_db, path, options=OPTIONS)
    assert message.startswith("plan.xlsx: arbetsboken är sparad som Strict Open XML-kalkylblad"), message
    assert "spara som Excel-arbetsbok (.xlsx)" in message


def test_an_empty_file_with_an_excel_name(empty_db, tmp_path):
    path = tmp_path / "plan.xlsx"
    path.write_bytes(b"")
    assert refused(empty_db, path, options=OPTIONS).startswith("plan.xlsx: filen är tom.")


def test_a_large_password_protected_workbook_with_its_directory_at_the_end(empty_db, tmp_path):
    # The compound file's directory, where the stream names stand, may come after the
    # encrypted data: a 3 MB plan was called 'en äldre Excel-fil (.xls)' before.
    path = tmp_path / "plan.xlsx"
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + bytes(range(256)) * (3 * 4096)
    path.write_bytes(data + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 100
                     + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 400)
    assert "lösenordsskyddad" in refused(empty_db, path, options=OPTIONS)


def test_an_old_xls_workbook_that_cannot_be_read_says_how_to_save_it_as_xlsx(empty_db, tmp_path):
    # A readable .xls is read (tests/test_atgardsplan_xls.py); this one is no workbook inside.
    path = tmp_path / "plan.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "Workbook".encode("utf-16-le")
                     + bytes(range(256)) * 8192)
    message = refused(empty_db, path, options=OPTIONS)
    assert message.startswith("plan.xls: filen är en äldre Excel-fil (.xls) som inte kunde läsas (den kan vara "
                              "skadad, eller sparad i ett format äldre än Excel 97). Öppna den i Excel och spara som "
                              "Excel-arbetsbok (.xlsx)"), message


@pytest.mark.parametrize("bof", [
    # Excel 97-2003 (BIFF8): BOF of the workbook globals, 16 bytes of body, then FILEPASS.
    b"\x09\x08\x10\x00\x00\x06\x05\x00" + b"\xbb\x0d\xcc\x07\x41\x00\x00\x00\x06\x00\x00\x00",
    # Excel 95 (BIFF5): an 8-byte BOF body.
    b"\x09\x08\x08\x00\x00\x05\x05\x00" + b"\xbb\x0d\xcc\x07",
])
def test_a_password_protected_xls_is_named_as_one(empty_db, tmp_path, bof):
    # Excel keeps the BOF and FILEPASS records readable so that it can ask for the
    # password; the rest of the stream is encrypted. Before, the file was just "en äldre
    # Excel-fil", and removing the password was never mentioned.
    path = tmp_path / "plan 2025.xls"
    filepass = b"\x2f\x00\x36\x00\x01\x00" + bytes(range(52))
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "Workbook".encode("utf-16-le")
                     + b"\x00" * 1000 + bof + filepass + bytes(range(256)) * 64)
    message = refused(empty_db, path, options=OPTIONS)
    assert message.startswith("plan 2025.xls: filen är en lösenordsskyddad äldre Excel-fil (.xls)."), message
    assert "ta bort det" in message and "spara som Excel-arbetsbok (.xlsx)" in message


def test_an_xls_without_a_password_is_not_called_protected(empty_db, tmp_path):
    # The same BOF followed by an ordinary record (INTERFACEHDR, 0x00E1), not FILEPASS.
    path = tmp_path / "plan.xls"
    bof = b"\x09\x08\x10\x00\x00\x06\x05\x00" + b"\xbb\x0d\xcc\x07\x41\x00\x00\x00\x06\x00\x00\x00"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + bof + b"\xe1\x00\x02\x00\xb0\x04"
                     + bytes(range(256)) * 64)
    message = refused(empty_db, path, options=OPTIONS)
    assert message.startswith("plan.xls: filen är en äldre Excel-fil (.xls) som inte kunde läsas"), message
