"""Goal messages the outbox delivers, built at send time from the store: the nudge for a silent goal (skipped
once the goal was updated or closed) and the close-out prompt when its period ended (skipped once closed)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, PlainTextObject
from sqlalchemy.orm import selectinload

from bot.blocks import context, section, to_dicts
from bot.delivery import RenderContext, Rendered, Renderer, Skip
from bot.i18n import Translator
from bot.text import escape, truncate
from handlers.goals.common import goal_line
from handlers.goals.ids import GoalIds
from models.core.clock import clock_of
from models.core.tables import Person
from models.core.zones import zone_of
from models.goals import Goal, Period, next_period
from models.goals.prompts import CLOSEOUT_KIND, NUDGE_KIND, stamp

TITLE_CHARS = 200  # a goal's title as a message shows it (the rules allow 150)


def _goal_for(ctx: RenderContext) -> tuple[Person, Goal]:
    """The recipient and the goal the row is about, or `Skip` when the message is no longer theirs to get."""
    if ctx.recipient is None or not ctx.recipient.active:
        raise Skip("the owner cannot be reached")
    if not ctx.org.goals.enabled:
        raise Skip("goals are switched off")
    goal = ctx.session.get(Goal, int(ctx.row.payload.get("goal_id") or 0), options=[selectinload(Goal.key_results)])
    if goal is None:
        raise Skip("the goal is gone")
    if goal.owner_id != ctx.recipient.id or goal.team_id != ctx.recipient.team_id:
        raise Skip("the recipient does not own this goal")
    if not goal.active:
        raise Skip("the goal was closed meanwhile")
    return ctx.recipient, goal


def _title(goal: Goal) -> str:
    return f"*{escape(truncate(goal.title, TITLE_CHARS))}*"


def _date(at: datetime, tz: str | None) -> str:
    """A day Slack shows in the reader's own time zone; the fallback is the day in `tz`."""
    fallback = at.astimezone(zone_of(tz, "UTC")).date().isoformat()
    return f"<!date^{int(at.timestamp())}^{{date_long_pretty}}|{fallback}>"


def _button(action_id: str, text: str, goal: Goal) -> ActionsBlock:
    return ActionsBlock(elements=[ButtonElement(action_id=action_id, text=PlainTextObject(text=truncate(text, 75)),
                                                value=str(goal.id), style="primary")])


def nudge_message(t: Translator, goal: Goal, *, silent_since: datetime, now: datetime, tz: str | None
                  ) -> tuple[str, list[dict[str, Any]]]:
    """The nudge DM: which goal, since when it has had no update, its state, and an "Update" button."""
    days = max(1, (now - silent_since).days)
    today = now.astimezone(zone_of(tz, "UTC")).date()
    text = t.n(":hourglass_flowing_sand: Your goal {title} has had no update for {count} day, since {date}.",
               ":hourglass_flowing_sand: Your goal {title} has had no update for {count} days, since {date}.",
               days, title=_title(goal), date=_date(silent_since, tz))
    blocks: list[Block] = [
        section(text),
        section(goal_line(t, goal, today)),
        context(t("A quick update keeps everyone who relies on it in the picture: a value per key result, "
                  "the status and a word on what changed.")),
        _button(GoalIds.UPDATE_BUTTON, t("Update"), goal),
    ]
    return text, to_dicts(blocks)


def closeout_message(t: Translator, goal: Goal, *, next_key: str, now: datetime, tz: str | None
                     ) -> tuple[str, list[dict[str, Any]]]:
    """The close-out DM: the period ended; the final score, what was learned, carry over or close."""
    today = now.astimezone(zone_of(tz, "UTC")).date()
    text = t(":checkered_flag: {period} has ended: time to close out your goal {title}.", period=goal.period,
             title=_title(goal))
    blocks: list[Block] = [
        section(text),
        section(goal_line(t, goal, today)),
        context(t("Record the final score and what you learned, then close the goal or carry it over into "
                  "{period}.", period=next_key)),
        _button(GoalIds.CLOSE_BUTTON, t("Close out"), goal),
    ]
    return text, to_dicts(blocks)


def render_nudge(ctx: RenderContext) -> Rendered:
    recipient, goal = _goal_for(ctx)
    if stamp(goal.last_update_at) != str(ctx.row.payload.get("silent_since") or ""):
        raise Skip("the goal was updated meanwhile")
    text, blocks = nudge_message(ctx.t, goal, silent_since=goal.last_update_at, now=clock_of(ctx.session).now(),
                                 tz=recipient.tz)
    return Rendered(text=text, blocks=blocks)


def render_closeout(ctx: RenderContext) -> Rendered:
    recipient, goal = _goal_for(ctx)
    nxt = next_period(ctx.org.goals, Period(goal.period, goal.starts_on, goal.ends_on))
    text, blocks = closeout_message(ctx.t, goal, next_key=nxt.key, now=clock_of(ctx.session).now(), tz=recipient.tz)
    return Rendered(text=text, blocks=blocks)


RENDERERS: Mapping[str, Renderer] = {NUDGE_KIND: render_nudge, CLOSEOUT_KIND: render_closeout}
