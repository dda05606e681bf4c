"""Pulse waves: when a survey runs, whom it asks, and answering it.

- **When.** A survey runs in the ISO weeks that are `every_weeks` apart from a fixed Monday (`ANCHOR`), so
  everyone is on one rhythm. Its period is that week (`2026-W49`). It opens on the survey's weekday and stays
  open `open_days` working days (the organisation's working days); it closes at the end of its last open day
  *everywhere* — midnight in the last time zone on Earth (UTC−12) — so nobody's last day is cut short.
- **Whom.** Active people in the pilot rollout, in the survey's departments if it names any. The wave is opened
  by a job (`open_waves`) a little before the first local morning of the survey day: the people asked are
  recorded then with their cells (`models.pulse.cells`), and the questions are copied.
- **Each person** gets the survey DM at `at` on their first working day from the survey day, in their own time
  zone and outside quiet hours (the prompt `pulse.invite`), and one reminder on their last working day in the
  window if they have not answered (`pulse.reminder`; the renderer checks).
- **Answering** (`answer`) records a keyed participation hash (a second answer is refused) and the answers
  under a random id with the person's cell only. It writes nothing else: no form claim, no Home refresh, no
  log line, no time.

Every function only flushes; the caller's unit of work commits.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from models.core.clock import clock_of
from models.core.config import WEEKDAYS, OrgConfig, PulseSurvey
from models.core.messages import DomainError, _t
from models.core.prompts import in_rollout
from models.core.tables import Person
from models.core.text import visible_length
from models.core.timing import WorkPattern, is_working_day, local_day_at
from models.pulse.cells import Asked, assign_cells
from models.pulse.tables import PulseAnswer, PulseMember, PulseParticipation, PulseResponse, PulseWave

ANCHOR = date(2026, 1, 5)  # a Monday: every survey's weeks count from it
LAST_ZONE = timedelta(hours=12)  # the day ends last in UTC−12
OPEN_AHEAD = timedelta(hours=14)  # the day begins first in UTC+14: open the wave before that
TEXT_MAX = 1000
AGREE = ("Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree")


class PulseError(DomainError):
    """An answer Candor refuses; nothing was written."""


ALREADY = _t("You have already answered this survey. Thank you! Each survey takes one answer per person.")
CLOSED = _t("This survey has closed. The next one will come to you in a DM.")
NOT_ASKED = _t("This survey isn't one you were asked to answer.")


# -- when ---------------------------------------------------------------------------------------------------


def week_key(week_start: date) -> str:
    year, week, _ = week_start.isocalendar()
    return f"{year}-W{week:02d}"


def runs_in(survey: PulseSurvey, week_start: date) -> bool:
    return ((week_start - ANCHOR).days // 7) % survey.every_weeks == 0


def opens_on(survey: PulseSurvey, week_start: date) -> date:
    return week_start + timedelta(days=WEEKDAYS.index(survey.weekday))


def open_days(org: OrgConfig, survey: PulseSurvey, first: date) -> list[date]:
    """The organisation's working days the survey is open, from `first` (the survey day or the next working
    day)."""
    working = org.schedule.working_day_numbers()
    out: list[date] = []
    day = first
    while len(out) < survey.open_days:
        if day.weekday() in working:
            out.append(day)
        day += timedelta(days=1)
    return out


def closes_at(org: OrgConfig, survey: PulseSurvey, week_start: date) -> datetime:
    """Midnight at the end of the last open day in UTC−12."""
    last = open_days(org, survey, opens_on(survey, week_start))[-1]
    return datetime.combine(last + timedelta(days=1), time(0), tzinfo=UTC) + LAST_ZONE


def opening_moment(survey: PulseSurvey, week_start: date) -> datetime:
    """When the wave is opened: before the survey day begins anywhere (UTC+14)."""
    return datetime.combine(opens_on(survey, week_start), time(0), tzinfo=UTC) - OPEN_AHEAD


def invite_due(survey: PulseSurvey, week_start: date, pattern: WorkPattern) -> datetime:
    day = opens_on(survey, week_start)
    while not is_working_day(day, pattern):
        day += timedelta(days=1)
    return local_day_at(day, survey.at, pattern)


def reminder_due(org: OrgConfig, survey: PulseSurvey, week_start: date, pattern: WorkPattern) -> datetime | None:
    """`at` on the person's last working day of the window, if that is after their invitation's day."""
    invited = invite_due(survey, week_start, pattern)
    first_day = invited.astimezone(pattern.zone()).date()
    days = open_days(org, survey, opens_on(survey, week_start))
    end = closes_at(org, survey, week_start)
    for day in sorted(days, reverse=True):
        if day <= first_day:
            return None
        if is_working_day(day, pattern):
            due = local_day_at(day, survey.at, pattern)
            return due if due < end else None
    return None


def weeks_around(survey: PulseSurvey, start: datetime, end: datetime) -> list[date]:
    """The survey's weeks whose invitations or reminders may fall in (start, end]."""
    early = (start - timedelta(days=21)).date()
    out = []
    ws = early - timedelta(days=early.weekday())
    while ws <= end.date() + timedelta(days=1):
        if runs_in(survey, ws):
            out.append(ws)
        ws += timedelta(days=7)
    return out


