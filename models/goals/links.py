"""Kudos that name a goal, so that recognition is tied to outcomes as well as values.

A kudos names a goal with a word of `/kudos` text (`+grow-revenue-north`, the goal's `slug`) or with the goal
picked in the kudos modal. The giver may name any active goal they may see (`linkable_goal`: an unknown, hidden
or closed goal is refused, hidden ones with the same words as unknown ones, and nothing is written). The link is
written with the kudos, in its unit of work; the goal's history shows its kudos (`kudos_for_goal`). Kudos are
seen by everyone in the workspace (`models.access`), so whoever may see the goal may see them.

Every function only flushes; the caller's unit of work commits.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, ForeignKey, case, select
from sqlalchemy.orm import Mapped, Session, mapped_column, selectinload

from models.core.base import Base
from models.core.config import OrgConfig
from models.core.messages import _t
from models.core.tables import Person
from models.goals.rules import GoalError, can_see_goal, find_by_slug, viewer_of, visible_goal_where
from models.goals.tables import Goal
from models.kudos import Kudos, KudosRecipient

MAX_GOALS_PER_KUDOS = 3
ID_MAX = 2**31 - 1  # goals.id is a 32-bit integer: a larger number names no goal (and PostgreSQL refuses it)
UNKNOWN_SLUG = _t("There's no goal {goal} that you can see. A goal's short name is shown with it, e.g. "
                  "+grow-revenue-north; check it, or leave it out.")
UNKNOWN_GOAL = _t("That goal doesn't exist or isn't visible to you.")
CLOSED_GOAL = _t("{title} is closed: name an active goal, or leave it out.")
TOO_MANY = _t("A kudos can name at most {max} goals.")


class GoalKudos(Base):
    """A kudos that named a goal. Written in the kudos' unit of work, once per pair; gone with the kudos or the
    goal (ON DELETE CASCADE). No personal data of its own: the kudos and the goal hold it."""

    __tablename__ = "goal_kudos"

    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"), primary_key=True)
    kudos_id: Mapped[int] = mapped_column(ForeignKey("kudos.id", ondelete="CASCADE"), primary_key=True, index=True)


def linkable_goal(session: Session, org: OrgConfig, giver: Person, *, goal_id: int | None = None,
                  slug: str | None = None) -> Goal:
    """The active goal, in the giver's workspace and visible to them, that a kudos may name (by id, from the
    modal, or by slug, from `/kudos` text). Else `GoalError` (field "goal"); a hidden goal reads as unknown."""
    goal = (session.get(Goal, goal_id) if goal_id is not None and 0 < goal_id <= ID_MAX
            else find_by_slug(session, giver.team_id, slug) if slug else None)
    if goal is None or goal.team_id != giver.team_id or not can_see_goal(session, viewer_of(giver, org), goal):
        if slug:
            raise GoalError(UNKNOWN_SLUG, code="unknown_goal", field="goal", goal="+" + slug.lstrip("+")[:60])
        raise GoalError(UNKNOWN_GOAL, code="unknown_goal", field="goal")
    if not goal.active:
        raise GoalError(CLOSED_GOAL, code="goal_closed", field="goal", title=[goal.title])  # a list: escaped
    return goal


def link_kudos(session: Session, goal: Goal, kudos_id: int) -> bool:
    """Tie the kudos to the goal; False when it already was."""
    if session.get(GoalKudos, (goal.id, kudos_id)) is not None:
        return False
    session.add(GoalKudos(goal_id=goal.id, kudos_id=kudos_id))
    session.flush()
    return True


def kudos_for_goal(session: Session, goal_id: int, limit: int = 10) -> list[Kudos]:
    """The goal's kudos, newest first, with their giver, recipients and values loaded (for its history). The
    caller has checked that the viewer may see the goal."""
    return list(session.scalars(
        select(Kudos).join(GoalKudos, GoalKudos.kudos_id == Kudos.id).where(GoalKudos.goal_id == goal_id)
        .options(selectinload(Kudos.giver), selectinload(Kudos.values),
                 selectinload(Kudos.recipients).selectinload(KudosRecipient.person))
        .order_by(Kudos.created_at.desc(), Kudos.id.desc()).limit(limit)))


def kudos_goal_choices(session: Session, org: OrgConfig, giver: Person, *,
                       recipient_ids: Sequence[str] = (), limit: int = 100) -> list[Goal]:
    """Active goals the giver may see, for the kudos modal, in one query: the recipients' goals first, then the
    giver's own, the organisation's, the departments', everyone else's; by title within each."""
    rank: list[tuple[ColumnElement[bool], int]] = []
    if recipient_ids:
        recipients = select(Person.id).where(Person.team_id == giver.team_id,
                                             Person.slack_user_id.in_(list(recipient_ids)))
        rank.append((Goal.owner_id.in_(recipients) & (Goal.level == "person"), 0))
    rank += [((Goal.owner_id == giver.id) & (Goal.level == "person"), 1),
             (Goal.level == "organisation", 2), (Goal.level == "department", 3)]
    return list(session.scalars(
        select(Goal).where(Goal.team_id == giver.team_id, Goal.state == "active",
                           visible_goal_where(viewer_of(giver, org)))
        .options(selectinload(Goal.owner))
        .order_by(case(*rank, else_=4), Goal.title, Goal.id).limit(limit)))
