"""Translation catalogs: the template matches the code, every language is complete, consistent and safe to format.

No database, no Slack: these read the `.po` files and the source tree only.
"""

from __future__ import annotations

import ast
import gettext
import re
import string
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from bot.i18n import DOMAIN, LOCALE_DIR, Translator, negotiate, translator

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = LOCALE_DIR / f"{DOMAIN}.pot"
CATALOGS = sorted(LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
SOURCE_DIRS = ("bot", "handlers", "models", "scheduler")  # the directories babel.cfg maps
KEYWORDS = ("-k", "t", "-k", "n:1,2", "-k", "_t")
REFRESH = (
    "Refresh the catalogs: `pybabel extract -F babel.cfg -k t -k n:1,2 -k _t --no-location --sort-output "
    "--project Candor -o bot/locale/candor.pot .` then `pybabel update -i bot/locale/candor.pot -d bot/locale "
    "-D candor --no-fuzzy-matching`, and translate what is new."
)

# Strings passed to `t(...)` that pybabel (Python 3.11) cannot see, so they stay English in every language.
# Fix the code (and drop the entry) rather than adding to this: a `t(...)` inside an f-string is invisible to
# the extractor on 3.11 (3.12+ does see it, so the template would then differ), and a `t("…", …)` whose arguments
# use a variable named `n` is taken for the plural keyword `n:1,2` and dropped for want of a plural.
KNOWN_UNEXTRACTED: dict[str, str] = {}  # strings pybabel cannot see (e.g. t() inside an f-string): fix, do not list

# Slack limits (plain-text objects): modal title, submit and close at most 24 characters; button and option
# texts at most 75.
MODAL_TEXT_MAX = 24
BUTTON_TEXT_MAX = 75


def _load(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=locale)


def _lang(path: Path) -> str:
    return path.parent.parent.name


def _messages(catalog: Catalog) -> Iterator[Message]:
    return (m for m in catalog if m.id)


def _key(message: Message) -> str | tuple[str, ...]:
    return message.id if isinstance(message.id, str) else tuple(message.id)


def _fields(text: str) -> list[tuple[str, str | None, str | None]]:
    """The `{placeholders}` of a str.format template, sorted: (name, conversion, spec). Raises on bad braces."""
    return sorted({(name, conv, spec) for _, name, spec, conv in string.Formatter().parse(text) if name is not None})


def _names(*texts: str) -> set[str]:
    return {name for text in texts for name, _, _ in _fields(text)}


def _dummies(*texts: str) -> dict[str, Any]:
    return {name: f"‹{name}›" for name in _names(*texts)}


def _forms(message: Message) -> list[str]:
    return [message.string] if isinstance(message.string, str) else list(message.string)


def _translated(catalog: Catalog) -> Iterator[Message]:
    """Messages with every form filled in and not fuzzy (the others fail `test_every_message_is_translated`)."""
    return (m for m in _messages(catalog) if all(_forms(m)) and not m.fuzzy)


@pytest.fixture(scope="module", params=CATALOGS, ids=_lang)
def language(request: pytest.FixtureRequest) -> tuple[str, Catalog]:
    path: Path = request.param
    return _lang(path), _load(path, locale=_lang(path))


def test_there_is_a_language_catalog_besides_english() -> None:
    assert "de" in [_lang(p) for p in CATALOGS], f"no catalogs under {LOCALE_DIR}"


# -- a) the template is up to date with the code ------------------------------------------------------------


def test_template_matches_the_code(tmp_path: Path) -> None:
    fresh = tmp_path / f"{DOMAIN}.pot"
    run = subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", *KEYWORDS, "--no-location",
         "--sort-output", "--project", "Candor", "-o", str(fresh), "."],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    extracted = {_key(m) for m in _messages(_load(fresh))}
    committed = {_key(m) for m in _messages(_load(TEMPLATE))}
    assert extracted, "the extraction found no messages at all"
    new, gone = sorted(extracted - committed, key=str), sorted(committed - extracted, key=str)
    assert not new and not gone, (
        f"{TEMPLATE.relative_to(ROOT)} is stale. New in the code: {new}. No longer in the code: {gone}. {REFRESH}")


def _literal_calls() -> Iterator[tuple[str, str]]:
    """(message, where) for every `t("…")`, `x.t("…")`, `_t("…")` and `t.n("…", …)` with a literal message."""
    for directory in SOURCE_DIRS:
        for path in sorted((ROOT / directory).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call) or not node.args:
                    continue
                func = node.func
                name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
                first = node.args[0]
                if name in ("t", "_t", "n") and isinstance(first, ast.Constant) and isinstance(first.value, str):
                    yield first.value, f"{path.relative_to(ROOT)}:{node.lineno}"


