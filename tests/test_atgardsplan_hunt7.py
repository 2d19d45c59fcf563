"""Action-plan workbooks as municipalities fill them in: the seventh input hunt.

Each test builds, small and in code, what a hunt found the reader got wrong (a
personnummer where the gate did not look, error values and placeholders read as
measures, last year's follow-up read as this year's), loads it into a fresh database
and checks what the coordinator would check: what landed, the report or the refusal,
and that nothing personal was printed.
"""

from __future__ import annotations

import warnings

from helpers import refused, rows

from tests.test_atgardsplan import HEADER, OPTIONS
from tests.test_atgardsplan_hunt3 import _load, _new, _save, _sheet

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
