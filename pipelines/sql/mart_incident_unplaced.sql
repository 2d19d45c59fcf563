-- Incidents that a level cannot place, per level × reason × month × type, so pages can
-- say how many are missing from that level's map and tables.
--   reason 'endast län': the source named only the län (kommun_code null): missing at
--     kommun, lpo and polisomrade level;
--   reason 'ej fördelade': in a kommun split between several LPOs without an lpo_code:
--     missing at lpo level (we do not apportion them by population share, because
--     incidents do not follow population), and at polisomrade level when the kommun's
--     LPOs lie in different polisområden.
-- incidents: count, calendar month, Europe/Stockholm.
CREATE OR REPLACE TABLE mart_incident_unplaced AS
WITH
incidents AS (
    SELECT date_trunc('month', occurred_at)::DATE AS month, incident_type, kommun_code, lan_code, lpo_code,
           count(*) AS incidents
    FROM incident
    WHERE lpo_code IS NULL
    GROUP BY ALL
),

lpo_count AS (
    SELECT lk.kommun_code, count(*) AS lpos, count(DISTINCT lpo.parent_code) AS polisomraden
    FROM lpo_kommun AS lk
    JOIN area AS lpo ON lpo.area_code = lk.lpo_code
    GROUP BY lk.kommun_code
),

classified AS (
    SELECT i.*, c.lpos, c.polisomraden AS kommun_polisomraden
    FROM incidents AS i
    LEFT JOIN lpo_count AS c ON c.kommun_code = i.kommun_code
),

by_level AS (
    SELECT 'kommun' AS level, 'endast län' AS reason, * FROM classified WHERE kommun_code IS NULL
    UNION ALL
    SELECT 'lpo', 'endast län', * FROM classified WHERE kommun_code IS NULL
    UNION ALL
    SELECT 'lpo', 'ej fördelade', * FROM classified WHERE kommun_code IS NOT NULL AND coalesce(lpos, 0) <> 1
    UNION ALL
    SELECT 'polisomrade', 'endast län', * FROM classified WHERE kommun_code IS NULL
    UNION ALL
    SELECT 'polisomrade', 'ej fördelade', * FROM classified
    WHERE kommun_code IS NOT NULL AND coalesce(kommun_polisomraden, 0) <> 1
),

final AS (
    SELECT level, reason, lan_code, kommun_code, month, incident_type, sum(incidents)::BIGINT AS incidents
    FROM by_level
    GROUP BY ALL
    ORDER BY level, month
)

SELECT * FROM final;
