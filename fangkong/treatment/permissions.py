"""What treatment lets a role do."""

from __future__ import annotations

from fangkong.core.auth import declare

# Hospitals and their wards: the city's.
MANAGE_HOSPITALS = declare("manage_hospitals", "commander")
# Admit, transfer, record clinical types and tests, discharge: for the patients of one's county.
TREAT = declare("treat", "commander", "tracer")
