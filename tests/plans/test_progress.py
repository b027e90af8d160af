"""Unit tests for indicators.progress; every expectation is worked out by hand in a comment.

The plan's base year is 2020 throughout.
"""

import os
import re
from decimal import Decimal
from itertools import pairwise

import pytest
from django.conf import settings

from plans.progress import (
    STATUS_COLOURS,
    STATUS_LABELS,
    STATUS_TEXT_COLOURS,
    Milestone,
    Projection,
    assess,
    expected,
    meets,
    needs_warning,
    project,
)
from plans.templatetags.progress_tags import figure

# Labels and sentences go through Django's translation, which reads settings. Run alone
# (-p no:django) nothing has configured them, so switch translation off; under pytest-django
# the project's settings are loaded already and stay untouched.
if not settings.configured and "DJANGO_SETTINGS_MODULE" not in os.environ:
    settings.configure(USE_I18N=False)

from tests.plans.judging import BASE, judge  # noqa: E402 (after the settings above)

# --- labels and colours ---------------------------------------------------------------


def test_labels_in_order():
    assert list(STATUS_LABELS) == [
        "achieved",
        "ahead",
        "on_track",
        "lagging",
        "regressing",
        "not_achieved",
        "in_progress",
        "stale",
        "no_data",
        "no_target",
    ]
    assert [str(label) for label in STATUS_LABELS.values()] == [
        "已实现",
        "快于预期",
        "符合预期",
        "滞后",
        "倒退",
        "未实现",
        "推进中",
        "数据未更新",
        "暂无数据",
        "无目标",
    ]


def luma(colour):
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return (0.299 * red + 0.587 * green + 0.114 * blue) / 255


def test_colours_distinct_in_grey_scale():
    assert list(STATUS_COLOURS) == list(STATUS_LABELS)
    assert all(re.fullmatch(r"#[0-9a-f]{6}", colour) for colour in STATUS_COLOURS.values())
    greys = sorted(luma(colour) for colour in STATUS_COLOURS.values())
    # Printed in black and white, neighbouring statuses still differ by 6% grey or more.
    assert min(b - a for a, b in pairwise(greys)) >= 0.06


# --- expected -----------------------------------------------------------------------------


def test_expected_single_milestone():
    milestones = [Milestone(2025, 90)]
    # 80 + (90 - 80) * 3/5 = 86
    assert expected(BASE, 80, milestones, 2023) == pytest.approx(86)
    assert expected(BASE, 80, milestones, 2020) == 80
    assert expected(BASE, 80, milestones, 2019) == 80  # before the plan: the baseline
    assert expected(BASE, 80, milestones, 2025) == 90
    assert expected(BASE, 80, milestones, 2027) == 90  # stays at the final target


def test_expected_through_two_milestones_in_year_order():
    milestones = [Milestone(2025, 75), Milestone(2023, 70)]  # given out of order
    # 60 + (70 - 60) * 1/3 = 63.33...
    assert expected(BASE, 60, milestones, 2021) == pytest.approx(60 + 10 / 3)
    assert expected(BASE, 60, milestones, 2023) == pytest.approx(70)
    # 70 + (75 - 70) * 1/2 = 72.5
    assert expected(BASE, 60, milestones, 2024) == pytest.approx(72.5)
    assert expected(BASE, 60, milestones, 2026) == 75


def test_expected_decrease_and_range():
    # Less is better: 20 + (10 - 20) * 2/5 = 16
    assert expected(BASE, 20, [Milestone(2025, 10, "≤")], 2022) == pytest.approx(16)
    # A range "3~5" runs the path to its lower end: 0 + 3 * 3/5 = 1.8
    assert expected(BASE, 0, [Milestone(2025, 3, upper=5)], 2023) == pytest.approx(1.8)


def test_expected_without_milestones_is_the_baseline():
    assert expected(BASE, 42, [], 2023) == 42


# --- meets --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "operator", "direction", "met"),
    [
        # A bare number: at least for increase, at most for decrease.
        (65, "", "increase", True),
        (64.9, "", "increase", False),
        (5, "", "decrease", True),
        (4.9, "", "decrease", True),
        (5.1, "", "decrease", False),
        # The operator decides, whatever the direction.
        (5, "≥", "increase", True),
        (4.9, "≥", "decrease", False),
        (5, ">", "increase", False),  # equal to the target is not above it
        (5.01, ">", "increase", True),
        (5, "≤", "decrease", True),
        (5.1, "≤", "decrease", False),
        (5, "<", "decrease", False),  # equal to the target is not below it
        (4.99, "<", "decrease", True),
    ],
)
def test_meets(value, operator, direction, met):
    target = 65 if operator == "" and direction == "increase" else 5
    assert meets(value, Milestone(2025, target, operator), direction) is met


