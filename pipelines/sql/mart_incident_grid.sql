-- Incidents per SCB 1 km grid cell × calendar month × type, for the grid map.
-- grid_cell is the warehouse's 13-digit form (E in 6 digits, then N in 7, metres) of the
-- cell's lower-left corner in SWEREF 99 TM (cell_e, cell_n), parsed from the three
-- spellings the readers accept: 13 digits, 7 digits (km: N in 4 digits then E in 3, or E
-- then N, told apart by range) and "1kmN…E…". The area columns let the page filter by
-- the selection at any level (lpo and polisomrade as in mart_incident_month). Counts are
-- person-level: the query layer suppresses cells below the disclosure threshold before
-- anything is drawn. incidents: count, calendar month, Europe/Stockholm. Rows are in month
-- order (pipelines/marts.py builds a year at a time), so month filters skip row groups.
CREATE OR REPLACE TABLE mart_incident_grid AS
WITH
areas AS (
    SELECT area_code, parent_code FROM area
),

single_lpo AS (
    SELECT kommun_code, any_value(lpo_code) AS lpo_code
    FROM lpo_kommun
    GROUP BY kommun_code
    HAVING count(*) = 1
),

-- The regex runs once per incident (the 13-digit form is nearly every row); the cell is
-- snapped to whole integers before counting, so the hash table holds numbers, not text.
spelt AS (
    SELECT occurred_at, incident_type, kommun_code, lan_code, lpo_code, grid_cell,
           regexp_full_match(grid_cell, '\d{13}') AS is13
    FROM incident
    WHERE grid_cell IS NOT NULL
),

located AS (
    SELECT
        occurred_at, incident_type, kommun_code, lan_code, lpo_code,
        CASE
            WHEN is13 THEN grid_cell::BIGINT // 10000000
            WHEN regexp_full_match(grid_cell, '\d{7}') AND substr(grid_cell, 1, 4)::INTEGER >= 6000
                THEN substr(grid_cell, 5, 3)::INTEGER * 1000
            WHEN regexp_full_match(grid_cell, '\d{7}') THEN substr(grid_cell, 1, 3)::INTEGER * 1000
            ELSE nullif(regexp_extract(grid_cell, 'E(\d+)', 1), '')::INTEGER * 1000
        END::INTEGER // 1000 * 1000 AS cell_e,
        CASE
            WHEN is13 THEN grid_cell::BIGINT % 10000000
            WHEN regexp_full_match(grid_cell, '\d{7}') AND substr(grid_cell, 1, 4)::INTEGER >= 6000
                THEN substr(grid_cell, 1, 4)::INTEGER * 1000
            WHEN regexp_full_match(grid_cell, '\d{7}') THEN substr(grid_cell, 4, 4)::INTEGER * 1000
            ELSE nullif(regexp_extract(grid_cell, 'N(\d+)', 1), '')::INTEGER * 1000
        END::INTEGER // 1000 * 1000 AS cell_n
    FROM spelt
),

counted AS (
    SELECT date_trunc('month', l.occurred_at)::DATE AS month, l.incident_type, l.cell_e, l.cell_n,
           l.kommun_code, l.lan_code, coalesce(l.lpo_code, s.lpo_code) AS lpo_code, count(*) AS incidents
    FROM located AS l
    LEFT JOIN single_lpo AS s ON l.lpo_code IS NULL AND s.kommun_code = l.kommun_code
    GROUP BY ALL
    HAVING l.cell_e IS NOT NULL AND l.cell_n IS NOT NULL
),

final AS (
    SELECT c.month, c.incident_type, lpad(c.cell_e::VARCHAR, 6, '0') || lpad(c.cell_n::VARCHAR, 7, '0') AS grid_cell,
           c.cell_e, c.cell_n, lan.parent_code AS polisregion_code, lpo.parent_code AS polisomrade_code,
           c.lpo_code, c.lan_code, c.kommun_code, c.incidents::BIGINT AS incidents
    FROM counted AS c
    LEFT JOIN areas AS lan ON lan.area_code = c.lan_code
    LEFT JOIN areas AS lpo ON lpo.area_code = c.lpo_code
    ORDER BY c.month
)

SELECT * FROM final;
