"""The recognition part of the HR weekly digest, and who gave kudos in a week (for the adoption figures).

Figures: kudos given in the week and people recognised, each with the previous `HISTORY_WEEKS` weeks as its
baseline. Lines: the week's top company values, the departments that gave and received the most, and how many
people fly under the radar: counted people who joined at least `hr.unrecognised_weeks` weeks ago and received
no kudos in that many weeks (the digest's week included). The tail lists them with their department.

Who counts: active, non-bot people of the workspace within the pilot rollout (`in_rollout`), and each number
counts the people it is about: a kudos is given when its giver counts, a person is recognised when they count
(whoever recognised them). Kudos are public (`RecordKind.KUDOS`), yet the section shows counts and names only,
never a message.

Cost: four statements whatever the history: the people, the kudos of the nine weeks (the week and its
baseline) with their recipients, the week's values, and who received kudos in the unrecognised window.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.core.config import OrgConfig
from models.core.digest import HISTORY_WEEKS, Activity, DigestSection, DigestSpec, Figure, Week
from models.core.messages import Message, Phrase, _t, say
from models.core.prompts import in_rollout
from models.core.tables import Person, active_person
from models.core.zones import zone_of
from models.kudos.tables import Kudos, KudosRecipient, KudosValue

TOP_VALUES = 3  # company values shown, the most used first
TOP_DEPARTMENTS = 3  # departments shown on the giving and receiving lines
NO_DEPARTMENT = "(no department)"  # in the tail (English, like a CSV)
TAIL_HEADER = ("Person", "Department")


def counted_people(session: Session, org: OrgConfig, team_id: str) -> dict[int, Person]:
    """Active, non-bot people of the workspace within the pilot rollout, by id (one statement)."""
    people = session.scalars(select(Person).where(Person.team_id == team_id, *active_person(Person)))
    return {p.id: p for p in people if in_rollout(p, org)}


def joined_at(person: Person, zone: str) -> datetime:
    """When the person joined: their start date (midnight in HR's time zone) if known, else when Candor first
    saw them."""
    if person.start_date is not None:
        return datetime.combine(person.start_date, time(0), tzinfo=zone_of(zone, "UTC"))
    return person.created_at


def _department_counts(counts: Counter[str | None]) -> list[str | Message]:
    """`Sales (4), Engineering (2)`: the biggest first, then by name; no department says so."""
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0] is None, (kv[0] or "").casefold()))[:TOP_DEPARTMENTS]
    parts: list[str | Message] = []
    for i, (department, count) in enumerate(top):
        parts += [", "] if i else []
        parts += [department if department else say(_t("no department")), f" ({count})"]
    return parts


def _by_department(people: Iterable[Person]) -> list[Person]:
    return sorted(people, key=lambda p: (p.department is None, (p.department or "").casefold(),
                                         p.label.casefold(), p.id))


def recognition_section(session: Session, org: OrgConfig, team_id: str, week: Week) -> DigestSection:
    """Kudos given and people recognised in `week` (with their baseline), the top values, the departments giving
    and receiving most, and the people no one recognised in `hr.unrecognised_weeks` weeks."""
    people = counted_people(session, org, team_id)
    first = week.back(HISTORY_WEEKS)
    rows = session.execute(
        select(Kudos.id, Kudos.giver_id, Kudos.created_at, KudosRecipient.person_id)
        .outerjoin(KudosRecipient, KudosRecipient.kudos_id == Kudos.id)
        .where(Kudos.team_id == team_id, Kudos.created_at >= first.start, Kudos.created_at < week.end)
    ).all()

    given: list[set[int]] = [set() for _ in range(HISTORY_WEEKS + 1)]  # kudos ids, per week, oldest first
    recognised: list[set[int]] = [set() for _ in range(HISTORY_WEEKS + 1)]  # person ids
    givers: dict[int, int] = {}  # this week's kudos given by a counted person: kudos id -> giver id
    received: Counter[str | None] = Counter()  # this week, by the recipient's department
    for kudos_id, giver_id, created_at, recipient_id in rows:
        index = (Week.of(created_at, week.zone).monday - first.monday).days // 7
        if not 0 <= index <= HISTORY_WEEKS:
            continue
        if giver_id in people:
            given[index].add(kudos_id)
            if index == HISTORY_WEEKS:
                givers[kudos_id] = giver_id
        if recipient_id in people:
            recognised[index].add(recipient_id)
            if index == HISTORY_WEEKS:
                received[people[recipient_id].department] += 1

    values: Counter[str] = Counter()
    if givers:
        for kudos_id, value in session.execute(
            select(KudosValue.kudos_id, KudosValue.value).join(Kudos, Kudos.id == KudosValue.kudos_id)
            .where(Kudos.team_id == team_id, Kudos.created_at >= week.start, Kudos.created_at < week.end)
        ):
            if kudos_id in givers:
                values[value] += 1
    giving: Counter[str | None] = Counter(people[g].department for g in givers.values())

    weeks = org.hr.unrecognised_weeks
    window = week.back(weeks - 1).start
    got_any = set(session.scalars(
        select(KudosRecipient.person_id).join(Kudos, Kudos.id == KudosRecipient.kudos_id)
        .where(Kudos.team_id == team_id, Kudos.created_at >= window, Kudos.created_at < week.end).distinct()))
    unrecognised = _by_department(p for p in people.values()
                                  if p.id not in got_any and joined_at(p, week.zone) <= window)

    figures = (
        Figure("kudos:given", _t("Kudos given"), float(len(given[-1])), "count",
               tuple(float(len(k)) for k in given[:-1]), people=len(people)),
        Figure("kudos:recognised", _t("People recognised"), float(len(recognised[-1])), "count",
               tuple(float(len(r)) for r in recognised[:-1]), people=len(people)),
    )
    lines: list[Message | str] = []
    for value, count in sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_VALUES]:
        configured = org.value(value)
        emoji = configured.emoji + " " if configured is not None else ""
        lines.append(Phrase(emoji, say(_t("#{value}: {count} kudos"), value=value, count=count)))
    if giving:
        lines.append(Phrase(say(_t("Given most by")), ": ", *_department_counts(giving)))
    if received:
        lines.append(Phrase(say(_t("Received most by")), ": ", *_department_counts(received)))
    if unrecognised:
        lines.append(say(_t("Under the radar: {count} people received no kudos in the last {weeks} weeks"),
                         count=len(unrecognised), weeks=weeks))
    return DigestSection(
        key="recognition",
        title=_t("Recognition"),
        figures=figures,
        lines=tuple(lines),
        tail_header=TAIL_HEADER,
        tail=tuple((p.label, p.department or NO_DEPARTMENT) for p in unrecognised),
        empty=_t("No kudos this week, and everyone was recognised lately."),
    )


def kudos_givers(session: Session, team_id: str, start: datetime, end: datetime) -> set[int]:
    """Active people who gave kudos in [start, end)."""
    return set(session.scalars(
        select(Kudos.giver_id).join(Person, Person.id == Kudos.giver_id)
        .where(Kudos.team_id == team_id, Kudos.created_at >= start, Kudos.created_at < end, *active_person(Person))
        .distinct()))


DIGEST_SECTIONS = (DigestSpec("recognition", 10, recognition_section,
                              "Kudos given, people recognised, top values, departments, who flies under the radar"),)
ACTIVITY = (Activity("kudos", kudos_givers),)
