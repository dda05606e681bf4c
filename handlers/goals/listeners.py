"""`/goal` and its modals: create a goal, pick one to update and record progress, see someone's goals and a goal's
alignment; the App Home's and the nudge DMs' buttons (New goal, Update, Alignment).

Listener order: parse the payload → domain work in one unit of work (a `GoalError` rolls it back and becomes an
inline error or a short answer) → Slack calls that must not fail the request → `ack()` last. Ids in buttons and
options come back from the client: every goal is looked up again with the access policy (`load_goal`) and
`may_update` is asked again at submit; a modal's own state is sealed (`services.sealer`); every submission claims
its view once (`models.core.submissions.Form`) and the domain is idempotent on the view id too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from slack_sdk.models.views import View
from sqlalchemy.orm import Session

from bot.blocks import form_expired, form_state, mention
from bot.i18n import Translator
from bot.services import user_of
from bot.text import escape, plain
from handlers.goals import views
from handlers.goals.home import card_of, cards_of, own_goals, preload_owners
from handlers.goals.ids import GoalIds
from handlers.goals.payloads import (
    CreateSubmission,
    GoalCommand,
    KeyResultFormatError,
    PickSubmission,
    UpdateSubmission,
    parse_key_result,
    parse_number,
    sealed_state,
    to_int,
)
from handlers.goals.views import KeyResultInput, ListPart, ParentChoice, PeriodChoice
from models.core import submissions
from models.core.messages import _t
from models.core.outbox import request_home_refresh
from models.core.tables import Person
from models.core.zones import zone_of
from models.goals import (
    Goal,
    GoalDraft,
    GoalError,
    KeyResultDraft,
    UpdateDraft,
    ancestors,
    can_see_goal,
    create_goal,
    goals_of,
    history,
    load_goal,
    local_today,
    may_create_level,
    may_update,
    next_period,
    parent_choices,
    period_containing,
    rollup,
    shared_goals,
    state_of,
    update_goal,
    viewer_of,
    visible_children,
)
from models.goals.links import kudos_for_goal
from models.people import ensure_people, person_by_slack_id

if TYPE_CHECKING:
    from slack_bolt import Ack, App

    from bot.services import Services

T = TypeVar("T")

NOT_ALLOWED = _t("Only the goal's owner, their managers and HR admins can update it.")
CLOSED = _t("{title} is closed and can no longer be updated.")
NOT_A_NUMBER = _t("Enter a number, such as 12 or 4.5.")
NO_OWNER = _t("Candor can't set goals for this person. Choose someone else.")
PERIODS_OFFERED = 3  # the current period and the next two


class Invalid(Exception):
    """Inputs that are not what the form asks for (errors by block id); nothing was written."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("invalid form")
        self.errors = errors


ROLLUP_MAX = 500  # children a roll-up counts (the view lists the first views.ALIGN_CHILDREN)


