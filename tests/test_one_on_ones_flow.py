"""1:1s end to end: signed requests through the real app, the fake Slack, a real database (both).

`/1on1 add` for a report and for a manager of two, the agenda DM after a week of activity (scheduler tick,
then the outbox), the record-notes modal with inline errors, the one-click Done, carry-over of action
items into the next agenda, and a skip-level manager who cannot read the notes.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from handlers.one_on_ones.ids import OneOnOneIds as Ids
from models import one_on_ones as oo
from models.checkins.tables import Checkin
from models.core.prompts import pattern_for
from models.core.tables import OutboxMessage, Person, Workspace
from models.features import tick_all as tick
from models.one_on_ones.tables import ActionItem, OneOnOneMeeting, OneOnOnePair, TalkingPoint
from models.people import ensure_people
from models.people.org import set_manager
from tests.conftest import ANA, BOB, CARA, LI, TEAM
from tests.slack_requests import _plain_workspace, sample, text_value

pytestmark = pytest.mark.time_sensitive

# The tests used to start at the wall clock's now, and on a Monday after 09:00 (the agenda due, the 1:1 still
# ahead) `next_agenda` found none: every test here starts on a fixed Wednesday, whatever today is.
START = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fixed_start(clock) -> None:
    clock.set(START)

ACKED: list[Any] = []


def acked(resp):
    """Every acked request: 200, well within Slack's 3 seconds."""
    assert resp.status_code == 200, resp.text
    assert resp.elapsed.total_seconds() < 2.5, resp.elapsed
    ACKED.append(resp)
    return resp


def reply(resp) -> str:
    acked(resp)
    return json.loads(resp.text).get("text", "") if resp.text.startswith("{") else resp.text


def seed(candor, managers: dict[str, str | None]) -> dict[str, int]:
    """People from the fake directory with their managers, and their 1:1 pairs, made two weeks ago."""
    ids: dict[str, int] = {}
    made = candor.clock.now() - timedelta(days=14)
    with candor.rt.db.unit_of_work() as s:
        people = ensure_people(s, TEAM, list(managers), candor.rt.services.directory)
        for uid, person in people.items():
            assert person is not None
            person.created_at = made - timedelta(days=7)
            ids[uid] = person.id
        for uid, manager in managers.items():
            people[uid].manager_id = people[manager].id if manager else None
        oo.sync_pairs(s, TEAM, candor.rt.org, now=made)
    return ids


def pair_id(candor, manager: str, report: str) -> int:
    with candor.session() as s:
        m = s.scalars(select(Person).where(Person.slack_user_id == manager)).one()
        r = s.scalars(select(Person).where(Person.slack_user_id == report)).one()
        p = oo.pair_of(s, m, r)
        assert p is not None
        return p.id


def opened_views(candor) -> list[dict[str, Any]]:
    return [c.params["view"] for c in candor.fake.calls_to("views.open")]


def run_tick(candor, now: datetime) -> None:
    """The leader's tick at `now`: the app's clock is set there too, so the sender works at that moment."""
    candor.clock.set(now)
    with candor.rt.db.unit_of_work() as s:
        s.get(Workspace, TEAM).last_tick_at = now - timedelta(minutes=1)
        tick(s, candor.rt.org, TEAM, now=now)


def next_agenda(candor, user: str, pid: int, *, after: datetime | None = None):
    """The user's next agenda occurrence for the pair (after `after`); without `after`, the first one whose
    previous meeting is already past, so that activity created now belongs to it."""
    now = after or candor.clock.now()
    with candor.session() as s:
        person = s.scalars(select(Person).where(Person.slack_user_id == user)).one()
        pair = s.get(OneOnOnePair, pid)
        found = oo.agenda_occurrences(s, candor.rt.org, person, pattern_for(person, candor.rt.org), now,
                                      now + timedelta(days=40))
        for occ in sorted(found, key=lambda o: o.due_at):
            at = datetime.fromisoformat(occ.payload["meeting_at"])
            prev = oo.previous_meeting(pair, at - timedelta(seconds=1))
            if occ.payload["pair_id"] == pid and (after is not None or prev is None or prev.at < now):
                return occ
    raise AssertionError("no agenda ahead")


def agenda_dms(candor, user: str, about: str) -> list[dict[str, Any]]:
    return [m for m in candor.fake.dms_to(user) if f"Your 1:1 with <@{about}>" in m["text"]]


def blocks_text(message: dict[str, Any]) -> str:
    return json.dumps(message.get("blocks") or [], ensure_ascii=False)


