"""Kudos: the rules for giving recognition, and the queries that show it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from models.core import outbox
from models.core.clock import clock_of
from models.core.messages import DomainError, Mention, _t, say
from models.core.ports import Directory
from models.core.tables import Person
from models.core.text import is_channel_id, is_slack_permalink, visible_length
from models.core.weeks import monday_of
from models.core.zones import zone_of
from models.kudos.tables import Kudos, KudosRecipient, KudosValue
from models.people import ensure_people, person_by_slack_id

# Which form field a rejection belongs to, so a modal can show it inline.
RECIPIENTS, VALUES, MESSAGE = "recipients", "values", "message"
UNKNOWN_USER = _t("Slack doesn't know {user} in this workspace.")


@dataclass(frozen=True)
class KudosRules:
    """The organisation's kudos settings the rules need (from `OrgConfig`)."""

    values: tuple[str, ...]
    min_message_length: int = 20
    max_message_length: int = 1000
    max_recipients: int = 10
    weekly_allowance: int | None = None
    announce: str = "origin"  # channel | origin | none
    channel: str | None = None
    default_timezone: str = "UTC"


@dataclass(frozen=True)
class KudosDraft:
    team_id: str
    giver: str
    recipients: tuple[str, ...]
    message: str
    values: tuple[str, ...] = ()
    source_key: str = ""
    origin_channel_id: str | None = None
    permalink: str | None = None


class KudosRejected(DomainError):
    """A kudos that breaks a rule; nothing was written. `code` names the rule, `field` the form field."""


@dataclass(frozen=True)
class GiveResult:
    kudos: Kudos
    created: bool  # False when the same submission had already been saved (double submit)
    remaining_this_week: int | None


def give_kudos(
    session: Session, draft: KudosDraft, rules: KudosRules, directory: Directory, *, now: datetime | None = None
) -> GiveResult:
    """Validate and save one kudos with its recipients, values and outbox messages. Only flushes.

    Raises `KudosRejected` (nothing written) when a rule is broken.
    """
    now = now or clock_of(session).now()
    if draft.source_key:
        existing = session.scalars(
            select(Kudos).where(Kudos.team_id == draft.team_id, Kudos.source_key == draft.source_key)
        ).one_or_none()
        if existing is not None:
            loaded = get_kudos(session, existing.id)
            assert loaded is not None
            return GiveResult(loaded, created=False, remaining_this_week=None)

    values = _check_values(draft.values, rules)
    message = _check_message(draft.message, rules)
    recipient_ids = list(dict.fromkeys(draft.recipients))  # de-duplicate, keep order
    if not recipient_ids:
        raise KudosRejected(_t("Who is it for? Mention someone: `/kudos @ana for the calm launch #customer-focus`."),
                            code="no_recipients", field=RECIPIENTS)
    if draft.giver in recipient_ids:
        raise KudosRejected(_t("Kudos are for other people: you can't give kudos to yourself."), code="self",
                            field=RECIPIENTS)
    if len(recipient_ids) > rules.max_recipients:
        raise KudosRejected(_t("At most {max} people per kudos: split it into a few, each with its own words."),
                            code="too_many_recipients", field=RECIPIENTS, max=rules.max_recipients)

    people = ensure_people(session, draft.team_id, [draft.giver, *recipient_ids], directory)
    giver = people[draft.giver]
    if giver is None:
        raise KudosRejected(UNKNOWN_USER, code="unknown_giver", field=RECIPIENTS, user=say(_t("you")))
    recipients: list[Person] = []
    for uid in recipient_ids:
        person = people[uid]
        if person is None:
            raise KudosRejected(UNKNOWN_USER, code="unknown_user", field=RECIPIENTS, user=Mention(uid))
        if person.is_bot:
            raise KudosRejected(_t("{user} is a bot or an app: kudos are for people."), code="bot", field=RECIPIENTS,
                                user=Mention(uid))
        if person.is_deleted or person.erased_at is not None:
            raise KudosRejected(_t("{user} has been deactivated and can't receive kudos."), code="deactivated",
                                field=RECIPIENTS, user=Mention(uid))
        recipients.append(person)

    remaining = None
    if rules.weekly_allowance is not None:
        used = given_this_week(session, giver, rules.default_timezone, now=now)
        left = rules.weekly_allowance - used
        if len(recipients) > left:
            raise KudosRejected(
                _t("You can give {allowance} kudos a week and have {left} left; this one would need {wanted}."),
                code="allowance", field=RECIPIENTS,
                allowance=rules.weekly_allowance, left=max(left, 0), wanted=len(recipients),
            )
        remaining = left - len(recipients)

    kudos = Kudos(
        team_id=draft.team_id,
        giver=giver,
        message=message,
        # Both came from Slack (the command's payload, chat.getPermalink) through sealed state; checked again
        # here so that nothing else can ever be announced or linked.
        origin_channel_id=draft.origin_channel_id if is_channel_id(draft.origin_channel_id) else None,
        permalink=draft.permalink if is_slack_permalink(draft.permalink) else None,
        source_key=draft.source_key or f"auto:{now.timestamp()}:{draft.giver}",
        recipients=[KudosRecipient(person=p, position=i) for i, p in enumerate(recipients)],
        values=[KudosValue(value=v) for v in values],
        created_at=now,
    )
    session.add(kudos)
    session.flush()
    _enqueue_messages(session, kudos, rules)
    return GiveResult(kudos, created=True, remaining_this_week=remaining)


