"""Marking stored health codes out of date: the one door into the stored colours for the
domains below health codes.

Every change to a person's rows already bumps their stored state through the tables' triggers
(see docs/healthcode.md). A change that touches no row of theirs — a screening round closed
without them (应检未检) — calls `mark_stale`. It is the one place the dependency chain lets a
lower domain call health codes (tests/test_lint.py names it), and it only says "recompute"."""

from __future__ import annotations

from sqlalchemy import Select, update
from sqlalchemy.orm import Session

from fangkong.healthcode.models import CodeState


def mark_stale(session: Session, *, person_ids: Select[int]) -> None:
    """The stored colours of `person_ids` are recomputed at their next read or scan."""
    session.execute(
        update(CodeState)
        .where(CodeState.person_id.in_(person_ids))
        .values(version=CodeState.version + 1)
        .execution_options(synchronize_session=False)
    )
