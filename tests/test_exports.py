"""The performance-data export (`models.exports`, each feature's `export.py`) on known data, on SQLite and
PostgreSQL: exact columns, competency levels only above the minimum and never a single anonymous rating, erased
people left out, CSV safe against formula injection, JSON, the audit entry, `candor export` run as an operator
would, and the data dictionary (docs/exports.md) in step with the registry. Fixed dates: passes on any day."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from bot.db import Database
from models.checkins.tables import Checkin
from models.core.clock import SYSTEM
from models.core.periods import PeriodError as ExportPeriodError
from models.core.periods import last_complete_quarter
from models.core.periods import parse_calendar_period as parse_export_period
from models.core.tables import AuditEntry, Person
from models.exports import (
    EXPORT_ACTION,
    all_columns,
    build_export,
    csv_cell,
    data_dictionary,
    record_export,
    to_csv,
    to_json,
)
from models.features import export_specs
from models.feedback.tables import (
    Feedback,
    FeedbackRequest,
    FeedbackRequestPeer,
    FeedbackRound,
    FeedbackRoundAnswer,
    FeedbackRoundRating,
)
from models.goals.tables import Goal
from models.kudos.tables import Kudos, KudosRecipient
from models.one_on_ones import meetings_between
from models.one_on_ones.tables import OneOnOneMeeting, OneOnOnePair
from models.people import ensure_workspace
from tests.conftest import TEAM, make_org
from tests.test_cli import base_env, run

NOW = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)  # after 2026-Q4
JOINED = datetime(2026, 1, 1, tzinfo=UTC)
Q4 = parse_export_period("2026-Q4")
EVIL_DEPARTMENT = '=HYPERLINK("http://evil.example","click")'
DOCS = Path(__file__).resolve().parent.parent / "docs" / "exports.md"


def at(month: int, day: int, year: int = 2026) -> datetime:
    return datetime(year, month, day, 12, 0, tzinfo=UTC)


def add(s, uid: str, name: str, *, manager: Person | None = None, department: str | None = None, **kw) -> Person:
    p = Person(team_id=TEAM, slack_user_id=uid, real_name=name, email=f"{uid.lower()}@example.com", tz="UTC",
               manager_id=manager.id if manager else None, department=department, created_at=JOINED, **kw)
    s.add(p)
    s.flush()
    return p


_keys = iter(range(1, 10_000))


def feedback(s, subject: Person, author: Person | None, competency: str | None, level: int | None, when: datetime,
             request: FeedbackRequest | None = None) -> None:
    s.add(Feedback(team_id=TEAM, author_id=author.id if author else None, subject_id=subject.id,
                   anonymous=author is None, competency=competency, level=level, behaviour="Led the review.",
                   example="In the launch review she walked us through the plan.", visibility="recipient",
                   created_at=when, source_key=f"fb{next(_keys)}", request_id=request.id if request else None))


def request(s, requester: Person, peers: list[Person], when: datetime, state: str = "answered") -> FeedbackRequest:
    r = FeedbackRequest(team_id=TEAM, requester_id=requester.id, created_at=when, source_key=f"rq{next(_keys)}")
    s.add(r)
    s.flush()
    for p in peers:
        s.add(FeedbackRequestPeer(request_id=r.id, peer_id=p.id, state=state))
    s.flush()
    return r


def round_(s, subject: Person, manager: Person, closed: datetime, manager_level: int, anonymous: list[int]) -> None:
    r = FeedbackRound(team_id=TEAM, subject_id=subject.id, started_by_id=manager.id, anonymous=True,
                      competencies=["ownership"], min_reviewers=3, deadline=closed.date(), closes_at=closed,
                      created_at=closed - timedelta(days=14), source_key=f"rd{next(_keys)}")
    s.add(r)
    s.flush()
    answers = [(manager.id, "manager", manager_level)] + [(None, None, level) for level in anonymous]
    for author_id, relation, level in answers:
        answer_id = f"a{next(_keys):031d}"
        s.add(FeedbackRoundAnswer(id=answer_id, round_id=r.id, author_id=author_id, relation=relation))
        s.flush()
        s.add(FeedbackRoundRating(answer_id=answer_id, competency="ownership", level=level, example="x"))
    s.flush()


def goal(s, owner: Person, key: str, *, progress: float = 0.0, status: str | None = None, level: str = "person",
         final_score: float | None = None) -> None:
    s.add(Goal(team_id=TEAM, level=level, owner_id=owner.id, title=key, slug=key, period="2026-Q4",
               starts_on=date(2026, 10, 1), ends_on=date(2026, 12, 31), progress=progress, status=status,
               state="closed" if final_score is not None else "active", final_score=final_score,
               last_update_at=at(10, 5), created_at=at(10, 1), source_key=key))


@pytest.fixture
def seeded(session, clock):
    """Ana manages Bob (department with a formula in it) and Li (named "+1"); Cara manages nobody; Gone is
    erased; a bot. Their quarter: kudos, check-ins, 1:1s, goals, feedback and two 360 rounds about Cara."""
    clock.set(NOW)
    ensure_workspace(session, TEAM)
    ana = add(session, "U0ANA", "Ana Lopez", department="Sales")
    bob = add(session, "U0BOB", "Bob Stone", manager=ana, department=EVIL_DEPARTMENT)
    li = add(session, "U0LI", "+1", manager=ana, department="Sales")
    cara = add(session, "U0CARA", "Cara Diaz", department="People")
    gone = add(session, "U0GONE", "Gone Person", department="Sales", erased_at=at(12, 1))
    add(session, "U0BOTUSER", "Build Bot", is_bot=True)

    for giver, recipients, when in ((ana, [bob], at(11, 2)), (ana, [bob, li], at(11, 3)), (bob, [ana], at(12, 1)),
                                    (bob, [ana], at(9, 30)), (gone, [ana], at(11, 5))):
        k = Kudos(team_id=TEAM, giver_id=giver.id, message="Thanks for the calm launch", created_at=when,
                  source_key=f"k{next(_keys)}")
        session.add(k)
        session.flush()
        for i, r in enumerate(recipients):
            session.add(KudosRecipient(kudos_id=k.id, person_id=r.id, position=i))

    for period in ("2026-W41", "2026-W42", "2026-W45", "2026-W40"):  # W40's prompt was on 2 October: in Q4
        session.add(Checkin(team_id=TEAM, person_id=bob.id, period=period, submitted_at=at(10, 2)))
    session.add(Checkin(team_id=TEAM, person_id=bob.id, period="2026-W39", submitted_at=at(9, 25)))  # Q3

    pair = OneOnOnePair(team_id=TEAM, manager_id=ana.id, report_id=bob.id, interval_weeks=2, weekday=1,
                        local_time="10:00", tz="UTC", anchor_week=date(2026, 10, 5), created_at=JOINED)
    session.add(pair)
    session.flush()
    slots = meetings_between(pair, Q4.start - timedelta(microseconds=1), Q4.end - timedelta(microseconds=1))
    assert len(slots) == 7  # Tuesdays every other week from 6 October to 29 December
    for slot in slots[:3]:
        session.add(OneOnOneMeeting(pair_id=pair.id, period=slot.period, scheduled_at=slot.at, held_at=slot.at,
                                    notes="private words"))
    session.add(OneOnOneMeeting(pair_id=pair.id, period=slots[3].period, scheduled_at=slots[3].at))  # not held

    goal(session, bob, "bob-grow", progress=0.5, status="on_track")
    goal(session, bob, "bob-ship", progress=0.2, status="off_track", final_score=0.9)
    goal(session, ana, "org-goal", progress=1.0, level="organisation")

    # Bob: two named ratings on collaboration, below the minimum of 3: empty.
    feedback(session, bob, ana, "collaboration", 3, at(11, 10))
    feedback(session, bob, li, "collaboration", 4, at(11, 11))
    # Li: two named ratings and a settled request whose three anonymous answers rated collaboration: shown.
    feedback(session, li, ana, "collaboration", 2, at(11, 10))
    feedback(session, li, bob, "collaboration", 3, at(11, 12))
    settled = request(session, li, [ana, bob, cara], at(11, 1))
    for level in (4, 4, 1):
        feedback(session, li, None, "collaboration", level, at(11, 4), settled)
    # Ana: three named ratings, and one anonymous answer to a request: never enough to be read, so left out.
    for author in (bob, li, cara):
        feedback(session, ana, author, "collaboration", 2, at(12, 2))
    lonely = request(session, ana, [bob, li, cara], at(12, 1))
    feedback(session, ana, None, "collaboration", 4, at(12, 3), lonely)
    # A request still waiting for someone: its anonymous answers may still change, so they do not count yet.
    waiting = request(session, cara, [ana, bob, li], at(10, 1), state="pending")
    for level in (1, 1, 1):
        feedback(session, cara, None, "collaboration", level, at(10, 3), waiting)
    feedback(session, cara, ana, "collaboration", 4, at(10, 5))
    # Out of the period: not counted.
    feedback(session, bob, cara, "collaboration", 1, at(9, 1))
    # Cara's 360s: one whose two anonymous answers are hidden (only the manager's counts), one that shows.
    round_(session, cara, ana, at(11, 20), 3, [4, 4])
    round_(session, cara, ana, at(12, 10), 1, [2, 3, 4])
    session.flush()
    return {"ana": ana, "bob": bob, "li": li, "cara": cara, "gone": gone}


def rows_by_id(export) -> dict[str, dict]:
    return {row["slack_id"]: row for row in export.rows}


def test_the_columns_on_known_data(session, seeded):
    org = make_org()
    export = build_export(session, org, TEAM, Q4)
    rows = rows_by_id(export)
    assert list(rows) == ["U0LI", "U0ANA", "U0BOB", "U0CARA"]  # by name; no erased person, no bot
    assert export.columns[:7] == ("period", "slack_id", "name", "email", "department", "manager", "manager_slack_id")
    assert [c for c in export.columns if c.startswith("level_")] == [
        f"level_{c.id}" for c in org.feedback.competencies]
    ana, bob, li, cara = rows["U0ANA"], rows["U0BOB"], rows["U0LI"], rows["U0CARA"]
    assert bob["manager"] == "Ana Lopez" and bob["manager_slack_id"] == "U0ANA" and ana["manager"] is None
    assert (bob["kudos_received"], bob["kudos_given"]) == (2, 1)
    assert (ana["kudos_received"], ana["kudos_given"]) == (2, 2)  # one from the erased person still counts
    assert (li["kudos_received"], cara["kudos_received"], cara["kudos_given"]) == (1, 0, 0)
    assert (bob["checkins_expected"], bob["checkins_submitted"], bob["checkin_participation"]) == (13, 4, 0.3077)
    assert (cara["checkins_expected"], cara["checkins_submitted"], cara["checkin_participation"]) == (13, 0, 0.0)
    assert (bob["one_on_ones_due"], bob["one_on_ones_held"]) == (7, 3)
    assert (ana["one_on_ones_due"], ana["one_on_ones_held"]) == (0, 0)  # as the report only
    assert (bob["goals_count"], bob["goal_attainment"], bob["goals_on_track"]) == (2, 0.7, 0.5)
    assert (ana["goals_count"], ana["goal_attainment"], ana["goals_on_track"]) == (0, None, None)
    assert (bob["feedback_received"], bob["feedback_given"]) == (2, 2)
    assert (li["feedback_received"], li["feedback_given"]) == (5, 2)
    assert (ana["feedback_received"], ana["feedback_given"]) == (4, 3)
    assert bob["level_collaboration"] is None  # two ratings: below feedback.min_reviewers
    assert li["level_collaboration"] == 2.8  # (2 + 3 + 4 + 4 + 1) / 5
    assert ana["level_collaboration"] == 2.0  # the lone anonymous 4 is not in it
    assert cara["level_collaboration"] is None  # one named rating; the pending request's answers wait
    assert cara["level_ownership"] == 2.6  # (3 + 1 named, 2 + 3 + 4 from the round that shows) / 5
    assert all(row[c] is None for row in rows.values() for c in ("level_growth", "level_communication"))


def test_a_single_anonymous_rating_can_never_be_read(session, seeded):
    """Exports of overlapping periods, and on different days, never differ by one anonymous rating."""
    org = make_org()
    month = build_export(session, org, TEAM, parse_export_period("2026-12"))
    quarter = build_export(session, org, TEAM, Q4)
    assert rows_by_id(month)["U0ANA"]["level_collaboration"] == 2.0 == rows_by_id(quarter)["U0ANA"][
        "level_collaboration"]
    # The waiting request settles: all three answers show at once, never one by one.
    session.execute(update(FeedbackRequestPeer).values(state="answered"))
    cara = rows_by_id(build_export(session, org, TEAM, Q4))["U0CARA"]
    assert cara["level_collaboration"] == round((1 + 1 + 1 + 4) / 4, 2)
    # Raise the minimum above every group: every figure with anonymous ratings goes empty.
    strict = make_org()
    strict = strict.model_copy(update={"feedback": strict.feedback.model_copy(update={"min_reviewers": 6})})
    rows = rows_by_id(build_export(session, strict, TEAM, Q4))
    assert all(row[f"level_{c.id}"] is None for row in rows.values() for c in strict.feedback.competencies)


def test_erased_people_are_left_out_and_pulse_is_never_exported(session, seeded):
    export = build_export(session, make_org(), TEAM, Q4)
    assert "U0GONE" not in to_csv(export) and "Gone Person" not in to_json(export)
    assert not [c for c in export.columns if "pulse" in c]


def test_csv_cells_are_safe_against_formula_injection(session, seeded):
    export = build_export(session, make_org(), TEAM, Q4)
    parsed = list(csv.DictReader(io.StringIO(to_csv(export))))
    bob = next(r for r in parsed if r["slack_id"] == "U0BOB")
    li = next(r for r in parsed if r["slack_id"] == "U0LI")
    assert bob["department"] == "'" + EVIL_DEPARTMENT and li["name"] == "'+1"
    assert bob["kudos_received"] == "2" and bob["checkin_participation"] == "0.3077" and bob["level_growth"] == ""
    for value in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert csv_cell(value) == "'" + value
    assert (csv_cell(-1), csv_cell(0.5), csv_cell(None), csv_cell("Sales")) == (-1, 0.5, "", "Sales")
    text = to_csv(export)
    assert "\n=" not in text and ",=" not in text and ",+" not in text


def test_json_shape(session, seeded):
    export = build_export(session, make_org(), TEAM, Q4)
    data = json.loads(to_json(export))
    assert set(data) == {"period", "columns", "rows"} and data["period"] == "2026-Q4"
    assert data["columns"] == list(export.columns) and len(data["rows"]) == 4
    li = data["rows"][0]
    assert list(li) == data["columns"] and li["name"] == "+1" and li["level_collaboration"] == 2.8
    assert li["goal_attainment"] is None


def test_the_export_is_audited_without_its_data(session, seeded):
    export = build_export(session, make_org(), TEAM, Q4)
    record_export(session, actor="slack:U0HR", team_id=TEAM, period=Q4, fmt="csv", rows=len(export.rows),
                  delivery="slack file to the requester")
    [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == EXPORT_ACTION)).all()
    assert (entry.actor, entry.subject, entry.details["format"], entry.details["rows"]) == (
        "slack:U0HR", "2026-Q4", "csv", 4)
    assert "Bob" not in json.dumps(entry.details)


@pytest.mark.parametrize(("text", "label", "start", "end"), [
    ("2026-Q4", "2026-Q4", date(2026, 10, 1), date(2027, 1, 1)),
    (" 2026-h2 ", "2026-H2", date(2026, 7, 1), date(2027, 1, 1)),
    ("2026", "2026", date(2026, 1, 1), date(2027, 1, 1)),
    ("2026-11", "2026-11", date(2026, 11, 1), date(2026, 12, 1)),
])
def test_periods(text, label, start, end):
    period = parse_export_period(text, "Europe/Berlin")
    assert (period.label, period.start.date(), period.end.date()) == (label, start, end)
    assert str(period.start.tzinfo) == str(period.end.tzinfo) == "Europe/Berlin"  # midnight in HR's zone


@pytest.mark.parametrize("text", ["", "2026-Q5", "2026-13", "Q4", "1900", "last quarter"])
def test_bad_periods_say_how_to_write_one(text):
    with pytest.raises(ExportPeriodError, match="2026-Q4"):
        parse_export_period(text)


def test_the_default_period_is_the_last_complete_quarter():
    assert last_complete_quarter(date(2027, 1, 10)).label == "2026-Q4"
    assert last_complete_quarter(date(2026, 12, 31)).label == "2026-Q3"
    assert last_complete_quarter(date(2026, 4, 1)).label == "2026-Q1"


def test_the_data_dictionary_lists_exactly_the_registrys_columns():
    text = DOCS.read_text(encoding="utf-8")
    assert data_dictionary() in text, "docs/exports.md is out of date: regenerate its table (models.exports)"
    listed = [line.split("|")[1].strip().strip("`") for line in text.splitlines() if line.startswith("| `")]
    assert listed == [c.name for c in all_columns()]
    assert {s.key for s in export_specs()} == {"kudos", "checkins", "one_on_ones", "goals", "feedback"}
    for c in all_columns():
        assert c.meaning and c.source and c.privacy


# -- the command line ----------------------------------------------------------------------------------------------


@pytest.fixture
def cli(db_url: str, tmp_path: Path) -> dict[str, str]:
    db = Database(db_url)
    with db.unit_of_work() as s:
        ensure_workspace(s, TEAM, "Candor Test")
        ana = add(s, "U0ANA", "Ana Lopez", department="Sales")
        add(s, "U0BOB", "Bob Stone", manager=ana, department=EVIL_DEPARTMENT)
        add(s, "U0GONE", "Gone Person", erased_at=JOINED)
    db.dispose()
    return {**base_env(tmp_path), "DATABASE_URL": db_url}


def audit_entries(db_url: str) -> list[AuditEntry]:
    db = Database(db_url)
    with db.reading() as s:
        found = list(s.scalars(select(AuditEntry).where(AuditEntry.action == EXPORT_ACTION).order_by(AuditEntry.id)))
        s.expunge_all()
    db.dispose()
    return found


def test_candor_export_csv_json_and_a_file(cli, db_url, tmp_path):
    out = run("export", "--period", "2026-Q4", env=cli).stdout
    parsed = list(csv.DictReader(io.StringIO(out)))
    assert [r["slack_id"] for r in parsed] == ["U0ANA", "U0BOB"]
    assert parsed[1]["department"] == "'" + EVIL_DEPARTMENT and parsed[1]["manager"] == "Ana Lopez"
    data = json.loads(run("export", "--period", "2026-11", "--format", "json", env=cli).stdout)
    assert data["period"] == "2026-11" and len(data["rows"]) == 2
    target = tmp_path / "q4.csv"
    done = run("export", "--period", "2026-Q4", "--out", str(target), env=cli)
    assert target.read_text(encoding="utf-8").startswith("period,slack_id,name,")
    assert "2 people, 2026-Q4, csv" in done.stderr
    default = run("export", env=cli).stdout
    expected = last_complete_quarter(SYSTEM.now().date()).label
    assert default.splitlines()[1].startswith(expected + ",")
    entries = audit_entries(db_url)
    assert [(e.details["period"], e.details["format"], e.details["rows"]) for e in entries] == [
        ("2026-Q4", "csv", 2), ("2026-11", "json", 2), ("2026-Q4", "csv", 2), (expected, "csv", 2)]
    assert all(e.actor.startswith("cli:") for e in entries)


@pytest.mark.parametrize(("args", "message"), [
    (["--period", "2026-Q5"], "isn't a period: write one like 2026-Q4"),
    (["--period", "2026-13"], "a month is 01 to 12"),
    (["--format", "xlsx"], "isn't a format: choose csv or json"),
    (["--out", "/nonexistent-dir/x.csv"], "its directory does not exist"),
    (["--team", "T0OTHER"], "workspace T0OTHER is not in this database"),
])
def test_candor_export_bad_input_is_a_sentence(cli, db_url, args, message):
    proc = run("export", *args, env=cli, check=False)
    assert proc.returncode == 2 and message in proc.stderr and "Traceback" not in proc.stderr
    assert audit_entries(db_url) == []
