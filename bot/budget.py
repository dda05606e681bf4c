"""The request path's time budget.

Slack shows the user a failure when it has no answer after 3 seconds, and a request that goes on past that
point makes things worse: the user retries, and the first request saves after all. So every request that
can answer the user (commands, shortcuts, actions, modal submissions) runs under a `Budget` started when
Candor receives it (`bot.app.CandorApp.dispatch`):

- the database gets `DATABASE_SECONDS` in all: SQLite waits for the write lock at most that long
  (`busy_timeout`), PostgreSQL gets `lock_timeout` and `statement_timeout` from what is left, and a unit of
  work that ends after the deadline is rolled back instead of committed;
- optional Slack calls (a permalink, a user lookup, a cosmetic message update) are made only while there is
  time left, with a timeout of what is left;
- when it runs out, `BudgetExceeded` reaches the one error handler, which answers with a clear apology at
  once. Nothing was written.

Jobs, the outbox sender and event handlers (which Slack has acked already) run without a budget and may
wait longer. They also give way: while a request is being served in this process, the sender waits a
moment before each message (`give_way`), so that in a burst the CPU goes to the answers people wait for.
"""

from __future__ import annotations

import threading
import time
from contextvars import ContextVar
from dataclasses import dataclass

from models.core.clock import SYSTEM, Clock

REQUEST_SECONDS = 2.5  # from receipt to the answer; Slack gives up at 3 s
DATABASE_SECONDS = 2.0  # of which the database may use this much


class BudgetExceeded(Exception):
    """The request ran out of time before it could finish. Everything it did was rolled back."""

    def __init__(self, where: str) -> None:
        super().__init__(f"request time budget exceeded ({where})")
        self.where = where


@dataclass(frozen=True)
class Budget:
    started: float  # the clock's monotonic seconds when the request arrived
    clock: Clock = SYSTEM
    seconds: float = REQUEST_SECONDS
    database_seconds: float = DATABASE_SECONDS

    def left(self) -> float:
        """Seconds left before the answer must leave."""
        return max(0.0, self.started + self.seconds - self.clock.monotonic())

    def database_left(self) -> float:
        """Seconds the database may still take."""
        return max(0.0, self.started + self.database_seconds - self.clock.monotonic())

    def check_database(self, where: str) -> None:
        if self.database_left() <= 0:
            raise BudgetExceeded(where)


_current: ContextVar[Budget | None] = ContextVar("candor_request_budget", default=None)


def current() -> Budget | None:
    """The budget of the request this thread is serving, or None in a job, the sender or an event handler."""
    return _current.get()


class _InFlight:
    """How many requests with a budget this process is serving now."""

    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()
        self.quiet = threading.Condition(self._lock)

    def add(self, n: int) -> None:
        with self._lock:
            self.count += n
            if self.count == 0:
                self.quiet.notify_all()


_in_flight = _InFlight()
GIVE_WAY_MAX = 0.1  # seconds background work waits for the requests in flight, at most, each time it asks


def begin(clock: Clock = SYSTEM) -> object:
    """Start a budget for the request this thread now serves; returns a token for `end`."""
    _in_flight.add(1)
    return _current.set(Budget(started=clock.monotonic(), clock=clock))


def end(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]
    _in_flight.add(-1)


def in_flight() -> int:
    return _in_flight.count


def give_way(max_wait: float = GIVE_WAY_MAX) -> float:
    """Background work (the sender, before each message) calls this: while requests are being served in this
    process, wait until none are, at most `max_wait` seconds, so that a burst of requests is answered first
    (they share one interpreter lock). Never waits when idle; bounded, so background work is slowed in a burst,
    never stopped. Returns the seconds waited."""
    if current() is not None:
        return 0.0
    started = time.monotonic()
    with _in_flight.quiet:
        _in_flight.quiet.wait_for(lambda: _in_flight.count == 0, timeout=max_wait)
    return time.monotonic() - started
