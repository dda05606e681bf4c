"""`/1on1`: help, `add <topic>` (to the one 1:1, or a modal to pick), `notes @person`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_sdk.models.views import View
from sqlalchemy.orm import Session

from bot.i18n import Translator
from bot.text import USER_MENTION, escape, plain
from handlers.one_on_ones import modals, views
from handlers.one_on_ones.cards import cards_for, error_text
from handlers.one_on_ones.common import Kit
from handlers.one_on_ones.ids import OneOnOneIds
from handlers.one_on_ones.payloads import (
    OneOnOneCommand,
)
from models import one_on_ones as domain
from models.core.tables import Person
from models.one_on_ones.tables import OneOnOnePair
from models.people import person_by_slack_id

if TYPE_CHECKING:
    from slack_bolt import Ack, App

    from bot.services import Services



def register_command(app: App, services: Services, kit: Kit) -> None:
    org = services.org

    @app.command(OneOnOneIds.COMMAND.value)
    def one_on_one_command(ack: Ack, body: dict[str, Any]) -> None:
        cmd = OneOnOneCommand.model_validate(body)
        sub, rest = cmd.parts()
        t = kit.translator_for(body)
        now = services.clock.now()
        modal: View | None = None
        reply: str = ""
        blocks: list[dict[str, Any]] | None = None

        def run(session: Session) -> None:
            nonlocal modal, reply, blocks
            person = person_by_slack_id(session, cmd.team_id, cmd.user_id)
            cards = cards_for(session, person, t, now) if person is not None and person.active else []
            if sub in ("", "help"):
                reply, blocks = views.help_message(t, cards, tz=person.tz if person else None)
            elif sub == "add":
                topic = plain(rest)
                if not cards:
                    reply = t("You have no 1:1s yet. Candor sets one up for every manager and each of their "
                              "direct reports.")
                elif len(cards) == 1 and topic:
                    pair = session.get(OneOnOnePair, cards[0].pair_id)
                    assert pair is not None and person is not None
                    domain.add_talking_point(session, pair, person, topic)
                    reply = views.added_reply(t, cards[0])
                else:
                    fixed = modals.fixed_pair(cards, None)
                    modal = modals.add_point_modal(t, cards, topic=topic, private_metadata=kit.seal(
                        OneOnOneIds.ADD_MODAL, body, {"pair": fixed.pair_id if fixed else None}))
            elif sub == "notes":
                reply = notes_reply(session, person, rest, t)
            else:
                reply = t("I don't know `{sub}`. Try `/1on1 add <topic>`, `/1on1 notes @person` or `/1on1 help`.",
                          sub=escape(plain(sub)[:30]).replace("`", "'")).replace("<topic>", "&lt;topic&gt;")

        _, err = kit.attempt(run)
        if err is not None:
            ack(text=error_text(t, err))
            return
        if modal is not None:
            kit.open_view(cmd.trigger_id, modal)
            ack()
            return
        if blocks:
            ack(text=reply, blocks=blocks)
        else:
            ack(text=reply)

    def notes_reply(session: Session, viewer: Person | None, rest: str, t: Translator) -> str:
        m = USER_MENTION.search(rest)
        if m is None:
            return t("Whose notes? Try `/1on1 notes @person`.")
        about = person_by_slack_id(session, viewer.team_id, m.group(1)) if viewer is not None else None
        found = domain.notes_about(session, viewer, about, org) if viewer is not None and about is not None else []
        shown = []
        for n in found:
            other_id = n.pair.report_id if about is not None and n.pair.manager_id == about.id else n.pair.manager_id
            other = session.get(Person, other_id)
            shown.append(views.NotesView(held_at=n.meeting.held_at or n.meeting.scheduled_at,
                                         other_id=other.slack_user_id if other else "", notes=n.meeting.notes or "",
                                         author_id=n.author.slack_user_id if n.author else None))
        return views.notes_listing(t, m.group(1), shown)
