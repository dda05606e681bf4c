"""Goals in other features' forms, through the parts `bot.registry` joins (the check-in and kudos handlers know
nothing of goals):

- **Check-ins carry goals** (`CHECKIN_EXTENSION`): the weekly check-in modal shows the person's active goals at
  the top (when `goals.enabled` and `goals.in_checkins`), each with a quick progress field: one per key result,
  prefilled with its current value, or a percentage for a goal without key results. On submit each value the
  person changed is recorded in the goal's history (`update_goal`, source "checkin") in the check-in's unit of
  work, once per submission; a value left as it was, or cleared, records nothing. A value that is not a number,
  or that the goal refuses, is an inline error on its field, and nothing is written.
- **Kudos can name a goal** (`KUDOS_EXTENSION`): an optional "Goal" field in the kudos modal (active goals the
  giver may see: the recipients' first) and `+goal-slug` words in `/kudos` text. An unknown, hidden or closed goal
  refuses the whole kudos with a clear message; the link is written with the kudos (`models.goals.links`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    DividerBlock,
    InputBlock,
    NumberInputElement,
    Option,
    PlainTextObject,
    StaticSelectElement,
)
from sqlalchemy.orm import Session

from bot.blocks import context, section
from bot.i18n import Translator
from bot.registry import CheckinExtension, FormPart, KudosExtension, PartRefused, Reading, StateValues
from bot.text import escape, truncate
from handlers.goals.common import LEVEL_NAME, goal_line
from models.core.clock import clock_of
from models.core.config import OrgConfig
from models.core.messages import Message, _t, say
from models.core.tables import Person
from models.goals import Goal, GoalError, KeyResult, UpdateDraft, goals_of, load_goal, local_today, update_goal
from models.goals.links import (
    MAX_GOALS_PER_KUDOS,
    TOO_MANY,
    UNKNOWN_GOAL,
    UNKNOWN_SLUG,
    kudos_goal_choices,
    link_kudos,
    linkable_goal,
)
from models.people import person_by_slack_id


class GoalPartIds(StrEnum):
    """The block and action ids goals use in the check-in and kudos modals (never `q_…`: the questions')."""

    CHECKIN_HEADER = "goal_ci_header"
    CHECKIN_GOAL = "goal_ci_goal_"  # + goal id: its title and state
    CHECKIN_PROGRESS_BLOCK = "goal_ci_progress_"  # + goal id: a goal without key results, in %
    CHECKIN_KR_BLOCK = "goal_ci_kr_"  # + key result id
    CHECKIN_VALUE_ACTION = "goal_ci_value"
    KUDOS_GOAL_BLOCK = "kudos_goal"
    KUDOS_GOAL_ACTION = "kudos_goal_select"


NOT_A_NUMBER = _t("Enter a number, such as 12 or 4.5, or leave it as it was.")
CHECKIN_GOALS_MAX = 10  # goals shown in one check-in (the rest: from the App Home)
VALUE_MAX = 1e12


# -- check-ins ---------------------------------------------------------------------------------------------------


def _fmt(value: float) -> str:
    """A value as the field shows it: `12`, `4.5`, `33.3333`; never `1e+06`."""
    if value == int(value) and abs(value) < VALUE_MAX:
        return str(int(value))
    return f"{value:.4f}".rstrip("0").rstrip(".")


def _number(raw: str) -> float | None:
    text = raw.strip().replace(" ", "").removesuffix("%")
    if "," in text and "." not in text:
        text = text.replace(",", ".")  # 4,5 in the locales that write it so
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) and abs(value) <= VALUE_MAX else None


def _kr_input(t: Translator, kr: KeyResult) -> InputBlock:
    if kr.kind == "milestone":
        label, hint = f"{kr.title} (%)", t("A milestone: from 0 to 100%.")
        element = NumberInputElement(action_id=GoalPartIds.CHECKIN_VALUE_ACTION, is_decimal_allowed=True,
                                     initial_value=_fmt(kr.current_value), min_value="0", max_value="100")
    else:
        label = f"{kr.title} ({kr.unit})" if kr.unit else kr.title
        hint = t("From {start} to {target}", start=_fmt(kr.start_value), target=_fmt(kr.target_value))
        element = NumberInputElement(action_id=GoalPartIds.CHECKIN_VALUE_ACTION, is_decimal_allowed=True,
                                     initial_value=_fmt(kr.current_value))
    return InputBlock(block_id=f"{GoalPartIds.CHECKIN_KR_BLOCK}{kr.id}", element=element, optional=True,
                      label=PlainTextObject(text=truncate(label, 150)), hint=PlainTextObject(text=truncate(hint, 150)))