def _check_values(requested: tuple[str, ...], rules: KudosRules) -> list[str]:
    wanted = list(dict.fromkeys(v.lower().lstrip("#") for v in requested))
    unknown = [v for v in wanted if v not in rules.values]
    if unknown:
        raise KudosRejected(_t("Unknown value {unknown}. The values are: {valid}."), code="unknown_values",
                            field=VALUES, unknown=[f"#{v}" for v in unknown],
                            valid=[f"#{v}" for v in rules.values] or say(_t("(none configured)")))
    return wanted


def _check_message(message: str, rules: KudosRules) -> str:
    """The minimum counts what a reader sees (`models.text`): zero-width characters are not words."""
    message = message.strip()
    seen = visible_length(message)
    if not seen:
        raise KudosRejected(_t("Say what was good: a message of at least {min} characters is required."),
                            code="message_required", field=MESSAGE, min=rules.min_message_length)
    if seen < rules.min_message_length:
        raise KudosRejected(
            _t("Please say a little more about what was good: at least {min} characters (you wrote {length})."),
            code="message_too_short", field=MESSAGE, min=rules.min_message_length, length=seen)
    if len(message) > rules.max_message_length:
        raise KudosRejected(_t("That message is too long: at most {max} characters (you wrote {length})."),
                            code="message_too_long", field=MESSAGE, max=rules.max_message_length, length=len(message))
    return message


def _enqueue_messages(session: Session, kudos: Kudos, rules: KudosRules) -> None:
    """The public post, one DM per recipient, and Home tab refreshes: all in this transaction."""
    team = kudos.team_id
    channel = rules.channel if rules.announce == "channel" else kudos.origin_channel_id
    if channel and channel.startswith("D"):  # /kudos typed in a DM: announce in the kudos channel, if any
        channel = rules.channel
    cause = f"kudos-{kudos.id}"
    messages: list[outbox.Outgoing] = []
    if rules.announce != "none" and channel:
        messages.append(outbox.Outgoing(kind="kudos.announce", channel_id=channel, payload={"kudos_id": kudos.id},
                                        key=outbox.dedupe_key("kudos.announce", team, channel, cause)))
    for link in kudos.recipients:
        person = link.person
        messages.append(outbox.Outgoing(kind="kudos.dm", recipient=person, payload={"kudos_id": kudos.id},
                                        key=outbox.dedupe_key("kudos.dm", team, person.slack_user_id, cause)))
    messages += [outbox.home_refresh(session, link.person, cause=cause) for link in kudos.recipients]
    messages.append(outbox.home_refresh(session, kudos.giver, cause=cause))
    outbox.enqueue_all(session, team, messages)  # one statement for the post, the DMs and the refreshes


def local_week_start(now: datetime, tz: str | None, default_tz: str = "UTC") -> datetime:
    """Monday 00:00 of the person's current local week, as an aware datetime (an unknown zone: the default)."""
    zone = zone_of(tz, default_tz)
    monday = monday_of(now.astimezone(zone).date())
    return datetime(monday.year, monday.month, monday.day, tzinfo=zone)


def given_this_week(session: Session, giver: Person, default_tz: str, *, now: datetime | None = None) -> int:
    """Recipients this person recognised since Monday 00:00 in their own time zone."""
    start = local_week_start(now or clock_of(session).now(), giver.tz, default_tz)
    return int(
        session.scalar(
            select(func.count())
            .select_from(KudosRecipient)
            .join(Kudos, Kudos.id == KudosRecipient.kudos_id)
            .where(Kudos.giver_id == giver.id, Kudos.created_at >= start)
        )
        or 0
    )


def get_kudos(session: Session, kudos_id: int) -> Kudos | None:
    return session.scalars(
        select(Kudos)
        .where(Kudos.id == kudos_id)
        .options(
            selectinload(Kudos.recipients).selectinload(KudosRecipient.person),
            selectinload(Kudos.values),
            selectinload(Kudos.giver),
        )
    ).one_or_none()


@dataclass(frozen=True)
class KudosSummary:
    """What the App Home shows a person about their kudos."""

    person: Person | None
    received: list[Kudos]
    given: list[Kudos]
    received_total: int
    given_total: int
    per_value: list[tuple[str, int]]  # values on kudos received, most frequent first


def summary_for(session: Session, team_id: str, user_id: str, *, limit: int = 5) -> KudosSummary:
    person = person_by_slack_id(session, team_id, user_id)
    if person is None:
        return KudosSummary(None, [], [], 0, 0, [])
    opts = (
        selectinload(Kudos.recipients).selectinload(KudosRecipient.person),
        selectinload(Kudos.values),
        selectinload(Kudos.giver),
    )
    received_q = (
        select(Kudos).join(KudosRecipient, KudosRecipient.kudos_id == Kudos.id)
        .where(KudosRecipient.person_id == person.id)
    )
    given_q = select(Kudos).where(Kudos.giver_id == person.id)
    newest = (Kudos.created_at.desc(), Kudos.id.desc())
    received = list(session.scalars(received_q.options(*opts).order_by(*newest).limit(limit)))
    given = list(session.scalars(given_q.options(*opts).order_by(*newest).limit(limit)))
    received_total = session.scalar(select(func.count()).select_from(received_q.subquery())) or 0
    given_total = session.scalar(select(func.count()).select_from(given_q.subquery())) or 0
    counts: Counter[str] = Counter(
        dict(
            session.execute(
                select(KudosValue.value, func.count())
                .join(KudosRecipient, KudosRecipient.kudos_id == KudosValue.kudos_id)
                .where(KudosRecipient.person_id == person.id)
                .group_by(KudosValue.value)
            ).all()
        )
    )
    per_value = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return KudosSummary(person, received, given, int(received_total), int(given_total), per_value)
