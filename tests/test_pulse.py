"""Pulse surveys, domain rules on SQLite and PostgreSQL: when a wave opens and closes, whom it asks and the cells
their answers count in, answering (anonymous in storage; a second answer refused), the invitation and the one
reminder (only to people who have not answered), results (groups below the minimum absent; the statistics; a
trend and a band from the group's own history), and a scan showing that nothing joins an answer to a person."""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import inspect, select

from bot.delivery import RenderContext, Skip
from handlers.pulse.renderers import render_invite, render_reminder
from models.core.base import Base
from models.core.config import OrgConfig, PulseQuestion, PulseSurvey
from models.core.prompts import pattern_for, tick
from models.core.tables import OutboxMessage, Person, ViewSubmission, Workspace
from models.people import ensure_workspace
from models.pulse import prompts as pulse_prompts
from models.pulse import waves
from models.pulse.cells import CATCH_ALL, Asked, assign_cells
from models.pulse.disclosure import safe_to_show
from models.pulse.jobs import HR_RESULTS, TEAM_RESULTS, send_results
from models.pulse.results import wave_results
from models.pulse.tables import PulseAnswer, PulseMember, PulseParticipation, PulseResponse, PulseWave
from tests.conftest import TEAM, make_org

pytestmark = pytest.mark.time_sensitive

KEY = b"k" * 32
WEEK = date(2026, 12, 7)  # 2026-W50: a survey week (every two weeks from 2026-01-05)
OPENING = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)  # Tuesday 8 December begins in UTC+14
CLOSES = datetime(2026, 12, 11, 12, 0, tzinfo=UTC)  # Thursday 10 December ends in UTC−12
DURING = datetime(2026, 12, 9, 12, 0, tzinfo=UTC)
AFTER = CLOSES + timedelta(hours=1)
QUESTIONS = [PulseQuestion(id="workload", text="My workload is manageable."),
             PulseQuestion(id="enps", text="Recommend us?", type="enps"),
             PulseQuestion(id="focus", text="Where should we focus?", type="choice", choices=["Tools", "Process"]),
             PulseQuestion(id="improve", text="What would help?", type="text")]


def org_with(minimum: int = 3, **survey: object) -> OrgConfig:
    base = make_org()
    pulse = base.pulse.model_copy(update={"enabled": True, "min_respondents": minimum, "surveys": [
        PulseSurvey(id="pulse", name="Team pulse", questions=QUESTIONS, **survey)]})
    return base.model_copy(update={"pulse": pulse})


@pytest.fixture
def org() -> OrgConfig:
    return org_with()


def add_person(session, uid: str, *, tz: str = "Europe/Lisbon", manager: Person | None = None,
               department: str | None = "Sales", **kw) -> Person:
    ensure_workspace(session, TEAM)
    p = Person(team_id=TEAM, slack_user_id=uid, real_name=uid.title(), display_name=uid.lower(), tz=tz,
               manager_id=manager.id if manager else None, department=department,
               created_at=datetime(2026, 1, 1, tzinfo=UTC), **kw)
    session.add(p)
    session.flush()
    return p


@pytest.fixture
def team(session):
    """Ana (Sales) manages six people in Sales; one of them, Bob, manages two more; Lea, Mo and Ned are Legal, with
    no manager in Candor; a bot."""
    ana = add_person(session, "ANA")
    people = {"ana": ana}
    for uid in ("BOB", "CY", "DI", "ED", "FI", "GUS"):
        people[uid.lower()] = add_person(session, uid, manager=ana, tz="America/New_York" if uid == "CY" else
                                         "Europe/Lisbon")
    for uid in ("HAL", "IVY"):
        people[uid.lower()] = add_person(session, uid, manager=people["bob"])
    for uid in ("LEA", "MO", "NED"):
        people[uid.lower()] = add_person(session, uid, department="Legal")
    people["bot"] = add_person(session, "ROBOT", is_bot=True)
    return people


def opened(session, org) -> PulseWave:
    [wave] = waves.open_waves(session, org, TEAM, now=OPENING)
    return wave


def answer(session, org, person: Person, wave: PulseWave, *, workload=4, enps=9, focus="Tools", improve=None,
           now=DURING):
    waves.answer(session, org, KEY, person, wave.id, {"workload": workload, "enps": enps, "focus": focus,
                                                     "improve": improve}, now=now)


