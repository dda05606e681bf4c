"""The feedback part of the 1:1 agenda: feedback about the report since the last 1:1.

Feedback has per-row visibility (the recipient; the recipient and their managers; managers only), and a
section's function does not know who is looking. So the section lists only feedback that **both** members of
the pair may see (`rules.visible_where` for each of them, without HR rights: the stricter reading), and it is
shown only to the pair itself (`record=ONE_ON_ONE_NOTE`: the report, the pair's manager, HR admins when
`privacy.hr_sees_one_on_one_notes`, operators). Anyone who sees the section may therefore see every line of
it: feedback for managers only never reaches the report, and feedback only for the recipient never reaches
the manager unless the manager wrote it. The 1:1 is a conversation between the two; what one of them may not
read does not belong on its shared agenda.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models import access
from models.access import RecordKind
from models.core.agenda import SECTION_LINES_MAX, AgendaSection, Pair, SectionSpec, people_by_id
from models.core.messages import Message, Phrase, _t, say
from models.feedback.rules import can_see
from models.feedback.tables import Feedback

EXAMPLE_SHOWN = 200  # characters of the example shown on the agenda


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def shared_feedback(session: Session, pair: Pair, since: datetime, until: datetime) -> list[Feedback]:
    """Feedback about the report in (since, until] that both members of the pair may see, oldest first.

    Checked per row by `rules.can_see` for each member (the feedback of one report between two 1:1s is a
    handful of rows)."""
    people = people_by_id(session, (pair.manager_id, pair.report_id))
    manager, report = people.get(pair.manager_id), people.get(pair.report_id)
    if manager is None or report is None:
        return []
    # Without HR rights on purpose: a pair member who is an HR admin must not widen what the other one sees.
    as_report, as_manager = access.Viewer.slack(report), access.Viewer.slack(manager)
    rows = session.scalars(
        select(Feedback).where(Feedback.subject_id == pair.report_id, Feedback.created_at > since,
                               Feedback.created_at <= until)
        .options(selectinload(Feedback.author), selectinload(Feedback.subject))
        .order_by(Feedback.created_at, Feedback.id))
    return [f for f in rows if can_see(session, as_report, f) and can_see(session, as_manager, f)]


def feedback_section(session: Session, pair: Pair, since: datetime, until: datetime) -> AgendaSection:
    """Feedback about the report since the last 1:1 that both people in the 1:1 may see, oldest first."""
    found = shared_feedback(session, pair, since, until)
    lines: list[str] = []
    for f in found[:SECTION_LINES_MAX]:
        parts: list[str | Message] = [say(_t("from {author}"), author=f.author.label) if f.author is not None
                                      else say(_t("anonymous, from a request"))]
        if f.competency:
            parts += [" · ", f.competency]
            if f.level is not None:
                parts += [" ", say(_t("(level {level})"), level=f.level)]
        parts += [": ", f.behaviour, " — ", say(_t("example: {example}"), example=_shorten(f.example, EXAMPLE_SHOWN))]
        lines.append(Phrase(*parts))
    return AgendaSection(title=_t("Feedback since last time"), lines=lines, total=len(found),
                         empty=_t("No feedback since your last 1:1 that you both can see."))


SECTIONS = (SectionSpec(key="feedback", order=45, fn=feedback_section, record=RecordKind.ONE_ON_ONE_NOTE),)
