"""What crosses sentinel surveillance's API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from fangkong.core.schemas import ReadModel
from fangkong.core.timeutil import LocalDateTime

PointKind = Literal["fever_clinic", "clinic", "pharmacy", "school", "lab"]
# What each kind of point counts: visits with fever; the drugs a pharmacy sold (退热, 止咳,
# 抗病毒, 抗菌); pupils absent; tests run and positive.
MEASURES: dict[str, tuple[str, ...]] = {
    "fever_clinic": ("fever_visits",),
    "clinic": ("fever_visits",),
    "pharmacy": ("antipyretics", "cough", "antivirals", "antibiotics"),
    "school": ("absent",),
    "lab": ("tests", "positive"),
}


class PointIn(BaseModel):
    code: str = Field(pattern=r"^[A-Za-z0-9_-]{1,32}$")
    name: str = Field(min_length=1, max_length=120)
    kind: PointKind
    county_code: str = Field(pattern=r"^\d{6}$")
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    due_hour: int = Field(default=10, ge=0, le=23, description="the next day's hour it reports by")


class PointRead(ReadModel):
    id: int
    code: str
    name: str
    kind: str
    county_code: str
    lon: float | None
    lat: float | None
    due_hour: int
    last_day: date | None = None  # the last day it has reported


class ReportIn(BaseModel):
    point: str = Field(min_length=1, max_length=32, description="the point's code")
    day: date
    measure: str = Field(min_length=1, max_length=24)
    count: int = Field(ge=0, le=10_000_000)
    reported_at: LocalDateTime | None = Field(default=None, description="default: now")


class ReportsDone(ReadModel):
    written: int  # new or changed
    unchanged: int


class ReportRead(ReadModel):
    point: str
    day: date
    measure: str
    count: int
    reported_at: datetime


AlarmStatus = Literal["open", "confirmed", "dismissed", "closed"]


class AlarmRead(ReadModel):
    """An alarm as the board, the map and the curves show it (no person in it)."""

    id: int
    kind: str  # "temporal" or "cluster"
    method: str
    measure: str
    day: date  # the day judged; a cluster's last day
    last_day: date  # the latest day the episode alarmed on (as of the last pass)
    days: int  # a cluster's days
    point_code: str  # the point (a cluster's centre)
    point_name: str
    county_code: str
    lon: float | None
    lat: float | None
    members: list[str]  # the codes of a cluster's points (the point alone, for a temporal one)
    observed: float
    expected: float
    threshold: float | None
    p_value: float | None
    status: AlarmStatus
    created_at: datetime
    decided_at: datetime | None
    decided_by: str | None
    closed_at: datetime | None
    note: str


class AlarmDecision(BaseModel):
    action: Literal["confirm", "dismiss", "close"]
    note: str = Field(default="", max_length=500)


class DetectDone(ReadModel):
    series: int  # point-measure series judged
    raised: int  # alarms new in this pass


class SeriesRead(ReadModel):
    """A point's daily counts of one measure, oldest first (a day not reported left out)."""

    point_code: str
    point_name: str
    measure: str
    days: list[date]
    counts: list[int]
