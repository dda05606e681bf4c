"""360 round listeners: `/feedback 360 @person` (the start form), its submission, the reviewer's Answer and
Decline buttons and form, and the Home's View results and Cancel round buttons.

The person a round is about and the round a form answers are sealed into the modal for the user who opened it;
a round id in a button is looked up and checked against whoever clicked. Every submission claims its view once
(`models.core.submissions.Form`); an answer's claim records the round only, never the answer, which in an
anonymous round must not be joinable to its reviewer. Nothing about an answer is logged.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from slack_sdk.models.views import View

from bot.blocks import form_expired, form_state
from bot.services import mention_names, name_of
from handlers.feedback import common, round_views, views
from handlers.feedback.common import button_value, refresh_homes
from handlers.feedback.ids import FeedbackIds as Ids
from handlers.feedback.ids import round_block
from handlers.feedback.payloads import FeedbackCommand, RoundAnswerSubmission, RoundStartSubmission, to_int
from models.core import submissions
from models.core.messages import _t
from models.feedback import FeedbackError
from models.feedback import rounds as fr
from models.people import ensure_people, person_by_slack_id

if TYPE_CHECKING:
    from slack_bolt import Ack, App

    from bot.services import Services

UNKNOWN_PERSON = _t("Candor doesn't know this person yet. Choose someone else.")
UNREADABLE_LEVEL = _t("Choose one of the levels offered.")
BAD_DATE = _t("Choose a date from the calendar.")

StartCommand = Callable[["Ack", dict[str, Any], FeedbackCommand, str], None]


def register(app: App, services: Services) -> StartCommand:
    """Registers the round listeners; returns what `/feedback 360 @person` calls."""
    org = services.org
    cfg = org.feedback

    def open_view(body: dict[str, Any], view: View) -> None:
        common.open_view(services, body, view)

    # -- /feedback 360 @person -------------------------------------------------------------------------

    def start_command(ack: Ack, body: dict[str, Any], cmd: FeedbackCommand, subject_id: str) -> None:
        names = {cmd.user_id: name_of(body), **mention_names(cmd.text)}
        directory = services.lookup_people(cmd.team_id, [cmd.user_id, subject_id], names)
        view: View | None = None
        with services.unit_of_work() as session:
            starter = services.acting_person(session, body)
            t = services.t_of(starter, body)
            subject = ensure_people(session, cmd.team_id, [subject_id], directory)[subject_id]
            try:
                if subject is None:
                    raise FeedbackError(UNKNOWN_PERSON, code="unknown")
                now = services.clock.now()
                fr.check_can_start(session, org, starter, subject, now)
                suggested = [p.slack_user_id for p in fr.suggest_reviewers(session, subject, now=now,
                                                                           limit=cfg.max_reviewers)]
                competencies = [c for c in cfg.competencies if c.applies_to(subject.department)]
                meta = services.sealer.seal(Ids.ROUND_START_MODAL, starter.slack_user_id,
                                            {"subject": subject.slack_user_id})
                view = round_views.start_modal(
                    t, cfg, subject_id=subject.slack_user_id, suggested=suggested, competencies=competencies,
                    chosen=fr.default_competencies(org, subject),
                    deadline=fr.local_today(org, subject, now) + timedelta(days=cfg.round_days),
                    private_metadata=meta)
                refusal = None
            except FeedbackError as err:
                refusal = t.message(err.message)
        services.recorded(cmd.team_id, [cmd.user_id, subject_id], directory)
        if view is not None:
            open_view(body, view)
            ack()
        else:
            ack(text=refusal or "")

    @app.view(Ids.ROUND_START_MODAL.value)
    def round_started(ack: Ack, body: dict[str, Any]) -> None:
        t = services.translator_for(body)
        sub = RoundStartSubmission.from_body(body, services.sealer)
        present = set(form_state(body))
        first = Ids.ROUND_REVIEWERS_BLOCK.value
        if sub.origin is None:
            ack(response_action="errors", errors={first: form_expired(t)})
            return
        if not cfg.enabled:
            ack(response_action="errors", errors={first: views.feedback_off(t)})
            return
        try:
            deadline = date.fromisoformat(sub.deadline or "")
        except ValueError:
            ack(response_action="errors", errors={Ids.ROUND_DEADLINE_BLOCK.value: t(BAD_DATE)})
            return
        subject_id = str(sub.origin.get("subject") or "")
        directory = services.lookup_people(sub.team_id, [sub.user_id, *sub.reviewers], {sub.user_id: name_of(body)})
        labels: dict[str, str] = {}
        try:
            with services.unit_of_work() as session:
                form = submissions.Form(sub.team_id, sub.user_id, sub.view_id, "feedback.round_start")
                earlier = form.claim(session)
                starter = services.acting_person(session, body)
                t = services.t_of(starter, body)
                if earlier is not None:
                    round_ = fr.find_round(session, int(earlier.get("round_id") or 0))
                else:
                    subject = person_by_slack_id(session, sub.team_id, subject_id)
                    if subject is None:
                        raise FeedbackError(UNKNOWN_PERSON, code="unknown")
                    labels["user"] = subject.label
                    found = ensure_people(session, sub.team_id, sub.reviewers, directory)
                    if any(p is None for p in found.values()):
                        raise FeedbackError(UNKNOWN_PERSON, code="unknown", field="reviewers")
                    round_, _ = fr.start_round(session, org, starter, subject,
                                               [p for p in found.values() if p is not None], deadline=deadline,
                                               anonymous=sub.anonymous, competencies=sub.competencies,
                                               source_key=f"view:{sub.view_id}")
                    refresh_homes(session, starter, subject, *(r.reviewer for r in round_.reviewers),
                            cause=f"feedback-round-{round_.id}")
                    form.finish(session, {"round_id": round_.id})
                text = round_views.started_text(t, round_) if round_ is not None else ""
        except FeedbackError as err:
            overrides = {"user": labels["user"]} if "user" in err.message.params and "user" in labels else {}
            ack(response_action="errors", errors=round_views.start_errors(t, err, present, **overrides))
            return
        services.recorded(sub.team_id, [sub.user_id, *sub.reviewers], directory)
        ack(response_action="update", view=views.done_view(t, t("Start a 360"), text))

    # -- the reviewer's buttons and form ---------------------------------------------------------------

    @app.action(Ids.ROUND_ANSWER_BUTTON.value)
    def answer_button(ack: Ack, body: dict[str, Any]) -> None:
        with services.unit_of_work() as session:
            person = services.acting_person(session, body)
            t = services.t_of(person, body)
            try:
                if not cfg.enabled:
                    raise FeedbackError(_t("Feedback is turned off in this workspace."), code="off")
                row = fr.load_reviewer(session, person, button_value(body))
                fr.check_answerable(row, services.clock.now())
                round_ = row.round
                competencies = fr.competencies_of(org, round_)
                meta = services.sealer.seal(Ids.ROUND_ANSWER_MODAL, person.slack_user_id, {"round": round_.id})
                view = round_views.answer_modal(t, cfg, round_, competencies, named=fr.is_named(row),
                                                relation=row.relation, private_metadata=meta)
            except FeedbackError as err:
                view = views.done_view(t, t("360 feedback"), t.message(err.message))
        open_view(body, view)
        ack()

    @app.action(Ids.ROUND_DECLINE_BUTTON.value)
    def decline_button(ack: Ack, body: dict[str, Any]) -> None:
        try:
            with services.unit_of_work() as session:
                person = services.acting_person(session, body)
                t = services.t_of(person, body)
                fr.decline_round(session, person, button_value(body))
                refresh_homes(session, person, cause=f"feedback-round-declined-{button_value(body)}")
                text = t("Declined: nothing more is needed from you. Nobody is told who took part.")
        except FeedbackError as err:
            t = services.translator_for(body)
            text = t.message(err.message)
        open_view(body, views.done_view(t, t("360 feedback"), text))
        ack()

    @app.view(Ids.ROUND_ANSWER_MODAL.value)
    def round_answered(ack: Ack, body: dict[str, Any]) -> None:
        t = services.translator_for(body)
        sub = RoundAnswerSubmission.from_body(body, services.sealer)
        present = set(form_state(body))
        if sub.origin is None:
            first = next(iter(sorted(present)), Ids.ROUND_STRENGTHS_BLOCK.value)
            ack(response_action="errors", errors={first: form_expired(t)})
            return
        if sub.unreadable:
            ack(response_action="errors",
                errors={round_block(Ids.ROUND_LEVEL_BLOCK, c): t(UNREADABLE_LEVEL) for c in sub.unreadable})
            return
        round_id = to_int(sub.origin.get("round")) or 0
        # No form claim and, for an anonymous answer, no Home refresh: each would leave a row pairing the
        # reviewer with the moment they answered. The reviewer row's state (claimed in one statement) stops a
        # second answer; a double submit is told, kindly, that the answer is in.
        try:
            with services.unit_of_work() as session:
                person = services.acting_person(session, body)
                t = services.t_of(person, body)
                round_ = fr.answer_round(session, org, person, round_id,
                                         [fr.RatingDraft(c, sub.levels.get(c), sub.examples.get(c, ""))
                                          for c in sub.levels],
                                         strengths=sub.strengths, improve=sub.improve)
                if not round_.anonymous:
                    refresh_homes(session, person, cause=f"feedback-round-answered-{round_id}")
        except FeedbackError as err:
            if err.code == "answered":
                ack(response_action="update", view=views.done_view(t, t("360 feedback"), t.message(err.message)))
                return
            ack(response_action="errors", errors=round_views.answer_errors(err, t, present))
            return
        ack(response_action="update", view=views.done_view(t, t("360 feedback"), round_views.answered_text(t)))

    # -- results and cancelling ------------------------------------------------------------------------

    @app.action(Ids.ROUND_RESULTS_BUTTON.value)
    def results_button(ack: Ack, body: dict[str, Any]) -> None:
        with services.unit_of_work() as session:
            person = services.acting_person(session, body)
            t = services.t_of(person, body)
            round_ = fr.find_round(session, button_value(body))
            if round_ is None or round_.team_id != person.team_id \
                    or not fr.can_see_results(session, org, person, round_):
                view = views.done_view(t, t("360 results"), t("That 360 doesn't exist or isn't yours to see."))
            else:
                view = round_views.results_view(t, cfg, fr.results(session, org, round_, services.clock.now()))
        open_view(body, view)
        ack()

    @app.action(Ids.ROUND_CANCEL_BUTTON.value)
    def cancel_button(ack: Ack, body: dict[str, Any]) -> None:
        try:
            with services.unit_of_work() as session:
                person = services.acting_person(session, body)
                t = services.t_of(person, body)
                round_ = fr.cancel_round(session, org, person, button_value(body))
                refresh_homes(session, person, round_.subject, *(r.reviewer for r in round_.reviewers),
                        cause=f"feedback-round-cancelled-{round_.id}")
                text = t("The 360 for {person} is cancelled; nothing of it will be shown.",
                         person=f"<@{round_.subject.slack_user_id}>")
        except FeedbackError as err:
            t = services.translator_for(body)
            text = t.message(err.message)
        open_view(body, views.done_view(t, t("360 feedback"), text))
        ack()

    return start_command
