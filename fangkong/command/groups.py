"""Working groups (工作组) and their people: the seven of a command centre and any a city adds,
each with a head, members and a county."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, false, or_, select
from sqlalchemy.orm import Session

from fangkong.command.models import GroupMember, WorkingGroup
from fangkong.command.permissions import COMMAND, READ_COMMAND
from fangkong.command.records import keep
from fangkong.command.schemas import GroupIn
from fangkong.core.audit import record_audit
from fangkong.core.auth import Actor
from fangkong.core.errors import Conflict, InvalidInput, NotFound
from fangkong.core.i18n import _, gettext
from fangkong.core.signals import GROUPS
from fangkong.users.service import actor_by_id


def group_label(group: WorkingGroup) -> str:
    """The seven speak the reader's language; a city's own groups are called what it named them."""
    return gettext(f"group_{group.code}") if group.code in GROUPS else group.name


def ensure_groups(session: Session, *, now: datetime) -> dict[str, WorkingGroup]:
    """The seven groups of the city's command centre, made once."""
    have = {g.code: g for g in session.scalars(select(WorkingGroup))}
    for code in GROUPS:
        if code not in have:
            have[code] = WorkingGroup(code=code, name=gettext(f"group_{code}"), created_at=now)
            session.add(have[code])
    session.flush()
    return have


def readable_groups(actor: Actor) -> Select[WorkingGroup]:
    """Every reader sees the city's groups and their own county's."""
    if not actor.can(READ_COMMAND):
        return select(WorkingGroup).where(false())
    query = select(WorkingGroup)
    if actor.jurisdiction is not None:
        query = query.where(
            or_(WorkingGroup.county_code.is_(None), WorkingGroup.county_code == actor.jurisdiction)
        )
    return query


def get_group(session: Session, *, actor: Actor, group_id: int) -> WorkingGroup:
    group = session.scalar(readable_groups(actor).where(WorkingGroup.id == group_id))
    if group is None:
        raise NotFound(_("working group %(id)s not found", id=group_id))
    return group


def group_id_of(session: Session, *, actor: Actor, ref: str) -> int:
    """A group named by its id or its code, as the actor may read it."""
    by_id = ref.isdigit() and len(ref) <= 9  # a 32-bit id; longer digits name nothing
    where = WorkingGroup.id == int(ref) if by_id else WorkingGroup.code == ref
    found = session.scalar(readable_groups(actor).where(where))
    if found is None:
        raise InvalidInput.at(("group",), _("no working group %(ref)s", ref=repr(ref)))
    return found.id


def check_fits(session: Session, group: WorkingGroup, user_id: int, field: str) -> None:
    """A county's group takes that county's people or the city's; a city group anyone's."""
    works_in(session, user_id, group.county_code, field)


def works_in(session: Session, user_id: int, county_code: str | None, field: str) -> None:
    """Refuse, naming `field`, a user who is not active or works in another county than
    `county_code` (None: the city, where anyone may)."""
    user = actor_by_id(session, user_id)
    if user is None:
        raise InvalidInput.at((field,), _("no active user %(name)s", name=user_id))
    if county_code and user.jurisdiction not in (None, county_code):
        raise InvalidInput.at(
            (field,),
            _(
                "user %(name)s works in county %(county)s, not this group's %(group)s",
                name=user.username,
                county=user.jurisdiction,
                group=county_code,
            ),
        )


def add_group(session: Session, *, actor: Actor, data: GroupIn, now: datetime) -> WorkingGroup:
    actor.require(COMMAND, what="run the command centre")
    if not actor.covers(data.county_code) and data.county_code is not None:
        raise InvalidInput.at(
            ("county_code",), _("county %(code)s is not yours", code=data.county_code)
        )
    if session.scalar(select(WorkingGroup.id).where(WorkingGroup.code == data.code)):
        raise Conflict(_("a working group %(code)s exists", code=data.code))
    group = WorkingGroup(
        code=data.code, name=data.name, county_code=data.county_code, created_at=now
    )
    if data.head_user_id is not None:
        check_fits(session, group, data.head_user_id, "head_user_id")
        group.head_user_id = data.head_user_id
    keep(
        session,
        group,
        actor=actor,
        action="create",
        entity="working_group",
        now=now,
        detail=data.code,
    )
    return group


def set_head(session: Session, *, actor: Actor, group_id: int, user_id: int, now: datetime) -> None:
    actor.require(COMMAND, what="run the command centre")
    group = get_group(session, actor=actor, group_id=group_id)
    check_fits(session, group, user_id, "user_id")
    group.head_user_id = user_id
    _join(session, group, user_id)
    record_audit(
        session,
        actor=actor,
        action="head",
        entity="working_group",
        entity_id=group.id,
        now=now,
        detail=str(user_id),
    )


def add_member(
    session: Session, *, actor: Actor, group_id: int, user_id: int, now: datetime
) -> None:
    actor.require(COMMAND, what="run the command centre")
    group = get_group(session, actor=actor, group_id=group_id)
    check_fits(session, group, user_id, "user_id")
    _join(session, group, user_id)
    record_audit(
        session,
        actor=actor,
        action="member",
        entity="working_group",
        entity_id=group.id,
        now=now,
        detail=str(user_id),
    )


def _join(session: Session, group: WorkingGroup, user_id: int) -> None:
    if session.get(GroupMember, (group.id, user_id)) is None:
        session.add(GroupMember(group_id=group.id, user_id=user_id))
        session.flush()


def members_of(session: Session, group_ids: list[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {g: [] for g in group_ids}
    rows = session.execute(
        select(GroupMember.group_id, GroupMember.user_id).where(GroupMember.group_id.in_(group_ids))
    )
    for group_id, user_id in rows:
        out[group_id].append(user_id)
    return out


def groups_of_user(user_id: int) -> Select[int]:
    return select(GroupMember.group_id).where(GroupMember.user_id == user_id)
