"""1:1s: manager–report pairs, their rhythm, agendas, notes and action items. No Slack here; only flush().

- Pairs (`sync_pairs`): one per active manager–report relation (`Person.manager_id`), created with the
  organisation's default cadence in the manager's time zone; ended (`active=False`, `ended_at`) when the
  relation ends, keeping meetings, notes and action items with the old pair; re-activated when the same two
  people work together again. A pair is *live* while it is active, the report still reports to its manager
  and both people are active: only live pairs get agendas, alerts or new talking points, even in the minutes
  between an org change and the next sync.
- Rhythm: a meeting falls on the pair's `weekday` at `local_time` in `tz`, every `interval_weeks` weeks
  counted from `anchor_week`, with no working-day or quiet-hour shifting (`next_meeting`, `meetings_between`).
- Agendas: `@agenda_section(order)` functions over the store, each declaring the record kind it reveals;
  `build_agenda` runs the ones the viewer may see (`models.access`) for the window since the last 1:1.
- Notes and action items are private to the pair (and HR admins when `privacy.hr_sees_one_on_one_notes`):
  every read asks the access policy through `_may_see` / `_visible_clause`.
"""

from __future__ import annotations

import inspect
import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, aliased

from bot.i18n import Translator, translator
from models import access
from models.access import RecordKind
from models.checkins.tables import Checkin
from models.core import outbox
from models.core.clock import clock_of
from models.core.config import WEEKDAYS, OrgConfig
from models.core.messages import _t
from models.core.tables import Alert, Person
from models.core.text import is_blank
from models.core.timing import (
    WorkPattern,
    every_n_weeks_due,
    in_quiet_hours,
    is_working_day,
    local_day_at,
    local_week_start,
    working_day_before,
)
from models.core.zones import is_zone, zone_name, zone_of
from models.kudos.tables import Kudos, KudosRecipient
from models.one_on_ones.tables import ActionItem, OneOnOneMeeting, OneOnOnePair, TalkingPoint
from models.privacy import PersonalData, register_personal_data
from scheduler.prompts import Occurrence, is_paused, pattern_for

log = logging.getLogger(__name__)

TALKING_POINT_MAX = 1000
NOTES_MAX = 3000
ACTION_ITEM_MAX = 500
ACTION_ITEMS_PER_MEETING = 10
SECTION_LINES_MAX = 100  # lines a section returns at most (the "Show all" modal's capacity)
INTERVALS = (1, 2)  # weekly, every two weeks
ALERT_KIND = "oneonone.no_meeting"
NUDGE_KIND = "oneonone.nudge"
NOTES_KIND = "oneonone.notes"
SCHEDULE_KIND = "oneonone.schedule"
AGENDA_KIND = "oneonone.agenda"
# An agenda is due on a working day before its meeting; never more than this far ahead of it.
AGENDA_LOOKAHEAD = timedelta(days=9)
# Notes recorded up to this long before a meeting belong to it (a 1:1 held a little early).
EARLY_NOTES = timedelta(days=1)

_ALL_DAYS = frozenset(range(7))
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


# -- errors ----------------------------------------------------------------------------------------


class OneOnOneError(Exception):
    """A 1:1 change that breaks a rule; nothing was written. `str(err)` is the message in English.

    `template` and `params` let a caller translate it (`t(err.template, **err.params)`); `field` names the
    input it belongs to ("text", "pair", "notes", "item1_text", "item1_owner", "item1_due", "interval",
    "weekday", "time", "tz"), for inline modal errors.
    """

    def __init__(self, message: str, *, field: str = "", params: dict[str, Any] | None = None) -> None:
        self.template = message
        self.params = dict(params or {})
        self.field = field
        super().__init__(message.format(**self.params) if self.params else message)


# -- pairs -----------------------------------------------------------------------------------------


def _active(person: type[Person] | Any) -> tuple[ColumnElement[bool], ...]:
    return (person.is_deleted.is_(False), person.is_bot.is_(False), person.erased_at.is_(None))


def _live_pairs() -> Select[OneOnOnePair]:
    """Active pairs whose relation still holds and whose two people are both active."""
    manager, report = aliased(Person), aliased(Person)
    return (
        select(OneOnOnePair)
        .join(manager, manager.id == OneOnOnePair.manager_id)
        .join(report, report.id == OneOnOnePair.report_id)
        .where(OneOnOnePair.active.is_(True), report.manager_id == OneOnOnePair.manager_id,
               *_active(manager), *_active(report))
    )


def is_live(pair: OneOnOnePair) -> bool:
    return (pair.active and pair.report.manager_id == pair.manager_id and pair.manager.active
            and pair.report.active)


def pair_of(session: Session, manager: Person, report: Person) -> OneOnOnePair | None:
    """The live pair of this manager and this report, if any."""
    return session.scalars(
        _live_pairs().where(OneOnOnePair.manager_id == manager.id, OneOnOnePair.report_id == report.id)
    ).one_or_none()