def _progress_input(t: Translator, goal: Goal) -> InputBlock:
    return InputBlock(
        block_id=f"{GoalPartIds.CHECKIN_PROGRESS_BLOCK}{goal.id}", label=PlainTextObject(text=t("Progress (%)")),
        hint=PlainTextObject(text=t("From 0 to 100%.")), optional=True,
        element=NumberInputElement(action_id=GoalPartIds.CHECKIN_VALUE_ACTION, is_decimal_allowed=True,
                                   initial_value=_fmt(round(goal.progress * 100, 4)), min_value="0",
                                   max_value="100"))


def checkin_blocks(session: Session, person: Person, t: Translator, org: OrgConfig, room: int) -> FormPart | None:
    """The person's active goals, each with its state and a field per key result (or a percentage), in at most
    `room` blocks. Sealed: what each field showed, so that a field left as it was records nothing."""
    goals = [g for g in goals_of(session, org, person, [person]) if g.owner_id == person.id]
    if not goals:
        return None
    today = local_today(org, person, clock_of(session).now())
    blocks: list[Block] = [section(t("*Your goals*: update what moved this week, and leave the rest as it is."))]
    blocks[0].block_id = GoalPartIds.CHECKIN_HEADER
    shown: dict[str, dict[str, Any]] = {}
    for goal in goals[:CHECKIN_GOALS_MAX]:
        inputs = [_kr_input(t, kr) for kr in goal.key_results] or [_progress_input(t, goal)]
        if len(blocks) + 1 + len(inputs) + 2 > room:  # its line, its fields; a "more" line and the divider
            break
        line = section(f"*{escape(truncate(goal.title, 200))}*\n{goal_line(t, goal, today)}")
        line.block_id = f"{GoalPartIds.CHECKIN_GOAL}{goal.id}"
        blocks += [line, *inputs]
        shown[str(goal.id)] = ({"k": {str(kr.id): _fmt(kr.current_value) for kr in goal.key_results}}
                               if goal.key_results else {"p": _fmt(round(goal.progress * 100, 4))})
    if not shown:
        return None
    if len(shown) < len(goals):
        blocks.append(context(t("More of your goals are on the App Home.")))
    blocks.append(DividerBlock())
    return FormPart(blocks=blocks, sealed={"goals": shown})


@dataclass
class GoalChange:
    """What a check-in changed on one goal, and the block of each field (for inline errors)."""

    goal_id: int
    values: dict[int, float] = field(default_factory=dict)  # key result id → new value
    progress: float | None = None  # 0–1
    blocks: dict[str, str] = field(default_factory=dict)  # "kr_<id>" / "progress" → block id


def _submitted(values: StateValues, block: str) -> str:
    found = (values.get(block) or {}).get(GoalPartIds.CHECKIN_VALUE_ACTION) or {}
    return str(found.get("value") or "").strip() if isinstance(found, dict) else ""


def _changed(raw: str, shown: str) -> bool:
    if not raw:
        return False  # cleared: nothing to record
    before, now = _number(shown), _number(raw)
    return raw != shown and (now is None or before is None or now != before)


def checkin_read(values: StateValues, sealed: Mapping[str, Any]) -> Reading:
    """The goals whose fields the person changed. Only what was sealed counts: a field the form did not show
    is ignored, and the goal is looked up and checked again when it is recorded."""
    changes: list[GoalChange] = []
    errors: dict[str, Message] = {}
    goals = sealed.get("goals")
    for goal_key, shown in (goals.items() if isinstance(goals, dict) else ()):
        if not str(goal_key).isdigit() or not isinstance(shown, dict):
            continue
        change = GoalChange(int(goal_key))
        fields: list[tuple[str, str, str]] = []  # (field name, block id, shown value)
        if "p" in shown:
            fields.append(("progress", f"{GoalPartIds.CHECKIN_PROGRESS_BLOCK}{goal_key}", str(shown["p"])))
        for kr_key, kr_shown in dict(shown.get("k") or {}).items():
            if str(kr_key).isdigit():
                fields.append((f"kr_{kr_key}", f"{GoalPartIds.CHECKIN_KR_BLOCK}{kr_key}", str(kr_shown)))
        for name, block, before in fields:
            raw = _submitted(values, block)
            if not _changed(raw, before):
                continue
            number = _number(raw)
            if number is None:
                errors[block] = say(NOT_A_NUMBER)
                continue
            change.blocks[name] = block
            if name == "progress":
                change.progress = number / 100
            else:
                change.values[int(name[3:])] = number
        if change.blocks:
            changes.append(change)
    if errors:
        return None, errors
    return (changes or None), {}


def checkin_apply(session: Session, person: Person, org: OrgConfig, changes: list[GoalChange],
                  source_key: str) -> Message | None:
    """Record each changed goal in its history, in the check-in's unit of work; every refusal at once."""
    errors: dict[str, Message] = {}
    recorded: list[str] = []
    for change in changes:
        first_block = next(iter(change.blocks.values()))
        try:
            goal = load_goal(session, org, person, change.goal_id)
            # The check-in records progress only: the status the owner set (or Candor's suggestion) stands.
            goal, new = update_goal(session, org, person, UpdateDraft(
                goal_id=goal.id, source_key=source_key, values=change.values, progress=change.progress,
                status=goal.status, source="checkin"))
        except GoalError as err:
            errors[change.blocks.get(err.field, first_block)] = err.message
            continue
        if new:
            recorded.append(goal.title)
    if errors:
        raise PartRefused(errors)
    return say(_t("Goal progress recorded: {goals}."), goals=recorded) if recorded else None


