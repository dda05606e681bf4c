"""Goal nudges, close-out prompts, the 1:1 agenda section and the HR alerts, on SQLite and PostgreSQL; the
nudge and close-out DMs and the close-out modal through signed requests and the stand-in Slack.

Every moment is fixed (the tick gets `now`, the app's clock is set): the suite passes on any real date."""

from __future__ import annotations

import json
from contextlib import nullcontext
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, func, select

from bot.blocks import MESSAGE_BLOCKS_MAX, VIEW_BLOCKS_MAX
from bot.delivery import RenderContext, Skip
from bot.i18n import translator
from handlers.goals import closeout, renderers
from handlers.goals.ids import GoalIds as Ids
from models import goals as g
from models import one_on_ones as oo
from models.agenda import build_agenda
from models.core.config import OrgConfig
from models.core.messages import Phrase
from models.core.prompts import pattern_for
from models.core.tables import Alert, OutboxMessage, Person, Workspace
from models.features import tick_all
from models.goals import agenda as goals_agenda
from models.goals import jobs as goals_jobs
from models.goals import prompts as goals_prompts
from models.goals.tables import Goal, GoalUpdate, KeyResult
from models.people import ensure_people, ensure_workspace
from tests.conftest import ANA, BOB, CARA, TEAM, make_org
from tests.fake_slack import check_blocks
from tests.slack_requests import acked, errors, text_value

pytestmark = pytest.mark.time_sensitive

NUDGE, CLOSEOUT = goals_prompts.NUDGE_KIND, goals_prompts.CLOSEOUT_KIND
CREATED = datetime(2026, 9, 1, tzinfo=UTC)  # when Candor met the test people
UPDATED = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)  # a Monday: a goal's last update in most tests
MINUTE = timedelta(minutes=1)
t = translator(None)


def org_with(**goals: object) -> OrgConfig:
    base = make_org()
    return base.model_copy(update={"goals": base.goals.model_copy(update=goals)})


@pytest.fixture
def org() -> OrgConfig:
    return make_org()


def add_person(session, uid: str, tz: str = "Europe/Lisbon", *, manager: Person | None = None, **kw) -> Person:
    ensure_workspace(session, TEAM)
    p = Person(team_id=TEAM, slack_user_id=uid, real_name=uid.title(), display_name=uid.lower(), tz=tz,
               manager_id=manager.id if manager else None, created_at=CREATED, **kw)
    session.add(p)
    session.flush()
    return p


def make_goal(session, org, owner: Person, title: str = "Grow revenue in the north", *, at: datetime = UPDATED,
              author: Person | None = None, progress: float | None = None, **kw) -> Goal:
    draft = g.GoalDraft(team_id=TEAM, owner=owner, title=title, source_key=f"k:{owner.id}:{title}", **kw)
    goal = g.create_goal(session, org, author or owner, draft, now=at).goal
    if progress is not None:
        goal.progress = progress
        session.flush()
    return goal


def tick_at(session, clock, org, now: datetime, *, last: datetime | None = None):
    """The leader's tick at `now`, the previous one at `last` (default: a minute before)."""
    clock.set(now)
    session.get(Workspace, TEAM).last_tick_at = last if last is not None else now - MINUTE
    return tick_all(session, org, TEAM, now=now)


def sweep(session, clock, org, start: datetime, end: datetime, step: timedelta) -> None:
    """The leader ticking every `step` from `start` to `end` (each tick starts where the last one ended)."""
    session.get(Workspace, TEAM).last_tick_at = start
    at = start + step
    while at <= end:
        clock.set(at)
        tick_all(session, org, TEAM, now=at)
        at += step


def rows(session, kind: str) -> list[OutboxMessage]:
    return list(session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)))


def due_of(row: OutboxMessage) -> datetime:
    return datetime.fromisoformat(row.payload["due_at"])


def local(moment: datetime, tz: str) -> datetime:
    return moment.astimezone(ZoneInfo(tz))


# -- when the nudge is due -----------------------------------------------------------------------------------


def test_a_stalled_goal_nudges_its_owner_at_ten_on_their_own_working_day(session, clock, org):
    tokyo = add_person(session, "UTOKYO", "Asia/Tokyo")
    la = add_person(session, "ULA", "America/Los_Angeles")
    # Updated Mon Nov 2 12:00 UTC: 21:00 in Tokyo, 04:00 in Los Angeles. Fourteen days later, in Tokyo it is
    # past ten, so the nudge waits for Tuesday 10:00 JST; in Los Angeles it is due on Monday at 10:00 PST.
    in_tokyo = make_goal(session, org, tokyo, "Open the Tokyo office")
    in_la = make_goal(session, org, la, "Hire two engineers")
    sweep(session, clock, org, datetime(2026, 11, 15, tzinfo=UTC), datetime(2026, 11, 18, tzinfo=UTC),
          timedelta(minutes=20))
    found = {(r.recipient_id, r.payload["goal_id"], due_of(r), r.state) for r in rows(session, NUDGE)}
    assert found == {
        (tokyo.id, in_tokyo.id, datetime(2026, 11, 17, 1, 0, tzinfo=UTC), "pending"),
        (la.id, in_la.id, datetime(2026, 11, 16, 18, 0, tzinfo=UTC), "pending"),
    }
    for row, tz in zip(rows(session, NUDGE), ("America/Los_Angeles", "Asia/Tokyo"), strict=True):
        assert local(due_of(row), tz).time() == time(10, 0) and local(due_of(row), tz).weekday() < 5
        assert row.payload["silent_since"] == "2026-11-02T12:00:00+00:00"
        assert row.payload["period"] == f"goal{row.payload['goal_id']}-2026-11-02T12:00:00+00:00"


