"""The close-out: the "Close out" button (in the close-out DM) opens a modal for one goal — the final score,
what was learned, carry it over into the next period or close it — and its submission closes the goal.

The button's value (a goal id) comes back from the client: the goal is looked up and the person checked
(`load_goal`, `may_update`) when the modal opens, and again when it is submitted; the goal id travels sealed
in the modal's private_metadata. A submission claims its view once (`submissions.Form`), so a double submit
closes once and shows the same confirmation. Errors are inline, on the block they belong to.

Listener order: parse the payload → domain work in one unit of work → open the view → `ack()` last.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel
from slack_sdk.models.blocks import (
    Block,
    InputBlock,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    RadioButtonsElement,
)
from slack_sdk.models.views import View
from sqlalchemy.orm import Session

from bot.blocks import context, form_expired, section
from bot.i18n import Translator
from bot.services import team_of, user_of
from bot.text import escape, truncate
from handlers.goals.common import goal_line
from handlers.goals.ids import GoalIds
from models import goals
from models.core import submissions
from models.core.messages import _t
from models.core.outbox import request_home_refresh
from models.core.zones import zone_of
from models.people import person_by_slack_id

if TYPE_CHECKING:
    from slack_bolt import Ack, App

    from bot.services import Services

FORM = "goal.close"
CARRY, CLOSE = "carry", "close"
TITLE_CHARS = 200
NOT_ALLOWED = _t("Only the goal's owner, their managers and HR admins can close it out.")
# A domain error's field → the block that shows it; errors without a field go on the first input.
FIELD_BLOCKS = {"score": GoalIds.SCORE_BLOCK, "lessons": GoalIds.LESSONS_BLOCK, "carry": GoalIds.CARRY_BLOCK}


# -- views -------------------------------------------------------------------------------------------------


def title_text(text: str) -> PlainTextObject:
    return PlainTextObject(text=truncate(text, 24))


def done_view(t: Translator, title: str, text: str) -> View:
    return View(type="modal", title=title_text(title), close=PlainTextObject(text=t("Close")), blocks=[section(text)])


def percent(value: float) -> str:
    """0.456 → "45.6"; 0.5 → "50"."""
    return f"{round(value * 100, 1):g}"


def closeout_modal(t: Translator, goal: goals.Goal, *, next_key: str, today: date, private_metadata: str) -> View:
    """The final score (prefilled with the current progress), lessons, and carry over or close."""
    state = goals.state_of(goal, today)
    carry = Option(value=CARRY, text=PlainTextObject(text=truncate(t("Carry it over into {period}",
                                                                       period=next_key), 75)))
    close = Option(value=CLOSE, text=PlainTextObject(text=t("Close it")))
    blocks: list[Block] = [
        section(t("Close out {title} ({period}).", title=f"*{escape(truncate(goal.title, TITLE_CHARS))}*",
                  period=goal.period)),
        context(goal_line(t, goal, today)),
        InputBlock(
            block_id=GoalIds.SCORE_BLOCK, label=PlainTextObject(text=t("Final score (%)")),
            hint=PlainTextObject(text=t("From 0 to 100: how much of the goal was achieved.")),
            element=NumberInputElement(action_id=GoalIds.SCORE_ACTION, is_decimal_allowed=True, min_value="0",
                                       max_value="100", initial_value=percent(state.progress)),
        ),
        InputBlock(
            block_id=GoalIds.LESSONS_BLOCK, label=PlainTextObject(text=t("What did you learn?")), optional=True,
            hint=PlainTextObject(text=t("At most {max} characters.", max=goals.LESSONS_MAX)),
            element=PlainTextInputElement(action_id=GoalIds.LESSONS_ACTION, multiline=True,
                                          max_length=goals.LESSONS_MAX),
        ),
        InputBlock(
            block_id=GoalIds.CARRY_BLOCK, label=PlainTextObject(text=t("And then?")),
            hint=PlainTextObject(text=t("Carrying over starts a copy of the goal in the next period, with the same "
                                        "key results and their current values.")),
            element=RadioButtonsElement(action_id=GoalIds.CARRY_ACTION, options=[close, carry]),
        ),
    ]
    return View(type="modal", callback_id=GoalIds.CLOSE_MODAL, title=title_text(t("Close out goal")),
                submit=title_text(t("Close out")), close=title_text(t("Cancel")),
                private_metadata=private_metadata, blocks=blocks)


def closed_text(t: Translator, title: str, score: float | None, successor_period: str | None, *,
                already: bool = False) -> str:
    shown = f"*{escape(truncate(title, TITLE_CHARS))}*"
    if already:
        text = t("{title} is already closed.", title=shown)
    elif score is not None:
        text = t(":white_check_mark: {title} is closed with a final score of {score}%.", title=shown,
                 score=percent(score))
    else:
        text = t(":white_check_mark: {title} is closed.", title=shown)
    if successor_period:
        text += "\n" + t("It carries over into {period} as a new goal with the same key results.",
                         period=successor_period)
    return text


# -- payloads ----------------------------------------------------------------------------------------------


class CloseSubmission(BaseModel):
    team_id: str
    user_id: str
    view_id: str
    goal_id: int
    score: str = ""
    lessons: str = ""
    choice: str | None = None

    @classmethod
    def from_body(cls, body: dict[str, Any], meta: dict[str, Any]) -> CloseSubmission:
        view = body.get("view") or {}
        state = dict((view.get("state") or {}).get("values") or {})

        def field(block: str, action: str) -> dict[str, Any]:
            return dict((state.get(block) or {}).get(action) or {})

        chosen = field(GoalIds.CARRY_BLOCK, GoalIds.CARRY_ACTION).get("selected_option") or {}
        return cls(team_id=team_of(body), user_id=user_of(body), view_id=str(view.get("id") or ""),
                   goal_id=int(meta.get("goal") or 0),
                   score=str(field(GoalIds.SCORE_BLOCK, GoalIds.SCORE_ACTION).get("value") or ""),
                   lessons=str(field(GoalIds.LESSONS_BLOCK, GoalIds.LESSONS_ACTION).get("value") or ""),
                   choice=str(chosen.get("value")) if chosen.get("value") else None)

    def score_share(self) -> float | None:
        """The score as a share (85 → 0.85); None when it is not a number. The range is the domain's rule."""
        raw = self.score.strip().rstrip("%").strip().replace(",", ".")
        try:
            value = float(raw)
        except ValueError:
            return None
        return value / 100 if math.isfinite(value) else None


