"""Allocating a cohort into mixed groups: the bounds in docs/grouping.md, for random cohorts."""

from __future__ import annotations

import math
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from learning.grouping import (
    Allocation,
    Learner,
    allocate,
    group_count,
    mix_report,
    move,
    sector_of,
)
from learning.professions import CODES, Sector

# Weights from even to very lopsided, so some professions are common and some rare.
WEIGHTS = st.sampled_from([1, 1, 2, 3, 5, 10, 40, 200])


@st.composite
def cohorts(draw, max_size: int = 300) -> list[Learner]:
    """A cohort of 1 to ``max_size`` learners with a skewed mix of professions."""
    n = draw(st.integers(1, max_size))
    # "" stands for a learner who has not given a profession (the "other" sector).
    palette = draw(st.lists(st.sampled_from((*CODES, "")), min_size=1, max_size=12, unique=True))
    weights = draw(st.lists(WEIGHTS, min_size=len(palette), max_size=len(palette)))
    total = sum(weights)
    counts = [n * w // total for w in weights]
    counts[0] += n - sum(counts)
    professions = [code for code, c in zip(palette, counts, strict=True) for _ in range(c)]
    # A few learners moved to another profession, so counts are not exactly proportional.
    for position in draw(st.lists(st.integers(0, n - 1), max_size=5)):
        professions[position] = draw(st.sampled_from(palette))
    first_id = draw(st.integers(1, 10_000))
    stages = draw(st.lists(st.sampled_from(["student", "qualified"]), min_size=n, max_size=n))
    learners = [
        Learner(id=first_id + 3 * i, profession=p, stage=s)
        for i, (p, s) in enumerate(zip(professions, stages, strict=True))
    ]
    return draw(st.permutations(learners))


def how_many() -> st.SearchStrategy[dict[str, int]]:
    """Either a group size or a number of groups, as keyword arguments for allocate."""
    return st.one_of(
        st.builds(lambda size: {"size": size}, st.integers(1, 12)),
        st.builds(lambda groups: {"groups": groups}, st.integers(1, 400)),
    )


def check_mixing(groups: list[list[Learner]], cohort: list[Learner]) -> None:
    """Every bound the docs promise, for groups made from ``cohort`` with nothing locked."""
    g = len(groups)
    professions = Counter(learner.profession for learner in cohort)
    sectors = Counter(sector_of(learner.profession) for learner in cohort)
    in_group = [Counter(learner.profession for learner in group) for group in groups]
    sectors_in_group = [{sector_of(learner.profession) for learner in group} for group in groups]

    # 1. Sizes differ by at most one.
    sizes = [len(group) for group in groups]
    assert max(sizes) - min(sizes) <= 1

    # 2. Nobody's profession is over its fair share, and each profession reaches every group it can.
    for code, count in professions.items():
        assert max(c[code] for c in in_group) <= math.ceil(count / g)
        assert sum(1 for c in in_group if c[code]) == min(count, g)

    # 3. Distinct professions: the best possible minimum, spread within one.
    reach = sum(min(count, g) for count in professions.values())
    common = sum(1 for count in professions.values() if count >= g)
    distinct = [len(c) for c in in_group]
    assert min(distinct) == reach // g
    assert max(distinct) - min(distinct) <= 1
    for group, d in zip(groups, distinct, strict=True):
        assert d >= min(len(group), common)

    # Sectors: each reaches min(count, groups) groups, so every group when count >= groups.
    for sector, count in sectors.items():
        reached = sum(1 for present in sectors_in_group if sector in present)
        assert reached == min(count, g)
        if count >= g:
            assert all(sector in present for present in sectors_in_group)

    # Health and social care together.
    health, social = sectors[Sector.HEALTH], sectors[Sector.SOCIAL_CARE]
    both = sum(1 for s in sectors_in_group if {Sector.HEALTH, Sector.SOCIAL_CARE} <= s)
    assert both >= max(0, min(health, g) + min(social, g) - g)
    if health >= g or social >= g:
        assert both == min(health, social, g)


def as_learners(allocation: Allocation, cohort: list[Learner]) -> list[list[Learner]]:
    by_id = {learner.id: learner for learner in cohort}
    return [[by_id[i] for i in group] for group in allocation.groups]


def assert_partition(allocation: Allocation, cohort: list[Learner]) -> None:
    placed = [i for group in allocation.groups for i in group]
    assert sorted(placed) == sorted(learner.id for learner in cohort)
    assert all(list(group) == sorted(group) for group in allocation.groups)


# The properties ----------------------------------------------------------------------------


@given(cohorts(), how_many(), st.integers(0, 2**32))
def test_every_learner_is_in_exactly_one_group_of_the_number_asked_for(cohort, options, seed):
    allocation = allocate(cohort, seed=seed, **options)
    assert_partition(allocation, cohort)
    n = len(cohort)
    if "size" in options:
        assert len(allocation.groups) == math.ceil(n / options["size"])
    else:
        assert len(allocation.groups) == min(options["groups"], n)
    assert all(allocation.groups)


@given(cohorts(), how_many(), st.integers(0, 2**32))
def test_groups_mix_the_professions_as_far_as_the_cohort_allows(cohort, options, seed):
    allocation = allocate(cohort, seed=seed, **options)
    check_mixing(as_learners(allocation, cohort), cohort)


@given(cohorts(), how_many(), st.integers(0, 2**32), st.randoms(use_true_random=False))
def test_the_same_cohort_and_seed_give_the_same_groups_whatever_the_order(
    cohort, options, seed, random
):
    shuffled = list(cohort)
    random.shuffle(shuffled)
    assert allocate(cohort, seed=seed, **options) == allocate(shuffled, seed=seed, **options)


@settings(max_examples=50)
@given(cohorts(max_size=120), st.integers(1, 6), st.integers(0, 2**32), st.data())
def test_locked_groups_stay_and_the_rest_are_mixed_among_themselves(cohort, size, seed, data):
    first = allocate(cohort, size=size, seed=seed)
    indices = range(len(first.groups))
    to_lock = data.draw(st.sets(st.sampled_from(indices), max_size=len(first.groups)))
    locked = {index: first.groups[index] for index in to_lock}
    again = allocate(cohort, size=size, seed=seed + 1, locked=locked)

    assert_partition(again, cohort)
    assert again.locked == frozenset(locked)
    for index, members in locked.items():
        assert again.groups[index] == members
    fixed = {i for members in locked.values() for i in members}
    rest = [learner for learner in cohort if learner.id not in fixed]
    free = [g for index, g in enumerate(as_learners(again, cohort)) if index not in locked]
    assert len(free) == math.ceil(len(rest) / size)
    if rest:
        check_mixing(free, rest)


# Determinism and seeds ----------------------------------------------------------------------


def mixed_cohort(n: int) -> list[Learner]:
    """A lopsided cohort like a real one: nurses first, then social workers, then the rest."""
    shares = [
        ("nursing", 45),
        ("social-work", 20),
        ("medicine", 10),
        ("occupational-therapy", 8),
        ("housing", 5),
        ("pharmacy", 4),
        ("social-care", 4),
        ("physiotherapy", 2),
        ("paramedic-science", 1),
        ("other", 1),
    ]
    wheel = [code for code, share in shares for _ in range(share)]
    return [
        Learner(id=i, profession=wheel[(i * 37) % len(wheel)], stage="student") for i in range(n)
    ]


def test_different_seeds_permute_the_members():
    cohort = mixed_cohort(40)
    allocations = {allocate(cohort, size=5, seed=seed).groups for seed in range(10)}
    assert len(allocations) > 1


def test_a_seed_gives_the_same_groups_every_time():
    cohort = mixed_cohort(60)
    assert allocate(cohort, groups=7, seed=42) == allocate(
        list(reversed(cohort)), groups=7, seed=42
    )
    assert allocate(cohort, groups=7, seed=42).seed == 42


def test_five_thousand_learners_are_allocated_within_the_bounds():
    cohort = mixed_cohort(5000)
    for options in ({"size": 5}, {"groups": 7}, {"size": 1}):
        allocation = allocate(cohort, seed=7, **options)
        assert_partition(allocation, cohort)
        check_mixing(as_learners(allocation, cohort), cohort)


# Edge cases ---------------------------------------------------------------------------------


def test_one_learner_makes_one_group():
    learner = Learner(id=5, profession="nursing", stage="student")
    assert allocate([learner], size=4).groups == ((5,),)
    assert allocate([learner], groups=3).groups == ((5,),)


def test_nobody_to_group_makes_no_groups():
    assert allocate([], size=4).groups == ()
    assert mix_report(allocate([], groups=2), []).share == 0.0


def test_a_cohort_of_one_profession_is_split_evenly():
    cohort = [Learner(id=i, profession="nursing", stage="student") for i in range(11)]
    allocation = allocate(cohort, size=4)
    assert sorted(len(group) for group in allocation.groups) == [3, 4, 4]


def test_more_groups_than_learners_gives_one_group_each():
    cohort = mixed_cohort(4)
    allocation = allocate(cohort, groups=10)
    assert sorted(allocation.groups) == [(0,), (1,), (2,), (3,)]


def test_size_one_gives_one_group_each():
    cohort = mixed_cohort(9)
    assert len(allocate(cohort, size=1).groups) == 9


@pytest.mark.parametrize("seed", range(20))
def test_scarce_health_and_social_care_are_paired_where_a_swap_allows(seed):
    # Six pairs with two health and two social care learners: dealing alone keeps them apart.
    codes = ["nursing", "medicine", "social-work", "social-care", *["housing"] * 4, *["other"] * 4]
    cohort = [Learner(id=i, profession=code, stage="student") for i, code in enumerate(codes)]
    allocation = allocate(cohort, size=2, seed=seed)
    both = [
        index
        for index in range(len(allocation.groups))
        if {Sector.HEALTH, Sector.SOCIAL_CARE} <= allocation.sectors(index)
    ]
    assert len(both) == 2
    check_mixing(as_learners(allocation, cohort), cohort)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "either a group size or a number of groups"),
        ({"size": 3, "groups": 2}, "either a group size or a number of groups"),
        ({"size": 0}, "group size must be at least 1"),
        ({"groups": 0}, "number of groups must be at least 1"),
    ],
)
def test_the_options_must_make_sense(options, message):
    with pytest.raises(ValueError, match=message):
        allocate(mixed_cohort(5), **options)


