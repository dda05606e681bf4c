"""The feedback section of the HR weekly digest, and who gave or asked for feedback in a week (adoption).

Figures, each with the same figure for the `HISTORY_WEEKS` weeks before (oldest first), from one query over
those weeks for feedback and one for requests, grouped by week in Python (never a query per week or person):

- **Feedback given**: pieces of `/feedback` written in the week (named, or anonymous answers to a request).
- **With a concrete example**: the share of them whose example has at least `feedback.min_example_length`
  visible characters (every new piece needs one; a row whose words were erased may fall short).
- **Unanswered requests**: peers asked for feedback more than `feedback.reminder_days` days before the end of
  the week who had neither answered nor declined by then. A request older than `STALE_AFTER` is stale and no
  longer counts, so that the figure (and its query) does not reach back through all history. An anonymous
  answer leaves no time on the request row: such a row counts as answered in every week, never as an answer
  at a particular moment.

Lines: the calibration aids (`models.feedback.calibration`) of the calendar quarter the week falls in (the
quarter of its Thursday, as ISO weeks go), in HR's time zone: managers flagged lenient or severe with their
number of ratings, the share with a concrete example, whether feedback is weighted to the end of the quarter,
and how many people received none. Only what the calibration module shows: it leaves out (None) what rests on
too few ratings. The tail lists the managers with their verdicts and the people with no feedback this quarter.

Only active, non-bot people of the workspace count. Nothing here shows what anyone wrote, and nothing names the
author of an anonymous answer (it has none): anonymous answers are only counted.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from models.core.clock import clock_of
from models.core.config import OrgConfig
from models.core.digest import HISTORY_WEEKS, Activity, DigestSection, DigestSpec, Figure, Week
from models.core.messages import Message, Phrase, _t, say
from models.core.tables import Person, active_person
from models.core.text import visible_length
from models.feedback.calibration import LENIENT, SEVERE, Calibration, parse_period, period_calibration
from models.feedback.tables import Feedback, FeedbackRequest, FeedbackRequestPeer, FeedbackRound, FeedbackRoundAnswer

KEY = "feedback"
STALE_AFTER = timedelta(weeks=HISTORY_WEEKS)  # an unanswered request older than this no longer counts

TITLE = _t("Feedback")


def _weeks(week: Week) -> list[Week]:
    """The baseline weeks and the week itself, oldest first."""
    return [week.back(n) for n in range(HISTORY_WEEKS, 0, -1)] + [week]


def _percent(share: float) -> str:
    return f"{round(share * 100)}%"


def _active_ids(session: Session, team_id: str) -> set[int]:
    return set(session.scalars(select(Person.id).where(Person.team_id == team_id, *active_person(Person))))


def _given(session: Session, org: OrgConfig, team_id: str, weeks: list[Week], active: set[int]
           ) -> tuple[list[int], list[int], list[int]]:
    """Per week: pieces of feedback, those with a concrete example, and (at least) how many people wrote them."""
    starts = [w.start for w in weeks]
    rows = session.execute(
        select(Feedback.created_at, Feedback.author_id, Feedback.subject_id, Feedback.example)
        .where(Feedback.team_id == team_id, Feedback.created_at >= weeks[0].start, Feedback.created_at < weeks[-1].end))
    count = [0] * len(weeks)
    concrete = [0] * len(weeks)
    authors: list[set[int]] = [set() for _ in weeks]
    anonymous = [False] * len(weeks)
    minimum = org.feedback.min_example_length
    for created_at, author_id, subject_id, example in rows:
        if subject_id not in active or (author_id is not None and author_id not in active):
            continue
        i = bisect_right(starts, created_at) - 1
        count[i] += 1
        concrete[i] += visible_length(example or "") >= minimum
        if author_id is None:
            anonymous[i] = True
        else:
            authors[i].add(author_id)
    # An anonymous author may be one of the named ones, or the same person twice: count them as at most one more
    # person only when nobody is named, so that the number never overstates how many people stand behind it.
    people = [len(a) or int(anon) for a, anon in zip(authors, anonymous, strict=True)]
    return count, concrete, people


def _unanswered(session: Session, org: OrgConfig, team_id: str, weeks: list[Week], active: set[int]
                ) -> tuple[list[int], list[int]]:
    """Per week: peers' request rows still unanswered at the week's end though asked more than `reminder_days`
    days (and less than `STALE_AFTER`) before it, and how many peers they are."""
    overdue = timedelta(days=org.feedback.reminder_days)
    first_end = weeks[0].end
    rows = session.execute(
        select(FeedbackRequestPeer.peer_id, FeedbackRequest.requester_id, FeedbackRequest.created_at,
               FeedbackRequestPeer.state, FeedbackRequestPeer.answered_at, FeedbackRequestPeer.declined_at)
        .join(FeedbackRequest, FeedbackRequest.id == FeedbackRequestPeer.request_id)
        .where(FeedbackRequest.team_id == team_id,
               FeedbackRequest.created_at >= first_end - STALE_AFTER,
               FeedbackRequest.created_at < weeks[-1].end - overdue,
               or_(FeedbackRequestPeer.state == "pending", FeedbackRequestPeer.answered_at >= first_end,
                   FeedbackRequestPeer.declined_at >= first_end)))
    asks: list[tuple[int, datetime, datetime | None]] = []  # peer, asked, no longer pending from (None: still)
    for peer_id, requester_id, asked, state, answered_at, declined_at in rows:
        if peer_id not in active or requester_id not in active:
            continue
        if state == "pending":
            asks.append((peer_id, asked, None))
            continue
        ended = [t for t in (answered_at, declined_at) if t is not None]
        if ended:  # a row answered anonymously has no time: it is pending in no week
            asks.append((peer_id, asked, min(ended)))
    count: list[int] = []
    people: list[int] = []
    for w in weeks:
        at = w.end
        open_ = [peer for peer, asked, until in asks
                 if at - STALE_AFTER <= asked < at - overdue and (until is None or until >= at)]
        count.append(len(open_))
        people.append(len(set(open_)))
    return count, people


def _calibration(session: Session, org: OrgConfig, team_id: str, week: Week) -> Calibration:
    thursday = week.monday + timedelta(days=3)  # an ISO week belongs where its Thursday is
    period = parse_period(None, thursday, tz=week.zone)
    now = min(week.end, clock_of(session).now())
    return period_calibration(session, org, team_id, period, now=now)


def _calibration_lines(cal: Calibration, active: set[int]) -> list[Message | str]:
    lines: list[Message | str] = []
    flagged = {LENIENT: _t("Managers rating more leniently than the rest of the organisation in {period}:"),
               SEVERE: _t("Managers rating more severely than the rest of the organisation in {period}:")}
    for verdict, message in flagged.items():
        managers = [m for m in cal.managers if m.verdict == verdict and m.manager.id in active]
        if not managers:
            continue
        parts: list[str | Message] = [say(message, period=cal.label)]
        for i, m in enumerate(managers):
            parts += [" " if i == 0 else ", ", say(_t("{name} ({count} ratings)"), name=m.manager.name, count=m.n)]
        lines.append(Phrase(*parts))
    examples = cal.examples.all
    if examples.value is not None and examples.count is not None:
        lines.append(say(_t("{share} of the feedback and 360 ratings in {period} have a concrete example "
                            "({count} of {n})."), share=_percent(examples.value), period=cal.label,
                         count=examples.count, n=examples.n))
    recency = cal.recency
    if recency.end_heavy and recency.last_quarter_share is not None:
        lines.append(say(_t("Feedback in {period} is weighted to the end: {share} of it came in the last quarter of "
                            "the time so far, where an even spread gives {expected}."), period=cal.label,
                         share=_percent(recency.last_quarter_share), expected=_percent(recency.expected_share)))
    if cal.without_feedback:
        lines.append(say(_t("{count} of {total} people received no feedback in {period}."),
                         count=len(cal.without_feedback), total=cal.people_considered, period=cal.label))
    return lines


def _calibration_tail(cal: Calibration, active: set[int]) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for m in cal.managers:
        if m.manager.id in active:
            rows.append(("manager's ratings", m.manager.name, m.manager.department or "", m.verdict, str(m.n)))
    for p in cal.without_feedback:
        rows.append((f"no feedback in {cal.label}", p.name, p.department or "", "", ""))
    return rows


def feedback_section(session: Session, org: OrgConfig, team_id: str, week: Week) -> DigestSection:
    """The digest's feedback section for `week` (reads only: a fixed number of queries, whatever the history)."""
    if not org.feedback.enabled:
        return DigestSection(KEY, TITLE, empty=_t("Feedback is turned off."))
    weeks = _weeks(week)
    active = _active_ids(session, team_id)
    count, concrete, givers = _given(session, org, team_id, weeks, active)
    # A week with no feedback has no share: it is left out of the baseline rather than counted as 0 %.
    shares = [c / n for c, n in zip(concrete, count, strict=True) if n]
    share_now = concrete[-1] / count[-1] if count[-1] else None
    unanswered, waiting = _unanswered(session, org, team_id, weeks, active)
    figures = (
        Figure("feedback.given", _t("Feedback given"), count[-1], "count", tuple(float(c) for c in count[:-1]),
               givers[-1]),
        Figure("feedback.with_example", _t("Feedback with a concrete example"), share_now, "share",
               tuple(shares[:-1] if share_now is not None else shares), givers[-1]),
        Figure("feedback.unanswered", _t("Unanswered feedback requests"), unanswered[-1], "count",
               tuple(float(c) for c in unanswered[:-1]), waiting[-1], higher_is_better=False),
    )
    cal = _calibration(session, org, team_id, week)
    return DigestSection(
        key=KEY, title=TITLE, figures=figures, lines=tuple(_calibration_lines(cal, active)),
        tail_header=("List", "Person", "Department", "Verdict", "Ratings"),
        tail=tuple(_calibration_tail(cal, active)))


