"""360 rounds: structured feedback about one person from several reviewers, anonymous by default.

- **Start.** One of the person's managers (anywhere in their chain) or an HR admin starts a round: reviewers
  (suggested from the org chart — the manager, peers under the same manager, reports — and from who recently
  gave or received feedback and kudos with the person), a deadline (a local date in the person's time zone;
  the round closes at the end of that day), the competencies of the framework that apply to the person's
  role, and whether it is anonymous. An anonymous round needs at least `feedback.min_reviewers` reviewers
  besides the manager, so that it can ever show something; a person has one running round at a time.
- **Answer.** Each reviewer gets a DM; the form asks, per competency, for a level on its behaviour-anchored
  scale and a concrete example (a level without an example is refused), and for strengths and what to do
  more or differently. A reviewer answers once (or declines); the participation row records only that.
- **Anonymity.** In an anonymous round every answer but the manager's is stored without its author and
  without their relation to the person, under a random id and with no time of its own: nothing in the
  database joins it back to a reviewer, and an erased reviewer's answer stays in the aggregate because it
  never pointed to them. The manager's answer is never anonymous (`relation` and `author_id` set), and is
  not counted towards the threshold.
- **Results** (`results`) exist only once the round closed: while it runs nobody sees how many answered.
  Anonymous answers are shown only when at least the round's `min_reviewers` of them arrived, and then as
  aggregates: per competency the number of ratings, their distribution over the levels and their mean (a
  competency rated by fewer than the minimum shows no figures), and the comments without names, in an order
  unrelated to when they were written, dated with the round's close date. Below the threshold nothing is
  shown and the reason is given. The manager's answer (and every answer of a named round) is attributed.
- **Who sees them**: the access policy's `feedback_360` (the person, their managers, HR admins).

Every function only flushes; the caller's unit of work commits.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, selectinload

from models import access
from models.core import outbox
from models.core.clock import clock_of
from models.core.config import Competency, OrgConfig
from models.core.messages import Mention, Message, _t, say
from models.core.tables import Person
from models.core.text import is_blank, visible_length
from models.core.timing import resolve_local
from models.core.zones import zone_of
from models.feedback.rules import EXAMPLE_NEEDED, FeedbackError, check_recipient, viewer_of
from models.feedback.tables import (
    Feedback,
    FeedbackRound,
    FeedbackRoundAnswer,
    FeedbackRoundRating,
    FeedbackRoundReviewer,
)
from models.kudos import Kudos, KudosRecipient  # read only: who recently recognised whom
from models.people import chain_ids

MAX_DAYS = 90  # a round runs at most this long
MAX_COMPETENCIES = 8  # competencies in one round's form (two inputs each, within a modal's 100 blocks)
SUGGEST_SINCE = timedelta(days=180)  # feedback and kudos this recent suggest a reviewer
ROUND_NOT_FOUND = _t("That 360 round doesn't exist or doesn't ask you.")
INVITE, STARTED = "feedback.round_invite", "feedback.round_started"


# -- who may start and see ----------------------------------------------------------------------------------


def may_start(session: Session, org: OrgConfig, starter: Person, subject: Person) -> bool:
    """HR admins, and anyone in the person's manager chain."""
    if not starter.active or starter.team_id != subject.team_id or starter.id == subject.id:
        return False
    return viewer_of(starter, org).is_hr_admin or starter.id in chain_ids(session, subject)


def can_see_results(session: Session, org: OrgConfig, viewer: Person, round_: FeedbackRound) -> bool:
    return access.can_see(session, viewer_of(viewer, org), access.RecordKind.FEEDBACK_360, owner=round_.subject)


def relation_of(subject: Person, reviewer: Person) -> str:
    if subject.manager_id is not None and reviewer.id == subject.manager_id:
        return "manager"
    if reviewer.manager_id == subject.id:
        return "report"
    if subject.manager_id is not None and reviewer.manager_id == subject.manager_id:
        return "peer"
    return "other"


