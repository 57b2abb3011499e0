"""The testing domain's route dependencies: who may call its operations."""

from __future__ import annotations

from typing import Annotated

from fangkong.core.auth import Actor
from fangkong.core.deps import require
from fangkong.testing.permissions import LAB_RESULTS, SAMPLE

CanSample = Annotated[Actor, require(SAMPLE)]
CanReportResults = Annotated[Actor, require(LAB_RESULTS)]
