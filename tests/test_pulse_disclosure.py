"""Which pulse groups may be shown (models/pulse/disclosure.py, docs/pulse-anonymity.md).

Hand-made cases first, then properties over random org charts (manager trees of random depth and width, leaf
cells given random departments, 0–12 respondents a cell, a minimum of 3–10). The properties are checked by brute
force, independently of the module's atoms: pairwise differences, a group minus any family of disjoint shown
groups inside it, and, exactly, every set of cells whose count a linear combination of shown figures gives.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.pulse.disclosure import (
    DEFAULT_MINIMUM,
    OTHER_PREFIX,
    Candidate,
    Disclosure,
    Shown,
    atoms,
    disclose,
    safe_to_show,
    trend_allowed,
)

M = DEFAULT_MINIMUM  # 5


def cand(key: str, cells: str | Iterable[str], parent: str | None = "all", members: frozenset[int] = frozenset(),
         previous_members: frozenset[int] | None = None) -> Candidate:
    """A candidate labelled with its key; `cells` as a string is one letter a cell."""
    return Candidate(key, key, parent, frozenset(cells), members, previous_members)


def n(cells: Iterable[str], respondents: Mapping[str, int]) -> int:
    return sum(respondents.get(c, 0) for c in cells)


# --- Brute force, independent of the module -------------------------------------------------------------------


def pair_differences(shown: Sequence[AbstractSet[str]], respondents: Mapping[str, int]) -> Iterator[int]:
    """|A \\ B| for every ordered pair of shown groups, in respondents (|A| - |B| when B is inside A)."""
    for a in shown:
        for b in shown:
            if a is not b:
                yield n(a - b, respondents)


def disjoint_remainders(shown: Sequence[AbstractSet[str]], respondents: Mapping[str, int]) -> Iterator[int]:
    """|A| - sum(B₁ … Bₖ) for every shown A and every non-empty family of pairwise disjoint shown groups inside A."""
    for i, a in enumerate(shown):
        inside = [b for j, b in enumerate(shown) if j != i and b <= a]

        def families(start: int, used: frozenset[str], total: int, size: int,
                     a: AbstractSet[str] = a, inside: list[AbstractSet[str]] = inside) -> Iterator[int]:
            if size:
                yield n(a, respondents) - total
            for k in range(start, len(inside)):
                if not inside[k] & used:
                    yield from families(k + 1, used | inside[k], total + n(inside[k], respondents), size + 1)

        yield from families(0, frozenset(), 0, 0)


P = 2**61 - 1  # ranks of 0/1 matrices this small are the same over GF(P) as over the rationals


def derivable_small_sets(shown: Sequence[AbstractSet[str]], respondents: Mapping[str, int],
                         minimum: int) -> list[frozenset[str]]:
    """Every set of cells U with 0 < |U| < minimum respondents whose indicator is a linear combination of the
    shown groups' indicators, i.e. whose count some sum and difference of shown figures gives exactly."""
    universe = sorted(set().union(*shown)) if shown else []
    assert len(universe) <= 12, "keep the brute force small"
    pivots: list[tuple[int, list[int]]] = []  # row echelon form mod P
    for group in shown:
        row = [1 if c in group else 0 for c in universe]
        row = _reduce(row, pivots)
        lead = next((k for k, v in enumerate(row) if v), None)
        if lead is not None:
            inv = pow(row[lead], P - 2, P)
            pivots.append((lead, [v * inv % P for v in row]))
    found = []
    for mask in range(1, 1 << len(universe)):
        cells = frozenset(c for k, c in enumerate(universe) if mask >> k & 1)
        if 0 < n(cells, respondents) < minimum:
            vector = [1 if c in cells else 0 for c in universe]
            if not any(_reduce(vector, pivots)):
                found.append(cells)
    return found


def _reduce(row: list[int], pivots: list[tuple[int, list[int]]]) -> list[int]:
    row = list(row)
    for lead, pivot in pivots:
        if row[lead]:
            factor = row[lead]
            row = [(v - factor * p) % P for v, p in zip(row, pivot, strict=True)]
    return row