def test_meets_range_at_lower_end_for_increase():
    target = Milestone(2025, 3, upper=5)  # "力争3~5个"
    assert meets(3, target, "increase")
    assert meets(4, target, "increase")
    assert not meets(2, target, "increase")


def test_meets_range_at_upper_end_for_decrease():
    assert meets(5, Milestone(2025, 3, upper=5), "decrease")
    assert not meets(5.5, Milestone(2025, 3, upper=5), "decrease")
    assert not meets(5, Milestone(2025, 3), "decrease")  # no upper: the value itself


def test_meets_rejects_unknown_operator_and_direction():
    with pytest.raises(ValueError):
        meets(1, Milestone(2025, 1, ">="), "increase")
    with pytest.raises(ValueError):
        meets(1, Milestone(2025, 1), "up")


def test_milestone_takes_decimals():
    milestone = Milestone(2025, Decimal("99.5"), ">", Decimal("100"))
    assert milestone.value == 99.5
    assert isinstance(milestone.value, float)
    assert milestone.upper == 100.0


# --- project ------------------------------------------------------------------------------


def test_project_straight_line():
    # Mean year 2021, mean value 12, slope 2: 12 + 2 * (2025 - 2021) = 20
    assert project([(2020, 10), (2021, 12), (2022, 14)], 2025) == pytest.approx(20.0)


def test_project_least_squares():
    # Mean year 2021, mean value 37/3; slope ((-1)(10 - 37/3) + (1)(14 - 37/3)) / 2 = 2;
    # 37/3 + 2 * 4 = 61/3
    assert project([(2020, 10), (2021, 13), (2022, 14)], 2025) == pytest.approx(61 / 3)


def test_project_two_points():
    # Slope (4 - 0) / 2 = 2: 0 + 2 * 5 = 10
    assert project([(2022, 4), (2020, 0)], 2025) == pytest.approx(10)


def test_project_needs_two_distinct_years():
    assert project([], 2025) is None
    assert project([(2022, 4)], 2025) is None
    assert project([(2022, 4), (2022, 5)], 2025) is None


# --- assess: no data, no target -----------------------------------------------------------


def test_no_data_with_only_a_baseline():
    result = judge({2020: 80}, [Milestone(2025, 90)])
    assert result.status == "no_data"
    assert result.baseline == (2020, 80)
    assert result.latest is None
    assert result.expected is None
    assert result.ratio is None
    assert result.met is None
    assert result.share is None
    # Tick where the path stands in 2023: (86 - 80) / (90 - 80) = 0.6
    assert result.expected_share == pytest.approx(0.6)
    assert result.projection is None  # the baseline is one point only
    assert result.explanation == "暂无2020年以后的审核通过数据"


def test_no_data_ignores_values_after_as_of_and_before_the_base_year():
    result = judge({2019: 70, 2020: 80, 2024: 85}, [Milestone(2025, 90)], as_of=2023)
    assert result.status == "no_data"
    assert result.latest is None


def test_no_target():
    result = judge({2020: 80, 2022: 85}, [])
    assert result.status == "no_target"
    assert result.latest == (2022, 85)
    assert result.final is None
    assert result.expected is None
    assert result.ratio is None
    assert result.met is None
    assert result.hold_level is False
    assert result.share is None
    assert result.expected_share is None
    assert result.projection is None
    assert result.explanation == "该地区无目标值"


# --- assess: no baseline, not cumulative --------------------------------------------------


def test_no_baseline_achieved():
    result = judge({2022: 66}, [Milestone(2025, 65)], as_of=2022)
    # 66 >= 65
    assert result.status == "achieved"
    assert result.baseline is None
    assert result.met is True
    assert result.expected is None
    assert result.ratio is None
    assert result.share is None
    assert result.expected_share is None
    assert result.projection is None  # one point and no baseline to make a second
    assert result.explanation == "2022年实际值66.00，已达到2025年目标65.00，已实现"


def test_no_baseline_in_progress_before_the_target_year():
    result = judge({2022: 60}, [Milestone(2025, 65)])
    # 60 < 65 and 2022 < 2025
    assert result.status == "in_progress"
    assert result.met is False
    assert result.explanation == "2022年实际值60.00，尚未达到2025年目标65.00，推进中"


