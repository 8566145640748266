"""channel activity

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 12:34:05.939863
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('channel_activity',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('call_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('channel', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('regions', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('loudness_dbfs', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_channel_activity_call_id_calls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_channel_activity')),
    sa.UniqueConstraint('call_id', 'channel', name='uq_channel_activity_call_channel')
    )
    op.create_index(op.f('ix_channel_activity_call_id'), 'channel_activity', ['call_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_channel_activity_call_id'), table_name='channel_activity')
    op.drop_table('channel_activity')
