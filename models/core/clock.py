"""The one clock. Every "now" in Candor comes from a `Clock`; nothing else reads the wall clock.

The process builds one (`SYSTEM`, the real clock) and hands it to everything that needs the time: the
scheduler tick, the outbox sender, the request handlers, the domain functions (as `now=`), and the
database, whose column defaults (`created_at`, `updated_at`, …) ask the clock of the session that writes
the row (see `models.core.base.clock_now`). Tests and benchmarks pass a `ManualClock` instead, so a test that
simulates "Friday 15:00" sees Friday 15:00 everywhere, on any real date.

`monotonic()` measures durations (rate-limit windows, time budgets, leases in memory): it never jumps when
the wall clock is set, so it stays the real monotonic clock in every implementation.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


class Clock:
    """The real clock: timezone-aware UTC wall time, and a monotonic counter for durations."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


SYSTEM = Clock()


class ManualClock(Clock):
    """A clock that tests and benchmarks set. It starts at `start` (default: the real now) and then runs
    on with real time, so leases, timeouts and retries behave as in production; `set()` and `advance()`
    move it. `frozen=True` makes it stand still between moves."""

    def __init__(self, start: datetime | None = None, *, frozen: bool = False) -> None:
        self._lock = threading.Lock()
        self._frozen = frozen
        self.set(start if start is not None else datetime.now(UTC))

    def set(self, moment: datetime) -> None:
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError(f"a clock is set to an aware moment, not the naive {moment!r}")
        with self._lock:
            self._base = moment.astimezone(UTC)
            self._at = time.monotonic()

    def advance(self, delta: timedelta) -> None:
        with self._lock:
            self._base += delta

    def now(self) -> datetime:
        with self._lock:
            if self._frozen:
                return self._base
            return self._base + timedelta(seconds=time.monotonic() - self._at)

    def __repr__(self) -> str:
        return f"ManualClock({self.now().isoformat()})"


def clock_of(session: Session) -> Clock:
    """The clock of the database a session belongs to (`bot.db.Database` puts it in `session.info`)."""
    found = session.info.get("clock")
    return found if isinstance(found, Clock) else SYSTEM
