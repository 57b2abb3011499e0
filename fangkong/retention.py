"""Every domain's retention in one run: screening samples first, then people and contacts
no domain still needs, then checkpoint scans (run daily, e.g. from cron:
`fangkong purge-expired`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from fangkong.healthcode import retention as healthcode
from fangkong.healthcode.scan import purge_scans
from fangkong.quarantine import retention as quarantine
from fangkong.testing.retention import purge_samples, sampled_within
from fangkong.tracing.retention import purge_expired
from fangkong.travel import retention as travel
from fangkong.treatment import retention as treatment
from fangkong.users.service import forget_stale_sign_ins


@dataclass(frozen=True)
class PurgeReport:
    people: int
    contacts: int
    samples: int
    scans: int


def purge_all(session: Session, *, now: datetime, retention_days: int) -> PurgeReport:
    samples = purge_samples(session, now=now, retention_days=retention_days)
    purged = purge_expired(
        session,
        now=now,
        retention_days=retention_days,
        keep=[
            sampled_within(now, retention_days),
            quarantine.stayed_within(now, retention_days),
            travel.arrived_within(now, retention_days),
            healthcode.appealed_within(now, retention_days),
            treatment.treated_within(now, retention_days),
        ],
        forget=[
            healthcode.forget_people,
            travel.forget_people,
            quarantine.forget_people,
            treatment.forget_people,
        ],
    )
    scans = purge_scans(session, now=now, retention_days=retention_days)
    forget_stale_sign_ins(session)  # the throttle's and the sessions' own, in wall-clock time
    return PurgeReport(people=purged.people, contacts=purged.contacts, samples=samples, scans=scans)
