"""The migrations build exactly the schema the tables declare."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from services.db import Base, get_engine, upgrade_schema


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
