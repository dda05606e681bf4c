"""Weekly check-ins: scheduled per person, answered in a modal, summarised to the manager, replied to."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.text import unescape
from handlers.checkins.ids import CheckinIds
from handlers.kudos.ids import KudosIds
from models import checkins
from models.checkins.tables import Checkin, CheckinReply
from models.core.prompts import pattern_for
from models.core.tables import Alert, OutboxMessage, Person, Workspace
from models.features import tick_all as tick
from models.people import ensure_people
from tests.conftest import ANA, BOB, CARA, GONE, LI, TEAM, make_org, start_candor
from tests.slack_requests import text_value

pytestmark = pytest.mark.time_sensitive

FRI = datetime(2026, 11, 27, tzinfo=UTC)  # a Friday after the test people exist


def seed(candor, managers: dict[str, str | None]) -> dict[str, int]:
    """People from the fake Slack directory, with managers; created a week before FRI."""
    ids: dict[str, int] = {}
    with candor.rt.db.unit_of_work() as s:
        people = ensure_people(s, TEAM, list(managers), candor.rt.services.directory)
        for uid, person in people.items():
            assert person is not None
            person.created_at = FRI - timedelta(days=14)
            ids[uid] = person.id
        for uid, manager in managers.items():
            people[uid].manager_id = people[manager].id if manager else None
    return ids


def run_tick(candor, now: datetime, last: datetime | None = None):
    """The leader's tick at `now`: the app's clock is set there too, so the sender works at that moment."""
    candor.clock.set(now)
    with candor.rt.db.unit_of_work() as s:
        ws = s.get(Workspace, TEAM)
        ws.last_tick_at = last if last is not None else now - timedelta(minutes=1)
        report = tick(s, candor.rt.org, TEAM, now=now)
    return report


def rows(candor, kind: str | None = None) -> list[OutboxMessage]:
    with candor.session() as s:
        q = select(OutboxMessage).order_by(OutboxMessage.id)
        if kind:
            q = q.where(OutboxMessage.kind == kind)
        return list(s.scalars(q))


def current_period(candor, user: str) -> str:
    with candor.session() as s:
        person = s.scalars(select(Person).where(Person.slack_user_id == user)).one()
        period = checkins.current_period(candor.rt.org.checkins, pattern_for(person, candor.rt.org), candor.clock.now())
    assert period is not None
    return period


def answer_values(wins="Shipped the billing migration", blockers="", next_steps="Start on invoices", week="4"):
    def radio(v):
        return {"type": "radio_buttons", "selected_option": {"value": v} if v else None}

    return {
        "q_wins": {"answer": text_value(wins)},
        "q_blockers": {"answer": text_value(blockers)},
        "q_next_steps": {"answer": text_value(next_steps)},
        "q_week": {"answer": radio(week)},
    }


_FORMS: dict[tuple[int, str, str], str] = {}


def open_form(candor, user: str, period: str) -> str | None:
    """Click "Fill in" for the period as the user would; the private_metadata of the modal it opened."""
    candor.slack.block_action(CheckinIds.OPEN, user=user, value=period)
    view = candor.fake.calls_to("views.open")[-1].params["view"]
    view = json.loads(view) if isinstance(view, str) else view
    return view.get("private_metadata") if view.get("callback_id") == CheckinIds.MODAL else None


def submit(candor, user: str, period: str, **answers):
    """Submit the check-in modal for the period, opened first (or kept open from an earlier submit, as a
    person editing their answer would)."""
    key = (id(candor), user, period)
    meta = open_form(candor, user, period) or _FORMS.get(key)
    assert meta is not None, "the check-in form did not open"
    _FORMS[key] = meta
    return candor.slack.view_submission(CheckinIds.MODAL, answer_values(**answers), user=user, private_metadata=meta)


def opened_reply_form(candor, user: str, checkin_id: int | str) -> str:
    candor.slack.block_action(CheckinIds.REPLY, user=user, value=str(checkin_id))
    view = candor.fake.calls_to("views.open")[-1].params["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view.get("callback_id") == CheckinIds.REPLY_MODAL, "the reply form did not open"
    return view["private_metadata"]


# -- scheduling --------------------------------------------------------------------------------------


def test_prompt_lands_at_each_persons_local_friday_1500(candor):
    seed(candor, {ANA: BOB, BOB: None, LI: BOB})  # Lisbon, New York, Shanghai
    # 15:00 in Lisbon is 15:00 UTC in winter; New York's 15:00 is 20:00 UTC; Shanghai's was 07:00 UTC.
    assert run_tick(candor, FRI.replace(hour=7, minute=1)).enqueued == 1
    assert run_tick(candor, FRI.replace(hour=15, minute=1)).enqueued == 1
    assert run_tick(candor, FRI.replace(hour=19, minute=59)).enqueued == 0
    assert run_tick(candor, FRI.replace(hour=20, minute=1)).enqueued == 1
    due = {r.recipient_id: r.payload["due_at"] for r in rows(candor, "checkin.prompt")}
    assert sorted(due.values()) == ["2026-11-27T07:00:00+00:00", "2026-11-27T15:00:00+00:00",
                                    "2026-11-27T20:00:00+00:00"]
    assert {r.payload["period"] for r in rows(candor, "checkin.prompt")} == {"2026-W48"}
    # The same tick again changes nothing: one prompt per person per week.
    assert run_tick(candor, FRI.replace(hour=20, minute=2), last=FRI).enqueued == 0


def test_summer_time_moves_the_utc_moment(candor):
    seed(candor, {ANA: None})
    summer_friday = datetime(2027, 6, 4, tzinfo=UTC)
    with candor.rt.db.unit_of_work() as s:
        s.scalars(select(Person)).first().created_at = summer_friday - timedelta(days=30)
    run_tick(candor, summer_friday.replace(hour=14, minute=1))  # 15:00 WEST = 14:00 UTC
    [row] = rows(candor, "checkin.prompt")
    assert row.payload["due_at"] == "2027-06-04T14:00:00+00:00"


def test_downtime_sends_what_is_still_useful_and_records_the_rest(candor):
    seed(candor, {ANA: None})
    # Candor was down from a week before until Friday 16:00 (grace 6 h): last week's prompt is skipped,
    # this week's (due 15:00) is still sent.
    report = run_tick(candor, FRI.replace(hour=16), last=FRI - timedelta(days=8))
    assert (report.enqueued, report.skipped_downtime) == (1, 2)  # last week's prompt and its reminder
    states = {r.payload["period"]: (r.state, r.last_error) for r in rows(candor, "checkin.prompt")}
    assert states["2026-W48"] == ("pending", None)
    assert states["2026-W47"][0] == "skipped" and "missed while Candor was not running" in states["2026-W47"][1]
    [reminder] = rows(candor, "checkin.reminder")
    assert (reminder.payload["period"], reminder.state) == ("2026-W47", "skipped")


def test_paused_people_are_skipped_not_queued(candor):
    seed(candor, {ANA: None, CARA: None})
    with candor.rt.db.unit_of_work() as s:
        ana = s.scalars(select(Person).where(Person.slack_user_id == ANA)).one()
        ana.paused_until = FRI + timedelta(days=3)
    report = run_tick(candor, FRI.replace(hour=23, minute=30), last=FRI)
    assert report.skipped_paused == 1 and report.enqueued == 1
    [ana_row] = [r for r in rows(candor, "checkin.prompt") if r.state == "skipped"]
    assert ana_row.last_error == "paused by the person"


def test_deactivated_bots_and_people_outside_the_pilot_get_nothing(db_url, fake):
    app, server = start_candor(db_url, fake, make_org().model_copy(update={
        "rollout": make_org().rollout.model_copy(update={"people": [ANA]})}))
    try:
        seed(app, {ANA: None, LI: None, GONE: None})
        run_tick(app, FRI.replace(hour=23, minute=30), last=FRI)
        assert [r.payload["period"] for r in rows(app, "checkin.prompt")] == ["2026-W48"]
        with app.session() as s:
            [row] = rows(app, "checkin.prompt")
            assert s.get(Person, row.recipient_id).slack_user_id == ANA
    finally:
        server.shutdown()
        app.rt.stop()


def test_one_reminder_only_and_none_after_an_answer(candor):
    seed(candor, {ANA: BOB, BOB: None})
    run_tick(candor, FRI.replace(hour=15, minute=1))
    candor.drain()
    run_tick(candor, FRI.replace(hour=20, minute=1), last=FRI.replace(hour=15, minute=1))
    candor.drain()
    monday = FRI + timedelta(days=3)
    previous = FRI.replace(hour=20, minute=1)

    def ticks(*hours: int) -> None:  # the leader ticks; the sender sends what fell due
        nonlocal previous
        for hour in hours:
            run_tick(candor, monday.replace(hour=hour, minute=1), last=previous)
            previous = monday.replace(hour=hour, minute=1)
            candor.drain()

    ticks(10, 11, 12)  # 10:00 Lisbon (Ana)
    # Bob answers before his reminder goes out (10:00 New York = 15:00 UTC): his is skipped at send time.
    with candor.rt.db.unit_of_work() as s:
        bob = s.scalars(select(Person).where(Person.slack_user_id == BOB)).one()
        s.add(Checkin(team_id=TEAM, person_id=bob.id, period="2026-W48", answers={"wins": "x"}))
    ticks(15, 18)
    reminders = rows(candor, "checkin.reminder")
    assert sorted(r.payload["period"] for r in reminders) == ["2026-W48", "2026-W48"]
    states = sorted((r.recipient_id, r.state) for r in rows(candor, "checkin.reminder"))
    assert [s for _, s in states] == ["sent", "skipped"] or [s for _, s in states] == ["skipped", "sent"]
    assert sum("friendly reminder" in m["text"] for m in candor.fake.dms_to(ANA)) == 1
    assert not any("friendly reminder" in m["text"] for m in candor.fake.dms_to(BOB))


# -- the loop ----------------------------------------------------------------------------------------


def test_prompt_modal_answer_summary_reply(candor):
    seed(candor, {ANA: BOB, BOB: None})
    period = current_period(candor, ANA)
    # The prompt DM carries a button that opens the modal for its period.
    with candor.rt.db.unit_of_work() as s:
        from models.core import outbox

        ana = s.scalars(select(Person).where(Person.slack_user_id == ANA)).one()
        outbox.enqueue(s, team_id=TEAM, kind="checkin.prompt", key=f"test:{period}", recipient=ana,
                       payload={"period": period})
    candor.drain()
    [prompt] = candor.fake.dms_to(ANA)
    button = prompt["blocks"][1]["elements"][0]
    assert button["action_id"] == CheckinIds.OPEN and button["value"] == period

    resp = candor.slack.block_action(CheckinIds.OPEN, user=ANA, value=period)
    assert resp.status_code == 200
    view = candor.fake.calls_to("views.open")[-1].params["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert [b["block_id"] for b in view["blocks"]] == ["q_wins", "q_blockers", "q_next_steps", "q_week"]
    assert view["blocks"][1]["optional"] is True and view["blocks"][0]["optional"] is False

    resp = submit(candor, ANA, period, blockers="Waiting on <!channel> access from IT & security")
    body = resp.json()
    assert body["response_action"] == "update" and "saved" in json.dumps(body["view"])
    with candor.session() as s:
        [c] = s.scalars(select(Checkin)).all()
        assert c.period == period and c.has_blocker and c.mood == 4 and not c.late
        assert c.answers["wins"] == "Shipped the billing migration"

    candor.drain()
    [summary] = candor.fake.dms_to(BOB)
    text = json.dumps(summary["blocks"])
    assert "<@U0ANA>'s check-in" in text and "Blocker flagged" in text
    assert "&lt;!channel&gt; access from IT &amp; security" in text and "<!channel>" not in text
    actions = [e["action_id"] for e in summary["blocks"][-1]["elements"]]
    assert actions == [CheckinIds.REPLY, CheckinIds.ADD_TO_ONE_ON_ONE, CheckinIds.GIVE_KUDOS]

    # Bob replies from the DM; Ana gets the note.
    checkin_id = summary["blocks"][-1]["elements"][0]["value"]
    reply = candor.slack.view_submission(
        CheckinIds.REPLY_MODAL, {"reply": {"reply_input": text_value("Let's unblock IT access today.")}},
        user=BOB, private_metadata=opened_reply_form(candor, BOB, checkin_id))
    assert reply.json()["response_action"] == "update"
    candor.drain()
    note = [m for m in candor.fake.dms_to(ANA) if "replied to your check-in" in m["text"]]
    assert len(note) == 1 and "unblock IT access" in json.dumps(note[0]["blocks"])
    with candor.session() as s:
        assert s.scalars(select(CheckinReply.text)).all() == ["Let's unblock IT access today."]


def test_give_kudos_from_the_summary_preselects_the_person(candor):
    seed(candor, {ANA: BOB, BOB: None})
    candor.slack.block_action(CheckinIds.GIVE_KUDOS, user=BOB, value=ANA)
    view = candor.fake.calls_to("views.open")[-1].params["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["callback_id"] == KudosIds.MODAL
    assert view["blocks"][0]["element"]["initial_users"] == [ANA]


def test_only_the_manager_may_reply(candor):
    seed(candor, {ANA: BOB, BOB: None, CARA: None})
    period = current_period(candor, ANA)
    submit(candor, ANA, period)
    with candor.session() as s:
        checkin_id = s.scalars(select(Checkin.id)).one()
    # Cara cannot open the reply form ...
    candor.slack.block_action(CheckinIds.REPLY, user=CARA, value=str(checkin_id))
    assert "Only the person's manager" in json.dumps(candor.fake.calls_to("views.open")[-1].params["view"])
    # ... a form state she makes up is refused as not ours ...
    forged = candor.slack.view_submission(
        CheckinIds.REPLY_MODAL, {"reply": {"reply_input": text_value("nosy")}}, user=CARA,
        private_metadata=json.dumps({"checkin_id": checkin_id}))
    assert "can't be checked" in forged.json()["errors"]["reply"]
    # ... and even with a genuine sealed form for that check-in, the server checks who she is.
    genuine = candor.rt.services.sealer.seal(CheckinIds.REPLY_MODAL, CARA, {"checkin_id": checkin_id})
    resp = candor.slack.view_submission(
        CheckinIds.REPLY_MODAL, {"reply": {"reply_input": text_value("nosy")}}, user=CARA, private_metadata=genuine)
    assert "Only the person's manager" in resp.json()["errors"]["reply"]
    with candor.session() as s:
        assert s.scalars(select(CheckinReply)).all() == []


@pytest.mark.parametrize(
    ("answers", "block", "message"),
    [
        ({"wins": ""}, "q_wins", "Please answer this question."),
        ({"next_steps": "x" * 1501}, "q_next_steps", "At most 1500 characters (you wrote 1501)."),
        ({"week": None}, "q_week", "Please answer this question."),
        ({"week": "9"}, "q_week", "Pick a number from 1 to 5."),
    ],
)
def test_modal_validates_inline(candor, answers, block, message):
    seed(candor, {ANA: BOB, BOB: None})
    resp = submit(candor, ANA, current_period(candor, ANA), **answers)
    body = resp.json()
    assert body["response_action"] == "errors" and body["errors"] == {block: message}
    with candor.session() as s:
        assert s.scalars(select(Checkin)).all() == []


def test_editing_replaces_the_answer_and_the_manager_sees_the_latest(candor):
    seed(candor, {ANA: BOB, BOB: None})
    period = current_period(candor, ANA)
    submit(candor, ANA, period, wins="First draft of the wins")
    candor.drain()
    submit(candor, ANA, period, wins="Second, better wins")
    candor.drain()
    with candor.session() as s:
        [c] = s.scalars(select(Checkin)).all()
        assert c.version == 2 and c.answers["wins"] == "Second, better wins"
    summaries = candor.fake.dms_to(BOB)
    assert len(summaries) == 2 and "(updated)" in summaries[1]["text"]
    assert "Second, better wins" in json.dumps(summaries[1]["blocks"])


def test_an_edit_before_delivery_supersedes_the_first_summary(candor):
    seed(candor, {ANA: BOB, BOB: None})
    period = current_period(candor, ANA)
    submit(candor, ANA, period, wins="First draft of the wins")
    submit(candor, ANA, period, wins="Second, better wins")
    candor.drain()
    [summary] = candor.fake.dms_to(BOB)
    assert "Second, better wins" in json.dumps(summary["blocks"])


def test_late_answer_is_filed_under_its_week_and_cannot_be_edited(candor):
    seed(candor, {ANA: BOB, BOB: None})
    current = current_period(candor, ANA)
    old = checkins.week_key(checkins.week_start_of(current) - timedelta(days=14))
    resp = submit(candor, ANA, old)
    assert "(late)" in json.dumps(resp.json()["view"])
    with candor.session() as s:
        [c] = s.scalars(select(Checkin)).all()
        assert c.period == old and c.late
    assert f"week {int(old.split('-W')[1])}, {old[:4]}" in json.dumps(resp.json()["view"])  # filed under its week
    again = submit(candor, ANA, old, wins="changed my mind")
    assert "closed and can no longer be edited" in json.dumps(again.json()["errors"])
    with candor.session() as s:
        assert s.scalars(select(Checkin.answers)).one()["wins"] == "Shipped the billing migration"  # unchanged


def test_no_manager_still_checks_in_and_nobody_else_is_told(candor):
    seed(candor, {CARA: None})
    resp = submit(candor, CARA, current_period(candor, CARA))
    assert resp.json()["response_action"] == "update"
    candor.drain()
    assert rows(candor, "checkin.summary") == []
    with candor.session() as s:
        assert s.scalars(select(Checkin.manager_id)).one() is None


def test_manager_change_sends_future_summaries_to_the_new_manager(candor):
    seed(candor, {ANA: BOB, BOB: None, CARA: None})
    period = current_period(candor, ANA)
    with candor.rt.db.unit_of_work() as s:
        ana = s.scalars(select(Person).where(Person.slack_user_id == ANA)).one()
        ana.manager_id = s.scalars(select(Person.id).where(Person.slack_user_id == CARA)).one()
    submit(candor, ANA, period)
    candor.drain()
    assert candor.fake.dms_to(BOB) == [] and len(candor.fake.dms_to(CARA)) == 1


def mark_prompts_sent(candor, user: str, periods: list[str]) -> None:
    from models.core import outbox

    with candor.rt.db.unit_of_work() as s:
        person = s.scalars(select(Person).where(Person.slack_user_id == user)).one()
        for period in periods:
            row = outbox.enqueue(s, team_id=TEAM, kind="checkin.prompt", key=f"sent:{user}:{period}",
                                 recipient=person, payload={"period": period})
            row.state = "sent"


def test_missed_check_ins_raise_one_alert_and_one_nudge(candor):
    seed(candor, {ANA: BOB, BOB: None})
    org = candor.rt.org
    mark_prompts_sent(candor, ANA, ["2026-W48", "2026-W49", "2026-W50"])
    later = FRI + timedelta(days=22, hours=6)  # Sat 19 Dec 01:00 in New York: W48-W50 closed, none answered
    with candor.rt.db.unit_of_work() as s:
        people = list(s.scalars(select(Person).where(Person.slack_user_id == ANA)))
        made = checkins.record_missed_alerts(s, TEAM, org, {p.id: pattern_for(p, org) for p in people}, people,
                                             now=later)
        assert len(made) == 1 and made[0].details["missed"][:2] == ["2026-W50", "2026-W49"]
        again = checkins.record_missed_alerts(s, TEAM, org, {p.id: pattern_for(p, org) for p in people}, people,
                                              now=later)
        assert again == []
    [nudge] = rows(candor, "checkin.nudge")
    # Saturday: the nudge waits for Bob's next working morning (Monday 08:00 in New York = 13:00 UTC).
    assert nudge.not_before == datetime(2026, 12, 21, 13, 0, tzinfo=UTC)
    with candor.session() as s:
        assert s.get(Person, nudge.recipient_id).slack_user_id == BOB
        assert s.scalars(select(Alert.kind)).all() == ["checkin.missed"]


def test_weeks_never_asked_are_not_missed(candor):
    """Joined the pilot late, paused, or Candor was down: no prompt was delivered, so nothing was missed."""
    seed(candor, {ANA: BOB, BOB: None})
    org = candor.rt.org
    with candor.rt.db.unit_of_work() as s:
        ana = s.scalars(select(Person).where(Person.slack_user_id == ANA)).one()
        assert checkins.missed_in_a_row(s, ana, org, pattern_for(ana, org), FRI + timedelta(days=22)) == []


def test_the_nudge_is_rendered_only_for_the_current_manager(candor):
    seed(candor, {ANA: BOB, BOB: None, CARA: None})
    org = candor.rt.org
    mark_prompts_sent(candor, ANA, ["2026-W48", "2026-W49", "2026-W50"])
    with candor.rt.db.unit_of_work() as s:
        people = list(s.scalars(select(Person).where(Person.slack_user_id == ANA)))
        checkins.record_missed_alerts(s, TEAM, org, {p.id: pattern_for(p, org) for p in people}, people,
                                      now=FRI + timedelta(days=22))
        people[0].manager_id = s.scalars(select(Person.id).where(Person.slack_user_id == CARA)).one()
        s.query(OutboxMessage).filter_by(kind="checkin.nudge").update({"not_before": candor.clock.now()})
    candor.drain()
    [nudge] = rows(candor, "checkin.nudge")
    assert nudge.state == "skipped" and candor.fake.dms_to(BOB) == []


def test_an_answered_week_breaks_the_streak(candor):
    seed(candor, {ANA: BOB, BOB: None})
    org = candor.rt.org
    mark_prompts_sent(candor, ANA, ["2026-W48", "2026-W49", "2026-W50"])  # asked all three weeks
    later = FRI + timedelta(days=22)  # W48-W50 closed

    def missed() -> list[str]:
        with candor.session() as s:
            ana = s.scalars(select(Person).where(Person.slack_user_id == ANA)).one()
            return checkins.missed_in_a_row(s, ana, org, pattern_for(ana, org), later)

    def answer(period: str) -> None:
        with candor.rt.db.unit_of_work() as s:
            ana = s.scalars(select(Person).where(Person.slack_user_id == ANA)).one()
            s.add(Checkin(team_id=TEAM, person_id=ana.id, period=period, answers={}))

    assert missed() == ["2026-W50", "2026-W49", "2026-W48"]  # asked and never answered: the whole streak
    answer("2026-W49")
    assert missed() == ["2026-W50"]  # the streak runs back to the last answer
    answer("2026-W50")
    assert missed() == []


def test_home_shows_the_open_check_in(candor):
    seed(candor, {ANA: BOB, BOB: None})
    candor.slack.app_home_opened(ANA)
    candor.drain_until(lambda: ANA in candor.fake.home_views)
    home = json.dumps(candor.fake.home_views[ANA])
    assert "Check-ins" in home and CheckinIds.OPEN in home


def test_pause_from_home_and_resume(candor):
    from handlers.people.pause import PauseIds

    seed(candor, {ANA: None})
    assert candor.slack.block_action(PauseIds.OPEN, user=ANA).status_code == 200
    past = candor.slack.view_submission(PauseIds.MODAL, {"until": {"until_date": {
        "type": "datepicker", "selected_date": "2020-01-01"}}}, user=ANA)
    assert past.json() == {"response_action": "errors", "errors": {"until": "Pick today or a later day."}}
    far = candor.slack.view_submission(PauseIds.MODAL, {"until": {"until_date": {
        "type": "datepicker", "selected_date": "2030-01-01"}}}, user=ANA)
    assert "At most 180 days ahead." in far.json()["errors"]["until"]
    day = (candor.clock.now() + timedelta(days=10)).date().isoformat()
    ok = candor.slack.view_submission(PauseIds.MODAL, {"until": {"until_date": {
        "type": "datepicker", "selected_date": day}}}, user=ANA)
    assert ok.json() == {"response_action": "clear"}
    with candor.session() as s:
        ana = s.scalars(select(Person).where(Person.slack_user_id == ANA)).one()
        local_end = ana.paused_until.astimezone(pattern_for(ana, candor.rt.org).zone())
        assert local_end.date().isoformat() > day and local_end.hour == 0
    candor.drain()
    assert "Paused through" in json.dumps(candor.fake.home_views[ANA])
    candor.slack.block_action(PauseIds.RESUME, user=ANA)
    with candor.session() as s:
        assert s.scalars(select(Person.paused_until).where(Person.slack_user_id == ANA)).one() is None


def test_a_summary_not_yet_delivered_is_not_shown_to_a_former_manager(candor):
    """Access policy on the read path: after a manager change, the old manager no longer sees it."""
    seed(candor, {ANA: BOB, BOB: None, CARA: None})
    submit(candor, ANA, current_period(candor, ANA))
    with candor.rt.db.unit_of_work() as s:
        ana = s.scalars(select(Person).where(Person.slack_user_id == ANA)).one()
        ana.manager_id = s.scalars(select(Person.id).where(Person.slack_user_id == CARA)).one()
    candor.drain()
    assert candor.fake.dms_to(BOB) == []
    [row] = rows(candor, "checkin.summary")
    assert row.state == "skipped" and "may no longer see" in row.last_error


# -- defects found by probing (each failed before its fix) -----------------------------------------------------


@pytest.mark.parametrize("period", ["2026-W046", " 2026-W46", "+2026-W46", "2026-W46 ", "2026-w46", "2026-W54",
                                    "２０２６-W46", "2026-W4６"])
def test_only_canonical_week_keys_name_a_check_in(candor, period):
    """2026-W046 was accepted beside 2026-W46: two rows and two summaries for one week."""
    seed(candor, {ANA: BOB, BOB: None})
    with pytest.raises(ValueError):
        checkins.week_start_of(period)
    with candor.rt.db.unit_of_work() as s:
        ana = s.scalars(select(Person).where(Person.slack_user_id == ANA)).one()
        with pytest.raises(checkins.CheckinError):
            checkins.submit(s, ana, period, {"wins": "x", "next_steps": "y", "week": "3"}, candor.rt.org,
                            pattern_for(ana, candor.rt.org))
    assert open_form(candor, ANA, period) is None  # the button opens no form for it either
    with candor.session() as s:
        assert s.scalars(select(Checkin)).all() == []


def test_a_long_answer_reaches_the_manager_whole(candor):
    """The modal takes 1,500 characters; the summary cut answers at 1,200 and nothing showed the rest."""
    seed(candor, {ANA: BOB, BOB: None})
    wins = " ".join(f"w{i:03d}&<x>" for i in range(150))[:1500]
    submit(candor, ANA, current_period(candor, ANA), wins=wins)
    candor.drain()
    [summary] = candor.fake.dms_to(BOB)
    quoted = "\n".join(b["text"]["text"] for b in summary["blocks"] if b["type"] == "section")
    shown = "".join(line.removeprefix("> ") for line in quoted.splitlines() if line.startswith("> "))
    assert unescape(shown).count("w149") == 1 and wins.replace(" ", "") in unescape(shown).replace(" ", "")


def test_answers_too_long_for_one_message_open_in_full(db_url, fake):
    """Twenty questions of 3,000 characters do not fit in 50 blocks: the summary says so and Read-it-all shows
    every answer, to the manager only."""
    questions = [{"id": f"q{i}", "text": f"Question {i}?", "max_length": 3000} for i in range(20)]
    org = make_org().model_copy(update={"checkins": make_org().checkins.model_copy(update={
        "questions": [make_org().checkins.questions[0].model_copy(update=q) for q in questions]})})
    app, server = start_candor(db_url, fake, org)
    try:
        seed(app, {ANA: BOB, BOB: None, CARA: None})
        values = {f"q_q{i}": {"answer": text_value(f"answer {i} " + "&" * 2900)} for i in range(20)}
        period = current_period(app, ANA)
        app.slack.view_submission(CheckinIds.MODAL, values, user=ANA, private_metadata=open_form(app, ANA, period))
        app.drain()
        [summary] = fake.dms_to(BOB)
        assert len(summary["blocks"]) <= 50
        buttons = {e["action_id"]: e["value"] for e in summary["blocks"][-1]["elements"]}
        assert "Read it all" in json.dumps(summary["blocks"])
        app.slack.block_action(CheckinIds.READ_ALL, user=BOB, value=buttons[CheckinIds.READ_ALL])
        modal = json.dumps(fake.calls_to("views.open")[-1].params["view"])
        assert all(f"answer {i} " in modal for i in range(20))
        app.slack.block_action(CheckinIds.READ_ALL, user=CARA, value=buttons[CheckinIds.READ_ALL])
        assert "answer 0" not in json.dumps(fake.calls_to("views.open")[-1].params["view"])
    finally:
        server.shutdown()
        app.rt.stop()


@pytest.mark.parametrize("invisible", ["\u200b" * 25, "\u200b \u200c\u2060\ufeff\u3164\u2800\u00ad \u180e" * 3])
def test_invisible_characters_are_not_an_answer(candor, invisible):
    seed(candor, {ANA: BOB, BOB: None})
    resp = submit(candor, ANA, current_period(candor, ANA), wins=invisible)
    assert resp.json() == {"response_action": "errors", "errors": {"q_wins": "Please answer this question."}}
    with candor.session() as s:
        assert s.scalars(select(Checkin)).all() == []


def test_an_edit_after_a_manager_change_goes_to_the_new_manager(candor):
    """The summary of an edit went to the old manager (and was skipped there): the new one never heard."""
    seed(candor, {ANA: BOB, BOB: None, CARA: None})
    period = current_period(candor, ANA)
    submit(candor, ANA, period, wins="First answer")
    candor.drain()
    assert len(candor.fake.dms_to(BOB)) == 1
    with candor.rt.db.unit_of_work() as s:
        ana = s.scalars(select(Person).where(Person.slack_user_id == ANA)).one()
        ana.manager_id = s.scalars(select(Person.id).where(Person.slack_user_id == CARA)).one()
    submit(candor, ANA, period, wins="Edited after Cara took over")
    candor.drain()
    [to_cara] = candor.fake.dms_to(CARA)
    assert "Edited after Cara took over" in json.dumps(to_cara["blocks"]) and "(updated)" in to_cara["text"]
    assert len(candor.fake.dms_to(BOB)) == 1  # the old manager gets nothing more
