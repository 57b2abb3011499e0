"""The front command centre's tables: working groups, tasks and their history, places,
tracer teams and their investigations, the duty rota. Only the command domain writes them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fangkong.core.db import Base, UTCDateTime


class WorkingGroup(Base):
    """A working group (工作组): the seven of a command centre by code, and any a city adds."""

    __tablename__ = "command_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    # A 6-digit county code, or None for the city's command centre.
    county_code: Mapped[str | None] = mapped_column(String(6))
    head_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class GroupMember(Base):
    __tablename__ = "command_group_members"

    group_id: Mapped[int] = mapped_column(
        ForeignKey("command_groups.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Task(Base):
    """A task of a working group, by hand or raised by a signal (`signal_key`), with the four
    parties answerable for it (四方责任): the locality (county), the department (the group), the
    unit, the person (`responsible_user_id`)."""

    __tablename__ = "command_tasks"
    __table_args__ = (Index("ix_command_tasks_open", "status", "deadline"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("command_groups.id"), index=True)
    kind: Mapped[str] = mapped_column(String(48))  # "manual", or the signal's kind
    title: Mapped[str] = mapped_column(Text, default="")  # a hand-made task's own words
    signal_key: Mapped[str | None] = mapped_column(String(96), index=True)
    object_kind: Mapped[str | None] = mapped_column(String(16))
    object_id: Mapped[int | None] = mapped_column(Integer)
    county_code: Mapped[str | None] = mapped_column(String(6), index=True)
    unit: Mapped[str] = mapped_column(String(120), default="")
    count: Mapped[int] = mapped_column(Integer, default=0)
    responsible_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    created_by: Mapped[str | None] = mapped_column(String(64))  # None: raised by the platform
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_reason: Mapped[str | None] = mapped_column(String(16))  # done|cancelled|cleared
    escalation: Mapped[int] = mapped_column(Integer, default=0)  # 1 the group's head, 2 commander
    escalated_to_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )


class TaskEvent(Base):
    """Supervision's record: every escalation, change of owner or status and note, who and when."""

    __tablename__ = "command_task_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(
        ForeignKey("command_tasks.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    by: Mapped[str] = mapped_column(String(64))  # a username, or "" for the platform
    kind: Mapped[str] = mapped_column(String(16))  # escalated|reassigned|status|note|deadline
    to_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    detail: Mapped[str] = mapped_column(Text, default="")


class Place(Base):
    """A place on an infection's trajectory (场所): registered once by name and address."""

    __tablename__ = "command_places"
    __table_args__ = (UniqueConstraint("name", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    address: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str] = mapped_column(String(32), default="")  # the stop's setting
    county_code: Mapped[str | None] = mapped_column(String(6), index=True)
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[str | None] = mapped_column(String(64))


class PlaceVisit(Base):
    """An infection's stop at a place: which case was there, and when."""

    __tablename__ = "command_place_visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    place_id: Mapped[int] = mapped_column(
        ForeignKey("command_places.id", ondelete="CASCADE"), index=True
    )
    stop_id: Mapped[int] = mapped_column(Integer, unique=True)
    infection_id: Mapped[int] = mapped_column(Integer, index=True)
    arrived_at: Mapped[datetime] = mapped_column(UTCDateTime)
    departed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When the stop was known to the platform (the place's tasks run from here).
    known_at: Mapped[datetime] = mapped_column(UTCDateTime)


class EnvironmentSample(Base):
    """An environment sample at a place (surface, goods, air) and its result."""

    __tablename__ = "command_env_samples"

    id: Mapped[int] = mapped_column(primary_key=True)
    place_id: Mapped[int] = mapped_column(
        ForeignKey("command_places.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(8))  # surface | goods | air
    spot: Mapped[str] = mapped_column(String(120), default="")  # door handle, counter …
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime)
    taken_by: Mapped[str] = mapped_column(String(64))
    result: Mapped[str | None] = mapped_column(String(8))  # negative | positive
    result_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Disinfection(Base):
    """A disinfection of a place (消杀): by which team, when."""

    __tablename__ = "command_disinfections"

    id: Mapped[int] = mapped_column(primary_key=True)
    place_id: Mapped[int] = mapped_column(
        ForeignKey("command_places.id", ondelete="CASCADE"), index=True
    )
    done_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_by: Mapped[str] = mapped_column(String(120))
    recorded_by: Mapped[str] = mapped_column(String(64))


class Team(Base):
    """A tracer team (流调专班), drawn from several counties."""

    __tablename__ = "command_teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    county_code: Mapped[str | None] = mapped_column(String(6))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TeamMember(Base):
    __tablename__ = "command_team_members"

    team_id: Mapped[int] = mapped_column(
        ForeignKey("command_teams.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Investigation(Base):
    """A piece of tracing work for a team: an infection's interview, a batch of contacts to
    find and call, or a request for assistance from another county (协查)."""

    __tablename__ = "command_investigations"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("command_teams.id"), index=True)
    assignee_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # interview | contacts | assist
    title: Mapped[str] = mapped_column(String(200))
    infection_id: Mapped[int | None] = mapped_column(Integer)
    from_county: Mapped[str | None] = mapped_column(String(6))
    # The positive environment sample whose place's visitors this work finds (tracing widened).
    env_sample_id: Mapped[int | None] = mapped_column(
        ForeignKey("command_env_samples.id", ondelete="SET NULL")
    )
    hours: Mapped[float] = mapped_column(Float, default=2.0)  # the work it is expected to take
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Shift(Base):
    """A duty shift (应急值守) at the city's command centre (`scope` "city") or a county's."""

    __tablename__ = "command_shifts"
    __table_args__ = (Index("ix_command_shifts_scope", "scope", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(6))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    handover_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(64))


class Store(Base):
    """Where stock is held (物资): a warehouse (the city's, or a county's), a quarantine site or
    a lab. Sampling draws on its county's warehouse, a lab's tests on the lab's store."""

    __tablename__ = "command_stores"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(12))  # warehouse | site | lab
    county_code: Mapped[str | None] = mapped_column(String(6), index=True)  # None: the city's
    lab_id: Mapped[int | None] = mapped_column(ForeignKey("labs.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class StockLine(Base):
    """An item a store keeps, with the level under which it must be restocked."""

    __tablename__ = "command_stock_lines"
    __table_args__ = (UniqueConstraint("store_id", "item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(
        ForeignKey("command_stores.id", ondelete="CASCADE"), index=True
    )
    item: Mapped[str] = mapped_column(String(24))
    safety_level: Mapped[int] = mapped_column(Integer)


class StockMove(Base):
    """A receipt into a store, an issue out of it (to another store, or away) or a use entered
    by hand; uses the operations imply (tubes, swabs, suits, reagent) are derived, not kept."""

    __tablename__ = "command_stock_moves"
    __table_args__ = (Index("ix_command_stock_moves_line", "store_id", "item", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("command_stores.id", ondelete="CASCADE"))
    item: Mapped[str] = mapped_column(String(24))
    kind: Mapped[str] = mapped_column(String(8))  # receipt | issue | use
    quantity: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    to_store_id: Mapped[int | None] = mapped_column(
        ForeignKey("command_stores.id", ondelete="SET NULL")
    )
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
