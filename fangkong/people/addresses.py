"""Addresses as people write them: the community is what may be shared, the rest is private."""

from __future__ import annotations

import re

# A community is the address up to its village, compound or neighbourhood committee.
COMMUNITY = re.compile(r"^.*?(村|社区|小区|花园|家属院|大院|公寓|苑|庄)")


def community_of(address: str) -> str:
    """The address up to its community: 临猗县猗氏镇南街社区10号 -> 临猗县猗氏镇南街社区."""
    found = COMMUNITY.match(address)
    return found.group(0) if found else (address or "（无地址）")
