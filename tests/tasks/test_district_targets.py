"""A leader asks which city holds the province back: the 附件2 table beside the figures, and the sum check."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from figures import sum_checks
from figures.models import Observation
from planboard import roles
from plans.models import Target
from tests.conftest import HEADER_COUNT_QUERIES
from tests.story import approve, enter

pytestmark = pytest.mark.django_db

# The 附件2 district table's metrics in the plan's order (plan.json `district_table`).
DISTRICT_METRICS = PRESCHOOL, BALANCED, HIGH_SCHOOL = (
    "preschool_inclusive_inspection_counties",
    "compulsory_quality_balanced_counties",
    "general_high_school_enrolment",
)

# Request overhead (7), the header's plan and demo flag (2), then the page's own: plan, visible districts, the three
# metrics, districts, targets, base-year figures, Plan.assess (3), and for reviewers the sum check's four.
# The default as-of year counts approved pairs and pairs with targets (2); the data version; and for reviewers
# 待办's count in the header.
PAGE_QUERIES = 24 + HEADER_COUNT_QUERIES


def row(html, name):
    """The cells' text of one district's row, tags stripped."""
    match = re.search(rf'<th scope="row">{name}</th>(.*?)</tr>', html, re.S)
    assert match, f"no row for {name}"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).split()


def test_the_table_prints_the_plans_targets_and_baselines_for_every_district(client, leader):
    client.force_login(leader)
    html = client.get(reverse("tasks:district-targets")).content.decode()

    # Per metric: 2020 baseline (0 for a running count), 2023 and 2025 targets, latest value, status.
    assert row(html, "福建省") == ["0", "23", "63", "—", "暂无数据", "0", "≥9", "≥19", "—", "暂无数据"] + [
        "66.4",
        "83",
        "87",
        "—",
        "暂无数据",
    ]
    assert row(html, "福州市")[:3] == ["0", "2", "8"]
    assert row(html, "福州市")[10:13] == ["11.09", "13.83", "14.38"]
    assert row(html, "平潭综合实验区")[:3] == ["0", "—", "1"]  # the plan sets Pingtan no 2023 count


def test_latest_approved_values_and_statuses_come_beside_the_targets(client, leader, reviewer, plan, district):
    fuzhou, xiamen = district("fuzhou"), district("xiamen")
    # Counts run from 0 in 2020: Fuzhou's path to 2 by 2023 expects 4/3 by 2022, so 1 is lagging, Xiamen's 4 by
    # 2023 expects 8/3, so 3 is ahead.
    approve(plan, reviewer, fuzhou, PRESCHOOL, 2022, 1)
    approve(plan, reviewer, xiamen, PRESCHOOL, 2022, 3)
    # 普通高中: Fuzhou 11.09 in 2020, 14.38 by 2025; 14.5 in 2022 already meets it.
    approve(plan, reviewer, fuzhou, HIGH_SCHOOL, 2022, "14.5")
    enter(plan, reviewer, xiamen, HIGH_SCHOOL, 2022, "9.5")  # a draft is not yet a figure to judge
    client.force_login(leader)

    html = client.get(reverse("tasks:district-targets"), {"year": 2022}).content.decode()

    fuzhou_row, xiamen_row = row(html, "福州市"), row(html, "厦门市")
    assert fuzhou_row == ["0", "2", "8", "1", "2022", "滞后", "0", "≥1", "≥2", "—", "暂无数据"] + [
        "11.09",
        "13.83",
        "14.38",
        "14.50",
        "2022",
        "已实现",
    ]
    assert xiamen_row[:6] == ["0", "4", "6", "3", "2022", "快于预期"]
    assert xiamen_row[-5:] == ["5.64", "8.07", "9.01", "—", "暂无数据"]


def test_an_official_sees_the_plans_targets_for_all_but_figures_only_for_their_district(
    client, official_fuzhou, reviewer, plan, district
):
    approve(plan, reviewer, district("fuzhou"), PRESCHOOL, 2022, 1)
    approve(plan, reviewer, district("xiamen"), PRESCHOOL, 2022, 3)
    client.force_login(official_fuzhou)

    html = client.get(reverse("tasks:district-targets"), {"year": 2022}).content.decode()

    assert row(html, "福州市")[:6] == ["0", "2", "8", "1", "2022", "滞后"]
    assert row(html, "厦门市") == ["0", "4", "6", "—", "无权查看", "0", "≥1", "≥2", "—", "无权查看"] + [
        "5.64",
        "8.07",
        "9.01",
        "—",
        "无权查看",
    ]
    assert "各地区合计与全省核对" not in html


def test_the_chart_compares_the_districts_one_may_see(client, leader, reviewer, plan, district):
    approve(plan, reviewer, district("fuzhou"), PRESCHOOL, 2022, 1)
    client.force_login(leader)
    response = client.get(reverse("tasks:district-targets"), {"year": 2022})

    charts = {chart_id: figure for chart_id, _metric, figure in response.context["charts"]}
    preschool = charts[f"district-chart-{PRESCHOOL}"]
    bars = preschool["data"][0]
    assert bars["x"][:2] == ["福州", "厦门"] and "全省" not in bars["x"]
    assert bars["y"][0] == 1
    assert f'data-chart="district-chart-{PRESCHOOL}"' in response.content.decode()


def test_the_plans_own_targets_and_baselines_pass_the_sum_check(plan):
    # County counts add up exactly; 普通高中 2020 baselines add up to 66.42 against 66.40 and 2023 targets to 82.99
    # against 83.00, within the rounding the plan's two decimals allow.
    assert sum_checks.sum_mismatches(plan=plan) == []
    targets = Target.objects.filter(indicator__code=HIGH_SCHOOL, year=2023).exclude(district__kind="province")
    assert sum(t.value for t in targets) == Decimal("82.99")


def fill(plan, by, district, code, year, values, province_value):
    """Enter one year's figures for every city and the province."""
    for slug, value in values.items():
        enter(plan, by, district(slug), code, year, value)
    enter(plan, by, district("province"), code, year, province_value)