def pairs_for(session: Session, person: Person) -> list[OneOnOnePair]:
    """The person's live pairs: as a manager (with each report) and as a report (with their manager)."""
    return list(session.scalars(
        _live_pairs().where(or_(OneOnOnePair.manager_id == person.id, OneOnOnePair.report_id == person.id))
        .order_by(OneOnOnePair.id)
    ))


def live_pairs_by_person(session: Session, team_id: str) -> dict[int, list[OneOnOnePair]]:
    """Every live pair of the workspace, by member: one query for a whole tick instead of one per person."""
    by_person: dict[int, list[OneOnOnePair]] = {}
    for pair in session.scalars(_live_pairs().where(OneOnOnePair.team_id == team_id).order_by(OneOnOnePair.id)):
        by_person.setdefault(pair.manager_id, []).append(pair)
        by_person.setdefault(pair.report_id, []).append(pair)
    return by_person


def live_pair(session: Session, pair_id: int) -> OneOnOnePair | None:
    return session.scalars(_live_pairs().where(OneOnOnePair.id == pair_id)).one_or_none()


def is_member(pair: OneOnOnePair, person: Person) -> bool:
    return person.id in (pair.manager_id, pair.report_id)


def other_member(pair: OneOnOnePair, person: Person) -> Person:
    return pair.report if person.id == pair.manager_id else pair.manager


@dataclass
class SyncReport:
    created: int = 0
    reactivated: int = 0
    ended: int = 0

    def __str__(self) -> str:
        return f"{self.created} pairs created, {self.reactivated} re-activated, {self.ended} ended"


def sync_pairs(session: Session, team_id: str, org: OrgConfig, *, now: datetime | None = None) -> SyncReport:
    """Make pairs match the org chart: one live pair per active manager–report relation. Idempotent.

    New pairs get the default cadence, day and time, in the manager's time zone (else the default), with
    the current week as anchor. A pair whose relation ended (manager change, someone deactivated) is ended
    and keeps its history; the same two people working together again re-activate their old pair.
    """
    now = now or clock_of(session).now()
    report = SyncReport()
    cfg = org.one_on_ones
    if not cfg.enabled:  # 1:1s switched off: pairs stay as they are, and get no agendas or alerts
        return report
    manager, person = aliased(Person), aliased(Person)
    relations = session.execute(
        select(person, manager)
        .join(manager, manager.id == person.manager_id)
        .where(person.team_id == team_id, manager.team_id == team_id, manager.id != person.id,
               *_active(person), *_active(manager))
    ).all()
    wanted = {(m.id, p.id): (m, p) for p, m in relations}
    existing = {(pr.manager_id, pr.report_id): pr for pr in session.scalars(
        select(OneOnOnePair).where(OneOnOnePair.team_id == team_id))}

    for key, pair in existing.items():
        if pair.active and key not in wanted:
            pair.active, pair.ended_at = False, now
            report.ended += 1
        elif not pair.active and key in wanted:
            pair.active, pair.ended_at = True, None
            report.reactivated += 1
    for key, (m, p) in wanted.items():
        if key in existing:
            continue
        tz = zone_name(m.tz, org.schedule.default_timezone)
        pattern = WorkPattern(tz=tz, working_days=_ALL_DAYS, quiet_start=time(0), quiet_end=time(0))
        created = _insert_new(session, OneOnOnePair, ("manager_id", "report_id"), dict(
            team_id=team_id, manager_id=m.id, report_id=p.id,
            interval_weeks=1 if cfg.default_cadence == "weekly" else 2,
            weekday=WEEKDAYS.index(cfg.default_weekday), local_time=cfg.default_time.strftime("%H:%M"),
            tz=tz, anchor_week=local_week_start(now, pattern), active=True, created_at=now,
        ))
        if created is not None:  # else a concurrent sync created it first
            report.created += 1
    session.flush()
    return report


def _insert_new(session: Session, model: type[Any], keys: tuple[str, ...], values: dict[str, Any]) -> int | None:
    """INSERT … ON CONFLICT DO NOTHING: the new row's id, or None when a row with these keys exists.

    Not a SAVEPOINT: with pysqlite a SAVEPOINT opened before any other write of the transaction starts the
    transaction itself, and its RELEASE commits it — a later failure could then not roll the row back."""
    session.flush()
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(model).values(**values).on_conflict_do_nothing(index_elements=list(keys)).returning(model.id)
    new_id = session.execute(stmt).scalar_one_or_none()
    return int(new_id) if new_id is not None else None


# -- rhythm ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """One scheduled meeting of a pair: `period` is the ISO week key of its week (in the pair's zone)."""

    period: str
    at: datetime


def pair_pattern(pair: OneOnOnePair) -> WorkPattern:
    """The pair's clock: its zone, every day usable, no quiet hours (a meeting is where they put it)."""
    return WorkPattern(tz=zone_name(pair.tz, "UTC"), working_days=_ALL_DAYS, quiet_start=time(0),
                       quiet_end=time(0))


def parse_time(value: str | time) -> time | None:
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    m = _TIME.match(value.strip())
    return time(int(m.group(1)), int(m.group(2))) if m else None


def pair_time(pair: OneOnOnePair) -> time:
    return parse_time(pair.local_time) or time(10, 0)


