"""The statistics of results and trends (pulse surveys, the HR digest): pure functions on plain numbers
(docs/pulse-bands.md has the method, the formulas and a worked example).

Per question: the response rate, the mean, the distribution over the scale, the favourable share, eNPS with its
margin of error, and a trend over the last periods. A result gets a colour (`band`) only against the group's own
history, never against a target: it is amber or red when it falls outside the group's natural variation, judged on
an XmR chart (limits at the mean ± 2.66 × the average moving range) or on an EWMA of its recent periods. Small
groups are judged with intervals (Wilson for proportions, the eNPS margin of error), so that noise is not flagged,
and nothing is coloured with too few periods of history or too few respondents.

Units, everywhere in this module:

- a **proportion** (response rate, favourable share) is a fraction in 0..1, never a percentage; its `Interval`
  is in 0..1 too;
- **eNPS** is in points, −100..100, and so are its margin and interval;
- `band` works on whatever unit its series is in: the history, the current value and the interval given with it
  must share it (fractions for a share's series, points for an eNPS series, scale values for a mean).

Standard library only; nothing here reads a database or a clock.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import Literal

Z95 = 1.96  # two-sided 95 % normal quantile: the z of every interval here unless told otherwise
XMR_LIMIT = 2.66  # natural process limits at the centre ± 2.66 × the average moving range (= 3 / 1.128)
D2 = 1.128  # d2 for subgroups of two: sigma estimated as the average moving range / 1.128

Colour = Literal["green", "amber", "red"]
Method = Literal["xmr", "ewma"]


# -- records ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Interval:
    """A closed interval [low, high], in the unit of the value it belongs to."""

    low: float
    high: float

    def __post_init__(self) -> None:
        if not self.low <= self.high:
            raise ValueError(f"an interval's low end ({self.low}) is above its high end ({self.high})")

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high


@dataclass(frozen=True)
class Proportion:
    """`count` of `n` (a response rate, a favourable share): `share` in 0..1 with its Wilson interval; both None
    when n is 0."""

    count: int
    n: int
    share: float | None
    interval: Interval | None


@dataclass(frozen=True)
class ENPS:
    """Employee Net Promoter Score of `n` answers on the 0–10 scale: promoters answered 9 or 10, passives 7 or 8,
    detractors 0 to 6. `score` = % promoters − % detractors, in points (−100..100); `margin` is its margin of
    error in points (z · standard error · 100) and `interval` is score ± margin clipped to [−100, 100]. The three
    are None when n is 0."""

    n: int
    promoters: int
    passives: int
    detractors: int
    score: float | None
    margin: float | None
    interval: Interval | None


@dataclass(frozen=True)
class XmR:
    """An XmR (individuals and moving range) chart of a series: `centre` is its mean, `mr_bar` the mean of its
    moving ranges |x[i] − x[i−1]|, `lower`/`upper` the natural process limits centre ∓ 2.66 · mr_bar, and
    `sigma_hat` = mr_bar / 1.128 the series' short-term standard deviation (so the limits are centre ∓ 3 ·
    sigma_hat, to the rounding of 2.66)."""

    centre: float
    mr_bar: float
    lower: float
    upper: float
    sigma_hat: float


@dataclass(frozen=True)
class EWMA:
    """An EWMA chart of a series: `statistics[t]` is z(t+1) = lam · x(t+1) + (1 − lam) · z(t), from z(0) =
    `centre`; `lower[t]`/`upper[t]` are its control limits at that point, centre ∓ width · sigma_hat ·
    sqrt(lam / (2 − lam) · (1 − (1 − lam)^(2·(t+1)))). One entry per point of the series."""

    centre: float
    sigma_hat: float
    lam: float
    width: float
    statistics: tuple[float, ...]
    lower: tuple[float, ...]
    upper: tuple[float, ...]

    def sigma_at(self, t: int) -> float:
        """The standard deviation of the EWMA statistic after t points (t ≥ 1)."""
        return _ewma_sigma(self.sigma_hat, self.lam, t)


@dataclass(frozen=True)
class Trend:
    """The direction of a series over its last `periods` points: `slope` is the least-squares change per
    period, `change` the last point minus the one before it (both in the series' unit)."""

    periods: int
    slope: float
    change: float


@dataclass(frozen=True)
class BandSettings:
    """How `band` colours a result. The defaults are the method of docs/pulse-bands.md.

    - `method`: "xmr" judges the current value on an XmR chart of the history; "ewma" judges the EWMA of the
      history and the current value, which reacts sooner to a small shift sustained over a few periods.
    - `min_points`: periods of history (not counting the current one) needed before any colour (at least 2: one
      moving range). Default 5.
    - `min_respondents`: respondents needed in the current period before any colour. Default 5.
    - `amber_sigma`: amber when the value is more than this many standard deviations from the centre on the bad
      side (sigma_hat for XmR, the EWMA statistic's own sigma for EWMA) but inside the limit. Default 2.0.
    - `ewma_lambda`: weight of the newest point in the EWMA, in (0, 1]. Default 0.3.
    - `ewma_width`: the EWMA's control limits, in standard deviations of its statistic. Default 3.0.
    - `higher_is_better`: whether a higher value is the good direction (favourable share, eNPS, a mean of
      agreement); False for a question where less is better. Default True.
    - `interval_z`: the normal quantile for the intervals of small groups (Wilson, the eNPS margin): 1.96 is
      95 %. `band` takes the interval ready made; this is what the caller builds it with. Default 1.96.
    """

    method: Method = "xmr"
    min_points: int = 5
    min_respondents: int = 5
    amber_sigma: float = 2.0
    ewma_lambda: float = 0.3
    ewma_width: float = 3.0
    higher_is_better: bool = True
    interval_z: float = Z95

    def __post_init__(self) -> None:
        if self.method not in ("xmr", "ewma"):
            raise ValueError(f'method must be "xmr" or "ewma", not {self.method!r}')
        if self.min_points < 2:
            raise ValueError(f"min_points must be at least 2 (one moving range), not {self.min_points}")
        if self.min_respondents < 1:
            raise ValueError(f"min_respondents must be at least 1, not {self.min_respondents}")
        if not self.amber_sigma > 0:
            raise ValueError(f"amber_sigma must be above 0, not {self.amber_sigma}")
        if not 0 < self.ewma_lambda <= 1:
            raise ValueError(f"ewma_lambda must be in (0, 1], not {self.ewma_lambda}")
        if not self.ewma_width > 0:
            raise ValueError(f"ewma_width must be above 0, not {self.ewma_width}")
        if not self.interval_z > 0:
            raise ValueError(f"interval_z must be above 0, not {self.interval_z}")


@dataclass(frozen=True)
class Band:
    """The colour of a result against its group's history, and why.

    `colour` is None when there is too little to judge by (too few periods or respondents, or a history with no
    variation at all). `reason` is one plain English sentence for operators. `value` is what was judged (the
    current value for XmR, its EWMA statistic for EWMA); `centre`, `lower`/`upper` (red beyond them on the bad
    side) and `amber_lower`/`amber_upper` (amber beyond them on the bad side) are the limits used, None when the
    history was too short to compute them.
    """

    colour: Colour | None
    reason: str
    method: Method
    value: float | None = None
    centre: float | None = None
    lower: float | None = None
    upper: float | None = None
    amber_lower: float | None = None
    amber_upper: float | None = None


# -- results of one period --------------------------------------------------------------------------------------


def distribution(values: Sequence[int], low: int, high: int) -> tuple[int, ...]:
    """How many answers gave each value of the scale low..high: index 0 is `low`. A value off the scale is an
    error, never dropped silently."""
    if low > high:
        raise ValueError(f"a scale's low end ({low}) is above its high end ({high})")
    counts = [0] * (high - low + 1)
    for value in values:
        if not low <= value <= high:
            raise ValueError(f"{value} is not on the scale {low}..{high}")
        counts[value - low] += 1
    return tuple(counts)


def mean(values: Sequence[float]) -> float | None:
    """The arithmetic mean, None for no values."""
    return statistics.fmean(values) if values else None


def wilson(successes: int, n: int, z: float = Z95) -> Interval:
    """The Wilson score interval for successes out of n (in 0..1): (p + z²/2n ± z·sqrt(p(1−p)/n + z²/4n²)) /
    (1 + z²/n). Unlike p ± z·sqrt(p(1−p)/n) it stays in [0, 1] and is not zero-width at 0 or n successes."""
    if n <= 0:
        raise ValueError(f"a proportion needs at least one trial, not n={n}")
    if not 0 <= successes <= n:
        raise ValueError(f"successes must be in 0..{n}, not {successes}")
    if not z > 0:
        raise ValueError(f"z must be above 0, not {z}")
    p = successes / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    # The exact interval always holds p; pin the ends at 0 and n successes so rounding cannot push p out.
    low = 0.0 if successes == 0 else max(0.0, min(p, centre - half))
    high = 1.0 if successes == n else min(1.0, max(p, centre + half))
    return Interval(low, high)


def proportion(count: int, n: int, *, z: float = Z95) -> Proportion:
    """count of n as a share in 0..1 with its Wilson interval (None for both when n is 0)."""
    if not 0 <= count <= n:
        raise ValueError(f"count must be in 0..n, not {count} of {n}")
    if n == 0:
        return Proportion(0, 0, None, None)
    return Proportion(count, n, count / n, wilson(count, n, z))


def response_rate(responses: int, invited: int, *, z: float = Z95) -> Proportion:
    """The share of the people invited who answered, with its Wilson interval."""
    return proportion(responses, invited, z=z)


def favourable(values: Sequence[int], *, threshold: int, z: float = Z95) -> Proportion:
    """The share of answers at or above `threshold` (on a 1–5 agreement scale, threshold 4: "agree" and
    "strongly agree"), with its Wilson interval."""
    return proportion(sum(1 for value in values if value >= threshold), len(values), z=z)


def enps(scores: Sequence[int], *, z: float = Z95) -> ENPS:
    """eNPS of answers on the 0–10 scale, with its margin of error.

    With p_P and p_D the shares of promoters and detractors, the score is 100 · (p_P − p_D). Each answer counts
    +1 (promoter), 0 (passive) or −1 (detractor), so the variance of one answer is p_P + p_D − (p_P − p_D)² and
    the margin is z · sqrt((p_P + p_D − (p_P − p_D)²) / n) · 100 points (normal approximation).
    """
    counts = distribution(scores, 0, 10)
    n = len(scores)
    detractors, passives, promoters = sum(counts[:7]), counts[7] + counts[8], counts[9] + counts[10]
    if n == 0:
        return ENPS(0, 0, 0, 0, None, None, None)
    p_promoters, p_detractors = promoters / n, detractors / n
    score = 100 * (promoters - detractors) / n
    variance = max(0.0, p_promoters + p_detractors - (p_promoters - p_detractors) ** 2)
    margin = z * math.sqrt(variance / n) * 100
    interval = Interval(max(-100.0, score - margin), min(100.0, score + margin))
    return ENPS(n, promoters, passives, detractors, score, margin, interval)


# -- series -----------------------------------------------------------------------------------------------------


def xmr(points: Sequence[float]) -> XmR:
    """The XmR chart of a series of at least two points."""
    if len(points) < 2:
        raise ValueError(f"an XmR chart needs at least two points, not {len(points)}")
    centre = statistics.fmean(points)
    mr_bar = statistics.fmean(abs(b - a) for a, b in pairwise(points))
    return XmR(centre, mr_bar, centre - XMR_LIMIT * mr_bar, centre + XMR_LIMIT * mr_bar, mr_bar / D2)


def _ewma_sigma(sigma: float, lam: float, t: int) -> float:
    return sigma * math.sqrt(lam / (2 - lam) * (1 - (1 - lam) ** (2 * t)))


def ewma(
    points: Sequence[float],
    lam: float = 0.3,
    width: float = 3.0,
    *,
    centre: float | None = None,
    sigma: float | None = None,
) -> EWMA:
    """The EWMA chart of a series of at least two points. Its centre is the series' mean and its sigma the
    XmR estimate (average moving range / 1.128) unless given: `band` gives those of the history, so that the
    current point is judged against a baseline it is not part of."""
    if not 0 < lam <= 1:
        raise ValueError(f"lam must be in (0, 1], not {lam}")
    if not width > 0:
        raise ValueError(f"width must be above 0, not {width}")
    if centre is None or sigma is None:
        chart = xmr(points)
        centre = chart.centre if centre is None else centre
        sigma = chart.sigma_hat if sigma is None else sigma
    if sigma < 0:
        raise ValueError(f"sigma must not be negative, not {sigma}")
    values: list[float] = []
    lower: list[float] = []
    upper: list[float] = []
    z = centre
    for t, x in enumerate(points, start=1):
        z = lam * x + (1 - lam) * z
        spread = width * _ewma_sigma(sigma, lam, t)
        values.append(z)
        lower.append(centre - spread)
        upper.append(centre + spread)
    return EWMA(centre, sigma, lam, width, tuple(values), tuple(lower), tuple(upper))


def trend(points: Sequence[float]) -> Trend | None:
    """The least-squares slope per period and the last change of a series; None with fewer than two points."""
    if len(points) < 2:
        return None
    slope = statistics.linear_regression(range(len(points)), points).slope
    return Trend(len(points), slope, points[-1] - points[-2])


# -- bands ------------------------------------------------------------------------------------------------------


def _num(value: float) -> str:
    return f"{value:.4g}"


def band(
    history: Sequence[float],
    current: float,
    *,
    settings: BandSettings,
    respondents: int,
    interval: Interval | None = None,
) -> Band:
    """The colour of `current` against the group's own `history` (its earlier periods, oldest first, in the same
    unit as `current`).

    - No colour when the history has fewer than `settings.min_points` periods, when fewer than
      `settings.min_respondents` answered this period, or when the history has no variation at all (every
      period the same: there is no natural variation to judge by).
    - Bad side: below the centre when `higher_is_better`, above it otherwise.
    - XmR: red beyond the natural process limit on the bad side (centre ∓ 2.66 · mr_bar); amber beyond
      `amber_sigma` · sigma_hat from the centre on the bad side but not beyond the limit; green otherwise,
      including beyond the limit on the good side ("better than usual").
    - EWMA: the same with the EWMA statistic of history + current (started at the history's centre, with its
      sigma), its control limits (centre ∓ `ewma_width` · sigma_t) and `amber_sigma` · sigma_t.
    - Small groups: when `interval` (the current value's Wilson interval, or its eNPS interval) is given, amber
      or red only when the whole interval lies on the bad side of the centre line; otherwise green, as noise.
    """
    method = settings.method
    if len(history) < settings.min_points:
        return Band(
            None,
            f"too few periods to judge by: {len(history)} of history, {settings.min_points} needed",
            method,
        )
    chart = xmr(history)
    centre = chart.centre
    if method == "xmr":
        value = current
        spread = XMR_LIMIT * chart.mr_bar
        amber_spread = settings.amber_sigma * chart.sigma_hat
        what = "natural process limit"
    else:
        series = ewma(
            [*history, current], settings.ewma_lambda, settings.ewma_width, centre=centre, sigma=chart.sigma_hat
        )
        value = series.statistics[-1]
        sigma_t = series.sigma_at(len(history) + 1)
        spread = settings.ewma_width * sigma_t
        amber_spread = settings.amber_sigma * sigma_t
        what = "EWMA control limit"
    lower, upper = centre - spread, centre + spread
    amber_lower, amber_upper = centre - amber_spread, centre + amber_spread
    judged = Band(None, "", method, value, centre, lower, upper, amber_lower, amber_upper)
    if respondents < settings.min_respondents:
        return replace(
            judged, reason=f"too few respondents to judge by: {respondents}, {settings.min_respondents} needed"
        )
    if chart.mr_bar == 0:
        return replace(judged, reason=f"the history has no variation to judge by: every period was {_num(centre)}")

    shown = "the EWMA " + _num(value) if method == "ewma" else _num(value)
    if settings.higher_is_better:
        bad_word, good_word = "below", "above"
        red_limit, amber_limit, good_limit = lower, amber_lower, upper
        is_red, is_amber, is_better = value < lower, value < amber_lower, value > upper
        interval_on_bad_side = interval is None or interval.high < centre
    else:
        bad_word, good_word = "above", "below"
        red_limit, amber_limit, good_limit = upper, amber_upper, lower
        is_red, is_amber, is_better = value > upper, value > amber_upper, value < lower
        interval_on_bad_side = interval is None or interval.low > centre

    if is_red or is_amber:
        if not interval_on_bad_side:
            assert interval is not None
            return replace(
                judged,
                colour="green",
                reason=f"{shown} is {bad_word} the {'limit' if is_red else 'amber line'} "
                f"{_num(red_limit if is_red else amber_limit)} but its interval "
                f"{_num(interval.low)}..{_num(interval.high)} reaches the centre line {_num(centre)}: "
                f"within the noise of a small group, not flagged (it would be {'red' if is_red else 'amber'})",
            )
        if is_red:
            return replace(
                judged,
                colour="red",
                reason=f"{shown} is {bad_word} the {what} {_num(red_limit)}: "
                f"outside the group's usual variation (centre {_num(centre)})",
            )
        return replace(
            judged,
            colour="amber",
            reason=f"{shown} is {bad_word} the centre {_num(centre)} by more than {_num(settings.amber_sigma)} "
            f"standard deviations (amber line {_num(amber_limit)}), inside the {what} {_num(red_limit)}",
        )
    if is_better:
        return replace(
            judged,
            colour="green",
            reason=f"better than usual: {shown} is {good_word} the {what} {_num(good_limit)} (centre {_num(centre)})",
        )
    return replace(
        judged,
        colour="green",
        reason=f"{shown} is within the group's usual variation "
        f"(centre {_num(centre)}, amber line {_num(amber_limit)}, {what} {_num(red_limit)})",
    )
