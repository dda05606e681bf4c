"""Feedback in Slack, end to end: signed requests through the real app, the fake Slack, a real database (both).

`/feedback @person` and the "Give feedback on this" message shortcut open the form about a sealed subject;
every refusal is inline and writes nothing; a double submit saves one; who hears about it follows the author's
choice (the recipient, or the manager only); `/feedback request` asks peers, whose DMs answer (the form,
prefilled) or decline (the requester is told kindly); forged request ids are refused; `/feedback help`, unknown
words and a workspace where feedback is off; the App Home section, within Slack's limits whatever the data.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.blocks import MESSAGE_BLOCKS_MAX, VIEW_BLOCKS_MAX
from bot.i18n import translator
from handlers.feedback.home import feedback_home
from handlers.feedback.ids import FeedbackIds as Ids
from models.core.config import OrgConfig
from models.core.tables import Person
from models.feedback import Feedback, FeedbackDraft, FeedbackRequestPeer, give_feedback, request_feedback
from models.people import ensure_people
from tests.conftest import ANA, BOB, BOT, CARA, GENERAL, GONE, LI, TEAM, make_org
from tests.fake_slack import check_blocks
from tests.slack_requests import acked, answer, errors, text_value, updated_view

EXAMPLE = "In Tuesday's launch review she walked the team through the rollback plan step by step."


def org_with(**feedback: Any) -> OrgConfig:
    base = make_org()
    return base.model_copy(update={"feedback": base.feedback.model_copy(update=feedback)})


@pytest.fixture
def org() -> OrgConfig:
    return org_with(max_peers_per_request=2)


# -- harness ---------------------------------------------------------------------------------------------------






def reply(resp) -> str:
    body = answer(resp)
    if body.get("blocks"):
        check_blocks(body["blocks"], limit=MESSAGE_BLOCKS_MAX, pointer="/blocks", error="invalid_blocks")
    return json.dumps(body, ensure_ascii=False)






def last_opened(candor) -> dict[str, Any]:
    calls = candor.fake.calls_to("views.open")
    assert calls, "no modal was opened"
    view = calls[-1].params["view"]
    check_blocks(view["blocks"], limit=VIEW_BLOCKS_MAX, pointer="/view/blocks", error="invalid_arguments")
    return dict(view)


def block(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


def select_value(value: str | None) -> dict[str, Any]:
    option = {"value": value, "text": {"type": "plain_text", "text": value}} if value else None
    return {"type": "static_select", "selected_option": option}


def values(behaviour: str | None = "Walked the team through the rollback plan.", example: str | None = EXAMPLE, *,
           impact: str | None = None, competency: str | None = None, level: str | None = None,
           visibility: str = "recipient") -> dict[str, Any]:
    return {
        Ids.COMPETENCY_BLOCK: {Ids.COMPETENCY_ACTION: select_value(competency)},
        Ids.LEVEL_BLOCK: {Ids.LEVEL_ACTION: select_value(level)},
        Ids.BEHAVIOUR_BLOCK: {Ids.BEHAVIOUR_ACTION: text_value(behaviour)},
        Ids.IMPACT_BLOCK: {Ids.IMPACT_ACTION: text_value(impact)},
        Ids.EXAMPLE_BLOCK: {Ids.EXAMPLE_ACTION: text_value(example)},
        Ids.VISIBILITY_BLOCK: {Ids.VISIBILITY_ACTION: select_value(visibility) | {"type": "radio_buttons"}},
    }


def submit(candor, view: dict[str, Any], user: str, form: dict[str, Any] | None = None, *,
           view_id: str | None = None):
    return candor.slack.view_submission(Ids.MODAL, form if form is not None else values(), user=user,
                                        view_id=view_id, private_metadata=view["private_metadata"])


def click(candor, action_id: str, *, user: str, value: str):
    return acked(candor.slack.block_action(action_id, user=user, value=value))


def seed(candor) -> None:
    """Ana manages Bob and Li in Sales; Cara is in People. The bot and the deactivated person are known."""
    with candor.rt.db.unit_of_work() as s:
        people = ensure_people(s, TEAM, [ANA, BOB, LI, CARA, BOT, GONE], candor.rt.services.directory)
        ana, bob, li, cara = (people[u] for u in (ANA, BOB, LI, CARA))
        assert ana and bob and li and cara
        cara.department = "People"
        ana.department = "Sales"
        for report in (bob, li):
            report.manager_id, report.department = ana.id, "Sales"


def person(s, uid: str) -> Person:
    return s.scalars(select(Person).where(Person.team_id == TEAM, Person.slack_user_id == uid)).one()


def feedback_count(candor) -> int:
    with candor.session() as s:
        return s.scalar(select(func.count()).select_from(Feedback)) or 0


def open_for(candor, author: str, subject: str) -> dict[str, Any]:
    acked(candor.slack.command("/feedback", f"<@{subject}|{subject.lower()}>", user=author))
    return last_opened(candor)


def dm_text(candor, user: str) -> str:
    return json.dumps(candor.fake.dms_to(user), ensure_ascii=False)


# -- giving ------------------------------------------------------------------------------------------------------


def test_feedback_through_the_command_reaches_the_recipient(candor):
    seed(candor)
    view = open_for(candor, CARA, BOB)
    assert view["callback_id"] == Ids.MODAL and view["title"]["text"] == "Give feedback"
    text = json.dumps(view, ensure_ascii=False)
    assert f"Feedback for <@{BOB}>" in text
    competencies = [o["value"] for o in block(view, Ids.COMPETENCY_BLOCK)["element"]["options"]]
    assert competencies == [c.id for c in candor.rt.org.feedback.competencies]
    assert competencies[:3] == ["customer-focus", "collaboration", "ownership"]
    groups = block(view, Ids.LEVEL_BLOCK)["element"]["option_groups"]
    assert [g["label"]["text"] for g in groups][:3] == ["Customer focus", "Collaboration", "Ownership"]
    options = [o for g in groups for o in g["options"]]
    assert options[5]["value"] == "collaboration:2" and options[5]["text"]["text"].startswith("2 · Keeps others")
    assert all(len(o["text"]["text"]) <= 75 for o in options)
    assert "Builds working relationships across the organisation that others rely on." in text  # the full guide
    assert block(view, Ids.VISIBILITY_BLOCK)["element"]["initial_option"]["value"] == "recipient_and_manager"
    assert "Add a concrete example" in block(view, Ids.EXAMPLE_BLOCK)["hint"]["text"]

    form = values("Kept <!channel> calm & focused", impact="We shipped on time.", competency="collaboration",
                  level="collaboration:3", visibility="recipient")
    done = updated_view(submit(candor, view, CARA, form, view_id="VGIVE1"))
    assert f"Your feedback went to <@{BOB}>." in json.dumps(done)
    with candor.session() as s:
        fb = s.scalars(select(Feedback)).one()
        assert (fb.author.slack_user_id, fb.subject.slack_user_id, fb.competency, fb.level, fb.visibility,
                fb.source_key, fb.behaviour) == (CARA, BOB, "collaboration", 3, "recipient", "view:VGIVE1",
                                                 "Kept <!channel> calm & focused")
    candor.drain()
    dm = dm_text(candor, BOB)
    assert f"You have feedback from <@{CARA}>" in dm and "level 3" in dm and "We shipped on time." in dm
    assert "Kept &lt;!channel&gt; calm &amp; focused" in dm and "<!channel>" not in dm
    assert candor.fake.dms_to(ANA) == []  # to the recipient only


def test_every_refusal_is_inline_and_writes_nothing(candor):
    seed(candor)
    view = open_for(candor, CARA, BOB)
    long = "x" * 2001
    cases = [
        (values(example=None), Ids.EXAMPLE_BLOCK, "Add a concrete example"),
        (values(example="Last week."), Ids.EXAMPLE_BLOCK, "The example is very short (10 characters; at least 20)"),
        (values(behaviour=long), Ids.BEHAVIOUR_BLOCK, "At most 2000 characters (you wrote 2001)."),
        (values(impact=long), Ids.IMPACT_BLOCK, "At most 2000 characters"),
        (values(behaviour="\u200b\u200b \u2060"), Ids.BEHAVIOUR_BLOCK, "Say what you saw them do"),
        (values(example="\u200b" * 30), Ids.EXAMPLE_BLOCK, "Add a concrete example"),
        (values(competency="telepathy"), Ids.COMPETENCY_BLOCK, "telepathy isn't a competency here"),
        (values(competency="ownership", level="collaboration:2"), Ids.LEVEL_BLOCK, "on the scale of Collaboration"),
        (values(level="collaboration:9"), Ids.LEVEL_BLOCK, "Pick a level from 1 to 4."),
        (values(level="<!channel>"), Ids.LEVEL_BLOCK, "Choose one of the levels offered."),
        (values(visibility="everyone"), Ids.VISIBILITY_BLOCK, "Choose who sees this feedback."),
    ]
    for form, block_id, expected in cases:
        found = errors(submit(candor, view, CARA, form, view_id="VSAME"))
        assert list(found) == [block_id] and expected in found[block_id], (expected, found)
    assert feedback_count(candor) == 0

    # Yourself, a bot, a deactivated person: refused when the form would open…
    assert "Feedback is for other people" in reply(candor.slack.command("/feedback", f"<@{CARA}|cara>", user=CARA))
    assert f"<@{BOT}> is a bot or an app" in reply(candor.slack.command("/feedback", f"<@{BOT}>", user=CARA))
    assert "has been deactivated" in reply(candor.slack.command("/feedback", f"<@{GONE}>", user=CARA))
    # …and again at submit: a form sealed for them (opened before a change) is refused inline.
    sealer = candor.rt.services.sealer
    for subject, expected in ((CARA, "Feedback is for other people"), (BOT, "is a bot or an app")):
        forged = {"private_metadata": sealer.seal(Ids.MODAL, CARA, {"subject": subject})}
        found = errors(submit(candor, forged, CARA))
        assert expected in found[Ids.BEHAVIOUR_BLOCK] and "<@" not in found[Ids.BEHAVIOUR_BLOCK], found
    with candor.rt.db.unit_of_work() as s:
        person(s, BOB).is_deleted = True
    found = errors(submit(candor, view, CARA))
    assert "has been deactivated and can't receive feedback" in found[Ids.BEHAVIOUR_BLOCK]
    # A form whose sealed state was changed on the way is refused.
    tampered = {"private_metadata": view["private_metadata"].replace(BOB, ANA)}
    assert "can't be checked any more" in errors(submit(candor, tampered, CARA))[Ids.BEHAVIOUR_BLOCK]
    assert feedback_count(candor) == 0


def test_a_double_submit_saves_one(candor):
    seed(candor)
    view = open_for(candor, CARA, BOB)
    first = updated_view(submit(candor, view, CARA, view_id="VDOUBLE"))
    second = updated_view(submit(candor, view, CARA, view_id="VDOUBLE"))
    assert first["blocks"] == second["blocks"]
    assert feedback_count(candor) == 1
    candor.drain()
    assert len(candor.fake.dms_to(BOB)) == 1


def test_the_message_shortcut_links_the_message(candor):
    seed(candor)
    candor.fake.add_message(GENERAL, "the launch checklist is done", user=BOB, ts="1700000000.000100")
    acked(candor.slack.message_shortcut(Ids.MESSAGE_SHORTCUT, user=CARA, author=BOB, ts="1700000000.000100"))
    view = last_opened(candor)
    meta = json.loads(view["private_metadata"])
    assert meta["subject"] == BOB and "1700000000" in meta["permalink"].replace(".", "")
    assert "About this message" in json.dumps(view)
    updated_view(submit(candor, view, CARA))
    with candor.session() as s:
        assert s.scalars(select(Feedback)).one().permalink == meta["permalink"]
    candor.drain()
    assert "About this message" in dm_text(candor, BOB)

    # A bot's message, or one's own: no form, a clear word.
    acked(candor.slack.message_shortcut(Ids.MESSAGE_SHORTCUT, user=CARA, author=None, bot=True))
    assert "posted by an app" in json.dumps(last_opened(candor))
    acked(candor.slack.message_shortcut(Ids.MESSAGE_SHORTCUT, user=CARA, author=CARA))
    assert "Feedback is for other people" in json.dumps(last_opened(candor))


def test_managers_only_feedback_goes_to_the_manager_and_never_shows_to_the_person(candor):
    seed(candor)
    view = open_for(candor, CARA, BOB)
    done = updated_view(submit(candor, view, CARA, values(visibility="manager")))
    assert "went to their manager only" in json.dumps(done)
    candor.drain()
    assert candor.fake.dms_to(BOB) == []
    manager = dm_text(candor, ANA)
    assert f"<@{CARA}> gave feedback about <@{BOB}>, for you as their manager" in manager
    assert f"<@{BOB}> doesn't see this feedback" in manager
    with candor.session() as s:
        home = json.dumps([b.to_dict() for b in feedback_home(s, person(s, BOB), translator("en"), candor.rt.org)])
        assert "No feedback received yet" in home and "rollback" not in home
        given = json.dumps([b.to_dict() for b in feedback_home(s, person(s, CARA), translator("en"), candor.rt.org)])
        assert "*Recently given*" in given and f"to <@{BOB}>" in given


# -- requests ----------------------------------------------------------------------------------------------------


def rows(candor) -> dict[str, FeedbackRequestPeer]:
    with candor.session() as s:
        return {r.peer.slack_user_id: r for r in s.scalars(select(FeedbackRequestPeer))}


def test_a_request_is_answered_through_the_form_and_declined_kindly(candor):
    seed(candor)
    text = reply(candor.slack.command("/feedback", f"request <@{ANA}|ana> <@{CARA}|cara> about collaboration",
                                      user=BOB))
    assert f"I asked <@{ANA}> and <@{CARA}> for feedback on Collaboration" in text
    candor.drain()
    asked = rows(candor)
    ask = dm_text(candor, ANA)
    assert f"<@{BOB}> asks for your feedback" in ask and "About: *Collaboration*" in ask
    assert Ids.ANSWER_BUTTON in ask and Ids.DECLINE_BUTTON in ask and f'"value": "{asked[ANA].id}"' in ask

    # Asking the same people again while they haven't answered, or too many at once, is refused.
    again = reply(candor.slack.command("/feedback", f"request <@{CARA}|cara>", user=BOB))
    assert f"You have already asked <@{CARA}>" in again
    assert "Ask at most 2 people" in reply(candor.slack.command(
        "/feedback", f"request <@{ANA}> <@{CARA}> <@{LI}>", user=BOB))
    assert "Ask other people" in reply(candor.slack.command("/feedback", f"request <@{BOB}>", user=BOB))
    assert "is a bot or an app" in reply(candor.slack.command("/feedback", f"request <@{BOT}>", user=BOB))
    assert "has been deactivated" in reply(candor.slack.command("/feedback", f"request <@{GONE}>", user=BOB))

    # Forged ids: a request that is not yours cannot be answered or declined.
    click(candor, Ids.ANSWER_BUTTON, user=CARA, value=str(asked[ANA].id))
    assert "doesn't exist or isn't for you" in json.dumps(last_opened(candor))
    click(candor, Ids.DECLINE_BUTTON, user=CARA, value=str(asked[ANA].id))
    assert "doesn't exist or isn't for you" in json.dumps(last_opened(candor))
    click(candor, Ids.ANSWER_BUTTON, user=CARA, value="99999999999999")
    assert "doesn't exist or isn't for you" in json.dumps(last_opened(candor))
    forged = {"private_metadata": candor.rt.services.sealer.seal(Ids.MODAL, CARA,
                                                                 {"subject": BOB, "request": asked[ANA].id})}
    assert "doesn't exist or isn't for you" in errors(submit(candor, forged, CARA))[Ids.BEHAVIOUR_BLOCK]
    assert rows(candor)[ANA].state == "pending" and feedback_count(candor) == 0

    # Ana answers through the prefilled form.
    click(candor, Ids.ANSWER_BUTTON, user=ANA, value=str(asked[ANA].id))
    view = last_opened(candor)
    assert block(view, Ids.COMPETENCY_BLOCK)["element"]["initial_option"]["value"] == "collaboration"
    assert f"<@{BOB}> asked for your feedback" in json.dumps(view)
    updated_view(submit(candor, view, ANA, values(competency="collaboration", level="collaboration:2")))
    assert rows(candor)[ANA].state == "answered"
    candor.drain()
    assert f"An answer to your feedback request, from <@{ANA}>" in dm_text(candor, BOB)
    click(candor, Ids.ANSWER_BUTTON, user=ANA, value=str(asked[ANA].id))
    assert "already answered" in json.dumps(last_opened(candor))

    # Cara declines: Bob hears so, kindly; declining twice changes nothing.
    click(candor, Ids.DECLINE_BUTTON, user=CARA, value=str(asked[CARA].id))
    assert f"Declined. <@{BOB}> will get a kind note" in json.dumps(last_opened(candor))
    click(candor, Ids.DECLINE_BUTTON, user=CARA, value=str(asked[CARA].id))
    assert rows(candor)[CARA].state == "declined"
    candor.drain()
    dms = candor.fake.dms_to(BOB)
    assert sum(f"<@{CARA}> can't give you feedback on this request" in json.dumps(m) for m in dms) == 1
    # Once answered, the request DM (or a reminder) is no longer sent.
    with candor.rt.db.unit_of_work() as s:
        from models.core import outbox
        ana = person(s, ANA)
        outbox.enqueue(s, team_id=TEAM, kind="feedback.reminder", recipient=ana, key="test-reminder",
                       payload={"request_peer_id": asked[ANA].id})
    before = len(candor.fake.dms_to(ANA))
    candor.drain()
    assert len(candor.fake.dms_to(ANA)) == before


@pytest.mark.parametrize("org", [org_with(max_peers_per_request=3)])
def test_an_anonymous_answer_reaches_the_requester_without_a_name(candor):
    seed(candor)
    reply(candor.slack.command("/feedback", f"request <@{ANA}|ana> <@{CARA}|cara> <@{LI}|li>", user=BOB))
    asked = rows(candor)
    click(candor, Ids.ANSWER_BUTTON, user=CARA, value=str(asked[CARA].id))
    view = last_opened(candor)
    assert block(view, Ids.ANONYMOUS_BLOCK)["element"]["options"][0]["value"] == "anonymous"
    form = values() | {Ids.ANONYMOUS_BLOCK: {Ids.ANONYMOUS_ACTION: {
        "type": "checkboxes", "selected_options": [{"value": "anonymous"}]}}}
    done = json.dumps(updated_view(submit(candor, view, CARA, form, view_id="VANON")))
    assert "Your anonymous answer went to" in done
    updated_view(submit(candor, view, CARA, form, view_id="VANON"))  # a double submit: one answer
    with candor.session() as s:
        [fb] = s.scalars(select(Feedback)).all()
        assert (fb.author_id, fb.anonymous) == (None, True)
    candor.drain()
    dm = dm_text(candor, BOB)
    assert "An anonymous answer to your feedback request" in dm and f"<@{CARA}>" not in dm
    with candor.session() as s:
        home = json.dumps([b.to_dict() for b in feedback_home(s, person(s, BOB), translator("en"),
                                                               candor.rt.org)])
    assert "anonymously" in home and f"<@{CARA}>" not in home
    # With fewer people asked than the minimum, the form says why the answer carries a name.
    reply(candor.slack.command("/feedback", f"request <@{BOB}|bob>", user=CARA))
    click(candor, Ids.ANSWER_BUTTON, user=BOB, value=str(rows(candor)[BOB].id))
    single = last_opened(candor)
    assert not any(b.get("block_id") == Ids.ANONYMOUS_BLOCK for b in single["blocks"])


def test_a_reminder_looks_like_the_request(candor):
    seed(candor)
    reply(candor.slack.command("/feedback", f"request <@{CARA}|cara> about the Q3 launch", user=BOB))
    candor.drain()
    with candor.rt.db.unit_of_work() as s:
        from models.core import outbox
        row = s.scalars(select(FeedbackRequestPeer)).one()
        outbox.enqueue(s, team_id=TEAM, kind="feedback.reminder", recipient=row.peer, key="test-reminder",
                       payload={"request_peer_id": row.id})
    candor.drain()
    dms = candor.fake.dms_to(CARA)
    assert len(dms) == 2
    text = json.dumps(dms[-1], ensure_ascii=False)
    assert "A gentle reminder" in text and "About: the Q3 launch" in text and Ids.ANSWER_BUTTON in text


# -- help, unknown words, off --------------------------------------------------------------------------------------


def test_help_and_unknown_words(candor):
    seed(candor)
    for text in ("", "help"):
        found = reply(candor.slack.command("/feedback", text, user=BOB))
        assert "/feedback request @ana @li" in found and "Give feedback on this" in found
    found = reply(candor.slack.command("/feedback", "frobnicate <!channel>", user=BOB))
    assert "I don't know `frobnicate`" in found and "/feedback request" in found
    found = reply(candor.slack.command("/feedback", "request @ana", user=BOB))
    assert "I don't know `@ana`" in found
    german = reply(candor.slack.command("/feedback", "help", user=LI))
    assert translator("de-DE")("*`/feedback help`* shows this.") in german


@pytest.mark.parametrize("org", [org_with(enabled=False)])
def test_feedback_turned_off(candor):
    seed(candor)
    assert "Feedback is turned off" in reply(candor.slack.command("/feedback", f"<@{BOB}>", user=CARA))
    assert "Feedback is turned off" in reply(candor.slack.command("/feedback", "help", user=CARA))
    acked(candor.slack.message_shortcut(Ids.MESSAGE_SHORTCUT, user=CARA, author=BOB))
    assert "Feedback is turned off" in json.dumps(last_opened(candor))
    with candor.session() as s:
        assert feedback_home(s, person(s, BOB), translator("en"), candor.rt.org) == []


# -- the App Home --------------------------------------------------------------------------------------------------


def test_the_home_shows_received_waiting_and_given_within_limits(candor):
    seed(candor)
    org = candor.rt.org
    with candor.rt.db.unit_of_work() as s:
        ana, bob, cara, li = (person(s, u) for u in (ANA, BOB, CARA, LI))
        for i in range(12):
            for author, subject in ((cara, bob), (bob, cara)):
                give_feedback(s, org, FeedbackDraft(
                    team_id=TEAM, author=author, subject=subject, behaviour=f"Note {i} " + "<" * 500,
                    example=EXAMPLE, source_key=f"seed-{i}-{author.id}", competency="ownership", level=2,
                    visibility="recipient"))
        give_feedback(s, org, FeedbackDraft(team_id=TEAM, author=cara, subject=bob, behaviour="For the manager",
                                            example=EXAMPLE, source_key="seed-manager", visibility="manager"))
        for requester in (ana, cara, li):
            request_feedback(s, org, requester, [bob], source_key=f"req-{requester.id}", topic="the launch")
    with candor.session() as s:
        blocks = [b.to_dict() for b in feedback_home(s, person(s, BOB), translator("en"), org)]
    check_blocks(blocks, limit=20, pointer="/view/blocks", error="invalid_arguments")
    text = json.dumps(blocks, ensure_ascii=False)
    assert '"Feedback"' in text and "*Waiting for your feedback*" in text
    assert text.count(Ids.ANSWER_BUTTON.value) == 3 and text.count(Ids.DECLINE_BUTTON.value) == 3
    assert text.count(f"from <@{CARA}>") == 5 and "Note 11" in text and "For the manager" not in text
    assert text.count(f"to <@{CARA}>") == 3 and "Ownership (level 2)" in text
    assert "<<" not in text and "/feedback @person" in text

    # And through the real App Home.
    acked(candor.slack.app_home_opened(BOB))
    candor.drain_until(lambda: BOB in candor.fake.home_views)
    assert "*Waiting for your feedback*" in json.dumps(candor.fake.home_views[BOB])
