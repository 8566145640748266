"""redaction

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 13:20:27.081110
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('calls', sa.Column('redacted_key', sa.String(length=1024), nullable=True))
    op.add_column('turns', sa.Column('redactions', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False, server_default='[]'))
    op.add_column('turns', sa.Column('unredacted_text', sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column('turns', 'unredacted_text')
    op.drop_column('turns', 'redactions')
    op.drop_column('calls', 'redacted_key')
