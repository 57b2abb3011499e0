"""The daily briefing (日报) as it crosses the API, the page, the PDF and the workbook: one
section a line of the response, every figure as of the end of the day."""

from __future__ import annotations

from datetime import date, datetime

from fangkong.command.schemas import StockRow
from fangkong.core.schemas import ReadModel


class CountyLine(ReadModel):
    county_code: str
    county: str
    new_confirmed: int
    new_asymptomatic: int
    confirmed: int
    asymptomatic: int


class CurveDay(ReadModel):
    day: date
    confirmed: int
    asymptomatic: int


class InfectionSection(ReadModel):
    new_confirmed: int
    new_asymptomatic: int
    confirmed: int
    asymptomatic: int
    counties: list[CountyLine]
    curve: list[CurveDay]


class ContactSection(ReadModel):
    found: int
    found_today: int
    secondary: int
    under_control: int
    not_under_control: int
    target_hours: int
    infections: int  # reported by the end of the day, the 48-hour KPI's
    met_target: int
    missed_target: int


class PlaceSection(ReadModel):
    places: int
    sampled: int
    sampled_today: int
    positive: int
    disinfected: int
    disinfected_today: int


class Named(ReadModel):
    key: str
    label: str
    n: int


class ZoneChangeLine(ReadModel):
    zone: str
    county: str
    action: str
    from_label: str | None
    to_label: str | None
    at: datetime


class ZoneSection(ReadModel):
    in_force: list[Named]
    changes: list[ZoneChangeLine]


class RoundLine(ReadModel):
    name: str
    residents: int
    sampled: int
    sampled_today: int
    coverage: float | None  # percent of residents sampled
    tubes_resulted: int
    positive_tubes: int
    turnaround_hours: float | None


class TestingSection(ReadModel):
    sampled_today: int
    positive_tubes: int
    rounds: list[RoundLine]


class QuarantineSection(ReadModel):
    rooms: int
    occupied: int
    waiting: int
    runs_out_on: date | None


class HospitalLine(ReadModel):
    name: str
    kind: str
    general: int
    general_beds: int
    icu: int
    icu_beds: int


class TreatmentSection(ReadModel):
    beds: int
    occupied: int
    admitted_today: int
    discharged_today: int
    hospitals: list[HospitalLine]
    by_type: list[Named]


class ItemLine(ReadModel):
    item: str
    label: str
    balance: int
    daily_use: float
    days_left: float | None


class StockSection(ReadModel):
    items: list[ItemLine]
    below_safety: list[StockRow]


class GroupLine(ReadModel):
    group: str
    done_today: int
    open: int
    overdue: int


class DutyLine(ReadModel):
    scope: str
    officer: str
    starts_at: datetime
    ends_at: datetime


class BriefingRead(ReadModel):
    day: date
    as_of: datetime
    made_at: datetime
    infections: InfectionSection
    contacts: ContactSection
    places: PlaceSection
    zones: ZoneSection
    testing: TestingSection
    quarantine: QuarantineSection
    treatment: TreatmentSection
    stock: StockSection
    tasks: list[GroupLine]
    duty: list[DutyLine]
