"""A stand-in Slack for the fan-out benchmark (`bench.fanout`), run in its own process so that it does not
compete for the GIL with the sender being measured:

    python -m bench.standin --port 0 --budget 4000 --users 10000

It is `tests.fake_slack.FakeSlack` (same methods, same protocol checks) with Slack's message limits enforced
on chat.postMessage, judged in this order (first match answers 429):

1. retry-after: the channel is inside a window this stand-in opened with an earlier 429 (a burst 429 below)
   → `Retry-After` = seconds left, counted as a "retry_after" violation;
2. channel: less than `channel_interval - jitter` seconds after the previous accepted post to that channel
   → `Retry-After: 1`, a "channel" violation;
3. budget: `budget` posts were accepted in the last 60 s (less `jitter`) → `Retry-After` = seconds until a
   slot frees (ceil), a "budget" violation;
4. burst: `burst_rate` of the posts that pass 1-3 (seeded) → `Retry-After: 1` and that channel (only) is
   closed for 1 s, modelling Slack's per-channel burst limit. Not a violation: Slack's mood.

Every accepted post is recorded with the outbox id carried in its metadata (`bot.delivery.row`), so the
benchmark counts duplicates and lost messages. Counters: `GET /bench/stats` (`?ids=1` adds the accepted
outbox ids); the same JSON is printed on stdout at shutdown (SIGTERM or SIGINT). The first line on stdout is
`{"port": N}` once the server listens.
"""

from __future__ import annotations

import argparse
import collections
import json
import math
import random
import signal
import sys
import threading
import urllib.parse
from typing import Any

from tests.fake_slack import (
    JSON,
    ApiError,
    FakeSlack,
    _Handler,
    _json_reply,
    _Reply,
    _Request,
    _Server,
)

POST = "chat.postMessage"
METADATA_EVENT = "candor_outbox"  # bot.delivery.row.METADATA_EVENT (not imported: this process needs no bot)
KINDS = ("burst", "channel", "budget", "retry_after")
VIOLATIONS = ("channel", "budget", "retry_after")


