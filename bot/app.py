"""The Bolt app: wiring only. Each feature's Slack side (`bot.registry.SlackSide`) registers its listeners;
every request that answers the user runs under a time budget; one error handler answers what fails."""

from __future__ import annotations

import contextvars
import json
import logging
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk.errors import SlackApiError

from bot import budget as budgets
from bot import events
from bot.budget import BudgetExceeded
from bot.i18n import Translator, translator
from bot.registry import SlackRegistry
from bot.services import Services
from bot.slack import describe_exception
from models.core.clock import SYSTEM, Clock

log = logging.getLogger(__name__)

def _slack_busy(error: Exception) -> bool:
    """Slack rate limited the call, failed on its side, or did not answer in time."""
    if isinstance(error, SlackApiError) and error.response is not None:
        return bool(error.response.status_code == 429 or error.response.status_code >= 500)
    return isinstance(error, OSError)


# Listeners of requests that answer the user run on their own pool; events (acked before their listener runs)
# keep a small one, so slow event handlers never delay an answer. The request pool's size is how many requests
# a process works on at once. More threads than that only share the GIL, so in a burst every request finishes
# late; fewer work one after another and each finishes early, the rest waiting their turn in order within
# their budget (tests/test_rate_limits.py's burst of 30 /kudos is the case that shows it).
REQUEST_LISTENER_THREADS = 8
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


def build_app(services: Services, slack: SlackRegistry, *, socket_mode: bool = False) -> App:
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

    events.register(app, services, slack.events)  # store every event before the ack, then run its handlers
    for side in slack.sides:
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
