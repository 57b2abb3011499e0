"""A scenario's capacities filled from the live database: the rooms of the quarantine sites,
the labs' daily tubes, the tracers on the rolls, the protocol in force. The command centre
war-games with what it actually has."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from fangkong.core.ids import divisions_in
from fangkong.core.settings import get_settings
from fangkong.quarantine.service import count_rooms_in_service
from fangkong.testing.labs import tubes_per_day
from fangkong.users.service import count_users

# Contacts one tracer can find, reach and hand over for placement in a day ⚠ (our
# assumption; set `response.tracing_per_day` in the scenario to override).
CONTACTS_PER_TRACER = 40


def scenario_from_database(session: Session, *, name: str = "from the database") -> dict[str, Any]:
    settings = get_settings()
    rooms = count_rooms_in_service(session)
    tubes = tubes_per_day(session)
    tracers = count_users(session, role="tracer")
    response: dict[str, Any] = {
        "rooms": int(rooms or 0),
        "tracing_per_day": int(tracers or 0) * CONTACTS_PER_TRACER,
    }
    if tubes:
        response["lab_tubes_per_day"] = int(tubes)
    return {
        "name": name,
        "protocol": settings.protocol,
        "variant": "omicron_ba2",
        "days": 60,
        "city": {
            "people": settings.city_population,
            "counties": max(1, len(divisions_in(settings.city_code))),
        },
        "response": response,
    }


def to_toml(data: dict[str, Any]) -> str:
    """The scenario as TOML (scalars and lists, one level of tables: all a scenario has)."""
    top = [f"{k} = {_toml(v)}" for k, v in data.items() if not isinstance(v, dict)]
    tables = [
        "\n".join([f"[{k}]", *(f"{kk} = {_toml(vv)}" for kk, vv in v.items())])
        for k, v in data.items()
        if isinstance(v, dict)
    ]
    return "\n\n".join(["\n".join(top), *tables]) + "\n"


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
