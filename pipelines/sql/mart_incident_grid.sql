-- Incidents per SCB 1 km grid cell × calendar month × type, for the grid map.
-- grid_cell is the warehouse's 13-digit form (E in 6 digits, then N in 7, metres) of the
-- cell's lower-left corner in SWEREF 99 TM (cell_e, cell_n), parsed from the three
-- spellings the readers accept: 13 digits, 7 digits (km: N in 4 digits then E in 3, or E
-- then N, told apart by range) and "1kmN…E…". The area columns let the page filter by
-- the selection at any level (lpo and polisomrade as in mart_incident_month). Counts are
-- person-level: the query layer suppresses cells below the disclosure threshold before
-- anything is drawn. incidents: count, calendar month, Europe/Stockholm.
CREATE OR REPLACE TABLE mart_incident_grid AS
WITH
incidents AS (
    SELECT date_trunc('month', occurred_at)::DATE AS month, incident_type, grid_cell,
           kommun_code, lan_code, lpo_code, count(*) AS incidents
    FROM incident
    WHERE grid_cell IS NOT NULL
    GROUP BY ALL
),

areas AS (
    SELECT area_code, level, parent_code FROM area
),

single_lpo AS (
    SELECT kommun_code, any_value(lpo_code) AS lpo_code
    FROM lpo_kommun
    GROUP BY kommun_code
    HAVING count(*) = 1
),

parsed AS (
    SELECT
        i.*,
        CASE
            WHEN regexp_full_match(grid_cell, '\d{13}') THEN substr(grid_cell, 1, 6)::INTEGER
            WHEN regexp_full_match(grid_cell, '\d{7}') AND substr(grid_cell, 1, 4)::INTEGER >= 6000
                THEN substr(grid_cell, 5, 3)::INTEGER * 1000
            WHEN regexp_full_match(grid_cell, '\d{7}') THEN substr(grid_cell, 1, 3)::INTEGER * 1000
            ELSE nullif(regexp_extract(grid_cell, 'E(\d+)', 1), '')::INTEGER * 1000
        END AS cell_e,
        CASE
            WHEN regexp_full_match(grid_cell, '\d{13}') THEN substr(grid_cell, 7, 7)::INTEGER
            WHEN regexp_full_match(grid_cell, '\d{7}') AND substr(grid_cell, 1, 4)::INTEGER >= 6000
                THEN substr(grid_cell, 1, 4)::INTEGER * 1000
            WHEN regexp_full_match(grid_cell, '\d{7}') THEN substr(grid_cell, 4, 4)::INTEGER * 1000
            ELSE nullif(regexp_extract(grid_cell, 'N(\d+)', 1), '')::INTEGER * 1000
        END AS cell_n
    FROM incidents AS i
),

placed AS (
    SELECT
        p.month,
        p.incident_type,
        p.grid_cell,
        -- snap to the 1 km grid so differently spelt codes of one cell meet
        (p.cell_e // 1000) * 1000 AS cell_e,
        (p.cell_n // 1000) * 1000 AS cell_n,
        p.kommun_code,
        p.lan_code,
        lan.parent_code AS polisregion_code,
        coalesce(p.lpo_code, s.lpo_code) AS lpo_code,
        lpo.parent_code AS polisomrade_code,
        p.incidents
    FROM parsed AS p
    LEFT JOIN areas AS lan ON lan.area_code = p.lan_code
    LEFT JOIN single_lpo AS s ON p.lpo_code IS NULL AND s.kommun_code = p.kommun_code
    LEFT JOIN areas AS lpo ON lpo.area_code = coalesce(p.lpo_code, s.lpo_code)
    WHERE p.cell_e IS NOT NULL AND p.cell_n IS NOT NULL
),

final AS (
    SELECT month, incident_type, lpad(cell_e::VARCHAR, 6, '0') || lpad(cell_n::VARCHAR, 7, '0') AS grid_cell,
           cell_e, cell_n, polisregion_code, polisomrade_code, lpo_code, lan_code,
           kommun_code, sum(incidents)::BIGINT AS incidents
    FROM placed
    GROUP BY ALL
    ORDER BY month, cell_n, cell_e
)

SELECT * FROM final;
