"""When may a zone be lifted or downgraded? The protocol's rule, evaluated as of any moment.

Pure: it takes the facts about a zone (when it was drawn, its latest infection, its close
contacts, its screening rounds, the zones inside it) and says whether the rule holds, from
when, and what is still missing. The zones service gathers the facts; the war game can feed
it its own."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from fangkong.core.timeutil import fmt_local, local_date, start_of_local_day
from fangkong.protocol.models import Protocol


@dataclass(frozen=True)
class ZoneFacts:
    kind: str
    drawn_at: datetime
    # Newest infection found inside the zone (not in quarantine): it restarts the clock.
    last_infection_at: datetime | None = None
    # Latest last exposure among the zone's close contacts, and whether all tested negative.
    last_close_exposure_at: datetime | None = None
    close_contacts_negative: bool = True
    # When each whole-zone screening round with every result negative was completed.
    negative_rounds: Sequence[datetime] = ()
    inner_active: int = 0
    # A zone downgraded into this kind: from which kind, and when.
    downgraded_from: str | None = None
    downgraded_at: datetime | None = None


@dataclass(frozen=True)
class Verdict:
    eligible: bool
    becomes: str
    # The moment every time-based condition holds (rounds and inner zones aside), if any.
    eligible_from: datetime | None
    unmet: list[str] = field(default_factory=list)


def evaluate_zone(protocol: Protocol, facts: ZoneFacts, *, as_of: datetime) -> Verdict:
    """Whether the zone may change as of `as_of` under `protocol`, and what is missing if not."""
    rule = protocol.zones.get(facts.kind)
    if rule is None:
        raise ValueError(f"{protocol.id} has no zone kind {facts.kind!r}")
    unmet: list[str] = []
    thresholds: list[datetime] = []

    if facts.downgraded_from is not None and facts.downgraded_at is not None:
        before = protocol.zones[facts.downgraded_from]
        if before.then_days is not None:
            # A downgraded zone follows the rule it came from: N more days, then the next step.
            due = facts.downgraded_at + timedelta(days=before.then_days)
            if as_of < due:
                unmet.append(f"{before.then_days} days after the downgrade: from {fmt_local(due)}")
            return Verdict(not unmet, rule.becomes, due, unmet)

    clock = max(facts.drawn_at, facts.last_infection_at or facts.drawn_at)
    if rule.days_without_infection is not None:
        due = clock + timedelta(days=rule.days_without_infection)
        thresholds.append(due)
        if as_of < due:
            unmet.append(
                f"{rule.days_without_infection} days without a new infection: since "
                f"{fmt_local(clock)}, reached {fmt_local(due)}"
            )
    if rule.close_contacts_clear_days is not None and facts.last_close_exposure_at is not None:
        due = facts.last_close_exposure_at + timedelta(days=rule.close_contacts_clear_days)
        thresholds.append(due)
        if as_of < due:
            unmet.append(
                f"every close contact {rule.close_contacts_clear_days} days past exposure: "
                f"reached {fmt_local(due)}"
            )
        if not facts.close_contacts_negative:
            unmet.append("a close contact's test is not negative")
    rounds = [r for r in facts.negative_rounds if clock <= r <= as_of]
    if rule.screening_negative_within_days is not None:
        window = as_of - timedelta(days=rule.screening_negative_within_days)
        if not any(r >= window for r in rounds):
            unmet.append(
                f"a whole-zone round, all negative, within {rule.screening_negative_within_days} "
                "days before lifting"
            )
    if rule.screening_on_day is not None:
        # Day 1 is the calendar day the clock starts: the day-7 round is on its 7th day.
        day = start_of_local_day(local_date(clock) + timedelta(days=rule.screening_on_day - 1))
        if not any(r >= day for r in rounds):
            unmet.append(
                f"a whole-zone round, all negative, on day {rule.screening_on_day} "
                f"(from {fmt_local(day)})"
            )
    if rule.lift_with_inner and facts.inner_active:
        unmet.append(f"{facts.inner_active} zone(s) inside still active")
    eligible_from = max(thresholds) if thresholds else None
    return Verdict(not unmet, rule.becomes, eligible_from, unmet)