def next_meeting(pair: OneOnOnePair, after: datetime) -> Slot:
    """The pair's first meeting strictly after `after`."""
    period, at = every_n_weeks_due(pair.anchor_week, max(1, pair.interval_weeks), after, pair.weekday,
                                   pair_time(pair), pair_pattern(pair))
    return Slot(period, at)


def meetings_between(pair: OneOnOnePair, start: datetime, end: datetime) -> list[Slot]:
    """The pair's meetings in (start, end]."""
    slots: list[Slot] = []
    slot = next_meeting(pair, start)
    while slot.at <= end:
        slots.append(slot)
        slot = next_meeting(pair, slot.at)
    return slots


def previous_meeting(pair: OneOnOnePair, at_or_before: datetime) -> Slot | None:
    """The pair's latest meeting at or before the moment."""
    probe = at_or_before - timedelta(weeks=max(1, pair.interval_weeks), days=2)
    found = meetings_between(pair, probe, at_or_before)
    return found[-1] if found else None


def slot_for(pair: OneOnOnePair, period: str, at: datetime) -> Slot | None:
    """The slot if the pair's current schedule still has a meeting at that moment (else it was moved)."""
    slot = next_meeting(pair, at - timedelta(seconds=1))
    return slot if slot.at == at and slot.period == period else None


def meeting_for_notes(pair: OneOnOnePair, now: datetime) -> Slot:
    """The meeting notes recorded now belong to: the latest one, counting one up to a day ahead."""
    return previous_meeting(pair, now + EARLY_NOTES) or next_meeting(pair, now)


def ensure_meeting(session: Session, pair: OneOnOnePair, period: str, scheduled_at: datetime) -> OneOnOneMeeting:
    """The meeting row for this pair and period, created on first use."""
    query = select(OneOnOneMeeting).where(OneOnOneMeeting.pair_id == pair.id, OneOnOneMeeting.period == period)
    found = session.scalars(query).one_or_none()
    if found is not None:
        return found
    new_id = _insert_new(session, OneOnOneMeeting, ("pair_id", "period"),
                         dict(pair_id=pair.id, period=period, scheduled_at=scheduled_at))
    if new_id is None:  # recorded concurrently by the other member
        return session.scalars(query).one()
    meeting = session.get(OneOnOneMeeting, new_id)
    assert meeting is not None
    return meeting


def last_held(session: Session, pair: OneOnOnePair, before: datetime | None = None) -> datetime | None:
    q = select(func.max(OneOnOneMeeting.held_at)).where(OneOnOneMeeting.pair_id == pair.id,
                                                        OneOnOneMeeting.held_at.is_not(None))
    if before is not None:
        q = q.where(OneOnOneMeeting.held_at < before)
    return session.scalar(q)


def since_for(session: Session, pair: OneOnOnePair, until: datetime) -> datetime:
    """Where "since the last 1:1" starts for a meeting at `until`: the previous held meeting, else the
    previous scheduled one (no earlier than the pair), else the pair's creation."""
    held = last_held(session, pair, until)
    if held is not None:
        return held
    previous = previous_meeting(pair, until - timedelta(seconds=1))
    if previous is not None and previous.at > pair.created_at:
        return previous.at
    return pair.created_at


def set_cadence(session: Session, pair: OneOnOnePair, actor: Person, interval_weeks: int, weekday: int,
                local_time: str | time, tz: str, *, now: datetime | None = None) -> OneOnOnePair:
    """Change the pair's rhythm (either member). Changing weekly ↔ every two weeks restarts the count
    from the current week; otherwise the meeting weeks stay. The other member is told by DM."""
    now = now or clock_of(session).now()
    _require_member(pair, actor, _t("Only the two people of this 1:1 can change its schedule."))
    if not pair.active:
        raise OneOnOneError(_t("This 1:1 has ended: its schedule can't change any more."), field="interval")
    if isinstance(interval_weeks, bool) or interval_weeks not in INTERVALS:
        raise OneOnOneError(_t("Choose weekly or every two weeks."), field="interval")
    if isinstance(weekday, bool) or not isinstance(weekday, int) or weekday not in range(7):
        raise OneOnOneError(_t("Choose a day of the week."), field="weekday")
    at = parse_time(local_time)
    if at is None:
        raise OneOnOneError(_t("Choose a time such as 10:00."), field="time")
    if not is_zone(tz):
        raise OneOnOneError(_t("{tz} is not a time zone Candor knows."), field="tz", params={"tz": tz})
    pattern = WorkPattern(tz=tz, working_days=_ALL_DAYS, quiet_start=time(0), quiet_end=time(0))
    if interval_weeks != pair.interval_weeks:
        pair.anchor_week = local_week_start(now, pattern)
    else:
        # Same rhythm: keep the next meeting's week, seen from the (possibly new) time zone. Without this,
        # saving the form unchanged from another zone could shift a fortnightly 1:1 by a week.
        pair.anchor_week = local_week_start(next_meeting(pair, now).at, pattern)
    pair.interval_weeks, pair.weekday, pair.local_time, pair.tz = interval_weeks, weekday, at.strftime("%H:%M"), tz
    session.flush()
    other = other_member(pair, actor)
    outbox.enqueue(session, team_id=pair.team_id, kind=SCHEDULE_KIND,
                   key=outbox.dedupe_key(SCHEDULE_KIND, pair.team_id, other.slack_user_id,
                                         f"pair{pair.id}-{now.timestamp():.6f}"),
                   recipient=other, payload={"pair_id": pair.id, "actor_id": actor.id})
    _refresh_homes(session, pair, f"schedule{pair.id}-{now.timestamp():.6f}")
    return pair


