"""Property tests: no view attributes an anonymous answer to a feedback request, on SQLite and PostgreSQL.

Bob asks his manager Ana and two peers for feedback; any of them may answer anonymously, by name, or not at
all, with a level. Whatever they do, an anonymous answer never shows with its writer: not in Bob's DM, his App
Home, the 1:1 agenda of Bob and Ana, Bob's data export (the writer is `asked`, not `answered`), their own export
or "given" list, nor the calibration figures (Ana's anonymous level is never counted as hers).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.i18n import translator
from handlers.feedback import views
from handlers.feedback.home import feedback_home
from models import feedback as fb
from models.core.messages import Phrase
from models.core.tables import Person
from models.feedback.agenda import feedback_section
from models.feedback.calibration import calibration
from models.people import ensure_workspace
from models.privacy import export_person
from tests.conftest import TEAM, make_org

pytestmark = pytest.mark.time_sensitive

WED = datetime(2026, 12, 2, 16, 0, tzinfo=UTC)
T = translator("en")
CHOICES = st.sampled_from(["anonymous", "named", "none"])


def add_person(session, uid: str, *, manager: Person | None = None) -> Person:
    ensure_workspace(session, TEAM)
    p = Person(team_id=TEAM, slack_user_id=uid, real_name=uid.title(), display_name=uid.lower(), tz="Europe/Lisbon",
               manager_id=manager.id if manager else None, created_at=WED - timedelta(days=200))
    session.add(p)
    session.flush()
    return p


@pytest.fixture
def team(session):
    ana = add_person(session, "U0ANA")
    reports = {uid.lower()[2:]: add_person(session, uid, manager=ana) for uid in ("U0BOB", "U0LI", "U0MAX")}
    return {"ana": ana, **reports}


@dataclass(frozen=True)
class OneOnOne:
    id: int
    manager_id: int
    report_id: int


def _agenda_text(section) -> str:
    return json.dumps([line.in_language(T) if isinstance(line, Phrase) else str(line) for line in section.lines])


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(choices=st.tuples(CHOICES, CHOICES, CHOICES), levels=st.tuples(*[st.integers(1, 4)] * 3))
def test_no_view_attributes_an_anonymous_answer(session, team, choices, levels):
    org = make_org()
    nested = session.begin_nested()
    try:
        bob = team["bob"]
        peers = [team["ana"], team["li"], team["max"]]
        request = fb.request_feedback(session, org, bob, peers, source_key=f"req-{choices}-{levels}", now=WED)[0]
        rows = {r.peer_id: r for r in request.peers}
        anonymous: list[tuple[Person, str]] = []
        for i, (peer, choice, level) in enumerate(zip(peers, choices, levels, strict=True)):
            if choice == "none":
                continue
            marker = f"Marker {i} {choice}: in the launch review he handled the rollback calmly."
            fb.give_feedback(session, org, fb.FeedbackDraft(
                team_id=TEAM, author=peer, subject=bob, behaviour=marker, example=marker, competency="collaboration",
                level=level, visibility="recipient_and_manager", request_peer_id=rows[peer.id].id,
                anonymous=choice == "anonymous", source_key=f"view-{i}-{choices}"), now=WED + timedelta(hours=i + 1))
            if choice == "anonymous":
                anonymous.append((peer, marker))

        views_of_bob = [views.received_dm(T, f, org.feedback) for f in fb.received(session, org, bob, bob)]
        shown = json.dumps(views_of_bob, default=str)
        shown += json.dumps([b.to_dict() for b in feedback_home(session, bob, T, org)])
        shown += _agenda_text(feedback_section(session, OneOnOne(1, team["ana"].id, bob.id),
                                               WED - timedelta(days=1), WED + timedelta(days=1)))
        exported = export_person(session, TEAM, bob.slack_user_id, audited=False)["data"]
        received = exported["feedback"]["received"]
        states = {a["peer"]["slack_user_id"]: a["state"] for a in exported["feedback_requests"]["made"][0]["asked"]}
        figures = calibration(session, org, TEAM, WED - timedelta(days=30), WED + timedelta(days=30),
                              now=WED + timedelta(days=30))
        ana_figures = {m.manager.id: m.n for m in figures.managers}.get(team["ana"].id, 0)

        for peer, marker in anonymous:
            assert marker in shown  # Bob sees the answer…
            assert f"<@{peer.slack_user_id}>" not in shown and peer.real_name not in shown  # …never who wrote it
            assert [r["from"] for r in received if r["behaviour"] == marker] == [None]
            assert states[peer.slack_user_id] == "pending"  # as if they had not answered
            assert marker not in json.dumps(export_person(session, TEAM, peer.slack_user_id, audited=False))
            assert all(f.behaviour != marker for f in fb.given(session, peer))
        named_by_ana = choices[0] == "named"
        assert ana_figures == (1 if named_by_ana else 0)  # an anonymous level is never the manager's
        assert figures.organisation.anonymous == sum(c == "anonymous" for c in choices)
    finally:
        nested.rollback()
