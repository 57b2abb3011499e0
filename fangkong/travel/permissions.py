"""What the inbound loop lets a role do."""

from __future__ import annotations

from fangkong.core.auth import declare

# register arrivals and record their loop's steps.
ARRIVALS = declare("arrivals", "commander", "tracer", "checkpoint")
