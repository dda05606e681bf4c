"""Feedback views: the modal, its confirmation, the `/feedback` replies, the DMs and the App Home section.

User text (behaviour, impact, example, a topic) is escaped and bounded wherever it shows; mentions come from our
own records; a message link is only ever a Slack permalink."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ContextBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    OptionGroup,
    PlainTextInputElement,
    PlainTextObject,
    RadioButtonsElement,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.blocks import SECTION_TEXT_MAX, context, mention, quote, section, to_dicts
from bot.i18n import Translator
from bot.text import escape, truncate
from handlers.feedback.ids import FIELD_BLOCKS
from handlers.feedback.ids import FeedbackIds as Ids
from models.core.config import Competency, FeedbackConfig
from models.core.messages import _t
from models.core.text import is_slack_permalink
from models.feedback import EXAMPLE_NEEDED, Feedback, FeedbackError, FeedbackRequestPeer

OPTION_TEXT = 75  # Slack's limit for an option's text
SELECT_OPTIONS = 100  # options in one select, over all its groups
GUIDE_ELEMENTS = 10  # elements in one context block
HOME_RECEIVED, HOME_WAITING, HOME_GIVEN = 5, 5, 3
TEXT_IN_DM = 2500
TEXT_ON_HOME = 200

VISIBILITY_NAME = {
    "recipient": _t("To them"),
    "recipient_and_manager": _t("To them and their manager"),
    "manager": _t("To their manager only"),
}


def _permalink(t: Translator, permalink: str | None) -> str | None:
    if not permalink or not is_slack_permalink(permalink):
        return None
    return t("About this message: {link}", link=f"<{permalink}|{t('view message')}>")


def level_value(competency: Competency, level: int) -> str:
    return f"{competency.id}:{level}"


def _level_options(competencies: Sequence[Competency]) -> list[OptionGroup]:
    groups: list[OptionGroup] = []
    room = SELECT_OPTIONS
    for c in competencies:
        if len(c.levels) > room or len(groups) == 100:
            break
        room -= len(c.levels)
        groups.append(OptionGroup(label=PlainTextObject(text=truncate(c.name, OPTION_TEXT)), options=[
            Option(value=level_value(c, i), text=PlainTextObject(text=truncate(f"{i} · {sentence}", OPTION_TEXT)))
            for i, sentence in enumerate(c.levels, start=1)]))
    return groups


def level_guide(t: Translator, competencies: Sequence[Competency]) -> Block | None:
    """Every level's full sentence, compactly: one context element per competency (the first ten)."""
    if not competencies:
        return None
    shown = competencies[:GUIDE_ELEMENTS]
    elements = []
    for c in shown:
        levels = "  ".join(f"*{i}* {escape(s)}" for i, s in enumerate(c.levels, start=1))
        elements.append(f"*{escape(c.name)}*: {levels}")
    if len(competencies) > len(shown):
        elements[-1] += "\n" + t("…and {count} more competencies.", count=len(competencies) - len(shown))
    return ContextBlock(elements=[MarkdownTextObject(text=truncate(e, SECTION_TEXT_MAX)) for e in elements])