# -- whom ---------------------------------------------------------------------------------------------------


def in_audience(person: Person, org: OrgConfig, survey: PulseSurvey) -> bool:
    if not person.active or person.is_bot or not in_rollout(person, org):
        return False
    if survey.departments:
        return (person.department or "").lower() in {d.lower() for d in survey.departments}
    return True


def audience(session: Session, org: OrgConfig, team_id: str, survey: PulseSurvey) -> list[Person]:
    people = session.scalars(select(Person).where(Person.team_id == team_id).order_by(Person.id))
    return [p for p in people if in_audience(p, org, survey)]


def manager_map(session: Session, team_id: str) -> dict[int, int | None]:
    rows = session.execute(select(Person.id, Person.manager_id).where(Person.team_id == team_id))
    return {pid: manager for pid, manager in rows}


def open_waves(session: Session, org: OrgConfig, team_id: str, *, now: datetime | None = None) -> list[PulseWave]:
    """Open every survey's wave whose opening moment has come and that is not closed. Idempotent."""
    now = now or clock_of(session).now()
    opened: list[PulseWave] = []
    if not org.pulse.enabled:
        return opened
    for survey in org.pulse.surveys:
        for ws in weeks_around(survey, now - timedelta(days=7), now):
            if not opening_moment(survey, ws) <= now < closes_at(org, survey, ws):
                continue
            period = week_key(ws)
            exists = session.scalar(select(PulseWave.id).where(PulseWave.team_id == team_id,
                                                               PulseWave.survey_id == survey.id,
                                                               PulseWave.period == period))
            if exists is not None:
                continue
            people = audience(session, org, team_id, survey)
            cells = assign_cells([Asked(p.id, p.department, p.manager_id) for p in people],
                                 manager_map(session, team_id), org.pulse.min_respondents)
            wave = PulseWave(team_id=team_id, survey_id=survey.id, period=period, opens_on=opens_on(survey, ws),
                             closes_at=closes_at(org, survey, ws), min_respondents=org.pulse.min_respondents,
                             questions=[q.model_dump(mode="json") for q in survey.questions],
                             members=[PulseMember(person_id=p.id, cell=cells[p.id], department=p.department,
                                                  manager_id=p.manager_id) for p in people])
            session.add(wave)
            session.flush()
            opened.append(wave)
    return opened


def find_wave(session: Session, team_id: str, survey_id: str, period: str) -> PulseWave | None:
    return session.scalars(select(PulseWave).where(PulseWave.team_id == team_id, PulseWave.survey_id == survey_id,
                                                   PulseWave.period == period)).one_or_none()


def is_open(wave: PulseWave, now: datetime) -> bool:
    return now < wave.closes_at


# -- participation and answers ------------------------------------------------------------------------------


KEY_PURPOSE = "pulse-participation"  # the server key participation is hashed with (`Sealer.derive`)


def participation_key(key: bytes, wave_id: int, person_id: int) -> str:
    """The keyed hash that records that this person answered this wave (and nothing else)."""
    return hmac.new(key, f"pulse:{wave_id}:{person_id}".encode(), hashlib.sha256).hexdigest()


def has_answered(session: Session, key: bytes, wave: PulseWave, person: Person) -> bool:
    return session.get(PulseParticipation, (wave.id, participation_key(key, wave.id, person.id))) is not None


def member(session: Session, wave: PulseWave, person: Person) -> PulseMember | None:
    return session.get(PulseMember, (wave.id, person.id))


