"""Test harness: real SQLite and PostgreSQL, a fake Slack Web API over HTTP, the real app over HTTP.

PostgreSQL: `CANDOR_TEST_POSTGRES_URL` (default: postgres@127.0.0.1:5432/test, trust auth). Every test
that uses the `db_url` fixture runs on both databases. If PostgreSQL is unreachable the PostgreSQL tests
FAIL (never skip) unless `CANDOR_TEST_POSTGRES=off` is set outside CI.
Each xdist worker gets its own schema; tables are emptied after each test.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bot.db import Database
from bot.delivery import Outcome
from bot.runtime import Runtime
from bot.settings import Settings
from models.core.base import Base
from models.core.clock import ManualClock
from models.core.config import OrgConfig
from tests.fake_slack import FakeSlack
from tests.slack_requests import SlackRequests

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TEAM = "T0CANDOR"
SECRET = "test-signing-secret-0123456789"
KUDOS_CHANNEL = "C0KUDOS"
GENERAL = "C0GENERAL"

# The people every app test can use.
ANA, LI, BOB, CARA, BOT, GONE = "U0ANA", "U0LI", "U0BOB", "U0CARA", "U0BOTUSER", "U0GONE"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--clock-at", default=os.environ.get("CANDOR_TEST_CLOCK_AT") or None, metavar="ISO-MOMENT",
        help="run with the process clock (time.time, datetime.now, in every thread) shifted to this moment and "
        "ticking from there: proves that no test depends on today's date (`make pytest-shifted`)",
    )


def pytest_configure(config: pytest.Config) -> None:
    """With --clock-at, shift the process clock with time-machine before any test runs (also in each xdist
    worker). time-machine patches the C functions behind time.time() and datetime.now(), so code that read
    the wall clock anywhere (our own, SQLAlchemy, Bolt's signature check, the signed test requests) sees the
    shifted moment, while time.monotonic() — timeouts, rate-limit windows — runs on untouched."""
    moment = config.getoption("--clock-at")
    if not moment or os.environ.get("TEST_CLOCK_SHIFT_SECONDS"):
        return  # not shifted; or an xdist worker, which tests/clockshift/sitecustomize.py shifted at its start
    import time_machine

    at = datetime.fromisoformat(moment)
    if at.tzinfo is None:
        raise pytest.UsageError(f"--clock-at needs a moment with its UTC offset, such as {moment}+00:00")
    shift = (at - datetime.now(UTC)).total_seconds()
    traveller = time_machine.travel(at, tick=True)
    traveller.start()
    config.add_cleanup(traveller.stop)
    # Processes a test starts (`candor run`, sender processes) shift by the same amount, from their start.
    os.environ["TEST_CLOCK_SHIFT_SECONDS"] = f"{shift:.6f}"
    here = str(Path(__file__).resolve().parent / "clockshift")
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (here, os.environ.get("PYTHONPATH")) if p)


def pytest_report_header(config: pytest.Config) -> str | None:
    moment = config.getoption("--clock-at")
    return f"process clock shifted to {moment} (time-machine, ticking)" if moment else None


def _pg_enabled() -> bool:
    off = os.environ.get("CANDOR_TEST_POSTGRES", "").lower() in ("off", "0", "no", "false")
    if off and os.environ.get("CI"):
        raise RuntimeError("CANDOR_TEST_POSTGRES=off is not allowed in CI: PostgreSQL tests must run")
    return not off


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _pg_enabled():
        return
    skip = pytest.mark.skip(reason="CANDOR_TEST_POSTGRES=off")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def worker(request: pytest.FixtureRequest) -> str:
    return str(getattr(request.config, "workerinput", {}).get("workerid", "main"))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    db = Database(f"sqlite:///{path}")
    db.upgrade()
    db.dispose()
    return path


@pytest.fixture(scope="session")
def pg_schema_url(worker: str) -> Iterator[str]:
    """A PostgreSQL schema of our own, migrated once per test session."""
    base = os.environ.get("CANDOR_TEST_POSTGRES_URL", DEFAULT_PG)
    schema = f"candor_test_{worker}_{os.getpid()}"  # unique per run: parallel runs never collide
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # pragma: no cover - environment problem, reported loudly
        pytest.fail(
            f"PostgreSQL is not reachable at {make_url(base).render_as_string(hide_password=True)} ({exc!r}). "
            "Start it, set CANDOR_TEST_POSTGRES_URL, or (outside CI only) CANDOR_TEST_POSTGRES=off."
        )
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    )
    db = Database(url)
    db.upgrade()
    db.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


def _truncate_pg(url: str) -> None:
    engine = create_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "candor.db"
        shutil.copy(template, path)
        yield f"sqlite:///{path}"
    else:
        url: str = request.getfixturevalue("pg_schema_url")
        try:
            yield url
        finally:
            _truncate_pg(url)


@pytest.fixture
def pg_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """PostgreSQL only, for behaviour SQLite does not have (advisory locks, SKIP LOCKED, replicas)."""
    request.applymarker(pytest.mark.postgres)
    url: str = request.getfixturevalue("pg_schema_url")
    try:
        yield url
    finally:
        _truncate_pg(url)


@pytest.fixture
def clock() -> ManualClock:
    """The test's clock: the real now, running on, until the test sets it (`clock.set(FRIDAY)`). The
    database and the app use it for every "now"."""
    return ManualClock()


@pytest.fixture
def db(db_url: str, clock: ManualClock) -> Iterator[Database]:
    database = Database(db_url, clock=clock)
    yield database
    database.dispose()


@pytest.fixture
def session(db: Database) -> Iterator[Session]:
    with db.unit_of_work() as s:
        yield s


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack(team_id=TEAM, team_name="Candor Test", bot_user_id="U0CANDORBOT") as server:
        server.add_user(ANA, name="ana", real_name="Ana Silva", email="ana@example.com", tz="Europe/Lisbon")
        server.add_user(LI, name="li", real_name="Li Wei", email="li@example.com", tz="Asia/Shanghai", locale="de-DE")
        server.add_user(BOB, name="bob", real_name="Bob Stone", email="bob@example.com", tz="America/New_York")
        server.add_user(CARA, name="cara", real_name="Cara Diaz", email="cara@example.com", tz="America/Los_Angeles")
        server.add_user(BOT, name="buildbot", real_name="Build Bot", is_bot=True)
        server.add_user(GONE, name="gone", real_name="Gone Person", email="gone@example.com", deleted=True)
        server.add_channel(KUDOS_CHANNEL, "kudos")
        server.add_channel(GENERAL, "general")
        yield server
        assert server.protocol_errors == [], f"the app misused Slack's API: {server.protocol_errors}"


def make_org(**kudos: Any) -> OrgConfig:
    """The tests' organisation. Pulse surveys are off here (on by default in production) so that the other
    features' tests count only their own prompts; the pulse tests turn them on."""
    return OrgConfig.model_validate(
        {
            "kudos": {"announce": "channel", "channel": KUDOS_CHANNEL, **kudos},
            "hr": {"admins": ["U0HR"], "digest_channel": "C0HR"},
            "pulse": {"enabled": False},
        }
    )


@dataclass
class Candor:
    """The real app, serving HTTP on a free port, wired to the fake Slack and a real database."""

    rt: Runtime
    fake: FakeSlack
    slack: SlackRequests
    base_url: str

    @property
    def clock(self) -> ManualClock:
        """The app's one clock (the sender, the scheduler, every listener and the database read it)."""
        assert isinstance(self.rt.clock, ManualClock)
        return self.rt.clock

    def drain(self) -> Outcome:
        return self.rt.sender.drain(max_seconds=20)

    def drain_until(self, predicate: Any, timeout: float = 10.0) -> None:
        """Deliver the outbox until `predicate()` holds (event listeners run after Bolt's ack, on a thread)."""
        deadline = time.monotonic() + timeout
        while True:
            self.drain()
            if predicate():
                return
            if time.monotonic() > deadline:
                raise AssertionError("condition not reached: outbox and events still busy")
            time.sleep(0.05)

    def session(self) -> Session:
        return self.rt.db.sessions()


def start_candor(db_url: str, fake: FakeSlack, org: OrgConfig | None = None, *, clock: ManualClock | None = None,
                 **settings: Any) -> tuple[Candor, Any]:
    from bot.wsgi import serve

    config = Settings(
        _env_file=None,
        slack_bot_token="xoxb-test-token",
        slack_signing_secret=SECRET,
        database_url=db_url,
        slack_api_url=fake.url,
        auto_migrate=False,
        scheduler=False,
        **settings,
    )
    rt = Runtime(config, org or make_org(), socket_mode=False, clock=clock or ManualClock())
    rt.prepare_database()
    server = serve(rt, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    return Candor(rt=rt, fake=fake, slack=SlackRequests(base, SECRET, TEAM), base_url=base), server


@pytest.fixture
def org() -> OrgConfig:
    return make_org()


@pytest.fixture
def candor(db_url: str, fake: FakeSlack, org: OrgConfig, clock: ManualClock) -> Iterator[Candor]:
    app, server = start_candor(db_url, fake, org, clock=clock)
    yield app
    slow = [(status, round(sec, 2)) for status, sec, _ in app.slack.responses if sec >= 2.5]
    assert not slow, f"Slack gives up after 3 s; these requests took too long: {slow}"
    lost = [status for status, _, unhandled in app.slack.responses if unhandled]
    assert not lost, "a request came back 'unhandled' (a lost ack, or no listener)"
    server.shutdown()
    server.server_close()
    app.slack.close()
    app.rt.stop()
