-- mart_signal_youth: young people aged 12–17 (population on 31 December of `year`) per
-- area at every level, the denominator of "rekryteringssignaler per 1 000 unga 12–17 år".
-- Sums the population bands 12-14 and 15-17. An LPO gets its kommuner's population
-- weighted by lpo_kommun.share (approximate for split kommuner); polisområde sums its
-- LPOs; län, polisregion and riket sum kommuner exactly.
CREATE OR REPLACE TABLE mart_signal_youth AS
WITH
youth AS (
    SELECT kommun_code, year, sum(population) AS population
    FROM population
    WHERE age_band IN ('12-14', '15-17')
    GROUP BY kommun_code, year
),
kommun AS (SELECT area_code, parent_code AS lan_code FROM area WHERE level = 'kommun'),
lan AS (SELECT area_code, parent_code AS polisregion_code FROM area WHERE level = 'lan'),
lpo AS (SELECT area_code, parent_code AS polisomrade_code FROM area WHERE level = 'lpo'),
links AS (SELECT lpo_code, kommun_code, share FROM lpo_kommun),
by_kommun AS (
    SELECT 'kommun' AS area_level, kommun_code AS area_code, year, population::DOUBLE AS population
    FROM youth
),
by_lan AS (
    SELECT 'lan' AS area_level, k.lan_code AS area_code, y.year, sum(y.population)::DOUBLE AS population
    FROM youth AS y JOIN kommun AS k ON k.area_code = y.kommun_code
    GROUP BY ALL
),
by_region AS (
    SELECT 'polisregion' AS area_level, l.polisregion_code AS area_code, b.year, sum(b.population) AS population
    FROM by_lan AS b JOIN lan AS l ON l.area_code = b.area_code
    GROUP BY ALL
),
by_riket AS (
    SELECT 'riket' AS area_level, 'SE' AS area_code, year, sum(population)::DOUBLE AS population
    FROM youth GROUP BY year
),
by_lpo AS (
    SELECT 'lpo' AS area_level, lk.lpo_code AS area_code, y.year, sum(y.population * lk.share) AS population
    FROM youth AS y JOIN links AS lk USING (kommun_code)
    GROUP BY ALL
),
by_polisomrade AS (
    SELECT 'polisomrade' AS area_level, l.polisomrade_code AS area_code, b.year, sum(b.population) AS population
    FROM by_lpo AS b JOIN lpo AS l ON l.area_code = b.area_code
    GROUP BY ALL
),
final AS (
    SELECT * FROM by_kommun
    UNION ALL SELECT * FROM by_lan
    UNION ALL SELECT * FROM by_region
    UNION ALL SELECT * FROM by_riket
    UNION ALL SELECT * FROM by_lpo
    UNION ALL SELECT * FROM by_polisomrade
)
SELECT area_level, area_code, year, round(population, 1) AS population_12_17 FROM final
