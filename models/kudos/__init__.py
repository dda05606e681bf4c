"""Kudos: recognition with company values, announced in a channel and DMed to each recipient."""

from models.kudos.rules import (
    GiveResult,
    KudosDraft,
    KudosRejected,
    KudosRules,
    KudosSummary,
    get_kudos,
    give_kudos,
    given_this_week,
    local_week_start,
    summary_for,
)

__all__ = [
    "GiveResult",
    "KudosDraft",
    "KudosRejected",
    "KudosRules",
    "KudosSummary",
    "get_kudos",
    "give_kudos",
    "given_this_week",
    "local_week_start",
    "summary_for",
]