# -- talking points, notes, action items ----------------------------------------------------------------


def _require_member(pair: OneOnOnePair, person: Person, message: str) -> None:
    if not is_member(pair, person) or not person.active:
        raise OneOnOneError(message)


def _clean(text: str | None) -> str:
    """The text as it will be kept; "" when nothing in it would show (`models.core.text.is_blank`)."""
    clean = (text or "").replace("\r\n", "\n").strip()
    return "" if is_blank(clean) else clean


def add_talking_point(session: Session, pair: OneOnOnePair, author: Person, text: str) -> TalkingPoint:
    """Add a topic to the pair's next 1:1. Raises `OneOnOneError` (nothing written) for an empty or
    over-long topic, an author outside the pair or a pair that has ended."""
    _require_member(pair, author, _t("Only the two people of this 1:1 can add talking points to it."))
    if not pair.active:
        raise OneOnOneError(_t("This 1:1 has ended: talking points go to your current 1:1s."), field="pair")
    clean = _clean(text)
    if not clean:
        raise OneOnOneError(_t("Write the topic you want to talk about."), field="text")
    if len(clean) > TALKING_POINT_MAX:
        raise OneOnOneError(_t("A talking point can be at most {max} characters (you wrote {length})."),
                            field="text", params={"max": TALKING_POINT_MAX, "length": len(clean)})
    point = TalkingPoint(pair_id=pair.id, author_id=author.id, text=clean)
    session.add(point)
    session.flush()
    _refresh_homes(session, pair, f"tp{point.id}")
    return point


@dataclass(frozen=True)
class ActionDraft:
    text: str
    owner: Person | None
    due_date: date | None = None


@dataclass(frozen=True)
class NotesResult:
    meeting: OneOnOneMeeting
    items: list[ActionItem]
    covered_points: int


def record_notes(
    session: Session,
    pair: OneOnOnePair,
    meeting: OneOnOneMeeting,
    author: Person,
    notes: str,
    action_items: Sequence[ActionDraft | tuple[str, Person | None, date | None]] = (),
    *,
    now: datetime | None = None,
) -> NotesResult:
    """Record what a 1:1 covered: notes (replacing earlier ones when given) and new action items.

    Marks the meeting held, files the open talking points under it and resolves the pair's open
    no-meeting alerts. Raises `OneOnOneError` (nothing written) with the field of the first problem;
    action-item fields are numbered from 1 in the order given.
    """
    now = now or clock_of(session).now()
    _require_member(pair, author, _t("Only the two people of this 1:1 can record its notes."))
    if meeting.pair_id != pair.id:
        raise OneOnOneError(_t("That meeting belongs to another 1:1."), field="notes")
    if not pair.active:
        raise OneOnOneError(_t("This 1:1 has ended: its notes can't change any more."), field="notes")
    clean = _clean(notes)
    if len(clean) > NOTES_MAX:
        raise OneOnOneError(_t("Notes can be at most {max} characters (you wrote {length})."), field="notes",
                            params={"max": NOTES_MAX, "length": len(clean)})
    drafts = [d if isinstance(d, ActionDraft) else ActionDraft(*d) for d in action_items]
    if len(drafts) > ACTION_ITEMS_PER_MEETING:
        raise OneOnOneError(_t("At most {max} action items at a time."), field="item1_text",
                            params={"max": ACTION_ITEMS_PER_MEETING})
    today = now.astimezone(zone_of(author.tz, pair.tz)).date()  # the author's calendar
    members = {pair.manager_id, pair.report_id}
    items: list[ActionItem] = []
    for i, draft in enumerate(drafts, start=1):
        text = _clean(draft.text)
        if not text:
            raise OneOnOneError(_t("Say what needs doing."), field=f"item{i}_text")
        if len(text) > ACTION_ITEM_MAX:
            raise OneOnOneError(_t("An action item can be at most {max} characters (you wrote {length})."),
                                field=f"item{i}_text", params={"max": ACTION_ITEM_MAX, "length": len(text)})
        if draft.owner is None:
            raise OneOnOneError(_t("Choose who will do it."), field=f"item{i}_owner")
        if draft.owner.id not in members:
            raise OneOnOneError(_t("An action item belongs to one of the two people of the 1:1."),
                                field=f"item{i}_owner")
        if draft.due_date is not None and draft.due_date < today:
            raise OneOnOneError(_t("The due date {date} is in the past."), field=f"item{i}_due",
                                params={"date": draft.due_date.isoformat()})
        items.append(ActionItem(pair_id=pair.id, meeting_id=meeting.id, owner_id=draft.owner.id, text=text,
                                due_date=draft.due_date))
    if not clean and not items and not meeting.notes:
        raise OneOnOneError(_t("Write a few notes or add an action item."), field="notes")

    if clean:
        meeting.notes = clean
        meeting.notes_author_id = author.id
    if meeting.held_at is None:
        meeting.held_at = now
    session.add_all(items)
    open_points = list(session.scalars(select(TalkingPoint).where(
        TalkingPoint.pair_id == pair.id, TalkingPoint.meeting_id.is_(None), TalkingPoint.created_at <= now)))
    for point in open_points:
        point.meeting_id = meeting.id
    for alert in session.scalars(select(Alert).where(
            Alert.kind == ALERT_KIND, Alert.pair_id == pair.id, Alert.resolved_at.is_(None))):
        alert.resolved_at = now
    session.flush()
    other = other_member(pair, author)
    outbox.enqueue(session, team_id=pair.team_id, kind=NOTES_KIND,
                   key=outbox.dedupe_key(NOTES_KIND, pair.team_id, other.slack_user_id,
                                         f"meeting{meeting.id}-{now.timestamp():.6f}"),
                   recipient=other, payload={"meeting_id": meeting.id, "author_id": author.id,
                                             "item_ids": [i.id for i in items]})
    _refresh_homes(session, pair, f"notes{meeting.id}-{now.timestamp():.6f}")
    return NotesResult(meeting=meeting, items=items, covered_points=len(open_points))


