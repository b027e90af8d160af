"""The rules of a continuation at their lines (README, "Figures two plans share"): the earlier plan ends by the
later one's base year, neither indicator is a running total, both are the same statistic down to the decimals,
and the later one has no figures of its own. A closed plan closes its own years only, and each plan shows its own
years of a shared indicator's figures."""

import pytest

from figures import pipeline
from figures.models import Observation
from plans.models import Indicator, Plan, plan_years_problem
from tests import story
from tests.figures.test_shared_figures import CODE, load_through_the_workbook, next_plan_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def next_plan(plan, admin_user):
    load_through_the_workbook(next_plan_rows(), admin_user)
    return Plan.objects.get(code="next-plan")


def continuing(earlier, *, base_year=2025, **fields):
    """An indicator of a new plan starting in `base_year`, continuing `earlier`, the same statistic unless told."""
    later_plan = Plan(code="later", name="后续规划", base_year=base_year, target_year=base_year + 5)
    same = {name: getattr(earlier, name) for name in ("name", "unit", "direction", "decimals", "cumulative")}
    return Indicator(plan=later_plan, code=earlier.code, continues=earlier, **{**same, **fields})


def test_a_plan_starting_in_the_year_the_earlier_one_ends_continues_it(plan):
    earlier = plan.indicators.get(code=CODE)  # the plan runs 2020-2025
    assert continuing(earlier, base_year=2025).continuation_problem() is None
    assert continuing(earlier, base_year=2026).continuation_problem() is None
    problem = continuing(earlier, base_year=2024).continuation_problem()
    assert "只能延续在本规划基期年份前结束的规划中的指标" in problem and "尚未结束" in problem


def test_a_running_total_on_either_side_is_not_continued(plan):
    total = plan.indicators.filter(cumulative=True).first()
    assert "是累计值，不能延续" in continuing(total, cumulative=False).continuation_problem()
    earlier = plan.indicators.get(code=CODE)
    assert "是累计值，不能延续" in continuing(earlier, cumulative=True).continuation_problem()


@pytest.mark.parametrize(("field", "value", "named"), [("decimals", 1, "小数位数"), ("unit", "万人", "单位")])
def test_another_precision_or_unit_is_another_statistic(plan, field, value, named):
    earlier = plan.indicators.get(code=CODE)
    problem = continuing(earlier, **{field: value}).continuation_problem()
    assert named in problem and "不是同一统计指标" in problem


def test_an_indicator_of_the_same_plan_is_not_continued(plan):
    earlier = plan.indicators.get(code=CODE)
    same_plan = Indicator(plan=plan, code="copy", continues=earlier, unit=earlier.unit, decimals=earlier.decimals)
    assert "不能延续同一规划中的指标" in same_plan.continuation_problem()


def test_an_indicator_with_figures_of_its_own_cannot_start_continuing(plan, next_plan):
    # 普通话普及率 of the new plan has its own 2025 baseline; Fujian's has the same unit and decimals.
    later = next_plan.indicators.get(code="putonghua_rate")
    earlier = plan.indicators.get(code="putonghua_rate")
    later.continues, later.decimals, later.direction = earlier, earlier.decimals, earlier.direction
    assert Observation.objects.filter(indicator=later).exists()
    assert "已有自己的数据，不能再延续其他指标" in later.continuation_problem()
    Observation.objects.filter(indicator=later).delete()
    assert later.continuation_problem() is None


def test_a_closed_plan_closes_its_own_years_and_no_later_one(plan, reviewer):
    assert not any(plan.closes(year) for year in (2020, 2025))
    story.close_plan(plan, reviewer)
    closed = Plan.objects.get(pk=plan.pk)
    assert [year for year in range(2019, 2028) if closed.closes(year)] == list(range(2020, 2026))


def test_a_later_plans_year_stays_open_for_the_figure_a_closed_plan_shares(plan, next_plan, reviewer, province):
    story.close_plan(plan, reviewer)
    row = {"district": province, "value": "67", "confirm": True, "note": "测试"}
    later = next_plan.indicators.get(code=CODE)
    assert pipeline.check_value(by=reviewer, indicator=later, year=2026, **row).year == 2026
    earlier = Plan.objects.get(pk=plan.pk).indicators.get(code=CODE)
    with pytest.raises(pipeline.Conflict, match="规划已结束"):
        pipeline.check_value(by=reviewer, indicator=earlier, year=2025, **row)


@pytest.fixture
def province(district):
    return district("province")


def test_each_plan_shows_its_own_years_of_the_figures_they_share(plan, next_plan, reviewer, province):
    for year, value in [(2024, "64"), (2025, "66.2")]:
        story.approve(plan, reviewer, province, CODE, year, value)
    story.approve(next_plan, reviewer, province, CODE, 2026, "67")
    stored_on = plan.indicators.get(code=CODE)
    assert set(Observation.objects.filter(indicator=stored_on).values_list("year", flat=True)) >= {2024, 2025, 2026}

    def years_shown(shown_by):
        shown = Observation.objects.shown_in(shown_by).filter(indicator=stored_on, district=province)
        return sorted(shown.values_list("year", flat=True))

    assert years_shown(plan) == [2020, 2024, 2025]
    assert years_shown(next_plan) == [2025, 2026]
    # The later plan's own indicators show their own figures.
    own = Observation.objects.shown_in(next_plan).filter(indicator__code="putonghua_rate", indicator__plan=next_plan)
    assert list(own.values_list("year", flat=True)) == [2025]


def test_a_plan_runs_after_its_base_year_for_at_most_thirty_years():
    assert plan_years_problem(2020, 2050) is None
    assert plan_years_problem(2020, 2051) == "目标年份最多比基期年份晚 30 年。"
    assert plan_years_problem(2020, 2021) is None
    assert plan_years_problem(2020, 2020) == "目标年份须晚于基期年份。"


def test_changing_the_years_of_a_plan_no_chain_passes_through_leaves_the_chains_alone(plan, next_plan):
    unrelated = Plan.objects.create(code="unrelated", name="无关规划", base_year=2022, target_year=2027)
    assert unrelated.chains_problem() is None
    unrelated.clean()
    # Fujian's years are part of its chain: ending it after the next plan begins breaks the link.
    plan.target_year = 2027
    assert "尚未结束" in plan.chains_problem()
