"""The App Home tab: one section per feature, each a pure function, joined within Slack's limits."""

from __future__ import annotations

from enum import StrEnum

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    DividerBlock,
    HeaderBlock,
    PlainTextObject,
)
from slack_sdk.models.views import View

from bot.i18n import Translator
from bot.text import escape, truncate
from bot.views.common import VIEW_BLOCKS_MAX, context, mention, section
from bot.views.kudos import KudosIds, value_label
from models.core.config import CompanyValue
from models.kudos import KudosSummary
from models.kudos.tables import Kudos


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


def home_view(t: Translator, sections: list[list[Block]]) -> View:
    blocks: list[Block] = []
    for i, part in enumerate(sections):
        if i:
            blocks.append(DividerBlock())
        blocks.extend(part)
    if len(blocks) > VIEW_BLOCKS_MAX:
        blocks = [*blocks[: VIEW_BLOCKS_MAX - 1], context(t("More in the next update of this page."))]
    return View(type="home", blocks=blocks)
