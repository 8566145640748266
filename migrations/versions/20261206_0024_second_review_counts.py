"""second-review counts: how many of a recalibrated inspector's reviews were submitted and
given a second reviewer since the manager's choice

Review assignment gives the chosen share of a flagged inspector's submitted reviews to a second
inspector; the two counters keep that share exact (every k-th review, not a coin toss).

Revision ID: 0024
Revises: 0025
Create Date: 2026-12-06 08:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0024'
down_revision: str | None = '0025'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('calibration_second_reviews') as batch:
        batch.add_column(sa.Column('submitted', sa.Integer(), server_default='0', nullable=False))
        batch.add_column(sa.Column('seconded', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('calibration_second_reviews') as batch:
        batch.drop_column('seconded')
        batch.drop_column('submitted')
