from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fangkong.people.models import Person
from fangkong.retention import purge_all
from fangkong.testing import service
from fangkong.testing.models import Sample, Tube
from fangkong.testing.service import Registration
from tests.builders.moments import at
from tests.builders.testing import RoundSetup


def test_samples_are_kept_while_the_round_needs_them(
    session: Session, linyi_round: RoundSetup
) -> None:
    setup = linyi_round
    scans = [
        Registration(key, f"T{i // 10:05d}", setup.site_ids[0], at(9, 8), ("items", i))
        for i, key in enumerate(setup.people[:20])
    ]
    service.register_samples(
        session, actor=setup.commander, round_id=setup.round.id, scans=scans, now=at(9, 10)
    )
    service.close_round(session, actor=setup.commander, round_id=setup.round.id, now=at(15, 11))

    def people() -> int:
        return session.scalar(select(func.count()).select_from(Person)) or 0

    before = people()
    kept = purge_all(session, now=at(15, 11) + timedelta(days=29), retention_days=30)
    # The 40 never sampled are only in the registry, past retention; the 20 sampled stay.
    assert (kept.samples, kept.people) == (0, 40)
    assert people() == before - 40
    gone = purge_all(session, now=at(15, 11) + timedelta(days=31), retention_days=30)
    assert (gone.samples, gone.people) == (20, 20)
    assert session.scalar(select(func.count()).select_from(Sample)) == 0
    # Tubes name nobody: the round's counts survive.
    assert session.scalar(select(func.count()).select_from(Tube)) == 2