# -- when and whom ----------------------------------------------------------------------------------------------


def test_a_wave_opens_before_its_day_begins_anywhere_and_closes_after_it_ends_everywhere(session, org, team):
    survey = org.pulse.surveys[0]
    assert waves.runs_in(survey, WEEK) and not waves.runs_in(survey, WEEK - timedelta(days=7))
    assert waves.closes_at(org, survey, WEEK) == CLOSES
    assert waves.open_waves(session, org, TEAM, now=OPENING - timedelta(minutes=1)) == []
    wave = opened(session, org)
    assert (wave.period, wave.opens_on, wave.closes_at, wave.min_respondents) == ("2026-W50", date(2026, 12, 8),
                                                                                   CLOSES, 3)
    assert [q["id"] for q in wave.questions] == ["workload", "enps", "focus", "improve"]
    assert waves.open_waves(session, org, TEAM, now=OPENING + timedelta(hours=1)) == []  # once
    asked = {m.person_id for m in wave.members}
    assert asked == {p.id for k, p in team.items() if k != "bot"}
    # Lisbon at 10:00 local on Tuesday; New York at 10:00 local; the reminder on Thursday, the last open day.
    assert waves.invite_due(survey, WEEK, pattern_for(team["cy"], org)) == datetime(2026, 12, 8, 15, 0, tzinfo=UTC)
    assert waves.reminder_due(org, survey, WEEK, pattern_for(team["di"], org)) == \
        datetime(2026, 12, 10, 10, 0, tzinfo=UTC)


def test_a_department_audience(session, team):
    org = org_with(departments=["legal"])
    wave = opened(session, org)
    assert sorted(m.person_id for m in wave.members) == sorted(team[k].id for k in ("lea", "mo", "ned"))


def test_cells_hold_at_least_the_minimum_of_people():
    # Sales: Ana (1) manages 2..7; Bob (2) manages 8 and 9; Zed (11) manages 12..14. Legal: 10, alone.
    manager_of = {1: None, **{i: 1 for i in range(2, 8)}, 8: 2, 9: 2, 10: None, 11: None, 12: 11, 13: 11, 14: 11}
    asked = [Asked(i, "Legal" if i == 10 else "Sales", manager_of[i]) for i in manager_of]
    cells = assign_cells(asked, manager_of, 3)
    assert cells[8] == cells[9] == cells[3] == "1|Sales"  # Bob's two join Ana's team cell
    sizes: dict[str, int] = {}
    for cell in cells.values():
        sizes[cell] = sizes.get(cell, 0) + 1
    assert min(sizes.values()) >= 3
    # Legal's one person cannot stand alone: the catch-all takes them, and the smallest cell to reach three.
    assert cells[10] == cells[12] == CATCH_ALL and sizes[CATCH_ALL] >= 3


def test_a_cycle_in_the_org_chart_does_not_hang_the_cells():
    manager_of = {1: 2, 2: 3, 3: 1, 4: 1}  # 1 → 2 → 3 → 1: a broken chart
    cells = assign_cells([Asked(i, "Sales", manager_of[i]) for i in manager_of], manager_of, 3)
    assert len(set(cells.values())) == 1 and set(cells) == {1, 2, 3, 4}


# -- answering --------------------------------------------------------------------------------------------------


def test_an_answer_is_stored_without_its_person_and_only_once(session, org, team):
    wave = opened(session, org)
    answer(session, org, team["cy"], wave, improve="More focus time")
    [response] = session.scalars(select(PulseResponse)).all()
    [participation] = session.scalars(select(PulseParticipation)).all()
    assert len(response.id) == 32 and response.cell == session.get(PulseMember, (wave.id, team["cy"].id)).cell
    assert participation.key == waves.participation_key(KEY, wave.id, team["cy"].id)
    assert participation.key != waves.participation_key(b"other key" * 4, wave.id, team["cy"].id)
    assert {(a.question_id, a.value, a.choice, a.text) for a in response.answers} == {
        ("workload", 4, None, None), ("enps", 9, None, None), ("focus", None, "Tools", None),
        ("improve", None, None, "More focus time")}
    with pytest.raises(waves.PulseError) as twice:
        answer(session, org, team["cy"], wave)
    assert twice.value.code == "answered" and "already answered" in str(twice.value)
    assert len(session.scalars(select(PulseResponse)).all()) == 1


