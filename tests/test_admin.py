"""HR admin tools in Slack: only HR admins, inline validation, audited, export as a file, erasure."""

from __future__ import annotations

import json
import time

from sqlalchemy import select

from handlers.people.admin import AdminIds
from models.core.tables import AuditEntry, Person
from models.kudos.tables import Kudos
from tests.conftest import ANA, BOB, CARA, TEAM
from tests.slack_requests import text_value

HR = "U0HR"


def user_value(user: str | None) -> dict:
    return {"type": "users_select", "selected_user": user}


def manager_form(person, manager, none=False):
    return {
        "person": {"person_select": user_value(person)},
        "manager": {"manager_select": user_value(manager)},
        "no_manager": {"no_manager_check": {"type": "checkboxes", "selected_options": [
            {"value": "none"}] if none else []}},
    }


def audit(candor) -> list[tuple[str, str, str | None]]:
    with candor.session() as s:
        return [(e.actor, e.action, e.subject) for e in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def manager_of(candor, user):
    with candor.session() as s:
        p = s.scalars(select(Person).where(Person.slack_user_id == user)).one()
        return s.get(Person, p.manager_id).slack_user_id if p.manager_id else None


def test_only_hr_admins_see_and_use_the_tools(candor):
    candor.fake.add_user(HR, name="hr", real_name="Hana HR", email="hr@example.com")
    candor.slack.app_home_opened(ANA)
    candor.slack.app_home_opened(HR)
    candor.drain_until(lambda: ANA in candor.fake.home_views and HR in candor.fake.home_views)
    assert AdminIds.SET_MANAGER not in json.dumps(candor.fake.home_views[ANA])
    assert AdminIds.SET_MANAGER in json.dumps(candor.fake.home_views[HR])
    resp = candor.slack.view_submission(AdminIds.MANAGER_MODAL, manager_form(BOB, ANA), user=ANA)
    assert resp.json()["errors"] == {"person": "Only HR admins can do this."}
    assert audit(candor) == []


def test_set_manager_validates_inline_and_is_audited(candor):
    candor.fake.add_user(HR, name="hr", real_name="Hana HR")
    r = candor.slack.view_submission(AdminIds.MANAGER_MODAL, manager_form(ANA, None), user=HR)
    assert "Choose their manager" in r.json()["errors"]["manager"]
    r = candor.slack.view_submission(AdminIds.MANAGER_MODAL, manager_form(ANA, BOB, none=True), user=HR)
    assert "not both" in r.json()["errors"]["no_manager"]
    r = candor.slack.view_submission(AdminIds.MANAGER_MODAL, manager_form(ANA, BOB), user=HR)
    assert r.json()["response_action"] == "update" and manager_of(candor, ANA) == BOB
    # A cycle is refused with the chain named, and nothing changes.
    r = candor.slack.view_submission(AdminIds.MANAGER_MODAL, manager_form(BOB, ANA), user=HR)
    assert "bob is above them in the chart (ana → bob)" in r.json()["errors"]["manager"]
    assert manager_of(candor, BOB) is None
    r = candor.slack.view_submission(AdminIds.MANAGER_MODAL, manager_form(ANA, ANA), user=HR)
    assert r.json()["response_action"] == "errors"
    r = candor.slack.view_submission(AdminIds.MANAGER_MODAL, manager_form(ANA, None, none=True), user=HR)
    assert r.json()["response_action"] == "update" and manager_of(candor, ANA) is None
    assert audit(candor) == [("slack:U0HR", "org.set_manager", ANA), ("slack:U0HR", "org.set_manager", ANA)]


def test_export_arrives_as_a_json_file_in_the_admins_dm(candor):
    candor.fake.add_user(HR, name="hr", real_name="Hana HR")
    candor.slack.command("/kudos", f"<@{ANA}> for the calm launch and the clear runbook", user=BOB)
    r = candor.slack.view_submission(AdminIds.EXPORT_MODAL, {"person": {"person_select": user_value(ANA)}}, user=HR)
    assert r.json()["response_action"] == "update"
    candor.drain_until(lambda: candor.fake.files)
    [file] = candor.fake.files.values()
    assert file["channel"] == candor.fake.dm_channel_id(HR)
    data = json.loads(file["content"])
    assert "calm launch" in json.dumps(data)
    assert ("slack:U0HR", "privacy.export", ANA) in audit(candor)


def test_export_of_someone_candor_never_saw(candor):
    candor.fake.add_user(HR, name="hr", real_name="Hana HR")
    r = candor.slack.view_submission(AdminIds.EXPORT_MODAL, {"person": {"person_select": user_value(CARA)}},
                                     user=HR)
    assert r.json()["errors"] == {"person": "Candor holds no data about this person."}


def test_erase_needs_the_word_then_erases_and_stays_erased(candor):
    candor.fake.add_user(HR, name="hr", real_name="Hana HR")
    candor.slack.command("/kudos", f"<@{ANA}> for the calm launch and the clear runbook", user=BOB)
    form = {"person": {"person_select": user_value(BOB)}, "confirm": {"confirm_input": text_value("erase")}}
    r = candor.slack.view_submission(AdminIds.ERASE_MODAL, form, user=HR)
    assert r.json()["errors"] == {"confirm": "Type ERASE to confirm."}
    form["confirm"] = {"confirm_input": text_value("ERASE")}
    r = candor.slack.view_submission(AdminIds.ERASE_MODAL, form, user=HR)
    assert r.json()["response_action"] == "update"
    with candor.session() as s:
        assert s.scalars(select(Person).where(Person.slack_user_id == BOB)).first() is None
        [k] = s.scalars(select(Kudos)).all()
        assert k.message == "[removed at the author's request]"
    assert ("slack:U0HR", "privacy.erase", BOB) in audit(candor)
    # Slack still knows Bob: a profile change event must not bring him back as a new person.
    candor.slack.event({"type": "user_change", "user": {"id": BOB, "team_id": TEAM, "name": "bob",
                                                         "real_name": "Bob Stone"}}, event_id="Ev0BOBBACK")
    time.sleep(0.5)
    with candor.session() as s:
        assert s.scalars(select(Person).where(Person.slack_user_id == BOB)).first() is None
    again = candor.slack.view_submission(AdminIds.ERASE_MODAL, form, user=HR)
    assert again.json()["response_action"] == "errors"


def test_hr_export_leaves_out_private_1on1_notes_unless_allowed(candor):
    from datetime import UTC, datetime

    from models.one_on_ones.tables import OneOnOneMeeting, OneOnOnePair

    candor.fake.add_user(HR, name="hr", real_name="Hana HR")
    candor.slack.command("/kudos", f"<@{ANA}> for the calm launch and the clear runbook", user=BOB)
    with candor.rt.db.unit_of_work() as s:
        ana = s.scalars(select(Person).where(Person.slack_user_id == ANA)).one()
        bob = s.scalars(select(Person).where(Person.slack_user_id == BOB)).one()
        ana.manager_id = bob.id
        pair = OneOnOnePair(team_id=TEAM, manager_id=bob.id, report_id=ana.id, anchor_week=datetime(2026, 11, 2).date())
        s.add(pair)
        s.flush()
        s.add(OneOnOneMeeting(pair_id=pair.id, period="2026-W46", scheduled_at=datetime(2026, 11, 10, tzinfo=UTC),
                              notes="Private: talked about the promotion case", notes_author_id=ana.id,
                              held_at=datetime(2026, 11, 10, tzinfo=UTC)))
    r = candor.slack.view_submission(AdminIds.EXPORT_MODAL, {"person": {"person_select": user_value(ANA)}}, user=HR)
    assert r.json()["response_action"] == "update"
    candor.drain_until(lambda: candor.fake.files)
    [file] = candor.fake.files.values()
    text = file["content"].decode()
    assert "calm launch" in text and "promotion case" not in text
    assert [a for a in audit(candor) if a[1] == "privacy.export"] == [("slack:U0HR", "privacy.export", ANA)]
