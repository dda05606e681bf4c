"""Issue #4, delivery guarantees: what Slack (the fake, over real HTTP) received and what the outbox holds.

Every test runs on SQLite and PostgreSQL (the `db` fixture), except the several-senders one (PostgreSQL).
"""

from __future__ import annotations

import itertools
import os
import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.http_retry.handler import RetryHandler
from sqlalchemy import func, select

from bot.db import Database
from bot.delivery import OutboxSender, Outcome, RateLimiter, RenderContext, Rendered
from bot.settings import Settings
from bot.slack import make_client
from models.core import outbox
from models.core.tables import OutboxMessage, Person
from models.kudos import KudosDraft, KudosRules, give_kudos
from models.kudos.tables import Kudos
from models.people import ensure_workspace
from tests.conftest import ANA, BOB, CARA, GENERAL, LI, TEAM, make_org
from tests.delivery_support import (
    RENDERERS,
    DroppingProxy,
    FakeDirectory,
    add_people,
    bulk_kudos_dms,
    fan_out_kudos,
    fast_backoff,
    messages_per_outbox_id,
    note,
    outbox_id_of,
    posts_per_outbox_id,
    row,
    rows,
    user_ids,
)
from tests.fake_slack import FakeSlack

pytestmark = pytest.mark.time_sensitive

TOKEN = "xoxb-test-token"
BROKEN = "test.broken"


def render_broken(ctx: RenderContext) -> Rendered:
    raise ValueError("renderer bug")


def make_sender(db: Database, url: str, *, client: WebClient | None = None, timeout: int = 5,
                owner: str | None = None, batch: int = 20, lease: timedelta = outbox.LEASE,
                channel_interval: float = 1.0) -> OutboxSender:
    """A sender with its own limiter (as another replica would have), a high budget and a short backoff."""
    return OutboxSender(
        db, client or WebClient(token=TOKEN, base_url=url, timeout=timeout), make_org(),
        limiter=RateLimiter(per_minute=100_000, channel_interval=channel_interval), owner=owner, batch=batch,
        lease=lease, backoff=fast_backoff, clock=db.clock, renderers={**RENDERERS, BROKEN: render_broken},
    )


@pytest.fixture
def people(db: Database) -> None:
    add_people(db, None, TEAM, [ANA, LI, BOB, CARA])  # the fake knows them already


def posts(fake: FakeSlack) -> list:
    return fake.calls_to("chat.postMessage")


def unsent(db: Database) -> int:
    with db.unit_of_work() as s:
        return int(s.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.state.in_(["pending", "sending"]))) or 0)


def sleep_until_due(db: Database) -> None:
    """The test thread (not the sender) waits until every pending row is due."""
    with db.unit_of_work() as s:
        latest = s.scalar(select(func.max(OutboxMessage.not_before)).where(OutboxMessage.state == "pending"))
    if latest is not None:
        time.sleep(max(0.0, (latest - db.clock.now()).total_seconds()) + 0.05)


# -- the outbox row is written with its cause, once per dedupe key ----------------------------------


def test_outbox_rows_commit_and_roll_back_with_their_cause(db, fake):
    rules = KudosRules(values=("teamwork",), announce="none")
    draft = KudosDraft(team_id=TEAM, giver=BOB, recipients=(ANA, LI), message="for the calm launch and the runbook")
    with pytest.raises(RuntimeError), db.unit_of_work() as s:
        give_kudos(s, draft, rules, FakeDirectory(TEAM))
        raise RuntimeError("the request failed after the kudos was saved")
    assert rows(db) == []
    with db.unit_of_work() as s:
        give_kudos(s, draft, rules, FakeDirectory(TEAM))
    with db.unit_of_work() as s:
        kudos_id = s.scalars(select(Kudos.id)).one()
    dms = [r for r in rows(db) if r.kind == "kudos.dm"]
    assert len(dms) == 2 and all(r.payload == {"kudos_id": kudos_id} and r.state == "pending" for r in dms)