def test_no_baseline_not_achieved_from_the_target_year():
    result = judge({2022: 60, 2025: 63}, [Milestone(2025, 65)], as_of=2025)
    # 63 < 65 in 2025
    assert result.status == "not_achieved"
    assert result.explanation == "2025年实际值63.00，未达到2025年目标65.00，未实现"
    # The 2025 figure itself says the target was missed: no trend line is drawn to 2025 any more
    assert result.projection is None
    # As of 2024 only 2022's 60 and 2024's 62 are in: slope 1, 63 in 2025, short of 65
    result = judge({2022: 60, 2024: 62}, [Milestone(2025, 65)], as_of=2024)
    assert result.projection == Projection(2025, pytest.approx(63), False)


def test_no_baseline_milestone_of_that_year_missed_is_lagging():
    milestones = [Milestone(2023, 70, ">"), Milestone(2025, 65)]
    # 70 meets 2025's 65 but is not above 2023's 70: a milestone fallen due and missed (rule 6)
    result = judge({2023: 70}, milestones)
    assert result.status == "lagging"
    assert result.explanation == "2023年实际值70.00，未达到2023年目标>70.00，滞后"


# --- assess: pace thresholds ----------------------------------------------------------------

# Baseline 50 in 2020, target 100 in 2025; as of 2022 the path expects
# 50 + 50 * 2/5 = 70, so R = (A - 50) / 20.


@pytest.mark.parametrize(
    ("actual", "ratio", "status"),
    [
        (80, 1.5, "ahead"),  # 30 / 20
        (72, 1.1, "ahead"),  # 22 / 20, exactly at 1.10
        (71.8, 1.09, "on_track"),  # 21.8 / 20, just below 1.10
        (70, 1.0, "on_track"),  # 20 / 20
        (68, 0.9, "on_track"),  # 18 / 20, exactly at 0.90
        (67.8, 0.89, "lagging"),  # 17.8 / 20, just below 0.90
        (50.2, 0.01, "lagging"),  # 0.2 / 20
        (50, 0.0, "lagging"),  # no change at all is still R >= 0
        (49.8, -0.01, "regressing"),  # -0.2 / 20
    ],
)
def test_pace_thresholds(actual, ratio, status):
    result = judge({2020: 50, 2022: actual}, [Milestone(2025, 100)], as_of=2022)
    assert result.status == status
    assert result.expected == pytest.approx(70)
    assert result.ratio == pytest.approx(ratio)
    assert result.met is False


def test_pace_at_the_threshold_despite_float_noise():
    # Expected in 2023: 80 + 10 * 3/5 = 86; R = 6.6 / 6 = 1.10, which floats give as 1.0999999999999990
    result = judge({2020: 80, 2023: 86.6}, [Milestone(2025, 90)])
    assert result.status == "ahead"


def test_custom_thresholds():
    # R = 22 / 20 = 1.1 and 18 / 20 = 0.9 as above
    options = {"ahead_at": 1.5, "on_track_at": 1.0}
    assert judge({2020: 50, 2022: 72}, [Milestone(2025, 100)], as_of=2022, **options).status == "on_track"
    assert judge({2020: 50, 2022: 68}, [Milestone(2025, 100)], as_of=2022, **options).status == "lagging"


def test_pace_explanation():
    # Expected in 2023: 80 + 5 * 3/5 = 83; R = 3.2 / 3 = 1.07
    result = judge({2020: 80, 2023: 83.2}, [Milestone(2025, 85)])
    assert result.status == "on_track"
    assert result.expected == pytest.approx(83)
    assert result.ratio == pytest.approx(3.2 / 3)
    assert result.explanation == "2023年实际值83.20，按进度应达83.00，符合预期"


def test_explanation_decimals():
    result = judge({2020: 80, 2023: 83.2}, [Milestone(2025, 85)], decimals=1)
    assert result.explanation == "2023年实际值83.2，按进度应达83.0，符合预期"


@pytest.mark.parametrize(
    ("actual", "status", "words"),
    [
        (78, "ahead", "快于预期"),  # 8 / 6 = 1.33
        (75, "lagging", "滞后"),  # 5 / 6 = 0.83
        (69, "regressing", "倒退"),  # -1 / 6
    ],
)
def test_pace_explanation_per_status(actual, status, words):
    # Expected in 2022: 70 + 15 * 2/5 = 76
    result = judge({2020: 70, 2022: actual}, [Milestone(2025, 85)], as_of=2022)
    assert result.status == status
    assert result.explanation == f"2022年实际值{actual:.2f}，按进度应达76.00，{words}"