@pytest.mark.parametrize(("changes", "code", "field"), [
    ({"workload": None}, "required", "workload"),
    ({"workload": 6}, "value", "workload"),
    ({"enps": 11}, "value", "enps"),
    ({"focus": "Snacks"}, "value", "focus"),
    ({"improve": "x" * 1001}, "too_long", "improve"),
])
def test_bad_answers_are_refused_and_nothing_is_written(session, org, team, changes, code, field):
    wave = opened(session, org)
    values = {"workload": 4, "enps": 9, "focus": "Tools", "improve": None, **changes}
    with pytest.raises(waves.PulseError) as err:
        waves.answer(session, org, KEY, team["cy"], wave.id, values, now=DURING)
    assert (err.value.code, err.value.field) == (code, field)
    assert session.scalars(select(PulseResponse)).all() == []
    assert session.scalars(select(PulseParticipation)).all() == []


def test_late_and_unasked_answers_are_refused(session, org, team):
    wave = opened(session, org)
    with pytest.raises(waves.PulseError) as late:
        answer(session, org, team["cy"], wave, now=AFTER)
    assert late.value.code == "closed"
    with pytest.raises(waves.PulseError) as unasked:
        answer(session, org, team["bot"], wave)
    assert unasked.value.code == "not_asked"


# -- invitation and reminder ------------------------------------------------------------------------------------


def run_tick(session, org, since: datetime, now: datetime):
    ws = session.get(Workspace, TEAM)
    ws.last_tick_at = since
    session.flush()
    return tick(session, org, TEAM, pulse_prompts.PROMPTS, now=now)


def render(session, org, row: OutboxMessage, fn, key: bytes | None = KEY):
    recipient = session.get(Person, row.recipient_id)
    return fn(RenderContext(session=session, org=org, row=row, recipient=recipient, keys=lambda _: key)
              if key is not None else RenderContext(session=session, org=org, row=row, recipient=recipient))


def test_the_reminder_goes_only_to_people_who_have_not_answered(session, org, team, clock):
    wave = opened(session, org)
    clock.set(datetime(2026, 12, 8, 16, 0, tzinfo=UTC))  # the renderers read the store's clock
    run_tick(session, org, OPENING, datetime(2026, 12, 8, 16, 0, tzinfo=UTC))
    invites = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == pulse_prompts.INVITE_KIND)).all()
    assert {m.recipient_id for m in invites} == {p.id for k, p in team.items() if k != "bot"}
    assert "Team pulse" in str(render(session, org, invites[0], render_invite).blocks)
    answer(session, org, team["di"], wave)
    clock.set(datetime(2026, 12, 10, 16, 0, tzinfo=UTC))
    run_tick(session, org, datetime(2026, 12, 10, 9, 0, tzinfo=UTC), datetime(2026, 12, 10, 16, 0, tzinfo=UTC))
    reminders = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == pulse_prompts.REMINDER_KIND)).all()
    sent, skipped = [], []
    for row in reminders:
        try:
            render(session, org, row, render_reminder)
            sent.append(row.recipient_id)
        except Skip:
            skipped.append(row.recipient_id)
    assert skipped == [team["di"].id] and team["cy"].id in sent and len(sent) == len(reminders) - 1
    with pytest.raises(Skip):  # a process without the key sends no reminder rather than a wrong one
        render(session, org, reminders[0], render_reminder, key=None)


# -- results ----------------------------------------------------------------------------------------------------