def check_safe(result: Disclosure, respondents: Mapping[str, int], minimum: int) -> None:
    """Properties 1–4 of a disclosure, by brute force."""
    shown = [s.cells for s in result.shown]
    # (1) every shown group has at least the minimum, and says how many
    for s in result.shown:
        assert s.respondents == n(s.cells, respondents) >= minimum, s.key
    # (2) two shown groups never differ by fewer than the minimum
    differences = list(pair_differences(shown, respondents))
    assert all(d == 0 or d >= minimum for d in differences)
    # (3) a shown group minus its shown children (by parent key) leaves 0 or at least the minimum
    for parent in result.shown:
        children = [s.cells for s in result.shown if s.parent == parent.key]
        if children:
            rest = n(parent.cells - frozenset().union(*children), respondents)
            assert rest == 0 or rest >= minimum, parent.key
    # (4) nor minus any family of disjoint shown groups inside it ...
    remainders = list(disjoint_remainders(shown, respondents))
    assert all(r == 0 or r >= minimum for r in remainders)
    # ... and, exactly, no linear combination of shown figures isolates fewer than the minimum.
    assert derivable_small_sets(shown, respondents, minimum) == []


def hidden_small_counts(candidates: Sequence[Candidate], result: Disclosure, respondents: Mapping[str, int],
                        minimum: int) -> set[int]:
    by_key = {c.key: c for c in candidates}
    return {k for k in (n(by_key[h].cells, respondents) for h in result.hidden) if 0 < k < minimum}


def obtainable_values(result: Disclosure, respondents: Mapping[str, int]) -> set[int]:
    shown = [s.cells for s in result.shown]
    return set(pair_differences(shown, respondents)) | set(disjoint_remainders(shown, respondents))


# --- Hand-made cases ------------------------------------------------------------------------------------------

FOUR_DEPARTMENTS = [
    cand("all", "abcd", None),
    cand("dept:X", "a"),
    cand("dept:Y", "b"),
    cand("dept:Z", "c"),
    cand("dept:Q", "d"),
]
FOUR_COUNTS = {"a": 6, "b": 6, "c": 2, "d": 3}


def test_group_below_minimum_is_hidden_and_its_count_appears_nowhere() -> None:
    result = disclose(FOUR_DEPARTMENTS, FOUR_COUNTS, M)
    assert "dept:Z" in result.hidden and "dept:Q" in result.hidden
    assert result.get("dept:Z") is None and result.get("dept:Q") is None
    assert all(s.respondents not in (2, 3) for s in result.shown)
    assert not {2, 3} & obtainable_values(result, FOUR_COUNTS)
    check_safe(result, FOUR_COUNTS, M)
    assert result.hidden == ("dept:Z", "dept:Q")  # keys only, in the candidates' order


def test_other_bucket_merges_hidden_siblings_that_reach_the_minimum() -> None:
    result = disclose(FOUR_DEPARTMENTS, FOUR_COUNTS, M)
    assert result.keys == ("all", "dept:X", "dept:Y", "other:all")
    other = result.get("other:all")
    assert other == Shown("other:all", "Other", "all", frozenset("cd"), 5, False, ("dept:Q", "dept:Z"))
    assert other.is_other and not result.get("dept:X").is_other
    # the parent minus its shown children (the bucket included) leaves nothing
    assert 17 - 6 - 6 - 5 == 0


def test_no_other_bucket_below_the_minimum() -> None:
    counts = {"o": 4, "a": 6, "b": 2, "c": 2}
    result = disclose([cand("all", "oabc", None), cand("team:1", "a"), cand("team:2", "b"), cand("team:3", "c")],
                      counts, M)
    assert result.keys == ("all", "team:1")
    assert result.hidden == ("team:2", "team:3")


