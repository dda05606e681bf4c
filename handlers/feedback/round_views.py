"""360 round views: the start form, the reviewer's form, the DMs (invitation, reminder, start notice, results),
the results and the App Home lines.

Results show only what `models.feedback.rounds.results` lets through: while a round runs, no counts at all;
below the threshold, the reason and nothing else of the anonymous answers; anonymous comments without names,
in the order the domain mixed them, dated with the round's close date. User text is escaped and bounded."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    DatePickerElement,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    RadioButtonsElement,
    SectionBlock,
    StaticMultiSelectElement,
    StaticSelectElement,
    UserMultiSelectElement,
)
from slack_sdk.models.views import View

from bot.blocks import SECTION_TEXT_MAX, VIEW_BLOCKS_MAX, context, mention, quoted_chunks, section, to_dicts
from bot.i18n import Translator
from bot.text import escape, truncate
from handlers.feedback.ids import ROUND_FIELD_BLOCKS, round_block
from handlers.feedback.ids import FeedbackIds as Ids
from models.core.config import Competency, FeedbackConfig
from models.core.messages import _t
from models.feedback import FeedbackError
from models.feedback.rounds import MAX_COMPETENCIES, RoundResults
from models.feedback.tables import FeedbackRound, FeedbackRoundReviewer

OPTION_TEXT = 75
RESULT_BLOCKS = 45  # a results message stays under Slack's 50 blocks per message
COMMENT_CHARS = 1000  # one comment, at most, in the results

RELATION = {
    "manager": _t("manager"),
    "peer": _t("peer"),
    "report": _t("report"),
    "other": _t("colleague"),
}


def _date(day: date) -> str:
    return day.isoformat()


def anonymity_note(t: Translator, subject_id: str, minimum: int) -> str:
    return t("{person} sees only aggregated levels and comments without names, and only once at least {min} "
             "reviewers besides the manager answered; comments are shown in mixed order, dated with the round's "
             "close date. The manager's own answer always carries their name.", person=mention(subject_id),
             min=minimum)


def start_modal(t: Translator, cfg: FeedbackConfig, *, subject_id: str, suggested: Sequence[str],
                competencies: Sequence[Competency], chosen: Sequence[str], deadline: date,
                private_metadata: str) -> View:
    """The form a manager or HR admin fills to start a 360 about `subject_id` (sealed, not an input)."""
    options = [Option(value=c.id, text=PlainTextObject(text=truncate(c.name, OPTION_TEXT))) for c in competencies]
    initial = [o for o in options if o.value in chosen] or None
    modes = [Option(value="anonymous", text=PlainTextObject(text=t("Anonymous (recommended)"))),
             Option(value="named", text=PlainTextObject(text=t("Named: every answer shows who wrote it")))]
    blocks: list[Block] = [
        section(t("A 360 for {person}: structured feedback from the people who work with them.",
                  person=mention(subject_id))),
        context(anonymity_note(t, subject_id, cfg.min_reviewers)),
        InputBlock(block_id=Ids.ROUND_REVIEWERS_BLOCK, label=PlainTextObject(text=t("Reviewers")),
                   hint=PlainTextObject(text=t("Suggested from the org chart and recent kudos and feedback: their "
                                               "manager, peers, reports and people they worked with. At most "
                                               "{max}.", max=cfg.max_reviewers)),
                   element=UserMultiSelectElement(action_id=Ids.ROUND_REVIEWERS_ACTION,
                                                  initial_users=list(suggested)[:cfg.max_reviewers] or None,
                                                  max_selected_items=cfg.max_reviewers)),
        InputBlock(block_id=Ids.ROUND_DEADLINE_BLOCK, label=PlainTextObject(text=t("Deadline")),
                   hint=PlainTextObject(text=t("The round closes at the end of this day, in their time zone.")),
                   element=DatePickerElement(action_id=Ids.ROUND_DEADLINE_ACTION, initial_date=_date(deadline))),
    ]
    if options:
        blocks.append(InputBlock(
            block_id=Ids.ROUND_COMPETENCIES_BLOCK, label=PlainTextObject(text=t("Competencies")),
            hint=PlainTextObject(text=t("Each reviewer rates these on their behaviour-anchored scales, with an "
                                        "example. At most {max}.", max=MAX_COMPETENCIES)),
            element=StaticMultiSelectElement(action_id=Ids.ROUND_COMPETENCIES_ACTION, options=options[:100],
                                             initial_options=initial, max_selected_items=MAX_COMPETENCIES)))
    blocks.append(InputBlock(
        block_id=Ids.ROUND_ANONYMOUS_BLOCK, label=PlainTextObject(text=t("Answers")),
        element=RadioButtonsElement(action_id=Ids.ROUND_ANONYMOUS_ACTION, options=modes, initial_option=modes[0])))
    return View(type="modal", callback_id=Ids.ROUND_START_MODAL, title=PlainTextObject(text=t("Start a 360")),
                submit=PlainTextObject(text=t("Start")), close=PlainTextObject(text=t("Cancel")),
                private_metadata=private_metadata, blocks=blocks)


def start_errors(t: Translator, err: FeedbackError, present: set[str], **overrides: Any) -> dict[str, str]:
    block = ROUND_FIELD_BLOCKS.get(err.field or "", Ids.ROUND_REVIEWERS_BLOCK).value
    if block not in present:
        block = Ids.ROUND_REVIEWERS_BLOCK.value
    return {block: truncate(t.message(err.message, **overrides), 2000)}


def started_text(t: Translator, round_: FeedbackRound) -> str:
    return t(":white_check_mark: The 360 for {person} has started. I asked {count} reviewers; it closes at the "
             "end of {deadline}, and the results come to {person}, their manager and you after that.",
             person=mention(round_.subject.slack_user_id), count=len(round_.reviewers),
             deadline=_date(round_.deadline))


def answer_modal(t: Translator, cfg: FeedbackConfig, round_: FeedbackRound, competencies: Sequence[Competency], *,
                 named: bool, relation: str, private_metadata: str) -> View:
    """The reviewer's form: per competency a level (each level's sentence shown) and an example; two comments."""
    subject = mention(round_.subject.slack_user_id)
    if named and relation == "manager":
        note = t("As {person}'s manager, your answer carries your name.", person=subject)
    elif named:
        note = t("This round is named: {person} sees your answer with your name.", person=subject)
    else:
        note = t("Your answer is stored without your name. {person} sees it only combined with at least {min} "
                 "others, in mixed order, dated with the round's close date. If you want to stay anonymous, leave "
                 "out details only you would know.", person=subject, min=round_.min_reviewers)
    blocks: list[Block] = [
        section(t("360 for {person}: answer by the end of {deadline}.", person=subject,
                  deadline=_date(round_.deadline))),
        context(note),
    ]
    for c in competencies:
        levels = [Option(value=str(i), text=PlainTextObject(text=truncate(f"{i} · {s}", OPTION_TEXT)))
                  for i, s in enumerate(c.levels, start=1)]
        guide = "  ".join(f"{i}: {s}" for i, s in enumerate(c.levels, start=1))
        blocks.append(InputBlock(
            block_id=round_block(Ids.ROUND_LEVEL_BLOCK, c.id), optional=True,
            label=PlainTextObject(text=truncate(c.name, 2000)),
            hint=PlainTextObject(text=truncate(guide, 2000)),
            element=StaticSelectElement(action_id=Ids.ROUND_LEVEL_ACTION, options=levels,
                                        placeholder=PlainTextObject(text=t("Choose the level you saw"))),
        ))
        blocks.append(InputBlock(
            block_id=round_block(Ids.ROUND_EXAMPLE_BLOCK, c.id), optional=True,
            label=PlainTextObject(text=truncate(t("Example: {competency}", competency=c.name), 2000)),
            hint=PlainTextObject(text=t("Required with a level: what happened, when.")),
            element=PlainTextInputElement(action_id=Ids.ROUND_EXAMPLE_ACTION, multiline=True,
                                          max_length=cfg.max_text_length)))
    blocks += [
        InputBlock(block_id=Ids.ROUND_STRENGTHS_BLOCK, optional=True,
                   label=PlainTextObject(text=t("What should they keep doing?")),
                   element=PlainTextInputElement(action_id=Ids.ROUND_STRENGTHS_ACTION, multiline=True,
                                                 max_length=cfg.max_text_length)),
        InputBlock(block_id=Ids.ROUND_IMPROVE_BLOCK, optional=True,
                   label=PlainTextObject(text=t("What could they do more of, or differently?")),
                   element=PlainTextInputElement(action_id=Ids.ROUND_IMPROVE_ACTION, multiline=True,
                                                 max_length=cfg.max_text_length)),
    ]
    return View(type="modal", callback_id=Ids.ROUND_ANSWER_MODAL, title=PlainTextObject(text=t("360 feedback")),
                submit=PlainTextObject(text=t("Send")), close=PlainTextObject(text=t("Cancel")),
                private_metadata=private_metadata, blocks=blocks[:VIEW_BLOCKS_MAX])


def answer_errors(err: FeedbackError, t: Translator, present: set[str]) -> dict[str, str]:
    """Inline errors for the reviewer's form: `level:<id>` / `example:<id>` fields name a competency's block."""
    field = err.field or ""
    kind, _, competency = field.partition(":")
    block = {"level": Ids.ROUND_LEVEL_BLOCK, "example": Ids.ROUND_EXAMPLE_BLOCK}.get(kind)
    target = round_block(block, competency) if block is not None else {
        "strengths": Ids.ROUND_STRENGTHS_BLOCK.value, "improve": Ids.ROUND_IMPROVE_BLOCK.value}.get(field, "")
    if target not in present:
        target = next((b for b in sorted(present) if b.startswith(Ids.ROUND_LEVEL_BLOCK.value)),
                      Ids.ROUND_STRENGTHS_BLOCK.value)
    return {target: truncate(t.message(err.message), 2000)}


def answered_text(t: Translator) -> str:
    return t(":white_check_mark: Thank you: your 360 answer is saved.")


# -- DMs ----------------------------------------------------------------------------------------------------


def round_buttons(t: Translator, round_id: int) -> ActionsBlock:
    return ActionsBlock(elements=[
        ButtonElement(action_id=Ids.ROUND_ANSWER_BUTTON, text=PlainTextObject(text=t("Answer")),
                      value=str(round_id), style="primary"),
        ButtonElement(action_id=Ids.ROUND_DECLINE_BUTTON, text=PlainTextObject(text=t("Decline")),
                      value=str(round_id)),
    ])


def invite_dm(t: Translator, row: FeedbackRoundReviewer, *, named: bool, reminder: bool = False
              ) -> tuple[str, list[dict[str, Any]]]:
    round_ = row.round
    subject, deadline = mention(round_.subject.slack_user_id), _date(round_.deadline)
    if reminder:
        text = t(":hourglass: A reminder: the 360 for {person} closes at the end of {deadline}.", person=subject,
                 deadline=deadline)
    else:
        text = t(":busts_in_silhouette: You're asked to review {person} in a 360, by the end of {deadline}.",
                 person=subject, deadline=deadline)
    how = t("A few minutes: a level and an example for each competency you saw, then what they should keep "
            "doing and what they could do differently.")
    privacy = (t("Your answer carries your name.") if named else
               t("Your answer is anonymous: {person} sees it only combined with at least {min} others.",
                 person=subject, min=round_.min_reviewers))
    blocks: list[Block] = [section(text), context(how + " " + privacy), round_buttons(t, round_.id)]
    return text, to_dicts(blocks)


def started_dm(t: Translator, round_: FeedbackRound) -> tuple[str, list[dict[str, Any]]]:
    text = t(":busts_in_silhouette: {starter} started a 360 for you. It closes at the end of {deadline}; you'll get "
             "the results then.", starter=mention(round_.started_by.slack_user_id), deadline=_date(round_.deadline))
    note = (anonymity_note(t, round_.subject.slack_user_id, round_.min_reviewers) if round_.anonymous
            else t("This round is named: every answer shows who wrote it."))
    return text, to_dicts([section(text), context(note)])


# -- results ------------------------------------------------------------------------------------------------


def _bar(distribution: Sequence[int]) -> str:
    return "  ".join(f"{i}: {'▇' * n or '·'} {n}" for i, n in enumerate(distribution, start=1))


def _sections(title: str, lines: Sequence[str]) -> list[Block]:
    """Lines under a bold title, in as few sections as fit."""
    out: list[Block] = []
    current = title
    for line in lines:
        if len(current) + 1 + len(line) > SECTION_TEXT_MAX:
            out.append(section(current))
            current = line
        else:
            current = f"{current}\n{line}"
    out.append(section(current))
    return out


def results_blocks(t: Translator, cfg: FeedbackConfig, res: RoundResults) -> list[Block]:
    """What a viewer allowed to see the round's results sees. At most `RESULT_BLOCKS` blocks."""
    round_ = res.round
    subject = mention(round_.subject.slack_user_id)
    blocks: list[Block] = [HeaderBlock(text=PlainTextObject(text=truncate(t("360 results"), 150))),
                           section(t("360 for {person}", person=subject))]
    if res.state == "cancelled":
        return [*blocks, section(t("This 360 was cancelled: nothing is shown."))]
    if res.state == "running":
        return [*blocks, section(t("The round runs until the end of {deadline}. Nothing is shown while it runs, "
                                   "not even how many answered, so that no answer can be traced to its "
                                   "reviewer.", deadline=_date(round_.deadline)))]
    blocks.append(context(t("Closed on {date}. {answered} of {invited} reviewers answered.",
                            date=_date(res.closed_on or round_.deadline), answered=res.answered,
                            invited=res.invited)))
    if res.hidden_reason is not None:
        blocks.append(section(":lock: " + t.message(res.hidden_reason)))
    if res.shown:
        lines = []
        for c in res.competencies:
            name = escape(res.name(c.competency))
            if not c.shown:
                lines.append(t("• *{competency}*: too few ratings to show ({min} are needed).", competency=name,
                               min=round_.min_reviewers))
            elif c.mean is None:
                lines.append(t("• *{competency}*: no ratings.", competency=name))
            else:
                lines.append(t("• *{competency}*: {mean} on average of {levels} levels, from {count} ratings",
                               competency=name, mean=f"{c.mean:.1f}", levels=len(c.distribution), count=c.ratings)
                             + f"\n    `{_bar(c.distribution)}`")
        title = t("*Levels, anonymous reviewers combined*") if round_.anonymous else t("*Levels, all reviewers*")
        blocks += _sections(title, lines)
        if res.comments:
            labels = {"strengths": t("*Keep doing*"), "improve": t("*More of, or differently*")}
            groups: dict[str, list[str]] = {}
            for comment in res.comments:
                key = comment.kind if comment.kind != "example" else f"example:{comment.competency}"
                groups.setdefault(key, []).append(quoted_chunks(truncate(comment.text, COMMENT_CHARS))[0])
            for key, quotes in groups.items():
                label = labels.get(key) or t("*Examples: {competency}*",
                                             competency=escape(res.name(key.partition(":")[2])))
                blocks += _sections(label, quotes)
            blocks.append(context(t("Comments are shown without names, in mixed order, dated {date}.",
                                    date=_date(res.closed_on or round_.deadline))))
    for answer in res.named:
        who = mention(answer.author.slack_user_id) if answer.author is not None else t("a former reviewer")
        lines = [t("*From {person}* ({relation})", person=who, relation=t(RELATION.get(answer.relation, "other")))]
        for r in answer.ratings:
            level = t(", level {level}", level=r.level) if r.level is not None else ""
            lines.append(f"• *{escape(res.name(r.competency))}*{level}")
            if r.example:
                lines.append(quoted_chunks(truncate(r.example, COMMENT_CHARS))[0])
        if answer.strengths:
            lines += [t("_Keep doing_"), quoted_chunks(truncate(answer.strengths, COMMENT_CHARS))[0]]
        if answer.improve:
            lines += [t("_More of, or differently_"), quoted_chunks(truncate(answer.improve, COMMENT_CHARS))[0]]
        blocks += _sections(lines[0], lines[1:])
    if len(blocks) > RESULT_BLOCKS:
        blocks = [*blocks[:RESULT_BLOCKS - 1], context(t("…more than fits in one message; the rest is in Candor's "
                                                         "export."))]
    return blocks


