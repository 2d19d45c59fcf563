-- Incidents per SCB 1 km grid cell × calendar month × type, for the grid map.
-- cell is the cell's lower-left corner in SWEREF 99 TM as one number, E × 10^7 + N in
-- metres: zero-padded to 13 digits it is the warehouse's grid_cell form (E in 6 digits,
-- then N in 7). It is parsed from the three spellings the readers accept: 13 digits,
-- 7 digits (km: N in 4 digits then E in 3, or E then N, told apart by range) and
-- "1kmN…E…". A number, not text: the mart has millions of rows, and the query layer
-- spells the few thousand cells it returns. The area columns let the page filter by the
-- selection at any level: lpo as in mart_incident_month, the polisområde through its LPOs
-- and the polisregion through its län (the query layer looks the parents up in area; two
-- parent columns here cost a fifth of the build of a mart with millions of rows). Counts are
-- person-level: the query layer suppresses cells below the disclosure threshold before
-- anything is drawn. incidents: count, calendar month, Europe/Stockholm. Rows are in month
-- order (pipelines/marts.py builds a few months at a time), so month filters skip row groups.
CREATE OR REPLACE TABLE mart_incident_grid AS
WITH
single_lpo AS (
    SELECT kommun_code, any_value(lpo_code) AS lpo_code
    FROM lpo_kommun
    GROUP BY kommun_code
    HAVING count(*) = 1
),

-- Nearly every row has the 13-digit form, read with a cast (no pattern: the loads check
-- the form); each part is snapped to the whole km.
located AS (
    SELECT
        occurred_at, incident_type, kommun_code, lan_code, lpo_code,
        CASE
            WHEN length(grid_cell) = 13 AND NOT starts_with(grid_cell, '1km')
                THEN try_cast(grid_cell AS BIGINT) // 10000000000 * 10000000000
                     + try_cast(grid_cell AS BIGINT) % 10000000 // 1000 * 1000
            WHEN regexp_full_match(grid_cell, '\d{7}') AND substr(grid_cell, 1, 4)::INTEGER >= 6000
                THEN substr(grid_cell, 5, 3)::BIGINT * 10000000000 + substr(grid_cell, 1, 4)::BIGINT * 1000
            WHEN regexp_full_match(grid_cell, '\d{7}')
                THEN substr(grid_cell, 1, 3)::BIGINT * 10000000000 + substr(grid_cell, 4, 4)::BIGINT * 1000
            ELSE nullif(regexp_extract(grid_cell, 'E(\d+)', 1), '')::BIGINT * 10000000000
                 + nullif(regexp_extract(grid_cell, 'N(\d+)', 1), '')::BIGINT * 1000
        END AS cell
    FROM incident
    WHERE grid_cell IS NOT NULL
),

counted AS (
    SELECT date_trunc('month', l.occurred_at)::DATE AS month, l.incident_type, l.cell,
           l.kommun_code, l.lan_code, coalesce(l.lpo_code, s.lpo_code) AS lpo_code, count(*) AS incidents
    FROM located AS l
    LEFT JOIN single_lpo AS s ON l.lpo_code IS NULL AND s.kommun_code = l.kommun_code
    GROUP BY ALL
),

final AS (
    SELECT c.month, c.incident_type, c.cell, c.lpo_code, c.lan_code, c.kommun_code, c.incidents::BIGINT AS incidents
    FROM counted AS c
    -- A cell no spelling explains is left out. The count is tested too, so that the
    -- optimiser cannot move the test below the grouping: there it evaluated the cell's
    -- CASE a second time for every incident (a fifth of the mart's build).
    WHERE c.cell IS NOT NULL OR c.incidents = 0
    ORDER BY c.month
)

SELECT * FROM final;
