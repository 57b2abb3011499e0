"""The zones domain's route dependencies: who may call its operations."""

from __future__ import annotations

from typing import Annotated

from fangkong.core.auth import Actor
from fangkong.core.deps import require
from fangkong.zones.permissions import MANAGE_ZONES

CanManageZones = Annotated[Actor, require(MANAGE_ZONES)]
