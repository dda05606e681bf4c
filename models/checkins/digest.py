"""The check-ins part of the HR weekly digest, and who submitted a check-in in a week (for the adoption figures).

A week's check-in is the period named by its ISO week key (`Week.label`, e.g. "2026-W48"; a person's check-in
is filed under their own local week, which names the same key). With the biweekly cadence every other week has
no check-in (`has_checkin`): its figures are None.

Figures, each with the same figure for the `HISTORY_WEEKS` previous check-in weeks as its baseline (the previous
eight weeks when weekly, sixteen when biweekly, so that a biweekly baseline has as many points):

- `checkins:completion`: check-ins submitted for the week's period / people expected (unit "share");
- `checkins:dept:<department>`: the same per department (people: the department's expected count); people
  without a department count in the overall rate only;
- `checkins:blockers`: check-ins of the period that raise a blocker.

Expected: active, non-bot people of the workspace within the pilot rollout who had joined before the week
ended (`start_date`, else when Candor first saw them), so an older week does not expect newcomers. A check-in
answered late is filed under its own period, so it counts for that week.

Lines: the overall count, the blockers, the departments with the lowest completion and how many missed; the
tail lists everyone who missed (name, department). HR admins may read check-in answers (`CHECKIN_ANSWER`), but
the digest shows counts and names only, never an answer.

Cost: two statements whatever the history: the people, and the check-ins of the nine periods.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.checkins.periods import BIWEEKLY_ANCHOR, interval_weeks
from models.checkins.tables import Checkin
from models.core.config import CheckinConfig, OrgConfig
from models.core.digest import HISTORY_WEEKS, Activity, DigestSection, DigestSpec, Figure, Week
from models.core.messages import Message, Phrase, _t, say
from models.core.prompts import in_rollout
from models.core.tables import Person, active_person
from models.core.zones import zone_of

LOWEST_DEPARTMENTS = 3  # departments shown on the "lowest completion" lines
NO_DEPARTMENT = "(no department)"  # in the tail (English, like a CSV)
TAIL_HEADER = ("Person", "Department")
DEPARTMENT_KEY = "checkins:dept:"


def has_checkin(week: Week, cfg: CheckinConfig) -> bool:
    """Whether a check-in is asked in this week (every week, or every other week from `BIWEEKLY_ANCHOR`)."""
    return cfg.enabled and ((week.monday - BIWEEKLY_ANCHOR).days // 7) % interval_weeks(cfg) == 0


def checkin_weeks(week: Week, cfg: CheckinConfig) -> list[Week]:
    """The `HISTORY_WEEKS` check-in weeks before `week`, oldest first (fewer when check-ins are off)."""
    found: list[Week] = []
    for back in range(1, HISTORY_WEEKS * interval_weeks(cfg) + 1):
        if len(found) < HISTORY_WEEKS and has_checkin(earlier := week.back(back), cfg):
            found.append(earlier)
    return found[::-1]


def counted_people(session: Session, org: OrgConfig, team_id: str) -> dict[int, Person]:
    """Active, non-bot people of the workspace within the pilot rollout, by id (one statement)."""
    people = session.scalars(select(Person).where(Person.team_id == team_id, *active_person(Person)))
    return {p.id: p for p in people if in_rollout(p, org)}


def joined_at(person: Person, zone: str) -> datetime:
    """When the person joined: their start date (midnight in HR's time zone) if known, else when Candor first
    saw them."""
    if person.start_date is not None:
        return datetime.combine(person.start_date, time(0), tzinfo=zone_of(zone, "UTC"))
    return person.created_at


def _rate(done: int, expected: int) -> float | None:
    return done / expected if expected else None


def _history(points: Iterable[float | None]) -> tuple[float, ...]:
    """A baseline skips the weeks nobody was expected in (there is no rate to compare with)."""
    return tuple(p for p in points if p is not None)


def _by_department(people: Iterable[Person]) -> list[Person]:
    return sorted(people, key=lambda p: (p.department is None, (p.department or "").casefold(),
                                         p.label.casefold(), p.id))


def checkins_digest_section(session: Session, org: OrgConfig, team_id: str, week: Week) -> DigestSection:
    """Completion of the week's check-in overall and per department (with their baseline), the blockers raised,
    the departments with the lowest completion, and everyone who missed it."""
    cfg = org.checkins
    earlier = checkin_weeks(week, cfg)
    now = week.label if has_checkin(week, cfg) else None
    weeks = [*earlier, *([week] if now else [])]
    people = counted_people(session, org, team_id)
    submitted: dict[str, set[int]] = {w.label: set() for w in weeks}
    blockers: Counter[str] = Counter()
    if weeks:
        for person_id, period, has_blocker in session.execute(
            select(Checkin.person_id, Checkin.period, Checkin.has_blocker)
            .where(Checkin.team_id == team_id, Checkin.period.in_(list(submitted)))
        ):
            if person_id in people:
                submitted[period].add(person_id)
                blockers[period] += bool(has_blocker)

    joined = {p.id: joined_at(p, week.zone) for p in people.values()}
    expected = {w.label: {i for i in people if joined[i] < w.end} for w in weeks}
    departments = sorted({p.department for p in people.values() if p.department}, key=str.casefold)
    members = {d: {i for i, p in people.items() if p.department == d} for d in departments}

    def completion(label: str, among: set[int] | None = None) -> tuple[int, int]:
        due = expected[label] if among is None else expected[label] & among
        return len(submitted[label] & due), len(due)

    history = [w.label for w in earlier]
    done, due = completion(now) if now else (0, 0)
    behind = due if now else len(people)  # the people behind the overall figures
    figures: list[Figure] = [
        Figure("checkins:completion", _t("Check-in completion"), _rate(done, due) if now else None, "share",
               _history(_rate(*completion(label)) for label in history), people=behind),
    ]
    per_department: list[tuple[str, int, int]] = []
    for department in departments:
        d_done, d_due = completion(now, members[department]) if now else (0, 0)
        if now and d_due:
            per_department.append((department, d_done, d_due))
        figures.append(Figure(
            DEPARTMENT_KEY + department, say(_t("Check-in completion: {department}"), department=department),
            _rate(d_done, d_due) if now else None, "share",
            _history(_rate(*completion(label, members[department])) for label in history),
            people=d_due if now else len(members[department])))
    figures.append(Figure("checkins:blockers", _t("Blockers raised"), float(blockers[now]) if now else None,
                          "count", tuple(float(blockers[label]) for label in history), people=behind,
                          higher_is_better=False))

    if not now:
        return DigestSection(key="checkins", title=_t("Check-ins"), figures=tuple(figures),
                             empty=say(_t("No check-in was asked in {week}."), week=week.label))
    missed = _by_department(people[i] for i in expected[now] - submitted[now])
    lines: list[Message | str] = [
        say(_t("{done} of {due} people checked in for {week}"), done=done, due=due, week=now)]
    if blockers[now]:
        lines.append(say(_t("Blockers raised: {count}"), count=blockers[now]))
    for department, d_done, d_due in sorted(per_department, key=lambda d: (d[1] / d[2], d[0].casefold())
                                            )[:LOWEST_DEPARTMENTS]:
        if d_done < d_due:
            lines.append(Phrase(department, ": ", say(_t("{done} of {due} checked in"), done=d_done, due=d_due)))
    if missed:
        lines.append(say(_t("Missed this week's check-in: {count} people"), count=len(missed)))
    return DigestSection(
        key="checkins",
        title=_t("Check-ins"),
        figures=tuple(figures),
        lines=tuple(lines),
        tail_header=TAIL_HEADER,
        tail=tuple((p.label, p.department or NO_DEPARTMENT) for p in missed),
        empty=_t("Nobody was expected to check in this week."),
    )


def checkin_submitters(session: Session, team_id: str, start: datetime, end: datetime) -> set[int]:
    """Active people who submitted a check-in in [start, end) (by `submitted_at`: a late answer counts in the
    week it was given)."""
    return set(session.scalars(
        select(Checkin.person_id).join(Person, Person.id == Checkin.person_id)
        .where(Checkin.team_id == team_id, Checkin.submitted_at >= start, Checkin.submitted_at < end,
               *active_person(Person)).distinct()))


DIGEST_SECTIONS = (DigestSpec("checkins", 20, checkins_digest_section,
                              "Check-in completion overall and per department, blockers raised, who missed"),)
ACTIVITY = (Activity("checkins", checkin_submitters),)
