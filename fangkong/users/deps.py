"""The users domain's route dependencies: who may call its operations."""

from __future__ import annotations

from typing import Annotated

from fangkong.core.auth import Actor
from fangkong.core.deps import require
from fangkong.users.permissions import MANAGE_USERS, READ_AUDIT, SET_CLOCK

CanManageUsers = Annotated[Actor, require(MANAGE_USERS)]
CanReadAudit = Annotated[Actor, require(READ_AUDIT)]
CanSetClock = Annotated[Actor, require(SET_CLOCK)]