def test_a_weekend_and_quiet_hours_move_the_nudge_to_the_next_working_morning(session, org):
    lisbon = add_person(session, "ULIS")
    friday_evening = make_goal(session, org, lisbon, "Fix the build", at=datetime(2026, 11, 6, 18, 0, tzinfo=UTC))
    pattern = pattern_for(lisbon, org)
    # Silent 14 days on Friday Nov 20 at 18:00: past ten, then the weekend: Monday at 10:00.
    assert goals_prompts.nudge_due(friday_evening, org.goals, pattern) == datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    early = org_with(nudge_time=time(6, 30))  # inside quiet hours (20:00–08:00): moved to their end
    assert goals_prompts.nudge_due(friday_evening, early.goals, pattern) == datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    # A goal whose period starts later is silent from its first day, not from its creation.
    ahead = make_goal(session, org, lisbon, "Plan 2027", at=datetime(2026, 11, 2, 9, 0, tzinfo=UTC), period="2027-Q1")
    assert goals_prompts.nudge_due(ahead, org.goals, pattern) == datetime(2027, 1, 15, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(("tz", "updated", "due", "an_hour_off"), [
    # Berlin leaves summer time on Sun 2026-10-25: 10:00 CEST on Oct 12 is 08:00 UTC, 10:00 CET on Oct 26 09:00.
    ("Europe/Berlin", datetime(2026, 10, 12, 8, 0, tzinfo=UTC), datetime(2026, 10, 26, 9, 0, tzinfo=UTC),
     datetime(2026, 10, 26, 8, 0, tzinfo=UTC)),
    # New York on Sun 2026-11-01: 10:00 EDT on Oct 19 is 14:00 UTC, 10:00 EST on Nov 2 is 15:00 UTC.
    ("America/New_York", datetime(2026, 10, 19, 14, 0, tzinfo=UTC), datetime(2026, 11, 2, 15, 0, tzinfo=UTC),
     datetime(2026, 11, 2, 14, 0, tzinfo=UTC)),
])
def test_stalled_detection_across_a_daylight_saving_change(session, clock, org, tz, updated, due, an_hour_off):
    owner = add_person(session, "UDST", tz)
    goal = make_goal(session, org, owner, "Keep the lights on", at=updated)
    pattern = pattern_for(owner, org)
    # Fourteen days of the owner's calendar: the same wall-clock time, an hour's UTC shift later.
    assert goals_prompts.stall_threshold(goal.last_update_at, goal.starts_on, 14, pattern) == due
    assert goals_prompts.nudge_due(goal, org.goals, pattern) == due
    assert local(due, tz).time() == time(10, 0)
    tick_at(session, clock, org, an_hour_off + 30 * timedelta(seconds=1), last=an_hour_off - MINUTE)
    assert rows(session, NUDGE) == []
    assert goals_prompts.is_stalled(goal, org.goals, pattern, an_hour_off) is False
    sweep(session, clock, org, due - timedelta(hours=3), due + timedelta(hours=12), timedelta(minutes=15))
    [row] = rows(session, NUDGE)
    assert (row.payload["goal_id"], due_of(row), row.state) == (goal.id, due, "pending")


# -- one nudge per silence -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("down_for", "state"), [
    (None, "pending"),  # the leader ticks all along
    (timedelta(hours=3), "pending"),  # down over the due moment, back within the grace window (6 h)
    (timedelta(hours=8), "skipped"),  # back too late: recorded as missed, never sent late
])
def test_one_nudge_per_silence_over_many_ticks_restarts_and_downtime(session, clock, org, down_for, state):
    owner = add_person(session, "UCARA", "America/Los_Angeles")
    goal = make_goal(session, org, owner)
    due = datetime(2026, 11, 16, 18, 0, tzinfo=UTC)
    sweep(session, clock, org, due - timedelta(hours=2), due - timedelta(minutes=40), timedelta(minutes=5))
    assert rows(session, NUDGE) == []
    if down_for is None:
        back = due
        sweep(session, clock, org, due - timedelta(minutes=40), due + timedelta(hours=6), timedelta(minutes=5))
    else:  # the last tick before the downtime was 40 minutes before the nudge was due
        back = due + down_for
        clock.set(back)
        tick_all(session, org, TEAM, now=back)
        sweep(session, clock, org, back, back + timedelta(hours=6), timedelta(minutes=5))
    # A new leader (a restart) replays the whole day: still the one row.
    tick_at(session, clock, org, back + timedelta(days=1), last=due - timedelta(days=1))
    [row] = rows(session, NUDGE)
    assert (row.payload["goal_id"], due_of(row), row.state) == (goal.id, due, state)
    if state == "skipped":
        assert "missed while Candor was not running" in (row.last_error or "")
    # Days of silence later (until the period ends) there is still one nudge for this silence.
    sweep(session, clock, org, back + timedelta(days=1), back + timedelta(days=8), timedelta(hours=2))
    assert len(rows(session, NUDGE)) == 1


