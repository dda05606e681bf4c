"""Calibration aids: figures that help HR and managers see bias in a period's feedback and 360 ratings.

Four figures (docs/calibration.md has the method, the thresholds and a worked example):

- **Leniency or severity.** Each manager's ratings of the people in their reporting chain, compared with the
  rest of the organisation's ratings of the same competencies. Levels are put on one scale first: a level's
  *position* is `(level - 1) / (levels - 1)`, 0 for a competency's lowest level and 1 for its highest, so a
  4-level and a 6-level competency can be read together. Because competencies are not rated alike (one may be
  rated high everywhere), a manager is not compared with the organisation's overall mean but with what the
  rest of the organisation gives *on the competencies this manager rated* (each of their ratings is paired
  with everyone else's mean position on that competency). The difference is measured against the spread of
  ratings within a competency (the organisation's pooled standard deviation, `sd`): a manager is **lenient**
  (or **severe**) when their mean is at least `EFFECT` (0.5) standard deviations above (or below) that
  expectation *and* the difference is at least `SIGNIFICANCE` (2) standard errors, so that a handful of
  ratings needs a large difference and chance alone rarely flags anyone. Otherwise they are **in line**.
- **Concrete examples.** The share of feedback and of 360 ratings that carry a concrete example (at least
  `feedback.min_example_length` visible characters; words removed by an erasure were an example).
- **Recency.** How the period's feedback (the `/feedback` kind: a 360 round is dated by its close, and rounds
  are held at review time by design) is spread over it: counts per month (per quarter of the period for a
  single month) and the share given in the last quarter of the period, against the 25 % an even spread gives.
  Weighted to the end when that share is at least `RECENT_SHARE` (40 %) and `SIGNIFICANCE` standard errors
  above 25 %.
- **People with no feedback.** Active people in the pilot rollout who received no feedback in the period
  and were not the subject of a 360 round that closed in it with at least one answer.

Every figure comes with the number of ratings (or pieces of feedback) behind it, and is left out (None) when
fewer than `feedback.calibration_min_ratings` stand behind it; a manager below it is listed as having too few
ratings to compare, with no figures.

What counts: feedback created in the period, and the ratings of 360 rounds that closed in it (not cancelled,
`closed_at`, else `closes_at`, within the period and already past). A rating is a level on a competency of the
current framework; levels on a competency no longer in it, or outside its scale, are counted as `unscored`.
Anonymous answers (to a 360 round, or to a feedback request) count for the organisation, never for anyone in
particular; a round's only when its anonymous answers reached the round's `min_reviewers` (below it the round
shows nothing to anyone, and the figures here must not become a way round that). A rating is a manager's when
its author is above its subject in the org chart as it is today.

Only reads, in three queries whatever the size of the organisation (people, feedback, 360 answers and their
ratings); the org chart is walked in memory. Periods are calendar months, quarters, halves and years
(`parse_period`); the text here is English (an operator's and HR's view; the HR digest may translate later).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from models.core import periods
from models.core.clock import clock_of
from models.core.config import OrgConfig
from models.core.personal_data import REMOVED_ABOUT_TEXT, REMOVED_TEXT
from models.core.prompts import in_rollout
from models.core.tables import Person
from models.core.text import visible_length
from models.feedback.tables import Feedback, FeedbackRound, FeedbackRoundAnswer, FeedbackRoundRating
from models.people import MAX_DEPTH

EFFECT = 0.5  # a manager's difference, in the organisation's standard deviations, before it is named
SIGNIFICANCE = 2.0  # ... and in standard errors, so that chance in a few ratings is not named
RECENT_SHARE = 0.4  # share of the period's feedback in its last quarter before it is weighted to the end
EXPECTED_RECENT = 0.25  # an even spread puts a quarter of it in the last quarter

LENIENT = "lenient"
SEVERE = "severe"
IN_LINE = "in line"
TOO_FEW = "too few ratings to compare"
NO_BASELINE = "too few other ratings to compare with"

_ERASED = frozenset({REMOVED_TEXT, REMOVED_ABOUT_TEXT})


# -- periods ----------------------------------------------------------------------------------------------------


PeriodError = periods.PeriodError
CalibrationPeriod = periods.CalendarPeriod


def parse_period(value: str | None, today: date, *, tz: str = "UTC") -> CalibrationPeriod:
    """The period `value` names (`models.core.periods`); None: the calendar quarter `today` falls in."""
    return periods.quarter_of(today, tz) if value is None else periods.parse_calendar_period(value, tz)


# -- the figures ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonRef:
    id: int
    name: str
    department: str | None


@dataclass(frozen=True)
class Share:
    """`count` of `n`, and `count / n`; both None when fewer than the minimum stand behind it (`n` is shown)."""

    n: int
    count: int | None
    value: float | None


@dataclass(frozen=True)
class Distribution:
    """Ratings on the common scale: `mean` position (0: a competency's lowest level, 1: its highest) and the
    shares in its lower third (`low`), middle third (`middle`, both ends included) and upper third (`high`)."""

    n: int
    mean: float
    low: float
    middle: float
    high: float


@dataclass(frozen=True)
class CompetencyFigures:
    id: str
    name: str
    n: int
    mean: float | None  # None below the minimum


@dataclass(frozen=True)
class Organisation:
    """Every scored rating of the period. `anonymous` and `by_managers` are parts of `n`; `unscored` are not
    (levels on a competency the framework no longer has, or outside its scale). `sd` is the pooled standard
    deviation of positions within a competency, the yardstick of `ManagerFigures.effect`."""

    n: int
    anonymous: int
    by_managers: int
    unscored: int
    distribution: Distribution | None
    sd: float | None
    competencies: tuple[CompetencyFigures, ...]


@dataclass(frozen=True)
class ManagerFigures:
    """One manager's ratings of people in their reporting chain. `verdict`: `LENIENT`, `SEVERE`, `IN_LINE`,
    `TOO_FEW` (fewer than the minimum: no figures at all) or `NO_BASELINE` (too few ratings by others on the
    same competencies). `expected`: what the rest of the organisation gives on the same competencies;
    `difference` = `distribution.mean - expected` over the `compared` ratings; `effect` = difference / sd."""

    manager: PersonRef
    n: int
    verdict: str
    distribution: Distribution | None = None
    compared: int | None = None
    expected: float | None = None
    difference: float | None = None
    effect: float | None = None
    standard_error: float | None = None
    with_example: Share | None = None

    @property
    def flagged(self) -> bool:
        return self.verdict in (LENIENT, SEVERE)


@dataclass(frozen=True)
class Examples:
    """Shares with a concrete example: of everything (`all`), of `/feedback` and of 360 ratings."""

    all: Share
    feedback: Share
    rounds: Share


@dataclass(frozen=True)
class RecencyPart:
    label: str
    start: datetime
    end: datetime
    count: int | None  # None when the figure is hidden, or the part has not begun
    complete: bool  # the part is over (a period in progress has parts still to come)


@dataclass(frozen=True)
class Recency:
    """The period's feedback over time. `last_quarter_from`: the start of the last quarter of the time gone by
    (the whole period once it is over); `last_quarter_share` of the `n` pieces fell after it, against
    `expected_share`. Counts and share are None below the minimum."""

    n: int
    parts: tuple[RecencyPart, ...]
    last_quarter_from: datetime
    last_quarter_share: float | None
    expected_share: float
    end_heavy: bool | None
    standard_errors: float | None  # (share - expected) / its standard error under an even spread


@dataclass(frozen=True)
class Calibration:
    team_id: str
    label: str
    start: datetime
    end: datetime
    as_of: datetime  # figures cover [start, as_of): the end, or now in a period still running
    min_ratings: int
    organisation: Organisation
    managers: tuple[ManagerFigures, ...]
    examples: Examples
    recency: Recency
    without_feedback: tuple[PersonRef, ...]
    people_considered: int  # active people in the rollout, the base of `without_feedback`

    @property
    def in_progress(self) -> bool:
        return self.as_of < self.end


# -- computing them ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rating:
    competency: str
    position: float
    band: int  # 0 low, 1 middle, 2 high
    manager_id: int | None  # the author, when they are above the subject
    concrete: bool


def _concrete(example: str | None, min_length: int) -> bool:
    if not example:
        return False
    return example.strip() in _ERASED or visible_length(example) >= min_length


def _share(count: int, n: int, minimum: int) -> Share:
    if n < minimum or n == 0:
        return Share(n, None, None)
    return Share(n, count, count / n)


def _distribution(ratings: list[_Rating]) -> Distribution:
    n = len(ratings)
    bands = [0, 0, 0]
    for r in ratings:
        bands[r.band] += 1
    return Distribution(n, sum(r.position for r in ratings) / n, bands[0] / n, bands[1] / n, bands[2] / n)


class _Chart:
    """Who is above whom, from the people rows in memory (loaded anyway): no query per rating, where
    `models.people.chain_ids` would take one per person. A cycle in corrupt data, or a chain deeper than
    `MAX_DEPTH`, ends the walk as `models.people.chart` does."""

    def __init__(self, people: dict[int, Person]) -> None:
        self._people = people
        self._above: dict[int, frozenset[int]] = {}

    def above(self, person_id: int) -> frozenset[int]:
        found = self._above.get(person_id)
        if found is None:
            seen: list[int] = []
            person = self._people.get(person_id)
            manager_id = person.manager_id if person is not None else None
            while manager_id is not None and manager_id != person_id and manager_id not in seen \
                    and len(seen) < MAX_DEPTH:
                seen.append(manager_id)
                manager = self._people.get(manager_id)
                manager_id = manager.manager_id if manager is not None else None
            found = self._above[person_id] = frozenset(seen)
        return found


def _parts(start: datetime, end: datetime) -> list[tuple[str, datetime, datetime]]:
    """Months when the period is whole months (more than one); otherwise four parts of whole days (or of equal
    time, for a span that does not start and end at midnight)."""
    zone = start.tzinfo
    months: list[tuple[str, datetime, datetime]] = []
    if start.day == 1 and start.time() == end.time() == datetime.min.time() and end.day == 1:
        at = start
        while at < end:
            following = datetime(at.year + at.month // 12, at.month % 12 + 1, 1, tzinfo=zone)
            months.append((f"{at.year}-{at.month:02d}", at, following))
            at = following
    if len(months) > 1:
        return months
    if start.time() == end.time() == datetime.min.time():
        days = (end.date() - start.date()).days
        cuts = [start + timedelta(days=i * days // 4) for i in range(5)]
    else:
        cuts = [(start.astimezone(UTC) + (end - start) * i / 4).astimezone(start.tzinfo) for i in range(5)]
    parts = []
    for a, b in pairwise(cuts):
        if b > a:
            parts.append((f"{a.date()} to {(b - timedelta(microseconds=1)).date()}", a, b))
    return parts


def _recency(dates: list[datetime], start: datetime, end: datetime, as_of: datetime, minimum: int) -> Recency:
    n = len(dates)
    shown = n >= minimum and n > 0
    parts = tuple(RecencyPart(label, a, b, sum(1 for d in dates if a <= d < b) if shown and a < as_of else None,
                              b <= as_of) for label, a, b in _parts(start, end))
    cut = (start.astimezone(UTC) + (as_of - start) * 3 / 4).astimezone(start.tzinfo)  # across a change of clocks
    if not shown:
        return Recency(n, parts, cut, None, EXPECTED_RECENT, None, None)
    share = sum(1 for d in dates if d >= cut) / n
    errors = (share - EXPECTED_RECENT) / math.sqrt(EXPECTED_RECENT * (1 - EXPECTED_RECENT) / n)
    return Recency(n, parts, cut, share, EXPECTED_RECENT, share >= RECENT_SHARE and errors >= SIGNIFICANCE,
                   errors)


def _pooled_sd(by_competency: dict[str, list[float]]) -> float | None:
    squares, n, k = 0.0, 0, 0
    for positions in by_competency.values():
        mean = sum(positions) / len(positions)
        squares += sum((p - mean) ** 2 for p in positions)
        n += len(positions)
        k += 1
    return math.sqrt(squares / (n - k)) if n - k > 0 else None


def _manager(ref: PersonRef, mine: list[_Rating], totals: dict[str, tuple[int, float]], sd: float | None,
             minimum: int) -> ManagerFigures:
    n = len(mine)
    if n < minimum:
        return ManagerFigures(ref, n, TOO_FEW)
    distribution = _distribution(mine)
    with_example = _share(sum(1 for r in mine if r.concrete), n, minimum)
    own: dict[str, tuple[int, float]] = defaultdict(lambda: (0, 0.0))
    for r in mine:
        count, total = own[r.competency]
        own[r.competency] = (count + 1, total + r.position)
    others = {c: (totals[c][0] - count, totals[c][1] - total) for c, (count, total) in own.items()}
    compared = [r for r in mine if others[r.competency][0] > 0]
    behind = sum(count for count, _ in others.values() if count > 0)  # others' ratings the expectation rests on
    if len(compared) < minimum or behind < minimum or sd is None:
        return ManagerFigures(ref, n, NO_BASELINE, distribution, with_example=with_example)
    mean = sum(r.position for r in compared) / len(compared)
    expected = sum(others[r.competency][1] / others[r.competency][0] for r in compared) / len(compared)
    difference = mean - expected
    if sd == 0:  # every rating of these competencies alike: nothing to tell apart
        return ManagerFigures(ref, n, IN_LINE, distribution, len(compared), expected, difference, 0.0, 0.0,
                              with_example)
    effect = difference / sd
    error = sd * math.sqrt(1 / len(compared) + 1 / behind)
    verdict = IN_LINE
    if abs(effect) >= EFFECT and abs(difference) >= SIGNIFICANCE * error:
        verdict = LENIENT if difference > 0 else SEVERE
    return ManagerFigures(ref, n, verdict, distribution, len(compared), expected, difference, effect, error,
                          with_example)


def _ref(person: Person) -> PersonRef:
    return PersonRef(person.id, person.label, person.department)


def _by_name(ref: PersonRef) -> tuple[str, int]:
    return (ref.name.lower(), ref.id)


def calibration(session: Session, org: OrgConfig, team_id: str, start: datetime, end: datetime, *,
                label: str = "", now: datetime | None = None) -> Calibration:
    """The calibration figures of one workspace for the period [start, end) (aware datetimes), as far as it
    has gone by `now` (default: the session's clock). Reads only."""
    if start.tzinfo is None or end.tzinfo is None or end <= start:
        raise ValueError("calibration needs a period: aware datetimes, start before end")
    cfg = org.feedback
    minimum = cfg.calibration_min_ratings
    now = now if now is not None else clock_of(session).now()
    # A period still running is figured up to the start of today (UTC), not to the minute: two runs a moment
    # apart would otherwise differ by one rating, and their difference would be it.
    today = datetime.combine(now.astimezone(UTC).date(), datetime.min.time(), tzinfo=UTC)
    as_of = max(start, min(end, today))
    scales = {c.id: len(c.levels) for c in cfg.competencies}

    people = {p.id: p for p in session.scalars(select(Person).where(Person.team_id == team_id))}
    chart = _Chart(people)

    def attributed(author_id: int | None, subject_id: int) -> int | None:
        return author_id if author_id is not None and author_id in chart.above(subject_id) else None

    ratings: list[_Rating] = []
    unscored = 0
    anonymous = 0

    def rate(competency: str | None, level: int | None, manager_id: int | None, concrete: bool) -> None:
        nonlocal unscored
        if level is None:
            return
        levels = scales.get((competency or "").lower())
        if levels is None or not 1 <= level <= levels:
            unscored += 1
            return
        steps = levels - 1
        band = 0 if 3 * (level - 1) < steps else 2 if 3 * (level - 1) > 2 * steps else 1
        ratings.append(_Rating((competency or "").lower(), (level - 1) / steps, band, manager_id, concrete))

    # 1. /feedback of the period.
    received: set[int] = set()
    feedback_dates: list[datetime] = []
    feedback_examples = 0
    rows = session.execute(
        select(Feedback.author_id, Feedback.subject_id, Feedback.competency, Feedback.level, Feedback.example,
               Feedback.created_at)
        .where(Feedback.team_id == team_id, Feedback.created_at >= start, Feedback.created_at < as_of))
    for author_id, subject_id, competency, level, example, created_at in rows:
        received.add(subject_id)
        feedback_dates.append(created_at)
        concrete = _concrete(example, cfg.min_example_length)
        feedback_examples += concrete
        before = len(ratings)
        rate(competency, level, attributed(author_id, subject_id), concrete)
        anonymous += author_id is None and len(ratings) > before  # an anonymous answer to a request

    # 2. 360 rounds that closed in the period: every answer, with its ratings (an answer may have none).
    closed_in = or_(
        and_(FeedbackRound.closed_at.is_not(None), FeedbackRound.closed_at >= start, FeedbackRound.closed_at < as_of),
        and_(FeedbackRound.closed_at.is_(None), FeedbackRound.closes_at >= start, FeedbackRound.closes_at < as_of))
    answers = session.execute(
        select(FeedbackRound.id, FeedbackRound.subject_id, FeedbackRound.min_reviewers, FeedbackRoundAnswer.id,
               FeedbackRoundAnswer.author_id, FeedbackRoundRating.competency, FeedbackRoundRating.level,
               FeedbackRoundRating.example)
        .select_from(FeedbackRound)
        .join(FeedbackRoundAnswer, FeedbackRoundAnswer.round_id == FeedbackRound.id)
        .outerjoin(FeedbackRoundRating, FeedbackRoundRating.answer_id == FeedbackRoundAnswer.id)
        .where(FeedbackRound.team_id == team_id, FeedbackRound.cancelled_at.is_(None), closed_in)).all()
    anonymous_answers: dict[int, set[str]] = defaultdict(set)
    anonymous_levels: dict[tuple[int, str], int] = defaultdict(int)  # (round, competency) → anonymous levels
    for row in answers:
        received.add(row[1])
        if row[4] is None:
            anonymous_answers[row[0]].add(row[3])
            if row[5] is not None and row[6] is not None:
                anonymous_levels[(row[0], row[5])] += 1
    round_items = round_examples = 0
    for round_id, round_subject, min_reviewers, _, answer_author, competency, level, example in answers:
        if competency is None:
            continue  # an answer without ratings
        if answer_author is None and len(anonymous_answers[round_id]) < min_reviewers:
            continue  # the round shows nothing of its anonymous answers: neither do these figures
        if answer_author is None and anonymous_levels[(round_id, competency)] < min_reviewers:
            continue  # the round hides this competency's few ratings: so do these figures
        concrete = _concrete(example, cfg.min_example_length)
        round_items += 1
        round_examples += concrete
        before = len(ratings)
        rate(competency, level, attributed(answer_author, round_subject), concrete)
        anonymous += answer_author is None and len(ratings) > before

    # The organisation.
    by_competency: dict[str, list[float]] = defaultdict(list)
    for r in ratings:
        by_competency[r.competency].append(r.position)
    sd = _pooled_sd(by_competency)
    organisation = Organisation(
        n=len(ratings), anonymous=anonymous, by_managers=sum(1 for r in ratings if r.manager_id is not None),
        unscored=unscored, distribution=_distribution(ratings) if len(ratings) >= minimum and ratings else None,
        sd=sd if len(ratings) >= minimum else None,
        competencies=tuple(CompetencyFigures(c.id, c.name, len(by_competency.get(c.id, ())),
                                             sum(by_competency[c.id]) / len(by_competency[c.id])
                                             if len(by_competency.get(c.id, ())) >= minimum else None)
                           for c in cfg.competencies if c.id in by_competency))

    # Each manager.
    totals = {c: (len(ps), sum(ps)) for c, ps in by_competency.items()}
    mine: dict[int, list[_Rating]] = defaultdict(list)
    for r in ratings:
        if r.manager_id is not None:
            mine[r.manager_id].append(r)
    figures = [_manager(_ref(people[m]), rs, totals, sd, minimum) for m, rs in mine.items()]
    figures.sort(key=lambda f: (0 if f.flagged else 1 if f.distribution is not None else 2,
                                -abs(f.effect or 0.0) if f.flagged else 0.0, *_by_name(f.manager)))

    # People with no feedback: active, in the rollout, started by the end of the period.
    considered = [p for p in people.values() if p.active and in_rollout(p, org)
                  and (p.start_date is None or p.start_date < end.date())]
    without = sorted((_ref(p) for p in considered if p.id not in received), key=_by_name)

    return Calibration(
        team_id=team_id, label=label, start=start, end=end, as_of=as_of, min_ratings=minimum,
        organisation=organisation, managers=tuple(figures),
        examples=Examples(all=_share(feedback_examples + round_examples, len(feedback_dates) + round_items, minimum),
                          feedback=_share(feedback_examples, len(feedback_dates), minimum),
                          rounds=_share(round_examples, round_items, minimum)),
        recency=_recency(feedback_dates, start, end, as_of, minimum),
        without_feedback=tuple(without), people_considered=len(considered))


def period_calibration(session: Session, org: OrgConfig, team_id: str, period: CalibrationPeriod, *,
                       now: datetime | None = None) -> Calibration:
    """`calibration` for a period from `parse_period`."""
    return calibration(session, org, team_id, period.start, period.end, label=period.label, now=now)