def _checkin_enabled(org: OrgConfig) -> bool:
    return org.goals.enabled and org.goals.in_checkins


CHECKIN_EXTENSION = CheckinExtension(name="goals", blocks=checkin_blocks, read=checkin_read, apply=checkin_apply,
                                     enabled=_checkin_enabled)


# -- kudos ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoalRef:
    """A goal a kudos names: by id (the modal's field) or by slug (a `+slug` word)."""

    goal_id: int | None = None
    slug: str | None = None


def _whose(t: Translator, goal: Goal) -> str:
    if goal.level == "person":
        return goal.owner.label
    if goal.level == "department" and goal.department:
        return goal.department
    return t(LEVEL_NAME[goal.level])


def kudos_blocks(session: Session, team_id: str, user_id: str, t: Translator, org: OrgConfig,
                 recipients: Sequence[str]) -> FormPart | None:
    """An optional "Goal" select of the active goals the giver may see (one query; at most 100, Slack's limit:
    the recipients' goals first). Nothing for someone Candor has not recorded yet or who sees no goal."""
    giver = person_by_slack_id(session, team_id, user_id)
    if giver is None or not giver.active:
        return None
    goals = kudos_goal_choices(session, org, giver, recipient_ids=recipients, limit=100)
    if not goals:
        return None
    options = [Option(value=str(g.id), text=PlainTextObject(text=truncate(g.title, 75), emoji=True),
                      description=PlainTextObject(text=truncate(f"+{g.slug} · {_whose(t, g)}", 75)))
               for g in goals]
    return FormPart(blocks=[InputBlock(
        block_id=GoalPartIds.KUDOS_GOAL_BLOCK, label=PlainTextObject(text=t("Goal")), optional=True,
        hint=PlainTextObject(text=t("The goal this helped, if any. In /kudos, name it with + and its short "
                                    "name, e.g. +grow-revenue-north.")),
        element=StaticSelectElement(action_id=GoalPartIds.KUDOS_GOAL_ACTION, options=options,
                                    placeholder=PlainTextObject(text=t("Which goal did it move?"))))])


def kudos_read(values: StateValues, sealed: Mapping[str, Any]) -> Reading:
    chosen = (values.get(GoalPartIds.KUDOS_GOAL_BLOCK) or {}).get(GoalPartIds.KUDOS_GOAL_ACTION) or {}
    option = chosen.get("selected_option") if isinstance(chosen, dict) else None
    if not option:
        return None, {}
    raw = str(option.get("value") or "") if isinstance(option, dict) else ""
    if not (raw.isascii() and raw.isdigit() and len(raw) < 19):
        return None, {GoalPartIds.KUDOS_GOAL_BLOCK: say(UNKNOWN_GOAL)}
    return [GoalRef(goal_id=int(raw))], {}


def kudos_read_words(words: Sequence[str]) -> list[GoalRef] | None:
    slugs = list(dict.fromkeys(word.lstrip("+").lower() for word in words))
    return [GoalRef(slug=slug) for slug in slugs if slug] or None


def kudos_apply(session: Session, kudos_id: int, giver: Person, org: OrgConfig, refs: list[GoalRef]) -> Message | None:
    """Tie the kudos to the goals it names, or refuse it whole: every unknown or hidden name in one message."""
    block = GoalPartIds.KUDOS_GOAL_BLOCK.value
    if len(refs) > MAX_GOALS_PER_KUDOS:
        raise PartRefused({block: say(TOO_MANY, max=MAX_GOALS_PER_KUDOS)})
    goals: list[Goal] = []
    unknown: list[str] = []
    for ref in refs:
        try:
            goals.append(linkable_goal(session, org, giver, goal_id=ref.goal_id, slug=ref.slug))
        except GoalError as err:
            if err.code == "unknown_goal" and ref.slug:
                unknown.append(f"+{ref.slug[:60]}")
            else:
                raise PartRefused({block: err.message}) from err
    if unknown:
        raise PartRefused({block: say(UNKNOWN_SLUG, goal=unknown)})
    for goal in goals:
        link_kudos(session, goal, kudos_id)
    return say(_t("For the goal: {goals}."), goals=[g.title for g in goals]) if goals else None


def _goals_enabled(org: OrgConfig) -> bool:
    return org.goals.enabled


KUDOS_EXTENSION = KudosExtension(name="goals", blocks=kudos_blocks, read=kudos_read, apply=kudos_apply,
                                 word_prefix="+", read_words=kudos_read_words, enabled=_goals_enabled)
