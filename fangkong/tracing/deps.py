"""The tracing domain's route dependencies: who may call its operations."""

from __future__ import annotations

from typing import Annotated

from fangkong.core.auth import Actor
from fangkong.core.deps import require
from fangkong.tracing.permissions import EDIT_TRACING

CanEditTracing = Annotated[Actor, require(EDIT_TRACING)]