def test_results_show_groups_above_the_minimum_with_their_figures(session, org, team):
    wave = opened(session, org)
    scores = {"bob": (5, 10), "cy": (4, 9), "di": (2, 3), "ed": (4, 8), "hal": (3, 10)}
    for who, (agree, score) in scores.items():
        answer(session, org, team[who], wave, workload=agree, enps=score, improve=f"note from {who}")
    assert wave_results(session, org, wave, DURING).groups == ()  # nothing while open
    results = wave_results(session, org, wave, AFTER)
    everyone = results.group("all")
    assert everyone is not None and (everyone.respondents, everyone.invited) == (5, 12)
    workload = everyone.questions[0]
    assert workload.distribution == (0, 1, 1, 2, 1) and workload.mean == pytest.approx(3.6)
    assert workload.favourable is not None and workload.favourable.share == pytest.approx(0.6)
    enps = everyone.questions[1]
    assert enps.enps is not None and enps.enps.score == pytest.approx(40.0)  # 3 promoters, 1 detractor of 5
    assert enps.enps.margin == pytest.approx(1.96 * (0.64 / 5) ** 0.5 * 100)  # ± 70: five people say little
    assert sorted(everyone.questions[3].texts) == sorted(f"note from {w}" for w in scores)
    assert results.group("dept:Legal") is None  # nobody in Legal answered: absent
    ana_team = results.group(f"team:{team['ana'].id}")
    assert ana_team is not None and ana_team.respondents == 5
    assert all(g.respondents >= 3 for g in results.groups)


def test_an_optional_question_with_too_few_answers_shows_nothing(session, org, team):
    wave = opened(session, org)
    for who in ("bob", "cy", "di", "ed"):
        answer(session, org, team[who], wave, improve="Secret idea" if who == "bob" else None)
    everyone = wave_results(session, org, wave, AFTER).group("all")
    assert everyone is not None and everyone.respondents == 4
    improve = everyone.questions[3]
    assert (improve.shown, improve.texts, improve.answered) == (False, (), 0)  # one comment: not shown


def test_results_go_to_shown_teams_managers_and_hr_once(session, org, team):
    hr = add_person(session, "U0HR")
    wave = opened(session, org)
    for who in ("bob", "cy", "di", "ed"):
        answer(session, org, team[who], wave)
    assert send_results(session, org, TEAM, now=AFTER) >= 2
    assert send_results(session, org, TEAM, now=AFTER + timedelta(minutes=5)) == 0  # once
    rows = session.scalars(select(OutboxMessage).where(OutboxMessage.kind.in_([TEAM_RESULTS, HR_RESULTS]))).all()
    assert {(m.kind, m.recipient_id) for m in rows} >= {(TEAM_RESULTS, team["ana"].id), (HR_RESULTS, hr.id)}
    assert all(m.not_before >= AFTER for m in rows)


def _past_wave(session, org, team, week: date, favourable: int, of: int = 5) -> None:
    """A closed wave `week` with `of` answers, `favourable` of them agreeing."""
    wave = waves.open_waves(session, org, TEAM, now=waves.opening_moment(org.pulse.surveys[0], week))[0]
    for i, who in enumerate(["bob", "cy", "di", "ed", "fi", "gus"][:of]):
        answer(session, org, team[who], wave, workload=4 if i < favourable else 2,
               now=waves.opening_moment(org.pulse.surveys[0], week) + timedelta(days=1))


def test_a_trend_and_a_band_from_the_groups_own_history(session, org, team):
    weeks = [WEEK - timedelta(days=14 * i) for i in range(6, 0, -1)]
    for week, favourable in zip(weeks, [4, 3, 4, 4, 3, 4], strict=True):
        _past_wave(session, org, team, week, favourable)
    wave = opened(session, org)
    for i, who in enumerate(["bob", "cy", "di", "ed", "fi"]):
        answer(session, org, team[who], wave, workload=4 if i < 1 else 1)
    results = wave_results(session, org, wave, AFTER)
    workload = results.group("all").questions[0]
    assert workload.trend[-1] == pytest.approx(0.2) and len(workload.trend) == org.pulse.trend_periods
    # History 80 60 80 80 60 80 %: centre 73 %, average moving range 16 points, lower limit 31 %. This period's
    # 20 % is below it, and its Wilson interval (4–62 %) lies wholly below the centre: red.
    assert workload.band is not None and workload.band.colour == "red"
    assert workload.band.lower == pytest.approx(0.7333 - 2.66 * 0.16, abs=1e-3)


