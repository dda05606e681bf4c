"""Delivering one claimed outbox row: render it, make the Slack call (opening the DM, reconciling an earlier
try that may have reached Slack), and record the outcome. `OutboxSender` (`bot.delivery.sender`) runs it for
each row it claims; the guarantees are in `bot.delivery`."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import or_, update
from sqlalchemy.orm import Session

from bot import budget as budgets
from bot.db import Database
from bot.delivery.limits import RateLimiter
from bot.delivery.rendering import POST, UPDATE, UPLOAD, Defer, RenderContext, Rendered, Renderer, Skip
from bot.slack import SlackBusy, redact, retry_after_seconds, window_key
from models.core import outbox
from models.core.clock import Clock
from models.core.config import OrgConfig
from models.core.tables import OutboxMessage, Person

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

    @property
    def progressed(self) -> bool:
        return self.sent + self.dead + self.retried + self.skipped > 0


OPEN = "conversations.open"
HISTORY = "conversations.history"
# Slack's clock and ours differ a little: look this far before the row was created.
RECONCILE_MARGIN = timedelta(minutes=5)
HISTORY_MAX_PAGES = 50  # × 200 messages


class _Deferred(Exception):
    """Not now (a rate limit or a Retry-After window): give the row back, due in `wait` seconds."""

    def __init__(self, wait: float) -> None:
        super().__init__(wait)
        self.wait = wait


@dataclass
class _Attempt:
    """What one delivery of one claimed row learned on its way (for recording the outcome)."""

    item: outbox.Claimed
    team: str = ""
    kind: str = ""
    method: str = POST
    channel: str | None = None
    recipient_id: int | None = None
    user_id: str | None = None
    created_at: datetime | None = None
    attempts: int = 1
    opened: str | None = None  # a DM channel conversations.open gave in this attempt (cached at the end)
    calling: str = ""  # the Slack method being called (errors are charged to it)
    maybe_posted: bool = False  # a chat.postMessage left: Slack may have the message
    reconciled: bool = False  # an earlier try was found in Slack and recorded
    reserved: float | None = None  # when the budget slot for the post was taken (given back on a 429)


class RowDelivery:
    """One row at a time; `OutboxSender` sets these up and calls `deliver` for each row it claims."""

    db: Database
    org: OrgConfig
    renderers: Mapping[str, Renderer]
    limiter: RateLimiter
    owner: str
    lease: timedelta
    backoff: Callable[[int], timedelta]
    clock: Clock
    default_locale: str
    keys: Callable[[str], bytes] | None
    team_id: str | None
    _slack: WebClient
    _dm_lock: threading.Lock
    _dm_cache: dict[tuple[str, str], str]
    _dm_opening: dict[tuple[str, str], Future[str]]

    def deliver(self, item: outbox.Claimed) -> Outcome:
        """Send one claimed row and record the outcome. Never raises: a failure of our own (a renderer
        bug, the database gone) gives the row back for a later try, `uncertain` if Slack may have it, so
        the rest of the batch goes on and a poison row ends `dead` after MAX_ATTEMPTS."""
        budgets.give_way()  # a burst of requests in this process is answered first
        attempt = _Attempt(item)
        try:
            return self._deliver(attempt)
        except Exception as exc:
            log.exception("outbox %s: delivery failed", item.id)
            try:
                return self._release(attempt, self._backoff(attempt), f"internal: {redact(repr(exc))}",
                                     count=True, uncertain=attempt.maybe_posted)
            except Exception:
                log.exception("outbox %s: could not record the failure; its lease will expire", item.id)
                return Outcome()

    def _deliver(self, a: _Attempt) -> Outcome:
        with self.db.unit_of_work() as session:
            row = outbox.renew(session, a.item.id, self.owner, lease=self.lease, lease_started=a.item.lease_started)
            if row is None:
                log.info("outbox %s: the lease went to another sender; it owns the row now", a.item.id)
                return Outcome()
            recipient = session.get(Person, row.recipient_id) if row.recipient_id else None
            a.team, a.kind, a.attempts, a.created_at = row.team_id, row.kind, row.attempts, row.created_at
            if self.team_id is None:  # the first row: the round did not know the workspace to read its windows
                self.limiter.gate.learn(outbox.pauses(session, row.team_id, now=self.clock.now()))
                self.team_id = row.team_id
            a.recipient_id, a.channel = row.recipient_id, row.channel_id
            try:
                rendered = self._render(session, row, recipient)
            except Skip as why:
                if why.forget:
                    outbox.forget(session, a.item.id, self.owner)
                else:
                    outbox.mark_skipped(session, a.item.id, self.owner, str(why) or "no longer relevant")
                return Outcome(skipped=1)
            except Defer as later:
                self._release_in(session, a, later.seconds, None, count=False)
                return Outcome(deferred=1)
            a.method = rendered.method
            a.user_id = recipient.slack_user_id if recipient else None
            if a.channel is None and recipient is not None and a.method in (POST, UPLOAD):
                a.channel = recipient.dm_channel_id  # cached: conversations.open once per person

        try:
            if a.method == POST:
                ts = self._post(a, rendered)
                if a.reconciled:  # it was in Slack already
                    return Outcome(sent=1)
            elif a.method == UPLOAD:
                self._upload(a, rendered)
                ts = None
            elif a.method == UPDATE:
                ts = self._update(a, rendered)
            else:
                self._ready(a, a.method, budget=True)
                assert a.user_id is not None and rendered.view is not None
                self._slack.views_publish(user_id=a.user_id, view=rendered.view)
                ts = None
        except _Deferred as wait:
            return self._release(a, wait.wait, None, count=False, deferred=True)
        except SlackApiError as exc:
            return self._slack_error(a, exc)
        except OSError as exc:  # timeouts, resets, refused connections (URLError is an OSError)
            log.warning("outbox %s: %s on %s, will retry", a.item.id, redact(repr(exc)), a.calling)
            return self._release(a, self._backoff(a), f"network on {a.calling}: {redact(repr(exc))}", count=True,
                                 uncertain=a.maybe_posted)
        if rendered.forget:
            self._finish(a, lambda s: outbox.forget(s, a.item.id, self.owner))
        else:
            self._finish(a, lambda s: outbox.mark_sent(s, a.item.id, self.owner, ts=ts, channel_id=a.channel))
        return Outcome(sent=1)

    def _ready(self, a: _Attempt, method: str, *, budget: bool = False) -> None:
        """About to call `method`: raise `_Deferred` while a Retry-After window (or the budget) says wait."""
        a.calling = method
        now = self.clock.monotonic()
        wait = (
            self.limiter.wait_needed(a.team, method, a.channel if method == POST else None, now)
            if budget
            else self.limiter.pause_left(a.team, method, now)
        )
        if wait > 0:
            raise _Deferred(wait)
        if budget:
            a.reserved = now

    def _post(self, a: _Attempt, rendered: Rendered) -> str | None:
        """chat.postMessage for one row (unless reconciliation finds it in Slack); returns Slack's ts."""
        if a.channel is None:
            if a.user_id is None:
                raise RuntimeError("outbox row has neither a channel nor a recipient")
            a.channel = a.opened = self._open_dm(a, a.user_id)
        channel = a.channel
        self._ready(a, POST, budget=True)  # reserve the slot first: no history lookup for a row deferred anyway
        if a.item.reconcile and rendered.thread_ts is None:  # (history has no thread replies: those may repeat)
            self._ready(a, HISTORY)
            since = (a.created_at or self.clock.now()) - RECONCILE_MARGIN
            found = self._find_sent(channel, a.item.id, since=since)
            if found is not None:
                self._finish(a, lambda s: outbox.mark_sent(s, a.item.id, self.owner, ts=found, channel_id=channel))
                log.info("outbox %s (%s) was already in Slack: reconciled", a.item.id, a.kind)
                a.reconciled = True
                return found
        a.calling = POST
        a.maybe_posted = True
        try:
            resp = self._slack.chat_postMessage(
                channel=channel,
                text=rendered.text,
                blocks=rendered.blocks,
                unfurl_links=False,
                unfurl_media=False,
                metadata={"event_type": METADATA_EVENT, "event_payload": {"outbox_id": a.item.id}},
                thread_ts=rendered.thread_ts,
            )
        finally:
            self.limiter.finished(a.team, channel, self.clock.monotonic())
        self.limiter.post_accepted()
        ts = resp.get("ts")
        return str(ts) if ts is not None else None

    def _upload(self, a: _Attempt, rendered: Rendered) -> None:
        """files.upload_v2 into the recipient's DM (getUploadURLExternal, the bytes, completeUploadExternal)."""
        assert rendered.file is not None
        if a.channel is None:
            if a.user_id is None:
                raise RuntimeError("a file needs a recipient")
            a.channel = a.opened = self._open_dm(a, a.user_id)
        self._ready(a, UPLOAD, budget=True)
        filename, content, title = rendered.file
        a.calling, a.maybe_posted = UPLOAD, True
        extra: dict[str, Any] = {}
        if rendered.thread_ts:
            extra["thread_ts"] = rendered.thread_ts
        if rendered.alt_text:
            extra["alt_txt"] = rendered.alt_text
        self._slack.files_upload_v2(channel=a.channel, content=content, filename=filename, title=title,
                                    initial_comment=rendered.text or None, **extra)

    def _update(self, a: _Attempt, rendered: Rendered) -> str | None:
        """chat.update of a message this app posted in the row's channel (a re-run that corrects it)."""
        if a.channel is None or rendered.update_ts is None:
            raise RuntimeError("an update needs the row's channel and the message's ts")
        self._ready(a, UPDATE, budget=True)
        a.calling = UPDATE
        self._slack.chat_update(channel=a.channel, ts=rendered.update_ts, text=rendered.text, blocks=rendered.blocks)
        return rendered.update_ts

    def _open_dm(self, a: _Attempt, user_id: str) -> str:
        """The DM channel with this person: conversations.open once, then the cache (and `people`). A worker
        that finds the call in flight for another row waits for its answer (or its error) instead of asking
        again; no lock is held while Slack answers."""
        key = (a.team, user_id)
        with self._dm_lock:
            cached = self._dm_cache.get(key)
            if cached is not None:
                return cached
            opening = self._dm_opening.get(key)
            mine = opening is None
            if opening is None:
                opening = self._dm_opening[key] = Future()
        if not mine:
            a.calling = OPEN  # its error, if any, is this row's error on conversations.open
            return opening.result()
        try:
            self._ready(a, OPEN)
            resp = self._slack.conversations_open(users=user_id)
            channel = str(resp["channel"]["id"])
        except BaseException as exc:
            with self._dm_lock:
                del self._dm_opening[key]
            opening.set_exception(exc)
            raise
        with self._dm_lock:
            self._dm_cache[key] = channel
            del self._dm_opening[key]
        opening.set_result(channel)
        return channel

    def _render(self, session: Session, row: OutboxMessage, recipient: Person | None) -> Rendered:
        if row.expires_at is not None and self.clock.now() > row.expires_at:
            raise Skip("expired before it could be sent")
        if recipient is not None and not recipient.active:
            raise Skip("recipient is deactivated")
        fn = self.renderers.get(row.kind)
        if fn is None:
            raise Skip(f"no renderer for kind {row.kind!r}")
        return fn(RenderContext(session=session, org=self.org, row=row, recipient=recipient,
                                default_locale=self.default_locale, keys=self.keys))

    def _find_sent(self, channel: str, outbox_id: int, *, since: datetime) -> str | None:
        """Look in the channel's history since the row was created for the message carrying this outbox id."""
        cursor = None
        for _ in range(HISTORY_MAX_PAGES):
            kwargs: dict[str, Any] = {
                "channel": channel, "oldest": f"{since.timestamp():.6f}", "limit": 200, "include_all_metadata": True
            }
            if cursor:
                kwargs["cursor"] = cursor
            resp = self._slack.conversations_history(**kwargs)
            messages: list[dict[str, Any]] = resp.get("messages", [])
            for msg in messages:
                meta = msg.get("metadata") or {}
                payload = meta.get("event_payload") or {}
                if meta.get("event_type") == METADATA_EVENT and str(payload.get("outbox_id")) == str(outbox_id):
                    return str(msg.get("ts"))
            cursor = (resp.get("response_metadata") or {}).get("next_cursor")
            if not cursor:  # `oldest` bounds the walk
                return None
        # Not found in HISTORY_MAX_PAGES pages and more remain: unknown, so not "absent" (the caller's
        # failure handling keeps the row uncertain and tries again later).
        raise RuntimeError(f"outbox {outbox_id}: more than {HISTORY_MAX_PAGES} pages of history to search")

    def _backoff(self, a: _Attempt) -> float:
        return self.backoff(a.attempts).total_seconds()

    def _slack_error(self, a: _Attempt, exc: SlackApiError) -> Outcome:
        method = a.calling  # the call that failed, not necessarily the row's message call
        status = exc.response.status_code
        error = str(exc.response.get("error") or f"http_{status}")
        if status == 429:
            retry_after = retry_after_seconds(exc.response.headers)
            if method == POST and a.channel:  # that channel waits; the whole method only on a workspace limit
                workspace = self.limiter.post_limited(a.team, a.channel, retry_after, a.reserved,
                                                      by_slack=not isinstance(exc, SlackBusy))
                windows = [window_key(POST, a.channel)] + ([POST] if workspace else [])
            else:
                self.limiter.pause(a.team, method, retry_after)
                windows = [method]
            until = self.clock.now() + timedelta(seconds=retry_after)
            log.info("outbox %s: rate limited on %s, retry after %ss", a.item.id, windows[-1], retry_after)

            def record(session: Session) -> None:
                for key in windows:
                    outbox.pause(session, a.team, key, until)
                self._release_in(session, a, retry_after, f"ratelimited on {method}", count=False)

            self._finish(a, record)
            return Outcome(retried=1)
        if status >= 500 or error in TRANSIENT_ERRORS:
            return self._release(a, self._backoff(a), f"{method}: {error} (HTTP {status})", count=True,
                                 uncertain=a.maybe_posted)
        if error not in PERMANENT_ERRORS:
            log.warning("outbox %s: unexpected Slack error %s on %s, treating as permanent", a.item.id, error, method)
        reason = error
        if method == HISTORY:
            reason = f"{error}: conversations.history failed, so whether an earlier try reached Slack is unknown"
        self._finish(a, lambda s: outbox.mark_dead(s, a.item.id, self.owner, reason))
        log.warning("outbox %s is dead: %s", a.item.id, reason)
        return Outcome(dead=1)

    def _finish(self, a: _Attempt, record: Callable[[Session], object]) -> None:
        """Record an outcome in one transaction, with the DM channel this attempt opened (if any)."""
        with self.db.unit_of_work() as session:
            if a.opened is not None and a.recipient_id is not None:
                session.execute(
                    update(Person)
                    .where(Person.id == a.recipient_id)
                    .where(or_(Person.dm_channel_id.is_(None), Person.dm_channel_id != a.opened))
                    .values(dm_channel_id=a.opened)
                    .execution_options(synchronize_session=False)
                )
            record(session)

    def _release_in(
        self, session: Session, a: _Attempt, delay: float, error: str | None, *, count: bool, uncertain: bool = False
    ) -> None:
        outbox.release(session, a.item.id, self.owner, at=self.clock.now() + timedelta(seconds=delay),
                       error=error, count_attempt=count, uncertain=uncertain)

    def _release(
        self, a: _Attempt, delay: float, error: str | None, *, count: bool, deferred: bool = False,
        uncertain: bool = False,
    ) -> Outcome:
        self._finish(a, lambda s: self._release_in(s, a, delay, error, count=count, uncertain=uncertain))
        return Outcome(deferred=1) if deferred else Outcome(retried=1)
