"""Sentinel surveillance's route dependencies: permission before a body is read."""

from __future__ import annotations

from typing import Annotated

from fangkong.core.auth import Actor
from fangkong.core.deps import require
from fangkong.surveillance.permissions import MANAGE_SENTINELS, REPORT_SENTINELS

CanManageSentinels = Annotated[Actor, require(MANAGE_SENTINELS)]
CanReportSentinels = Annotated[Actor, require(REPORT_SENTINELS)]
