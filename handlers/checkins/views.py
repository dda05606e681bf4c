"""Check-in views: the prompt and reminder DMs, the modal, the manager's summary, replies, Home section."""

from __future__ import annotations

from collections.abc import Sequence
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
    RadioButtonsElement,
)
from slack_sdk.models.views import View

from bot.blocks import (
    MESSAGE_BLOCKS_MAX,
    SECTION_TEXT_MAX,
    VIEW_BLOCKS_MAX,
    context,
    mention,
    quote,
    quoted_chunks,
    section,
    to_dicts,
)
from bot.i18n import Translator
from bot.text import escape, truncate
from handlers.checkins.ids import CheckinIds
from models.checkins import REPLY_MAX
from models.checkins.tables import Checkin
from models.core.config import CheckinQuestion
from models.core.messages import Message

QUESTIONS_MAX = 90  # questions shown in the modal (Slack: 100 blocks)
SCALE_LABELS = {1: ":cloud_with_rain: 1", 2: ":cloud: 2", 3: ":partly_sunny: 3", 4: ":sunny: 4", 5: ":star2: 5"}


def week_label(t: Translator, period: str) -> str:
    year, week = period.split("-W")
    return t("week {week}, {year}", week=int(week), year=year)


def prompt_message(t: Translator, period: str, *, reminder: bool = False) -> tuple[str, list[dict[str, Any]]]:
    if reminder:
        text = t(":wave: A friendly reminder: your check-in for {week} is still open.", week=week_label(t, period))
    else:
        text = t(":memo: Time for your weekly check-in ({week}). It takes two minutes.", week=week_label(t, period))
    blocks: list[Block] = [
        section(text),
        ActionsBlock(elements=[ButtonElement(action_id=CheckinIds.OPEN, text=PlainTextObject(text=t("Fill in")),
                                             value=period, style="primary")]),
    ]
    return text, to_dicts(blocks)


def _question_block(t: Translator, q: CheckinQuestion, initial: Any) -> InputBlock:
    element: Any
    if q.type == "long_text":
        element = PlainTextInputElement(action_id=CheckinIds.ANSWER_ACTION, multiline=True, max_length=q.max_length,
                                        initial_value=str(initial) if initial else None)
    else:
        options = ([Option(value=str(n), text=PlainTextObject(text=label, emoji=True))
                    for n, label in SCALE_LABELS.items()] if q.type == "scale"
                   else [Option(value=c, text=PlainTextObject(text=c)) for c in q.choices])
        chosen = next((o for o in options if initial is not None and o.value == str(initial)), None)
        element = RadioButtonsElement(action_id=CheckinIds.ANSWER_ACTION, options=options, initial_option=chosen)
    return InputBlock(block_id=f"q_{q.id}", label=PlainTextObject(text=truncate(q.text, 2000)), element=element,
                      optional=not q.required)


def checkin_modal(t: Translator, period: str, questions: list[CheckinQuestion], *, existing: Checkin | None,
                  late: bool, private_metadata: str, lead_blocks: Sequence[Block] = ()) -> View:
    """The weekly check-in: a note when editing or late, `lead_blocks` (other features' parts: the person's
    goals), then the questions."""
    blocks: list[Block] = []
    if late:
        blocks.append(context(t("This check-in is closed for editing; a first answer is still welcome and is "
                                "filed under {week}.", week=week_label(t, period))))
    elif existing is not None:
        blocks.append(context(t("You answered this already; saving replaces your answer and your manager sees "
                                "the latest.")))
    blocks.extend(lead_blocks)
    answers = existing.answers if existing is not None else {}
    blocks.extend(_question_block(t, q, answers.get(q.id)) for q in questions[:QUESTIONS_MAX])
    return View(
        type="modal", callback_id=CheckinIds.MODAL, title=PlainTextObject(text=t("Weekly check-in")),
        submit=PlainTextObject(text=t("Save")), close=PlainTextObject(text=t("Cancel")),
        private_metadata=private_metadata, blocks=blocks,
    )


def answer_errors(t: Translator, errors: dict[str, Message]) -> dict[str, str]:
    """`response_action=errors` body: each bad answer's problem on its question's block."""
    return {f"q_{qid}": t.message(message) for qid, message in errors.items()}


