"""The HR digest's 1:1 and goals sections, and who used each feature in a week, on SQLite and PostgreSQL: exact
figures with their weekly history, lines and tails on known data, bots and deactivated people left out, 1:1 notes
never shown, and a number of queries that does not grow with older history. Every date is fixed."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import event

from bot.i18n import translator
from models import access
from models import goals as g
from models.core.config import OrgConfig
from models.core.digest import HISTORY_WEEKS, DigestSection, Week
from models.core.messages import Message, Phrase
from models.core.tables import Person
from models.core.weeks import week_key
from models.features import activities, digest_sections
from models.goals.digest import goal_activity, goals_section
from models.goals.tables import Goal
from models.one_on_ones.digest import due_meetings, one_on_one_activity, one_on_ones_section
from models.one_on_ones.tables import ActionItem, OneOnOneMeeting, OneOnOnePair, TalkingPoint
from models.people import ensure_workspace
from tests.conftest import TEAM, make_org

WEEK = Week(date(2026, 11, 23), "UTC")  # 2026-W48, in 2026-Q4; its history runs from 2026-W40 (Sep 28)
MONDAYS = [WEEK.back(n).monday for n in range(HISTORY_WEEKS, 0, -1)] + [WEEK.monday]  # index 8: WEEK
SECRET = "SECRET"  # in every note, talking point and action item: it must never reach the digest
t = translator("en")


def org_with(**parts: dict[str, Any]) -> OrgConfig:
    base = make_org()
    return base.model_copy(update={k: getattr(base, k).model_copy(update=v) for k, v in parts.items()})


@pytest.fixture
def org() -> OrgConfig:
    return make_org()


def at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def add_person(session, uid: str, *, manager: Person | None = None, department: str | None = None,
               **kw: Any) -> Person:
    ensure_workspace(session, TEAM)
    p = Person(team_id=TEAM, slack_user_id=uid, real_name=uid.title(), display_name=uid.lower(), tz="UTC",
               manager_id=manager.id if manager else None, department=department, **kw)
    session.add(p)
    session.flush()
    return p


def render(item: Message | Phrase | str) -> str:
    if isinstance(item, Phrase):
        return item.in_language(t)
    if isinstance(item, Message):
        return t.message(item)
    return t(item)


def figure(section: DigestSection, key: str) -> tuple[Any, ...]:
    [f] = [f for f in section.figures if f.key == key]
    return f.value, f.history, f.people, f.unit, f.higher_is_better


def statements_of(db, fn) -> tuple[Any, list[str]]:
    """What `fn()` returns, and the SQL statements it ran."""
    found: list[str] = []

    def count(conn, cursor, statement, *args):
        found.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        result = fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return result, found


def everything_shown(section: DigestSection) -> str:
    """Every word the section would show or export, in English."""
    parts = [render(section.title), *(render(line) for line in section.lines), *section.tail_header,
             *(cell for row in section.tail for cell in row)]
    parts += [render(f.label) for f in section.figures]
    return "\n".join(parts) + repr(section)


def test_both_sections_and_activities_are_declared_by_their_features():
    specs = {s.key: s for s in digest_sections()}
    assert (specs["one_on_ones"].order, specs["one_on_ones"].fn) == (30, one_on_ones_section)
    assert (specs["goals"].order, specs["goals"].fn) == (40, goals_section)
    assert "never notes" in specs["one_on_ones"].description
    hooks = {a.name: a.fn for a in activities()}
    assert hooks["one_on_ones"] is one_on_one_activity and hooks["goals"] is goal_activity


# -- 1:1s --------------------------------------------------------------------------------------------------------


def add_pair(session, manager: Person, report: Person, weekday: int, *, interval: int = 1,
             anchor: date = date(2026, 9, 7), created: datetime | None = None, tz: str = "UTC",
             local_time: str = "10:00", active: bool = True, ended: datetime | None = None) -> OneOnOnePair:
    created = created or at(date(2026, 9, 1))
    pair = OneOnOnePair(team_id=TEAM, manager_id=manager.id, report_id=report.id, interval_weeks=interval,
                        weekday=weekday, local_time=local_time, tz=tz, anchor_week=anchor, active=active,
                        ended_at=ended, created_at=created)
    session.add(pair)
    session.flush()
    return pair


def meet(session, pair: OneOnOnePair, day: date, *, held: bool = True, author: Person | None = None
         ) -> OneOnOneMeeting:
    """The pair's meeting of that day at 10:00 UTC, held an hour later with secret notes (or not held)."""
    meeting = OneOnOneMeeting(pair_id=pair.id, period=week_key(day), scheduled_at=at(day, 10),
                              held_at=at(day, 11) if held else None,
                              notes=f"{SECRET} notes of {day}" if held else None,
                              notes_author_id=(author.id if author else pair.manager_id) if held else None)
    session.add(meeting)
    session.flush()
    return meeting


