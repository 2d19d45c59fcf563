-- Incidents per area × calendar month × incident type, at every level, for the pages.
-- incidents: count of incidents whose occurred_at (local time, Europe/Stockholm) falls
-- in the month.
--   riket, polisregion (via the län), lan: every incident;
--   kommun: incidents with a kommun (those placed only at län level are left out);
--   lpo: the incident's lpo_code, else the kommun's only LPO; incidents in a split
--        kommun without lpo_code are not apportioned (see mart_incident_unplaced);
--   polisomrade: the LPO's polisområde, else the kommun's only polisområde.
CREATE OR REPLACE TABLE mart_incident_month AS
WITH
incidents AS (
    SELECT
        date_trunc('month', occurred_at)::DATE AS month,
        incident_type,
        kommun_code,
        lan_code,
        lpo_code,
        count(*) AS incidents
    FROM incident
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

single_polisomrade AS (
    SELECT lk.kommun_code, any_value(lpo.parent_code) AS polisomrade_code
    FROM lpo_kommun AS lk
    JOIN areas AS lpo ON lpo.area_code = lk.lpo_code
    GROUP BY lk.kommun_code
    HAVING count(DISTINCT lpo.parent_code) = 1
),

placed AS (
    SELECT
        i.month,
        i.incident_type,
        i.incidents,
        i.lan_code,
        i.kommun_code,
        lan.parent_code AS polisregion_code,
        coalesce(i.lpo_code, s.lpo_code) AS lpo,
        coalesce(lpo.parent_code, sp.polisomrade_code) AS polisomrade
    FROM incidents AS i
    LEFT JOIN areas AS lan ON lan.area_code = i.lan_code
    LEFT JOIN single_lpo AS s ON i.lpo_code IS NULL AND s.kommun_code = i.kommun_code
    LEFT JOIN areas AS lpo ON lpo.area_code = coalesce(i.lpo_code, s.lpo_code)
    LEFT JOIN single_polisomrade AS sp ON sp.kommun_code = i.kommun_code
),

by_level AS (
    SELECT 'riket' AS level, 'SE' AS area_code, month, incident_type, incidents FROM placed
    UNION ALL
    SELECT 'polisregion', polisregion_code, month, incident_type, incidents FROM placed WHERE polisregion_code IS NOT NULL
    UNION ALL
    SELECT 'lan', lan_code, month, incident_type, incidents FROM placed
    UNION ALL
    SELECT 'kommun', kommun_code, month, incident_type, incidents FROM placed WHERE kommun_code IS NOT NULL
    UNION ALL
    SELECT 'polisomrade', polisomrade, month, incident_type, incidents FROM placed WHERE polisomrade IS NOT NULL
    UNION ALL
    SELECT 'lpo', lpo, month, incident_type, incidents FROM placed WHERE lpo IS NOT NULL
),

final AS (
    SELECT level, area_code, month, incident_type, sum(incidents)::BIGINT AS incidents
    FROM by_level
    GROUP BY ALL
    ORDER BY level, area_code, month, incident_type
)

SELECT * FROM final;
