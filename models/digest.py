"""The HR weekly digest: every feature's sections for one week, each figure banded against its own baseline.

Sections come from the features (`models.features.digest_sections()`: recognition, check-ins, 1:1s, goals,
feedback, pulse), then two that join them all: **adoption** (people who used Candor each week, from every
feature's `activity`, overall and by department) and **alerts** (the open alerts the features recorded: missed
check-ins, 1:1s not held, stalled and off-track goals).

Every figure with a value and enough history gets a colour from `models.core.stats.band` — amber or red only
outside the figure's own natural variation over the previous weeks (`HISTORY_WEEKS`), never against a target —
and none at all when fewer than `privacy.min_group_size` people stand behind it. The digest shows what an HR
admin may see and nothing else (each section keeps to the access policy; pulse figures come from its
disclosure rules).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.core import outbox, stats
from models.core.config import WEEKDAYS, OrgConfig
from models.core.digest import HISTORY_WEEKS, DigestSection, Figure, Week
from models.core.messages import _t, say
from models.core.prompts import in_rollout
from models.core.tables import Alert, DigestPost, Person
from models.core.timing import resolve_local
from models.core.zones import zone_of
from models.features import activities, alert_kinds, digest_sections


@dataclass(frozen=True)
class Digest:
    team_id: str
    week: Week
    sections: tuple[DigestSection, ...]

    def section(self, key: str) -> DigestSection | None:
        return next((s for s in self.sections if s.key == key), None)


def band_of(org: OrgConfig, figure: Figure) -> stats.Band | None:
    """The figure's colour against its own history (None: no value)."""
    if figure.value is None:
        return None
    history = list(figure.history)
    people = figure.people if figure.people is not None else org.privacy.min_group_size
    settings = stats.BandSettings(method=org.pulse.bands.method, min_points=org.pulse.bands.min_points,
                                  min_respondents=org.privacy.min_group_size,
                                  amber_sigma=org.pulse.bands.amber_sigma, ewma_lambda=org.pulse.bands.ewma_lambda,
                                  ewma_width=org.pulse.bands.ewma_width, higher_is_better=figure.higher_is_better)
    interval = None
    if figure.unit == "share" and figure.people:
        interval = stats.wilson(round(figure.value * figure.people), figure.people)
    return stats.band(history, figure.value, settings=settings, respondents=people, interval=interval)


def _banded(org: OrgConfig, section: DigestSection) -> DigestSection:
    return replace(section, figures=tuple(replace(f, band=band_of(org, f)) for f in section.figures))


def people_in_scope(session: Session, org: OrgConfig, team_id: str) -> list[Person]:
    people = session.scalars(select(Person).where(Person.team_id == team_id).order_by(Person.id))
    return [p for p in people if p.active and not p.is_bot and in_rollout(p, org)]


def adoption_section(session: Session, org: OrgConfig, team_id: str, week: Week) -> DigestSection:
    """Active people per week (anyone who used any feature), overall and by department."""
    people = people_in_scope(session, org, team_id)
    ids = {p.id for p in people}
    weeks = [week.back(n) for n in range(HISTORY_WEEKS, 0, -1)] + [week]
    active: list[set[int]] = []
    hooks = activities()
    for w in weeks:  # a bounded number of queries: (HISTORY_WEEKS + 1) × features, whatever the history
        found: set[int] = set()
        for hook in hooks:
            found |= hook.fn(session, team_id, w.start, w.end)
        active.append(found & ids)
    total = len(people)

    def share(found: set[int], members: set[int]) -> float | None:
        return len(found & members) / len(members) if members else None

    figures = [Figure("adoption", _t("People active this week"), share(active[-1], ids), "share",
                      tuple(x for x in (share(a, ids) for a in active[:-1]) if x is not None), total)]
    departments: dict[str, set[int]] = {}
    for p in people:
        departments.setdefault(p.department or "", set()).add(p.id)
    lines = []
    tail = []
    for name in sorted(departments):
        members = departments[name]
        value = share(active[-1], members)
        history = tuple(x for x in (share(a, members) for a in active[:-1]) if x is not None)
        label = name or "(no department)"
        figures.append(Figure(f"adoption:dept:{label}", label, value, "share", history, len(members)))
        tail.append((label, str(len(active[-1] & members)), str(len(members))))
    lowest = sorted((f for f in figures[1:] if f.value is not None and (f.people or 0) >= org.privacy.min_group_size),
                    key=lambda f: f.value or 0)[:3]
    for f in lowest:
        lines.append(say(_t("{department}: {active} of {people} people active"), department=str(f.label),
                         active=round((f.value or 0) * (f.people or 0)), people=f.people))
    return DigestSection("adoption", _t("Adoption"), tuple(figures), tuple(lines),
                         ("department", "active this week", "people"), tuple(tail),
                         empty=_t("Nobody is in the rollout yet."))


