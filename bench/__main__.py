"""Benchmarks that print their figures: `make bench` (or `python -m bench`).

1. The due-prompt tick over many people (SQLite file): a minute when nothing is due, and the minute a
   whole office's check-ins fall due. The tick runs every minute on the leader, so its quiet-minute
   cost is what an operator pays all day.
2. Outbox throughput against the fake Slack over loopback: one sender thread vs four, in the same run
   (the ratio is what matters; absolute numbers depend on the machine).
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from slack_sdk import WebClient
from sqlalchemy import func, select

from bot.db import Database
from bot.delivery import OutboxSender, RateLimiter
from bot.runtime import slack_registry
from models.core import outbox
from models.core.config import OrgConfig
from models.core.tables import OutboxMessage, Person, Workspace
from models.features import tick_all as tick
from models.people import ensure_workspace

TEAM = "T0BENCH"
FRIDAY = datetime(2026, 11, 27, tzinfo=UTC)
ZONES = ["Europe/Berlin", "America/New_York", "Asia/Tokyo", "Europe/London", "America/Los_Angeles", "Asia/Kolkata"]


def make_db(path: Path, people: int) -> Database:
    db = Database(f"sqlite:///{path}")
    db.upgrade()
    with db.unit_of_work() as s:
        ensure_workspace(s, TEAM)
        s.add_all(Person(team_id=TEAM, slack_user_id=f"U{i:08d}", real_name=f"Person {i}", tz=ZONES[i % len(ZONES)],
                         created_at=FRIDAY - timedelta(days=30)) for i in range(people))
    return db


def bench_tick(people: int) -> None:
    from models.one_on_ones import sync_pairs

    with tempfile.TemporaryDirectory() as tmp:
        db = make_db(Path(tmp) / "tick.db", people)
        org = OrgConfig()
        with db.unit_of_work() as s:  # one manager for every ten people, and their 1:1 pairs
            ids = list(s.scalars(select(Person.id).order_by(Person.id)))
            managers = ids[: max(1, people // 10)]
            for i, pid in enumerate(ids[len(managers):]):
                s.get(Person, pid).manager_id = managers[i % len(managers)]
            s.flush()
            pairs = sync_pairs(s, TEAM, org, now=FRIDAY - timedelta(days=20))

        def one(now: datetime) -> tuple[float, str]:
            with db.unit_of_work() as s:
                s.get(Workspace, TEAM).last_tick_at = now - timedelta(minutes=1)
            started = time.perf_counter()
            with db.unit_of_work() as s:
                report = tick(s, org, TEAM, now=now)
            return time.perf_counter() - started, str(report)

        quiet, _ = one(FRIDAY.replace(hour=3, minute=17))
        busy, report = one(FRIDAY.replace(hour=14, minute=0, second=30))  # 15:00 Berlin
        print(f"tick, {people} people ({pairs}): quiet minute {quiet * 1000:.0f} ms; "
              f"busy minute {busy * 1000:.0f} ms ({report})")
        db.dispose()


def bench_sender(messages: int) -> None:
    from tests.fake_slack import FakeSlack

    results = {}
    for workers in (1, 4):
        with tempfile.TemporaryDirectory() as tmp, FakeSlack(team_id=TEAM) as fake:
            db = make_db(Path(tmp) / "send.db", messages)
            with db.unit_of_work() as s:
                for p in s.scalars(select(Person)):
                    fake.add_user(p.slack_user_id, name=p.slack_user_id.lower(), tz=p.tz)
                    outbox.enqueue(s, team_id=TEAM, kind="checkin.prompt", key=f"bench:{p.id}", recipient=p,
                                   payload={"period": "2026-W48"})
            sender = OutboxSender(db, WebClient(token="xoxb-bench", base_url=fake.url), OrgConfig(),
                                  limiter=RateLimiter(per_minute=1_000_000), workers=workers, batch=50,
                                  renderers=slack_registry().renderers)
            started = time.perf_counter()
            sender.drain(max_seconds=600)
            elapsed = time.perf_counter() - started
            with db.unit_of_work() as s:
                sent = s.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.state == "sent"))
            assert sent == messages, f"only {sent} of {messages} sent"
            results[workers] = messages / elapsed
            print(f"sender, {messages} DMs, {workers} worker(s): {elapsed:.1f} s, {results[workers]:.0f} DMs/s")
            db.dispose()
    print(f"sender speed-up with 4 workers: x{results[4] / results[1]:.2f}")


def main() -> int:
    people = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    bench_tick(people)
    bench_sender(min(people, 1000))
    return 0


if __name__ == "__main__":
    sys.exit(main())
