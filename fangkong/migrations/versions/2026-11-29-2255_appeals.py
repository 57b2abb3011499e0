"""appeals

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 22:50:51.551357
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import fangkong.core.db

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('healthcode_appeals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('filed_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('filed_by', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('colour_then', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('decided_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.String(length=64), nullable=True),
    sa.Column('decision', sa.Text(), nullable=False),
    sa.Column('colour', sa.String(length=8), nullable=True),
    sa.Column('until', fangkong.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_healthcode_appeals_person_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_healthcode_appeals'))
    )
    with op.batch_alter_table('healthcode_appeals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_healthcode_appeals_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_healthcode_appeals_status'), ['status'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('healthcode_appeals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_healthcode_appeals_status'))
        batch_op.drop_index(batch_op.f('ix_healthcode_appeals_person_id'))

    op.drop_table('healthcode_appeals')