# --- assess: achieved and not achieved ----------------------------------------------------


def test_achieved_before_the_target_year():
    result = judge({2020: 50, 2024: 66}, [Milestone(2025, 65)], as_of=2024)
    # 66 >= 65
    assert result.status == "achieved"
    assert result.met is True
    # Expected in 2024: 50 + 15 * 4/5 = 62; R = 16 / 12 = 1.33, kept for information
    assert result.expected == pytest.approx(62)
    assert result.ratio == pytest.approx(16 / 12)
    assert result.share == 1.0  # 16 / 15 clamped
    assert result.expected_share == pytest.approx(0.8)  # 12 / 15
    assert result.explanation == "2024年实际值66.00，已达到2025年目标65.00，已实现"


def test_not_achieved_in_and_after_the_target_year():
    milestones = [Milestone(2025, 65)]
    # 64 < 65 in 2025
    result = judge({2020: 50, 2025: 64}, milestones, as_of=2025)
    assert result.status == "not_achieved"
    assert result.met is False
    assert result.explanation == "2025年实际值64.00，未达到2025年目标65.00，未实现"
    # 2026 is after the final year: still judged against it
    assert judge({2020: 50, 2026: 64}, milestones, as_of=2026).status == "not_achieved"
    assert judge({2020: 50, 2026: 65}, milestones, as_of=2026).status == "achieved"


def test_strict_above_target():
    milestones = [Milestone(2025, 95, ">")]
    # 95 is not above 95
    result = judge({2020: 90, 2025: 95}, milestones, as_of=2025)
    assert result.status == "not_achieved"
    assert result.met is False
    assert result.explanation == "2025年实际值95.00，未达到2025年目标>95.00，未实现"
    assert judge({2020: 90, 2025: 95.01}, milestones, as_of=2025).status == "achieved"
    # Before 2025: 95 in 2023 is not yet above 95, so the pace decides. The path aims at
    # 95.01, the first figure above 95 to two places: expected 90 + 5.01 * 3/5 = 93.006,
    # R = 5 / 3.006 = 1.66
    result = judge({2020: 90, 2023: 95}, milestones)
    assert result.status == "ahead"
    assert result.expected == pytest.approx(93.006)
    assert result.ratio == pytest.approx(5 / 3.006)


# --- assess: decrease indicators ------------------------------------------------------------

# Baseline 20 in 2020, target 10 in 2025, less is better; as of 2022 the path expects
# 20 - 10 * 2/5 = 16, so R = (A - 20) / (16 - 20).


@pytest.mark.parametrize(
    ("actual", "ratio", "status"),
    [
        (15.6, 1.1, "ahead"),  # -4.4 / -4
        (16, 1.0, "on_track"),  # -4 / -4
        (19, 0.25, "lagging"),  # -1 / -4
        (20, 0.0, "lagging"),  # 0 / -4
        (21, -0.25, "regressing"),  # 1 / -4
    ],
)
def test_decrease_pace(actual, ratio, status):
    result = judge({2020: 20, 2022: actual}, [Milestone(2025, 10)], direction="decrease", as_of=2022)
    assert result.status == status
    assert result.expected == pytest.approx(16)
    assert result.ratio == pytest.approx(ratio)


def test_decrease_plain_target():
    milestones = [Milestone(2025, 10)]
    # 10 <= 10 and 9.5 <= 10
    assert judge({2020: 20, 2024: 10}, milestones, direction="decrease", as_of=2024).status == "achieved"
    assert judge({2020: 20, 2024: 9.5}, milestones, direction="decrease", as_of=2024).status == "achieved"
    # 10.5 > 10 in 2025
    assert judge({2020: 20, 2025: 10.5}, milestones, direction="decrease", as_of=2025).status == "not_achieved"


def test_decrease_at_most():
    result = judge({2020: 20, 2024: 10}, [Milestone(2025, 10, "≤")], direction="decrease", as_of=2024)
    assert result.status == "achieved"  # 10 <= 10


def test_decrease_strictly_below():
    milestones = [Milestone(2025, 10, "<")]
    # 10 is not below 10; the path aims at 9.99: expected in 2024: 20 - 10.01 * 4/5 = 11.992;
    # R = -10 / -8.008 = 1.249
    result = judge({2020: 20, 2024: 10}, milestones, direction="decrease", as_of=2024)
    assert result.status == "ahead"
    assert result.met is False
    assert result.ratio == pytest.approx(10 / 8.008)
    assert judge({2020: 20, 2024: 9.9}, milestones, direction="decrease", as_of=2024).status == "achieved"
    assert judge({2020: 20, 2025: 10}, milestones, direction="decrease", as_of=2025).status == "not_achieved"


