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
                  coalesce(sum(measures) FILTER (WHERE year BETWEEN $first_year - 1 AND $last_year - 1), 0)::BIGINT,
                  coalesce(sum(achieved) FILTER (WHERE year BETWEEN $first_year - 1 AND $last_year - 1), 0)::BIGINT
           FROM mart_measure_completion
           WHERE area_code = $code AND level = $level AND year BETWEEN $first_year - 1 AND $last_year""",
        {"code": code, "level": level, "first_year": first_year, "last_year": last_year}, key=key,
    )
    years = str(first_year) if first_year == last_year else f"{first_year}–{last_year}"
    return {"share": done / measures if measures > 0 else pd.NA, "measures": int(measures),
            "share_prev": done_prev / measures_prev if measures_prev > 0 else pd.NA,
            "measures_prev": int(measures_prev), "years": years}


def achieved_share(sel) -> dict:
    """Share uppnådd for the selected area's plans of the period's years, and for the plans
    of the years before: {'share', 'measures', 'share_prev', 'measures_prev', 'years'}."""
    level = "riket" if sel.area_level == "riket" else sel.area_level
    return _achieved_share(db_key(), level, sel.area_code, sel.start.year, sel.end.year)
