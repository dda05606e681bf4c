"""Requests as Slack sends them: real payload samples, form/JSON encoded, signed with the signing secret.

Bodies start from the samples in `tests/slack_refs/payloads/` (from bolt-python's own tests) and only the
fields a test cares about are replaced, so the shapes stay Slack's.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import itertools
import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import httpx

REFS = Path(__file__).resolve().parent / "slack_refs"
_counter = itertools.count(1)


def sample(name: str) -> dict[str, Any]:
    data = json.loads((REFS / "payloads" / name).read_text())
    return copy.deepcopy(data)


def sign(secret: str, body: str, timestamp: int | None = None) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def _plain_workspace(body: dict[str, Any], team_id: str) -> None:
    team = body.get("team")
    if isinstance(team, dict):
        team.pop("enterprise_id", None)
        team.pop("enterprise_name", None)
        team["id"] = team_id
    body.pop("enterprise", None)
    body.pop("is_enterprise_install", None)


class SlackRequests:
    """Sends signed requests to the app's `/slack/events` over real HTTP."""

    def __init__(self, base_url: str, signing_secret: str, team_id: str) -> None:
        self.url = base_url.rstrip("/") + "/slack/events"
        self.secret = signing_secret
        self.team_id = team_id
        self.http = httpx.Client(timeout=10)
        # (status, seconds, unhandled?) for every request: Slack gives up after 3 s, so the harness checks.
        self.responses: list[tuple[int, float, bool]] = []

    def close(self) -> None:
        self.http.close()

    # -- transport --------------------------------------------------------------------------------

    def post_raw(self, body: str, content_type: str, *, headers: dict[str, str] | None = None,
                 signed: bool = True, timestamp: int | None = None) -> httpx.Response:
        h = {"Content-Type": content_type}
        if signed:
            h.update(sign(self.secret, body, timestamp))
        h.update(headers or {})
        started = time.monotonic()
        resp = self.http.post(self.url, content=body.encode(), headers=h)
        self.responses.append((resp.status_code, time.monotonic() - started, "unhandled request" in resp.text))
        return resp

    def post_form(self, fields: dict[str, Any], **kw: Any) -> httpx.Response:
        return self.post_raw(urlencode(fields), "application/x-www-form-urlencoded", **kw)

    def post_payload(self, payload: dict[str, Any], **kw: Any) -> httpx.Response:
        return self.post_raw("payload=" + quote(json.dumps(payload)), "application/x-www-form-urlencoded", **kw)

    def post_event(self, body: dict[str, Any], **kw: Any) -> httpx.Response:
        return self.post_raw(json.dumps(body), "application/json", **kw)

    # -- request kinds ----------------------------------------------------------------------------

    def command(self, command: str, text: str, *, user: str, channel: str = "C0GENERAL", **kw: Any) -> httpx.Response:
        body = sample("slash_command.parsed.json")["body"]
        for key in ("enterprise_id", "enterprise_name"):
            body.pop(key, None)
        n = next(_counter)
        body.update(
            command=command, text=text, user_id=user, user_name=user.lower(), team_id=self.team_id,
            channel_id=channel, trigger_id=f"{n}.{n}.trigger{n}",
            response_url=f"https://hooks.slack.com/commands/{self.team_id}/{n}/x",
        )
        return self.post_form(body, **kw)

    def global_shortcut(self, callback_id: str, *, user: str) -> httpx.Response:
        body = sample("shortcut.global.json")["body"]
        _plain_workspace(body, self.team_id)
        n = next(_counter)
        body.update(callback_id=callback_id, trigger_id=f"{n}.{n}.trigger{n}",
                    user={"id": user, "username": user.lower(), "team_id": self.team_id})
        return self.post_payload(body)

    def message_shortcut(self, callback_id: str, *, user: str, author: str | None, channel: str = "C0GENERAL",
                         ts: str = "1700000000.000100", bot: bool = False) -> httpx.Response:
        body = sample("message_action.json")["body"]
        _plain_workspace(body, self.team_id)
        n = next(_counter)
        message = body["message"]
        message.update(ts=ts, text="the launch checklist is done")
        if author is None or bot:
            message.pop("user", None)
            message["bot_id"] = "B0BOT"
        else:
            message["user"] = author
        body.update(callback_id=callback_id, trigger_id=f"{n}.{n}.trigger{n}", message_ts=ts,
                    channel={"id": channel, "name": "general"}, user={"id": user, "name": user.lower()})
        return self.post_payload(body)

    def block_action(self, action_id: str, *, user: str, value: str = "", block_id: str = "b",
                     container: dict[str, Any] | None = None) -> httpx.Response:
        body = sample("block_actions.json")["body"]
        _plain_workspace(body, self.team_id)
        n = next(_counter)
        body["user"] = {"id": user, "username": user.lower(), "name": user.lower(), "team_id": self.team_id}
        body["trigger_id"] = f"{n}.{n}.trigger{n}"
        body["actions"] = [{
            "action_id": action_id, "block_id": block_id, "type": "button", "value": value,
            "text": {"type": "plain_text", "text": "Button", "emoji": True}, "action_ts": f"{time.time():.6f}",
        }]
        if container is not None:
            body["container"] = container
        return self.post_payload(body)

    def view_submission(self, callback_id: str, values: dict[str, dict[str, Any]], *, user: str,
                        view_id: str | None = None, private_metadata: str = "") -> httpx.Response:
        body = sample("view_submission.json")["body"]
        _plain_workspace(body, self.team_id)
        n = next(_counter)
        body["user"] = {"id": user, "username": user.lower(), "name": user.lower(), "team_id": self.team_id}
        body["trigger_id"] = f"{n}.{n}.trigger{n}"
        view = body["view"]
        view.update(id=view_id or f"V{n:08d}", team_id=self.team_id, callback_id=callback_id,
                    private_metadata=private_metadata, state={"values": values})
        return self.post_payload(body)

    def event(self, event: dict[str, Any], *, event_id: str | None = None,
              headers: dict[str, str] | None = None) -> httpx.Response:
        n = next(_counter)
        body = {
            "token": "verification_token",
            "team_id": self.team_id,
            "api_app_id": "A0CANDOR",
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{n:010d}",
            "event_time": int(time.time()),
            "authorizations": [{"enterprise_id": None, "team_id": self.team_id, "user_id": "U0CANDORBOT",
                                "is_bot": True, "is_enterprise_install": False}],
            "is_ext_shared_channel": False,
        }
        return self.post_event(body, headers=headers)

    def app_home_opened(self, user: str, **kw: Any) -> httpx.Response:
        event = sample("event.app_home_opened.json")["event"]
        event.update(user=user, channel=f"D{user[1:]}", tab="home")
        event.pop("view", None)
        return self.event(event, **kw)