def test_no_other_bucket_when_it_would_leave_a_small_remainder() -> None:
    """The manager's own cell (3) stays inside the parent: parent - team:1 - Other would be 3."""
    counts = {"o": 3, "a": 6, "b": 3, "c": 2}
    result = disclose([cand("all", "oabc", None), cand("team:1", "a"), cand("team:2", "b"), cand("team:3", "c")],
                      counts, M)
    assert result.keys == ("all", "team:1")
    assert not safe_to_show([frozenset("oabc"), frozenset("a"), frozenset("bc")], counts, M)
    check_safe(result, counts, M)


def test_no_other_bucket_that_would_be_the_parent() -> None:
    counts = {"a": 4, "b": 4}
    result = disclose([cand("all", "ab", None), cand("dept:X", "a"), cand("dept:Y", "b")], counts, M)
    assert result.keys == ("all",)


def test_parent_with_children_6_6_2_never_gives_away_the_2() -> None:
    counts = {"a": 6, "b": 6, "c": 2}
    candidates = [cand("all", "abc", None), cand("team:1", "a"), cand("team:2", "b"), cand("team:3", "c")]
    result = disclose(candidates, counts, M)
    # team:2 would leave 14 - 6 - 6 = 2: it is merged with team:3 into "Other" instead
    assert result.keys == ("all", "team:1", "other:all")
    assert result.get("other:all") == Shown("other:all", "Other", "all", frozenset("bc"), 8, False,
                                            ("team:2", "team:3"))
    shown_children = [s.respondents for s in result.shown if s.parent == "all"]
    assert 14 - sum(shown_children) == 0
    assert 2 not in obtainable_values(result, counts)
    check_safe(result, counts, M)


def test_two_filters_that_differ_by_fewer_than_the_minimum_are_not_both_shown() -> None:
    """Engineering has 8 respondents and its Platform team 6: showing both gives the other 2 away."""
    counts = {"x": 6, "y": 2, "z": 7}
    candidates = [cand("all", "xyz", None), cand("dept:Eng", "xy"), cand("team:platform", "x")]
    result = disclose(candidates, counts, M)
    assert result.keys == ("all", "dept:Eng")  # the larger one
    assert 2 not in obtainable_values(result, counts)
    check_safe(result, counts, M)
    # they differ by the minimum: both shown
    counts["y"] = M
    assert disclose(candidates, counts, M).keys == ("all", "dept:Eng", "team:platform")


def test_two_departments_differing_by_two() -> None:
    """Two overlapping department filters (say, "Sales" and "Sales + Partnerships") 9 and 7 respondents apart."""
    counts = {"s": 7, "p": 2, "r": 8}
    candidates = [cand("all", "spr", None), cand("dept:Sales+", "sp"), cand("dept:Sales", "s")]
    result = disclose(candidates, counts, M)
    assert len({"dept:Sales+", "dept:Sales"} & set(result.keys)) == 1
    check_safe(result, counts, M)


def test_crossing_groups_whose_overlap_is_derived() -> None:
    """Each pairwise difference is 6, and nothing of the audience is outside the two, yet
    Eng + team - all = 8 + 8 - 14 = 2 respondents: those in both. Only one of them is shown."""
    counts = {"e": 6, "x": 2, "s": 6}
    candidates = [cand("all", "exs", None), cand("dept:Eng", "ex"), cand("team:7", "xs")]
    groups = [frozenset("exs"), frozenset("ex"), frozenset("xs")]
    assert all(d == 0 or d >= M for d in pair_differences(groups, counts))  # pairwise rules alone pass
    assert derivable_small_sets(groups, counts, M) == [frozenset("x")]  # but the overlap is derived
    assert not safe_to_show(groups, counts, M)
    result = disclose(candidates, counts, M)
    assert result.keys == ("all", "dept:Eng", "other:all")  # the rest, {s}: all minus Eng anyway
    assert result.get("other:all").cells == frozenset("s")
    check_safe(result, counts, M)


def test_identical_groups_both_show() -> None:
    """A department that is exactly one manager's team shows twice the same figures: nothing to subtract."""
    counts = {"a": 6, "b": 7}
    candidates = [cand("all", "ab", None), cand("dept:Sales", "a"), cand("team:3", "a"), cand("dept:Eng", "b")]
    assert disclose(candidates, counts, M).keys == ("all", "dept:Sales", "team:3", "dept:Eng")


