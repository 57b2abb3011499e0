"""The demo outbreak: a synthetic reconstruction of the Linyi county outbreak of March 2022,
told day by day (march04.py … march13.py), with 盐湖区's round of 13 March.

The people are invented; the shape follows DESIGN.md: an index case back from Xi'an reported
on the evening of 6 March, his wife positive at 04:00 on 7 March, his parents and infant at
05:00 on 8 March, nine places, household, train-carriage, taxi, workplace and restaurant
contacts in Linyi (临猗县) and Yanhu (盐湖区), their secondary contacts, and each contact
put under control on a timeline that lets the 48-hour KPI be read as of any moment.

Every record is made at its own moment of the story (`now`), so `build_demo` can follow the
records' dependencies rather than the calendar: contacts before the results of their swabs,
the quarantine days before the zones that count them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from fangkong.demo import (
    command_centre,
    march04,
    march06,
    march07,
    march08,
    march09,
    march13,
    sentinels,
    treatment_stock,
)
from fangkong.demo.cast import Login, Residents, actor, create_users, place_staff, site_staff
from fangkong.demo.handling import daily_swabs_until
from fangkong.demo.sites import build_sites
from fangkong.tracing import service as tracing


@dataclass
class DemoSummary:
    scanner_key: str  # the 运城北站 exit gate's scanner, for trying POST /api/scan
    users: list[Login]
    infections: int
    contacts: int
    secondary: int
    stops: int


def build_demo(
    session: Session, *, seed: int = 20220306, location_dir: Path | None = None
) -> DemoSummary:
    """Create the demo's users and its outbreak, as the story tells it."""
    users = create_users(session)
    commander = actor(session, "commander")
    build_sites(session, commander)
    users.append(site_staff(session))
    linyi, yanhu = actor(session, "linyi"), actor(session, "yanhu")
    residents = Residents(seed)
    march04.arrival(session, commander, march06.INDEX_PERSON)
    index = march06.index_case(session, linyi)
    close = march07.close_contacts(session, linyi, index, residents)
    march07.handed_to_yanhu(session, linyi, yanhu, index, residents)
    secondary = march07.secondary_contacts(session, linyi, close, residents)
    march07.wife(session, linyi, close, residents)
    march08.parents_and_infant(session, linyi, close, residents)
    daily_swabs_until(session, linyi, yanhu, last_day=21)  # the replay's last day
    if location_dir is not None:
        march06.companions(
            session, commander, linyi, residents, index.person_id, location_dir, seed
        )
    county, zones = march06.draw_zones(session, commander)
    march09.screening_round(session, commander, linyi, seed)
    march09.screening_round(session, commander, yanhu, seed + 13, march09.YANHU_ROUND)
    march13.zone_rounds(session, commander, zones)
    march13.lift_zones(session, commander, county, zones)
    scanner_key = march04.codes(session, commander)
    users += place_staff(session)
    users += command_centre.staff(session)
    command_centre.staff_groups(session, commander)
    command_centre.rota(session, commander)
    command_centre.night_of_six(session, commander)
    command_centre.tracer_teams(session, commander)
    command_centre.dispatch_meeting(session, commander)
    treatment_stock.hospitals(session, commander)
    treatment_stock.stockpiles(session, commander)
    sentinels.sentinel_year(session, commander, seed)
    sentinels.alarms_as_they_came(session, actor(session, "cdc"))
    command_centre.raise_as_it_unfolded(session)
    infections, contacts = tracing.count_all(session)
    return DemoSummary(
        scanner_key=scanner_key,
        users=users,
        infections=infections,
        contacts=contacts,
        secondary=secondary,
        stops=len(march06.PLACES),
    )
