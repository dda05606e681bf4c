"""The 1:1 modals: add a talking point, record notes and action items, change the schedule, and every line
of one agenda section ("Show all")."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from slack_sdk.models.blocks import (
    Block,
    DatePickerElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    RadioButtonsElement,
    StaticSelectElement,
    TimePickerElement,
)
from slack_sdk.models.views import View

from bot.blocks import VIEW_BLOCKS_MAX, context, mention, section
from bot.i18n import Translator
from bot.text import truncate
from handlers.one_on_ones.ids import OneOnOneIds
from handlers.one_on_ones.views import (
    MODAL_LINE_CHARS,
    MODAL_TEXT_BUDGET,
    NOTES_ROWS,
    PairCard,
    bullet,
    chunks,
    day_name,
    item_block,
    json_size,
    title_text,
    when,
)
from models.core.agenda import AgendaSection
from models.one_on_ones import ACTION_ITEM_MAX, NOTES_MAX, TALKING_POINT_MAX


def list_modal(t: Translator, s: AgendaSection, *, private_metadata: str = "") -> View:
    """Every line of one agenda section ("Show all"), within a modal's limits."""
    blocks: list[Block] = []
    used = 0
    shown = 0
    if s.item_ids:
        for line, item_id in zip(s.lines, s.item_ids, strict=False):
            text = bullet(t, line, MODAL_LINE_CHARS)
            if len(blocks) >= VIEW_BLOCKS_MAX - 1 or used + json_size(text) > MODAL_TEXT_BUDGET:
                break
            blocks.append(item_block(t, item_id, text))
            used += json_size(text)
        shown = len(blocks)
    else:
        bullets: list[str] = []
        for line in s.lines:
            text = bullet(t, line, MODAL_LINE_CHARS)
            if used + json_size(text) > MODAL_TEXT_BUDGET:
                break
            bullets.append(text)
            used += json_size(text) + 1
        for chunk in chunks(bullets, ""):
            if len(blocks) >= VIEW_BLOCKS_MAX - 1:
                break
            blocks.append(section(chunk))
            shown += chunk.count("\n") + 1
    if not s.lines:
        blocks.append(section(f"_{t(s.empty)}_"))
    if s.total > shown:
        blocks.append(context(t("…and {count} more not shown here.", count=s.total - shown)))
    return View(type="modal", callback_id=OneOnOneIds.LIST_MODAL, title=title_text(t(s.title)),
                close=PlainTextObject(text=t("Close")), private_metadata=private_metadata or None, blocks=blocks)


def pair_option(t: Translator, card: PairCard) -> Option:
    label = (t("{person} (your report)", person=card.other_label) if card.role == "report"
             else t("{person} (your manager)", person=card.other_label))
    return Option(value=str(card.pair_id), text=PlainTextObject(text=truncate(label, 75)))


def fixed_pair(cards: Sequence[PairCard], pair_id: int | None) -> PairCard | None:
    """The pair an add-talking-point modal is fixed to: the button's, or the only one; else None (a select)."""
    if pair_id is not None:
        return next((c for c in cards if c.pair_id == pair_id), None)
    return cards[0] if len(cards) == 1 else None


def add_point_modal(t: Translator, cards: Sequence[PairCard], *, pair_id: int | None = None, topic: str = "",
                    private_metadata: str = "") -> View:
    """Add a talking point: the pair is fixed (one pair, or the button's) or chosen from a select."""
    blocks: list[Block] = []
    fixed = fixed_pair(cards, pair_id)
    if fixed is not None:
        blocks.append(context(t("For your next 1:1 with {person} ({when}).", person=mention(fixed.other_id),
                                when=when(t, fixed.next_at, None))))
    else:
        blocks.append(InputBlock(
            block_id=OneOnOneIds.PAIR_BLOCK, label=PlainTextObject(text=t("Which 1:1?")),
            element=StaticSelectElement(action_id=OneOnOneIds.PAIR_ACTION,
                                        placeholder=PlainTextObject(text=t("Choose a person")),
                                        options=[pair_option(t, c) for c in cards[:100]]),
        ))
    blocks.append(InputBlock(
        block_id=OneOnOneIds.TOPIC_BLOCK, label=PlainTextObject(text=t("Talking point")),
        hint=PlainTextObject(text=t("At most {max} characters.", max=TALKING_POINT_MAX)),
        element=PlainTextInputElement(action_id=OneOnOneIds.TOPIC_ACTION, multiline=True,
                                      max_length=TALKING_POINT_MAX,
                                      initial_value=truncate(topic, TALKING_POINT_MAX) or None),
    ))
    return View(type="modal", callback_id=OneOnOneIds.ADD_MODAL, title=title_text(t("Add talking point")),
                submit=title_text(t("Add")), close=title_text(t("Cancel")),
                private_metadata=private_metadata, blocks=blocks)


