"""What a 1:1 view shows from one member's side (a `PairCard`), and small shared pieces of the listeners."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.i18n import Translator
from handlers.one_on_ones import views
from handlers.one_on_ones.views import PairCard
from models import one_on_ones as domain
from models.core.config import OrgConfig
from models.core.tables import Person
from models.core.weeks import is_week_key
from models.core.zones import zone_name
from models.one_on_ones import OneOnOneError
from models.one_on_ones.tables import OneOnOnePair, TalkingPoint


def error_text(t: Translator, err: OneOnOneError) -> str:
    return t.message(err.message)


def card_for(session: Session, pair: OneOnOnePair, viewer: Person, t: Translator, now: datetime) -> PairCard:
    other = domain.other_member(pair, viewer)
    slot = domain.next_meeting(pair, now)
    open_points = session.scalar(select(func.count()).select_from(TalkingPoint).where(
        TalkingPoint.pair_id == pair.id, TalkingPoint.meeting_id.is_(None))) or 0
    return PairCard(
        pair_id=pair.id, other_id=other.slack_user_id, other_label=other.label,
        role="report" if viewer.id == pair.manager_id else "manager", next_at=slot.at, next_period=slot.period,
        cadence=views.cadence_text(t, pair.interval_weeks, pair.weekday, pair.local_time, pair.tz),
        open_points=int(open_points),
    )


def cards_for(session: Session, person: Person, t: Translator, now: datetime) -> list[PairCard]:
    return [card_for(session, pair, person, t, now) for pair in domain.pairs_for(session, person)]


def tz_of(person: Person, org: OrgConfig) -> str:
    return zone_name(person.tz, org.schedule.default_timezone)


def slot_of(pair: OneOnOnePair, period: str, stamp: object, now: datetime) -> domain.Slot:
    """The meeting a button or form names, if the pair's schedule really has it; else the meeting notes
    recorded now belong to. (A button's value comes back from the client: it picks, it does not decide.)"""
    raw = str(stamp) if isinstance(stamp, int | str) else ""
    if is_week_key(period) and raw.isascii() and raw.isdigit() and len(raw) < 12:  # "²".isdigit() too
        found = domain.slot_for(pair, period, datetime.fromtimestamp(int(raw), UTC))
        if found is not None:
            return found
    return domain.meeting_for_notes(pair, now)
