"""The protocol as data: what each edition fixes about contacts and their management."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ContactCategory = Literal["close", "secondary", "general", "companion"]
ManagementKind = Literal["central_quarantine", "home_quarantine", "home_monitoring"]
CATEGORIES: tuple[ContactCategory, ...] = ("close", "secondary", "general", "companion")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TracingRules(_Strict):
    close_lookback_days: int = Field(ge=0, le=21)
    control_target_hours: int = Field(gt=0, le=168)
    transfer_within_hours: int = Field(gt=0, le=72)


class Phase(_Strict):
    kind: ManagementKind
    days: int = Field(gt=0, le=60)
    test_days: tuple[int, ...] = ()
    sample: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _test_days_inside(self) -> Phase:
        if list(self.test_days) != sorted(set(self.test_days)):
            raise ValueError("test_days must be ascending without repeats")
        if any(d < 0 or d > self.days for d in self.test_days):
            raise ValueError(f"test_days must lie between day 0 and day {self.days}")
        return self


class CategoryRule(_Strict):
    label: str
    label_en: str
    aliases: tuple[str, ...] = ()
    contacts_become: ContactCategory | None = None
    clock_starts: Literal["last_exposure", "identification"]
    management: tuple[Phase, ...] = Field(min_length=1)


class SettingRule(_Strict):
    label: str
    label_en: str
    aliases: tuple[str, ...] = ()


class ZoneRule(_Strict):
    """When a zone of this kind may be lifted or downgraded. Conditions left out do not apply."""

    label: str
    label_en: str
    regime: str = ""
    days_without_infection: int | None = Field(default=None, ge=1, le=60)
    close_contacts_clear_days: int | None = Field(default=None, ge=1, le=60)
    screening_negative_within_days: int | None = Field(default=None, ge=0, le=14)
    screening_on_day: int | None = Field(default=None, ge=1, le=60)
    lift_with_inner: bool = False
    becomes: str = "lifted"
    then_days: int | None = Field(default=None, ge=1, le=60)
    upgrade_on_infection: str | None = None


class CompanionRule(_Strict):
    """Who is a spatiotemporal companion (时空伴随者) of a case, from phone location data."""

    cell_size_m: int = Field(default=800, ge=50, le=10_000)
    max_gap_minutes: int = Field(default=30, ge=1, le=24 * 60)
    window_days: int = Field(default=14, ge=1, le=60)
    min_minutes: float = Field(default=10, gt=0, le=24 * 60)
    # The extra clause one city used: either party stayed this long in the shared cell.
    cell_hours_clause: bool = False
    min_cell_hours: float = Field(default=30, gt=0, le=24 * 60)


Colour = Literal["red", "yellow", "green"]


class ContactColours(_Strict):
    quarantine: Colour  # while in central or home quarantine
    monitoring: Colour  # while in home health monitoring


class HealthCodeRule(_Strict):
    """What each state makes a person's health code, and for how long."""

    infection_red_days: int = Field(default=21, ge=0, le=120)
    infection_yellow_days: int = Field(default=7, ge=0, le=120)
    arrival_awaiting_test: Colour = "yellow"
    arrival_quarantine: Colour = "red"
    missed_round: Colour = "yellow"
    contacts: dict[ContactCategory, ContactColours] = Field(default_factory=dict)


InboundPath = Literal["test_only", "test_home_monitoring", "central_quarantine"]


class InboundPathRule(_Strict):
    path: InboundPath
    days: int = Field(ge=0, le=60)


class InboundRule(_Strict):
    """What an arrival from elsewhere must do, by the risk level of their origin."""

    landing_test_within_hours: int = Field(default=24, ge=1, le=168)
    transfer_within_hours: int = Field(default=12, ge=1, le=168)
    paths: dict[Literal["high", "medium", "low"], InboundPathRule] = Field(default_factory=dict)

    def path_for(self, level: str | None) -> InboundPathRule:
        return self.paths.get(level or "low") or InboundPathRule(path="test_only", days=0)  # type: ignore[call-overload]


