"""sampling and tenure

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 13:49:47.129048
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('sampling_plans',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('spec', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sampling_plans')),
    sa.UniqueConstraint('name', name=op.f('uq_sampling_plans_name'))
    )
    op.create_table('sampling_runs',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('plan_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('period_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('period_end', sa.DateTime(timezone=True), nullable=False),
    sa.Column('seed', sa.BigInteger(), nullable=False),
    sa.Column('spec', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_by', sa.String(length=150), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['sampling_plans.id'], name=op.f('fk_sampling_runs_plan_id_sampling_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sampling_runs')),
    sa.UniqueConstraint('plan_id', 'period_start', name='uq_sampling_runs_period')
    )
    op.create_table('sampled_calls',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('run_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('call_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('agent_id', sa.String(length=255), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_sampled_calls_call_id_calls'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['run_id'], ['sampling_runs.id'], name=op.f('fk_sampled_calls_run_id_sampling_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sampled_calls')),
    sa.UniqueConstraint('run_id', 'call_id', name='uq_sampled_calls_pair')
    )
    op.create_index('ix_sampled_calls_call_id', 'sampled_calls', ['call_id'], unique=False)
    op.create_index(op.f('ix_sampled_calls_run_id'), 'sampled_calls', ['run_id'], unique=False)
    op.add_column('users', sa.Column('hired_on', sa.Date(), nullable=True))


def downgrade() -> None:
    op.drop_column('users', 'hired_on')
    op.drop_index(op.f('ix_sampled_calls_run_id'), table_name='sampled_calls')
    op.drop_index('ix_sampled_calls_call_id', table_name='sampled_calls')
    op.drop_table('sampled_calls')
    op.drop_table('sampling_runs')
    op.drop_table('sampling_plans')
