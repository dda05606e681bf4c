"""The Bolt app: wiring only. Features register their listeners from `handlers/`."""

from __future__ import annotations

import contextvars
import json
import logging
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk.errors import SlackApiError
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import budget as budgets
from bot import events
from bot.budget import BudgetExceeded
from bot.db import Database
from bot.i18n import Translator, translator
from bot.registry import SlackRegistry
from bot.sealed import Sealer
from bot.settings import Settings
from bot.slack import GatedWebClient, SlackDirectory, describe_exception
from bot.text import USER_MENTION
from models.core.clock import SYSTEM, Clock
from models.core.config import OrgConfig
from models.core.ports import Directory, DirectoryUnavailable, KnownDirectory, SlackUser
from models.core.tables import Person
from models.people import ensure_people, person_by_slack_id

log = logging.getLogger(__name__)

# A request looks people up in Slack only while this much of its budget is left for the rest of its work.
LOOKUP_RESERVE = 1.2
LOOKUP_TIMEOUT = 1.0  # seconds per users.info call on the request path
LOOKUPS_MAX = 50
# How long a call on the request path waits for the answer to another call to the same method (one call per
# method is in flight at a time, see `bot.slack.RetryAfterGate`); an optional lookup waits less.
REQUEST_QUEUE_WAIT = 0.5
LOOKUP_QUEUE_WAIT = 0.25


@dataclass
class Services:
    """What listeners and jobs need. Built once per process; no global state."""

    settings: Settings
    org: OrgConfig
    db: Database
    client: GatedWebClient
    sealer: Sealer
    slack: SlackRegistry
    clock: Clock = SYSTEM
    kick_outbox: Callable[[], None] = field(default=lambda: None)
    directory_page_interval: float = 3.0  # users.list is Tier 2: seconds between pages
    directory_page_size: int = 200  # members per users.list page

    @property
    def directory(self) -> SlackDirectory:
        """Slack's directory for jobs (they may wait out rate limits)."""
        return SlackDirectory(self.client, page_size=self.directory_page_size,
                              page_interval=self.directory_page_interval)

    def request_client(self) -> GatedWebClient:
        """The client for a call on the request path: no SDK retries, and a timeout of what the request's
        budget has left (Slack's 3 s are shared by everything before the answer)."""
        budget = budgets.current()
        timeout = max(0.2, budget.left()) if budget is not None else 10.0
        queue_wait = min(REQUEST_QUEUE_WAIT, budget.left()) if budget is not None else None
        return self.client.with_options(timeout=timeout, retries=False, queue_wait=queue_wait)

    def has_time_for(self, seconds: float) -> bool:
        """Whether the request may spend `seconds` more and still have time for its database work (always,
        outside a request). The database's share of the budget ends before the request's: a lookup that
        times out must not leave the unit of work after it without time."""
        budget = budgets.current()
        return budget is None or min(budget.left(), budget.database_left()) > seconds

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """One unit of work; wakes the outbox sender after a commit (it may have enqueued rows)."""
        with self.db.unit_of_work() as session:
            yield session
        self.kick_outbox()

    def lookup_people(self, team_id: str, user_ids: list[str], names: dict[str, str] | None = None) -> Directory:
        """What Slack says about the ids Candor has never seen, asked before the unit of work that needs
        them (no Slack call inside a transaction).

        A request never fails because this optional lookup is slow, rate limited or down: Slack is asked
        only while the request has time, never inside a Retry-After window (the gate), at most `LOOKUPS_MAX`
        ids, and the first failure stops the asking. Every id not answered is recorded from what the payload
        carried (`names`: id → name) and completed later by the directory sync.
        """
        names = names or {}
        with self.db.reading() as session:
            known = set(session.scalars(select(Person.slack_user_id).where(
                Person.team_id == team_id, Person.slack_user_id.in_(user_ids))))
        found: dict[str, SlackUser | None] = {}
        healthy = True
        for uid in [u for u in dict.fromkeys(user_ids) if u not in known][:LOOKUPS_MAX]:
            if healthy and self.has_time_for(LOOKUP_RESERVE):
                live = SlackDirectory(self.request_client().with_options(timeout=LOOKUP_TIMEOUT,
                                                                         queue_wait=LOOKUP_QUEUE_WAIT))
                try:
                    found[uid] = live.user(uid)
                    continue
                except DirectoryUnavailable as exc:
                    healthy = False
                    log.info("users.info unavailable on the request path (%s); recording %d people from the "
                             "payload", exc, len(user_ids))
            found[uid] = SlackUser.partial(uid, names.get(uid, ""))
        return KnownDirectory(found)

    def acting_person(self, session: Session, body: dict[str, Any]) -> Person:
        """The person who sent this request. On first contact they are recorded from the payload (never by
        asking Slack inside the transaction); the directory sync completes them."""
        uid = user_of(body)
        person = ensure_people(session, team_of(body), [uid],
                               KnownDirectory({uid: SlackUser.partial(uid, name_of(body))}))[uid]
        if person is None:
            raise RuntimeError("the acting user's data was erased")
        return person

    def t_for(self, session: Session, team_id: str | None, user_id: str | None, body: dict[str, Any]) -> Translator:
        """The translator for the person acting: their stored Slack locale, else the request's."""
        locale = None
        if team_id and user_id:
            person = person_by_slack_id(session, team_id, user_id)
            locale = person.locale if person else None
        locale = locale or body.get("locale") or (body.get("user") or {}).get("locale")
        return translator(locale, self.settings.default_locale)


