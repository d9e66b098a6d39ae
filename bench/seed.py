"""Benchmark data generated in SQL (`INSERT ... SELECT ... FROM generate_series`), straight
into the services' migrated databases.

The generators name the columns the services read (states, dates, the maintained KPI facts);
any other NOT NULL column without a default that a later migration adds is filled with a
neutral value of its type (`insert_select`), and a column named here that no longer exists
stops the benchmark with a clear message instead of measuring a stale schema.

Disaster fund: 40 recognised disasters over ten years (event end 290 to 3,800 days ago) and
applications spread round robin over them, with a deterministic mix of outcomes: a dossier
received on `publication + (g*7 mod 85)` days takes `40 + (g*13 mod 420)` days; if that end
lies in the past it is completed (85 % paid, 8 % rejected, 3 % inadmissible, 4 % withdrawn),
otherwise it is open in the state matching its progress. So the completion, lead-time,
payout, backlog and at-risk KPIs all have real work to do.
"""

import json
from importlib import resources

import asyncpg

DISASTERS = 40
APPLICATION_BATCH = 250_000


class SchemaChanged(RuntimeError):
    pass


async def _columns(conn: asyncpg.Connection, table: str) -> dict[str, asyncpg.Record]:
    rows = await conn.fetch(
        "SELECT column_name, data_type, udt_name, is_nullable, column_default, is_identity "
        "FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND table_name = $1", table)
    if not rows:
        raise SchemaChanged(f"table {table} does not exist (schema changed?)")
    return {row["column_name"]: row for row in rows}


def _neutral(column: asyncpg.Record) -> str:
    """A harmless value for a required column the generator does not know."""
    if column["data_type"] == "ARRAY":
        return "'{}'"
    return {
        "uuid": "gen_random_uuid()", "bool": "false", "date": "current_date",
        "timestamptz": "now()", "timestamp": "localtimestamp", "jsonb": "'{}'::jsonb",
        "json": "'{}'::json", "int2": "0", "int4": "0", "int8": "0", "numeric": "0",
        "float4": "0", "float8": "0",
    }.get(column["udt_name"], "'bench'")


async def insert_select(conn: asyncpg.Connection, table: str, values: dict[str, str],
                        source: str, *args, with_clause: str = "") -> int:
    """INSERT INTO table (...) SELECT <values> FROM <source>; returns the row count."""
    columns = await _columns(conn, table)
    unknown = sorted(set(values) - set(columns))
    if unknown:
        raise SchemaChanged(f"{table} has no column(s) {unknown}: update bench/seed.py")
    filled = {name: _neutral(col) for name, col in columns.items()
              if name not in values and col["is_nullable"] == "NO"
              and col["column_default"] is None and col["is_identity"] != "YES"}
    if filled:
        print(f"[seed] {table}: neutral values for new required columns {sorted(filled)}",
              flush=True)
    expressions = {**values, **filled}
    sql = (f"{with_clause} INSERT INTO {table} ({', '.join(expressions)}) "
           f"SELECT {', '.join(expressions.values())} FROM {source}")
    status = await conn.execute(sql, *args)
    return int(status.split()[-1])


def flemish_municipalities() -> list[str]:
    """NIS codes the disaster fund accepts (its own package data)."""
    raw = json.loads(resources.files("disaster_fund").joinpath("data/municipalities.json")
                     .read_text(encoding="utf-8"))
    return [item["nis"] for item in raw["municipalities"]]


# --- disaster fund --------------------------------------------------------------------------

def _disaster_values(scope_sql: str) -> dict[str, str]:
    """Columns of a published disaster; `x` is the row with event_end, publication, munis."""
    return {
        "id": "gen_random_uuid()", "reference": "x.reference", "title": "x.title",
        "phenomenon": "'storm'", "event_start": "x.event_end - 2", "event_end": "x.event_end",
        "municipalities": scope_sql,
        "regime": "CASE WHEN x.event_end - 2 >= DATE '2020-01-01' THEN 'regime_2019' "
                  "ELSE 'regime_2016' END",
        "state": "x.state", "version": "1",
        "investigation_started_on": "x.event_end + 20", "assessed_on": "x.event_end + 60",
        "submitted_to_government_on": "x.event_end + 80",
        "recognition_decision_date": "x.publication_date - 20",
        "scope_municipalities": scope_sql, "scope_period_start": "x.event_end - 2",
        "scope_period_end": "x.event_end", "publication_date": "x.publication_date",
        "closed_on": "CASE WHEN x.state = 'closed' THEN x.publication_date + 700 END",
        "state_changed_at": "now()",
    }


