-- The measure register: one row per measure with its plan's organisation, kommun and
-- year, its current status and a summary of its follow-up entries. The Åtgärder page
-- searches and filters this table; the follow-up history itself is read from
-- measure_followup for the one measure a user opens.
--   status:         the measure's current status as the importer assessed it
--                   (uppnådd | delvis uppnådd | påbörjad | ej uppnådd | ej bedömd);
--   followups:      number of follow-up entries (T1, T2, T3, VB);
--   last_followup:  date of the latest dated entry (VB entries often have no date).
CREATE OR REPLACE TABLE mart_measure AS
WITH
plans AS (
    SELECT plan_id, organisation, kommun_code, coalesce(lpo_codes, []::VARCHAR[]) AS lpo_codes, year
    FROM plan
),

measures AS (
    SELECT measure_id, plan_id, prioritised_area, problem, cause, title, description,
           operational_goal, due, responsible, is_line_work, status
    FROM measure
),

kommun_names AS (
    SELECT area_code AS kommun_code, name AS kommun_name FROM area WHERE level = 'kommun'
),

followup_summary AS (
    SELECT measure_id,
           count(*) AS followups,
           max(followup_date) AS last_followup,
           list(DISTINCT round ORDER BY round) AS rounds
    FROM measure_followup
    GROUP BY measure_id
),

final AS (
    SELECT
        m.measure_id,
        m.plan_id,
        p.organisation,
        p.kommun_code,
        k.kommun_name,
        p.lpo_codes,
        p.year,
        m.prioritised_area,
        m.title,
        m.description,
        m.problem,
        m.cause,
        m.operational_goal,
        m.due,
        m.responsible,
        m.is_line_work,
        m.status,
        coalesce(f.followups, 0)::INTEGER AS followups,
        f.last_followup,
        coalesce(f.rounds, []::VARCHAR[]) AS rounds
    FROM measures AS m
    JOIN plans AS p USING (plan_id)
    LEFT JOIN kommun_names AS k USING (kommun_code)
    LEFT JOIN followup_summary AS f USING (measure_id)
    ORDER BY p.organisation, p.year, m.prioritised_area, m.measure_id
)

SELECT * FROM final;
