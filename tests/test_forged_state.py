"""What comes back from the client is not ours: a test for each forged field, for every modal and button.

A modal's private_metadata, a button's value, the message or the view a button sits in: Slack sends back what
the user's client holds, and a signed request proves only that it came through Slack. Each test forges one
field as a modified client could — tampered with, unsigned, genuinely sealed but for another person or another
form, naming a record or a meeting that is not the user's — and checks what people would see: the messages and
views the fake Slack received, the HTTP answer, and what the database holds. Where the forged request must be
refused, the genuine one is sent too, so that the checks are not vacuous.
"""

from __future__ import annotations

import itertools
import json
import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from handlers.checkins.ids import CheckinIds
from handlers.kudos.ids import KudosIds
from handlers.one_on_ones.ids import OneOnOneIds as Ids
from handlers.one_on_ones.views import notes_value, show_all_value
from handlers.people.admin import AdminIds
from models import one_on_ones as oo
from models.checkins import week_key, week_start_of
from models.checkins.tables import Checkin, CheckinReply
from models.core.config import OrgConfig
from models.core.tables import AuditEntry, OutboxMessage, Person
from models.core.text import is_slack_permalink
from models.kudos.tables import Kudos
from models.one_on_ones.tables import ActionItem, OneOnOneMeeting, OneOnOnePair, TalkingPoint
from tests.conftest import ANA, BOB, CARA, GENERAL, KUDOS_CHANNEL, LI, TEAM
from tests.slack_requests import _plain_workspace, sample, text_value
from tests.test_admin import HR, manager_form, user_value
from tests.test_checkins import answer_values, current_period, open_form, opened_reply_form, submit
from tests.test_kudos import GOOD, modal_values, opened_metadata
from tests.test_one_on_ones_flow import click, notes_values, pair_id, select_value
from tests.test_one_on_ones_flow import seed as seed_people

pytestmark = pytest.mark.time_sensitive

SECRET = "C0SECRET"  # a channel the bot is in, where the forged kudos must not go
EXPIRED = "This form can't be checked any more, so nothing was saved."
NOT_IN_IT = "This 1:1 has ended, or you are not part of it."
BROADCASTS = ("<!channel", "<!here", "<!everyone")
_presses = itertools.count(1)


@pytest.fixture
def org() -> OrgConfig:
    """The built-in defaults (kudos announced in the channel they came from), with an HR admin."""
    return OrgConfig.model_validate({"hr": {"admins": [HR], "digest_channel": "C0HR"}})


# -- helpers ------------------------------------------------------------------------------------------------


