"""The HR digest in Slack, through the real app, the outbox and the fake Web API (SQLite and PostgreSQL): a
summary in the HR channel, a reply per section in its thread, the chart uploaded there with alt text, the
scheduled job posting once at HR's time, and a re-run for the same week editing the messages instead of
posting them again."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from models.core.digest import Week
from models.core.tables import DigestPost
from models.kudos import Kudos, KudosRecipient
from models.people import ensure_people
from scheduler.jobs import all_jobs
from tests.conftest import ANA, BOB, CARA, LI, TEAM

HR_CHANNEL = "C0HR"
MONDAY = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)  # hr.digest_weekday mon, 09:00 UTC: the digest of 2026-W49


def seed(candor) -> None:
    candor.fake.add_channel(HR_CHANNEL, "hr")
    with candor.rt.db.unit_of_work() as s:
        people = ensure_people(s, TEAM, [ANA, BOB, LI, CARA], candor.rt.services.directory)
        ana, bob, li = people[ANA], people[BOB], people[LI]
        assert ana and bob and li
        for n in range(0, 9):  # kudos every week: the recognition figures get a history, the chart a line
            start = Week.of(MONDAY, "UTC").back(1 + n).start
            for i in range(n % 3 + 1):
                s.add(Kudos(team_id=TEAM, giver=ana if i % 2 else bob, message="Thanks", source_key=f"k{n}-{i}",
                            created_at=start + timedelta(days=1, hours=i), recipients=[KudosRecipient(person=li)]))


def top_level(candor) -> list[dict]:
    return [m for m in candor.fake.messages(HR_CHANNEL) if m.get("thread_ts") in (None, m["ts"])]


def replies(candor, ts: str) -> list[dict]:
    return [m for m in candor.fake.messages(HR_CHANNEL) if m.get("thread_ts") == ts and m["ts"] != ts]


def test_the_digest_is_posted_once_with_a_thread_and_updated_on_a_rerun(candor, clock):
    seed(candor)
    clock.set(MONDAY - timedelta(hours=1))
    digest_job = all_jobs()["digest"]
    assert digest_job.run(candor.rt) == "not yet this week's posting time"
    clock.set(MONDAY)
    said = digest_job.run(candor.rt)
    assert said.startswith("digest of 2026-W49 queued for C0HR")
    assert digest_job.run(candor.rt) == "the digest of 2026-W49 is already posted"
    candor.drain()

    [summary] = top_level(candor)
    text = json.dumps(summary, ensure_ascii=False)
    assert "HR digest for 2026-W49" in text and "*Recognition*" in text and "Each section's details" in text
    thread = replies(candor, summary["ts"])
    sections = [m for m in thread if m.get("blocks")]
    with candor.session() as s:
        post = s.scalars(select(DigestPost)).one()
        assert (post.week, post.channel_id, post.revision) == ("2026-W49", HR_CHANNEL, 0)
        keys = list(post.sections)
    assert len(sections) == len(keys) and keys[-2:] == ["adoption", "alerts"]
    assert "Recognition" in json.dumps(sections[0], ensure_ascii=False)  # in section order
    [png] = [f for f in candor.fake.files.values() if f["filename"] == "digest-2026-W49.png"]
    assert png["content"][:8] == b"\x89PNG\r\n\x1a\n" and png["channel"] == HR_CHANNEL

    # By hand, again for the same week: the messages are edited, nothing new is posted.
    before = len(candor.fake.messages(HR_CHANNEL))
    again = candor.rt.run_job("digest")
    assert "queued again as update 1" in again
    assert len(candor.fake.messages(HR_CHANNEL)) == before
    edited = [m for m in candor.fake.messages(HR_CHANNEL) if m.get("edited")]
    assert {m["ts"] for m in edited} == {summary["ts"], *(m["ts"] for m in sections)}
    assert len(candor.fake.calls_to("chat.update")) == 1 + len(keys)
