"""spine: users, people, tracing, audit

Revision ID: 0001
Revises:
Create Date: 2026-11-29 18:55:55.155834
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import fangkong.core.db

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_key", sa.String(length=32), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=True),
        sa.Column("passport", sa.String(length=20), nullable=True),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("sex", sa.String(length=8), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("age_text", sa.String(length=16), nullable=True),
        sa.Column("phone", sa.String(length=11), nullable=True),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("county_code", sa.String(length=6), nullable=True),
        sa.Column("created_at", fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
        sa.UniqueConstraint("id_number", name=op.f("uq_people_id_number")),
        sa.UniqueConstraint("passport", name=op.f("uq_people_passport")),
        sa.UniqueConstraint("person_key", name=op.f("uq_people_person_key")),
    )
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_people_county_code"), ["county_code"], unique=False)

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("jurisdiction", sa.String(length=6), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_audit_entries_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries")),
    )
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_entries_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_entries_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_entries_entity_id"), ["entity_id"], unique=False)

    op.create_table(
        "infections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("onset_at", fangkong.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sampled_at", fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reported_at", fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("protocol_id", sa.String(length=16), nullable=False),
        sa.Column("source_infection_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_infections_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["source_infection_id"],
            ["infections.id"],
            name=op.f("fk_infections_source_infection_id_infections"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_infections")),
    )
    with op.batch_alter_table("infections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_infections_person_id"), ["person_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_infections_reported_at"), ["reported_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_infections_source_infection_id"), ["source_infection_id"], unique=False
        )

    op.create_table(
        "person_merges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("merged_key", sa.String(length=32), nullable=False),
        sa.Column("merged_person_id", sa.Integer(), nullable=False),
        sa.Column("into_person_id", sa.Integer(), nullable=False),
        sa.Column("at", fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["into_person_id"],
            ["people.id"],
            name=op.f("fk_person_merges_into_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_merges")),
        sa.UniqueConstraint("merged_key", name=op.f("uq_person_merges_merged_key")),
    )
    op.create_table(
        "import_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("infection_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("imported_at", fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["infection_id"],
            ["infections.id"],
            name=op.f("fk_import_batches_infection_id_infections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_batches")),
        sa.UniqueConstraint(
            "infection_id", "sha256", name=op.f("uq_import_batches_infection_id_sha256")
        ),
    )
    op.create_table(
        "trajectory_stops",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("infection_id", sa.Integer(), nullable=False),
        sa.Column("place", sa.String(length=120), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("grid_cell", sa.String(length=32), nullable=True),
        sa.Column("setting", sa.String(length=32), nullable=True),
        sa.Column("arrived_at", fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("departed_at", fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["infection_id"],
            ["infections.id"],
            name=op.f("fk_trajectory_stops_infection_id_infections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trajectory_stops")),
    )
    with op.batch_alter_table("trajectory_stops", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_trajectory_stops_infection_id"), ["infection_id"], unique=False
        )

    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("infection_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("setting", sa.String(length=32), nullable=False),
        sa.Column("exposure_at", fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("identified_at", fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("via_contact_id", sa.Integer(), nullable=True),
        sa.Column("relation", sa.String(length=64), nullable=False),
        sa.Column("place", sa.String(length=120), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("under_control_at", fangkong.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("control_kind", sa.String(length=16), nullable=True),
        sa.Column("import_batch_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["import_batch_id"],
            ["import_batches.id"],
            name=op.f("fk_contacts_import_batch_id_import_batches"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["infection_id"],
            ["infections.id"],
            name=op.f("fk_contacts_infection_id_infections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_contacts_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["via_contact_id"],
            ["contacts.id"],
            name=op.f("fk_contacts_via_contact_id_contacts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
        sa.UniqueConstraint(
            "infection_id", "person_id", name=op.f("uq_contacts_infection_id_person_id")
        ),
    )
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contacts_infection_id"), ["infection_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_contacts_person_id"), ["person_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_contacts_via_contact_id"), ["via_contact_id"], unique=False
        )

    op.create_table(
        "management_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("protocol_id", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("starts_at", fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("issued_at", fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_management_orders_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_management_orders_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_management_orders")),
        sa.UniqueConstraint("contact_id", name=op.f("uq_management_orders_contact_id")),
    )
    with op.batch_alter_table("management_orders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_management_orders_ends_at"), ["ends_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_management_orders_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "order_phases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("starts_at", fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", fangkong.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("test_dates", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["management_orders.id"],
            name=op.f("fk_order_phases_order_id_management_orders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_phases")),
        sa.UniqueConstraint("order_id", "seq", name=op.f("uq_order_phases_order_id_seq")),
    )
    with op.batch_alter_table("order_phases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_phases_order_id"), ["order_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("order_phases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_phases_order_id"))

    op.drop_table("order_phases")
    with op.batch_alter_table("management_orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_management_orders_person_id"))
        batch_op.drop_index(batch_op.f("ix_management_orders_ends_at"))

    op.drop_table("management_orders")
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contacts_via_contact_id"))
        batch_op.drop_index(batch_op.f("ix_contacts_person_id"))
        batch_op.drop_index(batch_op.f("ix_contacts_infection_id"))

    op.drop_table("contacts")
    with op.batch_alter_table("trajectory_stops", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trajectory_stops_infection_id"))

    op.drop_table("trajectory_stops")
    op.drop_table("import_batches")
    op.drop_table("person_merges")
    with op.batch_alter_table("infections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_infections_source_infection_id"))
        batch_op.drop_index(batch_op.f("ix_infections_reported_at"))
        batch_op.drop_index(batch_op.f("ix_infections_person_id"))

    op.drop_table("infections")
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_entries_entity_id"))
        batch_op.drop_index(batch_op.f("ix_audit_entries_at"))
        batch_op.drop_index(batch_op.f("ix_audit_entries_action"))

    op.drop_table("audit_entries")
    op.drop_table("users")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_people_county_code"))

    op.drop_table("people")
