"""1:1 constants: limits, outbox kinds, and the error every 1:1 rule raises."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

from models.core.messages import DomainError, _t

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


NOT_A_MEMBER = _t("This 1:1 has ended, or you are not part of it.")
NO_ONE_ON_ONE = _t("You don't have a 1:1 with this person yet.")
NOT_YOUR_ITEM = _t("That action item is not one of yours.")


class OneOnOneError(DomainError):
    """A 1:1 change that breaks a rule; nothing was written. `field` names the input it belongs to ("text",
    "pair", "notes", "item1_text", "item1_owner", "item1_due", "interval", "weekday", "time", "tz"), for
    inline modal errors."""