CITIES = ["fuzhou", "xiamen", "putian", "sanming", "quanzhou", "zhangzhou", "nanping", "longyan", "ningde", "pingtan"]


def test_entered_figures_that_do_not_add_up_are_listed(plan, reviewer, district):
    fill(plan, reviewer, district, BALANCED, 2022, dict.fromkeys(CITIES, 1), 11)  # cities add up to 10
    fill(plan, reviewer, district, HIGH_SCHOOL, 2022, dict.fromkeys(CITIES, "7.005"), "70.1")  # 70.05: 0.05 off

    [mismatch] = sum_checks.sum_mismatches(plan=plan)

    assert (mismatch.indicator.code, mismatch.year, mismatch.kind) == (BALANCED, 2022, "figure")
    assert (mismatch.total, mismatch.province, mismatch.difference) == (10, 11, -1)


def test_a_size_more_than_0_05_from_the_province_is_listed(plan, reviewer, district):
    fill(plan, reviewer, district, HIGH_SCHOOL, 2022, dict.fromkeys(CITIES, "7.004"), "70.1")  # 70.04: 0.06 off

    [mismatch] = sum_checks.sum_mismatches(plan=plan)

    assert (mismatch.indicator.code, mismatch.total, mismatch.province) == (
        HIGH_SCHOOL,
        Decimal("70.04"),
        Decimal("70.1"),
    )


def test_a_year_still_being_filled_is_not_called_a_disagreement(plan, reviewer, district):
    fill(plan, reviewer, district, BALANCED, 2022, dict.fromkeys(CITIES[:-1], 1), 11)  # Pingtan has not entered

    assert sum_checks.sum_mismatches(plan=plan) == []


def test_a_target_changed_out_of_line_with_the_cities_is_listed(plan):
    Target.objects.filter(indicator__code=PRESCHOOL, district__kind="province", year=2025).update(value=64)

    [mismatch] = sum_checks.sum_mismatches(plan=plan)

    assert (mismatch.kind, mismatch.year, mismatch.total, mismatch.province) == ("target", 2025, 63, 64)


def test_reviewers_see_the_disagreement_on_the_page_and_leaders_do_not(client, reviewer, leader, plan, district):
    fill(plan, reviewer, district, BALANCED, 2022, dict.fromkeys(CITIES, 1), 11)
    client.force_login(reviewer)
    html = client.get(reverse("tasks:district-targets")).content.decode()

    check = re.search(r'<section class="sum-check sum-check-failed".*?</section>', html, re.S).group(0)
    assert "2022年义务教育优质均衡创建县（市、区）数：各地区合计 10个，全省 11个，相差 -1个（允许误差 ±0）。" in check
    client.force_login(leader)
    assert "sum-check" not in client.get(reverse("tasks:district-targets")).content.decode()


def test_reviewers_are_told_when_everything_adds_up(client, reviewer):
    client.force_login(reviewer)
    html = client.get(reverse("tasks:district-targets")).content.decode()

    assert '<section class="sum-check" aria-labelledby="sum-check-title"' in html
    assert "各设区市及平潭合计与全省一致" in html


def test_the_page_needs_a_bounded_number_of_queries(
    client, make_user, reviewer, plan, district, django_assert_max_num_queries
):
    client.force_login(make_user("reviewer_2", roles.REVIEWER))
    with django_assert_max_num_queries(PAGE_QUERIES):
        assert client.get(reverse("tasks:district-targets")).status_code == 200

    for year in (2021, 2022, 2023, 2024):
        for code in DISTRICT_METRICS:
            fill(plan, reviewer, district, code, year, dict.fromkeys(CITIES, year - 2020), 10 * (year - 2020))
    assert Observation.objects.count() > 150
    with django_assert_max_num_queries(PAGE_QUERIES):
        assert client.get(reverse("tasks:district-targets")).status_code == 200