class CommandRule(_Strict):
    """When the command centre counts a thing as due, and how supervision escalates. Local
    practice of 2022 ⚠: no national document sets these; each city's command centre did."""

    contact_control_hours: int = Field(default=24, ge=1, le=168)
    recall_retest_hours: int = Field(default=6, ge=1, le=72)
    appeal_wait_hours: int = Field(default=24, ge=1, le=168)
    site_runs_out_days: int = Field(default=2, ge=1, le=14)
    zone_lift_decision_hours: int = Field(default=24, ge=1, le=168)
    place_sampling_hours: int = Field(default=12, ge=1, le=72)
    place_disinfection_hours: int = Field(default=24, ge=1, le=72)
    place_closing_hours: int = Field(default=2, ge=1, le=72)
    positive_place_hours: int = Field(default=12, ge=1, le=72)
    duty_horizon_hours: int = Field(default=24, ge=1, le=168)
    escalate_to_commander_hours: int = Field(default=12, ge=1, le=168)
    # A thing found late (a recall, an arrival's step, an appeal, a lab) is a task due this
    # long after: time to act, before supervision escalates it.
    late_response_hours: int = Field(default=12, ge=1, le=72)
    # Stockpiles: what a sampling staff member's shift uses (a suit is not worn twice).
    suits_per_staff_shift: int = Field(default=1, ge=0, le=10)
    masks_per_staff_shift: int = Field(default=2, ge=0, le=20)


ClinicalType = Literal["asymptomatic", "mild", "moderate", "severe", "critical"]
# 无症状感染者, 轻型, 普通型, 重型, 危重型: the order the treatment plans list them, mildest first.
CLINICAL_TYPES: tuple[ClinicalType, ...] = (
    "asymptomatic",
    "mild",
    "moderate",
    "severe",
    "critical",
)


class DischargeRule(_Strict):
    """When a patient may leave hospital: `tests` consecutive PCR tests, each at least
    `hours_apart` after the one before, every one negative or (where the plan allows it) with
    both the N and the ORF1ab gene's Ct at or above `ct_at_least`; symptoms resolved if the
    plan asks it. Then the plan's health monitoring for `monitoring_days`."""

    tests: int = Field(default=2, ge=1, le=5)
    hours_apart: int = Field(default=24, ge=0, le=168)
    ct_at_least: float | None = Field(default=None, ge=20, le=45)
    symptoms_resolved: bool = False
    monitoring: ManagementKind = "home_monitoring"
    monitoring_days: int = Field(default=7, ge=0, le=28)


class TreatmentRule(_Strict):
    clinical_types: tuple[ClinicalType, ...] = CLINICAL_TYPES
    discharge: DischargeRule = Field(default_factory=DischargeRule)


@dataclass(frozen=True)
class PlannedPhase:
    kind: ManagementKind
    starts_at: datetime
    ends_at: datetime
    test_dates: tuple[date, ...]


class Protocol(_Strict):
    id: str = Field(pattern=r"^[a-z]{2}-\d+$")
    title: str
    title_en: str
    issued: date
    sources: tuple[str, ...] = ()
    tracing: TracingRules
    categories: dict[ContactCategory, CategoryRule]
    settings: dict[str, SettingRule] = Field(min_length=1)
    zones: dict[str, ZoneRule] = Field(default_factory=dict)
    companions: CompanionRule = Field(default_factory=CompanionRule)
    inbound: InboundRule = Field(default_factory=InboundRule)
    healthcode: HealthCodeRule = Field(default_factory=HealthCodeRule)
    command: CommandRule = Field(default_factory=CommandRule)
    treatment: TreatmentRule = Field(default_factory=TreatmentRule)

    @field_validator("settings")
    @classmethod
    def _setting_keys(cls, value: dict[str, SettingRule]) -> dict[str, SettingRule]:
        for key in value:
            if not key.replace("_", "").isalpha() or not key.islower():
                raise ValueError(f"setting key {key!r} must be lower-case words joined by _")
        return value

    @model_validator(mode="after")
    def _every_category(self) -> Protocol:
        missing = [c for c in ("close", "secondary") if c not in self.categories]
        if missing:
            raise ValueError(f"categories must define {', '.join(missing)}")
        for kind, rule in self.zones.items():
            for target in (rule.becomes, rule.upgrade_on_infection):
                if target is not None and target != "lifted" and target not in self.zones:
                    raise ValueError(f"zones.{kind}: {target!r} is not a zone kind of {self.id}")
        return self

    def category(self, key: str) -> CategoryRule:
        return self.categories[key]  # type: ignore[index]

    def plan_management(
        self, category: ContactCategory, *, clock_start: datetime, local_day: date
    ) -> list[PlannedPhase]:
        """The phases of an order, back to back from `clock_start`.

        Args:
            clock_start: aware instant the first phase starts (last exposure or identification).
            local_day: the city-time calendar day of `clock_start`, day 0 of the first phase.
        """
        phases: list[PlannedPhase] = []
        start, day0 = clock_start, local_day
        for phase in self.categories[category].management:
            end = start + timedelta(days=phase.days)
            tests = tuple(day0 + timedelta(days=d) for d in phase.test_days)
            phases.append(PlannedPhase(phase.kind, start, end, tests))
            start, day0 = end, day0 + timedelta(days=phase.days)
        return phases