def test_a_learner_listed_twice_is_refused():
    learner = Learner(id=1, profession="nursing", stage="student")
    with pytest.raises(ValueError, match="more than once"):
        allocate([learner, learner], size=2)


@pytest.mark.parametrize(
    ("locked", "message"),
    [
        ({0: ()}, "locked group 0 is empty"),
        ({0: (99,)}, "not in the cohort"),
        ({0: (1, 2), 1: (2, 3)}, "more than one place"),
        ({9: (1,)}, "out of range"),
    ],
)
def test_locked_groups_must_make_sense(locked, message):
    with pytest.raises(ValueError, match=message):
        allocate(mixed_cohort(6), size=3, locked=locked)


def test_locked_groups_count_toward_the_number_of_groups_asked_for():
    cohort = mixed_cohort(20)
    allocation = allocate(cohort, groups=4, locked={2: (0, 1, 2)})
    assert len(allocation.groups) == 4
    assert allocation.groups[2] == (0, 1, 2)
    every_group_locked = allocate(cohort, groups=1, locked={0: (0, 1, 2)})
    assert len(every_group_locked.groups) == 2


def test_group_count_follows_the_size_or_the_number():
    assert group_count(11, size=5) == 3
    assert group_count(11, groups=20) == 11
    assert group_count(0, size=5) == 0


