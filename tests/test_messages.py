"""One way for the domain to say something to a person: a `DomainError` carrying a message id (its English
text, marked `_t(...)`) and parameters, translated in the person's language by the view (`t.message`)."""

from __future__ import annotations

import ast
import json
from datetime import timedelta
from pathlib import Path

import pytest

import models.checkins
import models.kudos
import models.one_on_ones
import models.people.org_import
import models.people.pause
import models.privacy
from bot.i18n import translator
from handlers.people.pause import PauseIds
from models.core.messages import DomainError, Mention, Message, Phrase, _t, say
from models.people import ensure_people
from tests.conftest import BOB, LI, TEAM

REPO = Path(__file__).resolve().parents[1]
GOOD = "for the calm launch and the clear runbook"


def test_a_message_is_its_english_text_with_its_id_and_parameters():
    m = Message("{user} gave {values} to {who}", {"user": Mention("U0ANA"), "values": ["#a", "#b"],
                                                 "who": say("you")})
    assert m == "<@U0ANA> gave #a, #b to you"
    assert (m.id, m.params["user"]) == ("{user} gave {values} to {who}", "U0ANA")
    err = DomainError(_t("At most {max} characters (you wrote {length})."), field="text", code="too_long",
                      max=10, length=12)
    assert str(err) == err.message == "At most 10 characters (you wrote 12)."
    assert (err.template, err.params, err.field, err.code) == (
        "At most {max} characters (you wrote {length}).", {"max": 10, "length": 12}, "text", "too_long")


def test_the_view_translates_parameters_too():
    de = translator("de-DE")
    m = Message("Slack doesn't know {user} in this workspace.", {"user": say("you")})
    assert de.message(m) == "Slack kennt dich in diesem Workspace nicht."
    assert de.message(Message("Slack doesn't know {user} in this workspace.", {"user": Mention("U0X")})) == (
        "Slack kennt <@U0X> in diesem Workspace nicht.")
    # A list may hold what someone typed: each item is escaped for Slack's mrkdwn.
    typed = Message("Unknown value {unknown}. The values are: {valid}.", {"unknown": ["#<!channel>"],
                                                                          "valid": ["#a"]})
    assert de.message(typed) == "Unbekannter Wert #&lt;!channel&gt;. Die Werte sind: #a."
    # The view may format a parameter itself (a week label instead of the raw key).
    closed = Message("Your check-in for {week} is closed and can no longer be edited.", {"week": "2026-W48"})
    assert "2026-W48" in translator("en").message(closed)
    assert "week of Nov 23" in translator("en").message(closed, week="week of Nov 23")
    # Agenda lines are phrases: plain parts as written, message parts translated.
    line = Phrase("Ship it", say(" — due {date}", date="2026-12-04"))
    assert line == "Ship it — due 2026-12-04" and line.in_language(de) == "Ship it — due 2026-12-04"


def test_each_feature_refuses_with_a_domain_error():
    for error in (models.kudos.KudosRejected, models.checkins.CheckinError, models.checkins.CheckinInvalid,
                  models.one_on_ones.OneOnOneError, models.people.org.OrgError,
                  models.people.org_import.OrgImportError, models.people.pause.PauseError,
                  models.privacy.PrivacyError, models.privacy.UnknownPerson, models.privacy.AlreadyErased):
        assert issubclass(error, DomainError), error


# -- every refusal names a message id the translator knows ------------------------------------------------


def _domain_errors() -> set[str]:
    found: set[str] = set()
    todo = [DomainError]
    while todo:
        cls = todo.pop()
        found.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return found


def _marked(node: ast.expr) -> bool:
    """A message id: `_t("…")`, a name or attribute holding one, or a choice between those."""
    if isinstance(node, ast.Call):
        return isinstance(node.func, ast.Name) and node.func.id == "_t"
    if isinstance(node, ast.IfExp):
        return _marked(node.body) and _marked(node.orelse)
    if isinstance(node, ast.Subscript):  # a table of message ids, e.g. _INACTIVE[problem][0]
        return True
    return isinstance(node, ast.Name | ast.Attribute)


def unmarked_messages(source: str, error_names: set[str], where: str = "<source>") -> list[str]:
    """Domain errors raised with a literal string (or an f-string): not extracted for translation, so a
    person in another language would read English."""
    problems = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name in error_names and name != "OrgImportError" and not _marked(node.args[0]):
            problems.append(f"{where}:{node.lineno}: {name}({ast.unparse(node.args[0])[:60]})")
    return problems


def test_every_domain_error_is_raised_with_a_message_id():
    names = _domain_errors()
    problems = []
    for folder in ("models", "handlers", "bot", "scheduler"):
        for path in sorted((REPO / folder).rglob("*.py")):
            problems += unmarked_messages(path.read_text(), names, str(path.relative_to(REPO)))
    assert problems == []


def test_the_message_id_check_can_fail():
    names = {"OneOnOneError", "OrgError"}
    bad = 'raise OneOnOneError("That action item is not one of yours.")\nraise OrgError(f"{x} is gone")\n'
    assert len(unmarked_messages(bad, names)) == 2
    good = 'raise OneOnOneError(_t("Say what needs doing."))\nraise OrgError(NOT_HERE, code="x")\n'
    assert unmarked_messages(good, names) == []


# -- people read refusals in their own language -------------------------------------------------------------


def known(candor, *users: str) -> None:
    """People Candor already knows (their Slack locale with them), as after the directory sync."""
    with candor.rt.db.unit_of_work() as s:
        ensure_people(s, TEAM, list(users), candor.rt.services.directory)


def test_a_german_speaker_reads_a_kudos_refusal_in_german(candor):
    known(candor, LI, BOB)
    resp = candor.slack.command("/kudos", f"<@{LI}> {GOOD}", user=LI)
    assert resp.status_code == 200
    text = resp.text if not resp.text.startswith("{") else json.loads(resp.text).get("text", "")
    assert "Du kannst dir nicht selbst Kudos geben." in text
    english = candor.slack.command("/kudos", f"<@{BOB}> {GOOD}", user=BOB)
    assert "you can't give kudos to yourself" in english.text


def test_a_german_speaker_reads_a_pause_refusal_in_german(candor):
    known(candor, LI)
    candor.slack.block_action(PauseIds.OPEN, user=LI)
    resp = candor.slack.view_submission(PauseIds.MODAL, {"until": {"until_date": {
        "type": "datepicker", "selected_date": "2020-01-01"}}}, user=LI)
    assert resp.json() == {"response_action": "errors", "errors": {"until": "Wähle heute oder einen späteren Tag."}}
    far = (candor.clock.now() + timedelta(days=400)).date().isoformat()
    resp = candor.slack.view_submission(PauseIds.MODAL, {"until": {"until_date": {
        "type": "datepicker", "selected_date": far}}}, user=LI)
    assert "180" in resp.json()["errors"]["until"] and "At most" not in resp.json()["errors"]["until"]


@pytest.mark.parametrize("problem", ["erased", "deactivated", "bot"])
def test_org_refusals_are_message_ids_with_the_persons_name(problem):
    manager_msg, person_msg = models.people.org._INACTIVE[problem]
    de = translator("de-DE")
    for msg in (manager_msg, person_msg):
        said = de.message(Message(msg, {"person": "Eve"}))
        assert said.startswith("Eve ") and said != msg.format(person="Eve")
