"""How the kudos tables hold personal data, for export and erasure."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models.core.personal_data import REMOVED_TEXT, PersonalData, iso, ref
from models.core.tables import Person
from models.kudos.tables import Kudos, KudosRecipient


def _kudos_entry(k: Kudos) -> dict[str, Any]:
    return {
        "id": k.id,
        "created_at": iso(k.created_at),
        "giver": ref(k.giver),
        "recipients": [ref(r.person) for r in k.recipients],
        "values": [v.value for v in k.values],
        "message": k.message,
        "origin_channel_id": k.origin_channel_id,
        "permalink": k.permalink,
    }


def _export_kudos(session: Session, person: Person) -> dict[str, Any]:
    opts = (
        selectinload(Kudos.recipients).selectinload(KudosRecipient.person),
        selectinload(Kudos.values),
        selectinload(Kudos.giver),
    )
    order = (Kudos.created_at, Kudos.id)
    given = session.scalars(select(Kudos).where(Kudos.giver_id == person.id).options(*opts).order_by(*order))
    received = session.scalars(
        select(Kudos)
        .join(KudosRecipient, KudosRecipient.kudos_id == Kudos.id)
        .where(KudosRecipient.person_id == person.id)
        .options(*opts)
        .order_by(*order)
    )
    return {"given": [_kudos_entry(k) for k in given], "received": [_kudos_entry(k) for k in received]}


PERSONAL_DATA = (
    PersonalData(
        table="kudos",
        person_columns=("giver_id",),
        text_columns=("message", "source_key"),
        content_columns=("message",),
        replacement=REMOVED_TEXT,
        exporter=_export_kudos,
        description="Kudos given (message replaced at erasure) and, through kudos_recipients, received.",
    ),
    PersonalData(
        table="kudos_recipients",
        person_columns=("person_id",),
        export=False,  # in the kudos section
        description="Links to the anonymised row stay: the giver keeps their kudos.",
    ),
    PersonalData(table="kudos_values", on_erase="keep", export=False, description="Value tags: no personal data."),
)
