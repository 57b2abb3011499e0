"""scans

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 23:18:08.573033
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import fangkong.core.db

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('healthcode_scanners',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('checkpoint_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=64), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('added_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('added_by', sa.String(length=64), nullable=False),
    sa.Column('revoked_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['checkpoint_id'], ['checkpoints.id'], name=op.f('fk_healthcode_scanners_checkpoint_id_checkpoints')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_healthcode_scanners')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_healthcode_scanners_key_hash'))
    )
    with op.batch_alter_table('healthcode_scanners', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_healthcode_scanners_checkpoint_id'), ['checkpoint_id'], unique=False)

    op.create_table('healthcode_tokens',
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('issued_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_healthcode_tokens_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token', name=op.f('pk_healthcode_tokens'))
    )
    with op.batch_alter_table('healthcode_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_healthcode_tokens_person_id'), ['person_id'], unique=False)

    op.create_table('healthcode_scans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scanned_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('scanner_id', sa.Integer(), nullable=True),
    sa.Column('username', sa.String(length=64), nullable=True),
    sa.Column('checkpoint_id', sa.Integer(), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=8), nullable=False),
    sa.Column('colour', sa.String(length=8), nullable=True),
    sa.ForeignKeyConstraint(['checkpoint_id'], ['checkpoints.id'], name=op.f('fk_healthcode_scans_checkpoint_id_checkpoints')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_healthcode_scans_person_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['scanner_id'], ['healthcode_scanners.id'], name=op.f('fk_healthcode_scans_scanner_id_healthcode_scanners')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_healthcode_scans'))
    )
    with op.batch_alter_table('healthcode_scans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_healthcode_scans_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_healthcode_scans_scanned_at'), ['scanned_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('healthcode_scans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_healthcode_scans_scanned_at'))
        batch_op.drop_index(batch_op.f('ix_healthcode_scans_person_id'))

    op.drop_table('healthcode_scans')
    with op.batch_alter_table('healthcode_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_healthcode_tokens_person_id'))

    op.drop_table('healthcode_tokens')
    with op.batch_alter_table('healthcode_scanners', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_healthcode_scanners_checkpoint_id'))

    op.drop_table('healthcode_scanners')
