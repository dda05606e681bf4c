"""Benchmarks that print their figures and write them into BENCHMARKS.md: `make bench` (`python -m bench`),
or one of them: `python -m bench ack|fanout|tick|sender`.

1. ack (bench/ack.py): the request path under the production server, against a bare Bolt app, on SQLite
   and PostgreSQL, with worker memory.
2. fanout (bench/fanout.py): 10,000 check-ins due in one minute on PostgreSQL, computed, enqueued and
   delivered against a stand-in Slack that enforces Slack's limits.
3. tick: the due-prompt tick over 5,000 people (SQLite file): a minute when nothing is due, and the minute a
   whole office's check-ins fall due. The tick runs every minute on the leader, so its quiet-minute cost is
   what an operator pays all day.
4. sender: outbox throughput against the fake Slack over loopback, one sender thread vs four, in one run.

Benchmarks are not tests: they print figures, as ratios within one run wherever there is a baseline,
because machines are noisy. The README says what the figures mean for running Candor.
"""

from __future__ import annotations

import contextlib
import io
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
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


class _Tee(io.StringIO):
    """Print as it goes, and keep a copy for BENCHMARKS.md."""

    def write(self, text: str) -> int:
        sys.__stdout__.write(text)
        sys.__stdout__.flush()
        return super().write(text)


def _captured(run: Callable[[], object]) -> str:
    tee = _Tee()
    with contextlib.redirect_stdout(tee):
        run()
    return tee.getvalue()


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    pg = "PostgreSQL not reached"
    with contextlib.suppress(Exception):
        from sqlalchemy import create_engine, text

        engine = create_engine(os.environ.get("CANDOR_TEST_POSTGRES_URL",
                                              "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
        with engine.connect() as conn:
            pg = str(conn.execute(text("SHOW server_version")).scalar()).split()[0]
        engine.dispose()
    return (f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}, PostgreSQL {pg}")


RESULTS_START = "<!-- results: written by `make bench`; everything above is written by hand -->"


def write_results(sections: dict[str, str], command: str) -> None:
    """Replace the results part of BENCHMARKS.md with this run's figures."""
    path = Path(__file__).resolve().parent.parent / "BENCHMARKS.md"
    head = path.read_text().split(RESULTS_START)[0] if path.exists() else "# Benchmarks\n\n"
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=path.parent).stdout.strip() or "unknown"
    from models.core.clock import SYSTEM

    body = [RESULTS_START, "", f"## Latest run: {SYSTEM.now():%Y-%m-%d %H:%M} UTC, commit {commit}", "",
            f"- Machine: {machine()}", f"- Command: `{command}`", ""]
    for name, text in sections.items():
        body += [f"### {name}", "", text.strip(), ""]
    path.write_text(head + "\n".join(body))
    print(f"figures written to {path}")


def main(argv: list[str]) -> int:
    from bench import ack, fanout

    chosen = argv or ["ack", "fanout", "tick", "sender"]
    runs: dict[str, Callable[[], object]] = {
        "ack": lambda: print("\n".join(ack.main([]))),
        "fanout": lambda: fanout.main([]),
        "tick": lambda: bench_tick(5000),
        "sender": lambda: bench_sender(1000),
    }
    unknown = [name for name in chosen if name not in runs]
    if unknown:
        print(f"unknown benchmark {', '.join(unknown)}: choose from {', '.join(runs)}", file=sys.stderr)
        return 2
    titles = {"ack": "Ack path (bench/ack.py)", "fanout": "Fan-out (bench/fanout.py)",
              "tick": "Scheduler tick (bench/__main__.py)", "sender": "Outbox sender threads (bench/__main__.py)"}
    sections = {}
    for name in chosen:
        text = _captured(runs[name])
        sections[titles[name]] = text if name == "ack" else f"```\n{text.strip()}\n```"
    write_results(sections, "python -m bench " + " ".join(argv) if argv else "make bench")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
