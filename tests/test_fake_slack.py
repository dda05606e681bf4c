"""Tests for tests/fake_slack.py, driven through the real slack_sdk.WebClient over HTTP."""

from __future__ import annotations

import dataclasses
import http.client
import json
import random
import re
import threading
import time
import urllib.error
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import builtin_handlers
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from tests.fake_slack import REQUIRED_ARGS, Call, FakeSlack

REFS = Path(__file__).resolve().parent / "slack_refs" / "method-reference"
TS_RE = re.compile(r"^\d{10}\.\d{6}$")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fake(clock: FakeClock) -> Iterator[FakeSlack]:
    with FakeSlack(clock=clock) as f:
        f.add_user("U1", name="ada", real_name="Ada Lovelace", email="ada@example.com")
        f.add_user("U2", name="bob", email="bob@example.com", tz="America/Los_Angeles", locale="de-DE")
        f.add_user("U3", name="gone", deleted=True)
        f.add_user("U4", name="helperbot", is_bot=True)
        f.add_channel("C1", "general", members=["U1", "U2", "U0BOT"])
        f.add_channel("C2", "old", is_archived=True)
        f.add_channel("C3", "private-ish", bot_is_member=False)
        yield f


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(base_url=fake.url, token="xoxb-test")


def api_error(exc: pytest.ExceptionInfo[SlackApiError]) -> dict[str, Any]:
    return cast(dict[str, Any], exc.value.response.data)


def post(client: WebClient, **kwargs: Any) -> dict[str, Any]:
    return cast(dict[str, Any], client.chat_postMessage(**kwargs).data)


def raw_request(port: int, verb: str, path: str, body: bytes | None = None) -> tuple[int, dict[str, Any]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
        conn.request(verb, path, body=body, headers=headers)
        resp = conn.getresponse()
        return resp.status, cast(dict[str, Any], json.loads(resp.read()))
    finally:
        conn.close()


# ----------------------------------------------------------------------------- lifecycle, recording


def test_url_shape_and_stop() -> None:
    fake = FakeSlack().start()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/api/", fake.url)
    url = fake.url
    assert WebClient(base_url=url, token="xoxb-test").auth_test()["ok"] is True
    port = fake.port
    fake.stop()
    with pytest.raises(ConnectionRefusedError):
        raw_request(port, "POST", "/api/auth.test", b"token=x")
    with pytest.raises(RuntimeError):
        _ = fake.url


def test_get_with_query_string(fake: FakeSlack) -> None:
    status, body = raw_request(fake.port, "GET", "/api/users.info?token=xoxb-test&user=U1")
    assert status == 200 and body["ok"] is True
    assert body["user"]["id"] == "U1"
    assert fake.calls_to("users.info")[0].params == {"token": "xoxb-test", "user": "U1"}


def test_calls_are_recorded_with_lowercase_headers(
    fake: FakeSlack, client: WebClient, clock: FakeClock
) -> None:
    clock.now = 42.0
    client.chat_postMessage(channel="C1", text="hi")
    [call] = fake.calls_to("chat.postMessage")
    assert call.method == "chat.postMessage"
    assert call.params == {"channel": "C1", "text": "hi"}
    assert call.headers["authorization"] == "Bearer xoxb-test"
    assert call.headers["content-type"].startswith("application/json")
    assert call.at == 42.0
    assert call.status == 200
    assert call.response["ok"] is True and call.response["channel"] == "C1"
    assert call.token == "xoxb-test"
    with pytest.raises(dataclasses.FrozenInstanceError):
        call.status = 500  # type: ignore[misc]
    fake.reset_calls()
    assert fake.calls == []


def test_form_encoded_json_strings_are_decoded(fake: FakeSlack, client: WebClient) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "hello"}}]
    metadata = {"event_type": "kudos_sent", "event_payload": {"id": "k1"}}
    client.api_call(
        "chat.postMessage",
        params={"channel": "C1", "blocks": json.dumps(blocks), "metadata": json.dumps(metadata)},
    )
    [call] = fake.calls_to("chat.postMessage")
    assert call.headers["content-type"] == "application/x-www-form-urlencoded"
    assert call.params["blocks"] == blocks
    assert call.params["metadata"] == metadata
    assert fake.messages("C1")[0]["blocks"] == blocks
    assert fake.protocol_errors == []


