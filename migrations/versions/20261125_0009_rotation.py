"""rotation

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 13:52:43.059884
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('rotation_periods',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('end', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=150), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rotation_periods')),
    sa.UniqueConstraint('start', name=op.f('uq_rotation_periods_start'))
    )
    op.create_table('rotation_assignments',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('period_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('area_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('workload', sa.Double(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_rotation_assignments_area_id_areas'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['period_id'], ['rotation_periods.id'], name=op.f('fk_rotation_assignments_period_id_rotation_periods'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_rotation_assignments_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rotation_assignments')),
    sa.UniqueConstraint('period_id', 'area_id', name='uq_rotation_assignments_area')
    )
    op.create_index(op.f('ix_rotation_assignments_period_id'), 'rotation_assignments', ['period_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_rotation_assignments_period_id'), table_name='rotation_assignments')
    op.drop_table('rotation_assignments')
    op.drop_table('rotation_periods')
