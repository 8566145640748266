"""reviews

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-25 14:04:25.171123
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('reviews',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('call_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('run_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('inspector_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_reviews_call_id_calls'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['inspector_id'], ['users.id'], name=op.f('fk_reviews_inspector_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['run_id'], ['sampling_runs.id'], name=op.f('fk_reviews_run_id_sampling_runs'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reviews')),
    sa.UniqueConstraint('run_id', 'call_id', name='uq_reviews_run_call')
    )
    op.create_index('ix_reviews_call_id', 'reviews', ['call_id'], unique=False)
    op.create_index('ix_reviews_inspector_status', 'reviews', ['inspector_id', 'status', 'priority', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_reviews_inspector_status', table_name='reviews')
    op.drop_index('ix_reviews_call_id', table_name='reviews')
    op.drop_table('reviews')