def test_an_update_ends_the_silence_and_a_new_silence_gets_its_own_nudge(session, clock, org):
    ana = add_person(session, "UANA")  # Lisbon: UTC in winter
    goal = make_goal(session, org, ana)
    # Silent 14 days on Mon Nov 16 at 12:00, past ten: Tuesday at 10:00.
    tick_at(session, clock, org, datetime(2026, 11, 16, 10, 0, 30, tzinfo=UTC))
    assert rows(session, NUDGE) == []
    tick_at(session, clock, org, datetime(2026, 11, 17, 10, 0, 30, tzinfo=UTC))
    [first] = rows(session, NUDGE)
    g.update_goal(session, org, ana, g.UpdateDraft(goal.id, "u1", progress=0.4, comment="On it"),
                  now=datetime(2026, 11, 18, 15, 0, tzinfo=UTC))
    with pytest.raises(Skip, match="updated meanwhile"):  # queued before the update, not yet sent
        renderers.render_nudge(RenderContext(session=session, org=org, row=first, recipient=ana))
    # Silent again from Wed Nov 18 15:00: 14 days later is Wed Dec 2 15:00, past ten: Thursday 10:00.
    sweep(session, clock, org, datetime(2026, 11, 19, tzinfo=UTC), datetime(2026, 12, 4, tzinfo=UTC),
          timedelta(hours=3))
    first, second = rows(session, NUDGE)
    assert due_of(second) == datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
    assert second.payload["silent_since"] == "2026-11-18T15:00:00+00:00"
    assert first.payload["period"] != second.payload["period"] and second.state == "pending"


def test_no_nudge_for_a_closed_goal_a_deactivated_owner_or_a_shared_goal(session, clock, org):
    hr = add_person(session, "U0HR", is_hr_admin=True, department="People")
    ana, bob, dev = add_person(session, "UANA"), add_person(session, "UBOB"), add_person(session, "UDEV")
    make_goal(session, org, hr, "Win the north", level="organisation")
    make_goal(session, org, hr, "People first", level="department", department="People")
    closed = make_goal(session, org, ana, "Done early")
    g.close_goal(session, org, ana, g.CloseDraft(closed.id, "c1", final_score=1.0), now=UPDATED + timedelta(days=3))
    make_goal(session, org, bob, "Leaving soon")
    bob.is_deleted = True
    late = make_goal(session, org, ana, "Started late", at=datetime(2026, 12, 20, 12, 0, tzinfo=UTC))
    kept = make_goal(session, org, dev, "Still going")
    sweep(session, clock, org, datetime(2026, 11, 15, tzinfo=UTC), datetime(2026, 11, 18, tzinfo=UTC),
          timedelta(hours=1))
    assert [r.payload["goal_id"] for r in rows(session, NUDGE)] == [kept.id]
    # The goal silent since Dec 20 would stall after its period (Dec 31): the close-out comes instead.
    assert goals_prompts.nudge_due(late, org.goals, pattern_for(ana, org)) is None
    # Switched off: nothing at all (the same tick with goals on queues the nudge).
    second = make_goal(session, org, dev, "Second", at=datetime(2026, 11, 10, 9, 0, tzinfo=UTC))
    due = datetime(2026, 11, 24, 10, 0, 30, tzinfo=UTC)
    tick_at(session, clock, org_with(enabled=False), due)
    assert len(rows(session, NUDGE)) == 1
    tick_at(session, clock, org, due)
    assert [r.payload["goal_id"] for r in rows(session, NUDGE)] == [kept.id, second.id]


def test_the_tick_reads_the_goals_once_not_once_per_person(session, clock, org):
    people = [add_person(session, f"U{i:03d}", ("Europe/Berlin", "Asia/Tokyo", "America/New_York")[i % 3])
              for i in range(30)]
    for p in people:
        make_goal(session, org, p, f"Goal of {p.slack_user_id}")
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "FROM goals" in statement:
            statements.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        tick_at(session, clock, org, datetime(2026, 11, 18, 12, 0, tzinfo=UTC), last=datetime(2026, 11, 14, tzinfo=UTC))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(statements) == 2  # one for the nudges, one for the close-outs
    assert len(rows(session, NUDGE)) == 30


# -- the close-out prompt --------------------------------------------------------------------------------------