def click(candor, action_id: str, *, user: str, value: str, message: dict[str, Any] | None = None,
          channel: str | None = None):
    """A block_actions request; with `message`, from that message (container, blocks) as Slack sends it."""
    if message is None:
        return acked(candor.slack.block_action(action_id, user=user, value=value))
    body = sample("block_actions.json")["body"]
    _plain_workspace(body, TEAM)
    n = int(time.time() * 1000) % 100000
    body["user"] = {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM}
    body["trigger_id"] = f"{n}.{n}.trigger{n}"
    body["container"] = {"type": "message", "message_ts": message["ts"], "channel_id": channel, "is_ephemeral": False}
    body["channel"] = {"id": channel, "name": "directmessage"}
    body["message"] = message
    block = next(b for b in message["blocks"]
                 if any(e.get("action_id") == action_id and e.get("value") == value
                        for e in [b.get("accessory") or {}, *b.get("elements", [])]))
    body["actions"] = [{"action_id": action_id, "block_id": block.get("block_id", "b"), "type": "button",
                        "value": value, "text": {"type": "plain_text", "text": "Done"},
                        "action_ts": f"{time.time():.6f}"}]
    return acked(candor.slack.post_payload(body))


def select_value(value: str | None) -> dict[str, Any]:
    option = {"value": value, "text": {"type": "plain_text", "text": value}} if value else None
    return {"type": "static_select", "selected_option": option}


def notes_values(notes: str | None, rows: dict[int, tuple[str | None, int | None, str | None]]) -> dict[str, Any]:
    values: dict[str, Any] = {Ids.NOTES_BLOCK: {Ids.NOTES_ACTION: text_value(notes)}}
    for row in range(1, 4):
        text, owner, due = rows.get(row, (None, None, None))
        values[f"{Ids.ITEM_TEXT_BLOCK}{row}"] = {Ids.ITEM_TEXT_ACTION: text_value(text)}
        values[f"{Ids.ITEM_OWNER_BLOCK}{row}"] = {Ids.ITEM_OWNER_ACTION: select_value(str(owner) if owner else None)}
        values[f"{Ids.ITEM_DUE_BLOCK}{row}"] = {Ids.ITEM_DUE_ACTION: {"type": "datepicker", "selected_date": due}}
    return values


def errors(resp) -> dict[str, str]:
    acked(resp)
    body = json.loads(resp.text)
    assert body["response_action"] == "errors", body
    return dict(body["errors"])


# -- /1on1 add ----------------------------------------------------------------------------------------------


def test_report_adds_a_talking_point_directly(candor):
    seed(candor, {ANA: None, BOB: ANA})
    text = reply(candor.slack.command("/1on1", "add Talk about <@U0CARA|cara> &amp; the roadmap", user=BOB))
    assert ":white_check_mark: Added to your next 1:1 with <@U0ANA>" in text
    too_long = reply(candor.slack.command("/1on1", "add " + "x" * 1001, user=BOB))
    assert "at most 1000 characters (you wrote 1001)" in too_long
    with candor.session() as s:
        assert [tp.text for tp in s.scalars(select(TalkingPoint))] == ["Talk about @cara & the roadmap"]
    assert opened_views(candor) == []
    assert "You have no 1:1s yet" in reply(candor.slack.command("/1on1", "add hello", user=CARA))
    assert "I don't know `frobnicate`" in reply(candor.slack.command("/1on1", "frobnicate", user=BOB))
    help_text = json.dumps(json.loads(candor.slack.command("/1on1", "", user=BOB).text))
    assert "With <@U0ANA>" in help_text and "your manager" in help_text and Ids.SCHEDULE_BUTTON in help_text


