"""Delivery: the outbox sender. Claims due rows, renders them, calls Slack, records the outcome.

Guarantees (see `models.outbox` for the state machine; proved by tests/test_delivery.py and
tests/test_delivery_crash.py):
- exactly once: our outbox id travels in the message `metadata`; a row whose previous try may have
  reached Slack (expired lease, timeout, 5xx, lost answer) stays `uncertain` and is looked up in the
  channel's history since the row was created before it is sent again; a sender re-checks its lease
  before each call, so a row another sender took over is never sent by both; the Slack client's own
  retries are switched off for the sender (an SDK retry of chat.postMessage posts twice);
- rate limits: a per-workspace budget, at most one message per second per channel (measured from the end
  of the previous post), and a 429's `Retry-After` honoured by rescheduling the row (no thread sleeps),
  with no call to *that* method for the workspace inside the window, on any sender (`slack_pauses`);
- 5xx and timeouts retry with backoff; permanent errors mark the row dead with Slack's error;
- DM channels: conversations.open once per person, then `people.dm_channel_id`.
"""

from __future__ import annotations

from bot.delivery.limits import RateLimiter
from bot.delivery.rendering import Defer, RenderContext, Rendered, Renderer, Skip
from bot.delivery.row import METADATA_EVENT, PERMANENT_ERRORS, TRANSIENT_ERRORS, Outcome
from bot.delivery.sender import OutboxSender

__all__ = [
    "METADATA_EVENT",
    "PERMANENT_ERRORS",
    "TRANSIENT_ERRORS",
    "Defer",
    "OutboxSender",
    "Outcome",
    "RateLimiter",
    "RenderContext",
    "Rendered",
    "Renderer",
    "Skip",
]
