"""Pulse results: what a closed wave may show, per group, and nothing else.

The groups are the whole audience, each department and each manager's team (`models.pulse.cells.groups`). Which
of them are shown is decided by `models.pulse.disclosure.disclose` on respondent counts per cell: a group below
the minimum is absent, and no pair of shown numbers, nor a parent and its shown children, nor this period
against the last when the group's membership changed, reveals one (docs/pulse-anonymity.md). For each shown
group and question: how many answered, the mean, the distribution, the favourable share (agreement questions,
4–5 on the 1–5 scale) with its Wilson interval, eNPS with its margin of error, the choices' counts, and free
text in an order unrelated to who wrote it. The headline (favourable share, or eNPS) has a trend over the last
periods and a band from the group's own baseline (`models.core.stats.band`, docs/pulse-bands.md) — both only
where the group's membership allowed comparing periods.

Everything is computed from the store, deterministically: the CLI, the managers' DMs and the HR digest show the
same figures.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models.core import stats
from models.core.config import OrgConfig
from models.core.tables import Person
from models.pulse.cells import Group, groups
from models.pulse.disclosure import Candidate, disclose
from models.pulse.tables import PulseMember, PulseResponse, PulseWave
from models.pulse.waves import Question, is_open, manager_map, questions, waves_of

FAVOURABLE_FROM = 4  # "agree" and "strongly agree" on the 1–5 scale


@dataclass(frozen=True)
class QuestionResult:
    question: Question
    answered: int
    mean: float | None = None
    distribution: tuple[int, ...] = ()  # agree: 1..5; eNPS: 0..10; choice: in the order of its choices
    favourable: stats.Proportion | None = None
    enps: stats.ENPS | None = None
    texts: tuple[str, ...] = ()
    trend: tuple[float, ...] = ()  # the headline over the last periods, oldest first, this one last
    band: stats.Band | None = None
    shown: bool = True  # False: too few answered this question (in this group, or to survive subtraction)

    @property
    def headline(self) -> float | None:
        if self.favourable is not None:
            return self.favourable.share
        if self.enps is not None:
            return self.enps.score
        return None


@dataclass(frozen=True)
class GroupResult:
    key: str  # "all", "dept:<name>", "team:<manager id>", "other:<parent>"
    kind: str  # "all", "department", "team", "other"
    name: str  # a department's name, a manager's name; "" for the whole audience and "other"
    parent: str | None
    respondents: int
    invited: int
    response_rate: stats.Proportion
    questions: tuple[QuestionResult, ...]
    trend_allowed: bool
    manager_id: int | None = None


@dataclass(frozen=True)
class WaveResults:
    wave: PulseWave
    closed: bool
    groups: tuple[GroupResult, ...]  # shown groups only: the whole audience first

    def group(self, key: str) -> GroupResult | None:
        return next((g for g in self.groups if g.key == key), None)


@dataclass(frozen=True)
class _Shown:
    group: Group | None
    key: str
    parent: str | None
    cells: frozenset[str]
    respondents: int
    trend_allowed: bool


def _members(session: Session, wave: PulseWave) -> dict[int, str]:
    rows = session.execute(select(PulseMember.person_id, PulseMember.cell).where(PulseMember.wave_id == wave.id))
    return {pid: cell for pid, cell in rows}


def _responses(session: Session, wave: PulseWave) -> list[PulseResponse]:
    return list(session.scalars(select(PulseResponse).where(PulseResponse.wave_id == wave.id)
                                .options(selectinload(PulseResponse.answers)).order_by(PulseResponse.id)))


def _previous(session: Session, wave: PulseWave) -> PulseWave | None:
    earlier = waves_of(session, wave.team_id, wave.survey_id, before=datetime.combine(
        wave.opens_on, datetime.min.time()), limit=1)
    return earlier[0] if earlier else None


def _disclosed(session: Session, wave: PulseWave, manager_of: dict[int, int | None],
               responses: Sequence[PulseResponse]) -> tuple[dict[str, Group], list[_Shown], list[Candidate]]:
    cells_of = _members(session, wave)
    found = {g.key: g for g in groups(cells_of, manager_of)}
    previous = _previous(session, wave)
    before = {g.key: g.members for g in groups(_members(session, previous), manager_of)} if previous else None
    counts: dict[str, int] = {}
    for r in responses:
        counts[r.cell] = counts.get(r.cell, 0) + 1
    candidates = [Candidate(key=g.key, label=g.key, parent=g.parent, cells=g.cells, members=g.members,
                            previous_members=(before.get(g.key, frozenset()) if before is not None else None))
                  for g in found.values()]
    result = disclose(candidates, counts, wave.min_respondents)
    shown = [_Shown(found.get(s.key), s.key, s.parent, s.cells, s.respondents, s.trend_allowed)
             for s in result.shown]
    return found, shown, candidates


def _mix(wave: PulseWave, text: str) -> str:
    return hashlib.sha256(f"{wave.id}\x00{wave.period}\x00{text}".encode()).hexdigest()


def _question(wave: PulseWave, q: Question, answers: Sequence[tuple[int | None, str | None, str | None]]
              ) -> QuestionResult:
    if q.type in ("agree", "enps"):
        values = [v for v, _, _ in answers if v is not None]
        low, high = (1, 5) if q.type == "agree" else (0, 10)
        return QuestionResult(
            q, len(values), stats.mean(values), stats.distribution(values, low, high),
            favourable=stats.favourable(values, threshold=FAVOURABLE_FROM) if q.type == "agree" else None,
            enps=stats.enps(values) if q.type == "enps" else None)
    if q.type == "choice":
        picked = [c for _, c, _ in answers if c is not None]
        return QuestionResult(q, len(picked), distribution=tuple(picked.count(c) for c in q.choices))
    texts = sorted((t for _, _, t in answers if t), key=lambda t: _mix(wave, t))
    return QuestionResult(q, len(texts), texts=tuple(texts))


def _figures(session: Session, wave: PulseWave, manager_of: dict[int, int | None]
             ) -> tuple[dict[str, Group], list[_Shown], dict[str, dict[str, QuestionResult]]]:
    """The wave's shown groups and their question results (no trend, no band)."""
    responses = _responses(session, wave)
    found, shown, _ = _disclosed(session, wave, manager_of, responses)
    by_cell: dict[str, list[PulseResponse]] = {}
    for r in responses:
        by_cell.setdefault(r.cell, []).append(r)
    # An optional question may have fewer answers than its group has respondents: each question's figures are
    # disclosed again on its own answer counts, over exactly the cell sets shown (an "Other" bucket included,
    # by its cells, not its key), and shown only for the groups that pass.
    shown_candidates = [Candidate(key=f"q:{s.key}", label=s.key, parent=f"q:{s.parent}" if s.parent else None,
                                  cells=s.cells) for s in shown]
    per_question: dict[str, set[str]] = {}
    for q in questions(wave):
        counts: dict[str, int] = {}
        for r in responses:
            if any(a.question_id == q.id for a in r.answers):
                counts[r.cell] = counts.get(r.cell, 0) + 1
        passed = disclose(shown_candidates, counts, wave.min_respondents).shown
        per_question[q.id] = {x.key[2:] for x in passed if x.key.startswith("q:")}
    out: dict[str, dict[str, QuestionResult]] = {}
    for s in shown:
        rows = [r for c in sorted(s.cells) for r in by_cell.get(c, [])]
        per_q: dict[str, QuestionResult] = {}
        for q in questions(wave):
            if s.key not in per_question[q.id]:
                per_q[q.id] = QuestionResult(q, 0, shown=False)
                continue
            answers = [(a.value, a.choice, a.text) for r in rows for a in r.answers if a.question_id == q.id]
            per_q[q.id] = _question(wave, q, answers)
        out[s.key] = per_q
    return found, shown, out


