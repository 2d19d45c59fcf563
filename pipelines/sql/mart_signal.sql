-- mart_signal: recruitment signals with every area level resolved, one row per
-- recruitment_signal row. Person-level counts, NOT disclosure-controlled: the dashboard
-- reads this mart only through dashboard/queries/signals.py, which applies
-- dashboard/suppression.py before anything is cached or shown.
--
-- A signal is recorded at an LPO or a kommun (sometimes a coarser area). It is placed at
-- another level only where the reference geography makes that exact: an LPO's kommun
-- when the LPO covers one kommun (or part of one), a kommun's LPO when one LPO covers
-- the whole kommun. Otherwise that level's code is NULL ("ej fördelat"), so counts are
-- never split by population shares (fractions of children make no sense).
CREATE OR REPLACE TABLE mart_signal AS
WITH
signals AS (
    SELECT month, area_code, age_band, sex, source, signal_type, count
    FROM recruitment_signal
),
areas AS (
    SELECT area_code, level, parent_code FROM area
),
links AS (
    SELECT lpo_code, kommun_code FROM lpo_kommun
),
lpo_one_kommun AS (
    SELECT lpo_code,
           CASE WHEN count(DISTINCT kommun_code) = 1 THEN min(kommun_code) END AS kommun_code
    FROM links GROUP BY lpo_code
),
lpo_one_lan AS (
    SELECT l.lpo_code,
           CASE WHEN count(DISTINCT k.parent_code) = 1 THEN min(k.parent_code) END AS lan_code
    FROM links AS l JOIN areas AS k ON k.area_code = l.kommun_code AND k.level = 'kommun'
    GROUP BY l.lpo_code
),
kommun_one_lpo AS (
    SELECT kommun_code,
           CASE WHEN count(DISTINCT lpo_code) = 1 THEN min(lpo_code) END AS lpo_code
    FROM links GROUP BY kommun_code
),
recorded AS (
    SELECT s.*, a.level AS recorded_level
    FROM signals AS s LEFT JOIN areas AS a USING (area_code)
),
placed AS (
    SELECT r.*,
           CASE r.recorded_level WHEN 'lpo' THEN r.area_code
                                 WHEN 'kommun' THEN kl.lpo_code END AS lpo_code,
           CASE r.recorded_level WHEN 'kommun' THEN r.area_code
                                 WHEN 'lpo' THEN lk.kommun_code END AS kommun_code,
           CASE r.recorded_level WHEN 'polisomrade' THEN r.area_code END AS own_polisomrade,
           CASE r.recorded_level WHEN 'lan' THEN r.area_code
                                 WHEN 'lpo' THEN ll.lan_code END AS own_lan,
           CASE r.recorded_level WHEN 'polisregion' THEN r.area_code END AS own_polisregion
    FROM recorded AS r
    LEFT JOIN kommun_one_lpo AS kl ON r.recorded_level = 'kommun' AND kl.kommun_code = r.area_code
    LEFT JOIN lpo_one_kommun AS lk ON r.recorded_level = 'lpo' AND lk.lpo_code = r.area_code
    LEFT JOIN lpo_one_lan AS ll ON r.recorded_level = 'lpo' AND ll.lpo_code = r.area_code
),
resolved AS (
    SELECT p.*,
           coalesce(p.own_polisomrade, lpo.parent_code) AS polisomrade_code,
           coalesce(p.own_lan, kommun.parent_code) AS lan_code
    FROM placed AS p
    LEFT JOIN areas AS lpo ON lpo.area_code = p.lpo_code AND lpo.level = 'lpo'
    LEFT JOIN areas AS kommun ON kommun.area_code = p.kommun_code AND kommun.level = 'kommun'
),
final AS (
    SELECT r.month,
           r.age_band,
           r.sex,
           r.source,
           r.signal_type,
           r.count,
           r.area_code AS recorded_area,
           r.recorded_level,
           r.lpo_code,
           r.polisomrade_code,
           r.kommun_code,
           r.lan_code,
           coalesce(r.own_polisregion, po.parent_code, lan.parent_code) AS polisregion_code
    FROM resolved AS r
    LEFT JOIN areas AS po ON po.area_code = r.polisomrade_code AND po.level = 'polisomrade'
    LEFT JOIN areas AS lan ON lan.area_code = r.lan_code AND lan.level = 'lan'
)
SELECT * FROM final