def test_manager_with_two_reports_chooses_in_a_modal(candor):
    seed(candor, {ANA: None, BOB: ANA, LI: ANA})
    resp = acked(candor.slack.command("/1on1", "add Promotion case for &lt;next cycle&gt;", user=ANA))
    assert resp.text == ""
    [view] = opened_views(candor)
    assert view["callback_id"] == Ids.ADD_MODAL
    select_block = next(b for b in view["blocks"] if b.get("block_id") == Ids.PAIR_BLOCK)
    options = {o["value"]: o["text"]["text"] for o in select_block["element"]["options"]}
    li_pair = pair_id(candor, ANA, LI)
    assert options == {str(pair_id(candor, ANA, BOB)): "bob (your report)", str(li_pair): "li (your report)"}
    topic_block = next(b for b in view["blocks"] if b.get("block_id") == Ids.TOPIC_BLOCK)
    assert topic_block["element"]["initial_value"] == "Promotion case for <next cycle>"

    def submit(pair: str | None, topic: str | None):
        values = {Ids.PAIR_BLOCK: {Ids.PAIR_ACTION: select_value(pair)}, Ids.TOPIC_BLOCK: {Ids.TOPIC_ACTION:
                                                                                            text_value(topic)}}
        return candor.slack.view_submission(Ids.ADD_MODAL, values, user=ANA, private_metadata=view["private_metadata"])

    assert errors(submit(None, "x")) == {Ids.PAIR_BLOCK: "Choose the 1:1 to add it to."}
    assert "at most 1000 characters (you wrote 1001)" in errors(submit(str(li_pair), "y" * 1001))[Ids.TOPIC_BLOCK]
    done = json.loads(acked(submit(str(li_pair), "Promotion case")).text)
    assert done["response_action"] == "update" and "Added to your next 1:1 with <@U0LI>" in json.dumps(done)
    with candor.session() as s:
        assert [(tp.pair_id, tp.text) for tp in s.scalars(select(TalkingPoint))] == [(li_pair, "Promotion case")]


# -- the agenda, notes, Done, carry-over, privacy --------------------------------------------------------------