def results_dm(t: Translator, cfg: FeedbackConfig, res: RoundResults) -> tuple[str, list[dict[str, Any]]]:
    text = t(":bar_chart: The 360 for {person} has closed: here are the results.",
             person=mention(res.round.subject.slack_user_id))
    return text, to_dicts([section(text), *results_blocks(t, cfg, res)[1:]][:RESULT_BLOCKS])


def results_view(t: Translator, cfg: FeedbackConfig, res: RoundResults) -> View:
    return View(type="modal", callback_id=f"{Ids.ROUND_START_MODAL}_results",
                title=PlainTextObject(text=t("360 results")), close=PlainTextObject(text=t("Close")),
                blocks=results_blocks(t, cfg, res))


# -- App Home -----------------------------------------------------------------------------------------------


def home_blocks(t: Translator, *, waiting: Sequence[FeedbackRoundReviewer], about: Sequence[FeedbackRound],
                started: Sequence[FeedbackRound], now_open: set[int]) -> list[Block]:
    """360 lines for the feedback part of the Home: rounds waiting for the person's answer, rounds about them and
    rounds they started (results or cancel buttons). No counts anywhere."""
    blocks: list[Block] = []
    for row in waiting:
        blocks.append(section(t("*360 for {person}*: your answer is welcome by the end of {deadline}.",
                                person=mention(row.round.subject.slack_user_id), deadline=_date(row.round.deadline))))
        blocks.append(round_buttons(t, row.round_id))
    for round_ in about[:1]:
        if round_.id in now_open:
            blocks.append(section(t("A 360 about you runs until the end of {deadline}. Results come when it closes.",
                                    deadline=_date(round_.deadline))))
        else:
            blocks.append(_results_line(t, t("Your 360 closed on {date}.", date=_date(round_.deadline)), round_))
    for round_ in started:
        who = mention(round_.subject.slack_user_id)
        if round_.id in now_open:
            blocks.append(_cancel_line(t, round_, who))
        else:
            blocks.append(_results_line(t, t("360 for {person}: closed on {date}.", person=who,
                                             date=_date(round_.deadline)), round_))
    return blocks


def _results_line(t: Translator, text: str, round_: FeedbackRound) -> Block:
    return SectionBlock(text=MarkdownTextObject(text=text), accessory=ButtonElement(
        action_id=Ids.ROUND_RESULTS_BUTTON, text=PlainTextObject(text=t("View results")), value=str(round_.id)))


def _cancel_line(t: Translator, round_: FeedbackRound, who: str) -> Block:
    return SectionBlock(
        text=MarkdownTextObject(text=t("360 for {person}: running until the end of {deadline}.", person=who,
                                       deadline=_date(round_.deadline))),
        accessory=ButtonElement(action_id=Ids.ROUND_CANCEL_BUTTON, text=PlainTextObject(text=t("Cancel round")),
                                value=str(round_.id)))
