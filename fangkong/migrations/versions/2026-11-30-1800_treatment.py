"""treatment: hospitals and wards, admissions, clinical types, PCR tests

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import fangkong.core.db

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


TABLES = (
    'treatment_hospitals',
    'treatment_wards',
    'treatment_admissions',
    'treatment_clinical',
    'treatment_pcr',
)


def _create_treatment_hospitals() -> None:
    op.create_table('treatment_hospitals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('county_code', sa.String(length=6), nullable=False),
    sa.Column('created_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_treatment_hospitals')),
    sa.UniqueConstraint('name', name=op.f('uq_treatment_hospitals_name'))
    )
    with op.batch_alter_table('treatment_hospitals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_treatment_hospitals_county_code'), ['county_code'], unique=False)


def _create_treatment_wards() -> None:
    op.create_table('treatment_wards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hospital_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('bed_kind', sa.String(length=8), nullable=False),
    sa.Column('beds', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['hospital_id'], ['treatment_hospitals.id'], name=op.f('fk_treatment_wards_hospital_id_treatment_hospitals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_treatment_wards')),
    sa.UniqueConstraint('hospital_id', 'name', name=op.f('uq_treatment_wards_hospital_id_name'))
    )
    with op.batch_alter_table('treatment_wards', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_treatment_wards_hospital_id'), ['hospital_id'], unique=False)


def _create_treatment_admissions() -> None:
    op.create_table('treatment_admissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('infection_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('ward_id', sa.Integer(), nullable=False),
    sa.Column('admitted_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('left_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('left_reason', sa.String(length=16), nullable=True),
    sa.Column('monitoring', sa.String(length=24), nullable=True),
    sa.Column('monitoring_until', fangkong.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['infection_id'], ['infections.id'], name=op.f('fk_treatment_admissions_infection_id_infections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_treatment_admissions_person_id_people')),
    sa.ForeignKeyConstraint(['ward_id'], ['treatment_wards.id'], name=op.f('fk_treatment_admissions_ward_id_treatment_wards')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_treatment_admissions'))
    )
    with op.batch_alter_table('treatment_admissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_treatment_admissions_admitted_at'), ['admitted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_treatment_admissions_infection_id'), ['infection_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_treatment_admissions_left_at'), ['left_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_treatment_admissions_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_treatment_admissions_ward_id'), ['ward_id'], unique=False)


def _create_treatment_clinical() -> None:
    op.create_table('treatment_clinical',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('infection_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('at', fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('clinical_type', sa.String(length=16), nullable=False),
    sa.Column('symptoms_resolved', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['infection_id'], ['infections.id'], name=op.f('fk_treatment_clinical_infection_id_infections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_treatment_clinical_person_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_treatment_clinical'))
    )
    with op.batch_alter_table('treatment_clinical', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_treatment_clinical_infection_id'), ['infection_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_treatment_clinical_person_id'), ['person_id'], unique=False)


def _create_treatment_pcr() -> None:
    op.create_table('treatment_pcr',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('infection_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('sampled_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('negative', sa.Boolean(), nullable=False),
    sa.Column('n_ct', sa.Float(), nullable=True),
    sa.Column('orf1ab_ct', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['infection_id'], ['infections.id'], name=op.f('fk_treatment_pcr_infection_id_infections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_treatment_pcr_person_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_treatment_pcr'))
    )
    with op.batch_alter_table('treatment_pcr', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_treatment_pcr_infection_id'), ['infection_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_treatment_pcr_person_id'), ['person_id'], unique=False)


def upgrade() -> None:
    # A function a table, as Alembic wrote it, in the order their keys need.
    _create_treatment_hospitals()
    _create_treatment_wards()
    _create_treatment_admissions()
    _create_treatment_clinical()
    _create_treatment_pcr()


def downgrade() -> None:
    # Dropping a table drops its indexes; the order undoes the keys.
    for table in reversed(TABLES):
        op.drop_table(table)
