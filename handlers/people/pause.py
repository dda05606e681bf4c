"""Pausing prompts ("snooze until", out of office) from the App Home. Paused prompts are skipped."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    DatePickerElement,
    HeaderBlock,
    InputBlock,
    PlainTextObject,
)
from slack_sdk.models.views import View
from sqlalchemy.orm import Session

from bot.blocks import context, section
from bot.i18n import Translator
from models.core import outbox
from models.core.clock import clock_of
from models.core.config import OrgConfig
from models.core.prompts import pattern_for
from models.core.tables import Person

if TYPE_CHECKING:
    from slack_bolt import Ack, App

    from bot.app import Services

MAX_PAUSE_DAYS = 180


class PauseIds(StrEnum):
    OPEN = "pause_open"
    RESUME = "pause_resume"
    MODAL = "pause_modal"
    UNTIL_BLOCK = "until"
    UNTIL_ACTION = "until_date"


def paused_until_for(until: date, person: Person, org: OrgConfig) -> datetime:
    """Prompts stay paused through the whole chosen day, in the person's own time zone."""
    zone = pattern_for(person, org).zone()
    return datetime.combine(until + timedelta(days=1), time(0, 0), tzinfo=zone)


def validate_until(value: str | None, today: date) -> tuple[date | None, str | None]:
    if not value:
        return None, "required"
    try:
        chosen = date.fromisoformat(value)
    except ValueError:
        return None, "invalid"
    if chosen < today:
        return None, "past"
    if chosen > today + timedelta(days=MAX_PAUSE_DAYS):
        return None, "too_far"
    return chosen, None


def pause_home(session: Session, person: Person, t: Translator, org: OrgConfig) -> list[Block]:
    blocks: list[Block] = [HeaderBlock(text=PlainTextObject(text=t("Prompts")))]
    if person.paused_until and person.paused_until > clock_of(session).now():
        local = person.paused_until.astimezone(pattern_for(person, org).zone()) - timedelta(days=1)
        blocks.append(section(t(":double_vertical_bar: Paused through {day}: no check-ins or agendas until then.",
                                day=f"{local:%Y-%m-%d}")))
        blocks.append(ActionsBlock(elements=[ButtonElement(action_id=PauseIds.RESUME, text=PlainTextObject(
            text=t("Resume now")))]))
    else:
        blocks.append(context(t("Away? Pause Candor's prompts until a date; nothing piles up meanwhile.")))
        blocks.append(ActionsBlock(elements=[ButtonElement(action_id=PauseIds.OPEN, text=PlainTextObject(
            text=t("Pause prompts…")))]))
    return blocks


def pause_modal(t: Translator, today: date) -> View:
    return View(
        type="modal", callback_id=PauseIds.MODAL, title=PlainTextObject(text=t("Pause prompts")),
        submit=PlainTextObject(text=t("Pause")), close=PlainTextObject(text=t("Cancel")),
        blocks=[
            section(t("No check-ins, reminders or agendas reach you until the end of the day you pick. "
                      "Prompts due meanwhile are skipped, not saved up.")),
            InputBlock(block_id=PauseIds.UNTIL_BLOCK, label=PlainTextObject(text=t("Pause through")),
                       element=DatePickerElement(action_id=PauseIds.UNTIL_ACTION,
                                                 initial_date=(today + timedelta(days=7)).isoformat())),
        ],
    )


def register(app: App, services: Services) -> None:
    org = services.org

    @app.action(PauseIds.OPEN.value)
    def open_pause(ack: Ack, body: dict[str, Any]) -> None:
        with services.db.unit_of_work() as session:
            person = services.acting_person(session, body)
            t = services.t_for(session, person.team_id, person.slack_user_id, body)
            today = services.clock.now().astimezone(pattern_for(person, org).zone()).date()
        services.request_client().views_open(trigger_id=body["trigger_id"], view=pause_modal(t, today))
        ack()

    @app.view(PauseIds.MODAL.value)
    def pause_submitted(ack: Ack, body: dict[str, Any]) -> None:
        value = (body["view"].get("state", {}).get("values", {}).get(PauseIds.UNTIL_BLOCK, {})
                 .get(PauseIds.UNTIL_ACTION, {}).get("selected_date"))
        with services.unit_of_work() as session:
            person = services.acting_person(session, body)
            t = services.t_for(session, person.team_id, person.slack_user_id, body)
            today = services.clock.now().astimezone(pattern_for(person, org).zone()).date()
            chosen, problem = validate_until(value, today)
            if chosen is not None:
                person.paused_until = paused_until_for(chosen, person, org)
                outbox.request_home_refresh(session, person, cause=f"pause-{services.clock.now().timestamp()}")
        if problem is not None:
            messages = {"required": t("Pick a date."), "invalid": t("That isn't a date."),
                        "past": t("Pick today or a later day."),
                        "too_far": t("At most {days} days ahead.", days=MAX_PAUSE_DAYS)}
            ack(response_action="errors", errors={PauseIds.UNTIL_BLOCK.value: messages[problem]})
            return
        ack(response_action="clear")

    @app.action(PauseIds.RESUME.value)
    def resume(ack: Ack, body: dict[str, Any]) -> None:
        with services.unit_of_work() as session:
            person = services.acting_person(session, body)
            person.paused_until = None
            outbox.request_home_refresh(session, person, cause=f"resume-{services.clock.now().timestamp()}")
        ack()


