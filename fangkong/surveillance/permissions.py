"""What sentinel surveillance lets a role do."""

from __future__ import annotations

from fangkong.core.auth import declare

# Sentinel points: the city's to set up.
MANAGE_SENTINELS = declare("manage_sentinels", "commander")
# A point's daily and intraday counts: the county's CDC and the labs report them.
REPORT_SENTINELS = declare("report_sentinels", "commander", "tracer", "lab")
