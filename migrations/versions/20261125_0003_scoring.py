"""scoring

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 12:42:57.922154
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('call_metrics',
    sa.Column('call_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('metrics', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_call_metrics_call_id_calls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('call_id', name=op.f('pk_call_metrics'))
    )
    op.create_table('hits',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('call_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('pack', sa.String(length=64), nullable=False),
    sa.Column('pack_version', sa.String(length=32), nullable=False),
    sa.Column('rule_id', sa.String(length=64), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('severity', sa.String(length=16), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=True),
    sa.Column('start', sa.Float(), nullable=False),
    sa.Column('end', sa.Float(), nullable=False),
    sa.Column('turn_ids', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_hits_call_id_calls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hits'))
    )
    op.create_index('ix_hits_call_pack', 'hits', ['call_id', 'pack', 'pack_version'], unique=False)
    op.create_index('ix_hits_category', 'hits', ['category'], unique=False)
    op.create_table('rule_results',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('call_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('pack', sa.String(length=64), nullable=False),
    sa.Column('pack_version', sa.String(length=32), nullable=False),
    sa.Column('rule_id', sa.String(length=64), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('severity', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_rule_results_call_id_calls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rule_results')),
    sa.UniqueConstraint('call_id', 'pack', 'pack_version', 'rule_id', name='uq_rule_results_key')
    )
    op.create_table('scores',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('call_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('pack', sa.String(length=64), nullable=False),
    sa.Column('pack_version', sa.String(length=32), nullable=False),
    sa.Column('total', sa.Float(), nullable=False),
    sa.Column('maximum', sa.Float(), nullable=False),
    sa.Column('percent', sa.Float(), nullable=True),
    sa.Column('auto_failed', sa.Boolean(), nullable=False),
    sa.Column('flagged', sa.Boolean(), nullable=False),
    sa.Column('reasons', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('sections', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('items', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_scores_call_id_calls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scores')),
    sa.UniqueConstraint('call_id', 'pack', 'pack_version', name='uq_scores_key')
    )
    op.create_index('ix_scores_call_created', 'scores', ['call_id', 'created_at'], unique=False)
    op.add_column('calls', sa.Column('flagged', sa.Boolean(), server_default=sa.text('false'), nullable=False))
    op.create_index('ix_calls_flagged_id', 'calls', ['flagged', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_calls_flagged_id', table_name='calls')
    op.drop_column('calls', 'flagged')
    op.drop_index('ix_scores_call_created', table_name='scores')
    op.drop_table('scores')
    op.drop_table('rule_results')
    op.drop_index('ix_hits_category', table_name='hits')
    op.drop_index('ix_hits_call_pack', table_name='hits')
    op.drop_table('hits')
    op.drop_table('call_metrics')
