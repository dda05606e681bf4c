"""manifest.yml is valid for Slack and declares exactly what the bot uses."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from bot.runtime import slack_registry
from bot.slack import FEATURE_SCOPES, SCOPES_BY_METHOD
from handlers.feedback.ids import FeedbackIds
from handlers.goals.ids import GoalIds
from handlers.kudos.ids import KudosIds
from tests.conftest import BOB

REPO = Path(__file__).resolve().parents[1]
SCHEMAS = REPO / "tests" / "slack_refs" / "manifest-schema"


@pytest.fixture(scope="module")
def manifest() -> dict:
    return yaml.safe_load((REPO / "manifest.yml").read_text())


def test_manifest_is_valid_against_slacks_schema(manifest):
    schema = json.loads((SCHEMAS / "manifest.schema.1.0.0.json").read_text())
    jsonschema.validate(manifest, schema)


def test_schema_rejects_an_invalid_manifest():
    """The schema check can fail: Slack's own invalid example is rejected."""
    schema = json.loads((SCHEMAS / "manifest.schema.1.0.0.json").read_text())
    invalid = json.loads((SCHEMAS / "example.v1.invalid.json").read_text())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(invalid, schema)


def test_socket_mode_on_by_default(manifest):
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert manifest["settings"]["interactivity"]["is_enabled"] is True


def test_commands_and_shortcuts_are_exactly_the_handled_ones(manifest):
    from handlers.one_on_ones.ids import OneOnOneIds

    commands = {c["command"] for c in manifest["features"]["slash_commands"]}
    assert commands == {KudosIds.COMMAND.value, OneOnOneIds.COMMAND.value, GoalIds.COMMAND.value,
                        FeedbackIds.COMMAND.value}
    assert all(c["should_escape"] for c in manifest["features"]["slash_commands"])
    shortcuts = {(s["callback_id"], s["type"]) for s in manifest["features"]["shortcuts"]}
    assert shortcuts == {(KudosIds.GLOBAL_SHORTCUT.value, "global"), (KudosIds.MESSAGE_SHORTCUT.value, "message"),
                         (FeedbackIds.MESSAGE_SHORTCUT.value, "message")}


def test_events_are_exactly_the_handled_ones(manifest):
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == set(slack_registry().events)


SLACK_CALL = re.compile(r"(?:client|slack)\.((?:chat|conversations|users|views|files|auth|team)_\w+)\(")


def _methods_called_in_code() -> set[str]:
    """Every Web API call in the code (`<client>.chat_postMessage(` → chat.postMessage), whatever the
    client variable is called."""
    found: set[str] = set()
    for folder in ("bot", "handlers", "models", "scheduler"):
        for path in (REPO / folder).rglob("*.py"):
            text = path.read_text()
            for name in SLACK_CALL.findall(text):
                family, _, rest = name.partition("_")
                found.add(f"{family}.{rest}")
    return found


def test_scopes_are_exactly_what_the_code_calls(manifest):
    called = _methods_called_in_code()
    assert called, "the scan found no Slack calls: it is broken"
    unknown = called - set(SCOPES_BY_METHOD)
    assert not unknown, f"methods called but missing from SCOPES_BY_METHOD: {unknown}"
    needed = {scope for m in called for scope in SCOPES_BY_METHOD[m]} | set(FEATURE_SCOPES)
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == needed


def test_every_manifest_command_and_shortcut_reaches_a_listener(candor, manifest):
    """A signed request for each declared entry point is handled by the real app (no 404)."""
    for cmd in manifest["features"]["slash_commands"]:
        resp = candor.slack.command(cmd["command"], "", user=BOB)
        assert resp.status_code == 200, (cmd, resp.text)
        assert "unhandled" not in resp.text
    for sc in manifest["features"]["shortcuts"]:
        if sc["type"] == "global":
            resp = candor.slack.global_shortcut(sc["callback_id"], user=BOB)
        else:
            resp = candor.slack.message_shortcut(sc["callback_id"], user=BOB, author="U0ANA")
        assert resp.status_code == 200, (sc, resp.text)
    assert len(candor.fake.calls_to("views.open")) >= 3
