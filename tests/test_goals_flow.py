"""Goals in Slack, end to end: signed requests through the real app, the fake Slack, a real database (both).

`/goal` opens the create modal (levels and owner as the author may set them, periods, parents the author may
see, key results written as lines); every modal's inline errors write nothing; a double submit makes one goal;
`/goal update` opens the one goal's update modal or a pick modal; the Update button works from a DM, the Home
and a /goal reply, and a goal the person may not see or update is refused; `/goal list`, `/goal @person` and
`/goal help` show what the access policy allows; the alignment modal never shows a private goal's title; the
App Home section for an employee and for a manager, within Slack's limits whatever the data.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.blocks import MESSAGE_BLOCKS_MAX, form_expired
from bot.i18n import translator
from handlers.goals.home import goals_home
from handlers.goals.ids import GoalIds as Ids
from handlers.goals.payloads import KeyResultFormatError, parse_key_result, parse_number
from models import goals as g
from models.core.config import OrgConfig
from models.core.tables import Person
from models.goals import Goal, GoalUpdate, KeyResult
from models.people import ensure_people
from tests.conftest import ANA, BOB, CARA, LI, TEAM, make_org
from tests.fake_slack import check_blocks
from tests.slack_requests import acked, answer, errors, text_value, updated_view

pytestmark = pytest.mark.time_sensitive

NOW = datetime(2026, 11, 16, 12, 0, tzinfo=UTC)  # the middle of 2026-Q4


def org_with(**goals: Any) -> OrgConfig:
    base = make_org()
    return base.model_copy(update={"goals": base.goals.model_copy(update=goals)})


# -- harness ---------------------------------------------------------------------------------------------------


GERMAN = translator("de-DE")  # Li's Slack locale






def message_json(resp) -> str:
    """A command's ephemeral reply, text and blocks, checked against Slack's message limits."""
    body = answer(resp)
    if body.get("blocks"):
        check_blocks(body["blocks"], limit=MESSAGE_BLOCKS_MAX, pointer="/blocks", error="invalid_blocks")
    return json.dumps(body, ensure_ascii=False)






def opened(candor) -> list[dict[str, Any]]:
    return [c.params["view"] for c in candor.fake.calls_to("views.open")]


def last_opened(candor) -> dict[str, Any]:
    views = opened(candor)
    assert views, "no modal was opened"
    return views[-1]


def block(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


def block_ids(view: dict[str, Any]) -> list[str]:
    return [b.get("block_id", "") for b in view["blocks"]]


def select_value(value: str | None) -> dict[str, Any]:
    option = {"value": value, "text": {"type": "plain_text", "text": value}} if value else None
    return {"type": "static_select", "selected_option": option}


def radio_value(value: str) -> dict[str, Any]:
    return {"type": "radio_buttons", "selected_option": {"value": value, "text": {"type": "plain_text", "text": value}}}


def create_values(view: dict[str, Any], title: str | None, *, krs: tuple[str, ...] = (), parent: int | None = None,
                  level: str | None = None, owner: str | None = None, department: str | None = None,
                  period: str | None = None, visibility: str = "public", description: str | None = None,
                  ) -> dict[str, Any]:
    """What Slack sends for the create modal `view`: only the blocks it has (or those a test forges)."""
    ids = block_ids(view)
    values: dict[str, Any] = {
        Ids.TITLE_BLOCK: {Ids.TITLE_ACTION: text_value(title)},
        Ids.DESCRIPTION_BLOCK: {Ids.DESCRIPTION_ACTION: text_value(description)},
        Ids.PERIOD_BLOCK: {Ids.PERIOD_ACTION: select_value(
            period or block(view, Ids.PERIOD_BLOCK)["element"]["initial_option"]["value"])},
        Ids.VISIBILITY_BLOCK: {Ids.VISIBILITY_ACTION: radio_value(visibility)},
    }
    if Ids.LEVEL_BLOCK in ids or level is not None:
        values[Ids.LEVEL_BLOCK] = {Ids.LEVEL_ACTION: select_value(level or "person")}
    if Ids.OWNER_BLOCK in ids or owner is not None:
        values[Ids.OWNER_BLOCK] = {Ids.OWNER_ACTION: {"type": "users_select", "selected_user": owner}}
    if Ids.DEPARTMENT_BLOCK in ids or department is not None:
        values[Ids.DEPARTMENT_BLOCK] = {Ids.DEPARTMENT_ACTION: text_value(department)}
    if Ids.PARENT_BLOCK in ids or parent is not None:
        values[Ids.PARENT_BLOCK] = {Ids.PARENT_ACTION: select_value(str(parent) if parent else None)}
    for row in range(5):
        values[f"{Ids.KR_BLOCK}{row}"] = {Ids.KR_ACTION: text_value(krs[row] if row < len(krs) else None)}
    return values


def update_values(view: dict[str, Any], values: dict[int, str] | None = None, *, progress: str | None = None,
                  status: str = "suggest", comment: str | None = None) -> dict[str, Any]:
    """What Slack sends for the update modal `view`, each key result's input as prefilled unless given."""
    out: dict[str, Any] = {}
    for b in view["blocks"]:
        bid = b.get("block_id", "")
        if bid.startswith(Ids.KR_VALUE_BLOCK):
            kr_id = int(bid.removeprefix(Ids.KR_VALUE_BLOCK))
            typed = (values or {}).get(kr_id, b["element"].get("initial_value"))
            out[bid] = {Ids.KR_VALUE_ACTION: text_value(typed)}
        elif bid == Ids.PROGRESS_BLOCK:
            out[bid] = {Ids.PROGRESS_ACTION: text_value(progress or b["element"].get("initial_value"))}
    out[Ids.STATUS_BLOCK] = {Ids.STATUS_ACTION: select_value(status)}
    out[Ids.COMMENT_BLOCK] = {Ids.COMMENT_ACTION: text_value(comment)}
    return out