def local_today(org: OrgConfig, person: Person, now: datetime) -> date:
    return now.astimezone(zone_of(person.tz, org.schedule.default_timezone)).date()


def closes_at(org: OrgConfig, subject: Person, deadline: date) -> datetime:
    """The end of the deadline day in the person's time zone (a DST-safe local midnight)."""
    return resolve_local(deadline + timedelta(days=1), time(0), zone_of(subject.tz, org.schedule.default_timezone))


def is_open(round_: FeedbackRound, now: datetime) -> bool:
    return round_.cancelled_at is None and round_.closed_at is None and now < round_.closes_at


def closed_on(round_: FeedbackRound) -> datetime:
    return round_.closed_at or round_.closes_at


# -- suggestions --------------------------------------------------------------------------------------------


def suggest_reviewers(session: Session, subject: Person, *, now: datetime, limit: int = 10) -> list[Person]:
    """Reviewers to offer when a round starts, most relevant first: the manager, peers under the same manager,
    reports, then people who recently gave the person feedback or kudos or received some from them."""
    found: dict[int, Person] = {}

    def add(people: Sequence[Person]) -> None:
        for p in people:
            if p.id != subject.id and p.active and not p.is_bot and p.team_id == subject.team_id:
                found.setdefault(p.id, p)

    if subject.manager is not None:
        add([subject.manager])
    if subject.manager_id is not None:
        add(list(session.scalars(select(Person).where(Person.manager_id == subject.manager_id,
                                                      Person.id != subject.id).order_by(Person.id))))
    add(list(session.scalars(select(Person).where(Person.manager_id == subject.id).order_by(Person.id))))
    since = now - SUGGEST_SINCE
    counterpart = session.execute(
        select(Feedback.author_id, Feedback.subject_id).where(
            or_(Feedback.subject_id == subject.id, Feedback.author_id == subject.id), Feedback.created_at >= since)
        .order_by(Feedback.created_at.desc()).limit(50)).all()
    ids = [i for i in (a if s == subject.id else s for a, s in counterpart) if i is not None]
    ids += _kudos_counterparts(session, subject, since)
    if ids:
        people = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(set(ids))))}
        ranked = sorted(set(ids), key=lambda i: (-ids.count(i), ids.index(i)))
        add([people[i] for i in ranked if i in people])
    return list(found.values())[:limit]


def _kudos_counterparts(session: Session, subject: Person, since: datetime) -> list[int]:
    """People who gave the person kudos, or got kudos from them, since then (most recent first)."""
    given_to = session.execute(
        select(Kudos.giver_id).join(KudosRecipient, KudosRecipient.kudos_id == Kudos.id)
        .where(KudosRecipient.person_id == subject.id, Kudos.created_at >= since)
        .order_by(Kudos.created_at.desc()).limit(50)).scalars().all()
    from_them = session.execute(
        select(KudosRecipient.person_id).join(Kudos, KudosRecipient.kudos_id == Kudos.id)
        .where(Kudos.giver_id == subject.id, Kudos.created_at >= since)
        .order_by(Kudos.created_at.desc()).limit(50)).scalars().all()
    return [*given_to, *from_them]


# -- starting -----------------------------------------------------------------------------------------------


def running_round(session: Session, subject: Person, now: datetime) -> FeedbackRound | None:
    return session.scalars(
        select(FeedbackRound).where(FeedbackRound.subject_id == subject.id, FeedbackRound.cancelled_at.is_(None),
                                    FeedbackRound.closed_at.is_(None), FeedbackRound.closes_at > now)
        .order_by(FeedbackRound.id.desc())).first()


