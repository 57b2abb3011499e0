"""The daily briefing (日报) for the morning's dispatch meeting: every line of the response as
of the end of a day (or of now, for today), read through each domain's figures over the
reader's jurisdiction — the same figures the big screen shows live."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from fangkong.command import duty
from fangkong.command.briefing_schemas import (
    BriefingRead,
    ContactSection,
    CountyLine,
    CurveDay,
    DutyLine,
    HospitalLine,
    InfectionSection,
    ItemLine,
    Named,
    PlaceSection,
    QuarantineSection,
    RoundLine,
    StockSection,
    TestingSection,
    TreatmentSection,
    ZoneChangeLine,
    ZoneSection,
)
from fangkong.command.places import place_figures
from fangkong.command.stock import ITEMS, days_of_supply, stock_rows
from fangkong.command.views import task_figures
from fangkong.core.auth import Actor
from fangkong.core.counties import county_name
from fangkong.core.errors import InvalidInput
from fangkong.core.i18n import _, current_lang, lookup
from fangkong.core.settings import get_settings
from fangkong.core.timeutil import local_date, start_of_local_day
from fangkong.protocol.loader import get_protocol
from fangkong.quarantine.outlook import capacity_outlook
from fangkong.testing.figures import round_figures
from fangkong.tracing.figures import contact_figures, first_report, infection_counts, kpi_counts
from fangkong.treatment.figures import treatment_figures
from fangkong.treatment.service import beds_by_kind
from fangkong.zones.figures import zone_figures


class Span:
    """A briefing's day: from its start to its end, or to now for today."""

    def __init__(self, day: date, now: datetime) -> None:
        self.day = day
        self.since = start_of_local_day(day)
        self.until = min(start_of_local_day(day + timedelta(days=1)), now)


def check_day(session: Session, *, actor: Actor, day: date, now: datetime) -> Span:
    """The day's span, or a refusal naming `day`: in the future, or before the first data."""
    if day > local_date(now):
        raise InvalidInput.at(("day",), _("%(day)s has not come yet", day=day.isoformat()))
    first = first_report(session, actor=actor)
    if first is None:
        raise InvalidInput.at(("day",), _("no infection has been reported: nothing to brief"))
    if day < local_date(first):
        raise InvalidInput.at(
            ("day",),
            _(
                "no data before %(first)s, the day the first infection was reported",
                first=local_date(first).isoformat(),
            ),
        )
    return Span(day, now)


def build_briefing(session: Session, *, actor: Actor, day: date, now: datetime) -> BriefingRead:
    span = check_day(session, actor=actor, day=day, now=now)
    return BriefingRead(
        day=day,
        as_of=span.until,
        made_at=now,
        infections=infection_section(session, actor, span),
        contacts=contact_section(session, actor, span),
        places=place_section(session, actor, span),
        zones=zone_section(session, actor, span),
        testing=testing_section(session, actor, span),
        quarantine=quarantine_section(session, span),
        treatment=treatment_section(session, span),
        stock=stock_section(session, actor, span),
        tasks=task_figures(session, actor=actor, since=span.since, until=span.until),
        duty=duty_section(session, actor, span),
    )


def infection_section(session: Session, actor: Actor, span: Span) -> InfectionSection:
    counts = infection_counts(session, actor=actor, until=span.until)
    by_day: dict[date, Counter[str]] = {}
    total: dict[str, Counter[str]] = {}
    new: dict[str, Counter[str]] = {}
    for c in counts:
        by_day.setdefault(c.day, Counter())[c.kind] += c.n
        total.setdefault(c.county_code, Counter())[c.kind] += c.n
        if c.day == span.day:
            new.setdefault(c.county_code, Counter())[c.kind] += c.n
    first = min(by_day, default=span.day)
    days = [first + timedelta(days=d) for d in range((span.day - first).days + 1)]
    curve = [
        CurveDay(
            day=d,
            confirmed=by_day.get(d, Counter())["confirmed"],
            asymptomatic=by_day.get(d, Counter())["asymptomatic"],
        )
        for d in days
    ]
    counties = [
        CountyLine(
            county_code=code,
            county=county_name(code),
            new_confirmed=new.get(code, Counter())["confirmed"],
            new_asymptomatic=new.get(code, Counter())["asymptomatic"],
            confirmed=kinds["confirmed"],
            asymptomatic=kinds["asymptomatic"],
        )
        for code, kinds in sorted(total.items())
    ]
    return InfectionSection(
        new_confirmed=sum(c.new_confirmed for c in counties),
        new_asymptomatic=sum(c.new_asymptomatic for c in counties),
        confirmed=sum(c.confirmed for c in counties),
        asymptomatic=sum(c.asymptomatic for c in counties),
        counties=counties,
        curve=curve,
    )


