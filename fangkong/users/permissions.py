"""What the users domain lets a role do."""

from __future__ import annotations

from fangkong.core.auth import declare

# admin only.
MANAGE_USERS = declare("manage_users")
READ_AUDIT = declare("read_audit", "commander")
# Stepping a replay's clock (the demo, a drill) moves the time every user sees.
SET_CLOCK = declare("set_clock", "commander")