def test_audience_below_minimum_shows_nothing() -> None:
    result = disclose([cand("all", "ab", None), cand("dept:X", "a")], {"a": 3, "b": 1}, M)
    assert result == Disclosure((), ("all", "dept:X"))


def test_minimum_is_configurable() -> None:
    counts = {"a": 3, "b": 3, "c": 4}
    candidates = [cand("all", "abc", None), cand("team:1", "a"), cand("team:2", "b"), cand("team:3", "c")]
    assert disclose(candidates, counts, 3).keys == ("all", "team:1", "team:2", "team:3")
    assert disclose(candidates, counts, 5).keys == ("all",)
    assert disclose(candidates, counts, 10).keys == ("all",)
    assert disclose(candidates, counts, 5) == disclose(candidates, counts)  # 5 is the default


def test_other_bucket_sits_after_the_last_shown_group_under_its_parent() -> None:
    counts = {"a": 6, "b": 6, "c": 3, "d": 3, "e": 7}
    candidates = [
        cand("all", "abcde", None),
        cand("team:1", "abcd"), cand("team:2", "a", "team:1"), cand("team:3", "b", "team:1"),
        cand("team:4", "c", "team:1"), cand("team:5", "d", "team:1"),
        cand("team:6", "e"),
    ]
    result = disclose(candidates, counts, M)
    assert result.keys == ("all", "team:1", "team:2", "team:3", "other:team:1", "team:6")
    assert result.get("other:team:1").merged == ("team:4", "team:5")
    check_safe(result, counts, M)


def test_trend_needs_no_or_a_large_membership_change() -> None:
    ten = frozenset(range(10))
    assert trend_allowed(ten, ten, M)  # nobody joined or left
    assert not trend_allowed(ten, ten - {9}, M)  # 1 joined: the difference would be about them
    assert not trend_allowed(ten, ten | {10}, M)  # 1 left
    assert not trend_allowed(ten, (ten - {9}) | {10}, M)  # 1 joined and 1 left: 2 changed
    assert trend_allowed(ten, ten - {5, 6, 7, 8, 9}, M)  # 5 joined
    assert trend_allowed(ten, (ten - {7, 8, 9}) | {10, 11}, M)  # 3 joined, 2 left
    assert not trend_allowed(ten, None, M)  # no previous wave


def test_trend_suppressed_but_figures_still_shown() -> None:
    members = frozenset(range(1, 9))
    counts = {"a": 6, "b": 7}
    candidates = [
        cand("all", "ab", None, members=members | {20, 21}, previous_members=members | {20, 21}),
        cand("team:1", "a", members=members, previous_members=members - {1}),  # 1 joined
        cand("team:2", "b", members=frozenset({30}), previous_members=None),
    ]
    result = disclose(candidates, counts, M)
    assert result.keys == ("all", "team:1", "team:2")
    assert [s.trend_allowed for s in result.shown] == [True, False, False]
    moved = replace(candidates[1], previous_members=members - {1, 2, 3, 4, 5})  # 5 joined
    assert disclose([candidates[0], moved, candidates[2]], counts, M).get("team:1").trend_allowed


def test_worked_example_of_the_docs() -> None:
    """docs/pulse-anonymity.md, "A worked example"."""
    counts = {"b": 6, "c": 6, "f": 2, "d": 7, "e": 5}
    ben_before, ben_now = frozenset(range(1, 8)), frozenset(range(1, 9))  # one joined
    dan = frozenset(range(20, 32))
    candidates = [
        cand("all", "bcfde", None),
        cand("dept:engineering", "bc"),
        cand("dept:design", "fe"),
        cand("dept:sales", "d"),
        cand("team:ana", "bcf"),
        cand("team:ben", "b", "team:ana", members=ben_now, previous_members=ben_before),
        cand("team:cat", "c", "team:ana"),
        cand("team:dev", "f", "team:ana"),
        cand("team:dan", "de", members=dan, previous_members=dan),
    ]
    result = disclose(candidates, counts, M)
    assert [(s.key, s.respondents) for s in result.shown] == [
        ("all", 26), ("dept:sales", 7), ("team:ana", 14), ("team:ben", 6), ("other:team:ana", 8), ("team:dan", 12)]
    assert result.hidden == ("dept:engineering", "dept:design", "team:cat", "team:dev")
    assert result.get("other:team:ana").merged == ("team:cat", "team:dev")
    assert sorted(sorted(a) for a in atoms(s.cells for s in result.shown)) == [["b"], ["c", "f"], ["d"], ["e"]]
    assert not result.get("team:ben").trend_allowed and result.get("team:dan").trend_allowed
    check_safe(result, counts, M)


