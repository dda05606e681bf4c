"""Delivery: the outbox sender. Claims due rows, renders them, calls Slack, records the outcome.

Guarantees (see `models.outbox` for the state machine):
- exactly once: our outbox id travels in the message `metadata`; a row whose previous try may have
  reached Slack (expired lease, timeout) is looked up in the channel's history before it is sent again;
- rate limits: a per-workspace budget, at most one message per second per channel, and a 429's
  `Retry-After` honoured by rescheduling the row (no thread sleeps), with no call to that method for the
  workspace inside the window;
- 5xx and timeouts retry with backoff; permanent errors mark the row dead with Slack's error.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.db import Database
from bot.i18n import Translator, translator
from bot.settings import OrgConfig
from bot.slack import redact
from models import outbox
from models.base import utcnow
from models.tables import OutboxMessage, Person

log = logging.getLogger(__name__)

METADATA_EVENT = "candor_outbox"

# Slack errors that will not change on retry: record and stop.
PERMANENT_ERRORS = frozenset(
    {
        "user_not_found", "users_not_found", "account_inactive", "user_disabled", "channel_not_found",
        "is_archived", "not_in_channel", "invalid_blocks", "invalid_blocks_format", "msg_too_long",
        "msg_blocks_too_long", "no_text", "cannot_dm_bot", "invalid_auth", "not_authed", "token_revoked",
        "missing_scope", "restricted_action", "invalid_arguments", "invalid_metadata_format",
        "metadata_too_large", "too_many_attachments", "messages_tab_disabled", "team_access_not_granted",
        "not_allowed_token_type", "no_permission", "ekm_access_denied", "invalid_view", "not_enabled",
    }
)
TRANSIENT_ERRORS = frozenset(
    {"internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited", "rate_limited"}
)


@dataclass(frozen=True)
class Rendered:
    """What to send for one outbox row."""

    text: str = ""
    blocks: list[dict[str, Any]] | None = None
    view: dict[str, Any] | None = None  # set for views.publish (Home tab)

    @property
    def method(self) -> str:
        return "views.publish" if self.view is not None else "chat.postMessage"


@dataclass
class RenderContext:
    session: Session
    org: OrgConfig
    row: OutboxMessage
    recipient: Person | None

    @property
    def t(self) -> Translator:
        return translator(self.recipient.locale if self.recipient else None)


class Skip(Exception):
    """Raised by a renderer: this message is no longer useful (recorded as `skipped`)."""


Renderer = Callable[[RenderContext], Rendered]
RENDERERS: dict[str, Renderer] = {}


def renderer(kind: str) -> Callable[[Renderer], Renderer]:
    """Register the function that renders outbox rows of `kind`."""

    def wrap(fn: Renderer) -> Renderer:
        if kind in RENDERERS and RENDERERS[kind] is not fn:
            raise RuntimeError(f"two renderers for outbox kind {kind!r}")
        RENDERERS[kind] = fn
        return fn

    return wrap


@dataclass
class RateLimiter:
    """In-process limits: workspace budget per minute, one message per second per channel, and pauses
    after a 429. Every sender process keeps its own; set the budget per replica accordingly."""

    per_minute: int = 300
    channel_interval: float = 1.0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _sent: dict[str, list[float]] = field(default_factory=dict)
    _channel_next: dict[tuple[str, str], float] = field(default_factory=dict)
    _paused: dict[tuple[str, str], float] = field(default_factory=dict)

    def wait_needed(self, team: str, method: str, channel: str | None, now: float) -> float:
        """Seconds until a call may be made (0 when it may go now). Reserves the slot when 0."""
        with self._lock:
            waits = [self._paused.get((team, method), 0.0) - now]
            if channel is not None and method == "chat.postMessage":
                waits.append(self._channel_next.get((team, channel), 0.0) - now)
            window = [t for t in self._sent.get(team, []) if t > now - 60]
            self._sent[team] = window
            if len(window) >= self.per_minute:
                waits.append(window[0] + 60 - now)
            wait = max(waits)
            if wait > 0:
                return wait
            window.append(now)
            if channel is not None and method == "chat.postMessage":
                self._channel_next[(team, channel)] = now + self.channel_interval
            return 0.0

    def pause(self, team: str, method: str, until: float) -> None:
        with self._lock:
            self._paused[(team, method)] = max(self._paused.get((team, method), 0.0), until)


@dataclass
class Outcome:
    sent: int = 0
    dead: int = 0
    retried: int = 0
    skipped: int = 0
    deferred: int = 0

    def __iadd__(self, other: Outcome) -> Outcome:
        for name in ("sent", "dead", "retried", "skipped", "deferred"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        return self


class OutboxSender:
    """Drains the outbox. Run `run()` in a thread, call `kick()` after a commit that enqueued rows."""

    def __init__(
        self,
        db: Database,
        client: WebClient,
        org: OrgConfig,
        *,
        limiter: RateLimiter | None = None,
        owner: str | None = None,
        batch: int = 20,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.db = db
        self.client = client
        self.org = org
        self.limiter = limiter or RateLimiter()
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.batch = batch
        self.clock = clock
        self._kick = threading.Event()

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
            if done.sent + done.dead + done.retried + done.skipped == 0:
                self._kick.wait(idle)
                self._kick.clear()

    def drain(self, *, max_seconds: float = 30.0) -> Outcome:
        """Send everything due now (tests and `candor jobs run`), deferring nothing past max_seconds."""
        total = Outcome()
        deadline = self.clock() + max_seconds
        while self.clock() < deadline:
            done = self.drain_once()
            total += done
            if done.sent + done.dead + done.retried + done.skipped == 0:
                if not done.deferred and not self._pending_soon():
                    break
                time.sleep(0.05)
        return total

    def _pending_soon(self, within: float = 2.0) -> bool:
        """Rows deferred by a rate limit that fall due within `within` seconds (drain waits for them)."""
        from sqlalchemy import func, select

        with self.db.unit_of_work() as session:
            n = session.scalar(
                select(func.count()).select_from(OutboxMessage).where(
                    OutboxMessage.state == "pending",
                    OutboxMessage.not_before <= utcnow() + timedelta(seconds=within),
                )
            )
        return bool(n)

    def drain_once(self) -> Outcome:
        with self.db.unit_of_work() as session:
            claimed = outbox.claim(session, self.owner, limit=self.batch)
        result = Outcome()
        for item in claimed:
            result += self._deliver(item)
        return result

    # -- one row --------------------------------------------------------------------------------

    def _deliver(self, item: outbox.Claimed) -> Outcome:
        with self.db.unit_of_work() as session:
            row = session.get(OutboxMessage, item.id)
            if row is None:
                return Outcome()
            recipient = session.get(Person, row.recipient_id) if row.recipient_id else None
            team, channel, kind = row.team_id, row.channel_id, row.kind
            try:
                rendered = self._render(session, row, recipient)
            except Skip as why:
                outbox.mark_skipped(session, item.id, self.owner, str(why) or "no longer relevant")
                return Outcome(skipped=1)
            user_id = recipient.slack_user_id if recipient else None
            if channel is None and recipient is not None and rendered.method == "chat.postMessage":
                channel = recipient.dm_channel_id

        method = rendered.method
        now = self.clock()
        wait = self.limiter.wait_needed(team, method, channel, now)
        if wait > 0:
            return self._release(item.id, wait, None, count=False, deferred=True)

        try:
            if method == "chat.postMessage" and channel is None:
                assert user_id is not None
                channel = self._open_dm(item.id, recipient_id=row.recipient_id, user_id=user_id)
            if method == "chat.postMessage":
                assert channel is not None
                if item.reconcile:
                    ts = self._find_sent(channel, item.id, since=item.lease_started - outbox.LEASE - timedelta(hours=1))
                    if ts is not None:
                        with self.db.unit_of_work() as session:
                            outbox.mark_sent(session, item.id, self.owner, ts=ts, channel_id=channel)
                        log.info("outbox %s (%s) was already in Slack: reconciled", item.id, kind)
                        return Outcome(sent=1)
                resp = self.client.chat_postMessage(
                    channel=channel,
                    text=rendered.text,
                    blocks=rendered.blocks,
                    unfurl_links=False,
                    unfurl_media=False,
                    metadata={"event_type": METADATA_EVENT, "event_payload": {"outbox_id": item.id}},
                )
                ts = resp.get("ts")
            else:
                assert user_id is not None and rendered.view is not None
                self.client.views_publish(user_id=user_id, view=rendered.view)
                ts = None
        except SlackApiError as exc:
            return self._slack_error(item, team, method, exc)
        except (TimeoutError, URLError, ConnectionError, OSError) as exc:
            log.warning("outbox %s: %s, will retry", item.id, redact(repr(exc)))
            return self._release(item.id, outbox.backoff(self._attempts(item.id)).total_seconds(),
                                 f"network: {exc!r}", count=True, uncertain=True)
        with self.db.unit_of_work() as session:
            outbox.mark_sent(session, item.id, self.owner, ts=ts, channel_id=channel)
        return Outcome(sent=1)

    def _render(self, session: Session, row: OutboxMessage, recipient: Person | None) -> Rendered:
        if row.expires_at is not None and utcnow() > row.expires_at:
            raise Skip("expired before it could be sent")
        if recipient is not None and not recipient.active:
            raise Skip("recipient is deactivated")
        fn = RENDERERS.get(row.kind)
        if fn is None:
            raise Skip(f"no renderer for kind {row.kind!r}")
        return fn(RenderContext(session=session, org=self.org, row=row, recipient=recipient))

    def _open_dm(self, row_id: int, *, recipient_id: int | None, user_id: str) -> str:
        resp = self.client.conversations_open(users=user_id)
        channel = str(resp["channel"]["id"])
        with self.db.unit_of_work() as session:
            if recipient_id is not None:
                person = session.get(Person, recipient_id)
                if person is not None:
                    person.dm_channel_id = channel
            outbox.set_channel(session, row_id, self.owner, channel)
        return channel

    def _find_sent(self, channel: str, outbox_id: int, *, since: datetime) -> str | None:
        """Look in the channel's recent history for the message carrying this outbox id."""
        cursor = None
        for _ in range(5):
            kwargs: dict[str, Any] = {
                "channel": channel, "oldest": f"{since.timestamp():.6f}", "limit": 200, "include_all_metadata": True
            }
            if cursor:
                kwargs["cursor"] = cursor
            resp = self.client.conversations_history(**kwargs)
            messages: list[dict[str, Any]] = resp.get("messages", [])
            for msg in messages:
                meta = msg.get("metadata") or {}
                payload = meta.get("event_payload") or {}
                if meta.get("event_type") == METADATA_EVENT and payload.get("outbox_id") == outbox_id:
                    return str(msg.get("ts"))
            cursor = (resp.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                break
        return None

    def _attempts(self, row_id: int) -> int:
        with self.db.unit_of_work() as session:
            row = session.get(OutboxMessage, row_id)
            return row.attempts if row else 1

    def _slack_error(self, item: outbox.Claimed, team: str, method: str, exc: SlackApiError) -> Outcome:
        status = exc.response.status_code
        error = str(exc.response.get("error") or f"http_{status}")
        if status == 429:
            retry_after = _retry_after(exc.response.headers)
            self.limiter.pause(team, method, self.clock() + retry_after)
            log.info("outbox %s: rate limited on %s, retry after %ss", item.id, method, retry_after)
            return self._release(item.id, retry_after, "ratelimited", count=False)
        if status >= 500 or error in TRANSIENT_ERRORS:
            return self._release(item.id, outbox.backoff(self._attempts(item.id)).total_seconds(),
                                 f"{error} (HTTP {status})", count=True, uncertain=method == "chat.postMessage")
        if error not in PERMANENT_ERRORS:
            log.warning("outbox %s: unexpected Slack error %s, treating as permanent", item.id, error)
        with self.db.unit_of_work() as session:
            outbox.mark_dead(session, item.id, self.owner, error)
        log.warning("outbox %s is dead: %s", item.id, error)
        return Outcome(dead=1)

    def _release(
        self, row_id: int, delay: float, error: str | None, *, count: bool, deferred: bool = False,
        uncertain: bool = False,
    ) -> Outcome:
        with self.db.unit_of_work() as session:
            outbox.release(session, row_id, self.owner, at=utcnow() + timedelta(seconds=delay),
                           error=error, count_attempt=count, uncertain=uncertain)
        return Outcome(deferred=1) if deferred else Outcome(retried=1)


def _retry_after(headers: Any) -> float:
    value = None
    if headers:
        for key in ("Retry-After", "retry-after"):
            raw = headers.get(key)
            if raw:
                value = raw[0] if isinstance(raw, list) else raw
                break
    try:
        return max(1.0, float(value)) if value is not None else 30.0
    except ValueError:
        return 30.0
