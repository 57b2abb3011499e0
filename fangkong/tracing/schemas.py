from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from fangkong.core.schemas import ReadModel, RowId
from fangkong.core.timeutil import LocalDateTime
from fangkong.people.schemas import PersonIn, PersonRead

InfectionKind = Literal["confirmed", "asymptomatic"]
ControlKind = Literal["placed", "home"]


class InfectionCreate(BaseModel):
    person: PersonIn | None = None
    person_id: RowId | None = None
    kind: InfectionKind
    onset_at: LocalDateTime | None = Field(default=None, description="symptom onset")
    sampled_at: LocalDateTime
    reported_at: LocalDateTime
    note: str = Field(default="", max_length=2000)


class InfectionRead(ReadModel):
    id: int
    person: PersonRead
    kind: InfectionKind
    onset_at: datetime | None
    sampled_at: datetime
    reported_at: datetime
    protocol_id: str
    source_infection_id: int | None
    note: str
    contacts: int
    under_control: int


class StopCreate(BaseModel):
    place: str = Field(min_length=1, max_length=120)
    address: str = Field(default="", max_length=200)
    grid_cell: str | None = Field(default=None, max_length=32)
    setting: str | None = None
    arrived_at: LocalDateTime
    departed_at: LocalDateTime
    note: str = Field(default="", max_length=2000)


class StopRead(ReadModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    place: str
    address: str
    grid_cell: str | None
    setting: str | None
    arrived_at: datetime
    departed_at: datetime
    note: str


class ContactCreate(BaseModel):
    person: PersonIn
    category: str | None = Field(
        default=None,
        description="close, secondary, general, companion (or 密接 …); blank with "
        "via_contact_id: the protocol decides (a close contact's contacts are secondary)",
    )
    setting: str = Field(description="household, taxi, train_carriage, … (or 共同居住 …)")
    exposure_at: LocalDateTime = Field(description="last exposure")
    identified_at: LocalDateTime | None = None
    via_contact_id: RowId | None = Field(default=None, description="for a secondary contact")
    relation: str = Field(default="", max_length=64)
    place: str = Field(default="", max_length=120)
    note: str = Field(default="", max_length=2000)


class ContactForInfection(ContactCreate):
    """A contact named with its infection in the body, as field apps send them."""

    infection_id: RowId


class ContactOfContactCreate(BaseModel):
    """A contact of a contact: the protocol decides the category (close -> secondary)."""

    person: PersonIn
    setting: str
    exposure_at: LocalDateTime
    identified_at: LocalDateTime | None = None
    relation: str = Field(default="", max_length=64)
    place: str = Field(default="", max_length=120)
    note: str = Field(default="", max_length=2000)


class ControlRecord(BaseModel):
    how: ControlKind
    at: LocalDateTime


class PhaseRead(ReadModel):
    kind: str
    starts_at: datetime
    ends_at: datetime
    test_dates: list[date]


class OrderRead(ReadModel):
    protocol_id: str
    category: str
    starts_at: datetime
    ends_at: datetime
    phases: list[PhaseRead]


class ContactRead(ReadModel):
    id: int
    infection_id: int
    person: PersonRead
    category: str
    category_label: str
    setting: str
    setting_label: str
    exposure_at: datetime
    identified_at: datetime
    via_contact_id: int | None
    relation: str
    place: str
    note: str
    under_control_at: datetime | None
    control_kind: str | None
    order: OrderRead | None


class ImportResult(ReadModel):
    infection_id: int
    filename: str
    rows: int
    people_created: int
    contacts_created: int
    already_imported: bool


class ChainNode(ReadModel):
    id: str
    kind: Literal["infection", "contact"]
    label: str
    generation: int | None = None
    infection_kind: str | None = None
    category: str | None = None
    reported_at: datetime | None = None
    under_control: bool | None = None


class ChainEdge(ReadModel):
    source: str
    target: str
    kind: Literal["transmission", "exposure", "via"]


class Chain(ReadModel):
    root_infection_id: int
    infections: int
    generations: int
    nodes: list[ChainNode]
    edges: list[ChainEdge]


class ContactLate(ReadModel):
    contact_id: int
    person: PersonRead
    category: str
    identified_at: datetime
    under_control_at: datetime | None
    hours_after_report: float | None


class InfectionKpi(ReadModel):
    infection_id: int
    person: PersonRead
    reported_at: datetime
    as_of: datetime
    hours_since_report: float
    contacts: int
    under_control: int
    last_controlled_at: datetime | None
    hours_to_full_control: float | None
    met_target: bool | None = Field(description="None while the target time is still ahead")
    not_controlled_at_24h: list[ContactLate]
    not_controlled_at_48h: list[ContactLate]
    not_controlled_now: list[ContactLate]
    control_curve: list[tuple[float, int]] = Field(
        description="(hours after report, contacts under control by then), one point per control"
    )


class KpiOverview(ReadModel):
    as_of: datetime
    target_hours: int
    infections: int
    contacts: int
    under_control: int
    infections_fully_controlled: int
    infections_met_target: int
    infections_missed_target: int
    rows: list[InfectionKpi]