async def seed_history_disasters(conn: asyncpg.Connection) -> int:
    """40 disasters for the history data set; the newest few are inside their one-year mark."""
    municipalities = flemish_municipalities()
    return await insert_select(
        conn, "disasters", _disaster_values("x.munis"),
        """(SELECT 'BENCH-' || lpad(i::text, 3, '0') AS reference,
                   'Benchmark storm ' || i AS title,
                   current_date - (200 + i * 90) AS event_end,
                   current_date - (200 + i * 90) + 130 + (i % 5) * 10 AS publication_date,
                   CASE WHEN current_date - (200 + i * 90) + 840 < current_date
                        THEN 'closed' ELSE 'published' END AS state,
                   ($1::varchar[])[(i * 3) % $2 + 1 : (i * 3) % $2 + 3] AS munis
            FROM generate_series(1, $3) AS i) AS x""",
        municipalities, len(municipalities) - 3, DISASTERS)


async def seed_open_disasters(conn: asyncpg.Connection, count: int) -> list[dict]:
    """`count` disasters published 10 days ago: citizens can still apply on time (P7)."""
    munis = flemish_municipalities()[:3]
    await insert_select(
        conn, "disasters", _disaster_values("$1::varchar[]"),
        """(SELECT 'BENCH-OPEN-' || lpad(i::text, 2, '0') AS reference,
                   'Benchmark storm open for applications ' || i AS title,
                   current_date - 160 AS event_end, current_date - 10 AS publication_date,
                   'published' AS state FROM generate_series(1, $2) AS i) AS x""", munis, count)
    rows = await conn.fetch("SELECT id, event_start FROM disasters "
                            "WHERE reference LIKE 'BENCH-OPEN-%' ORDER BY reference")
    return [{"id": str(row["id"]), "event_start": row["event_start"].isoformat(),
             "municipality_nis": munis[0]} for row in rows]


# Open states by progress through the dossier's planned lead time, and their phase.
_OPEN_STATES = [(0.10, "submitted"), (0.25, "intake"), (0.40, "waiting_for_documents"),
                (0.55, "expert_assigned"), (0.65, "report_sent"), (0.75, "report_accepted"),
                (0.85, "decided"), (0.92, "decision_notified"), (None, "payment_ordered")]
_PHASE = {"submitted": "intake", "intake": "intake", "waiting_for_documents": "intake",
          "expert_assigned": "expertise", "report_sent": "expertise",
          "report_accepted": "decision", "decided": "decision",
          "decision_notified": "objection", "payment_ordered": "payment"}
_DECIDED = ("decided", "decision_notified", "payment_ordered", "final", "paid")


def _open_state_sql() -> str:
    cases = " ".join(f"WHEN c.progress < {limit} THEN '{state}'"
                     for limit, state in _OPEN_STATES if limit is not None)
    return f"CASE {cases} ELSE '{_OPEN_STATES[-1][1]}' END"


_APPLICATION_SOURCE = f"""
    generate_series($1::bigint, $2::bigint) AS s(g)
    JOIN d ON d.k = s.g % d.n
    CROSS JOIN LATERAL (SELECT d.publication_date + (s.g * 7 % 85)::int AS received_on,
                               (40 + s.g * 13 % 420)::int AS lead, (s.g * 7919 % 100)::int AS bucket,
                               (s.g % 5 * 3)::int AS paused,
                               (800 + s.g * 37 % 60000)::numeric(14, 2) AS claimed) AS b
    CROSS JOIN LATERAL (SELECT b.received_on + b.lead AS done_on,
                               CASE WHEN b.bucket < 85 THEN 'paid' WHEN b.bucket < 93 THEN 'rejected'
                                    WHEN b.bucket < 96 THEN 'inadmissible' ELSE 'withdrawn' END AS kind,
                               (current_date - b.received_on)::numeric / b.lead AS progress,
                               (d.publication_date + interval '1 year')::date AS mark) AS c
    CROSS JOIN LATERAL (SELECT c.done_on <= current_date AND c.kind <> 'withdrawn' AS completed,
                               CASE WHEN c.done_on <= current_date THEN
                                      CASE c.kind WHEN 'paid' THEN 'paid' WHEN 'rejected' THEN 'final'
                                                  WHEN 'withdrawn' THEN 'withdrawn'
                                                  ELSE 'inadmissible' END
                                    ELSE {_open_state_sql()} END AS state) AS st
"""
_PHASE_SQL = "CASE st.state " + " ".join(f"WHEN '{s}' THEN '{p}'" for s, p in _PHASE.items()) + " END"
_DECIDED_SQL = "st.state IN (" + ", ".join(f"'{s}'" for s in _DECIDED) + ")"
_DECIDED_AMOUNT = "CASE WHEN c.kind = 'rejected' THEN 0 ELSE round(b.claimed * 0.7, 2) END"

