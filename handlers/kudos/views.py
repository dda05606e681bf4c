"""Kudos views: the modal, the public post, the recipient DM, and every reply a giver can see."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    HeaderBlock,
    InputBlock,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    StaticMultiSelectElement,
    UserMultiSelectElement,
)
from slack_sdk.models.views import View

from bot.blocks import context, mention, quote, section, to_dicts
from bot.i18n import Translator
from bot.text import escape, truncate
from handlers.kudos.ids import FIELD_BLOCKS, KudosIds
from models.core.config import CompanyValue
from models.core.text import is_slack_permalink
from models.kudos import KudosRejected, KudosSummary
from models.kudos.tables import Kudos


def _message_link(t: Translator, permalink: str) -> str:
    """A link to the message kudos are for: only ever to a Slack permalink (`<!channel|…>` or a second `|`
    label in the target would ping everyone or masquerade)."""
    label = t("view message")
    if not is_slack_permalink(permalink):
        return label
    return f"<{permalink}|{label}>"


def value_label(value: CompanyValue | None, name: str) -> str:
    return f"{value.emoji} {name}" if value else f"#{name}"


def kudos_modal(
    t: Translator,
    values: list[CompanyValue],
    *,
    min_length: int,
    max_length: int,
    max_recipients: int,
    recipients: list[str] | None = None,
    permalink: str | None = None,
    private_metadata: str = "",
    extra_blocks: Sequence[Block] = (),
) -> View:
    """The kudos form: recipients, values, `extra_blocks` (other features' fields, e.g. a goal), the message."""
    recipients_select = UserMultiSelectElement(
        action_id=KudosIds.RECIPIENTS_ACTION,
        placeholder=PlainTextObject(text=t("Who do you want to recognise?")),
        initial_users=recipients or None,
        max_selected_items=max_recipients,
    )
    blocks: list[Block] = [
        InputBlock(
            block_id=KudosIds.RECIPIENTS_BLOCK,
            label=PlainTextObject(text=t("Recipients")),
            element=recipients_select,
        )
    ]
    if values:
        blocks.append(
            InputBlock(
                block_id=KudosIds.VALUES_BLOCK,
                label=PlainTextObject(text=t("Company values")),
                optional=True,
                element=StaticMultiSelectElement(
                    action_id=KudosIds.VALUES_ACTION,
                    placeholder=PlainTextObject(text=t("Which values did they show?")),
                    options=[
                        Option(
                            value=v.name,
                            text=PlainTextObject(text=truncate(f"{v.emoji} {v.name}", 75), emoji=True),
                            description=PlainTextObject(text=truncate(v.description, 75))
                            if v.description
                            else None,
                        )
                        for v in values[:100]
                    ],
                ),
            )
        )
    blocks.extend(extra_blocks)
    blocks.append(
        InputBlock(
            block_id=KudosIds.MESSAGE_BLOCK,
            label=PlainTextObject(text=t("What did they do well?")),
            hint=PlainTextObject(
                text=t("Be specific: what happened, and what difference it made. At least {min} characters.",
                       min=min_length)
            ),
            element=PlainTextInputElement(
                action_id=KudosIds.MESSAGE_ACTION,
                multiline=True,
                min_length=min_length,
                max_length=max_length,
            ),
        )
    )
    if permalink:
        blocks.append(context(t("For this message: {link}", link=_message_link(t, permalink))))
    return View(
        type="modal",
        callback_id=KudosIds.MODAL,
        title=PlainTextObject(text=t("Give kudos")),
        submit=PlainTextObject(text=t("Send")),
        close=PlainTextObject(text=t("Cancel")),
        private_metadata=private_metadata,
        blocks=blocks,
    )


def _values_line(kudos: Kudos, catalog: dict[str, CompanyValue]) -> str:
    return "  ".join(value_label(catalog.get(v.value), v.value) for v in kudos.values)


def announcement(t: Translator, kudos: Kudos, catalog: dict[str, CompanyValue]) -> tuple[str, list[dict[str, Any]]]:
    """The public post. Mentions come from our own records; the message is escaped user text."""
    who = t.list([mention(r.person.slack_user_id) for r in kudos.recipients])
    head = t(":tada: {recipients} got kudos from {giver}", recipients=who, giver=mention(kudos.giver.slack_user_id))
    blocks: list[Block] = [section(head + "\n" + quote(kudos.message, 2500))]
    if kudos.values:
        blocks.append(context(_values_line(kudos, catalog)))
    if kudos.permalink:
        blocks.append(context(t("For this message: {link}", link=_message_link(t, kudos.permalink))))
    fallback = head + ": " + escape(truncate(kudos.message, 300))
    return fallback, to_dicts(blocks)


def recipient_dm(t: Translator, kudos: Kudos, catalog: dict[str, CompanyValue]) -> tuple[str, list[dict[str, Any]]]:
    head = t(":sparkles: {giver} gave you kudos", giver=mention(kudos.giver.slack_user_id))
    others = [mention(r.person.slack_user_id) for r in kudos.recipients]
    blocks: list[Block] = [section(head + "\n" + quote(kudos.message, 2500))]
    if len(others) > 1:
        blocks.append(context(t("Together with {people}", people=t.list(others))))
    if kudos.values:
        blocks.append(context(_values_line(kudos, catalog)))
    if kudos.permalink:
        blocks.append(context(t("For this message: {link}", link=_message_link(t, kudos.permalink))))
    return head + ": " + escape(truncate(kudos.message, 300)), to_dicts(blocks)


def confirmation(t: Translator, kudos: Kudos, remaining: int | None, *, notes: Sequence[str] = ()) -> str:
    """`notes`: what other features' parts of the kudos said (translated), e.g. the goal it was tied to."""
    who = t.list([mention(r.person.slack_user_id) for r in kudos.recipients])
    text = t(":white_check_mark: Kudos sent to {recipients}.", recipients=who)
    if remaining is not None:
        text += " " + t.n("You can give {count} more this week.", "You can give {count} more this week.", remaining)
    for note in notes:
        text += " " + note
    return text


def rejection(t: Translator, err: KudosRejected) -> str:
    """The message a giver sees for a broken rule: what is wrong and what to do."""
    return t.message(err.message)


def modal_errors(t: Translator, err: KudosRejected) -> dict[str, str]:
    """`response_action=errors` body for the modal: the message on the field it belongs to."""
    return {FIELD_BLOCKS.get(err.field, KudosIds.MESSAGE_BLOCK).value: truncate(rejection(t, err), 2000)}


def sent_view(t: Translator, kudos: Kudos, remaining: int | None, *, notes: Sequence[str] = ()) -> View:
    """What the modal turns into after a successful submit."""
    return View(
        type="modal",
        callback_id=f"{KudosIds.MODAL}_sent",
        title=PlainTextObject(text=t("Kudos sent")),
        close=PlainTextObject(text=t("Close")),
        blocks=[section(confirmation(t, kudos, remaining, notes=notes))],
    )


class HomeIds(StrEnum):
    KUDOS_HEADER = "home_kudos"


def _kudos_line(t: Translator, k: Kudos, *, received: bool) -> str:
    when = f"<!date^{int(k.created_at.timestamp())}^{{date_short}}|{k.created_at:%Y-%m-%d}>"
    if received:
        who = t("from {giver}", giver=mention(k.giver.slack_user_id))
    else:
        who = t("to {recipients}", recipients=t.list([mention(r.person.slack_user_id) for r in k.recipients]))
    return f"• {who} · {when}\n    _{escape(truncate(k.message, 200))}_"


def kudos_section(t: Translator, summary: KudosSummary, catalog: dict[str, CompanyValue]) -> list[Block]:
    blocks: list[Block] = [
        HeaderBlock(block_id=HomeIds.KUDOS_HEADER, text=PlainTextObject(text=t("Kudos"))),
        ActionsBlock(
            elements=[
                ButtonElement(
                    action_id=KudosIds.HOME_BUTTON,
                    text=PlainTextObject(text=t("Give kudos")),
                    style="primary",
                )
            ]
        ),
        context(
            t("Received: {received} · Given: {given}", received=summary.received_total, given=summary.given_total)
        ),
    ]
    if summary.per_value:
        per_value = "   ".join(f"{value_label(catalog.get(v), v)} ×{n}" for v, n in summary.per_value[:20])
        blocks.append(section(t("*Your values, as others saw them*") + "\n" + per_value))
    if summary.received:
        lines = [_kudos_line(t, k, received=True) for k in summary.received]
        blocks.append(section(t("*Recently received*") + "\n" + "\n".join(lines)))
    else:
        blocks.append(section(t("No kudos received yet. They will show up here.")))
    if summary.given:
        lines = [_kudos_line(t, k, received=False) for k in summary.given]
        blocks.append(section(t("*Recently given*") + "\n" + "\n".join(lines)))
    else:
        blocks.append(
            section(t("You haven't given kudos yet. Try `/kudos @someone for … #value` or the button above."))
        )
    return blocks
