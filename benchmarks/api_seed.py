"""The million-call year that ``benchmarks/api.py`` and ``benchmarks/load.py`` measure the API on.

Seeded in SQL with generate_series: no row leaves PostgreSQL, so a million calls take minutes,
not hours. What is seeded, for ``calls`` calls (1,000,000):

- 300 agents in 20 teams (``A0``…``A299``, ``T0``…``T19``), 20 inspectors (``insp-0``…) each
  watching one of 10 areas (two teams each), one admin (``bench-admin``);
- the calls over 2025 in id order (ids follow arrival, as in production), 8 queues; 99.3 %
  ``scored``, 0.5 % ``failed``, the newest 0.2 % still ``received``; about 6 % flagged;
- turns, summarised: every call has 2 turns (greeting and answer, no word timings), and every
  100th call a full transcript of 40 turns, the one the detail page is timed on;
- per scored call: its metrics, one score, 3 rule results, and a hit (two hit rows, 3 % per rule);
- reviews of 3 % of the scored calls, picked by a hash of the id (every agent has some): the
  older 90 % submitted, each with an evaluation (version 1, 90 % released), the newest 10 %
  open in the inspectors' queues;
- one audit row per call (a listen, 85 %; metadata changes and review submissions).
"""

import psycopg

SEED_SQL = """
INSERT INTO teams (name, display_name, active, created_at)
SELECT 'T' || t, 'Team ' || t, true, now() FROM generate_series(0, 19) t;

INSERT INTO users (username, role, team, agent_id, active, hired_on, created_at)
SELECT 'bench-a' || a, 'agent', 'T' || (a % 20), 'A' || a, true,
       date '2025-01-01' + ((a * 37) % 700 - 350), now()
FROM generate_series(0, 299) a;

INSERT INTO users (username, role, active, created_at)
SELECT 'insp-' || i, 'inspector', true, now() FROM generate_series(0, 19) i;
INSERT INTO users (username, role, active, created_at) VALUES ('bench-admin', 'admin', true, now());

INSERT INTO areas (name, queues, teams, active)
SELECT 'area-' || r, '[]', jsonb_build_array('T' || (2 * r), 'T' || (2 * r + 1)), true
FROM generate_series(0, 9) r;
INSERT INTO user_areas (user_id, area_id)
SELECT u.id, a.id FROM users u JOIN areas a ON a.name = 'area-' || (substr(u.username, 6)::int % 10)
WHERE u.role = 'inspector';

INSERT INTO calls (id, bucket, object_key, object_version, size_bytes, content_sha256,
                   content_scope, source, external_id, agent_id, team, queue, direction,
                   started_at, language, channel_map, extra, status, failure_reason, deliveries,
                   duration_s, channels, sample_rate, asr_model, flagged, created_at, updated_at)
SELECT i, 'recordings', 'bench/' || i || '.wav', 'v', 2400000, md5(i::text) || md5((-i)::text),
       '', 'upload', 'PBX-' || i, 'A' || (i % 300), 'T' || ((i % 300) % 20), 'Q' || (i % 8),
       'inbound', s, 'zh', '{"agent": 0, "customer": 1}', '{}',
       CASE WHEN i > %(calls)s * 0.998 THEN 'received'
            WHEN i % 200 = 7 THEN 'failed' ELSE 'scored' END,
       CASE WHEN i % 200 = 7 AND i <= %(calls)s * 0.998 THEN 'the recording is damaged' END,
       1, 60 + (hashint4(i) & 511), 2, 8000, 'small',
       (hashint4(i + 7) & 255) < 16 AND i % 200 <> 7 AND i <= %(calls)s * 0.998, s, s
FROM generate_series(1, %(calls)s) i,
     LATERAL (SELECT timestamptz '2025-01-01 01:00+00'
                     + (i::float8 / %(calls)s) * interval '365 days'
                     + (i % 7) * interval '1 hour' AS s) t;

INSERT INTO turns (call_id, idx, role, channel, start, "end", text, words, confidence, norm,
                   units, redactions)
SELECT c.id, k, CASE WHEN k % 2 = 0 THEN 'agent' ELSE 'customer' END, k % 2, k * 6.0,
       k * 6.0 + 5.0, x.t, '[]', 0.9, x.t, 12, '[]'
FROM calls c,
     LATERAL generate_series(0, CASE WHEN c.id % 100 = 0 THEN 39 ELSE 1 END) k,
     LATERAL (SELECT CASE WHEN k % 2 = 0 THEN '您好，这里是客服中心，请问有什么可以帮您？'
                          ELSE '我想查询一下我的账单，上个月的费用好像不对。' END AS t) x
WHERE c.status <> 'received';

INSERT INTO call_metrics (call_id, metrics, computed_at)
SELECT id, '{"talk_ratio": 0.55, "silence_ratio": 0.08, "overtalk_s": 1.5}', now()
FROM calls WHERE status = 'scored';

INSERT INTO scores (id, call_id, pack, pack_version, total, maximum, percent, auto_failed,
                    flagged, reasons, sections, items, created_at)
SELECT id, id, 'bench', '1', 90, 100, 60 + (hashint4(id::int) & 63) * 0.6, false, flagged,
       '[]', '[]', '[]', started_at + interval '5 minutes'
FROM calls WHERE status = 'scored';

INSERT INTO rule_results (call_id, pack, pack_version, rule_id, category, severity, status)
SELECT id, 'bench', '1', 'R' || r, 'C' || r, 'major',
       CASE WHEN (hashint8(id * 16 + r) & 65535) < 1966 THEN 'hit' ELSE 'pass' END
FROM calls, generate_series(0, 2) r WHERE status = 'scored';

INSERT INTO hits (call_id, pack, pack_version, rule_id, category, severity, role, start, "end",
                  turn_ids, text)
SELECT call_id, pack, pack_version, rule_id, category, severity, 'agent', s, s + 2, '[]',
       '请问有什么可以帮您'
FROM rule_results, (VALUES (3.0), (40.0)) AS t(s) WHERE status = 'hit';

INSERT INTO reviews (call_id, inspector_id, status, priority, reason, assigned_at, draft,
                     submitted_at)
SELECT c.id, u.id, CASE WHEN c.id <= %(calls)s * 0.9 THEN 'submitted' ELSE 'open' END,
       CASE WHEN c.flagged THEN 0 ELSE 1 END, 'sampled', c.started_at + interval '1 day', '{}',
       CASE WHEN c.id <= %(calls)s * 0.9 THEN c.started_at + interval '2 days' END
FROM calls c JOIN users u ON u.username = 'insp-' || (c.id % 20)
WHERE (hashint4(c.id::int + 11) & 1023) < 31 AND c.status = 'scored';

INSERT INTO evaluations (review_id, version, call_id, agent_id, team, inspector_id, pack,
                         pack_version, items, sections, total, maximum, percent, auto_failed,
                         comment, why, created_by, created_at, released_at, released_by)
SELECT r.id, 1, r.call_id, c.agent_id, c.team, r.inspector_id, 'bench', '1', '[]', '[]',
       85, 100, 85, false, '', 'review', 'insp', r.submitted_at,
       CASE WHEN r.id % 10 <> 0 THEN r.submitted_at + interval '1 hour' END,
       CASE WHEN r.id % 10 <> 0 THEN 'insp' END
FROM reviews r JOIN calls c ON c.id = r.call_id WHERE r.status = 'submitted';

INSERT INTO audit_log (at, username, action, call_id, address, detail)
SELECT started_at + interval '1 day',
       CASE WHEN h < 217 THEN 'insp-' || (id % 20) ELSE 'bench-admin' END,
       CASE WHEN h < 217 THEN 'call.listen' WHEN h < 243 THEN 'call.metadata'
            ELSE 'review.submit' END,
       id, '10.0.0.' || (id % 200), '{}'
FROM calls, LATERAL (SELECT hashint4(id::int + 3) & 255 AS h) x;

SELECT setval(pg_get_serial_sequence('calls', 'id'), %(calls)s);
SELECT setval(pg_get_serial_sequence('scores', 'id'), %(calls)s);
VACUUM ANALYZE;
"""


def seed(dsn: str, calls: int) -> None:
    """Seeds the year into the (migrated, empty) database at ``dsn``, statement by statement
    (VACUUM cannot run inside a transaction block)."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        for statement in SEED_SQL.replace("%(calls)s", str(calls)).split(";\n"):
            if statement.strip():
                conn.execute(statement)