@pytest.fixture
def pairs(session) -> dict[str, Any]:
    """Mia manages Ana (weekly, Tuesdays), Bob (weekly, Wednesdays), Eve (weekly on Mondays, a pair that ended on
    Wednesday of 2026-W47: Eve now reports to Mia), and a bot and a deactivated person (pairs that do not count).
    Noor manages Cy (every two weeks, Mondays, from 2026-W48) and Dee (weekly, Thursdays, a pair made on Thursday
    of 2026-W46 after that day's 1:1 time)."""
    mia, noor = add_person(session, "MIA"), add_person(session, "NOOR")
    ana, bob = add_person(session, "ANA", manager=mia), add_person(session, "BOB", manager=mia)
    cy, dee = add_person(session, "CY", manager=noor), add_person(session, "DEE", manager=noor)
    eve = add_person(session, "EVE", manager=mia)
    gone = add_person(session, "GONE", manager=mia, is_deleted=True)
    botty = add_person(session, "BOTTY", manager=mia, is_bot=True)
    p = {
        "ana": add_pair(session, mia, ana, 1),
        "bob": add_pair(session, mia, bob, 2),
        "cy": add_pair(session, noor, cy, 0, interval=2, anchor=date(2026, 11, 23)),
        "dee": add_pair(session, noor, dee, 3, anchor=date(2026, 11, 9), created=at(date(2026, 11, 12))),
        "eve": add_pair(session, noor, eve, 0, active=False, ended=at(date(2026, 11, 18))),
        "gone": add_pair(session, mia, gone, 4),
        "bot": add_pair(session, mia, botty, 4),
    }
    for i, monday in enumerate(MONDAYS):
        meet(session, p["ana"], monday + timedelta(days=1), held=i < 8)
        meet(session, p["bob"], monday + timedelta(days=2), held=i < 7)
        if i % 2 == 0:
            meet(session, p["cy"], monday)
        meet(session, p["gone"], monday + timedelta(days=4))
        meet(session, p["bot"], monday + timedelta(days=4))
    meet(session, p["dee"], date(2026, 11, 19), author=dee)  # W47; W48 (Nov 26) not held
    meet(session, p["eve"], date(2026, 11, 16))  # W47 only
    # Cy's 1:1 of W47 was held on a Tuesday the pair's rhythm (every two weeks from W48) no longer has.
    meet(session, p["cy"], date(2026, 11, 17))
    # What the two sides wrote (private to them): a talking point, action items.
    session.add_all([
        TalkingPoint(pair_id=p["ana"].id, author_id=ana.id, text=f"{SECRET} point", created_at=at(date(2026, 11, 24))),
        TalkingPoint(pair_id=p["gone"].id, author_id=gone.id, text=f"{SECRET} point",
                     created_at=at(date(2026, 11, 24))),
    ])
    bob_w46 = session.query(OneOnOneMeeting).filter_by(pair_id=p["bob"].id, period="2026-W46").one()
    dee_w47 = session.query(OneOnOneMeeting).filter_by(pair_id=p["dee"].id, period="2026-W47").one()
    session.add_all([
        ActionItem(pair_id=p["bob"].id, meeting_id=bob_w46.id, owner_id=bob.id, text=f"{SECRET} action",
                   created_at=at(date(2026, 11, 11)), done_at=at(date(2026, 11, 25)), done_by_id=bob.id),
        ActionItem(pair_id=p["dee"].id, meeting_id=dee_w47.id, owner_id=dee.id, text=f"{SECRET} action",
                   created_at=at(date(2026, 11, 24))),
    ])
    session.flush()
    people = {"mia": mia, "noor": noor, "ana": ana, "bob": bob, "cy": cy, "dee": dee, "eve": eve, "gone": gone,
              "botty": botty}
    return {"pairs": p, "people": people}


