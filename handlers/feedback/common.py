"""What the feedback listeners (requests and 360 rounds) share: opening a modal on the request's trigger, the
Home refreshes a change asks for, and the record id a button carries (parsed only; the domain looks it up and
checks it against whoever clicked)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_sdk.models.views import View
from sqlalchemy.orm import Session

from handlers.feedback.payloads import to_int
from models.core.outbox import request_home_refresh
from models.core.tables import Person

if TYPE_CHECKING:
    from bot.services import Services


def open_view(services: Services, body: dict[str, Any], view: View) -> None:
    services.request_client().views_open(trigger_id=body["trigger_id"], view=view)


def refresh_homes(session: Session, *people: Person, cause: str) -> None:
    for person in {p.id: p for p in people}.values():
        request_home_refresh(session, person, cause=cause)


def button_value(body: dict[str, Any]) -> int:
    """The record id in the clicked button's value (0 when it is not one)."""
    return to_int((body.get("actions") or [{}])[0].get("value")) or 0
