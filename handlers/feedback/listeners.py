"""Feedback listeners: `/feedback` (give, request, help), the "Give feedback on this" message shortcut, the
request DM's and the Home's Give feedback / Decline buttons, and the modal.

Listener order: parse the payload → ask Slack about people never seen (before the unit of work, within the
request's time) → domain work in one unit of work (a `FeedbackError` rolls it back and becomes an inline error
or a short answer) → open a modal → `ack()` last. The subject, the message link and the request a form answers
are sealed into the modal for this user; a request id in a button is looked up and checked against whoever
clicked; every submission claims its view once (`models.core.submissions.Form`) and the domain is idempotent
on the view id too.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError
from slack_sdk.models.views import View
from sqlalchemy.orm import Session

from bot.blocks import form_expired, form_state
from bot.i18n import Translator
from bot.services import LOOKUP_RESERVE, LOOKUP_TIMEOUT, mention_names, name_of, team_of, user_of
from bot.slack import describe_exception
from handlers.feedback import common, round_listeners, views
from handlers.feedback.common import button_value, refresh_homes
from handlers.feedback.ids import FeedbackIds as Ids
from handlers.feedback.payloads import FeedbackCommand, FeedbackSubmission, parse_command, to_int
from models.core import submissions
from models.core.messages import _t
from models.core.tables import Person
from models.core.text import is_slack_permalink
from models.feedback import (
    FeedbackDraft,
    FeedbackError,
    FeedbackRequestPeer,
    check_recipient,
    decline_request,
    give_feedback,
    load_request_peer,
    may_answer_anonymously,
    request_feedback,
)
from models.people import ensure_people, person_by_slack_id

if TYPE_CHECKING:
    from slack_bolt import Ack, App

    from bot.services import Services

log = logging.getLogger(__name__)

UNKNOWN_PERSON = _t("Candor can't give feedback to this person. Choose someone else.")
FROM_AN_APP = _t("This message was posted by an app: feedback is for people.")
ALREADY_ANSWERED = _t("You have already answered this request. Thank you!")
ALREADY_DECLINED = _t("You have declined this request.")
LEVEL_ELSEWHERE = _t("That level is on the scale of {competency}: choose a level of the competency you picked, or "
                     "no competency.")
PICK_A_LEVEL = _t("Choose one of the levels offered.")


class Refused(Exception):
    """Inputs that are not what the form offered (errors by block id); nothing was written."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("invalid form")
        self.errors = errors


