"""Calibration aids (docs/calibration.md) on SQLite and PostgreSQL: periods, each manager's ratings against the
organisation's (a lenient manager named, one below the minimum without figures, anonymous 360 ratings counted for
the organisation and never for a manager), concrete examples, recency, people with no feedback, the queries it
takes, and `candor feedback calibration` as an operator runs it. Every date is fixed: nothing reads today."""

from __future__ import annotations

import json
import math
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event

from bot.db import Database
from models.core.clock import SYSTEM
from models.core.config import Competency, OrgConfig
from models.core.personal_data import REMOVED_ABOUT_TEXT
from models.core.tables import Person
from models.feedback import calibration as cal
from models.feedback.tables import Feedback, FeedbackRound, FeedbackRoundAnswer, FeedbackRoundRating
from models.people import ensure_workspace
from tests.conftest import TEAM, make_org
from tests.test_cli import base_env, run

pytestmark = pytest.mark.time_sensitive

Q3_START = datetime(2025, 7, 1, tzinfo=UTC)
Q3_END = datetime(2025, 10, 1, tzinfo=UTC)
AFTER = datetime(2025, 10, 15, 9, 0, tzinfo=UTC)  # "now" in most tests: the quarter is over
EXAMPLE = "In the launch review on Tuesday she summarised the three open risks in two minutes."
ROUND_EXAMPLE = "Ran the incident call on the 14th and kept the customer informed every hour."


def org_with(**feedback: object) -> OrgConfig:
    base = make_org()
    return base.model_copy(update={"feedback": base.feedback.model_copy(update=feedback)})


def at(month: int, day: int, hour: int = 12) -> datetime:
    return datetime(2025, month, day, hour, tzinfo=UTC)


# -- building a period's feedback -------------------------------------------------------------------------------


def add_person(session, name: str, *, manager: Person | None = None, department: str | None = None,
               **kw) -> Person:
    ensure_workspace(session, TEAM)
    p = Person(team_id=TEAM, slack_user_id=f"U0{name.upper()}", real_name=f"{name} Example", display_name=name,
               tz="UTC", manager_id=manager.id if manager else None, department=department, **kw)
    session.add(p)
    session.flush()
    return p


_keys = iter(range(1, 1_000_000))


def give(session, author: Person, subject: Person, when: datetime, *, competency: str | None = "ownership",
         level: int | None = None, example: str = EXAMPLE) -> Feedback:
    f = Feedback(team_id=TEAM, author_id=author.id, subject_id=subject.id, competency=competency, level=level,
                 behaviour="Ran the launch review calmly", example=example, created_at=when,
                 source_key=f"test-{next(_keys)}")
    session.add(f)
    return f


def run_round(session, subject: Person, started_by: Person, closes_at: datetime, answers: list[tuple], *,
              closed_at: datetime | None = None, cancelled_at: datetime | None = None,
              min_reviewers: int = 3) -> FeedbackRound:
    """A 360 round about `subject`; each answer is (author or None for anonymous, relation or None,
    [(competency, level, example), ...])."""
    r = FeedbackRound(team_id=TEAM, subject_id=subject.id, started_by_id=started_by.id, anonymous=True,
                      competencies=["ownership", "collaboration"], min_reviewers=min_reviewers,
                      deadline=closes_at.date(), closes_at=closes_at, closed_at=closed_at, cancelled_at=cancelled_at,
                      created_at=closes_at - timedelta(days=14), source_key=f"round-{next(_keys)}")
    session.add(r)
    session.flush()
    for author, relation, ratings in answers:
        answer = FeedbackRoundAnswer(id=uuid.uuid4().hex, round_id=r.id, author_id=author.id if author else None,
                                     relation=relation)
        session.add(answer)
        session.flush()
        for competency, level, example in ratings:
            session.add(FeedbackRoundRating(answer_id=answer.id, competency=competency, level=level, example=example))
    session.flush()
    return r


