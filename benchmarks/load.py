"""Load test: 200 concurrent clients reading and uploading against a real ``zhijian api``.

1. Uses a seeded database (``--database``, e.g. one ``benchmarks/api.py --keep`` left; kept), or
   creates and seeds its own with ``--calls`` calls (``benchmarks/api_seed.py``; dropped at the
   end, also on failure).
2. Starts an S3 server (SeaweedFS, ``services/local/processes.py``) and ``zhijian api`` on
   loopback (``--api-workers`` uvicorn processes); the broker is Redis database ``--redis-db``
   (default ``ZHIJIAN_TEST_REDIS_DB``, else 12), flushed before and after: no worker runs, the
   uploads' transcriptions only queue.
3. Runs ``--clients`` (200) clients for ``--seconds`` (120), each sending one request after
   another: 10 % uploads (a distinct one-second WAV with metadata, as a manager's token), the
   rest reads as the pages people open (calls lists with filters and paging, a call, review
   queues, evaluations, the audit log) as an admin, inspector or agent.
4. Prints throughput, p50/p95/p99 per kind of request, every status that was not 2xx, and
   checks that every accepted upload (202) is stored: its call row in the database and its
   object in S3. Goal: no 5xx; every accepted upload stored.

Run it from the repository root, PostgreSQL at 127.0.0.1:5432 (user postgres, trust), Redis at
127.0.0.1:6379::

    .venv/bin/python benchmarks/load.py --database zhijian_bench_… [--seconds 120]
"""

import argparse
import asyncio
import io
import json
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
import wave
from collections import Counter, defaultdict
from pathlib import Path

import httpx
import psycopg
import redis

sys.path.insert(0, str(Path(__file__).resolve().parent))

from api import ADMIN, percentiles, tokens
from api_seed import seed
from machine import describe

UPLOAD_SHARE = 0.10


def recording(rng: random.Random) -> bytes:
    """A one-second stereo 8 kHz WAV of noise: distinct bytes, so every upload is a new call."""
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(2)
        wav.setsampwidth(2)
        wav.setframerate(8000)
        wav.writeframes(rng.randbytes(8000 * 2 * 2))
    return out.getvalue()


def read_url(rng: random.Random, calls: int) -> tuple[str, str, str]:
    """A read people do all day, picked evenly: (kind, role, path)."""
    month = rng.randint(1, 11)
    period = f"from=2025-{month:02d}-01T00:00:00Z&to=2025-{month + 1:02d}-01T00:00:00Z"
    full = 100 * rng.randrange(1, int(calls * 0.99) // 100)
    choices = [
        ("calls, team + status", "admin",
         f"/api/v1/calls?team=T{rng.randrange(20)}&status=scored&limit=50"),
        ("calls, flagged in a month", "admin", f"/api/v1/calls?flagged=true&{period}&limit=50"),
        ("calls, an agent's in a month", "admin",
         f"/api/v1/calls?agent_id=A{rng.randrange(300)}&{period}&limit=50"),
        ("calls, an agent's own", "agent", "/api/v1/calls?limit=50"),
        ("calls, an inspector's", "inspector", "/api/v1/calls?limit=50"),
        ("one call, 40 turns", "admin", f"/api/v1/calls/{full}"),
        ("one call, any", "admin", f"/api/v1/calls/{rng.randrange(1, calls)}"),
        ("review queue, an inspector's", "inspector", "/api/v1/reviews?status=open"),
        ("evaluations, an agent's own", "agent", "/api/v1/evaluations"),
        ("audit log, newest page", "admin", "/api/v1/audit"),
    ]  # fmt: skip
    return rng.choice(choices)


async def client_loop(
    n: int,
    http: httpx.AsyncClient,
    keys: dict[str, list[str]],
    calls: int,
    until: float,
    log: list[tuple[str, int, float]],
    accepted: list[int],
) -> None:
    """One client: request after request until the time is up."""
    rng = random.Random(n)
    uploads = 0
    while time.monotonic() < until:
        begun = time.perf_counter()
        if rng.random() < UPLOAD_SHARE:
            uploads += 1
            kind = "upload"
            metadata = {
                "external_id": f"LOAD-{n}-{uploads}-{secrets.token_hex(4)}",
                "agent_id": f"A{rng.randrange(300)}",
                "team": f"T{rng.randrange(20)}",
                "channels": {"agent": 0, "customer": 1},
            }
            try:
                answer = await http.post(
                    "/api/v1/calls",
                    headers={"Authorization": f"Bearer {keys['admin'][0]}"},
                    files={"audio": ("call.wav", recording(rng), "audio/wav")},
                    data={"metadata": json.dumps(metadata)},
                )
            except httpx.HTTPError as error:
                log.append((kind, -1, 1000 * (time.perf_counter() - begun)))
                print(f"client {n}: {type(error).__name__}: {error}")
                continue
            if answer.status_code == 202:
                accepted.append(answer.json()["id"])
        else:
            kind, role, path = read_url(rng, calls)
            try:
                answer = await http.get(
                    path, headers={"Authorization": f"Bearer {rng.choice(keys[role])}"}
                )
            except httpx.HTTPError as error:
                log.append((kind, -1, 1000 * (time.perf_counter() - begun)))
                print(f"client {n}: {type(error).__name__}: {error}")
                continue
        log.append((kind, answer.status_code, 1000 * (time.perf_counter() - begun)))


async def load(port: int, keys: dict[str, list[str]], args: argparse.Namespace) -> None:
    """Runs the clients and prints what they saw and what was stored."""
    log: list[tuple[str, int, float]] = []
    accepted: list[int] = []
    # Idle connections are dropped before the server's keep-alive timeout (uvicorn: 5 s) ends
    # them: reusing one the server is closing at that moment breaks the request.
    limits = httpx.Limits(
        max_connections=args.clients, max_keepalive_connections=args.clients, keepalive_expiry=2
    )
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=httpx.Timeout(60.0)
    ) as http:
        started = time.monotonic()
        until = started + args.seconds
        await asyncio.gather(
            *(
                client_loop(n, http, keys, args.calls, until, log, accepted)
                for n in range(args.clients)
            )
        )
        elapsed = time.monotonic() - started
    print(
        f"\n{args.clients} clients, {elapsed:.0f} s: {len(log):,} requests, "
        f"{len(log) / elapsed:.1f} per second"
    )
    by_kind: dict[str, list[float]] = defaultdict(list)
    for kind, _status, ms in log:
        by_kind[kind].append(ms)
    every = [ms for _kind, _status, ms in log]
    print(f"{'request, ms':44} {'count':>7} {'p50':>8} {'p95':>8} {'p99':>8}")
    for kind, times in [*sorted(by_kind.items()), ("all", every)]:
        p50, p95 = percentiles(times)
        p99 = sorted(times)[min(len(times) - 1, int(len(times) * 0.99))]
        print(f"{kind:44} {len(times):7,} {p50:8.0f} {p95:8.0f} {p99:8.0f}")
    statuses = Counter((kind, status) for kind, status, _ms in log if not 200 <= status < 300)
    fivexx = sum(n for (_kind, status), n in statuses.items() if status >= 500 or status < 0)
    print(f"not 2xx: {dict(statuses) or 'none'}; 5xx and broken connections: {fivexx}")
    check_stored(accepted, sum(1 for kind, _s, _ms in log if kind == "upload"))


