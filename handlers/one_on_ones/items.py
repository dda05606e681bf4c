"""The agenda's item buttons: Done on an action item (shown done where it was clicked) and "Show all" for a long
section."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError
from slack_sdk.models.views import View
from sqlalchemy.orm import Session

from bot.delivery import METADATA_EVENT
from bot.i18n import Translator
from bot.services import LOOKUP_RESERVE, LOOKUP_TIMEOUT, team_of, user_of
from bot.slack import describe_exception
from handlers.one_on_ones import modals, views
from handlers.one_on_ones.cards import slot_of
from handlers.one_on_ones.common import Kit
from handlers.one_on_ones.ids import OneOnOneIds
from handlers.one_on_ones.payloads import (
    MESSAGE_TS,
    sealed_state,
    to_int,
)
from models import one_on_ones as domain
from models.agenda import agenda_section_for
from models.one_on_ones import NOT_YOUR_ITEM, OneOnOneError
from models.one_on_ones.tables import OneOnOnePair
from models.people import person_by_slack_id

if TYPE_CHECKING:
    from slack_bolt import Ack, App

    from bot.services import Services

log = logging.getLogger(__name__)


def register_items(app: App, services: Services, kit: Kit) -> None:
    org = services.org

    @app.action(OneOnOneIds.DONE_BUTTON.value)
    def done_button(ack: Ack, body: dict[str, Any]) -> None:
        t = kit.translator_for(body)
        item_id = to_int(body["actions"][0].get("value")) or 0
        user = user_of(body)

        def run(session: Session) -> str | None:
            person = person_by_slack_id(session, team_of(body), user)
            item = domain.action_item_for(session, person, item_id, org) if person is not None else None
            if person is None or item is None:
                raise OneOnOneError(NOT_YOUR_ITEM)
            domain.mark_done(session, item, person)
            return person.dm_channel_id

        dm_channel, err = kit.attempt(run)
        if err is not None:
            # Only the pair sees Done buttons (their DMs and Home tabs): nothing to show anyone else.
            log.info("action item %s not marked done: %s", item_id, describe_exception(err))
        else:
            # The Home tab is re-published through the outbox by mark_done; the message or list the button
            # was in is updated here, if there is time and Slack is not busy (cosmetic, never required).
            refresh_after_done(body, t, item_id, user, dm_channel)
        ack()

    def refresh_after_done(body: dict[str, Any], t: Translator, item_id: int, user: str,
                           dm_channel: str | None) -> None:
        """Show the item done where it was clicked. Nothing from the client is posted back: a message is
        re-read from Slack (and only in this person's DM with Candor, only one Candor sent), a list modal is
        rebuilt from the store."""
        container = body.get("container") or {}
        if not services.has_time_for(LOOKUP_RESERVE):
            return
        client = services.request_client().with_options(timeout=LOOKUP_TIMEOUT)
        try:
            if container.get("type") == "message":
                channel, ts = str(container.get("channel_id") or ""), str(container.get("message_ts") or "")
                if not dm_channel or channel != dm_channel or not MESSAGE_TS.fullmatch(ts):
                    return
                found = client.conversations_history(channel=channel, latest=ts, oldest=ts, inclusive=True, limit=1,
                                                     include_all_metadata=True).get("messages") or []
                message = found[0] if found else {}
                if (message.get("ts") != ts or (message.get("metadata") or {}).get("event_type") != METADATA_EVENT
                        or not message.get("blocks")):
                    return
                blocks = views.mark_done_blocks(t, message["blocks"], item_id, user)
                client.chat_update(channel=channel, ts=ts, text=message.get("text") or t("Action item done"),
                                   blocks=blocks)
            elif container.get("type") == "view":
                view = body.get("view") or {}
                listing = view.get("callback_id") == OneOnOneIds.LIST_MODAL
                meta = sealed_state(body, services.sealer) if listing else None
                if meta is None:
                    return
                with services.db.reading() as session:
                    modal = list_modal_for(session, body, meta, t)
                if modal is not None:
                    client.views_update(view_id=str(view.get("id") or ""), view=modal)
        except (SlackApiError, OSError) as exc:  # the item is saved; a stale button is only cosmetic
            log.info("could not update the view after marking item %s done: %s", item_id, describe_exception(exc))

    def list_modal_for(session: Session, body: dict[str, Any], value: dict[str, Any], t: Translator) -> View | None:
        """A "Show all" list, for a member of the pair who may see that section; None otherwise. The meeting
        the value names is used only if the pair's schedule has it."""
        person = person_by_slack_id(session, team_of(body), user_of(body))
        pair = session.get(OneOnOnePair, to_int(value.get("p")) or 0)
        if person is None or pair is None or not domain.is_member(pair, person):
            return None
        slot = slot_of(pair, str(value.get("m") or ""), value.get("a"), services.clock.now())
        key = str(value.get("s") or "")
        part = agenda_section_for(session, pair, person, org, key, until=slot.at)
        if part is None:
            return None
        meta = kit.seal(OneOnOneIds.LIST_MODAL, body, {"p": pair.id, "s": key, "m": slot.period,
                                                   "a": int(slot.at.timestamp())})
        return modals.list_modal(t, part, private_metadata=meta)

    @app.action(OneOnOneIds.SHOW_ALL_BUTTON.value)
    def show_all(ack: Ack, body: dict[str, Any]) -> None:
        t = kit.translator_for(body)
        try:
            value = json.loads(str(body["actions"][0].get("value") or "{}"))
        except json.JSONDecodeError:
            value = {}
        with services.db.reading() as session:
            modal = list_modal_for(session, body, value if isinstance(value, dict) else {}, t)
        kit.open_view(body["trigger_id"], modal if modal is not None else
                      views.done_view(t, t("1:1 agenda"), t("This part of the agenda is not available any more.")))
        ack()
