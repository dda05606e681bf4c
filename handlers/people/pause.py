"""Pausing prompts ("snooze until", out of office) from the App Home. Paused prompts are skipped."""

from __future__ import annotations

from datetime import date, timedelta
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
from models.core.clock import clock_of
from models.core.config import OrgConfig
from models.core.prompts import pattern_for
from models.core.tables import Person
from models.people import pause as pausing

if TYPE_CHECKING:
    from slack_bolt import Ack, App

    from bot.services import Services



class PauseIds(StrEnum):
    OPEN = "pause_open"
    RESUME = "pause_resume"
    MODAL = "pause_modal"
    UNTIL_BLOCK = "until"
    UNTIL_ACTION = "until_date"


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
            t = services.t_of(person, body)
            today = pausing.local_today(person, org, services.clock.now())
        services.request_client().views_open(trigger_id=body["trigger_id"], view=pause_modal(t, today))
        ack()

    @app.view(PauseIds.MODAL.value)
    def pause_submitted(ack: Ack, body: dict[str, Any]) -> None:
        value = (body["view"].get("state", {}).get("values", {}).get(PauseIds.UNTIL_BLOCK, {})
                 .get(PauseIds.UNTIL_ACTION, {}).get("selected_date"))
        try:
            with services.unit_of_work() as session:
                person = services.acting_person(session, body)
                t = services.t_of(person, body)
                pausing.pause(session, person, value, org)
        except pausing.PauseError as err:
            ack(response_action="errors", errors={PauseIds.UNTIL_BLOCK.value: t.message(err.message)})
            return
        ack(response_action="clear")

    @app.action(PauseIds.RESUME.value)
    def resume(ack: Ack, body: dict[str, Any]) -> None:
        with services.unit_of_work() as session:
            pausing.resume(session, services.acting_person(session, body))
        ack()