def test_one_on_ones_held_of_due_this_week_and_the_eight_before(session, org, pairs):
    section = one_on_ones_section(session, org, TEAM, WEEK)
    assert (section.key, render(section.title)) == ("one_on_ones", "1:1s")
    # W48: Ana, Bob, Cy and Dee were due (not Eve's ended pair, nor the bot's or Gone's); only Cy's was held.
    # Before: W40..W46 alternate 4 due (with Cy's fortnightly) and 3; W47 has Dee's first, Eve's last and Cy's
    # moved 1:1 (5 due), of which Bob's was not held.
    history = (3 / 4, 2 / 3, 3 / 4, 2 / 3, 3 / 4, 2 / 3, 3 / 4, 4 / 5)
    assert figure(section, "one_on_ones:held_share") == (0.25, history, 4, "share", True)
    assert figure(section, "one_on_ones:held") == (1, (3.0, 2.0, 3.0, 2.0, 3.0, 2.0, 3.0, 4.0), 4, "count", True)
    assert [render(line) for line in section.lines] == [
        "1 of 4 1:1s due this week were held.",
        "mia: 2 of 2 1:1s not held",
        "noor: 1 of 2 1:1s not held",
    ]
    assert section.tail_header == ("manager", "report", "scheduled")
    assert section.tail == (("mia", "ana", "2026-11-24"), ("mia", "bob", "2026-11-25"), ("noor", "dee", "2026-11-26"))
    assert SECRET not in everything_shown(section)


def test_one_on_ones_never_show_notes_even_when_hr_may_read_them(session, pairs):
    org = org_with(privacy={"hr_sees_one_on_one_notes": True})
    section = one_on_ones_section(session, org, TEAM, WEEK)
    assert SECRET not in everything_shown(section)
    assert figure(section, "one_on_ones:held")[0] == 1


def test_one_on_ones_of_a_quiet_week_and_when_switched_off(session, org, pairs):
    # W49 (Nov 30): nothing recorded yet; Ana, Bob and Dee are due (Cy's fortnightly is not).
    section = one_on_ones_section(session, org, TEAM, WEEK.back(-1))
    assert figure(section, "one_on_ones:held_share")[:3] == (0.0, (2 / 3, 3 / 4, 2 / 3, 3 / 4, 2 / 3, 3 / 4, 4 / 5,
                                                                    0.25), 3)
    assert render(section.lines[0]) == "0 of 3 1:1s due this week were held."
    off = one_on_ones_section(session, org_with(one_on_ones={"enabled": False}), TEAM, WEEK)
    assert (off.figures, off.lines, render(off.empty)) == ((), (), "1:1s are switched off.")
    # A workspace with no pairs: nothing to show.
    empty = one_on_ones_section(session, org, "T0OTHER", WEEK)
    assert empty.figures == () and render(empty.empty) == "No 1:1s were due in this week or the weeks before it."