@pytest.mark.parametrize("minimum", [0, 1, 2, 11])
def test_minimum_outside_3_to_10_is_refused(minimum: int) -> None:
    with pytest.raises(ValueError, match="minimum"):
        disclose([cand("all", "a", None)], {"a": 20}, minimum)


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="unique"):
        disclose([cand("all", "a", None), cand("all", "b", None)], {"a": 9}, M)
    with pytest.raises(ValueError, match="other"):
        disclose([cand("all", "a", None), cand(OTHER_PREFIX + "all", "a")], {"a": 9}, M)
    with pytest.raises(ValueError, match="negative"):
        disclose([cand("all", "a", None)], {"a": -1}, M)


def test_safe_to_show_and_atoms() -> None:
    counts = {"a": 6, "b": 2, "c": 6}
    assert sorted(map(sorted, atoms([{"a", "b"}, {"b", "c"}]))) == [["a"], ["b"], ["c"]]
    assert safe_to_show([{"a", "b", "c"}, {"a"}], counts, M)  # atoms 6 and 8
    assert not safe_to_show([{"a", "b", "c"}, {"a"}, {"c"}], counts, M)  # leaves b = 2
    assert not safe_to_show([{"b"}], counts, M)  # below the minimum
    assert safe_to_show([], counts, M)


# --- Properties over random org charts -------------------------------------------------------------------------

MAX_CELLS = 10  # 2^10 sets of cells for the exact brute force


@dataclass(frozen=True)
class Org:
    candidates: tuple[Candidate, ...]
    shuffled: tuple[Candidate, ...]
    respondents: dict[str, int]
    minimum: int


@st.composite
def orgs(draw: st.DrawFn) -> Org:
    """A manager tree (the root is the whole audience); each manager has 0–2 cells of their own (the root at
    least one) and 0–3 reports who manage; each cell has a random department and 0–12 respondents."""
    minimum = draw(st.integers(3, 10))
    max_depth = draw(st.integers(1, 3))
    departments = draw(st.integers(1, 3))
    parent_of: dict[int, int | None] = {}
    own: dict[int, list[str]] = {}
    cells: list[str] = []

    def grow(node: int, parent: int | None, depth: int) -> None:
        parent_of[node] = parent
        own[node] = []
        for _ in range(draw(st.integers(0 if depth else 1, 2))):
            if len(cells) < MAX_CELLS:
                cells.append(f"c{len(cells)}")
                own[node].append(cells[-1])
        if depth < max_depth:
            for _ in range(draw(st.integers(0, 3))):
                grow(len(parent_of), node, depth + 1)

    grow(0, None, 0)

    def subtree(node: int) -> frozenset[str]:
        below = [subtree(child) for child, up in parent_of.items() if up == node]
        return frozenset(own[node]).union(*below)

    department = {c: draw(st.integers(0, departments - 1)) for c in cells}
    respondents = {c: draw(st.integers(0, 12)) for c in cells}
    candidates = [Candidate("all", "Everyone", None, frozenset(cells))]
    for d in range(departments):
        in_dept = frozenset(c for c in cells if department[c] == d)
        if in_dept:
            candidates.append(Candidate(f"dept:{d}", f"Department {d}", "all", in_dept))
    for node, up in parent_of.items():
        if up is not None and subtree(node):
            parent = "all" if up == 0 else f"team:{up}"
            candidates.append(Candidate(f"team:{node}", f"Team {node}", parent, subtree(node)))
    shuffled = draw(st.permutations(candidates))
    return Org(tuple(candidates), tuple(shuffled), respondents, minimum)


