"""coachings: training sessions recorded for the coaching-effect report

Revision ID: 0023
Revises: 0024
Create Date: 2026-12-06 07:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0023'
down_revision: str | None = '0024'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
JSON = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')


def upgrade() -> None:
    op.create_table(
        'coachings',
        sa.Column('id', ID, nullable=False),
        sa.Column('coached_on', sa.Date(), nullable=False),
        sa.Column('agent_ids', JSON, nullable=False),
        sa.Column('rule_ids', JSON, nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('created_by', sa.String(length=150), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_coachings')),
    )
    op.create_index(op.f('ix_coachings_coached_on'), 'coachings', ['coached_on'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_coachings_coached_on'), table_name='coachings')
    op.drop_table('coachings')