def test_a_meeting_belongs_to_the_week_it_falls_in_for_hr(session, org):
    """A Tokyo pair meeting on Mondays at 08:00 meets on Sunday 23:00 UTC: in HR's (UTC) week before."""
    boss = add_person(session, "BOSS")
    me = add_person(session, "ME", manager=boss)
    pair = add_pair(session, boss, me, 0, tz="Asia/Tokyo", local_time="08:00")
    found = [m for m in due_meetings(session, TEAM, WEEK) if m.week == HISTORY_WEEKS]
    assert [(m.pair_id, m.at) for m in found] == [(pair.id, datetime(2026, 11, 29, 23, 0, tzinfo=UTC))]
    # Weeks in Tokyo (HR's zone there): Monday's 1:1 at 08:00 is in the week it opens.
    tokyo = [m for m in due_meetings(session, TEAM, Week(WEEK.monday, "Asia/Tokyo")) if m.week == HISTORY_WEEKS]
    assert [m.at for m in tokyo] == [datetime(2026, 11, 22, 23, 0, tzinfo=UTC)]


def test_one_on_one_activity_counts_who_met_and_who_wrote(session, pairs):
    people = pairs["people"]
    ids = {v: k for k, v in ((k, p.id) for k, p in people.items())}
    found = one_on_one_activity(session, TEAM, WEEK.start, WEEK.end)
    # Noor and Cy met; Mia met Gone and the bot (who do not count); Ana added a talking point, Bob marked an
    # action item done, Dee's notes came with a new action item.
    assert sorted(ids[i] for i in found) == ["ana", "bob", "cy", "dee", "mia", "noor"]
    w47 = one_on_one_activity(session, TEAM, WEEK.back(1).start, WEEK.back(1).end)
    assert sorted(ids[i] for i in w47) == ["ana", "cy", "dee", "eve", "mia", "noor"]
    assert one_on_one_activity(session, "T0OTHER", WEEK.start, WEEK.end) == set()


def test_one_on_ones_take_two_queries_whatever_the_history(session, db, org, pairs):
    session.flush()
    before, statements = statements_of(db, lambda: one_on_ones_section(session, org, TEAM, WEEK))
    assert len(statements) == 2, statements
    # A year of older 1:1s, and more pairs' old meetings, change neither the figures nor the cost.
    p = pairs["pairs"]
    for n in range(9, 60):
        day = WEEK.back(n).monday
        meet(session, p["ana"], day + timedelta(days=1))
        meet(session, p["bob"], day + timedelta(days=2), held=n % 3 == 0)
    session.flush()
    after, again = statements_of(db, lambda: one_on_ones_section(session, org, TEAM, WEEK))
    assert after == before
    assert len(again) == 2, again
    _, activity = statements_of(db, lambda: one_on_one_activity(session, TEAM, WEEK.start, WEEK.end))
    assert len(activity) == 1


# -- goals -------------------------------------------------------------------------------------------------------


def d(month: int, day: int) -> date:
    return date(2026, month, day)


def create(session, org, owner: Person, title: str, day: date, **kw: Any) -> Goal:
    draft = g.GoalDraft(team_id=TEAM, owner=owner, title=title, source_key=f"k:{title}", **kw)
    return g.create_goal(session, org, owner, draft, now=at(day)).goal


def update(session, org, author: Person, goal: Goal, day: date, *, status: str | None = None,
           progress: float | None = None) -> None:
    g.update_goal(session, org, author, g.UpdateDraft(goal.id, f"u:{goal.id}:{day}", progress=progress,
                                                      status=status, comment=f"{day}"), now=at(day))