def alerts_section(session: Session, org: OrgConfig, team_id: str, week: Week) -> DigestSection:
    """Open alerts by kind (missed check-ins, 1:1s not held, stalled and off-track goals), and each one."""
    kinds = {k.kind: k for k in alert_kinds()}
    rows = list(session.scalars(select(Alert).where(Alert.team_id == team_id, Alert.resolved_at.is_(None),
                                                    Alert.created_at < week.end).order_by(Alert.kind, Alert.id)))
    counts: dict[str, int] = {}
    for a in rows:
        counts[a.kind] = counts.get(a.kind, 0) + 1
    figures = tuple(Figure(f"alerts:{kind}", kinds[kind].description if kind in kinds else kind, n,
                           higher_is_better=False) for kind, n in sorted(counts.items()))
    lines = tuple(say(_t("{count} open: {kind}"), count=n, kind=kinds[k].description if k in kinds else k)
                  for k, n in sorted(counts.items(), key=lambda kv: -kv[1]))
    tail = tuple((a.kind, kinds[a.kind].about(session, a) if a.kind in kinds else "-", a.period,
                  a.created_at.date().isoformat()) for a in rows)
    return DigestSection("alerts", _t("Alerts"), figures, lines, ("kind", "about", "period", "raised"), tail,
                         empty=_t("No open alerts."))


def build_digest(session: Session, org: OrgConfig, team_id: str, week: Week) -> Digest:
    """The digest of `week`: every feature's section, then adoption and alerts, every figure banded."""
    sections = [spec.fn(session, org, team_id, week) for spec in digest_sections()]
    sections += [adoption_section(session, org, team_id, week), alerts_section(session, org, team_id, week)]
    return Digest(team_id, week, tuple(_banded(org, s) for s in sections))


# -- posting ------------------------------------------------------------------------------------------------

SUMMARY, SECTION, CHART, CSV = "digest.summary", "digest.section", "digest.chart", "digest.csv"
SHOWN_LINES = 10  # a section's lines in Slack; a longer tail goes in a CSV in the thread


def row_key(team_id: str, week: str, part: str, revision: int) -> str:
    """The outbox dedupe key of one message of a week's digest (`part`: "summary", "section:<key>", "chart",
    "csv:<key>"): the first post is revision 0, each re-run's update the next."""
    return f"digest:{team_id}:{week}:{part}:r{revision}"


def section_keys() -> list[str]:
    return [s.key for s in digest_sections()] + ["adoption", "alerts"]


def build_section(session: Session, org: OrgConfig, team_id: str, week: Week, key: str) -> DigestSection | None:
    """One section of the digest, banded (for a thread reply, without building the others)."""
    if key == "adoption":
        return _banded(org, adoption_section(session, org, team_id, week))
    if key == "alerts":
        return _banded(org, alerts_section(session, org, team_id, week))
    spec = next((s for s in digest_sections() if s.key == key), None)
    return _banded(org, spec.fn(session, org, team_id, week)) if spec is not None else None


class DigestError(Exception):
    """The digest cannot be posted (a plain sentence for the operator)."""


