"""Slack at the edge: the Web API client and the Slack-backed implementation of domain ports."""

from __future__ import annotations

import copy
import logging
import math
import re
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler
from slack_sdk.web.slack_response import SlackResponse

from bot.settings import Settings
from models.core.clock import SYSTEM, Clock
from models.core.ports import DirectoryUnavailable, SlackUser

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://slack.com/api/"

# Every Web API method Candor calls, with the bot scopes it needs. manifest.yml must request exactly
# these (plus `commands`, and `chat:write.public` for posting kudos in channels the bot is not in);
# tests/test_manifest.py checks both directions against the code.
SCOPES_BY_METHOD: dict[str, tuple[str, ...]] = {
    "auth.test": (),
    "chat.postMessage": ("chat:write",),
    "chat.update": ("chat:write",),
    "files.upload_v2": ("files:write",),
    "chat.getPermalink": (),
    "conversations.open": ("im:write",),
    "conversations.history": ("im:history", "channels:history", "groups:history"),
    "users.info": ("users:read", "users:read.email"),
    "users.list": ("users:read", "users:read.email"),
    "views.open": (),
    "views.publish": (),
    "views.update": (),
}
FEATURE_SCOPES = ("commands", "chat:write.public")
TOKEN_PATTERN = re.compile(r"\b(xox[abposr]|xapp)-[A-Za-z0-9-]+")


def redact(text: str) -> str:
    """Remove anything that looks like a Slack token from a log line or error text."""
    return TOKEN_PATTERN.sub(lambda m: m.group(1) + "-***", text)


def describe_exception(exc: BaseException) -> str:
    """An exception for a log line, without its message: messages can carry what a person wrote (a
    validation error quotes its input, a database error the value that broke a constraint). What is kept is
    the type, and for Slack's errors the HTTP status and error code, for network errors the OS's reason."""
    name = type(exc).__name__
    if isinstance(exc, SlackApiError) and exc.response is not None:
        return f"{name}: HTTP {exc.response.status_code} {exc.response.get('error') or ''}".rstrip()
    if isinstance(exc, OSError) and exc.strerror:
        return f"{name}: {exc.strerror}"
    code = getattr(getattr(exc, "orig", None), "sqlstate", None) or getattr(exc, "code", None)
    return f"{name} ({code})" if isinstance(code, str) and code else name


def _safe_traceback(exc_info: Any) -> str:
    """A traceback with its frames (files, lines, code) and exception types, but no exception messages."""
    _, exc, tb = exc_info
    lines = ["Traceback (most recent call last):\n", *traceback.format_tb(tb)]
    cause = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    if cause is not None:
        lines.insert(0, f"(after {describe_exception(cause)})\n")
    return redact("".join(lines) + describe_exception(exc))


class RedactingFilter(logging.Filter):
    """Logging filter on every handler: no token and no exception message (which may quote personal
    content) ever reaches a log, whatever library logged it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = _safe_traceback(record.exc_info)
        return True


# Libraries that log request and response bodies (people's answers, notes, kudos) below INFO, or SQL with
# its parameters: never below these levels, whatever CANDOR_LOG_LEVEL says.
QUIET_LOGGERS = {"slack_sdk": logging.INFO, "slack_bolt": logging.INFO, "candor.bolt": logging.INFO,
                 "sqlalchemy": logging.WARNING, "urllib3": logging.INFO, "websocket": logging.INFO,
                 "httpx": logging.WARNING, "httpcore": logging.WARNING}


def quiet_libraries() -> None:
    for name, level in QUIET_LOGGERS.items():
        logger = logging.getLogger(name)
        logger.setLevel(max(level, logger.level))


def retry_after_seconds(headers: Any) -> float:
    """Slack's Retry-After (seconds, at least 1; 30 when missing or unreadable)."""
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


POST_MESSAGE = "chat.postMessage"


def window_key(method: str, channel: str | None = None) -> str:
    """The key of a Retry-After window: the method, or for a post the method and its channel
    (`chat.postMessage:D0123`), since Slack limits posting per channel."""
    return f"{method}:{channel}" if channel and method == POST_MESSAGE else method


