"""HTTP mode: signature verification, health, routing, the error handler, and no tokens in logs."""

from __future__ import annotations

import json
import logging
import time

import httpx
import pytest

from bot.slack import redact
from models.kudos.tables import Kudos
from tests.conftest import ANA, BOB
from tests.test_kudos import GOOD, count


def test_healthz(candor):
    resp = httpx.get(candor.base_url + "/healthz")
    assert resp.status_code == 200
    assert resp.json()["ok"] is True and resp.json()["mode"] == "http"


def test_unknown_path_and_wrong_method(candor):
    assert httpx.get(candor.base_url + "/nope").status_code == 404
    assert httpx.get(candor.base_url + "/slack/events").status_code == 405


def test_bad_signature_is_refused_and_nothing_saved(candor):
    body = f"command=/kudos&text=<@{ANA}> {GOOD}&user_id={BOB}&team_id=T0CANDOR&trigger_id=1.1.x"
    resp = candor.slack.post_raw(body, "application/x-www-form-urlencoded", signed=False,
                                 headers={"X-Slack-Request-Timestamp": str(int(time.time())),
                                          "X-Slack-Signature": "v0=deadbeef"})
    assert resp.status_code == 401
    assert count(candor, Kudos) == 0


def test_replayed_old_request_is_refused(candor):
    resp = candor.slack.post_raw("command=%2Fkudos&text=hi", "application/x-www-form-urlencoded",
                                 timestamp=int(time.time()) - 600)
    assert resp.status_code == 401


def test_official_signature_vector_is_verified_by_the_app():
    """Slack's published test vector verifies with the same verifier Bolt uses."""
    from slack_sdk.signature import SignatureVerifier

    from tests.slack_requests import sample

    vec = sample("signature.official_test_vector.json")
    verifier = SignatureVerifier(vec["signing_secret"], clock=type("C", (), {"now": lambda self: float(
        vec["headers"]["X-Slack-Request-Timestamp"])})())
    assert verifier.is_valid(vec["raw_body"], vec["headers"]["X-Slack-Request-Timestamp"],
                             vec["headers"]["X-Slack-Signature"])


def test_url_verification_handshake(candor):
    body = {"token": "x", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
            "type": "url_verification"}
    resp = candor.slack.post_event(body)
    assert resp.status_code == 200
    assert "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" in resp.text


def test_failure_gives_a_short_apology_and_logs_no_token(candor, caplog):
    """views.open fails (Slack says the trigger expired): the user gets an apology, the log the detail."""
    candor.fake.error_next("views.open", "expired_trigger_id")
    with caplog.at_level(logging.DEBUG):
        started = time.monotonic()
        resp = candor.slack.command("/kudos", "", user=BOB)
        elapsed = time.monotonic() - started
    assert resp.status_code == 200 and elapsed < 3
    assert "Sorry, something went wrong on our side" in resp.json()["text"]
    assert "expired_trigger_id" in caplog.text
    assert "xoxb-test-token" not in caplog.text


def test_failed_modal_submit_shows_an_apology_view(candor, monkeypatch):
    import handlers.kudos.listeners as kudos_handlers

    def boom(*a, **k):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(kudos_handlers, "give_kudos", boom)
    from tests.test_kudos import modal_values, submit_modal

    resp = submit_modal(candor, modal_values([ANA], GOOD), user=BOB)
    body = resp.json()
    assert body["response_action"] == "update"
    assert "Sorry, something went wrong" in json.dumps(body["view"])
    assert count(candor, Kudos) == 0


def test_every_acked_request_is_fast_and_ok(candor):
    """Bolt can lose an ack when a listener raises after it (PITFALLS): check status and latency."""
    for i in range(5):
        started = time.monotonic()
        resp = candor.slack.command("/kudos", f"<@{ANA}> {GOOD} number {i}", user=BOB)
        assert resp.status_code == 200, resp.text
        assert time.monotonic() - started < 2.0
        assert "Kudos sent" in resp.text
    candor.fake.fail_next("views.open", status=429, retry_after=1)
    for _ in range(3):
        started = time.monotonic()
        resp = candor.slack.command("/kudos", "", user=BOB)
        assert resp.status_code == 200 and time.monotonic() - started < 2.0


def test_redact_removes_tokens():
    line = "auth failed for xoxb-1234-5678-abcdEFGH and xapp-1-A111-222-xyz, xoxp-9-9"
    clean = redact(line)
    assert "1234" not in clean and "A111" not in clean and "xoxp-9" not in clean
    assert clean.count("-***") == 3


def _raw_post(base_url: str, length: str, body: bytes) -> bytes:
    """A request with this Content-Length sent over a plain socket (httpx would not send a bad one); the
    client then stops writing, so a server that reads "to the end" gets there instead of waiting."""
    import socket
    from urllib.parse import urlsplit

    url = urlsplit(base_url)
    with socket.create_connection((url.hostname, url.port), timeout=5) as sock:
        head = (f"POST /slack/events HTTP/1.1\r\nHost: {url.hostname}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {length}\r\nConnection: close\r\n\r\n").encode()
        sock.sendall(head + body)
        sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


@pytest.mark.parametrize(("length", "status"), [("-1", 400), ("12abc", 400), (" -5", 400), ("99999999999", 413)])
def test_a_bad_content_length_is_answered_before_the_body_is_read(candor, caplog, length, status):
    with caplog.at_level(logging.DEBUG):
        answer = _raw_post(candor.base_url, length, b'{"type": "url_verification", "challenge": "x"}' * 100)
    assert answer.split(b"\r\n", 1)[0].split(b" ")[1] == str(status).encode(), answer[:80]
    assert "Traceback" not in caplog.text and not [r for r in caplog.records if r.levelno >= logging.ERROR]
