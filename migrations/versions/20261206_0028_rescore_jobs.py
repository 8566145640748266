"""rescore jobs: bulk re-scoring with progress, in chunks of calls by id range

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-06 09:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0028'
down_revision: str | None = '0027'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
JSON = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')


def upgrade() -> None:
    op.create_table(
        'rescore_jobs',
        sa.Column('id', ID, nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('since', sa.Date(), nullable=True),
        sa.Column('until', sa.Date(), nullable=True),
        sa.Column('team', sa.String(length=255), nullable=True),
        sa.Column('pack_version', sa.String(length=32), nullable=True),
        sa.Column('versions', JSON, nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('done', sa.Integer(), nullable=False),
        sa.Column('skipped', sa.Integer(), nullable=False),
        sa.Column('failed', sa.Integer(), nullable=False),
        sa.Column('chunks', sa.Integer(), nullable=False),
        sa.Column('chunks_done', sa.Integer(), nullable=False),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('created_by', sa.String(length=150), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_rescore_jobs')),
    )
    op.create_table(
        'rescore_chunks',
        sa.Column('id', ID, nullable=False),
        sa.Column('job_id', ID, nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('first_id', sa.BigInteger(), nullable=False),
        sa.Column('last_id', sa.BigInteger(), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ['job_id'],
            ['rescore_jobs.id'],
            name=op.f('fk_rescore_chunks_job_id_rescore_jobs'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_rescore_chunks')),
        sa.UniqueConstraint('job_id', 'seq', name='uq_rescore_chunks_job_seq'),
    )


def downgrade() -> None:
    op.drop_table('rescore_chunks')
    op.drop_table('rescore_jobs')
