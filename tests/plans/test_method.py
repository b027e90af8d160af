"""How a verdict is computed, in words (the indicator page's 指标说明 panel): `progress.method` names the rule
`assess` judges a pair by, with its numbers, and `explanations.describe_method` says it. The words must agree with
the verdicts: a figure at the floor the words name is on track, one step below it regresses."""

import os

from django.conf import settings

from plans.explanations import describe_method
from plans.progress import Milestone, assess, method

if not settings.configured and "DJANGO_SETTINGS_MODULE" not in os.environ:
    settings.configure(USE_I18N=False)

BASE = 2020


def described(milestones, baseline, *, direction="increase", is_rate=True, unit="%", level_gap=None, decimals=2):
    found = method(
        milestones=milestones,
        baseline=baseline,
        direction=direction,
        ahead_at=1.1,
        on_track_at=0.9,
        decimals=decimals,
        level_gap=level_gap,
        is_rate=is_rate,
    )
    return found, " ".join(describe_method(found, decimals=decimals, unit=unit, is_rate=is_rate))


def status(value, milestones, baseline, **options):
    values = {BASE: baseline, 2023: value}
    return assess(values=values, milestones=milestones, base_year=BASE, as_of=2023, cumulative=False, **options).status


def test_a_target_within_the_gap_holds_the_floor_the_words_name():
    target = [Milestone(2025, 99)]
    found, words = described(target, (BASE, 98.81))
    assert found.rule == "small_gap" and round(found.floor, 2) == 98.31
    assert "实际值不低于98.31为符合预期" in words and "默认：百分比指标为0.5个百分点" in words
    options = {"direction": "increase", "is_rate": True}
    assert status(98.31, target, 98.81, **options) == "on_track"
    assert status(98.30, target, 98.81, **options) == "regressing"


def test_a_paced_target_names_its_path_and_milestones_with_ranges_and_strict_targets_at_their_aim():
    found, words = described([Milestone(2023, 60, ">"), Milestone(2025, 65)], (BASE, 57.88))
    assert found.rule == "pace"
    assert "从2020年基期值57.88起，按直线依次连到2023年 60.01、2025年 65.00" in words
    assert "未达到已到期的阶段性目标为滞后" in words


def test_less_is_better_and_the_default_gap_of_a_count_is_one_percent_of_its_target():
    found, words = described([Milestone(2025, 100)], (BASE, 200), direction="decrease", is_rate=False, unit="所")
    assert found.rule == "pace" and found.level_gap == 1
    assert words.startswith("越低越好") and "差距阈值为1.00所（默认：目标值的1%）" in words


def test_a_level_already_held_and_a_missing_baseline_say_so():
    _found, words = described([Milestone(2025, 99, ">")], (BASE, 99.36))
    assert "基期值99.36已达到2025年目标>99.00：保持达到目标为已实现，否则为倒退" in words
    found, words = described([Milestone(2025, 99)], None)
    assert found.rule == "no_baseline" and "没有基期值" in words and "进度比" not in words
    found, words = described([], (BASE, 1))
    assert found.rule == "no_target" and "没有目标值" in words
