"""1:1 listeners: `/1on1`, the agenda's buttons and modals; the agenda prompt, outbox renderers, the Home
section, and the two job functions (`sync_pairs_job`, `alerts_job`).

Listener order: parse the payload → domain work in one unit of work → Slack calls that must not fail the
request (handled) → `ack()` last.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.app import LOOKUP_RESERVE, LOOKUP_TIMEOUT, team_of, user_of
from bot.delivery import METADATA_EVENT, RenderContext, Rendered, Skip, renderer
from bot.i18n import Translator
from bot.sealed import Sealer
from bot.slack import describe_exception
from bot.text import CHANNEL_MENTION, LINK, SPECIAL_MENTION, SUBTEAM_MENTION, USER_MENTION, escape, unescape
from bot.views import one_on_ones as views
from bot.views.common import form_expired, mention
from bot.views.one_on_ones import OneOnOneIds, PairCard
from handlers.home import home_section
from models import one_on_ones as domain
from models.core import submissions
from models.core.clock import clock_of
from models.core.config import OrgConfig
from models.core.tables import Alert, Person
from models.core.text import is_blank
from models.core.timing import WorkPattern
from models.core.zones import zone_name
from models.one_on_ones import OneOnOneError
from models.one_on_ones.tables import OneOnOneMeeting, OneOnOnePair, TalkingPoint
from models.people import person_by_slack_id
from scheduler.prompts import Occurrence, PromptContext, prompt_kind

if TYPE_CHECKING:
    from slack_bolt import Ack, App

    from bot.app import Services
    from bot.runtime import Runtime

log = logging.getLogger(__name__)
T = TypeVar("T")
PERIOD = re.compile(r"\d{4}-W\d{2}", re.ASCII)  # a meeting's week key
MESSAGE_TS = re.compile(r"\d{1,12}\.\d{1,9}", re.ASCII)  # a Slack message ts, e.g. 1700000000.000100

# -- payloads -------------------------------------------------------------------------------------------


class OneOnOneCommand(BaseModel):
    model_config = ConfigDict(extra="ignore")

    team_id: str
    user_id: str
    channel_id: str | None = None
    text: str = ""
    trigger_id: str

    def parts(self) -> tuple[str, str]:
        """(subcommand in lower case, the rest as typed)."""
        m = re.match(r"\s*(\S+)\s*(.*)", self.text, re.S)
        return (m.group(1).lower(), m.group(2).strip()) if m else ("", "")


def plain(text: str) -> str:
    """Slack's escaped command text as plain text: mentions become @names, links their address."""
    text = USER_MENTION.sub(lambda m: "@" + (m.group(2) or m.group(1)), text)
    text = CHANNEL_MENTION.sub(lambda m: "#" + (m.group(2) or m.group(1)), text)
    text = SPECIAL_MENTION.sub(lambda m: "@" + m.group(1), text)
    text = SUBTEAM_MENTION.sub(lambda m: "@" + (m.group(1) or "group").lstrip("@"), text)
    text = LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})" if m.group(2) else m.group(1), text)
    return unescape(text).strip()


def _state(body: dict[str, Any]) -> dict[str, Any]:
    return dict((body.get("view") or {}).get("state", {}).get("values", {}))


def _field(state: dict[str, Any], block: str, action: str) -> dict[str, Any]:
    return dict(state.get(block, {}).get(action) or {})


def _meta(body: dict[str, Any], sealer: Sealer) -> dict[str, Any] | None:
    """The modal's sealed state (see `bot.sealed`); None when it is not what we sealed for this user."""
    view = body.get("view") or {}
    return sealer.open(str(view.get("callback_id") or ""), user_of(body), view.get("private_metadata"))


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class ActionRow(BaseModel):
    row: int
    text: str = ""
    owner_id: int | None = None
    due: date | None = None

    @property
    def empty(self) -> bool:
        return not self.text.strip() and self.owner_id is None and self.due is None


