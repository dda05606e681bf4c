"""Fan-out benchmark (issue #10): N people (10,000 by default) whose weekly check-in falls due in the same
minute, on PostgreSQL.

    python -m bench.fanout                         # 10,000 people, budget 3,000/min, 4 workers (≥ 200 s)
    python -m bench.fanout --people 2000 --budget 2000   # a quick run (~1 min)
    python -m bench.fanout --skip-send             # the tick only (for profiling it)

1. Compute and enqueue: one `tick_all` for the whole workspace in one unit of work, at Friday
   2026-11-27 14:00:30 UTC (15:00 in Berlin, where everyone is: the default OrgConfig's check-in time).
   Target: under 10 s, and exactly N outbox rows queued.
2. Deliver: Candor's own `OutboxSender` (its production loop, `run()`, on a thread) against a stand-in Slack
   in another process (`bench.standin`) that enforces 1 post per second per channel, a budget of B posts per
   rolling 60 s, and answers 10% of acceptable posts 429 (that channel closed for 1 s). The real Slack budget
   is a few hundred a minute; the benchmark scales B up so a run takes minutes, and what it judges is the
   ratio of the achieved rate to B/60 (target ≥ 0.9), with no violation, no duplicate, nothing lost.

The client is the production one by default (`bot.slack.GatedWebClient` sharing the limiter's Retry-After
gate, as `bot.runtime.Runtime` builds it); `--client plain` uses a bare `WebClient` as `bench.__main__` does.
Every "now" is a `ManualClock` started at the simulated Friday, so the run works on any real date.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler
from sqlalchemy import create_engine, func, insert, select, text, update
from sqlalchemy.engine import make_url

from bot.db import Database
from bot.delivery import OutboxSender, RateLimiter
from bot.runtime import slack_registry
from bot.slack import GatedWebClient, RetryAfterGate
from models.core.clock import ManualClock
from models.core.config import OrgConfig
from models.core.tables import OutboxMessage, Person, Workspace
from models.features import tick_all
from models.people import ensure_workspace

TEAM = "T0BENCH"
NOW = datetime(2026, 11, 27, 14, 0, 30, tzinfo=UTC)  # Friday, 15:00:30 in Berlin
ZONE = "Europe/Berlin"
KIND = "checkin.prompt"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SCHEMA = "candor_bench_fanout"
TICK_TARGET_S = 10.0
RATIO_TARGET = 0.9
ROOT = Path(__file__).resolve().parent.parent


def user_id(i: int) -> str:
    return f"U{i:08d}"  # the stand-in's --user-format


# --------------------------------------------------------------------------- setup


def schema_url(base: str, schema: str) -> str:
    """A fresh schema (dropped and recreated), and a URL whose connections use it (as tests/conftest.py)."""
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    return make_url(base).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False)


def drop_schema(base: str, schema: str) -> None:
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


def populate(db: Database, people: int, *, managers: bool, warm_dms: bool) -> str:
    """N people in one workspace and zone, created a month before; bulk inserts. Returns a description."""
    created = NOW - timedelta(days=30)
    with db.unit_of_work() as s:
        ensure_workspace(s, TEAM, "Fan-out bench")
        rows = [dict(team_id=TEAM, slack_user_id=user_id(i), name=user_id(i).lower(), real_name=f"Person {i}",
                     display_name="", tz=ZONE, locale="en-US", is_bot=False, is_deleted=False, is_hr_admin=False,
                     dm_channel_id=f"D{user_id(i)[1:]}" if warm_dms else None, created_at=created,
                     updated_at=created) for i in range(people)]
        for i in range(0, len(rows), 2000):
            s.execute(insert(Person), rows[i:i + 2000])
    if not managers:
        return "no managers"
    from models.one_on_ones import sync_pairs

    with db.unit_of_work() as s:  # one manager for every ten people, and their 1:1 pairs (as bench_tick)
        ids = list(s.scalars(select(Person.id).order_by(Person.id)))
        heads = ids[: max(1, people // 10)]
        by_manager: dict[int, list[int]] = {}
        for i, pid in enumerate(ids[len(heads):]):
            by_manager.setdefault(heads[i % len(heads)], []).append(pid)
        for manager, reports in by_manager.items():
            s.execute(update(Person).where(Person.id.in_(reports)).values(manager_id=manager))
        pairs = sync_pairs(s, TEAM, OrgConfig(), now=created + timedelta(days=10))
    return f"{len(heads)} managers, {pairs}"


# --------------------------------------------------------------------------- 1. compute and enqueue


def bench_tick(db: Database, clock: ManualClock, people: int) -> dict[str, Any]:
    org = OrgConfig()
    with db.unit_of_work() as s:
        ws = s.get(Workspace, TEAM)
        assert ws is not None
        ws.last_tick_at = NOW - timedelta(minutes=1)
    clock.set(NOW)
    started = time.perf_counter()
    with db.unit_of_work() as s:
        report = tick_all(s, org, TEAM, now=NOW)
    elapsed = time.perf_counter() - started
    with db.reading() as s:
        queued = s.scalar(select(func.count()).select_from(OutboxMessage)
                          .where(OutboxMessage.kind == KIND, OutboxMessage.state == "pending")) or 0
        total = s.scalar(select(func.count()).select_from(OutboxMessage)) or 0
    verdict = "ok" if elapsed < TICK_TARGET_S else f"MISSES the {TICK_TARGET_S:.0f} s target"
    print(f"tick: {people} people, compute + enqueue {elapsed:.2f} s ({verdict}); "
          f"{queued} {KIND} rows queued, {total} outbox rows in all ({report})", flush=True)
    return {"tick_seconds": elapsed, "queued": queued, "outbox_rows": total}


# --------------------------------------------------------------------------- 2. deliver


class StandIn:
    """`python -m bench.standin` in its own process."""

    def __init__(self, *, budget: int, users: int, warm_dms: bool, burst_rate: float, latency: float,
                 seed: int) -> None:
        cmd = [sys.executable, "-m", "bench.standin", "--port", "0", "--budget", str(budget), "--users", str(users),
               "--team", TEAM, "--burst-rate", str(burst_rate), "--latency", str(latency), "--seed", str(seed)]
        if warm_dms:
            cmd.append("--open-dms")
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True,
                                     env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the stand-in exited with {self.proc.wait()}")
        self.port = int(json.loads(line)["port"])
        self.url = f"http://127.0.0.1:{self.port}/api/"

    def stats(self, *, ids: bool = False) -> dict[str, Any]:
        url = f"http://127.0.0.1:{self.port}/bench/stats" + ("?ids=1" if ids else "")
        with urllib.request.urlopen(url, timeout=30) as resp:
            found: dict[str, Any] = json.load(resp)
        return found

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.communicate()


def unfinished(db: Database) -> dict[str, int]:
    with db.reading() as s:
        rows = s.execute(select(OutboxMessage.state, func.count()).where(OutboxMessage.kind == KIND)
                         .group_by(OutboxMessage.state)).all()
    return {state: int(n) for state, n in rows}


def bench_send(db: Database, clock: ManualClock, args: argparse.Namespace) -> dict[str, Any]:
    people, budget = args.people, args.budget
    standin = StandIn(budget=budget, users=people, warm_dms=args.warm_dms, burst_rate=args.burst_rate,
                      latency=args.latency, seed=args.seed)
    try:
        gate = RetryAfterGate(clock)
        client: WebClient
        if args.client == "gated":  # as bot.slack.make_client, with the limiter's gate (bot.runtime)
            client = GatedWebClient(token="xoxb-bench", base_url=standin.url, timeout=10, gate=gate,
                                    retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=1)])
        else:
            client = WebClient(token="xoxb-bench", base_url=standin.url)
        sender = OutboxSender(db, client, OrgConfig(), limiter=RateLimiter(gate, per_minute=budget),
                              workers=args.workers, batch=args.batch, clock=clock, team_id=TEAM,
                              renderers=slack_registry().renderers)
        stop = threading.Event()
        thread = threading.Thread(target=sender.run, args=(stop,), name="outbox-sender", daemon=True)
        started = time.perf_counter()
        thread.start()
        states: dict[str, int] = {}
        next_report = started + 10
        while time.perf_counter() - started < args.max_seconds:
            time.sleep(0.25)
            states = unfinished(db)
            if not states.get("pending") and not states.get("sending"):
                break
            if time.perf_counter() >= next_report:
                next_report += 10
                print(f"  … {time.perf_counter() - started:.0f} s: {states}", file=sys.stderr, flush=True)
        elapsed = time.perf_counter() - started
        stop.set()
        sender.kick()
        thread.join(timeout=60)
        stats = standin.stats(ids=True)
    finally:
        standin.stop()

    with db.reading() as s:
        ids = set(s.scalars(select(OutboxMessage.id).where(OutboxMessage.kind == KIND)))
    states = unfinished(db)
    accepted_ids = set(stats.pop("accepted_ids"))
    lost = len(ids - accepted_ids)
    rate = stats["accepted"] / elapsed
    allowed = budget / 60
    floor_s = 60 * math.floor((people - 1) / budget)  # the rolling window lets B go at once, B more 60 s later…
    ratio = rate / allowed
    v = stats["violations"]
    print(f"delivery: {people} DMs, budget {budget}/min, {args.workers} worker(s), batch {args.batch}, "
          f"client {args.client}, stand-in latency {args.latency * 1000:.0f} ms, "
          f"{'warm' if args.warm_dms else 'cold'} DMs", flush=True)
    print(f"  elapsed {elapsed:.1f} s; accepted {stats['accepted']} ({rate:.1f}/s); allowed {allowed:.1f}/s, so "
          f"{people / allowed:.0f} s at best by the rate ({floor_s} s by the rolling window); "
          f"achieved/allowed {ratio:.2f} ({'ok' if ratio >= RATIO_TARGET else f'below {RATIO_TARGET}'})")
    print(f"  429s answered: {stats['answered_429']}; violations: {v} ({'ok' if not any(v.values()) else 'NOT 0'})")
    print(f"  duplicates {stats['duplicates']}, lost {lost}, database states {states}; "
          f"calls {stats['calls']}; protocol errors {stats['protocol_errors']}")
    print(f"  accepted per 10 s: {stats['accepted_per_10s']}")
    if stats["violation_samples"]:
        print(f"  violations, first ones: {stats['violation_samples'][:5]}")
    return {"elapsed": elapsed, "rate": rate, "allowed": allowed, "ratio": ratio, "lost": lost,
            "states": states, **stats}


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fanout", description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--budget", type=int, default=3000, help="posts per rolling 60 s (stand-in and sender)")
    parser.add_argument("--workers", type=int, default=4, help="sender threads")
    parser.add_argument("--batch", type=int, default=50, help="rows per claim")
    parser.add_argument("--client", choices=("gated", "plain"), default="gated")
    parser.add_argument("--burst-rate", type=float, default=0.1, help="share of posts the stand-in answers 429")
    parser.add_argument("--latency", type=float, default=0.0, help="stand-in answer delay, seconds")
    parser.add_argument("--warm-dms", action="store_true", help="DM channels known (no conversations.open)")
    parser.add_argument("--no-managers", dest="managers", action="store_false",
                        help="no org chart (by default one manager per ten people, with 1:1 pairs)")
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument("--max-seconds", type=float, default=900, help="give up delivering after this")
    parser.add_argument("--skip-send", action="store_true", help="stop after the tick")
    parser.add_argument("--postgres", default=os.environ.get("CANDOR_TEST_POSTGRES_URL", DEFAULT_PG))
    parser.add_argument("--schema", default=SCHEMA)
    parser.add_argument("--keep-schema", action="store_true", help="leave the schema for a look afterwards")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the cleanup: stop the stand-in, drop the schema

    started = time.perf_counter()
    url = schema_url(args.postgres, args.schema)
    clock = ManualClock(NOW)
    db = Database(url, clock=clock)
    try:
        db.upgrade()
        chart = populate(db, args.people, managers=args.managers, warm_dms=args.warm_dms)
        print(f"setup: schema {args.schema}, {args.people} people in {ZONE} ({chart}), "
              f"{time.perf_counter() - started:.1f} s", flush=True)
        figures: dict[str, Any] = {"people": args.people, "tick": bench_tick(db, clock, args.people)}
        ok = figures["tick"]["queued"] == args.people
        if not args.skip_send and ok:
            sent = figures["send"] = bench_send(db, clock, args)
            ok = (sent["states"] == {"sent": args.people} and sent["lost"] == 0 and sent["duplicates"] == 0
                  and not any(sent["violations"].values()))
    finally:
        db.dispose()
        if not args.keep_schema:
            drop_schema(args.postgres, args.schema)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, default=str))
    assert figures["tick"]["queued"] == args.people, f"{figures['tick']['queued']} rows queued, not {args.people}"
    print(f"fan-out: {'all delivered once' if ok else 'FAILED (see above)'}; "
          f"whole run {time.perf_counter() - started:.0f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
