"""The verdict rules of indicators.progress in the issue's order, on cases worked by hand.

Each expectation's arithmetic is written out in a comment. The plan's base year is 2020 and its
final target year 2025 throughout; rates are judged with `is_rate=True`, so rule 5's gap is 0.5.
"""

import functools
import os
from decimal import Decimal

import pytest
from django.conf import settings

from plans.progress import (
    STALE,
    STATUS_COLOURS,
    STATUS_LABELS,
    Milestone,
    Projection,
    aim,
    default_level_gap,
    expected,
    meets,
    needs_warning,
    threshold,
)
from plans.years import default_as_of

# As in test_progress: run alone (-p no:django), nothing has configured Django's settings.
if not settings.configured and "DJANGO_SETTINGS_MODULE" not in os.environ:
    settings.configure(USE_I18N=False)

from tests.plans import judging  # noqa: E402 (after the settings above)
from tests.plans.judging import BASE  # noqa: E402

# Rates unless told otherwise.
judge = functools.partial(judging.judge, is_rate=True)


# --- the cases worked by hand in the issue ----------------------------------------------------

# 双师型教师占专业课教师比例: 63.05 in 2020, ≥70 by 2023 (附件3) and 75 by 2025 (专栏7, the
# plan's final target as the fixtures give it).
DUAL_QUALIFIED = [Milestone(2023, 70, "≥"), Milestone(2025, 75)]


def test_dual_qualified_teachers_2023_lagging_by_missed_milestone():
    result = judge({2020: 63.05, 2023: 69.5}, DUAL_QUALIFIED, as_of=2023)
    # Rule 2: 69.5 < 75, not achieved. Rule 3: 2023 is before 2025. Rule 4: 63.05 < 75, no
    # level to hold. Rule 5: |75 - 63.05| = 11.95 > 0.5. Rule 6: 69.5 < 70, the 2023
    # milestone (2023 <= 2023 < 2025) is missed, and 69.5 > 63.05 is not worse than the
    # baseline: lagging.
    assert result.status == "lagging"
    # The pace alone would have passed it: the path reaches 70 in 2023, R = (69.5 - 63.05) /
    # (70 - 63.05) = 6.45 / 6.95 = 0.928 >= 0.90 would be on track.
    assert result.expected == pytest.approx(70)
    assert result.ratio == pytest.approx(6.45 / 6.95)
    assert result.explanation == "2023年实际值69.50，未达到2023年目标≥70.00，滞后"


def test_dual_qualified_teachers_below_baseline_regressing_by_missed_milestone():
    result = judge({2020: 63.05, 2023: 62}, DUAL_QUALIFIED, as_of=2023)
    # Rule 6: 62 < 70 misses the 2023 milestone, and 62 < 63.05 is worse than the baseline.
    assert result.status == "regressing"
    assert result.explanation == "2023年实际值62.00，未达到2023年目标≥70.00，且低于2020年基期值63.05，倒退"


# 全省普惠性幼儿园在园幼儿占比: no baseline figure, ≥90 by 2023 and ≥90 by 2025.
INCLUSIVE_KINDERGARTENS = [Milestone(2023, 90, "≥"), Milestone(2025, 90, "≥")]


def test_inclusive_kindergarten_share_2024_lagging_without_baseline():
    result = judge({2024: 86.4}, INCLUSIVE_KINDERGARTENS, as_of=2024)
    # Rule 2: 86.4 < 90. Rule 3: 2024 < 2025. Rules 4 and 5 need a baseline. Rule 6: the 2023
    # milestone (2023 <= 2024 < 2025) is missed, 86.4 < 90; with no baseline it cannot be worse
    # than one: lagging, where rule 7 used to say in progress.
    assert result.status == "lagging"
    assert result.baseline is None
    assert result.explanation == "2024年实际值86.40，未达到2023年目标≥90.00，滞后"


# 学前教育毛入园率: 98.81 in 2020, 99 by 2025; a rate, so the level gap is 0.5.
PRESCHOOL = [Milestone(2025, 99)]


