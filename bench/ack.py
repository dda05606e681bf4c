"""The ack-path benchmark: Candor under the documented production server against a bare Bolt app with no-op
listeners (bench/bare_app.py) under the same server and settings, on SQLite and on PostgreSQL.

Requests, in turn: a signed `/kudos` between two people already in the directory (a new trigger id and text
each time, so each is a new kudos), a click on a check-in's "Fill in" button (Candor opens the modal with
`views.open` before it answers), and a submission of that check-in modal (Candor saves the answer). Each
server gets two loads: 16 connections sending back to back (throughput), then a fixed 100 requests a second
(latency, measured from when each request was due). Slack is a fake Web API in a process of its own; the
sender runs in the worker as in production, so its deliveries are part of the load.

The figures that matter are ratios within one run (Candor / bare), because machines are noisy. The resident
memory of the worker process is read from /proc when idle (started, before any request) and after the loads.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import httpx
from sqlalchemy import create_engine, func, make_url, select, text

from bench.load import Reply, Request, Run, closed_loop, open_loop, sequential
from handlers.checkins.ids import CheckinIds
from models.core.clock import SYSTEM

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TEAM = "T0BENCH"
SECRET = "bench-signing-secret"  # noqa: S105 (a stand-in for the benchmark)
TOKEN = "xoxb-bench-token"  # noqa: S105
PEOPLE = 2000
FORMS = 300  # people whose check-in form is opened once before the loads, so submissions have a real form
ZONE = "Europe/Berlin"
PG_SCHEMA = "candor_bench_ack"
_SERIAL = itertools.count(1)  # trigger ids and texts stay new across the servers that share one fake Slack


def uid(i: int) -> str:
    return f"U{i:08d}"


@dataclass(frozen=True)
class Server:
    """How the server runs: the README's production command."""

    workers: int = 1
    threads: int = 8

    def describe(self) -> str:
        return f"gunicorn --workers {self.workers} --threads {self.threads}"


# -- the fake Slack, in a process of its own ------------------------------------------------------------


def serve_fake_slack() -> None:
    """`python -m bench.ack fake-slack`: print the URL, then answer `views` (the check-in forms opened so far,
    user → private_metadata, as one JSON line) and `quit` on stdin."""
    from tests.fake_slack import FakeSlack

    fake = FakeSlack(team_id=TEAM)
    for i in range(PEOPLE):
        fake.add_user(uid(i), name=f"person{i}", real_name=f"Person {i}", tz=ZONE)
    fake.start()
    print(fake.url, flush=True)
    for line in sys.stdin:
        if line.strip() == "views":
            forms: dict[str, str] = {}
            for call in fake.calls_to("views.open"):
                view = call.params.get("view")
                view = json.loads(view) if isinstance(view, str) else view
                if isinstance(view, dict) and view.get("callback_id") == CheckinIds.MODAL:
                    forms[str(call.params.get("trigger_id", ""))] = str(view.get("private_metadata") or "")
            print(json.dumps({"forms": forms, "calls": len(fake.calls),
                              "posted": len(fake.calls_to("chat.postMessage"))}), flush=True)
        elif line.strip() == "quit":
            break
    fake.stop()


