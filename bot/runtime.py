"""A running Candor process: settings → store → Slack client → Bolt app → sender and scheduler."""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Iterable
from contextlib import AbstractContextManager
from datetime import timedelta
from functools import cached_property
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from slack_bolt import App
from sqlalchemy import text
from sqlalchemy.orm import Session

from bot import events, home
from bot.app import build_app
from bot.db import Database
from bot.delivery import OutboxSender, RateLimiter
from bot.registry import SlackRegistry
from bot.sealed import Sealer
from bot.services import Services
from bot.settings import Settings
from bot.slack import RedactingFilter, RetryAfterGate, SlackDirectory, make_client, quiet_libraries
from handlers import digest
from models.core.clock import SYSTEM, Clock
from models.core.config import OrgConfig
from models.core.features import Feature
from models.features import FEATURES
from models.people import ensure_workspace
from scheduler.jobs import all_jobs
from scheduler.runner import start_scheduler

log = logging.getLogger(__name__)


def setup_logging(level: str) -> None:
    """Log at `level`, with no token and no personal content in any line: libraries that log bodies are
    kept at INFO or above, and every handler drops exception messages (see `bot.slack.RedactingFilter`)."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger().setLevel(level)
    quiet_libraries()
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())


def slack_registry(features: Iterable[Feature] = FEATURES) -> SlackRegistry:
    """Every feature's Slack side (its `handlers` package, named by `Feature.slack`), in list order, and the
    App Home's own, which shows the features' Home sections."""
    sides = [importlib.import_module(f.slack).SLACK for f in features if f.slack]
    return SlackRegistry.of([*sides, digest.SLACK, home.side(SlackRegistry.of(sides).home)])


class Runtime:
    """Owns every long-lived object of the process. Build once; `start_background()`; `stop()`."""

    def __init__(self, settings: Settings, org: OrgConfig | None = None, *, socket_mode: bool | None = None,
                 clock: Clock = SYSTEM) -> None:
        self.settings = settings
        self.org = org if org is not None else settings.org()
        self.socket_mode = settings.mode == "socket" if socket_mode is None else socket_mode
        self.clock = clock  # the one clock: the database, the sender, the scheduler and every listener use it
        self.db = Database(settings.database_url, clock=clock)
        self.gate = RetryAfterGate(clock)  # one Retry-After state for every Web API call of this process
        self.client = make_client(settings, gate=self.gate)
        # Every feature's Slack side (listeners, renderers, Home sections, event handlers), from the one list
        # of features, and the App Home's own.
        self.slack = slack_registry()
        self.services = Services(settings=settings, org=self.org, db=self.db, client=self.client, clock=clock,
                                 sealer=Sealer.from_settings(settings))
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.scheduler: BackgroundScheduler | None = None
        self._team_id: str | None = None

    def prepare_database(self) -> None:
        if self.settings.auto_migrate:
            self.db.upgrade()
        elif self.db.current_revision() != self.db.head_revision():
            raise RuntimeError(
                f"database is at revision {self.db.current_revision()}, code expects {self.db.head_revision()}: "
                "run `candor db upgrade` (CANDOR_AUTO_MIGRATE is off)"
            )

    @cached_property
    def sender(self) -> OutboxSender:
        sender = OutboxSender(
            self.db,
            self.client,
            self.org,
            limiter=RateLimiter(self.gate, per_minute=self.settings.rate_per_minute),
            lease=timedelta(seconds=self.settings.outbox_lease_seconds),
            workers=self.settings.sender_workers,
            default_locale=self.settings.default_locale,
            keys=self.services.sealer.derive,
            clock=self.clock,
            renderers=self.slack.renderers,
        )
        self.services.kick_outbox = sender.kick
        return sender

    @cached_property
    def app(self) -> App:
        _ = self.sender  # wire kick_outbox before listeners run
        return build_app(self.services, self.slack, socket_mode=self.socket_mode)

    def team_id(self) -> str:
        if self._team_id is None:
            answer = self.client.auth_test()
            team_id = str(answer["team_id"])
            # The workspace row exists before the first request: a burst of requests on a fresh install
            # would otherwise all wait for whichever of them inserted it first.
            with self.db.unit_of_work() as session:
                ensure_workspace(session, team_id, str(answer.get("team") or ""))
            self._team_id = team_id
            self.sender.team_id = team_id  # the sender shares this process's Retry-After windows for it
        return self._team_id

    # -- what a job gets (models.core.features.JobContext) ------------------------------------------------

    def unit_of_work(self) -> AbstractContextManager[Session]:
        return self.services.unit_of_work()

    @property
    def directory(self) -> SlackDirectory:
        return self.services.directory

    # -- what the infrastructure's jobs ask (scheduler.jobs.Host) --------------------------------------------

    def drain_outbox(self, max_seconds: float) -> str:
        done = self.sender.drain(max_seconds=max_seconds)
        return f"sent {done.sent}, dead {done.dead}, retried {done.retried}, skipped {done.skipped}"

    def replay_events(self, older_than: timedelta) -> int:
        return events.replay(self.services, self.slack.events, older_than=older_than)

    def run_job(self, name: str) -> str:
        job = all_jobs()[name]
        result = (job.run_now or job.run)(self)
        log.info("job %s: %s", name, result)
        return result

    def start_background(self) -> None:
        """Start the outbox sender thread and the scheduler (when enabled for this process)."""
        if not self.settings.scheduler:
            log.info("scheduler and sender disabled in this process (CANDOR_SCHEDULER=false)")
            return
        sender_thread = threading.Thread(target=self.sender.run, args=(self._stop,), name="outbox-sender", daemon=True)
        sender_thread.start()
        self._threads.append(sender_thread)
        self.scheduler = start_scheduler(self, self.db, self._stop)
        # Mirror the directory once at startup (then nightly), without delaying the start.
        self.scheduler.add_job(self._startup_sync, id="_startup_people_sync", name="people sync at startup")

    def _startup_sync(self) -> None:
        try:
            log.info("startup people sync: %s", self.run_job("people_sync"))
        except Exception:
            log.exception("startup people sync failed; the nightly job will try again")

    def stop(self) -> None:
        self._stop.set()
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        for thread in self._threads:
            thread.join(timeout=5)
        self.db.dispose()

    def health(self) -> dict[str, Any]:
        with self.db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return {"ok": True, "database": self.db.engine.dialect.name, "mode": "socket" if self.socket_mode else "http"}