def saved_view(t: Translator, period: str, *, late: bool, edited: bool, has_manager: bool,
               notes: Sequence[str] = ()) -> View:
    """The modal after saving. `notes`: what other features' parts said (translated), e.g. goals updated."""
    if late:
        text = t(":white_check_mark: Thanks! Your check-in was filed under {week} (late).", week=week_label(t, period))
    elif edited:
        text = t(":white_check_mark: Updated. Your manager sees the latest answer.")
    else:
        text = t(":white_check_mark: Thanks, your check-in for {week} is saved.", week=week_label(t, period))
    if has_manager and not edited:
        text += " " + t("Your manager will see it.")
    for note in notes:
        text += "\n" + note
    return View(type="modal", callback_id=f"{CheckinIds.MODAL}_saved", title=PlainTextObject(text=t("Weekly check-in")),
                close=PlainTextObject(text=t("Close")), blocks=[section(text)])


def _answer_blocks(checkin: Checkin, blocker_ids: set[str]) -> list[Block]:
    """Every answer in full, the question in bold (a blocker marked); a long answer continues over several
    section blocks rather than being cut (the modal allows up to the question's `max_length`)."""
    blocks: list[Block] = []
    for q in checkin.questions:
        value = checkin.answers.get(q["id"])
        if value in (None, ""):
            continue
        mark = " :warning:" if q["id"] in blocker_ids else ""
        title = f"*{escape(truncate(str(q['text']), 300))}*{mark}\n"
        if q.get("type") == "scale":
            blocks.append(section(title + SCALE_LABELS.get(int(value), escape(str(value)))))
            continue
        chunks = quoted_chunks(str(value), first_limit=SECTION_TEXT_MAX - len(title))
        blocks.append(section(title + chunks[0]))
        blocks.extend(section(chunk) for chunk in chunks[1:])
    return blocks


def summary_message(t: Translator, checkin: Checkin, *, blocker_ids: set[str]) -> tuple[str, list[dict[str, Any]]]:
    """The manager's DM about a report's check-in: every answer in full (escaped), the blocker marked, and the
    actions. When the answers do not fit one message (50 blocks), the message shows what fits and a button
    opens the whole check-in."""
    who = mention(checkin.person.slack_user_id)
    head = t("{person}'s check-in for {week}", person=who, week=week_label(t, checkin.period))
    if checkin.version > 1:
        head += " " + t("(updated)")
    if checkin.late:
        head += " " + t("(late)")
    blocks: list[Block] = [HeaderBlock(text=PlainTextObject(text=truncate(t("Check-in"), 150)))]
    blocks.append(section(head))
    if checkin.has_blocker:
        blocks.append(section(t(":warning: *Blocker flagged* — they may need your help.")))
    answers = _answer_blocks(checkin, blocker_ids)
    room = MESSAGE_BLOCKS_MAX - len(blocks) - 2  # the actions, and a line saying there is more
    buttons = [
        ButtonElement(action_id=CheckinIds.REPLY, text=PlainTextObject(text=t("Reply")), value=str(checkin.id),
                      style="primary"),
        ButtonElement(action_id=CheckinIds.ADD_TO_ONE_ON_ONE, text=PlainTextObject(text=t("Add to our 1:1")),
                      value=str(checkin.id)),
        ButtonElement(action_id=CheckinIds.GIVE_KUDOS, text=PlainTextObject(text=t("Give kudos")),
                      value=checkin.person.slack_user_id),
    ]
    if len(answers) > room:
        blocks.extend(answers[:room])
        blocks.append(context(t("The rest of this check-in doesn't fit in one message: *Read it all* shows it.")))
        buttons.append(ButtonElement(action_id=CheckinIds.READ_ALL, text=PlainTextObject(text=t("Read it all")),
                                     value=str(checkin.id)))
    else:
        blocks.extend(answers)
    blocks.append(ActionsBlock(elements=buttons))
    fallback = head + (" — " + t("blocker flagged") if checkin.has_blocker else "")
    return fallback, to_dicts(blocks)


