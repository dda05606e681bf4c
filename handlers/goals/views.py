"""Goal views: `/goal` replies (list, someone's goals, help), the create, pick, update and alignment modals, their
confirmations, and the App Home section.

Pure functions from what the listeners looked up (`GoalCard`s and the like) to Block Kit. Every limit holds
whatever the data: at most 50 blocks and about 10,000 characters per message, 100 blocks per modal and per Home,
section text within 3000 characters, option and button texts within 75, modal titles within 24. Goal titles,
departments and units are what people typed: they are escaped wherever they are mrkdwn.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    RadioButtonsElement,
    SectionBlock,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.blocks import MESSAGE_BLOCKS_MAX, SECTION_TEXT_MAX, VIEW_BLOCKS_MAX, context, mention, section, to_dicts
from bot.i18n import Translator
from bot.text import escape, truncate
from handlers.goals.common import LEVEL_NAME, status_label
from handlers.goals.ids import GoalIds
from handlers.goals.payloads import SUGGEST
from models.core.messages import _t
from models.goals import (
    AT_RISK,
    COMMENT_MAX,
    DESCRIPTION_MAX,
    OFF_TRACK,
    ON_TRACK,
    STATUS_NAME,
    TITLE_MAX,
    progress_bar,
)

MODAL_TITLE_MAX = 24
OPTION_TEXT_MAX = 75
BUTTON_TEXT_MAX = 75
TITLE_CHARS = 150  # a goal title as shown (the domain allows no more)
MESSAGE_TEXT_BUDGET = 10_000  # a whole /goal reply; Slack refuses some messages far below the per-block sums
SECTION_CHUNK = SECTION_TEXT_MAX - 100
LIST_OWN = 10  # goals per part of a /goal reply
LIST_SHARED = 8
LIST_OTHER = 15
PICK_OPTIONS = 100
PARENT_OPTIONS = 100
HOME_MINE = 6
HOME_REPORTS = 10
HOME_REPORT_GOALS = 4
ALIGN_CHILDREN = 50
KR_EXAMPLE = _t("New accounts: 0 -> 20 accounts")  # translated: the syntax is the same in every language
KR_LINE_MAX = 300  # a key-result line: title, numbers and unit


# -- what the views show ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoalCard:
    """One goal as one viewer may see it."""

    goal_id: int
    title: str
    slug: str
    line: str  # status, progress bar, period (`common.goal_line`)
    level: str
    department: str | None
    owner_id: str  # Slack id
    parent: str | None = None  # the title of the goal it supports, when the viewer may see it
    parent_hidden: bool = False  # it supports a goal the viewer may not see
    can_update: bool = False
    aligned: bool = False  # it has a parent or children: the alignment view shows something
    stalled_days: int | None = None  # days without an update, when that makes it stalled


@dataclass(frozen=True)
class HistoryLine:
    """One entry of a goal's history as shown: when (the viewer's local date), who, how, and what they said."""

    day: date
    author_id: str | None  # Slack id; None for an import or an erased author
    source: str  # created, modal, checkin, closeout, carried, import
    status: str | None
    progress: float
    comment: str


@dataclass(frozen=True)
class KudosLine:
    """A kudos that named the goal."""

    day: date
    giver_id: str
    recipient_ids: Sequence[str]
    message: str


HISTORY_LINES = 10
KUDOS_LINES = 5
SOURCE_NAME = {"created": _t("created"), "modal": _t("updated"), "checkin": _t("updated in a check-in"),
               "closeout": _t("closed out"), "carried": _t("carried over"), "import": _t("imported")}


@dataclass(frozen=True)
class ListPart:
    """A part of a /goal reply: a heading, the first goals and how many there are in all."""

    title: str
    cards: Sequence[GoalCard]
    total: int
    empty: str = ""
    owner: bool = False  # show each goal's owner
    level: bool = False  # show each goal's level (organisation, department)


@dataclass(frozen=True)
class PeriodChoice:
    key: str
    starts_on: date
    ends_on: date
    current: bool = False


@dataclass(frozen=True)
class ParentChoice:
    goal_id: int
    level: str
    department: str | None
    owner_label: str
    title: str


@dataclass(frozen=True)
class KeyResultInput:
    kr_id: int
    title: str
    kind: str
    start: float
    target: float
    unit: str
    current: float


@dataclass(frozen=True)
class TeamMember:
    """A direct report on the manager's Home: their first goals, how many in all, how many stalled."""

    slack_id: str
    cards: Sequence[GoalCard] = field(default_factory=tuple)
    total: int = 0
    stalled: int = 0


