"""Feedback in export and erasure, through the privacy machinery (`models.privacy`), on SQLite and PostgreSQL.

The world of tests/test_privacy.py (Zelda, her manager Bea Boss, her report Ray, Bo and Cy), plus feedback she
wrote, feedback about her (one piece for her managers only), feedback about others that names her, and
requests she made and was asked.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db import Database
from models import feedback as fb
from models.core.config import OrgConfig
from models.core.personal_data import REDACTED, REMOVED_ABOUT_TEXT, REMOVED_TEXT
from models.core.tables import Person
from models.feedback.tables import Feedback, FeedbackRequest, FeedbackRequestPeer
from models.people import person_by_slack_id
from models.privacy import erase_person, export_person
from tests.conftest import make_org
from tests.test_privacy import TEAM, ZELDA, ZELDA_TERMS, _text_leftovers, build_world

NOW = datetime(2026, 11, 16, 12, 0, tzinfo=UTC)
LINK = "https://privacy.slack.com/archives/C0DEV/p1700000000000100"


@pytest.fixture
def org() -> OrgConfig:
    return make_org()


def _person(session: Session, uid: str) -> Person:
    found = person_by_slack_id(session, TEAM, uid)
    assert found is not None
    return found


def _give(session: Session, org: OrgConfig, author: str, subject: str, behaviour: str, example: str,
          visibility: str, **kw) -> int:
    p = {uid: _person(session, uid) for uid in (author, subject)}
    draft = fb.FeedbackDraft(team_id=TEAM, author=p[author], subject=p[subject], behaviour=behaviour,
                             example=example, visibility=visibility, source_key=f"view-{behaviour[:20]}", **kw)
    return fb.give_feedback(session, org, draft, now=NOW)[0].id


def build_feedback(session: Session, org: OrgConfig) -> dict[str, int]:
    build_world(session)
    person = {uid: _person(session, uid) for uid in (ZELDA, "U0BO", "U0CY", "U0REP")}
    ids = {
        "hers_to_bo": _give(session, org, ZELDA, "U0BO", "Bo fixed billing", "On Saturday he rolled back the bad "
                            "deploy in ten minutes", "recipient", permalink=LINK, competency="ownership", level=3),
        "hers_to_ray": _give(session, org, ZELDA, "U0REP", "Ray's docs are thin", "The design doc for the cache "
                             "had no rollback plan", "manager", impact="Reviews took twice as long"),
        "bo_to_her": _give(session, org, "U0BO", ZELDA, "Zelda Quintero ran the demo", "On Monday she answered "
                           "every customer question live", "recipient_and_manager", permalink=LINK,
                           competency="communication", level=4),
        "boss_to_her": _give(session, org, "U0BOSS", ZELDA, "MANAGER NOTE on ZeldaQ's pace", "Two deadlines "
                             "slipped in October without warning", "manager"),
        "cy_to_ray": _give(session, org, "U0CY", "U0REP", "Ray paired with Zelda Quintero", "They fixed the "
                           "flaky tests together on Friday", "recipient"),
    }
    request = fb.request_feedback(session, org, person[ZELDA], [person["U0BO"], person["U0CY"]],
                                  source_key="req-zelda", topic="collaboration on the migration", now=NOW)[0]
    asked = fb.request_feedback(session, org, person["U0REP"], [person[ZELDA]], source_key="req-ray",
                                topic="my first design review", now=NOW)[0]
    fb.decline_request(session, person["U0CY"], request.peers[1].id, now=NOW)
    ids |= {"request": request.id, "asked": asked.id}
    session.flush()
    return ids


def test_export_has_what_she_wrote_what_she_may_see_and_her_requests(session: Session, org: OrgConfig):
    ids = build_feedback(session, org)
    out = export_person(session, TEAM, ZELDA)
    json.dumps(out)  # serialisable as is
    feedback = out["data"]["feedback"]
    given = {row["id"]: row for row in feedback["given"]}
    assert set(given) == {ids["hers_to_bo"], ids["hers_to_ray"]}  # managers-only too: she wrote it
    assert given[ids["hers_to_ray"]]["visibility"] == "manager"
    assert given[ids["hers_to_ray"]]["impact"] == "Reviews took twice as long"
    assert given[ids["hers_to_bo"]]["about"]["slack_user_id"] == "U0BO"
    assert (given[ids["hers_to_bo"]]["competency"], given[ids["hers_to_bo"]]["level"]) == ("ownership", 3)
    # About her: what she may see, with who wrote it; never what was written for her managers only.
    assert [row["id"] for row in feedback["received"]] == [ids["bo_to_her"]]
    assert feedback["received"][0]["from"]["slack_user_id"] == "U0BO"
    assert "MANAGER NOTE" not in json.dumps(out)
    assert "paired with" not in json.dumps(feedback)  # Cy's feedback about Ray is not hers

    requests = out["data"]["feedback_requests"]
    assert [(r["id"], r["topic"], r["competency"]) for r in requests["made"]] == [
        (ids["request"], "collaboration on the migration", "collaboration")]
    assert [(a["peer"]["slack_user_id"], a["state"]) for a in requests["made"][0]["asked"]] == [
        ("U0BO", "pending"), ("U0CY", "declined")]
    assert [(a["request_id"], a["from"]["slack_user_id"], a["topic"], a["state"])
            for a in requests["asked_of_them"]] == [(ids["asked"], "U0REP", "my first design review", "pending")]
    assert "feedback_request_peers" not in out["data"]


def test_her_export_does_not_show_that_a_peer_answered_for_her_managers_only(session: Session, org: OrgConfig):
    ids = build_feedback(session, org)
    row = session.get(FeedbackRequest, ids["request"]).peers[0]  # Bo, asked by Zelda
    _give(session, org, "U0BO", ZELDA, "Bo's answer for her manager", "In the migration review she cut "
          "Cy off twice", "manager", request_peer_id=row.id)
    assert row.state == "answered"
    asked = export_person(session, TEAM, ZELDA)["data"]["feedback_requests"]["made"][0]["asked"]
    bo = asked[0]
    assert (bo["peer"]["slack_user_id"], bo["state"], bo["answered_at"]) == ("U0BO", "pending", None)
    assert "for her manager" not in json.dumps(export_person(session, TEAM, ZELDA))


def test_a_peers_export_has_their_requests_and_not_managers_only_notes(session: Session, org: OrgConfig):
    ids = build_feedback(session, org)
    ray = export_person(session, TEAM, "U0REP")["data"]
    assert [row["id"] for row in ray["feedback"]["received"]] == [ids["cy_to_ray"]]  # not Zelda's managers-only
    assert "thin" not in json.dumps(ray)
    bo = export_person(session, TEAM, "U0BO")["data"]
    assert [a["request_id"] for a in bo["feedback_requests"]["asked_of_them"]] == [ids["request"]]


def test_erasure_replaces_her_words_and_words_about_her(db: Database, org: OrgConfig):
    with db.unit_of_work() as s:
        ids = build_feedback(s, org)
    with db.unit_of_work() as s:
        report = erase_person(s, TEAM, ZELDA, actor="cli:dpo")
    with db.unit_of_work() as s:
        assert _text_leftovers(s, ZELDA_TERMS) == []
        rows = {f.id: f for f in s.scalars(select(Feedback))}
        assert len(rows) == 5
        for key in ("hers_to_bo", "hers_to_ray"):
            f = rows[ids[key]]
            assert (f.behaviour, f.example) == (REMOVED_TEXT, REMOVED_TEXT), key
        assert rows[ids["hers_to_ray"]].impact == REMOVED_TEXT
        for key in ("bo_to_her", "boss_to_her"):
            f = rows[ids[key]]
            assert (f.behaviour, f.example) == (REMOVED_ABOUT_TEXT, REMOVED_ABOUT_TEXT), key
            assert f.impact == ""  # nothing was written there
        # Counts stay: competencies, levels, visibilities; links to messages go.
        assert (rows[ids["bo_to_her"]].competency, rows[ids["bo_to_her"]].level) == ("communication", 4)
        assert (rows[ids["hers_to_bo"]].competency, rows[ids["hers_to_bo"]].level) == ("ownership", 3)
        assert rows[ids["hers_to_bo"]].permalink is None and rows[ids["bo_to_her"]].permalink is None
        # Others' feedback about others stays, her name redacted.
        cy = rows[ids["cy_to_ray"]]
        assert cy.behaviour == f"Ray paired with {REDACTED}" and cy.example.startswith("They fixed")
        # Her request's topic goes; the request she was asked keeps its words (Ray's); who was asked stays.
        assert s.get(FeedbackRequest, ids["request"]).topic == REMOVED_TEXT
        assert s.get(FeedbackRequest, ids["asked"]).topic == "my first design review"
        assert len(s.scalars(select(FeedbackRequestPeer)).all()) == 3
    assert report.replaced["feedback"] >= 4 and report.replaced["feedback_requests"] == 1
