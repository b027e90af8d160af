"""A leader opens one indicator: its path to the target, why it has its status, and how districts compare."""

import json
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.story import approve

pytestmark = pytest.mark.django_db

# session, user, two permission lookups, the header's plan and demo flag, the session's save (savepoint,
# update, release), then the page's own: plan, indicator, districts, default year, indicators, Plan.assess's
# three, targets and figures. The same with no figures as with every district's figures for four years.
PAGE_QUERIES = 21  # the default year counts approved pairs by year and pairs with targets (2); the data version


def figure(response, element_id):
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', response.content.decode())
    assert match, f"no figure {element_id}"
    return json.loads(match.group(1))


def text(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_page_says_in_one_sentence_why_the_status_is_what_it_is(client, leader, plan, reviewer, district):
    approve(plan, reviewer, district("province"), "higher_ed_gross_enrolment", 2023, "62")
    client.force_login(leader)

    response = client.get(reverse("dashboards:indicator", args=["higher_ed_gross_enrolment"]), {"year": 2023})

    assert response.status_code == 200
    page = text(response)
    assert "2023年实际值62.00，按进度应达62.15，符合预期" in page
    assert '<span class="badge status-on_track">符合预期</span>' in response.content.decode()
    assert "高等教育毛入学率" in page


def test_the_chart_draws_the_figures_and_the_plans_path_with_a_table_beside_it(
    client, leader, plan, reviewer, district
):
    approve(plan, reviewer, district("province"), "higher_ed_gross_enrolment", 2022, "60")
    approve(plan, reviewer, district("province"), "higher_ed_gross_enrolment", 2023, "62")
    client.force_login(leader)

    response = client.get(reverse("dashboards:indicator", args=["higher_ed_gross_enrolment"]), {"year": 2023})

    html = response.content.decode()
    assert 'data-chart="path-chart"' in html
    traces = {trace["name"]: trace for trace in figure(response, "path-chart")["data"]}
    assert traces["实际值"]["x"] == [2020, 2022, 2023] and traces["实际值"]["y"] == [57.88, 60, 62]
    assert traces["最终目标"]["y"] == [65]
    assert traces["按进度应达"]["line"]["dash"] == "dash"
    assert traces["趋势推算"]["line"]["dash"] == "dot"
    # The table beside the chart: each year with its figure and where the path expects it.
    assert re.search(r"2023\s*</th>\s*<td[^>]*>62.00</td>\s*<td[^>]*>62.15</td>", html)
    assert re.search(r"2025\s*</th>\s*<td[^>]*></td>\s*<td[^>]*>65.00</td>\s*<td[^>]*>65</td>", html)


def test_districts_are_compared_against_their_own_targets(client, leader, plan, reviewer, district):
    approve(plan, reviewer, district("fuzhou"), "general_high_school_enrolment", 2022, "12.9")
    approve(plan, reviewer, district("xiamen"), "general_high_school_enrolment", 2022, "8")
    client.force_login(leader)

    response = client.get(reverse("dashboards:indicator", args=["general_high_school_enrolment"]), {"year": 2022})

    comparison = {trace["name"]: trace for trace in figure(response, "comparison-chart")["data"]}
    bars = dict(zip(comparison["最新实际值"]["x"], comparison["最新实际值"]["y"], strict=True))
    assert bars["福州"] == 12.9 and bars["厦门"] == 8
    assert "全省" not in bars  # the province is the districts' total, not one of them
    targets = dict(zip(comparison["本地区目标"]["x"], comparison["本地区目标"]["y"], strict=True))
    assert len(targets) == 10
    assert all(value is not None for value in targets.values())


def test_the_values_table_has_a_row_per_district_and_a_column_per_year(client, leader, plan):
    call_command("load_demo", verbosity=0)
    client.force_login(leader)

    response = client.get(reverse("dashboards:indicator", args=["general_high_school_enrolment"]))

    table = response.context["table"]
    assert [column.header for column in table.columns][:3] == ["地区", "2020（基期）", "2021"]
    assert len(table.rows) == 11
    html = response.content.decode()
    assert '<table class="data values" tabindex="0"' in html


def test_an_official_sees_only_his_districts_figures(client, official_fuzhou, plan, reviewer, district):
    approve(plan, reviewer, district("xiamen"), "general_high_school_enrolment", 2022, "8.1234")
    approve(plan, reviewer, district("fuzhou"), "general_high_school_enrolment", 2022, "12.9")
    client.force_login(official_fuzhou)
    url = reverse("dashboards:indicator", args=["general_high_school_enrolment"])

    response = client.get(url)

    assert response.status_code == 200
    assert response.context["district"].code == "350100"
    assert "8.12" not in text(response) and "12.90" in text(response)
    assert [row.record["district"].code for row in response.context["table"].rows] == ["350100"]
    assert client.get(url, {"district": "350200"}).status_code == 404


def test_a_district_without_targets_or_figures_gets_a_sentence_not_an_empty_chart(client, official_fuzhou):
    client.force_login(official_fuzhou)

    response = client.get(reverse("dashboards:indicator", args=["compulsory_retention"]))

    assert "福州市没有该指标的目标和审核通过的数据。" in text(response)
    assert 'data-chart="path-chart"' not in response.content.decode()
    assert '<span class="badge status-no_target">无目标</span>' in response.content.decode()


def test_an_unknown_indicator_is_not_found(client, leader):
    client.force_login(leader)

    assert client.get(reverse("dashboards:indicator", args=["no_such_indicator"])).status_code == 404


@pytest.mark.parametrize("demo", [False, True], ids=["no figures", "demo figures"])
@pytest.mark.parametrize("params", [{}, {"district": "350100", "year": 2022}], ids=["province", "city"])
def test_the_page_makes_the_same_few_queries_whatever_the_data(
    client, leader, django_assert_max_num_queries, demo, params
):
    if demo:
        call_command("load_demo", verbosity=0)
    client.force_login(leader)

    with django_assert_max_num_queries(PAGE_QUERIES):
        response = client.get(reverse("dashboards:indicator", args=["general_high_school_enrolment"]), params)
    assert response.status_code == 200
