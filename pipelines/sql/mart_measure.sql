-- The measure register: one row per measure with its plan's organisation, kommun(er) and
-- year, its current status and a summary of its follow-up entries. The Åtgärder page
-- searches and filters this table; the follow-up history itself is read from
-- measure_followup for the one measure a user opens.
--   status:         the measure's current status as the importer assessed it
--                   (uppnådd | delvis uppnådd | påbörjad | ej uppnådd | ej bedömd);
--   followups:      number of follow-up entries (T1, T2, T3, VB);
--   last_followup:  date of the latest dated entry (VB entries often have no date);
--   assessed_date, assessed_round: when the current status was assessed, from the
--                   follow-up entry that assessed it: the latest entry with an assessment
--                   (as the importer orders them, followup.latest_status: by date, an
--                   undated entry at the end of its tertial of the plan year, the VB
--                   summary last, then as written), when it gives the measure's status.
--                   The entry's date (NULL when it has none: VB, "T2:", a month) and round.
--                   Both NULL for "ej bedömd", and for a status no entry gives (a Status
--                   column or a colour saying otherwise than the text);
--   assessed:       the same in one text: the date (2025-08-28), else the round and plan
--                   year ("VB 2025", "T2 2025"); NULL as above. (The dashboard shows the
--                   date and the round in columns of their own, "Bedömd" and "Bedömd i".)
CREATE OR REPLACE TABLE mart_measure AS
WITH
plans AS (
    SELECT plan_id, organisation, kommun_code, coalesce(kommun_codes, [kommun_code]) AS kommun_codes,
           coalesce(lpo_codes, []::VARCHAR[]) AS lpo_codes, year
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

-- A plan several kommuner share is named by all of them ("Ludvika och Smedjebacken").
plan_kommun_lists AS (
    SELECT p.plan_id, list(k.kommun_name ORDER BY i.pos) AS names
    FROM plans AS p
    CROSS JOIN LATERAL (SELECT unnest(p.kommun_codes) AS kommun_code,
                               generate_subscripts(p.kommun_codes, 1) AS pos) AS i
    JOIN kommun_names AS k ON k.kommun_code = i.kommun_code
    GROUP BY p.plan_id
),

plan_kommun_names AS (
    SELECT plan_id,
           CASE WHEN len(names) = 1 THEN names[1]
                ELSE array_to_string(names[1:len(names) - 1], ', ') || ' och ' || names[len(names)]
           END AS kommun_name
    FROM plan_kommun_lists
),

followup_summary AS (
    SELECT measure_id,
           count(*) AS followups,
           max(followup_date) AS last_followup,
           list(DISTINCT round ORDER BY round) AS rounds
    FROM measure_followup
    GROUP BY measure_id
),

-- The latest entry with an assessment, per measure (see assessed_date above).
latest_assessment AS (
    SELECT f.measure_id, f.followup_date, f.round, f.status, p.year
    FROM measure_followup AS f
    JOIN measures AS m USING (measure_id)
    JOIN plans AS p USING (plan_id)
    WHERE f.status <> 'ej bedömd'
    QUALIFY row_number() OVER (
        PARTITION BY f.measure_id
        ORDER BY CASE WHEN f.round = 'VB' THEN DATE '9999-12-31'
                      WHEN f.followup_date IS NOT NULL THEN f.followup_date
                      ELSE make_date(p.year, CASE f.round WHEN 'T1' THEN 4 WHEN 'T2' THEN 9 ELSE 12 END,
                                     CASE f.round WHEN 'T3' THEN 31 ELSE 30 END)
                 END DESC,
                 f.rowid DESC) = 1
),

assessment AS (
    SELECT m.measure_id, a.followup_date AS assessed_date, a.round AS assessed_round,
           coalesce(strftime(a.followup_date, '%Y-%m-%d'), a.round || ' ' || a.year) AS assessed
    FROM measures AS m
    JOIN latest_assessment AS a ON a.measure_id = m.measure_id AND a.status = m.status
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
        coalesce(f.rounds, []::VARCHAR[]) AS rounds,
        a.assessed_date,
        a.assessed_round,
        a.assessed
    FROM measures AS m
    JOIN plans AS p USING (plan_id)
    LEFT JOIN plan_kommun_names AS k USING (plan_id)
    LEFT JOIN followup_summary AS f USING (measure_id)
    LEFT JOIN assessment AS a USING (measure_id)
    ORDER BY p.organisation, p.year, m.prioritised_area, m.measure_id
)

SELECT * FROM final;