@pytest.fixture
def goals(session, org) -> dict[str, Any]:
    """2026-Q4 goals, all but Nia's created on Oct 1 (in W40, the first week of WEEK's history):

    - Ana's, updated on track every Tuesday from W41;
    - Bob's, at risk on Oct 6 (W41), off track on Nov 3 (W45), silent since;
    - Dev's (private), progress 10 % on Oct 7 and silent since: Candor's suggestion slides as the quarter goes by;
    - Hana's for the organisation, on track on Oct 20 (W43) and Nov 24 (W48);
    - Nia's (no department), made on Nov 18 (W47) with no progress: off track by Candor's suggestion;
    - Bob's second, on track on Oct 2 and closed on Nov 10 (W46);
    - Ana's of 2026-Q3, still open, updated on Oct 2 (counts as updated, never as a current goal);
    - the goals of a deactivated person and a bot, updated in W48 (nothing of theirs counts).
    """
    hana = add_person(session, "HANA", department="People", is_hr_admin=True)
    ana = add_person(session, "ANA", department="Sales")
    bob = add_person(session, "BOB", manager=ana, department="Sales")
    dev = add_person(session, "DEV", department="Engineering")
    nia = add_person(session, "NIA")
    gone = add_person(session, "GONE", department="Sales")
    botty = add_person(session, "BOTTY", department="Sales")

    grow = create(session, org, ana, "Grow revenue north", d(10, 1))
    for monday in MONDAYS[1:]:
        update(session, org, ana, grow, monday + timedelta(days=1), status="on_track")
    deals = create(session, org, bob, "Close big deals", d(10, 1))
    update(session, org, bob, deals, d(10, 6), status="at_risk")
    update(session, org, bob, deals, d(11, 3), status="off_track")
    ship = create(session, org, dev, "Ship v2", d(10, 1), visibility="private")
    update(session, org, dev, ship, d(10, 7), progress=0.1)
    best = create(session, org, hana, "Best place to work", d(10, 1), level="organisation")
    update(session, org, hana, best, d(10, 20), status="on_track")
    update(session, org, hana, best, d(11, 24), status="on_track")
    learn = create(session, org, nia, "Learn Go", d(11, 18))
    closed = create(session, org, bob, "Renew contracts", d(10, 1))
    update(session, org, bob, closed, d(10, 2), status="on_track")
    g.close_goal(session, org, bob, g.CloseDraft(closed.id, "close", final_score=0.9), now=at(d(11, 10)))
    old = create(session, org, ana, "Old quarter", d(10, 1), period="2026-Q3")
    update(session, org, ana, old, d(10, 2), status="off_track")
    for person in (gone, botty):
        mine = create(session, org, person, f"Goal of {person.slack_user_id}", d(10, 1))
        update(session, org, person, mine, d(11, 24), status="off_track")
    gone.is_deleted, botty.is_bot = True, True
    session.flush()
    people = {"hana": hana, "ana": ana, "bob": bob, "dev": dev, "nia": nia, "gone": gone, "botty": botty}
    return {"people": people, "goals": {"grow": grow, "deals": deals, "ship": ship, "best": best,
                                        "learn": learn, "closed": closed, "old": old}}


def test_goals_on_track_updated_and_stalled_week_by_week(session, org, goals):
    section = goals_section(session, org, TEAM, WEEK)
    assert (section.key, render(section.title)) == ("goals", "Goals")
    # Current goals in W48: Ana's, Bob's, Dev's, Hana's, Nia's (5 owners); two on track.
    on_track = (1.0, 0.8, 0.6, 0.6, 0.6, 0.6, 0.5, 0.4)
    value, history, people, unit, better = figure(section, "goals:on_track")
    assert (value, people, unit, better) == (0.4, 5, "share", True)
    assert history == pytest.approx(on_track)
    assert figure(section, "goals:updated") == (2, (2.0, 3.0, 1.0, 2.0, 1.0, 2.0, 2.0, 1.0), 5, "count", True)
    assert figure(section, "goals:stalled") == (2, (0.0, 0.0, 2.0, 3.0, 3.0, 3.0, 2.0, 3.0), 5, "count", False)
    assert [render(line) for line in section.lines] == [
        "Engineering: 0 on track, 0 at risk, 1 off track",
        "Sales: 1 on track, 0 at risk, 1 off track",
        "No department: 0 on track, 0 at risk, 1 off track",
        "Organisation: 1 on track, 0 at risk, 0 off track",
    ]
    assert section.tail_header == ("goal", "owner", "department", "status", "days since update")
    # Stalled or off track at the end of W48 (Monday Nov 30), the longest silent first. Dev's goal is private:
    # HR admins may see it.
    assert section.tail == (
        ("Ship v2", "dev", "Engineering", "Off track, stalled", "54"),
        ("Close big deals", "bob", "Sales", "Off track, stalled", "27"),
        ("Learn Go", "nia", "No department", "Off track", "12"),
    )
    shown = everything_shown(section)
    for title in ("Goal of", "Old quarter", "Renew contracts"):  # a deactivated person's, a bot's, not current
        assert title not in shown


