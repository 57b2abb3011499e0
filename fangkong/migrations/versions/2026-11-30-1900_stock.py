"""stock: stores, their items' safety levels, receipts, issues and uses

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30 19:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import fangkong.core.db

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


TABLES = ('command_stores', 'command_stock_lines', 'command_stock_moves')


def _create_command_stores() -> None:
    op.create_table('command_stores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('county_code', sa.String(length=6), nullable=True),
    sa.Column('lab_id', sa.Integer(), nullable=True),
    sa.Column('created_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['lab_id'], ['labs.id'], name=op.f('fk_command_stores_lab_id_labs'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_command_stores')),
    sa.UniqueConstraint('name', name=op.f('uq_command_stores_name'))
    )
    with op.batch_alter_table('command_stores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_command_stores_county_code'), ['county_code'], unique=False)


def _create_command_stock_lines() -> None:
    op.create_table('command_stock_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('item', sa.String(length=24), nullable=False),
    sa.Column('safety_level', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['store_id'], ['command_stores.id'], name=op.f('fk_command_stock_lines_store_id_command_stores'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_command_stock_lines')),
    sa.UniqueConstraint('store_id', 'item', name=op.f('uq_command_stock_lines_store_id_item'))
    )
    with op.batch_alter_table('command_stock_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_command_stock_lines_store_id'), ['store_id'], unique=False)


def _create_command_stock_moves() -> None:
    op.create_table('command_stock_moves',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('store_id', sa.Integer(), nullable=False),
    sa.Column('item', sa.String(length=24), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('at', fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('to_store_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['store_id'], ['command_stores.id'], name=op.f('fk_command_stock_moves_store_id_command_stores'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['to_store_id'], ['command_stores.id'], name=op.f('fk_command_stock_moves_to_store_id_command_stores'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_command_stock_moves'))
    )
    with op.batch_alter_table('command_stock_moves', schema=None) as batch_op:
        batch_op.create_index('ix_command_stock_moves_line', ['store_id', 'item', 'at'], unique=False)


def upgrade() -> None:
    # A function a table, in the order their keys need.
    _create_command_stores()
    _create_command_stock_lines()
    _create_command_stock_moves()


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