class NotesSubmission(BaseModel):
    team_id: str
    user_id: str
    view_id: str
    pair_id: int
    period: str
    meeting_at: datetime
    notes: str = ""
    rows: list[ActionRow] = Field(default_factory=list)

    @classmethod
    def from_body(cls, body: dict[str, Any], meta: dict[str, Any]) -> NotesSubmission:
        state = _state(body)
        rows = []
        for row in range(1, views.NOTES_ROWS + 1):
            owner = _field(state, f"{OneOnOneIds.ITEM_OWNER_BLOCK}{row}", OneOnOneIds.ITEM_OWNER_ACTION)
            due = _field(state, f"{OneOnOneIds.ITEM_DUE_BLOCK}{row}", OneOnOneIds.ITEM_DUE_ACTION)
            rows.append(ActionRow(
                row=row,
                text=_field(state, f"{OneOnOneIds.ITEM_TEXT_BLOCK}{row}", OneOnOneIds.ITEM_TEXT_ACTION).get("value")
                or "",
                owner_id=_int((owner.get("selected_option") or {}).get("value")),
                due=due.get("selected_date") or None,
            ))
        return cls(
            team_id=team_of(body), user_id=user_of(body), view_id=str(body["view"]["id"]),
            pair_id=int(meta.get("pair") or 0), period=str(meta.get("period") or ""),
            meeting_at=datetime.fromtimestamp(int(meta.get("at") or 0), UTC),
            notes=_field(state, OneOnOneIds.NOTES_BLOCK, OneOnOneIds.NOTES_ACTION).get("value") or "", rows=rows,
        )


class AddSubmission(BaseModel):
    team_id: str
    user_id: str
    view_id: str
    pair_id: int | None
    topic: str = ""

    @classmethod
    def from_body(cls, body: dict[str, Any], meta: dict[str, Any]) -> AddSubmission:
        state = _state(body)
        chosen = _field(state, OneOnOneIds.PAIR_BLOCK, OneOnOneIds.PAIR_ACTION).get("selected_option") or {}
        return cls(team_id=team_of(body), user_id=user_of(body), view_id=str(body["view"]["id"]),
                   pair_id=_int(meta.get("pair")) or _int(chosen.get("value")),
                   topic=_field(state, OneOnOneIds.TOPIC_BLOCK, OneOnOneIds.TOPIC_ACTION).get("value") or "")


class ScheduleSubmission(BaseModel):
    team_id: str
    user_id: str
    view_id: str
    pair_id: int
    interval_weeks: int | None
    weekday: int | None
    local_time: str

    @classmethod
    def from_body(cls, body: dict[str, Any], meta: dict[str, Any]) -> ScheduleSubmission:
        state = _state(body)
        cadence = _field(state, OneOnOneIds.CADENCE_BLOCK, OneOnOneIds.CADENCE_ACTION).get("selected_option") or {}
        day = _field(state, OneOnOneIds.WEEKDAY_BLOCK, OneOnOneIds.WEEKDAY_ACTION).get("selected_option") or {}
        return cls(team_id=team_of(body), user_id=user_of(body), view_id=str(body["view"]["id"]),
                   pair_id=int(meta.get("pair") or 0), interval_weeks=_int(cadence.get("value")),
                   weekday=_int(day.get("value")),
                   local_time=str(_field(state, OneOnOneIds.TIME_BLOCK, OneOnOneIds.TIME_ACTION).get("selected_time")
                                  or ""))


# -- shared pieces ----------------------------------------------------------------------------------------


def error_text(t: Translator, err: OneOnOneError) -> str:
    return t(err.template, **err.params)


def card_for(session: Session, pair: OneOnOnePair, viewer: Person, t: Translator, now: datetime) -> PairCard:
    other = domain.other_member(pair, viewer)
    slot = domain.next_meeting(pair, now)
    open_points = session.scalar(select(func.count()).select_from(TalkingPoint).where(
        TalkingPoint.pair_id == pair.id, TalkingPoint.meeting_id.is_(None))) or 0
    return PairCard(
        pair_id=pair.id, other_id=other.slack_user_id, other_label=other.label,
        role="report" if viewer.id == pair.manager_id else "manager", next_at=slot.at, next_period=slot.period,
        cadence=views.cadence_text(t, pair.interval_weeks, pair.weekday, pair.local_time, pair.tz),
        open_points=int(open_points),
    )


def cards_for(session: Session, person: Person, t: Translator, now: datetime) -> list[PairCard]:
    return [card_for(session, pair, person, t, now) for pair in domain.pairs_for(session, person)]


def tz_of(person: Person, org: OrgConfig) -> str:
    return zone_name(person.tz, org.schedule.default_timezone)