def feedback_modal(t: Translator, cfg: FeedbackConfig, competencies: Sequence[Competency], *, subject_id: str,
                   private_metadata: str, permalink: str | None = None, requested: str | None = None,
                   competency: Competency | None = None, anonymous: bool | None = None) -> View:
    """The feedback form about `subject_id` (sealed, not an input). `competencies`: those of the framework that
    apply to the subject; `requested`: the line saying which request this answers; `anonymous`: for an answer
    to a request, whether it may be anonymous (a checkbox) or not (a line saying why)."""
    blocks: list[Block] = [section(t("Feedback for {person}", person=mention(subject_id)))]
    if requested:
        blocks.append(context(requested))
    link = _permalink(t, permalink)
    if link:
        blocks.append(context(link))
    if competencies:
        options = [Option(value=c.id, text=PlainTextObject(text=truncate(c.name, OPTION_TEXT)),
                          description=PlainTextObject(text=truncate(c.description, OPTION_TEXT))
                          if c.description else None)
                   for c in competencies[:SELECT_OPTIONS]]
        initial = next((o for o in options if competency is not None and o.value == competency.id), None)
        blocks.append(InputBlock(
            block_id=Ids.COMPETENCY_BLOCK, label=PlainTextObject(text=t("Competency")), optional=True,
            element=StaticSelectElement(action_id=Ids.COMPETENCY_ACTION, options=options, initial_option=initial,
                                        placeholder=PlainTextObject(text=t("Which competency is this about?")))))
        scale = [competency] if competency is not None else list(competencies)
        groups = _level_options(scale)
        if groups:
            blocks.append(InputBlock(
                block_id=Ids.LEVEL_BLOCK, label=PlainTextObject(text=t("Level")), optional=True,
                hint=PlainTextObject(text=t("Optional: the sentence that best describes what you saw them do.")),
                element=StaticSelectElement(action_id=Ids.LEVEL_ACTION, option_groups=groups,
                                            placeholder=PlainTextObject(text=t("Choose a level")))))
        guide = level_guide(t, scale)
        if guide is not None:
            blocks.append(guide)
    blocks += [
        InputBlock(block_id=Ids.BEHAVIOUR_BLOCK, label=PlainTextObject(text=t("What did you see them do?")),
                   hint=PlainTextObject(text=t("The behaviour you observed, not a judgement of the person.")),
                   element=PlainTextInputElement(action_id=Ids.BEHAVIOUR_ACTION, multiline=True,
                                                 max_length=cfg.max_text_length)),
        InputBlock(block_id=Ids.IMPACT_BLOCK, label=PlainTextObject(text=t("What was its impact?")), optional=True,
                   element=PlainTextInputElement(action_id=Ids.IMPACT_ACTION, multiline=True,
                                                 max_length=cfg.max_text_length)),
        InputBlock(block_id=Ids.EXAMPLE_BLOCK, label=PlainTextObject(text=t("A concrete example")),
                   hint=PlainTextObject(text=t(EXAMPLE_NEEDED)),
                   element=PlainTextInputElement(action_id=Ids.EXAMPLE_ACTION, multiline=True,
                                                 max_length=cfg.max_text_length)),
    ]
    if anonymous:
        blocks.append(InputBlock(
            block_id=Ids.ANONYMOUS_BLOCK, label=PlainTextObject(text=t("Your name")), optional=True,
            hint=PlainTextObject(text=t("An anonymous answer is stored without your name: the person who asked sees "
                                        "the answer but not who wrote it, and nor does anyone else.")),
            element=CheckboxesElement(action_id=Ids.ANONYMOUS_ACTION, options=[Option(
                value="anonymous", text=PlainTextObject(text=t("Answer anonymously")))])))
    elif anonymous is False:
        blocks.append(context(t("Your answer carries your name: this request asked fewer than {min} people, too few "
                                "for an anonymous answer.", min=cfg.min_reviewers)))
    radios = [Option(value=v, text=PlainTextObject(text=t(name))) for v, name in VISIBILITY_NAME.items()]
    blocks.append(InputBlock(
        block_id=Ids.VISIBILITY_BLOCK, label=PlainTextObject(text=t("Who sees it?")),
        element=RadioButtonsElement(action_id=Ids.VISIBILITY_ACTION, options=radios,
                                    initial_option=next(o for o in radios if o.value == cfg.default_visibility))))
    return View(type="modal", callback_id=Ids.MODAL, title=PlainTextObject(text=t("Give feedback")),
                 submit=PlainTextObject(text=t("Send")), close=PlainTextObject(text=t("Cancel")),
                 private_metadata=private_metadata, blocks=blocks)


def modal_errors(t: Translator, err: FeedbackError, present: set[str], **overrides: Any) -> dict[str, str]:
    """`response_action=errors` body: the message on the block of its field (the behaviour when that block is not
    in this form)."""
    block = FIELD_BLOCKS.get(err.field or "", Ids.BEHAVIOUR_BLOCK).value
    if block not in present:
        block = Ids.BEHAVIOUR_BLOCK.value
    return {block: truncate(t.message(err.message, **overrides), 2000)}


def done_view(t: Translator, title: str, text: str) -> View:
    return View(type="modal", callback_id=f"{Ids.MODAL}_done", title=PlainTextObject(text=truncate(title, 24)),
                close=PlainTextObject(text=t("Close")), blocks=[section(text)])


def sent_text(t: Translator, subject_id: str, visibility: str, anonymous: bool = False) -> str:
    who = mention(subject_id)
    if anonymous:
        return t(":white_check_mark: Thank you. Your anonymous answer went to {person}; nothing links it to you.",
                 person=who)
    if visibility == "manager":
        return t(":white_check_mark: Thank you. Your feedback about {person} went to their manager only.", person=who)
    if visibility == "recipient_and_manager":
        return t(":white_check_mark: Thank you. Your feedback went to {person} and their manager.", person=who)
    return t(":white_check_mark: Thank you. Your feedback went to {person}.", person=who)


def sent_view(t: Translator, subject_id: str, visibility: str, anonymous: bool = False) -> View:
    return done_view(t, t("Feedback sent"), sent_text(t, subject_id, visibility, anonymous))


def feedback_off(t: Translator) -> str:
    return t("Feedback is turned off in this workspace.")


