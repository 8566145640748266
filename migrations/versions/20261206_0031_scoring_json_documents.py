"""scores, call_metrics, hits: JSON kept as written (json, not jsonb) on PostgreSQL

These columns are only ever written and read whole, never searched inside; jsonb parsed each
value into its binary form on every write, a fifth of the database's work when a million
calls are re-scored (benchmarks/rescore.py). The embedded SQLite stores JSON as text either way.
Rewriting the tables takes about a minute a million calls.

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-06 18:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0031'
down_revision: str | None = '0030'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = {
    'scores': ['reasons', 'sections', 'items'],
    'call_metrics': ['metrics'],
    'hits': ['turn_ids', 'message', 'rule_name'],
}


def _retype(to: str) -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    for table, columns in COLUMNS.items():
        changes = ', '.join(f'ALTER COLUMN {c} TYPE {to} USING {c}::{to}' for c in columns)
        op.execute(f'ALTER TABLE {table} {changes}')


def upgrade() -> None:
    _retype('json')


def downgrade() -> None:
    _retype('jsonb')
