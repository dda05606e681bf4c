"""1:1 domain rules on SQLite and PostgreSQL: pairs follow the org chart, cadence, agendas, notes, action
items, privacy and no-meeting alerts. (The loop through Slack is in test_one_on_ones_flow.py.)"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from bot.blocks import MESSAGE_BLOCKS_MAX, SECTION_TEXT_MAX, VIEW_BLOCKS_MAX
from bot.delivery import RenderContext, Skip
from bot.i18n import translator
from handlers.one_on_ones import cards, modals, renderers, views
from handlers.one_on_ones.home import one_on_ones_home
from handlers.one_on_ones.ids import OneOnOneIds
from models import one_on_ones as oo
from models.agenda import Agenda, agenda_section_for, build_agenda
from models.checkins.tables import Checkin
from models.core.agenda import AgendaSection, SectionSpec
from models.core.config import OrgConfig
from models.core.prompts import pattern_for
from models.core.tables import Alert, OutboxMessage, Person, Workspace
from models.features import agenda_sections
from models.features import tick_all as tick
from models.kudos.tables import Kudos, KudosRecipient
from models.one_on_ones import ActionDraft, OneOnOneError
from models.one_on_ones.tables import ActionItem, OneOnOnePair, TalkingPoint
from models.people import ensure_workspace
from models.people.org import set_manager
from tests.conftest import TEAM, make_org
from tests.fake_slack import check_blocks

pytestmark = pytest.mark.time_sensitive

MON = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)  # a Monday; pairs are made the week before
WEEK = timedelta(weeks=1)
t = translator(None)


@pytest.fixture
def org():
    return make_org()


def org_with(**parts: dict) -> OrgConfig:
    """The test organisation with some settings changed (configs are frozen)."""
    base = make_org()
    return base.model_copy(update={k: getattr(base, k).model_copy(update=v) for k, v in parts.items()})


def add_person(session, uid: str, *, tz: str = "Europe/Lisbon", manager: Person | None = None,
               created: datetime = MON - 8 * WEEK, **kw) -> Person:
    ensure_workspace(session, TEAM)
    p = Person(team_id=TEAM, slack_user_id=uid, real_name=uid.title(), display_name=uid.lower(), tz=tz,
               manager_id=manager.id if manager else None, created_at=created, **kw)
    session.add(p)
    session.flush()
    return p


@pytest.fixture
def team(session, org):
    """Cara (Los Angeles) manages Ana (Lisbon), who manages Bob (New York) and Li (Shanghai)."""
    cara = add_person(session, "CARA", tz="America/Los_Angeles")
    ana = add_person(session, "ANA", tz="Europe/Lisbon", manager=cara)
    bob = add_person(session, "BOB", tz="America/New_York", manager=ana)
    li = add_person(session, "LI", tz="Asia/Shanghai", manager=ana)
    report = oo.sync_pairs(session, TEAM, org, now=MON - WEEK)
    assert (report.created, report.reactivated, report.ended) == (3, 0, 0)
    return {"cara": cara, "ana": ana, "bob": bob, "li": li}


def previous(p: OneOnOnePair, at: datetime) -> oo.Slot:
    slot = oo.previous_meeting(p, at)
    assert slot is not None
    return slot


def section_of(session, p, viewer, org, key, until) -> AgendaSection:
    found = agenda_section_for(session, p, viewer, org, key, until=until)
    assert found is not None
    return found


def pair(session, manager: Person, report: Person) -> OneOnOnePair:
    found = oo.pair_of(session, manager, report)
    assert found is not None
    return found


# -- pairs follow the org chart ----------------------------------------------------------------------------


def test_sync_creates_one_pair_per_relation_with_defaults(session, org, team):
    p = pair(session, team["ana"], team["bob"])
    assert (p.interval_weeks, p.weekday, p.local_time, p.tz) == (2, 1, "10:00", "Europe/Lisbon")  # manager's tz
    assert p.anchor_week == date(2026, 11, 23) and p.anchor_week.weekday() == 0
    assert pair(session, team["cara"], team["ana"]).tz == "America/Los_Angeles"
    assert oo.pair_of(session, team["bob"], team["ana"]) is None  # manager first
    assert str(oo.sync_pairs(session, TEAM, org, now=MON)) == "0 pairs created, 0 re-activated, 0 ended"
    assert {x.id for x in oo.pairs_for(session, team["ana"])} == {
        pair(session, team["cara"], team["ana"]).id, p.id, pair(session, team["ana"], team["li"]).id}


def test_weekly_default_and_unknown_time_zone(session):
    org = org_with(one_on_ones={"default_cadence": "weekly"}, schedule={"default_timezone": "Europe/Berlin"})
    boss = add_person(session, "BOSS", tz="Not/AZone")
    add_person(session, "ME", manager=boss)
    oo.sync_pairs(session, TEAM, org, now=MON)
    [p] = session.scalars(select(OneOnOnePair)).all()
    assert (p.interval_weeks, p.tz) == (1, "Europe/Berlin")


def test_manager_change_mid_week_moves_future_agendas_and_keeps_history(session, org, team):
    ana, bob, cara = team["ana"], team["bob"], team["cara"]
    old = pair(session, ana, bob)
    point = oo.add_talking_point(session, old, bob, "Career path")
    meeting = oo.ensure_meeting(session, old, "2026-W48", MON - timedelta(days=6))
    oo.record_notes(session, old, meeting, ana, "We talked about the launch.",
                    [ActionDraft("Write the launch retro", bob, None)], now=MON - timedelta(days=6))
    later = oo.add_talking_point(session, old, bob, "Conference budget")

    wednesday = MON + timedelta(days=2)
    set_manager(session, TEAM, bob, cara, actor="cli:hr")
    # Before the next sync the old pair is no longer live: nothing new goes to Ana about Bob.
    assert oo.pair_of(session, ana, bob) is None
    assert all(x.report_id != bob.id for x in oo.pairs_for(session, ana))
    report = oo.sync_pairs(session, TEAM, org, now=wednesday)
    assert (report.created, report.ended) == (1, 1)
    session.refresh(old)
    assert not old.active and old.ended_at == wednesday
    # History stays with the old pair.
    assert session.get(TalkingPoint, point.id).pair_id == old.id
    assert session.get(TalkingPoint, later.id).pair_id == old.id
    assert [i.pair_id for i in session.scalars(select(ActionItem))] == [old.id]
    new = pair(session, cara, bob)
    assert new.tz == "America/Los_Angeles" and new.anchor_week == date(2026, 11, 30)
    # Future agendas: Bob's go to the new pair only, Ana gets none about Bob.
    window = (wednesday, wednesday + 4 * WEEK)
    bob_occ = oo.agenda_occurrences(session, org, bob, pattern_for(bob, org), *window)
    assert bob_occ and {o.payload["pair_id"] for o in bob_occ} == {new.id}
    ana_occ = oo.agenda_occurrences(session, org, ana, pattern_for(ana, org), *window)
    assert old.id not in {o.payload["pair_id"] for o in ana_occ}
    # The new agenda starts fresh; the old pair's talking points and action items are not carried over.
    agenda = build_agenda(session, new, bob, org, until=oo.next_meeting(new, wednesday).at)
    assert all(not s.lines for s in agenda.sections if s.key in ("talking_points", "action_items"))
    # Back to Ana: the old pair (and its history) comes back.
    set_manager(session, TEAM, bob, ana, actor="cli:hr")
    report = oo.sync_pairs(session, TEAM, org, now=wednesday + WEEK)
    assert (report.reactivated, report.ended) == (1, 1)
    assert pair(session, ana, bob).id == old.id and old.ended_at is None


def test_agenda_queued_before_a_manager_change_is_skipped(session, org, team):
    ana, bob, cara = team["ana"], team["bob"], team["cara"]
    old = pair(session, ana, bob)
    slot = oo.next_meeting(old, MON)
    row = OutboxMessage(team_id=TEAM, kind=oo.AGENDA_KIND, dedupe_key="x", recipient_id=ana.id,
                        payload={"pair_id": old.id, "meeting_period": slot.period, "meeting_at": slot.at.isoformat()})
    session.add(row)
    session.flush()
    rendered = renderers.render_agenda(RenderContext(session=session, org=org, row=row, recipient=ana))
    assert "Your 1:1 with <@BOB>" in json.dumps(rendered.blocks)
    set_manager(session, TEAM, bob, cara, actor="cli:hr")
    with pytest.raises(Skip, match="pair ended"):
        renderers.render_agenda(RenderContext(session=session, org=org, row=row, recipient=ana))
    oo.sync_pairs(session, TEAM, org, now=MON)
    with pytest.raises(Skip, match="pair ended"):
        renderers.render_agenda(RenderContext(session=session, org=org, row=row, recipient=ana))


def test_deactivated_person_gets_nothing(session, org, team):
    ana, bob = team["ana"], team["bob"]
    p = pair(session, ana, bob)
    bob.is_deleted = True
    session.flush()
    assert oo.pair_of(session, ana, bob) is None
    window = (MON, MON + 4 * WEEK)
    assert oo.agenda_occurrences(session, org, bob, pattern_for(bob, org), *window) == []
    assert p.id not in {o.payload["pair_id"] for o in
                        oo.agenda_occurrences(session, org, ana, pattern_for(ana, org), *window)}
    assert oo.sync_pairs(session, TEAM, org, now=MON).ended == 1
    assert oo.alerts_no_meeting(session, TEAM, org, MON + 10 * WEEK) == [] or all(
        a.pair_id != p.id for a in session.scalars(select(Alert)))
    ws = session.get(Workspace, TEAM)
    ws.last_tick_at = MON
    tick(session, org, TEAM, now=MON + 3 * WEEK)
    assert session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.recipient_id == bob.id)) == 0
    with pytest.raises(OneOnOneError):
        oo.add_talking_point(session, p, bob, "still here?")


# -- rhythm and cadence ---------------------------------------------------------------------------------------


def test_meetings_follow_pair_time_zone_across_dst(session, team):
    p = pair(session, team["ana"], team["bob"])
    p.tz, p.interval_weeks, p.anchor_week = "Europe/Berlin", 1, date(2027, 3, 22)
    slots = oo.meetings_between(p, datetime(2027, 3, 22, tzinfo=UTC), datetime(2027, 4, 1, tzinfo=UTC))
    assert [s.at for s in slots] == [datetime(2027, 3, 23, 9, 0, tzinfo=UTC), datetime(2027, 3, 30, 8, 0, tzinfo=UTC)]
    assert [s.period for s in slots] == ["2027-W12", "2027-W13"]
    p.interval_weeks = 2
    assert oo.next_meeting(p, datetime(2027, 3, 24, tzinfo=UTC)).at == datetime(2027, 4, 6, 8, 0, tzinfo=UTC)
    assert previous(p, datetime(2027, 4, 5, tzinfo=UTC)).period == "2027-W12"


def test_set_cadence_validates_with_clear_errors(session, org, team):
    ana, bob, cara = team["ana"], team["bob"], team["cara"]
    p = pair(session, ana, bob)
    cases = [
        (dict(actor=cara), "", "Only the two people"),
        (dict(interval_weeks=3), "interval", "weekly or every two weeks"),
        (dict(weekday=7), "weekday", "day of the week"),
        (dict(local_time="25:00"), "time", "such as 10:00"),
        (dict(local_time="noon"), "time", "such as 10:00"),
        (dict(tz="Mars/Olympus"), "tz", "Mars/Olympus is not a time zone"),
    ]
    for change, field, message in cases:
        args = {"actor": bob, "interval_weeks": 1, "weekday": 3, "local_time": "14:30", "tz": "America/New_York",
                **change}
        with pytest.raises(OneOnOneError, match=message) as err:
            oo.set_cadence(session, p, args.pop("actor"), now=MON, **args)
        assert err.value.field == field
    assert (p.interval_weeks, p.weekday, p.local_time) == (2, 1, "10:00")  # unchanged

    oo.set_cadence(session, p, bob, 1, 3, "14:30", "America/New_York", now=MON + timedelta(days=1))
    assert (p.interval_weeks, p.weekday, p.local_time, p.tz) == (1, 3, "14:30", "America/New_York")
    assert p.anchor_week == date(2026, 11, 30)  # weekly now: counted from this week
    assert oo.next_meeting(p, MON).at == datetime(2026, 12, 3, 19, 30, tzinfo=UTC)  # Thu 14:30 in New York
    [dm] = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == oo.SCHEDULE_KIND)).all()
    assert dm.recipient_id == ana.id  # the other member is told


def test_agenda_is_due_the_working_day_before_in_each_persons_time(session, org, team):
    ana, li = team["ana"], team["li"]
    p = pair(session, ana, li)  # Tue 10:00 Lisbon every two weeks from 2026-11-23: Nov 24, Dec 8, …
    window = (MON, MON + 2 * WEEK)

    def occurrences(person, org=org):
        return [o for o in oo.agenda_occurrences(session, org, person, pattern_for(person, org), *window)
                if o.payload["pair_id"] == p.id]

    [for_ana], [for_li] = occurrences(ana), occurrences(li)
    assert for_ana.payload == {"pair_id": p.id, "meeting_period": "2026-W50",
                               "meeting_at": "2026-12-08T10:00:00+00:00"}
    assert for_ana.period == f"pair{p.id}-2026-W50"
    assert for_ana.due_at == datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # Mon 09:00 Lisbon
    assert for_li.due_at == datetime(2026, 12, 7, 1, 0, tzinfo=UTC)  # Mon 09:00 Shanghai
    # A Monday meeting: the agenda comes on Friday (working days Mon–Fri).
    p.weekday = 0
    [early] = occurrences(ana)
    assert early.due_at == datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
    assert occurrences(ana, org_with(one_on_ones={"enabled": False})) == []


def test_tick_queues_one_agenda_per_member_and_meeting(session, org, team):
    ana, bob = team["ana"], team["bob"]
    p = pair(session, ana, bob)
    ws = session.get(Workspace, TEAM)
    ws.last_tick_at = datetime(2026, 12, 6, tzinfo=UTC)
    tick(session, org, TEAM, now=datetime(2026, 12, 7, 14, 0, tzinfo=UTC))  # Ana 09:00 Lisbon, Bob 09:00 NY
    rows = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == oo.AGENDA_KIND)).all()
    mine = [r for r in rows if r.payload["pair_id"] == p.id]
    assert sorted(r.recipient_id for r in mine) == sorted([ana.id, bob.id])
    assert all(r.dedupe_key.endswith(f"pair{p.id}-2026-W50") for r in mine)
    tick(session, org, TEAM, now=datetime(2026, 12, 7, 15, 0, tzinfo=UTC))
    assert session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.kind == oo.AGENDA_KIND)) == len(rows)


# -- agenda content -----------------------------------------------------------------------------------------


QUESTIONS = [{"id": "wins", "text": "What went well?", "type": "long_text"},
             {"id": "blockers", "text": "What's in your way?", "type": "long_text"},
             {"id": "energy", "text": "Energy", "type": "scale"}]


def checkin(session, person: Person, period: str, at: datetime, **answers) -> Checkin:
    c = Checkin(team_id=TEAM, person_id=person.id, manager_id=person.manager_id, period=period, answers=answers,
                questions=QUESTIONS, mood=4, has_blocker=bool(answers.get("blockers")), submitted_at=at)
    session.add(c)
    session.flush()
    return c


def kudos(session, giver: Person, to: Person, message: str, at: datetime) -> Kudos:
    k = Kudos(team_id=TEAM, giver_id=giver.id, message=message, source_key=f"k{at.timestamp()}{to.id}",
              created_at=at)
    session.add(k)
    session.flush()
    session.add(KudosRecipient(kudos_id=k.id, person_id=to.id))
    session.flush()
    return k


def by_key(agenda: Agenda) -> dict[str, AgendaSection]:
    return {s.key: s for s in agenda.sections}


def test_agenda_after_a_week_of_activity(session, org, team):
    ana, bob, li, cara = team["ana"], team["bob"], team["li"], team["cara"]
    p = pair(session, ana, bob)
    # Last 1:1 on Tue Nov 24: notes and an action item.
    held = datetime(2026, 11, 24, 10, 30, tzinfo=UTC)
    m1 = oo.ensure_meeting(session, p, "2026-W48", datetime(2026, 11, 24, 10, tzinfo=UTC))
    oo.record_notes(session, p, m1, ana, "Launch went fine.", [ActionDraft("Share the retro", bob,
                                                                             date(2026, 12, 4))], now=held)
    checkin(session, bob, "2026-W47", held - timedelta(days=4), wins="old news")  # before the last 1:1
    kudos(session, li, bob, "old kudos", held - timedelta(days=1))
    # A week of activity.
    oo.add_talking_point(session, p, bob, "Move to the platform team?")
    oo.add_talking_point(session, p, ana, "Feedback on the <design> review & demo")
    checkin(session, bob, "2026-W48", held + timedelta(days=3), wins="Shipped search", blockers="Waiting on infra",
            energy=4)
    kudos(session, li, bob, "Thanks for the calm on-call week", held + timedelta(days=2))
    kudos(session, cara, li, "not Bob's", held + timedelta(days=2))

    until = oo.next_meeting(p, MON).at  # Tue Dec 8
    agenda = build_agenda(session, p, ana, org, until=until)
    assert agenda.since == held
    sections = by_key(agenda)
    assert list(sections) == ["talking_points", "action_items", "checkins", "goals", "feedback", "kudos"]
    assert sections["goals"].lines == []  # Bob has no goals
    assert sections["talking_points"].lines == ["Move to the platform team? — bob",
                                                "Feedback on the <design> review & demo — ana"]
    assert sections["action_items"].lines == ["Share the retro — bob · due 2026-12-04 :warning: overdue"]
    assert sections["checkins"].lines == [
        "2026-W48 · mood 4 · :warning: blocker — What went well?: Shipped search · "
        "What's in your way?: Waiting on infra · Energy: 4"]
    assert sections["kudos"].lines == ["from li: Thanks for the calm on-call week"]
    # The report sees the same agenda; someone outside the pair sees none of its private parts.
    assert by_key(build_agenda(session, p, bob, org, until=until)).keys() == sections.keys()
    assert list(by_key(build_agenda(session, p, cara, org, until=until))) == ["checkins", "goals", "kudos"]
    assert list(by_key(build_agenda(session, p, li, org, until=until))) == ["kudos"]

    # The DM: escaped user text, every section, the buttons.
    card = cards.card_for(session, p, ana, t, MON)
    _, blocks = views.agenda_message(t, agenda, card, meeting_period="2026-W50", meeting_at=until,
                                        tz=ana.tz)
    dump = json.dumps(blocks)
    assert "Feedback on the &lt;design&gt; review &amp; demo" in dump and "<design>" not in dump
    for needle in ("Talking points", "Open action items", "Check-ins since last 1:1", "Kudos received",
                   OneOnOneIds.DONE_BUTTON, OneOnOneIds.ADD_BUTTON, OneOnOneIds.NOTES_BUTTON):
        assert needle in dump
    check_blocks(blocks, limit=MESSAGE_BLOCKS_MAX, pointer="/blocks", error="invalid_blocks")


def test_since_is_the_last_held_meeting_else_the_last_scheduled_one(session, team):
    p = pair(session, team["ana"], team["bob"])  # created Mon Nov 23 12:00; meetings Tue Nov 24, Dec 8, …
    first = oo.next_meeting(p, p.created_at)
    assert oo.since_for(session, p, first.at) == p.created_at
    second = oo.next_meeting(p, first.at)
    assert oo.since_for(session, p, second.at) == first.at  # not held: the previous scheduled one
    m = oo.ensure_meeting(session, p, first.period, first.at)
    oo.record_notes(session, p, m, team["bob"], "ok", now=first.at + timedelta(hours=2))
    assert oo.since_for(session, p, second.at) == first.at + timedelta(hours=2)
    assert oo.ensure_meeting(session, p, first.period, first.at).id == m.id


def test_action_items_carry_over_until_done(session, org, team):
    ana, bob, cara = team["ana"], team["bob"], team["cara"]
    p = pair(session, ana, bob)
    m1 = oo.ensure_meeting(session, p, "2026-W48", datetime(2026, 11, 24, 10, tzinfo=UTC))
    result = oo.record_notes(session, p, m1, bob, "", [("Book the offsite", ana, None),
                                                       ("Draft the RFC", bob, date(2026, 12, 20))],
                             now=datetime(2026, 11, 24, 11, tzinfo=UTC))
    book, rfc = result.items
    meetings = oo.meetings_between(p, MON, MON + 6 * WEEK)

    def open_items(slot: oo.Slot) -> list[int]:
        return by_key(build_agenda(session, p, ana, org, until=slot.at))["action_items"].item_ids

    assert open_items(meetings[0]) == [rfc.id, book.id]  # dated first
    with pytest.raises(OneOnOneError, match="Only the two people"):
        oo.mark_done(session, rfc, cara)
    assert oo.mark_done(session, rfc, ana, now=MON) is True
    assert oo.mark_done(session, rfc, bob, now=MON) is False  # one click is enough; a second changes nothing
    assert rfc.done_by_id == ana.id
    m2 = oo.ensure_meeting(session, p, meetings[0].period, meetings[0].at)
    oo.record_notes(session, p, m2, ana, "Quick one.", now=meetings[0].at + timedelta(hours=1))
    assert open_items(meetings[1]) == [book.id]  # still open: carried to the meeting after
    oo.mark_done(session, book, bob, now=meetings[1].at)
    assert open_items(meetings[2]) == []
    items, total = oo.open_action_items(session, ana, org)
    assert (items, total) == ([], 0)


def test_record_notes_validates_and_files_talking_points(session, org, team, clock):
    ana, bob, li = team["ana"], team["bob"], team["li"]
    p = pair(session, ana, bob)
    clock.set(datetime(2026, 11, 24, 9, tzinfo=UTC))  # the talking point is added on the morning of the 1:1
    tp = oo.add_talking_point(session, p, bob, "Raise")
    slot = oo.meeting_for_notes(p, datetime(2026, 11, 24, 15, tzinfo=UTC))
    assert slot.period == "2026-W48"
    m = oo.ensure_meeting(session, p, slot.period, slot.at)
    now = datetime(2026, 11, 24, 15, tzinfo=UTC)
    bad = [
        (dict(author=li), "", "Only the two people"),
        (dict(notes="x" * 3001), "notes", "at most 3000 characters (you wrote 3001)"),
        (dict(notes=""), "notes", "Write a few notes or add an action item"),
        (dict(items=[("", bob, None)]), "item1_text", "Say what needs doing"),
        (dict(items=[("ok", bob, None), ("y" * 501, bob, None)]), "item2_text", "at most 500 characters"),
        (dict(items=[("ok", None, None)]), "item1_owner", "Choose who"),
        (dict(items=[("ok", li, None)]), "item1_owner", "one of the two people"),
        (dict(items=[("ok", bob, date(2026, 11, 23))]), "item1_due", "2026-11-23 is in the past"),
    ]
    for change, field, message in bad:
        args = {"author": ana, "notes": "fine", "items": [], **change}
        with pytest.raises(OneOnOneError, match=re.escape(message)) as err:
            oo.record_notes(session, p, m, args["author"], args["notes"], args["items"], now=now)
        assert err.value.field == field
    assert m.held_at is None and session.scalar(select(func.count()).select_from(ActionItem)) == 0

    result = oo.record_notes(session, p, m, ana, "  Talked about the raise.\r\n", [("Ask HR", ana, None)], now=now)
    assert (m.notes, m.notes_author_id, result.covered_points) == ("Talked about the raise.", ana.id, 1)
    assert m.held_at == now
    assert tp.meeting_id == m.id
    assert not by_key(build_agenda(session, p, ana, org, until=now + WEEK))["talking_points"].lines
    [dm] = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == oo.NOTES_KIND)).all()
    assert dm.recipient_id == bob.id


def test_talking_point_rules(session, team):
    ana, bob, li = team["ana"], team["bob"], team["li"]
    p = pair(session, ana, bob)
    for text, message in (("   ", "Write the topic"), ("x" * 1001, "at most 1000 characters \\(you wrote 1001\\)")):
        with pytest.raises(OneOnOneError, match=message) as err:
            oo.add_talking_point(session, p, bob, text)
        assert err.value.field == "text"
    with pytest.raises(OneOnOneError, match="Only the two people"):
        oo.add_talking_point(session, p, li, "hi")
    assert oo.add_talking_point(session, p, ana, " x" * 500).text == ("x " * 499 + "x")


# -- privacy -------------------------------------------------------------------------------------------------


def test_notes_and_action_items_are_private_to_the_pair(session, org, team):
    ana, bob, cara, li = team["ana"], team["bob"], team["cara"], team["li"]
    hr = add_person(session, "HRPERSON", is_hr_admin=True)
    p = pair(session, ana, bob)
    m = oo.ensure_meeting(session, p, "2026-W48", datetime(2026, 11, 24, 10, tzinfo=UTC))
    [item] = oo.record_notes(session, p, m, bob, "Private words", [("Fix the build", bob, None)],
                             now=datetime(2026, 11, 24, 11, tzinfo=UTC)).items
    for member in (ana, bob):
        assert [n.meeting.notes for n in oo.notes_about(session, member, bob, org)] == ["Private words"]
        assert oo.action_item_for(session, member, item.id, org) is item
    for outsider in (cara, li, hr):  # skip-level manager, peer, HR (not configured to see notes)
        assert oo.notes_about(session, outsider, bob, org) == []
        assert oo.notes_about(session, outsider, ana, org) == []
        assert oo.meeting_notes(session, outsider, m, org) is None
        assert oo.action_item_for(session, outsider, item.id, org) is None
        assert oo.open_action_items(session, outsider, org) == ([], 0)
    org = org_with(privacy={"hr_sees_one_on_one_notes": True})
    assert [n.meeting.notes for n in oo.notes_about(session, hr, bob, org)] == ["Private words"]
    assert oo.notes_about(session, cara, bob, org) == []
    with pytest.raises(OneOnOneError):
        oo.mark_done(session, item, hr)  # seeing is not acting


# -- limits --------------------------------------------------------------------------------------------------


def test_long_sections_stay_within_slack_limits(session, org, team):
    ana, bob, li = team["ana"], team["bob"], team["li"]
    p = pair(session, ana, bob)
    for i in range(500):
        session.add(TalkingPoint(pair_id=p.id, author_id=bob.id if i % 2 else ana.id,
                                 text=f"topic {i} <&> " + "long words " * 90, created_at=MON - timedelta(minutes=i)))
    m = oo.ensure_meeting(session, p, "2026-W48", datetime(2026, 11, 24, 10, tzinfo=UTC))
    for _ in range(12):
        oo.record_notes(session, p, m, ana, "n", [(f"item {j} " + "x" * 480, bob, None) for j in range(10)],
                        now=datetime(2026, 11, 24, 11, tzinfo=UTC))
    for i in range(40):
        kudos(session, li, bob, f"kudos {i} " + "great " * 160, MON - timedelta(hours=i))
        checkin(session, bob, f"2026-W{i:02d}", MON - timedelta(hours=i), wins="w" * 1500, blockers="b" * 1500)
    session.flush()
    # The talking points were filed under the meeting by record_notes: re-open them for this test.
    for tp in session.scalars(select(TalkingPoint)):
        tp.meeting_id = None
    session.flush()

    until = oo.next_meeting(p, MON).at
    agenda = build_agenda(session, p, ana, org, until=until)
    sections = by_key(agenda)
    assert sections["talking_points"].total == 500 and len(sections["talking_points"].lines) == 100
    assert sections["action_items"].total == 120
    card = cards.card_for(session, p, ana, t, MON)
    _, blocks = views.agenda_message(t, agenda, card, meeting_period="2026-W50", meeting_at=until, tz=ana.tz)
    check_blocks(blocks, limit=MESSAGE_BLOCKS_MAX, pointer="/blocks", error="invalid_blocks")
    assert len(blocks) <= MESSAGE_BLOCKS_MAX
    assert all(len((b.get("text") or {}).get("text", "")) <= SECTION_TEXT_MAX for b in blocks)
    assert sum(len(json.dumps(b)) for b in blocks) < 16_000
    dump = json.dumps(blocks, ensure_ascii=False)
    assert "…and 492 more." in dump and "…and 112 more." in dump and OneOnOneIds.SHOW_ALL_BUTTON in dump
    # "Show all" opens a modal with the rest, within a modal's limits.
    for key in ("talking_points", "action_items", "checkins", "kudos"):
        view = modals.list_modal(t, section_of(session, p, ana, org, key, until)).to_dict()
        check_blocks(view["blocks"], limit=VIEW_BLOCKS_MAX, pointer="/view/blocks", error="invalid_arguments")
        assert len(json.dumps(view)) < 250_000 and len(view["title"]["text"]) <= 24
    assert "more not shown here" in json.dumps(modals.list_modal(
        t, section_of(session, p, ana, org, "talking_points", until)).to_dict())
    # The Home section, too, stays small.
    home = [b.to_dict() for b in one_on_ones_home(session, ana, t, org)]
    check_blocks(home, limit=30, pointer="/view/blocks", error="invalid_arguments")


def test_agenda_sections_are_pluggable(session, org, team):
    """A later feature (feedback, say) adds a section without touching the rest."""
    p = pair(session, team["ana"], team["bob"])
    seen = []

    def feedback(session, pair, since, until):
        seen.append((pair.id, since, until))
        return AgendaSection(title="Feedback", lines=["Clear launch notes"], total=1)

    sections = (*agenda_sections(), SectionSpec(key="test_feedback", order=45, fn=feedback))
    until = oo.next_meeting(p, MON).at
    agenda = build_agenda(session, p, team["bob"], org, until=until, sections=sections)
    assert [s.key for s in agenda.sections] == ["talking_points", "action_items", "checkins", "goals",
                                                "feedback", "test_feedback", "kudos"]
    assert seen == [(p.id, agenda.since, until)]


# -- alerts -------------------------------------------------------------------------------------------------


def nudges(session) -> list[OutboxMessage]:
    return list(session.scalars(select(OutboxMessage).where(OutboxMessage.kind == oo.NUDGE_KIND)))


def test_no_meeting_alerts_and_exactly_one_nudge(session, org, team):
    ana, bob, cara = team["ana"], team["bob"], team["cara"]
    p = pair(session, ana, bob)  # pairs created MON - 1 week; alert after 4 weeks without a held 1:1
    assert oo.alerts_no_meeting(session, TEAM, org, MON + 2 * WEEK) == []
    now = MON + 3 * WEEK + timedelta(days=1)
    made = oo.alerts_no_meeting(session, TEAM, org, now)
    assert {a.pair_id for a in made} == {p.id, pair(session, ana, team["li"]).id, pair(session, cara, ana).id}
    alert = next(a for a in made if a.pair_id == p.id)
    assert (alert.kind, alert.subject, alert.person_id, alert.resolved_at) == (
        "oneonone.no_meeting", f"pair:{p.id}", ana.id, None)
    assert alert.details["weeks"] == 4 and alert.details["report"] == "BOB"
    assert len([n for n in nudges(session) if n.payload["pair_id"] == p.id]) == 1
    # Daily runs while the gap continues: the same alert, no second nudge.
    for day in range(1, 15):
        assert oo.alerts_no_meeting(session, TEAM, org, now + timedelta(days=day)) == []
    assert len(nudges(session)) == 3
    # A 1:1 resolves it; a new gap of 4 weeks is a new alert with its own single nudge.
    slot = previous(p, now + 2 * WEEK)
    m = oo.ensure_meeting(session, p, slot.period, slot.at)
    oo.record_notes(session, p, m, bob, "finally", now=now + 2 * WEEK)
    assert alert.resolved_at == now + 2 * WEEK
    assert oo.alerts_no_meeting(session, TEAM, org, now + 5 * WEEK) == []
    again = oo.alerts_no_meeting(session, TEAM, org, now + 6 * WEEK + timedelta(days=1))
    assert [a.pair_id for a in again] == [p.id] and again[0].period != alert.period
    assert len([n for n in nudges(session) if n.payload["pair_id"] == p.id]) == 2


def test_nudge_waits_for_working_hours_and_skips_paused_managers(session, org, team):
    ana, cara = team["ana"], team["cara"]
    cara.paused_until = MON + 10 * WEEK
    saturday_night = datetime(2026, 12, 26, 23, 0, tzinfo=UTC)  # Sat 23:00 Lisbon
    made = oo.alerts_no_meeting(session, TEAM, org, saturday_night)
    assert {a.person_id for a in made} == {ana.id, cara.id}
    rows = nudges(session)
    assert {r.recipient_id for r in rows} == {ana.id}  # Cara paused: alert recorded, no nudge
    assert all(r.not_before == datetime(2026, 12, 28, 8, 0, tzinfo=UTC) for r in rows)  # Mon 08:00 Lisbon


def test_nudge_renderer_skips_after_the_meeting(session, org, team):
    ana, bob = team["ana"], team["bob"]
    p = pair(session, ana, bob)
    oo.alerts_no_meeting(session, TEAM, org, MON + 5 * WEEK)
    row = next(n for n in nudges(session) if n.payload["pair_id"] == p.id)
    rendered = renderers.render_nudge(RenderContext(session=session, org=org, row=row, recipient=ana))
    assert "4 weeks since your last recorded 1:1 with <@BOB>" in rendered.text
    slot = previous(p, MON + 5 * WEEK)
    oo.record_notes(session, p, oo.ensure_meeting(session, p, slot.period, slot.at), ana, "met",
                    now=MON + 5 * WEEK)
    with pytest.raises(Skip):
        renderers.render_nudge(RenderContext(session=session, org=org, row=row, recipient=ana))


def test_pair_time_parsing():
    assert oo.parse_time("9:05") == time(9, 5) and oo.parse_time("24:00") is None


def test_saving_the_schedule_unchanged_from_another_zone_keeps_the_fortnight(session):
    """Berlin, Monday 08:00, every two weeks; a member in Los Angeles sees Sunday 23:00 and saves it as is."""
    from datetime import UTC, datetime, time

    from models.core.tables import Person
    from models.one_on_ones import next_meeting, set_cadence
    from models.one_on_ones.tables import OneOnOnePair
    from models.people import ensure_workspace

    ensure_workspace(session, "T0X")
    boss = Person(team_id="T0X", slack_user_id="U0BOSS", tz="Europe/Berlin")
    rep = Person(team_id="T0X", slack_user_id="U0REP", tz="America/Los_Angeles")
    session.add_all([boss, rep])
    session.flush()
    rep.manager_id = boss.id
    now = datetime(2026, 11, 10, 12, tzinfo=UTC)
    pair = OneOnOnePair(team_id="T0X", manager_id=boss.id, report_id=rep.id, interval_weeks=2, weekday=0,
                        local_time="08:00", tz="Europe/Berlin", anchor_week=datetime(2026, 11, 2).date())
    session.add(pair)
    session.flush()
    before = next_meeting(pair, now).at
    set_cadence(session, pair, rep, 2, 6, time(23, 0), "America/Los_Angeles", now=now)
    assert next_meeting(pair, now).at == before == datetime(2026, 11, 16, 7, tzinfo=UTC)


def test_show_all_stays_under_slacks_view_size_with_non_ascii_text():
    """slack_sdk sends non-ASCII as \\uXXXX escapes: the budget counts JSON bytes, not characters."""
    from bot.i18n import translator

    lines = ["🎉 祝贺 " * 200] * 100  # long CJK and emoji lines: up to 12 bytes of JSON per character
    section = AgendaSection(title="Talking points", lines=lines, total=len(lines), key="talking_points")
    view = modals.list_modal(translator("en"), section).to_dict()
    assert len(json.dumps(view)) < 250_000
    assert len(view["blocks"]) <= 100


@pytest.mark.parametrize("blank", ["\u200b" * 30, " \u200c\u2060\ufeff\u3164 \u2800\u00ad "])
def test_invisible_text_is_no_topic_note_item_or_reply(session, org, team, blank):
    """Zero-width and blank-looking characters are not words, wherever something must be written."""
    from models import checkins

    ana, bob = team["ana"], team["bob"]
    p = pair(session, ana, bob)
    with pytest.raises(OneOnOneError, match="Write the topic"):
        oo.add_talking_point(session, p, bob, blank)
    m = oo.ensure_meeting(session, p, "2026-W48", datetime(2026, 11, 24, 10, tzinfo=UTC))
    with pytest.raises(OneOnOneError, match="Write a few notes or add an action item"):
        oo.record_notes(session, p, m, ana, blank, now=MON)
    with pytest.raises(OneOnOneError, match="Say what needs doing") as err:
        oo.record_notes(session, p, m, ana, "Fine notes", [(blank, bob, None)], now=MON)
    assert err.value.field == "item1_text"
    checkin = Checkin(team_id=TEAM, person_id=bob.id, manager_id=ana.id, period="2026-W48", answers={"wins": "x"})
    session.add(checkin)
    session.flush()
    with pytest.raises(checkins.CheckinError) as reply_err:
        checkins.reply(session, checkin, ana, blank)
    assert reply_err.value.code == "reply_empty"
    assert session.scalar(select(func.count()).select_from(TalkingPoint)) == 0 and m.notes is None
