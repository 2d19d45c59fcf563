"""The bad-input corpus (tests/data/bad, plus big files made by tests/make_bad_corpus.py).

For every file, loaded with ``pipelines.loading.ingest`` into a fresh reference warehouse:
the outcome is the expected one (whole file refused, some rows refused, or accepted); a
refusal is one line naming the file and, where it applies, the row or cell and column,
says what to do, shows no traceback and never echoes a personnummer; a refused file
leaves the database file byte for byte as it was; refused rows are in ``rejected_row``
with row, column and reason while the good rows landed. A few files go through the CLI,
and the logs of person-level loads are searched for row content.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from helpers import digest

from pipelines.loading import ingest

sys.path.insert(0, str(Path(__file__).parent))
import make_bad_corpus as corpus  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BAD = corpus.BAD


HANG_GUARD_SECONDS = 120


@dataclass(frozen=True)
class Case:
    """What loading one corpus file must give.

    outcome: "file" (refused whole), "rows" (some rows refused, the rest loaded) or
    "accepted" (odd but valid: loads with no refused row).
    phrase: words the refusal must contain (the place and the problem).
    rows: (row_number, column) of each refused row, for outcome "rows".
    accepted: rows that must land in the file's main table.
    """

    outcome: str
    phrase: str = ""
    rows: tuple[tuple[int, str | None], ...] = ()
    accepted: int = 0
    big: bool = False
    seconds: float = 30.0  # generous: the test machine is shared
    table: str | None = None  # the main table, when the name prefix does not tell


CASES: dict[str, Case] = {
    # encodings, delimiters, emptiness, garbage
    "signal_utf16.csv": Case("accepted", accepted=3),  # Excel's Unicode text, read as such
    "signal_mojibake.csv": Case("rows", rows=((3, "source"),), accepted=2),
    "signal_cp1252.csv": Case("accepted", accepted=3),
    "signal_pipe.csv": Case("file", "avgränsas med '|'"),
    "signal_empty.csv": Case("file", "filen är tom"),
    "signal_whitespace.csv": Case("file", "filen är tom"),
    "signal_bom_only.csv": Case("file", "filen är tom"),
    "garbage.csv": Case("file", "formatet känns inte igen"),
    "signal_nul_bytes.csv": Case("file", "inte en textfil"),
    "signal_header_only.csv": Case("file", "inga datarader"),
    "signal_duplicate_column.csv": Case("file", "rad 1, kolumn 'count': kolumnen finns två gånger"),
    "signal_truncated.csv": Case("rows", rows=((4, "area_code"),), accepted=2),
    "signal_mismatched_quote.csv": Case("file", "rad 3: ett citattecken"),
    "signal_crlf_lf_mixed.csv": Case("accepted", accepted=3),
    "signal_bom_semicolon.csv": Case("accepted", accepted=3),
    # row-level problems
    "signal_future_month.csv": Case("rows", rows=((5, "month"),), accepted=3),
    "signal_negative_count.csv": Case("rows", rows=((5, "count"), (6, "count")), accepted=3),
    "signal_unknown_area.csv": Case("rows", rows=((5, "area_code"), (6, "area_code")), accepted=3),
    "signal_kommun_typo.csv": Case("rows", rows=((5, "area_code"),), accepted=3),
    "signal_bad_month.csv": Case("rows", rows=((5, "month"), (6, "month")), accepted=3),
    # personnummer and samordningsnummer
    "signal_personnummer.csv": Case("file", "rad 5, kolumn 'signal_type' innehåller ett personnummer"),
    "signal_samordningsnummer.csv": Case("file", "rad 5, kolumn 'source' innehåller ett personnummer"),
    "incident_personnummer_in_source.csv": Case("file", "rad 5, kolumn 'source' innehåller ett personnummer"),
    "plan_personnummer_followup.xlsx": Case("file", "blad 'Unga i riskzon', cell G5 innehåller ett personnummer"),
    "polisen_personnummer.json": Case("file", "händelse 2, fält 'summary' innehåller ett personnummer"),
    # incidents (read in bulk by DuckDB)
    "incident_impossible_dates.csv": Case("rows", rows=((5, "occurred_at"), (6, "occurred_at")), accepted=3),
    "incident_unknown_codes.csv": Case(
        "rows", rows=((5, "kommun_code"), (6, "lpo_code"), (7, "incident_type")), accepted=3),
    "incident_truncated.csv": Case("rows", rows=((4, "incident_type"),), accepted=2),
    "incident_pipe.csv": Case("file", "avgränsas med '|'"),
    "incident_wrong_types.parquet": Case("file", "rad 1, kolumn 'occurred_at': ogiltig tidpunkt"),
    "incident_truncated.parquet": Case("file", "Parquet-filen är skadad"),
    "signal_wrong_types.parquet": Case("file", "rad 1, kolumn 'count': antal måste vara ett heltal"),
    # measures in our CSV: markup and formulas are text
    "measure_script_title.csv": Case("accepted", accepted=2),
    "measure_missing_column.csv": Case("file", "rad 1, kolumn 'title': obligatorisk kolumn saknas"),
    # the police events feed
    "polisen_html_error.json": Case("file", "webbsida (HTML)"),
    "polisen_truncated.json": Case("file", "inte giltig JSON (rad 1"),
    "polisen_object.json": Case("file", "är ett objekt"),
    "polisen_strings.json": Case("file", "inga händelseobjekt"),
    "polisen_missing_keys.json": Case("file", "saknar polisens fält"),
    "polisen_empty.json": Case("file", "filen är tom"),
    "polisen_row_problems.json": Case(
        "rows", rows=((2, "datetime"), (3, "datetime"), (4, "id"), (5, None)), accepted=1),
    # Kolada, SCB, Brå
    "kolada_wrong_shape.json": Case("file", "listan 'values'"),
    "kolada_missing_keys.json": Case("file", "rad 1, kolumn 'period': nyckeln 'period' saknas"),
    "kolada_truncated.json": Case("file", "inte giltig JSON (rad 10"),
    "scb_no_region.csv": Case("file", "kolumnerna region, ålder och kön"),
    "bra_no_data_rows.csv": Case("file", "inga datarader"),
    "bra_no_data_rows.xlsx": Case("file", "inga datarader"),
    # action-plan workbooks
    "plan_no_plan_sheet.xlsx": Case("file", "ingen flik med rubrikerna för en åtgärdsplan"),
    "plan_truncated.xlsx": Case("file", "arbetsboken är skadad"),
    "plan_xls_renamed.xlsx": Case("file", "äldre Excel-fil (.xls)"),
    "plan_encrypted.xlsx": Case("file", "lösenordsskyddad"),
    "plan_csv_renamed.xlsx": Case("accepted", accepted=3, table="recruitment_signal"),  # the content decides, not the name
    "plan_formulas_Nacka_2025.xlsx": Case("accepted", accepted=2),
    "plan_Stokholm_2025.xlsx": Case("file", "kommunen kunde inte avgöras. Ange den med --kommun"),
    "plan_bad_followup_date_Nacka_2025.xlsx": Case("accepted", accepted=2),
    # generated at test time (too big to commit)
    "plan_zip_bomb.xlsx": Case("file", "för stor för en åtgärdsplan", big=True, seconds=15),
    "plan_many_cells_Nacka_2025.xlsx": Case("file", "över 500 000 ifyllda celler", big=True, seconds=15),
    "plan_100k_empty_rows_Nacka_2025.xlsx": Case("accepted", accepted=2, big=True, seconds=20),
    "measure_5mb_cell.csv": Case("file", "rad 2: ett fält är längre än", big=True),
    "signal_long_line.csv": Case("file", "rad 5: ett fält är längre än", big=True),
    "bra_huge_cell.csv": Case("file", "rad 803: ett fält är längre än", big=True),
}

PRIMARY = {"signal": "recruitment_signal", "incident": "incident", "polisen": "incident",
           "measure": "measure", "plan": "measure"}
# A refusal says what to do: one of these verbs (imperative or "try again").
ACTION = re.compile(r"\b(Spara|spara|Kontrollera|Rätta|Ta bort|Ange|Öppna|Hämta|[Ff]örsök|Korta|exportera|"
                    r"Ladda ner|Lägg till|läs in)\b")
NUMBERS = [corpus.PERSONNUMMER, corpus.PERSONNUMMER.replace("-", ""), corpus.PERSONNUMMER[2:],
           corpus.PERSONNUMMER[2:].replace("-", ""), corpus.SAMORDNINGSNUMMER,
           corpus.SAMORDNINGSNUMMER.replace("-", "")]


@pytest.fixture(scope="session")
def big_files(tmp_path_factory) -> dict[str, Path]:
    return corpus.write_big(tmp_path_factory.mktemp("bad-big"))


def _path(name: str, big_files) -> Path:
    return big_files[name] if CASES[name].big else BAD / name


def test_corpus_is_complete_small_and_documented():
    """Every committed file has a case and a README line; every case has a file; < 2 MB."""
    on_disk = {p.name for p in BAD.iterdir() if p.name != "README.md"}
    small = {n for n, c in CASES.items() if not c.big}
    assert on_disk == small
    assert len(CASES) >= 40
    assert sum(p.stat().st_size for p in BAD.iterdir()) < 2 * 1024 * 1024
    readme = (BAD / "README.md").read_text("utf-8")
    missing = [n for n in CASES if f"`{n}`" not in readme]
    assert not missing, f"saknas i tests/data/bad/README.md: {missing}"


def test_committed_files_match_the_generator():
    """The committed corpus is what make_bad_corpus.py writes (xlsx aside: zip timestamps)."""
    for name, content in corpus.small_files().items():
        if not name.endswith(".xlsx"):
            assert (BAD / name).read_bytes() == content, name


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_file(name, empty_db, big_files):
    case = CASES[name]
    path = _path(name, big_files)
    before = digest(empty_db)
    started = time.perf_counter()
    (report,) = ingest(empty_db, [path])
    elapsed = time.perf_counter() - started
    # A hang guard, not a speed target (those live in bench/): a reader that unpacked a
    # zip bomb or walked 100 000 empty rows cell by cell would take minutes.
    assert elapsed < max(case.seconds, HANG_GUARD_SECONDS), f"{name}: {elapsed:.1f} s"

    if case.outcome == "file":
        assert report.status == "rejected", report.summary()
        message = report.summary()
        assert "\n" not in message, message
        assert message.startswith(f"{name}: "), message
        assert case.phrase in message, message
        assert ACTION.search(message), f"säger inte vad användaren ska göra: {message}"
        for bad in ("Traceback", 'File "', "Error", "Exception", "\\x"):
            assert bad not in message, message
        for number in NUMBERS:
            assert number not in message
        assert digest(empty_db) == before, "databasfilen ändrades av en avvisad fil"
        return

    assert report.status == "ok", report.summary()
    table = case.table or PRIMARY[name.split("_", 1)[0]]
    con = duckdb.connect(str(empty_db), read_only=True)
    try:
        landed = con.execute(f"SELECT count(*) FROM {table} WHERE load_id = ?", [report.load_id]).fetchone()[0]
        rejected = con.execute(
            'SELECT row_number, "column", reason FROM rejected_row WHERE load_id = ? ORDER BY row_number',
            [report.load_id]).fetchall()
        logged = con.execute("SELECT rows_accepted, rows_rejected FROM load_log WHERE load_id = ?",
                             [report.load_id]).fetchone()
    finally:
        con.close()
    assert landed == case.accepted == report.rows_accepted
    assert logged == (case.accepted, len(case.rows))
    assert [(r, c) for r, c, _ in rejected] == list(case.rows)
    assert all(reason and len(reason) < 300 for _, _, reason in rejected)
    if case.outcome == "accepted":
        assert rejected == []


def _measures(db: Path) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT title, description FROM measure ORDER BY title").fetchall()
    finally:
        con.close()


def test_markup_and_formulas_are_stored_as_plain_text(empty_db):
    (report,) = ingest(empty_db, [BAD / "measure_script_title.csv"])
    assert report.status == "ok"
    rows = _measures(empty_db)
    assert (corpus.SCRIPT_TITLE, "<img src=x onerror=alert(2)>") in rows
    assert ('=HYPERLINK("http://x.invalid","klicka")', "=1+1") in rows


def test_workbook_formulas_give_their_saved_values_not_formulas(empty_db):
    (report,) = ingest(empty_db, [BAD / "plan_formulas_Nacka_2025.xlsx"])
    assert report.status == "ok"
    con = duckdb.connect(str(empty_db), read_only=True)
    try:
        titles = [r[0] for r in con.execute("SELECT title FROM measure ORDER BY title").fetchall()]
        goals = [r[0] for r in con.execute("SELECT operational_goal FROM measure WHERE operational_goal IS NOT NULL").fetchall()]
        status = con.execute("SELECT status FROM measure_followup").fetchall()
    finally:
        con.close()
    assert titles == ["Fältassistenter", "Läxhjälp"]
    assert goals == ["2"]
    assert status == [("påbörjad",)]


def test_impossible_followup_dates_are_not_stored(empty_db):
    (report,) = ingest(empty_db, [BAD / "plan_bad_followup_date_Nacka_2025.xlsx"])
    assert report.status == "ok"
    con = duckdb.connect(str(empty_db), read_only=True)
    try:
        rows = con.execute("SELECT followup_date, status FROM measure_followup").fetchall()
    finally:
        con.close()
    # 250230 is no date: the entry is kept (its assessment counts) but without a date.
    assert rows and all(d is None or d.year == 2025 and (d.month, d.day) != (2, 30) for d, _ in rows)
    assert ("påbörjad" in {s for _, s in rows})


def _run_cli(db: Path, *files: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "pipelines", "ingest", "--db", str(db), *map(str, files)],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)


def test_cli_refuses_bad_files_with_one_line_each(empty_db):
    names = ["signal_pipe.csv", "garbage.csv", "plan_encrypted.xlsx", "polisen_html_error.json",
             "signal_personnummer.csv", "signal_mismatched_quote.csv"]
    before = digest(empty_db)
    result = _run_cli(empty_db, *(BAD / n for n in names))
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert [line.split(":", 1)[0] for line in lines] == names
    assert not any(number in result.stderr + result.stdout for number in NUMBERS)
    assert digest(empty_db) == before


def test_cli_zip_bomb_is_refused_quickly_with_bounded_memory(empty_db, big_files):
    """The workbook unpacks to 350 MB; the refusal must not unpack it."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # The child reports its own high-water mark (VmHWM) on exit: ru_maxrss from wait4 would
    # include the memory of this (forking) test process before the child's exec.
    wrapper = (
        "import atexit, re, sys, runpy\n"
        "def hwm():\n"
        "    kib = re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1)\n"
        "    sys.stdout.write('HWM ' + kib + '\\n')\n"
        "atexit.register(hwm)\n"
        "sys.argv = ['pipelines'] + sys.argv[1:]\n"
        "runpy.run_module('pipelines', run_name='__main__')\n"
    )
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", wrapper, "ingest", "--db", str(empty_db), str(big_files["plan_zip_bomb.xlsx"])],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=HANG_GUARD_SECONDS * 2)
    elapsed = time.perf_counter() - started
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("plan_zip_bomb.xlsx: ") and "Traceback" not in lines[0]
    assert elapsed < HANG_GUARD_SECONDS  # unpacking the bomb would take many minutes
    peak_kib = int(re.search(r"HWM (\d+)", proc.stdout).group(1))
    assert peak_kib < 350 * 1024  # the interpreter with DuckDB and pandas takes about 200 MB


