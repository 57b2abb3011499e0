"""The header's menu: the pages a role opens, in the order its work needs them. A page is
listed only if the role has a permission its page needs (the same the services check), so
nobody is offered a page that answers 403."""

from __future__ import annotations

from typing import NamedTuple

from fangkong.command.permissions import READ_COMMAND, WORK_TASKS
from fangkong.core.auth import Actor, Permission
from fangkong.healthcode.permissions import REVIEW_APPEALS, SCAN_CODES
from fangkong.people.permissions import READ_PEOPLE
from fangkong.quarantine.permissions import PLACE_CONTACTS, SITE_WORK


class Entry(NamedTuple):
    path: str
    label: str  # a catalogue id
    needs: tuple[Permission, ...] = ()  # any one of them; none: every role


MENU = (
    Entry("/command", "command_board", (READ_COMMAND,)),
    Entry("/my-work", "my_work", (WORK_TASKS,)),
    Entry("/briefing", "briefing", (READ_COMMAND,)),
    Entry("/screen", "big_screen", (READ_COMMAND,)),
    Entry("/infections", "infections"),
    Entry("/board", "board"),
    Entry("/zones", "zones"),
    Entry("/testing", "testing"),
    Entry("/forecast", "forecast"),
    Entry("/arrivals", "arrivals"),
    Entry("/appeals", "appeals", (READ_PEOPLE, REVIEW_APPEALS)),
    Entry("/scan", "scan", (SCAN_CODES,)),
    Entry("/sites", "sites"),
    Entry("/placements", "placement_board"),
    Entry("/transfers", "transfers", (PLACE_CONTACTS, SITE_WORK, READ_PEOPLE)),
    Entry("/people", "people"),
    Entry("/places", "places", (READ_COMMAND,)),
    Entry("/teams", "teams", (READ_COMMAND,)),
    Entry("/duty", "duty_rota", (READ_COMMAND,)),
    Entry("/treatment", "treatment", (READ_COMMAND,)),
    Entry("/stock", "stockpiles", (READ_COMMAND,)),
    Entry("/sentinels", "sentinels", (READ_COMMAND,)),
)
# Roles whose work is a few pages see just those, their own first.
SHORT_MENUS = {
    "checkpoint": ("/scan", "/arrivals", "/my-work"),
    "site": ("/sites", "/placements", "/transfers", "/people", "/my-work"),
    "lab": ("/testing", "/zones", "/my-work"),
}


def menu_for(actor: Actor) -> list[Entry]:
    allowed = [e for e in MENU if not e.needs or any(actor.can(p) for p in e.needs)]
    short = SHORT_MENUS.get(actor.role)
    if short is None:
        return allowed
    by_path = {e.path: e for e in allowed}
    return [by_path[p] for p in short if p in by_path]
