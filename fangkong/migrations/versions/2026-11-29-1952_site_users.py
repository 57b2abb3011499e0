"""site users

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 19:52:16.426607
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import fangkong.core.db

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('site_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_users_site_id_quarantine_sites'), 'quarantine_sites', ['site_id'], ['id'], ondelete='SET NULL')



def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_users_site_id_quarantine_sites'), type_='foreignkey')
        batch_op.drop_column('site_id')