def check_can_start(session: Session, org: OrgConfig, starter: Person, subject: Person, now: datetime) -> None:
    """`FeedbackError` unless `starter` may start a round about `subject` now (before the form opens, and again
    when it is sent)."""
    if subject.id == starter.id:
        raise FeedbackError(_t("A 360 is about someone else: one of their managers or an HR admin starts it."),
                            code="self", field="subject")
    check_recipient(starter, subject)
    if not may_start(session, org, starter, subject):
        raise FeedbackError(_t("Only {user}'s managers and HR admins can start a 360 for them."),
                            code="not_allowed", field="subject", user=Mention(subject.slack_user_id))
    running = running_round(session, subject, now)
    if running is not None:
        raise FeedbackError(_t("A 360 for {user} is already running until {deadline}."), code="running",
                            field="subject", user=Mention(subject.slack_user_id), deadline=running.deadline)


def start_round(session: Session, org: OrgConfig, starter: Person, subject: Person, reviewers: Sequence[Person], *,
                deadline: date, anonymous: bool, competencies: Sequence[str] | None, source_key: str,
                now: datetime | None = None) -> tuple[FeedbackRound, bool]:
    """Validate and start a round, and queue the reviewers' and the person's DMs. Returns the round and whether
    this submission started it (a second submission of the same form returns the first round)."""
    now = now or clock_of(session).now()
    cfg = org.feedback
    existing = session.scalars(select(FeedbackRound).where(FeedbackRound.team_id == subject.team_id,
                                                           FeedbackRound.source_key == source_key)).one_or_none()
    if existing is not None:
        return existing, False
    check_can_start(session, org, starter, subject, now)
    unique = list({p.id: p for p in reviewers}.values())
    for person in unique:
        if person.id == subject.id:
            raise FeedbackError(_t("{user} can't review themselves in their own 360."), code="self_review",
                                field="reviewers", user=Mention(subject.slack_user_id))
        if person.is_bot:
            raise FeedbackError(_t("{user} is a bot or an app: reviewers are people."), code="bot",
                                field="reviewers", user=Mention(person.slack_user_id))
        if not person.active or person.team_id != subject.team_id:
            raise FeedbackError(_t("{user} has been deactivated and can't review."), code="deactivated",
                                field="reviewers", user=Mention(person.slack_user_id))
    if len(unique) > cfg.max_reviewers:
        raise FeedbackError(_t("A 360 asks at most {max} reviewers (you chose {count})."), code="too_many",
                            field="reviewers", max=cfg.max_reviewers, count=len(unique))
    others = [p for p in unique if relation_of(subject, p) != "manager"]
    if anonymous and len(others) < cfg.min_reviewers:
        raise FeedbackError(_t("An anonymous 360 needs at least {min} reviewers besides the manager (you chose "
                               "{count}): with fewer, nothing could ever be shown without pointing at someone."),
                            code="too_few", field="reviewers", min=cfg.min_reviewers, count=len(others))
    if not unique:
        raise FeedbackError(_t("Choose at least one reviewer."), code="too_few", field="reviewers", min=1, count=0)
    today = local_today(org, subject, now)
    if deadline <= today:
        raise FeedbackError(_t("Choose a deadline after today."), code="deadline", field="deadline")
    if deadline > today + timedelta(days=MAX_DAYS):
        raise FeedbackError(_t("Choose a deadline within {days} days: feedback is best while the work is fresh."),
                            code="deadline", field="deadline", days=MAX_DAYS)
    chosen = _competencies(org, subject, competencies)
    framework = {}
    for cid in chosen:
        found = org.feedback.competency(cid)
        assert found is not None
        framework[cid] = {"name": found.name, "description": found.description, "levels": list(found.levels)}
    round_ = FeedbackRound(team_id=subject.team_id, subject=subject, started_by=starter, anonymous=anonymous,
                           competencies=chosen, framework=framework, min_reviewers=cfg.min_reviewers, deadline=deadline,
                           closes_at=closes_at(org, subject, deadline), created_at=now, source_key=source_key,
                           reviewers=[FeedbackRoundReviewer(reviewer=p, relation=relation_of(subject, p),
                                                            state="pending") for p in unique])
    session.add(round_)
    session.flush()
    for row in round_.reviewers:
        outbox.enqueue(session, team_id=round_.team_id, kind=INVITE, recipient=row.reviewer,
                       key=outbox.dedupe_key(INVITE, round_.team_id, row.reviewer.slack_user_id, f"round-{round_.id}"),
                       payload={"round_id": round_.id})
    outbox.enqueue(session, team_id=round_.team_id, kind=STARTED, recipient=subject,
                   key=outbox.dedupe_key(STARTED, round_.team_id, subject.slack_user_id, f"round-{round_.id}"),
                   payload={"round_id": round_.id})
    return round_, True


