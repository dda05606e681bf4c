"""Talking points, meeting notes and action items, private to the pair (and HR if configured)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from models import access
from models.access import RecordKind
from models.core import outbox
from models.core.clock import clock_of
from models.core.config import OrgConfig
from models.core.messages import _t
from models.core.tables import Alert, Person
from models.core.text import is_blank
from models.core.zones import zone_of
from models.one_on_ones.base import (
    ACTION_ITEM_MAX,
    ACTION_ITEMS_PER_MEETING,
    ALERT_KIND,
    NOTES_KIND,
    NOTES_MAX,
    TALKING_POINT_MAX,
    OneOnOneError,
)
from models.one_on_ones.pairs import is_member, other_member
from models.one_on_ones.tables import ActionItem, OneOnOneMeeting, OneOnOnePair, TalkingPoint


def require_member(pair: OneOnOnePair, person: Person, message: str) -> None:
    if not is_member(pair, person) or not person.active:
        raise OneOnOneError(message)


def clean_text(text: str | None) -> str:
    """The text as it will be kept; "" when nothing in it would show (`models.core.text.is_blank`)."""
    clean = (text or "").replace("\r\n", "\n").strip()
    return "" if is_blank(clean) else clean


def add_talking_point(session: Session, pair: OneOnOnePair, author: Person, text: str) -> TalkingPoint:
    """Add a topic to the pair's next 1:1. Raises `OneOnOneError` (nothing written) for an empty or
    over-long topic, an author outside the pair or a pair that has ended."""
    require_member(pair, author, _t("Only the two people of this 1:1 can add talking points to it."))
    if not pair.active:
        raise OneOnOneError(_t("This 1:1 has ended: talking points go to your current 1:1s."), field="pair")
    clean = clean_text(text)
    if not clean:
        raise OneOnOneError(_t("Write the topic you want to talk about."), field="text")
    if len(clean) > TALKING_POINT_MAX:
        raise OneOnOneError(_t("A talking point can be at most {max} characters (you wrote {length})."),
                            field="text", max=TALKING_POINT_MAX, length=len(clean))
    point = TalkingPoint(pair_id=pair.id, author_id=author.id, text=clean)
    session.add(point)
    session.flush()
    refresh_homes(session, pair, f"tp{point.id}")
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
    require_member(pair, author, _t("Only the two people of this 1:1 can record its notes."))
    if meeting.pair_id != pair.id:
        raise OneOnOneError(_t("That meeting belongs to another 1:1."), field="notes")
    if not pair.active:
        raise OneOnOneError(_t("This 1:1 has ended: its notes can't change any more."), field="notes")
    clean = clean_text(notes)
    if len(clean) > NOTES_MAX:
        raise OneOnOneError(_t("Notes can be at most {max} characters (you wrote {length})."), field="notes",
                            max=NOTES_MAX, length=len(clean))
    drafts = [d if isinstance(d, ActionDraft) else ActionDraft(*d) for d in action_items]
    if len(drafts) > ACTION_ITEMS_PER_MEETING:
        raise OneOnOneError(_t("At most {max} action items at a time."), field="item1_text",
                            max=ACTION_ITEMS_PER_MEETING)
    today = now.astimezone(zone_of(author.tz, pair.tz)).date()  # the author's calendar
    members = {pair.manager_id, pair.report_id}
    items: list[ActionItem] = []
    for i, draft in enumerate(drafts, start=1):
        text = clean_text(draft.text)
        if not text:
            raise OneOnOneError(_t("Say what needs doing."), field=f"item{i}_text")
        if len(text) > ACTION_ITEM_MAX:
            raise OneOnOneError(_t("An action item can be at most {max} characters (you wrote {length})."),
                                field=f"item{i}_text", max=ACTION_ITEM_MAX, length=len(text))
        if draft.owner is None:
            raise OneOnOneError(_t("Choose who will do it."), field=f"item{i}_owner")
        if draft.owner.id not in members:
            raise OneOnOneError(_t("An action item belongs to one of the two people of the 1:1."),
                                field=f"item{i}_owner")
        if draft.due_date is not None and draft.due_date < today:
            raise OneOnOneError(_t("The due date {date} is in the past."), field=f"item{i}_due",
                                date=draft.due_date.isoformat())
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
    refresh_homes(session, pair, f"notes{meeting.id}-{now.timestamp():.6f}")
    return NotesResult(meeting=meeting, items=items, covered_points=len(open_points))


def mark_done(session: Session, item: ActionItem, actor: Person, *, now: datetime | None = None) -> bool:
    """Mark an action item done (either member of its pair). False when it already was."""
    pair = session.get(OneOnOnePair, item.pair_id)
    assert pair is not None
    require_member(pair, actor, _t("Only the two people of this 1:1 can mark its action items done."))
    if item.done_at is not None:
        return False
    now = now or clock_of(session).now()
    item.done_at, item.done_by_id = now, actor.id
    session.flush()
    refresh_homes(session, pair, f"done{item.id}")
    return True


def refresh_homes(session: Session, pair: OneOnOnePair, cause: str) -> None:
    for person in (pair.manager, pair.report):
        if person.active:
            outbox.request_home_refresh(session, person, cause=f"oneonone-{cause}")


def may_see(session: Session, viewer: Person, kind: RecordKind | str, pair: OneOnOnePair, org: OrgConfig) -> bool:
    """May `viewer` see records of `kind` of this pair (notes, action items, the report's check-ins…)?"""
    return access.can_see(
        session, access.Viewer.slack(viewer, org.hr.admins), kind, owner=pair.report, pair_manager=pair.manager,
        hr_sees_notes=org.privacy.hr_sees_one_on_one_notes,
    )


def visible_clause(viewer: Person, kind: RecordKind, org: OrgConfig) -> ColumnElement[bool]:
    """WHERE clause: the pair records of `kind` the viewer may see (join `OneOnOnePair` in the query)."""
    return access.visible_where(
        access.Viewer.slack(viewer, org.hr.admins), kind, owner_id=OneOnOnePair.report_id.expression,
        pair_manager_id=OneOnOnePair.manager_id.expression, team_id=OneOnOnePair.team_id.expression,
        hr_sees_notes=org.privacy.hr_sees_one_on_one_notes,
    )


def may_see_notes(session: Session, viewer: Person, pair: OneOnOnePair, org: OrgConfig) -> bool:
    return may_see(session, viewer, RecordKind.ONE_ON_ONE_NOTE, pair, org)


def may_see_action_items(session: Session, viewer: Person, pair: OneOnOnePair, org: OrgConfig) -> bool:
    return may_see(session, viewer, RecordKind.ACTION_ITEM, pair, org)


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
               visible_clause(viewer, RecordKind.ONE_ON_ONE_NOTE, org))
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
             visible_clause(viewer, RecordKind.ACTION_ITEM, org))
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
