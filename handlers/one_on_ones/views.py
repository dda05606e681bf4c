"""1:1 views: the agenda DM, its modals, the notes and nudge DMs, the /1on1 help and the App Home section.

Pure functions from domain objects to Block Kit. Every limit holds for any amount of data: at most 50 blocks
per message and 100 per modal, section text within 3000 characters, a message's text well under the size
Slack refuses (`msg_blocks_too_long`), long sections cut to a few lines with "Show all".
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import get_day_names
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.blocks import MESSAGE_BLOCKS_MAX, SECTION_TEXT_MAX, context, mention, section, to_dicts
from bot.i18n import Translator
from bot.text import escape, truncate
from handlers.one_on_ones.ids import OneOnOneIds
from models.agenda import Agenda
from models.core.agenda import AgendaSection
from models.core.messages import Phrase

NOTES_ROWS = 3  # action-item rows in the notes modal
AGENDA_LINES = 8  # lines per section in the agenda DM
AGENDA_ITEMS = 8  # action items with a Done button in the agenda DM
AGENDA_LINE_CHARS = 300
AGENDA_TEXT_BUDGET = 10_000  # whole message; Slack refuses some messages far below the per-block sums
MODAL_LINE_CHARS = 1500
MODAL_TEXT_BUDGET = 100_000  # bytes of JSON: a view payload must stay under 250 kB
SECTION_CHUNK = SECTION_TEXT_MAX - 100
HOME_PAIRS = 8


def json_size(text: str) -> int:
    """What the text costs in the view payload: slack_sdk sends JSON with non-ASCII as \\uXXXX escapes."""
    return len(json.dumps(text))
HOME_ITEMS = 5


def field_block(field: str, rows: dict[int, int] | None = None) -> str:
    """The modal block a domain error's field belongs to. `rows` maps domain item numbers to modal rows."""
    simple = {
        "text": OneOnOneIds.TOPIC_BLOCK, "pair": OneOnOneIds.PAIR_BLOCK, "notes": OneOnOneIds.NOTES_BLOCK,
        "interval": OneOnOneIds.CADENCE_BLOCK, "weekday": OneOnOneIds.WEEKDAY_BLOCK, "time": OneOnOneIds.TIME_BLOCK,
        "tz": OneOnOneIds.TIME_BLOCK,
    }
    if field in simple:
        return simple[field].value
    if field.startswith("item") and "_" in field:
        number, _, part = field[4:].partition("_")
        if number.isdigit():
            row = (rows or {}).get(int(number), int(number))
            prefix = {"text": OneOnOneIds.ITEM_TEXT_BLOCK, "owner": OneOnOneIds.ITEM_OWNER_BLOCK,
                      "due": OneOnOneIds.ITEM_DUE_BLOCK}.get(part, OneOnOneIds.ITEM_TEXT_BLOCK)
            return f"{prefix}{row}"
    return OneOnOneIds.NOTES_BLOCK.value


# -- small pieces -------------------------------------------------------------------------------------