def competencies_of(org: OrgConfig, round_: FeedbackRound) -> list[Competency]:
    """The round's competencies as they were when it started (else, for a round without that record, as the
    framework has them now; one the framework no longer has is left out)."""
    out = []
    for cid in round_.competencies:
        saved = (round_.framework or {}).get(cid)
        if isinstance(saved, dict) and saved.get("levels"):
            out.append(Competency.model_construct(id=cid, name=str(saved.get("name") or cid),
                                                  description=str(saved.get("description") or ""),
                                                  levels=[str(x) for x in saved["levels"]], role_families=[]))
            continue
        current = org.feedback.competency(cid)
        if current is not None:
            out.append(current)
    return out


def default_competencies(org: OrgConfig, subject: Person) -> list[str]:
    return [c.id for c in org.feedback.competencies if c.applies_to(subject.department)][:MAX_COMPETENCIES]


def _competencies(org: OrgConfig, subject: Person, chosen: Sequence[str] | None) -> list[str]:
    if not chosen:
        found = default_competencies(org, subject)
        if not found:
            raise FeedbackError(_t("No competency of the framework applies to {user}'s role."),
                                code="competency", field="competencies", user=Mention(subject.slack_user_id))
        return found
    out: list[str] = []
    for cid in dict.fromkeys(chosen):
        competency = org.feedback.competency(cid)
        if competency is None or not competency.applies_to(subject.department):
            raise FeedbackError(_t("{competency} isn't one of the competencies for {user}'s role."),
                                code="competency", field="competencies", competency=str(cid)[:50],
                                user=Mention(subject.slack_user_id))
        out.append(competency.id)
    if len(out) > MAX_COMPETENCIES:
        raise FeedbackError(_t("Choose at most {max} competencies: a short form gets careful answers."),
                            code="competency", field="competencies", max=MAX_COMPETENCIES)
    return out


# -- answering ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RatingDraft:
    competency: str
    level: int | None
    example: str


def load_reviewer(session: Session, person: Person, round_id: int) -> FeedbackRoundReviewer:
    """The row asking this person in that round, or `FeedbackError` (the same whether the round exists or not)."""
    row = None
    if 0 < round_id <= 2**31 - 1:
        row = session.scalars(select(FeedbackRoundReviewer).where(FeedbackRoundReviewer.round_id == round_id,
                                                                  FeedbackRoundReviewer.reviewer_id == person.id)
                              .options(selectinload(FeedbackRoundReviewer.round)
                                       .selectinload(FeedbackRound.subject))).one_or_none()
    if row is None:
        raise FeedbackError(ROUND_NOT_FOUND, code="round_not_found")
    return row


def check_answerable(row: FeedbackRoundReviewer, now: datetime) -> None:
    round_ = row.round
    if round_.cancelled_at is not None:
        raise FeedbackError(_t("This 360 was cancelled: nothing more is needed from you."), code="cancelled")
    if not is_open(round_, now):
        raise FeedbackError(_t("This 360 closed on {deadline}: answers are no longer taken."), code="closed",
                            deadline=round_.deadline)
    if row.state == "answered":
        raise FeedbackError(_t("You have already answered this 360. Thank you!"), code="answered")


