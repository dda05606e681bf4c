"""Time zones: one way to turn a person's Slack time zone into a zone Candor can compute with.

Slack may hand us a zone name the system's zone database does not know (an old alias, a typo in a test
workspace, a zone newer than the installed tzdata). Every place that needs a person's zone asks here, and
gets the workspace default instead of an error; never `ZoneInfo(person.tz)` directly.
"""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["is_zone", "zone_name", "zone_of"]


@lru_cache(maxsize=1024)
def is_zone(name: str | None) -> bool:
    if not name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def zone_name(tz: str | None, fallback: str) -> str:
    """`tz` if the zone database knows it, else `fallback` (the workspace default), else "UTC"."""
    for name in (tz, fallback):
        if is_zone(name):
            assert name is not None
            return name
    return "UTC"


def zone_of(tz: str | None, fallback: str) -> ZoneInfo:
    return ZoneInfo(zone_name(tz, fallback))
