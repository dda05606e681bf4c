"""Goals in the check-in and in kudos, through signed requests, the fake Slack and a real database (both):

- the weekly check-in shows the person's active goals with a quick progress field each, and records what
  changed in the goal's history in the check-in's own unit of work (an invalid value: inline, nothing written);
- a kudos names a goal with `+goal-slug` in `/kudos` or the modal's Goal field (an unknown or hidden goal:
  a clear refusal, nothing written), and the goal's history lists its kudos (`kudos_for_goal`).
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import delete, func, select

from bot.registry import CheckinExtension, KudosExtension, SlackRegistry, SlackSide
from bot.text import parse_kudos_text
from handlers.checkins.ids import CheckinIds
from handlers.goals.integrations import CHECKIN_EXTENSION, KUDOS_EXTENSION, GoalPartIds
from handlers.kudos.ids import KudosIds
from models import goals as g
from models.checkins.tables import Checkin
from models.core.config import OrgConfig
from models.core.tables import OutboxMessage, Person
from models.goals.links import GoalKudos, kudos_for_goal
from models.goals.tables import Goal, GoalUpdate
from models.kudos.tables import Kudos
from tests.conftest import ANA, BOB, CARA, KUDOS_CHANNEL, LI, TEAM, make_org, start_candor
from tests.test_checkins import answer_values, current_period, seed
from tests.test_kudos import GOOD, modal_values, opened_metadata

pytestmark = pytest.mark.time_sensitive

P, KR = GoalPartIds.CHECKIN_PROGRESS_BLOCK, GoalPartIds.CHECKIN_KR_BLOCK
VALUE = GoalPartIds.CHECKIN_VALUE_ACTION


def org_with(**goals: object) -> OrgConfig:
    base = make_org()
    return base.model_copy(update={"goals": base.goals.model_copy(update=goals)})


def person(session, uid: str) -> Person:
    return session.scalars(select(Person).where(Person.team_id == TEAM, Person.slack_user_id == uid)).one()


def make_goal(candor, owner: str, title: str, *, author: str | None = None, **kw: Any) -> int:
    with candor.rt.db.unit_of_work() as s:
        who = person(s, owner)
        draft = g.GoalDraft(team_id=TEAM, owner=who, title=title, source_key=f"test:{title}", **kw)
        return g.create_goal(s, candor.rt.org, person(s, author or owner), draft, now=candor.clock.now()).goal.id


def revenue_goal(candor, owner: str = ANA) -> int:
    """Two key results: revenue from 100 to 500 k€ (now 100), and a launch milestone (now 0 %)."""
    return make_goal(candor, owner, "Grow revenue in the north", key_results=(
        g.KeyResultDraft("Revenue", start=100, target=500, unit="k€"),
        g.KeyResultDraft("Launch the shop", kind="milestone"),
    ))


def kr_ids(candor, goal_id: int) -> list[int]:
    with candor.session() as s:
        return [kr.id for kr in s.get(Goal, goal_id).key_results]


def opened_checkin(candor, user: str) -> dict[str, Any]:
    """Click "Fill in" for the current week as the user would: the modal it opened."""
    candor.slack.block_action(CheckinIds.OPEN, user=user, value=current_period(candor, user))
    view = candor.fake.calls_to("views.open")[-1].params["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["callback_id"] == CheckinIds.MODAL, view
    return view


def number(value: str | None) -> dict[str, Any]:
    return {"type": "number_input", "value": value}


def block_ids(view: dict[str, Any]) -> list[str]:
    return [b.get("block_id", "") for b in view["blocks"]]


def submit_checkin(candor, user: str, view: dict[str, Any], goal_fields: dict[str, str | None], *,
                   view_id: str | None = None):
    """Submit the opened form: the answers, and each goal field as the view showed it unless changed."""
    values: dict[str, Any] = answer_values()
    for block in view["blocks"]:
        element = block.get("element") or {}
        if element.get("type") == "number_input":
            values[block["block_id"]] = {VALUE: number(element.get("initial_value"))}
    for block, value in goal_fields.items():
        values[block] = {VALUE: number(value)}
    return candor.slack.view_submission(CheckinIds.MODAL, values, user=user, view_id=view_id,
                                        private_metadata=view["private_metadata"])


def updates(candor, goal_id: int, source: str = "checkin") -> list[GoalUpdate]:
    with candor.session() as s:
        return list(s.scalars(select(GoalUpdate).where(GoalUpdate.goal_id == goal_id, GoalUpdate.source == source)
                              .order_by(GoalUpdate.id)))


def count(candor, model) -> int:
    with candor.session() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


# -- the check-in shows the person's active goals ------------------------------------------------------------


def test_the_checkin_shows_the_persons_active_goals_at_the_top(candor):
    seed(candor, {ANA: BOB, BOB: None})
    revenue = revenue_goal(candor)
    hiring = make_goal(candor, ANA, "Hire two engineers")
    closed = make_goal(candor, ANA, "Last quarter's goal")
    bobs = make_goal(candor, BOB, "Bob's own goal")
    with candor.rt.db.unit_of_work() as s:
        s.get(Goal, closed).state = "closed"
    revenue_kr, launch_kr = kr_ids(candor, revenue)

    view = opened_checkin(candor, ANA)
    ids = block_ids(view)
    assert ids[0] == GoalPartIds.CHECKIN_HEADER
    assert ids[-4:] == ["q_wins", "q_blockers", "q_next_steps", "q_week"]  # the questions follow the goals
    assert f"{GoalPartIds.CHECKIN_GOAL}{revenue}" in ids and f"{GoalPartIds.CHECKIN_GOAL}{hiring}" in ids
    assert not any(i.endswith(f"_{closed}") or i.endswith(f"_{bobs}") for i in ids)
    by_id = {b.get("block_id"): b for b in view["blocks"]}
    # One field per key result, prefilled with its current value; a percentage for a goal without any.
    assert by_id[f"{KR}{revenue_kr}"]["element"]["initial_value"] == "100"
    assert by_id[f"{KR}{revenue_kr}"]["label"]["text"] == "Revenue (k€)"
    assert by_id[f"{KR}{launch_kr}"]["element"]["max_value"] == "100"
    assert by_id[f"{P}{hiring}"]["element"]["initial_value"] == "0"
    assert all(by_id[b]["optional"] for b in (f"{KR}{revenue_kr}", f"{KR}{launch_kr}", f"{P}{hiring}"))
    assert "Grow revenue in the north" in json.dumps(view["blocks"])
    assert len(view["private_metadata"]) <= 3000


@pytest.mark.parametrize(("goals", "has_goal"), [
    ({"in_checkins": False}, True), ({"enabled": False}, True), ({}, False)], ids=["in_checkins off", "goals off",
                                                                               "no goal of theirs"])
def test_no_goals_in_the_checkin_without_goals_or_when_turned_off(db_url, fake, goals, has_goal):
    app, server = start_candor(db_url, fake, org_with(**goals))
    try:
        seed(app, {ANA: None, CARA: None})
        make_goal(app, CARA, "Cara's goal")  # someone else's
        if has_goal:
            make_goal(app, ANA, "Ana's goal")
        view = opened_checkin(app, ANA)
        assert block_ids(view) == ["q_wins", "q_blockers", "q_next_steps", "q_week"]
        assert "parts" not in json.loads(view["private_metadata"])
        # A submission records the check-in, and nothing for goals.
        resp = submit_checkin(app, ANA, view, {})
        assert resp.json()["response_action"] == "update"
        assert count(app, Checkin) == 1 and count(app, GoalUpdate) == (2 if has_goal else 1)  # their "created" entries
    finally:
        server.shutdown()
        app.rt.stop()


# -- a check-in records goal progress ------------------------------------------------------------------------


def test_checkin_progress_is_recorded_in_the_goals_history_once(candor):
    seed(candor, {ANA: BOB, BOB: None})
    revenue = revenue_goal(candor)
    hiring = make_goal(candor, ANA, "Hire two engineers")
    untouched = make_goal(candor, ANA, "Write the handbook")
    with candor.rt.db.unit_of_work() as s:
        s.get(Goal, revenue).status = "at_risk"  # the owner's word stands: a check-in records progress only
    revenue_kr, launch_kr = kr_ids(candor, revenue)

    view = opened_checkin(candor, ANA)
    resp = submit_checkin(candor, ANA, view, {f"{KR}{revenue_kr}": "180", f"{P}{hiring}": "50"}, view_id="VCHECK1")
    body = resp.json()
    assert body["response_action"] == "update", body
    assert "Goal progress recorded" in json.dumps(body["view"])
    # The same submission again (a double click): recorded once.
    again = submit_checkin(candor, ANA, view, {f"{KR}{revenue_kr}": "180", f"{P}{hiring}": "50"}, view_id="VCHECK1")
    assert again.json()["response_action"] == "update"

    [rev] = updates(candor, revenue)
    assert rev.values == {str(revenue_kr): 180.0}  # the milestone was left as it was: not part of the update
    assert rev.source_key.startswith("checkin:") and rev.status == "at_risk"
    [hire] = updates(candor, hiring)
    assert hire.progress == pytest.approx(0.5)
    assert updates(candor, untouched) == []
    with candor.session() as s:
        goal = s.get(Goal, revenue)
        assert {kr.id: kr.current_value for kr in goal.key_results} == {revenue_kr: 180.0, launch_kr: 0.0}
        assert goal.status == "at_risk"
        assert s.get(Goal, hiring).progress == pytest.approx(0.5)
        assert len(s.scalars(select(Checkin)).all()) == 1


def test_an_unchanged_or_cleared_field_records_nothing(candor):
    seed(candor, {ANA: None})
    revenue = revenue_goal(candor)
    hiring = make_goal(candor, ANA, "Hire two engineers")
    revenue_kr, _ = kr_ids(candor, revenue)
    view = opened_checkin(candor, ANA)
    resp = submit_checkin(candor, ANA, view, {f"{KR}{revenue_kr}": "100.0", f"{P}{hiring}": None})
    assert resp.json()["response_action"] == "update"
    assert "Goal progress recorded" not in resp.text
    assert updates(candor, revenue) == [] and updates(candor, hiring) == []
    assert count(candor, Checkin) == 1


@pytest.mark.parametrize(("field", "value", "message"), [
    ("revenue", "lots", "Enter a number, such as 12 or 4.5, or leave it as it was."),
    ("launch", "150", "A milestone is between 0 and 100%."),
    ("hiring", "120", "Progress is between 0 and 100%."),
])
def test_an_invalid_value_is_an_inline_error_and_nothing_is_written(candor, field, value, message):
    seed(candor, {ANA: BOB, BOB: None})
    revenue = revenue_goal(candor)
    hiring = make_goal(candor, ANA, "Hire two engineers")
    revenue_kr, launch_kr = kr_ids(candor, revenue)
    blocks = {"revenue": f"{KR}{revenue_kr}", "launch": f"{KR}{launch_kr}", "hiring": f"{P}{hiring}"}
    view = opened_checkin(candor, ANA)
    # Another goal's valid change is in the same submission: it is not written either.
    changes = {blocks[field]: value, **({f"{P}{hiring}": "40"} if field != "hiring" else {})}
    resp = submit_checkin(candor, ANA, view, changes)
    body = resp.json()
    assert body["response_action"] == "errors" and body["errors"] == {blocks[field]: message}, body
    assert count(candor, Checkin) == 0  # the check-in shares the unit of work
    assert updates(candor, revenue) == [] and updates(candor, hiring) == []
    with candor.session() as s:
        assert s.get(Goal, hiring).progress == 0
        assert s.scalar(select(func.count()).select_from(OutboxMessage)
                        .where(OutboxMessage.kind.like("checkin.%"))) == 0


def test_a_goal_field_the_form_did_not_show_is_ignored(candor):
    """The fields that count are the ones sealed when the form opened: another person's goal named in the
    submitted state changes nothing."""
    seed(candor, {ANA: None, CARA: None})
    mine = make_goal(candor, ANA, "Hire two engineers")
    caras = make_goal(candor, CARA, "Cara's goal")
    view = opened_checkin(candor, ANA)
    resp = submit_checkin(candor, ANA, view, {f"{P}{caras}": "90", f"{P}{mine}": "10"})
    assert resp.json()["response_action"] == "update"
    assert updates(candor, caras) == [] and len(updates(candor, mine)) == 1


# -- /kudos +goal-slug ------------------------------------------------------------------------------------------


def ephemeral(resp) -> str:
    assert resp.status_code == 200, resp.text
    return resp.text if not resp.text.startswith("{") else json.loads(resp.text).get("text", "")


def links(candor) -> list[tuple[int, int]]:
    with candor.session() as s:
        return [(link.goal_id, link.kudos_id) for link in s.scalars(select(GoalKudos))]


def slug_of(candor, goal_id: int) -> str:
    with candor.session() as s:
        return s.get(Goal, goal_id).slug


def test_kudos_command_names_a_goal_with_its_slug(candor):
    seed(candor, {ANA: BOB, BOB: None, CARA: None})
    goal = revenue_goal(candor)
    assert slug_of(candor, goal) == "grow-revenue-in-the-north"
    resp = candor.slack.command(
        "/kudos", f"<@{ANA}|ana> for the calm launch #teamwork +Grow-Revenue-In-The-North", user=CARA)
    text = ephemeral(resp)
    assert "Kudos sent to <@U0ANA>." in text and "For the goal: Grow revenue in the north." in text
    with candor.session() as s:
        [(kudos_id, message)] = s.execute(select(Kudos.id, Kudos.message)).all()
    assert message == "for the calm launch #teamwork"  # the goal's name is not part of the message
    assert links(candor) == [(goal, kudos_id)]
    # "+1" is not a goal's name: it stays in the message, and nothing is refused.
    resp = candor.slack.command("/kudos", f"<@{BOB}> +1 for the clear runbook and the calm rollout", user=CARA)
    assert "Kudos sent" in ephemeral(resp)
    assert len(links(candor)) == 1


@pytest.mark.parametrize("case", ["unknown", "private", "closed", "part of a name"])
def test_kudos_naming_an_unknown_or_hidden_goal_is_refused_and_nothing_is_written(candor, case):
    seed(candor, {ANA: BOB, BOB: None, CARA: None, LI: None})
    revenue_goal(candor)  # grow-revenue-in-the-north: "+grow-revenue" is not its name
    secret = make_goal(candor, LI, "Secret reorganisation", visibility="private")
    closed = make_goal(candor, ANA, "Last quarter's goal")
    with candor.rt.db.unit_of_work() as s:
        s.get(Goal, closed).state = "closed"
    word = {"unknown": "+no-such-goal", "private": f"+{slug_of(candor, secret)}",
            "closed": f"+{slug_of(candor, closed)}", "part of a name": "+grow-revenue"}[case]
    resp = candor.slack.command("/kudos", f"<@{ANA}> {GOOD} {word}", user=CARA)
    text = ephemeral(resp)
    if case == "closed":
        assert text == "Last quarter's goal is closed: name an active goal, or leave it out."
    else:
        assert text.startswith(f"There's no goal {word} that you can see."), text
        assert "Secret" not in text
    assert count(candor, Kudos) == 0 and links(candor) == []
    with candor.session() as s:
        assert s.scalar(select(func.count()).select_from(OutboxMessage)
                        .where(OutboxMessage.kind.like("kudos.%"))) == 0
    candor.drain()
    assert candor.fake.messages(KUDOS_CHANNEL) == [] and candor.fake.dms_to(ANA) == []


def test_a_private_goal_may_be_named_by_someone_who_sees_it(candor):
    seed(candor, {ANA: BOB, BOB: None, CARA: None})
    private = make_goal(candor, ANA, "Grow revenue in the north", visibility="private")
    resp = candor.slack.command("/kudos", f"<@{ANA}> {GOOD} +{slug_of(candor, private)}", user=BOB)  # her manager
    assert "Kudos sent" in ephemeral(resp)
    [(goal_id, _)] = links(candor)
    assert goal_id == private
    candor.drain()
    [post] = candor.fake.messages(KUDOS_CHANNEL)
    assert "grow-revenue" not in json.dumps(post).lower()  # the public post does not name it


def test_with_goals_turned_off_a_plus_word_is_just_text(db_url, fake):
    app, server = start_candor(db_url, fake, org_with(enabled=False))
    try:
        seed(app, {ANA: None, CARA: None})
        resp = app.slack.command("/kudos", f"<@{ANA}> {GOOD} +grow-revenue", user=CARA)
        assert "Kudos sent" in ephemeral(resp) and "goal" not in ephemeral(resp)
        with app.session() as s:
            assert s.scalars(select(Kudos.message)).one() == f"{GOOD} +grow-revenue"
        assert links(app) == []
    finally:
        server.shutdown()
        app.rt.stop()


# -- the kudos modal's Goal field -------------------------------------------------------------------------------


def opened_kudos_modal(candor, user: str) -> dict[str, Any]:
    opened_metadata(candor, user)
    view = candor.fake.calls_to("views.open")[-1].params["view"]
    return json.loads(view) if isinstance(view, str) else view


def goal_choice(goal_id: int | str) -> dict[str, Any]:
    return {GoalPartIds.KUDOS_GOAL_BLOCK: {GoalPartIds.KUDOS_GOAL_ACTION: {
        "type": "static_select", "selected_option": {"value": str(goal_id), "text": {"type": "plain_text",
                                                                                      "text": "x"}}}}}


def test_kudos_modal_offers_visible_active_goals_and_links_the_one_picked(candor):
    seed(candor, {ANA: BOB, BOB: None, CARA: None, LI: None})
    anas = revenue_goal(candor)
    lis = make_goal(candor, CARA, "Li's own goal")
    secret = make_goal(candor, LI, "Secret reorganisation", visibility="private")
    view = opened_kudos_modal(candor, CARA)
    assert block_ids(view)[:2] == [KudosIds.RECIPIENTS_BLOCK, KudosIds.VALUES_BLOCK]  # recipients stay first
    [field] = [b for b in view["blocks"] if b.get("block_id") == GoalPartIds.KUDOS_GOAL_BLOCK]
    assert field["optional"] is True and field["element"]["type"] == "static_select"
    options = {o["value"]: o for o in field["element"]["options"]}
    assert set(options) == {str(anas), str(lis)}
    assert options[str(anas)]["description"]["text"].startswith("+grow-revenue-in-the-north · ")
    assert next(iter(options)) == str(lis)  # the giver's own goals before others'
    assert str(secret) not in options  # Cara's private goal: not Li's to see

    resp = candor.slack.view_submission(KudosIds.MODAL, {**modal_values([ANA], GOOD), **goal_choice(anas)},
                                        user=CARA, private_metadata=view["private_metadata"])
    body = resp.json()
    assert body["response_action"] == "update" and "For the goal: Grow revenue in the north." in json.dumps(body)
    with candor.session() as s:
        [kudos_id] = s.scalars(select(Kudos.id)).all()
    assert links(candor) == [(anas, kudos_id)]


def test_the_recipients_goals_come_first_in_the_modal(candor):
    seed(candor, {ANA: BOB, BOB: None, CARA: None})
    make_goal(candor, CARA, "A goal of Li's")
    anas = make_goal(candor, ANA, "Zebra project")
    candor.slack.block_action(CheckinIds.GIVE_KUDOS, user=CARA, value=ANA)  # the check-in summary's button
    view = candor.fake.calls_to("views.open")[-1].params["view"]
    view = json.loads(view) if isinstance(view, str) else view
    [field] = [b for b in view["blocks"] if b.get("block_id") == GoalPartIds.KUDOS_GOAL_BLOCK]
    assert field["element"]["options"][0]["value"] == str(anas)


@pytest.mark.parametrize("forged", ["hidden", "no-such", "huge", "junk"])
def test_kudos_modal_with_a_goal_the_giver_may_not_name_is_refused_inline(candor, forged):
    seed(candor, {ANA: BOB, BOB: None, CARA: None, LI: None})
    secret = make_goal(candor, LI, "Secret reorganisation", visibility="private")
    meta = opened_metadata(candor, CARA)
    value = {"hidden": str(secret), "no-such": "999999", "huge": "9" * 18, "junk": "<!channel>"}[forged]
    resp = candor.slack.view_submission(KudosIds.MODAL, {**modal_values([ANA], GOOD), **goal_choice(value)},
                                        user=CARA, private_metadata=meta)
    body = resp.json()
    assert body["response_action"] == "errors"
    assert body["errors"] == {GoalPartIds.KUDOS_GOAL_BLOCK: "That goal doesn't exist or isn't visible to you."}
    assert count(candor, Kudos) == 0 and links(candor) == []


# -- the goal's history lists its kudos -------------------------------------------------------------------------


def test_kudos_for_goal_lists_the_goals_kudos_newest_first(candor):
    seed(candor, {ANA: BOB, BOB: None, LI: None, CARA: None})
    goal = revenue_goal(candor)
    other = make_goal(candor, CARA, "Another goal")
    slug = slug_of(candor, goal)
    for i, giver in enumerate((LI, BOB, CARA)):
        candor.clock.advance(timedelta(minutes=1))
        resp = candor.slack.command("/kudos", f"<@{ANA}> {GOOD}, part {i} +{slug}", user=giver)
        assert "Grow revenue in the north" in ephemeral(resp)  # Li reads German: the goal's title says it
    candor.slack.command("/kudos", f"<@{ANA}> {GOOD}, for the other one +{slug_of(candor, other)}", user=LI)
    with candor.session() as s:
        found = kudos_for_goal(s, goal, limit=2)
        assert [k.message for k in found] == [f"{GOOD}, part 2", f"{GOOD}, part 1"]
        assert [k.giver.slack_user_id for k in found] == [CARA, BOB]
        assert [r.person.slack_user_id for r in found[0].recipients] == [ANA]
        assert len(kudos_for_goal(s, goal)) == 3 and len(kudos_for_goal(s, other)) == 1
    # Deleting a goal or a kudos takes its links with it (ON DELETE CASCADE).
    with candor.rt.db.unit_of_work() as s:
        s.execute(delete(Goal).where(Goal.id == other))
    assert len(links(candor)) == 3
    with candor.rt.db.unit_of_work() as s:
        s.execute(delete(Kudos).where(Kudos.id == found[0].id))
    assert len(links(candor)) == 2


# -- the parts, their words and the registry -------------------------------------------------------------------


@pytest.mark.parametrize(("text", "words", "message"), [
    ("<@U1> for the launch #teamwork +grow-north", ["+grow-north"], "for the launch #teamwork"),
    ("<@U1> +grow-north, for the launch", ["+grow-north"], "for the launch"),
    ("<@U1> +1 for the launch, c++ and a+b", [], "+1 for the launch, c++ and a+b"),
    ("<@U1> see <https://x.example/+abc|the doc>", [], "see the doc (https://x.example/+abc)"),
    ("<@U1> two +one-goal +two-goal +one-goal", ["+one-goal", "+two-goal"], "two"),
])
def test_words_with_a_claimed_prefix_are_read_and_taken_out(text, words, message):
    parsed = parse_kudos_text(text, ("+",))
    assert (parsed.words, parsed.message) == (words, message)
    assert parse_kudos_text(text).words == []  # unclaimed: the words stay in the message


def test_the_registry_joins_the_parts_and_refuses_two_claiming_one_prefix():
    joined = SlackRegistry.of([SlackSide(), SlackSide(checkin_extension=CHECKIN_EXTENSION,
                                                      kudos_extension=KUDOS_EXTENSION)])
    assert joined.checkin_extensions == (CHECKIN_EXTENSION,) and joined.kudos_extensions == (KUDOS_EXTENSION,)
    other = KudosExtension(name="other", blocks=KUDOS_EXTENSION.blocks, read=KUDOS_EXTENSION.read,
                           apply=KUDOS_EXTENSION.apply, word_prefix="+", read_words=lambda words: None)
    with pytest.raises(RuntimeError, match="prefix"):
        SlackRegistry.of([SlackSide(kudos_extension=KUDOS_EXTENSION), SlackSide(kudos_extension=other)])
    twin = CheckinExtension(name="goals", blocks=CHECKIN_EXTENSION.blocks, read=CHECKIN_EXTENSION.read,
                            apply=CHECKIN_EXTENSION.apply)
    with pytest.raises(RuntimeError, match="one name"):
        SlackRegistry.of([SlackSide(checkin_extension=CHECKIN_EXTENSION), SlackSide(checkin_extension=twin)])