def notes_modal(t: Translator, card: PairCard, *, members: Sequence[tuple[int, str]], meeting_at: datetime,
                notes: str | None, private_metadata: str) -> View:
    """Record notes and up to three action items (text, owner, optional due date) for one meeting."""
    owners = [Option(value=str(pid), text=PlainTextObject(text=truncate(label, 75))) for pid, label in members]
    blocks: list[Block] = [
        context(t("Notes for your 1:1 with {person} of {when}. Only the two of you can read them.",
                  person=mention(card.other_id), when=when(t, meeting_at, None))),
        InputBlock(
            block_id=OneOnOneIds.NOTES_BLOCK, label=PlainTextObject(text=t("Notes")), optional=True,
            hint=PlainTextObject(text=t("At most {max} characters.", max=NOTES_MAX)),
            element=PlainTextInputElement(action_id=OneOnOneIds.NOTES_ACTION, multiline=True, max_length=NOTES_MAX,
                                          initial_value=truncate(notes, NOTES_MAX) if notes else None),
        ),
    ]
    for row in range(1, NOTES_ROWS + 1):
        blocks += [
            InputBlock(
                block_id=f"{OneOnOneIds.ITEM_TEXT_BLOCK}{row}", label=PlainTextObject(text=t("Action item {n}", n=row)),
                optional=True,
                element=PlainTextInputElement(action_id=OneOnOneIds.ITEM_TEXT_ACTION, max_length=ACTION_ITEM_MAX,
                                              placeholder=PlainTextObject(text=t("What needs doing?"))),
            ),
            InputBlock(
                block_id=f"{OneOnOneIds.ITEM_OWNER_BLOCK}{row}", label=PlainTextObject(text=t("Owner")),
                optional=True,
                element=StaticSelectElement(action_id=OneOnOneIds.ITEM_OWNER_ACTION, options=owners,
                                            placeholder=PlainTextObject(text=t("Who will do it?"))),
            ),
            InputBlock(
                block_id=f"{OneOnOneIds.ITEM_DUE_BLOCK}{row}", label=PlainTextObject(text=t("Due date")), optional=True,
                element=DatePickerElement(action_id=OneOnOneIds.ITEM_DUE_ACTION),
            ),
        ]
    return View(type="modal", callback_id=OneOnOneIds.NOTES_MODAL, title=title_text(t("1:1 notes")),
                submit=title_text(t("Save")), close=title_text(t("Cancel")), private_metadata=private_metadata,
                blocks=blocks)


def schedule_modal(t: Translator, card: PairCard, *, interval_weeks: int, weekday: int, local_time: str,
                   tz: str, private_metadata: str) -> View:
    """Change the pair's cadence, day and time (in the changer's own time zone)."""
    cadences = [Option(value="1", text=PlainTextObject(text=t("Every week"))),
                Option(value="2", text=PlainTextObject(text=t("Every two weeks")))]
    days = [Option(value=str(d), text=PlainTextObject(text=day_name(t, d))) for d in range(7)]
    blocks: list[Block] = [
        context(t("Your 1:1 with {person}: {cadence}.", person=mention(card.other_id), cadence=card.cadence)),
        InputBlock(block_id=OneOnOneIds.CADENCE_BLOCK, label=PlainTextObject(text=t("How often")),
                   element=RadioButtonsElement(action_id=OneOnOneIds.CADENCE_ACTION, options=cadences,
                                               initial_option=cadences[0 if interval_weeks == 1 else 1])),
        InputBlock(block_id=OneOnOneIds.WEEKDAY_BLOCK, label=PlainTextObject(text=t("Day")),
                   element=StaticSelectElement(action_id=OneOnOneIds.WEEKDAY_ACTION, options=days,
                                               initial_option=days[weekday % 7])),
        InputBlock(block_id=OneOnOneIds.TIME_BLOCK, label=PlainTextObject(text=t("Time")),
                   hint=PlainTextObject(text=t("In your time zone, {tz}.", tz=tz)),
                   element=TimePickerElement(action_id=OneOnOneIds.TIME_ACTION, initial_time=local_time)),
    ]
    return View(type="modal", callback_id=OneOnOneIds.SCHEDULE_MODAL, title=title_text(t("1:1 schedule")),
                submit=title_text(t("Save")), close=title_text(t("Cancel")),
                private_metadata=private_metadata, blocks=blocks)
