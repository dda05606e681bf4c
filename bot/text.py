"""Slack text: escaping user content, and reading Slack's escaped command text.

User text placed in `text` or mrkdwn is escaped (`&`, `<`, `>` only — Slack's rule), so typed
`<!channel>`, `<@U…>` or links can never ping or masquerade. We never set `link_names` or `parse`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

USER_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^>]*))?>")
CHANNEL_MENTION = re.compile(r"<#([CG][A-Z0-9]+)(?:\|([^>]*))?>")
SPECIAL_MENTION = re.compile(r"<!(here|channel|everyone)(?:\|[^>]*)?>")
SUBTEAM_MENTION = re.compile(r"<!subteam\^[A-Z0-9]+(?:\|([^>]*))?>")
LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")
HASHTAG = re.compile(r"(?<![\w&#/])#([A-Za-z][\w-]{0,49})\b")


def escape(text: str) -> str:
    """Escape user text for Slack's `text`/mrkdwn: only `&`, `<`, `>` (Slack's documented rule)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def plain(text: str) -> str:
    """Slack's escaped command text as plain text: mentions become @names, links their address."""
    text = USER_MENTION.sub(lambda m: "@" + (m.group(2) or m.group(1)), text)
    text = CHANNEL_MENTION.sub(lambda m: "#" + (m.group(2) or m.group(1)), text)
    text = SPECIAL_MENTION.sub(lambda m: "@" + m.group(1), text)
    text = SUBTEAM_MENTION.sub(lambda m: "@" + (m.group(1) or "group").lstrip("@"), text)
    text = LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})" if m.group(2) else m.group(1), text)
    return unescape(text).strip()


def truncate(text: str, limit: int, ellipsis: str = "…") -> str:
    """At most `limit` characters. A cut never splits an escaped entity (`&amp;`) or a Slack token
    (`<@U1>`, `<!date^…>`, `<https://…|label>`): it backs off to before it, so nothing shows as raw markup."""
    if len(text) <= limit:
        return text
    cut = text[: max(0, limit - len(ellipsis))]
    amp, semi = cut.rfind("&"), cut.rfind(";")
    if amp > semi and len(cut) - amp <= 8:  # an entity (&amp; &lt; &gt;) cut in half
        cut = cut[:amp]
    lt, gt = cut.rfind("<"), cut.rfind(">")
    if lt > gt:  # a Slack token cut in half
        cut = cut[:lt]
    return cut + ellipsis


@dataclass
class ParsedKudosText:
    recipients: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    message: str = ""
    words: list[str] = field(default_factory=list)  # words with a claimed prefix, as typed: "+launch-v2"


# A word for another part of Candor: a prefix, then a short name (letters, digits, single hyphens, at least one
# letter: "+1" stays text), standing alone (after a space or an opening bracket, before a space or punctuation).
WORD_NAME = r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*"


def _word_pattern(prefixes: tuple[str, ...]) -> re.Pattern[str] | None:
    if not prefixes:
        return None
    if any(len(p) != 1 or p.isalnum() or p.isspace() or p in "#@<>&" for p in prefixes):
        raise ValueError(f"a word prefix is one punctuation character other than # @ < > &: {prefixes!r}")
    chars = "".join(re.escape(p) for p in prefixes)
    return re.compile(rf"[ \t]*(?<![^\s(\[\"'])([{chars}]{WORD_NAME})(?=$|[\s.,;:!?)\]\"'])")


def _is_word(word: str) -> bool:
    return any(c.isalpha() for c in word[1:])


def parse_kudos_text(text: str, word_prefixes: tuple[str, ...] = ()) -> ParsedKudosText:
    """Read `/kudos @ana @li for the calm launch #customer-focus` as Slack delivers it.

    With `should_escape: true` Slack sends mentions as `<@U123|ana>` (or `<@U123>`) and escapes what
    the user typed (`&lt;`). Every user mention is a recipient; mentions are removed from the message
    (those inside a sentence become `@name`); `#tags` are read as values and stay in the message as
    written; special mentions and links become plain text. Words starting with one of `word_prefixes`
    (e.g. `+launch-v2`, for whichever part of Candor claims `+`) are returned as `words` and taken out of the
    message. The message is returned unescaped (plain), to be escaped again wherever it is shown.
    """
    recipients = list(dict.fromkeys(m.group(1) for m in USER_MENTION.finditer(text)))
    body = text.strip()
    # Leading mentions (and an optional "for"/":") are the address, not part of the message.
    while True:
        m = re.match(r"^\s*(?:<@[UW][A-Z0-9]+(?:\|[^>]*)?>[\s,]*|and\s+(?=<@))", body)
        if not m:
            break
        body = body[m.end():]
    body = re.sub(r"^\s*[:,-]\s*", "", body)
    tag_source = unescape(LINK.sub(" ", CHANNEL_MENTION.sub(" ", body)))
    tags = list(dict.fromkeys(t.lower() for t in HASHTAG.findall(tag_source)))
    body = USER_MENTION.sub(lambda m: "@" + (m.group(2) or m.group(1)), body)
    body = CHANNEL_MENTION.sub(lambda m: "#" + (m.group(2) or m.group(1)), body)
    body = SPECIAL_MENTION.sub(lambda m: "@" + m.group(1), body)
    body = SUBTEAM_MENTION.sub(lambda m: "@" + (m.group(1) or "group").lstrip("@"), body)
    body = LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})" if m.group(2) else m.group(1), body)
    body = unescape(body)
    words: list[str] = []
    pattern = _word_pattern(word_prefixes)
    if pattern is not None:
        def take(m: re.Match[str]) -> str:
            if not _is_word(m.group(1)):
                return m.group(0)
            words.append(m.group(1))
            return ""

        body = pattern.sub(take, body)
        if words:  # the words may have stood between the address and the message
            body = re.sub(r"^\s*[:,-]\s*", "", body)
    body = re.sub(r"[ \t]+", " ", body).strip()
    return ParsedKudosText(recipients=recipients, tags=tags, message=body, words=list(dict.fromkeys(words)))
