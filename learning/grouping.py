"""Allocating a cohort's learners into groups that mix the professions: pure, no Flask, no database.

:func:`allocate` deals learners into groups so that each profession is spread as evenly as it can
be; :func:`move` is a trainer's change by hand; :func:`mix_report` gives the rows a page shows.
The algorithm and exactly what it guarantees are written up in ``docs/grouping.md``; the
guarantees are the ones ``tests/test_grouping.py`` proves with hypothesis.

A profession code that is not on the controlled list (an empty one, say) is treated as a
profession of its own in the "other" sector, so an incomplete profile never stops allocation.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from learning.professions import BY_CODE, Sector

#: How many partner groups the health/social care pairing pass tries for each group, which keeps
#: the pass linear in the cohort's size.
PAIRING_TRIES = 32

# The rare learners of one sector are dealt next to each other; health first and social care last
# so that, when the rare block wraps round the groups, the two sectors meet in the same groups.
_RARE_SECTOR_ORDER = {Sector.HEALTH: 0, Sector.HOUSING: 1, Sector.OTHER: 2, Sector.SOCIAL_CARE: 3}


@dataclass(frozen=True, slots=True)
class Learner:
    """What allocation needs to know about a learner."""

    id: int
    profession: str
    stage: str


@dataclass(frozen=True, slots=True)
class Allocation:
    """Groups of learner ids, each sorted; ``locked`` holds the indices of groups fixed by hand."""

    groups: tuple[tuple[int, ...], ...]
    #: learner id -> profession code, for every learner in a group.
    professions: Mapping[int, str] = field(hash=False)
    locked: frozenset[int] = frozenset()
    seed: int = 0

    def group_of(self, learner_id: int) -> int:
        """The index of the group this learner is in; KeyError if they are in none."""
        for index, members in enumerate(self.groups):
            if learner_id in members:
                return index
        raise KeyError(learner_id)

    def profession_counts(self, index: int) -> dict[str, int]:
        """Profession code -> learners in group ``index``, largest first, then by code."""
        counts = Counter(self.professions[i] for i in self.groups[index])
        return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))

    def sector_counts(self, index: int) -> dict[Sector, int]:
        """Sector -> learners in group ``index``, every sector listed, in the sectors' order."""
        counts = Counter(sector_of(self.professions[i]) for i in self.groups[index])
        return {sector: counts[sector] for sector in Sector}

    def sectors(self, index: int) -> frozenset[Sector]:
        """The sectors present in group ``index``."""
        return frozenset(sector_of(self.professions[i]) for i in self.groups[index])


def sector_of(code: str) -> Sector:
    """The sector of a profession code; codes off the controlled list count as "other"."""
    known = BY_CODE.get(code)
    return known.sector if known else Sector.OTHER


# Allocating ---------------------------------------------------------------------------------


def group_count(learners: int, *, size: int | None = None, groups: int | None = None) -> int:
    """How many groups ``learners`` people make: ``ceil(learners / size)``, or ``groups`` capped
    at ``learners``; never fewer than one unless there is nobody to group."""
    if learners < 0:
        raise ValueError("the number of learners cannot be negative")
    if size is not None and groups is None:
        if size < 1:
            raise ValueError("a group size must be at least 1")
        return math.ceil(learners / size)
    if groups is not None and size is None:
        if groups < 1:
            raise ValueError("the number of groups must be at least 1")
        return min(groups, learners)
    raise ValueError("give either a group size or a number of groups")


def allocate(
    learners: Iterable[Learner],
    *,
    size: int | None = None,
    groups: int | None = None,
    seed: int = 0,
    locked: Mapping[int, Collection[int]] | None = None,
) -> Allocation:
    """Allocate learners into mixed groups of about ``size``, or into ``groups`` groups.

    ``locked`` maps a group index to the ids of the learners a trainer fixed there: those groups
    come back exactly as given, at the same index, and everybody else is allocated into the other
    groups as a cohort of their own. The same learners (in any order), options and seed always
    give the same allocation.
    """
    cohort = sorted(learners, key=lambda learner: learner.id)
    ids = [learner.id for learner in cohort]
    if len(set(ids)) != len(ids):
        repeated = sorted(i for i, n in Counter(ids).items() if n > 1)
        raise ValueError(f"learners listed more than once: {repeated}")
    locked = locked or {}
    fixed = _check_locked(locked, set(ids))
    free = [learner for learner in cohort if learner.id not in fixed]

    group_count(len(cohort), size=size, groups=groups)  # the options are checked even if unused
    if locked and groups is not None and size is None:
        # Locked groups use up part of the number asked for, but free learners get at least one.
        groups = max(groups - len(locked), 1)
    count = group_count(len(free), size=size, groups=groups)

    dealt = _deal(free, count, seed)
    total = count + len(locked)
    out_of_range = sorted(index for index in locked if not 0 <= index < total)
    if out_of_range:
        raise ValueError(f"locked group numbers out of range (0 to {total - 1}): {out_of_range}")
    free_groups = iter(dealt)
    result = []
    for index in range(total):
        if index in locked:
            result.append(tuple(sorted(locked[index])))
        else:
            result.append(tuple(sorted(learner.id for learner in next(free_groups))))
    return Allocation(
        groups=tuple(result),
        professions=MappingProxyType({learner.id: learner.profession for learner in cohort}),
        locked=frozenset(locked),
        seed=seed,
    )