@dataclass(frozen=True)
class Question:
    """A question as the wave copied it."""

    id: str
    text: str
    type: str
    choices: tuple[str, ...]
    required: bool

    @classmethod
    def of(cls, raw: Mapping[str, Any]) -> Question:
        kind = str(raw.get("type") or "agree")
        return cls(str(raw["id"]), str(raw.get("text") or ""), kind, tuple(raw.get("choices") or ()),
                   bool(raw.get("required", True)) and kind != "text")


def questions(wave: PulseWave) -> list[Question]:
    return [Question.of(q) for q in wave.questions]


def check_answerable(session: Session, key: bytes, wave: PulseWave, person: Person, now: datetime) -> None:
    if member(session, wave, person) is None:
        raise PulseError(NOT_ASKED, code="not_asked")
    if not is_open(wave, now):
        raise PulseError(CLOSED, code="closed")
    if has_answered(session, key, wave, person):
        raise PulseError(ALREADY, code="answered")


def answer(session: Session, org: OrgConfig, key: bytes, person: Person, wave_id: int,
           values: Mapping[str, int | str | None], *, now: datetime | None = None) -> None:
    """Record one person's answers to a wave, anonymously (see the module docstring). `values`: question id →
    an int (agree 1–5, eNPS 0–10), a choice (its text) or free text."""
    now = now or clock_of(session).now()
    wave = session.get(PulseWave, wave_id) if 0 < wave_id <= 2**31 - 1 else None
    if wave is None or wave.team_id != person.team_id:
        raise PulseError(NOT_ASKED, code="not_asked")
    check_answerable(session, key, wave, person, now)
    found = member(session, wave, person)
    assert found is not None
    rows: list[PulseAnswer] = []
    for q in questions(wave):
        raw = values.get(q.id)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if q.required:
                raise PulseError(_t("Please answer this question."), code="required", field=q.id)
            continue
        rows.append(_answer_row(q, raw))
    if not rows:
        raise PulseError(_t("Please answer at least one question."), code="empty", field=questions(wave)[0].id)
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    table = cast(Table, PulseParticipation.__table__)
    claimed = session.execute(
        insert(table).values(wave_id=wave.id, key=participation_key(key, wave.id, person.id))
        .on_conflict_do_nothing().returning(table.c.key)).scalar_one_or_none()
    if claimed is None:  # a second submission racing the first
        raise PulseError(ALREADY, code="answered")
    session.add(PulseResponse(id=secrets.token_hex(16), wave_id=wave.id, cell=found.cell, answers=rows))
    session.flush()


def _answer_row(q: Question, raw: int | str) -> PulseAnswer:
    if q.type in ("agree", "enps"):
        low, high = (1, 5) if q.type == "agree" else (0, 10)
        value = raw if isinstance(raw, int) else int(raw) if str(raw).strip().isdigit() else None
        if value is None or not low <= value <= high:
            raise PulseError(_t("Choose one of the options offered."), code="value", field=q.id)
        return PulseAnswer(question_id=q.id, value=value)
    if q.type == "choice":
        if str(raw) not in q.choices:
            raise PulseError(_t("Choose one of the options offered."), code="value", field=q.id)
        return PulseAnswer(question_id=q.id, choice=str(raw))
    text = str(raw).strip()
    if visible_length(text) > TEXT_MAX:
        raise PulseError(_t("At most {max} characters (you wrote {length})."), code="too_long", field=q.id,
                         max=TEXT_MAX, length=visible_length(text))
    return PulseAnswer(question_id=q.id, text=text)


def waves_of(session: Session, team_id: str, survey_id: str, *, before: datetime | None = None,
             limit: int = 26) -> list[PulseWave]:
    """The survey's waves, newest first (those opened before `before`, if given)."""
    query = select(PulseWave).where(PulseWave.team_id == team_id, PulseWave.survey_id == survey_id)
    if before is not None:
        query = query.where(PulseWave.opens_on < before.date())
    return list(session.scalars(query.order_by(PulseWave.opens_on.desc()).limit(limit)))


def open_wave_for(session: Session, team_id: str, person: Person, now: datetime) -> Sequence[PulseWave]:
    """Open waves that asked this person (for the Home)."""
    return list(session.scalars(
        select(PulseWave).join(PulseMember, PulseMember.wave_id == PulseWave.id)
        .where(PulseWave.team_id == team_id, PulseMember.person_id == person.id, PulseWave.closes_at > now)
        .order_by(PulseWave.opens_on)))
