-- Official statistics for the Regional jämförelse page in one shape: one row per
-- indicator × area × year, from Kolada (KPI values per kommun, both sexes together) and
-- Brå (reported offences per area and offence category).
--   indicator:  'kolada:<KPI id>' or 'bra:<offence category>';
--   value:      the KPI's value (its own unit, see indicator_label) or, for Brå,
--               reported offences per 100 000 inhabitants;
--   count:      Brå's number of reported offences (NULL for Kolada: the KPI is a rate
--               and Kolada gives no count, so no Poisson interval can be drawn);
--   preliminary: the source marks the figure as preliminary.
-- Kolada is per kommun only: its values are rates and cannot be summed to other levels.
CREATE OR REPLACE TABLE mart_comparison_statistic AS
WITH
kolada AS (
    SELECT kpi_id, kpi_title, kommun_code, year, value, preliminary, source, retrieved_at
    FROM kolada_value
    WHERE gender = 'T'
),

bra AS (
    SELECT area_code, offence_category, year, count, per_100k, preliminary, source, retrieved_at
    FROM bra_statistic
),

areas AS (
    SELECT area_code, level FROM area
),

kolada_rows AS (
    SELECT
        'kolada' AS source,
        'kolada:' || kpi_id AS indicator,
        coalesce(any_value(kpi_title) OVER (PARTITION BY kpi_id), kpi_id) AS indicator_label,
        'kommun' AS level,
        kommun_code AS area_code,
        year,
        value,
        NULL::BIGINT AS count,
        preliminary,
        source AS source_name,
        retrieved_at
    FROM kolada
),

bra_rows AS (
    SELECT
        'bra' AS source,
        'bra:' || b.offence_category AS indicator,
        b.offence_category AS indicator_label,
        CASE WHEN b.area_code = 'SE' THEN 'riket' ELSE a.level END AS level,
        b.area_code,
        b.year,
        b.per_100k AS value,
        b.count,
        b.preliminary,
        b.source AS source_name,
        b.retrieved_at
    FROM bra AS b
    LEFT JOIN areas AS a USING (area_code)
    WHERE b.area_code = 'SE' OR a.level IS NOT NULL
),

final AS (
    SELECT * FROM kolada_rows
    UNION ALL
    SELECT * FROM bra_rows
    ORDER BY indicator, level, area_code, year
)

SELECT * FROM final;
