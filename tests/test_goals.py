"""Goal domain rules on SQLite and PostgreSQL: periods, roll-up, the suggested status, who may create and
update which goal, alignment queries, visibility, close-out and carry-over. (Nudges, Slack and the CLI have
their own test files.)"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import func, select

from models import access
from models import goals as g
from models.core.config import GoalsConfig, OrgConfig
from models.core.tables import Person
from models.goals.tables import Goal, GoalUpdate, KeyResult
from models.people import ensure_workspace
from tests.conftest import TEAM, make_org

NOW = datetime(2026, 11, 16, 12, 0, tzinfo=UTC)  # mid 2026-Q4


def org_with(**goals: object) -> OrgConfig:
    base = make_org()
    return base.model_copy(update={"goals": base.goals.model_copy(update=goals)})


@pytest.fixture
def org() -> OrgConfig:
    return org_with()


def add_person(session, uid: str, *, manager: Person | None = None, department: str | None = None,
               hr: bool = False) -> Person:
    ensure_workspace(session, TEAM)
    p = Person(team_id=TEAM, slack_user_id=uid, real_name=uid.title(), display_name=uid.lower(), tz="UTC",
               manager_id=manager.id if manager else None, department=department, is_hr_admin=hr)
    session.add(p)
    session.flush()
    return p


@pytest.fixture
def team(session):
    """Hana is HR. Cara manages Ana (Sales), who manages Bob; Dev works in Engineering for nobody here."""
    hana = add_person(session, "UHANA", hr=True, department="People")
    cara = add_person(session, "UCARA", department="Sales")
    ana = add_person(session, "UANA", manager=cara, department="Sales")
    bob = add_person(session, "UBOB", manager=ana, department="Sales")
    dev = add_person(session, "UDEV", department="Engineering")
    return {"hana": hana, "cara": cara, "ana": ana, "bob": bob, "dev": dev}


def draft(owner: Person, title: str = "Grow revenue in the north", key: str | None = None, **kw) -> g.GoalDraft:
    return g.GoalDraft(team_id=TEAM, owner=owner, title=title, source_key=key or f"k:{title}:{owner.id}", **kw)


def make(session, org, author, owner=None, **kw) -> Goal:
    return g.create_goal(session, org, author, draft(owner or author, **kw), now=NOW).goal


# -- periods -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("start_month", "day", "kind", "key", "starts", "ends"), [
    (1, date(2026, 11, 29), "quarter", "2026-Q4", date(2026, 10, 1), date(2026, 12, 31)),
    (1, date(2026, 1, 1), "quarter", "2026-Q1", date(2026, 1, 1), date(2026, 3, 31)),
    (1, date(2026, 7, 1), "half", "2026-H2", date(2026, 7, 1), date(2026, 12, 31)),
    (4, date(2026, 11, 29), "quarter", "2026-Q3", date(2026, 10, 1), date(2026, 12, 31)),
    (4, date(2027, 2, 10), "quarter", "2026-Q4", date(2027, 1, 1), date(2027, 3, 31)),
    (4, date(2027, 2, 10), "year", "FY2026", date(2026, 4, 1), date(2027, 3, 31)),
])
def test_periods_follow_the_fiscal_year(start_month, day, kind, key, starts, ends):
    cfg = GoalsConfig(fiscal_year_start_month=start_month)
    period = g.period_containing(cfg, day, kind)
    assert (period.key, period.starts_on, period.ends_on) == (key, starts, ends)
    assert g.parse_period(cfg, key) == period


def test_period_keys_parse_and_the_next_one_follows():
    cfg = GoalsConfig()
    q4 = g.parse_period(cfg, "2026-q4")
    assert q4 is not None and q4.key == "2026-Q4"
    nxt = g.next_period(cfg, q4)
    assert (nxt.key, nxt.starts_on) == ("2027-Q1", date(2027, 1, 1))
    assert g.parse_period(cfg, "2026") == g.parse_period(cfg, "FY2026")
    for bad in ("2026-Q5", "Q4", "next quarter", "26-Q1", ""):
        assert g.parse_period(cfg, bad) is None


# -- progress and status -----------------------------------------------------------------------------------


def test_key_result_progress_moves_towards_the_target_either_way():
    assert g.value_progress("metric", 0, 200, 50) == 0.25
    assert g.value_progress("metric", 10, 2, 4) == 0.75  # a reduction: 10 → 2, now 4
    assert g.value_progress("metric", 0, 10, 15) == 1.0  # beyond the target counts as done
    assert g.value_progress("metric", 0, 10, -3) == 0.0
    assert g.value_progress("milestone", 0, 100, 40) == 0.4


def test_a_goal_rolls_up_its_weighted_key_results_and_a_parent_its_children():
    goal = Goal(progress=0.0, key_results=[
        KeyResult(kind="metric", start_value=0, target_value=100, current_value=50, weight=3),
        KeyResult(kind="milestone", start_value=0, target_value=100, current_value=100, weight=1),
    ])
    assert g.goal_progress(goal) == pytest.approx((0.5 * 3 + 1.0) / 4)
    plain = Goal(progress=0.2, key_results=[])
    assert g.goal_progress(plain) == 0.2
    assert g.rollup([goal, plain]) == pytest.approx(((0.5 * 3 + 1.0) / 4 + 0.2) / 2)
    assert g.rollup([]) is None


def test_the_suggested_status_weighs_progress_against_the_time_gone_by():
    q4 = g.parse_period(GoalsConfig(), "2026-Q4")
    assert q4 is not None
    start, halfway, last_week = date(2026, 10, 1), date(2026, 11, 15), date(2026, 12, 27)
    assert g.suggest_status(0.0, q4, start) == g.ON_TRACK
    assert g.suggest_status(0.5, q4, halfway) == g.ON_TRACK
    assert g.suggest_status(0.3, q4, halfway) == g.AT_RISK
    assert g.suggest_status(0.1, q4, halfway) == g.OFF_TRACK
    assert g.suggest_status(0.5, q4, last_week) == g.OFF_TRACK
    assert g.suggest_status(0.9, q4, last_week) == g.ON_TRACK
    assert g.progress_bar(0.5) == "▓▓▓▓▓░░░░░ 50%"


# -- create ------------------------------------------------------------------------------------------------


def test_a_goal_is_saved_once_with_its_key_results_and_a_first_history_entry(session, org, team):
    ana = team["ana"]
    d = draft(ana, key_results=(g.KeyResultDraft("New accounts", start=0, target=20, unit="accounts"),
                                g.KeyResultDraft("Launch the partner programme", kind="milestone")))
    first = g.create_goal(session, org, ana, d, now=NOW)
    again = g.create_goal(session, org, ana, d, now=NOW)
    assert first.created and not again.created and again.goal.id == first.goal.id
    goal = first.goal
    assert (goal.period, goal.starts_on, goal.ends_on, goal.visibility) == (
        "2026-Q4", date(2026, 10, 1), date(2026, 12, 31), "public")
    assert [(kr.title, kr.kind, kr.target_value, kr.unit) for kr in goal.key_results] == [
        ("New accounts", "metric", 20.0, "accounts"), ("Launch the partner programme", "milestone", 100.0, "")]
    assert session.scalar(select(func.count()).select_from(Goal)) == 1
    assert [u.source for u in g.history(session, goal)] == ["created"]


@pytest.mark.parametrize(("author", "level", "owner", "department", "code"), [
    ("bob", "person", "bob", None, None),
    ("ana", "person", "bob", None, None),  # a manager for a report
    ("cara", "person", "bob", None, None),  # further up the chain
    ("bob", "person", "ana", None, "not_allowed"),  # a report for their manager
    ("dev", "person", "bob", None, "not_allowed"),
    ("hana", "person", "bob", None, None),  # HR for anyone
    ("ana", "department", "ana", "Sales", None),
    ("ana", "department", "ana", "Engineering", "not_allowed"),  # not their department
    ("bob", "department", "bob", "Sales", "not_allowed"),  # manages nobody
    ("ana", "department", "dev", "Sales", "not_allowed"),  # her department, but owned by someone outside her chain
    ("ana", "department", "bob", "Sales", None),  # owned by her report
    ("hana", "department", "dev", "Engineering", None),
    ("hana", "organisation", "hana", None, None),
    ("cara", "organisation", "cara", None, "not_allowed"),
])
def test_who_may_create_which_goal(session, org, team, author, level, owner, department, code):
    d = draft(team[owner], level=level, department=department)
    if code is None:
        goal = g.create_goal(session, org, team[author], d, now=NOW).goal
        assert goal.level == level and goal.owner_id == team[owner].id
    else:
        with pytest.raises(g.GoalError) as err:
            g.create_goal(session, org, team[author], d, now=NOW)
        assert err.value.code == code
        assert session.scalar(select(func.count()).select_from(Goal)) == 0


@pytest.mark.parametrize(("change", "field", "code"), [
    ({"title": "   "}, "title", "empty"),
    ({"title": "x" * 151}, "title", "too_long"),
    ({"description": "y" * 2001}, "description", "too_long"),
    ({"period": "next quarter"}, "period", "bad_period"),
    ({"key_results": tuple(g.KeyResultDraft(f"kr {i}") for i in range(6))}, "key_results", "too_many_krs"),
    ({"key_results": (g.KeyResultDraft("Same", start=5, target=5),)}, "kr_0", "kr_no_change"),
    ({"key_results": (g.KeyResultDraft("", start=0, target=5),)}, "kr_0", "empty"),
    ({"key_results": (g.KeyResultDraft("Units", unit="u" * 21),)}, "kr_0", "too_long"),
    ({"key_results": (g.KeyResultDraft("Inf", target=float("inf")),)}, "kr_0", "not_a_number"),
    ({"parent_id": 999_999}, "parent", "parent_not_found"),
])
def test_a_goal_that_breaks_a_hard_limit_is_refused_on_its_field(session, org, team, change, field, code):
    with pytest.raises(g.GoalError) as err:
        g.create_goal(session, org, team["ana"], draft(team["ana"], **change), now=NOW)
    assert (err.value.field, err.value.code) == (field, code)
    assert session.scalar(select(func.count()).select_from(Goal)) == 0


def test_each_goal_gets_a_short_unique_name_from_its_title(session, org, team):
    one = make(session, org, team["ana"], title="Grow revenue in the North!")
    two = make(session, org, team["bob"], title="Grow revenue in the north")
    odd = make(session, org, team["bob"], title="¿Qué? ✨")
    assert (one.slug, two.slug, odd.slug) == ("grow-revenue-in-the-north", "grow-revenue-in-the-north-2", "que")
    assert g.find_by_slug(session, TEAM, "+Grow-Revenue-in-the-north-2") is two
    assert g.find_by_slug(session, TEAM, "nothing-like-it") is None
    # A private goal's name says nothing of its title, and its title takes no name from a later public goal.
    secret = make(session, org, team["dev"], title="Find a new job", visibility="private")
    later = make(session, org, team["bob"], title="Find a new job")
    assert secret.slug.startswith("private-") and "job" not in secret.slug and later.slug == "find-a-new-job"


def test_two_goals_given_the_same_name_at_once_both_save(session, org, team, monkeypatch):
    """The race of two people creating goals of one title at the same moment (each computed the same short
    name): the second gets a suffixed name, not an error, and its key results and history are saved."""
    first = make(session, org, team["ana"], title="Grow revenue")
    monkeypatch.setattr(g.rules, "make_slug", lambda *args, **kw: "grow-revenue")  # as if computed before
    second = g.create_goal(session, org, team["bob"], draft(team["bob"], "Grow revenue", key_results=(
        g.KeyResultDraft("Deals", target=5),)), now=NOW).goal
    assert first.slug == "grow-revenue" and second.slug.startswith("grow-revenue-") and second.id != first.id
    assert [kr.title for kr in second.key_results] == ["Deals"]
    assert [u.source for u in g.history(session, second)] == ["created"]


def test_the_default_period_is_the_owners_own_date(session, org, team):
    team["bob"].tz = "Australia/Sydney"  # 31 Dec 22:00 UTC is already 1 Jan 09:00 there
    new_year = datetime(2026, 12, 31, 22, 0, tzinfo=UTC)
    goal = g.create_goal(session, org, team["bob"], draft(team["bob"]), now=new_year).goal
    assert goal.period == "2027-Q1"


def test_the_soft_limit_warns_but_saves(session, team):
    org = org_with(soft_limit_active=2)
    results = [g.create_goal(session, org, team["bob"], draft(team["bob"], f"Goal {i}"), now=NOW) for i in range(3)]
    assert [(r.active_goals, r.over_soft_limit) for r in results] == [(1, False), (2, False), (3, True)]


def test_a_private_parent_the_author_cannot_see_is_refused(session, org, team):
    secret = make(session, org, team["dev"], title="Private plan", visibility="private")
    with pytest.raises(g.GoalError) as err:
        make(session, org, team["bob"], parent_id=secret.id)
    assert err.value.code == "parent_not_found"
    assert err.value.message == g.rules.NOT_FOUND  # the same words as a goal that does not exist


# -- alignment ---------------------------------------------------------------------------------------------


def test_ancestors_and_descendants_are_one_query_each(session, org, team, db):
    company = make(session, org, team["hana"], level="organisation", title="Win the north")
    sales = make(session, org, team["ana"], level="department", department="Sales", title="Sales north",
                 parent_id=company.id)
    bob = make(session, org, team["bob"], title="Bob's accounts", parent_id=sales.id)
    ana = make(session, org, team["ana"], title="Ana's partners", parent_id=sales.id)
    other = make(session, org, team["dev"], title="Unrelated")
    statements: list[str] = []
    from sqlalchemy import event

    def count(*args, **kw):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert [x.id for x in g.ancestors(session, bob.id)] == [sales.id, company.id]
        assert len(statements) == 1
        assert [x.id for x in g.descendants(session, company.id)] == [sales.id, bob.id, ana.id]
        assert len(statements) == 2
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert g.ancestors(session, company.id) == [] and g.descendants(session, other.id) == []
    choices = [x.id for x in g.parent_choices(session, org, team["ana"], excluding=sales.id)]
    assert sales.id not in choices and bob.id not in choices and company.id in choices
    assert choices[0] == company.id  # organisation goals first


# -- visibility (the policy table, for goals) --------------------------------------------------------------


@pytest.mark.parametrize(("viewer", "public", "private"), [
    ("bob", True, True),  # the owner
    ("ana", True, True),  # the owner's manager
    ("cara", True, True),  # skip level
    ("hana", True, True),  # HR
    ("dev", True, False),  # anyone else: public only
])
def test_visibility_follows_the_access_policy(session, org, team, viewer, public, private):
    pub = make(session, org, team["bob"], title="Public goal")
    priv = make(session, org, team["bob"], title="Private goal", visibility="private")
    who = team[viewer]
    assert g.can_see_goal(session, g.viewer_of(who, org), pub) is public
    assert g.can_see_goal(session, g.viewer_of(who, org), priv) is private
    listed = {x.title for x in g.goals_of(session, org, who, [team["bob"]])}
    assert listed == {t for t, ok in (("Public goal", public), ("Private goal", private)) if ok}
    assert g.can_see_goal(session, access.Viewer.operator(), priv)


def test_a_deactivated_viewer_sees_no_goals(session, org, team):
    make(session, org, team["bob"], title="Public goal")
    team["dev"].is_deleted = True
    assert g.goals_of(session, org, team["dev"], [team["bob"]]) == []


# -- updates -----------------------------------------------------------------------------------------------


def test_an_update_records_values_status_and_comment_once(session, org, team):
    goal = make(session, org, team["bob"], key_results=(g.KeyResultDraft("Accounts", target=20),))
    kr = goal.key_results[0]
    later = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    u = g.UpdateDraft(goal.id, "view:1", values={kr.id: 10}, status="at_risk", comment="Two deals slipped")
    _, new = g.update_goal(session, org, team["ana"], u, now=later)
    _, again = g.update_goal(session, org, team["ana"], u, now=later)
    assert new and not again
    assert kr.current_value == 10 and goal.status == "at_risk" and goal.last_update_at == later
    latest = g.history(session, goal)[0]
    assert (latest.comment, latest.status, latest.progress, latest.author_id, latest.values) == (
        "Two deals slipped", "at_risk", 0.5, team["ana"].id, {str(kr.id): 10})
    assert session.scalar(select(func.count()).select_from(GoalUpdate)) == 2  # created + this one


@pytest.mark.parametrize(("who", "code"), [("dev", "not_allowed"), ("bob", None), ("hana", None)])
def test_who_may_update(session, org, team, who, code):
    goal = make(session, org, team["bob"])
    u = g.UpdateDraft(goal.id, f"k:{who}", progress=0.4)
    if code is None:
        g.update_goal(session, org, team[who], u, now=NOW)
        assert goal.progress == 0.4
    else:
        with pytest.raises(g.GoalError) as err:
            g.update_goal(session, org, team[who], u, now=NOW)
        assert err.value.code == code and goal.progress == 0.0


@pytest.mark.parametrize(("values", "progress", "status", "field", "code"), [
    ({"milestone": 120}, None, None, "kr", "milestone_range"),
    ({"metric": float("nan")}, None, None, "kr", "not_a_number"),
    ({}, 1.5, None, "progress", "progress_range"),
    ({}, None, "great", "status", "status"),
])
def test_an_invalid_update_is_refused_and_writes_nothing(session, org, team, values, progress, status, field, code):
    goal = make(session, org, team["bob"], key_results=(g.KeyResultDraft("Accounts", target=20),
                                                        g.KeyResultDraft("Launch", kind="milestone")))
    ids = {"metric": goal.key_results[0].id, "milestone": goal.key_results[1].id}
    u = g.UpdateDraft(goal.id, "k", values={ids[k]: v for k, v in values.items()}, progress=progress, status=status)
    with pytest.raises(g.GoalError) as err:
        g.update_goal(session, org, team["bob"], u, now=NOW)
    assert err.value.code == code and err.value.field.startswith(field)
    assert [kr.current_value for kr in goal.key_results] == [0.0, 0.0]
    assert len(g.history(session, goal)) == 1


def test_close_out_records_the_score_and_carries_over_into_the_next_period(session, org, team):
    parent = make(session, org, team["hana"], level="organisation", title="Win the north")
    goal = make(session, org, team["bob"], parent_id=parent.id, key_results=(g.KeyResultDraft("Accounts", target=20),))
    g.update_goal(session, org, team["bob"], g.UpdateDraft(goal.id, "u1", values={goal.key_results[0].id: 12}), now=NOW)
    end = datetime.combine(date(2027, 1, 2), time(10), tzinfo=UTC)
    close = g.CloseDraft(goal.id, "close:1", final_score=0.6, lessons="Start partner talks earlier", carry_over=True)
    closed, successor = g.close_goal(session, org, team["bob"], close, now=end)
    _, same = g.close_goal(session, org, team["bob"], close, now=end)
    assert successor is not None and same is not None and same.id == successor.id
    assert (closed.state, closed.final_score, closed.lessons, closed.carried_to_id) == (
        "closed", 0.6, "Start partner talks earlier", successor.id)
    assert (successor.period, successor.state, successor.parent_id) == ("2027-Q1", "active", parent.id)
    assert [(kr.title, kr.current_value) for kr in successor.key_results] == [("Accounts", 12.0)]
    with pytest.raises(g.GoalError) as err:
        g.update_goal(session, org, team["bob"], g.UpdateDraft(goal.id, "late", progress=0.1), now=end)
    assert err.value.code == "closed"
    assert session.scalar(select(func.count()).select_from(Goal).where(Goal.state == "active")) == 2