def check_stored(accepted: list[int], sent: int) -> None:
    """Every accepted upload has its call row and its object in S3."""
    from services import storage
    from services.config import get_settings

    url = os.environ["ZHIJIAN_DATABASE_URL"].replace("+psycopg", "")
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT id, bucket, object_key FROM calls WHERE id = ANY(%s)", (accepted,)
        ).fetchall()
    client = storage.client()
    in_s3 = 0
    for _id, bucket, key in rows:
        try:
            client.stat_object(bucket, key)
            in_s3 += 1
        except Exception as error:  # counted and shown, not raised
            print(f"missing in S3: {bucket}/{key}: {error}")
    print(
        f"uploads: {sent:,} sent, {len(accepted):,} accepted (202), {len(rows):,} of them in "
        f"the database, {in_s3:,} in S3 (bucket {get_settings().bucket})"
    )


def main() -> None:
    """Sets up the stack, runs the load, tears everything down whatever happens."""
    from services.local.processes import S3Server, free_port, stop_process

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="a seeded database by name (kept)")
    parser.add_argument("--calls", type=int, default=1_000_000, help="seeded (or to seed)")
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--api-workers", type=int, default=2)
    parser.add_argument(
        "--redis-db", type=int, default=int(os.environ.get("ZHIJIAN_TEST_REDIS_DB", "12"))
    )
    args = parser.parse_args()
    print(describe())
    database = args.database or f"zhijian_bench_{secrets.token_hex(4)}"
    if not args.database:
        with psycopg.connect(ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{database}"')
    tmp = Path(tempfile.mkdtemp(prefix="zhijian-load-"))
    broker = f"redis://127.0.0.1:6379/{args.redis_db}"
    redis.Redis.from_url(broker).flushdb()
    s3 = S3Server(tmp / "s3", access_key="load", secret_key=secrets.token_hex(16))
    env = {
        "ZHIJIAN_DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:5432/{database}",
        "ZHIJIAN_BROKER_URL": broker,
        "ZHIJIAN_S3_ACCESS_KEY": s3.access_key,
        "ZHIJIAN_S3_SECRET_KEY": s3.secret_key,
        "ZHIJIAN_S3_ENDPOINT": s3.endpoint,
        "ZHIJIAN_BUCKET": "load",
        "ZHIJIAN_DEFAULT_LANGUAGE": "en",
    }
    os.environ.update(env)
    api: subprocess.Popen[bytes] | None = None
    try:
        from services import storage
        from services.db import upgrade_schema

        upgrade_schema()
        if not args.database:
            seed(f"postgresql://postgres@127.0.0.1:5432/{database}", args.calls)
        s3.start()
        storage.ensure_bucket("load")
        keys = tokens()
        port = free_port()
        api = subprocess.Popen(
            [str(Path(sys.executable).with_name("zhijian")), "api", "--port", str(port),
             "--workers", str(args.api_workers)],
            stdout=(tmp / "api.log").open("ab"), stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        wait_ready(port, api, tmp / "api.log")
        print(f"zhijian api on 127.0.0.1:{port} ({args.api_workers} workers), database {database}")
        asyncio.run(load(port, keys, args))
    finally:
        stop_process(api)
        s3.stop()
        redis.Redis.from_url(broker).flushdb()
        from services.db import get_engine

        get_engine().dispose()
        if not args.database:
            with psycopg.connect(ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def wait_ready(port: int, api: subprocess.Popen[bytes], log: Path) -> None:
    """Until the API answers /healthz (its database reachable)."""
    deadline = time.monotonic() + 60
    while True:
        if api.poll() is not None:
            raise RuntimeError(f"zhijian api exited:\n{log.read_text(errors='replace')}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"zhijian api did not start:\n{log.read_text(errors='replace')}")
        time.sleep(0.5)


if __name__ == "__main__":
    main()
