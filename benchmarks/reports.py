"""Reports benchmark: p50/p95 of each report over a quarter of a simulated million-call year.

1. Creates a database of its own (dropped at the end, also on failure), migrates it, and seeds
   it in SQL (generate_series, no row leaves PostgreSQL): ``--calls`` scored calls (1,000,000)
   by 300 agents in 20 teams over 2025, in the center's working hours; each call has a score
   and ``--rules`` rule results (5 rules in 3 categories), and a hit with that rule's rate
   (2–8 %), which an agent's own propensity (0.5–2×) scales; a hit call has two hit rows.
2. Builds the daily and monthly rollups once (the first report after a bulk import pays
   this), timed.
3. Times the fold of one newly scored call (its day and its month recomputed).
4. Times each report over 2025-Q2 ``--repeats`` times (20) and prints p50 and p95 in ms, for
   the whole center and for one team, and for the center over 91 days not on month bounds
   (15 April – 14 July: whole months from the month rollup, 30 days around them from the
   daily one): training needs by agent, team and tenure band, Pareto by rule and category,
   the weekly Laney p′ chart, the weekly X̄–S charts of scores, team performance (score
   distribution, weekly means, disputes, ladder steps, inspectors' workload).
   Goal: p95 < 1 s each.

Run it from the repository root, PostgreSQL at 127.0.0.1:5432 (user postgres, trust)::

    .venv/bin/python benchmarks/reports.py [--calls 1000000] [--repeats 20]
"""

import argparse
import os
import secrets
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for benchmarks.machine
from benchmarks.machine import describe as describe_machine

ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"

SEED_SQL = """
INSERT INTO users (username, role, team, agent_id, active, hired_on, created_at)
SELECT 'bench-' || a, 'agent', 'T' || (a % 20), 'A' || a, true,
       date '2025-01-01' + ((a * 37) % 700 - 350), now()
FROM generate_series(0, 299) a;

INSERT INTO calls (id, bucket, object_key, object_version, source, agent_id, team, status,
                   started_at, extra, deliveries, flagged, created_at, updated_at)
SELECT i, 'recordings', 'bench/' || i || '.wav', 'v', 'upload', 'A' || (i % 300),
       'T' || ((i % 300) % 20), 'scored',
       timestamptz '2025-01-01 01:00+00' + (i::float8 / %(calls)s) * interval '365 days'
         + (i % 7) * interval '1 hour',
       '{}', 1, false, now(), now()
FROM generate_series(1, %(calls)s) i;

INSERT INTO scores (id, call_id, pack, pack_version, total, maximum, percent, auto_failed,
                    flagged, reasons, sections, items, created_at)
SELECT i, i, 'bench', '1', 90, 100, 60 + (hashint4(i) & 63) * 0.6, false, false,
       '[]', '[]', '[]', now()
FROM generate_series(1, %(calls)s) i;

-- Rule r hits with a rate of 2–8 %%, times the agent's propensity (0.5–2×).
INSERT INTO rule_results (call_id, pack, pack_version, rule_id, category, severity, status)
SELECT i, 'bench', '1', 'R' || r, 'C' || (r % 3), 'major',
       CASE WHEN (hashint8(i * 16 + r) & 65535) / 65536.0
                 < (0.02 + 0.015 * r) * (0.5 + 1.5 * ((i % 300) * 7 % 300) / 300.0)
            THEN 'hit' ELSE 'pass' END
FROM generate_series(1, %(calls)s) i, generate_series(0, %(rules)s - 1) r;

INSERT INTO hits (call_id, pack, pack_version, rule_id, category, severity, role, start, "end",
                  turn_ids, text)
SELECT call_id, pack, pack_version, rule_id, category, severity, 'agent', s, s + 2, '[]', ''
FROM rule_results, (VALUES (3.0), (40.0)) AS t(s) WHERE status = 'hit';

SELECT setval(pg_get_serial_sequence('calls', 'id'), %(calls)s);
SELECT setval(pg_get_serial_sequence('scores', 'id'), %(calls)s);
ANALYZE;
"""


