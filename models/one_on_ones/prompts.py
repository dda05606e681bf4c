"""The 1:1 agenda DM, due the working day before each meeting, in each person's own time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from models.core.config import OrgConfig
from models.core.prompts import Occurrence, PromptContext, PromptKind
from models.core.tables import Person
from models.core.timing import (
    WorkPattern,
    local_day_at,
    working_day_before,
)
from models.one_on_ones.base import AGENDA_KIND, AGENDA_LOOKAHEAD
from models.one_on_ones.pairs import live_pairs_by_person, pairs_for
from models.one_on_ones.rhythm import meetings_between
from models.one_on_ones.tables import OneOnOnePair


def agenda_occurrences(session: Session, org: OrgConfig, person: Person, pattern: WorkPattern, start: datetime,
                       end: datetime, *, pairs: list[OneOnOnePair] | None = None) -> list[Occurrence]:
    """The person's agenda DMs due in (start, end]: one per meeting of each live pair they are in, at
    `agenda_time` on their own working day before the meeting's date (both in their time zone)."""
    cfg = org.one_on_ones
    if not cfg.enabled or not person.active:
        return []
    found: list[Occurrence] = []
    zone = pattern.zone()
    for pair in pairs_for(session, person) if pairs is None else pairs:
        for slot in meetings_between(pair, start, end + AGENDA_LOOKAHEAD):
            day = working_day_before(slot.at.astimezone(zone).date(), pattern)
            due = local_day_at(day, cfg.agenda_time, pattern)
            if start < due <= end and due > pair.created_at and due < slot.at:
                found.append(Occurrence(
                    period=f"pair{pair.id}-{slot.period}", due_at=due,
                    payload={"pair_id": pair.id, "meeting_period": slot.period, "meeting_at": slot.at.isoformat()},
                ))
    return found


def agenda_prompts(ctx: PromptContext, person: Person, pattern: WorkPattern, start: datetime, end: datetime
                   ) -> list[Occurrence]:
    if not ctx.org.one_on_ones.enabled:
        return []
    by_person = ctx.cache.get(AGENDA_KIND)
    if by_person is None:  # one query for the whole tick, not one per person
        by_person = ctx.cache[AGENDA_KIND] = live_pairs_by_person(ctx.session, person.team_id)
    pairs = by_person.get(person.id)
    if not pairs:
        return []
    return agenda_occurrences(ctx.session, ctx.org, person, pattern, start, end, pairs=pairs)


PROMPTS = (PromptKind(AGENDA_KIND, agenda_prompts,
                      description="1:1 agenda DM, the working day before each 1:1, in each person's time"),)
