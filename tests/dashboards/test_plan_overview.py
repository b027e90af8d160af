"""规划期全景: a district's indicators across the plan's years, each figure coloured by that year's status."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.conftest import FJ

pytestmark = pytest.mark.django_db


def row_html(response, code):
    match = re.search(rf'<tr data-indicator="{code}">(.*?)</tr>', response.content.decode(), re.S)
    assert match, f"no row for {code}"
    return match.group(1)


def test_a_leader_sees_every_indicator_of_the_province_year_by_year_with_targets(client, leader, plan):
    call_command("load_demo", verbosity=0)
    client.force_login(leader)
    response = client.get(reverse("dashboards:overview"))
    assert response.status_code == 200
    html = response.content.decode()
    for year in range(plan.base_year + 1, plan.target_year + 1):
        assert f"{year}年" in html
    row = row_html(response, "higher_ed_gross_enrolment")
    assert "status-" in row  # coloured by the year's status
    assert "目标" in row  # the target year's milestone
    assert len(response.context["lines"]) == plan.indicators.count()


def test_the_search_box_filters_by_name_or_code(client, leader):
    client.force_login(leader)
    by_name = client.get(reverse("dashboards:overview"), {"q": "毛入学率"}).context["lines"]
    assert by_name and all("毛入学率" in line.indicator.name for line in by_name)
    by_code = client.get(reverse("dashboards:overview"), {"q": "putonghua"}).context["lines"]
    assert [line.indicator.code for line in by_code] == ["putonghua_rate"]


def test_the_header_search_box_goes_to_the_overview(client, leader):
    client.force_login(leader)
    html = client.get(reverse("dashboards:dashboard")).content.decode()
    assert re.search(rf'<form method="get" action="{FJ}/overview/" class="header-search"', html)
    assert 'name="q"' in html


def test_a_city_shows_its_own_indicators_and_an_official_only_his_district(client, official_fuzhou):
    client.force_login(official_fuzhou)
    response = client.get(reverse("dashboards:overview"))
    assert response.context["district"].code == "350100"
    assert 0 < len(response.context["lines"]) < 20
    assert client.get(reverse("dashboards:overview"), {"district": "350200"}).status_code == 404


def test_a_whole_number_indicator_shows_no_decimals(client, leader):
    call_command("load_demo", verbosity=0)
    client.force_login(leader)
    lines = client.get(reverse("dashboards:overview")).context["lines"]
    counts = [line for line in lines if line.indicator.whole_number]
    assert counts and all(line.decimals == 0 for line in counts)


# session, user, two permission lookups, the header's plan and demo flag, the session's save (3), then the page's:
# plan, districts, indicators, figures, statuses, targets.
PAGE_QUERIES = 15


def test_the_queries_stay_flat_whatever_the_data(client, leader, django_assert_max_num_queries):
    client.force_login(leader)
    with django_assert_max_num_queries(PAGE_QUERIES):
        assert client.get(reverse("dashboards:overview")).status_code == 200
    call_command("load_demo", verbosity=0)
    with django_assert_max_num_queries(PAGE_QUERIES):
        assert client.get(reverse("dashboards:overview"), {"district": "350100", "q": "在校生"}).status_code == 200
