-- Each measure's status at each follow-up round of its plan, for the movement between
-- rounds (T1 -> T2 -> T3/VB) and for "stuck in the same status".
-- The rounds of a plan are those in which any of its measures has an entry. At each
-- round a measure has the latest assessment written up to and including that round
-- (entries in date order, undated ones last in their round, then as written; VB last);
-- a round in which the measure has no new assessment CARRIES its previous status, and
-- before any assessment the status is "ej bedömd" (not assessed; never "ej uppnådd").
-- At the plan's last round the status is the measure's own (measure.status): a status
-- written in the plan's Status column, or shown by a colour, is the measure's current
-- status even when the follow-up entries assess nothing, so the last round agrees with
-- the measure's current status.
--   assessed_in_round: the measure got an assessment in this round;
--   entries:           follow-up entries written in this round;
--   previous_round, previous_status: the plan's round before (NULL for the first);
--   rounds_in_status:  consecutive rounds up to this one with the same status.
CREATE OR REPLACE TABLE mart_measure_round AS
WITH
measures AS (
    SELECT measure_id, plan_id, status AS measure_status FROM measure
),

round_order AS (
    SELECT * FROM (VALUES ('T1', 1), ('T2', 2), ('T3', 3), ('VB', 4)) AS r(round, round_no)
),

entries AS (
    SELECT f.measure_id, r.round_no, f.followup_date, f.status,
           row_number() OVER (PARTITION BY f.measure_id
                              ORDER BY r.round_no, f.followup_date NULLS LAST, f.rowid) AS seq
    FROM measure_followup AS f
    JOIN round_order AS r USING (round)
),

plan_rounds AS (
    SELECT DISTINCT m.plan_id, e.round_no
    FROM entries AS e
    JOIN measures AS m USING (measure_id)
),

grid AS (
    SELECT m.measure_id, m.plan_id, pr.round_no, m.measure_status,
           pr.round_no = max(pr.round_no) OVER (PARTITION BY m.measure_id) AS last_round
    FROM measures AS m
    JOIN plan_rounds AS pr USING (plan_id)
),

assessed AS (
    SELECT measure_id, round_no, arg_max(status, seq) AS round_status
    FROM entries
    WHERE status <> 'ej bedömd'
    GROUP BY ALL
),

written AS (
    SELECT measure_id, round_no, count(*) AS entries FROM entries GROUP BY ALL
),

carried AS (
    SELECT
        g.measure_id,
        g.plan_id,
        g.round_no,
        a.round_status IS NOT NULL AS assessed_in_round,
        coalesce(w.entries, 0) AS entries,
        g.last_round,
        g.measure_status,
        coalesce(last_value(a.round_status IGNORE NULLS) OVER (
            PARTITION BY g.measure_id ORDER BY g.round_no
            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW), 'ej bedömd') AS carried_status
    FROM grid AS g
    LEFT JOIN assessed AS a USING (measure_id, round_no)
    LEFT JOIN written AS w USING (measure_id, round_no)
),

settled AS (
    SELECT
        measure_id, plan_id, round_no, assessed_in_round, entries,
        CASE WHEN last_round THEN coalesce(measure_status, carried_status) ELSE carried_status END AS status
    FROM carried
),

with_previous AS (
    SELECT
        *,
        lag(round_no) OVER w AS previous_round_no,
        lag(status) OVER w AS previous_status
    FROM settled
    WINDOW w AS (PARTITION BY measure_id ORDER BY round_no)
),

islands AS (
    SELECT
        *,
        sum(CASE WHEN previous_status IS NOT DISTINCT FROM status THEN 0 ELSE 1 END)
            OVER (PARTITION BY measure_id ORDER BY round_no) AS island
    FROM with_previous
),

final AS (
    SELECT
        i.measure_id,
        i.plan_id,
        r.round,
        i.round_no,
        i.status,
        i.assessed_in_round,
        i.entries::INTEGER AS entries,
        pr.round AS previous_round,
        i.previous_status,
        row_number() OVER (PARTITION BY i.measure_id, i.island ORDER BY i.round_no)::INTEGER AS rounds_in_status
    FROM islands AS i
    JOIN round_order AS r USING (round_no)
    LEFT JOIN round_order AS pr ON pr.round_no = i.previous_round_no
    ORDER BY i.measure_id, i.round_no
)

SELECT * FROM final;