@contextmanager
def fake_slack() -> Iterator[tuple[str, subprocess.Popen[str]]]:
    proc = subprocess.Popen([sys.executable, "-m", "bench.ack", "fake-slack"], cwd=ROOT, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert proc.stdout is not None and proc.stdin is not None
    url = proc.stdout.readline().strip()
    try:
        yield url, proc
    finally:
        proc.stdin.write("quit\n")
        proc.stdin.flush()
        proc.wait(timeout=10)


def ask_fake(proc: subprocess.Popen[str]) -> dict[str, Any]:
    assert proc.stdout is not None and proc.stdin is not None
    proc.stdin.write("views\n")
    proc.stdin.flush()
    answer: dict[str, Any] = json.loads(proc.stdout.readline())
    return answer


# -- the databases --------------------------------------------------------------------------------------


def postgres_base() -> str:
    return os.environ.get("CANDOR_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def fresh_database(kind: str, tmp: Path) -> str:
    """A migrated, empty database with the workspace and its PEOPLE in the directory; its URL."""
    from bot.db import Database
    from models.core.tables import Person
    from models.people import ensure_workspace

    if kind == "sqlite":
        url = f"sqlite:///{tmp / 'bench.db'}"
    else:
        admin = create_engine(postgres_base(), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{PG_SCHEMA}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{PG_SCHEMA}"'))
        admin.dispose()
        url = make_url(postgres_base()).update_query_dict({"options": f"-csearch_path={PG_SCHEMA}"}).render_as_string(
            hide_password=False)
    db = Database(url)
    db.upgrade()
    now = SYSTEM.now()
    with db.unit_of_work() as s:
        ensure_workspace(s, TEAM, "Bench")
        s.add_all(Person(team_id=TEAM, slack_user_id=uid(i), name=f"person{i}", real_name=f"Person {i}", tz=ZONE,
                         locale="en-US", synced_at=now, created_at=now - timedelta(days=60)) for i in range(PEOPLE))
    db.dispose()
    return url


def database_counts(url: str) -> dict[str, int]:
    from bot.db import Database
    from models.checkins.tables import Checkin
    from models.kudos.tables import Kudos

    db = Database(url)
    with db.unit_of_work() as s:
        counts = {"kudos": s.scalar(select(func.count()).select_from(Kudos)) or 0,
                  "checkins": s.scalar(select(func.count()).select_from(Checkin)) or 0}
    db.dispose()
    return counts


def current_period() -> str:
    from models.checkins import current_period as period_at
    from models.core.config import OrgConfig
    from models.core.prompts import pattern_for
    from models.core.tables import Person

    org = OrgConfig()
    period = period_at(org.checkins, pattern_for(Person(tz=ZONE), org), SYSTEM.now())
    assert period is not None
    return period


# -- requests as Slack sends them ------------------------------------------------------------------------


class Requests:
    """Builds each request when it is sent: signed now, with a trigger id never used before."""

    def __init__(self, period: str) -> None:
        refs = ROOT / "tests" / "slack_refs" / "payloads"
        self._samples = {name: json.loads((refs / name).read_text())["body"]
                         for name in ("slash_command.parsed.json", "block_actions.json", "view_submission.json")}
        for body in self._samples.values():
            team = body.get("team")
            if isinstance(team, dict):
                team.pop("enterprise_id", None)
                team.pop("enterprise_name", None)
                team["id"] = TEAM
            for key in ("enterprise", "is_enterprise_install", "enterprise_id", "enterprise_name"):
                body.pop(key, None)
        self.period = period
        self.forms: dict[str, str] = {}
        self.triggers: dict[str, str] = {}  # trigger id → who clicked
        self._n = _SERIAL
        self._turn = itertools.cycle(("kudos", "open", "submit"))

    def _signed(self, kind: str, body: str) -> Request:
        ts = str(int(SYSTEM.now().timestamp()))
        digest = hmac.new(SECRET.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
        return Request(kind, body.encode(), {"Content-Type": "application/x-www-form-urlencoded",
                                             "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"})

    def _user(self, body: dict[str, Any], user: str) -> None:
        body["user"] = {"id": user, "username": f"p{user}", "name": f"p{user}", "team_id": TEAM}

    def kudos(self) -> Request:
        n = next(self._n)
        giver, receiver = uid(n % PEOPLE), uid((n * 7 + 1) % PEOPLE)
        if giver == receiver:
            receiver = uid((n + 1) % PEOPLE)
        body = dict(self._samples["slash_command.parsed.json"])
        body.update(command="/kudos", text=f"<@{receiver}> for the calm launch and the clear runbook, number {n}",
                    user_id=giver, user_name=f"p{giver}", team_id=TEAM, channel_id="C0GENERAL",
                    trigger_id=f"{n}.{n}.bench{n}", response_url=f"https://hooks.slack.com/commands/{TEAM}/{n}/x")
        return self._signed("kudos", urlencode(body))

    def open(self, user: str | None = None) -> Request:
        n = next(self._n)
        body = copy.deepcopy(self._samples["block_actions.json"])
        user = user or uid(n % PEOPLE)
        self._user(body, user)
        body["trigger_id"] = f"{n}.{n}.bench{n}"
        self.triggers[body["trigger_id"]] = user
        body["actions"] = [{"action_id": CheckinIds.OPEN.value, "block_id": "b", "type": "button",
                            "value": self.period, "text": {"type": "plain_text", "text": "Fill in"},
                            "action_ts": f"{SYSTEM.now().timestamp():.6f}"}]
        return self._signed("open", "payload=" + quote(json.dumps(body)))

    def submit(self) -> Request:
        n = next(self._n)
        users = sorted(self.forms)
        user = users[n % len(users)]
        body = copy.deepcopy(self._samples["view_submission.json"])
        self._user(body, user)
        body["trigger_id"] = f"{n}.{n}.bench{n}"

        def typed(value: str) -> dict[str, Any]:
            return {"answer": {"type": "plain_text_input", "value": value}}

        values = {"q_wins": typed(f"Shipped the billing migration, step {n}"), "q_blockers": typed(""),
                  "q_next_steps": typed("Start on invoices"),
                  "q_week": {"answer": {"type": "radio_buttons", "selected_option": {"value": "4"}}}}
        body["view"].update(id=f"VB{n:08d}", team_id=TEAM, callback_id=CheckinIds.MODAL.value,
                            private_metadata=self.forms[user], state={"values": values})
        return self._signed("submit", "payload=" + quote(json.dumps(body)))

    def next(self) -> Request:
        kind = next(self._turn)
        return self.kudos() if kind == "kudos" else self.open() if kind == "open" else self.submit()


def answered(reply: Reply, candor: bool) -> bool:
    """Did the person get what they asked for? (The bare app only acknowledges.)"""
    if reply.status != 200:
        return False
    if not candor:
        return True
    if reply.kind == "kudos":
        return b"Kudos sent" in reply.body
    if reply.kind == "submit":
        return f"{CheckinIds.MODAL}_saved".encode() in reply.body
    return not reply.body.strip() or reply.body.strip() == b"{}"


# -- the servers -----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def worker_pids(master: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == master:
                pids.append(int(entry.name))
    return pids


@dataclass
class Measured:
    name: str
    runs: list[Run] = field(default_factory=list)
    rss_idle: float = 0.0
    rss_after: float = 0.0
    checks: list[str] = field(default_factory=list)


@contextmanager
def serving(app: str, env: dict[str, str], server: Server) -> Iterator[tuple[int, int]]:
    port = free_port()
    log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)  # noqa: SIM115
    proc = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", str(server.workers), "--threads", str(server.threads),
         "--bind", f"127.0.0.1:{port}", "--graceful-timeout", "10", app],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{app} did not start:\n{Path(log.name).read_text()[-3000:]}")
            time.sleep(0.2)
        try:
            yield proc.pid, port
        except BaseException:
            print(Path(log.name).read_text()[-4000:], file=sys.stderr)
            raise
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        Path(log.name).unlink(missing_ok=True)


def measure(name: str, app: str, env: dict[str, str], server: Server, fake: subprocess.Popen[str], *,
            candor: bool, seconds: float, rate: float, connections: int, db_url: str | None) -> Measured:
    result = Measured(name)
    requests = Requests(current_period())
    with serving(app, env, server) as (master, port):
        time.sleep(1)
        result.rss_idle = sum(rss_mb(p) for p in worker_pids(master)) / server.workers
        # Each of FORMS people opens their check-in form once (also the warm-up); submissions reuse the form.
        opened = sequential("127.0.0.1", port, [requests.open(uid(i)) for i in range(FORMS)])
        if candor:
            forms = ask_fake(fake)["forms"]
            requests.forms = {requests.triggers[t]: meta for t, meta in forms.items()
                              if meta and t in requests.triggers}
            assert len(requests.forms) >= FORMS // 2, f"only {len(requests.forms)} check-in forms opened"
        else:
            requests.forms = {uid(i): "" for i in range(FORMS)}
        bad = [(r.status, r.body[:300]) for r in opened if r.status != 200]
        assert not bad, f"{name}: {len(bad)} of {len(opened)} clicks failed, e.g. {bad[:2]}"
        before = database_counts(db_url) if db_url else None
        profiler = None
        if os.environ.get("BENCH_PROFILE"):  # a py-spy profile of the worker under the closed loop
            out = Path(os.environ["BENCH_PROFILE"]) / f"{name.replace(' ', '').replace(',', '-')}.txt"
            profiler = subprocess.Popen([str(BIN / "py-spy"), "record", "--nonblocking", "--format", "raw",
                                         "-o", str(out), "-d", str(int(seconds)), "-p", str(worker_pids(master)[0])],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        result.runs.append(closed_loop(f"{connections} connections", "127.0.0.1", port, requests.next,
                                       connections=connections, seconds=seconds))
        if profiler is not None:
            profiler.wait()
        result.runs.append(open_loop(f"{rate:.0f} req/s", "127.0.0.1", port, requests.next,
                                     connections=connections, seconds=seconds, rate=rate))
        result.rss_after = sum(rss_mb(p) for p in worker_pids(master)) / server.workers
    if db_url and before is not None:
        after = database_counts(db_url)
        sent = sum(1 for run in result.runs for r in run.replies if r.kind == "kudos" and answered(r, True))
        made = after["kudos"] - before["kudos"]
        result.checks.append(f"kudos acknowledged {sent}, kudos in the database {made}")
        assert made == sent, f"{name}: {sent} kudos acknowledged but {made} recorded"
    return result


# -- the report ------------------------------------------------------------------------------------------


def row(m: Measured, run: Run, candor: bool, base: float | None) -> str:
    ok = [r for r in run.replies if answered(r, candor)]
    lat = run.latencies()
    failed = len(run.replies) - len(ok) + run.errors
    tput = len(ok) / run.seconds
    ratio = f"{tput / base:.2f}×" if base else "1.00×"
    over = sum(1 for v in lat if v > 1.0)
    per_kind = " ".join(
        f"{k} {Run.quantile(run.latencies(k), 0.99) * 1000:.0f}" for k in ("kudos", "open", "submit"))
    return (f"| {m.name} | {run.label} | {tput:.0f} | {ratio} | {Run.quantile(lat, 0.5) * 1000:.0f} | "
            f"{Run.quantile(lat, 0.99) * 1000:.0f} | {lat[-1] * 1000 if lat else float('nan'):.0f} | {over} | "
            f"{failed} | {per_kind} |")


# The README's command first, then one worker per core (PostgreSQL only: with SQLite every process would lead
# the scheduler and keep its own sending budget, so SQLite runs one process).
SERVERS = ((Server(1, 8), ("sqlite", "postgresql")), (Server(2, 4), ("postgresql",)))


def ok_rate(run: Run, candor: bool) -> float:
    return len([r for r in run.replies if answered(r, candor)]) / run.seconds


def main(argv: list[str]) -> list[str]:
    seconds = float(argv[0]) if argv else 10.0
    rate, connections = 100.0, 16
    lines: list[str] = []
    results: list[tuple[Server, Measured, Measured]] = []  # (server, bare, candor)
    with fake_slack() as (fake_url, fake), tempfile.TemporaryDirectory() as tmp:
        common = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CANDOR_", "DATABASE_URL"))}
        common.update(SLACK_BOT_TOKEN=TOKEN, SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=fake_url,
                      CANDOR_AUTO_MIGRATE="false", PYTHONPATH=str(ROOT))
        for server, databases in SERVERS:
            bare = measure(f"bare Bolt, {server.workers}×{server.threads}", "bench.bare_app:application", common,
                           server, fake, candor=False, seconds=seconds, rate=rate, connections=connections,
                           db_url=None)
            for kind in databases:
                place = Path(tmp, f"{kind}-{server.workers}x{server.threads}")
                place.mkdir()
                url = fresh_database(kind, place)
                label = f"Candor, {'SQLite' if kind == 'sqlite' else 'PostgreSQL'}, {server.workers}×{server.threads}"
                m = measure(label, "bot.wsgi:application", {**common, "DATABASE_URL": url}, server, fake,
                            candor=True, seconds=seconds, rate=rate, connections=connections, db_url=url)
                results.append((server, bare, m))
    lines.append(f"Ack path under gunicorn (workers × threads), {PEOPLE} people in the directory, requests in turn: "
                 f"/kudos, check-in \"Fill in\" (views.open), check-in submission; {seconds:.0f} s per load; "
                 f"the outbox sender runs in each worker as in production.")
    lines.append("")
    lines.append("| app | load | ok req/s | vs bare | p50 ms | p99 ms | max ms | >1 s | failed | p99 ms by kind |")
    lines.append("|---|---|---|---|---|---|---|---|---|---|")
    shown: set[str] = set()
    for _, bare, m in results:
        if bare.name not in shown:
            shown.add(bare.name)
            lines += [row(bare, run, False, None) for run in bare.runs]
        base = {run.label: ok_rate(run, False) for run in bare.runs}
        lines += [row(m, run, True, base[run.label]) for run in m.runs]
    lines.append("")
    lines.append("| app | RSS per worker, idle | RSS per worker, after the loads |")
    lines.append("|---|---|---|")
    for name, idle, after in dict.fromkeys((x.name, x.rss_idle, x.rss_after) for _, bare, m in results
                                           for x in (bare, m)):
        lines.append(f"| {name} | {idle:.0f} MB | {after:.0f} MB |")
    lines.append("")
    lines.append("Targets:")
    for _, bare, m in results:
        closed, fixed = m.runs
        ratio = ok_rate(closed, True) / ok_rate(bare.runs[0], False)
        lat = fixed.latencies()
        p99, worst = Run.quantile(lat, 0.99), (lat[-1] if lat else float("nan"))
        verdict = [f"throughput {ratio:.2f}× bare ({'met' if ratio >= 0.5 else 'MISSED'}: ≥ 0.5×)",
                   f"p99 at {rate:.0f} req/s {p99 * 1000:.0f} ms ({'met' if p99 < 0.1 else 'MISSED'}: < 100 ms)",
                   f"slowest {worst * 1000:.0f} ms ({'met' if worst <= 1.0 else 'MISSED'}: none over 1 s)",
                   f"RSS {m.rss_after:.0f} MB ({'met' if m.rss_after < 150 else 'MISSED'}: < 150 MB)"]
        lines.append(f"- {m.name}: " + "; ".join(verdict) + ".")
    lines.append("")
    lines += [f"{m.name}: {check}." for _, _, m in results for check in m.checks]
    return lines


if __name__ == "__main__":
    if sys.argv[1:2] == ["fake-slack"]:
        serve_fake_slack()
    else:
        print("\n".join(main(sys.argv[1:])))
