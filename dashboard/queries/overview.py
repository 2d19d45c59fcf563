"""Measure completion beside the incident figures (Översikt's headline, the Karta metric).

Reads ``mart_measure_completion`` (measures per area × plan year with their current
status; built from the Åtgärder page's ``mart_measure_area``), so a plan belongs to an
area exactly as on the Åtgärder page: plans whose plan year falls in the period's years.
Share uppnådd = measures with status "uppnådd" / all measures of those plans.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.queries import db_key, rows, run


@st.cache_data(max_entries=256, show_spinner=False)
def _achieved(key: tuple[str, str], level: str, codes: tuple[str, ...], first_year: int,
              last_year: int) -> pd.DataFrame:
    return run(
        """SELECT a.area_code,
                  coalesce(sum(c.measures), 0)::BIGINT AS measures,
                  coalesce(sum(c.achieved), 0)::BIGINT AS achieved
           FROM (SELECT unnest($codes) AS area_code) AS a
           LEFT JOIN mart_measure_completion AS c
             ON c.area_code = a.area_code AND c.level = $level AND c.year BETWEEN $first_year AND $last_year
           GROUP BY a.area_code ORDER BY a.area_code""",
        {"codes": list(codes), "level": level, "first_year": first_year, "last_year": last_year}, key=key,
    )


def _with_share(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    df["share"] = df["achieved"].astype("Float64") / df["measures"].astype("Float64").where(df["measures"] > 0)
    return df


def achieved(level: str, codes: tuple[str, ...], first_year: int, last_year: int) -> pd.DataFrame:
    """Per area: measures, achieved and share (0–1; NA without measures) for the plans of
    ``first_year``–``last_year``."""
    return _with_share(_achieved(db_key(), level, tuple(codes), first_year, last_year))


@st.cache_data(max_entries=256, show_spinner=False)
def _achieved_share(key: tuple[str, str], level: str, code: str, first_year: int, last_year: int) -> dict:
    # One query for both sets of plan years and plain values, cached: the page asks on
    # every rerun, and the two queries and pandas arithmetic this replaces cost ~10 % of
    # an Översikt rerun. The same sums and division as ``achieved``.
    ((measures, done, measures_prev, done_prev),) = rows(
        """SELECT coalesce(sum(measures) FILTER (WHERE year BETWEEN $first_year AND $last_year), 0)::BIGINT,
                  coalesce(sum(achieved) FILTER (WHERE year BETWEEN $first_year AND $last_year), 0)::BIGINT,
                  coalesce(sum(measures) FILTER (WHERE year = $first_year - 1), 0)::BIGINT,
                  coalesce(sum(achieved) FILTER (WHERE year = $first_year - 1), 0)::BIGINT
           FROM mart_measure_completion
           WHERE area_code = $code AND level = $level AND year BETWEEN $first_year - 1 AND $last_year""",
        {"code": code, "level": level, "first_year": first_year, "last_year": last_year}, key=key,
    )
    # A plan is a year's: its share is compared with the plan year before, never with
    # plan years that overlap the period's (Oct 2024–Sep 2025 set the 2024 and 2025
    # plans against the 2024 plan alone, counting 2024 on both sides).
    compared = first_year == last_year
    years = str(first_year) if compared else f"{first_year}–{last_year}"
    return {"share": done / measures if measures > 0 else pd.NA, "measures": int(measures),
            "share_prev": done_prev / measures_prev if compared and measures_prev > 0 else pd.NA,
            "measures_prev": int(measures_prev) if compared else 0, "years": years,
            "first_year": first_year, "last_year": last_year, "previous_year": first_year - 1,
            "compared": compared}


def achieved_share(sel) -> dict:
    """Share uppnådd for the selected area's plans of the period's years, and, when the
    period lies within one plan year, for the plans of the year before: {'share',
    'measures', 'share_prev', 'measures_prev', 'years', 'first_year', 'last_year',
    'previous_year', 'compared'}.
    A period over several plan years has no year-before share ('compared' False): the
    plans a year earlier would share a plan year with its own."""
    level = "riket" if sel.area_level == "riket" else sel.area_level
    return _achieved_share(db_key(), level, sel.area_code, sel.start.year, sel.end.year)


def achieved_note(ach: dict) -> str:
    """What Översikt's "Åtgärder uppnådda" card shows and what its change compares."""
    from dashboard import formatting as fmt

    text = "Åtgärder uppnådda: andel med status ”uppnådd” i områdets åtgärdsplaner"
    if pd.isna(ach["share"]):
        return f"{text}; det finns inga planer för {ach['years']}."
    text += f" för {ach['years']} ({fmt.count(ach['measures'], 'åtgärd', 'åtgärder')})"
    if not ach["compared"]:
        first, last = ach["first_year"], ach["last_year"]
        shared = f"planåret {first}" if last - first == 1 else f"planåren {first}–{last - 1}"
        return (f"{text}. Ingen förändring visas: perioden omfattar flera planår, och planerna ett år tidigare "
                f"({first - 1}–{last - 1}) delar {shared} med dem. Välj månader inom ett kalenderår för att "
                "jämföra ett planår med planåret före.")
    if pd.isna(ach["share_prev"]):
        return f"{text}; ingen förändring visas: det finns inga planer för {ach['previous_year']} att jämföra med."
    return (f"{text}, förändring i procentenheter mot planerna för {ach['previous_year']} "
            f"({fmt.count(ach['measures_prev'], 'åtgärd', 'åtgärder')}).")