def test_the_close_out_prompt_comes_on_the_first_working_day_after_the_period(session, clock, org):
    hr = add_person(session, "U0HR", is_hr_admin=True)
    ana, cara = add_person(session, "UANA"), add_person(session, "UCARA", "America/Los_Angeles")
    mine = make_goal(session, org, ana, at=datetime(2026, 10, 1, 9, 0, tzinfo=UTC))
    hers = make_goal(session, org, cara, "Hire two engineers", at=datetime(2026, 10, 1, 9, 0, tzinfo=UTC))
    company = make_goal(session, org, hr, "Win the north", level="organisation")
    closed = make_goal(session, org, ana, "Closed already")
    g.close_goal(session, org, ana, g.CloseDraft(closed.id, "c1", final_score=0.5),
                 now=datetime(2026, 12, 20, tzinfo=UTC))
    # 2026-Q4 ends on Thursday Dec 31: the prompt is due on Friday Jan 1 at 10:00 in each owner's time.
    sweep(session, clock, org, datetime(2026, 12, 31, tzinfo=UTC), datetime(2027, 1, 2, tzinfo=UTC),
          timedelta(minutes=30))
    sweep(session, clock, org, datetime(2027, 1, 2, tzinfo=UTC), datetime(2027, 1, 9, tzinfo=UTC), timedelta(hours=3))
    found = {(r.recipient_id, r.payload["goal_id"], due_of(r)) for r in rows(session, CLOSEOUT)}
    assert found == {(ana.id, mine.id, datetime(2027, 1, 1, 10, 0, tzinfo=UTC)),
                     (cara.id, hers.id, datetime(2027, 1, 1, 18, 0, tzinfo=UTC)),
                     (hr.id, company.id, datetime(2027, 1, 1, 10, 0, tzinfo=UTC))}
    assert all(r.payload["period"] == f"goal{r.payload['goal_id']}-closeout" for r in rows(session, CLOSEOUT))
    # A period that ends on a Friday: the prompt waits for Monday.
    q4_2027 = make_goal(session, org, ana, "Next year", period="2027-Q4")
    assert q4_2027.ends_on == date(2027, 12, 31)
    assert goals_prompts.closeout_due(q4_2027, org.goals, pattern_for(ana, org)) == datetime(
        2028, 1, 3, 10, 0, tzinfo=UTC)


# -- the 1:1 agenda ------------------------------------------------------------------------------------------


def said(line: str) -> str:
    """An agenda line as the view says it (a phrase, in English)."""
    assert isinstance(line, Phrase)
    return line.in_language(t)


def test_the_agenda_shows_the_reports_goals_needing_attention(session, org):
    cara = add_person(session, "UCARA")
    ana = add_person(session, "UANA", manager=cara)
    oo.sync_pairs(session, TEAM, org, now=CREATED)
    pair = oo.pair_of(session, cara, ana)
    assert pair is not None
    until = datetime(2026, 11, 16, 12, 0, tzinfo=UTC)  # 51% of 2026-Q4 gone by
    at = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
    make_goal(session, org, ana, "On track <really>", at=at, progress=0.5)
    make_goal(session, org, ana, "Behind a bit", at=at, progress=0.3)
    make_goal(session, org, ana, "Far behind & private", at=at, progress=0.1, visibility="private")
    optimistic = make_goal(session, org, ana, "Says fine", at=at, progress=0.05)
    optimistic.status = g.ON_TRACK
    worried = make_goal(session, org, ana, "Worried anyway", at=at, progress=0.6)
    worried.status = g.AT_RISK
    closed = make_goal(session, org, ana, "Closed and behind", at=at, progress=0.0)
    g.close_goal(session, org, ana, g.CloseDraft(closed.id, "c1", final_score=0.0), now=at)
    make_goal(session, org, cara, "The manager's own", at=at, progress=0.0)
    session.flush()

    section = goals_agenda.goals_section(session, pair, until - timedelta(days=14), until)
    assert section.total == 4
    assert [said(line) for line in section.lines] == [
        "Far behind & private — :red_circle: Off track (suggested) · ▓░░░░░░░░░ 10% · 2026-Q4",
        "Says fine — :large_green_circle: On track (Candor suggests Off track) · ░░░░░░░░░░ 5% · 2026-Q4",
        "Behind a bit — :large_yellow_circle: At risk (suggested) · ▓▓▓░░░░░░░ 30% · 2026-Q4",
        "Worried anyway — :large_yellow_circle: At risk (Candor suggests On track) · ▓▓▓▓▓▓░░░░ 60% · 2026-Q4",
    ]
    # In the agenda both people see it, after the check-ins and before the kudos.
    for viewer in (cara, ana):
        agenda = build_agenda(session, pair, viewer, org, until=until)
        keys = [s.key for s in agenda.sections]
        assert keys.index("checkins") < keys.index("goals") < keys.index("kudos")
        [shown] = [s for s in agenda.sections if s.key == "goals"]
        assert shown.total == 4 and t(shown.title) == "Goals needing attention"


def test_goals_on_track_are_not_on_the_agenda(session, org):
    cara = add_person(session, "UCARA")
    ana = add_person(session, "UANA", manager=cara)
    oo.sync_pairs(session, TEAM, org, now=CREATED)
    pair = oo.pair_of(session, cara, ana)
    make_goal(session, org, ana, "Fine", at=datetime(2026, 10, 1, tzinfo=UTC), progress=0.55)
    make_goal(session, org, ana, "Ahead", at=datetime(2026, 10, 1, tzinfo=UTC), progress=0.9)
    until = datetime(2026, 11, 16, 12, 0, tzinfo=UTC)
    section = goals_agenda.goals_section(session, pair, until - timedelta(days=14), until)
    assert (section.lines, section.total) == ([], 0)
    assert t(section.empty) == "No goals at risk or off track."
    # The same goals, weeks later without progress, need attention.
    late = goals_agenda.goals_section(session, pair, until, datetime(2026, 12, 28, 12, 0, tzinfo=UTC))
    assert [line.split(" — ")[0] for line in late.lines] == ["Fine"]


