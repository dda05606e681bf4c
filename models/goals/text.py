"""Key results as one line of text: what the goal modal's key-result fields and the CSV import (`kr1`…`kr5`)
accept, and how a key result is written back into such a field.

    New accounts: 0 -> 20 accounts      a metric from 0 to 20, unit "accounts" (also `→`, `=>` or ` to `)
    Churn: 5% -> 3%                     a reduction, unit "%"
    Revenue: $1,200 to $2,000           thousands separators; a currency sign is the unit
    NPS: 4,5 -> 6                       a decimal comma
    Grow users 10 to 20                 the colon may be left out
    Launch the EU region                a bare title: a milestone, 0–100 %
    Launch A -> B: milestone            the same, said explicitly (a title with an arrow needs it)
    Revenue: 0 -> 50 k€ (weight 2)      any of these, counted twice in the goal's progress (0–100; default 1)

The title ends where the numbers begin. Text that reads like a range (an arrow, or "<number> to <number>") but
does not parse as one is refused rather than taken as a milestone's title. `parse_key_result` checks the shape
only; the limits (title and unit lengths, a target that differs from the start, how many per goal) are
`rules.check_key_results`. The grammar is the one the create modal reads (handlers/goals/payloads.py).
"""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal

from models.core.messages import _t
from models.goals.rules import GoalError, KeyResultDraft

KR_FORMAT = _t("Write a key result as “Title: start -> target unit”, such as “New accounts: 0 -> 20 accounts”, "
               "or just a title for a milestone.")
KR_NO_TITLE = _t("Give the key result a title before its numbers, such as “New accounts: 0 -> 20 accounts”.")
EMPTY = _t("This can't be empty.")

# A number as people type it: 12, -3, 4.5, 4,5 (a decimal comma), 1,000 or 1,000.5 (thousands).
_THOUSANDS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?"
_PLAIN = r"\d+(?:[.,]\d+)?"
_NUMBER = rf"[-+]?(?:{_THOUSANDS}|{_PLAIN})"
_CURRENCY = r"[$€£¥]"
_ARROW = r"(?:\s*(?:->|→|=>)\s*|\s+to\s+)"
_MEASURED = re.compile(
    rf"^(?P<title>.+?)(?:\s*:\s*|\s+)(?P<pre>{_CURRENCY}?)(?P<start>{_NUMBER})(?P<start_unit>%?){_ARROW}"
    rf"(?P<pre2>{_CURRENCY}?)(?P<target>{_NUMBER})\s*(?P<unit>.*?)$",
    re.IGNORECASE | re.ASCII,
)
# A line that reads like a range: it must parse as one.
_LOOKS_MEASURED = re.compile(rf"->|→|=>|{_NUMBER}%?\s+to\s+{_CURRENCY}?{_NUMBER}", re.IGNORECASE | re.ASCII)
_MILESTONE = re.compile(r"^(?P<title>.*?)\s*:\s*milestone$", re.IGNORECASE)
# "(weight 2)", "(weight: 0.5)" at the end of any line.
_WEIGHT = re.compile(r"\s*\(\s*weight\s*[:=]?\s*(?P<weight>\d+(?:[.,]\d+)?)\s*\)$", re.IGNORECASE | re.ASCII)


def parse_key_result(line: str, *, field: str = "key_results") -> KeyResultDraft:
    """The key result a line of text describes. Raises `GoalError` on `field` when the line is empty or reads
    like a range that is not one."""
    text = " ".join((line or "").split())  # one line: runs of spaces, tabs and newlines as one space
    if not text:
        raise GoalError(EMPTY, code="empty", field=field)
    weighted = _WEIGHT.search(text)
    if weighted is not None:
        kr = parse_key_result(text[:weighted.start()], field=field)
        return replace(kr, weight=float(weighted["weight"].replace(",", ".")))
    if (said := _MILESTONE.match(text)) is not None:
        title = said["title"].strip().rstrip(":").strip()
        if not title:
            raise GoalError(KR_NO_TITLE, code="kr_no_title", field=field)
        return KeyResultDraft(title=title, kind="milestone")
    if (found := _MEASURED.match(text)) is not None:
        title = found["title"].strip().rstrip(":").strip()
        if not title:
            raise GoalError(KR_NO_TITLE, code="kr_no_title", field=field)
        unit = found["unit"] or found["start_unit"] or found["pre2"] or found["pre"]
        return KeyResultDraft(title=title, kind="metric", start=_number(found["start"]),
                              target=_number(found["target"]), unit=unit)
    if _LOOKS_MEASURED.search(text):
        raise GoalError(KR_FORMAT, code="kr_format", field=field)
    return KeyResultDraft(title=text.rstrip(":").strip() or text, kind="milestone")


def format_key_result(title: str, kind: str, start: float = 0.0, target: float = 100.0, unit: str = "",
                      weight: float = 1.0) -> str:
    """A key result as the line `parse_key_result` reads back (for a modal's initial value)."""
    if weight != 1.0:
        return f"{format_key_result(title, kind, start, target, unit)} (weight {_fmt(weight)})"
    if kind == "milestone":
        try:
            plain = parse_key_result(title) == KeyResultDraft(title=title, kind="milestone")
        except GoalError:
            plain = False
        return title if plain else f"{title}: milestone"
    measured = f"{_fmt(start)} -> {_fmt(target)}"
    return f"{title}: {measured} {unit}".rstrip()


def _number(text: str) -> float:
    if re.fullmatch(rf"[-+]?{_THOUSANDS}", text, re.ASCII):
        return float(text.replace(",", ""))
    return float(text.replace(",", "."))


def _fmt(value: float) -> str:
    """Without an exponent, which the parser does not read: 1234567, 4.5, 0.25."""
    value = float(value)
    return str(int(value)) if value.is_integer() else format(Decimal(repr(value)), "f")
