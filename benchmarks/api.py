"""API benchmark: p50/p95 of the pages people open all day, on a million-call year.

1. Creates a database of its own (dropped at the end, also on failure), migrates it, and seeds
   ``--calls`` calls (1,000,000) in SQL: see ``benchmarks/api_seed.py`` for what (turns are
   summarised: 2 per call, 40 for every 100th call; 3 % of calls reviewed, 90 % of those
   evaluated; one audit row per call).
2. Times each request ``--repeats`` times (30) through the real app in this process (FastAPI's
   TestClient: routing, authentication by API token, validation, serialisation, SQL on
   PostgreSQL), each time with another agent, team, month or call, and prints p50 and p95 in ms.
   Paged lists follow ``next_cursor`` several pages deep; each page is one sample.
   Goal: p95 < 50 ms each.
3. Prints EXPLAIN (ANALYZE, BUFFERS) of the slowest SQL statement of the slowest request.

Run it from the repository root, PostgreSQL at 127.0.0.1:5432 (user postgres, trust)::

    nice -n 10 .venv/bin/python benchmarks/api.py [--calls 1000000] [--repeats 30]

``--keep`` leaves the database in place and prints its URL (for ``benchmarks/load.py --database``).
"""

import argparse
import os
import random
import secrets
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))

from api_seed import seed
from machine import describe

ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
GOAL_MS = 50.0

# A request to time: (name, the role whose token sends it, the URLs of one sample run). A run
# of several URLs is one list paged deep: each URL after the first is only known once the page
# before answers, so a run yields the first path and then takes each answer's next_cursor.
Urls = Callable[[random.Random], Iterator[str]]


def _month(rng: random.Random) -> str:
    month = rng.randint(1, 11)
    return f"from=2025-{month:02d}-01T00:00:00Z&to=2025-{month + 1:02d}-01T00:00:00Z"


def cases(calls: int) -> list[tuple[str, str, Callable[[random.Random], str], int]]:
    """Each timed request: name, role, its first URL, and how many pages it follows."""
    detail_ids = list(range(100, int(calls * 0.99), 100))  # the calls with 40 turns
    return [
        ("calls, newest page", "admin", lambda r: "/api/v1/calls?limit=50", 1),
        ("calls, team + status, pages 1–5", "admin",
         lambda r: f"/api/v1/calls?team=T{r.randrange(20)}&status=scored&limit=50", 5),
        ("calls, flagged in a month, pages 1–5", "admin",
         lambda r: f"/api/v1/calls?flagged=true&{_month(r)}&limit=50", 5),
        ("calls, all in a month, pages 1–5", "admin",
         lambda r: f"/api/v1/calls?{_month(r)}&limit=50", 5),
        ("calls, an agent's in a month, pages 1–3", "admin",
         lambda r: f"/api/v1/calls?agent_id=A{r.randrange(300)}&{_month(r)}&limit=50", 3),
        ("calls, failed, pages 1–3", "admin",
         lambda r: "/api/v1/calls?status=failed&limit=50", 3),
        ("calls, an agent's own, pages 1–3", "agent", lambda r: "/api/v1/calls?limit=50", 3),
        ("calls, an inspector's, pages 1–3", "inspector", lambda r: "/api/v1/calls?limit=50", 3),
        ("one call: 40 turns, hits, score", "admin",
         lambda r: f"/api/v1/calls/{r.choice(detail_ids)}", 1),
        ("review queue, an inspector's", "inspector", lambda r: "/api/v1/reviews?status=open", 1),
        ("review queue, everyone's (manager)", "admin",
         lambda r: "/api/v1/reviews?status=open", 1),
        ("evaluations, an agent's own", "agent", lambda r: "/api/v1/evaluations", 1),
        ("evaluations of an agent (manager)", "admin",
         lambda r: f"/api/v1/evaluations?agent_id=A{r.randrange(300)}", 1),
        ("audit log, newest page", "admin", lambda r: "/api/v1/audit", 1),
        ("audit log, deep page", "admin",
         lambda r: f"/api/v1/audit?before={r.randrange(calls // 10, calls)}", 1),
        ("audit log, one action", "admin", lambda r: "/api/v1/audit?action=review.submit", 1),
        ("audit log, one person", "admin",
         lambda r: f"/api/v1/audit?username=insp-{r.randrange(20)}", 1),
        ("audit log, one call", "admin",
         lambda r: f"/api/v1/audit?call_id={r.randrange(1, calls)}", 1),
    ]  # fmt: skip


