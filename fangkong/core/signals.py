"""What a domain says is due or late as of a moment: the command centre turns each signal into
one task (command/raising.py). Signals carry no personal data — the object they are about is
named by kind and id, and its page shows it to whoever may see it."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, NamedTuple

# The working groups of a front command centre (Yuncheng, March 2022); a city may add more.
GroupCode = Literal[
    "office", "coordination", "tracing", "quarantine", "testing", "treatment", "traffic"
]
GROUPS: tuple[GroupCode, ...] = (
    "office", "coordination", "tracing", "quarantine", "testing", "treatment", "traffic",
)  # fmt: skip
ObjectKind = Literal[
    "contact",
    "arrival",
    "pool",
    "site",
    "zone",
    "place",
    "lab",
    "appeal",
    "duty",
    "infection",
    "hospital",
    "store",
    "sentinel",
    "alarm",
]


class Signal(NamedTuple):
    """One thing due: `key` names it across the platform and never names two things (so the
    same signal never raises two tasks); `kind` is the catalogue's title for it."""

    key: str
    kind: str
    group: GroupCode
    object_kind: ObjectKind
    object_id: int
    county: str | None
    due_at: datetime
    unit: str = ""  # the unit answerable (a site, a lab, a checkpoint), never a person
    many: int = 0  # how many (tubes late, rooms short), where the kind counts
