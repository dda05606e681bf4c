"""The 1:1's own agenda sections: open talking points and open action items."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.access import RecordKind
from models.core.agenda import SECTION_LINES_MAX, AgendaSection, SectionSpec, count_rows, people_by_id
from models.core.messages import Message, Phrase, _t, say
from models.one_on_ones.rhythm import pair_pattern
from models.one_on_ones.tables import ActionItem, OneOnOnePair, TalkingPoint


def talking_points_section(session: Session, pair: OneOnOnePair, since: datetime, until: datetime) -> AgendaSection:
    """Open talking points either member added, oldest first."""
    q = select(TalkingPoint).where(TalkingPoint.pair_id == pair.id, TalkingPoint.meeting_id.is_(None))
    points = list(session.scalars(q.order_by(TalkingPoint.created_at, TalkingPoint.id).limit(SECTION_LINES_MAX)))
    people = people_by_id(session, (pair.manager_id, pair.report_id))
    lines = [f"{p.text} — {people[p.author_id].label if p.author_id in people else '?'}" for p in points]
    return AgendaSection(title=_t("Talking points"), lines=lines, total=count_rows(session, q),
                         empty=_t("No talking points yet: add one with the button below or `/1on1 add`."))


def action_items_section(session: Session, pair: OneOnOnePair, since: datetime, until: datetime) -> AgendaSection:
    """Action items not done yet, from any earlier meeting of the pair: soonest due first, overdue flagged."""
    q = select(ActionItem).where(ActionItem.pair_id == pair.id, ActionItem.done_at.is_(None))
    items = list(session.scalars(q.order_by(ActionItem.due_date.is_(None), ActionItem.due_date, ActionItem.id)
                                 .limit(SECTION_LINES_MAX)))
    people = people_by_id(session, {i.owner_id for i in items})
    day = until.astimezone(pair_pattern(pair).zone()).date()
    lines: list[str] = []
    for item in items:
        owner = people[item.owner_id].label if item.owner_id in people else "?"
        parts: list[str | Message] = [f"{item.text} — {owner}"]
        if item.due_date is not None:
            parts += [" · ", say(_t("due {date}"), date=item.due_date.isoformat())]
            if item.due_date < day:
                parts += [" :warning: ", say(_t("overdue"))]
        lines.append(Phrase(*parts))
    return AgendaSection(title=_t("Open action items"), lines=lines, total=count_rows(session, q),
                         item_ids=[i.id for i in items], empty=_t("No open action items."))


SECTIONS = (
    SectionSpec(key="talking_points", order=10, fn=talking_points_section, record=RecordKind.ONE_ON_ONE_NOTE),
    SectionSpec(key="action_items", order=20, fn=action_items_section, record=RecordKind.ACTION_ITEM),
)
