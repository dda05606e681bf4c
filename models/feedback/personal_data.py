"""How the feedback tables hold personal data, for export and erasure.

- **Export** (for the person): the feedback they wrote, every visibility (their own words); the feedback about
  them that they may see (for the recipient, or for the recipient and their managers). Feedback written for
  their managers only stays out of their own export: the access policy (`manager_feedback`) keeps it from the
  person it is about, and an export must not open a way around it (a data-protection request for it is
  handled by the operator, case by case). Requests they made, with whom they asked and each answer's state (a
  peer who answered anonymously shows as `pending`, as everywhere the requester looks); requests that asked
  them. An anonymous answer is in
  nobody's "given": nothing links it to its author.
- **Erasure**: the words of feedback they wrote are replaced (`REMOVED_TEXT`); the words of feedback about them
  are replaced too (`REMOVED_ABOUT_TEXT`, as managers' replies to their check-ins are). Competencies, levels,
  visibilities and dates stay, for counts. Links to the message the feedback was about are cleared in both.
  The topics of requests they made are replaced.
- **360 rounds.** Export: the rounds about them (who started them, deadline, state), the rounds they started,
  the rounds that asked them (with their state), and their *named* answers (the manager's answer, or any
  answer to a named round). An anonymous answer is not in anyone's export: it keeps no link to its author,
  so nobody, the author included, can be shown to have written it. Erasure: their named answers' words are
  replaced (`REMOVED_TEXT`); the words of every answer about them are replaced (`REMOVED_ABOUT_TEXT`); levels
  stay. An erased reviewer's anonymous answer stays in its round's aggregate, as it never pointed to them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, selectinload

from models.core.personal_data import REMOVED_ABOUT_TEXT, REMOVED_TEXT, Erasure, PersonalData, iso, ref, rowcount
from models.core.tables import Person
from models.feedback.rules import answered_anonymously
from models.feedback.tables import (
    Feedback,
    FeedbackRequest,
    FeedbackRequestPeer,
    FeedbackRound,
    FeedbackRoundAnswer,
    FeedbackRoundRating,
    FeedbackRoundReviewer,
)


def _feedback_row(f: Feedback, *, who: str, person: Person | None) -> dict[str, Any]:
    return {"id": f.id, who: ref(person), "anonymous": f.anonymous, "competency": f.competency, "level": f.level,
            "behaviour": f.behaviour,
            "impact": f.impact, "example": f.example, "visibility": f.visibility, "permalink": f.permalink,
            "created_at": iso(f.created_at), "request_peer_id": f.request_peer_id}


def _export_feedback(session: Session, person: Person) -> dict[str, Any]:
    written = session.scalars(select(Feedback).where(Feedback.author_id == person.id)
                              .options(selectinload(Feedback.subject)).order_by(Feedback.created_at, Feedback.id))
    about = session.scalars(select(Feedback).where(Feedback.subject_id == person.id, Feedback.visibility != "manager")
                            .options(selectinload(Feedback.author)).order_by(Feedback.created_at, Feedback.id))
    return {
        "given": [_feedback_row(f, who="about", person=f.subject) for f in written],
        "received": [_feedback_row(f, who="from", person=f.author) for f in about],
    }


def _export_requests(session: Session, person: Person) -> dict[str, Any]:
    made = list(session.scalars(select(FeedbackRequest).where(FeedbackRequest.requester_id == person.id)
                           .options(selectinload(FeedbackRequest.peers).selectinload(FeedbackRequestPeer.peer))
                           .order_by(FeedbackRequest.created_at, FeedbackRequest.id)))
    asked = session.scalars(select(FeedbackRequestPeer).where(FeedbackRequestPeer.peer_id == person.id)
                            .options(selectinload(FeedbackRequestPeer.request).selectinload(FeedbackRequest.requester))
                            .order_by(FeedbackRequestPeer.id))
    # A peer who answered with feedback for the requester's managers only: to the requester that answer does
    # not exist (`manager_feedback`), so neither does the fact or the time of it.
    for_managers = set(session.scalars(select(Feedback.request_peer_id).where(
        Feedback.visibility == "manager",
        Feedback.request_peer_id.in_([p.id for r in made for p in r.peers])))) if made else set()
    # A peer who answered anonymously: that they answered would point at the anonymous answer, so to the
    # requester they look pending, like everyone who has not answered.
    anonymous = answered_anonymously(session, [p for r in made for p in r.peers])

    def seen(p: FeedbackRequestPeer) -> dict[str, Any]:
        hidden = p.id in for_managers or p.id in anonymous
        state = "pending" if hidden else p.state
        return {"peer": ref(p.peer), "state": state,
                "answered_at": None if hidden else iso(p.answered_at), "declined_at": iso(p.declined_at)}

    return {
        "made": [{"id": r.id, "topic": r.topic, "competency": r.competency, "created_at": iso(r.created_at),
                  "asked": [seen(p) for p in r.peers]} for r in made],
        "asked_of_them": [{"request_id": p.request_id, "from": ref(p.request.requester), "topic": p.request.topic,
                           "competency": p.request.competency, "created_at": iso(p.request.created_at),
                           "state": p.state, "answered_at": iso(p.answered_at), "declined_at": iso(p.declined_at),
                           "reminded_at": iso(p.reminded_at)} for p in asked],
    }


def _erase_feedback_about(ctx: Erasure) -> None:
    """Feedback about the erased person is about them: its words replaced; message links cleared."""
    c = Feedback.__table__.c
    about = (Feedback.subject_id == ctx.person.id) & or_(Feedback.author_id.is_(None),
                                                         Feedback.author_id != ctx.person.id)
    ctx.replace(c.behaviour, about, REMOVED_ABOUT_TEXT)
    ctx.replace(c.example, about, REMOVED_ABOUT_TEXT)
    ctx.replace(c.impact, about & (Feedback.impact != ""), REMOVED_ABOUT_TEXT)
    linked = (Feedback.subject_id == ctx.person.id) | (Feedback.author_id == ctx.person.id)
    result = ctx.session.execute(update(Feedback).where(linked, Feedback.permalink.is_not(None))
                                 .values(permalink=None).execution_options(synchronize_session=False))
    ctx.report.count(ctx.report.redacted, "feedback", rowcount(result))


def _round_row(r: FeedbackRound) -> dict[str, Any]:
    return {"id": r.id, "about": ref(r.subject), "started_by": ref(r.started_by), "anonymous": r.anonymous,
            "competencies": list(r.competencies), "deadline": iso(r.deadline), "created_at": iso(r.created_at),
            "closed_at": iso(r.closed_at), "cancelled_at": iso(r.cancelled_at)}


def _export_rounds(session: Session, person: Person) -> dict[str, Any]:
    def rounds(where: Any) -> list[FeedbackRound]:
        return list(session.scalars(select(FeedbackRound).where(where).order_by(FeedbackRound.id)
                                    .options(selectinload(FeedbackRound.subject),
                                             selectinload(FeedbackRound.started_by))))

    asked = session.scalars(select(FeedbackRoundReviewer).where(FeedbackRoundReviewer.reviewer_id == person.id)
                            .options(selectinload(FeedbackRoundReviewer.round).selectinload(FeedbackRound.subject))
                            .order_by(FeedbackRoundReviewer.id))
    answers = session.scalars(select(FeedbackRoundAnswer).where(FeedbackRoundAnswer.author_id == person.id)
                              .options(selectinload(FeedbackRoundAnswer.ratings)).order_by(FeedbackRoundAnswer.round_id))
    return {
        "about_them": [_round_row(r) for r in rounds(FeedbackRound.subject_id == person.id)],
        "started": [_round_row(r) for r in rounds(FeedbackRound.started_by_id == person.id)],
        "asked_to_review": [{"round_id": row.round_id, "about": ref(row.round.subject), "relation": row.relation,
                             "state": row.state} for row in asked],
        "named_answers": [{"round_id": a.round_id, "relation": a.relation, "strengths": a.strengths,
                           "improve": a.improve,
                           "ratings": [{"competency": r.competency, "level": r.level, "example": r.example}
                                       for r in a.ratings]} for a in answers],
    }


def _erase_round_words(ctx: Erasure) -> None:
    """Answers about the erased person lose their words; so do the ratings of answers they signed."""
    about = select(FeedbackRoundAnswer.id).join(FeedbackRound, FeedbackRound.id == FeedbackRoundAnswer.round_id) \
        .where(FeedbackRound.subject_id == ctx.person.id)
    a, r = FeedbackRoundAnswer.__table__.c, FeedbackRoundRating.__table__.c
    ctx.replace(a.strengths, a.id.in_(about) & (a.strengths != ""), REMOVED_ABOUT_TEXT)
    ctx.replace(a.improve, a.id.in_(about) & (a.improve != ""), REMOVED_ABOUT_TEXT)
    ctx.replace(r.example, r.answer_id.in_(about) & (r.example != ""), REMOVED_ABOUT_TEXT)
    signed = select(FeedbackRoundAnswer.id).where(FeedbackRoundAnswer.author_id == ctx.person.id)
    ctx.replace(r.example, r.answer_id.in_(signed) & (r.example != "") & (r.example != REMOVED_ABOUT_TEXT),
                REMOVED_TEXT)


PERSONAL_DATA = (
    PersonalData(
        table="feedback",
        person_columns=("author_id", "subject_id"),
        owner_columns=("author_id",),
        content_columns=("behaviour", "impact", "example"),
        text_columns=("behaviour", "impact", "example", "source_key"),
        replacement=REMOVED_TEXT,
        exporter=_export_feedback,
        eraser=_erase_feedback_about,
        description="Export: feedback they wrote, and feedback about them they may see (not feedback for their "
        "managers only). Erasure: the words of feedback they wrote, and of feedback about them, replaced; "
        "competencies, levels and dates stay; message links cleared; their name redacted elsewhere.",
    ),
    PersonalData(
        table="feedback_requests",
        person_columns=("requester_id",),
        owner_columns=("requester_id",),
        content_columns=("topic",),
        text_columns=("topic", "source_key"),
        exporter=_export_requests,
        description="Export: requests they made (whom they asked, each answer's state) and requests that asked "
        "them. Erasure: the topics of requests they made replaced.",
    ),
    PersonalData(
        table="feedback_request_peers",
        person_columns=("peer_id",),
        on_erase="keep",
        export=False,  # in the requests section
        description="Who was asked and whether they answered: ids and states only (exported with the requests).",
    ),
    PersonalData(
        table="feedback_rounds",
        person_columns=("subject_id", "started_by_id"),
        owner_columns=(),
        text_columns=("source_key",),
        exporter=_export_rounds,
        eraser=_erase_round_words,
        description="Export: 360 rounds about them, started by them or asking them, and their named answers. "
        "Erasure: the words of answers about them, and of their named answers, replaced; levels stay; anonymous "
        "answers stay in aggregates (they never pointed to anyone).",
    ),
    PersonalData(
        table="feedback_round_reviewers",
        person_columns=("reviewer_id",),
        on_erase="keep",
        export=False,  # in the rounds section
        description="Who was asked to review and whether they took part: ids and states only.",
    ),
    PersonalData(
        table="feedback_round_answers",
        person_columns=("author_id",),
        owner_columns=("author_id",),
        content_columns=("strengths", "improve"),
        text_columns=("strengths", "improve"),
        export=False,  # named answers are in the rounds section; anonymous ones have no author
        description="Answers to 360 rounds. Only named answers (the manager's, or a named round's) carry an "
        "author; erasure replaces their words. Anonymous answers have no author to erase or export.",
    ),
    PersonalData(
        table="feedback_round_ratings",
        text_columns=("example",),
        export=False,
        description="Levels and examples of 360 answers, linked only to their answer (see the rounds entry).",
    ),
)