_APPLICATION_VALUES = {
    "id": "gen_random_uuid()", "disaster_id": "d.id",
    "applicant_sub": "'bench-citizen-' || (s.g % 200000)",
    "channel": "CASE WHEN s.g % 10 = 0 THEN 'paper' ELSE 'online' END",
    "received_at": "(b.received_on + time '09:30') AT TIME ZONE 'Europe/Brussels'",
    "received_on": "b.received_on",
    "municipality_nis": "d.munis[1 + (s.g % cardinality(d.munis))::int]",
    "damage_date": "d.event_start",
    "category": "CASE WHEN s.g % 10 = 3 THEN 'business' ELSE 'private_goods' END",
    "description": "'benchmark dossier'", "insured": "s.g % 4 = 0",
    "insurance_compensation": "0", "crop_insurable_in_principle": "true",
    "priority_requested": "s.g % 17 = 0", "is_late": "s.g % 50 = 0",
    "claimed_total": "b.claimed",
    "state": "st.state", "state_changed_at": "now()", "version": "3",
    "dossier_number": "CASE WHEN st.state = 'submitted' THEN NULL ELSE 'VRF-B-' || s.g END",
    "handler_sub": "'handler-' || (s.g % 20)",
    "expert_sub": "CASE WHEN st.state IN ('submitted', 'intake', 'waiting_for_documents', "
                  "'inadmissible') THEN NULL ELSE 'expert-' || (s.g % 300) END",
    "assessed_amount": f"CASE WHEN {_DECIDED_SQL} THEN b.claimed END",
    "one_year_mark": "c.mark",
    "decision_version": f"CASE WHEN {_DECIDED_SQL} THEN 1 END",
    "decided_amount": f"CASE WHEN {_DECIDED_SQL} THEN {_DECIDED_AMOUNT} END",
    "paid_amount": f"CASE WHEN st.state = 'paid' THEN {_DECIDED_AMOUNT} ELSE 0 END",
    "recovered_amount": "0",
    "first_paid_on": "CASE WHEN st.state = 'paid' THEN c.done_on END",
    "completed_on": "CASE WHEN st.completed THEN c.done_on END",
    "completion_kind": "CASE WHEN st.completed THEN c.kind END",
    "completed_on_time": "CASE WHEN st.completed THEN c.done_on <= c.mark END",
    "lead_gross_days": "CASE WHEN st.completed THEN b.lead END",
    "lead_net_days": "CASE WHEN st.completed THEN b.lead - b.paused END",
    "paused_days": "b.paused",
    "open_pause_started_at": "CASE WHEN st.state IN ('waiting_for_documents', 'report_sent') "
                             "THEN now() - make_interval(days => (s.g % 20)::int) END",
    "phase": _PHASE_SQL,
    "phase_entered_at": f"CASE WHEN {_PHASE_SQL} IS NOT NULL "
                        "THEN now() - make_interval(days => (s.g % 30)::int) END",
    "phase_paused_days": "0",
}
_DISASTERS_CTE = """WITH d AS (
    SELECT id, publication_date, event_start, scope_municipalities AS munis,
           row_number() OVER (ORDER BY reference) - 1 AS k, count(*) OVER () AS n
    FROM disasters WHERE reference LIKE 'BENCH-%' AND reference NOT LIKE 'BENCH-OPEN-%')"""


# Share of a completed dossier's lead time spent in each phase (phase_duration_stats).
PHASE_SHARES = {"intake": 0.15, "expertise": 0.40, "decision": 0.15, "objection": 0.15,
                "payment": 0.15}


async def seed_applications(conn: asyncpg.Connection, first: int, last: int,
                            progress=None) -> int:
    """Applications number `first`..`last` (inclusive) of the deterministic history.

    Loaded through the service's own triggers (the disaster fund's statement-level triggers
    fold each INSERT ... SELECT batch into its incremental KPI tables), so the benchmark
    also checks that those tables agree with a query over the dossiers (P5)."""
    inserted = 0
    for start in range(first, last + 1, APPLICATION_BATCH):
        end = min(last, start + APPLICATION_BATCH - 1)
        inserted += await insert_select(conn, "applications", _APPLICATION_VALUES,
                                        _APPLICATION_SOURCE, start, end,
                                        with_clause=_DISASTERS_CTE)
        if progress:
            progress(inserted)
    await _seed_phase_durations(conn)
    return inserted


