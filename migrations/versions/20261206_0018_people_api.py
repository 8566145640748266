"""people over the API: teams, sign-in links, a language per user, an atomic sign-in throttle

Teams get a table of their own (a name people read, active or not); areas can be deactivated;
a user may choose the language the API answers in. One-time sign-in links let an imported user
set a password. Failed sign-ins are counted in one row per username, claimed by a conditional
UPDATE before each password check, instead of one row per failure counted afterwards (which
parallel guesses outran).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 06:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0018'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('language', sa.String(length=8), nullable=True))
    with op.batch_alter_table('areas') as batch:
        batch.add_column(
            sa.Column('active', sa.Boolean(), nullable=False, server_default=sa.true())
        )
    with op.batch_alter_table('areas') as batch:
        batch.alter_column('active', server_default=None)
    op.create_table('teams',
    sa.Column('id', ID, nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('display_name', sa.String(length=255), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_teams')),
    sa.UniqueConstraint('name', name=op.f('uq_teams_name'))
    )
    op.create_table('sign_in_links',
    sa.Column('id', ID, nullable=False),
    sa.Column('user_id', ID, nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sign_in_links_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_links')),
    sa.UniqueConstraint('secret_hash', name=op.f('uq_sign_in_links_secret_hash'))
    )
    op.create_index(op.f('ix_sign_in_links_user_id'), 'sign_in_links', ['user_id'], unique=False)
    op.create_table('login_throttle',
    sa.Column('username', sa.String(length=150), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('window_start', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('username', name=op.f('pk_login_throttle'))
    )
    op.drop_index('ix_login_failures_username_at', table_name='login_failures')
    op.drop_table('login_failures')


def downgrade() -> None:
    op.create_table('login_failures',
    sa.Column('id', ID, nullable=False),
    sa.Column('username', sa.String(length=150), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failures'))
    )
    op.create_index('ix_login_failures_username_at', 'login_failures', ['username', 'at'], unique=False)
    op.drop_table('login_throttle')
    op.drop_index(op.f('ix_sign_in_links_user_id'), table_name='sign_in_links')
    op.drop_table('sign_in_links')
    op.drop_table('teams')
    with op.batch_alter_table('areas') as batch:
        batch.drop_column('active')
    with op.batch_alter_table('users') as batch:
        batch.drop_column('language')
