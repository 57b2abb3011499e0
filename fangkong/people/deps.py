"""The people domain's route dependencies: who may call its operations."""

from __future__ import annotations

from typing import Annotated

from fangkong.core.auth import Actor
from fangkong.core.deps import require
from fangkong.people.permissions import EDIT_PEOPLE, MERGE_PEOPLE, READ_PEOPLE

CanReadPeople = Annotated[Actor, require(READ_PEOPLE)]
CanMergePeople = Annotated[Actor, require(MERGE_PEOPLE)]
CanEditPeople = Annotated[Actor, require(EDIT_PEOPLE)]
