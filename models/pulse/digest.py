"""The pulse section of the HR weekly digest: the latest closed wave of each survey, as its results show it.

For each configured survey, the newest wave that had closed by the end of the week (and by now). Its figures are
exactly what `models.pulse.results.wave_results` discloses, and nothing is recomputed here: a group below the
minimum of respondents is absent there, so it is absent here; a question not `shown` there is left out; the
trend (the history of a figure) and the band come from the results, which compute them only where the group's
membership allowed comparing periods.

- Figures: for the whole audience ("all"), each agreement question's favourable share (unit "share") and each
  eNPS question's score (unit "points"), with `history` = its trend without its last point (this wave), and
  `people` = the group's respondents.
- Lines: each shown group with its respondent count, and its questions whose band is amber or red.
- Tail: every shown group × question figure.

Who answered a pulse is never activity: answering is anonymous (the feature declares no `Activity`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from models.core.clock import clock_of
from models.core.config import OrgConfig
from models.core.digest import DigestSection, DigestSpec, Figure, Week
from models.core.messages import Message, Phrase, _t, say
from models.pulse.results import GroupResult, QuestionResult, WaveResults, wave_results
from models.pulse.tables import PulseWave
from models.pulse.waves import is_open, waves_of

KEY = "pulse"
TITLE = _t("Pulse surveys")
_LOOK_BACK = 5  # waves of a survey read, newest first, to find the latest closed one (few are open at once)


def _percent(share: float) -> str:
    return f"{round(share * 100)}%"


def _points(score: float) -> str:
    return f"{score:+.0f}"


def latest_closed_by(session: Session, team_id: str, survey_id: str, moment: datetime) -> PulseWave | None:
    """The survey's newest wave that had closed by `moment`. Like `results.latest_closed`, but for any moment:
    the waves that opened after it do not push the one sought out of the few read."""
    for wave in waves_of(session, team_id, survey_id, before=moment, limit=_LOOK_BACK):
        if not is_open(wave, moment):
            return wave
    return None


def _group_label(group: GroupResult) -> Message:
    if group.kind == "all":
        return say(_t("Everyone asked"))
    if group.kind == "department":
        return say(_t("Department {name}"), name=group.name)
    if group.kind == "team":
        return say(_t("{name}'s team"), name=group.name or "?")
    return say(_t("Other teams together"))


def _headline(q: QuestionResult) -> tuple[float, str] | None:
    """The question's headline and its unit, when it has one that may be shown."""
    if not q.shown:
        return None
    if q.favourable is not None and q.favourable.share is not None:
        return q.favourable.share, "share"
    if q.enps is not None and q.enps.score is not None:
        return q.enps.score, "points"
    return None


def _figures(survey_id: str, survey: str, group: GroupResult) -> list[Figure]:
    out: list[Figure] = []
    for q in group.questions:
        found = _headline(q)
        if found is None:
            continue
        value, unit = found
        label = (say(_t("{survey}: favourable to “{question}”"), survey=survey, question=q.question.text)
                 if unit == "share" else
                 say(_t("{survey}: eNPS of “{question}”"), survey=survey, question=q.question.text))
        out.append(Figure(f"pulse.{survey_id}.{q.question.id}", label, value, "share" if unit == "share" else "points",
                          tuple(q.trend[:-1]), group.respondents))
    return out


def _line(survey: str, period: str, group: GroupResult) -> Phrase:
    parts: list[str | Message] = [say(_t("{survey} ({period})"), survey=survey, period=period), " · ",
                                  _group_label(group), ": ", say(_t("{count} answered"), count=group.respondents)]
    for q in group.questions:
        if not q.shown or q.band is None or q.band.colour not in ("amber", "red"):
            continue
        words = _t("below its usual range") if q.band.colour == "amber" else _t("well below its usual range")
        parts += ["; “", q.question.text, "” ", say(words)]
    return Phrase(*parts)


def _english_group(group: GroupResult) -> str:
    return _group_label(group).english()


def _rows(survey: str, period: str, group: GroupResult) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for q in group.questions:
        found = _headline(q)
        if found is None:
            continue
        value, unit = found
        rows.append((survey, period, _english_group(group), q.question.text, str(q.answered),
                     _percent(value) if unit == "share" else "", _points(value) if unit == "points" else ""))
    return rows


def pulse_section(session: Session, org: OrgConfig, team_id: str, week: Week) -> DigestSection:
    """The digest's pulse section for `week`: the latest wave of each survey closed by the week's end."""
    if not org.pulse.enabled:
        return DigestSection(KEY, TITLE, empty=_t("Pulse surveys are turned off."))
    moment = min(week.end, clock_of(session).now())
    figures: list[Figure] = []
    lines: list[Message | str] = []
    tail: list[tuple[str, ...]] = []
    for survey in org.pulse.surveys:
        wave = latest_closed_by(session, team_id, survey.id, moment)
        if wave is None:
            continue
        results: WaveResults = wave_results(session, org, wave, moment)
        if not results.groups:
            lines.append(say(_t("{survey} ({period}): too few answers to show any results."), survey=survey.name,
                             period=wave.period))
            continue
        everyone = results.group("all")
        if everyone is not None:
            figures += _figures(survey.id, survey.name, everyone)
        for group in results.groups:
            lines.append(_line(survey.name, wave.period, group))
            tail += _rows(survey.name, wave.period, group)
    if not figures and not lines:
        return DigestSection(KEY, TITLE, empty=_t("No pulse survey has closed yet."))
    return DigestSection(
        key=KEY, title=TITLE, figures=tuple(figures), lines=tuple(lines),
        tail_header=("Survey", "Wave", "Group", "Question", "Answers", "Favourable", "eNPS"), tail=tuple(tail))


SECTIONS = (DigestSpec(KEY, 60, pulse_section,
                       "The latest closed wave of each survey: headlines, groups shown, amber and red questions"),)
