-- The analysis sheet check per plan × prioritised area: the importer's own counts of
-- problems, causes and measures beside the counts the workbook's analysis sheet states.
--   *_diff:          our count minus the sheet's (NULL when the sheet gives no count);
--   has_difference:  TRUE when any of the three differs.
CREATE OR REPLACE TABLE mart_measure_analysis AS
WITH
analysis AS (
    SELECT plan_id, prioritised_area, problems, causes, measures,
           sheet_problems, sheet_causes, sheet_measures
    FROM plan_analysis
),

plans AS (
    SELECT plan_id, organisation, kommun_code, year FROM plan
),

compared AS (
    SELECT
        a.*,
        a.problems - a.sheet_problems AS problems_diff,
        a.causes - a.sheet_causes AS causes_diff,
        a.measures - a.sheet_measures AS measures_diff
    FROM analysis AS a
),

final AS (
    SELECT
        c.plan_id,
        p.organisation,
        p.kommun_code,
        p.year,
        c.prioritised_area,
        c.problems,
        c.sheet_problems,
        c.problems_diff,
        c.causes,
        c.sheet_causes,
        c.causes_diff,
        c.measures,
        c.sheet_measures,
        c.measures_diff,
        coalesce(c.problems_diff <> 0 OR c.causes_diff <> 0 OR c.measures_diff <> 0, FALSE) AS has_difference
    FROM compared AS c
    JOIN plans AS p USING (plan_id)
    ORDER BY p.organisation, p.year, c.prioritised_area
)

SELECT * FROM final;
