"""Reading /kudos text as Slack delivers it (should_escape: true), and escaping user text."""

from __future__ import annotations

import pytest

from bot.text import escape, parse_kudos_text


@pytest.mark.parametrize(
    ("text", "recipients", "tags", "message"),
    [
        ("<@U123|ana> <@U456|li> for the calm launch #customer-focus", ["U123", "U456"], ["customer-focus"],
         "for the calm launch #customer-focus"),
        ("<@U123> and <@U456>: great demo", ["U123", "U456"], [], "great demo"),
        ("<@W123|ana>, <@U456> great demo", ["W123", "U456"], [], "great demo"),
        ("thanks <@U123|ana> for pairing with <@U456|li>", ["U123", "U456"], [], "thanks @ana for pairing with @li"),
        ("<@U123> <@U123> twice", ["U123"], [], "twice"),
        ("<@U123> shipped it in <#C999|launch> #Ownership #ownership", ["U123"], ["ownership"],
         "shipped it in #launch #Ownership #ownership"),
        ("<@U123> read <https://example.com/a#frag|the doc>", ["U123"], [], "read the doc (https://example.com/a#frag)"),
        ("<@U123> fixed &lt;!channel&gt; &amp; more", ["U123"], [], "fixed <!channel> & more"),
        ("<@U123> pinged <!here> and <!subteam^S1|@devs>", ["U123"], [], "pinged @here and @devs"),
        ("<@U123> issue #42 is closed", ["U123"], [], "issue #42 is closed"),
        ("", [], [], ""),
    ],
)
def test_parse(text, recipients, tags, message):
    parsed = parse_kudos_text(text)
    assert parsed.recipients == recipients
    assert parsed.tags == tags
    assert parsed.message == message


def test_escape_only_the_three_characters():
    assert escape("<!channel> & <@U1> \"q\" 'a'") == "&lt;!channel&gt; &amp; &lt;@U1&gt; \"q\" 'a'"


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("short", 10, "short"),
        ("fish &amp; chips forever", 9, "fish …"),  # never "fish &am…"
        ("thanks <@U0ANA> a lot", 12, "thanks …"),  # never "thanks <@U0A…"
        ("a &lt;b&gt; c d e f", 13, "a &lt;b&gt; …"),
        ("plain text that is long", 10, "plain tex…"),
    ],
)
def test_truncate_never_cuts_markup_in_half(text, limit, expected):
    from bot.text import truncate

    out = truncate(text, limit)
    assert out == expected and len(out) <= limit