class RetryAfterGate:
    """The one Retry-After state of this process: after a 429, no call to that method is made, from any
    thread (a request, a job, the outbox sender), until Slack's window has passed.

    A process serves one workspace (one bot token), so windows are kept per method, and for
    `chat.postMessage` per channel (`window_key`): Slack allows about one post a second per channel, so a 429
    on a post closes that channel, and the other channels go on. A workspace-wide limit shows as 429s on many
    channels; the outbox sender then closes the whole method (`bot.delivery.limits.RateLimiter.post_limited`).
    Windows are also shared between replicas through the `slack_pauses` table: the outbox sender writes the
    ones this process learned (`unshared`) and reads those others learned (`learn`). Times are the clock's
    monotonic seconds.

    One call per window key is in flight at a time (`flight`): a call starts only once the previous call
    with that key has answered, so a 429 is known before the next call is made. Without this, calls sent
    while another thread's 429 was still on its way back land inside the window Slack just opened.
    """

    def __init__(self, clock: Clock = SYSTEM) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._until: dict[str, float] = {}
        self._unshared: dict[str, float] = {}
        # One small lock per window key: per method, and per channel posted to (bounded by the workspace's
        # channels and people; never dropped, since a thread may be holding one).
        self._flights: dict[str, threading.Lock] = {}

    def flight(self, method: str, channel: str | None = None) -> threading.Lock:
        """The lock a call to `method` (in `channel`) holds from the moment it is sent until its answer is read."""
        with self._lock:
            return self._flights.setdefault(window_key(method, channel), threading.Lock())

    def wait_left(self, method: str, channel: str | None = None) -> float:
        """Seconds left in a Retry-After window for `method`, or for posts to `channel` (0: it may be called)."""
        with self._lock:
            until = max(self._until.get(method, 0.0), self._until.get(window_key(method, channel), 0.0))
            return max(0.0, until - self.clock.monotonic())

    def pause(self, method: str, seconds: float, *, shared: bool = False, channel: str | None = None) -> None:
        """Slack said 429 with this Retry-After (`shared`: learned from another replica, nothing to pass on).
        `method` may be a window key already (`learn`)."""
        key = window_key(method, channel)
        with self._lock:
            until = self.clock.monotonic() + seconds
            if until > self._until.get(key, 0.0):
                self._until[key] = until
                if not shared:
                    self._unshared[key] = until
            if len(self._until) > 1000:  # channel windows come and go: forget the closed ones
                now = self.clock.monotonic()
                self._until = {k: v for k, v in self._until.items() if v > now}

    def learn(self, pauses: dict[str, datetime]) -> None:
        """Windows other replicas recorded (method → end, wall time)."""
        now = self.clock.now()
        for method, until in pauses.items():
            left = (until - now).total_seconds()
            if left > 0:
                self.pause(method, left, shared=True)

    def unshared(self) -> dict[str, datetime]:
        """Windows this process learned and has not handed to other replicas yet (method → end, wall time);
        taking them marks them handed over."""
        with self._lock:
            taken, self._unshared = self._unshared, {}
        mono, wall = self.clock.monotonic(), self.clock.now()
        return {m: wall + timedelta(seconds=until - mono) for m, until in taken.items() if until > mono}


def busy_response(client: WebClient, method: str, wait: float) -> SlackResponse:
    """The answer a gated call gets without reaching Slack: a 429 with the time left as Retry-After."""
    return SlackResponse(client=client, http_verb="POST", api_url=f"{client.base_url}{method}", req_args={},
                         data={"ok": False, "error": "ratelimited"},
                         headers={"Retry-After": str(max(1, math.ceil(wait)))}, status_code=429)


class SlackBusy(SlackApiError, DirectoryUnavailable):
    """Raised instead of calling Slack inside a Retry-After window; reads like Slack's own 429. Also the
    domain's `DirectoryUnavailable`: a lookup the gate kept out of Slack is "try later", as for the domain."""

    def __init__(self, message: str, response: SlackResponse) -> None:
        super().__init__(message, response)  # type: ignore[no-untyped-call]