def click(candor, action_id: str, *, user: str, value: str, container: dict[str, Any] | None = None):
    return acked(candor.slack.block_action(action_id, user=user, value=value, container=container))


def seed(candor) -> dict[str, int]:
    """Cara is HR (People); Ana manages Bob and Li in Sales. The clock stands mid-quarter."""
    candor.clock.set(NOW)
    with candor.rt.db.unit_of_work() as s:
        people = ensure_people(s, TEAM, [ANA, BOB, LI, CARA], candor.rt.services.directory)
        ana, bob, li, cara = (people[u] for u in (ANA, BOB, LI, CARA))
        assert ana and bob and li and cara
        cara.is_hr_admin, cara.department = True, "People"
        ana.department = "Sales"
        for report in (bob, li):
            report.manager_id, report.department = ana.id, "Sales"
        s.flush()
        return {uid: p.id for uid, p in people.items() if p is not None}


def person(s, uid: str) -> Person:
    return s.scalars(select(Person).where(Person.team_id == TEAM, Person.slack_user_id == uid)).one()


def make_goal(candor, author: str, title: str, *, owner: str | None = None, **kw: Any) -> int:
    """A goal written straight through the domain, as if made earlier."""
    with candor.rt.db.unit_of_work() as s:
        by = person(s, author)
        draft = g.GoalDraft(team_id=TEAM, owner=person(s, owner or author), title=title,
                            source_key=f"test:{title}:{owner or author}", **kw)
        return g.create_goal(s, candor.rt.org, by, draft, now=candor.clock.now()).goal.id


def goal_count(candor) -> int:
    with candor.session() as s:
        return s.scalar(select(func.count()).select_from(Goal)) or 0


def update_count(candor, source: str = "modal") -> int:
    with candor.session() as s:
        return s.scalar(select(func.count()).select_from(GoalUpdate).where(GoalUpdate.source == source)) or 0


# -- parsing what people type ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("line", "expected"), [
    ("New accounts: 0 -> 20 accounts", ("New accounts", "metric", 0, 20, "accounts")),
    ("Churn 5 → 3 %", ("Churn", "metric", 5, 3, "%")),
    ("Grow weekly users from 1,000 to 2,500", ("Grow weekly users from", "metric", 1000, 2500, "")),
    ("Response time: 4,5 => 2.5 hours", ("Response time", "metric", 4.5, 2.5, "hours")),
    ("NPS: -5 -> 30", ("NPS", "metric", -5, 30, "")),
    ("Launch the partner programme", ("Launch the partner programme", "milestone", 0, 100, "")),
    ("Move to the new office:", ("Move to the new office", "milestone", 0, 100, "")),
])
def test_key_result_lines_parse(line, expected):
    kr = parse_key_result(line)
    assert kr is not None
    assert (kr.title, kr.kind, kr.start, kr.target, kr.unit) == expected


@pytest.mark.parametrize("line", ["Revenue: 10 -> lots", "-> 20", "Revenue: ten to 20 -> x", "Sales: 1 -> 2 -> 3x"])
def test_key_result_lines_that_look_like_ranges_must_be_ranges(line):
    if line == "Sales: 1 -> 2 -> 3x":  # the unit is what follows the target: "-> 3x" (odd, but a range)
        kr = parse_key_result(line)
        assert kr is not None and kr.kind == "metric"
        return
    with pytest.raises(KeyResultFormatError):
        parse_key_result(line)


def test_numbers_parse_as_people_type_them():
    assert [parse_number(x) for x in ("12", "4.5", "4,5", "1,000", "40%", " -3 ", "1e9", "", "twelve")] == [
        12, 4.5, 4.5, 1000, 40, -3, None, None, None]
    assert parse_number("15 accounts", "accounts") == 15
    assert parse_number("15 apples", "accounts") is None


# -- /goal: create -----------------------------------------------------------------------------------------------