def test_preschool_gross_enrolment_2021_on_track_by_small_gap():
    result = judge({2020: 98.81, 2021: 98.80}, PRESCHOOL, as_of=2021)
    # Rule 5: |99 - 98.81| = 0.19 <= 0.5, so the pace is not measured; 98.80 is not below
    # 98.81 - 0.5 = 98.31: on track.
    assert result.status == "on_track"
    # The pace would have called it regressing: expected 98.81 + 0.19 / 5 = 98.848,
    # R = (98.80 - 98.81) / 0.038 = -0.26. Not measured, so no ratio.
    assert result.expected == pytest.approx(98.848)
    assert result.ratio is None
    assert result.explanation == "2021年实际值98.80，基期值98.81距目标99.00不超过0.50，实际值不低于98.31，符合预期"


def test_preschool_gross_enrolment_2025_not_achieved():
    result = judge({2020: 98.81, 2021: 98.80, 2025: 98.90}, PRESCHOOL, as_of=2025)
    # Rule 2: 98.90 < 99. Rule 3: the figure is from 2025, the final year, and misses 99:
    # not achieved, before rule 5 could call it on track (98.90 > 98.31).
    assert result.status == "not_achieved"
    assert result.projection is None  # the 2025 figure is in
    assert result.explanation == "2025年实际值98.90，未达到2025年目标99.00，未实现"


@pytest.mark.parametrize("actual", [98.80, 98.84, 98.85, 98.96])
def test_preschool_gross_enrolment_2021_figures_near_the_baseline_all_on_track(actual):
    # Rule 5: gap 0.19 <= 0.5; each figure is at least 98.31 (98.80 is 0.01 below the baseline,
    # 98.84, 98.85 and 98.96 above it), and none meets 99: on track, whatever the pace
    # (R = (A - 98.81) / 0.038 would be -0.26, 0.79, 1.05 and 3.95).
    assert judge({2020: 98.81, 2021: actual}, PRESCHOOL, as_of=2021).status == "on_track"


# 九年义务教育巩固率: 99.36 in 2020, >99 to hold.
RETENTION = [Milestone(2025, 99, ">")]


def test_retention_2022_regressing_held_level_lost():
    result = judge({2020: 99.36, 2022: 99.00}, RETENTION, as_of=2022)
    # Rule 2: 99.00 is not above 99. Rule 3: 2022 < 2025. Rule 4: 99.36 > 99 met the target
    # already, and 99.00 no longer does: regressing, before rule 5 (|99 - 99.36| = 0.36 <= 0.5)
    # could call it on track (99.00 > 99.36 - 0.5 = 98.86).
    assert result.status == "regressing"
    assert result.hold_level is True
    assert result.explanation == "2022年实际值99.00，未保持在目标>99.00以上，倒退"


# 高等教育毛入学率: 57.88 in 2020, 65 by 2025.
HIGHER_ED = [Milestone(2025, 65)]


def test_stale_2021_figure_as_of_2025():
    result = judge({2020: 57.88, 2021: 60}, HIGHER_ED, as_of=2025)
    # Rule 8: expected in 2021: 57.88 + 7.12 / 5 = 59.304; R = 2.12 / 1.424 = 1.49 >= 1.10:
    # ahead. Rule 9: 2021 < 2025 - 1 = 2024, so the figure is too old to vouch for it.
    assert result.status == "stale"
    assert result.earlier_status == "ahead"
    assert result.ratio == pytest.approx(2.12 / 1.424)
    assert result.explanation == "最新数据为2021年（当时快于预期），数据未更新"
    # No 2025 figure yet, so the projection stands: through (2020, 57.88) and (2021, 60),
    # slope 2.12, 57.88 + 2.12 * 5 = 68.48 >= 65
    assert result.projection == Projection(2025, pytest.approx(68.48), True)


