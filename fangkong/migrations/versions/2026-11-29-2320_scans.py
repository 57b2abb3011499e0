"""scans: code tokens, scanners, the scan audit, and the per-person state a scan reads

Triggers keep the state honest: every table behind a health code's colour bumps
healthcode_state.version for the people a write touches, in the writing transaction. On
PostgreSQL one statement-level trigger per table and event, over its transition table (a bulk
import of a million samples bumps in one UPDATE); on SQLite a row-level trigger.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 23:28:39.783775
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import fangkong.core.db

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


# (table, events, the people a set of its rows touches: SQL over a transition table named {rows})
BUMPS = [
    *((t, ("INSERT", "UPDATE", "DELETE"), "SELECT person_id FROM {rows}")
      for t in ("infections", "management_orders", "arrivals", "samples", "quarantine_swabs",
                "quarantine_stays", "healthcode_appeals")),
    ("order_phases", ("INSERT", "UPDATE", "DELETE"),
     "SELECT m.person_id FROM management_orders m JOIN {rows} r ON r.order_id = m.id"),
    ("people", ("UPDATE",), "SELECT id FROM {rows}"),  # name, address, home: the area
]
# A tube's result reaches everyone in it; only a change of result counts.
TUBES_PG = (
    "SELECT s.person_id FROM samples s JOIN new_rows n ON s.tube_id = n.id "
    "JOIN old_rows o ON o.id = n.id WHERE n.result IS DISTINCT FROM o.result"
)
BUMP = "UPDATE healthcode_state SET version = version + 1 WHERE person_id IN ({people})"


def _postgresql_triggers() -> list[str]:
    out = []
    specs = [(t, e, sql) for t, events, sql in BUMPS for e in events]
    specs.append(("tubes", "UPDATE", TUBES_PG))
    for table, event, sql in specs:
        if table == "tubes":
            people, refs = sql, "OLD TABLE AS old_rows NEW TABLE AS new_rows"
        elif event == "UPDATE":
            people = sql.format(rows="old_rows") + " UNION " + sql.format(rows="new_rows")
            refs = "OLD TABLE AS old_rows NEW TABLE AS new_rows"
        else:
            rows = "new_rows" if event == "INSERT" else "old_rows"
            people, refs = sql.format(rows=rows), f"{rows.split('_')[0].upper()} TABLE AS {rows}"
        name = f"healthcode_bump_{table}_{event.lower()}"
        out.append(
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"{BUMP.format(people=people)}; RETURN NULL; END $$"
        )
        out.append(
            f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {refs} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
        )
    return out


def _sqlite_triggers() -> list[str]:
    out = []
    specs = [(t, e, sql) for t, events, sql in BUMPS for e in events]
    for table, event, sql in specs:
        rows = ["NEW", "OLD"] if event == "UPDATE" else ["NEW" if event == "INSERT" else "OLD"]
        people = " UNION ".join(
            sql.replace("FROM {rows}", "").replace("SELECT ", f"SELECT {r}.")
            if "{rows} r" not in sql
            else f"SELECT person_id FROM management_orders WHERE id = {r}.order_id"
            for r in rows
        )
        out.append(
            f"CREATE TRIGGER healthcode_bump_{table}_{event.lower()} AFTER {event} ON {table} "
            f"BEGIN {BUMP.format(people=people)}; END"
        )
    out.append(
        "CREATE TRIGGER healthcode_bump_tubes_update AFTER UPDATE OF result ON tubes "
        "WHEN OLD.result IS NOT NEW.result BEGIN "
        + BUMP.format(people="SELECT person_id FROM samples WHERE tube_id = NEW.id")
        + "; END"
    )
    return out


def _trigger_names() -> list[tuple[str, str]]:
    names = [(t, f"healthcode_bump_{t}_{e.lower()}") for t, events, _ in BUMPS for e in events]
    return [*names, ("tubes", "healthcode_bump_tubes_update")]


def upgrade() -> None:
    op.create_table('healthcode_scans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scanned_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('scanner_id', sa.Integer(), nullable=True),
    sa.Column('username', sa.String(length=64), nullable=True),
    sa.Column('checkpoint_id', sa.Integer(), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=8), nullable=False),
    sa.Column('colour', sa.String(length=8), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_healthcode_scans'))
    )
    with op.batch_alter_table('healthcode_scans', schema=None) as batch_op:
        batch_op.create_index('ix_healthcode_scans_scanned_at', ['scanned_at'], unique=False, postgresql_using='brin')

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

    op.create_table('healthcode_state',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('schedule', sa.Text(), nullable=False),
    sa.Column('last_negative_at', fangkong.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('computed_version', sa.Integer(), nullable=False),
    sa.Column('protocol_id', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_healthcode_state_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('person_id', name=op.f('pk_healthcode_state')),
    sa.UniqueConstraint('token', name=op.f('uq_healthcode_state_token'))
    )
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


    dialect = op.get_bind().dialect.name
    for statement in _postgresql_triggers() if dialect == "postgresql" else _sqlite_triggers():
        op.execute(statement)


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table, name in _trigger_names():
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgresql else ""))
        if postgresql:
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    with op.batch_alter_table('healthcode_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_healthcode_tokens_person_id'))

    op.drop_table('healthcode_tokens')
    op.drop_table('healthcode_state')
    with op.batch_alter_table('healthcode_scanners', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_healthcode_scanners_checkpoint_id'))

    op.drop_table('healthcode_scanners')
    with op.batch_alter_table('healthcode_scans', schema=None) as batch_op:
        batch_op.drop_index('ix_healthcode_scans_scanned_at', postgresql_using='brin')

    op.drop_table('healthcode_scans')
