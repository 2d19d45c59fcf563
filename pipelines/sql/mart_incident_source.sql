-- Per incident source: how many incidents and the first and last day they cover, so the
-- dashboard can state "data t.o.m." without scanning the fact table.
CREATE OR REPLACE TABLE mart_incident_source AS
WITH
incidents AS (
    SELECT source, occurred_at FROM incident
),

final AS (
    SELECT
        source,
        count(*) AS n,
        min(occurred_at)::DATE AS first,
        max(occurred_at)::DATE AS last
    FROM incidents
    GROUP BY source
    ORDER BY n DESC
)

SELECT * FROM final;