def test_hr_admins_may_see_private_goals_so_the_digest_names_them(session, goals):
    hana, dev = goals["people"]["hana"], goals["people"]["dev"]
    hr = access.Viewer.slack(hana, ())
    assert access.can_see(session, hr, access.RecordKind.GOAL_PRIVATE, owner=dev)
    assert access.can_see(session, hr, access.RecordKind.HR_DIGEST, team_id=TEAM)


def test_goals_of_a_later_week_and_when_switched_off(session, org, goals):
    # W49: no update at all. Ana's and Hana's goals (updated Nov 24) are not stalled yet; Nia's (made Nov 18)
    # now is, beside Bob's and Dev's.
    section = goals_section(session, org, TEAM, WEEK.back(-1))
    assert figure(section, "goals:updated")[0] == 0
    assert figure(section, "goals:on_track")[0] == 0.4
    assert figure(section, "goals:stalled")[0] == 3
    assert [row[0] for row in section.tail] == ["Ship v2", "Close big deals", "Learn Go"]
    off = goals_section(session, org_with(goals={"enabled": False}), TEAM, WEEK)
    assert (off.figures, render(off.empty)) == ((), "Goals are switched off.")
    # Before any goal existed (a week of 2026-Q2): nothing to show.
    early = goals_section(session, org, TEAM, Week(date(2026, 5, 4), "UTC"))
    assert early.figures == () and render(early.empty) == "No active goals in this period."


def test_goal_activity_is_who_created_or_updated_a_goal(session, goals):
    people = goals["people"]
    ids = {p.id: k for k, p in people.items()}
    assert sorted(ids[i] for i in goal_activity(session, TEAM, WEEK.start, WEEK.end)) == ["ana", "hana"]
    w47 = WEEK.back(1)
    assert sorted(ids[i] for i in goal_activity(session, TEAM, w47.start, w47.end)) == ["ana", "nia"]
    w40 = WEEK.back(8)  # everyone created goals then; the deactivated person and the bot do not count
    assert sorted(ids[i] for i in goal_activity(session, TEAM, w40.start, w40.end)) == [
        "ana", "bob", "dev", "hana"]
    assert goal_activity(session, "T0OTHER", WEEK.start, WEEK.end) == set()


def test_goals_take_two_queries_whatever_the_history(session, db, org, goals):
    session.flush()
    before, statements = statements_of(db, lambda: goals_section(session, org, TEAM, WEEK))
    assert len(statements) == 2, statements
    # Goals of the three quarters before, with a long history each, change neither the figures nor the cost.
    ana = goals["people"]["ana"]
    for quarter, start in (("2026-Q1", d(1, 5)), ("2026-Q2", d(4, 6)), ("2026-Q3", d(7, 6))):
        for n in range(5):
            old = create(session, org, ana, f"Old {quarter} {n}", start, period=quarter)
            for week in range(10):
                update(session, org, ana, old, start + timedelta(weeks=week, days=n), status="at_risk")
            g.close_goal(session, org, ana, g.CloseDraft(old.id, f"close:{old.id}", final_score=0.5),
                         now=at(start + timedelta(weeks=11)))
    session.flush()
    after, again = statements_of(db, lambda: goals_section(session, org, TEAM, WEEK))
    assert after == before
    assert len(again) == 2, again
    _, activity = statements_of(db, lambda: goal_activity(session, TEAM, WEEK.start, WEEK.end))
    assert len(activity) == 1
