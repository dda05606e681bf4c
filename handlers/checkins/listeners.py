"""Weekly check-ins: prompt and reminder (scheduled), the modal, the manager's summary and its buttons."""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.blocks import VIEW_BLOCKS_MAX, form_expired, mention
from bot.registry import CheckinExtension, PartRefused
from bot.services import team_of, user_of
from handlers.checkins import views as views
from handlers.checkins.ids import CheckinIds
from handlers.kudos import modal as kudos_modal
from models import access, checkins
from models.checkins.tables import Checkin
from models.core import submissions
from models.core.config import OrgConfig
from models.core.messages import Message
from models.core.prompts import pattern_for
from models.core.tables import Person
from models.one_on_ones import NO_ONE_ON_ONE, OneOnOneError, add_talking_point, pair_of

if TYPE_CHECKING:
    from slack_bolt import Ack, App

    from bot.services import Services

SLACK_USER = re.compile(r"[UW][A-Z0-9]{2,30}", re.ASCII)
PRIVATE_METADATA_MAX = 3000  # Slack's limit for a view's private_metadata


# -- listeners ----------------------------------------------------------------------------------------


def _answers_from_state(state: dict[str, Any]) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for block_id, actions in state.items():
        if not block_id.startswith("q_"):
            continue
        value = actions.get(CheckinIds.ANSWER_ACTION, {})
        selected = value.get("selected_option")
        answers[block_id[2:]] = selected["value"] if selected else value.get("value")
    return answers


def _text_input(view: dict[str, Any], block: str, action: str) -> str:
    return str(view.get("state", {}).get("values", {}).get(block, {}).get(action, {}).get("value") or "")


