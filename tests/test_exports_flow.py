"""The HR admin's performance-data export in Slack, end to end (signed requests, the real app, the fake Slack, a
real database, both): the button on an HR admin's App Home only; a click is audited and the CSV arrives in the
admin's DM, built at send time; anyone else is refused and nothing is written."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

from sqlalchemy import func, select

from handlers.people.export import ACTION, KIND
from models.core.tables import AuditEntry, OutboxMessage, Person
from models.exports import EXPORT_ACTION
from models.people import ensure_people
from tests.conftest import ANA, BOB, TEAM
from tests.slack_requests import acked

HR = "U0HR"
NOW = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)  # the last complete quarter is 2026-Q4


def seed(candor) -> None:
    candor.fake.add_user(HR, name="hr", real_name="Hana HR", email="hr@example.com")
    with candor.rt.db.unit_of_work() as s:
        people = ensure_people(s, TEAM, [ANA, BOB, HR], candor.rt.services.directory)
        ana, bob = people[ANA], people[BOB]
        assert ana and bob
        bob.manager_id, bob.department = ana.id, "=cmd|' /C calc'!A0"


def audit(candor) -> list[AuditEntry]:
    with candor.session() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == EXPORT_ACTION)))


def opened_text(candor) -> str:
    return json.dumps(candor.fake.calls_to("views.open")[-1].params["view"], ensure_ascii=False)


def test_the_button_shows_on_hr_admins_home_only(candor):
    seed(candor)
    candor.slack.app_home_opened(ANA)
    candor.slack.app_home_opened(HR)
    candor.drain_until(lambda: ANA in candor.fake.home_views and HR in candor.fake.home_views)
    assert ACTION not in json.dumps(candor.fake.home_views[ANA])
    home = json.dumps(candor.fake.home_views[HR])
    assert ACTION in home and "Export performance data (last quarter)" in home


def test_an_hr_admin_gets_the_csv_in_their_dm_and_it_is_audited(candor):
    candor.clock.set(NOW)
    seed(candor)
    acked(candor.slack.block_action(ACTION, user=HR))
    assert "on its way to your DMs" in opened_text(candor) and "2026-Q4" in opened_text(candor)
    [entry] = audit(candor)
    assert (entry.actor, entry.subject, entry.details["format"], entry.details["rows"]) == (
        f"slack:{HR}", "2026-Q4", "csv", 3)
    candor.drain_until(lambda: candor.fake.files)
    [file] = candor.fake.files.values()
    assert file["channel"] == candor.fake.dm_channel_id(HR)
    assert file["filename"] == "candor-performance-2026-Q4.csv"
    rows = list(csv.DictReader(io.StringIO(file["content"].decode())))
    assert {r["slack_id"] for r in rows} == {ANA, BOB, HR}
    bob = next(r for r in rows if r["slack_id"] == BOB)
    assert bob["department"] == "'=cmd|' /C calc'!A0" and bob["period"] == "2026-Q4"
    assert bob["kudos_received"] == "0" and "level_collaboration" in bob


def test_anyone_else_is_refused_and_nothing_is_written(candor):
    seed(candor)
    acked(candor.slack.block_action(ACTION, user=ANA))
    assert "Only HR admins can export performance data." in opened_text(candor)
    assert audit(candor) == []
    with candor.session() as s:
        assert s.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == KIND)) == 0
        assert s.scalars(select(Person).where(Person.slack_user_id == ANA)).one()
    candor.drain()
    assert candor.fake.files == {}
