"""one evaluation per call, one open review per call, plans deleted softly

A call has one evaluation in force (a second review of it is a re-evaluation: a new version of
the same evaluation) and sits in a queue once. Data from before keeps the newest evaluation of a
call in force (the older ones become superseded by it) and the oldest open review of a call (the
later duplicates, never submitted, are dropped). A sampling plan that runs refer to is deleted
softly; only live plans' names must differ.

Revision ID: 0016
Revises: 0018
Create Date: 2026-12-06 06:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0016'
down_revision: str | None = '0018'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CURRENT = sa.text("superseded_by IS NULL")
OPEN = sa.text("status = 'open'")
LIVE = sa.text("deleted_at IS NULL")


def upgrade() -> None:
    op.execute(
        "UPDATE evaluations SET superseded_by = (SELECT MAX(newer.id) FROM evaluations newer"
        " WHERE newer.call_id = evaluations.call_id AND newer.superseded_by IS NULL)"
        " WHERE superseded_by IS NULL AND id < (SELECT MAX(newer.id) FROM evaluations newer"
        " WHERE newer.call_id = evaluations.call_id AND newer.superseded_by IS NULL)"
    )
    op.create_index(
        'uq_evaluations_current_call', 'evaluations', ['call_id'], unique=True,
        postgresql_where=CURRENT, sqlite_where=CURRENT,
    )  # fmt: skip
    op.execute(
        "DELETE FROM reviews WHERE status = 'open' AND EXISTS (SELECT 1 FROM reviews older"
        " WHERE older.call_id = reviews.call_id AND older.status = 'open'"
        " AND older.id < reviews.id)"
    )
    op.create_index(
        'uq_reviews_open_call', 'reviews', ['call_id'], unique=True,
        postgresql_where=OPEN, sqlite_where=OPEN,
    )  # fmt: skip
    with op.batch_alter_table('sampling_plans') as batch:
        batch.add_column(sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True))
        batch.drop_constraint('uq_sampling_plans_name', type_='unique')
    op.create_index(
        'uq_sampling_plans_live_name', 'sampling_plans', ['name'], unique=True,
        postgresql_where=LIVE, sqlite_where=LIVE,
    )  # fmt: skip


def downgrade() -> None:
    op.drop_index('uq_sampling_plans_live_name', table_name='sampling_plans')
    # Deleted plans' names may clash with live ones: they keep their id to stay apart.
    op.execute(
        "UPDATE sampling_plans SET name = name || ' (deleted ' || CAST(id AS VARCHAR(20)) || ')'"
        " WHERE deleted_at IS NOT NULL"
    )
    with op.batch_alter_table('sampling_plans') as batch:
        batch.drop_column('deleted_at')
        batch.create_unique_constraint('uq_sampling_plans_name', ['name'])
    op.drop_index('uq_reviews_open_call', table_name='reviews')
    op.drop_index('uq_evaluations_current_call', table_name='evaluations')
