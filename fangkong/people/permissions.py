"""What the people registry lets a role do."""

from __future__ import annotations

from fangkong.core.auth import declare

READ_PEOPLE = declare("read_people", "commander", "tracer", "viewer")
# names, ID numbers, phones and homes of their county's people in full.
SEE_FULL_IDENTITY = declare("see_full_identity", "commander", "tracer")
MERGE_PEOPLE = declare("merge_people", "commander", "tracer")
# Correct a person's details (ID number, phone, address, county).
EDIT_PEOPLE = declare("edit_people", "commander", "tracer")