def register(app: App, services: Services) -> None:
    org = services.org

    def attempt(fn: Callable[[Session], T]) -> tuple[T | None, GoalError | None]:
        """Run `fn` in one unit of work; a `GoalError` rolls it back and is returned."""
        try:
            with services.unit_of_work() as session:
                return fn(session), None
        except GoalError as err:
            return None, err

    def open_view(body: dict[str, Any], view: View) -> None:
        services.request_client().views_open(trigger_id=body["trigger_id"], view=view)

    def seal(callback_id: str, body: dict[str, Any], data: dict[str, Any]) -> str:
        return services.sealer.seal(callback_id, user_of(body), data)

    def refresh_homes(session: Session, *people: Person, cause: str) -> None:
        for person in {p.id: p for p in people}.values():
            request_home_refresh(session, person, cause=cause)

    # -- building the modals ----------------------------------------------------------------------------

    def create_view(session: Session, person: Person, t: Translator, body: dict[str, Any], title: str = "") -> View:
        today = local_today(org, person, services.clock.now())
        levels = [lv for lv in ("person", "department", "organisation")
                  if lv == "person" or may_create_level(session, person, lv, org)]
        periods = [period_containing(org.goals, today)]
        while len(periods) < PERIODS_OFFERED:
            periods.append(next_period(org.goals, periods[-1]))
        choices = parent_choices(session, org, person, limit=views.PARENT_OPTIONS)
        preload_owners(session, choices)
        parents = [ParentChoice(goal_id=g.id, level=g.level, department=g.department, owner_label=g.owner.label,
                                title=g.title) for g in choices]
        meta = seal(GoalIds.CREATE_MODAL, body, {"periods": [p.key for p in periods]})
        return views.create_modal(
            t, levels=levels, choose_owner="department" in levels, author_id=person.slack_user_id,
            department=person.department,
            periods=[PeriodChoice(p.key, p.starts_on, p.ends_on, current=i == 0) for i, p in enumerate(periods)],
            parents=parents, default_visibility=org.goals.default_visibility,
            max_key_results=org.goals.max_key_results, private_metadata=meta, title=title)

    def updatable(session: Session, person: Person, goal_id: int | None) -> Goal:
        """The goal, if this person may see and update it and it is still open; else `GoalError`."""
        goal = load_goal(session, org, person, goal_id or 0)
        if not may_update(session, person, goal, org):
            raise GoalError(NOT_ALLOWED, code="not_allowed")
        if not goal.active:
            raise GoalError(CLOSED, code="closed", title=goal.title)
        return goal

    def update_view(session: Session, person: Person, goal: Goal, t: Translator, body: dict[str, Any]) -> View:
        now = services.clock.now()
        state = state_of(goal, local_today(org, person, now))
        krs = [KeyResultInput(kr_id=kr.id, title=kr.title, kind=kr.kind, start=kr.start_value,
                              target=kr.target_value, unit=kr.unit, current=kr.current_value)
               for kr in goal.key_results]
        meta = seal(GoalIds.UPDATE_MODAL, body, {"goal": goal.id, "krs": [kr.id for kr in goal.key_results]})
        return views.update_modal(t, card_of(session, org, person, goal, t, now), key_results=krs,
                                  progress=state.progress, status=goal.status, suggested=state.suggested,
                                  private_metadata=meta)

    def open_update(session: Session, body: dict[str, Any], goal_id: int | None, t: Translator) -> View:
        """The update modal for the goal a button or a pick names, once the acting person is checked for it."""
        person = services.acting_person(session, body)
        return update_view(session, person, updatable(session, person, goal_id), t, body)

    def pick_or_update_view(session: Session, person: Person, t: Translator,
                            body: dict[str, Any]) -> View | None:
        """The update modal of the person's one active goal, a pick modal when they have several, None for none."""
        mine = [g for g in own_goals(session, org, person) if g.active]
        if not mine:
            return None
        if len(mine) == 1:
            return update_view(session, person, mine[0], t, body)
        cards = cards_of(session, org, person, mine[:views.PICK_OPTIONS], t, services.clock.now())
        return views.pick_modal(t, cards, private_metadata=seal(GoalIds.PICK_MODAL, body, {}))

    # -- /goal replies ----------------------------------------------------------------------------------

    def list_reply(session: Session, person: Person, t: Translator) -> tuple[str, list[dict[str, Any]]]:
        now = services.clock.now()
        mine = own_goals(session, org, person)
        shared = [g for g in shared_goals(session, org, person) if g.owner_id != person.id]
        parts = [
            ListPart(title=t("*Your goals*"), cards=cards_of(session, org, person, mine[:views.LIST_OWN], t, now),
                     total=len(mine), empty=t("You have no active goals yet: `/goal new` sets one."), level=True),
            ListPart(title=t("*The organisation's and departments' goals*"),
                     cards=cards_of(session, org, person, shared[:views.LIST_SHARED], t, now), total=len(shared),
                     empty=t("None set yet."), owner=True, level=True),
        ]
        return views.list_message(t, parts, foot=t("`/goal update` records progress; `/goal help` shows what else "
                                                   "`/goal` does."))

    def someone_reply(session: Session, person: Person, slack_id: str,
                      t: Translator) -> tuple[str, list[dict[str, Any]]]:
        about = person_by_slack_id(session, person.team_id, slack_id)
        theirs: list[Goal] = []
        if about is not None:
            theirs = goals_of(session, org, person, [about]) + [
                g for g in shared_goals(session, org, person) if g.owner_id == about.id]
        who = mention(slack_id)
        part = ListPart(title=t("*Goals of {person}*", person=who),
                        cards=cards_of(session, org, person, theirs[:views.LIST_OTHER], t, services.clock.now()),
                        total=len(theirs), empty=t("{person} has no active goals you can see.", person=who),
                        level=True)
        return views.list_message(t, [part])

    # -- /goal ------------------------------------------------------------------------------------------

    @app.command(GoalIds.COMMAND.value)
    def goal_command(ack: Ack, body: dict[str, Any]) -> None:
        cmd = GoalCommand.model_validate(body)
        word, rest = cmd.parts()
        sub = word.lower()
        t = services.translator_for(body)
        if not org.goals.enabled:
            ack(text=views.goals_off(t))
            return
        if sub == "help":
            text, blocks = views.help_message(t)
            ack(text=text, blocks=blocks)
            return
        mentioned = cmd.mentioned()
        if sub not in ("", "new", "update", "list") and mentioned is None:
            text, blocks = views.help_message(t, unknown=plain(word))
            ack(text=text, blocks=blocks)
            return
        modal: View | None = None
        reply = ""
        reply_blocks: list[dict[str, Any]] | None = None

        def run(session: Session) -> None:
            nonlocal modal, reply, reply_blocks
            person = services.acting_person(session, body)
            if sub in ("", "new"):
                modal = create_view(session, person, t, body, title=plain(rest) if sub == "new" else "")
            elif sub == "update":
                modal = pick_or_update_view(session, person, t, body)
                if modal is None:
                    reply = views.no_goals_to_update(t)
            elif sub == "list":
                reply, reply_blocks = list_reply(session, person, t)
            elif mentioned is not None:
                reply, reply_blocks = someone_reply(session, person, mentioned, t)

        _, err = attempt(run)
        if err is not None:
            ack(text=escape(t.message(err.message)))
        elif modal is not None:
            open_view(body, modal)
            ack()
        elif reply_blocks:
            ack(text=reply, blocks=reply_blocks)
        else:
            ack(text=reply)

    # -- buttons ----------------------------------------------------------------------------------------

    @app.action(GoalIds.NEW_BUTTON.value)
    def new_button(ack: Ack, body: dict[str, Any]) -> None:
        t = services.translator_for(body)
        if not org.goals.enabled:
            view = views.done_view(t, t("New goal"), views.goals_off(t))
        else:
            with services.unit_of_work() as session:
                view = create_view(session, services.acting_person(session, body), t, body)
        open_view(body, view)
        ack()

    @app.action(GoalIds.UPDATE_BUTTON.value)
    def update_button(ack: Ack, body: dict[str, Any]) -> None:
        """From the App Home, a /goal reply or a nudge DM: the value names the goal; it is checked, not trusted."""
        t = services.translator_for(body)
        goal_id = to_int((body.get("actions") or [{}])[0].get("value"))
        if not org.goals.enabled:
            view: View | None = views.done_view(t, t("Update goal"), views.goals_off(t))
        else:
            view, err = attempt(lambda session: open_update(session, body, goal_id, t))
            if err is not None:
                view = views.done_view(t, t("Update goal"), escape(t.message(err.message)))
        assert view is not None
        open_view(body, view)
        ack()

    @app.action(GoalIds.ALIGNMENT_BUTTON.value)
    def alignment_button(ack: Ack, body: dict[str, Any]) -> None:
        t = services.translator_for(body)
        goal_id = to_int((body.get("actions") or [{}])[0].get("value"))

        def run(session: Session) -> View:
            person = services.acting_person(session, body)
            goal = load_goal(session, org, person, goal_id or 0)
            who = viewer_of(person, org)
            now = services.clock.now()
            chain = [card_of(session, org, person, a, t, now)
                     if a.team_id == person.team_id and can_see_goal(session, who, a) else None
                     for a in reversed(ancestors(session, goal.id))]
            # The policy filters in SQL; the roll-up counts up to ROLLUP_MAX of them.
            kids, total_kids = visible_children(session, org, person, goal, limit=ROLLUP_MAX)
            zone = zone_of(person.tz, org.schedule.default_timezone)
            entries = [views.HistoryLine(day=u.created_at.astimezone(zone).date(),
                                         author_id=(u.author.slack_user_id
                                                    if u.author and u.author.erased_at is None else None),
                                         source=u.source, status=u.status, progress=u.progress, comment=u.comment)
                       for u in history(session, goal, limit=views.HISTORY_LINES + 1)]
            praised = [views.KudosLine(day=k.created_at.astimezone(zone).date(), giver_id=k.giver.slack_user_id,
                                       recipient_ids=[r.person.slack_user_id for r in k.recipients],
                                       message=k.message)
                       for k in kudos_for_goal(session, goal.id, limit=views.KUDOS_LINES)]
            return views.alignment_modal(t, chain, card_of(session, org, person, goal, t, now),
                                         cards_of(session, org, person, kids[:views.ALIGN_CHILDREN], t, now),
                                         total_kids, rollup(kids), history=entries, kudos=praised)

        if not org.goals.enabled:
            view: View | None = views.done_view(t, t("Alignment"), views.goals_off(t))
        else:
            view, err = attempt(run)
            if err is not None:
                view = views.done_view(t, t("Alignment"), escape(t.message(err.message)))
        assert view is not None
        open_view(body, view)
        ack()

    # -- the create modal -------------------------------------------------------------------------------

    @app.view(GoalIds.CREATE_MODAL.value)
    def create_submitted(ack: Ack, body: dict[str, Any]) -> None:
        t = services.translator_for(body)
        meta = sealed_state(body, services.sealer)
        if meta is None:
            ack(response_action="errors", errors={GoalIds.TITLE_BLOCK.value: form_expired(t)})
            return
        if not org.goals.enabled:
            ack(response_action="errors", errors={GoalIds.TITLE_BLOCK.value: views.goals_off(t)})
            return
        sub = CreateSubmission.from_body(body, meta)
        errors: dict[str, str] = {}
        drafts: list[KeyResultDraft] = []
        rows: list[int] = []  # the modal row of each key result, for the domain's errors ("kr_<i>")
        for line in sub.key_results:
            try:
                kr = parse_key_result(line.text)
            except KeyResultFormatError:
                errors[f"{GoalIds.KR_BLOCK}{line.row}"] = views.kr_format_error(t)
                continue
            if kr is not None:
                drafts.append(kr)
                rows.append(line.row)
        if sub.period is not None and sub.period not in sub.periods:
            errors[GoalIds.PERIOD_BLOCK.value] = t("Choose one of the periods offered.")
        if errors:
            ack(response_action="errors", errors=errors)
            return
        owner_id = sub.owner_id or sub.user_id
        # Someone Candor has not met yet is asked about before the unit of work, never inside it.
        directory = services.lookup_people(sub.team_id, [owner_id]) if owner_id != sub.user_id else None

        def run(session: Session) -> tuple[views.GoalCard, int, bool]:
            form = submissions.Form(sub.team_id, sub.user_id, sub.view_id, "goal.create")
            earlier = form.claim(session)
            person = services.acting_person(session, body)
            now = services.clock.now()
            if earlier is not None:  # a double submit: the first one's goal
                goal = load_goal(session, org, person, to_int(earlier.get("goal")) or 0)
                return (card_of(session, org, person, goal, t, now), int(earlier.get("active") or 0),
                        bool(earlier.get("over")))
            owner = person
            if directory is not None:
                found = ensure_people(session, sub.team_id, [owner_id], directory)[owner_id]
                if found is None:
                    raise GoalError(NO_OWNER, code="owner_erased", field="owner")
                owner = found
            draft = GoalDraft(
                team_id=sub.team_id, owner=owner, title=sub.title, source_key=f"view:{sub.view_id}", level=sub.level,
                department=sub.department if sub.level == "department" else None, description=sub.description,
                period=sub.period, parent_id=sub.parent_id, visibility=sub.visibility, key_results=tuple(drafts))
            result = create_goal(session, org, person, draft, now=now)
            refresh_homes(session, person, result.goal.owner, cause=f"goal-created-{sub.view_id}")
            form.finish(session, {"goal": result.goal.id, "active": result.active_goals,
                                  "over": result.over_soft_limit})
            return card_of(session, org, person, result.goal, t, now), result.active_goals, result.over_soft_limit

        found, err = attempt(run)
        if err is not None:
            block = views.create_error_block(err.field, rows, set(form_state(body)))
            ack(response_action="errors", errors={block: t.message(err.message)[:2000]})
            return
        assert found is not None
        if directory is not None:
            services.recorded(sub.team_id, [owner_id], directory)
        card, active, over = found
        ack(response_action="update", view=views.created_view(t, card, active_goals=active, over_soft_limit=over,
                                                              for_someone_else=card.owner_id != sub.user_id))

    # -- the pick and update modals ---------------------------------------------------------------------

    @app.view(GoalIds.PICK_MODAL.value)
    def pick_submitted(ack: Ack, body: dict[str, Any]) -> None:
        t = services.translator_for(body)
        if sealed_state(body, services.sealer) is None:
            ack(response_action="errors", errors={GoalIds.PICK_BLOCK.value: form_expired(t)})
            return
        if not org.goals.enabled:
            ack(response_action="errors", errors={GoalIds.PICK_BLOCK.value: views.goals_off(t)})
            return
        sub = PickSubmission.from_body(body)
        if sub.goal_id is None:
            ack(response_action="errors", errors={GoalIds.PICK_BLOCK.value: t("Choose a goal.")})
            return
        view, err = attempt(lambda session: open_update(session, body, sub.goal_id, t))
        if err is not None:
            ack(response_action="errors", errors={GoalIds.PICK_BLOCK.value: t.message(err.message)[:2000]})
            return
        ack(response_action="update", view=view)

    @app.view(GoalIds.UPDATE_MODAL.value)
    def update_submitted(ack: Ack, body: dict[str, Any]) -> None:
        t = services.translator_for(body)
        present = list(form_state(body))
        first = next((b for b in present if b.startswith(GoalIds.KR_VALUE_BLOCK.value)),
                     GoalIds.PROGRESS_BLOCK.value if GoalIds.PROGRESS_BLOCK.value in present
                     else GoalIds.COMMENT_BLOCK.value)
        meta = sealed_state(body, services.sealer)
        if meta is None:
            ack(response_action="errors", errors={first: form_expired(t)})
            return
        if not org.goals.enabled:
            ack(response_action="errors", errors={first: views.goals_off(t)})
            return
        sub = UpdateSubmission.from_body(body, meta)

        def run(session: Session) -> views.GoalCard:
            form = submissions.Form(sub.team_id, sub.user_id, sub.view_id, "goal.update")
            earlier = form.claim(session)
            person = services.acting_person(session, body)
            now = services.clock.now()
            if earlier is not None:  # a double submit: what the first one recorded
                return card_of(session, org, person, load_goal(session, org, person, sub.goal_id), t, now)
            goal = load_goal(session, org, person, sub.goal_id)
            units = {kr.id: kr.unit for kr in goal.key_results}
            problems: dict[str, str] = {}
            values: dict[int, float] = {}
            for kr_id, text in sub.values.items():
                value = parse_number(text, units.get(kr_id, ""))
                if value is None:
                    problems[f"{GoalIds.KR_VALUE_BLOCK}{kr_id}"] = t(NOT_A_NUMBER)
                else:
                    values[kr_id] = value
            progress = None
            if sub.progress is not None and not goal.key_results:
                value = parse_number(sub.progress)
                if value is None:
                    problems[GoalIds.PROGRESS_BLOCK.value] = t(NOT_A_NUMBER)
                else:
                    progress = value / 100
            if problems:
                raise Invalid(problems)
            goal, _ = update_goal(session, org, person, UpdateDraft(
                goal_id=goal.id, source_key=f"view:{sub.view_id}", values=values, progress=progress,
                status=sub.status, comment=sub.comment), now=now)
            refresh_homes(session, person, goal.owner, cause=f"goal-updated-{sub.view_id}")
            form.finish(session, {"goal": goal.id})
            return card_of(session, org, person, goal, t, now)

        try:
            card, err = attempt(run)
        except Invalid as invalid:
            ack(response_action="errors", errors=invalid.errors)
            return
        if err is not None:
            block = views.update_error_block(err.field, present, first)
            ack(response_action="errors", errors={block: t.message(err.message)[:2000]})
            return
        assert card is not None
        ack(response_action="update", view=views.updated_view(t, card))
