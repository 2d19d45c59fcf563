"""Removing a wrong load: `python -m pipelines remove LOAD_ID`.

A coordinator who loaded the wrong file (another kommun's signals, a test export, last
year's file under this year's name) takes it out again: what it added goes, in one
transaction with the summary tables, and the same file can be loaded again. A load whose
removal would not bring back what it replaced, or would take rows later files also held,
is refused and the database stays exactly as it was.
"""

from __future__ import annotations

from pathlib import Path

from pipelines.__main__ import main
from pipelines.loading import ingest, remove
from tests.helpers import digest, incident_csv, rows

SIGNAL_HEADER = "month;area_code;age_band;sex;source;signal_type;count\n"


def _signals(path: Path, body: str) -> Path:
    path.write_text(SIGNAL_HEADER + body, encoding="utf-8")
    return path


def _load(db: Path, path: Path) -> int:
    [report] = ingest(db, [path])
    assert report.status == "ok", report.summary()
    return report.load_id


def _incidents(db: Path) -> list[str]:
    return [r[0] for r in rows(db, "SELECT incident_id FROM incident ORDER BY 1")]


def _mart_incidents(db: Path) -> int:
    return rows(db, "SELECT coalesce(sum(incidents), 0) FROM mart_incident_month WHERE level = 'riket'")[0][0]


def _status(db: Path, load_id: int) -> str:
    return rows(db, "SELECT status FROM load_log WHERE load_id = ?", [load_id])[0][0]


def test_a_wrong_incident_file_is_taken_out_and_the_right_one_stays(empty_db, tmp_path):
    right = _load(empty_db, incident_csv(tmp_path / "botkyrka.csv",
                                         "csv:1;2025-03-02 21:10;skottlossning;0127;;;egen\n"
                                         "csv:2;2025-03-09 01:00;explosion;0127;;;egen\n"))
    wrong = _load(empty_db, incident_csv(tmp_path / "test-export.csv",
                                         "test:1;2025-04-02 21:10;skottlossning;0180;;;test\n"
                                         "test:2;2025-05-02 21:10;rån;0180;;;test\n"
                                         "test:3;2025-05-03 21:10;rån;0180;;;test\n"))
    assert _mart_incidents(empty_db) == 5

    report = remove(empty_db, [wrong])

    assert report.ok, report.summary()
    assert "3 rader ur incident" in report.summary()
    assert _incidents(empty_db) == ["csv:1", "csv:2"]
    assert _mart_incidents(empty_db) == 2  # the pages' summary tables follow
    assert (_status(empty_db, right), _status(empty_db, wrong)) == ("ok", "removed")


def test_the_removed_file_can_be_loaded_again(empty_db, tmp_path):
    path = _signals(tmp_path / "signaler.csv", "2025-03;0127;15-17;M;polis;rekryteringsförsök;7\n")
    first = _load(empty_db, path)
    assert remove(empty_db, [first]).ok
    assert rows(empty_db, "SELECT count(*) FROM recruitment_signal")[0][0] == 0

    [again] = ingest(empty_db, [path])

    assert again.status == "ok", again.summary()  # not "redan inläst"
    assert rows(empty_db, "SELECT count FROM recruitment_signal")[0][0] == 7


def test_removing_signals_takes_them_out_of_what_the_pages_read(empty_db, tmp_path):
    keep = _load(empty_db, _signals(tmp_path / "botkyrka.csv", "2025-03;0127;15-17;M;polis;rekryteringsförsök;40\n"))
    wrong = _load(empty_db, _signals(tmp_path / "fel-kommun.csv",
                                     "2025-03;0180;15-17;M;polis;rekryteringsförsök;30\n"))
    assert rows(empty_db, "SELECT sum(count) FROM mart_signal")[0][0] == 70

    assert remove(empty_db, [wrong]).ok

    assert rows(empty_db, "SELECT kommun_code, sum(count) FROM mart_signal GROUP BY 1") == [("0127", 40)]
    assert _status(empty_db, keep) == "ok"


def test_a_refused_removal_leaves_the_database_file_as_it_was(empty_db, tmp_path):
    load_id = _load(empty_db, _signals(tmp_path / "s.csv", "2025-03;0127;15-17;M;polis;rekryteringsförsök;7\n"))
    before = digest(empty_db)

    missing = remove(empty_db, [load_id, 99])

    assert not missing.ok
    assert missing.summary() == "Inläsning 99 finns inte (se python -m pipelines status eller sidan Data)."
    assert digest(empty_db) == before  # load 1 was not removed either: all or nothing
    assert remove(empty_db, [load_id]).ok
    twice = remove(empty_db, [load_id])
    assert not twice.ok and "redan borttagen" in twice.summary()


