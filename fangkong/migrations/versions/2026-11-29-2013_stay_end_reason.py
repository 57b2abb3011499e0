"""stay end reason

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 20:13:16.497614
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import fangkong.core.db

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('quarantine_stays', schema=None) as batch_op:
        batch_op.add_column(sa.Column('end_reason', sa.String(length=16), nullable=True))

    # Stays ended before the reason was kept were releases.
    op.execute("UPDATE quarantine_stays SET end_reason = 'released' WHERE released_at IS NOT NULL")



def downgrade() -> None:
    with op.batch_alter_table('quarantine_stays', schema=None) as batch_op:
        batch_op.drop_column('end_reason')

