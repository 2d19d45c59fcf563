-- Population per area × year (31 December), at every level, for rates.
--   population:       all ages, both sexes (persons);
--   population_12_17: aged 12–17 (the 12-14 and 15-17 bands), the base of "per 1 000 unga".
-- LPOs get each kommun's population times lpo_kommun.share (the share of the kommun's
-- population in the LPO's part), so split kommuner are apportioned; polisområden sum
-- their LPOs; län, regions and riket sum kommuner.
CREATE OR REPLACE TABLE mart_population AS
WITH
population_kommun AS (
    SELECT
        kommun_code,
        year,
        sum(population)::DOUBLE AS population,
        sum(population) FILTER (WHERE age_band IN ('12-14', '15-17'))::DOUBLE AS population_12_17
    FROM population
    GROUP BY kommun_code, year
),

areas AS (
    SELECT area_code, level, parent_code FROM area
),

with_admin AS (
    SELECT p.*, kommun.parent_code AS lan_code, lan.parent_code AS polisregion_code
    FROM population_kommun AS p
    JOIN areas AS kommun ON kommun.area_code = p.kommun_code
    LEFT JOIN areas AS lan ON lan.area_code = kommun.parent_code
),

lpo_parts AS (
    SELECT
        lk.lpo_code,
        lpo.parent_code AS polisomrade_code,
        p.year,
        p.population * lk.share AS population,
        p.population_12_17 * lk.share AS population_12_17
    FROM lpo_kommun AS lk
    JOIN areas AS lpo ON lpo.area_code = lk.lpo_code
    JOIN population_kommun AS p ON p.kommun_code = lk.kommun_code
),

by_level AS (
    SELECT 'riket' AS level, 'SE' AS area_code, year, population, population_12_17 FROM with_admin
    UNION ALL
    SELECT 'polisregion', polisregion_code, year, population, population_12_17 FROM with_admin
    WHERE polisregion_code IS NOT NULL
    UNION ALL
    SELECT 'lan', lan_code, year, population, population_12_17 FROM with_admin WHERE lan_code IS NOT NULL
    UNION ALL
    SELECT 'kommun', kommun_code, year, population, population_12_17 FROM with_admin
    UNION ALL
    SELECT 'lpo', lpo_code, year, population, population_12_17 FROM lpo_parts
    UNION ALL
    SELECT 'polisomrade', polisomrade_code, year, population, population_12_17 FROM lpo_parts
    WHERE polisomrade_code IS NOT NULL
),

final AS (
    SELECT level, area_code, year, sum(population) AS population, sum(population_12_17) AS population_12_17
    FROM by_level
    GROUP BY ALL
    ORDER BY level, area_code, year
)

SELECT * FROM final;
