"""The check-ins part of the 1:1 agenda: the report's check-ins since the last 1:1, every answer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.access import RecordKind
from models.checkins.tables import Checkin
from models.core.agenda import SECTION_LINES_MAX, AgendaSection, Pair, SectionSpec, count_rows
from models.core.messages import Message, Phrase, _t, say


def _answer_text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def checkins_section(session: Session, pair: Pair, since: datetime, until: datetime) -> AgendaSection:
    """The report's check-ins since the last 1:1: one line each, with mood, blocker and every answer."""
    q = select(Checkin).where(Checkin.person_id == pair.report_id, Checkin.submitted_at > since,
                              Checkin.submitted_at <= until)
    lines: list[str] = []
    for c in session.scalars(q.order_by(Checkin.period, Checkin.id).limit(SECTION_LINES_MAX)):
        parts: list[str | Message] = [c.period]
        if c.mood is not None:
            parts += [" · ", say(_t("mood {mood}"), mood=c.mood)]
        if c.has_blocker:
            parts += [" · :warning: ", say(_t("blocker"))]
        # The wording answered (the snapshot), in the order asked; answers to unknown ids last.
        texts = {str(q["id"]): str(q.get("text") or q["id"]) for q in c.questions if isinstance(q, dict) and "id" in q}
        keys = [k for k in texts if k in c.answers] + [k for k in c.answers if k not in texts]
        answers = [f"{texts.get(k, k)}: {_answer_text(c.answers[k])}" for k in keys
                   if c.answers[k] not in (None, "", [])]
        if answers:
            parts.append(" — " + " · ".join(answers))
        lines.append(Phrase(*parts))
    return AgendaSection(title=_t("Check-ins since last 1:1"), lines=lines, total=count_rows(session, q),
                         empty=_t("No check-ins since your last 1:1."))


SECTIONS = (SectionSpec(key="checkins", order=30, fn=checkins_section, record=RecordKind.CHECKIN_ANSWER),)
