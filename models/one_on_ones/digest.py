"""The 1:1s in the HR weekly digest: how many of the 1:1s due in the week were held, and who took part.

- **Due.** A pair has a 1:1 in a week when its rhythm (`rhythm.meetings_between`: `weekday` at `local_time`
  in `tz`, every `interval_weeks` weeks from `anchor_week`) puts a meeting in it — the week being HR's
  (`hr.timezone`), from its Monday 00:00 to the next — while the pair existed (created before the meeting,
  not ended by then). A meeting recorded as held whose slot the pair's current rhythm no longer has (its
  cadence changed since) is due, and held, in the week it was scheduled in.
- **Held.** The meeting of that slot (same pair, same week key) has `held_at`.
- **Who counts.** Pairs of the workspace whose two people are active (not deactivated, bots or erased):
  live pairs, and pairs ended during the weeks looked at, for the weeks they still ran.
- **Privacy.** Notes, talking points and action items are private to the pair (`models.access`:
  `one_on_one_note`, `action_item`; HR only with `privacy.hr_sees_one_on_one_notes`). The section shows
  counts and who met, never what was said: its queries do not even read the notes column.

Two queries, whatever the history: the pairs with their people, and the meetings scheduled in the nine weeks
(the week and its `HISTORY_WEEKS` before), grouped by week in Python.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, union
from sqlalchemy.orm import Session, aliased

from models.core.config import OrgConfig
from models.core.digest import HISTORY_WEEKS, Activity, DigestSection, DigestSpec, Figure, Week
from models.core.messages import Message, Phrase, _t, say
from models.core.tables import Person, active_person
from models.core.zones import zone_of
from models.one_on_ones.rhythm import meetings_between
from models.one_on_ones.tables import ActionItem, OneOnOneMeeting, OneOnOnePair, TalkingPoint

KEY = "one_on_ones"
MANAGER_LINES = 5  # managers named in the lines; every missed 1:1 is in the tail
TAIL_HEADER = ("manager", "report", "scheduled")
_JUST_BEFORE = timedelta(microseconds=1)  # meetings_between is (start, end]: a week is [start, end)
_SLACK = timedelta(days=7)  # a held meeting's row may be dated a little outside the weeks its slot is in


@dataclass(frozen=True)
class DueMeeting:
    """One 1:1 due in a week of the digest (index 0 is the oldest week, HISTORY_WEEKS the digest's own)."""

    week: int
    pair_id: int
    manager_id: int
    manager: str
    report: str
    at: datetime
    held: bool


def _weeks(week: Week) -> list[Week]:
    """The weeks a section looks at, oldest first: HISTORY_WEEKS before `week`, then `week`."""
    return [week.back(n) for n in range(HISTORY_WEEKS, 0, -1)] + [week]


def due_meetings(session: Session, team_id: str, week: Week) -> list[DueMeeting]:
    """Every 1:1 due in `week` and the HISTORY_WEEKS before it, and whether it was held. Two queries."""
    weeks = _weeks(week)
    starts = [w.start for w in weeks]
    first, end = starts[0], week.end
    manager, report = aliased(Person), aliased(Person)
    rows = session.execute(
        select(OneOnOnePair, manager.display_name, manager.real_name, manager.name, manager.slack_user_id,
               report.display_name, report.real_name, report.name, report.slack_user_id)
        .join(manager, manager.id == OneOnOnePair.manager_id)
        .join(report, report.id == OneOnOnePair.report_id)
        .where(OneOnOnePair.team_id == team_id, OneOnOnePair.created_at < end,
               or_(and_(OneOnOnePair.active.is_(True), report.manager_id == OneOnOnePair.manager_id),
                   and_(OneOnOnePair.active.is_(False), OneOnOnePair.ended_at > first)),
               *active_person(manager), *active_person(report))
        .order_by(OneOnOnePair.id)
    ).all()
    if not rows:
        return []
    pairs = {row[0].id: (row[0], _label(*row[1:5]), _label(*row[5:9])) for row in rows}
    recorded: dict[tuple[int, str], tuple[datetime, datetime | None]] = {
        (pair_id, period): (at, held_at) for pair_id, period, at, held_at in session.execute(
            select(OneOnOneMeeting.pair_id, OneOnOneMeeting.period, OneOnOneMeeting.scheduled_at,
                   OneOnOneMeeting.held_at)
            .join(OneOnOnePair, OneOnOnePair.id == OneOnOneMeeting.pair_id)
            .where(OneOnOnePair.team_id == team_id, OneOnOneMeeting.scheduled_at >= first - _SLACK,
                   OneOnOneMeeting.scheduled_at < end + _SLACK))
    }

    def week_of(at: datetime) -> int | None:
        index = bisect_right(starts, at) - 1
        return index if index >= 0 and at < end else None

    found: list[DueMeeting] = []
    matched: set[tuple[int, str]] = set()
    for pair_id, (pair, manager_label, report_label) in pairs.items():
        for slot in meetings_between(pair, first - _JUST_BEFORE, end - _JUST_BEFORE):
            index = week_of(slot.at)
            if index is None or slot.at < pair.created_at or (pair.ended_at is not None and slot.at >= pair.ended_at):
                continue
            key = (pair_id, slot.period)
            matched.add(key)
            meeting = recorded.get(key)
            found.append(DueMeeting(index, pair_id, pair.manager_id, manager_label, report_label, slot.at,
                                    meeting is not None and meeting[1] is not None))
    for (pair_id, period), (at, held_at) in recorded.items():  # held on a slot the rhythm no longer has
        index = week_of(at)
        if held_at is None or (pair_id, period) in matched or pair_id not in pairs or index is None:
            continue
        pair, manager_label, report_label = pairs[pair_id]
        found.append(DueMeeting(index, pair_id, pair.manager_id, manager_label, report_label, at, True))
    return found


def _label(display_name: str, real_name: str, name: str, slack_user_id: str) -> str:
    """`Person.label` from its columns (the section reads no more of a person than it shows)."""
    return display_name or real_name or name or slack_user_id


def one_on_ones_section(session: Session, org: OrgConfig, team_id: str, week: Week) -> DigestSection:
    """1:1s held of those due this week (each pair's cadence), the managers with the most not held, and
    every pair whose 1:1 was due and not held. Counts only: never notes, talking points or action items."""
    title = _t("1:1s")
    if not org.one_on_ones.enabled:
        return DigestSection(KEY, title, empty=_t("1:1s are switched off."))
    meetings = due_meetings(session, team_id, week)
    if not meetings:
        return DigestSection(KEY, title, empty=_t("No 1:1s were due in this week or the weeks before it."))
    due = [0] * (HISTORY_WEEKS + 1)
    held = [0] * (HISTORY_WEEKS + 1)
    for m in meetings:
        due[m.week] += 1
        held[m.week] += m.held
    this = [m for m in meetings if m.week == HISTORY_WEEKS]
    pairs_due = len({m.pair_id for m in this})
    share = held[-1] / due[-1] if due[-1] else None
    figures = (
        Figure(f"{KEY}:held_share", _t("1:1s held, of those due"), share, "share",
               tuple(h / d for h, d in zip(held[:-1], due[:-1], strict=True) if d), pairs_due),
        Figure(f"{KEY}:held", _t("1:1s held"), held[-1], "count", tuple(float(h) for h in held[:-1]), pairs_due),
    )
    missed = sorted((m for m in this if not m.held), key=lambda m: (m.manager.lower(), m.report.lower(), m.at))
    lines: list[Message | str] = []
    if not this:
        lines.append(say(_t("No 1:1s were due this week.")))
    else:
        lines.append(say(_t("{held} of {due} 1:1s due this week were held."), held=held[-1], due=due[-1]))
    names = {m.manager_id: m.manager for m in this}
    due_by_manager = Counter(m.manager_id for m in this)
    missed_by_manager = Counter(m.manager_id for m in missed)
    worst = sorted(missed_by_manager.items(), key=lambda kv: (-kv[1], names[kv[0]].lower(), kv[0]))
    for manager_id, count in worst[:MANAGER_LINES]:
        lines.append(Phrase(names[manager_id], ": ", say(_t("{missed} of {due} 1:1s not held"), missed=count,
                                                         due=due_by_manager[manager_id])))
    if len(worst) > MANAGER_LINES:
        lines.append(say(_t("…and {count} more managers with 1:1s not held."), count=len(worst) - MANAGER_LINES))
    zone = zone_of(week.zone, "UTC")
    tail = tuple((m.manager, m.report, m.at.astimezone(zone).date().isoformat()) for m in missed)
    return DigestSection(KEY, title, figures, tuple(lines), TAIL_HEADER, tail)


def one_on_one_activity(session: Session, team_id: str, start: datetime, end: datetime) -> set[int]:
    """Who did something with 1:1s in [start, end): both people of a pair whose 1:1 was held then, whoever
    added a talking point, wrote the notes a new action item came with, or marked an action item done.
    Active people of the workspace only. One query."""
    pair_of_meeting = OneOnOnePair.id == OneOnOneMeeting.pair_id
    in_team = OneOnOnePair.team_id == team_id
    held = (OneOnOneMeeting.held_at >= start, OneOnOneMeeting.held_at < end)
    ids = union(
        select(OneOnOnePair.manager_id.label("person_id")).join(OneOnOneMeeting, pair_of_meeting)
        .where(in_team, *held),
        select(OneOnOnePair.report_id).join(OneOnOneMeeting, pair_of_meeting).where(in_team, *held),
        select(TalkingPoint.author_id).join(OneOnOnePair, OneOnOnePair.id == TalkingPoint.pair_id)
        .where(in_team, TalkingPoint.created_at >= start, TalkingPoint.created_at < end),
        select(OneOnOneMeeting.notes_author_id).join(ActionItem, ActionItem.meeting_id == OneOnOneMeeting.id)
        .join(OneOnOnePair, pair_of_meeting)
        .where(in_team, ActionItem.created_at >= start, ActionItem.created_at < end),
        select(ActionItem.done_by_id).join(OneOnOnePair, OneOnOnePair.id == ActionItem.pair_id)
        .where(in_team, ActionItem.done_at >= start, ActionItem.done_at < end),
    ).subquery()
    return set(session.scalars(select(Person.id).where(Person.id.in_(select(ids.c.person_id)),
                                                       Person.team_id == team_id, *active_person(Person))))


DIGEST_SECTIONS = (
    DigestSpec(KEY, 30, one_on_ones_section,
               "1:1s held of those due in the week by each pair's cadence (share and count, against the 8 weeks "
               "before), the managers with the most 1:1s not held, and every pair whose 1:1 was due and not held. "
               "Counts only: never notes, talking points or action items."),
)
ACTIVITY = (Activity("one_on_ones", one_on_one_activity),)
