"""The goals section of the App Home (my goals with their buttons, New goal, my team's goals and which are stalled),
and what every goal view is built from: a goal as one viewer may see it (`cards_of`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from slack_sdk.models.blocks import Block
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.i18n import Translator
from handlers.goals import views
from handlers.goals.common import goal_line
from handlers.goals.views import GoalCard, TeamMember
from models.core.clock import clock_of
from models.core.config import OrgConfig
from models.core.tables import Person
from models.goals import (
    Goal,
    Reach,
    goals_of,
    local_today,
    reach_of,
    shared_goals,
    stalled_days,
    viewer_of,
    visible_goal_where,
)
from models.people import reports


def preload_owners(session: Session, goals: Sequence[Goal]) -> None:
    """Read the goals' owners in one query (`goal.owner` then comes from the session, not one query each)."""
    ids = {g.owner_id for g in goals}
    if ids:
        list(session.scalars(select(Person).where(Person.id.in_(ids))))


def cards_of(session: Session, org: OrgConfig, viewer: Person, goals: Sequence[Goal], t: Translator,
             now: datetime, reach: Reach | None = None) -> list[GoalCard]:
    """The goals as this viewer may see them: the goal each supports only when the viewer may see that one too,
    Update only for those the viewer may update, Alignment only when there is something they may see. What the
    viewer may do is read once (`reach`), not per goal; dates are the viewer's own."""
    reach = reach or reach_of(session, org, viewer)
    ids = [g.id for g in goals]
    supported = set(session.scalars(select(Goal.parent_id).where(
        Goal.parent_id.in_(ids), visible_goal_where(viewer_of(viewer, org))).distinct())) if ids else set()
    preload_owners(session, goals)
    today = local_today(org, viewer, now)
    cards = []
    for goal in goals:
        parent = goal.parent
        visible = parent is not None and reach.sees(parent)
        cards.append(GoalCard(
            goal_id=goal.id, title=goal.title, slug=goal.slug, line=goal_line(t, goal, today), level=goal.level,
            department=goal.department, owner_id=goal.owner.slack_user_id,
            parent=parent.title if parent is not None and visible else None,
            parent_hidden=parent is not None and not visible,
            can_update=goal.active and reach.may_update(goal),
            aligned=visible or goal.id in supported,
            stalled_days=stalled_days(goal, org, now),
        ))
    return cards


def card_of(session: Session, org: OrgConfig, viewer: Person, goal: Goal, t: Translator, now: datetime) -> GoalCard:
    return cards_of(session, org, viewer, [goal], t, now)[0]


def own_goals(session: Session, org: OrgConfig, person: Person) -> list[Goal]:
    """The active goals a person answers for: their own, and the department and organisation goals they own."""
    return goals_of(session, org, person, [person]) + shared_goals(session, org, person, owner=person)


def goals_home(session: Session, person: Person, t: Translator, org: OrgConfig) -> list[Block]:
    if not org.goals.enabled or not person.active:
        return []
    now = clock_of(session).now()
    reach = reach_of(session, org, person)
    mine = own_goals(session, org, person)
    team = reports(session, person, active_only=True)
    members: list[TeamMember] = []
    if team:
        by_owner: dict[int, list[Goal]] = {}
        for goal in goals_of(session, org, person, team):
            by_owner.setdefault(goal.owner_id, []).append(goal)
        found = []
        for report in team:
            theirs = sorted(by_owner.get(report.id, []), key=lambda g: g.last_update_at)  # the stalest first
            stalled = sum(1 for g in theirs if stalled_days(g, org, now) is not None)
            found.append((report, theirs, stalled))
        found.sort(key=lambda f: -f[2])  # people with stalled goals first
        for report, theirs, stalled in found[:views.HOME_REPORTS]:
            members.append(TeamMember(
                slack_id=report.slack_user_id, total=len(theirs), stalled=stalled,
                cards=cards_of(session, org, person, theirs[:views.HOME_REPORT_GOALS], t, now, reach)))
    return views.home_blocks(t, mine=cards_of(session, org, person, mine[:views.HOME_MINE], t, now, reach),
                             mine_total=len(mine), team=members, team_total=len(team))
