"""report rollups: calls and rule violations per day, agent and team

Reports read these instead of every call (services/reports/rollup.py keeps them). Days are the
center's days (ZHIJIAN_CENTER_TIMEZONE). Rows exist for scores already stored: the first report
folds them in.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 04:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_agent_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("agent_id", sa.String(255), nullable=False),
        sa.Column("team", sa.String(255), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("flagged", sa.Integer(), nullable=False),
        sa.Column("violating", sa.Integer(), nullable=False),
        sa.Column("scored", sa.Integer(), nullable=False),
        sa.Column("score_sum", sa.Float(), nullable=False),
        sa.Column("score_sq_sum", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("day", "agent_id", "team", name=op.f("pk_report_agent_days")),
    )
    op.create_table(
        "report_rule_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("agent_id", sa.String(255), nullable=False),
        sa.Column("team", sa.String(255), nullable=False),
        sa.Column("rule_id", sa.String(64), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("opportunities", sa.Integer(), nullable=False),
        sa.Column("violations", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "day", "agent_id", "team", "rule_id", name=op.f("pk_report_rule_days")
        ),
    )
    op.create_table(
        "report_rollup_mark",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("score_id", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_rollup_mark")),
    )


def downgrade() -> None:
    op.drop_table("report_rollup_mark")
    op.drop_table("report_rule_days")
    op.drop_table("report_agent_days")