def test_wait_for_blocks_until_call_arrives(fake: FakeSlack, client: WebClient) -> None:
    timer = threading.Timer(0.05, lambda: client.chat_postMessage(channel="C1", text="later"))
    started = time.monotonic()
    timer.start()
    calls = fake.wait_for("chat.postMessage", count=1, timeout=2.0)
    assert time.monotonic() - started < 1.0  # woken by the call, not by the timeout
    timer.join()
    assert [c.params["text"] for c in calls] == ["later"]
    with pytest.raises(AssertionError, match=r"expected >= 2 call\(s\) to chat.postMessage.*got 1"):
        fake.wait_for("chat.postMessage", count=2, timeout=0.05)


# ----------------------------------------------------------------------------- auth, protocol errors


def test_auth_test_shape(client: WebClient) -> None:
    data = client.auth_test().data
    assert data == {
        "ok": True,
        "url": "https://candor-test.slack.com/",
        "team": "Candor Test",
        "user": "candor",
        "team_id": "T111",
        "user_id": "U0BOT",
        "bot_id": "B0BOT",
        "app_id": "A0APP",
        "is_enterprise_install": False,
    }


def test_missing_and_invalid_token(fake: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as exc:
        WebClient(base_url=fake.url).auth_test()
    assert api_error(exc) == {"ok": False, "error": "not_authed"}
    fake.invalid_tokens.add("xoxb-revoked")
    with pytest.raises(SlackApiError) as exc:
        WebClient(base_url=fake.url, token="xoxb-revoked").auth_test()
    assert api_error(exc)["error"] == "invalid_auth"
    # token as a form param is accepted too
    assert WebClient(base_url=fake.url).api_call("auth.test", params={"token": "xoxb-x"})["ok"] is True
    assert fake.protocol_errors == []


def test_unknown_method_is_a_protocol_error(fake: FakeSlack, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as exc:
        client.api_call("chat.postMesage", json={"channel": "C1", "text": "typo"})
    assert exc.value.response.status_code == 200
    assert api_error(exc) == {"ok": False, "error": "unknown_method"}
    assert len(fake.protocol_errors) == 1 and "chat.postMesage" in fake.protocol_errors[0]
    assert fake.calls_to("chat.postMesage")[0].response["error"] == "unknown_method"


def test_stubbed_method_answers_ok(fake: FakeSlack, client: WebClient) -> None:
    fake.stub("reactions.add", {"warning": "none"})
    assert client.reactions_add(channel="C1", name="tada", timestamp="1.2").data == {
        "ok": True,
        "warning": "none",
    }
    assert fake.protocol_errors == []


def test_missing_required_arg(fake: FakeSlack, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as exc:
        client.api_call("users.info", params={})
    assert api_error(exc) == {
        "ok": False,
        "error": "invalid_arguments",
        "response_metadata": {"messages": ["[ERROR] missing required field: user"]},
    }
    with pytest.raises(SlackApiError) as exc:
        client.api_call("chat.scheduleMessage", json={"channel": "C1", "text": "x"})
    assert api_error(exc)["response_metadata"]["messages"] == ["[ERROR] missing required field: post_at"]
    with pytest.raises(SlackApiError):
        client.api_call("conversations.members", params={})
    assert len(fake.protocol_errors) == 3
    assert "user" in fake.protocol_errors[0] and "post_at" in fake.protocol_errors[1]


def test_json_body_to_form_only_method_is_flagged(fake: FakeSlack, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as exc:
        client.api_call("users.info", json={"user": "U1"})
    assert api_error(exc)["error"] == "invalid_arguments"
    assert any("JSON body" in e for e in fake.protocol_errors)


@pytest.mark.parametrize("method", ["chat.postMessage", "chat.postEphemeral", "chat.update"])
def test_no_text(fake: FakeSlack, client: WebClient, method: str) -> None:
    with pytest.raises(SlackApiError) as exc:
        client.api_call(method, json={"channel": "C1", "user": "U1", "ts": "1.1"})
    assert api_error(exc)["error"] == "no_text"
    assert fake.protocol_errors == [f"{method}: no_text: neither text nor blocks/attachments"]


def test_required_args_table_matches_method_reference() -> None:
    if not REFS.is_dir():
        pytest.skip("Slack refs not available")
    checked = 0
    for method, required in REQUIRED_ARGS.items():
        path = REFS / f"{method}.json"
        if not path.exists():
            continue
        ref = json.loads(path.read_text())
        ref_required = set(ref["args"].get("required") or []) - {"token"}
        assert ref_required <= set(required), method
        checked += 1
    assert checked >= 15


# ----------------------------------------------------------------------------- users


def test_users_info_shape_and_locale(client: WebClient) -> None:
    user = client.users_info(user="U1")["user"]
    assert user["id"] == "U1" and user["team_id"] == "T111" and user["name"] == "ada"
    assert user["real_name"] == "Ada Lovelace" and user["deleted"] is False
    assert user["tz"] == "Europe/Berlin"
    assert user["tz_offset"] in (3600, 7200)
    assert user["tz_label"] in ("Central European Time", "Central European Summer Time")
    assert user["profile"]["email"] == "ada@example.com"
    assert user["profile"]["real_name"] == "Ada Lovelace"
    assert user["profile"]["display_name"] == "ada"
    assert user["profile"]["image_72"].startswith("https://")
    assert user["is_bot"] is False and user["is_admin"] is False and user["is_app_user"] is False
    assert isinstance(user["updated"], int)
    assert "locale" not in user
    with_locale = client.users_info(user="U2", include_locale=True)["user"]
    assert with_locale["locale"] == "de-DE"
    assert with_locale["tz_offset"] in (-25200, -28800)
    with pytest.raises(SlackApiError) as exc:
        client.users_info(user="U404")
    assert api_error(exc)["error"] == "user_not_found"


def test_add_user_returns_users_info_shape(fake: FakeSlack) -> None:
    user = fake.add_user("U9", name="eve", tz="UTC", tz_offset=0, locale="fr-FR")
    assert (
        user["locale"] == "fr-FR" and user["tz_offset"] == 0 and user["profile"]["email"] == "eve@example.com"
    )
    assert set(user) >= {
        "id",
        "team_id",
        "name",
        "deleted",
        "real_name",
        "tz",
        "tz_label",
        "tz_offset",
        "profile",
    }


def test_users_list_pagination(fake: FakeSlack, client: WebClient) -> None:
    seen: list[str] = []
    cursors: list[str] = []
    cursor = ""
    while True:
        page = client.users_list(limit=2, cursor=cursor or None)
        assert len(page["members"]) <= 2
        seen += [m["id"] for m in page["members"]]
        cursor = page["response_metadata"]["next_cursor"]
        cursors.append(cursor)
        if not cursor:
            break
    assert seen == ["U0BOT", "U1", "U2", "U3", "U4"]
    assert len(cursors) == 3 and cursors[-1] == ""
    everything = client.users_list()
    assert [m["id"] for m in everything["members"]] == seen
    assert everything["response_metadata"]["next_cursor"] == ""
    with pytest.raises(SlackApiError) as exc:
        client.users_list(cursor="bm9wZQ==")
    assert api_error(exc)["error"] == "invalid_cursor"


def test_users_lookup_by_email(client: WebClient) -> None:
    assert client.users_lookupByEmail(email="BOB@example.com")["user"]["id"] == "U2"
    with pytest.raises(SlackApiError) as exc:
        client.users_lookupByEmail(email="nobody@example.com")
    assert api_error(exc)["error"] == "users_not_found"


def test_team_info(client: WebClient) -> None:
    team = client.team_info()["team"]
    assert (team["id"], team["name"], team["domain"]) == ("T111", "Candor Test", "candor-test")


# ----------------------------------------------------------------------------- DMs and messages


def test_conversations_open(fake: FakeSlack, client: WebClient) -> None:
    first = client.conversations_open(users="U1")
    dm = first["channel"]["id"]
    assert dm.startswith("D")
    assert "already_open" not in first.data
    again = client.conversations_open(users=["U1"])
    assert again["channel"]["id"] == dm and again["already_open"] is True
    assert client.conversations_open(users="U2")["channel"]["id"] not in (dm, "")
    assert fake.dm_channel_id("U1") == dm
    full = client.conversations_open(users="U1", return_im=True)["channel"]
    assert full["is_im"] is True and full["user"] == "U1"
    for user, error in [
        ("U404", "user_not_found"),
        ("U3", "user_disabled"),
        ("U4", "cannot_dm_bot"),
        ("U0BOT", "cannot_dm_bot"),
    ]:
        with pytest.raises(SlackApiError) as exc:
            client.conversations_open(users=user)
        assert api_error(exc)["error"] == error, user
    assert fake.protocol_errors == []


def test_post_message_shapes_and_dms(fake: FakeSlack, client: WebClient) -> None:
    dm = client.conversations_open(users="U1")["channel"]["id"]
    by_user = post(client, channel="U1", text="hello by user id")
    by_dm = post(client, channel=dm, text="hello by DM id")
    assert by_user["channel"] == dm and by_dm["channel"] == dm
    assert TS_RE.match(by_user["ts"]) and TS_RE.match(by_dm["ts"])
    assert float(by_dm["ts"]) > float(by_user["ts"])
    message = by_user["message"]
    assert message["type"] == "message" and message["text"] == "hello by user id"
    assert message["user"] == "U0BOT" and message["bot_id"] == "B0BOT" and message["ts"] == by_user["ts"]
    assert message["blocks"] == []
    assert "metadata" not in message
    assert [m["text"] for m in fake.dms_to("U1")] == ["hello by user id", "hello by DM id"]
    assert fake.dms_to("U2") == []
    # posting to a user id without an open DM opens one, like Slack
    third = post(client, channel="U2", text="first contact")
    assert third["channel"] == fake.dm_channel_id("U2")
    assert [m["text"] for m in fake.dms_to("U2")] == ["first contact"]
    # Slack accepts posts to deactivated users (python-slack-sdk#1156)
    assert post(client, channel="U3", text="still ok")["ok"] is True


@pytest.mark.parametrize(
    ("channel", "error"), [("C404", "channel_not_found"), ("C2", "is_archived"), ("C3", "not_in_channel")]
)
def test_post_message_channel_errors(fake: FakeSlack, client: WebClient, channel: str, error: str) -> None:
    with pytest.raises(SlackApiError) as exc:
        client.chat_postMessage(channel=channel, text="x")
    assert api_error(exc) == {"ok": False, "error": error}
    assert fake.protocol_errors == []
    assert fake.messages(channel) == []


def test_metadata_round_trip_via_history(fake: FakeSlack, client: WebClient) -> None:
    meta = {"event_type": "candor_prompt", "event_payload": {"outbox_id": "ob-1", "n": 3}}
    first = post(client, channel="C1", text="one", metadata=meta)
    assert first["message"]["metadata"] == meta
    second = post(client, channel="C1", text="two")
    fake.add_message("C1", "human reply", user="U1")
    with pytest.raises(KeyError):
        fake.add_message("C404", "nowhere", user="U1")
    history = client.conversations_history(channel="C1", include_all_metadata=True)
    assert [m["text"] for m in history["messages"]] == ["human reply", "two", "one"]
    assert history["messages"][2]["metadata"] == meta
    assert history["has_more"] is False
    plain = client.conversations_history(channel="C1")
    assert all("metadata" not in m for m in plain["messages"])
    limited = client.conversations_history(channel="C1", limit=1, include_all_metadata=True)
    assert [m["text"] for m in limited["messages"]] == ["human reply"] and limited["has_more"] is True
    window = client.conversations_history(
        channel="C1", oldest=first["ts"], latest=fake.messages("C1")[2]["ts"]
    )
    assert [m["ts"] for m in window["messages"]] == [second["ts"]]
    inclusive = client.conversations_history(channel="C1", oldest=first["ts"], inclusive=True, limit=10)
    assert len(inclusive["messages"]) == 3
    assert fake.messages("C1")[0]["metadata"] == meta
    with pytest.raises(SlackApiError) as exc:
        client.conversations_history(channel="C3")
    assert api_error(exc)["error"] == "not_in_channel"


def test_invalid_metadata_is_a_protocol_error(fake: FakeSlack, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as exc:
        client.chat_postMessage(channel="C1", text="x", metadata={"event_payload": {}})
    assert api_error(exc)["error"] == "invalid_metadata_format"
    assert len(fake.protocol_errors) == 1


def test_post_ephemeral_update_permalink(fake: FakeSlack, client: WebClient) -> None:
    eph = client.chat_postEphemeral(channel="C1", user="U1", text="only you")
    assert TS_RE.match(eph["message_ts"])
    assert fake.ephemerals[0]["user"] == "U1" and fake.ephemerals[0]["text"] == "only you"
    assert fake.messages("C1") == []
    with pytest.raises(SlackApiError) as exc:
        client.chat_postEphemeral(channel="C1", user="U3", text="not a member")
    assert api_error(exc)["error"] == "user_not_in_channel"
    with pytest.raises(SlackApiError) as exc:
        client.api_call("chat.postEphemeral", json={"channel": "C1", "text": "no user"})
    assert api_error(exc)["response_metadata"]["messages"] == ["[ERROR] missing required field: user"]

    ts = post(client, channel="C1", text="v1")["ts"]
    updated = client.chat_update(channel="C1", ts=ts, text="v2")
    assert updated["ts"] == ts and updated["text"] == "v2" and updated["message"]["edited"]["user"] == "U0BOT"
    assert [m["text"] for m in fake.messages("C1")] == ["v2"]
    with pytest.raises(SlackApiError) as exc:
        client.chat_update(channel="C1", ts="1.000001", text="v3")
    assert api_error(exc)["error"] == "message_not_found"

    link = client.chat_getPermalink(channel="C1", message_ts=ts)
    assert link["permalink"] == f"https://candor-test.slack.com/archives/C1/p{ts.replace('.', '')}"


def test_schedule_message(fake: FakeSlack, client: WebClient) -> None:
    now = int(time.time())
    ok = client.chat_scheduleMessage(channel="C1", post_at=now + 3600, text="later")
    assert ok["post_at"] == now + 3600 and re.fullmatch(r"Q[A-Z0-9]{8,}", ok["scheduled_message_id"])
    assert fake.scheduled[0]["message"]["text"] == "later"
    for post_at, error in [(now - 10, "time_in_past"), (now + 121 * 86400, "time_too_far")]:
        with pytest.raises(SlackApiError) as exc:
            client.chat_scheduleMessage(channel="C1", post_at=post_at, text="x")
        assert api_error(exc)["error"] == error
    client.chat_deleteScheduledMessage(channel="C1", scheduled_message_id=ok["scheduled_message_id"])
    assert fake.scheduled == []


def test_conversations_members(fake: FakeSlack, client: WebClient) -> None:
    first = client.conversations_members(channel="C1", limit=2)
    assert first["members"] == ["U1", "U2"]
    rest = client.conversations_members(channel="C1", cursor=first["response_metadata"]["next_cursor"])
    assert rest["members"] == ["U0BOT"] and rest["response_metadata"]["next_cursor"] == ""
    dm = client.conversations_open(users="U1")["channel"]["id"]
    assert client.conversations_members(channel=dm)["members"] == ["U0BOT", "U1"]
    with pytest.raises(SlackApiError) as exc:
        client.conversations_members(channel="C404")
    assert api_error(exc)["error"] == "channel_not_found"


# ----------------------------------------------------------------------------- Block Kit limits


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def test_message_block_limits(fake: FakeSlack, client: WebClient) -> None:
    assert post(client, channel="C1", text="f", blocks=[section("x")] * 50)["ok"] is True
    assert post(client, channel="C1", text="f", blocks=[section("y" * 3000)])["ok"] is True
    assert fake.protocol_errors == []
    with pytest.raises(SlackApiError) as exc:
        client.chat_postMessage(channel="C1", text="f", blocks=[section("x")] * 51)
    assert api_error(exc)["error"] == "invalid_blocks"
    assert api_error(exc)["response_metadata"]["messages"] == [
        "[ERROR] no more than 50 items allowed [json-pointer:/blocks]"
    ]
    with pytest.raises(SlackApiError) as exc:
        client.chat_postMessage(channel="C1", text="f", blocks=[section("ok"), section("y" * 3001)])
    assert api_error(exc)["response_metadata"]["messages"] == [
        "[ERROR] must be less than 3001 characters [json-pointer:/blocks/1/text/text]"
    ]
    assert len(fake.protocol_errors) == 2
    assert len(fake.messages("C1")) == 2


def modal(**overrides: Any) -> dict[str, Any]:
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": "kudos",
        "title": {"type": "plain_text", "text": "Send kudos"},
        "submit": {"type": "plain_text", "text": "Send"},
        "blocks": [
            {
                "type": "input",
                "block_id": "b",
                "label": {"type": "plain_text", "text": "Why"},
                "element": {"type": "plain_text_input", "action_id": "a"},
            }
        ],
    }
    view.update(overrides)
    return {k: v for k, v in view.items() if v is not None}


@pytest.mark.parametrize(
    ("view", "needle"),
    [
        (modal(title={"type": "plain_text", "text": "x" * 25}), "/view/title/text"),
        (modal(title="Send kudos"), "plain_text"),
        (modal(submit=None), "/view/submit"),
        (modal(private_metadata="p" * 3001), "/view/private_metadata"),
        (modal(blocks=[section("x")] * 101), "no more than 100 items"),
        (modal(type="home"), "/view/type"),
    ],
)
def test_view_limits(fake: FakeSlack, client: WebClient, view: dict[str, Any], needle: str) -> None:
    with pytest.raises(SlackApiError) as exc:
        client.views_open(trigger_id="t-1", view=view)
    data = api_error(exc)
    assert data["error"] == "invalid_arguments"
    assert needle in data["response_metadata"]["messages"][0]
    assert len(fake.protocol_errors) == 1 and needle in fake.protocol_errors[0]


def test_view_limits_boundaries_pass(fake: FakeSlack, client: WebClient) -> None:
    view = modal(
        title={"type": "plain_text", "text": "x" * 24},
        private_metadata="p" * 3000,
        blocks=[section("x")] * 100,
        submit=None,
    )
    assert client.views_open(trigger_id="t-ok", view=view)["ok"] is True
    assert fake.protocol_errors == []


# ----------------------------------------------------------------------------- views


def test_views_open_push_update(fake: FakeSlack, client: WebClient) -> None:
    opened = client.views_open(trigger_id="t-1", view=modal(private_metadata="pm", external_id="ext-1"))[
        "view"
    ]
    assert re.fullmatch(r"V\w+", opened["id"]) and opened["hash"]
    assert opened["private_metadata"] == "pm" and opened["callback_id"] == "kudos"
    assert opened["root_view_id"] == opened["id"] and opened["state"] == {"values": {}}
    with pytest.raises(SlackApiError) as exc:
        client.views_open(trigger_id="t-1", view=modal())
    assert api_error(exc)["error"] == "exchanged_trigger_id"
    fake.expired_triggers.add("t-old")
    with pytest.raises(SlackApiError) as exc:
        client.views_push(trigger_id="t-old", view=modal())
    assert api_error(exc)["error"] == "expired_trigger_id"
    pushed = client.views_push(trigger_id="t-2", view=modal(callback_id="step2"))["view"]
    assert pushed["id"] != opened["id"]

    by_id = client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal(private_metadata="v2"))
    assert by_id["view"]["id"] == opened["id"] and by_id["view"]["hash"] != opened["hash"]
    by_ext = client.views_update(external_id="ext-1", view=modal(private_metadata="v3", external_id="ext-1"))
    assert by_ext["view"]["private_metadata"] == "v3"
    stored = fake.view(opened["id"])
    assert stored is not None and stored["private_metadata"] == "v3"
    for kwargs, error in [
        ({"view_id": opened["id"], "hash": opened["hash"]}, "hash_conflict"),
        ({"view_id": "V404"}, "not_found"),
    ]:
        with pytest.raises(SlackApiError) as exc:
            client.views_update(view=modal(), **kwargs)
        assert api_error(exc)["error"] == error
    with pytest.raises(SlackApiError) as exc:
        client.api_call("views.open", json={"view": modal()})
    assert api_error(exc)["response_metadata"]["messages"] == ["[ERROR] missing required field: trigger_id"]
    assert len(fake.protocol_errors) == 1


def test_views_publish_stores_home_view(fake: FakeSlack, client: WebClient) -> None:
    home = {"type": "home", "blocks": [section("Your kudos: 3")]}
    first = client.views_publish(user_id="U1", view=home)["view"]
    assert fake.home_views["U1"]["blocks"] == [section("Your kudos: 3")]
    home2 = {"type": "home", "blocks": [section("Your kudos: 4")], "private_metadata": "x"}
    second = client.views_publish(user_id="U1", view=home2)["view"]
    assert second["id"] == first["id"] and second["hash"] != first["hash"]
    assert fake.home_views["U1"]["blocks"][0]["text"]["text"] == "Your kudos: 4"
    assert "U2" not in fake.home_views
    with pytest.raises(SlackApiError) as exc:
        client.views_publish(user_id="U1", view=modal())
    assert api_error(exc)["error"] == "invalid_arguments"
    with pytest.raises(SlackApiError) as exc:
        client.views_publish(user_id="U1", view=home, hash="stale")
    assert api_error(exc)["error"] == "hash_conflict"
    assert len(fake.protocol_errors) == 1


# ----------------------------------------------------------------------------- faults


def test_429_surfaces_retry_after_and_violation(fake: FakeSlack, client: WebClient, clock: FakeClock) -> None:
    fake.fail_next("chat.postMessage", retry_after=1)
    with pytest.raises(SlackApiError) as exc:
        client.chat_postMessage(channel="C1", text="x")
    assert exc.value.response.status_code == 429
    assert exc.value.response.headers["Retry-After"] == "1"
    assert api_error(exc) == {"ok": False, "error": "ratelimited"}
    assert fake.retry_after_violations == []

    clock.advance(0.4)  # too early: violation, and 429 again
    with pytest.raises(SlackApiError) as exc:
        client.chat_postMessage(channel="C1", text="x")
    assert exc.value.response.status_code == 429
    assert len(fake.retry_after_violations) == 1
    assert "chat.postMessage" in fake.retry_after_violations[0] and "0.400s" in fake.retry_after_violations[0]

    other = WebClient(base_url=fake.url, token="xoxb-other")  # another token is not throttled
    assert other.chat_postMessage(channel="C1", text="y")["ok"] is True
    assert client.auth_test()["ok"] is True  # another method is not throttled

    clock.advance(0.6)  # now 1.0 s after the 429
    assert client.chat_postMessage(channel="C1", text="x")["ok"] is True
    assert len(fake.retry_after_violations) == 1
    assert [c.status for c in fake.calls_to("chat.postMessage")] == [429, 429, 200, 200]


def test_retry_handler_that_honours_retry_after_is_not_a_violation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class NoJitter:
        @staticmethod
        def random() -> float:
            return 0.0

    monkeypatch.setattr(builtin_handlers, "random", NoJitter)
    with FakeSlack() as fake:
        fake.add_channel("C1")
        client = WebClient(
            base_url=fake.url,
            token="xoxb-test",
            retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)],
        )
        fake.fail_next("chat.postMessage", retry_after=1)
        started = time.monotonic()
        assert client.chat_postMessage(channel="C1", text="x")["ok"] is True
        assert time.monotonic() - started >= 1.0
        assert [c.status for c in fake.calls_to("chat.postMessage")] == [429, 200]
        assert fake.retry_after_violations == []
        assert len(fake.messages("C1")) == 1


def test_5xx_plain_body(fake: FakeSlack, client: WebClient) -> None:
    fake.fail_next("users.info", status=503, count=2)
    for _ in range(2):
        with pytest.raises(SlackApiError) as exc:
            client.users_info(user="U1")
        assert exc.value.response.status_code == 503
        assert api_error(exc)["error"].startswith("Received a response in a non-JSON format")
    assert client.users_info(user="U1")["ok"] is True
    assert [c.response["error"] for c in fake.calls_to("users.info")[:2]] == ["http_503", "http_503"]
    assert fake.retry_after_violations == []


def test_error_next(fake: FakeSlack, client: WebClient) -> None:
    fake.error_next("conversations.open", "missing_scope", count=2)
    for _ in range(2):
        with pytest.raises(SlackApiError) as exc:
            client.conversations_open(users="U1")
        assert exc.value.response.status_code == 200
        assert api_error(exc) == {"ok": False, "error": "missing_scope"}
    assert client.conversations_open(users="U1")["ok"] is True
    assert fake.protocol_errors == []


def test_seeded_fault_rates(fake: FakeSlack, client: WebClient, clock: FakeClock) -> None:
    fake.set_fault_rates(rate_429=0.2, rate_5xx=0.05, retry_after=1, seed=1, methods={"chat.postMessage"})
    rng = random.Random(1)
    expected = []
    for _ in range(40):
        roll = rng.random()
        expected.append(429 if roll < 0.2 else 500 if roll < 0.25 else 200)
    statuses = []
    for i in range(40):
        clock.advance(2)  # always wait out Retry-After
        try:
            client.chat_postMessage(channel="C1", text=str(i))
            statuses.append(200)
        except SlackApiError as e:
            statuses.append(e.response.status_code)
        assert client.auth_test()["ok"] is True  # not in `methods`
    assert statuses == expected
    assert 429 in statuses and 200 in statuses
    assert len(fake.messages("C1")) == statuses.count(200)
    assert fake.retry_after_violations == []
    fake.set_fault_rates()  # off
    clock.advance(2)
    assert client.chat_postMessage(channel="C1", text="calm")["ok"] is True


def test_latency_makes_client_time_out_but_message_lands(fake: FakeSlack) -> None:
    fake.latency = 0.5
    client = WebClient(base_url=fake.url, token="xoxb-test", timeout=cast(int, 0.15))
    started = time.monotonic()
    with pytest.raises((TimeoutError, urllib.error.URLError)):
        client.chat_postMessage(channel="C1", text="slow")
    assert time.monotonic() - started < 0.45
    # Slack processed it: a naive retry would post twice (PITFALLS.md)
    assert [m["text"] for m in fake.messages("C1")] == ["slow"]
    assert isinstance(fake.calls_to("chat.postMessage")[0], Call)
