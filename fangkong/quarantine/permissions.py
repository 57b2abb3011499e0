"""What quarantine lets a role do."""

from __future__ import annotations

from fangkong.core.auth import declare

MANAGE_SITES = declare("manage_sites", "commander")
PLACE_CONTACTS = declare("place_contacts", "commander", "tracer")
# swabs, releases, rooms, rosters and papers of a site; a site's staff see
# their residents in full (quarantine decides who they are), nobody else.
SITE_WORK = declare("site_work", "commander", "tracer", "site")
