"""A fake Slack Socket Mode endpoint over a real WebSocket (in the spirit of bolt-python's
tests/adapter_tests/socket_mode/mock_socket_mode_server.py).

Attach it to a `FakeSlack` (`apps.connections.open` then answers its URL). It greets each connection
with `hello`, sends the envelopes a test queues (shapes from tests/slack_refs/payloads/
socket_mode.envelopes.json) and records the app's acks by `envelope_id`.
"""

from __future__ import annotations

import json
import queue
import threading
import time
import uuid
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

from tests.fake_slack import FakeSlack


class FakeSocketMode:
    def __init__(self, fake: FakeSlack) -> None:
        self.fake = fake
        self._outgoing: queue.Queue[dict[str, Any]] = queue.Queue()
        self.acks: dict[str, dict[str, Any]] = {}
        self.connections = 0
        self._cond = threading.Condition()
        self._server: Server | None = None

    def __enter__(self) -> FakeSocketMode:
        self._server = serve(self._handle, "127.0.0.1", 0)
        port = self._server.socket.getsockname()[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.fake.socket_mode_url = f"ws://127.0.0.1:{port}/link/?ticket=test"
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()

    def _handle(self, ws: ServerConnection) -> None:
        with self._cond:
            self.connections += 1
            self._cond.notify_all()
        ws.send(json.dumps({"type": "hello", "num_connections": 1,
                            "debug_info": {"host": "fake", "approximate_connection_time": 18060},
                            "connection_info": {"app_id": "A0CANDOR"}}))
        while True:
            try:
                envelope = self._outgoing.get(timeout=0.05)
                ws.send(json.dumps(envelope))
            except queue.Empty:
                pass
            try:
                raw = ws.recv(timeout=0.05)
            except TimeoutError:
                continue
            except ConnectionClosed:
                return
            message = json.loads(raw)
            if "envelope_id" in message:
                with self._cond:
                    self.acks[message["envelope_id"]] = message
                    self._cond.notify_all()

    def wait_connected(self, timeout: float = 20) -> None:
        with self._cond:
            if not self._cond.wait_for(lambda: self.connections > 0, timeout):
                raise AssertionError("the app never opened a Socket Mode connection")

    def send(self, kind: str, payload: dict[str, Any], *, timeout: float = 5) -> tuple[dict[str, Any], float]:
        """Send one envelope; return the app's ack and how long it took (Slack wants it within 3 s)."""
        envelope_id = str(uuid.uuid4())
        started = time.monotonic()
        self._outgoing.put({"envelope_id": envelope_id, "payload": payload, "type": kind,
                            "accepts_response_payload": kind != "events_api", "retry_attempt": 0,
                            "retry_reason": ""})
        with self._cond:
            if not self._cond.wait_for(lambda: envelope_id in self.acks, timeout):
                raise AssertionError(f"no ack for the {kind} envelope within {timeout} s")
            return self.acks[envelope_id], time.monotonic() - started
