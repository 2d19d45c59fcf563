"""Data: the sources, the load history, rejected rows per load, the definitions of every
indicator and the tables of the warehouse."""

import numpy as np
import pandas as pd
import streamlit as st

from dashboard import components, exports
from dashboard import formatting as fmt
from dashboard.filters import current_selection
from dashboard.queries import catalog, db_key
from pipelines import categories as cat
from pipelines.config import ROOT


def table_overview(tables: pd.DataFrame) -> pd.DataFrame:
    """One row per table in name order: table_name, rows (estimated), columns (how many)
    and description. Counted in a dict: a pandas groupby with named aggregations cost
    ~10 ms on every rerun of the page for a few hundred rows."""
    rows: dict[str, object] = {}
    counts: dict[str, int] = {}
    for name, n, column in zip(tables["table_name"].tolist(), tables["rows"].tolist(),
                               tables["column_name"].tolist(), strict=True):
        if not isinstance(name, str):
            continue  # as groupby: rows without a table name drop out
        if name not in rows or fmt.is_missing(rows[name]):
            rows[name] = n  # groupby's "first": the first value that is not missing
        counts[name] = counts.get(name, 0) + (0 if fmt.is_missing(column) else 1)
    names = sorted(rows)
    return pd.DataFrame({
        "table_name": pd.array(names, dtype=tables["table_name"].dtype),
        "rows": pd.array([rows[n] for n in names], dtype=tables["rows"].dtype),
        "columns": np.array([counts[n] for n in names], dtype=np.int64),
        "description": pd.array([catalog.TABLE_DESCRIPTIONS.get(n, "") for n in names], dtype="str"),
    })


def log_span(loaded_at: pd.Series) -> str:
    """The time a load log's export covers, as its caption states it instead of "Data
    t.o.m.": "Inläsningar 2026-01-15 09:00 – 2026-01-16 10:30" (one load: "Inläst …")."""
    times = sorted(t for t in loaded_at.tolist() if isinstance(t, str) and t and t != "NaT")
    if not times:
        return "Inga inläsningar"
    if times[0] == times[-1]:
        return f"Inläst {times[0]}" if len(times) == 1 else f"Inläsningar {times[0]}"
    return f"Inläsningar {times[0]} – {times[-1]}"


current_selection()  # draws the sidebar when the page runs on its own; its choices are not used here
# No selection line under the title: it named an area and a period the page then said
# it ignores.
st.title("Data")
components.demo_badge()
st.caption("Urvalet i sidopanelen påverkar inte den här sidan: den visar hela databasen.")
# The catalog tables are made from the database version alone (plus the table or load
# chosen beside them): the display tables are remembered by that instead of by their
# pickled and hashed content.
DATABASE = db_key()
# The "Källa" of the load history's and rejected rows' exports: the database's own log.
LOG_SOURCE = "Lägesbilds inläsningslogg"

st.subheader("Källor")
sources = catalog.sources()
components.dataframe(fmt.display_arrow(sources, {"data": "Data", "källa": "Källa", "rader": "Rader", "från": "Från",
                                                 "till": "Till"}, identity=("data_sources", DATABASE)),
                     hide_index=True, key="data_sources",
                     # The source's long text (the plans' file names) pushed "Till" out of the table at
                     # 1280 px ("2025-…"): it gets a fixed width (a click on a cell shows all of it).
                     column_config={"Källa": st.column_config.TextColumn(width=330),
                                    "Från": st.column_config.TextColumn(width=100),
                                    "Till": st.column_config.TextColumn(width=100)})

st.subheader("Inläsningar")
loads = catalog.loads()
load_columns = {"load_id": "Inläsning", "source_file": "Fil", "source_format": "Format", "loaded_at": "Inläst",
                "rows_accepted": "Inlästa rader", "rows_rejected": "Avvisade rader", "status": "Status",
                "message": "Meddelande"}
shown_loads = loads.assign(loaded_at=loads["loaded_at"].astype(str).str.slice(0, 16),
                           status=loads["status"].map(lambda s: cat.LOAD_STATUS_LABELS.get(s, s)))
components.dataframe(fmt.display_arrow(shown_loads, load_columns, identity=("data_loads", DATABASE)), hide_index=True,
                     key="data_loads")
st.caption("En fil som lästes in av misstag tas bort med `python -m pipelines remove` och inläsningens nummer; "
           "det den lade till försvinner ur alla sidor och filen kan läsas in igen (README, Kommandorad).")
