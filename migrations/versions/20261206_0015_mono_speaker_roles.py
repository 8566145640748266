"""roles found on mono recordings

A mono recording split into two voices has both parties' speech activity on channel 0, so
channel_activity is unique per (call, channel, role). Each turn keeps how sure its role is, and
the call how its roles were found (method, confidence, reason).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 03:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    with op.batch_alter_table('channel_activity') as batch:
        batch.drop_constraint('uq_channel_activity_call_channel', type_='unique')
        batch.create_unique_constraint(
            'uq_channel_activity_call_channel_role', ['call_id', 'channel', 'role']
        )
    with op.batch_alter_table('turns') as batch:
        batch.add_column(sa.Column('role_confidence', sa.Float(), nullable=True))
    with op.batch_alter_table('calls') as batch:
        batch.add_column(sa.Column('speaker_roles', JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('calls') as batch:
        batch.drop_column('speaker_roles')
    with op.batch_alter_table('turns') as batch:
        batch.drop_column('role_confidence')
    # A mono call's second party on channel 0 does not fit the old constraint: keep the agent's.
    op.execute(
        "DELETE FROM channel_activity WHERE role = 'customer' AND EXISTS (SELECT 1 FROM"
        " channel_activity other WHERE other.call_id = channel_activity.call_id"
        " AND other.channel = channel_activity.channel AND other.role = 'agent')"
    )
    with op.batch_alter_table('channel_activity') as batch:
        batch.drop_constraint('uq_channel_activity_call_channel_role', type_='unique')
        batch.create_unique_constraint(
            'uq_channel_activity_call_channel', ['call_id', 'channel']
        )