def test_a_question_added_later_has_no_trend_and_breaks_nothing(session, team):
    before = org_with()
    _past_wave(session, before, team, WEEK - timedelta(days=14), 4)
    later = org_with()
    extra = PulseQuestion(id="tools", text="I have the tools I need.")
    later = later.model_copy(update={"pulse": later.pulse.model_copy(update={"surveys": [
        PulseSurvey(id="pulse", name="Team pulse", questions=[*QUESTIONS, extra])]})})
    wave = opened(session, later)
    for who in ("bob", "cy", "di"):
        waves.answer(session, later, KEY, team[who], wave.id, {"workload": 4, "enps": 9, "focus": "Tools",
                                                              "tools": 2}, now=DURING)
    everyone = wave_results(session, later, wave, AFTER).group("all")
    assert everyone is not None
    tools = next(q for q in everyone.questions if q.question.id == "tools")
    assert tools.trend == () and tools.favourable is not None and tools.favourable.share == 0.0
    assert send_results(session, later, TEAM, now=AFTER) >= 1


def test_no_colour_with_too_few_periods(session, org, team):
    wave = opened(session, org)
    for who in ("bob", "cy", "di"):
        answer(session, org, team[who], wave)
    results = wave_results(session, org, wave, AFTER)
    assert all(q.band is None or q.band.colour is None for g in results.groups for q in g.questions)


# -- the scan ---------------------------------------------------------------------------------------------------


def test_no_table_or_log_joins_an_answer_to_a_person(session, org, team, caplog):
    caplog.set_level(logging.DEBUG)
    wave = opened(session, org)
    answer(session, org, team["cy"], wave, workload=2, improve="The secret workload complaint")
    person_tables = {t.name for t in Base.metadata.sorted_tables
                     if any(fk.column.table.name == "people" for c in t.columns for fk in c.foreign_keys)}
    for table in (PulseResponse, PulseAnswer, PulseParticipation):
        columns = list(table.__table__.columns)
        assert table.__tablename__ not in person_tables
        assert not any("person" in c.name or "user" in c.name or "author" in c.name for c in columns)
        assert not any(c.type.python_type is datetime for c in columns if hasattr(c.type, "python_type"))
    response = session.scalars(select(PulseResponse)).one()
    assert inspect(PulseResponse).columns["id"].type.python_type is str  # random, not a sequence
    # Nothing else was written when Cy answered: no form claim, no outbox row (a Home refresh would name her).
    assert session.scalars(select(ViewSubmission)).all() == []
    assert session.scalars(select(OutboxMessage)).all() == []
    # No other table holds the response's id; no log line holds the answer.
    for t in Base.metadata.sorted_tables:
        if t.name in ("pulse_responses", "pulse_answers"):
            continue
        for row in session.execute(select(t)).all():
            assert response.id not in str(row), t.name
    assert "secret workload complaint" not in caplog.text and str(team["cy"].id) not in caplog.text.split()


# -- property test: the whole pipeline ----------------------------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_generated_orgs_never_expose_a_group_below_the_minimum(session, data):
    """Random org trees and departments, random people answering (some skipping the optional question): every
    shown group, and every question's figures, stand on at least the minimum of answers, and the shown groups
    together isolate no smaller set of respondents (`safe_to_show`, checked on cells and on each question)."""
    minimum = data.draw(st.integers(3, 5), label="minimum")
    size = data.draw(st.integers(4, 24), label="people")
    managers = [None] + [data.draw(st.integers(0, i - 1)) for i in range(1, size)]
    departments = [data.draw(st.sampled_from(["Sales", "Ops", "Legal"])) for _ in range(size)]
    answering = data.draw(st.lists(st.booleans(), min_size=size, max_size=size), label="answering")
    commenting = data.draw(st.lists(st.booleans(), min_size=size, max_size=size), label="commenting")
    org = org_with(minimum)
    nested = session.begin_nested()
    try:
        ensure_workspace(session, TEAM)
        people: list[Person] = []
        for i in range(size):
            manager = people[managers[i]] if managers[i] is not None else None
            people.append(add_person(session, f"P{i}", manager=manager, department=departments[i]))
        wave = opened(session, org)
        for i, p in enumerate(people):
            if answering[i]:
                answer(session, org, p, wave, improve=f"comment {i}" if commenting[i] else None)
        results = wave_results(session, org, wave, AFTER)
        counts: dict[str, int] = {}
        for r in session.scalars(select(PulseResponse).where(PulseResponse.wave_id == wave.id)):
            counts[r.cell] = counts.get(r.cell, 0) + 1
        cells_of = {g.key: g for g in [*results.groups]}
        assert all(g.respondents >= minimum for g in results.groups)
        members = session.scalars(select(PulseMember).where(PulseMember.wave_id == wave.id)).all()
        shown_cells = [_cells(results, g.key, members) for g in cells_of.values()]
        assert safe_to_show(shown_cells, counts, minimum)
        for g in results.groups:
            improve = g.questions[3]
            assert not improve.shown or len(improve.texts) >= minimum
        # The optional question on its own: the groups showing it isolate no smaller set of its answers.
        commented: dict[str, int] = {}
        for r in session.scalars(select(PulseResponse).where(PulseResponse.wave_id == wave.id)):
            if any(a.question_id == "improve" for a in r.answers):
                commented[r.cell] = commented.get(r.cell, 0) + 1
        showing = [_cells(results, g.key, members) for g in results.groups if g.questions[3].shown]
        assert safe_to_show(showing, commented, minimum)
    finally:
        nested.rollback()


