"""turn analysis

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 13:04:15.557319
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('turns', sa.Column('norm', sa.Text(), nullable=True))
    op.add_column('turns', sa.Column('cuts', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True))
    op.add_column('turns', sa.Column('units', sa.Integer(), nullable=True))
    op.add_column('turns', sa.Column('sentiment', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True))


def downgrade() -> None:
    op.drop_column('turns', 'sentiment')
    op.drop_column('turns', 'units')
    op.drop_column('turns', 'cuts')
    op.drop_column('turns', 'norm')