def mark_done(session: Session, item: ActionItem, actor: Person, *, now: datetime | None = None) -> bool:
    """Mark an action item done (either member of its pair). False when it already was."""
    pair = session.get(OneOnOnePair, item.pair_id)
    assert pair is not None
    _require_member(pair, actor, _t("Only the two people of this 1:1 can mark its action items done."))
    if item.done_at is not None:
        return False
    now = now or clock_of(session).now()
    item.done_at, item.done_by_id = now, actor.id
    session.flush()
    _refresh_homes(session, pair, f"done{item.id}")
    return True


def _refresh_homes(session: Session, pair: OneOnOnePair, cause: str) -> None:
    for person in (pair.manager, pair.report):
        if person.active:
            outbox.request_home_refresh(session, person, cause=f"oneonone-{cause}")


# -- access: the one door to models.access ------------------------------------------------------------


def _may_see(session: Session, viewer: Person, kind: RecordKind | str, pair: OneOnOnePair, org: OrgConfig) -> bool:
    """May `viewer` see records of `kind` of this pair (notes, action items, the report's check-ins…)?"""
    return access.can_see(
        session, access.Viewer.slack(viewer, org.hr.admins), kind, owner=pair.report, pair_manager=pair.manager,
        hr_sees_notes=org.privacy.hr_sees_one_on_one_notes,
    )


def _visible_clause(viewer: Person, kind: RecordKind, org: OrgConfig) -> ColumnElement[bool]:
    """WHERE clause: the pair records of `kind` the viewer may see (join `OneOnOnePair` in the query)."""
    return access.visible_where(
        access.Viewer.slack(viewer, org.hr.admins), kind, owner_id=OneOnOnePair.report_id.expression,
        pair_manager_id=OneOnOnePair.manager_id.expression, team_id=OneOnOnePair.team_id.expression,
        hr_sees_notes=org.privacy.hr_sees_one_on_one_notes,
    )


def may_see_notes(session: Session, viewer: Person, pair: OneOnOnePair, org: OrgConfig) -> bool:
    return _may_see(session, viewer, RecordKind.ONE_ON_ONE_NOTE, pair, org)


def may_see_action_items(session: Session, viewer: Person, pair: OneOnOnePair, org: OrgConfig) -> bool:
    return _may_see(session, viewer, RecordKind.ACTION_ITEM, pair, org)


@dataclass(frozen=True)
class MeetingNotes:
    meeting: OneOnOneMeeting
    pair: OneOnOnePair
    author: Person | None


def notes_about(session: Session, viewer: Person, about: Person, org: OrgConfig, *, limit: int = 10
                ) -> list[MeetingNotes]:
    """Notes of the held 1:1s `about` took part in (as manager or report) that `viewer` may see, newest
    first. Pairs the viewer may not see are left out in the query, so nothing reveals they exist."""
    rows = session.execute(
        select(OneOnOneMeeting, OneOnOnePair)
        .join(OneOnOnePair, OneOnOnePair.id == OneOnOneMeeting.pair_id)
        .where(or_(OneOnOnePair.manager_id == about.id, OneOnOnePair.report_id == about.id),
               OneOnOnePair.team_id == viewer.team_id, OneOnOneMeeting.notes.is_not(None),
               _visible_clause(viewer, RecordKind.ONE_ON_ONE_NOTE, org))
        .order_by(OneOnOneMeeting.held_at.desc(), OneOnOneMeeting.id.desc())
        .limit(limit)
    ).all()
    return [MeetingNotes(meeting=m, pair=p, author=session.get(Person, m.notes_author_id) if m.notes_author_id
                         else None) for m, p in rows]


