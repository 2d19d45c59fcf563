-- What the warehouse holds, in one row: the facts every page reads on its first view after
-- a load (the data status line, "data t.o.m." per kind of data, the period choices, the
-- incident types offered). One small read instead of a dozen scans of the marts and
-- source tables (issue 6). Rebuilt whenever a table it reads changes.
--   incident_first_month, incident_last_month: first days of the first and last month with
--     incidents (Europe/Stockholm); incident_last_day: the last day with an incident;
--   incident_sources: the incident sources, the largest first; incident_types: the types found;
--   signal_first_month, signal_last_month, signal_sources: the recruitment signals';
--   population_year, population_sources: the latest population year and every source;
--   followup_last: the latest dated follow-up of a measure;
--   plans, plan_first_year, plan_last_year: the action plans.
CREATE OR REPLACE TABLE mart_status AS
WITH
incident_sources AS (
    SELECT source, n, first, last FROM mart_incident_source
),

incident_types AS (
    SELECT DISTINCT incident_type FROM mart_incident_month WHERE level = 'riket'
),

signals AS (
    SELECT month, source FROM recruitment_signal
),

populations AS (
    SELECT year, source FROM population
),

followups AS (
    SELECT followup_date FROM measure_followup
),

plans AS (
    SELECT year FROM plan
),

incident_facts AS (
    SELECT
        date_trunc('month', min(first))::DATE AS incident_first_month,
        date_trunc('month', max(last))::DATE AS incident_last_month,
        max(last)::DATE AS incident_last_day,
        coalesce(list(source ORDER BY n DESC, source), []) AS incident_sources
    FROM incident_sources
),

type_facts AS (
    SELECT coalesce(list(incident_type ORDER BY incident_type), []) AS incident_types FROM incident_types
),

signal_facts AS (
    SELECT
        min(month)::DATE AS signal_first_month,
        max(month)::DATE AS signal_last_month,
        coalesce(list(DISTINCT source ORDER BY source), []) AS signal_sources
    FROM signals
),

population_facts AS (
    SELECT
        max(year) AS population_year,
        coalesce(list(DISTINCT source ORDER BY source), []) AS population_sources
    FROM populations
),

followup_facts AS (
    SELECT max(followup_date) AS followup_last FROM followups
),

plan_facts AS (
    SELECT count(*) AS plans, min(year) AS plan_first_year, max(year) AS plan_last_year FROM plans
),

final AS (
    SELECT *
    FROM incident_facts, type_facts, signal_facts, population_facts, followup_facts, plan_facts
)

SELECT * FROM final;