# -- HR alerts -------------------------------------------------------------------------------------------------


def alerts(session, *, open_only: bool = True) -> set[tuple[str, str, str]]:
    q = select(Alert).where(Alert.kind.in_(goals_jobs.KINDS))
    if open_only:
        q = q.where(Alert.resolved_at.is_(None))
    return {(a.kind, a.subject, a.period) for a in session.scalars(q)}


class JobCtx:
    """What the runtime hands a job, around the test's session."""

    def __init__(self, session, org, now):
        self.session, self.org = session, org
        self.clock = type("FixedClock", (), {"now": lambda _self: now})()

    def unit_of_work(self):
        return nullcontext(self.session)

    def team_id(self) -> str:
        return TEAM


def test_stalled_and_off_track_goals_are_alerts_once_each(session, org):
    now = datetime(2026, 11, 20, 6, 20, tzinfo=UTC)
    ana, bob = add_person(session, "UANA"), add_person(session, "UBOB")
    gone = add_person(session, "UGONE")
    stalled = make_goal(session, org, ana, "Quiet but fine", at=datetime(2026, 10, 1, 9, 0, tzinfo=UTC), progress=0.5)
    off = make_goal(session, org, bob, "Moving but behind", at=datetime(2026, 11, 18, 9, 0, tzinfo=UTC),
                    progress=0.05)
    both = make_goal(session, org, bob, "Quiet and behind", at=datetime(2026, 10, 5, 9, 0, tzinfo=UTC), progress=0.0)
    fresh = make_goal(session, org, ana, "Fresh and fine", at=datetime(2026, 11, 19, 9, 0, tzinfo=UTC), progress=0.6)
    make_goal(session, org, gone, "Owner left", at=datetime(2026, 10, 1, 9, 0, tzinfo=UTC))
    gone.is_deleted = True
    session.flush()

    [job] = g.FEATURE.jobs
    assert job.name == "goal_alerts"
    summary = job.run(JobCtx(session, org, now))
    assert summary == "4 new goal alerts (2 stalled, 2 off track), 0 resolved"
    assert alerts(session) == {
        ("goal.stalled", f"goal:{stalled.id}", "2026-10-15"),
        ("goal.stalled", f"goal:{both.id}", "2026-10-19"),
        ("goal.off_track", f"goal:{off.id}", "2026-11-20"),
        ("goal.off_track", f"goal:{both.id}", "2026-11-20"),
    }
    alert = session.scalars(select(Alert).where(Alert.subject == f"goal:{stalled.id}")).one()
    assert alert.person_id == ana.id and alert.details["since"] == "2026-10-01T09:00:00+00:00"
    # Idempotent, the same day and the next.
    assert job.run(JobCtx(session, org, now)) == "0 new goal alerts (0 stalled, 0 off track), 0 resolved"
    assert job.run(JobCtx(session, org, now + timedelta(days=1))).startswith("0 new goal alerts")
    assert session.scalar(select(func.count()).select_from(Alert)) == 4

    # An update ends the silence (and brings `both` on track): both of its alerts are resolved.
    g.update_goal(session, org, bob, g.UpdateDraft(both.id, "u1", progress=0.6), now=now + timedelta(days=1))
    assert job.run(JobCtx(session, org, now + timedelta(days=2))) == (
        "0 new goal alerts (0 stalled, 0 off track), 2 resolved")
    # Closing a goal resolves its alert; a new silence of `both` is a new alert.
    g.close_goal(session, org, ana, g.CloseDraft(stalled.id, "c1", final_score=0.5), now=now + timedelta(days=2))
    # Weeks later the other goals have gone quiet too.
    later = datetime(2026, 12, 8, 6, 20, tzinfo=UTC)
    assert job.run(JobCtx(session, org, later)) == "3 new goal alerts (3 stalled, 0 off track), 1 resolved"
    assert alerts(session) == {("goal.off_track", f"goal:{off.id}", "2026-11-20"),
                               ("goal.stalled", f"goal:{off.id}", "2026-12-02"),
                               ("goal.stalled", f"goal:{fresh.id}", "2026-12-03"),
                               ("goal.stalled", f"goal:{both.id}", "2026-12-05")}
    assert len(alerts(session, open_only=False)) == 7


# -- the DMs ---------------------------------------------------------------------------------------------------


def render(session, org, kind: str, recipient: Person, row: OutboxMessage | None = None):
    row = row or rows(session, kind)[-1]
    fn = renderers.RENDERERS[kind]
    return fn(RenderContext(session=session, org=org, row=row, recipient=recipient))


