"""sentinel alarms: what detection over the points' counts raised, and what was decided

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30 22:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import fangkong.core.db

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sentinel_alarms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=96), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('method', sa.String(length=24), nullable=False),
    sa.Column('measure', sa.String(length=24), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('last_day', sa.Date(), nullable=False),
    sa.Column('point_id', sa.Integer(), nullable=False),
    sa.Column('county_code', sa.String(length=6), nullable=False),
    sa.Column('points', sa.JSON(), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('observed', sa.Float(), nullable=False),
    sa.Column('expected', sa.Float(), nullable=False),
    sa.Column('threshold', sa.Float(), nullable=True),
    sa.Column('p_value', sa.Float(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('created_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.String(length=64), nullable=True),
    sa.Column('closed_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['point_id'], ['sentinel_points.id'], name=op.f('fk_sentinel_alarms_point_id_sentinel_points'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sentinel_alarms')),
    sa.UniqueConstraint('key', name=op.f('uq_sentinel_alarms_key'))
    )
    with op.batch_alter_table('sentinel_alarms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sentinel_alarms_county_code'), ['county_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_sentinel_alarms_day'), ['day'], unique=False)
        batch_op.create_index(batch_op.f('ix_sentinel_alarms_point_id'), ['point_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sentinel_alarms_status'), ['status'], unique=False)


def downgrade() -> None:
    op.drop_table('sentinel_alarms')