def test_decrease_share():
    result = judge({2020: 20, 2022: 16}, [Milestone(2025, 10)], direction="decrease", as_of=2023)
    # (16 - 20) / (10 - 20) = 0.4; the tick in 2023: (14 - 20) / (10 - 20) = 0.6
    assert result.share == pytest.approx(0.4)
    assert result.expected_share == pytest.approx(0.6)


# --- assess: holding the level ------------------------------------------------------------

HOLD = [Milestone(2025, 99, ">")]  # baseline 99.36 is above 99 already


def test_hold_level_kept_is_achieved():
    result = judge({2020: 99.36, 2022: 99.5}, HOLD, as_of=2022)
    # 99.5 > 99
    assert result.status == "achieved"
    assert result.hold_level is True
    assert result.met is True
    assert result.ratio is None
    assert result.share is None
    assert result.expected_share is None
    assert result.explanation == "2022年实际值99.50，已达到2025年目标>99.00，已实现"


def test_hold_level_lost_is_regressing():
    result = judge({2020: 99.36, 2022: 98.9}, HOLD, as_of=2022)
    # 98.9 is not above 99
    assert result.status == "regressing"
    assert result.hold_level is True
    assert result.met is False
    # The path itself runs down from 99.36 towards 99.01, one step above >99: 99.36 - 0.35 * 2/5 = 99.22
    assert result.expected == pytest.approx(99.22)
    assert result.ratio is None
    assert result.share is None
    assert result.explanation == "2022年实际值98.90，未保持在目标>99.00以上，倒退"


def test_hold_level_equal_to_strict_target_is_regressing():
    assert judge({2020: 99.36, 2022: 99}, HOLD, as_of=2022).status == "regressing"  # 99 is not above 99


def test_hold_level_lost_in_the_target_year_is_not_achieved():
    assert judge({2020: 99.36, 2025: 98.9}, HOLD, as_of=2025).status == "not_achieved"


def test_hold_level_decrease():
    milestones = [Milestone(2025, 5, "≤")]  # baseline 3 is at most 5 already
    result = judge({2020: 3, 2022: 6}, milestones, direction="decrease", as_of=2022)
    assert result.hold_level is True
    assert result.status == "regressing"  # 6 > 5
    assert result.explanation == "2022年实际值6.00，未保持在目标≤5.00以下，倒退"


def test_hold_level_missing_the_milestone_of_that_year_within_the_level_gap():
    milestones = [Milestone(2023, 99.5, ">"), Milestone(2025, 99, ">")]
    # 99.4 is above 2025's 99 but not above 2023's 99.5. |99 - 99.36| = 0.36 is within the
    # default gap of 1% of 99 = 0.99 (rule 5, before the missed milestone of rule 6), and
    # 99.4 is not below 99.36 - 0.99 = 98.37: on track, with no pace measured
    result = judge({2020: 99.36, 2023: 99.4}, milestones)
    assert result.hold_level is True
    assert result.status == "on_track"
    assert result.ratio is None
    assert result.explanation == "2023年实际值99.40，基期值99.36距目标>99.00不超过0.99，实际值不低于98.37，符合预期"


def test_hold_level_missing_the_milestone_of_that_year_beyond_the_level_gap():
    milestones = [Milestone(2023, 99.5, ">"), Milestone(2025, 99, ">")]
    # With a gap of 0.2 set by the plan, |99 - 99.36| = 0.36 exceeds it; 99.4 misses 2023's
    # >99.5 (rule 6) and is not below 99.36: lagging
    result = judge({2020: 99.36, 2023: 99.4}, milestones, level_gap=0.2)
    assert result.status == "lagging"
    assert result.ratio is None  # a held level has no pace
    assert result.explanation == "2023年实际值99.40，未达到2023年目标>99.50，滞后"


# --- assess: cumulative counts --------------------------------------------------------------


