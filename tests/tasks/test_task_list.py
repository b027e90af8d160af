"""A leader looks down the 30 tasks: filters them, sorts them and sees how their indicators stand."""

import re

import pytest
from django.urls import reverse

from plans.models import Task
from tasks import services
from tasks.models import TaskStatus
from tests.conftest import FJ
from tests.story import approve

pytestmark = pytest.mark.django_db

# Request overhead (session read and save in a savepoint, user, two permission lookups: 7), the header's plan and
# demo flag, rendered twice because django-tables2 renders the table with the request (4), then the page's own:
# plan, categories, province, Plan.assess (with the list of linked indicators: 4), count, page, indicators (10).
PAGE_QUERIES = 22  # the default as-of year counts approved pairs and pairs with targets (2)


def numbers(response):
    """Task numbers in the order the table shows them."""
    return [int(n) for n in re.findall(rf'<td class="num"><a href="{FJ}/tasks/(\d+)/">', response.content.decode())]


def report(plan, task_number, status, by, year=2025):
    return services.save_task_report(
        task=Task.objects.get(plan=plan, number=task_number), year=year, by=by, status=status, summary="进展说明"
    )


def test_the_list_shows_25_tasks_a_page_in_plan_order(client, leader):
    client.force_login(leader)
    first = client.get(reverse("tasks:list"))
    second = client.get(reverse("tasks:list"), {"page": 2})

    assert numbers(first) == list(range(1, 26))
    assert numbers(second) == list(range(26, 31))
    assert "共 30 项任务" in first.content.decode()


def test_filtering_by_category_keeps_only_that_category(client, leader):
    client.force_login(leader)
    response = client.get(reverse("tasks:list"), {"category": "发展现代职业教育"})

    assert numbers(response) == [11, 12, 13, 14, 15, 16, 17]


def test_filtering_by_department_matches_part_of_the_name(client, leader, plan):
    Task.objects.filter(plan=plan, number__in=[3, 12]).update(department="省教育厅职业教育与成人教育处")
    Task.objects.filter(plan=plan, number=5).update(department="省教育厅基础教育处")
    client.force_login(leader)

    response = client.get(reverse("tasks:list"), {"department": "职业教育"})

    assert numbers(response) == [3, 12]
    assert "省教育厅职业教育与成人教育处" in response.content.decode()


def test_filtering_by_this_years_status(client, leader, reviewer, plan):
    report(plan, 4, TaskStatus.LAGGING, reviewer)
    report(plan, 9, TaskStatus.LAGGING, reviewer)
    report(plan, 2, TaskStatus.COMPLETED, reviewer)
    report(plan, 6, TaskStatus.LAGGING, reviewer, year=2024)  # another year's report does not count
    client.force_login(leader)

    lagging = client.get(reverse("tasks:list"), {"status": TaskStatus.LAGGING, "year": 2025})
    unreported = client.get(reverse("tasks:list"), {"status": "none", "year": 2025})
    lagging_in_2024 = client.get(reverse("tasks:list"), {"status": TaskStatus.LAGGING, "year": 2024})

    assert numbers(lagging) == [4, 9]
    assert 2 not in numbers(unreported) and 4 not in numbers(unreported) and 6 in numbers(unreported)
    assert numbers(lagging_in_2024) == [6]


def test_sorting_by_number_and_by_status_puts_what_needs_attention_first(client, leader, reviewer, plan):
    report(plan, 1, TaskStatus.COMPLETED, reviewer)
    report(plan, 2, TaskStatus.IN_PROGRESS, reviewer)
    report(plan, 3, TaskStatus.NOT_STARTED, reviewer)
    report(plan, 4, TaskStatus.LAGGING, reviewer)
    client.force_login(leader)

    descending = client.get(reverse("tasks:list"), {"sort": "-number", "year": 2025})
    by_status = client.get(
        reverse("tasks:list"), {"sort": "year_status", "category": "全面落实立德树人根本任务", "year": 2025}
    )
    by_status_reversed = client.get(
        reverse("tasks:list"), {"sort": "-year_status", "category": "全面落实立德树人根本任务", "year": 2025}
    )

    assert numbers(descending)[:3] == [30, 29, 28]
    assert numbers(by_status) == [4, 3, 2, 1]
    assert numbers(by_status_reversed) == [1, 2, 3, 4]


def test_a_row_shows_the_years_status_and_its_indicators_statuses(client, leader, reviewer, plan, district):
    report(plan, 9, TaskStatus.IN_PROGRESS, reviewer)
    # 50名名校（园）长 by 2025: 50 reached in 2024 is achieved.
    approve(plan, reviewer, district("province"), "renowned_principals", 2024, 50)
    client.force_login(leader)

    html = client.get(
        reverse("tasks:list"), {"category": "推进基础教育公益普惠公平优质发展", "year": 2025}
    ).content.decode()
    row = re.search(rf'<a href="{FJ}/tasks/9/">9</a>.*?</tr>', html, re.S).group(0)

    assert '<span class="task-status task-in_progress">推进中</span>' in row
    assert re.search(r"50名名校（园）长</a>\s*<span class=\"badge status-achieved\">已实现</span>", row)
    assert '<span class="badge status-no_data">暂无数据</span>' in row  # its other two indicators have no figures


def test_a_task_missing_from_the_source_is_flagged(client, leader):
    client.force_login(leader)
    html = client.get(reverse("tasks:list")).content.decode()
    row = re.search(rf'<a href="{FJ}/tasks/10/">10</a>.*?</tr>', html, re.S).group(0)

    assert "（原文缺失）" in row and "待核实" in row


def test_the_list_needs_a_bounded_number_of_queries(
    client, leader, reviewer, plan, district, django_assert_max_num_queries
):
    client.force_login(leader)
    with django_assert_max_num_queries(PAGE_QUERIES):
        assert client.get(reverse("tasks:list")).status_code == 200

    province = district("province")
    for task in Task.objects.filter(plan=plan):
        for year in (2021, 2022, 2023, 2024, 2025):
            services.save_task_report(task=task, year=year, by=reviewer, status=TaskStatus.IN_PROGRESS, summary="进展")
    for indicator in plan.indicators.filter(task__isnull=False):
        for year in (2021, 2022, 2023, 2024):
            approve(plan, reviewer, province, indicator.code, year, indicator.targets.first().value)
    with django_assert_max_num_queries(PAGE_QUERIES):
        assert client.get(reverse("tasks:list"), {"sort": "-year_status"}).status_code == 200