def _cells(results, key: str, members) -> frozenset[str]:
    """The cells behind a shown group, recomputed from the members (what the disclosure worked on)."""
    from models.pulse.cells import groups

    found = {g.key: g for g in groups({m.person_id: m.cell for m in members},
                                      {m.person_id: m.manager_id for m in members})}
    if key in found:
        return found[key].cells
    parent = key.split(":", 1)[1]  # an "Other" bucket: the cells of hidden children in no shown child
    shown = {g.key for g in results.groups}
    children = [g for g in found.values() if g.parent == parent]
    hidden = frozenset().union(*[g.cells for g in children if g.key not in shown])
    return hidden - frozenset().union(*[g.cells for g in children if g.key in shown])


# -- the command line -------------------------------------------------------------------------------------------


PAST_WEEK = date(2025, 12, 8)  # a survey week long closed, whatever today's date


def test_candor_pulse_results_prints_what_hr_may_see(db_url: str, tmp_path):
    from bot.db import Database
    from tests.test_cli import base_env, run

    org = OrgConfig()  # the command's own configuration: the default survey, minimum 5
    db = Database(db_url)
    with db.unit_of_work() as s:
        ana = add_person(s, "ANA")
        team = [add_person(s, f"P{i}", manager=ana) for i in range(6)]
        lone = add_person(s, "LEA", department="Legal")
        survey = org.pulse.surveys[0]
        opening = waves.opening_moment(survey, PAST_WEEK)
        [wave] = waves.open_waves(s, org, TEAM, now=opening)
        values = {"workload": 4, "growth": 2, "recognition": 5, "manager_support": 4, "enps": 10}
        for i, person in enumerate(team):
            waves.answer(s, org, KEY, person, wave.id, {**values, "growth": 2 + i % 3}, now=opening + timedelta(1))
        waves.answer(s, org, KEY, lone, wave.id, values, now=opening + timedelta(days=1))
    db.dispose()
    env = {**base_env(tmp_path), "DATABASE_URL": db_url}
    out = run("pulse", "results", env=env).stdout
    assert out.startswith("Team pulse — 2025-W50 (closed 2025-12-12 12:00 UTC)")
    assert "Everyone asked: 7 of 8 answered (88%)" in out
    assert "Department Legal" not in out  # one person: absent, not even named
    assert "favourable 100%" in out and "eNPS +100" in out
    data = json.loads(run("pulse", "results", "--period", "2025-w50", "--json", env=env).stdout)
    assert {g["key"] for g in data["groups"]} >= {"all"} and all(g["respondents"] >= 5 for g in data["groups"])
    bad = run("pulse", "results", "--period", "2031-W01", env=env, check=False)
    assert bad.returncode != 0 and "has no wave in 2031-W01" in bad.stderr and "Traceback" not in bad.stderr
    unknown = run("pulse", "results", "--survey", "nope", env=env, check=False)
    assert "there is no pulse survey 'nope' (surveys: pulse)" in unknown.stderr
    # A survey removed from the configuration keeps its results.
    config = tmp_path / "org.yml"
    config.write_text("pulse:\n  surveys:\n    - id: other\n      name: Other survey\n")
    removed = run("pulse", "results", "--survey", "pulse", env={**env, "CANDOR_CONFIG": str(config)}).stdout
    assert removed.startswith("pulse — 2025-W50") and "Everyone asked: 7 of 8 answered" in removed