def test_every_literal_passed_to_the_translator_is_in_the_template() -> None:
    """The extractor silently skips some calls; the syntax tree does not."""
    template = {m.id if isinstance(m.id, str) else m.id[0] for m in _messages(_load(TEMPLATE))}
    found: dict[str, list[str]] = {}
    for message, where in _literal_calls():
        found.setdefault(message, []).append(where)
    assert len(found) > 100, "the source scan found too few translated strings: is it looking in the right place?"
    missing = {m: found[m] for m in found if m not in template}
    unexpected = {m: w for m, w in missing.items() if m not in KNOWN_UNEXTRACTED}
    assert not unexpected, f"translated in the code but not in the template (pybabel cannot see them): {unexpected}"
    fixed = sorted(set(KNOWN_UNEXTRACTED) - set(missing))
    assert not fixed, f"now in the template: remove them from KNOWN_UNEXTRACTED in tests/test_i18n.py: {fixed}"


# -- b) every language catalog is complete and uses the same placeholders -------------------------------------


def test_catalog_has_exactly_the_template_messages(language: tuple[str, Catalog]) -> None:
    lang, catalog = language
    template = {_key(m) for m in _messages(_load(TEMPLATE))}
    ours = {_key(m) for m in _messages(catalog)}
    assert ours == template, (f"{lang}: missing {sorted(template - ours, key=str)}, "
                              f"not in the template {sorted(ours - template, key=str)}. {REFRESH}")


def test_every_message_is_translated(language: tuple[str, Catalog]) -> None:
    lang, catalog = language
    untranslated = [m.id for m in _messages(catalog) if not all(_forms(m)) or m.fuzzy]
    assert not untranslated, f"{lang}: {len(untranslated)} untranslated or fuzzy messages: {untranslated}"
    for m in _messages(catalog):
        if isinstance(m.id, tuple):
            assert len(_forms(m)) == catalog.num_plurals, f"{lang}: {m.id!r} needs {catalog.num_plurals} forms"


def test_translations_use_the_same_placeholders(language: tuple[str, Catalog]) -> None:
    lang, catalog = language
    problems = []
    for m in _translated(catalog):
        ids = [m.id] if isinstance(m.id, str) else list(m.id)
        try:
            wanted = sorted({f for text in ids for f in _fields(text)})
            for form in _forms(m):
                if _fields(form) != wanted:
                    problems.append(f"{m.id!r}: {form!r} has {_fields(form)}, wants {wanted}")
        except ValueError as exc:  # a lone brace
            problems.append(f"{m.id!r}: {exc}")
    assert not problems, f"{lang}:\n" + "\n".join(problems)


def test_slack_mrkdwn_survives_translation(language: tuple[str, Catalog]) -> None:
    """Emoji codes, `code` spans, <…> (links, mentions, the `<topic>` the code escapes) and leading/trailing
    whitespace are kept as they are."""
    lang, catalog = language
    problems = []
    for m in _translated(catalog):
        source = m.id if isinstance(m.id, str) else m.id[0]
        keep = re.findall(r"(?<!\S):[a-z0-9_+-]+:|<[^<>]+>", source)
        for form in _forms(m):
            if any(k not in form for k in keep) or source.count("`") != form.count("`"):
                problems.append(f"{source!r} → {form!r}")
            if source[:1].isspace() != form[:1].isspace() or source[-1:].isspace() != form[-1:].isspace():
                problems.append(f"{source!r} → {form!r}: leading or trailing whitespace differs")
    assert not problems, f"{lang}:\n" + "\n".join(problems)


# -- c) Slack locales map to catalogs -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("slack_locale", "lang"),
    [("de-DE", "de"), ("de-AT", "de"), ("de", "de"), ("en-US", "en"), ("en-GB", "en"), ("pt-BR", "en"),
     (None, "en"), ("", "en"), ("xx-INVALID", "en"), ("not a locale", "en")],
)
def test_negotiate(slack_locale: str | None, lang: str) -> None:
    assert negotiate(slack_locale) == lang


# -- d) every translation formats, and the runtime path returns it ------------------------------------------


