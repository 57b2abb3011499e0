"""What screening and labs let a role do."""

from __future__ import annotations

from fangkong.core.auth import declare

# screening rounds, sampling sites, labs and the lab plan.
RUN_TESTING = declare("run_testing", "commander")
# register swabs at a sampling site.
SAMPLE = declare("sample", "commander", "tracer")
# receive shipments and upload results; a lab's staff see barcodes, not people.
LAB_RESULTS = declare("lab_results", "commander", "lab")
