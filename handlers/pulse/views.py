"""Pulse views: the survey DM and its reminder, the form, the thank-you, the results (for a manager's team and
for HR) and the App Home line.

Results show only what `models.pulse.results` lets through (shown groups, each with its respondent count);
free text is escaped, bounded and in the order the domain mixed it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
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
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.blocks import MESSAGE_BLOCKS_MAX, SECTION_TEXT_MAX, context, quote, section, to_dicts
from bot.i18n import Translator
from bot.text import escape, truncate
from handlers.pulse.ids import PulseIds as Ids
from handlers.pulse.ids import question_block
from models.core.messages import _t
from models.pulse.results import GroupResult, QuestionResult, WaveResults
from models.pulse.tables import PulseWave
from models.pulse.waves import TEXT_MAX, Question

AGREE = (_t("Strongly disagree"), _t("Disagree"), _t("Neutral"), _t("Agree"), _t("Strongly agree"))
BAND_EMOJI = {"green": ":large_green_circle:", "amber": ":large_orange_circle:", "red": ":red_circle:"}
TEXTS_SHOWN = 10
SPARK = "▁▂▃▄▅▆▇█"


def _until(wave: PulseWave) -> str:
    at = wave.closes_at
    return f"<!date^{int(at.timestamp())}^{{date_short_pretty}} {{time}}|{at:%Y-%m-%d %H:%M} UTC>"


def anonymity_line(t: Translator, minimum: int) -> str:
    return t("Anonymous: your answers are stored without your name, and results are shown only for groups of at "
             "least {min} people who answered. Nobody — not your manager, HR or Candor's operators — can see what "
             "you answered.", min=minimum)


def invite_dm(t: Translator, wave: PulseWave, name: str, *, reminder: bool = False
              ) -> tuple[str, list[dict[str, Any]]]:
    count = len(wave.questions)
    if reminder:
        text = t(":clipboard: A last reminder: *{survey}* closes {until}. It takes a minute.", survey=escape(name),
                 until=_until(wave))
    else:
        text = t.n(":clipboard: *{survey}*: {count} quick question, open until {until}.",
                   ":clipboard: *{survey}*: {count} quick questions, open until {until}.", count,
                   survey=escape(name), until=_until(wave))
    blocks: list[Block] = [section(text), context(anonymity_line(t, wave.min_respondents)),
                           ActionsBlock(elements=[ButtonElement(
                               action_id=Ids.ANSWER_BUTTON, text=PlainTextObject(text=t("Answer")),
                               value=str(wave.id), style="primary")])]
    return text, to_dicts(blocks)


def _input(t: Translator, q: Question) -> InputBlock:
    label = PlainTextObject(text=truncate(q.text, 2000))
    block_id = question_block(q.id)
    if q.type == "agree":
        options = [Option(value=str(i), text=PlainTextObject(text=t(name))) for i, name in enumerate(AGREE, 1)]
        element: Any = RadioButtonsElement(action_id=Ids.QUESTION_ACTION, options=options)
    elif q.type == "enps":
        names = {0: t("0 · Not at all likely"), 10: t("10 · Extremely likely")}
        options = [Option(value=str(i), text=PlainTextObject(text=names.get(i, str(i)))) for i in range(11)]
        element = StaticSelectElement(action_id=Ids.QUESTION_ACTION, options=options,
                                      placeholder=PlainTextObject(text=t("0 to 10")))
    elif q.type == "choice":
        options = [Option(value=str(i), text=PlainTextObject(text=truncate(c, 75))) for i, c in enumerate(q.choices)]
        element = RadioButtonsElement(action_id=Ids.QUESTION_ACTION, options=options)
    else:
        element = PlainTextInputElement(action_id=Ids.QUESTION_ACTION, multiline=True, max_length=TEXT_MAX)
        return InputBlock(block_id=block_id, label=label, element=element, optional=True,
                          hint=PlainTextObject(text=t("Optional. Leave out details that would tell who you are: it "
                                                      "is shown only in groups of enough people, but words can "
                                                      "still point at someone.")))
    return InputBlock(block_id=block_id, label=label, element=element, optional=not q.required)


def survey_modal(t: Translator, wave: PulseWave, name: str, qs: Sequence[Question], *, private_metadata: str) -> View:
    blocks: list[Block] = [context(anonymity_line(t, wave.min_respondents)), *[_input(t, q) for q in qs]]
    return View(type="modal", callback_id=Ids.MODAL, title=PlainTextObject(text=truncate(name, 24)),
                submit=PlainTextObject(text=t("Send")), close=PlainTextObject(text=t("Cancel")),
                private_metadata=private_metadata, blocks=blocks)


def done_view(t: Translator, text: str) -> View:
    return View(type="modal", callback_id=f"{Ids.MODAL}_done", title=PlainTextObject(text=t("Pulse survey")),
                close=PlainTextObject(text=t("Close")), blocks=[section(text)])


def thanks(t: Translator) -> str:
    return t(":white_check_mark: Thank you. Your answers are in, without your name.")


# -- results ----------------------------------------------------------------------------------------------------


def group_label(t: Translator, group: GroupResult) -> str:
    if group.kind == "all":
        return t("Everyone asked")
    if group.kind == "department":
        return t("Department {name}", name=escape(group.name))
    if group.kind == "team":
        return t("{name}'s team", name=escape(group.name or "?"))
    return t("Other teams together")


def _pct(share: float | None) -> str:
    return "–" if share is None else f"{round(share * 100)}%"


def _spark(points: Sequence[float]) -> str:
    if len(points) < 2:
        return ""
    low, high = min(points), max(points)
    span = (high - low) or 1.0
    return "".join(SPARK[min(len(SPARK) - 1, int((p - low) / span * (len(SPARK) - 1)))] for p in points)


def _trend(t: Translator, q: QuestionResult, unit: str) -> str:
    if len(q.trend) < 2:
        return ""
    first, last = q.trend[0], q.trend[-1]

    def show(v: float) -> str:
        return _pct(v) if unit == "share" else f"{v:+.0f}"

    return " · " + t("trend {spark} {first} → {last}", spark=_spark(q.trend), first=show(first), last=show(last))


def _band(t: Translator, q: QuestionResult) -> str:
    if q.band is None or q.band.colour is None:
        return ""
    words = {"green": t("within its usual range"), "amber": t("below its usual range"),
             "red": t("well below its usual range")}
    return f" {BAND_EMOJI[q.band.colour]} _{words[q.band.colour]}_"


def question_line(t: Translator, q: QuestionResult) -> str:
    title = f"*{escape(truncate(q.question.text, 150))}*"
    if not q.shown:
        return title + "\n" + t("Too few answers to this question to show them.")
    if q.favourable is not None:
        return title + "\n" + t("{favourable} favourable · mean {mean} · {count} answers",
                                favourable=_pct(q.favourable.share),
                                mean="–" if q.mean is None else f"{q.mean:.1f}", count=q.answered) + \
            _trend(t, q, "share") + _band(t, q)
    if q.enps is not None:
        if q.enps.score is None:
            return title + "\n" + t("No answers.")
        return title + "\n" + t("eNPS {score} (± {margin}) · {promoters} promoters, {passives} passives, {detractors} "
                                "detractors", score=f"{q.enps.score:+.0f}", margin=f"{q.enps.margin or 0:.0f}",
                                promoters=q.enps.promoters, passives=q.enps.passives,
                                detractors=q.enps.detractors) + _trend(t, q, "points") + _band(t, q)
    if q.question.type == "choice":
        parts = [f"{escape(c)}: {n}" for c, n in zip(q.question.choices, q.distribution, strict=False)]
        return title + "\n" + " · ".join(parts)
    if not q.texts:
        return title + "\n" + t("No comments.")
    shown = [quote(truncate(x, 300), 300) for x in q.texts[:TEXTS_SHOWN]]
    more = len(q.texts) - TEXTS_SHOWN
    return title + "\n" + "\n".join(shown) + (("\n" + t("…and {count} more.", count=more)) if more > 0 else "")


def _suggestions(t: Translator, group: GroupResult) -> list[str]:
    flagged = [q for q in group.questions if q.band is not None and q.band.colour in ("amber", "red")]
    return [t("• *{question}* is below the team's usual range: ask about it at your next 1:1s or team meeting — "
              "what has changed, and what would help?", question=escape(truncate(q.question.text, 150)))
            for q in flagged]


def group_blocks(t: Translator, group: GroupResult, *, suggest: bool = False) -> list[Block]:
    head = t("*{group}*: {respondents} of {invited} answered ({rate})", group=group_label(t, group),
             respondents=group.respondents, invited=group.invited, rate=_pct(group.response_rate.share))
    lines = [question_line(t, q) for q in group.questions]
    blocks: list[Block] = [section(head)]
    current = ""
    for line in lines:
        if current and len(current) + 2 + len(line) > SECTION_TEXT_MAX:
            blocks.append(section(current))
            current = line
        else:
            current = f"{current}\n\n{line}" if current else line
    if current:
        blocks.append(section(current))
    if not group.trend_allowed:
        blocks.append(context(t("No trend: who was asked changed too little since last time to compare without "
                                "pointing at someone.")))
    if suggest:
        tips = _suggestions(t, group)
        if tips:
            blocks.append(section(t("*For your next conversations*") + "\n" + "\n".join(tips)))
    return blocks


def _title(t: Translator, results: WaveResults, name: str) -> HeaderBlock:
    return HeaderBlock(text=PlainTextObject(text=truncate(t("{survey}: results for {period}", survey=name,
                                                            period=results.wave.period), 150)))


def team_results_dm(t: Translator, results: WaveResults, group: GroupResult, name: str
                    ) -> tuple[str, list[dict[str, Any]]]:
    text = t(":bar_chart: Your team's results of {survey} ({period}) are in.", survey=escape(name),
             period=results.wave.period)
    blocks = [section(text), *group_blocks(t, group, suggest=True),
              context(t("Only groups with at least {min} answers are shown; colours compare the team with its own "
                        "usual range, not with a target.", min=results.wave.min_respondents))]
    return text, to_dicts(blocks[:MESSAGE_BLOCKS_MAX])


def hr_results_dm(t: Translator, results: WaveResults, name: str) -> tuple[str, list[dict[str, Any]]]:
    text = t(":bar_chart: Results of {survey} ({period}).", survey=escape(name), period=results.wave.period)
    blocks: list[Block] = [_title(t, results, name)]
    room = MESSAGE_BLOCKS_MAX - 3
    left = 0
    for group in results.groups:
        more = group_blocks(t, group)
        if len(blocks) + len(more) > room:
            left += 1
            continue
        blocks += more
    if left:
        blocks.append(context(t("{count} more groups: `candor pulse results --period {period}`.", count=left,
                                period=results.wave.period)))
    blocks.append(context(t("Groups with fewer than {min} answers are not shown, nor any figure that would reveal "
                            "one by subtraction.", min=results.wave.min_respondents)))
    return text, to_dicts(blocks)


def home_blocks(t: Translator, open_waves: Sequence[tuple[PulseWave, str]], now: datetime) -> list[Block]:
    blocks: list[Block] = []
    for wave, name in open_waves[:3]:
        blocks.append(section(t(":clipboard: *{survey}* is open until {until}.", survey=escape(name),
                                until=_until(wave))))
        blocks.append(ActionsBlock(elements=[ButtonElement(
            action_id=Ids.ANSWER_BUTTON, text=PlainTextObject(text=t("Answer")), value=str(wave.id))]))
    return blocks
