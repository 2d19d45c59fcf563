-- Which areas lie in (or overlap) which: the map and the tables use it to list "the
-- areas of level L inside the selection". One row per (area, area it lies in):
--   * exact containment along each hierarchy, every area in itself and in riket (SE):
--     kommun -> lan -> polisregion, lpo -> polisomrade -> polisregion;
--   * overlaps across the two hierarchies through lpo_kommun: a kommun in each LPO and
--     polisområde that covers part of it, an LPO in each kommun and län it covers, a
--     polisområde in each län it covers (a split kommun lies in several LPOs).
-- A finer area never "contains" a coarser one, so for a coarser level the query finds
-- nothing and the page shows that level for the whole country.
CREATE OR REPLACE TABLE mart_area_link AS
WITH
areas AS (
    SELECT area_code, level, parent_code FROM area
),

lpo_kommun_links AS (
    SELECT lk.lpo_code, lk.kommun_code, lpo.parent_code AS polisomrade_code, kommun.parent_code AS lan_code
    FROM lpo_kommun AS lk
    JOIN areas AS lpo ON lpo.area_code = lk.lpo_code AND lpo.level = 'lpo'
    JOIN areas AS kommun ON kommun.area_code = lk.kommun_code AND kommun.level = 'kommun'
),

containment AS (
    WITH RECURSIVE up(area_code, within_code) AS (
        SELECT area_code, area_code FROM areas
        UNION ALL
        SELECT up.area_code, a.parent_code
        FROM up JOIN areas AS a ON a.area_code = up.within_code
        WHERE a.parent_code IS NOT NULL
    )
    SELECT area_code, within_code FROM up
),

cross_overlaps AS (
    SELECT kommun_code AS area_code, lpo_code AS within_code FROM lpo_kommun_links
    UNION SELECT kommun_code, polisomrade_code FROM lpo_kommun_links
    UNION SELECT lan_code, polisomrade_code FROM lpo_kommun_links
    UNION SELECT lpo_code, kommun_code FROM lpo_kommun_links
    UNION SELECT lpo_code, lan_code FROM lpo_kommun_links
    UNION SELECT polisomrade_code, lan_code FROM lpo_kommun_links
),

riket AS (
    SELECT area_code, 'SE' AS within_code FROM areas
    UNION ALL SELECT 'SE', 'SE'
),

links AS (
    SELECT * FROM containment
    UNION SELECT * FROM cross_overlaps
    UNION SELECT * FROM riket
),

final AS (
    SELECT
        l.area_code,
        coalesce(a.level, 'riket') AS level,
        l.within_code,
        coalesce(w.level, 'riket') AS within_level
    FROM links AS l
    LEFT JOIN areas AS a ON a.area_code = l.area_code
    LEFT JOIN areas AS w ON w.area_code = l.within_code
    ORDER BY l.within_code, level, l.area_code
)

SELECT * FROM final;