def test_same_dedupe_key_gives_one_row(db, fake, people):
    first = note(db, TEAM, key="dup", recipient=ANA, text="first")
    assert note(db, TEAM, key="dup", recipient=ANA, text="second") == first
    with db.unit_of_work() as s:
        ana = s.scalars(select(Person).where(Person.slack_user_id == ANA)).one()
        a = outbox.enqueue(s, team_id=TEAM, kind="test.note", key="dup2", recipient=ana, payload={"text": "x"})
        b = outbox.enqueue(s, team_id=TEAM, kind="test.note", key="dup2", recipient=ana, payload={"text": "y"})
        assert a.id == b.id
    # Several transactions at once (two web workers handling the same submission).
    barrier = threading.Barrier(4)
    got: list[int] = []

    def enqueue_race() -> None:
        barrier.wait()
        got.append(note(db, TEAM, key="race", recipient=ANA, text="race"))

    threads = [threading.Thread(target=enqueue_race) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(got) == 4 and len(set(got)) == 1
    assert sorted(Counter(r.dedupe_key for r in rows(db)).values()) == [1, 1, 1]
    make_sender(db, fake.url, channel_interval=0.0).drain(max_seconds=10)
    assert len(fake.dms_to(ANA)) == 3
    assert fake.dms_to(ANA)[0]["text"] == "first"


# -- permanent errors: dead with Slack's reason, one call, no retry --------------------------------


def test_home_refreshes_merge_while_one_waits(db, people):
    """One pending Home refresh per person: asking again adds nothing, in one statement or several; once the
    sender holds it a new one may wait, and the held one, given back, gives way to the newer."""
    def pending(s):
        return list(s.scalars(select(OutboxMessage).where(OutboxMessage.kind == outbox.HOME_KIND,
                                                          OutboxMessage.state == "pending")))

    with db.unit_of_work() as s:
        ana = s.scalars(select(Person).where(Person.slack_user_id == ANA)).one()
        outbox.request_home_refresh(s, ana, cause="one")
        outbox.enqueue_all(s, TEAM, [outbox.home_refresh(s, ana, cause="two"), outbox.home_refresh(s, ana, cause="3")])
        assert [r.dedupe_key.rsplit(":", 1)[1] for r in pending(s)] == ["one"]
    with db.unit_of_work() as s:
        claimed = outbox.claim(s, "sender-1", now=db.clock.now() + timedelta(seconds=5))
    assert len(claimed) == 1
    with db.unit_of_work() as s:
        ana = s.scalars(select(Person).where(Person.slack_user_id == ANA)).one()
        outbox.request_home_refresh(s, ana, cause="four")  # the first is being sent: this one waits
        assert [r.dedupe_key.rsplit(":", 1)[1] for r in pending(s)] == ["four"]
        assert outbox.release(s, claimed[0].id, "sender-1", at=db.clock.now(), count_attempt=False)
        assert s.get(OutboxMessage, claimed[0].id).state == "skipped"
        assert [r.dedupe_key.rsplit(":", 1)[1] for r in pending(s)] == ["four"]



@pytest.mark.parametrize(
    "error", ["user_not_found", "account_inactive", "channel_not_found", "is_archived", "not_in_channel",
              "invalid_blocks"])
def test_permanent_error_is_dead_after_one_call(db, fake, people, error):
    rid = note(db, TEAM, key="perm", recipient=ANA)
    fake.error_next("chat.postMessage", error)
    sender = make_sender(db, fake.url)
    assert sender.drain(max_seconds=5) == Outcome(dead=1)
    r = row(db, rid)
    assert (r.state, r.last_error, r.attempts) == ("dead", error, 1)
    assert sender.drain(max_seconds=2) == Outcome()
    assert len(posts(fake)) == 1 and fake.dms_to(ANA) == []


@pytest.mark.parametrize(
    ("target", "error", "method"),
    [
        ("C0OLD", "is_archived", "chat.postMessage"),
        ("C0PRIVATE", "not_in_channel", "chat.postMessage"),
        ("C0NOWHERE", "channel_not_found", "chat.postMessage"),
        ("U0LEFT", "user_disabled", "conversations.open"),  # deactivated in Slack, not yet in our mirror
        ("U0GHOST", "user_not_found", "conversations.open"),
    ],
)
def test_slack_state_errors_are_dead_after_one_call(db, fake, target, error, method):
    fake.add_channel("C0OLD", "old", is_archived=True)
    fake.add_channel("C0PRIVATE", "private", bot_is_member=False)
    fake.add_user("U0LEFT", name="left", deleted=True)
    add_people(db, None, TEAM, ["U0LEFT", "U0GHOST"])
    if target.startswith("U"):
        rid = note(db, TEAM, key="state", recipient=target)
    else:
        rid = note(db, TEAM, key="state", channel=target)
    sender = make_sender(db, fake.url)
    assert sender.drain(max_seconds=5) == Outcome(dead=1)
    sender.drain(max_seconds=2)
    r = row(db, rid)
    assert (r.state, r.last_error) == ("dead", error)
    assert len(fake.calls_to(method)) == 1
    if method == "conversations.open":
        assert posts(fake) == []


# -- 5xx and timeouts: retried with backoff, never posted twice -------------------------------------


@pytest.mark.parametrize("status", [500, 503])
def test_5xx_is_retried_with_backoff_then_sent_once(db, fake, people, status):
    rid = note(db, TEAM, key="flaky", recipient=ANA)
    fake.fail_next("chat.postMessage", status=status, count=2)
    sender = make_sender(db, fake.url, channel_interval=0.0)  # only the backoff spaces the tries
    before = db.clock.now()
    assert sender.drain_once() == Outcome(retried=1)
    r = row(db, rid)
    assert r.state == "pending" and r.uncertain and f"HTTP {status}" in (r.last_error or "")
    assert r.not_before >= before + fast_backoff(1)
    sender.drain(max_seconds=10)
    r = row(db, rid)
    assert (r.state, r.attempts, r.uncertain) == ("sent", 3, False)
    calls = posts(fake)
    assert [c.status for c in calls] == [status, status, 200]
    assert calls[1].at - calls[0].at >= fast_backoff(1).total_seconds()
    assert calls[2].at - calls[1].at >= fast_backoff(2).total_seconds()
    [dm] = fake.dms_to(ANA)
    assert dm["ts"] == r.sent_ts and outbox_id_of(dm) == rid
    # A 5xx may hide a processed post: each retry looked in the channel first.
    assert len(fake.calls_to("conversations.history")) == 2


def test_timeout_is_uncertain_then_reconciled_not_posted_twice(db, fake):
    rid = note(db, TEAM, key="slow", channel=GENERAL)
    sender = make_sender(db, fake.url, timeout=1)
    fake.latency = 1.6  # Slack processes the post, the answer comes after the client gave up
    assert sender.drain_once() == Outcome(retried=1)
    fake.latency = 0.0
    r = row(db, rid)
    assert r.state == "pending" and r.uncertain and "network" in (r.last_error or "")
    [msg] = fake.messages(GENERAL)
    assert outbox_id_of(msg) == rid
    sender.drain(max_seconds=10)
    r = row(db, rid)
    assert (r.state, r.sent_ts, r.uncertain) == ("sent", msg["ts"], False)
    assert len(posts(fake)) == 1 and len(fake.messages(GENERAL)) == 1
    assert len(fake.calls_to("conversations.history")) == 1


def test_lost_answer_with_the_production_client_is_not_posted_twice(db, fake):
    """make_client() retries connection resets (slack-sdk's ConnectionErrorRetryHandler): for
    chat.postMessage that re-posts a message Slack already has (PITFALLS). The sender must not."""
    proxy = DroppingProxy(fake.url)
    try:
        settings = Settings(_env_file=None, slack_bot_token=TOKEN, slack_api_url=proxy.url, database_url=db.url)
        rid = note(db, TEAM, key="reset", channel=GENERAL)
        proxy.drop["chat.postMessage"] = 1
        sender = make_sender(db, fake.url, client=make_client(settings))
        sender.drain(max_seconds=10)
        assert proxy.dropped == ["chat.postMessage"]
        [msg] = fake.messages(GENERAL)
        r = row(db, rid)
        assert (r.state, r.sent_ts) == ("sent", msg["ts"])
        assert len(posts(fake)) == 1
    finally:
        proxy.close()


# -- 429: rescheduled after Retry-After, no call inside the window, no sleeping thread ---------------


@pytest.mark.parametrize("sdk_retry", [False, True], ids=["plain-client", "client-with-RateLimitErrorRetryHandler"])
def test_429_reschedules_the_row_without_sleeping(db, fake, people, sdk_retry):
    ids = [note(db, TEAM, key=f"rl-{u}", recipient=u) for u in (ANA, LI, BOB)]
    handlers: list[RetryHandler] = [RateLimitErrorRetryHandler(max_retry_count=2)] if sdk_retry else []
    client = WebClient(token=TOKEN, base_url=fake.url, timeout=5, retry_handlers=handlers)
    sender = make_sender(db, fake.url, client=client)
    fake.fail_next("chat.postMessage", status=429, retry_after=3)
    before = db.clock.now()
    t0 = time.monotonic()
    assert sender.drain_once() == Outcome(sent=2, retried=1)  # only the channel Slack refused waits
    assert time.monotonic() - t0 < 1.0, "the sender waited for Retry-After instead of rescheduling"
    first = posts(fake)[0]
    assert first.status == 429
    channel = first.params["channel"]
    with db.unit_of_work() as s:
        paused = outbox.paused_until(s, TEAM, f"chat.postMessage:{channel}")  # for the other replicas too
        assert outbox.paused_until(s, TEAM, "chat.postMessage") is None
    assert paused is not None and paused >= before + timedelta(seconds=3)
    [refused] = [rid for rid in ids if row(db, rid).state == "pending"]
    r = row(db, refused)
    assert r.attempts == 0 and r.not_before >= before + timedelta(seconds=3) - timedelta(milliseconds=1)
    t0 = time.monotonic()
    assert sender.drain(max_seconds=20) == Outcome()  # nothing due for 3 s: drain returns at once
    assert time.monotonic() - t0 < 1.0
    sleep_until_due(db)
    sender.drain(max_seconds=10)
    assert all(row(db, rid).state == "sent" for rid in ids)
    calls = posts(fake)
    assert len(calls) == 4 and calls[-1].params["channel"] == channel and calls[-1].at - first.at >= 3.0
    assert fake.retry_after_violations == []


def test_429s_on_every_post_pause_all_posting(db, fake, people):
    """A workspace-wide limit refuses every channel: after three refusals in a row the whole method waits (and
    the other replicas with it), instead of trying each channel into Slack's window."""
    sender = make_sender(db, fake.url, channel_interval=0.0)
    for u in (ANA, LI, BOB, CARA):
        note(db, TEAM, key=f"warm-{u}", recipient=u)
    sender.drain(max_seconds=5)  # every DM channel is known
    ids = [note(db, TEAM, key=f"w-{u}", recipient=u) for u in (ANA, LI, BOB, CARA)]
    fake.post_window_scope = "method"
    fake.fail_next("chat.postMessage", status=429, retry_after=2)
    before = db.clock.now()
    assert sender.drain_once() == Outcome(retried=3, deferred=1)
    assert len(fake.retry_after_violations) == 2  # the price of telling a workspace limit from a channel's
    with db.unit_of_work() as s:
        paused = outbox.paused_until(s, TEAM, "chat.postMessage")
    assert paused is not None and paused >= before + timedelta(seconds=1)
    sleep_until_due(db)
    sender.drain(max_seconds=10)
    assert all(row(db, rid).state == "sent" for rid in ids)
    assert len(fake.retry_after_violations) == 2


def test_429_on_conversations_open_pauses_only_that_method(db, fake, people):
    sender = make_sender(db, fake.url, channel_interval=0.0)
    note(db, TEAM, key="warm", recipient=ANA)
    sender.drain(max_seconds=5)  # Ana's DM channel is known from now on
    li = note(db, TEAM, key="li", recipient=LI)
    ana = note(db, TEAM, key="ana", recipient=ANA)
    fake.fail_next("conversations.open", status=429, retry_after=2)
    assert sender.drain_once() == Outcome(sent=1, retried=1)
    assert row(db, ana).state == "sent"  # posting was not paused by a 429 on another method
    assert row(db, li).state == "pending"
    with db.unit_of_work() as s:
        assert outbox.paused_until(s, TEAM, "conversations.open") is not None
        assert outbox.paused_until(s, TEAM, "chat.postMessage") is None
    sender.drain(max_seconds=10)
    assert row(db, li).state == "sent" and len(fake.dms_to(LI)) == 1
    assert fake.retry_after_violations == []


def test_retry_after_is_shared_between_senders(db, fake, people):
    first = note(db, TEAM, key="one", recipient=ANA)
    one, two = make_sender(db, fake.url, owner="replica-1"), make_sender(db, fake.url, owner="replica-2")
    fake.fail_next("chat.postMessage", status=429, retry_after=3)
    assert one.drain_once() == Outcome(retried=1)
    channel = posts(fake)[0].params["channel"]
    with db.unit_of_work() as s:  # replica-2 knows Ana's DM channel (it is stored) and never saw the 429 itself
        s.scalars(select(Person).where(Person.slack_user_id == ANA)).one().dm_channel_id = channel
    second = note(db, TEAM, key="two", recipient=ANA)
    assert two.drain_once() == Outcome(deferred=1)
    assert len(posts(fake)) == 1 and fake.retry_after_violations == []
    with db.unit_of_work() as s:
        paused = outbox.paused_until(s, TEAM, f"chat.postMessage:{channel}")
    assert paused is not None and row(db, second).not_before >= paused - timedelta(milliseconds=1)
    sleep_until_due(db)
    two.drain(max_seconds=10)
    assert row(db, first).state == row(db, second).state == "sent"
    assert fake.retry_after_violations == []


def test_only_slacks_own_refusals_count_as_a_workspace_limit():
    """Refusals by this process's own gate (a window it already knew) never close all posting; three in a row
    from Slack do. Either way the refused post's budget slot is given back."""
    limiter = RateLimiter(per_minute=10)
    for i in range(3):
        assert limiter.wait_needed(TEAM, "chat.postMessage", f"D{i}", now=100.0 + i) == 0
        assert limiter.post_limited(TEAM, f"D{i}", 1.0, 100.0 + i, by_slack=False) is False
    assert limiter.free(TEAM, 103.0) == (10, 0.0)  # every slot given back
    assert limiter.gate.wait_left("chat.postMessage") == 0 and limiter.gate.wait_left("chat.postMessage", "D0") > 0
    assert [limiter.post_limited(TEAM, f"E{i}", 1.0, None) for i in range(3)] == [False, False, True]
    assert limiter.gate.wait_left("chat.postMessage") > 0


def test_a_spent_budget_claims_nothing(db, fake, people):
    """With the minute's budget spent, the sender leaves due rows alone (no lease, no render, no DM opened)
    instead of claiming a batch only to give it back, however often requests wake it."""
    sender = make_sender(db, fake.url, channel_interval=0.0)
    sender.limiter.per_minute, sender.team_id = 2, TEAM  # (the runtime tells it the workspace at start)
    ids = [note(db, TEAM, key=f"b-{u}", recipient=u) for u in (ANA, LI, BOB, CARA)]
    assert sender.drain_once() == Outcome(sent=2)
    opened = len(fake.calls_to("conversations.open"))
    for _ in range(3):
        sender.kick()
        assert sender.drain_once() == Outcome()
    waiting = [row(db, rid) for rid in ids if row(db, rid).state != "sent"]
    assert len(waiting) == 2 and all(r.state == "pending" and r.lease_owner is None for r in waiting)
    assert len(fake.calls_to("conversations.open")) == opened and len(posts(fake)) == 2


# -- pacing and the DM channel cache --------------------------------------------------------------


def test_at_most_one_post_per_second_per_channel(db, fake, people):
    for i in range(3):
        note(db, TEAM, key=f"general-{i}", channel=GENERAL)
        note(db, TEAM, key=f"ana-{i}", recipient=ANA)
    t0 = time.monotonic()
    make_sender(db, fake.url).drain(max_seconds=15)
    elapsed = time.monotonic() - t0
    assert unsent(db) == 0
    by_channel: dict[str, list[float]] = {}
    for call in posts(fake):
        by_channel.setdefault(call.params["channel"], []).append(call.at)
    assert sorted(by_channel) == sorted([GENERAL, fake.dm_channel_id(ANA)])
    for channel, times in by_channel.items():
        gaps = [b - a for a, b in itertools.pairwise(times)]
        assert len(times) == 3 and min(gaps) >= 1.0, (channel, gaps)
    assert elapsed < 4.0  # the two channels are paced independently, not one after the other


def test_workers_open_each_dm_once_and_hold_no_lock_while_slack_answers(db, fake, people):
    """Four workers, three rows each for two people: one conversations.open per person, the others wait for
    its answer; and while Slack answers, the sender's DM lock is free (another person's DM can be opened)."""
    fake.latency = 0.2
    for i in range(3):
        note(db, TEAM, key=f"ana-{i}", recipient=ANA)
        note(db, TEAM, key=f"li-{i}", recipient=LI)
    sender = make_sender(db, fake.url, channel_interval=0.0)
    sender.workers = 4
    held: list[bool] = []
    real_open = sender._slack.conversations_open

    def watched_open(**kwargs):
        held.append(sender._dm_lock.locked())
        return real_open(**kwargs)

    sender._slack.conversations_open = watched_open  # type: ignore[method-assign]
    try:
        sender.drain(max_seconds=20)
    finally:
        sender.close()
    assert len(fake.dms_to(ANA)) == 3 and len(fake.dms_to(LI)) == 3
    assert sorted(c.params["users"] for c in fake.calls_to("conversations.open")) == [ANA, LI]
    assert held == [False, False]


def test_dm_channel_is_opened_once_per_person(db, fake, people):
    for i in range(3):
        note(db, TEAM, key=f"ana-{i}", recipient=ANA)
        note(db, TEAM, key=f"li-{i}", recipient=LI)
    make_sender(db, fake.url, channel_interval=0.0).drain(max_seconds=15)
    assert len(fake.dms_to(ANA)) == 3 and len(fake.dms_to(LI)) == 3
    assert sorted(c.params["users"] for c in fake.calls_to("conversations.open")) == [ANA, LI]
    with db.unit_of_work() as s:
        stored = {uid: channel for uid, channel in s.execute(select(Person.slack_user_id, Person.dm_channel_id))}
    assert stored[ANA] == fake.dm_channel_id(ANA) and stored[LI] == fake.dm_channel_id(LI)
    # A restarted sender (no memory) uses the stored channel too.
    note(db, TEAM, key="ana-later", recipient=ANA)
    make_sender(db, fake.url).drain(max_seconds=5)
    assert len(fake.dms_to(ANA)) == 4 and len(fake.calls_to("conversations.open")) == 2


# -- operator retry ---------------------------------------------------------------------------------


def test_outbox_retry_brings_a_dead_row_back(db, fake):
    rid = note(db, TEAM, key="archived-then-restored", channel=GENERAL)
    fake.error_next("chat.postMessage", "is_archived")
    sender = make_sender(db, fake.url)
    sender.drain(max_seconds=5)
    assert row(db, rid).state == "dead"
    with db.unit_of_work() as s:
        assert outbox.retry(s, row_id=rid) == 1
    r = row(db, rid)
    assert (r.state, r.attempts, r.lease_owner) == ("pending", 0, None)
    sender.drain(max_seconds=5)
    r = row(db, rid)
    [msg] = fake.messages(GENERAL)
    assert (r.state, r.sent_ts) == ("sent", msg["ts"])
    assert [c.status for c in posts(fake)] == [200, 200] and posts(fake)[0].response["error"] == "is_archived"
    with db.unit_of_work() as s:
        assert outbox.retry(s, row_id=rid) == 0 and outbox.retry(s, dead=True) == 0  # sent stays sent


# -- exactly once across crashes, takeovers and failed reconciliations -------------------------------


def _left_by_a_dead_sender(db: Database, fake: FakeSlack, rid: int, channel: str, *, ago: timedelta) -> dict:
    """What a sender that died between Slack's answer and its commit leaves: the message in Slack (our id
    in its metadata, posted `ago`), the row still `sending` under a lease that has run out."""
    with db.unit_of_work() as s:
        s.get(OutboxMessage, rid).created_at = db.clock.now() - ago - timedelta(seconds=1)
    with db.unit_of_work() as s:
        [item] = outbox.claim(s, "dead-sender", lease=timedelta(milliseconds=50))
        assert item.id == rid
    ts = f"{time.time() - ago.total_seconds():.6f}"
    msg = fake.add_message(channel, "kudos!", user=fake.bot_user_id, ts=ts, bot_id=fake.bot_id,
                           metadata={"event_type": "candor_outbox", "event_payload": {"outbox_id": rid}})
    time.sleep(0.1)
    return msg


@pytest.mark.parametrize("ago", [timedelta(0), timedelta(hours=3)], ids=["just-now", "sender-down-3h"])
def test_message_in_slack_but_not_committed_is_reconciled(db, fake, people, ago):
    rid = note(db, TEAM, key="crashed", recipient=ANA)
    msg = _left_by_a_dead_sender(db, fake, rid, ANA, ago=ago)
    make_sender(db, fake.url).drain(max_seconds=5)
    r = row(db, rid)
    assert (r.state, r.sent_ts) == ("sent", msg["ts"])
    assert posts(fake) == [] and len(fake.dms_to(ANA)) == 1


@pytest.mark.parametrize("status", [500, 429])
def test_failed_reconciliation_is_tried_again_not_forgotten(db, fake, people, status):
    rid = note(db, TEAM, key="crashed", recipient=ANA)
    msg = _left_by_a_dead_sender(db, fake, rid, ANA, ago=timedelta(0))
    fake.fail_next("conversations.history", status=status, retry_after=1)
    sender = make_sender(db, fake.url)
    assert sender.drain_once() == Outcome(retried=1)
    assert row(db, rid).uncertain
    sleep_until_due(db)
    sender.drain(max_seconds=10)
    r = row(db, rid)
    assert (r.state, r.sent_ts) == ("sent", msg["ts"])
    assert posts(fake) == [] and len(fake.dms_to(ANA)) == 1
    assert fake.retry_after_violations == []


def test_row_taken_over_after_its_lease_ran_out_is_not_sent_by_the_old_owner(db, fake):
    rid = note(db, TEAM, key="slow-batch", channel=GENERAL)
    slow = make_sender(db, fake.url, owner="slow")
    with db.unit_of_work() as s:  # 'slow' claimed a batch; it reaches this row after the lease ran out
        [item] = outbox.claim(s, "slow", lease=timedelta(milliseconds=50))
    time.sleep(0.1)
    make_sender(db, fake.url, owner="fast").drain(max_seconds=5)  # takes the row over and sends it
    assert row(db, rid).state == "sent"
    assert slow.deliver(item) == Outcome()
    assert len(fake.messages(GENERAL)) == 1 and len(posts(fake)) == 1
    assert row(db, rid).lease_owner == "fast"


def test_a_failing_row_does_not_strand_its_batch(db, fake):
    with db.unit_of_work() as s:
        ensure_workspace(s, TEAM)
        outbox.enqueue(s, team_id=TEAM, kind=BROKEN, key="broken", channel_id=GENERAL)  # first in the batch
    good = note(db, TEAM, key="good", channel=GENERAL)
    out = make_sender(db, fake.url).drain_once()
    assert out == Outcome(sent=1, retried=1)
    assert row(db, good).state == "sent"
    [broken] = [r for r in rows(db) if r.kind == BROKEN]
    assert broken.state == "pending" and "renderer bug" in (broken.last_error or "") and broken.attempts == 1


# -- chaos: random 429s and 5xx on every method ------------------------------------------------------

# Every 429 stops that method for the whole workspace for Retry-After (1 s): at 20 % of calls the run
# takes about 0.4 s per DM whatever the sender does (measured: 200 DMs ≈ 80 s per database). 50 keep the
# test near 20 s per database; CANDOR_CHAOS_DMS=300 runs the long version.
CHAOS_DMS = int(os.environ.get("CANDOR_CHAOS_DMS", "50"))


@pytest.mark.slow
def test_chaos_every_recipient_gets_exactly_one_dm(db, fake):
    recipients = user_ids(CHAOS_DMS, prefix="U2")
    add_people(db, fake, TEAM, recipients)
    assert fan_out_kudos(db, TEAM, recipients) == CHAOS_DMS
    fake.set_fault_rates(rate_429=0.2, rate_5xx=0.05, retry_after=1, seed=4)
    sender = make_sender(db, fake.url)
    t0 = time.monotonic()
    while unsent(db) and time.monotonic() - t0 < 120:
        sender.drain(max_seconds=30)
        sleep_until_due(db)
    elapsed = time.monotonic() - t0
    statuses = Counter(c.status for c in fake.calls)
    print(f"\nchaos [{db.engine.dialect.name}]: {CHAOS_DMS} DMs in {elapsed:.1f}s, HTTP statuses {dict(statuses)}, "
          f"calls {dict(Counter(c.method for c in fake.calls))}")
    assert fake.retry_after_violations == []
    assert statuses[429] > 0 and statuses[500] > 0
    assert [uid for uid in recipients if len(fake.dms_to(uid)) != 1] == []
    db.dispose()
    sent = {r.id: r for r in rows(db)}
    assert {r.state for r in sent.values()} == {"sent"}
    per_id = messages_per_outbox_id(fake, recipients)
    assert set(per_id) == set(sent) and set(per_id.values()) == {1}
    stored_ts = {fake.dms_to(uid)[0]["ts"] for uid in recipients}
    assert {r.sent_ts for r in sent.values()} == stored_ts


# -- several senders (PostgreSQL: FOR UPDATE SKIP LOCKED) --------------------------------------------

SWARM_DMS = 600


class RecordingSender(OutboxSender):
    claimed: list[int]

    def deliver(self, item: outbox.Claimed) -> Outcome:
        self.claimed.append(item.id)
        return super().deliver(item)


@pytest.mark.slow
def test_three_senders_on_postgres_send_each_row_once(pg_url, fake):
    """Several senders claim concurrently on PostgreSQL (SQLite runs one sender)."""
    db = Database(pg_url)
    recipients = user_ids(SWARM_DMS, prefix="U4")
    add_people(db, fake, TEAM, recipients)
    assert bulk_kudos_dms(db, TEAM, recipients) == SWARM_DMS
    senders = []
    for i in range(3):
        s = RecordingSender(db, WebClient(token=TOKEN, base_url=fake.url, timeout=5), make_org(),
                            limiter=RateLimiter(per_minute=100_000), owner=f"sender-{i}", batch=5,
                            backoff=fast_backoff, renderers=RENDERERS)
        s.claimed = []
        senders.append(s)
    errors: list[BaseException] = []

    def work(sender: OutboxSender) -> None:
        try:
            deadline = time.monotonic() + 60
            while unsent(db) and time.monotonic() < deadline:
                sender.drain_once()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    t0 = time.monotonic()
    threads = [threading.Thread(target=work, args=(s,)) for s in senders]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    elapsed = time.monotonic() - t0
    claimed = Counter(i for s in senders for i in s.claimed)
    print(f"\nswarm: {SWARM_DMS} DMs by 3 senders in {elapsed:.1f}s, per sender {[len(s.claimed) for s in senders]}")
    assert errors == []
    assert unsent(db) == 0 and {r.state for r in rows(db)} == {"sent"}
    assert set(claimed.values()) == {1} and len(claimed) == SWARM_DMS, "a row was claimed twice"
    assert all(len(s.claimed) > 0 for s in senders)
    per_call = posts_per_outbox_id(fake)
    assert len(per_call) == SWARM_DMS and set(per_call.values()) == {1}
    assert [uid for uid in recipients if len(fake.dms_to(uid)) != 1] == []