def test_final_year_achieved_page_carries_no_projection():
    # A district's 15 by 2025, reached with 15.30 in the final year (illustrative figures).
    values = {2020: 11.46, 2023: 13.9, 2025: 15.30}
    result = judge(values, [Milestone(2025, 15, "≥")], as_of=2025)
    # Rule 2: 15.30 >= 15: achieved. The 2025 figure says so; no trend line is read any more.
    assert result.status == "achieved"
    assert result.explanation == "2025年实际值15.30，已达到2025年目标≥15.00，已实现"
    assert result.projection is None
    assert result.warning is False
    # As of 2024 only 2020 and 2023 are in: slope (13.9 - 11.46) / 3 = 0.8133,
    # 11.46 + 0.8133 * 5 = 15.53 >= 15
    result = judge(values, [Milestone(2025, 15, "≥")], as_of=2024)
    assert result.projection == Projection(2025, pytest.approx(11.46 + 2.44 / 3 * 5), True)


# --- rule 5: a target within the level gap --------------------------------------------------


def test_default_level_gap():
    assert default_level_gap(True, 99) == 0.5  # half a percentage point for a rate
    assert default_level_gap(False, 142) == pytest.approx(1.42)  # 1% of 142 (万人)
    assert default_level_gap(False, Decimal("12")) == pytest.approx(0.12)  # 1% of 12 years
    assert default_level_gap(False, -20) == pytest.approx(0.2)  # a distance, never negative


def test_small_gap_regressing_beyond_the_gap():
    result = judge({2020: 98.81, 2021: 98.20}, PRESCHOOL, as_of=2021)
    # Rule 5: 98.20 < 98.81 - 0.5 = 98.31: regressing
    assert result.status == "regressing"
    assert result.explanation == "2021年实际值98.20，基期值98.81距目标99.00不超过0.50，实际值低于98.31，倒退"


def test_small_gap_at_the_floor_is_on_track():
    # 98.31 is 98.81 - 0.5 exactly (98.30999999999999 in floats): no worse by more than the gap
    assert judge({2020: 98.81, 2021: 98.31}, PRESCHOOL, as_of=2021).status == "on_track"


def test_small_gap_for_a_count_uses_one_percent_of_the_target():
    # 普通本科在校生-like: 58.6 (万人) in 2020, 59 by 2025, not a rate: gap 1% of 59 = 0.59 and
    # |59 - 58.6| = 0.4 <= 0.59. 58.1 is not below 58.6 - 0.59 = 58.01: on track
    milestones = [Milestone(2025, 59)]
    assert judge({2020: 58.6, 2022: 58.1}, milestones, as_of=2022, is_rate=False).status == "on_track"
    # 58.0 < 58.01: regressing
    assert judge({2020: 58.6, 2022: 58.0}, milestones, as_of=2022, is_rate=False).status == "regressing"


def test_small_gap_set_by_the_plan():
    # level_gap 0.1 < 0.19: the pace decides again. Expected in 2021 98.848; R = -0.01 / 0.038
    # = -0.26 < 0: regressing
    result = judge({2020: 98.81, 2021: 98.80}, PRESCHOOL, as_of=2021, level_gap=0.1)
    assert result.status == "regressing"
    assert result.ratio == pytest.approx(-0.01 / 0.038)
    # level_gap as the DecimalField gives it: 0.2 >= 0.19, rule 5: 98.80 >= 98.61, on track
    assert judge({2020: 98.81, 2021: 98.80}, PRESCHOOL, as_of=2021, level_gap=Decimal("0.2")).status == "on_track"


def test_small_gap_decrease():
    # Less is better: 5.2 in 2020, at most 5 by 2025, a rate: |5 - 5.2| = 0.2 <= 0.5
    milestones = [Milestone(2025, 5, "≤")]
    # 5.6 is not above 5.2 + 0.5 = 5.7: on track
    result = judge({2020: 5.2, 2022: 5.6}, milestones, as_of=2022, direction="decrease")
    assert result.status == "on_track"
    assert result.explanation == "2022年实际值5.60，基期值5.20距目标≤5.00不超过0.50，实际值不高于5.70，符合预期"
    # 5.8 > 5.7: regressing
    result = judge({2020: 5.2, 2022: 5.8}, milestones, as_of=2022, direction="decrease")
    assert result.status == "regressing"
    assert result.explanation == "2022年实际值5.80，基期值5.20距目标≤5.00不超过0.50，实际值高于5.70，倒退"