def wave_results(session: Session, org: OrgConfig, wave: PulseWave, now: datetime) -> WaveResults:
    """What the wave may show (nothing while it is open)."""
    if is_open(wave, now):
        return WaveResults(wave, False, ())
    manager_of = manager_map(session, wave.team_id)
    found, shown, figures = _figures(session, wave, manager_of)
    cell_sizes: dict[str, int] = {}
    for cell in _members(session, wave).values():
        cell_sizes[cell] = cell_sizes.get(cell, 0) + 1
    # History, newest first, while each step back kept the group's membership comparable.
    history: list[tuple[dict[str, bool], dict[str, dict[str, QuestionResult]]]] = []
    allowed_now = {s.key: s.trend_allowed for s in shown}
    current = wave
    for _ in range(max(org.pulse.trend_periods, org.pulse.bands.min_points) + 1):
        previous = _previous(session, current)
        if previous is None or is_open(previous, now):
            break
        _, prev_shown, prev_figures = _figures(session, previous, manager_of)
        history.append(({s.key: s.trend_allowed for s in prev_shown}, prev_figures))
        current = previous
    names = {p.id: p.label for p in session.scalars(select(Person).where(
        Person.id.in_([g.manager_id for g in found.values() if g.manager_id is not None])))}
    settings = org.pulse.bands
    out: list[GroupResult] = []
    for s in shown:
        group = s.group
        qs: list[QuestionResult] = []
        for q in questions(wave):
            result = figures[s.key][q.id]
            series: list[float] = []
            allowed = allowed_now.get(s.key, False)
            for prev_allowed, prev_figures in history:
                if not allowed or s.key not in prev_figures:
                    break
                earlier = prev_figures[s.key].get(q.id)
                if earlier is None or earlier.question.type != q.type:  # a question added or changed since
                    break
                value = earlier.headline
                if value is None:
                    break
                series.append(value)
                allowed = prev_allowed.get(s.key, False)
            series.reverse()
            headline = result.headline
            if headline is not None:
                interval = (result.favourable.interval if result.favourable is not None
                            else result.enps.interval if result.enps is not None else None)
                band = stats.band(series, headline, settings=stats.BandSettings(
                    method=settings.method, min_points=settings.min_points, min_respondents=wave.min_respondents,
                    amber_sigma=settings.amber_sigma, ewma_lambda=settings.ewma_lambda,
                    ewma_width=settings.ewma_width), respondents=result.answered, interval=interval)
                trend_points = (*series[-(org.pulse.trend_periods - 1):], headline) if series else ()
                result = replace(result, trend=tuple(trend_points), band=band)
            qs.append(result)
        n_invited = sum(cell_sizes.get(c, 0) for c in s.cells)
        out.append(GroupResult(
            key=s.key, kind=group.kind if group is not None else "other",
            name=(group.department or "") if group is not None and group.kind == "department" else (
                names.get(group.manager_id, "") if group is not None and group.manager_id is not None else ""),
            parent=s.parent, respondents=s.respondents, invited=n_invited,
            response_rate=stats.response_rate(s.respondents, n_invited), questions=tuple(qs),
            trend_allowed=s.trend_allowed, manager_id=group.manager_id if group is not None else None))
    return WaveResults(wave, True, tuple(out))


def latest_closed(session: Session, team_id: str, survey_id: str, now: datetime) -> PulseWave | None:
    for wave in waves_of(session, team_id, survey_id, limit=5):
        if not is_open(wave, now):
            return wave
    return None