def meeting_notes(session: Session, viewer: Person, meeting: OneOnOneMeeting, org: OrgConfig) -> str | None:
    """One meeting's notes for this viewer, or None when they may not see them (or there are none)."""
    pair = session.get(OneOnOnePair, meeting.pair_id)
    if pair is None or not may_see_notes(session, viewer, pair, org):
        return None
    return meeting.notes


def open_action_items(session: Session, viewer: Person, org: OrgConfig, *, limit: int = 10
                      ) -> tuple[list[ActionItem], int]:
    """Open action items of every pair the viewer is in (current or ended) that they may see, soonest due
    first, and how many there are in all."""
    where = (ActionItem.done_at.is_(None),
             or_(OneOnOnePair.manager_id == viewer.id, OneOnOnePair.report_id == viewer.id),
             _visible_clause(viewer, RecordKind.ACTION_ITEM, org))
    base = select(ActionItem).join(OneOnOnePair, OneOnOnePair.id == ActionItem.pair_id).where(*where)
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    items = list(session.scalars(base.order_by(ActionItem.due_date.is_(None), ActionItem.due_date,
                                               ActionItem.id).limit(limit)))
    return items, int(total)


def action_item_for(session: Session, viewer: Person, item_id: int, org: OrgConfig) -> ActionItem | None:
    """The action item if the viewer may see it."""
    item = session.get(ActionItem, item_id)
    if item is None:
        return None
    pair = session.get(OneOnOnePair, item.pair_id)
    if pair is None or not may_see_action_items(session, viewer, pair, org):
        return None
    return item


# -- agenda sections --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgendaSection:
    """One part of an agenda. `title` and `empty` are English message ids the view translates; `lines` are
    plain text (the view escapes them), at most `SECTION_LINES_MAX`; `total` counts every line there is.
    `item_ids` (action items) parallel `lines` and get a Done button."""

    title: str
    lines: list[str]
    total: int
    key: str = ""
    item_ids: list[int] = field(default_factory=list)
    empty: str = _t("Nothing since your last 1:1.")


SectionFn = Callable[..., AgendaSection]


@dataclass(frozen=True)
class SectionSpec:
    key: str
    order: int
    fn: SectionFn
    record: RecordKind | None
    takes_t: bool


AGENDA_SECTIONS: list[SectionSpec] = []


def agenda_section(order: int, *, key: str | None = None, record: RecordKind | str | None = None
                   ) -> Callable[[SectionFn], SectionFn]:
    """Register an agenda section: `fn(session, pair, since, until) -> AgendaSection`, optionally with a
    keyword `t` (the recipient's translator) for words in its lines. `record` is the kind of record it
    reveals: the section is left out for a viewer the access policy does not let see that kind."""

    def wrap(fn: SectionFn) -> SectionFn:
        name = key or fn.__name__
        spec = SectionSpec(key=name, order=order, fn=fn, record=RecordKind(record) if record else None,
                           takes_t="t" in inspect.signature(fn).parameters)
        AGENDA_SECTIONS[:] = [s for s in AGENDA_SECTIONS if s.key != name]
        AGENDA_SECTIONS.append(spec)
        AGENDA_SECTIONS.sort(key=lambda s: (s.order, s.key))
        return fn

    return wrap


@dataclass(frozen=True)
class Agenda:
    pair: OneOnOnePair
    since: datetime
    until: datetime
    sections: list[AgendaSection]


def _run(spec: SectionSpec, session: Session, pair: OneOnOnePair, since: datetime, until: datetime,
         t: Translator) -> AgendaSection:
    section = spec.fn(session, pair, since, until, t=t) if spec.takes_t else spec.fn(session, pair, since, until)
    if not section.key:
        section = AgendaSection(title=section.title, lines=section.lines, total=section.total, key=spec.key,
                                item_ids=section.item_ids, empty=section.empty)
    return section


def build_agenda(session: Session, pair: OneOnOnePair, viewer: Person, org: OrgConfig, *, until: datetime,
                 t: Translator | None = None) -> Agenda:
    """The agenda of the pair's meeting at `until`, as `viewer` may see it, fresh from the store."""
    t = t or translator(viewer.locale)
    since = since_for(session, pair, until)
    sections = [
        _run(spec, session, pair, since, until, t)
        for spec in AGENDA_SECTIONS
        if spec.record is None or _may_see(session, viewer, spec.record, pair, org)
    ]
    return Agenda(pair=pair, since=since, until=until, sections=sections)


def agenda_section_for(session: Session, pair: OneOnOnePair, viewer: Person, org: OrgConfig, key: str, *,
                       until: datetime, t: Translator | None = None) -> AgendaSection | None:
    """One section in full (the "Show all" modal), or None when unknown or not visible to the viewer."""
    spec = next((s for s in AGENDA_SECTIONS if s.key == key), None)
    if spec is None or (spec.record is not None and not _may_see(session, viewer, spec.record, pair, org)):
        return None
    return _run(spec, session, pair, since_for(session, pair, until), until, t or translator(viewer.locale))


