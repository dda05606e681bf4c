"""The digest as text (`candor digest preview`) and as Slack messages: a summary for the HR channel, a thread
reply per section, a CSV of each long tail (cells safe against formula injection). Pure functions."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

from slack_sdk.models.blocks import Block, HeaderBlock, PlainTextObject

from bot.blocks import MESSAGE_BLOCKS_MAX, SECTION_TEXT_MAX, context, section, to_dicts
from bot.i18n import Translator
from bot.text import escape, truncate
from models.core.digest import DigestSection, Figure
from models.core.messages import Message, Phrase
from models.digest import Digest

SPARK = "▁▂▃▄▅▆▇█"
MARK = {"green": "[green]", "amber": "[AMBER]", "red": "[RED]"}


def render(t: Translator, item: Message | Phrase | str) -> str:
    if isinstance(item, Phrase):
        return item.in_language(t)
    if isinstance(item, Message):
        return t.message(item)
    return t(item) if item else ""


def value_text(figure: Figure) -> str:
    if figure.value is None:
        return "–"
    if figure.unit == "share":
        return f"{round(figure.value * 100)}%"
    if figure.unit == "points":
        return f"{figure.value:+.0f}"
    return f"{figure.value:g}" if figure.unit == "count" else f"{figure.value:.2f}"


def spark(values: list[float]) -> str:
    if len(values) < 2:
        return ""
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    return "".join(SPARK[min(len(SPARK) - 1, int((v - low) / span * (len(SPARK) - 1)))] for v in values)


def figure_line(t: Translator, figure: Figure) -> str:
    colour = figure.band.colour if figure.band is not None else None
    mark = MARK.get(colour or "", "")
    people = (" " + t("({count} people)", count=figure.people)) if figure.people is not None and \
        figure.unit == "share" else ""
    trend = spark([*figure.history, figure.value]) if figure.value is not None and figure.history else ""
    return f"  {render(t, figure.label)}: {value_text(figure)}{people} {trend} {mark}".rstrip()


def section_text(t: Translator, section: DigestSection) -> list[str]:
    out = [render(t, section.title).upper()]
    out += [figure_line(t, f) for f in section.figures]
    out += ["  • " + render(t, line) for line in section.lines]
    if section.tail:
        out.append("  " + t("{count} rows in the full list.", count=len(section.tail)))
    if not section.figures and not section.lines and section.empty is not None:
        out.append("  " + render(t, section.empty))
    return out


def digest_text(t: Translator, digest: Digest) -> str:
    lines = [t("HR digest for {week} ({start} to {end})", week=digest.week.label,
               start=digest.week.monday.isoformat(), end=(digest.week.monday + timedelta(days=6)).isoformat())]
    for part in digest.sections:
        lines += ["", *section_text(t, part)]
    return "\n".join(lines)


# -- Slack ------------------------------------------------------------------------------------------------------

EMOJI = {"green": ":large_green_circle:", "amber": ":large_orange_circle:", "red": ":red_circle:"}


def _mrkdwn_figure(t: Translator, figure: Figure) -> str:
    colour = figure.band.colour if figure.band is not None else None
    dot = EMOJI.get(colour or "", ":white_circle:")
    trend = spark([*figure.history, figure.value]) if figure.value is not None and figure.history else ""
    people = (" " + t("({count} people)", count=figure.people)) if figure.people is not None and \
        figure.unit == "share" else ""
    return f"{dot} {escape(render(t, figure.label))}: *{value_text(figure)}*{people} {trend}".rstrip()


def summary_blocks(t: Translator, digest: Digest) -> tuple[str, list[dict[str, Any]]]:
    """The channel message: one line per section with its first figure; the details are in the thread."""
    text = t("HR digest for {week}", week=digest.week.label)
    lines = []
    for part in digest.sections:
        first = next((f for f in part.figures if f.value is not None), None)
        title = f"*{escape(render(t, part.title))}*"
        lines.append(f"{title} — {_mrkdwn_figure(t, first)}" if first is not None else title)
    blocks: list[Block] = [HeaderBlock(text=PlainTextObject(text=truncate(text, 150))),
                           context(t("{start} to {end}. Colours compare each figure with its own last weeks, not "
                                     "with a target; no colour where too few people stand behind a number.",
                                     start=digest.week.monday.isoformat(),
                                     end=(digest.week.monday + timedelta(days=6)).isoformat())),
                           *[section(chunk) for chunk in _chunks(lines)],
                           context(t("Each section's details are in the thread."))]
    return text, to_dicts(blocks[:MESSAGE_BLOCKS_MAX])


def _chunks(lines: list[str]) -> list[str]:
    out: list[str] = []
    current = ""
    for line in lines:
        if current and len(current) + 1 + len(line) > SECTION_TEXT_MAX:
            out.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        out.append(current)
    return out


def section_blocks(t: Translator, section_: DigestSection, *, shown_lines: int) -> tuple[str, list[dict[str, Any]]]:
    """A thread reply: the section's figures, its first lines, and how many more rows are in its CSV."""
    title = render(t, section_.title)
    parts = [f"*{escape(title)}*", *[_mrkdwn_figure(t, f) for f in section_.figures]]
    parts += ["• " + escape(render(t, line)) for line in section_.lines[:shown_lines]]
    if not section_.figures and not section_.lines and section_.empty is not None:
        parts.append(escape(render(t, section_.empty)))
    blocks: list[Block] = [section(chunk) for chunk in _chunks(parts)]
    if len(section_.tail) > shown_lines:
        blocks.append(context(t("{count} rows in all: the full list is in the CSV file in this thread.",
                                count=len(section_.tail))))
    return title, to_dicts(blocks[:MESSAGE_BLOCKS_MAX])


CSV_DANGER = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: str) -> str:
    """A cell a spreadsheet will not run as a formula (OWASP: prefix a quote to a leading = + - @ tab or CR)."""
    return "'" + value if value.startswith(CSV_DANGER) else value


def tail_csv(section_: DigestSection) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([csv_cell(h) for h in section_.tail_header])
    for row in section_.tail:
        writer.writerow([csv_cell(str(cell)) for cell in row])
    return out.getvalue()
