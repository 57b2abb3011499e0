"""The command centre's rule: that of the protocol the city runs by."""

from __future__ import annotations

from fangkong.core.settings import get_settings
from fangkong.protocol.loader import get_protocol
from fangkong.protocol.models import CommandRule


def command_rule() -> CommandRule:
    return get_protocol(get_settings().protocol).command