class StandInSlack(FakeSlack):
    """FakeSlack with chat.postMessage limits (per channel, per workspace, random per-channel bursts)."""

    def __init__(self, *, budget: int, channel_interval: float = 1.0, jitter: float = 0.1,
                 burst_rate: float = 0.1, burst_retry_after: int = 1, seed: int = 10, port: int = 0,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.budget = budget
        self.channel_interval = channel_interval
        self.jitter = jitter
        self.burst_rate = burst_rate
        self.burst_retry_after = burst_retry_after
        self.rng = random.Random(seed)
        self.bind_port = port
        self.started_at = self.clock()
        self._last_post: dict[str, float] = {}  # channel → when its last accepted post arrived
        self._closed: dict[str, tuple[float, int]] = {}  # channel → (window end, Retry-After given)
        self._window: collections.deque[float] = collections.deque()  # arrival times of accepted posts
        self.accepted: dict[int, int] = {}  # outbox id → times accepted
        self.accepted_without_id = 0
        self.answered_429: collections.Counter[str] = collections.Counter()
        self.method_calls: collections.Counter[str] = collections.Counter()
        self.violation_samples: list[str] = []
        self.first_accepted: float | None = None
        self.last_accepted: float | None = None
        self.per_10s: collections.Counter[int] = collections.Counter()  # accepted posts per 10 s since start

    def start(self) -> StandInSlack:
        """FakeSlack.start, on the port asked for (0: any free port)."""
        if self._server is not None:
            return self
        self._stopping.clear()
        server = _Server(("127.0.0.1", self.bind_port), _Handler)
        server.request_queue_size = 128
        server.fake = self
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="StandInSlack", daemon=True)
        self._thread.start()
        self.started_at = self.clock()
        return self

    # ------------------------------------------------------------------ requests

    def _handle(self, path: str, headers: dict[str, str], body: bytes) -> _Reply:
        parsed = urllib.parse.urlsplit(path)
        if parsed.path == "/bench/stats":
            query = urllib.parse.parse_qs(parsed.query)
            return _json_reply(200, self.stats(with_ids=query.get("ids") == ["1"]))
        return super()._handle(path, headers, body)

    def _dispatch(self, method: str, params: JSON, token: str | None, at: float) -> _Reply:
        self.method_calls[method] += 1
        if method != POST:
            return super()._dispatch(method, params, token, at)
        # FakeSlack's own checks first (authentication, protocol), as in its _dispatch.
        if not token:
            raise ApiError("not_authed")
        if token in self.invalid_tokens:
            raise ApiError("invalid_auth")
        self._check_required(method, params)
        for validate in self._validators.get(method, ()):
            validate(params)
        channel = str(params.get("channel") or "")
        if channel in self._users and channel not in self._channels:  # a user id: Slack posts into the DM
            channel, _ = self._open_dm(channel)
        self._limit(channel, at)
        response = self._handlers[method](_Request(method, params, token, at))
        self._record(params, at)
        return _json_reply(200, {"ok": True, **response})

    def _refuse(self, kind: str, retry_after: int, why: str) -> ApiError:
        self.answered_429[kind] += 1
        if kind in VIOLATIONS and len(self.violation_samples) < 20:
            self.violation_samples.append(why)
        return ApiError("ratelimited", status=429, retry_after=max(1, retry_after))

    def _limit(self, channel: str, at: float) -> None:
        closed = self._closed.get(channel)
        if closed is not None:
            until, given = closed
            if at < until:
                early = given - (until - at)
                raise self._refuse("retry_after", math.ceil(until - at),
                                   f"{channel}: posted {early:.3f}s after a 429 with Retry-After={given}")
            del self._closed[channel]
        last = self._last_post.get(channel)
        if last is not None and at - last < self.channel_interval - self.jitter:
            raise self._refuse("channel", 1, f"{channel}: posted {at - last:.3f}s after the previous message")
        span = 60.0 - self.jitter
        while self._window and self._window[0] <= at - span:
            self._window.popleft()
        if len(self._window) >= self.budget:
            wait = self._window[0] + 60.0 - at
            raise self._refuse("budget", math.ceil(wait),
                               f"{channel}: {len(self._window)} posts in the last 60 s (budget {self.budget})")
        if self.burst_rate > 0 and self.rng.random() < self.burst_rate:
            self._closed[channel] = (at + self.burst_retry_after, self.burst_retry_after)
            raise self._refuse("burst", self.burst_retry_after, "")
        self._window.append(at)
        self._last_post[channel] = at

    def _record(self, params: JSON, at: float) -> None:
        meta = params.get("metadata")
        payload = meta.get("event_payload") if isinstance(meta, dict) else None
        outbox_id = payload.get("outbox_id") if isinstance(payload, dict) else None
        if isinstance(meta, dict) and meta.get("event_type") == METADATA_EVENT and outbox_id is not None:
            key = int(outbox_id)
            self.accepted[key] = self.accepted.get(key, 0) + 1
        else:
            self.accepted_without_id += 1
        self.first_accepted = at if self.first_accepted is None else self.first_accepted
        self.last_accepted = at
        self.per_10s[int((at - self.started_at) // 10)] += 1

    # ------------------------------------------------------------------ counters

    def stats(self, *, with_ids: bool = False) -> JSON:
        with self._lock:
            accepted = sum(self.accepted.values()) + self.accepted_without_id
            out: JSON = {
                "budget": self.budget,
                "accepted": accepted,
                "unique_outbox_ids": len(self.accepted),
                "duplicates": sum(n - 1 for n in self.accepted.values() if n > 1),
                "accepted_without_outbox_id": self.accepted_without_id,
                "answered_429": {kind: self.answered_429.get(kind, 0) for kind in KINDS},
                "violations": {kind: self.answered_429.get(kind, 0) for kind in VIOLATIONS},
                "violation_samples": list(self.violation_samples),
                "calls": dict(self.method_calls),
                "protocol_errors": len(self.protocol_errors),
                "protocol_error_samples": self.protocol_errors[:5],
                "first_accepted": None if self.first_accepted is None else self.first_accepted - self.started_at,
                "last_accepted": None if self.last_accepted is None else self.last_accepted - self.started_at,
                "accepted_per_10s": [self.per_10s.get(i, 0) for i in range(max(self.per_10s, default=-1) + 1)],
            }
            if with_ids:
                out["accepted_ids"] = sorted(self.accepted)
            return out

    def forget_calls(self) -> None:
        """FakeSlack keeps every call (with its blocks) for tests; a benchmark of 20,000 calls needs only counts."""
        with self._lock:
            self.calls.clear()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.standin", description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0, help="0: any free port (printed as the first line)")
    parser.add_argument("--budget", type=int, required=True, help="chat.postMessage per rolling 60 s")
    parser.add_argument("--users", type=int, default=0, help="users U00000000 … known to the stand-in")
    parser.add_argument("--user-format", default="U{:08d}", help="user id from its number")
    parser.add_argument("--open-dms", action="store_true", help="their DMs exist already (D + user id digits)")
    parser.add_argument("--team", default="T0BENCH")
    parser.add_argument("--burst-rate", type=float, default=0.1, help="share of acceptable posts answered 429")
    parser.add_argument("--channel-interval", type=float, default=1.0)
    parser.add_argument("--jitter", type=float, default=0.1, help="tolerance on both time limits (s)")
    parser.add_argument("--latency", type=float, default=0.0, help="extra seconds before every answer")
    parser.add_argument("--seed", type=int, default=10)
    args = parser.parse_args(argv)

    slack = StandInSlack(budget=args.budget, channel_interval=args.channel_interval, jitter=args.jitter,
                         burst_rate=args.burst_rate, seed=args.seed, port=args.port, team_id=args.team)
    for i in range(args.users):
        user_id = args.user_format.format(i)
        slack.add_user(user_id, name=user_id.lower())
        if args.open_dms:
            slack._open_dm(user_id)
    slack.latency = args.latency
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())

    def forget() -> None:  # keep memory flat: the counters are all the benchmark reads
        while not stop.wait(5.0):
            slack.forget_calls()

    slack.start()
    threading.Thread(target=forget, daemon=True).start()
    print(json.dumps({"port": slack.port}), flush=True)
    while not stop.wait(0.5):
        pass
    slack.stop()
    print(json.dumps(slack.stats()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