def _people(session: Session, ids: Iterable[int]) -> dict[int, Person]:
    wanted = set(ids)
    return {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(wanted)))} if wanted else {}


def _count(session: Session, query: Select[Any]) -> int:
    return int(session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0)


@agenda_section(10, key="talking_points", record=RecordKind.ONE_ON_ONE_NOTE)
def talking_points_section(session: Session, pair: OneOnOnePair, since: datetime, until: datetime) -> AgendaSection:
    """Open talking points either member added, oldest first."""
    q = select(TalkingPoint).where(TalkingPoint.pair_id == pair.id, TalkingPoint.meeting_id.is_(None))
    points = list(session.scalars(q.order_by(TalkingPoint.created_at, TalkingPoint.id).limit(SECTION_LINES_MAX)))
    people = _people(session, (pair.manager_id, pair.report_id))
    lines = [f"{p.text} — {people[p.author_id].label if p.author_id in people else '?'}" for p in points]
    return AgendaSection(title=_t("Talking points"), lines=lines, total=_count(session, q),
                         empty=_t("No talking points yet: add one with the button below or `/1on1 add`."))


@agenda_section(20, key="action_items", record=RecordKind.ACTION_ITEM)
def action_items_section(session: Session, pair: OneOnOnePair, since: datetime, until: datetime, *,
                         t: Translator) -> AgendaSection:
    """Action items not done yet, from any earlier meeting of the pair: soonest due first, overdue flagged."""
    q = select(ActionItem).where(ActionItem.pair_id == pair.id, ActionItem.done_at.is_(None))
    items = list(session.scalars(q.order_by(ActionItem.due_date.is_(None), ActionItem.due_date, ActionItem.id)
                                 .limit(SECTION_LINES_MAX)))
    people = _people(session, {i.owner_id for i in items})
    day = until.astimezone(pair_pattern(pair).zone()).date()
    lines = []
    for item in items:
        owner = people[item.owner_id].label if item.owner_id in people else "?"
        line = f"{item.text} — {owner}"
        if item.due_date is not None:
            due = t("due {date}", date=item.due_date.isoformat())
            line += f" · {due}" + (" :warning: " + t("overdue") if item.due_date < day else "")
        lines.append(line)
    return AgendaSection(title=_t("Open action items"), lines=lines, total=_count(session, q),
                         item_ids=[i.id for i in items], empty=_t("No open action items."))


def _answer_text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


@agenda_section(30, key="checkins", record=RecordKind.CHECKIN_ANSWER)
def checkins_section(session: Session, pair: OneOnOnePair, since: datetime, until: datetime, *,
                     t: Translator) -> AgendaSection:
    """The report's check-ins since the last 1:1: one line each, with mood, blocker and every answer."""
    q = select(Checkin).where(Checkin.person_id == pair.report_id, Checkin.submitted_at > since,
                              Checkin.submitted_at <= until)
    lines = []
    for c in session.scalars(q.order_by(Checkin.period, Checkin.id).limit(SECTION_LINES_MAX)):
        head = c.period
        if c.mood is not None:
            head += " · " + t("mood {mood}", mood=c.mood)
        if c.has_blocker:
            head += " · :warning: " + t("blocker")
        # The wording answered (the snapshot), in the order asked; answers to unknown ids last.
        texts = {str(q["id"]): str(q.get("text") or q["id"]) for q in c.questions if isinstance(q, dict) and "id" in q}
        keys = [k for k in texts if k in c.answers] + [k for k in c.answers if k not in texts]
        answers = [f"{texts.get(k, k)}: {_answer_text(c.answers[k])}" for k in keys
                   if c.answers[k] not in (None, "", [])]
        lines.append(head + (" — " + " · ".join(answers) if answers else ""))
    return AgendaSection(title=_t("Check-ins since last 1:1"), lines=lines, total=_count(session, q),
                         empty=_t("No check-ins since your last 1:1."))


@agenda_section(50, key="kudos", record=RecordKind.KUDOS)
def kudos_section(session: Session, pair: OneOnOnePair, since: datetime, until: datetime, *,
                  t: Translator) -> AgendaSection:
    """Kudos the report received since the last 1:1."""
    q = (select(Kudos).join(KudosRecipient, KudosRecipient.kudos_id == Kudos.id)
         .where(KudosRecipient.person_id == pair.report_id, Kudos.created_at > since, Kudos.created_at <= until))
    rows = list(session.scalars(q.order_by(Kudos.created_at, Kudos.id).limit(SECTION_LINES_MAX)))
    givers = _people(session, {k.giver_id for k in rows})
    lines = [t("from {giver}: {message}", giver=givers[k.giver_id].label if k.giver_id in givers else "?",
               message=k.message) for k in rows]
    return AgendaSection(title=_t("Kudos received"), lines=lines, total=_count(session, q),
                         empty=_t("No kudos since your last 1:1."))


# -- the agenda prompt ---------------------------------------------------------------------------------


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


# -- alerts ------------------------------------------------------------------------------------------------


