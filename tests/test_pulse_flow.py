"""A pulse survey, the whole loop: the job opens the wave, the tick queues each person's DM in their own time,
signed requests through the real app answer it (a second answer refused, a bad one refused inline), the one
reminder reaches only the people who have not answered, and when the wave closes the manager gets their team's
results and HR gets theirs — through the fake Slack, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.blocks import VIEW_BLOCKS_MAX
from handlers.pulse.ids import PulseIds as Ids
from handlers.pulse.ids import question_block
from models.core.config import OrgConfig, PulseSurvey
from models.core.tables import OutboxMessage, Workspace
from models.features import tick_all
from models.people import ensure_people
from models.pulse.tables import PulseResponse, PulseWave
from tests.conftest import ANA, BOB, CARA, LI, TEAM, make_org
from tests.fake_slack import check_blocks
from tests.slack_requests import acked, errors, text_value, updated_view
from tests.test_logging import everything_logged, production_logging  # noqa: F401  (a fixture)
from tests.test_pulse import QUESTIONS

DAN, EVA, HR = "U0DAN", "U0EVA", "U0HR"


@pytest.fixture
def org() -> OrgConfig:
    base = make_org()
    pulse = base.pulse.model_copy(update={"enabled": True, "min_respondents": 3, "surveys": [
        PulseSurvey(id="pulse", name="Team pulse", questions=QUESTIONS, departments=["Sales"])]})
    return base.model_copy(update={"pulse": pulse})


def seed(candor) -> None:
    """Ana manages Bob, Li, Cara, Dan and Eva, all in Sales; HR is in People (not asked)."""
    for uid, name in ((DAN, "dan"), (EVA, "eva"), (HR, "hana")):
        candor.fake.add_user(uid, name=name, tz="Europe/Lisbon")
    with candor.rt.db.unit_of_work() as s:
        people = ensure_people(s, TEAM, [ANA, BOB, LI, CARA, DAN, EVA, HR], candor.rt.services.directory)
        ana = people[ANA]
        assert ana is not None
        ana.department = "Sales"
        for uid in (BOB, LI, CARA, DAN, EVA):
            person = people[uid]
            assert person is not None
            person.manager_id, person.department = ana.id, "Sales"
        hr = people[HR]
        assert hr is not None
        hr.department = "People"


def tick(candor, since: datetime, now: datetime) -> None:
    with candor.rt.db.unit_of_work() as s:
        s.get(Workspace, TEAM).last_tick_at = since
        s.flush()
        tick_all(s, candor.rt.org, TEAM, now=now)


def form(workload: str | None = "4", enps: str | None = "9", focus: str | None = "0", text: str | None = None
         ) -> dict[str, Any]:
    def radio(value: str | None) -> dict[str, Any]:
        return {"type": "radio_buttons", "selected_option": {"value": value} if value else None}

    return {
        question_block("workload"): {Ids.QUESTION_ACTION: radio(workload)},
        question_block("enps"): {Ids.QUESTION_ACTION: {"type": "static_select",
                                                       "selected_option": {"value": enps} if enps else None}},
        question_block("focus"): {Ids.QUESTION_ACTION: radio(focus)},
        question_block("improve"): {Ids.QUESTION_ACTION: text_value(text)},
    }


def open_form(candor, user: str, wave_id: int) -> dict[str, Any]:
    acked(candor.slack.block_action(Ids.ANSWER_BUTTON, user=user, value=str(wave_id)))
    view = candor.fake.calls_to("views.open")[-1].params["view"]
    check_blocks(view["blocks"], limit=VIEW_BLOCKS_MAX, pointer="/view/blocks", error="invalid_arguments")
    return dict(view)


def submit(candor, user: str, view: dict[str, Any], values: dict[str, Any], view_id: str):
    return candor.slack.view_submission(Ids.MODAL, values, user=user, view_id=view_id,
                                        private_metadata=view["private_metadata"])


def dms(candor, user: str) -> str:
    return json.dumps(candor.fake.dms_to(user), ensure_ascii=False)


@pytest.mark.usefixtures("production_logging")  # logging as `candor run` sets it up at DEBUG, captured
def test_a_pulse_survey_from_invitation_to_results(candor, clock, caplog):
    seed(candor)
    clock.set(datetime(2026, 12, 7, 12, 0, tzinfo=UTC))
    assert "1 pulse waves opened" in candor.rt.run_job("pulse")
    with candor.session() as s:
        wave = s.scalars(select(PulseWave)).one()
        wave_id = wave.id
    # 10:00 on Tuesday in each person's zone: Shanghai, Lisbon, New York, Los Angeles.
    since = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    for hour in (3, 11, 16, 19):
        now = datetime(2026, 12, 8, hour, 0, tzinfo=UTC)
        clock.set(now)
        tick(candor, since, now)
        candor.drain()
        since = now
    for user in (ANA, BOB, LI, CARA, DAN, EVA):
        assert Ids.ANSWER_BUTTON in dms(candor, user) and "Team pulse" in dms(candor, user), user  # (Li in German)
    assert "Team pulse" not in dms(candor, HR)  # not in the audience

    view = open_form(candor, BOB, wave_id)
    assert "stored without your name" in json.dumps(view)
    found = errors(submit(candor, BOB, view, form(workload=None), "VP1"))
    assert question_block("workload") in found
    done = json.dumps(updated_view(submit(candor, BOB, view, form(text="More focus time"), "VP2")))
    assert "Your answers are in, without your name" in done
    again = json.dumps(updated_view(submit(candor, BOB, view, form(), "VP3")))
    assert "already in" in again
    assert "already answered" in json.dumps(open_form(candor, BOB, wave_id))  # the button says so too
    for user, workload, text in ((LI, "2", "Fewer meetings"), (CARA, "4", "Clearer goals"), (DAN, "5", None)):
        updated_view(submit(candor, user, open_form(candor, user, wave_id), form(workload=workload, text=text),
                            f"V{user}"))
    with candor.session() as s:
        assert s.scalar(select(func.count()).select_from(PulseResponse)) == 4

    # The reminder on Thursday reaches only Ana and Eva, who have not answered.
    before = {u: len(candor.fake.dms_to(u)) for u in (ANA, BOB, LI, CARA, DAN, EVA)}
    since = datetime(2026, 12, 9, 12, 0, tzinfo=UTC)
    for hour in (3, 11, 16, 19):
        now = datetime(2026, 12, 10, hour, 0, tzinfo=UTC)
        clock.set(now)
        tick(candor, since, now)
        candor.drain()
        since = now
    got = {u for u in before if len(candor.fake.dms_to(u)) > before[u]}
    assert got == {ANA, EVA}
    with candor.session() as s:  # sent or skipped, a survey DM leaves no row saying whom it reached
        assert s.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.kind.in_(["pulse.invite", "pulse.reminder"]))) == 0
    assert "A last reminder" in dms(candor, EVA)

    # Closed: Ana gets her team's results, HR theirs; nobody's answer carries a name.
    clock.set(datetime(2026, 12, 11, 13, 0, tzinfo=UTC))
    assert "result messages queued" in candor.rt.run_job("pulse")
    candor.drain()
    team = dms(candor, ANA)
    assert "Your team's results of Team pulse (2026-W50) are in" in team
    assert "4 of 6 answered" in team and "75% favourable" in team
    assert all(c in team for c in ("More focus time", "Fewer meetings", "Clearer goals"))  # three: shown
    hr = dms(candor, HR)
    assert "Results of Team pulse (2026-W50)" in hr and "4 of 6 answered" in hr
    for user in (BOB, LI, CARA, DAN):
        assert f"<@{user}>" not in team and f"<@{user}>" not in hr
    # No log line, at any level, holds an answer (the comments, or a form's values).
    logged = everything_logged(caplog)
    assert logged and not any(c in logged for c in ("More focus time", "Fewer meetings", "Clearer goals"))
    assert "selected_option" not in logged
