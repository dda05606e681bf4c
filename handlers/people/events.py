"""Directory events: keep `people` in step with Slack (joins, profile changes, deactivations)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from models.core.ports import SlackUser
from models.people import upsert_person

if TYPE_CHECKING:
    from bot.services import Services


def user_event(session: Session, services: Services, body: dict[str, Any]) -> None:
    user = (body.get("event") or {}).get("user") or {}
    if not isinstance(user, dict) or "id" not in user:
        return
    team_id = str(body.get("team_id") or user.get("team_id") or "")
    upsert_person(session, team_id, SlackUser.from_slack(user))


EVENTS = {"team_join": (user_event,), "user_change": (user_event,)}