def queue_digest(session: Session, org: OrgConfig, team_id: str, week: Week, *, now: datetime) -> str:
    """Queue the week's digest for the HR channel: the first time a summary, a thread reply per section, the
    chart and a CSV for each long tail; each time after, updates of the summary and the section replies
    (no second post). Messages are built when they are sent. Only flushes."""
    channel = org.hr.digest_channel
    if not channel:
        raise DigestError("no HR channel is configured (hr.digest_channel): the digest has nowhere to go")
    post = session.scalars(select(DigestPost).where(DigestPost.team_id == team_id,
                                                    DigestPost.week == week.label)).one_or_none()
    payload = {"week": week.label, "zone": week.zone}
    if post is None:
        keys = section_keys()
        post = DigestPost(team_id=team_id, week=week.label, channel_id=channel, revision=0, sections=keys,
                          created_at=now, updated_at=now)
        session.add(post)
        session.flush()
        parts: list[tuple[str, str, dict[str, str]]] = [("summary", SUMMARY, {})]
        parts += [(f"section:{k}", SECTION, {"section": k}) for k in keys]
        parts += [("chart", CHART, {})]
        for k in keys:
            section = build_section(session, org, team_id, week, k)
            if section is not None and len(section.tail) > SHOWN_LINES:
                parts.append((f"csv:{k}", CSV, {"section": k}))
        for i, (part, kind, extra) in enumerate(parts):
            # In order: each reply waits for the message before it (`after`), so the thread reads top-down
            # whatever the channel's rate limit does to the timing.
            after = {"after": parts[i - 1][0]} if i > 1 else {}
            outbox.enqueue(session, team_id=team_id, kind=kind, channel_id=post.channel_id,
                           key=row_key(team_id, week.label, part, 0),
                           payload={**payload, **extra, **after, "revision": 0},
                           not_before=now + timedelta(milliseconds=i))
        return f"digest of {week.label} queued for {post.channel_id}: a summary, {len(keys)} sections, a chart"
    post.revision += 1
    post.updated_at = now
    updates: list[tuple[str, str, dict[str, str]]] = [("summary", SUMMARY, {})]
    updates += [(f"section:{k}", SECTION, {"section": k}) for k in post.sections]
    for i, (part, kind, extra) in enumerate(updates):
        outbox.enqueue(session, team_id=team_id, kind=kind, channel_id=post.channel_id,
                       key=row_key(team_id, week.label, part, post.revision),
                       payload={**payload, **extra, "revision": post.revision},
                       not_before=now + timedelta(milliseconds=i))
    session.flush()
    return f"digest of {week.label} queued again as update {post.revision}: its messages are edited, not reposted"


def posting_moment(org: OrgConfig, now: datetime) -> datetime:
    """This week's posting moment: `hr.digest_weekday` at `hr.digest_time` in `hr.timezone`."""
    this = Week.of(now, org.hr.timezone)
    day = this.monday + timedelta(days=WEEKDAYS.index(org.hr.digest_weekday))
    return resolve_local(day, org.hr.digest_time, zone_of(org.hr.timezone, "UTC")).astimezone(UTC)


def queue_due_digest(session: Session, org: OrgConfig, team_id: str, *, now: datetime) -> str:
    """The scheduled run: the last complete week's digest, once its posting moment has come."""
    if not org.hr.digest_channel:
        return "no hr.digest_channel: no digest"
    if now < posting_moment(org, now):
        return "not yet this week's posting time"
    week = current_week(org, now)
    exists = session.scalar(select(DigestPost.id).where(DigestPost.team_id == team_id, DigestPost.week == week.label))
    if exists is not None:
        return f"the digest of {week.label} is already posted"
    return queue_digest(session, org, team_id, week, now=now)


def current_week(org: OrgConfig, now: datetime) -> Week:
    """The last complete week in HR's time zone: the digest posted on a Monday covers the week before."""
    return Week.of(now, org.hr.timezone).back(1)
