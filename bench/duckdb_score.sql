-- bench/profile.icp (profile `growth`) by hand in DuckDB SQL.
-- Run by duckdb_score.py, which substitutes {input}, {output} and {as_of}.
-- Every cell is read as VARCHAR and parsed per LANGUAGE.md "Reading data"; missing
-- values are SQL NULLs, so AND/OR/NOT and comparisons follow three-valued logic.
-- (DuckDB's trim() strips spaces only; the generator pads with spaces only.)

COPY (
WITH raw AS (
  SELECT
    row_number() OVER () AS rn,           -- the 1-based data row, for order and errors
    coalesce("Record ID", '')           AS r_id,
    coalesce("Company name", '')        AS r_name,
    coalesce("Industry", '')            AS r_industry,
    coalesce("Number of Employees", '') AS r_employees,
    coalesce("Marketers", '')           AS r_marketers,
    coalesce("Annual Revenue", '')      AS r_revenue,
    coalesce("Country", '')             AS r_country,
    coalesce("Funding", '')             AS r_funding,
    coalesce("Technologies", '')        AS r_tech,
    coalesce("Intent", '')              AS r_intent,
    coalesce("Last touch", '')          AS r_last_touch
  FROM read_csv('{input}', header = true, all_varchar = true, delim = ',', quote = '"',
                escape = '"', auto_detect = false,
                columns = {'Record ID': 'VARCHAR', 'Company name': 'VARCHAR',
                  'Industry': 'VARCHAR', 'Number of Employees': 'VARCHAR',
                  'Marketers': 'VARCHAR', 'Annual Revenue': 'VARCHAR', 'Country': 'VARCHAR',
                  'Funding': 'VARCHAR', 'Technologies': 'VARCHAR', 'Intent': 'VARCHAR',
                  'Last touch': 'VARCHAR', 'Website': 'VARCHAR'})
),
trimmed AS (
  SELECT *,
    trim(r_id) AS t_id, trim(r_name) AS t_name, lower(trim(r_industry)) AS t_industry,
    trim(r_employees) AS t_employees, trim(r_marketers) AS t_marketers,
    trim(r_revenue) AS t_revenue, trim(r_country) AS t_country,
    lower(trim(r_funding)) AS t_funding, trim(r_tech) AS t_tech, trim(r_intent) AS t_intent,
    trim(r_last_touch) AS t_last_touch
  FROM raw
),
flags AS (
  SELECT *,
    lower(t_id) IN ('', 'na', 'n/a', 'null', '-')         AS m_id,
    lower(t_name) IN ('', 'na', 'n/a', 'null', '-')       AS m_name,
    t_industry IN ('', 'na', 'n/a', 'null', '-')          AS m_industry,
    lower(t_employees) IN ('', 'na', 'n/a', 'null', '-')  AS m_employees,
    lower(t_marketers) IN ('', 'na', 'n/a', 'null', '-')  AS m_marketers,
    lower(t_revenue) IN ('', 'na', 'n/a', 'null', '-')    AS m_revenue,
    lower(t_country) IN ('', 'na', 'n/a', 'null', '-')    AS m_country,
    t_funding IN ('', 'na', 'n/a', 'null', '-')           AS m_funding,
    lower(t_tech) IN ('na', 'n/a', 'null', '-')           AS m_tech,  -- '' is the empty set
    lower(t_intent) IN ('', 'na', 'n/a', 'null', '-')     AS m_intent,
    lower(t_last_touch) IN ('', 'na', 'n/a', 'null', '-') AS m_last_touch,
    regexp_extract(t_revenue,
      '^\$?((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)\s*((?i:k|m|b|thousand|million|billion))?$',
      1) AS rev_num,
    lower(regexp_extract(t_revenue,
      '^\$?((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)\s*((?i:k|m|b|thousand|million|billion))?$',
      2)) AS rev_suffix,
    regexp_extract(t_intent, '^((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)\s*%?$', 1) AS pct_num
  FROM trimmed
),
typed AS (
  SELECT *,
    CASE WHEN m_employees THEN NULL
         WHEN regexp_full_match(t_employees, '\d{1,3}(?:,\d{3})+|\d+')
         THEN CAST(replace(t_employees, ',', '') AS DOUBLE) END AS employees,
    CASE WHEN m_marketers THEN NULL
         WHEN regexp_full_match(t_marketers, '\d{1,3}(?:,\d{3})+|\d+')
         THEN CAST(replace(t_marketers, ',', '') AS DOUBLE) END AS marketers,
    -- exact decimal reading: mantissa digits as an integer, then one correctly rounded
    -- step (an exact integer to double, or one division by an exact power of ten)
    CASE WHEN m_revenue OR rev_num = '' THEN NULL ELSE
      (CASE rev_suffix WHEN 'k' THEN 3 WHEN 'thousand' THEN 3
                       WHEN 'm' THEN 6 WHEN 'million' THEN 6
                       WHEN 'b' THEN 9 WHEN 'billion' THEN 9 ELSE 0 END)
      - length(split_part(replace(rev_num, ',', ''), '.', 2))
    END AS rev_exp,
    CASE WHEN m_revenue OR rev_num = '' THEN NULL
         ELSE CAST(replace(replace(rev_num, ',', ''), '.', '') AS HUGEINT) END AS rev_mant,
    CASE WHEN m_intent OR pct_num = '' THEN NULL
         ELSE CAST(replace(pct_num, ',', '') AS DOUBLE) / 100 END AS intent,
    CASE WHEN m_last_touch THEN NULL
         WHEN regexp_full_match(t_last_touch, '\d{4}-\d{2}-\d{2}')
         THEN TRY_CAST(t_last_touch AS DATE) END AS last_touch,
    CASE WHEN t_industry IN ('software', 'saas') THEN 'saas'
         WHEN t_industry IN ('financial services', 'fintech') THEN 'fintech'
         WHEN t_industry IN ('advertising & marketing', 'agency') THEN 'agency'
         WHEN t_industry = 'health' THEN 'health'
         ELSE 'other' END AS industry,
    CASE WHEN m_funding THEN NULL
         WHEN t_funding = 'none' THEN 'none'
         WHEN t_funding = 'seed' THEN 'seed'
         WHEN t_funding IN ('series a', 'series_a') THEN 'series_a'
         WHEN t_funding IN ('series b', 'series_b') THEN 'series_b'
         WHEN t_funding IN ('series c+', 'private equity', 'later') THEN 'later'
         WHEN t_funding IN ('public', 'ipo') THEN 'public' END AS funding,
    CASE WHEN m_tech THEN NULL
         ELSE list_filter(list_transform(string_split_regex(t_tech, '[;|,\x1f]'),
                                         lambda x: trim(x)), lambda x: x <> '') END AS tech
  FROM flags
),
checked AS (
  SELECT *,
    CASE WHEN rev_exp IS NULL THEN NULL
         WHEN rev_exp >= 0 THEN CAST(rev_mant * CAST(10 ** rev_exp AS HUGEINT) AS DOUBLE)
         ELSE CAST(rev_mant AS DOUBLE) / (10.0 ** (-rev_exp)) END AS revenue,
    CASE
      WHEN m_id THEN 'row ' || rn || ': column `Record ID`: missing value `' || r_id || '` in a required text field'
      WHEN m_name THEN 'row ' || rn || ': column `Company name`: missing value `' || r_name || '` in a required text field'
      WHEN m_industry THEN 'row ' || rn || ': column `Industry`: missing value `' || r_industry || '` in a required enum field'
      WHEN NOT m_employees AND employees IS NULL
        THEN 'row ' || rn || ': column `Number of Employees`: cannot read `' || r_employees || '` as int'
      WHEN NOT m_marketers AND marketers IS NULL
        THEN 'row ' || rn || ': column `Marketers`: cannot read `' || r_marketers || '` as int'
      WHEN NOT m_revenue AND rev_num = ''
        THEN 'row ' || rn || ': column `Annual Revenue`: cannot read `' || r_revenue || '` as money'
      WHEN m_country THEN 'row ' || rn || ': column `Country`: missing value `' || r_country || '` in a required text field'
      WHEN NOT m_funding AND funding IS NULL
        THEN 'row ' || rn || ': column `Funding`: cannot read `' || r_funding || '` as enum'
      WHEN NOT m_intent AND pct_num = ''
        THEN 'row ' || rn || ': column `Intent`: cannot read `' || r_intent || '` as percent'
      WHEN NOT m_last_touch AND last_touch IS NULL
        THEN 'row ' || rn || ': column `Last touch`: cannot read `' || r_last_touch || '` as date'
    END AS error
  FROM typed
),
crit AS (
  SELECT rn, t_id, error,
    -- scorecards: 'perfect' / 'practical' / 'no', NULL when the deciding branch is unknown
    CASE WHEN intent IS NULL THEN NULL WHEN intent >= 0.7 THEN 'perfect'
         WHEN intent >= 0.4 THEN 'practical' ELSE 'no' END AS c_urgent_need,
    last_touch >= DATE '{as_of}' - 90 AS c_recent,
    CASE WHEN employees IS NULL THEN NULL WHEN employees BETWEEN 50 AND 500 THEN 'perfect'
         WHEN employees BETWEEN 10 AND 2000 THEN 'practical' ELSE 'no' END AS c_size,
    CASE WHEN revenue IS NULL THEN NULL WHEN revenue >= 10e6 THEN 'perfect'
         WHEN revenue >= 2e6 THEN 'practical' ELSE 'no' END AS c_budget,
    (CASE WHEN employees = 0 THEN NULL ELSE revenue / employees END) >= 100e3 AS c_efficient,
    funding IN ('series_a', 'series_b', 'later') AS c_funded,
    (list_contains(tech, 'HubSpot') OR list_contains(tech, 'Salesforce')) AS c_stack,
    (list_contains(tech, 'Segment') AND list_contains(tech, 'Google Analytics')) AS c_modern,
    (marketers >= 3 OR (coalesce(marketers, 0) >= 1 AND employees < 50)) AS c_team,
    industry IN ('saas', 'fintech', 'agency') AS c_industry_fit,
    lower(t_country) IN ('us', 'canada', 'uk') AS c_home_market,
    list_contains(tech, 'Marketo') AS c_legacy_tool,
    (employees BETWEEN 10 AND 1000 AND marketers >= 1) AS s_mary_marketer,
    (funding IN ('seed', 'series_a') AND employees >= 5) AS s_funded_startup,
    marketers = 0 AS x_no_marketer,
    (NOT false AND funding = 'public') AS x_needs_ui
  FROM checked
),
points AS (
  SELECT *,
    CASE c_urgent_need WHEN 'perfect' THEN 15 WHEN 'practical' THEN 7.5 ELSE 0 END AS p_urgent_need,
    CASE WHEN c_recent THEN 10 ELSE 0 END AS p_recent,
    CASE c_size WHEN 'perfect' THEN 20 WHEN 'practical' THEN 10 ELSE 0 END AS p_size,
    CASE c_budget WHEN 'perfect' THEN 25 WHEN 'practical' THEN 12.5 ELSE 0 END AS p_budget,
    CASE WHEN c_efficient THEN 5 ELSE 0 END AS p_efficient,
    CASE WHEN c_funded THEN 8 ELSE 0 END AS p_funded,
    CASE WHEN c_stack THEN 10 ELSE 0 END AS p_stack,
    CASE WHEN c_modern THEN 6 ELSE 0 END AS p_modern,
    CASE WHEN c_team THEN 7 ELSE 0 END AS p_team,
    CASE WHEN c_industry_fit THEN 12 ELSE 0 END AS p_industry_fit,
    CASE WHEN c_home_market THEN 4 ELSE 0 END AS p_home_market,
    CASE WHEN c_legacy_tool THEN -10 ELSE 0 END AS p_legacy_tool,
    (CASE WHEN c_urgent_need IS NULL THEN 0 ELSE 15 END
     + CASE WHEN c_recent IS NULL THEN 0 ELSE 10 END
     + CASE WHEN c_size IS NULL THEN 0 ELSE 20 END
     + CASE WHEN c_budget IS NULL THEN 0 ELSE 25 END
     + CASE WHEN c_efficient IS NULL THEN 0 ELSE 5 END
     + CASE WHEN c_funded IS NULL THEN 0 ELSE 8 END
     + CASE WHEN c_stack IS NULL THEN 0 ELSE 10 END
     + CASE WHEN c_modern IS NULL THEN 0 ELSE 6 END
     + CASE WHEN c_team IS NULL THEN 0 ELSE 7 END
     + CASE WHEN c_industry_fit IS NULL THEN 0 ELSE 12 END
     + CASE WHEN c_home_market IS NULL THEN 0 ELSE 4 END
     + CASE WHEN c_legacy_tool IS NULL THEN 0 ELSE 10 END) / 132.0 AS coverage
  FROM crit
),
scored AS (
  SELECT *,
    greatest(0.0, least(100.0, 100.0 * CAST(p_urgent_need + p_recent + p_size + p_budget
      + p_efficient + p_funded + p_stack + p_modern + p_team + p_industry_fit
      + p_home_market + p_legacy_tool AS DOUBLE) / 122)) AS score,
    nullif(concat_ws(', ',
      CASE WHEN x_no_marketer THEN 'no_marketer (No full-time marketer)' END,
      CASE WHEN x_needs_ui THEN 'needs_ui (Needs a full UI we do not have)' END), '') AS excl,
    nullif(concat_ws(', ',
      CASE WHEN c_urgent_need IS NULL THEN 'urgent_need' END,
      CASE WHEN c_recent IS NULL THEN 'recent' END,
      CASE WHEN c_size IS NULL THEN 'size' END,
      CASE WHEN c_budget IS NULL THEN 'budget' END,
      CASE WHEN c_efficient IS NULL THEN 'efficient' END,
      CASE WHEN c_funded IS NULL THEN 'funded' END,
      CASE WHEN c_stack IS NULL THEN 'stack' END,
      CASE WHEN c_modern IS NULL THEN 'modern' END,
      CASE WHEN c_team IS NULL THEN 'team' END,
      CASE WHEN c_industry_fit IS NULL THEN 'industry_fit' END,
      CASE WHEN c_home_market IS NULL THEN 'home_market' END,
      CASE WHEN c_legacy_tool IS NULL THEN 'legacy_tool' END,
      CASE WHEN x_no_marketer IS NULL THEN 'no_marketer' END,
      CASE WHEN x_needs_ui IS NULL THEN 'needs_ui' END), '') AS unknowns
  FROM points
)
SELECT
  t_id AS id,
  CASE WHEN error IS NULL THEN printf('%.2f', score) END AS score,
  CASE WHEN error IS NOT NULL THEN 'invalid'
       WHEN NOT (coalesce(s_mary_marketer, false) OR coalesce(s_funded_startup, false))
         THEN 'out_of_segment'
       WHEN excl IS NOT NULL THEN 'excluded'
       WHEN score >= 75 THEN 'ideal'
       WHEN score >= 45 THEN 'practical'
       ELSE 'not_fit' END AS tier,
  CASE WHEN error IS NULL THEN printf('%.2f', coverage) END AS coverage,
  CASE WHEN error IS NULL THEN nullif(concat_ws('; ',
    'excluded: ' || excl,
    CASE c_urgent_need WHEN 'perfect' THEN 'urgent_need +15'
                       WHEN 'practical' THEN 'urgent_need +7.5 (practical)' END,
    CASE WHEN c_recent THEN 'recent +10' END,
    CASE c_size WHEN 'perfect' THEN 'size +20' WHEN 'practical' THEN 'size +10 (practical)' END,
    CASE c_budget WHEN 'perfect' THEN 'budget +25'
                  WHEN 'practical' THEN 'budget +12.5 (practical)' END,
    CASE WHEN c_efficient THEN 'efficient +5' END,
    CASE WHEN c_funded THEN 'funded +8' END,
    CASE WHEN c_stack THEN 'stack +10' END,
    CASE WHEN c_modern THEN 'modern +6' END,
    CASE WHEN c_team THEN 'team +7' END,
    CASE WHEN c_industry_fit THEN 'industry_fit +12' END,
    CASE WHEN c_home_market THEN 'home_market +4' END,
    CASE WHEN c_legacy_tool THEN 'legacy_tool -10' END,
    'unknown: ' || unknowns), '') END AS reasons,
  error
FROM scored
-- DuckDB does not keep input order through this query on its own (seen with 2
-- threads: blocks swap), so the order is explicit
ORDER BY rn
) TO '{output}' (HEADER, DELIMITER ',');
