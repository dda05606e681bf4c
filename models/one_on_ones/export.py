"""1:1s in the performance-data export: for each person as the report, the 1:1s due with their manager in the
period and how many were held.

- **Due**: the slots of each pair's rhythm (`rhythm.meetings_between`, the rule of the agenda DM and of the HR
  digest) from the period's start to its end or now, whichever comes first, while the pair existed (created
  before the slot, not ended by then). A meeting recorded as held on a slot the pair's current rhythm no longer
  has (its cadence changed since) is due, and held, when it was scheduled.
- **Held**: the meeting of that slot (same pair, same week key) has `held_at`.
- As the report: a manager's own 1:1s with their reports are in their reports' rows.

Two statements whatever the size of the workspace: the pairs, and the meetings scheduled in the period.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from models.core.clock import clock_of
from models.core.config import OrgConfig
from models.core.exports import ExportColumn, ExportSpec, ExportValue
from models.one_on_ones.rhythm import meetings_between
from models.one_on_ones.tables import OneOnOneMeeting, OneOnOnePair

_JUST_BEFORE = timedelta(microseconds=1)  # meetings_between is (start, end]: the period is [start, end)
PRIVACY = ("Counts only: never notes, talking points or action items (private to the pair). Reads the meeting "
           "dates, never the notes column.")


def one_on_ones_export(session: Session, org: OrgConfig, team_id: str, start: datetime, end: datetime
                       ) -> dict[int, dict[str, ExportValue]]:
    if not org.one_on_ones.enabled:
        return {}
    until = min(end, clock_of(session).now())
    if until <= start:
        return {}
    pairs = {pair.id: pair for pair in session.scalars(
        select(OneOnOnePair).where(OneOnOnePair.team_id == team_id, OneOnOnePair.created_at < until,
                                   or_(OneOnOnePair.ended_at.is_(None), OneOnOnePair.ended_at > start)))}
    if not pairs:
        return {}
    recorded: dict[tuple[int, str], tuple[datetime, datetime | None]] = {
        (pair_id, period): (at, held_at) for pair_id, period, at, held_at in session.execute(
            select(OneOnOneMeeting.pair_id, OneOnOneMeeting.period, OneOnOneMeeting.scheduled_at,
                   OneOnOneMeeting.held_at)
            .join(OneOnOnePair, OneOnOnePair.id == OneOnOneMeeting.pair_id)
            .where(OneOnOnePair.team_id == team_id, OneOnOneMeeting.scheduled_at >= start - timedelta(days=7),
                   OneOnOneMeeting.scheduled_at < until + timedelta(days=7)))
    }
    due: dict[int, int] = {}
    held: dict[int, int] = {}
    matched: set[tuple[int, str]] = set()
    for pair in pairs.values():
        for slot in meetings_between(pair, start - _JUST_BEFORE, until - _JUST_BEFORE):
            if slot.at < pair.created_at or (pair.ended_at is not None and slot.at >= pair.ended_at):
                continue
            key = (pair.id, slot.period)
            matched.add(key)
            due[pair.report_id] = due.get(pair.report_id, 0) + 1
            meeting = recorded.get(key)
            if meeting is not None and meeting[1] is not None:
                held[pair.report_id] = held.get(pair.report_id, 0) + 1
    for (pair_id, period), (at, held_at) in recorded.items():  # held on a slot the rhythm no longer has
        if held_at is None or (pair_id, period) in matched or pair_id not in pairs or not start <= at < until:
            continue
        report_id = pairs[pair_id].report_id
        due[report_id] = due.get(report_id, 0) + 1
        held[report_id] = held.get(report_id, 0) + 1
    return {person_id: {"one_on_ones_due": count, "one_on_ones_held": held.get(person_id, 0)}
            for person_id, count in due.items()}


EXPORTS = (ExportSpec("one_on_ones", 30, (
    ExportColumn("one_on_ones_due", "1:1s due with the person's manager in the period (as the report), by the "
                 "pair's cadence, up to now", "one_on_one_pairs (rhythm), one_on_one_meetings", PRIVACY, default=0),
    ExportColumn("one_on_ones_held", "Of those, the 1:1s recorded as held", "one_on_one_meetings (held_at)",
                 PRIVACY, default=0),
), one_on_ones_export),)