# -- small pieces ------------------------------------------------------------------------------------------


def plain(text: str, limit: int) -> PlainTextObject:
    return PlainTextObject(text=truncate(text, limit))


def _button(text: str, action_id: str, value: str, style: str | None = None) -> ButtonElement:
    return ButtonElement(text=plain(text, BUTTON_TEXT_MAX), action_id=action_id, value=value, style=style)


def fmt_number(value: float) -> str:
    """A value as people write it: 20, 4.5, -3 (no exponent, at most six decimals)."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.6f}".rstrip("0").rstrip(".")


def level_label(t: Translator, level: str, department: str | None) -> str:
    """Plain text: "Organisation", "Department (Sales)", "Personal"."""
    name = t(LEVEL_NAME.get(level, LEVEL_NAME["person"]))
    if level == "department" and department:
        return t("{level} ({department})", level=name, department=department)
    return name


def goal_title(title: str) -> str:
    return f"*{escape(truncate(title, TITLE_CHARS))}*"


def card_text(t: Translator, card: GoalCard, *, owner: bool = False, level: bool = False) -> str:
    """A goal as mrkdwn: its title (with level and owner when asked), its state, the goal it supports, a stall."""
    head = goal_title(card.title)
    if level and card.level != "person":
        head = escape(truncate(level_label(t, card.level, card.department), 250)) + " · " + head
    if owner:
        head += " · " + mention(card.owner_id)
    lines = [head, card.line]
    if card.parent_hidden:
        lines.append(t(":link: Supports a private goal"))
    elif card.parent:
        lines.append(t(":link: Supports {goal}", goal=escape(truncate(card.parent, TITLE_CHARS))))
    if card.stalled_days is not None:
        lines.append(t(":hourglass: No update for {days} days", days=card.stalled_days))
    return truncate("\n".join(lines), SECTION_CHUNK)


def card_blocks(t: Translator, card: GoalCard, *, owner: bool = False, level: bool = False,
                buttons: bool = True) -> list[Block]:
    """A goal with its Update and Alignment buttons (those that are useful to this viewer)."""
    elements: list[ButtonElement] = []
    if buttons and card.can_update:
        elements.append(_button(t("Update"), GoalIds.UPDATE_BUTTON, str(card.goal_id), "primary"))
    if buttons and card.aligned:
        elements.append(_button(t("Alignment"), GoalIds.ALIGNMENT_BUTTON, str(card.goal_id)))
    text = MarkdownTextObject(text=card_text(t, card, owner=owner, level=level))
    if len(elements) <= 1:
        return [SectionBlock(text=text, accessory=elements[0] if elements else None)]
    return [SectionBlock(text=text), ActionsBlock(elements=elements)]


def _size(blocks: Sequence[Block]) -> int:
    return sum(len(str((b.to_dict().get("text") or {}).get("text") or "")) for b in blocks)


def done_view(t: Translator, title: str, text: str) -> View:
    return View(type="modal", title=plain(title, MODAL_TITLE_MAX), close=plain(t("Close"), MODAL_TITLE_MAX),
                blocks=[section(text)])


# -- /goal replies -----------------------------------------------------------------------------------------


def list_message(t: Translator, parts: Sequence[ListPart], *, head: str = "",
                 foot: str = "") -> tuple[str, list[dict[str, Any]]]:
    """A /goal reply: parts of goals with their buttons, each cut to what fits, saying how many more there are."""
    blocks: list[Block] = [section(head)] if head else []
    used = len(head) + len(foot)
    reserve = 2 * len(parts) + 1  # every part's heading and "more" line, and the foot
    for part in parts:
        reserve -= 2
        blocks.append(section(f"{part.title} ({part.total})" if part.total else part.title))
        used += len(part.title)
        if not part.cards:
            if part.empty:
                blocks.append(context(part.empty))
                used += len(part.empty)
            continue
        shown = 0
        for card in part.cards:
            piece = card_blocks(t, card, owner=part.owner, level=part.level)
            size = _size(piece)
            if len(blocks) + len(piece) + reserve + 1 > MESSAGE_BLOCKS_MAX or used + size > MESSAGE_TEXT_BUDGET:
                break
            blocks.extend(piece)
            used += size
            shown += 1
        if part.total > shown:
            blocks.append(context(t("…and {count} more.", count=part.total - shown)))
    if foot:
        blocks.append(context(foot))
    fallback = head or (parts[0].title if parts else t("Goals"))
    return truncate(fallback, 3000), to_dicts(blocks[:MESSAGE_BLOCKS_MAX])


def usage(t: Translator) -> str:
    return "\n".join([
        t("`/goal` or `/goal new` sets a goal, with its key results and the goal it supports."),
        t("`/goal update` records progress on one of your goals."),
        t("`/goal list` shows your goals and the organisation's and departments' goals."),
        t("`/goal @person` shows someone's goals, as far as you may see them."),
        t("`/goal help` shows this help."),
    ])


def help_message(t: Translator, *, unknown: str | None = None) -> tuple[str, list[dict[str, Any]]]:
    """`/goal help`; with `unknown`, what was typed that Candor does not know, first."""
    blocks: list[Block] = []
    text = ""
    if unknown is not None:
        sub = escape(truncate(unknown, 30)).replace("`", "'")
        text = t("I don't know `{sub}`.", sub=sub)
        blocks.append(section(text))
    title = t("*Goals in Candor*")
    blocks.append(section(title + "\n" + usage(t)))
    blocks.append(context(t("Goals are public in the organisation unless their owner makes them private; a private "
                            "goal is visible to its owner, their managers and HR admins.")))
    return (text + "\n" if text else "") + usage(t), to_dicts(blocks)


def no_goals_to_update(t: Translator) -> str:
    return t("You have no active goals to update. Set one with `/goal new`: a title, and a few key results such "
             "as `{example}`.", example=escape(t(KR_EXAMPLE)))


def goals_off(t: Translator) -> str:
    return t("Goals are turned off in this workspace.")


# -- the create modal --------------------------------------------------------------------------------------


def parent_option(t: Translator, choice: ParentChoice) -> Option:
    label = level_label(t, choice.level, choice.department)
    if choice.level == "person":
        label = t("{level} ({person})", level=label, person=choice.owner_label)
    return Option(value=str(choice.goal_id), text=plain(f"{label} · {choice.title}", OPTION_TEXT_MAX))


def period_option(t: Translator, choice: PeriodChoice) -> Option:
    span = f"{choice.starts_on.isoformat()} – {choice.ends_on.isoformat()}"
    label = (t("{period} (now, {span})", period=choice.key, span=span) if choice.current
             else t("{period} ({span})", period=choice.key, span=span))
    return Option(value=choice.key, text=plain(label, OPTION_TEXT_MAX))


def visibility_options(t: Translator) -> list[Option]:
    return [Option(value="public", text=plain(t("Public: everyone in the organisation"), OPTION_TEXT_MAX)),
            Option(value="private", text=plain(t("Private: the owner, their managers and HR admins"),
                                               OPTION_TEXT_MAX))]


def create_modal(t: Translator, *, levels: Sequence[str], choose_owner: bool, author_id: str,
                 department: str | None, periods: Sequence[PeriodChoice], parents: Sequence[ParentChoice],
                 default_visibility: str, max_key_results: int, private_metadata: str, title: str = "") -> View:
    """Set a goal: title, description, level and owner (for those who may set others' goals), period, the goal it
    supports, visibility and up to `max_key_results` key results, one per line."""
    blocks: list[Block] = [
        InputBlock(block_id=GoalIds.TITLE_BLOCK, label=plain(t("Goal"), 2000),
                   element=PlainTextInputElement(action_id=GoalIds.TITLE_ACTION, max_length=TITLE_MAX,
                                                 initial_value=truncate(title, TITLE_MAX) or None,
                                                 placeholder=plain(t("What do you want to achieve?"), 150))),
        InputBlock(block_id=GoalIds.DESCRIPTION_BLOCK, label=plain(t("Why it matters"), 2000), optional=True,
                   element=PlainTextInputElement(action_id=GoalIds.DESCRIPTION_ACTION, multiline=True,
                                                 max_length=DESCRIPTION_MAX)),
    ]
    if len(levels) > 1:
        options = [Option(value=lv, text=plain(t(LEVEL_NAME[lv]), OPTION_TEXT_MAX)) for lv in levels]
        blocks.append(InputBlock(
            block_id=GoalIds.LEVEL_BLOCK, label=plain(t("Whose goal is it?"), 2000),
            element=StaticSelectElement(action_id=GoalIds.LEVEL_ACTION, options=options,
                                        initial_option=options[[*levels].index("person")] if "person" in levels
                                        else options[0])))
    if choose_owner:
        blocks.append(InputBlock(
            block_id=GoalIds.OWNER_BLOCK, label=plain(t("Owner"), 2000),
            hint=plain(t("Who answers for it: you, or someone who reports to you."), 2000),
            element=UserSelectElement(action_id=GoalIds.OWNER_ACTION, initial_user=author_id)))
    if "department" in levels:
        blocks.append(InputBlock(
            block_id=GoalIds.DEPARTMENT_BLOCK, label=plain(t("Department"), 2000), optional=True,
            hint=plain(t("For a department's goal only."), 2000),
            element=PlainTextInputElement(action_id=GoalIds.DEPARTMENT_ACTION, max_length=200,
                                          initial_value=truncate(department, 200) if department else None)))
    period_options = [period_option(t, p) for p in periods]
    current = next((o for o, p in zip(period_options, periods, strict=True) if p.current), period_options[0])
    blocks.append(InputBlock(
        block_id=GoalIds.PERIOD_BLOCK, label=plain(t("Period"), 2000),
        element=StaticSelectElement(action_id=GoalIds.PERIOD_ACTION, options=period_options,
                                    initial_option=current)))
    if parents:
        blocks.append(InputBlock(
            block_id=GoalIds.PARENT_BLOCK, label=plain(t("Supports"), 2000), optional=True,
            hint=plain(t("The organisation's or team's goal this one helps reach."), 2000),
            element=StaticSelectElement(action_id=GoalIds.PARENT_ACTION,
                                        placeholder=plain(t("Choose a goal"), 150),
                                        options=[parent_option(t, p) for p in parents[:PARENT_OPTIONS]])))
    visibility = visibility_options(t)
    blocks.append(InputBlock(
        block_id=GoalIds.VISIBILITY_BLOCK, label=plain(t("Who can see it"), 2000),
        element=RadioButtonsElement(action_id=GoalIds.VISIBILITY_ACTION, options=visibility,
                                    initial_option=visibility[1 if default_visibility == "private" else 0])))
    blocks.append(context(t("*Key results*: how you will know it is done. Write each as `{example}`, or just a "
                            "title for a milestone you will measure in %.", example=escape(t(KR_EXAMPLE)))))
    for row in range(max_key_results):
        blocks.append(InputBlock(
            block_id=f"{GoalIds.KR_BLOCK}{row}", label=plain(t("Key result {number}", number=row + 1), 2000),
            optional=True,
            element=PlainTextInputElement(action_id=GoalIds.KR_ACTION, max_length=KR_LINE_MAX,
                                          placeholder=plain(t(KR_EXAMPLE), 150) if row == 0 else None)))
    return View(type="modal", callback_id=GoalIds.CREATE_MODAL, title=plain(t("New goal"), MODAL_TITLE_MAX),
                submit=plain(t("Create"), MODAL_TITLE_MAX), close=plain(t("Cancel"), MODAL_TITLE_MAX),
                private_metadata=private_metadata, blocks=blocks[:VIEW_BLOCKS_MAX])


def kr_format_error(t: Translator) -> str:
    return t("Write a key result as “{example}” (or with → or “to”), or just a title for a milestone.",
             example=t(KR_EXAMPLE))


def created_view(t: Translator, card: GoalCard, *, active_goals: int, over_soft_limit: bool,
                 for_someone_else: bool = False) -> View:
    """The create modal once the goal is saved: the goal as others will see it, its short name, and a gentle
    word when the owner now has more active goals than the organisation suggests (naming the owner when the
    author set the goal for someone else)."""
    blocks: list[Block] = [
        section(t(":white_check_mark: Goal created.") + "\n\n" + card_text(t, card, level=True)),
        context(t("Short name `+{slug}`: add it to `/kudos` to tie recognition to this goal.", slug=card.slug)),
    ]
    if over_soft_limit and for_someone_else:
        blocks.append(section(t.n(
            ":bulb: {person} now has {count} active goal; a few focused goals usually work better than many.",
            ":bulb: {person} now has {count} active goals; a few focused goals usually work better than many.",
            active_goals, person=mention(card.owner_id))))
    elif over_soft_limit:
        blocks.append(section(t.n(
            ":bulb: You now have {count} active goal; a few focused goals usually work better than many.",
            ":bulb: You now have {count} active goals; a few focused goals usually work better than many.",
            active_goals)))
    blocks.append(context(t("Record progress with `/goal update` or from the App Home.")))
    return View(type="modal", title=plain(t("Goal created"), MODAL_TITLE_MAX),
                close=plain(t("Close"), MODAL_TITLE_MAX), blocks=blocks)


def create_error_block(field_name: str, rows: Sequence[int], present: Collection[str]) -> str:
    """The create modal's block a domain error belongs to. `rows[i]` is the modal row of the i-th key result;
    a field whose block is not in the modal goes to the title."""
    block: str = GoalIds.TITLE_BLOCK.value
    simple = {"title": GoalIds.TITLE_BLOCK, "description": GoalIds.DESCRIPTION_BLOCK, "level": GoalIds.LEVEL_BLOCK,
              "owner": GoalIds.OWNER_BLOCK, "department": GoalIds.DEPARTMENT_BLOCK, "period": GoalIds.PERIOD_BLOCK,
              "parent": GoalIds.PARENT_BLOCK, "visibility": GoalIds.VISIBILITY_BLOCK}
    if field_name in simple:
        block = simple[field_name].value
    elif field_name.startswith("kr_") and field_name[3:].isdigit():
        index = int(field_name[3:])
        block = f"{GoalIds.KR_BLOCK}{rows[index] if index < len(rows) else index}"
    elif field_name == "key_results":
        block = f"{GoalIds.KR_BLOCK}{rows[0] if rows else 0}"
    if block not in present:
        if field_name == "department" and GoalIds.LEVEL_BLOCK.value in present:
            return GoalIds.LEVEL_BLOCK.value
        return GoalIds.TITLE_BLOCK.value
    return block


# -- the pick and update modals ----------------------------------------------------------------------------


def pick_modal(t: Translator, cards: Sequence[GoalCard], *, private_metadata: str) -> View:
    """Which goal to update, when the person has several."""
    options = [Option(value=str(c.goal_id), text=plain(c.title, OPTION_TEXT_MAX)) for c in cards[:PICK_OPTIONS]]
    blocks: list[Block] = [InputBlock(
        block_id=GoalIds.PICK_BLOCK, label=plain(t("Which goal?"), 2000),
        element=StaticSelectElement(action_id=GoalIds.PICK_ACTION, options=options,
                                    placeholder=plain(t("Choose a goal"), 150)))]
    if len(cards) > PICK_OPTIONS:
        blocks.append(context(t("Showing the first {count}; the rest are on the App Home.", count=PICK_OPTIONS)))
    return View(type="modal", callback_id=GoalIds.PICK_MODAL, title=plain(t("Update a goal"), MODAL_TITLE_MAX),
                submit=plain(t("Next"), MODAL_TITLE_MAX), close=plain(t("Cancel"), MODAL_TITLE_MAX),
                private_metadata=private_metadata, blocks=blocks)


def status_options(t: Translator, suggested: str) -> list[Option]:
    suggest = t("Let Candor suggest (currently: {status})", status=t(STATUS_NAME[suggested]))
    return [Option(value=SUGGEST, text=plain(suggest, OPTION_TEXT_MAX)),
            *(Option(value=s, text=plain(status_label(t, s), OPTION_TEXT_MAX)) for s in (ON_TRACK, AT_RISK, OFF_TRACK))]


def kr_label(t: Translator, kr: KeyResultInput) -> str:
    if kr.kind == "milestone":
        return t("{title} (% done)", title=kr.title)
    return t("{title}: {start} → {target} {unit}", title=kr.title, start=fmt_number(kr.start),
             target=fmt_number(kr.target), unit=kr.unit).strip()


def update_modal(t: Translator, card: GoalCard, *, key_results: Sequence[KeyResultInput], progress: float,
                 status: str | None, suggested: str, private_metadata: str) -> View:
    """Record progress: a value per key result (or the goal's own %), a status (or Candor's suggestion), a note."""
    blocks: list[Block] = [section(card_text(t, card, level=True))]
    for kr in key_results:
        blocks.append(InputBlock(
            block_id=f"{GoalIds.KR_VALUE_BLOCK}{kr.kr_id}", label=plain(kr_label(t, kr), 2000),
            element=PlainTextInputElement(action_id=GoalIds.KR_VALUE_ACTION, max_length=40,
                                          initial_value=fmt_number(kr.current))))
    if not key_results:
        blocks.append(InputBlock(
            block_id=GoalIds.PROGRESS_BLOCK, label=plain(t("Progress (% done)"), 2000),
            element=PlainTextInputElement(action_id=GoalIds.PROGRESS_ACTION, max_length=40,
                                          initial_value=fmt_number(round(progress * 100, 1)))))
    options = status_options(t, suggested)
    chosen = next((o for o in options if o.value == (status or SUGGEST)), options[0])
    blocks += [
        InputBlock(block_id=GoalIds.STATUS_BLOCK, label=plain(t("Status"), 2000),
                   element=StaticSelectElement(action_id=GoalIds.STATUS_ACTION, options=options,
                                               initial_option=chosen)),
        InputBlock(block_id=GoalIds.COMMENT_BLOCK, label=plain(t("What changed?"), 2000), optional=True,
                   element=PlainTextInputElement(action_id=GoalIds.COMMENT_ACTION, multiline=True,
                                                 max_length=COMMENT_MAX)),
    ]
    return View(type="modal", callback_id=GoalIds.UPDATE_MODAL, title=plain(t("Update goal"), MODAL_TITLE_MAX),
                submit=plain(t("Save"), MODAL_TITLE_MAX), close=plain(t("Cancel"), MODAL_TITLE_MAX),
                private_metadata=private_metadata, blocks=blocks[:VIEW_BLOCKS_MAX])


def updated_view(t: Translator, card: GoalCard) -> View:
    return View(type="modal", title=plain(t("Progress recorded"), MODAL_TITLE_MAX),
                close=plain(t("Close"), MODAL_TITLE_MAX),
                blocks=[section(t(":white_check_mark: Progress recorded.") + "\n\n" + card_text(t, card, level=True))])


def update_error_block(field_name: str, present: Collection[str], first: str) -> str:
    """The update modal's block a domain error belongs to; `first` (the first input) when it has no field."""
    if field_name.startswith("kr_"):
        block = f"{GoalIds.KR_VALUE_BLOCK}{field_name[3:]}"
    else:
        block = {"progress": GoalIds.PROGRESS_BLOCK.value, "status": GoalIds.STATUS_BLOCK.value,
                 "comment": GoalIds.COMMENT_BLOCK.value}.get(field_name, first)
    return block if block in present else first


# -- the alignment modal -----------------------------------------------------------------------------------


def _chunks(lines: Sequence[str], limit: int = SECTION_CHUNK) -> list[str]:
    out: list[str] = []
    current = ""
    for line in lines:
        line = truncate(line, limit)
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit and current:
            out.append(current)
            current = line
        else:
            current = candidate
    if current:
        out.append(current)
    return out


def history_blocks(t: Translator, history: Sequence[HistoryLine], kudos: Sequence[KudosLine]) -> list[Block]:
    """The goal's latest updates (who, when, status, progress, comment) and the kudos that named it."""
    blocks: list[Block] = [DividerBlock(), section(t("*Latest updates*"))]
    lines = []
    for h in history[:HISTORY_LINES]:
        who = mention(h.author_id) if h.author_id else t("someone")
        head = f"`{h.day.isoformat()}` {who} · {t(SOURCE_NAME.get(h.source, SOURCE_NAME['modal']))}"
        head += f" · {round(h.progress * 100)}%"
        if h.status:
            head += f" · {status_label(t, h.status)}"
        if h.comment.strip():
            head += "\n> " + escape(truncate(h.comment, 500)).replace("\n", "\n> ")
        lines.append(head)
    blocks.extend(section(chunk) for chunk in _chunks(lines)[:6])
    if len(history) > HISTORY_LINES:
        blocks.append(context(t("Older updates: `candor goals list` or an export has the whole history.")))
    if kudos:
        blocks.append(section(t("*Kudos for this goal*")))
        shown = [f"`{k.day.isoformat()}` {mention(k.giver_id)} → {', '.join(mention(r) for r in k.recipient_ids)}"
                 f"\n> {escape(truncate(k.message, 300))}" for k in kudos[:KUDOS_LINES]]
        blocks.extend(section(chunk) for chunk in _chunks(shown)[:3])
    return blocks


def alignment_modal(t: Translator, chain: Sequence[GoalCard | None], goal: GoalCard,
                    children: Sequence[GoalCard], total_children: int, rollup: float | None,
                    history: Sequence[HistoryLine] = (), kudos: Sequence[KudosLine] = ()) -> View:
    """A goal's line from the organisation down: the goals it supports (from the top; one the viewer may not
    see is "a private goal", without its title), the goal, and the goals that support it (the first `children`
    of `total_children` the viewer may see) with their roll-up; then its latest updates and kudos."""
    lines: list[str] = []
    for depth, node in enumerate([*chain, goal]):
        arrow = "\u2003" * depth + ("↳ " if depth else "")
        under = "\u2003" * depth + ("\u2003" if depth else "")
        if node is None:
            lines.append(arrow + t("_A private goal_"))
            continue
        label = escape(truncate(level_label(t, node.level, node.department), 250))
        if depth == len(chain):  # the goal itself
            lines.append(f"{arrow}:round_pushpin: {label} · {goal_title(node.title)} · {mention(node.owner_id)}\n"
                         f"{under}{node.line}")
        else:
            lines.append(f"{arrow}{label} · {goal_title(node.title)}\n{under}{node.line}")
    blocks: list[Block] = []
    blocks.extend(section(chunk) for chunk in _chunks(lines)[:40])
    blocks.append(DividerBlock())
    if children:
        head = t("*Goals that support it* ({count})", count=total_children)
        if rollup is not None:
            head += "\n" + t("Roll-up: {bar}", bar=progress_bar(rollup))
        blocks.append(section(head))
        shown = [f"• {mention(c.owner_id)} · {goal_title(c.title)}\n{c.line}" if c.level == "person"
                 else f"• {escape(truncate(level_label(t, c.level, c.department), 250))} · {goal_title(c.title)}"
                      f"\n{c.line}" for c in children[:ALIGN_CHILDREN]]
        for chunk in _chunks(shown):
            if len(blocks) >= VIEW_BLOCKS_MAX - 1:
                break
            blocks.append(section(chunk))
        shown_count = min(len(children), ALIGN_CHILDREN)
        if total_children > shown_count:
            blocks.append(context(t("…and {count} more.", count=total_children - shown_count)))
    else:
        blocks.append(context(t("No goals support it yet. Others can choose it as the goal theirs supports.")))
    if history or kudos:
        extra = history_blocks(t, history, kudos)
        blocks = blocks[:VIEW_BLOCKS_MAX - len(extra)] + extra
    return View(type="modal", callback_id=GoalIds.ALIGNMENT_MODAL, title=plain(t("Alignment"), MODAL_TITLE_MAX),
                close=plain(t("Close"), MODAL_TITLE_MAX), blocks=blocks[:VIEW_BLOCKS_MAX])


# -- the App Home section ----------------------------------------------------------------------------------


def home_blocks(t: Translator, *, mine: Sequence[GoalCard], mine_total: int, team: Sequence[TeamMember],
                team_total: int) -> list[Block]:
    """"Goals": my goals with their buttons, New goal, and for a manager each report's goals with the stalled
    ones marked. At most about 40 blocks whatever the data (the Home holds 100 for every section)."""
    blocks: list[Block] = [HeaderBlock(text=plain(t("Goals"), 150))]
    blocks.append(section(t("*My goals* ({count})", count=mine_total)))
    if not mine:
        blocks.append(context(t("You have no active goals. A few focused goals, aligned with your team's, make it "
                                "easier to choose the week's work.")))
    for card in mine[:HOME_MINE]:
        blocks.extend(card_blocks(t, card))
    if mine_total > min(len(mine), HOME_MINE):
        blocks.append(context(t("…and {count} more: see `/goal list`.", count=mine_total - min(len(mine), HOME_MINE))))
    blocks.append(ActionsBlock(elements=[_button(t("New goal"), GoalIds.NEW_BUTTON, "new", "primary")]))
    if team:
        blocks.append(section(t("*My team's goals*")))
        for member in team[:HOME_REPORTS]:
            head = mention(member.slack_id) + " · " + t.n("{count} goal", "{count} goals", member.total)
            if member.stalled:
                head += " · " + t(":hourglass: {count} stalled", count=member.stalled)
            lines = [head]
            for card in member.cards[:HOME_REPORT_GOALS]:
                mark = (" · " + t(":hourglass: no update for {days} days", days=card.stalled_days)
                        if card.stalled_days is not None else "")
                lines.append(f"• {goal_title(card.title)} · {card.line}{mark}")
            if member.total > min(len(member.cards), HOME_REPORT_GOALS):
                lines.append(t("…and {count} more.", count=member.total - min(len(member.cards), HOME_REPORT_GOALS)))
            blocks.append(section(truncate("\n".join(lines), SECTION_CHUNK)))
        if team_total > min(len(team), HOME_REPORTS):
            blocks.append(context(t("…and {count} more people: see `/goal @person`.",
                                    count=team_total - min(len(team), HOME_REPORTS))))
    return blocks