def main() -> None:
    """Seeds, builds the rollups, times every report; drops the database whatever happens."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--rules", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    database = f"zhijian_bench_{secrets.token_hex(4)}"
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{database}"')
    os.environ["ZHIJIAN_DATABASE_URL"] = f"postgresql+psycopg://postgres@127.0.0.1:5432/{database}"
    try:
        run(database, args.calls, args.rules, args.repeats)
    finally:
        from services.db import get_engine

        get_engine().dispose()
        with psycopg.connect(ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def run(database: str, calls: int, rules: int, repeats: int) -> None:
    """The benchmark proper, on the fresh database."""
    from services.db import session_scope, upgrade_schema
    from services.reports import performance, rollup, service

    print(describe_machine())
    upgrade_schema()
    started = time.perf_counter()
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{database}") as conn:
        conn.execute(SEED_SQL.replace("%(calls)s", str(calls)).replace("%(rules)s", str(rules)))
    print(f"seeded {calls:,} calls × {rules} rules in {time.perf_counter() - started:.0f} s")

    started = time.perf_counter()
    with session_scope() as db_session:
        days = rollup.catch_up(db_session)
    print(f"rollups of {days} days built in {time.perf_counter() - started:.1f} s")

    with session_scope() as db_session:
        db_session.execute(
            rollup.text(
                "INSERT INTO scores (call_id, pack, pack_version, total, maximum, percent, "
                "auto_failed, flagged, reasons, sections, items, created_at) "
                "VALUES (1000, 'bench', '2', 90, 100, 90, false, false, '[]', '[]', '[]', now())"
            )
        )
    started = time.perf_counter()
    with session_scope() as db_session:
        days = rollup.catch_up(db_session)
    print(
        f"one new score folded in ({days} day) in {1000 * (time.perf_counter() - started):.0f} ms"
    )

    quarter = service.Filter(date(2025, 4, 1), date(2025, 6, 30))
    team = service.Filter(date(2025, 4, 1), date(2025, 6, 30), team="T3")
    shifted = service.Filter(date(2025, 4, 15), date(2025, 7, 14))
    reports: dict[str, Callable[[object, service.Filter], object]] = {
        "training needs by agent": lambda s, f: service.training_needs(s, f, dimension="agent"),
        "training needs by team": lambda s, f: service.training_needs(s, f, dimension="team"),
        "training needs by tenure": lambda s, f: service.training_needs(s, f, dimension="tenure"),
        "Pareto by rule": lambda s, f: service.violation_pareto(s, f, by="rule"),
        "Pareto by category": lambda s, f: service.violation_pareto(s, f, by="category"),
        "weekly Laney p′ chart": lambda s, f: service.violation_chart(
            s, f, period="week", laney=True
        ),
        "weekly X̄–S charts of scores": lambda s, f: service.score_charts(s, f, period="week"),
        "team performance": lambda s, f: (
            performance.team_performance(s, f),
            performance.inspector_workload(s, f),
        ),
    }
    print(f"\n{describe_machine()}")
    print(f"over 2025-Q2, {repeats} runs each (ms)             p50      p95   goal p95 < 1000")
    for name, report in reports.items():
        for label, scope in (("center", quarter), ("team T3", team), ("15 Apr–14 Jul", shifted)):
            times = []
            for _ in range(repeats):
                started = time.perf_counter()
                with session_scope() as db_session:
                    report(db_session, scope)
                times.append(1000 * (time.perf_counter() - started))
            p50 = statistics.median(times)
            p95 = statistics.quantiles(times, n=20, method="inclusive")[-1]
            verdict = "met" if p95 < 1000 else "NOT met"
            print(f"{name + ', ' + label:45} {p50:8.1f} {p95:8.1f}   {verdict}")


if __name__ == "__main__":
    main()
