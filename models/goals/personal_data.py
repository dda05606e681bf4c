"""How the goals tables hold personal data, for export and erasure.

A person's own goals are their content: at erasure their titles, descriptions, lessons and key-result titles
are replaced. Organisation and department goals belong to everyone who works on them: they stay, with the
erased person's name redacted. Comments a person wrote in any goal's history are replaced.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models.core.personal_data import REMOVED_TEXT, Erasure, PersonalData, as_dict, iso, ref
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
    own = (Goal.owner_id == ctx.person.id) & (Goal.level == "person")
    table = Goal.__table__.c
    ctx.replace(table.title, own, REMOVED_TEXT)
    ctx.replace(table.description, own & (Goal.description != ""), REMOVED_TEXT)
    ctx.replace(table.lessons, own, REMOVED_TEXT)
    own_ids = select(Goal.id).where(own)
    ctx.replace(KeyResult.__table__.c.title, KeyResult.goal_id.in_(own_ids), REMOVED_TEXT)


PERSONAL_DATA = (
    PersonalData(
        table="goals",
        person_columns=("owner_id", "created_by_id"),
        owner_columns=(),
        text_columns=("title", "description", "lessons", "department"),
        exporter=_export_goals,
        eraser=_erase_own_goals,
        description="Their own goals' titles, descriptions and lessons replaced; organisation and department "
        "goals they own stay, their name redacted.",
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
        content_columns=("comment",),
        text_columns=("comment",),
        export=False,  # in the goals section
        description="Comments they wrote in any goal's history replaced; values and statuses stay.",
    ),
)
