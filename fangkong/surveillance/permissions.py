"""What sentinel surveillance lets a role do."""

from __future__ import annotations

from fangkong.core.auth import declare

# Sentinel points: the city's to set up.
MANAGE_SENTINELS = declare("manage_sentinels", "commander")
# A point's daily and intraday counts: the county's CDC and the labs report them.
REPORT_SENTINELS = declare("report_sentinels", "commander", "tracer", "lab")
# An alarm confirmed (a task for the tracing group), dismissed, or closed once looked into.
DECIDE_ALARMS = declare("decide_alarms", "commander", "tracer")
# A detection pass run now, besides the hourly one.
RUN_DETECTION = declare("run_detection", "commander")
