"""P5's baseline: the disaster fund's KPI figures as ONE hand-written SQL statement over the
dossiers themselves (no precomputed tables), as someone would write it to get the numbers.

Same definitions as `disaster_fund/kpis.py`: completion within a year per disaster,
recognition lead times per event year, recognition-to-payout percentiles, open backlog and
at-risk counts with age bands, average gross/net lead times. One scan of `applications`
grouped per disaster carries every per-dossier count and sum; the payout percentiles need
their own ordered pass over the paid dossiers; the open-dossier figures use the partial
index on open dossiers. $1 is today (Europe/Brussels).

Keep in step with the service's KPI definitions when they change (the recognition lead
times are the service's own statement).
"""

from disaster_fund.kpis import RECOGNITION_LEAD_TIMES

KPI_SQL = f"""
WITH per_disaster AS (
  SELECT a.disaster_id,
         count(*) FILTER (WHERE a.counted AND a.completed_on_time) AS on_time,
         count(*) FILTER (WHERE a.counted) AS counted,
         bool_and(a.one_year_mark < $1) FILTER (WHERE a.counted) AS mark_passed,
         sum(a.lead_gross_days) AS gross_sum, sum(a.lead_net_days) AS net_sum,
         count(*) FILTER (WHERE a.completed_on IS NOT NULL) AS completed
  FROM (SELECT disaster_id, completed_on_time, one_year_mark, lead_gross_days, lead_net_days,
               completed_on, NOT (state = 'withdrawn' AND completed_on IS NULL) AS counted
        FROM applications) AS a
  GROUP BY a.disaster_id
),
payout AS (
  SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY a.first_paid_on - d.publication_date) AS median,
         percentile_cont(0.9) WITHIN GROUP (ORDER BY a.first_paid_on - d.publication_date) AS p90,
         count(*) AS paid
  FROM applications a JOIN disasters d ON d.id = a.disaster_id
  WHERE a.first_paid_on IS NOT NULL
),
open_dossiers AS (
  SELECT count(*) FILTER (WHERE one_year_mark < $1) AS backlog,
         count(*) FILTER (WHERE one_year_mark >= $1 AND one_year_mark - $1 < 60) AS at_risk,
         count(*) FILTER (WHERE $1 - received_on <= 90) AS age_0_90,
         count(*) FILTER (WHERE $1 - received_on BETWEEN 91 AND 180) AS age_91_180,
         count(*) FILTER (WHERE $1 - received_on BETWEEN 181 AND 365) AS age_181_365,
         count(*) FILTER (WHERE $1 - received_on > 365) AS age_over_365
  FROM applications
  WHERE completed_on IS NULL AND state NOT IN ('withdrawn', 'inadmissible')
),
recognition AS ({RECOGNITION_LEAD_TIMES}
)
SELECT
  (SELECT json_agg(json_build_object('disaster_id', d.id, 'reference', d.reference,
                                     'on_time', p.on_time, 'submitted', p.counted,
                                     'one_year_mark_passed', p.mark_passed)
                   ORDER BY d.publication_date, d.reference)
     FROM per_disaster p JOIN disasters d ON d.id = p.disaster_id WHERE p.counted > 0) AS per_disaster,
  (SELECT json_build_object('on_time', sum(on_time) FILTER (WHERE mark_passed),
                            'counted', sum(counted) FILTER (WHERE mark_passed),
                            'gross_avg', sum(gross_sum)::numeric / nullif(sum(completed), 0),
                            'net_avg', sum(net_sum)::numeric / nullif(sum(completed), 0))
     FROM per_disaster) AS completion,
  (SELECT row_to_json(payout) FROM payout) AS payout,
  (SELECT row_to_json(open_dossiers) FROM open_dossiers) AS open_dossiers,
  (SELECT json_agg(r ORDER BY r.year NULLS FIRST) FROM recognition r) AS recognition
"""