def usage(t: Translator, *, unknown: str | None = None) -> tuple[str, list[dict[str, Any]]]:
    lines = [
        t("*`/feedback @person`* gives someone feedback: what you saw them do, its impact and a concrete example."),
        t("*`/feedback request @ana @li about <topic or competency>`* asks people for feedback on your work."),
        t("*`/feedback 360 @person`* starts a 360 round for someone you manage (managers and HR admins): "
          "reviewers, a deadline and a structured form, anonymous by default."),
        t("*`/feedback help`* shows this."),
        t("On a message, the shortcut *Give feedback on this* gives its author feedback and links the message."),
    ]
    head = t("I don't know `{word}`. Here is what `/feedback` does:", word=escape(truncate(unknown, 40))) \
        if unknown else t("*Feedback*: specific, behaviour-anchored, with a concrete example.")
    text = head + "\n" + "\n".join("• " + line for line in lines)
    return text, to_dicts([section(text)])


def requested_text(t: Translator, peers: Sequence[str], topic: str, competency: Competency | None) -> str:
    who = t.list([mention(p) for p in peers])
    if competency is not None:
        return t(":incoming_envelope: I asked {people} for feedback on {competency}. Their answers come to you "
                 "in a DM.", people=who, competency=escape(competency.name))
    if topic:
        return t(":incoming_envelope: I asked {people} for feedback about “{topic}”. Their answers come to you "
                 "in a DM.", people=who, topic=escape(truncate(topic, 200)))
    return t(":incoming_envelope: I asked {people} for feedback. Their answers come to you in a DM.", people=who)


def _about(t: Translator, topic: str, competency: Competency | None) -> str:
    if competency is not None:
        return t("About: *{competency}*", competency=escape(competency.name))
    if topic:
        return t("About: {topic}", topic=escape(truncate(topic, 200)))
    return ""


def request_line(t: Translator, row: FeedbackRequestPeer, competency: Competency | None) -> str:
    """Which request a form or a Home line answers: who asks, about what."""
    about = _about(t, row.request.topic, competency)
    asks = t("{person} asked for your feedback.", person=mention(row.request.requester.slack_user_id))
    return f"{asks} {about}".strip()


def request_buttons(t: Translator, row: FeedbackRequestPeer) -> ActionsBlock:
    return ActionsBlock(elements=[
        ButtonElement(action_id=Ids.ANSWER_BUTTON, text=PlainTextObject(text=t("Give feedback")),
                      value=str(row.id), style="primary"),
        ButtonElement(action_id=Ids.DECLINE_BUTTON, text=PlainTextObject(text=t("Decline")), value=str(row.id)),
    ])


def request_dm(t: Translator, row: FeedbackRequestPeer, competency: Competency | None, *, reminder: bool = False
               ) -> tuple[str, list[dict[str, Any]]]:
    requester = mention(row.request.requester.slack_user_id)
    if reminder:
        text = t(":wave: A gentle reminder: {person} would still value your feedback.", person=requester)
    else:
        text = t(":wave: {person} asks for your feedback on their work.", person=requester)
    blocks: list[Block] = [section(text)]
    about = _about(t, row.request.topic, competency)
    if about:
        blocks.append(section(about))
    blocks.append(context(t("A few sentences on what you saw them do, with a concrete example, help most. If you "
                            "can't answer, decline: they'll be told kindly.")))
    blocks.append(request_buttons(t, row))
    return text, to_dicts(blocks)


def declined_dm(t: Translator, row: FeedbackRequestPeer) -> tuple[str, list[dict[str, Any]]]:
    text = t("{person} can't give you feedback on this request. No worries: everyone's time is limited, and you "
             "can ask someone else with `/feedback request @someone`.", person=mention(row.peer.slack_user_id))
    return text, to_dicts([section(":speech_balloon: " + text)])


def _competency_line(t: Translator, feedback: Feedback, cfg: FeedbackConfig) -> str | None:
    if not feedback.competency:
        return None
    found = cfg.competency(feedback.competency)
    name = escape(found.name if found is not None else feedback.competency)
    if feedback.level is None:
        return t("Competency: *{competency}*", competency=name)
    sentence = found.levels[feedback.level - 1] if found is not None and feedback.level <= len(found.levels) else ""
    return t("Competency: *{competency}*, level {level}: {sentence}", competency=name, level=feedback.level,
             sentence=escape(sentence))


def content_blocks(t: Translator, feedback: Feedback, cfg: FeedbackConfig) -> list[Block]:
    """What the feedback says: the competency and level, the behaviour, impact and example, the message."""
    blocks: list[Block] = []
    line = _competency_line(t, feedback, cfg)
    if line:
        blocks.append(context(line))
    blocks.append(section(t("*What they saw*") + "\n" + quote(feedback.behaviour, TEXT_IN_DM)))
    if feedback.impact:
        blocks.append(section(t("*Impact*") + "\n" + quote(feedback.impact, TEXT_IN_DM)))
    blocks.append(section(t("*Example*") + "\n" + quote(feedback.example, TEXT_IN_DM)))
    link = _permalink(t, feedback.permalink)
    if link:
        blocks.append(context(link))
    return blocks