def test_cumulative_without_baseline_starts_at_zero():
    result = judge({2021: 3, 2022: 7}, [Milestone(2025, 20)], cumulative=True, as_of=2022)
    assert result.baseline == (2020, 0.0)
    # Expected in 2022: 0 + 20 * 2/5 = 8; R = 7 / 8 = 0.875
    assert result.expected == pytest.approx(8)
    assert result.ratio == pytest.approx(0.875)
    assert result.status == "lagging"
    assert result.share == pytest.approx(0.35)  # 7 / 20
    assert result.expected_share == pytest.approx(0.4)  # 8 / 20
    # Through (2020, 0), (2021, 3), (2022, 7): mean year 2021, mean 10/3,
    # slope (10/3 + 11/3) / 2 = 3.5, in 2025: 10/3 + 3.5 * 4 = 52/3 = 17.33 < 20
    assert result.projection == Projection(2025, pytest.approx(52 / 3), False)


def test_cumulative_with_baseline_row_uses_it():
    result = judge({2020: 5, 2022: 9}, [Milestone(2025, 20)], cumulative=True, as_of=2022)
    assert result.baseline == (2020, 5)
    # Expected 5 + 15 * 2/5 = 11; R = 4 / 6
    assert result.expected == pytest.approx(11)
    assert result.ratio == pytest.approx(4 / 6)


def test_cumulative_single_value_projects_from_zero():
    result = judge({2022: 8}, [Milestone(2025, 20)], cumulative=True, as_of=2022)
    # Expected 20 * 2/5 = 8; R = 8 / 8 = 1
    assert result.status == "on_track"
    # Through (2020, 0) and (2022, 8): slope 4, 20 in 2025, meeting 20
    assert result.projection == Projection(2025, pytest.approx(20), True)


def test_cumulative_achieved():
    result = judge({2023: 21}, [Milestone(2025, 20)], cumulative=True)
    assert result.status == "achieved"  # 21 >= 20


# --- assess: interim milestones -------------------------------------------------------------

INTERIM = [Milestone(2025, 75), Milestone(2023, 70)]  # baseline 60 in 2020


def test_interim_milestones_shape_the_path():
    # Expected in 2024: 70 + 5 * 1/2 = 72.5; R = 12.5 / 12.5 = 1
    result = judge({2020: 60, 2024: 72.5}, INTERIM, as_of=2024)
    assert result.final == Milestone(2025, 75)
    assert result.expected == pytest.approx(72.5)
    assert result.status == "on_track"
    # Expected in 2022: 60 + 10 * 2/3 = 66.67; R = 6 / 6.67 = 0.9 (float noise allowed for)
    result = judge({2020: 60, 2022: 66}, INTERIM, as_of=2022)
    assert result.expected == pytest.approx(60 + 20 / 3)
    assert result.ratio == pytest.approx(0.9)
    assert result.status == "on_track"


def test_interim_milestone_met_with_final_is_achieved():
    result = judge({2020: 60, 2023: 76}, INTERIM)
    assert result.status == "achieved"  # 76 >= 70 and 76 >= 75


def test_final_met_but_milestone_of_that_year_missed_is_lagging():
    milestones = [Milestone(2023, 75, ">"), Milestone(2025, 75)]
    # 75 meets 2025's plain 75 but is not above 2023's 75: a milestone missed (rule 6), whatever
    # the pace says. The path aims at 75.01 in 2023, R = 15 / 15.01 = 0.999, kept for information
    result = judge({2020: 60, 2023: 75}, milestones)
    assert result.met is True
    assert result.status == "lagging"
    assert result.ratio == pytest.approx(15 / 15.01)
    assert result.explanation == "2023年实际值75.00，未达到2023年目标>75.00，滞后"


def test_front_loaded_milestone_missed():
    milestones = [Milestone(2023, 78), Milestone(2025, 75)]
    # 76 meets 2025's 75 but not 2023's 78; R = 16 / 18 = 0.89
    result = judge({2020: 60, 2023: 76}, milestones)
    assert result.status == "lagging"
    assert result.ratio == pytest.approx(16 / 18)
    # In 2024 no milestone falls due, so meeting 75 is enough
    assert judge({2020: 60, 2024: 76}, milestones, as_of=2024).status == "achieved"


# --- assess: the path expecting no change yet ---------------------------------------------

FLAT_FIRST = [Milestone(2023, 80), Milestone(2025, 90)]  # baseline 80 in 2020


@pytest.mark.parametrize(
    ("actual", "status"),
    [(80, "on_track"), (80.5, "on_track"), (79, "regressing")],
)
def test_milestone_equal_to_baseline(actual, status):
    # Expected in 2022: 80, the baseline, so no ratio; holding 80 or better is on track
    result = judge({2020: 80, 2022: actual}, FLAT_FIRST, as_of=2022)
    assert result.expected == 80
    assert result.ratio is None
    assert result.status == status