def test_an_employee_creates_a_goal_with_key_results_a_parent_and_a_soft_limit_warning(candor):
    seed(candor)
    company = make_goal(candor, CARA, "Win the north", level="organisation")
    resp = acked(candor.slack.command("/goal", "", user=BOB))
    assert resp.text == ""
    view = last_opened(candor)
    assert view["callback_id"] == Ids.CREATE_MODAL
    ids = block_ids(view)
    # An employee sets their own goals: no level, owner or department to choose.
    assert Ids.LEVEL_BLOCK not in ids and Ids.OWNER_BLOCK not in ids and Ids.DEPARTMENT_BLOCK not in ids
    assert [f"{Ids.KR_BLOCK}{i}" in ids for i in range(6)] == [True] * 5 + [False]
    periods = [o["value"] for o in block(view, Ids.PERIOD_BLOCK)["element"]["options"]]
    assert periods == ["2026-Q4", "2027-Q1", "2027-Q2"]
    parents = block(view, Ids.PARENT_BLOCK)["element"]["options"]
    assert [(o["value"], o["text"]["text"]) for o in parents] == [(str(company), "Organisation · Win the north")]
    assert block(view, Ids.VISIBILITY_BLOCK)["element"]["initial_option"]["value"] == "public"

    values = create_values(view, "Grow <!channel> revenue & partners", parent=company, description="Because.",
                           krs=("New accounts: 0 -> 20 accounts", "", "Launch the partner programme",
                                "Churn 5 → 3 %"))
    done = updated_view(candor.slack.view_submission(Ids.CREATE_MODAL, values, user=BOB, view_id="VCREATE1",
                                                     private_metadata=view["private_metadata"]))
    text = json.dumps(done, ensure_ascii=False)
    assert "Goal created" in text and "+grow-channel-revenue-partners" in text
    assert "Grow &lt;!channel&gt; revenue &amp; partners" in text and "<!channel>" not in text
    assert "Supports Win the north" in text and "2026-Q4" in text
    assert "active goals" not in text  # one goal: no soft-limit warning
    with candor.session() as s:
        goal = s.scalars(select(Goal).where(Goal.source_key == "view:VCREATE1")).one()
        assert (goal.title, goal.level, goal.owner.slack_user_id, goal.parent_id, goal.period, goal.description,
                goal.visibility) == ("Grow <!channel> revenue & partners", "person", BOB, company, "2026-Q4",
                                     "Because.", "public")
        assert [(kr.title, kr.kind, kr.start_value, kr.target_value, kr.unit, kr.current_value)
                for kr in goal.key_results] == [
            ("New accounts", "metric", 0, 20, "accounts", 0),
            ("Launch the partner programme", "milestone", 0, 100, "", 0),
            ("Churn", "metric", 5, 3, "%", 5)]
        assert [u.source for u in g.history(s, goal)] == ["created"]

    # Past the soft limit (5 active goals) the goal is saved, with a gentle word.
    for i in range(5):
        make_goal(candor, BOB, f"Goal {i}")
    acked(candor.slack.command("/goal", "new Sixth & last", user=BOB))
    view = last_opened(candor)
    assert block(view, Ids.TITLE_BLOCK)["element"]["initial_value"] == "Sixth & last"
    done = updated_view(candor.slack.view_submission(Ids.CREATE_MODAL, create_values(view, "Sixth & last"),
                                                     user=BOB, private_metadata=view["private_metadata"]))
    assert "You now have 7 active goals; a few focused goals usually work better than many." in json.dumps(done)
    assert goal_count(candor) == 8
    with candor.session() as s:  # the creator's Home is refreshed through the outbox
        from models.core.tables import OutboxMessage
        assert s.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.kind == "home.publish")) >= 1


def test_managers_and_hr_choose_level_owner_and_department(candor):
    seed(candor)
    acked(candor.slack.command("/goal", "", user=CARA))
    view = last_opened(candor)
    levels = [o["value"] for o in block(view, Ids.LEVEL_BLOCK)["element"]["options"]]
    assert levels == ["person", "department", "organisation"]
    assert block(view, Ids.OWNER_BLOCK)["element"]["initial_user"] == CARA
    assert block(view, Ids.DEPARTMENT_BLOCK)["element"]["initial_value"] == "People"
    updated_view(candor.slack.view_submission(Ids.CREATE_MODAL, create_values(
        view, "Win the north", level="organisation", owner=CARA), user=CARA,
        private_metadata=view["private_metadata"]))

    acked(candor.slack.command("/goal", "", user=ANA))
    view = last_opened(candor)
    assert [o["value"] for o in block(view, Ids.LEVEL_BLOCK)["element"]["options"]] == ["person", "department"]
    # A manager sets a department goal, and one for a report.
    updated_view(candor.slack.view_submission(Ids.CREATE_MODAL, create_values(
        view, "Sales north", level="department", owner=ANA, department="Sales"), user=ANA,
        private_metadata=view["private_metadata"]))
    updated_view(candor.slack.view_submission(Ids.CREATE_MODAL, create_values(
        view, "Bob's first accounts", owner=BOB, department="Sales"), user=ANA,
        private_metadata=view["private_metadata"]))
    # …but not one for another department, nor for someone outside their team.
    assert errors(candor.slack.view_submission(Ids.CREATE_MODAL, create_values(
        view, "Engineering plan", level="department", owner=ANA, department="Engineering"), user=ANA,
        private_metadata=view["private_metadata"])) == {
        Ids.DEPARTMENT_BLOCK: "Managers set goals for their own department (Sales)."}
    assert errors(candor.slack.view_submission(Ids.CREATE_MODAL, create_values(
        view, "Cara's goal", owner=CARA), user=ANA, private_metadata=view["private_metadata"])) == {
        Ids.OWNER_BLOCK: "You can set goals for yourself and the people who report to you."}
    with candor.session() as s:
        found = {(x.title, x.level, x.owner.slack_user_id, x.department) for x in s.scalars(select(Goal))}
    assert found == {("Win the north", "organisation", CARA, None), ("Sales north", "department", ANA, "Sales"),
                     ("Bob's first accounts", "person", BOB, None)}