def test_small_gap_before_missed_milestone():
    # 98.81 in 2020, ≥99.5 by 2023 (a stricter interim milestone) and 99 by 2025. Rule 5 comes
    # first: |99 - 98.81| = 0.19 <= 0.5 and 98.9 >= 98.31: on track, though 98.9 < 99.5 misses 2023's
    result = judge({2020: 98.81, 2023: 98.9}, [Milestone(2023, 99.5, "≥"), *PRESCHOOL], as_of=2023)
    assert result.status == "on_track"


# --- rule 6: a milestone fallen due and missed ------------------------------------------------


def test_missed_milestone_from_an_earlier_year():
    # 63.05 in 2020; no milestone falls in 2024, 2023's ≥70 fell due before and 72 >= 70 meets
    # it; 72 < 75 misses only the final target, not due until 2025: the pace decides.
    # Expected in 2024: 70 + 5 / 2 = 72.5; R = (72 - 63.05) / (72.5 - 63.05) = 8.95 / 9.45 = 0.947
    result = judge({2020: 63.05, 2024: 72}, DUAL_QUALIFIED, as_of=2024)
    assert result.status == "on_track"
    assert result.ratio == pytest.approx(8.95 / 9.45)
    # 69 in 2024 still misses 2023's ≥70: lagging
    result = judge({2020: 63.05, 2024: 69}, DUAL_QUALIFIED, as_of=2024)
    assert result.status == "lagging"
    assert result.explanation == "2024年实际值69.00，未达到2023年目标≥70.00，滞后"


def test_milestone_not_yet_due_is_not_missed():
    # 2022's 66 is below 2023's 70, but 2023 has not come: the pace decides.
    # Expected in 2022: 63.05 + 6.95 * 2/3 = 67.683; R = 2.95 / 4.633 = 0.637: lagging by pace
    result = judge({2020: 63.05, 2022: 66}, DUAL_QUALIFIED, as_of=2022)
    assert result.status == "lagging"
    assert result.ratio == pytest.approx(2.95 / (6.95 * 2 / 3))
    assert result.explanation == "2022年实际值66.00，按进度应达67.68，滞后"


def test_missed_milestone_names_the_latest_one_missed():
    # ≥70 by 2022 and ≥72 by 2023, 75 by 2025; 69 in 2023 misses both: the sentence names 2023's
    milestones = [Milestone(2022, 70, "≥"), Milestone(2023, 72, "≥"), Milestone(2025, 75)]
    result = judge({2020: 63.05, 2023: 69}, milestones, as_of=2023)
    assert result.status == "lagging"
    assert result.explanation == "2023年实际值69.00，未达到2023年目标≥72.00，滞后"


def test_missed_milestone_decrease_worse_than_baseline():
    # Less is better: 20 in 2020, ≤15 by 2023, ≤10 by 2025. 21 in 2023 misses 15 and is above 20
    milestones = [Milestone(2023, 15, "≤"), Milestone(2025, 10, "≤")]
    result = judge({2020: 20, 2023: 21}, milestones, as_of=2023, direction="decrease", is_rate=False)
    assert result.status == "regressing"
    assert result.explanation == "2023年实际值21.00，未达到2023年目标≤15.00，且高于2020年基期值20.00，倒退"
    # 16 misses 15 but is below 20: lagging
    result = judge({2020: 20, 2023: 16}, milestones, as_of=2023, direction="decrease", is_rate=False)
    assert result.status == "lagging"


# --- rule 7: no baseline ---------------------------------------------------------------------


def test_no_baseline_without_milestone_due_is_in_progress():
    # 88 in 2022 < 90, and 2023's milestone has not come: nothing to measure a pace from
    result = judge({2022: 88}, INCLUSIVE_KINDERGARTENS, as_of=2022)
    assert result.status == "in_progress"
    assert result.explanation == "2022年实际值88.00，尚未达到2025年目标≥90.00，推进中"


