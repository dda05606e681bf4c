"""Kudos listeners: `/kudos`, the "Give kudos" shortcuts and Home button, the modal; outbox renderers."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field
from slack_sdk.errors import SlackApiError
from slack_sdk.models.views import View
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.blocks import form_expired
from bot.i18n import Translator
from bot.payloads import SlashCommand
from bot.registry import KudosExtension, PartRefused
from bot.sealed import Sealer
from bot.services import LOOKUP_RESERVE, LOOKUP_TIMEOUT, mention_names, name_of, team_of, user_of
from bot.slack import describe_exception
from bot.text import parse_kudos_text
from handlers.kudos import views as views
from handlers.kudos.ids import KudosIds
from models.core.config import OrgConfig
from models.core.messages import Message
from models.core.text import is_slack_permalink
from models.kudos import GiveResult, KudosDraft, KudosRejected, KudosRules, give_kudos

if TYPE_CHECKING:
    from slack_bolt import Ack, App

    from bot.services import Services

log = logging.getLogger(__name__)


# -- payloads ---------------------------------------------------------------------------------


class KudosCommand(SlashCommand):
    """/kudos, as Slack sends it."""


class KudosSubmission(BaseModel):
    team_id: str
    user_id: str
    view_id: str
    recipients: list[str] = Field(default_factory=list)
    values: list[str] = Field(default_factory=list)
    message: str = ""
    # From the modal's sealed state (see `modal`): None when it was not sealed by us for this user.
    origin: dict[str, Any] | None = None

    @classmethod
    def from_body(cls, body: dict[str, Any], sealer: Sealer) -> KudosSubmission:
        view = body["view"]
        state = view.get("state", {}).get("values", {})

        def field(block: str, action: str) -> dict[str, Any]:
            return dict(state.get(block, {}).get(action, {}))

        values = field(KudosIds.VALUES_BLOCK, KudosIds.VALUES_ACTION).get("selected_options") or []
        return cls(
            team_id=team_of(body),
            user_id=user_of(body),
            view_id=view["id"],
            recipients=field(KudosIds.RECIPIENTS_BLOCK, KudosIds.RECIPIENTS_ACTION).get("selected_users") or [],
            values=[o["value"] for o in values],
            message=field(KudosIds.MESSAGE_BLOCK, KudosIds.MESSAGE_ACTION).get("value") or "",
            origin=sealer.open(KudosIds.MODAL, user_of(body), view.get("private_metadata")),
        )


def rules_from(org: OrgConfig) -> KudosRules:
    k = org.kudos
    return KudosRules(
        values=tuple(v.name for v in org.values),
        min_message_length=k.min_message_length,
        max_message_length=k.max_message_length,
        max_recipients=k.max_recipients,
        weekly_allowance=k.weekly_allowance,
        announce=k.announce,
        channel=k.channel,
        default_timezone=org.schedule.default_timezone,
    )


# -- other features' parts of a kudos (`bot.registry.KudosExtension`) ------------------------------------------


@cache
def _all_parts() -> tuple[KudosExtension, ...]:
    # The features' joined Slack sides: the runtime is the one place that loads them.
    from bot.runtime import slack_registry

    return slack_registry().kudos_extensions


def kudos_parts(org: OrgConfig) -> tuple[KudosExtension, ...]:
    """The parts other features add to a kudos, those the organisation has turned on."""
    return tuple(part for part in _all_parts() if part.enabled(org))


Claims = list[tuple[KudosExtension, Any]]  # each part and what it read from the request


def word_claims(parts: Sequence[KudosExtension], words: list[str]) -> Claims:
    claims: Claims = []
    for part in parts:
        if part.word_prefix and part.read_words is not None:
            mine = [word for word in words if word.startswith(part.word_prefix)]
            reading = part.read_words(mine) if mine else None
            if reading is not None:
                claims.append((part, reading))
    return claims


def modal(services: Services, t: Translator, user_id: str, *, team_id: str = "",
          recipients: list[str] | None = None, permalink: str | None = None, channel_id: str | None = None) -> View:
    """The kudos form. Where it came from (the channel of the command or message, the message's permalink)
    is sealed into its metadata for this user: the submission can neither forge nor redirect it. Other
    features' fields (a goal) are added for a giver of `team_id` (none without it), with what they seal."""
    k = services.org.kudos
    extra: list[Any] = []
    sealed_parts: dict[str, Any] = {}
    parts = kudos_parts(services.org) if team_id else ()
    if parts:
        with services.db.reading() as session:
            for part in parts:
                found = part.blocks(session, team_id, user_id, t, services.org, recipients or ())
                if found is not None:
                    extra += found.blocks
                    if found.sealed:
                        sealed_parts[part.name] = found.sealed
    origin: dict[str, Any] = {"permalink": permalink, "channel": channel_id}
    if sealed_parts:
        origin["parts"] = sealed_parts
    meta = services.sealer.seal(KudosIds.MODAL, user_id, origin)
    return views.kudos_modal(
        t, services.org.values, min_length=k.min_message_length, max_length=k.max_message_length,
        max_recipients=k.max_recipients, recipients=recipients, permalink=permalink, private_metadata=meta,
        extra_blocks=extra,
    )


# -- listeners --------------------------------------------------------------------------------


def register(app: App, services: Services) -> None:
    _all_parts()  # joined once, now: a mistake in another feature's part shows at start, not at a request

    def give(draft: KudosDraft, names: dict[str, str], claims: Sequence[tuple[KudosExtension, Any]] = ()
             ) -> tuple[GiveResult | None, KudosRejected | PartRefused | None, list[Message]]:
        """Save the kudos and what other features' parts of it ask (a goal it names), in one unit of work: a
        rule or a part that refuses writes nothing. Returns the result, the refusal and the parts' notes."""
        # Ask Slack about people we have never seen before the transaction, not inside it, and only as far
        # as the request has time: whoever Slack cannot tell us about now is recorded from the payload.
        directory = services.lookup_people(draft.team_id, [draft.giver, *draft.recipients], names)

        def save(session: Session) -> tuple[GiveResult, list[Message]]:
            result = give_kudos(session, draft, rules_from(services.org), directory)
            notes: list[Message] = []
            if result.created:  # a double submit: the first one recorded the parts
                for part, reading in claims:
                    note = part.apply(session, result.kudos.id, result.kudos.giver, services.org, reading)
                    if note is not None:
                        notes.append(note)
            return result, notes

        try:
            try:
                with services.unit_of_work() as session:
                    result, notes = save(session)
            except IntegrityError:  # the same submission saved concurrently (a double click): show that one
                with services.unit_of_work() as session:
                    result, notes = save(session)
                return result, None, notes
        except (KudosRejected, PartRefused) as err:  # raised inside the unit of work: nothing was written
            return None, err, []
        services.recorded(draft.team_id, [draft.giver, *draft.recipients], directory)
        return result, None, notes

    translator_for = services.translator_for

    def open_modal(body: dict[str, Any], view: View) -> None:
        services.request_client().views_open(trigger_id=body["trigger_id"], view=view)

    @app.command(KudosIds.COMMAND.value)
    def kudos_command(ack: Ack, body: dict[str, Any]) -> None:
        cmd = KudosCommand.model_validate(body)
        if not cmd.text.strip():
            open_modal(body, modal(services, translator_for(body), cmd.user_id, team_id=cmd.team_id,
                                   channel_id=cmd.channel_id))
            ack()
            return
        parts = kudos_parts(services.org)
        parsed = parse_kudos_text(cmd.text, tuple(p.word_prefix for p in parts if p.word_prefix))
        draft = KudosDraft(
            team_id=cmd.team_id, giver=cmd.user_id, recipients=tuple(parsed.recipients), message=parsed.message,
            values=tuple(parsed.tags), source_key=f"command:{cmd.trigger_id}", origin_channel_id=cmd.channel_id,
        )
        result, err, notes = give(draft, {cmd.user_id: name_of(body), **mention_names(cmd.text)},
                                  word_claims(parts, parsed.words))
        t = translator_for(body)  # after the give: its lookup has just read the giver (`services.known`)
        if isinstance(err, PartRefused):
            ack(text=" ".join(err.in_language(t).values()))
        elif err is not None:
            ack(text=views.rejection(t, err))
        else:
            assert result is not None
            ack(text=views.confirmation(t, result.kudos, result.remaining_this_week,
                                        notes=[t.message(n) for n in notes]))

    @app.shortcut(KudosIds.GLOBAL_SHORTCUT.value)
    def give_kudos_shortcut(ack: Ack, body: dict[str, Any]) -> None:
        open_modal(body, modal(services, translator_for(body), user_of(body), team_id=team_of(body)))
        ack()

    @app.action(KudosIds.HOME_BUTTON.value)
    def give_kudos_button(ack: Ack, body: dict[str, Any]) -> None:
        open_modal(body, modal(services, translator_for(body), user_of(body), team_id=team_of(body)))
        ack()

    @app.shortcut({"callback_id": KudosIds.MESSAGE_SHORTCUT.value, "type": "message_action"})
    def give_kudos_for_message(ack: Ack, body: dict[str, Any]) -> None:
        t = translator_for(body)
        message = body.get("message") or {}
        channel = (body.get("channel") or {}).get("id")
        author = message.get("user")
        recipients = [author] if author and not message.get("bot_id") and author != user_of(body) else []
        permalink = None
        # Optional: the modal opens without the link when Slack is busy or the request is short of time.
        if channel and message.get("ts") and services.has_time_for(LOOKUP_RESERVE):
            try:
                permalink = services.request_client().with_options(timeout=LOOKUP_TIMEOUT).chat_getPermalink(
                    channel=channel, message_ts=message["ts"])["permalink"]
            except (SlackApiError, OSError) as exc:
                log.info("no permalink for the message: %s", describe_exception(exc))
        open_modal(body, modal(services, t, user_of(body), team_id=team_of(body), recipients=recipients,
                               permalink=permalink if is_slack_permalink(permalink) else None, channel_id=channel))
        ack()

    @app.view(KudosIds.MODAL.value)
    def kudos_submitted(ack: Ack, body: dict[str, Any]) -> None:
        sub = KudosSubmission.from_body(body, services.sealer)
        if sub.origin is None:
            ack(response_action="errors", errors={KudosIds.MESSAGE_BLOCK.value: form_expired(translator_for(body))})
            return
        # Other features' fields (a goal): read with what their part sealed when the form opened.
        state = body["view"].get("state", {}).get("values", {})
        found = sub.origin.get("parts")
        sealed: dict[str, Any] = found if isinstance(found, dict) else {}
        claims: Claims = []
        problems: dict[str, Message] = {}
        for part in kudos_parts(services.org):
            reading, errors = part.read(state, sealed.get(part.name) or {})
            problems.update(errors)
            if reading is not None:
                claims.append((part, reading))
        if problems:
            ack(response_action="errors", errors=PartRefused(problems).in_language(translator_for(body)))
            return
        draft = KudosDraft(
            team_id=sub.team_id, giver=sub.user_id, recipients=tuple(sub.recipients), message=sub.message,
            values=tuple(sub.values), source_key=f"view:{sub.view_id}",
            origin_channel_id=sub.origin.get("channel"), permalink=sub.origin.get("permalink"),
        )
        result, err, notes = give(draft, {sub.user_id: name_of(body)}, claims)
        t = translator_for(body)  # after the give: its lookup has just read the giver (`services.known`)
        if isinstance(err, PartRefused):
            ack(response_action="errors", errors=err.in_language(t))
            return
        if err is not None:
            ack(response_action="errors", errors=views.modal_errors(t, err))
            return
        assert result is not None
        ack(response_action="update", view=views.sent_view(t, result.kudos, result.remaining_this_week,
                                                           notes=[t.message(n) for n in notes]))
