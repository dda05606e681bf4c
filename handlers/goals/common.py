"""What every goal view shares: the status colours and names, and one line per goal."""

from __future__ import annotations

from datetime import date

from bot.i18n import Translator
from models.core.messages import _t
from models.goals import STATUS_EMOJI, STATUS_NAME, Goal, progress_bar, state_of

LEVEL_NAME = {"organisation": _t("Organisation"), "department": _t("Department"), "person": _t("Personal")}


def status_label(t: Translator, status: str) -> str:
    """`:large_green_circle: On track`, in the reader's language."""
    return f"{STATUS_EMOJI[status]} {t(STATUS_NAME[status])}"


def goal_line(t: Translator, goal: Goal, today: date) -> str:
    """One goal's state as mrkdwn: status, progress bar, period (the caller adds the escaped title).
    A status Candor suggests (the owner set none) is marked as a suggestion."""
    state = state_of(goal, today)
    status = status_label(t, state.status)
    if not state.status_is_owners:
        status += " " + t("(suggested)")
    return f"{status} · {progress_bar(state.progress)} · {goal.period}"
