"""360 rounds, domain rules on SQLite and PostgreSQL: who may start one and every refusal, suggested reviewers,
answering (anonymous answers keep no link to their reviewer), results (nothing while running, nothing below the
threshold and the reason why, aggregates and mixed comments above it, the manager's answer always named), who
sees them, the reminder and results prompts, export and erasure; and property tests of the anonymity."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import inspect, select

from bot.i18n import translator
from handlers.feedback import round_views
from models.core.config import OrgConfig
from models.core.prompts import pattern_for, tick
from models.core.tables import OutboxMessage, Person, Workspace
from models.feedback import FeedbackError
from models.feedback import prompts as fb_prompts
from models.feedback import rounds as fr
from models.feedback.calibration import calibration
from models.feedback.tables import (
    Feedback,
    FeedbackRound,
    FeedbackRoundAnswer,
    FeedbackRoundRating,
    FeedbackRoundReviewer,
)
from models.kudos import Kudos, KudosRecipient
from models.people import ensure_workspace
from models.privacy import erase_person, export_person
from tests.conftest import TEAM, make_org

pytestmark = pytest.mark.time_sensitive

WED = datetime(2026, 12, 2, 16, 0, tzinfo=UTC)  # Wednesday; 11:00 in New York
DEADLINE = date(2026, 12, 11)  # a Friday
EXAMPLE = "In the launch review on Tuesday he summarised the three open risks in two minutes."
T = translator("en")


def org_with(**feedback: object) -> OrgConfig:
    base = make_org()
    return base.model_copy(update={"feedback": base.feedback.model_copy(update=feedback)})


@pytest.fixture
def org() -> OrgConfig:
    return make_org()  # HR admin: U0HR; min_reviewers 3


def add_person(session, uid: str, *, tz: str = "Europe/Lisbon", manager: Person | None = None, **kw) -> Person:
    ensure_workspace(session, TEAM)
    p = Person(team_id=TEAM, slack_user_id=uid, real_name=uid.title(), display_name=uid.lower(), tz=tz,
               manager_id=manager.id if manager else None, created_at=WED - timedelta(days=200), **kw)
    session.add(p)
    session.flush()
    return p


@pytest.fixture
def team(session):
    """Cara manages Ana, who manages Bob (New York), Li, Max and Zoe; Eve works elsewhere; Hana is HR."""
    cara = add_person(session, "CARA", tz="America/Los_Angeles")
    ana = add_person(session, "ANA", manager=cara)
    people = {"cara": cara, "ana": ana}
    people["bob"] = add_person(session, "BOB", tz="America/New_York", manager=ana)
    for uid in ("LI", "MAX", "ZOE"):
        people[uid.lower()] = add_person(session, uid, manager=ana)
    people["eve"] = add_person(session, "EVE", tz="Europe/Berlin")
    people["hr"] = add_person(session, "U0HR")
    people["bot"] = add_person(session, "ROBOT", is_bot=True)
    people["gone"] = add_person(session, "GONE", is_deleted=True)
    return people


def start(session, org, team, *, starter="ana", reviewers=("ana", "li", "max", "zoe"), key="view-1", **kw):
    values = dict(deadline=DEADLINE, anonymous=True, competencies=None, source_key=key, now=WED)
    values.update(kw)
    return fr.start_round(session, org, team[starter], team["bob"], [team[r] for r in reviewers], **values)[0]


def rate(level: int | None = 3, example: str = EXAMPLE, competency: str = "collaboration") -> fr.RatingDraft:
    return fr.RatingDraft(competency, level, example)


def answer(session, org, team, who: str, round_: FeedbackRound, *ratings: fr.RatingDraft, now=WED, **kw):
    return fr.answer_round(session, org, team[who], round_.id, list(ratings) or [rate()], now=now, **kw)


AFTER = datetime(2026, 12, 12, 6, 0, tzinfo=UTC)  # the round closed at 05:00 UTC (midnight in New York)


# -- starting -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("starter", "reviewers", "changes", "code", "field"), [
    ("li", ("ana", "max", "zoe", "eve"), {}, "not_allowed", "subject"),  # a peer
    ("bob", ("ana", "li", "max", "zoe"), {}, "self", "subject"),
    ("ana", ("ana", "li", "max", "bot"), {}, "bot", "reviewers"),
    ("ana", ("ana", "li", "max", "gone"), {}, "deactivated", "reviewers"),
    ("ana", ("ana", "li", "max", "bob"), {}, "self_review", "reviewers"),
    ("ana", ("ana", "li", "max"), {}, "too_few", "reviewers"),  # two besides the manager; three needed
    ("ana", (), {"anonymous": False}, "too_few", "reviewers"),
    ("ana", ("ana", "li", "max", "zoe"), {"deadline": date(2026, 12, 2)}, "deadline", "deadline"),
    ("ana", ("ana", "li", "max", "zoe"), {"deadline": date(2027, 3, 15)}, "deadline", "deadline"),
    ("ana", ("ana", "li", "max", "zoe"), {"competencies": ["telepathy"]}, "competency", "competencies"),
])
def test_start_refusals_write_nothing(session, org, team, starter, reviewers, changes, code, field):
    with pytest.raises(FeedbackError) as err:
        start(session, org, team, starter=starter, reviewers=reviewers, **changes)
    assert (err.value.code, err.value.field) == (code, field)
    assert str(err.value)
    assert session.scalars(select(FeedbackRound)).all() == []
    assert session.scalars(select(OutboxMessage)).all() == []


def test_too_many_reviewers_and_a_second_running_round_are_refused(session, org, team):
    small = org_with(max_reviewers=3)
    with pytest.raises(FeedbackError) as err:
        start(session, small, team)
    assert err.value.code == "too_many" and "at most 3 reviewers (you chose 4)" in str(err.value)
    start(session, org, team)
    with pytest.raises(FeedbackError) as again:
        start(session, org, team, starter="hr", key="view-2")
    assert again.value.code == "running" and "2026-12-11" in str(again.value)


def test_a_round_starts_once_and_asks_its_reviewers(session, org, team):
    round_ = start(session, org, team, starter="cara")  # a skip-level manager may start it
    again = start(session, org, team, starter="cara")  # the same form, submitted twice
    assert again.id == round_.id and len(session.scalars(select(FeedbackRound)).all()) == 1
    assert {(r.reviewer.slack_user_id, r.relation, r.state) for r in round_.reviewers} == {
        ("ANA", "manager", "pending"), ("LI", "peer", "pending"), ("MAX", "peer", "pending"),
        ("ZOE", "peer", "pending")}
    # The end of the deadline day in Bob's time zone (New York, UTC-5 in December).
    assert round_.closes_at == datetime(2026, 12, 12, 5, 0, tzinfo=UTC)
    assert round_.competencies == [c.id for c in org.feedback.competencies]
    assert (round_.min_reviewers, round_.anonymous) == (3, True)
    invites = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == fr.INVITE)).all()
    assert sorted(m.recipient_id for m in invites) == sorted(r.reviewer_id for r in round_.reviewers)
    started = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == fr.STARTED)).all()
    assert [m.recipient_id for m in started] == [team["bob"].id]


def test_hr_admins_may_start_a_round_for_anyone(session, org, team):
    round_ = fr.start_round(session, org, team["hr"], team["eve"], [team[p] for p in ("li", "max", "zoe")],
                            deadline=DEADLINE, anonymous=True, competencies=["collaboration"], source_key="hr",
                            now=WED)[0]
    assert (round_.started_by_id, round_.competencies) == (team["hr"].id, ["collaboration"])
    assert not fr.may_start(session, org, team["li"], team["eve"])


def test_reviewers_are_suggested_from_the_chart_and_recent_work(session, org, team):
    bob = team["bob"]
    session.add(Feedback(team_id=TEAM, author=team["eve"], subject=bob, behaviour="b", example=EXAMPLE,
                         visibility="recipient", created_at=WED - timedelta(days=10), source_key="s1"))
    session.add(Feedback(team_id=TEAM, author=team["cara"], subject=bob, behaviour="b", example=EXAMPLE,
                         visibility="recipient", created_at=WED - timedelta(days=400), source_key="s2"))  # too old
    hana = add_person(session, "HANA")
    for key in ("k1", "k2"):  # Hana recognised Bob twice lately: she comes before Eve
        session.add(Kudos(team_id=TEAM, giver=hana, message="Thanks", source_key=key,
                          created_at=WED - timedelta(days=3), recipients=[KudosRecipient(person=bob)]))
    session.flush()
    found = [p.slack_user_id for p in fr.suggest_reviewers(session, bob, now=WED)]
    assert found == ["ANA", "LI", "MAX", "ZOE", "HANA", "EVE"]  # manager, peers, then who worked with him lately
    assert [p.slack_user_id for p in fr.suggest_reviewers(session, team["ana"], now=WED)][:2] == ["CARA", "BOB"]


# -- answering ----------------------------------------------------------------------------------------------


def test_anonymous_answers_keep_no_link_to_their_reviewer(session, org, team):
    round_ = start(session, org, team)
    answer(session, org, team, "li", round_, rate(3), rate(2, competency="ownership"), strengths="Calm")
    answer(session, org, team, "ana", round_, rate(4), improve="Delegate more")
    answers = {a.relation: a for a in session.scalars(select(FeedbackRoundAnswer))}
    anonymous, manager = answers[None], answers["manager"]
    assert anonymous.author_id is None and len(anonymous.id) == 32 and anonymous.strengths == "Calm"
    assert manager.author_id == team["ana"].id  # the manager's answer is never anonymous
    assert {c.key for c in inspect(FeedbackRoundAnswer).columns} == {
        "id", "round_id", "author_id", "relation", "strengths", "improve"}  # no time of its own
    assert {c.key for c in inspect(FeedbackRoundReviewer).columns} == {
        "id", "round_id", "reviewer_id", "relation", "state"}  # participation only, no time
    states = {r.reviewer.slack_user_id: r.state for r in round_.reviewers}
    assert states == {"ANA": "answered", "LI": "answered", "MAX": "pending", "ZOE": "pending"}
    with pytest.raises(FeedbackError) as twice:
        answer(session, org, team, "li", round_)
    assert twice.value.code == "answered"


@pytest.mark.parametrize(("ratings", "code", "field"), [
    ([rate(3, example="")], "example", "example:collaboration"),
    ([rate(3, example="Tuesday.")], "example_short", "example:collaboration"),
    ([rate(5)], "level", "level:collaboration"),
    ([rate(None)], "empty", "level:customer-focus"),
    ([rate(2, competency="telepathy")], "competency", "rating:telepathy"),
    ([rate(2, example="x" * 2001)], "too_long", "example:collaboration"),
])
def test_answer_refusals_write_nothing(session, org, team, ratings, code, field):
    round_ = start(session, org, team)
    with pytest.raises(FeedbackError) as err:
        answer(session, org, team, "li", round_, *ratings)
    assert (err.value.code, err.value.field) == (code, field)
    assert session.scalars(select(FeedbackRoundAnswer)).all() == []
    assert {r.state for r in round_.reviewers} == {"pending"}


def test_outsiders_late_answers_and_cancelled_rounds_are_refused(session, org, team):
    round_ = start(session, org, team)
    with pytest.raises(FeedbackError) as outsider:
        answer(session, org, team, "eve", round_)
    assert outsider.value.code == "round_not_found"
    with pytest.raises(FeedbackError) as late:
        answer(session, org, team, "li", round_, now=AFTER)
    assert late.value.code == "closed" and "2026-12-11" in str(late.value)
    fr.decline_round(session, team["max"], round_.id, now=WED)
    answer(session, org, team, "max", round_)  # declining, then changing one's mind
    with pytest.raises(FeedbackError):
        fr.cancel_round(session, org, team["li"], round_.id, now=WED)  # a reviewer can't cancel it
    fr.cancel_round(session, org, team["ana"], round_.id, now=WED)
    with pytest.raises(FeedbackError) as cancelled:
        answer(session, org, team, "zoe", round_)
    assert cancelled.value.code == "cancelled"
    assert fr.results(session, org, round_, AFTER).state == "cancelled"


def test_a_round_keeps_its_framework_when_the_configuration_changes(session, org, team):
    round_ = start(session, org, team, competencies=["collaboration"])
    from models.core.config import Competency

    changed = org.model_copy(update={"feedback": org.feedback.model_copy(update={"competencies": [
        Competency(id="craft", name="Craft", levels=["Learning.", "Skilled.", "Expert."])]})})
    for who in ("li", "max", "zoe"):  # the form still has the round's competency and its four levels
        answer(session, changed, team, who, round_, rate(4))
    res = fr.results(session, changed, round_, AFTER)
    [collaboration] = res.competencies
    assert (collaboration.competency, collaboration.distribution) == ("collaboration", (0, 0, 0, 3))
    assert res.name("collaboration") == "Collaboration"


# -- results ------------------------------------------------------------------------------------------------


def test_nothing_shows_while_the_round_runs(session, org, team):
    round_ = start(session, org, team)
    for who in ("li", "max", "zoe", "ana"):
        answer(session, org, team, who, round_)
    res = fr.results(session, org, round_, WED + timedelta(days=1))
    assert (res.state, res.answered, res.invited, res.shown, res.competencies, res.comments, res.named) == \
        ("running", 0, 0, False, (), (), ())
    text = str([b.to_dict() for b in round_views.results_blocks(T, org.feedback, res)])
    assert "reviewers answered" not in text and EXAMPLE not in text and "not even how many answered" in text


def test_below_the_threshold_nothing_anonymous_shows_and_the_reason_is_given(session, org, team):
    round_ = start(session, org, team)
    answer(session, org, team, "li", round_, rate(1, example="Li's secret example about the budget review."),
           strengths="Li's strength")
    answer(session, org, team, "max", round_, rate(2))
    answer(session, org, team, "ana", round_, rate(4, example="Ana's example: ran the Q3 planning offsite."))
    res = fr.results(session, org, round_, AFTER)
    assert (res.state, res.shown, res.competencies, res.comments) == ("closed", False, (), ())
    assert res.hidden_reason is not None and (res.answered, res.invited) == (3, 4)
    assert [(a.author.slack_user_id, a.relation) for a in res.named] == [("ANA", "manager")]
    text = str([b.to_dict() for b in round_views.results_blocks(T, org.feedback, res)])
    assert "Fewer than 3 reviewers answered anonymously" in text
    assert "Li's secret" not in text and "Li's strength" not in text and "on average" not in text
    assert "Ana's example" in text and "<@ANA>" in text  # the manager's answer, with her name


def test_above_the_threshold_levels_are_combined_and_comments_unattributed(session, org, team):
    round_ = start(session, org, team)
    answer(session, org, team, "li", round_, rate(2), rate(3, competency="ownership"), strengths="Keeps calm")
    answer(session, org, team, "max", round_, rate(3), improve="Share plans earlier")
    answer(session, org, team, "zoe", round_, rate(3))
    answer(session, org, team, "ana", round_, rate(1))  # the manager: named, not in the aggregate
    res = fr.results(session, org, round_, AFTER)
    assert res.shown and res.closed_on == DEADLINE
    by_id = {c.competency: c for c in res.competencies}
    assert (by_id["collaboration"].ratings, by_id["collaboration"].distribution,
            round(by_id["collaboration"].mean or 0, 2)) == (3, (0, 1, 2, 0), 2.67)
    assert by_id["ownership"].shown is False and by_id["ownership"].distribution == ()  # one rating: hidden
    assert [(c.kind, c.text) for c in res.comments[:2]] == [("strengths", "Keeps calm"),
                                                            ("improve", "Share plans earlier")]
    # Li's, Max's and Zoe's collaboration examples; not Ana's (named), nor Li's lone ownership example (its
    # competency has too few ratings to show: its examples would count them).
    assert sum(1 for c in res.comments if c.kind == "example") == 3
    text = str([b.to_dict() for b in round_views.results_blocks(T, org.feedback, res)])
    for reviewer in ("<@LI>", "<@MAX>", "<@ZOE>"):
        assert reviewer not in text
    assert "dated 2026-12-11" in text and "3 of 4 reviewers answered" not in text  # 4 answered, incl. Ana
    assert "4 of 4 reviewers answered" in text


def test_who_sees_the_results(session, org, team):
    round_ = start(session, org, team)
    seen = {k for k, p in team.items() if fr.can_see_results(session, org, p, round_)}
    assert seen == {"bob", "ana", "cara", "hr"}  # the person, their managers, HR; not reviewing peers


# -- prompts ------------------------------------------------------------------------------------------------


def run_tick(session, org, since: datetime, now: datetime):
    ws = session.get(Workspace, TEAM)
    ws.last_tick_at = since
    session.flush()
    return tick(session, org, TEAM, fb_prompts.PROMPTS, now=now)


def queued(session, kind: str) -> list[tuple[int, datetime]]:
    return [(m.recipient_id, datetime.fromisoformat(m.payload["due_at"])) for m in session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id))]


def test_one_reminder_before_the_deadline_and_results_after_it(session, org, team):
    round_ = start(session, org, team)
    answer(session, org, team, "li", round_)
    fr.decline_round(session, team["zoe"], round_.id, now=WED)
    # Lisbon: 10:00 on Thursday 10 December, the last working day before the Friday deadline.
    due = datetime(2026, 12, 10, 10, 0, tzinfo=UTC)
    assert fb_prompts.round_reminder_due(fb_prompts.RoundDue(round_.id, 0, 0, None, DEADLINE, WED,
                                                             round_.closes_at, frozenset()),
                                         pattern_for(team["max"], org)) == due
    run_tick(session, org, WED, due - timedelta(minutes=1))
    assert queued(session, fb_prompts.ROUND_REMINDER_KIND) == []
    run_tick(session, org, due - timedelta(minutes=1), due + timedelta(minutes=1))
    run_tick(session, org, due, due + timedelta(minutes=2))  # again: nothing new
    reminded = {r for r, _ in queued(session, fb_prompts.ROUND_REMINDER_KIND)}
    assert reminded == {team["max"].id, team["ana"].id}  # not Li (answered) nor Zoe (declined)
    # Results: 10:00 on Monday 14 December in each recipient's zone (the deadline is a Friday).
    monday = datetime(2026, 12, 14, 9, 59, tzinfo=UTC)
    run_tick(session, org, monday - timedelta(days=3), monday)
    assert queued(session, fb_prompts.ROUND_RESULTS_KIND) == []  # not over the weekend
    run_tick(session, org, monday, monday + timedelta(minutes=2))
    run_tick(session, org, monday + timedelta(hours=5), monday + timedelta(hours=5, minutes=2))
    results = dict(queued(session, fb_prompts.ROUND_RESULTS_KIND))
    assert results == {team["bob"].id: datetime(2026, 12, 14, 15, 0, tzinfo=UTC),  # New York
                       team["ana"].id: datetime(2026, 12, 14, 10, 0, tzinfo=UTC)}  # starter and manager


# -- export and erasure -------------------------------------------------------------------------------------


def test_an_erased_reviewers_anonymous_answer_stays_in_the_aggregate(session, org, team):
    round_ = start(session, org, team)
    for who in ("li", "max", "zoe"):
        answer(session, org, team, who, round_, rate(3, example=f"Example by {len(who)}{who[0]}: ran the retro well."))
    answer(session, org, team, "ana", round_, rate(2, example="Ana example: the planning offsite went well."))
    exported = str(export_person(session, TEAM, "LI", audited=False))
    assert "Example by 2l" not in exported  # no link: not even its author's export holds it
    assert "Ana example" in str(export_person(session, TEAM, "ANA", audited=False))
    erase_person(session, TEAM, "LI", actor="cli:dpo")
    erase_person(session, TEAM, "ANA", actor="cli:dpo")
    session.expire_all()
    res = fr.results(session, org, session.get(FeedbackRound, round_.id), AFTER)
    assert res.shown and {c.competency: c.ratings for c in res.competencies}["collaboration"] == 3
    assert "Example by 2l: ran the retro well." in [c.text for c in res.comments]
    examples = set(session.scalars(select(FeedbackRoundRating.example)))
    assert "Ana example: the planning offsite went well." not in examples  # her named words are gone


def test_erasing_the_person_removes_the_words_about_them(session, org, team):
    round_ = start(session, org, team)
    for who in ("li", "max", "zoe"):
        answer(session, org, team, who, round_, rate(3), strengths=f"{who} strength")
    erase_person(session, TEAM, "BOB", actor="cli:dpo")
    session.expire_all()
    assert EXAMPLE not in set(session.scalars(select(FeedbackRoundRating.example)))
    assert {a.strengths for a in session.scalars(select(FeedbackRoundAnswer))} == {
        "[removed at the request of the person it was about]"}
    assert set(session.scalars(select(FeedbackRoundRating.level))) == {3}  # levels stay, for counts


# -- property tests: anonymity ------------------------------------------------------------------------------


SECRET = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=6, max_size=12).map(lambda s: f"secret {s} at the "
                                                                                          f"retro last week")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(minimum=st.integers(min_value=2, max_value=4), answers=st.lists(
    st.tuples(st.integers(min_value=1, max_value=4), SECRET), min_size=0, max_size=3, unique_by=lambda a: a[1]))
def test_below_the_threshold_no_view_reveals_anything(session, team, minimum, answers):
    """Whatever the answers, a round with fewer anonymous answers than its minimum shows none of their words or
    levels in its results, its DM, the Home of anyone allowed to see it or the calibration figures; at or above
    it, no view names an anonymous reviewer, and no reviewer's own export holds their anonymous words."""
    org = org_with(min_reviewers=minimum)
    nested = session.begin_nested()
    try:
        reviewers = ("li", "max", "zoe", "eve")
        round_ = start(session, org, team, reviewers=("ana", *reviewers), key=f"p-{minimum}-{len(answers)}")
        for who, (level, text) in zip(reviewers, answers, strict=False):
            answer(session, org, team, who, round_, rate(level, example=text), strengths=text)
        res = fr.results(session, org, round_, AFTER)
        rendered = str([b.to_dict() for b in round_views.results_blocks(T, org.feedback, res)])
        rendered += str(round_views.results_dm(T, org.feedback, res))
        rendered += str([b.to_dict() for b in round_views.home_blocks(
            T, waiting=[], about=[round_], started=[round_], now_open=set())])
        assert res.shown == (len(answers) >= minimum)
        if not res.shown:
            assert not any(text in rendered for _, text in answers)
            assert res.competencies == () and res.comments == () and "on average" not in rendered
        for who in reviewers:
            assert f"<@{team[who].slack_user_id}>" not in rendered
        for who, (_, text) in zip(reviewers, answers, strict=False):  # nor their own export, nor calibration
            assert text not in str(export_person(session, TEAM, team[who].slack_user_id, audited=False))
        figures = calibration(session, org, TEAM, WED - timedelta(days=30), AFTER + timedelta(days=2),
                              now=AFTER + timedelta(days=1))
        assert all(m.n == 0 for m in figures.managers if m.manager.id != team["ana"].id)
        assert figures.organisation.anonymous == (len(answers) if len(answers) >= minimum else 0)
    finally:
        nested.rollback()
