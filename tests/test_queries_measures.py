"""The measure marts and dashboard/queries/measures.py on a small hand-built warehouse.

Three plans: Farsta stadsdelsförvaltning (Stockholm, LPO Farsta, 2025), Rinkeby-Kista
(Stockholm, LPO Järva, 2025) and Huddinge kommun (no LPO named, 2024). Their follow-up
histories are written so that each rule of the round status can be checked by hand.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd
import pytest

from dashboard.filters import Selection
from dashboard.queries import measures as mq
from pipelines import marts, warehouse

FARSTA, JARVA, HUDDINGE = "p-farsta-2025", "p-rinkeby-2025", "p-huddinge-2024"
PLANS = [
    (FARSTA, "Farsta stadsdelsförvaltning", "0180", ["LPO-FARSTA"], 2025),
    (JARVA, "Rinkeby-Kista stadsdelsförvaltning", "0180", ["LPO-JARVA"], 2025),
    (HUDDINGE, "Huddinge kommun", "0126", None, 2024),
]
# measure_id, plan, area, title, description, responsible, line work, current status
MEASURES = [
    ("f1", FARSTA, "Unga i riskzon för destruktivt beteende", "Läxhjälp", "Läxhjälp på fritidsgården (Farsta)",
     "Fritidsgården", False, "uppnådd"),
    ("f2", FARSTA, "Unga i riskzon för destruktivt beteende", "Fältgrupp", "Fältgruppen kvällstid",
     "Fältgruppen", False, "påbörjad"),
    ("f3", FARSTA, "Otrygga och brottsutsatta platser", "Trygghetsvandring", "Vandring med boende",
     "Trygghetssamordnare", False, "ej bedömd"),
    ("f4", FARSTA, "Otrygga och brottsutsatta platser", "Linjearbete", "Linjearbete [i linjen]",
     "Enhetschef", True, "delvis uppnådd"),
    ("j1", JARVA, "Unga i riskzon för destruktivt beteende", "Läxhjälp", "Läxhjälp i Rinkeby",
     "Skolan", False, "ej uppnådd"),
    ("j2", JARVA, "Systemhotande brottslighet", "Bedrägeriinformation", "Till äldre", "Polisen", False,
     "uppnådd"),
    ("h1", HUDDINGE, "Kriminella miljöer och livsstilar", "Kameraövervakning", "Kameror vid centrum",
     "Fältgruppen", False, "påbörjad"),
]
# measure_id, date, round, status — written in this order (the order breaks ties).
FOLLOWUPS = [
    ("f1", date(2025, 4, 10), "T1", "påbörjad"),
    ("f1", date(2025, 9, 5), "T2", "ej bedömd"),       # no assessment: T2 carries påbörjad
    ("f1", None, "VB", "uppnådd"),
    ("f2", date(2025, 4, 10), "T1", "påbörjad"),
    ("f2", date(2025, 9, 5), "T2", "påbörjad"),
    ("f2", None, "VB", "ej bedömd"),                   # VB carries påbörjad: stuck three rounds
    ("f3", date(2025, 4, 10), "T1", "ej bedömd"),      # never assessed: ej bedömd throughout
    ("f3", date(2025, 9, 5), "T2", "ej bedömd"),
    # f4 has no T1 entry at all: ej bedömd at T1 (the plan has a T1 round).
    ("f4", date(2025, 9, 5), "T2", "påbörjad"),
    ("f4", date(2025, 9, 20), "T2", "delvis uppnådd"),  # the later entry in the round wins
    ("f4", None, "VB", "delvis uppnådd"),
    ("j1", date(2025, 4, 2), "T1", "ej uppnådd"),
    ("j1", date(2025, 8, 30), "T2", "ej uppnådd"),
    ("j2", date(2025, 4, 2), "T1", "påbörjad"),
    ("j2", date(2025, 8, 30), "T2", "uppnådd"),
    ("h1", date(2024, 4, 2), "T1", "påbörjad"),
    ("h1", date(2024, 9, 1), "T2", "påbörjad"),
    ("h1", date(2024, 12, 1), "T3", "påbörjad"),
]
ANALYSIS = [
    # plan, area, problems, causes, measures, sheet_problems, sheet_causes, sheet_measures
    (FARSTA, "Unga i riskzon för destruktivt beteende", 1, 2, 2, 1, 2, 2),
    (FARSTA, "Otrygga och brottsutsatta platser", 1, 2, 2, 1, 3, 2),   # causes differ
    (JARVA, "Unga i riskzon för destruktivt beteende", 1, 1, 1, None, None, None),
]


@pytest.fixture(scope="module")
def plan_db(reference_db_template, tmp_path_factory):
    """A reference warehouse with the plans above, marts built."""
    import shutil

    db = tmp_path_factory.mktemp("measures") / "plans.duckdb"
    shutil.copyfile(reference_db_template, db)
    with warehouse.write_session(db) as con:
        for plan_id, org, kommun, lpos, year in PLANS:
            con.execute("INSERT INTO plan (plan_id, organisation, kommun_code, lpo_codes, year, source_file, "
                        "metadata_from, load_id) VALUES (?, ?, ?, ?, ?, 'test.xlsx', 'test', 1)",
                        [plan_id, org, kommun, lpos, year])
        for mid, plan_id, area, title, desc, who, line, status in MEASURES:
            con.execute("""INSERT INTO measure (measure_id, plan_id, prioritised_area, title, description,
                                                responsible, is_line_work, status, load_id)
                           VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)""", [mid, plan_id, area, title, desc, who, line, status])
        for mid, day, rnd, status in FOLLOWUPS:
            con.execute("INSERT INTO measure_followup VALUES (?, ?, ?, ?, ?)",
                        [mid, day, rnd, f"{rnd}: text om {mid}", status])
        for row in ANALYSIS:
            con.execute("INSERT INTO plan_analysis VALUES (?, ?, ?, ?, ?, ?, ?, ?)", list(row))
        marts.refresh(con)
    return db


@pytest.fixture
def use_db(plan_db, monkeypatch):
    monkeypatch.setenv("LAGESBILD_DB", str(plan_db))
    return plan_db


def sel(level: str, code: str, first: int = 2024, last: int = 2025) -> Selection:
    return Selection(level, code, date(first, 1, 1), date(last, 12, 1))


def sql(db, query: str, params=None) -> pd.DataFrame:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(query, params or []).df()
    finally:
        con.close()


# --- which plans a selection holds -------------------------------------------------------------

@pytest.mark.parametrize(("level", "code", "expected"), [
    ("riket", "SE", {FARSTA, JARVA, HUDDINGE}),
    ("lan", "01", {FARSTA, JARVA, HUDDINGE}),
    ("kommun", "0180", {FARSTA, JARVA}),
    ("lpo", "LPO-FARSTA", {FARSTA}),                   # not Rinkeby-Kista, though both are in Stockholm
    ("lpo", "LPO-HUDDINGE", {HUDDINGE}),               # a plan without LPOs: the LPOs covering its kommun
    ("polisomrade", "PO-STOCKHOLM-SYD", {FARSTA, HUDDINGE}),
    ("polisomrade", "PO-STOCKHOLM-NORD", {JARVA}),
    ("kommun", "1280", set()),
])
def test_plans_in_area(use_db, level, code, expected):
    assert set(mq.register(sel(level, code))["plan_id"]) == expected


def test_plan_year_must_fall_in_the_period(use_db):
    assert set(mq.register(sel("lan", "01", 2025, 2025))["plan_id"]) == {FARSTA, JARVA}
    assert set(mq.register(sel("lan", "01", 2024, 2024))["plan_id"]) == {HUDDINGE}


# --- status -------------------------------------------------------------------------------------

def test_status_counts_all_five_statuses_and_agree_with_sql(use_db):
    counts = mq.status_counts(sel("kommun", "0180"), "prioritised_area")
    # every category has all five statuses, zeros included, in the fixed order
    for _, part in counts.groupby("category"):
        assert part["status"].tolist() == list(mq.STATUSES)
    expected = sql(use_db, """SELECT m.prioritised_area AS category, m.status, count(*) AS n
                              FROM measure m JOIN plan p USING (plan_id)
                              WHERE p.kommun_code = '0180' GROUP BY ALL""")
    got = counts[counts["n"] > 0][["category", "status", "n"]]
    merged = got.merge(expected, on=["category", "status"], how="outer", suffixes=("", "_sql"))
    assert (merged["n"] == merged["n_sql"]).all()
    young = counts[counts["category"] == "Unga i riskzon för destruktivt beteende"].set_index("status")
    assert young.at["uppnådd", "n"] == 1 and young.at["ej uppnådd", "n"] == 1 and young.at["påbörjad", "n"] == 1
    assert young.at["ej bedömd", "n"] == 0
    assert young.at["uppnådd", "share"] == pytest.approx(1 / 3)


def test_ej_bedomd_is_not_ej_uppnadd(use_db):
    totals = mq.status_totals(mq.status_counts(sel("lpo", "LPO-FARSTA")))
    by = dict(zip(totals["status"], totals["n"], strict=True))
    assert by["ej bedömd"] == 1 and by["ej uppnådd"] == 0


def test_status_by_organisation_wide_table(use_db):
    table = mq.status_table(mq.status_counts(sel("kommun", "0180"), "organisation")).set_index("category")
    assert table.at["Farsta stadsdelsförvaltning", "total"] == 4
    assert table.at["Rinkeby-Kista stadsdelsförvaltning", "n_ej uppnådd"] == 1
    assert table.at["Rinkeby-Kista stadsdelsförvaltning", "share_uppnådd"] == pytest.approx(0.5)


# --- rounds -------------------------------------------------------------------------------------

def round_status(db, measure_id: str) -> dict[str, str]:
    df = sql(db, "SELECT round, status FROM mart_measure_round WHERE measure_id = ? ORDER BY round_no", [measure_id])
    return dict(zip(df["round"], df["status"], strict=True))


def test_status_is_carried_between_rounds(plan_db):
    assert round_status(plan_db, "f1") == {"T1": "påbörjad", "T2": "påbörjad", "VB": "uppnådd"}
    assert round_status(plan_db, "f2") == {"T1": "påbörjad", "T2": "påbörjad", "VB": "påbörjad"}
    assert round_status(plan_db, "f3") == {"T1": "ej bedömd", "T2": "ej bedömd", "VB": "ej bedömd"}
    assert round_status(plan_db, "f4") == {"T1": "ej bedömd", "T2": "delvis uppnådd", "VB": "delvis uppnådd"}
    # Rinkeby-Kista's plan has only T1 and T2: no VB row is invented.
    assert round_status(plan_db, "j2") == {"T1": "påbörjad", "T2": "uppnådd"}


def test_last_round_agrees_with_current_status(plan_db):
    df = sql(plan_db, """SELECT r.measure_id, arg_max(r.status, r.round_no) AS last, any_value(m.status) AS current
                         FROM mart_measure_round r JOIN measure m USING (measure_id) GROUP BY 1""")
    assert (df["last"] == df["current"]).all()


def test_flow_counts_transitions(use_db):
    flow = mq.flow(sel("lpo", "LPO-FARSTA"))
    got = {(r.from_round, r.to_round, r.from_status, r.to_status): r.n for r in flow.itertuples()}
    # No plan has both T3 and VB, so the last step is drawn as one column T3/VB.
    assert got == {
        ("T1", "T2", "påbörjad", "påbörjad"): 2,
        ("T1", "T2", "ej bedömd", "ej bedömd"): 1,
        ("T1", "T2", "ej bedömd", "delvis uppnådd"): 1,
        ("T2", "T3/VB", "påbörjad", "uppnådd"): 1,
        ("T2", "T3/VB", "påbörjad", "påbörjad"): 1,
        ("T2", "T3/VB", "ej bedömd", "ej bedömd"): 1,
        ("T2", "T3/VB", "delvis uppnådd", "delvis uppnådd"): 1,
    }
    assert mq.flow_rounds(flow) == ("T1", "T2", "T3/VB")


def test_t3_and_vb_stay_apart_when_a_plan_has_both():
    df = pd.DataFrame({"from_round": ["T2", "T3"], "to_round": ["T3", "VB"], "from_status": ["påbörjad"] * 2,
                       "to_status": ["påbörjad"] * 2, "n": [3, 3]})
    assert mq.merge_last_rounds(df).equals(df)
    assert mq.flow_rounds(df) == ("T2", "T3", "VB")


def test_round_status_shares(use_db):
    rs = mq.round_status(sel("kommun", "0180")).set_index(["round", "status"])
    assert rs.at[("T1", "påbörjad"), "n"] == 3   # f1, f2, j2
    assert rs.at[("T2", "uppnådd"), "n"] == 1    # j2
    assert rs.loc["VB", "n"].sum() == 4           # only Farsta's plan has a VB
    assert rs.at[("VB", "uppnådd"), "share"] == pytest.approx(0.25)


def test_stuck_measures(use_db):
    stuck = mq.stuck(sel("riket", "SE")).set_index("measure_id")
    # f2: påbörjad T1, T2, VB; f3: never assessed; j1: ej uppnådd twice; h1: påbörjad thrice.
    # f1 and j2 moved on; f4 is delvis uppnådd at T2 and VB (two rounds).
    assert set(stuck.index) == {"f2", "f3", "f4", "j1", "h1"}
    assert stuck.at["f2", "rounds_in_status"] == 3 and stuck.at["f2", "since_round"] == "T1"
    assert stuck.at["f4", "rounds_in_status"] == 2 and stuck.at["f4", "since_round"] == "T2"
    assert stuck.at["h1", "last_round"] == "T3"
    assert bool(stuck.at["f4", "is_line_work"]) is True


def test_stuck_measures_without_line_work(use_db):
    every = mq.stuck(sel("riket", "SE"))
    without = mq.stuck(sel("riket", "SE"), line_work=False)
    assert "f4" not in set(without["measure_id"])  # f4 is line work
    pd.testing.assert_frame_equal(without, every[~every["is_line_work"]].reset_index(drop=True))


# --- analysis sheet -----------------------------------------------------------------------------

def test_analysis_differences_are_flagged(use_db):
    df = mq.analysis(sel("kommun", "0180"))
    assert bool(df["has_difference"].iat[0])  # differences first
    diff = df[df["has_difference"]]
    assert len(diff) == 1
    assert diff["prioritised_area"].iat[0] == "Otrygga och brottsutsatta platser"
    assert diff["causes_diff"].iat[0] == -1
    by_area = mq.analysis_by_area(df).set_index("prioritised_area")
    # Rinkeby's sheet gives no counts: the area's sheet sum is unknown, not a smaller number.
    assert pd.isna(by_area.at["Unga i riskzon för destruktivt beteende", "sheet_measures"])
    assert by_area.at["Unga i riskzon för destruktivt beteende", "measures"] == 3
    assert by_area.at["Otrygga och brottsutsatta platser", "plans_differing"] == 1


# --- register and history -------------------------------------------------------------------------

def test_search_is_literal_and_matches_every_word(use_db):
    reg = mq.register(sel("riket", "SE"))
    assert set(mq.search_register(reg, "läxhjälp")["measure_id"]) == {"f1", "j1"}
    assert set(mq.search_register(reg, "LÄXHJÄLP rinkeby")["measure_id"]) == {"j1"}
    assert set(mq.search_register(reg, "fältgruppen")["measure_id"]) == {"f2", "h1"}  # responsible too
    assert set(mq.search_register(reg, "[i linjen]")["measure_id"]) == {"f4"}         # not a pattern
    assert set(mq.search_register(reg, "(farsta)")["measure_id"]) == {"f1"}
    assert mq.search_register(reg, ".*").empty
    assert set(mq.search_register(reg, statuses=["påbörjad"], organisations=["Huddinge kommun"])["measure_id"]) \
        == {"h1"}
    assert len(mq.search_register(reg, "")) == len(reg)


def test_history_in_order_with_round_status(use_db):
    hist = mq.history("f4")
    assert hist["round"].tolist() == ["T2", "T2", "VB"]
    assert hist["assessed"].tolist() == ["påbörjad", "delvis uppnådd", "delvis uppnådd"]
    assert hist["round_status"].tolist() == ["delvis uppnådd"] * 3
    hist = mq.history("f1")
    assert hist["round"].tolist() == ["T1", "T2", "VB"]
    assert pd.isna(hist["followup_date"].iat[2])
    assert hist["round_status"].tolist() == ["påbörjad", "påbörjad", "uppnådd"]
