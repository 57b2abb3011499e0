"""Infections and contacts, recorded through the tracing service."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from fangkong.core.auth import Actor
from fangkong.people.schemas import PersonIn
from fangkong.tracing import service
from fangkong.tracing.schemas import ContactCreate, InfectionCreate, InfectionKind
from tests.builders.moments import NOW, at
from tests.builders.people import make_person

if TYPE_CHECKING:
    from fangkong.tracing.models import Infection


def make_infection(
    session: Session,
    actor: Actor,
    *,
    person: PersonIn | None = None,
    reported: datetime | None = None,
    kind: InfectionKind = "confirmed",
    onset_at: datetime | None = None,
    sampled_at: datetime | None = None,
) -> Infection:
    """An infection reported at `reported` (default 6 March 19:50), onset a day before and
    sampled nine hours before unless given."""
    reported = reported or at(6, 19, 50)
    return service.record_infection(
        session,
        actor=actor,
        now=NOW,
        data=InfectionCreate(
            person=person or make_person("王某强"),
            kind=kind,
            onset_at=onset_at or reported - timedelta(days=1),
            sampled_at=sampled_at or reported - timedelta(hours=9),
            reported_at=reported,
        ),
    )


def contact_in(
    person: PersonIn | None = None,
    *,
    category: str = "close",
    setting: str = "household",
    exposure: datetime | None = None,
    identified: datetime | None = None,
) -> ContactCreate:
    return ContactCreate(
        person=person or make_person(),
        category=category,
        setting=setting,
        exposure_at=exposure or at(6, 18),
        identified_at=identified or at(6, 21),
    )


SAMPLE_PATH = Path(__file__).resolve().parent.parent / "data" / "contacts-linyi-2022-03-07.xlsx"
