"""Which groups' pulse results may be shown, so that no figure, nor any sum or difference of figures, tells what
fewer than the minimum of respondents answered (docs/pulse-anonymity.md).

An answer records only its *cell* (models/pulse/cells.py); a group results are shown for (the whole audience, a
department, a manager's team) is a set of cells, and the number of respondents of a set of cells is the sum over
its cells. Here cell keys are opaque strings; only their respondent counts matter.

Rules
-----
1. **Threshold.** A group is shown only with at least `minimum` respondents (default 5, allowed 3–10). Free-text
   answers follow their group: they show only where its figures show.
2. **No subtraction.** Whatever someone does with the shown figures (a parent minus its shown children, one
   filter minus another that almost covers it, a parent minus two overlapping children plus what they share,
   or any longer chain), they never isolate a set of respondents smaller than the minimum.
3. **Trends.** A group's comparison with the previous wave is allowed only when the people asked changed by 0 or
   at least `minimum` (those who joined plus those who left); otherwise the difference between the two waves
   would be about the few who came or went. The current figures may still show.

How rule 2 is kept: atoms
-------------------------
Take the shown groups and put two cells in the same *atom* when exactly the same shown groups contain them (the
regions of a Venn diagram of the shown groups; cells in no shown group are in no atom). Every figure we show is
additive (a count of respondents, of each answer, a sum of scores), so any combination an onlooker makes,
`a₁·figure(G₁) + a₂·figure(G₂) + …`, weighs every respondent of an atom alike: all cells of an atom lie in the
same groups, so get the same weight. For the combination to be the figure of some set of respondents, every
weight must be 0 or 1, so that set is a union of whole atoms. Hence the invariant

    every atom of the shown groups has 0 respondents or at least `minimum`

makes every derivable set of respondents empty or at least `minimum` strong, with no further case to think of.
It contains the subtraction rules of the issue: (a) a parent minus its shown children is the union of the
parent's atoms in none of them; (b) for two shown groups, `A \\ B` and `B \\ A` are unions of atoms (across
periods, see rule 3). It also covers what those two rules miss. With the whole audience `{x, y, z}` shown, a
department `{x, y}` and a team `{y, z}` pass (b) (`{x}` and `{z}` may be large) and leave nothing of the
audience outside them for (a), yet `dept + team - all = y`: their overlap is derived. The invariant hides one
of the two when `y` is small.

It can hide more than strictly needed: an atom may be small without being derivable (the overlap of two crossing
groups when no shown group is exactly their union). We accept that: it becomes derivable as soon as one is (as
above), and deciding exactly which sets are derivable is an integer program, not a check to run per candidate.

The algorithm (greedy, deterministic)
-------------------------------------
1. Candidates are taken in a stable priority order: groups without a parent (the whole audience) first, then
   more respondents before fewer, ties by key. Input order does not matter.
2. A candidate is shown when it has at least `minimum` respondents and the atoms of the groups already shown
   plus this one still satisfy the invariant (only the atoms it splits, and the part of it no shown group
   covered yet, need checking). Otherwise it is hidden.
3. Then, for each shown group in the same order, its hidden children (the candidates whose `parent` is its key)
   are merged into an "Other" bucket (`other:<parent key>`): the cells of the parent that are in a hidden child
   and in no shown child. The bucket is shown under the same two conditions, else dropped without a trace.
   When the children partition the parent, it is exactly "the rest", already derivable and safe to show. A
   bucket that would be the whole parent (no child shown, nothing outside the children) is not made.
Each step keeps the invariant, so the result is safe after every step, and no "hide more children later" pass
is needed: a parent-minus-children remainder below the minimum can never appear. The result is also maximal:
any hidden candidate with enough respondents would break the invariant if added (adding groups only splits
atoms further, so a piece that was too small stays too small).

Trend flags come from the invited members (`members`, `previous_members`), per group; an "Other" bucket never
has a trend (what it merges may differ from one wave to the next).

`Disclosure.hidden` names hidden candidates by key only: a hidden group's count must appear nowhere, not even
in a log. `safe_to_show` checks any family of shown cell sets against rules 1 and 2 (the tests use it, and an
independent brute force).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

DEFAULT_MINIMUM = 5
LOWEST_MINIMUM = 3
HIGHEST_MINIMUM = 10
OTHER_PREFIX = "other:"
OTHER_LABEL = "Other"


@dataclass(frozen=True)
class Candidate:
    """A group results could be shown for."""

    key: str  # "all", "dept:Sales", "team:42"
    label: str
    parent: str | None  # the group it sits in for the "parent and children" rule ("all" for departments, top teams)
    cells: frozenset[str]
    members: frozenset[int] = frozenset()  # person ids asked this wave
    previous_members: frozenset[int] | None = None  # asked in the previous wave (None: there was none)


@dataclass(frozen=True)
class Shown:
    """A group whose results may be shown, with its number of respondents."""

    key: str
    label: str
    parent: str | None
    cells: frozenset[str]
    respondents: int
    trend_allowed: bool
    merged: tuple[str, ...] = ()  # for an "Other" bucket: the hidden groups whose remaining cells it holds

    @property
    def is_other(self) -> bool:
        return bool(self.merged)


@dataclass(frozen=True)
class Disclosure:
    """What may be shown: groups in the candidates' order, each "Other" bucket right after the last shown group
    under the same parent (or after the parent when none is shown); hidden candidates by key only."""

    shown: tuple[Shown, ...]
    hidden: tuple[str, ...]

    def get(self, key: str) -> Shown | None:
        return next((s for s in self.shown if s.key == key), None)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.shown)


def count(cells: Iterable[str], respondents: Mapping[str, int]) -> int:
    """Respondents in a set of cells (a cell not in `respondents` has none)."""
    return sum(respondents.get(c, 0) for c in cells)


def trend_allowed(members: AbstractSet[int], previous_members: AbstractSet[int] | None, minimum: int) -> bool:
    """Whether a group's results may be compared with the previous wave: there was one, and the people asked
    changed (joined plus left) by 0 or at least `minimum`."""
    if previous_members is None:
        return False
    changed = len(members ^ previous_members)
    return changed == 0 or changed >= minimum


def atoms(groups: Iterable[AbstractSet[str]]) -> list[frozenset[str]]:
    """The cells of `groups` split by membership: two cells share an atom when exactly the same groups hold them."""
    pattern: dict[str, list[int]] = {}
    for i, group in enumerate(groups):
        for cell in group:
            pattern.setdefault(cell, []).append(i)
    by_pattern: dict[tuple[int, ...], set[str]] = {}
    for cell, where in pattern.items():
        by_pattern.setdefault(tuple(where), set()).add(cell)
    return [frozenset(cells) for _, cells in sorted(by_pattern.items())]


def _ok(n: int, minimum: int) -> bool:
    return n == 0 or n >= minimum


def safe_to_show(groups: Iterable[AbstractSet[str]], respondents: Mapping[str, int], minimum: int) -> bool:
    """Whether showing every group of `groups` (sets of cells) keeps rules 1 and 2: each group has at least
    `minimum` respondents and each atom 0 or at least `minimum`, so no sum or difference of their figures
    isolates fewer than `minimum` respondents."""
    family = [frozenset(g) for g in groups]
    if any(count(g, respondents) < minimum for g in family):
        return False
    return all(_ok(count(atom, respondents), minimum) for atom in atoms(family))


class _Atoms:
    """The atoms of the groups shown so far, with their respondents."""

    def __init__(self, respondents: Mapping[str, int], minimum: int) -> None:
        self._respondents = respondents
        self._minimum = minimum
        self._atoms: list[frozenset[str]] = []
        self._covered: set[str] = set()

    def _split(self, cells: frozenset[str]) -> list[frozenset[str]] | None:
        """The atoms once `cells` is shown too, or None when one of them would be too small."""
        out: list[frozenset[str]] = []
        for atom in self._atoms:
            inside = atom & cells
            if not inside or inside == atom:
                out.append(atom)
                continue
            outside = atom - inside
            if not (_ok(count(inside, self._respondents), self._minimum)
                    and _ok(count(outside, self._respondents), self._minimum)):
                return None
            out += [inside, outside]
        new = cells - self._covered
        if new:
            if not _ok(count(new, self._respondents), self._minimum):
                return None
            out.append(frozenset(new))
        return out

    def add(self, cells: frozenset[str]) -> bool:
        """Show `cells` if the invariant still holds; say whether it was."""
        split = self._split(cells)
        if split is None:
            return False
        self._atoms = split
        self._covered |= cells
        return True


def _priority(c: Candidate, respondents: Mapping[str, int]) -> tuple[bool, int, str]:
    return (c.parent is not None, -count(c.cells, respondents), c.key)


def disclose(candidates: Sequence[Candidate], respondents: Mapping[str, int],
             minimum: int = DEFAULT_MINIMUM) -> Disclosure:
    """The groups whose results may be shown this wave, and the "Other" buckets (see the module docstring).

    `respondents` maps each cell to its number of respondents this wave; `minimum` is the configured minimum of
    respondents (3–10). Raises ValueError for a minimum outside that range, a negative count, a repeated key, or
    a key starting with "other:" (reserved for the buckets)."""
    if not LOWEST_MINIMUM <= minimum <= HIGHEST_MINIMUM:
        raise ValueError(f"minimum must be between {LOWEST_MINIMUM} and {HIGHEST_MINIMUM}, not {minimum}")
    if any(n < 0 for n in respondents.values()):
        raise ValueError("respondent counts cannot be negative")
    keys = [c.key for c in candidates]
    if len(set(keys)) != len(keys):
        raise ValueError("candidate keys must be unique")
    if any(k.startswith(OTHER_PREFIX) for k in keys):
        raise ValueError(f"candidate keys cannot start with {OTHER_PREFIX!r}")

    ordered = sorted(candidates, key=lambda c: _priority(c, respondents))
    state = _Atoms(respondents, minimum)
    shown: dict[str, Shown] = {}
    for c in ordered:
        n = count(c.cells, respondents)
        if n >= minimum and state.add(c.cells):
            shown[c.key] = Shown(c.key, c.label, c.parent, c.cells, n,
                                 trend_allowed(c.members, c.previous_members, minimum))

    others: dict[str, Shown] = {}
    for parent in ordered:
        if parent.key not in shown:
            continue
        children = [c for c in ordered if c.parent == parent.key]
        hidden = [c for c in children if c.key not in shown]
        if not hidden:
            continue
        covered = {cell for c in children if c.key in shown for cell in c.cells}
        cells = frozenset(cell for c in hidden for cell in c.cells if cell in parent.cells and cell not in covered)
        if cells == parent.cells:  # no child shown and nothing else in the parent: "Other" would be the parent
            continue
        n = count(cells, respondents)
        if n >= minimum and state.add(cells):
            merged = tuple(sorted(c.key for c in hidden if c.cells & cells))
            key = OTHER_PREFIX + parent.key
            others[parent.key] = Shown(key, OTHER_LABEL, parent.key, cells, n, False, merged)

    # Output order: the candidates' own; each bucket after the last shown group under its parent, else the parent.
    anchor: dict[str, str] = {}
    for c in candidates:
        if c.key in shown and c.parent in others:
            anchor[c.parent] = c.key
    after: dict[str, list[Shown]] = {}
    for parent_key, bucket in others.items():
        after.setdefault(anchor.get(parent_key, parent_key), []).append(bucket)
    out: list[Shown] = []
    for c in candidates:
        if c.key in shown:
            out.append(shown[c.key])
            out += after.get(c.key, [])
    return Disclosure(tuple(out), tuple(c.key for c in candidates if c.key not in shown))
