"""The command centre's route dependencies: permission checked before a body is read."""

from __future__ import annotations

from typing import Annotated

from fangkong.command.permissions import COMMAND, READ_COMMAND
from fangkong.core.auth import Actor
from fangkong.core.deps import require

CanReadCommand = Annotated[Actor, require(READ_COMMAND)]
CanCommand = Annotated[Actor, require(COMMAND)]
