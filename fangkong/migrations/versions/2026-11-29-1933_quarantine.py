"""quarantine sites rooms stays

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 19:33:45.270284
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import fangkong.core.db

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('quarantine_sites',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('county_code', sa.String(length=6), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('staff', sa.Text(), nullable=False),
    sa.Column('created_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quarantine_sites')),
    sa.UniqueConstraint('name', name=op.f('uq_quarantine_sites_name'))
    )
    with op.batch_alter_table('quarantine_sites', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quarantine_sites_county_code'), ['county_code'], unique=False)

    op.create_table('quarantine_rooms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('building', sa.String(length=32), nullable=False),
    sa.Column('floor', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['quarantine_sites.id'], name=op.f('fk_quarantine_rooms_site_id_quarantine_sites'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quarantine_rooms')),
    sa.UniqueConstraint('site_id', 'building', 'number', name=op.f('uq_quarantine_rooms_site_id_building_number'))
    )
    with op.batch_alter_table('quarantine_rooms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quarantine_rooms_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_quarantine_rooms_status'), ['status'], unique=False)

    op.create_table('quarantine_stays',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('room_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('household', sa.String(length=64), nullable=False),
    sa.Column('placed_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('planned_end_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('released_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_quarantine_stays_contact_id_contacts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_quarantine_stays_person_id_people')),
    sa.ForeignKeyConstraint(['room_id'], ['quarantine_rooms.id'], name=op.f('fk_quarantine_stays_room_id_quarantine_rooms')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quarantine_stays'))
    )
    with op.batch_alter_table('quarantine_stays', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quarantine_stays_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_quarantine_stays_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_quarantine_stays_room_id'), ['room_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('quarantine_stays', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quarantine_stays_room_id'))
        batch_op.drop_index(batch_op.f('ix_quarantine_stays_person_id'))
        batch_op.drop_index(batch_op.f('ix_quarantine_stays_contact_id'))

    op.drop_table('quarantine_stays')
    with op.batch_alter_table('quarantine_rooms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quarantine_rooms_status'))
        batch_op.drop_index(batch_op.f('ix_quarantine_rooms_site_id'))

    op.drop_table('quarantine_rooms')
    with op.batch_alter_table('quarantine_sites', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quarantine_sites_county_code'))

    op.drop_table('quarantine_sites')