def main() -> None:
    """Seeds, times every request; drops the database whatever happens (unless --keep)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="leave the database in place")
    parser.add_argument(
        "--database", help="time an existing seeded database by name (kept); --calls as seeded"
    )
    args = parser.parse_args()
    print(describe())
    database = args.database or f"zhijian_bench_{secrets.token_hex(4)}"
    if not args.database:
        with psycopg.connect(ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{database}"')
    os.environ["ZHIJIAN_DATABASE_URL"] = f"postgresql+psycopg://postgres@127.0.0.1:5432/{database}"
    keep = bool(args.database)
    try:
        run(database, args.calls, args.repeats, seeded=bool(args.database))
        keep = keep or args.keep
    finally:
        from services.db import get_engine

        get_engine().dispose()
        if keep:
            print(f"\nkept: database {database}")
        else:
            with psycopg.connect(ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def tokens() -> dict[str, list[str]]:
    """API tokens of the admin, 10 agents and 10 inspectors, made as zhijian makes them."""
    from sqlalchemy import select

    from services.db import session_scope
    from services.people import service as people_service
    from services.people.tables import User

    made: dict[str, list[str]] = {"admin": [], "agent": [], "inspector": []}
    with session_scope() as db_session:
        names = ["bench-admin"] + [f"bench-a{7 * n}" for n in range(10)]
        names += [f"insp-{n}" for n in range(10)]
        for user in db_session.scalars(select(User).where(User.username.in_(names))):
            made[user.role].append(people_service.create_token(db_session=db_session, user=user))
    return made


def run(database: str, calls: int, repeats: int, *, seeded: bool) -> None:
    """The benchmark proper, on the fresh database."""
    from fastapi.testclient import TestClient

    from services.api.app import create_app
    from services.db import upgrade_schema

    upgrade_schema()
    if not seeded:
        started = time.perf_counter()
        seed(f"postgresql://postgres@127.0.0.1:5432/{database}", calls)
        print(f"seeded {calls:,} calls in {time.perf_counter() - started:.0f} s")
    sizes(database)
    keys = tokens()
    statements = StatementLog()
    rng = random.Random(18)
    results: list[tuple[str, float, float, float]] = []
    print(
        f"\n{repeats} runs each, ms{'':22}  n     p50     p95 SQL p50 SQL p95  SQLs   goal p95 < 50"
    )
    with TestClient(create_app()) as client:
        for name, role, first_url, pages in cases(calls):
            statements.start(name)
            times: list[float] = []
            in_sql: list[float] = []
            counts: list[int] = []
            client.get(first_url(rng), headers={"Authorization": f"Bearer {keys[role][0]}"})
            statements.take()  # the warm-up request (first use of a plan, a page read in)
            for _ in range(repeats):
                url: str | None = first_url(rng)
                headers = {"Authorization": f"Bearer {rng.choice(keys[role])}"}
                for _page in range(pages):
                    assert url is not None
                    statements.take()
                    begun = time.perf_counter()
                    answer = client.get(url, headers=headers)
                    times.append(1000 * (time.perf_counter() - begun))
                    spent, count = statements.take()
                    in_sql.append(spent)
                    counts.append(count)
                    assert answer.status_code == 200, (url, answer.status_code, answer.text)
                    body = answer.json()
                    cursor = body.get("next_cursor") if isinstance(body, dict) else None
                    if not cursor:
                        break
                    url = f"{url.split('&cursor=')[0]}&cursor={cursor}"
            p50, p95 = percentiles(times)
            sql_p50, sql_p95 = percentiles(in_sql)
            results.append((name, p50, p95, sql_p50))
            verdict = "met" if p95 < GOAL_MS else "NOT met"
            print(
                f"{name:40} {len(times):4} {p50:7.1f} {p95:7.1f} {sql_p50:7.1f} {sql_p95:7.1f} "
                f"{statistics.median(counts):5.0f}   {verdict}"
            )
    # The plan worth reading is that of the request that waits longest on the database.
    slowest = max(results, key=lambda r: r[3])[0]
    statements.explain(slowest)


def percentiles(samples: list[float]) -> tuple[float, float]:
    """p50 and p95."""
    if len(samples) < 2:
        return samples[0], samples[0]
    return statistics.median(samples), statistics.quantiles(samples, n=20, method="inclusive")[-1]


def sizes(database: str) -> None:
    """Rows and size on disk of the big tables: what the figures were measured on."""
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{database}") as conn:
        rows = conn.execute(
            "SELECT relname, reltuples::bigint, pg_total_relation_size(oid) FROM pg_class "
            "WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace "
            "AND reltuples > 10000 ORDER BY 3 DESC"
        ).fetchall()
    print(", ".join(f"{name} {count:,} rows {size / 2**20:,.0f} MiB" for name, count, size in rows))


class StatementLog:
    """The SQL each timed request runs: time and count per request, and per statement text
    its durations, to EXPLAIN the statement that is slowest at the median (one stalled by a
    busy machine is noise) of the slowest request at the end."""

    def __init__(self) -> None:
        from sqlalchemy import event

        from services.db import get_engine

        self.case = ""
        self.spent = 0.0  # seconds in SQL since the last ``take``
        self.count = 0  # statements since the last ``take``
        self.runs: dict[str, dict[str, tuple[list[float], Any]]] = defaultdict(dict)
        engine = get_engine()
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def start(self, case: str) -> None:
        self.case = case

    def take(self) -> tuple[float, int]:
        """Milliseconds spent in SQL and statements run since the last call."""
        spent, count, self.spent, self.count = self.spent, self.count, 0.0, 0
        return 1000 * spent, count

    def _before(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        conn.info["bench.started"] = time.perf_counter()

    def _after(self, conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        took = time.perf_counter() - conn.info.pop("bench.started", time.perf_counter())
        self.spent += took
        self.count += 1
        durations, _ = self.runs[self.case].get(statement, ([], None))
        self.runs[self.case][statement] = ([*durations, took], parameters)

    def explain(self, case: str) -> None:
        from services.db import get_engine

        statement, (durations, parameters) = max(
            self.runs[case].items(), key=lambda item: statistics.median(item[1][0])
        )
        median = 1000 * statistics.median(durations)
        print(f"\nslowest request by SQL: {case}; its slowest statement ({median:.1f} ms median):")
        raw = get_engine().raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", parameters)
            print("\n".join(f"  {line}" for (line,) in cursor.fetchall()))
            print(f"  -- parameters: {parameters}")
        finally:
            raw.close()


if __name__ == "__main__":
    main()
