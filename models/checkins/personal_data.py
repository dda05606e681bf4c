"""How the check-in tables hold personal data, for export and erasure."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.checkins.tables import Checkin, CheckinReply
from models.core.personal_data import REMOVED_ABOUT_TEXT, Erasure, PersonalData, as_dict, iso, person_ref
from models.core.tables import Person


def _export_checkins(session: Session, person: Person) -> dict[str, Any]:
    own = list(session.scalars(select(Checkin).where(Checkin.person_id == person.id).order_by(Checkin.period)))
    replies: dict[int, list[CheckinReply]] = {}
    if own:
        for reply in session.scalars(
            select(CheckinReply).where(CheckinReply.checkin_id.in_([c.id for c in own])).order_by(CheckinReply.id)
        ):
            replies.setdefault(reply.checkin_id, []).append(reply)
    written = session.scalars(select(CheckinReply).where(CheckinReply.author_id == person.id).order_by(CheckinReply.id))
    return {
        "own": [
            {
                **as_dict(c),
                "manager": person_ref(session, c.manager_id),
                "replies": [
                    {"author": person_ref(session, r.author_id), "text": r.text, "created_at": iso(r.created_at)}
                    for r in replies.get(c.id, [])
                ],
            }
            for c in own
        ],
        "replies_written": [as_dict(r) for r in written],
    }


def _erase_replies_about(ctx: Erasure) -> None:
    """A manager's reply to the erased person's check-in is about them: replaced too."""
    own_checkins = select(Checkin.id).where(Checkin.person_id == ctx.person.id)
    ctx.replace(
        CheckinReply.__table__.c.text,
        CheckinReply.checkin_id.in_(own_checkins) & (CheckinReply.author_id != ctx.person.id),
        REMOVED_ABOUT_TEXT,
    )


PERSONAL_DATA = (
    PersonalData(
        table="checkins",
        person_columns=("person_id", "manager_id"),
        owner_columns=("person_id",),
        content_columns=("answers",),
        text_columns=("answers",),
        exporter=_export_checkins,
        description="Their answers emptied (rows, periods and moods stay for participation counts); "
        "their names redacted from others' answers.",
    ),
    PersonalData(
        table="checkin_replies",
        person_columns=("author_id",),
        content_columns=("text",),
        text_columns=("text",),
        export=False,  # in the check-ins section
        eraser=_erase_replies_about,
        description="Replies they wrote, and replies to their check-ins, replaced.",
    ),
)