def _check_locked(locked: Mapping[int, Collection[int]], known: set[int]) -> set[int]:
    """Every learner id in a locked group, after checking the locked groups make sense."""
    fixed: set[int] = set()
    for index, members in sorted(locked.items()):
        if not members:
            raise ValueError(f"locked group {index} is empty")
        unknown = sorted(set(members) - known)
        if unknown:
            raise ValueError(f"locked group {index} has learners not in the cohort: {unknown}")
        twice = sorted(fixed & set(members))
        if twice or len(set(members)) != len(members):
            raise ValueError(f"learners locked into more than one place: {twice or members}")
        fixed |= set(members)
    return fixed


def _key(seed: int, *parts: object) -> bytes:
    """A shuffle key that depends only on the seed and the parts, never on input order."""
    text = ":".join(str(part) for part in (seed, *parts))
    return hashlib.blake2b(text.encode(), digest_size=8).digest()


def _deal(learners: Sequence[Learner], count: int, seed: int) -> list[list[Learner]]:
    """Deal learners round the groups in an order that keeps each profession and sector together.

    Dealing a run of ``c`` consecutive learners round ``count`` groups puts ``floor(c / count)``
    or ``ceil(c / count)`` of them in every group, and when ``c < count`` puts them in ``c``
    different groups. Common professions (at least ``count`` learners) come first; rare ones
    follow as one run, sector by sector, so every group gets an equal share of rare learners
    and each sector reaches as many groups as it can.
    """
    if count == 0:
        return []
    professions = Counter(learner.profession for learner in learners)

    def order(learner: Learner) -> tuple[object, ...]:
        code = learner.profession
        shuffle = (_key(seed, "profession", code), code, _key(seed, "learner", learner.id))
        if professions[code] >= count:
            return (0, -professions[code], *shuffle)
        return (1, _RARE_SECTOR_ORDER[sector_of(code)], *shuffle)

    offset = int.from_bytes(_key(seed, "offset"), "big") % count
    dealt: list[list[Learner]] = [[] for _ in range(count)]
    for position, learner in enumerate(sorted(learners, key=order)):
        dealt[(offset + position) % count].append(learner)
    _pair_health_with_social_care(dealt)
    return dealt


def _pair_health_with_social_care(groups: list[list[Learner]]) -> None:
    """Swap learners so more groups hold both health and social care, when both are scarce.

    Only needed when each sector has fewer learners than there are groups (otherwise dealing has
    already done all that is possible). Each swap gives a group that has social care but no
    health the lone health learner of a group that has health but no social care, in exchange
    for a learner whose profession is new to that group, so that every group keeps its size,
    its number of professions and its sectors' reach, and no fair share is exceeded.
    """
    count = len(groups)
    in_sector = Counter(sector_of(learner.profession) for group in groups for learner in group)
    if in_sector[Sector.HEALTH] >= count or in_sector[Sector.SOCIAL_CARE] >= count:
        return
    professions = [Counter(learner.profession for learner in group) for group in groups]
    sectors = [Counter(sector_of(learner.profession) for learner in group) for group in groups]
    wanting = [
        i for i in range(count) if sectors[i][Sector.SOCIAL_CARE] and not sectors[i][Sector.HEALTH]
    ]
    spare = [
        i for i in range(count) if sectors[i][Sector.HEALTH] and not sectors[i][Sector.SOCIAL_CARE]
    ]
    for a in wanting:
        for tried, b in enumerate(spare[:PAIRING_TRIES]):
            y = _exchangeable(groups[a], professions[a], sectors[a], professions[b], sectors[b])
            if y is None:
                continue
            x = next(
                learner for learner in groups[b] if sector_of(learner.profession) is Sector.HEALTH
            )
            groups[a].remove(y)
            groups[b].remove(x)
            groups[a].append(x)
            groups[b].append(y)
            for learner, leaving, joining in ((x, b, a), (y, a, b)):
                professions[leaving][learner.profession] -= 1
                professions[joining][learner.profession] += 1
                sectors[leaving][sector_of(learner.profession)] -= 1
                sectors[joining][sector_of(learner.profession)] += 1
            del spare[tried]
            break


