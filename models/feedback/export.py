"""Feedback in the performance-data export: feedback each person received and gave in the period, and their
level on each competency of the framework as the period's ratings show it — only where enough ratings stand
behind it, and never in a way that lets one anonymous rating be read.

- `feedback_received`: pieces of `/feedback` about the person written in the period, named or anonymous (a
  count says nothing about who wrote an anonymous piece). `feedback_given`: named pieces the person wrote in the
  period (an anonymous piece has no author stored, so it is in nobody's count).
- `level_<competency id>`: the mean level of the ratings about the person on that competency, from
  - **named** ratings: `/feedback` with a level written in the period, and named answers of 360 rounds closed
    in it (the manager's answer of an anonymous round; every answer of a named round);
  - **anonymous** ratings, only in groups that can never shrink or grow and are at least as large as the
    threshold, so that no difference between two exports (another period, another day) isolates one of them:
    a 360 round's anonymous answers on a competency, counted exactly as the round's results show them (the
    round closed in the period, not cancelled, with at least its `min_reviewers` anonymous answers, and at
    least that many anonymous ratings on the competency: `rounds.results`); and the anonymous answers to one
    feedback request on a competency, dated by the request, once nobody it asked is still pending, and only
    when at least `feedback.min_reviewers` of them rated that competency;
  and shown only when at least `feedback.min_reviewers` ratings stand behind the mean (else empty).
  A level on a competency the framework no longer has, or outside its scale, is not counted.
- Pulse answers are never exported per person.

Four statements whatever the size of the workspace: the period's feedback, the anonymous answers of settled
requests made in it, the ratings of the rounds closed in it, and those rounds' anonymous answer counts.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from models.core.clock import clock_of
from models.core.config import OrgConfig
from models.core.exports import ExportColumn, ExportSpec, ExportValue
from models.feedback.tables import (
    Feedback,
    FeedbackRequest,
    FeedbackRequestPeer,
    FeedbackRound,
    FeedbackRoundAnswer,
    FeedbackRoundRating,
)

LEVEL_PREFIX = "level_"


def level_columns(org: OrgConfig) -> tuple[str, ...]:
    return tuple(LEVEL_PREFIX + c.id for c in org.feedback.competencies)


def feedback_export(session: Session, org: OrgConfig, team_id: str, start: datetime, end: datetime
                    ) -> dict[int, dict[str, ExportValue]]:
    cfg = org.feedback
    scales = {c.id: len(c.levels) for c in cfg.competencies}
    minimum = cfg.min_reviewers
    found: dict[int, dict[str, ExportValue]] = defaultdict(dict)
    named: dict[tuple[int, str], list[int]] = defaultdict(list)  # (subject, competency) -> levels
    groups: dict[tuple[int, str], list[list[int]]] = defaultdict(list)  # anonymous groups that may be shown

    def counted(competency: str | None, level: int | None) -> int | None:
        """The level when it counts: on a competency of the framework, within its scale."""
        if competency is None or level is None or not 1 <= level <= scales.get(competency, 0):
            return None
        return int(level)

    for subject_id, author_id, anonymous, competency, level in session.execute(
        select(Feedback.subject_id, Feedback.author_id, Feedback.anonymous, Feedback.competency, Feedback.level)
        .where(Feedback.team_id == team_id, Feedback.created_at >= start, Feedback.created_at < end)
    ):
        row = found[subject_id]
        row["feedback_received"] = int(row.get("feedback_received") or 0) + 1
        if not anonymous and author_id is not None:
            by = found[author_id]
            by["feedback_given"] = int(by.get("feedback_given") or 0) + 1
            if (value := counted(competency, level)) is not None:
                named[(subject_id, str(competency))].append(value)

    # Anonymous answers to a request, grouped by request and competency, dated by the request, once settled.
    pending = exists().where(FeedbackRequestPeer.request_id == FeedbackRequest.id,
                             FeedbackRequestPeer.state == "pending")
    by_request: dict[tuple[int, int, str], list[int]] = defaultdict(list)
    for request_id, subject_id, competency, level in session.execute(
        select(FeedbackRequest.id, Feedback.subject_id, Feedback.competency, Feedback.level)
        .join(Feedback, Feedback.request_id == FeedbackRequest.id)
        .where(FeedbackRequest.team_id == team_id, FeedbackRequest.created_at >= start,
               FeedbackRequest.created_at < end, Feedback.anonymous.is_(True), ~pending)
    ):
        if (value := counted(competency, level)) is not None:
            by_request[(request_id, subject_id, str(competency))].append(value)
    for (_, subject_id, competency), levels in by_request.items():
        if len(levels) >= minimum:
            groups[(subject_id, competency)].append(levels)

    # 360 rounds closed in the period: as their results show them.
    now = clock_of(session).now()
    closed = func.coalesce(FeedbackRound.closed_at, FeedbackRound.closes_at)
    in_period = (FeedbackRound.team_id == team_id, FeedbackRound.cancelled_at.is_(None), closed >= start,
                 closed < min(end, now))
    anonymous_answers: dict[int, int] = {
        round_id: int(count) for round_id, count in session.execute(
            select(FeedbackRoundAnswer.round_id, func.count(FeedbackRoundAnswer.id))
            .join(FeedbackRound, FeedbackRound.id == FeedbackRoundAnswer.round_id)
            .where(*in_period, FeedbackRoundAnswer.relation.is_(None)).group_by(FeedbackRoundAnswer.round_id))}
    rounds: dict[int, tuple[int, bool, int, frozenset[str]]] = {}
    by_round: dict[tuple[int, str], list[int]] = defaultdict(list)
    for round_id, subject_id, anonymous, min_reviewers, competencies, relation, competency, level in session.execute(
        select(FeedbackRound.id, FeedbackRound.subject_id, FeedbackRound.anonymous, FeedbackRound.min_reviewers,
               FeedbackRound.competencies, FeedbackRoundAnswer.relation, FeedbackRoundRating.competency,
               FeedbackRoundRating.level)
        .join(FeedbackRoundAnswer, FeedbackRoundAnswer.round_id == FeedbackRound.id)
        .join(FeedbackRoundRating, FeedbackRoundRating.answer_id == FeedbackRoundAnswer.id)
        .where(*in_period)
    ):
        rounds[round_id] = (subject_id, bool(anonymous), int(min_reviewers), frozenset(competencies or ()))
        value = counted(competency, level)
        if value is None or competency not in rounds[round_id][3]:
            continue
        if relation is not None:  # a named answer: shown by name in the results
            named[(subject_id, competency)].append(value)
        else:
            by_round[(round_id, competency)].append(value)
    for (round_id, competency), levels in by_round.items():
        subject_id, anonymous, min_reviewers, _ = rounds[round_id]
        if anonymous and anonymous_answers.get(round_id, 0) >= min_reviewers and len(levels) >= min_reviewers:
            groups[(subject_id, competency)].append(levels)

    for key in set(named) | set(groups):
        subject_id, competency = key
        levels = named.get(key, []) + [level for group in groups.get(key, []) for level in group]
        if len(levels) >= minimum:
            found[subject_id][LEVEL_PREFIX + competency] = round(sum(levels) / len(levels), 2)
    return dict(found)


PRIVACY = "Counts only, never what anyone wrote; an anonymous piece counts for its subject, never for its author."
LEVEL_PRIVACY = (
    "Empty unless at least feedback.min_reviewers ratings stand behind it. Anonymous ratings count only in groups "
    "that are fixed and at least that large (a closed 360 round's anonymous answers as its results show them; a "
    "settled request's anonymous answers), so no single anonymous rating can be read, even by comparing exports.")

EXPORTS = (ExportSpec("feedback", 50, (
    ExportColumn("feedback_received", "Pieces of /feedback about the person written in the period (named and "
                 "anonymous; 360 rounds not included)", "feedback (subject_id, created_at)", PRIVACY, default=0),
    ExportColumn("feedback_given", "Named pieces of /feedback the person wrote in the period",
                 "feedback (author_id, anonymous, created_at)", PRIVACY, default=0),
    ExportColumn("level_<competency id>", "One column per competency of the framework: the mean level (1 to the "
                 "competency's number of levels) of the ratings about the person on it in the period: /feedback "
                 "with a level, and the answers of 360 rounds closed in the period",
                 "feedback (competency, level), feedback_requests, feedback_round_answers, feedback_round_ratings; "
                 "organisation config (feedback.competencies)", LEVEL_PRIVACY, names=level_columns),
), feedback_export),)
