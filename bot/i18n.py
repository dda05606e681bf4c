"""The one translation function. Every user-facing string goes through `translator(locale)`.

Catalogs are gettext `.po` files under `bot/locale/<lang>/LC_MESSAGES/candor.po`, read with Babel at
first use (no compile step). Slack locales such as `de-DE` or `pt-BR` are matched to the closest
catalog (`de_DE` → `de`); anything unknown falls back to English, the source language.

Add a language: `pybabel init -i bot/locale/candor.pot -d bot/locale -D candor -l fr`, translate,
done. Refresh the template after changing strings (README → Development has the exact commands):
`pybabel extract -F babel.cfg -k t -k n:1,2 -k _t --no-location --sort-output -w 120 -o bot/locale/candor.pot .`
"""

from __future__ import annotations

import gettext
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.lists import format_list
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.text import escape
from models.core.messages import Mention, Message

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "candor"


def available_languages() -> list[str]:
    return sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


@lru_cache(maxsize=64)
def _catalog(lang: str) -> gettext.NullTranslations:
    po = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po.exists():
        return gettext.NullTranslations()
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    buf = BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


def negotiate(slack_locale: str | None, default: str = "en") -> str:
    """The catalog to use for a Slack locale (`de-DE` → `de`); else `default` (the workspace's language,
    `CANDOR_DEFAULT_LOCALE`) when there is a catalog for it; else English, the source language."""
    langs = set(available_languages())
    fallback = default if default in langs else "en"
    if not slack_locale:
        return fallback
    try:
        loc = Locale.parse(slack_locale.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return fallback
    for candidate in (str(loc), loc.language):
        if candidate in langs or candidate == "en":
            return candidate
    return fallback


class Translator:
    """`t("Hello {name}", name=x)` translates, then formats. `t.n(sing, plural, n)` for counts;
    `t.message(err.message)` for what the domain says (a message id with parameters)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._tr = _catalog(lang)

    def __call__(self, message: str, /, **params: Any) -> str:
        text = self._tr.gettext(message)
        return text.format(**params) if params else text

    def n(self, singular: str, plural: str, count: int, /, **params: Any) -> str:
        return self._tr.ngettext(singular, plural, count).format(count=count, **params)

    def message(self, message: Message, /, **overrides: Any) -> str:
        """A domain message (`models.core.messages`) in this language: a `Mention` parameter becomes a mention,
        a list is joined with commas (each item escaped: it may be what someone typed), a nested `Message` is
        translated too. `overrides` replace parameters the view formats itself (a week label, a date)."""
        params = {k: self._param(v) for k, v in message.params.items()} | overrides
        return self(message.id, **params)

    def _param(self, value: Any) -> Any:
        if isinstance(value, Message):
            return self.message(value)
        if isinstance(value, Mention):
            return f"<@{value}>"
        if isinstance(value, list | tuple):  # each item escaped (what someone typed), mentions kept as mentions
            return ", ".join(f"<@{v}>" if isinstance(v, Mention) else escape(str(v)) for v in value)
        return value

    def list(self, items: list[str]) -> str:
        """`a, b and c` in the translator's language."""
        return format_list(items, locale=self.lang) if items else ""


@lru_cache(maxsize=64)
def translator(slack_locale: str | None, default: str = "en") -> Translator:
    return Translator(negotiate(slack_locale, default))