def test_every_create_error_is_inline_and_writes_nothing(candor):
    seed(candor)
    secret = make_goal(candor, CARA, "Private plan", visibility="private")
    acked(candor.slack.command("/goal", "", user=BOB))
    view = last_opened(candor)
    meta = view["private_metadata"]
    before = goal_count(candor)

    def submit(values: dict[str, Any], private_metadata: str = meta):
        return errors(candor.slack.view_submission(Ids.CREATE_MODAL, values, user=BOB,
                                                   private_metadata=private_metadata))

    kr_format = ("Write a key result as “New accounts: 0 -> 20 accounts” (or with → or “to”), or just a title for a "
                 "milestone.")
    assert submit(create_values(view, "Fine", krs=("Fine: 0 -> 5", "Revenue: 10 -> lots"))) == {
        f"{Ids.KR_BLOCK}1": kr_format}
    assert submit(create_values(view, "   ")) == {Ids.TITLE_BLOCK: "This can't be empty."}
    assert submit(create_values(view, "x" * 151)) == {Ids.TITLE_BLOCK: "At most 150 characters (you wrote 151)."}
    assert submit(create_values(view, "Fine", description="d" * 2001)) == {
        Ids.DESCRIPTION_BLOCK: "At most 2000 characters (you wrote 2001)."}
    assert submit(create_values(view, "Fine", krs=("", "", "Same: 5 -> 5"))) == {
        f"{Ids.KR_BLOCK}2": "The target must differ from the start: Same starts at 5."}
    assert submit(create_values(view, "Fine", krs=("", "Units: 0 -> 5 " + "u" * 21))) == {
        f"{Ids.KR_BLOCK}1": "At most 20 characters (you wrote 21)."}
    assert submit(create_values(view, "Fine", period="1999-Q1")) == {
        Ids.PERIOD_BLOCK: "Choose one of the periods offered."}
    assert submit(create_values(view, "Fine", parent=secret)) == {  # forged: Bob's modal offered no parent
        Ids.PARENT_BLOCK: "That goal doesn't exist or isn't visible to you."}
    # Forged: a level or an owner the modal did not offer; the rules refuse them.
    assert submit(create_values(view, "Fine", level="organisation")) == {
        Ids.LEVEL_BLOCK: "Only HR admins set the organisation's goals."}
    assert submit(create_values(view, "Fine", owner=ANA)) == {
        Ids.OWNER_BLOCK: "You can set goals for yourself and the people who report to you."}
    assert submit(create_values(view, "Fine"), private_metadata=meta.replace("2026-Q4", "2025-Q4")) == {
        Ids.TITLE_BLOCK: ("This form can't be checked any more, so nothing was saved. Copy your text, close the "
                          "form and open it again.")}
    assert goal_count(candor) == before
    with candor.session() as s:
        assert s.scalar(select(func.count()).select_from(KeyResult)) == 0


def test_a_double_submit_makes_one_goal(candor):
    """A refused submit does not use the view up; then twice in a row, and four at once: one goal."""
    seed(candor)
    acked(candor.slack.command("/goal", "", user=BOB))
    view = last_opened(candor)

    def send(values: dict[str, Any]):
        return candor.slack.view_submission(Ids.CREATE_MODAL, values, user=BOB, view_id="VTWICE",
                                            private_metadata=view["private_metadata"])

    assert Ids.TITLE_BLOCK in errors(send(create_values(view, "")))
    values = create_values(view, "Close ten deals", krs=("Deals: 0 -> 10",))
    first, second = updated_view(send(values)), updated_view(send(values))
    with ThreadPoolExecutor(4) as pool:
        burst = [updated_view(r) for r in pool.map(lambda _: send(values), range(4))]
    assert all(v == first for v in (second, *burst)) and "+close-ten-deals" in json.dumps(first)
    assert goal_count(candor) == 1


# -- /goal update and the Update button -----------------------------------------------------------------------


