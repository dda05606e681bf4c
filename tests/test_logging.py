"""No personal content in logs, at any level: not Slack's bodies at DEBUG, not SQL parameters at ERROR."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from bot.runtime import setup_logging
from bot.slack import QUIET_LOGGERS, RedactingFilter
from tests.conftest import ANA, BOB
from tests.test_checkins import seed, submit
from tests.test_kudos import modal_values, submit_modal

# Distinctive content a person writes: none of it may appear in any log line.
ANSWER = "Zanzibar-wins-4711 shipped the ledger rewrite"
KUDOS = "Quokka-kudos-0815 for the calm and careful launch"


@pytest.fixture
def production_logging(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Logging as `candor run` sets it up with CANDOR_LOG_LEVEL=DEBUG, captured; restored afterwards."""
    root = logging.getLogger()
    before = root.level, {name: logging.getLogger(name).level for name in QUIET_LOGGERS}
    caplog.set_level(logging.DEBUG)
    setup_logging("DEBUG")
    yield caplog
    root.setLevel(before[0])
    for name, level in before[1].items():
        logging.getLogger(name).setLevel(level)
    for handler in root.handlers:
        for f in [f for f in handler.filters if isinstance(f, RedactingFilter)]:
            handler.removeFilter(f)


def everything_logged(caplog: pytest.LogCaptureFixture) -> str:
    """Every record as the handler writes it: message and traceback text (after the handler's filters)."""
    handler = caplog.handler
    return "\n".join(handler.format(record) for record in caplog.records)


def test_debug_logs_hold_no_answers_kudos_or_bodies(candor, production_logging):
    seed(candor, {ANA: BOB, BOB: None})
    from tests.test_checkins import current_period

    submit(candor, ANA, current_period(candor, ANA), wins=ANSWER)
    submit_modal(candor, modal_values([ANA], KUDOS), user=BOB)
    candor.drain()  # the manager's summary and the kudos DMs went through Slack's Web API
    assert ANSWER in json.dumps(candor.fake.dms_to(BOB)) and KUDOS in json.dumps(candor.fake.dms_to(ANA))
    logged = everything_logged(production_logging)
    assert any(r.levelno == logging.DEBUG for r in production_logging.records), "DEBUG logging was not on"
    assert "Zanzibar" not in logged and "Quokka" not in logged


def test_a_database_error_logs_no_parameters(candor, production_logging, monkeypatch):
    """A statement that fails with an answer among its parameters: the log says what failed, not the values."""
    from models import checkins

    def failing_submit(session, person, period, answers, *args, **kwargs):
        session.execute(text("INSERT INTO checkins (id, team_id, person_id, period) VALUES (1, :t, :p, :a)"),
                        {"t": "T0CANDOR", "p": 999999, "a": str(answers.get("wins"))[:16]})
        raise AssertionError("unreachable: the insert above breaks a foreign key or a column type")

    seed(candor, {ANA: BOB, BOB: None})
    from tests.test_checkins import current_period

    period = current_period(candor, ANA)
    monkeypatch.setattr(checkins, "submit", failing_submit)  # the handler calls checkins.submit
    resp = submit(candor, ANA, period, wins=ANSWER)
    assert "Sorry, something went wrong" in json.dumps(resp.json())
    logged = everything_logged(production_logging)
    assert any(r.levelno >= logging.ERROR for r in production_logging.records)
    assert "Traceback" in logged and "checkins" in logged  # the detail an operator needs is still there
    assert "Zanzibar" not in logged


def test_kudos_ids_only(candor, production_logging):
    """A rejected kudos logs nothing of what was typed either."""
    resp = submit_modal(candor, modal_values([ANA], "Quokka-short"), user=BOB)
    assert resp.json()["response_action"] == "errors"
    assert "Quokka" not in everything_logged(production_logging)
