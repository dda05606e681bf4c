"""Every modal submission is handled once per view.

Slack gives each opened modal a view id, and a double click, a retry or two requests racing all submit that same
view. Each test opens a form as a person would, takes the metadata Candor gave it (from the fake's views.open),
and submits the same view twice in a row, or four times at once: every answer is the success view, the database
holds one record, and what follows (DMs, files) goes out once. And a submit refused with an inline error does not
use the view up: Slack keeps the form open with the same view id, and the corrected submit is saved.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from handlers.checkins.ids import CheckinIds
from handlers.one_on_ones.ids import OneOnOneIds as Ids
from handlers.one_on_ones.views import notes_value
from handlers.people.admin import AdminIds
from models import one_on_ones as oo
from models.checkins.tables import Checkin, CheckinReply
from models.core.tables import AuditEntry, OutboxMessage, Person
from models.one_on_ones.tables import ActionItem, OneOnOneMeeting, OneOnOnePair, TalkingPoint
from tests.conftest import ANA, BOB, CARA, LI
from tests.slack_requests import text_value
from tests.test_admin import HR, manager_form, user_value
from tests.test_checkins import answer_values, current_period, open_form, opened_reply_form, submit
from tests.test_one_on_ones_flow import click, notes_values, pair_id, seed, select_value

pytestmark = pytest.mark.time_sensitive


@pytest.fixture(params=["twice", "four-at-once"])
def repeat(request: pytest.FixtureRequest) -> Callable[[Callable[[], httpx.Response]], list[httpx.Response]]:
    """Send the same submission twice, one after the other, or four times concurrently."""

    def run(send: Callable[[], httpx.Response]) -> list[httpx.Response]:
        if request.param == "twice":
            return [send(), send()]
        with ThreadPoolExecutor(4) as pool:
            return list(pool.map(lambda _: send(), range(4)))

    return run


def succeeded(responses: list[httpx.Response], *needles: str) -> None:
    """Every answer is the form's success view (what the first submit showed), never an error."""
    for resp in responses:
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert body.get("response_action") == "update", body
        shown = json.dumps(body["view"], ensure_ascii=False)
        assert "nothing was saved" not in shown and "went wrong" not in shown, shown
        for needle in needles:
            assert needle in shown, shown


def count(candor, model: Any, *where: Any) -> int:
    with candor.session() as s:
        return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def opened(candor) -> dict[str, Any]:
    view = candor.fake.calls_to("views.open")[-1].params["view"]
    return json.loads(view) if isinstance(view, str) else dict(view)


def dms(candor, user: str, text: str) -> int:
    return sum(text in m["text"] for m in candor.fake.dms_to(user))


def checked_in(candor, user: str) -> int:
    resp = submit(candor, user, current_period(candor, user), blockers="Waiting on the staging database")
    assert resp.json()["response_action"] == "update", resp.text
    with candor.session() as s:
        return int(s.scalars(select(Checkin.id)).one())


# -- check-ins -------------------------------------------------------------------------------------------------


def test_checkin_answers(candor, repeat):
    seed(candor, {ANA: None, BOB: ANA})
    period = current_period(candor, BOB)
    meta = open_form(candor, BOB, period)
    responses = repeat(lambda: candor.slack.view_submission(CheckinIds.MODAL, answer_values(), user=BOB,
                                                            view_id="V0CHECKIN", private_metadata=meta))
    succeeded(responses, "is saved", "Your manager will see it.")
    with candor.session() as s:
        assert [(c.period, c.version) for c in s.scalars(select(Checkin))] == [(period, 1)]
    candor.drain()
    assert dms(candor, ANA, f"<@{BOB}>'s check-in") == 1


def test_manager_reply(candor, repeat):
    seed(candor, {ANA: None, BOB: ANA})
    meta = opened_reply_form(candor, ANA, checked_in(candor, BOB))
    note = {CheckinIds.REPLY_BLOCK: {CheckinIds.REPLY_ACTION: text_value("Let's unblock staging today.")}}
    responses = repeat(lambda: candor.slack.view_submission(CheckinIds.REPLY_MODAL, note, user=ANA,
                                                            view_id="V0REPLY", private_metadata=meta))
    succeeded(responses, f"Sent to <@{BOB}>")
    assert count(candor, CheckinReply) == 1
    candor.drain()
    assert dms(candor, BOB, "replied to your check-in") == 1