def test_the_nudge_says_which_goal_since_when_and_offers_an_update(session, clock, org):
    ana = add_person(session, "UANA")
    goal = make_goal(session, org, ana, "Ship <search> & filters", at=datetime(2026, 10, 30, 9, 0, tzinfo=UTC),
                     key_results=(g.KeyResultDraft("Queries served", start=0, target=1000, current=250),))
    tick_at(session, clock, org, datetime(2026, 11, 13, 10, 0, 30, tzinfo=UTC))  # Fri Nov 13 10:00 Lisbon
    [row] = rows(session, NUDGE)
    rendered = render(session, org, NUDGE, ana, row)
    check_blocks(rendered.blocks, limit=MESSAGE_BLOCKS_MAX, pointer="/blocks", error="invalid_blocks")
    assert rendered.text.startswith(":hourglass_flowing_sand: Your goal *Ship &lt;search&gt; &amp; filters* has had "
                                    "no update for 14 days, since <!date^")
    assert "|2026-10-30>" in rendered.text and "<search>" not in json.dumps(rendered.blocks)
    dump = json.dumps(rendered.blocks, ensure_ascii=False)
    assert "▓▓░░░░░░░░ 25%" in dump and "2026-Q4" in dump and ":large_yellow_circle: At risk (suggested)" in dump
    [button] = [e for b in rendered.blocks if b["type"] == "actions" for e in b["elements"]]
    assert (button["action_id"], button["value"]) == (Ids.UPDATE_BUTTON, str(goal.id))

    # Skipped when it no longer helps: updated, closed, or the owner out of reach.
    bob = add_person(session, "UBOB")
    with pytest.raises(Skip, match="does not own"):
        render(session, org, NUDGE, bob, row)
    ana.is_deleted = True
    with pytest.raises(Skip, match="cannot be reached"):
        render(session, org, NUDGE, ana, row)
    ana.is_deleted = False
    with pytest.raises(Skip, match="switched off"):
        render(session, org_with(enabled=False), NUDGE, ana, row)
    g.close_goal(session, org, ana, g.CloseDraft(goal.id, "c1", final_score=0.3), now=datetime(2026, 11, 13, 11, 0,
                                                                                               tzinfo=UTC))
    with pytest.raises(Skip, match="closed"):
        render(session, org, NUDGE, ana, row)


def test_the_close_out_prompt_asks_for_the_score_and_offers_the_close_out(session, clock, org):
    ana = add_person(session, "UANA")
    goal = make_goal(session, org, ana, "Grow <north>", at=datetime(2026, 12, 28, 9, 0, tzinfo=UTC), progress=0.8)
    tick_at(session, clock, org, datetime(2027, 1, 1, 10, 0, 30, tzinfo=UTC))
    [row] = rows(session, CLOSEOUT)
    assert row.payload["goal_id"] == goal.id and row.payload["ended_on"] == "2026-12-31"
    rendered = render(session, org, CLOSEOUT, ana, row)
    check_blocks(rendered.blocks, limit=MESSAGE_BLOCKS_MAX, pointer="/blocks", error="invalid_blocks")
    assert rendered.text == ":checkered_flag: 2026-Q4 has ended: time to close out your goal *Grow &lt;north&gt;*."
    dump = json.dumps(rendered.blocks, ensure_ascii=False)
    assert "▓▓▓▓▓▓▓▓░░ 80%" in dump and "carry it over into 2027-Q1" in dump
    [button] = [e for b in rendered.blocks if b["type"] == "actions" for e in b["elements"]]
    assert (button["action_id"], button["value"]) == (Ids.CLOSE_BUTTON, str(goal.id))
    g.close_goal(session, org, ana, g.CloseDraft(goal.id, "c1", final_score=0.8), now=datetime(2027, 1, 1, 11, 0,
                                                                                               tzinfo=UTC))
    with pytest.raises(Skip, match="closed"):
        render(session, org, CLOSEOUT, ana, row)


def test_the_close_out_modal_fits_slacks_limits(session, org):
    ana = add_person(session, "UANA")
    goal = make_goal(session, org, ana, "x" * 150, progress=0.456)
    view = closeout.closeout_modal(t, goal, next_key="2027-Q1", today=date(2026, 12, 31),
                                   private_metadata="{}").to_dict()
    check_blocks(view["blocks"], limit=VIEW_BLOCKS_MAX, pointer="/view/blocks", error="invalid_arguments")
    assert len(view["title"]["text"]) <= 24
    score = next(b for b in view["blocks"] if b.get("block_id") == Ids.SCORE_BLOCK)
    assert score["element"]["initial_value"] == "45.6" and score["element"]["type"] == "number_input"
    lessons = next(b for b in view["blocks"] if b.get("block_id") == Ids.LESSONS_BLOCK)
    assert lessons["optional"] is True and lessons["element"]["max_length"] == g.LESSONS_MAX


# -- through Slack -------------------------------------------------------------------------------------------


def seed(candor, managers: dict[str, str | None]) -> dict[str, int]:
    ids: dict[str, int] = {}
    with candor.rt.db.unit_of_work() as s:
        people = ensure_people(s, TEAM, list(managers), candor.rt.services.directory)
        for uid, person in people.items():
            assert person is not None
            person.created_at = CREATED
            ids[uid] = person.id
        for uid, manager in managers.items():
            people[uid].manager_id = people[manager].id if manager else None
    return ids


