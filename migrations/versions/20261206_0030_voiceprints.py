"""voiceprints: an agent's enrolled voice, to tell the agent apart on mono recordings; it goes
with its user

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-06 16:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0030'
down_revision: str | None = '0029'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')


def upgrade() -> None:
    op.create_table(
        'voiceprints',
        sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('embedding', JSON, nullable=False),
        sa.Column('speech_s', sa.Float(), nullable=False),
        sa.Column('enrolled_by', sa.String(length=255), nullable=False),
        sa.Column('enrolled_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'], name=op.f('fk_voiceprints_user_id_users'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_voiceprints')),
    )


def downgrade() -> None:
    op.drop_table('voiceprints')
