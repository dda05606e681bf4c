"""Text rules shared by every feature: what counts as written.

`str.strip()` keeps zero-width characters, so "25 zero-width spaces" passes a 20-character minimum and
posts an empty-looking message. Every minimum length and every "required" check counts *visible*
characters instead: format and control characters (zero-width spaces and joiners, bidi marks, soft
hyphens), combining marks on their own, unassigned and private-use code points, and characters that render
blank (Hangul fillers, the Braille blank) do not count; a run of whitespace of any kind counts as one space.
"""

from __future__ import annotations

import re
import unicodedata

# Characters Unicode calls letters or symbols that render as nothing.
_BLANK = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e\u17b4\u17b5")
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Mn", "Me", "Zl", "Zp"})

# What no stored text may hold, and what every terminal display escapes (`bot.cli.common.printable`): the C0
# and C1 controls and DEL (Unicode category Cc, tabs and newlines included), which make terminal escape
# sequences, and the bidirectional embeddings, overrides and isolates, which reorder what is displayed
# ("Trojan source").
CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def visible_text(text: str) -> str:
    """`text` without what does not show, whitespace runs collapsed to one space, stripped."""
    out: list[str] = []
    space = False
    for ch in unicodedata.normalize("NFC", text):
        if ch.isspace() or unicodedata.category(ch) == "Zs":
            space = True
            continue
        if ch in _BLANK or unicodedata.category(ch) in _INVISIBLE_CATEGORIES:
            continue
        if space and out:
            out.append(" ")
        space = False
        out.append(ch)
    return "".join(out)


def visible_length(text: str) -> int:
    """How many characters of `text` a reader sees (see the module docstring)."""
    return len(visible_text(text))


def is_blank(text: str | None) -> bool:
    """Nothing a reader would see: empty, whitespace, or only invisible characters."""
    return not text or visible_length(text) == 0


# A message permalink as Slack makes them (chat.getPermalink): the workspace's (or an Enterprise org's)
# domain, the channel, "p" and the ts without its dot; a thread reply adds thread_ts and cid.
_PERMALINK = re.compile(
    r"https://[a-z0-9][a-z0-9-]{0,62}(?:\.enterprise)?\.slack\.com/archives/[CGD][A-Z0-9]{2,30}/p\d{16}"
    r"(?:\?thread_ts=\d{10}\.\d{6}(?:&cid=[CGD][A-Z0-9]{2,30})?)?",
    re.ASCII,
)
_CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]{2,30}", re.ASCII)


def is_slack_permalink(url: str | None) -> bool:
    """Whether `url` is exactly a Slack message permalink. Anything else (a `!channel`, a `|` that adds a
    label, another site) is never put in a link."""
    return bool(url) and _PERMALINK.fullmatch(url or "") is not None


def is_channel_id(value: str | None) -> bool:
    return bool(value) and _CHANNEL_ID.fullmatch(value or "") is not None