def test_a_load_that_replaced_stored_counts_is_refused_and_the_earlier_one_can_go(empty_db, tmp_path):
    first = _load(empty_db, _signals(tmp_path / "mars.csv", "2025-03;0127;15-17;M;polis;rekryteringsförsök;7\n"
                                                             "2025-03;0127;12-14;M;polis;rekryteringsförsök;5\n"))
    # Another file with one of the same signals: its count replaced the stored one.
    second = _load(empty_db, _signals(tmp_path / "mars-rattad.csv",
                                      "2025-03;0127;15-17;M;polis;rekryteringsförsök;9\n"))
    before = digest(empty_db)

    refused = remove(empty_db, [second])

    assert not refused.ok
    assert "1 lagrade värden i recruitment_signal med samma nyckel" in refused.summary()
    assert "Läs in den rätta filen i stället" in refused.summary()
    assert digest(empty_db) == before
    # The first load's own remaining row goes; the count the second load replaced stays its.
    assert remove(empty_db, [first]).ok
    assert rows(empty_db, "SELECT age_band, count FROM recruitment_signal") == [("15-17", 9)]


def test_a_corrected_version_of_a_file_cannot_be_removed_to_get_the_first_back(empty_db, tmp_path):
    path = _signals(tmp_path / "signaler.csv", "2025-03;0127;15-17;M;polis;rekryteringsförsök;7\n")
    _load(empty_db, path)
    _signals(path, "2025-03;0127;15-17;M;polis;rekryteringsförsök;8\n")
    corrected = _load(empty_db, path)

    refused = remove(empty_db, [corrected])

    assert not refused.ok and "Ersätter den tidigare versionen av signaler.csv" in refused.summary()


def test_an_incident_load_whose_rows_a_later_file_also_held_goes_only_with_it(empty_db, tmp_path):
    first = _load(empty_db, incident_csv(tmp_path / "vecka1.csv",
                                         "csv:1;2025-03-02 21:10;skottlossning;0127;;;egen\n"
                                         "csv:2;2025-03-03 21:10;skottlossning;0127;;;egen\n"))
    # An overlapping export: csv:2 is stored under the first load only.
    later = _load(empty_db, incident_csv(tmp_path / "vecka1-2.csv",
                                         "csv:2;2025-03-03 21:10;skottlossning;0127;;;egen\n"
                                         "csv:3;2025-03-10 21:10;rån;0127;;;egen\n"))
    unrelated = _load(empty_db, incident_csv(tmp_path / "annat.csv", "x:1;2025-03-10 21:10;rån;0180;;;annan\n"))
    before = digest(empty_db)

    alone = remove(empty_db, [first])

    assert not alone.ok
    assert f"{later} (vecka1-2.csv)" in alone.summary()
    assert f"python -m pipelines remove {first} {later})" in alone.summary()
    assert digest(empty_db) == before
    # The later file's own row can go on its own: csv:2 stays with the first.
    assert remove(empty_db, [first, later]).ok
    assert _incidents(empty_db) == ["x:1"]
    assert _status(empty_db, unrelated) == "ok"


def test_the_command_line_says_what_was_removed_and_refuses_with_exit_code_2(empty_db, tmp_path, capsys):
    load_id = _load(empty_db, _signals(tmp_path / "s.csv", "2025-03;0127;15-17;M;polis;rekryteringsförsök;7\n"))

    assert main(["remove", "--db", str(empty_db), "77"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Inget togs bort.\nInläsning 77 finns inte")

    assert main(["remove", "--db", str(empty_db), str(load_id)]) == 0
    out = capsys.readouterr().out
    assert f"Borttagen: inläsning {load_id} (s.csv); 1 rader ur recruitment_signal." in out
    assert "Samma fil kan läsas in igen." in out


def test_the_data_page_shows_the_removed_load_in_words(empty_db, tmp_path, monkeypatch, fast_apptest):
    from streamlit.testing.v1 import AppTest

    kept = _load(empty_db, _signals(tmp_path / "ratt.csv", "2025-03;0127;15-17;M;polis;rekryteringsförsök;7\n"))
    wrong = _load(empty_db, _signals(tmp_path / "fel.csv", "2025-03;0180;15-17;M;polis;rekryteringsförsök;7\n"))
    assert remove(empty_db, [wrong]).ok
    monkeypatch.setenv("LAGESBILD_DB", str(empty_db))
    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "dashboard" / "pages" / "data.py"),
                           default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]

    log = next(d.shown for d in at.dataframe if "Meddelande" in d.shown.columns)
    status = {int(n): s for n, s in zip(log["Inläsning"].tolist(), log["Status"].tolist(), strict=True)}
    assert (status[kept], status[wrong]) == ("inläst", "borttagen")
    assert "Borttagen " in log.loc[log["Inläsning"].astype(int) == wrong, "Meddelande"].iloc[0]
    assert any("python -m pipelines remove" in c.value for c in at.caption)


