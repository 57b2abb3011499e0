"""swabs

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 19:42:55.036153
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import fangkong.core.db

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('quarantine_swabs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stay_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('result', sa.String(length=16), nullable=True),
    sa.Column('sampled_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('resulted_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_quarantine_swabs_person_id_people')),
    sa.ForeignKeyConstraint(['stay_id'], ['quarantine_stays.id'], name=op.f('fk_quarantine_swabs_stay_id_quarantine_stays'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quarantine_swabs')),
    sa.UniqueConstraint('stay_id', 'due_on', name=op.f('uq_quarantine_swabs_stay_id_due_on'))
    )
    with op.batch_alter_table('quarantine_swabs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quarantine_swabs_due_on'), ['due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_quarantine_swabs_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_quarantine_swabs_stay_id'), ['stay_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('quarantine_swabs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quarantine_swabs_stay_id'))
        batch_op.drop_index(batch_op.f('ix_quarantine_swabs_person_id'))
        batch_op.drop_index(batch_op.f('ix_quarantine_swabs_due_on'))

    op.drop_table('quarantine_swabs')
