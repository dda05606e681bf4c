"""Slack at the edge: the Web API client and the Slack-backed implementation of domain ports."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler

from bot.settings import Settings
from models.ports import SlackUser

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


class RedactingFilter(logging.Filter):
    """Logging filter: no token ever reaches a log handler, whatever library logged it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            text = str(exc)
            if TOKEN_PATTERN.search(text):
                record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True


def make_client(settings: Settings, *, timeout: int = 10) -> WebClient:
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    return WebClient(
        token=token,
        base_url=settings.slack_api_url or DEFAULT_API_URL,
        timeout=timeout,
        retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=1)],
    )


class SlackDirectory:
    """`models.ports.Directory` backed by `users.info` / `users.list`.

    `users.list` is Tier 2 (about 20 calls a minute): pages are spaced `page_interval` seconds apart and
    a 429 waits out its Retry-After before the same page is asked again. This runs in a background job,
    never in a listener or the outbox sender, so waiting there blocks nobody.
    """

    def __init__(self, client: WebClient, *, page_size: int = 200, page_interval: float = 3.0,
                 sleep: Callable[[float], None] = time.sleep, max_retries: int = 5) -> None:
        self.client = client
        self.page_size = page_size
        self.page_interval = page_interval
        self.sleep = sleep
        self.max_retries = max_retries

    def user(self, user_id: str) -> SlackUser | None:
        try:
            resp = self.client.users_info(user=user_id, include_locale=True)
        except SlackApiError as exc:
            if exc.response.get("error") in ("user_not_found", "users_not_found"):
                return None
            raise
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
        for attempt in range(self.max_retries + 1):
            try:
                return self.client.users_list(**kwargs)
            except SlackApiError as exc:
                if exc.response.status_code != 429 or attempt == self.max_retries:
                    raise
                wait = float(exc.response.headers.get("Retry-After", exc.response.headers.get("retry-after", 30)))
                log.info("users.list rate limited: waiting %ss", wait)
                self.sleep(max(1.0, wait))
        raise AssertionError("unreachable")
