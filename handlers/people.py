"""Directory events: keep `people` in step with Slack (joins, profile changes, deactivations)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from handlers.events import on_event
from models.core.ports import SlackUser
from models.people import upsert_person

if TYPE_CHECKING:
    from slack_bolt import App

    from bot.app import Services


@on_event("team_join")
@on_event("user_change")
def _user_event(session: Session, services: Services, body: dict[str, Any]) -> None:
    user = (body.get("event") or {}).get("user") or {}
    if not isinstance(user, dict) or "id" not in user:
        return
    team_id = str(body.get("team_id") or user.get("team_id") or "")
    upsert_person(session, team_id, SlackUser.from_slack(user))


def register(app: App, services: Services) -> None:
    """Listeners are attached by `handlers.events` from the @on_event registry."""
