"""testing

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 20:58:37.422123
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import fangkong.core.db

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('labs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('county_code', sa.String(length=6), nullable=True),
    sa.Column('tubes_per_day', sa.Integer(), nullable=False),
    sa.Column('behind_min', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_labs')),
    sa.UniqueConstraint('name', name=op.f('uq_labs_name'))
    )
    op.create_table('lab_routes',
    sa.Column('lab_id', sa.Integer(), nullable=False),
    sa.Column('county_code', sa.String(length=6), nullable=False),
    sa.Column('minutes', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['lab_id'], ['labs.id'], name=op.f('fk_lab_routes_lab_id_labs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('lab_id', 'county_code', name=op.f('pk_lab_routes'))
    )
    op.create_table('screening_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('area', sa.String(length=16), nullable=False),
    sa.Column('zone_id', sa.Integer(), nullable=True),
    sa.Column('county_code', sa.String(length=6), nullable=True),
    sa.Column('match', sa.String(length=200), nullable=False),
    sa.Column('pool_size', sa.Integer(), nullable=False),
    sa.Column('starts_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('closed_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['zone_id'], ['zones.id'], name=op.f('fk_screening_rounds_zone_id_zones'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_screening_rounds'))
    )
    with op.batch_alter_table('screening_rounds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_screening_rounds_county_code'), ['county_code'], unique=False)

    op.create_table('sampling_sites',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('county_code', sa.String(length=6), nullable=False),
    sa.Column('per_hour', sa.Integer(), nullable=False),
    sa.Column('staff', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['screening_rounds.id'], name=op.f('fk_sampling_sites_round_id_screening_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sampling_sites')),
    sa.UniqueConstraint('round_id', 'name', name=op.f('uq_sampling_sites_round_id_name'))
    )
    with op.batch_alter_table('sampling_sites', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sampling_sites_round_id'), ['round_id'], unique=False)

    op.create_table('shipments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('lab_id', sa.Integer(), nullable=False),
    sa.Column('tubes', sa.Integer(), nullable=False),
    sa.Column('planned_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expected_result_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('departed_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('delivered_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['lab_id'], ['labs.id'], name=op.f('fk_shipments_lab_id_labs')),
    sa.ForeignKeyConstraint(['round_id'], ['screening_rounds.id'], name=op.f('fk_shipments_round_id_screening_rounds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['site_id'], ['sampling_sites.id'], name=op.f('fk_shipments_site_id_sampling_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shipments'))
    )
    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shipments_lab_id'), ['lab_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_shipments_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_shipments_site_id'), ['site_id'], unique=False)

    op.create_table('tubes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('barcode', sa.String(length=32), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('members', sa.Integer(), nullable=False),
    sa.Column('opened_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('shipment_id', sa.Integer(), nullable=True),
    sa.Column('tested_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reported_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('result', sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(['round_id'], ['screening_rounds.id'], name=op.f('fk_tubes_round_id_screening_rounds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shipment_id'], ['shipments.id'], name=op.f('fk_tubes_shipment_id_shipments'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['site_id'], ['sampling_sites.id'], name=op.f('fk_tubes_site_id_sampling_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tubes')),
    sa.UniqueConstraint('barcode', name=op.f('uq_tubes_barcode'))
    )
    with op.batch_alter_table('tubes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tubes_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tubes_shipment_id'), ['shipment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tubes_site_id'), ['site_id'], unique=False)

    op.create_table('recalls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('tube_id', sa.Integer(), nullable=False),
    sa.Column('raised_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('done_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['screening_rounds.id'], name=op.f('fk_recalls_round_id_screening_rounds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tube_id'], ['tubes.id'], name=op.f('fk_recalls_tube_id_tubes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recalls')),
    sa.UniqueConstraint('tube_id', name=op.f('uq_recalls_tube_id'))
    )
    with op.batch_alter_table('recalls', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recalls_round_id'), ['round_id'], unique=False)

    op.create_table('samples',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('tube_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=8), nullable=False),
    sa.Column('sampled_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_samples_person_id_people')),
    sa.ForeignKeyConstraint(['round_id'], ['screening_rounds.id'], name=op.f('fk_samples_round_id_screening_rounds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tube_id'], ['tubes.id'], name=op.f('fk_samples_tube_id_tubes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_samples')),
    sa.UniqueConstraint('round_id', 'person_id', 'purpose', name=op.f('uq_samples_round_id_person_id_purpose'))
    )
    with op.batch_alter_table('samples', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_samples_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_samples_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_samples_tube_id'), ['tube_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('samples', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_samples_tube_id'))
        batch_op.drop_index(batch_op.f('ix_samples_round_id'))
        batch_op.drop_index(batch_op.f('ix_samples_person_id'))

    op.drop_table('samples')
    with op.batch_alter_table('recalls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recalls_round_id'))

    op.drop_table('recalls')
    with op.batch_alter_table('tubes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tubes_site_id'))
        batch_op.drop_index(batch_op.f('ix_tubes_shipment_id'))
        batch_op.drop_index(batch_op.f('ix_tubes_round_id'))

    op.drop_table('tubes')
    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shipments_site_id'))
        batch_op.drop_index(batch_op.f('ix_shipments_round_id'))
        batch_op.drop_index(batch_op.f('ix_shipments_lab_id'))

    op.drop_table('shipments')
    with op.batch_alter_table('sampling_sites', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sampling_sites_round_id'))

    op.drop_table('sampling_sites')
    with op.batch_alter_table('screening_rounds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_screening_rounds_county_code'))

    op.drop_table('screening_rounds')
    op.drop_table('lab_routes')
    op.drop_table('labs')
