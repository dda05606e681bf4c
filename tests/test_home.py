"""App Home refreshes: merged per person, and sent after the messages people read."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from models.core.tables import InboundEvent, OutboxMessage
from tests.conftest import ANA, BOB, CARA, LI

pytestmark = pytest.mark.time_sensitive


def wait_until(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.02)


def events_done(candor, n: int) -> bool:
    with candor.session() as s:
        return (s.scalar(select(func.count()).select_from(InboundEvent).where(InboundEvent.state == "done")) or 0) >= n


def test_twenty_opens_publish_the_home_once_or_twice(candor):
    """20 opens gave 20 views.publish calls, queued ahead of prompts and kudos DMs."""
    for _ in range(20):
        assert candor.slack.app_home_opened(ANA).status_code == 200
    candor.drain_until(lambda: events_done(candor, 20) and ANA in candor.fake.home_views)
    candor.drain()
    publishes = [c for c in candor.fake.calls_to("views.publish") if c.params.get("user_id") == ANA]
    assert 1 <= len(publishes) <= 2, len(publishes)
    with candor.session() as s:
        assert s.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.kind == "home.publish", OutboxMessage.state == "pending")) == 0


def test_messages_go_before_home_refreshes(candor):
    """Refreshes asked for first still wait for the kudos DMs and the post that were asked for later."""
    for user in (ANA, LI, CARA, BOB):
        candor.slack.app_home_opened(user)
    wait_until(lambda: events_done(candor, 4))  # handled (after Bolt's ack, on its threads), nothing sent yet
    resp = candor.slack.command("/kudos", f"<@{ANA}> <@{LI}> <@{CARA}> for the calm and careful launch", user=BOB)
    assert "Kudos sent" in resp.text
    candor.clock.advance(timedelta(seconds=5))  # every row is due: only the order of claiming decides
    candor.fake.reset_calls()
    candor.drain()
    order = [c.method for c in candor.fake.calls if c.method in ("chat.postMessage", "views.publish")]
    assert order.count("chat.postMessage") == 4 and "views.publish" in order  # the post and three DMs
    first_publish = order.index("views.publish")
    assert all(m == "views.publish" for m in order[first_publish:]), order
