"""HR admin tools in Slack (App Home section, HR admins only): set a manager, export, erase.

Every submission re-checks the role server-side (the access policy), validates inline, and is audited
by the domain functions it calls.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    HeaderBlock,
    InputBlock,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    UserSelectElement,
)
from slack_sdk.models.views import View
from sqlalchemy.orm import Session

from bot.blocks import context, mention, section
from bot.delivery import RenderContext, Rendered, Skip
from bot.i18n import Translator
from bot.services import team_of, user_of
from handlers.people.export import ACTION as PERFORMANCE_EXPORT
from models import access, features
from models.core import outbox, submissions
from models.core.audit import record, slack_actor
from models.core.config import OrgConfig
from models.core.tables import Person
from models.people import ensure_people, person_by_slack_id
from models.people.org import OrgError, set_manager
from models.privacy import EXPORT_ACTION, PrivacyError, erase_person, export_person

if TYPE_CHECKING:
    from slack_bolt import Ack, App

    from bot.services import Services

ERASE_WORD = "ERASE"
ONE_ON_ONE_PRIVATE = frozenset({"one_on_one_meetings", "talking_points", "action_items"})


class AdminIds(StrEnum):
    SET_MANAGER = "admin_set_manager"
    EXPORT = "admin_export"
    ERASE = "admin_erase"
    MANAGER_MODAL = "admin_manager_modal"
    EXPORT_MODAL = "admin_export_modal"
    ERASE_MODAL = "admin_erase_modal"
    PERSON_BLOCK = "person"
    PERSON_ACTION = "person_select"
    MANAGER_BLOCK = "manager"
    MANAGER_ACTION = "manager_select"
    NONE_BLOCK = "no_manager"
    NONE_ACTION = "no_manager_check"
    CONFIRM_BLOCK = "confirm"
    CONFIRM_ACTION = "confirm_input"


class _Repeat(Exception):
    """A second submit of a form that the first submit handled: answer as it was answered, do nothing."""


class _Refused(Exception):
    """The form was refused, with its inline `errors` filled in: roll back, answer with the errors."""


def _form(admin: Person, body: dict[str, Any], kind: str) -> submissions.Form:
    return submissions.Form(admin.team_id, admin.slack_user_id, str(body["view"]["id"]), kind)


def hr_admin_ids(org: OrgConfig) -> frozenset[str]:
    return frozenset(org.hr.admins)


def is_hr_admin(person: Person, org: OrgConfig) -> bool:
    return person.active and (person.is_hr_admin or person.slack_user_id in org.hr.admins)


# -- views ---------------------------------------------------------------------------------------------


def admin_section(t: Translator) -> list[Block]:
    return [
        HeaderBlock(text=PlainTextObject(text=t("HR admin"))),
        context(t("Only HR admins see this. Every action here is recorded in the audit log.")),
        ActionsBlock(elements=[
            ButtonElement(action_id=AdminIds.SET_MANAGER, text=PlainTextObject(text=t("Set a manager"))),
            ButtonElement(action_id=AdminIds.EXPORT, text=PlainTextObject(text=t("Export someone's data"))),
            ButtonElement(action_id=AdminIds.ERASE, text=PlainTextObject(text=t("Erase someone's data")),
                          style="danger"),
            ButtonElement(action_id=PERFORMANCE_EXPORT,
                          text=PlainTextObject(text=t("Export performance data (last quarter)"))),
        ]),
    ]


def _person_input(t: Translator, label: str) -> InputBlock:
    return InputBlock(block_id=AdminIds.PERSON_BLOCK, label=PlainTextObject(text=label),
                      element=UserSelectElement(action_id=AdminIds.PERSON_ACTION))


def manager_modal(t: Translator) -> View:
    return View(type="modal", callback_id=AdminIds.MANAGER_MODAL, title=PlainTextObject(text=t("Set a manager")),
                submit=PlainTextObject(text=t("Save")), close=PlainTextObject(text=t("Cancel")), blocks=[
                    _person_input(t, t("Person")),
                    InputBlock(block_id=AdminIds.MANAGER_BLOCK, label=PlainTextObject(text=t("Their manager")),
                               optional=True, element=UserSelectElement(action_id=AdminIds.MANAGER_ACTION)),
                    InputBlock(block_id=AdminIds.NONE_BLOCK, label=PlainTextObject(text=t("Or")), optional=True,
                               element=CheckboxesElement(action_id=AdminIds.NONE_ACTION, options=[Option(
                                   value="none", text=PlainTextObject(text=t("No manager (top of the chart)")))])),
                ])


def export_modal(t: Translator) -> View:
    return View(type="modal", callback_id=AdminIds.EXPORT_MODAL, title=PlainTextObject(text=t("Export data")),
                submit=PlainTextObject(text=t("Export")), close=PlainTextObject(text=t("Cancel")), blocks=[
                    section(t("Everything Candor holds about one person, as a JSON file sent to you by DM.")),
                    _person_input(t, t("Person")),
                ])


def erase_modal(t: Translator) -> View:
    return View(type="modal", callback_id=AdminIds.ERASE_MODAL, title=PlainTextObject(text=t("Erase data")),
                submit=PlainTextObject(text=t("Erase")), close=PlainTextObject(text=t("Cancel")), blocks=[
                    section(t(":warning: This removes or anonymises everything that names this person, for good. "
                              "Aggregates stay. It cannot be undone.")),
                    _person_input(t, t("Person")),
                    InputBlock(block_id=AdminIds.CONFIRM_BLOCK, label=PlainTextObject(
                        text=t("Type {word} to confirm", word=ERASE_WORD)),
                        element=PlainTextInputElement(action_id=AdminIds.CONFIRM_ACTION, max_length=20)),
                ])


def done(t: Translator, title: str, text: str) -> View:
    return View(type="modal", title=PlainTextObject(text=title[:24]), close=PlainTextObject(text=t("Close")),
                blocks=[section(text)])


# -- home, renderer --------------------------------------------------------------------------------------


def admin_home(session: Session, person: Person, t: Translator, org: OrgConfig) -> list[Block]:
    return admin_section(t) if is_hr_admin(person, org) else []


def render_export(ctx: RenderContext) -> Rendered:
    if ctx.recipient is None or not is_hr_admin(ctx.recipient, ctx.org):
        raise Skip("the requester is no longer an HR admin")
    subject = str(ctx.row.payload["subject"])
    # 1:1 notes and action items are private to the pair; HR gets them only where the organisation says so.
    exclude = frozenset() if ctx.org.privacy.hr_sees_one_on_one_notes else ONE_ON_ONE_PRIVATE
    try:  # the request was audited when it was made; re-rendering (a retry) must not log it again
        data = export_person(ctx.session, ctx.row.team_id, subject, exclude=exclude, audited=False)
    except PrivacyError as exc:
        raise Skip(str(exc)) from None
    content = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    return Rendered(
        text=ctx.t("Here is the data export for {person} you asked for.", person=mention(subject)),
        file=(f"candor-export-{subject}.json", content, ctx.t("Candor data export")),
    )


# -- listeners -------------------------------------------------------------------------------------------


def _selected(body: dict[str, Any], block: str, action: str) -> Any:
    return body["view"].get("state", {}).get("values", {}).get(block, {}).get(action, {})


def register(app: App, services: Services) -> None:
    org = services.org

    def acting_admin(session: Session, body: dict[str, Any]) -> tuple[Person | None, Translator]:
        person = services.acting_person(session, body)
        t = services.t_for(session, team_of(body), user_of(body), body)
        return (person if is_hr_admin(person, org) else None), t

    def open_modal(action_id: str, build: Any) -> None:
        @app.action(action_id)
        def _open(ack: Ack, body: dict[str, Any]) -> None:
            with services.db.unit_of_work() as session:
                admin, t = acting_admin(session, body)
            view = build(t) if admin is not None else done(t, t("HR admin"), t("Only HR admins can do this."))
            services.request_client().views_open(trigger_id=body["trigger_id"], view=view)
            ack()

    open_modal(AdminIds.SET_MANAGER.value, manager_modal)
    open_modal(AdminIds.EXPORT.value, export_modal)
    open_modal(AdminIds.ERASE.value, erase_modal)

    @app.view(AdminIds.MANAGER_MODAL.value)
    def manager_submitted(ack: Ack, body: dict[str, Any]) -> None:
        person_id = _selected(body, AdminIds.PERSON_BLOCK, AdminIds.PERSON_ACTION).get("selected_user")
        manager_id = _selected(body, AdminIds.MANAGER_BLOCK, AdminIds.MANAGER_ACTION).get("selected_user")
        no_manager = bool(_selected(body, AdminIds.NONE_BLOCK, AdminIds.NONE_ACTION).get("selected_options"))
        errors: dict[str, str] = {}
        ids = [i for i in (person_id, manager_id) if i]
        directory = services.lookup_people(team_of(body), ids)  # before the transaction, as far as time allows
        try:
            with services.unit_of_work() as session:
                admin, t = acting_admin(session, body)
                if admin is None:
                    errors[AdminIds.PERSON_BLOCK] = t("Only HR admins can do this.")
                    raise _Refused
                if manager_id and no_manager:
                    errors[AdminIds.NONE_BLOCK] = t("Choose a manager or 'No manager', not both.")
                elif not manager_id and not no_manager:
                    errors[AdminIds.MANAGER_BLOCK] = t("Choose their manager, or tick 'No manager'.")
                if errors:
                    raise _Refused
                if _form(admin, body, "admin.manager").claim(session) is not None:
                    raise _Repeat
                people = ensure_people(session, admin.team_id, ids, directory)
                person = people.get(person_id) if person_id else None
                if person is None:
                    errors[AdminIds.PERSON_BLOCK] = t("Slack doesn't know this person.")
                    raise _Refused
                manager = people.get(manager_id) if manager_id else None
                try:
                    set_manager(session, admin.team_id, person, manager, actor=slack_actor(admin.slack_user_id))
                except OrgError as exc:
                    errors[AdminIds.MANAGER_BLOCK] = t.message(exc.message)
                    raise _Refused from None
                features.chart_changed(session, admin.team_id, org)  # e.g. the 1:1 pair follows the new manager
                text = (t(":white_check_mark: {person} now reports to {manager}.", person=mention(person.slack_user_id),
                          manager=mention(manager.slack_user_id)) if manager else
                        t(":white_check_mark: {person} now has no manager.", person=mention(person.slack_user_id)))
        except _Repeat:
            ack(response_action="update", view=done(t, t("Set a manager"), t(":white_check_mark: Saved.")))
            return
        except _Refused:
            ack(response_action="errors", errors=errors)
            return
        ack(response_action="update", view=done(t, t("Set a manager"), text))

    @app.view(AdminIds.EXPORT_MODAL.value)
    def export_submitted(ack: Ack, body: dict[str, Any]) -> None:
        person_id = _selected(body, AdminIds.PERSON_BLOCK, AdminIds.PERSON_ACTION).get("selected_user")
        errors: dict[str, str] = {}
        with services.unit_of_work() as session:
            admin, t = acting_admin(session, body)
            subject = person_by_slack_id(session, admin.team_id, str(person_id or "")) if admin else None
            # The view is claimed only once the form is valid: this unit of work commits whatever it answers,
            # and a form refused inline stays open (same view id) for the corrected submit.
            if admin is None:
                errors[AdminIds.PERSON_BLOCK] = t("Only HR admins can do this.")
            elif subject is None:
                errors[AdminIds.PERSON_BLOCK] = t("Candor holds no data about this person.")
            elif not access.can_see(session, access.Viewer.slack(admin, hr_admin_ids=hr_admin_ids(org)),
                                    access.RecordKind.PERSONAL_EXPORT, owner=subject):
                errors[AdminIds.PERSON_BLOCK] = t("You may not export this person's data.")
            elif _form(admin, body, "admin.export").claim(session) is not None:
                done_text = t(":inbox_tray: The export is on its way to your DMs.")  # asked once, by the first submit
            else:
                # Audited when asked, in the same transaction as the outbox row that will deliver it.
                record(session, actor=slack_actor(admin.slack_user_id), action=EXPORT_ACTION, team_id=admin.team_id,
                       subject=subject.slack_user_id, details={"delivery": "slack file to the requester"})
                outbox.enqueue(session, team_id=admin.team_id, kind="privacy.export",
                               key=outbox.dedupe_key("privacy.export", admin.team_id, admin.slack_user_id,
                                                     f"{subject.slack_user_id}-{body['view']['id']}"),
                               recipient=admin, payload={"subject": subject.slack_user_id})
                done_text = t(":inbox_tray: The export for {person} is on its way to your DMs.",
                              person=mention(subject.slack_user_id))
        if errors:
            ack(response_action="errors", errors=errors)
            return
        ack(response_action="update", view=done(t, t("Export data"), done_text))

    @app.view(AdminIds.ERASE_MODAL.value)
    def erase_submitted(ack: Ack, body: dict[str, Any]) -> None:
        person_id = str(_selected(body, AdminIds.PERSON_BLOCK, AdminIds.PERSON_ACTION).get("selected_user") or "")
        confirm = str(_selected(body, AdminIds.CONFIRM_BLOCK, AdminIds.CONFIRM_ACTION).get("value") or "")
        errors: dict[str, str] = {}
        try:
            with services.unit_of_work() as session:
                admin, t = acting_admin(session, body)
                if admin is None:
                    errors[AdminIds.PERSON_BLOCK] = t("Only HR admins can do this.")
                    raise _Refused
                if confirm.strip() != ERASE_WORD:
                    errors[AdminIds.CONFIRM_BLOCK] = t("Type {word} to confirm.", word=ERASE_WORD)
                    raise _Refused
                if person_id == admin.slack_user_id:
                    errors[AdminIds.PERSON_BLOCK] = t("Ask another HR admin to erase your own data.")
                    raise _Refused
                if _form(admin, body, "admin.erase").claim(session) is not None:
                    raise _Repeat
                try:
                    erase_person(session, admin.team_id, person_id, actor=slack_actor(admin.slack_user_id))
                except PrivacyError as exc:
                    errors[AdminIds.PERSON_BLOCK] = t.message(exc.message)
                    raise _Refused from None
        except _Repeat:
            pass  # a second submit of the same form: the first one erased
        except _Refused:
            ack(response_action="errors", errors=errors)
            return
        ack(response_action="update", view=done(t, t("Erase data"), t(
            ":white_check_mark: Erased. Messages already posted in Slack are not removed by this.")))