def _slack_busy(error: Exception) -> bool:
    """Slack rate limited the call, failed on its side, or did not answer in time."""
    if isinstance(error, SlackApiError) and error.response is not None:
        return bool(error.response.status_code == 429 or error.response.status_code >= 500)
    return isinstance(error, OSError)


def team_of(body: dict[str, Any]) -> str:
    """The workspace a request belongs to, whatever its shape."""
    team = body.get("team_id") or (body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id")
    if not team:
        view = body.get("view") or {}
        team = view.get("team_id")
    return str(team or "")


def user_of(body: dict[str, Any]) -> str:
    return str(body.get("user_id") or (body.get("user") or {}).get("id") or "")


def name_of(body: dict[str, Any]) -> str:
    """The acting user's handle as the payload carries it (commands: user_name; interactions: user.username)."""
    user = body.get("user") or {}
    return str(body.get("user_name") or user.get("username") or user.get("name") or "")[:200]


def mention_names(text: str) -> dict[str, str]:
    """Names Slack put in escaped mentions (`<@U123|ana>`), by user id."""
    return {m.group(1): m.group(2) for m in USER_MENTION.finditer(text) if m.group(2)}


# Listeners of requests that answer the user run on their own pool, as large as the number of requests a
# process serves at once: Bolt's default (5 threads for everything) queues the sixth concurrent command
# behind the others until Slack's 3 s are gone. Events (acked before their listener runs) keep a small pool.
REQUEST_LISTENER_THREADS = 64
EVENT_LISTENER_THREADS = 5


class ListenerExecutor(Executor):
    """Bolt's `listener_executor`. Bolt runs every listener on this executor, not on the request's thread, so a
    listener is run in the context of the request that submitted it: that is how it sees the request's
    `bot.budget` (context variables do not cross into a plain thread pool). Requests with a budget (they
    answer the user) and events (no budget) run on separate pools, so slow event handlers never delay an
    answer."""

    def __init__(self) -> None:
        self.requests = ThreadPoolExecutor(REQUEST_LISTENER_THREADS, thread_name_prefix="candor-request")
        self.events = ThreadPoolExecutor(EVENT_LISTENER_THREADS, thread_name_prefix="candor-event")

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        pool = self.requests if budgets.current() is not None else self.events
        return pool.submit(contextvars.copy_context().run, fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.requests.shutdown(wait=wait, cancel_futures=cancel_futures)
        self.events.shutdown(wait=wait, cancel_futures=cancel_futures)


def answers_the_user(req: BoltRequest) -> bool:
    """Whether Slack waits for this request's answer to show the user something (commands, shortcuts, actions,
    modal submissions), as opposed to an event, which is acked at once and handled afterwards."""
    body = req.body if isinstance(req.body, dict) else {}
    return body.get("type") not in ("event_callback", "url_verification", "app_rate_limited")


class CandorApp(App):
    """Bolt's App, with a time budget around each request that answers the user (see `bot.budget`): it starts
    when `dispatch` receives the request, and the listener (on `ListenerExecutor`) sees it. Events get none."""

    candor_clock: Clock = SYSTEM

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        if not answers_the_user(req):
            return super().dispatch(req)
        token = budgets.begin(self.candor_clock)
        try:
            return super().dispatch(req)
        finally:
            budgets.end(token)


def build_app(services: Services, *, socket_mode: bool = False) -> App:
    settings = services.settings
    app = CandorApp(
        client=services.client,
        signing_secret=None if socket_mode else _secret(settings.slack_signing_secret),
        token_verification_enabled=True,
        request_verification_enabled=not socket_mode,
        ignoring_self_events_enabled=True,
        logger=logging.getLogger("candor.bolt"),
        listener_executor=ListenerExecutor(),
    )
    app.candor_clock = services.clock

    @app.error
    def on_error(error: Exception, body: dict[str, Any], logger: logging.Logger) -> BoltResponse | None:
        """One place for unexpected failures: the user sees a short apology, the log gets the detail."""
        t = translator((body.get("user") or {}).get("locale") or settings.default_locale)
        if isinstance(error, BudgetExceeded):
            logger.warning("request answered with 'busy': %s", error)
            apology = t("Candor is busy right now and couldn't finish in time, so nothing was saved. "
                        "Please try again in a moment.")
        elif _slack_busy(error):
            logger.warning("Slack could not take a call on the request path: %s", describe_exception(error))
            apology = t("Slack is busy right now, so this couldn't be done. Please try again in a few seconds.")
        else:
            logger.error("listener failed: %s", describe_exception(error), exc_info=error)
            apology = t("Sorry, something went wrong on our side and nothing was saved. "
                        "Please try again in a minute.")
        return apology_response(t, body, apology)

    events.register(app, services)  # store every event before the ack, then run its handlers
    for side in services.slack.sides:
        side.register(app, services)
    return app


def apology_response(t: Translator, body: dict[str, Any], apology: str) -> BoltResponse | None:
    """The apology in the form the request expects: an ephemeral reply to a command, a modal's content
    replaced by it; else nothing (an action has no answer to carry it)."""
    if body.get("command"):
        return BoltResponse(status=200, body=json.dumps({"response_type": "ephemeral", "text": apology}),
                            headers={"content-type": ["application/json"]})
    if body.get("type") == "view_submission":
        view = {
            "type": "modal",
            "title": {"type": "plain_text", "text": t("Something went wrong")[:24]},
            "close": {"type": "plain_text", "text": t("Close")[:24]},
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": apology}}],
        }
        return BoltResponse(status=200, body=json.dumps({"response_action": "update", "view": view}),
                            headers={"content-type": ["application/json"]})
    return None


def _secret(value: Any) -> str | None:
    return value.get_secret_value() if value is not None else None
