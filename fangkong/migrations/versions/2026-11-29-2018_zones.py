"""zones

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 20:18:44.291711
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import fangkong.core.db

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('zones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('protocol_id', sa.String(length=16), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('county_code', sa.String(length=6), nullable=False),
    sa.Column('unit', sa.String(length=16), nullable=False),
    sa.Column('match', sa.String(length=200), nullable=False),
    sa.Column('cells', sa.JSON(), nullable=False),
    sa.Column('geometry', sa.JSON(), nullable=True),
    sa.Column('declared_population', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('drawn_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('changed_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('lifted_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['zones.id'], name=op.f('fk_zones_parent_id_zones'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_zones'))
    )
    with op.batch_alter_table('zones', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_zones_county_code'), ['county_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_zones_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_zones_status'), ['status'], unique=False)

    op.create_table('zone_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('zone_id', sa.Integer(), nullable=False),
    sa.Column('at', fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('from_kind', sa.String(length=16), nullable=True),
    sa.Column('to_kind', sa.String(length=16), nullable=True),
    sa.Column('by', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['zone_id'], ['zones.id'], name=op.f('fk_zone_events_zone_id_zones'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_zone_events'))
    )
    with op.batch_alter_table('zone_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_zone_events_zone_id'), ['zone_id'], unique=False)

    op.create_table('zone_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('zone_id', sa.Integer(), nullable=False),
    sa.Column('completed_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('tested', sa.Integer(), nullable=False),
    sa.Column('positive', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['zone_id'], ['zones.id'], name=op.f('fk_zone_rounds_zone_id_zones'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_zone_rounds'))
    )
    with op.batch_alter_table('zone_rounds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_zone_rounds_zone_id'), ['zone_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('zone_rounds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_zone_rounds_zone_id'))

    op.drop_table('zone_rounds')
    with op.batch_alter_table('zone_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_zone_events_zone_id'))

    op.drop_table('zone_events')
    with op.batch_alter_table('zones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_zones_status'))
        batch_op.drop_index(batch_op.f('ix_zones_parent_id'))
        batch_op.drop_index(batch_op.f('ix_zones_county_code'))

    op.drop_table('zones')
