"""The colour of a health code as a pure function of a person's episodes: spans of time in
which some state (an infection, a quarantine phase, an arrival awaiting its test, a missed
round) gives a colour for a reason. The most severe episode covering a moment decides. The
colour is never stored: it is computed from the state each time, so it is never stale, and
its history is the list of moments where the deciding episode changes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from fangkong.core.i18n import _

SEVERITY = {"green": 0, "yellow": 1, "red": 2}


@dataclass(frozen=True)
class Episode:
    colour: str
    reason: str  # the rule that decided, e.g. "close contact in central quarantine"
    start: datetime
    end: datetime | None  # None: until the state changes (no planned end)
    override: bool = False  # an upheld appeal: decides over the rules while in force


@dataclass(frozen=True)
class Verdict:
    colour: str
    reasons: list[str]  # every episode in force, the deciding one first
    until: datetime | None  # when it may turn back (the deciding colour's last end)
    since: datetime | None


def _covers(e: Episode, t: datetime) -> bool:
    return e.start <= t and (e.end is None or t < e.end)


def colour_at(episodes: Sequence[Episode], t: datetime) -> Verdict:
    live = sorted(
        (e for e in episodes if _covers(e, t)), key=lambda e: (not e.override, -SEVERITY[e.colour])
    )
    if not live or (live[0].colour == "green" and not live[0].override):
        return Verdict("green", [e.reason for e in live], None, None)
    colour = live[0].colour
    if live[0].override:
        return Verdict(colour, [e.reason for e in live], live[0].end, live[0].start)
    same = [e for e in live if e.colour == colour]
    ends = [e.end for e in same]
    until = None if any(end is None for end in ends) else max(e for e in ends if e is not None)
    return Verdict(colour, [e.reason for e in live], until, min(e.start for e in same))


def history(episodes: Sequence[Episode]) -> list[tuple[datetime, str, str]]:
    """(moment, colour, deciding reason) at each change, oldest first."""
    moments = sorted({e.start for e in episodes} | {e.end for e in episodes if e.end})
    out: list[tuple[datetime, str, str]] = []
    for t in moments:
        v = colour_at(episodes, t)
        reason = v.reasons[0] if v.reasons and v.colour != "green" else _("no risk in force")
        if not out or out[-1][1] != v.colour or out[-1][2] != reason:
            out.append((t, v.colour, reason))
    return out