def goal_for(candor, uid: str, title: str, *, at: datetime, **kw) -> int:
    with candor.rt.db.unit_of_work() as s:
        owner = s.scalars(select(Person).where(Person.slack_user_id == uid)).one()
        return make_goal(s, candor.rt.org, owner, title, at=at, **kw).id


def run_tick(candor, now: datetime) -> None:
    candor.clock.set(now)
    with candor.rt.db.unit_of_work() as s:
        s.get(Workspace, TEAM).last_tick_at = now - MINUTE
        tick_all(s, candor.rt.org, TEAM, now=now)




def opened_views(candor) -> list[dict[str, Any]]:
    views = [c.params["view"] for c in candor.fake.calls_to("views.open")]
    return [json.loads(v) if isinstance(v, str) else v for v in views]


def close_values(score: str | None, lessons: str | None, choice: str | None) -> dict[str, Any]:
    option = {"value": choice, "text": {"type": "plain_text", "text": choice}} if choice else None
    return {Ids.SCORE_BLOCK: {Ids.SCORE_ACTION: {"type": "number_input", "value": score}},
            Ids.LESSONS_BLOCK: {Ids.LESSONS_ACTION: text_value(lessons)},
            Ids.CARRY_BLOCK: {Ids.CARRY_ACTION: {"type": "radio_buttons", "selected_option": option}}}




