"""sentinels: sentinel points and their daily counts

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30 21:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import fangkong.core.db

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


TABLES = ('sentinel_points', 'sentinel_reports')


def _create_sentinel_points() -> None:
    op.create_table('sentinel_points',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('county_code', sa.String(length=6), nullable=False),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('due_hour', sa.Integer(), nullable=False),
    sa.Column('created_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sentinel_points')),
    sa.UniqueConstraint('code', name=op.f('uq_sentinel_points_code'))
    )
    with op.batch_alter_table('sentinel_points', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sentinel_points_county_code'), ['county_code'], unique=False)


def _create_sentinel_reports() -> None:
    op.create_table('sentinel_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('point_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('measure', sa.String(length=24), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('reported_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reported_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['point_id'], ['sentinel_points.id'], name=op.f('fk_sentinel_reports_point_id_sentinel_points'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sentinel_reports')),
    sa.UniqueConstraint('point_id', 'day', 'measure', name=op.f('uq_sentinel_reports_point_id_day_measure'))
    )
    with op.batch_alter_table('sentinel_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sentinel_reports_day'), ['day'], unique=False)
        batch_op.create_index(batch_op.f('ix_sentinel_reports_point_id'), ['point_id'], unique=False)


def upgrade() -> None:
    # A function a table, in the order their keys need.
    _create_sentinel_points()
    _create_sentinel_reports()


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
