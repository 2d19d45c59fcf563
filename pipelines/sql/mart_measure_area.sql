-- Which areas each action plan lies in, at every level: one row per (plan, area).
-- The Åtgärder page keeps the plans that lie in the selected area.
--   Administrative levels (kommun, län) and polisregion/riket follow the plan's kommun
--   up its hierarchy (kommun -> län -> polisregion -> riket).
--   Police levels (LPO, polisområde) follow the plan's own LPOs; a plan without LPOs
--   lies in every LPO (and polisområde) that covers part of its kommun.
-- So a district plan in Stockholm that names LPO Farsta is found under LPO Farsta,
-- polisområde Syd, kommun Stockholm and Stockholms län, but not under LPO Rinkeby.
-- A plan several kommuner share (plan.kommun_codes) lies in each of them; an area above
-- them holds it once, so a län's or polisregion's sums count its measures once.
CREATE OR REPLACE TABLE mart_measure_area AS
WITH
plans AS (
    SELECT plan_id, unnest(coalesce(kommun_codes, [kommun_code])) AS kommun_code,
           coalesce(lpo_codes, []::VARCHAR[]) AS lpo_codes
    FROM plan
),

links AS (
    SELECT area_code, within_code, within_level FROM mart_area_link
),

plan_lpos AS (
    SELECT DISTINCT plan_id, unnest(lpo_codes) AS lpo_code FROM plans
),

by_kommun AS (
    SELECT p.plan_id, l.within_level AS level, l.within_code AS area_code
    FROM plans AS p
    JOIN links AS l ON l.area_code = p.kommun_code
    WHERE l.within_level IN ('kommun', 'lan', 'polisregion', 'riket')
       OR (len(p.lpo_codes) = 0 AND l.within_level IN ('lpo', 'polisomrade'))
),

by_lpo AS (
    SELECT pl.plan_id, l.within_level AS level, l.within_code AS area_code
    FROM plan_lpos AS pl
    JOIN links AS l ON l.area_code = pl.lpo_code
    WHERE l.within_level IN ('lpo', 'polisomrade')
),

final AS (
    SELECT DISTINCT plan_id, level, area_code FROM (
        SELECT * FROM by_kommun
        UNION ALL
        SELECT * FROM by_lpo
    )
    ORDER BY level, area_code, plan_id
)

SELECT * FROM final;
