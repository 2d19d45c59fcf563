"""Action-plan workbooks as municipalities fill them in: the eighth input hunt.

Each test builds, small and in code, what real workbooks do that the reader got wrong
(a row that says "Se ovan" but carries a cause and a follow-up of its own, an embedded
document holding a personnummer, a sheet per follow-up round, a status that hedges, a
plan shared by several kommuner), loads it through the real loader into a fresh
database and checks what the coordinator would check: what landed, what the report
says, or the refusal and that the database is unchanged.
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
from pathlib import Path

import pytest
from helpers import refused, rows

from pipelines import personnummer
from pipelines.loading import ingest
from tests.test_atgardsplan import HEADER, OTRYGGA
from tests.test_atgardsplan_hunt3 import _load, _measures, _new, _save, _sheet

# --- 1. a row that continues the measure above -------------------------------------------------


def test_a_row_saying_se_ovan_continues_the_measure_above(empty_db, tmp_path):
    # Before: rows 5, 6 and 8 were skipped as "no measure of their own": the causes
    # Trångboddhet and Brist på vuxna, the T2 follow-up and the second unit were lost.
    wb = _new()
    _sheet(wb, "1. Unga i riskzon", [
        ["Skolfrånvaro", "Svag skolanknytning", "Läxhjälp: två kvällar i veckan", "60 deltagare", "2025", "Fritid",
         "250415: Start i mars."],
        [None, "Trångboddhet", "Se ovan", "Se ovan", None, None, "250905: 41 deltagare. Åtgärden bedöms vara påbörjad."],
        [None, "Brist på vuxna förebilder", "Samma åtgärd som ovan", None, None, "Skola", None],
        ["Otrygghet i centrum", "Mörka platser", "Belysning: fler armaturer", "10 armaturer", "2025", "Teknik",
         "VB: Åtgärden bedöms vara uppnådd."],
        [None, "Få vuxna ute", '"', None, None, None, None],
    ])
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert rows(empty_db, "SELECT source_row, cause, operational_goal, responsible, status FROM measure "
                          "ORDER BY source_row") == [
        (4, "Svag skolanknytning\nTrångboddhet\nBrist på vuxna förebilder", "60 deltagare", "Fritid\nSkola",
         "påbörjad"),
        (7, "Mörka platser\nFå vuxna ute", "10 armaturer", "Teknik", "uppnådd"),
    ]
    assert rows(empty_db, "SELECT round, text FROM measure_followup WHERE measure_id LIKE '%:4' "
                          "ORDER BY followup_date") == [
        ("T1", "Start i mars."), ("T2", "41 deltagare. Åtgärden bedöms vara påbörjad.")]
    # Each cause counts once, each measure once (as the analysis sheet counts them).
    assert rows(empty_db, "SELECT problems, causes, measures FROM plan_analysis") == [(2, 5, 2)]
    assert ("Blad '1. Unga i riskzon': kolumn C hänvisar på rad 5 och 6 ('Se ovan', 'Samma åtgärd som ovan') till "
            "åtgärden på rad 4, rad 8 ('\"') till åtgärden på rad 7; raderna lästes som en del av den åtgärden, med "
            "sina orsaker, uppföljningar och övriga uppgifter.") in report.lines
    assert not any("ingen egen åtgärd" in line for line in report.lines), report.lines


def test_se_nedan_joins_the_measure_below_and_a_pointer_with_nothing_to_point_at_is_no_measure(empty_db, tmp_path):
    wb = _new()
    _sheet(wb, "2. Otrygga platser", [
        ["Otrygghet vid torget", "Dålig belysning", "Se ovan", None, None, None, "250415: Inventering gjord."],
        [None, "Nedskräpning", "Se nedan", None, None, None, None],
        [None, "Droghandel", "Platssamverkan: med fastighetsägare och polis", "Åtgärdslista", "2025", "TS",
         "250905: Pågår"],
    ], first=OTRYGGA)
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert rows(empty_db, "SELECT source_row, cause FROM measure") == [(6, "Nedskräpning\nDroghandel")]
    # The first row points above the table: nothing to continue. It has a follow-up but
    # says it has no measure of its own, so it is counted as a cause and reported.
    assert ("Blad '2. Otrygga platser': rad 4 har ingen egen åtgärd i kolumn C ('Se ovan') och lästes inte som "
            "åtgärder. Skriv åtgärden, eller slå ihop cellen med åtgärden ovan om raden hör till den.") in report.lines
    assert any("rad 5 ('Se nedan') till åtgärden på rad 6" in line for line in report.lines), report.lines


# --- 4. a status that hedges -------------------------------------------------------------------

OTHER = "Skriv en status om en annan menas."
UNCLEAR = "Skriv en tydlig status (t.ex. Pågår, Klar, Ej påbörjad)."
HEDGING = [
    # (Status cell, stored status, what the report says about the cell)
    ("Pågår/klar", "påbörjad",
     f"kan läsas som påbörjad eller uppnådd; den lästes som den minst gynnsamma, 'påbörjad'. {OTHER}"),
    ("Klar (delvis)", "delvis uppnådd",
     f"kan läsas som delvis uppnådd eller uppnådd; den lästes som den minst gynnsamma, 'delvis uppnådd'. {OTHER}"),
    ("Ej påbörjad?", "ej uppnådd", f"lästes försiktigt som 'ej uppnådd', den status den nämner. {OTHER}"),
    ("Påbörjad men pausad", "påbörjad", f"lästes försiktigt som 'påbörjad', den status den nämner. {OTHER}"),
    # Done, in doubt: the cell does not decide; the follow-up's own assessment does.
    ("Klar?", "uppnådd", f"är osäker (uppnådd?) och lästes inte; statusen togs från uppföljningen. {UNCLEAR}"),
    # 'Delvis klar' is no hedge: it is the table's 'delvis uppnådd', read without a note.
    ("Delvis klar", "delvis uppnådd", None),
]


def test_a_hedging_status_is_read_as_the_least_favourable_it_can_mean_and_reported(empty_db, tmp_path):
    # Before: each but 'Delvis klar' was "not recognised" and the status was taken from
    # the follow-up, which here says 'uppnådd': a measure whose own Status cell says
    # 'Pågår/klar' or 'Ej påbörjad?' was stored as achieved.
    wb = _new()
    ws = _sheet(wb, "1. Unga i riskzon", [
        [f"Problem {i}", f"Orsak {i}", f"Åtgärd {i}: text", "Mål", "2025", "Chef",
         "VB: Åtgärden bedöms vara uppnådd.", status] for i, (status, _, _) in enumerate(HEDGING)])
    ws.cell(3, 8, "Status")
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert [m[3] for m in _measures(empty_db)] == [stored for _, stored, _ in HEDGING]
    for row, (status, _, said) in enumerate(HEDGING, start=4):
        lines = [line for line in report.lines if line.startswith(f"Blad '1. Unga i riskzon', cell H{row}: ")]
        assert lines == ([f"Blad '1. Unga i riskzon', cell H{row}: statusen '{status}' {said}"] if said else [])


def test_an_assessment_naming_two_statuses_is_read_as_the_least_favourable(empty_db, tmp_path):
    # Before: 'bedöms vara uppnådd/påbörjad' was 'uppnådd', the first word.
    wb = _new()
    _sheet(wb, "1. Unga i riskzon", [
        ["Skolfrånvaro", "Svag skolanknytning", "Läxhjälp: två kvällar", "60 deltagare", "2025", "Fritid",
         "250905: 41 deltagare.\nVB: Åtgärden bedöms vara uppnådd/påbörjad."]])
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert rows(empty_db, "SELECT status FROM measure") == [("påbörjad",)]
    assert rows(empty_db, "SELECT round, status FROM measure_followup ORDER BY round") == [
        ("T2", "ej bedömd"), ("VB", "påbörjad")]
    assert ("Blad '1. Unga i riskzon', rad 4: uppföljningen bedömer åtgärden som påbörjad eller uppnådd; posten "
            "lästes som den minst gynnsamma, 'påbörjad'.") in report.lines


# --- 2. a personnummer in a binary part or an embedded object ------------------------------------

def _zip(parts: dict[str, bytes | str]) -> bytes:
    """A zip package holding ``parts``, as Word or Excel saves one."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return out.getvalue()


