"""How the command centre keeps a new row: written, given its id, and audited as who did it."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session

from fangkong.core.audit import record_audit
from fangkong.core.auth import Actor


class Identified(Protocol):
    """A row with its id (every command table)."""

    @property
    def id(self) -> int: ...


def keep(
    session: Session, row: Identified, *, actor: Actor, action: str, entity: str, now: datetime,
    detail: str = "",
) -> None:  # fmt: skip
    session.add(row)
    session.flush()
    record_audit(session, actor=actor, action=action, entity=entity,
                 entity_id=row.id, now=now, detail=detail)  # fmt: skip
