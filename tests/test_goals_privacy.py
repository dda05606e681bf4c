"""Goals in export and erasure, through the privacy machinery (`models.privacy`), on SQLite and PostgreSQL.

The world of tests/test_privacy.py (Zelda, her manager Bea Boss, her report Ray), plus goals: an organisation
goal and a department goal Zelda owns, her own goals (one closed and carried over), her report's goal, and
comments by her and about her in the goals' history.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db import Database
from models import goals as g
from models.core.config import OrgConfig
from models.core.personal_data import REDACTED, REMOVED_ABOUT_TEXT, REMOVED_TEXT
from models.goals.tables import Goal, GoalUpdate, KeyResult
from models.goals.text import parse_key_result
from models.people import person_by_slack_id
from models.privacy import erase_person, export_person
from tests.conftest import make_org
from tests.test_privacy import TEAM, ZELDA, ZELDA_TERMS, _text_leftovers, build_world

NOW = datetime(2026, 11, 16, 12, 0, tzinfo=UTC)


@pytest.fixture
def org() -> OrgConfig:
    base = make_org()
    return base.model_copy(update={"hr": base.hr.model_copy(update={"admins": ["U0BOSS"]})})


def _goal(session: Session, org: OrgConfig, author: str, owner: str, title: str, **kw: Any) -> Goal:
    krs = tuple(parse_key_result(line) for line in kw.pop("krs", ()))
    author_p, owner_p = person_by_slack_id(session, TEAM, author), person_by_slack_id(session, TEAM, owner)
    draft = g.GoalDraft(team_id=TEAM, owner=owner_p, title=title, source_key=f"modal:{title}", key_results=krs, **kw)
    return g.create_goal(session, org, author_p, draft, now=NOW).goal


def _update(session: Session, org: OrgConfig, author: str, goal: Goal, comment: str, *, source: str = "modal",
            source_key: str | None = None) -> None:
    key = source_key or f"view:V0{author[2:]}{goal.id}"  # as the update modal makes them (its view id)
    g.update_goal(session, org, person_by_slack_id(session, TEAM, author),
                  g.UpdateDraft(goal_id=goal.id, source_key=key, comment=comment, source=source), now=NOW)


def build_goals(session: Session, org: OrgConfig) -> dict[str, int]:
    build_world(session)
    company = _goal(session, org, "U0BOSS", ZELDA, "Make the platform self-serve", level="organisation",
                    description="Led by Zelda Quintero")
    platform = _goal(session, org, ZELDA, ZELDA, "Halve deploy time", level="department", department="Platform",
                     parent_id=company.id, krs=("Deploy time: 30 -> 15 min",))
    mine = _goal(session, org, ZELDA, ZELDA, "Promotion case for the staff role", parent_id=platform.id,
                 description="Write up the migration story", krs=("Design docs: 0 -> 3 docs", "Give a conference talk"))
    old = _goal(session, org, ZELDA, ZELDA, "Mentor two juniors")
    reps = _goal(session, org, "U0REP", "U0REP", "Learn Terraform")
    _update(session, org, ZELDA, mine, "Drafted the first doc")
    _update(session, org, "U0BOSS", mine, "Good start, ZeldaQ")  # her manager, about her
    _update(session, org, ZELDA, reps, "Pair with me on Friday")  # on her report's goal
    _update(session, org, "U0REP", reps, "Zelda Quintero showed me modules")
    _, successor = g.close_goal(session, org, person_by_slack_id(session, TEAM, ZELDA),
                                g.CloseDraft(goal_id=old.id, source_key="close:old", final_score=0.6,
                                             lessons="Estimate smaller", carry_over=True), now=NOW)
    assert successor is not None
    session.flush()
    return {"company": company.id, "platform": platform.id, "mine": mine.id, "old": old.id, "reps": reps.id,
            "successor": successor.id}


def test_export_holds_her_goals_their_key_results_and_the_updates_she_wrote(session: Session, org: OrgConfig):
    ids = build_goals(session, org)
    out = export_person(session, TEAM, ZELDA)
    json.dumps(out)  # serialisable as is
    goals = out["data"]["goals"]
    owned = {row["id"]: row for row in goals["owned"]}
    assert set(owned) == {ids["company"], ids["platform"], ids["mine"], ids["old"], ids["successor"]}
    mine = owned[ids["mine"]]
    assert (mine["title"], mine["description"], mine["level"]) == (
        "Promotion case for the staff role", "Write up the migration story", "person")
    assert [(kr["title"], kr["kind"], kr["target_value"], kr["unit"]) for kr in mine["key_results"]] == [
        ("Design docs", "metric", 3.0, "docs"), ("Give a conference talk", "milestone", 100.0, "")]
    assert owned[ids["company"]]["level"] == "organisation"
    assert [kr["title"] for kr in owned[ids["platform"]]["key_results"]] == ["Deploy time"]
    assert owned[ids["old"]]["lessons"] == "Estimate smaller" and owned[ids["old"]]["state"] == "closed"

    written = goals["updates_written"]
    assert {u["comment"] for u in written if u["comment"]} == {
        "Drafted the first doc", "Pair with me on Friday", "Estimate smaller"}
    assert all(u["author"]["slack_user_id"] == ZELDA for u in written)
    assert {u["goal_id"] for u in written if u["comment"]} == {ids["mine"], ids["reps"], ids["old"]}
    assert "Good start, ZeldaQ" not in json.dumps(written)  # her manager's words are not hers
    assert {u["source"] for u in written} >= {"created", "modal", "closeout", "carried"}
    # Key results and updates are in the goals section, not sections of their own.
    assert "goal_key_results" not in out["data"] and "goal_updates" not in out["data"]


def test_erasure_replaces_her_own_goals_and_her_words_and_keeps_shared_goals(db: Database, org: OrgConfig):
    with db.unit_of_work() as s:
        ids = build_goals(s, org)
        counts = {t.__name__: s.scalar(select(func.count()).select_from(t)) for t in (Goal, KeyResult, GoalUpdate)}
    with db.unit_of_work() as s:
        report = erase_person(s, TEAM, ZELDA, actor="cli:dpo")
    with db.unit_of_work() as s:
        assert _text_leftovers(s, ZELDA_TERMS) == []
        # Rows stay (counts, alignment, roll-ups); what she wrote goes.
        assert {t.__name__: s.scalar(select(func.count()).select_from(t)) for t in (Goal, KeyResult, GoalUpdate)} \
            == counts
        mine, old, successor = s.get(Goal, ids["mine"]), s.get(Goal, ids["old"]), s.get(Goal, ids["successor"])
        assert (mine.title, mine.description) == (REMOVED_TEXT, REMOVED_TEXT)
        assert [kr.title for kr in mine.key_results] == [REMOVED_TEXT, REMOVED_TEXT]
        assert [(kr.start_value, kr.target_value, kr.unit) for kr in mine.key_results] == [(0, 3, "docs"), (0, 100, "")]
        assert (old.title, old.lessons, old.final_score) == (REMOVED_TEXT, REMOVED_TEXT, 0.6)
        assert successor.title == REMOVED_TEXT
        assert mine.parent_id == ids["platform"]  # still aligned
        # Organisation and department goals she owned stay, with their titles; her name is redacted from them.
        company, platform = s.get(Goal, ids["company"]), s.get(Goal, ids["platform"])
        assert (company.title, company.description) == ("Make the platform self-serve", f"Led by {REDACTED}")
        assert (platform.title, platform.department) == ("Halve deploy time", "Platform")
        assert [kr.title for kr in platform.key_results] == ["Deploy time"]
        assert company.owner_id == mine.owner_id  # the anonymised person row
        # Comments she wrote, on any goal, are replaced; so are others' comments on her own goals (they are about
        # her, as managers' replies to her check-ins are); others' comments elsewhere stay, without her name.
        # (Creation entries have no comment; whether an empty one is "replaced" too is not the point here.)
        comments = {(u.goal_id, u.source, u.comment) for u in s.scalars(select(GoalUpdate))
                    if u.source not in ("created", "carried")}
        assert comments == {
            (ids["mine"], "modal", REMOVED_TEXT),
            (ids["mine"], "modal", REMOVED_ABOUT_TEXT),
            (ids["reps"], "modal", REMOVED_TEXT),
            (ids["reps"], "modal", f"{REDACTED} showed me modules"),
            (ids["old"], "closeout", REMOVED_TEXT),
        }
        reps = s.get(Goal, ids["reps"])
        assert reps.title == "Learn Terraform"  # her report's own goal is his
    assert report.replaced["goals"] >= 4 and report.replaced["goal_key_results"] == 2
    assert report.replaced["goal_updates"] >= 3


def test_erasure_leaves_no_slack_id_in_the_source_keys_of_her_check_in_updates(db: Database, org: OrgConfig):
    with db.unit_of_work() as s:
        ids = build_goals(s, org)
        _update(s, org, ZELDA, s.get(Goal, ids["mine"]), "", source="checkin", source_key=f"checkin:{ZELDA}:V0CHK")
    with db.unit_of_work() as s:
        erase_person(s, TEAM, ZELDA, actor="cli:dpo")
    with db.unit_of_work() as s:
        assert _text_leftovers(s, ZELDA_TERMS) == []


def test_erasure_leaves_no_word_of_her_own_goal_titles_in_their_slugs(db: Database, org: OrgConfig):
    with db.unit_of_work() as s:
        ids = build_goals(s, org)
    with db.unit_of_work() as s:
        erase_person(s, TEAM, ZELDA, actor="cli:dpo")
    with db.unit_of_work() as s:
        slugs = [s.get(Goal, ids[k]).slug for k in ("mine", "old", "successor")]
    assert not any(word in slug for slug in slugs for word in ("promotion", "mentor", "juniors"))
