"""The HR digest's feedback and pulse sections on known data (SQLite and PostgreSQL): exact figures with their
baseline, the lines in English, the long tail, who counts (no bots, no deactivated people), what never appears
(what anyone wrote, who answered anonymously, a pulse group below the minimum), the activity hooks, and a
bounded number of statements for the feedback section whatever the history.

Every date is fixed: the feedback section's week is 2026-W48 (Monday 23 November 2026), the pulse section's
2026-W50 (the survey week of tests/test_pulse.py); the database's clock is set to a fixed moment after them."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event

from bot.i18n import translator
from models import feedback, pulse
from models.core.clock import ManualClock
from models.core.digest import HISTORY_WEEKS, DigestSection, Figure, Week
from models.core.messages import Message, Phrase
from models.core.tables import Person
from models.feedback.digest import feedback_activity, feedback_section
from models.feedback.tables import (
    Feedback,
    FeedbackRequest,
    FeedbackRequestPeer,
    FeedbackRound,
    FeedbackRoundAnswer,
)
from models.people import ensure_workspace
from models.pulse import waves
from models.pulse.digest import pulse_section
from models.pulse.results import wave_results
from models.pulse.tables import PulseWave
from tests.conftest import TEAM, make_org
from tests.test_pulse import AFTER as PULSE_AFTER
from tests.test_pulse import DURING
from tests.test_pulse import WEEK as PULSE_MONDAY
from tests.test_pulse import org_with as pulse_org

pytestmark = pytest.mark.time_sensitive

WEEK = Week(date(2026, 11, 23), "UTC")  # 2026-W48, in 2026-Q4
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # the digest runs after the week
EN = translator("en")
EXAMPLE = "In the launch review on Tuesday she summarised the three open risks in two minutes."
SECRET_BEHAVIOUR = "Ran the launch review calmly"
SECRET_IMPACT = "The team left with one plan"


def at(month: int, day: int, hour: int = 12) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def render(line: Message | str) -> str:
    if isinstance(line, Phrase):
        return line.in_language(EN)
    if isinstance(line, Message):
        return EN.message(line)
    return EN(line)


def everything(section: DigestSection) -> str:
    """Every word the section can show: title, labels, lines, empty message and the long tail."""
    parts = [render(section.title), *(render(f.label) for f in section.figures), *(render(x) for x in section.lines),
             *(render(section.empty) for _ in [0] if section.empty is not None), *section.tail_header,
             *(cell for row in section.tail for cell in row)]
    return "\n".join(parts)


def figure(section: DigestSection, key: str) -> Figure:
    return next(f for f in section.figures if f.key == key)


@contextmanager
def statements(session) -> Iterator[list[str]]:
    found: list[str] = []
    engine = session.get_bind()

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        found.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield found
    finally:
        event.remove(engine, "before_cursor_execute", count)


# -- feedback ---------------------------------------------------------------------------------------------------


def add_person(session, name: str, *, manager: Person | None = None, department: str | None = None,
               **kw: Any) -> Person:
    ensure_workspace(session, TEAM)
    p = Person(team_id=TEAM, slack_user_id=f"U0{name.upper()}", real_name=f"{name} Example", display_name=name,
               tz="UTC", manager_id=manager.id if manager else None, department=department,
               created_at=datetime(2026, 1, 1, tzinfo=UTC), **kw)
    session.add(p)
    session.flush()
    return p


_keys = iter(range(1, 10_000_000))


def give(session, author: Person | None, subject: Person, when: datetime, *, level: int | None = None,
         example: str = EXAMPLE, request: FeedbackRequest | None = None) -> Feedback:
    f = Feedback(team_id=TEAM, author_id=author.id if author else None, anonymous=author is None,
                 subject_id=subject.id, competency="ownership" if level is not None else None, level=level,
                 behaviour=SECRET_BEHAVIOUR, impact=SECRET_IMPACT, example=example, created_at=when,
                 request_id=request.id if request is not None else None, source_key=f"test-{next(_keys)}")
    session.add(f)
    session.flush()
    return f


def ask(session, requester: Person, when: datetime, *peers: tuple[Person, str, datetime | None, datetime | None]
        ) -> FeedbackRequest:
    """A request; each peer is (person, state, answered_at, declined_at)."""
    r = FeedbackRequest(team_id=TEAM, requester_id=requester.id, created_at=when, source_key=f"ask-{next(_keys)}")
    session.add(r)
    session.flush()
    for person, state, answered_at, declined_at in peers:
        session.add(FeedbackRequestPeer(request_id=r.id, peer_id=person.id, state=state, answered_at=answered_at,
                                        declined_at=declined_at))
    session.flush()
    return r


@pytest.fixture
def company(session, clock: ManualClock) -> dict[str, Person]:
    """2026-W48 and the eight weeks before it (from Monday 28 September).

    Olga leads; Cara (Sales) manages Ana, Bob and Li; Pat, Dan and Quinn (Support) report to Olga; Zed reports to
    nobody; Gone (Cara's) left; there is a bot.

    Feedback given, by week: 1, 2, 0, 1, 1, 1, 0, 6 and, in W48, 7 — Cara's four level-4 ownership ratings of
    her reports, Pat's "Good job." (too short an example), Dan's named answer to Li's request, and Quinn's
    anonymous answer to Dan's. Pat's feedback about Gone does not count. Cara gave 8 level-4 ratings in the
    quarter, Pat 7 at levels 2 and 3 (none of them Pat's reports): Cara is lenient. Gone and the bot each wrote
    about Pat in W48: not counted here either (the calibration module counts every row of the quarter).

    Requests: Ana asked Pat (declined 21 October) and Zed (still pending) on 14 October; Li asked Bob (pending) and
    Dan (answered 26 November) on 20 November; Dan asked Quinn (answered anonymously: no time), Ana and Li
    (pending) on 23 November at 08:00. Stale, from a deactivated requester, to a deactivated peer: never counted.
    """
    clock.set(NOW)
    olga = add_person(session, "Olga", department="Leadership")
    cara = add_person(session, "Cara", manager=olga, department="Sales")
    ana = add_person(session, "Ana", manager=cara, department="Sales")
    bob = add_person(session, "Bob", manager=cara, department="Sales")
    li = add_person(session, "Li", manager=cara, department="Sales")
    pat = add_person(session, "Pat", manager=olga, department="Support")
    dan = add_person(session, "Dan", manager=olga, department="Support")
    quinn = add_person(session, "Quinn", manager=olga, department="Support")
    zed = add_person(session, "Zed")
    gone = add_person(session, "Gone", manager=cara, is_deleted=True)
    robot = add_person(session, "Robot", is_bot=True)

    give(session, pat, ana, at(9, 29), level=2)  # W40, in Q3
    give(session, pat, bob, at(10, 6), level=3)
    give(session, pat, li, at(10, 7), level=2)
    give(session, pat, quinn, at(10, 20), level=3)
    give(session, pat, ana, at(10, 27), level=2)
    give(session, pat, bob, at(11, 3), level=3)
    for day, subject in zip((17, 18, 19, 20), (ana, bob, li, ana), strict=True):
        give(session, cara, subject, at(11, day), level=4)
    give(session, pat, li, at(11, 17, 9), level=2)
    give(session, pat, dan, at(11, 18, 9), level=3)
    # W48
    for day, subject in zip((24, 25, 26, 27), (bob, li, ana, bob), strict=True):
        give(session, cara, subject, at(11, day), level=4)
    give(session, pat, ana, at(11, 26, 15), example="Good job.")
    give(session, pat, gone, at(11, 24, 15))  # about someone who left: not counted
    give(session, gone, pat, at(11, 24, 16))  # by someone who left: not counted
    give(session, robot, pat, at(11, 24, 17))  # by a bot: not counted

    ask(session, ana, at(10, 14), (pat, "declined", None, at(10, 21)), (zed, "pending", None, None))
    lis = ask(session, li, at(11, 20), (bob, "pending", None, None), (dan, "answered", at(11, 26), None))
    give(session, dan, li, at(11, 26), request=lis)
    dans = ask(session, dan, at(11, 23, 8), (quinn, "answered", None, None), (ana, "pending", None, None),
               (li, "pending", None, None))
    give(session, None, dan, at(11, 25), request=dans)  # Quinn's answer: anonymous
    ask(session, ana, at(6, 1), (bob, "pending", None, None))  # stale
    ask(session, gone, at(11, 2), (olga, "pending", None, None))  # the requester left
    ask(session, ana, at(11, 2), (gone, "pending", None, None))  # the peer left
    session.flush()
    return {p.display_name.lower(): p for p in (olga, cara, ana, bob, li, pat, dan, quinn, zed, gone, robot)}


def test_the_feedback_section_on_known_data(session, company):
    section = feedback_section(session, make_org(), TEAM, WEEK)
    assert (section.key, render(section.title), section.empty) == ("feedback", "Feedback", None)
    assert [f.key for f in section.figures] == ["feedback.given", "feedback.with_example", "feedback.unanswered"]

    given = figure(section, "feedback.given")
    assert (given.value, given.unit, given.history, given.people) == (7, "count", (1, 2, 0, 1, 1, 1, 0, 6), 3)
    assert given.higher_is_better and given.band is None and len(given.history) == HISTORY_WEEKS
    # Six of seven have an example long enough; the weeks with feedback before had only such feedback (a week
    # with none has no share and is left out). Cara, Pat and Dan wrote them; the anonymous answer adds nobody.
    example = figure(section, "feedback.with_example")
    assert (example.unit, example.history, example.people) == ("share", (1.0,) * 6, 3)
    assert example.value == pytest.approx(6 / 7)
    # Zed since 14 October (Pat until he declined on the 21st); at the end of W48 also Bob (asked 20 November),
    # Ana and Li (asked 23 November): Dan answered, and Quinn's anonymous answer has no time.
    unanswered = figure(section, "feedback.unanswered")
    assert (unanswered.value, unanswered.history, unanswered.people, unanswered.higher_is_better) == (
        4, (0, 0, 2, 1, 1, 1, 1, 1), 4, False)

    assert [render(line) for line in section.lines] == [
        "Managers rating more leniently than the rest of the organisation in 2026-Q4: Cara (8 ratings)",
        # The calibration module's figures, as it shows them: it counts every piece of feedback of the quarter.
        "95% of the feedback and 360 ratings in 2026-Q4 have a concrete example (20 of 21).",
        "Feedback in 2026-Q4 is weighted to the end: 76% of it came in the last quarter of the time so far, where an "
        "even spread gives 25%.",
        "3 of 9 people received no feedback in 2026-Q4.",  # Pat had some, if only from Gone and the bot
    ]
    assert section.tail_header == ("List", "Person", "Department", "Verdict", "Ratings")
    assert section.tail == (
        ("manager's ratings", "Cara", "Sales", "lenient", "8"),
        ("no feedback in 2026-Q4", "Cara", "Sales", "", ""),
        ("no feedback in 2026-Q4", "Olga", "Leadership", "", ""),
        ("no feedback in 2026-Q4", "Zed", "", "", ""),
    )


def test_the_feedback_section_never_shows_what_anyone_wrote_nor_who_answered_anonymously(session, company):
    shown = everything(feedback_section(session, make_org(), TEAM, WEEK))
    for words in (SECRET_BEHAVIOUR, SECRET_IMPACT, EXAMPLE, "Good job"):
        assert words not in shown
    assert "Quinn" not in shown  # answered anonymously; received feedback, manages nobody
    for absent in ("Gone", "Robot"):
        assert absent not in shown


def test_a_quarter_with_little_feedback_shows_no_calibration_figure(session, clock):
    """Below `calibration_min_ratings` the calibration module hides its figures: so does the section."""
    clock.set(NOW)
    ana = add_person(session, "Ana")
    bob = add_person(session, "Bob", manager=ana)
    give(session, ana, bob, at(11, 24), level=4)
    section = feedback_section(session, make_org(), TEAM, WEEK)
    assert figure(section, "feedback.given").value == 1
    assert [render(line) for line in section.lines] == ["1 of 2 people received no feedback in 2026-Q4."]
    assert section.tail == (("manager's ratings", "Ana", "", "too few ratings to compare", "1"),
                            ("no feedback in 2026-Q4", "Ana", "", "", ""))


def test_feedback_turned_off(session, company):
    org = make_org()
    org = org.model_copy(update={"feedback": org.feedback.model_copy(update={"enabled": False})})
    section = feedback_section(session, org, TEAM, WEEK)
    assert section.figures == () and render(section.empty or "") == "Feedback is turned off."


def test_the_feedback_section_takes_the_same_statements_whatever_the_history(session, company):
    org = make_org()
    with statements(session) as before:
        first = feedback_section(session, org, TEAM, WEEK)
    people = company
    for i in range(60):  # a year of older feedback and requests, all outside the weeks and the quarter
        when = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(days=5 * i)
        give(session, people["pat"], people["ana"], when, level=2)
        ask(session, people["bob"], when, (people["li"], "pending", None, None))
    session.flush()
    with statements(session) as after:
        second = feedback_section(session, org, TEAM, WEEK)
    assert len(after) == len(before) <= 8
    assert second == first


def test_feedback_activity_names_named_authors_requesters_and_named_360_reviewers(session, company):
    p = company
    # W48: a named round about Quinn that closed on 27 November, answered by Zed; an anonymous round about Bob
    # whose manager's answer (Olga's: named even there) and anonymous answers do not count; a cancelled round.
    named = FeedbackRound(team_id=TEAM, subject_id=p["quinn"].id, started_by_id=p["olga"].id, anonymous=False,
                          competencies=["ownership"], min_reviewers=3, deadline=date(2026, 11, 30),
                          closes_at=at(12, 1), closed_at=at(11, 27), created_at=at(11, 13), source_key="r1")
    hidden = FeedbackRound(team_id=TEAM, subject_id=p["bob"].id, started_by_id=p["olga"].id, anonymous=True,
                           competencies=["ownership"], min_reviewers=3, deadline=date(2026, 11, 25),
                           closes_at=at(11, 26), created_at=at(11, 12), source_key="r2")
    cancelled = FeedbackRound(team_id=TEAM, subject_id=p["ana"].id, started_by_id=p["olga"].id, anonymous=False,
                              competencies=["ownership"], min_reviewers=3, deadline=date(2026, 11, 25),
                              closes_at=at(11, 26), cancelled_at=at(11, 20), created_at=at(11, 12),
                              source_key="r3")
    session.add_all([named, hidden, cancelled])
    session.flush()
    for round_, author in ((named, p["zed"]), (hidden, p["olga"]), (hidden, None), (cancelled, p["li"])):
        session.add(FeedbackRoundAnswer(id=uuid.uuid4().hex, round_id=round_.id,
                                        author_id=author.id if author else None))
    session.flush()
    found = feedback_activity(session, TEAM, WEEK.start, WEEK.end)
    assert found == {p[n].id for n in ("cara", "pat", "dan", "zed")}  # Dan also asked; never Quinn (anonymous)
    assert feedback_activity(session, TEAM, WEEK.back(1).start, WEEK.back(1).end) == {
        p[n].id for n in ("cara", "pat", "li")}


def test_the_features_declare_the_sections():
    assert [(s.key, s.order) for s in feedback.FEATURE.digest_sections] == [("feedback", 50)]
    assert [a.name for a in feedback.FEATURE.activity] == ["feedback"]
    assert [(s.key, s.order) for s in pulse.FEATURE.digest_sections] == [("pulse", 60)]
    assert pulse.FEATURE.activity == ()  # answering a pulse is anonymous: never activity


# -- pulse ------------------------------------------------------------------------------------------------------

PULSE_WEEK = Week(PULSE_MONDAY, "UTC")  # 2026-W50: the wave opens on Tuesday 8 and closes on 11 December


def add_member(session, uid: str, *, manager: Person | None = None, department: str | None = "Sales",
               **kw: Any) -> Person:
    ensure_workspace(session, TEAM)
    p = Person(team_id=TEAM, slack_user_id=uid, real_name=uid.title(), display_name=uid.lower(), tz="Europe/Lisbon",
               manager_id=manager.id if manager else None, department=department,
               created_at=datetime(2026, 1, 1, tzinfo=UTC), **kw)
    session.add(p)
    session.flush()
    return p


@pytest.fixture
def staff(session) -> dict[str, Person]:
    """As in tests/test_pulse.py: Ana (Sales) manages six, Bob of them two more; Lea, Mo and Ned are Legal."""
    ana = add_member(session, "ANA")
    people = {"ana": ana}
    for uid in ("BOB", "CY", "DI", "ED", "FI", "GUS"):
        people[uid.lower()] = add_member(session, uid, manager=ana)
    for uid in ("HAL", "IVY"):
        people[uid.lower()] = add_member(session, uid, manager=people["bob"])
    for uid in ("LEA", "MO", "NED"):
        people[uid.lower()] = add_member(session, uid, department="Legal")
    people["bot"] = add_member(session, "ROBOT", is_bot=True)
    return people


def opened_at(session, org, monday: date) -> PulseWave:
    [wave] = waves.open_waves(session, org, TEAM, now=waves.opening_moment(org.pulse.surveys[0], monday))
    return wave


def respond(session, org, person: Person, wave: PulseWave, *, workload: int, enps: int, now: datetime,
            improve: str | None = None) -> None:
    waves.answer(session, org, b"k" * 32, person, wave.id,
                 {"workload": workload, "enps": enps, "focus": "Tools", "improve": improve}, now=now)


def pulse_history(session, org, staff) -> None:
    """Six earlier waves, every two weeks, with five answers each: 4, 3, 4, 4, 3 and 4 of them favourable, all
    of them promoters."""
    for i, favourable in zip(range(6, 0, -1), (4, 3, 4, 4, 3, 4), strict=True):
        monday = PULSE_MONDAY - timedelta(days=14 * i)
        wave = opened_at(session, org, monday)
        for j, who in enumerate(("bob", "cy", "di", "ed", "fi")):
            respond(session, org, staff[who], wave, workload=4 if j < favourable else 2, enps=9,
                    now=waves.opening_moment(org.pulse.surveys[0], monday) + timedelta(days=1))


def test_the_pulse_section_shows_what_the_results_disclose(session, clock, staff):
    clock.set(PULSE_AFTER + timedelta(days=3))
    org = pulse_org()
    pulse_history(session, org, staff)
    wave = opened_at(session, org, PULSE_MONDAY)
    for i, who in enumerate(("bob", "cy", "di", "ed", "fi")):
        respond(session, org, staff[who], wave, workload=4 if i == 0 else 1, enps=(10, 9, 3, 8, 9)[i], now=DURING,
                improve="A secret only I would write" if who == "bob" else None)
    for who in ("lea", "mo"):  # two in Legal: below the minimum of three
        respond(session, org, staff[who], wave, workload=2, enps=10, now=DURING)

    section = pulse_section(session, org, TEAM, PULSE_WEEK)
    results = wave_results(session, org, wave, PULSE_AFTER)
    shown = {g.key for g in results.groups}
    assert "dept:Legal" not in shown and "all" in shown
    everyone = results.group("all")
    assert everyone is not None and everyone.respondents == 7

    assert (section.key, render(section.title), section.empty) == ("pulse", "Pulse surveys", None)
    workload, enps = section.figures
    # 1 of 7 favourable (Bob): the trend's earlier points are the last five waves' 60, 80, 80, 60, 80 %.
    assert (workload.key, workload.unit, workload.people) == ("pulse.pulse.workload", "share", 7)
    assert workload.value == pytest.approx(1 / 7)
    assert workload.history == pytest.approx((0.6, 0.8, 0.8, 0.6, 0.8))
    assert render(workload.label) == "Team pulse: favourable to “My workload is manageable.”"
    # Promoters Bob, Cy, Fi, Lea, Mo; detractor Di: (5 - 1) / 7.
    assert (enps.key, enps.unit, enps.people, enps.history) == ("pulse.pulse.enps", "points", 7, (100.0,) * 5)
    assert enps.value == pytest.approx(100 * 4 / 7)
    assert render(enps.label) == "Team pulse: eNPS of “Recommend us?”"
    assert everyone.questions[0].trend[:-1] == workload.history  # nothing recomputed

    lines = [render(line) for line in section.lines]
    assert len(lines) == len(results.groups)
    assert lines[0].startswith("Team pulse (2026-W50) · Everyone asked: 7 answered")
    for g, line in zip(results.groups, lines, strict=True):
        assert f": {g.respondents} answered" in line
        for q in g.questions:
            if q.band is not None and q.band.colour in ("amber", "red"):
                assert f"“{q.question.text}”" in line
    assert everyone.questions[0].band is not None and everyone.questions[0].band.colour == "red"
    assert "“My workload is manageable.” well below its usual range" in lines[0]
    assert section.tail_header == ("Survey", "Wave", "Group", "Question", "Answers", "Favourable", "eNPS")
    assert section.tail[:2] == (
        ("Team pulse", "2026-W50", "Everyone asked", "My workload is manageable.", "7", "14%", ""),
        ("Team pulse", "2026-W50", "Everyone asked", "Recommend us?", "7", "", "+57"),
    )
    assert {row[2] for row in section.tail} == {render(line).split(" · ")[1].split(":")[0] for line in section.lines}
    assert len(section.tail) == 2 * len(results.groups)

    text = everything(section)
    assert "Legal" not in text  # a group below the minimum is absent
    assert "secret" not in text.lower()  # free text never reaches the digest
    assert "Where should we focus?" not in text  # a choice question has no headline


def test_each_shown_group_has_a_line_and_its_rows_and_a_small_team_none(session, clock, staff):
    """Ten answer: seven in Sales (two of them Bob's reports), three in Legal. Bob's team has two: absent."""
    clock.set(PULSE_AFTER + timedelta(days=3))
    org = pulse_org()
    wave = opened_at(session, org, PULSE_MONDAY)
    for who, workload, score in (("bob", 4, 10), ("cy", 5, 9), ("di", 2, 3), ("ed", 4, 8), ("fi", 1, 9),
                                 ("hal", 4, 6), ("ivy", 4, 10), ("lea", 2, 7), ("mo", 2, 8), ("ned", 4, 9)):
        respond(session, org, staff[who], wave, workload=workload, enps=score, now=DURING)
    section = pulse_section(session, org, TEAM, PULSE_WEEK)
    assert [render(line) for line in section.lines] == [
        "Team pulse (2026-W50) · Everyone asked: 10 answered",
        "Team pulse (2026-W50) · Department Legal: 3 answered",
        "Team pulse (2026-W50) · Department Sales: 7 answered",
        "Team pulse (2026-W50) · ana's team: 7 answered",
    ]  # no band: a first wave has no history
    assert section.tail == (
        ("Team pulse", "2026-W50", "Everyone asked", "My workload is manageable.", "10", "60%", ""),
        ("Team pulse", "2026-W50", "Everyone asked", "Recommend us?", "10", "", "+30"),
        ("Team pulse", "2026-W50", "Department Legal", "My workload is manageable.", "3", "33%", ""),
        ("Team pulse", "2026-W50", "Department Legal", "Recommend us?", "3", "", "+33"),
        ("Team pulse", "2026-W50", "Department Sales", "My workload is manageable.", "7", "71%", ""),
        ("Team pulse", "2026-W50", "Department Sales", "Recommend us?", "7", "", "+29"),
        ("Team pulse", "2026-W50", "ana's team", "My workload is manageable.", "7", "71%", ""),
        ("Team pulse", "2026-W50", "ana's team", "Recommend us?", "7", "", "+29"),
    )
    # Only the whole audience's headlines are figures, with no history yet.
    assert [(f.key, f.history, f.people) for f in section.figures] == [
        ("pulse.pulse.workload", (), 10), ("pulse.pulse.enps", (), 10)]
    assert "bob's team" not in everything(section)


def test_a_survey_without_a_closed_wave_shows_nothing(session, clock, staff):
    org = pulse_org()
    wave = opened_at(session, org, PULSE_MONDAY)
    for who in ("bob", "cy", "di", "ed"):
        respond(session, org, staff[who], wave, workload=4, enps=9, now=DURING)
    clock.set(DURING)  # the week is not over and the wave is still open
    section = pulse_section(session, org, TEAM, PULSE_WEEK)
    assert (section.figures, section.lines, section.tail) == ((), (), ())
    assert render(section.empty or "") == "No pulse survey has closed yet."
    clock.set(PULSE_AFTER + timedelta(days=30))  # much later: the week before the wave still shows nothing
    assert pulse_section(session, org, TEAM, PULSE_WEEK.back(1)).empty is not None
    assert pulse_section(session, org, TEAM, PULSE_WEEK).figures != ()


def test_a_wave_with_too_few_answers_shows_no_figure(session, clock, staff):
    clock.set(PULSE_AFTER + timedelta(days=3))
    org = pulse_org()
    wave = opened_at(session, org, PULSE_MONDAY)
    for who in ("bob", "cy"):
        respond(session, org, staff[who], wave, workload=4, enps=9, now=DURING)
    section = pulse_section(session, org, TEAM, PULSE_WEEK)
    assert section.figures == () and section.tail == ()
    assert [render(line) for line in section.lines] == [
        "Team pulse (2026-W50): too few answers to show any results."]


def test_pulse_turned_off(session, clock, staff):
    clock.set(PULSE_AFTER)
    section = pulse_section(session, make_org(), TEAM, PULSE_WEEK)
    assert section.figures == () and render(section.empty or "") == "Pulse surveys are turned off."
