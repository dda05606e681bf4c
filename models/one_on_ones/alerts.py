"""No 1:1 held in N weeks: an alert for the HR digest, and one gentle nudge to the manager."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.core import outbox
from models.core.clock import clock_of
from models.core.config import OrgConfig
from models.core.prompts import is_paused, pattern_for
from models.core.tables import Alert
from models.core.timing import next_working_moment
from models.core.weeks import week_key_at
from models.one_on_ones.base import ALERT_KIND, NUDGE_KIND
from models.one_on_ones.pairs import insert_new, live_pairs_query
from models.one_on_ones.rhythm import last_held, pair_pattern
from models.one_on_ones.tables import OneOnOnePair


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
    for pair in session.scalars(live_pairs_query().where(OneOnOnePair.team_id == team_id).order_by(OneOnOnePair.id)):
        held = last_held(session, pair)
        start = held or pair.created_at
        if now - start < window:
            continue
        lapse = start + window
        period = week_key_at(lapse, pair_pattern(pair).zone())  # the week of the pair, like its meetings
        subject = f"pair:{pair.id}"
        exists = session.scalars(select(Alert.id).where(
            Alert.team_id == team_id, Alert.kind == ALERT_KIND, Alert.subject == subject, Alert.period == period)
        ).first()
        if exists is not None:
            continue
        manager = pair.manager
        alert_id = insert_new(session, Alert, ("team_id", "kind", "subject", "period"), dict(
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


def about_pair(session: Session, alert: Alert) -> str:
    """Whom a no-meeting alert is about, for listings: the pair."""
    pair = session.get(OneOnOnePair, alert.pair_id) if alert.pair_id is not None else None
    return f"1:1 {pair.manager.label} – {pair.report.label}" if pair is not None else "-"