async def _seed_phase_durations(conn: asyncpg.Connection) -> None:
    """Completed phase spans per disaster (the service adds them as dossiers move on)."""
    if await conn.fetchval("SELECT to_regclass('phase_duration_stats') IS NULL"):
        return
    await conn.execute("DELETE FROM phase_duration_stats")
    shares = ", ".join(f"('{phase}', {share})" for phase, share in PHASE_SHARES.items())
    await insert_select(conn, "phase_duration_stats", {
        "disaster_id": "a.disaster_id", "phase": "p.phase", "spans": "count(*)",
        "gross_days_sum": "sum(round(a.lead_gross_days * p.share))::bigint",
        "net_days_sum": "sum(round(a.lead_net_days * p.share))::bigint",
    }, f"applications a CROSS JOIN (VALUES {shares}) AS p(phase, share) "
       "WHERE a.completed_on IS NOT NULL GROUP BY a.disaster_id, p.phase")


# --- export control -------------------------------------------------------------------------

async def seed_licences(conn: asyncpg.Connection, count: int, prefix: str) -> list[str]:
    """`count` issued licences (application, decision, licence, one line each) valid today,
    each line with room for a billion debits. Returns the licence numbers."""
    key = f"md5('{prefix}-' || i)::uuid"
    series = f"generate_series(1, {count}) AS i"
    await insert_select(conn, "applications", {
        "id": key, "reference": f"'{prefix}-' || lpad(i::text, 4, '0')",
        "application_type": "'dual_use_individual_export'", "applicant_org": "'BE0999999999'",
        "applicant_name": "'Benchmark Exports NV'", "destination_country": "'US'",
        "end_use": "'civil telecommunications'", "status": "'decided'", "outcome": "'granted'",
        "screening_status": "'clear'", "russia_circumvention_flag": "false", "version": "1",
        "submitted_at": "now() - interval '60 days'", "decided_at": "now() - interval '30 days'",
    }, series)
    await insert_select(conn, "decisions", {
        "id": f"md5('{prefix}-decision-' || i)::uuid", "application_id": key,
        "outcome": "'granted'", "authority": "'delegated'", "decided_by": "'bench-officer'",
        "decided_at": "now() - interval '30 days'", "refusal_criteria": "'[]'::jsonb",
        "granted_despite_denial": "false",
    }, series)
    await insert_select(conn, "licences", {
        "id": f"md5('{prefix}-licence-' || i)::uuid",
        "number": f"'{prefix}-' || lpad(i::text, 4, '0') || '/L1'",
        "application_id": key, "decision_id": f"md5('{prefix}-decision-' || i)::uuid",
        "licence_type": "'dual_use_individual_export'", "regime": "'dual_use'",
        "holder_org": "'BE0999999999'", "holder_name": "'Benchmark Exports NV'",
        "destination_country": "'US'", "valid_from": "current_date - 30",
        "valid_until": "current_date + 365", "status": "'issued'", "version": "1",
        "issued_at": "now() - interval '30 days'",
    }, series)
    await insert_select(conn, "licence_lines", {
        "id": f"md5('{prefix}-line-' || i)::uuid",
        "licence_id": f"md5('{prefix}-licence-' || i)::uuid", "line_no": "1",
        "description": "'Encryption modules'", "control_entry": "'5A002'", "category": "'5A002'",
        "unit": "'pieces'", "control_mode": "'both'",
        "licensed_quantity": "1000000000", "licensed_value": "10000000000",
        "remaining_quantity": "1000000000", "remaining_value": "10000000000",
    }, series)
    return [f"{prefix}-{i:04d}/L1" for i in range(1, count + 1)]


def application_body(disasters: list[dict]) -> str:
    """The JSON of one citizen's application (P7, P10), `{{TARGET}}` in place of the disaster
    id: `lua/post.lua` puts the disasters of BENCH_TARGETS there round robin."""
    return json.dumps({
        "disaster_id": "{{TARGET}}", "municipality_nis": disasters[0]["municipality_nis"],
        "damage_date": disasters[0]["event_start"], "category": "private_goods",
        "description": "Benchmark: water damage to the ground floor",
        "items": [{"description": "floor and walls", "claimed_amount": "2500.00"},
                  {"description": "furniture", "claimed_amount": "1200.00"}]})