def test_goal_update_opens_the_one_goal_or_a_pick_and_records_progress(candor):
    seed(candor)
    assert "You have no active goals to update" in message_json(candor.slack.command("/goal", "update", user=BOB))
    goal_id = make_goal(candor, BOB, "Grow accounts", key_results=(
        g.KeyResultDraft("New accounts", start=0, target=20, unit="accounts"),
        g.KeyResultDraft("Partner programme", kind="milestone")))
    with candor.session() as s:
        kr_ids = [kr.id for kr in s.get(Goal, goal_id).key_results]

    acked(candor.slack.command("/goal", "update", user=BOB))
    view = last_opened(candor)
    assert view["callback_id"] == Ids.UPDATE_MODAL
    first, second = (block(view, f"{Ids.KR_VALUE_BLOCK}{k}") for k in kr_ids)
    assert first["label"]["text"] == "New accounts: 0 → 20 accounts" and first["element"]["initial_value"] == "0"
    assert second["label"]["text"] == "Partner programme (% done)"
    status = block(view, Ids.STATUS_BLOCK)["element"]
    assert status["initial_option"]["value"] == "suggest"
    assert status["options"][0]["text"]["text"] == "Let Candor suggest (currently: Off track)"
    assert [o["value"] for o in status["options"]] == ["suggest", "on_track", "at_risk", "off_track"]

    def submit(values: dict[str, Any], *, view_id: str | None = None, meta: str = view["private_metadata"]):
        return candor.slack.view_submission(Ids.UPDATE_MODAL, values, user=BOB, view_id=view_id,
                                            private_metadata=meta)

    # Inline errors, nothing written.
    assert errors(submit(update_values(view, {kr_ids[0]: "lots"}))) == {
        f"{Ids.KR_VALUE_BLOCK}{kr_ids[0]}": "Enter a number, such as 12 or 4.5."}
    assert errors(submit(update_values(view, {kr_ids[1]: "150"}))) == {
        f"{Ids.KR_VALUE_BLOCK}{kr_ids[1]}": "A milestone is between 0 and 100%."}
    assert errors(submit(update_values(view, comment="c" * 1001))) == {
        Ids.COMMENT_BLOCK: "At most 1000 characters (you wrote 1001)."}
    assert errors(submit(update_values(view, status="sideways"))) == {Ids.STATUS_BLOCK: "Pick a status."}
    assert errors(submit(update_values(view), meta="{}")) == {
        f"{Ids.KR_VALUE_BLOCK}{kr_ids[0]}": ("This form can't be checked any more, so nothing was saved. Copy "
                                              "your text, close the form and open it again.")}
    assert update_count(candor) == 0

    values = update_values(view, {kr_ids[0]: "15 accounts", kr_ids[1]: "50%"}, status="at_risk",
                           comment="Two <@U0ANA> partners & a pilot")
    done = updated_view(submit(values, view_id="VUPD1"))
    again = updated_view(submit(values, view_id="VUPD1"))  # a double submit records one update
    with ThreadPoolExecutor(4) as pool:
        burst = [updated_view(r) for r in pool.map(lambda _: submit(values, view_id="VUPD1"), range(4))]
    assert all(v == done for v in (again, *burst))
    text = json.dumps(done, ensure_ascii=False)
    assert "Progress recorded" in text and "At risk" in text and "62%" in text  # (75% + 50%) / 2
    with candor.session() as s:
        goal = s.get(Goal, goal_id)
        assert [kr.current_value for kr in goal.key_results] == [15, 50]
        assert goal.status == "at_risk" and NOW <= goal.last_update_at < NOW + timedelta(minutes=1)
        [update] = [u for u in g.history(s, goal) if u.source == "modal"]
        assert (update.comment, update.status, update.author.slack_user_id, update.source_key) == (
            "Two <@U0ANA> partners & a pilot", "at_risk", BOB, "view:VUPD1")

    # Several goals: a pick modal first, then the update modal in its place.
    plain_goal = make_goal(candor, BOB, "Write the playbook")
    acked(candor.slack.command("/goal", "update", user=BOB))
    pick = last_opened(candor)
    assert pick["callback_id"] == Ids.PICK_MODAL
    options = {o["value"]: o["text"]["text"] for o in block(pick, Ids.PICK_BLOCK)["element"]["options"]}
    assert options == {str(goal_id): "Grow accounts", str(plain_goal): "Write the playbook"}
    assert errors(candor.slack.view_submission(Ids.PICK_MODAL, {Ids.PICK_BLOCK: {Ids.PICK_ACTION: select_value(None)}},
                                               user=BOB, private_metadata=pick["private_metadata"])) == {
        Ids.PICK_BLOCK: "Choose a goal."}
    form = updated_view(candor.slack.view_submission(
        Ids.PICK_MODAL, {Ids.PICK_BLOCK: {Ids.PICK_ACTION: select_value(str(plain_goal))}}, user=BOB,
        view_id="VPICK", private_metadata=pick["private_metadata"]))
    assert form["callback_id"] == Ids.UPDATE_MODAL
    assert block(form, Ids.PROGRESS_BLOCK)["element"]["initial_value"] == "0"
    assert errors(candor.slack.view_submission(Ids.UPDATE_MODAL, update_values(form, progress="140"), user=BOB,
                                               view_id="VPICK", private_metadata=form["private_metadata"])) == {
        Ids.PROGRESS_BLOCK: "Progress is between 0 and 100%."}
    updated_view(candor.slack.view_submission(Ids.UPDATE_MODAL, update_values(form, progress="40%"), user=BOB,
                                              view_id="VPICK", private_metadata=form["private_metadata"]))
    with candor.session() as s:
        assert s.get(Goal, plain_goal).progress == pytest.approx(0.4)
        assert s.get(Goal, plain_goal).status is None  # "let Candor suggest"
    assert update_count(candor) == 2


