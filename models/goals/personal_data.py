"""How the goals tables hold personal data, for export and erasure.

A person's own goals are their content: at erasure their titles, descriptions, lessons and key-result titles
are replaced. Organisation and department goals belong to everyone who works on them: they stay, with the
erased person's name redacted. Comments a person wrote in any goal's history are replaced.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, cast, literal, select, update
from sqlalchemy.orm import Session, selectinload

from models.core.personal_data import REMOVED_ABOUT_TEXT, REMOVED_TEXT, Erasure, PersonalData, as_dict, iso, ref
from models.core.tables import Person
from models.goals.tables import Goal, GoalUpdate, KeyResult


def _export_goals(session: Session, person: Person) -> dict[str, Any]:
    owned = session.scalars(select(Goal).where(Goal.owner_id == person.id)
                            .options(selectinload(Goal.key_results)).order_by(Goal.starts_on, Goal.id))
    updates = session.scalars(select(GoalUpdate).where(GoalUpdate.author_id == person.id)
                              .order_by(GoalUpdate.created_at, GoalUpdate.id))
    return {
        "owned": [{**as_dict(g), "key_results": [as_dict(kr) for kr in g.key_results]} for g in owned],
        "updates_written": [
            {"goal_id": u.goal_id, "created_at": iso(u.created_at), "source": u.source, "comment": u.comment,
             "status": u.status, "progress": u.progress, "values": u.values, "author": ref(person)}
            for u in updates
        ],
    }


def _erase_own_goals(ctx: Erasure) -> None:
    """Their own goals' words (title, slug, description, lessons, key-result titles) are replaced; what others
    wrote in those goals' histories is about them and replaced too; the comments they wrote anywhere are
    replaced (empty entries, such as creation, stay empty)."""
    own = (Goal.owner_id == ctx.person.id) & (Goal.level == "person")
    table = Goal.__table__
    ctx.replace(table.c.title, own, REMOVED_TEXT)
    ctx.replace(table.c.description, own & (Goal.description != ""), REMOVED_TEXT)
    ctx.replace(table.c.lessons, own, REMOVED_TEXT)
    # The slug is made from the title: it would keep the title's words.
    ctx.session.execute(update(Goal).where(own).values(slug=literal("erased-goal-") + cast(Goal.id, String))
                        .execution_options(synchronize_session=False))
    own_ids = select(Goal.id).where(own)
    ctx.replace(KeyResult.__table__.c.title, KeyResult.goal_id.in_(own_ids), REMOVED_TEXT)
    updates = GoalUpdate.__table__.c
    ctx.replace(updates.comment, (GoalUpdate.author_id == ctx.person.id) & (GoalUpdate.comment != ""), REMOVED_TEXT)
    ctx.replace(updates.comment, GoalUpdate.goal_id.in_(own_ids) & (GoalUpdate.author_id != ctx.person.id)
                & (GoalUpdate.comment != ""), REMOVED_ABOUT_TEXT)


PERSONAL_DATA = (
    PersonalData(
        table="goals",
        person_columns=("owner_id", "created_by_id"),
        owner_columns=(),
        text_columns=("title", "description", "lessons", "department", "source_key"),
        exporter=_export_goals,
        eraser=_erase_own_goals,
        description="Their own goals' titles, names, descriptions and lessons replaced; organisation and "
        "department goals they own stay, their name redacted.",
    ),
    PersonalData(
        table="goal_key_results",
        text_columns=("title",),
        export=False,  # in the goals section
        description="Key results of their own goals: titles replaced (through the goals entry).",
    ),
    PersonalData(
        table="goal_updates",
        person_columns=("author_id",),
        owner_columns=(),  # the goals entry's eraser replaces comments (theirs, and others' on their goals)
        text_columns=("comment", "source_key"),
        export=False,  # in the goals section
        description="Comments they wrote in any goal's history, and others' comments on their own goals, "
        "replaced; values and statuses stay.",
    ),
    PersonalData(
        table="goal_kudos", on_erase="keep", export=False,
        description="Which kudos named which goal: ids only, no personal data (the kudos and the goal hold it).",
    ),
)
