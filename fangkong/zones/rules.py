"""When may a zone be lifted or downgraded? The protocol's rule, evaluated as of any moment.

Pure: it takes the facts about a zone (when it was drawn, its latest infection, its close
contacts, its screening rounds, the zones inside it) and says whether the rule holds, from
when, and what is still missing. The zones service gathers the facts; the war game can feed
it its own."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from fangkong.core.i18n import _
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
                after = _("%(days)s days after the downgrade: from %(due)s",
                          days=before.then_days, due=fmt_local(due))  # fmt: skip
                unmet.append(after)
            return Verdict(not unmet, rule.becomes, due, unmet)

    clock = max(facts.drawn_at, facts.last_infection_at or facts.drawn_at)
    if rule.days_without_infection is not None:
        due = clock + timedelta(days=rule.days_without_infection)
        thresholds.append(due)
        if as_of < due:
            unmet.append(
                _("%(days)s days without a new infection: since %(since)s, reached %(due)s",
                  days=rule.days_without_infection, since=fmt_local(clock), due=fmt_local(due))
            )  # fmt: skip
    if rule.close_contacts_clear_days is not None and facts.last_close_exposure_at is not None:
        due = facts.last_close_exposure_at + timedelta(days=rule.close_contacts_clear_days)
        thresholds.append(due)
        if as_of < due:
            unmet.append(
                _("every close contact %(days)s days past exposure: reached %(due)s",
                  days=rule.close_contacts_clear_days, due=fmt_local(due))
            )  # fmt: skip
        if not facts.close_contacts_negative:
            unmet.append(_("a close contact's test is not negative"))
    rounds = [r for r in facts.negative_rounds if clock <= r <= as_of]
    if rule.screening_negative_within_days is not None:
        window = as_of - timedelta(days=rule.screening_negative_within_days)
        if not any(r >= window for r in rounds):
            unmet.append(
                _("a whole-zone round, all negative, within %(days)s days before lifting",
                  days=rule.screening_negative_within_days)
            )  # fmt: skip
    if rule.screening_on_day is not None:
        # Day 1 is the calendar day the clock starts: the day-7 round is on its 7th day.
        day = start_of_local_day(local_date(clock) + timedelta(days=rule.screening_on_day - 1))
        if not any(r >= day for r in rounds):
            unmet.append(
                _("a whole-zone round, all negative, on day %(day)s (from %(start)s)",
                  day=rule.screening_on_day, start=fmt_local(day))
            )  # fmt: skip
    if rule.lift_with_inner and facts.inner_active:
        unmet.append(_("%(count)s zone(s) inside still active", count=facts.inner_active))
    eligible_from = max(thresholds) if thresholds else None
    return Verdict(not unmet, rule.becomes, eligible_from, unmet)
