"""What the warehouse holds, for the Data page: sources, loads, rejected rows, tables.

Reads the small bookkeeping tables (``load_log``, ``rejected_row``, ``dataset_info``),
the marts' per-source summary and the catalogue; never the incident fact table.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.queries import db_key, run

# Swedish one-line descriptions of the tables (the column reference is docs/tables.md).
TABLE_DESCRIPTIONS = {
    "area": "Alla områden på alla nivåer med namn och överordnat område.",
    "lpo_kommun": "Vilka kommuner (eller delar av kommuner) varje lokalpolisområde täcker, med befolkningsandel.",
    "area_geometry": "Förenklade gränser (GeoJSON, WGS 84) per område; ungefärliga gränser är markerade.",
    "population": "Befolkning per kommun, år, åldersgrupp och kön (31 december).",
    "incident": "Anonymiserade händelser: tid, typ, kommun/län, LPO och högst en 1 km-ruta.",
    "incident_version": "När den lagrade versionen av en polishändelse publicerades (polisen uppdaterar "
                        "notiser; en äldre version ersätter aldrig en nyare).",
    "recruitment_signal": "Rekryteringssignaler per månad, område, åldersgrupp, kön, källa och signaltyp "
                          "(aggregerade antal, alltid röjandeskyddade i instrumentpanelen).",
    "plan": "Åtgärdsplaner: organisation, kommun, lokalpolisområden och år.",
    "measure": "Åtgärder i planerna med prioriterat område, problem, orsak och aktuell status.",
    "measure_followup": "Uppföljningar av åtgärderna (T1, T2, T3, VB) med bedömd status.",
    "plan_analysis": "Antal problem, orsaker och åtgärder per prioriterat område (räknat och enligt analysbladet).",
    "kolada_value": "Nyckeltal från Kolada per kommun och år.",
    "bra_statistic": "Anmälda brott från Brå per område, brottskategori och år.",
    "load_log": "Varje inläsning: fil, kontrollsumma, format, tid, inlästa och avvisade rader.",
    "rejected_row": "Avvisade rader per inläsning: rad, kolumn och orsak (aldrig radens innehåll).",
    "load_replaced": "Vad en inläsning ersatte (en tidigare version av filen, en plan, lagrade värden); "
                     "en sådan inläsning kan inte tas bort.",
    "load_shared": "Rader en inläsning erbjöd som en tidigare inläsning redan hade lagrat (ligger under den tidigare).",
    "dataset_info": "Uppgifter om databasen, t.ex. om den innehåller demodata.",
    "mart_area_link": "Sammanställning: vilka områden som ligger i (eller överlappar) vilka.",
    "mart_incident_month": "Sammanställning: händelser per område, nivå, månad och typ.",
    "mart_incident_unplaced": "Sammanställning: händelser som en nivå inte kan placera (endast län, ej fördelade).",
    "mart_incident_grid": "Sammanställning: händelser per 1 km-ruta, månad och typ.",
    "mart_incident_source": "Sammanställning: händelser per källa med första och sista dag.",
    "mart_population": "Sammanställning: befolkning och unga 12–17 år per område och år.",
    "mart_signal": "Sammanställning: rekryteringssignaler med alla områdesnivåer (läses bara via röjandeskyddet).",
    "mart_comparison_statistic": "Sammanställning: officiell statistik (Kolada, Brå) per mått, område och år "
                                 "för den regionala jämförelsen.",
    "mart_measure": "Sammanställning: åtgärdsregistret, en rad per åtgärd med planens organisation, kommun och år, "
                    "aktuell status, när den bedömdes (uppföljningens datum eller VB) och uppföljningarna i korthet.",
    "mart_measure_analysis": "Sammanställning: analysbladets kontroll per plan och prioriterat område "
                             "(inlästa antal bredvid bladets).",
    "mart_measure_area": "Sammanställning: vilka områden på varje nivå varje åtgärdsplan ligger i.",
    "mart_measure_completion": "Sammanställning: åtgärder per status, område och planår.",
    "mart_measure_round": "Sammanställning: varje åtgärds status vid varje uppföljning (T1, T2, T3, VB).",
    "mart_status": "Sammanställning: vad databasen innehåller (perioder, källor, händelsetyper, planer) i en rad, "
                   "för sidornas statusrad och periodval.",
    "mart_signal_layer": "Röjandeskyddade rekryteringssignaler, ett lager per kalenderår och uppdelning: hur "
                         "varje lager (hierarki, år, uppdelning) skyddades. Varje period sidorna visar "
                         "summeras ur dem.",
    "mart_signal_layer_cell": "Röjandeskyddade rekryteringssignaler per kalenderår: de värden sidorna får visa "
                              "(dolda värden saknas, aldrig deras antal).",
    "mart_signal_shown": "Varje värde ett uttag av rekryteringssignalerna har visat (polisens områden), så att ett "
                         "senare uttag kan jämföras med alla tidigare: ett värde som ändrats med 1–4 sedan något "
                         "av dem döljs.",
    "built_mart": "Vilken version av varje sammanställning som byggdes och när (kontrollsumma av dess SQL).",
}


@st.cache_data(max_entries=4, show_spinner=False)
def _tables(key: tuple[str, str]) -> pd.DataFrame:
    cols = run("""SELECT table_name, column_name, data_type, ordinal_position
                  FROM information_schema.columns WHERE table_catalog = 'warehouse'
                  ORDER BY table_name, ordinal_position""", key=key)
    counts = run("""SELECT table_name, estimated_size AS rows FROM duckdb_tables()
                    WHERE database_name = 'warehouse'""", key=key)
    return cols.merge(counts, on="table_name", how="left")


def tables() -> pd.DataFrame:
    """Every column of every table: table_name, column_name, data_type, rows (estimated)."""
    return _tables(db_key())


@st.cache_data(max_entries=4, show_spinner=False)
def _sources(key: tuple[str, str]) -> pd.DataFrame:
    existing = set(run("SELECT table_name FROM information_schema.tables WHERE table_catalog = 'warehouse'",
                       key=key)["table_name"])
    # One statement for all kinds of data (each query of its own cost 3-5 ms, on the Data
    # page's first view): a part per table that exists, in the order the page lists them.
    parts = {
        "mart_incident_source": """SELECT 'Händelser', source, n, first::VARCHAR, last::VARCHAR
                                   FROM mart_incident_source""",
        "population": """SELECT 'Befolkning', string_agg(DISTINCT source, ', '), count(*),
                                min(year)::VARCHAR, max(year)::VARCHAR FROM population""",
        "recruitment_signal": """SELECT 'Rekryteringssignaler', string_agg(DISTINCT source, ', '), count(*),
                                        strftime(min(month), '%Y-%m'), strftime(max(month), '%Y-%m')
                                 FROM recruitment_signal""",
        "plan": """SELECT 'Åtgärdsplaner', string_agg(DISTINCT source_file, ', ')[:120], count(*),
                          min(year)::VARCHAR, max(year)::VARCHAR FROM plan""",
        "measure_followup": """SELECT 'Åtgärdsuppföljningar', string_agg(DISTINCT round, ', ' ORDER BY round),
                                      count(*), min(followup_date)::VARCHAR, max(followup_date)::VARCHAR
                               FROM measure_followup""",
        "kolada_value": """SELECT 'Kolada', string_agg(DISTINCT source, ', '), count(*), min(year)::VARCHAR,
                                  max(year)::VARCHAR FROM kolada_value""",
        "bra_statistic": """SELECT 'Brå', string_agg(DISTINCT source, ', '), count(*), min(year)::VARCHAR,
                                   max(year)::VARCHAR FROM bra_statistic""",
        "area_geometry": """SELECT 'Gränser', string_agg(DISTINCT source, ', '), count(*), NULL, NULL
                            FROM area_geometry""",
    }
    present = [(i, sql) for i, (table, sql) in enumerate(parts.items()) if table in existing]
    if not present:
        return pd.DataFrame(columns=["data", "källa", "rader", "från", "till"])
    union = "\nUNION ALL\n".join(
        f"SELECT {i} AS part, * FROM ({sql}) AS t(data, källa, rader, från, till)" for i, sql in present)
    out = run(f"SELECT data, källa, rader, från, till FROM ({union}) ORDER BY part, källa", key=key)
    return out[out["rader"].fillna(0) > 0].reset_index(drop=True)


def sources() -> pd.DataFrame:
    """One row per kind of data: data, källa, rader, från, till."""
    return _sources(db_key())


@st.cache_data(max_entries=4, show_spinner=False)
def _loads(key: tuple[str, str]) -> pd.DataFrame:
    return run("""SELECT load_id, source_file, source_format, loaded_at, rows_accepted, rows_rejected, status,
                         message
                  FROM load_log ORDER BY load_id DESC""", key=key)


def loads() -> pd.DataFrame:
    """The load history, newest first."""
    return _loads(db_key())


@st.cache_data(max_entries=64, show_spinner=False)
def _rejected(key: tuple[str, str], load_id: int) -> pd.DataFrame:
    return run("""SELECT row_number, "column", reason FROM rejected_row
                  WHERE load_id = $load_id ORDER BY row_number NULLS LAST, "column" """,
               {"load_id": load_id}, key=key)


def rejected(load_id: int) -> pd.DataFrame:
    """Rejected rows of one load: row_number, column, reason (never the row's content)."""
    return _rejected(db_key(), int(load_id))


@st.cache_data(max_entries=4, show_spinner=False)
def _rejected_summary(key: tuple[str, str]) -> pd.DataFrame:
    return run("""SELECT r.load_id, l.source_file, r.reason, count(*) AS rows
                  FROM rejected_row AS r LEFT JOIN load_log AS l USING (load_id)
                  GROUP BY ALL ORDER BY r.load_id DESC, rows DESC""", key=key)


def rejected_summary() -> pd.DataFrame:
    """Rejected rows per load and reason: load_id, source_file, reason, rows."""
    return _rejected_summary(db_key())


# Every indicator the dashboard shows: (indikator, definition, källa, enhet).
INDICATORS = (
    ("Skjutningar", "Händelser av typen skottlossning under perioden.", "incident → mart_incident_month",
     "antal"),
    ("Explosioner", "Händelser av typen explosion (även detonationer) under perioden.",
     "incident → mart_incident_month", "antal"),
    ("Våld", "Händelser av typerna mord/dråp, våldsbrott, rån och hot under perioden.",
     "incident → mart_incident_month", "antal"),
    ("Antal händelser", "Händelser av de valda typerna (alla typer om inga är valda), räknade på "
     "händelsetidpunkten (svensk tid) och per kalendermånad.", "incident → mart_incident_month", "antal"),
    ("Händelser per 100 000 invånare", "Antal händelser / befolkningen i området × 100 000. Befolkningen "
     "är den 31 december under periodens sista år (eller närmast tillgängliga år).",
     "mart_incident_month, mart_population", "per 100 000 invånare"),
    ("Händelser per 1 000 unga 12–17 år", "Antal händelser / antal invånare 12–17 år × 1 000.",
     "mart_incident_month, mart_population", "per 1 000 unga"),
    ("Förändring mot ett år tidigare", "Förändringen i antal: (antal under perioden − antal under samma "
     "månader ett år tidigare) / antal ett år tidigare × 100. Saknas när året före hade noll händelser eller "
     "inte finns i data.",
     "mart_incident_month", "procent"),
    ("Förändring per invånare mot ett år tidigare", "Regional jämförelse: (värdet under perioden − värdet "
     "under samma månader ett år tidigare) / värdet ett år tidigare × 100, där värdet är antal per 100 000 "
     "invånare (rekryteringssignaler: per 1 000 unga 12–17 år). Tabellerna kallar den ”Förändr. (%)” "
     "och exporterna ”Förändring per 100 000 inv. (%)”; den skiljer sig från förändringen i antal (Översikt: "
     "”Förändring antal (%)”) när befolkningen har ändrats.", "mart_incident_month, mart_population",
     "procent"),
    ("Vad förändrades mest", "Områdena en nivå under urvalet (för LPO och kommun: grannarna i samma "
     "överordnade område) sorterade efter förändringen i antal mot ett år tidigare.", "mart_incident_month",
     "antal"),
    ("Rekryteringssignaler", "Summan av signaler om rekrytering av barn och unga (alla källor och "
     "signaltyper) under perioden.", "recruitment_signal → mart_signal", "antal"),
    ("Rekryteringssignaler per 1 000 unga", "Signaler / antal invånare 12–17 år × 1 000.",
     "mart_signal, mart_population", "per 1 000 unga"),
    ("Andel åtgärder uppnådda", "Åtgärder med aktuell status \"uppnådd\" / alla åtgärder i de åtgärdsplaner "
     "som hör till området och gäller periodens år. Ligger perioden inom ett kalenderår jämförs andelen med "
     "planerna för året före; en period över flera planår visar ingen förändring, eftersom planerna ett år "
     "tidigare skulle dela planår med periodens. En plan hör till "
     "sitt område genom kommunen, och på polisområdes- och LPO-nivå genom planens lokalpolisområden.",
     "plan, measure → mart_measure_completion", "procent"),
    ("Andel åtgärder uppnådda eller delvis uppnådda", "Regional jämförelse, fliken Åtgärder och utfall: "
     "åtgärder med aktuell status \"uppnådd\" eller \"delvis uppnådd\" / alla åtgärder (\"ej bedömd\" räknas "
     "med i nämnaren) i områdets åtgärdsplaner för det senaste planåret till och med periodens sista år. Inte "
     "samma mått som \"Andel åtgärder uppnådda\" på Översikt och Karta, som bara räknar status \"uppnådd\".",
     "plan, measure → mart_measure_completion", "procent"),
    ("Ej fördelade händelser", "Händelser i en kommun som delas av flera lokalpolisområden där källan inte "
     "anger LPO. De fördelas inte efter befolkningsandel (brott följer inte befolkningen) utan redovisas "
     "separat; de ingår i kommun, län, region och riket.", "mart_incident_unplaced", "antal"),
    ("Händelser med endast län", "Händelser där källan bara anger länet. De ingår i län, region och riket "
     "men inte i kommuner, polisområden eller lokalpolisområden.", "mart_incident_unplaced", "antal"),
    ("1 km-ruta", "SCB:s statistikrutnät i SWEREF 99 TM. En händelse placeras aldrig noggrannare än sin ruta; "
     "rutor med färre händelser än tröskelvärdet ritas inte.", "mart_incident_grid", "antal per ruta"),
    ("Ungefärlig gräns", "Gränser för lokalpolisområden (och polisområden) som delar en kommun är "
     "uppskattade; de visas streckade och med \"(ungefärlig gräns)\".", "area_geometry", "–"),
    ("Röjandeskydd (..)", "Antal om personer från 1 till tröskelvärdet minus 1 visas som \"..\", liksom "
     "värden som annars kunde räknas fram ur summor, och andelar och tal per invånare som bygger på dolda "
     "antal.", "dashboard/suppression.py, lagesbild.toml", "–"),
    ("Data t.o.m.", "Sista dag som data finns för, per slag av data.", "mart_incident_source m.fl.", "datum"),
)
