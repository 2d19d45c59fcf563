"""Lägesbild: the dashboard's frame. Start with ``streamlit run dashboard/app.py``.

The frame sets up the page, checks the database (a clear Swedish message with the build
command when it is missing, never a traceback), draws the shared filters in the sidebar
and runs the chosen page. The database is $LAGESBILD_DB or data/lagesbild.duckdb.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `streamlit run dashboard/app.py` puts only dashboard/ on the path
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from dashboard import filters, queries, startup  # noqa: E402

st.set_page_config(page_title="Lägesbild", layout="wide", initial_sidebar_state="expanded")
# The favicon ships with the app (a material icon would need Google's font server). It is
# set after the page has run: an image icon makes Streamlit import numpy, which the first
# page's title must not wait for.
FAVICON = str(Path(__file__).parent / "assets" / "favicon.png")

PAGES_DIR = Path(__file__).parent / "pages"
PAGES = [
    # The start page is served at the root; its url_path is reserved but not served, so it
    # is not "oversikt", which the hidden page below serves (see there).
    st.Page(PAGES_DIR / "oversikt.py", title="Översikt", icon=":material/dashboard:", url_path="start",
            default=True),
    st.Page(PAGES_DIR / "karta.py", title="Karta", icon=":material/map:", url_path="karta"),
    st.Page(PAGES_DIR / "atgarder.py", title="Åtgärder", icon=":material/task_alt:", url_path="atgarder"),
    st.Page(PAGES_DIR / "rekrytering.py", title="Rekryteringssignaler", icon=":material/diversity_3:",
            url_path="rekrytering"),
    st.Page(PAGES_DIR / "jamforelse.py", title="Regional jämförelse", icon=":material/compare_arrows:",
            url_path="jamforelse"),
    st.Page(PAGES_DIR / "data.py", title="Data", icon=":material/database:", url_path="data"),
    # /oversikt, the start page by its name as the other pages are named (/karta, /data),
    # opens it too: Streamlit serves the default page only at the root and answered
    # /oversikt?… with an English "Page not found" dialog before showing the start page.
    st.Page(PAGES_DIR / "oversikt.py", title="Översikt", url_path="oversikt", visibility="hidden"),
]


def _unavailable(exc: queries.DatabaseUnavailable) -> None:
    st.title("Lägesbild")
    st.error(str(exc), icon=":material/database_off:")
    if exc.command == queries.BUILD_COMMAND:
        st.markdown("Bygg en databas med demodata (syntetiska siffror för hela Sverige) med:")
        st.code(queries.BUILD_COMMAND + " --size quick", language="bash")
    else:
        st.markdown("Kör i projektmappen:")
        st.code(exc.command, language="bash")
    st.markdown(
        "Ladda sedan om sidan. En annan databasfil väljs med miljövariabeln `LAGESBILD_DB`, "
        "t.ex. `LAGESBILD_DB=/sökväg/lagesbild.duckdb streamlit run dashboard/app.py`."
    )


def main() -> None:
    """Run the frame, telling the launcher's warm-up (dashboard.startup) when it starts and ends."""
    startup.run_started.set()
    try:
        _frame()
    finally:
        startup.run_finished.set()


def _frame() -> None:
    try:
        queries.data_status()
    except queries.DatabaseUnavailable as exc:
        unavailable = exc
        # A hidden one-page navigation: without st.navigation Streamlit would list the
        # files in pages/ on its own.
        st.navigation([st.Page(lambda: _unavailable(unavailable), title="Lägesbild", url_path="saknas")],
                      position="hidden").run()
        st.set_page_config(page_icon=FAVICON)
        return
    page = st.navigation(PAGES)
    filters.frame_sidebar()
    try:
        page.run()
    except queries.DatabaseUnavailable as exc:
        _unavailable(exc)
    st.set_page_config(page_icon=FAVICON)


main()
