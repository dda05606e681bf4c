"""1:1s: manager–report pairs, their rhythm, agendas, notes and action items. No Slack here; only flush().

- Pairs (`pairs`): one per active manager–report relation (`Person.manager_id`), created with the
  organisation's default cadence in the manager's time zone; ended when the relation ends, keeping meetings,
  notes and action items with the old pair; re-activated when the same two people work together again. A pair
  is *live* while it is active, the report still reports to its manager and both people are active.
- Rhythm (`rhythm`): a meeting falls on the pair's `weekday` at `local_time` in `tz`, every
  `interval_weeks` weeks counted from `anchor_week`, with no working-day or quiet-hour shifting.
- Notes, talking points and action items (`notes`) are private to the pair (and HR admins when
  `privacy.hr_sees_one_on_one_notes`): every read asks the access policy (`may_see`, `visible_clause`).
- The agenda: this feature's sections (`agenda`) beside other features'; `models.agenda` builds it. The agenda
  DM (`prompts`), the no-meeting alert (`alerts`), the jobs (`jobs`), personal data (`personal_data`), the
  HR digest's 1:1 section and who used 1:1s in a week (`digest`: counts only, never notes)."""

from __future__ import annotations

from models.core.features import AlertKind, ChartHook, Feature
from models.one_on_ones import agenda as _agenda
from models.one_on_ones import digest as _digest
from models.one_on_ones import export as _export
from models.one_on_ones import jobs as _jobs
from models.one_on_ones import personal_data as _personal_data
from models.one_on_ones import prompts as _prompts
from models.one_on_ones.agenda import (
    action_items_section,
    talking_points_section,
)
from models.one_on_ones.alerts import (
    about_pair,
    alerts_no_meeting,
)
from models.one_on_ones.base import (
    ACTION_ITEM_MAX,
    ACTION_ITEMS_PER_MEETING,
    AGENDA_KIND,
    AGENDA_LOOKAHEAD,
    ALERT_KIND,
    EARLY_NOTES,
    INTERVALS,
    NO_ONE_ON_ONE,
    NOT_A_MEMBER,
    NOT_YOUR_ITEM,
    NOTES_KIND,
    NOTES_MAX,
    NUDGE_KIND,
    SCHEDULE_KIND,
    TALKING_POINT_MAX,
    OneOnOneError,
)
from models.one_on_ones.jobs import (
    alerts_job,
    sync_pairs_job,
)
from models.one_on_ones.notes import (
    ActionDraft,
    MeetingNotes,
    NotesResult,
    action_item_for,
    add_talking_point,
    clean_text,
    mark_done,
    may_see,
    may_see_action_items,
    may_see_notes,
    meeting_notes,
    notes_about,
    open_action_items,
    record_notes,
    refresh_homes,
    require_member,
    visible_clause,
)
from models.one_on_ones.pairs import (
    SyncReport,
    insert_new,
    is_live,
    is_member,
    live_pair,
    live_pairs_by_person,
    live_pairs_query,
    other_member,
    pair_of,
    pairs_for,
    sync_pairs,
)
from models.one_on_ones.prompts import (
    agenda_occurrences,
    agenda_prompts,
)
from models.one_on_ones.rhythm import (
    Slot,
    ensure_meeting,
    last_held,
    meeting_for_notes,
    meetings_between,
    next_meeting,
    pair_pattern,
    pair_time,
    parse_time,
    previous_meeting,
    set_cadence,
    since_for,
    slot_for,
)

FEATURE = Feature(
    name="one_on_ones",
    description="1:1s: pairs, agendas, notes and action items",
    slack="handlers.one_on_ones",
    prompts=_prompts.PROMPTS,
    jobs=_jobs.JOBS,
    agenda_sections=_agenda.SECTIONS,
    personal_data=_personal_data.PERSONAL_DATA,
    alerts=(AlertKind(ALERT_KIND, "a 1:1 pair with no 1:1 held in N weeks", about=about_pair),),
    on_chart_change=(ChartHook("1:1 pairs", sync_pairs),),  # a pair follows a new manager at once
    digest_sections=_digest.DIGEST_SECTIONS,
    activity=_digest.ACTIVITY,
    exports=_export.EXPORTS,
)

__all__ = [
    "ACTION_ITEMS_PER_MEETING",
    "ACTION_ITEM_MAX",
    "AGENDA_KIND",
    "AGENDA_LOOKAHEAD",
    "ALERT_KIND",
    "EARLY_NOTES",
    "FEATURE",
    "INTERVALS",
    "NOTES_KIND",
    "NOTES_MAX",
    "NOT_A_MEMBER",
    "NOT_YOUR_ITEM",
    "NO_ONE_ON_ONE",
    "NUDGE_KIND",
    "SCHEDULE_KIND",
    "TALKING_POINT_MAX",
    "ActionDraft",
    "MeetingNotes",
    "NotesResult",
    "OneOnOneError",
    "Slot",
    "SyncReport",
    "about_pair",
    "action_item_for",
    "action_items_section",
    "add_talking_point",
    "agenda_occurrences",
    "agenda_prompts",
    "alerts_job",
    "alerts_no_meeting",
    "clean_text",
    "ensure_meeting",
    "insert_new",
    "is_live",
    "is_member",
    "last_held",
    "live_pair",
    "live_pairs_by_person",
    "live_pairs_query",
    "mark_done",
    "may_see",
    "may_see_action_items",
    "may_see_notes",
    "meeting_for_notes",
    "meeting_notes",
    "meetings_between",
    "next_meeting",
    "notes_about",
    "open_action_items",
    "other_member",
    "pair_of",
    "pair_pattern",
    "pair_time",
    "pairs_for",
    "parse_time",
    "previous_meeting",
    "record_notes",
    "refresh_homes",
    "require_member",
    "set_cadence",
    "since_for",
    "slot_for",
    "sync_pairs",
    "sync_pairs_job",
    "talking_points_section",
    "visible_clause",
]