def test_the_update_button_checks_the_goal_it_names(candor):
    seed(candor)
    public = make_goal(candor, BOB, "Bob in public", key_results=(g.KeyResultDraft("Calls", start=0, target=10),))
    secret = make_goal(candor, BOB, "Bob in private", visibility="private")

    # From a nudge DM, the App Home and a /goal reply alike: the update modal of that goal.
    for container in ({"type": "message", "message_ts": "1700000000.000100", "channel_id": "D0BOB",
                       "is_ephemeral": False},
                      {"type": "view", "view_id": "VHOME"},
                      {"type": "message", "message_ts": "1700000000.000200", "channel_id": "C0GENERAL",
                       "is_ephemeral": True}):
        click(candor, Ids.UPDATE_BUTTON, user=BOB, value=str(public), container=container)
        view = last_opened(candor)
        assert view["callback_id"] == Ids.UPDATE_MODAL and "Bob in public" in json.dumps(view)
    click(candor, Ids.UPDATE_BUTTON, user=ANA, value=str(secret))  # the manager may update it
    assert last_opened(candor)["callback_id"] == Ids.UPDATE_MODAL

    # A peer: sees the public goal but may not update it; the private one "does not exist" for them.
    click(candor, Ids.UPDATE_BUTTON, user=LI, value=str(public))  # Li reads German
    refused = json.dumps(last_opened(candor), ensure_ascii=False)
    assert GERMAN("Only the goal's owner, their managers and HR admins can update it.") in refused
    for forged in (str(secret), "999999", "99999999999", "1 OR 1=1", ""):
        click(candor, Ids.UPDATE_BUTTON, user=LI, value=forged)
        text = json.dumps(last_opened(candor), ensure_ascii=False)
        assert GERMAN("That goal doesn't exist or isn't visible to you.") in text and "Bob in private" not in text

    # A modal sealed for Li naming a goal she may not update (say, access changed since): refused at submit.
    with candor.session() as s:
        kr_id = s.get(Goal, public).key_results[0].id
    for goal_id, message in ((public, "Only the goal's owner, their managers and HR admins can update it."),
                             (secret, "That goal doesn't exist or isn't visible to you.")):
        meta = candor.rt.services.sealer.seal(Ids.UPDATE_MODAL, LI, {"goal": goal_id, "krs": [kr_id]})
        values = {f"{Ids.KR_VALUE_BLOCK}{kr_id}": {Ids.KR_VALUE_ACTION: text_value("9")},
                  Ids.STATUS_BLOCK: {Ids.STATUS_ACTION: select_value("on_track")},
                  Ids.COMMENT_BLOCK: {Ids.COMMENT_ACTION: text_value("mine now")}}
        assert errors(candor.slack.view_submission(Ids.UPDATE_MODAL, values, user=LI, private_metadata=meta)) == {
            f"{Ids.KR_VALUE_BLOCK}{kr_id}": GERMAN(message)}
    # Bob's own modal state, replayed by Li (who reads German), does not open.
    meta = candor.rt.services.sealer.seal(Ids.UPDATE_MODAL, BOB, {"goal": public, "krs": [kr_id]})
    assert errors(candor.slack.view_submission(
        Ids.UPDATE_MODAL, {f"{Ids.KR_VALUE_BLOCK}{kr_id}": {Ids.KR_VALUE_ACTION: text_value("9")}}, user=LI,
        private_metadata=meta)) == {f"{Ids.KR_VALUE_BLOCK}{kr_id}": form_expired(GERMAN)}
    assert update_count(candor) == 0
    with candor.session() as s:
        assert s.get(Goal, public).key_results[0].current_value == 0


# -- /goal list, /goal @person, /goal help ----------------------------------------------------------------------


