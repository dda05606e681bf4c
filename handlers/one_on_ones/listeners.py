"""1:1 listeners: `/1on1` (`command`), the agenda's item buttons (`items`), and here the buttons and modals that
add a talking point, write notes and action items, and change the schedule.

Listener order: parse the payload → domain work in one unit of work → Slack calls that must not fail the
request (handled) → `ack()` last.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.blocks import form_expired, form_state, mention
from bot.services import team_of, user_of
from handlers.one_on_ones import modals, views
from handlers.one_on_ones.cards import card_for, cards_for, error_text, slot_of, tz_of
from handlers.one_on_ones.command import register_command
from handlers.one_on_ones.common import Kit
from handlers.one_on_ones.ids import OneOnOneIds
from handlers.one_on_ones.items import register_items
from handlers.one_on_ones.payloads import (
    AddSubmission,
    NotesSubmission,
    ScheduleSubmission,
    sealed_state,
    to_int,
)
from handlers.one_on_ones.views import PairCard
from models import one_on_ones as domain
from models.core import submissions
from models.core.tables import Person
from models.core.text import is_blank
from models.core.timing import WorkPattern
from models.core.weeks import is_week_key
from models.one_on_ones import NOT_A_MEMBER, OneOnOneError
from models.one_on_ones.tables import OneOnOneMeeting, OneOnOnePair
from models.people import person_by_slack_id

if TYPE_CHECKING:
    from slack_bolt import Ack, App

    from bot.services import Services



def register(app: App, services: Services) -> None:
    kit = Kit(services)
    register_command(app, services, kit)
    register_forms(app, services, kit)
    register_items(app, services, kit)


def register_forms(app: App, services: Services, kit: Kit) -> None:
    org = services.org

    @app.action(OneOnOneIds.ADD_BUTTON.value)
    def add_button(ack: Ack, body: dict[str, Any]) -> None:
        t = kit.translator_for(body)
        pair_id = to_int(body["actions"][0].get("value"))
        with services.db.reading() as session:
            person = person_by_slack_id(session, team_of(body), user_of(body))
            cards = cards_for(session, person, t, services.clock.now()) if person is not None else []
        if not cards or (pair_id is not None and all(c.pair_id != pair_id for c in cards)):
            view = views.done_view(t, t("Add talking point"), t(NOT_A_MEMBER))
        else:
            fixed = modals.fixed_pair(cards, pair_id)
            view = modals.add_point_modal(t, cards, pair_id=pair_id, private_metadata=kit.seal(
                OneOnOneIds.ADD_MODAL, body, {"pair": fixed.pair_id if fixed else None}))
        kit.open_view(body["trigger_id"], view)
        ack()

    @app.view(OneOnOneIds.ADD_MODAL.value)
    def add_submitted(ack: Ack, body: dict[str, Any]) -> None:
        t = kit.translator_for(body)
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

        card, err = kit.attempt(run)
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
        t = kit.translator_for(body)
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
                meta = kit.seal(OneOnOneIds.NOTES_MODAL, body,
                                {"pair": pair.id, "period": slot.period, "at": int(slot.at.timestamp())})
                view = modals.notes_modal(t, card_for(session, pair, person, t, now), members=members,
                                          meeting_at=slot.at, notes=notes, private_metadata=meta)
        kit.open_view(body["trigger_id"], view)
        ack()

    @app.view(OneOnOneIds.NOTES_MODAL.value)
    def notes_submitted(ack: Ack, body: dict[str, Any]) -> None:
        t = kit.translator_for(body)
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

        done, err = kit.attempt(run)
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
        t = kit.translator_for(body)
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
                                             private_metadata=kit.seal(OneOnOneIds.SCHEDULE_MODAL, body,
                                                                       {"pair": pair.id}))
        kit.open_view(body["trigger_id"], view)
        ack()

    @app.view(OneOnOneIds.SCHEDULE_MODAL.value)
    def schedule_submitted(ack: Ack, body: dict[str, Any]) -> None:
        t = kit.translator_for(body)
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

        card, err = kit.attempt(run)
        if err is not None:
            ack(response_action="errors", errors={views.field_block(err.field): error_text(t, err)[:2000]})
            return
        assert card is not None
        text = t(":white_check_mark: Your 1:1 with {person} is now {cadence}. Next: {when}.",
                 person=mention(card.other_id), cadence=card.cadence, when=views.when(t, card.next_at, None))
        ack(response_action="update", view=views.done_view(t, t("1:1 schedule"), text))
