"""Feedback domain rules on SQLite and PostgreSQL: giving (every refusal, idempotency, who is told), who may see
it, requests (caps, duplicates, decline, answer, forged ids), the one reminder, the 1:1 agenda section and the
framework's validation. (Slack's side is in the handlers' own tests.)"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from models import access
from models import feedback as fb
from models import one_on_ones as oo
from models.agenda import build_agenda
from models.core.config import ConfigError, OrgConfig
from models.core.prompts import pattern_for, tick
from models.core.tables import OutboxMessage, Person, Workspace
from models.feedback import agenda as fb_agenda
from models.feedback import prompts as fb_prompts
from models.feedback.tables import FeedbackRequestPeer
from models.one_on_ones.tables import OneOnOnePair
from models.people import ensure_workspace
from tests.conftest import TEAM, make_org

pytestmark = pytest.mark.time_sensitive

WED = datetime(2026, 12, 2, 16, 0, tzinfo=UTC)  # Wednesday: 11:00 in New York, 00:00 Thursday in Shanghai
EXAMPLE = "In the launch review on Tuesday she summarised the three open risks in two minutes."


def org_with(**feedback: object) -> OrgConfig:
    base = make_org()
    return base.model_copy(update={"feedback": base.feedback.model_copy(update=feedback)})


@pytest.fixture
def org() -> OrgConfig:
    return make_org()  # HR admin: U0HR


def add_person(session, uid: str, *, tz: str = "Europe/Lisbon", manager: Person | None = None, **kw) -> Person:
    ensure_workspace(session, TEAM)
    p = Person(team_id=TEAM, slack_user_id=uid, real_name=uid.title(), display_name=uid.lower(), tz=tz,
               manager_id=manager.id if manager else None, created_at=WED - timedelta(days=200), **kw)
    session.add(p)
    session.flush()
    return p


@pytest.fixture
def team(session):
    """Cara (Los Angeles) manages Ana (Lisbon), who manages Bob (New York) and Li (Shanghai); Eve is a peer
    elsewhere; Hana is an HR admin; a bot and a deactivated member."""
    cara = add_person(session, "CARA", tz="America/Los_Angeles")
    ana = add_person(session, "ANA", manager=cara)
    bob = add_person(session, "BOB", tz="America/New_York", manager=ana)
    li = add_person(session, "LI", tz="Asia/Shanghai", manager=ana)
    eve = add_person(session, "EVE", tz="Europe/Berlin")
    hana = add_person(session, "U0HR")
    robot = add_person(session, "ROBOT", is_bot=True)
    gone = add_person(session, "GONE", is_deleted=True)
    return {"cara": cara, "ana": ana, "bob": bob, "li": li, "eve": eve, "hr": hana, "bot": robot, "gone": gone}


def draft(author: Person, subject: Person, **kw) -> fb.FeedbackDraft:
    values = dict(team_id=TEAM, author=author, subject=subject, behaviour="Ran the launch review calmly",
                  example=EXAMPLE, source_key=f"view-{author.slack_user_id}-{subject.slack_user_id}")
    values.update(kw)
    return fb.FeedbackDraft(**values)


def give(session, org, author, subject, *, now: datetime = WED, **kw):
    return fb.give_feedback(session, org, draft(author, subject, **kw), now=now)[0]


def outbox(session, kind: str) -> list[OutboxMessage]:
    return list(session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)))


# -- giving -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "changes", "code", "field"), [
    ("li", {}, "self", "subject"),
    ("bot", {}, "bot", "subject"),
    ("gone", {}, "deactivated", "subject"),
    ("bob", {"behaviour": ""}, "empty", "behaviour"),
    ("bob", {"behaviour": "\u200b\u200b \u2060"}, "empty", "behaviour"),
    ("bob", {"example": ""}, "empty", "example"),
    ("bob", {"example": "too short"}, "example_short", "example"),
    ("bob", {"example": "\u200b" * 40 + "short"}, "example_short", "example"),
    ("bob", {"behaviour": "x" * 2001}, "too_long", "behaviour"),
    ("bob", {"impact": "y" * 2001}, "too_long", "impact"),
    ("bob", {"competency": "juggling"}, "competency", "competency"),
    ("bob", {"competency": "collaboration", "level": 5}, "level", "level"),
    ("bob", {"competency": "collaboration", "level": 0}, "level", "level"),
    ("bob", {"level": 2}, "level_alone", "level"),
    ("bob", {"visibility": "everyone"}, "visibility", "visibility"),
])
def test_give_feedback_refusals(session, org, team, who, changes, code, field):
    with pytest.raises(fb.FeedbackError) as err:
        fb.give_feedback(session, org, draft(team["li"], team[who], **changes), now=WED)
    assert (err.value.code, err.value.field) == (code, field)
    assert str(err.value)
    assert session.scalars(select(fb.Feedback)).all() == []
    assert session.scalars(select(OutboxMessage)).all() == []


def test_missing_example_explains_why_examples_matter(session, org, team):
    with pytest.raises(fb.FeedbackError) as err:
        fb.give_feedback(session, org, draft(team["li"], team["bob"], example="  "), now=WED)
    assert err.value.message.id == fb.EXAMPLE_NEEDED
    assert "example" in str(err.value) and "impression" in str(err.value)
    with pytest.raises(fb.FeedbackError) as short:
        fb.give_feedback(session, org, draft(team["li"], team["bob"], example="Tuesday."), now=WED)
    assert "impression" in str(short.value)  # the short-example message says why too


def test_give_feedback_saves_once_and_tells_the_recipient(session, org, team):
    li, bob = team["li"], team["bob"]
    f, new = fb.give_feedback(session, org, draft(li, bob, competency="Collaboration", level=3, impact="Calm room",
                                                  permalink="https://x.slack.com/archives/C1/p1"), now=WED)
    assert new and (f.competency, f.level, f.visibility, f.created_at) == ("collaboration", 3,
                                                                          "recipient_and_manager", WED)
    again, new_again = fb.give_feedback(session, org, draft(li, bob, behaviour="changed"), now=WED)
    assert (again.id, new_again) == (f.id, False)
    assert len(session.scalars(select(fb.Feedback)).all()) == 1
    rows = outbox(session, "feedback.received")
    assert [(m.recipient_id, m.payload["feedback_id"]) for m in rows] == [(bob.id, f.id)]
    assert outbox(session, "feedback.for_manager") == []


def test_managers_only_feedback_goes_to_the_manager_or_nobody(session, org, team):
    li, bob, cara, ana = team["li"], team["bob"], team["cara"], team["ana"]
    f = give(session, org, li, bob, visibility="manager")
    assert outbox(session, "feedback.received") == []
    assert [(m.recipient_id, m.payload["feedback_id"]) for m in outbox(session, "feedback.for_manager")] == \
        [(ana.id, f.id)]
    # Cara has no manager: managers-only feedback about her would reach nobody, so it is refused, on its field.
    with pytest.raises(fb.FeedbackError) as err:
        give(session, org, ana, cara, visibility="manager", source_key="about-cara")
    assert (err.value.code, err.value.field) == ("no_manager", "visibility")
    # Ana writes for managers only about her own report: nobody else to tell.
    give(session, org, ana, bob, visibility="manager", source_key="ana-about-bob")
    assert len(outbox(session, "feedback.for_manager")) == 1
    assert outbox(session, "feedback.received") == []


# -- who may see it ---------------------------------------------------------------------------------------

VIEWERS = ("bob", "li", "ana", "cara", "eve", "hr")
EXPECTED = {  # Li writes about Bob (Ana is his manager, Cara hers; Eve a peer elsewhere; U0HR an HR admin)
    "recipient": {"bob": True, "li": True, "ana": False, "cara": False, "eve": False, "hr": True},
    "recipient_and_manager": {"bob": True, "li": True, "ana": True, "cara": True, "eve": False, "hr": True},
    "manager": {"bob": False, "li": True, "ana": True, "cara": True, "eve": False, "hr": True},
}


@pytest.mark.parametrize("visibility", fb.VISIBILITIES)
def test_access_table(session, org, team, visibility):
    f = give(session, org, team["li"], team["bob"], visibility=visibility)
    seen = {who: fb.can_see(session, fb.viewer_of(team[who], org), f) for who in VIEWERS}
    assert seen == EXPECTED[visibility]
    assert fb.can_see(session, access.Viewer.operator(), f)


@pytest.mark.parametrize("visibility", fb.VISIBILITIES)
def test_received_agrees_with_can_see(session, org, team, visibility):
    f = give(session, org, team["li"], team["bob"], visibility=visibility)
    for who in VIEWERS:
        listed = [x.id for x in fb.received(session, org, team[who], team["bob"])]
        assert listed == ([f.id] if EXPECTED[visibility][who] else []), who


def test_given_lists_what_the_author_wrote(session, org, team):
    f = give(session, org, team["li"], team["bob"], visibility="manager")
    assert [x.id for x in fb.given(session, team["li"])] == [f.id]
    assert fb.given(session, team["bob"]) == []


# -- requests -----------------------------------------------------------------------------------------------


def ask(session, org, requester, *peers, key="req-1", topic="", now=WED):
    return fb.request_feedback(session, org, requester, list(peers), source_key=key, topic=topic, now=now)[0]


def test_a_peer_who_declined_may_still_answer_but_nobody_answers_twice(session, org, team):
    bob, li = team["bob"], team["li"]
    row = ask(session, org, bob, li).peers[0]
    fb.decline_request(session, li, row.id)
    give(session, org, li, bob, request_peer_id=row.id, source_key="answer-1")  # changed her mind
    assert row.state == "answered"
    with pytest.raises(fb.FeedbackError) as err:  # a second form opened for the same request
        give(session, org, li, bob, request_peer_id=row.id, source_key="answer-2")
    assert err.value.code == "answered"


def test_a_competency_of_another_role_family_is_refused(session, team):
    org = make_org()
    frame = org.feedback.model_copy(update={"competencies": [
        *org.feedback.competencies,
        org.feedback.competencies[0].model_copy(update={"id": "sales-craft", "name": "Sales craft",
                                                        "role_families": ["Sales"]})]})
    org = org.model_copy(update={"feedback": frame})
    team["bob"].department = "Engineering"
    with pytest.raises(fb.FeedbackError) as err:
        give(session, org, team["li"], team["bob"], competency="sales-craft")
    assert (err.value.code, err.value.field) == ("competency", "competency")
    team["bob"].department = "Sales"
    assert give(session, org, team["li"], team["bob"], competency="sales-craft", source_key="ok").competency \
        == "sales-craft"


def test_request_asks_each_peer_once(session, org, team):
    bob, li, eve = team["bob"], team["li"], team["eve"]
    req = ask(session, org, bob, li, eve, li, topic="Collaboration on the launch")
    assert req.competency == "collaboration" and [p.peer_id for p in req.peers] == [li.id, eve.id]
    assert [(m.recipient_id, m.payload["request_peer_id"]) for m in outbox(session, "feedback.request")] == \
        [(li.id, req.peers[0].id), (eve.id, req.peers[1].id)]
    same, new = fb.request_feedback(session, org, bob, [li], source_key="req-1", now=WED)
    assert (same.id, new) == (req.id, False)
    assert ask(session, org, bob, team["ana"], key="req-2", topic="the launch").competency is None
    with pytest.raises(fb.FeedbackError) as dup:
        ask(session, org, bob, eve, team["cara"], key="req-3")
    assert dup.value.code == "duplicate" and "EVE" in str(dup.value) and "CARA" not in str(dup.value)


@pytest.mark.parametrize(("peers", "code"), [
    ((), "no_peers"), (("bob",), "self"), (("bot",), "bot"), (("gone",), "deactivated"),
    (("li", "eve", "ana"), "too_many_peers"),
])
def test_request_refusals(session, team, peers, code):
    org = org_with(max_peers_per_request=2)
    with pytest.raises(fb.FeedbackError) as err:
        ask(session, org, team["bob"], *(team[p] for p in peers))
    assert err.value.code == code and err.value.field == "peers"
    assert session.scalars(select(fb.FeedbackRequest)).all() == []


def test_request_topic_too_long(session, org, team):
    with pytest.raises(fb.FeedbackError) as err:
        ask(session, org, team["bob"], team["li"], topic="t" * (fb.TOPIC_MAX + 1))
    assert (err.value.code, err.value.field) == ("too_long", "topic")


def test_decline_notifies_the_requester_once(session, org, team):
    bob, li = team["bob"], team["li"]
    row = ask(session, org, bob, li).peers[0]
    fb.decline_request(session, li, row.id, now=WED)
    fb.decline_request(session, li, row.id, now=WED + timedelta(hours=1))
    assert (row.state, row.declined_at) == ("declined", WED)
    assert [(m.recipient_id, m.payload) for m in outbox(session, "feedback.declined")] == \
        [(bob.id, {"request_peer_id": row.id})]
    with pytest.raises(fb.FeedbackError) as err:
        fb.decline_request(session, team["eve"], row.id)  # not hers
    assert err.value.code == "request_not_found"
    # Asking Li again is allowed once she declined.
    assert ask(session, org, bob, li, key="req-2").peers[0].state == "pending"


def test_answering_marks_the_request_answered(session, org, team):
    bob, li = team["bob"], team["li"]
    row = ask(session, org, bob, li).peers[0]
    f = give(session, org, li, bob, request_peer_id=row.id, now=WED + timedelta(hours=2))
    assert (row.state, row.answered_at, f.request_peer_id) == ("answered", WED + timedelta(hours=2), row.id)
    assert [r.id for r in fb.waiting_for(session, li)] == []
    with pytest.raises(fb.FeedbackError) as err:
        fb.decline_request(session, li, row.id)
    assert err.value.code == "answered"


def test_an_anonymous_answer_keeps_no_link_to_its_author(session, org, team):
    bob, li, eve, cara = team["bob"], team["li"], team["eve"], team["cara"]
    request = ask(session, org, bob, li, eve, cara)  # three people: enough for an anonymous answer
    rows = {p.peer_id: p for p in request.peers}
    f = give(session, org, li, bob, request_peer_id=rows[li.id].id, anonymous=True, source_key="view:V1")
    assert (f.author_id, f.anonymous, f.request_id, f.request_peer_id) == (None, True, request.id, None)
    assert not f.source_key.startswith("view:")  # the form's id would pair it with its sender's claim
    assert (rows[li.id].state, rows[li.id].answered_at) == ("answered", None)  # no time to match
    assert [x.id for x in fb.received(session, org, bob, bob)] == [f.id]
    assert fb.given(session, li) == []  # nothing links it to Li, not even for her
    assert [(m.recipient_id, m.payload["feedback_id"]) for m in outbox(session, "feedback.received")] == \
        [(bob.id, f.id)]
    with pytest.raises(fb.FeedbackError) as twice:
        give(session, org, li, bob, request_peer_id=rows[li.id].id, anonymous=True, source_key="view:V2")
    assert twice.value.code == "answered"
    # Who may see it is as for any feedback; nobody sees who wrote it.
    assert fb.can_see(session, fb.viewer_of(team["ana"], org), f)


def test_nothing_the_requester_sees_singles_out_an_anonymous_answer(session, org, team):
    bob, li, eve, cara, ana = team["bob"], team["li"], team["eve"], team["cara"], team["ana"]
    request = ask(session, org, bob, li, eve, cara, ana)
    rows = {p.peer_id: p for p in request.peers}
    give(session, org, li, bob, request_peer_id=rows[li.id].id, anonymous=True, source_key="view:A1")
    with pytest.raises(fb.FeedbackError) as again:  # asking the same people again names all of them as waiting
        ask(session, org, bob, li, eve, key="req-2")
    assert again.value.code == "duplicate" and {str(u) for u in again.value.message.params["users"]} == {"LI", "EVE"}
    fb.decline_request(session, eve, rows[eve.id].id)  # a decline after an anonymous answer is not announced
    assert outbox(session, "feedback.declined") == []
    assert rows[eve.id].state == "declined"


def test_declines_count_against_anonymity(session, org, team):
    bob, li, eve, cara = team["bob"], team["li"], team["eve"], team["cara"]
    request = ask(session, org, bob, li, eve, cara)
    rows = {p.peer_id: p for p in request.peers}
    fb.decline_request(session, eve, rows[eve.id].id)  # announced: now only two could have answered
    assert not fb.may_answer_anonymously(org, request)
    with pytest.raises(fb.FeedbackError) as few:
        give(session, org, li, bob, request_peer_id=rows[li.id].id, anonymous=True)
    assert few.value.code == "anonymous"


def test_anonymous_answers_need_a_request_that_asked_enough_people(session, org, team):
    bob, li, eve = team["bob"], team["li"], team["eve"]
    request = ask(session, org, bob, li, eve)  # two people: an answer would point at one of two
    with pytest.raises(fb.FeedbackError) as few:
        give(session, org, li, bob, request_peer_id=request.peers[0].id, anonymous=True)
    assert (few.value.code, few.value.field) == ("anonymous", "anonymous") and "fewer than 3 people" in str(few.value)
    with pytest.raises(fb.FeedbackError) as unasked:
        give(session, org, li, bob, anonymous=True, source_key="view:V3")
    assert unasked.value.code == "anonymous"
    assert session.scalars(select(fb.Feedback)).all() == []
    assert {p.state for p in request.peers} == {"pending"}


def test_anonymous_answers_in_export_and_erasure(session, org, team):
    from models.privacy import erase_person, export_person

    bob, li, eve, cara = team["bob"], team["li"], team["eve"], team["cara"]
    request = ask(session, org, bob, li, eve, cara)
    rows = {p.peer_id: p for p in request.peers}
    give(session, org, li, bob, request_peer_id=rows[li.id].id, anonymous=True, example=EXAMPLE + " (anon)")
    give(session, org, eve, bob, request_peer_id=rows[eve.id].id, source_key="view:E")
    mine = export_person(session, TEAM, "LI", audited=False)
    assert "(anon)" not in str(mine)  # not in its author's export: nothing links it to her
    theirs = export_person(session, TEAM, "BOB", audited=False)["data"]
    states = {a["peer"]["slack_user_id"]: a["state"] for a in theirs["feedback_requests"]["made"][0]["asked"]}
    assert states == {"LI": "pending", "EVE": "answered", "CARA": "pending"}  # who answered anonymously: unsaid
    assert [r["from"] for r in theirs["feedback"]["received"] if r["anonymous"]] == [None]
    erase_person(session, TEAM, "LI", actor="cli:dpo")
    session.expire_all()
    assert any("(anon)" in f.example for f in session.scalars(select(fb.Feedback)))  # stays: never hers on record
    erase_person(session, TEAM, "BOB", actor="cli:dpo")
    session.expire_all()
    assert not any("(anon)" in f.example for f in session.scalars(select(fb.Feedback)))  # about him: removed


@pytest.mark.parametrize("forged", ["other_peer", "other_subject", "missing", "huge"])
def test_forged_request_ids_are_refused(session, org, team, forged):
    bob, li, eve = team["bob"], team["li"], team["eve"]
    req = ask(session, org, bob, li, eve)
    ids = {"other_peer": req.peers[1].id, "other_subject": req.peers[0].id, "missing": 9999, "huge": 2**40}
    subject = eve if forged == "other_subject" else bob
    with pytest.raises(fb.FeedbackError) as err:
        fb.give_feedback(session, org, draft(li, subject, request_peer_id=ids[forged]), now=WED)
    assert err.value.code == "request_not_found"
    with pytest.raises(fb.FeedbackError):
        fb.load_request_peer(session, li, ids["other_peer"] if forged != "huge" else ids["huge"])
    assert {p.state for p in req.peers} == {"pending"}


# -- the reminder -------------------------------------------------------------------------------------------


def run_tick(session, org, since: datetime, now: datetime):
    ws = session.get(Workspace, TEAM)
    ws.last_tick_at = since
    session.flush()
    return tick(session, org, TEAM, fb_prompts.PROMPTS, now=now)


def reminders(session) -> list[OutboxMessage]:
    return outbox(session, fb_prompts.REMINDER_KIND)


def test_reminder_is_due_at_ten_local_after_n_working_days(session, org, team):
    bob, li, eve = team["bob"], team["li"], team["eve"]
    req = ask(session, org, team["ana"], bob, li)
    rows = {p.peer_id: p.id for p in req.peers}
    # Bob (New York): asked Wed 11:00 → Thu, Fri, Mon → Mon Dec 7 10:00 EST = 15:00 UTC.
    # Li (Shanghai): asked Thu 00:00 → Fri, Mon, Tue → Tue Dec 8 10:00 CST = 02:00 UTC.
    bob_due, li_due = datetime(2026, 12, 7, 15, 0, tzinfo=UTC), datetime(2026, 12, 8, 2, 0, tzinfo=UTC)
    assert fb_prompts.reminder_due(WED, 3, pattern_for(bob, org)) == bob_due
    assert fb_prompts.reminder_due(WED, 3, pattern_for(li, org)) == li_due
    run_tick(session, org, WED, bob_due - timedelta(minutes=1))
    assert reminders(session) == []
    run_tick(session, org, bob_due - timedelta(minutes=1), bob_due)
    assert [(m.recipient_id, m.payload["request_peer_id"], m.payload["period"]) for m in reminders(session)] == \
        [(bob.id, rows[bob.id], f"request-{rows[bob.id]}")]
    run_tick(session, org, bob_due, li_due + timedelta(minutes=1))
    run_tick(session, org, li_due, li_due + timedelta(hours=2))  # again: nothing new
    assert [(m.recipient_id, m.payload["request_peer_id"]) for m in reminders(session)] == \
        [(bob.id, rows[bob.id]), (li.id, rows[li.id])]
    assert eve.id not in {m.recipient_id for m in reminders(session)}


def test_reminder_across_a_daylight_saving_change(session, org, team):
    bob = team["bob"]
    asked = datetime(2026, 10, 29, 14, 0, tzinfo=UTC)  # Thu 10:00 EDT; clocks go back on Sun Nov 1
    ask(session, org, team["ana"], bob, now=asked)
    due = datetime(2026, 11, 3, 15, 0, tzinfo=UTC)  # Fri, Mon, Tue → Tue 10:00 EST
    assert fb_prompts.reminder_due(asked, 3, pattern_for(bob, org)) == due
    run_tick(session, org, due - timedelta(minutes=2), due - timedelta(minutes=1))
    assert reminders(session) == []
    run_tick(session, org, due - timedelta(minutes=1), due + timedelta(minutes=1))
    run_tick(session, org, due + timedelta(minutes=1), due + timedelta(minutes=2))
    assert len(reminders(session)) == 1 and reminders(session)[0].payload["due_at"] == due.isoformat()


def test_reminder_days_are_configurable(session, team):
    org = org_with(reminder_days=1)
    bob = team["bob"]
    ask(session, org, team["ana"], bob)
    due = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)  # Thursday 10:00 in New York
    run_tick(session, org, due - timedelta(minutes=1), due)
    assert len(reminders(session)) == 1


@pytest.mark.parametrize("how", ["answered", "declined"])
def test_no_reminder_after_an_answer_or_a_decline(session, org, team, how):
    bob, ana = team["bob"], team["ana"]
    row = ask(session, org, ana, bob).peers[0]
    if how == "answered":
        give(session, org, bob, ana, request_peer_id=row.id, now=WED + timedelta(days=1))
    else:
        fb.decline_request(session, bob, row.id, now=WED + timedelta(days=1))
    due = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
    run_tick(session, org, due - timedelta(minutes=1), due + timedelta(minutes=1))
    assert reminders(session) == []
    assert session.get(FeedbackRequestPeer, row.id).state == how


def test_no_reminder_when_feedback_is_disabled(session, team):
    org = org_with(enabled=False)
    ask(session, make_org(), team["ana"], team["bob"])
    due = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
    run_tick(session, org, due - timedelta(minutes=1), due + timedelta(minutes=1))
    assert reminders(session) == []


# -- the 1:1 agenda -----------------------------------------------------------------------------------------


def test_agenda_lists_feedback_both_may_see_and_never_managers_only_to_the_report(session, org, team):
    ana, bob, li, eve, cara = team["ana"], team["bob"], team["li"], team["eve"], team["cara"]
    oo.sync_pairs(session, TEAM, org, now=WED - timedelta(days=14))
    pair = session.scalars(select(OneOnOnePair).where(OneOnOnePair.manager_id == ana.id,
                                                       OneOnOnePair.report_id == bob.id)).one()
    until = oo.next_meeting(pair, WED).at
    at = until - timedelta(hours=2)
    give(session, org, li, bob, visibility="recipient_and_manager", competency="collaboration", level=3, now=at,
         behaviour="Shared the runbook", source_key="k1")
    give(session, org, eve, bob, visibility="manager", behaviour="MANAGERS ONLY note", now=at, source_key="k2")
    give(session, org, eve, bob, visibility="recipient", behaviour="RECIPIENT ONLY note", now=at, source_key="k3")
    give(session, org, ana, bob, visibility="recipient", behaviour="From his manager, to him", now=at,
         source_key="k4")
    give(session, org, li, eve, visibility="recipient_and_manager", behaviour="Not about Bob", now=at,
         source_key="k5")

    for viewer in (ana, bob):
        section = next(s for s in build_agenda(session, pair, viewer, org, until=until).sections
                       if s.key == "feedback")
        text = " | ".join(section.lines)
        assert section.total == 2 and len(section.lines) == 2, viewer.slack_user_id
        assert "from li · collaboration (level 3): Shared the runbook — example: In the launch" in text
        assert "From his manager, to him" in text
        assert "MANAGERS ONLY" not in text and "RECIPIENT ONLY" not in text and "Not about Bob" not in text
    # Only the pair (and operators, and HR where it sees notes) gets the section at all.
    for outsider in (cara, li, eve, team["hr"]):
        assert "feedback" not in [s.key for s in build_agenda(session, pair, outsider, org, until=until).sections]
    # The section function itself, for a window without feedback.
    empty = fb_agenda.feedback_section(session, pair, until, until + timedelta(days=7))
    assert (empty.lines, empty.total, empty.key) == ([], 0, "")


# -- the framework in the YAML ------------------------------------------------------------------------------


@pytest.mark.parametrize(("yaml_text", "expected"), [
    ("feedback:\n  competencies:\n"
     "    - {id: teamwork, name: Teamwork, levels: [a, b]}\n"
     "    - {id: teamwork, name: Teamwork again, levels: [a, b]}\n",
     ["feedback.competencies", "unique", "teamwork"]),
    ("feedback:\n  competencies:\n    - {id: teamwork, name: Teamwork, levels: [only one]}\n",
     ["feedback.competencies.0.levels", "at least 2"]),
    ("feedback:\n  competencies:\n    - {id: team work, name: Teamwork, levels: [a, b]}\n",
     ["feedback.competencies.0.id", "lowercase letters"]),
    ("feedback:\n  default_visibility: everyone\n", ["feedback.default_visibility"]),
])
def test_config_check_names_the_bad_framework_field(tmp_path: Path, yaml_text, expected):
    path = tmp_path / "candor.yml"
    path.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        OrgConfig.load(path)
    text = "\n".join(err.value.problems)
    for part in expected:
        assert part in text, text


def test_default_framework_and_a_custom_one(tmp_path: Path):
    assert [c.id for c in OrgConfig().feedback.competencies] == [
        "customer-focus", "collaboration", "ownership", "communication", "growth"]
    path = tmp_path / "candor.yml"
    path.write_text("feedback:\n  reminder_days: 2\n  competencies:\n"
                    "    - id: Craft\n      name: Craft\n      levels: [Follows, Improves, Sets the bar]\n",
                    encoding="utf-8")
    cfg = OrgConfig.load(path).feedback
    assert (cfg.reminder_days, [c.id for c in cfg.competencies]) == (2, ["craft"])
    assert cfg.competency("CRAFT") is not None and len(cfg.competencies[0].levels) == 3


def test_example_config_parses():
    cfg = OrgConfig.load(Path(__file__).resolve().parent.parent / "candor.example.yml")
    assert cfg.feedback.competency("collaboration") is not None