def _exchangeable(
    members: Sequence[Learner],
    professions: Counter[str],
    sectors: Counter[Sector],
    partner_professions: Counter[str],
    partner_sectors: Counter[Sector],
) -> Learner | None:
    """A learner who can leave for the partner group without losing anything on either side."""
    for learner in members:
        sector = sector_of(learner.profession)
        if (
            sector not in (Sector.HEALTH, Sector.SOCIAL_CARE)
            and professions[learner.profession] == 1
            and not partner_professions[learner.profession]
            and (sectors[sector] > 1 or not partner_sectors[sector])
        ):
            return learner
    return None


# Changing by hand ---------------------------------------------------------------------------


def move(allocation: Allocation, learner_id: int, to_group_index: int) -> Allocation:
    """The allocation with one learner moved into another group; locks do not stop a trainer."""
    if not 0 <= to_group_index < len(allocation.groups):
        raise ValueError(f"there is no group {to_group_index}")
    from_index = allocation.group_of(learner_id)
    if from_index == to_group_index:
        return allocation
    groups = list(allocation.groups)
    groups[from_index] = tuple(i for i in groups[from_index] if i != learner_id)
    groups[to_group_index] = tuple(sorted((*groups[to_group_index], learner_id)))
    return Allocation(
        groups=tuple(groups),
        professions=allocation.professions,
        locked=allocation.locked,
        seed=allocation.seed,
    )


# Showing the mix ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GroupMix:
    """One group's row: who is in it, its mix, and whether it meets the mix rule."""

    index: int
    learner_ids: tuple[int, ...]
    locked: bool
    #: (profession code, learners), largest first.
    professions: tuple[tuple[str, int], ...]
    #: (sector, learners) for every sector, in the sectors' order.
    sectors: tuple[tuple[Sector, int], ...]
    #: (stage, learners), by stage.
    stages: tuple[tuple[str, int], ...]
    meets_rule: bool
    #: Why the rule is missed, in plain English; empty when it is met.
    shortfalls: tuple[str, ...]

    @property
    def size(self) -> int:
        """How many learners the group has."""
        return len(self.learner_ids)


@dataclass(frozen=True, slots=True)
class MixReport:
    """Every group's mix and the share of groups meeting the mix rule."""

    groups: tuple[GroupMix, ...]
    #: Distinct professions a group needs: the rule's number, or all the cohort has if fewer.
    professions_needed: int
    #: Whether a group needs both health and social care (the cohort has both).
    needs_health_and_social_care: bool

    @property
    def meeting(self) -> int:
        """How many groups meet the mix rule."""
        return sum(group.meets_rule for group in self.groups)

    @property
    def share(self) -> float:
        """The fraction of groups meeting the rule; 0.0 when there are no groups."""
        return self.meeting / len(self.groups) if self.groups else 0.0


def mix_report(
    allocation: Allocation, learners: Iterable[Learner], *, min_professions: int = 3
) -> MixReport:
    """Each group's mix against the mix rule, for display.

    A group meets the rule when it has at least ``min_professions`` professions (or every
    profession the cohort has, if fewer) and, where the cohort has both health and social care
    learners, at least one of each.
    """
    by_id = {learner.id: learner for learner in learners}
    missing = sorted(i for members in allocation.groups for i in members if i not in by_id)
    if missing:
        raise ValueError(f"learners in the allocation but not in the list: {missing}")
    cohort = [by_id[i] for members in allocation.groups for i in members]
    needed = min(min_professions, len({learner.profession for learner in cohort}))
    cohort_sectors = {sector_of(learner.profession) for learner in cohort}
    both = {Sector.HEALTH, Sector.SOCIAL_CARE} <= cohort_sectors
    rows = []
    for index, members in enumerate(allocation.groups):
        group = [by_id[i] for i in members]
        professions = Counter(learner.profession for learner in group)
        sectors = Counter(sector_of(learner.profession) for learner in group)
        shortfalls = []
        if len(professions) < needed:
            shortfalls.append(f"{len(professions)} professions; the rule asks for {needed}")
        if both:
            shortfalls.extend(
                f"no {sector.label.lower()}"
                for sector in (Sector.HEALTH, Sector.SOCIAL_CARE)
                if not sectors[sector]
            )
        rows.append(
            GroupMix(
                index=index,
                learner_ids=members,
                locked=index in allocation.locked,
                professions=tuple(sorted(professions.items(), key=lambda p: (-p[1], p[0]))),
                sectors=tuple((sector, sectors[sector]) for sector in Sector),
                stages=tuple(sorted(Counter(learner.stage for learner in group).items())),
                meets_rule=not shortfalls,
                shortfalls=tuple(shortfalls),
            )
        )
    return MixReport(
        groups=tuple(rows), professions_needed=needed, needs_health_and_social_care=both
    )