def quarter(session) -> dict[str, Person]:
    """2025-Q3 in a small company.

    Olga leads it; Cara (manages Ana, Bob, Li) and Mark (manages Dan, Eve) report to her, as do Pat and Hana;
    Zed reports to nobody. Newbie starts after the quarter; Gone left; there is a bot.

    Ratings (levels 1-4 on the default framework: positions 0, 1/3, 2/3, 1):
    - Cara gives her reports 4 ownership and 4 collaboration ratings, all level 4, in September: lenient.
    - Olga gives Ana and Cara 6 ownership ratings, levels 2 and 3, in July: in line.
    - Pat (not anyone's manager) gives 6 ownership and 6 collaboration ratings, levels 2 and 3: 4 in July,
      2 in August, 6 in late September; one example is too short.
    - Mark gives 3 ownership ratings (level 2) in September, and 1 (level 1, no example) as the manager in Dan's
      360 round: 4 in all, below the minimum of 5.
    - Dan's anonymous round (closed 20 September): 3 anonymous answers, each ownership 3 and collaboration 2;
      two with examples. Had they been Mark's he would have 10 ratings.
    - Hana's anonymous round got 2 anonymous answers, below its minimum of 3: it shows nothing, and counts in no
      figure, but Hana did receive feedback.
    - Zed: feedback before the quarter, a cancelled round, a round closing after it: none in the quarter.
    """
    olga = add_person(session, "Olga", department="Leadership")
    cara = add_person(session, "Cara", manager=olga, department="Sales")
    mark = add_person(session, "Mark", manager=olga, department="Support")
    pat = add_person(session, "Pat", manager=olga, department="Sales")
    hana = add_person(session, "Hana", manager=olga, department="Support")
    ana = add_person(session, "Ana", manager=cara, department="Sales")
    bob = add_person(session, "Bob", manager=cara, department="Sales")
    li = add_person(session, "Li", manager=cara, department="Sales")
    dan = add_person(session, "Dan", manager=mark, department="Support")
    eve = add_person(session, "Eve", manager=mark, department="Support")
    zed = add_person(session, "Zed")
    add_person(session, "Newbie", manager=cara, start_date=date(2025, 10, 2))
    add_person(session, "Gone", manager=cara, is_deleted=True)
    add_person(session, "Robot", is_bot=True)

    for i, subject in enumerate([ana, bob, li, ana, bob, li, ana, bob]):
        give(session, cara, subject, at(9, 15 + i), competency="ownership" if i < 4 else "collaboration", level=4)
    for i, subject in enumerate([ana, cara, ana, cara, ana, cara]):
        give(session, olga, subject, at(7, 2 + i), level=2 + i % 2)
    pat_days = [at(7, 10), at(7, 11), at(7, 12), at(7, 13), at(8, 5), at(8, 6)] + [at(9, 20 + i) for i in range(6)]
    for i, when in enumerate(pat_days):
        give(session, pat, [ana, bob, dan, eve][i % 4], when, competency="ownership" if i < 6 else "collaboration",
             level=2 + i % 2, example="Good job." if i == 0 else EXAMPLE)
    for subject, day in ((dan, 10), (eve, 11), (dan, 12)):
        give(session, mark, subject, at(9, day), level=2)
    give(session, pat, zed, datetime(2025, 6, 30, 23, 59, tzinfo=UTC), level=4)  # before the quarter
    # The words of one piece of feedback were erased at its subject's request: it had an example.
    give(session, pat, li, at(8, 20), competency=None, example=REMOVED_ABOUT_TEXT)
    session.flush()

    anonymous = [("ownership", 3, ROUND_EXAMPLE), ("collaboration", 2, ROUND_EXAMPLE)]
    run_round(session, dan, mark, at(9, 30), closed_at=at(9, 20), answers=[
        (None, None, anonymous), (None, None, anonymous),
        (None, None, [("ownership", 3, ""), ("collaboration", 2, "  ")]),
        (mark, "manager", [("ownership", 1, "")]),
    ])
    run_round(session, hana, olga, at(9, 25), answers=[
        (None, None, [("ownership", 4, ROUND_EXAMPLE)]), (None, None, [("ownership", 4, ROUND_EXAMPLE)])])
    run_round(session, zed, olga, at(9, 1), cancelled_at=at(8, 25), answers=[(olga, "manager", [("ownership", 4, "")])])
    run_round(session, zed, olga, datetime(2025, 10, 3, tzinfo=UTC),
              answers=[(olga, "manager", [("ownership", 4, "")])])
    session.flush()
    return {p.display_name.lower(): p for p in (olga, cara, mark, pat, hana, ana, bob, li, dan, eve, zed)}


