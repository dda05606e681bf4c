"""360 rounds in Slack, end to end: signed requests through the real app, the fake Slack, a real database (both).

A manager starts a round with `/feedback 360 @person` (a peer may not); the form suggests reviewers and refuses
too few of them or a past deadline inline, writing nothing; reviewers get a DM whose Answer button opens the
structured form (a level needs an example; a double submit saves one answer; a forged round id is refused); the
person sees nothing while the round runs; after it closes the results show combined levels and comments with
no reviewer's name, and the manager's answer with hers; a peer may not open them.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.blocks import VIEW_BLOCKS_MAX
from bot.i18n import translator
from handlers.feedback.ids import FeedbackIds as Ids
from handlers.feedback.ids import round_block
from models.core.config import OrgConfig
from models.core.tables import OutboxMessage, ViewSubmission
from models.feedback.tables import FeedbackRound, FeedbackRoundAnswer
from models.people import ensure_people
from tests.conftest import ANA, BOB, CARA, LI, TEAM, make_org
from tests.fake_slack import check_blocks
from tests.slack_requests import acked, answer, errors, text_value, updated_view

MONDAY = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)  # 10:00 in New York
EXAMPLE = "In Tuesday's launch review he walked the team through the rollback plan step by step."


@pytest.fixture
def org() -> OrgConfig:
    base = make_org()
    return base  # feedback.min_reviewers: 3


DAN = "U0DAN"


def seed(candor) -> None:
    """Ana manages Bob and Li in Sales; Cara is in People; Dan too."""
    candor.fake.add_user(DAN, name="dan", tz="Europe/Lisbon")
    with candor.rt.db.unit_of_work() as s:
        people = ensure_people(s, TEAM, [ANA, BOB, LI, CARA, DAN], candor.rt.services.directory)
        ana, bob, li, cara = (people[u] for u in (ANA, BOB, LI, CARA))
        assert ana and bob and li and cara
        cara.department, ana.department = "People", "Sales"
        for report in (bob, li):
            report.manager_id, report.department = ana.id, "Sales"


def last_opened(candor) -> dict[str, Any]:
    view = candor.fake.calls_to("views.open")[-1].params["view"]
    check_blocks(view["blocks"], limit=VIEW_BLOCKS_MAX, pointer="/view/blocks", error="invalid_arguments")
    return dict(view)


def block(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


def start_form(reviewers: list[str], deadline: str, mode: str = "anonymous") -> dict[str, Any]:
    return {
        Ids.ROUND_REVIEWERS_BLOCK: {Ids.ROUND_REVIEWERS_ACTION: {"type": "multi_users_select",
                                                                 "selected_users": reviewers}},
        Ids.ROUND_DEADLINE_BLOCK: {Ids.ROUND_DEADLINE_ACTION: {"type": "datepicker", "selected_date": deadline}},
        Ids.ROUND_COMPETENCIES_BLOCK: {Ids.ROUND_COMPETENCIES_ACTION: {
            "type": "multi_static_select", "selected_options": [{"value": "collaboration"}, {"value": "ownership"}]}},
        Ids.ROUND_ANONYMOUS_BLOCK: {Ids.ROUND_ANONYMOUS_ACTION: {"type": "radio_buttons",
                                                                 "selected_option": {"value": mode}}},
    }


def answer_form(level: str | None, example: str | None, strengths: str | None = None) -> dict[str, Any]:
    form: dict[str, Any] = {
        round_block(Ids.ROUND_LEVEL_BLOCK, "collaboration"): {Ids.ROUND_LEVEL_ACTION: {
            "type": "static_select", "selected_option": {"value": level} if level else None}},
        round_block(Ids.ROUND_EXAMPLE_BLOCK, "collaboration"): {Ids.ROUND_EXAMPLE_ACTION: text_value(example)},
        round_block(Ids.ROUND_LEVEL_BLOCK, "ownership"): {Ids.ROUND_LEVEL_ACTION: {
            "type": "static_select", "selected_option": None}},
        round_block(Ids.ROUND_EXAMPLE_BLOCK, "ownership"): {Ids.ROUND_EXAMPLE_ACTION: text_value(None)},
        Ids.ROUND_STRENGTHS_BLOCK: {Ids.ROUND_STRENGTHS_ACTION: text_value(strengths)},
        Ids.ROUND_IMPROVE_BLOCK: {Ids.ROUND_IMPROVE_ACTION: text_value(None)},
    }
    return form


def rounds(candor) -> list[FeedbackRound]:
    with candor.session() as s:
        return list(s.scalars(select(FeedbackRound)))


def open_answer_form(candor, user: str, round_id: int) -> dict[str, Any]:
    acked(candor.slack.block_action(Ids.ROUND_ANSWER_BUTTON, user=user, value=str(round_id)))
    return last_opened(candor)


def test_a_360_round_from_start_to_results(candor, clock):
    clock.set(MONDAY)
    seed(candor)
    # A peer may not start one; the manager may.
    refused = answer(candor.slack.command("/feedback", f"360 <@{BOB}|bob>", user=CARA))
    assert "managers and HR admins can start a 360" in refused["text"]
    acked(candor.slack.command("/feedback", f"360 <@{BOB}|bob>", user=ANA))
    view = last_opened(candor)
    assert view["callback_id"] == Ids.ROUND_START_MODAL
    reviewers = block(view, Ids.ROUND_REVIEWERS_BLOCK)["element"]
    assert reviewers["initial_users"] == [ANA, LI]  # the manager and a peer, from the org chart
    assert block(view, Ids.ROUND_DEADLINE_BLOCK)["element"]["initial_date"] == "2026-12-21"  # 14 days on
    meta = view["private_metadata"]

    def submit(form: dict[str, Any], view_id: str):
        return candor.slack.view_submission(Ids.ROUND_START_MODAL, form, user=ANA, view_id=view_id,
                                            private_metadata=meta)

    found = errors(submit(start_form([ANA, LI], "2026-12-18"), "VR1"))
    assert "needs at least 3 reviewers besides the manager (you chose 1)" in found[Ids.ROUND_REVIEWERS_BLOCK]
    found = errors(submit(start_form([ANA, LI, CARA, DAN], "2026-12-07"), "VR1"))
    assert "Choose a deadline after today." in found[Ids.ROUND_DEADLINE_BLOCK]
    assert rounds(candor) == []
    done = updated_view(submit(start_form([ANA, LI, CARA, DAN], "2026-12-18"), "VR2"))
    assert "The 360 for" in json.dumps(done) and "I asked 4 reviewers" in json.dumps(done)
    updated_view(submit(start_form([ANA, LI, CARA, DAN], "2026-12-18"), "VR2"))  # a double submit
    [round_] = rounds(candor)
    assert (round_.deadline, round_.competencies, round_.anonymous) == (date(2026, 12, 18),
                                                                        ["collaboration", "ownership"], True)

    candor.drain()
    assert any(ANA in json.dumps(m) for m in candor.fake.dms_to(BOB))  # "Ana started a 360 for you"
    invite = json.dumps(candor.fake.dms_to(CARA))
    assert "You're asked to review" in invite and Ids.ROUND_ANSWER_BUTTON in invite

    # Cara answers: a level needs an example; a double submit saves one answer.
    form = open_answer_form(candor, CARA, round_.id)
    assert "stored without your name" in json.dumps(form)
    found = errors(candor.slack.view_submission(Ids.ROUND_ANSWER_MODAL, answer_form("3", None), user=CARA,
                                                view_id="VA1", private_metadata=form["private_metadata"]))
    assert "Add a concrete example" in found[round_block(Ids.ROUND_EXAMPLE_BLOCK, "collaboration")]
    for _ in range(2):
        updated_view(candor.slack.view_submission(Ids.ROUND_ANSWER_MODAL, answer_form("3", EXAMPLE, "Calm"),
                                                  user=CARA, view_id="VA2",
                                                  private_metadata=form["private_metadata"]))
    form = open_answer_form(candor, LI, round_.id)
    updated_view(candor.slack.view_submission(Ids.ROUND_ANSWER_MODAL, answer_form("2", EXAMPLE + " Li too."),
                                              user=LI, view_id="VA3", private_metadata=form["private_metadata"]))
    form = open_answer_form(candor, DAN, round_.id)
    updated_view(candor.slack.view_submission(Ids.ROUND_ANSWER_MODAL, answer_form("4", EXAMPLE + " Dan adds."),
                                              user=DAN, view_id="VA5", private_metadata=form["private_metadata"]))
    form = open_answer_form(candor, ANA, round_.id)
    assert "your answer carries your name" in json.dumps(form)
    updated_view(candor.slack.view_submission(Ids.ROUND_ANSWER_MODAL, answer_form("4", "Ana's own example: he "
                                                                                       "ran the retro."),
                                              user=ANA, view_id="VA4", private_metadata=form["private_metadata"]))
    with candor.session() as s:
        assert s.scalar(select(func.count()).select_from(FeedbackRoundAnswer)) == 4
        assert sorted(a.author_id is None for a in s.scalars(select(FeedbackRoundAnswer))) == [False, True, True, True]
        # Answering left no row pairing a reviewer with the moment they answered: no form claim, no Home refresh.
        assert s.scalars(select(ViewSubmission).where(ViewSubmission.kind.like("feedback.round_answer%"))).all() == []
        assert s.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key.like("%round-answered%"))).all() == []
    # Someone not asked, with the round's id: refused, nothing opened for them.
    forged = json.dumps(open_answer_form(candor, BOB, round_.id))
    assert "doesn't exist or doesn't ask you" in forged

    # While the round runs, Bob sees nothing, not even how many answered.
    acked(candor.slack.block_action(Ids.ROUND_RESULTS_BUTTON, user=BOB, value=str(round_.id)))
    running = json.dumps(last_opened(candor))
    assert "Nothing is shown while it runs" in running and "reviewers answered" not in running

    clock.set(datetime(2026, 12, 19, 12, 0, tzinfo=UTC))  # closed at midnight in New York
    acked(candor.slack.block_action(Ids.ROUND_RESULTS_BUTTON, user=BOB, value=str(round_.id)))
    results = json.dumps(last_opened(candor), ensure_ascii=False)
    assert "4 of 4 reviewers answered" in results and "3.0 on average of 4 levels, from 3 ratings" in results
    assert "Ana's own example" in results and f"<@{ANA}>" in results
    assert "Calm" in results  # a comment, without a name, among three anonymous answers
    assert f"<@{CARA}>" not in results and f"<@{LI}>" not in results and f"<@{DAN}>" not in results
    acked(candor.slack.block_action(Ids.ROUND_RESULTS_BUTTON, user=LI, value=str(round_.id)))
    expected = translator("de-DE")("That 360 doesn't exist or isn't yours to see.")  # Li reads German
    assert expected in json.dumps(last_opened(candor), ensure_ascii=False)
    assert round_.closes_at == datetime(2026, 12, 19, 5, 0, tzinfo=UTC)
