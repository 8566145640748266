"""turn word edges instead of word cuts

A turn's word boundaries are stored as a string of word edges ("1" where a word starts or ends,
services/scoring/text.py word_edges) instead of a list of positions: checking a keyword match's
ends is then one index each, not a search of the list. Stored turns are converted here.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-25 18:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5000
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')
turns = sa.table(
    'turns',
    sa.column('id', sa.Integer),
    sa.column('norm', sa.Text),
    sa.column('cuts', JSON),
    sa.column('word_edges', sa.Text),
)


def _edges(norm: str, cuts: list[int]) -> str:
    marks = ['0'] * (len(norm) + 1)
    for cut in [0, len(norm), *cuts]:
        marks[cut] = '1'
    return ''.join(marks)


def _cuts(edges: str) -> list[int]:
    return [i for i, mark in enumerate(edges) if mark == '1']


def _convert(source: sa.Column, target: str, convert) -> None:
    """Fills ``target`` from ``source`` (and the norm) for every analysed turn, in id order."""
    bind = op.get_bind()
    last = 0
    while True:
        rows = bind.execute(
            sa.select(turns.c.id, turns.c.norm, source)
            .where(turns.c.id > last, turns.c.norm.is_not(None), source.is_not(None))
            .order_by(turns.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        bind.execute(
            turns.update().where(turns.c.id == sa.bindparam('turn_id')).values(
                {target: sa.bindparam('value')}
            ),
            [{'turn_id': id_, 'value': convert(norm, value)} for id_, norm, value in rows],
        )
        last = rows[-1][0]


def upgrade() -> None:
    op.add_column('turns', sa.Column('word_edges', sa.Text(), nullable=True))
    _convert(turns.c.cuts, 'word_edges', _edges)
    op.drop_column('turns', 'cuts')


def downgrade() -> None:
    op.add_column('turns', sa.Column('cuts', JSON, nullable=True))
    _convert(turns.c.word_edges, 'cuts', lambda _norm, edges: _cuts(edges))
    op.drop_column('turns', 'word_edges')
