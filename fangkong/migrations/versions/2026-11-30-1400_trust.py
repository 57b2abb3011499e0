"""trust: server-side sessions, the sign-in throttle, the chained append-only audit, counted
scan refusals

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 14:00:00
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

GENESIS = "0" * 64
# Append-only: no DELETE (nor TRUNCATE), and no UPDATE but the seal's, once — an unsealed
# entry given its place and digest, nothing else of it changed (fangkong.core.audit).
FIELDS = ("id", "at", "user_id", "username", "action", "entity", "entity_id", "detail")
APPEND_ONLY_PG = """
CREATE FUNCTION audit_entries_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND NEW.seq IS NOT NULL
     AND (%(new)s) IS NOT DISTINCT FROM (%(old)s) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'the audit log is append-only';
END $$ LANGUAGE plpgsql;
CREATE TRIGGER audit_entries_no_update BEFORE UPDATE OR DELETE ON audit_entries
FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only();
CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries
FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only();
""" % {"new": ", ".join(f"NEW.{f}" for f in FIELDS), "old": ", ".join(f"OLD.{f}" for f in FIELDS)}
APPEND_ONLY_SQLITE = (
    "CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries WHEN NOT ("
    "OLD.seq IS NULL AND NEW.seq IS NOT NULL AND "
    + " AND ".join(f"NEW.{f} IS OLD.{f}" for f in FIELDS)
    + ") BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
    "CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
)


def upgrade() -> None:
    op.create_table(
        'user_sessions',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions')),
    )
    op.create_index(op.f('ix_user_sessions_user_id'), 'user_sessions', ['user_id'], unique=False)
    op.create_table(
        'login_failures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=128), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failures')),
    )
    op.create_index(op.f('ix_login_failures_key'), 'login_failures', ['key'], unique=False)
    op.create_index(op.f('ix_login_failures_at'), 'login_failures', ['at'], unique=False)
    op.create_table(
        'healthcode_scan_refusals',
        sa.Column('minute', sa.DateTime(timezone=True), nullable=False),
        sa.Column('reason', sa.String(length=16), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('minute', 'reason', name=op.f('pk_healthcode_scan_refusals')),
    )
    _chain_the_audit()


def _chain_the_audit() -> None:
    op.create_table(
        'audit_head',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_head')),
    )
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('digest', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_audit_entries_seq'), ['seq'])
    seq, digest = _backfill()
    op.execute(sa.text("INSERT INTO audit_head (id, seq, digest) VALUES (1, :s, :d)").bindparams(s=seq, d=digest))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(APPEND_ONLY_PG)
    else:
        for statement in APPEND_ONLY_SQLITE:
            op.execute(statement)


def _backfill() -> tuple[int, str]:
    """Entries written before the chain existed, chained in the order they were written (the
    digest as fangkong.core.audit computes it, inlined: a migration does not import the app)."""
    from datetime import UTC

    bind = op.get_bind()
    entries = sa.table(
        'audit_entries', sa.column('id', sa.Integer), sa.column('at', sa.DateTime(timezone=True)),
        sa.column('user_id', sa.Integer), sa.column('username', sa.String), sa.column('action', sa.String),
        sa.column('entity', sa.String), sa.column('entity_id', sa.String), sa.column('detail', sa.Text),
    )
    rows = bind.execute(sa.select(entries).order_by(entries.c.id)).all()
    digest, seq = GENESIS, 0
    for row in rows:
        seq += 1
        at = row.at
        at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
        fields = (str(seq), at.isoformat(timespec="microseconds"), str(row.user_id if row.user_id is not None else ""),
                  row.username, row.action, row.entity, row.entity_id, row.detail or "")
        digest = hashlib.sha256("\x1f".join((digest, *fields)).encode()).hexdigest()
        bind.execute(sa.text("UPDATE audit_entries SET seq = :s, digest = :d WHERE id = :i"),
                     {"s": seq, "d": digest, "i": row.id})
    return seq, digest


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_entries_no_truncate ON audit_entries")
        op.execute("DROP TRIGGER audit_entries_no_update ON audit_entries")
        op.execute("DROP FUNCTION audit_entries_append_only()")
    else:
        op.execute("DROP TRIGGER audit_entries_no_update")
        op.execute("DROP TRIGGER audit_entries_no_delete")
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_audit_entries_seq'), type_='unique')
        batch_op.drop_column('digest')
        batch_op.drop_column('seq')
    op.drop_table('audit_head')
    op.drop_table('healthcode_scan_refusals')
    op.drop_index(op.f('ix_login_failures_at'), table_name='login_failures')
    op.drop_index(op.f('ix_login_failures_key'), table_name='login_failures')
    op.drop_table('login_failures')
    op.drop_index(op.f('ix_user_sessions_user_id'), table_name='user_sessions')
    op.drop_table('user_sessions')
