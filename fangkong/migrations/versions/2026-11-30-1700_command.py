"""command: working groups, tasks and their supervision, places, tracer teams, the duty rota

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import fangkong.core.db

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


TABLES = (
    'command_places',
    'command_teams',
    'command_disinfections',
    'command_env_samples',
    'command_place_visits',
    'command_groups',
    'command_investigations',
    'command_shifts',
    'command_team_members',
    'command_group_members',
    'command_tasks',
    'command_task_events',
)


def _create_command_places() -> None:
    op.create_table('command_places',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('county_code', sa.String(length=6), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('registered_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_by', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_command_places')),
    sa.UniqueConstraint('name', 'address', name=op.f('uq_command_places_name_address'))
    )
    with op.batch_alter_table('command_places', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_command_places_county_code'), ['county_code'], unique=False)


def _create_command_teams() -> None:
    op.create_table('command_teams',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('county_code', sa.String(length=6), nullable=True),
    sa.Column('created_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_command_teams')),
    sa.UniqueConstraint('name', name=op.f('uq_command_teams_name'))
    )


def _create_command_disinfections() -> None:
    op.create_table('command_disinfections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=False),
    sa.Column('done_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('done_by', sa.String(length=120), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['place_id'], ['command_places.id'], name=op.f('fk_command_disinfections_place_id_command_places'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_command_disinfections'))
    )
    with op.batch_alter_table('command_disinfections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_command_disinfections_place_id'), ['place_id'], unique=False)


def _create_command_env_samples() -> None:
    op.create_table('command_env_samples',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('spot', sa.String(length=120), nullable=False),
    sa.Column('taken_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('taken_by', sa.String(length=64), nullable=False),
    sa.Column('result', sa.String(length=8), nullable=True),
    sa.Column('result_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['place_id'], ['command_places.id'], name=op.f('fk_command_env_samples_place_id_command_places'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_command_env_samples'))
    )
    with op.batch_alter_table('command_env_samples', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_command_env_samples_place_id'), ['place_id'], unique=False)


def _create_command_place_visits() -> None:
    op.create_table('command_place_visits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=False),
    sa.Column('stop_id', sa.Integer(), nullable=False),
    sa.Column('infection_id', sa.Integer(), nullable=False),
    sa.Column('arrived_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('departed_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('known_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['place_id'], ['command_places.id'], name=op.f('fk_command_place_visits_place_id_command_places'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_command_place_visits')),
    sa.UniqueConstraint('stop_id', name=op.f('uq_command_place_visits_stop_id'))
    )
    with op.batch_alter_table('command_place_visits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_command_place_visits_infection_id'), ['infection_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_command_place_visits_place_id'), ['place_id'], unique=False)


def _create_command_groups() -> None:
    op.create_table('command_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('county_code', sa.String(length=6), nullable=True),
    sa.Column('head_user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['head_user_id'], ['users.id'], name=op.f('fk_command_groups_head_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_command_groups')),
    sa.UniqueConstraint('code', name=op.f('uq_command_groups_code'))
    )


def _create_command_investigations() -> None:
    op.create_table('command_investigations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('assignee_user_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('infection_id', sa.Integer(), nullable=True),
    sa.Column('from_county', sa.String(length=6), nullable=True),
    sa.Column('env_sample_id', sa.Integer(), nullable=True),
    sa.Column('hours', sa.Float(), nullable=False),
    sa.Column('opened_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('due_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['assignee_user_id'], ['users.id'], name=op.f('fk_command_investigations_assignee_user_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['env_sample_id'], ['command_env_samples.id'], name=op.f('fk_command_investigations_env_sample_id_command_env_samples'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['team_id'], ['command_teams.id'], name=op.f('fk_command_investigations_team_id_command_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_command_investigations'))
    )
    with op.batch_alter_table('command_investigations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_command_investigations_assignee_user_id'), ['assignee_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_command_investigations_team_id'), ['team_id'], unique=False)


def _create_command_shifts() -> None:
    op.create_table('command_shifts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=6), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('handover_note', sa.Text(), nullable=False),
    sa.Column('created_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_command_shifts_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_command_shifts'))
    )
    with op.batch_alter_table('command_shifts', schema=None) as batch_op:
        batch_op.create_index('ix_command_shifts_scope', ['scope', 'starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_command_shifts_user_id'), ['user_id'], unique=False)


def _create_command_team_members() -> None:
    op.create_table('command_team_members',
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['command_teams.id'], name=op.f('fk_command_team_members_team_id_command_teams'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_command_team_members_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('team_id', 'user_id', name=op.f('pk_command_team_members'))
    )
    with op.batch_alter_table('command_team_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_command_team_members_user_id'), ['user_id'], unique=False)


def _create_command_group_members() -> None:
    op.create_table('command_group_members',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['command_groups.id'], name=op.f('fk_command_group_members_group_id_command_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_command_group_members_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('group_id', 'user_id', name=op.f('pk_command_group_members'))
    )
    with op.batch_alter_table('command_group_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_command_group_members_user_id'), ['user_id'], unique=False)


def _create_command_tasks() -> None:
    op.create_table('command_tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=48), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('signal_key', sa.String(length=96), nullable=True),
    sa.Column('object_kind', sa.String(length=16), nullable=True),
    sa.Column('object_id', sa.Integer(), nullable=True),
    sa.Column('county_code', sa.String(length=6), nullable=True),
    sa.Column('unit', sa.String(length=120), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('responsible_user_id', sa.Integer(), nullable=True),
    sa.Column('deadline', fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=True),
    sa.Column('closed_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_reason', sa.String(length=16), nullable=True),
    sa.Column('escalation', sa.Integer(), nullable=False),
    sa.Column('escalated_to_user_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['escalated_to_user_id'], ['users.id'], name=op.f('fk_command_tasks_escalated_to_user_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['group_id'], ['command_groups.id'], name=op.f('fk_command_tasks_group_id_command_groups')),
    sa.ForeignKeyConstraint(['responsible_user_id'], ['users.id'], name=op.f('fk_command_tasks_responsible_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_command_tasks'))
    )
    with op.batch_alter_table('command_tasks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_command_tasks_county_code'), ['county_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_command_tasks_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_command_tasks_escalated_to_user_id'), ['escalated_to_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_command_tasks_group_id'), ['group_id'], unique=False)
        batch_op.create_index('ix_command_tasks_open', ['status', 'deadline'], unique=False)
        batch_op.create_index(batch_op.f('ix_command_tasks_responsible_user_id'), ['responsible_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_command_tasks_signal_key'), ['signal_key'], unique=False)


def _create_command_task_events() -> None:
    op.create_table('command_task_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('at', fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('by', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('to_user_id', sa.Integer(), nullable=True),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['task_id'], ['command_tasks.id'], name=op.f('fk_command_task_events_task_id_command_tasks'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['to_user_id'], ['users.id'], name=op.f('fk_command_task_events_to_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_command_task_events'))
    )
    with op.batch_alter_table('command_task_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_command_task_events_task_id'), ['task_id'], unique=False)


def upgrade() -> None:
    # A function a table, as Alembic wrote it, in the order their keys need.
    _create_command_places()
    _create_command_teams()
    _create_command_disinfections()
    _create_command_env_samples()
    _create_command_place_visits()
    _create_command_groups()
    _create_command_investigations()
    _create_command_shifts()
    _create_command_team_members()
    _create_command_group_members()
    _create_command_tasks()
    _create_command_task_events()


def downgrade() -> None:
    # Dropping a table drops its indexes; the order undoes the keys.
    for table in reversed(TABLES):
        op.drop_table(table)
