"""What crosses the command centre's API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from fangkong.core.schemas import ReadModel, RowId
from fangkong.core.signals import ObjectKind
from fangkong.core.timeutil import LocalDateTime

TaskStatus = Literal["open", "in_progress", "done", "cancelled"]
STATUSES: tuple[TaskStatus, ...] = ("open", "in_progress", "done", "cancelled")


class GroupIn(BaseModel):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,31}$")
    name: str = Field(min_length=1, max_length=64)
    county_code: str | None = Field(default=None, pattern=r"^\d{6}$")
    head_user_id: RowId | None = None


class MemberIn(BaseModel):
    user_id: RowId


class GroupRead(ReadModel):
    id: int
    code: str
    name: str
    county_code: str | None
    head_user_id: int | None
    head: str | None
    members: list[str]
    open_tasks: int
    overdue: int


class TaskIn(BaseModel):
    group_id: RowId | None = Field(default=None, description="required: the working group")
    title: str = Field(min_length=1, max_length=500)
    deadline: LocalDateTime
    responsible_user_id: RowId | None = None
    object_kind: ObjectKind | None = None
    object_id: RowId | None = None
    county_code: str | None = Field(default=None, pattern=r"^\d{6}$")
    unit: str = Field(default="", max_length=120)


class TaskChange(BaseModel):
    status: TaskStatus | None = None
    responsible_user_id: RowId | None = None
    deadline: LocalDateTime | None = None
    note: str = Field(default="", max_length=2000)


class TaskEventRead(ReadModel):
    at: datetime
    by: str
    kind: str
    to: str | None
    detail: str


class TaskRead(ReadModel):
    id: int
    group_id: int
    group: str
    kind: str
    title: str
    signal_key: str | None
    object_kind: str | None
    object_id: int | None
    link: str | None
    county_code: str | None
    department: str
    unit: str
    responsible_user_id: int | None
    responsible: str | None
    deadline: datetime
    status: TaskStatus
    overdue: bool
    created_at: datetime
    created_by: str | None
    closed_at: datetime | None
    closed_reason: str | None
    escalation: int
    escalated_to: str | None
    history: list[TaskEventRead] = []


class MyWork(ReadModel):
    as_of: datetime
    mine: list[TaskRead]
    my_groups: list[TaskRead]
    escalated_to_me: list[TaskRead]


class RaiseResult(ReadModel):
    as_of: datetime
    signals: int
    raised: int
    cleared: int
    escalated: int


class PlaceVisitRead(ReadModel):
    infection_id: int
    arrived_at: datetime
    departed_at: datetime


class EnvSampleIn(BaseModel):
    kind: Literal["surface", "goods", "air"]
    spot: str = Field(default="", max_length=120)
    taken_at: LocalDateTime
    result: Literal["negative", "positive"] | None = None
    result_at: LocalDateTime | None = None


class EnvSampleRead(ReadModel):
    id: int
    kind: str
    spot: str
    taken_at: datetime
    taken_by: str
    result: str | None
    result_at: datetime | None


class DisinfectionIn(BaseModel):
    done_at: LocalDateTime
    done_by: str = Field(min_length=1, max_length=120)


class DisinfectionRead(ReadModel):
    done_at: datetime
    done_by: str


class PlaceClose(BaseModel):
    closed_at: LocalDateTime


class PlaceRead(ReadModel):
    id: int
    name: str
    address: str
    kind: str
    county_code: str | None
    lon: float | None
    lat: float | None
    registered_at: datetime
    closed_at: datetime | None
    state: Literal["to_sample", "sampled", "positive", "disinfected"]
    visits: list[PlaceVisitRead]
    samples: list[EnvSampleRead]
    disinfections: list[DisinfectionRead]


class TeamIn(BaseModel):
    name: str = Field(min_length=1, max_length=64)
    county_code: str | None = Field(default=None, pattern=r"^\d{6}$")
    member_ids: list[RowId] = Field(default_factory=list, max_length=200)


class InvestigationIn(BaseModel):
    kind: Literal["interview", "contacts", "assist"]
    title: str = Field(min_length=1, max_length=200)
    infection_id: RowId | None = None
    from_county: str | None = Field(default=None, pattern=r"^\d{6}$")
    hours: float = Field(default=2.0, gt=0, le=72)
    due_at: LocalDateTime
    team_id: RowId | None = Field(default=None, description="omit: the least loaded team")


class InvestigationRead(ReadModel):
    id: int
    team_id: int
    team: str
    assignee: str | None
    kind: str
    title: str
    infection_id: int | None
    from_county: str | None
    hours: float
    opened_at: datetime
    due_at: datetime
    closed_at: datetime | None


class TeamMemberRead(ReadModel):
    user_id: int
    name: str
    county_code: str | None
    on_duty: bool
    open_work: int


class TeamRead(ReadModel):
    id: int
    name: str
    county_code: str | None
    members: list[TeamMemberRead]
    open_work: int
    load: float
    investigations: list[InvestigationRead]


class ShiftIn(BaseModel):
    scope: str = Field(pattern=r"^(city|\d{6})$", description="city, or a county code")
    user_id: RowId
    starts_at: LocalDateTime
    ends_at: LocalDateTime
    handover_note: str = Field(default="", max_length=2000)


class ShiftRead(ReadModel):
    id: int
    scope: str
    user_id: int
    officer: str
    starts_at: datetime
    ends_at: datetime
    handover_note: str


class DutyRead(ReadModel):
    scope: str
    at: datetime
    on_duty: ShiftRead | None
    next: ShiftRead | None
    handover_from: ShiftRead | None


StockItem = Literal[
    "swab", "sampling_tube", "reagent", "protective_suit", "mask", "disinfectant", "room"
]


class StoreIn(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    kind: Literal["warehouse", "site", "lab"]
    county_code: str | None = Field(
        default=None, pattern=r"^\d{6}$", description="None: the city's"
    )
    lab_id: RowId | None = Field(default=None, description="a lab's store: the lab")


class StockLineIn(BaseModel):
    item: StockItem
    safety_level: int = Field(ge=0, le=100_000_000)


class StockMoveIn(BaseModel):
    store_id: RowId
    item: StockItem
    kind: Literal["receipt", "issue", "use"]
    quantity: int = Field(gt=0, le=100_000_000)
    at: LocalDateTime
    to_store_id: RowId | None = Field(default=None, description="an issue to another store")
    note: str = Field(default="", max_length=500)


class StockRow(ReadModel):
    store_id: int
    store: str
    kind: str
    county_code: str | None
    item: str
    balance: int
    daily_use: float
    days_left: float | None
    safety_level: int | None
    below_safety: bool