def is_named(row: FeedbackRoundReviewer) -> bool:
    """Whether this reviewer's answer carries their name: the manager's always, everyone's in a named round."""
    return not row.round.anonymous or row.relation == "manager"


def answer_round(session: Session, org: OrgConfig, person: Person, round_id: int, ratings: Sequence[RatingDraft], *,
                 strengths: str = "", improve: str = "", now: datetime | None = None) -> FeedbackRound:
    """Save one reviewer's answer. In an anonymous round (but for the manager) the answer keeps no link to them.

    Returns the round only: the caller has no business with the answer's id."""
    now = now or clock_of(session).now()
    cfg = org.feedback
    row = load_reviewer(session, person, round_id)
    check_answerable(row, now)
    round_ = row.round
    saved: list[FeedbackRoundRating] = []
    known = {c.id: c for c in competencies_of(org, round_)}
    for draft in ratings:
        if draft.competency not in known:
            raise FeedbackError(_t("{competency} isn't part of this 360."), code="competency",
                                field=f"rating:{draft.competency[:50]}", competency=draft.competency[:50])
        competency = known[draft.competency]
        levels = len(competency.levels)
        example = (draft.example or "").strip()
        field_ = f"example:{draft.competency}"
        if visible_length(example) > cfg.max_text_length:
            raise FeedbackError(_t("At most {max} characters (you wrote {length})."), code="too_long",
                                field=field_, max=cfg.max_text_length, length=visible_length(example))
        if is_blank(example):
            example = ""
        if draft.level is not None and not 1 <= draft.level <= levels:
            raise FeedbackError(_t("Pick a level from 1 to {max}."), code="level", field=f"level:{draft.competency}",
                                max=levels)
        if draft.level is not None and not example:
            raise FeedbackError(EXAMPLE_NEEDED, code="example", field=field_)
        if example and visible_length(example) < cfg.min_example_length:
            raise FeedbackError(_t("The example is very short ({length} characters; at least {min}). {why}"),
                                code="example_short", field=field_, length=visible_length(example),
                                min=cfg.min_example_length, why=_t(EXAMPLE_NEEDED))
        if draft.level is not None or example:
            saved.append(FeedbackRoundRating(competency=draft.competency, level=draft.level, example=example))
    texts = {}
    for name, value in (("strengths", strengths), ("improve", improve)):
        value = (value or "").strip()
        if visible_length(value) > cfg.max_text_length:
            raise FeedbackError(_t("At most {max} characters (you wrote {length})."), code="too_long", field=name,
                                max=cfg.max_text_length, length=visible_length(value))
        texts[name] = "" if is_blank(value) else value
    if not any(r.level is not None for r in saved):
        raise FeedbackError(_t("Rate at least one competency, with an example of what you saw."), code="empty",
                            field=f"level:{next(iter(known), '')}")
    named = is_named(row)
    # Claim the row in one statement: two forms sent at once (the DM and the Home) store one answer, not two.
    claimed = session.execute(
        update(FeedbackRoundReviewer).where(FeedbackRoundReviewer.id == row.id,
                                            FeedbackRoundReviewer.state != "answered")
        .values(state="answered").execution_options(synchronize_session=False))
    if getattr(claimed, "rowcount", 0) != 1:
        raise FeedbackError(_t("You have already answered this 360. Thank you!"), code="answered")
    session.add(FeedbackRoundAnswer(id=secrets.token_hex(16), round_id=round_.id,
                                    author_id=person.id if named else None,
                                    relation=row.relation if named else None, ratings=saved, **texts))
    session.flush()
    session.expire(row, ["state"])
    return round_


def decline_round(session: Session, person: Person, round_id: int, *, now: datetime | None = None
                  ) -> FeedbackRoundReviewer:
    """The reviewer declines. Nobody is told: while the round runs, nobody sees who took part."""
    now = now or clock_of(session).now()
    row = load_reviewer(session, person, round_id)
    check_answerable(row, now)
    row.state = "declined"
    session.flush()
    return row


