"""Test support, loaded only by processes the tests start while the clock is shifted (`pytest --clock-at`):
conftest.py puts this folder on PYTHONPATH and the shift in TEST_CLOCK_SHIFT_SECONDS, so a `candor run` or
a sender process started by a test lives at the same shifted moment as the test itself."""

import os

_shift = os.environ.get("TEST_CLOCK_SHIFT_SECONDS")
if _shift:
    from datetime import UTC, datetime, timedelta

    import time_machine

    time_machine.travel(datetime.now(UTC) + timedelta(seconds=float(_shift)), tick=True).start()
