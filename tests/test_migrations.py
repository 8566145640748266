"""The migrations build exactly the schema the tables declare."""

import json
import secrets

import psycopg
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from services.db import Base, alembic_config, get_engine, upgrade_schema

ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def test_migrations_match_the_tables_on_postgresql():
    with get_engine().connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)

    assert diff == []


def test_migrations_run_on_the_embedded_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'z.db'}"
    upgrade_schema(url)
    upgrade_schema(url)  # idempotent

    with get_engine(url).connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_word_boundaries_stored_as_cuts_become_word_edges_and_back(tmp_path):
    url = f"sqlite:///{tmp_path / 'z.db'}"
    config = alembic_config(url)
    command.upgrade(config, "0011")
    with get_engine(url).begin() as connection:
        connection.execute(
            text(
                "INSERT INTO calls (bucket, object_key, object_version, source, extra, status,"
                " deliveries, created_at, updated_at, flagged) VALUES ('b', 'k', 'v', 's', '{}',"
                " 'new', 0, '2026-01-01', '2026-01-01', 0)"
            )
        )
        connection.execute(
            text(
                'INSERT INTO turns (call_id, idx, role, channel, start, "end", text, words,'
                " confidence, norm, cuts, units, redactions) VALUES"
                " (1, 0, 'agent', 0, 0, 1, '我要投诉', '[]', 1, '我要投诉', '[0, 2, 4]', 4, '[]'),"
                " (1, 1, 'agent', 0, 1, 2, 'refund', '[]', 1, 'refund', '[]', 1, '[]'),"
                " (1, 2, 'agent', 0, 2, 3, 'x', '[]', 1, NULL, NULL, NULL, '[]')"
            )
        )

    command.upgrade(config, "head")
    with get_engine(url).connect() as connection:
        edges = connection.execute(text("SELECT word_edges FROM turns ORDER BY idx")).scalars()
        assert list(edges) == ["10101", "1000001", None]  # 我要|投诉; English: its ends

    command.downgrade(config, "0011")
    with get_engine(url).connect() as connection:
        cuts = connection.execute(text("SELECT cuts FROM turns ORDER BY idx")).scalars()
        assert [json.loads(c) if c else c for c in cuts] == [[0, 2, 4], [0, 6], None]


def test_mono_calls_keep_both_parties_on_one_channel_and_the_downgrade_keeps_the_agent(tmp_path):
    url = f"sqlite:///{tmp_path / 'z.db'}"
    config = alembic_config(url)
    command.upgrade(config, "head")
    with get_engine(url).begin() as connection:
        connection.execute(
            text(
                "INSERT INTO calls (bucket, object_key, object_version, source, extra, status,"
                " deliveries, created_at, updated_at, flagged, speaker_roles) VALUES ('b', 'k',"
                " 'v', 's', '{}', 'new', 0, '2026-01-01', '2026-01-01', 0, '{}')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO channel_activity (call_id, channel, role, regions) VALUES"
                " (1, 0, 'agent', '[[0, 1]]'), (1, 0, 'customer', '[[1, 2]]')"
            )
        )

    command.downgrade(config, "0014")
    with get_engine(url).connect() as connection:
        roles = connection.execute(text("SELECT role FROM channel_activity")).scalars()
        assert list(roles) == ["agent"]
    command.upgrade(config, "head")


def test_a_call_evaluated_twice_keeps_its_newest_evaluation_and_its_oldest_open_review(tmp_path):
    url = f"sqlite:///{tmp_path / 'z.db'}"
    config = alembic_config(url)
    command.upgrade(config, "0015")
    evaluation = (
        "INSERT INTO evaluations (review_id, version, call_id, inspector_id, pack, pack_version,"
        " items, sections, total, maximum, auto_failed, comment, why, created_by, created_at)"
        " VALUES ({review}, 1, 1, 1, 'p', 'v', '[]', '[]', 1, 1, 0, '', 'review', 'i',"
        " '2026-01-01')"
    )
    review = (
        "INSERT INTO reviews (call_id, inspector_id, status, priority, reason, assigned_at, draft)"
        " VALUES (1, 1, '{status}', 1, 'r', '2026-01-01', '{{}}')"
    )
    with get_engine(url).begin() as connection:
        for statement in (
            "INSERT INTO calls (bucket, object_key, object_version, source, extra, status,"
            " deliveries, created_at, updated_at, flagged) VALUES ('b', 'k', 'v', 's', '{}',"
            " 'scored', 0, '2026-01-01', '2026-01-01', 0)",
            "INSERT INTO users (username, role, active, created_at) VALUES"
            " ('i', 'inspector', 1, '2026-01-01')",
            review.format(status="submitted"),
            review.format(status="submitted"),
            review.format(status="open"),
            review.format(status="open"),
            evaluation.format(review=1),
            evaluation.format(review=2),
        ):
            connection.execute(text(statement))

    command.upgrade(config, "head")
    with get_engine(url).connect() as connection:
        evaluations = connection.execute(
            text("SELECT id, superseded_by FROM evaluations ORDER BY id")
        ).all()
        reviews = connection.execute(text("SELECT id, status FROM reviews ORDER BY id")).all()
    assert [tuple(e) for e in evaluations] == [(1, 2), (2, None)]
    assert [tuple(r) for r in reviews] == [(1, "submitted"), (2, "submitted"), (3, "open")]

    command.downgrade(config, "0015")
    command.upgrade(config, "head")


def test_scores_kept_as_json_text_on_postgresql_survive_the_change_both_ways():
    database = f"zhijian_migrate_{secrets.token_hex(4)}"
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{database}"')
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{database}"
    config = alembic_config(url)
    engine = get_engine(url)
    items = [{"id": "greeting", "name": "标准开场白", "earned": 10.0, "status": "pass"}]
    try:
        command.upgrade(config, "0030")
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO calls (bucket, object_key, object_version, source, extra, status,"
                    " deliveries, created_at, updated_at, flagged, content_scope) VALUES"
                    " ('b', 'k', 'v', 's', '{}', 'scored', 0, now(), now(), false, '')"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO scores (call_id, pack, pack_version, total, maximum, auto_failed,"
                    " flagged, reasons, sections, items, created_at) VALUES (1, 'p', 'v1', 10, 10,"
                    " false, false, '[]', '[]', :items, now())"
                ),
                {"items": json.dumps(items, ensure_ascii=False)},
            )

        def stored() -> tuple[object, ...]:
            query = text("SELECT pg_typeof(items)::text, items::text::jsonb FROM scores")
            with engine.connect() as connection:
                return tuple(connection.execute(query).one())

        command.upgrade(config, "head")
        assert stored() == ("json", items)
        command.downgrade(config, "0030")
        assert stored() == ("jsonb", items)
    finally:
        engine.dispose()
        with psycopg.connect(ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