def cancel_round(session: Session, org: OrgConfig, person: Person, round_id: int, *,
                 now: datetime | None = None) -> FeedbackRound:
    """Whoever started the round (or an HR admin, or a manager of the person) stops it; nothing is shown."""
    now = now or clock_of(session).now()
    round_ = session.get(FeedbackRound, round_id) if 0 < round_id <= 2**31 - 1 else None
    if round_ is None or round_.team_id != person.team_id or not (
            round_.started_by_id == person.id or may_start(session, org, person, round_.subject)):
        raise FeedbackError(_t("That 360 round doesn't exist or isn't yours to change."), code="round_not_found")
    if not is_open(round_, now):
        raise FeedbackError(_t("This 360 is no longer running."), code="closed")
    round_.cancelled_at = now
    session.flush()
    return round_


# -- lists --------------------------------------------------------------------------------------------------


def waiting_rounds(session: Session, person: Person, now: datetime, *, limit: int = 10
                   ) -> list[FeedbackRoundReviewer]:
    """Open rounds asking this person that they have not answered, soonest deadline first."""
    return list(session.scalars(
        select(FeedbackRoundReviewer).join(FeedbackRound, FeedbackRound.id == FeedbackRoundReviewer.round_id)
        .where(FeedbackRoundReviewer.reviewer_id == person.id, FeedbackRoundReviewer.state == "pending",
               FeedbackRound.cancelled_at.is_(None), FeedbackRound.closed_at.is_(None), FeedbackRound.closes_at > now)
        .options(selectinload(FeedbackRoundReviewer.round).selectinload(FeedbackRound.subject))
        .order_by(FeedbackRound.closes_at, FeedbackRound.id).limit(limit)))


def rounds_about(session: Session, subject: Person, *, limit: int = 3) -> list[FeedbackRound]:
    """The person's rounds (not cancelled), newest first."""
    return list(session.scalars(
        select(FeedbackRound).where(FeedbackRound.subject_id == subject.id, FeedbackRound.cancelled_at.is_(None))
        .options(selectinload(FeedbackRound.subject)).order_by(FeedbackRound.id.desc()).limit(limit)))


def rounds_started(session: Session, person: Person, now: datetime, *, limit: int = 5) -> list[FeedbackRound]:
    """Rounds this person started that are still running or closed in the last 30 days, newest first."""
    return list(session.scalars(
        select(FeedbackRound).where(FeedbackRound.started_by_id == person.id, FeedbackRound.cancelled_at.is_(None),
                                    FeedbackRound.closes_at > now - timedelta(days=30))
        .options(selectinload(FeedbackRound.subject)).order_by(FeedbackRound.id.desc()).limit(limit)))


def find_round(session: Session, round_id: int) -> FeedbackRound | None:
    if not 0 < round_id <= 2**31 - 1:
        return None
    return session.get(FeedbackRound, round_id, options=[selectinload(FeedbackRound.subject),
                                                         selectinload(FeedbackRound.started_by)])


# -- results ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CompetencyResult:
    competency: str
    ratings: int  # anonymous ratings with a level
    distribution: tuple[int, ...] = ()  # ratings per level, lowest first (empty when not shown)
    mean: float | None = None
    shown: bool = False


@dataclass(frozen=True)
class Comment:
    """One unattributed comment: an example for a competency, a strength, or something to do differently."""

    kind: str  # "example", "strengths", "improve"
    text: str
    competency: str | None = None


@dataclass(frozen=True)
class NamedAnswer:
    author: Person | None
    relation: str
    ratings: tuple[FeedbackRoundRating, ...]
    strengths: str
    improve: str


