"""Verdicts at the lines the rules draw (plans/progress.py): a target exactly one level gap from the baseline, a
running total whose baseline already meets its target, a figure exactly one year old. Base year 2020."""

import functools

import pytest

from plans.progress import Milestone, expected, method
from tests.plans import judging
from tests.plans.judging import BASE

judge = functools.partial(judging.judge, as_of=2022)


def test_a_rate_whose_target_is_exactly_half_a_point_above_the_baseline_is_judged_by_holding_the_level():
    # 98.5 -> 99 is the default gap of a rate (0.5 points): the pace is not measured; 98.2 is above the floor 98.0.
    verdict = judge({2020: 98.5, 2022: 98.2}, [Milestone(2025, 99)], is_rate=True)
    assert (verdict.status, verdict.ratio) == ("on_track", None)
    assert "98" in verdict.explanation
    # Below the floor by a little more than float noise: regressing.
    assert judge({2020: 98.5, 2022: 97.9}, [Milestone(2025, 99)], is_rate=True).status == "regressing"
    # A hundredth further away and the pace counts: 98.2 is behind the baseline on the way to 99.01.
    verdict = judge({2020: 98.5, 2022: 98.2}, [Milestone(2025, 99.01)], is_rate=True)
    assert verdict.status == "regressing" and verdict.ratio < 0


def test_the_method_names_the_small_gap_rule_up_to_the_gap_and_the_pace_beyond_it():
    def rule(target, **options):
        return method(
            milestones=[Milestone(2025, target)],
            baseline=(BASE, 98.5),
            direction="increase",
            ahead_at=1.1,
            on_track_at=0.9,
            is_rate=True,
            **options,
        )

    small = rule(99)
    assert (small.rule, small.level_gap, small.floor, small.gap_is_default) == ("small_gap", 0.5, 98.0, True)
    assert small.path == ()
    paced = rule(99.01)
    assert paced.rule == "pace" and paced.path == ((BASE, 98.5), (2025, 99.01)) and paced.floor is None
    # A plan's own gap replaces the default.
    assert rule(99.01, level_gap=1).rule == "small_gap"
    assert rule(99.01, level_gap=1).gap_is_default is False


def test_a_count_whose_target_is_exactly_one_percent_above_the_baseline_holds_the_level():
    # Not a rate: the default gap is 1% of the target, 2 of 200; 198 -> 200 is within it.
    assert judge({2020: 198, 2022: 197}, [Milestone(2025, 200)]).status == "on_track"
    assert judge({2020: 198, 2022: 195.9}, [Milestone(2025, 200)]).status == "regressing"
    # 197.9 -> 200 is beyond it, and the pace counts: 198 in 2022 covers 0.1 of the path's 0.84 so far.
    assert judge({2020: 197.9, 2022: 198}, [Milestone(2025, 200)]).status == "lagging"


def test_a_running_total_whose_baseline_already_meets_its_target_holds_that_level():
    # 4 counties by 2020 and a target of 4 by 2025: a level to hold, not a pace from nothing.
    held = judge({2020: 4, 2022: 4}, [Milestone(2025, 4)], cumulative=True)
    assert (held.status, held.hold_level, held.baseline, held.share, held.ratio) == (
        "achieved",
        True,
        (BASE, 4.0),
        None,
        None,
    )
    lost = judge({2020: 4, 2022: 3}, [Milestone(2025, 4)], cumulative=True)
    assert (lost.status, lost.hold_level, lost.ratio) == ("regressing", True, None)
    # Without a baseline row the running total starts from nothing: 3 of 4 by 2022 is ahead of the path's 1.6.
    fresh = judge({2022: 3}, [Milestone(2025, 4)], cumulative=True)
    assert (fresh.status, fresh.hold_level, fresh.baseline) == ("ahead", False, (BASE, 0.0))


def test_a_figure_one_year_old_is_current_and_two_years_old_is_stale():
    values, target = {2020: 10, 2022: 12}, [Milestone(2025, 15)]
    # 12 in 2022 is where the path from 10 to 15 stands then.
    assert judge(values, target, as_of=2023).status == "on_track"
    stale = judge(values, target, as_of=2024)
    assert (stale.status, stale.earlier_status) == ("stale", "on_track")


@pytest.mark.parametrize(("latest", "status"), [(14.99, "lagging"), (15, "on_track")])
def test_a_milestone_is_met_at_its_value_not_a_hair_below(latest, status):
    # 15 by 2023 on the way to 20 by 2025: 14.99 misses the milestone; 15 meets it and is on the path.
    values = {2020: 10, 2022: 14, 2023: latest}
    assert judge(values, [Milestone(2023, 15), Milestone(2025, 20)], as_of=2023).status == status


def test_a_milestone_dated_in_the_base_year_is_no_point_of_the_path():
    rules = method(
        milestones=[Milestone(BASE, 5), Milestone(2025, 10)],
        baseline=(BASE, 4),
        direction="increase",
        ahead_at=1.1,
        on_track_at=0.9,
    )
    assert rules.path == ((BASE, 4), (2025, 10))
    # The path a page draws starts from the baseline too: 4 in 2020 to 10 in 2025 stands at 6.4 in 2022.
    assert expected(BASE, 4, [Milestone(BASE, 5), Milestone(2025, 10)], 2022) == pytest.approx(6.4)