def _from(t: Translator, feedback: Feedback) -> str:
    """Who wrote it, as a reader sees it: an anonymous answer to a request names nobody."""
    if feedback.author is None:
        return t("one of the people you asked, anonymously")
    return t("from {author}", author=mention(feedback.author.slack_user_id))


def received_dm(t: Translator, feedback: Feedback, cfg: FeedbackConfig) -> tuple[str, list[dict[str, Any]]]:
    if feedback.author is None:
        head = t(":speech_balloon: An anonymous answer to your feedback request")
        blocks_: list[Block] = [section(head), *content_blocks(t, feedback, cfg),
                                context(t("One of the people you asked answered anonymously: Candor keeps no link to "
                                          "who wrote it."))]
        if feedback.visibility == "recipient_and_manager":
            blocks_.append(context(t("Your manager sees this feedback too.")))
        return head + ": " + escape(truncate(feedback.behaviour, 300)), to_dicts(blocks_)
    author = mention(feedback.author.slack_user_id)
    if feedback.request_peer_id is not None:
        head = t(":speech_balloon: An answer to your feedback request, from {author}", author=author)
    else:
        head = t(":speech_balloon: You have feedback from {author}", author=author)
    blocks: list[Block] = [section(head), *content_blocks(t, feedback, cfg)]
    if feedback.visibility == "recipient_and_manager":
        blocks.append(context(t("Your manager sees this feedback too.")))
    return head + ": " + escape(truncate(feedback.behaviour, 300)), to_dicts(blocks)


def manager_dm(t: Translator, feedback: Feedback, cfg: FeedbackConfig) -> tuple[str, list[dict[str, Any]]]:
    if feedback.author is None:
        head = t(":speech_balloon: Anonymous feedback about {person}, for you as their manager",
                 person=mention(feedback.subject.slack_user_id))
    else:
        head = t(":speech_balloon: {author} gave feedback about {person}, for you as their manager",
                 author=mention(feedback.author.slack_user_id), person=mention(feedback.subject.slack_user_id))
    blocks: list[Block] = [section(head), *content_blocks(t, feedback, cfg),
                           context(t("{person} doesn't see this feedback: the author shared it with their manager "
                                     "only.", person=mention(feedback.subject.slack_user_id)))]
    return head, to_dicts(blocks)


def _date(feedback: Feedback) -> str:
    at = feedback.created_at
    return f"<!date^{int(at.timestamp())}^{{date_short}}|{at:%Y-%m-%d}>"


def _home_line(t: Translator, feedback: Feedback, who: str, cfg: FeedbackConfig) -> str:
    found = cfg.competency(feedback.competency) if feedback.competency else None
    tag = f" · {escape(truncate(found.name, 75))}" if found is not None else ""
    if found is not None and feedback.level is not None:
        tag += " " + t("(level {level})", level=feedback.level)
    return f"• {who} · {_date(feedback)}{tag}\n    _{truncate(escape(feedback.behaviour), TEXT_ON_HOME)}_"


def home_blocks(t: Translator, cfg: FeedbackConfig, *, received: Sequence[Feedback],
                waiting: Sequence[tuple[FeedbackRequestPeer, Competency | None]],
                given: Sequence[Feedback]) -> list[Block]:
    """At most 4 + 2 × HOME_WAITING blocks, whatever the data."""
    blocks: list[Block] = [HeaderBlock(block_id=Ids.HOME_HEADER, text=PlainTextObject(text=t("Feedback")))]
    if waiting:
        blocks.append(section(t("*Waiting for your feedback*")))
        for row, competency in waiting[:HOME_WAITING]:
            blocks.append(section(request_line(t, row, competency)))
            blocks.append(request_buttons(t, row))
    if received:
        lines = [_home_line(t, f, _from(t, f), cfg) for f in received[:HOME_RECEIVED]]
        blocks.append(section(t("*Recently received*") + "\n" + "\n".join(lines)))
    else:
        blocks.append(section(t("No feedback received yet. Ask for some with `/feedback request @someone`.")))
    if given:
        lines = [_home_line(t, f, t("to {person}", person=mention(f.subject.slack_user_id)), cfg)
                 for f in given[:HOME_GIVEN]]
        blocks.append(section(t("*Recently given*") + "\n" + "\n".join(lines)))
    blocks.append(context(t("Give feedback with `/feedback @person`, or with the shortcut *Give feedback on this* "
                            "on a message.")))
    return blocks
