"""The outbox sender's loop: claim what is due, deliver it (`RowDelivery`), wait for the next row or a kick."""

from __future__ import annotations

import contextlib
import copy
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import timedelta

from slack_sdk import WebClient
from sqlalchemy import func, select

from bot.db import Database
from bot.delivery.limits import RateLimiter
from bot.delivery.rendering import Renderer
from bot.delivery.row import Outcome, RowDelivery
from models.core import outbox
from models.core.clock import SYSTEM, Clock
from models.core.config import OrgConfig
from models.core.tables import OutboxMessage

log = logging.getLogger(__name__)


def _without_retries(client: WebClient) -> WebClient:
    """The same client without retry handlers: the sender retries through the outbox only.

    An SDK retry of chat.postMessage after a lost answer posts twice (Slack has no idempotency key), and
    `RateLimitErrorRetryHandler` sleeps through Retry-After inside the sender's thread.
    """
    clone = copy.copy(client)
    clone.retry_handlers = []
    return clone


class OutboxSender(RowDelivery):
    """Drains the outbox. Run `run()` in a thread, call `kick()` after a commit that enqueued rows."""

    def __init__(
        self,
        db: Database,
        client: WebClient,
        org: OrgConfig,
        *,
        renderers: Mapping[str, Renderer],
        limiter: RateLimiter | None = None,
        owner: str | None = None,
        batch: int = 20,
        lease: timedelta = outbox.LEASE,
        backoff: Callable[[int], timedelta] = outbox.backoff,
        workers: int = 1,
        clock: Clock = SYSTEM,
        default_locale: str = "en",
        keys: Callable[[str], bytes] | None = None,
        team_id: str | None = None,
    ) -> None:
        self.db = db
        self.renderers = renderers  # outbox kind → renderer: every feature's, from `bot.registry`
        self.client = client
        self.org = org
        self.default_locale = default_locale
        self.keys = keys
        self.limiter = limiter or RateLimiter()
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.batch = batch
        self.lease = lease
        self.backoff = backoff
        self.workers = workers
        self.clock = clock
        self.team_id = team_id  # the workspace whose Retry-After windows this sender hands to other replicas
        self._slack = _without_retries(client)
        timeout = float(getattr(client, "timeout", 0) or 0)
        if lease.total_seconds() < 2 * timeout:
            log.warning("outbox lease %ss is shorter than twice the Slack timeout %ss: with several senders, "
                        "a slow call may outlive its lease and the row be sent twice", lease.total_seconds(), timeout)
        self._kick = threading.Event()
        self._budget_wait = 0.0  # set by a round that found rows due and no budget left
        self._pool: ThreadPoolExecutor | None = None
        # One conversations.open per person, also with several workers: the first worker asks, others with a
        # row for the same person wait for its answer. The lock guards the two dicts only, never a call.
        self._dm_lock = threading.Lock()
        self._dm_cache: dict[tuple[str, str], str] = {}
        self._dm_opening: dict[tuple[str, str], Future[str]] = {}

    # -- loop -----------------------------------------------------------------------------------

    def kick(self) -> None:
        self._kick.set()

    def run(self, stop: threading.Event, idle: float = 1.0) -> None:
        log.info("outbox sender %s started", self.owner)
        while not stop.is_set():
            try:
                done = self.drain_once()
            except Exception:
                log.exception("outbox sender round failed; retrying")
                done = Outcome()
            if self._budget_wait > 0:  # due rows, but the minute's budget is spent: a kick changes nothing
                stop.wait(min(self._budget_wait, idle))
                continue
            if not done.progressed:
                wait = idle
                with contextlib.suppress(Exception):
                    due = self._next_due_in()
                    if due is not None:
                        wait = min(idle, max(0.05, due))
                self._kick.wait(wait)
                self._kick.clear()
        self.close()

    def drain(self, *, max_seconds: float = 30.0) -> Outcome:
        """Send everything due now (tests and `candor jobs run`), waiting for rows that fall due within
        2 s (rate limits, short Retry-After windows), never past max_seconds."""
        total = Outcome()
        deadline = self.clock.monotonic() + max_seconds
        while self.clock.monotonic() < deadline:
            done = self.drain_once()
            total += done
            if not done.progressed:
                due = self._next_due_in()
                if due is None or due > 2.0:
                    break
                time.sleep(min(max(due, 0.02), 0.2))
        return total

    def _next_due_in(self) -> float | None:
        """Seconds until the next row falls due: a pending one's `not_before` or an expired lease."""
        with self.db.reading() as session:
            pending = session.scalar(
                select(func.min(OutboxMessage.not_before)).where(OutboxMessage.state == "pending")
            )
            leased = session.scalar(
                select(func.min(OutboxMessage.lease_until)).where(OutboxMessage.state == "sending")
            )
        times = [t for t in (pending, leased) if t is not None]
        if not times:
            return None
        return max(0.0, (min(times) - self.clock.now()).total_seconds())

    def drain_once(self) -> Outcome:
        """Claim one batch and deliver it: one row after another, or on `workers` threads (each row has
        its own lease and transactions; the limiter is shared and thread-safe)."""
        self._share_pauses()
        with self.db.reading() as session:  # most rounds find nothing due: they take no write lock
            # Windows other replicas learned pause every call of this process (requests and jobs too), not
            # only the rows this sender happens to deliver: learn them each round.
            shared = outbox.pauses(session, self.team_id, now=self.clock.now()) if self.team_id else {}
            due = outbox.has_due(session, now=self.clock.now())
        self.limiter.gate.learn(shared)
        self._budget_wait = 0.0
        if not due:
            return Outcome()
        limit = self.batch
        if self.team_id is not None:  # claim no more than the budget lets go now: a claimed row that must wait
            free, self._budget_wait = self.limiter.free(self.team_id, self.clock.monotonic())  # costs two
            if free == 0:  # transactions to give back, and a burst of kicks would make that churn
                return Outcome()
            limit = min(limit, free)
        with self.db.unit_of_work() as session:
            claimed = outbox.claim(session, self.owner, limit=limit, lease=self.lease, now=self.clock.now())
        result = Outcome()
        if self.workers > 1 and len(claimed) > 1:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="outbox-deliver")
            for done in self._pool.map(self.deliver, claimed):
                result += done
        else:
            for item in claimed:
                result += self.deliver(item)
        return result

    def _share_pauses(self) -> None:
        """Hand the Retry-After windows this process learned (on any call: a request, a job, this sender)
        to the other replicas, through `slack_pauses`."""
        if self.team_id is None:
            return
        windows = self.limiter.gate.unshared()
        if not windows:
            return
        try:
            with self.db.unit_of_work() as session:
                for method, until in windows.items():
                    outbox.pause(session, self.team_id, method, until)
        except Exception:
            log.warning("could not share Retry-After windows %s with other replicas", sorted(windows))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
