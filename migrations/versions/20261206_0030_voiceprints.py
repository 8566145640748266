"""voiceprints: an agent's enrolled voice, to tell the agent apart on mono recordings

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
        sa.Column('agent_id', sa.String(length=255), nullable=False),
        sa.Column('embedding', JSON, nullable=False),
        sa.Column('speech_s', sa.Float(), nullable=False),
        sa.Column('enrolled_by', sa.String(length=255), nullable=False),
        sa.Column('enrolled_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('agent_id', name=op.f('pk_voiceprints')),
    )


def downgrade() -> None:
    op.drop_table('voiceprints')
