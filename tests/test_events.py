"""Inbound events: each handled once; a retry of a failed first delivery still runs; nothing lost."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot import events
from models.core.tables import InboundEvent, Person
from tests.conftest import TEAM

pytestmark = pytest.mark.time_sensitive


def user_event(name: str, *, deleted: bool = False, kind: str = "user_change") -> dict:
    return {
        "type": kind,
        "user": {"id": "U0NEW", "team_id": TEAM, "name": name, "real_name": name.title(), "deleted": deleted,
                 "tz": "Europe/Paris", "profile": {"email": f"{name}@example.com", "display_name": name}},
        "event_ts": f"{time.time():.6f}",
    }


def wait_state(candor, event_id: str, state: str, timeout: float = 5.0) -> InboundEvent:
    deadline = time.monotonic() + timeout
    while True:
        with candor.session() as s:
            row = s.get(InboundEvent, event_id)
            if row is not None and row.state == state:
                return row
        assert time.monotonic() < deadline, f"event {event_id} never reached {state}"
        time.sleep(0.02)


def people(candor) -> list[Person]:
    with candor.session() as s:
        return list(s.scalars(select(Person).where(Person.slack_user_id == "U0NEW")))


def test_retry_of_a_done_event_changes_nothing(candor):
    assert candor.slack.event(user_event("zoe", kind="team_join"), event_id="Ev0JOIN").status_code == 200
    wait_state(candor, "Ev0JOIN", "done")
    [zoe] = people(candor)
    assert zoe.real_name == "Zoe" and zoe.tz == "Europe/Paris"
    # Meanwhile a later change renamed her; then Slack retries the old team_join.
    candor.slack.event(user_event("zoey"), event_id="Ev0RENAME")
    wait_state(candor, "Ev0RENAME", "done")
    resp = candor.slack.event(user_event("zoe", kind="team_join"), event_id="Ev0JOIN",
                              headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
    assert resp.status_code == 200
    time.sleep(0.3)
    [zoe] = people(candor)
    assert zoe.real_name == "Zoey", "a retried, already handled event must not repeat its effect"
    with candor.session() as s:
        assert s.get(InboundEvent, "Ev0JOIN").attempts == 1


def test_retry_after_a_failed_first_delivery_is_handled(candor, monkeypatch):
    calls = {"n": 0}
    [original] = candor.rt.slack.events["user_change"]

    def flaky(session, services, body):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("database blip")
        original(session, services, body)

    monkeypatch.setitem(candor.rt.slack.events, "user_change", (flaky,))
    candor.slack.event(user_event("yann"), event_id="Ev0FLAKY")
    row = wait_state(candor, "Ev0FLAKY", "failed")
    assert "database blip" in (row.last_error or "")
    assert people(candor) == []  # the failed attempt wrote nothing
    candor.slack.event(user_event("yann"), event_id="Ev0FLAKY", headers={"X-Slack-Retry-Num": "1"})
    wait_state(candor, "Ev0FLAKY", "done")
    [yann] = people(candor)
    assert yann.name == "yann"


def test_event_stored_but_never_handled_is_replayed(candor):
    """The process died after Bolt's ack: the stored event is handled by the replay job."""
    body = {"team_id": TEAM, "event_id": "Ev0LOST", "type": "event_callback", "event": user_event("lou")}
    events.record(candor.rt.services, body)
    with candor.rt.db.unit_of_work() as s:
        s.get(InboundEvent, "Ev0LOST").received_at = candor.clock.now() - timedelta(minutes=10)
    assert events.replay(candor.rt.services, candor.rt.slack.events) == 1
    [lou] = people(candor)
    assert lou.name == "lou"
    assert events.replay(candor.rt.services, candor.rt.slack.events) == 0  # done: not again


def test_deactivation_and_reactivation_keep_one_person(candor):
    candor.slack.event(user_event("max", kind="team_join"), event_id="Ev0A")
    wait_state(candor, "Ev0A", "done")
    candor.slack.event(user_event("max", deleted=True), event_id="Ev0B")
    wait_state(candor, "Ev0B", "done")
    [m] = people(candor)
    assert m.is_deleted and not m.active
    candor.slack.event(user_event("max"), event_id="Ev0C")
    wait_state(candor, "Ev0C", "done")
    [m2] = people(candor)
    assert m2.id == m.id and not m2.is_deleted


def test_simultaneous_first_events_create_the_workspace_and_people_once(candor):
    """Four people open the App Home at the same moment on a fresh install: nobody's event is lost."""
    from concurrent.futures import ThreadPoolExecutor

    from tests.conftest import ANA, BOB, CARA, LI

    users = [ANA, LI, BOB, CARA]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(candor.slack.app_home_opened, users))
    candor.drain_until(lambda: all(u in candor.fake.home_views for u in users))
    with candor.session() as s:
        assert s.query(InboundEvent).filter(InboundEvent.state != "done").count() == 0
        assert s.query(Person).count() == 4