def feedback_activity(session: Session, team_id: str, start: datetime, end: datetime) -> set[int]:
    """People who gave named feedback, asked for feedback, or answered a named 360 round (dated by its close:
    an answer has no time of its own) in [start, end). Never the author of an anonymous answer: none is
    stored, and none is guessed."""
    found: set[int] = set()
    found.update(session.scalars(
        select(Feedback.author_id).join(Person, Person.id == Feedback.author_id)
        .where(Feedback.team_id == team_id, Feedback.anonymous.is_(False), Feedback.author_id.is_not(None),
               Feedback.created_at >= start, Feedback.created_at < end, *active_person(Person))))
    found.update(session.scalars(
        select(FeedbackRequest.requester_id).join(Person, Person.id == FeedbackRequest.requester_id)
        .where(FeedbackRequest.team_id == team_id, FeedbackRequest.created_at >= start,
               FeedbackRequest.created_at < end, *active_person(Person))))
    closed_in = or_(
        and_(FeedbackRound.closed_at.is_not(None), FeedbackRound.closed_at >= start, FeedbackRound.closed_at < end),
        and_(FeedbackRound.closed_at.is_(None), FeedbackRound.closes_at >= start, FeedbackRound.closes_at < end))
    found.update(session.scalars(
        select(FeedbackRoundAnswer.author_id)
        .join(FeedbackRound, FeedbackRound.id == FeedbackRoundAnswer.round_id)
        .join(Person, Person.id == FeedbackRoundAnswer.author_id)
        .where(FeedbackRound.team_id == team_id, FeedbackRound.anonymous.is_(False),
               FeedbackRound.cancelled_at.is_(None), FeedbackRoundAnswer.author_id.is_not(None), closed_in,
               *active_person(Person))))
    return {int(i) for i in found if i is not None}


SECTIONS = (DigestSpec(KEY, 50, feedback_section,
                       "Feedback given, with a concrete example, unanswered requests; the quarter's calibration aids"),)
ACTIVITY = (Activity("feedback", feedback_activity),)
