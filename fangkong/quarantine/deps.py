"""The quarantine domain's route dependencies: who may call its operations."""

from __future__ import annotations

from typing import Annotated

from fangkong.core.auth import Actor
from fangkong.core.deps import require
from fangkong.quarantine.permissions import MANAGE_SITES, PLACE_CONTACTS, SITE_WORK

CanManageSites = Annotated[Actor, require(MANAGE_SITES)]
CanPlaceContacts = Annotated[Actor, require(PLACE_CONTACTS)]
CanWorkSites = Annotated[Actor, require(SITE_WORK)]
