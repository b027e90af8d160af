"""A leader reads every quantified key-project target with its unit, year, task and progress."""

import re

import pytest
from django.urls import reverse

from plans.models import Indicator, TextTarget
from tests.conftest import FJ
from tests.story import approve

pytestmark = pytest.mark.django_db

# Request overhead (session read and save in a savepoint, user, two permission lookups: 7), the header's plan and
# demo flag three times, since django-tables2 renders each table with the request (6), then the page's own: plan,
# province, the indicators with their province targets for Plan.assess (2) and its three, the two tables' counts,
# the page of indicators with their targets (2) and the page of text targets.
PAGE_QUERIES = 26  # the default as-of year counts approved pairs and pairs with targets (2)


DISTRICT_METRICS = (
    "preschool_inclusive_inspection_counties",
    "compulsory_quality_balanced_counties",
    "general_high_school_enrolment",
)


def key_project_codes(plan):
    return set(
        Indicator.objects.filter(plan=plan)
        .exclude(section="专栏1")
        .exclude(code__in=DISTRICT_METRICS)
        .values_list("code", flat=True)
    )


def test_every_quantified_key_project_target_is_listed_once(client, leader, plan):
    client.force_login(leader)
    html = client.get(reverse("tasks:key-projects")).content.decode()
    table = re.search(r'<table[^>]*id="key-project-table".*?</table>', html, re.S).group(0)

    links = re.findall(rf'<a href="{FJ}/indicators/([^/]+)/">', table)
    assert sorted(links) == sorted(key_project_codes(plan))
    assert len(links) == 29  # 31 non-专栏1 indicators less the two 附件2 county counts


def test_a_row_gives_unit_year_task_and_progress(client, leader, reviewer, plan, district):
    # 全省普惠性幼儿园在园幼儿占比 ≥90 in 2023 and 2025 (专栏3 with 附件2's 2023 milestone), task 5.
    approve(plan, reviewer, district("province"), "inclusive_kindergarten_enrolment_share_province", 2023, "91.2")
    client.force_login(leader)
    html = client.get(reverse("tasks:key-projects"), {"year": 2023}).content.decode()

    cells = re.search(r"<tr[^>]*>(?:(?!</tr>).)*inclusive_kindergarten_enrolment_share_province.*?</tr>", html, re.S)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cells.group(0)))
    assert "2023年 ≥90 ； 2025年 ≥90" in text
    assert " % " in text and "5. 学前教育普及普惠提升" in text
    assert "已实现" in text


def test_text_targets_are_listed_with_why_they_are_not_judged(client, leader, plan):
    client.force_login(leader)
    html = client.get(reverse("tasks:key-projects"), {"text-per_page": 100}).content.decode()
    table = re.search(r'<table[^>]*id="text-target-table".*?</table>', html, re.S).group(0)

    assert "全省儿童青少年总体近视率力争每年降低0.5个百分点以上" in table
    assert "逐年变化量，无全省单一目标值" in table
    assert table.count("<tr") - 1 == min(50, TextTarget.objects.filter(plan=plan).count())


def test_the_page_needs_a_bounded_number_of_queries(
    client, leader, reviewer, plan, district, django_assert_max_num_queries
):
    client.force_login(leader)
    with django_assert_max_num_queries(PAGE_QUERIES):
        assert client.get(reverse("tasks:key-projects")).status_code == 200

    province = district("province")
    for code in key_project_codes(plan):
        for year in (2021, 2022, 2023, 2024):
            approve(plan, reviewer, province, code, year, 1)
    with django_assert_max_num_queries(PAGE_QUERIES):
        assert client.get(reverse("tasks:key-projects"), {"sort": "task"}).status_code == 200
