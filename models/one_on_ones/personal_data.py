"""How the 1:1 tables hold personal data, for export and erasure."""

from __future__ import annotations

from sqlalchemy import delete, or_, select

from models.core.personal_data import Erasure, PersonalData, rowcount
from models.core.tables import Alert
from models.one_on_ones.tables import OneOnOnePair


def _delete_pair_alerts(ctx: Erasure) -> None:
    """Alerts about a 1:1 pair the erased person was in (either side) mean nothing any more."""
    pairs = select(OneOnOnePair.id).where(
        or_(OneOnOnePair.manager_id == ctx.person.id, OneOnOnePair.report_id == ctx.person.id)
    )
    result = ctx.session.execute(
        delete(Alert).where(Alert.pair_id.in_(pairs)).execution_options(synchronize_session=False)
    )
    ctx.report.count(ctx.report.deleted, Alert.__tablename__, rowcount(result))


PERSONAL_DATA = (
    PersonalData(
        table="one_on_one_pairs", person_columns=("manager_id", "report_id"), on_erase="keep",
        description="Who had 1:1s with whom and when: rows stay, linked to the anonymised person.",
    ),
    PersonalData(
        table="one_on_one_meetings", person_columns=("notes_author_id",), text_columns=("notes",),
        content_columns=("notes",),
        description="1:1 notes the person wrote (replaced at erasure); names redacted in the pair's other notes.",
    ),
    PersonalData(
        table="talking_points", person_columns=("author_id",), text_columns=("text",), content_columns=("text",),
        description="Talking points the person added (replaced at erasure).",
    ),
    PersonalData(
        table="action_items", person_columns=("owner_id", "done_by_id"), text_columns=("text",),
        description="Action items the person owns or closed; names redacted in their text at erasure.",
    ),
    PersonalData(
        table="alerts", name="alerts:one_on_ones", on_erase="keep", export=False, eraser=_delete_pair_alerts,
        description="HR alerts about a 1:1 pair the person was in deleted.",
    ),
)
