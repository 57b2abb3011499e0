"""A county's name for people to read: 临猗县 by its code, the city's command centre 全市."""

from __future__ import annotations

from fangkong.core.i18n import lookup
from fangkong.core.ids import division


def county_name(code: str | None) -> str:
    if not code or code == "city":
        return lookup("city")
    found = division(code)
    return found.name if found else code