@pytest.mark.parametrize(("actual", "status"), [(20, "on_track"), (19, "on_track"), (21, "regressing")])
def test_milestone_equal_to_baseline_decrease(actual, status):
    milestones = [Milestone(2023, 20), Milestone(2025, 10)]
    result = judge({2020: 20, 2022: actual}, milestones, direction="decrease", as_of=2022)
    assert result.ratio is None
    assert result.status == status


def test_milestone_equal_to_baseline_within_float_noise():
    # 0.1 + 0.2 is 0.30000000000000004: the same as the baseline 0.3 for this purpose
    result = judge({2020: 0.3, 2022: 0.3}, [Milestone(2023, 0.1 + 0.2), Milestone(2025, 1)], as_of=2022)
    assert result.ratio is None
    assert result.status == "on_track"


def test_strict_target_at_the_baseline_aims_one_step_past_it():
    # 80 is not above 80, so not a held level; the path and the bar run to 80.01, the first
    # figure above 80 to two places. |80 - 80| = 0 is within the level gap (rule 5) and 80 is
    # no worse than the baseline: on track
    result = judge({2020: 80, 2022: 80}, [Milestone(2025, 80, ">")], as_of=2022)
    assert result.hold_level is False
    assert result.status == "on_track"
    assert result.share == 0.0  # (80 - 80) / 0.01
    assert result.expected_share == pytest.approx(0.4)  # the path in 2022: 0.01 * 2/5 of the way


# --- assess: single values, ranges, as-of, shares -------------------------------------------


def test_single_value_with_baseline_projects():
    result = judge({2020: 60, 2022: 66}, [Milestone(2025, 75)], as_of=2022)
    # Through (2020, 60) and (2022, 66): slope 3, 60 + 3 * 5 = 75, meeting 75
    assert result.projection == Projection(2025, pytest.approx(75), True)


def test_range_target_judged_at_lower_end():
    milestones = [Milestone(2025, 3, upper=5)]  # "力争3~5个"
    result = judge({2020: 0, 2024: 3}, milestones, as_of=2024)
    assert result.status == "achieved"  # 3 reaches the lower end
    assert result.explanation == "2024年实际值3.00，已达到2025年目标3.00~5.00，已实现"
    # Expected in 2023: 3 * 3/5 = 1.8; R = 2 / 1.8 = 1.11
    result = judge({2020: 0, 2023: 2}, milestones)
    assert result.status == "ahead"
    assert result.share == pytest.approx(2 / 3)  # towards the lower end


def test_range_target_decrease_judged_at_upper_end():
    milestones = [Milestone(2025, 3, upper=5)]
    assert judge({2020: 8, 2024: 5}, milestones, direction="decrease", as_of=2024).status == "achieved"
    # The path aims at the upper end too: expected in 2024: 8 - 3 * 4/5 = 5.6;
    # R = -2.5 / -2.4 = 1.04
    result = judge({2020: 8, 2024: 5.5}, milestones, direction="decrease", as_of=2024)
    assert result.status == "on_track"
    assert result.expected == pytest.approx(5.6)
    assert result.ratio == pytest.approx(2.5 / 2.4)
    assert result.share == pytest.approx(2.5 / 3)  # (5.5 - 8) / (5 - 8)


def test_as_of_ignores_later_values():
    values = {2020: 80, 2022: 84, 2024: 95}
    result = judge(values, [Milestone(2025, 90)], as_of=2022)
    assert result.latest == (2022, 84)
    # Expected in 2022: 80 + 10 * 2/5 = 84; R = 1
    assert result.status == "on_track"
    # Through (2020, 80) and (2022, 84) only: slope 2, 90 in 2025, meeting 90
    assert result.projection == Projection(2025, pytest.approx(90), True)
    # With 2024 in view, 95 >= 90
    assert judge(values, [Milestone(2025, 90)], as_of=2024).status == "achieved"


def test_expected_share_uses_the_as_of_year():
    result = judge({2020: 80, 2022: 84}, [Milestone(2025, 90)], as_of=2024)
    assert result.latest == (2022, 84)
    assert result.expected == pytest.approx(84)  # in 2022, the latest figure's year
    assert result.share == pytest.approx(0.4)  # (84 - 80) / 10
    assert result.expected_share == pytest.approx(0.8)  # (88 - 80) / 10, the path in 2024


