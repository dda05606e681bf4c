"""The outbox sender as its own process, for tests/test_delivery_crash.py (which SIGKILLs it).

Built exactly like production: `Settings` from the environment (DATABASE_URL, SLACK_API_URL,
SLACK_BOT_TOKEN, CANDOR_OUTBOX_LEASE_SECONDS, CANDOR_RATE_PER_MINUTE, …), `bot.runtime.Runtime`, and
its `sender.run()` loop. SIGTERM stops it cleanly; SIGKILL is the point. DELIVERY_SENDER_WORKERS sets
`OutboxSender.workers` (not a setting yet); with DELIVERY_SENDER_WAIT=1 it starts sending only after a line
on stdin, so the test can start the next life ahead and restart right after a kill.

    python -m tests.delivery_sender_proc
"""

from __future__ import annotations

import os
import signal
import sys
import threading

from bot.runtime import Runtime, setup_logging
from bot.settings import Settings


def main() -> int:
    settings = Settings(_env_file=None)
    setup_logging(settings.log_level)
    rt = Runtime(settings, socket_mode=False)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    sender = rt.sender
    sender.workers = int(os.environ.get("DELIVERY_SENDER_WORKERS", "1"))
    # A spare, started ahead (imports done) starts when the test says so; EOF means it is not needed.
    if os.environ.get("DELIVERY_SENDER_WAIT") == "1" and (not sys.stdin.readline() or stop.is_set()):
        return 0
    print(f"sender {sender.owner} running", flush=True)
    sender.run(stop, idle=0.2)
    rt.db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