def test_agenda_notes_done_and_carry_over(candor):
    ids = seed(candor, {CARA: None, ANA: CARA, BOB: ANA})
    pid = pair_id(candor, ANA, BOB)
    # A week of activity: talking points from both, a check-in, kudos.
    reply(candor.slack.command("/1on1", "add Career path &amp; &lt;growth&gt;", user=BOB))
    acked(candor.slack.command("/1on1", "add Team offsite budget", user=ANA))  # two 1:1s (Bob, Cara): a modal
    values = {Ids.PAIR_BLOCK: {Ids.PAIR_ACTION: select_value(str(pid))},
              Ids.TOPIC_BLOCK: {Ids.TOPIC_ACTION: text_value("Team offsite budget")}}
    acked(candor.slack.view_submission(Ids.ADD_MODAL, values, user=ANA,
                                       private_metadata=opened_views(candor)[-1]["private_metadata"]))
    assert "Kudos sent" in reply(candor.slack.command("/kudos", f"<@{BOB}> for the calm on-call week and the runbook",
                                                      user=CARA))
    with candor.rt.db.unit_of_work() as s:
        s.add(Checkin(team_id=TEAM, person_id=ids[BOB], manager_id=ids[ANA], period="2026-W48",
                      answers={"wins": "Shipped search", "blockers": "Waiting on infra"}, has_blocker=True, mood=3,
                      questions=[{"id": "wins", "text": "What went well?", "type": "long_text"},
                                 {"id": "blockers", "text": "What's in your way?", "type": "long_text"}]))
    candor.drain()

    occ = next_agenda(candor, ANA, pid)
    run_tick(candor, occ.due_at + timedelta(seconds=30))
    candor.drain()
    [agenda] = agenda_dms(candor, ANA, BOB)
    dump = blocks_text(agenda)
    for needle in ("Your 1:1 with <@U0BOB>", "Career path &amp; &lt;growth&gt; — bob", "Team offsite budget — ana",
                   "What went well?: Shipped search", ":warning: blocker",
                   "from cara: for the calm on-call week and the runbook", "No open action items."):
        assert needle in dump, needle
    assert "<growth>" not in dump

    # After the 1:1, Ana records notes: inline errors first.
    notes_button = next(e["value"] for b in agenda["blocks"] for e in b.get("elements", [])
                        if e.get("action_id") == Ids.NOTES_BUTTON)
    click(candor, Ids.NOTES_BUTTON, user=ANA, value=notes_button)
    modal = opened_views(candor)[-1]
    assert modal["callback_id"] == Ids.NOTES_MODAL and len(modal["blocks"]) == 11
    meta = modal["private_metadata"]
    owner_options = next(b for b in modal["blocks"] if b.get("block_id") == f"{Ids.ITEM_OWNER_BLOCK}1")
    assert {o["value"] for o in owner_options["element"]["options"]} == {str(ids[ANA]), str(ids[BOB])}

    def submit(notes, rows):
        return candor.slack.view_submission(Ids.NOTES_MODAL, notes_values(notes, rows), user=ANA,
                                            private_metadata=meta)

    future = (candor.clock.now() + timedelta(days=30)).date().isoformat()
    assert errors(submit("x" * 3001, {})) == {
        Ids.NOTES_BLOCK: "Notes can be at most 3000 characters (you wrote 3001)."}
    assert errors(submit(None, {})) == {Ids.NOTES_BLOCK: "Write a few notes or add an action item."}
    assert errors(submit("ok", {1: (None, ids[BOB], None)})) == {
        f"{Ids.ITEM_TEXT_BLOCK}1": "Say what needs doing, or clear the owner and due date of this row."}
    assert errors(submit("ok", {1: ("Write the RFC", ids[BOB], future), 3: ("Book a room", None, None)})) == {
        f"{Ids.ITEM_OWNER_BLOCK}3": "Choose who will do it."}
    assert errors(submit("ok", {2: ("Write the RFC", ids[BOB], "2020-01-01")})) == {
        f"{Ids.ITEM_DUE_BLOCK}2": "The due date 2020-01-01 is in the past."}
    with candor.session() as s:
        assert s.scalars(select(ActionItem)).all() == [] and s.scalars(select(OneOnOneMeeting)).all() == []

    saved = json.loads(acked(submit("We agreed on the <plan>.", {1: ("Write the RFC", ids[BOB], future),
                                                                   3: ("Book a room", ids[ANA], None)})).text)
    assert saved["response_action"] == "update" and "2 action items added" in json.dumps(saved)
    with candor.session() as s:
        [meeting] = s.scalars(select(OneOnOneMeeting)).all()
        assert meeting.notes == "We agreed on the <plan>." and meeting.held_at is not None
        assert all(tp.meeting_id == meeting.id for tp in s.scalars(select(TalkingPoint)))
        rfc, room = s.scalars(select(ActionItem).order_by(ActionItem.id)).all()

    # Bob is told, with a Done button per action item; one click marks it done and updates the message.
    candor.drain()
    [notes_dm] = [m for m in candor.fake.dms_to(BOB) if "recorded notes" in m["text"]]
    assert "We agreed on the &lt;plan&gt;." in blocks_text(notes_dm)
    click(candor, Ids.DONE_BUTTON, user=BOB, value=str(rfc.id), message=notes_dm,
          channel=candor.fake.dm_channel_id(BOB))
    with candor.session() as s:
        assert s.get(ActionItem, rfc.id).done_by_id == ids[BOB]
        assert s.get(ActionItem, room.id).done_at is None
    [updated] = [m for m in candor.fake.dms_to(BOB) if "recorded notes" in m["text"]]
    by_id = {b.get("block_id"): b for b in updated["blocks"]}
    closed, still_open = by_id[f"{Ids.ITEM_BLOCK}{rfc.id}"], by_id[f"{Ids.ITEM_BLOCK}{room.id}"]
    assert closed["text"]["text"].startswith("• ~Write the RFC — bob") and "done by <@U0BOB>" in closed["text"]["text"]
    assert "accessory" not in closed and still_open["accessory"]["action_id"] == Ids.DONE_BUTTON

    # The skip-level manager cannot read the notes, nor close the items; the pair can.
    hidden = reply(candor.slack.command("/1on1", f"notes <@{BOB}|bob>", user=CARA))
    assert "no 1:1 notes with <@U0BOB> that you may see" in hidden and "plan" not in hidden
    assert "We agreed on the &lt;plan&gt;." in reply(candor.slack.command("/1on1", f"notes <@{BOB}>", user=ANA))
    click(candor, Ids.DONE_BUTTON, user=CARA, value=str(room.id))
    with candor.session() as s:
        assert s.get(ActionItem, room.id).done_at is None

    # The next agenda carries over the open action item, not the done one nor the covered talking points.
    nxt = next_agenda(candor, ANA, pid, after=datetime.fromisoformat(occ.payload["meeting_at"]))
    run_tick(candor, nxt.due_at + timedelta(seconds=30))
    candor.drain()
    second = agenda_dms(candor, ANA, BOB)[-1]
    dump = blocks_text(second)
    assert "Book a room — ana" in dump and "Write the RFC" not in dump and "Career path" not in dump
    assert "No talking points yet" in dump
    # Done straight from the agenda.
    click(candor, Ids.DONE_BUTTON, user=ANA, value=str(room.id), message=second, channel=candor.fake.dm_channel_id(ANA))
    with candor.session() as s:
        assert s.get(ActionItem, room.id).done_by_id == ids[ANA]
    updated = next(m for m in candor.fake.dms_to(ANA) if m["ts"] == second["ts"])
    [line] = [b["text"]["text"] for b in updated["blocks"] if b.get("block_id") == f"{Ids.ITEM_BLOCK}{room.id}"]
    assert line.startswith("• ~Book a room — ana") and "done by <@U0ANA>" in line  # the agenda shows it done