@settings(max_examples=200, deadline=None)
@given(orgs())
def test_no_sum_or_difference_of_shown_figures_isolates_fewer_than_the_minimum(org: Org) -> None:
    result = disclose(org.candidates, org.respondents, org.minimum)
    check_safe(result, org.respondents, org.minimum)
    # (4) as the issue puts it: no hidden group's small count is a difference or remainder of shown figures
    assert not hidden_small_counts(org.candidates, result, org.respondents, org.minimum) & obtainable_values(
        result, org.respondents)
    assert safe_to_show([s.cells for s in result.shown], org.respondents, org.minimum)
    # every candidate is shown or hidden, once; the buckets are the only other rows
    keys = [c.key for c in org.candidates]
    real = [s.key for s in result.shown if not s.key.startswith(OTHER_PREFIX)]
    assert sorted(real + list(result.hidden)) == sorted(keys)
    for bucket in (s for s in result.shown if s.key.startswith(OTHER_PREFIX)):
        parent = result.get(bucket.parent or "")
        assert parent is not None and bucket.cells < parent.cells and not bucket.trend_allowed
        assert set(bucket.merged) <= set(result.hidden)
        siblings = [s for s in result.shown if s.parent == parent.key and s is not bucket]
        assert all(not s.cells & bucket.cells for s in siblings)


@settings(max_examples=200, deadline=None)
@given(orgs())
def test_results_are_useful_maximal_and_deterministic(org: Org) -> None:
    result = disclose(org.candidates, org.respondents, org.minimum)
    # (5) the whole audience shows whenever it has the minimum
    everyone = n(org.candidates[0].cells, org.respondents)
    assert (result.get("all") is not None) == (everyone >= org.minimum)
    # nothing hidden could be added: each hidden group with enough respondents would break the invariant
    shown = [s.cells for s in result.shown]
    for c in org.candidates:
        if c.key in result.hidden and n(c.cells, org.respondents) >= org.minimum:
            assert not safe_to_show([*shown, c.cells], org.respondents, org.minimum), c.key
    # (6) the same input gives the same output; another order of the same candidates, the same decisions
    assert disclose(org.candidates, org.respondents, org.minimum) == result
    again = disclose(org.shuffled, org.respondents, org.minimum)
    assert {s.key: (s.cells, s.respondents, s.merged) for s in again.shown} == {
        s.key: (s.cells, s.respondents, s.merged) for s in result.shown}
    assert set(again.hidden) == set(result.hidden)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sets(st.sampled_from("abcdefgh"), min_size=1), max_size=6),
    st.dictionaries(st.sampled_from("abcdefgh"), st.integers(0, 12)),
    st.integers(3, 10),
)
def test_safe_to_show_never_passes_a_leak(groups: list[set[str]], respondents: dict[str, int],
                                          minimum: int) -> None:
    """Any family of groups, not only org charts: what `safe_to_show` passes leaks nothing by brute force."""
    family = [frozenset(g) for g in groups]
    if safe_to_show(family, respondents, minimum):
        assert all(n(g, respondents) >= minimum for g in family)
        assert derivable_small_sets(family, respondents, minimum) == []


@settings(max_examples=100, deadline=None)
@given(
    st.frozensets(st.integers(0, 20), max_size=12),
    st.none() | st.frozensets(st.integers(0, 20), max_size=12),
    st.integers(3, 10),
)
def test_trend_flag_follows_the_membership_change(members: frozenset[int], previous: frozenset[int] | None,
                                                  minimum: int) -> None:
    candidates = [Candidate("all", "Everyone", None, frozenset({"a"}), members, previous)]
    shown = disclose(candidates, {"a": 12}, minimum).get("all")
    assert shown is not None
    if previous is None:
        assert not shown.trend_allowed
    else:
        changed = len(members - previous) + len(previous - members)
        assert shown.trend_allowed == (changed == 0 or changed >= minimum)