def to_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class Closed:
    title: str
    score: float | None
    successor_period: str | None
    already: bool = False


# -- listeners ---------------------------------------------------------------------------------------------


def register(app: App, services: Services) -> None:
    """Register the close-out listeners."""
    org = services.org

    def open_view(body: dict[str, Any], view: View) -> None:
        services.request_client().views_open(trigger_id=body["trigger_id"], view=view)

    @app.action(GoalIds.CLOSE_BUTTON.value)
    def close_button(ack: Ack, body: dict[str, Any]) -> None:
        t = services.translator_for(body)
        goal_id = to_int((body.get("actions") or [{}])[0].get("value"))
        heading = t("Close out goal")
        with services.db.reading() as session:
            person = person_by_slack_id(session, team_of(body), user_of(body))
            try:
                if person is None or goal_id is None:
                    raise goals.GoalError(_t("That goal doesn't exist or isn't visible to you."), code="not_found")
                goal = goals.load_goal(session, org, person, goal_id)
                if not goals.may_update(session, person, goal, org):
                    raise goals.GoalError(NOT_ALLOWED, code="not_allowed")
            except goals.GoalError as err:
                view = done_view(t, heading, escape(t.message(err.message)))
            else:
                if not goal.active:
                    view = done_view(t, heading, closed_text(t, goal.title, goal.final_score, None,
                                                                      already=True))
                else:
                    nxt = goals.next_period(org.goals, goals.Period(goal.period, goal.starts_on, goal.ends_on))
                    today = services.clock.now().astimezone(zone_of(person.tz, org.schedule.default_timezone)).date()
                    meta = services.sealer.seal(GoalIds.CLOSE_MODAL, person.slack_user_id, {"goal": goal.id})
                    view = closeout_modal(t, goal, next_key=nxt.key, today=today, private_metadata=meta)
        open_view(body, view)
        ack()

    @app.view(GoalIds.CLOSE_MODAL.value)
    def close_submitted(ack: Ack, body: dict[str, Any]) -> None:
        t = services.translator_for(body)
        view = body.get("view") or {}
        meta = services.sealer.open(GoalIds.CLOSE_MODAL, user_of(body), view.get("private_metadata"))
        if meta is None:
            ack(response_action="errors", errors={GoalIds.SCORE_BLOCK.value: form_expired(t)})
            return
        sub = CloseSubmission.from_body(body, meta)
        score = sub.score_share()
        errors: dict[str, str] = {}
        if score is None:
            errors[GoalIds.SCORE_BLOCK.value] = t("Enter the final score as a number from 0 to 100.")
        if sub.choice not in (CARRY, CLOSE):
            errors[GoalIds.CARRY_BLOCK.value] = t("Choose whether to carry the goal over or close it.")
        if errors:
            ack(response_action="errors", errors=errors)
            return
        assert score is not None

        def run(session: Session) -> Closed:
            form = submissions.Form(sub.team_id, sub.user_id, sub.view_id, FORM)
            done = form.claim(session)
            if done is None:
                person = services.acting_person(session, body)
                draft = goals.CloseDraft(goal_id=sub.goal_id, source_key=f"closeout:{sub.view_id}",
                                         final_score=score, lessons=sub.lessons, carry_over=sub.choice == CARRY)
                already = not goals.load_goal(session, org, person, sub.goal_id).active  # by another form
                goal, successor = goals.close_goal(session, org, person, draft, now=services.clock.now())
                done = {"goal": goal.id, "successor": successor.id if successor is not None else None,
                        "already": already}
                form.finish(session, done)
                refresh = {person.id: person, goal.owner.id: goal.owner}
                for who in refresh.values():  # the closed goal leaves their Home, a carried one joins it
                    request_home_refresh(session, who, cause="goal closed")
            closed = session.get(goals.Goal, int(done.get("goal") or 0))
            successor = session.get(goals.Goal, int(done["successor"])) if done.get("successor") else None
            if closed is None:
                raise goals.GoalError(_t("That goal doesn't exist or isn't visible to you."), code="not_found")
            return Closed(closed.title, closed.final_score, successor.period if successor is not None else None,
                          bool(done.get("already")))

        try:
            with services.unit_of_work() as session:
                closed = run(session)
        except goals.GoalError as err:
            block = FIELD_BLOCKS.get(err.field, GoalIds.SCORE_BLOCK).value
            ack(response_action="errors", errors={block: t.message(err.message)[:2000]})
            return
        ack(response_action="update", view=done_view(t, t("Goal closed"),
                                                     closed_text(t, closed.title, closed.score,
                                                                 closed.successor_period, already=closed.already)))
