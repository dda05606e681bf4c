"""The sender's pace: a budget per workspace and minute, one message per second per channel, and the process's
one Retry-After state."""

from __future__ import annotations

import contextlib
import threading
from collections import deque
from dataclasses import dataclass, field

from bot.slack import POST_MESSAGE, RetryAfterGate

# A workspace-wide limit shows as 429s on every post, a channel's limit on a few: when the last
# `WORKSPACE_LIMITED` posts (to different channels: a refused channel waits) were all answered 429, the whole
# method waits out the Retry-After. Three in a row: with one post in ten refused at random, about one post in
# a thousand pauses everyone for a second; against a workspace-wide limit, two posts land inside its window.
WORKSPACE_LIMITED = 3


@dataclass
class RateLimiter:
    """The sender's limits: workspace budget per minute, one message per second per channel, and the
    process's one Retry-After state (`gate`, shared with every other Web API call of the process, and
    through `slack_pauses` with other replicas). Every sender process keeps its own budget and channel
    spacing; set the budget per replica accordingly."""

    gate: RetryAfterGate = field(default_factory=RetryAfterGate)
    per_minute: int = 300
    channel_interval: float = 1.0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _sent: dict[str, deque[float]] = field(default_factory=dict)
    _channel_next: dict[tuple[str, str], float] = field(default_factory=dict)
    _recent: deque[bool] = field(default_factory=lambda: deque(maxlen=WORKSPACE_LIMITED))

    def pause_left(self, team: str, method: str, now: float) -> float:
        """Seconds left in a Retry-After window for this method (0: not paused)."""
        return self.gate.wait_left(method)

    def wait_needed(self, team: str, method: str, channel: str | None, now: float) -> float:
        """Seconds until a message may be sent (0 when it may go now). Reserves the slot when 0."""
        paused = self.gate.wait_left(method, channel)
        with self._lock:
            waits = [paused]
            per_channel = channel is not None and method == "chat.postMessage"
            if per_channel:
                assert channel is not None
                waits.append(self._channel_next.get((team, channel), 0.0) - now)
            window = self._sent.setdefault(team, deque())
            while window and window[0] <= now - 60:
                window.popleft()
            if len(window) >= self.per_minute:
                waits.append(window[0] + 60 - now)
            wait = max(waits)
            if wait > 0:
                return wait
            window.append(now)
            if per_channel:
                assert channel is not None
                self._channel_next[(team, channel)] = now + self.channel_interval
            return 0.0

    def free(self, team: str, now: float) -> tuple[int, float]:
        """Budget slots free for this workspace now, and when the next one frees if none is (seconds)."""
        with self._lock:
            window = self._sent.setdefault(team, deque())
            while window and window[0] <= now - 60:
                window.popleft()
            left = self.per_minute - len(window)
            return max(0, left), (0.0 if left > 0 else window[0] + 60 - now)

    def finished(self, team: str, channel: str, now: float) -> None:
        """A post to `channel` returned at `now`: the next one starts a full interval later, so Slack
        receives them at least `channel_interval` apart however long this one travelled."""
        with self._lock:
            key = (team, channel)
            self._channel_next[key] = max(self._channel_next.get(key, 0.0), now + self.channel_interval)

    def post_accepted(self) -> None:
        with self._lock:
            self._recent.append(False)

    def post_limited(self, team: str, channel: str, seconds: float, reserved: float | None, *,
                     by_slack: bool = True) -> bool:
        """A post to `channel` was refused with 429: that channel waits `seconds`, the slot the post took from
        the budget is given back (Slack did not take the message), and when the last posts Slack answered were
        all refused the whole method waits too (returns True: a workspace-wide window). A refusal by this
        process's own gate (`by_slack=False`: a window it knew already) says nothing about Slack's limits."""
        with self._lock:
            if by_slack:
                self._recent.append(True)
            workspace = sum(self._recent) >= WORKSPACE_LIMITED
            if workspace:
                self._recent.clear()
            window = self._sent.get(team)
            if reserved is not None and window is not None:
                with contextlib.suppress(ValueError):
                    window.remove(reserved)
        self.gate.pause(POST_MESSAGE, seconds, channel=channel)
        if workspace:
            self.gate.pause(POST_MESSAGE, seconds)
        return workspace

    def pause(self, team: str, method: str, seconds: float) -> None:
        """Slack answered 429: no call to `method` for `seconds`, from anywhere in the process."""
        self.gate.pause(method, seconds)
