"""The goals part of the 1:1 agenda: the report's active goals that need attention.

A goal needs attention when its status (the owner's) or Candor's suggestion is at risk or off track, as of
the meeting day in the report's time zone: a goal its owner calls on track while its progress lags the time
gone by is worth the conversation too. Off-track goals come first. Each line says the goal's title (what
someone typed: the view escapes it), its status (and Candor's suggestion when the owner's differs), a progress
bar and its period. Private goals are among them: both people in the 1:1 may see the report's private goals
(`RecordKind.GOAL_PRIVATE`: the owner and their manager chain), and the section is left out for a viewer who
may not.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models.access import RecordKind
from models.core.agenda import SECTION_LINES_MAX, AgendaSection, Pair, SectionSpec
from models.core.messages import Message, Phrase, _t, say
from models.core.tables import Person
from models.core.zones import zone_of
from models.goals.progress import (
    AT_RISK,
    OFF_TRACK,
    ON_TRACK,
    STATUS_EMOJI,
    STATUS_NAME,
    GoalState,
    progress_bar,
    state_of,
)
from models.goals.tables import Goal

NEEDS_ATTENTION = frozenset((AT_RISK, OFF_TRACK))
_SEVERITY = {OFF_TRACK: 0, AT_RISK: 1, ON_TRACK: 2}


def needs_attention(state: GoalState) -> bool:
    return state.status in NEEDS_ATTENTION or state.suggested in NEEDS_ATTENTION


def _worst(state: GoalState) -> int:
    return min(_SEVERITY[state.status], _SEVERITY[state.suggested])


def status_phrase(state: GoalState) -> list[str | Message]:
    """`:red_circle: Off track`, marked "(suggested)" when the owner set none, with Candor's suggestion
    beside the owner's status when they differ."""
    parts: list[str | Message] = [STATUS_EMOJI[state.status] + " ", say(STATUS_NAME[state.status])]
    if not state.status_is_owners:
        parts += [" ", say(_t("(suggested)"))]
    elif state.suggested != state.status:
        parts += [" (", say(_t("Candor suggests {status}"), status=say(STATUS_NAME[state.suggested])), ")"]
    return parts


def goals_section(session: Session, pair: Pair, since: datetime, until: datetime) -> AgendaSection:
    """The report's active goals at risk or off track at the meeting, the worst first."""
    report = session.get(Person, pair.report_id)
    today = until.astimezone(zone_of(report.tz if report else None, "UTC")).date()
    goals = session.scalars(select(Goal).where(Goal.owner_id == pair.report_id, Goal.state == "active")
                            .options(selectinload(Goal.key_results)).order_by(Goal.ends_on, Goal.title, Goal.id))
    found = [(goal, state) for goal in goals if needs_attention(state := state_of(goal, today))]
    found.sort(key=lambda gs: _worst(gs[1]))  # stable: by period end and title within each severity
    lines: list[str] = []
    for goal, state in found[:SECTION_LINES_MAX]:
        lines.append(Phrase(goal.title, " — ", *status_phrase(state), f" · {progress_bar(state.progress)} · "
                            f"{goal.period}"))
    return AgendaSection(title=_t("Goals needing attention"), lines=lines, total=len(found),
                         empty=_t("No goals at risk or off track."))


SECTIONS = (SectionSpec(key="goals", order=40, fn=goals_section, record=RecordKind.GOAL_PRIVATE),)