# Block Kit state values as Slack puts them in view_submission.
def users_value(users: list[str]) -> dict[str, Any]:
    return {"type": "multi_users_select", "selected_users": users}


def options_value(values: list[str]) -> dict[str, Any]:
    return {"type": "multi_static_select",
            "selected_options": [{"value": v, "text": {"type": "plain_text", "text": v}} for v in values]}


def text_value(text: str | None) -> dict[str, Any]:
    return {"type": "plain_text_input", "value": text}


# -- reading Candor's answers ------------------------------------------------------------------------------


def acked(resp: httpx.Response) -> httpx.Response:
    """Every answer: 200, well within Slack's 3 seconds."""
    assert resp.status_code == 200, resp.text
    assert resp.elapsed.total_seconds() < 2.5, resp.elapsed
    return resp


def answer(resp: httpx.Response) -> dict[str, Any]:
    """The acknowledgement's body: JSON, or plain text as {"text": …}."""
    acked(resp)
    return json.loads(resp.text) if resp.text.startswith("{") else {"text": resp.text}


def errors(resp: httpx.Response) -> dict[str, str]:
    """A view submission's inline errors, by block id."""
    body = answer(resp)
    assert body.get("response_action") == "errors", body
    return dict(body["errors"])


def updated_view(resp: httpx.Response) -> dict[str, Any]:
    """The view a submission's answer replaces the modal with, checked against Slack's limits."""
    from bot.blocks import VIEW_BLOCKS_MAX
    from tests.fake_slack import check_blocks

    body = answer(resp)
    assert body.get("response_action") == "update", body
    check_blocks(body["view"]["blocks"], limit=VIEW_BLOCKS_MAX, pointer="/view/blocks", error="invalid_arguments")
    return dict(body["view"])