def figures(session, org: OrgConfig | None = None, *, now: datetime = AFTER, start: datetime = Q3_START,
            end: datetime = Q3_END) -> cal.Calibration:
    return cal.calibration(session, org or make_org(), TEAM, start, end, label="2025-Q3", now=now)


def manager(result: cal.Calibration, name: str) -> cal.ManagerFigures:
    return next(m for m in result.managers if m.manager.name == name)


# -- periods ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "label", "start", "end"), [
    ("2026-Q4", "2026-Q4", datetime(2026, 10, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)),
    (" 2026-q1 ", "2026-Q1", datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC)),
    ("2026-H2", "2026-H2", datetime(2026, 7, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)),
    ("2026", "2026", datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)),
    ("2026-11", "2026-11", datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)),
    ("2026-2", "2026-02", datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC)),
    ("2026-12", "2026-12", datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)),
])
def test_a_period_names_a_calendar_quarter_half_year_or_month(value, label, start, end):
    period = cal.parse_period(value, date(2030, 5, 5))
    assert (period.label, period.start, period.end) == (label, start, end)
    assert period.last_day == (end - timedelta(days=1)).date()


def test_the_default_period_is_the_calendar_quarter_of_today_in_the_zone_asked():
    assert cal.parse_period(None, date(2026, 11, 30)) == (
        "2026-Q4", datetime(2026, 10, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    assert cal.parse_period(None, date(2026, 1, 1)).label == "2026-Q1"
    berlin = cal.parse_period("2026-Q4", date(2026, 11, 30), tz="Europe/Berlin")
    assert berlin.start.utcoffset() == timedelta(hours=2) and berlin.end.utcoffset() == timedelta(hours=1)
    assert berlin.start.astimezone(UTC) == datetime(2026, 9, 30, 22, tzinfo=UTC)


@pytest.mark.parametrize(("value", "message"), [
    ("2026-Q5", "2026-Q5 isn't a period: write one like 2026-Q4, 2026-H2, 2026 or 2026-11."),
    ("2026-13", "2026-13 isn't a period: a month is 01 to 12; write one like 2026-Q4, 2026-H2, 2026 or 2026-11."),
    ("Q4", "Q4 isn't a period: write one like 2026-Q4, 2026-H2, 2026 or 2026-11."),
    ("FY2026", "FY2026 isn't a period: write one like 2026-Q4, 2026-H2, 2026 or 2026-11."),
    ("1969", "1969 isn't a period: write one like 2026-Q4, 2026-H2, 2026 or 2026-11."),
    ("  ", "the period is empty: write one like 2026-Q4, 2026-H2, 2026 or 2026-11."),
])
def test_a_period_candor_cannot_read_is_a_sentence(value, message):
    with pytest.raises(cal.PeriodError) as err:
        cal.parse_period(value, date(2026, 11, 30))
    assert str(err.value) == message


# -- the figures ------------------------------------------------------------------------------------------------


def test_a_lenient_manager_is_named_against_the_rest_of_the_organisation(session):
    quarter(session)
    result = figures(session)
    org = result.organisation
    # 8 (Cara) + 6 (Olga) + 12 (Pat) + 3 + 1 (Mark) + 6 anonymous; Hana's round and Zed's feedback left out.
    assert (org.n, org.anonymous, org.by_managers, org.unscored) == (36, 6, 18, 0)
    ownership = [1.0] * 4 + [1 / 3, 2 / 3] * 3 + [1 / 3, 2 / 3] * 3 + [1 / 3] * 3 + [0.0] + [2 / 3] * 3
    collaboration = [1.0] * 4 + [1 / 3, 2 / 3] * 3 + [1 / 3] * 3
    assert org.distribution is not None
    assert org.distribution.mean == pytest.approx((sum(ownership) + sum(collaboration)) / 36)
    # Bands: level 1 low; levels 2 and 3 middle; level 4 high.
    assert (org.distribution.low, org.distribution.high) == pytest.approx((1 / 36, 8 / 36))

    def squares(xs: list[float]) -> float:
        return sum((x - sum(xs) / len(xs)) ** 2 for x in xs)

    sd = math.sqrt((squares(ownership) + squares(collaboration)) / (36 - 2))
    assert org.sd == pytest.approx(sd)
    assert [(c.id, c.n) for c in org.competencies] == [("collaboration", 13), ("ownership", 23)]

    cara = manager(result, "Cara")
    others_own = ownership[4:]  # everyone's but Cara's
    others_col = collaboration[4:]
    expected = (4 * sum(others_own) / len(others_own) + 4 * sum(others_col) / len(others_col)) / 8
    assert (cara.verdict, cara.n, cara.compared) == (cal.LENIENT, 8, 8)
    assert cara.distribution is not None and (cara.distribution.mean, cara.distribution.high) == (1.0, 1.0)
    assert cara.expected == pytest.approx(expected)  # about 0.46
    assert cara.difference == pytest.approx(1.0 - expected)
    assert cara.effect == pytest.approx((1.0 - expected) / sd)  # about 1.9 standard deviations
    assert cara.standard_error == pytest.approx(sd * math.sqrt(1 / 8 + 1 / 28))
    assert cara.with_example == cal.Share(8, 8, 1.0)

    olga = manager(result, "Olga")
    rest = [1.0] * 4 + [1 / 3, 2 / 3] * 3 + [1 / 3] * 3 + [0.0] + [2 / 3] * 3  # every ownership rating but Olga's
    assert (olga.verdict, olga.n) == (cal.IN_LINE, 6)
    assert olga.difference == pytest.approx(0.5 - sum(rest) / len(rest))
    assert abs(olga.effect or 0) < cal.EFFECT

    assert [m.manager.name for m in result.managers] == ["Cara", "Olga", "Mark"]  # named first, too few last


def test_a_manager_below_the_minimum_has_no_figures_and_anonymous_ratings_are_never_theirs(session):
    people = quarter(session)
    result = figures(session)
    mark = manager(result, "Mark")
    # 3 pieces of feedback and his own answer in Dan's round: 4, not the 10 the anonymous answers would make.
    assert (mark.n, mark.verdict) == (4, cal.TOO_FEW)
    assert (mark.distribution, mark.expected, mark.difference, mark.effect, mark.with_example) == (
        None, None, None, None, None)
    # The anonymous answers are the organisation's: in its count, in no manager's.
    assert result.organisation.anonymous == 6
    assert sum(m.n for m in result.managers) == result.organisation.by_managers == 18
    assert {m.manager.name for m in result.managers} == {"Cara", "Olga", "Mark"}

    # An anonymous answer to a request Dan made (Mark among the peers asked, say): the organisation's too.
    session.add(Feedback(team_id=TEAM, author_id=None, anonymous=True, subject_id=people["dan"].id,
                         competency="ownership", level=1, behaviour="Ran the launch review calmly", example=EXAMPLE,
                         created_at=at(9, 3), source_key="anonymous-answer"))
    session.flush()
    result = figures(session)
    assert (result.organisation.n, result.organisation.anonymous, result.organisation.by_managers) == (37, 7, 18)
    assert manager(result, "Mark").n == 4

    # With a minimum of 4 Mark is compared: on his own 4 ratings.
    lower = figures(session, org_with(calibration_min_ratings=4))
    compared = manager(lower, "Mark").distribution
    assert compared is not None and compared.n == 4


def test_a_severe_manager_and_a_small_difference_that_is_not_named(session):
    """Sue rates her 10 reports at level 1 against an organisation at 2 and 3: severe. Tom's 5 ratings sit a
    little above it (3, 3, 3, 3, 2): 0.6 standard deviations, but from 5 ratings that is within chance."""
    sue = add_person(session, "Sue")
    tom = add_person(session, "Tom")
    peer = add_person(session, "Peer")
    sues = [add_person(session, f"S{i}", manager=sue) for i in range(10)]
    toms = [add_person(session, f"T{i}", manager=tom) for i in range(5)]
    for i in range(40):
        give(session, peer, (sues + toms)[i % 15], at(8, 1 + i % 28), level=2 + i % 2)
    for i, subject in enumerate(sues):
        give(session, sue, subject, at(8, 2 + i), level=1)
    for i, subject in enumerate(toms):
        give(session, tom, subject, at(8, 3 + i), level=3 if i < 4 else 2)
    session.flush()
    result = figures(session)
    s, t = manager(result, "Sue"), manager(result, "Tom")
    assert s.verdict == cal.SEVERE and (s.effect or 0) <= -cal.EFFECT
    assert s.distribution is not None and s.distribution.low == 1.0
    assert t.verdict == cal.IN_LINE
    assert (t.effect or 0) >= cal.EFFECT  # large enough, but not enough ratings behind it:
    assert abs(t.difference or 0) < cal.SIGNIFICANCE * (t.standard_error or 0)
    assert [m.manager.name for m in result.managers] == ["Sue", "Tom"]


def test_levels_of_competencies_with_different_scales_share_one_scale(session):
    org = org_with(competencies=[Competency(id="craft", name="Craft", levels=[f"level {i}" for i in range(1, 7)]),
                                 Competency(id="safety", name="Safety", levels=["unsafe", "safe"])])
    boss = add_person(session, "Boss")
    peer = add_person(session, "Peer")
    report = add_person(session, "Report", manager=boss)
    for i, (competency, level) in enumerate([("craft", 6), ("craft", 1), ("craft", 3), ("craft", 4),
                                              ("safety", 2), ("safety", 1), ("craft", 9), ("ownership", 2)]):
        give(session, boss if i % 2 else peer, report, at(8, 1 + i), competency=competency, level=level)
    session.flush()
    result = figures(session, org)
    # craft 6 → 1.0, craft 1 → 0.0, craft 3 → 0.4, craft 4 → 0.6, safety 2 → 1.0, safety 1 → 0.0; a level off the
    # scale and a competency no longer in the framework are unscored.
    assert (result.organisation.n, result.organisation.unscored) == (6, 2)
    assert result.organisation.distribution is not None
    assert result.organisation.distribution.mean == pytest.approx(3.0 / 6)
    assert (result.organisation.distribution.low, result.organisation.distribution.middle,
            result.organisation.distribution.high) == pytest.approx((2 / 6, 2 / 6, 2 / 6))


def test_the_share_of_feedback_with_a_concrete_example(session):
    quarter(session)
    examples = figures(session).examples
    # /feedback: 30 in the quarter, one with too short an example; erased words were an example.
    assert examples.feedback == cal.Share(30, 29, pytest.approx(29 / 30))
    # Dan's round: 3 anonymous answers of 2 ratings (the third without examples) and Mark's, without one.
    assert examples.rounds == cal.Share(7, 4, pytest.approx(4 / 7))
    assert examples.all == cal.Share(37, 33, pytest.approx(33 / 37))
    fewer = figures(session, org_with(calibration_min_ratings=8)).examples
    assert fewer.rounds == cal.Share(7, None, None) and fewer.feedback.value is not None


def test_feedback_weighted_to_the_end_of_the_period_is_shown_as_such(session):
    quarter(session)
    recency = figures(session).recency
    assert recency.n == 30
    assert [(p.label, p.count, p.complete) for p in recency.parts] == [
        ("2025-07", 10, True), ("2025-08", 3, True), ("2025-09", 17, True)]
    assert recency.last_quarter_from == datetime(2025, 9, 8, tzinfo=UTC)  # 69 of 92 days
    assert recency.last_quarter_share == pytest.approx(17 / 30)  # Mark's 3, Cara's 8 and Pat's last 6
    assert recency.expected_share == 0.25 and recency.end_heavy is True
    assert recency.standard_errors == pytest.approx((17 / 30 - 0.25) / math.sqrt(0.25 * 0.75 / 30))


def test_an_even_spread_is_not_flagged_and_too_little_feedback_shows_no_spread(session):
    a, b = add_person(session, "Aa"), add_person(session, "Bb")
    for day in range(0, 92, 4):  # 23, every fourth day
        give(session, a, b, Q3_START + timedelta(days=day, hours=10), level=2)
    session.flush()
    even = figures(session).recency
    assert even.n == 23 and even.end_heavy is False
    assert even.last_quarter_share == pytest.approx(5 / 23)  # days 72, 76, 80, 84 and 88 of 92
    few = figures(session, end=datetime(2025, 7, 10, tzinfo=UTC)).recency  # 3 in a 9-day span
    assert few.n == 3 and (few.last_quarter_share, few.end_heavy, few.standard_errors) == (None, None, None)
    assert all(p.count is None for p in few.parts)


def test_a_month_is_split_in_four_and_a_period_still_running_counts_what_has_gone_by(session):
    quarter(session)
    month = figures(session, start=datetime(2025, 9, 1, tzinfo=UTC), end=Q3_END).recency
    assert [(p.label, p.count) for p in month.parts] == [
        ("2025-09-01 to 2025-09-07", 0), ("2025-09-08 to 2025-09-15", 4), ("2025-09-16 to 2025-09-22", 10),
        ("2025-09-23 to 2025-09-30", 3)]
    running = figures(session, now=datetime(2025, 8, 16, tzinfo=UTC))
    assert running.in_progress and running.as_of == datetime(2025, 8, 16, tzinfo=UTC)
    assert [(p.label, p.count, p.complete) for p in running.recency.parts] == [
        ("2025-07", 10, True), ("2025-08", 2, False), ("2025-09", None, False)]
    assert running.recency.n == 12
    assert running.organisation.anonymous == 0  # Dan's round closed later
    assert "Cara" not in {m.manager.name for m in running.managers}
    assert manager(running, "Olga").verdict == cal.IN_LINE  # her 2, 3, 2, 3, 2, 3 against Pat's same six
    early = figures(session, now=datetime(2025, 7, 12, tzinfo=UTC))  # Pat's first two ratings only, by then
    olga = manager(early, "Olga")
    assert (olga.verdict, olga.n, olga.effect) == (cal.NO_BASELINE, 6, None) and olga.distribution is not None


def test_people_with_no_feedback_in_the_period(session):
    people = quarter(session)
    result = figures(session)
    # Received: Ana, Bob, Li, Cara, Dan, Eve (feedback) and Hana (a round that closed with answers).
    assert [p.name for p in result.without_feedback] == ["Mark", "Olga", "Pat", "Zed"]
    assert result.without_feedback[0] == cal.PersonRef(people["mark"].id, "Mark", "Support")
    assert result.people_considered == 11  # not Newbie (starts after it), Gone, the bot
    # A pilot rollout: only its people count.
    pilot = make_org().model_copy(update={"rollout": make_org().rollout.model_copy(
        update={"departments": ["support"]})})
    assert [p.name for p in figures(session, pilot).without_feedback] == ["Mark"]
    assert figures(session, pilot).people_considered == 4


def test_figures_take_three_queries_whatever_the_size(session, db):
    quarter(session)
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        figures(session)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == 3, statements


# -- the command line ---------------------------------------------------------------------------------------------


@pytest.fixture
def cli(db_url: str, tmp_path: Path) -> dict[str, str]:
    db = Database(db_url)
    with db.unit_of_work() as s:
        ensure_workspace(s, TEAM, "Candor Test")
        quarter(s)
    db.dispose()
    return {**base_env(tmp_path), "DATABASE_URL": db_url}


def test_candor_feedback_calibration_prints_figures_and_names_only(cli):
    out = run("feedback", "calibration", "--period", "2025-Q3", env=cli).stdout
    lines = out.splitlines()
    assert lines[0] == ("Calibration for 2025-Q3: 2025-07-01 to 2025-09-30 (UTC); a figure is shown when at least "
                        "5 ratings stand behind it")
    assert "Organisation: 36 ratings (6 anonymous, 18 by a manager of the person rated)" in lines
    table = lines.index(next(line for line in lines if line.split()[:2] == ["MANAGER", "RATINGS"]))
    rows = {line.split()[0]: line for line in lines[table + 1:lines.index("", table)]}
    assert list(rows) == ["Cara", "Olga", "Mark"]
    assert rows["Cara"].split()[1:3] == ["8", "1.00"] and rows["Cara"].endswith("  lenient")
    assert rows["Olga"].endswith("  in line")
    assert rows["Mark"].split()[1] == "4" and rows["Mark"].endswith("  too few ratings to compare")
    assert "Concrete examples: 89% of 37 (feedback: 97% of 30; 360 ratings: 57% of 7)" in lines
    assert "  last quarter of the period (from 2025-09-08): 57% (an even spread: 25%): weighted to the end of " \
           "the period" in lines
    assert "No feedback in the period: 4 of 11 people in the rollout" in lines
    assert "  Zed" in lines and "  Mark (Support)" in lines
    assert EXAMPLE not in out and ROUND_EXAMPLE not in out and "Good job" not in out  # no one's words

    data = json.loads(run("feedback", "calibration", "--period", "2025-q3", "--json", env=cli).stdout)
    assert data["label"] == "2025-Q3" and data["start"] == "2025-07-01T00:00:00+00:00"
    assert data["in_progress"] is False
    assert [(m["manager"]["name"], m["verdict"], m["n"]) for m in data["managers"]] == [
        ("Cara", "lenient", 8), ("Olga", "in line", 6), ("Mark", "too few ratings to compare", 4)]
    assert data["organisation"]["anonymous"] == 6
    assert [p["name"] for p in data["without_feedback"]] == ["Mark", "Olga", "Pat", "Zed"]
    assert EXAMPLE not in json.dumps(data)


def test_candor_feedback_calibration_defaults_to_this_quarter_and_says_what_is_wrong(cli):
    today = SYSTEM.now().date()  # the subprocess reads the same clock (shifted with it under --clock-at)
    current = cal.parse_period(None, today)
    out = run("feedback", "calibration", env=cli).stdout
    assert out.startswith(f"Calibration for {current.label}: {current.first_day} to {current.last_day} (UTC)")
    bad = run("feedback", "calibration", "--period", "2026-Q5", env=cli, check=False)
    assert bad.returncode == 2 and bad.stdout == "" and "Traceback" not in bad.stderr
    assert bad.stderr.splitlines()[-1] == ("candor: 2026-Q5 isn't a period: write one like 2026-Q4, 2026-H2, 2026 "
                                           "or 2026-11.")
    month = run("feedback", "calibration", "--period", "2025-13", env=cli, check=False)
    assert month.returncode == 2 and "a month is 01 to 12" in month.stderr


@pytest.mark.parametrize("args", [["feedback"], ["feedback", "calibration"]])
def test_feedback_help(args):
    assert "usage: candor feedback" in run(*args, "--help").stdout


def test_a_cycle_in_the_org_chart_ends_the_walk(session):
    a, b = add_person(session, "Aa"), add_person(session, "Bb")
    a.manager_id, b.manager_id = b.id, a.id  # corrupt data: each the other's manager
    c = add_person(session, "Cc", manager=a)
    for i in range(5):
        give(session, b, c, at(8, 1 + i), level=3)  # Bb is above Cc (through Aa)
        give(session, c, a, at(8, 1 + i), level=2)  # Cc is not above Aa
    session.flush()
    result = figures(session)
    assert [(m.manager.name, m.n) for m in result.managers] == [("Bb", 5)]
