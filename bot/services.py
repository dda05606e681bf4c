"""What every listener and job is handed (`Services`), and reading who and where a request comes from.

The features' listeners (`handlers/`) import this module, never the app that wires them (`bot.app`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import budget as budgets
from bot.db import Database
from bot.i18n import Translator, translator
from bot.sealed import Sealer
from bot.settings import Settings
from bot.slack import GatedWebClient, SlackDirectory
from bot.text import USER_MENTION
from models.core.clock import SYSTEM, Clock
from models.core.config import OrgConfig
from models.core.ports import Directory, DirectoryUnavailable, KnownDirectory, SlackUser
from models.core.tables import Person
from models.people import ensure_people, person_by_slack_id

log = logging.getLogger(__name__)

# A request looks people up in Slack only while this much of its budget is left for the rest of its work.
LOOKUP_RESERVE = 1.2
LOOKUP_TIMEOUT = 1.0  # seconds per users.info call on the request path
LOOKUPS_MAX = 50
# How long a call on the request path waits for the answer to another call to the same method (one call per
# method is in flight at a time, see `bot.slack.RetryAfterGate`); an optional lookup waits less.
REQUEST_QUEUE_WAIT = 0.5
LOOKUP_QUEUE_WAIT = 0.25
# The request path remembers who is in the store, and their Slack locale, for this long (seconds), so that a
# request does not read the store twice for what rarely changes. A new locale shows within this time.
KNOWN_TTL = 300.0
KNOWN_MAX = 50_000
ABSENT_TTL = 2.0


class KnownPeople:
    """What the request path read about people a moment ago, by workspace and Slack id: present in the store
    with this Slack locale (remembered for `KNOWN_TTL` seconds of the clock), or absent (for `ABSENT_TTL`: a
    request that just looked need not look again before it writes). Thread-safe and bounded. Only a cache: a
    miss reads the store, and nothing that decides access or what is written depends on it (the unit of work
    reads the people it writes for)."""

    def __init__(self, clock: Clock, ttl: float = KNOWN_TTL, size: int = KNOWN_MAX) -> None:
        self._clock, self._ttl, self._size = clock, ttl, size
        self._entries: dict[tuple[str, str], tuple[float, bool, str | None]] = {}
        self._lock = threading.Lock()

    def get(self, team_id: str, user_id: str) -> tuple[bool | None, str | None]:
        """(present, locale): True with their locale, False when the store had no row, None when not known."""
        with self._lock:
            entry = self._entries.get((team_id, user_id))
        if entry is None or entry[0] < self._clock.monotonic():
            return None, None
        return entry[1], entry[2]

    def put(self, team_id: str, user_id: str, locale: str | None, *, present: bool = True) -> None:
        with self._lock:
            if len(self._entries) >= self._size:
                self._entries.clear()  # rare (a very large workspace): start over rather than track ages
            ttl = self._ttl if present else ABSENT_TTL
            self._entries[(team_id, user_id)] = (self._clock.monotonic() + ttl, present, locale)


@dataclass
class Services:
    """What listeners and jobs need: settings, the organisation's configuration, the store, the Slack client,
    the clock. Built once per process (`bot.runtime.Runtime`); no global state."""

    settings: Settings
    org: OrgConfig
    db: Database
    client: GatedWebClient
    sealer: Sealer
    clock: Clock = SYSTEM
    kick_outbox: Callable[[], None] = field(default=lambda: None)
    directory_page_interval: float = 3.0  # users.list is Tier 2: seconds between pages
    directory_page_size: int = 200  # members per users.list page
    known: KnownPeople = field(init=False)

    def __post_init__(self) -> None:
        self.known = KnownPeople(self.clock)

    @property
    def directory(self) -> SlackDirectory:
        """Slack's directory for jobs (they may wait out rate limits)."""
        return SlackDirectory(self.client, page_size=self.directory_page_size,
                              page_interval=self.directory_page_interval)

    def request_client(self) -> GatedWebClient:
        """The client for a call on the request path: no SDK retries, and a timeout of what the request's
        budget has left (Slack's 3 s are shared by everything before the answer)."""
        budget = budgets.current()
        timeout = max(0.2, budget.left()) if budget is not None else 10.0
        queue_wait = min(REQUEST_QUEUE_WAIT, budget.left()) if budget is not None else None
        return self.client.with_options(timeout=timeout, retries=False, queue_wait=queue_wait)

    def has_time_for(self, seconds: float) -> bool:
        """Whether the request may spend `seconds` more and still have time for its database work (always,
        outside a request). The database's share of the budget ends before the request's: a lookup that
        times out must not leave the unit of work after it without time."""
        budget = budgets.current()
        return budget is None or min(budget.left(), budget.database_left()) > seconds

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """One unit of work; wakes the outbox sender after a commit (it may have enqueued rows)."""
        with self.db.unit_of_work() as session:
            yield session
        self.kick_outbox()

    def lookup_people(self, team_id: str, user_ids: list[str], names: dict[str, str] | None = None) -> Directory:
        """What Slack says about the ids Candor has never seen, asked before the unit of work that needs
        them (no Slack call inside a transaction).

        A request never fails because this optional lookup is slow, rate limited or down: Slack is asked
        only while the request has time, never inside a Retry-After window (the gate), at most `LOOKUPS_MAX`
        ids, and the first failure stops the asking. Every id not answered is recorded from what the payload
        carried (`names`: id → name) and completed later by the directory sync.
        """
        names = names or {}
        known = {uid for uid in user_ids if self.known.get(team_id, uid)[0]}
        unread = set(user_ids) - known
        if unread:
            with self.db.reading() as session:
                for uid, locale in session.execute(select(Person.slack_user_id, Person.locale).where(
                        Person.team_id == team_id, Person.slack_user_id.in_(unread))):
                    known.add(uid)
                    self.known.put(team_id, uid, locale)
            for uid in unread - known:
                self.known.put(team_id, uid, None, present=False)
        found: dict[str, SlackUser | None] = {}
        healthy = True
        for uid in [u for u in dict.fromkeys(user_ids) if u not in known][:LOOKUPS_MAX]:
            if healthy and self.has_time_for(LOOKUP_RESERVE):
                live = SlackDirectory(self.request_client().with_options(timeout=LOOKUP_TIMEOUT,
                                                                         queue_wait=LOOKUP_QUEUE_WAIT))
                try:
                    found[uid] = live.user(uid)
                    continue
                except DirectoryUnavailable as exc:
                    healthy = False
                    log.info("users.info unavailable on the request path (%s); recording %d people from the "
                             "payload", exc, len(user_ids))
            found[uid] = SlackUser.partial(uid, names.get(uid, ""))
        return KnownDirectory(found)

    def recorded(self, team_id: str, user_ids: list[str], directory: Directory) -> None:
        """These people are in the store now (a unit of work that recorded them committed): the next request
        need not look. Their locale is what `lookup_people` just heard from Slack, if it asked."""
        for uid in user_ids:
            if self.known.get(team_id, uid)[0] is not True:
                user = directory.user(uid)
                self.known.put(team_id, uid, user.locale if user is not None and user.complete else None)

    def acting_person(self, session: Session, body: dict[str, Any]) -> Person:
        """The person who sent this request. On first contact they are recorded from the payload (never by
        asking Slack inside the transaction); the directory sync completes them."""
        uid = user_of(body)
        person = ensure_people(session, team_of(body), [uid],
                               KnownDirectory({uid: SlackUser.partial(uid, name_of(body))}))[uid]
        if person is None:
            raise RuntimeError("the acting user's data was erased")
        return person

    def translator_for(self, body: dict[str, Any]) -> Translator:
        """The translator for the person sending this request, reading the store only when the locale is not
        remembered (`known`)."""
        team_id, user_id = team_of(body), user_of(body)
        present, locale = self.known.get(team_id, user_id)
        if present is False or (present and locale is not None):  # no row a moment ago: no stored locale
            return translator(locale or body.get("locale") or (body.get("user") or {}).get("locale"),
                              self.settings.default_locale)
        with self.db.reading() as session:
            return self.t_for(session, team_id, user_id, body)

    def t_of(self, person: Person, body: dict[str, Any]) -> Translator:
        """The translator for a person already loaded (their stored Slack locale, else the request's)."""
        locale = person.locale or body.get("locale") or (body.get("user") or {}).get("locale")
        return translator(locale, self.settings.default_locale)

    def t_for(self, session: Session, team_id: str | None, user_id: str | None, body: dict[str, Any]) -> Translator:
        """The translator for the person acting: their stored Slack locale, else the request's."""
        locale = None
        if team_id and user_id:
            present, locale = self.known.get(team_id, user_id)
            if not present or locale is None:  # a person recorded from a payload may have a locale by now
                person = person_by_slack_id(session, team_id, user_id)
                locale = person.locale if person else None
                if person is not None:
                    self.known.put(team_id, user_id, locale)
        locale = locale or body.get("locale") or (body.get("user") or {}).get("locale")
        return translator(locale, self.settings.default_locale)


def team_of(body: dict[str, Any]) -> str:
    """The workspace a request belongs to, whatever its shape."""
    team = body.get("team_id") or (body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id")
    if not team:
        view = body.get("view") or {}
        team = view.get("team_id")
    return str(team or "")


def user_of(body: dict[str, Any]) -> str:
    return str(body.get("user_id") or (body.get("user") or {}).get("id") or "")


def name_of(body: dict[str, Any]) -> str:
    """The acting user's handle as the payload carries it (commands: user_name; interactions: user.username)."""
    user = body.get("user") or {}
    return str(body.get("user_name") or user.get("username") or user.get("name") or "")[:200]


def mention_names(text: str) -> dict[str, str]:
    """Names Slack put in escaped mentions (`<@U123|ana>`), by user id."""
    return {m.group(1): m.group(2) for m in USER_MENTION.finditer(text) if m.group(2)}
