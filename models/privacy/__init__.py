"""Personal data: what Candor holds about one person, how to export it and how to erase it.

A registry (`registry`) says, table by table, how rows link to a person and which columns may hold their words
or names (`models.core.personal_data.PersonalData`). The core tables' entries are in `core_tables`; each
feature declares its tables' entries in its `Feature` (`models/<feature>/personal_data.py`), taken from the one
list of features (`models.features`), so `export_person` / `erase_person` (`engine`) cover a new feature
without changes here. Erasure refuses to run while a table of `Base.metadata` is not registered, or one of
its columns referencing `people.id` is not declared, so a forgotten table cannot keep what an erasure should
remove.

Erasure, in one transaction (the caller's unit of work; a failure anywhere rolls all of it back):

- the `people` row stays, so counts and foreign keys stay consistent, but it no longer names anybody:
  name fields, email, time zone, locale, DM channel, title, department and start date are blanked,
  `slack_user_id` becomes a random `ERASED-<hex>` placeholder, `erased_at` and `is_deleted` are set, the
  HR flag and pause are cleared, the person's manager link and their reports' links to them are cleared;
- kudos they GAVE stay (recipients keep their recognition, values and counts), the message they wrote is
  replaced by `REMOVED_TEXT`; kudos they RECEIVED stay for the giver, still linked to the anonymised row;
- outbox messages addressed to them: undelivered ones are skipped, every payload is emptied;
- inbound Slack events: those the person is the subject of (their own actions, their profile changes) are
  deleted; elsewhere their identifiers are redacted;
- check-ins: their answers emptied (rows, periods, moods stay for participation counts), replies to them and
  by them replaced; HR alerts about them or their 1:1 pairs deleted; 1:1 tables: as `models/one_on_ones.py`
  registers them (what they wrote replaced, their names redacted elsewhere);
- in every registered text column of the workspace (other people's kudos messages, payloads, errors),
  the person's Slack id is replaced by the placeholder and their email and names by `REDACTED`, as whole
  words, case-insensitively. Over-redaction (someone else with the same display name) is preferred to a
  leak; nicknames or first names alone cannot be recognised and are not;
- the audit log is never changed: it records `privacy.erase` with the original Slack id as subject and
  is the one place that still names the person.

Erasing the same Slack id twice raises `AlreadyErased`; an id Candor never knew raises `UnknownPerson`.
"""

from __future__ import annotations

from models.people import was_erased
from models.privacy.engine import (
    ERASED_PREFIX,
    EXPORT_ACTION,
    SCHEMA_VERSION,
    AlreadyErased,
    PrivacyError,
    UnknownPerson,
    erase_person,
    export_person,
)
from models.privacy.registry import register_personal_data, registered, registry_problems, unregister_personal_data

__all__ = [
    "ERASED_PREFIX",
    "EXPORT_ACTION",
    "SCHEMA_VERSION",
    "AlreadyErased",
    "PrivacyError",
    "UnknownPerson",
    "erase_person",
    "export_person",
    "register_personal_data",
    "registered",
    "registry_problems",
    "unregister_personal_data",
    "was_erased",
]
