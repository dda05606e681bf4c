"""Check-ins in the performance-data export: the check-ins each person was asked for in the period, how many
they answered, and the share.

- **Expected**: the check-ins whose prompt fell in the period and before now (`periods.prompts_between`, in the
  person's own time zone, working days and quiet hours: the moments the prompt tick uses), every week or every
  other week by `checkins.cadence`, from when the person joined (`start_date`, midnight in HR's time zone, else
  when Candor first saw them). Only active people within the pilot rollout (`in_rollout`): nobody else is
  asked, so the others get empty cells. Pauses are not subtracted.
- **Submitted**: of those, the ones with a check-in filed under their week (a late answer is filed under its
  own week, so it counts).

Two statements whatever the size of the workspace: the people, and the check-ins of the periods expected. The
prompt moments are computed once per working pattern (time zone), not per person.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.checkins.periods import prompts_between
from models.checkins.tables import Checkin
from models.core.clock import clock_of
from models.core.config import OrgConfig
from models.core.exports import ExportColumn, ExportSpec, ExportValue, share
from models.core.prompts import in_rollout, pattern_for
from models.core.tables import Person, active_person
from models.core.timing import WorkPattern
from models.core.zones import zone_of

_JUST_BEFORE = timedelta(microseconds=1)  # prompts_between is (start, end]: the period is [start, end)
PRIVACY = "Counts only, never an answer, a mood or a blocker. People outside the rollout get empty cells."


def _joined(person: Person, zone: str) -> datetime:
    if person.start_date is not None:
        return datetime.combine(person.start_date, time(0), tzinfo=zone_of(zone, "UTC"))
    return person.created_at


def checkins_export(session: Session, org: OrgConfig, team_id: str, start: datetime, end: datetime
                    ) -> dict[int, dict[str, ExportValue]]:
    cfg = org.checkins
    if not cfg.enabled:
        return {}
    until = min(end, clock_of(session).now())
    if until <= start:
        return {}
    people = [p for p in session.scalars(select(Person).where(Person.team_id == team_id, *active_person(Person)))
              if in_rollout(p, org)]
    prompts: dict[WorkPattern, list[tuple[str, datetime]]] = {}
    expected: dict[int, set[str]] = {}
    for person in people:
        pattern = pattern_for(person, org)
        if pattern not in prompts:
            prompts[pattern] = prompts_between(cfg, pattern, start - _JUST_BEFORE, until - _JUST_BEFORE)
        joined = _joined(person, org.hr.timezone)
        expected[person.id] = {period for period, due in prompts[pattern] if due >= joined}
    periods = sorted(set().union(*expected.values())) if expected else []
    submitted: dict[int, set[str]] = {}
    if periods:
        for person_id, period in session.execute(
            select(Checkin.person_id, Checkin.period).where(Checkin.team_id == team_id, Checkin.period.in_(periods))
        ):
            submitted.setdefault(person_id, set()).add(period)
    found: dict[int, dict[str, ExportValue]] = {}
    for person_id, due in expected.items():
        done = len(submitted.get(person_id, set()) & due)
        found[person_id] = {"checkins_expected": len(due), "checkins_submitted": done,
                            "checkin_participation": share(done, len(due))}
    return found


EXPORTS = (ExportSpec("checkins", 20, (
    ExportColumn("checkins_expected", "Check-ins the person was asked for in the period (each week's prompt, or "
                 "every other week's, from when they joined; only prompts already due)",
                 "organisation config (checkins.cadence, weekday, at), people (tz, start_date)", PRIVACY),
    ExportColumn("checkins_submitted", "Of those, the check-ins the person answered (late answers count)",
                 "checkins (person_id, period)", PRIVACY),
    ExportColumn("checkin_participation", "checkins_submitted / checkins_expected, 0 to 1 (empty when none was "
                 "expected)", "derived", PRIVACY),
), checkins_export),)
