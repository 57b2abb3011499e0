"""lab and checkpoint users: a lab's staff see their lab's work, a checkpoint's its arrivals

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lab_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('checkpoint_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_users_lab_id_labs'), 'labs', ['lab_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_users_checkpoint_id_checkpoints'), 'checkpoints', ['checkpoint_id'], ['id'], ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_users_checkpoint_id_checkpoints'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_users_lab_id_labs'), type_='foreignkey')
        batch_op.drop_column('checkpoint_id')
        batch_op.drop_column('lab_id')