def as_dict(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def opened_views(candor) -> list[dict[str, Any]]:
    return [as_dict(c.params["view"]) for c in candor.fake.calls_to("views.open")]


def last_view(candor) -> dict[str, Any]:
    return opened_views(candor)[-1]


def sealer(candor):
    """The app's sealer: what it seals is genuine, for the person and the form named."""
    return candor.rt.services.sealer


def tampered(meta: str, **changes: Any) -> str:
    """The metadata Candor gave a modal with some fields changed (and its seal kept)."""
    return json.dumps({**json.loads(meta), **changes})


def refused(resp, block: str) -> None:
    """The form was not accepted: an inline error on `block` saying that it could not be checked."""
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body.get("response_action") == "errors", body
    assert EXPIRED in body["errors"][block], body


def rejected(resp) -> dict[str, str]:
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body.get("response_action") == "errors", body
    return dict(body["errors"])


def bot_output(candor, *methods: str) -> list[tuple[str, str, str]]:
    """(method, channel, text and blocks) of every message Candor posted or updated."""
    out = []
    for method in methods or ("chat.postMessage", "chat.update", "chat.postEphemeral", "chat.scheduleMessage"):
        for call in candor.fake.calls_to(method):
            blocks = as_dict(call.params.get("blocks")) or []
            out.append((method, str(call.params.get("channel") or ""),
                        str(call.params.get("text") or "") + "\n" + json.dumps(blocks, ensure_ascii=False)))
    return out


_LINK = re.compile(r"<([^<>]*)>")


def foreign_links(text: str) -> list[str]:
    """Links in a bot message that Candor must never make: broadcasts, and any link but "view message" to a
    Slack permalink (a mention, `<@U…>`, is fine)."""
    bad = []
    for inner in _LINK.findall(text):
        if inner.startswith("@") and "|" not in inner:
            continue
        target, _, label = inner.partition("|")
        if not (is_slack_permalink(target) and label in ("", "view message")):
            bad.append(inner)
    return bad


def count(candor, model: Any, *where: Any) -> int:
    with candor.session() as s:
        return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def next_slot(candor, pid: int) -> oo.Slot:
    """The pair's next meeting: what an agenda's buttons name."""
    with candor.session() as s:
        return oo.next_meeting(s.get(OneOnOnePair, pid), candor.clock.now())


def is_real_slot(candor, pid: int, period: str, at: int) -> bool:
    with candor.session() as s:
        return oo.slot_for(s.get(OneOnOnePair, pid), period, datetime.fromtimestamp(at, UTC)) is not None


def press(candor, action_id: str, *, user: str, value: str, container: dict[str, Any],
          message: dict[str, Any] | None = None, view: dict[str, Any] | None = None):
    """A block_actions request exactly as a client could send it: any container, message or view."""
    body = sample("block_actions.json")["body"]
    _plain_workspace(body, TEAM)
    n = next(_presses)
    body["user"] = {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM}
    body["trigger_id"] = f"{n}.{n}.press{n}"
    body["container"] = container
    if container.get("channel_id"):
        body["channel"] = {"id": container["channel_id"], "name": "forged"}
    else:
        body.pop("channel", None)
    if message is not None:
        body["message"] = message
    if view is not None:
        body["view"] = view
    body["actions"] = [{"action_id": action_id, "block_id": "b", "type": "button", "value": value,
                        "text": {"type": "plain_text", "text": "Done"}, "action_ts": f"{time.time():.6f}"}]
    resp = candor.slack.post_payload(body)
    assert resp.status_code == 200, resp.text
    return resp


def two_teams(candor) -> dict[str, int]:
    """Bob manages Ana, Cara manages Li: two 1:1 pairs. Returns the people's ids."""
    return seed_people(candor, {ANA: None, BOB: ANA, CARA: None, LI: CARA})


# -- kudos -----------------------------------------------------------------------------------------------------


FORGED_ORIGINS = [
    pytest.param({"permalink": "!channel"}, id="permalink-broadcast"),
    pytest.param({"permalink": "https://evil.example/x|Click to claim your bonus"}, id="permalink-with-label"),
    pytest.param({"permalink": "https://acme.slack.com/archives/C1/p1700000000000100|bonus"},
                 id="slack-like-permalink-with-label"),
    pytest.param({"channel": SECRET}, id="channel-another"),
    pytest.param({"channel": CARA}, id="channel-a-user"),
]


@pytest.mark.parametrize("forged", FORGED_ORIGINS)
def test_kudos_form_refuses_a_forged_origin(candor, forged):
    candor.fake.add_channel(SECRET, "leadership")
    assert candor.rt.org.kudos.announce == "origin" and candor.rt.org.kudos.channel is None
    genuine = opened_metadata(candor, BOB, channel=GENERAL)  # Bob's `/kudos` alone in #general
    origin = {"permalink": None, "channel": GENERAL, **forged}
    forgeries = {
        "tampered": tampered(genuine, **forged),
        "unsigned": json.dumps(origin),
        "another person's": sealer(candor).seal(KudosIds.MODAL, ANA, origin),
        "another form's": sealer(candor).seal(CheckinIds.MODAL, BOB, origin),
    }
    answers = {how: candor.slack.view_submission(KudosIds.MODAL, modal_values([LI], f"{GOOD} ({how})"), user=BOB,
                                                 private_metadata=meta) for how, meta in forgeries.items()}
    # The genuine form still works: announced where it came from, linking nothing.
    ok = candor.slack.view_submission(KudosIds.MODAL, modal_values([LI], GOOD), user=BOB, private_metadata=genuine)
    assert ok.json()["response_action"] == "update"
    candor.drain()

    sent = bot_output(candor)
    assert sent, "the genuine kudos was not announced"
    for method, channel, text in sent:
        assert not any(b in text for b in BROADCASTS), (method, text)
        assert foreign_links(text) == [], (method, text)
        assert channel not in (SECRET, CARA, candor.fake.dm_channel_id(CARA)), (method, channel)
    assert candor.fake.messages(SECRET) == [] and candor.fake.dms_to(CARA) == []
    assert [m["text"] for m in candor.fake.messages(GENERAL)] == [
        f":tada: <@{LI}> got kudos from <@{BOB}>: {GOOD}"]
    with candor.session() as s:
        assert [(k.message, k.origin_channel_id, k.permalink) for k in s.scalars(select(Kudos))] == [
            (GOOD, GENERAL, None)]
    for resp in answers.values():
        refused(resp, KudosIds.MESSAGE_BLOCK)


def test_kudos_rechecks_a_sealed_origin_before_linking_or_announcing(candor):
    """Should a bad value ever be sealed (a bug, a leaked key), the model still links nothing but a Slack
    permalink and announces nowhere but a channel."""
    candor.fake.add_channel(SECRET, "leadership")
    others = ["U0DAN", "U0EVE"]
    for uid in others:
        candor.fake.add_user(uid, name=uid[2:].lower())
    origins = [  # each to its own channel and recipient: the sender paces messages per channel
        (LI, {"permalink": "!channel", "channel": GENERAL}),
        (ANA, {"permalink": "https://evil.example/x|Click to claim your bonus", "channel": KUDOS_CHANNEL}),
        (CARA, {"permalink": "https://acme.slack.com/archives/C1/p1700000000000100|bonus", "channel": SECRET}),
        (others[0], {"permalink": None, "channel": LI}),
        (others[1], {"permalink": None, "channel": "<!channel>"}),
    ]
    for recipient, origin in origins:
        resp = candor.slack.view_submission(
            KudosIds.MODAL, modal_values([recipient], GOOD), user=BOB,
            private_metadata=sealer(candor).seal(KudosIds.MODAL, BOB, origin))
        assert resp.json()["response_action"] == "update", resp.text
    candor.drain()
    with candor.session() as s:
        assert sorted((k.origin_channel_id or "", k.permalink or "") for k in s.scalars(select(Kudos))) == [
            ("", ""), ("", ""), (GENERAL, ""), (KUDOS_CHANNEL, ""), (SECRET, "")]
    for method, channel, text in bot_output(candor):
        assert not any(b in text for b in BROADCASTS), (method, text)
        assert foreign_links(text) == [], (method, text)
        assert channel != LI
    assert [len(candor.fake.messages(c)) for c in (GENERAL, KUDOS_CHANNEL, SECRET)] == [1, 1, 1]
    assert [len(candor.fake.dms_to(u)) for u, _ in origins] == [1, 1, 1, 1, 1]
    assert not any("got kudos" in m["text"] for m in candor.fake.dms_to(LI))


def test_give_kudos_button_with_a_junk_value_preselects_nobody(candor):
    for value in ("<!channel>", "U0ANA|x", "C0GENERAL", "somebody", "U0ANA,U0LI", "u0ana", "U0ANA\n", "<@U0ANA>", ""):
        resp = candor.slack.block_action(CheckinIds.GIVE_KUDOS, user=BOB, value=value)
        assert resp.status_code == 200
        view = last_view(candor)
        assert view["callback_id"] == KudosIds.MODAL
        recipients = next(b for b in view["blocks"] if b.get("block_id") == KudosIds.RECIPIENTS_BLOCK)
        assert "initial_users" not in recipients["element"], (value, recipients)
    # A real member id is pre-selected (so the test could tell).
    candor.slack.block_action(CheckinIds.GIVE_KUDOS, user=BOB, value=ANA)
    assert last_view(candor)["blocks"][0]["element"]["initial_users"] == [ANA]


# -- check-ins ---------------------------------------------------------------------------------------------------


def test_checkin_form_refuses_a_forged_week(candor):
    seed_people(candor, {BOB: None, ANA: BOB})
    period = current_period(candor, ANA)
    year, week = period.split("-W")
    genuine = open_form(candor, ANA, period)
    assert genuine is not None
    forgeries = {
        "padded week": tampered(genuine, period=f"{year}-W0{week}"),
        "leading space": tampered(genuine, period=f" {period}"),
        "plus sign": tampered(genuine, period=f"+{period}"),
        "trailing newline": tampered(genuine, period=f"{period}\n"),
        "an earlier week": tampered(genuine, period=week_key(week_start_of(period) - timedelta(days=14))),
        "unsigned": json.dumps({"period": period}),
        "another person's": open_form(candor, BOB, current_period(candor, BOB)),
        "another form's": sealer(candor).seal(CheckinIds.REPLY_MODAL, ANA, {"period": period}),
    }
    answers = {how: candor.slack.view_submission(CheckinIds.MODAL, answer_values(wins=f"forged: {how}"), user=ANA,
                                                 private_metadata=meta) for how, meta in forgeries.items()}
    candor.drain()
    assert count(candor, Checkin) == 0
    assert candor.fake.dms_to(BOB) == []
    for resp in answers.values():
        refused(resp, "q_wins")
    # The genuine form saves, once, under its own week.
    ok = candor.slack.view_submission(CheckinIds.MODAL, answer_values(), user=ANA, private_metadata=genuine)
    assert ok.json()["response_action"] == "update"
    with candor.session() as s:
        assert s.scalars(select(Checkin.period)).all() == [period]


def test_open_button_with_a_week_named_another_way_opens_no_form(candor):
    seed_people(candor, {BOB: None, ANA: BOB})
    period = current_period(candor, ANA)
    year, week = period.split("-W")
    assert submit(candor, ANA, period).json()["response_action"] == "update"  # this week, answered once
    statuses = []
    for value in (f"{period}\n", f"{year}-W0{week}", f" {period}", f"+{period}", f"{year}-W54", f"{year}-W00",
                  f"{period}-W{week}"):
        before = len(candor.fake.calls_to("views.open"))
        statuses.append(candor.slack.block_action(CheckinIds.OPEN, user=ANA, value=value).status_code)
        view = last_view(candor) if len(candor.fake.calls_to("views.open")) > before else {}
        if view.get("callback_id") == CheckinIds.MODAL:  # a form opened: answer it, as the person would
            candor.slack.view_submission(CheckinIds.MODAL, answer_values(wins=f"again for {value!r}"), user=ANA,
                                         private_metadata=view["private_metadata"])
    with candor.session() as s:
        assert [(c.period, c.version) for c in s.scalars(select(Checkin))] == [(period, 1)]
    forms = opened_views(candor)[1:]  # after the genuine one
    assert [v.get("callback_id") for v in forms if v.get("callback_id") == CheckinIds.MODAL] == []
    assert all("That check-in doesn't exist." in json.dumps(v) for v in forms), forms
    assert statuses == [200] * len(statuses)


def checkins_of_two_teams(candor) -> tuple[dict[str, int], dict[str, int]]:
    """Bob (reports to Ana) and Li (reports to Cara) have checked in: the people's ids, and their check-ins'."""
    people = two_teams(candor)
    for user in (BOB, LI):
        resp = submit(candor, user, current_period(candor, user), blockers=f"{user.lower()}-private-blocker")
        assert resp.json()["response_action"] == "update", resp.text
    with candor.session() as s:
        return people, {s.get(Person, c.person_id).slack_user_id: c.id for c in s.scalars(select(Checkin))}


def test_reply_form_refuses_a_forged_checkin(candor):
    _, ids = checkins_of_two_teams(candor)
    genuine = opened_reply_form(candor, ANA, ids[BOB])
    forgeries = {
        "tampered": tampered(genuine, checkin_id=ids[LI]),
        "unsigned": json.dumps({"checkin_id": ids[LI]}),
        "another person's": opened_reply_form(candor, CARA, ids[LI]),
        "another form's": sealer(candor).seal(CheckinIds.TOPIC_MODAL, ANA, {"checkin_id": ids[LI]}),
    }
    note = {CheckinIds.REPLY_BLOCK: {CheckinIds.REPLY_ACTION: text_value("A note Li should never get")}}
    answers = {how: candor.slack.view_submission(CheckinIds.REPLY_MODAL, note, user=ANA, private_metadata=meta)
               for how, meta in forgeries.items()}
    # Sealed for Ana, but for a check-in of someone she does not manage: the server checks who she is.
    not_his = candor.slack.view_submission(
        CheckinIds.REPLY_MODAL, note, user=ANA,
        private_metadata=sealer(candor).seal(CheckinIds.REPLY_MODAL, ANA, {"checkin_id": ids[LI]}))
    candor.drain()
    assert count(candor, CheckinReply) == 0
    assert not any("replied to your check-in" in m["text"] for m in candor.fake.dms_to(LI))
    for resp in answers.values():
        refused(resp, CheckinIds.REPLY_BLOCK)
    assert "Only the person's manager" in rejected(not_his)[CheckinIds.REPLY_BLOCK]
    ok = candor.slack.view_submission(CheckinIds.REPLY_MODAL, note, user=ANA, private_metadata=genuine)
    assert ok.json()["response_action"] == "update"
    candor.drain()
    assert [m["text"] for m in candor.fake.dms_to(BOB) if "replied to your check-in" in m["text"]] != []
    assert not any("replied to your check-in" in m["text"] for m in candor.fake.dms_to(LI))


def test_add_to_one_on_one_form_refuses_a_forged_checkin(candor):
    _, ids = checkins_of_two_teams(candor)
    candor.slack.block_action(CheckinIds.ADD_TO_ONE_ON_ONE, user=ANA, value=str(ids[BOB]))
    genuine = last_view(candor)
    assert genuine["callback_id"] == CheckinIds.TOPIC_MODAL
    candor.slack.block_action(CheckinIds.ADD_TO_ONE_ON_ONE, user=CARA, value=str(ids[LI]))
    caras = last_view(candor)["private_metadata"]
    forgeries = {
        "tampered": tampered(genuine["private_metadata"], checkin_id=ids[LI]),
        "unsigned": json.dumps({"checkin_id": ids[LI]}),
        "another person's": caras,
        "another form's": sealer(candor).seal(CheckinIds.REPLY_MODAL, ANA, {"checkin_id": ids[LI]}),
    }
    topic = {CheckinIds.TOPIC_BLOCK: {CheckinIds.TOPIC_ACTION: text_value("A topic for someone else's 1:1")}}
    answers = {how: candor.slack.view_submission(CheckinIds.TOPIC_MODAL, topic, user=ANA, private_metadata=meta)
               for how, meta in forgeries.items()}
    not_his = candor.slack.view_submission(
        CheckinIds.TOPIC_MODAL, topic, user=ANA,
        private_metadata=sealer(candor).seal(CheckinIds.TOPIC_MODAL, ANA, {"checkin_id": ids[LI]}))
    assert count(candor, TalkingPoint) == 0
    for resp in answers.values():
        refused(resp, CheckinIds.TOPIC_BLOCK)
    assert "You don't have a 1:1 with this person" in rejected(not_his)[CheckinIds.TOPIC_BLOCK]
    ok = candor.slack.view_submission(CheckinIds.TOPIC_MODAL, topic, user=ANA,
                                      private_metadata=genuine["private_metadata"])
    assert ok.json()["response_action"] == "update"
    theirs = pair_id(candor, ANA, BOB)
    with candor.session() as s:
        assert s.scalars(select(TalkingPoint.pair_id)).all() == [theirs]


def test_checkin_buttons_reveal_no_checkin_the_clicker_may_not_see(candor):
    people, ids = checkins_of_two_teams(candor)
    # Bob moves to Cara's team: Ana, his manager until now, may no longer see his check-ins.
    with candor.rt.db.unit_of_work() as s:
        s.get(Person, people[BOB]).manager_id = people[CARA]
        oo.sync_pairs(s, TEAM, candor.rt.org)
    statuses = []
    earlier = len(opened_views(candor))  # the check-in forms
    for action in (CheckinIds.REPLY, CheckinIds.ADD_TO_ONE_ON_ONE, CheckinIds.READ_ALL):
        for value in (str(ids[LI]), str(ids[BOB]), "", "abc", "-1", "1e3", f" {ids[LI]}", f"{ids[LI]}.0",
                      "99999999999999999999999"):
            statuses.append(candor.slack.block_action(action, user=ANA, value=value).status_code)
    shown = opened_views(candor)[earlier:]
    assert len(shown) == len(statuses) == 27
    assert "private-blocker" not in json.dumps(shown)
    assert [v.get("callback_id") for v in shown if v.get("callback_id") in (
        CheckinIds.REPLY_MODAL, CheckinIds.TOPIC_MODAL)] == []
    assert statuses == [200] * 27
    # Who may see Li's check-in does see it (so the test could tell).
    candor.slack.block_action(CheckinIds.READ_ALL, user=CARA, value=str(ids[LI]))
    candor.slack.block_action(CheckinIds.ADD_TO_ONE_ON_ONE, user=CARA, value=str(ids[LI]))
    assert all("u0li-private-blocker" in json.dumps(v) for v in opened_views(candor)[-2:])


# -- 1:1 forms -------------------------------------------------------------------------------------------------


def test_add_talking_point_form_refuses_a_forged_pair(candor):
    two_teams(candor)
    ab, cl = pair_id(candor, ANA, BOB), pair_id(candor, CARA, LI)
    click(candor, Ids.ADD_BUTTON, user=BOB, value=str(ab))
    genuine = last_view(candor)["private_metadata"]
    click(candor, Ids.ADD_BUTTON, user=LI, value=str(cl))
    lis = last_view(candor)["private_metadata"]
    forgeries = {
        "tampered": tampered(genuine, pair=cl),
        "unsigned": json.dumps({"pair": cl}),
        "another person's": lis,
        "another form's": sealer(candor).seal(Ids.SCHEDULE_MODAL, BOB, {"pair": cl}),
    }
    topic = {Ids.TOPIC_BLOCK: {Ids.TOPIC_ACTION: text_value("A topic for someone else's 1:1")}}
    answers = {how: candor.slack.view_submission(Ids.ADD_MODAL, topic, user=BOB, private_metadata=meta)
               for how, meta in forgeries.items()}
    # Sealed for Bob, but naming (or, in a form with a select, picking) a 1:1 he is not in.
    not_his = [
        candor.slack.view_submission(Ids.ADD_MODAL, topic, user=BOB,
                                     private_metadata=sealer(candor).seal(Ids.ADD_MODAL, BOB, {"pair": cl})),
        candor.slack.view_submission(Ids.ADD_MODAL, {**topic, Ids.PAIR_BLOCK: {Ids.PAIR_ACTION: select_value(str(cl))}},
                                     user=BOB,
                                     private_metadata=sealer(candor).seal(Ids.ADD_MODAL, BOB, {"pair": None})),
    ]
    assert count(candor, TalkingPoint) == 0
    for resp in answers.values():
        refused(resp, Ids.TOPIC_BLOCK)
    for resp in not_his:
        assert list(rejected(resp).values()) == [NOT_IN_IT]
    ok = candor.slack.view_submission(Ids.ADD_MODAL, topic, user=BOB, private_metadata=genuine)
    assert ok.json()["response_action"] == "update"
    with candor.session() as s:
        assert s.scalars(select(TalkingPoint.pair_id)).all() == [ab]


def test_notes_form_refuses_a_forged_meeting(candor):
    ids = two_teams(candor)
    ab, cl = pair_id(candor, ANA, BOB), pair_id(candor, CARA, LI)
    slot, li_slot = next_slot(candor, ab), next_slot(candor, cl)
    at = int(slot.at.timestamp())
    click(candor, Ids.NOTES_BUTTON, user=BOB, value=notes_value(ab, slot.period, slot.at))
    genuine = last_view(candor)["private_metadata"]
    click(candor, Ids.NOTES_BUTTON, user=LI, value=notes_value(cl, li_slot.period, li_slot.at))
    lis = last_view(candor)["private_metadata"]
    forgeries = {
        "another 1:1": tampered(genuine, pair=cl),
        "another week": tampered(genuine, period="2020-W01"),
        "another time": tampered(genuine, at=at + 3600),
        "unsigned": json.dumps({"pair": ab, "period": "2020-W01", "at": at}),
        "another person's": lis,
        "another form's": sealer(candor).seal(Ids.SCHEDULE_MODAL, BOB, {"pair": ab, "period": slot.period, "at": at}),
    }
    values = notes_values("Forged notes", {1: ("A forged action item", ids[BOB], None)})
    answers = {how: candor.slack.view_submission(Ids.NOTES_MODAL, values, user=BOB, private_metadata=meta)
               for how, meta in forgeries.items()}
    not_his = candor.slack.view_submission(
        Ids.NOTES_MODAL, notes_values("Forged notes", {}), user=BOB, private_metadata=sealer(candor).seal(
            Ids.NOTES_MODAL, BOB, {"pair": cl, "period": li_slot.period, "at": int(li_slot.at.timestamp())}))
    # The genuine form, with an owner no select offered (someone outside the 1:1).
    outsider = candor.slack.view_submission(
        Ids.NOTES_MODAL, notes_values("Notes", {1: ("An item for an outsider", ids[CARA], None)}), user=BOB,
        private_metadata=genuine)
    candor.drain()
    assert (count(candor, OneOnOneMeeting), count(candor, ActionItem)) == (0, 0)
    assert rejected(outsider) == {
        f"{Ids.ITEM_OWNER_BLOCK}1": "An action item belongs to one of the two people of the 1:1."}
    assert not any("recorded notes" in m["text"] for u in (ANA, CARA, LI) for m in candor.fake.dms_to(u))
    for resp in answers.values():
        refused(resp, Ids.NOTES_BLOCK)
    assert "Only the two people of this 1:1" in " ".join(rejected(not_his).values())
    ok = candor.slack.view_submission(Ids.NOTES_MODAL, values, user=BOB, private_metadata=genuine)
    assert ok.json()["response_action"] == "update"
    with candor.session() as s:
        assert [(m.pair_id, m.period, m.scheduled_at) for m in s.scalars(select(OneOnOneMeeting))] == [
            (ab, slot.period, slot.at)]


def test_notes_button_naming_a_meeting_that_does_not_exist_opens_the_real_one(candor):
    two_teams(candor)
    ab = pair_id(candor, ANA, BOB)
    slot = next_slot(candor, ab)
    stamp = int(slot.at.timestamp())
    forged = [f"{ab}:{slot.period}:{stamp + 3600}", f"{ab}:2020-W01:{stamp}", f"{ab}:{slot.period}:{stamp}0",
              f"{ab}:{slot.period}:{stamp - 7 * 86400 + 1}", f"{ab}:{slot.period}:-{stamp}", f"{ab}:{slot.period}:x",
              f"{ab}:{slot.period}", f"{ab}:{slot.period}:\u00b2", f"{ab}:{slot.period}:\u0661\u0667\u0660\u0660",
              f"{ab}:\u0662\u0660\u0662\u0666-W01:{stamp}"]
    opened = []
    for value in forged:
        click(candor, Ids.NOTES_BUTTON, user=BOB, value=value)
        view = last_view(candor)
        assert view["callback_id"] == Ids.NOTES_MODAL, value
        meta = json.loads(view["private_metadata"])
        opened.append((value, meta["pair"], meta["period"], meta["at"]))
    for value, pair, period, at in opened:
        assert pair == ab and is_real_slot(candor, ab, period, at), (value, period, at)
    # Notes saved from such a form belong to a real meeting of the pair.
    resp = candor.slack.view_submission(Ids.NOTES_MODAL, notes_values("We talked.", {}), user=BOB,
                                        private_metadata=last_view(candor)["private_metadata"])
    assert resp.json()["response_action"] == "update"
    with candor.session() as s:
        [meeting] = s.scalars(select(OneOnOneMeeting)).all()
    assert is_real_slot(candor, ab, meeting.period, int(meeting.scheduled_at.timestamp()))


def test_schedule_form_refuses_a_forged_pair(candor):
    two_teams(candor)
    ab, cl = pair_id(candor, ANA, BOB), pair_id(candor, CARA, LI)

    def schedule_of(pid: int) -> tuple[Any, ...]:
        with candor.session() as s:
            p = s.get(OneOnOnePair, pid)
            return (p.interval_weeks, p.weekday, p.local_time, p.tz, p.anchor_week)

    before = schedule_of(cl)
    click(candor, Ids.SCHEDULE_BUTTON, user=BOB, value=str(ab))
    genuine = last_view(candor)["private_metadata"]
    click(candor, Ids.SCHEDULE_BUTTON, user=LI, value=str(cl))
    lis = last_view(candor)["private_metadata"]
    forgeries = {
        "tampered": tampered(genuine, pair=cl),
        "unsigned": json.dumps({"pair": cl}),
        "another person's": lis,
        "another form's": sealer(candor).seal(Ids.ADD_MODAL, BOB, {"pair": cl}),
    }
    new_day = (before[1] + 3) % 7
    values = {Ids.CADENCE_BLOCK: {Ids.CADENCE_ACTION: {"type": "radio_buttons", "selected_option": {
                  "value": "1", "text": {"type": "plain_text", "text": "1"}}}},
              Ids.WEEKDAY_BLOCK: {Ids.WEEKDAY_ACTION: select_value(str(new_day))},
              Ids.TIME_BLOCK: {Ids.TIME_ACTION: {"type": "timepicker", "selected_time": "07:15"}}}
    answers = {how: candor.slack.view_submission(Ids.SCHEDULE_MODAL, values, user=BOB, private_metadata=meta)
               for how, meta in forgeries.items()}
    not_his = candor.slack.view_submission(
        Ids.SCHEDULE_MODAL, values, user=BOB,
        private_metadata=sealer(candor).seal(Ids.SCHEDULE_MODAL, BOB, {"pair": cl}))
    # The genuine form, with choices it does not offer.
    mine = schedule_of(ab)
    for block, action, value in ((Ids.WEEKDAY_BLOCK, Ids.WEEKDAY_ACTION, select_value("9")),
                                 (Ids.CADENCE_BLOCK, Ids.CADENCE_ACTION, select_value("0")),
                                 (Ids.TIME_BLOCK, Ids.TIME_ACTION, {"type": "timepicker", "selected_time": "24:00"})):
        odd = candor.slack.view_submission(Ids.SCHEDULE_MODAL, {**values, block: {action: value}}, user=BOB,
                                           private_metadata=genuine)
        assert list(rejected(odd)) == [block]
    assert schedule_of(ab) == mine
    candor.drain()
    assert schedule_of(cl) == before
    assert not any("changed your 1:1" in m["text"] for u in (CARA, LI) for m in candor.fake.dms_to(u))
    for resp in answers.values():
        refused(resp, Ids.CADENCE_BLOCK)
    assert "Only the two people of this 1:1" in " ".join(rejected(not_his).values())
    ok = candor.slack.view_submission(Ids.SCHEDULE_MODAL, values, user=BOB, private_metadata=genuine)
    assert ok.json()["response_action"] == "update"
    assert schedule_of(ab)[:3] == (1, new_day, "07:15") and schedule_of(cl) == before


# -- Done: nothing the client sends is posted back ----------------------------------------------------------------


def test_done_button_updates_only_candors_own_message_in_the_persons_own_dm(candor):
    ids = seed_people(candor, {ANA: None, BOB: ANA})
    ab = pair_id(candor, ANA, BOB)
    slot = next_slot(candor, ab)
    click(candor, Ids.NOTES_BUTTON, user=ANA, value=notes_value(ab, slot.period, slot.at))
    candor.slack.view_submission(Ids.NOTES_MODAL, notes_values("Notes.", {1: ("Write the RFC", ids[BOB], None)}),
                                 user=ANA, private_metadata=last_view(candor)["private_metadata"])
    assert f"<@{ANA}>" in candor.slack.command("/kudos", f"<@{ANA}> {GOOD}", user=CARA, channel=GENERAL).text
    candor.drain()
    with candor.session() as s:
        item = s.scalars(select(ActionItem.id)).one()
    bob_dm, ana_dm = candor.fake.dm_channel_id(BOB), candor.fake.dm_channel_id(ANA)
    [notes_dm] = [m for m in candor.fake.dms_to(BOB) if "recorded notes" in m["text"]]
    [post] = candor.fake.messages(GENERAL)
    [kudos_dm] = candor.fake.dms_to(ANA)
    forged_blocks = [{"type": "section", "block_id": f"{Ids.ITEM_BLOCK}{item}",
                      "text": {"type": "mrkdwn", "text": "• <!channel> Claim your bonus: <https://evil.example|here>"},
                      "accessory": {"type": "button", "action_id": Ids.DONE_BUTTON, "value": str(item),
                                    "text": {"type": "plain_text", "text": "Done"}}}]
    # Messages in Bob's own DM that Candor did not send through its outbox: one by Bob, one by the bot without
    # Candor's metadata.
    by_bob = candor.fake.add_message(bob_dm, "my own note", user=BOB, blocks=forged_blocks)
    no_metadata = candor.fake.add_message(bob_dm, "", user=candor.fake.bot_user_id, blocks=forged_blocks,
                                          bot_id=candor.fake.bot_id)
    click(candor, Ids.SHOW_ALL_BUTTON, user=BOB, value=show_all_value(ab, "action_items", slot.period, slot.at))
    listing = candor.fake.view(candor.fake.calls_to("views.open")[-1].response["view"]["id"])
    assert listing is not None and listing["callback_id"] == Ids.LIST_MODAL
    untouched = {GENERAL: candor.fake.messages(GENERAL), ana_dm: candor.fake.messages(ana_dm)}

    def on_message(channel: str, message: dict[str, Any]) -> None:
        press(candor, Ids.DONE_BUTTON, user=BOB, value=str(item), message={**message, "blocks": forged_blocks},
              container={"type": "message", "channel_id": channel, "message_ts": message["ts"], "is_ephemeral": False})

    def in_view(**view: Any) -> None:
        press(candor, Ids.DONE_BUTTON, user=BOB, value=str(item), view={**listing, "blocks": forged_blocks, **view},
              container={"type": "view", "view_id": listing["id"]})

    on_message(GENERAL, post)  # the public kudos post
    on_message(ana_dm, kudos_dm)  # someone else's DM with Candor
    on_message(bob_dm, by_bob)
    on_message(bob_dm, no_metadata)
    on_message(bob_dm, {**notes_dm, "ts": post["ts"]})  # a ts from another channel
    on_message(bob_dm, {**notes_dm, "ts": "not-a-ts"})
    in_view(private_metadata=tampered(listing["private_metadata"], s="checkins"))
    listed = {k: v for k, v in json.loads(listing["private_metadata"]).items() if k != "_sig"}
    in_view(private_metadata=sealer(candor).seal(Ids.LIST_MODAL, ANA, listed))
    in_view(callback_id=Ids.NOTES_MODAL)
    assert candor.fake.calls_to("chat.update") == [] and candor.fake.calls_to("views.update") == []
    # The genuine places, with forged blocks: what Candor shows is re-read from Slack or rebuilt from the store.
    on_message(bob_dm, notes_dm)
    in_view()

    with candor.session() as s:
        assert s.get(ActionItem, item).done_by_id == ids[BOB]
    updates = candor.fake.calls_to("chat.update")
    assert [(u.params["channel"], u.params["ts"]) for u in updates] == [(bob_dm, notes_dm["ts"])]
    [views_update] = candor.fake.calls_to("views.update")
    assert views_update.params["view_id"] == listing["id"]
    for method, _, text in bot_output(candor, "chat.update", "chat.postMessage"):
        assert not any(b in text for b in BROADCASTS) and "Claim your bonus" not in text, (method, text)
    assert "Claim your bonus" not in json.dumps(views_update.params["view"])
    assert "done by <@U0BOB>" in json.dumps(as_dict(updates[0].params["blocks"]))
    for channel, messages in untouched.items():
        assert candor.fake.messages(channel) == messages
    assert [m.get("edited") for m in candor.fake.messages(bob_dm) if m["ts"] in (by_bob["ts"], no_metadata["ts"])] == [
        None, None]


# -- Show all ------------------------------------------------------------------------------------------------------


def test_show_all_with_a_forged_value_shows_nothing_more(candor):
    ids = two_teams(candor)
    ab, cl = pair_id(candor, ANA, BOB), pair_id(candor, CARA, LI)
    slot, li_slot = next_slot(candor, ab), next_slot(candor, cl)
    with candor.rt.db.unit_of_work() as s:
        s.add(TalkingPoint(pair_id=cl, author_id=ids[LI], text="li-private-topic"))
        s.add(Checkin(team_id=TEAM, person_id=ids[BOB], manager_id=ids[ANA], period=current_period(candor, BOB),
                      answers={"wins": "bob-private-wins"}, questions=[{"id": "wins", "text": "Wins?"}]))

    def show(user: str, value: Any) -> str:
        click(candor, Ids.SHOW_ALL_BUTTON, user=user, value=value if isinstance(value, str) else json.dumps(value))
        return json.dumps(last_view(candor))

    # Ana sees Bob's check-in in their 1:1's list (so the test could tell) ...
    assert "bob-private-wins" in show(ANA, show_all_value(ab, "checkins", slot.period, slot.at))
    shown = [
        show(BOB, show_all_value(cl, "talking_points", li_slot.period, li_slot.at)),  # a 1:1 Bob is not in
        show(BOB, {"p": str(cl), "s": "talking_points"}),
        show(BOB, {"p": ab, "s": "secrets", "m": slot.period, "a": int(slot.at.timestamp())}),  # no such section
        show(BOB, {"p": ab, "s": ["talking_points"]}),
        show(BOB, ["not", "an", "object"]),
        show(BOB, "{not json"),
    ]
    # ... but once Bob reports to Cara, Ana is no longer in his chain: their old 1:1's check-ins are hidden.
    with candor.rt.db.unit_of_work() as s:
        s.get(Person, ids[BOB]).manager_id = ids[CARA]
        oo.sync_pairs(s, TEAM, candor.rt.org)
    shown.append(show(ANA, show_all_value(ab, "checkins", slot.period, slot.at)))
    shown.append(show(ANA, {"p": ab, "s": "checkins", "m": "2099-W01", "a": 4070908800}))
    for dump in shown:
        assert "This part of the agenda is not available any more." in dump, dump
        assert "li-private-topic" not in dump and "bob-private-wins" not in dump


def test_show_all_naming_a_meeting_that_does_not_exist_lists_the_real_one(candor):
    ids = seed_people(candor, {ANA: None, BOB: ANA})
    ab = pair_id(candor, ANA, BOB)
    slot = next_slot(candor, ab)
    with candor.session() as s:
        pair = s.get(OneOnOnePair, ab)
        later = oo.meetings_between(pair, slot.at + timedelta(weeks=7), slot.at + timedelta(weeks=9))[0]
    # A check-in filed after a meeting two months ahead: on that meeting's agenda, not on the next one.
    with candor.rt.db.unit_of_work() as s:
        s.add(Checkin(team_id=TEAM, person_id=ids[BOB], manager_id=ids[ANA], period=week_key(later.at.date()),
                      answers={"wins": "filed-much-later"}, questions=[{"id": "wins", "text": "Wins?"}],
                      submitted_at=later.at + timedelta(hours=1)))
    forged_at = int((later.at + timedelta(hours=1, seconds=1)).timestamp())
    for value in ({"p": ab, "s": "checkins", "m": later.period, "a": forged_at},
                  {"p": ab, "s": "checkins", "m": "2099-W01", "a": 4102444800},
                  {"p": ab, "s": "checkins", "m": slot.period, "a": "x"},
                  {"p": ab, "s": "checkins", "m": slot.period, "a": "\u00b2"}):
        click(candor, Ids.SHOW_ALL_BUTTON, user=ANA, value=json.dumps(value))
        view = last_view(candor)
        assert view["callback_id"] == Ids.LIST_MODAL and "filed-much-later" not in json.dumps(view), value
        meta = json.loads(view["private_metadata"])
        assert is_real_slot(candor, ab, meta["m"], meta["a"]) and meta["a"] != value["a"], (value, meta)


# -- HR admin forms --------------------------------------------------------------------------------------------------


def test_admin_forms_refuse_someone_who_is_not_an_hr_admin(candor):
    """These modals carry no state of their own: whoever submits them, the role is checked on the server."""
    seed_people(candor, {ANA: None, BOB: ANA})
    for action in (AdminIds.SET_MANAGER, AdminIds.EXPORT, AdminIds.ERASE):
        assert candor.slack.block_action(action, user=ANA).status_code == 200
    assert all("Only HR admins can do this." in json.dumps(v) and "callback_id" not in v
               for v in opened_views(candor))
    forms = [
        (AdminIds.MANAGER_MODAL, manager_form(BOB, CARA)),
        (AdminIds.MANAGER_MODAL, manager_form(BOB, None, none=True)),
        (AdminIds.EXPORT_MODAL, {"person": {"person_select": user_value(BOB)}}),
        (AdminIds.ERASE_MODAL, {"person": {"person_select": user_value(BOB)},
                                "confirm": {"confirm_input": text_value("ERASE")}}),
    ]
    for callback_id, values in forms:
        resp = candor.slack.view_submission(callback_id, values, user=ANA)
        assert rejected(resp) == {"person": "Only HR admins can do this."}
    candor.drain()
    with candor.session() as s:
        bob = s.scalars(select(Person).where(Person.slack_user_id == BOB)).one()
        assert bob.erased_at is None and bob.manager_id == ids_of(s)[ANA]
    assert count(candor, AuditEntry) == 0 and count(candor, OutboxMessage, OutboxMessage.kind == "privacy.export") == 0
    assert candor.fake.files == {}


def ids_of(session) -> dict[str, int]:
    return {p.slack_user_id: p.id for p in session.scalars(select(Person))}