# Moving by hand and showing the mix ---------------------------------------------------------


def test_a_trainer_can_move_a_learner_by_hand_even_into_a_locked_group():
    cohort = mixed_cohort(10)
    allocation = allocate(cohort, size=5, locked={0: (0, 1, 2, 3, 4)})
    moved = move(allocation, 9, 0)
    assert moved.groups[0] == (0, 1, 2, 3, 4, 9)
    assert 9 not in moved.groups[1]
    assert moved.group_of(9) == 0
    assert moved.locked == allocation.locked
    assert move(moved, 9, 0) == moved


def test_moving_to_a_group_that_does_not_exist_is_refused():
    allocation = allocate(mixed_cohort(10), size=5)
    with pytest.raises(ValueError, match="no group 2"):
        move(allocation, 1, 2)
    with pytest.raises(KeyError):
        move(allocation, 99, 0)


def test_allocation_helpers_count_professions_and_sectors():
    cohort = [
        Learner(id=1, profession="nursing", stage="student"),
        Learner(id=2, profession="nursing", stage="student"),
        Learner(id=3, profession="social-work", stage="student"),
    ]
    allocation = allocate(cohort, groups=1)
    assert allocation.profession_counts(0) == {"nursing": 2, "social-work": 1}
    assert allocation.sectors(0) == {Sector.HEALTH, Sector.SOCIAL_CARE}
    assert allocation.sector_counts(0)[Sector.HOUSING] == 0


def test_the_mix_report_says_which_groups_meet_the_rule_and_why_not():
    cohort = [
        Learner(id=1, profession="nursing", stage="student"),
        Learner(id=2, profession="social-work", stage="qualified"),
        Learner(id=3, profession="housing", stage="student"),
        Learner(id=4, profession="nursing", stage="student"),
        Learner(id=5, profession="medicine", stage="qualified"),
    ]
    allocation = Allocation(
        groups=((1, 2, 3), (4, 5)),
        professions={learner.id: learner.profession for learner in cohort},
    )
    report = mix_report(allocation, cohort)
    assert report.professions_needed == 3
    assert report.needs_health_and_social_care
    first, second = report.groups
    assert first.meets_rule and first.shortfalls == ()
    assert first.stages == (("qualified", 1), ("student", 2))
    assert dict(first.sectors)[Sector.HOUSING] == 1
    assert not second.meets_rule
    assert second.shortfalls == ("2 professions; the rule asks for 3", "no social care")
    assert (report.meeting, report.share) == (1, 0.5)


def test_the_mix_rule_asks_only_for_what_the_cohort_has():
    cohort = [Learner(id=i, profession="nursing", stage="student") for i in range(4)]
    report = mix_report(allocate(cohort, size=2), cohort)
    assert report.professions_needed == 1
    assert not report.needs_health_and_social_care
    assert report.share == 1.0


def test_the_mix_report_needs_every_learner_in_the_allocation():
    cohort = mixed_cohort(6)
    with pytest.raises(ValueError, match="not in the list"):
        mix_report(allocate(cohort, size=3), cohort[:3])
