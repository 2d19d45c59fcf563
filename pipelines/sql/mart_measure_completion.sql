-- Measure completion per area × plan year, at every level: how many measures the plans
-- lying in the area hold (mart_measure_area) and how many have each status. The
-- Regional jämförelse page sets the share uppnådd or delvis uppnådd beside the outcome
-- trend of the same areas. Measures are counted, not people: no disclosure control.
--   measures:        measures in the area's plans of that year;
--   done:            uppnådd + delvis uppnådd;
--   share_done:      done / measures (0-1); "ej bedömd" stays in the denominator;
--   not_assessed:    ej bedömd.
CREATE OR REPLACE TABLE mart_measure_completion AS
WITH
plan_areas AS (
    SELECT plan_id, level, area_code FROM mart_measure_area
),

measures AS (
    SELECT m.measure_id, m.plan_id, m.status, p.year
    FROM measure AS m
    JOIN plan AS p USING (plan_id)
),

counted AS (
    SELECT
        a.level,
        a.area_code,
        m.year,
        count(DISTINCT m.plan_id) AS plans,
        count(*) AS measures,
        count(*) FILTER (WHERE m.status = 'uppnådd') AS achieved,
        count(*) FILTER (WHERE m.status = 'delvis uppnådd') AS partly,
        count(*) FILTER (WHERE m.status = 'påbörjad') AS started,
        count(*) FILTER (WHERE m.status = 'ej uppnådd') AS not_achieved,
        count(*) FILTER (WHERE m.status = 'ej bedömd') AS not_assessed
    FROM plan_areas AS a
    JOIN measures AS m USING (plan_id)
    GROUP BY ALL
),

final AS (
    SELECT
        level,
        area_code,
        year,
        plans::INTEGER AS plans,
        measures::INTEGER AS measures,
        achieved::INTEGER AS achieved,
        partly::INTEGER AS partly,
        started::INTEGER AS started,
        not_achieved::INTEGER AS not_achieved,
        not_assessed::INTEGER AS not_assessed,
        (achieved + partly)::INTEGER AS done,
        (achieved + partly) / measures AS share_done
    FROM counted
    ORDER BY level, area_code, year
)

SELECT * FROM final;