def test_logs_hold_no_row_content(empty_db, tmp_path, caplog):
    """Loads of person-level files (signals, plans, police events) log no cell content."""
    plan = tmp_path / "plan_logg_Nacka_2025.xlsx"
    plan.write_bytes(corpus._xlsx_bytes(corpus._plan([[*corpus.PLAN_ROWS[0][:6], corpus.FOLLOWUP_SECRET],
                                                      corpus.PLAN_ROWS[1]])))
    signals = tmp_path / "signaler_logg.csv"
    signals.write_bytes(corpus._lines(corpus.SIGNAL_HEADER, "2025-03;LPO-JARVA;15-17;M;polis;rekryteringsförsök;98765",
                                      "2025-03;LPO-JARVA;15-17;K;polis;rekryteringsförsök;-98764"))
    secrets = ["Hemligt-uppföljningsord-Qx7", "98765", "98764", "Flera skott ska ha avlossats", *NUMBERS]
    caplog.set_level(logging.DEBUG)
    reports = ingest(empty_db, [plan, signals, BAD / "polisen_row_problems.json", BAD / "plan_personnummer_followup.xlsx",
                                BAD / "signal_personnummer.csv", BAD / "polisen_personnummer.json"])
    assert [r.status for r in reports] == ["ok", "ok", "ok", "rejected", "rejected", "rejected"]
    assert caplog.records, "inläsningen loggar något (annars prövar testet ingenting)"
    for record in caplog.records:
        text = record.getMessage()
        for secret in secrets:
            assert secret not in text, f"{record.name}: radinnehåll i loggen"
