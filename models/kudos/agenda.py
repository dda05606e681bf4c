"""The kudos part of the 1:1 agenda: what the report was recognised for since the last 1:1."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.access import RecordKind
from models.core.agenda import SECTION_LINES_MAX, AgendaSection, Pair, SectionSpec, count_rows, people_by_id
from models.core.messages import Phrase, _t, say
from models.kudos.tables import Kudos, KudosRecipient


def kudos_section(session: Session, pair: Pair, since: datetime, until: datetime) -> AgendaSection:
    """Kudos the report received since the last 1:1."""
    q = (select(Kudos).join(KudosRecipient, KudosRecipient.kudos_id == Kudos.id)
         .where(KudosRecipient.person_id == pair.report_id, Kudos.created_at > since, Kudos.created_at <= until))
    rows = list(session.scalars(q.order_by(Kudos.created_at, Kudos.id).limit(SECTION_LINES_MAX)))
    givers = people_by_id(session, {k.giver_id for k in rows})
    lines: list[str] = [Phrase(say(_t("from {giver}: {message}"), message=k.message,
                                   giver=givers[k.giver_id].label if k.giver_id in givers else "?")) for k in rows]
    return AgendaSection(title=_t("Kudos received"), lines=lines, total=count_rows(session, q),
                         empty=_t("No kudos since your last 1:1."))


SECTIONS = (SectionSpec(key="kudos", order=50, fn=kudos_section, record=RecordKind.KUDOS),)
