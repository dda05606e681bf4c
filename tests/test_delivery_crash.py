"""Issue #4, the SIGKILL proof: a sender killed at random points never makes a second message.

A fan-out of 2,000 kudos DMs (real kudos, one kudos.dm row per recipient, written in bulk) is delivered to the
fake Slack (in this process) by the production sender running in a subprocess
(tests/delivery_sender_proc.py: `Runtime` from environment variables, a 2 s outbox lease). The test
SIGKILLs it at seeded random points — with a small Slack latency, many kills land after Slack took the
message and before the sender committed `sent` — restarts it each time, then lets it finish. Every
recipient must have exactly one DM, every outbox id must appear in Slack once, every row must be sent.
Runs on SQLite (a file) and PostgreSQL.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.db import Database
from models.core.tables import OutboxMessage
from tests.conftest import TEAM
from tests.delivery_support import add_people, bulk_kudos_dms, messages_per_outbox_id, outbox_id_of, rows, user_ids
from tests.fake_slack import FakeSlack

ROOT = Path(__file__).resolve().parent.parent
DMS = 2000
SEED = 20261122
MIN_KILLS, MAX_KILLS = 6, 12
MIN_KILLS_IN_WINDOW = 2  # keep killing (up to MAX_KILLS) until this many landed between Slack and the commit
PHASE_TIMEOUT = 60.0


class PostWatcher:
    """Counts the chat.postMessage calls Slack processed, per outbox id, as they arrive."""

    def __init__(self, fake: FakeSlack) -> None:
        self.fake = fake
        self.seen = 0
        self.posted: Counter[int] = Counter()

    def poll(self) -> int:
        calls = self.fake.calls
        end = len(calls)
        for call in calls[self.seen:end]:
            if call.method == "chat.postMessage" and call.status == 200 and call.response.get("ok"):
                oid = outbox_id_of(call.params)
                assert oid is not None, "a message without our outbox id in its metadata"
                self.posted[oid] += 1
        self.seen = end
        return sum(self.posted.values())


def counts(db: Database) -> dict[str, int]:
    with db.unit_of_work() as s:
        return {state: n for state, n in s.execute(
            select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state))}


def sent_ids(db: Database) -> set[int]:
    with db.unit_of_work() as s:
        return set(s.scalars(select(OutboxMessage.id).where(OutboxMessage.state == "sent")))


def sender_env(db_url: str, fake: FakeSlack) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CANDOR_", "SLACK_")) and k not in ("DATABASE_URL",)}
    env.update(
        DATABASE_URL=db_url,
        SLACK_API_URL=fake.url,
        SLACK_BOT_TOKEN="xoxb-crash-test-token",
        CANDOR_OUTBOX_LEASE_SECONDS="2",
        CANDOR_RATE_PER_MINUTE="100000",
        CANDOR_AUTO_MIGRATE="false",
        CANDOR_LOG_LEVEL="WARNING",
        DELIVERY_SENDER_WORKERS="4",  # several rows in flight when the kill lands
        DELIVERY_SENDER_WAIT="1",
        PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p),
    )
    return env


@pytest.mark.slow
@pytest.mark.alone
def test_sigkilled_sender_never_sends_a_dm_twice(db_url, db, fake, tmp_path):
    started = time.monotonic()
    rng = random.Random(SEED)
    recipients = user_ids(DMS, prefix="U5")
    add_people(db, fake, TEAM, recipients)
    assert bulk_kudos_dms(db, TEAM, recipients) == DMS
    all_ids = {r.id for r in rows(db)}
    setup_s = time.monotonic() - started

    fake.latency = 0.003  # Slack has the message ~3 ms before the sender hears back: kills land in between
    env = sender_env(db_url, fake)
    log_path = tmp_path / "sender.log"
    watcher = PostWatcher(fake)

    def spawn() -> subprocess.Popen[bytes]:
        with log_path.open("ab") as log:
            return subprocess.Popen([sys.executable, "-m", "tests.delivery_sender_proc"], cwd=ROOT, env=env,
                                    stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT)

    spare = spawn()

    def start() -> subprocess.Popen[bytes]:
        """Restart: the spare (imports done) begins sending now; the next spare starts loading."""
        nonlocal spare
        proc, spare = spare, spawn()
        assert proc.stdin is not None and proc.poll() is None, crashed(proc)
        proc.stdin.write(b"go\n")
        proc.stdin.flush()
        return proc

    def crashed(proc: subprocess.Popen[bytes]) -> str:
        return f"the sender exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}"

    in_window: list[int] = []  # per kill: messages Slack had whose rows were not committed `sent`
    kill_at: list[int] = []
    send_started = time.monotonic()
    while len(in_window) < MAX_KILLS:
        proc = start()
        target = watcher.poll() + rng.randint(30, 250)
        deadline = time.monotonic() + PHASE_TIMEOUT
        while watcher.poll() < target:
            assert proc.poll() is None, crashed(proc)
            assert time.monotonic() < deadline, f"no progress: {counts(db)}\n{log_path.read_text()[-3000:]}"
            time.sleep(0.002)
        time.sleep(rng.uniform(0.0, 0.02))  # a random point in the life of the next row
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        posted = watcher.poll()
        kill_at.append(posted)
        in_window.append(len(set(watcher.posted) - sent_ids(db)))
        if len(in_window) >= MIN_KILLS and sum(in_window) >= MIN_KILLS_IN_WINDOW:
            break

    proc = start()  # the last life: let it finish
    deadline = time.monotonic() + PHASE_TIMEOUT
    try:
        while (c := counts(db)).get("pending", 0) + c.get("sending", 0):
            assert proc.poll() is None, crashed(proc)
            assert time.monotonic() < deadline, f"not finished: {c}\n{log_path.read_text()[-3000:]}"
            time.sleep(0.05)
    finally:
        proc.terminate()
        if spare.stdin is not None:
            spare.stdin.close()  # EOF: the unused spare exits without sending
        for p in (proc, spare):
            p.wait(10)
    send_s = time.monotonic() - send_started
    watcher.poll()

    print(f"\nSIGKILL proof [{db.engine.dialect.name}]: {DMS} DMs, setup {setup_s:.1f}s, delivery with "
          f"{len(in_window)} kills {send_s:.1f}s, total {time.monotonic() - started:.1f}s; kills after "
          f"{kill_at} posts; messages in Slack but not committed at each kill: {in_window}; "
          f"conversations.history lookups: {len(fake.calls_to('conversations.history'))}")

    assert sum(in_window) >= 1, "no kill landed between Slack's answer and the commit: the proof proved nothing"
    assert counts(db) == {"sent": DMS}
    assert [uid for uid in recipients if len(fake.dms_to(uid)) != 1] == []
    in_slack = messages_per_outbox_id(fake, recipients)
    assert set(in_slack) == all_ids and set(in_slack.values()) == {1}, "an outbox id is in Slack twice"
    assert set(watcher.posted) == all_ids and set(watcher.posted.values()) == {1}, "a row was posted twice"
    ts_in_slack = {outbox_id_of(m): m["ts"] for uid in recipients for m in fake.dms_to(uid)}
    assert {r.id: r.sent_ts for r in rows(db)} == ts_in_slack
    assert fake.retry_after_violations == []
