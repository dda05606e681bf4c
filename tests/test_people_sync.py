"""Directory sync: paginated users.list within its rate tier; deactivation and reactivation keep one row."""

from __future__ import annotations

import time

from slack_sdk import WebClient
from sqlalchemy import func, select

from bot.slack import SlackDirectory
from models.core.tables import Person
from models.people import sync_directory
from tests.conftest import TEAM


def directory(fake, sleeps):
    return SlackDirectory(WebClient(token="xoxb-test", base_url=fake.url), page_size=200, page_interval=3.0,
                          sleep=sleeps.append)


def test_sync_pages_through_everyone_spaced_for_tier_2(fake, session):
    for i in range(450):
        fake.add_user(f"U1{i:05d}", name=f"user{i}", real_name=f"User {i}", email=f"u{i}@example.com",
                      tz="Europe/Madrid")
    sleeps: list[float] = []
    seen, created = sync_directory(session, TEAM, directory(fake, sleeps))
    total = len(fake.calls_to("users.list"))
    assert total == (456 + 199) // 200  # 450 + the six fixture users + the bot, 200 a page
    assert seen == created == session.scalar(select(func.count()).select_from(Person))
    assert sleeps == [3.0] * (total - 1)
    assert session.scalars(select(Person).where(Person.slack_user_id == "U100007")).one().tz == "Europe/Madrid"
    cursors = [c.params.get("cursor") for c in fake.calls_to("users.list")]
    assert cursors[0] is None and all(cursors[1:])


def test_sync_waits_out_a_429_and_asks_the_same_page_again(fake, session):
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        time.sleep(seconds)

    fake.fail_next("users.list", status=429, retry_after=1)
    client = WebClient(token="xoxb-test", base_url=fake.url)
    seen, _ = sync_directory(session, TEAM, SlackDirectory(client, page_interval=0, sleep=sleep))
    assert seen >= 6 and sleeps[0] == 1.0
    assert len(fake.calls_to("users.list")) == 2
    assert fake.retry_after_violations == []


def test_resync_updates_and_reactivates_in_place(fake, session):
    fake.add_user("U0ZED", name="zed", real_name="Zed", deleted=True)
    sync_directory(session, TEAM, directory(fake, []))
    zed = session.scalars(select(Person).where(Person.slack_user_id == "U0ZED")).one()
    assert zed.is_deleted and not zed.active
    fake.add_user("U0ZED", name="zed", real_name="Zed Again", deleted=False, tz="Asia/Tokyo")
    _, created = sync_directory(session, TEAM, directory(fake, []))
    assert created == 0
    [zed2] = session.scalars(select(Person).where(Person.slack_user_id == "U0ZED")).all()
    assert zed2.id == zed.id and zed2.active and zed2.real_name == "Zed Again" and zed2.tz == "Asia/Tokyo"


def test_a_user_without_tz_falls_back_to_the_default_time_zone(session):
    from models.core.config import OrgConfig
    from models.core.ports import SlackUser
    from models.core.prompts import pattern_for
    from models.people import upsert_person

    person = upsert_person(session, TEAM, SlackUser.from_slack({"id": "U0NOTZ", "name": "notz", "tz": None}))
    org = OrgConfig.model_validate({"schedule": {"default_timezone": "America/Chicago"}})
    assert person.tz is None and pattern_for(person, org).tz == "America/Chicago"


def test_the_people_sync_job_mirrors_the_workspace(candor):
    """The job as the scheduler runs it: walk Slack first, then one short transaction."""
    result = candor.rt.run_job("people_sync")
    assert "members seen" in result
    with candor.session() as s:
        ids = set(s.scalars(select(Person.slack_user_id)))
    assert {"U0ANA", "U0LI", "U0BOB", "U0CARA", "U0GONE"} <= ids
