"""What zones let a role do."""

from __future__ import annotations

from fangkong.core.auth import declare

# draw, change and lift zones (the command centre approves).
MANAGE_ZONES = declare("manage_zones", "commander")