def register(app: App, services: Services) -> None:
    org = services.org
    cfg = org.feedback
    start_round = round_listeners.register(app, services)

    def open_view(body: dict[str, Any], view: View) -> None:
        common.open_view(services, body, view)

    def give_modal(t: Translator, user_id: str, subject: Person, *, permalink: str | None = None,
                   row: FeedbackRequestPeer | None = None) -> View:
        """The form about `subject`, sealed for `user_id`: the subject, the message link and the request it
        answers cannot be changed on the way back."""
        competencies = [c for c in cfg.competencies if subject.department is None or c.applies_to(subject.department)]
        competency = cfg.competency(row.request.competency) if row is not None else None
        meta = services.sealer.seal(Ids.MODAL, user_id, {
            "subject": subject.slack_user_id, "permalink": permalink, "request": row.id if row is not None else None})
        return views.feedback_modal(
            t, cfg, competencies, subject_id=subject.slack_user_id, private_metadata=meta, permalink=permalink,
            requested=views.request_line(t, row, competency) if row is not None else None,
            competency=competency if competency in competencies else None,
            anonymous=may_answer_anonymously(org, row.request) if row is not None else None)

    def modal_about(body: dict[str, Any], subject_id: str | None, names: dict[str, str],
                    permalink: str | None = None) -> tuple[Translator, View | None, str | None]:
        """The form about `subject_id` for whoever sent `body`, or the reason there is none (in their language)."""
        team_id, user_id = team_of(body), user_of(body)
        directory = services.lookup_people(team_id, [user_id, *([subject_id] if subject_id else [])], names)
        view: View | None = None
        refusal: str | None = None
        with services.unit_of_work() as session:
            person = services.acting_person(session, body)
            t = services.t_of(person, body)
            subject = ensure_people(session, team_id, [subject_id], directory)[subject_id] if subject_id else None
            try:
                if subject_id is None:
                    raise FeedbackError(FROM_AN_APP, code="bot")
                if subject is None:
                    raise FeedbackError(UNKNOWN_PERSON, code="unknown")
                check_recipient(person, subject)
                view = give_modal(t, user_id, subject, permalink=permalink)
            except FeedbackError as err:
                refusal = t.message(err.message)
        services.recorded(team_id, [user_id, *([subject_id] if subject_id else [])], directory)
        return t, view, refusal

    # -- /feedback --------------------------------------------------------------------------------------

    def request_reply(body: dict[str, Any], cmd: FeedbackCommand, peers: list[str], topic: str) -> str:
        names = {cmd.user_id: name_of(body), **mention_names(cmd.text)}
        directory = services.lookup_people(cmd.team_id, [cmd.user_id, *peers], names)
        try:
            with services.unit_of_work() as session:
                requester = services.acting_person(session, body)
                t = services.t_of(requester, body)
                found = ensure_people(session, cmd.team_id, peers, directory)
                if any(p is None for p in found.values()):
                    raise FeedbackError(UNKNOWN_PERSON, code="unknown", field="peers")
                request, _ = request_feedback(session, org, requester, [p for p in found.values() if p is not None],
                                              source_key=f"command:{cmd.trigger_id}", topic=topic)
                refresh_homes(session, *(row.peer for row in request.peers), cause=f"feedback-request-{request.id}")
                reply = views.requested_text(t, [row.peer.slack_user_id for row in request.peers], request.topic,
                                             cfg.competency(request.competency))
        except FeedbackError as err:
            t = services.translator_for(body)
            # People listed as "a, b and c" in the reader's language (the default joins them with commas).
            users = err.message.params.get("users")
            overrides = {"users": t.list([f"<@{u}>" for u in users])} if isinstance(users, list) else {}
            return t.message(err.message, **overrides)
        services.recorded(cmd.team_id, [cmd.user_id, *peers], directory)
        return reply

    @app.command(Ids.COMMAND.value)
    def feedback_command(ack: Ack, body: dict[str, Any]) -> None:
        cmd = FeedbackCommand.model_validate(body)
        parsed = parse_command(cmd.text)
        if not cfg.enabled:
            ack(text=views.feedback_off(services.translator_for(body)))
            return
        if parsed.kind in ("help", "unknown"):
            text, blocks = views.usage(services.translator_for(body),
                                       unknown=parsed.word if parsed.kind == "unknown" else None)
            ack(text=text, blocks=blocks)
            return
        if parsed.kind == "request":
            ack(text=request_reply(body, cmd, parsed.peers, parsed.topic))
            return
        if parsed.kind == "round" and parsed.subject is not None:
            start_round(ack, body, cmd, parsed.subject)
            return
        _, view, refusal = modal_about(body, parsed.subject, {cmd.user_id: name_of(body), **mention_names(cmd.text)})
        if view is not None:
            open_view(body, view)
            ack()
        else:
            ack(text=refusal or "")

    # -- the message shortcut ---------------------------------------------------------------------------

    @app.shortcut({"callback_id": Ids.MESSAGE_SHORTCUT.value, "type": "message_action"})
    def feedback_on_message(ack: Ack, body: dict[str, Any]) -> None:
        message = body.get("message") or {}
        channel = (body.get("channel") or {}).get("id")
        author = message.get("user") if not message.get("bot_id") else None
        permalink = None
        # Optional: the form opens without the link when Slack is busy or the request is short of time.
        if author and channel and message.get("ts") and services.has_time_for(LOOKUP_RESERVE):
            try:
                permalink = services.request_client().with_options(timeout=LOOKUP_TIMEOUT).chat_getPermalink(
                    channel=channel, message_ts=message["ts"])["permalink"]
            except (SlackApiError, OSError) as exc:
                log.info("no permalink for the message: %s", describe_exception(exc))
        t, view, refusal = modal_about(body, str(author) if author else None, {user_of(body): name_of(body)},
                                       permalink=permalink if is_slack_permalink(permalink) else None)
        if not cfg.enabled:
            view = views.done_view(t, t("Give feedback"), views.feedback_off(t))
        open_view(body, view or views.done_view(t, t("Give feedback"), refusal or ""))
        ack()

    # -- the request's buttons (DM and Home) ------------------------------------------------------------

    @app.action(Ids.ANSWER_BUTTON.value)
    def answer_button(ack: Ack, body: dict[str, Any]) -> None:
        """The value names a request; it is looked up and checked against whoever clicked, never trusted."""
        view: View | None = None
        with services.unit_of_work() as session:
            person = services.acting_person(session, body)
            t = services.t_of(person, body)
            try:
                if not cfg.enabled:
                    raise FeedbackError(_t("Feedback is turned off in this workspace."), code="off")
                row = load_request_peer(session, person, button_value(body))
                if row.state != "pending":
                    raise FeedbackError(ALREADY_ANSWERED if row.state == "answered" else ALREADY_DECLINED,
                                        code=row.state)
                check_recipient(person, row.request.requester)
                view = give_modal(t, person.slack_user_id, row.request.requester, row=row)
            except FeedbackError as err:
                view = views.done_view(t, t("Give feedback"), t.message(err.message))
        open_view(body, view)
        ack()

    @app.action(Ids.DECLINE_BUTTON.value)
    def decline_button(ack: Ack, body: dict[str, Any]) -> None:
        try:
            with services.unit_of_work() as session:
                person = services.acting_person(session, body)
                t = services.t_of(person, body)
                row = decline_request(session, person, button_value(body))
                refresh_homes(session, person, cause=f"feedback-declined-{row.id}")
                text = t("Declined. {person} will get a kind note: nothing more is needed from you.",
                         person=f"<@{row.request.requester.slack_user_id}>")
        except FeedbackError as err:
            t = services.translator_for(body)
            text = t.message(err.message)
        open_view(body, views.done_view(t, t("Feedback request"), text))
        ack()

    # -- the modal --------------------------------------------------------------------------------------

    @app.view(Ids.MODAL.value)
    def feedback_submitted(ack: Ack, body: dict[str, Any]) -> None:
        t = services.translator_for(body)
        sub = FeedbackSubmission.from_body(body, services.sealer)
        present = set(form_state(body))
        first = Ids.BEHAVIOUR_BLOCK.value
        if sub.origin is None:
            ack(response_action="errors", errors={first: form_expired(t)})
            return
        if not cfg.enabled:
            ack(response_action="errors", errors={first: views.feedback_off(t)})
            return
        origin = sub.origin
        names: dict[str, str] = {}

        def run(session: Session) -> dict[str, Any]:
            # An anonymous answer claims no form (the claim pairs the view with its sender, and a time with the
            # answer's): the request row's state stops a second answer instead.
            form = None if sub.anonymous else submissions.Form(sub.team_id, sub.user_id, sub.view_id, "feedback.give")
            earlier = form.claim(session) if form is not None else None
            if earlier is not None:  # a double submit: what the first one recorded
                return earlier
            person = services.acting_person(session, body)
            subject = person_by_slack_id(session, sub.team_id, str(origin.get("subject") or ""))
            if subject is None:
                raise FeedbackError(UNKNOWN_PERSON, code="unknown", field="subject")
            names["user"] = subject.label
            if sub.level_unreadable:
                raise Refused({Ids.LEVEL_BLOCK.value: t(PICK_A_LEVEL)})
            competency = sub.competency or sub.level_competency
            if sub.competency and sub.level_competency and sub.competency != sub.level_competency:
                scale = cfg.competency(sub.level_competency)
                raise Refused({Ids.LEVEL_BLOCK.value: t(LEVEL_ELSEWHERE, competency=scale.name if scale else "?")})
            feedback, _ = give_feedback(session, org, FeedbackDraft(
                team_id=sub.team_id, author=person, subject=subject, behaviour=sub.behaviour, impact=sub.impact,
                example=sub.example, source_key=f"view:{sub.view_id}", competency=competency, level=sub.level,
                visibility=sub.visibility, permalink=str(origin.get("permalink") or "") or None,
                request_peer_id=to_int(origin.get("request")), anonymous=sub.anonymous))
            # Not the author's Home for an anonymous answer: a row naming them beside the answer's id.
            refresh_homes(session, *([subject] if feedback.anonymous else [person, subject]),
                          cause=f"feedback-{feedback.id}")
            result = {"subject": subject.slack_user_id, "visibility": feedback.visibility,
                      "anonymous": feedback.anonymous}
            if form is not None:
                form.finish(session, result)
            return result

        try:
            with services.unit_of_work() as session:
                result = run(session)
        except Refused as refused:
            ack(response_action="errors", errors=refused.errors)
            return
        except FeedbackError as err:
            if err.code == "answered" and sub.anonymous:  # a double submit of an anonymous answer
                ack(response_action="update", view=views.done_view(t, t("Feedback sent"), t.message(err.message)))
                return
            overrides = {"user": names["user"]} if "user" in err.message.params and "user" in names else {}
            ack(response_action="errors", errors=views.modal_errors(t, err, present, **overrides))
            return
        ack(response_action="update", view=views.sent_view(t, str(result.get("subject") or ""),
                                                           str(result.get("visibility") or ""),
                                                           bool(result.get("anonymous"))))
