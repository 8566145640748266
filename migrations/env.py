"""Alembic environment: the URL comes from zhijian's settings unless the caller set one."""

from alembic import context
from sqlalchemy import engine_from_config, pool

import services.audit.tables
import services.calibration.tables
import services.calls.tables
import services.health.tables
import services.notifications.tables
import services.people.tables
import services.qa.discipline.tables
import services.qa.disputes.tables
import services.qa.evaluations.tables
import services.qa.reviews.tables
import services.qa.rotation.tables
import services.qa.sampling.tables
import services.reports.tables
import services.scoring.rescore.tables
import services.scoring.tables
import services.speech.tables  # noqa: F401 - registers the tables on Base.metadata
from services.config import get_settings
from services.db import Base

config = context.config
url = config.get_main_option("sqlalchemy.url") or get_settings().database_url
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    """Emits SQL without a database connection."""
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Applies migrations over a connection; batch mode lets SQLite alter tables."""
    engine = engine_from_config(
        {"sqlalchemy.url": url}, prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
