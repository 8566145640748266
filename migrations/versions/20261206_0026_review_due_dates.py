"""review due dates

A review made by a sampling run is due by the end of the center's day a number of days after
the run (the plan's ``review_within_days``, kept in its JSON spec); reviews made before have no
due date.

Revision ID: 0026
Revises: 0023
Create Date: 2026-12-06 09:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0026'
down_revision: str | None = '0023'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('reviews') as batch:
        batch.add_column(sa.Column('due_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('reviews') as batch:
        batch.drop_column('due_at')