def test_every_translation_formats_and_is_served(language: tuple[str, Catalog]) -> None:
    lang, catalog = language
    t = Translator(lang)
    plural_index = gettext.c2py(catalog.plural_expr)
    for m in _translated(catalog):
        if isinstance(m.id, str):
            params = _dummies(m.id)
            expected = m.string.format(**params)
            assert t(m.id, **params) == expected, f"{lang}: {m.id!r} is not served from the catalog"
            continue
        singular, plural = m.id[0], m.id[1]
        params = {k: v for k, v in _dummies(singular, plural).items() if k != "count"}
        for count in (0, 1, 2, 5, 21, 100):
            form = _forms(m)[plural_index(count)]
            expected = form.format(count=count, **params)
            assert t.n(singular, plural, count, **params) == expected, f"{lang}: {m.id!r} for {count}"


def test_unknown_messages_and_english_fall_back_to_the_source() -> None:
    assert translator("de-DE")("Not in any catalog {x}", x=1) == "Not in any catalog 1"
    assert translator("en-US")(":sparkles: {giver} gave you kudos", giver="<@U1>") == ":sparkles: <@U1> gave you kudos"
    assert translator("pt-BR")("Weekly check-in") == "Weekly check-in"


def test_german_spot_checks() -> None:
    t = translator("de-DE")
    assert t.lang == "de"
    assert t(":sparkles: {giver} gave you kudos", giver="<@U1>") == ":sparkles: <@U1> hat dir Kudos gegeben"
    assert t("Weekly check-in") == "Wöchentlicher Check-in"
    assert t("week {week}, {year}", week=47, year="2026") == "KW 47, 2026"
    assert t(":white_check_mark: {person} now reports to {manager}.", person="<@U1>", manager="<@U2>") == (
        ":white_check_mark: <@U1> berichtet jetzt an <@U2>.")
    assert t.n("{count} open talking point", "{count} open talking points", 1) == "1 offenes Gesprächsthema"
    assert t.n("{count} open talking point", "{count} open talking points", 3) == "3 offene Gesprächsthemen"
    assert t.n("{count} action item added.", "{count} action items added.", 0) == "0 Aufgaben hinzugefügt."


# -- Slack length limits for modal and button texts ---------------------------------------------------------


def _limited_literals() -> Iterator[tuple[str, int, str]]:
    """(message, limit, where) for literals that end up as a modal's title/submit/close or a button/option text."""

    def literals(node: ast.AST) -> Iterator[ast.Constant]:
        for sub in ast.walk(node):
            if (isinstance(sub, ast.Call) and sub.args and isinstance(sub.args[0], ast.Constant)
                    and isinstance(sub.args[0].value, str)):
                func = sub.func
                if (func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")) in ("t", "_t"):
                    yield sub.args[0]

    for directory in SOURCE_DIRS:
        for path in sorted((ROOT / directory).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
                parts: list[tuple[ast.AST, int]] = []
                if name == "View":
                    parts += [(k.value, MODAL_TEXT_MAX) for k in node.keywords if k.arg in ("title", "submit", "close")]
                elif name in ("done_view", "done") and len(node.args) > 1:  # (t, title, text)
                    parts.append((node.args[1], MODAL_TEXT_MAX))
                elif name == "AgendaSection":  # a section's title is also the "Show all" modal's title
                    parts += [(k.value, MODAL_TEXT_MAX) for k in node.keywords if k.arg == "title"]
                elif name in ("ButtonElement", "Option"):
                    parts += [(k.value, BUTTON_TEXT_MAX) for k in node.keywords if k.arg == "text"]
                elif name == "_button" and node.args:
                    parts.append((node.args[0], BUTTON_TEXT_MAX))
                for part, limit in parts:
                    for const in literals(part):
                        yield str(const.value), limit, f"{path.relative_to(ROOT)}:{const.lineno}"


def test_modal_and_button_texts_fit_slack_limits(language: tuple[str, Catalog]) -> None:
    lang, catalog = language
    limited = list(_limited_literals())
    assert len(limited) > 30, "the source scan found too few modal and button texts"
    assert ("Weekly check-in", MODAL_TEXT_MAX) in [(m, limit) for m, limit, _ in limited]
    problems = []
    for message, limit, where in limited:
        entry = catalog.get(message)
        for form in _forms(entry) if entry is not None else []:
            if len(form) > limit:
                problems.append(f"{where} {message!r} → {form!r}: {len(form)} > {limit} characters")
    assert not problems, f"{lang}:\n" + "\n".join(problems)