def test_talking_point_from_a_checkin(candor, repeat):
    seed(candor, {ANA: None, BOB: ANA})
    candor.slack.block_action(CheckinIds.ADD_TO_ONE_ON_ONE, user=ANA, value=str(checked_in(candor, BOB)))
    form = opened(candor)
    assert form["callback_id"] == CheckinIds.TOPIC_MODAL
    meta = form["private_metadata"]
    topic = {CheckinIds.TOPIC_BLOCK: {CheckinIds.TOPIC_ACTION: text_value("Staging database access")}}
    responses = repeat(lambda: candor.slack.view_submission(CheckinIds.TOPIC_MODAL, topic, user=ANA,
                                                            view_id="V0TOPIC", private_metadata=meta))
    succeeded(responses, "Added to your next 1:1")
    with candor.session() as s:
        assert s.scalars(select(TalkingPoint.text)).all() == ["Staging database access"]


# -- 1:1s -----------------------------------------------------------------------------------------------------------


def test_talking_point_from_the_1on1_form(candor, repeat):
    seed(candor, {ANA: None, BOB: ANA})
    click(candor, Ids.ADD_BUTTON, user=BOB, value=str(pair_id(candor, ANA, BOB)))
    meta = opened(candor)["private_metadata"]
    topic = {Ids.TOPIC_BLOCK: {Ids.TOPIC_ACTION: text_value("Career path")}}
    responses = repeat(lambda: candor.slack.view_submission(Ids.ADD_MODAL, topic, user=BOB, view_id="V0POINT",
                                                            private_metadata=meta))
    succeeded(responses, f"Added to your next 1:1 with <@{ANA}>")
    with candor.session() as s:
        assert s.scalars(select(TalkingPoint.text)).all() == ["Career path"]


def test_notes_and_action_items(candor, repeat):
    ids = seed(candor, {ANA: None, BOB: ANA})
    pid = pair_id(candor, ANA, BOB)
    with candor.session() as s:
        slot = oo.next_meeting(s.get(OneOnOnePair, pid), candor.clock.now())
    click(candor, Ids.NOTES_BUTTON, user=ANA, value=notes_value(pid, slot.period, slot.at))
    meta = opened(candor)["private_metadata"]
    values = notes_values("We agreed on the plan.", {1: ("Write the RFC", ids[BOB], None)})
    responses = repeat(lambda: candor.slack.view_submission(Ids.NOTES_MODAL, values, user=ANA, view_id="V0NOTES",
                                                            private_metadata=meta))
    succeeded(responses, "Notes saved.", "1 action item added.")
    with candor.session() as s:
        assert [(m.period, m.notes) for m in s.scalars(select(OneOnOneMeeting))] == [
            (slot.period, "We agreed on the plan.")]
        assert s.scalars(select(ActionItem.text)).all() == ["Write the RFC"]
    candor.drain()
    assert dms(candor, BOB, "recorded notes") == 1


def test_schedule_change(candor, repeat):
    seed(candor, {ANA: None, BOB: ANA})
    pid = pair_id(candor, ANA, BOB)
    click(candor, Ids.SCHEDULE_BUTTON, user=BOB, value=str(pid))
    meta = opened(candor)["private_metadata"]
    values = {Ids.CADENCE_BLOCK: {Ids.CADENCE_ACTION: {"type": "radio_buttons", "selected_option": {
                  "value": "1", "text": {"type": "plain_text", "text": "1"}}}},
              Ids.WEEKDAY_BLOCK: {Ids.WEEKDAY_ACTION: select_value("3")},
              Ids.TIME_BLOCK: {Ids.TIME_ACTION: {"type": "timepicker", "selected_time": "14:30"}}}
    responses = repeat(lambda: candor.slack.view_submission(Ids.SCHEDULE_MODAL, values, user=BOB,
                                                            view_id="V0SCHEDULE", private_metadata=meta))
    succeeded(responses, "every week on Thursday at 14:30")
    with candor.session() as s:
        p = s.get(OneOnOnePair, pid)
        assert (p.interval_weeks, p.weekday, p.local_time) == (1, 3, "14:30")
    candor.drain()
    assert dms(candor, ANA, "changed your 1:1") == 1


# -- HR admin --------------------------------------------------------------------------------------------------------