def test_nudge_dm_through_the_outbox_with_its_update_button(candor):
    seed(candor, {ANA: None, BOB: ANA})
    goal_id = goal_for(candor, BOB, "Cut p95 latency", at=datetime(2026, 11, 2, 16, 0, tzinfo=UTC))
    # Bob is in New York: silent 14 days on Mon Nov 16 at 11:00 EST, past ten: Tuesday 10:00 EST.
    run_tick(candor, datetime(2026, 11, 16, 15, 0, 30, tzinfo=UTC))
    run_tick(candor, datetime(2026, 11, 17, 15, 0, 30, tzinfo=UTC))
    candor.drain()
    [dm] = [m for m in candor.fake.dms_to(BOB) if "Cut p95 latency" in m["text"]]
    assert "has had no update for 14 days" in dm["text"]
    buttons = [e for b in dm["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [(b["action_id"], b["value"]) for b in buttons] == [(Ids.UPDATE_BUTTON, str(goal_id))]
    acked(candor.slack.block_action(Ids.UPDATE_BUTTON, user=BOB, value=str(goal_id)))  # opens the update modal
    assert opened_views(candor)[-1]["callback_id"] == Ids.UPDATE_MODAL
    run_tick(candor, datetime(2026, 11, 18, 15, 0, 30, tzinfo=UTC))
    candor.drain()
    assert len([m for m in candor.fake.dms_to(BOB) if "Cut p95 latency" in m["text"]]) == 1


def test_close_out_from_the_prompt_with_carry_over(candor):
    seed(candor, {ANA: None, BOB: ANA, CARA: None})
    goal_id = goal_for(candor, ANA, "Grow <north> revenue", at=datetime(2026, 12, 28, 9, 0, tzinfo=UTC),
                       key_results=(g.KeyResultDraft("New accounts", start=0, target=20, current=15),))
    run_tick(candor, datetime(2027, 1, 1, 10, 0, 30, tzinfo=UTC))  # Friday 10:00 in Lisbon
    candor.drain()
    [dm] = [m for m in candor.fake.dms_to(ANA) if "time to close out" in m["text"]]
    [button] = [e for b in dm["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert (button["action_id"], button["value"]) == (Ids.CLOSE_BUTTON, str(goal_id))

    acked(candor.slack.block_action(Ids.CLOSE_BUTTON, user=ANA, value=str(goal_id)))
    modal = opened_views(candor)[-1]
    assert modal["callback_id"] == Ids.CLOSE_MODAL and "Grow &lt;north&gt; revenue" in json.dumps(modal)
    score = next(b for b in modal["blocks"] if b.get("block_id") == Ids.SCORE_BLOCK)
    assert score["element"]["initial_value"] == "75"
    meta = modal["private_metadata"]

    def submit(score: str | None, lessons: str | None, choice: str | None, *, user: str = ANA, metadata: str = meta):
        return candor.slack.view_submission(Ids.CLOSE_MODAL, close_values(score, lessons, choice), user=user,
                                            view_id="VCLOSE0001", private_metadata=metadata)

    # Inline errors, each on its block; nothing is written, and the same view can be submitted again.
    assert errors(submit("150", None, "close")) == {Ids.SCORE_BLOCK: "The final score is between 0 and 100%."}
    assert errors(submit("-1", None, "close")) == {Ids.SCORE_BLOCK: "The final score is between 0 and 100%."}
    assert errors(submit("lots", None, None)) == {
        Ids.SCORE_BLOCK: "Enter the final score as a number from 0 to 100.",
        Ids.CARRY_BLOCK: "Choose whether to carry the goal over or close it."}
    assert errors(submit("80", "y" * (g.LESSONS_MAX + 1), "carry")) == {
        Ids.LESSONS_BLOCK: f"At most {g.LESSONS_MAX} characters (you wrote {g.LESSONS_MAX + 1})."}
    # Cara may see the (public) goal but not close it; Ana's sealed form is worthless to her.
    acked(candor.slack.block_action(Ids.CLOSE_BUTTON, user=CARA, value=str(goal_id)))
    assert "Only the goal's owner, their managers and HR admins can close it out." in json.dumps(
        opened_views(candor)[-1])
    assert "can't be checked any more" in errors(submit("80", None, "close", user=CARA))[Ids.SCORE_BLOCK]
    hers = candor.rt.services.sealer.seal(Ids.CLOSE_MODAL, CARA, {"goal": goal_id})
    assert "Only the goal's owner" in errors(submit("80", None, "close", user=CARA, metadata=hers))[Ids.SCORE_BLOCK]
    with candor.session() as s:
        assert s.get(Goal, goal_id).state == "active"

    # Success, twice (a double click): closed once, carried over once, the same confirmation both times.
    answers = [json.loads(acked(submit("80", "Start partner talks <earlier>", "carry")).text) for _ in range(2)]
    assert answers[0] == answers[1] and answers[0]["response_action"] == "update"
    shown = json.dumps(answers[0]["view"], ensure_ascii=False)
    assert "*Grow &lt;north&gt; revenue* is closed with a final score of 80%" in shown
    assert "It carries over into 2027-Q1" in shown
    with candor.session() as s:
        goal = s.get(Goal, goal_id)
        assert (goal.state, goal.final_score, goal.lessons) == ("closed", 0.8, "Start partner talks <earlier>")
        [successor] = s.scalars(select(Goal).where(Goal.id != goal_id)).all()
        assert goal.carried_to_id == successor.id
        assert (successor.period, successor.state, successor.owner_id) == ("2027-Q1", "active", goal.owner_id)
        [kr] = s.scalars(select(KeyResult).where(KeyResult.goal_id == successor.id)).all()
        assert (kr.title, kr.current_value, kr.target_value) == ("New accounts", 15.0, 20.0)
        assert s.scalar(select(func.count()).select_from(GoalUpdate).where(
            GoalUpdate.goal_id == goal_id, GoalUpdate.source == "closeout")) == 1
    # Ana's Home follows: the closed goal leaves it, the carried one joins it.
    candor.fake.home_views.pop(ANA, None)
    candor.drain_until(lambda: ANA in candor.fake.home_views)
    home = json.dumps(candor.fake.home_views[ANA], ensure_ascii=False)
    assert "2027-Q1" in home and "2026-Q4" not in home

    # The button again: already closed. The prompt, if it were still queued, would be skipped.
    acked(candor.slack.block_action(Ids.CLOSE_BUTTON, user=ANA, value=str(goal_id)))
    assert "is already closed" in json.dumps(opened_views(candor)[-1])
    # A close-out from another form (another view) changes nothing and says so.
    other = json.loads(acked(candor.slack.view_submission(
        Ids.CLOSE_MODAL, close_values("10", None, "close"), user=ANA, view_id="VCLOSE0002",
        private_metadata=meta)).text)
    assert "is already closed" in json.dumps(other["view"])
    with candor.session() as s:
        assert s.get(Goal, goal_id).final_score == 0.8
        assert s.scalar(select(func.count()).select_from(Goal)) == 2


def test_closing_without_carry_over_and_a_button_for_a_goal_that_is_not_there(candor):
    seed(candor, {ANA: None, BOB: ANA})
    goal_id = goal_for(candor, BOB, "Write the runbook", at=datetime(2026, 12, 1, 9, 0, tzinfo=UTC), progress=0.5)
    candor.clock.set(datetime(2027, 1, 4, 9, 0, tzinfo=UTC))
    # Bob's manager may close it out for him.
    acked(candor.slack.block_action(Ids.CLOSE_BUTTON, user=ANA, value=str(goal_id)))
    modal = opened_views(candor)[-1]
    assert modal["callback_id"] == Ids.CLOSE_MODAL
    done = json.loads(acked(candor.slack.view_submission(
        Ids.CLOSE_MODAL, close_values("50", None, "close"), user=ANA,
        private_metadata=modal["private_metadata"])).text)
    assert "is closed with a final score of 50%" in json.dumps(done["view"]) and "carries over" not in json.dumps(done)
    with candor.session() as s:
        goal = s.get(Goal, goal_id)
        assert (goal.state, goal.carried_to_id, goal.final_score) == ("closed", None, 0.5)
        assert timedelta(0) <= goal.closed_at - datetime(2027, 1, 4, 9, 0, tzinfo=UTC) < MINUTE
        assert s.scalar(select(func.count()).select_from(Goal)) == 1
    for value in ("999999", "not-a-number", ""):
        acked(candor.slack.block_action(Ids.CLOSE_BUTTON, user=ANA, value=value))
        view = json.dumps(opened_views(candor)[-1])
        assert "That goal doesn't exist or isn't visible to you." in view and Ids.CLOSE_MODAL not in view