class GatedWebClient(WebClient):
    """slack_sdk's WebClient with every Web API call passing one `RetryAfterGate`: inside a window the call is
    not made (`SlackBusy`, a 429 with the time left), every 429 Slack answers opens a window for everyone, and
    a call waits for the answer to the call to the same method still in flight (at most `queue_wait` seconds;
    None: as long as the client's timeout). Copies (`with_options`) share the gate."""

    def __init__(self, *args: Any, gate: RetryAfterGate | None = None, queue_wait: float | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.gate = gate or RetryAfterGate()
        self.queue_wait = queue_wait

    def _refuse_inside_window(self, api_method: str, channel: str | None) -> None:
        wait = self.gate.wait_left(api_method, channel)
        if wait > 0:
            resp = busy_response(self, api_method, wait)
            raise SlackBusy(f"{api_method} is rate limited for another {wait:.1f}s: not called", resp)

    def api_call(self, api_method: str, **kwargs: Any) -> SlackResponse:
        params = kwargs.get("json") or kwargs.get("params") or kwargs.get("data") or {}
        channel = str(params.get("channel") or "") or None if api_method == POST_MESSAGE else None
        self._refuse_inside_window(api_method, channel)
        flight = self.gate.flight(api_method, channel)
        queue_wait = float(self.timeout or 0) if self.queue_wait is None else self.queue_wait
        if not flight.acquire(timeout=max(0.0, queue_wait)):
            resp = busy_response(self, api_method, 1.0)
            raise SlackBusy(f"{api_method}: the call before this one is still waiting for Slack: not called", resp)
        try:
            self._refuse_inside_window(api_method, channel)  # the call waited for may have opened a window
            try:
                return super().api_call(api_method, **kwargs)
            except SlackApiError as exc:
                if exc.response is not None and exc.response.status_code == 429:
                    self.gate.pause(api_method, retry_after_seconds(exc.response.headers), channel=channel)
                raise
        finally:
            flight.release()

    def with_options(self, *, timeout: float | None = None, retries: bool = True,
                     queue_wait: float | None = None) -> GatedWebClient:
        """The same client (token, gate) with another timeout, without the SDK's own retries, or waiting at
        most `queue_wait` seconds for a call to the same method still in flight."""
        clone = copy.copy(self)
        if timeout is not None:
            clone.timeout = max(1, round(timeout))  # whole seconds, as slack_sdk keeps it
        if not retries:
            clone.retry_handlers = []
        if queue_wait is not None:
            clone.queue_wait = queue_wait
        return clone


def make_client(settings: Settings, *, gate: RetryAfterGate | None = None, timeout: int = 10) -> GatedWebClient:
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    return GatedWebClient(
        token=token,
        base_url=settings.slack_api_url or DEFAULT_API_URL,
        timeout=timeout,
        retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=1)],
        gate=gate,
    )


class SlackDirectory:
    """`models.core.ports.Directory` backed by `users.info` / `users.list`.

    `users.list` is Tier 2 (about 20 calls a minute): pages are spaced `page_interval` seconds apart and
    a 429 waits out its Retry-After before the same page is asked again. This runs in a background job,
    never in a listener or the outbox sender, so waiting there blocks nobody.
    """

    def __init__(self, client: WebClient, *, page_size: int = 200, page_interval: float = 3.0,
                 sleep: Callable[[float], None] = time.sleep, max_retries: int = 5,
                 retry_backoff: float = 1.0) -> None:
        self.client = client
        self.page_size = page_size
        self.page_interval = page_interval
        self.sleep = sleep
        self.max_retries = max_retries
        self.retry_backoff = retry_backoff  # seconds before the first retry after a 5xx or network error

    def user(self, user_id: str) -> SlackUser | None:
        try:
            resp = self.client.users_info(user=user_id, include_locale=True)
        except SlackBusy:
            raise
        except SlackApiError as exc:
            if exc.response is not None and exc.response.get("error") in ("user_not_found", "users_not_found"):
                return None
            raise DirectoryUnavailable(describe_exception(exc)) from exc
        except OSError as exc:
            raise DirectoryUnavailable(describe_exception(exc)) from exc
        return SlackUser.from_slack(resp["user"])

    def users(self) -> Iterator[SlackUser]:
        cursor: str | None = None
        while True:
            kwargs: dict[str, Any] = {"limit": self.page_size, "include_locale": True}
            if cursor:
                kwargs["cursor"] = cursor
                self.sleep(self.page_interval)
            resp = self._page(kwargs)
            members: list[dict[str, Any]] = resp.get("members", [])
            for member in members:
                yield SlackUser.from_slack(member)
            cursor = (resp.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return

    def _page(self, kwargs: dict[str, Any]) -> Any:
        """One page. A job may wait: a Retry-After window (ours, or one the gate knows from anyone else's
        call) is slept through, and a 5xx or a network error is retried with backoff (one failure must not
        lose a walk that has taken minutes), then the same page is asked again. Only answers from Slack count
        as attempts; a window the gate kept us out of (`SlackBusy`, no call made) is just waited for."""
        attempt = 0
        while True:
            try:
                return self.client.users_list(**kwargs)
            except SlackBusy as exc:
                self.sleep(max(0.05, retry_after_seconds(exc.response.headers)))
                continue
            except SlackApiError as exc:
                status = exc.response.status_code if exc.response is not None else 0
                if (status != 429 and status < 500) or attempt == self.max_retries:
                    raise
                if status == 429:
                    wait = max(1.0, retry_after_seconds(exc.response.headers))
                    log.info("users.list rate limited: waiting %ss", wait)
                else:
                    wait = self._backoff(attempt)
                    log.info("users.list failed with HTTP %s: trying again in %ss", status, wait)
                self.sleep(wait)
            except OSError as exc:
                if attempt == self.max_retries:
                    raise
                wait = self._backoff(attempt)
                log.info("users.list failed (%s): trying again in %ss", describe_exception(exc), wait)
                self.sleep(wait)
            attempt += 1

    def _backoff(self, attempt: int) -> float:
        return float(min(30.0, self.retry_backoff * 2.0 ** attempt))
