"""The HR digest's engine on SQLite and PostgreSQL: weeks in HR's time zone, every feature's section in order,
adoption from every feature's activity, open alerts, bands from each figure's own history (none with too few
people behind it), the chart as a real PNG with alt text, and `candor digest preview`."""

from __future__ import annotations

import struct
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.i18n import translator
from handlers.digest.chart import alt_text, chart_png
from handlers.digest.views import digest_text
from models.core.config import OrgConfig
from models.core.digest import HISTORY_WEEKS, Figure, Week
from models.core.tables import Alert, Person
from models.digest import band_of, build_digest, current_week
from models.features import digest_sections
from models.kudos import Kudos, KudosRecipient
from models.people import ensure_workspace
from tests.conftest import TEAM, make_org

pytestmark = pytest.mark.time_sensitive

WEEK = Week(date(2026, 11, 23), "Europe/Berlin")  # 2026-W48
T = translator("en")


@pytest.fixture
def org() -> OrgConfig:
    base = make_org()
    return base.model_copy(update={"hr": base.hr.model_copy(update={"timezone": "Europe/Berlin"}),
                                   "privacy": base.privacy.model_copy(update={"min_group_size": 3})})


def add_person(session, uid: str, department: str = "Sales", **kw) -> Person:
    ensure_workspace(session, TEAM)
    p = Person(team_id=TEAM, slack_user_id=uid, real_name=uid.title(), display_name=uid.lower(), tz="Europe/Lisbon",
               department=department, created_at=datetime(2026, 1, 1, tzinfo=UTC), **kw)
    session.add(p)
    session.flush()
    return p


def kudos(session, giver: Person, to: Person, at: datetime, key: str) -> None:
    session.add(Kudos(team_id=TEAM, giver=giver, message="Thanks", source_key=key, created_at=at,
                      recipients=[KudosRecipient(person=to)]))


def test_weeks_are_iso_weeks_in_hrs_time_zone():
    assert WEEK.label == "2026-W48"
    assert WEEK.start == datetime(2026, 11, 22, 23, 0, tzinfo=UTC)  # Monday 00:00 in Berlin (UTC+1)
    assert WEEK.end - WEEK.start == timedelta(days=7)
    summer = Week(date(2026, 3, 23), "Europe/Berlin")  # the week clocks go forward
    assert summer.end - summer.start == timedelta(days=7, hours=-1)
    assert Week.parse("2026-w48", "Europe/Berlin") == WEEK
    for bad in ("2026-48", "W48", "2026-W54", "2025-W53"):
        with pytest.raises(ValueError):
            Week.parse(bad, "UTC")
    # Posted on Monday 1 December at 09:00 in Berlin, the digest covers the week before.
    org = make_org().model_copy(update={"hr": make_org().hr.model_copy(update={"timezone": "Europe/Berlin"})})
    assert current_week(org, datetime(2026, 12, 1, 8, 0, tzinfo=UTC)) == WEEK


def test_every_features_sections_then_adoption_and_alerts(session, org):
    digest = build_digest(session, org, TEAM, WEEK)
    keys = [s.key for s in digest.sections]
    assert keys[-2:] == ["adoption", "alerts"]
    assert keys[:-2] == [s.key for s in digest_sections()]


def test_adoption_counts_people_who_used_any_feature_by_week(session, org):
    people = [add_person(session, f"S{i}") for i in range(4)] + [add_person(session, f"O{i}", "Ops") for i in range(2)]
    add_person(session, "BOT", is_bot=True)
    for n in range(1, HISTORY_WEEKS + 1):  # every earlier week: two of four in Sales gave kudos
        at = WEEK.back(n).start + timedelta(days=1)
        kudos(session, people[0], people[1], at, f"old-{n}-a")
        kudos(session, people[1], people[0], at, f"old-{n}-b")
    kudos(session, people[2], people[3], WEEK.start + timedelta(days=2), "now")  # this week: one
    session.flush()
    section = build_digest(session, org, TEAM, WEEK).section("adoption")
    assert section is not None
    overall = section.figures[0]
    assert overall.value == pytest.approx(1 / 6) and overall.people == 6
    assert overall.history == tuple([pytest.approx(2 / 6)] * HISTORY_WEEKS)
    by_department = {f.key: f for f in section.figures[1:]}
    assert by_department["adoption:dept:Sales"].value == pytest.approx(1 / 4)
    assert by_department["adoption:dept:Ops"].people == 2
    assert ("Ops", "0", "2") in section.tail


