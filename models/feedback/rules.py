"""Feedback: what valid feedback is, who hears about it, who may see it, and requests to peers.

- **Give.** Feedback is about one active person who is not the author and not a bot. The observed behaviour
  and a concrete example are required (an example is what makes feedback usable and fair: without one,
  feedback says more about the writer's impression than about the work); the impact, a competency of the
  framework and a level on its behaviour-anchored scale are optional. Text is counted as a reader sees it
  (`models.core.text`): invisible characters are not words. The author chooses who sees it: the recipient;
  the recipient and their managers; or their managers only. The recipient (or, for managers-only feedback,
  their manager) gets a DM through the outbox.
- **Request.** Someone asks up to `feedback.max_peers_per_request` peers for feedback about themselves, on an
  optional topic or competency. Each peer gets a DM (answer or decline) and one reminder; asking the same
  peer again while an earlier request is pending is refused with a clear message.
- **Anonymous answers.** A peer may answer a request anonymously when it asked at least
  `feedback.min_reviewers` people. The answer is then stored without an author and without the request row
  that asked them (only the request); the row records that they answered, with no time. The requester sees it
  as it arrives, unattributed; nobody else sees who wrote it either, HR admins and operators included.
- **See.** Every read goes through `models.access` (`private_feedback`, `manager_feedback`).

Every function only flushes; the caller's unit of work commits.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import Session, selectinload

from models import access
from models.core import outbox
from models.core.clock import clock_of
from models.core.config import OrgConfig
from models.core.messages import DomainError, Mention, _t
from models.core.tables import Person
from models.core.text import is_blank, visible_length
from models.feedback.tables import VISIBILITIES, Feedback, FeedbackRequest, FeedbackRequestPeer

TOPIC_MAX = 200
TOO_LONG = _t("At most {max} characters (you wrote {length}).")
EXAMPLE_NEEDED = _t("Add a concrete example: what happened, when. Feedback with an example is specific enough "
                    "to act on and fairer to the person, because it rests on what they did rather than on an "
                    "impression.")
NOT_FOUND = _t("That feedback request doesn't exist or isn't for you.")
ALREADY_ANSWERED = _t("You have already answered this request.")


class FeedbackError(DomainError):
    """A feedback request Candor refuses; nothing was written."""


@dataclass(frozen=True)
class FeedbackDraft:
    team_id: str
    author: Person
    subject: Person
    behaviour: str
    example: str
    source_key: str
    impact: str = ""
    competency: str | None = None
    level: int | None = None
    visibility: str | None = None  # default: feedback.default_visibility
    permalink: str | None = None
    request_peer_id: int | None = None  # the request this answers
    anonymous: bool = False  # an answer to a request, stored without its author


# -- who may see it ---------------------------------------------------------------------------------------


def viewer_of(person: Person, org: OrgConfig) -> access.Viewer:
    return access.Viewer.slack(person, org.hr.admins)


def can_see(session: Session, viewer: access.Viewer, feedback: Feedback) -> bool:
    if feedback.visibility == "manager":
        return access.can_see(session, viewer, access.RecordKind.MANAGER_FEEDBACK, owner=feedback.subject,
                              author=feedback.author)
    return access.can_see(session, viewer, access.RecordKind.PRIVATE_FEEDBACK, owner=feedback.subject,
                          author=feedback.author,
                          shared_with_manager=feedback.visibility == "recipient_and_manager")


def visible_where(viewer: access.Viewer) -> ColumnElement[bool]:
    """A WHERE clause keeping the feedback the viewer may see, in SQL (agrees with `can_see`). One policy
    clause (feedback shared with managers unless it is for the recipient alone), then managers-only feedback
    taken away from the person it is about: one org-chart query, not two."""
    c = Feedback.__table__.c
    rule = access.visible_where(viewer, access.RecordKind.PRIVATE_FEEDBACK, owner_id=c.subject_id,
                                author_id=c.author_id, team_id=c.team_id,
                                shared_with_manager=Feedback.visibility != "recipient")
    me = viewer.person
    if viewer.is_operator or me is None:
        return rule
    return and_(rule, or_(Feedback.visibility != "manager", Feedback.subject_id != me.id,
                          Feedback.author_id == me.id))


def received(session: Session, org: OrgConfig, viewer: Person, subject: Person, *, limit: int = 20,
             since: datetime | None = None) -> list[Feedback]:
    """Feedback about `subject` that the viewer may see, newest first."""
    query = (select(Feedback).where(Feedback.subject_id == subject.id, visible_where(viewer_of(viewer, org)))
             .options(selectinload(Feedback.author), selectinload(Feedback.subject))
             .order_by(Feedback.created_at.desc(), Feedback.id.desc()).limit(limit))
    if since is not None:
        query = query.where(Feedback.created_at >= since)
    return list(session.scalars(query))


def given(session: Session, author: Person, *, limit: int = 20) -> list[Feedback]:
    """Feedback the person wrote (an author always sees their own), newest first."""
    return list(session.scalars(
        select(Feedback).where(Feedback.author_id == author.id)
        .options(selectinload(Feedback.subject)).order_by(Feedback.created_at.desc(), Feedback.id.desc())
        .limit(limit)))


# -- giving -------------------------------------------------------------------------------------------------


EMPTY = _t("This can't be empty.")


def _text(value: str, field: str, org: OrgConfig, *, required: bool = False, message: str = EMPTY) -> str:
    value = (value or "").strip()
    if required and is_blank(value):
        raise FeedbackError(message, code="empty", field=field)
    length = visible_length(value)
    if length > org.feedback.max_text_length:
        raise FeedbackError(TOO_LONG, code="too_long", field=field, max=org.feedback.max_text_length,
                            length=length)
    return value


def check_recipient(author: Person, subject: Person, *, field: str = "subject") -> None:
    if subject.id == author.id:
        raise FeedbackError(_t("Feedback is for other people: ask for feedback on yourself with "
                               "`/feedback request @someone`."), code="self", field=field)
    if subject.is_bot:
        raise FeedbackError(_t("{user} is a bot or an app: feedback is for people."), code="bot", field=field,
                            user=Mention(subject.slack_user_id))
    if not subject.active:
        raise FeedbackError(_t("{user} has been deactivated and can't receive feedback."), code="deactivated",
                            field=field, user=Mention(subject.slack_user_id))


def give_feedback(session: Session, org: OrgConfig, draft: FeedbackDraft, *,
                  now: datetime | None = None) -> tuple[Feedback, bool]:
    """Validate and save feedback and its notifications. Returns it and whether this submission was new."""
    now = now or clock_of(session).now()
    existing = session.scalars(select(Feedback).where(Feedback.team_id == draft.team_id,
                                                      Feedback.source_key == draft.source_key)).one_or_none()
    if existing is not None:
        return existing, False
    author, subject = draft.author, draft.subject
    if not author.active or author.team_id != draft.team_id or subject.team_id != draft.team_id:
        raise FeedbackError(_t("You can't give feedback in this workspace."), code="not_allowed")
    check_recipient(author, subject)
    behaviour = _text(draft.behaviour, "behaviour", org, required=True,
                      message=_t("Say what you saw them do: the behaviour, not a judgement of the person."))
    impact = _text(draft.impact, "impact", org)
    example = _text(draft.example, "example", org, required=True, message=EXAMPLE_NEEDED)
    if visible_length(example) < org.feedback.min_example_length:
        raise FeedbackError(_t("The example is very short ({length} characters; at least {min}). {why}"),
                            code="example_short", field="example", length=visible_length(example),
                            min=org.feedback.min_example_length, why=_t(EXAMPLE_NEEDED))
    competency = None
    level = draft.level
    if draft.competency:
        found = org.feedback.competency(draft.competency)
        if found is None:
            raise FeedbackError(_t("{competency} isn't a competency here. The competencies are: {valid}."),
                                code="competency", field="competency", competency=draft.competency[:50],
                                valid=[c.id for c in org.feedback.competencies])
        if not found.applies_to(subject.department):
            raise FeedbackError(_t("{competency} isn't one of the competencies for {user}'s role."),
                                code="competency", field="competency", competency=found.name,
                                user=Mention(subject.slack_user_id))
        competency = found.id
        if level is not None and not 1 <= level <= len(found.levels):
            raise FeedbackError(_t("Pick a level from 1 to {max}."), code="level", field="level",
                                max=len(found.levels))
    elif level is not None:
        raise FeedbackError(_t("A level belongs to a competency: pick the competency too."), code="level_alone",
                            field="level")
    visibility = draft.visibility or org.feedback.default_visibility
    if visibility not in VISIBILITIES:
        raise FeedbackError(_t("Choose who sees this feedback."), code="visibility", field="visibility")
    if visibility == "manager" and (subject.manager is None or not subject.manager.active):
        raise FeedbackError(_t("{user} has no manager in Candor to send this to: choose who else sees it."),
                            code="no_manager", field="visibility", user=Mention(subject.slack_user_id))
    peer = None
    if draft.request_peer_id is not None:
        peer = load_request_peer(session, author, draft.request_peer_id)
        if peer.request.requester_id != subject.id:
            raise FeedbackError(NOT_FOUND, code="request_not_found")
        if peer.state == "answered":  # by another form (a double submit of one form was found above)
            raise FeedbackError(ALREADY_ANSWERED, code="answered")
    if draft.anonymous:
        _check_anonymous(org, peer)
    if peer is not None:  # a peer who declined may change their mind; an anonymous answer leaves no time
        # One statement: two forms sent at once (the DM and the Home) store one answer, not two.
        claimed = session.execute(
            update(FeedbackRequestPeer)
            .where(FeedbackRequestPeer.id == peer.id, FeedbackRequestPeer.state != "answered")
            .values(state="answered", answered_at=None if draft.anonymous else now)
            .execution_options(synchronize_session=False))
        if getattr(claimed, "rowcount", 0) != 1:
            raise FeedbackError(ALREADY_ANSWERED, code="answered")
        session.expire(peer, ["state", "answered_at"])
    feedback = Feedback(team_id=draft.team_id, author=None if draft.anonymous else author, subject=subject,
                        anonymous=draft.anonymous, competency=competency, level=level, behaviour=behaviour,
                        impact=impact, example=example, visibility=visibility, permalink=draft.permalink,
                        request_peer_id=peer.id if peer is not None and not draft.anonymous else None,
                        request_id=peer.request_id if peer is not None else None, created_at=now,
                        # Not the form's id, which the form's claim pairs with its sender: a random key. A double
                        # submit is stopped by the claim, and a second answer by the request row's state.
                        source_key=f"anonymous:{secrets.token_hex(16)}" if draft.anonymous else draft.source_key)
    session.add(feedback)
    session.flush()
    _notify(session, feedback)
    return feedback, True


def may_answer_anonymously(org: OrgConfig, request: FeedbackRequest) -> bool:
    """An answer to a request may be anonymous when at least `feedback.min_reviewers` of the people it asked
    have not declined (declines are announced to the requester): with fewer, the requester would know who
    wrote it. Once an anonymous answer came, later declines are no longer announced (`decline_request`)."""
    return sum(1 for p in request.peers if p.state != "declined") >= org.feedback.min_reviewers


def has_anonymous_answer(session: Session, request_id: int) -> bool:
    return session.scalar(select(Feedback.id).where(Feedback.request_id == request_id,
                                                    Feedback.anonymous.is_(True)).limit(1)) is not None


def answered_anonymously(session: Session, rows: Sequence[FeedbackRequestPeer]) -> set[int]:
    """The rows among these that were answered with no named answer linked to them: answered anonymously. To
    the requester they look as pending as ever (a duplicate request, the export)."""
    answered = [r.id for r in rows if r.state == "answered"]
    if not answered:
        return set()
    named = set(session.scalars(select(Feedback.request_peer_id).where(Feedback.request_peer_id.in_(answered))))
    return set(answered) - named


def _check_anonymous(org: OrgConfig, peer: FeedbackRequestPeer | None) -> None:
    if peer is None:
        raise FeedbackError(_t("Only an answer to a feedback request can be anonymous; feedback you give on your "
                               "own carries your name."), code="anonymous", field="anonymous")
    if not may_answer_anonymously(org, peer.request):
        raise FeedbackError(_t("This request asked fewer than {min} people, so an answer can't stay anonymous: it "
                               "carries your name."), code="anonymous", field="anonymous",
                            min=org.feedback.min_reviewers)


def _notify(session: Session, feedback: Feedback) -> None:
    """The recipient hears of feedback they may see; managers-only feedback goes to the manager instead."""
    subject = feedback.subject
    if feedback.visibility == "manager":
        manager = subject.manager
        if manager is None or not manager.active or manager.id == feedback.author_id:
            return  # (the manager wrote it: nobody else to tell)
        recipient, kind = manager, "feedback.for_manager"
    else:
        recipient, kind = subject, "feedback.received"
    outbox.enqueue(session, team_id=feedback.team_id, kind=kind, recipient=recipient,
                   key=outbox.dedupe_key(kind, feedback.team_id, recipient.slack_user_id, f"feedback-{feedback.id}"),
                   payload={"feedback_id": feedback.id})


# -- requests -----------------------------------------------------------------------------------------------


def request_feedback(session: Session, org: OrgConfig, requester: Person, peers: Sequence[Person], *,
                     source_key: str, topic: str = "", now: datetime | None = None
                     ) -> tuple[FeedbackRequest, bool]:
    """Ask peers for feedback about the requester. Returns the request and whether it was new. A topic that
    names a competency (its id) records that competency."""
    now = now or clock_of(session).now()
    existing = session.scalars(select(FeedbackRequest).where(FeedbackRequest.team_id == requester.team_id,
                                                             FeedbackRequest.source_key == source_key)).one_or_none()
    if existing is not None:
        return existing, False
    unique = list({p.id: p for p in peers}.values())
    if not unique:
        raise FeedbackError(_t("Whom should I ask? Mention them: `/feedback request @ana @li about the launch`."),
                            code="no_peers", field="peers")
    cap = org.feedback.max_peers_per_request
    if len(unique) > cap:
        raise FeedbackError(_t("Ask at most {max} people at a time: a few who saw your work closely give the "
                               "most useful feedback."), code="too_many_peers", field="peers", max=cap)
    for peer in unique:
        if peer.id == requester.id:
            raise FeedbackError(_t("Ask other people for feedback on your work, not yourself."), code="self",
                                field="peers")
        check_recipient(requester, peer, field="peers")
    topic = (topic or "").strip()
    length = visible_length(topic)
    if length > TOPIC_MAX:
        raise FeedbackError(TOO_LONG, code="too_long", field="topic", max=TOPIC_MAX, length=length)
    # Pending, or answered anonymously: both look pending to the requester, or the message would say who wrote
    # the anonymous answer.
    rows = list(session.scalars(
        select(FeedbackRequestPeer).join(FeedbackRequest, FeedbackRequest.id == FeedbackRequestPeer.request_id)
        .where(FeedbackRequest.requester_id == requester.id, FeedbackRequestPeer.state.in_(("pending", "answered")),
               FeedbackRequestPeer.peer_id.in_([p.id for p in unique]))
        .options(selectinload(FeedbackRequestPeer.peer)).order_by(FeedbackRequestPeer.id)))
    anonymous = answered_anonymously(session, rows)
    pending = list({r.peer_id: r.peer for r in rows if r.state == "pending" or r.id in anonymous}.values())
    if pending:
        raise FeedbackError(_t("You have already asked {users} and they haven't answered yet; they'll get a "
                               "reminder."), code="duplicate", field="peers",
                            users=[Mention(p.slack_user_id) for p in pending])
    found = org.feedback.competency(topic.split()[0] if topic else None)
    request = FeedbackRequest(team_id=requester.team_id, requester=requester, topic=topic,
                              competency=found.id if found is not None else None, created_at=now,
                              source_key=source_key,
                              peers=[FeedbackRequestPeer(peer=p, state="pending") for p in unique])
    session.add(request)
    session.flush()
    for row in request.peers:
        outbox.enqueue(session, team_id=request.team_id, kind="feedback.request", recipient=row.peer,
                       key=outbox.dedupe_key("feedback.request", request.team_id, row.peer.slack_user_id,
                                             f"request-{row.id}"),
                       payload={"request_peer_id": row.id})
    return request, True


def load_request_peer(session: Session, person: Person, request_peer_id: int) -> FeedbackRequestPeer:
    """The request row asking this person, or `FeedbackError` (the same whether it exists or not)."""
    row = session.get(FeedbackRequestPeer, request_peer_id) if 0 < request_peer_id <= 2**31 - 1 else None
    if row is None or row.peer_id != person.id:
        raise FeedbackError(NOT_FOUND, code="request_not_found")
    return row


def decline_request(session: Session, person: Person, request_peer_id: int, *,
                    now: datetime | None = None) -> FeedbackRequestPeer:
    """The peer declines; the requester is told, kindly. Declining twice changes nothing."""
    now = now or clock_of(session).now()
    row = load_request_peer(session, person, request_peer_id)
    if row.state == "answered":
        raise FeedbackError(_t("You have already answered this request."), code="answered")
    if row.state == "pending":
        row.state, row.declined_at = "declined", now
        requester = row.request.requester
        if has_anonymous_answer(session, row.request_id):  # who declined would narrow down who answered
            session.flush()
            return row
        outbox.enqueue(session, team_id=requester.team_id, kind="feedback.declined", recipient=requester,
                       key=outbox.dedupe_key("feedback.declined", requester.team_id, requester.slack_user_id,
                                             f"declined-{row.id}"),
                       payload={"request_peer_id": row.id})
        session.flush()
    return row


def waiting_for(session: Session, person: Person, *, limit: int = 20) -> list[FeedbackRequestPeer]:
    """Requests asking this person that they have not answered or declined, oldest first."""
    return list(session.scalars(
        select(FeedbackRequestPeer).where(FeedbackRequestPeer.peer_id == person.id,
                                          FeedbackRequestPeer.state == "pending")
        .options(selectinload(FeedbackRequestPeer.request).selectinload(FeedbackRequest.requester))
        .order_by(FeedbackRequestPeer.id).limit(limit)))
