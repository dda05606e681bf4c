"""1:1 constants: limits, outbox kinds, and the error every 1:1 rule raises."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from typing import Any

log = logging.getLogger(__name__)


TALKING_POINT_MAX = 1000


NOTES_MAX = 3000


ACTION_ITEM_MAX = 500


ACTION_ITEMS_PER_MEETING = 10


INTERVALS = (1, 2)  # weekly, every two weeks


ALERT_KIND = "oneonone.no_meeting"


NUDGE_KIND = "oneonone.nudge"


NOTES_KIND = "oneonone.notes"


SCHEDULE_KIND = "oneonone.schedule"


AGENDA_KIND = "oneonone.agenda"


# An agenda is due on a working day before its meeting; never more than this far ahead of it.
AGENDA_LOOKAHEAD = timedelta(days=9)


# Notes recorded up to this long before a meeting belong to it (a 1:1 held a little early).
EARLY_NOTES = timedelta(days=1)


_ALL_DAYS = frozenset(range(7))


_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class OneOnOneError(Exception):
    """A 1:1 change that breaks a rule; nothing was written. `str(err)` is the message in English.

    `template` and `params` let a caller translate it (`t(err.template, **err.params)`); `field` names the
    input it belongs to ("text", "pair", "notes", "item1_text", "item1_owner", "item1_due", "interval",
    "weekday", "time", "tz"), for inline modal errors.
    """

    def __init__(self, message: str, *, field: str = "", params: dict[str, Any] | None = None) -> None:
        self.template = message
        self.params = dict(params or {})
        self.field = field
        super().__init__(message.format(**self.params) if self.params else message)