# A log of loads is dated by its own loads, not by the incidents' "data t.o.m." (which said
# nothing about when the files were loaded, and nothing at all for a database of signals).
exports.download_buttons("data_loads_dl", df=shown_loads, title="Inläsningar",
                         caption=components.export_caption(
                             None, suppressed=None, source=LOG_SOURCE,
                             contents="Alla inläsningar i databasen; urvalet i sidopanelen gäller inte tabellen",
                             dated=log_span(shown_loads["loaded_at"])),
                         filename="inlasningar", columns=load_columns)

st.subheader("Avvisade rader")
with_rejections = loads[loads["rows_rejected"] > 0]
if with_rejections.empty:
    st.success("Ingen inläsning har avvisade rader.")
else:
    summary = catalog.rejected_summary()
    components.dataframe(fmt.display_arrow(summary, {"load_id": "Inläsning", "source_file": "Fil", "reason": "Orsak",
                                                     "rows": "Rader"}), hide_index=True, key="data_rejected_summary")
    labels = {int(r.load_id): f"#{r.load_id} {r.source_file} ({fmt.integer(r.rows_rejected)} avvisade)"
              for r in with_rejections.itertuples(index=False)}
    load_id = st.selectbox("Visa raderna för inläsning", list(labels), format_func=labels.get, key="data_load",
                           placeholder="Välj inläsning")
    rows = catalog.rejected(load_id)
    columns = {"row_number": "Rad", "column": "Kolumn", "reason": "Orsak"}
    components.dataframe(fmt.display_arrow(rows, columns), hide_index=True, key="data_rejected")
    st.caption("Raden anges som ett kalkylprogram visar den (rubriken är rad 1). Radens innehåll sparas aldrig.")
    exports.download_buttons("data_rejected_dl", df=rows, title=f"Avvisade rader, inläsning {load_id}",
                             caption=components.export_caption(
                                 None, suppressed=None, source=LOG_SOURCE, contents=f"De avvisade raderna i inläsning {load_id} med rad, kolumn "
                                                "och orsak (radens innehåll sparas aldrig)",
                                 dated=log_span(shown_loads.loc[shown_loads["load_id"] == load_id, "loaded_at"])),
                             filename=f"avvisade-rader-{load_id}",
                             columns=columns)

st.subheader("Definitioner")
definitions = pd.DataFrame(catalog.INDICATORS, columns=["Indikator", "Definition", "Källa", "Enhet"])
# The definitions wrap over three lines (Streamlit wraps a cell's text only in rows taller
# than 64 px): on one line each the glossary was 969 px wide in a 904 px window at 1366 px.
# Every column has its width, so the four fit the 820 px of a 1280 px wide window ("Enhet"
# was cut to "per 100( invånar"); the unit wraps in its row like the definition.
st.dataframe(definitions, hide_index=True, key="data_definitions", row_height=70,
             column_config={"Indikator": st.column_config.TextColumn(width=185),
                            "Definition": st.column_config.TextColumn(width=370),
                            "Källa": st.column_config.TextColumn(width=150),
                            "Enhet": st.column_config.TextColumn(width=110)})
exports.download_buttons("data_definitions_dl", df=definitions, title="Definitioner",
                         caption=components.export_caption(None, suppressed=None, source="Lägesbild",
                                                           contents="Definitionerna av dashboardens indikatorer"),
                         filename="definitioner")

st.subheader("Tabellerna i databasen")
st.caption("Databasen är en DuckDB-fil som kan öppnas skrivskyddat i egna verktyg, t.ex. "
           "`duckdb -readonly data/lagesbild.duckdb`. Tabeller som börjar med mart_ är sammanställningar "
           "som byggs om efter varje inläsning.")
tables = catalog.tables()
overview = table_overview(tables)
components.dataframe(fmt.display_arrow(overview, {"table_name": "Tabell", "description": "Innehåll", "rows": "Rader (ca)",
                                                  "columns": "Kolumner"}, identity=("data_tables", DATABASE)),
                     hide_index=True, key="data_tables")
table = st.selectbox("Visa kolumnerna i", overview["table_name"].tolist(), key="data_table", placeholder="Välj tabell")
components.dataframe(fmt.display_arrow(tables[tables["table_name"] == table], {"column_name": "Kolumn", "data_type": "Typ"},
                                       identity=("data_columns", DATABASE, table)), hide_index=True, key="data_columns")
doc = ROOT / "docs" / "tables.md"
if doc.exists():
    with st.expander("Fullständig tabelldokumentation (docs/tables.md, på engelska)"):
        st.markdown(doc.read_text(encoding="utf-8"))

components.data_note(suppressed=0)
