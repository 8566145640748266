"""calls: an agent's and a team's calls in a time window, read in call-start order

A windowed calls list pages by (started_at, id); with a team or an agent as well, these
indexes read one page's rows where the bitmap of the whole window (77,000 calls a month at a
million a year) had to be built and sorted first (benchmarks/api.py).

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-06 09:20:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0029'
down_revision: str | None = '0028'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        'ix_calls_agent_id_started_at', 'calls', ['agent_id', 'started_at', 'id'], unique=False
    )
    op.create_index('ix_calls_team_started_at', 'calls', ['team', 'started_at', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_calls_team_started_at', table_name='calls')
    op.drop_index('ix_calls_agent_id_started_at', table_name='calls')
