"""transfers

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 19:46:20.127275
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import fangkong.core.db

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('transfer_vehicles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plate', sa.String(length=16), nullable=False),
    sa.Column('seats', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('base_county', sa.String(length=6), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transfer_vehicles')),
    sa.UniqueConstraint('plate', name=op.f('uq_transfer_vehicles_plate'))
    )
    op.create_table('transfers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household', sa.String(length=64), nullable=False),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.Column('pickup_address', sa.String(length=200), nullable=False),
    sa.Column('pickup_county', sa.String(length=6), nullable=True),
    sa.Column('site_id', sa.Integer(), nullable=True),
    sa.Column('destination', sa.String(length=200), nullable=False),
    sa.Column('is_case', sa.Boolean(), nullable=False),
    sa.Column('infection_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('vehicle_id', sa.Integer(), nullable=True),
    sa.Column('run', sa.Integer(), nullable=True),
    sa.Column('planned_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('dispatched_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('picked_up_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('arrived_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['infection_id'], ['infections.id'], name=op.f('fk_transfers_infection_id_infections'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['site_id'], ['quarantine_sites.id'], name=op.f('fk_transfers_site_id_quarantine_sites'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['vehicle_id'], ['transfer_vehicles.id'], name=op.f('fk_transfers_vehicle_id_transfer_vehicles'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transfers'))
    )
    with op.batch_alter_table('transfers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_transfers_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_transfers_status'), ['status'], unique=False)

    with op.batch_alter_table('quarantine_stays', schema=None) as batch_op:
        batch_op.add_column(sa.Column('arrived_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('transfer_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_quarantine_stays_transfer_id'), ['transfer_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_quarantine_stays_transfer_id_transfers'), 'transfers', ['transfer_id'], ['id'], ondelete='SET NULL')

    # Stays before transfers existed were walk-in placements: they arrived when placed.
    op.execute("UPDATE quarantine_stays SET arrived_at = placed_at")



def downgrade() -> None:
    with op.batch_alter_table('quarantine_stays', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_quarantine_stays_transfer_id_transfers'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_quarantine_stays_transfer_id'))
        batch_op.drop_column('transfer_id')
        batch_op.drop_column('arrived_at')

    with op.batch_alter_table('transfers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_transfers_status'))
        batch_op.drop_index(batch_op.f('ix_transfers_site_id'))

    op.drop_table('transfers')
    op.drop_table('transfer_vehicles')
