"""travel

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 22:29:34.148640
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import fangkong.core.db

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('checkpoints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('county_code', sa.String(length=6), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkpoints')),
    sa.UniqueConstraint('name', name=op.f('uq_checkpoints_name'))
    )
    op.create_table('risk_areas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region', sa.String(length=200), nullable=False),
    sa.Column('level', sa.String(length=8), nullable=False),
    sa.Column('from_date', sa.Date(), nullable=False),
    sa.Column('to_date', sa.Date(), nullable=True),
    sa.Column('import_sha256', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_areas')),
    sa.UniqueConstraint('region', 'level', 'from_date', name=op.f('uq_risk_areas_region_level_from_date'))
    )
    with op.batch_alter_table('risk_areas', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risk_areas_region'), ['region'], unique=False)

    op.create_table('arrivals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('checkpoint_id', sa.Integer(), nullable=True),
    sa.Column('origin', sa.String(length=200), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('vehicle', sa.String(length=32), nullable=False),
    sa.Column('seat', sa.String(length=16), nullable=False),
    sa.Column('departed_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('arrived_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reported_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('risk_level', sa.String(length=8), nullable=True),
    sa.Column('risk_area_id', sa.Integer(), nullable=True),
    sa.Column('path', sa.String(length=24), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('tested_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('transferred_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('placed_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('released_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('protocol_id', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['checkpoint_id'], ['checkpoints.id'], name=op.f('fk_arrivals_checkpoint_id_checkpoints')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_arrivals_person_id_people')),
    sa.ForeignKeyConstraint(['risk_area_id'], ['risk_areas.id'], name=op.f('fk_arrivals_risk_area_id_risk_areas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_arrivals'))
    )
    with op.batch_alter_table('arrivals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_arrivals_arrived_at'), ['arrived_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_arrivals_person_id'), ['person_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('arrivals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_arrivals_person_id'))
        batch_op.drop_index(batch_op.f('ix_arrivals_arrived_at'))

    op.drop_table('arrivals')
    with op.batch_alter_table('risk_areas', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_risk_areas_region'))

    op.drop_table('risk_areas')
    op.drop_table('checkpoints')