def next_working_moment(now: datetime, pattern: WorkPattern) -> datetime:
    """`now` if it is a working day outside quiet hours for the person, else the next such moment."""
    local = now.astimezone(pattern.zone())
    if is_working_day(local.date(), pattern) and not in_quiet_hours(now, pattern):
        return now
    for offset in range(8):
        day = local.date() + timedelta(days=offset)
        if not is_working_day(day, pattern):
            continue
        moment = local_day_at(day, pattern.quiet_end, pattern)
        if moment > now:
            return moment
    return now


def alerts_no_meeting(session: Session, team_id: str, org: OrgConfig, now: datetime | None = None) -> list[Alert]:
    """Record an alert (for the HR digest) for every live pair, a pair for at least N weeks, with no 1:1 held
    in the last N weeks (`one_on_ones.no_meeting_alert_weeks`); each new alert sends the manager one gentle
    nudge. An alert's period is the week the gap reached N weeks, so a continuing gap stays one alert with
    one nudge; recording notes resolves it. Returns the alerts created now."""
    now = now or clock_of(session).now()
    cfg = org.one_on_ones
    window = timedelta(weeks=cfg.no_meeting_alert_weeks)
    made: list[Alert] = []
    for stale in session.scalars(select(Alert).join(OneOnOnePair, OneOnOnePair.id == Alert.pair_id).where(
            Alert.team_id == team_id, Alert.kind == ALERT_KIND, Alert.resolved_at.is_(None),
            OneOnOnePair.active.is_(False))):
        stale.resolved_at = now
    if not cfg.enabled:
        session.flush()
        return made
    for pair in session.scalars(_live_pairs().where(OneOnOnePair.team_id == team_id).order_by(OneOnOnePair.id)):
        held = last_held(session, pair)
        start = held or pair.created_at
        if now - start < window:
            continue
        lapse = start + window
        period = lapse.astimezone(UTC).strftime("%G-W%V")
        subject = f"pair:{pair.id}"
        exists = session.scalars(select(Alert.id).where(
            Alert.team_id == team_id, Alert.kind == ALERT_KIND, Alert.subject == subject, Alert.period == period)
        ).first()
        if exists is not None:
            continue
        manager = pair.manager
        alert_id = _insert_new(session, Alert, ("team_id", "kind", "subject", "period"), dict(
            team_id=team_id, kind=ALERT_KIND, subject=subject, period=period, person_id=manager.id, pair_id=pair.id,
            created_at=now, details={"manager": manager.slack_user_id, "report": pair.report.slack_user_id,
                                     "weeks": cfg.no_meeting_alert_weeks,
                                     "last_held_at": held.isoformat() if held else None}))
        alert = session.get(Alert, alert_id) if alert_id is not None else None
        if alert is None:  # a concurrent run recorded it (and its nudge)
            continue
        made.append(alert)
        if is_paused(manager, now):
            continue
        pattern = pattern_for(manager, org)
        row = outbox.enqueue(
            session, team_id=team_id, kind=NUDGE_KIND,
            key=outbox.dedupe_key(NUDGE_KIND, team_id, manager.slack_user_id, f"alert{alert.id}"),
            recipient=manager, payload={"alert_id": alert.id, "pair_id": pair.id},
            not_before=next_working_moment(now, pattern),
        )
        alert.details = {**alert.details, "nudge_outbox_id": row.id}
    session.flush()
    return made


# -- personal data ------------------------------------------------------------------------------------------

register_personal_data(PersonalData(
    table="one_on_one_pairs", person_columns=("manager_id", "report_id"), on_erase="keep",
    description="Who had 1:1s with whom and when: rows stay, linked to the anonymised person.",
))
register_personal_data(PersonalData(
    table="one_on_one_meetings", person_columns=("notes_author_id",), text_columns=("notes",),
    content_columns=("notes",),
    description="1:1 notes the person wrote (replaced at erasure); names redacted in the pair's other notes.",
))
register_personal_data(PersonalData(
    table="talking_points", person_columns=("author_id",), text_columns=("text",), content_columns=("text",),
    description="Talking points the person added (replaced at erasure).",
))
register_personal_data(PersonalData(
    table="action_items", person_columns=("owner_id", "done_by_id"), text_columns=("text",),
    description="Action items the person owns or closed; names redacted in their text at erasure.",
))

__all__ = [
    "ACTION_ITEM_MAX",
    "AGENDA_SECTIONS",
    "NOTES_MAX",
    "TALKING_POINT_MAX",
    "ActionDraft",
    "Agenda",
    "AgendaSection",
    "MeetingNotes",
    "NotesResult",
    "OneOnOneError",
    "Slot",
    "SyncReport",
    "add_talking_point",
    "agenda_occurrences",
    "agenda_section",
    "agenda_section_for",
    "alerts_no_meeting",
    "build_agenda",
    "ensure_meeting",
    "mark_done",
    "meeting_for_notes",
    "meetings_between",
    "next_meeting",
    "notes_about",
    "open_action_items",
    "pair_of",
    "pairs_for",
    "record_notes",
    "set_cadence",
    "since_for",
    "sync_pairs",
]