# --- rule 9: an old figure ------------------------------------------------------------------


def test_stale_label_and_colour():
    assert STALE == "stale"
    assert str(STATUS_LABELS[STALE]) == "数据未更新"
    assert STATUS_COLOURS[STALE] not in {colour for status, colour in STATUS_COLOURS.items() if status != STALE}


@pytest.mark.parametrize(("as_of", "status"), [(2021, "ahead"), (2022, "ahead"), (2023, "stale"), (2024, "stale")])
def test_stale_from_two_years_on(as_of, status):
    # 2021's figure (R = 1.49, ahead) stays current as of 2021 and 2022 (2021 is not before
    # 2022 - 1 = 2021), and is stale from 2023 (2021 < 2022).
    assert judge({2020: 57.88, 2021: 60}, HIGHER_ED, as_of=as_of).status == status


def test_stale_replaces_lagging_and_in_progress():
    # Lagging by rule 6 in 2023 (69.5 < 70), as of 2025: 2023 < 2024
    result = judge({2020: 63.05, 2023: 69.5}, DUAL_QUALIFIED, as_of=2025)
    assert result.status == "stale"
    assert result.earlier_status == "lagging"
    assert result.explanation == "最新数据为2023年（当时滞后），数据未更新"
    # In progress in 2022 (no baseline, 88 < 90, no milestone due), as of 2024: 2022 < 2023
    result = judge({2022: 88}, INCLUSIVE_KINDERGARTENS, as_of=2024)
    assert result.status == "stale"
    assert result.earlier_status == "in_progress"


def test_stale_replaces_on_track_of_small_gap():
    # On track by rule 5 in 2021 (98.80 >= 98.31), as of 2024: 2021 < 2023
    result = judge({2020: 98.81, 2021: 98.80}, PRESCHOOL, as_of=2024)
    assert result.status == "stale"
    assert result.earlier_status == "on_track"
    assert result.explanation == "最新数据为2021年（当时符合预期），数据未更新"


def test_stale_leaves_achieved_regressing_and_not_achieved():
    # 2021's 66 >= 65: achieved, and still so as of 2025
    assert judge({2020: 57.88, 2021: 66}, HIGHER_ED, as_of=2025).status == "achieved"
    # 2021's 99.00 lost the held level >99: regressing, still so as of 2025
    result = judge({2020: 99.36, 2021: 99.00}, RETENTION, as_of=2025)
    assert result.status == "regressing"
    assert result.earlier_status is None
    # 2025's 64 < 65 missed the final target: not achieved, still so as of 2027
    assert judge({2020: 57.88, 2025: 64}, HIGHER_ED, as_of=2027).status == "not_achieved"


# --- one threshold for a range target ---------------------------------------------------------

# "力争3~5", less is better, from 10 in 2020.
RANGE = [Milestone(2025, 3, upper=5)]


def test_threshold_is_the_easier_end():
    assert threshold(RANGE[0], "increase") == 3  # more is better: the lower end
    assert threshold(RANGE[0], "decrease") == 5  # less is better: the upper end
    assert threshold(Milestone(2025, 3), "decrease") == 3  # no range: the value itself
    with pytest.raises(ValueError):
        threshold(RANGE[0], "up")


def test_range_target_decrease_met_fills_the_bar():
    result = judge({2020: 10, 2024: 5}, RANGE, as_of=2024, direction="decrease", is_rate=False)
    # 5 <= 5, the upper end: achieved
    assert result.status == "achieved"
    assert meets(5, RANGE[0], "decrease")
    # The bar ran to 3 before: (5 - 10) / (3 - 10) = 5/7 = 71%. It runs to 5 now: 5 / 5 = 100%
    assert result.share == 1.0
    # The path aims at 5 as well: in 2024, 10 - 5 * 4/5 = 6 (it was 10 - 7 * 4/5 = 4.4), and
    # the tick as of 2024 is (6 - 10) / (5 - 10) = 0.8 of the way
    assert result.expected == pytest.approx(6)
    assert result.expected_share == pytest.approx(0.8)
    assert expected(BASE, 10, RANGE, 2025, direction="decrease") == 5
    # Without a direction the path keeps its old aim, the lower end (as callers drew it before)
    assert expected(BASE, 10, RANGE, 2025) == 3