def test_show_all_and_schedule_change(candor):
    ids = seed(candor, {ANA: None, BOB: ANA})
    pid = pair_id(candor, ANA, BOB)
    with candor.rt.db.unit_of_work() as s:
        for i in range(30):
            s.add(TalkingPoint(pair_id=pid, author_id=ids[BOB], text=f"topic number {i}"))
    occ = next_agenda(candor, BOB, pid)
    run_tick(candor, occ.due_at + timedelta(seconds=30))
    candor.drain()
    [agenda] = agenda_dms(candor, BOB, ANA)
    assert "…and 22 more." in blocks_text(agenda)
    show_all = next(b["accessory"]["value"] for b in agenda["blocks"]
                    if (b.get("accessory") or {}).get("action_id") == Ids.SHOW_ALL_BUTTON)
    click(candor, Ids.SHOW_ALL_BUTTON, user=BOB, value=show_all)
    listing = opened_views(candor)[-1]
    assert listing["callback_id"] == Ids.LIST_MODAL and "topic number 29" in json.dumps(listing)
    click(candor, Ids.SHOW_ALL_BUTTON, user=CARA, value=show_all)  # not hers
    assert "topic number" not in json.dumps(opened_views(candor)[-1])

    # Bob (New York) moves the 1:1 to every week on Thursday at 14:30, his time.
    click(candor, Ids.SCHEDULE_BUTTON, user=BOB, value=str(pid))
    modal = opened_views(candor)[-1]
    assert modal["callback_id"] == Ids.SCHEDULE_MODAL and "America/New_York" in json.dumps(modal)

    def submit(cadence: str):
        values = {Ids.CADENCE_BLOCK: {Ids.CADENCE_ACTION: {"type": "radio_buttons", "selected_option": {
                      "value": cadence, "text": {"type": "plain_text", "text": cadence}}}},
                  Ids.WEEKDAY_BLOCK: {Ids.WEEKDAY_ACTION: select_value("3")},
                  Ids.TIME_BLOCK: {Ids.TIME_ACTION: {"type": "timepicker", "selected_time": "14:30"}}}
        return candor.slack.view_submission(Ids.SCHEDULE_MODAL, values, user=BOB,
                                            private_metadata=modal["private_metadata"])

    assert errors(submit("3")) == {Ids.CADENCE_BLOCK: "Choose weekly or every two weeks."}
    done = json.loads(acked(submit("1")).text)
    assert "every week on Thursday at 14:30 (America/New_York)" in json.dumps(done)
    with candor.session() as s:
        p = s.get(OneOnOnePair, pid)
        assert (p.interval_weeks, p.weekday, p.local_time, p.tz) == (1, 3, "14:30", "America/New_York")
    candor.drain()
    assert any("<@U0BOB> changed your 1:1 to every week on Thursday" in m["text"] for m in candor.fake.dms_to(ANA))


def test_manager_change_skips_queued_agenda_and_moves_the_next(candor):
    ids = seed(candor, {CARA: None, ANA: None, BOB: ANA})
    old = pair_id(candor, ANA, BOB)
    occ = next_agenda(candor, ANA, old)
    run_tick(candor, occ.due_at + timedelta(seconds=30))
    with candor.rt.db.unit_of_work() as s:
        bob, cara = s.get(Person, ids[BOB]), s.get(Person, ids[CARA])
        set_manager(s, TEAM, bob, cara, actor="cli:hr")
        oo.sync_pairs(s, TEAM, candor.rt.org)
    candor.drain()
    assert agenda_dms(candor, ANA, BOB) == []
    with candor.session() as s:
        row = s.scalars(select(OutboxMessage).where(OutboxMessage.kind == oo.AGENDA_KIND,
                                                    OutboxMessage.recipient_id == ids[ANA])).first()
        assert row is not None and row.state == "skipped" and "pair ended" in (row.last_error or "")
    new = pair_id(candor, CARA, BOB)
    nxt = next_agenda(candor, CARA, new)
    run_tick(candor, nxt.due_at + timedelta(seconds=30))
    candor.drain()
    [agenda] = agenda_dms(candor, CARA, BOB)
    assert "Your 1:1 with <@U0BOB>" in agenda["text"]
    # Bob's Home shows his 1:1 with Cara now, and none with Ana.
    acked(candor.slack.app_home_opened(BOB))
    candor.drain_until(lambda: "With <@U0CARA>" in json.dumps(candor.fake.home_views.get(BOB) or {}))
    assert "<@U0ANA>" not in json.dumps(candor.fake.home_views[BOB])
