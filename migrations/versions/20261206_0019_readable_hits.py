"""readable hits and notifications

A hit keeps its rule's name per language and what its evidence shows as a message (an English
message id and its parameters), and a notification its message likewise, so that each reader
sees them in their own language.

Revision ID: 0019
Revises: 0016
Create Date: 2026-12-06 06:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0019'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    with op.batch_alter_table('hits') as batch:
        batch.add_column(sa.Column('message', JSON, nullable=True))
        batch.add_column(sa.Column('rule_name', JSON, nullable=True))
    with op.batch_alter_table('notifications') as batch:
        batch.add_column(sa.Column('wording', JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('notifications') as batch:
        batch.drop_column('wording')
    with op.batch_alter_table('hits') as batch:
        batch.drop_column('rule_name')
        batch.drop_column('message')