def test_range_target_increase_aims_at_the_lower_end():
    # From 0: in 2023 the path is at 3 * 3/5 = 1.8; 2 meets nothing yet, R = 2 / 1.8 = 1.11: ahead
    result = judge({2020: 0, 2023: 2}, RANGE, as_of=2023, is_rate=False)
    assert result.status == "ahead"
    assert result.expected == pytest.approx(1.8)
    assert result.share == pytest.approx(2 / 3)


# --- the path to a strict target ------------------------------------------------------------


def test_aim_steps_past_a_strict_target():
    assert aim(Milestone(2025, 99, ">"), "increase", 2) == pytest.approx(99.01)
    assert aim(Milestone(2025, 3, ">"), "increase", 0) == 4  # ">3 counties" is first met at 4
    assert aim(Milestone(2025, 10, "<"), "decrease", 1) == pytest.approx(9.9)
    assert aim(Milestone(2025, 99, "≥"), "increase", 2) == 99  # not strict: no step
    assert aim(Milestone(2025, 99, ">"), "increase") == 99  # no precision given: no step


def test_strict_target_path_end_meets_the_target():
    target = Milestone(2025, 99, ">")
    # From 98 (a rate, gap |99 - 98| = 1 > 0.5): the path ends at 99.01, which is above 99
    end = expected(BASE, 98, [target], 2025, direction="increase", decimals=2)
    assert end == pytest.approx(99.01)
    assert meets(end, target, "increase")
    # In 2023 the path is at 98 + 1.01 * 3/5 = 98.606; a figure on it has R = 1: on track
    result = judge({2020: 98, 2023: 98.606}, [target], as_of=2023)
    assert result.expected == pytest.approx(98.606)
    assert result.ratio == pytest.approx(1)
    assert result.status == "on_track"
    # 99.00 in 2024 is not above 99 and the bar shows it short: 1 / 1.01 = 0.99
    result = judge({2020: 98, 2024: 99}, [target], as_of=2024)
    assert result.status != "achieved"
    assert result.share == pytest.approx(1 / 1.01)
    # 99.01 fills it: achieved
    result = judge({2020: 98, 2024: 99.01}, [target], as_of=2024)
    assert result.status == "achieved"
    assert result.share == 1.0


def test_strict_count_target_path_by_whole_steps():
    # ">3 counties" from 0, whole counts (decimals 0): the path ends at 4; in 2023, 4 * 3/5 = 2.4
    assert expected(BASE, 0, [Milestone(2025, 3, ">")], 2023, direction="increase", decimals=0) == pytest.approx(2.4)


# --- projection and warnings ----------------------------------------------------------------


def test_projection_only_before_the_final_years_figure():
    # 2026's figure is past the final year as well: no projection to 2025 either
    assert judge({2020: 57.88, 2026: 64}, HIGHER_ED, as_of=2026).projection is None
    # With 2024 as the latest, the line through (2020, 57.88) and (2024, 63.88) is read in
    # 2025: slope 1.5, 57.88 + 1.5 * 5 = 65.38 >= 65
    assert judge({2020: 57.88, 2024: 63.88}, HIGHER_ED, as_of=2024).projection == Projection(
        2025, pytest.approx(65.38), True
    )


def on_track_but_short():
    # 50 in 2020, 100 by 2025; 2022's 68 against the path's 70: R = 18 / 20 = 0.9, on track.
    # The line through (2020, 50), (2021, 64), (2022, 68): mean year 2021, mean 182/3 = 60.67,
    # slope ((-1)(50 - 60.67) + (1)(68 - 60.67)) / 2 = 9; in 2025 60.67 + 9 * 4 = 96.67 < 100
    return judge({2020: 50, 2021: 64, 2022: 68}, [Milestone(2025, 100)], as_of=2022, is_rate=False)