def test_open_alerts_are_listed_by_kind(session, org):
    ana = add_person(session, "ANA")
    for i, kind in enumerate(("checkin.missed", "checkin.missed", "goal.stalled")):
        session.add(Alert(team_id=TEAM, kind=kind, subject=f"person:{i}", period=f"2026-W4{i}", person_id=ana.id,
                          created_at=WEEK.start + timedelta(hours=i)))
    session.add(Alert(team_id=TEAM, kind="goal.stalled", subject="person:9", period="2026-W40", person_id=ana.id,
                      created_at=WEEK.start, resolved_at=WEEK.start + timedelta(days=1)))
    session.flush()
    section = build_digest(session, org, TEAM, WEEK).section("alerts")
    assert section is not None
    assert {f.key: f.value for f in section.figures} == {"alerts:checkin.missed": 2, "alerts:goal.stalled": 1}
    assert [row[0] for row in section.tail] == ["checkin.missed", "checkin.missed", "goal.stalled"]
    assert all(not f.higher_is_better for f in section.figures)


def test_bands_come_from_the_figures_own_history_and_need_enough_people(org):
    steady = (10.0, 12.0, 11.0, 13.0, 9.0, 11.0, 12.0, 10.0)
    assert band_of(org, Figure("k", "Kudos", 11.0, history=steady)).colour == "green"
    assert band_of(org, Figure("k", "Kudos", 2.0, history=steady)).colour == "red"
    assert band_of(org, Figure("k", "Kudos", 2.0, history=steady[:3])).colour is None  # too few weeks
    few = Figure("r", "Rate", 0.1, "share", (0.8, 0.7, 0.8, 0.9, 0.8), people=2)
    assert band_of(org, few).colour is None  # two people: no colour
    assert band_of(org, Figure("x", "X", None, history=steady)) is None


def test_the_chart_is_a_png_of_sensible_size_with_alt_text(session, org):
    people = [add_person(session, f"S{i}") for i in range(4)]
    for n in range(0, HISTORY_WEEKS + 1):
        for i in range(n % 3 + 1):
            kudos(session, people[i], people[(i + 1) % 4], WEEK.back(n).start + timedelta(hours=5 + i), f"k{n}-{i}")
    session.flush()
    digest = build_digest(session, org, TEAM, WEEK)
    png = chart_png(T, digest)
    assert png is not None and png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert 300 <= width <= 1200 and 200 <= height <= 1200 and 5_000 < len(png) < 400_000
    assert alt_text(T, digest).startswith("Weekly trends for 2026-W48.")
    text = digest_text(T, digest)
    assert text.startswith("HR digest for 2026-W48 (2026-11-23 to 2026-11-29)") and "ADOPTION" in text


def test_candor_digest_preview(db_url: str, tmp_path):
    from bot.db import Database
    from tests.test_cli import base_env, run

    db = Database(db_url)
    with db.unit_of_work() as s:
        people = [add_person(s, f"S{i}") for i in range(3)]
        for n in range(0, HISTORY_WEEKS + 1):
            week = Week(date(2025, 11, 24), "UTC").back(n)
            kudos(s, people[n % 3], people[(n + 1) % 3], week.start + timedelta(days=1), f"k{n}")
    db.dispose()
    env = {**base_env(tmp_path), "DATABASE_URL": db_url}
    out = run("digest", "preview", "--week", "2025-W48", "--out", str(tmp_path / "charts"), env=env).stdout
    assert out.startswith("HR digest for 2025-W48 (2025-11-24 to 2025-11-30)")
    assert "Chart: " in out and (tmp_path / "charts" / "digest-2025-W48.png").read_bytes()[:4] == b"\x89PNG"
    bad = run("digest", "preview", "--week", "2025-48", env=env, check=False)
    assert bad.returncode != 0 and "isn't an ISO week" in bad.stderr and "Traceback" not in bad.stderr