def test_admin_set_manager(candor, repeat):
    candor.fake.add_user(HR, name="hr", real_name="Hana HR")
    seed(candor, {ANA: None, BOB: None})
    responses = repeat(lambda: candor.slack.view_submission(AdminIds.MANAGER_MODAL, manager_form(BOB, ANA), user=HR,
                                                            view_id="V0MANAGER"))
    succeeded(responses, ":white_check_mark:")
    with candor.session() as s:
        bob = s.scalars(select(Person).where(Person.slack_user_id == BOB)).one()
        assert s.get(Person, bob.manager_id).slack_user_id == ANA
        assert s.scalars(select(AuditEntry.action)).all() == ["org.set_manager"]


def test_admin_export(candor, repeat):
    candor.fake.add_user(HR, name="hr", real_name="Hana HR")
    seed(candor, {ANA: None, BOB: ANA})
    form = {AdminIds.PERSON_BLOCK: {AdminIds.PERSON_ACTION: user_value(BOB)}}
    responses = repeat(lambda: candor.slack.view_submission(AdminIds.EXPORT_MODAL, form, user=HR, view_id="V0EXPORT"))
    succeeded(responses, "on its way to your DMs")
    with candor.session() as s:
        assert s.scalars(select(AuditEntry.action)).all() == ["privacy.export"]
    assert count(candor, OutboxMessage, OutboxMessage.kind == "privacy.export") == 1
    candor.drain()
    assert [f["filename"] for f in candor.fake.files.values()] == [f"candor-export-{BOB}.json"]


def test_admin_erase(candor, repeat):
    candor.fake.add_user(HR, name="hr", real_name="Hana HR")
    seed(candor, {ANA: None, BOB: ANA})
    form = {AdminIds.PERSON_BLOCK: {AdminIds.PERSON_ACTION: user_value(BOB)},
            AdminIds.CONFIRM_BLOCK: {AdminIds.CONFIRM_ACTION: text_value("ERASE")}}
    responses = repeat(lambda: candor.slack.view_submission(AdminIds.ERASE_MODAL, form, user=HR, view_id="V0ERASE"))
    succeeded(responses, "Erased.")
    with candor.session() as s:
        assert s.scalars(select(AuditEntry.action)).all() == ["privacy.erase"]
        assert s.scalars(select(Person).where(Person.slack_user_id == BOB)).first() is None


# -- a submit refused inline does not use up the view ---------------------------------------------------------------