def test_projection_miss_on_track_is_a_warning_not_a_contradiction():
    result = on_track_but_short()
    assert result.status == "on_track"
    assert result.projection == Projection(2025, pytest.approx(182 / 3 + 36), False)
    assert result.projection_misses is True
    assert result.warning is True
    # The sentence is about the pace; the warning flag, not the sentence, carries the projection
    assert result.explanation == "2022年实际值68.00，按进度应达70.00，符合预期"


def test_no_warning_where_the_projection_meets_the_target():
    # (2020, 57.88), (2021, 60): the projection 68.48 meets 65; ahead, no warning
    result = judge({2020: 57.88, 2021: 60}, HIGHER_ED, as_of=2022)
    assert result.status == "ahead"
    assert result.warning is False
    assert needs_warning(result, binding=True) is False


def test_no_warning_from_a_projection_when_the_status_says_missed():
    # 63.05, then 2022's 64: lagging by pace (expected 67.68, R = 0.95 / 4.63 = 0.2); the line
    # through (2020, 63.05) and (2022, 64) misses 75 too, but "lagging" already says so
    result = judge({2020: 63.05, 2022: 64}, DUAL_QUALIFIED, as_of=2022)
    assert result.status == "lagging"
    assert result.projection.met is False
    assert result.projection_misses is False
    assert result.warning is False


def test_needs_warning():
    short = on_track_but_short()
    # A good verdict with a projection short of the target warns, binding or not
    assert needs_warning(short, binding=False) is True
    assert needs_warning(short, binding=True) is True
    # Poor verdicts warn only for a binding indicator
    lagging = judge({2020: 63.05, 2023: 69.5}, DUAL_QUALIFIED, as_of=2023)
    regressing = judge({2020: 99.36, 2022: 99.00}, RETENTION, as_of=2022)
    not_achieved = judge({2020: 98.81, 2025: 98.90}, PRESCHOOL, as_of=2025)
    stale = judge({2020: 57.88, 2021: 60}, HIGHER_ED, as_of=2025)
    for assessment in (lagging, regressing, not_achieved, stale):
        assert needs_warning(assessment, binding=False) is False
        assert needs_warning(assessment, binding=True) is True
    # An achieved target never warns
    achieved = judge({2020: 57.88, 2021: 66}, HIGHER_ED, as_of=2021)
    assert needs_warning(achieved, binding=True) is False


# --- default as-of year -----------------------------------------------------------------------


def as_of_for(by_year, pairs=10, current=2026):
    return default_as_of(
        base_year=2020, target_year=2025, current_year=current, approved_pairs_by_year=by_year, pair_count=pairs
    )


def test_default_as_of_latest_year_with_half_the_pairs():
    # 10 pairs: 2024 has 4 (4 * 2 = 8 < 10), 2023 has 5 (5 * 2 = 10 >= 10): 2023
    assert as_of_for({2021: 10, 2022: 9, 2023: 5, 2024: 4}) == 2023
    # 11 pairs: 5 is less than half (10 < 11), 2022's 9 is more: 2022
    assert as_of_for({2021: 10, 2022: 9, 2023: 5, 2024: 4}, pairs=11) == 2022


def test_default_as_of_capped_by_target_and_current_year():
    # 2026 is after the target year and 2024 after the current year 2023: neither counts
    assert as_of_for({2022: 6, 2024: 10, 2026: 10}, current=2023) == 2022
    assert as_of_for({2022: 6, 2026: 10}, current=2030) == 2022


def test_default_as_of_falls_back_to_any_figure():
    # No year reaches half of 10 (1 * 2 and 2 * 2 < 10): the latest year with any, 2023
    assert as_of_for({2021: 1, 2023: 2}) == 2023


def test_default_as_of_with_no_figures():
    # Nothing approved, or only in the base year and after the target year: the first plan year
    assert as_of_for({}) == 2021
    assert as_of_for({2020: 10, 2027: 10}) == 2021
    assert as_of_for({}, pairs=0) == 2021
