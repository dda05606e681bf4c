"""The HR digest's recognition and check-ins sections on known data (SQLite and PostgreSQL): exact figures with
their baseline, the lines in English, the long tail, who counts (the rollout, no bots, no deactivated people),
biweekly weeks without a check-in, the activity hooks, and a bounded number of statements whatever the history.

Every date is fixed: the digest's week is 2026-W49 (Monday 30 November 2026); nothing reads the clock."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event

from bot.i18n import translator
from models import checkins, kudos
from models.checkins.digest import checkin_submitters, checkin_weeks, checkins_digest_section
from models.checkins.tables import Checkin
from models.core.config import OrgConfig
from models.core.digest import HISTORY_WEEKS, DigestSection, Figure, Week
from models.core.messages import Message, Phrase
from models.core.tables import Person
from models.kudos.digest import kudos_givers, recognition_section
from models.kudos.tables import Kudos, KudosRecipient, KudosValue
from models.people import ensure_workspace
from tests.conftest import TEAM, make_org

WEEK = Week(date(2026, 11, 30), "UTC")  # 2026-W49; a weekly check-in week, and a biweekly week without one
LONG_AGO = datetime(2026, 1, 1, tzinfo=UTC)
EN = translator("en")


def at(day: int, hour: int = 12, month: int = 12, **kw: int) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC, **kw)


def org_with(**changes: Any) -> OrgConfig:
    """make_org() with some of its parts changed: org_with(hr={"unrecognised_weeks": 1})."""
    base = make_org()
    return base.model_copy(update={part: getattr(base, part).model_copy(update=fields)
                                   for part, fields in changes.items()})


def render(line: Message | str) -> str:
    if isinstance(line, Phrase):
        return line.in_language(EN)
    if isinstance(line, Message):
        return EN.message(line)
    return EN(line)


def figure(section: DigestSection, key: str) -> Figure:
    return next(f for f in section.figures if f.key == key)


def add_person(session, uid: str, department: str | None = None, *, created_at: datetime = LONG_AGO,
               **kw: Any) -> Person:
    ensure_workspace(session, TEAM)
    p = Person(team_id=TEAM, slack_user_id=uid, real_name=uid.title(), display_name=uid.lower(),
               department=department, created_at=created_at, **kw)
    session.add(p)
    session.flush()
    return p


@pytest.fixture
def team(session) -> dict[str, Person]:
    """Engineering: Ana, Bob, Li and New (who joined on 25 November); Sales: Cara, Dan, Fay; Eve and Old without
    a department (Old started in 2020, though Candor first saw her on 20 November); a bot and a deactivated
    member in Engineering."""
    return {
        "ana": add_person(session, "ANA", "Engineering"),
        "bob": add_person(session, "BOB", "Engineering"),
        "li": add_person(session, "LI", "Engineering"),
        "new": add_person(session, "NEW", "Engineering", created_at=at(25, month=11)),
        "cara": add_person(session, "CARA", "Sales"),
        "dan": add_person(session, "DAN", "Sales"),
        "fay": add_person(session, "FAY", "Sales"),
        "eve": add_person(session, "EVE"),
        "old": add_person(session, "OLD", created_at=at(20, month=11), start_date=date(2020, 3, 1)),
        "bot": add_person(session, "ROBOT", "Engineering", is_bot=True),
        "gone": add_person(session, "GONE", "Engineering", is_deleted=True),
    }


def give(session, giver: Person, to: list[Person], when: datetime, *values: str) -> Kudos:
    k = Kudos(team_id=TEAM, giver_id=giver.id, message="Thanks for the calm launch review",
              source_key=f"k-{giver.id}-{when.isoformat()}", created_at=when,
              recipients=[KudosRecipient(person_id=p.id, position=i) for i, p in enumerate(to)],
              values=[KudosValue(value=v) for v in values])
    session.add(k)
    session.flush()
    return k


def check_in(session, person: Person, period: str, submitted: datetime, *, blocker: bool = False) -> Checkin:
    c = Checkin(team_id=TEAM, person_id=person.id, period=period, answers={"wins": "Shipped it"},
                has_blocker=blocker, submitted_at=submitted)
    session.add(c)
    session.flush()
    return c


@contextmanager
def statements(db) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


# -- the features declare them ------------------------------------------------------------------------------------


def test_the_features_declare_their_sections_and_activity():
    assert [(s.key, s.order, s.fn) for s in kudos.FEATURE.digest_sections] == [
        ("recognition", 10, recognition_section)]
    assert [(s.key, s.order, s.fn) for s in checkins.FEATURE.digest_sections] == [
        ("checkins", 20, checkins_digest_section)]
    assert [(a.name, a.fn) for a in kudos.FEATURE.activity] == [("kudos", kudos_givers)]
    assert [(a.name, a.fn) for a in checkins.FEATURE.activity] == [("checkins", checkin_submitters)]


# -- recognition --------------------------------------------------------------------------------------------------


@pytest.fixture
def recognition(session, team) -> dict[str, Person]:
    t = team
    # The week (Monday 30 November to Monday 7 December, UTC).
    give(session, t["ana"], [t["bob"], t["li"]], at(1), "customer-focus", "teamwork")
    give(session, t["cara"], [t["bob"]], at(2), "teamwork")
    give(session, t["bob"], [t["cara"]], at(3), "ownership", "teamwork")
    give(session, t["gone"], [t["dan"]], at(4), "candor")  # a deactivated giver: not given, Dan still recognised
    give(session, t["dan"], [t["bot"], t["gone"]], at(5))  # given; nobody counted recognised
    give(session, t["ana"], [t["bob"]], at(7, 3), "candor")  # Sunday 22:00 in New York, next week in UTC
    # The baseline: W48 (from Monday 23 November) and W45 (from Monday 2 November); W40 is before it.
    give(session, t["eve"], [t["ana"]], at(29, 23, month=11, minute=59), "teamwork")
    give(session, t["li"], [t["eve"]], at(24, month=11))
    give(session, t["cara"], [t["li"]], at(3, month=11))
    give(session, t["ana"], [t["fay"]], at(1, month=10))  # W40: Fay's last kudos, seven weeks before the week
    give(session, t["bob"], [t["old"]], datetime(2025, 6, 2, 9, tzinfo=UTC))
    return t


def test_recognition_figures_with_their_baseline(session, recognition):
    section = recognition_section(session, make_org(), TEAM, WEEK)
    assert section.key == "recognition"
    assert render(section.title) == "Recognition"
    given, recognised = section.figures
    assert (given.key, render(given.label), given.value, given.unit) == ("kudos:given", "Kudos given", 4.0, "count")
    assert given.history == (0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 2.0)  # W41..W48, oldest first
    assert len(given.history) == HISTORY_WEEKS
    assert given.people == 9 and given.higher_is_better and given.band is None
    assert (recognised.key, render(recognised.label), recognised.value) == (
        "kudos:recognised", "People recognised", 4.0)  # Bob, Li, Cara, Dan
    assert recognised.history == (0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 2.0)
    assert recognised.people == 9


def test_recognition_lines_and_who_flies_under_the_radar(session, recognition):
    section = recognition_section(session, make_org(), TEAM, WEEK)
    assert [render(line) for line in section.lines] == [
        ":raised_hands: #teamwork: 3 kudos",
        ":handshake: #customer-focus: 1 kudos",
        ":muscle: #ownership: 1 kudos",  # #candor came from a deactivated giver only
        "Given most by: Engineering (2), Sales (2)",
        "Received most by: Engineering (3), Sales (2)",
        "Under the radar: 2 people received no kudos in the last 6 weeks",
    ]
    # New joined too lately to be listed; the bot and the deactivated member never are; Old counts from 2020.
    assert section.tail_header == ("Person", "Department")
    assert section.tail == (("fay", "Sales"), ("old", "(no department)"))


def test_the_unrecognised_window_follows_the_configuration(session, recognition):
    section = recognition_section(session, org_with(hr={"unrecognised_weeks": 1}), TEAM, WEEK)
    assert section.tail == (("ana", "Engineering"), ("new", "Engineering"), ("fay", "Sales"),
                            ("eve", "(no department)"), ("old", "(no department)"))
    assert render(section.lines[-1]) == "Under the radar: 5 people received no kudos in the last 1 weeks"


def test_recognition_counts_only_people_in_the_rollout(session, recognition):
    section = recognition_section(session, org_with(rollout={"departments": ["engineering"]}), TEAM, WEEK)
    given, recognised = section.figures
    assert (given.value, given.history, given.people) == (2.0, (0.0,) * 7 + (1.0,), 4)  # Ana, Bob; Li in W48
    assert (recognised.value, recognised.history) == (2.0, (0.0,) * 4 + (1.0, 0.0, 0.0, 1.0))  # Bob and Li
    assert [render(line) for line in section.lines] == [
        ":raised_hands: #teamwork: 2 kudos",
        ":handshake: #customer-focus: 1 kudos",
        ":muscle: #ownership: 1 kudos",
        "Given most by: Engineering (2)",
        "Received most by: Engineering (3)",
    ]
    assert section.tail == ()


def test_recognition_weeks_are_in_hr_time_zone(session, recognition):
    section = recognition_section(session, org_with(hr={"timezone": "America/New_York"}), TEAM,
                                  Week(date(2026, 11, 30), "America/New_York"))
    assert figure(section, "kudos:given").value == 5.0  # the Sunday-evening kudos belongs to this week there
    assert render(section.lines[0]) == ":raised_hands: #teamwork: 3 kudos"


def test_a_week_without_kudos(session, team):
    section = recognition_section(session, make_org(), TEAM, WEEK)
    assert [(f.value, f.history) for f in section.figures] == [(0.0, (0.0,) * 8)] * 2
    assert render(section.lines[0]) == "Under the radar: 8 people received no kudos in the last 6 weeks"
    assert render(section.empty or "") == "No kudos this week, and everyone was recognised lately."


def test_kudos_activity_is_who_gave_in_the_window(session, recognition):
    t = recognition
    assert kudos_givers(session, TEAM, WEEK.start, WEEK.end) == {t["ana"].id, t["cara"].id, t["bob"].id, t["dan"].id}
    assert kudos_givers(session, TEAM, WEEK.back(1).start, WEEK.back(1).end) == {t["eve"].id, t["li"].id}


def test_recognition_costs_four_statements_whatever_the_history(session, db, recognition):
    with statements(db) as first:
        before = recognition_section(session, make_org(), TEAM, WEEK)
    assert len(first) == 4, first
    t = recognition
    for weeks_ago in range(10, 150):  # almost three years of older kudos
        give(session, t["cara"], [t["fay"], t["old"]], WEEK.start - timedelta(weeks=weeks_ago), "teamwork")
    with statements(db) as second:
        after = recognition_section(session, make_org(), TEAM, WEEK)
    assert len(second) == len(first)
    assert after == before


# -- check-ins ----------------------------------------------------------------------------------------------------


@pytest.fixture
def answered(session, team) -> dict[str, Person]:
    t = team
    # The week's check-in (2026-W49): Ana answers late, the following Monday, through the reminder.
    check_in(session, t["ana"], "2026-W49", at(7, 10), blocker=True)
    check_in(session, t["bob"], "2026-W49", at(4, 15))
    check_in(session, t["cara"], "2026-W49", at(4, 16), blocker=True)
    check_in(session, t["eve"], "2026-W49", at(5, 9))
    check_in(session, t["bot"], "2026-W49", at(4, 15), blocker=True)
    check_in(session, t["gone"], "2026-W49", at(4, 15))
    # W48: everyone but New (Li answers on Tuesday of W49); W47: Ana and Bob; nobody before.
    for name in ("ana", "bob", "cara", "dan", "fay", "eve", "old"):
        check_in(session, t[name], "2026-W48", at(27, 15, month=11))
    check_in(session, t["li"], "2026-W48", at(1, 9), blocker=True)
    check_in(session, t["ana"], "2026-W47", at(20, 15, month=11))
    check_in(session, t["bob"], "2026-W47", at(20, 15, month=11))
    check_in(session, t["fay"], "2026-W30", at(24, 15, month=7))  # long before the baseline
    return t


def test_checkin_figures_with_their_baseline(session, answered):
    section = checkins_digest_section(session, make_org(), TEAM, WEEK)
    assert section.key == "checkins"
    assert render(section.title) == "Check-ins"
    assert [f.key for f in section.figures] == [
        "checkins:completion", "checkins:dept:Engineering", "checkins:dept:Sales", "checkins:blockers"]

    overall = figure(section, "checkins:completion")
    assert (render(overall.label), overall.unit, overall.value, overall.people) == (
        "Check-in completion", "share", 4 / 9, 9)
    # New is expected from W48 on (she joined on 25 November); Old since 2020 (her start date).
    assert overall.history == (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2 / 8, 8 / 9)

    engineering = figure(section, "checkins:dept:Engineering")
    assert render(engineering.label) == "Check-in completion: Engineering"
    assert (engineering.value, engineering.people, engineering.unit) == (2 / 4, 4, "share")
    assert engineering.history == (0.0,) * 6 + (2 / 3, 3 / 4)
    sales = figure(section, "checkins:dept:Sales")
    assert (sales.value, sales.people, sales.history) == (1 / 3, 3, (0.0,) * 7 + (1.0,))

    blockers = figure(section, "checkins:blockers")
    assert (render(blockers.label), blockers.value, blockers.unit) == ("Blockers raised", 2.0, "count")
    assert blockers.history == (0.0,) * 7 + (1.0,)  # the bot's blocker does not count
    assert blockers.higher_is_better is False


def test_checkin_lines_and_everyone_who_missed(session, answered):
    section = checkins_digest_section(session, make_org(), TEAM, WEEK)
    assert [render(line) for line in section.lines] == [
        "4 of 9 people checked in for 2026-W49",
        "Blockers raised: 2",
        "Sales: 1 of 3 checked in",
        "Engineering: 2 of 4 checked in",
        "Missed this week's check-in: 5 people",
    ]
    assert section.tail_header == ("Person", "Department")
    assert section.tail == (("li", "Engineering"), ("new", "Engineering"), ("dan", "Sales"), ("fay", "Sales"),
                            ("old", "(no department)"))


def test_a_biweekly_week_without_a_checkin_has_no_figures(session, answered):
    org = org_with(checkins={"cadence": "biweekly"})
    section = checkins_digest_section(session, org, TEAM, WEEK)
    assert [(f.key, f.value) for f in section.figures] == [
        ("checkins:completion", None), ("checkins:dept:Engineering", None), ("checkins:dept:Sales", None),
        ("checkins:blockers", None)]
    # The baseline is the eight check-in weeks before: W34, W36, …, W48 (W47 had none).
    assert [w.label for w in checkin_weeks(WEEK, org.checkins)] == [f"2026-W{n}" for n in range(34, 49, 2)]
    assert figure(section, "checkins:completion").history == (0.0,) * 7 + (8 / 9,)
    assert figure(section, "checkins:blockers").history == (0.0,) * 7 + (1.0,)
    assert section.lines == () and section.tail == ()
    assert render(section.empty or "") == "No check-in was asked in 2026-W49."


def test_a_biweekly_checkin_week_looks_back_sixteen_weeks(session, answered):
    section = checkins_digest_section(session, org_with(checkins={"cadence": "biweekly"}), TEAM, WEEK.back(1))
    overall = figure(section, "checkins:completion")
    assert (overall.value, overall.people) == (8 / 9, 9)
    assert overall.history == (0.0,) * 8  # W32, W34, …, W46
    assert section.tail == (("new", "Engineering"),)


def test_checkins_count_only_people_in_the_rollout(session, answered):
    section = checkins_digest_section(session, org_with(rollout={"departments": ["Sales"]}), TEAM, WEEK)
    assert [f.key for f in section.figures] == ["checkins:completion", "checkins:dept:Sales", "checkins:blockers"]
    overall = figure(section, "checkins:completion")
    assert (overall.value, overall.people, overall.history) == (1 / 3, 3, (0.0,) * 7 + (1.0,))
    assert figure(section, "checkins:blockers").value == 1.0
    assert section.tail == (("dan", "Sales"), ("fay", "Sales"))


def test_checkin_activity_is_who_submitted_in_the_window(session, answered):
    t = answered
    # Ana's answer for W49 came the week after; Li's for W48 came in W49; the bot and Gone are not people here.
    assert checkin_submitters(session, TEAM, WEEK.start, WEEK.end) == {t["bob"].id, t["cara"].id, t["eve"].id,
                                                                       t["li"].id}
    assert checkin_submitters(session, TEAM, WEEK.end, WEEK.end + timedelta(weeks=1)) == {t["ana"].id}


def test_checkins_cost_two_statements_whatever_the_history(session, db, answered):
    with statements(db) as first:
        before = checkins_digest_section(session, make_org(), TEAM, WEEK)
    assert len(first) == 2, first
    for week in range(1, 30):  # the older weeks of 2026, for everyone
        for name in ("li", "dan", "fay"):
            check_in(session, answered[name], f"2026-W{week:02d}", LONG_AGO + timedelta(weeks=week))
    with statements(db) as second:
        after = checkins_digest_section(session, make_org(), TEAM, WEEK)
    assert len(second) == len(first)
    assert after == before
