"""report rollups: rule violations by month, and the score distribution by day

report_rule_months sums report_rule_days by calendar month (a quarter's training needs and
Pareto read whole months there; an agent's days, by the new agent-and-day index, only where the
agent's tenure band changes within a month); report_agent_days gains ten score-bin counts (the
team report's histogram). The months are filled here from the days; the bins need each score's
day in the center's time zone, so the mark is cleared instead: the workers' next fold
recomputes every day from the scores (until then the histogram reads zeros).

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06 09:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0027'
down_revision: str | None = '0026'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BINS = 10


def upgrade() -> None:
    op.create_table(
        'report_rule_months',
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('agent_id', sa.String(255), nullable=False),
        sa.Column('team', sa.String(255), nullable=False),
        sa.Column('rule_id', sa.String(64), nullable=False),
        sa.Column('category', sa.String(32), nullable=False),
        sa.Column('opportunities', sa.Integer(), nullable=False),
        sa.Column('violations', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            'month', 'agent_id', 'team', 'rule_id', name=op.f('pk_report_rule_months')
        ),
    )
    op.create_index(
        'ix_report_rule_days_agent_day', 'report_rule_days', ['agent_id', 'day'], unique=False
    )
    with op.batch_alter_table('report_agent_days') as batch:
        for i in range(BINS):
            batch.add_column(
                sa.Column(f'score_bin_{i}', sa.Integer(), server_default='0', nullable=False)
            )
    if op.get_bind().dialect.name == 'postgresql':  # the rollups are kept on PostgreSQL only
        op.execute(
            'INSERT INTO report_rule_months '
            '(month, agent_id, team, rule_id, category, opportunities, violations) '
            "SELECT date_trunc('month', day)::date, agent_id, team, rule_id, min(category), "
            'sum(opportunities), sum(violations) FROM report_rule_days GROUP BY 1, 2, 3, 4'
        )
    op.execute('DELETE FROM report_rollup_mark')


def downgrade() -> None:
    with op.batch_alter_table('report_agent_days') as batch:
        for i in reversed(range(BINS)):
            batch.drop_column(f'score_bin_{i}')
    op.drop_index('ix_report_rule_days_agent_day', table_name='report_rule_days')
    op.drop_table('report_rule_months')
