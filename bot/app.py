"""The Bolt app: wiring only. Features register their listeners from `handlers/`."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.db import Database
from bot.i18n import Translator, translator
from bot.settings import OrgConfig, Settings
from bot.slack import SlackDirectory, redact
from models.people import person_by_slack_id
from models.ports import Directory, SlackUser
from models.tables import Person

log = logging.getLogger(__name__)


@dataclass
class Services:
    """What listeners and jobs need. Built once per process; no global state."""

    settings: Settings
    org: OrgConfig
    db: Database
    client: WebClient
    kick_outbox: Callable[[], None] = field(default=lambda: None)

    @property
    def directory(self) -> SlackDirectory:
        return SlackDirectory(self.client)

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """One unit of work; wakes the outbox sender after a commit (it may have enqueued rows)."""
        with self.db.unit_of_work() as session:
            yield session
        self.kick_outbox()

    def prefetched_directory(self, team_id: str, user_ids: list[str]) -> Directory:
        """A directory that already asked Slack about every id Candor has never seen (at most 50), so the
        unit of work that follows makes no Slack calls while it holds its transaction."""
        from sqlalchemy import select

        with self.db.unit_of_work() as session:
            known = set(session.scalars(select(Person.slack_user_id).where(
                Person.team_id == team_id, Person.slack_user_id.in_(user_ids))))
        unknown = [uid for uid in dict.fromkeys(user_ids) if uid not in known][:50]
        live = self.directory
        found = {uid: live.user(uid) for uid in unknown}
        return PrefetchedDirectory(found, live)

    def acting_person(self, session: Session, body: dict[str, Any]) -> Person:
        """The person who sent this request, created from Slack's directory on first contact."""
        from models.people import ensure_people

        uid = user_of(body)
        person = ensure_people(session, team_of(body), [uid], self.directory)[uid]
        if person is None:
            raise RuntimeError(f"Slack does not know user {uid}")
        return person

    def t_for(self, session: Session, team_id: str | None, user_id: str | None, body: dict[str, Any]) -> Translator:
        """The translator for the person acting: their stored Slack locale, else the request's."""
        locale = None
        if team_id and user_id:
            person = person_by_slack_id(session, team_id, user_id)
            locale = person.locale if person else None
        locale = locale or body.get("locale") or (body.get("user") or {}).get("locale")
        return translator(locale, self.settings.default_locale)


class PrefetchedDirectory:
    """`models.ports.Directory` answering from users fetched beforehand, else from Slack."""

    def __init__(self, found: dict[str, SlackUser | None], live: SlackDirectory) -> None:
        self.found, self.live = found, live

    def user(self, user_id: str) -> SlackUser | None:
        return self.found[user_id] if user_id in self.found else self.live.user(user_id)

    def users(self) -> Iterator[SlackUser]:
        return self.live.users()


def team_of(body: dict[str, Any]) -> str:
    """The workspace a request belongs to, whatever its shape."""
    team = body.get("team_id") or (body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id")
    if not team:
        view = body.get("view") or {}
        team = view.get("team_id")
    return str(team or "")


def user_of(body: dict[str, Any]) -> str:
    return str(body.get("user_id") or (body.get("user") or {}).get("id") or "")


def build_app(services: Services, *, socket_mode: bool = False) -> App:
    settings = services.settings
    app = App(
        client=services.client,
        signing_secret=None if socket_mode else _secret(settings.slack_signing_secret),
        token_verification_enabled=True,
        request_verification_enabled=not socket_mode,
        ignoring_self_events_enabled=True,
        logger=logging.getLogger("candor.bolt"),
    )

    @app.error
    def on_error(error: Exception, body: dict[str, Any], logger: logging.Logger) -> BoltResponse | None:
        """One place for unexpected failures: the user sees a short apology, the log gets the detail."""
        logger.error("listener failed: %s", redact(repr(error)), exc_info=error)
        t = translator((body.get("user") or {}).get("locale") or settings.default_locale)
        apology = t("Sorry, something went wrong on our side and nothing was saved. Please try again in a minute.")
        kind = body.get("type")
        if body.get("command"):
            return BoltResponse(status=200, body=json.dumps({"response_type": "ephemeral", "text": apology}),
                                headers={"content-type": ["application/json"]})
        if kind == "view_submission":
            view = {
                "type": "modal",
                "title": {"type": "plain_text", "text": t("Something went wrong")[:24]},
                "close": {"type": "plain_text", "text": t("Close")[:24]},
                "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": apology}}],
            }
            return BoltResponse(status=200, body=json.dumps({"response_action": "update", "view": view}),
                                headers={"content-type": ["application/json"]})
        return None

    import handlers

    handlers.register_all(app, services)
    return app


def _secret(value: Any) -> str | None:
    return value.get_secret_value() if value is not None else None
