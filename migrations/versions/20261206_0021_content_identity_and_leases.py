"""content identity, transcription leases, worker heartbeats

A recording is one call by its content hash (scoped to the source's external id): calls keep
the SHA-256 of their bytes, unique per scope. A transcribing call carries its worker's last
heartbeat, so a call whose worker died is requeued. Running workers report in worker_beats,
which /healthz reads.

Revision ID: 0021
Revises: 0019
Create Date: 2026-12-06 06:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0021'
down_revision: str | None = '0019'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('calls') as batch:
        batch.add_column(sa.Column('content_sha256', sa.String(length=64), nullable=True))
        batch.add_column(
            sa.Column('content_scope', sa.String(length=255), server_default='', nullable=False)
        )
        batch.add_column(sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('leased_by', sa.String(length=255), nullable=True))
        batch.create_unique_constraint(
            'uq_calls_content', ['bucket', 'content_sha256', 'content_scope']
        )
    op.create_table(
        'worker_beats',
        sa.Column('name', sa.String(length=255), nullable=False),
        sa.Column('queues', sa.String(length=255), nullable=False),
        sa.Column('pid', sa.Integer(), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_worker_beats')),
    )


def downgrade() -> None:
    op.drop_table('worker_beats')
    with op.batch_alter_table('calls') as batch:
        batch.drop_constraint('uq_calls_content', type_='unique')
        batch.drop_column('leased_by')
        batch.drop_column('heartbeat_at')
        batch.drop_column('content_scope')
        batch.drop_column('content_sha256')