def _record_id(body: dict[str, Any]) -> int:
    """A button's record id; 0 (which matches nothing) when the value is not one."""
    raw = str((body.get("actions") or [{}])[0].get("value") or "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 19 else 0


# -- other features' parts of the check-in (`bot.registry.CheckinExtension`) ---------------------------------


@cache
def _all_parts() -> tuple[CheckinExtension, ...]:
    # The features' joined Slack sides: the runtime is the one place that loads them.
    from bot.runtime import slack_registry

    return slack_registry().checkin_extensions


def checkin_parts(org: OrgConfig) -> tuple[CheckinExtension, ...]:
    """The parts other features add to the check-in modal (goals), those the organisation has turned on."""
    return tuple(part for part in _all_parts() if part.enabled(org))


def register(app: App, services: Services) -> None:
    org = services.org
    _all_parts()  # joined once, now: a mistake in another feature's part shows at start, not at a request

    def open_modal(body: dict[str, Any], view: Any) -> None:
        services.request_client().views_open(trigger_id=body["trigger_id"], view=view)

    def visible_checkin(session: Session, actor: Person, checkin_id: int) -> Checkin | None:
        """The check-in, if the access policy lets this person see it (a button's id is looked up, never
        trusted)."""
        checkin = session.get(Checkin, checkin_id) if checkin_id else None
        if checkin is None or checkin.team_id != actor.team_id:
            return None
        viewer = access.Viewer.slack(actor, hr_admin_ids=frozenset(org.hr.admins))
        return checkin if access.can_see(session, viewer, access.RecordKind.CHECKIN_ANSWER,
                                         owner=checkin.person) else None

    @app.action(CheckinIds.OPEN.value)
    def open_checkin(ack: Ack, body: dict[str, Any]) -> None:
        period = str(body["actions"][0].get("value") or "")
        with services.unit_of_work() as session:
            person = services.acting_person(session, body)
            t = services.t_of(person, body)
            pattern = pattern_for(person, org)
            if not checkins.is_week_key(period) or checkins.prompt_due(period, org.checkins, pattern) is None:
                view = views.done_view(t, t("Weekly check-in"), t("That check-in doesn't exist."))
            else:
                existing = checkins.for_period(session, person, period)
                closed = services.clock.now() >= checkins.closes_at(period, org.checkins, pattern)
                if existing is not None and closed:
                    view = views.done_view(t, t("Weekly check-in"), t(
                        "Your check-in for {week} is closed and can no longer be edited.",
                        week=views.week_label(t, period)))
                else:
                    # Other features' parts at the top (the person's goals), in the room the questions leave.
                    room = VIEW_BLOCKS_MAX - 1 - len(org.checkins.questions[:views.QUESTIONS_MAX])
                    lead: list[Any] = []
                    sealed: dict[str, Any] = {}
                    for part in checkin_parts(org):
                        found = part.blocks(session, person, t, org, room - len(lead))
                        if found is not None and len(lead) + len(found.blocks) <= room:
                            lead += found.blocks
                            if found.sealed:
                                sealed[part.name] = found.sealed
                    state: dict[str, Any] = {"period": period, **({"parts": sealed} if sealed else {})}
                    meta = services.sealer.seal(CheckinIds.MODAL, person.slack_user_id, state)
                    if len(meta) > PRIVATE_METADATA_MAX:  # the parts asked too much: the check-in alone
                        lead, meta = [], services.sealer.seal(CheckinIds.MODAL, person.slack_user_id,
                                                              {"period": period})
                    view = views.checkin_modal(t, period, org.checkins.questions, existing=existing, late=closed,
                                               private_metadata=meta, lead_blocks=lead)
        open_modal(body, view)
        ack()

    @app.view(CheckinIds.MODAL.value)
    def checkin_submitted(ack: Ack, body: dict[str, Any]) -> None:
        view = body["view"]
        first_block = f"q_{org.checkins.questions[0].id}"
        meta = services.sealer.open(CheckinIds.MODAL, user_of(body), view.get("private_metadata"))
        period = str((meta or {}).get("period") or "")
        answers = _answers_from_state(view.get("state", {}).get("values", {}))
        t = services.translator_for(body)
        if meta is None:
            ack(response_action="errors", errors={first_block: form_expired(t)})
            return
        # Other features' parts (goal progress): read with what they sealed when the form opened; a value they
        # cannot read is an inline error, and nothing is written.
        found = meta.get("parts")
        sealed: dict[str, Any] = found if isinstance(found, dict) else {}
        readings: list[tuple[CheckinExtension, Any]] = []
        problems: dict[str, Message] = {}
        for part in checkin_parts(org):
            reading, errors = part.read(view.get("state", {}).get("values", {}), sealed.get(part.name) or {})
            problems.update(errors)
            if reading is not None:
                readings.append((part, reading))
        if problems:
            ack(response_action="errors", errors=PartRefused(problems).in_language(t))
            return
        source_key = f"checkin:{user_of(body)}:{view['id']}"  # one submission: recorded once, however often sent

        notes: list[str] = []  # what the parts said, for this answer only (not kept with the form's result)

        def save() -> dict[str, Any]:
            with services.unit_of_work() as session:
                form = submissions.Form(team_of(body), user_of(body), view["id"], "checkin")
                earlier = form.claim(session)
                if earlier is not None:
                    return earlier
                person = services.acting_person(session, body)
                result = checkins.submit(session, person, period, answers, org, pattern_for(person, org),
                                         now=services.clock.now())
                said = [part.apply(session, person, org, reading, source_key) for part, reading in readings]
                notes[:] = [t.message(note) for note in said if note is not None]
                done = {"late": result.late, "edited": not result.created,
                        "has_manager": result.checkin.manager_id is not None}
                form.finish(session, done)
                return done

        try:
            try:
                done = save()
            except IntegrityError:  # another form for the same week saved it first: this one is an edit
                done = save()
        except checkins.CheckinInvalid as err:
            ack(response_action="errors", errors=views.answer_errors(t, err.errors))
            return
        except PartRefused as err:  # raised inside the unit of work: neither the answers nor the parts were saved
            ack(response_action="errors", errors=err.in_language(t))
            return
        except checkins.CheckinError as err:
            message = t.message(err.message, week=views.week_label(t, period))
            ack(response_action="errors", errors={first_block: message})
            return
        ack(response_action="update", view=views.saved_view(t, period, late=bool(done.get("late")),
                                                            edited=bool(done.get("edited")),
                                                            has_manager=bool(done.get("has_manager")),
                                                            notes=notes))

    @app.action(CheckinIds.REPLY.value)
    def reply_button(ack: Ack, body: dict[str, Any]) -> None:
        with services.unit_of_work() as session:
            actor = services.acting_person(session, body)
            t = services.t_for(session, actor.team_id, actor.slack_user_id, body)
            checkin = session.get(Checkin, _record_id(body))
            if checkin is None or not checkins.may_reply(session, checkin, actor):
                view = views.done_view(t, t("Reply"), t(checkins.NOT_MANAGER))
            else:
                meta = services.sealer.seal(CheckinIds.REPLY_MODAL, actor.slack_user_id, {"checkin_id": checkin.id})
                view = views.reply_modal(t, checkin, private_metadata=meta)
        open_modal(body, view)
        ack()

    @app.view(CheckinIds.REPLY_MODAL.value)
    def reply_submitted(ack: Ack, body: dict[str, Any]) -> None:
        view = body["view"]
        meta = services.sealer.open(CheckinIds.REPLY_MODAL, user_of(body), view.get("private_metadata"))
        checkin_id = int((meta or {}).get("checkin_id") or 0)
        text = _text_input(view, CheckinIds.REPLY_BLOCK, CheckinIds.REPLY_ACTION)
        t = services.translator_for(body)
        if meta is None:
            ack(response_action="errors", errors={CheckinIds.REPLY_BLOCK.value: form_expired(t)})
            return
        try:
            with services.unit_of_work() as session:
                form = submissions.Form(team_of(body), user_of(body), view["id"], "checkin.reply")
                done = form.claim(session)
                if done is None:
                    actor = services.acting_person(session, body)
                    checkin = session.get(Checkin, checkin_id)
                    if checkin is None:
                        raise checkins.CheckinError(checkins.NOT_MANAGER, code="not_manager")
                    checkins.reply(session, checkin, actor, text)
                    done = {"person": checkin.person.slack_user_id}
                    form.finish(session, done)
        except checkins.CheckinError as err:
            ack(response_action="errors", errors={CheckinIds.REPLY_BLOCK.value: t.message(err.message)})
            return
        ack(response_action="update", view=views.done_view(t, t("Reply"), t(":white_check_mark: Sent to {person}.",
                                                                             person=mention(str(done["person"])))))

    @app.action(CheckinIds.READ_ALL.value)
    def read_all(ack: Ack, body: dict[str, Any]) -> None:
        with services.unit_of_work() as session:
            actor = services.acting_person(session, body)
            t = services.t_for(session, actor.team_id, actor.slack_user_id, body)
            checkin = visible_checkin(session, actor, _record_id(body))
            if checkin is None:
                view = views.done_view(t, t("Check-in"), t("You can't see this check-in."))
            else:
                blocker_ids = {q.id for q in org.checkins.questions if q.blocker}
                view = views.full_checkin_modal(t, checkin, blocker_ids=blocker_ids)
        open_modal(body, view)
        ack()

    @app.action(CheckinIds.ADD_TO_ONE_ON_ONE.value)
    def add_to_one_on_one(ack: Ack, body: dict[str, Any]) -> None:
        with services.unit_of_work() as session:
            actor = services.acting_person(session, body)
            t = services.t_for(session, actor.team_id, actor.slack_user_id, body)
            checkin = visible_checkin(session, actor, _record_id(body))
            pair = pair_of(session, actor, checkin.person) if checkin is not None else None
            if checkin is None or pair is None:
                view = views.done_view(t, t("Add to our 1:1"), t(NO_ONE_ON_ONE))
            else:
                blocker = next((str(checkin.answers[q.id]) for q in org.checkins.questions
                                if q.blocker and checkin.answers.get(q.id)), "")
                suggestion = t("From the check-in for {week}: {text}", week=views.week_label(t, checkin.period),
                               text=blocker) if blocker else t("Their check-in for {week}",
                                                               week=views.week_label(t, checkin.period))
                meta = services.sealer.seal(CheckinIds.TOPIC_MODAL, actor.slack_user_id, {"checkin_id": checkin.id})
                view = views.topic_modal(t, suggestion, private_metadata=meta)
        open_modal(body, view)
        ack()

    @app.view(CheckinIds.TOPIC_MODAL.value)
    def topic_submitted(ack: Ack, body: dict[str, Any]) -> None:
        view = body["view"]
        meta = services.sealer.open(CheckinIds.TOPIC_MODAL, user_of(body), view.get("private_metadata"))
        checkin_id = int((meta or {}).get("checkin_id") or 0)
        text = _text_input(view, CheckinIds.TOPIC_BLOCK, CheckinIds.TOPIC_ACTION)
        t = services.translator_for(body)
        if meta is None:
            ack(response_action="errors", errors={CheckinIds.TOPIC_BLOCK.value: form_expired(t)})
            return
        try:
            with services.unit_of_work() as session:
                form = submissions.Form(team_of(body), user_of(body), view["id"], "checkin.topic")
                if form.claim(session) is None:
                    actor = services.acting_person(session, body)
                    checkin = visible_checkin(session, actor, checkin_id)
                    pair = pair_of(session, actor, checkin.person) if checkin is not None else None
                    if pair is None:
                        raise OneOnOneError(NO_ONE_ON_ONE)
                    add_talking_point(session, pair, actor, text)
                    form.finish(session, {})
        except OneOnOneError as err:
            ack(response_action="errors", errors={CheckinIds.TOPIC_BLOCK.value: t.message(err.message)})
            return
        ack(response_action="update", view=views.done_view(t, t("Add to our 1:1"),
                                                           t(":white_check_mark: Added to your next 1:1.")))

    @app.action(CheckinIds.GIVE_KUDOS.value)
    def give_kudos_button(ack: Ack, body: dict[str, Any]) -> None:
        t = services.translator_for(body)
        # The button names the person to pre-select; the giver can change it, and the kudos rules check it.
        recipient = str(body["actions"][0].get("value") or "")
        recipients = [recipient] if SLACK_USER.fullmatch(recipient) else None
        open_modal(body, kudos_modal(services, t, user_of(body), team_id=team_of(body), recipients=recipients))
        ack()
