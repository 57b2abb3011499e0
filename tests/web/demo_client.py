"""The demo served in-process for the walks: its users, its people's secrets, its rows."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from fangkong.app import create_app
from fangkong.core.clock import FixedClock
from fangkong.core.db import make_engine, make_session_factory
from fangkong.people.addresses import community_of
from tests.conftest import CST

# The walks read the demo at noon on 10 March: people in rooms, a recall open, zones sealed.
WALK_AT = datetime(2022, 3, 10, 12, 0, tzinfo=CST)


class Credentials(NamedTuple):
    username: str
    password: str


ROLES: dict[str, Credentials] = {
    "admin": Credentials("admin", "admin-demo-2022"),
    "commander": Credentials("commander", "command-demo-2022"),
    "linyi": Credentials("linyi", "linyi-demo-2022"),
    "yanhu": Credentials("yanhu", "yanhu-demo-2022"),
    "viewer": Credentials("viewer", "viewer-demo-2022"),
    "hotel": Credentials("hotel", "hotel-demo-2022"),
    "lab": Credentials("lab", "lab-demo-2022"),
    "station": Credentials("station", "station-demo-2022"),
}


@dataclass
class Secret:
    kind: str  # id_number | mobile | address
    value: str
    owners: set[int] = field(default_factory=set)  # a household shares a phone and a home


@dataclass
class Demo:
    engine: Engine
    client: TestClient
    secrets: dict[str, Secret] = field(default_factory=dict)
    addresses_by_anchor: dict[str, dict[int, set[str]]] = field(default_factory=dict)

    def secret(self, kind: str, value: str) -> Secret:
        return self.secrets.setdefault(value, Secret(kind, value))

    def rows(self, sql: str, **params: object) -> list[tuple[object, ...]]:
        with self.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql), params)]

    def ids(self, sql: str) -> list[int]:
        return [int(str(r[0])) for r in self.rows(sql)]


@contextmanager
def served_demo(demo_data: Path, folder: Path) -> Iterator[Demo]:
    """A copy of the demo database served by the app at WALK_AT."""
    (folder / "fangkong.db").write_bytes((demo_data / "fangkong.db").read_bytes())
    engine = make_engine(f"sqlite:///{folder / 'fangkong.db'}")
    app = create_app(session_factory=make_session_factory(engine), clock=FixedClock(WALK_AT))
    with TestClient(app, raise_server_exceptions=False) as client:
        found = Demo(engine, client)
        for pid, id_number, phone, address in found.rows(
            "SELECT id, id_number, phone, address FROM people"
        ):
            person = int(str(pid))
            for kind, value in (("id_number", id_number), ("mobile", phone)):
                if value:
                    found.secret(kind, str(value)).owners.add(person)
            # A home address is secret where it says more than the community does.
            if address and community_of(str(address)) != address:
                value = str(address)
                found.secret("address", value).owners.add(person)
                by_length = found.addresses_by_anchor.setdefault(value[-1], {})
                by_length.setdefault(len(value), set()).add(value)
        yield found
    engine.dispose()


def sign_in(demo: Demo, role: str) -> dict[str, str]:
    login = ROLES[role]
    response = demo.client.post(
        "/api/auth/token", data={"username": login.username, "password": login.password}
    )
    assert response.status_code == 200, f"{role} cannot sign in: {response.text}"
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