def full_checkin_modal(t: Translator, checkin: Checkin, *, blocker_ids: set[str]) -> View:
    """The whole check-in, for a manager whose summary could not hold it."""
    head = t("{person}'s check-in for {week}", person=mention(checkin.person.slack_user_id),
             week=week_label(t, checkin.period))
    blocks = [section(head), *_answer_blocks(checkin, blocker_ids)]
    if len(blocks) > VIEW_BLOCKS_MAX:
        blocks = [*blocks[: VIEW_BLOCKS_MAX - 1], context(t("The answers are longer than Slack can show here."))]
    return View(type="modal", title=PlainTextObject(text=t("Check-in")), close=PlainTextObject(text=t("Close")),
                blocks=blocks)


def reply_modal(t: Translator, checkin: Checkin, *, private_metadata: str) -> View:
    return View(
        type="modal", callback_id=CheckinIds.REPLY_MODAL, title=PlainTextObject(text=t("Reply")),
        submit=PlainTextObject(text=t("Send")), close=PlainTextObject(text=t("Cancel")),
        private_metadata=private_metadata,
        blocks=[
            context(t("To {person}, about their check-in for {week}.", person=mention(checkin.person.slack_user_id),
                      week=week_label(t, checkin.period))),
            InputBlock(block_id=CheckinIds.REPLY_BLOCK, label=PlainTextObject(text=t("Your note")),
                       element=PlainTextInputElement(action_id=CheckinIds.REPLY_ACTION, multiline=True,
                                                     max_length=REPLY_MAX)),
        ],
    )


def topic_modal(t: Translator, suggestion: str, *, private_metadata: str) -> View:
    return View(
        type="modal", callback_id=CheckinIds.TOPIC_MODAL, title=PlainTextObject(text=t("Add to our 1:1")),
        submit=PlainTextObject(text=t("Add")), close=PlainTextObject(text=t("Cancel")),
        private_metadata=private_metadata,
        blocks=[InputBlock(block_id=CheckinIds.TOPIC_BLOCK, label=PlainTextObject(text=t("Talking point")),
                           element=PlainTextInputElement(action_id=CheckinIds.TOPIC_ACTION, multiline=True,
                                                         max_length=1000, initial_value=truncate(suggestion, 1000)))],
    )


def done_view(t: Translator, title: str, text: str) -> View:
    return View(type="modal", title=PlainTextObject(text=truncate(title, 24)), close=PlainTextObject(text=t("Close")),
                blocks=[section(text)])


def reply_dm(t: Translator, author_id: str, period: str, text: str) -> tuple[str, list[dict[str, Any]]]:
    head = t(":speech_balloon: {manager} replied to your check-in for {week}", manager=mention(author_id),
             week=week_label(t, period))
    return head, to_dicts([section(head + "\n" + quote(text, 1000))])


def nudge_dm(t: Translator, person_id: str, weeks: int) -> tuple[str, list[dict[str, Any]]]:
    text = t(":seedling: {person} hasn't filled in a check-in for {weeks} weeks. A quick word might help — "
             "sometimes a busy stretch, sometimes something worth talking about.", person=mention(person_id),
             weeks=weeks)
    return text, to_dicts([section(text)])


def home_section_blocks(t: Translator, period: str | None, current: Checkin | None, recent: list[Checkin]
                        ) -> list[Block]:
    blocks: list[Block] = [HeaderBlock(text=PlainTextObject(text=t("Check-ins")))]
    if period is None:
        blocks.append(section(t("Your first check-in prompt is on its way.")))
    elif current is None:
        blocks.append(section(t("Your check-in for {week} is open.", week=week_label(t, period))))
        blocks.append(ActionsBlock(elements=[ButtonElement(action_id=CheckinIds.OPEN, value=period, style="primary",
                                                           text=PlainTextObject(text=t("Fill in")))]))
    else:
        blocks.append(section(t(":white_check_mark: You answered {week}. You can still edit it until the next one.",
                                week=week_label(t, period))))
        blocks.append(ActionsBlock(elements=[ButtonElement(action_id=CheckinIds.OPEN, value=period,
                                                           text=PlainTextObject(text=t("Edit")))]))
    if recent:
        lines = []
        for c in recent:
            mood = f" · {SCALE_LABELS.get(c.mood, '')}" if c.mood else ""
            flag = " · :warning:" if c.has_blocker else ""
            lines.append(f"• {week_label(t, c.period)}{mood}{flag}")
        blocks.append(context("\n".join(lines)))
    return blocks