def test_list_mentions_and_help_show_what_the_policy_allows(candor):
    seed(candor)
    company = make_goal(candor, CARA, "Win the north", level="organisation")
    public = make_goal(candor, BOB, "Bob in public", parent_id=company)
    make_goal(candor, BOB, "Bob in private", visibility="private")

    mine = message_json(candor.slack.command("/goal", "list", user=BOB))
    assert "Your goals* (2)" in mine and "Bob in public" in mine and "Bob in private" in mine
    assert "The organisation's and departments' goals* (1)" in mine and "Win the north" in mine
    assert "Supports Win the north" in mine
    body = json.loads(mine)
    buttons = [(e["action_id"], e["value"]) for b in body["blocks"]
               for e in [b.get("accessory") or {}, *b.get("elements", [])] if e.get("type") == "button"]
    assert (Ids.UPDATE_BUTTON, str(public)) in buttons and (Ids.ALIGNMENT_BUTTON, str(public)) in buttons
    assert (Ids.ALIGNMENT_BUTTON, str(company)) in buttons and (Ids.UPDATE_BUTTON, str(company)) not in buttons

    peer = message_json(candor.slack.command("/goal", "<@U0BOB|bob>", user=LI))
    assert GERMAN("*Goals of {person}*", person="<@U0BOB>") + " (1)" in peer  # Li reads German
    assert "Bob in public" in peer and "Bob in private" not in peer
    assert Ids.UPDATE_BUTTON.value not in peer  # a peer may not update Bob's goals
    for viewer in (ANA, CARA):  # the manager and HR see both, and may update them
        seen = message_json(candor.slack.command("/goal", "<@U0BOB|bob>", user=viewer))
        assert "Bob in private" in seen and Ids.UPDATE_BUTTON.value in seen
    cara_for_li = message_json(candor.slack.command("/goal", "<@U0CARA>", user=LI))
    assert GERMAN("*Goals of {person}*", person="<@U0CARA>") + " (1)" in cara_for_li  # she owns
    assert GERMAN("{person} has no active goals you can see.", person="<@U0ANA>") in message_json(
        candor.slack.command("/goal", "<@U0ANA>", user=LI))

    help_text = message_json(candor.slack.command("/goal", "help", user=BOB))
    assert "`/goal update` records progress" in help_text and "`/goal @person`" in help_text
    unknown = message_json(candor.slack.command("/goal", "frobnicate <!channel>", user=BOB))
    assert "I don't know `frobnicate`." in unknown and "`/goal list`" in unknown
    sneaky = message_json(candor.slack.command("/goal", "&lt;!channel&gt;", user=BOB))
    assert "<!channel>" not in sneaky and "&lt;!channel&gt;" in sneaky


def test_a_long_list_stays_within_slacks_limits(candor):
    seed(candor)
    for i in range(30):
        make_goal(candor, BOB, f"Goal number {i} " + "&" * 120)
    for i in range(20):
        make_goal(candor, CARA, f"Company goal {i}", level="organisation")
    text = message_json(candor.slack.command("/goal", "list", user=BOB))  # check_blocks: ≤ 50 blocks
    body = json.loads(text)
    assert "Your goals* (30)" in text and "…and" in text
    assert sum(len(json.dumps(b)) for b in body["blocks"]) < 20_000


# -- the alignment view ----------------------------------------------------------------------------------------


def test_the_alignment_view_shows_the_chain_without_leaking_private_titles(candor):
    seed(candor)
    company = make_goal(candor, CARA, "Win the north", level="organisation",
                        key_results=(g.KeyResultDraft("Regions", start=0, target=4),))
    sales = make_goal(candor, ANA, "Sales plan in private", level="department", department="Sales",
                      visibility="private", parent_id=company)
    bob = make_goal(candor, ANA, "Bob's accounts", owner=BOB, parent_id=sales)  # set by his manager
    make_goal(candor, ANA, "Ana's partners", parent_id=sales)
    make_goal(candor, CARA, "Li's secret", owner=LI, visibility="private", parent_id=company)

    click(candor, Ids.ALIGNMENT_BUTTON, user=BOB, value=str(bob))
    view = last_opened(candor)
    text = json.dumps(view, ensure_ascii=False)
    assert view["callback_id"] == Ids.ALIGNMENT_MODAL
    assert text.index("Win the north") < text.index("A private goal") < text.index("Bob's accounts")
    assert "Sales plan in private" not in text
    assert "No goals support it yet" in text

    click(candor, Ids.ALIGNMENT_BUTTON, user=ANA, value=str(sales))
    text = json.dumps(last_opened(candor), ensure_ascii=False)
    assert "Sales plan in private" in text and "Goals that support it* (2)" in text
    assert "Bob's accounts" in text and "Ana's partners" in text and "Roll-up: ░░░░░░░░░░ 0%" in text

    click(candor, Ids.ALIGNMENT_BUTTON, user=BOB, value=str(company))  # children Bob may see: none of the two
    text = json.dumps(last_opened(candor), ensure_ascii=False)
    assert "Li's secret" not in text and "Sales plan in private" not in text and "No goals support it yet" in text
    click(candor, Ids.ALIGNMENT_BUTTON, user=CARA, value=str(company))  # HR sees both
    text = json.dumps(last_opened(candor), ensure_ascii=False)
    assert "Li's secret" in text and "Sales plan in private" in text and "Goals that support it* (2)" in text

    click(candor, Ids.ALIGNMENT_BUTTON, user=LI, value=str(sales))
    text = json.dumps(last_opened(candor), ensure_ascii=False)
    assert GERMAN("That goal doesn't exist or isn't visible to you.") in text and "Sales plan" not in text


