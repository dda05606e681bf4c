"""Pulse listeners: the survey DM's (and Home's) Answer button, and the form.

The wave a form answers is sealed into the modal for the user who opened it; the wave id in a button is looked
up and checked (asked, open, not answered) against whoever clicked. A submission writes the keyed participation
and the anonymous answers and nothing else: no form claim (it would pair the view with its sender), no Home
refresh (an outbox row naming the person at the moment they answered), no log line. A double submit meets the
participation row and gets the same kind answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_sdk.models.views import View

from bot.blocks import form_expired, form_field, form_state
from bot.services import team_of, user_of
from handlers.pulse import views
from handlers.pulse.ids import PulseIds as Ids
from handlers.pulse.ids import question_block
from models.pulse import waves
from models.pulse.tables import PulseWave
from models.pulse.waves import ALREADY, KEY_PURPOSE, PulseError

if TYPE_CHECKING:
    from slack_bolt import Ack, App

    from bot.services import Services


def to_int(value: Any) -> int:
    raw = str(value if value is not None else "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 12 else 0


def read_values(body: dict[str, Any], qs: list[waves.Question]) -> dict[str, int | str | None]:
    """The form's answers by question id, as the domain takes them (choices by their text, from the wave)."""
    state = form_state(body)
    out: dict[str, int | str | None] = {}
    for q in qs:
        field = form_field(state, question_block(q.id), Ids.QUESTION_ACTION)
        if q.type == "text":
            out[q.id] = str(field.get("value") or "") or None
            continue
        raw = str((field.get("selected_option") or {}).get("value") or "")
        if not raw:
            out[q.id] = None
        elif q.type == "choice":
            index = to_int(raw) if raw.isdigit() else -1
            out[q.id] = q.choices[index] if 0 <= index < len(q.choices) else "\x00"  # refused by the domain
        else:
            out[q.id] = to_int(raw) if raw.isdigit() else -1
    return out


def register(app: App, services: Services) -> None:
    org = services.org

    def survey_name(wave: PulseWave) -> str:
        survey = org.pulse.survey(wave.survey_id)
        return survey.name if survey is not None else wave.survey_id

    @app.action(Ids.ANSWER_BUTTON.value)
    def answer_button(ack: Ack, body: dict[str, Any]) -> None:
        key = services.sealer.derive(KEY_PURPOSE)
        with services.unit_of_work() as session:
            person = services.acting_person(session, body)
            t = services.t_of(person, body)
            wave = session.get(PulseWave, to_int((body.get("actions") or [{}])[0].get("value")) or 0)
            try:
                if wave is None or wave.team_id != person.team_id:
                    raise PulseError(waves.NOT_ASKED, code="not_asked")
                waves.check_answerable(session, key, wave, person, services.clock.now())
                meta = services.sealer.seal(Ids.MODAL, person.slack_user_id, {"wave": wave.id})
                view: View = views.survey_modal(t, wave, survey_name(wave), waves.questions(wave),
                                                private_metadata=meta)
            except PulseError as err:
                view = views.done_view(t, t.message(err.message))
        services.request_client().views_open(trigger_id=body["trigger_id"], view=view)
        ack()

    @app.view(Ids.MODAL.value)
    def submitted(ack: Ack, body: dict[str, Any]) -> None:
        t = services.translator_for(body)
        view = body.get("view") or {}
        origin = services.sealer.open(Ids.MODAL, user_of(body), view.get("private_metadata"))
        present = sorted(form_state(body))
        first = present[0] if present else question_block("x")
        if origin is None:
            ack(response_action="errors", errors={first: form_expired(t)})
            return
        key = services.sealer.derive(KEY_PURPOSE)
        try:
            with services.unit_of_work() as session:
                person = services.acting_person(session, body)
                t = services.t_of(person, body)
                wave = session.get(PulseWave, to_int(origin.get("wave")))
                if wave is None or wave.team_id != team_of(body):
                    raise PulseError(waves.NOT_ASKED, code="not_asked")
                waves.answer(session, org, key, person, wave.id, read_values(body, waves.questions(wave)),
                             now=services.clock.now())
        except PulseError as err:
            if err.code in ("answered", "closed", "not_asked"):
                text = t(":white_check_mark: Your answer to this survey is already in. Thank you!") \
                    if err.message.id == ALREADY else t.message(err.message)
                ack(response_action="update", view=views.done_view(t, text))
                return
            block = question_block(err.field) if err.field else first
            ack(response_action="errors", errors={block if block in present else first: t.message(err.message)})
            return
        ack(response_action="update", view=views.done_view(t, views.thanks(t)))
