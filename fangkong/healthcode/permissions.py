"""What health codes let a role do."""

from __future__ import annotations

from fangkong.core.auth import declare

# decide health-code appeals.
REVIEW_APPEALS = declare("review_appeals", "commander")
# scan codes at a checkpoint: a colour and a masked name.
SCAN_CODES = declare("scan_codes", "commander", "tracer", "checkpoint")
# add and revoke checkpoints' scanning devices.
MANAGE_SCANNERS = declare("manage_scanners", "commander")
