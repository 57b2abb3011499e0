"""Sentinel surveillance's route dependencies: permission before a body is read."""

from __future__ import annotations

from typing import Annotated

from fangkong.core.auth import Actor
from fangkong.core.deps import require
from fangkong.surveillance.permissions import (
    DECIDE_ALARMS,
    MANAGE_SENTINELS,
    REPORT_SENTINELS,
    RUN_DETECTION,
)

CanManageSentinels = Annotated[Actor, require(MANAGE_SENTINELS)]
CanReportSentinels = Annotated[Actor, require(REPORT_SENTINELS)]
CanDecideAlarms = Annotated[Actor, require(DECIDE_ALARMS)]
CanRunDetection = Annotated[Actor, require(RUN_DETECTION)]