def test_the_alignment_view_shows_the_goals_history_with_authors_and_comments(candor):
    seed(candor)
    goal = make_goal(candor, BOB, "Bob's accounts", key_results=(g.KeyResultDraft("Deals", start=0, target=10),))
    with candor.rt.db.unit_of_work() as s:
        kr = s.get(Goal, goal).key_results[0].id
        g.update_goal(s, candor.rt.org, person(s, ANA), g.UpdateDraft(
            goal, "test:u1", values={kr: 5}, status="at_risk", comment="Two deals slipped <!channel>"),
            now=candor.clock.now() + timedelta(days=1))
    click(candor, Ids.ALIGNMENT_BUTTON, user=BOB, value=str(goal))
    view = last_opened(candor)
    check_blocks(view["blocks"], limit=100, pointer="/view/blocks", error="invalid_arguments")
    text = json.dumps(view, ensure_ascii=False)
    assert "*Latest updates*" in text
    newest, created = text.index("Two deals slipped"), text.index("created")
    assert newest < created  # newest first
    assert f"<@{ANA}> · updated · 50% · :large_yellow_circle: At risk" in text
    assert "&lt;!channel&gt;" in text and "<!channel>" not in text
    assert "Kudos for this goal" not in text
    with candor.session() as s:
        slug = s.get(Goal, goal).slug
    answer = acked(candor.slack.command("/kudos", f"<@{BOB}|bob> for closing the first two deals +{slug}", user=ANA))
    assert "Kudos sent" in answer.text
    click(candor, Ids.ALIGNMENT_BUTTON, user=CARA, value=str(goal))
    text = json.dumps(last_opened(candor), ensure_ascii=False)
    assert "*Kudos for this goal*" in text
    assert f"<@{ANA}> → <@{BOB}>" in text and "for closing the first two deals" in text


# -- the App Home ----------------------------------------------------------------------------------------------


def home_of(candor, user: str) -> dict[str, Any]:
    candor.fake.home_views.pop(user, None)
    acked(candor.slack.app_home_opened(user))
    candor.drain_until(lambda: user in candor.fake.home_views)
    return candor.fake.home_views[user]


def test_the_home_shows_my_goals_and_a_managers_team_with_stalled_goals(candor):
    seed(candor)
    company = make_goal(candor, CARA, "Win the north", level="organisation")
    fresh = make_goal(candor, BOB, "Bob's fresh goal", parent_id=company,
                      key_results=(g.KeyResultDraft("Deals", start=0, target=10),))
    candor.clock.set(NOW - timedelta(days=20))
    make_goal(candor, BOB, "Bob's quiet goal")
    make_goal(candor, BOB, "Bob's goal for next quarter", period="2027-Q1")  # silent, but its quarter has not begun
    candor.clock.set(NOW)

    home = home_of(candor, BOB)
    text = json.dumps(home, ensure_ascii=False)
    assert '"Goals"' in text and "*My goals* (3)" in text
    assert "Bob's fresh goal" in text and "Supports Win the north" in text and "No update for 20 days" in text
    assert text.count("No update for") == 1  # stalled by the rule the nudges follow, not for next quarter's goal
    assert Ids.NEW_BUTTON.value in text and f'"value": "{fresh}"' in text
    assert "My team's goals" not in text

    manager = json.dumps(home_of(candor, ANA), ensure_ascii=False)
    assert "*My goals* (0)" in manager and "You have no active goals" in manager
    assert "My team's goals" in manager and "<@U0BOB> · 3 goals · :hourglass: 1 stalled" in manager
    assert "<@U0LI> · 0 goals" in manager and "no update for 20 days" in manager

    # New goal from the Home opens the create modal.
    click(candor, Ids.NEW_BUTTON, user=BOB, value="new", container={"type": "view", "view_id": "VHOME"})
    assert last_opened(candor)["callback_id"] == Ids.CREATE_MODAL


def test_the_home_section_stays_within_limits_whatever_the_data(candor):
    seed(candor)
    with candor.rt.db.unit_of_work() as s:
        ana = person(s, ANA)
        for i in range(15):
            s.add(Person(team_id=TEAM, slack_user_id=f"U0REP{i:03d}", real_name=f"Rep {i}", manager_id=ana.id))
    for i in range(12):
        make_goal(candor, ANA, f"Ana's goal {i} " + "<" * 130)
    with candor.session() as s:
        reports = [p.slack_user_id for p in s.scalars(select(Person).where(Person.slack_user_id.like("U0REP%")))]
    for uid in reports:
        for i in range(6):
            make_goal(candor, ANA, f"Goal {i} of {uid}", owner=uid)
    with candor.session() as s:
        blocks = [b.to_dict() for b in goals_home(s, person(s, ANA), translator("en"), candor.rt.org)]
    check_blocks(blocks, limit=45, pointer="/view/blocks", error="invalid_arguments")
    text = json.dumps(blocks, ensure_ascii=False)
    assert "…and 6 more" in text and "…and 7 more people" in text and "<!" not in text


@pytest.mark.parametrize("org", [org_with(enabled=False)])
def test_goals_turned_off(candor):
    seed(candor)
    assert "Goals are turned off" in message_json(candor.slack.command("/goal", "", user=BOB))
    click(candor, Ids.NEW_BUTTON, user=BOB, value="new")
    assert "Goals are turned off" in json.dumps(last_opened(candor))
    with candor.session() as s:
        assert goals_home(s, person(s, BOB), translator("en"), candor.rt.org) == []