def _docx(text: str) -> bytes:
    """A Word document (.docx) whose one paragraph is ``text``."""
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    return _zip({
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                               'content-types"><Override PartName="/word/document.xml" ContentType="application/'
                               'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        "word/document.xml": f'<?xml version="1.0"?><w:document {ns}><w:body><w:p><w:r><w:t>{text}</w:t></w:r>'
                             "</w:p></w:body></w:document>",
    })


def _compound_file(streams: dict[str, bytes], scattered: bool = False) -> bytes:
    """An OLE compound file (what Excel keeps as xl/embeddings/oleObject1.bin) holding
    ``streams``: streams under 4096 bytes in its mini stream, as Office writes them, larger
    ones in sectors of their own; ``scattered`` writes those sectors in reverse order, so
    that a text running over a sector boundary is never whole in the file's bytes."""
    size, end, free = 512, 0xFFFFFFFE, 0xFFFFFFFF
    sectors: list[bytes] = []
    fat: dict[int, int] = {}

    def put(data: bytes, reverse: bool = False) -> int:
        chunks = [data[i:i + size].ljust(size, b"\0") for i in range(0, max(len(data), 1), size)]
        places = list(range(len(sectors), len(sectors) + len(chunks)))
        sectors.extend(b"" for _ in chunks)
        order = places[::-1] if reverse else places
        for chunk, place in zip(chunks, order, strict=True):
            sectors[place] = chunk
        for here, after in zip(order, [*order[1:], end], strict=True):
            fat[here] = after
        return order[0]

    small = {n: d for n, d in streams.items() if len(d) < 4096}
    mini, mini_fat, starts = b"", [], {}
    for name, data in small.items():
        first = len(mini) // 64
        count = max(-(-len(data) // 64), 1)
        mini += data.ljust(count * 64, b"\0")
        mini_fat += [first + k + 1 for k in range(count - 1)] + [end]
        starts[name] = first
    for name, data in streams.items():
        if name not in small:
            starts[name] = put(data, reverse=scattered)
    root_start = put(mini) if mini else end
    mini_fat_start = put(b"".join(struct.pack("<I", n) for n in mini_fat)) if mini_fat else end

    def entry(name: str, kind: int, start: int, length: int, right: int = free, child: int = free) -> bytes:
        encoded = (name + "\0").encode("utf-16-le")
        return (encoded.ljust(64, b"\0") + struct.pack("<HBB3I", len(encoded), kind, 1, free, right, child)
                + bytes(36) + struct.pack("<II", start, length) + bytes(4))

    names = list(streams)
    directory = entry("Root Entry", 5, root_start, len(mini), child=1 if names else free)
    directory += b"".join(entry(n, 2, starts[n], len(streams[n]), right=i + 2 if i + 1 < len(names) else free)
                          for i, n in enumerate(names))
    dir_start = put(directory)
    n_fat = 1
    while len(sectors) + n_fat > n_fat * (size // 4):
        n_fat += 1
    fat_sectors = list(range(len(sectors), len(sectors) + n_fat))
    table = [fat.get(i, free) for i in range(len(sectors))] + [0xFFFFFFFD] * n_fat
    table += [free] * (n_fat * (size // 4) - len(table))
    sectors += [b"".join(struct.pack("<I", n) for n in table[i * 128:(i + 1) * 128]) for i in range(n_fat)]
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16) + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + bytes(6) + struct.pack("<IIIIIIIII", 0, n_fat, dir_start, 0, 4096, mini_fat_start,
                                       1 if mini_fat else 0, end, 0)
              + b"".join(struct.pack("<I", n) for n in (fat_sectors + [free] * 109)[:109]))
    return header + b"".join(sectors)


def _packaged_file(name: str, data: bytes) -> bytes:
    """The Ole10Native stream Windows' Object Packager writes for a file embedded as an
    icon (Infoga > Objekt > Skapa från fil): its label, paths and bytes."""
    body = (struct.pack("<H", 2) + name.encode("cp1252") + b"\0" + f"C:\\Users\\ts\\{name}".encode("cp1252")
            + b"\0" + struct.pack("<I", 0x00030000))
    temp = f"C:\\Temp\\{name}".encode("cp1252") + b"\0"
    body += struct.pack("<I", len(temp)) + temp + struct.pack("<I", len(data)) + data
    return struct.pack("<I", len(body)) + body


def _with_embedding(path: Path, part: str, data: bytes) -> Path:
    """A copy of the plan ``path`` with ``data`` as the package part ``part``."""
    from tests.test_atgardsplan_hunt7 import _with_parts

    out = _with_parts(path, {})
    with zipfile.ZipFile(out, "a") as zf:
        zf.writestr(part, data)
    return out


def _plain_plan(path: Path) -> Path:
    wb = _new()
    _sheet(wb, "1. Unga i riskzon", [["Tidig debut", "Svag skolanknytning", "Läxhjälp: två kvällar", "60 deltagare",
                                      "2025", "Fritid", "250905: Pågår"]])
    return _save(wb, path)


def _class_list() -> bytes:
    """A list of the young people the work is about, packaged as a text file (8-bit
    text), long enough to lie in sectors of its own, with the number running over the
    boundary between its fourth and fifth sector."""
    def packaged(pad: int) -> bytes:
        text = ("Namn;Personnummer;Skola\r\n" + "Elev;;Skolan\r\n" * 150 + " " * pad
                + "Kalle Andersson;850101-0006;Skolan\r\n" + "Elev;;Skolan\r\n" * 150)
        return _packaged_file("elevlista.txt", text.encode("cp1252"))

    at = packaged(0).index(b"850101-0006")
    data = packaged((4 * 512 - 5 - at) % 512)
    assert (data.index(b"850101-0006") + 5) % 512 == 0 and len(data) >= 4096
    return data


@pytest.mark.parametrize(("part", "data", "inside"), [
    # A Word document embedded in the sheet (Infoga > Objekt > Microsoft Word-dokument).
    ("xl/embeddings/Microsoft_Word_Document.docx", lambda: _docx("Kalle Andersson 850101-0006, årskurs 8"),
     "word/document.xml"),
    # The same document kept by an older Excel inside an OLE object, as its 'Package' stream.
    ("xl/embeddings/oleObject1.bin",
     lambda: _compound_file({"\x01CompObj": b"\x01\x00\xfe\xff" + bytes(24), "Package": _docx("850101-0006")}),
     "Package > word/document.xml"),
    # A text file packaged as an icon, its sectors not in order in the file: the number
    # is whole only in the stream put together.
    ("xl/embeddings/oleObject2.bin",
     lambda: _compound_file({"\x01Ole10Native": _class_list()}, scattered=True),
     "Ole10Native"),
    # Windows' own strings are UTF-16: an object's text in its 'Contents' stream (whole in
    # the file's bytes, so the part itself is named).
    ("xl/embeddings/oleObject3.bin",
     lambda: _compound_file({"Contents": "Anteckning: Kalle 850101-0006".encode("utf-16-le")}), None),
    # The printer settings (a DEVMODE: the device name in UTF-16).
    ("xl/printerSettings/printerSettings1.bin",
     lambda: "\\\\srv\\850101-0006".encode("utf-16-le").ljust(64, b"\0") + bytes(156), None),
], ids=["docx", "ole-package", "ole-packaged-file", "ole-utf16", "printer-settings"])
def test_a_personnummer_in_a_binary_part_or_an_embedded_object_is_refused_naming_the_part(
        empty_db, tmp_path, capfd, part, data, inside):
    # Before: only XML parts were screened; each of these workbooks loaded.
    from tests.test_atgardsplan_hunt7 import _refused_quietly

    path = _with_embedding(_plain_plan(tmp_path / "plan.xlsx"), part, data())
    message = _refused_quietly(empty_db, path, capfd)
    where = f"arbetsbokens del {part} ("
    assert message.startswith(f"med-delar.xlsx: {where}"), message
    if inside:
        assert f"), i dess del {inside} innehåller ett personnummer" in message, message
    assert rows(empty_db, "SELECT count(*) FROM measure") == [(0,)]


def test_embedded_objects_and_binary_parts_without_a_personnummer_load(empty_db, tmp_path):
    # Numbers that are no personnummer (a wrong control digit, an organisation number),
    # and bytes of an image and a printer's settings: nothing to refuse.
    rng = random.Random(42)
    path = _plain_plan(tmp_path / "plan.xlsx")
    for part, data in {
        "xl/embeddings/Microsoft_Word_Document.docx": _docx("Dnr 850101-0007, org.nr 212000-0142"),
        "xl/embeddings/oleObject1.bin": _compound_file({"Contents": "Tel 08-508 000 00".encode("utf-16-le"),
                                                        "\x01Ole10Native": _packaged_file("a.txt", b"1234567890")}),
        "xl/media/image1.png": b"\x89PNG\r\n\x1a\n" + rng.randbytes(300_000),
        "xl/printerSettings/printerSettings1.bin": "HP LaserJet 4250".encode("utf-16-le").ljust(220, b"\0"),
    }.items():
        path = _with_embedding(path, part, data)
        path = path.rename(tmp_path / "plan.xlsx")
    _load(empty_db, path)
    assert rows(empty_db, "SELECT title FROM measure") == [("Läxhjälp",)]


def test_an_ole_compound_files_streams_are_read_whole_from_its_tables():
    # Small streams lie in the mini stream, larger ones in sectors of their own, here
    # written in reverse order: each is put together by the file's allocation tables.
    streams = {"\x01CompObj": b"\x01\x00\xfe\xff" + bytes(24), "Contents": "Anteckning".encode("utf-16-le"),
               "Package": bytes(range(256)) * 40, "\x01Ole10Native": _class_list()}
    assert personnummer._ole_streams(_compound_file(streams, scattered=True)) == list(streams.items())
    assert personnummer._ole_streams(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100)) == []  # damaged: none


def test_a_personnummer_in_an_object_embedded_in_an_ods_is_refused(empty_db, tmp_path, capfd):
    # LibreOffice keeps an embedded document as a folder of its own in the package.
    from tests.test_atgardsplan_hunt7 import _refused_quietly
    from tests.test_atgardsplan_ods import to_ods

    ods = to_ods(_plain_plan(tmp_path / "plan.xlsx"), tmp_path / "plan.ods")
    with zipfile.ZipFile(ods, "a") as zf:
        zf.writestr("Object 1/content.xml", '<?xml version="1.0"?><office:document-content xmlns:office="urn:oasis:'
                                            'names:tc:opendocument:xmlns:office:1.0"><office:body><office:text>'
                                            "Kalle 850101-0006</office:text></office:body></office:document-content>")
    message = _refused_quietly(empty_db, ods, capfd)
    assert message.startswith("plan.ods: arbetsbokens del Object 1/content.xml (ett inbäddat objekt"), message


# --- 3. a sheet per follow-up round ----------------------------------------------------------------

BASE = [["Tidig debut", "Svag skolanknytning", "Läxhjälp: två kvällar i veckan", "60 deltagare", "2025", "Fritid"],
        [None, "Få vuxna ute", "Nattvandring: fredagar", "Varje fredag", "2025", "Fältassistenter"]]


def test_a_sheet_per_follow_up_round_is_read_as_the_rounds_of_the_same_measures(empty_db, tmp_path):
    # The plan copied to a new sheet at each follow-up, each sheet's Uppföljning and
    # Status filled in for that round only. Before: only the last sheet was read, so
    # the measures had one VB entry each and the 'Uppföljningar' tab no history.
    rounds = {"Uppföljning mars": (("Start i mars, 22 deltagare.", "Påbörjad"), ("Startar i maj.", "Ej påbörjad")),
              "Uppföljning aug": (("41 deltagare.", "Pågår"), ("Genomförs varje fredag.", "Pågår")),
              "Uppföljning okt": (("58 deltagare. Åtgärden bedöms vara uppnådd.", None), ("Varje fredag.", "Klar"))}
    wb = _new()
    for title, cells in rounds.items():
        _sheet(wb, title, [row + list(cell) for row, cell in zip(BASE, cells, strict=True)],
               header=[*HEADER, "Status"])
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert rows(empty_db, "SELECT title, status, source_sheet FROM measure ORDER BY source_row") == [
        ("Läxhjälp", "uppnådd", "Uppföljning okt"), ("Nattvandring", "uppnådd", "Uppföljning okt")]
    # What the 'Uppföljningar' tab shows: each measure's status at each round.
    assert rows(empty_db, "SELECT m.title, r.round, r.status FROM mart_measure_round AS r JOIN measure AS m "
                          "USING (measure_id) ORDER BY m.source_row, r.round_no") == [
        ("Läxhjälp", "T1", "påbörjad"), ("Läxhjälp", "T2", "påbörjad"), ("Läxhjälp", "T3", "uppnådd"),
        ("Nattvandring", "T1", "ej uppnådd"), ("Nattvandring", "T2", "påbörjad"), ("Nattvandring", "T3", "uppnådd")]
    assert rows(empty_db, "SELECT f.round, f.text FROM measure_followup AS f JOIN measure AS m USING (measure_id) "
                          "WHERE m.title = 'Läxhjälp' ORDER BY f.round") == [
        ("T1", "Start i mars, 22 deltagare."), ("T2", "41 deltagare."),
        ("T3", "58 deltagare. Åtgärden bedöms vara uppnådd.")]
    # Counted once, from the latest sheet.
    assert rows(empty_db, "SELECT problems, causes, measures FROM plan_analysis") == [(1, 2, 2)]
    assert ("Blad 'Uppföljning mars' (T1), 'Uppföljning aug' (T2) och 'Uppföljning okt' (T3) är samma plan vid "
            "olika uppföljningar: varje åtgärd lästes en gång, från det senaste bladet den står på, med varje blads "
            "uppföljning och status som den uppföljningens.") in report.lines


def test_round_sheets_that_repeat_earlier_entries_and_add_or_drop_a_measure(empty_db, tmp_path):
    # Each round's sheet keeps the entries written before (dated), here sheets named 'T2
    # 2025' left of 'T1 2025' (a copy Excel put before the sheet copied). A measure was
    # added at T2; one was dropped after T1.
    wb = _new()
    _sheet(wb, "T2 2025", [
        BASE[0] + ["250415: Start i mars.\n250828: 41 deltagare. Åtgärden bedöms vara påbörjad."],
        BASE[1] + ["250828: Åtgärden bedöms vara uppnådd."],
        [None, "Otrygga skolvägar", "Skolvärdar: två per skola", "Två skolvärdar", "2025", "Rektor", "250828: Start"],
    ])
    _sheet(wb, "T1 2025", [
        BASE[0] + ["250415: Start i mars."],
        BASE[1] + ["250415: Startar i maj."],
        [None, "Klotter", "Klottersanering: inom 24 timmar", "24 timmar", "2025", "Teknik", "250415: Pågår"],
    ])
    report = _load(empty_db, _save(wb, tmp_path / "plan.xlsx"))
    assert rows(empty_db, "SELECT title, status, source_sheet FROM measure ORDER BY source_sheet, source_row") == [
        ("Klottersanering", "påbörjad", "T1 2025"), ("Läxhjälp", "påbörjad", "T2 2025"),
        ("Nattvandring", "uppnådd", "T2 2025"), ("Skolvärdar", "ej bedömd", "T2 2025")]
    # The T1 entry written in both sheets is stored once.
    assert rows(empty_db, "SELECT f.followup_date::VARCHAR, f.text FROM measure_followup AS f JOIN measure AS m "
                          "USING (measure_id) WHERE m.title = 'Läxhjälp' ORDER BY f.followup_date") == [
        ("2025-04-15", "Start i mars."), ("2025-08-28", "41 deltagare. Åtgärden bedöms vara påbörjad.")]
    assert rows(empty_db, "SELECT problems, causes, measures FROM plan_analysis") == [(1, 3, 4)]
    assert ("Blad 'T1 2025': åtgärden på rad 6 ('Klottersanering') finns inte på något senare uppföljningsblad och "
            "lästes in från detta blad. Kontrollera om den har fått en annan titel eller strukits.") in report.lines


# --- 5. a plan several kommuner share ------------------------------------------------------------

LUDVIKA, SMEDJEBACKEN, AVESTA = "2085", "2061", "2084"  # all three in Dalarnas län (20)


def _two_measures(path: Path) -> Path:
    wb = _new()
    _sheet(wb, "1. Unga i riskzon", [
        ["Tidig debut", "Svag skolanknytning", "Läxhjälp: två kvällar", "60 deltagare", "2025", "Fritid", "VB: Pågår"],
        [None, "Få vuxna ute", "Nattvandring: fredagar", "Varje fredag", "2025", "Fält", "VB: Klar"]])
    return _save(wb, path)


def _one_measure(path: Path) -> Path:
    wb = _new()
    _sheet(wb, "1. Unga i riskzon", [["Skolk", "Otrygg skolväg", "Skolvärdar: två per skola", "2", "2025", "Rektor",
                                      "VB: Pågår"]])
    return _save(wb, path)


def test_a_plan_named_for_two_kommuner_belongs_to_both_and_a_lan_counts_it_once(empty_db, tmp_path):
    # Before: --kommun "Ludvika och Smedjebacken" was refused ("känns inte igen"), and the
    # same words in the file name made it Ludvika's plan alone.
    [joint] = ingest(empty_db, [_two_measures(tmp_path / "plan.xlsx")],
                     options={"kommun": "Ludvika och Smedjebacken", "year": 2025})
    assert joint.status == "ok", joint.lines
    _load_as(empty_db, _one_measure(tmp_path / "Åtgärdsplan Avesta 2025.xlsx"))
    assert rows(empty_db, "SELECT organisation, kommun_code, kommun_codes, lpo_codes FROM plan ORDER BY plan_id") == [
        ("Avesta kommun", AVESTA, [AVESTA], ["LPO-SODRA-DALARNA"]),
        ("Ludvika kommun och Smedjebackens kommun", LUDVIKA, [LUDVIKA, SMEDJEBACKEN], ["LPO-LUDVIKA"])]
    assert rows(empty_db, "SELECT count(*) FROM measure") == [(3,)]  # stored once
    # Each kommun sees the joint plan; the län (and the polisregion) counts it once.
    assert rows(empty_db, "SELECT level, area_code, plans, measures FROM mart_measure_completion "
                          "WHERE level IN ('kommun', 'lan', 'polisregion') ORDER BY level, area_code") == [
        ("kommun", SMEDJEBACKEN, 1, 2), ("kommun", AVESTA, 1, 1), ("kommun", LUDVIKA, 1, 2),
        ("lan", "20", 2, 3), ("polisregion", "BERGSLAGEN", 2, 3)]
    assert rows(empty_db, "SELECT DISTINCT kommun_name FROM mart_measure WHERE kommun_code = $k", {"k": LUDVIKA}) == [
        ("Ludvika och Smedjebacken",)]
    assert joint.lines[0] == ("Plan: Ludvika kommun och Smedjebackens kommun, kommun Ludvika (2085) och Smedjebacken "
                              "(2061), LPO LPO-LUDVIKA, år 2025.")
    assert ("Planen gäller 2 kommuner tillsammans: åtgärderna sparades en gång, i en gemensam plan som visas för var "
            "och en av kommunerna; summor över ett län eller en polisregion räknar dem en gång.") in joint.lines


def _load_as(db: Path, path: Path, **options):
    [report] = ingest(db, [path], options=options)
    assert report.status == "ok", report.lines
    return report


@pytest.mark.parametrize(("name", "kommuner"), [
    ("Åtgärdsplan Ludvika och Smedjebacken 2025.xlsx", [LUDVIKA, SMEDJEBACKEN]),
    ("Atgardsplan_Ludvika_Smedjebacken_2025.xlsx", [LUDVIKA, SMEDJEBACKEN]),
    # The police area's name is no kommun: the plan is Smedjebacken's, with LPO Ludvika.
    ("Åtgärdsplan Smedjebacken LPO Ludvika 2025.xlsx", [SMEDJEBACKEN]),
])
def test_a_file_name_naming_several_kommuner(empty_db, tmp_path, name, kommuner):
    report = _load_as(empty_db, _two_measures(tmp_path / name))
    assert rows(empty_db, "SELECT kommun_codes FROM plan") == [(kommuner,)]
    said = [line for line in report.lines if "nämner flera kommuner" in line]
    assert said == ([] if len(kommuner) == 1 else [
        "Varning: filnamnet nämner flera kommuner (Ludvika (2085) och Smedjebacken (2061)); planen sparades som "
        "deras gemensamma. Ange --kommun om den bara gäller en av dem."])


def test_a_sidecar_listing_the_kommuner(empty_db, tmp_path):
    path = _two_measures(tmp_path / "plan.xlsx")
    path.with_name("plan.xlsx.toml").write_text('kommun = ["2085", "Smedjebacken"]\nyear = 2025\n', encoding="utf-8")
    _load_as(empty_db, path)
    assert rows(empty_db, "SELECT kommun_code, kommun_codes FROM plan") == [(LUDVIKA, [LUDVIKA, SMEDJEBACKEN])]


def test_a_kommun_list_with_a_name_that_is_no_kommun_is_refused(empty_db, tmp_path):
    message = refused(empty_db, _two_measures(tmp_path / "plan.xlsx"),
                      options={"kommun": "Ludvika och Gröna Lund", "year": 2025})
    assert message == ("plan.xlsx: kommunen 'Ludvika och Gröna Lund' känns inte igen. Ange kommunkod, t.ex. --kommun "
                       "0180, eller för en plan som flera kommuner delar kommunerna med komma emellan, t.ex. --kommun "
                       "\"2085, 2061\".")