MEASURES = "organisation;kommun_code;year;lpo_codes;prioritised_area;title;status\n"


def test_a_plan_loaded_again_from_another_file_cannot_be_removed_to_get_the_first_back(empty_db, tmp_path):
    first = tmp_path / "tyreso-2025.csv"
    first.write_text(MEASURES + "Tyresö kommun;0138;2025;LPO-NACKA;Unga i riskzon;Meningsfull fritid;påbörjad\n"
                                "Tyresö kommun;0138;2025;LPO-NACKA;Unga i riskzon;Föräldrastöd;påbörjad\n",
                     encoding="utf-8")
    second = tmp_path / "tyreso-2025-uppfoljning.csv"
    second.write_text(MEASURES + "Tyresö kommun;0138;2025;LPO-NACKA;Unga i riskzon;Meningsfull fritid;uppnådd\n",
                      encoding="utf-8")
    _load(empty_db, first)
    replacing = _load(empty_db, second)

    refused = remove(empty_db, [replacing])

    assert not refused.ok
    assert "planen för Tyresö kommun 2025" in refused.summary()
    assert rows(empty_db, "SELECT title, status FROM measure") == [("Meningsfull fritid", "uppnådd")]


def test_a_load_from_before_loads_recorded_replacements_is_judged_by_its_report(empty_db, tmp_path):
    import duckdb

    _load(empty_db, _signals(tmp_path / "a.csv", "2025-03;0127;15-17;M;polis;rekryteringsförsök;7\n"))
    replacing = _load(empty_db, _signals(tmp_path / "b.csv", "2025-03;0127;15-17;M;polis;rekryteringsförsök;8\n"))
    # A warehouse loaded by an earlier version: no record of what its loads replaced.
    con = duckdb.connect(str(empty_db))
    con.execute("DELETE FROM load_replaced")
    con.execute("DELETE FROM dataset_info WHERE key = 'replacements_recorded_from'")
    con.close()

    refused = remove(empty_db, [replacing])

    assert not refused.ok and "1 rader ersatte lagrade värden med samma nyckel." in refused.summary()


def test_status_lists_the_removed_load_as_removed(empty_db, tmp_path, capsys):
    load_id = _load(empty_db, _signals(tmp_path / "fel.csv", "2025-03;0180;15-17;M;polis;rekryteringsförsök;7\n"))
    assert main(["status", "--db", str(empty_db)]) == 0
    assert "fel.csv (signal-csv): 1 inlästa, 0 avvisade, inläst" in capsys.readouterr().out
    assert remove(empty_db, [load_id]).ok

    assert main(["status", "--db", str(empty_db)]) == 0
    assert "fel.csv (signal-csv): 1 inlästa, 0 avvisade, borttagen" in capsys.readouterr().out


def test_before_loads_recorded_shared_rows_a_later_report_of_rows_already_there_counts(empty_db, tmp_path):
    import duckdb

    first = _load(empty_db, incident_csv(tmp_path / "a.csv", "csv:1;2025-03-02 21:10;skottlossning;0127;;;egen\n"))
    overlapping = _load(empty_db, incident_csv(tmp_path / "b.csv",
                                               "csv:1;2025-03-02 21:10;skottlossning;0127;;;egen\n"
                                               "csv:2;2025-03-04 21:10;rån;0127;;;egen\n"))
    _load(empty_db, incident_csv(tmp_path / "c.csv", "csv:3;2025-03-05 21:10;rån;0127;;;egen\n"))
    _load(empty_db, _signals(tmp_path / "s.csv", "2025-03;0127;15-17;M;polis;rekryteringsförsök;7\n"))
    con = duckdb.connect(str(empty_db))  # as a warehouse loaded by an earlier version
    con.execute("DELETE FROM load_shared")
    con.execute("DELETE FROM dataset_info WHERE key = 'replacements_recorded_from'")
    con.close()

    refused = remove(empty_db, [first])

    assert not refused.ok
    assert refused.summary().startswith(f"Inläsning {first} (a.csv) har rader som också fanns i senare inläsningar: "
                                        f"{overlapping} (b.csv). ")


def test_a_refusal_is_told_at_once_while_a_load_holds_the_warehouse(empty_db, tmp_path):
    # Checked on the published file before any copy or lock: a refusal neither waits for a
    # long load nor copies a national warehouse to find out.
    import threading

    from pipelines import warehouse

    answers = []
    with warehouse.exclusive(warehouse._lock_path(empty_db)):  # as a load running meanwhile holds it
        worker = threading.Thread(target=lambda: answers.append(remove(empty_db, [42])), daemon=True)
        worker.start()
        worker.join(timeout=20)
        assert answers, "the refusal waited for the writer's lock"
    assert not answers[0].ok and answers[0].summary().startswith("Inläsning 42 finns inte")