def test_a_form_corrected_after_an_inline_error_is_still_saved(candor):
    """Slack keeps the view (and its id) open after `response_action=errors`: the corrected submit of the same
    view must do the work, not be taken for a repeat of the refused one."""
    candor.fake.add_user(HR, name="hr", real_name="Hana HR")
    seed(candor, {ANA: None, BOB: ANA, LI: None})
    pid = pair_id(candor, ANA, BOB)

    def twice(callback_id: str, view_id: str, user: str, wrong: dict[str, Any], right: dict[str, Any],
              meta: str = "") -> httpx.Response:
        first = candor.slack.view_submission(callback_id, wrong, user=user, view_id=view_id, private_metadata=meta)
        assert first.json().get("response_action") == "errors", (callback_id, first.text)
        second = candor.slack.view_submission(callback_id, right, user=user, view_id=view_id, private_metadata=meta)
        succeeded([second])
        return second

    period = current_period(candor, BOB)
    twice(CheckinIds.MODAL, "V1CHECKIN", BOB, answer_values(wins=""), answer_values(),
          open_form(candor, BOB, period))
    with candor.session() as s:
        checkin = s.scalars(select(Checkin.id)).one()

    def note(text: str | None) -> dict[str, Any]:
        return {CheckinIds.REPLY_BLOCK: {CheckinIds.REPLY_ACTION: text_value(text)}}

    twice(CheckinIds.REPLY_MODAL, "V1REPLY", ANA, note(" "), note("Thanks!"), opened_reply_form(candor, ANA, checkin))
    candor.slack.block_action(CheckinIds.ADD_TO_ONE_ON_ONE, user=ANA, value=str(checkin))

    def topic(block: str, action: str, text: str | None) -> dict[str, Any]:
        return {block: {action: text_value(text)}}

    twice(CheckinIds.TOPIC_MODAL, "V1TOPIC", ANA, topic(CheckinIds.TOPIC_BLOCK, CheckinIds.TOPIC_ACTION, ""),
          topic(CheckinIds.TOPIC_BLOCK, CheckinIds.TOPIC_ACTION, "From the check-in"),
          opened(candor)["private_metadata"])
    click(candor, Ids.ADD_BUTTON, user=BOB, value=str(pid))
    twice(Ids.ADD_MODAL, "V1POINT", BOB, topic(Ids.TOPIC_BLOCK, Ids.TOPIC_ACTION, "x" * 1001),
          topic(Ids.TOPIC_BLOCK, Ids.TOPIC_ACTION, "Career path"), opened(candor)["private_metadata"])
    with candor.session() as s:
        slot = oo.next_meeting(s.get(OneOnOnePair, pid), candor.clock.now())
    click(candor, Ids.NOTES_BUTTON, user=ANA, value=notes_value(pid, slot.period, slot.at))
    twice(Ids.NOTES_MODAL, "V1NOTES", ANA, notes_values(None, {}), notes_values("We talked.", {}),
          opened(candor)["private_metadata"])
    click(candor, Ids.SCHEDULE_BUTTON, user=BOB, value=str(pid))

    def schedule(cadence: str) -> dict[str, Any]:
        return {Ids.CADENCE_BLOCK: {Ids.CADENCE_ACTION: {"type": "radio_buttons", "selected_option": {
                    "value": cadence, "text": {"type": "plain_text", "text": cadence}}}},
                Ids.WEEKDAY_BLOCK: {Ids.WEEKDAY_ACTION: select_value("3")},
                Ids.TIME_BLOCK: {Ids.TIME_ACTION: {"type": "timepicker", "selected_time": "14:30"}}}

    twice(Ids.SCHEDULE_MODAL, "V1SCHEDULE", BOB, schedule("3"), schedule("1"), opened(candor)["private_metadata"])
    twice(AdminIds.MANAGER_MODAL, "V1MANAGER", HR, manager_form(LI, ANA, none=True), manager_form(LI, ANA))
    twice(AdminIds.EXPORT_MODAL, "V1EXPORT", HR,  # first someone Candor holds nothing about
          {AdminIds.PERSON_BLOCK: {AdminIds.PERSON_ACTION: user_value("U0NOBODY")}},
          {AdminIds.PERSON_BLOCK: {AdminIds.PERSON_ACTION: user_value(BOB)}})
    erase: dict[str, Any] = {AdminIds.PERSON_BLOCK: {AdminIds.PERSON_ACTION: user_value(LI)}}
    twice(AdminIds.ERASE_MODAL, "V1ERASE", HR, {**erase, AdminIds.CONFIRM_BLOCK: {AdminIds.CONFIRM_ACTION: text_value(
        "erase")}}, {**erase, AdminIds.CONFIRM_BLOCK: {AdminIds.CONFIRM_ACTION: text_value("ERASE")}})

    with candor.session() as s:
        assert s.scalars(select(CheckinReply.text)).all() == ["Thanks!"]
        assert sorted(s.scalars(select(TalkingPoint.text))) == ["Career path", "From the check-in"]
        assert s.scalars(select(OneOnOneMeeting.notes)).all() == ["We talked."]
        assert (s.get(OneOnOnePair, pid).interval_weeks, s.get(OneOnOnePair, pid).weekday) == (1, 3)
        assert s.scalars(select(Person).where(Person.slack_user_id == LI)).first() is None
        assert sorted(s.scalars(select(AuditEntry.action))) == ["org.set_manager", "privacy.erase", "privacy.export"]
    assert count(candor, OutboxMessage, OutboxMessage.kind == "privacy.export") == 1
    candor.drain()
    assert [f["filename"] for f in candor.fake.files.values()] == [f"candor-export-{BOB}.json"]


def test_another_persons_view_id_neither_reveals_nor_blocks_their_submission(candor):
    """The view id comes back from the client: sending someone else's is just one's own first submission."""
    seed(candor, {ANA: None, BOB: ANA, CARA: ANA})
    period = current_period(candor, BOB)
    bob_meta, cara_meta = open_form(candor, BOB, period), open_form(candor, CARA, period)
    first = candor.slack.view_submission(CheckinIds.MODAL, answer_values(wins="Bob's own week"), user=BOB,
                                         view_id="V0SHARED", private_metadata=bob_meta)
    succeeded([first], "is saved")
    # Cara sends Bob's view id with her own form: her check-in is saved (not "already done"), and Bob's stays.
    second = candor.slack.view_submission(CheckinIds.MODAL, answer_values(wins="Cara's own week"), user=CARA,
                                          view_id="V0SHARED", private_metadata=cara_meta)
    succeeded([second], "is saved")
    with candor.session() as s:
        rows = {p.slack_user_id: c.answers["wins"] for c, p in s.execute(
            select(Checkin, Person).join(Person, Person.id == Checkin.person_id))}
    assert rows == {BOB: "Bob's own week", CARA: "Cara's own week"}