def slot_of(pair: OneOnOnePair, period: str, stamp: object, now: datetime) -> domain.Slot:
    """The meeting a button or form names, if the pair's schedule really has it; else the meeting notes
    recorded now belong to. (A button's value comes back from the client: it picks, it does not decide.)"""
    raw = str(stamp) if isinstance(stamp, int | str) else ""
    if PERIOD.fullmatch(period) and raw.isascii() and raw.isdigit() and len(raw) < 12:  # "²".isdigit() too
        found = domain.slot_for(pair, period, datetime.fromtimestamp(int(raw), UTC))
        if found is not None:
            return found
    return domain.meeting_for_notes(pair, now)


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
        with services.db.unit_of_work() as session:
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
                    fixed = views.fixed_pair(cards, None)
                    modal = views.add_point_modal(t, cards, topic=topic, private_metadata=seal(
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
        pair_id = _int(body["actions"][0].get("value"))
        with services.db.unit_of_work() as session:
            person = person_by_slack_id(session, team_of(body), user_of(body))
            cards = cards_for(session, person, t, services.clock.now()) if person is not None else []
        if not cards or (pair_id is not None and all(c.pair_id != pair_id for c in cards)):
            view = views.done_view(t, t("Add talking point"), t("This 1:1 has ended, or you are not part of it."))
        else:
            fixed = views.fixed_pair(cards, pair_id)
            view = views.add_point_modal(t, cards, pair_id=pair_id, private_metadata=seal(
                OneOnOneIds.ADD_MODAL, body, {"pair": fixed.pair_id if fixed else None}))
        open_view(body["trigger_id"], view)
        ack()

    @app.view(OneOnOneIds.ADD_MODAL.value)
    def add_submitted(ack: Ack, body: dict[str, Any]) -> None:
        t = translator_for(body)
        meta = _meta(body, services.sealer)
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
                raise OneOnOneError("This 1:1 has ended, or you are not part of it.", field="pair")
            if earlier is None:
                domain.add_talking_point(session, pair, person, sub.topic)
                form.finish(session, {"pair": pair.id})
            return card_for(session, pair, person, t, services.clock.now())

        card, err = attempt(run)
        if err is not None:
            block = views.field_block(err.field or "text")
            if block == OneOnOneIds.PAIR_BLOCK and OneOnOneIds.PAIR_BLOCK.value not in _state(body):
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
        with services.db.unit_of_work() as session:
            person = person_by_slack_id(session, team_of(body), user_of(body))
            pair = domain.live_pair(session, _int(pair_id) or 0)
            if person is None or pair is None or not domain.is_member(pair, person):
                view = views.done_view(t, t("1:1 notes"), t("This 1:1 has ended, or you are not part of it."))
            else:
                slot = slot_of(pair, period, stamp, now)
                meeting = session.scalars(select(OneOnOneMeeting).where(
                    OneOnOneMeeting.pair_id == pair.id, OneOnOneMeeting.period == slot.period)).one_or_none()
                notes = domain.meeting_notes(session, person, meeting, org) if meeting is not None else None
                members = [(p.id, p.label) for p in (pair.manager, pair.report)]
                meta = seal(OneOnOneIds.NOTES_MODAL, body,
                            {"pair": pair.id, "period": slot.period, "at": int(slot.at.timestamp())})
                view = views.notes_modal(t, card_for(session, pair, person, t, now), members=members,
                                         meeting_at=slot.at, notes=notes, private_metadata=meta)
        open_view(body["trigger_id"], view)
        ack()

    @app.view(OneOnOneIds.NOTES_MODAL.value)
    def notes_submitted(ack: Ack, body: dict[str, Any]) -> None:
        t = translator_for(body)
        meta = _meta(body, services.sealer)
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
            if person is None or pair is None or not PERIOD.fullmatch(sub.period):
                raise OneOnOneError("This 1:1 has ended, or you are not part of it.", field="notes")
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
        with services.db.unit_of_work() as session:
            person = person_by_slack_id(session, team_of(body), user_of(body))
            pair = domain.live_pair(session, _int(body["actions"][0].get("value")) or 0)
            if person is None or pair is None or not domain.is_member(pair, person):
                view = views.done_view(t, t("1:1 schedule"), t("This 1:1 has ended, or you are not part of it."))
            else:
                tz = tz_of(person, org)
                card = card_for(session, pair, person, t, services.clock.now())
                local = card.next_at.astimezone(WorkPattern(tz=tz).zone())
                view = views.schedule_modal(t, card, interval_weeks=pair.interval_weeks, weekday=local.weekday(),
                                            local_time=local.strftime("%H:%M"), tz=tz,
                                            private_metadata=seal(OneOnOneIds.SCHEDULE_MODAL, body, {"pair": pair.id}))
        open_view(body["trigger_id"], view)
        ack()

    @app.view(OneOnOneIds.SCHEDULE_MODAL.value)
    def schedule_submitted(ack: Ack, body: dict[str, Any]) -> None:
        t = translator_for(body)
        meta = _meta(body, services.sealer)
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
                raise OneOnOneError("This 1:1 has ended, or you are not part of it.", field="interval")
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
        item_id = _int(body["actions"][0].get("value")) or 0
        user = user_of(body)

        def run(session: Session) -> str | None:
            person = person_by_slack_id(session, team_of(body), user)
            item = domain.action_item_for(session, person, item_id, org) if person is not None else None
            if person is None or item is None:
                raise OneOnOneError("That action item is not one of yours.")
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
                meta = _meta(body, services.sealer) if view.get("callback_id") == OneOnOneIds.LIST_MODAL else None
                if meta is None:
                    return
                with services.db.unit_of_work() as session:
                    modal = list_modal_for(session, body, meta, t)
                if modal is not None:
                    client.views_update(view_id=str(view.get("id") or ""), view=modal)
        except (SlackApiError, OSError) as exc:  # the item is saved; a stale button is only cosmetic
            log.info("could not update the view after marking item %s done: %s", item_id, describe_exception(exc))

    def list_modal_for(session: Session, body: dict[str, Any], value: dict[str, Any], t: Translator) -> View | None:
        """A "Show all" list, for a member of the pair who may see that section; None otherwise. The meeting
        the value names is used only if the pair's schedule has it."""
        person = person_by_slack_id(session, team_of(body), user_of(body))
        pair = session.get(OneOnOnePair, _int(value.get("p")) or 0)
        if person is None or pair is None or not domain.is_member(pair, person):
            return None
        slot = slot_of(pair, str(value.get("m") or ""), value.get("a"), services.clock.now())
        key = str(value.get("s") or "")
        part = domain.agenda_section_for(session, pair, person, org, key, until=slot.at, t=t)
        if part is None:
            return None
        meta = seal(OneOnOneIds.LIST_MODAL, body, {"p": pair.id, "s": key, "m": slot.period,
                                                   "a": int(slot.at.timestamp())})
        return views.list_modal(t, part, private_metadata=meta)

    @app.action(OneOnOneIds.SHOW_ALL_BUTTON.value)
    def show_all(ack: Ack, body: dict[str, Any]) -> None:
        t = translator_for(body)
        try:
            value = json.loads(str(body["actions"][0].get("value") or "{}"))
        except json.JSONDecodeError:
            value = {}
        with services.db.unit_of_work() as session:
            modal = list_modal_for(session, body, value if isinstance(value, dict) else {}, t)
        open_view(body["trigger_id"], modal if modal is not None else
                  views.done_view(t, t("1:1 agenda"), t("This part of the agenda is not available any more.")))
        ack()


# -- the agenda prompt --------------------------------------------------------------------------------------


@prompt_kind(domain.AGENDA_KIND, description="1:1 agenda DM, the working day before each 1:1, in each person's time")
def agenda_prompts(ctx: PromptContext, person: Person, pattern: WorkPattern, start: datetime, end: datetime
                   ) -> list[Occurrence]:
    if not ctx.org.one_on_ones.enabled:
        return []
    by_person = ctx.cache.get(domain.AGENDA_KIND)
    if by_person is None:
        by_person = ctx.cache[domain.AGENDA_KIND] = domain.live_pairs_by_person(ctx.session, person.team_id)
    pairs = by_person.get(person.id)
    if not pairs:
        return []
    return domain.agenda_occurrences(ctx.session, ctx.org, person, pattern, start, end, pairs=pairs)


# -- outbox renderers -----------------------------------------------------------------------------------------


def _recipient(ctx: RenderContext) -> Person:
    if ctx.recipient is None:
        raise Skip("no recipient")
    return ctx.recipient


@renderer(domain.AGENDA_KIND)
def render_agenda(ctx: RenderContext) -> Rendered:
    """Built at send time from the store, so it is fresh; skipped when the pair changed meanwhile."""
    recipient = _recipient(ctx)
    payload = ctx.row.payload
    pair = domain.live_pair(ctx.session, int(payload["pair_id"]))
    if pair is None:
        raise Skip("the 1:1 pair ended (manager change or deactivation)")
    if not domain.is_member(pair, recipient):
        raise Skip("the recipient is no longer in this 1:1")
    period, at = str(payload["meeting_period"]), datetime.fromisoformat(str(payload["meeting_at"]))
    week = domain.meetings_between(pair, at - timedelta(days=7), at + timedelta(days=7))
    slot = domain.slot_for(pair, period, at) or next((s for s in week if s.period == period), None)
    if slot is None:
        raise Skip("the 1:1 was moved out of that week")
    now = clock_of(ctx.session).now()
    agenda = domain.build_agenda(ctx.session, pair, recipient, ctx.org, until=slot.at, t=ctx.t)
    card = card_for(ctx.session, pair, recipient, ctx.t, min(now, slot.at - timedelta(seconds=1)))
    text, blocks = views.agenda_message(ctx.t, agenda, card, meeting_period=slot.period, meeting_at=slot.at,
                                        tz=recipient.tz)
    return Rendered(text=text, blocks=blocks)


@renderer(domain.NUDGE_KIND)
def render_nudge(ctx: RenderContext) -> Rendered:
    recipient = _recipient(ctx)
    alert = ctx.session.get(Alert, int(ctx.row.payload["alert_id"]))
    if alert is None or alert.resolved_at is not None:
        raise Skip("the 1:1 took place meanwhile")
    pair = domain.live_pair(ctx.session, alert.pair_id or 0)
    if pair is None or pair.manager_id != recipient.id:
        raise Skip("the 1:1 pair ended")
    card = card_for(ctx.session, pair, recipient, ctx.t, clock_of(ctx.session).now())
    text, blocks = views.nudge_dm(ctx.t, card, weeks=int(alert.details.get("weeks") or
                                                         ctx.org.one_on_ones.no_meeting_alert_weeks))
    return Rendered(text=text, blocks=blocks)


@renderer(domain.NOTES_KIND)
def render_notes(ctx: RenderContext) -> Rendered:
    recipient = _recipient(ctx)
    payload = ctx.row.payload
    meeting = ctx.session.get(OneOnOneMeeting, int(payload["meeting_id"]))
    author = ctx.session.get(Person, int(payload["author_id"]))
    if meeting is None or author is None:
        raise Skip("the meeting is gone")
    notes = domain.meeting_notes(ctx.session, recipient, meeting, ctx.org)
    items = []
    for item_id in payload.get("item_ids") or []:
        item = domain.action_item_for(ctx.session, recipient, int(item_id), ctx.org)
        if item is not None and item.done_at is None:
            owner = ctx.session.get(Person, item.owner_id)
            items.append((item.id, views.item_line(ctx.t, item.text, owner.label if owner else "?", item.due_date)))
    if notes is None and not items:
        raise Skip("nothing the recipient may see")
    text, blocks = views.notes_dm(ctx.t, author_id=author.slack_user_id, meeting_at=meeting.scheduled_at,
                                  notes=notes, items=items)
    return Rendered(text=text, blocks=blocks)


@renderer(domain.SCHEDULE_KIND)
def render_schedule(ctx: RenderContext) -> Rendered:
    recipient = _recipient(ctx)
    pair = domain.live_pair(ctx.session, int(ctx.row.payload["pair_id"]))
    actor = ctx.session.get(Person, int(ctx.row.payload["actor_id"]))
    if pair is None or actor is None or not domain.is_member(pair, recipient):
        raise Skip("the 1:1 pair ended")
    text, blocks = views.schedule_dm(ctx.t, card_for(ctx.session, pair, recipient, ctx.t, clock_of(ctx.session).now()),
                                     actor_id=actor.slack_user_id)
    return Rendered(text=text, blocks=blocks)


# -- App Home --------------------------------------------------------------------------------------------------


@home_section(order=30)
def one_on_ones_home(session: Session, person: Person, t: Translator, org: OrgConfig) -> list[Block]:
    if not person.active:
        return []
    cards = cards_for(session, person, t, clock_of(session).now())
    items, total = domain.open_action_items(session, person, org, limit=views.HOME_ITEMS)
    owners = {p.id: p.label for p in session.scalars(select(Person).where(Person.id.in_({i.owner_id for i in items})))}
    rows = [views.HomeItem(item_id=i.id, line=views.item_line(t, i.text, owners.get(i.owner_id, "?"), i.due_date))
            for i in items]
    return views.home_blocks(t, cards, rows, total, tz=person.tz)


# -- jobs (registered in scheduler/jobs.py) ----------------------------------------------------------------------


def sync_pairs_job(rt: Runtime) -> str:
    """Make 1:1 pairs follow the org chart (hourly, and after org changes)."""
    with rt.services.unit_of_work() as session:
        report = domain.sync_pairs(session, rt.team_id(), rt.org)
    return str(report)


def alerts_job(rt: Runtime) -> str:
    """Record no-1:1-in-N-weeks alerts for the HR digest; one nudge to the manager per alert (daily)."""
    with rt.services.unit_of_work() as session:
        made = domain.alerts_no_meeting(session, rt.team_id(), rt.org)
    return f"{len(made)} new no-1:1 alerts"