@dataclass(frozen=True)
class RoundResults:
    round: FeedbackRound
    state: str  # "running", "closed", "cancelled"
    invited: int = 0
    answered: int = 0  # only once closed
    shown: bool = False  # the anonymous aggregate
    hidden_reason: Message | None = None
    competencies: tuple[CompetencyResult, ...] = ()
    comments: tuple[Comment, ...] = ()
    named: tuple[NamedAnswer, ...] = ()
    closed_on: date | None = None
    names: tuple[tuple[str, str], ...] = ()  # competency id → its name when the round started

    def name(self, competency_id: str) -> str:
        return dict(self.names).get(competency_id, competency_id)


def _mix(round_: FeedbackRound, text: str) -> str:
    """A sort key unrelated to when or by whom a comment was written, stable for the round."""
    return hashlib.sha256(f"{round_.id}\x00{round_.source_key}\x00{text}".encode()).hexdigest()


def results(session: Session, org: OrgConfig, round_: FeedbackRound, now: datetime) -> RoundResults:
    """What the round may show, to anyone allowed to see it (check `can_see_results` first). While it runs:
    nothing, not even how many answered."""
    if round_.cancelled_at is not None:
        return RoundResults(round=round_, state="cancelled")
    if is_open(round_, now):
        return RoundResults(round=round_, state="running")
    invited = session.scalar(select(func.count()).where(FeedbackRoundReviewer.round_id == round_.id)) or 0
    answers = list(session.scalars(
        select(FeedbackRoundAnswer).where(FeedbackRoundAnswer.round_id == round_.id)
        .options(selectinload(FeedbackRoundAnswer.ratings), selectinload(FeedbackRoundAnswer.author))))
    named = [a for a in answers if a.relation is not None]
    anonymous = [a for a in answers if a.relation is None]
    named.sort(key=lambda a: (a.relation != "manager", a.author.label if a.author is not None else "", a.id))
    closed = local_today(org, round_.subject, closed_on(round_)) if round_.closed_at else round_.deadline
    base = RoundResults(
        round=round_, state="closed", invited=invited, answered=len(answers), closed_on=closed,
        names=tuple((c.id, c.name) for c in competencies_of(org, round_)),
        named=tuple(NamedAnswer(a.author, a.relation or "other", tuple(a.ratings), a.strengths, a.improve)
                    for a in named))
    minimum = round_.min_reviewers
    if round_.anonymous and len(anonymous) < minimum:
        reason = say(_t("Fewer than {min} reviewers answered anonymously, so their answers are not shown: with so "
                        "few, any figure or comment could point at someone."), min=minimum)
        return replace(base, hidden_reason=reason)
    pool = anonymous if round_.anonymous else answers
    per: list[CompetencyResult] = []
    comments: list[Comment] = []
    for competency in competencies_of(org, round_):
        cid, levels = competency.id, len(competency.levels)
        rated = [r.level for a in pool for r in a.ratings if r.competency == cid and r.level is not None]
        if round_.anonymous and len(rated) < minimum:
            # Neither figures nor examples: a level needs an example, so the examples would count the ratings.
            per.append(CompetencyResult(cid, 0))
            continue
        dist = tuple(sum(1 for x in rated if x == i) for i in range(1, levels + 1))
        per.append(CompetencyResult(cid, len(rated), dist, sum(rated) / len(rated) if rated else None, True))
        if round_.anonymous:
            comments += [Comment("example", r.example, cid) for a in pool for r in a.ratings
                         if r.competency == cid and r.example]
    if round_.anonymous:
        comments += [Comment("strengths", a.strengths) for a in pool if a.strengths]
        comments += [Comment("improve", a.improve) for a in pool if a.improve]
        order = {"strengths": 0, "improve": 1, "example": 2}
        comments.sort(key=lambda c: (order[c.kind], c.competency or "", _mix(round_, c.text)))
    return replace(base, shown=True, competencies=tuple(per), comments=tuple(comments))
