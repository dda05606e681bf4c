"""`candor pulse results [--survey S] [--period P] [--json]`: exactly what HR may see of a closed pulse wave
(`models.pulse.results`): the shown groups, each with its respondent count, per question the figures, the trend
and the band. Groups below the threshold — or that would reveal one by subtraction — are absent."""

from __future__ import annotations

import argparse
import json
from typing import Any

from sqlalchemy import select

from bot.cli.common import CliError, Common, printable, runtime_for, team_of
from models.pulse.results import GroupResult, QuestionResult, WaveResults, latest_closed, wave_results
from models.pulse.tables import PulseWave
from models.pulse.waves import find_wave, is_open


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{round(value * 100)}%"


def _label(g: GroupResult) -> str:
    return {"all": "Everyone asked", "department": f"Department {g.name}", "team": f"{g.name}'s team",
            "other": "Other teams together"}.get(g.kind, g.key)


def _question(q: QuestionResult) -> list[str]:
    head = f"  {printable(q.question.text)}"
    if not q.shown:
        return [head, "    too few answers to this question to show them"]
    band = f" [{q.band.colour}]" if q.band is not None and q.band.colour else ""
    trend = ""
    if len(q.trend) >= 2:
        shown = [_pct(p) if q.favourable is not None else f"{p:+.0f}" for p in q.trend]
        trend = f"; trend {' → '.join(shown)}"
    if q.favourable is not None:
        low = q.favourable.interval.low if q.favourable.interval else None
        high = q.favourable.interval.high if q.favourable.interval else None
        mean = "-" if q.mean is None else f"{q.mean:.2f}"
        return [head, f"    {q.answered} answers; favourable {_pct(q.favourable.share)} (95% {_pct(low)}–"
                      f"{_pct(high)}); mean {mean}; distribution 1–5 {list(q.distribution)}{trend}{band}"]
    if q.enps is not None:
        if q.enps.score is None:
            return [head, "    no answers"]
        return [head, f"    {q.answered} answers; eNPS {q.enps.score:+.0f} ± {q.enps.margin or 0:.0f} "
                      f"({q.enps.promoters} promoters, {q.enps.passives} passives, {q.enps.detractors} detractors)"
                      f"{trend}{band}"]
    if q.question.type == "choice":
        parts = ", ".join(f"{printable(c)}: {n}" for c, n in zip(q.question.choices, q.distribution, strict=False))
        return [head, f"    {q.answered} answers; {parts}"]
    return [head, f"    {len(q.texts)} comments (in an order unrelated to who wrote them):",
            *(f"    - {printable(t)}" for t in q.texts)]


def _lines(results: WaveResults, name: str) -> list[str]:
    wave = results.wave
    out = [f"{printable(name)} — {wave.period} (closed {wave.closes_at:%Y-%m-%d %H:%M} UTC); groups with fewer "
           f"than {wave.min_respondents} answers, or that would reveal one by subtraction, are not shown"]
    if not results.groups:
        out.append("No group reached the minimum: nothing can be shown.")
    for g in results.groups:
        out += ["", f"{printable(_label(g))}: {g.respondents} of {g.invited} answered "
                    f"({_pct(g.response_rate.share)})" + ("" if g.trend_allowed else "; no trend (membership changed "
                                                                                       "too little to compare)")]
        for q in g.questions:
            out += _question(q)
    return out


def _json(results: WaveResults, name: str) -> str:
    def question(q: QuestionResult) -> dict[str, Any]:
        return {
            "id": q.question.id, "text": q.question.text, "type": q.question.type, "shown": q.shown,
            "answers": q.answered if q.shown else None,
            "mean": q.mean, "distribution": list(q.distribution),
            "favourable": None if q.favourable is None else {
                "share": q.favourable.share,
                "interval": None if q.favourable.interval is None else [q.favourable.interval.low,
                                                                         q.favourable.interval.high]},
            "enps": None if q.enps is None else {
                "score": q.enps.score, "margin": q.enps.margin, "promoters": q.enps.promoters,
                "passives": q.enps.passives, "detractors": q.enps.detractors},
            "texts": list(q.texts), "trend": list(q.trend),
            "band": None if q.band is None else {"colour": q.band.colour, "reason": q.band.reason},
        }

    data = {
        "survey": results.wave.survey_id, "name": name, "period": results.wave.period,
        "min_respondents": results.wave.min_respondents,
        "groups": [{"key": g.key, "kind": g.kind, "name": g.name, "respondents": g.respondents,
                    "invited": g.invited, "response_rate": g.response_rate.share, "trend_allowed": g.trend_allowed,
                    "questions": [question(q) for q in g.questions]} for g in results.groups],
    }
    return "\n".join(printable(line) for line in json.dumps(data, indent=2, ensure_ascii=False).split("\n"))


def cmd_pulse_results(args: argparse.Namespace) -> int:
    rt = runtime_for(args)
    pulse = rt.org.pulse
    now = rt.clock.now()
    with rt.db.reading() as session:
        team_id = team_of(session, args)
        # A survey since removed from the configuration keeps its waves: they are still readable by their id.
        stored = sorted(set(session.scalars(select(PulseWave.survey_id).where(PulseWave.team_id == team_id))))
        survey_id = args.survey or (pulse.surveys[0].id if pulse.surveys else (stored[0] if stored else None))
        configured = pulse.survey(survey_id)
        if configured is None and survey_id not in stored:
            known = ", ".join(dict.fromkeys([*(s.id for s in pulse.surveys), *stored])) or "none"
            raise CliError(f"there is no pulse survey {printable(args.survey or '')!r} (surveys: {known})")
        assert survey_id is not None
        name = configured.name if configured is not None else survey_id
        if args.period:
            wave = find_wave(session, team_id, survey_id, args.period.strip().upper())
            if wave is None:
                raise CliError(f"{survey_id} has no wave in {printable(args.period)}: periods are ISO weeks such "
                               "as 2026-W49")
            if is_open(wave, now):
                raise CliError(f"{survey_id} {wave.period} is still open until {wave.closes_at:%Y-%m-%d %H:%M} UTC: "
                               "results exist once it closes")
        else:
            wave = latest_closed(session, team_id, survey_id, now)
            if wave is None:
                raise CliError(f"{survey_id} has no closed wave yet")
        results = wave_results(session, rt.org, wave, now)
        print(_json(results, name) if args.json else "\n".join(_lines(results, name)))
    return 0


def add_commands(sub: Any, common: Common) -> None:
    pulse = sub.add_parser("pulse", help="pulse surveys: results as HR may see them")
    psub = pulse.add_subparsers(dest="pulse_command", metavar="ACTION", required=True)
    results = common(psub.add_parser("results", help="a closed wave's results: shown groups only, each with its "
                                                     "respondent count"))
    results.add_argument("--team", help="workspace id (T…), when the database serves several")
    results.add_argument("--survey", help="survey id (default: the first survey in the configuration)")
    results.add_argument("--period", help="the wave's ISO week, e.g. 2026-W49 (default: the latest closed one)")
    results.add_argument("--json", action="store_true", help="the results as JSON")
    results.set_defaults(handler=cmd_pulse_results)
