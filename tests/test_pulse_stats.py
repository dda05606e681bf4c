"""The statistics of pulse-survey results (models/core/stats.py): known data with answers worked out by hand,
the colour rules of `band`, a few properties, and the worked example of docs/pulse-bands.md computed again."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.core.stats import (
    ENPS,
    BandSettings,
    Interval,
    Method,
    Proportion,
    band,
    distribution,
    enps,
    ewma,
    favourable,
    mean,
    proportion,
    response_rate,
    trend,
    wilson,
    xmr,
)

DOC = Path(__file__).resolve().parents[1] / "docs" / "pulse-bands.md"

# A team's favourable share over 8 periods: centre 5.67 / 8 = 0.70875; moving ranges .04 .06 .04 .01 .02 .04 .03,
# mr_bar = 0.24 / 7; limits 0.70875 ∓ 2.66 · 0.24 / 7 = 0.61755 and 0.79995; sigma_hat = (0.24 / 7) / 1.128.
HISTORY = [0.70, 0.74, 0.68, 0.72, 0.71, 0.69, 0.73, 0.70]
MR_BAR = 0.24 / 7
SIGMA = MR_BAR / 1.128
AMBER_LINE = 0.70875 - 2 * SIGMA  # 0.647960
XMR = BandSettings()
EWMA = BandSettings(method="ewma")
LOWER_IS_BETTER = BandSettings(higher_is_better=False)


# -- results of one period --------------------------------------------------------------------------------------


def test_distribution_counts_each_value_of_the_scale() -> None:
    assert distribution([1, 5, 4, 4, 2, 5, 4], 1, 5) == (1, 1, 0, 3, 2)
    assert distribution([], 0, 10) == (0,) * 11


@pytest.mark.parametrize("value", [0, 6])
def test_a_value_off_the_scale_is_an_error(value: int) -> None:
    with pytest.raises(ValueError, match="not on the scale"):
        distribution([3, value], 1, 5)


def test_mean() -> None:
    assert mean([1, 2, 4, 5]) == 3.0
    assert mean([]) is None


def test_wilson_interval_of_8_of_10() -> None:
    # p = 0.8, z² / n = 0.38416: centre (0.8 + 0.19208) / 1.38416 = 0.716738,
    # half 1.96 / 1.38416 · sqrt(0.016 + 0.009604) = 0.226581
    interval = wilson(8, 10)
    assert interval.low == pytest.approx(0.490157, abs=1e-6)
    assert interval.high == pytest.approx(0.943319, abs=1e-6)


def test_wilson_interval_at_the_ends() -> None:
    none = wilson(0, 10)
    assert none.low == 0.0
    assert none.high == pytest.approx(3.8416 / 13.8416)  # z² / (n + z²)
    every = wilson(10, 10)
    assert every.high == 1.0
    assert every.low == pytest.approx(10 / 13.8416)  # n / (n + z²)
    with pytest.raises(ValueError):
        wilson(0, 0)
    with pytest.raises(ValueError):
        wilson(11, 10)


def test_favourable_share_on_an_agreement_scale() -> None:
    share = favourable([5, 4, 3, 2, 4, 5, 1, 4, 4, 5], threshold=4)
    assert share == Proportion(7, 10, 0.7, wilson(7, 10))
    assert favourable([], threshold=4) == Proportion(0, 0, None, None)


def test_response_rate() -> None:
    assert response_rate(8, 10) == Proportion(8, 10, 0.8, wilson(8, 10))
    assert response_rate(0, 0).share is None
    with pytest.raises(ValueError):
        response_rate(11, 10)


def test_enps_of_ten_scores() -> None:
    # promoters 10 9 9 10, passives 8 7 7, detractors 6 5 3: 40 % − 30 % = 10 points;
    # margin 1.96 · sqrt((0.4 + 0.3 − 0.1²) / 10) · 100 = 196 · sqrt(0.069) = 51.484988 points
    result = enps([10, 9, 9, 8, 7, 7, 6, 5, 3, 10])
    assert (result.n, result.promoters, result.passives, result.detractors) == (10, 4, 3, 3)
    assert result.score == pytest.approx(10.0)
    assert result.margin == pytest.approx(51.484988, abs=1e-6)
    assert result.interval is not None
    assert result.interval.low == pytest.approx(10 - 51.484988, abs=1e-6)
    assert result.interval.high == pytest.approx(10 + 51.484988, abs=1e-6)


def test_enps_interval_is_clipped_to_the_scale() -> None:
    # 9 promoters, 1 detractor: 80 points, margin 196 · sqrt((1.0 − 0.64) / 10) = 37.19 points
    result = enps([10] * 9 + [0])
    assert result.score == pytest.approx(80.0)
    assert result.margin == pytest.approx(196 * math.sqrt(0.036))
    assert result.interval is not None
    assert result.interval.low == pytest.approx(80 - 196 * math.sqrt(0.036))
    assert result.interval.high == 100.0
    assert enps([9, 10, 9]) == ENPS(3, 3, 0, 0, 100.0, 0.0, Interval(100.0, 100.0))


def test_enps_of_nobody_and_of_scores_off_the_scale() -> None:
    assert enps([]) == ENPS(0, 0, 0, 0, None, None, None)
    with pytest.raises(ValueError):
        enps([11])


# -- series -----------------------------------------------------------------------------------------------------


def test_xmr_of_a_known_series() -> None:
    # mean 66 / 6 = 11; moving ranges 2 1 2 4 2, mr_bar 2.2; limits 11 ∓ 5.852
    chart = xmr([10, 12, 11, 13, 9, 11])
    assert chart.centre == pytest.approx(11.0)
    assert chart.mr_bar == pytest.approx(2.2)
    assert chart.lower == pytest.approx(5.148)
    assert chart.upper == pytest.approx(16.852)
    assert chart.sigma_hat == pytest.approx(1.950355, abs=1e-6)
    with pytest.raises(ValueError):
        xmr([1.0])


def test_ewma_of_a_known_series() -> None:
    # z0 = 11; z1 = 0.3 · 10 + 0.7 · 11 = 10.7; z2 = 3.6 + 7.49 = 11.09; ...
    # limit at t = 1: 3 · sigma · sqrt(0.3 / 1.7 · (1 − 0.49)) = 3 · sigma · 0.3
    chart = ewma([10, 12, 11, 13, 9, 11], 0.3, 3.0)
    assert chart.centre == pytest.approx(11.0)
    assert chart.statistics == pytest.approx((10.7, 11.09, 11.063, 11.6441, 10.85087, 10.895609))
    sigma = 2.2 / 1.128
    assert chart.lower[0] == pytest.approx(11 - 0.9 * sigma)
    assert chart.upper[0] == pytest.approx(11 + 0.9 * sigma)
    # the limits widen towards the asymptote 3 · sigma · sqrt(0.3 / 1.7)
    assert chart.upper[-1] == pytest.approx(11 + 3 * sigma * math.sqrt(0.3 / 1.7 * (1 - 0.7**12)))
    assert all(a < b for a, b in zip(chart.upper, chart.upper[1:], strict=False))


def test_ewma_with_a_given_baseline() -> None:
    chart = ewma([1.0, 3.0], 0.5, 2.0, centre=2.0, sigma=1.0)
    assert chart.statistics == pytest.approx((1.5, 2.25))
    assert chart.lower[0] == pytest.approx(2 - 2 * math.sqrt(0.5 / 1.5 * 0.75))
    with pytest.raises(ValueError):
        ewma([1.0, 2.0], 0.0, 3.0)


def test_trend() -> None:
    # x 0..3, y 1 2 3 5: Sxy = 6.5, Sxx = 5, slope 1.3; last change 5 − 3
    result = trend([1, 2, 3, 5])
    assert result is not None
    assert result.periods == 4
    assert result.slope == pytest.approx(1.3)
    assert result.change == 2
    assert trend([1.0]) is None


# -- bands ------------------------------------------------------------------------------------------------------


def test_band_red_amber_green_on_xmr() -> None:
    red = band(HISTORY, 0.60, settings=XMR, respondents=20)
    assert red.colour == "red"
    assert red.centre == pytest.approx(0.70875)
    assert red.lower == pytest.approx(0.61755)
    assert red.upper == pytest.approx(0.79995)
    assert red.amber_lower == pytest.approx(AMBER_LINE)
    assert "natural process limit" in red.reason
    assert band(HISTORY, 0.63, settings=XMR, respondents=20).colour == "amber"  # 0.61755 < 0.63 < 0.647960
    assert band(HISTORY, 0.65, settings=XMR, respondents=20).colour == "green"
    assert band(HISTORY, 0.78, settings=XMR, respondents=20).colour == "green"  # good side, inside the limits
    better = band(HISTORY, 0.85, settings=XMR, respondents=20)
    assert better.colour == "green"
    assert "better than usual" in better.reason


def test_no_colour_with_too_few_periods() -> None:
    result = band(HISTORY[:4], 0.10, settings=XMR, respondents=20)
    assert result.colour is None
    assert "too few periods" in result.reason
    assert result.centre is None and result.lower is None
    assert band(HISTORY[:4], 0.10, settings=BandSettings(min_points=4), respondents=20).colour == "red"


def test_no_colour_with_too_few_respondents() -> None:
    result = band(HISTORY, 0.10, settings=XMR, respondents=4)
    assert result.colour is None
    assert "too few respondents" in result.reason
    assert result.lower == pytest.approx(0.61755)  # the limits are still there to draw
    assert band(HISTORY, 0.10, settings=BandSettings(min_respondents=3), respondents=4).colour == "red"


def test_no_colour_for_a_history_with_no_variation() -> None:
    result = band([0.8] * 6, 0.5, settings=XMR, respondents=20)
    assert result.colour is None
    assert "no variation" in result.reason


def test_a_small_noisy_group_is_not_flagged() -> None:
    # 3 of 5 favourable is 0.60, below the limit, but its Wilson interval 0.231..0.882 reaches the centre
    small = proportion(3, 5)
    assert small.share is not None
    assert band(HISTORY, small.share, settings=XMR, respondents=5).colour == "red"
    result = band(HISTORY, small.share, settings=XMR, respondents=5, interval=small.interval)
    assert result.colour == "green"
    assert "small group" in result.reason and "would be red" in result.reason
    # the same share from 100 people: 0.502..0.691, wholly below the centre
    large = proportion(60, 100)
    assert large.share is not None
    assert band(HISTORY, large.share, settings=XMR, respondents=100, interval=large.interval).colour == "red"


def test_an_enps_interval_protects_a_small_group_too() -> None:
    history = [20.0, 30.0, 25.0, 18.0, 28.0, 22.0]  # centre 23.83, mr_bar 38 / 5 = 7.6, lower limit 3.62
    few = enps([10, 9, 6, 5, 8, 7])  # 2 promoters, 2 detractors: 0 points ± 196 · sqrt((4 / 6) / 6) = ± 65.3
    assert few.score is not None and few.interval is not None
    assert few.margin == pytest.approx(196 / 3)
    assert band(history, few.score, settings=XMR, respondents=6).colour == "red"
    assert band(history, few.score, settings=XMR, respondents=6, interval=few.interval).colour == "green"


def test_lower_is_better() -> None:
    history = [1 - x for x in HISTORY]  # centre 0.29125, upper limit 0.38245
    red = band(history, 0.40, settings=LOWER_IS_BETTER, respondents=20)
    assert red.colour == "red"
    assert "above" in red.reason
    assert band(history, 0.37, settings=LOWER_IS_BETTER, respondents=20).colour == "amber"
    assert band(history, 0.25, settings=LOWER_IS_BETTER, respondents=20).colour == "green"
    better = band(history, 0.15, settings=LOWER_IS_BETTER, respondents=20)
    assert (better.colour, "better than usual" in better.reason) == ("green", True)
    # the interval must lie wholly above the centre line
    assert band(history, 0.40, settings=LOWER_IS_BETTER, respondents=5, interval=wilson(2, 5)).colour == "green"
    assert band(history, 0.40, settings=LOWER_IS_BETTER, respondents=100, interval=wilson(40, 100)).colour == "red"


def test_band_on_ewma() -> None:
    # history 10 12 11 13 9 11: centre 11, sigma 2.2 / 1.128; the EWMA after it is 10.895609.
    # 7th point: limits 11 ∓ k · sigma · sqrt(0.3 / 1.7 · (1 − 0.7^14)) = 11 ∓ k · 0.816531
    history = [10.0, 12.0, 11.0, 13.0, 9.0, 11.0]
    sigma_7 = 2.2 / 1.128 * math.sqrt(0.3 / 1.7 * (1 - 0.7**14))
    amber = band(history, 5.0, settings=EWMA, respondents=20)  # 0.3 · 5 + 0.7 · 10.895609 = 9.126926
    assert amber.colour == "amber"
    assert amber.value == pytest.approx(9.1269263)
    assert amber.lower == pytest.approx(11 - 3 * sigma_7)  # 8.550406
    assert amber.amber_lower == pytest.approx(11 - 2 * sigma_7)  # 9.366937
    assert "EWMA" in amber.reason
    red = band(history, 3.0, settings=EWMA, respondents=20)  # 0.9 + 7.626926 = 8.526926
    assert red.colour == "red"
    assert red.value == pytest.approx(8.5269263)
    assert band(history, 9.0, settings=EWMA, respondents=20).colour == "green"
    # a single dip that is red on XmR is smoothed on the EWMA
    assert band(HISTORY, 0.60, settings=EWMA, respondents=20).colour == "amber"


@pytest.mark.parametrize(
    "changes",
    [
        {"method": "cusum"},
        {"min_points": 1},
        {"min_respondents": 0},
        {"amber_sigma": 0.0},
        {"ewma_lambda": 0.0},
        {"ewma_lambda": 1.5},
        {"ewma_width": -1.0},
        {"interval_z": 0.0},
    ],
)
def test_band_settings_are_checked(changes: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        BandSettings(**changes)


# -- properties -------------------------------------------------------------------------------------------------

counts_of_n = st.integers(min_value=1, max_value=10_000).flatmap(
    lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
)
series = st.lists(st.floats(min_value=-1000, max_value=1000, allow_nan=False), min_size=2, max_size=30)


@given(counts_of_n, st.floats(min_value=0.1, max_value=4.0))
def test_wilson_holds_the_estimate_and_stays_in_0_1(case: tuple[int, int], z: float) -> None:
    successes, n = case
    interval = wilson(successes, n, z)
    assert 0.0 <= interval.low <= successes / n <= interval.high <= 1.0


@given(st.lists(st.integers(min_value=0, max_value=10), max_size=300))
def test_enps_stays_on_its_scale(scores: list[int]) -> None:
    result = enps(scores)
    assert result.promoters + result.passives + result.detractors == result.n == len(scores)
    if scores:
        assert result.score is not None and result.interval is not None and result.margin is not None
        assert -100.0 <= result.interval.low <= result.score <= result.interval.high <= 100.0
        assert result.margin >= 0


@given(st.integers(min_value=-5, max_value=5), st.integers(min_value=0, max_value=10), st.data())
def test_distribution_sums_to_n(low: int, size: int, data: st.DataObject) -> None:
    values = data.draw(st.lists(st.integers(min_value=low, max_value=low + size)))
    counts = distribution(values, low, low + size)
    assert len(counts) == size + 1
    assert sum(counts) == len(values)


@given(series)
def test_xmr_limits_surround_the_centre(points: list[float]) -> None:
    chart = xmr(points)
    assert chart.lower <= chart.centre <= chart.upper
    assert min(points) - 1e-9 <= chart.centre <= max(points) + 1e-9


@given(series, st.floats(min_value=-2000, max_value=2000, allow_nan=False), st.sampled_from(["xmr", "ewma"]))
def test_lower_is_better_mirrors_higher_is_better(points: list[float], current: float, method: Method) -> None:
    higher = band(points, current, settings=BandSettings(method=method, min_points=2), respondents=10)
    lower = band(
        [-x for x in points],
        -current,
        settings=BandSettings(method=method, min_points=2, higher_is_better=False),
        respondents=10,
    )
    assert higher.colour == lower.colour


@given(series, st.floats(min_value=-2000, max_value=2000, allow_nan=False), st.floats(min_value=0, max_value=500))
def test_an_interval_reaching_the_centre_is_never_flagged(points: list[float], current: float, width: float) -> None:
    chart = xmr(points)
    interval = Interval(min(current, chart.centre) - width, max(current, chart.centre) + width)
    for settings in (BandSettings(min_points=2), BandSettings(min_points=2, method="ewma", higher_is_better=False)):
        assert band(points, current, settings=settings, respondents=10, interval=interval).colour in ("green", None)


@given(series, st.floats(min_value=-2000, max_value=2000, allow_nan=False), st.integers(min_value=0, max_value=50))
def test_no_colour_below_the_minimums(points: list[float], current: float, respondents: int) -> None:
    settings = BandSettings(min_points=len(points) + 1)
    assert band(points, current, settings=settings, respondents=respondents).colour is None
    few = BandSettings(min_points=2, min_respondents=respondents + 1)
    assert band(points, current, settings=few, respondents=respondents).colour is None


# -- the worked example of docs/pulse-bands.md -------------------------------------------------------------------

TEAM = [(38, 29), (40, 31), (37, 27), (39, 30), (40, 29), (36, 28), (38, 30), (39, 29)]  # (answers, favourable)
SMALL_TEAM = [5 / 6, 5 / 6, 1.0, 5 / 6, 5 / 6, 1.0, 5 / 6, 5 / 6]


def test_the_worked_example_of_the_doc_is_true() -> None:
    doc = DOC.read_text(encoding="utf-8")
    history = [favourable_ / n for n, favourable_ in TEAM]
    chart = xmr(history)
    latest = proportion(22, 37)
    assert latest.share is not None and latest.interval is not None
    on_xmr = band(history, latest.share, settings=XMR, respondents=37, interval=latest.interval)
    on_ewma = band(history, latest.share, settings=EWMA, respondents=37, interval=latest.interval)
    assert on_ewma.value is not None and on_ewma.lower is not None and on_ewma.amber_lower is not None
    small = proportion(4, 6)
    assert small.share is not None and small.interval is not None
    small_chart = xmr(SMALL_TEAM)
    bare = band(SMALL_TEAM, small.share, settings=XMR, respondents=6)
    guarded = band(SMALL_TEAM, small.share, settings=XMR, respondents=6, interval=small.interval)
    scores = enps([9, 10, 8, 7, 9, 6, 10, 4, 9, 8, 7, 10])
    assert scores.score is not None and scores.margin is not None

    assert (on_xmr.colour, on_ewma.colour, bare.colour, guarded.colour) == ("red", "red", "amber", "green")
    figures = {
        "centre": f"{chart.centre:.4f}",
        "mr_bar": f"{chart.mr_bar:.4f}",
        "sigma_hat": f"{chart.sigma_hat:.4f}",
        "lower": f"{chart.lower:.4f}",
        "upper": f"{chart.upper:.4f}",
        "amber line": f"{chart.centre - 2 * chart.sigma_hat:.4f}",
        "latest": f"{latest.share:.4f}",
        "latest interval": f"{latest.interval.low:.4f} to {latest.interval.high:.4f}",
        "EWMA": f"{on_ewma.value:.4f}",
        "EWMA limit": f"{on_ewma.lower:.4f}",
        "EWMA amber": f"{on_ewma.amber_lower:.4f}",
        "small centre": f"{small_chart.centre:.4f}",
        "small lower": f"{small_chart.lower:.4f}",
        "small amber": f"{small_chart.centre - 2 * small_chart.sigma_hat:.4f}",
        "small interval": f"{small.interval.low:.4f} to {small.interval.high:.4f}",
        "eNPS": f"{scores.score:.1f} ± {scores.margin:.1f}",
        "reason": on_xmr.reason,
        "small reason": guarded.reason,
    }
    missing = {name: text for name, text in figures.items() if text not in doc}
    assert not missing, f"docs/pulse-bands.md does not show these figures as computed: {missing}"
