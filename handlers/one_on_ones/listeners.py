"""1:1 listeners: `/1on1`, the agenda's buttons and modals; the agenda prompt, outbox renderers, the Home
section, and the two job functions (`sync_pairs_job`, `alerts_job`).

Listener order: parse the payload → domain work in one unit of work → Slack calls that must not fail the
request (handled) → `ack()` last.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from slack_sdk.errors import SlackApiError
from slack_sdk.models.views import View
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.app import LOOKUP_RESERVE, LOOKUP_TIMEOUT, team_of, user_of
from bot.blocks import form_expired, mention
from bot.delivery import METADATA_EVENT
from bot.i18n import Translator
from bot.slack import describe_exception
from bot.text import USER_MENTION, escape
from handlers.one_on_ones import modals, views
from handlers.one_on_ones.cards import card_for, cards_for, error_text, slot_of, tz_of
from handlers.one_on_ones.ids import OneOnOneIds
from handlers.one_on_ones.payloads import (
    MESSAGE_TS,
    AddSubmission,
    NotesSubmission,
    OneOnOneCommand,
    ScheduleSubmission,
    form_state,
    plain,
    sealed_state,
    to_int,
)
from handlers.one_on_ones.views import PairCard
from models import one_on_ones as domain
from models.agenda import agenda_section_for
from models.core import submissions
from models.core.tables import Person
from models.core.text import is_blank
from models.core.timing import WorkPattern
from models.core.weeks import is_week_key
from models.one_on_ones import NOT_A_MEMBER, NOT_YOUR_ITEM, OneOnOneError
from models.one_on_ones.tables import OneOnOneMeeting, OneOnOnePair
from models.people import person_by_slack_id

if TYPE_CHECKING:
    from slack_bolt import Ack, App

    from bot.app import Services

log = logging.getLogger(__name__)
T = TypeVar("T")

# -- payloads -------------------------------------------------------------------------------------------


# -- shared pieces ----------------------------------------------------------------------------------------


# -- listeners ----------------------------------------------------------------------------------------------


def register(app: App, services: Services) -> None:
    org = services.org

    def attempt(fn: Callable[[Session], T]) -> tuple[T | None, OneOnOneError | None]:
        """Run `fn` in one unit of work; a `OneOnOneError` rolls it back and is returned."""
        try:
            with services.unit_of_work() as session:
                return fn(session), None
        except OneOnOneError as err:
            return None, err

    def translator_for(body: dict[str, Any]) -> Translator:
        with services.db.reading() as session:
            return services.t_for(session, team_of(body), user_of(body), body)

    def open_view(trigger_id: str, view: View) -> None:
        services.request_client().views_open(trigger_id=trigger_id, view=view)

    def seal(callback_id: str, body: dict[str, Any], data: dict[str, Any]) -> str:
        return services.sealer.seal(callback_id, user_of(body), data)

    @app.command(OneOnOneIds.COMMAND.value)
    def one_on_one_command(ack: Ack, body: dict[str, Any]) -> None:
        cmd = OneOnOneCommand.model_validate(body)
        sub, rest = cmd.parts()
        t = translator_for(body)
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
                    modal = modals.add_point_modal(t, cards, topic=topic, private_metadata=seal(
                        OneOnOneIds.ADD_MODAL, body, {"pair": fixed.pair_id if fixed else None}))
            elif sub == "notes":
                reply = notes_reply(session, person, rest, t)
            else:
                reply = t("I don't know `{sub}`. Try `/1on1 add <topic>`, `/1on1 notes @person` or `/1on1 help`.",
                          sub=escape(plain(sub)[:30]).replace("`", "'")).replace("<topic>", "&lt;topic&gt;")

        _, err = attempt(run)
        if err is not None:
            ack(text=error_text(t, err))
            return
        if modal is not None:
            open_view(cmd.trigger_id, modal)
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

    @app.action(OneOnOneIds.ADD_BUTTON.value)
    def add_button(ack: Ack, body: dict[str, Any]) -> None:
        t = translator_for(body)
        pair_id = to_int(body["actions"][0].get("value"))
        with services.db.reading() as session:
            person = person_by_slack_id(session, team_of(body), user_of(body))
            cards = cards_for(session, person, t, services.clock.now()) if person is not None else []
        if not cards or (pair_id is not None and all(c.pair_id != pair_id for c in cards)):
            view = views.done_view(t, t("Add talking point"), t(NOT_A_MEMBER))
        else:
            fixed = modals.fixed_pair(cards, pair_id)
            view = modals.add_point_modal(t, cards, pair_id=pair_id, private_metadata=seal(
                OneOnOneIds.ADD_MODAL, body, {"pair": fixed.pair_id if fixed else None}))
        open_view(body["trigger_id"], view)
        ack()

    @app.view(OneOnOneIds.ADD_MODAL.value)
    def add_submitted(ack: Ack, body: dict[str, Any]) -> None:
        t = translator_for(body)
        meta = sealed_state(body, services.sealer)
        if meta is None:
            ack(response_action="errors", errors={OneOnOneIds.TOPIC_BLOCK.value: form_expired(t)})
            return
        sub = AddSubmission.from_body(body, meta)
        if sub.pair_id is None:
            ack(response_action="errors", errors={OneOnOneIds.PAIR_BLOCK.value: t("Choose the 1:1 to add it to.")})
            return

        def run(session: Session) -> PairCard:
            form = submissions.Form(sub.team_id, sub.user_id, sub.view_id, "oneonone.add")
            earlier = form.claim(session)
            person = person_by_slack_id(session, sub.team_id, sub.user_id)
            pair = domain.live_pair(session, sub.pair_id) if sub.pair_id else None
            if person is None or pair is None or not domain.is_member(pair, person):
                raise OneOnOneError(NOT_A_MEMBER, field="pair")
            if earlier is None:
                domain.add_talking_point(session, pair, person, sub.topic)
                form.finish(session, {"pair": pair.id})
            return card_for(session, pair, person, t, services.clock.now())

        card, err = attempt(run)
        if err is not None:
            block = views.field_block(err.field or "text")
            if block == OneOnOneIds.PAIR_BLOCK and OneOnOneIds.PAIR_BLOCK.value not in form_state(body):
                block = OneOnOneIds.TOPIC_BLOCK.value  # the pair was fixed: show it on the one input there is
            ack(response_action="errors", errors={block: error_text(t, err)[:2000]})
            return
        assert card is not None
        ack(response_action="update", view=views.done_view(t, t("Talking point added"), views.added_reply(t, card)))

    @app.action(OneOnOneIds.NOTES_BUTTON.value)
    def notes_button(ack: Ack, body: dict[str, Any]) -> None:
        t = translator_for(body)
        raw = str(body["actions"][0].get("value") or "")
        pair_id, _, rest = raw.partition(":")
        period, _, stamp = rest.partition(":")
        now = services.clock.now()
        with services.db.reading() as session:
            person = person_by_slack_id(session, team_of(body), user_of(body))
            pair = domain.live_pair(session, to_int(pair_id) or 0)
            if person is None or pair is None or not domain.is_member(pair, person):
                view = views.done_view(t, t("1:1 notes"), t(NOT_A_MEMBER))
            else:
                slot = slot_of(pair, period, stamp, now)
                meeting = session.scalars(select(OneOnOneMeeting).where(
                    OneOnOneMeeting.pair_id == pair.id, OneOnOneMeeting.period == slot.period)).one_or_none()
                notes = domain.meeting_notes(session, person, meeting, org) if meeting is not None else None
                members = [(p.id, p.label) for p in (pair.manager, pair.report)]
                meta = seal(OneOnOneIds.NOTES_MODAL, body,
                            {"pair": pair.id, "period": slot.period, "at": int(slot.at.timestamp())})
                view = modals.notes_modal(t, card_for(session, pair, person, t, now), members=members,
                                         meeting_at=slot.at, notes=notes, private_metadata=meta)
        open_view(body["trigger_id"], view)
        ack()

    @app.view(OneOnOneIds.NOTES_MODAL.value)
    def notes_submitted(ack: Ack, body: dict[str, Any]) -> None:
        t = translator_for(body)
        meta = sealed_state(body, services.sealer)
        if meta is None:
            ack(response_action="errors", errors={OneOnOneIds.NOTES_BLOCK.value: form_expired(t)})
            return
        sub = NotesSubmission.from_body(body, meta)
        errors: dict[str, str] = {}
        for row in sub.rows:
            if is_blank(row.text) and not row.empty:
                errors[f"{OneOnOneIds.ITEM_TEXT_BLOCK}{row.row}"] = t(
                    "Say what needs doing, or clear the owner and due date of this row.")
        if errors:
            ack(response_action="errors", errors=errors)
            return
        filled = [row for row in sub.rows if not row.empty]
        rows_by_item = {i: row.row for i, row in enumerate(filled, start=1)}

        def run(session: Session) -> dict[str, Any]:
            form = submissions.Form(sub.team_id, sub.user_id, sub.view_id, "oneonone.notes")
            earlier = form.claim(session)
            if earlier is not None:
                return earlier
            person = person_by_slack_id(session, sub.team_id, sub.user_id)
            pair = session.get(OneOnOnePair, sub.pair_id)
            if person is None or pair is None or not is_week_key(sub.period):
                raise OneOnOneError(NOT_A_MEMBER, field="notes")
            drafts = [domain.ActionDraft(text=row.text, owner=session.get(Person, row.owner_id) if row.owner_id
                                         else None, due_date=row.due) for row in filled]
            meeting = domain.ensure_meeting(session, pair, sub.period, sub.meeting_at)
            result = domain.record_notes(session, pair, meeting, person, sub.notes, drafts)
            done = {"items": len(result.items)}
            form.finish(session, done)
            return done

        done, err = attempt(run)
        if err is not None:
            block = views.field_block(err.field, rows_by_item)
            ack(response_action="errors", errors={block: error_text(t, err)[:2000]})
            return
        assert done is not None
        items = int(done.get("items") or 0)
        text = t(":white_check_mark: Notes saved.") + " " + t.n(
            "{count} action item added.", "{count} action items added.", items)
        ack(response_action="update", view=views.done_view(t, t("1:1 notes"), text))

    @app.action(OneOnOneIds.SCHEDULE_BUTTON.value)
    def schedule_button(ack: Ack, body: dict[str, Any]) -> None:
        t = translator_for(body)
        with services.db.reading() as session:
            person = person_by_slack_id(session, team_of(body), user_of(body))
            pair = domain.live_pair(session, to_int(body["actions"][0].get("value")) or 0)
            if person is None or pair is None or not domain.is_member(pair, person):
                view = views.done_view(t, t("1:1 schedule"), t(NOT_A_MEMBER))
            else:
                tz = tz_of(person, org)
                card = card_for(session, pair, person, t, services.clock.now())
                local = card.next_at.astimezone(WorkPattern(tz=tz).zone())
                view = modals.schedule_modal(t, card, interval_weeks=pair.interval_weeks, weekday=local.weekday(),
                                            local_time=local.strftime("%H:%M"), tz=tz,
                                            private_metadata=seal(OneOnOneIds.SCHEDULE_MODAL, body, {"pair": pair.id}))
        open_view(body["trigger_id"], view)
        ack()

    @app.view(OneOnOneIds.SCHEDULE_MODAL.value)
    def schedule_submitted(ack: Ack, body: dict[str, Any]) -> None:
        t = translator_for(body)
        meta = sealed_state(body, services.sealer)
        if meta is None:
            ack(response_action="errors", errors={OneOnOneIds.CADENCE_BLOCK.value: form_expired(t)})
            return
        sub = ScheduleSubmission.from_body(body, meta)

        def run(session: Session) -> PairCard:
            form = submissions.Form(sub.team_id, sub.user_id, sub.view_id, "oneonone.schedule")
            earlier = form.claim(session)
            person = person_by_slack_id(session, sub.team_id, sub.user_id)
            pair = domain.live_pair(session, sub.pair_id)
            if person is None or pair is None:
                raise OneOnOneError(NOT_A_MEMBER, field="interval")
            if earlier is None:
                domain.set_cadence(session, pair, person,
                                   sub.interval_weeks if sub.interval_weeks is not None else 0,
                                   sub.weekday if sub.weekday is not None else -1, sub.local_time, tz_of(person, org))
                form.finish(session, {"pair": pair.id})
            return card_for(session, pair, person, t, services.clock.now())

        card, err = attempt(run)
        if err is not None:
            ack(response_action="errors", errors={views.field_block(err.field): error_text(t, err)[:2000]})
            return
        assert card is not None
        text = t(":white_check_mark: Your 1:1 with {person} is now {cadence}. Next: {when}.",
                 person=mention(card.other_id), cadence=card.cadence, when=views.when(t, card.next_at, None))
        ack(response_action="update", view=views.done_view(t, t("1:1 schedule"), text))

    @app.action(OneOnOneIds.DONE_BUTTON.value)
    def done_button(ack: Ack, body: dict[str, Any]) -> None:
        t = translator_for(body)
        item_id = to_int(body["actions"][0].get("value")) or 0
        user = user_of(body)

        def run(session: Session) -> str | None:
            person = person_by_slack_id(session, team_of(body), user)
            item = domain.action_item_for(session, person, item_id, org) if person is not None else None
            if person is None or item is None:
                raise OneOnOneError(NOT_YOUR_ITEM)
            domain.mark_done(session, item, person)
            return person.dm_channel_id

        dm_channel, err = attempt(run)
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
        meta = seal(OneOnOneIds.LIST_MODAL, body, {"p": pair.id, "s": key, "m": slot.period,
                                                   "a": int(slot.at.timestamp())})
        return modals.list_modal(t, part, private_metadata=meta)

    @app.action(OneOnOneIds.SHOW_ALL_BUTTON.value)
    def show_all(ack: Ack, body: dict[str, Any]) -> None:
        t = translator_for(body)
        try:
            value = json.loads(str(body["actions"][0].get("value") or "{}"))
        except json.JSONDecodeError:
            value = {}
        with services.db.reading() as session:
            modal = list_modal_for(session, body, value if isinstance(value, dict) else {}, t)
        open_view(body["trigger_id"], modal if modal is not None else
                  views.done_view(t, t("1:1 agenda"), t("This part of the agenda is not available any more.")))
        ack()


# -- the agenda prompt --------------------------------------------------------------------------------------


# -- outbox renderers -----------------------------------------------------------------------------------------


# -- App Home --------------------------------------------------------------------------------------------------


# -- jobs (registered in scheduler/jobs.py) ----------------------------------------------------------------------


