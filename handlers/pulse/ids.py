"""Every Slack id the pulse feature uses, in one place."""

from __future__ import annotations

from enum import StrEnum


class PulseIds(StrEnum):
    ANSWER_BUTTON = "pulse_answer_open"
    MODAL = "pulse_modal"
    QUESTION_BLOCK = "pulse_q"  # + ":<question id>"
    QUESTION_ACTION = "pulse_q_input"


def question_block(question_id: str) -> str:
    return f"{PulseIds.QUESTION_BLOCK.value}:{question_id}"
