"""What quarantine says is due: a site whose rooms run out within the protocol's days by the
outlook (rooms held to their planned end against rooms in service)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from fangkong.core.signals import Signal
from fangkong.core.timeutil import start_of_local_day
from fangkong.protocol.models import CommandRule
from fangkong.quarantine.models import Site
from fangkong.quarantine.outlook import site_outlooks


def sites_running_out(session: Session, *, as_of: datetime, rule: CommandRule) -> list[Signal]:
    span, _, sites = site_outlooks(session, now=as_of, days=rule.site_runs_out_days + 1)
    counties = dict(session.execute(select(Site.id, Site.county_code)).all())
    out = []
    for site in sites:
        if site.runs_out_on is None:
            continue
        day = span.index(site.runs_out_on)
        out.append(
            Signal(
                key=f"site-rooms:{site.site_id}",
                kind="site_rooms_run_out",
                group="quarantine",
                object_kind="site",
                object_id=site.site_id,
                county=counties.get(site.site_id),
                # Rooms must be found before the day they run out begins.
                due_at=start_of_local_day(site.runs_out_on) - timedelta(hours=12),
                unit=site.name,
                many=site.needed[day] - site.available,
            )
        )
    return out