def _zone(tz: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(tz or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def when(t: Translator, at: datetime, tz: str | None) -> str:
    """A moment Slack shows in each reader's own time zone; the fallback is in `tz`."""
    fallback = at.astimezone(_zone(tz)).strftime("%Y-%m-%d %H:%M")
    pattern = t("{date_short_pretty} at {time}")  # Slack fills these tokens in the reader's time zone
    return f"<!date^{int(at.timestamp())}^{pattern}|{fallback}>"


def day_name(t: Translator, weekday: int) -> str:
    return str(get_day_names("wide", locale=t.lang)[weekday])


def cadence_text(t: Translator, interval_weeks: int, weekday: int, local_time: str, tz: str) -> str:
    day = day_name(t, weekday)
    if interval_weeks == 1:
        return t("every week on {day} at {time} ({tz})", day=day, time=local_time, tz=tz)
    return t("every {n} weeks on {day} at {time} ({tz})", n=interval_weeks, day=day, time=local_time, tz=tz)


def _button(text: str, action_id: str, value: str, style: str | None = None) -> ButtonElement:
    return ButtonElement(text=PlainTextObject(text=truncate(text, 75)), action_id=action_id, value=value, style=style)


def title_text(text: str) -> PlainTextObject:
    return PlainTextObject(text=truncate(text, 24))


def bullet(t: Translator, line: str, limit: int) -> str:
    """A line as a bullet: a phrase said in the reader's language, escaped, cut to `limit` characters."""
    text = line.in_language(t) if isinstance(line, Phrase) else line
    return "• " + escape(truncate(text, limit))


def chunks(lines: Sequence[str], head: str, *, limit: int = SECTION_CHUNK) -> list[str]:
    """Join `head` and lines into texts of at most `limit` characters each."""
    out: list[str] = []
    current = head
    for line in lines:
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit and current:
            out.append(current)
            current = line
        else:
            current = candidate
    if current:
        out.append(current)
    return out


@dataclass(frozen=True)
class PairCard:
    """What a view shows about one pair from one member's side."""

    pair_id: int
    other_id: str  # Slack id of the other member
    other_label: str
    role: str  # "report" (the other one is my report) or "manager"
    next_at: datetime
    next_period: str
    cadence: str
    open_points: int = 0


def _with(t: Translator, card: PairCard) -> str:
    if card.role == "report":
        return t("*With {person}* (your report)", person=mention(card.other_id))
    return t("*With {person}* (your manager)", person=mention(card.other_id))


def pair_buttons(t: Translator, pair_id: int, notes_value: str | None = None) -> ActionsBlock:
    return ActionsBlock(elements=[
        _button(t("Add talking point"), OneOnOneIds.ADD_BUTTON, str(pair_id), "primary"),
        _button(t("Record notes"), OneOnOneIds.NOTES_BUTTON, notes_value or str(pair_id)),
        _button(t("Change schedule"), OneOnOneIds.SCHEDULE_BUTTON, str(pair_id)),
    ])


def notes_value(pair_id: int, period: str, at: datetime) -> str:
    return f"{pair_id}:{period}:{int(at.timestamp())}"


def show_all_value(pair_id: int, key: str, period: str, at: datetime) -> str:
    return json.dumps({"p": pair_id, "s": key, "m": period, "a": int(at.timestamp())}, separators=(",", ":"))


# -- the agenda DM --------------------------------------------------------------------------------------


def _section_blocks(t: Translator, s: AgendaSection, *, more_value: str, budget: int) -> tuple[list[Block], int]:
    """Blocks for one agenda section within `budget` characters; returns them and the characters used."""
    title = f"*{escape(t(s.title))}*" + (f" ({s.total})" if s.total else "")
    if not s.lines:
        text = f"{title}\n_{t(s.empty)}_"
        return [section(text)], len(text)
    blocks: list[Block] = []
    used = 0
    if s.item_ids:
        blocks.append(section(title))
        used += len(title)
        for line, item_id in list(zip(s.lines, s.item_ids, strict=False))[:AGENDA_ITEMS]:
            text = bullet(t, line, AGENDA_LINE_CHARS)
            if used + len(text) > budget:
                break
            blocks.append(item_block(t, item_id, text))
            used += len(text)
        shown = len(blocks) - 1
    else:
        lines: list[str] = []
        text = title
        for line in s.lines[:AGENDA_LINES]:
            candidate = text + "\n" + bullet(t, line, AGENDA_LINE_CHARS)
            if len(candidate) > SECTION_CHUNK or used + len(candidate) > budget:
                break
            text = candidate
            lines.append(line)
        shown = len(lines)
        blocks.append(section(text))
        used += len(text)
    rest = s.total - shown
    if rest > 0:
        more = t("…and {count} more.", count=rest)
        blocks.append(SectionBlock(text=MarkdownTextObject(text=more),
                                   accessory=_button(t("Show all"), OneOnOneIds.SHOW_ALL_BUTTON, more_value)))
        used += len(more)
    return blocks, used


def item_block(t: Translator, item_id: int, text: str) -> SectionBlock:
    return SectionBlock(block_id=f"{OneOnOneIds.ITEM_BLOCK}{item_id}", text=MarkdownTextObject(text=text),
                        accessory=_button(t("Done"), OneOnOneIds.DONE_BUTTON, str(item_id)))


def agenda_message(t: Translator, agenda: Agenda, card: PairCard, *, meeting_period: str, meeting_at: datetime,
                   tz: str | None) -> tuple[str, list[dict[str, Any]]]:
    """The agenda DM: what's on, section by section, and the buttons to add, record and reschedule."""
    head = t(":spiral_calendar_pad: *Your 1:1 with {person}* · {when}", person=mention(card.other_id),
             when=when(t, meeting_at, tz))
    blocks: list[Block] = [
        section(head),
        context(t("Since {since} · {cadence}", since=when(t, agenda.since, tz), cadence=card.cadence)),
    ]
    budget = AGENDA_TEXT_BUDGET - len(head) - 300
    reserve = 2  # the "more in the App Home" note and the buttons
    for s in agenda.sections:
        part, used = _section_blocks(t, s, more_value=show_all_value(card.pair_id, s.key, meeting_period, meeting_at),
                                     budget=max(0, budget))
        if len(blocks) + len(part) + reserve > MESSAGE_BLOCKS_MAX or used > budget:
            blocks.append(context(t("More in the App Home.")))
            break
        blocks.extend(part)
        budget -= used
    blocks.append(pair_buttons(t, card.pair_id, notes_value(card.pair_id, meeting_period, meeting_at)))
    fallback = t("Your 1:1 with {person} is coming up: {when}.", person=mention(card.other_id),
                 when=when(t, meeting_at, tz))
    return fallback, to_dicts(blocks)


def mark_done_blocks(t: Translator, blocks: list[dict[str, Any]], item_id: int, by: str) -> list[dict[str, Any]]:
    """The same blocks with this action item struck through and its Done button gone."""
    out = []
    for block in blocks:
        if block.get("block_id") == f"{OneOnOneIds.ITEM_BLOCK}{item_id}":
            text = str((block.get("text") or {}).get("text") or "").removeprefix("• ")
            done = t(":white_check_mark: done by {person}", person=mention(by))
            block = {"type": "section", "block_id": block["block_id"],
                     "text": {"type": "mrkdwn", "text": truncate(f"• ~{text}~ {done}", SECTION_TEXT_MAX)}}
        out.append(block)
    return out


def clean_view(view: dict[str, Any], blocks: list[dict[str, Any]]) -> dict[str, Any]:
    """A view as `views.update` takes it: Slack's read-only fields (id, hash, state…) left out."""
    keep = ("type", "title", "close", "submit", "private_metadata", "callback_id", "clear_on_close",
            "notify_on_close", "external_id")
    return {**{k: view[k] for k in keep if view.get(k) not in (None, "")}, "blocks": blocks}


# -- modals ---------------------------------------------------------------------------------------------


def done_view(t: Translator, title: str, text: str) -> View:
    return View(type="modal", callback_id=OneOnOneIds.DONE_VIEW, title=title_text(title),
                close=PlainTextObject(text=t("Close")), blocks=[section(text)])


# -- replies and DMs ------------------------------------------------------------------------------------


def help_message(t: Translator, cards: Sequence[PairCard], *, tz: str | None) -> tuple[str, list[dict[str, Any]]]:
    """`/1on1` and `/1on1 help`: what the command does, and the person's 1:1s with their next meeting."""
    usage = t("`/1on1 add <topic>` adds a talking point to your next 1:1 (you choose which one when you have "
              "several). `/1on1 notes @person` shows the notes of your 1:1s with them.").replace("<topic>",
                                                                                               "&lt;topic&gt;")
    if not cards:
        text = t("You have no 1:1s yet. Candor sets one up for every manager and each of their direct reports.")
        return text + "\n" + usage, to_dicts([section(text), context(usage)])
    blocks: list[Block] = [section(t("*Your 1:1s*"))]
    for card in cards[:20]:
        blocks.append(section(_with(t, card) + "\n" + t("Next: {when} · {cadence}", when=when(t, card.next_at, tz),
                                                        cadence=card.cadence)))
        blocks.append(pair_buttons(t, card.pair_id))
    blocks.append(context(usage))
    return t("Your 1:1s") + "\n" + usage, to_dicts(blocks[:MESSAGE_BLOCKS_MAX])


def added_reply(t: Translator, card: PairCard) -> str:
    return t(":white_check_mark: Added to your next 1:1 with {person} ({when}).", person=mention(card.other_id),
             when=when(t, card.next_at, None))


@dataclass(frozen=True)
class NotesView:
    held_at: datetime
    other_id: str  # the other member of that pair, from the viewer's side
    author_id: str | None
    notes: str


def notes_listing(t: Translator, about: str, found: Sequence[NotesView]) -> str:
    """`/1on1 notes @person`: the notes the viewer may see, newest first, bounded to one reply."""
    if not found:
        return t("You have no 1:1 notes with {person} that you may see. Notes are private to the two people of "
                 "each 1:1 (and HR admins when your organisation allows it).", person=mention(about))
    parts = [t("*1:1 notes with {person}*", person=mention(about))]
    budget = 3500
    for note in found:
        head = t("{when} · with {person}", when=when(t, note.held_at, None), person=mention(note.other_id))
        body = "\n".join("> " + line for line in escape(truncate(note.notes, 700)).splitlines() or [""])
        piece = f"{head}\n{body}"
        if len(piece) > budget:
            break
        parts.append(piece)
        budget -= len(piece)
    return "\n\n".join(parts)


def notes_dm(t: Translator, *, author_id: str, meeting_at: datetime, notes: str | None,
             items: Sequence[tuple[int, str]]) -> tuple[str, list[dict[str, Any]]]:
    """To the other member: notes were recorded (and which action items were agreed)."""
    head = t(":memo: {person} recorded notes for your 1:1 of {when}.", person=mention(author_id),
             when=when(t, meeting_at, None))
    blocks: list[Block] = [section(head)]
    if notes:
        blocks.append(section("\n".join("> " + line for line in escape(truncate(notes, 2500)).splitlines() or [""])))
    if items:
        blocks.append(section(t("*Action items*")))
        for item_id, line in items[:AGENDA_ITEMS * 2]:
            blocks.append(item_block(t, item_id, bullet(t, line, AGENDA_LINE_CHARS)))
    return head, to_dicts(blocks)


def nudge_dm(t: Translator, card: PairCard, *, weeks: int) -> tuple[str, list[dict[str, Any]]]:
    text = t(":wave: It has been {weeks} weeks since your last recorded 1:1 with {person}. A short conversation "
             "keeps things moving: pick a time that works, add a topic, or record the notes if you already met.",
             weeks=weeks, person=mention(card.other_id))
    return text, to_dicts([section(text), context(t("Next on the calendar: {when} · {cadence}",
                                                       when=when(t, card.next_at, None), cadence=card.cadence)),
                           pair_buttons(t, card.pair_id)])


def schedule_dm(t: Translator, card: PairCard, *, actor_id: str) -> tuple[str, list[dict[str, Any]]]:
    text = t(":spiral_calendar_pad: {person} changed your 1:1 to {cadence}. Next: {when}.",
             person=mention(actor_id), cadence=card.cadence, when=when(t, card.next_at, None))
    return text, to_dicts([section(text)])


# -- the App Home section ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class HomeItem:
    item_id: int
    line: str


def home_blocks(t: Translator, cards: Sequence[PairCard], items: Sequence[HomeItem], total_items: int,
                *, tz: str | None) -> list[Block]:
    """"Your 1:1s": the next meeting of each pair (shown in the viewer's time), open action items."""
    if not cards and not items:
        return []
    blocks: list[Block] = [HeaderBlock(block_id=OneOnOneIds.HOME_HEADER, text=PlainTextObject(text=t("Your 1:1s")))]
    for card in cards[:HOME_PAIRS]:
        points = t.n("{count} open talking point", "{count} open talking points", card.open_points)
        blocks.append(section(_with(t, card) + "\n" + t("Next: {when} · {cadence}", when=when(t, card.next_at, tz),
                                                        cadence=card.cadence) + "\n" + points))
        blocks.append(pair_buttons(t, card.pair_id))
    if len(cards) > HOME_PAIRS:
        blocks.append(context(t.n("…and {count} more 1:1: see `/1on1`.", "…and {count} more 1:1s: see `/1on1`.",
                                  len(cards) - HOME_PAIRS)))
    if items:
        blocks.append(section(t("*Open action items*") + f" ({total_items})"))
        for item in items[:HOME_ITEMS]:
            blocks.append(item_block(t, item.item_id, bullet(t, item.line, AGENDA_LINE_CHARS)))
        if total_items > min(len(items), HOME_ITEMS):
            blocks.append(context(t("…and {count} more in your next agendas.",
                                    count=total_items - min(len(items), HOME_ITEMS))))
    return blocks


def item_line(t: Translator, text: str, owner: str, due: date | None) -> str:
    """An action item as a plain-text line (escaped where it is shown)."""
    return f"{text} — {owner}" + (" · " + t("due {date}", date=due.isoformat()) if due else "")