def contact_section(session: Session, actor: Actor, span: Span) -> ContactSection:
    found = contact_figures(session, actor=actor, since=span.since, until=span.until)
    kpi = kpi_counts(session, actor=actor, as_of=span.until)
    return ContactSection(
        found=found.found,
        found_today=found.found_since,
        secondary=found.secondary,
        under_control=found.under_control,
        not_under_control=found.not_under_control,
        target_hours=kpi.target_hours,
        infections=kpi.infections,
        met_target=kpi.met,
        missed_target=kpi.missed,
    )


def place_section(session: Session, actor: Actor, span: Span) -> PlaceSection:
    f = place_figures(session, actor=actor, since=span.since, until=span.until)
    return PlaceSection(
        places=f.places,
        sampled=f.sampled,
        sampled_today=f.sampled_since,
        positive=f.positive,
        disinfected=f.disinfected,
        disinfected_today=f.disinfected_since,
    )


def zone_label(kind: str | None) -> str | None:
    """A zone kind as the city's protocol names it, in the reader's language."""
    if kind is None:
        return None
    rule = get_protocol(get_settings().protocol).zones.get(kind)
    if rule is None:
        return kind
    return rule.label if current_lang.get() == "zh" else rule.label_en


def zone_section(session: Session, actor: Actor, span: Span) -> ZoneSection:
    f = zone_figures(session, actor=actor, since=span.since, until=span.until)
    return ZoneSection(
        in_force=[
            Named(key=k, label=zone_label(k) or k, n=n) for k, n in sorted(f.in_force.items())
        ],
        changes=[
            ZoneChangeLine(
                zone=c.zone,
                county=county_name(c.county_code),
                action=lookup(f"zone_action_{c.action}"),
                from_label=zone_label(c.from_kind),
                to_label=zone_label(c.to_kind),
                at=c.at,
            )
            for c in f.changes
        ],
    )


def testing_section(session: Session, actor: Actor, span: Span) -> TestingSection:
    rounds = [
        RoundLine(
            name=r.name,
            residents=r.residents,
            sampled=r.sampled,
            sampled_today=r.sampled_since,
            coverage=round(100 * r.sampled / r.residents, 1) if r.residents else None,
            tubes_resulted=r.tubes_resulted,
            positive_tubes=r.positive_tubes,
            turnaround_hours=r.turnaround_hours,
        )
        for r in round_figures(session, actor=actor, since=span.since, until=span.until)
    ]
    return TestingSection(
        sampled_today=sum(r.sampled_today for r in rounds),
        positive_tubes=sum(r.positive_tubes for r in rounds),
        rounds=rounds,
    )


def quarantine_section(session: Session, span: Span) -> QuarantineSection:
    outlook = capacity_outlook(session, now=span.until)
    return QuarantineSection(
        rooms=outlook.available,
        occupied=outlook.occupied_today,
        waiting=outlook.waiting_now,
        runs_out_on=outlook.runs_out_on,
    )


def treatment_section(session: Session, span: Span) -> TreatmentSection:
    f = treatment_figures(session, since=span.since, until=span.until)
    hospitals = [
        HospitalLine(name=h.name, kind=h.kind, **beds_by_kind(h.wards)._asdict())
        for h in f.hospitals
    ]
    return TreatmentSection(
        beds=sum(h.beds for h in f.hospitals),
        occupied=sum(h.occupied for h in f.hospitals),
        admitted_today=f.admitted,
        discharged_today=f.discharged,
        hospitals=hospitals,
        by_type=[
            Named(key=k or "unknown", label=lookup(f"clinical_{k or 'unknown'}"), n=n)
            for k, n in sorted(f.by_type.items())
        ],
    )


def stock_section(session: Session, actor: Actor, span: Span) -> StockSection:
    rows = stock_rows(session, actor=actor, as_of=span.until)
    items = []
    for item in ITEMS:
        mine = [r for r in rows if r.item == item]
        if not mine:
            continue
        balance, daily = sum(r.balance for r in mine), sum(r.daily_use for r in mine)
        items.append(
            ItemLine(
                item=item,
                label=lookup(f"item_{item}"),
                balance=balance,
                daily_use=round(daily, 1),
                days_left=days_of_supply(balance, daily),
            )
        )
    return StockSection(items=items, below_safety=[r for r in rows if r.below_safety])


def duty_section(session: Session, actor: Actor, span: Span) -> list[DutyLine]:
    """The next day's rota."""
    start = start_of_local_day(span.day + timedelta(days=1))
    shifts = duty.list_shifts(session, actor=actor, start=start, end=start + timedelta(days=1))
    return [
        DutyLine(
            scope=county_name(s.scope),
            officer=s.officer,
            starts_at=s.starts_at,
            ends_at=s.ends_at,
        )
        for s in shifts
    ]
