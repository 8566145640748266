"""rotation periods come into force at their start

A period planned ahead no longer changes the inspectors' current areas at once: they take the
plan when it comes into force, once (applied_at), so areas set by hand afterwards stay until the
next period. Periods planned before this were applied when they were planned.

Revision ID: 0017
Revises: 0015
Create Date: 2026-12-06 06:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0017'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('rotation_periods') as batch:
        batch.add_column(sa.Column('applied_at', sa.DateTime(timezone=True), nullable=True))
    op.execute('UPDATE rotation_periods SET applied_at = created_at')


def downgrade() -> None:
    with op.batch_alter_table('rotation_periods') as batch:
        batch.drop_column('applied_at')
