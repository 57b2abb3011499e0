"""home cells

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 21:13:50.713052
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import fangkong.core.db

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('home_lon', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('home_lat', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('home_cell', sa.String(length=24), nullable=True))
        batch_op.create_index(batch_op.f('ix_people_home_cell'), ['home_cell'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_people_home_cell'))
        batch_op.drop_column('home_cell')
        batch_op.drop_column('home_lat')
        batch_op.drop_column('home_lon')