def test_shares_clamped():
    # Below the baseline: -2 / 10 clamped to 0; after 2025 the path is at the target: 1
    result = judge({2020: 80, 2026: 78}, [Milestone(2025, 90)], as_of=2026)
    assert result.share == 0.0
    assert result.expected_share == 1.0


def test_decimal_values_accepted():
    result = judge({2020: Decimal("80"), 2023: Decimal("83.2")}, [Milestone(2025, Decimal("85"))])
    assert result.status == "on_track"
    assert result.latest == (2023, 83.2)


def test_unknown_direction_rejected():
    with pytest.raises(ValueError):
        judge({2020: 80, 2023: 83}, [Milestone(2025, 85)], direction="up")


@pytest.mark.parametrize(
    ("year", "actual", "milestone", "path_then", "sentence"),
    [
        # A county count from 0 towards 4 by 2023: in 2022 the path expects 4 * 2/3 = 2.67 counties, and 1 is
        # behind it (R = 0.375). The indicator page's path table writes 2.67 as 3, so the sentence does too.
        (2022, 1, Milestone(2023, 4), 8 / 3, "2022年实际值1，按进度应达3，滞后"),
        # 0 towards 3 by 2022: in 2021 the path expects 1.5, written 2 as the table writes it (not "应达1.50");
        # 2 is ahead of 1.5 (R = 1.33), so the verdict stays 快于预期.
        (2021, 2, Milestone(2022, 3), 1.5, "2021年实际值2，按进度应达2，快于预期"),
    ],
)
def test_a_count_is_explained_in_whole_numbers_as_the_page_shows_it(year, actual, milestone, path_then, sentence):
    assessment = assess(
        values={year: actual},
        milestones=[milestone],
        direction="increase",
        cumulative=True,
        base_year=2020,
        as_of=year,
        decimals=0,
    )
    assert assessment.expected == pytest.approx(path_then)
    assert str(assessment.explanation) == sentence
    assert figure(assessment.expected, 0) in sentence


# --- 预警: a projection judged as printed, and never for an indicator on its path ------------------------


def test_a_projection_is_judged_at_the_precision_the_page_prints():
    # 2024's 62.99 is just below the path (63.00), so the trend decides. The least-squares line reaches
    # 64.997 in 2025 (coefficients -0.4, -0.1, 0.2, 0.5, 0.8): printed 65.00, which meets 65. No warning.
    result = judge({2020: 55, 2021: 57, 2022: 59, 2023: 61.01, 2024: 62.99}, [Milestone(2025, 65)], as_of=2024)
    assert result.status == "on_track"
    assert result.projection == Projection(2025, pytest.approx(64.997), True)
    assert not result.warning and not result.projection_misses
    assert not needs_warning(result, binding=False)
    # 0.01 lower in 2024: 64.989, printed 64.99, misses 65 and is warned about.
    result = judge({2020: 55, 2021: 57, 2022: 59, 2023: 61.01, 2024: 62.98}, [Milestone(2025, 65)], as_of=2024)
    assert result.projection == Projection(2025, pytest.approx(64.989), False)
    assert result.warning and needs_warning(result, binding=False)


def test_an_indicator_on_or_ahead_of_its_path_is_not_warned_about_whatever_the_trend():
    # Flat for two years, then back on the path (59 expected in 2023): the line through all four reaches only
    # 61.7 in 2025, but the figure is where the plan wants it now.
    on_path = judge({2020: 50, 2021: 50, 2022: 50, 2023: 59}, [Milestone(2025, 65)], as_of=2023)
    assert (on_path.status, on_path.projection.met) == ("on_track", False)
    assert not on_path.warning and not needs_warning(on_path, binding=True)
    ahead = judge({2020: 50, 2021: 50, 2022: 50, 2023: 61}, [Milestone(2025, 65)], as_of=2023)
    assert (ahead.status, ahead.projection.met) == ("ahead", False)
    assert not ahead.warning and not needs_warning(ahead, binding=False)


def contrast(a, b):
    """WCAG 2's contrast ratio of two colours."""

    def luminance(colour):
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_every_status_colour_reads_at_wcag_aa_with_its_text_and_the_stylesheet_has_no_other_palette():
    for status, colour in STATUS_COLOURS.items():
        assert contrast(colour, STATUS_TEXT_COLOURS[status]) >= 4.5, status
    css = (settings.BASE_DIR / "static" / "css" / "planboard.css").read_text()
    for status in STATUS_COLOURS:
        assert not re.search(rf"--{status.replace('_', '-')}:\s*#", css), f"planboard.css defines its own {status}"
